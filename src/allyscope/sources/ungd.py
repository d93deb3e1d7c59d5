"""The UN General Debate Corpus: one plain-text speech per state and session, 1946–2024.

Upstream the corpus is a folder of 10,952 UTF-8 files, ``TXT/Session NN - YYYY/
ISO_NN_YYYY.txt`` (ISO 3166 alpha-3 codes, with historical ones such as ``CSK``, ``YUG``,
``DDR``, ``YMD``; ``RUS`` stands for the Soviet Union before 1992; ``EU`` for the European
Union), plus ``Speakers_by_session.xlsx`` (speakers' names and posts). allyscope pins
the folder at one upstream commit and ships its file list with every file's SHA-256 and
size (``ungd_files.tsv``, identical to the mirror's ``ungd/files.tsv``).

Two ways in, one check:

* a mirror holds the whole folder as one deterministic ``ungd/ungdc_1946-2024.tar.zst``;
  it is copied as is (whole-file SHA-256 pinned) and read as a stream — no unpacked copy;
* without a mirror, :func:`download_corpus` fetches every file from the pinned commit
  with bounded concurrency, reports progress, keeps finished files across interrupted
  runs (resume) and packs them into the same kind of archive.

Either way :func:`iter_members` checks every member against the pinned list while it
streams (SHA-256 and size; nothing missing, nothing extra), so a damaged or incomplete
archive raises one error and the warehouse build that reads it changes nothing.

The warehouse table ``ungd_speeches`` holds one row per speech: ISO3 code as in the
corpus, session, year, speaker and post (where the speakers file names them), word and
character counts, the file's SHA-256, and the text (DuckDB stores it compressed, about
62 MB for 200 MB of text). COW and Gleditsch–Ward codes are joined by
:func:`allyscope.rhetoric.speeches` through the crosswalk of :mod:`allyscope.codes`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tarfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import polars as pl

from allyscope.errors import ChecksumError, CorruptFileError, DataMissingError
from allyscope.sources.base import RAW_BASE_URL, Source, sha256_file

REPO = "SarahFranzen/Emotions_in_the_United_Nations_General_Debates"
COMMIT = "3b277c419f85fd6e1f14f69a5fd29a3a6b59fc96"
#: the folder inside the upstream repository that the archive holds
UPSTREAM_DIR = "data/data_original"
ARCHIVE = "ungd/ungdc_1946-2024.tar.zst"
ARCHIVE_SHA256 = "7394faaa3d5b2c10717a701cdba3f28f25f622559bb5e63bbc541beaea656444"
ARCHIVE_BYTES = 46913526
#: the shipped file list (path, sha256, bytes), byte-identical to the mirror's files.tsv
FILES_TSV = "ungd_files.tsv"
FILES_TSV_SHA256 = "b7836aba9f27c18ea32b9113f26c95e8304a2888a65921f213d542be43bc5388"
SPEAKERS = f"{UPSTREAM_DIR}/Speakers_by_session.xlsx"
FIRST_YEAR, LAST_YEAR = 1946, 2024
N_SPEECHES = 10952

_SPEECH_RE = r"/TXT/Session (\d+) - (\d{4})/([A-Z]{2,3})_(\d+)_(\d{4})\.txt$"

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class PinnedFile:
    path: str  #: path inside the upstream repository (and the archive)
    sha256: str
    bytes: int


@cache
def pinned_files() -> tuple[PinnedFile, ...]:
    """Every file of the pinned corpus folder with its SHA-256 and size."""
    raw = resources.files("allyscope.sources").joinpath(FILES_TSV).read_bytes()
    got = hashlib.sha256(raw).hexdigest()
    if got != FILES_TSV_SHA256:  # pragma: no cover - a broken installation
        raise ChecksumError(
            f"the installed corpus file list {FILES_TSV} has SHA-256 {got[:12]}…, "
            f"not the pinned {FILES_TSV_SHA256[:12]}…",
            "reinstall allyscope",
        )
    return parse_file_list(raw)


def parse_file_list(raw: bytes) -> tuple[PinnedFile, ...]:
    """A file list (``path``, ``sha256``, ``bytes``; tab-separated with a header)."""
    rows = csv.DictReader(io.StringIO(raw.decode("utf-8")), delimiter="\t")
    return tuple(PinnedFile(r["path"], r["sha256"], int(r["bytes"])) for r in rows)


def _damaged(archive: Path, what: str) -> CorruptFileError:
    return CorruptFileError(
        f"{archive}: {what}",
        "the corpus archive is damaged or incomplete; run "
        "`allyscope data fetch --force ungd_speeches`",
    )


def iter_members(
    archive: str | os.PathLike[str], files: tuple[PinnedFile, ...] | None = None
) -> Iterator[tuple[str, bytes]]:
    """Stream ``(path, content)`` of every file in the corpus archive, each checked.

    Raises :class:`ChecksumError` for a member whose SHA-256 or size differs from the
    pinned list and :class:`CorruptFileError` for an unreadable archive, a member that
    is not pinned, or pinned files missing at the end of the stream. Callers that build
    something from the stream must therefore finish it before committing anything.
    """
    import zstandard

    archive = Path(archive)
    pins = {f.path: f for f in (files or pinned_files())}
    seen: set[str] = set()
    try:
        with (
            open(archive, "rb") as fh,
            zstandard.ZstdDecompressor().stream_reader(fh) as stream,
            tarfile.open(fileobj=stream, mode="r|") as tar,
        ):
            for member in tar:
                if member.isdir():
                    continue
                if not member.isfile():
                    raise _damaged(archive, f"member {member.name!r} is not a regular file")
                pin = pins.get(member.name)
                if pin is None:
                    raise _damaged(archive, f"member {member.name!r} is not a pinned corpus file")
                if member.name in seen:
                    raise _damaged(archive, f"member {member.name!r} appears twice")
                handle = tar.extractfile(member)
                data = handle.read() if handle is not None else b""
                digest = hashlib.sha256(data).hexdigest()
                if len(data) != pin.bytes or digest != pin.sha256:
                    raise ChecksumError(
                        f"{archive}: member {member.name!r} has SHA-256 {digest[:12]}… "
                        f"({len(data):,} bytes), not the pinned {pin.sha256[:12]}… "
                        f"({pin.bytes:,} bytes)",
                        "the corpus archive is damaged; run "
                        "`allyscope data fetch --force ungd_speeches`",
                    )
                seen.add(member.name)
                yield member.name, data
    except (tarfile.TarError, zstandard.ZstdError, EOFError) as exc:
        raise _damaged(archive, f"cannot read the archive ({type(exc).__name__}: {exc})") from None
    missing = sorted(set(pins) - seen)
    if missing:
        raise _damaged(
            archive, f"{len(missing)} pinned corpus files are missing (first: {missing[0]!r})"
        )


def verify_archive(
    archive: str | os.PathLike[str], files: tuple[PinnedFile, ...] | None = None
) -> int:
    """Check every member of ``archive`` against the pinned list; return the file count."""
    return sum(1 for _ in iter_members(archive, files))


def read_corpus(
    archive: str | os.PathLike[str], files: tuple[PinnedFile, ...] | None = None
) -> pl.DataFrame:
    """The speeches of the archive as a table (columns of ``ungd_speeches``), all checked."""
    archive = Path(archive)
    paths: list[str] = []
    texts: list[str] = []
    digests: list[str] = []
    speakers_xlsx: bytes | None = None
    pins = {f.path: f.sha256 for f in (files or pinned_files())}
    import re

    speech = re.compile(_SPEECH_RE)
    for name, data in iter_members(archive, files):
        if name == SPEAKERS:
            speakers_xlsx = data
        elif speech.search(name):
            try:
                texts.append(data.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise _damaged(
                    archive, f"member {name!r} is not UTF-8 (byte {exc.start})"
                ) from None
            paths.append(name)
            digests.append(pins[name])
    if speakers_xlsx is None:
        raise _damaged(archive, f"{SPEAKERS} is missing")
    df = pl.DataFrame({"path": paths, "sha256": digests, "text": texts})
    parts = pl.col("path").str.extract_groups(_SPEECH_RE)
    df = df.with_columns(parts.alias("p")).unnest("p")
    bad = df.filter((pl.col("1") != pl.col("4")) | (pl.col("2") != pl.col("5")))
    if bad.height:
        raise _damaged(archive, f"file name and folder disagree: {bad['path'][0]!r}")
    df = df.select(
        pl.col("3").alias("iso3"),
        pl.col("1").cast(pl.Int32).alias("session"),
        pl.col("2").cast(pl.Int32).alias("year"),
        "sha256",
        "text",
    )
    df = df.join(_speakers(speakers_xlsx, archive), on=["iso3", "year"], how="left")
    df = df.with_columns(
        pl.col("text")
        .str.count_matches(r"[\p{L}\p{N}]+(?:['’\-][\p{L}\p{N}]+)*")
        .cast(pl.Int32)
        .alias("words"),
        pl.col("text").str.len_chars().cast(pl.Int32).alias("chars"),
    )
    return df.select(
        "iso3", "session", "year", "speaker", "post", "words", "chars", "sha256", "text"
    ).sort("year", "iso3")


def _speakers(xlsx: bytes, archive: Path) -> pl.DataFrame:
    """Speakers and posts by state and year (several speakers in a year are joined by '; ')."""
    try:
        raw = pl.read_excel(io.BytesIO(xlsx), infer_schema_length=0)
    except Exception as exc:  # fastexcel raises its own error types for broken workbooks
        raise _damaged(archive, f"cannot read {SPEAKERS} ({type(exc).__name__})") from None
    need = ["Year", "ISO Code", "Name of Person Speaking", "Post"]
    missing = [c for c in need if c not in raw.columns]
    if missing:
        raise _damaged(archive, f"{SPEAKERS} lacks the columns {missing}")
    return (
        raw.select(
            pl.col("ISO Code").str.strip_chars().alias("iso3"),
            pl.col("Year").cast(pl.Float64, strict=False).cast(pl.Int32).alias("year"),
            pl.col("Name of Person Speaking").str.strip_chars().alias("speaker"),
            pl.col("Post").str.strip_chars().alias("post"),
        )
        .drop_nulls(["iso3", "year"])
        .group_by("iso3", "year", maintain_order=True)
        .agg(
            pl.col("speaker").drop_nulls().unique(maintain_order=True).str.join("; "),
            pl.col("post").drop_nulls().unique(maintain_order=True).str.join("; "),
        )
        .with_columns(
            pl.when(pl.col(c).str.len_chars() > 0).then(pl.col(c)).alias(c)
            for c in ("speaker", "post")
        )
    )


# -- the source --------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusSource(Source):
    """A source whose file is the corpus archive; every member is checked when read.

    ``files_tsv``: another file list to check against (a test corpus); default: the
    shipped list of the pinned upstream files.
    """

    files_tsv: str | None = None

    def pinned(self) -> tuple[PinnedFile, ...] | None:
        return parse_file_list(Path(self.files_tsv).read_bytes()) if self.files_tsv else None

    def is_present(self, path: str | os.PathLike[str], verify: bool = False) -> bool:
        path = Path(path)
        if not path.is_file():
            return False
        if not verify:
            return True
        if path.stat().st_size == self.bytes and sha256_file(path) == self.sha256:
            return True
        try:  # an archive packed here from the upstream files: check its members
            verify_archive(path, self.pinned())
        except (ChecksumError, CorruptFileError):
            return False
        return True

    def check_file(self, path: str | os.PathLike[str]) -> None:
        # the mirror's archive matches the pinned whole-file SHA-256; an archive packed
        # from downloaded files does not, and load() checks every member either way
        if not Path(path).is_file():
            raise DataMissingError(
                f"{path}: the corpus archive is missing", "run `allyscope data fetch`"
            )

    def download(
        self,
        dest: Path,
        *,
        base_url: str | None = None,
        retries: int = 3,
        timeout: float = 60.0,
        progress: Progress | None = None,
    ) -> None:
        download_corpus(
            dest,
            base_url=base_url,
            files=self.pinned(),
            retries=retries,
            timeout=timeout,
            progress=(lambda done, total: progress(self.name, done, total)) if progress else None,
        )

    def load(self, path: str | os.PathLike[str]) -> pl.DataFrame:
        return read_corpus(path, self.pinned())


UNGD_SPEECHES = CorpusSource(
    name="ungd_speeches",
    file=ARCHIVE,
    sha256=ARCHIVE_SHA256,
    bytes=ARCHIVE_BYTES,
    repo=REPO,
    commit=COMMIT,
    upstream_path=UPSTREAM_DIR,
    version=f"UNGDC v13 (1946-2024) @{COMMIT[:7]}",
    title="UN General Debate Corpus: speeches",
    description="One statement per state and General Assembly session in the General Debate, "
    "as plain text, with the speaker's name and post where recorded and word counts.",
    unit="speech (state-session)",
    keys=("iso3", "year"),
    years=(FIRST_YEAR, LAST_YEAR),
    citations=("baturo2017ungdc", "jankin2025ungdc"),
    license="CC BY 4.0 (UN General Debate Corpus); texts are UN official records",
    rows=N_SPEECHES,
    column_spec="iso3:str session:int year:int speaker:str post:str words:int chars:int "
    "sha256:str text:str",
    notes="ISO3 codes as in the corpus: RUS is the Soviet Union before 1992, CHN the "
    "Republic of China until 1970, EU the European Union (no state code). Before 1994 the UN "
    "records do not name every speaker's post.",
    coverage_note="Sessions 1-79 (1946-2024); states speak from their UN admission on.",
)


# -- download from the pinned commit -------------------------------------------------------


def file_url(path: str, base_url: str | None = None) -> str:
    """The pinned download address of one corpus file (spaces and the like escaped)."""
    base = (base_url or RAW_BASE_URL).rstrip("/")
    return f"{base}/{REPO}/{COMMIT}/{urllib.parse.quote(path)}"


def staging_dir(dest: Path) -> Path:
    """Where downloaded files wait (and survive an interrupted run) until packed."""
    return dest.parent / f".{dest.name}.parts"


def download_corpus(
    dest: str | os.PathLike[str],
    *,
    base_url: str | None = None,
    files: tuple[PinnedFile, ...] | None = None,
    workers: int = 8,
    retries: int = 3,
    timeout: float = 60.0,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Fetch every pinned corpus file and pack them into the archive ``dest``.

    Files land (checked) in a staging folder beside ``dest``; a rerun after an
    interruption or a failed file downloads only what is still missing. At most
    ``workers`` transfers run at once. ``progress(done_bytes, total_bytes)`` is called as
    files finish. When every file is there, they are packed into a deterministic
    ``.tar.zst`` written atomically, and the staging folder is removed. Files that still
    fail after ``retries`` attempts raise one error naming the first of them.
    """
    from allyscope.fetch import DownloadError

    dest = Path(dest)
    files = files or pinned_files()
    stage = staging_dir(dest)
    counter = _Counter(sum(f.bytes for f in files), progress)
    todo = []
    for f in files:
        p = stage / f.path
        if p.is_file() and p.stat().st_size == f.bytes and sha256_file(p) == f.sha256:
            counter.add(f.bytes)  # kept from an earlier run
        else:
            todo.append(f)
    failures = _fetch_all(todo, stage, base_url, workers, retries, timeout, counter)
    if failures:
        raise DownloadError(
            f"{len(failures)} of {len(files)} corpus files could not be downloaded after "
            f"{retries} attempts (first: {sorted(failures)[0]})",
            "run the fetch again to resume (finished files are kept), or use --mirror DIR",
        )
    _pack(dest, files, stage)
    _remove_tree(stage)
    return dest


