"""The first `cite` after a change scans the records folder once: the check
of the kept output (cli/start.py) scans it, the citation's index is brought
up to date from that scan, and the new output is kept under it when every
record file the citation read is as the scan saw it (no second or third
`stat` of every file: 0.2 s each at 100,000 records)."""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from .conftest import CountingOs

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project's records, every file an hour old, with an index of their own."""
    folder = tmp_path / "own"
    shutil.copytree(ROOT / "records", folder)
    _age(folder, 3600)
    monkeypatch.setenv("CITESHELF_INDEX_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CITESHELF_INDEX_CHECK", raising=False)
    return folder


def _age(folder: Path, seconds: float) -> None:
    old = time.time() - seconds
    for f in [*folder.iterdir(), folder]:
        os.utime(f, (old, old))


def _edit(path: Path, change, seconds: float = 60) -> None:
    """Change a record file in place, its time set a minute back (not racy)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    with open(path, "r+", encoding="utf-8") as fh:  # as an editor that does not rename
        fh.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        fh.truncate()
    old = time.time() - seconds
    os.utime(path, (old, old))


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many scans of the folder (``stat_names``) and citations made."""
    import citeshelf.library.scan as scan
    import citeshelf.ops.citing as citing

    seen = {"scans": 0, "cites": 0}
    real_stat, real_cite = scan.stat_names, citing.cite

    def stat_names(*args, **kw):
        seen["scans"] += 1
        return real_stat(*args, **kw)

    def cite(*args, **kw):
        seen["cites"] += 1
        return real_cite(*args, **kw)

    monkeypatch.setattr(scan, "stat_names", stat_names)
    monkeypatch.setattr(citing, "cite", cite)
    return seen


def _main(lib: Path, *args: str) -> tuple[int, str]:
    """citeshelf's program, in this process, printing to a pipe (not a terminal)."""
    from citeshelf.cli import start

    out = io.StringIO()
    saved = sys.argv, start.MAIN_ARGS, gc.get_threshold()
    sys.argv = ["citeshelf", "--library", str(lib), "cite", *args]
    code = 0
    try:
        with contextlib.redirect_stdout(out):
            start.main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv, start.MAIN_ARGS = saved[0], saved[1]
        gc.set_threshold(*saved[2])
    return code, out.getvalue()


def _to_2015(data: dict) -> None:
    data["issued"] = {"year": 2015}


def test_the_first_cite_after_an_edit_scans_once_and_is_kept(own: Path, counts) -> None:
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014a)\n")
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014a)\n")
    assert counts == {"scans": 2, "cites": 1}  # the second was printed as kept
    # cottey2014nato (2014b) becomes a work of 2015: no letter
    _edit(own / "cottey2014nato.json", _to_2015)
    counts.update(scans=0, cites=0)
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014)\n")
    assert counts == {"scans": 1, "cites": 1}
    # kept under that scan: printed as kept
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014)\n")
    assert counts == {"scans": 2, "cites": 1}


def test_a_file_read_after_it_changed_since_the_scan_is_not_kept(
    own: Path, counts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A work the citation compares with changes between the scan and its
    reading: the citation is made from what was read, and not kept under the
    scan (which saw the file before); the next `cite` makes it again."""
    from citeshelf.library.store import RecordStore

    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014a)\n")
    _edit(own / "cottey2014europe.json", lambda d: d.update(note="edited"))
    real = RecordStore.read_text
    edited: list[str] = []

    def read_text(self, key):
        if key == "cottey2014nato" and not edited:
            edited.append(key)
            _edit(self.path / "cottey2014nato.json", _to_2015, seconds=30)
        return real(self, key)

    monkeypatch.setattr(RecordStore, "read_text", read_text)
    counts.update(scans=0, cites=0)
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014)\n")  # as it was read
    assert edited and counts == {"scans": 1, "cites": 1}
    monkeypatch.setattr(RecordStore, "read_text", real)
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014)\n")
    assert counts["cites"] == 2


def test_a_file_added_after_the_scan_is_indexed(own: Path, counts, monkeypatch) -> None:
    """A work of the same author and year added between the check's scan and
    the citation: the folder's time says so, the index scans again and
    gives the work its letter; the output is not kept (the new file was
    read, and the check's scan did not see it)."""
    from citeshelf.ops import citememo

    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014a)\n")
    _edit(own / "cottey2014europe.json", lambda d: d.update(note="edited"))
    real = citememo.take_scanned

    def take_scanned(folder):
        data = json.loads((own / "cottey2014nato.json").read_text(encoding="utf-8"))
        data["key"] = "cottey2014other"
        data["title"] = "Another work of 2014"
        (own / "cottey2014other.json").write_text(json.dumps(data, indent=2), "utf-8")
        return real(folder)

    monkeypatch.setattr(citememo, "take_scanned", take_scanned)
    counts.update(scans=0, cites=0)
    code, out = _main(own, "cottey2014europe")
    # by title: Another work (a), Europe (b), NATO (c)
    assert code == 0 and out == "(Cottey, 2014b)\n"
    assert counts["scans"] >= 2
    monkeypatch.setattr(citememo, "take_scanned", real)
    _age(own, 60)
    assert _main(own, "cottey2014other") == (0, "(Cottey, 2014a)\n")
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014b)\n")


