"""Building blocks shared by the ``allyscope`` commands: options, output checks, tables.

Every command that shows a table also writes it with ``-o FILE`` (CSV, Parquet or JSON by
extension) and, where it draws, ``--plot FILE.html`` (a self-contained page). The checks
run before any work, so a bad file name fails at once and nothing is written.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import typer

from allyscope.errors import InvalidInputError

#: table formats of ``-o FILE`` for analysis commands (panels also write .dta and .feather)
TABLE_OUTPUTS = {".csv": "CSV", ".parquet": "Parquet", ".json": "JSON (records)"}
MAX_ROWS = 40

OutOpt = Annotated[
    Path | None,
    typer.Option("-o", "--output", help="Write the table to FILE (.csv, .parquet or .json)."),
]
PlotOpt = Annotated[
    Path | None,
    typer.Option("--plot", help="Write an interactive plot to FILE.html (self-contained)."),
]


def check_output(path: Path | str | None) -> None:
    """Refuse a table file name whose extension is not CSV, Parquet or JSON."""
    if path is not None:
        from allyscope.io import check_table_path

        check_table_path(path, TABLE_OUTPUTS)


def check_plot(path: Path | str | None) -> None:
    """Refuse a plot file name that is not .html."""
    if path is not None and Path(path).suffix.lower() not in (".html", ".htm"):
        raise InvalidInputError(
            f"cannot write the plot to {str(path)!r}: not an .html file",
            "use --plot FILE.html",
        )


def split_values(values: Iterable[str] | None) -> list[str]:
    """Values given as repeated options, comma- or space-separated: ``CHN,RUS PRK``."""
    out: list[str] = []
    for v in values or []:
        out.extend(p for p in v.replace(",", " ").split() if p)
    return out


def busy(what: str) -> contextlib.AbstractContextManager[Any]:
    """A spinner on stderr while something slow runs (nothing when not a terminal)."""
    from allyscope.cli import err_console

    if not sys.stderr.isatty():
        return contextlib.nullcontext()
    return err_console.status(what)


def progress_bar() -> Any:
    """A rich progress bar on stderr (hidden when not a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from allyscope.cli import err_console

    return Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
        disable=not sys.stderr.isatty(),
    )


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
    df: Any,
    title: str | None = None,
    *,
    max_rows: int = MAX_ROWS,
    pct_cols: Iterable[str] = (),
    digits: int = 3,
) -> None:
    """Print a polars table with rich, at most ``max_rows`` rows."""
    from rich.table import Table

    from allyscope.cli import console

    pct = set(pct_cols)
    t = Table(title=title, title_justify="left", show_lines=False)
    for c in df.columns:
        t.add_column(c, justify="right" if df[c].dtype.is_numeric() else "left", overflow="fold")
    for row in df.head(max_rows).iter_rows(named=True):
        t.add_row(*[fmt(v, k in pct, digits) for k, v in row.items()])
    console.print(t)
    if df.height > max_rows:
        console.print(f"[dim]… {df.height - max_rows:,} more rows (write them with -o FILE)[/dim]")
