"""The reference list of a whole library kept in the index: printed again as
it is while no record file changes, the same bytes as one made from the
files in every form; an edit, a selection, a warning or a racy file each
make it be made from the files again."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from citeshelf.library.outputs import Outputs
from citeshelf.library.schema import index_path

from .conftest import spy_pids
from .generated import OLD_NS, age, generated_library

HERE = Path(__file__).resolve().parent
OFF = {"CITESHELF_INDEX_DIR": "off"}


@pytest.fixture
def gen_lib(tmp_path):
    return generated_library(tmp_path / "records", 700)


def outputs(lib: Path) -> Outputs:
    return Outputs(index_path(lib).with_suffix(".outputs"))


def kept(lib: Path) -> list[tuple[str, int, str]]:
    """The kept reference lists' parts: (variant, part number, digest)."""
    return [
        (variant, n, digest)
        for variant, digest, parts in outputs(lib).kept()
        if "|bibliography|" in variant
        for n in range(len(parts))
    ]


def mark(lib: Path, text: str) -> None:
    """Put ``text`` in every kept entry (to see that the kept list is printed)."""
    for variant, digest, parts in outputs(lib).kept():
        if "|bibliography|" not in variant:
            continue
        writer = outputs(lib).writer(variant, digest)
        for blob in parts:
            data = json.loads(blob)
            if isinstance(data, list):
                blob = json.dumps([[row[0], *(text for _ in row[1:])] for row in data]).encode()
            assert writer.add(blob)
        assert writer.finish()


def same(cs, lib: Path, *args: str) -> str:
    expected = cs(lib, "bibliography", *args, env=OFF)
    assert expected.exit_code == 0, expected.stderr
    for _ in range(2):
        r = cs(lib, "bibliography", *args)
        assert r.exit_code == 0, r.stderr
        assert r.stdout == expected.stdout, args
        assert r.stderr == expected.stderr
    return expected.stdout


FORMS = [
    ("--format", "text"),
    ("--format", "markdown"),
    ("--format", "html"),
    ("--json",),
    ("-s", "chicago-notes", "--edition", "17"),
    ("-s", "chicago-author-date", "--format", "markdown"),
]


def test_a_kept_list_has_the_bytes_of_one_made_from_the_files(cs, gen_lib):
    for args in FORMS:
        same(cs, gen_lib, *args)
    variants = {v.split("|", 1)[1] for v, _, _ in kept(gen_lib)}
    assert variants == {
        "bibliography|apa|7|text",
        "bibliography|apa|7|markdown",
        "bibliography|apa|7|html",
        "bibliography|apa|7|html,text",
        "bibliography|chicago-notes|17|text",
        "bibliography|chicago-author-date|18|markdown",
    }
    # 700 entries: two parts each
    assert sorted({p for _, p, _ in kept(gen_lib)}) == [0, 1]


def test_the_kept_list_is_printed_until_a_file_changes(cs, gen_lib):
    before = same(cs, gen_lib, "--format", "text")
    mark(gen_lib, "MARKED")
    r = cs(gen_lib, "bibliography", "--format", "text")
    assert r.stdout == "MARKED\n" * 700  # it is used
    # never for a selection or keys
    key = sorted(p.stem for p in gen_lib.glob("*.json"))[0]
    assert "MARKED" not in cs(gen_lib, "bibliography", "--format", "text", key).stdout
    assert "MARKED" not in cs(gen_lib, "bibliography", "--format", "text", "-q", "year:2014").stdout
    # a record edited in place at the same size and another time: made again
    path = gen_lib / f"{key}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    old = data["title"]
    new = old[::-1].capitalize()
    text = path.read_text(encoding="utf-8")
    changed = text.replace(json.dumps(old, ensure_ascii=False), json.dumps(new, ensure_ascii=False))
    assert len(changed.encode()) == len(text.encode())
    with open(path, "r+", encoding="utf-8") as fh:
        fh.write(changed)
    age(path, OLD_NS + 10**9)
    after = same(cs, gen_lib, "--format", "text")
    assert "MARKED" not in after and after != before and new.split()[0] in after


def test_a_list_is_kept_with_its_warnings_and_none_with_a_racy_file(cs, gen_lib):
    keys = sorted(p.stem for p in gen_lib.glob("*.json"))
    bad = gen_lib / f"{keys[1]}.json"
    bad.write_text("{ not json", encoding="utf-8")
    age(bad, OLD_NS + 2 * 10**9)
    # a Title Case title: APA's list warns about it
    titled = gen_lib / f"{keys[3]}.json"
    data = json.loads(titled.read_text(encoding="utf-8"))
    data["title"] = "The Politics Of European Security Cooperation"
    titled.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    age(titled, OLD_NS + 2 * 10**9)
    made = cs(gen_lib, "bibliography", "--format", "text", env=OFF)
    assert "skipped an unreadable record file" in made.stderr
    assert "Title Case" in made.stderr and keys[3] in made.stderr
    same(cs, gen_lib, "--format", "text")  # the same output and warnings, kept or not
    assert kept(gen_lib)
    mark(gen_lib, "MARKED")
    r = cs(gen_lib, "bibliography", "--format", "text")
    assert r.stdout == "MARKED\n" * 699  # the kept list is printed (one file unreadable)
    assert r.stderr == made.stderr
    bad.unlink()
    before = {digest for *_, digest in kept(gen_lib)}
    racy = gen_lib / f"{keys[2]}.json"
    age(racy, time.time_ns() + 3600 * 10**9)  # a clock ahead: racy at every scan
    same(cs, gen_lib, "--format", "text")
    assert {digest for *_, digest in kept(gen_lib)} == before  # no list kept for it
    age(racy, OLD_NS + 3 * 10**9)
    same(cs, gen_lib, "--format", "text")
    assert {digest for *_, digest in kept(gen_lib)} - before


