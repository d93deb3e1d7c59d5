"""The layers of the alliance network and their one-pass data preparation.

Every layer is a set of undirected ties between states that are both in the Correlates of
War state system in a year (``ccode1 < ccode2``). All layers for all years are prepared in
one vectorized pass (:func:`dyad_table`): the non-directed dyad-year panel of
:mod:`allyscope.panel` with the ``atop``, ``igo``, ``mme`` and ``us_troops`` add-ons, UN
voting affinity from :mod:`allyscope.un` and the institutionalization index of the curated
groupings from :mod:`allyscope.mechanisms`. :func:`layer_edges` then selects the ties of
one layer; graphs are built from those tables year by year (:mod:`allyscope.network.graphs`).

Layers (see ``docs/network.md`` for the full definitions):

``defense``
    an ATOP defense obligation in force between the two states. peacesciencer's
    ``atop_alliance`` table is *directed* (obligations of ``ccode1`` toward ``ccode2``, both
    orders listed, sometimes asymmetric: the United States owes Japan defense, Japan owes
    the United States consultation only). The undirected tie exists if *either* side has a
    defense obligation; the edge attribute ``atop_defense_mutual`` is 1 if both do.
``atop_other``
    an offense, neutrality, non-aggression or consultation obligation but no defense one.
``igo``
    joint full membership in at least one IGO; weight = the number of such IGOs.
``un_affinity``
    UN General Assembly voting affinity above chance (Cohen's kappa > 0 by default);
    weight = the affinity.
``un_affinity_top``
    the thresholded variant: dyads whose affinity is at or above the year's 90th
    percentile (or an absolute threshold).
``exercises``
    at least one joint multinational military exercise (MME) that year; weight = count.
``us_troops``
    the United States and each state hosting US active-duty troops; weight = troops.
``mechanisms``
    the two states share at least one curated cooperation grouping (the ``mechanisms``
    panel add-on) with a positive institutionalization index that year; weight = the
    highest index among the shared groupings (0-100).

A layer is *covered* in a year if its source has data for that year; outside coverage a
layer's graph has no ties and is marked ``covered = False`` and its metrics are null:
missing is not zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from allyscope.errors import InvalidInputError, UnknownNameError
from allyscope.sources.bounds import coverage, current_year

US = 2
#: the default span of the yearly networks: UN votes' first year to ATOP's last
DEFAULT_YEARS: tuple[int, int] = (coverage("un_votes")[0], coverage("atop_alliance")[1])
#: the last year of the COW state list; later years extend the list (panel ``mry``)
COW_LIST_END = coverage("state_system")[1]
UN_MEASURES: tuple[str, ...] = ("kappa", "pi", "s_score", "agree", "kappa_w", "pi_w")
DEFAULT_UN_MEASURE = "kappa"
DEFAULT_UN_QUANTILE = 0.9


@dataclass(frozen=True)
class Layer:
    """One layer: name, what a tie means, what the weight is, where it comes from."""

    name: str
    title: str
    definition: str
    weight: str
    sources: tuple[str, ...]
    weighted: bool


LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        Layer(
            "defense",
            "ATOP defense obligations",
            "either state has an ATOP defense obligation toward the other that year",
            "1 (atop_defense_mutual: 1 if both directions carry the obligation)",
            ("atop_alliance",),
            False,
        ),
        Layer(
            "atop_other",
            "Other ATOP obligations",
            "an ATOP offense, neutrality, non-aggression or consultation obligation, "
            "but no defense obligation",
            "1 (atop_offense, atop_neutral, atop_nonagg, atop_consul flag the types)",
            ("atop_alliance",),
            False,
        ),
        Layer(
            "igo",
            "Joint IGO memberships",
            "both states are full members of at least one intergovernmental organization",
            "number of joint full IGO memberships (COW IGO 3)",
            ("cow_igo_ndy",),
            True,
        ),
        Layer(
            "un_affinity",
            "UN voting affinity",
            "the two states' UN General Assembly votes agree more than chance (affinity > 0)",
            "the affinity (Cohen's kappa by default)",
            ("un_votes", "un_roll_calls"),
            True,
        ),
        Layer(
            "un_affinity_top",
            "UN voting affinity, thresholded",
            "the dyad's UN voting affinity is at or above the year's 90th percentile "
            "(or a given absolute threshold)",
            "the affinity",
            ("un_votes", "un_roll_calls"),
            True,
        ),
        Layer(
            "exercises",
            "Joint military exercises",
            "the two states took part in at least one multinational military exercise "
            "together that year (MME)",
            "number of joint exercises",
            ("mme_exercises",),
            True,
        ),
        Layer(
            "us_troops",
            "US troop presence",
            "a tie between the United States and each state hosting US active-duty "
            "military personnel that year",
            "number of US troops in the host state",
            ("us_troops",),
            True,
        ),
        Layer(
            "mechanisms",
            "Cooperation mechanisms",
            "both states are members of a curated cooperation grouping whose "
            "institutionalization index is positive that year",
            "institutionalization index (0-100; the highest over shared groupings)",
            (),
            True,
        ),
    )
}


def layer_names() -> list[str]:
    return list(LAYERS)


def get_layer(name: str) -> Layer:
    key = str(name).strip().lower().replace("-", "_")
    if key not in LAYERS:
        raise UnknownNameError("network layer", str(name), LAYERS, "layers: " + ", ".join(LAYERS))
    return LAYERS[key]


def check_layers(layers: str | Iterable[str] | None) -> list[str]:
    """Normalize a layer selection (``None``: every layer; ``"defense,igo"``)."""
    if layers is None:
        return list(LAYERS)
    items = layers.replace(",", " ").split() if isinstance(layers, str) else list(layers)
    out = [get_layer(x).name for x in items if str(x).strip()]
    if not out:
        raise InvalidInputError("no network layer given", "layers: " + ", ".join(LAYERS))
    return list(dict.fromkeys(out))


def check_years(years: int | Sequence[int] | range | None) -> tuple[int, int]:
    """``None`` -> :data:`DEFAULT_YEARS`; an int -> that year; a pair or range -> (first,
    last)."""
    if years is None:
        return DEFAULT_YEARS
    if isinstance(years, int):
        y0 = y1 = years
    elif isinstance(years, range):
        if len(years) == 0:
            raise InvalidInputError("empty year range", "e.g. years=(1990, 2018)")
        y0, y1 = years[0], years[-1]
    else:
        ys = list(years)
        if len(ys) != 2:
            raise InvalidInputError(
                f"years must be one year or a (first, last) pair, got {years!r}",
                "e.g. years=(1990, 2018)",
            )
        y0, y1 = int(ys[0]), int(ys[1])
    if y0 > y1:
        raise InvalidInputError(f"the year range {y0}-{y1} is inverted", f"did you mean {y1}-{y0}?")
    first, last = coverage("state_system")[0], current_year()
    if y0 < first or y1 > last:
        atop1 = coverage("atop_alliance")[1]
        raise InvalidInputError(
            f"years {y0}-{y1} are outside the data ({first}-{last})",
            f"the networks cover {first}-{atop1} (ATOP); UN votes start in "
            f"{coverage('un_votes')[0]}",
        )
    return (int(y0), int(y1))


def _mry(y1: int) -> int | bool:
    return y1 if y1 > COW_LIST_END else False


# -- nodes ---------------------------------------------------------------------------------


def node_table(years: int | Sequence[int] | None = None) -> pl.DataFrame:
    """The states in the COW system each year: ``year, ccode, stateabb, name, iso3``.

    Years after the end of the COW list (2024) keep the states alive at its end.
    """
    from allyscope import codes
    from allyscope.panel import state_years

    y0, y1 = check_years(years)
    sy = state_years(years=(y0, y1), mry=_mry(y1)).df
    cw = codes.crosswalk().select("ccode", "year", "stateabb", "name", "iso3")
    # years after the crosswalk's last reuse a state's last row
    last = cw.sort("year").group_by("ccode").last().drop("year")
    out = sy.join(cw, on=["ccode", "year"], how="left").join(
        last, on="ccode", how="left", suffix="_last"
    )
    return out.select(
        pl.col("year").cast(pl.Int32),
        pl.col("ccode").cast(pl.Int32),
        pl.coalesce("stateabb", "stateabb_last").alias("stateabb"),
        pl.coalesce("name", "name_last").alias("name"),
        pl.coalesce("iso3", "iso3_last").alias("iso3"),
    ).sort("year", "ccode")


# -- the one-pass dyad table ----------------------------------------------------------------


def _atop_direction() -> pl.DataFrame:
    """Per non-directed dyad-year: 1 if the defense obligation runs both ways."""
    from allyscope.store import open_warehouse

    return open_warehouse().sql(
        "SELECT least(ccode1, ccode2)::INTEGER AS ccode1, "
        "greatest(ccode1, ccode2)::INTEGER AS ccode2, year::INTEGER AS year, "
        "(count(*) FILTER (WHERE atop_defense = 1) = 2)::TINYINT AS atop_defense_mutual "
        "FROM atop_alliance GROUP BY ALL"
    )


def _un_all_measures() -> pl.DataFrame:
    """Every UN affinity measure per non-directed dyad-year over all roll calls, from
    :func:`allyscope.un.affinity` (cached by the UN module), memoized in this process."""
    key = ("un", _warehouse_hash())
    df = _UN_MEMO.get(key)
    if df is None:
        from allyscope import un

        aff = un.affinity(issues="all", measures=list(UN_MEASURES))
        df = aff.select(
            pl.col("ccode1").cast(pl.Int32),
            pl.col("ccode2").cast(pl.Int32),
            pl.col("year").cast(pl.Int32),
            *[pl.col(m).cast(pl.Float64).alias(f"un_{m}") for m in UN_MEASURES],
            pl.col("n_votes").cast(pl.Int32).alias("un_n_votes"),
        ).sort("year", "ccode1", "ccode2")
        _UN_MEMO.clear()
        _UN_MEMO[key] = df
    return df


_UN_MEMO: dict[tuple[str, str], pl.DataFrame] = {}


def un_cache_version() -> str:
    """The ideal-point settings the UN columns use (part of our cache keys)."""
    from allyscope.un import api

    return str(sorted(api.IDEALPOINT_DEFAULTS.items()))


def un_affinity_table(measure: str = DEFAULT_UN_MEASURE) -> pl.DataFrame:
    """UN voting affinity per non-directed dyad-year (all roll calls):
    ``ccode1, ccode2, year, un_<measure>, un_n_votes`` (cached)."""
    if measure not in UN_MEASURES:
        raise UnknownNameError("UN affinity measure", measure, UN_MEASURES)
    return _un_all_measures().select("ccode1", "ccode2", "year", f"un_{measure}", "un_n_votes")


def un_years() -> list[int]:
    """Years with recorded UN General Assembly votes."""
    return sorted(un_affinity_table()["year"].unique().to_list())


def mechanisms_table(years: int | Sequence[int] | None = None) -> pl.DataFrame:
    """Dyad-years of states that share curated cooperation groupings, from the
    ``mechanisms`` panel add-on's table: ``ccode1, ccode2, year, mech_groupings`` (number
    of shared groupings) and ``mech_max_index`` (the highest institutionalization index
    among them, 0-100), for dyad-years with at least one shared grouping."""
    from allyscope.mechanisms.panel_addons import dyad_table as mech_dyads

    y0, y1 = check_years(years)
    return (
        mech_dyads()
        .filter(pl.col("year").is_between(y0, y1) & (pl.col("mech_groupings") > 0))
        .select(
            pl.col("ccode1").cast(pl.Int32),
            pl.col("ccode2").cast(pl.Int32),
            pl.col("year").cast(pl.Int32),
            pl.col("mech_groupings").cast(pl.Int32),
            pl.col("mech_max_index").cast(pl.Float64),
        )
        .sort("year", "ccode1", "ccode2")
    )


def mechanisms_years() -> list[int]:
    """Years covered by the curated mechanism records."""
    from allyscope.mechanisms.panel_addons import COVERAGE
    from allyscope.mechanisms.panel_addons import dyad_table as mech_dyads

    last = mech_dyads()["year"].max()
    end = min(COVERAGE[1], int(last)) if last is not None else COVERAGE[1]
    return list(range(COVERAGE[0], end + 1))


def with_mechanisms(df: pl.DataFrame) -> pl.DataFrame:
    """Add ``mech_groupings`` and ``mech_max_index`` to a dyad table: 0 for dyads without a
    shared curated grouping inside the records' coverage, null outside it."""
    covered = mechanisms_years()
    m = mechanisms_table()
    out = df.join(m, on=["ccode1", "ccode2", "year"], how="left")
    inside = pl.col("year").is_in(covered)
    return out.with_columns(
        pl.when(inside).then(pl.col("mech_groupings").fill_null(0)).alias("mech_groupings"),
        pl.when(inside).then(pl.col("mech_max_index").fill_null(0.0)).alias("mech_max_index"),
    )


