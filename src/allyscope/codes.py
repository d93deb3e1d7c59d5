"""Country codes: Correlates of War, Gleditsch-Ward, ISO 3166 and names, year-aware.

The crosswalk has one row per COW state-year (from isard's ``cw_gw_panel``, source
``cow_gw_panel``, 1816 to its last year, 2025) with the Gleditsch-Ward code of the same
state that year, ISO3/ISO2 codes (via the ``countrycode`` package's code list from the GW
code, or from the name where GW has none), a short English name (CLDR) and UN M49 and
continent regions. Explicit overrides cover states ISO does not code as today's
countries: the German Democratic Republic (DDR), Czechoslovakia (CSK), the USSR (SUN
until 1991), Yugoslavia (YUG until 2002, then SCG, and SRB from 2006), South Yemen (YMD),
South Vietnam (no ISO code), Zanzibar and the like.

:func:`resolve` turns a user's way of naming a state (``"South Korea"``, ``"ROK"``,
``"KOR"``, ``"KR"``, ``732``, ``"Seoul"`` is *not* a state) into a COW code, taking the
year into account where the state's code changed (``resolve("Germany", 1970) == 260``,
``resolve("Yemen", 1980) == 678``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import polars as pl

from allyscope.errors import InvalidInputError, UnknownCountryError

#: (ccode, first year, last year, iso3, iso2, name) for states ISO handles differently
ISO_OVERRIDES: tuple[tuple[int, int, int, str | None, str | None, str], ...] = (
    (255, 1816, 1945, "DEU", "DE", "Germany"),
    (255, 1990, 9999, "DEU", "DE", "Germany"),
    (260, 1949, 1990, "DEU", "DE", "West Germany"),
    (265, 1949, 1990, "DDR", "DD", "East Germany"),
    (315, 1918, 1992, "CSK", "CS", "Czechoslovakia"),
    (345, 1878, 2002, "YUG", "YU", "Yugoslavia"),
    (345, 2003, 2005, "SCG", "CS", "Serbia and Montenegro"),
    (345, 2006, 9999, "SRB", "RS", "Serbia"),
    (347, 2008, 9999, "XKX", "XK", "Kosovo"),
    (365, 1816, 1921, "RUS", "RU", "Russia"),
    (365, 1922, 1991, "SUN", "SU", "Soviet Union"),
    (365, 1992, 9999, "RUS", "RU", "Russia"),
    (678, 1918, 1990, "YEM", "YE", "North Yemen"),
    (679, 1990, 9999, "YEM", "YE", "Yemen"),
    (680, 1967, 1990, "YMD", "YD", "South Yemen"),
    (511, 1963, 1964, None, None, "Zanzibar"),
    (816, 1954, 1976, "VNM", "VN", "North Vietnam"),
    (816, 1977, 9999, "VNM", "VN", "Vietnam"),
    (817, 1954, 1975, None, None, "South Vietnam"),
    (713, 1949, 9999, "TWN", "TW", "Taiwan"),
    (730, 1816, 1910, None, None, "Korea"),
    (731, 1948, 9999, "PRK", "KP", "North Korea"),
    (732, 1948, 9999, "KOR", "KR", "South Korea"),
)

#: where a historical code has no region of its own, use its successor's
REGION_PROXY: dict[str, str] = {
    "DDR": "DEU",
    "SUN": "RUS",
    "YUG": "SRB",
    "SCG": "SRB",
    "CSK": "CZE",
    "YMD": "YEM",
    "XKX": "SRB",
}
REGION_PROXY_CCODE: dict[int, str] = {817: "VNM", 511: "TZA", 730: "KOR", 300: "AUT"}

#: the sources of the crosswalk and of the COW membership spells
CROSSWALK_SOURCE = "cow_gw_panel"
STATES_SOURCE = "cow_states_v2024"

#: COW codes whose name a user may mean for a *later or earlier* state in the same place:
#: (ccode asked for, first year, last year, ccode meant in those years)
SUCCESSION: tuple[tuple[int, int, int, int], ...] = (
    (255, 1946, 1989, 260),  # "Germany" during division -> West Germany
    (679, 1816, 1989, 678),  # "Yemen" before unification -> North Yemen (Yemen Arab Republic)
    (345, 1816, 1877, 345),
)

#: extra names and abbreviations people use
ALIASES: dict[str, int] = {
    "usa": 2,
    "us": 2,
    "u.s.": 2,
    "america": 2,
    "united states": 2,
    "united states of america": 2,
    "uk": 200,
    "britain": 200,
    "great britain": 200,
    "england": 200,
    "united kingdom": 200,
    "russia": 365,
    "ussr": 365,
    "soviet union": 365,
    "russian federation": 365,
    "prc": 710,
    "china": 710,
    "people's republic of china": 710,
    "mainland china": 710,
    "roc": 713,
    "taiwan": 713,
    "republic of china": 713,
    "rok": 732,
    "south korea": 732,
    "republic of korea": 732,
    "korea, republic of": 732,
    "korea, south": 732,
    "dprk": 731,
    "north korea": 731,
    "democratic people's republic of korea": 731,
    "korea, dem. people's rep.": 731,
    "japan": 740,
    "west germany": 260,
    "federal republic of germany": 260,
    "frg": 260,
    "east germany": 265,
    "german democratic republic": 265,
    "gdr": 265,
    "yugoslavia": 345,
    "serbia and montenegro": 345,
    "north yemen": 678,
    "yemen arab republic": 678,
    "south yemen": 680,
    "yemen people's republic": 680,
    "people's democratic republic of yemen": 680,
    "north vietnam": 816,
    "democratic republic of vietnam": 816,
    "south vietnam": 817,
    "republic of vietnam": 817,
    "czechoslovakia": 315,
    "burma": 775,
    "ivory coast": 437,
    "holland": 210,
    "vatican": 327,
    "papal states": 327,
    "zanzibar": 511,
    # spellings used by the UN General Assembly voting data (unvotes)
    "congo - brazzaville": 484,
    "congo - kinshasa": 490,
    "côte d’ivoire": 437,
    "micronesia (federated states of)": 987,
    "st. vincent and grenadines": 57,
    "são tomé and príncipe": 403,
}


@dataclass
class _Index:
    crosswalk: pl.DataFrame
    by_name: dict[str, int] = field(default_factory=dict)
    by_iso3: dict[str, int] = field(default_factory=dict)
    by_iso2: dict[str, int] = field(default_factory=dict)
    by_abb: dict[str, int] = field(default_factory=dict)
    spells: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    iso3_any: dict[str, set[int]] = field(default_factory=dict)


_INDEX: dict[str, _Index] = {}
_LOCK = threading.Lock()


#: UN M49 lists no separate Taiwan; UN statistics count it under Eastern Asia
UN_REGION_FILL: dict[str, str] = {"TWN": "Eastern Asia"}


def _convert(values: Sequence[object], origin: str, destination: str) -> list[str | None]:
    """Translate codes or names with the ``countrycode`` code list (None where unknown).

    ``origin="country.name"`` matches English names by the list's regular expressions.
    """
    if not values:
        return []
    from countrycode import codelist, countrycode

    out = countrycode(list(values), origin=origin, destination=destination, custom_dict=codelist)
    return [None if o is None else str(o) for o in out]


def _un_region(iso3: Sequence[str]) -> list[str | None]:
    """The finest UN M49 region of each ISO3 code (intermediate region where M49 has one,
    e.g. Southern Africa, else the sub-region, e.g. Eastern Asia)."""
    mid = _convert(iso3, "iso3c", "un.regionintermediate.name")
    sub = _convert(iso3, "iso3c", "un.regionsub.name")
    return [m or s or UN_REGION_FILL.get(i) for i, m, s in zip(iso3, mid, sub, strict=True)]


def build_crosswalk(wh=None) -> pl.DataFrame:
    """The COW state-year crosswalk (see module docs), computed from the warehouse."""
    from allyscope.store import open_warehouse

    wh = wh or open_warehouse()
    cgy = wh.sql(
        "SELECT ccode, year, stateabb, gwcode, cow_statename, gw_statename "
        f"FROM {CROSSWALK_SOURCE} WHERE ccode IS NOT NULL ORDER BY ccode, year"
    )
    gws = sorted({int(g) for g in cgy["gwcode"].drop_nulls().to_list()})
    gw_iso3 = dict(zip(gws, _convert(gws, "gwn", "iso3c"), strict=True))
    names = sorted(set(cgy["cow_statename"].drop_nulls().to_list()))
    name_iso3 = dict(zip(names, _convert(names, "country.name", "iso3c"), strict=True))

    iso3 = [
        (gw_iso3.get(g) if g is not None else None) or name_iso3.get(n)
        for g, n in zip(cgy["gwcode"].to_list(), cgy["cow_statename"].to_list(), strict=True)
    ]
    df = cgy.with_columns(pl.Series("iso3", iso3, dtype=pl.String))
    # explicit overrides for historical states
    ov = pl.DataFrame(
        ISO_OVERRIDES,
        schema={
            "ccode": pl.Int32,
            "y0": pl.Int32,
            "y1": pl.Int32,
            "iso3_ov": pl.String,
            "iso2_ov": pl.String,
            "name_ov": pl.String,
        },
        orient="row",
    )
    df = df.join(ov, on="ccode", how="left").filter(
        pl.col("y0").is_null() | pl.col("year").is_between(pl.col("y0"), pl.col("y1"))
    )
    # rows of an overridden state outside every override range keep no override
    df = df.unique(subset=["ccode", "year"], keep="first", maintain_order=True)
    has_ov = pl.col("y0").is_not_null()
    iso3_all = sorted(
        {*df["iso3"].drop_nulls().to_list(), *REGION_PROXY.values(), *REGION_PROXY_CCODE.values()}
    )
    iso3_to_iso2 = dict(zip(iso3_all, _convert(iso3_all, "iso3c", "iso2c"), strict=True))
    iso3_to_name = dict(zip(iso3_all, _convert(iso3_all, "iso3c", "country.name.en"), strict=True))
    iso3_to_unreg = dict(zip(iso3_all, _un_region(iso3_all), strict=True))
    iso3_to_cont = dict(zip(iso3_all, _convert(iso3_all, "iso3c", "continent"), strict=True))
    df = df.with_columns(
        pl.when(has_ov).then(pl.col("iso3_ov")).otherwise(pl.col("iso3")).alias("iso3"),
    ).with_columns(
        pl.when(has_ov)
        .then(pl.col("iso2_ov"))
        .otherwise(pl.col("iso3").replace_strict(iso3_to_iso2, default=None))
        .alias("iso2"),
        pl.when(has_ov)
        .then(pl.col("name_ov"))
        .otherwise(
            pl.coalesce(
                pl.col("iso3").replace_strict(iso3_to_name, default=None), pl.col("cow_statename")
            )
        )
        .alias("name"),
    )
    region_iso = pl.coalesce(
        pl.col("iso3").replace(REGION_PROXY),
        pl.col("ccode").replace_strict(REGION_PROXY_CCODE, default=None, return_dtype=pl.String),
    )
    df = df.with_columns(
        region_iso.replace_strict(iso3_to_unreg, default=None).alias("un_region"),
        region_iso.replace_strict(iso3_to_cont, default=None).alias("continent"),
    )
    # World Bank regions as used by the troop data (one per code, most frequent)
    if "us_troops" in wh.tables:
        wb = wh.sql("SELECT ccode, mode(region) AS wb_region FROM us_troops GROUP BY ccode")
        df = df.join(wb, on="ccode", how="left")
    else:
        df = df.with_columns(pl.lit(None, pl.String).alias("wb_region"))
    return df.select(
        pl.col("ccode").cast(pl.Int32),
        pl.col("year").cast(pl.Int32),
        "stateabb",
        pl.col("gwcode").cast(pl.Int32),
        "iso3",
        "iso2",
        "name",
        "cow_statename",
        "gw_statename",
        "un_region",
        "continent",
        "wb_region",
    ).sort("ccode", "year")


def crosswalk() -> pl.DataFrame:
    """The crosswalk for the current warehouse (cached)."""
    return _index().crosswalk


def _norm(s: str) -> str:
    s = s.strip().lower().replace("&", "and")
    s = re.sub(r"[\s_]+", " ", s)
    return s


def _index_states(idx: _Index, states: pl.DataFrame) -> None:
    """COW state-list spells, abbreviations and names."""
    for c, abb, nm, y0, y1 in states.iter_rows():
        idx.spells.setdefault(int(c), []).append((int(y0), int(y1)))
        idx.by_abb.setdefault(abb.upper(), int(c))
        idx.by_name.setdefault(_norm(nm), int(c))
        idx.names.setdefault(int(c), nm)


def _index_crosswalk(idx: _Index, cw: pl.DataFrame) -> None:
    """Names from every crosswalk row, and every ISO3 code a state has held."""
    for row in cw.iter_rows(named=True):
        c = row["ccode"]
        for key in ("name", "cow_statename", "gw_statename"):
            if row[key]:
                idx.by_name.setdefault(_norm(row[key]), c)
        if row["iso3"]:
            idx.iso3_any.setdefault(row["iso3"], set()).add(c)


def _index_modern(idx: _Index, cw: pl.DataFrame) -> None:
    """Modern codes from each state's latest crosswalk row: the latest state wins."""
    last = cw.sort("year").group_by("ccode", maintain_order=True).last()
    for row in last.sort("year").iter_rows(named=True):
        if row["iso3"]:
            idx.by_iso3[row["iso3"]] = row["ccode"]
        if row["iso2"]:
            idx.by_iso2[row["iso2"]] = row["ccode"]
        if row["name"]:
            idx.names[row["ccode"]] = row["name"]
    for iso, codes in idx.iso3_any.items():  # historical-only codes (SUN, YUG, DDR ...)
        if iso not in idx.by_iso3:
            idx.by_iso3[iso] = max(codes)


