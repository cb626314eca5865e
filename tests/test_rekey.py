"""citeshelf rekey: renaming a record, its chapters' parent and the manuscripts' citations."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citeshelf.formats.manuscript import _bare_ok, rewrite_citations
from citeshelf.library import Library
from citeshelf.ops.rekeying import apply_rekey, plan_rekey

from .conftest import DEFAULT_LIBRARY
from .test_compile import compile_bibtex, latex_citation_warnings, natbib_document, need

TEX = "Text \\citep[p.~3]{kay2014persian, aris2014collective}.\n% \\cite{kay2014persian}\nkay2014persian\n"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_rekey_renames_the_record_and_rewrites_the_paper(cs, handbook_lib, tmp_path):
    paper = tmp_path / "paper.tex"
    paper.write_text(TEX)
    r = cs(handbook_lib, "rekey", "kay2014persian", "kay2014gulf", "--in", str(paper), "--yes")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == (
        f"rename {handbook_lib / 'kay2014persian.json'} -> {handbook_lib / 'kay2014gulf.json'}\n"
        f"{paper}: 1 citation\n"
        f"--- a/{paper}\n+++ b/{paper}\n@@ -1,3 +1,3 @@\n"
        "-Text \\citep[p.~3]{kay2014persian, aris2014collective}.\n"
        "+Text \\citep[p.~3]{kay2014gulf, aris2014collective}.\n"
        " % \\cite{kay2014persian}\n kay2014persian\n"
        "renamed kay2014persian to kay2014gulf\n"
    )
    assert paper.read_text() == TEX.replace("{kay2014persian,", "{kay2014gulf,")
    assert not (handbook_lib / "kay2014persian.json").exists()
    assert cs(handbook_lib, "show", "kay2014gulf", "--json").exit_code == 0


def test_rekey_a_book_points_its_chapters_at_the_new_key(cs, handbook_lib):
    r = cs(handbook_lib, "rekey", "sperling2014handbook", "handbook", "--yes")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[1].startswith("parent sperling2014handbook -> handbook in aris")
    assert cs(handbook_lib, "chapters", "handbook").exit_code == 0
    assert '"parent": "handbook"' in (handbook_lib / "aris2014collective.json").read_text()
    assert cs(handbook_lib, "check").exit_code == 0


_TIED = (
    "@book{zz, author = {Kullback, S.}, title = {Information theory}, year = 1959, publisher={W}}\n"
    "@book{aa, author = {Kullback, S.}, title = {Information theory}, year = 1959, publisher={D}}\n"
    "@book{mm, author = {Kullback, S.}, title = {Information theory}, year = 1959, publisher={O}}\n"
)


def _ties(lib: Path) -> dict[str, list[str] | None]:
    import json

    return {
        p.stem: json.loads(p.read_text(encoding="utf-8"))["extra"].get("tie_order")
        for p in sorted(lib.glob("*.json"))
    }


@pytest.mark.parametrize("index", [True, False])
def test_rekey_renames_the_key_in_the_tie_orders(cs, empty_lib, tmp_path, index):
    # biber prints records that sort alike in file order; the import noted it
    env = None if index else {"CITESHELF_INDEX_DIR": "off"}
    bib = tmp_path / "tied.bib"
    bib.write_text(_TIED, encoding="utf-8")
    assert cs(empty_lib, "import", str(bib), env=env).exit_code == 0
    assert _ties(empty_lib) == dict.fromkeys(["aa", "mm", "zz"], ["zz", "aa", "mm"])
    r = cs(empty_lib, "rekey", "aa", "bb", "--yes", env=env)
    assert r.exit_code == 0, r.stderr
    assert "tie order aa -> bb in mm, zz\n" in r.stdout
    assert _ties(empty_lib) == dict.fromkeys(["bb", "mm", "zz"], ["zz", "bb", "mm"])
    out = cs(empty_lib, "export", "--format", "biblatex", env=env).stdout
    assert out.index("@book{zz,") < out.index("@book{bb,") < out.index("@book{mm,")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["nosuch", "x"], 3, "no record 'nosuch' in {lib}"),
        (
            ["kay2014persian", "aris2014collective"],
            5,
            "a record with key 'aris2014collective' already exists: nothing changed",
        ),
        (
            ["kay2014persian", "Aris2014Collective"],
            5,
            "key 'Aris2014Collective' differs only in "
            "letter case from existing record 'aris2014collective'",
        ),
        (["kay2014persian", "bad,key"], 2, "'bad,key' is not a valid key"),
        (["kay2014persian", "kay2014persian"], 2, "the record is already called 'kay2014persian'"),
        (["kay2014persian"], 2, "give the key to rename and its new key (OLD NEW), or --all"),
        (["--all", "--formula", "[auth"], 2, "key formula '[auth': column 1: '[' is never closed"),
        (["--all", "a", "b"], 2, "give either OLD NEW or --all, not both"),
        (
            ["kay2014persian", "kay2014gulf", "--in", "{tmp}/nope.tex"],
            3,
            "manuscript {tmp}/nope.tex does not exist",
        ),
        (
            ["kay2014persian", "kay2014gulf", "--in", "{tmp}/paper.aux"],
            2,
            "{tmp}/paper.aux: an .aux file is made by LaTeX",
        ),
        (
            ["kay2014persian", "other", "--in", "{tmp}/paper.tex"],
            5,
            "'other' is already cited in the manuscripts",
        ),
        (["kay2014persian", "kay2014gulf"], 2, "not a terminal, so nothing was changed: add --yes"),
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(cs, handbook_lib, tmp_path, args, code, message):
    (tmp_path / "paper.aux").write_text("\\citation{kay2014persian}\n")
    (tmp_path / "paper.tex").write_text("\\cite{kay2014persian,other}\n")
    before = snapshot(handbook_lib)
    args = [a.format(tmp=tmp_path) for a in args]
    r = cs(handbook_lib, "rekey", *args)
    assert r.exit_code == code
    err = r.stderr.splitlines()
    assert len(err) == 1 and err[0].startswith(
        "citeshelf: error: " + message.format(lib=handbook_lib, tmp=tmp_path)
    ), r.stderr
    assert snapshot(handbook_lib) == before


def test_all_dry_run_previews_the_configured_formula_and_pins_cited_keys(
    cs, handbook_lib, tmp_path
):
    (handbook_lib / "citeshelf.toml").write_text('[keys]\nformula = "[auth:lower]_[year]"\n')
    paper = tmp_path / "paper.md"
    paper.write_text("As [@kay2014persian] says.\n")
    before = snapshot(handbook_lib)
    r = cs(handbook_lib, "rekey", "--all", "--dry-run", "--in", str(paper))
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "formula [auth:lower]_[year]"
    assert "aris2014collective -> aris_2014" in lines
    assert "cottey2014europe -> cottey_2014" in lines
    assert "cottey2014nato -> cottey_2014a" in lines
    assert "kay2014persian (pinned: cited in a manuscript)" in lines
    assert "sperling2014handbook -> 2014" in lines  # no author: the formula says so
    assert lines[-1] == "18 to rename, 1 kept"
    assert snapshot(handbook_lib) == before
    # the default formula changes nothing
    (handbook_lib / "citeshelf.toml").unlink()
    r = cs(handbook_lib, "rekey", "--all", "--dry-run")
    assert r.stdout.splitlines()[-1] == "0 to rename, 19 kept"


def test_all_renames_everything_but_the_pinned_keys(cs, handbook_lib, tmp_path):
    paper = tmp_path / "paper.md"
    paper.write_text("As [@kay2014persian; @aris2014collective] say.\n")
    (handbook_lib / "citeshelf.toml").write_text(f'manuscripts = ["{paper}"]\n')
    formula = "[auth:lower|editor:lower]:[year]"
    r = cs(handbook_lib, "rekey", "--all", "--formula", formula, "--yes")
    assert r.exit_code == 0, r.stderr
    keys = sorted(p.stem for p in handbook_lib.glob("*.json"))
    assert "kay2014persian" in keys and "aris2014collective" in keys
    assert "sperling:2014" in keys and "cottey:2014a" in keys
    assert cs(handbook_lib, "check").exit_code == 0
    r = cs(handbook_lib, "rekey", "--all", "--formula", formula, "--include-pinned", "--yes")
    assert r.exit_code == 0, r.stderr
    assert paper.read_text() == "As [@kay:2014; @aris:2014] say.\n"


KEYS = sorted(p.stem for p in DEFAULT_LIBRARY.glob("*.json"))
# Keys pandoc can cite bare (@key): a rename to one that needs braces (@{a:}) adds them, and
# renaming back cannot tell them from braces the author wrote.
new_keys = st.from_regex(r"\A[a-z][a-z0-9_:.+-]{0,20}\Z").filter(
    lambda k: k not in KEYS and k != "a" and _bare_ok(k)
)
manuscript_text = st.lists(
    st.sampled_from(
        [
            "\\cite{%s}",
            "\\citep[p.~1]{a, %s}",
            "[@%s, p. 2]",
            "@%s.",
            "%% \\cite{%s}\n",
            "`@%s`",
            "%s",
            " text ",
            "\n",
            "@{%s}",
        ]
    ),
    max_size=12,
).map("".join)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(old=st.sampled_from(KEYS), new=new_keys, tex=manuscript_text, md=manuscript_text)
def test_rekey_and_back_leaves_library_and_manuscripts_byte_identical(tmp_path, old, new, tex, md):
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    lib_dir = work / "records"
    shutil.copytree(DEFAULT_LIBRARY, lib_dir)
    (work / "paper.tex").write_text(tex.replace("%s", old), encoding="utf-8")
    (work / "notes.md").write_text(md.replace("%s", old), encoding="utf-8")
    papers = [work / "paper.tex", work / "notes.md"]
    before = (snapshot(lib_dir), [p.read_bytes() for p in papers])
    lib = Library(lib_dir)
    apply_rekey(lib, plan_rekey(lib, old, new, papers))
    assert old not in lib and new in lib
    apply_rekey(lib, plan_rekey(lib, new, old, papers))
    assert (snapshot(lib_dir), [p.read_bytes() for p in papers]) == before
    shutil.rmtree(work)


def test_rewrite_touches_citations_only():
    text = "\\cite{smith2020a,smith2020} smith2020 @smith2020 me@smith2020.org `@smith2020`"
    assert rewrite_citations(text, "tex", "smith2020", "jones") == (
        "\\cite{smith2020a,jones} smith2020 @smith2020 me@smith2020.org `@smith2020`",
        1,
    )
    assert rewrite_citations(text, "md", "smith2020", "jones.") == (
        "\\cite{smith2020a,smith2020} smith2020 @{jones.} me@smith2020.org `@smith2020`",
        1,
    )
    assert rewrite_citations("[@{a:}; @{b}]", "md", "a:", "c") == ("[@c; @{b}]", 1)
    assert rewrite_citations("[@{a:}; @{b}]", "md", "b", "c") == ("[@{a:}; @{c}]", 1)
    md = "---\nnocite: |\n  @smith2020\n---\n[-@smith2020; @x]\n\n    @smith2020 (code)\n"
    assert rewrite_citations(md, "md", "smith2020", "jones")[0] == (
        "---\nnocite: |\n  @jones\n---\n[-@jones; @x]\n\n    @smith2020 (code)\n"
    )


def test_a_renamed_record_still_compiles(cs, handbook_lib, tmp_path):
    need("pdflatex", "bibtex")
    paper = tmp_path / "paper"
    paper.mkdir()
    tex = paper / "paper.tex"
    tex.write_text(natbib_document("aris2014collective,galbreath2014organization"))
    r = cs(handbook_lib, "rekey", "aris2014collective", "aris2014csto", "--in", str(tex), "--yes")
    assert r.exit_code == 0, r.stderr
    assert "\\citep{aris2014csto,galbreath2014organization}" in tex.read_text()
    r = cs(handbook_lib, "export", "--cited-in", str(tex), "-o", str(paper / "refs.bib"))
    assert r.exit_code == 0, r.stderr
    blg, log = compile_bibtex(paper)
    assert "Warning--" not in blg, blg
    assert latex_citation_warnings(log) == []
    assert "\\bibitem[Aris(2014)]{aris2014csto}" in (paper / "paper.bbl").read_text()
