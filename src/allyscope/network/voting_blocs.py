"""Voting blocs in the UN General Assembly by consensus clustering, their stability,
polarization over time, and where a state sits.

Each year, the states that voted form a weighted graph whose tie weights are their
positive UN voting affinity (Cohen's kappa by default: agreement beyond what each state's
own mix of yes, abstain and no votes would produce by chance; dyads at or below chance
get no tie). One run of community detection depends on its seed and on the resolution
of the modularity it maximizes, so no single run is reported. Instead (settings
``network.blocs``) every algorithm (igraph's Leiden and Louvain implementations) runs with
several seeds at every resolution of a range, and the share of runs that put two states
in the same community is their *co-assignment* (the consensus matrix). Blocs are the
clusters of the average-linkage hierarchy of the co-assignments cut at ``threshold``
(0.5: the states of a bloc are, on average, together in at least half the runs; Monti et
al. 2003, Lancichinetti and Fortunato 2012; the ensemble over resolutions follows Jeub,
Sporns and Fortunato 2018). Blocs with fewer than ``min_size`` members (typically a state
that voted rarely) are dissolved: each member joins the bloc it is most often
co-assigned with.

Stability: a state's ``stability`` is its mean co-assignment with the other members of
its bloc, and ``margin`` that minus its highest mean co-assignment with another bloc (a
state near 0 sits between two blocs); a bloc's ``cohesion`` is the mean co-assignment of
its pairs.

Labels come from the blocs' members, never from fixed anchor states: a bloc is named
after its ``label_members`` members with the largest share of world military
capabilities (COW CINC, their latest year up to the bloc's year), e.g. ``USA/JPN``.

Polarization each year: ``modularity`` (weighted Newman modularity of the bloc partition
on the affinity graph) and ``affinity_gap`` (mean affinity of pairs in the same bloc
minus that of pairs in different blocs, all dyads with shared votes).

:func:`bloc_position` gives a state's bloc and its mean affinity with the members of the
bloc of each reference state (settings ``reference_states``, default the United States and
China).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from allyscope.errors import InvalidInputError
from allyscope.network import layers as L

if TYPE_CHECKING:
    from allyscope.settings import BlocSettings

UN_YEARS = L.coverage("un_votes")
_IGRAPH_RNG = threading.Lock()


def _settings(settings: BlocSettings | None) -> BlocSettings:
    from allyscope.settings import network

    return settings if settings is not None else network().blocs


def _un_span(years: int | Sequence[int] | None) -> tuple[int, int]:
    if years is None:
        return UN_YEARS
    y0, y1 = L.check_years(years)
    if y1 < UN_YEARS[0] or y0 > UN_YEARS[1]:
        raise InvalidInputError(
            f"no UN votes in {y0}-{y1}", f"the UN voting data cover {UN_YEARS[0]}-{UN_YEARS[1]}"
        )
    return (max(y0, UN_YEARS[0]), min(y1, UN_YEARS[1]))


# -- the ensemble and its consensus ------------------------------------------------------------


def _runs(n: int, edges: np.ndarray, w: np.ndarray, st: BlocSettings) -> list[np.ndarray]:
    """The memberships of every run of the ensemble (seeded, deterministic)."""
    import igraph as ig

    g = ig.Graph(n=n, edges=edges.tolist())
    g.es["weight"] = w.tolist()
    out = []
    with _IGRAPH_RNG:
        try:
            for a, alg in enumerate(st.algorithms):
                for r, gamma in enumerate(st.resolutions):
                    for s in range(st.seeds):
                        ig.set_random_number_generator(random.Random(10_000 * a + 100 * r + s))
                        if alg == "leiden":
                            part = g.community_leiden(
                                objective_function="modularity",
                                weights="weight",
                                resolution=gamma,
                                n_iterations=-1,
                            )
                        else:
                            part = g.community_multilevel(weights="weight", resolution=gamma)
                        out.append(np.asarray(part.membership, dtype=np.int64))
        finally:
            ig.set_random_number_generator(random)
    return out


def consensus(runs: Sequence[np.ndarray]) -> np.ndarray:
    """The co-assignment matrix: the share of runs putting each pair in one community."""
    n = len(runs[0])
    c = np.zeros((n, n))
    for m in runs:
        c += m[:, None] == m[None, :]
    return c / len(runs)


def _cut(c: np.ndarray, threshold: float) -> np.ndarray:
    """Average-linkage clusters of 1 - co-assignment, cut at 1 - threshold."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    if len(c) == 1:
        return np.zeros(1, dtype=np.int64)
    d = squareform(1.0 - c, checks=False)
    z = linkage(d, method="average")
    memb = fcluster(z, t=1.0 - threshold, criterion="distance")
    return np.unique(memb, return_inverse=True)[1].astype(np.int64)


