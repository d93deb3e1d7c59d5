"""Atomic file output and table writers chosen by file extension."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from allyscope.errors import InvalidInputError

TABLE_FORMATS = {
    ".parquet": "Parquet",
    ".csv": "CSV",
    ".json": "JSON (records)",
    ".dta": "Stata",
    ".feather": "Feather (Arrow IPC)",
    ".arrow": "Arrow IPC",
}


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it into place only on success.

    If the body raises, the temporary file is removed and ``target`` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs get the usual mode
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once at import: os.umask cannot be read without setting it


def atomic_write_text(target: str | os.PathLike[str], text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def atomic_write_bytes(target: str | os.PathLike[str], data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def check_writable(path: str | os.PathLike[str]) -> Path:
    """Refuse, before any work, an output file name that cannot be written: an existing
    directory, a folder that does not exist, a folder without write permission (tried by
    creating and removing a temporary file there). Returns the path."""
    p = Path(path).expanduser()
    name = os.fspath(path)
    if p.is_dir():
        raise InvalidInputError(
            f"cannot write {name!r}: it is a directory",
            f"give a file name, e.g. {os.fspath(p / ('output' + (p.suffix or '.csv')))!r}",
        )
    parent = p.parent
    if not parent.exists():
        raise InvalidInputError(
            f"cannot write {name!r}: the folder {os.fspath(parent)!r} does not exist",
            "create it first, or write to an existing folder",
        )
    if not parent.is_dir():
        raise InvalidInputError(
            f"cannot write {name!r}: {os.fspath(parent)!r} is not a folder",
            "write to an existing folder",
        )
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".check", dir=parent)
    except OSError as exc:
        raise InvalidInputError(
            f"cannot write {name!r}: the folder {os.fspath(parent)!r} is not writable "
            f"({exc.strerror or exc})",
            "write to a folder you can write to",
        ) from None
    os.close(fd)
    os.unlink(probe)
    return p


def check_table_path(path: str | os.PathLike[str], formats: dict[str, str] | None = None) -> str:
    """Return the lower-case extension of ``path`` or raise an actionable error (an output
    named on the command line is also checked with :func:`check_writable`)."""
    formats = formats or TABLE_FORMATS
    ext = Path(path).suffix.lower()
    if ext not in formats:
        known = ", ".join(formats)
        raise InvalidInputError(
            f"cannot write {os.fspath(path)!r}: unknown file type {ext or '(no extension)'!r}",
            f"use one of {known}",
        )
    return ext


def write_table(
    df: Any, path: str | os.PathLike[str], formats: dict[str, str] | None = None
) -> Path:
    """Write a table (polars, pandas or Arrow) to ``path``, format by extension, atomically."""
    ext = check_table_path(path, formats)
    frame = to_polars(df)
    with atomic_path(path) as tmp:
        if ext == ".parquet":
            frame.write_parquet(tmp)
        elif ext == ".csv":
            frame.write_csv(tmp)
        elif ext == ".json":
            tmp.write_text(_json_records(frame), encoding="utf-8")
        elif ext in (".feather", ".arrow"):
            frame.write_ipc(tmp)
        elif ext == ".dta":
            _write_stata(frame, tmp)
    return Path(path)


def to_polars(df: Any) -> pl.DataFrame:
    if isinstance(df, pl.DataFrame):
        return df
    if isinstance(df, pl.LazyFrame):
        return df.collect()
    return pl.from_dataframe(df) if hasattr(df, "__dataframe__") else pl.DataFrame(df)


def _json_records(frame: pl.DataFrame) -> str:
    import json

    return json.dumps(frame.to_dicts(), default=str, allow_nan=False, indent=None) + "\n"


def _write_stata(frame: pl.DataFrame, tmp: Path) -> None:
    pdf = frame.to_pandas()
    # Stata variable names: at most 32 characters, letters, digits and underscores.
    too_long = [c for c in pdf.columns if len(c) > 32]
    if too_long:
        raise InvalidInputError(
            f"Stata allows variable names of at most 32 characters: {too_long}",
            "write Parquet or CSV instead, or rename the columns",
        )
    for col in pdf.columns:
        if pdf[col].dtype == bool:
            pdf[col] = pdf[col].astype("int8")
        elif str(pdf[col].dtype) == "boolean":
            pdf[col] = pdf[col].astype("Int8")
    pdf.to_stata(tmp, write_index=False, version=118)


#: figure formats of ``--plot FILE`` (PNG needs the optional ``png`` extra: kaleido)
FIGURE_FORMATS = {".html": "self-contained HTML", ".htm": "self-contained HTML", ".png": "PNG"}


def check_figure_path(path: str | os.PathLike[str]) -> str:
    """Return the lower-case extension of a figure file name or raise an actionable error."""
    ext = Path(path).suffix.lower()
    if ext not in FIGURE_FORMATS:
        raise InvalidInputError(
            f"cannot write the plot to {os.fspath(path)!r}: not an .html or .png file",
            "use --plot FILE.html (or FILE.png with the png extra installed)",
        )
    return ext


def write_figure(fig: Any, path: str | os.PathLike[str]) -> Path:
    """Write a plotly figure to ``path`` atomically: ``.html`` as one self-contained page
    (plotly.js embedded, opens offline), ``.png`` through kaleido (the ``png`` extra).

    Raises
    ------
    InvalidInputError
        The extension is neither ``.html``/``.htm`` nor ``.png``, or PNG export is not
        available in this installation.
    """
    ext = check_figure_path(path)
    if ext == ".png":
        return _write_png(fig, path)
    with atomic_path(path) as tmp:
        tmp.write_text(fig.to_html(include_plotlyjs=True, full_html=True), encoding="utf-8")
    return Path(path)


#: how to enable PNG export (kaleido is an optional extra)
PNG_HINT = "install the png extra: `uv sync --extra png` or `pip install 'allyscope[png]'`"


def _write_png(fig: Any, path: str | os.PathLike[str]) -> Path:
    from importlib.util import find_spec

    if find_spec("kaleido") is None:
        raise InvalidInputError("PNG export needs the optional kaleido package", PNG_HINT)
    with atomic_path(path) as tmp:
        try:
            fig.write_image(str(tmp), format="png")
        except RuntimeError as exc:  # plotly's wording for the cases kaleido cannot serve
            text = str(exc).lower()
            if "chrome" in text:
                raise InvalidInputError(
                    "kaleido found no Chrome/Chromium to draw the PNG",
                    "install Chromium (or run `plotly_get_chrome`), or write .html",
                ) from exc
            if "kaleido" in text:
                raise InvalidInputError("PNG export needs kaleido 1.0 or newer", PNG_HINT) from exc
            raise
    return Path(path)
