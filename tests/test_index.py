"""The derived index: where it lives, incremental updates, rebuilds, damage,
concurrency, and the fallbacks when it cannot be used."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from citeshelf.library import Library
from citeshelf.library.index import Index, index_path, open_index
from citeshelf.library.query import Query, select

from .conftest import snapshot

ROOT = Path(__file__).resolve().parent.parent


def keys(lib: Path, text: str) -> list[str]:
    index = open_index(lib)
    assert index is not None
    with index:
        q = Query.parse(text)
        where, params = q.sql(index.fts5)
        return [r.key for r in index.search("" if q.is_everything else where, params)]


def write(lib: Path, data: dict) -> None:
    (lib / f"{data['key']}.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def edit_in_place(path: Path, change) -> None:
    """Rewrite a file in place (same inode), as editors that do not rename do."""
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    with open(path, "r+", encoding="utf-8") as fh:
        fh.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        fh.truncate()


def test_index_lives_outside_the_library(handbook_lib: Path, index_dir: Path) -> None:
    before = snapshot(handbook_lib)
    assert keys(handbook_lib, "author:cottey") == ["cottey2014europe", "cottey2014nato"]
    assert snapshot(handbook_lib) == before
    path = index_path(handbook_lib)
    assert path.parent == index_dir and path.is_file()
    assert re.fullmatch(
        r".*-records-[0-9a-f]{16}\.sqlite3", path.name
    )  # named after the library folder
    # two libraries, two index files
    other = handbook_lib.parent / "other" / "records"
    shutil.copytree(handbook_lib, other)
    assert index_path(other) != path


def test_index_follows_added_edited_and_removed_files(handbook_lib: Path) -> None:
    assert keys(handbook_lib, "title:nato") == ["cottey2014nato"]
    # added
    write(
        handbook_lib,
        {
            "type": "article",
            "key": "smith2020nato",
            "title": "NATO at seventy",
            "authors": [{"family": "Smith", "given": "Ann"}],
            "issued": "2020",
        },
    )
    assert keys(handbook_lib, "title:nato") == ["cottey2014nato", "smith2020nato"]
    # edited in place, same size: "seventy" -> "SEVENTY"
    edit_in_place(handbook_lib / "smith2020nato.json", lambda d: d.update(title="NATO at sixty!"))
    assert keys(handbook_lib, "title:sixty") == ["smith2020nato"]
    assert keys(handbook_lib, "title:seventy") == []
    # replaced by rename (git, citeshelf, most editors)
    Library(handbook_lib).write_text(
        "smith2020nato", (handbook_lib / "smith2020nato.json").read_text().replace("sixty", "fifty")
    )
    assert keys(handbook_lib, "title:fifty") == ["smith2020nato"]
    # removed
    (handbook_lib / "smith2020nato.json").unlink()
    assert keys(handbook_lib, "title:nato") == ["cottey2014nato"]


def test_a_changed_book_re_resolves_its_chapters(handbook_lib: Path) -> None:
    assert len(keys(handbook_lib, "year:2014")) == 19
    edit_in_place(handbook_lib / "sperling2014handbook.json", lambda d: d.update(issued="2015"))
    assert keys(handbook_lib, "year:2014") == []
    assert len(keys(handbook_lib, "year:2015")) == 19
    # the book goes away: its chapters keep only their own data
    (handbook_lib / "sperling2014handbook.json").unlink()
    assert keys(handbook_lib, "year:2015") == []
    assert keys(handbook_lib, "editor:sperling") == []
    # and comes back
    shutil.copy(ROOT / "records" / "sperling2014handbook.json", handbook_lib)
    assert len(keys(handbook_lib, "editor:sperling")) == 19


def test_a_chapter_read_before_its_book_is_resolved(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    # "a..." sorts before "z...", so the chapter is read first
    write(lib, {"type": "chapter", "key": "a2020chapter", "title": "Chapter", "parent": "zbook"})
    write(
        lib,
        {
            "type": "book",
            "key": "zbook",
            "title": "Book",
            "issued": "1999",
            "editors": [{"family": "Ödön", "given": "Eva"}],
        },
    )
    assert keys(lib, "year:1999 editor:odon") == ["a2020chapter", "zbook"]


def test_problems_are_reported_with_the_stores_words(handbook_lib: Path) -> None:
    (handbook_lib / "broken.json").write_text('{"type": "book", "key": "broken", "isbn": ["123"]}')
    (handbook_lib / "notjson.json").write_text("{oops")
    (handbook_lib / "wrongkey.json").write_text('{"type": "book", "key": "other"}')
    index = open_index(handbook_lib)
    assert index is not None
    with index:
        asked: list[str] = []
        index.con.set_trace_callback(asked.append)
        problems = index.problems()
        index.con.set_trace_callback(None)
        # (read from the index of the unreadable rows alone, not a scan of every row)
        (plan,) = [index.con.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall() for sql in asked]
        assert "COVERING INDEX records_problem" in str(plan)
    got = {p.key: p.reason for p in problems}
    assert [p.key for p in problems] == sorted(got)
    lib = Library(handbook_lib)
    expected = {item.key: item.reason for item in lib.iter_records() if not hasattr(item, "type")}
    assert got == expected
    assert set(got) == {"broken", "notjson", "wrongkey"}
    # fixed files leave the problem list
    (handbook_lib / "notjson.json").write_text(
        '{"type": "book", "key": "notjson", "title": "Fixed"}'
    )
    assert keys(handbook_lib, "title:fixed") == ["notjson"]


def test_deleted_or_damaged_index_is_rebuilt(handbook_lib: Path) -> None:
    assert keys(handbook_lib, "merand") == ["bujun2014regional"]
    path = index_path(handbook_lib)
    path.unlink()
    assert keys(handbook_lib, "merand") == ["bujun2014regional"]
    path.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    assert keys(handbook_lib, "merand") == ["bujun2014regional"]


def test_an_outdated_schema_is_rebuilt(handbook_lib: Path) -> None:
    import sqlite3

    assert keys(handbook_lib, "merand") == ["bujun2014regional"]
    con = sqlite3.connect(index_path(handbook_lib))
    con.execute("PRAGMA user_version=1")
    con.execute("DELETE FROM records")
    con.commit()
    con.close()
    assert keys(handbook_lib, "merand") == ["bujun2014regional"]


def test_an_index_lacking_only_newer_indexes_is_brought_up_to_date(handbook_lib: Path) -> None:
    """A file of schema 13 lacks only the index of unreadable rows: it gets
    it, and keeps its rows (a rebuild would drop the meta row put in here)."""
    import sqlite3

    from citeshelf.library.schema import SCHEMA_VERSION

    broken = handbook_lib / "broken.json"
    broken.write_text('{"type": "book", "key": "broken", "isbn": ["1"]}')
    os.utime(broken, (time.time() - 60, time.time() - 60))  # (not racy: indexed once)
    assert keys(handbook_lib, "merand") == ["bujun2014regional"]
    path = index_path(handbook_lib)
    for drop in (True, False):  # (one made by a later code and set back to 13 keeps its index)
        con = sqlite3.connect(path)
        if drop:
            con.execute("DROP INDEX records_problem")
        con.execute("INSERT OR REPLACE INTO meta VALUES ('probe', 'kept')")
        con.execute("PRAGMA user_version=13")
        con.commit()
        con.close()
        index = open_index(handbook_lib)
        assert index is not None
        with index:
            assert index.stats == {"read": 0, "removed": 0, "resolved": 0}
            con = index.con
            assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            assert con.execute("SELECT value FROM meta WHERE name = 'probe'").fetchone() == (
                "kept",
            )
            sql = "SELECT key, problem FROM records WHERE problem IS NOT NULL ORDER BY key"
            plan = con.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
            assert "COVERING INDEX records_problem" in str(plan)
            assert [p.key for p in index.problems()] == ["broken"]
        assert keys(handbook_lib, "merand") == ["bujun2014regional"]


def test_upgrade_steps() -> None:
    from citeshelf.library import schema

    assert schema.upgrade_steps(schema.SCHEMA_VERSION) == []
    assert schema.upgrade_steps(13) == [
        "CREATE INDEX IF NOT EXISTS records_problem ON records(key, problem) "
        "WHERE problem IS NOT NULL"
    ]
    # no way up from a version that changed the rows, nor down from a newer one
    for version in (0, 1, 12, schema.SCHEMA_VERSION + 1):
        assert schema.upgrade_steps(version) is None
    # every index named is one of the schema's
    named = {n for names in schema.ADDED_INDEXES.values() for n in names}
    assert named <= {n for n, _ in schema.SECONDARY_INDEXES}


def test_no_usable_index_falls_back_to_reading_files(
    handbook_lib: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CITESHELF_INDEX_DIR", str(blocker / "index"))
    assert open_index(handbook_lib) is None
    records, problems = select(Library(handbook_lib), "author:cottey")
    assert [r.key for r in records] == ["cottey2014europe", "cottey2014nato"] and problems == []
    monkeypatch.setenv("CITESHELF_INDEX_DIR", "off")
    assert open_index(handbook_lib) is None


def test_select_with_and_without_index_agree(handbook_lib: Path) -> None:
    (handbook_lib / "broken.json").write_text('{"type": "book", "key": "broken", "isbn": ["123"]}')
    lib = Library(handbook_lib)
    for text in ("", "type:chapter", "security OR nato", "NOT year:2014", "type:book"):
        fast = select(lib, text)
        slow = select(lib, text, use_index=False)
        assert [r.key for r in fast[0]] == [r.key for r in slow[0]]
        assert [p.reason for p in fast[1]] == [p.reason for p in slow[1]]


def test_folder_check_mode(handbook_lib: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """$CITESHELF_INDEX_CHECK=folder trusts the folder's time: files replaced by
    rename are seen, a file rewritten in place is not (until reindex)."""
    monkeypatch.setenv("CITESHELF_INDEX_CHECK", "folder")
    path = handbook_lib / "cottey2014nato.json"
    old = os.stat(path).st_mtime_ns - 10_000_000_000
    for p in handbook_lib.iterdir():  # old files: not racy
        os.utime(p, ns=(old, old))
    assert keys(handbook_lib, "title:nato") == ["cottey2014nato"]
    dir_time = os.stat(handbook_lib).st_mtime_ns
    edit_in_place(path, lambda d: d.update(title="Atlantic alliance"))
    os.utime(handbook_lib, ns=(dir_time, dir_time))
    assert keys(handbook_lib, "title:nato") == ["cottey2014nato"]  # not seen
    Library(handbook_lib).write_text(
        "cottey2014europe", (handbook_lib / "cottey2014europe.json").read_text()
    )
    assert keys(handbook_lib, "title:nato") == []  # the folder changed: everything checked
    monkeypatch.setenv("CITESHELF_INDEX_CHECK", "files")
    assert keys(handbook_lib, "title:atlantic") == ["cottey2014nato"]


def test_full_refresh_and_counts(handbook_lib: Path) -> None:
    with Index(handbook_lib).open() as index:
        # 16 chapters sort before their book: read first, resolved once the book is read
        assert index.refresh() == {"read": 19, "removed": 0, "resolved": 16}
    with Index(handbook_lib).open() as index:
        assert index.refresh() == {"read": 0, "removed": 0, "resolved": 0}
        # a file whose time is not before the scan ("racy": a write within the
        # same clock tick would not change it) is read again by each command
        path = handbook_lib / "cottey2014nato.json"
        path.write_text(path.read_text())
        soon = time.time_ns() + 60_000_000_000
        os.utime(path, ns=(soon, soon))
        assert index.refresh()["read"] == 1
        assert index.refresh()["read"] == 1
        old = time.time_ns() - 10_000_000_000
        os.utime(path, ns=(old, old))
        assert index.refresh()["read"] == 1
        assert index.refresh()["read"] == 0
        assert index.refresh(full=True)["read"] == 19
        assert index.count() == 19
        assert index.children("sperling2014handbook")[:2] == [
            "aris2014collective",
            "boin2014transboundary",
        ]
        assert len(index.children("SPERLING2014HANDBOOK")) == 18


CONCURRENT = r"""
import re
import sys
from citeshelf.library.index import open_index
from citeshelf.library.query import Query
for _ in range(5):
    index = open_index(sys.argv[1])
    assert index is not None
    with index:
        q = Query.parse("title:nato")
        print(len(index.search(*q.sql(index.fts5))))