def _mean_to_blocs(m: np.ndarray, memb: np.ndarray) -> np.ndarray:
    """Mean of ``m[i, j]`` over the members j of each bloc (i itself excluded)."""
    k = int(memb.max()) + 1
    onehot = np.eye(k)[memb]
    sums = (m - np.diag(np.diag(m))) @ onehot
    counts = onehot.sum(axis=0)[None, :] - onehot
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan)


def _merge_small(memb: np.ndarray, c: np.ndarray, min_size: int) -> np.ndarray:
    """Members of blocs smaller than ``min_size`` join the bloc they are most often
    co-assigned with (among the blocs large enough)."""
    sizes = np.bincount(memb)
    big = np.flatnonzero(sizes >= min_size)
    if len(big) == 0 or len(big) == len(sizes):
        return memb
    means = _mean_to_blocs(c, memb)[:, big]
    small = sizes[memb] < min_size
    memb = memb.copy()
    memb[small] = big[np.argmax(np.nan_to_num(means[small], nan=-1.0), axis=1)]
    return np.unique(memb, return_inverse=True)[1].astype(np.int64)


def _by_size(memb: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Renumber blocs 0, 1, ... by size (largest first; ties by smallest member code)."""
    k = int(memb.max()) + 1
    order = sorted(range(k), key=lambda b: (-int((memb == b).sum()), int(nodes[memb == b].min())))
    rank = np.empty(k, dtype=np.int64)
    rank[order] = np.arange(k)
    return rank[memb]


# -- labels ----------------------------------------------------------------------------------


def _cinc(year: int) -> dict[int, float]:
    """Each state's CINC in its latest NMC year up to ``year``."""
    from allyscope.store import open_warehouse

    df = open_warehouse().sql(
        "SELECT ccode, arg_max(cinc, year) AS cinc FROM cow_nmc "
        f"WHERE year <= {int(year)} AND cinc IS NOT NULL GROUP BY ccode"
    )
    return dict(zip(df["ccode"].to_list(), df["cinc"].to_list(), strict=True))


def _labels(memb: np.ndarray, nodes: np.ndarray, iso: dict[int, str], year: int, k: int):
    cinc = _cinc(year)
    out = {}
    for b in range(int(memb.max()) + 1):
        members = nodes[memb == b].tolist()
        top = sorted(members, key=lambda c: (-cinc.get(c, -1.0), c))[:k]
        out[b] = "/".join(iso.get(c) or str(c) for c in top)
    return out


# -- one year --------------------------------------------------------------------------------


def _modularity(n: int, iu: np.ndarray, ju: np.ndarray, w: np.ndarray, memb: np.ndarray) -> float:
    """Weighted Newman modularity of ``memb`` on the undirected graph (iu, ju, w)."""
    m = float(w.sum())
    if m <= 0:
        return 0.0
    strength = np.bincount(iu, weights=w, minlength=n) + np.bincount(ju, weights=w, minlength=n)
    inside = float(w[memb[iu] == memb[ju]].sum())
    tot = np.bincount(memb, weights=strength, minlength=int(memb.max()) + 1)
    return inside / m - float(np.sum((tot / (2 * m)) ** 2))


def _nanmean_to_blocs(a: np.ndarray, memb: np.ndarray) -> np.ndarray:
    """Mean of the non-null ``a[i, j]`` over the members j of each bloc."""
    onehot = np.eye(int(memb.max()) + 1)[memb]
    seen = ~np.isnan(a)
    sums = np.where(seen, a, 0.0) @ onehot
    counts = seen.astype(np.float64) @ onehot
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan)


