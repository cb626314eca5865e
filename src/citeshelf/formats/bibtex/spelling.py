"""How the BibTeX writer spells text, names and pages, without a record
around them: the writer builds on it (:class:`.writer._Writer`), and the
reader asks it whether a source wrote a field as a writer would (the notes
of ``extra.bibtex_names`` and ``extra.bibtex_written`` are kept only where
it would not)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from .. import latex

__all__ = ["Spelling", "pages_text", "shared"]

#: At most this many names' spellings are kept by one :class:`Spelling`.
NAMES_KEPT = 50_000


class Spelling:
    """The writer's spelling for one dialect (``bibtex`` or ``biblatex``),
    in UTF-8 or ASCII."""

    def __init__(self, dialect: str, ascii: bool) -> None:
        if dialect not in ("bibtex", "biblatex"):
            raise ValueError(f"unknown dialect {dialect!r}")
        self.dialect = dialect
        self.ascii = ascii
        #: the spellings :meth:`name` found, by the name's parts (a library
        #: names the same people again and again; finding one parses each
        #: candidate spelling back)
        self._names: dict[tuple[str | None, ...], str] = {}

    def text(self, value: str) -> str:
        """Text (rich text: its markup as LaTeX, see :func:`.latex.encode_rich`)."""
        return latex.encode_rich(value, ascii=self.ascii, biblatex=self.dialect == "biblatex")

    def braced(self, spelling: str) -> str:
        """Text with braces of its own (a name as its source braced it): the
        text between them written as text, the braces kept."""
        return "".join(
            piece if piece in "{}" else self.text(piece) for piece in re.split(r"([{}])", spelling)
        )

    def name(self, person: Any) -> str:
        """One name, in the full form with the fewest braces BibTeX reads back
        as it (:func:`.names.brace_choices`); a literal in braces; a name with a
        dropping particle in biblatex's extended format."""
        parts = (
            person.literal,
            person.family,
            person.given,
            person.dropping_particle,
            person.particle,
            person.suffix,
        )
        known = self._names.get(parts)
        if known is None:
            known = self._spell(person)
            if len(self._names) >= NAMES_KEPT:
                self._names.clear()
            self._names[parts] = known
        return known

    def _spell(self, person: Any) -> str:
        """:meth:`name`, found (the spelling depends only on the name's parts)."""
        from ...model.names import brace_choices, parse_name

        if person.literal:
            return "{" + self.text(person.literal) + "}"
        if person.dropping_particle and self.dialect == "biblatex":
            return self.extended_name(person)
        fam = self.text(person.family)
        giv = self.text(person.given) if person.given else ""
        particles = (person.dropping_particle, person.particle)
        part = " ".join(self.text(p) for p in particles if p)
        suf = self.text(person.suffix) if person.suffix else ""
        candidates = brace_choices(fam, giv, part, suf)
        for cand in candidates:
            try:
                back = parse_name(latex.decode(cand, keep_braces=True, held=True))
            except ValueError:
                continue
            got = tuple(
                latex.release(latex.strip_groups(x)[0]) if x else x
                for x in (back.family, back.given, back.particle, back.suffix)
            )
            if got == (person.family, person.given, person.particle, person.suffix) or (
                person.dropping_particle and got[1::2] == (person.given, person.suffix)
            ):
                return cand
        return candidates[-1]

    def extended_name(self, person: Any) -> str:
        """biblatex's extended name format, for a name with a dropping
        particle: "family={Mises}, given={Ludwig}, prefix={von}, useprefix=false"
        (a non-dropping particle as well is written with the family name)."""
        family = person.family
        if person.particle:
            family = f"{person.particle} {family}"
        parts = [f"family={{{self.text(family)}}}"]
        if person.given:
            parts.append(f"given={{{self.text(person.given)}}}")
        if person.suffix:
            parts.append(f"suffix={{{self.text(person.suffix)}}}")
        parts.append(f"prefix={{{self.text(person.dropping_particle)}}}")
        parts.append("useprefix=false")
        return ", ".join(parts)


@cache
def shared(dialect: str, ascii: bool) -> Spelling:
    """One :class:`Spelling` per dialect and alphabet, for the reader's
    questions (its names' spellings kept from one question to the next)."""
    return Spelling(dialect, ascii)


def pages_text(w: Spelling, pages: Any) -> str:
    """A page range as the writer writes it: ``136--142``."""
    start = w.text(pages.start)
    return f"{start}--{w.text(pages.end)}" if pages.end else start
