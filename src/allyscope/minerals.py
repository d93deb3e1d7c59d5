"""Critical minerals: who produces them, who holds the reserves, who depends on whom.

Built from the USGS Mineral Commodity Summaries 2025 (production 2023 and estimated 2024,
reserves 2024; US net import reliance 2024 and major import sources 2020-2023).

* :func:`production` — one row per mineral *series* (a commodity and what is measured:
  mine production, refinery production, plant capacity ...) and producing state, with the
  state's share of world production and of world reserves.
* :func:`concentration` — per series: the top producer and its share, the
  Herfindahl-Hirschman index of the listed producers and their number.
* :func:`us_import_reliance` — US net import reliance per commodity with its major
  import sources in order (COW codes).
* :func:`exposure` — how exposed a group of states is to one supplier: for every series,
  the supplier's and the group's shares of world production and reserves, and where the
  United States is in the group, its import reliance and the supplier's rank among its
  import sources; :func:`exposure_summary` counts the series the supplier dominates.

Reading rules, all explicit (nothing is matched by guess):

* shares are of the series' **world total** row as USGS publishes it (which includes
  "other countries"); a series without a world total has no shares;
* country labels are stripped of spaces and qualifiers (``"Brazil (beneficiated)"`` is
  Brazil); combined or non-state rows (``"Other countries"``, ``"United States and
  Canada"``, Greenland, New Caledonia) are not states and get no row;
* two rows USGS labels differently from the rest of their table are assigned to it
  (:data:`TYPE_FIXES`), the parts of a state's production listed separately are added
  (:data:`COMPONENTS`: US helium), one series with two world totals uses the one named for it
  (:data:`WORLD_ROW`), and the misspelt "Gemanium" is germanium;
* a world total that cannot be right (smaller than one state's production) is not used
  (:data:`BAD_WORLD_TOTALS`: kaolin in 2024); listed states exceeding a world total by
  more than rounding (10 %) are an error;
* reserves published as lower bounds (``">90000000"``) are kept as the bound with
  ``reserves_lower_bound`` true; so is a share computed from them;
* the HHI sums the squared shares of the *listed* producers (0-1): "other countries" are
  unknown, so it is a lower bound.

A label that fits none of these rules is an error naming the file line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl

from allyscope.errors import InvalidInputError, SchemaError
from allyscope.sources.bounds import coverage

#: the production years of the data (their columns are prod_<year>)
YEARS: tuple[int, ...] = tuple(range(coverage("usgs_world")[0], coverage("usgs_world")[1] + 1))

#: labels of rows that are not states
NOT_STATES = ("Other countries", "World total", "United States and Canada")
TERRITORIES = frozenset({"Greenland", "New Caledonia"})
#: country labels resolved explicitly (the qualifier is part of the name)
NAME_CODES: dict[str, int] = {
    "Congo (Kinshasa)": 490,
    "Korea, North": 731,
    "Korea, Republic of": 732,
    "Burma": 775,
}
COMMODITY_FIXES: dict[str, str] = {"Gemanium": "Germanium"}
#: rows whose measure is labelled unlike the rest of their table: (commodity, type) -> type
TYPE_FIXES: dict[tuple[str, str], str] = {
    ("Cobalt", "Mine production, estimated"): "Mine production, cobalt content, estimated",
    ("Soda ash", "Soda ash, natural, mine production"): "Mine production, natural",
}
#: series with more than one world-total row: the row that is this series' total
WORLD_ROW: dict[tuple[str, str], str] = {
    (
        "Titanium Mineral Concentrates",
        "Mine production, ilmentite, titanium dioxide (TiO2) content",
    ): "World total (ilmenite, rounded)",
}
#: world totals that cannot be right, and are not used: (commodity, type, year) -> why
BAD_WORLD_TOTALS: dict[tuple[str, str, int], str] = {
    ("Clays", "Mine poduction, Kaolin", 2024): "the world total (4,400) is smaller than "
    "China's or India's production alone; 44,400 in 2023 (a digit lost)",
}
#: listed states may exceed a rounded world total by this much before it is an error
ROUNDING_SLACK = 1.10
#: states listed in several parts of one series, whose parts add up: (commodity, ccode)
COMPONENTS: dict[tuple[str, int], str] = {
    ("Helium", 2): "helium extracted from natural gas plus helium from the Cliffside Field",
}
#: US-table commodity names (figure 2, table 5) -> world-data commodity, where not the same
US_COMMODITY: dict[str, str] = {
    "ALUMINA": "Bauxite",
    "BAUXITE": "Bauxite",
    "ALUMINUM (BAUXITE)": "Bauxite",
    "GRAPHITE (NATURAL)": "Graphite",
    "RARE EARTHS": "Rare earths",
    "RARE EARTHS (COMPOUNDS AND METALS)": "Rare earths",
    "MAGNESIUM": "Magnesium metal",
    "MAGNESIUM METAL": "Magnesium metal",
    "PLATINUM": "Platinum-Group metals",
    "PALLADIUM": "Platinum-Group metals",
    "TITANIUM": "Titanium & titanium dioxide",
    "TITANIUM (METAL)": "Titanium & titanium dioxide",
    "TITANIUM MINERAL CONCENTRATES": "Titanium Mineral Concentrates",
    "ZIRCONIUM": "Zirconium and Hafnium",
    "ZIRCONIUM (ORES AND CONCENTRATES)": "Zirconium and Hafnium",
    "IRON OXIDE PIGMENTS": "Iron oxide pigments",
    "MICA (NATURAL)": "Mica (Natural)",
    "DIAMOND (INDUSTRIAL)": "Diamond (industrial)",
    "GARNET (INDUSTRIAL)": "Garnet (industrial)",
    "NIOBIUM (COLUMBIUM)": "Niobium",
    "STONE (DIMENSION)": "",
    "NEPHELINE SYENITE": "",
    "CESIUM": "",
    "RUBIDIUM": "",
    "SCANDIUM": "",
    "YTTRIUM": "",
}


def _clean(s: pl.Expr) -> pl.Expr:
    return s.str.replace_all("\u00a0", " ").str.strip_chars()


def _world() -> tuple[pl.DataFrame, str]:
    from allyscope.sources import get
    from allyscope.store import open_warehouse

    w = open_warehouse().table("usgs_world")
    return w, get("usgs_world").file


def _series(w: pl.DataFrame) -> pl.DataFrame:
    w = w.with_columns(
        _clean(pl.col("commodity")).replace(COMMODITY_FIXES).alias("commodity"),
        _clean(pl.col("country")).alias("label"),
        _clean(pl.col("type")).alias("type"),
    )
    fixes = pl.DataFrame(
        [(c, t, v) for (c, t), v in TYPE_FIXES.items()],
        schema=["commodity", "type", "fixed"],
        orient="row",
    )
    w = (
        w.join(fixes, on=["commodity", "type"], how="left")
        .with_columns(pl.coalesce("fixed", "type").alias("type"))
        .drop("fixed")
    )
    # one unit per series (a row without one takes the series')
    units = (
        w.drop_nulls("unit_meas").group_by("commodity", "type").agg(pl.col("unit_meas").unique())
    )
    return w.join(units.rename({"unit_meas": "units"}), on=["commodity", "type"], how="left")


def _parse_reserves(col: str) -> list[pl.Expr]:
    raw = pl.col(col).str.strip_chars()
    return [
        raw.str.replace_all(",", "").str.strip_prefix(">").cast(pl.Float64).alias(col),
        raw.str.starts_with(">").fill_null(False).alias(f"{col}_lower_bound"),
    ]


def _resolve(labels: pl.DataFrame, file: str) -> pl.DataFrame:
    """COW code of each state label (``label``, ``line``); non-states get null."""
    from allyscope import codes
    from allyscope.errors import UnknownCountryError

    out: list[int | None] = []
    for label, line in labels.iter_rows():  # distinct labels (about 150), not rows
        if label.startswith(NOT_STATES) or label.lower().startswith("other countries"):
            out.append(None)
            continue
        if label in NAME_CODES:
            out.append(NAME_CODES[label])
            continue
        name = re.sub(r"\s*\(.*\)\s*$", "", label).strip()
        if name in NAME_CODES:
            out.append(NAME_CODES[name])
            continue
        if name in TERRITORIES:
            out.append(None)
            continue
        try:
            out.append(codes.resolve(name))
        except UnknownCountryError:
            raise SchemaError(
                f"{file}:{line}: country {label!r} is not a state allyscope knows, nor a listed "
                "non-state row",
                "add it to allyscope.minerals.NAME_CODES or TERRITORIES",
            ) from None
    return labels.select("label").with_columns(pl.Series("ccode", out, dtype=pl.Int32))


def _compute_production() -> pl.DataFrame:
    w, file = _world()
    w = _series(w).with_columns(*_parse_reserves("reserves_2024"))
    bad_units = w.filter(pl.col("units").list.len() > 1)
    if bad_units.height:
        r = bad_units.row(0, named=True)
        raise SchemaError(
            f"{file}:{r['line']}: the series {r['commodity']} / {r['type']} has units {r['units']}"
        )
    w = w.with_columns(pl.col("units").list.first().alias("unit"))
    world = w.filter(pl.col("label").str.starts_with("World total"))
    choice = pl.DataFrame(
        [(c, t, v) for (c, t), v in WORLD_ROW.items()],
        schema=["commodity", "type", "label"],
        orient="row",
    )
    chosen = world.join(choice, on=["commodity", "type", "label"], how="semi")
    world = pl.concat([world.join(choice, on=["commodity", "type"], how="anti"), chosen])
    dup = world.filter(pl.struct("commodity", "type").is_duplicated())
    if dup.height:
        r = dup.row(0, named=True)
        raise SchemaError(
            f"{file}:{r['line']}: {r['commodity']} / {r['type']} has several world totals",
            "name the right one in allyscope.minerals.WORLD_ROW",
        )
    world = world.select(
        "commodity",
        "type",
        pl.col("prod_2023").alias("world_prod_2023"),
        pl.col("prod_2024").alias("world_prod_2024"),
        pl.col("reserves_2024").alias("world_reserves_2024"),
        pl.col("reserves_2024_lower_bound").alias("world_reserves_lower_bound"),
    )
    labels = (
        w.filter(~pl.col("label").str.starts_with("World total"))
        .group_by("label")
        .agg(pl.col("line").min())
        .sort("label")
    )
    codes = _resolve(labels, file)
    states = (
        w.join(codes, on="label", how="inner")
        .drop_nulls("ccode")
        .join(world, on=["commodity", "type"], how="left")
    )
    comp = pl.DataFrame(
        [(c, k) for c, k in COMPONENTS],
        schema={"commodity": pl.String, "ccode": pl.Int32},
        orient="row",
    )
    parts = states.join(comp, on=["commodity", "ccode"], how="semi")
    if parts.height:
        summed = parts.group_by("commodity", "type", "ccode").agg(
            pl.col("prod_2023", "prod_2024", "reserves_2024").sum(),
            pl.col("reserves_2024_lower_bound").any(),
            pl.col("label").sort().str.join(" + "),
            pl.exclude(
                "prod_2023", "prod_2024", "reserves_2024", "reserves_2024_lower_bound", "label"
            ).first(),
        )
        states = pl.concat(
            [
                states.join(comp, on=["commodity", "ccode"], how="anti"),
                summed.select(states.columns),
            ]
        )
    dup = states.filter(pl.struct("commodity", "type", "ccode").is_duplicated())
    if dup.height:
        r = dup.sort("line").row(0, named=True)
        raise SchemaError(
            f"{file}:{r['line']}: {r['label']} appears twice in {r['commodity']} / {r['type']}"
        )
    for (com, typ, yr), _why in BAD_WORLD_TOTALS.items():
        states = states.with_columns(
            pl.when((pl.col("commodity") == com) & (pl.col("type") == typ))
            .then(None)
            .otherwise(pl.col(f"world_prod_{yr}"))
            .alias(f"world_prod_{yr}")
        )
    for yr in YEARS:
        over = (
            states.group_by("commodity", "type")
            .agg(
                pl.col(f"prod_{yr}").sum().alias("listed"),
                pl.col(f"world_prod_{yr}").first().alias("world"),
                pl.col("line").min(),
            )
            .filter(pl.col("listed") > ROUNDING_SLACK * pl.col("world"))
        )
        if over.height:
            r = over.row(0, named=True)
            raise SchemaError(
                f"{file}:{r['line']}: the states listed for {r['commodity']} / {r['type']} "
                f"produce {r['listed']:,.0f} in {yr}, more than the world total {r['world']:,.0f}",
                "declare it in allyscope.minerals.BAD_WORLD_TOTALS if the total is wrong",
            )
    share = lambda a, b: pl.when(pl.col(b) > 0).then(pl.col(a) / pl.col(b))  # noqa: E731
    out = states.with_columns(
        share("prod_2023", "world_prod_2023").alias("share_prod_2023"),
        share("prod_2024", "world_prod_2024").alias("share_prod_2024"),
        share("reserves_2024", "world_reserves_2024").alias("share_reserves_2024"),
        (
            pl.col("reserves_2024_lower_bound")
            | pl.col("world_reserves_lower_bound").fill_null(False)
        ).alias("reserves_share_bound"),
    )
    from allyscope import codes as _codes

    names = {c: _codes.name(c) for c in out["ccode"].unique().to_list()}
    return out.select(
        "commodity",
        "type",
        "unit",
        "ccode",
        pl.col("ccode").replace_strict(names, return_dtype=pl.String).alias("country"),
        pl.col("label").alias("usgs_label"),
        "prod_2023",
        "prod_2024",
        "share_prod_2023",
        "share_prod_2024",
        pl.col("reserves_2024"),
        pl.col("reserves_2024_lower_bound").alias("reserves_lower_bound"),
        "share_reserves_2024",
        "reserves_share_bound",
        "world_prod_2023",
        "world_prod_2024",
        "world_reserves_2024",
        "line",
    ).sort("commodity", "type", "ccode")


def production() -> pl.DataFrame:
    """State production and reserves per mineral series with shares of the world totals
    (see the module documentation); cached per data version."""
    from allyscope.store import cached_table

    return cached_table("mineral_production", {"v": 2}, _compute_production)


def _check_year(year: int) -> None:
    if year not in YEARS:
        raise InvalidInputError(
            f"USGS MCS 2025 gives production for {YEARS[0]} and {YEARS[-1]}, not {year}",
            f"use year={YEARS[-1]}",
        )


def concentration(year: int = YEARS[-1]) -> pl.DataFrame:
    """Per series: ``top_ccode``, ``top_country``, ``top_share`` of world production in
    ``year`` (2023 or 2024), ``hhi`` of the listed producers (a lower bound) and
    ``n_producers``."""
    _check_year(year)
    col = f"share_prod_{year}"
    p = production().filter(pl.col(col).is_not_null() & (pl.col(f"prod_{year}") > 0))
    return (
        p.sort(col, "ccode", descending=[True, False])
        .group_by("commodity", "type", maintain_order=True)
        .agg(
            pl.col("ccode").first().alias("top_ccode"),
            pl.col("country").first().alias("top_country"),
            pl.col(col).first().alias("top_share"),
            (pl.col(col) ** 2).sum().alias("hhi"),
            pl.len().alias("n_producers"),
        )
        .sort("commodity", "type")
    )


def _us_key(name: str, world: Iterable[str]) -> str | None:
    """The world-data commodity a US-table commodity name refers to (``None`` if none):
    :data:`US_COMMODITY`, else the name before its first comma, compared without case."""
    up = re.sub(r"\s+", " ", name.strip().upper())
    base = up.split(",")[0].strip()
    by_upper = {w.upper(): w for w in world}
    for key in (up, base):
        if key in US_COMMODITY:
            return US_COMMODITY[key] or None
    return by_upper.get(base)


def us_import_reliance() -> pl.DataFrame:
    """US net import reliance 2024 (USGS MCS 2025, figure 2): ``commodity`` (as USGS
    names it), ``world_commodity`` (the world-data commodity, null where the world data
    have none), ``net_import_reliance`` (percent; a bound where USGS gives one; where several US commodities map to one world
    commodity, e.g. alumina and bauxite, :func:`exposure` shows the highest),
    ``reliance_bound`` ('>', '<' or null), ``major_sources`` (COW codes, largest first)
    and ``major_source_names``."""
    from allyscope import codes
    from allyscope.sources import get
    from allyscope.store import open_warehouse

    f = open_warehouse().table("usgs_net_import_reliance")
    file = get("usgs_net_import_reliance").file
    world_names = set(production()["commodity"].unique().to_list())
    rows = []
    for r in f.iter_rows(named=True):  # 64 commodities
        nir = (r["net_import_reliance_2024"] or "").strip()
        bound = nir[0] if nir[:1] in "<>" and nir else None
        value = float(nir.lstrip("<>")) if nir and nir not in ("E", "W", "NA") else None
        srcs, names = [], []
        for raw in (r["major_import_sources"] or "").split(","):
            name = re.sub(r"\d+$", "", raw.strip())  # footnote marks: "China3"
            if not name:
                continue
            try:
                srcs.append(codes.resolve(name))
            except Exception:
                raise SchemaError(
                    f"{file}:{r['line']}: import source {name!r} is not a state allyscope knows"
                ) from None
            names.append(codes.name(srcs[-1]))
        rows.append(
            {
                "commodity": r["commodity"],
                "world_commodity": _us_key(r["commodity"], world_names),
                "net_import_reliance": value,
                "reliance_bound": bound,
                "net_exporter": nir == "E",
                "major_sources": srcs,
                "major_source_names": names,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "commodity": pl.String,
            "world_commodity": pl.String,
            "net_import_reliance": pl.Float64,
            "reliance_bound": pl.String,
            "net_exporter": pl.Boolean,
            "major_sources": pl.List(pl.Int32),
            "major_source_names": pl.List(pl.String),
        },
    )


def critical_minerals() -> list[str]:
    """World-data commodities that are US critical minerals (USGS MCS 2025, table 5)."""
    from allyscope.store import open_warehouse

    t5 = open_warehouse().table("usgs_critical_minerals")
    world = set(production()["commodity"].unique().to_list())
    keys = {_us_key(n, world) for n in t5["critical_mineral"].to_list()}
    return sorted(k for k in keys if k)


def exposure(
    group: Iterable[str | int],
    supplier: str | int,
    *,
    year: int = YEARS[-1],
    critical_only: bool = True,
) -> pl.DataFrame:
    """How exposed ``group`` is to ``supplier`` mineral by mineral.

    One row per series (US critical minerals only unless ``critical_only=False``):
    ``supplier_share`` and ``group_share`` of world production in ``year``,
    ``supplier_reserves_share`` and ``group_reserves_share`` (2024), ``supplier_rank``
    among producers, the series' ``top_country``, ``top_share`` and ``hhi``; where the
    United States is in the group, ``us_net_import_reliance`` and ``supplier_us_source_rank``
    (1 = the largest US import source, null = not a major source).

    >>> exposure(["USA", "JPN", "KOR"], "China").head()  # doctest: +SKIP
    """
    from allyscope import codes

    members = codes.resolve_many(group)
    sup = codes.resolve(supplier)
    if sup in members:
        raise InvalidInputError(
            f"the supplier {codes.name(sup)} is also in the group", "list it in one place only"
        )
    _check_year(year)
    col = f"share_prod_{year}"
    p = production()
    if critical_only:
        p = p.filter(pl.col("commodity").is_in(critical_minerals()))
    keys = ["commodity", "type"]
    series = p.select(keys).unique()
    ranked = p.filter(pl.col(col).is_not_null()).with_columns(
        pl.col(col).rank("min", descending=True).over(keys).cast(pl.Int32).alias("rank")
    )
    s = ranked.filter(pl.col("ccode") == sup).select(
        *keys,
        pl.col(col).alias("supplier_share"),
        pl.col("share_reserves_2024").alias("supplier_reserves_share"),
        pl.col("rank").alias("supplier_rank"),
    )
    g = (
        p.filter(pl.col("ccode").is_in(members))
        .group_by(keys)
        .agg(
            pl.col(col).sum().alias("group_share"),
            pl.col("share_reserves_2024").sum().alias("group_reserves_share"),
        )
    )
    out = (
        series.join(s, on=keys, how="left")
        .join(g, on=keys, how="left")
        .join(
            concentration(year).select(*keys, "top_country", "top_share", "hhi"),
            on=keys,
            how="left",
        )
        .with_columns(pl.col("supplier_share").fill_null(0.0), pl.col("group_share").fill_null(0.0))
    )
    if codes.resolve("USA") in members:
        us = (
            us_import_reliance()
            .drop_nulls("world_commodity")
            .with_columns(
                (pl.col("major_sources").list.eval(pl.element() == sup).list.arg_max() + 1)
                .cast(pl.Int32)
                .alias("rank"),
                pl.col("major_sources").list.contains(sup).alias("is_src"),
            )
            .group_by(pl.col("world_commodity").alias("commodity"))
            .agg(
                pl.col("net_import_reliance").max().alias("us_net_import_reliance"),
                pl.col("rank").filter(pl.col("is_src")).min().alias("supplier_us_source_rank"),
            )
        )
        out = out.join(us, on="commodity", how="left")
    return out.sort("supplier_share", "commodity", descending=[True, False])


def exposure_summary(
    group: Iterable[str | int],
    supplier: str | int,
    *,
    threshold: float = 0.5,
    year: int = YEARS[-1],
) -> dict[str, object]:
    """Headline of :func:`exposure` over US critical minerals: how many series there are,
    how many the supplier dominates (at least ``threshold`` of world production), and in
    how many of those the group produces less than a tenth of what the supplier does."""
    e = exposure(group, supplier, year=year).filter(pl.col("supplier_share").is_not_null())
    dom = e.filter(pl.col("supplier_share") >= threshold)
    weak = dom.filter(pl.col("group_share") < 0.1 * pl.col("supplier_share"))
    return {
        "series": e.height,
        "dominated": dom.height,
        "dominated_commodities": sorted(set(dom["commodity"].to_list())),
        "dominated_group_lt_tenth": weak.height,
        "threshold": threshold,
        "year": year,
        "source": "USGS Mineral Commodity Summaries 2025",
    }


__all__ = [
    "concentration",
    "critical_minerals",
    "exposure",
    "exposure_summary",
    "production",
    "us_import_reliance",
]
