"""Queries over the rhetoric tables: what states say about each other, themes, and the
tables other layers use (mention and similarity networks, a de facto score component)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from allyscope.errors import InvalidInputError
from allyscope.rhetoric.analysis import table
from allyscope.rhetoric.lexicon import all_themes
from allyscope.rhetoric.lexicon import theme as find_theme
from allyscope.sources.ungd import FIRST_YEAR, LAST_YEAR

#: years the rhetoric layer covers (UN General Debate sessions 1-79)
COVERAGE: tuple[int, int] = (FIRST_YEAR, LAST_YEAR)
SOURCES: tuple[str, ...] = ("ungd_speeches",)
CITATIONS: tuple[str, ...] = ("baturo2017ungdc", "jankin2025ungdc", "hutto2014vader")


@dataclass(frozen=True)
class RhetoricResult:
    """What each state's General Debate speech says about the others, by year.

    ``dyads``: one row per ordered pair (speaker → named state) and year in which the
    speaker spoke; ``mentions`` is 0 when the speech does not name the other state, and
    tone and threat framing are then null. ``evidence``: up to ``k`` sentences per
    row with their tone and threat flag.
    """

    dyads: pl.DataFrame
    evidence: pl.DataFrame
    states: tuple[int, ...]
    years: tuple[int, int]


@dataclass(frozen=True)
class ThemeResult:
    """Salience of themes in the states' speeches by year, with evidence sentences.

    ``salience``: one row per state, year (in which it spoke) and theme; ``evidence``: the
    sentences that matched.
    """

    salience: pl.DataFrame
    evidence: pl.DataFrame
    themes: tuple[str, ...]
    states: tuple[int, ...]
    years: tuple[int, int]


def _years(start: int | None, end: int | None) -> tuple[int, int]:
    y0 = FIRST_YEAR if start is None else int(start)
    y1 = LAST_YEAR if end is None else int(end)
    if y0 > y1:
        raise InvalidInputError(f"the period {y0}-{y1} ends before it starts", "swap the years")
    if y1 < FIRST_YEAR or y0 > LAST_YEAR:
        raise InvalidInputError(
            f"the period {y0}-{y1} is outside the General Debate corpus ({FIRST_YEAR}-{LAST_YEAR})",
            f"choose years between {FIRST_YEAR} and {LAST_YEAR}",
        )
    return max(y0, FIRST_YEAR), min(y1, LAST_YEAR)


def _resolve(states: Iterable[str | int]) -> tuple[int, ...]:
    from allyscope.codes import resolve_many

    codes = tuple(resolve_many(list(states)))
    if not codes:
        raise InvalidInputError("no state given", "name one or more states, e.g. JPN KOR")
    return codes


def _names(frame: pl.DataFrame, code_col: str, name_out: str, iso_out: str) -> pl.DataFrame:
    """Add the state's current short name and ISO3 code (from the crosswalk)."""
    from allyscope.codes import crosswalk

    names = (
        crosswalk()
        .sort("year")
        .group_by("ccode", maintain_order=True)
        .last()
        .select(
            pl.col("ccode").alias(code_col),
            pl.col("name").alias(name_out),
            pl.col("iso3").alias(iso_out),
        )
    )
    return frame.join(names, on=code_col, how="left")


def speeches(
    states: Iterable[str | int] | None = None, start: int | None = None, end: int | None = None
) -> pl.DataFrame:
    """Speech metadata with COW/GW codes: iso3, ccode, gwcode, session, year, speaker,
    post, words, n_sentences (and speech_id, the key of the other rhetoric tables)."""
    y0, y1 = _years(start, end)
    df = table("speeches").filter(pl.col("year").is_between(y0, y1))
    if states is not None:
        df = df.filter(pl.col("ccode").is_in(_resolve(states)))
    return df


