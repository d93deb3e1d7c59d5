"""Derived-table caches are keyed by data, code and library versions: none can go stale."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from allyscope import config, store


@pytest.fixture
def package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A copy of the installed package tree that the code fingerprint is taken from."""
    tree = tmp_path / "allyscope"
    shutil.copytree(store._PACKAGE_ROOT, tree, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(store, "_PACKAGE_ROOT", tree)
    store.code_fingerprint.cache_clear()
    yield tree
    store.code_fingerprint.cache_clear()


def _edit(path: Path) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n# a changed line\n", encoding="utf-8")
    store.code_fingerprint.cache_clear()  # a new process computes it afresh


def test_editing_a_computing_module_recomputes_its_cache(
    synthetic, package_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from allyscope.un import affinity as aff
    from allyscope.un.api import affinity

    calls: list[str] = []
    compute = aff.compute

    def counted(*args, **kwargs):
        calls.append(kwargs.get("period", "?"))
        return compute(*args, **kwargs)

    monkeypatch.setattr(aff, "compute", counted)
    for f in config.cache_dir().glob("un_affinity-*.parquet"):
        f.unlink()
    first = affinity(years=2000)
    again = affinity(years=2000)
    assert len(calls) == 1 and first.equals(again)  # the second call read the cache
    (before,) = config.cache_dir().glob("un_affinity-*.parquet")

    _edit(package_copy / "un" / "affinity.py")
    edited = affinity(years=2000)
    assert len(calls) == 2 and edited.equals(first)
    (after,) = config.cache_dir().glob("un_affinity-*.parquet")  # the stale file is gone
    assert after != before


def test_key_changes_with_code_libraries_and_data_but_not_with_presentation(
    synthetic, package_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = store.cache_key("t", {"a": 1})
    assert store.cache_key("t", {"a": 1}) == base != store.cache_key("t", {"a": 2})

    (package_copy / "web" / "templates").mkdir(parents=True, exist_ok=True)
    (package_copy / "web" / "templates" / "extra.html").write_text("<p>x</p>", encoding="utf-8")
    (package_copy / "notes.pyc").write_bytes(b"\0")
    store.code_fingerprint.cache_clear()
    assert store.cache_key("t", {"a": 1}) == base  # templates and bytecode do not compute

    records = sorted((package_copy / "mechanisms" / "records").glob("*.yaml"))
    _edit(records[0])
    edited = store.cache_key("t", {"a": 1})
    assert edited != base  # shipped record files feed computations

    versions = dict(store.library_versions())
    versions["numpy"] = versions["numpy"] + ".post1"
    monkeypatch.setattr(store, "library_versions", lambda: versions)
    assert store.cache_key("t", {"a": 1}) not in (base, edited)


def test_fingerprint_is_of_names_and_contents(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("k: v\n", encoding="utf-8")
    one = store.tree_fingerprint(tmp_path)
    assert store.tree_fingerprint(tmp_path) == one
    (tmp_path / "b.yaml").rename(tmp_path / "c.yaml")
    assert store.tree_fingerprint(tmp_path) != one
    (tmp_path / "c.yaml").rename(tmp_path / "b.yaml")
    assert store.tree_fingerprint(tmp_path) == one
    (tmp_path / "a.py").write_text("x = 2\n", encoding="utf-8")
    assert store.tree_fingerprint(tmp_path) != one


def test_a_damaged_cache_file_is_recomputed(synthetic) -> None:
    calls: list[int] = []

    def compute() -> pl.DataFrame:
        calls.append(1)
        return pl.DataFrame({"x": [1, 2]})

    df = store.cached_table("probe", {}, compute)
    path = config.cache_dir() / f"{store.cache_key('probe', {})}.parquet"
    path.write_bytes(b"not parquet")
    assert store.cached_table("probe", {}, compute).equals(df) and len(calls) == 2
