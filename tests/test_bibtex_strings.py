"""``@string`` definitions survive a round trip: an import keeps the file's
macros in the library's preamble.bib, the record holds the expanded text,
and an export writes a field its source wrote with a macro with it again,
each definition before the first entry that uses it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from citeshelf.library import Library

BIB = r"""@string{tugboat = "TUGboat"}
@string{aw = {Addison-Wesley}}
@string{tug = "TeX Users Group"}
@string{tugaw = tug # " and " # aw}
@preamble{"\def\noopsort#1{}"}

@article{zz1, author = {Knuth, Donald}, title = {An article}, journal = tugboat,
  year = 1990, volume = 3, month = jan}
@book{b1, author = {Knuth, Donald}, title = {A book}, publisher = aw,
  address = "Reading, " # "MA", year = 1984}
@manual{m1, author = {Beeton, Barbara}, title = {A manual}, organization = tugaw, year = 1991}
"""


def _import(cs, lib: Path, tmp_path: Path, text: str = BIB, name: str = "refs.bib") -> None:
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    r = cs(lib, "import", str(src))
    assert r.exit_code == 0, r.stderr


def test_the_import_keeps_the_definitions_and_the_record_the_text(
    cs, empty_lib: Path, tmp_path: Path
) -> None:
    _import(cs, empty_lib, tmp_path)
    assert (empty_lib / "preamble.bib").read_text(encoding="utf-8") == (
        '@preamble{"\\def\\noopsort#1{}"}\n'
        '@string{tugboat = "TUGboat"}\n'
        "@string{aw = {Addison-Wesley}}\n"
        '@string{tug = "TeX Users Group"}\n'
        '@string{tugaw = tug # " and " # aw}\n'
    )
    article = Library(empty_lib).get("zz1")
    assert article.journal == "TUGboat"  # the stored record holds the expanded text
    stored = json.loads((empty_lib / "zz1.json").read_text(encoding="utf-8"))
    assert stored["extra"]["bibtex_macros"] == {"journal": "tugboat"}
    # a field without a macro (address's "#" joins two strings) and a month are not macros
    assert "bibtex_macros" in stored["extra"] and "month" not in stored["extra"]["bibtex_macros"]
    assert "address" not in json.loads((empty_lib / "b1.json").read_text())["extra"].get(
        "bibtex_macros", {}
    )


@pytest.mark.parametrize(("fmt", "journal"), [("bibtex", "journal"), ("biblatex", "journaltitle")])
def test_the_export_writes_the_macros_defined_before_use(
    cs, empty_lib: Path, tmp_path: Path, fmt: str, journal: str
) -> None:
    _import(cs, empty_lib, tmp_path)
    out = cs(empty_lib, "export", "--format", fmt).stdout
    assert f"  {journal} = tugboat,\n" in out
    assert "  publisher = aw,\n" in out
    assert "  organization = tugaw,\n" in out
    for name in ("tugboat", "aw", "tug", "tugaw"):
        assert out.count(f"@string{{{name} = ") == 1
    # every definition before its first use, and those a definition uses before it
    assert out.index("@string{tug = ") < out.index("@string{tugaw = ") < out.index("= tugaw,")
    assert out.index("@string{aw = ") < out.index("= aw,")
    assert out.index("@string{tugboat = ") < out.index("= tugboat,")
    assert out.startswith('@preamble{"\\def\\noopsort#1{}"}\n')


def test_only_the_macros_the_exported_entries_use(cs, empty_lib: Path, tmp_path: Path) -> None:
    _import(cs, empty_lib, tmp_path)
    out = cs(empty_lib, "export", "b1").stdout
    assert "@string{aw = {Addison-Wesley}}\n\n@book{b1," in out
    assert "tugboat" not in out and "@string{tug " not in out


def test_an_edited_field_is_written_as_its_text(cs, empty_lib: Path, tmp_path: Path) -> None:
    _import(cs, empty_lib, tmp_path)
    r = cs(empty_lib, "edit", "zz1", "--set", "journal=TUGboat Online")
    assert r.exit_code == 0, r.stderr
    out = cs(empty_lib, "export", "zz1").stdout
    assert "journal = {TUGboat Online}" in out
    assert "@string" not in out


def test_a_macro_another_file_defines_differently_is_not_used(
    cs, empty_lib: Path, tmp_path: Path
) -> None:
    _import(cs, empty_lib, tmp_path)
    other = '@string{aw = "Addison Wesley Longman"}\n@book{b2, title = {B}, publisher = aw, year = 2000}\n'
    _import(cs, empty_lib, tmp_path, other, "other.bib")
    # the library keeps the first definition; b2's publisher is not what it gives
    assert (empty_lib / "preamble.bib").read_text().count("@string{aw") == 1
    out = cs(empty_lib, "export", "b1", "b2").stdout
    assert "publisher = {Addison Wesley Longman}" in out
    assert "publisher = aw," in out
    assert Library(empty_lib).get("b2").publisher == "Addison Wesley Longman"


@pytest.mark.skipif(shutil.which("bibtex") is None, reason="bibtex is not installed")
def test_bibtex_formats_the_export_as_the_original(cs, empty_lib: Path, tmp_path: Path) -> None:
    _import(cs, empty_lib, tmp_path)
    exported = tmp_path / "export.bib"
    exported.write_text(cs(empty_lib, "export").stdout, encoding="utf-8")

    def bbl(bib: Path) -> str:
        work = tmp_path / bib.stem
        work.mkdir()
        shutil.copy(bib, work / "refs.bib")
        (work / "doc.aux").write_text(
            "\\citation{*}\n\\bibstyle{plain}\n\\bibdata{refs}\n", encoding="utf-8"
        )
        r = subprocess.run(["bibtex", "doc"], cwd=work, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout
        assert "Warning" not in r.stdout, r.stdout
        return (work / "doc.bbl").read_text(encoding="utf-8")

    original = bbl(tmp_path / "refs.bib")
    assert "TUGboat" in original and "TeX Users Group and Addison-Wesley" in original
    assert bbl(exported) == original
