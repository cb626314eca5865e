"""citeshelf chapters finds a book's chapters through the index, and the same
without it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def test_chapters_with_and_without_index(
    cs, handbook_lib: Path, monkeypatch: pytest.MonkeyPatch, index_dir: Path
) -> None:
    with_index = cs(handbook_lib, "chapters", "sperling2014handbook")
    assert with_index.exit_code == 0
    assert any(index_dir.iterdir())
    monkeypatch.setenv("CITESHELF_INDEX_DIR", "off")
    without = cs(handbook_lib, "chapters", "sperling2014handbook")
    assert with_index.stdout == without.stdout
    assert with_index.stdout.splitlines()[1] == "18 chapters in the library"


def test_chapters_follow_new_and_moved_chapters(cs, handbook_lib: Path) -> None:
    assert (
        cs(handbook_lib, "chapters", "sperling2014handbook").stdout.splitlines()[1]
        == "18 chapters in the library"
    )
    new = {
        "type": "chapter",
        "key": "new2014chapter",
        "title": "A new chapter",
        "parent": "sperling2014handbook",
        "chapter": "40",
        "authors": [{"family": "Néwman", "given": "Ann"}],
    }
    (handbook_lib / "new2014chapter.json").write_text(
        json.dumps(new, ensure_ascii=False), encoding="utf-8"
    )
    out = cs(handbook_lib, "chapters", "sperling2014handbook").stdout
    assert out.splitlines()[1] == "19 chapters in the library"
    assert "40   Néwman" in out
    # a chapter moved to another book leaves this one
    path = handbook_lib / "aris2014collective.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["parent"] = "new2014chapter"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = cs(handbook_lib, "chapters", "sperling2014handbook").stdout
    assert out.splitlines()[1] == "18 chapters in the library"
    assert "aris2014collective" not in out


def test_chapters_from_the_index_print_what_the_model_prints(
    cs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unnumbered chapters by first page (roman numerals first), et al., a suffix,
    several editors: the index's rendering equals the model's."""
    lib = tmp_path / "lib"
    lib.mkdir()
    book = {
        "type": "book",
        "key": "book",
        "title": "A book",
        "subtitle": "With a subtitle",
        "editors": [
            {"family": "Mérand", "given": "Frédéric"},
            {"family": "Berg", "particle": "van der", "given": "Ann"},
            {"family": "King", "given": "Martin", "suffix": "Jr."},
        ],
        "issued": "2001-05",
        "publisher": "Presses de Sciences Po",
    }
    chapters = [
        {"key": "c1", "chapter": "2", "pages": "10-20", "authors": ["Smith, Ann", "Jones, Bo"]},
        {"key": "c2", "pages": "xii-xv", "authors": [{"literal": "World Health Organization"}]},
        {
            "key": "c3",
            "pages": "5",
            "authors": [{"family": "A"}, {"family": "B"}, {"family": "C"}, {"family": "D"}],
        },
        {"key": "c4", "chapter": "10a", "authors": [{"family": "Solo"}], "authors_et_al": True},
        {"key": "c5", "pages": "A1"},
        {"key": "c6", "chapter": "1", "title": "Intro", "subtitle": "Why"},
    ]
    (lib / "book.json").write_text(json.dumps(book, ensure_ascii=False), encoding="utf-8")
    for c in chapters:
        data = {"type": "chapter", "title": f"Chapter {c['key']}", "parent": "book", **c}
        (lib / f"{c['key']}.json").write_text(
            json.dumps(data, ensure_ascii=False), encoding="utf-8"
        )
    (lib / "bad.json").write_text(
        '{"type": "chapter", "key": "bad", "parent": "book", "pages": "1,2"}', encoding="utf-8"
    )
    fast = cs(lib, "chapters", "book")
    monkeypatch.setenv("CITESHELF_INDEX_DIR", "off")
    slow = cs(lib, "chapters", "book")
    assert fast.exit_code == slow.exit_code == 0
    assert fast.stdout == slow.stdout
    assert fast.stderr == slow.stderr
    assert "skipped an unreadable record file" in fast.stderr and "bad.json" in fast.stderr
    lines = fast.stdout.splitlines()
    assert lines[0] == (
        "A book: With a subtitle, eds. Frédéric Mérand, Ann van der Berg, and Martin King, Jr. "
        "(Presses de Sciences Po, 2001)"
    )
    assert [line.split()[-1] for line in lines[4:]] == ["c6", "c1", "c4", "c2", "c3", "c5"]


def test_chapters_errors_are_the_same(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "chapters", "aris2014collective")
    assert r.exit_code == 2
    assert (
        r.stderr
        == "citeshelf: error: 'aris2014collective' is a chapter, not a book; its book is 'sperling2014handbook'\n"
    )
    r = cs(handbook_lib, "chapters", "nosuchbook")
    assert r.exit_code == 3 and "no record 'nosuchbook'" in r.stderr
