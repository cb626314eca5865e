"""``@string`` macros on export: a field its source wrote with a macro is
written with it again, and the macro's definition comes before the first
entry that uses it.

The rule: a record remembers, in ``extra.bibtex_macros``, the raw value of
each field its source wrote with a macro of its own ``@string`` definitions
(``{"journal": "tugboat"}``, ``{"publisher": "tug # \\" and \\" # aw"}``);
the library keeps the definitions (:mod:`.preamble`). An export writes the
macro when the library defines every macro it names and the field's text,
as written now, is still what the macro expands to. A field edited since,
or a macro the library defines differently (another file's ``@string`` of
the same name), is written as its text: nothing changes meaning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .values import evaluate, macro_words

__all__ = ["Strings", "macro_field"]

#: a field's name in the other dialect (the source's name may be either)
_OTHER_NAME = {
    "journaltitle": "journal",
    "journal": "journaltitle",
    "location": "address",
    "address": "location",
    "institution": "school",
    "school": "institution",
}


#: the name a field's macro is noted under (one for both dialects)
_NOTED = {"journaltitle": "journal", "location": "address"}


def macro_field(name: str) -> str:
    """The name ``extra.bibtex_macros`` notes field ``name`` under
    (BibTeX's: ``journaltitle`` -> ``journal``), so that a BibLaTeX file
    exported as BibTeX and read again notes the same."""
    return _NOTED.get(name, name)


def _same(text: str) -> str:
    return " ".join(text.split())


class Strings:
    """The library's ``@string`` definitions, for one export: which fields
    are written as macros, and which definitions are still to be written."""

    def __init__(self, definitions: Iterable[tuple[str, str]]) -> None:
        #: lower-case name -> (name as written, raw value)
        self.raw: dict[str, tuple[str, str]] = {}
        for name, value in definitions:
            self.raw.setdefault(name.lower(), (name, value))
        self.expanded: dict[str, str] = {}
        for low, (_, value) in self.raw.items():
            self.expanded[low] = evaluate(value, self.expanded, [])
        self._written: set[str] = set()
        self._wanted: list[str] = []

    def apply(self, fields: dict[str, tuple[str, bool]], extra: Mapping[str, Any]) -> None:
        """Write as macros the ``fields`` (name -> (text, is_macro)) that the
        record's source wrote so and whose text the macro still gives."""
        uses = extra.get("bibtex_macros")
        if not self.raw or not isinstance(uses, Mapping):
            return
        for name, (text, macro) in list(fields.items()):
            raw = uses.get(name) or uses.get(_OTHER_NAME.get(name, ""))
            if macro or not isinstance(raw, str):
                continue
            words = [w.lower() for w in macro_words(raw)]
            if not words or any(w not in self.raw for w in words):
                continue
            undefined: list[str] = []
            if _same(evaluate(raw, self.expanded, undefined)) != _same(text) or undefined:
                continue
            fields[name] = (raw, True)
            self._wanted.extend(words)

    def definitions(self) -> str:
        """The ``@string`` lines the fields applied since the last call need
        and that are not written yet (a macro a definition uses first)."""
        lines: list[str] = []

        def write(low: str) -> None:
            if low in self._written or low not in self.raw:
                return
            self._written.add(low)
            name, value = self.raw[low]
            for w in macro_words(value):
                write(w.lower())
            lines.append(f"@string{{{name} = {_same(value)}}}\n")

        for low in self._wanted:
            write(low)
        self._wanted = []
        return "".join(lines)
