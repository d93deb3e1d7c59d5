"""The reference docs are generated from the code and complete: every command, option,
add-on and source is documented, and the generated blocks are current."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERATED = [
    "docs/cli.md",
    "docs/addons.md",
    "docs/sources.md",
    "docs/api.md",
    "src/allyscope/panel/_verbs.py",
]


@pytest.mark.parametrize("path", GENERATED)
def test_generated_blocks_are_current(path: str):
    from cogapp import Cog

    rc = Cog().main(["cog", "--check", "--verbosity=0", str(ROOT / path)])
    assert rc == 0, f"{path} is out of date: run `uv run cog -r {path}`"


def _text(path: str) -> str:
    return (ROOT / path).read_text(encoding="utf-8")


def test_every_command_and_option_is_documented():
    from allyscope.docgen import command_names, command_options

    text = _text("docs/cli.md")
    names = command_names()
    # the commands a user reaches first are there (the registry is not empty)
    for must in ("allyscope data fetch", "allyscope report", "allyscope panel dyad-years"):
        assert must in names
    missing = [n for n in names if f"`{n}`" not in text]
    assert not missing, f"undocumented commands: {missing}"
    for name in names:
        section = text.split(f"# `{name}`\n", 1)[1].split("\n#", 1)[0]
        undocumented = [o for o in command_options(name) if o not in section and o != "--help"]
        assert not undocumented, f"{name}: undocumented options {undocumented}"


def test_every_addon_is_documented():
    from allyscope.panel import addons

    text = _text("docs/addons.md")
    names = [a.name for a in addons.available()]
    assert {"atop", "nmc", "un_affinity", "mechanisms"} <= set(names)
    missing = [n for n in names if f"### `{n}`" not in text]
    assert not missing, f"undocumented add-ons: {missing}"


def test_every_source_is_documented():
    from allyscope.sources import SOURCES

    text = _text("docs/sources.md")
    assert {"atop_alliance", "un_votes", "cow_states"} <= set(SOURCES)
    missing = [n for n in SOURCES if f"| `{n}` |" not in text]
    assert not missing, f"undocumented sources: {missing}"


def test_cli_names_follow_the_convention():
    """Hyphens, never underscores, in command and option names."""
    from allyscope.docgen import command_names, command_options

    for name in command_names():
        assert "_" not in name, name
        for opt in command_options(name):
            if opt.startswith("--"):
                assert "_" not in opt, f"{name} {opt}"


def _public_functions(module) -> list:
    out = []
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        if inspect.isfunction(obj) and obj.__module__ == module.__name__:
            out.append(obj)
    return out


def test_query_layer_is_documented_numpydoc_style():
    """Every public function of allyscope.api says what it returns, and those taking
    parameters describe them (numpydoc sections)."""
    from allyscope import api

    for fn in _public_functions(api):
        doc = inspect.getdoc(fn) or ""
        assert doc, f"api.{fn.__name__} has no docstring"
        params = [p for p in inspect.signature(fn).parameters if p not in ("self",)]
        if params:
            assert re.search(r"^Parameters\n-{10}", doc, re.M), f"api.{fn.__name__}: Parameters"
            for p in params:
                assert re.search(rf"^{p}\b", doc, re.M), f"api.{fn.__name__}: parameter {p}"
        assert re.search(r"^Returns\n-{7}", doc, re.M), f"api.{fn.__name__}: Returns"


def test_generated_verbs_are_documented_for_help():
    """help(Panel.add_nmc) shows the add-on's definition, coverage and sources."""
    import pydoc

    from allyscope.panel import Panel, add_mme, addons

    addons.discover()
    text = pydoc.render_doc(Panel.add_nmc, renderer=pydoc.plaintext)
    assert "nmc_milex" in text and "Coverage" in text and "nmc" in text
    sig = inspect.signature(add_mme)
    assert list(sig.parameters) == ["panel", "names"]
    assert sig.parameters["names"].kind is inspect.Parameter.KEYWORD_ONLY
    assert sig.parameters["names"].default is False