def _index() -> _Index:
    from allyscope.store import cached_table, open_warehouse

    wh = open_warehouse()
    with _LOCK:
        idx = _INDEX.get(wh.data_hash)
        if idx is not None:
            return idx
        cw = cached_table("crosswalk", {}, lambda: build_crosswalk(wh))
        idx = _Index(cw)
        states = wh.sql(
            f"SELECT ccode, stateabb, statenme, styear, endyear FROM {STATES_SOURCE} "
            "ORDER BY ccode, styear"
        )
        _index_states(idx, states)
        _index_crosswalk(idx, cw)
        _index_modern(idx, cw)
        for alias, c in ALIASES.items():
            idx.by_name[_norm(alias)] = c
        # a current ISO3 wins over a clashing COW abbreviation only where they differ in state
        _INDEX[wh.data_hash] = idx
        return idx


def is_member(ccode: int, year: int) -> bool:
    """Whether COW state ``ccode`` is in the system on any day of ``year`` (COW list v2024;
    after its last year, whether the state was a member at its end)."""
    from allyscope.sources.bounds import last_year

    end = last_year(STATES_SOURCE)
    spells = _index().spells.get(int(ccode), [])
    if year > end:
        return any(y1 == end for _, y1 in spells)
    return any(y0 <= year <= y1 for y0, y1 in spells)


