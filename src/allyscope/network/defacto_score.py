"""A de facto alignment score for any pair of states and year.

Every component is defined for any dyad (not only for partners of the United States), is
on a 0-1 scale oriented so that higher means more aligned, and is *null* where its source
does not observe the dyad-year (definitions and sources in ``docs/network.md``):

========================  ===============================================================
component                 value in [0, 1]
========================  ===============================================================
``un_affinity``           UN voting affinity (Cohen's kappa): percentile rank among the
                          year's dyads
``ideal_point``           closeness of the two states' UN ideal points: 1 minus the
                          percentile rank of their distance among the year's dyads
``exercises``             joint exercises: trailing mean of the yearly exercise weight
                          (1/(n-1) per exercise of n states), log-scaled
``arms``                  arms-transfer dependence: the larger share of one state's arms
                          imports that came from the other (SIPRI, five years)
``institutionalization``  institutionalization index of the curated groupings covering
                          the pair (mean, each grouping weighted 1/(members-1)) / 100
``shared_rivals``         strategic rivals in common (TSS): 1 - 2^(-n/half); 0 for two
                          states in a rivalry with each other
``dca``                   defense cooperation agreements in force (DCAD): 1 - 2^(-n/half)
``shared_patron``         optional: US troops hosted by both states (or by the partner of
                          the United States), orders of magnitude above the host threshold
``shared_allies``         optional: common formal defense allies (ATOP): built from the
                          alliance layer, so never part of a validation against alliances
``rhetoric``              optional: similarity of the two states' UN General Debate
                          speeches, percentile rank among the year's dyads
========================  ===============================================================

The weights are a priori, from the settings (``defacto.weights``; a weight of 0 leaves a
component out). The score of a dyad-year is the weighted mean of the components observed
for it. A component that is not observed is never read as 0: a dyad-year is compared only
with the dyad-years of the same year on which every one of its observed components is
observed too, scored on those components alone. That set of components is the *basis*
of the comparison (``basis``), and the number of dyads compared with is shown
(``n_compared``, ``n_compared_allies``). ``percentile`` is the dyad's percentile rank among
them (the share scoring lower, plus half the share scoring the same), ``percentile_allies``
the same among the formal defense-pact dyads of the year (ATOP, extended with the sourced
alliance records after 2018). Where fewer than ``defacto.comparison.min_compared`` dyads
share all the observed components, the one observed for the fewest dyads that year is left
out of the comparison (``not_compared``).

Weight sensitivity: every score and percentile of :func:`defacto` comes with a band, the
given percentiles (5th and 95th by default) of the score and of the percentile under
weight vectors drawn from a Dirichlet distribution centred on the a priori weights
(``defacto.sensitivity``).

A group's score (:func:`defacto_group`) is the minimum over its pairs (the weakest link,
which pair it is) and the mean: no maximum over groupings or pairs hides a setback.

:func:`allyscope.network.validation.validate` checks the score against what it was not
built from.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from allyscope.errors import InvalidInputError, UnknownNameError
from allyscope.network import layers as L
from allyscope.settings import DEFACTO_COMPONENTS

if TYPE_CHECKING:
    from allyscope.settings import Settings

COMPONENTS: dict[str, str] = {
    "un_affinity": "UN voting affinity (kappa), percentile rank among the year's dyads",
    "ideal_point": "UN ideal-point closeness: 1 - percentile rank of the distance in the year",
    "exercises": "joint exercises: trailing mean of the weight 1/(n-1) per exercise, log-scaled",
    "arms": "arms-import dependence on each other, larger of the two shares (SIPRI, 5 years)",
    "institutionalization": "index of the curated groupings covering the pair "
    "(mean weighted 1/(members-1)) / 100",
    "shared_rivals": "strategic rivals in common (TSS): 1 - 2^(-n/half); 0 if rivals",
    "dca": "defense cooperation agreements in force (DCAD): 1 - 2^(-n/half)",
    "shared_patron": "US troops in both (or in the US partner), orders of magnitude above "
    "the host threshold",
    "shared_allies": "common ATOP defense allies: 1 - 2^(-n/half)",
    "rhetoric": "UN General Debate speech similarity: percentile rank of the TF-IDF cosine "
    "among the year's dyads",
}
assert tuple(COMPONENTS) == DEFACTO_COMPONENTS
#: raw column behind each component
RAW: dict[str, str] = {
    "un_affinity": "un_kappa",
    "ideal_point": "un_ideal_distance",
    "exercises": "exercise_weight_recent",
    "arms": "arms_dependence",
    "institutionalization": "mech_index",
    "shared_rivals": "tss_shared_rivals",
    "dca": "dca_in_force",
    "shared_patron": "us_troops_link",
    "shared_allies": "atop_shared_allies",
    "rhetoric": "ungd_similarity",
}
#: the input (allyscope.sources.coverage) whose years each component covers
INPUT: dict[str, str | None] = {
    "un_affinity": "un_votes",
    "ideal_point": "un_votes",
    "exercises": "exercises",
    "arms": "arms_transfers",
    "institutionalization": None,
    "shared_rivals": "rivalries",
    "dca": "defense_cooperation",
    "shared_patron": "troops",
    "shared_allies": "alliances_extended",
    "rhetoric": "ungd_speeches",
}
KEYS = ("ccode1", "ccode2", "year")


def _settings(settings: Settings | None) -> Settings:
    from allyscope.settings import load

    return settings if settings is not None else load()


def provenance(settings: Settings | None = None) -> dict[str, str]:
    """The settings file, its hash and the as-of date behind a score, and the source of
    the ideal points."""
    st = _settings(settings)
    return {**st.provenance(), "ideal_points": _ideal_source()}


# -- components ------------------------------------------------------------------------------


def _ideal_source() -> str:
    """``voeten`` when the warehouse holds Bailey, Strezhnev and Voeten's published ideal
    points (1946-2025, independent of allyscope's own vote data), else ``allyscope`` (the
    UN module's own estimates)."""
    import importlib.util

    from allyscope.store import open_warehouse

    if importlib.util.find_spec("allyscope.un.voeten") is None:
        return "allyscope"
    return "voeten" if "voeten_idealpoints" in open_warehouse().tables else "allyscope"


def _ideal_distance() -> pl.DataFrame:
    """Absolute distance between the two states' UN ideal points per dyad-year."""
    if _ideal_source() == "voeten":
        from allyscope.un import voeten

        # an estimate resting on too few votes (all of 2024) is mostly the prior: not
        # an observation
        ip = (
            voeten.ideal_points().filter(~pl.col("few_votes")).select("ccode", "year", "idealpoint")
        )
    else:
        from allyscope import un

        ip = un.ideal_points().select("ccode", "year", "idealpoint")
    ip = ip.select(pl.col("ccode").cast(pl.Int32), pl.col("year").cast(pl.Int32), "idealpoint")
    return (
        ip.join(ip, on="year", suffix="_b")
        .filter(pl.col("ccode") < pl.col("ccode_b"))
        .select(
            pl.col("ccode").alias("ccode1"),
            pl.col("ccode_b").alias("ccode2"),
            "year",
            (pl.col("idealpoint") - pl.col("idealpoint_b"))
            .abs()
            .cast(pl.Float64)
            .alias("un_ideal_distance"),
        )
    )


def _recent_exercises(st: Settings) -> pl.DataFrame:
    """Mean yearly exercise weight over the trailing window of years the MME data cover
    (``exercise_weight_recent``), for dyad-years with an exercise in the window."""
    from allyscope.sources.bounds import coverage

    a, b = coverage("exercises")
    win = st.defacto.exercises_window
    ex = L.exercise_ties(st.network.exercises).select(*KEYS, "exercise_weight")
    shifted = pl.concat([ex.with_columns(pl.col("year") + k) for k in range(win)])
    n_years = pl.min_horizontal(pl.col("year") - a + 1, pl.lit(win))  # years covered
    return (
        shifted.filter(pl.col("year") <= b)
        .group_by(*KEYS)
        .agg(pl.col("exercise_weight").sum())
        .with_columns((pl.col("exercise_weight") / n_years).alias("exercise_weight_recent"))
        .drop("exercise_weight")
    )


def _rhetoric(st: Settings) -> pl.DataFrame:
    """Speech similarity per dyad-year (``ungd_similarity`` and its within-year
    percentile rank), only when the settings give the component a positive weight."""
    if st.defacto.weights.get("rhetoric", 0) <= 0:
        return pl.DataFrame(
            schema={
                "ccode1": pl.Int32,
                "ccode2": pl.Int32,
                "year": pl.Int32,
                "ungd_similarity": pl.Float64,
                "rhetoric_similarity": pl.Float64,
            }
        )
    from allyscope.rhetoric.query import defacto_component

    return defacto_component().select(
        *(pl.col(k).cast(pl.Int32) for k in KEYS), "ungd_similarity", "rhetoric_similarity"
    )


def _raw_table(st: Settings) -> pl.DataFrame:
    """Every dyad-year with the raw values of all components (null where not observed)."""
    from allyscope.sources.bounds import coverage

    df = L.dyad_table(L.DEFAULT_YEARS)
    df = (
        df.join(_ideal_distance(), on=list(KEYS), how="left")
        .join(_recent_exercises(st), on=list(KEYS), how="left")
        .join(_rhetoric(st), on=list(KEYS), how="left")
        .pipe(L.with_mechanisms, completeness=st.defacto.institutionalization_completeness)
    )
    a, b = coverage("exercises")
    link = (
        pl.when(pl.col("ccode1") == L.US)
        .then(pl.col("us_troops_partner"))
        .otherwise(pl.min_horizontal("us_troops1", "us_troops2"))
    )
    return df.with_columns(
        pl.when(pl.col("year").is_between(a, b))
        .then(pl.col("exercise_weight_recent").fill_null(0.0))
        .alias("exercise_weight_recent"),
        link.alias("us_troops_link"),
        pl.col("atop_defense").alias("formal_defense"),
    )


def _diminishing(col: str, half: float) -> pl.Expr:
    return 1.0 - (2.0 ** (-pl.col(col).cast(pl.Float64) / half))


def _rank01(col: str) -> pl.Expr:
    """Percentile rank in (0, 1] among the year's non-null values (ties: average rank)."""
    return pl.col(col).rank("average").over("year") / pl.col(col).count().over("year")


def _scalings(st: Settings) -> dict[str, pl.Expr]:
    d = st.defacto
    top = np.log1p(d.exercises_top)
    host = float(st.network.min_troops)
    troops = pl.col("us_troops_link").cast(pl.Float64)
    return {
        "un_affinity": _rank01("un_kappa"),
        "ideal_point": 1.0 - _rank01("un_ideal_distance"),
        "exercises": (pl.col("exercise_weight_recent").log1p() / top).clip(upper_bound=1.0),
        "arms": pl.col("arms_dependence").clip(0.0, 1.0),
        "institutionalization": pl.col("mech_index").clip(0.0, 100.0) / 100.0,
        "shared_rivals": pl.when(pl.col("tss_rivalry") == 1)
        .then(0.0)
        .otherwise(_diminishing("tss_shared_rivals", d.rivals_half)),
        "dca": _diminishing("dca_in_force", d.dca_half),
        "shared_patron": pl.when(troops.is_null())
        .then(None)
        .when(troops < host)
        .then(0.0)
        .otherwise(((troops / host).log10() / d.patron_decades).clip(0.0, 1.0)),
        "shared_allies": _diminishing("atop_shared_allies", d.allies_half),
        "rhetoric": pl.col("rhetoric_similarity"),
    }


def _compute_components(st: Settings) -> pl.DataFrame:
    df = _raw_table(st)
    scaled = _scalings(st)
    df = df.with_columns(
        pl.when(pl.col(RAW[c]).is_not_null()).then(e).otherwise(None).alias(c)
        for c, e in scaled.items()
    )
    return df.select(
        *KEYS,
        "formal_defense",
        "atop_source",
        *COMPONENTS,
        *RAW.values(),
        "tss_rivalry",
        "mech_groupings",
        "mech_max_index",
        "mech_basis",
        "mech_complete",
        "dca_signed",
    ).sort("year", "ccode1", "ccode2")


_COMP_MEMO: dict[tuple, pl.DataFrame] = {}
_COMP_LOCK = threading.Lock()


def _records_key() -> int:
    """Identifies the curated records in use (part of the memo keys)."""
    from allyscope import mechanisms

    return id(mechanisms.load_records())


def components(
    years: int | Sequence[int] | None = None, *, settings: Settings | None = None
) -> pl.DataFrame:
    """Every dyad-year of COW states with its components (0-1, null where not observed),
    their raw values and ``formal_defense`` (an ATOP defense obligation in either
    direction, extended with the alliance records after 2018)."""
    st = _settings(settings)
    y0, y1 = L.check_years(years)
    key = (L._warehouse_hash(), st.hash, _records_key())
    with _COMP_LOCK:
        full = _COMP_MEMO.get(key)
    if full is None:
        from allyscope.store import cached_table

        records = int(L.mechanisms_table().hash_rows().sum())
        params = {
            "settings": st.hash,
            "records": records,
            "un": L.un_cache_version(),
            "ideal": _ideal_source(),
            "v": 1,
        }
        full = cached_table("defacto_components", params, lambda: _compute_components(st))
        with _COMP_LOCK:
            _COMP_MEMO.clear()
            _COMP_MEMO[key] = full
    return full.filter(pl.col("year").is_between(y0, y1))


# -- scores and comparison bases -------------------------------------------------------------


def used_components(weights: dict[str, float]) -> list[str]:
    """Components with a positive weight, in the order of :data:`COMPONENTS`."""
    bad = [c for c in weights if c not in COMPONENTS]
    if bad:
        raise UnknownNameError("de facto score component", bad[0], COMPONENTS)
    used = [c for c in COMPONENTS if weights.get(c, 0) > 0]
    if not used:
        raise InvalidInputError("no component has a positive weight", "see defacto.weights")
    return used


def _basis_names(code: int, used: Sequence[str]) -> str:
    return "+".join(c for k, c in enumerate(used) if code >> k & 1)


def _bits(code: int, k: int) -> np.ndarray:
    return np.flatnonzero([code >> j & 1 for j in range(k)])


class _Year:
    """One year's dyads: component values, observed masks and basis codes."""

    def __init__(self, x: np.ndarray, ally: np.ndarray, min_compared: int) -> None:
        self.x = x
        self.k = x.shape[1]
        obs = ~np.isnan(x)
        self.code = obs.astype(np.int64) @ (1 << np.arange(self.k, dtype=np.int64))
        self.n_obs = obs.sum(axis=0)  # dyads observing each component
        self.ally = ally
        self.min_compared = min_compared
        self._basis: dict[int, int] = {}

    def eligible(self, code: int) -> np.ndarray:
        return (self.code & code) == code

    def basis(self, code: int) -> int:
        """The components a dyad observing ``code`` is compared on: all of them, less the
        least observed ones while fewer than ``min_compared`` dyads observe the rest."""
        if code not in self._basis:
            b = code
            while bin(b).count("1") > 1 and self.eligible(b).sum() < self.min_compared:
                cols = _bits(b, self.k)
                b &= ~(1 << int(cols[np.argmin(self.n_obs[cols])]))
            self._basis[code] = b
        return self._basis[code]

    def scores(self, code: int, w: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Weighted mean over the components of ``code`` of ``rows`` (default: all)."""
        cols = _bits(code, self.k)
        x = self.x if rows is None else self.x[rows]
        return (x[:, cols] * (w[cols] / w[cols].sum())).sum(axis=1)


def _pct(sorted_ref: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Percentile rank of ``values`` in ``sorted_ref``: the share scoring below, plus half
    the share scoring the same (mid-rank; a score shared by many dyads, such as 0, sits
    in the middle of them)."""
    if len(sorted_ref) == 0:
        return np.full(len(values), np.nan)
    lt = np.searchsorted(sorted_ref, values, side="left")
    le = np.searchsorted(sorted_ref, values, side="right")
    return 100.0 * (lt + 0.5 * (le - lt)) / len(sorted_ref)


def _pct_draws(ref: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Mid-rank percentile of ``t[d]`` among ``ref[d, :]`` for every draw ``d``."""
    below = (ref < t[:, None]).mean(axis=1)
    same = (ref == t[:, None]).mean(axis=1)
    return 100.0 * (below + 0.5 * same)


_OUT = ("score", "pct", "pct_allies", "n", "n_allies", "basis")


def _year_percentiles(yr: _Year, w: np.ndarray) -> dict[str, np.ndarray]:
    n = len(yr.code)
    out = {k: np.full(n, np.nan) for k in _OUT}
    for code in np.unique(yr.code):
        if code == 0:
            continue
        tgt = yr.code == code
        out["score"][tgt] = yr.scores(int(code), w, tgt)
        b = yr.basis(int(code))
        elig = yr.eligible(b)
        s = yr.scores(b, w, elig)
        s_t = s[tgt[elig]]
        allies = np.sort(s[yr.ally[elig]])
        out["pct"][tgt] = _pct(np.sort(s), s_t)
        out["pct_allies"][tgt] = _pct(allies, s_t)
        out["n"][tgt] = len(s)
        out["n_allies"][tgt] = len(allies)
        out["basis"][tgt] = b
    return out


def percentile_table(
    df: pl.DataFrame, weights: dict[str, float], min_compared: int = 1
) -> pl.DataFrame:
    """``df`` (dyad-years of whole years, with the component columns) with the score,
    basis and percentiles under ``weights``: ``defacto_score`` (weighted mean of the
    observed components), ``basis`` (the components compared on), ``not_compared``
    (observed but left out of the comparison, see :class:`_Year`), ``n_basis``,
    ``percentile``, ``percentile_allies``, ``n_compared``, ``n_compared_allies``."""
    used = used_components(weights)
    w = np.array([weights[c] for c in used], dtype=np.float64)
    df = df.sort("year", "ccode1", "ccode2")
    x = df.select(used).to_numpy().astype(np.float64)
    ally = df["formal_defense"].fill_null(0).to_numpy() == 1
    years = df["year"].to_numpy()
    cols = {k: np.full(df.height, np.nan) for k in _OUT}
    codes = np.zeros(df.height, dtype=np.int64)
    bounds = np.flatnonzero(np.diff(years)) + 1
    for i0, i1 in zip(np.r_[0, bounds], np.r_[bounds, df.height], strict=True):
        yr = _Year(x[i0:i1], ally[i0:i1], min_compared)
        codes[i0:i1] = yr.code
        for k, v in _year_percentiles(yr, w).items():
            cols[k][i0:i1] = v
    basis = np.nan_to_num(cols["basis"], nan=0).astype(np.int64)
    rest = codes & ~basis
    names = {int(c): _basis_names(int(c), used) for c in np.unique(np.r_[basis, rest])}
    return df.with_columns(
        pl.Series("defacto_score", cols["score"], nan_to_null=True),
        pl.Series("basis", [names[int(c)] or None for c in basis], dtype=pl.String),
        pl.Series("not_compared", [names[int(c)] or None for c in rest], dtype=pl.String),
        pl.Series("n_basis", [bin(int(c)).count("1") for c in basis], dtype=pl.Int8),
        pl.Series("percentile", cols["pct"], nan_to_null=True),
        pl.Series("percentile_allies", cols["pct_allies"], nan_to_null=True),
        pl.Series("n_compared", cols["n"], nan_to_null=True).cast(pl.Int32),
        pl.Series("n_compared_allies", cols["n_allies"], nan_to_null=True).cast(pl.Int32),
    )


_SCORES: dict[tuple, pl.DataFrame] = {}


def scores(
    years: int | Sequence[int] | None = None,
    *,
    settings: Settings | None = None,
    weights: dict[str, float] | None = None,
) -> pl.DataFrame:
    """The score of every dyad-year with its basis and percentiles (see the module
    documentation); ``weights`` replaces the settings' weights."""
    st = _settings(settings)
    w = dict(weights) if weights is not None else dict(st.defacto.weights)
    y0, y1 = L.check_years(years)
    key = (L._warehouse_hash(), st.hash, _records_key(), tuple(sorted(w.items())))
    with _COMP_LOCK:
        full = _SCORES.get(key)
    if full is None:
        full = percentile_table(components(settings=st), w, st.defacto.min_compared)
        with _COMP_LOCK:
            if len(_SCORES) >= 4:
                _SCORES.clear()
            _SCORES[key] = full
    return full.filter(pl.col("year").is_between(y0, y1))


# -- weight sensitivity ----------------------------------------------------------------------


def weight_draws(weights: dict[str, float], settings: Settings | None = None) -> np.ndarray:
    """Weight vectors (rows, over :func:`used_components`) drawn from a Dirichlet
    distribution with mean proportional to ``weights`` and the settings' concentration."""
    d = _settings(settings).defacto
    used = used_components(weights)
    w = np.array([weights[c] for c in used], dtype=np.float64)
    rng = np.random.default_rng(d.sensitivity_seed)
    return rng.dirichlet(d.concentration * w / w.sum(), size=d.draws)


def _band_row(yr: _Year, i: int, draws: np.ndarray, band: tuple[float, float]) -> dict:
    """The band of the score and percentiles of row ``i`` of ``yr`` over the weight draws."""
    row = yr.x[i]
    obs = ~np.isnan(row)
    if not obs.any():
        return {}
    lo, hi = band
    w = draws[:, obs] / draws[:, obs].sum(axis=1, keepdims=True)
    own = np.einsum("k,dk->d", row[obs], w)
    b = yr.basis(int(yr.code[i]))
    cols = _bits(b, yr.k)
    elig = yr.eligible(b)
    wb = draws[:, cols] / draws[:, cols].sum(axis=1, keepdims=True)
    ref = np.einsum("ik,dk->di", yr.x[elig][:, cols], wb)  # draws x dyads
    t = ref[:, int(np.flatnonzero(elig).searchsorted(i))]  # the dyad's own column
    pct = _pct_draws(ref, t)
    allies = ref[:, yr.ally[elig]]
    out = {
        "score_low": float(np.percentile(own, lo)),
        "score_high": float(np.percentile(own, hi)),
        "percentile_low": float(np.percentile(pct, lo)),
        "percentile_high": float(np.percentile(pct, hi)),
    }
    if allies.shape[1]:
        pa = _pct_draws(allies, t)
        out["percentile_allies_low"] = float(np.percentile(pa, lo))
        out["percentile_allies_high"] = float(np.percentile(pa, hi))
    return out


_BAND_SCHEMA = {
    "score_low": pl.Float64,
    "score_high": pl.Float64,
    "percentile_low": pl.Float64,
    "percentile_high": pl.Float64,
    "percentile_allies_low": pl.Float64,
    "percentile_allies_high": pl.Float64,
}


def with_bands(rows: pl.DataFrame, *, settings: Settings | None = None) -> pl.DataFrame:
    """``rows`` (dyad-years from :func:`scores`) with the weight-sensitivity band of the
    score and of both percentiles (``score_low`` ... ``percentile_allies_high``)."""
    st = _settings(settings)
    weights = dict(st.defacto.weights)
    used = used_components(weights)
    draws = weight_draws(weights, st)
    comp = components(settings=st)
    parts = []
    for (y,), part in rows.partition_by("year", as_dict=True, maintain_order=True).items():
        year_df = comp.filter(pl.col("year") == y).sort("ccode1", "ccode2").with_row_index("_i")
        ally = year_df["formal_defense"].fill_null(0).to_numpy() == 1
        x = year_df.select(used).to_numpy().astype(np.float64)
        yr = _Year(x, ally, st.defacto.min_compared)
        idx = part.join(year_df.select("ccode1", "ccode2", "_i"), on=["ccode1", "ccode2"])
        bands = [_band_row(yr, int(i), draws, st.defacto.band) for i in idx["_i"]]
        parts.append(
            part.hstack(pl.DataFrame(bands, schema=_BAND_SCHEMA, orient="row").get_columns())
        )
    return (
        pl.concat(parts)
        if parts
        else rows.with_columns(pl.lit(None, t).alias(c) for c, t in _BAND_SCHEMA.items())
    )


# -- one dyad, one group ---------------------------------------------------------------------


def _resolve_pair(a: str | int, b: str | int, year: int | None) -> tuple[int, int]:
    from allyscope import codes

    ca, cb = codes.resolve(a, year), codes.resolve(b, year)
    if ca == cb:
        raise InvalidInputError("a dyad needs two different states", f"both are {codes.name(ca)}")
    return (ca, cb) if ca < cb else (cb, ca)


def _present(df: pl.DataFrame) -> pl.DataFrame:
    y0, y1 = df.select(pl.col("year").min().alias("a"), pl.col("year").max().alias("b")).row(0)
    nodes = L.node_table((int(y0), int(y1))).select("year", "ccode", "iso3")
    return df.join(
        nodes.rename({"ccode": "ccode1", "iso3": "iso3_1"}), on=["year", "ccode1"], how="left"
    ).join(nodes.rename({"ccode": "ccode2", "iso3": "iso3_2"}), on=["year", "ccode2"], how="left")


#: the columns of :func:`defacto`
COLUMNS = [
    "year",
    "ccode1",
    "iso3_1",
    "ccode2",
    "iso3_2",
    "formal_defense",
    "defacto_score",
    "score_low",
    "score_high",
    "percentile",
    "percentile_low",
    "percentile_high",
    "percentile_allies",
    "percentile_allies_low",
    "percentile_allies_high",
    "basis",
    "not_compared",
    "n_basis",
    "n_compared",
    "n_compared_allies",
    *COMPONENTS,
    *RAW.values(),
    "mech_max_index",
    "mech_basis",
    "mech_complete",
    "atop_source",
]


def defacto(
    a: str | int,
    b: str | int,
    years: int | Sequence[int] | None = None,
    *,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """The de facto alignment score of one dyad per year, with its basis, percentiles,
    weight-sensitivity bands and components (:data:`COLUMNS`).

    >>> defacto("JPN", "KOR", (2015, 2024))
    """
    st = _settings(settings)
    y0, y1 = L.check_years(years)
    c1, c2 = _resolve_pair(a, b, y1)
    d = scores((y0, y1), settings=st).filter((pl.col("ccode1") == c1) & (pl.col("ccode2") == c2))
    if d.height == 0:
        from allyscope import codes

        raise InvalidInputError(
            f"{codes.name(c1)} and {codes.name(c2)} are not both in the state system in {y0}-{y1}",
            "choose years in which both states exist",
        )
    return _present(with_bands(d, settings=st)).select(COLUMNS)


def defacto_group(
    states: Sequence[str | int],
    years: int | Sequence[int] | None = None,
    *,
    settings: Settings | None = None,
) -> pl.DataFrame:
    """The score of a group per year: over its pairs, the minimum (``score_min``, the
    weakest link, and ``weakest_pair``) and the mean, their percentiles, and how many
    pairs are formal allies."""
    from allyscope import codes

    st = _settings(settings)
    y0, y1 = L.check_years(years)
    cc = codes.resolve_many(states, y1)
    if len(cc) < 2:
        raise InvalidInputError("a group needs at least two states")
    pairs = pl.DataFrame(
        [(min(p), max(p)) for p in combinations(cc, 2)],
        schema={"ccode1": pl.Int32, "ccode2": pl.Int32},
        orient="row",
    )
    s = _present(
        scores((y0, y1), settings=st).join(pairs, on=["ccode1", "ccode2"], how="semi")
    ).with_columns((pl.col("iso3_1") + "-" + pl.col("iso3_2")).alias("pair"))
    out = (
        s.sort("year", "percentile", nulls_last=True)
        .group_by("year", maintain_order=True)
        .agg(
            pl.len().cast(pl.Int32).alias("n_pairs"),
            pl.col("defacto_score").min().alias("score_min"),
            pl.col("defacto_score").mean().alias("score_mean"),
            pl.col("percentile").min().alias("percentile_min"),
            pl.col("percentile").mean().alias("percentile_mean"),
            pl.col("percentile_allies").min().alias("percentile_allies_min"),
            pl.col("pair").first().alias("weakest_pair"),
            pl.col("basis").first().alias("weakest_basis"),
            pl.col("formal_defense").sum().cast(pl.Int32).alias("formal_pairs"),
        )
        .filter(pl.col("n_pairs") == pairs.height)  # years in which every member exists
    )
    if out.height == 0:
        raise InvalidInputError(
            f"the states {', '.join(map(str, states))} never coexist in {y0}-{y1}",
            "choose years in which all of them exist",
        )
    return out.with_columns(pl.lit("-".join(codes.iso3(c) or str(c) for c in cc)).alias("group"))


def describe(settings: Settings | None = None) -> pl.DataFrame:
    """The components with their weights, definitions and the years their sources cover."""
    from allyscope.sources.bounds import coverage

    st = _settings(settings)
    rows = []
    for c, definition in COMPONENTS.items():
        inp = (
            "voeten_idealpoints" if c == "ideal_point" and _ideal_source() == "voeten" else INPUT[c]
        )
        years = coverage(inp) if inp else (L.mechanisms_years()[0], L.mechanisms_years()[-1])
        rows.append(
            {
                "component": c,
                "weight": float(st.defacto.weights.get(c, 0.0)),
                "years": f"{years[0]}-{years[1]}",
                "definition": definition,
            }
        )
    return pl.DataFrame(rows)


__all__ = [
    "COLUMNS",
    "COMPONENTS",
    "INPUT",
    "RAW",
    "components",
    "defacto",
    "defacto_group",
    "describe",
    "percentile_table",
    "provenance",
    "scores",
    "used_components",
    "weight_draws",
    "with_bands",
]
