"""The corpus-wide computation: mentions, tone, threat framing, themes, similarity and
text positions for every speech, cached per warehouse build and dictionary version.

:func:`tables` computes everything in one pass and keeps the results in the cache
(``store.cached_table``); :func:`table` returns one of them. Definitions are in
``docs/rhetoric.md``.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

import numpy as np
import polars as pl

from allyscope.rhetoric import corpus
from allyscope.rhetoric.lexicon import dictionaries

#: bump when a computation changes in a way the cache key would not otherwise see
VERSION = 2
NAMES = (
    "speeches",
    "mention_sentences",
    "dyads",
    "theme_sentences",
    "themes",
    "similarity",
    "positions",
)
_LOCK = threading.Lock()


def _params() -> dict[str, Any]:
    from allyscope.rhetoric.lexicon import digests

    lexicon, resolver = digests()
    return {"v": VERSION, "lexicon": lexicon, "resolver": resolver}


def table(name: str) -> pl.DataFrame:
    """One rhetoric table (see :data:`NAMES`), computed on first use and cached."""
    from allyscope.store import cached_table

    if name not in NAMES:  # pragma: no cover - internal names only
        raise KeyError(name)
    with _LOCK:
        return cached_table(f"rhetoric_{name}", _params(), lambda: _compute_and_store(name))


def tables() -> dict[str, pl.DataFrame]:
    """Every rhetoric table (computed together when the cache is cold)."""
    return {n: table(n) for n in NAMES}


def _compute_and_store(name: str) -> pl.DataFrame:
    """Compute every table; cache the others at once (one pass serves them all)."""
    import functools

    from allyscope.store import cached_table

    result = compute(workers=default_workers())
    for other, df in result.items():
        if other != name:
            keep = functools.partial(pl.DataFrame.clone, df)
            cached_table(f"rhetoric_{other}", _params(), keep, refresh=True)
    return result[name]


def default_workers() -> int:
    """Processes for the per-sentence tone step: ``ALLYSCOPE_WORKERS`` or up to 2 cores."""
    env = os.environ.get("ALLYSCOPE_WORKERS")
    if env and env.strip().isdigit():
        return max(1, int(env))
    return max(1, min(2, os.cpu_count() or 1))


# -- the computation ----------------------------------------------------------------------


def compute(workers: int = 1, log: Callable[[str], None] | None = None) -> dict[str, pl.DataFrame]:
    """All rhetoric tables from the warehouse's ``ungd_speeches`` (see module docs)."""
    import time

    from allyscope.store import open_warehouse

    t0 = time.perf_counter()

    def step(what: str) -> None:
        if log:
            log(f"{time.perf_counter() - t0:6.1f} s  {what}")

    wh = open_warehouse()
    wh.require("ungd_speeches")
    raw = wh.sql(
        "SELECT iso3, session, year, speaker, post, words, text FROM ungd_speeches "
        "ORDER BY year, iso3"
    )
    raw = raw.with_columns(pl.int_range(pl.len(), dtype=pl.Int32).alias("speech_id"))
    raw = raw.with_columns(corpus.normalize(pl.col("text")).alias("norm")).drop("text")
    step("read and normalized")
    sents = corpus.sentences(raw)
    n_sent = sents.group_by("speech_id").len("n_sentences")
    speeches = corpus.speaker_codes(
        raw.select("speech_id", "iso3", "session", "year", "speaker", "post", "words")
    ).join(n_sent, on="speech_id", how="left")
    step(f"{sents.height:,} sentences")

    pool = _pool(workers)
    try:
        ment = _mentions(raw, pool)
        step(f"{ment.height:,} state mentions")
        ms = _mention_sentences(ment, sents, speeches, pool)
        step(f"tone of {ms.height:,} sentence-state pairs")
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    dyads = _dyads(ms, speeches)
    th_sent, th = _themes(sents, speeches)
    step("themes")
    sim, pos = _similarity(sents, speeches)
    step("similarity and positions")
    return {
        "speeches": speeches,
        "mention_sentences": ms,
        "dyads": dyads,
        "theme_sentences": th_sent,
        "themes": th,
        "similarity": sim,
        "positions": pos,
    }


