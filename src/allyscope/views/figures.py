"""Figures and tables as plain data, shared by the report and the web app.

A :class:`Figure` is a plotly figure (as its JSON dict) with a title, a caption, a short
data table and key numbers, so that the same object renders interactively in a browser,
prints on paper, and is served as JSON by the web API. Figures use a colour-blind-safe
palette (Okabe and Ito) with distinct dash patterns, so lines stay apart in grey print,
system fonts only, and always carry axis titles with units and a legend.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

#: Okabe–Ito colour-blind-safe palette (black last: used for references)
PALETTE = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",
)
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x", "star", "hexagon")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
#: plot width that fits an A4 or US-letter page with the report's margins (CSS px)
PRINT_WIDTH = 700


@dataclass
class Table:
    """A small table: column headers and formatted rows (strings or numbers)."""

    columns: list[str]
    rows: list[list[Any]]
    caption: str = ""
    align: list[str] = field(default_factory=list)

    @classmethod
    def from_frame(
        cls,
        df: pl.DataFrame,
        *,
        columns: dict[str, str] | None = None,
        digits: int | dict[str, int] = 2,
        caption: str = "",
        max_rows: int | None = None,
        links: dict[str, str] | None = None,
    ) -> Table:
        """Format ``df`` (optionally renaming/selecting ``columns``: {name: header});
        ``links={column: url_column}`` makes a column's cells links to http(s) URLs."""
        links = links or {}
        url_cols = {c: df[u].to_list() for c, u in links.items()}
        if columns:
            df = df.select(list(columns))
        headers = [columns[c] for c in df.columns] if columns else list(df.columns)
        if max_rows is not None:
            df = df.head(max_rows)
        rows = []
        numeric = [df[c].dtype.is_numeric() for c in df.columns]
        for i, r in enumerate(df.iter_rows()):
            out = []
            for c, v in zip(df.columns, r, strict=True):
                d = digits.get(c, 2) if isinstance(digits, dict) else digits
                cell = fmt(v, d)
                url = url_cols[c][i] if c in url_cols else None
                if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
                    cell = {"text": cell, "href": url}
                out.append(cell)
            rows.append(out)
        align = ["right" if n else "left" for n in numeric]
        return cls(headers, rows, caption, align)

    def to_dict(self) -> dict[str, Any]:
        return {"columns": self.columns, "rows": self.rows, "caption": self.caption}


@dataclass
class Figure:
    """A plotly figure with everything a reader needs to read it without the plot."""

    id: str
    title: str
    caption: str
    plotly: dict[str, Any]
    table: Table | None = None
    key_numbers: list[tuple[str, str]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "caption": self.caption,
            "figure": self.plotly,
            "table": self.table.to_dict() if self.table else None,
            "key_numbers": [{"label": k, "value": v} for k, v in self.key_numbers],
            "sources": self.sources,
        }


def fmt(v: Any, digits: int = 2) -> Any:
    """Format one cell: floats rounded, missing shown as an en dash."""
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if math.isnan(v):
            return "–"
        return f"{v:,.{digits}f}"
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 10000 else str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def layout(
    title: str,
    *,
    x_title: str = "Year",
    y_title: str = "",
    height: int = 380,
    legend_title: str = "",
    y_range: Sequence[float] | None = None,
    hovermode: str = "x unified",
) -> dict[str, Any]:
    """The common layout: title, axis titles (with units), a legend under the plot."""
    lay: dict[str, Any] = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "font": {"family": FONT, "size": 12, "color": "#222"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "height": height,
        "margin": {"l": 64, "r": 16, "t": 48, "b": 110},
        "hovermode": hovermode,
        "legend": {
            "orientation": "h",
            "x": 0,
            "y": -0.3,
            "yanchor": "top",
            "title": {"text": legend_title},
        },
        "xaxis": {
            "title": {"text": x_title},
            "showgrid": True,
            "gridcolor": "#e5e5e5",
            "linecolor": "#444",
            "ticks": "outside",
            "zeroline": False,
        },
        "yaxis": {
            "title": {"text": y_title},
            "showgrid": True,
            "gridcolor": "#e5e5e5",
            "linecolor": "#444",
            "ticks": "outside",
            "zeroline": False,
        },
    }
    if y_range is not None:
        lay["yaxis"]["range"] = list(y_range)
    return lay


