"""citeshelf list with the query language, answered from the index (and
without it), and citeshelf reindex."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citeshelf import exitcodes
from citeshelf.cli.cmd_list import join_query

# Output for a pipe (what the tests read) has no header and no count line.
COTTEY_OR_ARIS = (
    "aris2014collective  chapter  Aris    2014  Collective Security Treaty Organization\n"
    "cottey2014nato      chapter  Cottey  2014  NATO\n"
)


def test_list_query_language_plain_output(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "list", "(author:cottey", "OR", "author:aris)", "NOT", "title:europe")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == COTTEY_OR_ARIS
    assert r.stderr == ""


def test_list_same_output_without_index(
    cs, handbook_lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITESHELF_INDEX_DIR", "off")
    r = cs(handbook_lib, "list", "(author:cottey OR author:aris) NOT title:europe")
    assert r.stdout == COTTEY_OR_ARIS
    with_index = cs(handbook_lib, "list")
    monkeypatch.setenv("CITESHELF_INDEX_DIR", str(handbook_lib.parent / "cache2"))
    assert cs(handbook_lib, "list").stdout == with_index.stdout


def test_list_everything_and_json(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "list")
    lines = r.stdout.splitlines()
    assert len(lines) == 19
    assert lines[0].startswith("aris2014collective  ")
    assert "sperling2014handbook            book     Sperling (ed.)" in r.stdout
    data = json.loads(cs(handbook_lib, "list", "title:secur*", "year:2014", "--json").stdout)
    assert [d["key"] for d in data] == [
        "aris2014collective",
        "bujun2014regional",
        "eilstrupsangiovanni2014network",
        "galbreath2014organization",
        "sperling2014handbook",
        "sperling2014regime",
    ]
    assert data[0]["parent"] == "sperling2014handbook" and "issued" not in data[0]  # as stored


def test_list_follows_edits_between_commands(cs, handbook_lib: Path) -> None:
    assert cs(handbook_lib, "list", "title:alliance").stdout == ""
    path = handbook_lib / "cottey2014nato.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["title"] = "NATO: the Atlantic alliance"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert (
        cs(handbook_lib, "list", "title:alliance")
        .stdout.splitlines()[0]
        .startswith("cottey2014nato  ")
    )
    path.unlink()
    assert len(cs(handbook_lib, "list", "author:cottey").stdout.splitlines()) == 1


def test_list_phrase_from_the_shell(cs, handbook_lib: Path) -> None:
    # what the shell passes for: citeshelf list title:"collective action"
    r = cs(handbook_lib, "list", "title:collective action")
    assert r.stdout.startswith("bujun2014regional  ")
    assert len(r.stdout.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["title:collective action"], 'title:"collective action"'),
        (["title:a", "b"], "title:a b"),
        (["author:merand OR title:x"], "author:merand OR title:x"),
        (["author:merand title:x"], "author:merand title:x"),
        (['title:"a b"'], 'title:"a b"'),
        ([], ""),
    ],
)
def test_join_query(args: list[str], text: str) -> None:
    assert join_query(args) == text


def test_list_query_error_names_the_column(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "list", "security", "auhtor:aris")
    assert r.exit_code == exitcodes.USAGE
    assert r.stdout == ""
    assert r.stderr.startswith(
        "citeshelf: error: in the query at column 10: unknown field 'auhtor': did you mean 'author:'?"
    )
    assert len(r.stderr.splitlines()) == 1
    r = cs(handbook_lib, "list", "(security")
    assert r.exit_code == exitcodes.USAGE
    assert (
        r.stderr
        == "citeshelf: error: in the query at column 1: this '(' is never closed: add ')'\n"
    )


def test_list_reports_unreadable_files_from_the_index(cs, handbook_lib: Path) -> None:
    (handbook_lib / "broken.json").write_text("{not json", encoding="utf-8")
    for _ in range(2):  # building the index, then from the index
        r = cs(handbook_lib, "list", "type:book")
        assert r.exit_code == 0
        assert r.stdout.startswith("sperling2014handbook  ") and r.stdout.count("\n") == 1
        assert r.stderr == (
            "citeshelf: warning: skipped 1 unreadable record file:\n"
            f"  {handbook_lib / 'broken.json'}: not valid JSON (line 1, column 2: "
            "Expecting property name enclosed in double quotes)\n"
        )


def test_list_missing_library(cs, tmp_path: Path) -> None:
    r = cs(tmp_path / "none", "list", "x")
    assert r.exit_code == exitcodes.NOT_FOUND
    assert r.stderr.startswith(f"citeshelf: error: no library at {tmp_path / 'none'}")


def test_reindex(cs, handbook_lib: Path, index_dir: Path) -> None:
    r = cs(handbook_lib, "reindex", "--json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["records"] == 19 and data["problems"] == 0 and data["read"] == 19
    assert Path(data["index"]).parent == index_dir and Path(data["index"]).is_file()
    assert cs(handbook_lib, "reindex", "--where").stdout == data["index"] + "\n"
    plain = cs(handbook_lib, "reindex").stdout.splitlines()
    assert plain[0].startswith(f"Indexed 19 records of {handbook_lib} in ")
    assert plain[1] == f"Index: {data['index']}"
    Path(data["index"]).unlink()
    assert cs(handbook_lib, "list", "merand", "--keys").stdout == "bujun2014regional\n"


def test_help_teaches_the_query_language(cs) -> None:
    out = cs(None, "list", "--help").stdout
    assert "citeshelf list author:merand" in out and "year:2010..2014" in out and "OR" in out
    assert "citeshelf reindex" in cs(None, "reindex", "--help").stdout
