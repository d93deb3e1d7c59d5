"""Web pages and JSON endpoints of the rhetoric layer (UN General Debate, 1946-2024).

* ``/rhetoric?states=JPN,KOR&from=2010`` and ``/api/rhetoric?...`` — what each state's
  speech says about the others, both directions per year, with evidence sentences;
* ``/rhetoric/themes?states=USA,JPN,KOR&theme=rules-based order`` and
  ``/api/rhetoric/themes?...`` — salience of named themes per state and year.

Parameters are validated like the other pages' (patterns, lengths, year bounds); the
payloads come from :func:`allyscope.api.rhetoric` and :func:`allyscope.api.rhetoric_themes`
with their currency, and the figures from :mod:`allyscope.views.rhetoric`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from allyscope.errors import InvalidInputError
from allyscope.groups import MAX_STATES
from allyscope.web import service
from allyscope.web.params import STATES_PATTERN, YearFrom, YearTo, split_states

router = APIRouter()

RhetoricStates = Annotated[
    str,
    Query(
        min_length=1,
        max_length=400,
        pattern=STATES_PATTERN,
        description=f"Comma-separated states (2 to {MAX_STATES}): ISO3 codes, names or COW codes.",
        examples=["JPN,KOR"],
    ),
]
ThemeStates = Annotated[
    str,
    Query(
        min_length=1,
        max_length=400,
        pattern=STATES_PATTERN,
        description=f"Comma-separated states (1 to {MAX_STATES}).",
        examples=["USA,JPN,KOR"],
    ),
]
ThemeQuery = Annotated[
    str | None,
    Query(
        max_length=60,
        pattern=r"^[\w .,'’-]*$",
        description="Theme key or label (see /api/rhetoric/themes/list); default: every theme.",
        examples=["rules-based order"],
    ),
]
EvidenceQuery = Annotated[
    int, Query(ge=0, le=5, description="Evidence sentences per direction (or theme) and year.")
]


def _window(y0: int | None, y1: int | None) -> tuple[int, int]:
    from allyscope import api

    lo, hi = api.rhetoric_years()
    a = lo if y0 is None else y0
    b = hi if y1 is None else y1
    if a > b:
        raise InvalidInputError(f"the years are inverted: from {a} to {b}", "give from before to")
    span = api.clip((a, b), (lo, hi))
    if span is None:
        raise InvalidInputError(
            f"{a}-{b} is outside the UN General Debate corpus ({lo}-{hi})",
            f"choose years between {lo} and {hi}",
        )
    return span


def _states(text: str, minimum: int) -> list[str]:
    names = split_states(text)
    if len(names) < minimum:
        raise InvalidInputError(
            f"name at least {minimum} state{'s' if minimum > 1 else ''}",
            "for example states=JPN,KOR",
        )
    return names


def rhetoric_payload(
    states: Sequence[str], years: tuple[int | None, int | None], evidence: int = 2
) -> dict[str, Any]:
    """Both directions of every pair per year, the evidence sentences and the tone figure."""
    from allyscope import api
    from allyscope.views.currency import InputUse, caption_note, information_date
    from allyscope.views.rhetoric import evidence_table, tone_figure

    window = _window(*years)
    res, ev = api.rhetoric(list(states), window, k=max(evidence, 1))
    df = res.df.drop("speech_id")
    evd = ev.df if evidence else ev.df.head(0)
    title = "Tone of the General Debate speeches toward each other"
    fig = tone_figure(df, title=title)
    uses = [InputUse("rhetoric", res.currency.data_through)]
    fig.caption = f"{fig.caption} {caption_note(fig.sources, uses)}".strip()
    table = evidence_table(df, evd, caption="In their own words (latest sentences)", limit=20)
    return {
        "query": {"states": list(states), "years": list(window), "evidence": evidence},
        "data": {"rows": df.to_dicts(), "evidence": evd.to_dicts()},
        "currency": res.describe()["currency"],
        "information_date": information_date(uses),
        "figures": [fig.to_dict()],
        "tables": [table.to_dict()] if table else [],
    }


def themes_payload(
    states: Sequence[str],
    years: tuple[int | None, int | None],
    theme: str | None,
    evidence: int = 1,
) -> dict[str, Any]:
    """Salience of a theme (or every theme) per state and year, with evidence."""
    from allyscope import api
    from allyscope.views.currency import InputUse, caption_note, information_date
    from allyscope.views.rhetoric import theme_evidence_table, themes_figure

    window = _window(*years)
    sal, ev = api.rhetoric_themes(list(states), window, theme, k=max(evidence, 1))
    df = sal.df.drop("speech_id")
    evd = ev.df if evidence else ev.df.head(0)
    labels = api.rhetoric_theme_names()
    fig = themes_figure(df, labels)
    uses = [InputUse("rhetoric", sal.currency.data_through)]
    fig.caption = f"{fig.caption} {caption_note(fig.sources, uses)}".strip()
    table = theme_evidence_table(evd, labels)
    return {
        "query": {"states": list(states), "years": list(window), "theme": theme},
        "data": {"rows": df.to_dicts(), "evidence": evd.to_dicts()},
        "themes": labels,
        "currency": sal.describe()["currency"],
        "information_date": information_date(uses),
        "figures": [fig.to_dict()],
        "tables": [table.to_dict()] if table else [],
    }


def _json(body: bytes) -> Response:
    return Response(
        content=body, media_type="application/json", headers={"Cache-Control": "max-age=300"}
    )


async def _rhetoric_body(states: str, y0: int | None, y1: int | None, evidence: int) -> bytes:
    names = _states(states, 2)
    key = {"s": tuple(n.upper() for n in names), "y": (y0, y1), "e": evidence}
    return await service.acached(
        "rhetoric", key, lambda: rhetoric_payload(names, (y0, y1), evidence)
    )


async def _themes_body(
    states: str, y0: int | None, y1: int | None, theme: str | None, evidence: int
) -> bytes:
    names = _states(states, 1)
    th = theme.strip() if theme and theme.strip() else None
    key = {"s": tuple(n.upper() for n in names), "y": (y0, y1), "t": th, "e": evidence}
    return await service.acached(
        "rhetoric-themes", key, lambda: themes_payload(names, (y0, y1), th, evidence)
    )


@router.get("/api/rhetoric", tags=["rhetoric"], summary="What states say about each other")
async def rhetoric_api(
    states: RhetoricStates,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    evidence: EvidenceQuery = 2,
) -> Response:
    """Both directions of every pair per year at the UN General Debate: mentions, share of
    the speech, mean tone, threat framing, evidence sentences and the data's currency."""
    return _json(await _rhetoric_body(states, year_from, year_to, evidence))


