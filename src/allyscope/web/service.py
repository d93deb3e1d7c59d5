"""What the web app serves: payloads (data + figures) built from the analysis modules,
cached in memory per data hash, computed by a bounded pool of workers.

Every page and every ``/api/`` endpoint is backed by one payload function here. A payload
is a JSON-able dict ``{"query": ..., "data": ..., "figures": [...]}`` built from
:mod:`allyscope.api` results and :mod:`allyscope.views`; pages render the same figures that
the API returns, and the report draws the same sections. Payloads are cached as serialized
JSON bytes keyed by the endpoint, its normalized parameters and the warehouse's data hash,
so a repeated request costs a dictionary look-up.

A payload that is not cached is a *job*. Jobs run on a fixed number of worker threads
(:data:`COLD_WORKERS`, so memory for cold work is bounded however many requests arrive),
one job per key (six requests for the same cold page wait for one computation). A
request waits up to the app's ``cold_wait`` seconds for its job; if the job takes longer
the request is answered ``202`` with the job's address (``/api/jobs/{id}``), where its
stage and elapsed time can be polled. :class:`Warmer` computes, in a background thread
after the server has started, what every page needs and the default pages.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import logging
import os
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from allyscope import api
from allyscope.errors import AllyscopeError
from allyscope.groups import Group, check_years, resolve_group
from allyscope.views import dumps as _dumps
from allyscope.views import sources_table
from allyscope.views.currency import annotate
from allyscope.views.figures import Figure, Table, empty_note, figure, fmt, layout, line_traces
from allyscope.views.sections import (
    Section,
    build_forecast,
    build_section,
    network_figure,
    registered_sections,
)

log = logging.getLogger("allyscope.web")

#: bytes of serialized payloads kept in memory per process (least recently used go first)
CACHE_BYTES = 256 * 1024 * 1024
#: threads computing cold payloads (at most this many computations at once per process);
#: ``ALLYSCOPE_COLD_WORKERS`` (``allyscope serve --cold-workers``) overrides it
COLD_WORKERS = int(os.environ.get("ALLYSCOPE_COLD_WORKERS") or max(1, min(2, os.cpu_count() or 1)))
#: finished jobs remembered for ``/api/jobs/{id}``
JOBS_KEPT = 512


class PayloadCache:
    """A thread-safe LRU of serialized payloads, bounded by their total size in bytes."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._data: OrderedDict[tuple, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, key: tuple, body: bytes) -> None:
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= len(old)
            self._data[key] = body
            self._bytes += len(body)
            while self._bytes > self.max_bytes and len(self._data) > 1:
                _, dropped = self._data.popitem(last=False)
                self._bytes -= len(dropped)

    def peek(self, key: tuple) -> bytes | None:
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
            return hit

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._data)


def dumps(obj: Any) -> bytes:
    """A payload as compact, strict JSON bytes."""
    return _dumps(obj).encode()


_CACHE = PayloadCache()


# -- jobs -------------------------------------------------------------------------------------


@dataclass(eq=False)
class Job:
    """One computation of one payload; every request for its key waits for it."""

    key: tuple
    label: str
    compute: Callable[[], dict[str, Any]] = field(repr=False)
    id: str = ""
    state: str = "queued"  # queued, running, done, failed
    stage: str = "waiting for a free worker"
    queued_at: float = field(default_factory=time.monotonic)
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None
    future: Any = field(default=None, repr=False)  # concurrent.futures.Future[bytes]

    def __post_init__(self) -> None:
        from concurrent.futures import Future

        self.id = hashlib.sha256(repr(self.key).encode()).hexdigest()[:16]
        self.future = Future()

    def status(self) -> dict[str, Any]:
        now = time.monotonic()
        end = self.finished_at or now
        return {
            "id": self.id,
            "what": self.label,
            "status": self.state,
            "stage": self.stage,
            "waited_s": round((self.started_at or end) - self.queued_at, 1),
            "running_s": round(end - self.started_at, 1) if self.started_at else 0.0,
            "error": self.error,
        }


