"""Theory inputs of the alliance forecasts: neutrality, institutionalized defense cooperation,
institutionalization of curated groupings, and UN positions to 2025.

Each input is dyadic, dated by its information year, and null where its source does not
cover the year or the dyad (missing is not zero; the logit adds a missingness indicator,
the boosted trees route missing values at each split):

``neutral_n``
    number of the two states (0-2) that are formally neutral or militarily non-aligned on
    31 December of the year (:mod:`allyscope.sources.neutrality`, 1946-2025). A neutral
    state has renounced alliances; the input lets the models learn that instead of
    ranking Switzerland-Austria among the likeliest pacts.
``dcad_dcas_5y_log``
    log(1 + defense cooperation agreements the two states signed in the five years up to
    the year): DCAD v1.0 (Kinne 2020), bilateral framework and sector agreements signed
    1980-2010; the five-year window is complete from 1984. Institutionalized defense
    cooperation short of an alliance: the systematic test of "institutionalization leads
    to formalization".
``mech_institutionalization``
    the highest institutionalization index (0-100, allyscope's codebook) among the curated
    groupings both states belong to, in years the grouping's coding is complete; null for
    every other dyad-year. The curated records are not a census: a dyad without a record is
    not coded, so its value is missing, not 0.
``voeten_idealpoint_distance``, ``voeten_idealpoint_distance_change_5y``
    absolute distance between the two states' UN General Assembly ideal points (Bailey,
    Strezhnev and Voeten 2017, estimates of 1946-2025) and its change over five years.
    Years resting on very few votes (2024: at most 8 per state) are left out (null).
    The published estimates bridge sessions through repeated resolutions, so a year's
    position is not estimated from that year's votes alone; the bridge fixes item
    parameters, not the positions, and the leak of later votes into earlier positions is
    small, but it exists (docs/forecast.md).
"""

from __future__ import annotations

import polars as pl

from allyscope.sources.bounds import coverage

KEYS = ["ccode1", "ccode2", "year"]
#: DCAD: agreements signed in these years; a five-year window is complete from the fifth
_DCAD_YEARS = coverage("defense_cooperation")
DCAD_COV = (_DCAD_YEARS[0] + 4, _DCAD_YEARS[1])
#: the years of UN ideal points (the Voeten add-on's coverage)
VOETEN_SOURCES = ("voeten_idealpoints",)


def voeten_coverage() -> tuple[int, int]:
    from allyscope.panel import addons

    cov = addons.get("voeten_idealpoint").coverage
    assert isinstance(cov, tuple), "the Voeten add-on declares one coverage for all columns"
    return (int(cov[0]), int(cov[1]))


def neutrality_coverage() -> tuple[int, int]:
    from allyscope.sources.neutrality import coverage as _cov

    return _cov()


def mechanisms_coverage() -> tuple[int, int]:
    from allyscope.mechanisms.panel_addons import COVERAGE

    return COVERAGE


def _feature_specs() -> tuple[tuple, ...]:
    vcov = voeten_coverage()
    return (
        (
            "neutral_n",
            "neutrality",
            ("neutrality_records",),
            neutrality_coverage(),
            True,
            "number of the two states (0-2) formally neutral or militarily non-aligned on 31 "
            "December (allyscope's neutrality records)",
        ),
        (
            "dcad_dcas_5y_log",
            "defense cooperation agreements",
            ("dcad",),
            DCAD_COV,
            False,
            "log(1 + bilateral defense cooperation agreements the two states signed in the "
            "five years up to and including the year), DCAD v1.0",
        ),
        (
            "mech_institutionalization",
            "institutionalization",
            ("mechanism_records",),
            mechanisms_coverage(),
            True,
            "highest institutionalization index (0-100) among curated groupings of both "
            "states in years coded completely; null for dyads without a curated grouping",
        ),
        (
            "voeten_idealpoint_distance",
            "UN ideal points (Voeten)",
            VOETEN_SOURCES,
            vcov,
            True,
            "absolute distance between the two states' UN ideal points (Bailey, Strezhnev "
            "and Voeten); years resting on few votes are null",
        ),
        (
            "voeten_idealpoint_distance_change_5y",
            "UN ideal points (Voeten)",
            VOETEN_SOURCES,
            (vcov[0] + 5, vcov[1]),
            True,
            "Voeten ideal-point distance minus its value five years earlier",
        ),
    )


def theory_features() -> tuple:
    """The :class:`~allyscope.forecast.feature_table.Feature` declarations of this module."""
    from allyscope.forecast.feature_table import _f

    return tuple(_f(*spec) for spec in _feature_specs())


# -- computation ---------------------------------------------------------------------------


def _side(df: pl.DataFrame, table: pl.DataFrame, col: str, side: int) -> pl.DataFrame:
    return df.join(
        table.rename({"ccode": f"ccode{side}", col: f"{col}{side}"}),
        on=[f"ccode{side}", "year"],
        how="left",
        maintain_order="left",
    )


def neutrality(keys: pl.DataFrame) -> pl.Series:
    """``neutral_n`` for rows ``ccode1, ccode2, year``."""
    from allyscope.sources.neutrality import neutral_state_years

    lo, hi = neutrality_coverage()
    tab = neutral_state_years().select("ccode", "year", "neutral")
    x = _side(_side(keys.select(KEYS), tab, "neutral", 1), tab, "neutral", 2)
    inside = pl.col("year").is_between(lo, hi)
    n = pl.col("neutral1").fill_null(0) + pl.col("neutral2").fill_null(0)
    return x.select(pl.when(inside).then(n).cast(pl.Int8).alias("neutral_n")).to_series()


