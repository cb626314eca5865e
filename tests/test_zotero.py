"""Zotero libraries: BBT JSON, Zotero RDF and zotero.sqlite give the same records and keys."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from citeshelf.formats.zotero import read_zotero, sniff_format
from citeshelf.formats.zotero.items import note_text, split_extra

from .zotero_db import ZoteroDB

FIX = Path(__file__).parent / "fixtures" / "zotero"
ISBN = "978-0-306-40615-7"


def build_library(path: Path) -> Path:
    """The four items of library.bbt.json / library.rdf, as a zotero.sqlite."""
    z = ZoteroDB(path)
    z.collection("Thesis")
    z.collection("Chapter 2", parent="Thesis")
    z.add(
        "book",
        "BOOK0001",
        {
            "title": "Handbook of Reading",
            "date": "2014-00-00 2014",
            "publisher": "Routledge",
            "place": "New York",
            "ISBN": ISBN,
            "citationKey": "sperling2014",
        },
        [("editor", "James", "Sperling")],
        tags=["reading"],
        collections=["Chapter 2"],
        attachments=["storage:handbook.pdf"],
    )
    z.add(
        "bookSection",
        "CHAP0001",
        {
            "title": "Eye movements in reading",
            "bookTitle": "Handbook of Reading",
            "date": "2014-00-00 2014",
            "publisher": "Routledge",
            "place": "New York",
            "pages": "12-34",
            "extra": "Citation Key: rayner2014\nOriginal date: 2012",
        },
        [("author", "Keith", "Rayner"), ("editor", "James", "Sperling")],
        notes=["<p>Read <b>twice</b>.</p><p>Fixations &amp; saccades</p>"],
        collections=["Chapter 2"],
    )
    z.add(
        "journalArticle",
        "ARTI0001",
        {
            "title": "A theory of memory retrieval",
            "publicationTitle": "Psychological Review",
            "volume": "85",
            "issue": "2",
            "pages": "59-108",
            "date": "1978-03-00 1978-03",
            "DOI": "10.1037/0033-295X.85.2.59",
            "language": "en",
            "citationKey": "ratcliff1978",
        },
        [("author", "Roger", "Ratcliff")],
        tags=["memory", "models"],
    )
    z.add(
        "thesis",
        "THES0001",
        {
            "title": "Reading in Two Scripts",
            "thesisType": "PhD thesis",
            "university": "Massachusetts Institute of Technology",
            "place": "Cambridge, MA",
            "date": "2001-00-00 2001",
            "extra": "Citation Key: doe2001",
        },
        [("author", "Jane", "Doe")],
        collections=["Thesis"],
    )
    z.add("book", "TRASH001", {"title": "In the trash", "citationKey": "trashed"}, deleted=True)
    z.close()
    return path


def comparable(entries) -> dict[str, dict]:
    """Records by key, less what differs by nature between the formats: Zotero's
    item key (the RDF has none) and the attachment's folder (only its name)."""
    out = {}
    for e in entries:
        data = e.record.to_json_dict()
        extra = data.get("extra", {})
        extra.pop("zotero_key", None)
        if "attachments" in extra:
            extra["attachments"] = [Path(a).name for a in extra["attachments"]]
        if not extra:
            data.pop("extra", None)
        out[data["key"]] = data
    return out


@pytest.fixture
def sqlite_lib(tmp_path: Path) -> Path:
    return build_library(tmp_path / "zotero.sqlite")


def test_three_formats_give_the_same_records(sqlite_lib: Path) -> None:
    from_sqlite = read_zotero(sqlite_lib, "zotero-sqlite")
    from_bbt = read_zotero(FIX / "library.bbt.json", "bbt-json")
    from_rdf = read_zotero(FIX / "library.rdf", "zotero-rdf")
    for read in (from_sqlite, from_bbt, from_rdf):
        assert not read.invalid and not read.warnings
    want = comparable(from_sqlite.entries)
    assert list(want) == ["sperling2014", "rayner2014", "ratcliff1978", "doe2001"]
    assert comparable(from_bbt.entries) == want
    assert comparable(from_rdf.entries) == want


def test_what_the_sqlite_reader_keeps(sqlite_lib: Path) -> None:
    records = {e.record.key: e.record for e in read_zotero(sqlite_lib, "zotero-sqlite").entries}
    assert "trashed" not in records  # items in the trash are not imported
    book, chapter = records["sperling2014"], records["rayner2014"]
    assert book.type == "book" and book.publisher == "Routledge"
    assert book.tags == ["reading"]
    assert book.extra["collections"] == ["Thesis/Chapter 2"]
    assert book.extra["zotero_key"] == "BOOK0001"
    # the file stays where Zotero keeps it: storage/<attachment key>/ beside the database
    att = Path(book.extra["attachments"][0])
    assert att.parts[-3:] == ("storage", "BOOK00A0", "handbook.pdf")
    assert att.parent.parent.parent == sqlite_lib.parent.resolve()
    # a chapter whose book is in the library names it, and takes from it what they share
    assert chapter.type == "chapter" and chapter.parent == "sperling2014"
    assert chapter.container_title is None and chapter.publisher is None
    assert [p.family for p in chapter.authors] == ["Rayner"]
    assert chapter.note == "Read twice.\nFixations & saccades"
    assert chapter.extra["zotero_extra"] == "Original date: 2012"
    article = records["ratcliff1978"]
    assert article.journal == "Psychological Review" and article.issue == "2"
    assert article.issued.iso() == "1978-03" and article.doi == "10.1037/0033-295X.85.2.59"
    thesis = records["doe2001"]
    assert thesis.institution == "Massachusetts Institute of Technology"
    assert thesis.degree == "PhD thesis"


