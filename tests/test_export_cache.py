"""The index's cache of exported entries: an export from kept entries has the
bytes of one written from the files, for every format and option; an edited
record, an edited book, a damaged or missing row, a new schema or new code
each make the entries concerned be written from the files again."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

import citeshelf
from citeshelf.library.outputs import Outputs
from citeshelf.library.schema import index_path
from citeshelf.ops import exporting, showmemo

from .conftest import spy_pids
from .generated import OLD_NS, age, bench_module, generated_library

HERE = Path(__file__).resolve().parent
OFF = {"CITESHELF_INDEX_DIR": "off"}
#: every record file's time, well before any export (no file is "racy")


@pytest.fixture
def gen_lib(tmp_path):
    """The benchmark's generated library of 300 records (books, their
    chapters, articles, ...), with old file times."""
    return generated_library(tmp_path / "records", 300)


def rows(lib: Path) -> list[tuple[str, str, str]]:
    con = sqlite3.connect(index_path(lib))
    try:
        return list(con.execute("SELECT key, variant, text FROM entries ORDER BY key, variant"))
    finally:
        con.close()


def sql(lib: Path, statement: str, *params: object) -> None:
    con = sqlite3.connect(index_path(lib))
    try:
        con.execute(statement, params)
        con.commit()
    finally:
        con.close()


def kept_outputs(lib: Path) -> Outputs:
    return Outputs(index_path(lib).with_suffix(".outputs"))


def outputs(lib: Path) -> list[tuple[str, int, str, bytes]]:
    """The whole outputs kept: (variant, part number, digest, text) per part."""
    return [
        (variant, n, digest, part)
        for variant, digest, parts in kept_outputs(lib).kept()
        for n, part in enumerate(parts)
    ]


def replace_outputs(lib: Path, text: str) -> None:
    """Make every kept whole output ``text`` (to see that it is written)."""
    for variant, digest, _ in kept_outputs(lib).kept():
        writer = kept_outputs(lib).writer(variant, digest)
        assert writer.add(text.encode())
        assert writer.finish()


def forget_outputs(lib: Path) -> None:
    """Drop the kept whole outputs, so that the next export reads the entries."""
    kept_outputs(lib).clear()


def chapter_and_book(lib: Path) -> tuple[str, str]:
    for p in sorted(lib.glob("*.json")):
        data = json.loads(p.read_text(encoding="utf-8"))
        if data.get("parent"):
            return data["key"], data["parent"]
    raise AssertionError("no chapter")


def same(cs, lib: Path, *args: str) -> str:
    """Export twice through the cache and once without an index: the same bytes."""
    expected = cs(lib, "export", *args, env=OFF)
    assert expected.exit_code == 0, expected.stderr
    for _ in range(2):
        r = cs(lib, "export", *args)
        assert r.exit_code == 0, r.stderr
        assert r.stdout == expected.stdout, args
    return expected.stdout


OPTIONS = [
    (),
    ("--format", "biblatex"),
    ("--ascii",),
    ("--expand",),
    ("--title-case",),
    ("--format", "biblatex", "--expand"),
    ("--format", "biblatex", "--ascii", "--title-case"),
    ("--format", "csl-json"),
    ("--format", "ris"),
    ("--query", "type:chapter"),
    ("--query", "type:chapter", "--expand"),
]


def test_an_export_from_kept_entries_has_the_bytes_of_one_from_the_files(cs, gen_lib, tmp_path):
    chapter, book = chapter_and_book(gen_lib)
    aux = tmp_path / "paper.aux"
    aux.write_text(f"\\citation{{{chapter}}}\n", encoding="utf-8")
    for args in [*OPTIONS, (chapter,), (chapter, "--format", "biblatex"), ("--cited-in", str(aux))]:
        same(cs, gen_lib, *args)
    kept = rows(gen_lib)
    n = len(list(gen_lib.glob("*.json")))
    variants = {v for _, v, _ in kept}
    # BibTeX and BibLaTeX, with and without --ascii/--expand/--title-case: one
    # variant each; and CSL-JSON's items (RIS is written from the records each time)
    assert len(variants) == 8
    for ending in (
        "|bibtex|ascii=0|title_case=0|crossref=1",
        "|csl-json|ascii=0|title_case=0|crossref=1",
    ):
        full = [v for v in variants if v.endswith(ending)]
        assert len(full) == 1 and len([k for k, v, _ in kept if v == full[0]]) == n


def test_a_kept_entry_is_what_the_next_export_writes(cs, gen_lib):
    """The cache is used: a row's text (changed behind citeshelf's back) is
    written as it is while the record's file is unchanged."""
    chapter, _book = chapter_and_book(gen_lib)
    before = same(cs, gen_lib)
    sql(gen_lib, "UPDATE entries SET text = '@misc{marked}\n' WHERE key = ?", chapter)
    forget_outputs(gen_lib)
    r = cs(gen_lib, "export")
    assert "@misc{marked}\n" in r.stdout
    assert r.stdout != before


