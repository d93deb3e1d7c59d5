"""Readers for published files the generic CSV and R-data readers cannot take as they are.

Real files are messy: notes above the header, a stray byte in another encoding, a line
break inside an unquoted comment, blank column names, XML metadata. Each reader here
handles one such feature *as declared* for a pinned file (the file's SHA-256 is checked
before it is read, so the declared repairs describe exactly that file) and raises an
error naming the file and line for anything else. Nothing is guessed.

Every reader returns a table of text columns with the raw column names the declaration's
column spec refers to; :meth:`Source.load <allyscope.sources.base.Source.load>` types it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from allyscope.errors import CorruptFileError, SchemaError

if TYPE_CHECKING:
    import _csv

    from allyscope.sources.base import Source


def clean_header(names: Sequence[str]) -> list[str]:
    """Raw header names as column specs can name them: surrounding spaces dropped, inner
    spaces and punctuation runs become ``_``; a blank name becomes ``column_<position>``
    (1-based)."""
    out = []
    for i, n in enumerate(names, start=1):
        n = n.replace("\ufeff", "").strip()
        n = re.sub(r"[^0-9A-Za-z]+", "_", n).strip("_")
        out.append(n or f"column_{i}")
    dups = sorted({n for n in out if out.count(n) > 1})
    if dups:
        raise SchemaError(f"header names {dups} repeat after cleaning")
    return out


def _width_error(path: Path, line: int, n: int, width: int, source: Source) -> SchemaError:
    return SchemaError(
        f"{path}:{line}: {n} fields where the header has {width}",
        f"the file is not the pinned version; run `allyscope data fetch --force {source.name}`",
    )


def _join_split(
    pending: tuple[list[str], int], rec: list[str], width: int, source: Source, path: Path
) -> list[str]:
    """A record broken by a line break in its last field, joined again: the continuation's
    first field is empty and the two together are one field longer than the header."""
    head, head_line = pending
    if rec[0] == "" and len(head) + len(rec) - 1 == width:
        return head + rec[1:]
    raise _width_error(path, head_line, len(head), width, source)


@dataclass(frozen=True)
class TextCSV:
    """A CSV reader with declared repairs.

    ``skip_lines``: lines of notes above the header. ``encoding``: of the whole file, or
    ``"utf-8"`` with ``cp1252_lines`` listing the (1-based) physical lines that are
    Windows-1252 instead (a stray byte such as an ellipsis typed in another program).
    ``join_split_rows``: a record whose last text field contains an unquoted line break
    arrives as two short lines; they are joined when the second continues the first
    exactly (its first field empty and the two together one field longer than the
    header). ``line_column``: also return the physical line of each record as ``line``.
    ``marks``: columns (cleaned names) that may hold only the given mark, such as ``"?"``
    for an uncertain figure, or nothing.
    """

    skip_lines: int = 0
    encoding: str = "utf-8"
    cp1252_lines: tuple[int, ...] = ()
    join_split_rows: bool = False
    line_column: bool = False
    null_values: tuple[str, ...] = ("NA", "")
    marks: tuple[tuple[str, str], ...] = ()

    def __call__(self, source: Source, path: Path) -> pl.DataFrame:
        lines = self._decode(source, path)
        body = lines[self.skip_lines :]
        first_line = self.skip_lines + 1
        reader = csv.reader(io.StringIO("\n".join(body)))
        try:
            header = clean_header(next(reader))
        except StopIteration:
            raise CorruptFileError(
                f"{path}: no header on line {first_line}",
                f"run `allyscope data fetch --force {source.name}`",
            ) from None
        except SchemaError as exc:
            raise SchemaError(f"{path}:{first_line}: {exc.message}") from None
        try:
            rows, where = self._records(reader, len(header), first_line, source, path)
        except csv.Error as exc:
            raise CorruptFileError(
                f"{path}:{first_line + reader.line_num}: cannot parse CSV ({exc})",
                f"run `allyscope data fetch --force {source.name}`",
            ) from None
        self._check_marks(header, rows, where, first_line, source, path)
        nulls = set(self.null_values)
        cols = {
            name: pl.Series(name, [None if r[j] in nulls else r[j] for r in rows], dtype=pl.String)
            for j, name in enumerate(header)
        }
        df = pl.DataFrame(cols)
        if self.line_column:
            df = df.with_columns(pl.Series("line", [str(n) for n in where], dtype=pl.String))
        return df

    def _records(
        self, reader: _csv.Reader, width: int, first_line: int, source: Source, path: Path
    ) -> tuple[list[list[str]], list[int]]:
        """The records below the header, each with the physical line where it begins;
        split rows are joined where ``join_split_rows`` allows."""
        rows: list[list[str]] = []
        where: list[int] = []
        pending: tuple[list[str], int] | None = None
        prev_end = 1
        for rec in reader:
            start = first_line + prev_end  # physical line where this record begins
            prev_end = reader.line_num
            if not rec:
                continue
            if pending is not None:
                rows.append(_join_split(pending, rec, width, source, path))
                where.append(pending[1])
                pending = None
            elif len(rec) == width:
                rows.append(rec)
                where.append(start)
            elif self.join_split_rows and len(rec) < width:
                pending = (rec, start)
            else:
                raise _width_error(path, start, len(rec), width, source)
        if pending is not None:
            raise SchemaError(
                f"{path}:{pending[1]}: {len(pending[0])} fields where the header has {width}"
            )
        return rows, where

    def _check_marks(
        self,
        header: list[str],
        rows: list[list[str]],
        where: list[int],
        first_line: int,
        source: Source,
        path: Path,
    ) -> None:
        """Columns declared in ``marks`` hold only their mark or nothing."""
        for col, mark in self.marks:
            if col not in header:
                raise SchemaError(f"{path}:{first_line}: no column {col!r} in the header")
            j = header.index(col)
            for r, n in zip(rows, where, strict=True):
                if r[j] not in ("", mark):
                    raise SchemaError(
                        f"{path}:{n}: column {col!r} holds {r[j]!r} where only the mark "
                        f"{mark!r} or nothing is expected",
                        "the file is not the pinned version; run `allyscope data fetch "
                        f"--force {source.name}`",
                    )

    def _decode(self, source: Source, path: Path) -> list[str]:
        data = path.read_bytes()
        if self.encoding.lower().replace("_", "-") not in ("utf-8", "utf-8-sig"):
            try:
                return data.decode(self.encoding).splitlines()
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                raise CorruptFileError(
                    f"{path}:{line}: not valid {self.encoding} text",
                    f"run `allyscope data fetch --force {source.name}`",
                ) from None
        out = []
        for i, raw in enumerate(data.split(b"\n"), start=1):
            raw = raw.removesuffix(b"\r")
            try:
                out.append(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                if i not in self.cp1252_lines:
                    raise CorruptFileError(
                        f"{path}:{i}: not valid UTF-8 text (byte {raw[exc.start]:#04x} at "
                        f"column {exc.start + 1})",
                        f"run `allyscope data fetch --force {source.name}`",
                    ) from None
                out.append(raw.decode("cp1252", errors="strict"))
        if out and out[0].startswith("\ufeff"):
            out[0] = out[0][1:]
        if out and out[-1] == "":
            out.pop()
        return out


def fgdc_attributes(source: Source, path: Path) -> pl.DataFrame:
    """The attribute definitions of an FGDC (CSDGM) metadata file: one row per attribute
    with ``entity`` (the data file it describes), ``label``, ``definition``,
    ``definition_source`` and ``unit`` (empty when the metadata give none)."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else 1
        raise CorruptFileError(
            f"{path}:{line}: not well-formed XML ({exc})",
            f"run `allyscope data fetch --force {source.name}`",
        ) from None
    rows = []
    for detailed in root.iter("detailed"):
        entity = (detailed.findtext("enttyp/enttypl") or "").strip()
        for attr in detailed.iter("attr"):
            rows.append(
                {
                    "entity": entity,
                    "label": (attr.findtext("attrlabl") or "").strip(),
                    "definition": (attr.findtext("attrdef") or "").strip(),
                    "definition_source": (attr.findtext("attrdefs") or "").strip(),
                    "unit": (attr.findtext(".//attrunit") or "").strip() or None,
                }
            )
    if not rows:
        raise SchemaError(
            f"{path}: no attribute definitions (eainfo/detailed/attr) in the metadata",
            f"run `allyscope data fetch --force {source.name}`",
        )
    return pl.DataFrame(rows, schema={k: pl.String for k in rows[0]})


__all__ = ["TextCSV", "clean_header", "fgdc_attributes"]
