"""How current each input of a section is, said where the numbers are shown.

Every section records the inputs it draws on (:class:`InputUse`: the input, the last year
it shows, and whether values after the input's last year are carried forward). From those
records:

* :func:`currency_frame` / :func:`currency_table` — the report's opening data-currency
  table: each input, its sources, the date its data run through, the last year shown and
  whether (and how) values are carried past the data's end;
* :func:`information_date` — one sentence per section: the effective information date of
  its answer ("UN voting through 2019 (unvotes); alliances through 2025 (ATOP to 2018 +
  sourced records) ...");
* :func:`annotate` — the same facts appended to each figure caption whose sources the
  section names, and carried values flagged there.

Inputs are those of :data:`allyscope.sources.bounds.INPUTS` (coverage from the catalog);
an input outside it (the curated mechanism records) carries its own title, sources and
last date. Nothing here computes a measure: the years come from the catalog and from the
query results' :class:`~allyscope.api.Currency`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from allyscope.views.figures import Table

if TYPE_CHECKING:
    from allyscope.views.sections import Section


@dataclass(frozen=True)
class InputUse:
    """One input a section draws on.

    ``input`` names an entry of ``bounds.INPUTS`` (or, with ``title``, ``sources`` and
    ``data_through``, an input outside it); ``shown_through`` is the last year the section
    shows values of it (``None``: no year-based values); ``carried`` says that values after
    the input's last year are carried forward from earlier years (``rule`` says how)."""

    input: str
    shown_through: int | None = None
    carried: bool = False
    rule: str = ""
    title: str | None = None
    sources: str | None = None
    data_through: dt.date | None = None


#: figure and section source names -> the input they stand for
SOURCE_INPUTS: dict[str, str] = {
    "un_votes": "un_votes",
    "un_roll_calls": "un_votes",
    "mme": "exercises",
    "mme_exercises": "exercises",
    "us_troops": "troops",
    "us_troops_quarterly": "troops",
    "atop_alliance": "alliances",
    "alliance_records": "alliances_extended",
    "ungd_speeches": "rhetoric",
    "mechanisms": "mechanisms",
}


def input_of_source(source: str) -> str | None:
    """The input a catalog source feeds (``SOURCE_INPUTS``, else the first input of
    ``bounds.INPUTS`` that reads it)."""
    from allyscope.sources.bounds import INPUTS

    if source in SOURCE_INPUTS:
        return SOURCE_INPUTS[source]
    for name, inp in INPUTS.items():
        if source in inp.sources:
            return name
    return None


