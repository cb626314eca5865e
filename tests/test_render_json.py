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
