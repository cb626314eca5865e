"""kill -9 at seeded random moments: an import (or update) is all or nothing,
and the next command leaves no temporary or staging file behind."""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest

from citeshelf import exitcodes
from citeshelf.library import Library
from citeshelf.library.store import JOURNAL

from ..test_store import book
from .helpers import env_for, keys, leftovers, record, run, start, write_bib


def _kill_at_random(lib: Path, env: dict, args: list[str], rng: random.Random, most: float):
    p = start(lib, *args, env=env)
    time.sleep(rng.uniform(0.05, most))
    p.send_signal(signal.SIGKILL)
    p.communicate(timeout=60)
    return p.returncode


def _killed_imports(lib: Path, tmp_path: Path, kills: int, entries: int, seed: int) -> dict:
    rng = random.Random(seed)
    env = env_for(tmp_path)
    outcome = {"none": 0, "all": 0}
    for n in range(kills):
        bib = write_bib(tmp_path / f"in{n}.bib", entries, prefix=f"r{n}x")
        before = keys(lib)
        _kill_at_random(lib, env, ["import", str(bib)], rng, 2.0)
        r = run(lib, "check", env=env)  # the next command cleans up after the crash
        assert r.returncode in (0, exitcodes.INVALID_DATA), r.stderr
        assert "Traceback" not in r.stderr
        assert leftovers(lib) == []
        after = keys(lib)
        new = {f"r{n}x{i}" for i in range(entries)}
        assert after in (before, before | new), len(after - before)
        outcome["all" if after != before else "none"] += 1
    assert run(lib, "check", env=env).returncode == 0
    return outcome


def _killed_updates(lib: Path, tmp_path: Path, kills: int, entries: int, seed: int) -> None:
    rng = random.Random(seed)
    env = env_for(tmp_path)
    first = write_bib(tmp_path / "first.bib", entries, prefix="u", title="Old")
    assert run(lib, "import", str(first), env=env).returncode == 0
    for n in range(kills):
        title = f"New{n}"
        bib = write_bib(tmp_path / f"up{n}.bib", entries, prefix="u", title=title)
        titles_before = {record(lib, f"u{i}")["title"].split()[0] for i in range(entries)}
        _kill_at_random(lib, env, ["import", str(bib), "--on-duplicate", "update"], rng, 2.0)
        run(lib, "list", env=env)
        assert leftovers(lib) == []
        titles = {record(lib, f"u{i}")["title"].split()[0] for i in range(entries)}
        assert len(titles) == 1, titles  # never partly applied
        assert titles <= titles_before | {title}


def test_killed_imports_are_all_or_nothing(empty_lib, tmp_path) -> None:
    _killed_imports(empty_lib, tmp_path, kills=2, entries=150, seed=13)


def test_killed_updates_are_all_or_nothing(empty_lib, tmp_path) -> None:
    _killed_updates(empty_lib, tmp_path, kills=2, entries=100, seed=7)


@pytest.mark.slow
def test_thirty_killed_imports_are_all_or_nothing(empty_lib, tmp_path) -> None:
    outcome = _killed_imports(empty_lib, tmp_path, kills=30, entries=1500, seed=2024)
    print(f"30 killed imports of 1,500 entries: {outcome}")


@pytest.mark.slow
def test_ten_killed_updates_are_all_or_nothing(empty_lib, tmp_path) -> None:
    _killed_updates(empty_lib, tmp_path, kills=10, entries=1500, seed=99)


def test_a_commit_cut_short_is_rolled_forward(empty_lib) -> None:
    lib = Library(empty_lib)
    lib.create(book("gone"))
    staged = [(lib.stage(book(k)), k) for k in ("b1", "b2", "b3")]
    # what a process killed during the commit leaves: the journal, one file moved in
    applied: list[str] = []
    real_apply = Library._apply

    def one_then_die(self, moves, deletes):
        real_apply(self, moves[:1], [])
        applied.append(moves[0][1])
        raise KeyboardInterrupt

    Library._apply = one_then_die  # type: ignore[method-assign]
    try:
        with pytest.raises(KeyboardInterrupt):
            lib.commit_staged(staged, delete=["gone"])
    finally:
        Library._apply = real_apply  # type: ignore[method-assign]
    assert applied == ["b1"]
    assert (empty_lib / JOURNAL).exists()
    # the staged files of the others are still there (they are the commit) ...
    # ... until the next reader rolls the commit forward
    assert Library(empty_lib).keys() == ["b1", "b2", "b3"]
    assert not (empty_lib / JOURNAL).exists()
    assert sorted(f for f in os.listdir(empty_lib) if not f.startswith(".staging-")) == [
        "b1.json",
        "b2.json",
        "b3.json",
    ]


def test_abandoned_leftovers_are_removed_and_reported(cs, empty_lib) -> None:
    Library(empty_lib).create(book("kept"))
    (empty_lib / ".tmp-abc.json.part").write_text("{", encoding="utf-8")
    staging = empty_lib / ".staging-999999-x"
    staging.mkdir()
    (staging / ".tmp-1.json.part").write_text("{}", encoding="utf-8")
    r = cs(empty_lib, "check")
    assert r.exit_code == exitcodes.INVALID_DATA
    assert f"{empty_lib / '.tmp-abc.json.part'}: left by an interrupted write; cleaned up" in (
        r.stdout
    )
    assert f"{staging}: left by an interrupted write; cleaned up" in r.stdout
    assert sorted(os.listdir(empty_lib)) == ["kept.json"]
    assert cs(empty_lib, "check").exit_code == 0


def test_a_live_staging_folder_is_left_alone(empty_lib) -> None:
    lib = Library(empty_lib)
    handle = lib.stage(book("pending"))
    lib.flush_staged()  # (a thread of the store's writes it)
    other = Library(empty_lib)
    assert other.clean_leftovers() == []
    assert os.path.exists(handle)
    lib.commit_staged([(handle, "pending")])
    assert os.listdir(empty_lib) == ["pending.json"]
