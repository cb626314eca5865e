"""ISBNs are validated but kept as their source wrote them: every export
writes that form back, and duplicates and lookups compare the normalised key."""

from __future__ import annotations

import json
from pathlib import Path

from citeshelf.library import Library

BIB = r"""@book{ten,
  author = {Knuth, Donald E.}, title = {The {\TeX}book}, year = 1984,
  publisher = {Addison-Wesley}, isbn = {0-201-13447-0},
}
@book{compact,
  author = {Lamport, Leslie}, title = {{\LaTeX}}, year = 1994,
  publisher = {Addison-Wesley}, isbn = 9780201529838,
}
@book{two,
  author = {Goossens, Michel}, title = {The {\LaTeX} companion}, year = 1994,
  publisher = {Addison-Wesley}, isbn = {978-0-201-54199-1; 0201362996},
}
"""


def _imported(cs, lib: Path, tmp_path: Path) -> Library:
    src = tmp_path / "books.bib"
    src.write_text(BIB, encoding="utf-8")
    r = cs(lib, "import", str(src))
    assert r.exit_code == 0, r.stderr
    return Library(lib)


def test_records_keep_the_source_form(cs, empty_lib: Path, tmp_path: Path) -> None:
    library = _imported(cs, empty_lib, tmp_path)
    assert library.get("ten").isbn == ["0-201-13447-0"]
    assert library.get("compact").isbn == ["9780201529838"]
    assert library.get("two").isbn == ["978-0-201-54199-1", "0201362996"]
    stored = json.loads((empty_lib / "ten.json").read_text(encoding="utf-8"))
    assert stored["isbn"] == ["0-201-13447-0"]


def test_every_export_writes_the_source_form(cs, empty_lib: Path, tmp_path: Path) -> None:
    _imported(cs, empty_lib, tmp_path)
    for fmt in ("bibtex", "biblatex"):
        out = cs(empty_lib, "export", "--format", fmt).stdout
        assert "isbn = {0-201-13447-0}" in out
        assert "isbn = {9780201529838}" in out
        # two ISBNs of one field: in one field, with the source's separator
        # (biber prints both); isbn-others only for ISBNs from elsewhere
        assert "isbn = {978-0-201-54199-1; 0201362996}" in out
        assert "isbn-others" not in out
        assert "9780201134476" not in out  # never converted to ISBN-13
    items = {i["id"]: i for i in json.loads(cs(empty_lib, "export", "--format", "csl-json").stdout)}
    assert items["ten"]["ISBN"] == "0-201-13447-0"
    assert items["two"]["ISBN"] == "978-0-201-54199-1; 0201362996"
    ris = cs(empty_lib, "export", "--format", "ris").stdout
    assert "SN  - 0-201-13447-0" in ris


def test_duplicates_and_queries_compare_the_normalised_isbn(
    cs, empty_lib: Path, tmp_path: Path
) -> None:
    _imported(cs, empty_lib, tmp_path)
    again = tmp_path / "again.bib"
    # the same book under another key, its ISBN written as ISBN-13
    again.write_text(
        "@book{knuth84, author = {Knuth, Donald E.}, title = {The {\\TeX}book},"
        " year = 1984, isbn = {9780201134476}}\n",
        encoding="utf-8",
    )
    r = cs(empty_lib, "import", str(again))
    assert "skipped as duplicate 1" in r.stdout
    assert "duplicates 'ten' (same ISBN 9780201134476)" in r.stderr
    for query in ("isbn:9780201134476", "isbn:0201134470", "isbn:0-201-13447-0"):
        listed = cs(empty_lib, "list", query, "--json")
        assert [x["key"] for x in json.loads(listed.stdout)] == ["ten"], query
