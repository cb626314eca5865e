"""The freshness scan's ``stat`` of many files, shared with forked processes
(``library/scan.stat_names``): the same names, times and sizes, in the same
order, as one process gives; a file named but not there is left out; a
process that cannot be forked or fails leaves its share to this one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from citeshelf.library import scan
from citeshelf.library.scan import Scan, stat_names

from .generated import generated_library


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "records"
    out.mkdir()
    for i in range(103):
        (out / f"k{i:03d}.json").write_text("x" * i, encoding="utf-8")
        os.utime(out / f"k{i:03d}.json", ns=(10**18 + i, 10**18 + 7 * i))
    return out


@pytest.fixture
def forks(monkeypatch):
    """Shares for every few files, four processes; counts the forks."""
    monkeypatch.setattr(scan, "FORK_MIN", 10)
    monkeypatch.setattr(scan, "_processes", lambda: 4)
    made: list[int] = []
    real = os.fork

    def fork() -> int:
        pid = real()
        if pid:
            made.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    return made


def stat_alone(folder: Path, names: list[str]):
    fd = os.open(folder, os.O_RDONLY)
    try:
        return scan._stat_here(fd, names)
    finally:
        os.close(fd)


def shared(folder: Path, names: list[str]):
    fd = os.open(folder, os.O_RDONLY)
    try:
        return stat_names(fd, names)
    finally:
        os.close(fd)


def test_shared_among_processes_the_same_as_alone(folder, forks):
    names = os.listdir(folder)
    # two names of files that are not there: left out, wherever they fall
    names[5:5] = ["gone-a.json"]
    names.append("gone-b.json")
    alone = stat_alone(folder, names)
    got = shared(folder, names)
    assert len(forks) == 3  # three forked, this process the fourth
    assert got == alone
    kept, mtimes, sizes = got
    assert "gone-a.json" not in kept and "gone-b.json" not in kept and len(kept) == 103
    i = kept.index("k042.json")
    assert (mtimes[i], sizes[i]) == (10**18 + 7 * 42, 42)


def test_a_scan_of_a_library_is_the_same_shared_or_not(tmp_path, forks, monkeypatch):
    lib = generated_library(tmp_path / "records", 150)
    many = Scan.of(lib)
    assert forks
    monkeypatch.setattr(scan, "FORK_MIN", 10**9)
    one = Scan.of(lib)
    assert (many.names, many.mtimes, many.sizes) == (one.names, one.mtimes, one.sizes)
    assert many.digest() == one.digest()


def test_a_fork_that_fails_leaves_its_share_here(folder, forks, monkeypatch):
    names = os.listdir(folder)
    alone = stat_alone(folder, names)

    def no_fork() -> int:
        raise OSError("no more processes")

    monkeypatch.setattr(os, "fork", no_fork)
    assert shared(folder, names) == alone


def test_a_process_that_sends_too_little_leaves_its_share_here(folder, forks, monkeypatch):
    names = os.listdir(folder)
    alone = stat_alone(folder, names)
    real_write = os.write

    def short_write(fd: int, data) -> int:  # in the forked process: half its bytes, then done
        return real_write(fd, bytes(data[: max(1, len(data) // 2)])) and len(data)

    monkeypatch.setattr(os, "write", short_write)
    assert shared(folder, names) == alone
    assert forks


def test_list_and_the_cite_check_see_an_edit_in_place_with_shared_scans(
    cs, tmp_path, forks, monkeypatch
):
    import json

    from citeshelf.ops import citememo

    lib = generated_library(tmp_path / "records", 150)
    path = sorted(lib.glob("*.json"))[7]
    before = cs(lib, "list", "--keys").stdout
    state = citememo._state(lib, 2 * 10**18)
    assert forks and state
    data = json.loads(path.read_text(encoding="utf-8"))
    data["title"] = "Edited in place with the same folder time"
    with open(path, "r+", encoding="utf-8") as fh:  # no rename: the folder's time stays
        fh.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        fh.truncate()
    os.utime(path, ns=(10**18, 10**18 + 5))
    assert citememo._state(lib, 2 * 10**18) not in (None, state)
    r = cs(lib, "list", "title:edited")
    assert path.stem in r.stdout
    assert cs(lib, "list", "--keys").stdout == before


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="Linux's /proc: where scans fork")
def test_no_fork_while_another_thread_runs():
    import threading

    if len(os.listdir("/proc/self/task")) == 1:  # (no thread left by another test)
        assert scan._processes() == min(len(os.sched_getaffinity(0)), scan.FORK_MAX)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert scan._processes() == 1
    finally:
        stop.set()
        other.join()
