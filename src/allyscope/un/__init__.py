"""UN General Assembly voting: dyadic affinity and dynamic ideal points.

* :func:`affinity` -- agreement, the State Department's coincidence, Signorino-Ritter S,
  Cohen's kappa and Scott's pi for every pair of states and year (or session), overall and
  per issue area.
* :func:`ideal_points` -- one-dimensional, time-varying positions of every state from an
  ordinal (yes / abstain / no) probit model with a random walk over time.
* :func:`idealpoint_distance` -- the distance between two states' positions per year.
* :func:`voeten_ideal_points` -- Bailey, Strezhnev and Voeten's published ideal points
  (1946-2025), an independent estimate to set beside :func:`ideal_points`.

Votes run from 1946 to December 2021: ``unvotes`` to 2019, the UN Digital Library's
recorded votes for 2020-2021 (a ``source`` column says which).

See docs/un.md for definitions, conventions and citations.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "affinity",
    "country_map",
    "dyad_measures",
    "ideal_point_fit",
    "ideal_points",
    "idealpoint_distance",
    "voeten_ideal_points",
    "votes",
]

_EXPORTS = {
    "ideal_points": "allyscope.un.api",
    "ideal_point_fit": "allyscope.un.api",
    "idealpoint_distance": "allyscope.un.api",
    "dyad_measures": "allyscope.un.affinity",
    "country_map": "allyscope.un.data",
    "votes": "allyscope.un.data",
}
_ALIASES = {"voeten_ideal_points": ("allyscope.un.voeten", "ideal_points")}


def __getattr__(name: str) -> Any:  # imports numpy/polars only when used
    import importlib

    if name == "affinity":  # a callable module: affinity(...) and affinity.compute(...)
        return importlib.import_module("allyscope.un.affinity")
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    if name in _ALIASES:
        mod, attr = _ALIASES[name]
        return getattr(importlib.import_module(mod), attr)
    raise AttributeError(f"module 'allyscope.un' has no attribute {name!r}")