def rhetoric(
    states: Sequence[str | int],
    start: int | None = None,
    end: int | None = None,
    *,
    k: int = 3,
) -> RhetoricResult:
    """Both directions of every pair of ``states``, per year from ``start`` to ``end``:
    mentions, share of the speech, mean tone (with its standard error), threat framing and
    up to ``k`` evidence sentences per direction and year.

    With one state, the pairs are that state and every state it names or that names it.
    """
    codes = _resolve(states)
    y0, y1 = _years(start, end)
    sp = table("speeches").filter(pl.col("year").is_between(y0, y1))
    dy = table("dyads").filter(pl.col("year").is_between(y0, y1))
    if len(codes) == 1:
        (c,) = codes
        hit = dy.filter((pl.col("ccode1") == c) | (pl.col("ccode2") == c))
        pairs = hit.select("ccode1", "ccode2").unique().drop_nulls()
    else:
        pairs = pl.DataFrame(
            list(itertools.permutations(codes, 2)),
            schema={"ccode1": pl.Int32, "ccode2": pl.Int32},
            orient="row",
        )
    spoke = sp.drop_nulls("ccode").select(pl.col("ccode").alias("ccode1"), "year", "speech_id")
    grid = pairs.join(spoke, on="ccode1")
    measures = dy.drop_nulls(["ccode1", "ccode2"]).select(
        "speech_id",
        "ccode2",
        "mentions",
        "sentences",
        "mention_share",
        "mentions_per_1k",
        "tone",
        "tone_se",
        "threat_share",
    )
    out = (
        grid.join(measures, on=["speech_id", "ccode2"], how="left")
        .with_columns(
            pl.col("mentions").fill_null(0),
            pl.col("sentences").fill_null(0),
            pl.col("mention_share").fill_null(0.0),
            pl.col("mentions_per_1k").fill_null(0.0),
        )
        .sort("year", "ccode1", "ccode2")
    )
    out = _names(_names(out, "ccode1", "name1", "iso3_1"), "ccode2", "name2", "iso3_2").select(
        "year",
        "ccode1",
        "iso3_1",
        "name1",
        "ccode2",
        "iso3_2",
        "name2",
        "mentions",
        "sentences",
        "mention_share",
        "mentions_per_1k",
        "tone",
        "tone_se",
        "threat_share",
        "speech_id",
    )
    ev = _evidence(out, k)
    return RhetoricResult(out, ev, codes, (y0, y1))


def _evidence(rows: pl.DataFrame, k: int) -> pl.DataFrame:
    keys = rows.filter(pl.col("mentions") > 0).select("speech_id", "ccode2", "year", "ccode1")
    ms = table("mention_sentences").join(
        keys.rename({"ccode2": "target_ccode"}), on=["speech_id", "target_ccode"]
    )
    ms = ms.sort(
        ["speech_id", "target_ccode", "mentions", "threat", "tone", "sentence"],
        descending=[False, False, True, True, False, False],
    )
    ev = ms.group_by("speech_id", "target_ccode", maintain_order=True).head(k)
    return ev.select(
        "year",
        "ccode1",
        pl.col("target_ccode").alias("ccode2"),
        pl.col("sentence").alias("sentence_no"),
        "text",
        "tone",
        "threat",
    ).sort("year", "ccode1", "ccode2", "sentence_no")


def theme_names() -> dict[str, str]:
    """Theme keys and labels (the dictionaries are in ``rhetoric/lexicon.yaml``)."""
    return {k: t.label for k, t in all_themes().items()}


