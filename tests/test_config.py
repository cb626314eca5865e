"""citeshelf config: the user's and the library's TOML files, and where settings are used."""

from __future__ import annotations

from pathlib import Path

import pytest

from citeshelf.errors import InvalidData
from citeshelf.library.config import load_config


@pytest.fixture
def user_file(tmp_path: Path) -> Path:
    return tmp_path / "user-config" / "citeshelf" / "config.toml"


def test_path_shows_both_files(cs, handbook_lib, user_file):
    r = cs(handbook_lib, "config", "path")
    assert r.exit_code == 0
    assert r.stdout == (
        f"user: {user_file} (not there)\nlibrary: {handbook_lib / 'citeshelf.toml'} (not there)\n"
    )


def test_set_get_list_and_the_library_file_wins(cs, handbook_lib, user_file):
    r = cs(handbook_lib, "config", "set", "keys.formula", "[auth:lower]_[year]")
    assert r.stdout == f"keys.formula = [auth:lower]_[year]  ({user_file})\n"
    cs(handbook_lib, "config", "set", "cite.style", "chicago-notes")
    cs(handbook_lib, "config", "set", "--library", "cite.style", "apa")
    cs(handbook_lib, "config", "set", "manuscripts", "paper.tex, notes.md")
    assert user_file.read_text() == (
        'manuscripts = ["paper.tex", "notes.md"]\n'
        "[keys]\n"
        'formula = "[auth:lower]_[year]"\n\n'
        "[cite]\n"
        'style = "chicago-notes"\n'
    )
    assert cs(handbook_lib, "config", "get", "cite.style").stdout == "apa\n"
    assert cs(handbook_lib, "config", "list").stdout == (
        f"manuscripts = paper.tex, notes.md  ({user_file})\n"
        f"keys.formula = [auth:lower]_[year]  ({user_file})\n"
        f"cite.style = apa  ({handbook_lib / 'citeshelf.toml'})\n"
    )
    r = cs(handbook_lib, "config", "get", "lookup.mailto", env={"CITESHELF_MAILTO": "me@x.org"})
    assert r.stdout == "me@x.org\n"
    assert cs(handbook_lib, "config", "get", "lookup.mailto").stdout == ""
    assert cs(handbook_lib, "config", "unset", "--library", "cite.style").stdout == (
        f"removed cite.style from {handbook_lib / 'citeshelf.toml'}\n"
    )
    assert cs(handbook_lib, "config", "get", "cite.style").stdout == "chicago-notes\n"


def test_set_keeps_comments_and_other_settings(cs, handbook_lib, user_file):
    user_file.parent.mkdir(parents=True)
    user_file.write_text(
        '# mine\n[cite]\nstyle = "apa"  # the usual\n\n[lookup]\nmailto = "a@b.c"\n'
    )
    cs(handbook_lib, "config", "set", "cite.edition", "7")
    cs(handbook_lib, "config", "set", "lookup.mailto", 'd"e@f.g')
    assert user_file.read_text() == (
        '# mine\n[cite]\nstyle = "apa"  # the usual\nedition = 7\n\n[lookup]\nmailto = "d\\"e@f.g"\n'
    )
    assert load_config(None).get("lookup.mailto") == 'd"e@f.g'


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["get", "cite.styl"], "unknown setting 'cite.styl': settings are editor, manuscripts,"),
        (["set", "cite.edition", "seven"], "cite.edition takes a number, not 'seven'"),
        (["set", "cite.style", "mla"], "cite.style: use one of apa, chicago-notes,"),
        (["set", "lookup.mailto", "nobody"], "lookup.mailto: 'nobody' is not an e-mail address"),
        (["set", "keys.formula", "[auth"], "keys.formula: column 1: '[' is never closed"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_written(
    cs, handbook_lib, user_file, args, message
):
    r = cs(handbook_lib, "config", *args)
    assert r.exit_code == 2
    assert r.stderr.startswith(f"citeshelf: error: {message}")
    assert len(r.stderr.splitlines()) == 1
    assert not user_file.exists()


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("[keys\n", 1, "Expected ']' at the end of a table declaration (column 6)"),
        ('[cite]\nstyle = "apa"\nedition = "7"\n', 3, "cite.edition: takes a number, not '7'"),
        ('[keys]\nformula = "[auth:lwer]"\n', 2, "keys.formula: column 7: unknown modifier"),
        ('editor = "vi"\n[cite]\ncolour = 1\n', 3, "unknown setting 'cite.colour'"),
        ('manuscripts = "paper.tex"\n', 1, "manuscripts: takes a list of texts"),
    ],
)
def test_a_malformed_library_file_names_file_and_line_and_nothing_changes(
    cs, handbook_lib, text, line, message
):
    path = handbook_lib / "citeshelf.toml"
    path.write_text(text)
    before = sorted(p.name for p in handbook_lib.iterdir())
    for args in (["config", "list"], ["add", "book", "--title", "X"], ["cite", "kay2014persian"]):
        r = cs(handbook_lib, *args)
        assert r.exit_code == 4, args
        assert r.stderr.startswith(f"citeshelf: error: {path}, line {line}: {message}")
        assert len(r.stderr.splitlines()) == 1
    assert sorted(p.name for p in handbook_lib.iterdir()) == before
    with pytest.raises(InvalidData):
        load_config(handbook_lib)
    r = cs(handbook_lib, "config", "set", "--library", "editor", "vi")
    assert r.exit_code == 4 and path.read_text() == text


