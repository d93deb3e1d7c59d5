"""Rhetorical similarity of speeches and one-dimensional text positions, year by year.

Per session year:

1. sentences matching the procedural dictionary (congratulations to the President of
   the Assembly, tributes to the Secretary-General, welcomes to new members ...) are
   dropped;
2. each speech becomes a bag of lower-case words of three letters or more, without
   scikit-learn's English stop words and without words used in fewer than two speeches
   of that year;
3. TF-IDF weights (sublinear term frequency, smoothed IDF, rows scaled to unit length,
   scikit-learn's ``TfidfTransformer``) fitted on that year's speeches;
4. similarity of two speeches = cosine of their TF-IDF vectors (0 … 1);
5. text position = the first principal component of the centered TF-IDF matrix (the
   direction along which that year's speeches differ most), standardized to mean 0 and
   standard deviation 1 across the year's speeches and oriented so that the speech of
   the United States is positive (then the United Kingdom's, then France's, if the US
   did not speak).

Positions are comparable within a year, not across years. They are validated against
Bailey–Strezhnev–Voeten UN ideal points in ``docs/rhetoric.md`` (``bench/rhetoric.py``).
"""

from __future__ import annotations

import numpy as np
import polars as pl

ANCHORS = ("USA", "GBR", "FRA")


def positions_and_similarity(
    sents: pl.DataFrame, speeches: pl.DataFrame, procedural: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Similarity (non-directed dyad-years) and positions (speech-level) for all years."""
    from scipy import sparse
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfTransformer

    stop = pl.Series(sorted(ENGLISH_STOP_WORDS))
    counts = (
        sents.filter(~pl.col("text").str.contains(procedural))
        .select(
            "speech_id",
            pl.col("text").str.to_lowercase().str.extract_all(r"\p{L}{3,}").alias("tok"),
        )
        .explode("tok")
        .drop_nulls("tok")
        .filter(~pl.col("tok").is_in(stop.implode()))
        .group_by("speech_id", "tok")
        .agg(pl.len().alias("n"))
        .join(speeches.select("speech_id", "year"), on="speech_id")
    )
    meta = speeches.select("speech_id", "iso3", "ccode", "gwcode", "year").sort("speech_id")
    sims: list[pl.DataFrame] = []
    poss: list[pl.DataFrame] = []
    for (year,), part in counts.partition_by("year", as_dict=True, maintain_order=True).items():
        docs = meta.filter(pl.col("year") == year)
        df_term = part.group_by("tok").agg(pl.len().alias("df")).filter(pl.col("df") >= 2)
        part = part.join(df_term.select("tok"), on="tok")
        vocab = df_term["tok"].sort()
        if docs.height < 3 or vocab.len() == 0:
            continue
        row_of = {sid: i for i, sid in enumerate(docs["speech_id"].to_list())}
        rows = part["speech_id"].replace_strict(row_of, return_dtype=pl.Int64).to_numpy()
        cols = (
            part.select(pl.col("tok").cast(pl.Enum(vocab)).to_physical())
            .to_series()
            .to_numpy()
            .astype(np.int64)
        )
        x = sparse.csr_matrix(
            (part["n"].to_numpy().astype(np.float64), (rows, cols)),
            shape=(docs.height, vocab.len()),
        )
        tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(x)
        sim = (tfidf @ tfidf.T).toarray()
        i, j = np.triu_indices(docs.height, k=1)
        iso = docs["iso3"].to_numpy()
        gi, gj = pl.Series(i, dtype=pl.UInt32), pl.Series(j, dtype=pl.UInt32)
        sims.append(
            pl.DataFrame(
                {
                    "iso3_1": docs["iso3"].gather(gi),
                    "iso3_2": docs["iso3"].gather(gj),
                    "ccode1": docs["ccode"].gather(gi),
                    "ccode2": docs["ccode"].gather(gj),
                    "year": pl.Series(np.full(i.size, year), dtype=pl.Int32),
                    "similarity": np.clip(sim[i, j], 0.0, 1.0).round(12),
                }
            )
        )
        poss.append(docs.with_columns(pl.Series("position", _first_component(tfidf, iso))))
    similarity = pl.concat(sims).sort("year", "iso3_1", "iso3_2")
    positions = pl.concat(poss).select("iso3", "ccode", "gwcode", "year", "speech_id", "position")
    return similarity, positions.sort("year", "iso3")


def _first_component(tfidf, iso: np.ndarray) -> np.ndarray:
    """First principal component scores, standardized, oriented toward the anchors."""
    dense = tfidf.toarray()
    dense -= dense.mean(axis=0, keepdims=True)
    u, s, _ = np.linalg.svd(dense, full_matrices=False)
    score = u[:, 0] * s[0]
    sd = score.std()
    score = (score - score.mean()) / sd if sd > 0 else np.zeros_like(score)
    for anchor in ANCHORS:
        hit = np.flatnonzero(iso == anchor)
        if hit.size:
            if score[hit[0]] < 0:
                score = -score
            break
    return score.round(12)


__all__ = ["ANCHORS", "positions_and_similarity"]