_CURRENT = threading.local()


def stage(text: str) -> None:
    """Say what the job running in this thread is doing now (shown to waiting clients)."""
    job = getattr(_CURRENT, "job", None)
    if job is not None:
        job.stage = text


class Jobs:
    """Cold payload computations: one job per key, on ``workers`` daemon threads."""

    def __init__(self, cache: PayloadCache, workers: int = COLD_WORKERS) -> None:
        self.cache = cache
        self.workers = workers
        self._queue: queue.Queue[Job] = queue.Queue()
        self._active: dict[tuple, Job] = {}
        self._recent: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def submit(self, key: tuple, compute: Callable[[], dict[str, Any]], label: str) -> Job:
        """The job for ``key``: the one already queued or running, else a new one."""
        job, new = self._job(key, compute, label)
        if new:
            self._start_threads()
            self._queue.put(job)
        return job

    def run_here(self, key: tuple, compute: Callable[[], dict[str, Any]], label: str) -> bytes:
        """Compute ``key`` in the calling thread unless a job for it exists already (then
        wait for that one); used by the warm-up thread."""
        job, new = self._job(key, compute, label)
        if new:
            self._run(job)
        return job.future.result()

    def _job(
        self, key: tuple, compute: Callable[[], dict[str, Any]], label: str
    ) -> tuple[Job, bool]:
        with self._lock:
            job = self._active.get(key)
            if job is not None:
                return job, False
            job = Job(key, label, compute)
            self._active[key] = job
            self._recent[job.id] = job
            self._recent.move_to_end(job.id)
            while len(self._recent) > JOBS_KEPT:
                self._recent.popitem(last=False)
            return job, True

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._recent.get(job_id)

    def running(self) -> int:
        with self._lock:
            return sum(1 for j in self._active.values() if j.state == "running")

    def _start_threads(self) -> None:
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            for i in range(len(self._threads), self.workers):
                t = threading.Thread(target=self._loop, name=f"allyscope-cold-{i}", daemon=True)
                t.start()
                self._threads.append(t)

    def _loop(self) -> None:
        while True:
            self._run(self._queue.get())

    def _run(self, job: Job) -> None:
        job.state, job.stage, job.started_at = "running", "computing", time.monotonic()
        _CURRENT.job = job
        try:
            body = dumps(job.compute())
        except AllyscopeError as exc:  # the user's error: every waiter answers it (4xx)
            job.error, job.state = exc.message, "failed"
            job.future.set_exception(exc)
        except Exception as exc:  # handed to every waiter, whose request reports it
            log.exception("computing %s failed", job.label)
            job.error, job.state = "internal error", "failed"
            job.future.set_exception(exc)
        else:
            self.cache.put(job.key, body)
            job.state, job.stage = "done", "done"
            job.future.set_result(body)
        finally:
            _CURRENT.job = None
            job.finished_at = time.monotonic()
            with self._lock:
                if self._active.get(job.key) is job:
                    del self._active[job.key]


_JOBS = Jobs(_CACHE)

#: seconds a request waits for a cold payload before it is answered 202 (None: no limit);
#: set per app by :func:`allyscope.web.create_app`
COLD_WAIT: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "allyscope_cold_wait", default=None
)


class Pending(Exception):
    """A payload still being computed after the request's wait: answered 202."""

    def __init__(self, job: Job) -> None:
        super().__init__(job.label)
        self.job = job


def job_status(job_id: str) -> dict[str, Any] | None:
    job = _JOBS.get(job_id)
    return job.status() if job is not None else None


