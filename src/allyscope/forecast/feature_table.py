"""Dyad features for alliance forecasts, each computed from one *information year*.

``features(first, last)`` returns one row per non-directed COW dyad (``ccode1 < ccode2``)
and information year ``s`` in ``first..last`` in which both states are in the system,
with the features listed in :data:`FEATURES`. Every feature of year ``s`` is a function
of data dated ``s`` or earlier only (windows and trends look back, never forward); the
training table pairs the features of year ``t - 1`` with the outcome of year ``t``, and a
forecast from origin year ``Y`` uses the features of year ``Y``. ``tests/test_forecast.py``
proves it: it perturbs every warehouse row dated ``t`` or later and checks that the
features of year ``t - 1`` do not change.

Years after a source's coverage: a slowly moving *state* (ATOP alliance status, UN
affinity, capabilities, democracy, IGO ties, contiguity, distance, rivalries) is carried
forward from the source's last year. An *event* feature (disputes, leader transitions,
exercises) takes the dyad's mean over the source's last five years (for example
exercises after 2010 are the dyad's yearly average of 2006-2010): a typical recent year,
not a claim about the year itself. Treating them as missing instead would tie them to the
few training years after the source ends, whose low onset rate would then pose as the
effect of "no data". :func:`carried_forward` lists what each year gets. Before a source
starts, and for states a source does not cover, features are null: the models treat them
as missing (an indicator plus mean imputation in the logit, native missing-value splits in
the boosted trees).

Network features (shared defense allies, common rivals, common dispute opponents) are
counts of third states, computed for all dyads at once with a sparse matrix product per
year-stacked adjacency matrix: ``(A @ A)[i, j]`` is the number of states ``k`` linked to
both ``i`` and ``j``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import polars as pl

from allyscope.errors import InvalidInputError
from allyscope.forecast.outcome import ATOP_FIRST, ATOP_LAST, DATE_RULE, OUTCOME_LAST, check_outcome
from allyscope.panel.core import LIST_END
from allyscope.sources.bounds import coverage

#: the first information year the features are built for (outcome year 1946)
FIRST_INFO_YEAR = 1945
KEYS = ["ccode1", "ccode2", "year"]
US = 2


@dataclass(frozen=True)
class Feature:
    """One model input: its name, driver group, sources, coverage and carry-forward rule."""

    name: str
    group: str
    sources: tuple[str, ...]
    coverage: tuple[int, int]
    #: after the coverage: "last" (carry the last year's value) or "recent" (the mean of
    #: the last five covered years, for event data)
    carry: str
    definition: str
    #: "defense" or "any" for features that exist per outcome; None for shared ones
    outcome: str | None = None


def _f(
    name: str,
    group: str,
    sources: Sequence[str],
    coverage: tuple[int, int],
    carry: bool,
    definition: str,
    outcome: str | None = None,
) -> Feature:
    return Feature(
        name, group, tuple(sources), coverage, "last" if carry else "recent", definition, outcome
    )


#: years averaged for event features after their source ends
RECENT_YEARS = 5


def _full_years(name: str) -> tuple[int, int]:
    """An input's years, without a last year its data cover only in part."""
    from allyscope.sources.bounds import data_through

    first, last = coverage(name)
    end = data_through(name)
    return (first, last if (end.month, end.day) == (12, 31) else last - 1)


_ATOP = ("atop_alliance", "alliance_records")
#: alliance status: ATOP to its end, then the sourced records (ATOP dyads carried forward)
_ATOP_COV = (ATOP_FIRST, OUTCOME_LAST)
_TSS_COV = (1816, coverage("tss_rivalries")[1])  # rivalry-years from the first state-years
#: a five-year window needs five covered years
_MID5_COV = (coverage("cow_mid_ddydisps")[0] + 4, coverage("cow_mid_ddydisps")[1])

