"""A de facto alliance score for any dyad or group and year.

Six components, each on a 0-1 scale and oriented so that higher means more aligned
(definitions in ``docs/network.md``):

==========================  =============================================================
component                   value in [0, 1]
==========================  =============================================================
``un_affinity``             UN voting affinity (Cohen's kappa) as a percentile rank among
                            the year's dyads
``ideal_point``             closeness of the two states' UN ideal points: 1 minus the
                            percentile rank of their distance among the year's dyads
``exercises``               joint MME exercises per year over the trailing five years
                            (t-4..t, years the data cover): min(1, log(1 + n) / log(11));
                            after the data end (2010) the dyad's 2006-2010 mean is carried
                            forward and flagged (``exercises_carried_from``)
``shared_allies``           common ATOP defense partners (triadic closure):
                            min(1, log(1 + n) / log(11))
``us_troops``               US troops in the partner for dyads with the United States,
                            else the smaller of the two states' US troop numbers (both
                            host US forces), in orders of magnitude above 100:
                            clip((log10(n) - 2) / 3, 0, 1) (embassy guards count 0,
                            1,000 troops 1/3, 10,000 2/3, 100,000 or more 1)
``institutionalization``    the highest institutionalization index of the curated
                            groupings both states belong to, / 100
==========================  =============================================================

A component that is not observed for a dyad-year (outside its source's coverage, a state
that did not vote at the UN) enters the score at a neutral value: 0.5 (the median) for
the two UN components and 0 (no recorded tie) for the others; the table keeps the raw
values as null and counts the observed components (``n_observed``).

Weights. The default weights are fixed a priori, one unit per dimension of alignment: UN
voting (split half and half between affinity and ideal points, which measure the same
votes), joint exercises, shared allies, US troops and institutionalization, so the
score runs from 0 to 5. :func:`fit` estimates weights instead,
by a logistic regression of formal alliance status (an ATOP defense obligation in either
direction) on the components over training years, with non-negative coefficients and a
small ridge penalty; components without variation in the training years borrow another
component's weight. The fitted weights put almost everything on ``shared_allies``:
members of multilateral pacts share many allies, so the fitted score mostly re-detects
multilateral treaty membership and ranks bilateral allies (United States-Japan) below
almost every formal ally. That is why the a priori weights are the default.
:func:`evaluate` reports the AUC of separating formal allies from other dyads in years not
used for any choice (1991-2018), for the default score, the fitted alternatives (trained
on 1946-1990), the score without ``shared_allies`` and each component alone.

The score of a dyad-year is expressed as a percentile of the scores of the formal
defense-pact dyads of the same year ("Japan-South Korea in 2018 scores like the Nth
percentile of formal allies"); comparing within a year also keeps sources that end
(MME in 2010) from shifting the comparison. A group's score is the minimum over its
pairs (the weakest link) and the mean; both are reported.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import polars as pl

from allyscope.errors import InvalidInputError, UnknownNameError
from allyscope.network import layers as L
from allyscope.sources.bounds import coverage

COMPONENTS: dict[str, str] = {
    "un_affinity": "UN voting affinity (kappa), percentile rank within year",
    "ideal_point": "UN ideal-point closeness, 1 - percentile rank of distance within year",
    "exercises": "joint MME exercises per year, trailing 5-year mean, min(1, log1p(n)/log(11))",
    "shared_allies": "common ATOP defense partners, min(1, log1p(n)/log(11))",
    "us_troops": "US troops in the partner / both hosts, clip((log10(n) - 2) / 3, 0, 1)",
    "institutionalization": "highest shared grouping institutionalization index / 100",
}
#: raw columns behind each component
RAW: dict[str, str] = {
    "un_affinity": "un_kappa",
    "ideal_point": "un_ideal_distance",
    "exercises": "mme_exercises_recent",
    "shared_allies": "atop_shared_allies",
    "us_troops": "us_troops_link",
    "institutionalization": "mech_max_index",
}
#: years over which the exercise component averages (a dyad's exercises come in series)
EXERCISE_WINDOW = 5
#: components without variation in the training years borrow the weight of another
BORROW: dict[str, str] = {"institutionalization": "exercises", "exercises": "shared_allies"}
TRAIN_YEARS: tuple[int, int] = (1946, 1990)
TEST_YEARS: tuple[int, int] = (TRAIN_YEARS[1] + 1, coverage("atop_alliance")[1])
RIDGE = 1.0


# -- components ------------------------------------------------------------------------------


def _shared_allies(df: pl.DataFrame) -> pl.DataFrame:
    """Common defense partners of every dyad-year (join of defense ties on the partner)."""
    e = df.filter(pl.col("atop_defense") == 1).select("ccode1", "ccode2", "year")
    both = pl.concat(
        [
            e.select(pl.col("ccode1").alias("a"), pl.col("ccode2").alias("c"), "year"),
            e.select(pl.col("ccode2").alias("a"), pl.col("ccode1").alias("c"), "year"),
        ]
    )
    pairs = (
        both.join(both.rename({"a": "b"}), on=["c", "year"])
        .filter(pl.col("a") < pl.col("b"))
        .group_by(pl.col("a").alias("ccode1"), pl.col("b").alias("ccode2"), "year")
        .agg(pl.len().cast(pl.Int32).alias("atop_shared_allies"))
    )
    return pairs


def _compute_components(y0: int, y1: int) -> pl.DataFrame:
    df = L.dyad_table((y0, y1))
    shared = _shared_allies(df)
    df = df.join(shared, on=["ccode1", "ccode2", "year"], how="left").with_columns(
        pl.when(pl.col("atop_defense").is_null())
        .then(None)
        .otherwise(pl.col("atop_shared_allies").fill_null(0))
        .alias("atop_shared_allies")
    )
    # US troops: in the partner (dyads with the US), else the smaller of the two hosts
    df = df.with_columns(
        pl.when(pl.col("ccode1") == L.US)
        .then(pl.col("us_troops_partner"))
        .otherwise(pl.min_horizontal("us_troops1", "us_troops2"))
        .alias("us_troops_link")
    )
    from allyscope import un

    dist = un.idealpoint_distance().select(
        pl.col("ccode1").cast(pl.Int32),
        pl.col("ccode2").cast(pl.Int32),
        pl.col("year").cast(pl.Int32),
        pl.col("idealpoint_distance").cast(pl.Float64).alias("un_ideal_distance"),
    )
    df = df.join(dist, on=["ccode1", "ccode2", "year"], how="left")
    df = df.join(_recent_exercises(df), on=["ccode1", "ccode2", "year"], how="left")
    return df.select(
        "ccode1",
        "ccode2",
        "year",
        pl.col("atop_defense").alias("formal_defense"),
        "un_kappa",
        "un_ideal_distance",
        "mme_joint_exercises",
        "mme_exercises_recent",
        "exercises_carried_from",
        "atop_shared_allies",
        "us_troops_link",
    )


def _recent_exercises(df: pl.DataFrame) -> pl.DataFrame:
    """Mean joint exercises per year over the trailing window of covered years; after the
    last covered year, the dyad's mean over the window ending then (flagged)."""
    ex = df.filter(pl.col("mme_joint_exercises").is_not_null()).select(
        "ccode1", "ccode2", "year", pl.col("mme_joint_exercises").cast(pl.Float64)
    )
    if ex.height == 0:
        return (
            df.select("ccode1", "ccode2", "year")
            .with_columns(
                pl.lit(None, pl.Float64).alias("mme_exercises_recent"),
                pl.lit(None, pl.Int32).alias("exercises_carried_from"),
            )
            .head(0)
        )
    last = int(ex["year"].max())
    covered = (
        pl.concat([ex.with_columns(pl.col("year") + k) for k in range(EXERCISE_WINDOW)])
        .filter(pl.col("year") <= last)
        .group_by("ccode1", "ccode2", "year")
        .agg(pl.col("mme_joint_exercises").mean().alias("mme_exercises_recent"))
        .join(ex.select("ccode1", "ccode2", "year"), on=["ccode1", "ccode2", "year"], how="semi")
    )
    later = (
        df.filter(pl.col("year") > last)
        .select("ccode1", "ccode2", "year")
        .join(
            covered.filter(pl.col("year") == last).drop("year"),
            on=["ccode1", "ccode2"],
            how="inner",
        )
    )
    return pl.concat(
        [
            covered.with_columns(pl.lit(None, pl.Int32).alias("exercises_carried_from")),
            later.with_columns(pl.lit(last, pl.Int32).alias("exercises_carried_from")),
        ],
        how="diagonal",
    )