def dcad_counts() -> pl.DataFrame:
    """Non-directed dyad-years with the number of DCAD agreements signed that year."""
    from allyscope.store import open_warehouse

    d = open_warehouse().sql(
        "SELECT least(ccode1, ccode2) AS ccode1, greatest(ccode1, ccode2) AS ccode2, "
        "sign_year AS year, count(*) AS n FROM dcad "
        "WHERE ccode1 <> ccode2 AND sign_year IS NOT NULL GROUP BY ALL"
    )
    return d.select(
        pl.col("ccode1").cast(pl.Int32),
        pl.col("ccode2").cast(pl.Int32),
        pl.col("year").cast(pl.Int32),
        pl.col("n").cast(pl.Int32),
    )


def dcad(keys: pl.DataFrame) -> pl.Series:
    """``dcad_dcas_5y_log`` for rows ``ccode1, ccode2, year`` (null outside DCAD_COV)."""
    signed = dcad_counts()
    window = (
        signed.with_columns(pl.int_ranges("year", pl.col("year") + 5, dtype=pl.Int32).alias("yy"))
        .explode("yy")
        .group_by("ccode1", "ccode2", "yy")
        .agg(pl.col("n").sum().alias("__n"))
        .rename({"yy": "year"})
    )
    x = keys.select(KEYS).join(window, on=KEYS, how="left", maintain_order="left")
    inside = pl.col("year").is_between(*DCAD_COV)
    val = (pl.col("__n").fill_null(0).cast(pl.Float64) + 1.0).log()
    return x.select(pl.when(inside).then(val).alias("dcad_dcas_5y_log")).to_series()


def institutionalization_table() -> pl.DataFrame:
    """Dyad-years of curated groupings: ``ccode1, ccode2, year, mech_institutionalization``
    (highest index among complete grouping-years both states belong to)."""
    from allyscope import mechanisms

    recs = mechanisms.records().select("grouping_id", "year", "ccodes").explode("ccodes")
    first = recs.group_by("grouping_id", pl.col("ccodes").alias("ccode")).agg(
        pl.col("year").min().alias("year0")
    )
    idx = (
        mechanisms.institutionalization()
        .filter(pl.col("completeness") == "complete")
        .select("grouping_id", "year", "institutionalization")
    )
    pairs = (
        first.join(first, on="grouping_id", suffix="_b")
        .filter(pl.col("ccode") < pl.col("ccode_b"))
        .select(
            "grouping_id",
            pl.col("ccode").cast(pl.Int32).alias("ccode1"),
            pl.col("ccode_b").cast(pl.Int32).alias("ccode2"),
            pl.max_horizontal("year0", "year0_b").alias("year0"),
        )
    )
    return (
        pairs.join(idx, on="grouping_id")
        .filter(pl.col("year") >= pl.col("year0"))
        .group_by("ccode1", "ccode2", pl.col("year").cast(pl.Int32))
        .agg(pl.col("institutionalization").max().alias("mech_institutionalization"))
    )


def institutionalization(keys: pl.DataFrame) -> pl.Series:
    """``mech_institutionalization`` for rows ``ccode1, ccode2, year``."""
    tab = institutionalization_table()
    x = keys.select(KEYS).join(tab, on=KEYS, how="left", maintain_order="left")
    return x["mech_institutionalization"].cast(pl.Float64)


def voeten(panel: pl.DataFrame) -> pl.DataFrame:
    """Voeten distance and its five-year change from a panel with the voeten add-on."""
    few = pl.col("voeten_few_votes1").fill_null(False) | pl.col("voeten_few_votes2").fill_null(
        False
    )
    x = panel.select(
        *KEYS,
        pl.when(~few)
        .then(pl.col("voeten_idealpoint_distance"))
        .cast(pl.Float64)
        .alias("voeten_idealpoint_distance"),
    )
    back = x.select(
        "ccode1",
        "ccode2",
        (pl.col("year") + 5).alias("year"),
        pl.col("voeten_idealpoint_distance").alias("__b"),
    )
    x = x.join(back, on=KEYS, how="left", maintain_order="left").with_columns(
        (pl.col("voeten_idealpoint_distance") - pl.col("__b")).alias(
            "voeten_idealpoint_distance_change_5y"
        )
    )
    return x.select("voeten_idealpoint_distance", "voeten_idealpoint_distance_change_5y")


def add_theory(df: pl.DataFrame, panel: pl.DataFrame) -> pl.DataFrame:
    """The theory inputs for the rows of ``df`` (``ccode1, ccode2, year`` in the order of
    ``panel``, which carries the Voeten add-on's columns)."""
    keys = df.select(KEYS)
    return pl.concat(
        [
            df,
            pl.DataFrame(
                [
                    neutrality(keys),
                    dcad(keys),
                    institutionalization(keys).alias("mech_institutionalization"),
                ]
            ),
            voeten(panel),
        ],
        how="horizontal",
    )


__all__ = [
    "DCAD_COV",
    "add_theory",
    "dcad",
    "dcad_counts",
    "institutionalization",
    "institutionalization_table",
    "neutrality",
    "theory_features",
    "voeten",
]