class _Counter:
    """Bytes finished so far, reported to a progress callback (thread-safe)."""

    def __init__(self, total: int, progress: Callable[[int, int], None] | None) -> None:
        self.total, self.done, self.progress = total, 0, progress
        self.lock = threading.Lock()

    def add(self, n: int) -> None:
        with self.lock:
            self.done += n
            current = self.done
        if self.progress:
            self.progress(current, self.total)


def _fetch_all(
    todo: list[PinnedFile],
    stage: Path,
    base_url: str | None,
    workers: int,
    retries: int,
    timeout: float,
    counter: _Counter,
) -> list[str]:
    """Download ``todo`` into ``stage`` with at most ``workers`` transfers; the failures."""
    import httpx

    from allyscope.fetch import DownloadError

    if not todo:
        return []
    failures: list[str] = []
    limits = httpx.Limits(max_connections=workers, max_keepalive_connections=workers)
    with (
        httpx.Client(timeout=timeout, follow_redirects=True, limits=limits) as client,
        ThreadPoolExecutor(max_workers=max(1, workers)) as pool,
    ):
        futures = [
            pool.submit(_fetch_one, client, f, stage, base_url, retries, counter) for f in todo
        ]
        for fut in as_completed(futures):
            try:
                fut.result()
            except DownloadError as exc:
                failures.append(exc.message)
    return failures


