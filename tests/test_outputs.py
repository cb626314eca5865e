"""The whole outputs kept beside the index (citeshelf.library.outputs): read
back as written, never when cut short or made for another digest, replaced
whole by a concurrent writer, and swept when other code made them."""

from __future__ import annotations

import os

import pytest

from citeshelf.library.outputs import Outputs


def write(outputs: Outputs, variant: str, digest: str, parts: list[bytes]) -> None:
    writer = outputs.writer(variant, digest)
    for part in parts:
        assert writer.add(part)
    assert writer.finish()


def test_an_output_is_read_back_in_its_parts(tmp_path):
    outputs = Outputs(tmp_path / "out")
    parts = [b"@book{a,\n}\n", b"", b"\n\xc3\xa9\n" * 1000, b"12\n34"]
    write(outputs, "code|bibtex", "d1", parts)
    kept = outputs.read("code|bibtex", "d1")
    assert kept is not None and list(kept) == parts
    assert outputs.kept() == [("code|bibtex", "d1", parts)]
    # another digest (the files changed) or another variant: nothing
    assert outputs.read("code|bibtex", "d2") is None
    assert outputs.read("code|biblatex", "d1") is None
    # nothing but the output itself is left in the folder
    assert len(os.listdir(tmp_path / "out")) == 1


@pytest.mark.parametrize("cut", [1, 10, 31, 200])
def test_an_output_cut_short_is_never_read(tmp_path, cut):
    outputs = Outputs(tmp_path)
    write(outputs, "v", "d", [b"x" * 100, b"y" * 100])
    (path,) = tmp_path.iterdir()
    data = path.read_bytes()
    path.write_bytes(data[:-cut])
    assert outputs.read("v", "d") is None
    assert outputs.kept() == []
    path.write_bytes(data + b"more")  # grown: the trailer is not at the end
    assert outputs.read("v", "d") is None


def test_an_unfinished_output_is_not_read_and_leaves_no_file(tmp_path):
    outputs = Outputs(tmp_path)
    write(outputs, "v", "d", [b"old"])
    writer = outputs.writer("v", "d2")
    assert writer.add(b"new")
    assert list(outputs.read("v", "d") or []) == [b"old"]  # the one before, until finished
    assert outputs.read("v", "d2") is None
    writer.discard()
    assert sorted(p.name.startswith(".") for p in tmp_path.iterdir()) == [False]
    assert list(outputs.read("v", "d") or []) == [b"old"]


def test_two_writers_at_once_each_replace_the_output_whole(tmp_path):
    outputs = Outputs(tmp_path)
    first, second = outputs.writer("v", "d1"), outputs.writer("v", "d2")
    for n in range(3):
        first.add(b"first %d" % n)
        second.add(b"second %d" % n)
    reading = outputs.read("v", "d1")
    assert second.finish() and first.finish()
    assert list(outputs.read("v", "d1") or []) == [b"first 0", b"first 1", b"first 2"]
    assert outputs.read("v", "d2") is None
    assert reading is None  # none was kept when it looked
    # a reader that opened the output before it was replaced reads the one it opened
    reading = outputs.read("v", "d1")
    write(outputs, "v", "d3", [b"third"])
    assert list(reading or []) == [b"first 0", b"first 1", b"first 2"]


def test_a_sweep_drops_other_codes_outputs_and_dead_temporary_files(tmp_path):
    outputs = Outputs(tmp_path)
    write(outputs, "new|bibtex", "d", [b"a"])
    write(outputs, "old|bibtex", "d", [b"b"])
    (tmp_path / "stray.txt").write_text("not ours")
    (tmp_path / "damaged.out").write_bytes(b"not an output")
    dead = tmp_path / ".x.out.999999999.abcd.part"  # no such process
    dead.write_bytes(b"")
    alive = tmp_path / f".x.out.{os.getpid()}.abcd.part"  # being written
    alive.write_bytes(b"")
    outputs.sweep("new|")
    assert [v for v, _, _ in outputs.kept()] == ["new|bibtex"]
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".out")) == sorted(
        [alive.name, "stray.txt"]
    )
    assert not (tmp_path / "damaged.out").exists()
    outputs.clear()
    assert outputs.kept() == [] and (tmp_path / "stray.txt").exists()


def test_a_folder_that_cannot_be_written_keeps_nothing(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder would be")
    outputs = Outputs(blocker / "out")
    writer = outputs.writer("v", "d")
    assert not writer.open
    assert not writer.add(b"x") and not writer.finish()
    assert outputs.read("v", "d") is None and outputs.kept() == []
    outputs.sweep("v")
    outputs.clear()
