"""The warehouse: one DuckDB file holding every source, with provenance.

``build()`` loads every fetched file, validates it against its declaration, writes a new
DuckDB file beside the old one and swaps it in only when all sources loaded; a failed
build leaves the existing warehouse byte-for-byte unchanged.

One build runs at a time per warehouse: a build holds an operating-system lock on
``.<warehouse>.lock`` (released by the kernel even when the process is killed), and a
second build waits for it. Holding the lock, a build first removes what a dead build left
(its ``.building`` file and DuckDB's ``.wal`` beside it); files of a build still running in
another process are never touched. A build whose inputs are those the warehouse was built
from -- the same pinned files (and the same fetched copies on disk), loader code, schema
and library versions, recorded as ``build_key`` in its ``meta`` table -- leaves the file
as it is (``force=True`` rebuilds).

Read access goes through :class:`Warehouse` (``open_warehouse()``), which hands out
read-only cursors and returns tables as polars, pandas or Arrow. Derived tables that are
costly to compute (ideal points, affinity, models) are cached as Parquet files keyed by
the warehouse's data hash, a fingerprint of the package's code and the versions of the
numerical libraries (``cached_table``, ``code_key``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import platform
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
import polars as pl

from allyscope import __version__, config
from allyscope.errors import (
    DataMissingError,
    InvalidInputError,
    WarehouseError,
)
from allyscope.fetch import raw_path
from allyscope.sources import SOURCES, Source, get

SCHEMA_VERSION = 1
Frame = Literal["polars", "pandas", "arrow"]


@dataclass(frozen=True)
class BuildReport:
    path: Path
    tables: dict[str, int]
    data_hash: str
    seconds: float
    #: False when the warehouse was already built from the same inputs (file untouched)
    rebuilt: bool = True
    #: leftovers of dead builds that were removed first
    removed: tuple[Path, ...] = ()


def data_hash(sources: Iterable[Source] | None = None) -> str:
    """A hash of the pinned contents of all sources: changes iff any input file changes."""
    h = hashlib.sha256()
    for src in sorted(sources or SOURCES.values(), key=lambda s: s.name):
        h.update(f"{src.name}:{src.sha256}\n".encode())
    return h.hexdigest()[:16]


def build_key(sources: Iterable[Source] | None = None) -> str:
    """What a warehouse is built from: the pinned files (:func:`data_hash`) and the fetched
    copies on disk (path, size and modification time, so a file replaced or damaged since
    the last build is verified again), the code that loads them (the ``sources`` package
    and this module), the warehouse schema and the versions of the libraries that read and
    store them. Equal keys give equal warehouses."""
    srcs = list(SOURCES.values()) if sources is None else list(sources)
    files = []
    for src in srcs:
        path = raw_path(src)
        st = path.stat() if path.is_file() else None
        files.append(
            [src.name, str(path.resolve()), st.st_size if st else -1, st.st_mtime_ns if st else -1]
        )
    blob = json.dumps(
        {
            "data": data_hash(srcs),
            "files": files,
            "schema": SCHEMA_VERSION,
            "loaders": tree_fingerprint(_PACKAGE_ROOT / "sources"),
            "store": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
            "libs": library_versions(),
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def build_lock(target: Path) -> Any:
    """The lock one build of ``target`` holds (a :class:`filelock.FileLock`)."""
    from filelock import FileLock

    return FileLock(target.parent / f".{target.name}.lock")


def _leftovers(target: Path) -> list[Path]:
    return sorted(
        p
        for pattern in (f".{target.name}.*.building", f".{target.name}.*.building.wal")
        for p in target.parent.glob(pattern)
    )


def remove_build_leftovers(target: str | os.PathLike[str] | None = None) -> list[Path] | None:
    """Remove the files dead builds of ``target`` left; ``None`` (nothing touched) while a
    build is running, since its files are in use."""
    from filelock import Timeout

    target = Path(target) if target else config.warehouse_path()
    if not target.parent.is_dir():
        return []
    try:
        with build_lock(target).acquire(timeout=0):
            return _remove_leftovers(target)
    except Timeout:
        return None


def _remove_leftovers(target: Path) -> list[Path]:
    """Called with the build lock held: no other build is running."""
    removed = []
    for p in _leftovers(target):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
            removed.append(p)
    return removed


def _up_to_date(target: Path, key: str) -> dict[str, int] | None:
    """The row counts of ``target`` if it was built with ``key``, else None."""
    if not target.is_file():
        return None
    try:
        con = duckdb.connect(str(target), read_only=True)
    except duckdb.Error:
        return None
    try:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("build_key") != key:
            return None
        return dict(con.execute("SELECT source, rows FROM provenance").fetchall())
    except duckdb.Error:
        return None
    finally:
        con.close()


def build(
    *,
    path: str | os.PathLike[str] | None = None,
    on_source: Callable[[str, str], None] | None = None,
    sources: Iterable[Source] | None = None,
    force: bool = False,
) -> BuildReport:
    """Load every fetched source into a new warehouse file and swap it in atomically.

    ``on_source(name, stage)`` is called as each source is verified, loaded and stored
    (and with ``("warehouse", "waiting")`` while another build holds the lock).
    ``sources`` replaces the catalog's declarations (the test suite builds a small
    synthetic warehouse this way, through the same checks and loaders). A warehouse
    already built from the same inputs (:func:`build_key`) is left as it is unless
    ``force``.
    """
    import time

    from filelock import Timeout

    t0 = time.perf_counter()
    target = Path(path) if path else config.warehouse_path()
    sources = list(SOURCES.values()) if sources is None else list(sources)
    _check_fetched(sources)

    target.parent.mkdir(parents=True, exist_ok=True)
    lock = build_lock(target)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_source:
            on_source("warehouse", "waiting")
        lock.acquire()
    try:
        removed = tuple(_remove_leftovers(target))
        key = build_key(sources)
        rows = None if force else _up_to_date(target, key)
        if rows is not None:
            return BuildReport(
                target, rows, data_hash(sources), time.perf_counter() - t0, False, removed
            )
        tables = _build_file(target, sources, key, on_source)
    finally:
        lock.release()
    _forget_warehouses(target)
    return BuildReport(target, tables, data_hash(sources), time.perf_counter() - t0, True, removed)


def _build_file(
    target: Path,
    sources: list[Source],
    key: str,
    on_source: Callable[[str, str], None] | None,
) -> dict[str, int]:
    """Write the warehouse to a new file beside ``target`` and move it into place."""
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".building", dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # DuckDB wants to create the file itself
    loaded_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    tables: dict[str, int] = {}
    try:
        con = duckdb.connect(str(tmp))
        try:
            prov_rows = []
            for src in sources:
                file = raw_path(src)
                if on_source:
                    on_source(src.name, "verify")
                src.check_file(file)
                if on_source:
                    on_source(src.name, "load")
                df = src.load(file)
                src.validate(df, file)
                arrow = df.to_arrow()  # noqa: F841 - read by DuckDB's replacement scan
                con.execute(f'CREATE TABLE "{src.name}" AS SELECT * FROM arrow')
                tables[src.name] = df.height
                prov_rows.append(
                    {
                        "source": src.name,
                        "file": src.file,
                        "title": src.title,
                        "version": src.version,
                        "sha256": src.sha256,
                        "rows": df.height,
                        "year_start": src.years[0] if src.years else None,
                        "year_end": src.years[1] if src.years else None,
                        "url": src.url,
                        "citations": ",".join(src.citations),
                        "license": src.license,
                        "loaded_at": loaded_at,
                        "allyscope_version": __version__,
                    }
                )
                if on_source:
                    on_source(src.name, "done")
            prov = pl.DataFrame(prov_rows).to_arrow()  # noqa: F841
            con.execute("CREATE TABLE provenance AS SELECT * FROM prov")
            meta = {
                "allyscope_version": __version__,
                "schema_version": str(SCHEMA_VERSION),
                "data_hash": data_hash(sources),
                "build_key": key,
                "built_at": loaded_at.isoformat(),
            }
            con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
            con.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
            con.execute("CHECKPOINT")
        finally:
            con.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        raise
    return tables


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the platform allows opening folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # some file systems cannot sync a folder
            os.fsync(fd)
    finally:
        os.close(fd)


def _check_fetched(sources: list[Source]) -> None:
    """Raise if any source file has not been fetched."""
    missing = [s for s in sources if not raw_path(s).is_file()]
    if missing:
        names = ", ".join(s.name for s in missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise DataMissingError(
            f"{len(missing)} of {len(sources)} source files are not fetched into "
            f"{config.raw_dir()} ({names})",
            "run `allyscope data fetch` (or `allyscope data fetch --mirror DIR`) first",
        )


def _forget_warehouses(path: Path) -> None:
    """Close and forget the open handles on the warehouse at ``path`` (after a rebuild
    replaced the file); warehouses elsewhere stay open."""
    where = path.resolve()
    with _LOCK:
        old = [_WAREHOUSES.pop(k) for k in [k for k in _WAREHOUSES if k[0] == where]]
    for wh in old:
        wh.close()


class Warehouse:
    """Read-only access to a built warehouse file."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path else config.warehouse_path()
        if not self.path.is_file():
            raise WarehouseError(
                f"no warehouse at {self.path}",
                "run `allyscope data fetch --mirror DIR` (or `allyscope data fetch`) and "
                "`allyscope data build` first",
            )
        try:
            self._con = duckdb.connect(str(self.path), read_only=True)
        except duckdb.Error as exc:
            raise WarehouseError(
                f"{self.path}: cannot open the warehouse ({exc})",
                "rebuild it with `allyscope data build`",
            ) from None
        self._local = threading.local()
        self.meta: dict[str, str] = dict(
            self._con.execute("SELECT key, value FROM meta").fetchall()
        )
        self.tables: set[str] = {
            r[0]
            for r in self._con.execute(
                "SELECT table_name FROM information_schema.tables"
            ).fetchall()
        }
        if self.meta.get("schema_version") != str(SCHEMA_VERSION):
            raise WarehouseError(
                f"{self.path}: warehouse schema {self.meta.get('schema_version')} is not the "
                f"expected {SCHEMA_VERSION}",
                "rebuild it with `allyscope data build`",
            )

    @property
    def data_hash(self) -> str:
        return self.meta["data_hash"]

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for the calling thread (DuckDB cursors are not shared across threads)."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cursor = cur
        return cur

    def require(self, *names: str) -> None:
        for name in names:
            if name not in self.tables:
                get(name)  # unknown names raise with suggestions
                raise WarehouseError(
                    f"table {name!r} is not in the warehouse {self.path}",
                    "run `allyscope data fetch` and `allyscope data build`",
                )

    def table(self, name: str, as_: Frame = "polars", columns: list[str] | None = None) -> Any:
        """A whole source table."""
        self.require(name)
        cols = ", ".join(f'"{c}"' for c in columns) if columns else "*"
        return self.sql(f'SELECT {cols} FROM "{name}"', as_=as_)

    def sql(self, query: str, params: list[Any] | None = None, as_: Frame = "polars") -> Any:
        """Run a read-only query and return the result as polars, pandas or Arrow."""
        try:
            arrow = self.cursor().sql(query, params=params or None).to_arrow_table()
        except duckdb.CatalogException as exc:
            raise WarehouseError(
                f"{self.path}: {exc}", "run `allyscope data build` to rebuild the warehouse"
            ) from None
        return convert(arrow, as_)

    def provenance(self) -> pl.DataFrame:
        return self.sql("SELECT * FROM provenance ORDER BY source")

    def close(self) -> None:
        """Close the DuckDB connection (cursors of every thread with it)."""
        self._con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def convert(arrow: Any, as_: Frame) -> Any:
    if as_ == "arrow":
        return arrow
    if as_ == "pandas":
        return arrow.to_pandas()
    if as_ == "polars":
        return pl.from_arrow(arrow)
    raise InvalidInputError(f"unknown table type {as_!r}", "use 'polars', 'pandas' or 'arrow'")


