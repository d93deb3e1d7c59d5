"""The uncertainty band of the institutionalization index.

Two bands per grouping-year (``docs/institutionalization.md``, "Uncertainty"):

* ``index_low``/``index_high``: the index recomputed under ``draws`` seeded perturbations
  of its modelling choices (dimension weights, halves, lapse, persistence, penalties) and
  of the coding the coders disagreed on most (a meeting's bindingness, ``statement`` or
  ``none``); the band is the ``band`` percentiles of the draws, widened to the index
  itself where it lies outside them;
* ``drop_one_low``/``drop_one_high``: the lowest and highest index when any one record
  of the grouping is left out (with the shipped settings), a record-level jackknife:
  how much the number rests on a single coded record.

All draws come from ``institutionalization.uncertainty`` in ``allyscope/settings.yaml``.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Sequence

import numpy as np
import polars as pl

from allyscope.mechanisms.index import _channels, _last_year, _rows_for
from allyscope.mechanisms.loader import RecordSet
from allyscope.mechanisms.schema import Grouping, Record
from allyscope.settings import IndexUncertaintySettings, InstitutionalizationSettings
from allyscope.settings import institutionalization as _default_settings

#: mechanism types whose bindingness is the joint text of a meeting (the field on which
#: the coders disagreed, docs/codebook.md section 9)
MEETING_TYPES: frozenset[str] = frozenset(
    {
        "leaders_summit",
        "foreign_ministerial",
        "defense_ministerial",
        "other_ministerial",
        "nsa_meeting",
        "working_level_dialogue",
    }
)
_FLIP = {"statement": "none", "none": "statement"}

BAND_COLUMNS: tuple[str, ...] = ("index_low", "index_high", "drop_one_low", "drop_one_high")

_CACHE: dict[tuple, dict[int, tuple[float, float, float, float]]] = {}
_LOCK = threading.Lock()


def uncertainty_settings(st: InstitutionalizationSettings) -> IndexUncertaintySettings:
    """The band's settings: those of ``st``, else the shipped file's."""
    u = st.uncertainty or _default_settings().uncertainty
    assert u is not None  # the shipped file has the section
    return u


def perturbed(
    st: InstitutionalizationSettings, u: IndexUncertaintySettings, rng: np.random.Generator
) -> InstitutionalizationSettings:
    """One draw of the index's modelling choices around ``st``."""
    weights = np.array([*(d.weight for d in st.dimensions), st.legal_weight, st.breadth_weight])
    total = float(weights.sum())
    if math.isfinite(u.concentration) and total > 0:
        pos = weights > 0
        shares = np.zeros_like(weights)
        shares[pos] = rng.dirichlet(u.concentration * weights[pos] / total)
        weights = shares * total
    lo, hi = math.log(u.half_factor[0]), math.log(u.half_factor[1])
    factors = np.exp(rng.uniform(lo, hi, size=len(st.dimensions) + 1))
    dims = tuple(
        dataclasses.replace(d, weight=float(w), half=d.half * float(f))
        for d, w, f in zip(st.dimensions, weights, factors, strict=False)
    )
    pen = float(rng.uniform(*u.penalty_factor))
    return dataclasses.replace(
        st,
        dimensions=dims,
        legal_weight=float(weights[-2]),
        breadth_weight=float(weights[-1]),
        breadth_half=st.breadth_half * float(factors[-1]),
        decay=float(rng.uniform(*u.decay)),
        max_lapse=int(rng.integers(u.max_lapse[0], u.max_lapse[1] + 1)),
        negative_persistence=float(rng.uniform(*u.persistence)),
        penalty={k: v * pen for k, v in st.penalty.items()},
    )


def _recoded(recs: Sequence[Record], flip: float, rng: np.random.Generator) -> list[Record]:
    """The records with each meeting's statement/none bindingness read the other way
    with probability ``flip``."""
    draws = rng.random(len(recs))
    return [
        dataclasses.replace(r, bindingness=_FLIP[r.bindingness])
        if r.type in MEETING_TYPES and r.bindingness in _FLIP and d < flip
        else r
        for r, d in zip(recs, draws, strict=True)
    ]


def _indices(
    g: Grouping, recs: Sequence[Record], years: Sequence[int], st: InstitutionalizationSettings
) -> np.ndarray:
    """The index of each year (0 where no record counts)."""
    chans = _channels(recs)
    return np.array(
        [sum(row["contribution"] for row in _rows_for(g, recs, y, st, chans)) for y in years],
        dtype=float,
    )


def grouping_band(
    g: Grouping, recs: Sequence[Record], st: InstitutionalizationSettings
) -> dict[int, tuple[float, float, float, float]]:
    """Per year of the grouping's span: (index_low, index_high, drop_one_low,
    drop_one_high). The random stream depends only on the seed and the grouping id."""
    if not recs:
        return {}
    u = uncertainty_settings(st)
    years = list(range(min(r.year for r in recs), _last_year(g, recs) + 1))
    point = _indices(g, recs, years, st)
    seed = [u.seed, *g.id.encode("utf-8")]
    rng = np.random.default_rng(seed)
    draws = np.empty((u.draws, len(years)))
    for i in range(u.draws):
        sti = perturbed(st, u, rng)
        draws[i] = _indices(g, _recoded(recs, u.bindingness_flip, rng), years, sti)
    low = np.minimum(np.percentile(draws, u.band[0], axis=0), point)
    high = np.maximum(np.percentile(draws, u.band[1], axis=0), point)
    drop_low, drop_high = point.copy(), point.copy()
    for k, r in enumerate(recs):
        if not r.held:  # a promise counts nothing: leaving it out changes nothing
            continue
        v = _indices(g, [*recs[:k], *recs[k + 1 :]], years, st)
        drop_low, drop_high = np.minimum(drop_low, v), np.maximum(drop_high, v)
    return {
        y: (float(low[j]), float(high[j]), float(drop_low[j]), float(drop_high[j]))
        for j, y in enumerate(years)
    }


def band_table(
    rs: RecordSet, groupings: Sequence[Grouping], st: InstitutionalizationSettings
) -> pl.DataFrame:
    """One row per grouping-year of each grouping's span with the four band columns.

    Bands are cached in memory per records, settings and grouping."""
    rows: list[dict[str, object]] = []
    for g in groupings:
        recs = tuple(rs.of(g))
        key = (repr(g), recs, repr(st))
        with _LOCK:
            band = _CACHE.get(key)
        if band is None:
            band = grouping_band(g, recs, st)
            with _LOCK:
                _CACHE[key] = band
        rows.extend(
            {"grouping_id": g.id, "year": y, **dict(zip(BAND_COLUMNS, v, strict=True))}
            for y, v in band.items()
        )
    return pl.DataFrame(
        rows,
        schema={
            "grouping_id": pl.String,
            "year": pl.Int32,
            **dict.fromkeys(BAND_COLUMNS, pl.Float64),
        },
    )


__all__ = ["BAND_COLUMNS", "MEETING_TYPES", "band_table", "grouping_band", "perturbed"]