def test_an_edited_record_is_written_again_even_at_the_same_size(cs, gen_lib):
    chapter, _book = chapter_and_book(gen_lib)
    same(cs, gen_lib)
    path = gen_lib / f"{chapter}.json"
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    old_title = data["title"]
    new_title = old_title[::-1].capitalize()
    assert len(new_title) == len(old_title) and new_title != old_title
    new = text.replace(
        json.dumps(old_title, ensure_ascii=False), json.dumps(new_title, ensure_ascii=False)
    )
    assert len(new.encode()) == len(text.encode()) and new != text
    size = path.stat().st_size
    path.write_text(new, encoding="utf-8")
    age(path, OLD_NS + 10**9)  # another time, the same size
    assert path.stat().st_size == size
    out = same(cs, gen_lib)
    assert new_title.split()[0] in out
    # and without a time of its own (e.g. restored by a tool): a racy time is never kept
    path.write_text(text, encoding="utf-8")
    assert same(cs, gen_lib) != out


def test_an_edited_book_writes_its_chapters_again(cs, gen_lib):
    chapter, book = chapter_and_book(gen_lib)
    before = same(cs, gen_lib, "--expand")
    path = gen_lib / f"{book}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["publisher"] = "Quillfeather Press"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    age(path, OLD_NS + 2 * 10**9)
    after = same(cs, gen_lib, "--expand")
    assert after != before
    # the chapter's self-contained entry carries its book's new publisher
    entry = next(e for e in after.split("\n\n") if f"{{{chapter}," in e)
    assert "Quillfeather Press" in entry
    same(cs, gen_lib)
    same(cs, gen_lib, "--format", "biblatex")


def test_a_damaged_or_missing_row_is_written_from_the_file(cs, gen_lib):
    chapter, book = chapter_and_book(gen_lib)
    expected = same(cs, gen_lib)
    sql(gen_lib, "UPDATE entries SET text = NULL WHERE key = ?", chapter)
    sql(gen_lib, "UPDATE entries SET text = x'00ff' WHERE key = ?", book)
    forget_outputs(gen_lib)
    assert cs(gen_lib, "export").stdout == expected
    sql(gen_lib, "DELETE FROM entries WHERE key IN (?, ?)", chapter, book)
    forget_outputs(gen_lib)
    assert cs(gen_lib, "export").stdout == expected
    sql(gen_lib, "UPDATE entries SET mtime_ns = mtime_ns + 1 WHERE key = ?", chapter)
    sql(gen_lib, "UPDATE entries SET text = 'stale' WHERE key = ?", chapter)
    forget_outputs(gen_lib)
    assert cs(gen_lib, "export").stdout == expected
    # a damaged kept output: cut short (as by a crash), or not an output at all
    for cut in (1, 40, 10**9):
        same(cs, gen_lib)
        (path,) = (p for p in kept_outputs(gen_lib).folder.iterdir() if p.suffix == ".out")
        data = path.read_bytes()
        path.write_bytes(data[: -min(cut, len(data) - 1)])
        assert outputs(gen_lib) == []
        assert cs(gen_lib, "export").stdout == expected
    # rows for records that are gone are dropped with them
    (gen_lib / f"{chapter}.json").unlink()
    r = cs(gen_lib, "export")
    assert r.exit_code == 0 and f"{{{chapter}," not in r.stdout
    assert chapter not in {k for k, _, _ in rows(gen_lib)}
    # an index file that is not a database at all is only a cache
    index_path(gen_lib).write_bytes(b"not a database")
    for suffix in ("-wal", "-shm"):
        Path(str(index_path(gen_lib)) + suffix).unlink(missing_ok=True)
    same(cs, gen_lib)


