"""``@preamble`` and ``@string``: what a .bib file gives LaTeX and BibTeX
besides its entries.

An import keeps the ``@preamble`` blocks of the files it reads in one file of
the library, ``preamble.bib`` beside the records (a BibTeX file of
``@preamble{...}`` blocks, each as the source wrote it, each once, in the
order first met); BibTeX and BibLaTeX exports write them first, so a
``\\noopsort`` or a logo macro the entries use is defined again.

The ``@string`` definitions of those files are kept there too, after the
preambles (``@string{tugboat = "TUGboat"}``, each name once: the first
definition met stays, as a library has one meaning for a macro). A record
holds the expanded text; it remembers in ``extra.bibtex_macros`` which of its
fields its source wrote with a macro (``{"journal": "tugboat"}``), and an
export writes such a field as the macro again when the field's text is
still the macro's text (see :class:`.writer.Strings`).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "PREAMBLE_FILE",
    "merged_preambles",
    "preamble_text",
    "read_preambles",
    "read_strings",
]

#: the library's file of @preamble blocks and @string definitions (beside the record files)
PREAMBLE_FILE = "preamble.bib"


def _same(value: str) -> str:
    return " ".join(value.split())


def preamble_text(values: list[str], strings: Sequence[tuple[str, str]] = ()) -> str:
    """``@preamble`` blocks, one a line (each value as written: ``"..."`` or
    ``{...}``, with its ``#`` parts), each once; then the ``@string``
    definitions, the first of each name."""
    seen: set[str] = set()
    lines = []
    for value in values:
        value = value.strip()
        if value and _same(value) not in seen:
            seen.add(_same(value))
            lines.append(f"@preamble{{{value}}}\n")
    names: set[str] = set()
    for name, value in strings:
        if name.lower() not in names and value.strip():
            names.add(name.lower())
            lines.append(f"@string{{{name} = {_same(value)}}}\n")
    return "".join(lines)


def read_preambles(text: str) -> list[str]:
    """The values of the ``@preamble`` blocks of a .bib text."""
    from .reader import parse_bibtex

    return [v.strip() for v in parse_bibtex(text, source="preamble").preambles]


def read_strings(text: str) -> list[tuple[str, str]]:
    """The ``@string`` definitions of a .bib text: (name, value as written)."""
    from .reader import parse_bibtex

    return parse_bibtex(text, source="preamble").strings


def merged_preambles(
    existing: str,
    new: list[str],
    strings: Sequence[tuple[str, str]] = (),
) -> str | None:
    """The library's preamble file with ``new`` blocks and ``strings`` added
    (those it does not have yet, in order); None when nothing is new."""
    have = read_preambles(existing) if existing.strip() else []
    have_strings = read_strings(existing) if existing.strip() else []
    known = {_same(v) for v in have}
    added = [v.strip() for v in new if v.strip() and _same(v) not in known]
    names = {n.lower() for n, _ in have_strings}
    added_strings = [(n, v) for n, v in strings if n.lower() not in names and v.strip()]
    if not added and not added_strings:
        return None
    return preamble_text(have + added, [*have_strings, *added_strings])
