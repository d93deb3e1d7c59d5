"""Plot the institutionalization index with the records behind each change (plotly)."""

from __future__ import annotations

import os
from html import escape

import polars as pl


def index_figure(idx: pl.DataFrame, changes: pl.DataFrame | None = None):
    """A line chart of the index per grouping; hovering a year lists its new records.
    Where ``idx`` has ``index_low`` and ``index_high``, the band is shaded.

    A partial year (coded only up to the end of coverage) is drawn as an open marker and
    labelled as such on hover; years not coded systematically are labelled too."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for (gname,), grp in idx.sort("year").group_by(["grouping"], maintain_order=True):
        gid = grp["grouping_id"][0]
        notes: dict[int, str] = {}
        if changes is not None and changes.height:
            sub = changes.filter(pl.col("grouping_id") == gid)
            for (year,), rows in sub.group_by(["year"], maintain_order=True):
                notes[int(year)] = "<br>".join(
                    f"{escape(r['date'])} {escape(r['title'])}" for r in rows.iter_rows(named=True)
                )
        years = grp["year"].to_list()
        flags = (
            grp["completeness"].to_list() if "completeness" in grp.columns else [None] * len(years)
        )
        label = {
            "partial": "partial year: coded up to the end of coverage<br>",
            "incomplete": "known gaps in the coding<br>",
            "not_systematic": "not coded systematically<br>",
            "not_assessed": "not coded systematically<br>",
        }
        if "index_low" in grp.columns:  # the 5th-95th percentile band, shaded
            fig.add_trace(
                go.Scatter(
                    x=years + years[::-1],
                    y=grp["index_high"].to_list() + grp["index_low"].to_list()[::-1],
                    fill="toself",
                    opacity=0.2,
                    line={"width": 0},
                    name=f"{gname} band",
                    legendgroup=str(gname),
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=years,
                y=grp["institutionalization"].to_list(),
                mode="lines+markers",
                name=str(gname),
                marker={
                    "symbol": ["circle-open" if f == "partial" else "circle" for f in flags],
                    "size": 8,
                },
                customdata=[
                    label.get(f or "", "") + notes.get(int(y), "")
                    for y, f in zip(years, flags, strict=True)
                ],
                legendgroup=str(gname),
                hovertemplate="%{x}: %{y:.1f}<br>%{customdata}<extra>"
                + escape(str(gname))
                + "</extra>",
            )
        )
    fig.update_layout(
        title="Institutionalization index (0-100, net of penalties)",
        xaxis_title="year",
        yaxis_title="index",
        template="plotly_white",
        hovermode="closest",
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def write_html(fig, path: str | os.PathLike[str]) -> None:
    """Write ``fig`` as a self-contained HTML page (or PNG), atomically (see
    :func:`allyscope.io.write_figure`)."""
    from allyscope.io import write_figure

    write_figure(fig, path)