"""


def test_two_processes_at_once(handbook_lib: Path, index_dir: Path) -> None:
    for i in range(200):
        write(
            handbook_lib,
            {
                "type": "article",
                "key": f"n{i:03d}",
                "title": f"NATO number {i}",
                "authors": [{"family": "Smith"}],
                "issued": "2001",
            },
        )
    env = {**os.environ, "CITESHELF_INDEX_DIR": str(index_dir)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT, str(handbook_lib)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert out.split() == ["201"] * 5
    assert len(keys(handbook_lib, "title:nato")) == 201
    with Index(handbook_lib).open() as index:
        assert index.con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert index.count() == 219


def test_library_chapter_keys_from_the_index(
    handbook_lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = Library(handbook_lib)
    (handbook_lib / "bad.json").write_text(
        '{"type": "chapter", "key": "bad", "parent": "sperling2014handbook", "pages": "1,2"}'
    )
    fast = lib.chapter_keys("sperling2014handbook")
    assert len(fast) == 19 and "bad" in fast and fast == sorted(fast)
    assert lib.chapter_keys("aris2014collective") == []
    monkeypatch.setenv("CITESHELF_INDEX_DIR", "off")
    assert lib.chapter_keys("sperling2014handbook") == fast


def test_differences_between_scans() -> None:
    from array import array

    from citeshelf.library.scan import differences as _differences

    old = array("q", range(2000))
    new = array("q", old)
    assert _differences(old, new) == set()
    for i in (0, 511, 512, 1023, 1999):
        new[i] = -1
    assert _differences(old, new) == {0, 511, 512, 1023, 1999}
    assert _differences(array("q"), array("q")) == set()


def test_a_parallel_build_gives_the_same_index(
    handbook_lib: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import citeshelf.library.index as index_module

    (handbook_lib / "broken.json").write_text("{oops")
    # a chapter that fails validation, naming its book: listed as its chapter
    (handbook_lib / "aa-broken-chapter.json").write_text(
        '{"key": "aa-broken-chapter", "type": "nonsense", "parent": "sperling2014handbook"}'
    )

    def dump(path: Path) -> list:
        with Index(handbook_lib, path=path).open() as index:
            index.refresh()
            rows = index.con.execute(
                "SELECT key, problem, type, year, parent, creators, title, chapter, authors_short, pages, line, inh, pkey "
                "FROM records ORDER BY key"
            ).fetchall()
            words = index.con.execute("SELECT * FROM fts ORDER BY rowid").fetchall()
            vals = index.con.execute(
                "SELECT r.key, v.field, v.value, v.shown FROM vals v JOIN records r ON r.id = v.rid "
                "ORDER BY 1, 2, 3"
            ).fetchall()
            return [rows, len(words), vals, sorted(p.reason for p in index.problems())]

    serial = dump(tmp_path / "serial.sqlite3")
    chapters = [r for r in serial[0] if r[4] == "sperling2014handbook"]
    assert len(chapters) == 19  # the 18 chapters and the broken one
    assert {r[3] for r in chapters if r[1] is None} == {2014}  # the book's year, inherited
    assert [r[0] for r in chapters if r[1] is not None] == ["aa-broken-chapter"]
    assert len(serial[3]) == 2
    monkeypatch.setattr(index_module, "PARALLEL_MIN", 5)
    assert dump(tmp_path / "parallel.sqlite3") == serial
    # many small batches, few asked ahead: the window of asked batches is
    # filled, taken from and emptied in order
    monkeypatch.setattr(index_module, "PREPARE_BATCH", 2)
    monkeypatch.setattr(index_module, "IN_FLIGHT", 3)
    assert dump(tmp_path / "windowed.sqlite3") == serial


def test_records_written_by_a_command_are_indexed_in_the_order_written(
    empty_lib: Path, tmp_path: Path
) -> None:
    """An import writes books first: its chapters, whatever their keys, find
    the book read before them and take its year, editors and publisher, as a
    build from the files alone gives them."""
    from citeshelf.library.store import RecordStore
    from citeshelf.model import parse_record

    store = RecordStore(empty_lib)
    book = {
        "key": "zz-book",
        "type": "book",
        "title": "A handbook",
        "editors": [{"family": "Sperling", "given": "James"}],
        "publisher": "Edward Elgar",
        "issued": "2014",
    }
    chapter = {"key": "aa-chapter", "type": "chapter", "title": "A chapter", "parent": "zz-book"}
    staged = [(store.stage(parse_record(d)), d["key"]) for d in (book, chapter)]
    store.commit_staged(staged)
    assert list(store.written) == ["zz-book", "aa-chapter"]

    def rows(path: Path, written: dict | None) -> list:
        with Index(empty_lib, path=path).open() as index:
            stats = index.refresh(written=written)
            found = index.con.execute(
                "SELECT key, year, parent FROM records ORDER BY key"
            ).fetchall()
            where, params = Query.parse("editor:sperling").sql(index.fts5)
            return [stats["resolved"], found, [r.key for r in index.search(where, params)]]

    kept = rows(tmp_path / "written.sqlite3", dict(store.written))
    # read in the order written, the chapter needs no second resolution
    assert kept[0] == 0
    assert kept[1:] == rows(tmp_path / "files.sqlite3", None)[1:]
    assert kept[1] == [("aa-chapter", 2014, "zz-book"), ("zz-book", 2014, None)]
    assert kept[2] == ["aa-chapter", "zz-book"]


def test_index_path_text_is_index_path_as_text(tmp_path: Path) -> None:
    """The light twin the kept outputs are found with names the same file:
    the last two parts of the folder's real path and a hash of it."""
    from citeshelf.library.schema import index_path, index_path_text

    env = {"CITESHELF_INDEX_DIR": str(tmp_path / "cache")}
    (tmp_path / "a b" / "ç").mkdir(parents=True)
    for folder in ["/", "/tmp", tmp_path / "a b" / "ç", str(tmp_path / "a b") + "/", "records"]:
        assert index_path_text(folder, env) == str(index_path(folder, env)), folder
    assert os.path.basename(index_path_text("/", env)).startswith("library-")
    assert os.path.basename(index_path_text(tmp_path / "a b" / "ç", env)).startswith("a_b-")