FEATURES: tuple[Feature, ...] = (
    # -- alliance history and network -------------------------------------------------
    _f(
        "atop_def_prior",
        "alliance history",
        _ATOP,
        _ATOP_COV,
        True,
        "1 if the dyad had an ATOP defense pact in some earlier year (since 1815)",
        "defense",
    ),
    _f(
        "atop_def_years_unallied_log",
        "alliance history",
        _ATOP,
        _ATOP_COV,
        True,
        "log of the years since the dyad's last defense pact ended, or since both states "
        "were first in the system (duration dependence of the hazard)",
        "defense",
    ),
    _f(
        "atop_other_obligation",
        "other ATOP obligation",
        _ATOP,
        _ATOP_COV,
        True,
        "1 if the dyad holds an ATOP offense, neutrality, non-aggression or consultation "
        "obligation but no defense pact",
        "defense",
    ),
    _f(
        "atop_any_prior",
        "alliance history",
        _ATOP,
        _ATOP_COV,
        True,
        "1 if the dyad held any ATOP obligation in some earlier year",
        "any",
    ),
    _f(
        "atop_any_years_unallied_log",
        "alliance history",
        _ATOP,
        _ATOP_COV,
        True,
        "log of the years since the dyad's last ATOP obligation ended, or since both states "
        "were first in the system",
        "any",
    ),
    _f(
        "atop_shared_allies_log",
        "shared allies",
        _ATOP,
        _ATOP_COV,
        True,
        "log(1 + number of third states with a defense pact with both states): triadic closure",
    ),
    _f(
        "atop_partners_max_log",
        "alliance portfolio",
        _ATOP,
        _ATOP_COV,
        True,
        "log(1 + number of defense partners) of the side with more partners",
    ),
    _f(
        "atop_partners_min_log",
        "alliance portfolio",
        _ATOP,
        _ATOP_COV,
        True,
        "log(1 + number of defense partners) of the side with fewer partners",
    ),
    # -- threats ---------------------------------------------------------------------
    _f(
        "tss_rivalry",
        "rivalry between them",
        ("tss_rivalries",),
        _TSS_COV,
        True,
        "1 if the two states are strategic rivals (Thompson, Sakuwa and Suhas 2022)",
    ),
    _f(
        "tss_common_rivals_log",
        "common rivals",
        ("tss_rivalries",),
        _TSS_COV,
        True,
        "log(1 + number of third states that are strategic rivals of both states)",
    ),
    _f(
        "cow_mid_5y",
        "disputes between them",
        ("cow_mid_ddydisps",),
        _MID5_COV,
        False,
        "1 if the two states were on opposite sides of a militarized dispute (COW MID) in "
        "the five years up to and including the information year",
    ),
    _f(
        "cow_mid_common_opponents_log",
        "shared threats",
        ("cow_mid_ddydisps",),
        _MID5_COV,
        False,
        "log(1 + number of third states with which each of the two states had a militarized "
        "dispute in the last five years)",
    ),
    # -- power -----------------------------------------------------------------------
    _f(
        "nmc_cinc_max_log",
        "capabilities",
        ("cow_nmc",),
        coverage("cow_nmc"),
        True,
        "log CINC (composite index of national capability) of the stronger side",
    ),
    _f(
        "nmc_cinc_ratio_log",
        "capabilities",
        ("cow_nmc",),
        coverage("cow_nmc"),
        True,
        "log of the stronger side's CINC over the weaker side's (capability asymmetry)",
    ),
    _f(
        "cow_majpow_n",
        "major powers",
        ("cow_majors",),
        coverage("cow_majors"),
        True,
        "number of COW major powers in the dyad (0, 1, 2)",
    ),
    # -- geography -------------------------------------------------------------------
    _f(
        "cow_contig_land",
        "contiguity",
        ("cow_contdir",),
        coverage("cow_contdir"),
        True,
        "1 if the states share a land or river border (COW direct contiguity type 1)",
    ),
    _f(
        "cow_contig_sea",
        "contiguity",
        ("cow_contdir",),
        coverage("cow_contdir"),
        True,
        "1 if the states are separated by at most 400 miles of water (types 2-5)",
    ),
    _f(
        "cshapes_mindist_log",
        "distance",
        ("cow_mindist",),
        coverage("cow_mindist"),
        True,
        "log(1 + minimum distance between the territories in km), CShapes 2.0",
    ),
    _f(
        "capdist_log",
        "distance",
        ("cow_capitals",),
        coverage("state_system"),
        True,
        "log(1 + great-circle distance between the capitals in km)",
    ),
    # -- regimes ---------------------------------------------------------------------
    _f(
        "vdem_polyarchy_min",
        "democracy",
        ("cow_democracy_isard",),
        coverage("vdem"),
        True,
        "V-Dem electoral democracy index of the less democratic side (weak link)",
    ),
    _f(
        "vdem_polyarchy_absdiff",
        "regime difference",
        ("cow_democracy_isard",),
        coverage("vdem"),
        True,
        "absolute difference of the two sides' V-Dem electoral democracy indices",
    ),
    _f(
        "archigos_transitions",
        "leader transitions",
        ("archigossums", "reign_leaders"),
        _full_years("leaders"),
        False,
        "number of the two states whose effective leader changed during the year (0-2): "
        "Archigos, then REIGN",
    ),
    # -- institutions and ties -------------------------------------------------------
    _f(
        "cow_igo_joint_log",
        "IGO ties",
        ("cow_igo_ndy",),
        coverage("cow_igo_ndy"),
        True,
        "log(1 + number of IGOs in which both states are full members)",
    ),
    _f(
        "mme_joint_exercises_log",
        "joint exercises",
        ("mme_exercises",),
        coverage("mme_exercises"),
        False,
        "log(1 + number of multinational military exercises both states took part in "
        "during the year), MME v7",
    ),
    _f(
        "us_dyad",
        "US presence",
        ("us_troops",),
        coverage("state_system"),
        True,
        "1 if one side is the United States",
    ),
    _f(
        "us_troops_partner_log",
        "US presence",
        ("us_troops",),
        coverage("troops"),
        True,
        "dyads with the United States: log(1 + US troops stationed in the partner); 0 "
        "for other dyads",
    ),
    _f(
        "us_troops_both_log",
        "US presence",
        ("us_troops",),
        coverage("troops"),
        True,
        "dyads without the United States: log(1 + US troops in the side hosting fewer); 0 "
        "for dyads with the United States (US troops in both states: hub-and-spoke ties)",
    ),
)

