"""The FastAPI application: server-rendered pages and a read-only JSON API under ``/api/``.

``create_app()`` builds the app. Everything it serves is bundled: plotly.js comes from
the plotly package, the API documentation's Swagger UI and ReDoc assets from
``fastapi-offline`` (ReDoc's "powered by" logo, which it would fetch from a CDN, is replaced
by an inline blank image), the world map geometry from ``allyscope/web/static/topojson``.
No page, the API documentation included, loads anything from another host, and every
answer carries a Content-Security-Policy that says so.

Start-up is immediate: a background thread then computes what every page needs
(:class:`~allyscope.web.service.Warmer`; ``/api/health`` says how far it is). A request
whose payload is not ready within ``cold_wait`` seconds is answered ``202`` with the address
of its job, which the page polls (see :mod:`allyscope.web.service`).

Input is validated before any work (types, ranges, lengths, patterns; at most
:data:`~allyscope.groups.MAX_STATES` states per group); user input never becomes
part of a file path or an SQL string. Bad input gets a 4xx answer — JSON under ``/api/``,
an HTML page elsewhere — with what was wrong and what to do, never a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from allyscope import __version__
from allyscope.errors import AllyscopeError, UnknownNameError
from allyscope.web.service import Pending

log = logging.getLogger("allyscope.web")

#: largest request body accepted (bytes); the API is read-only, bodies are small specs
MAX_BODY = 16 * 1024
#: longest query string accepted (characters)
MAX_QUERY = 2048

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: the API documentation's policy: ReDoc injects styles and runs its search in a worker
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; worker-src 'self' blob:; connect-src 'self'; font-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: seconds a request waits for a payload that is not cached before it is answered 202
COLD_WAIT = 8.0

_SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)


def _is_docs(path: str) -> bool:
    return path in ("/docs", "/redoc") or path.startswith("/static/docs/")


class LimitMiddleware:
    """Refuse oversized requests before they reach a route: long query strings (414),
    bodies over :data:`MAX_BODY` (413, whether announced by Content-Length or sent in
    chunks: the body is read, up to the limit, before the route runs); add the security
    headers and the Content-Security-Policy to every answer."""

    def __init__(self, app: Any, max_body: int = MAX_BODY, max_query: int = MAX_QUERY) -> None:
        self.app = app
        self.max_body = max_body
        self.max_query = max_query

    def _refusal(self, scope: dict) -> tuple[int, str, str] | None:
        """Status, message and hint for a request refused before it runs, else None."""
        if len(scope.get("query_string", b"")) > self.max_query:
            return (
                414,
                "the query string is too long",
                f"keep it under {self.max_query} characters",
            )
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is None:
            return None
        try:
            n = int(length)
        except ValueError:
            n = self.max_body + 1
        if n > self.max_body:
            return 413, "the request body is too large", f"send at most {self.max_body} bytes"
        return None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        extra = [
            *_SECURITY_HEADERS,
            (b"content-security-policy", (DOCS_CSP if _is_docs(path) else CSP).encode()),
        ]

        async def send_with_headers(msg: dict) -> None:
            if msg["type"] == "http.response.start":
                have = {k.lower() for k, _ in msg.get("headers", [])}
                msg["headers"] = [
                    *msg.get("headers", []),
                    *[(k, v) for k, v in extra if k not in have],
                ]
            await send(msg)

        refusal = self._refusal(scope)
        if refusal is not None:
            await _raw_error(scope, send_with_headers, *refusal)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                return
            chunk = msg.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await _raw_error(
                    scope,
                    send_with_headers,
                    413,
                    "the request body is too large",
                    f"send at most {self.max_body} bytes",
                )
                return
            chunks.append(chunk)
            more = bool(msg.get("more_body", False))
        body = b"".join(chunks)
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return dict(await receive())

        await self.app(scope, replay, send_with_headers)


class ColdWaitMiddleware:
    """Sets how long this app's requests wait for a cold payload (see
    :data:`allyscope.web.service.COLD_WAIT`)."""

    def __init__(self, app: Any, seconds: float | None) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        from allyscope.web import service

        token = service.COLD_WAIT.set(self.seconds)
        try:
            await self.app(scope, receive, send)
        finally:
            service.COLD_WAIT.reset(token)


async def _raw_error(scope: dict, send: Any, status: int, message: str, hint: str) -> None:
    wants_json = scope.get("path", "").startswith("/api")
    if wants_json:
        import json

        body = json.dumps({"error": message, "hint": hint, "status": status}).encode()
        ctype = b"application/json"
    else:
        body = _error_html(status, message, hint).encode()
        ctype = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _error_html(
    status: int, message: str, hint: str | None, suggestions: list[str] | None = None
) -> str:
    from allyscope.web.pages import render_error

    return render_error(status, message, hint, suggestions or [])


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def error_response(
    request: Request,
    status: int,
    message: str,
    hint: str | None = None,
    suggestions: list[str] | None = None,
    details: list[dict[str, Any]] | None = None,
) -> Response:
    if _is_api(request):
        body: dict[str, Any] = {"error": message, "hint": hint, "status": status}
        if suggestions:
            body["suggestions"] = suggestions
        if details:
            body["details"] = details
        return JSONResponse(body, status_code=status)
    return HTMLResponse(_error_html(status, message, hint, suggestions), status_code=status)


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    details = []
    parts = []
    for e in exc.errors():
        loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "path", "body"))
        msg = str(e.get("msg", "invalid value"))
        details.append({"field": loc, "problem": msg})
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "invalid request: " + "; ".join(parts[:3]), details


def add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        message, details = _validation_message(exc)
        return error_response(
            request,
            422,
            message,
            "check the parameters against /docs (the API reference)",
            details=details,
        )

    @app.exception_handler(Pending)
    async def _pending(request: Request, exc: Pending) -> Response:
        return pending_response(request, exc.job)

    @app.exception_handler(UnknownNameError)
    async def _unknown(request: Request, exc: UnknownNameError) -> Response:
        return error_response(request, 404, exc.message, exc.hint, exc.suggestions)

    @app.exception_handler(AllyscopeError)
    async def _user_error(request: Request, exc: AllyscopeError) -> Response:
        return error_response(request, 400, exc.message, exc.hint)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        msg = str(exc.detail) if exc.detail else "error"
        hint = "see the home page for what is available" if exc.status_code == 404 else None
        if exc.status_code == 404 and msg == "Not Found":
            msg = f"no page at {request.url.path}"
        return error_response(request, exc.status_code, msg, hint)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:  # pragma: no cover
        log.exception("unhandled error on %s", request.url.path)
        return error_response(
            request,
            500,
            "internal error while answering this request",
            "please report it with the address you opened",
        )


def pending_response(request: Request, job: Any) -> Response:
    """202 for a payload still being computed: JSON with the job's address under
    ``/api/``, otherwise a page that shows the job's progress and reloads when it is done."""
    poll = f"/api/jobs/{job.id}"
    headers = {"Retry-After": "2", "Cache-Control": "no-store", "Location": poll}
    status = job.status()
    if _is_api(request):
        body = {
            "status": "computing",
            "message": f"{job.label} is being computed; ask again, or poll {poll}",
            "poll": poll,
            "retry_after": 2,
            "job": status,
        }
        return JSONResponse(body, status_code=202, headers=headers)
    from allyscope.web.pages import render

    return render("pending.html.j2", status=202, job=status, poll=poll, headers=headers)


