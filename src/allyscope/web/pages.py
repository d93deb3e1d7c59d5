"""Server-rendered pages (Jinja2). Each page draws the figures of one API payload."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, RedirectResponse

from allyscope import __version__
from allyscope.groups import MAX_STATES
from allyscope.sources.bounds import coverage
from allyscope.web import service
from allyscope.web.params import (
    LAST_YEAR,
    STATES_PATTERN,
    CounterQuery,
    Horizon,
    StateCode,
    YearFrom,
    YearTo,
    split_states,
)

router = APIRouter(include_in_schema=False)

NAV = (
    ("/", "Home"),
    ("/state/KOR", "State"),
    ("/group?states=USA,JPN,KOR", "Group"),
    ("/network", "Network"),
    ("/map", "Alignment map"),
    ("/forecast?states=USA,JPN,KOR", "Forecast"),
    ("/rhetoric", "Rhetoric"),
    ("/about", "Data"),
)
EXAMPLE_GROUPS = (
    ("USA,JPN,KOR", "US–Japan–South Korea"),
    ("JPN,KOR", "Japan–South Korea"),
    ("USA,JPN,AUS,IND", "The Quad"),
    ("CHN,RUS,PRK", "China–Russia–North Korea"),
)
REGIONS = (
    "East Asia",
    "Europe",
    "Middle East",
    "South Asia",
    "Sub-Saharan Africa",
    "Latin America",
    "North America",
    "Southeast Asia",
)


@lru_cache(maxsize=1)
def _env():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("allyscope.web", "templates"),
        autoescape=jinja2.select_autoescape(("html", "j2")),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from allyscope.views import json_script

    env.filters["json_script"] = json_script
    env.globals.update(
        nav=NAV,
        version=__version__,
        max_states=MAX_STATES,
        last_year=LAST_YEAR,
        regions=REGIONS,
        examples=EXAMPLE_GROUPS,
        warm_status=service.warm_status,
    )
    return env


def render(
    name: str, status: int = 200, headers: dict[str, str] | None = None, **ctx: Any
) -> HTMLResponse:
    html = _env().get_template(name).render(**ctx)
    return HTMLResponse(html, status_code=status, headers=headers)


def render_error(status: int, message: str, hint: str | None, suggestions: list[str]) -> str:
    return (
        _env()
        .get_template("error.html.j2")
        .render(status=status, message=message, hint=hint, suggestions=suggestions, active="")
    )


def _payload(body: bytes) -> dict[str, Any]:
    return json.loads(body)


@router.get("/", response_class=HTMLResponse)
async def home() -> HTMLResponse:
    return render("home.html.j2", active="/")


@router.get("/state", response_class=HTMLResponse)
async def state_form(
    code: Annotated[str, Query(min_length=1, max_length=60, pattern=STATES_PATTERN)],
) -> RedirectResponse:
    return RedirectResponse(f"/state/{quote(code.strip(), safe='')}", status_code=303)


@router.get("/state/{code}", response_class=HTMLResponse)
async def state_page(
    code: StateCode, year_from: YearFrom = None, year_to: YearTo = None
) -> HTMLResponse:
    p = _payload(await service.want_state(code, year_from, year_to).get())
    api = f"/api/state/{quote(code, safe='')}"
    return render("state.html.j2", p=p, active="/state/KOR", api=api)


@router.get("/group", response_class=HTMLResponse)
async def group_page(
    states: Annotated[str, Query(min_length=1, max_length=400, pattern=STATES_PATTERN)],
    year_from: YearFrom = None,
    year_to: YearTo = None,
    counter: CounterQuery = None,
) -> HTMLResponse:
    names = split_states(states)
    return await _group(names, year_from, year_to, counter)


@router.get("/dyad/{a}/{b}", response_class=HTMLResponse)
async def dyad_page(
    a: StateCode, b: StateCode, year_from: YearFrom = None, year_to: YearTo = None
) -> HTMLResponse:
    return await _group([a, b], year_from, year_to, None)


async def _group(
    names: list[str], y0: int | None, y1: int | None, counter: str | None
) -> HTMLResponse:
    ctr = split_states(counter)
    p = _payload(await service.want_group(names, y0, y1, ctr).get())
    q = {"states": ",".join(names)}
    if y0:
        q["from"] = str(y0)
    if y1:
        q["to"] = str(y1)
    if ctr:
        q["counter"] = ",".join(ctr)
    return render(
        "group.html.j2",
        p=p,
        active="/group?states=USA,JPN,KOR",
        api="/api/group?" + urlencode(q),
        states=",".join(names),
        forecast_url="/forecast?" + urlencode({"states": ",".join(names)}),
    )


@router.get("/network", response_class=HTMLResponse)
async def network_page(
    year: Annotated[int, Query(ge=1946, le=LAST_YEAR)] = coverage("atop_alliance")[1],
    layer: Annotated[str, Query(min_length=1, max_length=40, pattern=r"^[a-z_]+$")] = "defense",
    region: Annotated[str | None, Query(max_length=60, pattern=r"^[\w .,&'-]*$")] = None,
    hub: Annotated[str | None, Query(max_length=60, pattern=STATES_PATTERN)] = None,
) -> HTMLResponse:
    region = region or None
    hub = hub or None
    layers = _payload(await service.want_layers().get())["layers"]
    p = _payload(await service.want_network(year, layer, region, hub).get())
    q = {
        "year": year,
        "layer": layer,
        **({"region": region} if region else {}),
        **({"hub": hub} if hub else {}),
    }
    return render(
        "network.html.j2",
        p=p,
        layers=layers,
        active="/network",
        api="/api/network?" + urlencode(q),
    )


@router.get("/map", response_class=HTMLResponse)
async def map_page(
    state: Annotated[str, Query(min_length=1, max_length=60, pattern=STATES_PATTERN)] = "KOR",
    year: Annotated[int, Query(ge=1946, le=LAST_YEAR)] = coverage("un_votes")[1],
    measure: Annotated[str, Query(pattern=r"^(s_score|kappa|agree|coincidence)$")] = "s_score",
) -> HTMLResponse:
    p = _payload(await service.want_map(state, year, measure).get())
    q = urlencode({"state": state, "year": year, "measure": measure})
    return render(
        "map.html.j2",
        p=p,
        measures=service.MAP_MEASURES,
        active="/map",
        api="/api/alignment-map?" + q,
    )


@router.get("/forecast", response_class=HTMLResponse)
async def forecast_page(
    states: Annotated[
        str, Query(min_length=1, max_length=400, pattern=STATES_PATTERN)
    ] = "USA,JPN,KOR",
    horizon: Horizon = 5,
) -> HTMLResponse:
    names = split_states(states)
    p = _payload(await service.want_forecast(names, horizon).get())
    return render(
        "forecast.html.j2",
        p=p,
        active="/forecast?states=USA,JPN,KOR",
        states=",".join(names),
        horizon=horizon,
        api="/api/forecast?" + urlencode({"states": ",".join(names), "horizon": horizon}),
    )


@router.get("/about", response_class=HTMLResponse)
async def about_page() -> HTMLResponse:
    p = _payload(await service.want_meta().get())
    return render("about.html.j2", p=p, active="/about", api="/api/meta")
