"""The field tables drive both directions: every row read and written gives the same field."""

import pytest

from citeshelf.formats import csljson, ris
from citeshelf.formats.bibtex import FIELDS, parse_bibtex, write_bibtex
from citeshelf.formats.bibtex.decode import DECODERS, Decoding, entry_to_record
from citeshelf.formats.bibtex.fields import read_map, write_rows
from citeshelf.formats.entries import Issue, ReadBatch, ReadEntry

RTYPES = ("book", "chapter", "article", "report", "thesis", "webpage", "paper", "misc")

# the record an entry of each type needs besides the field under test
_BASE = {
    "book": "",
    "chapter": "booktitle = {The Book},",
    "article": "journal = {The Journal},",
    "report": "institution = {The Institute},",
    "thesis": "school = {The School},",
    "webpage": "url = {https://example.org/page},",
    "paper": "booktitle = {The Proceedings},",
    "misc": "",
}
_ETYPE = {
    "book": "book",
    "chapter": "incollection",
    "article": "article",
    "report": "techreport",
    "thesis": "phdthesis",
    "webpage": "online",
    "paper": "inproceedings",
    "misc": "misc",
}
# a value each kind of row reads and writes back unchanged
_VALUES = {
    "text": "Some Value",
    "cased": "Some value",
    "title": "A title",
    "container": "The Book",
    "raw": "10.1000/xyz123",
    "list": "alpha, beta",
    "keywords": "alpha, beta",
    "tags": "alpha, beta",
    "pages": "10--20",
    "isbn": "978-0-306-40615-7",
    "date": "2020-05-17",
    "status": "inpress",
    "degree": "Doctoral thesis",
    "site": "Example Site",
    "names": "Doe, Jane",
}
_SPECIAL_VALUES = {
    "url": "https://example.org/page",
    "issn": "0378-5955",
    "language": "english",
}


def _rows():
    for rtype in RTYPES:
        for row in write_rows(rtype):
            yield pytest.param(rtype, row, id=f"{rtype}-{row.bibtex}-{row.record}")


@pytest.mark.parametrize("rtype,row", list(_rows()))
@pytest.mark.parametrize("dialect", ["bibtex", "biblatex"])
def test_every_bibtex_row_read_then_written_gives_the_same_field(rtype, row, dialect):
    name = row.name(dialect == "biblatex")
    value = _SPECIAL_VALUES.get(row.record, _VALUES[row.kind])
    if row.kind == "site" and dialect == "bibtex":
        name = "howpublished"  # @online is @misc for classic BibTeX: howpublished
    base = _BASE[rtype]
    if base.startswith((f"{name} ", f"{row.bibtex} ")):
        base = ""  # the field under test is the one the type needs
    text = f"@{_ETYPE[rtype]}{{k, title = {{T}}, {base} {name} = {{{value}}}}}\n"
    if row.record == "title":
        text = f"@{_ETYPE[rtype]}{{k, {base} title = {{{value}}}}}\n"
    parsed = parse_bibtex(text)
    assert not parsed.invalid, parsed.invalid
    (record,) = parsed.records
    assert record.type == rtype
    got = getattr(record, row.record)
    assert got, f"{name} was not read as {row.record}"
    out = write_bibtex([record], dialect=dialect)
    if row.kind == "tags":
        name = "keywords"  # tags (a field older exports wrote) are written among the keywords
    assert f"  {name} = {{{value}}},\n" in out, out


def test_tags_are_exported_as_keywords_in_every_format():
    from citeshelf.model import parse_record

    record = parse_record(
        {
            "type": "book",
            "key": "b",
            "title": "T",
            "keywords": ["security", "EU"],
            "tags": ["to read", "security"],
        }
    )
    for dialect in ("bibtex", "biblatex"):
        out = write_bibtex([record], dialect=dialect)
        assert "  keywords = {security, EU, to read},\n" in out and "tags" not in out
        (back,) = parse_bibtex(out).records
        assert back.keywords == ["security", "EU", "to read"] and back.tags == []
    item = csljson.record_to_csl(record)
    assert item["keyword"] == "security, EU, to read"
    assert csljson.record_from_csl(item) == record
    ref = ris.record_to_ris(record)
    assert ref["keywords"] == ["security", "EU", "to read"]
    assert "KW  - to read" in ris.write_ris([record])