def themes(
    states: Sequence[str | int],
    theme: str | None = None,
    start: int | None = None,
    end: int | None = None,
    *,
    k: int = 3,
) -> ThemeResult:
    """Yearly salience of a theme (or of every theme) in the states' speeches: sentences
    that match its dictionary, their share of the speech and per 1,000 words, with up to
    ``k`` evidence sentences per state, year and theme."""
    codes = _resolve(states)
    y0, y1 = _years(start, end)
    keys = (find_theme(theme).key,) if theme is not None else tuple(all_themes())
    sal = table("themes").filter(
        pl.col("ccode").is_in(codes)
        & pl.col("year").is_between(y0, y1)
        & pl.col("theme").is_in(keys)
    )
    sal = _names(sal.drop("iso3"), "ccode", "name", "iso3").select(
        "year", "ccode", "iso3", "name", "theme", "sentences", "share", "per_1k_words", "speech_id"
    )
    ev = table("theme_sentences").filter(
        pl.col("ccode").is_in(codes)
        & pl.col("year").is_between(y0, y1)
        & pl.col("theme").is_in(keys)
    )
    ev = ev.group_by("speech_id", "theme", maintain_order=True).head(k)
    ev = ev.select(
        "year", "ccode", "iso3", "theme", pl.col("sentence").alias("sentence_no"), "text"
    )
    return ThemeResult(
        sal.sort("theme", "year", "ccode"), ev.sort("theme", "year", "ccode"), keys, codes, (y0, y1)
    )


# -- tables for other layers --------------------------------------------------------------


def _year_filter(years: int | Sequence[int] | None) -> pl.Expr:
    if years is None:
        return pl.lit(True)
    if isinstance(years, int):
        return pl.col("year") == years
    ys = list(years)
    return pl.col("year").is_in(ys)


def mention_edges(years: int | Sequence[int] | None = None) -> pl.DataFrame:
    """Directed mention network: one edge per speaker (``ccode1``) → named state
    (``ccode2``) and year with mentions, sentences, mention_share, tone, tone_se and
    threat_share. States without a COW code (and the EU) are left out."""
    return (
        table("dyads")
        .filter(_year_filter(years))
        .drop_nulls(["ccode1", "ccode2"])
        .select(
            "ccode1",
            "ccode2",
            "year",
            "mentions",
            "sentences",
            "mention_share",
            "tone",
            "tone_se",
            "threat_share",
        )
    )


def similarity_edges(years: int | Sequence[int] | None = None) -> pl.DataFrame:
    """Non-directed similarity network: ``ccode1 < ccode2``, year, ``similarity`` (TF-IDF
    cosine of the two speeches, 0-1)."""
    df = table("similarity").filter(_year_filter(years)).drop_nulls(["ccode1", "ccode2"])
    return df.select(
        pl.min_horizontal("ccode1", "ccode2").alias("ccode1"),
        pl.max_horizontal("ccode1", "ccode2").alias("ccode2"),
        "year",
        "similarity",
    ).filter(pl.col("ccode1") != pl.col("ccode2"))


def positions(
    states: Iterable[str | int] | None = None, years: int | Sequence[int] | None = None
) -> pl.DataFrame:
    """Text positions: iso3, ccode, gwcode, year, position (within-year standard units,
    founding NATO members on the positive side; see :mod:`allyscope.rhetoric.similarity`)."""
    df = table("positions").filter(_year_filter(years))
    if states is not None:
        df = df.filter(pl.col("ccode").is_in(_resolve(states)))
    return df.drop("speech_id")


def defacto_component(years: int | Sequence[int] | None = None) -> pl.DataFrame:
    """A rhetoric component for a de facto alignment score, on a 0-1 scale.

    ``rhetoric_similarity`` is the percentile rank of the dyad's speech similarity among
    all dyads of the same year (ties share the average rank); ``ungd_similarity`` keeps
    the raw cosine. Coverage: :data:`COVERAGE` (1946-2024); a dyad-year in which either
    state gave no speech is absent (not observed), not 0.
    """
    df = similarity_edges(years)
    return df.with_columns(
        ((pl.col("similarity").rank("average").over("year") - 0.5) / pl.len().over("year")).alias(
            "rhetoric_similarity"
        ),
    ).rename({"similarity": "ungd_similarity"})


__all__ = [
    "CITATIONS",
    "COVERAGE",
    "SOURCES",
    "RhetoricResult",
    "ThemeResult",
    "defacto_component",
    "mention_edges",
    "positions",
    "rhetoric",
    "similarity_edges",
    "speeches",
    "theme_names",
    "themes",
]
