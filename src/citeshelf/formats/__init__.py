"""Interchange formats: text <-> records for BibTeX/BibLaTeX, CSL-JSON and RIS.

Modules (each imported on demand; none imports Click or Rich):

* :mod:`.bibtex` -- parse BibTeX/BibLaTeX text into records (``parse_bibtex``,
  ``load_bibtex``; a file a batch at a time: ``BibReader``) and write records
  as BibTeX or BibLaTeX (``write_bibtex``; one entry at a time:
  ``BibTeXWriter``). A package: field table, value scanner, reader, decoders,
  writer.
* :mod:`.csljson` -- CSL-JSON items <-> records (``record_from_csl``,
  ``records_from_csl``, ``record_to_csl``, ``load_csl``, ``dumps_csl``).
* :mod:`.ris` -- RIS <-> records (``parse_ris``, ``iter_ris``, ``load_ris``,
  ``record_to_ris``, ``write_ris``).
* :mod:`.zotero` -- Zotero libraries: Better BibTeX JSON, Zotero RDF and a
  ``zotero.sqlite`` read directly (``read_zotero``), with citation keys.
* :mod:`.entries` -- what every reader produces: ``ReadEntry`` (a record with
  its file, line, entry type ...), ``Issue`` (a problem or warning with file,
  line and key) and ``ReadBatch``.
* :mod:`.latex` -- LaTeX <-> Unicode for field text (``decode``, ``encode``).
* :mod:`.protect` -- letter-case protection of phrases (``auto_spans``,
  ``find_spans``, ``wrap_spans``).

* :mod:`.manuscript` -- the keys a manuscript cites (``cited_keys``) from
  ``.aux``, ``.tex`` and Markdown files.

Running an import or an export over a library is an operation:
:mod:`citeshelf.ops.importing` and :mod:`citeshelf.ops.exporting`.

Conventions for ``record.extra`` shared by all formats, so that an
import-export round trip loses nothing:

* ``extra["bibtex_type"]``, ``extra["csl_type"]``, ``extra["ris_type"]``: the
  entry type in the source format, kept only when it is not the default for the
  record's type (``@mastersthesis`` for a thesis, ``article-magazine`` for an
  article, ``@inbook`` for a chapter ...).
* ``extra["bibtex_key"]``: the entry's key in the .bib file when it could not
  be a record key (``baez/article`` is imported as ``baez-article``); BibTeX
  exports write the original again and ``--cited-in`` finds it.
* ``extra["bibtex_crossref"]``: ``True`` when a part's parent was named by
  ``crossref`` (not ``xref``): biber hands it the parent's fields, so BibLaTeX
  exports write ``crossref`` again when the parent is written too.
* ``extra["bibtex_booktitle"]``: ``True`` when a book's source wrote its title
  again as ``booktitle`` (for the chapters that crossref it, which inherit
  it); BibLaTeX exports write it again (classic BibTeX ones always do).
* ``extra["bibtex_year"]``: ``True`` when an entry with a ``crossref`` gave its
  date as ``year`` (biber completes it from the parent's date: a periodical's
  ``1991/`` makes an article's ``year = 2010`` ``2010/``); BibLaTeX exports
  write ``year`` (``month``, ``day``) again.
* ``extra["bibtex_fields"]``: ``{record field: BibLaTeX field}``, a field read
  under a name other than the one BibLaTeX exports write (an article's
  ``issue``, written ``number`` otherwise); BibLaTeX exports write that name.
* ``extra["bibtex_year_sort"]``: the sort prefix before a ``year``
  (``{\noopsort{1973b}}1973``: BibTeX's idiom, the macro defined in
  ``@preamble``); the record holds the year, exports write the prefix again.
* ``extra["bibtex_one_item"]``: the literal lists (``location``, ``publisher``
  ...) whose source wrote one item holding "; " (``{М.; СПб.}``), which the
  record cannot tell from items joined by "; ": exports write it as one item.
* ``extra["bibtex_names"]``: ``{field: [spelling, ...]}``, names whose source
  braced their parts where a writer would not (``{La Bruna}, Paco``: one
  family name to biber, two words unbraced; ``Beckmann, {Petr}``), decoded,
  in the full form "von Last, Jr, First"; BibTeX exports write a name so
  while it still spells the record's name.
* ``extra["bibtex_list_items"]``: ``{field: [count, ...]}``, a literal list
  (``location``, ``publisher`` ...) of several items one of which holds "; "
  (``{Cambridge, MA, USA; Berlin, Germany and Basel}``): how many of the
  record's "; "-separated items each of the source's holds; exports group
  them so again while the counts add up.
* ``extra["bibtex_written"]``: ``{BibTeX field: text}``, a structured field
  as its source wrote it (LaTeX) where a writer would write it otherwise and
  biber would read that otherwise: ``pages`` (an abbreviated range ``270--5``,
  which the record holds as 270–275; equal ends ``??--??``; braces
  ``{c\\,3}``), a thesis's ``type`` in its own words (``{Ph.D.} dissertation``,
  where a writer writes biblatex's ``phdthesis``), ``keywords`` holding LaTeX
  (``{\\TeX} Software``: the record's keywords are plain text), a literal
  ``year`` in LaTeX (``\\bibstring{nodate}``: the record's literal date is its
  text). BibTeX
  exports write it so while it still reads as the record's value.
* ``extra["bibtex_repeated"]``: ``{BibTeX field: {"then": [value, ...],
  "while": fingerprint}}``, a field its source wrote more than once: the
  record holds the first value (BibTeX reads the first, biber the last), the
  later ones are kept as LaTeX; BibTeX exports write them again after the
  field while the record holds what it held when read (the fingerprint).
  A field whose first value is empty holds the next one (biber reads the
  last; an empty field is none). A field repeated in an ``@xdata`` entry
  gives the entries that use it its first value, the later ones dropped.
  A ``year``, ``month`` or ``day`` repeated beside a ``date`` is not kept:
  the record's date is the ``date`` (biber ignores the others beside it),
  and the ``year`` an export writes is that date's, not the first value.
* ``extra["protect"]``: ``{field: [phrase, ...]}``, phrases whose letter case is
  protected (BibTeX ``{NATO}``, CSL ``<span class="nocase">``); exports put
  the protection back.
* ``extra["latex_markup"]``: ``{field: {tag: [spelling, ...]}}``, how a
  BibTeX source wrote a field's markup when not as the writers would
  (TeX's quotes, ``...'', or ``\\enquote`` for ``<q>``, ``{\\it ...}`` for ``<i>``);
  BibTeX exports write it so again.
* ``extra["keyword_separator"]``: ``";"`` when the source separated its
  keywords by semicolons though none holds a comma; exports write them so.
* ``extra["isbn_separator"]``: what stood between a CSL item's ISBNs when it
  was not a space (``", "``), or between the ISBNs of one BibTeX ``isbn``
  field; CSL-JSON exports write it again, and BibTeX exports write the ISBNs
  in one field again (biber prints them all; without it, the first goes in
  ``isbn`` and the others in ``isbn-others``).
* ``extra["csl_verbatim"]``: ``{name: value}``, the members of a CSL-JSON item
  that CSL 1.0.2 does not define (pandoc's ``other-ids``), as they came;
  CSL-JSON exports write them back.
* ``extra["csl_aliases"]``: CSL variables read under another name of the same
  variable (``event`` for ``event-title``, ``shortTitle``,
  ``journalAbbreviation``); CSL-JSON exports write that name again.
* ``extra["tie_order"]``: ``[key, ...]``, records a bibliography sorts alike
  (same first names, title, year and volume) whose keys sort otherwise than
  their source's order, which biber and citeproc print them in: exports
  write them in that order (:data:`citeshelf.model.order.TIE_ORDER`).
* any other key: a field the model does not have, under its name in the source
  format (BibTeX field names lower-cased, CSL variable names as they are).
"""