def _fetch_one(
    client: object,
    f: PinnedFile,
    stage: Path,
    base_url: str | None,
    retries: int,
    counter: _Counter,
) -> None:
    import httpx

    from allyscope.fetch import DownloadError
    from allyscope.io import atomic_path

    assert isinstance(client, httpx.Client)
    url = file_url(f.path, base_url)
    last = ""
    for attempt in range(1, retries + 1):
        try:
            resp = client.get(url)
            if resp.status_code != 200:
                raise _Retry(f"HTTP {resp.status_code}")
            digest = hashlib.sha256(resp.content).hexdigest()
            if digest != f.sha256:
                raise _Retry(f"SHA-256 {digest[:12]}… is not the pinned {f.sha256[:12]}…")
            with atomic_path(stage / f.path) as tmp:
                tmp.write_bytes(resp.content)
            counter.add(f.bytes)
            return
        except (_Retry, httpx.HTTPError) as exc:
            last = str(exc) or type(exc).__name__
            if attempt < retries:
                time.sleep(min(0.25 * 2 ** (attempt - 1), 2.0))
    raise DownloadError(f"{url}: {last}")


def _pack(dest: Path, files: tuple[PinnedFile, ...], stage: Path) -> None:
    """Pack the staged files into a deterministic ``.tar.zst`` at ``dest`` (atomically)."""
    import zstandard

    from allyscope.io import atomic_path

    with atomic_path(dest) as tmp, open(tmp, "wb") as raw:
        cctx = zstandard.ZstdCompressor(level=10)
        with (
            cctx.stream_writer(raw, closefd=False) as zw,
            tarfile.open(fileobj=zw, mode="w|", format=tarfile.PAX_FORMAT) as tar,
        ):
            for f in sorted(files, key=lambda x: x.path):
                info = tarfile.TarInfo(f.path)
                info.size = f.bytes
                info.mtime = 0
                info.mode = 0o444
                with open(stage / f.path, "rb") as fh:
                    tar.addfile(info, fh)


def _remove_tree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


class _Retry(Exception):
    pass


__all__ = [
    "ARCHIVE",
    "UNGD_SPEECHES",
    "CorpusSource",
    "PinnedFile",
    "download_corpus",
    "file_url",
    "iter_members",
    "pinned_files",
    "read_corpus",
    "verify_archive",
]
