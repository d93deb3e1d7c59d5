"""Dates in statements: explicit ("August 18, 2023", "Dec. 19", "in 2025") and relative to
the document's date ("today", "on Tuesday", "last month", "next year", "by the end of the
year").

A date is kept with its precision: ``"2023-08-18"`` (day), ``"2023-12"`` (month) or
``"2024"`` (year). Relative expressions need the document date; without it they are
reported unresolved (``value=None``) so that a reviewer sees what was meant.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

_MON = r"(?P<mon>Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?\.?|July?\.?|Aug(?:ust|\.)?|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19[4-9]\d|20\d\d|2100))"

#: (name, compiled pattern); tried in this order, earlier matches win over overlapping later ones
_EXPLICIT: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<year>\d{4})-(?P<m>[01]\d)-(?P<day>[0-3]\d)\b")),
    ("md_rel", re.compile(rf"\b{_MON}\s+{_DAY}\s+(?:of\s+)?(?P<rel>last|next|this)\s+year\b")),
    ("my_rel", re.compile(rf"\b{_MON}\s+(?:of\s+)?(?P<rel>last|next|this)\s+year\b")),
    ("mdy", re.compile(rf"\b{_MON}\s+{_DAY},?\s+{_YEAR}\b")),
    ("dmy", re.compile(rf"\b{_DAY}\s+{_MON},?\s+{_YEAR}\b")),
    ("my", re.compile(rf"\b{_MON},?\s+(?:of\s+)?{_YEAR}\b")),
    ("md", re.compile(rf"\b{_MON}\s+{_DAY}\b(?!\s*(?:,\s*)?\d)")),
    ("dm", re.compile(rf"\b{_DAY}\s+{_MON}\b(?!\s*(?:,\s*)?\d)")),
    ("mon", re.compile(rf"(?:(?<=\bin\s)|(?<=\bsince\s)|(?<=\bfrom\s)|(?<=\buntil\s)|(?<=\bby\s)|(?<=\blast\s)|(?<=\bnext\s)|(?<=\bthis\s)|(?<=\bearly\s)|(?<=\blate\s)|(?<=\bmid-)){_MON}(?![\w-]|\s+\d)")),
    ("season_y", re.compile(rf"\b(?:early|mid|late|spring|summer|autumn|fall|winter|end)(?:\s+of)?\s*-?\s*{_YEAR}\b", re.I)),
    ("year", re.compile(rf"(?<![\d-]){_YEAR}(?![\d-]|\s*(?:km|kilomet|troops|people|nautical|soldiers|ships|aircraft|personnel))")),
]  # fmt: skip

_RELATIVE = re.compile(
    r"\b(?P<rel>"
    r"(?:by|before|until|at|toward|towards)\s+(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?year"
    r"|(?:by|before|until)\s+(?:the\s+)?end\s+of\s+next\s+year"
    r"|(?:by|before)\s+year[- ]end"
    r"|within\s+(?:the|this)\s+year|(?:earlier|later)\s+this\s+year|this\s+year"
    r"|next\s+year|last\s+year|the\s+previous\s+year"
    r"|this\s+(?:spring|summer|autumn|fall|winter)"
    r"|next\s+month|last\s+month|this\s+month|earlier\s+this\s+month|later\s+this\s+month"
    r"|last\s+week|next\s+week|this\s+week|earlier\s+this\s+week"
    r"|today|yesterday|tomorrow"
    r"|(?:next\s+|last\s+|this\s+|on\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r")\b",
    re.I,
)


@dataclass(frozen=True)
class FoundDate:
    """A date expression in a text: ISO value with its precision, and where it was."""

    value: str | None  # "2023-08-18", "2023-12" or "2024"; None when unresolved
    precision: str  # "day", "month" or "year"
    text: str
    start: int
    end: int
    relative: bool = False


def fmt(d: dt.date, precision: str) -> str:
    if precision == "day":
        return d.isoformat()
    if precision == "month":
        return f"{d.year:04d}-{d.month:02d}"
    return f"{d.year:04d}"


def _month(s: str) -> int:
    return MONTHS[s.lower().rstrip(".")]


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _infer_year(month: int, day: int, doc_date: dt.date | None) -> int | None:
    """A month-day without a year is taken in the document's year, unless that would put
    it more than about seven months after the document (then the year before)."""
    if doc_date is None:
        return None
    y = doc_date.year
    cand = _safe_date(y, month, min(day, 28))
    if cand is not None and (cand - doc_date).days > 215:
        y -= 1
    return y


def _add_months(d: dt.date, n: int) -> dt.date:
    m = d.month - 1 + n
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


_SEASONS = {"spring", "summer", "autumn", "fall", "winter"}


def _relative_period(e: str, doc_date: dt.date | None) -> tuple[str | None, str] | None:
    """Years, seasons, months and weeks relative to the document date (None: not one)."""
    if "end" in e and "year" in e:
        if doc_date is None:
            return None, "month"
        return f"{doc_date.year + (1 if 'next' in e else 0):04d}-12", "month"
    if "year" in e:
        if doc_date is None:
            return None, "year"
        off = 1 if e.startswith("next") else -1 if ("last" in e or "previous" in e) else 0
        return f"{doc_date.year + off:04d}", "year"
    if e.startswith("this ") and e.split()[-1] in _SEASONS:
        return (f"{doc_date.year:04d}" if doc_date else None), "year"
    if "month" in e:
        if doc_date is None:
            return None, "month"
        off = 1 if e.startswith("next") else -1 if e.startswith("last") else 0
        return fmt(_add_months(doc_date, off), "month"), "month"
    if "week" in e:
        if doc_date is None:
            return None, "month"
        off = 7 if e.startswith("next") else -7 if e.startswith("last") else 0
        return fmt(doc_date + dt.timedelta(days=off), "month"), "month"
    return None


_DAY_OFFSETS = {"today": 0, "yesterday": -1, "tomorrow": 1}


def _relative_day(e: str, doc_date: dt.date, future: bool) -> tuple[str | None, str]:
    """Today, yesterday, tomorrow and (last/next) weekdays relative to the document date."""
    if e in _DAY_OFFSETS:
        return (doc_date + dt.timedelta(days=_DAY_OFFSETS[e])).isoformat(), "day"
    wd = e.split()[-1]
    if wd not in WEEKDAYS:
        return None, "day"
    target = WEEKDAYS.index(wd)
    if e.startswith("next") or (future and not e.startswith("last")):
        delta = (target - doc_date.weekday()) % 7 or 7
        return (doc_date + dt.timedelta(days=delta)).isoformat(), "day"
    delta = (doc_date.weekday() - target) % 7
    if e.startswith("last") and delta == 0:
        delta = 7
    return (doc_date - dt.timedelta(days=delta)).isoformat(), "day"


def resolve_relative(
    expr: str, doc_date: dt.date | None, future: bool = False
) -> tuple[str | None, str]:
    """ISO value and precision of a relative expression, given the document date."""
    e = re.sub(r"\s+", " ", expr.lower().strip())
    period = _relative_period(e, doc_date)
    if period is not None:
        return period
    if doc_date is None:
        return None, "day"
    return _relative_day(e, doc_date, future)


_FUTURE = re.compile(
    r"\b(?:will|shall|plan(?:s|ned)? to|intend(?:s)? to|going to|next|upcoming|set to|scheduled)\b",
    re.I,
)


_ANY = re.compile(
    r"\d|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|today|yesterday|tomorrow|week|month|year|day|spring|summer|autumn|fall|winter",
    re.I,
)


@dataclass(frozen=True)
class _Where:
    """What a date pattern's reader knows besides the match."""

    text: str
    doc_date: dt.date | None
    future: bool


