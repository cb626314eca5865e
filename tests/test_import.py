"""citeshelf import: all or nothing, duplicates, parents, formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citeshelf import exitcodes
from citeshelf.library import Library

from .conftest import snapshot

HERE = Path(__file__).resolve().parent
BIB = HERE / "fixtures" / "bib"


def keys_of(lib: Path) -> list[str]:
    return sorted(p.stem for p in lib.glob("*.json"))


def test_import_a_bib_file(cs, empty_lib):
    r = cs(empty_lib, "import", str(BIB / "accents.bib"))
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "imported 3, skipped as duplicate 0, skipped as invalid 0\n"
    assert r.stderr == ""
    assert keys_of(empty_lib) == ["francois2010cafe", "muller2019uber", "ww2001organisation"]
    rec = Library(empty_lib).get("muller2019uber")
    assert rec.title == "Über die NATO und Europa: Straßen, Brücken – und <i>mehr</i>"
    assert rec.added is not None


def test_an_invalid_entry_means_nothing_is_written(cs, empty_lib):
    before = snapshot(empty_lib)
    src = BIB / "messy.bib"
    r = cs(empty_lib, "import", str(src))
    assert r.exit_code == exitcodes.INVALID_DATA
    assert snapshot(empty_lib) == before
    err = r.stderr.splitlines()
    assert (
        f"  {src}:24: entry 'broken1': syntax error: Unexpected block start: `@book`. Was still looking for field-value closing `}}`"
        in err
    )
    assert (
        f"citeshelf: warning: {src}:36: entry 'good2001after': the key is already used by the "
        "entry on line 30: this one imported as 'good2001aftera' (BibTeX skips it)" in err
    )
    assert (
        f"  {src}:50: entry 'orphan2004': crossref 'nowhere' is neither in the import nor in the library: import the book too, or add a booktitle"
        in err
    )
    assert err[-1] == (
        "citeshelf: error: 2 invalid entries (listed above); nothing was imported: fix them, or "
        "import the rest with --skip-invalid"
    )
    assert (
        f"citeshelf: warning: {src}:11: entry 'knuth1984literate': field 'title' is repeated: the record holds the first value, as BibTeX reads it (biber reads the last); exports write 'A second title that BibTeX ignores' again after it"
        in err
    )


def test_skip_invalid_imports_the_rest(cs, empty_lib):
    r = cs(empty_lib, "import", str(BIB / "messy.bib"), "--skip-invalid")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "imported 5, skipped as duplicate 0, skipped as invalid 2\n"
    assert "citeshelf: warning: skipping 2 invalid entries:" in r.stderr
    assert keys_of(empty_lib) == [
        "baddoi2003",
        "beeton1990later",
        "good2001after",
        "good2001aftera",  # the entry after it under its key (BibTeX skips it)
        "knuth1984literate",
    ]


def test_dry_run_writes_nothing(cs, empty_lib):
    before = snapshot(empty_lib)
    r = cs(empty_lib, "import", str(BIB / "crossref.bib"), "--dry-run")
    assert r.exit_code == 0
    assert (
        r.stdout
        == "dry run, nothing written: would have imported 6, skipped as duplicate 0, skipped as invalid 0\n"
    )
    assert snapshot(empty_lib) == before


def test_duplicates_are_skipped_and_reported_by_default(cs, handbook_lib):
    before = snapshot(handbook_lib)
    src = BIB / "crossref.bib"
    r = cs(handbook_lib, "import", str(src))
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "imported 3, skipped as duplicate 3, skipped as invalid 0\n"
    assert r.stderr.splitlines() == [
        f"citeshelf: warning: {src}:3: 'aris2014collective' skipped: duplicates 'aris2014collective' (same key)",
        f"citeshelf: warning: {src}:10: 'galbreath2014organization' skipped: duplicates 'galbreath2014organization' (same key)",
        f"citeshelf: warning: {src}:25: 'sperling2014handbook' skipped: duplicates 'sperling2014handbook' (same key)",
    ]
    for key in before:
        assert (handbook_lib / key).read_bytes() == before[key]


def test_duplicate_by_doi_isbn_and_title(cs, handbook_lib, tmp_path):
    f = tmp_path / "dups.bib"
    f.write_text(
        "@book{handbook, title={Handbook of Governance and Security}, editor={Sperling, James},"
        " isbn={9781781953174}, year=2014}\n"
        "@incollection{aris-again, author={Aris, Stephen}, title={Collective security treaty organization},"
        " booktitle={Handbook}, year={2014}}\n",
        encoding="utf-8",
    )
    r = cs(handbook_lib, "import", str(f), "--json")
    data = json.loads(r.stdout)
    assert data["imported"] == ["aris-again"]
    assert [(d["key"], d["existing"], d["reason"]) for d in data["duplicates"]] == [
        ("handbook", "sperling2014handbook", "same ISBN 9781781953174"),
    ]


def test_on_duplicate_rename_update_error(cs, handbook_lib):
    src = BIB / "crossref.bib"
    r = cs(handbook_lib, "import", str(src), "--on-duplicate", "error")
    assert r.exit_code == exitcodes.CONFLICT
    assert "3 entries duplicate existing records (listed above); nothing was imported" in r.stderr
    assert not (handbook_lib / "proc2020.json").exists()

    r = cs(handbook_lib, "import", str(src), "--on-duplicate", "update")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "imported 3, updated 3, skipped as duplicate 0, skipped as invalid 0\n"
    lib = Library(handbook_lib)
    book = lib.get("sperling2014handbook")
    assert book.title == "Handbook of Governance and Security"  # as in the file
    assert book.added.isoformat() == "2026-11-28T00:00:00+00:00"  # kept
    assert book.modified is not None
    assert lib.get("aris2014collective").parent == "sperling2014handbook"


def test_on_duplicate_rename_keeps_links_inside_the_import(cs, handbook_lib):
    r = cs(handbook_lib, "import", str(BIB / "crossref.bib"), "--on-duplicate", "rename")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "imported 6, skipped as duplicate 0, skipped as invalid 0\n"
    assert (
        "citeshelf: warning: 'sperling2014handbook' imported as 'sperling2014handbooka' (the key was taken)"
        in r.stderr
    )
    lib = Library(handbook_lib)
    assert lib.get("aris2014collectivea").parent == "sperling2014handbooka"


def test_link_parents_finds_or_creates_the_book(cs, handbook_lib):
    r = cs(handbook_lib, "import", str(BIB / "nocrossref.bib"), "--link-parents")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == (
        "imported 3, skipped as duplicate 0, skipped as invalid 0 "
        "(books created for chapters: editor2010different)\n"
    )
    lib = Library(handbook_lib)
    one = lib.get("one2014first")
    assert one.parent == "sperling2014handbook"
    assert one.container_title == "Handbook of Governance and Security"  # kept as the entry gave it
    three = lib.get("three2010elsewhere")
    assert three.parent == "editor2010different"
    book = lib.get("editor2010different")
    assert (book.type, book.title, book.publisher, book.isbn) == (
        "book",
        "A different collection",
        "Polity",
        ["978-0-306-40615-7"],  # as the entry wrote it
    )
    assert book.editors[0].family == "Editor"
    # the chapter takes what it repeated from the book it is now linked to
    assert (three.publisher, three.editors, three.isbn, three.container_title) == (
        None,
        [],
        [],
        None,
    )


def test_without_link_parents_chapters_keep_their_book_fields(cs, empty_lib):
    r = cs(empty_lib, "import", str(BIB / "nocrossref.bib"))
    assert r.exit_code == 0
    one = Library(empty_lib).get("one2014first")
    assert (one.parent, one.container_title) == (None, "Handbook of Governance and Security")


def test_import_csl_json(cs, empty_lib):
    r = cs(empty_lib, "import", str(HERE / "golden" / "items.json"))
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "imported 168, skipped as duplicate 0, skipped as invalid 0\n"


def test_import_ris(cs, handbook_lib, tmp_path):
    ris = tmp_path / "hb.ris"
    r = cs(handbook_lib, "export", "--format", "ris", "-o", str(ris))
    other = tmp_path / "other"
    other.mkdir()
    r = cs(other, "import", str(ris))
    assert r.exit_code == 0, r.stderr
    assert keys_of(other) == keys_of(handbook_lib)
    ch = Library(other).get("galbreath2014organization")
    assert (
        str(ch.pages) == "656–670" and ch.container_title == "Handbook of governance and security"
    )


def test_import_then_export_gives_the_same_entries(cs, empty_lib, tmp_path):
    src = BIB / "biblatex.bib"
    assert cs(empty_lib, "import", str(src)).exit_code == 0
    out = tmp_path / "out.bib"
    assert cs(empty_lib, "export", "--format", "biblatex", "-o", str(out)).exit_code == 0
    from citeshelf.formats.bibtex import load_bibtex

    first = {r.key: r for r in load_bibtex(src).records}
    again = {r.key: r.model_copy(update={"added": None}) for r in load_bibtex(out).records}
    assert again == first


def test_unknown_format_and_missing_file(cs, empty_lib, tmp_path):
    odd = tmp_path / "refs.xyz"
    odd.write_text("hello", encoding="utf-8")
    r = cs(empty_lib, "import", str(odd))
    assert r.exit_code == exitcodes.USAGE
    assert "cannot tell the format: give --format bibtex|csl-json|ris" in r.stderr
    r = cs(empty_lib, "import", str(tmp_path / "nope.bib"))
    assert r.exit_code == exitcodes.NOT_FOUND


def test_a_file_that_is_not_text_is_refused_and_nothing_is_written(cs, empty_lib, tmp_path):
    before = snapshot(empty_lib)
    binary = tmp_path / "refs.bib"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)
    r = cs(empty_lib, "import", str(binary))
    assert r.exit_code == exitcodes.INVALID_DATA
    assert r.stderr == (
        f"citeshelf: error: {binary}: not a text file (a NUL byte at byte 7):"
        " a .bib file is UTF-8 or Latin-1 text\n"
    )
    assert snapshot(empty_lib) == before
    # UTF-16 (a byte order mark, then NUL bytes) is told apart, with the fix
    utf16 = tmp_path / "win.bib"
    utf16.write_bytes("@book{a, title = {T}}\n".encode("utf-16"))
    r = cs(empty_lib, "import", str(utf16))
    assert r.exit_code == exitcodes.INVALID_DATA
    assert r.stderr == (
        f"citeshelf: error: {utf16}: UTF-16 text: save it as UTF-8"
        " (iconv -f UTF-16 -t UTF-8 win.bib > win-utf8.bib)\n"
    )
    # a NUL byte further on, after entries that read: nothing written either
    late = tmp_path / "late.bib"
    late.write_bytes(b"@book{a, title = {T}}\n" * 3 + b"\x00")
    r = cs(empty_lib, "import", str(late))
    assert r.exit_code == exitcodes.INVALID_DATA and "NUL byte at byte 66" in r.stderr
    assert snapshot(empty_lib) == before


def test_a_bib_file_without_entries_is_read_with_a_warning(cs, empty_lib, tmp_path):
    for text in ("", "notes, not entries\n", "@comment{jabref-meta: databaseType:bibtex;}\n"):
        bib = tmp_path / "none.bib"
        bib.write_text(text, encoding="utf-8")
        r = cs(empty_lib, "import", str(bib))
        assert r.exit_code == 0
        assert r.stdout == "imported 0, skipped as duplicate 0, skipped as invalid 0\n"
        assert r.stderr == (
            f"citeshelf: warning: {bib}: no BibTeX entries here"
            " (an entry starts with @type{key, ...)\n"
        )
    # macros alone are no surprise
    bib.write_text('@string{nato = "North Atlantic Treaty Organization"}\n', encoding="utf-8")
    r = cs(empty_lib, "import", str(bib))
    assert r.exit_code == 0 and r.stderr == ""
    assert keys_of(empty_lib) == []
    # an entry without a key is an entry: imported under a key made for it, not this warning
    bib.write_text("@book{, title = {Treaties}}\n", encoding="utf-8")
    r = cs(empty_lib, "import", str(bib))
    assert r.exit_code == 0
    assert "no BibTeX entries" not in r.stderr
    assert "@book entry without a key: imported as 'anonndtreaties'" in r.stderr


def test_help_teaches(cs):
    r = cs(None, "import", "--help")
    assert "citeshelf import refs.bib --dry-run" in r.stdout


def test_csl_items_without_ids_get_keys_and_are_not_duplicates_of_each_other(
    cs, empty_lib, tmp_path
):
    f = tmp_path / "noid.json"
    f.write_text(
        json.dumps(
            [
                {
                    "type": "book",
                    "title": "Alpha",
                    "author": [{"family": "Smith"}],
                    "issued": {"date-parts": [[2020]]},
                },
                {
                    "type": "book",
                    "title": "Alpha again",
                    "author": [{"family": "Smith"}],
                    "issued": {"date-parts": [[2020]]},
                },
                {
                    "id": "http://zotero.org/x/1",
                    "type": "article-journal",
                    "title": "Beta",
                    "author": [{"family": "Jones"}],
                },
            ]
        ),
        encoding="utf-8",
    )
    r = cs(empty_lib, "import", str(f))
    assert r.stdout == "imported 3, skipped as duplicate 0, skipped as invalid 0\n"
    assert keys_of(empty_lib) == ["jonesndbeta", "smith2020alpha", "smith2020alpha-1"]
    assert Library(empty_lib).get("jonesndbeta").extra["csl_id"] == "http://zotero.org/x/1"
    # a made-up key that is taken is not a duplicate: the next free key is used
    (tmp_path / "one.json").write_text(
        json.dumps(
            [
                {
                    "type": "book",
                    "title": "Alpha",
                    "author": [{"family": "Smith"}],
                    "issued": {"date-parts": [[2021]]},
                },
            ]
        ),
        encoding="utf-8",
    )
    (empty_lib / "smith2021alpha.json").write_text(
        '{"type": "book", "key": "smith2021alpha", "title": "Something else"}\n', encoding="utf-8"
    )
    r = cs(empty_lib, "import", str(tmp_path / "one.json"))
    assert r.stdout == "imported 1, skipped as duplicate 0, skipped as invalid 0\n"
    assert "smith2021alphaa" in keys_of(empty_lib)


def test_a_write_failure_writes_nothing(cs, handbook_lib, monkeypatch):
    # since imports commit through the store's journal, a failure while
    # writing leaves the library as it was (it used to be partly written)
    from .conftest import snapshot

    before = snapshot(handbook_lib)
    calls = []

    def failing_stage(self, record, **kwargs):
        calls.append(record.key)
        if len(calls) == 6:  # the new records are staged; this is an update
            raise OSError(28, "No space left on device")
        return original(self, record, **kwargs)

    original = Library.stage
    monkeypatch.setattr(Library, "stage", failing_stage)
    from click.testing import CliRunner

    from citeshelf.cli.main import cli

    r = CliRunner().invoke(
        cli,
        [
            "--library",
            str(handbook_lib),
            "import",
            str(BIB / "crossref.bib"),
            "--on-duplicate",
            "update",
        ],
    )
    assert r.exit_code == exitcodes.ERROR
    assert "import stopped: [Errno 28] No space left on device; nothing was imported\n" in r.output
    assert snapshot(handbook_lib) == before


@pytest.mark.parametrize("failing", [1, 3])
def test_a_staged_file_the_writing_thread_cannot_write_stops_the_import(
    cs, handbook_lib, monkeypatch, failing
):
    """Staged files are written by a thread of the store's while the next
    entries are read: a write that fails there (the disk full at the first
    file or the last) stops the import with that error, and leaves the
    library as it was, with no staged file behind."""
    import os

    from citeshelf.library import store as store_module
    from citeshelf.library.safeio import STAGING_PREFIX

    before = snapshot(handbook_lib)
    real_open = os.open
    staged = []

    def open_(path, flags, *args, **kwargs):
        if STAGING_PREFIX in str(path) and flags & os.O_CREAT:
            staged.append(path)
            if len(staged) == failing:
                raise OSError(28, "No space left on device")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(store_module.os, "open", open_)
    r = cs(handbook_lib, "import", str(BIB / "crossref.bib"))
    monkeypatch.setattr(store_module.os, "open", real_open)
    assert r.exit_code == exitcodes.ERROR
    assert r.output.endswith(
        "import stopped: [Errno 28] No space left on device; nothing was imported\n"
    )
    assert len(staged) >= failing
    assert snapshot(handbook_lib) == before
    assert not [p for p in handbook_lib.iterdir() if p.name.startswith(STAGING_PREFIX)]


def test_json_lists_invalid_entries_even_when_nothing_is_imported(cs, empty_lib):
    r = cs(empty_lib, "import", str(BIB / "messy.bib"), "--json")
    assert r.exit_code == exitcodes.INVALID_DATA
    data = json.loads(r.stdout)
    assert data["imported"] == []
    assert [(i["line"], i["key"]) for i in data["invalid"]] == [
        (24, "broken1"),
        (50, "orphan2004"),
    ]
    assert len(data["warnings"]) == 6


def test_update_keeps_the_fields_only_the_record_has(cs, empty_lib, tmp_path) -> None:
    import json

    cs(
        empty_lib,
        "add",
        "book",
        "--title",
        "Handbook of x",
        "--editor",
        "Doe, Jane",
        "--year",
        "2014",
        "--publisher",
        "P",
        "--place",
        "Q",
        "--doi",
        "10.1000/abc",
        "--tag",
        "to read",
        "--field",
        "note=my note",
    )
    bib = tmp_path / "u.bib"
    bib.write_text(
        "@book{other, title={Handbook of x, second thoughts}, editor={Doe, Jane}, year={2014},"
        " doi={10.1000/ABC}, keywords={k1}}\n",
        encoding="utf-8",
    )
    r = cs(empty_lib, "import", str(bib), "--on-duplicate", "update")
    assert r.exit_code == 0, r.stderr
    data = json.loads((empty_lib / "doe2014handbook.json").read_text(encoding="utf-8"))
    assert data["title"] == "Handbook of x, second thoughts"  # the entry's value wins
    assert (data["publisher"], data["place"], data["note"], data["tags"]) == (
        "P",
        "Q",
        "my note",
        ["to read"],
    )
    assert data["keywords"] == ["k1"] and data["key"] == "doe2014handbook"


def test_ris_reference_without_end_line_is_reported_not_lost(cs, empty_lib, tmp_path) -> None:
    ris = tmp_path / "two.ris"
    ris.write_text(
        "TY  - JOUR\nTI  - First\nPY  - 2000\nER  - \nTY  - JOUR\nTI  - Second\nPY  - 2001\n",
        encoding="utf-8",
    )
    r = cs(empty_lib, "import", str(ris))
    assert r.exit_code == 4
    assert f"  {ris}:5: this reference has no end line ('ER  -'): add one\n" in r.stderr
    assert list(empty_lib.iterdir()) == []
    junk = tmp_path / "junk.ris"
    junk.write_text("garbage\n", encoding="utf-8")
    r = cs(empty_lib, "import", str(junk))
    assert r.exit_code == 4 and "no RIS reference here" in r.stderr


def test_bibtex_year_that_is_not_a_year_is_kept_with_a_warning(cs, empty_lib, tmp_path) -> None:
    import json

    bib = tmp_path / "y.bib"
    bib.write_text("@book{a, title={T}, year={[2014]}, publisher={P}}\n", encoding="utf-8")
    r = cs(empty_lib, "import", str(bib))
    assert r.exit_code == 0
    assert (
        f"{bib}:1: entry 'a': field 'year': '[2014]' is not a year (YYYY); kept as written, "
        "as a literal date" in r.stderr
    )
    data = json.loads((empty_lib / "a.json").read_text(encoding="utf-8"))
    assert data["issued"] == {"literal": "[2014]"} and "extra" not in data


def test_a_book_made_from_a_chapters_booktitle_takes_its_braces_and_quotes(
    cs, empty_lib: Path, tmp_path: Path
) -> None:
    """--link-parents makes the book from the chapter's booktitle: the notes on
    how that title was written (its braced phrases, its TeX quotes) move with
    it, so the book's title is exported as the source wrote it, and the
    chapter keeps no note on a field it no longer has."""
    bib = tmp_path / "lp.bib"
    bib.write_text(
        "@incollection{aris2014,\n  author = {Aris, Stephen},\n"
        "  title = {Collective Security Treaty Organization},\n"
        "  booktitle = {``Handbook'' of Governance and {NATO} Security},\n"
        "  editor = {Sperling, James},\n  publisher = {Edward Elgar},\n  year = {2014},\n}\n",
        encoding="utf-8",
    )
    r = cs(empty_lib, "import", str(bib), "--link-parents")
    assert r.exit_code == 0, r.stderr
    book = json.loads((empty_lib / "sperling2014handbook.json").read_text(encoding="utf-8"))
    assert book["title"] == "<q>Handbook</q> of Governance and NATO Security"
    assert book["extra"] == {
        "protect": {"title": ["NATO"]},
        "latex_markup": {"title": {"q": ["``"]}},
    }
    chapter = json.loads((empty_lib / "aris2014.json").read_text(encoding="utf-8"))
    assert "container_title" not in chapter
    assert "latex_markup" not in chapter.get("extra", {})
    out = cs(empty_lib, "export", "--format", "biblatex").stdout
    assert "  title = {``Handbook'' of Governance and {NATO} Security},\n" in out
