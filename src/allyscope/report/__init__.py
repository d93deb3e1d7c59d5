"""The alliance report: one self-contained HTML (or PDF) file for any group of states.

    >>> from allyscope.report import resolve_group, build_report, write_report
    >>> group = resolve_group(["USA", "JPN", "KOR"], 1990, 2025)
    >>> write_report(build_report(group), "report.html")

The report answers the questions of its registered sections (institutionalization,
alignment over time, the de facto alliance score, hub-and-spoke vs lattice and blocs,
forecast and scenarios; :func:`allyscope.views.sections.registered_sections`) from
:mod:`allyscope.api`, and lists its data sources, versions and citations. The command
line is ``allyscope report USA JPN KOR -o report.html``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader as _lazy

if TYPE_CHECKING:
    from allyscope.groups import Group, resolve_group
    from allyscope.report.build import Report, build_report, render_html, write_report
    from allyscope.views.figures import Figure, Table
    from allyscope.views.sections import Section

# submodules load on first use: importing the package stays cheap (fast start-up)
_lazy_getattr, __dir__, _ = _lazy.attach(
    __name__,
    submodules=["build"],
    submod_attrs={"build": ["Report", "build_report", "render_html", "write_report"]},
)
_ELSEWHERE = {
    "Group": "allyscope.groups",
    "resolve_group": "allyscope.groups",
    "Figure": "allyscope.views.figures",
    "Table": "allyscope.views.figures",
    "Section": "allyscope.views.sections",
}


def __getattr__(name: str) -> object:
    if name in _ELSEWHERE:
        import importlib

        return getattr(importlib.import_module(_ELSEWHERE[name]), name)
    return _lazy_getattr(name)


__all__ = [
    "Figure",
    "Group",
    "Report",
    "Section",
    "Table",
    "build_report",
    "render_html",
    "resolve_group",
    "write_report",
]