def _rank01(col: str) -> pl.Expr:
    """Percentile rank in (0, 1] among the year's non-null values (ties: average rank)."""
    return pl.col(col).rank("average").over("year") / pl.col(col).count().over("year")


def _log_scale(col: str, top: float) -> pl.Expr:
    return (pl.col(col).cast(pl.Float64).log1p() / np.log1p(top)).clip(upper_bound=1.0)


def components(years: int | Sequence[int] | None = None) -> pl.DataFrame:
    """Every dyad-year of COW states with its raw and scaled components.

    Columns: ``ccode1 < ccode2, year, formal_defense`` (ATOP defense obligation in either
    direction), the raw values (``un_kappa``, ``un_ideal_distance``,
    ``mme_joint_exercises`` (that year), ``mme_exercises_recent`` (trailing mean, carried
    past 2010 with ``exercises_carried_from``), ``atop_shared_allies``, ``us_troops_link``,
    ``mech_max_index``; null where not observed), the scaled components named as in
    :data:`COMPONENTS` (0-1; the neutral value where not observed) and ``n_observed``.
    """
    from allyscope.store import cached_table

    y0, y1 = L.check_years(years)
    a, b = L.full_span(y0, y1)
    base = cached_table(
        "network_defacto_components",
        {"years": [a, b], "un": L.un_cache_version()},
        lambda: _compute_components(a, b),
    )
    if (a, b) != (y0, y1):
        base = base.filter(pl.col("year").is_between(y0, y1))
    df = L.with_mechanisms(base).drop("mech_groupings")
    scaled = {
        "un_affinity": _rank01("un_kappa").fill_null(0.5),
        "ideal_point": (1.0 - _rank01("un_ideal_distance")).fill_null(0.5),
        "exercises": _log_scale("mme_exercises_recent", 10),
        "shared_allies": _log_scale("atop_shared_allies", 10),
        "us_troops": ((pl.col("us_troops_link").cast(pl.Float64).log10() - 2) / 3).clip(0, 1),
        "institutionalization": pl.col("mech_max_index").clip(0, 100) / 100,
    }
    return df.with_columns(
        [expr.fill_null(0.0).alias(name) for name, expr in scaled.items()]
    ).with_columns(
        pl.sum_horizontal([pl.col(RAW[c]).is_not_null() for c in COMPONENTS])
        .cast(pl.Int8)
        .alias("n_observed")
    )


