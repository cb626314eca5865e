"""The structure of a .bib file survives a BibLaTeX round trip as biber sees
it: a book's ``booktitle`` copy for the chapters that crossref it, the
fields an article gets from the periodical it crossrefs, and dates biblatex
writes in ways of its own."""

from __future__ import annotations

import re
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


# -- what an article gets from the periodical it crossrefs ------------------------------

PERIODICAL_BIB = r"""@article{deleuze,
  crossref = {logos},
  author = {Делёз, Жиль},
  title = {Четыре тезиса о психоанализе},
  year = 2010,
  number = {3 (76)},
}

@article{dated,
  crossref = {logos},
  title = {With a date},
  date = {2011},
}

@article{quine,
  author = {Quine, Willard Van Orman},
  title = {Ontological Relativity},
  journaltitle = {The Journal of Philosophy},
  date = {1968-04-04},
  volume = 65,
  issue = 7,
}

@article{copjec,
  title = {Orthopsychic subjectivity},
  journaltitle = {J},
  year = 1998,
  issue = {Summer},
}

@periodical{logos,
  title = {Логос},
  date = {1991/},
}
"""


def test_an_article_with_a_crossref_and_a_year_is_written_with_year_again():
    records = {r.key: r for r in parse_bibtex(PERIODICAL_BIB).records}
    assert records["deleuze"].extra["bibtex_year"] is True
    assert "bibtex_year" not in records["dated"].extra  # a date, which biber does not complete
    assert "bibtex_year" not in (records["copjec"].extra or {})  # no crossref
    text = write_bibtex(list(records.values()), dialect="biblatex")
    entry = text[text.index("{deleuze,") :].split("\n\n")[0]
    assert "  year = {2010},\n" in entry and "date" not in entry
    assert "  date = {2011},\n" in text and "  date = {1998},\n" in text
    assert {r.key: r for r in parse_bibtex(text).records} == records


def test_an_articles_issue_is_written_as_issue_again():
    records = {r.key: r for r in parse_bibtex(PERIODICAL_BIB).records}
    assert records["quine"].issue == "7" and records["copjec"].issue == "Summer"
    assert records["quine"].extra["bibtex_fields"] == {"issue": "issue"}
    text = write_bibtex(list(records.values()), dialect="biblatex")
    assert "  issue = {7},\n" in text and "  issue = {Summer},\n" in text
    assert "  number = {7}" not in text
    assert {r.key: r for r in parse_bibtex(text).records} == records
    # classic BibTeX styles know number only
    assert "  number = {7},\n" in write_bibtex([records["quine"]])
    # an issue of the model (from another format) is biblatex's number, as before
    plain = records["quine"].model_copy(update={"extra": {}})
    assert "  number = {7},\n" in write_bibtex([plain], dialect="biblatex")


def test_biber_sees_the_articles_dates_and_issues_as_in_the_source(tmp_path):
    result = _biber_round_trip(PERIODICAL_BIB, tmp_path)
    assert result.fields > 20
    assert result.lost == [] and result.changed == [], result.report()


def test_a_volume_with_a_crossref_and_a_year_gets_its_sets_open_end_in_biber_too(tmp_path):
    text = (
        "@collection{if1, crossref = {if}, volume = {1}, year = 1997}\n"
        "@collection{if2, crossref = {if}, volume = {2}, date = 1998}\n"
        "@mvcollection{if, title = {История философии}, date = {1997/}}\n"
    )
    records = {r.key: r for r in parse_bibtex(text).records}
    assert records["if1"].extra["bibtex_year"] is True
    assert "bibtex_year" not in records["if2"].extra
    result = _biber_round_trip(text, tmp_path)
    assert result.lost == [] and result.changed == [], result.report()


# -- a literal list of one item that holds "; " -----------------------------------------

LISTS_BIB = r"""@book{vr,
  title = {Время и рассказ},
  location = {М.; СПб.},
  publisher = {Университетская книга},
  year = 2000,
}

@book{two,
  title = {Two places},
  location = {М. and СПб.},
  publisher = {A; B},
  year = 2000,
}

@book{standard,
  title = {A standard},
  location = {Минск~: Межгос. совет по стандартизации~;
              М.~: Изд-во стандартов},
  year = 2000,
}
"""