def test_the_key_formula_makes_new_keys(cs, empty_lib):
    (empty_lib / "citeshelf.toml").write_text(
        '[keys]\nformula = "[auth:lower|editor:lower]_[year]"\n'
    )
    r = cs(
        empty_lib, "add", "book", "--title", "A Book", "--author", "Aris, Stephen", "--year", "2014"
    )
    assert r.stdout == "aris_2014\n"
    r = cs(
        empty_lib,
        "add",
        "book",
        "--title",
        "Another",
        "--author",
        "Aris, Stephen",
        "--year",
        "2014",
    )
    assert r.stdout == "aris_2014a\n"
    bib = empty_lib.parent / "in.bib"
    bib.write_text(
        "@incollection{ch1,\n  title = {Ch},\n  author = {Kay, Sean},\n  booktitle = {The Book},"
        "\n  editor = {Sperling, James},\n  year = {2014},\n}\n"
    )
    r = cs(empty_lib, "import", "--link-parents", str(bib))
    assert r.exit_code == 0, r.stderr
    assert sorted(p.stem for p in empty_lib.glob("*.json")) == [
        "aris_2014",
        "aris_2014a",
        "ch1",
        "sperling_2014",
    ]


def test_default_style_and_edition_from_the_configuration(cs, handbook_lib):
    (handbook_lib / "citeshelf.toml").write_text('[cite]\nstyle = "chicago-author-date"\n')
    assert cs(handbook_lib, "cite", "kay2014persian").stdout == "(Kay 2014)\n"
    assert cs(handbook_lib, "cite", "kay2014persian", "-s", "apa").stdout == "(Kay, 2014)\n"
    (handbook_lib / "citeshelf.toml").write_text('[cite]\nstyle = "mla"\n')
    r = cs(handbook_lib, "cite", "kay2014persian")
    assert r.exit_code == 2
    assert r.stderr == (
        f"citeshelf: error: {handbook_lib / 'citeshelf.toml'}: cite.style: use one of apa, "
        "chicago-notes, chicago-author-date, not 'mla'\n"
    )


def test_edit_set_key_points_to_rekey(cs, handbook_lib):
    r = cs(handbook_lib, "edit", "kay2014persian", "--set", "key=kay2014gulf")
    assert r.exit_code == 2
    assert r.stderr == (
        "citeshelf: error: the key cannot be set with --set: rename the record with "
        "'citeshelf rekey kay2014persian kay2014gulf' (it also updates its chapters, and "
        "--in FILE rewrites a manuscript's citations)\n"
    )


def test_edit_opens_the_configured_editor(cs, handbook_lib, tmp_path):
    script = tmp_path / "ed.sh"
    script.write_text('#!/bin/sh\nsed -i "s/Persian Gulf/Gulf/" "$1"\n')
    script.chmod(0o755)
    (handbook_lib / "citeshelf.toml").write_text(f'editor = "{script}"\n')
    r = cs(handbook_lib, "edit", "kay2014persian", env={"VISUAL": "", "EDITOR": ""})
    assert r.stdout == "updated kay2014persian\n", r.stderr