def _found(m: re.Match[str], value: str | None, prec: str, relative: bool) -> FoundDate:
    return FoundDate(value, prec, m.group(0), m.start(), m.end(), relative)


def _day(m: re.Match[str], year: int, mon: int, day: int) -> FoundDate | None:
    d = _safe_date(year, mon, day)
    return None if d is None else _found(m, d.isoformat(), "day", False)


def _read_iso(m: re.Match[str], g: dict[str, str], w: _Where) -> FoundDate | None:
    return _day(m, int(g["year"]), int(g["m"]), int(g["day"]))


def _read_full(m: re.Match[str], g: dict[str, str], w: _Where) -> FoundDate | None:
    return _day(m, int(g["year"]), _month(g["mon"]), int(g["day"]))


def _read_rel_year(m: re.Match[str], g: dict[str, str], w: _Where) -> FoundDate | None:
    """ "March 5 last year", "May next year": a month (and day) in a year relative to the
    document date."""
    has_day = g.get("day") is not None
    if w.doc_date is None:
        return _found(m, None, "day" if has_day else "month", True)
    y = w.doc_date.year + {"last": -1, "next": 1, "this": 0}[g["rel"].lower()]
    if not has_day:
        return _found(m, f"{y:04d}-{_month(g['mon']):02d}", "month", True)
    d = _safe_date(y, _month(g["mon"]), int(g["day"]))
    return None if d is None else _found(m, d.isoformat(), "day", True)


