"""Reference text generated from the code: panel verb signatures, the command-line
reference, the add-on and source references.

The generated blocks sit between ``[[[cog`` markers in the files they belong to and are
refreshed with::

    uv run cog -r src/allyscope/panel/core.py src/allyscope/panel/__init__.py \\
        docs/cli.md docs/addons.md docs/sources.md

``tests/test_docs.py`` fails when a block is out of date, or when a command, option,
add-on or source is missing from the reference.
"""

from __future__ import annotations

import inspect
from typing import Any

#: annotations the stubs may name as they are (anything else is written as ``Any``)
_PLAIN_TYPES = {"bool", "int", "float", "str", "str | None", "int | None", "bool | None"}


def _ann(p: inspect.Parameter) -> str:
    a = p.annotation
    text = a if isinstance(a, str) else getattr(a, "__name__", "Any")
    return text if text in _PLAIN_TYPES else "Any"


def _literal(value: Any) -> str:
    """A default value as ruff would format it (double-quoted strings)."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def _summary(addon: Any) -> str:
    return f"{addon.title or addon.name} (add-on ``{addon.name}``)."


def panel_stubs(kind: str) -> str:
    """Typed signatures of every registered add-on verb: ``kind="method"`` for the
    :class:`~allyscope.panel.Panel` class body, ``"function"`` for the package."""
    from allyscope.panel import addons

    lines: list[str] = []
    pad = "        " if kind == "method" else "    "
    for a in addons.available():
        opts = [
            f"{p.name}: {_ann(p)}" + ("" if p.default is p.empty else f" = {_literal(p.default)}")
            for p in a.option_parameters()
        ]
        head = ["self"] if kind == "method" else ["panel: Panel"]
        params = ", ".join([*head, *(["*", *opts] if opts else [])])
        lines.append(f"{pad}def {a.verb_name}({params}) -> Panel:")
        lines.append(f'{pad}    """{_summary(a)}"""')
        lines.append(f"{pad}    ...")
        lines.append("")
    return "\n".join(lines) + "\n" if lines else ""


__all__ = ["panel_stubs"]