#: durations: computed from the alliance history in every year (they keep counting after
#: the last ATOP year, when no pact is assumed to have formed), never carried
DURATIONS = ("atop_def_years_unallied_log", "atop_any_years_unallied_log")

#: raw status columns kept beside the features (not model inputs)
STATUS_COLUMNS = ("atop_defense", "atop_any")


def feature_map() -> dict[str, Feature]:
    return {f.name: f for f in _all_features()}


def _all_features() -> tuple[Feature, ...]:
    return FEATURES + _extra_features()


def _extra_features() -> tuple[Feature, ...]:
    from allyscope.forecast.theory import theory_features

    return _UN_FEATURES + theory_features()


def feature_names(outcome: str = "defense") -> list[str]:
    """The model inputs for ``outcome`` in a fixed order."""
    outcome = check_outcome(outcome)
    return [f.name for f in _all_features() if f.outcome in (None, outcome)]


def last_input_year() -> int:
    """The last year any feature source covers: the latest possible forecast origin."""
    return max(f.coverage[1] for f in _all_features())


# -- UN voting ---------------------------------------------------------------------------

_UN_SOURCES = ("un_votes", "un_roll_calls", "undl_votes")


def _un_years() -> tuple[int, int]:
    """Years of recorded UN votes (unvotes, then the UN Digital Library)."""
    from allyscope.un.data import FIRST_YEAR, LAST_YEAR

    return (FIRST_YEAR, LAST_YEAR)


_UN_COV = _un_years()
_UN_COV_5Y = (_UN_COV[0] + 5, _UN_COV[1])
_UN_FEATURES: tuple[Feature, ...] = (
    _f(
        "un_kappa",
        "UN voting affinity",
        _UN_SOURCES,
        _UN_COV,
        True,
        "Cohen's kappa of the two states' UN General Assembly votes that year (Häge 2011; "
        "agreement corrected for chance, allyscope.un)",
    ),
    _f(
        "un_kappa_change_5y",
        "UN voting affinity",
        _UN_SOURCES,
        _UN_COV_5Y,
        True,
        "UN kappa minus its value five years earlier (converging or drifting apart)",
    ),
    _f(
        "un_idealpoint_distance",
        "UN ideal points",
        _UN_SOURCES,
        _UN_COV,
        True,
        "absolute distance between the two states' UN positions of that year, each year "
        "scaled from that year's votes alone (first principal component, unit SD, US "
        "positive; see yearly_ideal_points)",
    ),
    _f(
        "un_idealpoint_distance_change_5y",
        "UN ideal points",
        _UN_SOURCES,
        _UN_COV_5Y,
        True,
        "ideal-point distance minus its value five years earlier",
    ),
)
#: UN-voting level inputs and their five-year change inputs (scenarios move them together)
UN_LEVELS: dict[str, str] = {
    "un_kappa": "un_kappa_change_5y",
    "un_idealpoint_distance": "un_idealpoint_distance_change_5y",
}
#: which end of each UN input means less affinity
UN_WORSE: dict[str, str] = {"un_kappa": "min", "un_idealpoint_distance": "max"}