def dyad_table(years: int | Sequence[int] | None = None) -> pl.DataFrame:
    """Every non-directed dyad-year of COW system members with the raw variables of all
    layers, prepared in one pass (cached per data version).

    Columns: ``ccode1 < ccode2, year``, ATOP obligations (``atop_defense`` ... ``atop_any``,
    ``atop_defense_mutual``), ``cow_igo_joint``, ``mme_joint_exercises``, ``us_troops1``,
    ``us_troops2``, ``us_troops_partner``, UN affinity (``un_kappa``, ``un_agree``,
    ``un_n_votes`` ...). Variables are null in years outside their source's coverage.
    The curated mechanisms are not included (see :func:`with_mechanisms`): they change
    with the record files, not with the warehouse, so they are joined when needed.
    """
    from allyscope.store import cached_table

    y0, y1 = check_years(years)

    # one table for the default span (or wider) serves every request inside it
    a, b = full_span(y0, y1)
    key = (_warehouse_hash(), a, b)
    df = _MEMO.get(key)
    if df is None:
        df = cached_table(
            "network_dyads",
            {"years": [a, b], "un": un_cache_version()},
            lambda: _compute_dyad_table(a, b),
        )
        _MEMO.clear()
        _MEMO[key] = df
    return df if (a, b) == (y0, y1) else df.filter(pl.col("year").is_between(y0, y1))


