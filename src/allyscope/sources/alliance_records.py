"""Where the alliance records after ATOP live, and the dates they declare.

The records of formal alliance obligations begun or ended after ATOP's last year ship
with allyscope as one YAML file, ``allyscope/sources/records/alliances-*.yaml``. Its
header declares ``as_of`` (the date the record was last checked) and ``coverage``
(``from`` and ``through``): :func:`records_coverage` reads them for the coverage API.
The records themselves are validated and expanded to dyad-years by
:mod:`allyscope.panel.alliances`.

The file is read with PyYAML's safe loader after two checks on the raw text: a size bound
(:data:`MAX_BYTES`) and no anchors or aliases (which could make a small file expand to a
huge one, and hide what a record really says).
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from allyscope.errors import DataMissingError, RecordValidationError

#: record files larger than this are refused before parsing
MAX_BYTES = 1_000_000


def records_dir() -> Path:
    """The folder of shipped record files."""
    return Path(str(resources.files("allyscope.sources") / "records"))


def records_path() -> Path:
    """The shipped alliance record file (exactly one ``alliances-*.yaml``)."""
    found = sorted(records_dir().glob("alliances-*.yaml")) if records_dir().is_dir() else []
    if len(found) != 1:
        raise DataMissingError(
            f"expected one alliance record file alliances-*.yaml in {records_dir()}, "
            f"found {len(found)}",
            "reinstall allyscope, or pass records=PATH",
        )
    return found[0]


def read_text(path: str | os.PathLike[str]) -> str:
    """The text of a record file, refused when too large or not UTF-8."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise DataMissingError(f"no record file at {p}") from None
    if size > MAX_BYTES:
        raise RecordValidationError(
            f"{p}:1: the file has {size:,} bytes, more than the {MAX_BYTES:,} a record file "
            "may have",
            "split it or check that it is the right file; nothing was loaded",
        )
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = p.read_bytes()[: exc.start].count(b"\n") + 1
        raise RecordValidationError(
            f"{p}:{line}: not UTF-8 text ({exc.reason})", "save the file as UTF-8"
        ) from None


def anchors_and_aliases(text: str) -> list[tuple[int, str]]:
    """``(line, token)`` of every YAML anchor (``&name``) and alias (``*name``) in ``text``."""
    import yaml

    out = []
    try:
        for tok in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(tok, yaml.AnchorToken):
                out.append((tok.start_mark.line + 1, f"&{tok.value}"))
            elif isinstance(tok, yaml.AliasToken):
                out.append((tok.start_mark.line + 1, f"*{tok.value}"))
    except yaml.YAMLError:
        return out  # syntax errors are reported by the parser
    return out


def file_mtime(path: Path, what: str) -> float:
    """The modification time of a record file (part of its loaders' cache keys); a
    missing file is :class:`DataMissingError` naming ``what`` it should have been."""
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        raise DataMissingError(f"no {what} at {path}") from None


def load_yaml(path: str | os.PathLike[str], hint: str, *, node: bool = False) -> tuple[Any, Any]:
    """``(data, node)`` of a record file: read within bounds (:func:`read_text`), refused
    with ``hint`` when it holds YAML anchors or aliases, parsed safely; ``node`` (the
    composed tree, for line numbers) only when asked for, else None. Errors name the line."""
    import yaml

    text = read_text(path)
    refs = anchors_and_aliases(text)
    if refs:
        line, tok = refs[0]
        raise RecordValidationError(
            f"{path}:{line}: YAML anchors and aliases ({tok}) are not allowed in record files",
            hint,
        )
    try:
        tree = yaml.compose(text, Loader=yaml.SafeLoader) if node else None
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise RecordValidationError(f"{path}:{line}: not valid YAML ({exc})") from None
    return data, tree


@cache
def _header(path: str, mtime: float) -> tuple[dt.date, dt.date, dt.date]:
    del mtime  # part of the cache key only
    data, _ = load_yaml(path, "write every list out in full")
    try:
        cov = data["coverage"]
        as_of, first, through = (_date(data["as_of"]), _date(cov["from"]), _date(cov["through"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise RecordValidationError(
            f"{path}:1: the header needs as_of and coverage: {{from, through}} as dates ({exc})"
        ) from None
    return as_of, first, through


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def records_header(path: str | os.PathLike[str] | None = None) -> tuple[dt.date, dt.date, dt.date]:
    """``(as_of, from, through)`` declared by a record file (default: the shipped one)."""
    p = Path(path) if path is not None else records_path()
    return _header(str(p), file_mtime(p, "record file"))


def records_coverage(path: str | os.PathLike[str] | None = None) -> tuple[dt.date, dt.date]:
    """``(from, through)``: the dates the alliance records cover."""
    _, first, through = records_header(path)
    return first, through


__all__ = [
    "MAX_BYTES",
    "anchors_and_aliases",
    "read_text",
    "records_coverage",
    "records_dir",
    "records_header",
    "records_path",
]
