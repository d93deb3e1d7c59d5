"""UN Digital Library votes as COW-coded General Assembly roll calls, and their check
against ``unvotes``.

The Digital Library file (warehouse tables ``undl_votes`` and ``undl_roll_calls``) holds
one record per recorded vote on a resolution, General Assembly and Security Council
mixed, with every member's position. This module

* keeps the General Assembly records, gives each state its COW code (names are resolved
  year by year; an unknown name is an error, never a dropped vote) and merges records that
  are the same vote entered more than once (same day, same title, identical positions of
  every state: the vote of 1 December 2021 on the question of Palestine is in the file
  twice under the draft symbol A/76/L.14 and once as A/RES/76/10);
* matches records to ``unvotes`` roll calls by resolution symbol (:func:`match_unvotes`)
  and compares them vote by vote (:func:`compare_unvotes`);
* codes issue areas of records after ``unvotes`` ends by their titles: a resolution that
  repeats one voted on before (the General Assembly adopts most texts every year under the
  same title) takes the issue codes that ``unvotes`` gave it (:func:`bridge_issues`).

Votes are coded as in :mod:`allyscope.un.data` (1 yes, 2 abstain, 3 no); members that did
not vote (``non_voting``) are absences, as in ``unvotes``, and not rows.
"""

from __future__ import annotations

import polars as pl

from allyscope.errors import AllyscopeError, UnknownNameError

#: ``(session, number)`` of a resolution symbol: A/RES/74/50, R/71/44, A/RES/ES-10/19
SYMBOL = r"(?:A/RES/|R/)(ES-\d+|\d+)/(\d+)"
#: a record title's boilerplate: " : resolution / adopted by the General Assembly" and the
#: "Item 39 - DR A/76/L.14 " prefix of records entered under a draft symbol
_TITLE_TAIL = r"\s*:\s*resolutions?\s*/\s*adopted by the general assembly.*$"
_TITLE_HEAD = r"^item\s+\d+\s*-\s*dr\s+a/\S+\s+"

GA = "General Assembly"


class UnmappedUNDLCountryError(AllyscopeError):
    """A state's name in the UN Digital Library file that no COW code is known for."""


def normalize_title(col: str | pl.Expr) -> pl.Expr:
    """Lower-case title without the record boilerplate, punctuation and repeated spaces."""
    e = pl.col(col) if isinstance(col, str) else col
    return (
        e.str.to_lowercase()
        .str.replace(_TITLE_TAIL, "")
        .str.replace(_TITLE_HEAD, "")
        .str.replace_all(r"[^0-9a-z]+", " ")
        .str.strip_chars()
    )


def roll_calls(wh, years: tuple[int, int] | None = None) -> pl.DataFrame:
    """General Assembly records: ``token, date, year, session, resolution, res_session,
    res_number, title, title_key, yes, no, abstain, non_voting``, sorted by token.

    ``session`` is the number in the resolution symbol (``A/RES/75/...`` is session 75); for
    emergency special sessions and records without a symbol it is the regular session
    running on the record's date (sessions open in the second half of September).
    """
    where = f"council = '{GA}'"
    if years is not None:
        where += f" AND year BETWEEN {int(years[0])} AND {int(years[1])}"
    wh.require("undl_roll_calls")
    rc = wh.sql(
        "SELECT token, date, year, resolution, title, yes, no, abstain, non_voting "
        f"FROM undl_roll_calls WHERE {where} ORDER BY token"
    )
    by_date = (
        pl.when(pl.col("date").dt.month() > 9)
        .then(pl.col("year") - 1945)
        .when((pl.col("date").dt.month() == 9) & (pl.col("date").dt.day() >= 15))
        .then(pl.col("year") - 1945)
        .otherwise(pl.col("year") - 1946)
    )
    return rc.with_columns(
        pl.col("resolution").str.extract(SYMBOL, 1).alias("res_session"),
        pl.col("resolution").str.extract(SYMBOL, 2).cast(pl.Int32).alias("res_number"),
        normalize_title("title").alias("title_key"),
    ).with_columns(
        pl.col("res_session")
        .cast(pl.Int32, strict=False)
        .fill_null(by_date)
        .cast(pl.Int16)
        .alias("session"),
    )