def _scan(
    chunk: tuple[list[int], list[str]],
) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """State mentions in some speeches: speech ids, sentence numbers, ISO3 codes, kinds."""
    from allyscope.extract.countries import find_mentions

    lex = dictionaries().resolver
    ids: list[int] = []
    sent_idx: list[np.ndarray] = []
    isos: list[str] = []
    kinds: list[str] = []
    for sid, text in zip(*chunk, strict=True):
        found = find_mentions(text, lex)
        if not found:
            continue
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        breaks = np.flatnonzero(codes == 10)  # one sentence per line (corpus.normalize)
        starts = np.fromiter((m.start for m in found), dtype=np.int64, count=len(found))
        sent_idx.append(np.searchsorted(breaks, starts, side="right"))
        ids.extend([sid] * len(found))
        isos.extend(m.iso3 for m in found)
        kinds.extend(m.kind for m in found)
    sents = np.concatenate(sent_idx) if sent_idx else np.zeros(0, np.int64)
    return np.asarray(ids, dtype=np.int32), sents.astype(np.int32), isos, kinds


def _mentions(raw: pl.DataFrame, pool: Executor | None) -> pl.DataFrame:
    """Every state mention: speech_id, sentence, target ISO3, resolver kind."""
    ids = raw["speech_id"].to_list()
    texts = raw["norm"].to_list()
    n = 1 if pool is None else 16
    bounds = np.linspace(0, len(ids), n + 1).astype(int)
    chunks = [(ids[a:b], texts[a:b]) for a, b in itertools.pairwise(bounds)]
    parts = list(pool.map(_scan, chunks)) if pool is not None else [_scan(c) for c in chunks]
    return pl.DataFrame(
        {
            "speech_id": pl.Series(np.concatenate([p[0] for p in parts]), dtype=pl.Int32),
            "sentence": pl.Series(np.concatenate([p[1] for p in parts]), dtype=pl.Int32),
            "target_iso3": pl.Series([x for p in parts for x in p[2]], dtype=pl.String),
            "kind": pl.Series([x for p in parts for x in p[3]], dtype=pl.String),
        }
    )


def _mention_sentences(
    ment: pl.DataFrame, sents: pl.DataFrame, speeches: pl.DataFrame, pool: Executor | None
) -> pl.DataFrame:
    """One row per (speech, sentence, named state other than the speaker): counts, tone,
    threat framing and the sentence itself."""
    d = dictionaries()
    per = (
        ment.join(speeches.select("speech_id", "year", "iso3"), on="speech_id")
        .group_by("speech_id", "year", "iso3", "sentence", "target_iso3")
        .agg(pl.len().cast(pl.Int32).alias("mentions"))
    )
    per = corpus.iso3_codes(per, "target_iso3").rename(
        {"ccode": "target_ccode", "gwcode": "target_gwcode"}
    )
    spk = speeches.select("speech_id", "ccode")
    per = per.join(spk, on="speech_id").filter(
        (pl.col("target_iso3") != pl.col("iso3"))
        & (
            pl.col("target_ccode").is_null()
            | pl.col("ccode").is_null()
            | (pl.col("target_ccode") != pl.col("ccode"))
        )
    )
    # names of one state under two codes in a sentence ("Soviet", "Russia") count once
    per = (
        per.with_columns(
            pl.coalesce(pl.col("target_ccode").cast(pl.String), "target_iso3").alias("_t")
        )
        .sort("speech_id", "sentence", "_t", "target_iso3")
        .group_by("speech_id", "sentence", "_t", maintain_order=True)
        .agg(
            pl.col("target_iso3").first(),
            pl.col("target_ccode").first(),
            pl.col("target_gwcode").first(),
            pl.col("mentions").sum().cast(pl.Int32),
        )
        .drop("_t")
    )
    text = sents.join(per.select("speech_id", "sentence").unique(), on=["speech_id", "sentence"])
    text = text.sort("speech_id", "sentence")
    tone = sentence_tone(text["text"].to_list(), pool)
    text = text.with_columns(
        pl.Series("tone", tone, dtype=pl.Float64),
        pl.col("text").str.contains(d.threat).alias("threat"),
    )
    return per.join(text, on=["speech_id", "sentence"]).sort("speech_id", "sentence", "target_iso3")


def _vader_scores(texts: list[str]) -> list[float]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    score = SentimentIntensityAnalyzer().polarity_scores
    return [score(t)["compound"] for t in texts]


