"""The layers of the alliance network and their one-pass data preparation.

Every layer is a set of undirected ties between states that are both in the Correlates of
War state system in a year (``ccode1 < ccode2``). All layers for all years are prepared in
one vectorized pass (:func:`dyad_table`): the non-directed dyad-year panel of
:mod:`allyscope.panel` with the ``atop_extended``, ``igo``, ``mme``, ``us_troops`` and
``tss_rivalries`` add-ons, arms-transfer dependence (SIPRI), defense cooperation
agreements (DCAD) and UN voting affinity from :mod:`allyscope.un`. The curated
cooperation groupings (:func:`mechanisms_table`) and the exercise ties, whose weighting
is a setting (:func:`exercise_ties`), are joined when needed. :func:`layer_edges` selects
the ties of one layer; graphs are built from those tables year by year
(:mod:`allyscope.network.graphs`).

Layers (see ``docs/network.md`` for the full definitions):

``defense``
    an ATOP defense obligation in force between the two states; after ATOP's last year
    (2018) the obligations in force are carried forward and the sourced alliance records
    add and end obligations (``atop_source`` says which). peacesciencer's
    ``atop_alliance`` table is *directed* (the United States owes Japan defense, Japan owes
    the United States consultation only); the undirected tie exists if *either* side has
    a defense obligation, and ``atop_defense_mutual`` is 1 if both do.
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
    joint multinational military exercises (MME), weighted by the settings'
    ``network.exercises``: by default each exercise adds 1 / (n - 1) to every pair of its
    n participants, and a pair is tied when its yearly weight reaches 0.5.
``us_troops``
    the United States and each state hosting at least ``network.us_troops.min_troops``
    US active-duty personnel (100 by default: embassy guards do not make a host).
``mechanisms``
    the two states share at least one curated cooperation grouping with a positive
    institutionalization index that year; weight = the mean index of the shared
    groupings, each weighted 1 / (members - 1) (a bilateral grouping counts most).

A layer is *covered* in a year if its source has data for that year; outside coverage a
layer's graph has no ties and is marked ``covered = False`` and its metrics are null:
missing is not zero.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from allyscope.errors import InvalidInputError, UnknownNameError
from allyscope.settings import UN_MEASURES, ExerciseTieSettings
from allyscope.sources.bounds import coverage, current_year

US = 2


def _default_years() -> tuple[int, int]:
    from allyscope.settings import as_of

    return (coverage("un_votes")[0], min(coverage("alliances_extended")[1], as_of().year))


#: the default span of the yearly networks: UN votes' first year to the last year of the
#: extended alliance data (ATOP and the sourced records), at most the as-of year
DEFAULT_YEARS: tuple[int, int] = _default_years()
#: the last year of the COW state list; later years extend the list (panel ``mry``)
COW_LIST_END = coverage("state_system")[1]
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
    input: str | None = None  # the coverage input (allyscope.sources.coverage)


LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        Layer(
            "defense",
            "ATOP defense obligations",
            "either state has a defense obligation toward the other that year (ATOP; after "
            "2018 carried forward and updated by the sourced alliance records)",
            "1 (atop_defense_mutual: 1 if both directions carry the obligation)",
            ("atop_alliance", "alliance_records"),
            False,
            "alliances_extended",
        ),
        Layer(
            "atop_other",
            "Other ATOP obligations",
            "an offense, neutrality, non-aggression or consultation obligation, "
            "but no defense obligation",
            "1 (atop_offense, atop_neutral, atop_nonagg, atop_consul flag the types)",
            ("atop_alliance", "alliance_records"),
            False,
            "alliances_extended",
        ),
        Layer(
            "igo",
            "Joint IGO memberships",
            "both states are full members of at least one intergovernmental organization",
            "number of joint full IGO memberships (COW IGO 3)",
            ("cow_igo_ndy",),
            True,
            "igos",
        ),
        Layer(
            "un_affinity",
            "UN voting affinity",
            "the two states' UN General Assembly votes agree more than chance (affinity > 0)",
            "the affinity (Cohen's kappa by default)",
            ("un_votes", "un_roll_calls"),
            True,
            "un_votes",
        ),
        Layer(
            "un_affinity_top",
            "UN voting affinity, thresholded",
            "the dyad's UN voting affinity is at or above the year's 90th percentile "
            "(or a given absolute threshold)",
            "the affinity",
            ("un_votes", "un_roll_calls"),
            True,
            "un_votes",
        ),
        Layer(
            "exercises",
            "Joint military exercises",
            "the two states' joint multinational military exercises that year (MME) reach "
            "the tie weight of the settings (network.exercises)",
            "exercise weight: by default the sum over joint exercises of 1/(n-1), n the "
            "number of participating states",
            ("mme_exercises",),
            True,
            "exercises",
        ),
        Layer(
            "us_troops",
            "US troop presence",
            "a tie between the United States and each state hosting at least "
            "network.us_troops.min_troops US active-duty personnel that year",
            "number of US troops in the host state",
            ("us_troops", "us_troops_quarterly"),
            True,
            "troops",
        ),
        Layer(
            "arms",
            "Arms transfers",
            "either state delivered major conventional arms to the other that year (SIPRI)",
            "trend-indicator values delivered, both directions (tiv_1to2, tiv_2to1; "
            "dependence: the larger of the two recipients' shares of their imports from "
            "the other over five years)",
            ("sipri_arms",),
            True,
            "arms_transfers",
        ),
        Layer(
            "rhetoric_mentions",
            "Naming each other at the UN General Debate",
            "either state names the other in its General Debate speech that year",
            "mentions of each other in both speeches (mentions_1to2, mentions_2to1 by "
            "direction; tone: mean VADER tone of the naming sentences)",
            ("ungd_speeches",),
            True,
            "rhetoric",
        ),
        Layer(
            "rhetoric_similarity",
            "Similar General Debate speeches",
            "the two states' General Debate speeches are among the year's most alike: TF-IDF "
            "cosine similarity at or above the year's 90th percentile",
            "the similarity (0-1)",
            ("ungd_speeches",),
            True,
            "rhetoric",
        ),
        Layer(
            "mechanisms",
            "Cooperation mechanisms",
            "both states are members of a curated cooperation grouping whose "
            "institutionalization index is positive that year",
            "institutionalization index (0-100): mean over the shared groupings, each "
            "weighted 1/(members - 1)",
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
        raise InvalidInputError(
            f"years {y0}-{y1} are outside the data ({first}-{last})",
            f"the networks cover {first}-{coverage('alliances_extended')[1]} (ATOP and the "
            f"alliance records); UN votes start in {coverage('un_votes')[0]}",
        )
    return (int(y0), int(y1))


def _mry(y1: int) -> int | bool:
    return y1 if y1 > COW_LIST_END else False


# -- nodes ---------------------------------------------------------------------------------


def node_table(years: int | Sequence[int] | None = None) -> pl.DataFrame:
    """The states in the COW system each year: ``year, ccode, stateabb, name, iso3``.

    Years after the end of the COW list keep the states alive at its end.
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


