"""The UN General Debate corpus as a source: every archive member checked, one clear
error for a damaged archive, download from the pinned commit with resume."""

from __future__ import annotations

import hashlib
import http.server
import io
import tarfile
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import zstandard

from allyscope.errors import ChecksumError, CorruptFileError
from allyscope.fetch import DownloadError
from allyscope.sources import ungd
from allyscope.sources.ungd import PinnedFile, download_corpus, read_corpus, verify_archive

BASE = ungd.UPSTREAM_DIR


def _speakers_xlsx() -> bytes:
    """A small speakers workbook with the upstream columns (written by polars)."""
    buf = io.BytesIO()
    pl.DataFrame(
        {
            "Year": [2022, 2022],
            "Session": [77, 77],
            "ISO Code": ["USA", "JPN"],
            "Country": ["United States", "Japan"],
            "Name of Person Speaking": ["Joseph R. Biden", "Kishida Fumio"],
            "Post": ["President", "Prime Minister"],
        }
    ).write_excel(buf)
    return buf.getvalue()


SPEECHES = {
    f"{BASE}/TXT/Session 77 - 2022/USA_77_2022.txt": "Russia invaded Ukraine. We stand with Kyiv.\n",
    f"{BASE}/TXT/Session 77 - 2022/JPN_77_2022.txt": "North Korea launched missiles.\n",
    f"{BASE}/TXT/Session 77 - 2022/KOR_77_2022.txt": "Freedom matters to the Republic of Korea.\n",
}


@pytest.fixture(scope="module")
def corpus_files() -> dict[str, bytes]:
    files = {path: text.encode() for path, text in SPEECHES.items()}
    files[f"{BASE}/Speakers_by_session.xlsx"] = _speakers_xlsx()
    files[f"{BASE}/README.txt"] = b"test corpus\n"
    return files


def _pins(files: dict[str, bytes]) -> tuple[PinnedFile, ...]:
    return tuple(
        PinnedFile(p, hashlib.sha256(d).hexdigest(), len(d)) for p, d in sorted(files.items())
    )


def _archive(path: Path, files: dict[str, bytes]) -> Path:
    with (
        open(path, "wb") as raw,
        zstandard.ZstdCompressor().stream_writer(raw, closefd=False) as zw,
        tarfile.open(fileobj=zw, mode="w|") as tar,
    ):
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_archive_is_read_with_speakers_and_word_counts(
    tmp_path: Path, corpus_files: dict[str, bytes]
) -> None:
    pins = _pins(corpus_files)
    df = read_corpus(_archive(tmp_path / "c.tar.zst", corpus_files), pins)
    assert df.height == 3
    usa = df.filter(pl.col("iso3") == "USA").row(0, named=True)
    assert (usa["session"], usa["year"]) == (77, 2022)
    assert usa["speaker"] == "Joseph R. Biden" and usa["post"] == "President"
    assert usa["words"] == 7  # Russia invaded Ukraine We stand with Kyiv
    assert df.filter(pl.col("iso3") == "KOR")["speaker"].item() is None  # not in the workbook


def test_damaged_member_is_one_checksum_error_naming_it(
    tmp_path: Path, corpus_files: dict[str, bytes]
) -> None:
    pins = _pins(corpus_files)
    bad = dict(corpus_files)
    name = f"{BASE}/TXT/Session 77 - 2022/JPN_77_2022.txt"
    bad[name] = b"North Korea launched rockets.\n"
    with pytest.raises(ChecksumError) as exc:
        read_corpus(_archive(tmp_path / "bad.tar.zst", bad), pins)
    assert "JPN_77_2022.txt" in str(exc.value) and "fetch --force ungd_speeches" in str(exc.value)


def test_missing_extra_and_truncated_archives_are_corrupt(
    tmp_path: Path, corpus_files: dict[str, bytes]
) -> None:
    pins = _pins(corpus_files)
    fewer = {k: v for k, v in corpus_files.items() if "KOR_" not in k}
    with pytest.raises(CorruptFileError, match="1 pinned corpus files are missing"):
        verify_archive(_archive(tmp_path / "fewer.tar.zst", fewer), pins)
    more = {**corpus_files, f"{BASE}/TXT/Session 77 - 2022/XYZ_77_2022.txt": b"x"}
    with pytest.raises(CorruptFileError, match="not a pinned corpus file"):
        verify_archive(_archive(tmp_path / "more.tar.zst", more), pins)
    good = _archive(tmp_path / "good.tar.zst", corpus_files).read_bytes()
    cut = tmp_path / "cut.tar.zst"
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(CorruptFileError, match="cannot read the archive"):
        verify_archive(cut, pins)


def test_shipped_file_list_is_the_mirrors(mirror: Path) -> None:
    shipped = Path(ungd.__file__).with_name(ungd.FILES_TSV).read_bytes()
    assert shipped == (mirror / "ungd" / "files.tsv").read_bytes()
    speeches = [f for f in ungd.pinned_files() if f.path.endswith(".txt") and "/TXT/" in f.path]
    assert sum(not Path(f.path).name.startswith(".") for f in speeches) == ungd.N_SPEECHES


