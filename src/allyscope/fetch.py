"""Fetch the pinned upstream files into ``<home>/raw``.

Files come from their pinned GitHub address (``https://raw.githubusercontent.com/<repo>/
<commit>/<path>``) or, with ``mirror=DIR`` / ``ALLYSCOPE_MIRROR``, are copied from a local
folder laid out like ``../shared/data``. Every file is checked against its SHA-256 before
it is moved into place, so a failed or corrupted transfer never replaces a good file.

A file already fetched is checked again on every fetch: it is kept if it is still the
pinned one (else fetched anew). With a mirror, the mirror's copy is compared with it too
(size, then SHA-256): ``checked`` when they are the same file, ``kept`` when the mirror's
copy is missing or is not the pinned file (the result's ``note`` says which; the good
local file stays).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from allyscope import config
from allyscope.errors import AllyscopeError, ChecksumError, DataMissingError
from allyscope.io import atomic_path
from allyscope.sources import SOURCES, Source, get, sha256_file


class DownloadError(AllyscopeError):
    """A file could not be downloaded after all retries."""


@dataclass(frozen=True)
class FetchResult:
    source: str
    path: Path
    #: "present" (already fetched and verified), "checked" (also identical to the
    #: mirror's copy), "kept" (verified, but the mirror's copy differs: see ``note``),
    #: "copied" or "downloaded"
    action: str
    bytes: int
    note: str = ""


Progress = Callable[[str, int, int], None]  # (source name, bytes done, bytes total)


def raw_path(source: Source) -> Path:
    return config.raw_dir() / source.file


def is_fetched(source: Source, verify: bool = False) -> bool:
    return source.is_present(raw_path(source), verify=verify)


def select(names: Iterable[str] | None) -> list[Source]:
    if not names:
        return list(SOURCES.values())
    return [get(n) for n in names]


def fetch(
    names: Iterable[str] | None = None,
    *,
    mirror: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
    force: bool = False,
    retries: int = 3,
    timeout: float = 60.0,
    workers: int = 4,
    progress: Progress | None = None,
) -> list[FetchResult]:
    """Fetch sources (default: all) and return what was done for each.

    ``mirror`` copies from a local folder (default: ``ALLYSCOPE_MIRROR`` when ``base_url``
    is not given); ``base_url`` downloads the same pinned paths from another server.
    """
    sources = select(names)
    if mirror is None and base_url is None:
        mirror = config.mirror()
    mirror_dir = Path(mirror).expanduser().resolve() if mirror is not None else None
    if mirror_dir is not None and not mirror_dir.is_dir():
        raise DataMissingError(
            f"mirror folder {mirror_dir} does not exist",
            "pass --mirror with a folder holding peacesciencer/, unvotes/ and troopdata/",
        )

    def one(src: Source) -> FetchResult:
        dest = raw_path(src)
        if not force and is_fetched(src, verify=True):
            if progress:
                progress(src.name, src.bytes, src.bytes)
            return _already_here(src, dest, mirror_dir)
        if mirror_dir is not None:
            _copy_from_mirror(src, mirror_dir, dest, progress)
            return FetchResult(src.name, dest, "copied", src.bytes)
        src.download(dest, base_url=base_url, retries=retries, timeout=timeout, progress=progress)
        return FetchResult(src.name, dest, "downloaded", src.bytes)

    return _fetch_each_file_once(sources, one, workers)


def _fetch_each_file_once(
    sources: Iterable[Source], one: Callable[[Source], FetchResult], workers: int
) -> list[FetchResult]:
    """Run ``one`` once per file (several sources can read one file, e.g. two tables from one
    archive) and report its result for every source that reads the file; finish every file,
    then raise the first failure."""
    by_file: dict[str, list[Source]] = {}
    for s in sources:
        by_file.setdefault(s.file, []).append(s)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [(group, pool.submit(one, group[0])) for group in by_file.values()]
        results: list[FetchResult] = []
        first_error: AllyscopeError | None = None
        for group, fut in futures:
            try:
                first = fut.result()
            except AllyscopeError as exc:
                first_error = first_error or exc
                continue
            results.append(first)
            results.extend(
                FetchResult(other.name, first.path, first.action, first.bytes)
                for other in group[1:]
            )
    if first_error is not None:
        raise first_error
    return results


def _already_here(src: Source, dest: Path, mirror_dir: Path | None) -> FetchResult:
    """A verified local file, compared with the mirror's copy when there is a mirror."""
    if mirror_dir is None:
        return FetchResult(src.name, dest, "present", src.bytes)
    note = _mirror_differs(src, mirror_dir)
    return FetchResult(src.name, dest, "kept" if note else "checked", src.bytes, note)


