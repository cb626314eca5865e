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


def test_a_commit_names_each_file_as_path_for_does(empty_lib: Path) -> None:
    """A commit of many records spells each file's path as text, without
    a ``Path`` a key: the same names as :meth:`path_for`, a key that is no
    safe file name spelled the same way, an invalid key refused alike."""
    from citeshelf.errors import UsageError

    lib = Library(empty_lib)
    keys = ["plain2014", "Ünïcode", "with space", "a:b/c", "../up", ".dot", "dash-and_under"]
    assert lib._path_texts(keys) == [str(lib.path_for(k)) for k in keys]
    with pytest.raises(UsageError) as texts:
        lib._path_texts(["fine", "a,b"])
    with pytest.raises(UsageError) as paths:
        lib.path_for("a,b")
    assert str(texts.value) == str(paths.value)
    staged = [(lib.stage(book(k)), k) for k in keys]
    paths_made = lib.commit_staged(staged)
    assert paths_made == [lib.path_for(k) for k in keys]
    assert all(p.is_file() for p in paths_made)
    assert sorted(lib.keys()) == sorted(keys)
    # the staged files were moved in: nothing staged is left or remembered
    assert hidden(empty_lib) == []
    assert lib._staged_digests == {}
    assert set(lib.written) == set(keys)


def test_a_commit_that_replaces_and_deletes_names_files_as_path_for_does(
    empty_lib: Path,
) -> None:
    lib = Library(empty_lib)
    for k in ("old one", "gone:key"):
        lib.create(book(k))
    replaced = book("old one").model_copy(update={"title": "Replaced"})
    lib.commit_staged(
        [(lib.stage(book("new/key")), "new/key")],
        replace=[(lib.stage(replaced), "old one")],
        delete=["gone:key"],
    )
    assert sorted(lib.keys()) == ["new/key", "old one"]
    assert lib.get("old one").title == "Replaced"
    assert not lib.path_for("gone:key").exists()
    assert hidden(empty_lib) == []