# -- download from the pinned commit --------------------------------------------------------


class _Server:
    """Serves corpus files under /<repo>/<commit>/<path>, like raw.githubusercontent.com."""

    def __init__(self, files: dict[str, bytes], fail: set[str] | None = None) -> None:
        self.hits: dict[str, int] = {}
        self.fail = set(fail or ())
        routes = {f"/{ungd.REPO}/{ungd.COMMIT}/{p}": d for p, d in files.items()}
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = urllib.parse.unquote(self.path)
                outer.hits[path] = outer.hits.get(path, 0) + 1
                data = routes.get(path)
                if data is None or any(path.endswith(f) for f in outer.fail):
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def served(corpus_files: dict[str, bytes]) -> Iterator[tuple[dict[str, bytes], _Server]]:
    with _Server(corpus_files, fail={"KOR_77_2022.txt"}) as srv:
        yield corpus_files, srv


def test_download_resumes_and_packs_a_checked_archive(
    tmp_path: Path, served: tuple[dict[str, bytes], _Server]
) -> None:
    files, srv = served
    pins = _pins(files)
    dest = tmp_path / "raw" / "ungd" / "corpus.tar.zst"
    seen: list[tuple[int, int]] = []
    with pytest.raises(DownloadError) as exc:
        download_corpus(dest, base_url=srv.url, files=pins, workers=2, retries=2)
    assert "1 of 5 corpus files" in str(exc.value) and "KOR_77_2022.txt" in str(exc.value)
    assert not dest.exists()  # nothing half-written
    kept = sorted(p.name for p in ungd.staging_dir(dest).rglob("*") if p.is_file())
    assert kept == sorted(Path(p).name for p in files if "KOR_" not in p)

    first_hits = dict(srv.hits)
    srv.fail.clear()
    download_corpus(
        dest,
        base_url=srv.url,
        files=pins,
        workers=2,
        retries=2,
        progress=lambda d, t: seen.append((d, t)),
    )
    again = {p: n - first_hits.get(p, 0) for p, n in srv.hits.items()}
    assert {p for p, n in again.items() if n} == {
        f"/{ungd.REPO}/{ungd.COMMIT}/{BASE}/TXT/Session 77 - 2022/KOR_77_2022.txt"
    }  # resumed: only the missing file was fetched again
    total = sum(len(d) for d in files.values())
    assert seen[-1] == (total, total)
    assert verify_archive(dest, pins) == len(files)
    assert not ungd.staging_dir(dest).exists()
    assert read_corpus(dest, pins).height == 3


def test_file_urls_are_pinned_and_escaped() -> None:
    url = ungd.file_url(f"{BASE}/TXT/Session 01 - 1946/ARG_01_1946.txt")
    assert url == (
        "https://raw.githubusercontent.com/SarahFranzen/Emotions_in_the_United_Nations_General_"
        "Debates/3b277c419f85fd6e1f14f69a5fd29a3a6b59fc96/data/data_original/TXT/"
        "Session%2001%20-%201946/ARG_01_1946.txt"
    )


@pytest.mark.data
def test_build_with_a_damaged_speech_changes_nothing(
    data_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real archive whose sixth speech differs by one byte: one error, same warehouse."""
    import dataclasses
    import shutil

    import allyscope.store as store
    from allyscope import config
    from allyscope.sources import SOURCES, get, sha256_file

    src = get("ungd_speeches")
    damaged: dict[str, bytes] = {}
    for name, data in ungd.iter_members(data_home / "raw" / src.file):
        damaged[name] = data
        if len(damaged) == 8:
            break  # the stream stops here; the rest is not needed
    victim = sorted(damaged)[5]
    damaged[victim] = damaged[victim].replace(b"e", b"E", 1)
    archive = _archive(tmp_path / "damaged.tar.zst", damaged)

    home = tmp_path / "home"
    home.mkdir()
    (home / "raw").symlink_to(data_home / "raw")
    shutil.copy2(data_home / "warehouse.duckdb", home / "warehouse.duckdb")
    digest = sha256_file(home / "warehouse.duckdb")
    previous = config._home_override
    config.set_home(home)
    try:
        bad = dataclasses.replace(src, file=str(archive))  # an absolute path wins in raw_path
        reordered = {bad.name: bad, **{k: v for k, v in SOURCES.items() if k != bad.name}}
        monkeypatch.setattr(store, "SOURCES", reordered)
        with pytest.raises(ChecksumError) as exc:
            store.build()
        assert Path(victim).name in str(exc.value)
        assert sha256_file(home / "warehouse.duckdb") == digest
        left = [p.name for p in home.iterdir() if p.name.startswith(".warehouse")]
        assert left in ([], [".warehouse.duckdb.lock"])  # the lock's file, nothing half-built
    finally:
        config._home_override = previous
