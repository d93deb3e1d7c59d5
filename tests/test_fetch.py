"""Fetching from a mirror folder and from an HTTP server on 127.0.0.1."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from allyscope.errors import ChecksumError, DataMissingError
from allyscope.fetch import DownloadError, fetch, is_fetched, raw_path
from allyscope.sources import SOURCES, get, sha256_file

SMALL = ["cow_majors", "maoz_powers", "false_cow_dyads", "grh_arms_races"]


class _Server:
    """Serves the mirror under /<repo>/<commit>/<path>, like raw.githubusercontent.com."""

    def __init__(self, mirror: Path, mode: str = "ok") -> None:
        routes = {
            f"/{s.repo}/{s.commit}/{s.upstream_path}": mirror / s.file for s in SOURCES.values()
        }
        self.hits: dict[str, int] = {}
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits[self.path] = outer.hits.get(self.path, 0) + 1
                file = routes.get(self.path)
                if file is None or mode == "missing":
                    self.send_error(404)
                    return
                data = file.read_bytes()
                if mode == "corrupt":
                    data = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
                elif mode == "flaky" and outer.hits[self.path] == 1:
                    data = data[: len(data) // 2]  # a truncated first transfer
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
def server(mirror: Path) -> Iterator[_Server]:
    with _Server(mirror) as srv:
        yield srv


def test_download_from_local_server_verifies_checksums(mirror: Path, isolated_home: Path) -> None:
    with _Server(mirror) as srv:
        results = fetch(SMALL, base_url=srv.url, retries=1)
    assert {r.action for r in results} == {"downloaded"}
    for name in SMALL:
        src = get(name)
        assert sha256_file(raw_path(src)) == src.sha256
        assert raw_path(src).is_relative_to(isolated_home)


def test_second_fetch_keeps_verified_files(mirror: Path, isolated_home: Path) -> None:
    with _Server(mirror) as srv:
        fetch(SMALL, base_url=srv.url, retries=1)
        again = fetch(SMALL, base_url=srv.url, retries=1)
    assert {r.action for r in again} == {"present"}


def test_corrupted_download_is_rejected_and_good_file_kept(
    mirror: Path, isolated_home: Path
) -> None:
    name = "cow_majors"
    fetch([name], mirror=mirror)
    before = raw_path(get(name)).read_bytes()
    with _Server(mirror, mode="corrupt") as srv, pytest.raises(ChecksumError) as exc:
        fetch([name], base_url=srv.url, force=True, retries=2)
    msg = str(exc.value)
    assert "cow_majors" in msg and "SHA-256" in msg and "2 attempts" in msg
    assert raw_path(get(name)).read_bytes() == before
    assert not list(raw_path(get(name)).parent.glob(".*.tmp"))


def test_truncated_transfer_is_retried(mirror: Path, isolated_home: Path) -> None:
    with _Server(mirror, mode="flaky") as srv:
        fetch(["maoz_powers"], base_url=srv.url, retries=3)
        assert max(srv.hits.values()) == 2
    assert is_fetched(get("maoz_powers"), verify=True)


def test_http_404_names_the_file(mirror: Path, isolated_home: Path) -> None:
    with _Server(mirror, mode="missing") as srv, pytest.raises(DownloadError) as exc:
        fetch(["cow_majors"], base_url=srv.url, retries=1)
    assert "HTTP 404" in str(exc.value) and "cow_majors" in str(exc.value)
    assert not raw_path(get("cow_majors")).exists()


def test_mirror_copy_and_missing_mirror_file(
    mirror: Path, isolated_home: Path, tmp_path: Path
) -> None:
    fetch(SMALL, mirror=mirror)
    assert all(is_fetched(get(n), verify=True) for n in SMALL)
    partial = tmp_path / "partial-mirror"
    (partial / "peacesciencer").mkdir(parents=True)
    with pytest.raises(DataMissingError) as exc:
        fetch(["cow_majors"], mirror=partial, force=True)
    assert "cow_majors.rda" in str(exc.value) and "missing from the mirror" in str(exc.value)


def test_corrupt_mirror_file_is_rejected(mirror: Path, isolated_home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad-mirror"
    (bad / "peacesciencer").mkdir(parents=True)
    data = (mirror / "peacesciencer/cow_majors.rda").read_bytes()
    (bad / "peacesciencer/cow_majors.rda").write_bytes(data[:-10])
    with pytest.raises(ChecksumError, match=r"cow_majors\.rda"):
        fetch(["cow_majors"], mirror=bad)
    assert not raw_path(get("cow_majors")).exists()


def test_fetch_again_compares_the_files_with_a_changed_mirror(
    mirror: Path, isolated_home: Path, tmp_path: Path
) -> None:
    """Files already fetched are compared with the mirror's copies: identical ones are
    'checked'; a mirror copy that is not the pinned file is reported and the good local
    file kept."""
    import shutil

    first = fetch(SMALL, mirror=mirror)
    assert {r.action for r in first} == {"copied"}
    again = fetch(SMALL, mirror=mirror)
    assert {r.action for r in again} == {"checked"} and not any(r.note for r in again)

    changed = tmp_path / "mirror"
    for name in SMALL:
        src = get(name)
        (changed / src.file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(mirror / src.file, changed / src.file)
    grown, gone = get(SMALL[0]), get(SMALL[1])
    with open(changed / grown.file, "ab") as fh:
        fh.write(b"\n")  # another version upstream
    (changed / gone.file).unlink()
    before = raw_path(grown).read_bytes()
    results = {r.source: r for r in fetch(SMALL, mirror=changed)}
    assert results[grown.name].action == "kept" and "bytes" in results[grown.name].note
    assert results[gone.name].action == "kept" and "missing" in results[gone.name].note
    assert {results[n].action for n in SMALL[2:]} == {"checked"}
    assert raw_path(grown).read_bytes() == before