def yearly_ideal_points(first: int, last: int) -> pl.DataFrame:
    """UN positions estimated year by year: ``ccode, year, un_idealpoint_yearly``.

    allyscope.un's dynamic ideal points smooth every state's path over all years with a
    random walk, so a year's estimate also reflects later votes: as a forecasting input
    that would leak the future. Here each year is scaled on its own: the first principal
    component of that year's country x roll-call matrix (yes 1, abstain 0, no -1, centred
    per roll call over the states that voted, absences 0; unanimous roll calls left out),
    scaled to unit standard deviation with the United States positive -- the classical
    one-dimensional scaling of UN votes, and the starting values of allyscope.un's
    probit. No later vote enters a year's positions. Cached per data version.
    """
    from allyscope.store import cached_table

    lo, hi = max(first, _UN_COV[0]), min(last, _UN_COV[1])
    return cached_table(
        "forecast_un_idealpoints_yearly",
        {"first": lo, "last": hi},
        lambda: _yearly_positions(lo, hi),
    )


def _yearly_positions(first: int, last: int) -> pl.DataFrame:
    from allyscope.un.data import load

    votes = load().votes.filter(pl.col("year").is_between(first, last))
    parts = [
        pl.DataFrame(
            schema={"ccode": pl.Int32, "year": pl.Int32, "un_idealpoint_yearly": pl.Float64}
        )
    ]
    for (year,), v in votes.group_by("year", maintain_order=True):  # one matrix per year
        cc, ci = np.unique(v["ccode"].to_numpy(), return_inverse=True)
        rc, ri = np.unique(v["rcid"].to_numpy(), return_inverse=True)
        score = 2.0 - v["vote"].to_numpy().astype(np.float64)  # yes 1, abstain 0, no -1
        m = np.zeros((cc.size, rc.size))
        obs = np.zeros((cc.size, rc.size), dtype=bool)
        m[ci, ri] = score
        obs[ci, ri] = True
        n = obs.sum(axis=0)
        mean = m.sum(axis=0) / np.maximum(n, 1)
        contested = ((np.where(obs, m, mean) != mean).any(axis=0)) & (n > 1)
        if contested.sum() == 0 or cc.size < 3:
            continue
        z = np.where(obs, m - mean, 0.0)[:, contested]
        u, sv, _ = np.linalg.svd(z, full_matrices=False)
        x = u[:, 0] * sv[0]
        x = (x - x.mean()) / (x.std() or 1.0)
        us = np.searchsorted(cc, US)
        if us < cc.size and cc[us] == US and x[us] < 0:
            x = -x
        parts.append(
            pl.DataFrame(
                {
                    "ccode": pl.Series(cc, dtype=pl.Int32),
                    "year": pl.Series(np.full(cc.size, int(year)), dtype=pl.Int32),
                    "un_idealpoint_yearly": x,
                }
            )
        )
    return pl.concat(parts).sort("ccode", "year")


# -- building ------------------------------------------------------------------------------


def _log1p(col: str | pl.Expr) -> pl.Expr:
    e = pl.col(col) if isinstance(col, str) else col
    return e.cast(pl.Float64).log1p()


def _int(value: object) -> int:
    """A polars aggregate of an integer column as a Python int."""
    return int(cast("int", value))


def common_neighbours(edges: pl.DataFrame, pairs: pl.DataFrame) -> np.ndarray:
    """For each row ``(ccode1, ccode2, year)`` of ``pairs``, the number of states linked to
    both in the same year in ``edges`` (``a, b, year``; undirected, any order, duplicates
    ignored). One sparse product of the year-stacked adjacency matrix."""
    from scipy import sparse

    if pairs.height == 0:
        return np.zeros(0)
    if edges.height == 0:
        return np.zeros(pairs.height)
    y0 = min(_int(edges["year"].min()), _int(pairs["year"].min()))
    y1 = max(_int(edges["year"].max()), _int(pairs["year"].max()))
    n = (y1 - y0 + 1) * 1000
    e = (
        edges.select(
            pl.min_horizontal("a", "b").alias("a"), pl.max_horizontal("a", "b").alias("b"), "year"
        )
        .filter(pl.col("a") != pl.col("b"))
        .unique()
    )
    off = (e["year"].to_numpy().astype(np.int64) - y0) * 1000
    ia = off + e["a"].to_numpy().astype(np.int64)
    ib = off + e["b"].to_numpy().astype(np.int64)
    rows = np.concatenate([ia, ib])
    cols = np.concatenate([ib, ia])
    adj = sparse.csr_matrix((np.ones(rows.size, dtype=np.float64), (rows, cols)), shape=(n, n))
    prod = (adj @ adj).tocsr()
    poff = (pairs["year"].to_numpy().astype(np.int64) - y0) * 1000
    pi = poff + pairs["ccode1"].to_numpy().astype(np.int64)
    pj = poff + pairs["ccode2"].to_numpy().astype(np.int64)
    return np.asarray(prod[pi, pj]).ravel()


