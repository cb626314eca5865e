"""One hostile file in records/ never hangs or crashes a command: it is
reported (by name) and skipped, and the other records still work."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from citeshelf import exitcodes
from citeshelf.library import Library
from citeshelf.library.safeio import MAX_DEPTH

from ..test_store import book


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _outside_link(path: Path) -> None:
    target = path.parent.parent / "elsewhere.json"
    target.write_text('{"type": "book", "key": "bad", "title": "T"}', encoding="utf-8")
    path.symlink_to(target)


def _text(content: str):
    def make(path: Path) -> None:
        path.write_text(content, encoding="utf-8")

    return make


BAD = {
    "fifo": _fifo,
    "symlink to /dev/zero": _dev_zero,
    "symlink out of the library": _outside_link,
    "lone surrogate": _text('{"type": "book", "key": "bad", "title": "\\ud800"}'),
    "nested 1000 deep": _text(
        '{"type": "book", "key": "bad", "extra": {"x": ' + "[" * 1000 + "]" * 1000 + "}}"
    ),
    "4,300-digit integer": _text(
        '{"type": "book", "key": "bad", "extra": {"n": ' + "9" * 4300 + "}}"
    ),
    "too big": _text('{"type": "book", "key": "bad", "title": "' + "x" * 5000 + '"}'),
    "not UTF-8": lambda p: p.write_bytes(b'{"type": "book", "key": "bad", "title": "\xff"}'),
}

COMMANDS = [
    ("list",),
    ("list", "--json"),
    ("list", "title:Handbook"),
    ("show", "good"),
    ("cite", "good"),
    ("bibliography",),
    ("export",),
    ("check",),
    ("reindex",),
    ("edit", "good", "--set", "note=n"),
    ("chapters", "good"),
]


@pytest.fixture
def bad_lib(empty_lib: Path, request, monkeypatch) -> Path:
    Library(empty_lib).create(book("good"))
    BAD[request.param](empty_lib / "bad.json")
    monkeypatch.setenv("CITESHELF_MAX_RECORD_BYTES", "4096")
    return empty_lib


def _alarm(signum, frame):  # pragma: no cover - only when a command hangs
    raise TimeoutError("the command hung on a bad file")


@pytest.mark.parametrize("bad_lib", list(BAD), indirect=True)
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_bad_file_is_reported_and_skipped(cs, bad_lib: Path, args) -> None:
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(20)
    try:
        r = cs(bad_lib, *args)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert "Traceback" not in r.output
    assert r.exit_code in (exitcodes.OK, exitcodes.INVALID_DATA), r.output
    if args[0] in ("check", "list", "export", "bibliography") and r.exit_code:
        assert "bad.json" in r.stderr + r.stdout
    if args[0] == "check":
        assert r.exit_code == exitcodes.INVALID_DATA
        assert "bad.json" in r.stdout
    if args[0] in ("show", "cite", "edit", "chapters"):
        assert r.exit_code == exitcodes.OK, r.output


def test_limits_in_record_json_are_invalid_data(empty_lib: Path) -> None:
    from citeshelf.errors import InvalidData

    lib = Library(empty_lib)
    deep = '{"type": "book", "key": "k", "extra": {"x": ' + "[" * (MAX_DEPTH + 1)
    deep += "]" * (MAX_DEPTH + 1) + "}}"
    for text, why in [
        (deep, "nested deeper than"),
        ('{"type": "book", "key": "k", "extra": {"n": ' + "1" * 40 + "}}", "an integer of 40"),
        ('{"type": "book", "key": "k", "title": "a\\udc00b"}', "lone surrogate"),
    ]:
        with pytest.raises(InvalidData, match=why):
            lib.parse_text("k", text)
    # a surrogate pair is one character, and fine
    assert lib.parse_text("k", '{"type": "book", "key": "k", "title": "\\ud83d\\ude00"}').title
