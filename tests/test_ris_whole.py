"""A RIS reference is read whole: a tag no record field holds (an author's
address, attached files, custom fields), a tag given twice, a journal's
abbreviation beside its name, a date that is none, all kept in ``extra``
under their tags and written back by a RIS export; and tag lines with one
space before the dash, as some exporters write them. Found with the import
test cases of Zotero's RIS translator (zotero/translators RIS.js)."""

from __future__ import annotations

from citeshelf.formats.ris import parse_ris, write_ris


def _one(text: str):
    parsed = parse_ris(text)
    assert parsed.invalid == []
    (entry,) = parsed.entries
    return entry.record, [w.message for w in parsed.warnings]


def test_tags_no_field_holds_are_kept_and_written_back() -> None:
    record, warnings = _one(
        "TY  - JOUR\nID  - k\nTI  - T\nAD  - Dept. of Biology, Orlando\n"
        "L1  - internal-pdf://one.pdf\ninternal-pdf://two files.pdf\n"
        "M1  - 9999\nC1  - custom one\nZZ  - unknown tag\nER  - \n"
    )
    assert warnings == []
    assert record.extra == {
        "AD": "Dept. of Biology, Orlando",
        # (EndNote writes an attached file per line: kept apart)
        "L1": "internal-pdf://one.pdf\ninternal-pdf://two files.pdf",
        "M1": "9999",
        "C1": "custom one",
        "ZZ": "unknown tag",
    }
    text = write_ris([record])
    assert "AD  - Dept. of Biology, Orlando\n" in text
    assert "L1  - internal-pdf://one.pdf\ninternal-pdf://two files.pdf\n" in text
    assert "C1  - custom one\nZZ  - unknown tag\nER  - " in text
    assert _one(text)[0] == record


def test_a_tag_given_again_is_kept() -> None:
    record, warnings = _one(
        "TY  - BOOK\nID  - b\nTI  - Title one\nTI  - Title two\nAD  - one\nAD  - two\n"
        "SN  - 0896-3207\nSN  - 0-8186-0742-4\nER  - \n"
    )
    # a book's ISSN (its series') and ISBN on two SN lines are read as one SN of both
    assert (record.title, record.issn, record.isbn) == ("Title one", "0896-3207", ["0-8186-0742-4"])
    assert record.extra == {"AD": ["one", "two"], "TI": "Title two"}
    assert warnings == ["tag 'TI' given again: the first read, the others kept in extra"]
    assert _one(write_ris([record]))[0] == record


def test_a_journals_abbreviation_beside_its_name() -> None:
    # RIS: JO "abbreviated format", JA "standard abbreviation" (as Zotero reads them)
    record, _ = _one(
        "TY  - JOUR\nID  - j\nTI  - T\nT2  - Augmentative and Alternative Communication\n"
        "JO  - Augment Altern Commun\nPY  - 2014\nDA  - 2014/06/01\nER  - \n"
    )
    assert record.journal == "Augmentative and Alternative Communication"
    assert record.container_title_short == "Augment Altern Commun"
    assert str(record.issued) == "2014-06-01" and not record.extra  # PY agrees with DA
    # a JO alone is the journal, as before
    record, _ = _one("TY  - JOUR\nID  - j\nTI  - T\nJO  - J.Neurosurg.\nER  - \n")
    assert (record.journal, record.container_title_short) == ("J.Neurosurg.", None)


def test_a_date_that_is_none_is_kept() -> None:
    record, _ = _one(
        "TY  - JOUR\nID  - j\nTI  - T\nPY  - 1999\nDA  - Spring meeting\nY2  - last week\nER  - \n"
    )
    assert str(record.issued) == "1999" and record.accessed is None
    assert record.extra == {"DA": "Spring meeting", "Y2": "last week"}


def test_tag_lines_with_one_space_before_the_dash() -> None:
    # zotero/translators RIS.js test case 3 (an EndNote export): "TY - JOUR", "ER -"
    text = (
        "TY - JOUR\nAU - CASTOE, TODD A.\nAU - POOLE, ALEXANDER W.\nPY - 2009\n"
        "SN - 1755-0998\nT2 - Molecular Ecology Resources\nTI - Rapid identification\n"
        "ID - 3\nER -\n\nTY - BOOK\nTI - Second\nID - 4\nER -"
    )
    parsed = parse_ris(text)
    assert parsed.invalid == [] and parsed.warnings == []
    first, second = (e.record for e in parsed.entries)
    assert (first.key, first.title, first.journal, first.issn) == (
        "3",
        "Rapid identification",
        "Molecular Ecology Resources",
        "1755-0998",
    )
    assert [a.family for a in first.authors] == ["CASTOE", "POOLE"]
    assert (second.key, second.type) == ("4", "book")


def test_a_value_line_with_one_space_in_a_standard_file_is_text() -> None:
    # only a file whose references start "TY - " is read so: elsewhere it is a
    # value's next line
    record, _ = _one("TY  - JOUR\nID  - j\nTI  - T\nAB  - First line\nUS - based firms\nER  - \n")
    assert record.abstract == "First line US - based firms"


def test_a_file_of_one_space_tag_lines_is_read_in_batches(tmp_path) -> None:
    from citeshelf.formats.ris import iter_ris

    path = tmp_path / "endnote.ris"
    path.write_text("".join(f"TY - BOOK\nTI - Book {n}\nID - b{n}\nER -\n\n" for n in range(5)))
    batches = list(iter_ris(path, batch_size=2))
    assert [len(b.entries) for b in batches] == [2, 2, 1]
    assert [e.line for b in batches for e in b.entries] == [1, 6, 11, 16, 21]
    assert all(not b.invalid for b in batches)


def test_pages_whose_numbers_hold_hyphens_come_back_from_ris() -> None:
    # tugboat.bib's "M-1--M-14" (read as a range since 66fc8ac): RIS's SP and EP were
    # joined by a hyphen, "M-1-M-14", which reads as no range (kept in extra)
    from citeshelf.formats.bibtex import parse_bibtex

    (record,) = parse_bibtex(
        "@article{a, title={T}, journal={J}, year=1990, pages={M-1--M-14}}"
    ).records
    text = write_ris([record])
    assert "SP  - M-1\nEP  - M-14\n" in text
    again, warnings = _one(text)
    assert (again.pages, warnings) == (record.pages, [])
    assert _one("TY  - JOUR\nID  - j\nTI  - T\nSP  - 12\nEP  - 15\nER  - \n")[0].pages.end == "15"
