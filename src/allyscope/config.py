"""Where allyscope keeps its files.

* ``ALLYSCOPE_HOME`` (or ``--home``): the data directory. Default: the platform's user
  data directory (``platformdirs.user_data_dir("allyscope")``).
  ``<home>/raw/`` holds fetched files, ``<home>/warehouse.duckdb`` the warehouse and
  ``<home>/cache/`` derived tables (ideal points, affinity, models) keyed by the data
  hash, the package's code fingerprint and the numerical libraries' versions.
* ``ALLYSCOPE_MIRROR``: a local folder laid out like the upstream mirror
  (``peacesciencer/``, ``unvotes/``, ``troopdata/``); ``allyscope data fetch`` copies from
  it instead of downloading.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

_home_override: Path | None = None


def set_home(path: str | os.PathLike[str] | None) -> None:
    """Point this process at another data directory (``--home``)."""
    global _home_override
    _home_override = Path(path).expanduser().resolve() if path else None


def home() -> Path:
    if _home_override is not None:
        return _home_override
    env = os.environ.get("ALLYSCOPE_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_data_dir("allyscope", appauthor=False))


def raw_dir() -> Path:
    return home() / "raw"


def cache_dir() -> Path:
    return home() / "cache"


def warehouse_path() -> Path:
    return home() / "warehouse.duckdb"


def mirror() -> Path | None:
    env = os.environ.get("ALLYSCOPE_MIRROR")
    return Path(env).expanduser().resolve() if env else None