def _whole(index: Index) -> list:
    """Every row the index keeps of its records (ids included), and its indexes."""
    con = index.con
    return [
        con.execute("SELECT * FROM records ORDER BY id").fetchall(),
        con.execute("SELECT * FROM vals ORDER BY rid, field, value").fetchall(),
        con.execute("SELECT rowid, * FROM fts ORDER BY rowid").fetchall(),
        con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "ORDER BY name"
        ).fetchall(),
    ]


def test_a_first_indexing_of_many_records_builds_the_tables_indexes_after_their_rows(
    handbook_lib: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into empty tables (an index just made, or one whose library had no
    records yet) many rows go in before the tables' indexes are made: the
    same rows and the same indexes as a row at a time, and queries that
    use them answer alike."""
    import citeshelf.library.index as index_module
    from citeshelf.library.schema import SECONDARY_INDEXES

    names = {name for name, _ in SECONDARY_INDEXES}
    assert {
        "records_parent",
        "records_year",
        "records_fkey",
        "records_problem",
        "vals_value",
        "vals_rid",
    } == names
    made: list[str] = []

    def build(path: Path, bulk_min: int) -> list:
        monkeypatch.setattr(index_module, "BULK_MIN", bulk_min)
        with Index(handbook_lib, path=path).open() as index:
            con = index.con
            index.con = _Watched(con, made)
            try:
                index.refresh()
            finally:
                index.con = con
            where, params = Query.parse("editor:sperling year:2014").sql(index.fts5)
            found = sorted(r.key for r in index.search(where, params))
            return [*_whole(index), found]

    one_by_one = build(tmp_path / "rows.sqlite3", 10**9)
    assert not [s for s in made if s.startswith(("DROP INDEX", "CREATE INDEX"))]
    bulk = build(tmp_path / "bulk.sqlite3", 2)
    assert sorted(s.split()[-1] for s in made if s.startswith("DROP INDEX")) == sorted(names)
    assert len([s for s in made if s.startswith("CREATE INDEX")]) == len(names)
    assert bulk == one_by_one
    assert one_by_one[3] and one_by_one[4]  # (indexes kept; the query found chapters)
    # an update of a few files afterwards adds to the indexes as before
    made.clear()
    monkeypatch.setattr(index_module, "BULK_MIN", 2)
    edit_in_place(handbook_lib / "aris2014collective.json", lambda d: d.update(title="Changed"))
    with Index(handbook_lib, path=tmp_path / "bulk.sqlite3").open() as index:
        con = index.con
        index.con = _Watched(con, made)
        try:
            assert index.refresh()["read"] == 1
        finally:
            index.con = con
    assert not [s for s in made if s.startswith(("DROP INDEX", "CREATE INDEX"))]


def test_an_index_without_records_takes_every_row_as_new(
    handbook_lib: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index whose library had no records (made by a command run before
    the first import) is filled as a new one is: rows of no record left in
    its word tables are dropped, and the result is the one a new index gets."""
    import citeshelf.library.index as index_module

    monkeypatch.setattr(index_module, "BULK_MIN", 2)
    records = sorted(handbook_lib.glob("*.json"))
    aside = tmp_path / "aside"
    aside.mkdir()
    for p in records:
        p.rename(aside / p.name)
    path = tmp_path / "index.sqlite3"
    with Index(handbook_lib, path=path).open() as index:
        index.refresh()
        assert index.con.execute("SELECT count(*) FROM records").fetchone() == (0,)
        # (a row of no record, as a damaged cache could hold)
        index.con.execute("INSERT INTO vals VALUES (1, 'tag', 'stale', 'stale')")
    for p in sorted(aside.iterdir()):
        p.rename(handbook_lib / p.name)
    with Index(handbook_lib, path=path).open() as index:
        assert index.refresh()["read"] == len(records)
        filled = _whole(index)
    with Index(handbook_lib, path=tmp_path / "new.sqlite3").open() as index:
        index.refresh()
        assert filled == _whole(index)
    assert ("tag", "stale") not in [(r[1], r[2]) for r in filled[1]]


def test_a_first_indexing_that_fails_leaves_the_index_as_it_was(
    handbook_lib: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tables' indexes are dropped inside the update's transaction: an
    update that fails half way leaves them, and every row, as they were."""
    import citeshelf.library.index as index_module

    monkeypatch.setattr(index_module, "BULK_MIN", 2)
    path = tmp_path / "index.sqlite3"
    with Index(handbook_lib, path=path).open() as index:
        before = _whole(index)
        calls = [0]
        flush = Index._flush

        def failing(self: Index) -> None:
            calls[0] += 1
            flush(self)
            raise OSError("disk full")

        monkeypatch.setattr(Index, "_flush", failing)
        with pytest.raises(OSError, match="disk full"):
            index.refresh()
        assert calls[0] == 1
        monkeypatch.setattr(Index, "_flush", flush)
        assert _whole(index) == before
        assert before[3]  # (the indexes are there)
        index.refresh()
        assert len(_whole(index)[0]) == len(list(handbook_lib.glob("*.json")))


def test_word_rows_are_written_in_rowid_order(handbook_lib: Path, tmp_path: Path) -> None:
    """An update deletes and adds the words of its records in rowid order,
    whatever order the keys come in: FTS5 writes out what it holds whenever a
    rowid is not above the last one (a segment each time, that later work has
    to merge). Here the rowids run against the keys' order (the records were
    indexed one at a time, last key first)."""
    path = tmp_path / "index.sqlite3"
    files = sorted(handbook_lib.glob("*.json"))
    aside = tmp_path / "aside"
    aside.mkdir()
    for p in files:
        p.rename(aside / p.name)
    for p in reversed(files):  # (renamed back: the files keep their old times)
        (aside / p.name).rename(p)
        with Index(handbook_lib, path=path).open() as index:
            assert index.refresh()["read"] == 1
    old = time.time_ns() - 10_000_000_000
    for p in files:
        edit_in_place(p, lambda d: d.update(note="edited"))
        os.utime(p, ns=(old, old))
    files[0].unlink()
    files[1].unlink()
    written: list[tuple[str, list[int]]] = []
    with Index(handbook_lib, path=path).open() as index:
        by_key = [rid for (rid,) in index.con.execute("SELECT id FROM records ORDER BY key")]
        assert by_key == sorted(by_key, reverse=True)  # (the keys' order is not the ids')
        con = index.con
        index.con = _Batches(con, written)
        try:
            counts = index.refresh()
        finally:
            index.con = con
        updated = _words_by_key(index)
    assert (counts["read"], counts["removed"]) == (len(files) - 2, 2)
    fts = [(sql.split()[0], rids) for sql, rids in written if " fts" in sql]
    assert [(verb, len(rids)) for verb, rids in fts] == [
        ("DELETE", 2),  # the removed records
        ("DELETE", len(files) - 2),  # the old words of the changed ones
        ("INSERT", len(files) - 2),
    ]
    assert all(rids == sorted(rids) for _, rids in fts)
    # the words are those a new index has, each under its record's id
    with Index(handbook_lib, path=tmp_path / "new.sqlite3").open() as index:
        index.refresh()
        assert updated == _words_by_key(index)
    assert [r[0] for r in updated] == sorted(p.stem for p in files[2:])


class _Batches:
    """A SQLite connection that notes each ``executemany``: its statement
    and the first value of each of its rows."""

    def __init__(self, con: object, made: list[tuple[str, list[int]]]) -> None:
        self._con, self._made = con, made

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> object:
        rows = list(rows)
        self._made.append((" ".join(sql.split()), [r[0] for r in rows]))
        return self._con.executemany(sql, rows)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._con, name)


def _words_by_key(index: Index) -> list:
    """Each record's key with its row of the word index."""
    return index.con.execute(
        "SELECT r.key, f.* FROM records r JOIN fts f ON f.rowid = r.id ORDER BY r.key"
    ).fetchall()


class _Watched:
    """A SQLite connection that notes each statement executed (``made``)."""

    def __init__(self, con: object, made: list[str]) -> None:
        self._con, self._made = con, made

    def execute(self, sql: str, *args: object) -> object:
        self._made.append(" ".join(sql.split()))
        return self._con.execute(sql, *args)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._con, name)
