"""Extract cooperation-mechanism records from statements and articles.

:func:`extract_file` reads a plain-text, Markdown or HTML document (boilerplate
stripped), finds the sentences that report a mechanism (a summit, a hotline, data
sharing, an exercise, a commitment to consult ...) and proposes records in the schema
of :mod:`allyscope.mechanisms.schema`, each with its evidence sentence, its character
offsets and a confidence, for an analyst to review. Rules only: it runs offline, on
the CPU, without a model download. See ``docs/extract.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import lazy_loader as _lazy

if TYPE_CHECKING:
    from allyscope.extract.errors import (
        BinaryDocumentError,
        DocumentTooLargeError,
        EmptyDocumentError,
        ExtractInputError,
        NotEnglishError,
    )
    from allyscope.extract.extractor import (
        DEFAULT_MIN_CONFIDENCE,
        Candidate,
        Evidence,
        extract,
        extract_file,
        extract_text,
    )
    from allyscope.extract.reader import DEFAULT_MAX_BYTES, Document, parse_text, read_document

# submodules load on first use: importing the package stays cheap (fast start-up)
_getattr, __dir__, _ = _lazy.attach(
    __name__,
    submodules=["errors", "extractor", "reader"],
    submod_attrs={
        "errors": [
            "BinaryDocumentError",
            "DocumentTooLargeError",
            "EmptyDocumentError",
            "ExtractInputError",
            "NotEnglishError",
        ],
        "extractor": [
            "DEFAULT_MIN_CONFIDENCE",
            "Candidate",
            "Evidence",
            "extract",
            "extract_file",
            "extract_text",
        ],
        "reader": ["DEFAULT_MAX_BYTES", "Document", "parse_text", "read_document"],
    },
)
__getattr__ = _getattr


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
