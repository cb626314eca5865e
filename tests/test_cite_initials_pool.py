"""The first `cite` after a change compares the cited work's first author
with the library's first authors of the same surname: another one with other
initials makes the citation give the initials (APA 8.20, CMOS 15.21). Once
one such work is found, the others cannot change the answer: they are not read."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .conftest import count_parses


def _write(lib: Path, data: dict) -> None:
    path = lib / f"{data['key']}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    os.utime(path, (1_700_000_000, 1_700_000_000))


def _book(key: str, family: str, given: str, year: int) -> dict:
    return {
        "key": key,
        "type": "book",
        "title": f"Work {key}",
        "authors": [{"family": family, "given": given}],
        "issued": str(year),
        "publisher": "P",
    }


def _library(lib: Path, givens: list[str]) -> list[str]:
    """F. Mérand's book of 2020 (cited) and one book of another year by each
    of ``givens`` (a Mérand each), keyed in that order; their keys."""
    _write(lib, _book("merand2020cited", "Mérand", "Frédéric", 2020))
    keys = []
    for i, given in enumerate(givens):
        keys.append(f"merand{1900 + i}w{i:03d}")
        _write(lib, _book(keys[-1], "Mérand", given, 1900 + i))
    return keys


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_one_other_initial_is_enough(cs, empty_lib: Path, style: str, monkeypatch) -> None:
    """Sixty Mérands, each with other initials than the cited one's: the
    citation gives the initials after reading a few of them."""
    peers = _library(empty_lib, [chr(65 + i % 5) + "nn" for i in range(60)])
    assert cs(empty_lib, "list").exit_code == 0  # the index is made
    parsed = count_parses(monkeypatch)
    r = cs(empty_lib, "cite", "merand2020cited", "--style", style)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("(F. Mérand"), r.stdout
    read = [k for k in parsed if k in peers]
    assert 0 < len(read) <= 8, read


def test_the_one_other_initial_last_in_key_order_is_found(cs, empty_lib: Path, monkeypatch) -> None:
    """Fifty Mérands who share the cited initials and one, last, who does
    not: every one is read, and the citation gives the initials."""
    peers = _library(empty_lib, ["François"] * 50 + ["Zoé"])
    assert cs(empty_lib, "list").exit_code == 0
    parsed = count_parses(monkeypatch)
    r = cs(empty_lib, "cite", "merand2020cited")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("(F. Mérand, 2020)"), r.stdout
    assert set(peers) <= set(parsed)


def test_no_other_initial_reads_every_peer_and_gives_none(cs, empty_lib: Path, monkeypatch) -> None:
    peers = _library(empty_lib, ["François"] * 20)
    assert cs(empty_lib, "list").exit_code == 0
    parsed = count_parses(monkeypatch)
    r = cs(empty_lib, "cite", "merand2020cited")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "(Mérand, 2020)\n", r.stdout
    assert set(peers) <= set(parsed)


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_initials_are_those_of_the_whole_pool(empty_lib: Path, style: str) -> None:
    """``library_initials`` gives what ``surname_initials`` gives of every
    work of the surname, for several cited works, some of which need more
    works read than others (a Taylor with one other initial, a Mérand whose
    only other initial is the last one read, a Zed alone)."""
    from citeshelf.library.query import select
    from citeshelf.library.store import RecordStore
    from citeshelf.ops.citing import library_initials, load_resolved
    from citeshelf.styles import surname_initials

    _library(empty_lib, ["François"] * 30 + ["Zoé"])
    _write(empty_lib, _book("taylor2015a", "Taylor", "Jane M.", 2015))
    _write(empty_lib, _book("taylor2014b", "Taylor", "Tom", 2014))
    for i in range(20):
        _write(empty_lib, _book(f"taylor1950n{i:02d}", "Taylor", "Jane M.", 1950))
    _write(empty_lib, _book("zed2001alone", "Zed", "Ann", 2001))
    store = RecordStore(empty_lib)
    cited_keys = ["merand2020cited", "taylor2015a", "zed2001alone"]
    cited = load_resolved(store, cited_keys)
    everything = select(store, None)[0]
    expected = surname_initials(everything, style) & set(cited_keys)
    assert expected == {"merand2020cited", "taylor2015a"}
    assert library_initials(store, cited, style) == expected
