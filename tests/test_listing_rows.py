"""The rows ``list`` prints (``citeshelf.ops.listing.Row``) and the names of
``citeshelf.progress`` that are defined in a module of their own."""

from __future__ import annotations

import pytest

from citeshelf.errors import UsageError
from citeshelf.ops.listing import ROW_FIELDS, Listing, Row, parse_format, sort_rows


def _row(key: str = "aris2014collective", year: int | None = 2014) -> Row:
    return Row(key, "chapter", "Aris", year, "Collective security treaty organization")


def test_a_row_is_equal_to_a_row_of_the_same_values_and_hashes_alike() -> None:
    assert _row() == _row() and hash(_row()) == hash(_row())
    assert _row() != _row(year=None) and _row() != ("aris2014collective",)
    assert len({_row(), _row(), _row("other")}) == 2
    assert Listing([_row()], []) == Listing([_row()], [])
    assert Listing([_row()], []) != Listing([_row(year=2015)], [])


def test_a_row_gives_its_fields_by_name_for_format_and_sort() -> None:
    row = _row()
    assert [getattr(row, name) for name in ROW_FIELDS] == [
        "aris2014collective",
        "chapter",
        "Aris",
        2014,
        "Collective security treaty organization",
    ]
    assert row.cells() == ["aris2014collective", "chapter", "Aris", "2014", row.title]
    assert row.format(parse_format("{key} ({year})")) == "aris2014collective (2014)"
    assert _row(year=None).format(parse_format("{year}|")) == "|"
    assert repr(row) == (
        "Row(key='aris2014collective', type='chapter', authors='Aris', year=2014, "
        "title='Collective security treaty organization')"
    )
    rows = [_row("b", 2001), _row("a", None), _row("c", 1999)]
    assert [r.key for r in sort_rows(rows, [("year", False)])] == ["c", "b", "a"]
    with pytest.raises(UsageError, match="--format"):
        parse_format("{nope}")


def test_the_progress_types_are_there_when_asked_for() -> None:
    import citeshelf.progress as progress

    assert progress.Progress.__name__ == "Progress"
    assert progress.ProgressFactory is not None
    with progress.NullProgress() as bar:
        bar.advance(3)
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        progress.Nothing  # noqa: B018