def _mirror_differs(src: Source, mirror_dir: Path) -> str:
    """Why the mirror's copy of ``src`` is not the pinned file ("" when it is)."""
    origin = mirror_dir / src.file
    if not origin.is_file():
        return f"{origin} is missing from the mirror"
    if src.is_present(origin, verify=True):
        return ""
    size = origin.stat().st_size
    if size != src.bytes:
        return f"{origin} has {size:,} bytes, the pinned file {src.bytes:,}"
    return f"{origin} is not the pinned file (another SHA-256)"


def _copy_from_mirror(src: Source, mirror_dir: Path, dest: Path, progress: Progress | None) -> None:
    origin = mirror_dir / src.file
    if not origin.is_file():
        raise DataMissingError(
            f"{origin}: file of source {src.name!r} is missing from the mirror",
            "check the mirror folder, or fetch from upstream without --mirror",
        )
    with atomic_path(dest) as tmp:
        shutil.copyfile(origin, tmp)
        got = sha256_file(tmp)
        if got != src.sha256:
            raise ChecksumError(
                f"{origin}: SHA-256 {got[:12]}… differs from the pinned {src.sha256[:12]}… "
                f"of source {src.name!r}",
                "the mirror copy is corrupt or another version; replace it",
            )
    if progress:
        progress(src.name, src.bytes, src.bytes)


def download_file(
    src: Source,
    url: str,
    dest: Path,
    *,
    retries: int,
    timeout: float,
    progress: Progress | None,
) -> None:
    """Download ``url`` to ``dest`` with retries; the SHA-256 must be ``src``'s pinned one."""
    import httpx

    last: str = ""
    checksum_failed = False
    for attempt in range(1, retries + 1):
        try:
            with atomic_path(dest) as tmp:
                h = hashlib.sha256()
                done = 0
                with (
                    httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as resp,
                    open(tmp, "wb") as fh,
                ):
                    if resp.status_code != 200:
                        raise _Retry(f"HTTP {resp.status_code}")
                    total = int(resp.headers.get("content-length") or src.bytes)
                    for chunk in resp.iter_bytes(1 << 16):
                        fh.write(chunk)
                        h.update(chunk)
                        done += len(chunk)
                        if progress:
                            progress(src.name, done, total)
                got = h.hexdigest()
                if got != src.sha256:
                    checksum_failed = True
                    raise _Retry(
                        f"SHA-256 {got[:12]}… differs from the pinned {src.sha256[:12]}… "
                        f"({done:,} bytes received, {src.bytes:,} expected)"
                    )
            return
        except (_Retry, httpx.HTTPError, OSError) as exc:
            last = str(exc) or type(exc).__name__
            if attempt < retries:
                time.sleep(min(0.5 * 2 ** (attempt - 1), 4.0))
    cls = ChecksumError if checksum_failed else DownloadError
    raise cls(
        f"{url}: download of source {src.name!r} failed after {retries} attempts: {last}",
        "check the network, or copy the files from a local mirror with --mirror DIR",
    )


class _Retry(Exception):
    pass
