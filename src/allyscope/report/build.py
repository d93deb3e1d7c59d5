"""Build the report for a group and write it as one self-contained HTML file (or PDF).

The HTML file embeds everything it needs: the plotly.js library (once), the figures as
JSON, the styles and the map geometry. It opens offline, from any folder, and prints
(one question per page, static colours, captions and data tables under each figure).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from allyscope import api
from allyscope.browser import HEADLESS_FLAGS, find_chromium
from allyscope.errors import AllyscopeError, InvalidInputError
from allyscope.groups import Group
from allyscope.views import BASE_SOURCES, json_script, sources_table
from allyscope.views.currency import currency_table, report_uses
from allyscope.views.figures import Table
from allyscope.views.sections import Section, build_section, registered_sections

Progress = Callable[[str, int, int], None]


@dataclass
class Report:
    group: Group
    sections: list[Section]
    info: dict[str, Any]
    sources: Table
    citations: str
    #: how current each input is (the opening data-currency table)
    currency: Table | None = None
    created: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    )
    command: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group.to_dict(),
            "sections": [s.to_dict() for s in self.sections],
            "info": self.info,
            "sources": self.sources.to_dict(),
            "citations": self.citations,
            "created": self.created,
            "currency": self.currency.to_dict() if self.currency else None,
        }


def build_report(group: Group, *, progress: Progress | None = None, command: str = "") -> Report:
    """Compute every section for ``group`` (calling the analysis modules) and collect
    sources, versions and citations."""
    specs = registered_sections()
    total = len(specs) + 1
    sections: list[Section] = []
    for i, spec in enumerate(specs):
        if progress:
            progress(spec.name, i, total)
        sections.append(build_section(spec, group))
    if progress:
        progress("sources", total - 1, total)
    used = sorted({src for s in sections for f in s.figures for src in f.sources})
    table, keys = sources_table([*BASE_SOURCES, *used] if used else None)
    section_keys = [k for s in sections for k in s.citations]
    citations = api.bibtex([*section_keys, *keys])
    if progress:
        progress("done", total, total)
    currency = currency_table(report_uses(sections), window_end=group.years[1])
    return Report(
        group, sections, api.warehouse_info(), table, citations, currency, command=command
    )


# -- rendering -----------------------------------------------------------------------------


def _env():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("allyscope.report", "templates"),
        autoescape=jinja2.select_autoescape(("html", "j2")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["json_script"] = json_script
    return env


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """The plotly.js bundle shipped inside the plotly Python package (no CDN)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def static_text(name: str) -> str:
    from importlib.resources import files

    return (files("allyscope.report") / "static" / name).read_text(encoding="utf-8")


def render_html(report: Report) -> str:
    """The whole report as one HTML document (plotly.js, styles and data embedded)."""
    tmpl = _env().get_template("report.html.j2")
    return tmpl.render(
        report=report,
        group=report.group,
        plotly_js=plotly_js(),
        css=static_text("report.css"),
        js=static_text("report.js"),
    )


def write_report(report: Report, path: str | os.PathLike[str], *, pdf: bool = False) -> Path:
    """Write the report to ``path`` atomically (HTML, or PDF with ``pdf=True`` /
    a ``.pdf`` suffix, printed by headless Chromium)."""
    from allyscope.io import atomic_path, atomic_write_text

    target = Path(path)
    html = render_html(report)
    if pdf or target.suffix.lower() == ".pdf":
        with tempfile.TemporaryDirectory(prefix="allyscope-report-") as tmp:
            src = Path(tmp) / "report.html"
            src.write_text(html, encoding="utf-8")
            with atomic_path(target) as out:
                print_pdf(src, out)
        return target
    if target.suffix.lower() not in (".html", ".htm"):
        raise InvalidInputError(
            f"cannot write the report to {os.fspath(path)!r}: use a .html or .pdf file name",
            "for example -o report.html",
        )
    atomic_write_text(target, html)
    return target


def print_pdf(html: Path, out: Path, *, timeout: float = 120.0) -> None:
    """Print ``html`` to ``out`` with headless Chromium (offline, no network)."""
    exe = find_chromium()
    if exe is None:
        raise AllyscopeError(
            "writing a PDF needs Chromium, which was not found",
            "install it (Debian: `apt-get install chromium`) or set ALLYSCOPE_CHROMIUM",
        )
    with tempfile.TemporaryDirectory(prefix="allyscope-chromium-") as profile:
        cmd = [
            exe,
            *HEADLESS_FLAGS,
            "--no-pdf-header-footer",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=20000",
            "--run-all-compositor-stages-before-draw",
            f"--print-to-pdf={out}",
            html.resolve().as_uri(),
        ]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AllyscopeError(
                f"Chromium did not finish printing the PDF within {timeout:.0f} s",
                "write HTML instead (-o report.html) and print it from a browser",
            ) from None
    if res.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        tail = (res.stderr or "").strip().splitlines()[-1:] or ["no output"]
        raise AllyscopeError(
            f"Chromium could not print the PDF ({tail[0]})",
            "write HTML instead (-o report.html) and print it from a browser",
        )


__all__ = [
    "Report",
    "build_report",
    "find_chromium",
    "json_script",
    "plotly_js",
    "print_pdf",
    "render_html",
    "sources_table",
    "write_report",
]
