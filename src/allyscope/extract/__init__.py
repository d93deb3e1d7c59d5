"""Extract cooperation-mechanism records from statements and articles.

:func:`extract_file` reads a plain-text, Markdown or HTML document (boilerplate
stripped), finds the sentences that report a mechanism (a summit, a hotline, data
sharing, an exercise, a commitment to consult ...) and proposes records in the schema
of :mod:`allyscope.mechanisms.schema`, each with its evidence sentence, its character
offsets and a confidence, for an analyst to review. Rules only: it runs offline, on
the CPU, without a model download. See ``docs/extract.md``.
"""

from __future__ import annotations

from allyscope.extract.errors import (
    BinaryDocumentError,
    DocumentTooLargeError,
    EmptyDocumentError,
    ExtractInputError,
    NotEnglishError,
)
from allyscope.extract.extractor import DEFAULT_MIN_CONFIDENCE, Candidate, Evidence, extract
from allyscope.extract.reader import DEFAULT_MAX_BYTES, Document, parse_text, read_document


def extract_file(path, *, date=None, min_confidence: float = DEFAULT_MIN_CONFIDENCE,
                 max_bytes: int = DEFAULT_MAX_BYTES, format: str | None = None) -> list[Candidate]:  # fmt: skip
    """Candidates in one file (see :func:`allyscope.extract.extractor.extract`)."""
    doc = read_document(path, date=date, max_bytes=max_bytes, format=format)
    return extract(doc, min_confidence=min_confidence)


def extract_text(text: str, *, date=None, format: str | None = None, name: str = "<text>",
                 min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> list[Candidate]:  # fmt: skip
    """Candidates in a text given as a string."""
    return extract(
        parse_text(text, date=date, format=format, name=name), min_confidence=min_confidence
    )


__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MIN_CONFIDENCE",
    "BinaryDocumentError",
    "Candidate",
    "Document",
    "DocumentTooLargeError",
    "EmptyDocumentError",
    "Evidence",
    "ExtractInputError",
    "NotEnglishError",
    "extract",
    "extract_file",
    "extract_text",
    "parse_text",
    "read_document",
]
