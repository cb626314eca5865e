"""What a BibTeX source wrote comes back as it wrote it: its markup's
spelling (`` ``...'' `` or ``\\enquote`` for a quotation, ``{\\it ...}`` for
italics) and its keywords' separator, while the record holds the one
canonical markup; and biber sees the export as it saw the source."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from citeshelf.formats.bibtex import parse_bibtex, write_bibtex

BIB = r"""@article{quotes,
  author = {Carnes, Lance},
  title = {Table of ``small'' {\TeX} implementations},
  journal = {TUGboat},
  year = {1983},
  note = {See \enquote{this}, \textit{that}, {\it Umlaut\/}s and \emph{x}},
  keywords = {Business education; Language arts; Penmanship.},
}

@article{braced,
  author = {Carnes, Lance},
  title = {Highlights Continued: ``{Singular Impressions: The Monotype in America},'' {National Museum of American Art}},
  journal = {TUGboat},
  year = {1997},
  keywords = {Printing, Practical; Type-setting},
}

@misc{thin,
  title = {{TUG\,'95} programme},
  note = {11\,000 pages},
}
"""


def _records():
    return {r.key: r for r in parse_bibtex(BIB).records}


def test_the_record_holds_canonical_markup_and_how_it_was_written() -> None:
    rec = _records()["quotes"]
    assert rec.title == "Table of <q>small</q> <tex>{\\TeX}</tex> implementations"
    assert rec.extra["latex_markup"]["title"] == {"q": ["``"]}
    note = rec.extra["latex_markup"]["note"]
    assert note == {"q": ["\\enquote"], "i": ["\\textit", "{\\it/", "\\emph"]}
    assert rec.note == "See <q>this</q>, <i>that</i>, <i>Umlaut</i>s and <i>x</i>"


@pytest.mark.parametrize("dialect", ["biblatex", "bibtex"])
def test_an_export_writes_the_markup_as_the_source_did(dialect: str) -> None:
    out = write_bibtex(_records().values(), dialect=dialect)
    assert "title = {Table of ``small'' {\\TeX} implementations}" in out
    assert "\\enquote{this}, \\textit{that}, {\\it Umlaut\\/}s and \\emph{x}" in out
    assert (
        "title = {Highlights Continued: ``{Singular Impressions: The Monotype in America},'' "
        "{National Museum of American Art}}" in out
    )


def test_without_a_note_the_writer_chooses_the_markup() -> None:
    rec = _records()["quotes"]
    rec.extra.pop("latex_markup")
    out = write_bibtex([rec], dialect="biblatex")
    assert "Table of \\mkbibquote{small}" in out
    assert "\\mkbibquote{this}, \\emph{that}, \\emph{Umlaut}s and \\emph{x}" in out
    classic = write_bibtex([rec], dialect="bibtex")
    assert "Table of ``small''" in classic


def test_biblatex_commands_are_not_written_to_classic_bibtex() -> None:
    rec = next(iter(parse_bibtex(r"@misc{m, title = {\mkbibemph{A} and \enquote{b}}}").records))
    assert rec.extra["latex_markup"]["title"] == {"i": ["\\mkbibemph"], "q": ["\\enquote"]}
    assert "\\mkbibemph{A} and \\enquote{b}" in write_bibtex([rec], dialect="biblatex")
    assert "\\emph{A} and \\enquote{b}" in write_bibtex([rec], dialect="bibtex")


@pytest.mark.parametrize("ascii", [False, True])
def test_a_thin_space_is_written_as_latex_writes_it(ascii: bool) -> None:
    # U+2009 is not set up for LaTeX (pdflatex stops on it): \, as the source had
    rec = _records()["thin"]
    assert rec.title == "TUG\u2009'95 programme" and rec.note == "11\u2009000 pages"
    out = write_bibtex([rec], dialect="biblatex", ascii=ascii)
    assert "title = {{TUG\\,'95} programme}" in out and "note = {11\\,000 pages}" in out
    assert "\u2009" not in out


def test_keywords_keep_their_separator() -> None:
    recs = _records()
    assert recs["quotes"].keywords == ["Business education", "Language arts", "Penmanship."]
    assert recs["quotes"].extra["keyword_separator"] == ";"
    assert recs["braced"].keywords == ["Printing, Practical", "Type-setting"]
    assert "keyword_separator" not in recs["braced"].extra  # ";" is what a comma implies
    out = write_bibtex(recs.values(), dialect="biblatex")
    assert "keywords = {Business education; Language arts; Penmanship.}" in out
    assert "keywords = {Printing, Practical; Type-setting}" in out


def test_biber_sees_the_export_as_it_saw_the_source(tmp_path: Path) -> None:
    from .biber_fidelity import biber_resolved, compare, export_with_citeshelf

    if shutil.which("biber") is None:
        pytest.skip("biber not installed (Debian package biber)")
    original = tmp_path / "refs.bib"
    original.write_text(BIB, encoding="utf-8")
    exported = tmp_path / "exported.bib"
    export_with_citeshelf(original, exported)
    result = compare(biber_resolved(original, tmp_path), biber_resolved(exported, tmp_path))
    assert result.fields >= 12
    assert (result.changed, result.lost, result.entries_lost) == ([], [], []), result.report()


def test_two_pairs_of_braces_around_a_value_are_one_pair_to_the_benchmark() -> None:
    from .biber_fidelity import normalised

    assert normalised("{{CDC {\\TeX}}}") == normalised("{CDC {\\TeX}}")
    assert normalised("{{Title}}") == "{Title}"
    # two groups side by side are not one value in two pairs of braces
    assert normalised("{{A} and {B}}") == "{{A} and {B}}"