#: The output formats ``citeshelf export`` knows.
EXPORT_FORMATS = ("bibtex", "biblatex", "csl-json", "ris")
#: The input formats ``citeshelf import`` knows.
#: (bbt-json: Better BibTeX JSON; zotero-rdf: Zotero RDF; zotero-sqlite: a zotero.sqlite)
IMPORT_FORMATS = ("bibtex", "csl-json", "ris", "bbt-json", "zotero-rdf", "zotero-sqlite")

#: extra keys with a meaning of their own (not copied as fields).
RESERVED_EXTRA = frozenset(
    {
        "bibtex_type",
        "bibtex_key",
        "bibtex_crossref",
        "bibtex_booktitle",
        "bibtex_year",
        "bibtex_fields",
        "bibtex_one_item",
        "bibtex_year_sort",
        "bibtex_names",
        "bibtex_list_items",
        "bibtex_written",
        "bibtex_repeated",
        "csl_type",
        "ris_type",
        "protect",
        "latex_markup",
        "keyword_separator",
        "isbn_separator",
        "csl_aliases",
        "csl_verbatim",
        "tie_order",
    }
)

#: extra keys whose value names other entries by key: a ``crossref`` or
#: ``xref`` kept because the record cannot have that parent, a biblatex
#: set's ``entryset`` (the keys of its members).
LINK_EXTRA = frozenset({"crossref", "xref", "entryset"})

#: extra keys holding what a BibTeX source said of a record field besides
#: the record's value, by that record field: the date fields the date does
#: not hold (``month = {Spring}`` beside ``year``, a second year, a ``day``
#: that is no day; ``date``: a range an older import kept), a ``urldate``
#: that is no date, an article's ``issue`` beside its ``number``, the
#: ``isbn-others`` of an entry whose ``isbn`` is none. An export writes
#: them beside the field's value, so they go with that value.
FIELD_EXTRA: dict[str, str] = {
    **dict.fromkeys(("year", "month", "day", "date"), "issued"),
    "urldate": "accessed",
    "issue": "issue",
    "isbn-others": "isbn",
}


def guess_format(path: str) -> str | None:
    """The import format a file name suggests (".bib" -> "bibtex"), or None."""
    name = path.lower()
    if name.endswith((".bib", ".bibtex", ".biblatex")):
        return "bibtex"
    if name.endswith((".json", ".csl", ".csljson")):
        return "csl-json"
    if name.endswith((".ris", ".txt")):
        return "ris"
    if name.endswith((".sqlite", ".sqlite3")):
        return "zotero-sqlite"
    if name.endswith(".rdf"):
        return "zotero-rdf"
    return None