def test_an_index_of_another_schema_is_built_again_without_its_entries(cs, gen_lib):
    chapter, _ = chapter_and_book(gen_lib)
    expected = same(cs, gen_lib)
    sql(gen_lib, "UPDATE entries SET text = 'from the old schema'")
    replace_outputs(gen_lib, "from the old schema")
    sql(gen_lib, "PRAGMA user_version = 8")
    assert cs(gen_lib, "export").stdout == expected
    kept = rows(gen_lib)
    assert kept and all(t != "from the old schema" for _, _, t in kept)
    assert [t.decode() for _, _, _, t in outputs(gen_lib)] == [expected]


def test_entries_kept_by_other_code_are_not_used(cs, gen_lib, monkeypatch):
    expected = same(cs, gen_lib)
    sql(gen_lib, "UPDATE entries SET text = 'written by other code'")
    replace_outputs(gen_lib, "written by other code")
    (old,) = {v for v, _, _, _ in outputs(gen_lib)}
    monkeypatch.setattr(showmemo, "_STAMP", [b"other code"])
    assert cs(gen_lib, "export").stdout == expected
    kept = rows(gen_lib)
    assert kept and all(v.startswith(b"other code".hex() + "|") for _, v, _ in kept)
    # the whole output of the other code is gone, this code's kept
    (new,) = {v for v, _, _, _ in outputs(gen_lib)}
    assert new != old and new.startswith(b"other code".hex() + "|")
    # the stamp is a digest of the version and every module's size and time
    monkeypatch.setattr(showmemo, "_STAMP", [])
    real = exporting._code_stamp()
    assert real == showmemo.code_stamp().hex()
    monkeypatch.setattr(citeshelf, "__version__", "0.0.0")
    monkeypatch.setattr(showmemo, "_STAMP", [])
    assert exporting._code_stamp() != real


def test_each_change_of_code_sweeps_the_entries_of_the_code_before(cs, gen_lib, monkeypatch):
    """The table is swept when the code writing to it is not the one that
    swept it last (then not scanned again): back and forth, each time."""
    expected = same(cs, gen_lib)
    path = sorted(gen_lib.glob("*.json"))[0]
    for n, code in enumerate((b"code A", b"code B", b"code A")):
        monkeypatch.setattr(showmemo, "_STAMP", [code])
        assert cs(gen_lib, "export").stdout == expected
        kept = rows(gen_lib)
        assert kept and {v.split("|")[0] for _, v, _ in kept} == {code.hex()}
        # once swept by this code, the next command that keeps an entry (of
        # a file changed) does not sweep again
        sql(gen_lib, "INSERT INTO entries VALUES ('zz', 'left|over', 0, 0, NULL, NULL, 'x')")
        data = json.loads(path.read_text(encoding="utf-8"))
        data["note"] = f"changed {n}"
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        age(path, OLD_NS + (20 + n) * 10**9)
        expected = cs(gen_lib, "export", env=OFF).stdout
        assert f"changed {n}" in expected
        assert cs(gen_lib, "export").stdout == expected
        assert ("zz", "left|over", "x") in rows(gen_lib)
        assert any(k == path.stem and f"changed {n}" in t for k, _, t in rows(gen_lib))


def test_without_an_index_nothing_is_kept(cs, gen_lib, index_dir):
    same(cs, gen_lib)
    shutil.rmtree(index_dir)
    index_dir.mkdir()
    for _ in range(2):
        r = cs(gen_lib, "export", env=OFF)
        assert r.exit_code == 0
    assert not any(index_dir.iterdir())


