"""Panel add-on ``rhetoric``: what states say at the UN General Debate, on state-year and
dyad-year panels (COW or Gleditsch-Ward codes)."""

from __future__ import annotations

from typing import Any

import polars as pl

from allyscope.panel.addons import AddOn, join_dyad_vars, join_state_vars, register
from allyscope.rhetoric.query import CITATIONS, COVERAGE, SOURCES

_DIRECTED = {
    "mentions": "ungd_mentions",
    "mention_share": "ungd_mention_share",
    "tone": "ungd_tone",
    "threat_share": "ungd_threat_share",
}


def _spoke(code: str) -> pl.DataFrame:
    from allyscope.rhetoric.analysis import table

    return table("speeches").drop_nulls(code).select(code, "year").unique()


def _rhetoric(df: pl.DataFrame, ctx: Any, **_: Any) -> pl.DataFrame:
    from allyscope.rhetoric.analysis import table

    if not ctx.is_dyadic:
        sp = table("speeches").join(
            table("positions").select("speech_id", "position"), on="speech_id", how="left"
        )
        sp = sp.drop_nulls("ccode").select(
            "ccode",
            "year",
            pl.lit(1, pl.Int8).alias("ungd_spoke"),
            pl.col("words").alias("ungd_words"),
            pl.col("position").alias("ungd_position"),
        )
        return join_state_vars(
            df,
            ctx,
            sp,
            ["ungd_spoke", "ungd_words", "ungd_position"],
            code="ccode",
            fill={"ungd_spoke": 0},
        )
    code = ctx.code
    c1, c2 = ctx.code1, ctx.code2
    dy = (
        table("dyads")
        .drop_nulls([f"{code}1", f"{code}2"])
        .select(
            pl.col(f"{code}1").alias("_a"),
            pl.col(f"{code}2").alias("_b"),
            "year",
            *[pl.col(k).alias(v) for k, v in _DIRECTED.items()],
        )
    )
    spoke = _spoke(code).rename({code: "_a"}).with_columns(pl.lit(True).alias("_spoke"))
    out = df
    for a, b, suffix in ((c1, c2, "_12"), (c2, c1, "_21")):
        part = df.select(pl.col(a).alias("_a"), pl.col(b).alias("_b"), "year")
        part = part.join(spoke, on=["_a", "year"], how="left", maintain_order="left")
        part = part.join(dy, on=["_a", "_b", "year"], how="left", maintain_order="left")
        spoke_now = pl.col("_spoke").fill_null(False)
        cols = [
            pl.when(spoke_now)
            .then(pl.col(v).fill_null(0) if k in ("mentions", "mention_share") else pl.col(v))
            .alias(v + suffix)
            for k, v in _DIRECTED.items()
        ]
        out = out.hstack(part.select(cols))
    sim = (
        table("similarity")
        .drop_nulls(["ccode1", "ccode2"])
        .select("ccode1", "ccode2", "year", pl.col("similarity").alias("ungd_similarity"))
    )
    return join_dyad_vars(out, ctx, sim, ["ungd_similarity"], code="ccode")


_DEFINITION = """\
State-year panels:
ungd_spoke: 1 if the state gave a General Debate speech that year, else 0.
ungd_words: words in that speech (null without a speech).
ungd_position: the speech's text position (first principal component of the year's \
TF-IDF matrix, standard units within the year, founding NATO members on the positive \
side; null without a speech). Compare within a year only.
Dyad-year panels (suffix _12: what state 1's speech says about state 2; _21: the reverse):
ungd_mentions: times the speech names the other state (names, adjectives, capitals, \
leaders; 0 when it does not, null when the speaker gave no speech).
ungd_mention_share: sentences naming the other state / all sentences of the speech.
ungd_tone: mean VADER compound score (-1 to 1) of those sentences (null without a mention).
ungd_threat_share: share of those sentences with a threat term (missiles, nuclear, \
provocation, aggression, coercion ...; null without a mention).
ungd_similarity: TF-IDF cosine of the two speeches after removing procedural \
boilerplate (0-1; null unless both spoke)."""

register(
    AddOn(
        name="rhetoric",
        func=_rhetoric,
        units=("state-year", "dyad-year"),
        sources=SOURCES,
        coverage=COVERAGE,
        title="UN General Debate rhetoric",
        definition=_DEFINITION,
        aliases=("ungd", "general_debate"),
        citations=CITATIONS,
        notes="Year is the year of the General Assembly session. Definitions and validation: "
        "docs/rhetoric.md.",
        module=__name__,
    )
)
