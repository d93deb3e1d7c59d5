"""The JSON API under ``/api/`` (read-only, documented at ``/docs`` and ``/openapi.json``).

Every response is a JSON object; those with figures carry them as plotly JSON under
``figures`` (``[{"id", "title", "caption", "figure": {"data", "layout"}, "table", ...}]``),
the same figures the pages draw. Errors are ``{"error", "hint", "status"}`` with a 4xx code.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from allyscope.sources.bounds import coverage
from allyscope.web import service
from allyscope.web.params import (
    LAST_YEAR,
    STATES_PATTERN,
    CounterQuery,
    Horizon,
    StateCode,
    StatesQuery,
    YearFrom,
    YearTo,
    split_states,
)

router = APIRouter(prefix="/api")

JSON = "application/json"


def _json(body: bytes) -> Response:
    return Response(content=body, media_type=JSON, headers={"Cache-Control": "max-age=300"})


@router.get("/health", tags=["meta"], summary="Liveness and data version")
async def health() -> Response:
    """`{"status": "ok", "data_hash": ...}` once the warehouse is readable."""
    return _json(service.dumps({"status": "ok", "data_hash": service.data_hash()}))


@router.get("/meta", tags=["meta"], summary="Versions, data sources and citations")
async def meta() -> Response:
    """allyscope version, data hash, the data sources (title, version, years, licence,
    SHA-256) and BibTeX citations."""
    return _json(await service.acached("meta", {}, service.meta_payload))


@router.get("/states", tags=["states"], summary="Every state with its codes")
async def states() -> Response:
    """COW code, ISO3 code, name and last year of every state in the state list."""
    return _json(await service.acached("states", {}, service.states_payload))


@router.get("/state/{code}", tags=["states"], summary="One state")
async def state(code: StateCode, year_from: YearFrom = None, year_to: YearTo = None) -> Response:
    """Codes, UN voting partners, ideal point, US troops and groupings of one state."""
    return _json(
        await service.acached(
            "state",
            {"code": code.upper(), "y": (year_from, year_to)},
            lambda: service.state_payload(code, (year_from, year_to)),
        )
    )


@router.get("/dyad/{a}/{b}", tags=["groups"], summary="A pair of states")
async def dyad(
    a: StateCode,
    b: StateCode,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    counter: CounterQuery = None,
) -> Response:
    """Institutionalization, alignment over time, de facto alliance score and structure for
    a pair of states. The response's `figures` hold the page's figures as plotly JSON."""
    return await _group_response([a, b], year_from, year_to, counter)


@router.get("/group", tags=["groups"], summary="A group of states")
async def group(
    states: StatesQuery,
    year_from: YearFrom = None,
    year_to: YearTo = None,
    counter: CounterQuery = None,
) -> Response:
    """Institutionalization, alignment over time, de facto alliance score, hub-and-spoke
    structure and blocs for a group (2-12 states)."""
    return await _group_response(split_states(states), year_from, year_to, counter)


async def _group_response(
    states: list[str], y0: int | None, y1: int | None, counter: str | None
) -> Response:
    ctr = split_states(counter)
    key = {
        "states": tuple(s.upper() for s in states),
        "y": (y0, y1),
        "counter": tuple(c.upper() for c in ctr),
    }
    return _json(
        await service.acached("group", key, lambda: service.group_payload(states, (y0, y1), ctr))
    )


MapMeasure = Literal["s_score", "kappa", "agree", "coincidence"]


@router.get("/alignment-map", tags=["alignment"], summary="World map of alignment with a state")
async def alignment_map(
    state: Annotated[
        str,
        Query(
            min_length=1,
            max_length=60,
            pattern=STATES_PATTERN,
            description="The reference state.",
            examples=["KOR"],
        ),
    ],
    year: Annotated[
        int,
        Query(
            ge=1946,
            le=LAST_YEAR,
            description="Year (UN data: {}-{}).".format(*coverage("un_votes")),
        ),
    ] = coverage("un_votes")[1],
    measure: Annotated[MapMeasure, Query(description="Affinity measure.")] = "s_score",
) -> Response:
    """UN voting affinity of every state with ``state`` in ``year``, as rows and as a
    plotly choropleth."""
    return _json(
        await service.acached(
            "map",
            {"state": state.upper(), "year": year, "m": measure},
            lambda: service.alignment_map_payload(state, year, measure),
        )
    )


@router.get("/network", tags=["network"], summary="One layer of the alliance network")
async def network(
    year: Annotated[int, Query(ge=1946, le=LAST_YEAR, description="Year.")] = coverage(
        "atop_alliance"
    )[1],
    layer: Annotated[
        str,
        Query(
            min_length=1,
            max_length=40,
            pattern=r"^[a-z_]+$",
            description="Layer name (see /api/layers).",
        ),
    ] = "defense",
    region: Annotated[
        str | None,
        Query(max_length=60, pattern=r"^[\w .,&'-]*$", description="Region, e.g. 'East Asia'."),
    ] = None,
    hub: Annotated[
        str | None,
        Query(
            max_length=60,
            pattern=STATES_PATTERN,
            description="With a region: also show this state's ties to it (e.g. USA).",
        ),
    ] = None,
) -> Response:
    """Nodes and ties of one layer in one year (optionally one region, with a hub), and its
    figure."""
    region = region or None
    hub = hub or None
    return _json(
        await service.acached(
            "network",
            {"year": year, "layer": layer, "region": region, "hub": hub},
            lambda: service.network_payload(year, layer, region, hub),
        )
    )


@router.get("/layers", tags=["network"], summary="The network's layers")
async def layers() -> Response:
    return _json(await service.acached("layers", {}, service.layers_payload))


@router.get("/forecast", tags=["forecast"], summary="Alliance forecast for a dyad or group")
async def forecast(states: StatesQuery, horizon: Horizon = 5) -> Response:
    """Probability of a formal alliance within ``horizon`` years, its interval and drivers."""
    names = split_states(states)
    return _json(
        await service.acached(
            "forecast",
            {"s": tuple(n.upper() for n in names), "h": horizon},
            lambda: service.forecast_payload(names, horizon),
        )
    )


class ScenarioRequest(BaseModel):
    """A scenario: which inputs change, for which states."""

    model_config = {"extra": "forbid"}

    states: list[Annotated[str, Field(min_length=1, max_length=60, pattern=STATES_PATTERN)]] = (
        Field(min_length=2, max_length=12, examples=[["USA", "JPN", "KOR"]])
    )
    horizon: int = Field(5, ge=1, le=10)
    scenario: Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z0-9_:.,-]+$")] = (
        Field(examples=["leader_change:KOR"])
    )


@router.get("/scenario", tags=["forecast"], summary="A named scenario's forecast")
async def scenario_get(
    states: StatesQuery,
    scenario: Annotated[
        str,
        Query(
            min_length=1,
            max_length=60,
            pattern=r"^[a-z0-9_:.,-]+$",
            description="Scenario, e.g. leader_change:KOR.",
        ),
    ],
    horizon: Horizon = 5,
) -> Response:
    """The forecast under a scenario next to the baseline."""
    names = split_states(states)
    key = {"s": tuple(n.upper() for n in names), "h": horizon, "sc": scenario}
    return _json(
        await service.acached(
            "scenario", key, lambda: service.scenario_payload(names, scenario, horizon)
        )
    )


@router.post("/scenario", tags=["forecast"], summary="A scenario's forecast (JSON body)")
async def scenario_post(req: ScenarioRequest) -> Response:
    key = {"s": tuple(n.upper() for n in req.states), "h": req.horizon, "sc": req.scenario}
    return _json(
        await service.acached(
            "scenario", key, lambda: service.scenario_payload(req.states, req.scenario, req.horizon)
        )
    )