def static_dir() -> Path:
    return Path(str(files("allyscope.web") / "static"))


def plotly_js_path() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def docs_static_dir() -> Path:
    """Swagger UI and ReDoc, as shipped by ``fastapi-offline``."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


#: ReDoc's "API docs by Redocly" logo, fetched from a CDN: replaced by a blank inline image
REDOC_CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
BLANK_SVG = "data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27/%3E"


@lru_cache(maxsize=1)
def redoc_js() -> bytes:
    """ReDoc's standalone bundle with its one CDN address replaced."""
    text = (docs_static_dir() / "redoc.standalone.js").read_text(encoding="utf-8")
    return text.replace(REDOC_CDN_LOGO, BLANK_SVG).encode()


def uvicorn_options() -> dict[str, Any]:
    """How uvicorn serves the app (``allyscope serve`` and the test server): no ``server``
    header, no access log."""
    return {"server_header": False, "date_header": True, "access_log": False}


def warm_up() -> None:
    """Compute, in the calling thread, what every page needs (see
    :func:`allyscope.web.service.default_wants`)."""
    from allyscope.web import service

    w = service.Warmer()
    w._run()


def _warmer(warm: bool | Callable[[], list[Any]]) -> Any:
    from allyscope.web import service

    if warm is False:
        return None
    return service.Warmer() if warm is True else service.Warmer(warm)


