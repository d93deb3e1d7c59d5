"""Errors a user can act on.

Every error allyscope raises on bad input derives from :class:`AllyscopeError`. Its
message says what was wrong and where; ``hint`` says what to do about it. The command
line prints exactly one line for it (plus the hint) and exits with status 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class AllyscopeError(Exception):
    """Base class: a problem the user can fix."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class UnknownNameError(AllyscopeError, KeyError):
    """A name (source, add-on, country, layer ...) that allyscope does not know."""

    def __init__(self, kind: str, name: str, choices: Iterable[str], hint: str | None = None):
        self.kind = kind
        self.name = name
        self.suggestions = suggest(name, choices)
        msg = f"unknown {kind} {name!r}"
        if self.suggestions:
            msg += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        super().__init__(msg, hint)

    __str__ = AllyscopeError.__str__


class UnknownSourceError(UnknownNameError):
    def __init__(self, name: str, choices: Iterable[str]):
        super().__init__("source", name, choices, "`allyscope data status` lists the sources")


class UnknownCountryError(UnknownNameError):
    def __init__(self, name: str, choices: Iterable[str], year: int | None = None):
        kind = "country" if year is None else f"country in {year}"
        super().__init__(kind, name, choices, "`allyscope codes NAME` looks up codes")


class DataMissingError(AllyscopeError):
    """A data file has not been fetched."""


class ChecksumError(AllyscopeError):
    """A file's SHA-256 differs from the pinned one."""


class CorruptFileError(AllyscopeError):
    """A file cannot be read (truncated, not the declared format)."""


class SchemaError(AllyscopeError):
    """A file or table whose columns or types differ from the declaration."""


class WarehouseError(AllyscopeError):
    """The warehouse is missing, out of date or lacks a table."""


class InvalidInputError(AllyscopeError, ValueError):
    """A parameter value that cannot be used (impossible years, empty groups, ...)."""


class RecordValidationError(AllyscopeError):
    """A curated record file failed validation; names the file and line."""


def suggest(name: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Close matches for ``name`` among ``choices`` (case-insensitive)."""
    choices = list(dict.fromkeys(str(c) for c in choices))
    lower = {c.lower(): c for c in choices}
    hits = difflib.get_close_matches(name.lower(), list(lower), n=n, cutoff=0.6)
    if not hits:  # substring matches help with abbreviations ("korea" -> "South Korea")
        hits = [k for k in lower if name.lower() in k][:n]
    return [lower[h] for h in hits]