# -- UN voting -----------------------------------------------------------------------------


def _un_all_measures() -> pl.DataFrame:
    """Every UN affinity measure per non-directed dyad-year over all roll calls, from
    :func:`allyscope.un.affinity` (cached by the UN module), memoized in this process."""
    key = ("un", _warehouse_hash())
    df = _UN_MEMO.get(key)
    if df is None:
        from allyscope.un.api import affinity

        aff = affinity(issues="all", measures=list(UN_MEASURES))
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


# -- curated cooperation groupings ---------------------------------------------------------


def _records_span() -> tuple[int, int]:
    """First and last year of the curated mechanism records (any grouping)."""
    idx = _grouping_years()
    if idx.height == 0:
        from allyscope.mechanisms.panel_addons import COVERAGE

        return COVERAGE
    span = idx.select(pl.col("year").min().alias("a"), pl.col("year").max().alias("b")).row(0)
    return (int(span[0]), int(span[1]))


def _grouping_years() -> pl.DataFrame:
    """The index of every grouping-year in its span with its completeness and members:
    ``grouping_id, year, index, completeness, partial, ccode, n_members``."""
    from allyscope import mechanisms

    rs = mechanisms.load_records()
    key = id(rs)
    with _MECH_LOCK:
        hit = _MECH_MEMO.get(key)
    if hit is not None:
        return hit
    idx = (
        mechanisms.institutionalization(record_set=rs)
        .filter(pl.col("institutionalization").is_not_null())
        .select(
            "grouping_id",
            pl.col("year").cast(pl.Int32),
            pl.col("institutionalization").cast(pl.Float64).alias("index"),
            "completeness",
            "partial",
        )
    )
    recs = mechanisms.records(record_set=rs)
    # a state belongs to a grouping from the year of the first record it takes part in
    first = (
        recs.select("grouping_id", pl.col("year").alias("year0"), "ccodes")
        .explode("ccodes")
        .rename({"ccodes": "ccode"})
        .group_by("grouping_id", "ccode")
        .agg(pl.col("year0").min())
    )
    gm = (
        first.join(idx, on="grouping_id")
        .filter(pl.col("year") >= pl.col("year0"))
        .drop("year0")
        .with_columns(pl.col("ccode").cast(pl.Int32))
    )
    gm = gm.with_columns(pl.len().over("grouping_id", "year").cast(pl.Int32).alias("n_members"))
    with _MECH_LOCK:
        _MECH_MEMO.clear()
        _MECH_MEMO[key] = gm
    return gm


