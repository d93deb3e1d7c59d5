"""Building blocks shared by the ``allyscope`` commands: consoles, options, output, progress.

Every command that shows a table also writes it with ``-o FILE`` (CSV, Parquet or JSON by
extension) and, where it draws, ``--plot FILE`` (a self-contained ``.html`` page, or
``.png`` with the png extra). The checks run before any work (:func:`check_outputs`), so a
bad file name fails at once and nothing is written; files are written atomically.

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

from allyscope.errors import AllyscopeError

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
    con.print(f"[bold red]error:[/bold red] {exc.message}", highlight=False)
    if exc.hint:
        con.print(f"  [dim]→ {exc.hint}[/dim]", highlight=False)


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


def check_output(path: Path | str | None) -> None:
    """Refuse a table file name whose extension is not CSV, Parquet or JSON."""
    if path is not None:
        from allyscope.io import check_table_path

        check_table_path(path, TABLE_OUTPUTS)


def check_plot(path: Path | str | None) -> None:
    """Refuse a plot file name that is not .html or .png."""
    if path is not None:
        from allyscope.io import check_figure_path

        check_figure_path(path)


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
    "MAX_ROWS",
    "TABLE_OUTPUTS",
    "JsonOpt",
    "OutOpt",
    "PlotOpt",
    "busy",
    "check_output",
    "check_outputs",
    "check_plot",
    "console",
    "debug",
    "err_console",
    "fmt",
    "print_json",
    "print_table",
    "progress_bar",
    "report_error",
    "set_debug",
    "split_values",
    "write_output",
    "write_plot",
]