def _succession(ccode: int, year: int | None) -> int:
    if year is None:
        return ccode
    for asked, y0, y1, meant in SUCCESSION:
        if asked == ccode and y0 <= year <= y1:
            return meant
    return ccode


def _resolve_code(idx: _Index, query: str | int, year: int | None) -> int:
    """A state given by its COW code (an int or a string of digits)."""
    code = int(query)
    if code not in idx.spells and code not in idx.names:
        raise UnknownCountryError(str(query), [str(c) for c in idx.names], year)
    return code


def _resolve_text(idx: _Index, q: str) -> int | None:
    """A state given by ISO3, COW abbreviation, ISO2 or name; None when nothing matches."""
    code: int | None = None
    up = q.upper()
    if len(q) == 3 and q.isalpha():
        code = idx.by_iso3.get(up) or idx.by_abb.get(up)
    elif len(q) == 2 and q.isalpha():
        code = idx.by_iso2.get(up)
    if code is None:
        code = idx.by_name.get(_norm(q))
    if code is None:
        iso = _convert([q], "country.name", "iso3c")[0]
        if iso:
            code = idx.by_iso3.get(iso)
    return code


def resolve(query: str | int, year: int | None = None) -> int:
    """The COW code of a state named by COW code, ISO3, COW abbreviation, ISO2 or name.

    ISO3 codes are tried before COW abbreviations (``"KOR"`` is South Korea, not the
    pre-1910 Korean Empire; use 730 for that). With ``year``, names of states whose code
    changed resolve to the state of that year (``"Germany"`` in 1970 is 260).
    """
    idx = _index()
    if isinstance(query, bool):
        raise InvalidInputError(f"not a country: {query!r}")
    if isinstance(query, int) or (isinstance(query, str) and query.strip().isdigit()):
        return _resolve_code(idx, query, year)
    q = str(query).strip()
    if not q:
        raise InvalidInputError("empty country name", "give a name or code such as 'JPN'")
    code = _resolve_text(idx, q)
    if code is None:
        choices = [*idx.names.values(), *idx.by_iso3]
        raise UnknownCountryError(q, choices, None)
    return _succession(code, year)