_WAREHOUSES: dict[tuple[Path, float], Warehouse] = {}
_LOCK = threading.Lock()


def open_warehouse(path: str | os.PathLike[str] | None = None) -> Warehouse:
    """The warehouse at ``path`` (default: ``<home>/warehouse.duckdb``), opened once per build."""
    p = Path(path) if path else config.warehouse_path()
    try:
        key = (p.resolve(), p.stat().st_mtime)
    except FileNotFoundError:
        return Warehouse(p)  # raises the actionable error
    with _LOCK:
        wh = _WAREHOUSES.get(key)
        if wh is None:
            wh = Warehouse(p)
            # a rebuilt file replaces the old one: close the handle on the old file
            for old in [k for k in _WAREHOUSES if k[0] == key[0]]:
                _WAREHOUSES.pop(old).close()
            _WAREHOUSES[key] = wh
        return wh


def table(name: str, as_: Frame = "polars") -> Any:
    """Any source as a polars (default), pandas or Arrow table: ``table("atop_alliance")``."""
    return open_warehouse().table(name, as_=as_)


# -- derived-table cache -------------------------------------------------------------------
#
# A cached result is valid only for the data, the code and the numerical libraries that
# made it, so its key hashes all three: the warehouse's data hash, a fingerprint of the
# package's own files (computed once per process) and the versions of the libraries that
# compute. Editing any module, shipped record file or upgrading numpy gives new keys; the
# old files are never read again (and are removed when their name is next written).

