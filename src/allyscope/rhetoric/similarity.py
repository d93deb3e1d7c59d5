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
   standard deviation 1 across the year's speeches and oriented so that the twelve
   founding members of NATO are, on average, on the positive side of the Soviet Union and
   the other founding members of the Warsaw Pact (through 1991) or of the year's average
   (from 1992): a sign convention fixed by treaty membership, as text-scaling models fix
   their direction with anchor texts.

Positions are comparable within a year, not across years. They are validated against
Bailey–Strezhnev–Voeten UN ideal points in ``docs/rhetoric.md`` (``bench/rhetoric.py``).
"""

from __future__ import annotations

import numpy as np
import polars as pl

#: the twelve founding members of NATO (North Atlantic Treaty, 4 April 1949)
WEST = ("USA", "CAN", "GBR", "FRA", "BEL", "NLD", "LUX", "DNK", "NOR", "ISL", "ITA", "PRT")
#: the Soviet Union (``RUS`` in the corpus) and the other founding members of the Warsaw
#: Pact (14 May 1955)
EAST = ("RUS", "POL", "CSK", "HUN", "BGR", "ROU", "DDR", "ALB")


def positions_and_similarity(
    sents: pl.DataFrame, speeches: pl.DataFrame, procedural: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Similarity (non-directed dyad-years) and positions (speech-level) for all years."""
    from scipy import sparse
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfTransformer
    from threadpoolctl import threadpool_limits

    stop = pl.Series(sorted(ENGLISH_STOP_WORDS))
    meta = speeches.select("speech_id", "iso3", "ccode", "gwcode", "year").sort("year", "iso3")
    meta = meta.with_columns(
        (pl.col("speech_id").rank("dense").over("year") - 1).cast(pl.Int64).alias("row")
    )
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
        .join(meta.select("speech_id", "year", "row"), on="speech_id")
    )
    vocab = counts["tok"].unique().sort()
    counts = counts.with_columns(
        pl.col("tok").cast(pl.Enum(vocab)).to_physical().cast(pl.Int64).alias("col")
    )
    order = np.argsort(counts["year"].to_numpy(), kind="stable")
    years = counts["year"].to_numpy()[order]
    rows_all = counts["row"].to_numpy()[order]
    cols_all = counts["col"].to_numpy()[order]
    n_all = counts["n"].to_numpy().astype(np.float64)[order]
    cuts = np.flatnonzero(np.diff(years)) + 1
    starts = np.concatenate([[0], cuts])
    ends = np.concatenate([cuts, [years.size]])
    sims: list[pl.DataFrame] = []
    poss: list[pl.DataFrame] = []
    with threadpool_limits(limits=1):  # small dense algebra: threads only contend
        for a, b in zip(starts, ends, strict=True):
            year = int(years[a])
            docs = meta.filter(pl.col("year") == year).sort("row")
            x = sparse.csr_matrix(
                (n_all[a:b], (rows_all[a:b], cols_all[a:b])), shape=(docs.height, vocab.len())
            )
            used = np.flatnonzero(np.asarray((x > 0).sum(axis=0)).ravel() >= 2)
            if docs.height < 3 or used.size == 0:
                continue
            tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(x[:, used])
            sim = np.asarray((tfidf @ tfidf.T).todense())
            i, j = np.triu_indices(docs.height, k=1)
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
            score = _first_component(sim, docs["iso3"].to_numpy(), year)
            poss.append(docs.with_columns(pl.Series("position", score)))
    similarity = pl.concat(sims).sort("year", "iso3_1", "iso3_2")
    positions = pl.concat(poss).select("iso3", "ccode", "gwcode", "year", "speech_id", "position")
    return similarity, positions.sort("year", "iso3")


def _first_component(gram: np.ndarray, iso: np.ndarray, year: int) -> np.ndarray:
    """First principal component scores of the rows behind the Gram matrix ``gram``
    (X Xᵀ), standardized and oriented (see :func:`orientation`).

    Double-centering the Gram matrix centers X's columns, so its leading eigenvector
    times the square root of its eigenvalue is the first principal component.
    """
    r = gram.mean(axis=1, keepdims=True)
    centered = gram - r - r.T + gram.mean()
    vals, vecs = np.linalg.eigh((centered + centered.T) / 2)
    score = vecs[:, -1] * np.sqrt(max(vals[-1], 0.0))
    sd = score.std()
    score = (score - score.mean()) / sd if sd > 0 else np.zeros_like(score)
    return (score * orientation(score, iso, year)).round(12)


def orientation(score: np.ndarray, iso: np.ndarray, year: int) -> float:
    """+1 or -1: the sign that puts the founding members of NATO on the positive side —
    of the Warsaw Pact states through 1991, of the year's average afterwards."""
    west = score[np.isin(iso, WEST)]
    if west.size == 0:
        return 1.0
    east = score[np.isin(iso, EAST)] if year <= 1991 else np.zeros(0)
    ref = east.mean() if east.size else 0.0
    return 1.0 if west.mean() >= ref else -1.0


__all__ = ["EAST", "WEST", "orientation", "positions_and_similarity"]
