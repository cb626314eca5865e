"""What other programs' .bib files hold, read as their writers meant it: an
article's ISSNs in its isbn field (Mendeley), an ISBN after its label
("ISBN 978-..."), a range's dash of a hyphen and an en dash, pages whose
numbers hold hyphens. Found in Better BibTeX's import test fixtures
(retorquere/zotero-better-bibtex test/fixtures/import: 98 .bib files, 11,500
entries), where each cost the field (kept in extra) or the entry."""

from __future__ import annotations

import pytest

from citeshelf.formats.bibtex import parse_bibtex, write_bibtex
from citeshelf.model import PageRange


def _one(text: str):
    parsed = parse_bibtex(text)
    assert parsed.invalid == []
    (record,) = parsed.records
    return record, [w.message for w in parsed.warnings]


@pytest.mark.parametrize(
    ("isbn", "issn"),
    [
        ("0268-1242", "0268-1242"),
        (
            "1936-086X (Electronic) 1936-0851 (Linking)",
            "1936-086X (Electronic) 1936-0851 (Linking)",
        ),
        # Mendeley writes the line break between them as \textbackslash{}r
        (
            "1748-3395 (Electronic)\\textbackslash{}r1748-3387 (Linking)",
            "1748-3395 (Electronic), 1748-3387 (Linking)",
        ),
    ],
)
def test_an_articles_issns_in_its_isbn_field_are_its_issn(isbn: str, issn: str) -> None:
    record, warnings = _one(
        f"@article{{a, title={{T}}, journal={{J}}, year=2000, isbn={{{isbn}}}}}"
    )
    assert (record.issn, record.isbn, record.extra) == (issn, [], {})
    assert warnings == ["field 'isbn' holds ISSNs, not ISBNs: read as the issn"]
    assert f"issn = {{{issn}}}" in write_bibtex([record])


def test_an_isbn_field_of_issns_beside_an_issn_is_kept_in_extra() -> None:
    record, warnings = _one(
        "@article{a, title={T}, journal={J}, year=2000, isbn={0268-1242}, issn={1234-5679}}"
    )
    assert (record.issn, record.isbn, record.extra) == ("1234-5679", [], {"isbn": "0268-1242"})
    assert warnings[0].startswith("field 'isbn' kept in extra:")


@pytest.mark.parametrize(
    "isbn", ["ISBN 978-85-63994-24-0", "ISBN-13: 978-85-63994-24-0", "isbn:978-85-63994-24-0"]
)
def test_an_isbn_after_its_label(isbn: str) -> None:
    record, warnings = _one(f"@book{{b, title={{T}}, year=2012, isbn={{{isbn}}}}}")
    assert (record.isbn, warnings) == (["978-85-63994-24-0"], [])


@pytest.mark.parametrize(
    ("pages", "start", "end"),
    [
        ("225-–240", "225", "240"),  # a hyphen and an en dash
        ("225 — 240", "225", "240"),
        ("C3-32–C3-35", "C3-32", "C3-35"),  # numbers holding hyphens, an en dash between
        ("A-1--A-5", "A-1", "A-5"),
    ],
)
def test_a_range_read_as_its_writer_meant_it(pages: str, start: str, end: str) -> None:
    record, warnings = _one(
        f"@article{{a, title={{T}}, journal={{J}}, year=2000, pages={{{pages}}}}}"
    )
    assert (record.pages.start, record.pages.end, warnings) == (start, end, [])
    # and the record's own text of it reads back the same (as its JSON file holds it)
    assert PageRange.parse(str(record.pages)) == record.pages


def test_one_page_holding_a_hyphen_twice_is_kept_as_written() -> None:
    # "M-10--M-10" would be the one page M-10, whose text "M-10" reads back as M to 10
    record, warnings = _one("@article{a, title={T}, journal={J}, year=1990, pages={M-10--M-10}}")
    assert record.pages is None and record.extra == {"pages": "M-10\u2013M-10"}
    assert "pages = {M-10--M-10}" in write_bibtex([record])


def test_two_hyphenated_isbns_separated_by_a_space() -> None:
    record, warnings = _one(
        "@book{b, title={T}, year=2016, isbn={978-1-5106-1549-6 978-1-5106-1550-2}}"
    )
    assert (record.isbn, warnings) == (["978-1-5106-1549-6", "978-1-5106-1550-2"], [])
    assert "isbn = {978-1-5106-1549-6 978-1-5106-1550-2}" in write_bibtex([record])


def test_an_entry_without_a_key_and_one_whose_key_is_taken_are_imported() -> None:
    # Mendeley's "@article{," (its fixture "web_page and other mendeley idiocy.bib"), and
    # an entry whose key an entry before it has, which BibTeX skips
    parsed = parse_bibtex(
        "@article{,\n author={Smith, John}, title={A study of things}, journal={J}, year=2001}\n"
        "@article{dup, author={Doe, Jane}, title={One}, journal={J}, year=2002}\n"
        "@article{dup, author={Roe, Jim}, title={Two}, journal={J}, year=2003}\n"
        "@article{smith2001study, author={X, Y}, title={Z}, journal={J}, year=2001}\n"
    )
    assert parsed.invalid == []
    got = [(e.record.key, e.generated_key, e.record.title) for e in parsed.entries]
    assert got == [
        # (the key formula's key is a later entry's: a letter after it)
        ("smith2001studya", True, "A study of things"),
        ("dup", False, "One"),
        ("dupa", True, "Two"),
        ("smith2001study", False, "Z"),
    ]
    assert [(w.line, w.key, w.message) for w in parsed.warnings] == [
        (1, None, "@article entry without a key: imported as 'smith2001studya'"),
        (
            4,
            "dup",
            "the key is already used by the entry on line 3: this one imported as 'dupa' "
            "(BibTeX skips it)",
        ),
    ]