def test_an_unreadable_book_stops_the_export_as_without_the_cache(cs, gen_lib):
    chapter, book = chapter_and_book(gen_lib)
    same(cs, gen_lib)
    path = gen_lib / f"{book}.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"type": "book"', '"type": 7'))
    age(path, OLD_NS + 3 * 10**9)
    off = cs(gen_lib, "export", chapter, env=OFF)
    on = cs(gen_lib, "export", chapter)
    assert off.exit_code == on.exit_code != 0
    assert on.stderr == off.stderr and on.stdout == off.stdout == ""
    # an export of everything that stops there keeps no whole output, whole or part
    forget_outputs(gen_lib)
    everything = cs(gen_lib, "export", "-o", str(gen_lib.parent / "all.bib"))
    assert everything.exit_code != 0 and not (gen_lib.parent / "all.bib").exists()
    assert outputs(gen_lib) == [] and not list(kept_outputs(gen_lib).folder.iterdir())


def test_the_first_export_of_everything_keeps_its_whole_output(cs, gen_lib):
    """Entries written from files the scan saw as they are make a whole
    output as valid as kept ones: the second export writes it as it is."""
    r = cs(gen_lib, "export")
    assert r.exit_code == 0
    assert [t.decode() for _, _, _, t in outputs(gen_lib)] == [r.stdout]
    # after a change too: the entries kept and the one written again
    chapter, _ = chapter_and_book(gen_lib)
    path = gen_lib / f"{chapter}.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"title": "', '"title": "New '))
    age(path, OLD_NS + 17 * 10**9)
    after = cs(gen_lib, "export")
    assert "New " in after.stdout
    assert [t.decode() for _, _, _, t in outputs(gen_lib)] == [after.stdout]
    replace_outputs(gen_lib, "@misc{whole}\n")
    assert cs(gen_lib, "export").stdout == "@misc{whole}\n"


def test_a_watched_export_from_the_cache_has_the_same_bytes(cs, gen_lib, tmp_path):
    import io

    from citeshelf.library import Library
    from citeshelf.ops.exporting import prepare_export, write_export

    library = Library(gen_lib)
    outs = []
    for _ in range(2):  # what each round of --watch does
        plan = prepare_export(library, fmt="biblatex")
        buf = io.StringIO()
        write_export(plan, library, buf)
        outs.append(buf.getvalue())
    assert outs[0] == outs[1] == cs(gen_lib, "export", "-f", "biblatex", env=OFF).stdout


def test_only_export_keeps_entries_and_reading_a_file_again_drops_its_rows(cs, gen_lib):
    chapter, book = chapter_and_book(gen_lib)
    assert cs(gen_lib, "list").exit_code == 0
    assert rows(gen_lib) == []
    same(cs, gen_lib)
    assert {chapter, book} <= {k for k, _, _ in rows(gen_lib)}
    # the book changes: the index reads it and re-resolves its chapters, dropping their rows
    age(gen_lib / f"{book}.json", OLD_NS + 5 * 10**9)
    assert cs(gen_lib, "list").exit_code == 0
    assert not {chapter, book} & {k for k, _, _ in rows(gen_lib)}
    same(cs, gen_lib)


def test_a_file_edited_in_place_is_written_again_even_when_only_the_folder_is_checked(
    cs, gen_lib, monkeypatch
):
    monkeypatch.setenv("CITESHELF_INDEX_CHECK", "folder")
    chapter, _ = chapter_and_book(gen_lib)
    same(cs, gen_lib)
    folder_time = gen_lib.stat().st_mtime_ns
    path = gen_lib / f"{chapter}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["note"] = "Rewritten in place"
    with open(path, "r+", encoding="utf-8") as fh:  # as some editors save: no rename
        fh.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        fh.truncate()
    age(path, OLD_NS + 7 * 10**9)
    os.utime(gen_lib, ns=(folder_time, folder_time))
    assert "Rewritten in place" in same(cs, gen_lib)


