"""Multilayer alliance networks, hub-and-spoke versus lattice metrics, UN voting blocs and
a de facto alignment score (see ``docs/network.md``).

>>> from allyscope import network
>>> g = network.yearly_network(1955, "defense")              # networkx.Graph
>>> network.hub_spoke("USA", "East Asia", years=(1950, 2025))  # polars table per year
>>> network.polarization((1946, 2021))                         # UN blocs per year
>>> network.defacto("JPN", "KOR", (2015, 2024))                # score, basis, bands
>>> network.validate()                                         # later onset, DCAD

Layers: ``defense``, ``atop_other``, ``igo``, ``un_affinity``, ``un_affinity_top``,
``exercises``, ``us_troops``, ``mechanisms``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import lazy_loader as _lazy

if TYPE_CHECKING:
    from allyscope.network.defacto_score import (
        COMPONENTS,
        components,
        defacto,
        defacto_group,
        scores,
    )
    from allyscope.network.graphs import (
        MultilayerNetwork,
        edge_table,
        graph_to_json,
        layer_summary,
        multilayer_network,
        network_sequence,
        read_graph,
        write_graph,
        yearly_network,
    )
    from allyscope.network.hubspoke import hub_spoke, regional_ties, trend
    from allyscope.network.layers import (
        LAYERS,
        covered_years,
        dca_table,
        dyad_table,
        exercise_ties,
        layer_edges,
        layer_names,
        node_table,
    )
    from allyscope.network.plots import (
        defacto_figure,
        hub_spoke_figure,
        network_figure,
        polarization_figure,
        write_html,
    )
    from allyscope.network.validation import Validation, validate
    from allyscope.network.voting_blocs import bloc_position, blocs, polarization

# submodules load on first use: importing the package stays cheap (fast start-up)
_getattr, __dir__, _ = _lazy.attach(
    __name__,
    submodules=[
        "defacto_score",
        "graphs",
        "hubspoke",
        "layers",
        "plots",
        "validation",
        "voting_blocs",
    ],
    submod_attrs={
        "defacto_score": ["COMPONENTS", "components", "defacto", "defacto_group", "scores"],
        "graphs": [
            "MultilayerNetwork",
            "edge_table",
            "graph_to_json",
            "layer_summary",
            "multilayer_network",
            "network_sequence",
            "read_graph",
            "write_graph",
            "yearly_network",
        ],
        "hubspoke": ["hub_spoke", "regional_ties", "trend"],
        "layers": [
            "LAYERS",
            "covered_years",
            "dca_table",
            "dyad_table",
            "exercise_ties",
            "layer_edges",
            "layer_names",
            "node_table",
        ],
        "plots": [
            "defacto_figure",
            "hub_spoke_figure",
            "network_figure",
            "polarization_figure",
            "write_html",
        ],
        "validation": ["Validation", "validate"],
        "voting_blocs": ["bloc_position", "blocs", "polarization"],
    },
)
_RENAMED = {
    "analyze_blocs": ("voting_blocs", "analyze"),
}


def __getattr__(name: str) -> Any:
    if name in _RENAMED:
        sub, attr = _RENAMED[name]
        return getattr(importlib.import_module(f"{__name__}.{sub}"), attr)
    return _getattr(name)


__all__ = [
    "COMPONENTS",
    "LAYERS",
    "MultilayerNetwork",
    "Validation",
    "analyze_blocs",
    "bloc_position",
    "blocs",
    "components",
    "covered_years",
    "dca_table",
    "defacto",
    "defacto_figure",
    "defacto_group",
    "dyad_table",
    "edge_table",
    "exercise_ties",
    "graph_to_json",
    "hub_spoke",
    "hub_spoke_figure",
    "layer_edges",
    "layer_names",
    "layer_summary",
    "multilayer_network",
    "network_figure",
    "network_sequence",
    "node_table",
    "polarization",
    "polarization_figure",
    "read_graph",
    "regional_ties",
    "scores",
    "trend",
    "validate",
    "write_graph",
    "write_html",
    "yearly_network",
]
