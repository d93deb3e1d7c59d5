"""UN General Assembly roll-call votes as COW-coded, integer-coded tables and matrices.

The voting data (Voeten's UN General Assembly voting data as packaged by ``unvotes``)
name countries as the UN did at the time of each vote. :func:`country_map` turns every
distinct ``(country, country_code)`` pair into Correlates of War codes, taking the date
into account where one UN seat passed to a state with another COW code:

* ``Federal Republic of Germany`` is 260 until 2 October 1990 and 255 (Germany) from
  3 October 1990, when the united Germany kept the Federal Republic's seat;
  ``German Democratic Republic`` is 265; ``Germany`` is 255.
* ``Yemen Arab Republic`` is 678 until 21 May 1990 and 679 (Yemen) from 22 May 1990,
  when the Republic of Yemen took the seat; ``Yemen People's Republic`` is 680.
* The China seat: the data call the delegation that held it until 25 October 1971
  ``Taiwan``; it is coded 713 (Republic of China), as in Voeten's own data. ``China`` (the
  People's Republic, from November 1971) is 710.
* ``Russia`` (including the USSR) is 365, ``Yugoslavia`` (including the Federal Republic of
  Yugoslavia / Serbia and Montenegro / Serbia) 345, ``Czechoslovakia`` 315, ``Zanzibar``
  511. The Ukrainian and Byelorussian SSRs, founding UN members, keep Ukraine's (369) and
  Belarus's (370) codes although COW lists them as states only from 1991.

Every vote maps to exactly one COW code; a name that cannot be mapped is an error, never
a silently dropped vote.

Votes are coded on the three-point scale ``1 = yes, 2 = abstain, 3 = no``; absences
and non-membership are not rows (``0`` in the vote matrices).

``unvotes`` ends in December 2019. The UN Digital Library's recorded votes extend the roll
calls to December 2021 (:mod:`allyscope.un.undl`, checked against ``unvotes`` where the two
overlap); every roll call carries its ``source`` (``"unvotes"`` or ``"undl"``). Issue codes
of the later roll calls come from their titles (see :func:`_undl_roll_calls`); the State
Department's "important vote" flag is unknown (null) for them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl

from allyscope.errors import AllyscopeError, InvalidInputError, UnknownNameError
from allyscope.sources import get as get_source
from allyscope.sources.bounds import coverage

#: vote codes on the three-point scale
YES, ABSTAIN, NO = 1, 2, 3
VOTE_CODES: dict[str, int] = {"yes": YES, "abstain": ABSTAIN, "no": NO}

#: issue codes of the roll-call data (``un_roll_call_issues.short_name``)
ISSUES: dict[str, str] = {
    "me": "Palestinian conflict",
    "nu": "Nuclear weapons and nuclear material",
    "di": "Arms control and disarmament",
    "hr": "Human rights",
    "co": "Colonialism",
    "ec": "Economic development",
}
#: ``"all"`` is every roll call (the overall measures)
ISSUE_CHOICES: tuple[str, ...] = ("all", *ISSUES)

#: first and last year of recorded votes (the input ``un_votes``: unvotes, then the UN Digital
#: Library) and the last year of ``unvotes`` itself, from the catalog
FIRST_YEAR, LAST_YEAR = coverage("un_votes")
UNVOTES_LAST_YEAR: int = (get_source("un_votes").years or (0, 0))[1]
#: roll-call sources, in order of precedence: ``unvotes`` to its end, the Digital Library after
SOURCES: tuple[str, ...] = ("unvotes", "undl")

#: a UN seat that passed to a state with another COW code: (name in the data, first day of
#: the new state, its COW code)
SEAT_SUCCESSIONS: tuple[tuple[str, dt.date, int], ...] = (
    ("Federal Republic of Germany", dt.date(1990, 10, 3), 255),
    ("Yemen Arab Republic", dt.date(1990, 5, 22), 679),
)


class UnmappedCountryError(AllyscopeError):
    """A country name in the voting data that no COW code is known for."""


def country_map(wh=None) -> pl.DataFrame:
    """One row per distinct ``(country, country_code)`` pair and span of dates with its COW code.

    Columns: ``country``, ``country_code`` (ISO2 as in the data), ``date_from``,
    ``date_to`` (inclusive bounds of the span), ``ccode``. Raises :class:`UnmappedCountryError`
    naming every pair that cannot be resolved.
    """
    from allyscope import codes
    from allyscope.store import open_warehouse

    wh = wh or open_warehouse()
    wh.require("un_votes", "un_roll_calls")
    pairs = wh.sql(
        "SELECT v.country, v.country_code, min(r.date) AS date_from, max(r.date) AS date_to "
        "FROM un_votes v JOIN un_roll_calls r USING (rcid) "
        "GROUP BY ALL ORDER BY v.country, v.country_code NULLS FIRST"
    )
    rows: list[tuple] = []
    bad: list[str] = []
    for country, iso2, d0, d1 in pairs.iter_rows():  # ~200 pairs, not votes
        try:
            first, last = codes.resolve(country, d0.year), codes.resolve(country, d1.year)
        except UnknownNameError as exc:
            bad.append(f"{country!r} ({iso2 or 'no ISO2'}): {exc.message}")
            continue
        if first != last:  # a name whose COW code changes with the year (none in unvotes 0.3)
            bad.append(f"{country!r}: COW code changes from {first} to {last} between years")
            continue
        spans = [(d0, d1, first)]
        for name_, day, successor in SEAT_SUCCESSIONS:
            if name_ == country and d0 < day <= d1:
                spans = [(d0, day - dt.timedelta(days=1), first), (day, d1, successor)]
        rows.extend((country, iso2, a, b, c) for a, b, c in spans)
    if bad:
        raise UnmappedCountryError(
            f"{len(bad)} country name(s) in the UN voting data have no COW code: " + "; ".join(bad),
            "add the spelling to allyscope.codes.ALIASES",
        )
    return pl.DataFrame(
        rows,
        schema={
            "country": pl.String,
            "country_code": pl.String,
            "date_from": pl.Date,
            "date_to": pl.Date,
            "ccode": pl.Int32,
        },
        orient="row",
    )


def _votes_frame(wh) -> pl.DataFrame:
    cmap = country_map(wh)
    raw = wh.sql(
        "SELECT v.rcid, v.country, v.country_code, v.vote, r.date, r.session, "
        "coalesce(r.importantvote, 0) AS importantvote "
        "FROM un_votes v JOIN un_roll_calls r USING (rcid)"
    )
    unknown_votes = sorted(set(raw["vote"].unique().to_list()) - set(VOTE_CODES))
    if unknown_votes:
        raise AllyscopeError(
            f"un_votes: unknown vote value(s) {unknown_votes}; expected yes, abstain or no",
            "rebuild the warehouse with `allyscope data build`",
        )
    # vectorized over votes: join on the pair, keep the span that contains the date
    joined = raw.join(cmap, on=["country", "country_code"], how="left", nulls_equal=True)
    joined = joined.filter(pl.col("date").is_between(pl.col("date_from"), pl.col("date_to")))
    if joined.height != raw.height:
        raise UnmappedCountryError(
            f"{raw.height - joined.height} UN votes could not be given a COW code",
            "report this: the country map does not cover every vote",
        )
    out = joined.select(
        pl.col("rcid").cast(pl.Int32),
        pl.col("ccode").cast(pl.Int16),
        pl.col("date").dt.year().cast(pl.Int16).alias("year"),
        pl.col("session").cast(pl.Int16),
        pl.col("vote").replace_strict(VOTE_CODES, return_dtype=pl.Int8).alias("vote"),
    ).sort("rcid", "ccode")
    dup = out.select(pl.struct("rcid", "ccode").is_duplicated().any()).item()
    if dup:
        raise UnmappedCountryError(
            "two country names in the UN voting data map to the same COW code on one roll call",
            "check allyscope.un.data.country_map()",
        )
    return out


@dataclass(frozen=True)
class VoteData:
    """All votes, COW-coded, with their roll calls.

    ``votes``: ``rcid, ccode, year, session, vote`` (vote 1/2/3). ``roll_calls``: ``rcid,
    session, year, date, important``, one boolean column per issue code (null where the
    issue is not known), ``source`` and ``token``. Roll calls of the UN Digital Library are
    numbered on after the last ``unvotes`` id, in the order of their Digital Library record
    number, which ``token`` holds (null for ``unvotes`` roll calls).
    """

    votes: pl.DataFrame
    roll_calls: pl.DataFrame


@lru_cache(maxsize=4)
def _load(data_hash: str, path: str) -> VoteData:
    from allyscope.store import open_warehouse

    wh = open_warehouse(path)
    votes = _votes_frame(wh)
    rc = wh.sql(
        "SELECT rcid, session, date, coalesce(importantvote, 0) = 1 AS important FROM un_roll_calls"
    ).with_columns(
        pl.col("rcid").cast(pl.Int32),
        pl.col("session").cast(pl.Int16),
        pl.col("date").dt.year().cast(pl.Int16).alias("year"),
    )
    iss = wh.sql("SELECT DISTINCT rcid, short_name FROM un_roll_call_issues")
    unknown = sorted(set(iss["short_name"].to_list()) - set(ISSUES))
    if unknown:
        raise AllyscopeError(
            f"un_roll_call_issues: unknown issue code(s) {unknown}",
            "rebuild the warehouse with `allyscope data build`",
        )
    flags = [
        pl.col("rcid")
        .is_in(iss.filter(pl.col("short_name") == k)["rcid"].cast(pl.Int32).implode())
        .alias(k)
        for k in ISSUES
    ]
    rc = rc.with_columns(
        *flags, pl.lit("unvotes").alias("source"), pl.lit(None, dtype=pl.Int32).alias("token")
    ).sort("rcid")
    if LAST_YEAR > UNVOTES_LAST_YEAR:
        more_rc, more_votes = _undl_roll_calls(wh, rc)
        rc = pl.concat([rc, more_rc], how="vertical_relaxed")
        votes = pl.concat([votes, more_votes], how="vertical_relaxed")
    rc = rc.with_columns(pl.col("source").cast(pl.Enum(SOURCES)))
    return VoteData(votes=votes, roll_calls=rc)


#: a roll call on nuclear weapons (issue ``nu``) after ``unvotes`` ends: its title names them
#: (in 2010-2019 this rule and the ``nu`` code of ``unvotes`` disagree on 1 of 774 roll calls;
#: bench/undl_validation.py)
NUCLEAR_TITLE = r"(?i)nuclear"


def _undl_roll_calls(wh, coded: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """General Assembly roll calls and votes of the UN Digital Library after ``unvotes`` ends.

    Issue codes: ``nu`` where the title names nuclear weapons (:data:`NUCLEAR_TITLE`); the
    other five from the latest earlier roll call with the same title (the Assembly adopts
    most texts every year under one title), null for a title not voted on before 2020.
    """
    from allyscope.un import undl

    years = (UNVOTES_LAST_YEAR + 1, LAST_YEAR)
    rc, v, _ = undl.general_assembly(wh, years)
    last = coded["rcid"].max()
    base = int(last) if isinstance(last, int) else 0
    rc = rc.sort("token").with_columns(
        (pl.int_range(1, pl.len() + 1, dtype=pl.Int32) + base).alias("rcid")
    )
    # titles of unvotes roll calls, through the Digital Library records that match them
    past = undl.roll_calls(wh, (FIRST_YEAR, UNVOTES_LAST_YEAR))
    pairs = undl.match_unvotes(past, undl.unvotes_roll_calls(wh, (FIRST_YEAR, UNVOTES_LAST_YEAR)))
    titled = (
        past.join(pairs, on="token")
        .join(coded.select("rcid", *ISSUES), on="rcid")
        .unique("token")
        .select("title_key", "date", *ISSUES)
    )
    others = tuple(k for k in ISSUES if k != "nu")
    bridged = undl.bridge_issues(rc, titled, others)
    out_rc = rc.join(bridged, on="token").select(
        pl.col("rcid"),
        pl.col("token").cast(pl.Int32),
        pl.col("session").cast(pl.Int16),
        "date",
        pl.lit(None, dtype=pl.Boolean).alias("important"),
        pl.col("year").cast(pl.Int16),
        *[
            pl.col("title").str.contains(NUCLEAR_TITLE).alias(k) if k == "nu" else pl.col(k)
            for k in ISSUES
        ],
        pl.lit("undl").alias("source"),
    )
    out_rc = out_rc.select(coded.columns).sort("rcid")
    meta = out_rc.select("rcid", "token", "year", "session")
    out_v = (
        v.join(meta, on="token")
        .select(
            pl.col("rcid").cast(pl.Int32),
            pl.col("ccode").cast(pl.Int16),
            pl.col("year").cast(pl.Int16),
            pl.col("session").cast(pl.Int16),
            pl.col("vote").cast(pl.Int8),
        )
        .sort("rcid", "ccode")
    )
    return out_rc, out_v


def load(wh=None) -> VoteData:
    """The COW-coded votes and roll calls of the current warehouse (memoized per build)."""
    from allyscope.store import open_warehouse

    wh = wh or open_warehouse()
    return _load(wh.data_hash, str(wh.path))


def votes(wh=None) -> pl.DataFrame:
    """Every recorded vote: ``rcid, ccode, year, session, vote`` (1 yes, 2 abstain, 3 no)."""
    return load(wh).votes


def check_issues(issues) -> list[str]:
    """Normalize an issue selection: ``None`` is all seven ("all" plus the six issue codes)."""
    if issues is None:
        return list(ISSUE_CHOICES)
    if isinstance(issues, str):
        issues = [issues]
    out = []
    for k in issues:
        key = str(k).strip().lower()
        if key not in ISSUE_CHOICES:
            raise UnknownNameError(
                "UN issue code",
                str(k),
                ISSUE_CHOICES,
                "issue codes: all, " + ", ".join(f"{a} ({b})" for a, b in ISSUES.items()),
            )
        if key not in out:
            out.append(key)
    if not out:
        raise InvalidInputError("no UN issue selected", "give 'all' or an issue code such as 'hr'")
    return out


def vote_matrix(votes: pl.DataFrame, rcids: np.ndarray, ccodes: np.ndarray) -> np.ndarray:
    """An ``int8`` matrix ``len(ccodes) x len(rcids)`` of vote codes; 0 where no vote is recorded.

    ``rcids`` and ``ccodes`` must be sorted and unique; votes outside them are ignored.
    """
    r = votes["rcid"].to_numpy()
    c = votes["ccode"].to_numpy()
    ri = np.searchsorted(rcids, r)
    ci = np.searchsorted(ccodes, c)
    ok = (ri < len(rcids)) & (ci < len(ccodes))
    ok[ok] = (rcids[ri[ok]] == r[ok]) & (ccodes[ci[ok]] == c[ok])
    m = np.zeros((len(ccodes), len(rcids)), dtype=np.int8)
    m[ci[ok], ri[ok]] = votes["vote"].to_numpy()[ok]
    return m
