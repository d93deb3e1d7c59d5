"""The web app under hostile input, slow computations and concurrent requests, in process on
the synthetic warehouse: every route and parameter refuses what it cannot use with a 4xx,
reflects nothing unescaped and reads no file it is named; scenarios are parsed, never
opened; cold pages become jobs (one per page, a bounded number at once) answered 202 with
their progress; the API documentation is offline; oversized bodies get 413."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from allyscope.web import service

# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def idle_jobs(monkeypatch: pytest.MonkeyPatch) -> service.Jobs:
    """A job pool with no workers: a request that passes every check is queued and
    answered 202, and nothing is computed."""
    jobs = service.Jobs(service.PayloadCache(), workers=0)
    monkeypatch.setattr(service, "_JOBS", jobs)
    monkeypatch.setattr(service, "_CACHE", jobs.cache)
    return jobs


@pytest.fixture
def fresh_jobs(monkeypatch: pytest.MonkeyPatch) -> service.Jobs:
    """An empty cache and a pool of two workers of its own."""
    jobs = service.Jobs(service.PayloadCache(), workers=2)
    monkeypatch.setattr(service, "_JOBS", jobs)
    monkeypatch.setattr(service, "_CACHE", jobs.cache)
    return jobs


def _client(**kw: Any) -> Any:
    from fastapi.testclient import TestClient

    from allyscope.web import create_app

    return TestClient(create_app(**{"warm": False, **kw}), raise_server_exceptions=False)


@pytest.fixture
def queued(synthetic, idle_jobs) -> Iterator[Any]:
    """The app on the synthetic warehouse, computing nothing (cold pages answer 202)."""
    with _client(cold_wait=0) as c:
        yield c


class FileReads:
    """Paths opened by this process while :attr:`active` (an audit hook: it sees every
    ``open``, whatever module does it)."""

    def __init__(self) -> None:
        self.active = False
        self.paths: list[str] = []
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple) -> None:
        if self.active and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
            self.paths.append(os.fsdecode(args[0]))

    def __enter__(self) -> FileReads:
        self.paths.clear()
        self.active = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.active = False


_READS: FileReads | None = None


@pytest.fixture
def file_reads() -> FileReads:
    global _READS
    if _READS is None:  # audit hooks cannot be removed: one per process, switched on and off
        _READS = FileReads()
    return _READS


# -- scenarios: parsed from their compact form, never opened -----------------------------------

PATHS = ["pyproject.toml", "..", "/etc/passwd", "../../etc/hostname", "README.md", "."]


@pytest.mark.parametrize("name", PATHS)
def test_scenario_naming_a_path_reads_nothing(queued, file_reads, tmp_path, name, monkeypatch):
    monkeypatch.chdir(Path(__file__).parent.parent)  # where pyproject.toml and README.md are
    targets = {str(Path(name).resolve())}
    for method in ("get", "post"):
        with file_reads:
            if method == "get":
                r = queued.get("/api/scenario", params={"states": "USA,JPN", "scenario": name})
            else:
                r = queued.post("/api/scenario", json={"states": ["USA", "JPN"], "scenario": name})
        assert r.status_code in (400, 422), (name, r.status_code, r.text[:200])
        body = r.json()
        assert "KIND:VALUE" in body["error"] + str(body.get("hint")) or r.status_code == 422
        opened = {str(Path(p).resolve()) for p in file_reads.paths}
        assert not (opened & targets), opened & targets
        assert "[build-system]" not in r.text and "root:" not in r.text


@pytest.mark.parametrize(
    "text",
    [
        "leader_change:KOR",
        "un_affinity:lowest",
        "exercises:stop",
        "un_affinity:2014;exercises:stop@JPN/KOR",
        "leader_change:KOR,JPN",
        "preset:leadership-change",
    ],
)
def test_the_documented_scenario_syntax_is_accepted(queued, text):
    """The forms the API reference documents pass every check and are queued (202)."""
    r = queued.get("/api/scenario", params={"states": "USA,JPN,KOR", "scenario": text})
    assert r.status_code == 202, r.text[:300]
    assert r.json()["poll"].startswith("/api/jobs/")
    r = queued.post("/api/scenario", json={"states": ["USA", "JPN", "KOR"], "scenario": text})
    assert r.status_code == 202, r.text[:300]


def test_compact_scenarios_mean_what_they_say():
    from allyscope.forecast.scenarios import parse_inline

    sc = parse_inline("leader_change:KOR")
    assert [(c.kind, c.value) for c in sc.changes] == [("leader_change", ("KOR",))]
    sc = parse_inline("un_affinity:2014; exercises:stop@JPN/KOR,USA/JPN")
    assert [(c.kind, c.value) for c in sc.changes] == [("un_affinity", 2014), ("exercises", 0)]
    assert sc.changes[1].pairs == (("JPN", "KOR"), ("USA", "JPN")) and sc.changes[0].pairs is None
    preset = parse_inline("preset:leadership-change", ["USA", "JPN"])
    assert preset.changes[0].kind == "leader_change"


@pytest.mark.parametrize(
    ("text", "status", "says"),
    [
        ("leader_change", 400, "KIND:VALUE"),
        ("coup:KOR", 404, "unknown scenario change 'coup'"),
        ("exercises:many", 400, "exercises must be 'stop' or a number"),
        ("exercises:stop@JPN", 400, "pairs are written @A/B"),
        ("preset:nonesuch", 404, "unknown scenario preset"),
        ("un_affinity:lowest;;", 202, ""),
        ("a" * 301, 422, "scenario"),
        ("leader_change:<KOR>", 422, "scenario"),
    ],
)
def test_bad_scenarios_get_one_helpful_error(queued, text, status, says):
    r = queued.get("/api/scenario", params={"states": "USA,JPN,KOR", "scenario": text})
    assert r.status_code == status, r.text[:300]
    assert says in r.json().get("error", "") + r.json().get("message", "")


# -- every route and parameter under hostile values --------------------------------------------

HOSTILE = [
    "",
    " ",
    "-1",
    "0",
    "99999999999999999999",
    "1.5",
    "nan",
    "null",
    "%00",
    "\x00",
    "'; DROP TABLE cow_states; --",
    "../../etc/passwd",
    "/etc/passwd",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}",
    "${jndi:ldap://x}",
    "USA," * 50,
    "ÅÄÖ",
    "日本",
    "a" * 500,
]
#: a value each parameter accepts (the others keep these while one is attacked)
GOOD = {
    "code": "JPN",
    "a": "USA",
    "b": "JPN",
    "states": "USA,JPN",
    "state": "KOR",
    "scenario": "leader_change:JPN",
    "job_id": "0123456789abcdef",
}


def _get_routes(app) -> list[tuple[str, list[Any]]]:
    """Every GET route with its parameters (pages and API; static files aside)."""
    from fastapi.routing import APIRoute

    def walk(routes, prefix: str = ""):
        for r in routes:
            if isinstance(r, APIRoute):
                if "GET" in r.methods:
                    yield prefix + r.path, [*r.dependant.path_params, *r.dependant.query_params]
            elif hasattr(r, "original_router"):  # an included router (newer FastAPI)
                yield from walk(r.original_router.routes, prefix + r.include_context.prefix)

    return list(walk(app.routes))


def _request(client, path: str, params: list[Any], values: dict[str, str]):
    from urllib.parse import quote

    url = path
    query = {}
    for p in params:
        v = values.get(p.name)
        name = p.field_info.alias or p.name  # "from", "to"
        if "{" + p.name + "}" in url:
            url = url.replace("{" + p.name + "}", quote(v, safe="") if v else "x")
        elif v is not None:
            query[name] = v
    return client.get(url, params=query)


def _check_answer(r, value: str) -> None:
    assert r.status_code < 500, (r.url, r.status_code, r.text[:300])
    ctype = r.headers.get("content-type", "")
    if ctype.startswith("text/html") and any(ch in value for ch in '<>"'):
        assert value not in r.text, (r.url, "reflected unescaped")
    assert "Traceback" not in r.text


def test_hostile_values_in_every_parameter_of_every_route(queued, file_reads):
    """A 4xx (or a queued 202) for every hostile value in every parameter of every page and
    API route; HTML answers never carry the value unescaped; no file named by a value is
    opened."""
    routes = _get_routes(queued.app)
    assert len(routes) >= 15
    names = {p.name for _, ps in routes for p in ps}
    assert {"code", "states", "state", "year", "layer", "region", "hub", "horizon"} <= names
    checked = 0
    with file_reads:
        for path, params in routes:
            for param in params:
                for value in HOSTILE:
                    values = {p.name: GOOD.get(p.name) for p in params}
                    values[param.name] = value
                    r = _request(queued, path, params, values)
                    _check_answer(r, value)
                    checked += 1
    assert checked > 500
    assert not [p for p in file_reads.paths if "passwd" in p]


def test_hostile_json_bodies(queued):
    bodies: list[Any] = [
        None,
        [],
        "text",
        {"states": "USA,JPN", "scenario": "exercises:stop"},
        {"states": ["USA"] * 13, "scenario": "exercises:stop"},
        {"states": ["<script>", "JPN"], "scenario": "exercises:stop"},
        {"states": ["USA", "JPN"], "scenario": "../../etc/passwd"},
        {"states": ["USA", "JPN"], "scenario": "exercises:stop", "horizon": 10**30},
        {"states": ["USA", "JPN"], "scenario": {"changes": []}},
        {"states": ["USA", "JPN"], "scenario": "x", "extra": 1},
    ]
    for body in bodies:
        r = queued.post("/api/scenario", json=body)
        assert 400 <= r.status_code < 500, (body, r.status_code, r.text[:200])
    r = queued.post(
        "/api/scenario", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert 400 <= r.status_code < 500


# -- cold pages: jobs, 202, progress, one computation per page, a bounded pool -----------------


def test_six_concurrent_cold_requests_compute_once_and_answer_202(
    synthetic, fresh_jobs, monkeypatch
):
    release = threading.Event()
    calls = []
    real = service.states_payload

    def slow_states() -> dict[str, Any]:
        calls.append(1)
        service.stage("reading the state list")
        assert release.wait(60)
        return real()

    monkeypatch.setattr(service, "states_payload", slow_states)

    import httpx

    from allyscope.web import create_app

    app = create_app(warm=False, cold_wait=0.05)

    async def six() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            return await asyncio.gather(*[c.get("/api/states") for _ in range(6)])

    answers = asyncio.run(six())
    assert [r.status_code for r in answers] == [202] * 6
    ids = {r.json()["job"]["id"] for r in answers}
    assert len(ids) == 1 and len(calls) == 1
    job_id = ids.pop()
    assert answers[0].headers["retry-after"] and answers[0].headers["location"].endswith(job_id)
    with _client(cold_wait=0.05) as c:
        status = c.get(f"/api/jobs/{job_id}").json()
        assert status["status"] == "running" and status["stage"] == "reading the state list"
        page = c.get("/api/states", headers={"accept": "application/json"})
        assert page.status_code == 202
        release.set()
        fresh_jobs.get(job_id).future.result(timeout=60)
        assert c.get(f"/api/jobs/{job_id}").json()["status"] == "done"
        done = c.get("/api/states")
        assert done.status_code == 200 and done.json() == real()
    assert len(calls) == 1


def test_a_cold_page_shows_its_progress_and_polls_its_job(synthetic, fresh_jobs, monkeypatch):
    release = threading.Event()
    real = service.meta_payload

    def slow_meta() -> dict[str, Any]:
        service.stage("collecting the citations")
        assert release.wait(60)
        return real()

    monkeypatch.setattr(service, "meta_payload", slow_meta)
    with _client(cold_wait=0.05) as c:
        r = c.get("/about")
        assert r.status_code == 202 and r.headers["content-type"].startswith("text/html")
        assert 'id="pending"' in r.text and "collecting the citations" in r.text
        poll = r.headers["location"]
        assert f'data-poll="{poll}"' in r.text and '<script src="/static/app/wait.js">' in r.text
        assert c.get("/static/app/wait.js").status_code == 200
        release.set()
        fresh_jobs.get(poll.rsplit("/", 1)[1]).future.result(timeout=60)
        r = c.get("/about")
        assert r.status_code == 200 and "Citations" in r.text


def test_cold_work_runs_on_a_bounded_number_of_workers(synthetic, fresh_jobs):
    """Eight different cold payloads: never more than the pool's two at once."""
    running, peak, lock = [0], [0], threading.Lock()
    gate = threading.Semaphore(0)

    def compute(i: int):
        def run() -> dict[str, Any]:
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            gate.acquire(timeout=60)
            with lock:
                running[0] -= 1
            return {"i": i}

        return run

    jobs = [fresh_jobs.submit(("bounded", i), compute(i), f"job {i}") for i in range(8)]
    for _ in jobs:
        gate.release()
    assert [j.future.result(timeout=60) for j in jobs] == [
        service.dumps({"i": i}) for i in range(8)
    ]
    assert peak[0] <= fresh_jobs.workers == 2


