"""Several processes on one library: no lost update, no orphaned chapter, a
clear "library busy" when the lock is held too long."""

from __future__ import annotations

import pytest

from citeshelf import exitcodes
from citeshelf.library import Library

from ..test_store import book
from .helpers import env_for, keys, leftovers, record, run, start


def _edits_all_kept(lib, tmp_path, writers: int) -> None:
    Library(lib).create(book("t"))
    env = env_for(tmp_path)
    procs = [start(lib, "edit", "t", "--set", f"extra.w{i}=v{i}", env=env) for i in range(writers)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * writers, [e for _, e in outs]
    assert all(out == "updated t\n" for out, _ in outs)
    assert record(lib, "t")["extra"] == {f"w{i}": f"v{i}" for i in range(writers)}
    assert leftovers(lib) == []


def test_concurrent_edits_of_one_record_are_all_kept(empty_lib, tmp_path) -> None:
    _edits_all_kept(empty_lib, tmp_path, 4)


@pytest.mark.slow
def test_sixteen_concurrent_edits_of_one_record_are_all_kept(empty_lib, tmp_path) -> None:
    _edits_all_kept(empty_lib, tmp_path, 16)


def _rm_racing_add_chapter(lib, tmp_path, rounds: int) -> None:
    env = env_for(tmp_path)
    for n in range(rounds):
        run(lib, "add", "book", "--title", "B", "--key", f"bk{n}", "--no-input", env=env)
        run(lib, "add", "chapter", "--parent", f"bk{n}", "--title", "First", "--no-input", env=env)
        adds = [
            start(
                lib,
                "add",
                "chapter",
                "--parent",
                f"bk{n}",
                "--title",
                f"C{i}",
                "--no-input",
                env=env,
            )
            for i in range(2)
        ]
        rm = start(lib, "rm", f"bk{n}", "--with-chapters", "--yes", env=env)
        for p in [*adds, rm]:
            p.communicate(timeout=120)
            assert p.returncode in (0, exitcodes.NOT_FOUND, exitcodes.CONFLICT)
        # no chapter names a book that is gone
        for key in keys(lib):
            parent = record(lib, key).get("parent")
            assert parent is None or parent in keys(lib), (key, parent)
    assert leftovers(lib) == []


def test_rm_with_chapters_racing_add_chapter_leaves_no_orphan(empty_lib, tmp_path) -> None:
    _rm_racing_add_chapter(empty_lib, tmp_path, 1)


@pytest.mark.slow
def test_rm_with_chapters_racing_add_chapter_ten_rounds(empty_lib, tmp_path) -> None:
    _rm_racing_add_chapter(empty_lib, tmp_path, 10)


def test_a_held_lock_gives_library_busy(empty_lib, tmp_path) -> None:
    other = Library(empty_lib)
    other.create(book("t"))
    with other.locked():
        r = run(
            empty_lib,
            "edit",
            "t",
            "--set",
            "note=x",
            env=env_for(tmp_path, CITESHELF_LOCK_TIMEOUT="0.3"),
        )
    assert r.returncode == exitcodes.BUSY
    assert r.stderr.startswith("citeshelf: error: library busy: another citeshelf process")
    assert r.stderr.count("\n") == 1
    assert "note" not in record(empty_lib, "t")


def test_an_edit_waits_for_the_lock_and_keeps_the_other_change(empty_lib) -> None:
    import threading

    from citeshelf.ops.editing import set_fields

    lib = Library(empty_lib)
    lib.create(book("t"))
    holder = Library(empty_lib)
    started = threading.Event()
    done: list[str] = []

    def edit() -> None:
        started.set()
        done.append(str(set_fields(Library(empty_lib), "t", ["extra.b=2"]).changed))

    with holder.locked():
        t = threading.Thread(target=edit)
        t.start()
        started.wait()
        current = holder.get("t")
        extra = {**current.extra, "a": "1"}
        holder.update(current.model_copy(update={"extra": extra}))
    t.join(10)
    assert done == ["True"]
    assert record(empty_lib, "t")["extra"] == {"a": "1", "b": "2"}


def test_an_update_refuses_a_record_changed_since_it_was_read(empty_lib) -> None:
    from citeshelf.errors import Conflict
    from citeshelf.library import dumps_record

    lib = Library(empty_lib)
    lib.create(book("t"))
    seen = dumps_record(lib.get("t"))
    lib.update(lib.get("t").model_copy(update={"note": "by another process"}))
    with pytest.raises(Conflict, match="changed by another process"):
        lib.update(lib.get("t").model_copy(update={"note": "mine"}), expected=seen)
    assert record(empty_lib, "t")["note"] == "by another process"
