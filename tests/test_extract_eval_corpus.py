"""The extraction evaluation corpus in bench/extract_eval: texts unedited, split fixed.

These checks guard the properties a reviewer relies on when reading scores on the
corpus: each document is the stored source text (archived copies match the archive's
length and render to the committed text), the blind/dev split is the seeded one made
before labelling, and the corpus spans the groupings, years and negatives it claims.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest
import yaml

CORPUS = Path(__file__).resolve().parents[1] / "bench" / "extract_eval"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"extract_eval_{name}", CORPUS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sources() -> list[dict]:
    return yaml.safe_load((CORPUS / "sources.yaml").read_text(encoding="utf-8"))["documents"]


def test_committed_texts_are_the_stored_sources(sources):
    build = _load("build")
    for entry in sources:
        text, _, _ = build.document_text(entry)
        committed = (CORPUS / "docs" / f"{entry['id']}.txt").read_text(encoding="utf-8")
        assert committed == text, entry["id"]


def test_an_edited_archive_copy_is_refused(sources, tmp_path, monkeypatch):
    build = _load("build")
    entry = next(e for e in sources if "chars" in e["via"])
    raw = (CORPUS / "raw" / f"{entry['id']}.md").read_text(encoding="utf-8")
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / f"{entry['id']}.md").write_text(raw.replace("the", "a", 1), "utf-8")
    monkeypatch.setattr(build, "HERE", tmp_path)
    with pytest.raises(build.CorpusError, match="characters"):
        build.document_text(entry)


def test_markdown_rendering_keeps_words_and_drops_markup():
    build = _load("build")
    body = (
        "Leaders met\ntoday.  \n**<u>Efforts</u>**\n\n-   The three NSAs agreed.\n"
        "\\###\n\n<table><tr><td>SUGA\nYoshihide</td><td>Joseph R. Biden</td></tr></table>\n"
    )
    assert build.render_markdown(body) == (
        "Leaders met today.\nEfforts\n\n- The three NSAs agreed. ###\n\n"
        "SUGA Yoshihide\tJoseph R. Biden\n"
    )


def test_split_is_the_seeded_stratified_one(manifest):
    split = _load("split")
    rows = manifest["documents"]
    assert manifest["split"]["seed"] == split.SEED
    assert {r["id"]: r["split"] for r in rows} == split.assign(rows)
    counts = Counter(r["split"] for r in rows)
    assert abs(counts["blind"] - counts["dev"]) <= 1
    strata = Counter((r["grouping"], r["selected_as"]) for r in rows)
    for (grouping, guess), n in strata.items():
        in_blind = sum(
            r["split"] == "blind"
            for r in rows
            if (r["grouping"], r["selected_as"]) == (grouping, guess)
        )
        assert abs(2 * in_blind - n) <= 1, (grouping, guess)


def test_corpus_spans_groupings_years_and_negatives(manifest):
    rows = manifest["documents"]
    assert len(rows) >= 70
    negatives = sum(r["selected_as"] == "no_mechanism" for r in rows)
    assert 0.2 <= negatives / len(rows) <= 0.35
    by_grouping = Counter(r["grouping"] for r in rows)
    for grouping in ("us-japan-rok", "japan-rok", "quad", "aukus", "china-russia", "russia-dprk"):
        assert by_grouping[grouping] >= 5, grouping
    for grouping in ("us-japan-australia", "us-japan-philippines", "nato-ip4"):
        assert by_grouping[grouping] >= 3, grouping
    years = {r["date"].year for r in rows}
    assert min(years) == 2008 and max(years) == 2025
    assert len([y for y in years if y < 2021]) >= 10
    assert {r["language"] for r in rows} == {"en"}
    for r in rows:
        assert r["word_count"] > 0 and r["url"].startswith("http")


def test_existing_labels_pass_the_checker():
    check = _load("check_labels")
    assert check.main([]) == 0