def sentence_tone(texts: list[str], pool: Executor | None = None) -> list[float]:
    """VADER compound score (-1 … 1) of each sentence (spread over ``pool`` if given)."""
    if pool is None or len(texts) < 20_000:
        return _vader_scores(texts)
    bounds = np.linspace(0, len(texts), 17).astype(int)
    parts = pool.map(_vader_scores, [texts[a:b] for a, b in itertools.pairwise(bounds)])
    return [x for part in parts for x in part]


def _pool(workers: int) -> Executor | None:
    """Worker processes for the two per-sentence Python steps (resolver and VADER).

    joblib's loky processes: they start clean (no fork of a threaded parent) and do not
    re-run the caller's main script.
    """
    if workers <= 1:
        return None
    from joblib.externals.loky import get_reusable_executor

    return get_reusable_executor(max_workers=workers, timeout=30)


def _dyads(ms: pl.DataFrame, speeches: pl.DataFrame) -> pl.DataFrame:
    """Directed dyad-years: what the speech of state 1 says about state 2."""
    key = pl.coalesce(pl.col("target_ccode").cast(pl.String), "target_iso3").alias("_t")
    agg = (
        ms.with_columns(key)
        .group_by("speech_id", "_t")
        .agg(
            pl.col("target_iso3").min(),
            pl.col("target_ccode").first(),
            pl.col("target_gwcode").first(),
            pl.col("mentions").sum().cast(pl.Int32),
            pl.len().cast(pl.Int32).alias("sentences"),
            pl.col("tone").mean().alias("tone"),
            (pl.col("tone").std() / pl.len().sqrt()).alias("tone_se"),
            pl.col("threat").mean().alias("threat_share"),
        )
    )
    sp = speeches.select("speech_id", "iso3", "ccode", "gwcode", "year", "words", "n_sentences")
    out = (
        agg.drop("_t")
        .join(sp, on="speech_id")
        .with_columns(
            (pl.col("sentences") / pl.col("n_sentences")).alias("mention_share"),
            (1000 * pl.col("mentions") / pl.col("words")).alias("mentions_per_1k"),
        )
    )
    return out.select(
        pl.col("iso3").alias("iso3_1"),
        pl.col("target_iso3").alias("iso3_2"),
        pl.col("ccode").alias("ccode1"),
        pl.col("target_ccode").alias("ccode2"),
        pl.col("gwcode").alias("gwcode1"),
        pl.col("target_gwcode").alias("gwcode2"),
        "year",
        "speech_id",
        "mentions",
        "sentences",
        "mention_share",
        "mentions_per_1k",
        "tone",
        "tone_se",
        "threat_share",
    ).sort("year", "iso3_1", "iso3_2")


def _themes(sents: pl.DataFrame, speeches: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    themes = dictionaries().themes
    hits = sents.select(
        "speech_id",
        "sentence",
        "text",
        *[pl.col("text").str.contains(t.pattern).alias(k) for k, t in themes.items()],
    )
    long = (
        hits.unpivot(
            index=["speech_id", "sentence", "text"], variable_name="theme", value_name="hit"
        )
        .filter(pl.col("hit"))
        .drop("hit")
    )
    counts = long.group_by("speech_id", "theme").agg(pl.len().cast(pl.Int32).alias("sentences"))
    grid = speeches.select(
        "speech_id", "iso3", "ccode", "gwcode", "year", "words", "n_sentences"
    ).join(pl.DataFrame({"theme": list(themes)}), how="cross")
    sal = (
        grid.join(counts, on=["speech_id", "theme"], how="left")
        .with_columns(pl.col("sentences").fill_null(0))  # the speech exists: no match is 0
        .with_columns(
            (pl.col("sentences") / pl.col("n_sentences")).alias("share"),
            (1000 * pl.col("sentences") / pl.col("words")).alias("per_1k_words"),
        )
        .select(
            "iso3",
            "ccode",
            "gwcode",
            "year",
            "theme",
            "speech_id",
            "sentences",
            "share",
            "per_1k_words",
        )
        .sort("theme", "year", "iso3")
    )
    ev = long.join(speeches.select("speech_id", "iso3", "ccode", "year"), on="speech_id")
    ev = ev.select("iso3", "ccode", "year", "theme", "speech_id", "sentence", "text").sort(
        "theme", "year", "iso3", "sentence"
    )
    return ev, sal


def _similarity(sents: pl.DataFrame, speeches: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    from allyscope.rhetoric.similarity import positions_and_similarity

    return positions_and_similarity(sents, speeches, dictionaries().procedural)


__all__ = ["NAMES", "VERSION", "compute", "sentence_tone", "table", "tables"]
