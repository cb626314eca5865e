"""Reading and writing BibTeX/BibLaTeX: the hard cases of tests/fixtures/bib."""

from __future__ import annotations

from pathlib import Path

import pytest

from citeshelf.formats.bibtex import load_bibtex, parse_bibtex, write_bibtex
from citeshelf.formats.latex import decode, encode, strip_groups
from citeshelf.library import Library

HERE = Path(__file__).resolve().parent
BIB = HERE / "fixtures" / "bib"
ROOT = HERE.parent


def by_key(name: str):
    parsed = load_bibtex(BIB / name)
    return {r.key: r for r in parsed.records}, parsed


# -- LaTeX -------------------------------------------------------------------


@pytest.mark.parametrize(
    "tex, text",
    [
        (r"M{\"u}ller", "Müller"),
        (r"\"{u}ber", "über"),
        (r"Stra{\ss}e", "Straße"),
        (r"\ss{} x", "ß x"),
        (r"{\'E}mile", "Émile"),
        (r"Fran\c{c}ois", "François"),
        (r"Fran\c cois", "François"),
        (r"Anton\'\i n", "Antonín"),
        (r"{\'{\"{u}}}", "ǘ"),
        (r"{\v{S}}koda", "Škoda"),
        (r"{\L}\'od\'z", "Łódź"),
        (r"\AA{}ngstr\"om", "Ångström"),
        ("1--10 and a---b", "1–10 and a—b"),
        ("``quoted''", "“quoted”"),
        (r"50\% \& \$5 \#1 a\_b", "50% & $5 #1 a_b"),
        (r"\{not a group\}", "{not a group}"),
        (r"\emph{Homo} sapiens", "Homo sapiens"),
        (r"$\alpha$-decay", "α-decay"),
        (r"\textasciitilde{} and \textbackslash{}", "~ and \\"),
        ("plain text", "plain text"),
    ],
)
def test_decode(tex, text):
    assert decode(tex) == text


def test_braces_that_protect_case_are_kept_apart_from_accent_braces():
    kept = decode(r"The {NATO} and {\"U}ber {E}urope", keep_braces=True)
    assert kept == "The {NATO} and Über {E}urope"
    assert strip_groups(kept) == ("The NATO and Über Europe", ["NATO", "E"])


@pytest.mark.parametrize(
    "text",
    [
        "Müller",
        "Émile",
        "François",
        "í",
        "ǘ",
        "Łódź",
        "Straße",
        "Ångström",
        "Dvořák",
        "Þór",
        "50% & $5 #1 a_b {x} ~ ^ \\",
        "a–b—c",
        "“q” ‘s’",
        "x\u00a0y",
    ],
)
def test_encode_then_decode_gives_the_text_back(text):
    assert decode(encode(text)) == text
    assert decode(encode(text, ascii=True)) == text
    assert encode(text, ascii=True).isascii()


def test_encode_escapes_specials_and_writes_ascii_macros():
    assert encode("R&D 50% $x #1 a_b {c}") == r"R\&D 50\% \$x \#1 a\_b \{c\}"
    assert encode("Müller", ascii=True) == r"M{\"{u}}ller"
    assert encode("Müller") == "Müller"


# -- reading -----------------------------------------------------------------


def test_accents_names_and_protected_capitals():
    recs, parsed = by_key("accents.bib")
    assert parsed.invalid == [] and parsed.warnings == []
    m = recs["muller2019uber"]
    assert [p.family for p in m.authors] == ["Müller", "Dvořák", "Ørsted", "Gödel"]
    assert m.authors[1].given == "Antonín"
    assert m.title == "Über die NATO und Europa: Straßen, Brücken – und <i>mehr</i>"
    assert m.extra["protect"] == {"title": ["E", "NATO"]}
    assert m.journal == "Zeitschrift für Sicherheitspolitik"
    assert str(m.pages) == "101–125"
    assert m.issued.iso() == "2019-03"
    f = recs["francois2010cafe"]
    assert f.title == "Cafés, crème brûlée & 50% off: a study of French Éclairs"
    assert f.note == "See pp.\u00a03–5; <q>quoted</q> text, <i>italic</i> and a tilde\u00a0here"
    assert f.place == "Montréal"
    w = recs["ww2001organisation"]
    assert w.authors[0].literal == "World Health Organization"
    assert w.extra["protect"] == {"title": ["The World Health Report 2001"]}


def test_strings_concatenation_month_macros_and_redefinition():
    recs, parsed = by_key("strings.bib")
    book = recs["sperling2014handbook"]
    assert book.title == "Handbook of Governance and Security"
    assert book.publisher == "Edward Elgar Publishing"
    assert book.place == "Cheltenham, UK"
    assert book.issued.iso() == "2014-08"
    later = recs["later2015book"]
    assert later.publisher == "Elgar"  # the re-defined @string applies after it
    assert later.issued.iso() == "2015-09"
    assert [str(w) for w in parsed.warnings] == [
        f"{BIB / 'strings.bib'}:15: @string 'elgar' is defined again; entries after line 15 "
        "use the new value"
    ]


