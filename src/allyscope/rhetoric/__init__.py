"""What states say at the UN General Debate, 1946-2024: which states each speech names and
in what tone, how salient named themes are, how alike two states' speeches are, and a
one-dimensional text position per state and year.

>>> from allyscope import rhetoric
>>> r = rhetoric.rhetoric(["JPN", "KOR"], 2010)   # both directions per year, with evidence
>>> r.dyads, r.evidence
>>> t = rhetoric.themes(["USA", "JPN", "KOR"], "rules-based order")
>>> rhetoric.mention_edges(2022), rhetoric.similarity_edges(2022)   # network layers
>>> rhetoric.defacto_component()                                    # 0-1, 1946-2024

Definitions, dictionaries and the validation against UN ideal points: ``docs/rhetoric.md``.
The tables are computed once per warehouse build (``allyscope.store.cached_table``).
"""

from allyscope.rhetoric.analysis import tables
from allyscope.rhetoric.query import (
    CITATIONS,
    COVERAGE,
    SOURCES,
    RhetoricResult,
    ThemeResult,
    defacto_component,
    mention_edges,
    positions,
    rhetoric,
    similarity_edges,
    speeches,
    theme_names,
    themes,
)

__all__ = [
    "CITATIONS",
    "COVERAGE",
    "SOURCES",
    "RhetoricResult",
    "ThemeResult",
    "defacto_component",
    "mention_edges",
    "positions",
    "rhetoric",
    "similarity_edges",
    "speeches",
    "tables",
    "theme_names",
    "themes",
]
