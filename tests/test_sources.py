"""The source catalog matches the published mirror and is complete."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from allyscope.errors import UnknownSourceError
from allyscope.sources import SOURCES, bibtex, get
from allyscope.sources.catalog import _bib_entries


def _manifest(mirror: Path) -> dict[str, dict[str, str]]:
    with open(mirror / "MANIFEST.tsv", newline="") as fh:
        return {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}


def test_every_manifest_file_is_declared_once(mirror: Path) -> None:
    manifest = _manifest(mirror)
    declared = {s.file: s for s in SOURCES.values()}
    undeclared = sorted(set(manifest) - set(declared))
    unpublished = sorted(set(declared) - set(manifest))
    assert not undeclared, (
        f"files in the mirror's MANIFEST.tsv that no source declares: {undeclared}"
    )
    assert not unpublished, f"declared sources missing from MANIFEST.tsv: {unpublished}"
    for file, row in manifest.items():
        src = declared[file]
        assert src.sha256 == row["sha256"]
        assert src.bytes == int(row["bytes"])
        # an archive of an upstream folder gives the folder, then a description in brackets
        upstream = row["path"].split(" (")[0]
        assert src.url == (
            f"https://raw.githubusercontent.com/{row['repo']}/{row['commit']}/{upstream}"
        )


def test_declarations_are_complete() -> None:
    bib = _bib_entries()
    for src in SOURCES.values():
        assert src.title and src.description and src.unit and src.license and src.version
        assert src.citations, src.name
        for key in src.citations:
            assert key in bib, f"{src.name}: citation {key} missing from citations.bib"
        assert set(src.keys) <= set(src.column_names), src.name
        if src.years:
            assert 1400 < src.years[0] <= src.years[1] <= 2025
        assert len(set(src.column_names)) == len(src.column_names)


def test_dyadic_sources_say_their_source_in_column_names() -> None:
    assert "atop_defense" in get("atop_alliance").column_names
    assert "cow_defense" in get("cow_alliance").column_names


def test_unknown_source_suggests_the_right_one() -> None:
    with pytest.raises(UnknownSourceError) as exc:
        get("atop_aliance")
    assert "atop_alliance" in str(exc.value)


def test_bibtex_is_deduplicated_and_names_atop() -> None:
    text = bibtex(["leeds2002atop", "leeds2002atop", "miller2022peacesciencer"])
    assert text.count("@article{leeds2002atop") == 1
    assert "Alliance Treaty Obligations and Provisions" in text


def test_docs_list_every_source() -> None:
    from allyscope.sources.catalog import markdown_row

    doc = (Path(__file__).parents[1] / "docs" / "data.md").read_text()
    missing = [s.name for s in SOURCES.values() if markdown_row(s) not in doc]
    assert not missing, f"docs/data.md lacks (or has stale) rows for {missing}"
