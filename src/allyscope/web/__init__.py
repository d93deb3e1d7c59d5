"""The allyscope web app: server-rendered pages and a JSON API (FastAPI).

    >>> from allyscope.web import create_app
    >>> app = create_app()          # serve with uvicorn, or `allyscope serve`

Pages: a state, a dyad or group, the network by year and layer, a world map of UN voting
alignment with a chosen state, and forecasts with scenarios. The JSON API lives under
``/api/`` and is documented at ``/docs`` (OpenAPI at ``/openapi.json``); everything,
API documentation included, works offline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader as _lazy

if TYPE_CHECKING:
    from allyscope.web.app import create_app

# FastAPI loads with the app, not with the package (fast start-up of the command line)
__getattr__, __dir__, _ = _lazy.attach(
    __name__, submodules=["app"], submod_attrs={"app": ["create_app"]}
)

__all__ = ["create_app"]