_MECH_MEMO: dict[int, pl.DataFrame] = {}
_MECH_LOCK = threading.Lock()


def mechanisms_table(
    years: int | Sequence[int] | None = None,
    *,
    completeness: Iterable[str] | None = None,
) -> pl.DataFrame:
    """Dyad-years of states that share curated cooperation groupings.

    Columns: ``ccode1, ccode2, year``, ``mech_groupings`` (shared groupings),
    ``mech_index`` (mean of their institutionalization indices, 0-100, each grouping
    weighted 1 / (members - 1), so a bilateral grouping counts fully and a setback in it
    is not hidden by a larger grouping), ``mech_max_index`` (the highest of them),
    ``mech_basis`` (the grouping ids) and ``mech_complete`` (every grouping used is coded
    completely that year or in a partial last year). ``completeness`` keeps only
    grouping-years with those completeness values (default: all). Without ``years``,
    every year the records cover.
    """
    y0, y1 = _records_span() if years is None else check_years(years)
    gm = _grouping_years().filter(pl.col("year").is_between(y0, y1))
    if completeness is not None:
        gm = gm.filter(pl.col("completeness").is_in(list(completeness)))
    pairs = (
        gm.join(
            gm.select("grouping_id", "year", pl.col("ccode").alias("ccode2")),
            on=["grouping_id", "year"],
        )
        .filter(pl.col("ccode") < pl.col("ccode2"))
        .rename({"ccode": "ccode1"})
        .with_columns((1.0 / (pl.col("n_members") - 1)).alias("_w"))
    )
    return (
        pairs.sort("grouping_id")
        .group_by("ccode1", "ccode2", "year")
        .agg(
            pl.col("grouping_id").n_unique().cast(pl.Int32).alias("mech_groupings"),
            ((pl.col("index") * pl.col("_w")).sum() / pl.col("_w").sum()).alias("mech_index"),
            pl.col("index").max().alias("mech_max_index"),
            pl.col("grouping_id").str.join(",").alias("mech_basis"),
            pl.col("completeness").is_in(["complete", "partial"]).all().alias("mech_complete"),
        )
        .sort("year", "ccode1", "ccode2")
    )


def mechanisms_years() -> list[int]:
    """Years covered by the curated mechanism records (any grouping)."""
    a, b = _records_span()
    return list(range(a, b + 1))


def with_mechanisms(df: pl.DataFrame, *, completeness: Iterable[str] | None = None) -> pl.DataFrame:
    """Add the columns of :func:`mechanisms_table` to a dyad table.

    A dyad-year that shares no curated grouping is null (not observed): the records cover
    the groupings listed in ``allyscope institutions --list``, so the absence of a shared
    grouping says nothing about cooperation outside them.
    """
    return df.join(
        mechanisms_table(completeness=completeness), on=["ccode1", "ccode2", "year"], how="left"
    )


# -- exercises -----------------------------------------------------------------------------


