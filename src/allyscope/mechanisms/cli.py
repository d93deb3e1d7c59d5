"""``allyscope institutions``: the institutionalization index and the records behind it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from allyscope.clikit import OutOpt, PlotOpt, check_output, check_plot


def register(app: typer.Typer) -> None:
    app.command("institutions")(institutions)


def institutions(
    groupings: Annotated[
        list[str] | None,
        typer.Argument(
            help='Groupings by name, alias or members: "US-Japan-ROK", Quad, '
            'AUKUS, trilateral, "USA JPN KOR". Default: all.'
        ),
    ] = None,
    start: Annotated[int | None, typer.Option("--from", help="First year.")] = None,
    end: Annotated[int | None, typer.Option("--to", help="Last year.")] = None,
    records_dirs: Annotated[
        list[Path] | None,
        typer.Option("--records", help="Extra folder (or file) of record files; repeatable."),
    ] = None,
    output: OutOpt = None,
    plot: PlotOpt = None,
    show_components: Annotated[
        bool,
        typer.Option(
            "--components",
            help="Show (and write) the decomposition by "
            "dimension and component instead of the index.",
        ),
    ] = False,
    show_records: Annotated[
        bool,
        typer.Option(
            "--records-list/--no-records-list", help="List the records behind each change."
        ),
    ] = True,
    validate_dir: Annotated[
        list[Path] | None,
        typer.Option("--validate", help="Check a folder of record files and list every problem."),
    ] = None,
    list_groupings: Annotated[
        bool, typer.Option("--list", help="List the groupings and exit.")
    ] = False,
) -> None:
    """Institutionalization index of groupings per year, its components and records.

    Example: allyscope institutions "US-Japan-ROK" --from 1999 --plot trilateral.html
    """
    from rich.table import Table

    from allyscope import mechanisms as m
    from allyscope.cli import console, err_console
    from allyscope.errors import InvalidInputError
    from allyscope.io import write_table

    check_output(output)
    check_plot(plot)

    if validate_dir:
        problems = m.validate(validate_dir)
        if not problems:
            console.print(f"[green]valid[/green]: {', '.join(map(str, validate_dir))}")
            return
        for p in problems:
            err_console.print(str(p), highlight=False, markup=False)
        err_console.print(
            f"[bold red]{len(problems)} problem(s)[/bold red]; nothing can be "
            "loaded from these files until they are fixed"
        )
        raise typer.Exit(2)

    rs = m.load_records(records_dirs or None)
    if list_groupings:
        tab = m.groupings(record_set=rs)
        t = Table(title="groupings")
        for col in ("grouping_id", "grouping", "members", "n_records", "first_year", "aliases"):
            t.add_column(col)
        for r in tab.iter_rows(named=True):
            t.add_row(
                *(
                    str(r[c]) if r[c] is not None else ""
                    for c in (
                        "grouping_id",
                        "grouping",
                        "members",
                        "n_records",
                        "first_year",
                        "aliases",
                    )
                )
            )
        console.print(t)
        if output:
            write_table(tab.drop("ccodes"), output)
        return

    names = list(groupings or []) or None
    selected = [rs.grouping(n) for n in names] if names else list(rs.groupings.values())
    years = None
    if start is not None or end is not None:
        first = (
            start
            if start is not None
            else min((r.year for g in selected for r in rs.of(g)), default=1990)
        )
        from allyscope.settings import as_of

        ends = [g.coverage_end.year for g in selected if g.coverage_end]
        last = end if end is not None else (max(ends) if ends else as_of().year)
        if last < first:
            raise InvalidInputError(f"--to {last} is before --from {first}")
        years = range(first, last + 1)
    ids = [g.id for g in selected]
    idx = m.institutionalization(ids, years, record_set=rs)
    comp = m.institutionalization(ids, years, record_set=rs, components=True)

    if show_components:
        _print_components(console, comp)
        table_out = comp
    else:
        _print_index(console, idx, len(ids))
        table_out = idx
    if show_records and not show_components:
        _print_changes(console, m.changes(ids, years, record_set=rs))
    if output is not None:
        write_table(table_out, output)
        err_console.print(f"wrote {output}")
    if plot is not None:
        from allyscope.mechanisms.plot import index_figure, write_html

        write_html(index_figure(idx, m.changes(ids, years, record_set=rs)), plot)
        err_console.print(f"wrote {plot}")


def _fmt(v: float | None) -> str:
    return "" if v is None else f"{v:.1f}"


def _print_index(console, idx, n_groupings: int) -> None:
    import polars as pl
    from rich.table import Table

    if n_groupings > 1:  # comparison: one column per grouping, flagged where incomplete
        marks = {"partial": " p", "incomplete": " i", "not_systematic": " *", "not_assessed": " *"}
        cell = idx.with_columns(
            pl.when(pl.col("institutionalization").is_null())
            .then(pl.lit(""))
            .otherwise(
                pl.col("institutionalization").round(1).cast(pl.String)
                + pl.col("completeness").replace_strict(marks, default="", return_dtype=pl.String)
            )
            .alias("cell")
        )
        wide = cell.pivot(on="grouping", index="year", values="cell").sort("year")
        t = Table(title="institutionalization index (0-100, net of penalties)")
        for c in wide.columns:
            t.add_column(c, justify="right")
        for row in wide.iter_rows():
            t.add_row(str(row[0]), *(v or "" for v in row[1:]))
        console.print(t)
        console.print(
            "p: partial year (coded up to the end of coverage); i: known gaps in the coding; "
            "*: not coded systematically. Compare groupings only on unmarked years "
            "(allyscope.mechanisms.rank)."
        )
        return
    name = idx["grouping"][0] if idx.height else ""
    dims = [
        "leaders",
        "ministerial",
        "working_level",
        "standing",
        "military",
        "legal",
        "breadth",
        "penalties",
    ]
    t = Table(title=f"{name}: institutionalization index")
    for c in ("year", "index", *dims, "coding"):
        t.add_column(c, justify="right")
    for r in idx.sort("year").iter_rows(named=True):
        t.add_row(
            str(r["year"]),
            _fmt(r["institutionalization"]),
            *(_fmt(r.get(d)) for d in dims),
            r.get("completeness") or "",
        )
    console.print(t)


def _print_components(console, comp) -> None:
    from rich.table import Table

    t = Table(title="components of the institutionalization index")
    for c in ("grouping", "year", "dimension", "component", "contribution", "record_ids"):
        t.add_column(
            c, justify="right" if c in ("year", "contribution") else "left", overflow="fold"
        )
    for r in comp.iter_rows(named=True):
        t.add_row(
            r["grouping"],
            str(r["year"]),
            r["dimension"],
            r["component"],
            f"{r['contribution']:.2f}",
            r["record_ids"],
        )
    console.print(t)


def _print_changes(console, ch) -> None:
    if ch.height == 0:
        return
    console.print("[bold]records behind each change[/bold]")
    for (gid, year), grp in ch.group_by(["grouping_id", "year"], maintain_order=True):
        first = grp.row(0, named=True)
        delta = first["change"]
        d = f"{delta:+.1f}" if delta is not None else "start"
        console.print(f"  [cyan]{gid}[/cyan] {year} ({d}):", highlight=False)
        for r in grp.iter_rows(named=True):
            console.print(
                f"    {r['date']}  {r['title']}  [dim]{r['type']} · {r['record_id']}[/dim]",
                highlight=False,
            )