def test_the_whole_output_is_kept_and_written_again_while_no_file_changes(cs, gen_lib):
    """An export of every record keeps its text (in parts of a few hundred
    entries); the next one writes it as it is; any change to a file, a
    selection or a preamble is written from the entries again."""
    expected = same(cs, gen_lib)
    kept = outputs(gen_lib)
    assert len(kept) == 1  # 300 records: one part
    variant, part, digest, text = kept[0]
    assert part == 0 and text.decode() == expected
    assert variant.endswith("|bibtex|ascii=0|title_case=0|crossref=1")
    replace_outputs(gen_lib, "@misc{whole}\n")
    assert cs(gen_lib, "export").stdout == "@misc{whole}\n"  # it is used
    assert cs(gen_lib, "export", "-o", str(gen_lib.parent / "all.bib")).exit_code == 0
    assert (gen_lib.parent / "all.bib").read_text(encoding="utf-8") == "@misc{whole}\n"
    # never for a selection, though its variant is the same
    chapter, book = chapter_and_book(gen_lib)
    assert "@misc{whole}" not in cs(gen_lib, "export", "--query", "type:chapter").stdout
    assert "@misc{whole}" not in cs(gen_lib, "export", chapter).stdout
    # a file edited (at the same size) is the output written again
    path = gen_lib / f"{book}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["publisher"] = "Quillfeather Press"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    age(path, OLD_NS + 11 * 10**9)
    after = same(cs, gen_lib)
    assert "Quillfeather Press" in after and "@misc{whole}" not in after
    assert [t.decode() for _, _, _, t in outputs(gen_lib)] == [after]
    # a preamble added: written first, the entries after a blank line
    (gen_lib / "preamble.bib").write_text('@preamble{"\\newcommand{\\x}{y}"}\n')
    with_preamble = same(cs, gen_lib)
    assert with_preamble.startswith("@preamble") and with_preamble.endswith(after)
    (gen_lib / "preamble.bib").unlink()
    assert same(cs, gen_lib) == after


def test_no_whole_output_is_kept_while_a_file_is_racy(cs, gen_lib):
    """A file modified moments before the export may change again within the
    clock's tick: its time cannot tell, so no whole output is kept then."""
    chapter, _ = chapter_and_book(gen_lib)
    path = gen_lib / f"{chapter}.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"title": "', '"title": "New '))
    age(path, time.time_ns() + 3600 * 10**9)  # racy at every export (a clock ahead)
    expected = same(cs, gen_lib)
    assert "New " in expected
    assert outputs(gen_lib) == []
    age(path, OLD_NS + 13 * 10**9)
    assert same(cs, gen_lib) == expected
    assert [t.decode() for _, _, _, t in outputs(gen_lib)] == [expected]


def test_a_large_whole_output_is_kept_in_parts(cs, tmp_path):
    bench = bench_module()
    folder = tmp_path / "records"
    bench.write_records(bench.generate(1200), folder)
    for p in folder.iterdir():
        age(p)
    expected = same(cs, folder)
    kept = outputs(folder)
    assert [part for _, part, _, _ in kept] == [0, 1, 2]
    assert b"".join(t for _, _, _, t in kept).decode() == expected


def test_an_entry_whose_repeated_crossref_names_another_is_written_for_each_selection(cs, tmp_path):
    """A repeated crossref is written again only while its entry is
    exported too: such an entry depends on the selection and is not kept
    (a whole output still is)."""
    from .test_bibtex import _REPEATED_LINKS

    lib = tmp_path / "records"
    assert cs(lib, "init", str(lib)).exit_code == 0
    bib = tmp_path / "links.bib"
    bib.write_text(_REPEATED_LINKS, encoding="utf-8")
    assert cs(lib, "import", str(bib)).exit_code == 0
    for p in lib.glob("*.json"):
        age(p)
    whole = same(cs, lib, "--format", "biblatex")
    assert "crossref = {bk},\n  crossref = {bk2}," in whole
    assert [t.decode() for _, _, _, t in outputs(lib)] == [whole]
    assert {k for k, _, _ in rows(lib)} == {"bk", "bk2"}  # ch and ch2 depend on the selection
    some = same(cs, lib, "--format", "biblatex", "ch", "ch2")
    assert "crossref = {bk}," in some and "xref = {bk}," in some and "bk2" not in some
    again = same(cs, lib, "--format", "biblatex", "ch", "ch2", "bk2")
    assert "crossref = {bk},\n  crossref = {bk2}," in again


