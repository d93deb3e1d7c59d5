"""Bailey, Strezhnev and Voeten's published UN ideal points (final-passage votes, 1946-2025).

An independent estimate of the same latent dimension as :func:`allyscope.un.ideal_points`
(a different model run on a different set of votes), read from the warehouse table
``voeten_idealpoints``. Years whose estimates rest on fewer than
:data:`MIN_VOTES` votes per state (1951, 1955, 2024) are flagged: there the estimate is
mostly the random-walk prior.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from allyscope.errors import InvalidInputError

TABLE = "voeten_idealpoints"
#: an estimate resting on fewer votes than this is flagged ``few_votes``
MIN_VOTES = 10


def coverage() -> tuple[int, int]:
    """First and last year of the published estimates (from the catalog)."""
    from allyscope.sources import get

    years = get(TABLE).years
    assert years is not None
    return years


def ideal_points(
    countries: Iterable[str | int] | str | int | None = None,
    years: Iterable[int] | int | None = None,
    wh=None,
) -> pl.DataFrame:
    """``ccode, year, idealpoint, q5, q95, n_votes, few_votes`` (one row per state-year with
    an estimate). ``countries`` are resolved year by year like everywhere in allyscope."""
    from allyscope import codes
    from allyscope.store import open_warehouse

    wh = wh or open_warehouse()
    wh.require(TABLE)
    df = wh.table(TABLE).select(
        "ccode",
        "year",
        "idealpoint",
        "q5",
        "q95",
        "n_votes",
        (pl.col("n_votes") < MIN_VOTES).alias("few_votes"),
    )
    lo, hi = coverage()
    if years is not None:
        ys = [int(years)] if isinstance(years, int) else sorted({int(y) for y in years})
        inside = [y for y in ys if lo <= y <= hi]
        if not inside:
            raise InvalidInputError(
                f"no published Voeten ideal points for {ys[0]}-{ys[-1]}",
                f"they cover {lo}-{hi}",
            )
        df = df.filter(pl.col("year").is_in(inside))
    if countries is not None:
        if isinstance(countries, str | int):
            countries = [countries]
        qs = list(dict.fromkeys(countries))
        for q in qs:
            codes.resolve(q)  # unknown names raise with suggestions
        want = pl.DataFrame(
            [(y, codes.resolve(q, y)) for q in qs for y in df["year"].unique().to_list()],
            schema={"year": pl.Int32, "ccode": pl.Int32},
            orient="row",
        )
        df = df.join(want, on=["year", "ccode"], how="semi")
    return df.sort("ccode", "year")