def test_a_failing_job_answers_every_waiter_with_its_error(synthetic, fresh_jobs, monkeypatch):
    from allyscope.errors import InvalidInputError

    def broken() -> dict[str, Any]:
        raise InvalidInputError("the layer data are missing", "rebuild the warehouse")

    monkeypatch.setattr(service, "layers_payload", broken)
    with _client(cold_wait=None) as c:
        r = c.get("/api/layers")
        assert r.status_code == 400 and r.json()["error"] == "the layer data are missing"
        assert c.get("/network").status_code == 400  # the page needs the layers too


def test_unknown_jobs(queued):
    assert queued.get("/api/jobs/0123456789abcdef").status_code == 404
    assert queued.get("/api/jobs/..%2F..%2Fetc").status_code in (404, 422)
    assert queued.get("/api/jobs/XYZ").status_code == 422


def test_readiness_while_warming_up(synthetic, fresh_jobs):
    gate = threading.Event()

    def gated_states() -> dict[str, Any]:
        assert gate.wait(60)
        return service.states_payload()

    def wants() -> list[service.Want]:
        return [service.Want("states", {}, gated_states, "list of states"), service.want_meta()]

    with _client(warm=wants, cold_wait=0.05) as c:
        health = c.get("/api/health").json()
        assert health["ready"] is False and health["warm_up"]["total"] in (0, 2)
        home = c.get("/")
        assert home.status_code == 200 and 'id="warming"' in home.text
        gate.set()
        assert c.app.state.warmer.join(60)
        health = c.get("/api/health").json()
        assert health["ready"] is True and health["warm_up"]["done"] == 2
        assert 'id="warming"' not in c.get("/").text
        assert c.get("/api/states").status_code == 200  # warmed: answered from the cache