def test_crossref_becomes_the_parent():
    recs, parsed = by_key("crossref.bib")
    assert parsed.invalid == []
    aris = recs["aris2014collective"]
    assert aris.type == "chapter" and aris.parent == "sperling2014handbook"
    assert aris.chapter == "30"
    assert recs["galbreath2014organization"].parent == "sperling2014handbook"
    # BibTeX's booktitle copy on the book is not kept twice
    assert "booktitle" not in recs["sperling2014handbook"].extra
    paper = recs["lee2020fast"]
    # a paper's crossref is its proceedings: its parent, as a chapter's book
    assert paper.type == "paper" and paper.parent == "proc2020" and "crossref" not in paper.extra
    assert recs["proc2020"].extra["bibtex_type"] == "proceedings"
    # xdata fields are merged into the entry that names them
    other = recs["other2016book"]
    assert (other.publisher, other.place) == ("Edward Elgar Publishing", "Cheltenham")


def test_biblatex_types_and_fields():
    recs, parsed = by_key("biblatex.bib")
    assert parsed.invalid == [] and parsed.warnings == []
    web = recs["osce2024home"]
    assert web.type == "webpage" and web.site == "OSCE"
    assert web.accessed.iso() == "2024-01-20" and web.issued.iso() == "2023-05-14"
    th = recs["novak2017regional"]
    assert (th.type, th.degree, th.institution, th.place) == (
        "thesis",
        "phd",  # biblatex's type = {phdthesis}: the vocabulary's degree
        "Charles University",
        "Prague",
    )
    assert recs["kim2018ms"].degree == "masters"
    rep = recs["carter2019deterrence"]
    assert (rep.type, rep.institution, rep.number) == ("report", "RAND Corporation", "RR-1234")
    assert rep.genre == "Research report" and rep.extra == {}
    part = recs["jones2012part"]
    assert part.type == "chapter" and part.extra["bibtex_type"] == "inbook"
    assert part.container_authors[0].family == "Jones"
    mv = recs["hughes2005history"]
    assert (mv.type, mv.subtitle, mv.number_of_pages) == ("book", "In three volumes", "1200")
    assert mv.number_of_volumes == "3" and mv.extra == {"bibtex_type": "mvbook"}
    art = recs["lee2022measuring"]
    assert art.authors_et_al is True and len(art.authors) == 2
    assert art.journal == "Journal of Global Security Studies" and art.issue == "2"
    assert art.number == "ksac012"  # biblatex's eid: the article number
    assert art.extra == {
        "langid": "english",
        "eprint": "2206.01234",
        "eprinttype": "arxiv",
    }
    tool = recs["tool2021"]
    assert (tool.type, tool.version, tool.extra) == ("software", "5.1", {})


def test_messy_file_recovers_what_bibtex_would_and_reports_the_rest():
    recs, parsed = by_key("messy.bib")
    src = BIB / "messy.bib"
    assert sorted(recs) == [
        "baddoi2003",
        "beeton1990later",
        "good2001after",
        "good2001aftera",  # the entry after it under its key: BibTeX skips it, kept here
        "knuth1984literate",
        "orphan2004",
    ]
    knuth = recs["knuth1984literate"]
    assert knuth.title == "Literate Programming"  # the first of a repeated field wins
    assert knuth.authors_et_al is True
    assert knuth.journal == "TUGboat"
    assert recs["beeton1990later"].journal == "TUGboat, the journal"
    assert recs["good2001after"].title == "After the broken one"
    assert recs["baddoi2003"].doi is None
    assert recs["baddoi2003"].extra == {"doi": "not a doi", "isbn": "123"}
    assert recs["good2001aftera"].title == "Same key again"
    assert [(i.line, i.key) for i in parsed.invalid] == [(24, "broken1")]
    assert "syntax error" in parsed.invalid[0].message
    assert [str(w) for w in parsed.warnings] == [
        f"{src}:11: entry 'knuth1984literate': field 'title' is repeated: the record holds the first "
        "value, as BibTeX reads it (biber reads the last); exports write 'A second title that "
        "BibTeX ignores' again after it",
        f"{src}:14: @string 'tug' is defined again; entries after line 14 use the new value",
        f"{src}:16: entry 'beeton1990later': undefined @string macro 'undefinedmacro': kept as text",
        f"{src}:36: entry 'good2001after': the key is already used by the entry on line 30: this "
        "one imported as 'good2001aftera' (BibTeX skips it)",
        f"{src}:42: entry 'baddoi2003': field 'doi' kept in extra: 'not a doi' is not a DOI: "
        "expected 10.NNNN/suffix",
        f"{src}:42: entry 'baddoi2003': field 'isbn' kept in extra: '123' is not a valid ISBN "
        "(the number has an invalid length)",
    ]


