"""Python API for UN General Assembly voting measures."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import polars as pl

from allyscope.errors import InvalidInputError
from allyscope.un import affinity as aff
from allyscope.un.data import FIRST_YEAR, LAST_YEAR, check_issues, load

#: default settings of the ideal-point model (see allyscope.un.idealpoints)
IDEALPOINT_DEFAULTS: dict[str, Any] = {
    "period": "year",
    "omega2": 0.01,
    "tol": 1e-8,
    "method": "newton",
    "n_boot": 0,
    "seed": 0,
    "dif": "nuclear",
}

Countries = Iterable[str | int] | str | int | None
Years = Iterable[int] | int | None


def _period_label_year(period: str, p: int) -> int:
    """The calendar year a period label stands for (sessions open in year 1945 + session)."""
    return p if period == "year" else 1945 + p


def _periods(period: str, years: Years) -> list[int] | None:
    if period not in aff.PERIODS:
        raise InvalidInputError(f"unknown period {period!r}", "use 'year' or 'session'")
    if years is None:
        return None
    ys = [int(years)] if isinstance(years, int | np.integer) else sorted({int(y) for y in years})
    if not ys:
        raise InvalidInputError("no years selected", "give a year or a range such as 1990-2019")
    lo, hi = (FIRST_YEAR, LAST_YEAR) if period == "year" else (1, LAST_YEAR - 1945)
    inside = [y for y in ys if lo <= y <= hi]
    if not inside:
        raise InvalidInputError(
            f"no UN votes in {period} {ys[0]}" + (f"-{ys[-1]}" if len(ys) > 1 else ""),
            f"the UN voting data cover {period}s {lo}-{hi}",
        )
    return inside


def _observed_periods(period: str) -> set[int]:
    return set(load().roll_calls[period].unique().to_list())


def _resolve_countries(countries: Countries, period: str, periods: list[int]) -> pl.DataFrame:
    """``query, label, <period>, ccode``: each named state's COW code in each period."""
    from allyscope import codes

    if isinstance(countries, str | int):
        countries = [countries]
    queries = list(dict.fromkeys(countries or []))
    if not queries:
        raise InvalidInputError("no countries selected", "name at least one state, e.g. USA")
    rows = []
    for q in queries:  # a handful of states x 74 periods
        codes.resolve(q)  # unknown names raise with suggestions
        for p in periods:
            rows.append((str(q), p, codes.resolve(q, _period_label_year(period, p))))
    df = pl.DataFrame(
        rows, schema={"query": pl.String, period: pl.Int32, "ccode": pl.Int32}, orient="row"
    )
    dup = df.filter(pl.struct(period, "ccode").is_duplicated())
    if dup.height:
        r = dup.row(0, named=True)
        names = dup.filter(pl.col(period) == r[period])["query"].to_list()
        raise InvalidInputError(
            f"{' and '.join(map(repr, names))} name the same state (COW {r['ccode']}) in {r[period]}",
            "name each state once",
        )
    return df