def resolve_many(queries: Iterable[str | int], year: int | None = None) -> list[int]:
    """Resolve several names; duplicates are an error (a group lists each state once)."""
    out: list[int] = []
    seen: dict[int, str] = {}
    for q in queries:
        c = resolve(q, year)
        if c in seen:
            raise InvalidInputError(
                f"{str(q)!r} and {seen[c]!r} name the same state ({name(c)}): it is named twice",
                "list each state once",
            )
        seen[c] = str(q)
        out.append(c)
    return out


def name(ccode: int, year: int | None = None) -> str:
    """A short English name for a COW code (year-aware where the state was renamed)."""
    idx = _index()
    if year is not None:
        row = idx.crosswalk.filter((pl.col("ccode") == ccode) & (pl.col("year") == year))
        if row.height:
            return row["name"][0]
    try:
        return idx.names[int(ccode)]
    except KeyError:
        raise UnknownCountryError(str(ccode), [str(c) for c in idx.names]) from None


def iso3(ccode: int, year: int | None = None) -> str | None:
    idx = _index()
    cw = idx.crosswalk.filter(pl.col("ccode") == ccode)
    if year is not None:
        cw = cw.filter(pl.col("year") == year)
    return cw["iso3"].drop_nulls()[-1] if cw["iso3"].drop_nulls().len() else None