_REPEATED = """@Collection{fst,
  number = 4,
  editor = {Crosilla, Laura},
  editor = {Schuster, Peter},
  title = {From sets and types},
  language = {English},
  language = {english},
  _note = {one},
  _note = {two},
  number = 48,
}
"""


def test_a_repeated_field_keeps_its_first_value_and_is_written_again_after_it():
    (entry,) = parse_bibtex(_REPEATED).entries
    rec = entry.record
    assert rec.collection_number == "4"  # BibTeX reads the first value
    assert [p.family for p in rec.editors] == ["Crosilla"]
    assert rec.language == "English"
    assert rec.extra["_note"] == "one"
    assert {k: v["then"] for k, v in rec.extra["bibtex_repeated"].items()} == {
        "number": ["48"],
        "editor": ["Schuster, Peter"],
        "language": ["english"],
        "_note": ["two"],
    }
    lines = write_bibtex([rec], dialect="biblatex").splitlines()
    # each later value right after the first, as biber (which reads the last) saw them
    for first, later in [
        ("  number = {4},", "  number = {48},"),
        ("  editor = {Crosilla, Laura},", "  editor = {Schuster, Peter},"),
        ("  language = {English},", "  language = {english},"),
        ("  _note = {one},", "  _note = {two},"),
    ]:
        assert lines[lines.index(first) + 1] == later
    (again,) = parse_bibtex("\n".join(lines)).entries
    assert again.record.extra["bibtex_repeated"] == rec.extra["bibtex_repeated"]


def test_an_ascii_export_writes_a_repeated_value_s_other_characters_in_latex():
    (rec,) = parse_bibtex(
        "@book{a, title={A}, year=2000, editor={Crosilla, Laura},"
        " editor={Sch\u00fcster, P{\\'e}ter}, note={One}, note={Zwei \u2013 drei \\& {vier}},"
        " url={http://a.org}, url={http://b.org/\u00fc}}"
    ).records
    text = write_bibtex([rec], dialect="biblatex", ascii=True)
    lines = text.splitlines()
    for first, later in [
        ("  editor = {Crosilla, Laura},", "  editor = {Sch{\\\"{u}}ster, P{\\'e}ter},"),
        ("  note = {One},", "  note = {Zwei -- drei \\& {vier}},"),
        ("  url = {http://a.org},", "  url = {http://b.org/\u00fc},"),  # verbatim, as url is
    ]:
        assert lines[lines.index(first) + 1] == later
    (again,) = parse_bibtex(text).records
    for name, note in again.extra["bibtex_repeated"].items():
        source = rec.extra["bibtex_repeated"][name]["then"]
        assert [decode(v) for v in note["then"]] == [decode(v) for v in source]


def test_a_repeated_field_whose_first_value_is_empty_holds_the_later_value():
    # biber reads the last value (biber --tool: note = {Real}); an empty first
    # value is no value for the record, which holds the next one
    parsed = parse_bibtex(
        "@book{c, title={C}, year=2000, note={}, note={Real}}\n"
        "@book{d, title={D}, year=2000, note={ }, note={}, note={A}, note={B}}\n"
    )
    c, d = parsed.records
    assert (c.note, "bibtex_repeated" in c.extra) == ("Real", False)
    assert d.note == "A" and d.extra["bibtex_repeated"]["note"]["then"] == ["B"]
    text = write_bibtex([c, d], dialect="biblatex")
    assert "  note = {Real},\n}" in text and "  note = {A},\n  note = {B},\n}" in text
    assert [(w.key, w.message) for w in parsed.warnings] == [
        ("c", "field 'note' is repeated: its first value is empty: the record holds the later "
              "value 'Real' (BibTeX reads the empty one, biber the last)"),
        ("d", "field 'note' is repeated: the value is empty again: dropped"),
        ("d", "field 'note' is repeated: its first value is empty: the record holds the later "
              "value 'A' (BibTeX reads the empty one, biber the last)"),
        ("d", "field 'note' is repeated: the record holds the first value, as BibTeX reads it "
              "(biber reads the last); exports write 'B' again after it"),
    ]  # fmt: skip