def exercise_ties(settings: ExerciseTieSettings | None = None) -> pl.DataFrame:
    """Joint exercise weights per non-directed dyad-year (MME, years the data cover):
    ``ccode1, ccode2, year, exercise_weight, exercise_count`` for dyad-years with at least
    one joint exercise that the settings (``network.exercises``; default the shipped
    ones) count. ``exercise_weight`` sums over the joint exercises 1 / (n - 1), n the
    exercise's participating states (``weighting: inverse``), or 1 (``count``)."""
    from allyscope.panel.builtin import mme_participants
    from allyscope.settings import network

    st = settings or network().exercises
    key = (_warehouse_hash(), st.weighting, st.max_participants)
    with _MECH_LOCK:
        hit = _EX_MEMO.get(key)
    if hit is not None:
        return hit
    p = (
        mme_participants()
        .drop_nulls("ccode")
        .select("exercise", pl.col("year").cast(pl.Int32), pl.col("ccode").cast(pl.Int32))
        .unique()
        .with_columns(pl.len().over("exercise", "year").alias("n"))
        .filter(pl.col("n") >= 2)
    )
    if st.max_participants is not None:
        p = p.filter(pl.col("n") <= st.max_participants)
    w = 1.0 / (pl.col("n") - 1) if st.weighting == "inverse" else pl.lit(1.0)
    p = p.with_columns(w.alias("w"))
    out = (
        p.join(
            p.select("exercise", "year", pl.col("ccode").alias("ccode2")), on=["exercise", "year"]
        )
        .filter(pl.col("ccode") < pl.col("ccode2"))
        .group_by(pl.col("ccode").alias("ccode1"), "ccode2", "year")
        .agg(
            pl.col("w").sum().alias("exercise_weight"),
            pl.len().cast(pl.Int32).alias("exercise_count"),
        )
        .sort("year", "ccode1", "ccode2")
    )
    with _MECH_LOCK:
        _EX_MEMO.clear()
        _EX_MEMO[key] = out
    return out


_EX_MEMO: dict[tuple, pl.DataFrame] = {}


# -- defense cooperation agreements, arms, rivalries ---------------------------------------


def dca_table() -> pl.DataFrame:
    """Defense cooperation agreements per non-directed dyad-year (DCAD v1.0):
    ``ccode1, ccode2, year, dca_in_force`` (agreements in force that year: from the year of
    entry into force, or of signature where DCAD gives none, to DCAD's estimated end
    year) and ``dca_signed`` (agreements signed that year), for dyad-years with either.
    DCAD covers 1980-2010; inside that span a dyad it does not list has no agreement."""
    from allyscope.store import open_warehouse

    a, b = coverage("defense_cooperation")
    d = open_warehouse().table("dcad").filter(pl.col("ccode1") != pl.col("ccode2"))
    d = d.select(
        pl.min_horizontal("ccode1", "ccode2").cast(pl.Int32).alias("ccode1"),
        pl.max_horizontal("ccode1", "ccode2").cast(pl.Int32).alias("ccode2"),
        pl.col("sign_year").cast(pl.Int32),
        pl.when(pl.col("eif_year") > 0)
        .then(pl.col("eif_year"))
        .otherwise(pl.col("sign_year"))
        .cast(pl.Int32)
        .alias("y0"),
        pl.when(pl.col("end_year_estimate") > 0)
        .then(pl.col("end_year_estimate"))
        .otherwise(b)
        .cast(pl.Int32)
        .alias("y1"),
    ).filter(pl.col("sign_year") > 0)
    in_force = (
        d.filter(pl.col("y1") >= pl.col("y0"))
        .with_columns(pl.int_ranges("y0", pl.col("y1") + 1, dtype=pl.Int32).alias("year"))
        .explode("year")
        .filter(pl.col("year").is_between(a, b))
        .group_by("ccode1", "ccode2", "year")
        .agg(pl.len().cast(pl.Int32).alias("dca_in_force"))
    )
    signed = (
        d.filter(pl.col("sign_year").is_between(a, b))
        .group_by("ccode1", "ccode2", pl.col("sign_year").alias("year"))
        .agg(pl.len().cast(pl.Int32).alias("dca_signed"))
    )
    return (
        in_force.join(signed, on=["ccode1", "ccode2", "year"], how="full", coalesce=True)
        .with_columns(pl.col("dca_in_force").fill_null(0), pl.col("dca_signed").fill_null(0))
        .sort("year", "ccode1", "ccode2")
    )


def _arms_dependence() -> pl.DataFrame:
    """The larger of the two states' arms-import dependence on each other over five
    years (SIPRI): ``ccode1, ccode2, year, arms_dependence`` for dyad-years with a
    transfer in the window."""
    from allyscope.panel.arms import arms_transfers

    t = arms_transfers().drop_nulls("sipri_share_5y")
    return (
        t.select(
            pl.min_horizontal("ccode1", "ccode2").cast(pl.Int32).alias("a"),
            pl.max_horizontal("ccode1", "ccode2").cast(pl.Int32).alias("b"),
            pl.col("year").cast(pl.Int32),
            pl.col("sipri_share_5y").cast(pl.Float64),
        )
        .group_by("a", "b", "year")
        .agg(pl.col("sipri_share_5y").max().alias("arms_dependence"))
        .rename({"a": "ccode1", "b": "ccode2"})
    )


