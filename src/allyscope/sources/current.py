"""Sources that bring the layers to their latest public year, and the new layers.

The state system to 2024 (COW v2024; Gleditsch–Ward to 2020 and the COW–GW panels and
democracy scores to 2025 from isard), US troops abroad by quarter to December 2025,
REIGN leaders and elections to March 2021, Kinne's defense cooperation agreements
(1980–2010), the SIPRI arms-transfer register (to 2024) and the USGS Mineral Commodity
Summaries 2025. Declared like the rest of the catalog: pinned address and checksum,
unit, keys, years, citations, license and typed columns.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from allyscope.errors import SchemaError
from allyscope.sources.base import Source
from allyscope.sources.readers import TextCSV, fgdc_attributes

# file: (sha256, bytes, repo, commit, upstream path)
PINS: dict[str, tuple[str, int, str, str, str]] = {
    "cow/statelist2024.csv": (
        "722153b45eda9c39826a04aab80ca7b29a8b1cfdfe5d92714503420555675484",
        10641,
        "eduaguilera/whep-polities",
        "8e2bb7809edace46802d0bcd4dac580d1367659f",
        "wiki/sources/data/cow-v2024/statelist2024.csv",
    ),
    "cow/system2024.csv": (
        "1186f0c30fe549967bb5d33d0084ca47d6ab8215e298ec5ad83d34b6dbb04ea8",
        391036,
        "eduaguilera/whep-polities",
        "8e2bb7809edace46802d0bcd4dac580d1367659f",
        "wiki/sources/data/cow-v2024/system2024.csv",
    ),
    "isard/gw_system.rda": (
        "53c434467bd592fc62b33522d26eec9401478aed30376b49fb0abedcb74d86ce",
        4434,
        "svmiller/isard",
        "46944ad97a5532cd8e3b33129463c8435a69846a",
        "data/gw_system.rda",
    ),
    "isard/cw_system.rda": (
        "910b2db886f46c175cfcd826a1a6d8cdd2c149c33bc0909355bb1a21b57cf409",
        4187,
        "svmiller/isard",
        "46944ad97a5532cd8e3b33129463c8435a69846a",
        "data/cw_system.rda",
    ),
    "isard/cw_gw_panel.rda": (
        "155f5413b63d6199461cdbbe76d02a55c945b6572fa77aac892b932f839f8a0c",
        13584,
        "svmiller/isard",
        "46944ad97a5532cd8e3b33129463c8435a69846a",
        "data/cw_gw_panel.rda",
    ),
    "isard/gw_cw_panel.rda": (
        "6f12e11d4137fe9255b50dee9d2e42542f576aed077adb393f53d0f272557540",
        15673,
        "svmiller/isard",
        "46944ad97a5532cd8e3b33129463c8435a69846a",
        "data/gw_cw_panel.rda",
    ),
    "isard/cw_democracy.rda": (
        "63817db0ed4be6d4faafe6a1c363ffe3862897fb1b28d53298099fef576be45a",
        214470,
        "svmiller/isard",
        "46944ad97a5532cd8e3b33129463c8435a69846a",
        "data/cw_democracy.rda",
    ),
    "isard/gw_democracy.rda": (
        "19279af159e0c1af0ba3f4d54bee6661bfe2784de7c557e9320dc6708a62a132",
        223557,
        "svmiller/isard",
        "46944ad97a5532cd8e3b33129463c8435a69846a",
        "data/gw_democracy.rda",
    ),
    "troopdata/troopdata_rebuild_long.rda": (
        "d70930438658da75220eeae82697c12fdad427b8e4d864dbe71e469d6d3541ba",
        119154,
        "meflynn/troopdata",
        "3946bcf89a6d72de8abace812dc557f1f249f5f7",
        "data/troopdata_rebuild_long.rda",
    ),
    "reign/leaderlist_3_21.csv": (
        "1663d94b6a00008c84c19979306c0997128225890b875c0aae5bbfb922829e44",
        185531,
        "OEFDataScience/REIGN.github.io",
        "d7a8a6f17c951b68e30bbca6185d7acd9089d60b",
        "data_sets/leaderlist_3_21.csv",
    ),
    "reign/electionlist_3_21.csv": (
        "deff85e9146fc7fefbc538dd6a945f0f104983c59045633c208910214f01a82a",
        274848,
        "OEFDataScience/REIGN.github.io",
        "d7a8a6f17c951b68e30bbca6185d7acd9089d60b",
        "data_sets/electionlist_3_21.csv",
    ),
    "dcad/DCAD-v1.0-main.csv": (
        "f7d56e1703ae7cd7395b636210fa5d33a5fc3feafe5686734c212ffd5af7405a",
        254938,
        "QiqiNerd/dcad_mining",
        "d3398b0666e4fe49d49f54ec6e5c6869b73d442e",
        "DCAD-v1.0-main.csv",
    ),
    "sipri/trade-register.csv": (
        "915257da0889e15d59936dbdf756529c34ee33c3a0c2ae73183d9cd8fd4b9c92",
        3845731,
        "ColasDroin/SIPRI_arms_transfers_analysis",
        "b34bde378b96bf8450441fd6097d5c19b278b8ca",
        "trade-register.csv",
    ),
    "usgs/MCS2025_World_Data.csv": (
        "4cf9adcc5add0f2271b073569635e49adc51392326ac5225bb9d644b1bb11e28",
        134507,
        "jataware/beaker-fire",
        "bca819595f4310760e639d54f796738bd9b84c3c",
        "src/beaker_minerals/data/World_Data_Release_MCS_2025/MCS2025_World_Data.csv",
    ),
    "usgs/MCS2025_World_Data.xml": (
        "87d08f6fd9cca4803a4d6cf397d61049642d1c4700460dbed1670143189f7b67",
        17978,
        "jataware/beaker-fire",
        "bca819595f4310760e639d54f796738bd9b84c3c",
        "src/beaker_minerals/data/World_Data_Release_MCS_2025/MCS2025_World_Data.xml",
    ),
    "usgs/MCS2025_Fig2_Net_Import_Reliance.csv": (
        "b387e8097d71810316e9df21609821e3330eb8c231d37ca6c5c57c4e870f8eb5",
        7382,
        "jataware/beaker-fire",
        "bca819595f4310760e639d54f796738bd9b84c3c",
        "src/beaker_minerals/data/Mineral_Industry_Trends_And_Statistics_MCS_2025/"
        "MCS2025_Fig2_Net_Import_Reliance.csv",
    ),
    "usgs/MCS2025_Fig3_Major_Import_Sources.csv": (
        "09bff53a4a3c00749cd542bd30a788be03b3be35eb6745c9a6d38207bef2a2de",
        1213,
        "jataware/beaker-fire",
        "bca819595f4310760e639d54f796738bd9b84c3c",
        "src/beaker_minerals/data/Mineral_Industry_Trends_And_Statistics_MCS_2025/"
        "MCS2025_Fig3_Major_Import_Sources.csv",
    ),
    "usgs/MCS2025_T5_Critical_Minerals_Salient.csv": (
        "9d9215951623f0db500cffca70e6e5ad3f1d6c13640933aaaf30f0a81fd5193a",
        4493,
        "jataware/beaker-fire",
        "bca819595f4310760e639d54f796738bd9b84c3c",
        "src/beaker_minerals/data/Mineral_Industry_Trends_And_Statistics_MCS_2025/"
        "MCS2025_T5_Critical_Minerals_Salient.csv",
    ),
}

ISARD_LICENSE = "GPL-2.0 (isard R package); cite the original datasets"
USGS_LICENSE = "Public domain (U.S. Government work, USGS)"
SIPRI_LICENSE = (
    "SIPRI Arms Transfers Database terms: free to use with attribution to SIPRI; "
    "© SIPRI (redistributed by a public mirror)"
)
REIGN_LICENSE = "REIGN data: free to use with citation of Bell, Besaw and Frank (OEF Research)"
DEMOCRACY_CITES = (
    "coppedge2026vdem",
    "marshall2017polity",
    "pemstein2010uds",
    "marquez2016uds",
    "miller2025isard",
)


def _src(name: str, file: str, **kw: object) -> Source:
    return Source.from_pin(name, file, PINS[file], **kw)


def _isard(name: str, obj: str, **kw: object) -> Source:
    kw.setdefault("license", ISARD_LICENSE)
    kw.setdefault("version", "isard 0.1.0 (isard@46944ad)")
    return _src(name, f"isard/{obj}.rda", object_name=obj, **kw)


# -- value checks (run by the build after loading) ----------------------------------------


def _sipri_check(df: pl.DataFrame, path: Path) -> None:
    bad = df.filter(
        (pl.col("order_year") < 1900) | (pl.col("order_year") > 2030) | pl.col("supplier").is_null()
    )
    if bad.height:
        r = bad.row(0, named=True)
        raise SchemaError(
            f"{path}:{r['line']}: impossible deal (order year {r['order_year']}, "
            f"supplier {r['supplier']!r})",
            "the file is not the pinned version; run `allyscope data fetch --force sipri_arms`",
        )
    # the years of delivery are a '; '-separated list of years
    yrs = df.select("line", "delivery_years").drop_nulls("delivery_years")
    ok = yrs["delivery_years"].str.contains(r"^\d{4}(; \d{4})*$")
    if not ok.all():
        r = yrs.filter(~ok).row(0, named=True)
        raise SchemaError(
            f"{path}:{r['line']}: years of delivery {r['delivery_years']!r} are not a "
            "'; '-separated list of years",
            "the file is not the pinned version; run `allyscope data fetch --force sipri_arms`",
        )


def _reign_check(df: pl.DataFrame, path: Path) -> None:
    bad = df.filter(
        (pl.col("end_year") < pl.col("start_year"))
        | (
            (pl.col("end_year") == pl.col("start_year"))
            & (pl.col("end_month") < pl.col("start_month"))
        )
        | pl.col("start_month").is_between(1, 12).not_()
        | pl.col("start_day").is_between(1, 31).not_()
    )
    if bad.height:
        r = bad.row(0, named=True)
        raise SchemaError(
            f"{path}: leader {r['leader']!r} ({r['stateabb']}) leaves office before taking it",
            "the file is not the pinned version; run `allyscope data fetch --force reign_leaders`",
        )


def _usgs_world_check(df: pl.DataFrame, path: Path) -> None:
    # reserves are whole numbers, optionally with thousands separators or a leading '>'
    res = df.select("line", "reserves_2024").drop_nulls("reserves_2024")
    ok = res["reserves_2024"].str.strip_chars().str.contains(r"^>?\d{1,3}(,\d{3})*$|^>?\d+$")
    if not ok.all():
        r = res.filter(~ok).row(0, named=True)
        raise SchemaError(
            f"{path}:{r['line']}: reserves {r['reserves_2024']!r} are not a number or a "
            "lower bound ('>N')",
            "the file is not the pinned version; run `allyscope data fetch --force usgs_world`",
        )


_PERCENT = r"^([<>]?\d+(\.\d+)?|E|W|NA)$"


def _usgs_percent_check(column: str, name: str):
    def check(df: pl.DataFrame, path: Path) -> None:
        vals = df.select("line", column).drop_nulls(column)
        ok = vals[column].str.strip_chars().str.contains(_PERCENT)
        if not ok.all():
            r = vals.filter(~ok).row(0, named=True)
            raise SchemaError(
                f"{path}:{r['line']}: {column} {r[column]!r} is not a percentage, a bound "
                "('>75', '<25'), E (net exporter), W (withheld) or NA",
                f"the file is not the pinned version; run `allyscope data fetch --force {name}`",
            )

    return check


#: DCAD records whose two parties carry the same COW code (the second code is wrong: the
#: Bolivia-Venezuela agreement has 145 twice); they are kept as published and flagged
DCAD_SELF_DYADS = ("DCADv1.0-0297", "DCADv1.0-1625", "DCADv1.0-1847")


def _dcad_check(df: pl.DataFrame, path: Path) -> None:
    bad = df.filter(
        ((pl.col("ccode1") == pl.col("ccode2")) & ~pl.col("dca_id").is_in(DCAD_SELF_DYADS))
        | ~pl.col("sign_year").is_between(1980, 2010)
    )
    if bad.height:
        r = bad.row(0, named=True)
        raise SchemaError(
            f"{path}:{r['line']}: agreement {r['dca_id']} ({r['cow_name1']}-{r['cow_name2']}, "
            f"signed {r['sign_year']}) is not a dyad of two states signed in 1980-2010",
            "the file is not the pinned version; run `allyscope data fetch --force dcad`",
        )


_QUARTER_MONTH = {1: "March", 2: "June", 3: "September", 4: "December"}


def _troops_check(df: pl.DataFrame, path: Path) -> None:
    month = pl.col("quarter").replace_strict(_QUARTER_MONTH, default=None, return_dtype=pl.String)
    bad = df.filter(pl.col("quarter").is_between(1, 4).not_() | (pl.col("month") != month))
    if bad.height:
        r = bad.row(0, named=True)
        raise SchemaError(
            f"{path}: quarter {r['quarter']} of {r['year']} ({r['countryname']}) is labelled "
            f"{r['month']!r}",
            "the file is not the pinned version; run `allyscope data fetch --force "
            "us_troops_quarterly`",
        )


SOURCES: tuple[Source, ...] = (
    # -- state systems --------------------------------------------------------------------
    _src(
        "cow_states_v2024",
        "cow/statelist2024.csv",
        license="Correlates of War Project data: free to use with citation",
        version="COW State System Membership v2024",
        title="Correlates of War state system membership (v2024)",
        description="Spells of membership in the COW interstate system with start and end "
        "dates; supersedes the v2016 list (cow_states).",
        unit="state membership spell",
        keys=("ccode", "styear", "stmonth", "stday"),
        years=(1816, 2024),
        through="2024-12-31",
        citations=("cow2024states",),
        rows=244,
        column_spec="stateabb:str ccode:int statenme:str styear:int stmonth:int stday:int "
        "endyear:int endmonth:int endday:int version:int",
        coverage_note="The list ends on 2024-12-31. The only change from v2016 before 2017: "
        "code 345 is split into Yugoslavia (to June 2006) and Serbia (from June 2006).",
    ),
    _src(
        "cow_system_v2024",
        "cow/system2024.csv",
        license="Correlates of War Project data: free to use with citation",
        version="COW State System Membership v2024",
        title="Correlates of War state-years (v2024)",
        description="Every year in which a state is a member of the COW system (v2024).",
        unit="state-year (COW)",
        keys=("ccode", "year"),
        years=(1816, 2024),
        through="2024-12-31",
        citations=("cow2024states",),
        rows=17511,
        column_spec="ccode:int stateabb:str statenme:str year:int",
    ),
    _isard(
        "gw_system_isard",
        "gw_system",
        title="Gleditsch-Ward list of independent states and microstates (isard, to 2020)",
        description="Spells of independence in the Gleditsch-Ward system, microstates flagged; "
        "states still independent are listed to 2020-12-31.",
        unit="state membership spell",
        keys=("gwcode", "startdate"),
        years=(1816, 2020),
        through="2020-12-31",
        citations=("gleditsch1999states", "miller2025isard"),
        rows=239,
        column_spec="gwcode:int gw_abb>stateabb:str gw_name>statename:str microstate:int "
        "start>startdate:date end>enddate:date",
        coverage_note="The GW panels of allyscope use the independent states (microstate = 0), "
        "as the gw_states list does.",
    ),
    _isard(
        "cow_system_isard",
        "cw_system",
        title="Correlates of War state system membership (v2016, as distributed by isard)",
        description="COW membership spells with dates (v2016); kept for the isard crosswalks "
        "built from it.",
        unit="state membership spell",
        keys=("ccode", "startdate"),
        years=(1816, 2016),
        through="2016-12-31",
        citations=("cow2017states", "miller2025isard"),
        rows=243,
        column_spec="ccode:int cw_abb>stateabb:str cw_name>statenme:str start>startdate:date "
        "end>enddate:date",
    ),
    _isard(
        "cow_gw_panel",
        "cw_gw_panel",
        title="COW-to-GW state-year crosswalk (isard, to 2025)",
        description="COW state-years matched with their Gleditsch-Ward counterparts (on state "
        "abbreviations), extended to the most recent year by isard.",
        unit="state-year (COW system)",
        keys=("stateabb", "year"),
        unique_keys=False,
        years=(1816, 2025),
        citations=("cow2017states", "gleditsch1999states", "miller2025isard"),
        rows=17916,
        column_spec="stateabb:str year:int gwcode:int ccode:int gw_name>gw_statename:str "
        "cw_name>cow_statename:str",
        coverage_note="Years after the end of each list (COW 2016, GW 2020) carry the states "
        "alive at its end forward, as isard's state_panel(mry = TRUE) does.",
    ),
    _isard(
        "gw_cow_panel",
        "gw_cw_panel",
        title="GW-to-COW state-year crosswalk (isard, to 2025)",
        description="Gleditsch-Ward state-years matched with their COW counterparts, extended to "
        "the most recent year by isard.",
        unit="state-year (GW system)",
        keys=("stateabb", "year"),
        unique_keys=False,
        years=(1816, 2025),
        citations=("gleditsch1999states", "cow2017states", "miller2025isard"),
        rows=20990,
        column_spec="stateabb:str year:int gwcode:int ccode:int gw_name>gw_statename:str "
        "cw_name>cow_statename:str",
    ),
    # -- regimes ---------------------------------------------------------------------------
    _isard(
        "cow_democracy_isard",
        "cw_democracy",
        title="Democracy scores to 2025 (V-Dem polyarchy, Polity2, extended UDS), COW states",
        description="V-Dem electoral democracy (v2x_polyarchy, 0-1, V-Dem v16), Polity2 (-10 to "
        "10, to 2018) and the extended Unified Democracy Score (euds) with its adjusted form "
        "(aeuds: 0 is the average cut-point of the dichotomous measures).",
        unit="state-year (COW)",
        keys=("ccode", "year"),
        years=(1816, 2025),
        citations=DEMOCRACY_CITES,
        rows=17706,
        column_spec="ccode:int year:int euds:float aeuds:float polity2:int v2x_polyarchy:float",
        coverage_note="Polity5 ends in 2018 (isard adds 2019-2020 for the United States only); "
        "V-Dem v16 and the extended UDS run to 2025. Each measure is null where its own source "
        "has no estimate.",
    ),
    _isard(
        "gw_democracy_isard",
        "gw_democracy",
        title="Democracy scores to 2025 (V-Dem polyarchy, Polity2, extended UDS), GW states",
        description="As cow_democracy_isard, for Gleditsch-Ward states.",
        unit="state-year (GW)",
        keys=("gwcode", "year"),
        years=(1816, 2025),
        citations=DEMOCRACY_CITES,
        rows=20849,
        column_spec="gwcode:int year:int euds:float aeuds:float polity2:int v2x_polyarchy:float",
    ),
    # -- US forces abroad ------------------------------------------------------------------
    _src(
        "us_troops_quarterly",
        "troopdata/troopdata_rebuild_long.rda",
        object_name="troopdata_rebuild_long",
        license="GPL (>= 3) (troopdata R package)",
        title="US military personnel stationed abroad, by quarter (troopdata rebuild)",
        description="US active-duty troops, reserves and civilians by host country from the "
        "Defense Manpower Data Center reports: yearly (June or September) to 2012, quarterly "
        "(March, June, September, December) from 2013 to December 2025.",
        unit="host country-quarter",
        keys=("ccode", "year", "quarter"),
        years=(1950, 2025),
        through="2025-12-31",
        citations=("allen2022troops", "kane2004troops", "flynn2024troopdata"),
        rows=29629,
        column_spec="ccode:int iso3c:str countryname:str year:int month:str quarter:int "
        "source:str troops_ad:int army_ad:int navy_ad:int air_force_ad:int marine_corps_ad:int "
        "coast_guard_ad:int space_force_ad:int army_national_guard:int air_national_guard:int "
        "army_reserve:int navy_reserve:int marine_corps_reserve:int air_force_reserve:int "
        "coast_guard_reserve:int total_selected_reserve:int army_civilian:int navy_civilian:int "
        "marine_corps_civilian:int air_force_civilian:int dod_civilian:int total_civilian:int "
        "year_quarter:float troops_all:int region:str",
        notes="A quarter without a report has source = null and troops_ad = 0: it is missing, "
        "not zero. Some quarters count a country twice (South Korea from September 2010, Japan in "
        "June 2014-2021): the annual rule in the us_troops add-on accounts for it.",
        check=_troops_check,
    ),
    # -- leaders and elections ---------------------------------------------------------------
    _src(
        "reign_leaders",
        "reign/leaderlist_3_21.csv",
        reader=TextCSV(cp1252_lines=(2451,)),
        license=REIGN_LICENSE,
        version="REIGN leader list, March 2021 update",
        title="REIGN leaders (March 2021)",
        description="Effective leaders of states (COW codes) with start and end month, birth "
        "year, gender and military career; leaders in office at the update have no end.",
        unit="leader spell",
        keys=("ccode", "leadid", "start_year"),
        unique_keys=False,
        years=(1950, 2021),
        through="2021-02-28",
        citations=("bell2021reign",),
        rows=2524,
        column_spec="stateabb:str ccode:int leadid:str leader:str sdate>start_day:int "
        "smonth>start_month:int syear>start_year:int emonth>end_month:int eyear>end_year:int "
        "birthyear:int gender:int militarycareer>military_career:float "
        "l_month>last_election_month:int l_year>last_election_year:int column_15>unnamed_15:str "
        "column_16>unnamed_16:str codedby>coded_by:str notes:str",
        notes="Line 2451 of the file (a note on Tonga) holds one Windows-1252 byte (an "
        "ellipsis); it is read as such. The last change recorded is on 22 February 2021; end days "
        "are not recorded.",
        check=_reign_check,
    ),
    _src(
        "reign_elections",
        "reign/electionlist_3_21.csv",
        license=REIGN_LICENSE,
        version="REIGN election list, March 2021 update",
        title="REIGN elections (March 2021)",
        description="National elections: date, type (R presidential, L legislative, X both), "
        "whether direct, regular, won by the incumbent, and whether power changed hands; "
        "scheduled elections after the update are listed with their planned dates.",
        unit="election event",
        keys=("ccode", "elecnum", "sequence"),
        unique_keys=False,
        years=(1915, 2021),
        through="2021-02-28",
        citations=("bell2021reign",),
        rows=4351,
        column_spec="ccode:int electionnumber:int country:str elec_year:int elec_month:int "
        "elec_day:intx sequence:int event:str elecnum:int type:str direct:str regular:str "
        "victory:str change:str runoff:str",
        notes="Elections dated after March 2021 are announcements, not results.",
    ),
    # -- defense cooperation -----------------------------------------------------------------
    _src(
        "dcad",
        "dcad/DCAD-v1.0-main.csv",
        reader=TextCSV(line_column=True),
        check=_dcad_check,
        license="Free to use with citation of Kinne (2020)",
        version="DCAD v1.0",
        title="Defense Cooperation Agreement Dataset (DCAD v1.0)",
        description="Bilateral defense cooperation agreements signed 1980-2010: general framework "
        "DCAs and sector agreements (training and exercises, procurement, research and "
        "development, industry, commissions), with signature and entry-into-force dates, "
        "duration, renewal and termination.",
        unit="agreement (non-directed dyad)",
        keys=("dca_id",),
        years=(1980, 2010),
        citations=("kinne2020dcad",),
        rows=1871,
        column_spec="ccode1:int cowName1>cow_name1:str ccode2:int cowName2>cow_name2:str "
        "signDay>sign_day:int signMonth>sign_month:int signYear>sign_year:int "
        "EIFDay>eif_day:int EIFMonth>eif_month:int EIFYear>eif_year:int type:str "
        "category1:str category2:str category3:str span:int renewType>renew_type:int "
        "renewYears>renew_years:int terminated:int durationActual>duration_actual:int "
        "endYearEstimate>end_year_estimate:int asymmetry:int categoryConf>category_conf:str "
        "UNTS>unts:int fullText>full_text:str sourceType>source_type:str source:str "
        "factivaConf>factiva_conf:int factivaSign>factiva_sign:int factivaEIF>factiva_eif:int "
        "DCAid>dca_id:str line:int",
        notes="Negative codes (-44, -77, -88, -99) are DCAD's missing-value and not-applicable "
        "codes, kept as published. Three records name one state twice (DCADv1.0-0297, -1625, "
        "-1847: the second party's code is wrong); any other such record is an error.",
    ),
    # -- arms transfers ----------------------------------------------------------------------
    _src(
        "sipri_arms",
        "sipri/trade-register.csv",
        reader=TextCSV(
            skip_lines=11,
            encoding="latin-1",
            join_split_rows=True,
            line_column=True,
            marks=(("column_4", "?"), ("column_6", "?"), ("column_10", "?")),
        ),
        license=SIPRI_LICENSE,
        version="SIPRI trade register, generated 2025-03-13",
        title="SIPRI Arms Transfers Database, trade register (all deals)",
        description="Deals in major conventional arms: recipient, supplier, year of order, "
        "number ordered and delivered, weapon, years of delivery, and SIPRI trend-indicator "
        "values (TIV, millions) per unit, for the order and for the deliveries made.",
        unit="arms deal (supplier to recipient)",
        keys=("recipient", "supplier", "order_year"),
        unique_keys=False,
        years=(1950, 2024),
        through="2024-12-31",
        citations=("sipri2025arms",),
        rows=29515,
        column_spec="Recipient>recipient:str Supplier>supplier:str Year_of_order>order_year:int "
        "column_4>order_year_uncertain:mark Number_ordered>number_ordered:int "
        "column_6>number_ordered_uncertain:mark Weapon_designation>weapon_designation:str "
        "Weapon_description>weapon_description:str Number_delivered>number_delivered:int "
        "column_10>number_delivered_uncertain:mark Year_s_of_delivery>delivery_years:str "
        "status:str Comments>comments:str SIPRI_TIV_per_unit>tiv_per_unit:float "
        "SIPRI_TIV_for_total_order>tiv_order:float "
        "SIPRI_TIV_of_delivered_weapons>tiv_delivered:float line:int",
        notes="Latin-1; 11 lines of notes above the header. A '?' marks an uncertain year of "
        "order or number (the *_uncertain columns). Four deals whose comment holds a line break "
        "(file lines 5432, 21488, 25178 and 27955) span two lines and are joined. 'line' is the "
        "file line where each deal starts.",
        check=_sipri_check,
    ),
    # -- critical minerals -------------------------------------------------------------------
    _src(
        "usgs_world",
        "usgs/MCS2025_World_Data.csv",
        reader=TextCSV(line_column=True),
        license=USGS_LICENSE,
        version="USGS MCS 2025 data release",
        title="USGS Mineral Commodity Summaries 2025: world production, capacity and reserves",
        description="Mine, refinery or plant production (2023 and estimated 2024), capacity "
        "and reserves (2024) by country for each mineral commodity, with the world total.",
        unit="commodity-country-measure",
        keys=("commodity", "country", "type"),
        unique_keys=False,
        years=(2023, 2024),
        through="2024-12-31",
        citations=("usgs2025mcsdata", "usgs2025mcs"),
        rows=1250,
        column_spec="SOURCE>source:str COMMODITY>commodity:str COUNTRY>country:str TYPE>type:str "
        "UNIT_MEAS>unit_meas:str PROD_2023>prod_2023:float PROD_EST_2024>prod_2024:float "
        "PROD_NOTES>prod_notes:str CAP_2023>cap_2023:float CAP_EST_2024>cap_2024:float "
        "CAP_NOTES>cap_notes:str RESERVES_2024>reserves_2024:str "
        "RESERVE_NOTES>reserve_notes:str line:int",
        notes="Names carry stray spaces and qualifiers ('Russia ', 'Brazil (beneficiated)'); "
        "reserves are text because some are lower bounds ('>90000000') or use thousands "
        "separators. Rows labelled 'World total' and 'Other countries' are not states.",
        check=_usgs_world_check,
    ),
    _src(
        "usgs_world_fields",
        "usgs/MCS2025_World_Data.xml",
        reader=fgdc_attributes,
        license=USGS_LICENSE,
        version="USGS MCS 2025 data release",
        title="USGS Mineral Commodity Summaries 2025: field definitions of the world data",
        description="The FGDC metadata of the world production data: each column's label, "
        "definition and unit.",
        unit="column of the world data",
        keys=("label",),
        years=(2023, 2024),
        citations=("usgs2025mcsdata",),
        rows=13,
        column_spec="entity:str label:str definition:str definition_source:str unit:str",
    ),
    _src(
        "usgs_net_import_reliance",
        "usgs/MCS2025_Fig2_Net_Import_Reliance.csv",
        reader=TextCSV(line_column=True),
        license=USGS_LICENSE,
        version="USGS MCS 2025",
        title="US net import reliance on nonfuel minerals, 2024 (USGS MCS 2025, figure 2)",
        description="Net imports as a percentage of US apparent consumption in 2024, with the "
        "major import sources of 2020-2023 in descending order of import share.",
        unit="commodity (United States)",
        keys=("commodity",),
        years=(2020, 2024),
        through="2024-12-31",
        citations=("usgs2025mcs",),
        rows=64,
        column_spec="Source>source:str Import_Share_Order>import_share_order:int "
        "Commodity>commodity:str Net_Import_Reliance_pct_2024>net_import_reliance_2024:str "
        "Major_Import_Sources_2020_2023>major_import_sources:str Notes>notes:str line:int",
        notes="Reliance is a percentage or a bound ('>95', '<25'); the import sources are "
        "country names in one text field ('China3' carries a footnote mark).",
        check=_usgs_percent_check("net_import_reliance_2024", "usgs_net_import_reliance"),
    ),
    _src(
        "usgs_import_sources",
        "usgs/MCS2025_Fig3_Major_Import_Sources.csv",
        reader=TextCSV(line_column=True),
        license=USGS_LICENSE,
        version="USGS MCS 2025",
        title="Major import sources of US nonfuel minerals (USGS MCS 2025, figure 3)",
        description="For each country, the number of nonfuel mineral commodities for which it is "
        "a major import source of the United States (2020-2023).",
        unit="country",
        keys=("country",),
        years=(2020, 2023),
        citations=("usgs2025mcs",),
        rows=43,
        column_spec="Source>source:str Country>country:str Commodity_Count>commodity_count:int "
        "Map_Class>map_class:str line:int",
    ),
    _src(
        "usgs_critical_minerals",
        "usgs/MCS2025_T5_Critical_Minerals_Salient.csv",
        reader=TextCSV(line_column=True),
        license=USGS_LICENSE,
        version="USGS MCS 2025",
        title="Salient statistics of US critical minerals, 2024 (USGS MCS 2025, table 5)",
        description="For each critical mineral: US primary and secondary production, apparent "
        "consumption, net import reliance, primary import source, and the leading producing "
        "country with its share of world production.",
        unit="critical mineral (United States)",
        keys=("critical_mineral",),
        years=(2024, 2024),
        through="2024-12-31",
        citations=("usgs2025mcs",),
        rows=31,
        column_spec="Source>source:str Year>year_label:str Critical_mineral>critical_mineral:str "
        "Primary_prod>primary_prod:str Secondary_prod>secondary_prod:str Prod_notes>prod_notes:str "
        "Apparent_Consumption>apparent_consumption:str Consumption_Notes>consumption_notes:str "
        "Net_Import_Reliance>net_import_reliance:str Primary_import_source>primary_import_source:str "
        "Import_source_notes>import_source_notes:str Leading_source_country>leading_country:str "
        "Leading_country_prod>leading_country_prod:str "
        "Leading_source_precent_world>leading_country_share:str World_total_prod>world_prod:str "
        "World_prod_notes>world_prod_notes:str line:int",
        notes="Quantities are text: W (withheld to avoid disclosing company data), NA, E (net "
        "exporter) and bounds ('>75', '<100,000') occur; 2024 figures are estimates.",
        check=_usgs_percent_check("net_import_reliance", "usgs_critical_minerals"),
    ),
)

__all__ = ["PINS", "SOURCES"]
