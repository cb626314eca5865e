"""``@preamble``: what a .bib file gives LaTeX before its entries.

An import keeps the ``@preamble`` blocks of the files it reads in one file of
the library, ``preamble.bib`` beside the records (a BibTeX file of
``@preamble{...}`` blocks, each as the source wrote it, each once, in the
order first met); BibTeX and BibLaTeX exports write them first, so a
``\\noopsort`` or a logo macro the entries use is defined again.
"""

from __future__ import annotations

__all__ = ["PREAMBLE_FILE", "merged_preambles", "preamble_text", "read_preambles"]

#: the library's file of @preamble blocks (beside the record files)
PREAMBLE_FILE = "preamble.bib"


def _same(value: str) -> str:
    return " ".join(value.split())


def preamble_text(values: list[str]) -> str:
    """``@preamble`` blocks, one a line (each value as written: ``"..."`` or
    ``{...}``, with its ``#`` parts), each once."""
    seen: set[str] = set()
    lines = []
    for value in values:
        value = value.strip()
        if value and _same(value) not in seen:
            seen.add(_same(value))
            lines.append(f"@preamble{{{value}}}\n")
    return "".join(lines)


def read_preambles(text: str) -> list[str]:
    """The values of the ``@preamble`` blocks of a .bib text."""
    from .reader import parse_bibtex

    return [v.strip() for v in parse_bibtex(text, source="preamble").preambles]


def merged_preambles(existing: str, new: list[str]) -> str | None:
    """The library's preamble file with ``new`` blocks added (those it does
    not have yet, in order); None when nothing is new."""
    have = read_preambles(existing) if existing.strip() else []
    known = {_same(v) for v in have}
    added = [v.strip() for v in new if v.strip() and _same(v) not in known]
    if not added:
        return None
    return preamble_text(have + added)