def country_map(wh, years: tuple[int, int] | None = None) -> pl.DataFrame:
    """``country, year, ccode`` for every state name on General Assembly records of ``years``.

    Raises :class:`UnmappedUNDLCountryError` naming every name that cannot be resolved.
    """
    from allyscope import codes

    where = f"r.council = '{GA}'"
    if years is not None:
        where += f" AND r.year BETWEEN {int(years[0])} AND {int(years[1])}"
    pairs = wh.sql(
        "SELECT DISTINCT v.country, r.year FROM undl_votes v JOIN undl_roll_calls r "
        f"USING (token) WHERE {where} ORDER BY 1, 2"
    )
    rows, bad = [], []
    for country, year in pairs.iter_rows():  # a few hundred name-years, not votes
        try:
            rows.append((country, year, codes.resolve(country, year)))
        except UnknownNameError as exc:
            bad.append(f"{country!r} ({year}): {exc.message}")
    if bad:
        raise UnmappedUNDLCountryError(
            f"{len(bad)} state name(s) in the UN Digital Library votes have no COW code: "
            + "; ".join(bad[:5]),
            "add the spelling to allyscope.codes.ALIASES",
        )
    return pl.DataFrame(
        rows, schema={"country": pl.String, "year": pl.Int32, "ccode": pl.Int32}, orient="row"
    )


def votes(wh, years: tuple[int, int] | None = None) -> pl.DataFrame:
    """Every position on General Assembly records: ``token, ccode, vote`` with vote 1 yes,
    2 abstain, 3 no and 0 for a member that did not vote (before merging duplicates)."""
    where = f"r.council = '{GA}'"
    if years is not None:
        where += f" AND r.year BETWEEN {int(years[0])} AND {int(years[1])}"
    raw = wh.sql(
        "SELECT v.token, v.country, r.year, v.vote FROM undl_votes v "
        f"JOIN undl_roll_calls r USING (token) WHERE {where}"
    )
    unknown = set(raw["vote"].unique().to_list()) - {"yes", "no", "abstain", "non_voting"}
    if unknown:
        raise AllyscopeError(
            f"undl_votes: unknown vote value(s) {sorted(unknown)}",
            "rebuild the warehouse with `allyscope data build`",
        )
    cmap = country_map(wh, years)
    out = raw.join(cmap, on=["country", "year"], how="left").select(
        pl.col("token").cast(pl.Int32),
        pl.col("ccode").cast(pl.Int16),
        pl.col("vote")
        .replace_strict({"yes": 1, "abstain": 2, "no": 3, "non_voting": 0}, return_dtype=pl.Int8)
        .alias("vote"),
    )
    dup = out.filter(pl.struct("token", "ccode").is_duplicated())
    if dup.height:
        r = dup.row(0, named=True)
        raise UnmappedUNDLCountryError(
            f"two state names in the UN Digital Library votes map to COW {r['ccode']} on "
            f"record {r['token']}",
            "check allyscope.un.undl.country_map()",
        )
    return out.sort("token", "ccode")


def duplicates(rc: pl.DataFrame, v: pl.DataFrame) -> pl.DataFrame:
    """``token, same_as``: records that repeat an earlier record of the same vote: same day,
    same title (boilerplate aside) and every state's position identical (``same_as`` is the
    lowest such token). Records of one day with identical positions but different titles
    (the parts of a budget adopted by separate votes) are different votes and stay."""
    sig = (
        v.sort("token", "ccode")
        .group_by("token", maintain_order=True)
        .agg(
            pl.concat_str(
                pl.col("ccode").cast(pl.String), pl.col("vote").cast(pl.String), separator=":"
            )
            .str.join(",")
            .alias("sig")
        )
        .join(rc.select("token", "date", "title_key"), on="token")
    )
    key = ["date", "title_key", "sig"]
    first = sig.group_by(key).agg(pl.col("token").min().alias("same_as"))
    return (
        sig.join(first, on=key)
        .filter(pl.col("token") != pl.col("same_as"))
        .select("token", "same_as")
        .sort("token")
    )


