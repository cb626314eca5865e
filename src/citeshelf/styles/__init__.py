"""Citation styles: APA 7 and Chicago (notes-bibliography and author-date,
17th and 18th editions), as pure functions from *resolved* records (a chapter
seen through its book: :func:`citeshelf.library.resolve`) to a small
styled-text tree (:class:`~citeshelf.styles.text.Styled`: plain runs, italic
runs, links; quotation marks and dashes are typographic characters).

Public API (no Click, no Rich; nothing here validates a model, so it is fast)::

    format_reference(record, style="apa", edition=None, suffix="") -> Styled
        The reference-list / bibliography entry of one record.
    format_citation(records, style="apa", form="in-text", edition=None,
                    pages=None, suffixes=None, first=True, initials=None) -> Styled
        A citation of one or more records. Forms: "in-text" (APA, Chicago
        author-date: "(Aris, 2014, p. 531)", "(Aris 2014, 531)"), "narrative"
        (APA: "Aris (2014)"; author-date: "Aris (2014)"), "note" and
        "short-note" (Chicago notes). ``pages`` is one locator for all, or a
        list with one per record. ``first=False`` (APA): a later citation,
        a group author by its abbreviation ("(WHO, 2021)"). ``initials``
        (APA, Chicago author-date): the keys cited with their first author's
        initials (APA 8.20, CMOS 15.21 (17th)).
    format_bibliography(records, style="apa", edition=None, left_out=None)
                    -> list[Entry]
        Sorted per the style, with 2014a/2014b suffixes and (Chicago 17th
        edition) the 3-em dash for a repeated author. ``Entry`` has ``key``,
        ``styled``, ``text``, ``html`` and ``markdown``. A personal
        communication readers cannot retrieve is left out (APA 8.9, CMOS
        14.214 (17th)); its key goes to the list ``left_out`` if given.
    arrange_bibliography(records, style="apa", edition=None, left_out=None)
                    -> list[Placed]
    format_placed(record, placed, style="apa", edition=None) -> Entry
        The same in two steps, for a library too large to hold: one pass
        keeps only each record's sort data and gives the order (``Placed``:
        ``index``, ``key``, ``suffix``, ``repeated``); the records are then
        formatted one at a time in that order.
    bibliography_row(record, style="apa", edition=None) -> row | None
    arrange_rows([(key, row)], style="apa", edition=None, left_out=None)
                    -> list[Placed]
        The first step in two: a record's sort data (JSON-able: a caller may
        keep it), and the order from those of every record.
    year_suffixes(records, style="apa", edition=None) -> dict[key, str]
        The "a", "b" ... suffixes the style gives works by the same authors
        in the same year (for citations that must agree with a bibliography).
    surname_initials(records, style="apa") -> set[key]
        The records whose first author shares a surname, not the initials,
        with another's: APA cites them "(J. M. Taylor & Neylon, 2015;
        T. Taylor, 2014)" (8.20), Chicago author-date "(T. Taylor 2014)".
    reference_text(record, style="apa") -> str     plain text of the entry
    to_text / to_markdown / to_html (from .text)   render a Styled
    render(styled, fmt) -> str                     fmt: "text", "markdown", "html"
    check_style(style, edition=None, form=None) -> edition   (ValueError if bad)

``citeshelf.styles.csl`` renders other CSL styles through pandoc (the extra
``citeshelf[csl]``): ``render_csl_entries(items, style, fmt)`` and
``render_csl(items, style, mode="cite", ...)`` take CSL-JSON items.

Styles: ``apa`` (7th edition), ``chicago-notes`` and ``chicago-author-date``
(``edition`` 18, the default, or 17). :data:`STYLES` lists them with their
forms; :func:`style_info` gives the metadata printed with ``--json``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.lazy import lazy_exports
from .registry import FORMS, OUTPUT_FORMATS, STYLES, check_style, style_info

_EXPORTS = {
    "Entry": "api",
    "Placed": "api",
    "arrange_bibliography": "api",
    "arrange_rows": "api",
    "bibliography_row": "api",
    "format_placed": "api",
    "format_bibliography": "api",
    "format_citation": "api",
    "format_reference": "api",
    "reference_text": "api",
    "render": "api",
    "surname_initials": "api",
    "year_suffixes": "api",
    "Italic": "text",
    "Link": "text",
    "Marked": "text",
    "Styled": "text",
    "to_html": "text",
    "to_markdown": "text",
    "to_text": "text",
}

__all__ = sorted([*_EXPORTS, "FORMS", "OUTPUT_FORMATS", "STYLES", "check_style", "style_info"])

if TYPE_CHECKING:  # pragma: no cover
    from .api import (
        Entry,
        Placed,
        arrange_bibliography,
        arrange_rows,
        bibliography_row,
        format_bibliography,
        format_citation,
        format_placed,
        format_reference,
        reference_text,
        render,
        surname_initials,
        year_suffixes,
    )
    from .text import Italic, Link, Marked, Styled, to_html, to_markdown, to_text

__getattr__ = lazy_exports(__name__, _EXPORTS, globals())
