"""Typed signatures of the add-on verbs, for type checkers and editors.

At run time every ``add_<name>`` method of :class:`~allyscope.panel.Panel` and every
``allyscope.panel.add_<name>`` function is made from the add-on's declaration when it
registers (:mod:`allyscope.panel.addons`). The blocks below repeat their signatures for
static tools only; they are regenerated from the registry with
``uv run cog -r src/allyscope/panel/_verbs.py`` and ``tests/test_docs.py`` checks that they
are current.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from allyscope.panel.core import Panel


class AddOnVerbs:
    """Base of :class:`~allyscope.panel.Panel`: the add-on methods, declared for static tools."""

    if TYPE_CHECKING:
        # [[[cog from allyscope.docgen import panel_stubs; cog.out(panel_stubs("method")) ]]]
        def add_arms(self) -> Panel:
            """Arms transfers (SIPRI trend-indicator values) (add-on ``arms``)."""
            ...

        def add_atop(self, *, extend: bool = False) -> Panel:
            """ATOP alliance obligations (add-on ``atop``)."""
            ...

        def add_atop_extended(self, *, records: Any = None, dates: str = "in_force") -> Panel:
            """ATOP alliance obligations extended with sourced records to 2025 (add-on ``atop_extended``)."""
            ...

        def add_capdist(self) -> Panel:
            """Capital-to-capital distance (add-on ``capdist``)."""
            ...

        def add_contiguity(self) -> Panel:
            """COW direct contiguity type (add-on ``contiguity``)."""
            ...

        def add_cow_alliance(self) -> Panel:
            """COW formal alliance types (add-on ``cow_alliance``)."""
            ...

        def add_cow_mids(self, *, spells: str = "onset") -> Panel:
            """Militarized interstate disputes (COW MID 5) (add-on ``cow_mids``)."""
            ...

        def add_democracy(self) -> Panel:
            """Democracy: V-Dem polyarchy, Polity2, extended UDS (add-on ``democracy``)."""
            ...

        def add_gml_mids(self, *, spells: str = "onset") -> Panel:
            """Militarized interstate disputes (Gibler-Miller-Little) (add-on ``gml_mids``)."""
            ...

        def add_idealpoint_distance(self) -> Panel:
            """Distance between UN ideal points (add-on ``idealpoint_distance``)."""
            ...

        def add_igo(self) -> Panel:
            """IGO memberships (COW IGO 3) (add-on ``igo``)."""
            ...

        def add_leaders(self) -> Panel:
            """Leader transitions (Archigos 4.1 to 2015, then REIGN) (add-on ``leaders``)."""
            ...

        def add_majors(self) -> Panel:
            """COW major powers (add-on ``majors``)."""
            ...

        def add_mechanisms(self) -> Panel:
            """Cooperation mechanisms and institutionalization (curated records) (add-on ``mechanisms``)."""
            ...

        def add_mindist(self) -> Panel:
            """Minimum distance between states (CShapes 2.0) (add-on ``mindist``)."""
            ...

        def add_mme(self, *, names: bool = False) -> Panel:
            """Joint multinational military exercises (MME v7) (add-on ``mme``)."""
            ...

        def add_nmc(self) -> Panel:
            """COW National Material Capabilities (CINC and components) (add-on ``nmc``)."""
            ...

        def add_rhetoric(self) -> Panel:
            """UN General Debate rhetoric (add-on ``rhetoric``)."""
            ...

        def add_sdp_gdp(self) -> Panel:
            """GDP, population and surplus domestic product (simulated) (add-on ``sdp_gdp``)."""
            ...

        def add_td_rivalries(self) -> Panel:
            """Thompson-Dreyer strategic rivalries (add-on ``td_rivalries``)."""
            ...

        def add_trade(self) -> Panel:
            """COW trade totals (state-year) (add-on ``trade``)."""
            ...

        def add_tss_rivalries(self) -> Panel:
            """Thompson-Sakuwa-Suhas strategic rivalries (add-on ``tss_rivalries``)."""
            ...

        def add_un_affinity(self, *, issue: str = "all") -> Panel:
            """UN General Assembly voting affinity (add-on ``un_affinity``)."""
            ...

        def add_un_idealpoint(self) -> Panel:
            """Dynamic UN ideal point (add-on ``un_idealpoint``)."""
            ...

        def add_us_bases(self) -> Panel:
            """US military bases abroad (snapshot) (add-on ``us_bases``)."""
            ...

        def add_us_troops(self) -> Panel:
            """US military personnel stationed abroad (add-on ``us_troops``)."""
            ...

        def add_voeten_idealpoint(self) -> Panel:
            """UN ideal points of Bailey, Strezhnev and Voeten (published) (add-on ``voeten_idealpoint``)."""
            ...

        # [[[end]]]
        def add(self, name: str, **options: Any) -> Panel: ...


if TYPE_CHECKING:
    # [[[cog from allyscope.docgen import panel_stubs; cog.out(panel_stubs("function")) ]]]
    def add_arms(panel: Panel) -> Panel:
        """Arms transfers (SIPRI trend-indicator values) (add-on ``arms``)."""
        ...

    def add_atop(panel: Panel, *, extend: bool = False) -> Panel:
        """ATOP alliance obligations (add-on ``atop``)."""
        ...

    def add_atop_extended(panel: Panel, *, records: Any = None, dates: str = "in_force") -> Panel:
        """ATOP alliance obligations extended with sourced records to 2025 (add-on ``atop_extended``)."""
        ...

    def add_capdist(panel: Panel) -> Panel:
        """Capital-to-capital distance (add-on ``capdist``)."""
        ...

    def add_contiguity(panel: Panel) -> Panel:
        """COW direct contiguity type (add-on ``contiguity``)."""
        ...

    def add_cow_alliance(panel: Panel) -> Panel:
        """COW formal alliance types (add-on ``cow_alliance``)."""
        ...

    def add_cow_mids(panel: Panel, *, spells: str = "onset") -> Panel:
        """Militarized interstate disputes (COW MID 5) (add-on ``cow_mids``)."""
        ...

    def add_democracy(panel: Panel) -> Panel:
        """Democracy: V-Dem polyarchy, Polity2, extended UDS (add-on ``democracy``)."""
        ...

    def add_gml_mids(panel: Panel, *, spells: str = "onset") -> Panel:
        """Militarized interstate disputes (Gibler-Miller-Little) (add-on ``gml_mids``)."""
        ...

    def add_idealpoint_distance(panel: Panel) -> Panel:
        """Distance between UN ideal points (add-on ``idealpoint_distance``)."""
        ...

    def add_igo(panel: Panel) -> Panel:
        """IGO memberships (COW IGO 3) (add-on ``igo``)."""
        ...

    def add_leaders(panel: Panel) -> Panel:
        """Leader transitions (Archigos 4.1 to 2015, then REIGN) (add-on ``leaders``)."""
        ...

    def add_majors(panel: Panel) -> Panel:
        """COW major powers (add-on ``majors``)."""
        ...

    def add_mechanisms(panel: Panel) -> Panel:
        """Cooperation mechanisms and institutionalization (curated records) (add-on ``mechanisms``)."""
        ...

    def add_mindist(panel: Panel) -> Panel:
        """Minimum distance between states (CShapes 2.0) (add-on ``mindist``)."""
        ...

    def add_mme(panel: Panel, *, names: bool = False) -> Panel:
        """Joint multinational military exercises (MME v7) (add-on ``mme``)."""
        ...

    def add_nmc(panel: Panel) -> Panel:
        """COW National Material Capabilities (CINC and components) (add-on ``nmc``)."""
        ...

    def add_rhetoric(panel: Panel) -> Panel:
        """UN General Debate rhetoric (add-on ``rhetoric``)."""
        ...

    def add_sdp_gdp(panel: Panel) -> Panel:
        """GDP, population and surplus domestic product (simulated) (add-on ``sdp_gdp``)."""
        ...

    def add_td_rivalries(panel: Panel) -> Panel:
        """Thompson-Dreyer strategic rivalries (add-on ``td_rivalries``)."""
        ...

    def add_trade(panel: Panel) -> Panel:
        """COW trade totals (state-year) (add-on ``trade``)."""
        ...

    def add_tss_rivalries(panel: Panel) -> Panel:
        """Thompson-Sakuwa-Suhas strategic rivalries (add-on ``tss_rivalries``)."""
        ...

    def add_un_affinity(panel: Panel, *, issue: str = "all") -> Panel:
        """UN General Assembly voting affinity (add-on ``un_affinity``)."""
        ...

    def add_un_idealpoint(panel: Panel) -> Panel:
        """Dynamic UN ideal point (add-on ``un_idealpoint``)."""
        ...

    def add_us_bases(panel: Panel) -> Panel:
        """US military bases abroad (snapshot) (add-on ``us_bases``)."""
        ...

    def add_us_troops(panel: Panel) -> Panel:
        """US military personnel stationed abroad (add-on ``us_troops``)."""
        ...

    def add_voeten_idealpoint(panel: Panel) -> Panel:
        """UN ideal points of Bailey, Strezhnev and Voeten (published) (add-on ``voeten_idealpoint``)."""
        ...

    # [[[end]]]
    pass
