"""The core commands as a user runs them: init, add, show, list, chapters, edit, rm."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from citeshelf import exitcodes

from .conftest import snapshot

CHAPTERS_OUTPUT = """\
Handbook of governance and security, ed. James Sperling (Edward Elgar Publishing, 2014)
18 chapters in the library

No.  Authors                   Title                                                Pages    Key
3    Eilstrup-Sangiovanni      Network theory and security governance                        eilstrupsangiovanni2014network
8    Cooley                    Central Asia                                                  cooley2014central
9    Cottey                    Europe                                                        cottey2014europe
11   Kay                       Persian Gulf                                                  kay2014persian
12   Tavares                   South America                                                 tavares2014south
15   Bujun, Foucault & Mérand  Regional security governance and collective action            bujun2014regional
16   Boin, Ekengren & Rhinard  Transboundary crisis governance                               boin2014transboundary
18   Jasper                    Cyberspace                                                    jasper2014cyberspace
22   Harnisch                  Nonproliferation                                              harnisch2014nonproliferation
23   Occhipinti                Transnational criminality                                     occhipinti2014transnational
24   Rees                      Counter-terrorism                                             rees2014counter
28   Jackson                   African Union                                                 jackson2014african
30   Aris                      Collective Security Treaty Organization                       aris2014collective
32   Sperling                  European Union                                                sperling2014european
34   Cottey                    NATO                                                          cottey2014nato
35   Galbreath & Seidyusif     Organization for Security and Cooperation in Europe  656–670  galbreath2014organization
36   Shaw                      Organization of American States                               shaw2014organization
                               Regime complexity and security governance            82–97    sperling2014regime
