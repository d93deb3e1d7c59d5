"""``allyscope panel``: build state-year and dyad-year panels with add-ons from the shell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from allyscope import clikit

panel_app = typer.Typer(
    help="State-year and dyad-year panels with add-ons (alliances, capabilities, "
    "contiguity, disputes ...), written to Parquet, CSV, Stata or Feather.",
    no_args_is_help=True,
)

#: file types a panel can be written to
PANEL_FORMATS = {
    ".parquet": "Parquet",
    ".csv": "CSV",
    ".dta": "Stata",
    ".feather": "Feather (Arrow IPC)",
    ".arrow": "Arrow IPC",
    ".json": "JSON (records)",
}


def register(app: typer.Typer) -> None:
    app.add_typer(panel_app, name="panel")


FromOpt = Annotated[
    int | None, typer.Option("--from", help="First year (default: the list's first, 1816).")
]
ToOpt = Annotated[
    int | None,
    typer.Option("--to", help="Last year (default: the list's last: COW 2024, GW 2020)."),
]
AddOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--add",
        "-a",
        help="Add-ons, comma-separated or repeated: --add atop,nmc,contiguity (see --list-addons).",
    ),
]
SystemOpt = Annotated[
    str,
    typer.Option("--system", help="State system: cow (Correlates of War) or gw (Gleditsch-Ward)."),
]
MryOpt = Annotated[
    bool,
    typer.Option(
        "--mry",
        help="Extend states alive at the end of the list to the latest year of the data "
        "(an assumption, recorded in the output's metadata).",
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "-o", "--output", help="Write the panel to FILE (.parquet, .csv, .dta, .feather, .json)."
    ),
]
CiteOpt = Annotated[
    bool, typer.Option("--cite", help="Print the BibTeX entries of every source used.")
]
ListOpt = Annotated[
    bool, typer.Option("--list-addons", help="List the add-ons for this unit and exit.")
]
NamesOpt = Annotated[
    bool,
    typer.Option(
        "--exercise-names",
        help="With the mme add-on: add the list of exercise names (not for .dta/.csv).",
    ),
]


@panel_app.command("dyad-years")
def dyad_years_cmd(
    start: FromOpt = None,
    end: ToOpt = None,
    add: AddOpt = None,
    system: SystemOpt = "cow",
    directed: Annotated[
        bool, typer.Option("--directed", help="Both orders of each pair (twice the rows).")
    ] = False,
    politically_relevant: Annotated[
        bool,
        typer.Option(
            "--politically-relevant",
            help="Only contiguous dyads and dyads with a major power (COW contiguity and major "
            "powers end in 2016).",
        ),
    ] = False,
    mry: MryOpt = False,
    output: OutOpt = None,
    cite: CiteOpt = False,
    list_addons: ListOpt = False,
    exercise_names: NamesOpt = False,
    atop_extended: Annotated[
        bool,
        typer.Option(
            "--atop-extended",
            help="ATOP obligations extended with the sourced alliance records after 2018 "
            "(adds the atop add-on if not given).",
        ),
    ] = False,
) -> None:
    """Dyad-years (non-directed unless --directed) with add-ons.

    Example: allyscope panel dyad-years --from 1946 --to 2014 --add atop,nmc,contiguity,igo -o dy.parquet
    """
    _run(
        "dyad-year",
        start,
        end,
        add,
        system,
        directed,
        politically_relevant,
        mry,
        output,
        cite,
        list_addons,
        exercise_names,
        atop_extended,
    )


@panel_app.command("state-years")
def state_years_cmd(
    start: FromOpt = None,
    end: ToOpt = None,
    add: AddOpt = None,
    system: SystemOpt = "cow",
    mry: MryOpt = False,
    output: OutOpt = None,
    cite: CiteOpt = False,
    list_addons: ListOpt = False,
    exercise_names: NamesOpt = False,
) -> None:
    """State-years with add-ons.

    Example: allyscope panel state-years --from 1950 --to 2010 --add nmc,democracy,majors -o sy.csv
    """
    _run(
        "state-year",
        start,
        end,
        add,
        system,
        False,
        False,
        mry,
        output,
        cite,
        list_addons,
        exercise_names,
    )


@panel_app.command("exercises")
def exercises_cmd(
    state_a: Annotated[str, typer.Argument(help="A state (name or code).")],
    state_b: Annotated[str, typer.Argument(help="Another state.")],
    year: Annotated[int | None, typer.Option("--year", help="Only this year.")] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the table to FILE (.csv, .parquet, .json)."),
    ] = None,
) -> None:
    """Joint multinational military exercises of two states (MME v7, 1980-2010)."""
    from rich.table import Table

    console = clikit.console()
    from allyscope.io import write_table
    from allyscope.panel import joint_exercises

    clikit.check_output(output, PANEL_FORMATS)
    clikit.check_year(year)
    df = joint_exercises(state_a, state_b, year)
    if output is not None:
        write_table(df, output)
        console.print(f"[green]wrote[/green] {output} ({df.height} exercises)")
        return
    t = Table(title=f"Joint exercises: {state_a} and {state_b}" + (f" in {year}" if year else ""))
    for c in df.columns:
        t.add_column(c)
    for row in df.iter_rows():
        t.add_row(*(str(v) for v in row))
    console.print(t)
    console.print(
        f"{df.height} exercises (Kuo and Blankenship, MME v7; `allyscope data cite mme_exercises`)"
    )


def _addon_names(add: list[str] | None) -> list[str]:
    names: list[str] = []
    for item in add or []:
        names.extend(x for x in item.replace(",", " ").split() if x)
    return names


def _list_addons(unit: str, system: str) -> None:
    from rich.table import Table

    console = clikit.console()
    from allyscope.panel import addons

    t = Table(title=f"Add-ons for {unit} panels ({system.upper()})", show_lines=True)
    for col in ("name", "aliases", "coverage", "sources", "definition"):
        t.add_column(col, overflow="fold")
    for a in addons.available(unit=unit, system=system):
        d = a.describe()
        t.add_row(
            d["name"],
            ", ".join(d["aliases"]),
            d["coverage"],
            ", ".join(d["sources"]),
            d["definition"] + (f"\n[dim]{d['notes']}[/dim]" if d["notes"] else ""),
        )
    console.print(t)


def _run(
    unit: str,
    start: int | None,
    end: int | None,
    add: list[str] | None,
    system: str,
    directed: bool,
    politically_relevant: bool,
    mry: bool,
    output: Path | None,
    cite: bool,
    list_addons: bool,
    exercise_names: bool,
    atop_extended: bool = False,
) -> None:
    from allyscope import api
    from allyscope.panel import addons, core

    system = core._check_system(system)
    if list_addons:
        _list_addons(unit, system)
        return
    clikit.check_output(output, PANEL_FORMATS)
    clikit.check_years(start, end)
    last = core.mry_year(mry, system) or core.LIST_END[system].year
    years = (core.LIST_START if start is None else start, last if end is None else end)
    names = _addon_names(add)
    if atop_extended:
        names = [n for n in names if addons.get(n).name != "atop"] + ["atop_extended"]
    spec = api.PanelSpec(
        unit, system, years, tuple(names), directed, politically_relevant, mry,
        options={"mme": {"names": True}} if exercise_names else {},
    )  # fmt: skip
    spec.check()  # unknown or unsuitable add-ons fail before any work
    with clikit.busy("building panel"):
        p = api.panel(spec)
    if output is not None:
        p.write(output)
        _say_written(p, output)
    else:
        _preview(p)
    if p.mry is not None:
        clikit.err_console().print(f"[yellow]note:[/yellow] {p.meta['mry_note']}")
    _atop_notes(p)
    if cite:
        print(p.citations(), end="")
        return
    clikit.console().print(
        f"sources: {', '.join(p.sources)}\ncite: {', '.join(p.citation_keys())} "
        "(--cite prints the BibTeX entries)",
        highlight=False,
    )


def _atop_notes(p: Any) -> None:
    """Say where ATOP ends and what the extension carries past it."""
    from allyscope.sources.bounds import coverage

    err = clikit.err_console()
    atop_end = coverage("atop_alliance")[1]
    if "atop" in p.addons and p.years[1] > atop_end:
        err.print(
            f"[yellow]note:[/yellow] ATOP ends in {atop_end}: later years are null; "
            "--atop-extended adds the sourced alliance records after it"
        )
    if "atop_extended" in p.addons and p.years[1] > atop_end:
        err.print(
            f"[yellow]note:[/yellow] obligations after {atop_end} are ATOP's carried forward "
            "(atop_source = atop_carried) and the alliance records' (record:<id>)"
        )


def _say_written(p: Any, output: Path) -> None:
    from allyscope.panel import core

    ext = f", states alive in {core.LIST_END[p.system].year} extended to {p.mry}" if p.mry else ""
    clikit.console().print(
        f"[green]wrote[/green] {output} — {p.height:,} {p.unit}s × {len(p.columns)} columns "
        f"({p.system.upper()} {p.years[0]}-{p.years[1]}{ext})"
    )


def _preview(p: Any, n: int = 10) -> None:
    from rich.table import Table

    console = clikit.console()

    cols = p.columns[:12]
    t = Table(title=repr(p), title_justify="left")
    for c in cols:
        t.add_column(c, justify="right")
    for row in p.df.select(cols).head(n).iter_rows():
        t.add_row(
            *("" if v is None else f"{v:.4g}" if isinstance(v, float) else str(v) for v in row)
        )
    console.print(t)
    if len(p.columns) > len(cols):
        console.print(
            f"[dim]… and {len(p.columns) - len(cols)} more columns; -o FILE writes them all[/dim]"
        )
