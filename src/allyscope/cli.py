"""The ``allyscope`` command line: a thin client of :mod:`allyscope.api` and the analysis APIs.

Commands are attached through the entry-point group ``allyscope.commands``
(:mod:`allyscope.plugins`): each entry point names a function ``register(app)`` that adds
its commands to the Typer application. allyscope's own commands are declared there too,
so another installed package can add commands the same way.

Naming convention: measures and objects are nouns (``affinity``, ``dyad-years``,
``institutions``), actions are verbs (``fetch``, ``build``, ``serve``, ``extract``);
multi-word names use hyphens. Every command that shows a table writes it with
``-o FILE``; every command that draws writes ``--plot FILE.html``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from allyscope import __version__, clikit, config
from allyscope.errors import AllyscopeError

app = typer.Typer(
    name="allyscope",
    help="Measure, map and forecast alliances between states: formal treaties and de facto "
    "alignments.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

#: entry-point group of command modules
COMMANDS_GROUP = "allyscope.commands"


def _version(value: bool) -> None:
    if value:
        clikit.console().print(f"allyscope {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help="Data directory (default: $ALLYSCOPE_HOME or the user data dir).",
            envvar="ALLYSCOPE_HOME",
        ),
    ] = None,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="On an error, show the full chained traceback (also ALLYSCOPE_DEBUG=1).",
        ),
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    config.set_home(home)
    if debug:
        clikit.set_debug(True)


def register_commands(target: typer.Typer = app) -> None:
    """Attach the commands of every ``allyscope.commands`` entry point (once), then those
    of any ``allyscope.<package>.cli`` module no entry point names (a source checkout that
    was not reinstalled after a command module was added)."""
    if getattr(target, "_allyscope_registered", False):
        return
    import importlib

    from allyscope.plugins import plugins

    declared = set()
    for plugin in plugins(COMMANDS_GROUP):
        plugin.load()(target)
        declared.add(plugin.module)
    for module in builtin_command_modules():
        if module not in declared:
            importlib.import_module(module).register(target)
    target._allyscope_registered = True  # type: ignore[attr-defined]


def builtin_command_modules() -> list[str]:
    """The ``allyscope.<package>.cli`` modules of the installed package."""
    from pathlib import Path

    import allyscope

    return sorted(
        f"allyscope.{d.name}.cli"
        for base in allyscope.__path__
        for d in Path(base).iterdir()
        if (d / "cli.py").is_file() and (d / "__init__.py").is_file()
    )


def main(argv: list[str] | None = None) -> None:
    """Run the command line (``argv`` defaults to ``sys.argv[1:]``)."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args == ["--version"]:  # answered without loading the command modules
        print(f"allyscope {__version__}")
        return
    if os.environ.get("ALLYSCOPE_DEBUG", "").strip() not in ("", "0"):
        clikit.set_debug(True)
    register_commands()
    try:
        app(args=args, standalone_mode=True)
    except AllyscopeError as exc:
        clikit.report_error(exc)
        sys.exit(2)
    except KeyboardInterrupt:
        clikit.err_console().print("interrupted")
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()


__all__ = ["COMMANDS_GROUP", "app", "builtin_command_modules", "main", "register_commands"]