def test_the_database_is_read_from_a_copy_and_never_changed(sqlite_lib: Path) -> None:
    before = hashlib.sha256(sqlite_lib.read_bytes()).hexdigest()
    sqlite_lib.chmod(0o444)
    try:
        read = read_zotero(sqlite_lib, "zotero-sqlite")
    finally:
        sqlite_lib.chmod(0o644)
    assert len(read.entries) == 4
    assert hashlib.sha256(sqlite_lib.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in sqlite_lib.parent.iterdir()) == ["zotero.sqlite"]


def test_real_bbt_exports() -> None:
    """Better BibTeX's own fixtures (see fixtures/zotero/README.md)."""
    chapter = read_zotero(FIX / "bbt-1375-book-chapter.json", "bbt-json").entries[0].record
    assert chapter.key == "rosengren_uses_1974"
    assert chapter.type == "chapter"
    assert chapter.container_title.startswith("The uses of mass communications")
    assert [p.family for p in chapter.editors] == ["Blumler", "Katz"]
    assert str(chapter.pages) in ("269-286", "269\u2013286")
    assert chapter.note.startswith("In Valkenburg (2016):\nUses-and-gratiﬁcations theory")
    thesis = read_zotero(FIX / "bbt-435-phdthesis.json", "bbt-json").entries[0].record
    assert thesis.key == "TayW12"
    assert thesis.institution == "TU München" and thesis.degree == "PhD Thesis"


def test_an_item_without_a_key_gets_one(tmp_path: Path) -> None:
    data = json.loads((FIX / "bbt-435-phdthesis.json").read_text(encoding="utf-8"))
    del data["items"][0]["citationKey"]
    path = tmp_path / "x.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    entry = read_zotero(path, "bbt-json").entries[0]
    assert entry.generated_key and entry.record.key.startswith("tay")


def test_extra_and_notes() -> None:
    assert split_extra("PMID: 1\ncitation key: abc2020\n") == ("abc2020", "PMID: 1")
    assert split_extra("nothing") == (None, "nothing")
    assert note_text("<div><p>a&nbsp;b</p><ul><li>one</li><li>two</li></ul></div>") == (
        "a\u00a0b\none\ntwo"
    )


def test_formats_are_recognised(sqlite_lib: Path) -> None:
    from citeshelf.ops.importing import _peek, detect_format

    for path, fmt in (
        (sqlite_lib, "zotero-sqlite"),
        (FIX / "library.rdf", "zotero-rdf"),
        (FIX / "library.bbt.json", "bbt-json"),
        (FIX / "bbt-1375-book-chapter.json", "bbt-json"),
    ):
        assert detect_format(path, _peek(path)) == fmt
    assert sniff_format('[{"id": "a", "type": "book"}]') is None
    assert sniff_format('{"id": "a", "type": "book", "title": "x"}') is None


def test_cli_import_of_a_zotero_database(runner, empty_lib: Path, sqlite_lib: Path) -> None:
    from citeshelf.cli.main import cli as main

    res = runner.invoke(main, ["--library", str(empty_lib), "import", str(sqlite_lib), "--json"])
    assert res.exit_code == 0, res.output
    assert sorted(json.loads(res.output)["imported"]) == [
        "doe2001",
        "ratcliff1978",
        "rayner2014",
        "sperling2014",
    ]
    res = runner.invoke(main, ["--library", str(empty_lib), "show", "rayner2014", "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["parent"] == "sperling2014"


def test_a_thousand_items_keep_every_key(tmp_path: Path) -> None:
    """The acceptance test's shape at 1,000 items (timing: tests/bench/zotero_bench.py)."""
    z = ZoteroDB(tmp_path / "zotero.sqlite")
    z.collection("All")
    keys = []
    for i in range(1000):
        key = f"author{i:04d}_{2000 + i % 20}"
        keys.append(key)
        fields = {"title": f"Title number {i}", "date": f"{2000 + i % 20}-00-00 {2000 + i % 20}"}
        if i % 2:
            fields["citationKey"] = key
        else:
            fields["extra"] = f"Citation Key: {key}"
        z.add(
            ("book", "journalArticle", "thesis", "report")[i % 4],
            f"K{i:07d}",
            fields,
            [("author", "Ann", f"Author{i}")],
            tags=[f"t{i % 7}"],
            collections=["All"],
        )
    z.close()
    read = read_zotero(tmp_path / "zotero.sqlite", "zotero-sqlite")
    assert not read.invalid
    assert [e.record.key for e in read.entries] == keys


def test_a_chapter_is_linked_to_its_book_by_isbn(tmp_path: Path) -> None:
    # the chapter's book title differs from the book's, but the ISBN is the same
    z = ZoteroDB(tmp_path / "zotero.sqlite")
    z.add(
        "book",
        "BOOK0002",
        {"title": "Handbook of governance", "date": "2014", "ISBN": ISBN, "citationKey": "hb2014"},
        [("editor", "James", "Sperling")],
    )
    z.add(
        "bookSection",
        "CHAP0002",
        {
            "title": "Regime complexity",
            "bookTitle": "The handbook of governance and security",
            "date": "2014",
            "ISBN": "0-306-40615-2",
            "pages": "82-97",
            "citationKey": "ch2014",
        },
        [("author", "Stephen", "Aris")],
    )
    z.add(
        "bookSection",
        "CHAP0003",
        {
            "title": "Unrelated",
            "bookTitle": "Another book",
            "date": "2014",
            "citationKey": "un2014",
        },
        [("author", "Ann", "Other")],
    )
    z.close()
    records = {
        e.record.key: e.record
        for e in read_zotero(tmp_path / "zotero.sqlite", "zotero-sqlite").entries
    }
    assert records["ch2014"].parent == "hb2014"  # the ISBN-10 and ISBN-13 of one book
    assert records["un2014"].parent is None
