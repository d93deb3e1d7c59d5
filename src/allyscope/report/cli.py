"""``allyscope report``: write the alliance report for a group of states."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from allyscope import clikit


def report_cmd(
    states: Annotated[
        list[str], typer.Argument(help="Two or more states (ISO3 codes, names or COW codes).")
    ],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Output file (.html, or .pdf).")
    ] = Path("report.html"),
    year_from: Annotated[
        int | None, typer.Option("--from", help="First year (default 1990).")
    ] = None,
    year_to: Annotated[
        int | None, typer.Option("--to", help="Last year (default: the current year).")
    ] = None,
    counter: Annotated[
        list[str] | None,
        typer.Option(
            "--counter",
            help="Counter-group states (repeat or list after the option, e.g. --counter CHN "
            "--counter RUS). Default: CHN RUS PRK for East Asian groups, otherwise the "
            "states least aligned with the group in UN votes.",
        ),
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print a PDF next to the HTML (headless Chromium).")
    ] = False,
) -> None:
    """Write one self-contained, offline HTML report on a group: `allyscope report USA JPN KOR`.

    It opens with how current each input is, answers six questions — institutionalization,
    alignment over time, what the members say at the UN General Debate, the de facto
    alliance score, hub-and-spoke vs lattice and blocs, forecast and scenarios — and lists
    data sources, versions and citations.
    """
    from allyscope.errors import InvalidInputError
    from allyscope.groups import FIRST_YEAR
    from allyscope.report import build_report, resolve_group, write_report

    suffix = output.suffix.lower()
    if suffix not in (".html", ".htm", ".pdf"):
        raise InvalidInputError(
            f"cannot write the report to {str(output)!r}: use a .html or .pdf file name",
            "for example -o report.html",
        )
    clikit.check_destination(output)
    clikit.check_years(year_from, year_to, first=FIRST_YEAR)
    group = resolve_group(states, year_from, year_to, clikit.split_values(counter))
    command = "allyscope report " + shlex.join(sys.argv[2:] if len(sys.argv) > 2 else states)
    with clikit.progress_bar() as bar:
        task = bar.add_task("building report", total=8)

        def progress(name: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"report: {name}")

        report = build_report(group, progress=progress, command=command)
        bar.update(task, description="report: writing")
        written = [write_report(report, output)]
        if pdf and suffix != ".pdf":
            bar.update(task, description="report: printing PDF")
            written.append(write_report(report, output.with_suffix(".pdf"), pdf=True))
    n_fig = sum(len(s.figures) for s in report.sections)
    for path in written:
        clikit.console().print(
            f"[green]wrote[/green] {path} — {group.label}, {group.years[0]}–{group.years[1]}, "
            f"{n_fig} figures",
            highlight=False,
        )
    _print_carried(report)


def _print_carried(report: Any) -> None:
    """Say which inputs the report carries past their data's end (the report's opening
    table lists every input)."""
    from allyscope.views.currency import currency_frame, report_uses

    frame = currency_frame(report_uses(report.sections))
    carried = frame.filter(frame["carried"])
    for r in carried.iter_rows(named=True):
        clikit.err_console().print(
            f"[yellow]note:[/yellow] {r['title']}: data through {r['last_year']}, carried "
            f"forward to {r['shown_through']}",
            highlight=False,
        )


def greedy_args(args: list[str], options: tuple[str, ...] = ("--counter",)) -> list[str]:
    """Let a list option take several values: `--counter CHN RUS PRK` becomes
    `--counter CHN --counter RUS --counter PRK` (values run to the next option)."""
    out: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        out.append(a)
        i += 1
        if a in options:
            first = True
            while i < len(args) and (first or not args[i].startswith("-")):
                if args[i] == "--":
                    break
                if not first:
                    out.append(a)
                out.append(args[i])
                first = False
                i += 1
    return out


class _ReportCommand(TyperCommand):
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, greedy_args(list(args)))


def register(app: typer.Typer) -> None:
    """Attach ``allyscope report``."""
    app.command("report", cls=_ReportCommand)(report_cmd)