@router.get("/api/rhetoric/themes", tags=["rhetoric"], summary="Themes in the speeches")
async def themes_api(
    states: ThemeStates,
    theme: ThemeQuery = None,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    evidence: EvidenceQuery = 1,
) -> Response:
    """Salience of a named theme (or every theme) per state and year, with the sentences."""
    return _json(await _themes_body(states, year_from, year_to, theme, evidence))


@router.get("/api/rhetoric/themes/list", tags=["rhetoric"], summary="The named themes")
async def theme_list_api() -> Response:
    from allyscope import api

    return _json(service.dumps({"themes": api.rhetoric_theme_names()}))


@router.get("/rhetoric", response_class=HTMLResponse, include_in_schema=False)
async def rhetoric_page(
    states: RhetoricStates = "JPN,KOR",
    year_from: YearFrom = None,
    year_to: YearTo = None,
) -> HTMLResponse:
    from allyscope.web.pages import render

    p = service_payload(await _rhetoric_body(states, year_from, year_to, 2))
    q = {"states": states, **({"from": str(year_from)} if year_from else {})}
    if year_to:
        q["to"] = str(year_to)
    return render(
        "rhetoric.html.j2",
        p=p,
        mode="dyads",
        states=states,
        theme="",
        active="/rhetoric",
        api="/api/rhetoric?" + urlencode(q),
    )


@router.get("/rhetoric/themes", response_class=HTMLResponse, include_in_schema=False)
async def themes_page(
    states: ThemeStates = "USA,JPN,KOR",
    theme: ThemeQuery = "rules-based order",
    year_from: YearFrom = None,
    year_to: YearTo = None,
) -> HTMLResponse:
    from allyscope.web.pages import render

    p = service_payload(await _themes_body(states, year_from, year_to, theme, 1))
    q = {"states": states, **({"theme": theme} if theme else {})}
    if year_from:
        q["from"] = str(year_from)
    if year_to:
        q["to"] = str(year_to)
    return render(
        "rhetoric.html.j2",
        p=p,
        mode="themes",
        states=states,
        theme=theme or "",
        active="/rhetoric",
        api="/api/rhetoric/themes?" + urlencode(q),
    )


def service_payload(body: bytes) -> dict[str, Any]:
    import json

    return dict(json.loads(body))
