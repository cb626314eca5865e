"""Staged writes: many new records written one at a time, visible all at once or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from citeshelf.errors import AlreadyExists
from citeshelf.library import Library, dumps_record

from .conftest import snapshot
from .test_store import book


def hidden(folder: Path) -> list[str]:
    return sorted(p for p in os.listdir(folder) if p.startswith("."))


def test_staged_records_are_invisible_until_committed(empty_lib: Path) -> None:
    lib = Library(empty_lib)
    staged = [(lib.stage(book(k)), k) for k in ("b1", "b2", "b3")]
    assert lib.keys() == []
    # staged in one hidden staging folder, which the commit removes
    (staging,) = hidden(empty_lib)
    assert staging.startswith(".staging-")
    lib.flush_staged()  # (a thread of the store's writes them)
    assert len(os.listdir(empty_lib / staging)) == 3
    paths = lib.commit_staged(staged)
    assert [p.name for p in paths] == ["b1.json", "b2.json", "b3.json"]
    assert lib.keys() == ["b1", "b2", "b3"]
    assert hidden(empty_lib) == []
    got = lib.get("b2")
    assert got.added is not None
    # the file is exactly what create() writes
    assert (empty_lib / "b2.json").read_text(encoding="utf-8") == dumps_record(got)
    # one stamp for the lot
    assert lib.get("b1").added == lib.get("b3").added


def test_commit_staged_is_all_or_nothing(empty_lib: Path) -> None:
    lib = Library(empty_lib)
    lib.create(book("taken"))
    before = snapshot(empty_lib)
    staged = [(lib.stage(book(k)), k) for k in ("new1", "new2", "taken")]
    with pytest.raises(AlreadyExists, match="'taken' already exists; nothing was saved"):
        lib.commit_staged(staged)
    assert snapshot(empty_lib) == before
    with pytest.raises(AlreadyExists, match="two new records share the key"):
        lib.commit_staged([(lib.stage(book("Dup")), "Dup"), (lib.stage(book("dup")), "dup")])
    with pytest.raises(AlreadyExists, match="differs only in letter case"):
        lib.commit_staged([(lib.stage(book("TAKEN")), "TAKEN")])
    assert snapshot(empty_lib) == before  # the staged files are gone too


def test_discard_staged_removes_only_staged_files(empty_lib: Path) -> None:
    lib = Library(empty_lib)
    lib.create(book("kept"))
    temps = [lib.stage(book(k)) for k in ("x1", "x2")]
    lib.discard_staged(temps)
    assert os.listdir(empty_lib) == ["kept.json"]
