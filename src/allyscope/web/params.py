"""Validated request parameters shared by the API and the pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from allyscope.errors import InvalidInputError
from allyscope.groups import FIRST_YEAR, MAX_STATES
from allyscope.sources.bounds import current_year

#: the latest year any source describes (not the calendar's: answers do not change by day)
LAST_YEAR = current_year()
#: what a state name or code may look like (letters in any script, digits, spaces and the
#: punctuation of official names); anything else is refused before look-up
STATE_PATTERN = r"^\w[\w .,'’()&-]*$"
STATES_PATTERN = r"^[\w .,'’()&-]*$"
#: what a compact scenario may contain (``leader_change:KOR;exercises:stop@JPN/KOR``,
#: ``set:us_troops_both_log=0``, ``preset:NAME``): letters, digits and its separators
SCENARIO_PATTERN = r"^[A-Za-z0-9_:;,.=@/ -]+$"

StateCode = Annotated[
    str,
    Path(
        min_length=1,
        max_length=60,
        pattern=STATE_PATTERN,
        description="A state: ISO3 code (JPN), name (Japan) or COW code (740).",
        examples=["JPN"],
    ),
]
StatesQuery = Annotated[
    str,
    Query(
        min_length=1,
        max_length=400,
        pattern=STATES_PATTERN,
        description=f"Comma-separated states (2 to {MAX_STATES}): ISO3 codes, names or COW codes.",
        examples=["USA,JPN,KOR"],
    ),
]
CounterQuery = Annotated[
    str | None,
    Query(
        max_length=400,
        pattern=STATES_PATTERN,
        description="Comma-separated counter-group states (default: CHN,RUS,PRK for East "
        "Asian groups, otherwise the states least aligned with the group).",
        examples=["CHN,RUS,PRK"],
    ),
]
YearFrom = Annotated[
    int | None,
    Query(alias="from", ge=FIRST_YEAR, le=LAST_YEAR, description="First year (default 1990)."),
]
YearTo = Annotated[
    int | None,
    Query(
        alias="to",
        ge=FIRST_YEAR,
        le=LAST_YEAR,
        description="Last year (default: the last concluded year).",
    ),
]
Horizon = Annotated[int, Query(ge=1, le=10, description="Forecast horizon in years (1-10).")]


def split_states(text: str | None) -> list[str]:
    """``"USA, JPN;KOR"`` -> ``["USA", "JPN", "KOR"]`` (empty items dropped)."""
    if not text:
        return []
    parts = [p.strip() for p in text.replace(";", ",").split(",")]
    out = [p for p in parts if p]
    if len(out) > MAX_STATES:
        raise InvalidInputError(
            f"{len(out)} states requested; at most {MAX_STATES} are supported",
            "ask for a smaller group",
        )
    return out