def mechanisms_use(records: pl.DataFrame, shown_through: int | None) -> InputUse:
    """The curated mechanism records as an input: data run to the last record's date."""
    last = None
    if records.height and "date" in records.columns:
        dates = [d for d in records["date"].to_list() if d is not None]
        parsed = [_as_date(d) for d in dates]
        last = max((d for d in parsed if d is not None), default=None)
    return InputUse(
        "mechanisms",
        shown_through,
        title="Cooperation-mechanism records (curated)",
        sources="mechanisms (records shipped with allyscope)",
        data_through=last,
    )


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    text = str(value)
    try:
        if len(text) == 4:
            return dt.date(int(text), 12, 31)
        if len(text) == 7:
            y, m = int(text[:4]), int(text[5:7])
            nxt = dt.date(y + m // 12, m % 12 + 1, 1)
            return nxt - dt.timedelta(days=1)
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


# -- merging the uses of one report ----------------------------------------------------------


def merge(uses: Iterable[InputUse]) -> dict[str, InputUse]:
    """One use per input: the latest year shown, carried if any use carries."""
    out: dict[str, InputUse] = {}
    for u in uses:
        old = out.get(u.input)
        if old is None:
            out[u.input] = u
            continue
        shown = max(
            (y for y in (old.shown_through, u.shown_through) if y is not None), default=None
        )
        rule = old.rule if old.carried else u.rule
        out[u.input] = InputUse(
            u.input,
            shown,
            old.carried or u.carried,
            rule,
            old.title or u.title,
            old.sources or u.sources,
            max((d for d in (old.data_through, u.data_through) if d is not None), default=None),
        )
    return out


def currency_frame(uses: Iterable[InputUse]) -> pl.DataFrame:
    """The data-currency table: one row per input with ``input``, ``title``, ``sources``,
    ``data_through`` (date), ``last_year`` (of the data), ``shown_through``, ``carried``,
    ``carried_years`` and ``carry_rule``; ordered carried first, then by title."""
    from allyscope.sources.bounds import INPUTS, currency

    merged = merge(uses)
    known = {k: v for k, v in merged.items() if k in INPUTS}
    rows: list[dict[str, Any]] = []
    if known:
        used = {k: v.shown_through if v.shown_through is not None else 0 for k, v in known.items()}
        cur = currency(used, carried={k: True for k, v in known.items() if v.carried})
        for r in cur.iter_rows(named=True):
            u = known[r["input"]]
            carried = bool(r["carried"])
            rows.append(
                {
                    "input": r["input"],
                    "title": r["title"],
                    "sources": r["sources"],
                    "data_through": r["data_through"],
                    "last_year": r["last_year"],
                    "shown_through": u.shown_through,
                    "carried": carried,
                    "carried_years": int(r["carried_years"] or 0),
                    "carry_rule": (u.rule or r["carry_rule"] or "") if carried else "",
                }
            )
    for k, u in merged.items():
        if k in INPUTS:
            continue
        last = u.data_through.year if u.data_through else None
        past = u.shown_through is not None and last is not None and u.shown_through > last
        rows.append(
            {
                "input": k,
                "title": u.title or k,
                "sources": u.sources or "",
                "data_through": u.data_through,
                "last_year": last,
                "shown_through": u.shown_through,
                "carried": bool(u.carried and past),
                "carried_years": (u.shown_through - last) if u.carried and past else 0,  # type: ignore[operator]
                "carry_rule": u.rule if u.carried and past else "",
            }
        )
    schema = {
        "input": pl.String,
        "title": pl.String,
        "sources": pl.String,
        "data_through": pl.Date,
        "last_year": pl.Int32,
        "shown_through": pl.Int32,
        "carried": pl.Boolean,
        "carried_years": pl.Int32,
        "carry_rule": pl.String,
    }
    df = pl.DataFrame(rows, schema=schema, orient="row")
    return df.sort(["carried", "title"], descending=[True, False])


def after_end(row: dict[str, Any]) -> str:
    """What a row's years after the data's end hold, in words."""
    if row["carried"]:
        years = f"{row['last_year'] + 1}–{row['shown_through']}"
        rule = f": {row['carry_rule']}" if row["carry_rule"] else ""
        return f"CARRIED FORWARD {years}{rule}"
    shown, last = row["shown_through"], row["last_year"]
    if shown is not None and last is not None and shown > last:
        return f"missing after {last} (not carried)"
    return "—"


def currency_table(uses: Iterable[InputUse], *, window_end: int | None = None) -> Table:
    """The report's opening table: input, sources, data through, last year shown, and what
    the years after the data's end hold (carried values flagged)."""
    df = currency_frame(uses)
    rows = []
    for r in df.iter_rows(named=True):
        through = r["data_through"].isoformat() if r["data_through"] else "–"
        rows.append(
            [
                r["title"],
                r["sources"],
                through,
                "–" if r["shown_through"] is None else str(r["shown_through"]),
                "yes" if r["carried"] else "no",
                after_end(r),
            ]
        )
    caption = "How current each input is"
    if window_end is not None:
        caption += f" (the report's window ends in {window_end})"
    return Table(
        ["Input", "Sources", "Data through", "Last year shown", "Carried", "After the data end"],
        rows,
        caption=caption,
        align=["left", "left", "left", "right", "left", "left"],
    )


def _phrase(r: dict[str, Any]) -> str:
    last = r["last_year"]
    year = "–" if last is None else str(last)
    text = f"{r['title']} through {year}"
    if r["data_through"] and r["data_through"].month != 12:
        text = f"{r['title']} through {r['data_through'].isoformat()}"
    if r["carried"]:
        text += f" (carried forward to {r['shown_through']})"
    return f"{text} ({r['sources']})"


def information_date(uses: Sequence[InputUse]) -> str:
    """The effective information date of an answer: each input and the year its data run
    to, carried inputs flagged; ``""`` without inputs."""
    if not uses:
        return ""
    df = currency_frame(uses)
    return "Information date: " + "; ".join(_phrase(r) for r in df.iter_rows(named=True)) + "."


def caption_note(sources: Sequence[str], uses: Sequence[InputUse]) -> str:
    """The sentence appended to a figure caption: the data-through year of each input the
    figure draws on, carried values flagged."""
    wanted = {input_of_source(s) for s in sources} - {None}
    if not wanted:
        return ""
    mine = [u for u in uses if u.input in wanted]
    if not mine:
        return ""
    parts = []
    for r in currency_frame(mine).iter_rows(named=True):
        year = "–" if r["last_year"] is None else r["last_year"]
        part = f"{r['title']} through {year}"
        if r["carried"]:
            part += f", CARRIED FORWARD {r['last_year'] + 1}–{r['shown_through']}" + (
                f" ({r['carry_rule']})" if r["carry_rule"] else ""
            )
        parts.append(part)
    return "Data: " + "; ".join(parts) + "."


def annotate(section: Section) -> Section:
    """Append each figure's data-through note to its caption and the section's
    information date to its notes (once)."""
    uses = section.inputs
    for f in section.figures:
        note = caption_note(f.sources, uses)
        if note and note not in f.caption:
            f.caption = f"{f.caption} {note}".strip()
    info = information_date(uses)
    section.information_date = info
    return section


def report_uses(sections: Iterable[Section]) -> list[InputUse]:
    """Every input use of every section."""
    return [u for s in sections for u in s.inputs]


__all__ = [
    "SOURCE_INPUTS",
    "InputUse",
    "after_end",
    "annotate",
    "caption_note",
    "currency_frame",
    "currency_table",
    "information_date",
    "input_of_source",
    "mechanisms_use",
    "merge",
    "report_uses",
]
