"""citeshelf export writes one record at a time: the same bytes as rendering
the whole selection at once, and nothing at all if a record cannot be read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from citeshelf import exitcodes
from citeshelf.errors import NotFound
from citeshelf.formats.bibtex import write_bibtex
from citeshelf.formats.csljson import dumps_csl
from citeshelf.formats.ris import write_ris
from citeshelf.library import Library

from .conftest import snapshot

HERE = Path(__file__).resolve().parent
BIB = HERE / "fixtures" / "bib"


@pytest.fixture
def mixed_lib(cs, handbook_lib):
    """The handbook and its chapters plus books, chapters and other types
    whose keys sort before and after their books'."""
    for name in ("crossref.bib", "biblatex.bib", "accents.bib"):
        r = cs(handbook_lib, "import", str(BIB / name), "--on-duplicate", "rename")
        assert r.exit_code == 0, r.stderr
    return handbook_lib


def close_over_parents(records, get):
    """``records`` plus every parent a chapter names, each once, sorted by
    key; the parent books by key; the chapter -> parent links that are broken."""
    chosen = {r.key: r for r in records}
    books, broken = {}, []
    queue = list(chosen.values())
    while queue:
        parent = getattr(queue.pop(), "parent", None)
        if not parent or parent in books:
            continue
        try:
            books[parent] = chosen.setdefault(parent, get(parent))
        except NotFound:
            broken.append(parent)
            continue
        queue.append(books[parent])
    return sorted(chosen.values(), key=lambda r: r.key), books, broken


def render(records, books, fmt, *, ascii=False, expand=False):
    """All the records at once, by the formats' own writers."""
    if fmt in ("bibtex", "biblatex"):
        return write_bibtex(records, dialect=fmt, ascii=ascii, expand=expand, books=books)
    if fmt == "csl-json":
        return dumps_csl(records, books=books)
    return write_ris(records, books=books)


def whole(
    lib: Path, keys: list[str] | None, fmt: str, *, expand: bool = False, ascii: bool = False
) -> str:
    """The export rendered from all records at once (the formats' own writers)."""
    library = Library(lib)
    chosen = [library.get(k) for k in (keys if keys is not None else library.keys())]
    records, books, broken = close_over_parents(chosen, library.get)
    assert not broken
    if expand and fmt in ("bibtex", "biblatex"):
        records = [r for r in records if r.key in {c.key for c in chosen}]
    return render(records, books, fmt, ascii=ascii, expand=expand)


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex", "csl-json", "ris"])
@pytest.mark.parametrize(
    "keys", [None, ["galbreath2014organization"], ["aris2014collectivea", "lee2020fast"]]
)
def test_streamed_export_is_byte_identical_to_the_whole(cs, mixed_lib, fmt, keys):
    for expand in (False, True):
        for ascii in (False, True) if fmt == "bibtex" else (False,):
            args = ["export", "--format", fmt, *(keys or [])]
            args += ["--expand"] if expand else []
            args += ["--ascii"] if ascii else []
            r = cs(mixed_lib, *args)
            assert r.exit_code == 0, r.stderr
            assert r.stdout == whole(mixed_lib, keys, fmt, expand=expand, ascii=ascii), (
                expand,
                ascii,
            )


def test_an_empty_selection(cs, empty_lib):
    assert cs(empty_lib, "export", "--format", "csl-json").stdout == "[]\n"
    assert cs(empty_lib, "export", "--format", "ris").stdout == ""
    assert cs(empty_lib, "export").stdout == ""


def test_an_unreadable_record_stops_the_export_before_anything_is_written(
    cs, handbook_lib, tmp_path
):
    # "zz" sorts last: every other record would be written before it is read
    shutil.copy(handbook_lib / "aris2014collective.json", handbook_lib / "zz2020broken.json")
    out = tmp_path / "refs.bib"
    out.write_text("old\n", encoding="utf-8")
    before = snapshot(tmp_path / "records")
    r = cs(handbook_lib, "export")
    assert r.exit_code == exitcodes.INVALID_DATA
    assert r.stdout == ""
    assert "the file's key is 'aris2014collective' but its name says 'zz2020broken'" in r.stderr
    r = cs(handbook_lib, "export", "-o", str(out))
    assert r.exit_code == exitcodes.INVALID_DATA
    assert out.read_text(encoding="utf-8") == "old\n"
    # no temporary file left beside refs.bib ("cache": the index folder the tests use)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "cache") == [
        "records",
        "refs.bib",
    ]
    assert snapshot(tmp_path / "records") == before


def test_csl_json_stream_is_one_json_array(cs, mixed_lib):
    r = cs(mixed_lib, "export", "--format", "csl-json")
    items = json.loads(r.stdout)
    assert [i["id"] for i in items] == sorted(i["id"] for i in items)
    assert len(items) == len(Library(mixed_lib).keys())


def test_the_closing_line_names_at_most_ten_added_books(cs, empty_lib, tmp_path):
    lib = Library(empty_lib)
    from citeshelf.model import parse_record

    for i in range(12):
        lib.create(parse_record({"type": "book", "key": f"book{i:02d}", "title": f"Book {i}"}))
        lib.create(
            parse_record(
                {
                    "type": "chapter",
                    "key": f"ch{i:02d}",
                    "title": f"Chapter {i}",
                    "parent": f"book{i:02d}",
                }
            )
        )
    out = tmp_path / "ch.bib"
    r = cs(empty_lib, "export", "--query", "type:chapter", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert r.stderr == (
        "exported 24 records, with 12 parent books (book00, book01, book02, book03, book04, "
        f"book05, book06, book07, book08, book09 and 2 more) to {out}\n"
    )