def test_a_racy_file_is_read_again_and_nothing_is_kept(own: Path, counts) -> None:
    """A file modified just before the scan: the index reads it again (from
    the same scan), and the output is kept only once a scan can vouch for it."""
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014a)\n")
    path = own / "cottey2014nato.json"
    _edit(path, _to_2015)
    os.utime(path)  # now: within a clock tick of the next scan
    counts.update(scans=0, cites=0)
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014)\n")
    assert counts["cites"] == 1
    _age(own, 60)
    counts.update(scans=0, cites=0)
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014)\n")
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014)\n")
    assert counts["cites"] == 1


def test_the_listing_gives_the_index_the_scan_it_makes(own: Path) -> None:
    """The check's listing of every entry, seen as the index's scan: the
    record files alone (not a stray file, nor a hidden one), their times and
    sizes; a temporary file of an interrupted write shows as leftovers."""
    from citeshelf.library.scan import Scan
    from citeshelf.ops.citememo import _scanned

    (own / "notes.txt").write_text("not a record", "utf-8")
    (own / ".hidden.json").write_text("{}", "utf-8")
    _age(own, 3600)
    state, listing = _scanned(own, time.time_ns())
    assert state and listing is not None
    mine, theirs = listing.scan(), Scan.of(own)
    assert (mine.names, mine.mtimes, mine.sizes) == (theirs.names, theirs.mtimes, theirs.sizes)
    assert "notes.txt" in listing.names and "notes.txt" not in mine.names
    assert not mine.leftovers
    (own / ".tmp-1234-0.json").write_text("{", "utf-8")
    _age(own, 3600)
    leftover = _scanned(own, time.time_ns())[1]
    assert leftover is not None and leftover.scan().leftovers == Scan.of(own).leftovers


@pytest.fixture
def listings(monkeypatch: pytest.MonkeyPatch) -> CountingOs:
    """Counts the listings of the records folder by the check of a kept `cite`."""
    from citeshelf.ops import citememo

    fake = CountingOs()
    monkeypatch.setattr(citememo, "os", fake)
    return fake


def _settle() -> None:
    """Wait until the folder's change time (which cannot be set back) is not
    within a clock tick of the next check."""
    from citeshelf.library.scan import RACY_NS

    time.sleep(RACY_NS / 1e9 + 0.02)


def test_a_kept_cite_stats_every_file_without_listing_the_folder(
    own: Path, counts, listings: CountingOs
) -> None:
    """While the folder's device, inode, times are those seen before the last
    check listed it, its entries are those listed then: each is statted (an
    edit in place is seen), the folder is not listed again."""
    _settle()
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014a)\n")
    assert listings.listed == 1
    kept = list((own.parent / "cache").glob("*.cite/listing.marshal"))
    assert len(kept) == 1
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014a)\n")
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014a)\n")
    assert listings.listed == 1 and counts["cites"] == 1
    # edited in place: the folder does not change, the file's time and size do
    _edit(own / "cottey2014nato.json", _to_2015)
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014)\n")
    assert listings.listed == 1 and counts["cites"] == 2


def test_a_work_added_is_seen_by_the_check_of_a_kept_cite(
    own: Path, counts, listings: CountingOs
) -> None:
    _settle()
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014a)\n")
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014a)\n")
    assert listings.listed == 1
    data = json.loads((own / "cottey2014nato.json").read_text(encoding="utf-8"))
    data.update(key="cottey2014other", title="Another work of 2014")
    (own / "cottey2014other.json").write_text(json.dumps(data, indent=2), "utf-8")
    old = time.time() - 60
    os.utime(own / "cottey2014other.json", (old, old))
    _settle()
    # by title: Another work (a), Europe (b), NATO (c)
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014b)\n")
    assert listings.listed >= 2
    # and removed again
    (own / "cottey2014other.json").unlink()
    _settle()
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014a)\n")


def test_a_kept_listing_of_another_folder_or_damaged_is_not_used(
    own: Path, counts, listings: CountingOs
) -> None:
    from citeshelf.ops import citememo

    _settle()
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014a)\n")
    (path,) = (own.parent / "cache").glob("*.cite/listing.marshal")
    listed = citememo._kept_listing(str(path), _listing_id(own))
    assert listed is not None and "cottey2014nato.json" in listed
    assert citememo._kept_listing(str(path), _listing_id(own) + "0") is None
    # a damaged one is not used either: the folder is listed again
    path.write_bytes(b"\x00garbage")
    assert citememo._kept_listing(str(path), _listing_id(own)) is None
    assert _main(own, "cottey2014europe") == (0, "(Cottey, 2014a)\n")
    assert listings.listed == 2  # listed again, and kept again
    assert citememo._kept_listing(str(path), _listing_id(own)) is not None


def _listing_id(folder: Path) -> str:
    from citeshelf.library.scan import listing_id

    return listing_id(os.stat(folder))


def test_a_kept_listing_of_an_empty_folder_or_of_the_wrong_shape(tmp_path: Path) -> None:
    import marshal

    from citeshelf.ops import citememo

    path = tmp_path / "listing.marshal"
    path.write_bytes(marshal.dumps((1, "id", "")))
    assert citememo._kept_listing(str(path), "id") == []
    path.write_bytes(marshal.dumps((1, "id", "a.json\0b.json")))
    assert citememo._kept_listing(str(path), "id") == ["a.json", "b.json"]
    for wrong in [(1, "id", ["a.json", 2]), (2, "id", "a.json"), (1, "id"), "x"]:
        path.write_bytes(marshal.dumps(wrong))
        assert citememo._kept_listing(str(path), "id") is None