def _degree(edges: pl.DataFrame) -> pl.DataFrame:
    """Number of distinct partners per state-year: ``ccode, year, n``."""
    e = edges.select(
        pl.min_horizontal("a", "b").alias("a"), pl.max_horizontal("a", "b").alias("b"), "year"
    ).unique()
    both = pl.concat(
        [e.select(pl.col("a").alias("ccode"), "year"), e.select(pl.col("b").alias("ccode"), "year")]
    )
    return both.group_by("ccode", "year").agg(pl.len().cast(pl.Int32).alias("n"))


def _carry(df: pl.DataFrame, cols: Sequence[str], last_year: int) -> pl.DataFrame:
    """Rows after ``last_year`` take the dyad's value of ``last_year`` for ``cols``."""
    cols = [c for c in cols if c in df.columns]
    if not cols or df["year"].max() <= last_year:  # type: ignore[operator]
        return df
    anchor = df.filter(pl.col("year") == last_year).select(
        "ccode1", "ccode2", *(pl.col(c).alias(f"__cf_{c}") for c in cols)
    )
    out = df.join(anchor, on=["ccode1", "ccode2"], how="left", maintain_order="left")
    late = pl.col("year") > last_year
    return out.with_columns(
        pl.when(late).then(pl.col(f"__cf_{c}")).otherwise(pl.col(c)).alias(c) for c in cols
    ).drop([f"__cf_{c}" for c in cols])


def _carry_recent(df: pl.DataFrame, cols: Sequence[str], last_year: int) -> pl.DataFrame:
    """Rows after ``last_year`` take the dyad's mean of ``cols`` over the last
    :data:`RECENT_YEARS` covered years (null if the dyad has none of them)."""
    cols = [c for c in cols if c in df.columns]
    if not cols or df["year"].max() <= last_year:  # type: ignore[operator]
        return df
    anchor = (
        df.filter(pl.col("year").is_between(last_year - RECENT_YEARS + 1, last_year))
        .group_by("ccode1", "ccode2")
        .agg(pl.col(c).cast(pl.Float64).mean().alias(f"__cf_{c}") for c in cols)
    )
    out = df.with_columns(pl.col(c).cast(pl.Float64) for c in cols).join(
        anchor, on=["ccode1", "ccode2"], how="left", maintain_order="left"
    )
    late = pl.col("year") > last_year
    return out.with_columns(
        pl.when(late).then(pl.col(f"__cf_{c}")).otherwise(pl.col(c)).alias(c) for c in cols
    ).drop([f"__cf_{c}" for c in cols])


def _null_outside(df: pl.DataFrame, cols: Sequence[str], cov: tuple[int, int]) -> pl.DataFrame:
    inside = pl.col("year").is_between(cov[0], cov[1])
    return df.with_columns(
        pl.when(inside).then(pl.col(c)).otherwise(None).alias(c) for c in cols if c in df.columns
    )


def _alliance_history(panel: pl.DataFrame) -> pl.DataFrame:
    """Prior-pact indicators and years unallied, per outcome, from ATOP since 1816."""
    from allyscope.forecast.outcome import alliance_years

    hist = alliance_years(1816, OUTCOME_LAST)
    first = hist.group_by("ccode1", "ccode2").agg(pl.col("year").min().alias("__first"))
    work = panel.select(KEYS).with_row_index("__row").sort("year")
    out = work.join(first, on=["ccode1", "ccode2"], how="left")
    for kind, col in (("def", "atop_defense"), ("any", "atop_any")):
        ev = (
            hist.filter(pl.col(col) == 1)
            .select("ccode1", "ccode2", "year", pl.col("year").alias(f"__last_{kind}"))
            .sort("year")
        )
        out = out.join_asof(
            ev, on="year", by=["ccode1", "ccode2"], strategy="backward", check_sortedness=False
        )
        last = pl.col(f"__last_{kind}")
        # status of the information year itself is a separate column; "prior" and the
        # duration look at the spell that ended before the current unallied spell
        years = (
            pl.when(last.is_not_null())
            .then(pl.col("year") - last)
            .otherwise(pl.col("year") - pl.coalesce("__first", "year") + 1)
        )
        out = out.with_columns(
            last.is_not_null().cast(pl.Int8).alias(f"atop_{kind}_prior"),
            pl.when(years > 0)
            .then(years.cast(pl.Float64).log())
            .otherwise(0.0)
            .alias(f"atop_{kind}_years_unallied_log"),
            years.alias(f"atop_{kind}_years_unallied"),
        )
    cols = [
        f"atop_{k}_{c}"
        for k in ("def", "any")
        for c in ("prior", "years_unallied_log", "years_unallied")
    ]
    return out.sort("__row").select(cols)


