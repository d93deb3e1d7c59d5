"""The sources that bring layers to their latest year: messy real files load as declared,
and anything else is an error naming the file and line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from allyscope.errors import CorruptFileError, SchemaError
from allyscope.sources import get


def _copy(mirror: Path, name: str, tmp_path: Path) -> Path:
    src = get(name)
    dest = tmp_path / Path(src.file).name
    dest.write_bytes((mirror / src.file).read_bytes())
    return dest


def test_sipri_register_loads_with_its_split_rows_joined(mirror: Path) -> None:
    src = get("sipri_arms")
    df = src.load(mirror / src.file)
    src.validate(df, src.file)
    # the deal whose comment holds a line break keeps its TIV columns
    row = df.filter(pl.col("line") == 25178).row(0, named=True)
    assert (row["recipient"], row["supplier"], row["weapon_designation"]) == (
        "Thailand",
        "Ukraine",
        "BTR-3",
    )
    assert row["tiv_per_unit"] == pytest.approx(0.25)
    assert row["tiv_delivered"] == pytest.approx(3.25)
    assert row["delivery_years"] == "2010; 2012"
    # '?' marks become flags, not values
    assert df["order_year_uncertain"].dtype == pl.Boolean
    assert df["order_year_uncertain"].sum() > 0


def test_sipri_a_broken_line_is_named(mirror: Path, tmp_path: Path) -> None:
    path = _copy(mirror, "sipri_arms", tmp_path)
    lines = path.read_bytes().split(b"\n")
    lines[99] = lines[99] + b",extra"  # line 100 of the file gets a 17th field
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(SchemaError, match=r"trade-register\.csv:100: 17 fields"):
        get("sipri_arms").load(path)


def test_sipri_an_unknown_mark_is_named(mirror: Path, tmp_path: Path) -> None:
    path = _copy(mirror, "sipri_arms", tmp_path)
    text = path.read_bytes().split(b"\n")
    assert text[12].startswith(b"Afghanistan,Brazil,2017,,6,,")
    text[12] = text[12].replace(b"Afghanistan,Brazil,2017,,", b"Afghanistan,Brazil,2017,!,", 1)
    path.write_bytes(b"\n".join(text))
    with pytest.raises(SchemaError, match=r"trade-register\.csv:13: column 'column_4' holds '!'"):
        get("sipri_arms").load(path)


def test_reign_reads_its_one_windows_byte_and_refuses_others(mirror: Path, tmp_path: Path) -> None:
    src = get("reign_leaders")
    df = src.load(mirror / src.file)
    tonga = df.filter(pl.col("leadid") == "kb-955-4")
    assert tonga["notes"][0].endswith("…")
    path = _copy(mirror, "reign_leaders", tmp_path)
    lines = path.read_bytes().split(b"\n")
    lines[9] = lines[9] + b"\x85"  # a stray byte on line 10 is not declared
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(CorruptFileError, match=r"leaderlist_3_21\.csv:10: not valid UTF-8"):
        src.load(path)


def test_usgs_reserves_that_are_not_numbers_are_named(mirror: Path, tmp_path: Path) -> None:
    src = get("usgs_world")
    df = src.load(mirror / src.file)
    src.validate(df, src.file)
    path = _copy(mirror, "usgs_world", tmp_path)
    text = path.read_text(encoding="utf-8-sig").replace(">90000000", "about 90 Mt", 1)
    path.write_text(text, encoding="utf-8")
    bad = src.load(path)
    with pytest.raises(SchemaError, match=r"MCS2025_World_Data\.csv:\d+: reserves 'about 90 Mt'"):
        src.validate(bad, path)


def test_usgs_metadata_defines_every_world_data_column(mirror: Path) -> None:
    fields = get("usgs_world_fields")
    meta = fields.load(mirror / fields.file)
    world = get("usgs_world")
    raw_cols = [c.raw.replace("_EST_", "_EST_ ") for c in world.columns if c.raw != "line"]
    assert meta["label"].to_list() == raw_cols
    assert set(meta["entity"]) == {"MCS2025_World_Data.csv"}


def test_troop_quarters_are_labelled_consistently(mirror: Path, tmp_path: Path) -> None:
    src = get("us_troops_quarterly")
    df = src.load(mirror / src.file)
    src.validate(df, src.file)
    broken = df.with_columns(
        pl.when(pl.int_range(pl.len()) == 0).then(pl.lit("July")).otherwise("month").alias("month")
    )
    with pytest.raises(SchemaError, match="labelled 'July'"):
        src.validate(broken, src.file)


def test_new_state_list_runs_to_2024_with_south_sudan_from_2011(mirror: Path) -> None:
    src = get("cow_system_v2024")
    sy = src.load(mirror / src.file)
    ssd = sy.filter(pl.col("ccode") == 626)["year"]
    assert ssd.min() == 2011 and ssd.max() == 2024
    assert sy.filter(pl.col("year") == 2024).height == 195
    assert get("cow_states_v2024").years == (1816, 2024)


def test_a_declared_repair_that_does_not_fit_is_an_error(mirror: Path, tmp_path: Path) -> None:
    # joining split rows only joins an exact continuation; anything else names the line
    from allyscope.sources.readers import TextCSV

    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2\n3,4,5,6\n", encoding="utf-8")
    src = replace(get("sipri_arms"), reader=TextCSV(join_split_rows=True))
    with pytest.raises(SchemaError, match=r"x\.csv:2: 2 fields where the header has 3"):
        src.load(path)


def test_dcad_agreements_are_dyads_signed_1980_to_2010(mirror: Path) -> None:
    src = get("dcad")
    d = src.load(mirror / src.file)
    src.validate(d, src.file)
    assert d["sign_year"].min() == 1980 and d["sign_year"].max() == 2010
    from allyscope.sources.current import DCAD_SELF_DYADS

    assert sorted(d.filter(pl.col("ccode1") == pl.col("ccode2"))["dca_id"]) == list(DCAD_SELF_DYADS)
    assert set(d["type"].unique()) == {"general", "sector"}
    # the United States and Canada sign a general DCA in 1994 (the file's second record)
    us_can = d.filter(
        (pl.col("ccode1") == 2) & (pl.col("ccode2") == 20) & (pl.col("type") == "general")
    )
    assert 1994 in us_can["sign_year"].to_list()