# -- documentation offline, headers, body limits ------------------------------------------------


def test_api_docs_are_offline_and_under_a_csp(synthetic):
    import re

    with _client() as c:
        for page in ("/docs", "/redoc"):
            r = c.get(page)
            assert r.status_code == 200
            csp = r.headers["content-security-policy"]
            assert "default-src 'self'" in csp and "script-src 'self';" in csp
            assert "unsafe-eval" not in csp and "http" not in csp
            for ref in re.findall(r'(?:src|href)="([^"]+)"', r.text):
                assert ref.startswith("/"), (page, ref)
                assert c.get(ref).status_code == 200, ref
        redoc = c.get("/static/redoc.js").text
        assert "cdn.redoc.ly" not in redoc and "redocly logo" in redoc
        assert "validatorUrl: null" in c.get("/static/app/swagger-init.js").text
        assert "<script>" not in c.get("/docs").text  # no inline script for the CSP to allow


def _raw_http(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(request)  # the request says Connection: close; the server ends it
        chunks = []
        while True:
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def test_server_header_and_a_chunked_oversize_body(synthetic):
    from allyscope.web.app import MAX_BODY
    from allyscope.web.testing import ServerThread

    srv = ServerThread(warm=False)
    srv.start()
    try:
        head = _raw_http(
            srv.port, b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        status, _, rest = head.partition(b"\r\n")
        headers = rest.split(b"\r\n\r\n")[0].lower()
        assert b" 200 " in status and b"\r\nserver:" not in b"\r\n" + headers
        assert b"content-security-policy:" in headers
        chunk = b"x" * 4096
        body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(MAX_BODY // 4096 + 2))
        answer = _raw_http(
            srv.port,
            b"POST /api/scenario HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + body + b"0\r\n\r\n",
        )
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b"too large" in answer
    finally:
        srv.stop()
