"""Errors raised when a document cannot be read for extraction."""

from __future__ import annotations

from allyscope.errors import InvalidInputError


class ExtractInputError(InvalidInputError):
    """A document that the extractor cannot read."""


class EmptyDocumentError(ExtractInputError):
    """The file is empty, or nothing but markup and boilerplate."""


class BinaryDocumentError(ExtractInputError):
    """The file is binary (NUL bytes, undecodable) or a container format such as PDF."""


class DocumentTooLargeError(ExtractInputError):
    """The file is larger than the size cap."""


class NotEnglishError(ExtractInputError):
    """The text does not look like English."""


__all__ = [
    "BinaryDocumentError",
    "DocumentTooLargeError",
    "EmptyDocumentError",
    "ExtractInputError",
    "NotEnglishError",
]