def test_an_empty_library_keeps_nothing(cs, tmp_path):
    folder = tmp_path / "records"
    folder.mkdir()
    for _ in range(2):
        r = cs(folder, "bibliography", "--format", "text")
        assert r.exit_code == 0
    assert not kept(folder)


def test_worker_processes_make_the_same_list_warnings_and_kept_entries(
    cs, gen_lib, monkeypatch, tmp_path
):
    """A large list's records are read and formatted by forked workers
    (citeshelf.ops.forked), in both passes (the sort data and plain entries,
    then the entries with a year letter): the same bytes, the same warnings
    in the same order (an unreadable file, Title Case titles, a chapter
    without its book) and the same entries kept as when this process makes
    them."""

    from citeshelf.ops import bibliomemo, citing, forked

    keys = sorted(p.stem for p in gen_lib.glob("*.json"))
    (gen_lib / f"{keys[5]}.json").write_text("{ not json", encoding="utf-8")
    for n in (3, 400, 650):  # Title Case titles, early and late in the list
        path = gen_lib / f"{keys[n]}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data["title"] = "The Politics Of European Security Cooperation"
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    chapter = next(
        p for p in sorted(gen_lib.glob("*.json"))[300:] if '"parent"' in p.read_text("utf-8")
    )
    data = json.loads(chapter.read_text(encoding="utf-8"))
    data["parent"] = "nosuchbook2014"
    chapter.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    # a second work of an author in the same year: year letters (1961a, 1961b)
    twin = json.loads((gen_lib / f"{keys[20]}.json").read_text(encoding="utf-8"))
    twin["key"] = keys[20] + "bis"
    twin["title"] = "Another work of that year"
    twin.pop("doi", None)
    (gen_lib / f"{twin['key']}.json").write_text(
        json.dumps(twin, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    for p in gen_lib.glob("*.json"):
        age(p)
    made = cs(gen_lib, "bibliography", "--format", "text", env=OFF)
    assert "Title Case" in made.stderr and "nosuchbook2014" in made.stderr
    assert "skipped an unreadable record file" in made.stderr

    # the processes that made rows, and entries
    pids = spy_pids(monkeypatch, bibliomemo._Rows, "make", tmp_path / "pids")
    letters = spy_pids(monkeypatch, citing._Planned, "_forms", tmp_path / "letters")
    monkeypatch.setattr(forked, "PARALLEL_MIN", 100)
    monkeypatch.setattr(forked, "FORK_AT", 1)
    for args in FORMS:
        same(cs, gen_lib, *args)
    # (a few rows asked before any worker was forked are made here)
    assert len(pids.workers()) >= 2
    # entries with year letters (two works of an author in a year) were made there too
    assert re.search(r"\(\d{4}b\)", made.stdout)
    assert letters.workers()
    entries_parallel = entry_rows(gen_lib)
    # the same entries kept when this process makes every row
    Outputs(index_path(gen_lib).with_suffix(".outputs")).clear()
    forget_entries(gen_lib)
    monkeypatch.setattr(forked, "PARALLEL_MIN", 10**9)
    pids.forget()
    for args in FORMS:
        same(cs, gen_lib, *args)
    assert pids.only_here()
    assert entry_rows(gen_lib) == entries_parallel


def entry_rows(lib: Path) -> list[tuple[str, str, int, int, str]]:
    import sqlite3

    con = sqlite3.connect(index_path(lib))
    try:
        return list(
            con.execute(
                "SELECT key, variant, mtime_ns, size, text FROM entries ORDER BY key, variant"
            )
        )
    finally:
        con.close()


def forget_entries(lib: Path) -> None:
    import sqlite3

    con = sqlite3.connect(index_path(lib))
    try:
        con.execute("DELETE FROM entries")
        con.commit()
    finally:
        con.close()


@pytest.mark.parametrize("when", ["read", "kept"])
def test_a_file_edited_while_the_list_is_made_is_in_the_next_list(cs, gen_lib, when):
    """No second scan ends a list: one kept while a file changed under it is
    kept under the digest of the scan it began with, which the file's new time
    no longer gives; the next list is made again, with the edit. ``read``: no
    entry was kept yet (every file is read); ``kept``: the entries were."""
    from citeshelf.library import Library
    from citeshelf.ops.citing import bibliography

    if when == "kept":
        same(cs, gen_lib, "--format", "text")
        # a new file: the kept list is not used, the kept entries are
        extra = gen_lib / "zzz2001new.json"
        extra.write_text(
            json.dumps({"key": "zzz2001new", "type": "book", "title": "A new book"}) + "\n",
            encoding="utf-8",
        )
        age(extra)
    keys = sorted(p.stem for p in gen_lib.glob("*.json"))
    first, last = gen_lib / f"{keys[0]}.json", gen_lib / f"{keys[-1]}.json"
    made = bibliography(Library(gen_lib), style="apa", forms=("text",))
    items = iter(made.items)
    next(items)  # the list is under way
    for path in (first, last):  # one already in the list, one to come
        data = json.loads(path.read_text(encoding="utf-8"))
        data["title"] = "Edited while the list was made " + path.stem
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        age(path, OLD_NS + 5 * 10**9)
    assert len(list(items)) == len(keys) - 1
    after = same(cs, gen_lib, "--format", "text")
    assert after.count("Edited while the list was made") == 2