def _shared_rivals(df: pl.DataFrame) -> pl.DataFrame:
    """Rivals both states are in a strategic rivalry with (common neighbours in the
    rivalry graph): ``ccode1, ccode2, year, tss_shared_rivals``."""
    e = df.filter(pl.col("tss_rivalry") == 1).select("ccode1", "ccode2", "year")
    both = pl.concat(
        [
            e.select(pl.col("ccode1").alias("a"), pl.col("ccode2").alias("c"), "year"),
            e.select(pl.col("ccode2").alias("a"), pl.col("ccode1").alias("c"), "year"),
        ]
    )
    return (
        both.join(both.rename({"a": "b"}), on=["c", "year"])
        .filter(pl.col("a") < pl.col("b"))
        .group_by(pl.col("a").alias("ccode1"), pl.col("b").alias("ccode2"), "year")
        .agg(pl.len().cast(pl.Int32).alias("tss_shared_rivals"))
    )


def _shared_allies(df: pl.DataFrame) -> pl.DataFrame:
    """Common defense partners of every dyad-year: ``atop_shared_allies``."""
    e = df.filter(pl.col("atop_defense") == 1).select("ccode1", "ccode2", "year")
    both = pl.concat(
        [
            e.select(pl.col("ccode1").alias("a"), pl.col("ccode2").alias("c"), "year"),
            e.select(pl.col("ccode2").alias("a"), pl.col("ccode1").alias("c"), "year"),
        ]
    )
    return (
        both.join(both.rename({"a": "b"}), on=["c", "year"])
        .filter(pl.col("a") < pl.col("b"))
        .group_by(pl.col("a").alias("ccode1"), pl.col("b").alias("ccode2"), "year")
        .agg(pl.len().cast(pl.Int32).alias("atop_shared_allies"))
    )


# -- the one-pass dyad table ----------------------------------------------------------------


def _atop_direction() -> pl.DataFrame:
    """Per non-directed dyad-year: 1 if the defense obligation runs both ways (ATOP and
    the alliance records)."""
    from allyscope.panel.alliances import extended_atop

    return (
        extended_atop()
        .filter(pl.col("atop_defense") == 1)
        .group_by(
            pl.min_horizontal("ccode1", "ccode2").cast(pl.Int32).alias("ccode1"),
            pl.max_horizontal("ccode1", "ccode2").cast(pl.Int32).alias("ccode2"),
            pl.col("year").cast(pl.Int32),
        )
        .agg((pl.len() == 2).cast(pl.Int8).alias("atop_defense_mutual"))
    )


