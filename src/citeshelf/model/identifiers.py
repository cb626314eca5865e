"""Identifiers: DOI, ISBN, ISSN, URL -- validated and normalised."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from stdnum import isbn as _isbn
from stdnum import issn as _issn
from stdnum.exceptions import ValidationError as _StdnumError

__all__ = ["normalize_doi", "normalize_isbn", "normalize_issn", "normalize_url", "format_isbn"]

_DOI_PREFIXES = re.compile(
    r"^(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*|info:doi/)", re.IGNORECASE
)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def normalize_doi(value: str) -> str:
    """ "https://doi.org/10.1000/XYZ" -> "10.1000/XYZ" (prefix lower-cased)."""
    text = _DOI_PREFIXES.sub("", value.strip())
    if not _DOI.match(text):
        raise ValueError(f"{value!r} is not a DOI: expected 10.NNNN/suffix")
    prefix, _, suffix = text.partition("/")
    return f"{prefix.lower()}/{suffix}"


def normalize_isbn(value: str) -> str:
    """Validate an ISBN-10 or ISBN-13 (with checksum) and return the ISBN-13 digits."""
    try:
        return _isbn.to_isbn13(_isbn.validate(value))
    except _StdnumError as exc:
        reason = str(exc).rstrip(".").lower() or "invalid"
        raise ValueError(f"{value!r} is not a valid ISBN ({reason})") from None


def format_isbn(value: str) -> str:
    """Hyphenate an ISBN-13 for display: 978-1-78195-316-7."""
    try:
        return _isbn.format(value)
    except _StdnumError:
        return value


def normalize_issn(value: str) -> str:
    """Validate an ISSN and return it as NNNN-NNNC."""
    try:
        return _issn.format(_issn.validate(value))
    except _StdnumError as exc:
        reason = str(exc).rstrip(".").lower() or "invalid"
        raise ValueError(f"{value!r} is not a valid ISSN ({reason})") from None


def normalize_url(value: str) -> str:
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https", "ftp") or not parts.netloc or " " in text:
        raise ValueError(f"{value!r} is not a URL: expected http:// or https://")
    return text
