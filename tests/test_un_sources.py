"""UN voting sources: Voeten's published ideal points, the UN Digital Library's recorded votes
and the State Department's coincidence tables, as loaded and as checked."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import polars as pl
import pytest

from allyscope.errors import CorruptFileError, SchemaError
from allyscope.sources import get
from allyscope.sources.voting import UNDL_META, VOTING_SOURCES


def test_declarations_pin_every_file_once_and_cite_known_works() -> None:
    files = [s.file for s in VOTING_SOURCES]
    # one file feeds two tables (votes and roll calls); every other file one table
    assert files.count("undl/un_data_csv.zip") == 2
    assert len(set(files)) == len(files) - 1
    for s in VOTING_SOURCES:
        assert get(s.name) is s
        assert s.url.startswith("https://raw.githubusercontent.com/") and len(s.commit) == 40
        assert s.years is not None and s.years[0] <= s.years[1]
    assert get("voeten_idealpoints").years == (1946, 2025)
    assert get("undl_votes").years == (1946, 2021)


# -- the real files --------------------------------------------------------------------------


@pytest.mark.data
def test_voeten_2024_rests_on_a_handful_of_votes(wh) -> None:
    t = wh.table("voeten_idealpoints")
    by_year = t.group_by("year").agg(pl.col("n_votes").max().alias("most"), pl.len().alias("n"))
    most = dict(by_year.select("year", "most").iter_rows())
    # the source's own documentation: at most 8 votes per state in 2024
    assert most[2024] <= 8 and most[2023] > 50 and most[2025] > 50
    assert dict(by_year.select("year", "n").iter_rows())[2025] == 190
    us = t.filter((pl.col("ccode") == 2) & (pl.col("year") == 2023)).row(0, named=True)
    assert us["q5"] < us["idealpoint"] < us["q95"] and us["idealpoint"] > 1


@pytest.mark.data
def test_the_two_voeten_releases_are_separate_runs_of_one_model(wh) -> None:
    tab = wh.table("voeten_idealpoints").filter(pl.col("year") == 2019)
    dta = wh.table("voeten_idealpoints_jul2025").filter(pl.col("year") == 2019)
    j = tab.join(dta, on=["ccode", "year"])
    assert j.height > 180
    r = j.select(pl.corr("idealpoint", "idealpoint_fp")).item()
    assert r > 0.99  # the same model on the same votes ...
    assert (j["idealpoint"] - j["idealpoint_fp"]).abs().max() > 1e-4  # ... but another run


@pytest.mark.data
def test_digital_library_tallies_of_known_votes(wh) -> None:
    rc = wh.table("undl_roll_calls")
    assert rc.group_by("council").len().sort("council").rows() == [
        ("General Assembly", 5238),
        ("Security Council", 2617),
    ]
    # the embargo against Cuba, 23 June 2021: 184 in favour, the US and Israel against,
    # Brazil, Colombia and Ukraine abstaining
    cuba = rc.filter(pl.col("resolution") == "A/RES/75/289").row(0, named=True)
    assert (cuba["yes"], cuba["no"], cuba["abstain"]) == (184, 2, 3)
    votes = wh.table("undl_votes").filter(pl.col("token") == cuba["token"])
    against = votes.filter(pl.col("vote") == "no")["country"].sort().to_list()
    assert against == ["ISRAEL", "UNITED STATES"]
    abstain = votes.filter(pl.col("vote") == "abstain")["country"].sort().to_list()
    assert abstain == ["BRAZIL", "COLOMBIA", "UKRAINE"]


@pytest.mark.data
def test_state_department_tables_face_the_same_votes_for_every_state(wh) -> None:
    for year, n in [(2020, 100), (2021, 86), (2022, 89), (2023, 88)]:
        t = wh.table(f"statedept_coincidence_{year}")
        total = t.select(pl.sum_horizontal("same", "partial", "opposite", "absent"))
        assert total.to_series().unique().to_list() == [n]
        isr = t.filter(pl.col("iso3c") == "ISR")["coincidence"][0]
        assert isr == t["coincidence"].max()  # Israel votes with the US most often


# -- bad files --------------------------------------------------------------------------------


def _undl_zip(path: Path, rows: list[dict[str, str]], states: list[str]) -> Path:
    df = pl.DataFrame(rows, schema=[*UNDL_META, *states], orient="row")
    buf = io.StringIO()
    df.write_csv(buf)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("UN DATA.csv", "\ufeff" + buf.getvalue())
    return path


def _row(token: str, y: str, n: str, a: str, x: str, votes: list[str]) -> dict[str, str]:
    base = {
        "Council": "General Assembly",
        "Date": "2020-12-01",
        "Title": "A title",
        "Resolution": "A/RES/75/1",
        "TOTAL VOTES": str(sum(map(int, (y, n, a, x)))),
        "NO-VOTE COUNT": x,
        "ABSENT COUNT": a,
        "NO COUNT": n,
        "YES COUNT": y,
        "Link": "https://digitallibrary.un.org/record/1",
        "token": token,
    }
    return {**base, **dict(zip(["CUBA", "JAPAN", "PERU"], votes, strict=True))}


def test_digital_library_reader_reshapes_and_checks(tmp_path: Path) -> None:
    states = ["CUBA", "JAPAN", "PERU"]
    good = _undl_zip(
        tmp_path / "good.zip",
        [
            _row("1", "1", "1", "0", "1", ["Y", "N", "X"]),
            _row("2", "1", "0", "1", "0", ["A", "Y", None]),
        ],
        states,
    )
    votes = get("undl_votes").load(good)
    assert votes.rows() == [
        (1, "CUBA", "yes"),
        (1, "JAPAN", "no"),
        (1, "PERU", "non_voting"),
        (2, "CUBA", "abstain"),
        (2, "JAPAN", "yes"),
    ]  # PERU's blank on record 2 (not a member that day) is no row
    rc = get("undl_roll_calls").load(good)
    assert rc.select("token", "yes", "no", "abstain", "non_voting", "total").rows() == [
        (1, 1, 1, 0, 1, 3),
        (2, 1, 0, 1, 0, 2),
    ]

    off = _undl_zip(tmp_path / "off.zip", [_row("7", "2", "1", "0", "0", ["Y", "N", "X"])], states)
    with pytest.raises(SchemaError, match=r"record 7: YES COUNT is 2 but .* hold 1"):
        get("undl_votes").load(off)
    code = _undl_zip(
        tmp_path / "code.zip", [_row("8", "1", "1", "0", "1", ["Y", "N", "Z"])], states
    )
    with pytest.raises(SchemaError, match=r"vote 'Z' for 'PERU' on record 8"):
        get("undl_roll_calls").load(code)
    notzip = tmp_path / "not.zip"
    notzip.write_bytes(b"Council,Date\n")
    with pytest.raises(CorruptFileError, match="zip"):
        get("undl_votes").load(notzip)


_TAB_HEAD = "ccode\tiso3c\tCountryname\tyear\tNVotesFP\tIdealPointFP\tQ5%FP\tQ10%FP\tQ50%FP\tQ90%FP\tQ95%FP\n"


def test_voeten_reader_refuses_quantiles_out_of_order(tmp_path: Path) -> None:
    src = get("voeten_idealpoints")
    ok = tmp_path / "ok.tab"
    ok.write_text(
        _TAB_HEAD + '2\t"USA"\t"United States"\t2020\t90\t2.5\t2.3\t2.35\t2.5\t2.6\t2.7\n'
    )
    df = src.load(ok)
    assert df.row(0, named=True)["q95"] == 2.7 and df.schema["n_votes"] == pl.Int32
    bad = tmp_path / "bad.tab"
    bad.write_text(
        _TAB_HEAD + '2\t"USA"\t"United States"\t2020\t90\t2.5\t2.9\t2.35\t2.5\t2.6\t2.7\n'
    )
    assert src.check is not None
    with pytest.raises(SchemaError, match="q5 above q10"):
        src.check(src.load(bad), bad)
    cols = tmp_path / "cols.tab"
    cols.write_text(
        _TAB_HEAD.replace("NVotesFP", "Votes") + '2\t"USA"\t"U"\t2020\t9\t1\t1\t1\t1\t1\t1\n'
    )
    with pytest.raises(SchemaError, match="missing \\['NVotesFP'\\]"):
        src.load(cols)


def test_state_department_reader_refuses_unequal_totals(tmp_path: Path) -> None:
    src = get("statedept_coincidence_2020")
    f = tmp_path / "sd.csv"
    f.write_text(
        "COUNTRY,ISO,SAME,PARTIAL,OPPOSITE,ABSENT,COINCIDENCE\n"
        "Albania,ALB,42,21,37,0,0.53\nAndorra,AND,34,21,44,0,0.45\n"
    )
    assert src.check is not None
    with pytest.raises(SchemaError, match="differs between states"):
        src.check(src.load(f), f)