def data_hash() -> str:
    from allyscope import config
    from allyscope.store import open_warehouse

    path = config.warehouse_path()
    try:
        stamp = (str(path), path.stat().st_mtime_ns)
    except FileNotFoundError:
        return open_warehouse().data_hash  # raises the actionable error
    h = _HASHES.get(stamp)
    if h is None:
        h = _HASHES[stamp] = open_warehouse().data_hash
    return h


_HASHES: dict[tuple[str, int], str] = {}


def _key(name: str, params: dict[str, Any]) -> tuple:
    return (name, data_hash(), tuple(sorted((k, _freeze(v)) for k, v in params.items())))


def cached(name: str, params: dict[str, Any], compute: Callable[[], dict[str, Any]]) -> bytes:
    """The serialized payload for ``name`` and ``params``, computed once per data hash
    (in the calling thread, or by the job already computing it)."""
    key = _key(name, params)
    hit = _CACHE.peek(key)
    if hit is not None:
        return hit
    return _JOBS.run_here(key, compute, name)


async def acached(
    name: str, params: dict[str, Any], compute: Callable[[], dict[str, Any]]
) -> bytes:
    """:func:`cached` for async routes: a cache hit is answered on the event loop; a miss
    becomes a job (or joins the one running), waited for up to :data:`COLD_WAIT` seconds,
    after which :class:`Pending` is raised (the app answers 202)."""
    key = _key(name, params)
    hit = _CACHE.peek(key)
    if hit is not None:
        return hit
    job = _JOBS.submit(key, compute, name)
    waiting = asyncio.wrap_future(job.future)
    try:
        return await asyncio.wait_for(asyncio.shield(waiting), timeout=COLD_WAIT.get())
    except TimeoutError:
        raise Pending(job) from None