def dyad_table(years: int | Sequence[int] | None = None) -> pl.DataFrame:
    """Every non-directed dyad-year of COW system members with the raw variables of all
    layers and of the de facto score, prepared in one pass (cached per data version).

    Columns: ``ccode1 < ccode2, year``; ATOP obligations extended with the alliance
    records (``atop_defense`` ... ``atop_any``, ``atop_source``, ``atop_defense_mutual``,
    ``atop_shared_allies``); ``cow_igo_joint``; ``mme_joint_exercises``; ``us_troops1``,
    ``us_troops2``, ``us_troops_partner``; UN affinity (``un_kappa``, ``un_agree``,
    ``un_n_votes`` ...); ``arms_dependence`` (SIPRI); ``tss_rivalry`` and
    ``tss_shared_rivals``; ``dca_in_force`` and ``dca_signed`` (DCAD). Variables are null
    in years outside their source's coverage. The curated mechanisms and the settings'
    exercise weights are not included (:func:`with_mechanisms`, :func:`exercise_ties`).
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
            {"years": [a, b], "un": un_cache_version(), "v": 2},
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


def _inside(name: str) -> pl.Expr:
    a, b = coverage(name)
    return pl.col("year").is_between(a, b)


def _compute_dyad_table(y0: int, y1: int) -> pl.DataFrame:
    from allyscope.panel import dyad_years
    from allyscope.panel.addons import AddOnError

    p = dyad_years(years=(y0, y1), mry=_mry(y1))
    for name in ("atop_extended", "igo", "mme", "us_troops", "tss_rivalries"):
        with contextlib.suppress(AddOnError):  # an add-on that does not cover these years
            p = p.add(name)
    df = p.df
    for col in (
        *_ATOP_COLS,
        "cow_igo_joint",
        "mme_joint_exercises",
        "us_troops1",
        "us_troops2",
        "us_troops_partner",
        "tss_rivalry",
    ):
        if col not in df.columns:
            df = df.with_columns(pl.lit(None, pl.Int32).alias(col))
    if "atop_source" not in df.columns:
        df = df.with_columns(pl.lit(None, pl.String).alias("atop_source"))
    keys = ["ccode1", "ccode2", "year"]
    df = df.with_columns(pl.col(k).cast(pl.Int32) for k in keys)
    known = pl.col("atop_defense").is_not_null()
    df = (
        df.join(_atop_direction(), on=keys, how="left")
        .join(_shared_allies(df), on=keys, how="left")
        .join(_shared_rivals(df), on=keys, how="left")
        .join(_arms_dependence(), on=keys, how="left")
        .join(dca_table(), on=keys, how="left")
        .with_columns(
            pl.when(known).then(pl.col("atop_defense_mutual").fill_null(0)),
            pl.when(known).then(pl.col("atop_shared_allies").fill_null(0)),
            pl.when(pl.col("tss_rivalry").is_not_null())
            .then(pl.col("tss_shared_rivals").fill_null(0))
            .alias("tss_shared_rivals"),
            pl.when(_inside("arms_transfers"))
            .then(pl.col("arms_dependence").fill_null(0.0))
            .alias("arms_dependence"),
            *[
                pl.when(_inside("defense_cooperation")).then(pl.col(c).fill_null(0)).alias(c)
                for c in ("dca_in_force", "dca_signed")
            ],
        )
    )
    un_cols = [f"un_{m}" for m in UN_MEASURES]
    un = _un_all_measures().filter(pl.col("year").is_between(y0, y1))
    df = df.join(un, on=keys, how="left")
    return df.select(
        *keys,
        *[pl.col(c).cast(pl.Int8) for c in _ATOP_COLS],
        "atop_source",
        pl.col("atop_defense_mutual").cast(pl.Int8),
        pl.col("atop_shared_allies").cast(pl.Int32),
        pl.col("cow_igo_joint").cast(pl.Int32),
        pl.col("mme_joint_exercises").cast(pl.Int32),
        pl.col("us_troops1").cast(pl.Int32),
        pl.col("us_troops2").cast(pl.Int32),
        pl.col("us_troops_partner").cast(pl.Int32),
        *[pl.col(c).cast(pl.Float64) for c in un_cols],
        pl.col("un_n_votes").cast(pl.Int32),
        pl.col("arms_dependence").cast(pl.Float64),
        pl.col("tss_rivalry").cast(pl.Int8),
        pl.col("tss_shared_rivals").cast(pl.Int32),
        pl.col("dca_in_force").cast(pl.Int32),
        pl.col("dca_signed").cast(pl.Int32),
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


def covered_years(layer: str, years: int | Sequence[int] | None = None) -> list[int]:
    """The years in ``years`` for which ``layer``'s source has data."""
    lay = get_layer(layer)
    y0, y1 = check_years(years)
    if lay.input is None:  # mechanisms
        return [y for y in mechanisms_years() if y0 <= y <= y1]
    a, b = coverage(lay.input)
    ys = list(range(max(a, y0), min(b, y1) + 1))
    if lay.name.startswith("un_"):
        have = set(un_years())
        ys = [y for y in ys if y in have]
    return ys


