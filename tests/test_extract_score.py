"""The scorer of the extraction evaluation corpus (bench/extract_eval/score.py): its
matching rule, one-to-one matching and document bootstrap, on records made up here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

CORPUS = Path(__file__).resolve().parents[1] / "bench" / "extract_eval"


@pytest.fixture(scope="module")
def sc():
    spec = importlib.util.spec_from_file_location("extract_eval_score", CORPUS / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def rec(sc, type_="leaders_summit", who=("JPN", "KOR"), date="2023-08-18", ev="They met.", **kw):
    return sc.Rec(type_, frozenset(who), date, (ev,), **kw)


def test_dates_agree_within_tolerance_and_coarse_spans(sc):
    assert sc.dates_agree("2023-08-18", "2023-08-18")
    assert sc.dates_agree("2023-08-18", "2023-08-24")  # 6 days
    assert not sc.dates_agree("2023-08-18", "2023-09-18")
    assert sc.dates_agree("2023-08", "2023-08-31")  # a month stands for all its days
    assert sc.dates_agree("2023", "2023-12-31")
    assert sc.dates_agree("2023-12", "2024-01-05")  # within 7 days of the month's end
    assert not sc.dates_agree("2022", "2023-08-18")
    assert sc.dates_agree(None, None)
    assert not sc.dates_agree(None, "2023-08-18")


def test_matching_rule(sc):
    gold = rec(sc)
    assert sc.compatible(rec(sc, who=("USA", "JPN")), gold)  # overlap is enough
    assert not sc.compatible(rec(sc, who=("USA", "CHN")), gold)
    assert not sc.compatible(rec(sc, type_="foreign_ministerial"), gold)
    assert not sc.compatible(rec(sc, date="2021-03-12"), gold)
    # a candidate dated from the document (no date in the text) agrees with an undated gold
    undated_gold = rec(sc, date=None)
    assert sc.compatible(rec(sc, date_from_document=True), undated_gold)
    assert not sc.compatible(rec(sc), undated_gold)
    # evidence overlap only when asked for
    far = rec(sc, ev="Something else entirely.")
    assert sc.compatible(far, gold)
    assert not sc.compatible(far, gold, evidence=True)


def test_matching_is_one_to_one_and_maximal(sc):
    # the first candidate could take either gold record; a greedy pass giving it the
    # first would leave the second candidate without a partner
    g1 = rec(sc, who=("JPN", "KOR"), date="2023-08")
    g2 = rec(sc, who=("JPN", "KOR"), date="2023-08-18")
    p1 = rec(sc, who=("JPN", "KOR"), date="2023-08-18")
    p2 = rec(sc, who=("JPN", "KOR"), date="2023-08-02")
    pairs = sc.match([p1, p2], [g1, g2])
    assert sorted(pairs) == [(0, 1), (1, 0)]
    # one gold record cannot be matched twice
    assert len(sc.match([p1, p1], [g2])) == 1


def test_scores_and_bootstrap(sc):
    a = sc.DocResult("a", [rec(sc)], [rec(sc)], pairs=[(0, 0)])
    b = sc.DocResult("b", [rec(sc, type_="joint_exercise")], [rec(sc)], pairs=[])
    rows = {r["type"]: r for r in sc.score([a, b], n_boot=200, seed=1)}
    total = rows["all types"]
    assert (total["gold"], total["predicted"], total["matched"]) == (2, 2, 1)
    assert total["precision"] == 0.5 and total["recall"] == 0.5
    lo, hi = total["precision_ci"]
    assert 0.0 <= lo <= 0.5 <= hi <= 1.0
    assert rows["joint_exercise"]["precision"] is None  # no candidate of that type
    assert rows["joint_exercise"]["recall"] == 0.0
    # the same seed gives the same intervals
    again = {r["type"]: r for r in sc.score([a, b], n_boot=200, seed=1)}
    assert again["all types"]["f1_ci"] == total["f1_ci"]


def test_counts_pool_documents(sc):
    docs = [sc.DocResult(str(i), [rec(sc)], [rec(sc)], pairs=[(0, 0)]) for i in range(3)]
    c = sc.counts(docs, ["leaders_summit"])
    assert c.shape == (3, 2, 3)
    assert np.array_equal(c[:, -1, :].sum(axis=0), [3, 3, 3])