def lookup(query: str | int, year: int | None = None) -> dict[str, object]:
    """Everything known about a state: codes, names, membership spells and regions."""
    code = resolve(query, year)
    idx = _index()
    cw = idx.crosswalk.filter(pl.col("ccode") == code)
    row = cw.filter(pl.col("year") == year) if year is not None else cw.tail(1)
    if row.height == 0:
        row = cw.tail(1)
    info: dict[str, object] = {"query": str(query), "ccode": code}
    if row.height:
        r = row.row(0, named=True)
        info.update(
            {
                "stateabb": r["stateabb"],
                "gwcode": r["gwcode"],
                "iso3": r["iso3"],
                "iso2": r["iso2"],
                "name": r["name"],
                "cow_name": r["cow_statename"],
                "gw_name": r["gw_statename"],
                "un_region": r["un_region"],
                "wb_region": r["wb_region"],
            }
        )
    else:
        info["name"] = idx.names.get(code)
    info["cow_membership"] = [f"{a}-{b}" for a, b in idx.spells.get(code, [])]
    return info


def to_gw(ccodes: pl.Series | Sequence[int], years: pl.Series | Sequence[int]) -> pl.Series:
    """Vectorized COW -> GW code for state-years (null where GW has no counterpart)."""
    cw = _index().crosswalk.select("ccode", "year", "gwcode")
    q = pl.DataFrame(
        {"ccode": pl.Series(ccodes, dtype=pl.Int32), "year": pl.Series(years, dtype=pl.Int32)}
    )
    return q.join(cw, on=["ccode", "year"], how="left", maintain_order="left")["gwcode"]


REGIONS: dict[str, tuple[str, str]] = {
    "east asia": ("wb_region", "East Asia & Pacific"),
    "east asia and pacific": ("wb_region", "East Asia & Pacific"),
    "east asia & pacific": ("wb_region", "East Asia & Pacific"),
    "asia-pacific": ("wb_region", "East Asia & Pacific"),
    "indo-pacific": ("wb_region", "East Asia & Pacific"),
    "europe": ("wb_region", "Europe & Central Asia"),
    "europe and central asia": ("wb_region", "Europe & Central Asia"),
    "europe & central asia": ("wb_region", "Europe & Central Asia"),
    "middle east": ("wb_region", "Middle East & North Africa"),
    "middle east and north africa": ("wb_region", "Middle East & North Africa"),
    "middle east & north africa": ("wb_region", "Middle East & North Africa"),
    "south asia": ("wb_region", "South Asia"),
    "sub-saharan africa": ("wb_region", "Sub-Saharan Africa"),
    "africa": ("continent", "Africa"),
    "latin america": ("wb_region", "Latin America & Caribbean"),
    "latin america and caribbean": ("wb_region", "Latin America & Caribbean"),
    "latin america & caribbean": ("wb_region", "Latin America & Caribbean"),
    "north america": ("wb_region", "North America"),
    "americas": ("continent", "Americas"),
    "asia": ("continent", "Asia"),
    "oceania": ("continent", "Oceania"),
    "eastern asia": ("un_region", "Eastern Asia"),
    "south-eastern asia": ("un_region", "South-eastern Asia"),
    "southeast asia": ("un_region", "South-eastern Asia"),
}


def region_members(region: str, year: int | None = None) -> list[int]:
    """COW codes of the states in a region (World Bank regions as in the US troop data,
    UN M49 sub-regions or continents), members of the COW system in ``year`` if given."""
    key = _norm(region)
    if key not in REGIONS:
        from allyscope.errors import UnknownNameError

        raise UnknownNameError("region", region, sorted({k.title() for k in REGIONS}))
    col, value = REGIONS[key]
    cw = _index().crosswalk
    if year is not None:
        # a state's region as of its latest crosswalk row up to ``year``: years after the
        # crosswalk's last one keep the regions of that year
        cw = cw.filter(pl.col("year") <= year).sort("year").group_by("ccode").last()
    cw = cw.filter(pl.col(col) == value)
    codes = sorted(set(cw["ccode"].to_list()))
    if year is not None:
        codes = [c for c in codes if is_member(c, year)]
    return codes
