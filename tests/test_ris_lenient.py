"""RIS as leniently as BibTeX and CSL-JSON: a field the model refuses is kept
in ``extra`` under its RIS tag, with a warning, and never costs the
reference; and a book in a series keeps both its ISSN and its ISBN through
RIS, which has one tag (SN) for both. Found exporting TeX Live's font.bib and
typeset.bib as RIS and importing the files again: every import was refused."""

from __future__ import annotations

from citeshelf.formats.bibtex import parse_bibtex
from citeshelf.formats.ris import parse_ris, write_ris


def _ris(*lines: str) -> str:
    return "\n".join(lines) + "\nER  - \n"


def test_a_field_the_model_refuses_is_kept_in_extra_with_a_warning() -> None:
    parsed = parse_ris(
        _ris("TY  - BOOK", "ID  - k", "AU  - Doe, Jane", "TI  - A book", "PY  - 1994")
        + _ris("TY  - BOOK", "ID  - b", "TI  - Bad", "SN  - 0218-7019x", "DO  - n/a")
        + _ris("TY  - JOUR", "ID  - j", "TI  - Article", "SN  - 0378-595X")
    )
    assert parsed.invalid == []
    by_key = {e.record.key: e.record for e in parsed.entries}
    assert list(by_key) == ["k", "b", "j"]
    assert (by_key["b"].isbn, by_key["b"].doi) == ([], None)
    assert by_key["b"].extra["SN"] == "0218-7019x" and by_key["b"].extra["DO"] == "n/a"
    assert by_key["j"].issn is None and by_key["j"].extra["SN"] == "0378-595X"
    messages = [(w.key, w.message) for w in parsed.warnings]
    assert [k for k, _ in messages] == ["b", "b", "j"]
    assert all("kept in extra" in m for _, m in messages)
    assert {m.split("'")[1] for _, m in messages} == {"SN", "DO"}


def test_a_book_in_a_series_keeps_its_issn_and_isbn_through_ris() -> None:
    (book,) = parse_bibtex(
        "@book{b, author = {Doe, Jane}, title = {Proceedings}, year = 1986,"
        " issn = {0896-3207}, isbn = {0-8186-0742-4}}\n"
    ).records
    assert (book.issn, book.isbn) == ("0896-3207", ["0-8186-0742-4"])
    text = write_ris([book])
    assert "SN  - 0896-3207; 0-8186-0742-4" in text
    parsed = parse_ris(text)
    assert parsed.invalid == [] and parsed.warnings == []
    (again,) = parsed.records
    assert (again.issn, again.isbn) == (book.issn, book.isbn)


def test_an_article_writes_its_issn_alone_as_before() -> None:
    (article,) = parse_bibtex(
        "@article{a, author = {Doe, Jane}, title = {T}, journal = {J}, year = 1990,"
        " issn = {0896-3207}}\n"
    ).records
    assert "SN  - 0896-3207\n" in write_ris([article])
    assert parse_ris(write_ris([article])).records[0].issn == "0896-3207"


def test_a_name_of_more_commas_than_ris_has_parts_is_kept_as_one_literal_name() -> None:
    # texbook2.bib's UMAP: editor = {Paul J. Campbell {(Beloit College, 700 College St.,
    # Beloit, WI 53511-5595, USA)}}, a family name with commas, which RIS cannot write apart
    parsed = parse_ris(
        _ris(
            "TY  - JOUR",
            "ID  - UMAP",
            "TI  - The UMAP journal",
            "A2  - (Beloit College, 700 College St., Beloit, WI 53511-5595, USA), Paul J. Campbell",
            "A2  - Doe, Jane",
        )
    )
    assert parsed.invalid == []
    (r,) = parsed.records
    assert [p.literal or p.family for p in r.editors] == [
        "(Beloit College, 700 College St., Beloit, WI 53511-5595, USA), Paul J. Campbell",
        "Doe",
    ]
    (warning,) = parsed.warnings
    assert warning.key == "UMAP" and "kept whole, as one literal name" in warning.message


def test_an_issn_and_an_isbn_that_are_none_are_both_kept() -> None:
    parsed = parse_ris(_ris("TY  - BOOK", "ID  - b", "TI  - Bad", "SN  - 1234-5678; 0-000-00000-1"))
    assert parsed.invalid == []
    (r,) = parsed.records
    assert (r.issn, r.isbn) == (None, [])
    assert sorted(r.extra["SN"].split("; ")) == ["0-000-00000-1", "1234-5678"]
    assert len(parsed.warnings) == 2


def test_a_series_of_an_issn_per_medium_and_a_noted_isbn_come_back_from_ris() -> None:
    (book,) = parse_bibtex(
        "@book{b, title = {T}, publisher = {P}, year = 1999,\n"
        "  issn = {0362-1340 (print), 1558-1160 (electronic)},\n"
        "  isbn = {0-226-10392-7 (hardcover)}}\n"
    ).records
    text = write_ris([book])
    assert "SN  - 0362-1340 (print), 1558-1160 (electronic); 0-226-10392-7 (hardcover)" in text
    parsed = parse_ris(text)
    assert parsed.warnings == []
    (again,) = (e.record for e in parsed.entries)
    assert (again.issn, again.isbn) == (book.issn, book.isbn)


def test_an_issn_alone_of_a_book_and_an_isbn_of_an_article_come_back_from_ris() -> None:
    # font.bib's Anonymous:1994:CCI (a book in a series, no ISBN) and Collins:1986:DFL
    # (an article with the ISBN of its proceedings): RIS's SN held them, and the
    # import refused them (the book's as an ISBN, the article's as an ISSN)
    parsed = parse_bibtex(
        "@book{b, title = {T}, publisher = {P}, year = 1994, issn = {0218-7019}}\n"
        "@article{a, title = {U}, journal = {J}, year = 1986, isbn = {0-8186-0692-4}}\n"
    )
    text = write_ris(parsed.records)
    again = parse_ris(text)
    assert again.warnings == []
    by_key = {e.record.key: e.record for e in again.entries}
    assert (by_key["b"].issn, by_key["b"].isbn) == ("0218-7019", [])
    assert (by_key["a"].issn, by_key["a"].isbn) == (None, ["0-8186-0692-4"])
