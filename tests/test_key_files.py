"""Keys that are no safe file names (``baez/article``, ``李2020``, ``a b``):
kept as cited through import, show, cite, export, with a file name that
follows from the key alone."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from citeshelf.model.keyfiles import file_stem, key_of_stem, key_problem

BIB = (
    "@article{baez/article, author={Baez, John}, title={An article}, journal={J}, year=2001}\n"
    "@book{李2020, author={李, 明}, title={书}, publisher={P}, year=2020}\n"
    "@book{a b, title={Spaced}, year=2019}\n"
)
CSL = [
    {"id": "baez/article", "type": "article-journal", "title": "An article",
     "author": [{"family": "Baez", "given": "John"}], "container-title": "J",
     "issued": {"date-parts": [[2001]]}},
    {"id": "李2020", "type": "book", "title": "书", "author": [{"family": "李", "given": "明"}],
     "publisher": "P", "issued": {"date-parts": [[2020]]}},
]  # fmt: skip
NAMES = ["%E6%9D%8E2020.json", "a%20b.json", "baez%2Farticle.json"]


@pytest.mark.parametrize(
    "key", ["baez/article", "Müller:2020", "李2020", "a b", ".x", "-x", "50+1", "a:b.c"]
)
def test_the_file_name_is_reversible_and_no_two_keys_share_one(key: str) -> None:
    stem = file_stem(key)
    assert key_of_stem(stem) == key
    assert "/" not in stem and not stem.startswith(".") and stem.isascii()
    # escapes are upper case, so a case-insensitive file system cannot merge two
    assert re.findall(r"%(..)", stem) == [h.upper() for h in re.findall(r"%(..)", stem)]


def test_bad_keys_say_why() -> None:
    assert key_problem("") == "it is empty"
    assert key_problem("x" * 129) == "it is longer than 128 characters"
    assert key_problem("a\nb") == "it holds a control character or line break (U+000A)"
    assert key_problem("a,b") == "it holds ',' (use any characters but , { } % # \\)"
    assert key_problem("李" * 100) == (
        "it is too long for a file name (write fewer non-ASCII characters)"
    )


def _import(cs, lib: Path, path: Path) -> None:
    r = cs(lib, "import", str(path))
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""


def test_keys_from_bibtex_are_kept_shown_cited_and_exported(cs, empty_lib, tmp_path) -> None:
    bib = tmp_path / "a.bib"
    bib.write_text(BIB, encoding="utf-8")
    _import(cs, empty_lib, bib)
    assert sorted(p.name for p in empty_lib.glob("*.json")) == NAMES
    assert cs(empty_lib, "show", "baez/article").stdout.startswith("baez/article (article)")
    assert cs(empty_lib, "list", "--format", "{key}").stdout == "a b\nbaez/article\n李2020\n"
    tex = tmp_path / "p.tex"
    tex.write_text("\\cite{baez/article} and \\cite{李2020}\n", encoding="utf-8")
    out = cs(empty_lib, "export", "--cited-in", str(tex), "--format", "biblatex").stdout
    assert out.startswith("@article{baez/article,\n") and "\n@book{李2020,\n" in out
    csl = json.loads(
        cs(empty_lib, "export", "李2020", "baez/article", "--format", "csl-json").stdout
    )
    assert [i["id"] for i in csl] == ["baez/article", "李2020"]
    assert cs(empty_lib, "check").exit_code == 0


def test_keys_from_csl_json_are_kept(cs, empty_lib, tmp_path) -> None:
    f = tmp_path / "a.json"
    f.write_text(json.dumps(CSL, ensure_ascii=False), encoding="utf-8")
    _import(cs, empty_lib, f)
    assert sorted(p.name for p in empty_lib.glob("*.json")) == [NAMES[0], NAMES[2]]
    data = json.loads((empty_lib / "%E6%9D%8E2020.json").read_text(encoding="utf-8"))
    assert data["key"] == "李2020" and "csl_id" not in data.get("extra", {})


def test_file_names_do_not_depend_on_the_order_of_imports(cs, tmp_path) -> None:
    one, two = tmp_path / "one" / "records", tmp_path / "two" / "records"
    one.mkdir(parents=True)
    two.mkdir(parents=True)
    lines = BIB.splitlines(keepends=True)
    (tmp_path / "fwd.bib").write_text("".join(lines), encoding="utf-8")
    (tmp_path / "rev.bib").write_text("".join(reversed(lines)), encoding="utf-8")
    _import(cs, one, tmp_path / "fwd.bib")
    _import(cs, two, tmp_path / "rev.bib")
    for name in NAMES:
        a = json.loads((one / name).read_text(encoding="utf-8"))
        b = json.loads((two / name).read_text(encoding="utf-8"))
        assert {k: v for k, v in a.items() if k != "added"} == {
            k: v for k, v in b.items() if k != "added"
        }


def test_rekey_onto_and_off_an_escaped_name(cs, empty_lib, tmp_path) -> None:
    bib = tmp_path / "a.bib"
    bib.write_text(BIB, encoding="utf-8")
    _import(cs, empty_lib, bib)
    r = cs(empty_lib, "rekey", "baez/article", "baez2001article", "--yes")
    assert r.exit_code == 0, r.stderr
    assert (empty_lib / "baez2001article.json").exists()
    assert not (empty_lib / "baez%2Farticle.json").exists()
