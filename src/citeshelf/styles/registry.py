"""The styles, their editions and forms, and the output formats: the one
registry that the command line's option choices and help texts read.
Imports nothing (the command line reads it at start-up)."""

from __future__ import annotations

from typing import Any

__all__ = ["FORMS", "OUTPUT_FORMATS", "STYLES", "check_style", "style_info"]

#: output format -> renderer of a Styled (the terminal renderer is in citeshelf.render)
OUTPUT_FORMATS = ("terminal", "text", "markdown", "html")

#: style name -> (default edition, editions, forms; the first form is the default)
STYLES: dict[str, tuple[int, tuple[int, ...], tuple[str, ...]]] = {
    "apa": (7, (7,), ("reference", "in-text", "narrative")),
    "chicago-notes": (18, (18, 17), ("note", "short-note", "reference")),
    "chicago-author-date": (18, (18, 17), ("reference", "in-text", "narrative")),
}
FORMS = ("reference", "in-text", "narrative", "note", "short-note")

_TITLES = {
    "apa": "APA Style, 7th edition",
    "chicago-notes": "The Chicago Manual of Style, {ed}th edition: notes and bibliography",
    "chicago-author-date": "The Chicago Manual of Style, {ed}th edition: author-date",
}


def check_style(style: str, edition: int | None = None, form: str | None = None) -> int:
    """The edition to use; ValueError with a clear message for a bad style,
    edition or form."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}: use one of {', '.join(STYLES)}")
    default, editions, forms = STYLES[style]
    if edition is None:
        edition = default
    if edition not in editions:
        shown = ", ".join(str(e) for e in editions)
        raise ValueError(f"style {style!r} has no edition {edition}: use {shown}")
    if form is not None and form not in forms:
        raise ValueError(f"style {style!r} has no form {form!r}: use one of {', '.join(forms)}")
    return edition


def style_info(style: str, edition: int | None = None) -> dict[str, Any]:
    edition = check_style(style, edition)
    return {"style": style, "edition": edition, "title": _TITLES[style].format(ed=edition)}
