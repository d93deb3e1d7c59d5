"""Voting blocs in the UN General Assembly, polarization over time, and where a state sits.

Each year, the states that voted form a weighted graph whose tie weights are their
positive UN voting affinity (Cohen's kappa by default: agreement beyond what each state's
own mix of yes, abstain and no votes would produce by chance; dyads at or below chance
get no tie). Communities are found with the Leiden algorithm maximizing modularity
(``leidenalg``, seeded: the same data and seed give the same blocs), or with networkx's
Louvain implementation. Blocs with fewer than ``min_size`` members (typically a state
that voted rarely) are dissolved: each of their members joins the bloc with which its
mean affinity is highest.

Blocs are labelled by the anchor states they contain: ``USA`` for the bloc with the
United States, ``CHN/RUS`` for one holding China and Russia (the Soviet Union before
1992), ``RUS`` or ``CHN`` if only one of them; blocs without an anchor are ``other-1``,
``other-2`` ... by size.

Polarization each year:

* ``modularity``: weighted modularity Q of the final partition on the affinity graph;
* ``affinity_gap``: mean affinity of pairs in the same bloc minus mean affinity of pairs in
  different blocs (raw measure, all dyads with shared votes).

:func:`bloc_position` gives a state's bloc and its mean affinity with the members of the
US bloc and of the China/Russia bloc.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from allyscope.errors import InvalidInputError, UnknownNameError
from allyscope.network import layers as L
from allyscope.sources.bounds import coverage

#: anchors that name blocs, in label order
ANCHORS: dict[str, tuple[int, ...]] = {"USA": (2,), "CHN": (710,), "RUS": (365,)}
METHODS = ("leiden", "louvain")
UN_YEARS = coverage("un_votes")


@dataclass(frozen=True)
class _YearResult:
    members: pl.DataFrame
    stats: dict


def _check(method: str, measure: str, min_size: int, resolution: float) -> None:
    if method not in METHODS:
        raise UnknownNameError("community detection method", method, METHODS)
    if measure not in L.UN_MEASURES:
        raise UnknownNameError("UN affinity measure", measure, L.UN_MEASURES)
    if min_size < 1:
        raise InvalidInputError(f"min_size must be at least 1, got {min_size}")
    if resolution <= 0:
        raise InvalidInputError(f"resolution must be positive, got {resolution}")


def _un_span(years: int | Sequence[int] | None) -> tuple[int, int]:
    if years is None:
        return UN_YEARS
    y0, y1 = L.check_years(years) if not isinstance(years, int) else (years, years)
    if y1 < UN_YEARS[0] or y0 > UN_YEARS[1]:
        raise InvalidInputError(
            f"no UN votes in {y0}-{y1}", f"the UN voting data cover {UN_YEARS[0]}-{UN_YEARS[1]}"
        )
    return (max(y0, UN_YEARS[0]), min(y1, UN_YEARS[1]))


def _partition(
    n: int,
    iu: np.ndarray,
    ju: np.ndarray,
    w: np.ndarray,
    method: str,
    seed: int,
    resolution: float,
) -> np.ndarray:
    keep = w > 0
    if method == "leiden":
        import igraph as ig
        import leidenalg as la

        g = ig.Graph(n=n, edges=np.column_stack([iu[keep], ju[keep]]).tolist())
        g.es["weight"] = w[keep].tolist()
        part = la.find_partition(
            g,
            la.RBConfigurationVertexPartition,
            weights="weight",
            resolution_parameter=resolution,
            seed=seed,
            n_iterations=-1,
        )
        return np.asarray(part.membership, dtype=np.int64)
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(
        zip(iu[keep].tolist(), ju[keep].tolist(), w[keep].tolist(), strict=True)
    )
    comms = nx.community.louvain_communities(g, weight="weight", resolution=resolution, seed=seed)
    memb = np.empty(n, dtype=np.int64)
    for k, c in enumerate(sorted(comms, key=lambda s: (-len(s), min(s)))):
        memb[list(c)] = k
    return memb


def _merge_small(memb: np.ndarray, a: np.ndarray, min_size: int) -> np.ndarray:
    """Move members of blocs smaller than ``min_size`` to the bloc of highest mean affinity."""
    sizes = np.bincount(memb)
    big = np.flatnonzero(sizes >= min_size)
    if len(big) == 0 or len(big) == len(sizes):
        return memb
    memb = memb.copy()
    small_nodes = np.flatnonzero(sizes[memb] < min_size)
    # mean affinity of each small-bloc node with each big bloc (nan-aware)
    means = np.full((len(small_nodes), len(big)), -np.inf)
    for j, b in enumerate(big):
        cols = np.flatnonzero(memb == b)
        block = a[np.ix_(small_nodes, cols)]
        with np.errstate(invalid="ignore"):
            cnt = np.sum(~np.isnan(block), axis=1)
            s = np.nansum(block, axis=1)
        means[:, j] = np.where(cnt > 0, s / np.maximum(cnt, 1), -np.inf)
    memb[small_nodes] = big[np.argmax(means, axis=1)]
    # renumber 0..k-1
    _, memb = np.unique(memb, return_inverse=True)
    return memb


def _labels(memb: np.ndarray, nodes: np.ndarray) -> dict[int, str]:
    sizes = np.bincount(memb)
    labels: dict[int, str] = {}
    anchor_of: dict[int, list[str]] = {}
    for name, codes_ in ANCHORS.items():
        for c in codes_:
            hit = np.flatnonzero(nodes == c)
            if len(hit):
                anchor_of.setdefault(int(memb[hit[0]]), []).append(name)
    for b, names in anchor_of.items():
        if names == ["USA"]:
            labels[b] = "USA"
        elif set(names) == {"CHN", "RUS"}:
            labels[b] = "CHN/RUS"
        else:
            labels[b] = "+".join(names)
    others = sorted((b for b in range(len(sizes)) if b not in labels), key=lambda b: -sizes[b])
    for i, b in enumerate(others, start=1):
        labels[b] = f"other-{i}"
    return labels


def _one_year(
    year: int,
    aff: pl.DataFrame,
    measure: str,
    method: str,
    seed: int,
    resolution: float,
    min_size: int,
) -> _YearResult | None:
    col = f"un_{measure}"
    e = aff.drop_nulls(col)
    if e.height == 0:
        return None
    c1 = e["ccode1"].to_numpy()
    c2 = e["ccode2"].to_numpy()
    x = e[col].to_numpy().astype(np.float64)
    nodes = np.unique(np.concatenate([c1, c2]))
    n = len(nodes)
    iu = np.searchsorted(nodes, c1)
    ju = np.searchsorted(nodes, c2)
    a = np.full((n, n), np.nan)
    a[iu, ju] = x
    a[ju, iu] = x
    w = np.clip(x, 0.0, None)
    memb = _partition(n, iu, ju, w, method, seed, resolution)
    memb = _merge_small(memb, a, min_size)
    labels = _labels(memb, nodes)
    # polarization
    same = memb[iu] == memb[ju]
    within = float(np.mean(x[same])) if same.any() else None
    between = float(np.mean(x[~same])) if (~same).any() else None
    q = _modularity(n, iu, ju, w, memb)
    sizes = np.bincount(memb)
    lab_arr = np.array([labels[int(b)] for b in memb], dtype=object)
    members = pl.DataFrame(
        {
            "year": pl.Series([year] * n, dtype=pl.Int32),
            "ccode": pl.Series(nodes, dtype=pl.Int32),
            "bloc": pl.Series(memb + 1, dtype=pl.Int32),
            "bloc_label": pl.Series(lab_arr.tolist(), dtype=pl.String),
            "bloc_size": pl.Series(sizes[memb], dtype=pl.Int32),
        }
    )
    # mean affinity of every state with the US bloc and the China/Russia bloc
    usa_b, cr_b = _anchor_blocs(memb, nodes)
    for b, colname in ((usa_b, "affinity_usa_bloc"), (cr_b, "affinity_chn_rus_bloc")):
        vals = np.full(n, np.nan)
        if b is not None:
            mask = memb == b
            block = a[:, mask]
            cnt = np.sum(~np.isnan(block), axis=1)
            s = np.nansum(block, axis=1)
            vals = np.where(cnt > 0, s / np.maximum(cnt, 1), np.nan)
        members = members.with_columns(pl.Series(colname, vals, dtype=pl.Float64, nan_to_null=True))
    usa_size = int(sizes[usa_b]) if usa_b is not None else None
    cr_size = int(sizes[cr_b]) if cr_b is not None else None
    stats = {
        "year": year,
        "n_states": n,
        "n_blocs": len(sizes),
        "modularity": q,
        "within_affinity": within,
        "between_affinity": between,
        "affinity_gap": (within - between) if within is not None and between is not None else None,
        "usa_bloc_size": usa_size,
        "chn_rus_bloc_size": cr_size,
        "blocs": ", ".join(f"{labels[b]} ({sizes[b]})" for b in np.argsort(-sizes, kind="stable")),
    }
    return _YearResult(members, stats)


def _anchor_blocs(memb: np.ndarray, nodes: np.ndarray) -> tuple[int | None, int | None]:
    """The bloc holding the United States, and the China/Russia bloc: the bloc holding
    China unless China sits with the United States, else the one holding Russia (None
    where no such bloc exists, e.g. when both sit with the United States)."""

    def bloc_of(c: int) -> int | None:
        hit = np.flatnonzero(nodes == c)
        return int(memb[hit[0]]) if len(hit) else None

    usa = bloc_of(2)
    cr = None
    for c in (710, 365):
        b = bloc_of(c)
        if b is not None and b != usa:
            cr = b
            break
    return usa, cr


def _modularity(n: int, iu: np.ndarray, ju: np.ndarray, w: np.ndarray, memb: np.ndarray) -> float:
    """Weighted Newman modularity of ``memb`` on the undirected graph (iu, ju, w)."""
    m = float(w.sum())
    if m <= 0:
        return 0.0
    strength = np.bincount(iu, weights=w, minlength=n) + np.bincount(ju, weights=w, minlength=n)
    inside = float(w[memb[iu] == memb[ju]].sum())
    k = int(memb.max()) + 1
    tot = np.bincount(memb, weights=strength, minlength=k)
    return inside / m - float(np.sum((tot / (2 * m)) ** 2))


def _run(
    years: int | Sequence[int] | None,
    measure: str,
    method: str,
    seed: int,
    resolution: float,
    min_size: int,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    _check(method, measure, min_size, resolution)
    y0, y1 = _un_span(years)
    aff = L.un_affinity_table(measure).filter(pl.col("year").is_between(y0, y1))
    # only states in the COW system that year (as in the network layers)
    nodes = L.node_table((y0, y1)).select("year", "ccode")
    for side in ("ccode1", "ccode2"):
        aff = aff.join(nodes.rename({"ccode": side}), on=["year", side], how="semi")
    members, stats = [], []
    for (y,), part in (
        aff.sort("year").partition_by("year", as_dict=True, maintain_order=True).items()
    ):
        r = _one_year(int(y), part, measure, method, seed, resolution, min_size)
        if r is not None:
            members.append(r.members)
            stats.append(r.stats)
    if not members:
        raise InvalidInputError(f"no UN votes among COW states in {y0}-{y1}")
    mem = pl.concat(members)
    info = L.node_table((y0, y1)).select("year", "ccode", "iso3", "name")
    mem = (
        mem.join(info, on=["year", "ccode"], how="left")
        .select(
            "year",
            "ccode",
            "iso3",
            "name",
            "bloc",
            "bloc_label",
            "bloc_size",
            "affinity_usa_bloc",
            "affinity_chn_rus_bloc",
        )
        .sort("year", "bloc", "ccode")
    )
    st = pl.DataFrame(stats, orient="row").with_columns(
        pl.col("year", "n_states", "n_blocs", "usa_bloc_size", "chn_rus_bloc_size").cast(pl.Int32)
    )
    return mem, st


def blocs(
    years: int | Sequence[int] | None = None,
    *,
    measure: str = L.DEFAULT_UN_MEASURE,
    method: str = "leiden",
    seed: int = 0,
    resolution: float = 1.0,
    min_size: int = 3,
) -> pl.DataFrame:
    """Bloc membership per state-year: ``year, ccode, iso3, name, bloc`` (1 = the first
    bloc found), ``bloc_label`` (anchor-based, see the module documentation),
    ``bloc_size``, ``affinity_usa_bloc`` and ``affinity_chn_rus_bloc`` (the state's mean
    affinity with the members of those blocs, itself excluded)."""
    return _run(years, measure, method, seed, resolution, min_size)[0]


def polarization(
    years: int | Sequence[int] | None = None,
    *,
    measure: str = L.DEFAULT_UN_MEASURE,
    method: str = "leiden",
    seed: int = 0,
    resolution: float = 1.0,
    min_size: int = 3,
) -> pl.DataFrame:
    """Polarization per year: ``n_states, n_blocs, modularity, within_affinity,
    between_affinity, affinity_gap, usa_bloc_size, chn_rus_bloc_size, blocs``."""
    return _run(years, measure, method, seed, resolution, min_size)[1]


def bloc_position(
    state: str | int,
    years: int | Sequence[int] | None = None,
    *,
    members: pl.DataFrame | None = None,
    **options,
) -> pl.DataFrame:
    """Where ``state`` sits each year: its bloc label and its mean affinity with the US
    bloc and with the China/Russia bloc (``lean`` = the difference, positive toward the
    US bloc). ``members`` reuses a table from :func:`blocs` / :func:`analyze`."""
    from allyscope import codes

    mem = members if members is not None else blocs(years, **options)
    c = codes.resolve(state)
    out = mem.filter(pl.col("ccode") == c)
    if out.height == 0:
        raise InvalidInputError(
            f"{codes.name(c)} cast no UN votes as a COW state in the years asked for",
            "choose years in which the state was a UN member",
        )
    return out.with_columns(
        (pl.col("affinity_usa_bloc") - pl.col("affinity_chn_rus_bloc")).alias("lean")
    ).drop("bloc")


def analyze(
    years: int | Sequence[int] | None = None, **options
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Both tables at once: ``(blocs, polarization)`` (one detection run)."""
    o = {
        "measure": L.DEFAULT_UN_MEASURE,
        "method": "leiden",
        "seed": 0,
        "resolution": 1.0,
        "min_size": 3,
        **options,
    }
    return _run(years, o["measure"], o["method"], o["seed"], o["resolution"], o["min_size"])


__all__ = ["ANCHORS", "METHODS", "analyze", "bloc_position", "blocs", "polarization"]