def _clean(values: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if isinstance(v, float) and math.isnan(v):
            out.append(None)
        else:
            out.append(v)
    return out


def line_traces(
    df: pl.DataFrame,
    *,
    x: str,
    y: str,
    series: str,
    labels: dict[Any, str] | None = None,
    hover_unit: str = "",
    digits: int = 2,
    mode: str = "lines+markers",
) -> list[dict[str, Any]]:
    """One line per value of ``series`` (sorted by ``x``), styled for print."""
    traces = []
    keys = df[series].unique(maintain_order=True).to_list()
    for i, key in enumerate(keys):
        part = df.filter(pl.col(series) == key).sort(x)
        name = (labels or {}).get(key, str(key))
        traces.append(
            {
                "type": "scatter",
                "mode": mode,
                "name": name,
                "x": _clean(part[x].to_list()),
                "y": _clean(part[y].to_list()),
                "line": {
                    "color": PALETTE[i % len(PALETTE)],
                    "dash": DASHES[i % len(DASHES)],
                    "width": 2,
                },
                "marker": {"symbol": SYMBOLS[i % len(SYMBOLS)], "size": 5},
                "connectgaps": False,
                "hovertemplate": f"{name}: %{{y:.{digits}f}}{hover_unit}<extra></extra>",
            }
        )
    return traces


def _translucent(color: str, alpha: float = 0.15) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def band_traces(
    df: pl.DataFrame,
    *,
    x: str,
    low: str,
    high: str,
    series: str,
    label: str = "band",
    digits: int = 1,
) -> list[dict[str, Any]]:
    """A shaded band from ``low`` to ``high`` per value of ``series``, in the colour
    :func:`line_traces` gives that series (put these traces before the lines).

    Each band is two traces named "<series> <label> (high)" and "... (low)", the second
    filled up to the first; they stay out of the legend."""
    traces: list[dict[str, Any]] = []
    keys = df[series].unique(maintain_order=True).to_list()
    for i, key in enumerate(keys):
        part = df.filter(pl.col(series) == key).sort(x)
        color = _translucent(PALETTE[i % len(PALETTE)])
        for edge, col in (("high", high), ("low", low)):
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": f"{key} {label} ({edge})",
                    "x": _clean(part[x].to_list()),
                    "y": _clean(part[col].to_list()),
                    "line": {"width": 0, "color": color},
                    "fill": "tonexty" if edge == "low" else "none",
                    "fillcolor": color,
                    "connectgaps": False,
                    "showlegend": False,
                    "hovertemplate": f"{key} {label} {edge}: %{{y:.{digits}f}}<extra></extra>",
                }
            )
    return traces


def bar_traces(
    df: pl.DataFrame,
    *,
    x: str,
    y: str,
    series: str,
    labels: dict[Any, str] | None = None,
    hover_unit: str = "",
    patterns: bool = True,
) -> list[dict[str, Any]]:
    """Grouped bars, one colour (and, for print, pattern) per value of ``series``."""
    shapes = ("", "/", ".", "x", "-", "|", "+", "\\") if patterns else ("",)
    traces = []
    keys = df[series].unique(maintain_order=True).to_list()
    for i, key in enumerate(keys):
        part = df.filter(pl.col(series) == key).sort(x)
        name = (labels or {}).get(key, str(key))
        traces.append(
            {
                "type": "bar",
                "name": name,
                "x": _clean(part[x].to_list()),
                "y": _clean(part[y].to_list()),
                "marker": {
                    "color": PALETTE[i % len(PALETTE)],
                    "pattern": {"shape": shapes[i % len(shapes)]},
                },
                "hovertemplate": f"{name}: %{{y}}{hover_unit}<extra></extra>",
            }
        )
    return traces


def figure(traces: list[dict[str, Any]], lay: dict[str, Any]) -> dict[str, Any]:
    return {"data": traces, "layout": lay}


def empty_note(lay: dict[str, Any], text: str) -> dict[str, Any]:
    """A figure with no data and a centred note (e.g. years outside a source's coverage)."""
    lay = dict(lay)
    lay["annotations"] = [
        {
            "text": text,
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": 0.5,
            "showarrow": False,
            "font": {"size": 13, "color": "#555"},
        }
    ]
    lay["xaxis"] = {**lay.get("xaxis", {}), "visible": False}
    lay["yaxis"] = {**lay.get("yaxis", {}), "visible": False}
    return {"data": [], "layout": lay}


def has_data(fig: dict[str, Any]) -> bool:
    """Whether any trace has at least one non-missing value."""
    for t in fig.get("data", []):
        for key in ("y", "z", "values", "r"):
            vals = t.get(key)
            if vals is not None and any(v is not None for v in vals):
                return True
    return False


__all__ = [
    "DASHES",
    "FONT",
    "PALETTE",
    "PRINT_WIDTH",
    "Figure",
    "Table",
    "bar_traces",
    "empty_note",
    "figure",
    "fmt",
    "has_data",
    "layout",
    "line_traces",
]
