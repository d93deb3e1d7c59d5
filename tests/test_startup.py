"""Importing allyscope's packages and the command line stays light: no web framework,
machine-learning or graph library until a command needs it (start-up time is measured
in bench/startup.py, not here)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("fastapi", "sklearn", "networkx", "scipy", "igraph", "plotly", "numba")
PACKAGES = [
    "allyscope",
    "allyscope.cli",
    "allyscope.clikit",
    "allyscope.panel",
    "allyscope.report",
    "allyscope.web",
    "allyscope.network",
    "allyscope.forecast",
    "allyscope.extract",
    "allyscope.un",
]


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return {m.split(".")[0] for m in json.loads(out.stdout.strip().splitlines()[-1])}


@pytest.mark.parametrize("package", PACKAGES)
def test_package_import_is_light(package: str):
    loaded = _loaded_after(f"import {package}")
    assert not loaded & set(HEAVY), f"import {package} loads {sorted(loaded & set(HEAVY))}"


def test_command_line_help_is_light():
    """Registering every command (what --help needs) imports no heavy library."""
    loaded = _loaded_after("import allyscope.cli as c; c.register_commands()")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_version_answers_without_the_commands():
    out = subprocess.run(
        [sys.executable, "-c", "from allyscope.cli import main; main(['--version'])"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith("allyscope ")


@pytest.mark.parametrize("package", [p for p in PACKAGES if p.count(".") == 1])
def test_no_lazy_name_is_also_a_submodule(package: str):
    """A name exported by a package must not also be one of its submodules: importing the
    submodule would replace the exported function with the module."""
    import importlib
    from pathlib import Path

    pkg = importlib.import_module(package)
    if not hasattr(pkg, "__path__"):
        return
    subs = {p.stem for base in pkg.__path__ for p in Path(base).glob("*.py")}
    subs |= {p.parent.name for base in pkg.__path__ for p in Path(base).glob("*/__init__.py")}
    import types

    both = set(getattr(pkg, "__all__", [])) & subs
    clash = sorted(n for n in both if not isinstance(getattr(pkg, n), types.ModuleType))
    assert not clash, f"{package} exports {clash}, which are also submodules"
