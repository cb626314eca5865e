"""The keys a manuscript cites: .aux, .tex, Markdown."""

from __future__ import annotations

from pathlib import Path

import pytest

from citeshelf.errors import NotFound, UsageError
from citeshelf.formats.manuscript import cited_keys, scan_aux, scan_markdown, scan_tex

MS = Path(__file__).resolve().parent / "fixtures" / "manuscripts"


def test_tex_follows_input_and_include_and_skips_comments():
    c = cited_keys([MS / "paper.tex"])
    assert c.keys == [
        "cooley2014central",
        "cottey2014europe",
        "jackson2014african",
        "kay2014persian",
        "rees2014counter",
        "shaw2014organization",
        "sperling2014regime",
        "galbreath2014organization",
        "aris2014collective",
        "cottey2014nato",
    ]
    assert c.everything is False
    assert [p.name for p in c.files] == ["paper.tex", "intro.tex", "method.tex"]


def test_tex_commands_options_stars_and_nocite_star():
    keys, everything = scan_tex(
        r"\cite{a,b} \citep[p.~3]{c} \citet*[see][p. 4]{d, e} \parencite{f}\textcite{g}"
        r"\autocite[12]{h}\footcite{i} 50\% \cite{j} \Citeauthor{k} \citestyle{apa}"
        "\n% \\cite{commented}\n\\nocite{*}"
    )
    assert keys == list("abcdefghijk")
    assert everything is True


def test_bibtex_aux_and_its_included_aux():
    c = cited_keys([MS / "paper.aux"])
    assert c.keys == [
        "galbreath2014organization",
        "aris2014collective",
        "cottey2014nato",
        "kay2014persian",
        "cooley2014central",
    ]


def test_biber_aux():
    assert cited_keys([MS / "biber.aux"]).keys == [
        "galbreath2014organization",
        "aris2014collective",
    ]
    assert scan_aux("\\abx@aux@cite{old}\n\\citation{*}\n") == (["old"], True)


def test_markdown_citations_ignore_email_and_code():
    c = cited_keys([MS / "draft.md"])
    assert c.keys == [
        "sperling2014regime",
        "galbreath2014organization",
        "aris2014collective",
        "cottey2014nato",
        "kay2014persian",
        "rees2014counter",
        "shaw2014organization",
        "jackson2014african",
    ]
    assert scan_markdown("---\nnocite: '@*'\n---\ntext") == ([], True)
    assert scan_markdown("Key at sentence end @smith2020. And @a:b-c.") == (
        ["smith2020", "a:b-c"],
        False,
    )


def test_exact_keys_never_substrings():
    keys, _ = scan_tex(r"\cite{smith2020} \cite{smith2020a}")
    assert keys == ["smith2020", "smith2020a"]


def test_missing_manuscript_and_unknown_kind(tmp_path):
    with pytest.raises(NotFound, match="does not exist"):
        cited_keys([tmp_path / "nope.tex"])
    odd = tmp_path / "paper.docx"
    odd.write_text("x")
    with pytest.raises(UsageError, match="give a .aux, .tex or .md file"):
        cited_keys([odd])
    bad = tmp_path / "main.tex"
    bad.write_text(r"\input{missing}")
    with pytest.raises(NotFound, match=r"\\input file missing not found"):
        cited_keys([bad])
