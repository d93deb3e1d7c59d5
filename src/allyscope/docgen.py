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


# -- the command-line reference ------------------------------------------------------------


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _commands() -> list[tuple[str, Any]]:
    """Every command of ``allyscope`` as (full name, click command), depth first."""
    import typer

    from allyscope.cli import app, register_commands

    register_commands()
    root = typer.main.get_command(app)
    out: list[tuple[str, Any]] = []

    def walk(prefix: str, cmd: Any) -> None:
        out.append((prefix, cmd))
        if _is_group(cmd):
            for name in sorted(cmd.commands):
                walk(f"{prefix} {name}", cmd.commands[name])

    walk("allyscope", root)
    return out


def command_names() -> list[str]:
    """Full names of every command and group (``allyscope panel dyad-years``)."""
    return [name for name, _ in _commands()]


def command_options(name: str) -> list[str]:
    """The option flags (longest spelling) and argument names of one command."""
    cmd = dict(_commands())[name]
    return [_param_name(p) for p in cmd.params]


def _is_group(cmd: Any) -> bool:
    return isinstance(getattr(cmd, "commands", None), dict)


def _is_argument(p: Any) -> bool:
    return getattr(p, "param_type_name", "") == "argument"


def _param_name(p: Any) -> str:
    if _is_argument(p):
        return str(p.name).upper()
    return str(max(p.opts, key=len))


def cli_reference() -> str:
    """Markdown reference of every command: usage, description, arguments and options."""
    lines: list[str] = []
    for name, cmd in _commands():
        depth = name.count(" ")
        lines.append(f"{'#' * min(depth + 2, 4)} `{name}`")
        lines.append("")
        if cmd.help:
            lines.append(" ".join(cmd.help.split("\n\n")[0].split()))
            lines.append("")
        if _is_group(cmd):
            lines.append("Commands: " + ", ".join(f"`{c}`" for c in sorted(cmd.commands)) + ".")
            lines.append("")
        params = [
            p for p in cmd.params if getattr(p, "help", None) != "Show this message and exit."
        ]
        if params:
            lines += ["| argument or option | description |", "|---|---|"]
            for p in params:
                flags = (
                    _param_name(p) if _is_argument(p) else ", ".join([*p.opts, *p.secondary_opts])
                )
                lines.append(f"| `{flags}` | {_cell(getattr(p, 'help', '') or '')} |")
            lines.append("")
    return "\n".join(lines)


# -- the add-on and source references ---------------------------------------------------------


def addon_reference() -> str:
    """Markdown reference of every registered panel add-on."""
    from allyscope.panel import addons

    lines: list[str] = []
    for a in addons.available():
        d = a.describe()
        lines += [f"### `{a.name}` — {a.title or a.name}", ""]
        lines.append(
            f"`Panel.{a.verb_name}()` · `--add {a.name}` · units: {', '.join(a.units)} · "
            f"systems: {', '.join(s.upper() for s in a.systems)} · coverage: {d['coverage']}"
        )
        lines.append("")
        if a.aliases:
            lines += ["Also accepted as: " + ", ".join(f"`{x}`" for x in a.aliases) + ".", ""]
        lines += [" ".join(a.definition.split()), ""]
        for opt, text in a.options.items():
            lines.append(f"* option `{opt}`: {_cell(text)}")
        if a.options:
            lines.append("")
        if a.notes:
            lines += [" ".join(a.notes.split()), ""]
        lines.append(
            f"Sources: {', '.join(f'`{x}`' for x in a.sources) or 'none'}; "
            f"cite: {', '.join(d['citations']) or '—'}."
        )
        lines.append("")
    return "\n".join(lines)


def source_reference() -> str:
    """Markdown table of every declared source (``allyscope.sources`` entry points)."""
    from allyscope.sources import SOURCES

    lines = [
        "| source | title | unit | years | rows | version | licence | cite |",
        "|---|---|---|---|---:|---|---|---|",
    ]
    for s in SOURCES.values():
        years = f"{s.years[0]}–{s.years[1]}" if s.years else "—"
        lines.append(
            f"| `{s.name}` | {_cell(s.title)} | {s.unit} | {years} | {s.rows:,} | "
            f"{_cell(s.version)} | {_cell(s.license)} | {', '.join(s.citations)} |"
        )
    return "\n".join(lines) + "\n"


def api_reference() -> str:
    """Markdown list of the query layer's declared result columns (``allyscope.api``)."""
    from allyscope import api

    lines: list[str] = []
    for name, schema in api.SCHEMAS.items():
        lines += [f"### `{name}`", "", "| column | meaning |", "|---|---|"]
        lines += [f"| `{c}` | {_cell(text)} |" for c, text in schema.columns.items()]
        lines.append("")
    return "\n".join(lines)


__all__ = [
    "addon_reference",
    "api_reference",
    "cli_reference",
    "command_names",
    "command_options",
    "panel_stubs",
    "source_reference",
]
