"""The allyscope web app: server-rendered pages and a JSON API (FastAPI).

    >>> from allyscope.web import create_app
    >>> app = create_app()          # serve with uvicorn, or `allyscope serve`

Pages: a state, a dyad or group, the network by year and layer, a world map of UN voting
alignment with a chosen state, and forecasts with scenarios. The JSON API lives under
``/api/`` and is documented at ``/docs`` (OpenAPI at ``/openapi.json``); everything,
API documentation included, works offline.
"""

from allyscope.web.app import create_app

__all__ = ["create_app"]
