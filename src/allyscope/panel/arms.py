"""Arms transfers: SIPRI trend-indicator values as a directed dyad-year layer.

:func:`arms_transfers` turns the SIPRI trade register (one row per deal) into directed
dyad-years, supplier (``ccode1``) to recipient (``ccode2``):

``sipri_tiv``
    TIV (millions) of major conventional arms delivered that year. The register gives each
    deal's delivered TIV and the list of years with deliveries, not the TIV of each year:
    the delivered TIV is split equally over the years of delivery (a deal delivered in
    2010 and 2012 counts half in each). SIPRI's own yearly tables use the units delivered
    each year, which the register does not carry; over five-year windows the two agree
    closely, and shares are reported over five years for that reason too.
``sipri_tiv_ordered``
    TIV of the deals ordered that year (the order's total TIV, in its year of order).
``sipri_share``
    the recipient's dependence on the supplier: the supplier's share of all TIV the
    recipient received that year (from every supplier, including non-state and unknown
    ones); null when the recipient received nothing that year.
``sipri_share_5y``
    the same over the five years ending that year (the window SIPRI uses for its trend
    comparisons), null when the recipient received nothing in the window.

Suppliers and recipients are SIPRI's names, resolved to COW codes as of each year
(``"Germany"`` before October 1990 is West Germany; ``"Soviet Union"`` and ``"Russia"`` are
365). Rebel groups (names marked ``*``), international organizations (``**``), unknown
parties and entities that are not COW states (Palestine, Northern Cyprus, Western
Sahara, Biafra, Katanga, Aruba) count in the recipients' totals but get no dyad. A name
that is none of these is an error naming the file line of a deal that uses it.

:func:`arms_dependence` ranks a recipient's suppliers over a window, for reports.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from allyscope.errors import SchemaError

#: SIPRI names that are not COW states (besides names ending in '*')
NOT_STATES = frozenset(
    {
        "Aruba",
        "Biafra",
        "Katanga",
        "Northern Cyprus",
        "Palestine",
        "Western Sahara",
        "unknown recipient(s)",
        "unknown supplier(s)",
    }
)
#: SIPRI names resolved explicitly (others go through allyscope.codes.resolve)
NAME_CODES: dict[str, int] = {
    "East Germany (GDR)": 265,
    "Yemen Arab Republic (North Yemen)": 678,
    "North Yemen": 678,
    "South Yemen": 680,
    "Soviet Union": 365,
    "Czechoslovakia": 315,
    "Yugoslavia": 345,
}
WINDOW = 5


def _is_state_name(col: str = "name") -> pl.Expr:
    """True for SIPRI names that can be COW states (not '*'-marked, not listed non-states)."""
    return ~pl.col(col).str.ends_with("*") & ~pl.col(col).is_in(sorted(NOT_STATES))


def _deliveries(reg: pl.DataFrame) -> pl.DataFrame:
    """Deal-years of deliveries: delivered TIV split equally over the years of delivery."""
    d = (
        reg.filter(pl.col("delivery_years").is_not_null() & pl.col("tiv_delivered").is_not_null())
        .with_columns(pl.col("delivery_years").str.split("; ").alias("dy"))
        .with_columns(
            (pl.col("tiv_delivered") / pl.col("dy").list.len()).alias("tiv"),
        )
        .explode("dy")
        .with_columns(pl.col("dy").cast(pl.Int32).alias("year"))
    )
    return d.select("line", "supplier", "recipient", "year", "tiv")


def _resolve_names(pairs: pl.DataFrame, file: str) -> pl.DataFrame:
    """COW code of each distinct (name, year) among state names; errors name a file line.

    Each name is resolved once; names whose code changed over time (``"Germany"``,
    ``"Yemen"``) then take the code of each year from allyscope.codes.SUCCESSION."""
    from allyscope import codes
    from allyscope.errors import UnknownCountryError

    first = pairs.group_by("name").agg(pl.col("line").min()).sort("name")
    base: list[int] = []
    for name, line in first.iter_rows():  # distinct names (about 230), not deals
        if name in NAME_CODES:
            base.append(NAME_CODES[name])
            continue
        try:
            base.append(codes.resolve(name))
        except UnknownCountryError:
            raise SchemaError(
                f"{file}:{line}: SIPRI name {name!r} is not a state allyscope knows, nor a "
                "listed non-state party",
                "add it to allyscope.panel.arms.NAME_CODES or NOT_STATES",
            ) from None
    by_name = first.select("name").with_columns(pl.Series("base", base, dtype=pl.Int32))
    succ = pl.DataFrame(
        codes.SUCCESSION, schema=["base", "y0", "y1", "meant"], orient="row"
    ).with_columns(pl.all().cast(pl.Int32))
    explicit = pl.col("name").is_in(sorted(NAME_CODES))
    out = (
        pairs.select("name", pl.col("year").cast(pl.Int32))
        .join(by_name, on="name", how="left")
        .join(succ, on="base", how="left")
        .with_columns(
            pl.when(~explicit & pl.col("year").is_between(pl.col("y0"), pl.col("y1")))
            .then(pl.col("meant"))
            .otherwise(pl.col("base"))
            .alias("ccode")
        )
        .sort("name", "year", "ccode")
        .unique(subset=["name", "year"], keep="first", maintain_order=True)
    )
    return out.select("name", "year", pl.col("ccode").cast(pl.Int32))


def _successors(df: pl.DataFrame, col: str) -> pl.DataFrame:
    """Codes of states that ended, carried into a five-year window after their end, become
    their successor's (West Germany's deliveries of 1989 count for Germany in 1990-1993)."""
    from allyscope import codes

    for asked, _y0, y1, meant in codes.SUCCESSION:
        if asked != meant:
            df = df.with_columns(
                pl.when((pl.col(col) == meant) & (pl.col("year") > y1))
                .then(pl.lit(asked, pl.Int32))
                .otherwise(pl.col(col))
                .alias(col)
            )
    return df


def _compute() -> pl.DataFrame:
    from allyscope.sources import get
    from allyscope.store import open_warehouse

    reg = open_warehouse().table("sipri_arms")
    file = get("sipri_arms").file
    deliv = _deliveries(reg)
    orders = reg.filter(pl.col("tiv_order").is_not_null()).select(
        "line", "supplier", "recipient", pl.col("order_year").alias("year"), "tiv_order"
    )
    names = pl.concat(
        [
            deliv.select(pl.col(side).alias("name"), "year", "line")
            for side in ("supplier", "recipient")
        ]
        + [
            orders.select(pl.col(side).alias("name"), "year", "line")
            for side in ("supplier", "recipient")
        ]
    )
    names = (
        names.filter(_is_state_name())
        .group_by("name", "year")
        .agg(pl.col("line").min())
        .sort("name", "year")
    )
    codes = _resolve_names(names, file)

    def coded(df: pl.DataFrame) -> pl.DataFrame:
        for side, col in (("supplier", "ccode1"), ("recipient", "ccode2")):
            df = df.join(codes.rename({"name": side, "ccode": col}), on=[side, "year"], how="left")
        return df

    d = coded(deliv)
    totals = d.group_by(pl.col("ccode2"), "year").agg(pl.col("tiv").sum().alias("imports"))
    dy = (
        d.drop_nulls(["ccode1", "ccode2"])
        .filter(pl.col("ccode1") != pl.col("ccode2"))
        .group_by("ccode1", "ccode2", "year")
        .agg(pl.col("tiv").sum().alias("sipri_tiv"))
    )
    o = (
        coded(orders)
        .drop_nulls(["ccode1", "ccode2"])
        .filter(pl.col("ccode1") != pl.col("ccode2"))
        .group_by("ccode1", "ccode2", "year")
        .agg(pl.col("tiv_order").sum().alias("sipri_tiv_ordered"))
    )
    tab = dy.join(o, on=["ccode1", "ccode2", "year"], how="full", coalesce=True).with_columns(
        pl.col("sipri_tiv").fill_null(0.0), pl.col("sipri_tiv_ordered").fill_null(0.0)
    )
    # shares: annual and over the five years ending each year
    tot = totals.drop_nulls("ccode2")
    years = pl.int_ranges(pl.col("year"), pl.col("year") + WINDOW)
    tot5 = (
        tot.with_columns(years.alias("y"))
        .explode("y")
        .drop("year")
        .rename({"y": "year"})
        .pipe(_successors, "ccode2")
        .group_by("ccode2", "year")
        .agg(pl.col("imports").sum().alias("imports_5y"))
    )
    d5 = (
        tab.select("ccode1", "ccode2", "year", "sipri_tiv")
        .with_columns(years.alias("y"))
        .explode("y")
        .drop("year")
        .rename({"y": "year"})
        .pipe(_successors, "ccode1")
        .pipe(_successors, "ccode2")
        .group_by("ccode1", "ccode2", "year")
        .agg(pl.col("sipri_tiv").sum().alias("tiv_5y"))
    )
    last = int(reg["order_year"].max())
    tab = (
        tab.join(d5, on=["ccode1", "ccode2", "year"], how="full", coalesce=True)
        .filter(pl.col("year") <= last)
        .join(tot, on=["ccode2", "year"], how="left")
        .join(tot5, on=["ccode2", "year"], how="left")
        .with_columns(
            pl.col("sipri_tiv").fill_null(0.0),
            pl.col("sipri_tiv_ordered").fill_null(0.0),
            pl.when(pl.col("imports") > 0)
            .then(pl.col("sipri_tiv").fill_null(0.0) / pl.col("imports"))
            .alias("sipri_share"),
            pl.when(pl.col("imports_5y") > 0)
            .then(pl.col("tiv_5y").fill_null(0.0) / pl.col("imports_5y"))
            .alias("sipri_share_5y"),
        )
    )
    return tab.select(
        pl.col("ccode1").cast(pl.Int32),
        pl.col("ccode2").cast(pl.Int32),
        pl.col("year").cast(pl.Int32),
        "sipri_tiv",
        "sipri_tiv_ordered",
        "sipri_share",
        "sipri_share_5y",
    ).sort("ccode1", "ccode2", "year")


def arms_transfers() -> pl.DataFrame:
    """Directed supplier-to-recipient dyad-years of arms transfers (see the module
    documentation): ``ccode1`` supplier, ``ccode2`` recipient, ``year``, ``sipri_tiv``,
    ``sipri_tiv_ordered``, ``sipri_share``, ``sipri_share_5y``. Only dyad-years with a
    transfer in the year or the five-year window are rows. Cached per data version."""
    from allyscope.store import cached_table

    return cached_table("arms_transfers", {"v": 1, "window": WINDOW}, _compute)


def arms_imports() -> pl.DataFrame:
    """TIV delivered to each recipient (COW code) per year from all suppliers, including
    non-state and unknown ones: ``ccode``, ``year``, ``sipri_imports``."""
    from allyscope.store import cached_table

    def compute() -> pl.DataFrame:
        from allyscope.sources import get
        from allyscope.store import open_warehouse

        reg = open_warehouse().table("sipri_arms")
        d = _deliveries(reg)
        names = (
            d.select(pl.col("recipient").alias("name"), "year", "line")
            .filter(_is_state_name())
            .group_by("name", "year")
            .agg(pl.col("line").min())
            .sort("name", "year")
        )
        codes = _resolve_names(names, get("sipri_arms").file)
        return (
            d.join(codes.rename({"name": "recipient"}), on=["recipient", "year"], how="inner")
            .group_by(pl.col("ccode"), "year")
            .agg(pl.col("tiv").sum().alias("sipri_imports"))
            .sort("ccode", "year")
        )

    return cached_table("arms_imports", {"v": 1}, compute)


def arms_dependence(recipient: str | int, years: tuple[int, int] | Sequence[int]) -> pl.DataFrame:
    """A recipient's suppliers over ``years`` (inclusive), largest first: ``ccode``,
    ``name``, ``tiv`` (delivered), ``share`` of all the recipient received in the window.

    >>> arms_dependence("India", (2010, 2019)).head(1)["name"][0]  # doctest: +SKIP
    'Russia'
    """
    from allyscope import codes

    y0, y1 = int(years[0]), int(years[-1])
    rc = codes.resolve(recipient, y1)
    t = arms_transfers().filter((pl.col("ccode2") == rc) & pl.col("year").is_between(y0, y1))
    total = (
        arms_imports()
        .filter((pl.col("ccode") == rc) & pl.col("year").is_between(y0, y1))["sipri_imports"]
        .sum()
    )
    out = (
        t.group_by(pl.col("ccode1").alias("ccode"))
        .agg(pl.col("sipri_tiv").sum().alias("tiv"))
        .filter(pl.col("tiv") > 0)
        .with_columns(
            (pl.col("tiv") / total).alias("share") if total else pl.lit(None).alias("share")
        )
        .sort("tiv", descending=True)
    )
    names = [codes.name(c) for c in out["ccode"].to_list()]
    return out.with_columns(pl.Series("name", names, dtype=pl.String)).select(
        "ccode", "name", "tiv", "share"
    )


__all__ = ["NAME_CODES", "NOT_STATES", "arms_dependence", "arms_imports", "arms_transfers"]