def test_a_field_repeated_in_an_xdata_entry_is_said_to_be_dropped():
    parsed = parse_bibtex(
        "@xdata{pub, publisher={First}, publisher={Second}, location={}, location={Berlin}}\n"
        "@book{c, title={C}, year=2000, xdata={pub}}\n"
    )
    (c,) = parsed.records
    assert (c.publisher, c.place, "bibtex_repeated" in c.extra) == ("First", "Berlin", False)
    assert "Second" not in write_bibtex([c], dialect="biblatex")
    assert [(w.key, w.message) for w in parsed.warnings] == [
        ("pub", "field 'publisher' is repeated: the entries that use this @xdata take the first "
                "value; the later value 'Second' is dropped (biber reads the last)"),
        ("pub", "field 'location' is repeated: its first value is empty: the entries that use "
                "this @xdata take the later value 'Berlin' (biber reads the last)"),
    ]  # fmt: skip


def test_a_repeated_field_is_not_written_again_once_the_record_changed_it():
    (entry,) = parse_bibtex(_REPEATED).entries
    rec = entry.record
    edited = rec.model_copy(update={"editors": rec.editors[:0], "language": "German"})
    text = write_bibtex([edited], dialect="biblatex")
    assert "editor" not in text
    assert "language = {German}," in text and "english" not in text
    assert text.count("number = {") == 2  # unchanged fields still are


def test_a_name_of_too_many_commas_is_kept_whole_with_the_line():
    # (names separated by commas, not "and": "Miller, D., Firby, J."); the entry was refused
    parsed = parse_bibtex("@book{x, title={x}}\n\n@book{ok, author={A, B, C, D}, title={y}}\n")
    assert parsed.invalid == []
    assert [(w.line, w.key) for w in parsed.warnings] == [(3, "ok")]
    assert "has more commas than BibTeX's 'von Last, Jr, First'" in parsed.warnings[0].message
    assert parsed.records[1].authors[0].literal == "A, B, C, D"


def test_a_bad_name_is_reported_with_the_line():
    parsed = parse_bibtex("@book{x, title={x}}\n\n@book{ok, author={, B}, title={y}}\n")
    assert [(i.line, i.key) for i in parsed.invalid] == [(3, "ok")]
    assert "has no family name" in parsed.invalid[0].message


def _marked_books(records):
    """``records`` as a classic BibTeX export reads back: a book is written
    with its title as ``booktitle`` too (classic crossref copies only
    same-named fields), which its import remembers (``extra.bibtex_booktitle``)."""
    out = []
    for r in records:
        own = r.container_title or "booktitle" in (r.extra or {})
        if r.type == "book" and r.title and not own:
            r = r.model_copy(update={"extra": {**(r.extra or {}), "bibtex_booktitle": True}})
        out.append(r)
    return out


def test_keys_that_are_no_file_names_are_kept_as_written():
    parsed = parse_bibtex(
        "@book{baez/book, title={B}}\n@incollection{baez/ch, title={C}, crossref={baez/book}}\n"
        "@book{李2020, title={L}}\n"
    )
    recs = {r.key: r for r in parsed.records}
    assert sorted(recs) == ["baez/book", "baez/ch", "李2020"]
    assert recs["baez/ch"].parent == "baez/book"
    assert not parsed.warnings and "bibtex_key" not in recs["baez/book"].extra
    text = write_bibtex(parsed.records)
    assert "@incollection{baez/ch," in text and "crossref = {baez/book}" in text
    assert "@book{baez/book," in text and "@book{李2020," in text
    again = {r.key: r for r in parse_bibtex(text).records}
    assert again == {r.key: r for r in _marked_books(parsed.records)}


def test_a_key_that_cannot_be_a_record_key_is_imported_under_a_usable_one_and_written_back():
    long = "k" * 130
    parsed = parse_bibtex(
        f"@book{{{long}, title={{B}}}}\n@incollection{{c, crossref={{{long}}}}}\n"
    )
    recs = {r.key: r for r in parsed.records}
    assert sorted(recs) == ["c", "k" * 120]
    assert recs["c"].parent == "k" * 120
    assert recs["k" * 120].extra["bibtex_key"] == long
    assert str(parsed.warnings[0]) == (
        f"<string>:1: entry '{long}': the key cannot be a record key: imported as "
        f"'{'k' * 120}' (the original key is kept and written back on export)"
    )
    text = write_bibtex(parsed.records)
    assert f"@book{{{long}," in text and f"crossref = {{{long}}}" in text
    assert {r.key: r for r in parse_bibtex(text).records} == {
        r.key: r for r in _marked_books(parsed.records)
    }


def test_real_world_oddities_are_kept():
    parsed = parse_bibtex(
        "@article{a, title={T}, pages={431--456, 791--823}, month={April-May}, year=1990, key={}}\n"
        "@inbook{b, author={Knuth, Donald}, title={Fundamental Algorithms}, chapter={1.2}, "
        "pages={10--119}, publisher={Addison-Wesley}, year=1973}\n"
    )
    a, b = parsed.records
    assert a.pages is None and a.extra["pages"] == "431–456, 791–823"
    assert a.issued.iso() == "1990" and a.extra["month"] == "April-May"
    assert a.extra["key"] == ""
    assert "field 'pages' kept in extra" in str(parsed.warnings[0])
    # classic @inbook: the title is the book's
    assert (b.type, b.title, b.container_title, b.chapter) == (
        "chapter",
        None,
        "Fundamental Algorithms",
        "1.2",
    )
    text = write_bibtex([a, b])
    assert "  title = {Fundamental Algorithms},\n" in text  # as imported, braces and all
    assert "booktitle" not in text
    assert {r.key: r for r in parse_bibtex(text).records} == {"a": a, "b": b}


