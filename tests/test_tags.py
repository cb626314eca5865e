"""citeshelf tag and tags, tags in queries and exports, and shell completion of keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citeshelf import exitcodes
from tests.conftest import snapshot


def _tags(lib: Path, key: str) -> list[str]:
    return json.loads((lib / f"{key}.json").read_text(encoding="utf-8")).get("tags", [])


def test_tag_adds_and_removes_on_several_records(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "tag", "aris2014collective", "cottey2014nato", "+security", "+to read")
    assert (r.exit_code, r.stderr) == (0, "")
    assert r.stdout == (
        "aris2014collective: security, to read\ncottey2014nato: security, to read\n"
    )
    assert _tags(handbook_lib, "cottey2014nato") == ["security", "to read"]
    r = cs(handbook_lib, "tag", "aris2014collective", "cottey2014nato", "-TO  READ", "+Security")
    assert r.stdout == "aris2014collective: security\ncottey2014nato: security\n"
    r = cs(handbook_lib, "tag", "aris2014collective", "+security", "--json")
    assert json.loads(r.stdout) == [
        {"key": "aris2014collective", "tags": ["security"], "changed": False}
    ]
    assert cs(handbook_lib, "tag", "aris2014collective", "-security").stdout == (
        "aris2014collective: no tags\n"
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["aris2014collective", "+a", "b"],
            exitcodes.USAGE,
            "'b' has no + or -: write +b to add the tag or -b to remove it (keys come first)",
        ),
        (
            ["aris2014collective", "security"],
            exitcodes.USAGE,
            "no tag given: write +NAME to add a tag, -NAME to remove one "
            "('security' has no + or -: +security adds it)",
        ),
        (["aris2014collective", "+"], exitcodes.USAGE, "'+' names no tag: write +NAME"),
        (["aris2014collective", "+a,b"], exitcodes.USAGE, "a tag cannot hold ',' or ';': 'a,b'"),
        (
            ["aris2014collective", "Cottey2014nato", "+x"],
            exitcodes.NOT_FOUND,
            "no record 'Cottey2014nato' in {lib}; did you mean 'cottey2014nato'?; nothing changed",
        ),
    ],
)
def test_tag_mistakes_are_one_line_and_change_nothing(
    cs, handbook_lib: Path, args: list[str], code: int, message: str
) -> None:
    before = snapshot(handbook_lib)
    r = cs(handbook_lib, "tag", *args)
    assert (r.exit_code, r.stdout) == (code, "")
    assert r.stderr == f"citeshelf: error: {message.format(lib=handbook_lib)}\n"
    assert snapshot(handbook_lib) == before


def test_tags_counts_and_list_by_tag(cs, handbook_lib: Path) -> None:
    assert cs(handbook_lib, "tags").stdout == ""
    cs(handbook_lib, "tag", "aris2014collective", "cottey2014nato", "+security")
    cs(handbook_lib, "tag", "cottey2014nato", "+to read", "+Élite")
    r = cs(handbook_lib, "tags")
    assert (r.exit_code, r.stdout) == (0, "2\tsecurity\n1\tÉlite\n1\tto read\n")
    assert json.loads(cs(handbook_lib, "tags", "--json").stdout) == [
        {"tag": "security", "count": 2},
        {"tag": "Élite", "count": 1},
        {"tag": "to read", "count": 1},
    ]
    r = cs(handbook_lib, "list", "tag:security", "--keys")
    assert r.stdout == "aris2014collective\ncottey2014nato\n"
    assert cs(handbook_lib, "list", 'tag:"to read"', "--keys").stdout == "cottey2014nato\n"
    assert cs(handbook_lib, "list", "tag:elite", "--keys").stdout == "cottey2014nato\n"


def test_tags_reads_the_index_and_counts_as_the_files_say(
    cs, handbook_lib: Path, monkeypatch
) -> None:
    """``tags`` counts from the query index (no record file is validated),
    with the same counts, spellings and problems as from the files."""
    path = handbook_lib / "aris2014collective.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["tags"] = ["EU  policy", "eu policy", "Zeta"]  # hand-edited: spaces collapse
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    cs(handbook_lib, "tag", "cottey2014nato", "+eu policy", "+zeta")
    (handbook_lib / "broken2000x.json").write_text("{", encoding="utf-8")
    from citeshelf.library import store

    def refuse(*args, **kwargs):
        raise AssertionError("tags validated the record files")

    with monkeypatch.context() as m:
        m.setattr(store.RecordStore, "load_all", refuse)
        indexed = cs(handbook_lib, "tags")
    from_files = cs(handbook_lib, "tags", env={"CITESHELF_INDEX_DIR": "off"})
    assert indexed.stdout == from_files.stdout == "2\tEU policy\n2\tZeta\n"
    assert indexed.stderr == from_files.stderr
    assert "broken2000x" in indexed.stderr


def test_tags_on_a_terminal_is_a_table(cs, handbook_lib: Path, monkeypatch) -> None:
    from citeshelf import render

    cs(handbook_lib, "tag", "aris2014collective", "+security")
    monkeypatch.setattr(render, "stdout_is_terminal", lambda: True)
    assert cs(handbook_lib, "tags").stdout == "Tag       Records\nsecurity  1\n1 tag\n"


def test_tags_are_exported_as_keywords(cs, handbook_lib: Path) -> None:
    cs(handbook_lib, "tag", "aris2014collective", "+to read")
    out = cs(handbook_lib, "export", "aris2014collective", "--format", "biblatex").stdout
    assert "  keywords = {to read},\n" in out and "tags =" not in out
    out = cs(handbook_lib, "export", "aris2014collective", "--format", "csl-json").stdout
    [item] = [i for i in json.loads(out) if i["id"] == "aris2014collective"]
    assert item["keyword"] == "to read"


# -- shell completion -------------------------------------------------------------


def _complete(monkeypatch, lib: Path, words: str) -> str:
    """What bash completion prints for the command line ``words`` (the cursor at its end)."""
    from click.testing import CliRunner

    from citeshelf.cli.main import cli

    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    env = {
        "CITESHELF_LIBRARY": str(lib),
        "COMP_WORDS": words,
        "COMP_CWORD": str(cword),
        "_CITESHELF_COMPLETE": "bash_complete",
    }
    r = CliRunner().invoke(cli, [], env=env, prog_name="citeshelf")
    assert r.exit_code == 0, r.output
    return r.stdout


def test_bash_completes_commands_options_and_keys(monkeypatch, handbook_lib: Path) -> None:
    assert _complete(monkeypatch, handbook_lib, "citeshelf ta") == "plain,tag\nplain,tags\n"
    assert "plain,--keys\n" in _complete(monkeypatch, handbook_lib, "citeshelf list --k")
    assert _complete(monkeypatch, handbook_lib, "citeshelf show cot") == (
        "plain,cottey2014europe\nplain,cottey2014nato\n"
    )
    assert _complete(monkeypatch, handbook_lib, "citeshelf tag aris2014collective cott") == (
        "plain,cottey2014europe\nplain,cottey2014nato\n"
    )
    assert _complete(monkeypatch, handbook_lib, "citeshelf tag aris2014collective +").strip() == ""
    assert _complete(monkeypatch, handbook_lib, "citeshelf rm zzz").strip() == ""


def test_key_completion_loads_no_model(tmp_path: Path, handbook_lib: Path) -> None:
    import os
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from citeshelf.cli.main import cli\n"
        "try:\n"
        "    cli.main(prog_name='citeshelf')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('pydantic' in sys.modules, file=sys.stderr)\n"
    )
    env = {
        **os.environ,
        "CITESHELF_LIBRARY": str(handbook_lib),
        "COMP_WORDS": "citeshelf edit sperling",
        "COMP_CWORD": "2",
        "_CITESHELF_COMPLETE": "bash_complete",
    }
    p = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60
    )
    assert p.stdout == (
        "plain,sperling2014european\nplain,sperling2014handbook\nplain,sperling2014regime\n"
    )
    assert p.stderr.strip() == "False"
