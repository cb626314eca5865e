"""citeshelf export: selection, parents, manuscripts, formats, files."""

from __future__ import annotations

import json
from pathlib import Path

from citeshelf import exitcodes

from .conftest import snapshot

HERE = Path(__file__).resolve().parent
MS = HERE / "fixtures" / "manuscripts"
GOLDEN = HERE / "fixtures" / "export"


def entry_keys(text: str) -> list[str]:
    return [line.split("{", 1)[1].rstrip(",") for line in text.splitlines() if line.startswith("@")]


def test_cited_in_aux_exports_exactly_the_cited_keys_and_the_book_once(cs, handbook_lib):
    r = cs(handbook_lib, "export", "--cited-in", str(MS / "paper.aux"))
    assert r.exit_code == 0, r.stderr
    assert r.stdout == (GOLDEN / "paper-aux.bib").read_text(encoding="utf-8")
    assert entry_keys(r.stdout) == [
        "aris2014collective",
        "cooley2014central",
        "cottey2014nato",
        "galbreath2014organization",
        "kay2014persian",
        "sperling2014handbook",
    ]
    assert r.stderr == ""


def test_the_same_export_twice_is_byte_identical(cs, handbook_lib, tmp_path):
    a, b = tmp_path / "a.bib", tmp_path / "b.bib"
    for out in (a, b):
        r = cs(handbook_lib, "export", "--cited-in", str(MS / "paper.tex"), "-o", str(out))
        assert r.exit_code == 0, r.stderr
    assert a.read_bytes() == b.read_bytes()
    assert r.stderr == (f"exported 11 records, with 1 parent book (sperling2014handbook) to {b}\n")


def test_cited_in_tex_and_markdown(cs, handbook_lib):
    tex = cs(handbook_lib, "export", "--cited-in", str(MS / "paper.tex"))
    assert entry_keys(tex.stdout)[-1] == "sperling2014handbook"
    assert len(entry_keys(tex.stdout)) == 11
    md = cs(handbook_lib, "export", "--cited-in", str(MS / "draft.md"), "--format", "csl-json")
    assert md.exit_code == 0, md.stderr
    ids = [item["id"] for item in json.loads(md.stdout)]
    assert ids == [
        "aris2014collective",
        "cottey2014nato",
        "galbreath2014organization",
        "jackson2014african",
        "kay2014persian",
        "rees2014counter",
        "shaw2014organization",
        "sperling2014handbook",
        "sperling2014regime",
    ]


def test_missing_cited_keys_fail_with_the_list(cs, handbook_lib, tmp_path):
    ms = tmp_path / "p.aux"
    ms.write_text(
        "\\citation{aris2014collective,nobody2020,ARIS2014COLLECTIVE}\n", encoding="utf-8"
    )
    out = tmp_path / "refs.bib"
    r = cs(handbook_lib, "export", "--cited-in", str(ms), "-o", str(out))
    assert r.exit_code == exitcodes.NOT_FOUND
    assert r.stderr == (
        "citeshelf: error: 2 keys not in the library: nobody2020, ARIS2014COLLECTIVE (did you mean "
        "aris2014collective?); add them (citeshelf import FILE.bib) or export the rest with "
        "--allow-missing\n"
    )
    assert not out.exists()
    r = cs(handbook_lib, "export", "--cited-in", str(ms), "-o", str(out), "--allow-missing")
    assert r.exit_code == 0
    assert (
        "citeshelf: warning: not in the library, left out: nobody2020, ARIS2014COLLECTIVE"
        in r.stderr
    )
    assert entry_keys(out.read_text(encoding="utf-8")) == [
        "aris2014collective",
        "sperling2014handbook",
    ]


def test_nocite_star_exports_everything(cs, handbook_lib, tmp_path):
    ms = tmp_path / "all.tex"
    ms.write_text("\\nocite{*}", encoding="utf-8")
    r = cs(handbook_lib, "export", "--cited-in", str(ms))
    assert len(entry_keys(r.stdout)) == len(list(handbook_lib.glob("*.json")))


def test_output_file_is_replaced_atomically(cs, handbook_lib, tmp_path):
    out = tmp_path / "refs.bib"
    out.write_text("old content\n", encoding="utf-8")
    r = cs(handbook_lib, "export", "aris2014collective", "-o", str(out))
    assert r.exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("@incollection{aris2014collective,")
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["refs.bib"]


def test_a_failed_export_leaves_the_output_file_alone(cs, handbook_lib, tmp_path):
    out = tmp_path / "refs.bib"
    out.write_text("old content\n", encoding="utf-8")
    r = cs(handbook_lib, "export", "nobody2020", "-o", str(out))
    assert r.exit_code == exitcodes.NOT_FOUND
    assert out.read_text(encoding="utf-8") == "old content\n"


