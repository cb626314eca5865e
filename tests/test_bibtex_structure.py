"""The structure of a .bib file survives a BibLaTeX round trip as biber sees
it: a book's ``booktitle`` copy for the chapters that crossref it, the
fields an article gets from the periodical it crossrefs, and dates biblatex
writes in ways of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from citeshelf.formats.bibtex import parse_bibtex, write_bibtex
from citeshelf.model.inherit import chapter_view

from .biber_fidelity import biber_resolved, compare


def _biber_round_trip(text: str, tmp_path: Path):
    if shutil.which("biber") is None:
        pytest.skip("biber not installed (Debian package biber)")
    original = tmp_path / "original.bib"
    original.write_text(text, encoding="utf-8")
    exported = tmp_path / "exported.bib"
    exported.write_text(
        write_bibtex(parse_bibtex(text).records, dialect="biblatex"), encoding="utf-8"
    )
    return compare(biber_resolved(original, tmp_path), biber_resolved(exported, tmp_path))


# -- a book's booktitle copy ----------------------------------------------------------

BOOKTITLE_BIB = r"""@incollection{ch,
  author = {Doe, Jane},
  title = {On the pagination of complex documents},
  crossref = {bk},
  pages = {49--68},
}

@book{bk,
  editor = {Klein, Rolf},
  booktitle = {Computer Science in Perspective: Essays Dedicated to
               {Thomas Ottmann}},
  title = {Computer Science in Perspective: Essays Dedicated to {Thomas Ottmann}},
  publisher = {Springer},
  year = {2003},
}

@book{other,
  title = {The {TeX}book},
  booktitle = {The TeXbook},
  year = {1984},
}
"""


def test_a_books_booktitle_copy_is_marked_and_written_back():
    records = {r.key: r for r in parse_bibtex(BOOKTITLE_BIB).records}
    book = records["bk"]
    # not kept twice: a marker says the source wrote the title again as booktitle
    assert book.extra["bibtex_booktitle"] is True and "booktitle" not in book.extra
    # one that is no copy as written (a brace differs) is the book's container title
    assert "bibtex_booktitle" not in records["other"].extra
    assert records["other"].container_title == "The TeXbook"
    assert records["other"].extra["protect"]["container_title"] == []
    text = write_bibtex(list(records.values()), dialect="biblatex")
    entry = text[text.index("@book{bk,") :]
    assert "  booktitle = {Computer Science in Perspective: Essays Dedicated to {Thomas" in entry
    assert "bibtex_booktitle" not in text
    # the marker follows the title: an edited title is written as booktitle too
    edited = book.model_copy(update={"title": "A new title"})
    assert "  booktitle = {A new title},\n" in write_bibtex([edited], dialect="biblatex")
    # read back: the same records
    assert {r.key: r for r in parse_bibtex(text).records} == records
    # a book without the marker is written without booktitle in BibLaTeX, as before
    plain = book.model_copy(update={"extra": {}})
    assert "booktitle" not in write_bibtex([plain], dialect="biblatex")


def test_the_marker_does_not_change_what_a_chapter_inherits_in_styles():
    records = {r.key: r for r in parse_bibtex(BOOKTITLE_BIB).records}
    book = records["bk"]
    plain = book.model_copy(update={"extra": {}})
    chapter = records["ch"]
    assert chapter_view(chapter, book) == chapter_view(chapter, plain)
    assert chapter_view(chapter, book).container_title == book.full_title


def test_biber_gives_the_chapters_of_a_book_its_booktitle_again(tmp_path):
    result = _biber_round_trip(BOOKTITLE_BIB, tmp_path)
    assert result.fields > 15
    assert result.lost == [] and result.changed == [], result.report()
