"""``allyscope extract``: propose mechanism records from statements and articles."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from allyscope import clikit


def register(app: typer.Typer) -> None:
    """Attach ``allyscope extract``."""
    app.command("extract")(extract_cmd)


def extract_cmd(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Statements or articles: .txt, .md or .html files.")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Write to FILE: .yaml/.yml or .json (evaluation: .csv, .json, .parquet).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of YAML.")] = False,
    date: Annotated[
        str | None,
        typer.Option(
            "--date", help="The document date, YYYY-MM-DD (default: from metadata or dateline)."
        ),
    ] = None,
    review: Annotated[
        bool, typer.Option("--review", help="Accept, edit or reject each candidate.")
    ] = False,
    min_confidence: Annotated[
        float,
        typer.Option(
            "--min-confidence", min=0.0, max=1.0, help="Drop candidates below this confidence."
        ),
    ] = 0.5,
    max_size: Annotated[
        float, typer.Option("--max-size", min=0.001, help="Largest document to read, in MB.")
    ] = 20.0,
    source_url: Annotated[
        str | None,
        typer.Option("--source-url", help="URL of the statement (for the records' source)."),
    ] = None,
    publisher: Annotated[
        str | None, typer.Option("--publisher", help="Who published the statement.")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Title of the statement.")] = None,
    evaluate: Annotated[
        str | None,
        typer.Option(
            "--evaluate",
            metavar="DIR",
            help="Score the extractor on a labelled folder ('shipped': the set that ships with allyscope).",
        ),
    ] = None,
) -> None:
    """Propose cooperation-mechanism records (with evidence) from statements and articles.

    Prints a record file (YAML) for review; `--review` walks through the candidates,
    `-o FILE` writes YAML or JSON atomically.
    """
    from allyscope.errors import InvalidInputError
    from allyscope.extract.extractor import extract_files
    from allyscope.extract.records import to_json, to_yaml

    if evaluate is not None:
        clikit.check_output(output)  # .csv, .parquet or .json, and a writable place
        _evaluate(evaluate, output, min_confidence)
        return
    fmt = _output_format(output, as_json)
    clikit.check_destination(output)
    if not files:
        raise InvalidInputError(
            "no document given", "allyscope extract STATEMENT.html [-o candidates.yaml]"
        )
    source = {"url": source_url, "publisher": publisher, "title": title}
    run = extract_files(
        files, date=date, max_bytes=int(max_size * 1024 * 1024), min_confidence=min_confidence,
        source=source,
    )  # fmt: skip
    err = clikit.err_console()
    for w in run.warnings:
        err.print(f"[yellow]warning:[/yellow] {w}", highlight=False)
    items = run.items
    if review:
        from allyscope.extract.review import review as walk

        if not items:
            err.print("no candidates to review")
        reviewed = walk(items, console=err)
        if reviewed.ended_early:
            err.print(
                f"[yellow]warning:[/yellow] standard input ended with {reviewed.ended_early} "
                "candidate(s) undecided; they are left out, as with q",
                highlight=False,
            )
        items = list(reviewed)
    names = ", ".join(str(f) for f in files)
    header = (f"Candidate mechanism records extracted from {names}.\n"
              "Review every record (facts, members, date, source) before adding it to a record file.")  # fmt: skip
    text = to_json(items) if fmt == "json" else to_yaml(items, header=header)
    if output is None:
        sys.stdout.write(text)
        err.print(f"{len(items)} candidate record(s)", highlight=False)
        return
    from allyscope.io import atomic_write_text

    atomic_write_text(output, text)
    err.print(f"[green]wrote[/green] {len(items)} candidate record(s) to {output}", highlight=False)


def _output_format(output: Path | None, as_json: bool) -> str:
    """``"yaml"`` or ``"json"``: from the output file's extension, else ``--json``."""
    from allyscope.errors import InvalidInputError

    if output is None:
        return "json" if as_json else "yaml"
    ext = output.suffix.lower()
    if ext in (".yaml", ".yml", ".json"):
        return "json" if ext == ".json" else "yaml"
    raise InvalidInputError(
        f"cannot write {output}: unknown file type {ext or '(no extension)'!r}",
        "use .yaml, .yml or .json",
    )


def _evaluate(folder: str, output: Path | None, min_confidence: float) -> None:
    import polars as pl
    from rich.table import Table

    from allyscope.extract.evaluate import TARGET_PRECISION, TARGET_RECALL, evaluate, shipped_set

    path = shipped_set() if folder == "shipped" else Path(folder)
    res: dict[str, Any] = evaluate(path, min_confidence=min_confidence)
    rows: list[dict[str, Any]] = res["rows"]
    con = clikit.console()
    for split in res["splits"]:
        t = Table(title=f"extraction scores: {split} ({res['splits'][split]} documents)")
        for col in (
            "type",
            "gold",
            "predicted",
            "precision",
            "recall",
            "f1",
            "members",
            "date",
            "regularity",
        ):
            t.add_column(col, justify="left" if col == "type" else "right", no_wrap=col == "type")
        for r in rows:
            if r["split"] != split:
                continue
            name = r["type"]
            if r["kind"] == "target":
                ok = r.get("meets_target")
                name = f"[bold]{name}[/bold] " + ("[green]✓[/green]" if ok else "[red]✗[/red]")
            elif r["kind"] == "all":
                name = f"[bold]{name}[/bold]"

            def f(v: object) -> str:
                return "" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v)

            t.add_row(name, f(r["gold"]), f(r["predicted"]), f(r["precision"]), f(r["recall"]), f(r["f1"]),
                      f(r["members_acc"]), f(r["date_acc"]), f(r["regularity_acc"]))  # fmt: skip
        con.print(t)
    con.print(f"targets (bold rows): precision ≥ {TARGET_PRECISION}, recall ≥ {TARGET_RECALL}; "
              f"{res['documents']} documents read and extracted in {res['seconds']:.2f} s")  # fmt: skip
    if output is not None:
        ext = output.suffix.lower()
        if ext == ".json":
            import json

            from allyscope.io import atomic_write_text

            atomic_write_text(output, json.dumps(res, indent=2, default=str) + "\n")
        else:
            from allyscope.io import write_table

            frame = pl.DataFrame(rows, infer_schema_length=None)
            write_table(frame, output)
        con.print(f"[green]wrote[/green] {output}")


__all__ = ["extract_cmd", "register"]