def test_latin1_file_is_read_with_a_warning(tmp_path):
    f = tmp_path / "old.bib"
    f.write_bytes("@book{x, author={M\xfcller, A}, title={T}}".encode("latin-1"))
    parsed = load_bibtex(f)
    assert parsed.records[0].authors[0].family == "Müller"
    assert "not UTF-8" in str(parsed.warnings[0])


# -- writing -----------------------------------------------------------------


HANDBOOK_BIB = """\
@incollection{aris2014collective,
  author = {Aris, Stephen},
  title = {Collective {Security} {Treaty} {Organization}},
  chapter = {30},
  isbn = {},
  url = {https://www.elgaronline.com/view/9781781953167.00042.xml},
  crossref = {sperling2014handbook},
}

@incollection{galbreath2014organization,
  author = {Galbreath, David J. and Seidyusif, Aynur},
  title = {Organization for {Security} and {Cooperation} in {Europe}},
  chapter = {35},
  pages = {656--670},
  isbn = {},
  url = {https://www.elgaronline.com/view/edcoll/9781781953167/9781781953167.00047.xml},
  crossref = {sperling2014handbook},
}

@book{sperling2014handbook,
  editor = {Sperling, James},
  title = {Handbook of governance and security},
  booktitle = {Handbook of governance and security},
  publisher = {Edward Elgar Publishing},
  address = {Cheltenham, UK},
  year = {2014},
  month = aug,
  day = {29},
  isbn = {9781781953167},
  isbn-others = {9781781953174},
  keywords = {politics and public policy, international politics, international relations, regulation and governance, terrorism and security},
}
"""


def handbook_records():
    lib = Library(ROOT / "records")
    recs = [
        lib.get(k)
        for k in ("aris2014collective", "galbreath2014organization", "sperling2014handbook")
    ]
    return [r.model_copy(update={"abstract": None}) for r in recs]


def test_bibtex_output_of_two_chapters_and_their_book():
    assert write_bibtex(handbook_records()) == HANDBOOK_BIB


def test_biblatex_chapters_are_self_contained_and_linked_by_xref():
    text = write_bibtex(handbook_records(), dialect="biblatex")
    aris = text.split("\n\n")[0]
    assert aris == (
        "@incollection{aris2014collective,\n"
        "  author = {Aris, Stephen},\n"
        "  editor = {Sperling, James},\n"
        "  title = {Collective {Security} {Treaty} {Organization}},\n"
        "  booktitle = {Handbook of governance and security},\n"
        "  chapter = {30},\n"
        "  publisher = {Edward Elgar Publishing},\n"
        "  location = {Cheltenham, UK},\n"
        "  date = {2014-08-29},\n"
        "  url = {https://www.elgaronline.com/view/9781781953167.00042.xml},\n"
        "  xref = {sperling2014handbook},\n"
        "}"
    )
    assert text.index("@book{sperling2014handbook") > text.index("@incollection{galbreath")
    # read back, the chapters take from the book what they repeat
    back = {r.key: r for r in parse_bibtex(text).records}
    orig = {r.key: r for r in handbook_records()}
    assert (
        back["aris2014collective"].model_copy(update={"added": orig["aris2014collective"].added})
        == orig["aris2014collective"]
    )


def test_expand_writes_self_contained_chapters_without_the_books_identifiers():
    recs = handbook_records()
    book = recs[2].model_copy(update={"doi": "10.4337/9781781953174"})
    text = write_bibtex(recs[:1], expand=True, books={"sperling2014handbook": book})
    assert "booktitle = {Handbook of governance and security}" in text
    assert "editor = {Sperling, James}" in text
    assert "crossref" not in text and "doi" not in text and "isbn" not in text


def test_ascii_output_and_escaping():
    recs, _ = by_key("accents.bib")
    text = write_bibtex([recs["francois2010cafe"]], ascii=True)
    assert text.isascii()
    assert (
        r"title = {Caf{\'{e}}s, cr{\`{e}}me br{\^{u}}l{\'{e}}e \& 50\% off: a study of {French} {\'{E}}clairs}"
        in text
    )
    utf8 = write_bibtex([recs["francois2010cafe"]])
    assert "title = {Cafés, crème brûlée \\& 50\\% off: a study of {French} Éclairs}" in utf8


