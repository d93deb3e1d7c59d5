"""The JSON API under ``/api/`` (read-only, documented at ``/docs`` and ``/openapi.json``).

Every response is a JSON object; those with figures carry them as plotly JSON under
``figures`` (``[{"id", "title", "caption", "figure": {"data", "layout"}, "table", ...}]``),
the same figures the pages draw. Errors are ``{"error", "hint", "status"}`` with a 4xx code.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi import Path as FastAPIPath
from fastapi.responses import Response
from pydantic import BaseModel, Field

from allyscope.errors import UnknownNameError
from allyscope.forecast.scenarios import INLINE_SYNTAX, MAX_INLINE
from allyscope.sources.bounds import coverage
from allyscope.web import service
from allyscope.web.params import (
    LAST_YEAR,
    SCENARIO_PATTERN,
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


class UnknownJobError(UnknownNameError):
    def __init__(self, job_id: str) -> None:
        super().__init__(
            "job", job_id, (), "jobs are kept for a while after they finish; ask for the page again"
        )


JSON = "application/json"


def _json(body: bytes) -> Response:
    return Response(content=body, media_type=JSON, headers={"Cache-Control": "max-age=300"})


@router.get("/health", tags=["meta"], summary="Liveness, readiness and data version")
async def health(request: Request) -> Response:
    """`{"status": "ok", "data_hash": ..., "ready": ..., "warm_up": {...}}` once the warehouse
    is readable. `ready` turns true when the start-up computations (what every page needs
    and the default pages) are done; `warm_up` says how far they are."""
    warmer = getattr(request.app.state, "warmer", None)
    warm = warmer.status() if warmer is not None else None
    body = {
        "status": "ok",
        "data_hash": service.data_hash(),
        "ready": warm is None or warm["ready"],
        "warm_up": warm,
        "cache": service.cache_stats(),
    }
    return Response(
        content=service.dumps(body), media_type=JSON, headers={"Cache-Control": "no-store"}
    )


JobId = Annotated[str, FastAPIPath(pattern=r"^[0-9a-f]{16}$", description="Job id.")]


@router.get("/jobs/{job_id}", tags=["meta"], summary="A computation in progress")
async def job(job_id: JobId) -> Response:
    """What a `202` answer pointed to: `status` (queued, running, done, failed), `stage`,
    the seconds waited and running. Once `done`, the original address answers at once."""
    status = service.job_status(job_id)
    if status is None:
        raise UnknownJobError(job_id)
    return Response(
        content=service.dumps(status), media_type=JSON, headers={"Cache-Control": "no-store"}
    )


@router.get("/meta", tags=["meta"], summary="Versions, data sources and citations")
async def meta() -> Response:
    """allyscope version, data hash, the data sources (title, version, years, licence,
    SHA-256) and BibTeX citations."""
    return _json(await service.want_meta().get())


@router.get("/states", tags=["states"], summary="Every state with its codes")
async def states() -> Response:
    """COW code, ISO3 code, name and last year of every state in the state list."""
    return _json(await service.want_states().get())


@router.get("/state/{code}", tags=["states"], summary="One state")
async def state(code: StateCode, year_from: YearFrom = None, year_to: YearTo = None) -> Response:
    """Codes, UN voting partners, ideal point, US troops and groupings of one state."""
    return _json(await service.want_state(code, year_from, year_to).get())


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
    return _json(await service.want_group(states, y0, y1, split_states(counter)).get())


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
    return _json(await service.want_map(state, year, measure).get())


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
    return _json(await service.want_network(year, layer, region, hub).get())


@router.get("/layers", tags=["network"], summary="The network's layers")
async def layers() -> Response:
    return _json(await service.want_layers().get())


@router.get("/forecast", tags=["forecast"], summary="Alliance forecast for a dyad or group")
async def forecast(states: StatesQuery, horizon: Horizon = 5) -> Response:
    """Probability of a formal alliance within ``horizon`` years, its interval and drivers."""
    return _json(await service.want_forecast(split_states(states), horizon).get())


ScenarioText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_INLINE,
        pattern=SCENARIO_PATTERN,
        description="The scenario in its compact form: " + INLINE_SYNTAX + ".",
        examples=["leader_change:KOR", "un_affinity:lowest;exercises:stop@JPN/KOR"],
    ),
]


class ScenarioRequest(BaseModel):
    """A scenario: which inputs change, for which states."""

    model_config = {"extra": "forbid"}

    states: list[Annotated[str, Field(min_length=1, max_length=60, pattern=STATES_PATTERN)]] = (
        Field(min_length=2, max_length=12, examples=[["USA", "JPN", "KOR"]])
    )
    horizon: int = Field(5, ge=1, le=10)
    scenario: ScenarioText


@router.get("/scenario", tags=["forecast"], summary="A scenario's forecast")
async def scenario_get(
    states: StatesQuery,
    scenario: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_INLINE,
            pattern=SCENARIO_PATTERN,
            description="The scenario in its compact form: " + INLINE_SYNTAX + ".",
            examples=["leader_change:KOR"],
        ),
    ],
    horizon: Horizon = 5,
) -> Response:
    """The forecast under a scenario next to the baseline. The scenario is written out
    (`leader_change:KOR`, `un_affinity:lowest`, `exercises:stop`,
    `mechanism_lapse:RECORD_ID`, `set:FEATURE=VALUE`, joined by `;`) or names a preset
    (`preset:leadership-change`); it is never a file name."""
    return _json(await service.want_scenario(split_states(states), scenario, horizon).get())


@router.post("/scenario", tags=["forecast"], summary="A scenario's forecast (JSON body)")
async def scenario_post(req: ScenarioRequest) -> Response:
    """As `GET /api/scenario`, with `{"states": [...], "scenario": "...", "horizon": 5}`."""
    return _json(await service.want_scenario(req.states, req.scenario, req.horizon).get())
