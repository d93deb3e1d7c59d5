"""Extension points: a separately installed package adds an add-on, a report section and a
command through entry points, exactly as allyscope registers its own."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

PLUGIN = '''
"""A small third-party allyscope extension."""
import polars as pl

from allyscope.panel.addons import AddOn, register
from allyscope.views.sections import Section, SectionSpec


def _decade(df, ctx, width: int = 10):
    return df.with_columns(((pl.col("year") // width) * width).alias("demo_decade"))


register(
    AddOn(
        name="demo_decade",
        func=_decade,
        units=("state-year", "dyad-year"),
        sources=(),
        coverage=None,
        title="Decade of the year",
        definition="demo_decade: the first year of the decade (1990 for 1994).",
        options={"width": "years per period (default 10)"},
        module=__name__,
    )
)


def _build(group):
    s = Section("demo", "Demo section", "Which states are in the group?")
    s.findings.append("Members: " + ", ".join(group.short(c) for c in group.ccodes) + ".")
    return s


SECTION = SectionSpec("demo", "Demo section", _build, order=60)


def register_commands(app):
    @app.command("demo-hello")
    def hello() -> None:
        """Say hello."""
        print("hello from the demo plugin")
'''

ENTRY_POINTS = """
[allyscope.panel_addons]
demo = allyscope_demo_plugin

[allyscope.report_sections]
demo = allyscope_demo_plugin:SECTION

[allyscope.commands]
demo = allyscope_demo_plugin:register_commands
"""


@pytest.fixture
def demo_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The package as an installer leaves it: the module plus its .dist-info."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "allyscope_demo_plugin.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    info = site / "allyscope_demo_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: allyscope-demo-plugin\nVersion: 0.1\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(ENTRY_POINTS, encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    from allyscope import plugins
    from allyscope.panel import addons

    plugins.refresh()
    addons.discover(rescan=True)
    yield site
    addons.unregister("demo_decade")
    sys.modules.pop("allyscope_demo_plugin", None)
    monkeypatch.undo()
    plugins.refresh()


def test_builtins_use_the_same_entry_points():
    from allyscope.plugins import plugins

    assert {"data", "panel", "report", "un", "web"} <= {
        p.name for p in plugins("allyscope.commands")
    }
    assert {"builtin", "un", "mechanisms"} <= {p.name for p in plugins("allyscope.panel_addons")}
    assert all(p.builtin for p in plugins("allyscope.report_sections"))
    # every allyscope module that registers add-ons is declared as an entry point
    from allyscope.panel.addons import builtin_provider_modules

    declared = {p.module for p in plugins("allyscope.panel_addons")}
    undeclared = set(builtin_provider_modules()) - declared
    assert not undeclared, (
        f'declare {sorted(undeclared)} under [project.entry-points."allyscope.panel_addons"] '
        "in pyproject.toml"
    )
    # and every command module
    from allyscope.cli import builtin_command_modules

    declared = {p.module for p in plugins("allyscope.commands")}
    undeclared = set(builtin_command_modules()) - declared
    assert not undeclared, (
        f'declare {sorted(undeclared)} under [project.entry-points."allyscope.commands"] '
        "in pyproject.toml"
    )


def test_plugin_adds_an_addon_with_a_generated_verb(demo_plugin, synthetic):
    import inspect

    import allyscope.panel as P
    from allyscope.panel import Panel, state_years

    p = state_years(years=(1994, 1996)).add_demo_decade()
    assert p.addons[-1] == "demo_decade"
    assert set(p.df["demo_decade"].unique().to_list()) == {1990}
    wide = state_years(years=(1994, 1996)).add("demo_decade", width=100)
    assert set(wide.df["demo_decade"].unique().to_list()) == {1900}
    # the function form and the method are made from the same declaration
    assert P.add_demo_decade(state_years(years=(2001, 2001))).df["demo_decade"][0] == 2000
    assert "first year of the decade" in (Panel.add_demo_decade.__doc__ or "")
    assert "width" in inspect.signature(Panel.add_demo_decade).parameters


def test_plugin_addon_is_listed_and_removable(demo_plugin):
    from allyscope.panel import Panel, addons

    assert "demo_decade" in {a.name for a in addons.available()}
    addons.unregister("demo_decade")
    assert not hasattr(Panel, "add_demo_decade")


def test_plugin_adds_a_report_section(demo_plugin, synthetic, monkeypatch):
    from allyscope.report import build, build_report, render_html, resolve_group
    from allyscope.views.sections import registered_sections

    names = [s.name for s in registered_sections()]
    builtin = ["institutions", "alignment", "rhetoric", "defacto", "structure", "forecast"]
    assert names[:6] == builtin
    assert names[-1] == "demo"
    # a report with only the plugin's section (the built-in ones are tested elsewhere)
    monkeypatch.setattr(
        build, "registered_sections", lambda: [s for s in registered_sections() if s.name == "demo"]
    )
    rep = build_report(resolve_group(["USA", "JPN"], 2000, 2010))
    html = render_html(rep)
    assert 'id="demo"' in html
    assert "Members: USA, JPN." in html


def test_plugin_adds_a_command(demo_plugin, capsys):
    import typer
    from typer.testing import CliRunner

    from allyscope.cli import register_commands

    app = typer.Typer()

    @app.callback()
    def _root() -> None: ...

    register_commands(app)
    res = CliRunner().invoke(app, ["demo-hello"])
    assert res.exit_code == 0, res.output
    assert "hello from the demo plugin" in res.output
