"""UN voting sources beyond ``unvotes``: Voeten's published ideal points, the UN Digital
Library's recorded votes and the US State Department's voting coincidence.

Each file is pinned (address, SHA-256, size) and declared with a reader for its format
(tab-separated text, Stata, a zipped wide CSV) and a check of what a careful reader would
verify before trusting it: quantiles in order, tallies that add up, vote codes from the
known set. A file that fails gets one :class:`SchemaError` naming the row, never a silent
repair.

The UN Digital Library file is *wide* (one column per member state, named in capitals,
General Assembly and Security Council rows mixed); it is declared twice, as a long table of
votes (``undl_votes``: one row per resolution and state with a recorded position) and as a
table of its roll calls (``undl_roll_calls``), both read from the same file.
"""

from __future__ import annotations

import functools
import io
import itertools
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import cast

import polars as pl

from allyscope.errors import CorruptFileError, SchemaError
from allyscope.sources.base import Source

# file: (sha256, bytes, repo, commit, upstream path)
PINS: dict[str, tuple[str, int, str, str, str]] = {
    "voeten/Idealpointestimates1946-2025.tab": (
        "156bb24075dd7124ced3659c9c9c72b0999f9ebd7e822fb30904271ca6ad5478",
        1055856,
        "s-geffroy/cvs",
        "785841648a18b7d2bd20eccb8b36daba83fc3e2b",
        "data_sources/un_voting/Idealpointestimates1946-2025.tab",
    ),
    "voeten/IdealpointsJuly2025.dta": (
        "fea7fa9414e3643586dbdf95baa1100ceb418e56684d79d801a146cad79443ce",
        1331515,
        "lucasbuildsapps/Masterthesis",
        "5298218d5b57e5b09223b124b25c03dc37ed646e",
        "IdealpointsJuly2025.dta",
    ),
    "voeten/IdealpointestimatesAll_Jun2024.csv": (
        "adaeca9a9d617afaf463f892a868fbfe17b33bbd6bdb613688d67f1b8dd6887d",
        1921465,
        "tongyu03/DSE3101-Predictive-Modelling-of-Global-Trade-Flows",
        "98ab7b673cf2c6415f6e86ba2e63eee0b51f07ae",
        "data/IdealpointestimatesAll_Jun2024.csv",
    ),
    "undl/un_data_csv.zip": (
        "2f4db50f94c82f497e57a1643e55e007d62fb73db897c4c47b016894389860ba",
        728800,
        "navyanawal0310/un-votes-intelligence-platform",
        "b1a33e9f13e44a213373dc4baf927cda041488ff",
        "data/raw/downloads/UN DATA.csv.zip",
    ),
    "statedept/un-coincidence-2020.csv": (
        "40fe2732ac3b52c37d61c44d029ccb474e8a91e1c5110de3f8db6364c3abe35c",
        5786,
        "markschaver/UN",
        "cf5e937af6f84428885d78e7f4e959c8f5e03386",
        "un-coincidence-2020.csv",
    ),
    "statedept/un-coincidence-2021.csv": (
        "3bf96bc542ed1a111ddabbe588176dfce27628f0bc656718c085c6eec60732ea",
        5905,
        "markschaver/UN",
        "cf5e937af6f84428885d78e7f4e959c8f5e03386",
        "un-coincidence-2021.csv",
    ),
    "statedept/un-coincidence-2022.csv": (
        "50e4a79549e9cab9d8669fd3f3e0c5cea380791502ab6bacb92c98e4ff70d24a",
        5881,
        "markschaver/UN",
        "cf5e937af6f84428885d78e7f4e959c8f5e03386",
        "un-coincidence-2022.csv",
    ),
    "statedept/un-coincidence-2023.csv": (
        "63a30da4aef9127dc25912cb130cb86f67c3978f877913e3c766b718f12d0c80",
        5858,
        "markschaver/UN",
        "cf5e937af6f84428885d78e7f4e959c8f5e03386",
        "un-coincidence-2023.csv",
    ),
}