def _network(panel: pl.DataFrame, years: tuple[int, int]) -> pl.DataFrame:
    """Shared defense allies, defense partners, common rivals and dispute opponents."""
    p = panel
    pairs = p.select(KEYS)
    # defense pacts (status of each year, ATOP years only)
    d_edges = p.filter(pl.col("atop_defense") == 1).select(
        pl.col("ccode1").alias("a"), pl.col("ccode2").alias("b"), "year"
    )
    shared = common_neighbours(d_edges, pairs)
    deg = _degree(d_edges)
    r_edges = p.filter(pl.col("tss_rivalry") == 1).select(
        pl.col("ccode1").alias("a"), pl.col("ccode2").alias("b"), "year"
    )
    rivals = common_neighbours(r_edges, pairs)
    # disputes ongoing in any of the five years up to s (s - 4 .. s)
    m = p.filter(pl.col("cow_mid_ongoing") == 1).select(
        pl.col("ccode1").alias("a"), pl.col("ccode2").alias("b"), pl.col("year").alias("y")
    )
    m5 = (
        m.with_columns(pl.int_ranges("y", pl.col("y") + 5, dtype=pl.Int32).alias("year"))
        .explode("year")
        .select("a", "b", "year")
        .unique()
    )
    opponents = common_neighbours(m5, pairs)
    dyad_mid = m5.select(
        pl.col("a").alias("ccode1"),
        pl.col("b").alias("ccode2"),
        "year",
        pl.lit(1, pl.Int8).alias("__m"),
    )
    out = pairs.with_columns(
        pl.Series("__shared", shared), pl.Series("__rivals", rivals), pl.Series("__opp", opponents)
    )
    for side in (1, 2):
        out = out.join(
            deg.rename({"ccode": f"ccode{side}", "n": f"__deg{side}"}),
            on=[f"ccode{side}", "year"],
            how="left",
            maintain_order="left",
        )
    out = out.join(dyad_mid, on=KEYS, how="left", maintain_order="left")
    d1, d2 = pl.col("__deg1").fill_null(0), pl.col("__deg2").fill_null(0)
    out = out.select(
        *KEYS,
        _log1p("__shared").alias("atop_shared_allies_log"),
        _log1p(pl.max_horizontal(d1, d2)).alias("atop_partners_max_log"),
        _log1p(pl.min_horizontal(d1, d2)).alias("atop_partners_min_log"),
        _log1p("__rivals").alias("tss_common_rivals_log"),
        pl.col("__m").fill_null(0).alias("cow_mid_5y"),
        _log1p("__opp").alias("cow_mid_common_opponents_log"),
    )
    out = _null_outside(
        out, ["atop_shared_allies_log", "atop_partners_max_log", "atop_partners_min_log"], _ATOP_COV
    )
    out = _null_outside(out, ["tss_common_rivals_log"], _TSS_COV)
    # a five-year window needs five covered years (COW MIDs start in 1816)
    out = _null_outside(out, ["cow_mid_5y", "cow_mid_common_opponents_log"], _MID5_COV)
    return out.drop(KEYS)


_ADDONS = (
    "nmc",
    "contiguity",
    "mindist",
    "capdist",
    "igo",
    "tss_rivalries",
    "cow_mids",
    "majors",
    "democracy",
    "leaders",
    "us_troops",
    "mme",
    "un_affinity",
    "voeten_idealpoint",
)


def _check_years(first: int, last: int) -> None:
    top = last_input_year()
    if first < FIRST_INFO_YEAR or last > top or first > last:
        raise InvalidInputError(
            f"feature years {first}-{last} are outside {FIRST_INFO_YEAR}-{top}",
            f"information years run from {FIRST_INFO_YEAR} to {top}, the last year any input "
            "source covers",
        )


