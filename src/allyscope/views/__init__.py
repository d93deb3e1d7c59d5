"""What the report and the web app show: sections, figures and tables built from
:mod:`allyscope.api` results, and their JSON form.

Both outputs render the same :class:`~allyscope.views.sections.Section` objects (the
report as one HTML file, the web app as pages and ``/api/`` payloads), so a figure's data
are the same wherever it appears.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import polars as pl

from allyscope import api
from allyscope.views.figures import Table


def json_default(o: Any) -> Any:
    """JSON for dates (ISO 8601) and numpy scalars and arrays; anything else is an error."""
    if isinstance(o, dt.date | dt.datetime):
        return o.isoformat()
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serializable: {type(o).__name__}")


def dumps(obj: Any) -> str:
    """Compact, strict JSON (no NaN) of a payload."""
    return json.dumps(obj, separators=(",", ":"), allow_nan=False, default=json_default)


def json_script(obj: Any) -> str:
    """JSON safe to place inside a ``<script type="application/json">`` element."""
    from markupsafe import Markup

    text = dumps(obj)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


#: sources every report draws on besides those its sections name
BASE_SOURCES = ("cow_states_v2024", "cow_gw_panel")


def sources_table(used: Sequence[str] | None = None) -> tuple[Table, list[str]]:
    """The data sources (title, version, years, rows, licence, SHA-256) and their citation keys."""
    prov = api.provenance(used).df
    prov = prov.with_columns(
        pl.concat_str(
            [pl.col("year_start").cast(pl.String), pl.col("year_end").cast(pl.String)],
            separator="–",
        ).alias("years"),
        pl.col("sha256").str.slice(0, 12).alias("sha"),
    )
    # citation keys from the installed catalog (a warehouse built by an older release may
    # name keys that have since been renamed)
    keys = api.source_citations(prov["source"].to_list())
    table = Table.from_frame(
        prov.sort("source"),
        columns={
            "source": "Source",
            "title": "Title",
            "version": "Version",
            "years": "Years",
            "rows": "Rows",
            "license": "Licence",
            "sha": "SHA-256 (first 12)",
        },
    )
    return table, keys


__all__ = ["BASE_SOURCES", "dumps", "json_default", "json_script", "sources_table"]
