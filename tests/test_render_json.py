"""Streamed JSON output is byte for byte the JSON of the whole list."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from citeshelf import render


def printed(fn, data) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fn(data)
    return out.getvalue()


@pytest.mark.parametrize(
    "items",
    [
        [],
        [{}],
        [{"key": "a"}],
        [{"key": "a", "authors": [{"family": "Mérand"}], "n": [1, [2, {}]]}, {"x": "line\nbreak"}],
        [[], "text", 3, None],
    ],
)
def test_a_streamed_array_is_the_same_bytes_as_the_whole_list(items) -> None:
    assert printed(render.print_json_array, iter(items)) == printed(render.print_json, items)
    assert json.loads(printed(render.print_json_array, iter(items))) == items


def test_list_json_streams_the_same_records_as_the_whole_list(cs, handbook_lib) -> None:
    from citeshelf.library import Library
    from citeshelf.ops.listing import find_records

    out = cs(handbook_lib, "list", "--json", "author:cottey").stdout
    found = find_records(Library(handbook_lib), "author:cottey")
    assert out == printed(render.print_json, found.to_json())
    assert [r["key"] for r in json.loads(out)] == ["cottey2014europe", "cottey2014nato"]


def test_list_json_of_many_records_is_made_by_workers_with_the_same_bytes(
    cs, tmp_path, monkeypatch
) -> None:
    """``list --json`` of many records has worker processes read, validate
    and write them (ops.listing.json_texts): the same bytes and warnings as
    this process alone gives, an unreadable file among them included."""
    from citeshelf.ops import forked, listing

    from .conftest import spy_pids
    from .generated import generated_library

    lib = generated_library(tmp_path / "records", 700)
    bad = sorted(lib.glob("*.json"))[333]
    bad.write_text("{ not json", encoding="utf-8")
    alone = cs(lib, "list", "--json")
    pids = spy_pids(monkeypatch, listing._JsonTexts, "make", tmp_path / "pids")
    monkeypatch.setattr(forked, "PARALLEL_MIN", 100)
    monkeypatch.setattr(forked, "FORK_AT", 10)
    monkeypatch.setattr(listing, "_JSON_PART", 50)
    shared = cs(lib, "list", "--json")
    assert len(pids.workers()) >= 2
    assert shared.stdout == alone.stdout and shared.stderr == alone.stderr
    assert bad.stem in alone.stderr and len(json.loads(alone.stdout)) == 699
    # and what the whole list gives
    from citeshelf.library import Library
    from citeshelf.ops.listing import find_records

    found = find_records(Library(lib), None)
    assert shared.stdout == printed(render.print_json, found.to_json())
