"""Panel add-ons from UN General Assembly voting: ``un_affinity``, ``idealpoint_distance``,
``un_idealpoint`` and ``voeten_idealpoint``.

The first three read the cached full tables of :mod:`allyscope.un.api` (computed once per
warehouse build); ``voeten_idealpoint`` reads Bailey, Strezhnev and Voeten's published
estimates. All join onto state-year or dyad-year panels (COW or, translated year by year,
Gleditsch-Ward codes).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from allyscope.errors import InvalidInputError
from allyscope.panel.addons import AddOn, join_dyad_vars, join_state_vars, register, suffixed
from allyscope.un.data import FIRST_YEAR, ISSUE_CHOICES, ISSUES, LAST_YEAR

_SOURCES = ("un_votes", "un_roll_calls", "un_roll_call_issues", "undl_votes", "undl_roll_calls")
_VOETEN = "voeten_idealpoints"
#: a Voeten estimate resting on fewer votes than this is flagged (``voeten_few_votes``)
VOETEN_MIN_VOTES = 10
_AFFINITY_CITES = ("signorino1999s", "hage2011kappa")
_IDEAL_CITES = (
    "bailey2017idealpoints",
    "imai2016emirt",
    "henderson2019daarem",
    "ctbto_nucleartesting",
)
_MEASURES = ("agree", "coincidence", "s_score", "kappa", "pi", "kappa_w", "pi_w")


def _affinity(df: pl.DataFrame, ctx: Any, issue: str = "all", **_: Any) -> pl.DataFrame:
    from allyscope.un.api import _full_affinity

    key = str(issue).strip().lower()
    if key not in ISSUE_CHOICES:
        raise InvalidInputError(
            f"unknown UN issue {issue!r}",
            "use 'all' or one of " + ", ".join(f"{k} ({v})" for k, v in ISSUES.items()),
        )
    suffix = "" if key == "all" else f"_{key}"
    table = _full_affinity("year").filter(pl.col("issue") == key)
    table = table.with_columns(pl.col("source").cast(pl.String))
    names = {m: f"un_{m}{suffix}" for m in ("n_votes", "n_yesno", *_MEASURES, "source")}
    table = table.select(
        "ccode1", "ccode2", "year", *[pl.col(k).alias(v) for k, v in names.items()]
    )
    cols = list(names.values())
    fill = {names["n_votes"]: 0, names["n_yesno"]: 0}
    return join_dyad_vars(df, ctx, table, cols, code="ccode", fill=fill)


def _ideal_table() -> pl.DataFrame:
    from allyscope.un.api import ideal_points

    return ideal_points().select(
        "ccode",
        "year",
        pl.col("idealpoint").alias("un_idealpoint"),
        pl.col("idealpoint_sd").alias("un_idealpoint_sd"),
        pl.col("source").cast(pl.String).alias("un_idealpoint_source"),
    )


def _distance(df: pl.DataFrame, ctx: Any, **_: Any) -> pl.DataFrame:
    from allyscope.un.api import idealpoint_distance

    table = idealpoint_distance().select(
        "ccode1",
        "ccode2",
        "year",
        pl.col("idealpoint_distance").alias("un_idealpoint_distance"),
        pl.col("idealpoint_distance_sd").alias("un_idealpoint_distance_sd"),
    )
    return join_dyad_vars(
        df, ctx, table, ["un_idealpoint_distance", "un_idealpoint_distance_sd"], code="ccode"
    )


def _idealpoint(df: pl.DataFrame, ctx: Any, **_: Any) -> pl.DataFrame:
    cols = ["un_idealpoint", "un_idealpoint_sd", "un_idealpoint_source"]
    return join_state_vars(df, ctx, _ideal_table(), cols, code="ccode")


#: a normal distribution's 5-95% interval spans 2 x 1.645 standard deviations
_Z90 = 1.6448536269514722


def voeten_table(wh) -> pl.DataFrame:
    """Voeten's final-passage ideal points as panel columns (one row per state-year)."""
    wh.require(_VOETEN)
    return wh.table(_VOETEN).select(
        "ccode",
        "year",
        pl.col("idealpoint").alias("voeten_idealpoint"),
        pl.col("q5").alias("voeten_idealpoint_q5"),
        pl.col("q95").alias("voeten_idealpoint_q95"),
        pl.col("n_votes").alias("voeten_n_votes"),
        (pl.col("n_votes") < VOETEN_MIN_VOTES).alias("voeten_few_votes"),
    )


def _voeten_years() -> tuple[int, int]:
    from allyscope.sources import get

    years = get(_VOETEN).years
    assert years is not None
    return years


_VOETEN_COLS = (
    "voeten_idealpoint",
    "voeten_idealpoint_q5",
    "voeten_idealpoint_q95",
    "voeten_n_votes",
    "voeten_few_votes",
)


