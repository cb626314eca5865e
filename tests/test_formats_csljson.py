"""CSL-JSON reader and writer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citeshelf.errors import InvalidData
from citeshelf.formats.csljson import (
    dumps_csl,
    load_csl,
    record_from_csl,
    record_to_csl,
    records_from_csl,
)
from citeshelf.library import Library
from citeshelf.model import Article, Book, Chapter, Report, parse_record

ROOT = Path(__file__).resolve().parents[1]
GOLDEN_ITEMS = ROOT / "tests" / "golden" / "items.json"


def test_reads_a_chapter_item():
    item = {
        "id": "galbreath2014organization",
        "type": "chapter",
        "title": "Organization for Security and Cooperation in Europe",
        "author": [
            {"family": "Galbreath", "given": "David J."},
            {"family": "Seidyusif", "given": "Aynur"},
        ],
        "container-title": "Handbook of governance and security",
        "editor": [{"family": "Sperling", "given": "James"}],
        "publisher": "Edward Elgar Publishing",
        "publisher-place": "Cheltenham, UK",
        "issued": {"date-parts": [[2014, 8, 29]]},
        "ISBN": "9781781953167",
        "chapter-number": "35",
        "page": "656-670",
    }
    r = record_from_csl(item)
    assert isinstance(r, Chapter)
    assert r.key == "galbreath2014organization"
    assert [p.family for p in r.authors] == ["Galbreath", "Seidyusif"]
    assert r.container_title == "Handbook of governance and security"
    assert str(r.pages) == "656–670"
    assert r.issued.iso() == "2014-08-29"
    assert r.place == "Cheltenham, UK"
    assert r.isbn == ["9781781953167"]
    assert r.chapter == "35"
    assert r.extra == {}


def test_particles_suffixes_literals_and_mononyms():
    item = {
        "id": "x1",
        "type": "book",
        "title": "T",
        "author": [
            {"family": "Berg", "given": "Pieter", "non-dropping-particle": "van der"},
            {"family": "Walker", "given": "Robert E.", "suffix": "Jr."},
            {"literal": "World Health Organization"},
            {"given": "Plato"},
        ],
    }
    r = record_from_csl(item)
    a = r.authors
    assert (a[0].particle, a[0].family) == ("van der", "Berg")
    assert a[1].suffix == "Jr."
    assert a[2].literal == "World Health Organization"
    assert a[3].literal == "Plato"


def test_type_mapping_and_every_variable_has_a_field():
    r = record_from_csl(
        {
            "id": "m",
            "type": "article-magazine",
            "title": "T",
            "container-title": "Wired",
            "version": "2",
            "number": "ksac012",
        }
    )
    assert isinstance(r, Article) and r.type == "magazine_article"
    assert (r.journal, r.version, r.number) == ("Wired", "2", "ksac012")
    assert r.extra == {}
    back = record_to_csl(r)
    assert back["type"] == "article-magazine"
    assert back["version"] == "2" and back["number"] == "ksac012"
    assert "custom" not in back
    assert record_from_csl(back) == r


def test_report_institution_is_csl_publisher():
    r = record_from_csl(
        {"id": "r", "type": "report", "title": "T", "publisher": "RAND", "number": "RR-1"}
    )
    assert isinstance(r, Report)
    assert (r.institution, r.number, r.publisher) == ("RAND", "RR-1", None)
    both = r.model_copy(update={"publisher": "RAND Press"})
    item = record_to_csl(both)
    assert item["publisher"] == "RAND"
    assert item["custom"] == {"citeshelf": {"publisher": "RAND Press"}}
    assert record_from_csl(item) == both


def test_nocase_spans_are_protected_phrases():
    r = record_from_csl(
        {
            "id": "n",
            "type": "book",
            "title": 'The <span class="nocase">NATO</span> alliance in Europe',
        }
    )
    assert r.title == "The NATO alliance in Europe"
    assert r.extra == {"protect": {"title": ["NATO"]}}
    assert record_to_csl(r)["title"] == 'The <span class="nocase">NATO</span> alliance in Europe'


def test_fields_csl_cannot_express_travel_in_custom():
    r = parse_record(
        {
            "type": "chapter",
            "key": "c1",
            "title": "Main",
            "subtitle": "Sub",
            "parent": "b1",
            "authors": ["Doe, Jane", "Roe, Richard"],
            "authors_et_al": True,
            "tags": ["todo"],
        }
    )
    item = record_to_csl(r)
    assert item["title"] == "Main: Sub"
    assert item["keyword"] == "todo"  # tags are exported among the keywords
    assert item["custom"]["citeshelf"] == {
        "authors_et_al": True,
        "keywords": None,  # none of the keyword words is a keyword of the record
        "parent": "b1",
        "subtitle": "Sub",
        "tags": ["todo"],
        "title": "Main",
    }
    assert record_from_csl(item) == r


def test_a_variable_kept_in_extra_costs_custom_nothing_but_itself():
    """A value the model refused on import (pages "431-456, 791-823") sits in
    extra under its CSL name; the export writes it as the variable and
    custom.citeshelf carries no copy of the rest of the record."""
    item = {
        "id": "smith2020",
        "type": "article-journal",
        "title": "A study",
        "author": [{"family": "Smith", "given": "Ann"}],
        "issued": {"date-parts": [[2020]]},
        "container-title": "Journal of things",
        "page": "431-456, 791-823",
        "volume": "3",
    }
    warnings: list[str] = []
    r = record_from_csl(item, warnings=warnings)
    assert r.extra == {"page": "431-456, 791-823"}
    assert len(warnings) == 1
    out = record_to_csl(r)
    assert out == item
    assert record_from_csl(out) == r


def test_chapter_with_book_is_self_contained_but_never_takes_doi_or_url():
    lib = Library(ROOT / "records")
    chapter, book = lib.get("galbreath2014organization"), lib.get("sperling2014handbook")
    book = book.model_copy(update={"doi": "10.4337/9781781953174"})
    item = record_to_csl(chapter, book=book)
    assert item["container-title"] == "Handbook of governance and security"
    assert item["editor"] == [{"family": "Sperling", "given": "James"}]
    assert item["publisher"] == "Edward Elgar Publishing"
    assert item["issued"] == {"date-parts": [[2014, 8, 29]]}
    assert item["page"] == "656-670"
    assert "DOI" not in item
    assert item["URL"] == chapter.url
    back = record_from_csl(item)
    assert back.parent == "sperling2014handbook"


def test_bad_ids_become_keys_and_the_id_is_kept():
    r = record_from_csl({"id": "http://zotero.org/users/1/items/ABC", "type": "book", "title": "T"})
    assert r.key == "http-zotero.org-users-1-items-ABC"
    assert r.extra["csl_id"] == "http://zotero.org/users/1/items/ABC"
    assert record_from_csl({"id": 17, "type": "book", "title": "T"}).key == "17"
    assert record_from_csl({"type": "book", "title": "T"}).key == "item"


def test_invalid_item_names_the_field():
    # a variable the model refuses is kept in extra, as it came, with a warning
    warnings: list[str] = []
    r = record_from_csl({"id": "x", "type": "book", "DOI": "not a doi"}, warnings=warnings)
    assert r.doi is None and r.extra == {"DOI": "not a doi"}
    assert warnings == [
        "field 'DOI' kept in extra: 'not a doi' is not a DOI: expected 10.NNNN/suffix"
    ]
    # a chapter that names no book is kept, as a book with its CSL type
    warnings.clear()
    r = record_from_csl({"id": "x", "type": "chapter", "title": "No book"}, warnings=warnings)
    assert (r.type, r.title, r.extra) == ("book", "No book", {"csl_type": "chapter"})
    assert warnings == ["a chapter with no container-title: read as a book (type kept)"]
    assert record_to_csl(r) == {"id": "x", "type": "chapter", "title": "No book"}


def test_a_refused_item_leaves_no_kept_in_extra_warning():
    # the ISBN could be kept, but what citeshelf itself wrote (custom.citeshelf) is not
    # leniency's to keep: the item is refused, and nothing said it was kept
    warnings: list[str] = []
    item = {"id": "x", "type": "book", "ISBN": "123", "custom": {"citeshelf": {"doi": "n/a"}}}
    with pytest.raises(InvalidData, match="item 'x': field 'doi': 'n/a' is not a DOI"):
        record_from_csl(item, warnings=warnings)
    assert warnings == []


def test_a_list_of_issns_is_a_journals_issns():
    # Crossref's works API gives a journal's print and electronic ISSNs as a list
    # (test-suite disambiguate_ByCiteIncremental1 writes them as one text)
    for issn in (["0954-4054", "2041-2975"], "0954-4054, 2041-2975"):
        warnings: list[str] = []
        item = {"id": "x", "type": "article-journal", "title": "T", "ISSN": issn}
        r = record_from_csl(item, warnings=warnings)
        assert (r.issn, warnings) == ("0954-4054, 2041-2975", [])
        assert record_to_csl(r)["ISSN"] == "0954-4054, 2041-2975"


@pytest.mark.parametrize(
    ("parts", "edtf"),
    [
        # CSL test suite: date_EmptyStrings ("2000"), date_TextFormYeardateYearRangeOpen ("1987–")
        ([["2000", "", ""]], "2000"),
        ([[1987], [0]], "1987/.."),
        ([[1987, 5], ["0", ""]], "1987-05/.."),
    ],
)
def test_date_parts_as_citeproc_js_reads_them(parts: list, edtf: str) -> None:
    warnings: list[str] = []
    item = {"id": "x", "type": "book", "title": "T", "issued": {"date-parts": parts}}
    r = record_from_csl(item, warnings=warnings)
    assert (str(r.issued), warnings) == (edtf, [])


def test_an_open_range_is_written_as_citeproc_js_prints_it() -> None:
    # citeproc-js 1.4.61 prints [[1987], [0]] as "1987–" in APA and Chicago; [[1987]] was
    # written (the range kept for citeshelf only in custom.citeshelf), printed "1987"
    from citeshelf.model import parse_record

    r = parse_record({"key": "x", "type": "book", "title": "T", "issued": "1987/.."})
    assert record_to_csl(r) == {
        "id": "x",
        "type": "book",
        "title": "T",
        "issued": {"date-parts": [[1987], [0]]},
    }
    assert str(record_from_csl(record_to_csl(r)).issued) == "1987/.."


def test_dates_ranges_and_raw_are_kept():
    # a range is the record's date now (it used to be the start, the range in extra)
    r = record_from_csl({"id": "d", "type": "book", "issued": {"date-parts": [[2014], [2015]]}})
    assert r.issued.edtf() == "2014/2015" and r.issued.iso() == "2014"
    assert "issued" not in r.extra
    r = record_from_csl({"id": "d", "type": "book", "issued": {"raw": "2014-8-29"}})
    assert r.issued.iso() == "2014-08-29"


def test_golden_items_round_trip(tmp_path):
    records = load_csl(GOLDEN_ITEMS)
    # 45, 7 name items, 6 date items, 18 for issue 10's forms, 16 for its fields, 76 more types
    assert len(records) == 168
    for r in records:
        assert record_from_csl(record_to_csl(r)) == r
    by_key = {r.key: r for r in records}
    assert by_key["kaya2019turkey"].collection_number == "14"
    assert by_key["kaya2019turkey"].extra == {}
    text = dumps_csl(records)
    assert text == dumps_csl(records)
    assert text.endswith("]\n")
    assert [i["id"] for i in json.loads(text)] == [r.key for r in records]
    assert isinstance(by_key["hughes2005history"], Book)


def test_load_csl_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[{", encoding="utf-8")
    with pytest.raises(InvalidData, match=r"bad.json: not valid JSON \(line 1"):
        load_csl(bad)
    bad.write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(InvalidData, match="expected a JSON array of CSL items"):
        load_csl(bad)
    bad.write_text('[{"id": "x", "type": "book", "ISBN": "123"}]', encoding="utf-8")
    warnings: list[str] = []
    (r,) = records_from_csl(json.loads(bad.read_text()), where=str(bad), warnings=warnings)
    assert r.isbn == [] and r.extra == {"ISBN": "123"}
    assert warnings == [
        f"{bad}: item 1 ('x'): field 'ISBN' kept in extra: '123' is not a valid ISBN "
        "(the number has an invalid length)"
    ]


def test_parts_of_a_book_are_no_duplicates_of_it(cs, empty_lib, tmp_path):
    """pandoc's CSL-JSON of TeX Live files: a paper carrying its volume's DOI
    before the volume itself (texbook3.bib), and a chapter of a crossref'd
    ``@suppbook`` that names no book, so it is read as a book, before the book
    whose ISBN it carries (biblatex-gost-examples.bib). Each is its own work."""
    volume = {"DOI": "https://doi.org/10.1007/b99374", "ISBN": "3-540-22801-2"}
    items = [
        {"id": "athale", "type": "paper-conference", "title": "Using LaTeX to typeset a dictionary",
         "container-title": "TeX, XML, and digital typography", "page": "55-58",
         "issued": {"date-parts": [[2004]]}, **volume},
        {"id": "syropoulos", "type": "book", "title": "TeX, XML, and digital typography",
         "issued": {"date-parts": [[2004]]}, **volume},
        {"id": "balibar", "type": "chapter", "title": "Вступительное слово к изданию 1996 года",
         "author": [{"family": "Балибар", "given": "Этьен"}], "page": "7-27",
         "ISBN": "5-901574-59-1", "issued": {"date-parts": [[2006]]}},
        {"id": "althusser", "type": "book", "title": "За Маркса",
         "author": [{"family": "Альтюссер", "given": "Луи"}],
         "ISBN": "5-901574-59-1", "issued": {"date-parts": [[2006]]}},
    ]  # fmt: skip
    path = tmp_path / "parts.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    r = cs(empty_lib, "import", str(path), "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert sorted(data["imported"]) == ["althusser", "athale", "balibar", "syropoulos"]
    assert data["duplicates"] == []
    # the book itself is still a duplicate of the book
    again = tmp_path / "again.json"
    again.write_text(json.dumps([{**items[3], "id": "althusser2"}]), encoding="utf-8")
    r = cs(empty_lib, "import", str(again), "--json")
    assert [d["existing"] for d in json.loads(r.stdout)["duplicates"]] == ["althusser"]


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("algorithms; human factors; theory", ["algorithms", "human factors", "theory"]),
        ("algorithms, human factors, theory", ["algorithms", "human factors", "theory"]),
        ("Printing, Practical; Type-setting", ["Printing, Practical", "Type-setting"]),
        ("TeX", ["TeX"]),
    ],
)
def test_keywords_split_on_the_items_separator_and_come_back_so(written, words):
    item = {"id": "k", "type": "book", "title": "T", "keyword": written}
    r = record_from_csl(item)
    assert r.keywords == words
    out = record_to_csl(r)
    assert out["keyword"] == written
    assert "custom" not in out  # the separator is no override: the reader finds it again
    assert record_from_csl(out) == r


def test_item_members_csl_does_not_define_are_written_back():
    item = {
        "id": "althusser:zm",
        "type": "book",
        "title": "За Маркса",
        "other-ids": "althusser_zm",  # pandoc's biblatex ids
        "x-rating": {"stars": 4},
        "event": "Eighth logic colloquium",  # the older name of event-title
        "shortTitle": "Маркс",
    }
    r = record_from_csl(item)
    assert r.event == "Eighth logic colloquium"
    assert r.short_title == "Маркс"
    assert r.extra["csl_verbatim"] == {"other-ids": "althusser_zm", "x-rating": {"stars": 4}}
    out = record_to_csl(r)
    assert "custom" not in out
    assert {k: out[k] for k in item} == item
    assert "event-title" not in out and "title-short" not in out
    # a record of the library's own still writes CSL 1.0.2's names
    own = record_to_csl(parse_record({"type": "paper", "key": "p", "title": "T", "event": "E",
                                      "container_title": "P"}))  # fmt: skip
    assert own["event-title"] == "E" and "event" not in own


def test_a_bibtex_export_writes_no_csl_bookkeeping(cs, empty_lib, tmp_path):
    items = [{"id": "k", "type": "book", "title": "T", "keyword": "a; b", "other-ids": "k2",
              "event": "E"}]  # fmt: skip
    path = tmp_path / "k.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    assert cs(empty_lib, "import", str(path)).exit_code == 0
    bib = cs(empty_lib, "export", "--format", "biblatex").stdout
    assert "keywords = {a" in bib
    assert "separator" not in bib and "other-ids" not in bib and "csl" not in bib
    out = json.loads(cs(empty_lib, "export", "--format", "csl-json").stdout)
    assert out[0]["keyword"] == "a; b" and out[0]["other-ids"] == "k2" and out[0]["event"] == "E"


ZOTERO_STYLE = ROOT / "tests" / "fixtures" / "zotero-style-csl.json"


def test_a_zotero_style_file_shows_every_field_where_a_person_expects_it(cs, empty_lib):
    """The issue's acceptance: italics in titles, a dataset, a book review and
    an article in press, imported and shown; nothing under extra with a CSL name."""
    from citeshelf.formats.csljson import CSL_VARIABLES

    r = cs(empty_lib, "import", str(ZOTERO_STYLE))
    assert r.exit_code == 0, r.output
    assert "imported 4, skipped as duplicate 0, skipped as invalid 0" in r.output
    shown = {}
    for key in ("smith2019hamlet", "who2021covid", "doe2020review", "lee2024press"):
        out = cs(empty_lib, "show", key, "--json")
        assert out.exit_code == 0, out.output
        shown[key] = json.loads(out.stdout)
        extra = shown[key].get("extra", {})
        assert not set(extra) & CSL_VARIABLES, (key, extra)
        assert not set(extra.get("csl_verbatim", {})) & CSL_VARIABLES
    art, data, review, press = shown.values()
    assert art["title"] == "Reading <i>Hamlet</i> after the archive"
    assert art["journal"] == "Shakespeare Quarterly"
    assert art["container_title_short"] == "Shakesp. Q."
    assert (art["issued"], art["accessed"], art["pages"]) == ("2019-06", "2023-01-05", "101–130")
    assert art["keywords"] == ["Hamlet", "archives"]
    assert data["type"] == "dataset"
    assert data["authors"] == [{"literal": "World Health Organization"}]
    assert (data["version"], data["medium"], data["genre"], data["archive"]) == (
        "2.1",
        "CSV",
        "Data set",
        "WHO COVID-19 Dashboard",
    )
    assert review["type"] == "book_review"
    assert review["reviewed_title"] == "<i>Milton</i>: A biography"
    assert review["reviewed_authors"] == [{"family": "Lewalski", "given": "Barbara K."}]
    assert review["journal"] == "Times Literary Supplement"
    assert press["status"] == "in press" and "issued" not in press
    assert press["authors"][1] == {"family": "Beethoven", "given": "Ludwig", "particle": "van"}
    assert press["extra"] == {"protect": {"title": ["iPhone"]}}
    # the plain view names each field, and the APA line prints what it should
    text = cs(empty_lib, "show", "doe2020review").stdout
    assert "reviewed title" in text and "reviewed authors" in text
    assert "[Review of the book Milton: A biography, by B. K. Lewalski]" in text
    text = cs(empty_lib, "show", "lee2024press").stdout
    assert "status" in text and "(in press)" in text
    text = cs(empty_lib, "show", "who2021covid").stdout
    assert "(Version 2.1) [Data set]" in text
    # and a CSL-JSON export gives each variable back
    items = {i["id"]: i for i in json.loads(cs(empty_lib, "export", "--format", "csl-json").stdout)}
    for item in json.loads(ZOTERO_STYLE.read_text(encoding="utf-8")):
        back = items[item["citation-key"]]
        for name, value in item.items():
            if name in ("id", "citation-key", "issued", "accessed"):
                continue  # the id is the key; date parts come back as numbers
            assert back[name] == value, (item["citation-key"], name)
    assert items["smith2019hamlet"]["issued"] == {"date-parts": [[2019, 6]]}


@pytest.mark.parametrize("sep", [", ", ",", "; ", " "])
def test_isbns_come_back_with_their_separator(sep):
    isbns = ["9780121176457", "9780121559403"]
    r = record_from_csl({"id": "b", "type": "book", "title": "T", "ISBN": sep.join(isbns)})
    assert r.isbn == isbns
    out = record_to_csl(r)
    assert out["ISBN"] == sep.join(isbns) and "custom" not in out
    assert record_from_csl(out) == r


def test_a_group_authors_abbreviation_is_read_and_travels_back():
    """The name member "short" (citeshelf's name member for an abbreviation, "WHO") is read,
    not dropped, and comes back through custom.citeshelf."""
    item = {
        "id": "who2021",
        "type": "report",
        "title": "World health statistics 2021",
        "author": [{"literal": "World Health Organization", "short": "WHO"}],
        "editor": [{"family": "Doe", "given": "Jane", "short": "JD"}],
        "issued": {"date-parts": [["2021"]]},
    }
    r = record_from_csl(item)
    assert r.authors[0].short == "WHO"
    assert r.editors[0].short == "JD"
    assert record_from_csl(record_to_csl(r)) == r


@pytest.mark.parametrize(
    ("issued", "season"),
    [([[1928, 24]], 4), ([[1928, 21]], 1), ([[2001, 14]], 2)],
)
def test_a_season_given_as_a_month_is_a_season_and_written_as_it_came(issued, season):
    item = {"id": "s", "type": "article-journal", "title": "T", "issued": {"date-parts": issued}}
    record = record_from_csl(item)
    assert (record.issued.year, record.issued.season, record.issued.month) == (
        issued[0][0],
        season,
        None,
    )
    out = record_to_csl(record)
    assert out["issued"] == {"date-parts": issued}  # as pandoc or citeproc-js gave it
    assert "custom" not in out or "extra" not in out["custom"].get("citeshelf", {})
    # a date changed since is written as the writer writes any date
    moved = record.model_copy(update={"issued": record.issued.model_copy(update={"year": 1930})})
    assert record_to_csl(moved)["issued"] == {"date-parts": [[1930]], "season": season}


def test_a_date_no_reader_can_read_is_kept_in_extra_with_a_warning():
    warnings: list[str] = []
    item = {"id": "x", "type": "book", "title": "T", "issued": {"date-parts": [[1928, 25]]}}
    record = record_from_csl(item, warnings=warnings)
    assert record.issued is None
    assert record.extra["issued"] == {"date-parts": [[1928, 25]]}
    assert warnings == [
        "field 'issued' kept in extra: {\"date-parts\": [[1928, 25]]} is no date CSL describes "
        "(date-parts of year, month 1-12 or season 13-16/21-24, day; or a literal)"
    ]
    seasonal = {**item, "issued": {"date-parts": [[1928, 24]]}}
    warnings.clear()
    assert record_from_csl(seasonal, warnings=warnings).issued is not None and warnings == []
