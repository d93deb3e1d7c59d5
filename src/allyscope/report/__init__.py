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

from allyscope.groups import Group, resolve_group
from allyscope.report.build import Report, build_report, render_html, write_report
from allyscope.views.figures import Figure, Table
from allyscope.views.sections import Section

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