_MEMO: dict[tuple[str, int, int], pl.DataFrame] = {}


def full_span(y0: int, y1: int) -> tuple[int, int]:
    """The span a cached table is computed for: the default years, widened if needed."""
    return (min(y0, DEFAULT_YEARS[0]), max(y1, DEFAULT_YEARS[1]))


def _warehouse_hash() -> str:
    from allyscope.store import open_warehouse

    return open_warehouse().data_hash


def _compute_dyad_table(y0: int, y1: int) -> pl.DataFrame:
    from allyscope.panel import dyad_years

    p = dyad_years(years=(y0, y1), mry=_mry(y1))
    for name in ("atop", "igo", "mme", "us_troops"):
        try:
            p = p.add(name)
        except Exception as exc:  # an add-on that does not cover these years
            from allyscope.panel.addons import AddOnError

            if not isinstance(exc, AddOnError):
                raise
    df = p.df
    for col in ("cow_igo_joint", "mme_joint_exercises", "us_troops1", "us_troops2"):
        if col not in df.columns:
            df = df.with_columns(pl.lit(None, pl.Int32).alias(col))
    if "us_troops_partner" not in df.columns:
        df = df.with_columns(pl.lit(None, pl.Int32).alias("us_troops_partner"))
    df = df.join(_atop_direction(), on=["ccode1", "ccode2", "year"], how="left").with_columns(
        pl.when(pl.col("atop_defense").is_null())
        .then(None)
        .otherwise(pl.col("atop_defense_mutual").fill_null(0))
        .alias("atop_defense_mutual")
    )
    un_cols = [f"un_{m}" for m in UN_MEASURES]
    un = _un_all_measures().filter(pl.col("year").is_between(y0, y1))
    df = df.join(un, on=["ccode1", "ccode2", "year"], how="left")
    return df.select(
        pl.col("ccode1").cast(pl.Int32),
        pl.col("ccode2").cast(pl.Int32),
        pl.col("year").cast(pl.Int32),
        *[pl.col(c).cast(pl.Int8) for c in _ATOP_COLS],
        pl.col("atop_defense_mutual").cast(pl.Int8),
        pl.col("cow_igo_joint").cast(pl.Int32),
        pl.col("mme_joint_exercises").cast(pl.Int32),
        pl.col("us_troops1").cast(pl.Int32),
        pl.col("us_troops2").cast(pl.Int32),
        pl.col("us_troops_partner").cast(pl.Int32),
        *[pl.col(c).cast(pl.Float64) for c in un_cols],
        pl.col("un_n_votes").cast(pl.Int32),
    ).sort("year", "ccode1", "ccode2")