# -- the model -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DefactoModel:
    """Component weights (non-negative) and how they were obtained."""

    weights: dict[str, float]
    intercept: float = 0.0
    train_years: tuple[int, int] | None = None
    method: str = "logistic"
    borrowed: dict[str, str] = field(default_factory=dict)
    n_train: int = 0

    def score_expr(self) -> pl.Expr:
        return pl.sum_horizontal([pl.col(c) * float(w) for c, w in self.weights.items()])

    def describe(self) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "component": list(self.weights),
                "weight": [float(w) for w in self.weights.values()],
                "definition": [COMPONENTS[c] for c in self.weights],
                "note": [
                    f"no variation in {self.train_years[0]}-{self.train_years[1]}: "
                    f"weight of {self.borrowed[c]}"
                    if c in self.borrowed and self.train_years
                    else ""
                    for c in self.weights
                ],
            }
        )


def _fit_nonneg_logit(x: np.ndarray, y: np.ndarray, ridge: float) -> tuple[np.ndarray, float]:
    """Maximum-likelihood logistic regression with coefficients >= 0 and an L2 penalty on
    them (not on the intercept); deterministic L-BFGS-B."""
    from scipy.optimize import minimize

    n, k = x.shape

    def f(theta: np.ndarray) -> tuple[float, np.ndarray]:
        b0, b = theta[0], theta[1:]
        eta = b0 + x @ b
        # log(1 + exp(eta)) - y * eta, stably
        loss = np.logaddexp(0.0, eta) - y * eta
        p = 1.0 / (1.0 + np.exp(-eta))
        r = p - y
        val = loss.sum() / n + 0.5 * ridge * (b @ b) / n
        grad = np.concatenate([[r.sum() / n], (x.T @ r) / n + ridge * b / n])
        return float(val), grad

    prev = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
    start = np.concatenate([[np.log(prev / (1 - prev))], np.zeros(k)])
    res = minimize(
        f,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=[(None, None)] + [(0.0, None)] * k,
        options={"maxiter": 1000, "ftol": 1e-12, "gtol": 1e-8},
    )
    return res.x[1:], float(res.x[0])