def compute_features(first: int, last: int) -> pl.DataFrame:
    """Build the feature table for information years ``first..last`` (uncached)."""
    from allyscope.forecast.theory import add_theory
    from allyscope.panel.core import dyad_years

    _check_years(first, last)
    feats = _all_features()
    carried_ends = sorted(
        {f.coverage[1] - RECENT_YEARS for f in feats if _carried(f) and f.coverage[1] < last}
    )
    lo = min([first - 5, *carried_ends])
    end = LIST_END["cow"].year
    mry = last if last > end else False
    p = (
        dyad_years("cow", years=(lo, last), mry=mry)
        .add_many(_ADDONS)
        .add("atop_extended", dates=DATE_RULE)
        .df
    )
    # US troops: the add-on gives 0 for any state-year the deployment data do not list;
    # before 1950 the registry sets them to null
    c1, c2 = pl.col("nmc_cinc1"), pl.col("nmc_cinc2")
    tiny = 1e-6  # CINC of 0 (microstates) would make the logs infinite
    cmax = pl.max_horizontal(c1, c2) + tiny
    cmin = pl.min_horizontal(c1, c2) + tiny
    is_us = (pl.col("ccode1") == US) | (pl.col("ccode2") == US)
    t1, t2 = pl.col("us_troops1"), pl.col("us_troops2")
    base = p.select(
        *KEYS,
        pl.col("atop_defense").cast(pl.Int8),
        pl.col("atop_any").cast(pl.Int8),
        ((pl.col("atop_any") == 1) & (pl.col("atop_defense") == 0))
        .cast(pl.Int8)
        .alias("atop_other_obligation"),
        pl.col("tss_rivalry").cast(pl.Int8),
        pl.when(c1.is_not_null() & c2.is_not_null()).then(cmax.log()).alias("nmc_cinc_max_log"),
        pl.when(c1.is_not_null() & c2.is_not_null())
        .then(cmax.log() - cmin.log())
        .alias("nmc_cinc_ratio_log"),
        (pl.col("cow_majpow1") + pl.col("cow_majpow2")).cast(pl.Int8).alias("cow_majpow_n"),
        (pl.col("cow_conttype") == 1).cast(pl.Int8).alias("cow_contig_land"),
        pl.col("cow_conttype").is_between(2, 5).cast(pl.Int8).alias("cow_contig_sea"),
        _log1p("cshapes_mindist").alias("cshapes_mindist_log"),
        _log1p("capdist").alias("capdist_log"),
        pl.col("v2x_polyarchy_min").alias("vdem_polyarchy_min"),
        (pl.col("v2x_polyarchy1") - pl.col("v2x_polyarchy2")).abs().alias("vdem_polyarchy_absdiff"),
        (pl.col("leaders_transition1") + pl.col("leaders_transition2"))
        .cast(pl.Int8)
        .alias("archigos_transitions"),
        _log1p("cow_igo_joint").alias("cow_igo_joint_log"),
        _log1p("mme_joint_exercises").alias("mme_joint_exercises_log"),
        is_us.cast(pl.Int8).alias("us_dyad"),
        pl.when(is_us)
        .then(_log1p("us_troops_partner"))
        .otherwise(pl.when(t1.is_not_null() & t2.is_not_null()).then(0.0))
        .alias("us_troops_partner_log"),
        pl.when(is_us)
        .then(pl.when(t1.is_not_null() & t2.is_not_null()).then(0.0))
        .otherwise(_log1p(pl.min_horizontal(t1, t2)))
        .alias("us_troops_both_log"),
        pl.col("cow_mid_ongoing"),
    )
    # alliance status runs to the last year of the alliance records: network features
    # and the alliance history are computed from it in every year
    net = _network(base, (lo, last))
    hist = _alliance_history(base)
    df = pl.concat([base.drop("cow_mid_ongoing"), net, hist], how="horizontal")
    df = _add_extra(df, p.select(*KEYS, "un_kappa"), lo, last)
    df = add_theory(df, p)
    # carry slowly moving states forward past their sources' last year; event features
    # take the dyad's mean over the last five covered years
    by_end: dict[tuple[int, str], list[str]] = {}
    for f in feats:
        if _carried(f) and f.coverage[1] < last:
            by_end.setdefault((f.coverage[1], f.carry), []).append(f.name)
    by_end.setdefault((OUTCOME_LAST, "last"), []).extend(["atop_defense", "atop_any"])
    for (end, mode), cols in sorted(by_end.items()):
        df = _carry(df, cols, end) if mode == "last" else _carry_recent(df, cols, end)
    # durations need no carrying: they are computed from the alliance history in every year
    # the US dyad indicator is defined in every year
    df = df.with_columns(
        ((pl.col("ccode1") == US) | (pl.col("ccode2") == US)).cast(pl.Int8).alias("us_dyad")
    )
    names = [f.name for f in feats]
    return (
        df.filter(pl.col("year").is_between(first, last))
        .select(
            *KEYS, *STATUS_COLUMNS, *(f"atop_{k}_years_unallied" for k in ("def", "any")), *names
        )
        .sort(KEYS)
    )


