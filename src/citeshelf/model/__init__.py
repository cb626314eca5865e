"""citeshelf's data model: names, dates, pages, identifiers and work types.

This package imports nothing else from citeshelf, nor Click or Rich.
"""

from .dates import Date
from .errors import describe_validation_error
from .identifiers import format_isbn, normalize_doi, normalize_isbn, normalize_issn, normalize_url
from .names import Person, fold, has_others, initials, parse_name, parse_names, split_names
from .pages import PageRange
from .record import (
    KEY_PATTERN,
    RECORD_ADAPTER,
    WORK_TYPES,
    Article,
    BaseRecord,
    Book,
    Chapter,
    Misc,
    Paper,
    Record,
    Report,
    Thesis,
    Webpage,
    check_key,
    missing_recommended,
    now_utc,
)


def parse_record(data: object) -> BaseRecord:
    """Validate a JSON-like mapping into the right work-type model."""
    return RECORD_ADAPTER.validate_python(data)


__all__ = [
    "Article",
    "BaseRecord",
    "Book",
    "Chapter",
    "Date",
    "KEY_PATTERN",
    "Misc",
    "PageRange",
    "Paper",
    "Person",
    "RECORD_ADAPTER",
    "Record",
    "Report",
    "Thesis",
    "WORK_TYPES",
    "Webpage",
    "check_key",
    "describe_validation_error",
    "fold",
    "has_others",
    "format_isbn",
    "initials",
    "missing_recommended",
    "normalize_doi",
    "normalize_isbn",
    "normalize_issn",
    "normalize_url",
    "now_utc",
    "parse_name",
    "parse_names",
    "parse_record",
    "split_names",
]