def _check_components(use: Iterable[str] | None) -> list[str]:
    if use is None:
        return list(COMPONENTS)
    out = []
    for c in use:
        if c not in COMPONENTS:
            raise UnknownNameError("de facto score component", c, COMPONENTS)
        out.append(c)
    if not out:
        raise InvalidInputError("no component selected", "components: " + ", ".join(COMPONENTS))
    return out


def fit(
    train_years: Sequence[int] = TRAIN_YEARS,
    *,
    use: Iterable[str] | None = None,
    ridge: float = RIDGE,
    table: pl.DataFrame | None = None,
) -> DefactoModel:
    """Fit the weights on ``train_years`` (see the module documentation); ``use`` limits
    the components (e.g. to leave out ``shared_allies``)."""
    comps = _check_components(use)
    t0, t1 = L.check_years(tuple(train_years))
    df = (
        table
        if table is not None
        else components((min(t0, L.DEFAULT_YEARS[0]), max(t1, L.DEFAULT_YEARS[1])))
    )
    tr = df.filter(pl.col("year").is_between(t0, t1) & pl.col("formal_defense").is_not_null())
    if tr.height == 0 or tr["formal_defense"].n_unique() < 2:
        raise InvalidInputError(
            f"no formal allies and non-allies to fit on in {t0}-{t1}", "choose other years"
        )
    # "varies" compares values, not a computed standard deviation with 0
    varying = [c for c in comps if tr[c].drop_nulls().n_unique() > 1]
    x = tr.select(varying).to_numpy().astype(np.float64)
    y = tr["formal_defense"].to_numpy().astype(np.float64)
    coef, b0 = _fit_nonneg_logit(x, y, ridge)
    w = dict(zip(varying, (float(v) for v in coef), strict=True))
    borrowed: dict[str, str] = {}
    for c in comps:
        if c not in w:
            src = BORROW.get(c)
            while src is not None and src not in w:
                src = BORROW.get(src)
            w[c] = w[src] if src is not None else 0.0
            if src is not None:
                borrowed[c] = src
    weights = {c: w[c] for c in comps}
    return DefactoModel(weights, b0, (t0, t1), "logistic", borrowed, tr.height)


def fixed_model(weights: Mapping[str, float]) -> DefactoModel:
    """A model with a priori weights (e.g. ``{c: 1.0 for c in COMPONENTS}``)."""
    comps = _check_components(list(weights))
    bad = {c: w for c, w in weights.items() if not np.isfinite(w) or w < 0}
    if bad:
        raise InvalidInputError(f"weights must be finite and non-negative: {bad}")
    return DefactoModel({c: float(weights[c]) for c in comps}, method="fixed")


#: the default: one unit per dimension of alignment
DEFAULT_WEIGHTS: dict[str, float] = {
    **dict.fromkeys(COMPONENTS, 1.0),
    "un_affinity": 0.5,
    "ideal_point": 0.5,
}


def default_model() -> DefactoModel:
    """The default model: a priori weights, one unit per dimension (UN voting split
    between affinity and ideal points), see :data:`DEFAULT_WEIGHTS`."""
    return fixed_model(DEFAULT_WEIGHTS)


# -- scores ----------------------------------------------------------------------------------


def _percentiles(df: pl.DataFrame) -> pl.DataFrame:
    """Percentile of each dyad-year's score among the formal allies of the same year, and
    among all dyads of the year."""
    out = []
    for (_y,), part in df.partition_by("year", as_dict=True, maintain_order=True).items():
        s = part["defacto_score"].to_numpy()
        allies = np.sort(s[part["formal_defense"].fill_null(0).to_numpy() == 1])
        everyone = np.sort(s)
        pa = (
            100.0 * np.searchsorted(allies, s, side="right") / len(allies)
            if len(allies)
            else np.full(len(s), np.nan)
        )
        pe = 100.0 * np.searchsorted(everyone, s, side="right") / len(everyone)
        out.append(
            part.with_columns(
                pl.Series("percentile_allies", pa, dtype=pl.Float64, nan_to_null=True),
                pl.Series("percentile_all", pe, dtype=pl.Float64),
            )
        )
    return pl.concat(out) if out else df


