"""Building blocks shared by the ``allyscope`` commands: consoles, options, output, progress.

Every command that shows a table also writes it with ``-o FILE`` (CSV, Parquet or JSON by
extension) and, where it draws, ``--plot FILE`` (a self-contained ``.html`` page, or
``.png`` with the png extra). The checks run before any work (:func:`check_outputs`), so a
bad file name -- a wrong extension, an existing directory, a folder that does not exist or
cannot be written -- fails at once and nothing is written; files are written atomically.

Years given on the command line (``--from``, ``--to``, ``--year``) are checked by one
validator, :func:`check_years`, before any work: a year outside what any data describe,
or a window whose first year comes after its last, is one error with the same wording in
every command.

This module is the only place that creates consoles, spinners and progress bars, and it
imports nothing from :mod:`allyscope.cli`. Library code never imports it.
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from allyscope.errors import AllyscopeError, InvalidInputError

if TYPE_CHECKING:
    import polars as pl
    from rich.console import Console
    from rich.progress import Progress

#: table formats of ``-o FILE`` for analysis commands (panels also write .dta and .feather)
TABLE_OUTPUTS = {".csv": "CSV", ".parquet": "Parquet", ".json": "JSON (records)"}
MAX_ROWS = 40

OutOpt = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="Write the table to FILE (.csv, .parquet or .json)."),
]
PlotOpt = Annotated[
    Path | None,
    typer.Option(
        "--plot", help="Write an interactive plot to FILE.html (self-contained) or FILE.png."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

_STATE = {"debug": False}


# -- consoles and errors -------------------------------------------------------------------


@lru_cache(maxsize=1)
def console() -> Console:
    """The console for results (stdout)."""
    from rich.console import Console

    return Console()


@lru_cache(maxsize=1)
def err_console() -> Console:
    """The console for progress, notices and errors (stderr)."""
    from rich.console import Console

    return Console(stderr=True)


def set_debug(on: bool) -> None:
    """Show full tracebacks for errors (``--debug``, ``ALLYSCOPE_DEBUG=1``)."""
    _STATE["debug"] = bool(on)


def debug() -> bool:
    return _STATE["debug"]


def report_error(exc: AllyscopeError) -> None:
    """Print an error the user can act on: one line and its hint, or with ``--debug`` the
    full chained traceback first."""
    con = err_console()
    if debug():
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        con.print(text, highlight=False, markup=False, end="")
    # one line each, however narrow the terminal (soft wrap: the terminal folds it, not us)
    con.print(
        f"[bold red]error:[/bold red] {_escape(exc.message)}", highlight=False, soft_wrap=True
    )
    if exc.hint:
        con.print(f"  [dim]→ {_escape(exc.hint)}[/dim]", highlight=False, soft_wrap=True)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


# -- progress ------------------------------------------------------------------------------


def busy(what: str) -> contextlib.AbstractContextManager[Any]:
    """A spinner on stderr while something slow runs (nothing when not a terminal)."""
    if not sys.stderr.isatty():
        return contextlib.nullcontext()
    return err_console().status(what, spinner="dots")


def progress_bar(*, bytes_: bool = False) -> Progress:
    """A progress bar on stderr (hidden when not a terminal): items done of total, or
    bytes with the time remaining (``bytes_=True``)."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns: list[Any] = [TextColumn("{task.description:<28}"), BarColumn()]
    columns += [DownloadColumn(), TimeRemainingColumn()] if bytes_ else [MofNCompleteColumn()]
    return Progress(
        *columns, console=err_console(), transient=True, disable=not sys.stderr.isatty()
    )


# -- outputs -------------------------------------------------------------------------------


def check_output(path: Path | str | None, formats: dict[str, str] | None = None) -> str | None:
    """Refuse a table file name whose extension is not one of ``formats`` (default CSV,
    Parquet or JSON) or that cannot be written (:func:`check_destination`); return the
    extension."""
    if path is None:
        return None
    from allyscope.io import check_table_path

    ext = check_table_path(path, formats or TABLE_OUTPUTS)
    check_destination(path)
    return ext


def check_plot(path: Path | str | None) -> None:
    """Refuse a plot file name that is not .html or .png, or that cannot be written."""
    if path is not None:
        from allyscope.io import check_figure_path

        check_figure_path(path)
        check_destination(path)


def check_destination(path: Path | str | None) -> None:
    """Refuse an output file that cannot be written: an existing directory, a folder that
    does not exist, a folder without write permission."""
    if path is not None:
        from allyscope.io import check_writable

        check_writable(path)


# -- years ---------------------------------------------------------------------------------

#: the earliest year any allyscope data describe as a year of the state system (COW, 1816)
FIRST_YEAR = 1816


def latest_year() -> int:
    """The latest year a command may be asked about: the year of the settings' as-of date
    (``general.as_of``; the calendar is never read)."""
    from allyscope.settings import as_of

    return as_of().year