def test_a_list_of_one_item_that_holds_a_semicolon_is_written_as_one_item():
    records = {r.key: r for r in parse_bibtex(LISTS_BIB).records}
    assert records["vr"].place == "М.; СПб." and records["two"].place == "М.; СПб."
    assert records["vr"].extra["bibtex_one_item"] == ["location"]
    assert records["two"].extra["bibtex_one_item"] == ["publisher"]
    assert records["standard"].extra["bibtex_one_item"] == ["location"]  # "~;" and a line end
    for dialect in ("biblatex", "bibtex"):
        text = write_bibtex(list(records.values()), dialect=dialect)
        place = "location" if dialect == "biblatex" else "address"
        assert f"  {place} = {{М.; СПб.}},\n" in text
        assert f"  {place} = {{М. and СПб.}},\n" in text
        assert "  publisher = {A; B},\n" in text
        back = {r.key: r for r in parse_bibtex(text).records}
        assert back["vr"].place == "М.; СПб."
        assert back["vr"].extra["bibtex_one_item"] == ["location"]


def test_biber_sees_a_list_of_one_item_as_one_item_again(tmp_path):
    result = _biber_round_trip(LISTS_BIB, tmp_path)
    assert result.lost == [] and result.changed == [], result.report()


def test_an_xdata_set_is_merged_and_not_compared_as_an_entry(tmp_path):
    text = (
        "@xdata{if-common, location = {М.}, publisher = {ИФРАН}}\n"
        "@book{if1, title = {История философии}, xdata = {if-common}, year = 1997}\n"
    )
    (record,) = parse_bibtex(text).records
    assert (record.place, record.publisher) == ("М.", "ИФРАН")
    result = _biber_round_trip(text, tmp_path)
    # biber writes the set out too; it is no work, and the book's fields are all there
    assert result.entries_lost == [] and result.lost == [] and result.changed == []
    assert result.fields >= 5, result.report()


XDATA_PARENT_BIB = """@xdata{common, location = {M}, publisher = {IF}}
@collection{mid, editor = {Ed, Anne}, title = {Middle}, xdata = {common}, year = 2000}
@incollection{child, author = {Au, Ben}, title = {Child}, crossref = {mid}, year = 2000}
"""


def _bbl_location(bib: Path, tmp_path: Path, name: str) -> list[str]:
    """The ``location`` lists biber gives a document citing ``child``."""
    import subprocess

    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex not installed (Debian package texlive-latex-base)")
    tex = tmp_path / f"{name}.tex"
    tex.write_text(
        "\\documentclass{article}\\usepackage[backend=biber]{biblatex}"
        f"\\addbibresource{{{bib.name}}}\\begin{{document}}\\cite{{child}}"
        "\\printbibliography\\end{document}\n",
        encoding="utf-8",
    )
    for cmd in (["pdflatex", "-interaction=batchmode", tex.name], ["biber", "--quiet", name]):
        subprocess.run(cmd, cwd=tmp_path, capture_output=True, check=cmd[0] == "biber")
    bbl = (tmp_path / f"{name}.bbl").read_text(encoding="utf-8")
    child = bbl[bbl.index("\\entry{child}") :]
    return re.findall(r"\\list\{location\}\{1\}\{%\s*\{(\w+)\}", child[: child.index("\\endentry")])


def test_a_child_gets_what_its_parent_takes_from_xdata_in_a_document_both_ways(tmp_path):
    result = _biber_round_trip(XDATA_PARENT_BIB, tmp_path)
    # biber --tool hands the child no location (it resolves the crossref first) ...
    assert ("child", "location", "M") in compare(
        (tmp_path / "original.resolved.bib").read_text(encoding="utf-8"),
        (tmp_path / "exported.resolved.bib").read_text(encoding="utf-8"),
    ).added
    # ... which the comparison given the source does not count (XDATA_FIRST) ...
    again = compare(
        (tmp_path / "original.resolved.bib").read_text(encoding="utf-8"),
        (tmp_path / "exported.resolved.bib").read_text(encoding="utf-8"),
        XDATA_PARENT_BIB,
    )
    assert again.added == [] and again.lost == [] and again.changed == [], again.report()
    assert result.lost == [] and result.changed == []
    # ... because in a document the child prints the location from both files
    assert _bbl_location(tmp_path / "original.bib", tmp_path, "doc1") == ["M"]
    assert _bbl_location(tmp_path / "exported.bib", tmp_path, "doc2") == ["M"]


def test_parents_xdata_reads_entries_with_a_repeated_field_too():
    # bibtexparser gives an entry with a repeated field as a DuplicateFieldKeyBlock
    from .biber_fidelity import parents_xdata

    repeated = (
        XDATA_PARENT_BIB.replace("year = 2000}", "year = 2000, note = {a}, note = {b}}", 1)
        + '@incollection{twice, title = {T}, crossref = "mid", pages = {1}, pages = {2}}\n'
    )
    assert parents_xdata(XDATA_PARENT_BIB) == {"child": ["common"]}
    assert parents_xdata(repeated) == {"child": ["common"], "twice": ["common"]}


