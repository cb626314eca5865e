"""citeshelf chapters finds a book's chapters through the index, and the same
without it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def index_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CITESHELF_INDEX_DIR", str(folder))
    monkeypatch.delenv("CITESHELF_INDEX_CHECK", raising=False)
    return folder


def test_chapters_with_and_without_index(cs, handbook_lib: Path, monkeypatch: pytest.MonkeyPatch,
                                         index_dir: Path) -> None:
    with_index = cs(handbook_lib, "chapters", "sperling2014handbook")
    assert with_index.exit_code == 0
    assert any(index_dir.iterdir())
    monkeypatch.setenv("CITESHELF_INDEX_DIR", "off")
    without = cs(handbook_lib, "chapters", "sperling2014handbook")
    assert with_index.stdout == without.stdout
    assert with_index.stdout.splitlines()[1] == "18 chapters in the library"


def test_chapters_follow_new_and_moved_chapters(cs, handbook_lib: Path) -> None:
    assert cs(handbook_lib, "chapters", "sperling2014handbook").stdout.splitlines()[1] == "18 chapters in the library"
    new = {"type": "chapter", "key": "new2014chapter", "title": "A new chapter", "parent": "sperling2014handbook",
           "chapter": "40", "authors": [{"family": "Néwman", "given": "Ann"}]}
    (handbook_lib / "new2014chapter.json").write_text(json.dumps(new, ensure_ascii=False), encoding="utf-8")
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