def layer_choices(layer: str) -> str:
    """The settings behind a layer's ties, in words (empty where none apply)."""
    from allyscope.settings import network

    name = get_layer(layer).name
    st = network()
    if name == "exercises":
        return st.exercises.describe()
    if name == "us_troops":
        return f"host: at least {st.min_troops:,} US personnel"
    if name == "mechanisms":
        return "weight: mean index of shared groupings, each weighted 1/(members-1)"
    return ""


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
    :func:`dyad_table` already in memory. Exercise and troop ties follow the settings'
    ``network`` section (:func:`layer_choices`).
    """
    name = get_layer(layer).name
    y0, y1 = check_years(years)
    if un_measure not in UN_MEASURES:
        raise UnknownNameError("UN affinity measure", un_measure, UN_MEASURES)
    if not 0 < un_quantile < 1:
        raise InvalidInputError(
            f"un_quantile must be between 0 and 1, got {un_quantile}", "e.g. 0.9"
        )
    if name in ("mechanisms", "exercises"):
        return _listed_edges(name, y0, y1)
    if name.startswith("rhetoric_"):
        return _rhetoric_edges(name, y0, y1)
    if name == "arms":
        return _arms_edges(y0, y1)
    df = table if table is not None else dyad_table((y0, y1))
    df = df.filter(pl.col("year").is_between(y0, y1))
    if name.startswith("un_"):
        out = _un_edges(df, name, un_measure, un_quantile, un_threshold)
    else:
        out = _count_edges(df, name)
    return out.sort("year", "ccode1", "ccode2")


_KEY = ("ccode1", "ccode2", "year")


def _listed_edges(name: str, y0: int, y1: int) -> pl.DataFrame:
    """Ties of the mechanisms and exercise layers (tables of their own), between states
    in the system that year."""
    from allyscope.settings import network

    cols: list[pl.Expr]
    if name == "mechanisms":
        m = mechanisms_table((y0, y1)).filter(pl.col("mech_index") > 0)
        cols = [pl.col("mech_index").alias("weight")]
        cols += [pl.col(c) for c in ("mech_index", "mech_max_index", "mech_groupings")]
    else:
        st = network().exercises
        m = exercise_ties().filter(
            pl.col("year").is_between(y0, y1) & (pl.col("exercise_weight") >= st.min_tie_weight)
        )
        cols = [pl.col("exercise_weight").alias("weight")]
        cols += [pl.col(c) for c in ("exercise_weight", "exercise_count")]
    return _in_system(m, y0, y1).select(*_KEY, *cols).sort("year", "ccode1", "ccode2")


def _in_system(m: pl.DataFrame, y0: int, y1: int) -> pl.DataFrame:
    """The rows of ``m`` whose two states (``ccode1``, ``ccode2``) are in the system that
    year."""
    nodes = node_table((y0, y1)).select("year", "ccode")
    for side in ("ccode1", "ccode2"):
        m = m.join(nodes.rename({"ccode": side}), on=["year", side], how="semi")
    return m


def _both_directions(d: pl.DataFrame, value: str, prefix: str, *aggs: pl.Expr) -> pl.DataFrame:
    """Directed dyad-years (``ccode1`` toward ``ccode2``) summed per non-directed pair and
    year: ``weight`` (the total of ``value``), ``<prefix>_1to2`` and ``<prefix>_2to1`` (by
    direction, ``ccode1 < ccode2``) and ``aggs``."""
    forward = pl.col("ccode1") < pl.col("ccode2")
    return (
        d.with_columns(
            pl.when(forward).then(pl.col(value)).otherwise(0).alias(f"{prefix}_1to2"),
            pl.when(forward).then(0).otherwise(pl.col(value)).alias(f"{prefix}_2to1"),
            pl.min_horizontal("ccode1", "ccode2").alias("_lo"),
            pl.max_horizontal("ccode1", "ccode2").alias("_hi"),
        )
        .group_by("_lo", "_hi", "year")
        .agg(
            pl.col(value).sum().cast(pl.Float64).alias("weight"),
            pl.col(f"{prefix}_1to2").sum(),
            pl.col(f"{prefix}_2to1").sum(),
            *aggs,
        )
        .rename({"_lo": "ccode1", "_hi": "ccode2"})
    )


def _ties(m: pl.DataFrame, y0: int, y1: int, extra: Sequence[str]) -> pl.DataFrame:
    """A layer's ties between states in the system: keys, ``weight`` and ``extra``."""
    return (
        _in_system(m, y0, y1)
        .select(
            pl.col("ccode1").cast(pl.Int32),
            pl.col("ccode2").cast(pl.Int32),
            pl.col("year").cast(pl.Int32),
            "weight",
            *extra,
        )
        .sort("year", "ccode1", "ccode2")
    )