_ATOP_COLS = (
    "atop_defense",
    "atop_offense",
    "atop_neutral",
    "atop_nonagg",
    "atop_consul",
    "atop_any",
)


# -- coverage ------------------------------------------------------------------------------

#: source coverage of each layer (first, last year); UN and mechanisms are checked per year
_COVERAGE: dict[str, tuple[int, int]] = {
    "defense": coverage("atop_alliance"),
    "atop_other": coverage("atop_alliance"),
    "igo": coverage("cow_igo_ndy"),
    "un_affinity": coverage("un_votes"),
    "un_affinity_top": coverage("un_votes"),
    "exercises": coverage("mme_exercises"),
    "us_troops": coverage("troops"),
}


def covered_years(layer: str, years: int | Sequence[int] | None = None) -> list[int]:
    """The years in ``years`` for which ``layer``'s source has data."""
    name = get_layer(layer).name
    y0, y1 = check_years(years)
    if name == "mechanisms":
        return [y for y in mechanisms_years() if y0 <= y <= y1]
    a, b = _COVERAGE[name]
    ys = list(range(max(a, y0), min(b, y1) + 1))
    if name.startswith("un_"):
        have = set(un_years())
        ys = [y for y in ys if y in have]
    return ys


# -- edges of one layer --------------------------------------------------------------------


