"""citeshelf's data model: names, dates, pages, identifiers and work types,
and the rules that belong to the data: folding (:mod:`.fold`), generated keys
(:mod:`.keys`) and what a chapter takes from its book (:mod:`.inherit`).

This package imports nothing else from citeshelf, nor Click or Rich. Names are
imported on first use (PEP 562): ``citeshelf.model.fold`` or
``citeshelf.model.keys`` can be imported without loading Pydantic.
"""

from __future__ import annotations

from .lazy import lazy_exports

TYPE_CHECKING = False  # typing itself is not imported at start-up

_EXPORTS = {
    "Date": "dates",
    "ValidationError": "errors",
    "describe_validation_error": "errors",
    "parse_record_lenient": "errors",
    "refused_fields": "errors",
    "fold": "fold",
    "to_ascii": "fold",
    "format_isbn": "identifiers",
    "normalize_doi": "identifiers",
    "normalize_isbn": "identifiers",
    "normalize_issn": "identifiers",
    "normalize_url": "identifiers",
    "base_key": "keys",
    "free_key": "keys",
    "unique_key": "keys",
    "Person": "names",
    "has_others": "names",
    "initials": "names",
    "parse_name": "names",
    "parse_names": "names",
    "split_names": "names",
    "PageRange": "pages",
    "KEY_PATTERN": "record",
    "RECORD_ADAPTER": "record",
    "WORK_TYPES": "record",
    "Article": "record",
    "BaseRecord": "record",
    "Book": "record",
    "Chapter": "record",
    "Misc": "record",
    "Paper": "record",
    "Record": "record",
    "Report": "record",
    "Thesis": "record",
    "Webpage": "record",
    "check_key": "record",
    "missing_recommended": "record",
    "now_utc": "record",
    "parse_record": "record",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from .dates import Date
    from .errors import (
        ValidationError,
        describe_validation_error,
        parse_record_lenient,
        refused_fields,
    )
    from .fold import fold, to_ascii
    from .identifiers import (
        format_isbn,
        normalize_doi,
        normalize_isbn,
        normalize_issn,
        normalize_url,
    )
    from .keys import base_key, free_key, unique_key
    from .names import Person, has_others, initials, parse_name, parse_names, split_names
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
        parse_record,
    )


__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