def general_assembly(wh, years: tuple[int, int]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Roll calls, recorded votes (yes/abstain/no only) and merged duplicates of ``years``.

    Returns ``(roll_calls, votes, dropped)``: duplicates are removed from the first two and
    listed in ``dropped`` (``token, same_as``).
    """
    rc = roll_calls(wh, years)
    v = votes(wh, years)
    dup = duplicates(rc, v)
    rc = rc.join(dup, on="token", how="anti")
    v = v.join(dup, on="token", how="anti").filter(pl.col("vote") > 0)
    return rc, v, dup


# -- comparison with unvotes ------------------------------------------------------------------


def unvotes_roll_calls(wh, years: tuple[int, int]) -> pl.DataFrame:
    """``unvotes`` roll calls of ``years`` with the session and number of their symbol and
    whether they are a vote on an amendment or a separate paragraph."""
    return wh.sql(
        "SELECT rcid, date, unres, coalesce(amend, 0) = 1 AS amend, "
        "coalesce(para, 0) = 1 AS para FROM un_roll_calls "
        f"WHERE year(date) BETWEEN {int(years[0])} AND {int(years[1])} ORDER BY rcid"
    ).with_columns(
        pl.col("rcid").cast(pl.Int32),
        pl.col("unres").str.extract(SYMBOL, 1).alias("res_session"),
        pl.col("unres").str.extract(SYMBOL, 2).cast(pl.Int32).alias("res_number"),
    )


def match_unvotes(rc: pl.DataFrame, un: pl.DataFrame) -> pl.DataFrame:
    """``token, rcid``: Digital Library records and ``unvotes`` final-passage roll calls with
    the same resolution symbol on the same day (amendment and paragraph votes have no
    counterpart in the Digital Library file)."""
    final = un.filter(~pl.col("amend") & ~pl.col("para")).drop_nulls("res_number")
    return (
        rc.drop_nulls("res_number")
        .join(final, on=["res_session", "res_number", "date"], how="inner")
        .select("token", "rcid")
        .sort("token", "rcid")
    )


#: years compared with ``unvotes`` by default: its last four (2016-2019)
OVERLAP_YEARS = 4


def compare_unvotes(wh, years: tuple[int, int] | None = None) -> dict[str, object]:
    """Figures and tables comparing the Digital Library with ``unvotes`` over ``years``
    (default: the last :data:`OVERLAP_YEARS` years of ``unvotes``).

    Keys: ``undl`` (records), ``unvotes`` (roll calls), ``unvotes_final`` (neither amendment
    nor paragraph vote), ``matched_records``, ``matched_roll_calls``, ``pairs`` (the
    matching), ``unmatched_unvotes`` and ``unmatched_undl`` (tables), ``votes`` (a table of
    joint outcomes: the position in each source, ``None`` where a state has no row, with
    counts), ``identical`` (share of states' positions that agree, absences included),
    ``conflicting`` (positions that differ between two recorded votes), ``tallies_equal``
    (share of matched pairs with identical yes/no/abstain totals).
    """
    from allyscope.un import data

    if years is None:
        years = (data.UNVOTES_LAST_YEAR - OVERLAP_YEARS + 1, data.UNVOTES_LAST_YEAR)
    rc = roll_calls(wh, years)
    un = unvotes_roll_calls(wh, years)
    pairs = match_unvotes(rc, un)
    undl_v = votes(wh, years).join(pairs, on="token")
    names = {0: "non_voting", 1: "yes", 2: "abstain", 3: "no"}
    un_v = (
        data.votes(wh)
        .join(pairs.select("rcid"), on="rcid", how="semi")
        .select("rcid", "ccode", pl.col("vote").alias("vote_unvotes"))
    )
    joint = (
        undl_v.select("rcid", "ccode", pl.col("vote").alias("vote_undl"))
        .join(un_v, on=["rcid", "ccode"], how="full", coalesce=True)
        .with_columns(
            pl.col("vote_undl").replace_strict(names, return_dtype=pl.String),
            pl.col("vote_unvotes").replace_strict(names, return_dtype=pl.String),
        )
    )
    table = joint.group_by("vote_undl", "vote_unvotes").len("n").sort("n", descending=True)
    # an absence (no row in unvotes) agrees with "non_voting" in the Digital Library
    same = (pl.col("vote_undl") == pl.col("vote_unvotes")) | (
        (pl.col("vote_undl") == "non_voting") & pl.col("vote_unvotes").is_null()
    )
    recorded = (
        pl.col("vote_undl").is_in(["yes", "no", "abstain"]) & pl.col("vote_unvotes").is_not_null()
    )
    tallies = (
        undl_v.filter(pl.col("vote") > 0)
        .group_by("rcid", "vote")
        .len("n_undl")
        .join(
            un_v.group_by("rcid", pl.col("vote_unvotes").alias("vote")).len("n_unvotes"),
            on=["rcid", "vote"],
            how="full",
            coalesce=True,
        )
        .group_by("rcid")
        .agg((pl.col("n_undl").fill_null(0) == pl.col("n_unvotes").fill_null(0)).all().alias("eq"))
    )
    return {
        "years": years,
        "undl": rc.height,
        "unvotes": un.height,
        "unvotes_final": un.filter(~pl.col("amend") & ~pl.col("para")).height,
        "unvotes_amend": un.filter(pl.col("amend")).height,
        "unvotes_para": un.filter(pl.col("para")).height,
        "matched_records": pairs["token"].n_unique(),
        "matched_roll_calls": pairs["rcid"].n_unique(),
        "pairs": pairs,
        "unmatched_unvotes": un.join(pairs, on="rcid", how="anti"),
        "unmatched_undl": rc.join(pairs, on="token", how="anti").select(
            "token", "date", "resolution", "title", "yes", "no", "abstain"
        ),
        "votes": table,
        "positions": joint.height,
        "identical": joint.select(same.fill_null(False).mean()).item(),
        "conflicting": joint.filter(
            recorded & (pl.col("vote_undl") != pl.col("vote_unvotes"))
        ).height,
        "tallies_equal": tallies["eq"].mean(),
    }


def bridge_issues(rc: pl.DataFrame, coded: pl.DataFrame, issues: tuple[str, ...]) -> pl.DataFrame:
    """Issue codes for records by title: ``token`` and one boolean column per issue, null
    where no earlier record has the same title.

    ``coded`` has ``title_key``, ``date`` and the issue columns (records whose codes are
    known); a record takes the codes of the latest coded record with its title before it.
    """
    ref = (
        coded.sort("date")
        .group_by("title_key")
        .agg(pl.col("date").last().alias("ref_date"), *[pl.col(k).last() for k in issues])
    )
    out = rc.select("token", "date", "title_key").join(ref, on="title_key", how="left")
    known = pl.col("ref_date").is_not_null() & (pl.col("ref_date") < pl.col("date"))
    return out.select(
        "token", *[pl.when(known).then(pl.col(k)).otherwise(None).alias(k) for k in issues]
    )


__all__ = [
    "SYMBOL",
    "UnmappedUNDLCountryError",
    "bridge_issues",
    "compare_unvotes",
    "country_map",
    "duplicates",
    "general_assembly",
    "match_unvotes",
    "normalize_title",
    "roll_calls",
    "unvotes_roll_calls",
    "votes",
]