def check_years(
    start: int | None = None,
    end: int | None = None,
    *,
    first: int = FIRST_YEAR,
    last: int | None = None,
    flags: tuple[str, str] = ("--from", "--to"),
    unit: str = "year",
) -> None:
    """The one check of years given on the command line: each of ``start`` and ``end``
    (either may be None) must lie in ``first .. last`` (default: 1816 to the as-of year)
    and ``start`` may not come after ``end``. ``flags`` name the options in the message;
    ``unit`` is what the numbers count (``"year"``, ``"session"``)."""
    hi = latest_year() if last is None else last
    for flag, value in zip(flags, (start, end), strict=True):
        if value is not None and not first <= value <= hi:
            raise InvalidInputError(
                f"{flag} {value} is not a possible {unit}: allowed are {first}–{hi}",
                f"give a {unit} between {first} and {hi}",
            )
    if start is not None and end is not None and start > end:
        raise InvalidInputError(
            f"the {unit}s are inverted: {flags[0]} {start} comes after {flags[1]} {end}",
            f"swap them: {flags[0]} {end} {flags[1]} {start}",
        )


def check_year(
    year: int | None,
    *,
    first: int = FIRST_YEAR,
    last: int | None = None,
    flag: str = "--year",
    unit: str = "year",
) -> None:
    """:func:`check_years` for a single year option."""
    check_years(year, None, first=first, last=last, flags=(flag, flag), unit=unit)


def check_outputs(output: Path | str | None = None, plot: Path | str | None = None) -> None:
    """Check ``-o`` and ``--plot`` before any work is done."""
    check_output(output)
    check_plot(plot)


def write_output(df: pl.DataFrame, path: Path | str | None, what: str = "table") -> None:
    """Write ``df`` to ``path`` (if given) atomically and say so on stderr."""
    if path is None:
        return
    from allyscope.io import write_table

    write_table(df, path, TABLE_OUTPUTS)
    err_console().print(f"[green]wrote[/green] {what} ({df.height:,} rows) to {path}")


def write_plot(fig: Any, path: Path | str | None, what: str = "plot") -> None:
    """Write a plotly figure to ``path`` (if given): the one figure writer of every command
    (self-contained HTML or PNG, atomic, checked; :func:`allyscope.io.write_figure`)."""
    if path is None:
        return
    from allyscope.io import write_figure

    write_figure(fig, path)
    err_console().print(f"[green]wrote[/green] {what} to {path}")


def print_json(obj: Any) -> None:
    """Strict JSON on stdout: NaN and infinities become null; dates and paths strings."""
    import json

    print(json.dumps(_finite(obj), indent=2, default=str, allow_nan=False))


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if obj == obj and obj not in (float("inf"), float("-inf")) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def split_values(values: Iterable[str] | None) -> list[str]:
    """Values given as repeated options, comma- or space-separated: ``CHN,RUS PRK``."""
    out: list[str] = []
    for v in values or []:
        out.extend(p for p in v.replace(",", " ").split() if p)
    return out


# -- terminal tables -----------------------------------------------------------------------


def fmt(value: Any, pct: bool = False, digits: int = 3) -> str:
    """A cell for the terminal: a dash for missing, thousands separators, percentages."""
    if value is None or (isinstance(value, float) and value != value):
        return "[dim]–[/dim]"
    if isinstance(value, float):
        if pct:
            return f"{100 * value:.1f}%" if value >= 0.001 else f"{100 * value:.2f}%"
        if value.is_integer() or abs(value) >= 1000:
            return f"{value:,.0f}"
        return f"{value:.{digits}f}"
    return str(value)


def print_table(
    df: pl.DataFrame,
    title: str | None = None,
    *,
    max_rows: int = MAX_ROWS,
    pct_cols: Iterable[str] = (),
    digits: int = 3,
) -> None:
    """Print a polars table with rich, at most ``max_rows`` rows."""
    from rich.table import Table

    pct = set(pct_cols)
    t = Table(title=title, title_justify="left", show_lines=False)
    for c in df.columns:
        t.add_column(c, justify="right" if df[c].dtype.is_numeric() else "left", overflow="fold")
    for row in df.head(max_rows).iter_rows(named=True):
        t.add_row(*[fmt(v, k in pct, digits) for k, v in row.items()])
    con = console()
    con.print(t)
    if df.height > max_rows:
        con.print(f"[dim]… {df.height - max_rows:,} more rows (write them with -o FILE)[/dim]")


__all__ = [
    "FIRST_YEAR",
    "MAX_ROWS",
    "TABLE_OUTPUTS",
    "JsonOpt",
    "OutOpt",
    "PlotOpt",
    "busy",
    "check_destination",
    "check_output",
    "check_outputs",
    "check_plot",
    "check_year",
    "check_years",
    "console",
    "debug",
    "err_console",
    "fmt",
    "latest_year",
    "print_json",
    "print_table",
    "progress_bar",
    "report_error",
    "set_debug",
    "split_values",
    "write_output",
    "write_plot",
]