def affinity(
    countries: Countries = None,
    years: Years = None,
    issues: Sequence[str] | str | None = ("all",),
    measures: Sequence[str] | None = None,
    *,
    period: str = "year",
    metric: str = "absolute",
    important_only: bool = False,
) -> pl.DataFrame:
    """Dyadic affinity of UN General Assembly voting, per dyad, period and issue.

    ``countries``: names or codes (``None``: every state). ``years``: a year, or years
    (``None``: all, 1946-2021); with ``period="session"`` they are session numbers (1-76).
    ``issues``: ``"all"`` (every roll call) and/or issue codes ``me nu di hr co ec``;
    ``None`` selects all seven. ``measures``: a subset of ``agree, coincidence, s_score,
    kappa, pi, kappa_w, pi_w`` (default all). ``metric``: distance for the S-score and the
    weighted kappa/pi (``"absolute"``, the default, or ``"squared"``).

    Without ``countries`` the table has a row for every pair of states that both cast
    recorded votes in a period. With ``countries`` it has a row for every pair of the named
    states in every selected period that has roll calls; where either state cast no
    recorded vote (not a UN member, absent, suspended) ``n_votes`` is 0 and the measures
    are null.
    """
    iss = check_issues(issues)
    meas = list(aff.MEASURES) if measures is None else _check_measures(measures)
    periods = _periods(period, years)
    cols = ["ccode1", "ccode2", period, "issue", "source", *aff.COUNTS, *meas]
    if countries is None:
        if metric == "absolute" and not important_only:
            df = _full_affinity(period)
            if periods is not None:
                df = df.filter(pl.col(period).is_in(periods))
            df = df.filter(pl.col("issue").is_in(iss))
        else:
            df = aff.compute(
                load(),
                period=period,
                periods=periods,
                issues=iss,
                important_only=important_only,
                metric=metric,
            )
        if df.height == 0:
            raise InvalidInputError(
                f"no recorded UN votes in the selected {period}s",
                f"{period}s without roll calls (such as 1964) have no rows",
            )
        return df.select(cols).sort(period, "issue", "ccode1", "ccode2")

    all_periods = periods if periods is not None else _all_periods(period)
    observed = sorted(set(all_periods) & _observed_periods(period))
    if not observed:
        raise InvalidInputError(
            f"no recorded UN votes in the selected {period}s",
            "the General Assembly held no recorded vote in 1964",
        )
    who = _resolve_countries(countries, period, observed)
    computed = aff.compute(
        load(),
        period=period,
        periods=observed,
        ccodes=who["ccode"].unique().to_list(),
        issues=iss,
        important_only=important_only,
        metric=metric,
    )
    queries = list(dict.fromkeys(who["query"].to_list()))
    pairs = pl.DataFrame(
        list(itertools.combinations(queries, 2)),
        schema={"q1": pl.String, "q2": pl.String},
        orient="row",
    )
    if pairs.height == 0:
        raise InvalidInputError("affinity needs at least two states", "name two or more states")
    grid = (
        pairs.join(who.rename({"query": "q1", "ccode": "c1"}), on="q1")
        .join(who.rename({"query": "q2", "ccode": "c2"}), on=["q2", period])
        .with_columns(
            pl.min_horizontal("c1", "c2").alias("ccode1"),
            pl.max_horizontal("c1", "c2").alias("ccode2"),
        )
        .select("ccode1", "ccode2", period)
        .join(
            pl.DataFrame({"issue": iss}).with_columns(
                pl.col("issue").cast(computed["issue"].dtype)
            ),
            how="cross",
        )
    )
    out = grid.join(
        computed.drop("source"), on=["ccode1", "ccode2", period, "issue"], how="left"
    ).join(aff.period_sources(load(), period), on=period, how="left")
    out = out.with_columns(pl.col(c).fill_null(0) for c in aff.COUNTS)
    return out.select(cols).sort(period, "issue", "ccode1", "ccode2")


def _all_periods(period: str) -> list[int]:
    if period == "year":
        return list(range(FIRST_YEAR, LAST_YEAR + 1))
    return list(range(1, LAST_YEAR - 1945 + 1))


def _check_measures(measures: Sequence[str] | str) -> list[str]:
    from allyscope.errors import UnknownNameError

    if isinstance(measures, str):
        measures = [measures]
    out = []
    for m in measures:
        if m not in aff.MEASURES:
            raise UnknownNameError("affinity measure", m, aff.MEASURES)
        if m not in out:
            out.append(m)
    return out


def _full_affinity(period: str) -> pl.DataFrame:
    from allyscope.store import cached_table

    return cached_table(
        "un_affinity",
        {"period": period},
        lambda: aff.compute(load(), period=period, issues=check_issues(None)),
    )


# -- ideal points ----------------------------------------------------------------------------


def _idealpoint_params(**overrides: Any) -> dict[str, Any]:
    params = dict(IDEALPOINT_DEFAULTS)
    for k, v in overrides.items():
        if v is not None:
            params[k] = v
    if params["period"] not in aff.PERIODS:
        raise InvalidInputError(f"unknown period {params['period']!r}", "use 'year' or 'session'")
    if int(params["n_boot"]) < 0:
        raise InvalidInputError("n_boot must be 0 or more")
    return params


def estimate_ideal_points(params: dict[str, Any], progress=None) -> tuple[pl.DataFrame, dict]:
    """Fit the dynamic ideal-point model to every vote; returns the table and fit details."""
    from allyscope.un import idealpoints as ip

    period = params["period"]
    data = load()
    prob = ip.layout(data, period, omega2=params["omega2"], dif=params["dif"])
    f = ip.fit(prob, tol=params["tol"], method=params["method"], progress=progress)
    ip.identify(prob, f)
    sd = ip.posterior_sd(prob, f)
    nc, T = prob.shape
    nvotes = prob.n_cell.reshape(nc, T)
    ci, ti = np.nonzero(nvotes > 0)
    cols: dict[str, Any] = {
        "ccode": pl.Series(prob.ccodes[ci], dtype=pl.Int32),
        period: pl.Series(prob.periods[ti], dtype=pl.Int32),
        "idealpoint": f.x[ci, ti],
        "idealpoint_sd": sd[ci, ti],
        "n_votes": pl.Series(nvotes[ci, ti], dtype=pl.Int32),
    }
    if params["n_boot"]:
        boot = ip.bootstrap(prob, f, int(params["n_boot"]), int(params["seed"]))
        cols["idealpoint_sd_boot"] = boot[ci, ti]
    table = (
        pl.DataFrame(cols)
        .join(aff.period_sources(data, period), on=period, how="left")
        .sort("ccode", period)
    )
    info = {
        "iterations": f.iterations,
        "converged": f.converged,
        "seconds": f.seconds,
        "log_posterior": f.log_posterior,
        "n_votes": len(prob.cell),
        "n_countries": nc,
        "n_rollcalls": len(prob.rcids),
        "n_periods": T,
        **{k: str(v) for k, v in params.items()},
    }
    return table, info