"""


def test_chapters_of_the_default_library(cs, handbook_lib: Path) -> None:
    result = cs(handbook_lib, "chapters", "sperling2014handbook")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == CHAPTERS_OUTPUT


def test_chapters_json(cs, handbook_lib: Path) -> None:
    data = json.loads(cs(handbook_lib, "chapters", "sperling2014handbook", "--json").stdout)
    assert data["book"]["key"] == "sperling2014handbook"
    assert [c.get("chapter") for c in data["chapters"]][:3] == ["3", "8", "9"]
    assert len(data["chapters"]) == 18


def test_chapters_of_a_chapter_points_to_its_book(cs, handbook_lib: Path) -> None:
    result = cs(handbook_lib, "chapters", "aris2014collective")
    assert result.exit_code == exitcodes.USAGE
    assert result.stderr == (
        "citeshelf: error: 'aris2014collective' is a chapter, not a book; its book is 'sperling2014handbook'\n"
    )


def test_show_json_gives_chapter_with_resolved_book(cs, handbook_lib: Path) -> None:
    result = cs(handbook_lib, "show", "aris2014collective", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["key"] == "aris2014collective" and data["chapter"] == "30"
    assert data["book"]["title"] == "Handbook of governance and security"
    assert data["book"]["editors"] == [{"family": "Sperling", "given": "James"}]
    resolved = data["resolved"]
    assert resolved["container_title"] == "Handbook of governance and security"
    assert (resolved["publisher"], resolved["place"], resolved["issued"]) == (
        "Edward Elgar Publishing",
        "Cheltenham, UK",
        "2014-08-29",
    )
    assert "doi" not in resolved and resolved["url"].endswith("00042.xml")


def test_show_plain_text_lists_fields_and_book_line(cs, handbook_lib: Path) -> None:
    result = cs(handbook_lib, "show", "galbreath2014organization")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "galbreath2014organization (chapter)"
    assert "authors  Galbreath, David J.; Seidyusif, Aynur" in lines
    assert (
        "parent   sperling2014handbook — Handbook of governance and security, ed. James Sperling "
        "(Edward Elgar Publishing, 2014)" in lines
    )
    assert "pages    656–670" in lines
    assert "\x1b[" not in result.stdout


def test_show_missing_key(cs, handbook_lib: Path) -> None:
    result = cs(handbook_lib, "show", "nosuchkey")
    assert result.exit_code == exitcodes.NOT_FOUND
    assert result.stderr == f"citeshelf: error: no record 'nosuchkey' in {handbook_lib}\n"


def test_list_query_is_accent_and_case_insensitive(cs, handbook_lib: Path) -> None:
    result = cs(handbook_lib, "list", "MERAND")
    assert result.stdout == (
        "bujun2014regional  chapter  Bujun, Foucault & Mérand  2014  Regional security governance and collective action\n"
    )
    keys = [
        r["key"] for r in json.loads(cs(handbook_lib, "list", "author:cottey", "--json").stdout)
    ]
    assert keys == ["cottey2014europe", "cottey2014nato"]
    assert (
        len(json.loads(cs(handbook_lib, "list", "type:chapter", "year:2014", "--json").stdout))
        == 18
    )


def test_list_reports_skipped_files_but_still_lists(cs, handbook_lib: Path) -> None:
    (handbook_lib / "broken.json").write_text(
        '{"type": "book", "key": "broken", "isbn": ["123"]}', encoding="utf-8"
    )
    result = cs(handbook_lib, "list", "type:book")
    assert result.exit_code == 0
    assert "sperling2014handbook" in result.stdout
    assert "citeshelf: warning: skipped 1 unreadable record file:" in result.stderr
    assert "broken.json: field 'isbn': '123' is not a valid ISBN" in result.stderr


def test_new_library_book_and_two_chapters(cs, tmp_path: Path) -> None:
    lib = tmp_path / "mylib"
    assert cs(None, "init", str(lib)).exit_code == 0
    r = cs(
        lib,
        "add",
        "book",
        "--title",
        "Handbook of governance and security",
        "--editor",
        "Sperling, James",
        "--year",
        "2014",
        "--publisher",
        "Edward Elgar Publishing",
        "--isbn",
        "978-1-78195-316-7",
    )
    assert (r.exit_code, r.stdout, r.stderr) == (0, "sperling2014handbook\n", "")
    r = cs(
        lib,
        "add",
        "chapter",
        "--parent",
        "sperling2014handbook",
        "--chapter",
        "30",
        "--title",
        "Collective Security Treaty Organization",
        "--author",
        "Aris, Stephen",
    )
    assert r.stdout == "aris2014collective\n"
    assert r.stderr == (
        "citeshelf: warning: saved 'aris2014collective' without recommended fields: pages "
        "(add them with: citeshelf edit aris2014collective --set FIELD=VALUE)\n"
    )
    r = cs(
        lib,
        "add",
        "chapter",
        "--parent",
        "sperling2014handbook",
        "--chapter",
        "35",
        "--pages",
        "656--670",
        "--title",
        "Organization for Security and Cooperation in Europe",
        "--author",
        "Galbreath, David J.",
        "--author",
        "Seidyusif, Aynur",
    )
    assert (r.stdout, r.stderr) == ("galbreath2014organization\n", "")
    listing = cs(lib, "chapters", "sperling2014handbook").stdout
    assert listing.splitlines()[1] == "2 chapters in the library"
    assert (
        "35   Galbreath & Seidyusif  Organization for Security and Cooperation in Europe  656–670"
        in listing
    )
    saved = json.loads((lib / "galbreath2014organization.json").read_text(encoding="utf-8"))
    assert saved["pages"] == "656–670" and saved["parent"] == "sperling2014handbook"


def test_generated_key_clash_gets_suffix_and_never_overwrites(cs, handbook_lib: Path) -> None:
    before = (handbook_lib / "aris2014collective.json").read_bytes()
    r = cs(
        handbook_lib,
        "add",
        "chapter",
        "--parent",
        "sperling2014handbook",
        "--title",
        "Collective action",
        "--author",
        "Aris, Stephen",
        "--pages",
        "1-2",
    )
    assert r.stdout == "aris2014collectivea\n"
    assert (handbook_lib / "aris2014collective.json").read_bytes() == before


def test_organisation_author_and_field_option(cs, empty_lib: Path) -> None:
    r = cs(
        empty_lib,
        "add",
        "report",
        "--title",
        "World health statistics",
        "--author",
        "{World Health Organization}",
        "--year",
        "2020",
        "--field",
        "institution=World Health Organization",
        "--field",
        "number=WHO-12",
        "--field",
        "extra.funding=none",
    )
    assert r.exit_code == 0, r.stderr
    data = json.loads((empty_lib / "world2020world.json").read_text(encoding="utf-8"))
    assert data["authors"] == [{"literal": "World Health Organization"}]
    assert (data["number"], data["extra"]) == ("WHO-12", {"funding": "none"})


BAD_INPUTS = [
    (
        ["add", "book", "--key", "a,b", "--title", "x"],
        exitcodes.USAGE,
        "citeshelf: error: --key: 'a,b' is not a valid key: it holds ',' (use any characters but "
        ", { } % # \\)\n",
    ),
    (
        ["add", "chapter", "--parent", "nobook", "--title", "x", "--author", "A, B"],
        exitcodes.NOT_FOUND,
        "citeshelf: error: --parent 'nobook' is not in the library: add the book first (citeshelf add book ...) "
        "or use --parent KEY\n",
    ),
    (
        ["add", "chapter", "--title", "x"],
        exitcodes.USAGE,
        "citeshelf: error: a chapter needs its book: give --parent BOOKKEY (add the book first)\n",
    ),
    (
        ["add", "book", "--title", "x", "--isbn", "9781781953168"],
        exitcodes.INVALID_DATA,
        "citeshelf: error: new book: field 'isbn': '9781781953168' is not a valid ISBN "
        "(the number's checksum or check digit is invalid)\n",
    ),
    (
        ["add", "book", "--title", "x", "--year", "2014-13"],
        exitcodes.INVALID_DATA,
        "citeshelf: error: new book: field 'issued': month 13 is out of range (1 to 12)\n",
    ),
    (
        ["add", "book", "--title", "x", "--key", "sperling2014handbook"],
        exitcodes.CONFLICT,
        "citeshelf: error: a record with key 'sperling2014handbook' already exists\n",
    ),
    (
        ["add", "book", "--title", "x", "--key", "SPERLING2014handbook"],
        exitcodes.CONFLICT,
        "citeshelf: error: key 'SPERLING2014handbook' differs only in letter case from existing record "
        "'sperling2014handbook': choose another key\n",
    ),
    (["add", "book", "--title", "x", "--field", "journal=X"], exitcodes.USAGE, None),
    (
        ["rm", "sperling2014handbook", "--yes"],
        exitcodes.CONFLICT,
        "citeshelf: error: 'sperling2014handbook' is the book of 18 chapters (aris2014collective, "
        "boin2014transboundary, bujun2014regional, cooley2014central, cottey2014europe and 13 more): "
        "remove them too with --with-chapters, or point them elsewhere first\n",
    ),
    (["rm", "aris2014collective", "nosuch", "--yes"], exitcodes.NOT_FOUND, None),
    (["rm", "../etc/passwd", "--yes"], exitcodes.NOT_FOUND, None),
    (["rm", "a{b}", "--yes"], exitcodes.USAGE, None),
    (
        ["edit", "aris2014collective", "--set", "isbn=123"],
        exitcodes.INVALID_DATA,
        "citeshelf: error: record 'aris2014collective': field 'isbn': '123' is not a valid ISBN "
        "(the number has an invalid length)\n",
    ),
    (["edit", "aris2014collective", "--set", "parent=nobook"], exitcodes.NOT_FOUND, None),
    (
        ["edit", "aris2014collective", "--set", "parent=cottey2014nato"],
        exitcodes.INVALID_DATA,
        "citeshelf: error: record 'aris2014collective': parent 'cottey2014nato' is a chapter, not a book\n",
    ),
    (["edit", "aris2014collective", "--set", "colour=red"], exitcodes.USAGE, None),
    (
        ["edit", "aris2014collective", "--set", "novalue"],
        exitcodes.USAGE,
        "citeshelf: error: --set takes FIELD=VALUE, not 'novalue'\n",
    ),
    (["show", "a/b"], exitcodes.NOT_FOUND, None),
    (["show", "a\nb"], exitcodes.USAGE, None),
    (["add", "novel", "--title", "x"], exitcodes.USAGE, None),
    (
        ["add", "book", "--title", "x", "--author", " "],
        exitcodes.USAGE,
        'citeshelf: error: an empty name among the authors: give each as "Family, Given"\n',
    ),
    (
        [
            "add",
            "chapter",
            "--parent",
            "sperling2014handbook",
            "--title",
            "x",
            "--pages",
            "300-299",
        ],
        exitcodes.INVALID_DATA,
        "citeshelf: error: new chapter: field 'pages': 300-299 ends before it starts: give the first page first\n",
    ),
]


@pytest.mark.parametrize(
    "args, code, message", BAD_INPUTS, ids=[" ".join(a[:3]) for a, _, _ in BAD_INPUTS]
)
def test_bad_input_gets_one_line_error_and_changes_nothing(
    cs, handbook_lib: Path, args, code, message
) -> None:
    before = snapshot(handbook_lib)
    result = cs(handbook_lib, *args)
    assert result.exit_code == code, result.stderr
    assert result.stdout == ""
    if message is not None:
        assert result.stderr == message
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") <= 2 and result.stderr.strip()
    assert snapshot(handbook_lib) == before


def test_malformed_record_file_is_named(cs, handbook_lib: Path) -> None:
    (handbook_lib / "cottey2014nato.json").write_text(
        '{"type": "chapter", "key": "cottey2014nato"', encoding="utf-8"
    )
    before = snapshot(handbook_lib)
    result = cs(handbook_lib, "show", "cottey2014nato")
    assert result.exit_code == exitcodes.INVALID_DATA
    assert (
        result.stderr.startswith("citeshelf: error: ")
        and "cottey2014nato.json: not valid JSON" in result.stderr
    )
    # commands that do not need that record still work
    assert cs(handbook_lib, "show", "aris2014collective").exit_code == 0
    assert "cottey2014europe" in cs(handbook_lib, "chapters", "sperling2014handbook").stdout
    assert snapshot(handbook_lib) == before


def test_edit_set_changes_one_field(cs, handbook_lib: Path) -> None:
    r = cs(
        handbook_lib,
        "edit",
        "aris2014collective",
        "--set",
        "pages=531-546",
        "--set",
        "extra.note=checked",
    )
    assert (r.exit_code, r.stdout) == (0, "updated aris2014collective\n")
    data = json.loads((handbook_lib / "aris2014collective.json").read_text(encoding="utf-8"))
    assert (
        data["pages"] == "531–546" and data["extra"] == {"note": "checked"} and "modified" in data
    )
    r = cs(handbook_lib, "edit", "aris2014collective", "--set", "pages=")
    assert "pages" not in json.loads(
        (handbook_lib / "aris2014collective.json").read_text(encoding="utf-8")
    )


def _editor(tmp_path: Path, code: str) -> str:
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n" + code, encoding="utf-8"
    )
    return f"{sys.executable} {script}"


def test_edit_in_editor_saves_valid_text(cs, handbook_lib: Path, tmp_path: Path) -> None:
    editor = _editor(
        tmp_path,
        'p.write_text(p.read_text().replace(\'"chapter": "30"\', \'"chapter": "30", "pages": "1-20"\'))\n',
    )
    r = cs(handbook_lib, "edit", "aris2014collective", env={"EDITOR": editor, "VISUAL": ""})
    assert (r.exit_code, r.stdout) == (0, "updated aris2014collective\n"), r.stderr
    assert (
        json.loads((handbook_lib / "aris2014collective.json").read_text(encoding="utf-8"))["pages"]
        == "1–20"
    )


def test_edit_in_editor_keeps_invalid_text(cs, handbook_lib: Path, tmp_path: Path) -> None:
    editor = _editor(
        tmp_path, 'p.write_text(p.read_text().replace(\'"30"\', \'"30", "isbn": ["123"]\'))\n'
    )
    before = snapshot(handbook_lib)
    r = cs(handbook_lib, "edit", "aris2014collective", env={"EDITOR": editor, "VISUAL": ""})
    assert r.exit_code == exitcodes.INVALID_DATA
    assert "this edit does not validate" in r.stderr and "is not a valid ISBN" in r.stderr
    kept = Path(r.stderr.rsplit("your text is kept in ", 1)[1].strip())
    assert '"isbn": ["123"]' in kept.read_text(encoding="utf-8")
    kept.unlink()  # (kept for the user in the system's temporary folder)
    assert snapshot(handbook_lib) == before


def test_rm_with_chapters_and_plain_rm(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "rm", "cottey2014nato")
    assert (r.exit_code, r.stdout) == (0, "removed cottey2014nato\n")
    r = cs(handbook_lib, "rm", "sperling2014handbook", "--with-chapters", "--yes")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[-1] == "removed sperling2014handbook"
    assert list(handbook_lib.iterdir()) == []


def test_library_from_environment_and_missing_library(
    cs, handbook_lib: Path, tmp_path: Path
) -> None:
    r = cs(
        None, "show", "aris2014collective", "--json", env={"CITESHELF_LIBRARY": str(handbook_lib)}
    )
    assert json.loads(r.stdout)["key"] == "aris2014collective"
    r = cs(tmp_path / "none", "list")
    assert r.exit_code == exitcodes.NOT_FOUND
    assert r.stderr == (
        f"citeshelf: error: no library at {tmp_path / 'none'}: create one with "
        f"'citeshelf init {tmp_path / 'none'}' or choose another with --library DIR\n"
    )


def test_init_refuses_an_existing_library(cs, handbook_lib: Path) -> None:
    r = cs(None, "init", str(handbook_lib))
    assert r.exit_code == exitcodes.CONFLICT
    assert "already holds records" in r.stderr


def test_unknown_command_suggests(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "chapter", "x")
    assert r.exit_code == exitcodes.USAGE
    assert "Did you mean 'chapters'?" in r.stderr


def test_help_teaches(cs) -> None:
    out = cs(None, "--help").stdout
    assert "citeshelf chapters sperling2014handbook" in out and "Exit codes" in out
    for command in ("add", "show", "chapters", "edit", "rm", "init"):
        text = cs(None, command, "--help").stdout
        assert "Example" in text or command == "init", command


def test_check_reports_every_problem(cs, handbook_lib: Path) -> None:
    # (the problem lines carry a severity and a code since check has rules
    # beyond structure; the messages of the structural checks are as before)
    assert (
        cs(handbook_lib, "check").stdout
        == "19 records checked, 0 problems, 17 notes (--notes lists them)\n"
    )
    (handbook_lib / "broken.json").write_text("[]", encoding="utf-8")
    (handbook_lib / "orphan.json").write_text(
        json.dumps({"type": "chapter", "key": "orphan", "parent": "gone", "title": "Gone"}),
        encoding="utf-8",
    )
    (handbook_lib / "Orphan.json").write_text(
        json.dumps(
            {"type": "chapter", "key": "Orphan", "parent": "aris2014collective", "title": "A"}
        ),
        encoding="utf-8",
    )
    before = snapshot(handbook_lib)
    result = cs(handbook_lib, "check")
    assert result.exit_code == exitcodes.INVALID_DATA
    assert result.stdout == (
        "error parent-not-book: chapter 'Orphan' names parent 'aris2014collective', which is a "
        "chapter, not a book\n"
        f"error unreadable: {handbook_lib / 'broken.json'}: a record file must hold one JSON "
        "object\n"
        "error parent-missing: chapter 'orphan' names parent 'gone', which is not in the "
        "library\n"
        "error key-case-clash: keys 'Orphan' and 'orphan' differ only in letter case (they "
        "clash on macOS and Windows)\n"
        "22 records checked, 4 problems, 19 notes (--notes lists them)\n"
    )
    assert snapshot(handbook_lib) == before


def test_file_system_errors_are_one_line(cs, handbook_lib: Path, tmp_path: Path) -> None:
    (handbook_lib / "folder.json").mkdir()
    r = cs(handbook_lib, "show", "folder")
    assert r.exit_code == exitcodes.INVALID_DATA
    assert (
        r.stderr
        == f"citeshelf: error: {handbook_lib / 'folder.json'}: cannot read it (Is a directory)\n"
    )
    r = cs(
        handbook_lib,
        "export",
        "aris2014collective",
        "-o",
        str(tmp_path / "no" / "such" / "out.bib"),
    )
    assert r.exit_code == exitcodes.USAGE
    assert (
        r.stderr
        == f"citeshelf: error: cannot write {tmp_path / 'no' / 'such' / 'out.bib'}: the folder {tmp_path / 'no' / 'such'} does not exist\n"
    )
    r = cs(handbook_lib, "edit", "aris2014collective", env={"EDITOR": "false", "VISUAL": ""})
    assert r.exit_code == exitcodes.USAGE
    assert (
        r.stderr.startswith("citeshelf: error: the editor failed (") and r.stderr.count("\n") == 1
    )


def test_generated_key_avoids_keys_differing_in_case(cs, empty_lib: Path) -> None:
    args = [
        "add",
        "book",
        "--title",
        "Handbook",
        "--author",
        "Doe, J",
        "--year",
        "2014",
        "--publisher",
        "P",
    ]
    assert cs(empty_lib, *args, "--key", "Doe2014handbook").stdout == "Doe2014handbook\n"
    r = cs(empty_lib, *args)
    assert (r.exit_code, r.stdout) == (0, "doe2014handbooka\n")


def test_export_stopped_by_a_bad_file_says_what_to_do(
    cs, handbook_lib: Path, tmp_path: Path
) -> None:
    (handbook_lib / "zzz.json").write_text('{"type": "book", "key": "zzz"', encoding="utf-8")
    out = tmp_path / "refs.bib"
    out.write_text("old\n", encoding="utf-8")
    r = cs(handbook_lib, "export", "-o", str(out))
    assert r.exit_code == exitcodes.INVALID_DATA
    assert r.stderr.endswith(
        "; nothing was exported: fix the file ('citeshelf check' lists every problem) "
        "or leave the record out with KEYS or --query\n"
    )
    assert out.read_text(encoding="utf-8") == "old\n"
    assert cs(handbook_lib, "export", "aris2014collective", "-o", str(out)).exit_code == 0


def test_a_query_matching_nothing_is_not_found_for_export_and_bibliography(
    cs, handbook_lib: Path
) -> None:
    r = cs(handbook_lib, "export", "--query", "author:nobody")
    assert (r.exit_code, r.stdout) == (exitcodes.NOT_FOUND, "")
    assert r.stderr == (
        "citeshelf: error: no record matches 'author:nobody': see 'citeshelf list author:nobody'; "
        "nothing was exported\n"
    )
    r = cs(handbook_lib, "bibliography", "--query", "author:nobody")
    assert (r.exit_code, r.stdout) == (exitcodes.NOT_FOUND, "")


def test_export_of_a_manuscript_that_cites_nothing_warns(
    cs, handbook_lib: Path, tmp_path: Path
) -> None:
    tex = tmp_path / "paper.tex"
    tex.write_text("No citations here.\n", encoding="utf-8")
    r = cs(handbook_lib, "export", "--cited-in", str(tex))
    assert (r.exit_code, r.stdout) == (0, "")
    assert r.stderr == f"citeshelf: warning: {tex}: no citation found; nothing to export\n"


@pytest.mark.parametrize(
    "args",
    [
        ("bibliography", "--style", "apa"),
        ("list", "--json"),
        ("export",),
        ("list",),  # (printed without Click)
    ],
)
def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path, args) -> None:
    """``citeshelf ... | head -1``: once the reader has gone, the command stops
    with exit code 0 and nothing on stderr (as ``list`` did already)."""
    import subprocess

    from .generated import generated_library

    lib = generated_library(tmp_path / "records", 700)
    env = {**os.environ, "CITESHELF_INDEX_DIR": str(tmp_path / "index")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "citeshelf", "--library", str(lib), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline()
    proc.stdout.close()  # what head does after its line
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0, err
    assert err == b""
