"""``allyscope serve``: run the web app."""

from __future__ import annotations

from typing import Annotated

import typer

from allyscope import clikit


def serve_cmd(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(min=1, max=16, help="Worker processes (each keeps its own cache)."),
    ] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    cold_workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=16,
            help="Threads per worker computing pages that are not cached yet (default: "
            "up to 2, one per core); bounds the memory cold pages can take.",
        ),
    ] = None,
) -> None:
    """Start the web app: pages for states, groups, the network, an alignment map and
    forecasts, and the JSON API under /api/ (documented at /docs)."""
    import os

    import uvicorn

    from allyscope import config

    console = clikit.console()
    from allyscope.store import open_warehouse

    os.environ["ALLYSCOPE_HOME"] = str(config.home())  # worker processes read it
    if cold_workers is not None:
        os.environ["ALLYSCOPE_COLD_WORKERS"] = str(cold_workers)
    wh = open_warehouse()  # fail now, with the actionable error, if there is no data
    console.print(
        f"allyscope web app on http://{host}:{port}/ (data {wh.data_hash}, home "
        f"{config.home()}); API reference at /docs. Ctrl-C stops it.",
        highlight=False,
    )
    from allyscope.web.app import uvicorn_options

    uvicorn.run(
        "allyscope.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        **uvicorn_options(),
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_cmd)