class _YearGraph:
    """One year's affinity graph: nodes, ties and the affinity matrix."""

    def __init__(self, part: pl.DataFrame, col: str) -> None:
        e = part.drop_nulls(col)
        c1, c2 = e["ccode1"].to_numpy(), e["ccode2"].to_numpy()
        self.x = e[col].to_numpy().astype(np.float64)
        self.nodes = np.unique(np.concatenate([c1, c2]))
        self.n = len(self.nodes)
        self.iu, self.ju = np.searchsorted(self.nodes, c1), np.searchsorted(self.nodes, c2)
        self.a = np.full((self.n, self.n), np.nan)
        self.a[self.iu, self.ju] = self.x
        self.a[self.ju, self.iu] = self.x
        self.pos = self.x > 0

    def blocs(self, st: BlocSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(memberships, co-assignment matrix, moved) of the consensus blocs; ``moved``
        marks the states placed by affinity (see :func:`_place_unstable`)."""
        edges = np.column_stack([self.iu[self.pos], self.ju[self.pos]])
        c = consensus(_runs(self.n, edges, self.x[self.pos], st))
        memb = _merge_small(_cut(c, st.threshold), c, st.min_size)
        memb, moved = _place_unstable(memb, c, self.a, st.threshold)
        return _by_size(memb, self.nodes), c, moved


def _place_unstable(
    memb: np.ndarray, c: np.ndarray, a: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """A state the ensemble does not place firmly (mean co-assignment with its bloc below
    ``threshold``) joins the bloc with which its mean affinity is highest. One pass over
    the consensus blocs, so no move causes another."""
    n = len(memb)
    own_c = _mean_to_blocs(c, memb)[np.arange(n), memb]
    aff = _nanmean_to_blocs(a, memb)
    best = np.argmax(np.where(np.isnan(aff), -np.inf, aff), axis=1)
    gain = aff[np.arange(n), best] > np.nan_to_num(aff[np.arange(n), memb], nan=-np.inf)
    moved = (own_c < threshold) & (best != memb) & gain
    out = memb.copy()
    out[moved] = best[moved]
    return np.unique(out, return_inverse=True)[1].astype(np.int64), moved


def _stability(c: np.ndarray, memb: np.ndarray) -> tuple[np.ndarray, np.ndarray, list]:
    """Per state: mean co-assignment with its bloc and the margin over the next bloc;
    per bloc: the mean co-assignment of its pairs (cohesion)."""
    n, k = len(memb), int(memb.max()) + 1
    to_blocs = _mean_to_blocs(c, memb)
    own = to_blocs[np.arange(n), memb]
    others = to_blocs.copy()
    others[np.arange(n), memb] = -np.inf
    best_other = np.max(np.nan_to_num(others, nan=-np.inf), axis=1) if k > 1 else np.zeros(n)
    margin = own - np.where(np.isfinite(best_other), best_other, 0.0)
    cohesion = []
    for b in range(k):
        idx = np.flatnonzero(memb == b)
        sub = c[np.ix_(idx, idx)]
        cohesion.append(float(sub[~np.eye(len(idx), dtype=bool)].mean()) if len(idx) > 1 else None)
    return own, margin, cohesion


def _year(y: int, part: pl.DataFrame, col: str, st: BlocSettings, iso: dict[int, str]):
    if part.drop_nulls(col).height == 0:
        return None
    g = _YearGraph(part, col)
    memb, c, moved = g.blocs(st)
    own, margin, cohesion = _stability(c, memb)
    labels = _labels(memb, g.nodes, iso, y, st.label_members)
    sizes = np.bincount(memb)
    members = pl.DataFrame(
        {
            "year": pl.Series([y] * g.n, dtype=pl.Int32),
            "ccode": pl.Series(g.nodes, dtype=pl.Int32),
            "bloc": pl.Series(memb + 1, dtype=pl.Int32),
            "bloc_label": pl.Series([labels[int(b)] for b in memb], dtype=pl.String),
            "bloc_size": pl.Series(sizes[memb], dtype=pl.Int32),
            "stability": pl.Series(own, dtype=pl.Float64, nan_to_null=True),
            "margin": pl.Series(margin, dtype=pl.Float64, nan_to_null=True),
            "bloc_cohesion": pl.Series([cohesion[int(b)] for b in memb], dtype=pl.Float64),
            "placed_by": pl.Series(np.where(moved, "affinity", "consensus"), dtype=pl.String),
        }
    )
    same = memb[g.iu] == memb[g.ju]
    within = float(np.mean(g.x[same])) if same.any() else None
    between = float(np.mean(g.x[~same])) if (~same).any() else None
    order = np.argsort(-sizes, kind="stable")
    stats = {
        "year": y,
        "n_states": g.n,
        "n_blocs": len(sizes),
        "modularity": _modularity(g.n, g.iu[g.pos], g.ju[g.pos], g.x[g.pos], memb),
        "within_affinity": within,
        "between_affinity": between,
        "affinity_gap": None if within is None or between is None else within - between,
        "mean_stability": float(np.nanmean(own)) if np.isfinite(own).any() else None,
        "min_cohesion": min((v for v in cohesion if v is not None), default=None),
        "blocs": ", ".join(f"{labels[int(b)]} ({sizes[b]})" for b in order),
    }
    aff = _nanmean_to_blocs(g.a, memb)  # each state's mean affinity with each bloc
    return members, stats, aff


# -- all years -------------------------------------------------------------------------------


def _compute(y0: int, y1: int, st: BlocSettings) -> tuple[pl.DataFrame, pl.DataFrame]:
    col = f"un_{st.measure}"
    aff = L.un_affinity_table(st.measure).filter(pl.col("year").is_between(y0, y1))
    nodes = L.node_table((y0, y1)).select("year", "ccode", "iso3")
    for side in ("ccode1", "ccode2"):
        aff = aff.join(
            nodes.select("year", "ccode").rename({"ccode": side}), on=["year", side], how="semi"
        )
    members, stats = [], []
    for (y,), part in (
        aff.sort("year").partition_by("year", as_dict=True, maintain_order=True).items()
    ):
        iso = dict(nodes.filter(pl.col("year") == y).select("ccode", "iso3").iter_rows())
        r = _year(int(y), part, col, st, iso)
        if r is not None:
            aff_rows = [[None if np.isnan(v) else float(v) for v in row] for row in r[2]]
            members.append(
                r[0].with_columns(pl.Series("bloc_affinity", aff_rows, dtype=pl.List(pl.Float64)))
            )
            stats.append(r[1])
    if not members:
        raise InvalidInputError(f"no UN votes among COW states in {y0}-{y1}")
    mem = pl.concat(members)
    info = L.node_table((y0, y1)).select("year", "ccode", "iso3", "name")
    mem = mem.join(info, on=["year", "ccode"], how="left").select(
        "year", "ccode", "iso3", "name", pl.exclude("year", "ccode", "iso3", "name")
    )
    st_df = pl.DataFrame(stats, orient="row").with_columns(
        pl.col("year", "n_states", "n_blocs").cast(pl.Int32)
    )
    return mem.sort("year", "bloc", "ccode"), st_df


def _run(years: int | Sequence[int] | None, st: BlocSettings) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Blocs and polarization of the UN years in ``years`` (every UN year computed once
    per data version and settings, cached)."""
    from allyscope.settings import canonical_hash
    from allyscope.store import cached_table

    y0, y1 = _un_span(years)
    a, b = UN_YEARS
    params = {"settings": canonical_hash(st.__dict__), "years": [a, b], "v": 2}
    key = (L._warehouse_hash(), params["settings"])
    with _LOCK:
        hit = _MEMO.get(key)
    if hit is None:
        box: dict[str, pl.DataFrame] = {}

        def both() -> pl.DataFrame:
            if not box:
                box["m"], box["s"] = _compute(a, b, st)
            return box["m"]

        mem = cached_table("un_blocs_members", params, both)
        stats = cached_table("un_blocs_stats", params, lambda: (both(), box["s"])[1])
        hit = (mem, stats)
        with _LOCK:
            _MEMO.clear()
            _MEMO[key] = hit
    mem, stats = hit
    return (
        mem.filter(pl.col("year").is_between(y0, y1)),
        stats.filter(pl.col("year").is_between(y0, y1)),
    )


_MEMO: dict[tuple, tuple[pl.DataFrame, pl.DataFrame]] = {}
_LOCK = threading.Lock()


def _with_references(
    mem: pl.DataFrame, st: BlocSettings, reference: Sequence[str | int] | None = None
) -> pl.DataFrame:
    """``mem`` with each state's mean affinity with the bloc of every reference state
    (``affinity_<iso3>_bloc``) and, for two references, ``lean`` = first minus second."""
    from allyscope import codes

    refs = [codes.resolve(r) for r in (reference or st.reference_states)]
    cols = []
    for r in refs:
        rb = mem.filter(pl.col("ccode") == r).select("year", pl.col("bloc").alias("_rb"))
        name = f"affinity_{(codes.iso3(r) or str(r)).lower()}_bloc"
        mem = (
            mem.join(rb, on="year", how="left")
            .with_columns(
                pl.col("bloc_affinity").list.get(pl.col("_rb") - 1, null_on_oob=True).alias(name)
            )
            .drop("_rb")
        )
        cols.append(name)
    if len(cols) == 2:
        mem = mem.with_columns((pl.col(cols[0]) - pl.col(cols[1])).alias("lean"))
    return mem.drop("bloc_affinity")


def blocs(
    years: int | Sequence[int] | None = None, *, settings: BlocSettings | None = None
) -> pl.DataFrame:
    """Bloc membership per state-year: ``year, ccode, iso3, name, bloc`` (1 = the largest
    bloc that year), ``bloc_label`` (its members of largest capabilities), ``bloc_size``,
    ``stability`` (mean co-assignment with the bloc's other members), ``margin`` (over the
    next bloc), ``bloc_cohesion``, ``placed_by`` and the mean affinity with the bloc of
    each reference state (``affinity_usa_bloc``, ``affinity_chn_bloc``, ``lean``)."""
    st = _settings(settings)
    return _with_references(_run(years, st)[0], st)


def polarization(
    years: int | Sequence[int] | None = None, *, settings: BlocSettings | None = None
) -> pl.DataFrame:
    """Polarization per year: ``n_states, n_blocs, modularity, within_affinity,
    between_affinity, affinity_gap, mean_stability, min_cohesion, blocs``."""
    return _run(years, _settings(settings))[1]


def analyze(
    years: int | Sequence[int] | None = None, *, settings: BlocSettings | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Both tables at once: ``(blocs, polarization)`` (one computation)."""
    st = _settings(settings)
    mem, stats = _run(years, st)
    return _with_references(mem, st), stats


def bloc_position(
    state: str | int,
    years: int | Sequence[int] | None = None,
    *,
    reference: Sequence[str | int] | None = None,
    settings: BlocSettings | None = None,
) -> pl.DataFrame:
    """Where ``state`` sits each year: its bloc, stability and margin, and its mean
    affinity with the members of the bloc of each reference state (default: the
    settings' ``reference_states``), ``affinity_<iso3>_bloc``; with two references,
    ``lean`` = the first minus the second."""
    from allyscope import codes

    st = _settings(settings)
    mem = _run(years, st)[0]
    c = codes.resolve(state)
    if mem.filter(pl.col("ccode") == c).height == 0:
        raise InvalidInputError(
            f"{codes.name(c)} cast no UN votes as a COW state in the years asked for",
            "choose years in which the state was a UN member",
        )
    return _with_references(mem, st, reference).filter(pl.col("ccode") == c)


__all__ = ["UN_YEARS", "analyze", "bloc_position", "blocs", "consensus", "polarization"]
