"""Checks of allyscope's UN measures against published figures they were not built from.

* :func:`voeten` -- Bailey, Strezhnev and Voeten's published ideal points (final-passage
  votes, April 2026 release; or the July 2025 release's final-passage and all-votes runs);
* :func:`within_year_correlations` -- Pearson and Spearman correlation, year by year, of two
  sets of positions of the same states;
* :func:`ranks` -- each state's rank in each year (1 = most positive, i.e. nearest the
  United States);
* :func:`statedept` -- the US State Department's published coincidence counts beside the
  same counts computed from the recorded votes.
"""

from __future__ import annotations

import polars as pl

#: Voeten releases: (warehouse table, column of the estimate)
VOETEN_RUNS: dict[str, tuple[str, str]] = {
    "fp": ("voeten_idealpoints", "idealpoint"),
    "jul2025_fp": ("voeten_idealpoints_jul2025", "idealpoint_fp"),
    "jul2025_all": ("voeten_idealpoints_jul2025", "idealpoint_all"),
}


def voeten(wh, run: str = "fp") -> pl.DataFrame:
    """``ccode, year, voeten`` from one of :data:`VOETEN_RUNS` (rows without an estimate
    dropped)."""
    table, col = VOETEN_RUNS[run]
    wh.require(table)
    return (
        wh.table(table)
        .select(
            pl.col("ccode").cast(pl.Int32),
            pl.col("year").cast(pl.Int32),
            pl.col(col).alias("voeten"),
        )
        .drop_nulls("voeten")
    )


def within_year_correlations(
    a: pl.DataFrame, b: pl.DataFrame, col_a: str = "idealpoint", col_b: str = "voeten"
) -> pl.DataFrame:
    """``year, n, pearson, spearman`` over the states present in both ``a`` and ``b``
    (each with ``ccode, year`` and its column), years with at least 10 common states."""
    j = a.select(
        pl.col("ccode").cast(pl.Int32), pl.col("year").cast(pl.Int32), pl.col(col_a).alias("_a")
    ).join(
        b.select(
            pl.col("ccode").cast(pl.Int32), pl.col("year").cast(pl.Int32), pl.col(col_b).alias("_b")
        ),
        on=["ccode", "year"],
    )
    return (
        j.group_by("year")
        .agg(
            pl.len().alias("n"),
            pl.corr("_a", "_b").alias("pearson"),
            pl.corr("_a", "_b", method="spearman").alias("spearman"),
        )
        .filter(pl.col("n") >= 10)
        .sort("year")
    )


def median_correlations(cors: pl.DataFrame, years: tuple[int, int]) -> dict[str, float]:
    """Median and minimum of the within-year correlations in ``years`` (inclusive)."""
    c = cors.filter(pl.col("year").is_between(*years))
    stats = c.select(
        pl.col("pearson").median().alias("pearson"),
        pl.col("spearman").median().alias("spearman"),
        pl.col("pearson").min().alias("pearson_min"),
        pl.col("spearman").min().alias("spearman_min"),
    ).row(0, named=True)
    return {"years": float(c.height), **{k: float(v) for k, v in stats.items()}}


def ranks(table: pl.DataFrame, col: str = "idealpoint") -> pl.DataFrame:
    """``ccode, year, rank, n``: rank 1 is the most positive position of the year."""
    return table.select(
        pl.col("ccode").cast(pl.Int32),
        pl.col("year").cast(pl.Int32),
        pl.col(col).rank("ordinal", descending=True).over("year").cast(pl.Int32).alias("rank"),
        pl.len().over("year").cast(pl.Int32).alias("n"),
    )


def us_coincidence(votes: pl.DataFrame) -> pl.DataFrame:
    """Per state, relative to the United States over roll calls on which the US voted:
    ``ccode, same, opposite, partial`` (one abstained, the other did not) and ``voted``.
    ``votes``: ``rcid, ccode, vote`` (1 yes, 2 abstain, 3 no)."""
    us = votes.filter(pl.col("ccode") == 2).select("rcid", pl.col("vote").alias("_us"))
    j = votes.filter(pl.col("ccode") != 2).join(us, on="rcid")
    gap = (pl.col("vote") - pl.col("_us")).abs()
    return j.group_by("ccode").agg(
        (gap == 0).sum().cast(pl.Int32).alias("same"),
        (gap == 2).sum().cast(pl.Int32).alias("opposite"),
        (gap == 1).sum().cast(pl.Int32).alias("partial"),
        pl.len().cast(pl.Int32).alias("voted"),
    )


def statedept(wh, year: int, votes: pl.DataFrame) -> pl.DataFrame:
    """The State Department's published counts and coincidence for ``year`` beside the same
    counts from ``votes`` (``rcid, ccode, vote`` of the roll calls of that year).

    The counts follow the report's rules as its 2020 tables reveal them: a state that was
    absent where the United States abstained counts as a *partial* agreement, not as absent.
    Columns: ``iso3c, ccode``, the published ``same, opposite, partial, absent,
    coincidence`` and the computed ``same_c, opposite_c, partial_c, absent_c``, the classic
    coincidence ``same / (same + opposite)`` (``coincidence_classic``) and the one that counts
    a partial agreement as half (``coincidence_half``), both from the computed counts.
    """
    from allyscope import codes

    table = f"statedept_coincidence_{year}"
    wh.require(table)
    sd = wh.table(table)
    sd = sd.with_columns(
        pl.Series("ccode", [codes.resolve(i, year) for i in sd["iso3c"]], dtype=pl.Int32)
    )
    n = votes["rcid"].n_unique()
    us_abstained = votes.filter((pl.col("ccode") == 2) & (pl.col("vote") == 2))["rcid"]
    on_those = (
        votes.filter(pl.col("rcid").is_in(us_abstained.implode()))
        .group_by("ccode")
        .len("k")
        .with_columns(pl.col("ccode").cast(pl.Int32))
    )
    mine = us_coincidence(votes).with_columns(pl.col("ccode").cast(pl.Int32))
    absent_there = us_abstained.len() - pl.col("k").fill_null(0)
    out = (
        sd.join(mine, on="ccode", how="left", suffix="_c")
        .join(on_those, on="ccode", how="left")
        .with_columns(
            pl.col("same_c").fill_null(0),
            pl.col("opposite_c").fill_null(0),
            (pl.col("partial_c").fill_null(0) + absent_there).alias("partial_c"),
            (n - pl.col("voted").fill_null(0) - absent_there).alias("absent_c"),
        )
    )
    s, o, p = pl.col("same_c"), pl.col("opposite_c"), pl.col("partial_c")
    return out.with_columns(
        (s / (s + o)).alias("coincidence_classic"),
        ((s + p / 2) / (s + o + p)).alias("coincidence_half"),
    ).drop("voted", "k")
