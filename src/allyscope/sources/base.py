"""Declarations of upstream data files and the loader that turns one into a typed table."""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import polars as pl

from allyscope.errors import ChecksumError, CorruptFileError, SchemaError

RAW_BASE_URL = "https://raw.githubusercontent.com"

#: canonical column types
DTYPES: dict[str, pl.DataType] = {
    "int": pl.Int32(),
    "intx": pl.Int32(),  # whole numbers where non-numeric tokens (e.g. "xx") mean unknown
    "float": pl.Float64(),
    "str": pl.String(),
    "date": pl.Date(),
    "bool": pl.Boolean(),
    "mark": pl.Boolean(),  # True where the cell holds a mark (such as "?"), False where empty
}


@dataclass(frozen=True)
class Column:
    raw: str  #: name in the upstream file
    name: str  #: canonical name in the warehouse
    dtype: str  #: one of DTYPES


def parse_columns(spec: str) -> tuple[Column, ...]:
    """Parse ``"raw[>name]:type ..."`` into columns (canonical names are snake_case)."""
    cols = []
    for item in spec.split():
        names, dtype = item.rsplit(":", 1)
        raw, _, name = names.partition(">")
        if dtype not in DTYPES:
            raise ValueError(f"bad dtype {dtype!r} in column spec {item!r}")
        cols.append(Column(raw, name or _snake(raw), dtype))
    return tuple(cols)


def _snake(name: str) -> str:
    name = re.sub(r"[^0-9A-Za-z]+", "_", name)
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return name.strip("_").lower()


