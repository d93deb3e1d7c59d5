"""Commands ``allyscope data fetch|build|status|cite`` and ``allyscope codes``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from allyscope import clikit, config

_data = typer.Typer(
    help="Fetch the published data files, build the warehouse, inspect it.", no_args_is_help=True
)
_codes_app = typer.Typer()


def register(app: typer.Typer) -> None:
    """Attach ``data`` and ``codes`` to the ``allyscope`` application."""
    app.add_typer(_data, name="data")
    app.registered_commands.extend(_codes_app.registered_commands)


# -- data ----------------------------------------------------------------------------------


@_data.command("fetch")
def data_fetch(
    sources: Annotated[
        list[str] | None, typer.Argument(help="Sources to fetch (default: all).")
    ] = None,
    mirror: Annotated[
        Path | None,
        typer.Option(
            "--mirror",
            help="Copy from this local folder instead of downloading.",
            envvar="ALLYSCOPE_MIRROR",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Download the pinned paths from this server instead of "
            "raw.githubusercontent.com (a proxy or test server).",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Fetch again even if present.")] = False,
    retries: Annotated[int, typer.Option(min=1, max=10, help="Attempts per file.")] = 3,
) -> None:
    """Download every source file from its pinned address (SHA-256 checked)."""
    from allyscope.fetch import fetch, select

    chosen = select(sources)
    if base_url:
        mirror = None
    with clikit.progress_bar(bytes_=True) as bar:
        tasks = {s.name: bar.add_task(s.name, total=s.bytes) for s in chosen}

        def progress(name: str, done: int, total: int) -> None:
            bar.update(tasks[name], completed=done, total=total)

        results = fetch(
            sources,
            mirror=mirror,
            base_url=base_url,
            force=force,
            retries=retries,
            progress=progress,
        )
    files = {r.path: r.action for r in results}  # one line per file, not per table
    counts: dict[str, int] = {}
    for action in files.values():
        counts[action] = counts.get(action, 0) + 1
    words = {
        "checked": "already here and identical to the mirror's copy",
        "kept": "already here and kept (the mirror's copy differs)",
        "present": "already here and verified",
    }
    summary = ", ".join(f"{n} {words.get(a, a)}" for a, n in sorted(counts.items()))
    clikit.console().print(
        f"[green]fetched[/green] {len(files)} files for {len(results)} sources into "
        f"{config.raw_dir()} ({summary})",
        highlight=False,
    )
    for r in results:
        if r.note:
            clikit.err_console().print(
                f"[yellow]warning:[/yellow] {r.source}: {r.note}; the local pinned file was kept",
                highlight=False,
            )


@_data.command("build")
def data_build(
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild even if the inputs have not changed.")
    ] = False,
) -> None:
    """Load every fetched file into the DuckDB warehouse (atomic: all or nothing; nothing
    is rewritten when the files, the loaders and the libraries are those it was built with)."""
    from allyscope.sources import SOURCES
    from allyscope.store import build

    err = clikit.err_console()
    with clikit.progress_bar() as bar:
        task = bar.add_task("building warehouse", total=len(SOURCES))

        def on_source(name: str, stage: str) -> None:
            if stage == "waiting":
                err.print("another build of this warehouse is running; waiting for it")
            elif stage == "done":
                bar.advance(task)
            else:
                bar.update(task, description=f"{stage} {name}")

        report = build(on_source=on_source, force=force)
    for p in report.removed:
        err.print(f"removed {p.name}, left by a build that did not finish", highlight=False)
    total = sum(report.tables.values())
    if not report.rebuilt:
        clikit.console().print(
            f"[green]up to date[/green] {report.path} — {len(report.tables)} tables, "
            f"{total:,} rows, data hash {report.data_hash}; built from the same files, "
            "loaders and libraries, so left as it is (--force rebuilds)"
        )
        return
    clikit.console().print(
        f"[green]built[/green] {report.path} — {len(report.tables)} tables, {total:,} rows, "
        f"data hash {report.data_hash}, {report.seconds:.1f} s"
    )


@_data.command("status")
def data_status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """What is fetched and built: coverage and row counts per source."""
    wh_path = config.warehouse_path()
    rows: dict[str, int] = {}
    built_at = None
    if wh_path.is_file():
        from allyscope.store import open_warehouse

        wh = open_warehouse()
        rows = dict(wh.sql("SELECT source, rows FROM provenance").iter_rows())
        built_at = wh.meta.get("built_at")
    records = _status_records(rows)
    if as_json:
        clikit.print_json(
            {
                "home": str(config.home()),
                "warehouse": str(wh_path),
                "built_at": built_at,
                "sources": records,
            }
        )
        return
    _show_status(records)
    n_fetched = sum(r["fetched"] for r in records)
    state = f"built {built_at}" if built_at else "not built (run `allyscope data build`)"
    clikit.console().print(
        f"{n_fetched}/{len(records)} files fetched; warehouse {wh_path}: {state}"
    )


def _status_records(rows: dict[str, int]) -> list[dict[str, Any]]:
    """One record per declared source: file, whether fetched, rows built and declared."""
    from allyscope.fetch import is_fetched, raw_path
    from allyscope.sources import SOURCES

    return [
        {
            "source": s.name,
            "file": s.file,
            "fetched": is_fetched(s),
            "built_rows": rows.get(s.name),
            "declared_rows": s.rows,
            "years": f"{s.years[0]}-{s.years[1]}" if s.years else None,
            "through": s.data_through,
            "unit": s.unit,
            "version": s.version,
            "path": str(raw_path(s)),
        }
        for s in SOURCES.values()
    ]


def _show_status(records: list[dict[str, Any]]) -> None:
    from rich.table import Table

    t = Table(title=f"allyscope data in {config.home()}", show_lines=False)
    for col in ("source", "fetched", "rows", "years", "through", "unit"):
        t.add_column(col, justify="right" if col == "rows" else "left")
    for r in records:
        t.add_row(
            r["source"],
            "[green]yes[/green]" if r["fetched"] else "[red]no[/red]",
            f"{r['built_rows']:,}" if r["built_rows"] is not None else "[dim]not built[/dim]",
            r["years"] or "",
            r["through"] if r["through"] and len(r["through"]) > 4 else "",
            r["unit"],
        )
    clikit.console().print(t)


@_data.command("cite")
def data_cite(
    source: Annotated[
        str | None, typer.Argument(help="A source name (default: all sources).")
    ] = None,
) -> None:
    """BibTeX citations for one source or all of them."""
    from allyscope.sources import SOURCES, bibtex, get

    keys = (
        list(get(source).citations)
        if source
        else [k for s in SOURCES.values() for k in s.citations]
    )
    print(bibtex(keys), end="")


# -- codes ---------------------------------------------------------------------------------


@_codes_app.command("codes")
def codes_cmd(
    names: Annotated[list[str], typer.Argument(help="Country names or codes (COW, ISO3, ISO2).")],
    year: Annotated[int | None, typer.Option("--year", help="Resolve as of this year.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Look up a state's COW, Gleditsch-Ward and ISO codes: `allyscope codes "South Korea"`."""
    from allyscope.codes import lookup

    clikit.check_year(year)
    infos: list[dict[str, Any]] = [lookup(n, year) for n in names]
    if as_json:
        print(json.dumps(infos, indent=2, default=str))
        return
    for info in infos:
        parts = [
            f"ccode {info['ccode']}",
            f"stateabb {info.get('stateabb')}",
            f"gwcode {info.get('gwcode')}",
            f"iso3 {info.get('iso3')}",
            f"iso2 {info.get('iso2')}",
            "COW member " + (", ".join(info["cow_membership"]) or "never"),
        ]
        if info.get("wb_region"):
            parts.append(str(info["wb_region"]))
        clikit.console().print(
            f"[bold]{info.get('name')}[/bold]: " + " · ".join(parts), highlight=False
        )