def _voeten(df: pl.DataFrame, ctx: Any, **_: Any) -> pl.DataFrame:
    out = join_state_vars(df, ctx, voeten_table(ctx.warehouse), list(_VOETEN_COLS), code="ccode")
    if ctx.unit == "state-year":
        return out
    x1, x2 = (pl.col(suffixed("voeten_idealpoint", i)) for i in (1, 2))
    w1, w2 = (
        pl.col(suffixed("voeten_idealpoint_q95", i)) - pl.col(suffixed("voeten_idealpoint_q5", i))
        for i in (1, 2)
    )
    return out.with_columns(
        (x1 - x2).abs().alias("voeten_idealpoint_distance"),
        ((w1 * w1 + w2 * w2).sqrt() / (2 * _Z90)).alias("voeten_idealpoint_distance_sd"),
    )


_AFF_DEF = """\
un_agree: share of identical votes (yes-yes, abstain-abstain, no-no) among the roll calls \
on which both states cast a recorded vote that calendar year.
un_coincidence: US State Department voting coincidence, identical / (identical + opposite) \
over the roll calls on which both voted yes or no (abstentions excluded).
un_s_score: Signorino-Ritter S on the 3-point scale (yes 1, abstain 2, no 3), absolute \
distance: 1 - 2 * mean|x - y| / 2.
un_kappa, un_pi: Cohen's kappa and Scott's pi on the three categories (Häge 2011); \
un_kappa_w, un_pi_w: their distance-weighted versions (absolute distance).
un_n_votes, un_n_yesno: roll calls used (both voted; both voted yes or no).
With issue=<code> the columns end in _<code> and use only roll calls on that issue.
un_source: where the year's roll calls come from: unvotes (Voeten et al., to 2019) or undl \
(the UN Digital Library's recorded votes, 2020-2021).
Dyad-years in which a state cast no recorded vote have null measures and 0 votes."""

register(
    AddOn(
        name="un_affinity",
        func=_affinity,
        units=("dyad-year",),
        sources=_SOURCES,
        coverage=(FIRST_YEAR, LAST_YEAR),
        title="UN General Assembly voting affinity",
        definition=_AFF_DEF,
        aliases=("un_votes_affinity", "unga_affinity"),
        citations=_AFFINITY_CITES,
        options={"issue": "'all' (default) or an issue code: " + ", ".join(ISSUES)},
        notes="Year is the calendar year of the vote. See docs/un.md.",
        module=__name__,
    )
)

register(
    AddOn(
        name="idealpoint_distance",
        func=_distance,
        units=("dyad-year",),
        sources=_SOURCES,
        coverage=(FIRST_YEAR, LAST_YEAR),
        title="Distance between UN ideal points",
        definition="un_idealpoint_distance: |x1 - x2|, the absolute difference of the two "
        "states' dynamic UN ideal points that year; un_idealpoint_distance_sd: its standard "
        "error treating the two positions as independent. Null where either state has no "
        "recorded vote that year.",
        aliases=("un_idealpoint_distance",),
        citations=_IDEAL_CITES,
        notes="Ideal points from allyscope.un.ideal_points() with default settings (docs/un.md).",
        module=__name__,
    )
)

register(
    AddOn(
        name="un_idealpoint",
        func=_idealpoint,
        units=("state-year", "dyad-year"),
        sources=_SOURCES,
        coverage=(FIRST_YEAR, LAST_YEAR),
        title="Dynamic UN ideal point",
        definition="un_idealpoint: the state's one-dimensional dynamic ideal point from its UN "
        "General Assembly votes that year (United States positive); un_idealpoint_sd: its "
        "posterior standard deviation; un_idealpoint_source: unvotes (to 2019) or undl (the UN "
        "Digital Library, 2020-2021). Null in years without a recorded vote.",
        aliases=("idealpoint", "un_idealpoints"),
        citations=_IDEAL_CITES,
        module=__name__,
    )
)

_VOETEN_DEF = """\
voeten_idealpoint: Bailey, Strezhnev and Voeten's dynamic ideal point of the state from its \
votes on final passage of resolutions that calendar year (posterior median scale; United \
States positive), as published (1946-2025, April 2026 release).
voeten_idealpoint_q5, voeten_idealpoint_q95: the 5% and 95% posterior quantiles.
voeten_n_votes: the number of votes the estimate rests on.
voeten_few_votes: true where voeten_n_votes is below 10: the estimate is then mostly the \
random-walk prior (every state in 1951, 1955 and 2024, when at most 8 votes were counted).
On dyad-year panels each column ends in 1 and 2, plus voeten_idealpoint_distance = \
|x1 - x2| and voeten_idealpoint_distance_sd, its standard error from the two 90% intervals \
(treated as normal and independent).
Null in years without an estimate for the state."""

register(
    AddOn(
        name="voeten_idealpoint",
        func=_voeten,
        units=("state-year", "dyad-year"),
        sources=(_VOETEN,),
        coverage=_voeten_years(),
        title="UN ideal points of Bailey, Strezhnev and Voeten (published)",
        definition=_VOETEN_DEF,
        aliases=("voeten", "bsv_idealpoint"),
        citations=("bailey2017idealpoints",),
        notes="An independent model run from allyscope's own un_idealpoint: the two agree "
        "closely except for states that have tested nuclear weapons after 2013 (docs/un.md).",
        module=__name__,
    )
)