def test_a_lone_literal_brace_is_written_so_the_field_still_ends_where_it_should() -> None:
    # Better BibTeX fixture #873's Thiebaux:93, "Thi\{'ebaux" (a typo of {\'e}): BibTeX and
    # biber count \{ as a brace, so the field ran on through the fields after it
    record, _ = _one(
        "@techreport{t, author = {Sylvie Thi\\{'ebaux}, title = {A \\}b}, year = 1993}"
    )
    assert (record.authors[0].family, record.title) == ("Thi{'ebaux", "A }b")
    for dialect in ("bibtex", "biblatex"):
        out = write_bibtex([record], dialect=dialect)
        assert "author = {Thi\\textbraceleft{}'ebaux, Sylvie}," in out
        assert "title = {A \\textbraceright{}b}," in out
        again, _ = _one(out)
        assert (again.authors, again.title) == (record.authors, record.title)
    # braces that pair stay \{ \}, as the source wrote them
    record, _ = _one("@misc{m, title = {Sets \\{x\\}}, year = 2000}")
    assert "title = {Sets \\{x\\}}," in write_bibtex([record])


def test_a_url_field_of_several_urls_and_a_file_url() -> None:
    # Beebe's bibliographies (texgraph.bib; 78 fields over TeX Live's files) give a work's
    # URLs in one field; metapost's manuals are file:/// URLs (both were kept in extra)
    text = (
        "@misc{a, title={T}, year=2004,\n"
        '  URL = "http://www3.interscience.wiley.com/cgi-bin/abstract?ID=1793;\n'
        '                 http://www3.interscience.wiley.com/cgi-bin/fulltext?ID=1793"}\n'
    )
    record, warnings = _one(text)
    assert record.url == "http://www3.interscience.wiley.com/cgi-bin/abstract?ID=1793"
    assert record.extra["urls"] == ["http://www3.interscience.wiley.com/cgi-bin/fulltext?ID=1793"]
    assert warnings == [
        "field 'url' holds 2 URLs: the first is the url, the others kept in extra.urls"
    ]
    for dialect in ("bibtex", "biblatex"):
        out = write_bibtex([record], dialect=dialect)
        assert (
            "  url = {http://www3.interscience.wiley.com/cgi-bin/abstract?ID=1793;\n"
            "                 http://www3.interscience.wiley.com/cgi-bin/fulltext?ID=1793},"
        ) in out
        assert _one(out)[0] == record
    # RIS writes each as a UR line of its own, and reads them back so
    from citeshelf.formats.ris import parse_ris, write_ris

    ris = write_ris([record])
    assert ris.count("UR  - ") == 2
    again = parse_ris(ris).entries[0].record
    assert (again.url, again.extra["urls"]) == (record.url, record.extra["urls"])
    record, warnings = _one("@manual{m, title={MetaPost}, url={file:///texmf-dist/doc/mpman.pdf}}")
    assert (record.url, warnings) == ("file:///texmf-dist/doc/mpman.pdf", [])


@pytest.mark.parametrize("year", ["1989--date{}", "1987--", "1990--present"])
def test_a_year_with_an_open_end_is_an_open_range(year: str) -> None:
    # texbook2.bib's periodicals ("1989--date{}", 98 years over TeX Live's files and
    # Better BibTeX's fixtures were kept as literal dates)
    record, warnings = _one(f'@periodical{{tb, title={{TUGboat}}, year = "{year}"}}')
    assert (str(record.issued), warnings) == (f"{year[:4]}/..", [])
    # classic BibTeX: the year as the source wrote it; BibLaTeX: the EDTF date biber reads
    assert f"  year = {{{year}}},\n" in write_bibtex([record])
    out = write_bibtex([record], dialect="biblatex")
    assert f"  date = {{{year[:4]}/}},\n" in out and "year" not in out
    assert str(_one(out)[0].issued) == f"{year[:4]}/.."


@pytest.mark.parametrize(
    ("etype", "rtype"),
    [
        ("web_page", "webpage"),
        ("book_section", "chapter"),
        ("newspaper_article", "newspaper_article"),
        ("magazine_article", "magazine_article"),
        ("generic", "misc"),
        ("film", "motion_picture"),
        ("talk", "speech"),
    ],
)
def test_mendeleys_entry_types(etype: str, rtype: str) -> None:
    # Better BibTeX's fixture "web_page and other mendeley idiocy.bib": read as misc before,
    # with a warning of an unknown entry type
    record, warnings = _one(f"@{etype}{{k, title={{T}}, booktitle={{B}}, year=2010}}")
    assert (record.type, record.extra.get("bibtex_type"), warnings) == (rtype, etype, [])