def _without_macros(records):
    """Records keyed, without the note of which fields used a macro (a
    redefined @string's second meaning is written as text: the library
    keeps one meaning per macro)."""
    out = {}
    for r in records:
        extra = {k: v for k, v in r.extra.items() if k != "bibtex_macros"}
        out[r.key] = r.model_copy(update={"extra": extra})
    return out


def test_import_then_export_keeps_every_field():
    for name in ("accents.bib", "strings.bib", "crossref.bib", "biblatex.bib", "nocrossref.bib"):
        read = load_bibtex(BIB / name)
        first = read.records
        for dialect in ("bibtex", "biblatex"):
            # with the file's @string definitions, as an export from a library has them
            text = write_bibtex(first, dialect=dialect, strings=read.strings)
            again = parse_bibtex(text).records
            expected = _marked_books(first) if dialect == "bibtex" else first
            assert _without_macros(again) == _without_macros(expected), (name, dialect)
            assert write_bibtex(again, dialect=dialect, strings=read.strings) == text
            if name == "strings.bib":
                assert 'title = hb # "Governance and Security",' in text
                assert "publisher = elgar," in text  # the first meaning: the handbook's
                assert "publisher = {Elgar}," in text  # the redefined one: as text


def test_output_is_deterministic_and_sorted_with_books_last():
    recs = handbook_records()
    a = write_bibtex(recs)
    b = write_bibtex(list(reversed(recs)))
    assert a == b
    keys = [line.split("{")[1].rstrip(",") for line in a.splitlines() if line.startswith("@")]
    assert keys == ["aris2014collective", "galbreath2014organization", "sperling2014handbook"]


# -- real files written elsewhere (TeX Live ships them) -------------------------------

REAL_FILES = {
    "xampl.bib": ("texlive-base", 0),  # BibTeX's own example
    "biblatex-examples.bib": ("texlive-bibtex-extra", 0),
    "tugboat.bib": ("texlive-bibtex-extra", 0),
}


@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_real_bib_files_import_and_export_without_loss(name):
    import shutil
    import subprocess

    package, _ = REAL_FILES[name]
    if shutil.which("kpsewhich") is None:
        pytest.skip("kpsewhich not installed: cannot find TeX Live's .bib files")
    path = subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip()
    if not path:
        pytest.skip(f"{name} not installed (Debian package {package})")
    parsed = load_bibtex(path)
    assert len(parsed.invalid) == 0, [str(i) for i in parsed.invalid]
    assert len(parsed.records) > 20
    records = {r.key: r for r in parsed.records}
    for dialect in ("bibtex", "biblatex"):
        text = write_bibtex(parsed.records, dialect=dialect, strings=parsed.strings)
        again = {r.key: r for r in parse_bibtex(text).records}
        if dialect == "bibtex":
            # a quotation biblatex's way (\mkbibquote) is written as TeX's
            # quotes in classic BibTeX, and the import notes that spelling
            for key, r in again.items():
                before = (records[key].extra or {}).get("latex_markup", {})
                after = r.extra.pop("latex_markup", {})
                for field, spellings in after.items():
                    if spellings != before.get(field):
                        assert spellings.get("q") == ["``"], (key, field, spellings)
                        spellings = {t: s for t, s in spellings.items() if t != "q"}
                        assert spellings == {
                            t: s for t, s in before.get(field, {}).items() if t != "q"
                        }
                if before:
                    r.extra["latex_markup"] = before
        expected = _marked_books(parsed.records) if dialect == "bibtex" else parsed.records
        assert again == {r.key: r for r in expected}, dialect


def test_a_commented_out_entry_is_no_entry_as_biber_reads_it():
    # biber (biber --tool) drops a line from a % outside a value; classic
    # BibTeX would read the entry: citeshelf follows biber
    text = (
        "@article{kept, title={Kept}, journal={J}, year={2000}}\n"
        "%@article{commented, title={Commented}, journal={J}, year={2001}}\n"
        "  % @book{commented2, title={Also}, year={2002}}\n"
        "@article{k1, author={A, B},\n% note={commented field},\n  title={Fifty {50%} off},"
        " url={http://x.org/a%20b}, journal={J}, year={2000}} % @book{trail, title={T}}\n"
    )
    parsed = parse_bibtex(text)
    assert [(e.record.key, e.line) for e in parsed.entries] == [("kept", 1), ("k1", 4)]
    k1 = parsed.records[1]
    assert (k1.title, k1.url, k1.note) == ("Fifty 50% off", "http://x.org/a%20b", None)
    assert parsed.invalid == [] and parsed.warnings == []