def test_missing_parent_is_an_error(cs, handbook_lib):
    (handbook_lib / "sperling2014handbook.json").unlink()
    before = snapshot(handbook_lib)
    r = cs(handbook_lib, "export", "aris2014collective")
    assert r.exit_code == exitcodes.NOT_FOUND
    assert "'aris2014collective' names parent 'sperling2014handbook'" in r.stderr
    assert snapshot(handbook_lib) == before


def test_query_expand_and_formats(cs, handbook_lib, tmp_path):
    r = cs(
        handbook_lib,
        "export",
        "--query",
        "key:galbreath2014organization",
        "--expand",
        "--format",
        "biblatex",
    )
    assert r.exit_code == 0, r.stderr
    assert entry_keys(r.stdout) == ["galbreath2014organization"]
    assert "booktitle = {Handbook of governance and security}" in r.stdout
    assert "isbn" not in r.stdout
    out = tmp_path / "refs.json"
    r = cs(handbook_lib, "export", "galbreath2014organization", "-o", str(out))
    assert out.read_text(encoding="utf-8") == (GOLDEN / "galbreath.json").read_text(
        encoding="utf-8"
    )
    ris = cs(handbook_lib, "export", "galbreath2014organization", "--format", "ris")
    import rispy

    refs = rispy.loads(ris.stdout)
    assert [(x["type_of_reference"], x["id"]) for x in refs] == [
        ("CHAP", "galbreath2014organization"),
        ("BOOK", "sperling2014handbook"),
    ]
    assert refs[0]["secondary_title"] == "Handbook of governance and security"
    assert (refs[0]["start_page"], refs[0]["end_page"]) == ("656", "670")
    assert "issn" not in refs[0]  # a chapter never takes the book's ISBN


def test_ascii_output(cs, handbook_lib):
    r = cs(handbook_lib, "export", "--ascii")
    assert r.exit_code == 0
    assert r.stdout.isascii()
    r8 = cs(handbook_lib, "export")
    assert not r8.stdout.isascii()  # curly quotes in the abstracts


def test_help_teaches(cs):
    r = cs(None, "export", "--help")
    assert "--cited-in paper.aux" in r.stdout
    assert "Examples:" in r.stdout


TIES_BIB = """@book{zeta, author = {Kullback, Solomon}, title = {Information theory}, year = 1997}
@book{alpha, author = {Kullback, Solomon}, title = {Information theory}, year = 1997,
  note = {A reprint}}
@book{mid, author = {Kullback, Solomon}, title = {Information theory}, year = 1959}
@book{other, author = {Other, Ann}, title = {Alone}, year = 1997}
"""


def test_records_a_bibliography_sorts_alike_are_exported_in_their_sources_order(
    cs, empty_lib, tmp_path, monkeypatch
):
    bib = tmp_path / "ties.bib"
    bib.write_text(TIES_BIB, encoding="utf-8")
    assert cs(empty_lib, "import", str(bib)).exit_code == 0
    # zeta and alpha tie (same author, title and year): biber and citeproc print
    # them in file order, so the export keeps it (in the places key order gives
    # the two); the others are in key order
    for name in ("zeta", "alpha"):
        data = json.loads((empty_lib / f"{name}.json").read_text(encoding="utf-8"))
        assert data["extra"]["tie_order"] == ["zeta", "alpha"]
    for name in ("mid", "other"):
        data = json.loads((empty_lib / f"{name}.json").read_text(encoding="utf-8"))
        assert "tie_order" not in data.get("extra", {})
    for index in ("on", "off"):  # from the index, and from the files without one
        if index == "off":
            monkeypatch.setenv("CITESHELF_INDEX_DIR", "off")
        for fmt in ("biblatex", "bibtex"):
            r = cs(empty_lib, "export", "--format", fmt)
            assert entry_keys(r.stdout) == ["zeta", "mid", "other", "alpha"], (index, fmt)
        r = cs(empty_lib, "export", "--format", "csl-json")
        assert [i["id"] for i in json.loads(r.stdout)] == ["zeta", "mid", "other", "alpha"]
        r = cs(empty_lib, "export", "alpha", "zeta", "--format", "biblatex")
        assert entry_keys(r.stdout) == ["zeta", "alpha"]


def test_keep_ties_moves_only_a_groups_members_within_their_places():
    from citeshelf.model.order import keep_ties

    order = ["a", "b", "c", "d", "e"]
    assert keep_ties(order, [["d", "b"]]) == ["a", "d", "c", "b", "e"]
    assert keep_ties(order, [["e", "x", "a"]]) == ["e", "b", "c", "d", "a"]  # x: not exported
    assert keep_ties(order, [["e", "a"]], apart=frozenset({"e"})) == order  # a book written last
    assert keep_ties(order, [["c"]]) == order