def create_app(
    *, warm: bool | Callable[[], list[Any]] = True, cold_wait: float | None = COLD_WAIT
) -> FastAPI:
    """The web app.

    ``warm``: compute what every page needs in a background thread once the server runs
    (``False``: not at all, for tests that only check validation; a function returning
    :class:`~allyscope.web.service.Want` objects: those). ``cold_wait``: seconds a request
    waits for a payload that is not cached before it is answered 202 with the address of
    its job (``None``: wait for it)."""
    from allyscope.web import api, pages, rhetoric, service

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warmer = _warmer(warm)
        app.state.warmer = warmer
        if warmer is not None:
            warmer.start()  # the server answers at once; the warm-up runs beside it
            service.WARMERS.append(warmer)
        try:
            yield
        finally:
            if warmer is not None:
                warmer.stop()
                service.WARMERS.remove(warmer)

    app = FastAPI(
        title="allyscope",
        version=__version__,
        description=(
            "Read-only JSON API of allyscope: UN voting alignment, institutionalization of "
            "cooperation, alliance networks, de facto alliance scores and forecasts for any "
            "states. Every figure of the web pages is available here as plotly JSON "
            "(`figures`). An answer that takes long to compute comes back as `202` with the "
            "address of its job (`/api/jobs/{id}`); ask again once it is done."
        ),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_tags=[
            {"name": "states", "description": "Single states and the list of states"},
            {"name": "groups", "description": "Dyads and groups of states"},
            {"name": "network", "description": "The multilayer alliance network"},
            {"name": "alignment", "description": "World maps of UN voting alignment"},
            {"name": "forecast", "description": "Alliance forecasts and scenarios"},
            {"name": "rhetoric", "description": "What states say at the UN General Debate"},
            {"name": "meta", "description": "Versions, data sources, readiness, jobs"},
        ],
    )
    app.state.warmer = None
    add_error_handlers(app)

    app.add_middleware(ColdWaitMiddleware, seconds=cold_wait)
    app.add_middleware(LimitMiddleware)
    app.mount("/static/app", StaticFiles(directory=static_dir()), name="static-app")
    app.mount("/static/docs", StaticFiles(directory=docs_static_dir()), name="static-docs")

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def _plotly() -> Response:
        from fastapi.responses import FileResponse

        return FileResponse(
            plotly_js_path(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get("/static/redoc.js", include_in_schema=False)
    def _redoc_js() -> Response:
        return Response(
            redoc_js(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get("/docs", include_in_schema=False)
    async def _docs() -> Response:
        return pages.render("swagger.html.j2", title="allyscope API")

    @app.get("/redoc", include_in_schema=False)
    async def _redoc() -> Response:
        return pages.render("redoc.html.j2", title="allyscope API")

    @app.get("/favicon.ico", include_in_schema=False)
    def _favicon() -> Response:
        return Response(status_code=204)

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(rhetoric.router)
    return app


__all__ = [
    "COLD_WAIT",
    "CSP",
    "DOCS_CSP",
    "MAX_BODY",
    "MAX_QUERY",
    "create_app",
    "uvicorn_options",
    "warm_up",
]