def test_the_read_map_is_the_table():
    # every name a row reads maps to its record field, and nothing else is mapped
    for rtype in RTYPES:
        mapping = read_map(rtype)
        expected = {
            n: row.record
            for row in write_rows(rtype)
            if row.kind not in ("names", "date")
            for n in row.names_read
        }
        assert mapping == expected
    assert read_map("article")["journaltitle"] == "journal"
    assert read_map("thesis")["school"] == read_map("thesis")["institution"] == "institution"
    assert read_map("article")["booktitle"] == "container_title"
    # biblatex's number: an article's issue, a book's number in its series, a report's number
    assert read_map("article")["number"] == "issue" and read_map("article")["eid"] == "number"
    assert read_map("book")["number"] == "collection_number"
    assert read_map("report")["number"] == "number"
    assert read_map("dataset")["number"] == "number"


def test_a_row_applies_only_to_its_record_types():
    from citeshelf.model.types import TYPE_NAMES

    # any record may have pages; every type reads biblatex's number as one field
    assert [f.types for f in FIELDS if f.record == "pages"] == [None]
    assert all(f.types is None for f in FIELDS[:19])
    for rtype in TYPE_NAMES:
        assert len([f for f in write_rows(rtype) if "number" in f.names_read]) == 1, rtype


def test_the_decoders_run_in_order_and_each_is_a_small_step():
    d = Decoding("article", "k", {"year": "2020", "month": "may", "number": "3", "issue": "x"})
    for step in DECODERS[:4]:  # accents over several letters, type, links, date
        step(d)
    assert d.rtype == "article" and d.issued is None
    for step in DECODERS[4:8]:  # year, month, day, issued
        step(d)
    assert d.data["issued"] == "2020-05"
    record, warnings = entry_to_record(
        "article", "k", {"year": "2020", "month": "may", "number": "3", "issue": "x"}
    )
    assert record.issue == "3" and record.extra == {"issue": "x"} and warnings == []


def test_ris_rows_read_then_written_give_the_same_field():
    text = (
        "TY  - JOUR\nID  - k\nAU  - Doe, Jane\nTI  - A title\nT2  - The Journal\n"
        "PY  - 2020\nDA  - 2020/05/17/\nPB  - Pub\nCY  - Place\nET  - 2\nVL  - 7\n"
        "DO  - 10.1000/xyz123\nAB  - Abstract\nLA  - en\nUR  - https://example.org\n"
        "KW  - alpha\nN1  - A note\nSP  - 10\nEP  - 20\nIS  - 3\nSN  - 0378-5955\nER  - \n"
    )
    parsed = ris.parse_ris(text)
    (entry,) = parsed.entries
    assert isinstance(entry, ReadEntry) and entry.line == 1 and entry.entry_type == "JOUR"
    ref = ris.record_to_ris(entry.record)
    back = ris.parse_ris(ris.write_ris([entry.record]))
    assert back.records == [entry.record]
    written = {row.ris for row in ris.FIELDS if "article" in row.types and row.kind != "extra"}
    assert set(ref) - {"type_of_reference", "id", "year", "end_page"} <= written
    assert ref["secondary_title"] == "The Journal" and ref["number"] == "3"


def test_ris_problems_are_issues_with_file_and_line():
    text = "TY  - JOUR\nTI  - First\nPY  - 2000\nER  - \nTY  - JOUR\nTI  - Second\nPY  - 2001\n"
    parsed = ris.parse_ris(text, source="f.ris")
    assert parsed.invalid == [
        Issue("f.ris", 5, None, "this reference has no end line ('ER  -'): add one")
    ]
    assert isinstance(parsed, ReadBatch) and parsed.generated == {parsed.records[0].key}
    assert parsed.entries[0].generated_key


@pytest.mark.parametrize(
    "rtype", ["book", "chapter", "article", "report", "thesis", "webpage", "paper"]
)
def test_csl_rows_read_then_written_give_the_same_variable(rtype):
    item = {"id": "k", "type": csljson.CSL_TYPE_OUT[rtype], "title": "A title"}
    values = {
        "text": "Value",
        "names": [{"family": "Doe", "given": "Jane"}],
        "date": {"date-parts": [[2020, 5, 17]]},
        "isbn": "9780306406157",
        "keywords": "alpha, beta",
        "title": "A title",
        "url": "https://example.org",
    }
    special = {"DOI": "10.1000/xyz123", "URL": "https://example.org", "ISSN": "0378-5955"}
    for row in csljson.FIELDS:
        if rtype in row.types and row.write and row.kind != "fallback":
            item[row.var] = special.get(row.var, values[row.kind])
    if rtype == "thesis":
        item["genre"] = "PhD thesis"
    record = csljson.record_from_csl(item)
    out = csljson.record_to_csl(record)
    for var, value in item.items():
        assert out[var] == value, var
    assert "custom" not in out