def test_a_braced_corporate_holder_is_one_literal_name_and_stays_one():
    parsed = parse_bibtex(
        "@patent{p, title={T}, holder={{Robert Bosch GmbH} and Doe, Jane}, year=2003}\n"
    )
    r = parsed.records[0]
    assert r.extra["holder"] == [
        {"literal": "Robert Bosch GmbH"},
        {"family": "Doe", "given": "Jane"},
    ]
    text = write_bibtex([r], dialect="biblatex")
    assert "holder = {{Robert Bosch GmbH} and Doe, Jane}," in text
    assert parse_bibtex(text).records[0] == r


def test_publisher_and_location_are_lists_and_a_braced_and_is_a_word():
    parsed = parse_bibtex(
        "@book{a, title={T}, publisher={Routledge {and} Kegan Paul}, year=1950}\n"
        "@book{b, title={T}, publisher={Polity and Elgar}, location={London and New York}, year=2000}\n"
    )
    a, b = parsed.records
    assert a.publisher == "Routledge and Kegan Paul"
    assert (b.publisher, b.place) == ("Polity; Elgar", "London; New York")
    text = write_bibtex([a, b], dialect="biblatex")
    assert "publisher = {Routledge {and} Kegan Paul}," in text
    assert "publisher = {Polity and Elgar},\n  location = {London and New York}," in text
    assert parse_bibtex(text).records == [a, b]


def test_a_lone_brace_in_a_list_item_comes_back() -> None:
    """``place = "a{; a"`` (two places, one with a lone brace) is written
    ``a\\textbraceleft{} and a`` (BibTeX counts ``\\{`` as a brace: the field
    would run on) and read back as the same two places: the brace is text, not
    a group that hides the ``and``."""
    from citeshelf.formats.bibtex import parse_bibtex, write_bibtex
    from citeshelf.model import parse_record

    record = parse_record({"type": "article", "key": "a", "place": "a{; a"})
    text = write_bibtex([record], dialect="bibtex")
    assert "address = {a\\textbraceleft{} and a}" in text
    (back,) = parse_bibtex(text).records
    assert back.place == "a{; a"


def test_an_open_ended_date_is_written_as_biblatex_writes_it():
    # biber reads EDTF's "2010/.." as the year alone: written "2010/", as biblatex does
    record = parse_bibtex("@book{x, title={T}, date={2010/}}\n").records[0]
    assert record.issued.open_end
    text = write_bibtex([record], dialect="biblatex")
    assert "  date = {2010/},\n" in text
    assert parse_bibtex(text).records[0] == record


SET_BIB = r"""@mvbook{set,
  author = {Knuth, Donald E.},
  title = {The art of computer programming},
  volumes = {4},
  translator = {Doe, Jane},
  publisher = {Addison-Wesley},
  location = {Reading, Mass.},
  date = {1968},
}

@book{vol1,
  title = {Fundamental algorithms},
  volume = {1},
  isbn = {978-0-201-89683-1},
  pagetotal = {650},
  crossref = {set},
}

@inbook{ch1,
  title = {Basic concepts},
  chapter = {1},
  pages = {1--120},
  crossref = {vol1},
}

@inbook{ch2,
  title = {Information structures},
  chapter = {2},
  pages = {232--465},
  xref = {vol1},
}
"""


def test_biblatex_export_writes_crossref_where_the_source_did_and_xref_elsewhere():
    recs = parse_bibtex(SET_BIB).records
    by = {r.key: r for r in recs}
    assert by["ch1"].extra["bibtex_crossref"] is True
    assert by["vol1"].extra["bibtex_crossref"] is True
    assert "bibtex_crossref" not in (by["ch2"].extra or {})
    text = write_bibtex(recs, dialect="biblatex")
    entries = {e.split("{", 1)[1].split(",", 1)[0]: e for e in text.split("\n\n")}
    assert "  crossref = {vol1},\n" in entries["ch1"]
    assert "  crossref = {set},\n" in entries["vol1"]
    assert "  xref = {vol1},\n" in entries["ch2"] and "crossref" not in entries["ch2"]
    # the marker is no field of its own, and classic BibTeX writes crossref as before
    assert "bibtex_crossref" not in text
    assert "  crossref = {vol1},\n" in write_bibtex(recs)
    # parents after the entries that cite them, as BibTeX needs
    assert text.index("@book{vol1") > text.index("{ch1,") and text.index("{set,") > text.index(
        "@book{vol1"
    )


def test_biber_resolves_the_export_of_a_crossref_set_to_the_same_fields(tmp_path):
    import shutil

    from .biber_fidelity import biber_resolved, compare

    if shutil.which("biber") is None:
        pytest.skip("biber not installed (Debian package biber)")
    original = tmp_path / "set.bib"
    original.write_text(SET_BIB, encoding="utf-8")
    exported = tmp_path / "exported.bib"
    exported.write_text(
        write_bibtex(parse_bibtex(SET_BIB).records, dialect="biblatex"), encoding="utf-8"
    )
    result = compare(biber_resolved(original, tmp_path), biber_resolved(exported, tmp_path))
    # ch1 inherits vol1's ISBN and pagetotal and the set's translator and volumes
    assert result.fields > 30
    assert result.lost == [] and result.entries_lost == [], result.report()


