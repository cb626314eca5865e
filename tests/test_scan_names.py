"""Which entries of the records folder a scan takes as record files: the
one-pass test of a listing of record files only gives what the name-by-name
test gives, and a scan of such a folder is the folder's listing as it is."""

from __future__ import annotations

import os
from array import array
from pathlib import Path

import pytest

from citeshelf.library import scan
from citeshelf.library.scan import Scan, record_name


def _by_name(every: list[str]) -> list[int]:
    """The positions of the record files' names, tested one at a time."""
    return [i for i, n in enumerate(every) if record_name(n)]


PLAIN = ["aris2014collective.json", "x.json", "A-b_c:d.e+f.json", "a" * 128 + ".json"]


@pytest.mark.parametrize(
    "every",
    [
        PLAIN,
        ["only.json"],
        PLAIN + ["M%C3%BCller:2020.json"],  # an escaped key's name: a record file
        ["baez%2Farticle.json"] + PLAIN,
        PLAIN + ["notes.txt"],
        PLAIN + [".tmp-12-0.json.part", ".tmp-12-0.json"],
        PLAIN + ["x%2f.json"],  # no key's name (lower-case hex)
        PLAIN + ["Bad Name.json"],
        PLAIN + ["a" * 129 + ".json"],  # a key of 129 characters
        PLAIN + ["x.json.json"],
        PLAIN + ["x.JSON"],
        PLAIN + [".json"],
        ["x.json\nother.json"],
        [],
    ],
)
def test_the_one_pass_test_gives_what_the_name_by_name_test_gives(every: list[str]) -> None:
    at = scan._record_positions(every)
    expected = _by_name(every)
    if at is None:
        assert every and expected == list(range(len(every)))
    else:
        assert at == expected


def test_a_listing_of_record_files_only_is_taken_in_one_pass() -> None:
    assert scan._record_positions(PLAIN) is None
    assert scan._record_positions(PLAIN + ["notes.txt"]) == [0, 1, 2, 3]


def test_a_scan_of_such_a_listing_is_the_listing_as_it_is() -> None:
    mtimes, sizes = array("q", [1, 2, 3, 4]), array("q", [5, 6, 7, 8])
    whole = Scan.of_listing(PLAIN, mtimes, sizes)
    assert (whole.names, whole.mtimes, whole.sizes) == (PLAIN, mtimes, sizes)
    assert not whole.leftovers
    mixed = Scan.of_listing(
        [PLAIN[0], ".tmp-1-0.json.part", PLAIN[1]], array("q", [1, 2, 3]), array("q", [4, 5, 6])
    )
    assert (mixed.names, list(mixed.mtimes), list(mixed.sizes)) == (
        PLAIN[:2],
        [1, 3],
        [4, 6],
    )
    assert mixed.leftovers


@pytest.mark.parametrize(
    "extra", [None, "notes.txt", ".tmp-1234-0.json.part", "M%C3%BCller:2020.json"]
)
def test_a_scan_of_the_folder_sees_the_record_files_and_leftovers(
    tmp_path: Path, extra: str | None
) -> None:
    for name in PLAIN[:3] + ([extra] if extra else []):
        (tmp_path / name).write_text("{}", "utf-8")
    seen = Scan.of(tmp_path)
    every = os.listdir(tmp_path)
    assert seen.names == [every[i] for i in _by_name(every)]
    assert seen.leftovers == (extra == ".tmp-1234-0.json.part")
    assert list(seen.sizes) == [2] * len(seen.names)