@dataclass(frozen=True)
class Source:
    """One published data file, declared once.

    ``file`` is its path in a mirror folder (and below ``<home>/raw``); ``repo``,
    ``commit`` and ``upstream_path`` pin its download address; ``sha256`` and ``bytes``
    pin its content.
    """

    name: str
    file: str
    sha256: str
    bytes: int
    repo: str
    commit: str
    upstream_path: str
    title: str
    description: str
    unit: str
    keys: tuple[str, ...]
    years: tuple[int, int] | None
    version: str
    citations: tuple[str, ...]
    license: str
    rows: int
    column_spec: str
    object_name: str | None = None  #: R object inside the .rda (default: file stem)
    encoding: str = "utf-8"
    notes: str = ""
    coverage_note: str = ""
    unique_keys: bool = True
    extra: dict[str, str] = field(default_factory=dict)
    #: last date the data describe, when more precise than the last year ("2021-03-31")
    through: str | None = None
    #: a reader for files the generic CSV/R readers cannot parse (header notes, stray
    #: bytes, XML): ``reader(source, path)`` returns a table with the raw column names
    reader: Callable[[Source, Path], pl.DataFrame] | None = field(
        default=None, compare=False, repr=False
    )
    #: a check run after loading: ``check(table, path)`` raises SchemaError on bad values
    check: Callable[[pl.DataFrame, Path], None] | None = field(
        default=None, compare=False, repr=False
    )

    @property
    def data_through(self) -> str | None:
        """The last date (``YYYY-MM-DD``) or year the data describe; ``None`` if undated."""
        if self.through:
            return self.through
        return str(self.years[1]) if self.years else None

    @property
    def url(self) -> str:
        return f"{RAW_BASE_URL}/{self.repo}/{self.commit}/{self.upstream_path}"

    def url_at(self, base_url: str) -> str:
        """The same pinned path below another server (used for testing and proxies)."""
        return f"{base_url.rstrip('/')}/{self.repo}/{self.commit}/{self.upstream_path}"

    @property
    def format(self) -> str:
        return Path(self.file).suffix.lstrip(".").lower()

    @cached_property
    def columns(self) -> tuple[Column, ...]:
        return parse_columns(self.column_spec)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return {c.name: DTYPES[c.dtype] for c in self.columns}

    @classmethod
    def from_pin(
        cls, name: str, file: str, pin: tuple[str, int, str, str, str], **kw: object
    ) -> Source:
        """A source read from ``file``, pinned by ``pin`` (SHA-256, bytes, repository,
        commit, upstream path: a row of a ``PINS`` table); its version defaults to
        ``<repository name>@<commit>``."""
        sha, size, repo, commit, upstream_path = pin
        kw.setdefault("version", f"{repo.split('/')[1]}@{commit[:7]}")
        return cls(
            name=name,
            file=file,
            sha256=sha,
            bytes=size,
            repo=repo,
            commit=commit,
            upstream_path=upstream_path,
            **kw,  # type: ignore[arg-type]
        )

    # -- fetching and checking ------------------------------------------------------------

    def is_present(self, path: str | os.PathLike[str], verify: bool = False) -> bool:
        """Whether ``path`` holds this source's pinned file (``verify``: check its SHA-256)."""
        path = Path(path)
        if not path.is_file() or path.stat().st_size != self.bytes:
            return False
        return not verify or sha256_file(path) == self.sha256

    def check_file(self, path: str | os.PathLike[str]) -> None:
        """Raise :class:`ChecksumError` unless the file at ``path`` is the pinned one."""
        got = sha256_file(path)
        if got != self.sha256:
            raise ChecksumError(
                f"{path}: SHA-256 {got[:12]}… differs from the pinned "
                f"{self.sha256[:12]}… of source {self.name!r}",
                f"run `allyscope data fetch --force {self.name}`",
            )

    def download(
        self,
        dest: Path,
        *,
        base_url: str | None = None,
        retries: int = 3,
        timeout: float = 60.0,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        """Download the pinned file (from ``base_url`` instead of GitHub if given) to ``dest``."""
        from allyscope.fetch import download_file

        url = self.url_at(base_url) if base_url else self.url
        download_file(self, url, dest, retries=retries, timeout=timeout, progress=progress)

    # -- loading -----------------------------------------------------------------------

    def load(self, path: str | os.PathLike[str]) -> pl.DataFrame:
        """Read the file at ``path`` into a typed polars table with canonical columns.

        Raises :class:`CorruptFileError` when it cannot be parsed and
        :class:`SchemaError` when its columns or values do not match the declaration.
        """
        path = Path(path)
        if self.reader is not None:
            raw = self.reader(self, path)
        elif self.format == "rda":
            raw = self._read_rda(path)
        elif self.format == "csv":
            raw = self._read_csv(path)
        else:
            raise CorruptFileError(
                f"{path}: no reader for format {self.format!r} of source {self.name!r}"
            )
        return self._conform(raw, path)

    def _read_rda(self, path: Path) -> pl.DataFrame:
        import pyreadr

        try:
            result = pyreadr.read_r(str(path))
        except (pyreadr.custom_errors.PyreadrError, pyreadr.custom_errors.LibrdataError, OSError, ValueError) as exc:  # fmt: skip
            raise CorruptFileError(
                f"{path}: cannot read R data file ({type(exc).__name__}: {exc})",
                f"the file is truncated or not an .rda file; run `allyscope data fetch --force {self.name}`",
            ) from None
        obj = self.object_name or path.stem
        if obj not in result:
            raise SchemaError(
                f"{path}: R object {obj!r} not found (file holds {sorted(result)})",
                f"run `allyscope data fetch --force {self.name}`",
            )
        pdf = result[obj]
        try:  # factors arrive as categoricals (cast to text in _conform), dates as objects
            return pl.from_pandas(pdf, nan_to_null=True)
        except (pl.exceptions.PolarsError, ValueError, TypeError, ArithmeticError) as exc:
            raise CorruptFileError(f"{path}: unreadable values ({exc})") from None

    def _read_csv(self, path: Path) -> pl.DataFrame:
        try:
            data = path.read_bytes().decode(self.encoding)
        except UnicodeDecodeError as exc:
            raise CorruptFileError(
                f"{path}: not valid {self.encoding} text at byte {exc.start}",
                f"run `allyscope data fetch --force {self.name}`",
            ) from None
        try:
            return pl.read_csv(
                io.StringIO(data),
                infer_schema=False,  # everything as text; typed in _conform
                null_values=["NA", ""],
            )
        except (pl.exceptions.PolarsError, ValueError) as exc:
            raise CorruptFileError(
                f"{path}: cannot parse CSV ({type(exc).__name__}: {exc})",
                f"run `allyscope data fetch --force {self.name}`",
            ) from None

    def _conform(self, raw: pl.DataFrame, path: Path) -> pl.DataFrame:
        declared = [c.raw for c in self.columns]
        got = list(raw.columns)
        if got != declared:
            missing = [c for c in declared if c not in got]
            extra = [c for c in got if c not in declared]
            detail = []
            if missing:
                detail.append(f"missing {missing}")
            if extra:
                detail.append(f"unexpected {extra}")
            if not detail:
                detail.append(f"columns in another order: {got}")
            raise SchemaError(
                f"{path}: columns differ from the declaration of source {self.name!r}: "
                + "; ".join(detail),
                "the file is not the pinned version; run `allyscope data fetch --force "
                f"{self.name}`",
            )
        exprs = [_cast(raw, c, path) for c in self.columns]
        return raw.select(exprs)

    # -- checks --------------------------------------------------------------------------

    def validate(self, df: pl.DataFrame, path: str | os.PathLike[str]) -> None:
        """Row count, non-null keys, (where declared) unique keys and the source's own
        value checks."""
        if df.height != self.rows:
            raise SchemaError(
                f"{path}: {df.height:,} rows where source {self.name!r} declares {self.rows:,}",
                f"run `allyscope data fetch --force {self.name}`",
            )
        keys = [k for k in self.keys if k in df.columns]
        if keys:
            nulls = df.select(pl.any_horizontal(pl.col(keys).is_null()).sum()).item()
            if nulls:
                raise SchemaError(f"{path}: {nulls} rows with a missing key in {keys}")
            if self.unique_keys:
                dups = df.height - df.select(keys).unique().height
                if dups:
                    raise SchemaError(f"{path}: {dups} duplicate rows on key {keys}")
        if self.check is not None:
            self.check(df, Path(path))

    def citation_bibtex(self) -> str:
        from allyscope.sources.catalog import bibtex

        return bibtex(self.citations)


def _as_number(expr: pl.Expr, src: pl.Series) -> pl.Expr:
    """Text columns stripped and read as floats (unreadable text becomes null)."""
    if src.dtype == pl.String:
        return expr.str.strip_chars().cast(pl.Float64, strict=False)
    return expr


def _cast_date(expr: pl.Expr, src: pl.Series, target: pl.DataType) -> pl.Expr:
    if src.dtype == pl.String:
        return expr.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    if src.dtype in (pl.Datetime, pl.Object):
        return expr.cast(pl.Date, strict=False)
    return expr


def _cast_int(expr: pl.Expr, src: pl.Series, target: pl.DataType) -> pl.Expr:
    return _as_number(expr, src).cast(pl.Float64).cast(target)


def _cast_float(expr: pl.Expr, src: pl.Series, target: pl.DataType) -> pl.Expr:
    return _as_number(expr, src).cast(pl.Float64)


#: how a raw column becomes each declared type
_CASTS: dict[str, Callable[[pl.Expr, pl.Series, pl.DataType], pl.Expr]] = {
    "date": _cast_date,
    "int": _cast_int,
    "intx": _cast_int,
    "float": _cast_float,
    "bool": lambda expr, src, target: expr.cast(pl.Float64, strict=False).cast(pl.Boolean),
    "mark": lambda expr, src, target: expr.is_not_null(),
    "str": lambda expr, src, target: expr.cast(pl.String),
}


def _cast(raw: pl.DataFrame, col: Column, path: Path) -> pl.Expr:
    src = raw.get_column(col.raw)
    target = DTYPES[col.dtype]
    if col.dtype == "int":
        bad = _bad_ints(raw, col)
        if bad is not None:
            raise SchemaError(
                f"{path}: column {col.raw!r} should hold whole numbers, found {bad!r}",
                "the file is not the pinned version",
            )
    return _CASTS[col.dtype](pl.col(col.raw), src, target).alias(col.name)


def _bad_ints(raw: pl.DataFrame, col: Column) -> object | None:
    s = raw.get_column(col.raw)
    if s.dtype == pl.String:
        num = s.str.strip_chars().cast(pl.Float64, strict=False)
        bad = s.filter(num.is_null() & s.is_not_null())
        if bad.len():
            return bad[0]
        s = num
    if s.dtype.is_float():
        frac = s.filter(s.is_not_null() & (s != s.round(0)))
        if frac.len():
            return frac[0]
    elif not s.dtype.is_integer() and s.dtype != pl.Null:
        return f"values of type {s.dtype}"
    return None


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()