#: libraries whose results land in cached tables and saved models
NUMERIC_LIBRARIES: tuple[str, ...] = (
    "numpy",
    "scipy",
    "polars",
    "pyarrow",
    "duckdb",
    "pandas",
    "pyreadr",
    "scikit-learn",
    "numba",
    "llvmlite",
    "networkx",
    "igraph",
    "leidenalg",
    "countrycode",
)
#: package files that only present results (templates, styles, scripts, docs, web assets)
_PRESENTATION = frozenset({".html", ".htm", ".j2", ".css", ".js", ".md", ".png", ".svg"})
_PACKAGE_ROOT = Path(__file__).resolve().parent


def _fingerprinted(root: Path) -> list[Path]:
    files = []
    for p in root.rglob("*"):
        rel = p.relative_to(root)
        if (
            p.is_file()
            and "__pycache__" not in rel.parts
            and "static" not in rel.parts
            and p.suffix.lower() not in _PRESENTATION
            and p.suffix not in (".pyc", ".pyo")
        ):
            files.append(p)
    return sorted(files, key=lambda q: q.relative_to(root).as_posix())


def tree_fingerprint(root: str | os.PathLike[str]) -> str:
    """A hash of the names and contents of the code and data files below ``root``."""
    root = Path(root)
    h = hashlib.sha256()
    for p in _fingerprinted(root):
        h.update(p.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()[:16]


@functools.cache
def code_fingerprint() -> str:
    """The fingerprint of the installed allyscope package (its modules and shipped records)."""
    return tree_fingerprint(_PACKAGE_ROOT)


@functools.cache
def library_versions() -> dict[str, str]:
    """Python's and the numerical libraries' versions ("-" where one is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for lib in NUMERIC_LIBRARIES:
        try:
            out[lib] = version(lib)
        except PackageNotFoundError:
            out[lib] = "-"
    return out


def code_key() -> str:
    """What a cached result must have been computed with: the package fingerprint and the
    library versions, hashed (part of every cache key and saved model key)."""
    blob = json.dumps({"code": code_fingerprint(), "libs": library_versions()}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def cache_generation(wh: Warehouse | None = None) -> str:
    """Data hash and code key together: every cache file of one generation shares it."""
    wh = wh or open_warehouse()
    return hashlib.sha256(f"{wh.data_hash}:{code_key()}".encode()).hexdigest()[:12]


def cache_key(name: str, params: dict[str, Any], wh: Warehouse | None = None) -> str:
    """``<name>-<generation>-<params hash>``: a file name valid for this data and code only."""
    blob = json.dumps({"name": name, "params": params}, sort_keys=True, default=str)
    return f"{name}-{cache_generation(wh)}-{hashlib.sha256(blob.encode()).hexdigest()[:16]}"


def cached_table(
    name: str,
    params: dict[str, Any],
    compute: Callable[[], pl.DataFrame],
    *,
    refresh: bool = False,
) -> pl.DataFrame:
    """Return ``compute()``, cached as Parquet under ``<home>/cache`` for this data, code
    and library versions (:func:`cache_key`)."""
    from allyscope.io import atomic_path

    key = cache_key(name, params)
    path = config.cache_dir() / f"{key}.parquet"
    if path.is_file() and not refresh:
        try:
            return pl.read_parquet(path)
        except (OSError, pl.exceptions.PolarsError):  # damaged: recomputed, never trusted
            path.unlink(missing_ok=True)
    df = compute()
    with atomic_path(path) as tmp:
        df.write_parquet(tmp)
    _remove_other_generations(name, key)
    return df


def _remove_other_generations(name: str, key: str) -> None:
    """Delete cache files of ``name`` made with other data or code (they can never match)."""
    generation = key[len(name) + 1 :].split("-")[0]
    for old in config.cache_dir().glob(f"{name}-*.parquet"):
        parts = old.stem[len(name) + 1 :].split("-")
        if len(parts) != 2 or parts[0] != generation:
            old.unlink(missing_ok=True)