def _freeze(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return tuple(_freeze(x) for x in v)
    return v


def clear_cache() -> None:
    _CACHE.clear()


def cache_stats() -> dict[str, Any]:
    return {
        "payloads": len(_CACHE),
        "bytes": _CACHE.nbytes,
        "cold_workers": _JOBS.workers,
        "computing": _JOBS.running(),
    }


# -- payload helpers ----------------------------------------------------------------------


def _sections_payload(group: Group, sections: Sequence[Section]) -> dict[str, Any]:
    return {
        "query": group.to_dict(),
        "sections": [s.to_dict() for s in sections],
        "figures": [f.to_dict() for s in sections for f in s.figures],
    }


def group_payload(
    states: Sequence[str], years: tuple[int | None, int | None], counter: Sequence[str] = ()
) -> dict[str, Any]:
    """Everything about a group (or dyad): institutionalization, alignment, de facto score,
    structure and blocs."""
    stage("resolving the group")
    group = resolve_group(states, years[0], years[1], counter or None)
    specs = [spec for spec in registered_sections() if spec.name != "forecast"]
    sections = []
    for i, spec in enumerate(specs):
        stage(f"section {i + 1} of {len(specs)}: {spec.title}")
        sections.append(build_section(spec, group))
    return _sections_payload(group, sections)


def forecast_payload(states: Sequence[str], horizon: int) -> dict[str, Any]:
    stage("resolving the group")
    group = resolve_group(states, None, None)
    stage("forecast and scenarios (the first forecast trains the model)")
    s = annotate(build_forecast(group, horizon))
    out = _sections_payload(group, [s])
    out["query"]["horizon"] = horizon
    return out


def state_payload(code: str, years: tuple[int | None, int | None]) -> dict[str, Any]:
    """One state: codes, UN ideal point, closest and farthest UN partners, US troops,
    groupings it belongs to."""
    from allyscope import codes

    y0, y1 = check_years(years[0], years[1])
    ccode = codes.resolve(code)
    info = codes.lookup(ccode)
    name = str(info.get("name") or ccode)
    figures = [
        f
        for f in (
            _partners_figure(ccode, name, (y0, y1)),
            _ideal_point_figure(ccode, name, (y0, y1)),
            _troops_figure(ccode, name, (y0, y1)),
        )
        if f is not None
    ]
    groupings = _groupings_table(ccode, name)
    info_date = _state_currency(figures, y1)
    return {
        "query": {"state": code, "years": [y0, y1]},
        "data": {"state": dict(info.items())},
        "information_date": info_date,
        "figures": [f.to_dict() for f in figures],
        "tables": [groupings.to_dict()] if groupings is not None else [],
    }


def _state_currency(figures: Sequence[Figure], last: int) -> str:
    """Each figure's inputs, shown to the window's end or their data's (nothing on the
    state page is carried): data-through notes in the captions, and the page's
    information date."""
    from allyscope.sources.bounds import coverage
    from allyscope.views.currency import InputUse, caption_note, information_date, input_of_source

    uses = []
    for f in figures:
        for src in f.sources:
            name = input_of_source(src)
            if name is not None:
                uses.append(InputUse(name, min(last, coverage(name)[1])))
    for f in figures:
        note = caption_note(f.sources, uses)
        if note:
            f.caption = f"{f.caption} {note}"
    return information_date(uses)


def _partners_figure(ccode: int, name: str, years: tuple[int, int]) -> Figure | None:
    """The state's UN voting affinity with its closest and most distant partners."""
    from allyscope import codes

    aff = api.un_affinity(None, years).df
    mine = pl.concat(
        [
            aff.filter(pl.col("ccode1") == ccode).select(
                pl.col("ccode2").alias("other"), "year", "s_score", "n_votes"
            ),
            aff.filter(pl.col("ccode2") == ccode).select(
                pl.col("ccode1").alias("other"), "year", "s_score", "n_votes"
            ),
        ]
    )
    if mine.is_empty():
        return None
    last = int(mine.select(pl.col("year").max()).item())
    rank = (
        mine.filter(pl.col("year") >= last - 4)
        .group_by("other", maintain_order=True)
        .agg(pl.col("s_score").mean().alias("s"), pl.col("n_votes").sum().alias("votes"))
        .filter(pl.col("votes") >= 0.5 * pl.col("votes").max())  # states that voted
        .sort(["s", "other"], descending=[True, False])
    )
    names = {c: codes.name(c) for c in rank["other"].to_list()}
    rank = rank.with_columns(pl.col("other").replace_strict(names).alias("state"))
    top, bottom = rank.head(8), rank.tail(8).reverse()
    partners_cut = pl.concat([top, bottom]).unique("other", maintain_order=True)
    shown = top.head(4)["other"].to_list() + bottom.head(2)["other"].to_list()
    lines = mine.filter(pl.col("other").is_in(shown))
    labels = {c: codes.name(c) for c in lines["other"].unique().to_list()}
    lay = layout(
        f"{name}: UN voting affinity with its closest and most distant partners",
        y_title="S-score (−1 … 1)",
        y_range=[-1.05, 1.05],
        legend_title="Partner",
    )
    traces = line_traces(lines.sort("year"), x="year", y="s_score", series="other", labels=labels)
    return Figure(
        "state-un-partners",
        f"UN voting affinity of {name}",
        f"S-score of {name}'s UN General Assembly votes with the four states that "
        f"agreed with it most and the two that agreed least over {last - 4}–{last}.",
        figure(traces, lay),
        Table.from_frame(
            partners_cut.select("state", "s", "votes"),
            columns={
                "state": "State",
                "s": f"Mean S-score {last - 4}–{last}",
                "votes": "Shared votes",
            },
        ),
        sources=["un_votes"],
    )


def _ideal_point_figure(ccode: int, name: str, years: tuple[int, int]) -> Figure:
    """The state's UN ideal point with the United States, China and Russia for reference."""
    from allyscope import codes

    ip = api.ideal_points([ccode, 2, 710, 365], years).df
    labels = {c: codes.name(c) for c in ip["ccode"].unique().to_list()}
    lay = layout(
        f"{name}: UN ideal point", y_title="Ideal point (latent scale)", legend_title="State"
    )
    return Figure(
        "state-ideal-point",
        f"UN ideal point of {name}",
        "Dynamic one-dimensional ideal point, with the United States, China and "
        "Russia for reference (United States positive).",
        figure(line_traces(ip, x="year", y="idealpoint", series="ccode", labels=labels), lay),
        sources=["un_votes"],
    )


def _troops_figure(ccode: int, name: str, years: tuple[int, int]) -> Figure | None:
    """US troops stationed in the state (none for the United States itself)."""
    if ccode == 2:
        return None
    df = api.us_troops([ccode], years).df
    lay = layout(f"US troops in {name}", y_title="US military personnel (persons)", legend_title="")
    traces = line_traces(
        df, x="year", y="us_troops", series="ccode", labels={ccode: name}, digits=0
    )
    return Figure(
        "state-us-troops",
        f"US troops in {name}",
        "Active-duty US military personnel stationed in the state.",
        figure(traces, lay),
        sources=["us_troops"],
    )


def _groupings_table(ccode: int, name: str) -> Table | None:
    """The curated groupings that include the state."""
    g = api.groupings_of([ccode]).df.filter(pl.col("relation") == "includes")
    if not g.height:
        return None
    return Table.from_frame(
        g.select("grouping", "members", "n_records", "first_year"),
        columns={
            "grouping": "Grouping",
            "members": "Members",
            "n_records": "Records",
            "first_year": "First record",
        },
        caption=f"Curated cooperation groupings that include {name}",
    )


#: alignment measures offered on the world map (columns of the UN affinity table)
MAP_MEASURES = {
    "s_score": "S-score",
    "kappa": "Cohen's kappa",
    "agree": "share of identical votes",
    "coincidence": "voting coincidence",
}


def alignment_map_payload(state: str, year: int, measure: str) -> dict[str, Any]:
    """UN voting affinity of every state with one state in one year, as a world map."""
    from allyscope import codes

    ccode = codes.resolve(state)
    name = codes.name(ccode)
    lo, hi = api.un_years()
    if not lo <= year <= hi:
        from allyscope.errors import InvalidInputError

        raise InvalidInputError(
            f"no UN votes in {year}: the UN voting data cover {lo}–{hi}",
            f"choose a year between {lo} and {hi}",
        )
    aff = api.un_affinity(None, (year, year)).df
    mine = pl.concat(
        [
            aff.filter(pl.col("ccode1") == ccode).select(
                pl.col("ccode2").alias("ccode"), measure, "n_votes"
            ),
            aff.filter(pl.col("ccode2") == ccode).select(
                pl.col("ccode1").alias("ccode"), measure, "n_votes"
            ),
        ]
    ).filter(pl.col(measure).is_not_null())
    full = codes.crosswalk()
    cw = full.filter(pl.col("year") == min(year, int(full.select(pl.col("year").max()).item())))
    iso = dict(zip(cw["ccode"].to_list(), cw["iso3"].to_list(), strict=True))
    nm = {c: codes.name(c) for c in mine["ccode"].to_list()}
    mine = mine.with_columns(
        pl.col("ccode").replace_strict(iso, default=None, return_dtype=pl.String).alias("iso3"),
        pl.col("ccode").replace_strict(nm, default=None, return_dtype=pl.String).alias("name"),
    ).sort(measure, descending=True)
    label = MAP_MEASURES[measure]
    lay = layout(
        f"UN voting alignment with {name}, {year} ({label})",
        x_title="",
        height=460,
        hovermode="closest",
    )
    lay["margin"] = {"l": 8, "r": 8, "t": 48, "b": 8}
    lay["geo"] = {
        "projection": {"type": "natural earth", "rotation": {"lon": 10}},
        "showframe": False,
        "showcoastlines": True,
        "coastlinecolor": "#999",
        "showcountries": True,
        "countrycolor": "#bbb",
        "showland": True,
        "landcolor": "#eeeeee",
        "resolution": 50,
    }
    lay.pop("xaxis")
    lay.pop("yaxis")
    fig: dict[str, Any]
    if mine.is_empty():
        fig = empty_note(lay, f"{name} cast no recorded UN vote in {year}")
    else:
        m = mine.filter(pl.col("iso3").is_not_null())
        fig = figure(
            [
                {
                    "type": "choropleth",
                    "locationmode": "ISO-3",
                    "locations": m["iso3"].to_list(),
                    "z": m[measure].to_list(),
                    "text": m["name"].to_list(),
                    "zmin": -1 if measure in ("s_score", "kappa") else 0,
                    "zmax": 1,
                    "colorscale": "RdBu",
                    "reversescale": True,
                    "marker": {"line": {"color": "#666", "width": 0.3}},
                    "colorbar": {"title": {"text": label}, "thickness": 12, "len": 0.7},
                    "hovertemplate": "%{text}: %{z:.2f}<extra></extra>",
                },
                {
                    "type": "scattergeo",
                    "locationmode": "ISO-3",
                    "locations": [codes.iso3(ccode) or ""],
                    "text": [name],
                    "mode": "markers",
                    "marker": {"symbol": "star", "size": 14, "color": "#000"},
                    "name": name,
                    "hovertemplate": "%{text} (reference)<extra></extra>",
                    "showlegend": False,
                },
            ],
            lay,
        )
    table = Table.from_frame(
        pl.concat([mine.head(10), mine.tail(10)])
        .unique("ccode", maintain_order=True)
        .select("name", "iso3", measure, "n_votes"),
        columns={"name": "State", "iso3": "ISO3", measure: label, "n_votes": "Shared votes"},
        caption="Most and least aligned states",
    )
    f = Figure(
        "alignment-map",
        f"Alignment with {name}, {year}",
        f"UN General Assembly voting affinity ({label}) of every state with {name} in {year}; "
        "blue agrees, red disagrees. Grey: no shared recorded votes or no UN seat. Small "
        "states may be too small to see on the map: the table lists them.",
        fig,
        table,
        sources=["un_votes"],
    )
    return {
        "query": {"state": state, "ccode": ccode, "year": year, "measure": measure},
        "data": {
            "rows": [
                {"ccode": r[0], "iso3": r[3], "name": r[4], "value": r[1], "n_votes": r[2]}
                for r in mine.select("ccode", measure, "n_votes", "iso3", "name").iter_rows()
            ]
        },
        "figures": [f.to_dict()],
    }


def states_payload() -> dict[str, Any]:
    """Every state of the COW list with its codes (for pickers and clients)."""
    from allyscope import codes

    cw = codes.crosswalk().sort("year").group_by("ccode", maintain_order=True).last()
    cw = cw.sort("name")
    return {
        "states": [
            {"ccode": r["ccode"], "iso3": r["iso3"], "name": r["name"], "last_year": r["year"]}
            for r in cw.iter_rows(named=True)
        ]
    }


def meta_payload() -> dict[str, Any]:
    """The warehouse in use, its sources and their citations."""
    info = api.warehouse_info()
    info.pop("warehouse", None)
    table, keys = sources_table()
    return {"info": info, "sources": table.to_dict(), "citations": api.bibtex(keys)}


def fmt_number(v: Any) -> str:
    return str(fmt(v))


# -- network, forecasts (integrated from their modules) ----------------------------------


def layers_payload() -> dict[str, Any]:
    return {"layers": api.network_layers()}


def network_payload(
    year: int, layer: str, region: str | None, hub: str | None = None
) -> dict[str, Any]:
    from allyscope import codes

    hub_code = codes.resolve(hub) if hub else None
    res = api.network(year, layer, region, hub=hub_code)
    fig = network_figure(res, region, hub=codes.name(hub_code) if hub_code else None)
    return {
        "query": {"year": year, "layer": layer, "region": region, "hub": hub},
        "data": {
            "nodes": res.nodes.to_dicts(),
            "edges": res.edges.to_dicts(),
            "covered": res.covered,
        },
        "figures": [fig.to_dict()],
    }


def parse_scenario(text: str, states: Sequence[str]) -> Any:
    """The scenario named by a request: its compact form or a preset, never a file."""
    from allyscope.forecast.scenarios import parse_inline

    return parse_inline(text, list(states))


def scenario_payload(states: Sequence[str], scenario: Any, horizon: int) -> dict[str, Any]:
    """A scenario (parsed by :func:`parse_scenario`) next to the baseline forecast."""
    stage("resolving the group")
    group = resolve_group(states, None, None)
    stage("forecast with and without the scenario (the first forecast trains the model)")
    res = api.scenario(group.ccodes, scenario, horizon=horizon)
    return {
        "query": {**group.to_dict(), "scenario": scenario.name, "horizon": horizon},
        "data": res.to_dict(),
        "figures": [],
    }


# -- what each endpoint asks for ------------------------------------------------------------


@dataclass(frozen=True)
class Want:
    """One payload: the cache name, its normalized parameters, how to compute it and a
    label for progress and logs. Routes and the warm-up ask for payloads through these,
    so both use the same cache keys."""

    name: str
    params: dict[str, Any]
    compute: Callable[[], dict[str, Any]]
    label: str

    async def get(self) -> bytes:
        return await acached(self.name, self.params, self.compute)

    def get_now(self) -> bytes:
        return cached(self.name, self.params, self.compute)


def _up(names: Sequence[str]) -> tuple[str, ...]:
    return tuple(n.upper() for n in names)


def want_states() -> Want:
    return Want("states", {}, states_payload, "list of states")


def want_meta() -> Want:
    return Want("meta", {}, meta_payload, "data sources and citations")


def want_layers() -> Want:
    return Want("layers", {}, layers_payload, "network layers")


def want_state(code: str, y0: int | None = None, y1: int | None = None) -> Want:
    from allyscope import codes

    check_years(y0, y1)
    codes.resolve(code)  # an unknown state is refused before any work is queued
    return Want(
        "state",
        {"code": code.upper(), "y": (y0, y1)},
        lambda: state_payload(code, (y0, y1)),
        f"state {code}",
    )


def _check_group(
    states: Sequence[str], y0: int | None, y1: int | None, counter: Sequence[str] = ()
) -> None:
    """What :func:`~allyscope.groups.resolve_group` refuses, without the counter-group's
    computation: years, the states, the counter-group's states and their overlap."""
    from allyscope.groups import resolve_states

    check_years(y0, y1)
    members = resolve_states(states)
    if counter:
        both = set(resolve_states(counter, what="counter-group", minimum=1)) & set(members)
        if both:
            resolve_group(states, y0, y1, counter)  # raises the one error with the names


def want_group(
    states: Sequence[str],
    y0: int | None = None,
    y1: int | None = None,
    counter: Sequence[str] = (),
) -> Want:
    names, ctr = list(states), list(counter)
    _check_group(names, y0, y1, ctr)
    return Want(
        "group",
        {"states": _up(names), "y": (y0, y1), "counter": _up(ctr)},
        lambda: group_payload(names, (y0, y1), ctr),
        "group " + ",".join(names),
    )


def want_map(state: str, year: int, measure: str) -> Want:
    from allyscope import codes
    from allyscope.errors import InvalidInputError

    codes.resolve(state)
    lo, hi = api.un_years()
    if not lo <= year <= hi:
        raise InvalidInputError(
            f"no UN votes in {year}: the UN voting data cover {lo}–{hi}",
            f"choose a year between {lo} and {hi}",
        )
    return Want(
        "map",
        {"state": state.upper(), "year": year, "m": measure},
        lambda: alignment_map_payload(state, year, measure),
        f"alignment map {state} {year}",
    )


def want_network(year: int, layer: str, region: str | None, hub: str | None) -> Want:
    from allyscope import codes
    from allyscope.network.layers import check_layers

    check_layers([layer])
    if region:
        codes.region_members(region)
    if hub:
        codes.resolve(hub)
    return Want(
        "network",
        {"year": year, "layer": layer, "region": region, "hub": hub},
        lambda: network_payload(year, layer, region, hub),
        f"network {layer} {year}",
    )


def want_forecast(states: Sequence[str], horizon: int) -> Want:
    names = list(states)
    _check_group(names, None, None)
    return Want(
        "forecast",
        {"s": _up(names), "h": horizon},
        lambda: forecast_payload(names, horizon),
        "forecast " + ",".join(names),
    )


def want_scenario(states: Sequence[str], text: str, horizon: int) -> Want:
    """Parses the scenario at once: a bad one is refused before any work is queued."""
    names = list(states)
    _check_group(names, None, None)
    sc = parse_scenario(text, names)
    return Want(
        "scenario",
        {"s": _up(names), "h": horizon, "sc": tuple(sc.describe())},
        lambda: scenario_payload(names, sc, horizon),
        "scenario " + ",".join(names),
    )


# -- warm-up ------------------------------------------------------------------------------------


def default_wants() -> list[Want]:
    """What every page needs and the pages the navigation links to, cheapest first (the
    first forecast trains the model every forecast page uses)."""
    from allyscope.sources.bounds import coverage

    return [
        want_states(),
        want_meta(),
        want_layers(),
        want_state("KOR"),
        want_map("KOR", coverage("un_votes")[1], "s_score"),
        want_network(coverage("atop_alliance")[1], "defense", None, None),
        want_group(["USA", "JPN", "KOR"]),
        want_forecast(["USA", "JPN", "KOR"], 5),
    ]


#: the warm-ups of the apps running in this process (normally one)
WARMERS: list[Warmer] = []


def warm_status() -> dict[str, Any] | None:
    """The readiness of the latest app's warm-up (None when it has none)."""
    return WARMERS[-1].status() if WARMERS else None


class Warmer:
    """Computes :func:`default_wants` one after the other in a daemon thread started after
    the server has begun to answer; a request for a payload it is computing waits for it
    instead of computing it again. :meth:`status` is the readiness ``/api/health`` shows."""

    def __init__(self, wants: Callable[[], list[Want]] = default_wants) -> None:
        self._wants = wants
        self._stop = threading.Event()
        self.total = 0
        self.done = 0
        self.current = ""
        self.failed: list[str] = []
        self.finished = False
        self.started_at: float | None = None
        self.seconds: float | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="allyscope-warm", daemon=True)
        self._thread.start()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the warm-up to finish; whether it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.finished

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        self.started_at = time.monotonic()
        try:
            self.current = "code tables"
            from allyscope import codes

            codes.crosswalk()
            wants = self._wants()
            self.total = len(wants)
            for w in wants:
                if self._stop.is_set():
                    return
                self.current = w.label
                try:
                    w.get_now()
                except AllyscopeError as exc:  # the page itself shows the same error
                    log.warning("warm-up of %s incomplete: %s", w.label, exc)
                    self.failed.append(w.label)
                self.done += 1
        except AllyscopeError as exc:  # e.g. no warehouse: every page says so
            log.warning("warm-up stopped: %s", exc)
            self.failed.append(self.current)
        finally:
            self.current = ""
            self.finished = True
            self.seconds = time.monotonic() - self.started_at

    def status(self) -> dict[str, Any]:
        return {
            "ready": self.finished,
            "done": self.done,
            "total": self.total,
            "current": self.current,
            "failed": self.failed,
            "seconds": round(self.seconds, 1) if self.seconds is not None else None,
        }
