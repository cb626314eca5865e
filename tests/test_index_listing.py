"""The index's freshness check lists the records folder only when the folder
changed: while its device, inode, modification and change times are those
seen before the last update listed it, the files that update saw are statted
without listing the folder again (``Scan.of(folder, names)``)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from citeshelf.library import scan as scan_module
from citeshelf.library.index import Index, index_path
from citeshelf.library.query import Query
from citeshelf.library.scan import RACY_NS, Scan, listing_id
from citeshelf.library.store import RecordStore

from .conftest import CountingOs


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> CountingOs:
    fake = CountingOs()
    monkeypatch.setattr(scan_module, "os", fake)
    return fake


#: 2020-01-01, the time every file is given
OLD = 1_577_836_800_000_000_000


def settle(lib: Path) -> None:
    """Make every file and the folder older than a clock tick: nothing racy.
    (The folder's change time cannot be set back: wait until it is not recent.)"""
    for path in lib.iterdir():
        os.utime(path, ns=(OLD, OLD))
    time.sleep(RACY_NS / 1e9 + 0.02)


def meta(lib: Path, name: str) -> str | None:
    con = sqlite3.connect(index_path(lib))
    try:
        row = con.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    finally:
        con.close()
    return row[0] if row else None


def add_article(lib: Path, key: str, title: str) -> None:
    data = {"type": "article", "key": key, "title": title, "issued": "2020"}
    (lib / f"{key}.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def test_an_unchanged_folder_is_not_listed_again(handbook_lib: Path, counting: CountingOs) -> None:
    settle(handbook_lib)
    with Index(handbook_lib).open() as index:
        assert index.refresh()["read"] == 19
        assert counting.listed == 1
        assert meta(handbook_lib, "listing") == listing_id(os.stat(handbook_lib))
        # nothing changed: each file statted, the folder not listed
        for _ in range(3):
            assert index.refresh() == {"read": 0, "removed": 0, "resolved": 0}
        assert counting.listed == 1
        # a file edited in place (the folder does not change) is still seen
        path = handbook_lib / "cottey2014nato.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data["title"] = "An Atlantic alliance, edited in place"
        with open(path, "r+", encoding="utf-8") as fh:
            fh.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            fh.truncate()
        os.utime(path, ns=(OLD + 1, OLD + 1))
        assert index.refresh()["read"] == 1
        assert counting.listed == 1
        q = Query.parse("title:atlantic")
        assert [r.key for r in index.search(*q.sql(index.fts5))] == ["cottey2014nato"]


def test_a_file_added_or_removed_lists_the_folder(handbook_lib: Path, counting: CountingOs) -> None:
    settle(handbook_lib)
    with Index(handbook_lib).open() as index:
        index.refresh()
        add_article(handbook_lib, "smith2020nato", "NATO at seventy")
        settle(handbook_lib)
        assert index.refresh() == {"read": 1, "removed": 0, "resolved": 0}
        assert counting.listed == 2
        assert index.count() == 20
        assert index.refresh()["read"] == 0
        assert counting.listed == 2
        (handbook_lib / "smith2020nato.json").unlink()
        settle(handbook_lib)
        assert index.refresh() == {"read": 0, "removed": 1, "resolved": 0}
        assert counting.listed == 3
        assert index.count() == 19


def test_a_folder_changed_just_before_the_scan_is_listed_next_time(
    handbook_lib: Path, counting: CountingOs
) -> None:
    """A change within a clock tick of the listing could leave the folder's
    times as they were: that listing is not trusted for the next update."""
    settle(handbook_lib)
    with Index(handbook_lib).open() as index:
        index.refresh()
        add_article(handbook_lib, "smith2020nato", "NATO at seventy")
        os.utime(handbook_lib / "smith2020nato.json", ns=(OLD, OLD))
        # (the folder changed moments ago)
        assert index.refresh()["read"] == 1
        assert meta(handbook_lib, "listing") == ""
        assert index.refresh()["read"] == 0
        assert counting.listed == 3  # listed again
        time.sleep(RACY_NS / 1e9 + 0.02)
        index.refresh()
        assert counting.listed == 4
        assert meta(handbook_lib, "listing") == listing_id(os.stat(handbook_lib))
        index.refresh()
        assert counting.listed == 4


def test_another_folder_with_the_same_time_is_listed(
    handbook_lib: Path, counting: CountingOs
) -> None:
    """A folder put in the place of another (a restored copy, ``rsync -t``),
    even with the same modification time, has another inode and change time."""
    settle(handbook_lib)
    with Index(handbook_lib).open() as index:
        index.refresh()
    copy = handbook_lib.parent / "copy"
    shutil.copytree(handbook_lib, copy)
    add_article(copy, "smith2020nato", "NATO at seventy")
    settle(copy)
    st = os.stat(handbook_lib)
    os.utime(copy, ns=(st.st_atime_ns, st.st_mtime_ns))
    handbook_lib.rename(handbook_lib.parent / "before")
    copy.rename(handbook_lib)
    assert os.stat(handbook_lib).st_mtime_ns == st.st_mtime_ns
    with Index(handbook_lib).open() as index:
        # listed: the file added is found (the others have the times and sizes indexed)
        assert index.refresh()["read"] == 1
        assert index.count() == 20
    assert counting.listed == 2


def test_a_listing_with_leftovers_is_not_trusted(handbook_lib: Path, counting: CountingOs) -> None:
    """Leftovers of an interrupted write another process still holds the
    lock for are seen by each update, not hidden by a trusted listing."""
    settle(handbook_lib)
    (handbook_lib / ".tmp-x1.json.part").write_text("{", encoding="utf-8")
    time.sleep(RACY_NS / 1e9 + 0.02)
    holder = RecordStore(handbook_lib)
    with holder.locked(), Index(handbook_lib).open() as index:
        assert index.refresh()["read"] == 19
        assert Scan.of(handbook_lib).leftovers
        assert meta(handbook_lib, "listing") == ""
        index.refresh()
        index.refresh()
    assert counting.listed >= 4  # listed each time (and by the Scan.of above)


def test_an_index_from_before_learns_the_listing_without_an_update(
    handbook_lib: Path, counting: CountingOs
) -> None:
    settle(handbook_lib)
    with Index(handbook_lib).open() as index:
        index.refresh()
        index.con.execute("DELETE FROM meta WHERE name = 'listing'")
        # another process writing: the listing is not noted, and not waited for
        other = sqlite3.connect(index_path(handbook_lib), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            started = time.monotonic()
            assert index.refresh()["read"] == 0
            assert time.monotonic() - started < 5
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert meta(handbook_lib, "listing") is None
        assert counting.listed == 2
        # nothing written meanwhile: noted, with nothing read again
        assert index.refresh()["read"] == 0
        assert meta(handbook_lib, "listing") == listing_id(os.stat(handbook_lib))
        assert counting.listed == 3
        assert index.refresh()["read"] == 0
        assert counting.listed == 3


def test_the_stored_listing_goes_with_its_state(handbook_lib: Path) -> None:
    """The names are taken only from a state stored under the same listing
    (read together: an update of an older listing may commit meanwhile)."""
    settle(handbook_lib)
    with Index(handbook_lib).open() as index:
        index.refresh()
        listed = listing_id(os.stat(handbook_lib))
        old, digest = index._listed_scan(listed)
        assert old is not None and len(old.names) == 19 and digest.startswith("19:")
        assert index._listed_scan(listed + "x") == (None, "")