def test_worker_processes_write_the_same_entries(cs, gen_lib, monkeypatch, tmp_path):
    """A large export's entries not kept are written by forked workers
    (citeshelf.ops.forked): the same bytes for every option, the same
    entries kept, and an unreadable record still stops it."""
    from citeshelf.ops import forked

    pids = spy_pids(monkeypatch, exporting._Entries, "make", tmp_path / "pids")
    monkeypatch.setattr(forked, "PARALLEL_MIN", 100)
    monkeypatch.setattr(forked, "FORK_AT", 10)
    monkeypatch.setattr(exporting, "_BATCH", 50)  # parts asked ahead of the one written
    for args in OPTIONS:
        same(cs, gen_lib, *args)
    # (a few entries asked before any worker was forked are written here)
    assert len(pids.workers()) >= 2
    kept = rows(gen_lib)
    # the same entries as this process keeps
    sql(gen_lib, "DELETE FROM entries")
    forget_outputs(gen_lib)
    monkeypatch.setattr(forked, "PARALLEL_MIN", 10**9)
    pids.forget()
    for args in OPTIONS:
        same(cs, gen_lib, *args)
    assert pids.only_here()
    assert rows(gen_lib) == kept
    # a record unreadable: nothing exported, as without workers
    monkeypatch.setattr(forked, "PARALLEL_MIN", 100)
    sql(gen_lib, "DELETE FROM entries")
    forget_outputs(gen_lib)
    path = sorted(gen_lib.glob("*.json"))[250]
    path.write_text("{ not json", encoding="utf-8")
    age(path, OLD_NS + 19 * 10**9)
    off = cs(gen_lib, "export", "-o", str(tmp_path / "off.bib"), env=OFF)
    on = cs(gen_lib, "export", "-o", str(tmp_path / "on.bib"))
    assert off.exit_code == on.exit_code != 0 and on.stderr == off.stderr.replace(
        "off.bib", "on.bib"
    )
    assert not (tmp_path / "on.bib").exists()


def test_a_csl_json_item_is_made_again_when_its_book_changes(cs, gen_lib):
    """A chapter's CSL-JSON item holds its book's data (container-title,
    editors, publisher): kept, it is made again when the book's file changes;
    the other items are written as kept."""
    chapter, book = chapter_and_book(gen_lib)
    same(cs, gen_lib, "--format", "csl-json")
    # a mark in every kept item shows which are written as kept
    sql(
        gen_lib,
        """UPDATE entries SET text = '{"note": "KEPT",' || substr(text, 2)"""
        " WHERE variant LIKE '%|csl-json|%'",
    )
    path = gen_lib / f"{book}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["publisher"] = "A publisher named in place"
    with open(path, "r+", encoding="utf-8") as fh:  # in place: the folder's time stays
        fh.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        fh.truncate()
    age(path, OLD_NS + 31 * 10**9)
    r = cs(gen_lib, "export", "--format", "csl-json")
    assert r.exit_code == 0, r.stderr
    items = json.loads(r.stdout)
    of_book = {
        p.stem
        for p in gen_lib.glob("*.json")
        if json.loads(p.read_text(encoding="utf-8")).get("parent") == book
    }
    assert chapter in of_book
    for item in items:
        if item["id"] == book or item["id"] in of_book:
            assert item.get("note") != "KEPT" and item["publisher"] == "A publisher named in place"
        else:
            assert item["note"] == "KEPT", item["id"]
    # without the marks: the bytes of an export made from the files
    sql(gen_lib, "DELETE FROM entries")
    forget_outputs(gen_lib)
    same(cs, gen_lib, "--format", "csl-json")
