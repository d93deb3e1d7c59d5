"""State-year and dyad-year panels with composable add-ons.

>>> from allyscope.panel import dyad_years
>>> p = dyad_years(years=(1946, 2014)).add_atop_alliance().add_nmc().add_contiguity()
>>> p.df          # polars; p.to_pandas(), p.to_arrow()
>>> print(p.citations())

Every add-on is also a plain function (``add_atop_alliance(panel)``) and a registry entry
(``panel.add("atop")``); see :mod:`allyscope.panel.addons` for the registry contract and
``docs/panels.md`` for definitions, coverage and citations.
"""

from __future__ import annotations

from allyscope.panel import addons
from allyscope.panel.addons import AddOn, PanelContext, available, register
from allyscope.panel.core import (
    LIST_END,
    Panel,
    dyad_years,
    filter_politically_relevant,
    membership_spells,
    state_years,
)


def _verb(name: str, doc: str):
    def verb(panel: Panel, **options) -> Panel:
        return panel.add(name, **options)

    verb.__doc__ = doc
    verb.__name__ = f"add_{name}"
    return verb


add_atop_alliance = _verb("atop", "ATOP alliance obligations (dyad-years).")
add_cow_alliance = _verb("cow_alliance", "COW formal alliance types (dyad-years).")
add_nmc = _verb("nmc", "COW National Material Capabilities.")
add_contiguity = _verb("contiguity", "COW direct contiguity type (dyad-years).")
add_minimum_distance = _verb("mindist", "CShapes minimum distance (dyad-years).")
add_capital_distance = _verb("capdist", "Capital-to-capital distance.")
add_igos = _verb("igo", "COW IGO memberships.")
add_strategic_rivalries = _verb("td_rivalries", "Thompson-Dreyer strategic rivalries.")
add_tss_rivalries = _verb("tss_rivalries", "Thompson-Sakuwa-Suhas strategic rivalries.")
add_gml_mids = _verb("gml_mids", "GML militarized interstate disputes.")
add_cow_mids = _verb("cow_mids", "COW militarized interstate disputes (MID 5).")
add_cow_majors = _verb("majors", "COW major-power status.")
add_democracy = _verb("democracy", "V-Dem polyarchy, Polity2, extended UDS.")
add_sdp_gdp = _verb("sdp_gdp", "GDP, population and surplus domestic product.")
add_archigos = _verb("leaders", "Archigos leader transitions.")
add_cow_trade = _verb("trade", "COW trade totals.")
add_us_troops = _verb("us_troops", "US troops stationed in the state.")
add_us_bases = _verb("us_bases", "US bases in the state (undated snapshot).")
add_mme_exercises = _verb("mme", "Joint multinational military exercises (MME).")


def joint_exercises(a, b, year=None):
    """The MME exercises in which states ``a`` and ``b`` both took part (see builtin)."""
    from allyscope.panel.builtin import joint_exercises as _je

    return _je(a, b, year)


__all__ = [
    "LIST_END",
    "AddOn",
    "Panel",
    "PanelContext",
    "add_archigos",
    "add_atop_alliance",
    "add_capital_distance",
    "add_contiguity",
    "add_cow_alliance",
    "add_cow_majors",
    "add_cow_mids",
    "add_cow_trade",
    "add_democracy",
    "add_gml_mids",
    "add_igos",
    "add_minimum_distance",
    "add_mme_exercises",
    "add_nmc",
    "add_sdp_gdp",
    "add_strategic_rivalries",
    "add_tss_rivalries",
    "add_us_bases",
    "add_us_troops",
    "addons",
    "available",
    "dyad_years",
    "filter_politically_relevant",
    "joint_exercises",
    "membership_spells",
    "register",
    "state_years",
]
