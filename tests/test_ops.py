"""The operations used as a Python library: no Click, no command line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from citeshelf.errors import AlreadyExists, Conflict, InvalidData, NotFound, UsageError
from citeshelf.library import Library
from citeshelf.ops import (
    add_record,
    bibliography,
    cite,
    commit_import,
    import_files,
    plan_removal,
    prepare_add,
    prepare_export,
    remove_records,
    save_new,
    write_export,
)
from citeshelf.ops.exporting import export_to_file

HERE = Path(__file__).resolve().parent
BIB = HERE / "fixtures" / "bib"


def keys_of(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.json"))


# -- add ---------------------------------------------------------------------


def test_add_generates_a_key_and_reports_missing_fields(empty_lib):
    lib = Library(empty_lib)
    added = add_record(
        lib, "book", title="Handbook of governance", editors=["Sperling, James"], year="2014"
    )
    assert added.record.key == "sperling2014handbook"
    assert added.missing == ["publisher"]
    assert added.to_json() == {"key": "sperling2014handbook", "missing": ["publisher"]}
    assert lib.get("sperling2014handbook").editors[0].family == "Sperling"
    again = add_record(
        lib, "book", title="Handbook of governance", editors=["Sperling, James"], year="2014"
    )
    assert again.record.key == "sperling2014handbooka"


def test_add_a_chapter_takes_its_books_data_for_the_missing_fields(handbook_lib):
    lib = Library(handbook_lib)
    draft = prepare_add(
        lib,
        "chapter",
        values={"parent": "sperling2014handbook", "title": "A new chapter"},
        authors=["Doe, Jane"],
    )
    assert draft.parent.key == "sperling2014handbook"
    assert draft.view().publisher == "Edward Elgar Publishing"
    assert "pages" in draft.missing()
    draft = draft.with_field("pages", "1-20")
    assert "pages" not in draft.missing()
    added = save_new(lib, draft)
    assert added.record.key == "doe2014new"
    assert str(lib.get("doe2014new").pages) == "1\u201320"


def test_add_refuses_bad_options_before_writing(handbook_lib):
    lib = Library(handbook_lib)
    before = keys_of(handbook_lib)
    with pytest.raises(UsageError, match="a chapter needs its book"):
        add_record(lib, "chapter", title="Orphan")
    with pytest.raises(NotFound, match="--parent 'nobook' is not in the library"):
        add_record(lib, "chapter", title="Orphan", parent="nobook")
    with pytest.raises(UsageError, match="is a chapter, not a book"):
        add_record(lib, "chapter", title="Nested", parent="aris2014collective")
    with pytest.raises(UsageError, match="--field takes NAME=VALUE"):
        add_record(lib, "misc", title="X", fields=["nothing"])
    with pytest.raises(AlreadyExists):
        add_record(lib, "misc", title="X", key="aris2014collective")
    assert keys_of(handbook_lib) == before


# -- rm ----------------------------------------------------------------------


def test_rm_plans_chapters_before_their_book(handbook_lib):
    lib = Library(handbook_lib)
    with pytest.raises(Conflict, match="'sperling2014handbook' is the book of"):
        plan_removal(lib, ["sperling2014handbook"])
    with pytest.raises(NotFound, match="nothing removed"):
        plan_removal(lib, ["aris2014collective", "nosuchkey"])
    plan = plan_removal(lib, ["sperling2014handbook"], with_chapters=True)
    assert plan[-1] == "sperling2014handbook"
    assert "aris2014collective" in plan
    seen: list[str] = []
    assert remove_records(lib, plan, on_removed=seen.append) == plan == seen
    assert keys_of(handbook_lib) == []


# -- import ------------------------------------------------------------------


def test_import_stages_then_commits(empty_lib):
    lib = Library(empty_lib)
    with import_files(lib, [BIB / "crossref.bib"]) as result:
        assert result.refusal("skip", skip_invalid=False) is None
        assert keys_of(empty_lib) == []  # staged, not visible
        written = commit_import(result)
    assert "aris2014collective" in result.imported
    assert sorted(written) == keys_of(empty_lib)
    assert lib.get("aris2014collective").parent == "sperling2014handbook"
    data = result.to_json()
    assert data["dry_run"] is False and data["imported"] == result.imported


def test_import_dry_run_and_duplicates_write_nothing(handbook_lib):
    lib = Library(handbook_lib)
    before = keys_of(handbook_lib)
    with import_files(lib, [BIB / "crossref.bib"], dry_run=True) as result:
        assert result.dry_run and result.created
        with pytest.raises(ValueError):
            commit_import(result)
    assert keys_of(handbook_lib) == before
    with import_files(lib, [BIB / "crossref.bib"], on_duplicate="error") as result:
        refusal = result.refusal("error", skip_invalid=False)
        assert isinstance(refusal, Conflict)
        assert "nothing was imported" in str(refusal)
    assert keys_of(handbook_lib) == before


def test_import_refuses_invalid_entries_unless_skipped(empty_lib):
    lib = Library(empty_lib)
    with import_files(lib, [BIB / "messy.bib"]) as result:
        assert {i.key for i in result.invalid} >= {"broken1", "orphan2004"}
        assert isinstance(result.refusal("skip", skip_invalid=False), InvalidData)
        assert result.refusal("skip", skip_invalid=True) is None
        assert result.to_json(refused=True)["imported"] == []
    assert keys_of(empty_lib) == []


def test_import_reports_progress(empty_lib):
    steps: list[int] = []

    class Bar:
        def __init__(self, total: int) -> None:
            self.total = total

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

        def advance(self, n: int = 1) -> None:
            steps.append(n)

    with import_files(Library(empty_lib), [BIB / "crossref.bib"], progress=Bar) as result:
        commit_import(result, Bar)
    assert sum(steps) >= result.entries


# -- export ------------------------------------------------------------------


def test_export_plans_parents_and_writes_bibtex(handbook_lib, tmp_path):
    lib = Library(handbook_lib)
    warnings: list[str] = []
    plan = prepare_export(lib, keys=["aris2014collective"], warn=warnings.append)
    assert plan.fmt == "bibtex"
    assert plan.order == ["aris2014collective", "sperling2014handbook"]
    assert plan.added_parents == ["sperling2014handbook"]
    assert warnings == []
    out = io.StringIO()
    write_export(plan, lib, out)
    text = out.getvalue()
    assert text.index("@incollection{aris2014collective") < text.index("@book{sperling2014handbook")
    target = tmp_path / "refs.json"
    plan = prepare_export(lib, keys=["aris2014collective"], output=str(target))
    assert plan.fmt == "csl-json"
    export_to_file(plan, lib, target)
    items = json.loads(target.read_text(encoding="utf-8"))
    assert [i["id"] for i in items] == ["aris2014collective", "sperling2014handbook"]


def test_export_missing_keys_and_empty_queries(handbook_lib):
    lib = Library(handbook_lib)
    with pytest.raises(NotFound, match="1 key not in the library: nosuchkey"):
        prepare_export(lib, keys=["nosuchkey"])
    plan = prepare_export(lib, keys=["nosuchkey", "aris2014collective"], allow_missing=True)
    assert plan.missing == ["nosuchkey"]
    assert any("left out: nosuchkey" in w for w in plan.warnings)
    with pytest.raises(NotFound, match="no record matches"):
        prepare_export(lib, query="author:nobodyatall")


# -- cite and bibliography -----------------------------------------------------


def test_cite_gives_text_html_and_json(handbook_lib):
    lib = Library(handbook_lib)
    result = cite(lib, ["aris2014collective"], pages=["531"])
    assert [c.text for c in result.items] == ["(Aris, 2014, p. 531)"]
    assert result.to_json() == [
        {
            "key": "aris2014collective",
            "text": "(Aris, 2014, p. 531)",
            "html": "(Aris, 2014, p. 531)",
            "style": "apa",
            "edition": 7,
            "form": "in-text",
        }
    ]
    note = cite(lib, ["aris2014collective"], style="chicago-notes", pages=["531"])
    assert note.form == "note" and note.edition == 18
    assert note.items[0].text.startswith("Stephen Aris, ")
    refs = cite(lib, ["aris2014collective", "cottey2014europe"], form="reference")
    assert [c.key for c in refs.items] == ["aris2014collective", "cottey2014europe"]
    assert refs.items[0].text.startswith("Aris, S. (2014). Collective Security")


def test_cite_errors(handbook_lib):
    lib = Library(handbook_lib)
    with pytest.raises(NotFound, match="no records 'x1', 'x2'"):
        cite(lib, ["x1", "aris2014collective", "x2"])
    with pytest.raises(UsageError, match="once per key"):
        cite(lib, ["aris2014collective", "cottey2014europe"], pages=["1"])
    with pytest.raises(UsageError, match="no edition 6"):
        cite(lib, ["aris2014collective"], edition=6)


def test_bibliography_of_a_query_is_sorted_by_author(handbook_lib):
    lib = Library(handbook_lib)
    result = bibliography(lib, query="parent:sperling2014handbook")
    texts = [c.text for c in result.items]
    assert len(texts) > 10 and texts == sorted(texts, key=str.casefold)
    assert all("Sperling" in t for t in texts)
    assert set(result.to_json()[0]) == {"key", "text", "html", "style", "edition"}
    with pytest.raises(UsageError, match="not both"):
        bibliography(lib, ["aris2014collective"], query="year:2014")


def test_importing_the_operations_loads_neither_click_nor_rich():
    code = (
        "import sys, citeshelf.ops as o\n"
        "for name in o.__all__: getattr(o, name)\n"
        "import citeshelf.ops.citing, citeshelf.ops.exporting, citeshelf.ops.importing\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'click', 'rich'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