def test_discretionary_hyphens_are_soft_hyphens_and_written_back_as_they_were():
    from citeshelf.model.fold import fold

    source = (
        r"@book{tb, title = {Hy\-phen\-ation}, publisher = {Ad{\-d}i{\-s}on-Wes{\-l}ey},"
        " year = 1984}"
    )
    (record,) = parse_bibtex(source).records
    assert record.publisher == "Ad\u00addi\u00adson-Wes\u00adley"
    assert record.title == "Hy\u00adphen\u00adation"
    # search and keys see the word without them
    assert fold(record.publisher) == "addison-wesley"
    for dialect in ("bibtex", "biblatex"):
        text = write_bibtex([record], dialect=dialect)
        assert r"  publisher = {Ad{\-d}i{\-s}on-Wes{\-l}ey}," in text
        assert r"  title = {Hy\-phen\-ation}," in text
        back = _marked_books([record]) if dialect == "bibtex" else [record]
        assert parse_bibtex(text).records == back
    assert encode("Hy\u00adphen", ascii=True) == r"Hy\-phen"


def test_export_order_is_the_keys_not_the_import_order():
    # kullback:reprint and kullback:related of biblatex-examples.bib: equal sort
    # keys, which biber prints in file order under \nocite{*}; the export is the
    # same file whatever order the library's records came in
    first = "@book{zz, author = {Kullback, S.}, title = {Information theory}, year = 1959}\n"
    second = "@book{aa, author = {Kullback, S.}, title = {Information theory}, year = 1959}\n"
    one = write_bibtex(parse_bibtex(first + second).records, dialect="biblatex")
    other = write_bibtex(parse_bibtex(second + first).records, dialect="biblatex")
    assert one == other
    assert one.index("@book{aa,") < one.index("@book{zz,")


def test_a_repeated_year_is_written_again_only_while_the_date_is_the_one_read():
    (entry,) = parse_bibtex("@book{r2, title={A}, year=2000, year=2001}\n").entries
    rec = entry.record
    assert str(rec.issued) == "2000"
    assert "year = {2000},\n  year = {2001}," in write_bibtex([rec])
    from citeshelf.model import Date

    moved = rec.model_copy(update={"issued": Date.model_validate("2005")})
    text = write_bibtex([moved])
    assert "year = {2005}," in text and "2001" not in text


@pytest.mark.parametrize(
    "fields",
    [
        "date={2001}, year={2001}, year={2000}",
        "date={2001}, year={1999}, year={2000}",
        "date={2001-05}, month={may}, month={jun}",
    ],
)
def test_a_repeated_year_beside_a_date_is_not_written_beside_the_date_s_year(fields):
    # biber reads the date and ignores year, month and day beside it; a
    # classic export writes the date as year and month, which a second year
    # after it would change for biber
    parsed = parse_bibtex(f"@book{{r3, title={{A}}, {fields}}}\n")
    (rec,) = parsed.records
    assert "bibtex_repeated" not in rec.extra
    assert all("is dropped" in w.message and "read from 'date'" in w.message
               for w in parsed.warnings) and parsed.warnings  # fmt: skip
    for dialect in ("bibtex", "biblatex"):
        text = write_bibtex([rec], dialect=dialect)
        assert "2000" not in text and "June" not in text
    assert str(rec.issued) in ("2001", "2001-05")


_REPEATED_LINKS = (
    "@book{bk, title={The book}, year=2000, publisher={P}}\n"
    "@book{bk2, title={Other book}, year=2001, publisher={Q}}\n"
    "@incollection{ch, author={Doe, Jane}, title={A chapter}, crossref={bk},"
    " crossref={bk2}, pages={1--2}}\n"
    "@incollection{ch2, author={Roe, Jim}, title={B chapter}, booktitle={X}, year=2000,"
    " xref={bk}, xref={bk2}}\n"
)


def test_a_repeated_crossref_is_written_again_only_beside_the_entry_it_names():
    records = {r.key: r for r in parse_bibtex(_REPEATED_LINKS).records}
    every = write_bibtex(records.values(), dialect="biblatex")
    assert "crossref = {bk},\n  crossref = {bk2}," in every
    assert "xref = {bk},\n  xref = {bk2}," in every
    # without bk2 biber would read a crossref to an entry that is not there
    some = write_bibtex([records[k] for k in ("bk", "ch", "ch2")], dialect="biblatex")
    assert "crossref = {bk}," in some and "xref = {bk}," in some and "bk2" not in some
