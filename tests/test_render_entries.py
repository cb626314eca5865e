"""``render.print_entries`` writes entries a few hundred at a time: the same
bytes as one write per entry, control characters removed from the entries
that hold them, and the entries before a failure written."""

from __future__ import annotations

import contextlib
import io

import pytest

from citeshelf import render


def one_by_one(entries: list[str], sep: str) -> str:
    """What one ``clean`` and one write per entry give (not a terminal)."""
    return "".join((sep if i else "") + render.clean(t) + "\n" for i, t in enumerate(entries))


def printed(entries, sep: str = "") -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        render.print_entries(entries, sep)
    return out.getvalue()


@pytest.mark.parametrize("sep", ["", "\n"])
@pytest.mark.parametrize("n", [0, 1, 255, 256, 257, 600])
def test_the_same_bytes_as_an_entry_at_a_time(n: int, sep: str) -> None:
    entries = [f"Entry {i}, with a tab\there" for i in range(n)]
    if n > 300:
        entries[300] = "A bell\x07, an escape\x1b[31m and a carriage return\r in one"
        entries[301] = "ends with a carriage return\r"
    expected = one_by_one(entries, sep)
    assert printed(iter(entries), sep) == expected
    if n > 300:
        assert "\x07" not in expected and "\x1b" not in expected and "\r" not in expected
        assert "A bell, an escape[31m and a carriage return in one\n" in expected


def test_the_entries_before_a_failure_are_written() -> None:
    def entries():
        yield from (f"Entry {i}" for i in range(300))
        raise RuntimeError("a record could not be read")

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(RuntimeError):
        render.print_entries(entries())
    assert out.getvalue() == one_by_one([f"Entry {i}" for i in range(300)], "")