#: the UN Digital Library file's columns before the member states, in order
UNDL_META = (
    "Council",
    "Date",
    "Title",
    "Resolution",
    "TOTAL VOTES",
    "NO-VOTE COUNT",
    "ABSENT COUNT",
    "NO COUNT",
    "YES COUNT",
    "Link",
    "token",
)
#: vote codes of the UN Digital Library file (blank: not a member of the body that day)
UNDL_VOTES: dict[str, str] = {"Y": "yes", "N": "no", "A": "abstain", "X": "non_voting"}
#: the file's tally columns and the vote each counts ("ABSENT COUNT" counts abstentions)
UNDL_TALLIES: dict[str, str] = {
    "YES COUNT": "Y",
    "NO COUNT": "N",
    "ABSENT COUNT": "A",
    "NO-VOTE COUNT": "X",
}
_UNDL_COUNT_NAMES: dict[str, str] = {
    "YES COUNT": "yes",
    "NO COUNT": "no",
    "ABSENT COUNT": "abstain",
    "NO-VOTE COUNT": "non_voting",
    "TOTAL VOTES": "total",
}


# -- readers (``Source.reader``: ``reader(source, path)`` returns the raw columns) -----------


def read_tsv(src: Source, path: Path) -> pl.DataFrame:
    """Tab-separated text with quoted strings and ``NA`` for missing values."""
    try:
        return pl.read_csv(
            path, separator="\t", infer_schema=False, null_values=["NA", ""], quote_char='"'
        )
    except Exception as exc:  # polars raises several error types on malformed text
        raise CorruptFileError(
            f"{path}: cannot parse tab-separated text ({type(exc).__name__}: {exc})",
            f"run `allyscope data fetch --force {src.name}`",
        ) from None


def read_dta(src: Source, path: Path) -> pl.DataFrame:
    """A Stata file (format 118), values as stored (no value labels applied)."""
    import pandas as pd

    try:
        pdf = pd.read_stata(path, convert_categoricals=False)
    except Exception as exc:  # pandas raises ValueError and others on a broken file
        raise CorruptFileError(
            f"{path}: cannot read Stata file ({type(exc).__name__}: {exc})",
            f"run `allyscope data fetch --force {src.name}`",
        ) from None
    return pl.from_pandas(pdf, nan_to_null=True)


def read_csv_row_names(src: Source, path: Path) -> pl.DataFrame:
    """A CSV written by R with row names: the first, unnamed column becomes ``row``."""
    raw = src._read_csv(path)
    return raw.rename({"": "row"}) if raw.columns and raw.columns[0] == "" else raw


