"""``allyscope institutions``: the institutionalization index and the records behind it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from allyscope import clikit
from allyscope.clikit import OutOpt, PlotOpt, check_output, check_plot


def register(app: typer.Typer) -> None:
    """Attach ``allyscope institutions``."""
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
    from allyscope import mechanisms as m

    check_output(output)
    check_plot(plot)
    clikit.check_years(start, end)
    if validate_dir:
        _validate(validate_dir)
        return
    rs = m.load_records(records_dirs or None)
    if list_groupings:
        _list_groupings(m.groupings(record_set=rs), output)
        return
    names = list(groupings or []) or None
    selected = [rs.grouping(n) for n in names] if names else list(rs.groupings.values())
    years = _window(rs, selected, start, end)
    ids = [g.id for g in selected]
    console = clikit.console()
    if show_components:
        table_out = m.institutionalization(ids, years, record_set=rs, components=True)
        _print_components(console, table_out)
    else:
        table_out = m.institutionalization(ids, years, record_set=rs, uncertainty=True)
        _print_index(console, table_out, len(ids))
    changes = m.changes(ids, years, record_set=rs)
    if show_records and not show_components:
        _print_changes(console, changes)
    clikit.write_output(table_out, output, "institutionalization")
    if plot is not None:
        from allyscope.mechanisms.plot import index_figure

        idx = (
            table_out
            if not show_components
            else m.institutionalization(ids, years, record_set=rs, uncertainty=True)
        )
        clikit.write_plot(index_figure(idx, changes), plot)


def _validate(dirs: list[Path]) -> None:
    """Check record files; list every problem and exit 2 if there is any."""
    from allyscope import mechanisms as m

    problems = m.validate(dirs)
    if not problems:
        clikit.console().print(f"[green]valid[/green]: {', '.join(map(str, dirs))}")
        return
    err = clikit.err_console()
    for p in problems:
        err.print(str(p), highlight=False, markup=False)
    err.print(
        f"[bold red]{len(problems)} problem(s)[/bold red]; nothing can be "
        "loaded from these files until they are fixed"
    )
    raise typer.Exit(2)


_GROUPING_COLUMNS = ("grouping_id", "grouping", "members", "n_records", "first_year", "aliases")


def _list_groupings(tab: Any, output: Path | None) -> None:
    from rich.table import Table

    t = Table(title="groupings")
    for col in _GROUPING_COLUMNS:
        t.add_column(col)
    for r in tab.iter_rows(named=True):
        t.add_row(*(str(r[c]) if r[c] is not None else "" for c in _GROUPING_COLUMNS))
    clikit.console().print(t)
    clikit.write_output(tab.drop("ccodes"), output, "groupings")


def _window(rs: Any, selected: list[Any], start: int | None, end: int | None) -> range | None:
    """The years asked for: from the first record (or --from) to the end of the groupings'
    coverage (or --to); ``None`` when neither is given (the index's own default)."""

    from allyscope.errors import InvalidInputError
    from allyscope.settings import as_of

    if start is None and end is None:
        return None
    first = (
        start
        if start is not None
        else min((r.year for g in selected for r in rs.of(g)), default=1990)
    )
    ends = [g.coverage_end.year for g in selected if g.coverage_end]
    last = end if end is not None else (max(ends) if ends else as_of().year)
    if last < first:
        raise InvalidInputError(f"--to {last} is before --from {first}")
    return range(first, last + 1)


def _fmt(v: float | None) -> str:
    return "" if v is None else f"{v:.1f}"


def _with_band(r: dict[str, Any], low: str = "index_low", high: str = "index_high") -> str:
    """The index with its band, e.g. ``73.6 (68.4–78.8)``."""
    v = r["institutionalization"]
    if v is None:
        return ""
    if r.get(low) is None:
        return _fmt(v)
    return f"{v:.1f} ({r[low]:.1f}–{r[high]:.1f})"


def _range(r: dict[str, Any], low: str, high: str) -> str:
    return "" if r.get(low) is None else f"{r[low]:.1f}–{r[high]:.1f}"


_BAND_NOTE = (
    "(low–high): 5th–95th percentile of the index under perturbed weights, shapes and "
    "bindingness coding (docs/institutionalization.md, Uncertainty)."
)
_DROP_NOTE = "one record out: the range of the index when any one record is left out."


def _print_index(console, idx, n_groupings: int) -> None:
    import polars as pl
    from rich.table import Table

    if n_groupings > 1:  # comparison: one column per grouping, flagged where incomplete
        marks = {"partial": " p", "incomplete": " i", "not_systematic": " *", "not_assessed": " *"}
        cell = idx.with_columns(
            pl.Series(
                "cell",
                [
                    _with_band(r) + marks.get(r["completeness"] or "", "")
                    for r in idx.iter_rows(named=True)
                ],
                dtype=pl.String,
            )
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
        if "index_low" in idx.columns:
            console.print(_BAND_NOTE)
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
    banded = "index_low" in idx.columns
    extra = ("one record out",) if banded else ()
    for c in ("year", "index (low–high)" if banded else "index", *extra):
        t.add_column(c, justify="right", no_wrap=True)
    for c in (*dims, "coding"):
        t.add_column(c, justify="right")
    for r in idx.sort("year").iter_rows(named=True):
        t.add_row(
            str(r["year"]),
            _with_band(r),
            *((_range(r, "drop_one_low", "drop_one_high"),) if banded else ()),
            *(_fmt(r.get(d)) for d in dims),
            r.get("completeness") or "",
        )
    console.print(t)
    if banded:
        console.print(_BAND_NOTE)
        console.print(_DROP_NOTE)


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