# -- a year with BibTeX's sort prefix ---------------------------------------------------

NOOPSORT_BIB = r"""@preamble{"\newcommand{\noopsort}[1]{}"}

@book{b1,
  author = {Knuth, Donald E.},
  title = {Seminumerical Algorithms},
  year = {{\noopsort{1973c}}1981},
  month = oct,
}

@book{b2,
  title = {Fundamental Algorithms},
  year = "{\noopsort{1973b}}1973",
}
"""


def test_a_years_sort_prefix_is_kept_apart_and_written_back():
    records = {r.key: r for r in parse_bibtex(NOOPSORT_BIB).records}
    assert records["b1"].issued.iso() == "1981-10"  # the date itself, for styles and queries
    assert records["b1"].extra["bibtex_year_sort"] == r"{\noopsort{1973c}}"
    assert records["b2"].issued.iso() == "1973"
    for dialect in ("biblatex", "bibtex"):
        text = write_bibtex(list(records.values()), dialect=dialect)
        assert "  year = {{\\noopsort{1973c}}1981},\n  month = oct,\n" in text
        assert "  year = {{\\noopsort{1973b}}1973},\n" in text and "date" not in text
        back = {r.key: r for r in parse_bibtex(text).records}
        assert back["b1"].extra["bibtex_year_sort"] == r"{\noopsort{1973c}}"
        assert back["b1"].issued == records["b1"].issued


def test_biber_sees_a_sort_prefixed_year_as_in_the_source(tmp_path):
    result = _biber_round_trip(NOOPSORT_BIB, tmp_path)
    assert result.fields >= 6
    assert result.lost == [] and result.changed == [], result.report()


def test_a_duplicates_fields_are_compared_where_the_kept_entry_lacks_them():
    # biber's output of a file with one work under two keys, and of its export
    original = (
        "@BOOK{kept,\n  TITLE = {Math},\n  KEYWORDS = {a; b},\n}\n\n"
        "@BOOK{twin,\n  TITLE = {Math},\n  KEYWORDS = {a; c},\n  ABSTRACT = {For you},\n"
        "  NOTE = {Only here},\n}\n"
    )
    exported = (
        "@BOOK{kept,\n  IDS = {twin},\n  TITLE = {Math},\n  KEYWORDS = {a; b},\n"
        "  ABSTRACT = {For you},\n}\n"
    )
    result = compare(original, exported)
    # the twin's keywords differ from the kept entry's (the kept one's stay: not
    # counted), its abstract was taken (not added), its note was lost
    assert result.changed == [] and result.added == []
    assert result.lost == [("twin", "note", "Only here")]


STATUS_AND_RANGE_BIB = r"""@incollection{contrib,
  author = {Contributor, Anna},
  title = {Contribution},
  booktitle = {Edited volume},
  year = {\autocap{f}orthcoming},
}

@book{dated,
  author = {Ann, Author},
  title = {As a date},
  date = {\autocap{f}orthcoming},
}

@article{waller,
  author = {Waller, R. H. W.},
  title = {Journal typography in transition},
  journal = {Visible Language},
  month = {????},
  year = {1981--1982},
}
"""


def test_a_status_given_as_the_year_or_date_is_written_as_the_source_did():
    records = {r.key: r for r in parse_bibtex(STATUS_AND_RANGE_BIB).records}
    assert records["contrib"].status == "forthcoming" and records["contrib"].issued is None
    assert records["dated"].status == "forthcoming" and records["dated"].issued is None
    text = write_bibtex(list(records.values()), dialect="biblatex")
    assert "  year = {\\autocap{f}orthcoming},\n" in text
    assert "  date = {\\autocap{f}orthcoming},\n" in text
    assert "pubstate" not in text
    # once the record says otherwise, the writer writes what it says
    edited = records["contrib"].model_copy(update={"status": "in press"})
    assert "pubstate = {inpress}" in write_bibtex([edited], dialect="biblatex")


def test_a_year_range_beside_a_month_that_is_none_is_written_as_written():
    waller = {r.key: r for r in parse_bibtex(STATUS_AND_RANGE_BIB).records}["waller"]
    assert str(waller.issued) == "1981/1982"
    text = write_bibtex([waller], dialect="biblatex")
    assert "  year = {1981--1982},\n  month = {????},\n" in text and "date =" not in text


def test_biber_sees_statuses_and_a_year_range_as_in_the_source(tmp_path):
    result = _biber_round_trip(STATUS_AND_RANGE_BIB, tmp_path)
    assert result.lost == [] and result.changed == [] and result.added == [], result.report()