def layer_edges(
    layer: str,
    years: int | Sequence[int] | None = None,
    *,
    un_measure: str = DEFAULT_UN_MEASURE,
    un_quantile: float = DEFAULT_UN_QUANTILE,
    un_threshold: float | None = None,
    table: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The ties of one layer in ``years``: ``ccode1 < ccode2, year, weight`` and the
    layer's attribute columns, sorted by year.

    ``un_measure`` picks the UN affinity measure (kappa, pi, s_score, agree ...);
    ``un_quantile`` / ``un_threshold`` set the cut of ``un_affinity_top`` (the year's
    quantile, or an absolute value of the measure). ``table`` reuses a
    :func:`dyad_table` already in memory.
    """
    name = get_layer(layer).name
    y0, y1 = check_years(years)
    if un_measure not in UN_MEASURES:
        raise UnknownNameError("UN affinity measure", un_measure, UN_MEASURES)
    if not 0 < un_quantile < 1:
        raise InvalidInputError(
            f"un_quantile must be between 0 and 1, got {un_quantile}", "e.g. 0.9"
        )
    if name == "mechanisms":
        m = mechanisms_table((y0, y1)).filter(pl.col("mech_max_index") > 0)
        # keep pairs of states in the system that year
        nodes = node_table((y0, y1)).select("year", "ccode")
        for side in ("ccode1", "ccode2"):
            m = m.join(nodes.rename({"ccode": side}), on=["year", side], how="semi")
        return m.select(
            "ccode1",
            "ccode2",
            "year",
            pl.col("mech_max_index").alias("weight"),
            "mech_max_index",
            "mech_groupings",
        ).sort("year", "ccode1", "ccode2")
    df = table if table is not None else dyad_table((y0, y1))
    df = df.filter(pl.col("year").is_between(y0, y1))
    key = ["ccode1", "ccode2", "year"]
    if name == "defense":
        out = df.filter(pl.col("atop_defense") == 1).select(
            *key, pl.lit(1.0).alias("weight"), "atop_defense_mutual"
        )
    elif name == "atop_other":
        other = ["atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"]
        out = df.filter((pl.col("atop_defense") == 0) & (pl.col("atop_any") == 1)).select(
            *key, pl.lit(1.0).alias("weight"), *other
        )
    elif name == "igo":
        out = df.filter(pl.col("cow_igo_joint") > 0).select(
            *key, pl.col("cow_igo_joint").cast(pl.Float64).alias("weight"), "cow_igo_joint"
        )
    elif name == "exercises":
        out = df.filter(pl.col("mme_joint_exercises") > 0).select(
            *key,
            pl.col("mme_joint_exercises").cast(pl.Float64).alias("weight"),
            "mme_joint_exercises",
        )
    elif name == "us_troops":
        out = df.filter(pl.col("us_troops_partner") > 0).select(
            *key,
            pl.col("us_troops_partner").cast(pl.Float64).alias("weight"),
            pl.col("us_troops_partner").alias("us_troops"),
        )
    else:  # UN layers
        col = f"un_{un_measure}"
        un = df.filter(pl.col(col).is_not_null())
        if name == "un_affinity":
            un = un.filter(pl.col(col) > 0)
        elif un_threshold is not None:
            un = un.filter(pl.col(col) >= un_threshold)
        else:
            un = un.filter(pl.col(col) >= pl.col(col).quantile(un_quantile, "linear").over("year"))
        out = un.select(*key, pl.col(col).alias("weight"), col, "un_n_votes")
    return out.sort("year", "ccode1", "ccode2")


__all__ = [
    "DEFAULT_YEARS",
    "LAYERS",
    "UN_MEASURES",
    "Layer",
    "check_layers",
    "check_years",
    "covered_years",
    "dyad_table",
    "get_layer",
    "layer_edges",
    "layer_names",
    "mechanisms_table",
    "node_table",
    "un_affinity_table",
]