def scores(
    years: int | Sequence[int] | None = None, *, model: DefactoModel | None = None
) -> pl.DataFrame:
    """The score of every dyad-year: components, ``defacto_score``, ``percentile_allies``
    (among formal defense-pact dyads of the same year) and ``percentile_all``."""
    y0, y1 = L.check_years(years)
    m = model or default_model()
    a, b = L.full_span(y0, y1)
    key = (
        L._warehouse_hash(),
        a,
        b,
        tuple(sorted(m.weights.items())),
        int(L.mechanisms_table().hash_rows().sum()),
    )
    with _SCORES_LOCK:
        full = _SCORES.get(key)
    if full is None:
        df = components((a, b)).with_columns(m.score_expr().alias("defacto_score"))
        full = _percentiles(df.sort("year", "ccode1", "ccode2"))
        with _SCORES_LOCK:
            if len(_SCORES) >= 4:
                _SCORES.clear()
            _SCORES[key] = full
    return full if (a, b) == (y0, y1) else full.filter(pl.col("year").is_between(y0, y1))


#: scores of whole spans, memoized per data version, weights and curated records
_SCORES: dict[tuple, pl.DataFrame] = {}
_SCORES_LOCK = threading.Lock()


def _resolve_pair(a: str | int, b: str | int, year: int | None) -> tuple[int, int]:
    from allyscope import codes

    ca, cb = codes.resolve(a, year), codes.resolve(b, year)
    if ca == cb:
        raise InvalidInputError("a dyad needs two different states", f"both are {codes.name(ca)}")
    return (ca, cb) if ca < cb else (cb, ca)


def _present(df: pl.DataFrame) -> pl.DataFrame:
    nodes = L.node_table((int(df["year"].min()), int(df["year"].max()))).select(
        "year", "ccode", "iso3"
    )
    return df.join(
        nodes.rename({"ccode": "ccode1", "iso3": "iso3_1"}), on=["year", "ccode1"], how="left"
    ).join(nodes.rename({"ccode": "ccode2", "iso3": "iso3_2"}), on=["year", "ccode2"], how="left")


_COLUMNS = [
    "year",
    "ccode1",
    "iso3_1",
    "ccode2",
    "iso3_2",
    "formal_defense",
    "defacto_score",
    "percentile_allies",
    "percentile_all",
    *COMPONENTS,
    "n_observed",
    *RAW.values(),
    "mme_joint_exercises",
    "exercises_carried_from",
]


def defacto(
    a: str | int,
    b: str | int,
    years: int | Sequence[int] | None = None,
    *,
    model: DefactoModel | None = None,
) -> pl.DataFrame:
    """The de facto alliance score of one dyad per year (default 1946-2018).

    >>> defacto("JPN", "KOR", (1990, 2018))
    """
    y0, y1 = L.check_years(years)
    c1, c2 = _resolve_pair(a, b, y1)
    s = scores((y0, y1), model=model)
    d = s.filter((pl.col("ccode1") == c1) & (pl.col("ccode2") == c2))
    if d.height == 0:
        from allyscope import codes

        raise InvalidInputError(
            f"{codes.name(c1)} and {codes.name(c2)} are not both in the state system in {y0}-{y1}",
            "choose years in which both states exist",
        )
    return _present(d).select(_COLUMNS)


def defacto_group(
    states: Sequence[str | int],
    years: int | Sequence[int] | None = None,
    *,
    model: DefactoModel | None = None,
) -> pl.DataFrame:
    """The score of a group per year: over its pairs, the minimum (``score_min``, the
    weakest link) and the mean, with their percentiles among formal allies, the weakest
    pair and how many pairs are formal allies."""
    from allyscope import codes

    y0, y1 = L.check_years(years)
    cc = codes.resolve_many(states, y1)
    if len(cc) < 2:
        raise InvalidInputError("a group needs at least two states")
    pairs = pl.DataFrame(
        [(min(p), max(p)) for p in combinations(cc, 2)],
        schema={"ccode1": pl.Int32, "ccode2": pl.Int32},
        orient="row",
    )
    s = _present(scores((y0, y1), model=model).join(pairs, on=["ccode1", "ccode2"], how="semi"))
    n_pairs = pairs.height
    s = s.with_columns((pl.col("iso3_1") + "-" + pl.col("iso3_2")).alias("pair"))
    out = (
        s.sort("year", "defacto_score")
        .group_by("year", maintain_order=True)
        .agg(
            pl.len().cast(pl.Int32).alias("n_pairs"),
            pl.col("defacto_score").min().alias("score_min"),
            pl.col("defacto_score").mean().alias("score_mean"),
            pl.col("percentile_allies").min().alias("percentile_allies_min"),
            pl.col("percentile_allies").mean().alias("percentile_allies_mean"),
            pl.col("pair").first().alias("weakest_pair"),
            pl.col("formal_defense").sum().cast(pl.Int32).alias("formal_pairs"),
        )
        .filter(pl.col("n_pairs") == n_pairs)  # years in which every member exists
    )
    if out.height == 0:
        raise InvalidInputError(
            f"the states {', '.join(map(str, states))} never coexist in {y0}-{y1}",
            "choose years in which all of them exist",
        )
    return out.with_columns(pl.lit("-".join(codes.iso3(c) or str(c) for c in cc)).alias("group"))


