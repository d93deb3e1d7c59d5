"""The FastAPI application: server-rendered pages and a read-only JSON API under ``/api/``.

``create_app()`` builds the app. Everything it serves is bundled: plotly.js comes from
the plotly package, the API documentation's Swagger UI and ReDoc assets from
``fastapi-offline``, the world map geometry from ``allyscope/web/static/topojson``. No page
loads anything from another host (the Content-Security-Policy says so too).

Input is validated before any work (types, ranges, lengths, patterns; at most
:data:`~allyscope.groups.MAX_STATES` states per group); user input never becomes
part of a file path or an SQL string. Bad input gets a 4xx answer — JSON under ``/api/``,
an HTML page elsewhere — with what was wrong and what to do, never a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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


_SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)


class LimitMiddleware:
    """Refuse oversized requests before they reach a route: long query strings (414),
    bodies over :data:`MAX_BODY` (413, by Content-Length or while streaming); add the
    security headers (and the Content-Security-Policy outside the API docs) to answers."""

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
        refusal = self._refusal(scope)
        if refusal is not None:
            await _raw_error(scope, send, *refusal)
            return
        received = 0
        too_big = False

        async def limited_receive() -> dict:
            nonlocal received, too_big
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > self.max_body:
                    too_big = True
                    raise _BodyTooLarge
            return msg

        path = scope.get("path", "")
        extra = list(_SECURITY_HEADERS)
        if not path.startswith(("/docs", "/redoc")):
            extra.append((b"content-security-policy", CSP.encode()))

        async def send_with_headers(msg: dict) -> None:
            if msg["type"] == "http.response.start":
                have = {k.lower() for k, _ in msg.get("headers", [])}
                msg["headers"] = [
                    *msg.get("headers", []),
                    *[(k, v) for k, v in extra if k not in have],
                ]
            await send(msg)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except _BodyTooLarge:
            await _raw_error(
                scope,
                send,
                413,
                "the request body is too large",
                f"send at most {self.max_body} bytes",
            )


class _BodyTooLarge(Exception):
    pass


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


def static_dir() -> Path:
    return Path(str(files("allyscope.web") / "static"))


def plotly_js_path() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def warm_up() -> None:
    """Load what every request needs (warehouse, codes, UN votes, records) once."""
    from allyscope import codes
    from allyscope.web import service

    codes.crosswalk()
    try:
        from allyscope import api

        service.cached("states", {}, service.states_payload)
        last = api.un_years()[1]
        api.un_affinity([2, 740], (last, last))
        api.groupings_of([2, 740])
    except AllyscopeError as exc:  # the first request will show the same error to the user
        log.warning("warm-up incomplete: %s", exc)


def create_app(*, warm: bool = True) -> FastAPI:
    """The web app. ``warm=False`` skips loading data at start-up (tests that only
    check validation)."""
    from fastapi_offline import FastAPIOffline

    from allyscope.web import api, pages

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            import anyio

            await anyio.to_thread.run_sync(warm_up)
        yield

    app = FastAPIOffline(
        title="allyscope",
        version=__version__,
        description=(
            "Read-only JSON API of allyscope: UN voting alignment, institutionalization of "
            "cooperation, alliance networks, de facto alliance scores and forecasts for any "
            "states. Every figure of the web pages is available here as plotly JSON "
            "(`figures`)."
        ),
        lifespan=lifespan,
        static_url="/static/docs",
        openapi_tags=[
            {"name": "states", "description": "Single states and the list of states"},
            {"name": "groups", "description": "Dyads and groups of states"},
            {"name": "network", "description": "The multilayer alliance network"},
            {"name": "alignment", "description": "World maps of UN voting alignment"},
            {"name": "forecast", "description": "Alliance forecasts and scenarios"},
            {"name": "meta", "description": "Versions, data sources and citations"},
        ],
    )
    add_error_handlers(app)

    app.add_middleware(LimitMiddleware)
    app.mount("/static/app", StaticFiles(directory=static_dir()), name="static-app")

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def _plotly() -> Response:
        from fastapi.responses import FileResponse

        return FileResponse(
            plotly_js_path(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get("/favicon.ico", include_in_schema=False)
    def _favicon() -> Response:
        return Response(status_code=204)

    app.include_router(api.router)
    app.include_router(pages.router)
    return app


__all__ = ["CSP", "MAX_BODY", "MAX_QUERY", "create_app", "warm_up"]
