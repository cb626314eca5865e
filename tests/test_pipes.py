"""Output for pipes and help for typos: list --keys/--format/--sort/--limit,
undecorated piped output, did-you-mean for keys and field names, the bare
command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citeshelf import exitcodes
from citeshelf.errors import closest
from tests.conftest import snapshot

# -- the bare command ------------------------------------------------------------


def test_bare_command_prints_the_help_and_exits_0(cs) -> None:
    r = cs(None)
    assert r.exit_code == 0
    assert r.stdout == cs(None, "--help").stdout
    assert r.stdout.startswith("Usage: citeshelf [OPTIONS] [COMMAND] [ARGS]...\n")
    assert r.stderr == ""


# -- list: keys, format, sort, limit ---------------------------------------------


def test_list_keys_one_a_line(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "list", "author:cottey", "--keys")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "cottey2014europe\ncottey2014nato\n", "")
    assert cs(handbook_lib, "list", "author:nobody", "--keys").stdout == ""
    keys = cs(handbook_lib, "list", "--keys").stdout.splitlines()
    assert len(keys) == 19 and keys == sorted(keys)


def test_list_format_with_tabs(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "list", "author:cottey", "--format", r"{key}\t{year}\t{title}")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ("cottey2014europe\t2014\tEurope\ncottey2014nato\t2014\tNATO\n")
    r = cs(handbook_lib, "list", "type:book", "--format", "{type}: {authors} ({year}) {title:.8}")
    assert r.stdout == "book: Sperling (ed.) (2014) Handbook\n"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "{key} {jear}",
            "citeshelf: error: --format: unknown placeholder '{jear}': did you mean '{year}'? "
            "placeholders are {key}, {type}, {authors}, {year}, {title}\n",
        ),
        (
            "{key",
            "citeshelf: error: --format: expected '}' before end of string (write {{ and }} "
            "for braces); placeholders are {key}, {type}, {authors}, {year}, {title}\n",
        ),
        (
            "{}",
            "citeshelf: error: --format: unknown placeholder '{}': "
            "placeholders are {key}, {type}, {authors}, {year}, {title}\n",
        ),
    ],
)
def test_list_bad_format_is_one_line(cs, handbook_lib: Path, template: str, message: str) -> None:
    r = cs(handbook_lib, "list", "--format", template)
    assert (r.exit_code, r.stdout, r.stderr) == (exitcodes.USAGE, "", message)


def test_list_sort_and_limit(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "list", "author:cottey", "--keys", "--sort", "-title")
    assert r.stdout == "cottey2014nato\ncottey2014europe\n"
    r = cs(handbook_lib, "list", "--format", "{title}", "--sort", "type", "--sort", "title")
    lines = r.stdout.splitlines()
    assert lines[0] == "Handbook of governance and security"  # the one book before the chapters
    assert lines[1:] == sorted(lines[1:], key=str.casefold)
    r = cs(handbook_lib, "list", "--keys", "--sort", "type", "--limit", "2")
    assert r.stdout == "sperling2014handbook\naris2014collective\n"
    assert cs(handbook_lib, "list", "--keys", "--limit", "0").stdout == ""
    data = json.loads(cs(handbook_lib, "list", "--json", "--sort=-authors", "--limit=1").stdout)
    assert [d["key"] for d in data] == ["tavares2014south"]


def test_list_sort_the_same_without_index(
    cs, handbook_lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("list", "--format", "{authors}|{key}", "--sort", "authors", "--sort", "-key")
    with_index = cs(handbook_lib, *args).stdout
    monkeypatch.setenv("CITESHELF_INDEX_DIR", "off")
    assert cs(handbook_lib, *args).stdout == with_index
    assert with_index.splitlines()[0] == "Aris|aris2014collective"


def test_list_unknown_sort_field_is_one_line(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "list", "--sort", "yaer")
    assert r.exit_code == exitcodes.USAGE and r.stdout == ""
    assert r.stderr == (
        "citeshelf: error: --sort: unknown field 'yaer': did you mean 'year'? "
        "fields are key, type, authors, year, title\n"
    )
    r = cs(handbook_lib, "list", "--limit", "-1")
    assert r.exit_code == exitcodes.USAGE and len(r.stderr.splitlines()) == 1


def test_list_output_choices_do_not_mix(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "list", "--keys", "--json")
    assert r.exit_code == exitcodes.USAGE
    assert r.stderr.startswith("citeshelf: error: --keys and --json do not go together")
    assert len(r.stderr.splitlines()) == 1


def test_list_on_a_terminal_keeps_header_and_count(
    cs, handbook_lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from citeshelf import render

    piped = cs(handbook_lib, "list", "author:cottey").stdout
    assert piped == (
        "cottey2014europe  chapter  Cottey  2014  Europe\n"
        "cottey2014nato    chapter  Cottey  2014  NATO\n"
    )
    # a terminal with NO_COLOR: the plain table, decorated as before
    monkeypatch.setattr(render, "stdout_is_terminal", lambda: True)
    assert cs(handbook_lib, "list", "author:cottey").stdout == (
        "Key               Type     Authors/editors  Year  Title\n"
        "cottey2014europe  chapter  Cottey           2014  Europe\n"
        "cottey2014nato    chapter  Cottey           2014  NATO\n"
        "2 records\n"
    )


# -- did you mean ------------------------------------------------------------------


def test_closest() -> None:
    keys = ["waever1995securitization", "buzan1998security", "cottey2014nato"]
    assert closest("Waever1995", keys) == "waever1995securitization"
    assert closest("BUZAN1998SECURITY", keys) == "buzan1998security"
    assert closest("cotey2014nato", keys) == "cottey2014nato"
    assert closest("zzz", keys) is None
    assert closest("", keys) is None


@pytest.mark.parametrize(
    "args",
    [
        ["show", "Aris2014"],
        ["edit", "Aris2014", "--set", "title=X"],
        ["rm", "Aris2014", "--yes"],
        ["cite", "Aris2014"],
        ["chapters", "Sperling2014Handbook"],
    ],
)
def test_a_missing_key_gets_a_suggestion(cs, handbook_lib: Path, args: list[str]) -> None:
    before = snapshot(handbook_lib)
    r = cs(handbook_lib, *args)
    assert r.exit_code == exitcodes.NOT_FOUND and r.stdout == ""
    assert len(r.stderr.splitlines()) == 1
    wanted = args[1]
    assert r.stderr.startswith(f"citeshelf: error: no record '{wanted}' in {handbook_lib}; ")
    meant = "aris2014collective" if wanted == "Aris2014" else "sperling2014handbook"
    assert f"did you mean '{meant}'?" in r.stderr
    assert snapshot(handbook_lib) == before


def test_several_missing_keys_each_get_one(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "cite", "aris2014", "nosuchthing")
    assert r.stderr == (
        "citeshelf: error: no records 'aris2014' (did you mean 'aris2014collective'?), "
        f"'nosuchthing' in {handbook_lib}: see 'citeshelf list' for the keys\n"
    )


def test_export_missing_key_gets_a_suggestion(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "export", "cottey2014nat")
    assert r.exit_code == exitcodes.NOT_FOUND
    assert "cottey2014nat (did you mean cottey2014nato?)" in r.stderr


def test_field_names_get_a_suggestion(cs, tmp_path: Path, handbook_lib: Path) -> None:
    empty_lib = tmp_path / "empty"
    empty_lib.mkdir()
    r = cs(empty_lib, "add", "article", "--title", "T", "--year", "2001", "--field", "jounal=X")
    assert r.exit_code == exitcodes.USAGE
    assert r.stderr.startswith(
        "citeshelf: error: a article has no field 'jounal': did you mean 'journal'? fields are "
    )
    assert list(empty_lib.iterdir()) == []
    before = snapshot(handbook_lib)
    r = cs(handbook_lib, "edit", "aris2014collective", "--set", "Title=X")
    assert r.stderr.startswith(
        "citeshelf: error: a chapter has no field 'Title': did you mean 'title'? "
    )
    assert snapshot(handbook_lib) == before