# -- evaluation ------------------------------------------------------------------------------


def _auc(y: np.ndarray, s: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    if len(np.unique(y)) < 2:
        return None
    return float(roc_auc_score(y, s))


def evaluate(
    model: DefactoModel | None = None,
    test_years: Sequence[int] = TEST_YEARS,
    *,
    by: str | None = None,
) -> pl.DataFrame:
    """Out-of-sample AUC of separating formal allies (ATOP defense) from other dyads.

    Rows: the score of ``model`` (default: the a priori weights), the same without
    ``shared_allies``, logistic-regression weights fitted on 1946-1990 (or the model's
    training years) with and without ``shared_allies``, and each component alone. With
    ``by="year"``, per year.
    """
    m = model or default_model()
    t0, t1 = L.check_years(tuple(test_years))
    if m.train_years is not None and not (t0 > m.train_years[1] or t1 < m.train_years[0]):
        raise InvalidInputError(
            f"the test years {t0}-{t1} overlap the training years "
            f"{m.train_years[0]}-{m.train_years[1]}",
            "choose test years the model was not fitted on",
        )
    span = (min(t0, TRAIN_YEARS[0]), max(t1, TRAIN_YEARS[1]))
    table = components(span)
    variants: dict[str, DefactoModel] = {"score": m}
    if m.method == "fixed":
        variants["score without shared_allies"] = fixed_model(
            {c: w for c, w in m.weights.items() if c != "shared_allies"}
        )
    train = m.train_years or TRAIN_YEARS
    if not (t0 > train[1] or t1 < train[0]):
        train = None  # fitted alternatives need training years outside the test years
    if train is not None:
        comps = list(m.weights)
        variants[f"logistic fitted {train[0]}-{train[1]}"] = fit(train, use=comps, table=table)
        variants[f"logistic fitted {train[0]}-{train[1]} without shared_allies"] = fit(
            train, use=[c for c in comps if c != "shared_allies"], table=table
        )
    test = table.filter(pl.col("year").is_between(t0, t1) & pl.col("formal_defense").is_not_null())
    cols = {name: mm.score_expr() for name, mm in variants.items()}
    cols.update({f"{c} alone": pl.col(c) for c in m.weights})
    test = test.with_columns(**{f"__{i}": e for i, e in enumerate(cols.values())})
    rows = []
    groups = (
        test.partition_by("year", as_dict=True, maintain_order=True).items()
        if by == "year"
        else [((None,), test)]
    )
    for (y,), part in groups:
        yv = part["formal_defense"].to_numpy()
        for i, name in enumerate(cols):
            rows.append(
                {
                    "year": y,
                    "variant": name,
                    "auc": _auc(yv, part[f"__{i}"].to_numpy()),
                    "n_dyads": part.height,
                    "n_allied": int(yv.sum()),
                }
            )
    out = pl.DataFrame(
        rows,
        schema={
            "year": pl.Int32,
            "variant": pl.String,
            "auc": pl.Float64,
            "n_dyads": pl.Int32,
            "n_allied": pl.Int32,
        },
        orient="row",
    ).with_columns(pl.lit(f"{t0}-{t1}").alias("test_years"))
    return out if by == "year" else out.drop("year")


__all__ = [
    "COMPONENTS",
    "DefactoModel",
    "components",
    "defacto",
    "defacto_group",
    "default_model",
    "evaluate",
    "fit",
    "fixed_model",
    "scores",
]