def _read_month(m: re.Match[str], g: dict[str, str], w: _Where) -> FoundDate | None:
    """A month name alone: the nearest such month before (or, for future events, after)
    the document date."""
    mon = _month(g["mon"])
    if w.doc_date is None:
        return _found(m, None, "month", True)
    before = w.text[max(0, m.start() - 6) : m.start()].lower()
    y = w.doc_date.year
    if "next" in before or (w.future and mon > w.doc_date.month):
        y = y if mon > w.doc_date.month else y + 1
    elif mon > w.doc_date.month:
        y -= 1
    return _found(m, f"{y:04d}-{mon:02d}", "month", True)


def _read_month_year(m: re.Match[str], g: dict[str, str], w: _Where) -> FoundDate | None:
    return _found(m, f"{int(g['year']):04d}-{_month(g['mon']):02d}", "month", False)


def _read_month_day(m: re.Match[str], g: dict[str, str], w: _Where) -> FoundDate | None:
    """A month and day without a year: the year is inferred from the document date."""
    mon, day = _month(g["mon"]), int(g["day"])
    if not 1 <= day <= 31:
        return None
    y = _infer_year(mon, day, w.doc_date)
    if y is None:
        return _found(m, None, "day", True)
    d = _safe_date(y, mon, day)
    return _found(m, d.isoformat() if d else None, "day", False)


def _read_season_year(m: re.Match[str], g: dict[str, str], w: _Where) -> FoundDate | None:
    if m.group(0).lower().startswith("end"):
        return _found(m, f"{g['year']}-12", "month", False)
    return _found(m, g["year"], "year", False)


def _read_year(m: re.Match[str], g: dict[str, str], w: _Where) -> FoundDate | None:
    return _found(m, g["year"], "year", False)


#: how each explicit pattern's match becomes a date (None: not a date after all)
_READERS: dict[str, Callable[[re.Match[str], dict[str, str], _Where], FoundDate | None]] = {
    "iso": _read_iso,
    "mdy": _read_full,
    "dmy": _read_full,
    "md_rel": _read_rel_year,
    "my_rel": _read_rel_year,
    "mon": _read_month,
    "my": _read_month_year,
    "md": _read_month_day,
    "dm": _read_month_day,
    "season_y": _read_season_year,
}


def find_dates(text: str, doc_date: dt.date | None = None) -> list[FoundDate]:
    """Every date expression in ``text`` (explicit first, then relative), in text order."""
    if not _ANY.search(text):
        return []
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    where = _Where(text, doc_date, bool(_FUTURE.search(text)))

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for name, pat in _EXPLICIT:
        read = _READERS.get(name, _read_year)
        for m in pat.finditer(text):
            if not free(*m.span()):
                continue
            f = read(m, m.groupdict(), where)
            if f is not None:
                found.append(f)
                taken.append(m.span())
    for m in _RELATIVE.finditer(text):
        a, b = m.span()
        if not free(a, b):
            continue
        expr = m.group("rel")
        value, prec = resolve_relative(
            re.sub(r"^on\s+", "", expr, flags=re.I), doc_date, where.future
        )
        found.append(FoundDate(value, prec, expr, a, b, True))
        taken.append((a, b))
    found.sort(key=lambda f: f.start)
    return found


def parse_date(value: object) -> dt.date:
    """A ``datetime.date`` from ``YYYY-MM-DD`` text (or a date); raises ValueError."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip()
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", s)
    if m:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    hits = [f for f in find_dates(s) if f.precision == "day" and f.value]
    if hits:
        return dt.date.fromisoformat(hits[0].value)  # type: ignore[arg-type]
    raise ValueError(f"not a date: {value!r}")


def same_date(a: object, b: object) -> bool:
    """Whether two partial ISO dates agree at the coarser of their precisions."""
    if a is None or b is None:
        return a is None and b is None
    sa, sb = str(a)[:10], str(b)[:10]
    n = min(len(sa), len(sb))
    return sa[:n] == sb[:n]


__all__ = ["FoundDate", "find_dates", "parse_date", "resolve_relative", "same_date"]