def _undl_wide(src: Source, path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    try:
        with zipfile.ZipFile(path) as zf:
            members = [n for n in zf.namelist() if not n.endswith("/")]
            if len(members) != 1 or not members[0].lower().endswith(".csv"):
                raise SchemaError(
                    f"{path}: expected one CSV file in the archive, found {members}",
                    f"run `allyscope data fetch --force {src.name}`",
                )
            data = zf.read(members[0]).decode("utf-8-sig")
    except (zipfile.BadZipFile, UnicodeDecodeError, OSError) as exc:
        raise CorruptFileError(
            f"{path}: not a readable zip of UTF-8 text ({type(exc).__name__}: {exc})",
            f"run `allyscope data fetch --force {src.name}`",
        ) from None
    try:
        wide = pl.read_csv(io.StringIO(data), infer_schema=False)
    except Exception as exc:  # polars raises several error types on malformed text
        raise CorruptFileError(f"{path}: cannot parse the CSV in the archive ({exc})") from None
    head = tuple(wide.columns[: len(UNDL_META)])
    if head != UNDL_META:
        raise SchemaError(
            f"{path}: the first columns are {list(head)}, expected {list(UNDL_META)}",
            "the file is not the pinned version",
        )
    return _undl_checked(wide, path)


def read_undl_votes(src: Source, path: Path) -> pl.DataFrame:
    """The Digital Library's wide file as ``token, country, vote``: one row per non-blank
    cell of the members' columns."""
    _, long = _undl_wide(src, path)
    long = long.select(
        "token",
        pl.col("country").str.strip_chars(),
        pl.col("code").replace_strict(UNDL_VOTES, return_dtype=pl.String).alias("vote"),
    )
    # a state named twice on one row (stray spaces in column names) must agree
    dup = long.filter(pl.struct("token", "country").is_duplicated())
    if dup.height:
        r = dup.row(0, named=True)
        raise SchemaError(
            f"{path}: {r['country']!r} has two recorded positions on record {r['token']}",
            "the file is not the pinned version",
        )
    return long.sort("token", "country")


def read_undl_roll_calls(src: Source, path: Path) -> pl.DataFrame:
    """The Digital Library's wide file as one row per record (its columns before the
    members', renamed; tallies checked against the members' columns)."""
    wide, _ = _undl_wide(src, path)
    date = pl.col("Date").str.strip_chars()
    return wide.select(
        "token",
        pl.col("Council").alias("council"),
        date.str.strptime(pl.Date, "%Y-%m-%d", strict=False).cast(pl.String).alias("date"),
        date.str.slice(0, 4).alias("year"),
        pl.col("Title").alias("title"),
        pl.col("Resolution").alias("resolution"),
        pl.col("Link").alias("link"),
        *[pl.col(raw).alias(name) for raw, name in _UNDL_COUNT_NAMES.items()],
    ).sort(pl.col("token").cast(pl.Int64))


def _undl_long(wide: pl.DataFrame) -> pl.DataFrame:
    """``token, country, code``: every non-blank cell of the states' columns."""
    states = wide.columns[len(UNDL_META) :]
    return (
        wide.select("token", *states)
        .unpivot(index="token", on=states, variable_name="country", value_name="code")
        .filter(pl.col("code").is_not_null())
    )


def _undl_checked(wide: pl.DataFrame, path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The wide table and its long form, after checking vote codes (from the known set),
    bodies (two) and tallies (equal to the counts in the states' columns)."""
    long = _undl_long(wide)
    bad = long.filter(~pl.col("code").is_in(list(UNDL_VOTES)))
    if bad.height:
        r = bad.row(0, named=True)
        raise SchemaError(
            f"{path}: vote {r['code']!r} for {r['country'].strip()!r} on record {r['token']} "
            f"(expected one of {sorted(UNDL_VOTES)} or blank)",
            "the file is not the pinned version",
        )
    bodies = set(wide["Council"].unique().to_list()) - {"General Assembly", "Security Council"}
    if bodies:
        raise SchemaError(f"{path}: unknown body {sorted(bodies)} in column 'Council'")
    counted = long.group_by("token").agg(
        (pl.col("code") == code).sum().cast(pl.Int32).alias(col)
        for col, code in UNDL_TALLIES.items()
    )
    stated = wide.select(
        "token", *[pl.col(c).str.strip_chars().cast(pl.Int32, strict=False) for c in UNDL_TALLIES]
    )
    both = stated.join(counted, on="token", how="left", suffix="_counted")
    for col in UNDL_TALLIES:
        off = both.filter((pl.col(col) != pl.col(f"{col}_counted").fill_null(0)).fill_null(True))
        if off.height:
            r = off.row(0, named=True)
            raise SchemaError(
                f"{path}: record {r['token']}: {col} is {r[col]} but the states' columns hold "
                f"{r[col + '_counted'] or 0} such votes",
                "the file is not the pinned version",
            )
    return wide, long


# -- content checks (after typing) -----------------------------------------------------------


def _fail(path: Path, what: str, df: pl.DataFrame) -> None:
    if df.height:
        raise SchemaError(
            f"{path}: {df.height} row(s) with {what}, first: {df.row(0, named=True)}",
            "the file is not the pinned version",
        )


def _check_years(df: pl.DataFrame, path, years, col: str = "year") -> None:
    if years is not None:
        _fail(
            path, f"{col} outside {years[0]}-{years[1]}", df.filter(~pl.col(col).is_between(*years))
        )


def _check_quantiles(df: pl.DataFrame, path, cols: list[str], point: str) -> None:
    """Quantiles in increasing order and the point estimate between the outer ones."""
    have = df.drop_nulls(cols)
    for lo, hi in itertools.pairwise(cols):
        _fail(path, f"{lo} above {hi}", have.filter(pl.col(lo) > pl.col(hi) + 1e-9))
    _fail(
        path,
        f"{point} outside [{cols[0]}, {cols[-1]}]",
        have.filter(~pl.col(point).is_between(pl.col(cols[0]) - 1e-6, pl.col(cols[-1]) + 1e-6)),
    )


def _check_voeten_tab(df: pl.DataFrame, path: Path, years: tuple[int, int] | None = None) -> None:
    _check_years(df, path, years)
    _fail(path, "no votes", df.filter(pl.col("n_votes") < 1))
    _check_quantiles(df, path, ["q5", "q10", "q50", "q90", "q95"], "idealpoint")


def _check_voeten_dta(df: pl.DataFrame, path: Path, years: tuple[int, int] | None = None) -> None:
    _check_years(df, path, years)
    for v in ("fp", "all"):
        _fail(path, f"n_votes_{v} below 1", df.filter(pl.col(f"n_votes_{v}") < 1))
        _check_quantiles(
            df, path, [f"q{q}_{v}" for q in (0, 5, 10, 50, 90, 95, 100)], f"idealpoint_{v}"
        )


def _check_voeten_sessions(
    df: pl.DataFrame, path: Path, years: tuple[int, int] | None = None
) -> None:
    _fail(path, "session outside 1-78", df.filter(~pl.col("session").is_between(1, 78)))
    _check_quantiles(df, path, [f"q{q}" for q in (0, 5, 10, 50, 90, 95, 100)], "idealpoint")
    agree = [c for c in df.columns if c.endswith("_agree")]
    for c in agree:
        _fail(path, f"{c} outside [0, 1]", df.filter(~pl.col(c).is_between(0, 1)))


def _check_undl_roll_calls(
    df: pl.DataFrame, path: Path, years: tuple[int, int] | None = None
) -> None:
    _check_years(df, path, years)
    total = pl.col("yes") + pl.col("no") + pl.col("abstain") + pl.col("non_voting")
    _fail(
        path, "TOTAL VOTES unequal to the sum of the tallies", df.filter(total != pl.col("total"))
    )
    _fail(
        path,
        "a date in another year than the record's",
        df.filter(pl.col("date").is_not_null() & (pl.col("date").dt.year() != pl.col("year"))),
    )


def _check_statedept(df: pl.DataFrame, path: Path, years: tuple[int, int] | None = None) -> None:
    _fail(path, "coincidence outside [0, 1]", df.filter(~pl.col("coincidence").is_between(0, 1)))
    counts = ["same", "partial", "opposite", "absent"]
    _fail(path, "a negative count", df.filter(pl.any_horizontal(pl.col(counts) < 0)))
    _fail(
        path,
        "an ISO code that is not 3 capitals",
        df.filter(~pl.col("iso3c").str.contains(r"^[A-Z]{3}$")),
    )
    n = df.select(pl.sum_horizontal(counts).alias("n"))["n"]
    if n.n_unique() != 1:
        raise SchemaError(
            f"{path}: same + partial + opposite + absent differs between states "
            f"({sorted(n.unique().to_list())[:4]}); every state faces the same roll calls",
            "the file is not the pinned version",
        )


# -- declarations ------------------------------------------------------------------------------

_VOETEN_LICENSE = "CC0 1.0 (Voeten, Strezhnev and Bailey, Harvard Dataverse); cite the dataset"
_VOETEN_CITES = ("voeten2009unvotes", "bailey2017idealpoints")
_STATEDEPT_LICENSE = "US government work (public domain); transcription MIT (markschaver/UN)"


def _vs(name: str, file: str, **kw: object) -> Source:
    check = cast("Callable[..., None] | None", kw.pop("check", None))
    if check is not None:
        kw["check"] = functools.partial(check, years=kw.get("years"))
    return Source.from_pin(name, file, PINS[file], **kw)


def _statedept(year: int, column_spec: str) -> Source:
    return _vs(
        f"statedept_coincidence_{year}",
        f"statedept/un-coincidence-{year}.csv",
        encoding="utf-8-sig",
        check=_check_statedept,
        license=_STATEDEPT_LICENSE,
        title=f"US State Department: voting coincidence with the United States, {year}",
        description="From the annual report 'Voting Practices in the United Nations' (overall "
        "General Assembly plenary votes of the calendar year): each state's identical, partial "
        "(one side abstained), opposite and absent votes relative to the United States, and the "
        "published coincidence.",
        unit="state (votes of one calendar year, relative to the United States)",
        keys=("iso3c",),
        years=(year, year),
        citations=("usdos_votingpractices",),
        rows=192,
        column_spec=column_spec,
        notes="Transcribed from the report's tables by a third party; ISO 3166 alpha-3 codes. "
        "The definition of the published coincidence changed over the years: see docs/un.md.",
    )


_SD_OLD = (
    "COUNTRY>country:str ISO>iso3c:str SAME>same:int PARTIAL>partial:int "
    "OPPOSITE>opposite:int ABSENT>absent:int COINCIDENCE>coincidence:float"
)
_SD_NEW = (
    "COUNTRY>country:str ISO>iso3c:str SAME>same:int OPPOSE>opposite:int "
    "PARTIAL>partial:int ABSENT>absent:int COINCIDENCE>coincidence:float"
)

_Q = "Q5%FP>q5:float Q10%FP>q10:float Q50%FP>q50:float Q90%FP>q90:float Q95%FP>q95:float"


def _dta_block(v: str, n: str) -> str:
    qs = " ".join(f"q{q}{v}>q{q}_{v}:float" for q in (5, 10, 50, 90, 95))
    return f"qo{v}>q0_{v}:float {qs} q100{v}>q100_{v}:float n{n}>n_votes_{v}:int"


VOTING_SOURCES: tuple[Source, ...] = (
    _vs(
        "voeten_idealpoints",
        "voeten/Idealpointestimates1946-2025.tab",
        reader=read_tsv,
        check=_check_voeten_tab,
        license=_VOETEN_LICENSE,
        version="Voeten ideal points 1946-2025 (April 2026 release)",
        title="UN General Assembly ideal points, final-passage votes, 1946-2025 (Bailey, "
        "Strezhnev and Voeten)",
        description="Each state's dynamic ideal point from its votes on final passage of "
        "resolutions in the calendar year (bridged across years by identical resolutions), "
        "with the 5, 10, 50, 90 and 95% posterior quantiles and the number of votes.",
        unit="state-year (COW code)",
        keys=("ccode", "year"),
        years=(1946, 2025),
        citations=_VOETEN_CITES,
        rows=11610,
        column_spec="ccode:int iso3c:str Countryname>country:str year:int NVotesFP>n_votes:int "
        "IdealPointFP>idealpoint:float " + _Q,
        coverage_note="2024 rests on at most 8 votes per state (the estimates for that year are "
        "little more than the random-walk prior); 2025 has 190 states.",
        notes="A separate model run from voeten_idealpoints_jul2025: do not combine the two.",
    ),
    _vs(
        "voeten_idealpoints_jul2025",
        "voeten/IdealpointsJuly2025.dta",
        reader=read_dta,
        check=_check_voeten_dta,
        license=_VOETEN_LICENSE,
        version="Voeten ideal points, July 2025 release",
        title="UN General Assembly ideal points, July 2025 release (final-passage, all-votes and "
        "legacy estimates)",
        description="Three sets of ideal points per state-year: final-passage votes (to 2024), "
        "all votes including amendments and paragraph votes (to 2023), and the legacy "
        "session-based scores, with posterior quantiles (0-100%) and vote counts.",
        unit="state-year (COW code)",
        keys=("ccode", "year"),
        years=(1946, 2024),
        citations=_VOETEN_CITES,
        rows=11440,
        column_spec="ccode:int iso3c:str countryname>country:str year:int "
        "idealpointfp>idealpoint_fp:float idealpointall>idealpoint_all:float "
        "idealpointlegacy>idealpoint_legacy:float nvotesfp>n_votes_fp:int "
        + " ".join(
            [
                "qofp>q0_fp:float",
                *(f"q{q}fp>q{q}_fp:float" for q in (5, 10, 50, 90, 95)),
                "q100fp>q100_fp:float",
                "nvotesall>n_votes_all:int",
                "qoall>q0_all:float",
                *(f"q{q}all>q{q}_all:float" for q in (5, 10, 50, 90, 95)),
                "q100all>q100_all:float",
                "nvotesLegacy>n_votes_legacy:int",
            ]
        ),
        notes="Stata 118 file. Estimates are null where a state cast no vote of that kind. A "
        "separate model run from voeten_idealpoints (April 2026): do not combine the two.",
    ),
    _vs(
        "voeten_agreement_jun2024",
        "voeten/IdealpointestimatesAll_Jun2024.csv",
        reader=read_csv_row_names,
        check=_check_voeten_sessions,
        license=_VOETEN_LICENSE,
        version="Voeten ideal points by session, June 2024 release",
        title="UN General Assembly ideal points and agreement scores by session (June 2024)",
        description="Ideal points from all votes of each UN session with posterior quantiles, "
        "and the share of votes on which each state agreed with the United States, Russia, "
        "Brazil, China, India and Israel.",
        unit="state-session (COW code; session s opens in year 1945 + s)",
        keys=("ccode", "session"),
        years=(1946, 2023),
        citations=_VOETEN_CITES,
        rows=11238,
        column_spec="row:int ccode:int session:int NVotesAll>n_votes:int "
        "IdealPointAll>idealpoint:float QO%All>q0:float Q5%All>q5:float Q10%All>q10:float "
        "Q50%All>q50:float Q90%All>q90:float Q95%All>q95:float Q100%All>q100:float "
        "iso3c:str Countryname>country:str USAgree>usa_agree:float RUSSAgree>rus_agree:float "
        "BrazilAgree>bra_agree:float ChinaAgree>chn_agree:float IndiaAgree>ind_agree:float "
        "IsraelAgree>isr_agree:float",
        notes="Sessions 1-78 (to 2023). Agreement is null where a state did not yet exist.",
    ),
    _vs(
        "undl_votes",
        "undl/un_data_csv.zip",
        through="2021-12-24",  # the last General Assembly record (Council: 30 December)
        reader=read_undl_votes,
        license="UN Digital Library terms of use (factual records); scrape unlicensed",
        version="UN Digital Library voting data as scraped to 2021-12-30",
        title="UN Digital Library recorded votes (General Assembly and Security Council)",
        description="The recorded position of every state listed on each voting record: yes, "
        "no, abstain or non_voting (a member that did not vote). States that were not members of "
        "the body that day are not rows.",
        unit="record-state",
        keys=("token", "country"),
        years=(1946, 2021),
        citations=("undl_voting",),
        rows=897663,
        column_spec="token:int country:str vote:str",
        notes="country is the column name of the wide file (capitals, stray spaces removed; a "
        "few misspelled or prefixed names occur on single records). Only resolutions: separate "
        "votes on amendments and paragraphs are not in the file. Join undl_roll_calls on token.",
        coverage_note="A third-party scrape: docs/un.md compares it with unvotes for 2016-2019.",
    ),
    _vs(
        "undl_roll_calls",
        "undl/un_data_csv.zip",
        through="2021-12-24",  # the last General Assembly record (Council: 30 December)
        reader=read_undl_roll_calls,
        check=_check_undl_roll_calls,
        license="UN Digital Library terms of use (factual records); scrape unlicensed",
        version="UN Digital Library voting data as scraped to 2021-12-30",
        title="UN Digital Library voting records (General Assembly and Security Council)",
        description="One row per voting record: body, date, title, resolution symbol, the "
        "Digital Library's record number and address, and the tallies (yes, no, abstain, "
        "non-voting, total members).",
        unit="voting record (resolution)",
        keys=("token",),
        years=(1946, 2021),
        citations=("undl_voting",),
        rows=7855,
        column_spec="token:int council:str date:date year:int title:str resolution:str "
        "link:str yes:int no:int abstain:int non_voting:int total:int",
        notes="The file's 'ABSENT COUNT' counts abstentions and 'NO-VOTE COUNT' members that did "
        "not vote; both are checked against the states' columns. date is null on the two "
        "records dated only by a year.",
    ),
    _statedept(2020, _SD_OLD),
    _statedept(2021, _SD_OLD),
    _statedept(2022, _SD_NEW),
    _statedept(2023, _SD_NEW),
)