def _carried(f: Feature) -> bool:
    return f.name not in DURATIONS


def _add_extra(df: pl.DataFrame, un: pl.DataFrame, lo: int, last: int) -> pl.DataFrame:
    """UN voting inputs: kappa and the yearly ideal-point distance, with 5-year changes."""
    ip = yearly_ideal_points(lo, last)
    x = un.select(*KEYS, pl.col("un_kappa").cast(pl.Float64))
    for side in (1, 2):
        x = x.join(
            ip.rename({"ccode": f"ccode{side}", "un_idealpoint_yearly": f"__x{side}"}),
            on=[f"ccode{side}", "year"],
            how="left",
            maintain_order="left",
        )
    x = x.with_columns((pl.col("__x1") - pl.col("__x2")).abs().alias("un_idealpoint_distance"))
    levels = ["un_kappa", "un_idealpoint_distance"]
    back = x.select(
        "ccode1",
        "ccode2",
        (pl.col("year") + 5).alias("year"),
        *[pl.col(c).alias(f"__b_{c}") for c in levels],
    )
    x = x.join(back, on=KEYS, how="left", maintain_order="left").with_columns(
        (pl.col(c) - pl.col(f"__b_{c}")).alias(UN_LEVELS[c]) for c in levels
    )
    cols = [*levels, *(UN_LEVELS[c] for c in levels)]
    x = _null_outside(x, cols, _UN_COV)
    return pl.concat([df, x.select(cols)], how="horizontal")


def features(
    first: int = FIRST_INFO_YEAR, last: int | None = None, *, refresh: bool = False
) -> pl.DataFrame:
    """The feature table for information years ``first..last`` (default: all years up to
    the last year any source covers), cached as Parquet per data version."""
    from allyscope.store import cached_table

    last = last_input_year() if last is None else int(last)
    _check_years(int(first), last)
    full_first, full_last = FIRST_INFO_YEAR, last_input_year()
    params = {"features": [f.name for f in _all_features()]}
    full = cached_table(
        "forecast_features",
        params,
        lambda: compute_features(full_first, full_last),
        refresh=refresh,
    )
    return full.filter(pl.col("year").is_between(int(first), last))


def carried_forward(year: int) -> list[dict[str, object]]:
    """Features whose source ends before ``year`` and how year ``year`` gets them:
    ``carried from <last year>`` for states, ``missing`` for events."""
    rows: list[dict[str, object]] = []
    for f in _all_features():
        if year > f.coverage[1] and f.name not in DURATIONS:
            rows.append(
                {
                    "feature": f.name,
                    "group": f.group,
                    "sources": ", ".join(f.sources),
                    "source_last_year": f.coverage[1],
                    "treatment": f"carried forward from {f.coverage[1]}"
                    if f.carry == "last"
                    else f"the dyad's mean of {f.coverage[1] - RECENT_YEARS + 1}-"
                    f"{f.coverage[1]} (event data end in {f.coverage[1]})",
                }
            )
    if year > ATOP_LAST:
        rows.insert(
            0,
            {
                "feature": "alliance status (risk set)",
                "group": "alliance status",
                "sources": "atop_alliance, alliance_records",
                "source_last_year": OUTCOME_LAST,
                "treatment": f"ATOP to {ATOP_LAST}, then its dyads of {ATOP_LAST} carried "
                "forward unless a sourced record ends them, and the records' new pacts and "
                "accessions (dated by signature)",
            },
        )
    return rows


__all__ = [
    "FEATURES",
    "FIRST_INFO_YEAR",
    "Feature",
    "carried_forward",
    "common_neighbours",
    "compute_features",
    "feature_map",
    "feature_names",
    "features",
    "last_input_year",
]
