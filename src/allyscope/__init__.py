"""allyscope: measure, map and forecast alliances between states.

The package turns published peace-science data (ATOP, Correlates of War, UN General
Assembly votes, US troop deployments, multinational exercises, ...) into a local DuckDB
warehouse, and builds state-year and dyad-year panels, alignment measures, alliance
networks and forecasts on top of it.
"""

from allyscope._version import __version__

__all__ = ["__version__"]
