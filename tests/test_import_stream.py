"""citeshelf import at scale: every entry accounted for, duplicates only where
they are, files staged batch by batch and made visible all at once."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from citeshelf import exitcodes
from citeshelf.library import Library

from .conftest import count_parses, snapshot

HERE = Path(__file__).resolve().parent
BIB = HERE / "fixtures" / "bib"

# Two books, each with a chapter "Gulf union" by the same author: the chapters
# repeat their book's year (as exported .bib files do), which a chapter leaves
# out when its book is in the same file. Such chapters were once taken for
# duplicates of each other (same title, same first author, no year of their
# own) and left out of the import. Likewise two introductions by the editor of
# two different books of the same year.
TWO_GULFS = """\
@incollection{berg1981gulf,
  author = {van der Berg, Elif},
  title = {{Gulf union}},
  booktitle = {Collective conflict},
  editor = {de Gaulle, S{\\o}ren},
  publisher = {MIT Press},
  year = {1981},
  crossref = {gaulle1981collective},
}

@incollection{berg1993gulf,
  author = {van der Berg, Mei},
  title = {{Gulf union}},
  booktitle = {Security rights},
  editor = {Bj{\\"o}rk, Liam},
  publisher = {Polity},
  year = {1993},
  crossref = {bjork1993security},
}

@incollection{editor2014intro,
  title = {Introduction},
  editor = {Sperling, James},
  booktitle = {Handbook one},
  year = {2014},
  crossref = {sperling2014one},
}

@incollection{editor2014introb,
  title = {Introduction},
  editor = {Sperling, James},
  booktitle = {Handbook two},
  year = {2014},
  crossref = {sperling2014two},
}

@book{gaulle1981collective,
  editor = {de Gaulle, S{\\o}ren},
  title = {Collective conflict},
  publisher = {MIT Press},
  year = {1981},
}

@book{bjork1993security,
  editor = {Bj{\\"o}rk, Liam},
  title = {Security rights},
  publisher = {Polity},
  year = {1993},
}

@book{sperling2014one,
  editor = {Sperling, James},
  title = {Handbook one},
  year = {2014},
}

@book{sperling2014two,
  editor = {Sperling, James},
  title = {Handbook two},
  year = {2014},
}
"""

ALL_KEYS = sorted(
    [
        "berg1981gulf",
        "berg1993gulf",
        "editor2014intro",
        "editor2014introb",
        "gaulle1981collective",
        "bjork1993security",
        "sperling2014one",
        "sperling2014two",
    ]
)


def keys_of(lib: Path) -> list[str]:
    return sorted(p.stem for p in lib.glob("*.json"))


def entries_in(path: Path) -> int:
    """Entry blocks of a .bib file (not @string, @preamble, @comment, or @xdata: fields for others)."""
    types = re.findall(r"^\s*@\s*(\w+)\s*[{(]", path.read_text(encoding="utf-8"), re.MULTILINE)
    return sum(1 for t in types if t.lower() not in ("string", "preamble", "comment", "xdata"))


def counts(stdout: str) -> dict[str, int]:
    """{"imported": n, "updated": n, "duplicate": n, "invalid": n} from the summary line."""
    found = dict.fromkeys(("imported", "updated", "duplicate", "invalid"), 0)
    for word, n in re.findall(r"(imported|updated|duplicate|invalid) (\d+)", stdout):
        found[word] = int(n)
    return found


def test_entries_with_their_own_keys_are_never_duplicates_of_each_other(cs, empty_lib, tmp_path):
    src = tmp_path / "gulfs.bib"
    src.write_text(TWO_GULFS, encoding="utf-8")
    r = cs(empty_lib, "import", str(src))
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "imported 8, skipped as duplicate 0, skipped as invalid 0\n"
    assert r.stderr == ""
    assert keys_of(empty_lib) == ALL_KEYS
    lib = Library(empty_lib)
    late = lib.get("berg1993gulf")
    # what the chapter repeats of its book it takes from the book
    assert (late.parent, late.issued, late.publisher) == ("bjork1993security", None, None)


def test_a_second_import_of_the_same_file_skips_every_entry_and_says_why(cs, empty_lib, tmp_path):
    src = tmp_path / "gulfs.bib"
    src.write_text(TWO_GULFS, encoding="utf-8")
    assert cs(empty_lib, "import", str(src)).exit_code == 0
    before = snapshot(empty_lib)
    r = cs(empty_lib, "import", str(src), "--json")
    data = json.loads(r.stdout)
    assert data["imported"] == []
    assert sorted((d["key"], d["existing"], d["reason"]) for d in data["duplicates"]) == [
        (k, k, "same key") for k in ALL_KEYS
    ]
    assert snapshot(empty_lib) == before


def test_a_chapter_under_another_key_is_a_duplicate_of_the_library_record(cs, empty_lib, tmp_path):
    src = tmp_path / "gulfs.bib"
    src.write_text(TWO_GULFS, encoding="utf-8")
    assert cs(empty_lib, "import", str(src)).exit_code == 0
    again = tmp_path / "again.bib"
    again.write_text(
        # the same chapter (its year and book from the library's book) ...
        "@incollection{vanderberg93,\n  author = {van der Berg, Mei},\n  title = {Gulf union},\n"
        "  crossref = {bjork1993security},\n}\n\n"
        # ... and an introduction by the same editor, same year, another book
        "@incollection{intro3,\n  title = {Introduction},\n  editor = {Sperling, James},\n"
        "  booktitle = {Handbook three},\n  year = {2014},\n}\n",
        encoding="utf-8",
    )
    r = cs(empty_lib, "import", str(again), "--json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["imported"] == ["intro3"]
    assert [(d["key"], d["existing"], d["reason"], d["line"]) for d in data["duplicates"]] == [
        ("vanderberg93", "berg1993gulf", "same title, year and first author", 1),
    ]


@pytest.mark.parametrize(
    "name",
    ["accents.bib", "biblatex.bib", "crossref.bib", "messy.bib", "nocrossref.bib", "strings.bib"],
)
def test_the_summary_accounts_for_every_entry_of_the_file(cs, handbook_lib, name):
    src = BIB / name
    r = cs(handbook_lib, "import", str(src), "--skip-invalid")
    assert r.exit_code == 0, r.stderr
    n = counts(r.stdout)
    assert n["imported"] + n["updated"] + n["duplicate"] + n["invalid"] == entries_in(src)


def test_an_invalid_entry_late_in_a_large_file_leaves_nothing_behind(cs, empty_lib, tmp_path):
    # more entries than one batch, the bad one last: the staged files go
    src = tmp_path / "many.bib"
    good = "".join(
        f"@article{{a{i:04d},\n  author = {{Writer, Ann}},\n  title = {{Paper number {i}}},\n"
        f"  journal = {{J}},\n  year = {{2000}},\n}}\n\n"
        for i in range(1200)
    )
    src.write_text(
        good + "@incollection{lost,\n  title = {Lost},\n  crossref = {nowhere},\n}\n",
        encoding="utf-8",
    )
    r = cs(empty_lib, "import", str(src))
    assert r.exit_code == exitcodes.INVALID_DATA
    assert (
        f"  {src}:8401: entry 'lost': crossref 'nowhere' is neither in the import nor in the library"
        in r.stderr
    )
    assert sorted(p.name for p in empty_lib.iterdir()) == []
    r = cs(empty_lib, "import", str(src), "--skip-invalid")
    assert r.stdout == "imported 1200, skipped as duplicate 0, skipped as invalid 1\n"
    assert len(keys_of(empty_lib)) == 1200
    assert sorted(p.name for p in empty_lib.iterdir() if p.name.startswith(".")) == []


def test_a_dry_run_of_a_large_file_writes_nothing(cs, empty_lib, tmp_path):
    src = tmp_path / "many.bib"
    src.write_text(
        "".join(
            f"@book{{b{i:04d},\n  author = {{Writer, Ann}},\n  title = {{Book {i}}},\n  year = {{2000}},\n}}\n"
            for i in range(700)
        ),
        encoding="utf-8",
    )
    r = cs(empty_lib, "import", str(src), "--dry-run")
    assert (
        r.stdout
        == "dry run, nothing written: would have imported 700, skipped as duplicate 0, skipped as invalid 0\n"
    )
    assert list(empty_lib.iterdir()) == []


def test_crossref_to_a_book_later_in_the_file_across_batches(empty_lib, tmp_path):
    src = tmp_path / "gulfs.bib"
    src.write_text(TWO_GULFS, encoding="utf-8")
    from citeshelf.formats.bibtex import BibReader
    from citeshelf.ops.importing import Entry, Existing, FileRead, Importer

    lib = Library(empty_lib)
    importer = Importer(lib, Existing.from_library(lib))
    reader = BibReader(src, batch_size=1)
    assert reader.total == 8
    for part in reader.batches():
        assert len(part.entries) == 1
        importer.add_read(
            FileRead(
                [Entry(e.record, e.source, e.line, False, e.full, e.book) for e in part.entries]
            )
        )
    # nothing visible before the commit
    assert keys_of(empty_lib) == []
    result = importer.finish()
    assert result.created[:4] == [
        "gaulle1981collective",
        "bjork1993security",
        "sperling2014one",
        "sperling2014two",
    ]
    result.commit()
    assert keys_of(empty_lib) == ALL_KEYS
    assert (
        Library(empty_lib).get("berg1981gulf").publisher is None
    )  # the book's, as when read whole


def test_several_files_are_one_import_and_problems_are_listed_in_file_order(
    cs, empty_lib, tmp_path
):
    second = tmp_path / "b.bib"
    second.write_text(
        "@book{same, author = {A, B}, title = {Again}, year = {2001}}\n"
        "@incollection{lost, title = {Lost}, crossref = {nowhere}}\n",
        encoding="utf-8",
    )
    first = tmp_path / "z.bib"
    first.write_text(
        "@book{same, author = {A, B}, title = {First}, year = {2000}}\n"
        "@book{broken, title = {Unbalanced {braces}\n",
        encoding="utf-8",
    )
    r = cs(empty_lib, "import", str(first), str(second), "--skip-invalid", "--json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["imported"] == ["same"]
    assert [(d["key"], d["existing"], d["reason"], d["file"]) for d in data["duplicates"]] == [
        ("same", "same", "same key", str(second)),
    ]
    assert [(i["file"], i["line"], i["key"]) for i in data["invalid"]] == [
        (str(first), 2, "broken"),
        (str(second), 2, "lost"),
    ]
    assert Library(empty_lib).get("same").title == "First"


def test_a_chapter_without_book_record_matches_by_its_book_title(cs, empty_lib, tmp_path):
    one = tmp_path / "one.bib"
    one.write_text(
        "@incollection{first, author = {Aris, Stephen}, title = {Collective security},"
        " booktitle = {Handbook of governance}, year = {2014}}\n",
        encoding="utf-8",
    )
    assert cs(empty_lib, "import", str(one)).exit_code == 0
    two = tmp_path / "two.bib"
    two.write_text(
        "@incollection{again, author = {Aris, S.}, title = {Collective Security},"
        " booktitle = {Handbook of Governance}, year = {2014}}\n"
        "@incollection{other, author = {Aris, Stephen}, title = {Collective security},"
        " booktitle = {Another handbook}, year = {2014}}\n",
        encoding="utf-8",
    )
    r = cs(empty_lib, "import", str(two), "--json")
    data = json.loads(r.stdout)
    assert data["imported"] == ["other"]
    assert [(d["key"], d["existing"]) for d in data["duplicates"]] == [("again", "first")]


@pytest.mark.parametrize("chunk", [7, 64, 1 << 20])
def test_csl_json_is_read_item_by_item_with_the_whole_files_errors(tmp_path, monkeypatch, chunk):
    from citeshelf.errors import InvalidData
    from citeshelf.ops import importing as importer

    monkeypatch.setattr(importer, "_CHUNK", chunk)
    items = json.loads((HERE / "golden" / "items.json").read_text(encoding="utf-8"))
    f = tmp_path / "items.json"
    for text in (
        json.dumps(items, indent=2),
        json.dumps(items),
        json.dumps(items, indent=1) + "\n \n",
        "[]",
        " [ ] ",
        json.dumps(items[0]),
        json.dumps([1.5, 12345678901234567890, None]),
    ):
        f.write_text(text, encoding="utf-8")
        assert list(importer._csl_items(f)) == list(importer._csl_whole(f)), text[:40]
    for text in (
        json.dumps(items)[:-300],
        json.dumps(items) + " x",
        "[1 2]",
        "[1,]",
        "\ufeff[]",
        "[",
        "",
        "{}",
    ):
        f.write_text(text, encoding="utf-8")
        with pytest.raises(InvalidData) as whole:
            list(importer._csl_whole(f))
        with pytest.raises(InvalidData) as streamed:
            list(importer._csl_items(f))
        assert str(streamed.value) == str(whole.value), text[:40]
    f.write_bytes(b'[{"id": "a", "type": "book", "title": "\xff"}]')
    with pytest.raises(InvalidData, match="not UTF-8 text"):
        list(importer._csl_items(f))


def test_ris_is_read_in_batches_with_made_up_keys_unique_across_them(tmp_path):
    from citeshelf.formats.ris import iter_ris, load_ris

    f = tmp_path / "refs.ris"
    refs = (
        "".join(
            f"TY  - BOOK\nAU  - Smith, Ann\nTI  - Alpha{'' if i % 2 else ' again'}\nPY  - 2020\nER  - \n\n"
            for i in range(9)
        )
        + "TY  - JOUR\nAU  - Bad, Name\nTI  - Broken\nDO  - nodoi\nPY  - 2020\nID  - bad/key\nER  - \n"
    )
    f.write_text(refs, encoding="utf-8")
    whole = load_ris(f)
    for size in (1, 2, 4):
        entries, invalid, generated = [], [], set()
        for part in iter_ris(f, batch_size=size):
            entries += part.entries
            invalid += part.invalid
            generated |= part.generated
        assert (
            entries == whole.entries and invalid == whole.invalid and generated == whole.generated
        )
    keys = [e.record.key for e in whole.entries]
    assert len(set(keys)) == len(keys)
    assert len(whole.entries) + len(whole.invalid) == 10
    assert [e.line for e in whole.entries][:3] == [1, 7, 13]


def test_books_made_for_chapters_are_listed_apart_from_the_entries(cs, handbook_lib):
    src = BIB / "nocrossref.bib"
    r = cs(handbook_lib, "import", str(src), "--link-parents", "--json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["books_created"] == ["editor2010different"]
    assert "editor2010different" not in data["imported"]
    assert len(data["imported"]) + len(data["duplicates"]) + len(data["invalid"]) == entries_in(src)


_ROWS = (
    "SELECT key, size, problem, type, fkey, year, parent, doi, creators, title, chapter, "
    "authors_short, pages, line, inh, pkey FROM records ORDER BY key"
)


def _index_contents(index) -> tuple:
    con = index.con
    rows = con.execute(_ROWS).fetchall()
    vals = con.execute(
        "SELECT r.key, v.field, v.value, v.shown FROM vals v JOIN records r ON r.id = v.rid "
        "ORDER BY 1, 2, 3"
    ).fetchall()
    fts = con.execute(
        "SELECT r.key, f.* FROM fts f JOIN records r ON r.id = f.rowid ORDER BY r.key"
    ).fetchall()
    return rows, vals, fts


def test_the_index_is_ready_when_an_import_ends(cs, empty_lib, tmp_path, monkeypatch):
    """The import fills the index from the records it wrote, without reading
    them as records again: the next command finds nothing to read, and the
    index holds what building it from the files gives."""
    from citeshelf.library import index as index_module

    # no file counts as modified too recently to trust (which the next command reads again)
    monkeypatch.setattr(index_module, "racy", lambda mtime, started: False)
    parsed = count_parses(monkeypatch)
    src = tmp_path / "gulfs.bib"
    src.write_text(TWO_GULFS, encoding="utf-8")
    r = cs(empty_lib, "import", str(src))
    assert r.exit_code == 0, r.stderr
    assert parsed == []  # indexed from what the import wrote, no file validated again
    index = index_module.Index(empty_lib).open()
    try:
        assert index.count() == len(ALL_KEYS)
        assert index.refresh() == {"read": 0, "removed": 0, "resolved": 0}  # nothing to rebuild
        ready = _index_contents(index)
    finally:
        index.close()
    rebuilt = index_module.Index(empty_lib, path=tmp_path / "rebuilt.sqlite3").open()
    try:
        rebuilt.refresh(full=True)
        assert parsed != []  # a full build validates every file
        assert _index_contents(rebuilt) == ready
    finally:
        rebuilt.close()
    r = cs(empty_lib, "list")
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == len(ALL_KEYS)


def test_a_file_changed_since_it_was_written_is_validated_by_the_index(empty_lib, tmp_path):
    """The index trusts a written record only while its file holds exactly the
    bytes written (their digest); anything else is read as every command reads it."""
    from citeshelf.library.index import Index
    from citeshelf.library.safeio import file_digest
    from citeshelf.library.store import RecordStore

    store = RecordStore(empty_lib)
    from citeshelf.model import parse_record

    record = parse_record({"type": "book", "key": "b", "title": "A book", "issued": "2001"})
    store.commit_staged([(store.stage(record), "b")])
    path = empty_lib / "b.json"
    assert store.written == {"b": file_digest(path.read_bytes())}
    path.write_text(path.read_text(encoding="utf-8").replace('"book"', '"no such type"'))
    index = Index(empty_lib).open()
    try:
        index.refresh(written=store.written)
        problems = index.problems()
        assert [p.key for p in problems] == ["b"]
        assert "type" in problems[0].reason
    finally:
        index.close()


@pytest.mark.parametrize("name", ["crossref.bib", "biblatex.bib", "messy.bib"])
def test_files_staged_from_the_workers_json_data_have_the_bytes_the_records_give(
    tmp_path, monkeypatch, name
):
    """An import writes a record made by a worker from the JSON data the
    worker sent (``ReadEntry.json_data``) instead of making it again: the same
    files, byte for byte, as when every record is written from the record."""
    import os
    from datetime import datetime, timezone

    from citeshelf.formats.bibtex import reader as reader_module
    from citeshelf.formats.entries import ReadEntry
    from citeshelf.library import store as store_module
    from citeshelf.ops.importing import commit_import, import_files

    if (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        pytest.skip("worker processes need two cores and fork")
    monkeypatch.setattr(reader_module, "PARALLEL_MIN", 1)
    stamp = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(store_module, "now_utc", lambda: stamp)
    used = []
    json_data = ReadEntry.json_data

    def counted(self, record):
        data = json_data(self, record)
        used.append(data is not None)
        return data

    def imported(folder: str) -> dict[str, bytes]:
        (tmp_path / folder).mkdir()
        lib = Library(tmp_path / folder)
        commit_import(import_files(lib, [BIB / name]))
        return {p.name: p.read_bytes() for p in sorted(lib.path.glob("*.json"))}

    monkeypatch.setattr(ReadEntry, "json_data", counted)
    reused = imported("reused")
    assert any(used), "no file was written from the workers' data"
    monkeypatch.setattr(ReadEntry, "json_data", lambda self, record: None)
    assert imported("made") == reused
    assert reused
