"""Golden tests from the style manuals' own examples (tests/golden/manual/cases.json;
the source of each expected string is given beside it there)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citeshelf.model import RECORD_ADAPTER
from citeshelf.model.inherit import chapter_view
from citeshelf.styles import format_citation, format_reference, to_html, to_text

CASES = json.loads(
    (Path(__file__).resolve().parent / "golden" / "manual" / "cases.json").read_text("utf-8")
)


def _record(case: dict):
    record = RECORD_ADAPTER.validate_python(case["record"])
    if "book" in case:
        record = chapter_view(record, RECORD_ADAPTER.validate_python(case["book"]))
    return record


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_manual_example(case: dict) -> None:
    assert case["source"]
    record = _record(case)
    if case["form"] == "reference":
        styled = format_reference(record, case["style"], case["edition"])
    else:
        styled = format_citation(
            [record],
            case["style"],
            case["form"],
            case["edition"],
            pages=case.get("page"),
            first=case.get("first", True),
        )
    assert to_text(styled) == case["expected"]
    if "expected_html" in case:
        assert to_html(styled) == case["expected_html"]