def _idealpoint_tables(params: dict[str, Any], refresh: bool = False) -> tuple[pl.DataFrame, dict]:
    from allyscope.store import cached_table

    made: dict[str, Any] = {}

    def compute() -> pl.DataFrame:
        table, info = estimate_ideal_points(params)
        made["info"] = pl.DataFrame([info])
        return table

    table = cached_table("un_idealpoints", params, compute, refresh=refresh)

    def info_frame() -> pl.DataFrame:
        return made["info"] if "info" in made else pl.DataFrame([estimate_ideal_points(params)[1]])

    info = cached_table("un_idealpoints_fit", params, info_frame, refresh=refresh or "info" in made)
    return table, info.row(0, named=True)


def ideal_points(
    countries: Countries = None,
    years: Years = None,
    *,
    period: str | None = None,
    omega2: float | None = None,
    tol: float | None = None,
    method: str | None = None,
    n_boot: int | None = None,
    seed: int | None = None,
    dif: str | None = None,
    refresh: bool = False,
) -> pl.DataFrame:
    """Dynamic ideal points: ``ccode, <period>, idealpoint, idealpoint_sd, n_votes, source``.

    One row per country and period with at least one recorded vote. The model is fitted
    to all votes 1946-2021 (cached); ``countries`` and ``years`` only select rows.
    ``n_boot > 0`` adds ``idealpoint_sd_boot`` from a seeded parametric bootstrap.
    ``dif``: ``"nuclear"`` (default: states that had tested a nuclear weapon have intercepts
    of their own on roll calls about nuclear weapons) or ``"none"`` (see docs/un.md).
    """
    params = _idealpoint_params(
        period=period, omega2=omega2, tol=tol, method=method, n_boot=n_boot, seed=seed, dif=dif
    )
    table, _ = _idealpoint_tables(params, refresh)
    p = params["period"]
    periods = _periods(p, years)
    if periods is not None:
        table = table.filter(pl.col(p).is_in(periods))
    if countries is not None:
        who = _resolve_countries(countries, p, periods or _all_periods(p))
        table = table.join(who.select(p, "ccode"), on=[p, "ccode"], how="semi")
    return table


def ideal_point_fit(**kwargs: Any) -> dict[str, Any]:
    """Details of the fitted ideal-point model: iterations, convergence, time, sizes."""
    refresh = bool(kwargs.pop("refresh", False))
    return _idealpoint_tables(_idealpoint_params(**kwargs), refresh)[1]


def idealpoint_distance(
    countries: Countries = None,
    years: Years = None,
    **kwargs: Any,
) -> pl.DataFrame:
    """Absolute distance between the ideal points of every pair of states, per period.

    ``ccode1 < ccode2, <period>, idealpoint1, idealpoint2, idealpoint_distance,
    idealpoint_distance_sd`` (the SD treats the two positions as independent). Only
    pairs in which both states have an ideal point that period.
    """
    ip = ideal_points(countries, years, **kwargs)
    p = "year" if "year" in ip.columns else "session"
    left = ip.select("ccode", p, "idealpoint", "idealpoint_sd")
    pairs = (
        left.join(left, on=p, suffix="_b")
        .filter(pl.col("ccode") < pl.col("ccode_b"))
        .select(
            pl.col("ccode").alias("ccode1"),
            pl.col("ccode_b").alias("ccode2"),
            p,
            pl.col("idealpoint").alias("idealpoint1"),
            pl.col("idealpoint_b").alias("idealpoint2"),
            (pl.col("idealpoint") - pl.col("idealpoint_b")).abs().alias("idealpoint_distance"),
            (pl.col("idealpoint_sd") ** 2 + pl.col("idealpoint_sd_b") ** 2)
            .sqrt()
            .alias("idealpoint_distance_sd"),
        )
    )
    return pairs.sort(p, "ccode1", "ccode2")
