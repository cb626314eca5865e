"""BibTeX and BibLaTeX: read entries into records, write records as entries.

Public API::

    parse_bibtex(text, *, source="<string>") -> BibParse
        Every entry of a .bib text as a record (``BibParse.entries``: records
        with their line numbers), the entries that could not be read
        (``BibParse.invalid``, each with line and reason) and warnings
        (``BibParse.warnings``: a repeated field, a re-defined @string, an
        undefined macro, an identifier kept in ``extra`` ...).
    load_bibtex(path) -> BibParse
    write_bibtex(records, *, dialect="bibtex", ascii=False, expand=False, books=None) -> str
        Entries in a fixed order and a fixed field order (same records, same
        bytes). ``dialect`` is "bibtex" or "biblatex". ``books`` maps parent
        keys to book records (needed for ``expand`` and for the crossref order).

The package, by concern:

* :mod:`.fields` -- entry types and the field table (one row per field, used
  by the reader and the writer);
* :mod:`.values` -- the value scanner (``@string`` macros, ``#``);
* :mod:`.reader` -- the two passes over a file and the in-file inheritance
  (``crossref``, ``xref``, ``xdata``);
* :mod:`.text` -- decoding field text (names, letter case, dates);
* :mod:`.decode` -- an entry's fields -> a record, as steps run in order
  (:data:`.decode.DECODERS`);
* :mod:`.writer` -- records -> entries, driven by the field table;
* :mod:`.spelling` -- how the writer spells text, names and pages (which the
  reader asks too: a field is noted as its source wrote it only where a
  writer would write it otherwise).

Reading uses bibtexparser v2 only to split the file into blocks (its
middlewares are not used: ``@string`` macros, ``#`` concatenation and month
macros are evaluated here in file order, so a re-defined ``@string`` applies
from where it is re-defined, as in BibTeX). Entries bibtexparser puts among its
failed blocks for a repeated field (:class:`DuplicateFieldKeyBlock`) or a
re-defined ``@string`` (:class:`DuplicateBlockKeyBlock`) are recovered with a
warning naming the line; the first value of a repeated field wins, as in BibTeX
(the first that is not empty), and the later ones are kept for exports
(``extra.bibtex_repeated``; not those of an ``@xdata`` entry).

Entry types (BibTeX/BibLaTeX -> citeshelf -> written back):

==========================================================  =========  ============================
read                                                        record     written (bibtex / biblatex)
==========================================================  =========  ============================
book, mvbook, collection, mvcollection, proceedings,        book       @book
mvproceedings, reference, mvreference, bookinbook
incollection, inbook, inreference, suppbook,                chapter    @incollection
suppcollection
article, suppperiodical                                     article    @article
inproceedings, conference                                   paper      @inproceedings
techreport, report                                          report     @techreport
phdthesis, mastersthesis, thesis                            thesis     @phdthesis or @mastersthesis
                                                                       / @thesis
online, www, electronic, webpage                            webpage    @misc / @online
anything else (misc, unpublished, manual, booklet, ...)     misc       @misc
==========================================================  =========  ============================

A source type that is not the one written back is kept in
``extra["bibtex_type"]`` and written back as it was. For classic BibTeX a
BibLaTeX-only type is written as the nearest classic type with an
``entrytype`` field naming the real one (``@misc`` + ``entrytype = {online}``),
which BibTeX ignores and citeshelf reads back.

A thesis's degree (:mod:`citeshelf.model.degrees`) is its entry type and
``type`` field: "phd" is ``@phdthesis`` / ``@thesis`` + ``type = {phdthesis}``,
"masters" ``@mastersthesis`` / ``type = {mathesis}``, "ma" ``@mastersthesis``
+ ``type = {MA thesis}``; other text is the ``type`` field as it is, and a
thesis with no degree is ``@phdthesis`` + ``type = {Thesis}`` (``@thesis``).
Read back, each gives the same degree.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .decode import entry_to_record
    from .fields import CASED_FIELDS, FIELDS, TYPES_IN
    from .reader import (
        BATCH_SIZE,
        BibIssue,
        BibParse,
        BibReader,
        ParsedEntry,
        iter_bibtex,
        load_bibtex,
        parse_bibtex,
    )
    from .writer import BibTeXWriter, order_for_crossref, write_bibtex, written_key

#: public name -> the submodule that defines it (loaded when a name is first used,
#: so that importing the package costs only what is used)
_HOME = {
    "entry_to_record": "decode",
    **dict.fromkeys(["CASED_FIELDS", "FIELDS", "TYPES_IN"], "fields"),
    **dict.fromkeys(
        [
            "BATCH_SIZE",
            "BibIssue",
            "BibParse",
            "BibReader",
            "ParsedEntry",
            "iter_bibtex",
            "load_bibtex",
            "parse_bibtex",
        ],
        "reader",
    ),
    **dict.fromkeys(
        ["BibTeXWriter", "order_for_crossref", "write_bibtex", "written_key"], "writer"
    ),
}


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOME])


__all__ = [
    "BATCH_SIZE",
    "BibParse",
    "BibIssue",
    "ParsedEntry",
    "parse_bibtex",
    "load_bibtex",
    "iter_bibtex",
    "BibReader",
    "write_bibtex",
    "BibTeXWriter",
    "entry_to_record",
    "order_for_crossref",
    "written_key",
    "TYPES_IN",
    "CASED_FIELDS",
    "FIELDS",
]