def _arms_edges(y0: int, y1: int) -> pl.DataFrame:
    """Ties of the arms layer: deliveries in either direction that year, between states in
    the system."""
    from allyscope.panel.arms import arms_transfers

    d = arms_transfers().filter(pl.col("year").is_between(y0, y1) & (pl.col("sipri_tiv") > 0))
    m = _both_directions(d, "sipri_tiv", "tiv", pl.col("sipri_share_5y").max().alias("dependence"))
    return _ties(m, y0, y1, ["tiv_1to2", "tiv_2to1", "dependence"])


#: share of the year's dyads below the cut of the rhetoric_similarity layer
RHETORIC_QUANTILE = 0.9


def _rhetoric_edges(name: str, y0: int, y1: int) -> pl.DataFrame:
    """Ties of the General Debate layers, between states in the system that year: who
    names whom (both directions summed) and the year's most similar speeches."""
    from allyscope.rhetoric.analysis import table

    if name == "rhetoric_mentions":
        d = table("dyads").drop_nulls(["ccode1", "ccode2"])
        d = d.filter(pl.col("year").is_between(y0, y1) & (pl.col("mentions") > 0))
        tone = (pl.col("tone") * pl.col("sentences")).sum() / pl.col("sentences").sum()
        m = _both_directions(d, "mentions", "mentions", tone.alias("tone"))
        return _ties(m, y0, y1, ["mentions_1to2", "mentions_2to1", "tone"])
    sim = table("similarity").drop_nulls(["ccode1", "ccode2", "similarity"])
    sim = sim.filter(pl.col("year").is_between(y0, y1)).with_columns(
        pl.min_horizontal("ccode1", "ccode2").alias("_lo"),
        pl.max_horizontal("ccode1", "ccode2").alias("_hi"),
    )
    sim = sim.unique(["_lo", "_hi", "year"]).drop("ccode1", "ccode2")
    sim = sim.rename({"_lo": "ccode1", "_hi": "ccode2"})
    cut = pl.col("similarity").quantile(RHETORIC_QUANTILE, "linear").over("year")
    m = sim.filter(pl.col("similarity") >= cut).with_columns(pl.col("similarity").alias("weight"))
    return _ties(m, y0, y1, ["similarity"])


def _count_edges(df: pl.DataFrame, name: str) -> pl.DataFrame:
    """Ties of the alliance, IGO and troop layers from the dyad table."""
    from allyscope.settings import network

    if name == "defense":
        return df.filter(pl.col("atop_defense") == 1).select(
            *_KEY, pl.lit(1.0).alias("weight"), "atop_defense_mutual", "atop_source"
        )
    if name == "atop_other":
        other = ["atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"]
        return df.filter((pl.col("atop_defense") == 0) & (pl.col("atop_any") == 1)).select(
            *_KEY, pl.lit(1.0).alias("weight"), *other, "atop_source"
        )
    if name == "igo":
        return df.filter(pl.col("cow_igo_joint") > 0).select(
            *_KEY, pl.col("cow_igo_joint").cast(pl.Float64).alias("weight"), "cow_igo_joint"
        )
    return df.filter(pl.col("us_troops_partner") >= network().min_troops).select(
        *_KEY,
        pl.col("us_troops_partner").cast(pl.Float64).alias("weight"),
        pl.col("us_troops_partner").alias("us_troops"),
    )


def _un_edges(
    df: pl.DataFrame, name: str, measure: str, quantile: float, threshold: float | None
) -> pl.DataFrame:
    """Ties of the UN layers: positive affinity, or the year's top quantile (or values at
    or above an absolute threshold) for ``un_affinity_top``."""
    col = f"un_{measure}"
    un = df.filter(pl.col(col).is_not_null())
    if name == "un_affinity":
        un = un.filter(pl.col(col) > 0)
    elif threshold is not None:
        un = un.filter(pl.col(col) >= threshold)
    else:
        un = un.filter(pl.col(col) >= pl.col(col).quantile(quantile, "linear").over("year"))
    return un.select(*_KEY, pl.col(col).alias("weight"), col, "un_n_votes")


__all__ = [
    "DEFAULT_YEARS",
    "LAYERS",
    "RHETORIC_QUANTILE",
    "UN_MEASURES",
    "Layer",
    "check_layers",
    "check_years",
    "covered_years",
    "dca_table",
    "dyad_table",
    "exercise_ties",
    "get_layer",
    "layer_choices",
    "layer_edges",
    "layer_names",
    "mechanisms_table",
    "node_table",
    "un_affinity_table",
    "with_mechanisms",
]
