"""UN Digital Library votes: checked against unvotes (2016-2019) and the State Department's
published coincidence (2020-2021), then used for roll calls, affinity and ideal points to 2021."""

from __future__ import annotations

import polars as pl
import pytest

pytestmark = pytest.mark.data


@pytest.fixture(scope="module")
def check(wh):
    from allyscope.un import undl

    return undl.compare_unvotes(wh, (2016, 2019))


def test_every_final_vote_of_unvotes_is_in_the_digital_library(check) -> None:
    assert check["matched_roll_calls"] == check["unvotes_final"]
    # what unvotes has and the Digital Library lacks: separate votes on amendments and
    # paragraphs, nothing else
    missing = check["unmatched_unvotes"]
    assert missing.height > 0 and (missing["amend"] | missing["para"]).all()


def test_the_two_sources_never_record_different_votes(check) -> None:
    assert check["conflicting"] == 0
    assert check["identical"] > 0.998
    # a member that did not vote in the Digital Library has no row in unvotes
    t = check["votes"]
    nv = t.filter(pl.col("vote_undl") == "non_voting")
    assert nv["vote_unvotes"].null_count() == nv.height


def test_state_department_counts_for_2020_are_reproduced(wh) -> None:
    from allyscope.un import compare, undl

    _, v, _ = undl.general_assembly(wh, (2020, 2020))
    assert v["token"].n_unique() == 100  # the report's number of votes in 2020
    t = compare.statedept(wh, 2020, v.rename({"token": "rcid"}))
    assert t.height == 192 and t["ccode"].null_count() == 0
    # the report's identical, opposite, partial and absent votes, state by state
    for k in ("same", "opposite", "partial", "absent"):
        assert (t[k] == t[f"{k}_c"]).all(), k
    # its percentage (two decimals) counts a partial agreement as half
    assert (t["coincidence"] - t["coincidence_half"]).abs().max() <= 0.005 + 1e-9


def test_state_department_coincidence_2021_tracks_the_computed_one(wh) -> None:
    from allyscope.un import compare, undl

    _, v, _ = undl.general_assembly(wh, (2021, 2021))
    t = compare.statedept(wh, 2021, v.rename({"token": "rcid"}))
    assert t.select(pl.corr("coincidence", "coincidence_half")).item() > 0.95
    top = t.sort("coincidence_half", descending=True)["iso3c"][0]
    assert top == "ISR"


def test_roll_calls_and_affinity_continue_to_2021_marked_by_source(wh) -> None:
    from allyscope.un import affinity
    from allyscope.un.data import load

    rc = load(wh).roll_calls
    src = rc.group_by("source").agg(
        pl.col("year").min().alias("lo"), pl.col("year").max().alias("hi")
    )
    got = {
        r[0]: (r[1], r[2]) for r in src.select(pl.col("source").cast(pl.String), "lo", "hi").rows()
    }
    assert got == {"unvotes": (1946, 2019), "undl": (2020, 2021)}
    assert (
        rc.filter(pl.col("source") == "undl")["important"].null_count()
        == rc.filter(pl.col("source") == "undl").height
    )  # the State Department's "important" flag is unknown, not false
    a = affinity(years=range(2020, 2022))
    us = a.filter((pl.col("ccode1") == 2) | (pl.col("ccode2") == 2)).with_columns(
        pl.when(pl.col("ccode1") == 2).then("ccode2").otherwise("ccode1").alias("other")
    )
    assert set(us["source"].cast(pl.String).unique()) == {"undl"}
    mean = us.group_by("other").agg(pl.col("s_score").mean()).sort("s_score", descending=True)
    order = mean["other"].to_list()
    assert order[0] == 666  # Israel
    assert {731, 40, 630, 652} & set(order[-8:])  # North Korea, Cuba, Iran, Syria


def test_repeated_records_count_once_and_titles_carry_issue_codes(wh) -> None:
    from allyscope.un import undl
    from allyscope.un.data import load

    rc_all = undl.roll_calls(wh, (2020, 2021))
    kept = load(wh).roll_calls.filter(pl.col("source") == "undl")
    by_symbol = rc_all.join(kept.select("token"), on="token")
    # the Palestine vote of 1 December 2021 is in the file under the draft and the
    # resolution symbol: one roll call
    pal = rc_all.filter(
        pl.col("title").str.contains("Peaceful settlement of the question of Palestine")
    )
    pal21 = pal.filter(pl.col("year") == 2021)
    assert pal21.height == 3 and by_symbol.join(pal21, on="token").height == 1
    tpnw = kept.join(
        rc_all.filter(pl.col("resolution") == "A/RES/76/34").select("token"), on="token"
    )
    assert tpnw["nu"].item() is True
    known = kept.drop_nulls("me")
    assert known.height / kept.height > 0.8 and known.filter(pl.col("me")).height > 10
