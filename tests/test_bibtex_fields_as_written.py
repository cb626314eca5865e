"""Structured BibTeX fields come back as their source wrote them, while the
record keeps them structured: names with the braces (or macros) their source
put around their parts, pages, a thesis's type, several ISBNs in one field,
keywords holding LaTeX, literal lists whose items hold "; "; a @suppbook with
no booktitle is imported; a duplicate's key still resolves. And biber sees
the export as it saw the source."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from citeshelf.formats.bibtex import parse_bibtex, write_bibtex
from citeshelf.model.pages import PageRange

NAMES = r"""@article{names,
  author = {{Bell, II}, Edwin V. and {La Bruna}, Paco and {Van Haagen}, A. J. and
            Lindner, Stephan and \rlap{Lutz Birkhahn} and {Petr} Beckmann and
            {van} Herwijnen, Eric and Ray, {Gordon N.} and Uría Ríu, Juan},
  title = {Names},
  journal = {TUGboat},
  year = {1987},
}

@article{groups,
  author = {{TUG {\sltt DVI} Driver Standards Committee} and {Project Team}, {\LaTeX}
            and {The \TUB{} Team} and \Thanh{} and \TUG\ Board},
  title = {Groups},
  journal = {TUGboat},
  year = {1992},
}

@book{adddot,
  title = {Crime},
  editor = {Brown, Sterling~K\adddot and Choi, Kenneth},
  year = {2016},
}
"""

FIELDS = r"""@article{pages1,
  author = {Greenberg, A.}, title = {One}, journal = {J}, year = {1970},
  pages = {270--5},
}

@article{pages2,
  author = {Anonymous}, title = {Two}, journal = {J}, year = {1981},
  pages = {??--??},
}

@article{pages3,
  author = {Anonymous}, title = {Three}, journal = {J}, year = {2002},
  pages = {{c\,3}--{c\,3}},
}

@phdthesis{thesis1,
  author = {Hobby, John D.}, title = {Digitized Brush Trajectories}, school = {Stanford},
  year = {1986}, type = {{Ph.D.} dissertation},
}

@mastersthesis{thesis2,
  author = {Lagus, K.}, title = {Automated Pagination}, school = {Helsinki},
  year = {1995}, type = {Master's thesis},
}

@phdthesis{thesis3,
  author = {Plass, Michael F.}, title = {Optimal Pagination}, school = {Stanford},
  year = {1981}, type = {Thesis ({Ph.D.})},
}

@book{isbns,
  author = {Gr{\"a}tzer, George}, title = {Math into {\LaTeX}}, publisher = {Birkh{\"a}user},
  year = {2000}, isbn = {0-8176-4131-9, 3-7643-4131-9},
}

@book{isbns2,
  author = {{Type Directors Club}}, title = {Typography 23}, publisher = {Watson-Guptill},
  year = {2002}, isbn = {0-8230-5557-4; 0-06-018586-4},
}

@book{lists,
  author = {Gr{\"a}tzer, George}, title = {Math into {\LaTeX}},
  publisher = {Birkh{\"a}user and Springer-Verlag},
  location = {Cambridge, MA, USA; Berlin, Germany; Basel, Switzerland and Berlin, Germany},
  year = {2000},
}

@book{andline,
  author = {Graham, S.}, title = {Computer typesetting},
  publisher = {Hertfordshire County Council Technical Library and
               Information Service},
  year = {1966},
}

@misc{nodate,
  title = {Description of Louis Agassiz}, year = {\bibstring{nodate}},
}

@article{keywords,
  author = {Chen, P.}, title = {Fonts}, journal = {J}, year = {2000},
  keywords = {vortex; {\VorTeX}; Software Package {\TeX}},
}
"""

SUPP = r"""@SuppBook{prose:intro,
  author = {Prose, Francine},
  bookauthor = {Wallraff, Barbara},
  title = {Word Court},
  subtitle = {Wherein Verbal Virtue is Rewarded},
  year = 2000,
  location = {New York},
  pages = {xvii--xxxviii},
  publisher = {Harcourt},
}
"""


def _records(text: str):
    parsed = parse_bibtex(text)
    assert parsed.invalid == []
    return {r.key: r for r in parsed.records}


def _field(out: str, key: str, name: str) -> str:
    entry = out.split(f"{{{key},\n", 1)[1].split("\n}\n", 1)[0]
    line = next(x for x in entry.splitlines() if x.startswith(f"  {name} = "))
    return line[len(f"  {name} = {{") : -len("},")]


# -- names ----------------------------------------------------------------------


def test_names_stay_structured_and_keep_their_braces() -> None:
    rec = _records(NAMES)["names"]
    people = [(p.family, p.given, p.particle, p.suffix, p.literal) for p in rec.authors]
    assert people == [
        ("Bell, II", "Edwin V.", None, None, None),
        ("La Bruna", "Paco", None, None, None),
        ("Van Haagen", "A. J.", None, None, None),
        ("Lindner", "Stephan", None, None, None),
        (None, None, None, None, "Lutz Birkhahn"),
        ("Beckmann", "Petr", None, None, None),
        ("van Herwijnen", "Eric", None, None, None),
        ("Ray", "Gordon N.", None, None, None),
        ("Uría Ríu", "Juan", None, None, None),
    ]
    for dialect in ("biblatex", "bibtex"):
        out = write_bibtex([rec], dialect=dialect)
        assert _field(out, "names", "author") == (
            "{Bell, II}, Edwin V. and {La Bruna}, Paco and {Van Haagen}, A. J. and "
            "Lindner, Stephan and \\rlap{Lutz Birkhahn} and Beckmann, {Petr} and "
            "{van} Herwijnen, Eric and Ray, {Gordon N.} and Uría Ríu, Juan"
        )


def test_names_with_macros_are_read_as_plain_text_and_written_as_they_were() -> None:
    recs = _records(NAMES)
    groups = recs["groups"].authors
    assert [p.literal for p in groups[:1] + groups[2:3]] == [
        "TUG DVI Driver Standards Committee",
        "The TUB Team",
    ]
    assert (groups[1].family, groups[1].given) == ("Project Team", "LaTeX")
    assert groups[3].family == "Thanh"  # a macro of the file's @preamble, named
    assert (groups[4].family, groups[4].given) == ("Board", "TUG")
    out = write_bibtex(recs.values(), dialect="biblatex")
    assert _field(out, "groups", "author") == (
        "{TUG {\\sltt DVI} Driver Standards Committee} and {Project Team}, {\\LaTeX} and "
        "{The \\TUB{} Team} and \\Thanh{} and Board, \\TUG{}"
    )
    # the space that ends \adddot does not join two names
    editors = recs["adddot"].editors
    assert [(p.family, p.given) for p in editors] == [("Brown", "Sterling K"), ("Choi", "Kenneth")]
    assert _field(out, "adddot", "editor") == "Brown, Sterling~K\\adddot and Choi, Kenneth"


def test_an_edited_name_is_written_as_the_writer_writes_it() -> None:
    rec = _records(NAMES)["names"]
    people = list(rec.authors)
    people[1] = people[1].model_copy(update={"given": "Francisco"})
    people[5] = people[5].model_copy(update={"family": "Beckman"})
    out = write_bibtex([rec.model_copy(update={"authors": people})], dialect="biblatex")
    author = _field(out, "names", "author")
    assert "La Bruna, Francisco and" in author  # no spelling of this name: fewest braces
    assert "Beckman, Petr and" in author
    assert author.startswith("{Bell, II}, Edwin V. and")  # the others as the source braced them


def test_the_writer_braces_the_fewest_parts_that_read_back() -> None:
    rec = _records(NAMES)["names"]
    rec.extra.pop("bibtex_names")
    author = _field(write_bibtex([rec], dialect="biblatex"), "names", "author")
    assert author.startswith("{Bell, II}, Edwin V. and La Bruna, Paco and ")
    assert "{van Herwijnen}, Eric" in author
    back = _records(write_bibtex([rec], dialect="biblatex"))["names"]
    assert back.authors == rec.authors


# -- pages, types, ISBNs, lists, keywords ---------------------------------------


def test_pages_are_structured_and_written_as_the_source_wrote_them() -> None:
    recs = _records(FIELDS)
    assert (recs["pages1"].pages.start, recs["pages1"].pages.end) == ("270", "275")
    assert (recs["pages2"].pages.start, recs["pages2"].pages.end) == ("??", None)
    assert recs["pages3"].pages.start == "c\u20093"
    for ascii in (False, True):
        out = write_bibtex(recs.values(), dialect="biblatex", ascii=ascii)
        assert _field(out, "pages1", "pages") == "270--5"
        assert _field(out, "pages2", "pages") == "??--??"
        assert _field(out, "pages3", "pages") == "{c\\,3}--{c\\,3}"
    edited = recs["pages1"].model_copy(update={"pages": PageRange.parse("270-280")})
    assert _field(write_bibtex([edited], dialect="biblatex"), "pages1", "pages") == "270--280"


def test_a_thesis_type_keeps_its_words_and_its_degree() -> None:
    recs = _records(FIELDS)
    assert [recs[k].degree for k in ("thesis1", "thesis2", "thesis3")] == [
        "phd",
        "masters",
        "Thesis (Ph.D.)",
    ]
    for dialect in ("biblatex", "bibtex"):
        out = write_bibtex(recs.values(), dialect=dialect)
        assert _field(out, "thesis1", "type") == "{Ph.D.} dissertation"
        assert _field(out, "thesis2", "type") == "Master's thesis"
        assert _field(out, "thesis3", "type") == "Thesis ({Ph.D.})"
    other = recs["thesis1"].model_copy(update={"degree": "masters"})
    assert _field(write_bibtex([other], dialect="biblatex"), "thesis1", "type") == "mathesis"


def test_several_isbns_of_one_field_are_written_in_one_field() -> None:
    recs = _records(FIELDS)
    assert recs["isbns"].isbn == ["0-8176-4131-9", "3-7643-4131-9"]
    assert recs["isbns2"].isbn == ["0-8230-5557-4", "0-06-018586-4"]
    out = write_bibtex(recs.values(), dialect="biblatex")
    assert _field(out, "isbns", "isbn") == "0-8176-4131-9, 3-7643-4131-9"
    assert _field(out, "isbns2", "isbn") == "0-8230-5557-4; 0-06-018586-4"
    assert "isbn-others" not in out
    # from elsewhere (no separator noted): one ISBN per isbn field, as before
    plain = recs["isbns"].model_copy(update={"extra": {}})
    out = write_bibtex([plain], dialect="biblatex")
    assert _field(out, "isbns", "isbn") == "0-8176-4131-9"
    assert _field(out, "isbns", "isbn-others") == "3-7643-4131-9"


def test_a_literal_year_in_latex_is_written_as_it_was() -> None:
    rec = _records(FIELDS)["nodate"]
    assert rec.issued.literal == "nodate"
    assert (
        _field(write_bibtex([rec], dialect="biblatex"), "nodate", "year") == "\\bibstring{nodate}"
    )


def test_a_list_item_holding_a_semicolon_stays_one_item() -> None:
    recs = _records(FIELDS)
    assert (
        recs["lists"].place
        == "Cambridge, MA, USA; Berlin, Germany; Basel, Switzerland; Berlin, Germany"
    )
    out = write_bibtex(recs.values(), dialect="biblatex")
    assert (
        _field(out, "lists", "location")
        == "Cambridge, MA, USA; Berlin, Germany; Basel, Switzerland and Berlin, Germany"
    )
    assert _field(out, "lists", "publisher") == "Birkhäuser and Springer-Verlag"
    # an "and" before a line break separates items too
    assert recs["andline"].publisher == (
        "Hertfordshire County Council Technical Library; Information Service"
    )
    assert _field(out, "andline", "publisher") == (
        "Hertfordshire County Council Technical Library and Information Service"
    )


def test_keywords_with_latex_are_plain_text_and_written_as_they_were(tmp_path: Path) -> None:
    from citeshelf.formats.csljson import record_to_csl
    from citeshelf.formats.ris import write_ris

    rec = _records(FIELDS)["keywords"]
    assert rec.keywords == ["vortex", "VorTeX", "Software Package TeX"]
    out = write_bibtex([rec], dialect="biblatex")
    assert _field(out, "keywords", "keywords") == "vortex; {\\VorTeX}; Software Package {\\TeX}"
    # no LaTeX and no markup in the formats that are not LaTeX
    item = record_to_csl(rec)
    assert item["keyword"] == "vortex; VorTeX; Software Package TeX"
    ris = write_ris([rec])
    assert "KW  - Software Package TeX" in ris and "\\" not in ris and "<" not in ris
    # a keyword added: the keywords are written as the writer writes them
    more = rec.model_copy(update={"keywords": [*rec.keywords, "fonts"]})
    assert _field(write_bibtex([more], dialect="biblatex"), "keywords", "keywords") == (
        "vortex; VorTeX; Software Package TeX; fonts"
    )


def test_a_suppbook_without_booktitle_is_imported() -> None:
    rec = _records(SUPP)["prose:intro"]
    assert rec.type == "chapter"
    assert rec.container_title == "Word Court" and rec.title is None
    out = write_bibtex([rec], dialect="biblatex")
    assert out.startswith("@suppbook{prose:intro,")
    assert _field(out, "prose:intro", "title") == "Word Court"
    assert "booktitle" not in out


# -- a duplicate's key ----------------------------------------------------------

DUPLICATES = r"""@book{Graetzer:2000:ML,
  author = {Gr{\"a}tzer, George}, title = {Math into {\LaTeX}}, publisher = {Birkh{\"a}user},
  year = {2000}, isbn = {0-8176-4131-9, 3-7643-4131-9},
}

@book{Gratzer:2000:ML,
  author = {Gr{\"a}tzer, George}, title = {Math into {\LaTeX}}, publisher = {Birkh{\"a}user},
  year = {2000}, isbn = {0-8176-4131-9, 3-7643-4131-9},
}
"""


def test_the_key_of_a_duplicate_still_resolves(cs, tmp_path: Path) -> None:
    lib = tmp_path / "records"
    assert cs(None, "init", str(lib)).exit_code == 0
    src = tmp_path / "dup.bib"
    src.write_text(DUPLICATES, encoding="utf-8")
    r = cs(lib, "import", str(src))
    assert r.exit_code == 0, r.stderr
    assert "'Gratzer:2000:ML' skipped: duplicates 'Graetzer:2000:ML'" in r.stderr
    one = cs(lib, "cite", "Graetzer:2000:ML")
    two = cs(lib, "cite", "Gratzer:2000:ML")
    assert two.exit_code == 0, two.stderr
    assert two.stdout == one.stdout and "Grätzer" in two.stdout
    both = cs(lib, "bibliography", "Gratzer:2000:ML", "Graetzer:2000:ML")
    assert both.exit_code == 0 and both.stdout.count("Math into") == 1
    tex = tmp_path / "paper.tex"
    tex.write_text("\\cite{Gratzer:2000:ML}\n", encoding="utf-8")
    out = cs(lib, "export", "--format", "biblatex", "--cited-in", str(tex))
    assert out.exit_code == 0, out.stderr
    assert "@book{Graetzer:2000:ML," in out.stdout
    assert "  ids = {Gratzer:2000:ML}," in out.stdout  # biber resolves either key
    missing = cs(lib, "cite", "Nobody:2000")
    assert missing.exit_code == 3


# -- biber ----------------------------------------------------------------------


def test_biber_sees_the_export_as_it_saw_the_source(tmp_path: Path) -> None:
    from .biber_fidelity import biber_resolved, compare, export_with_citeshelf

    if shutil.which("biber") is None:
        pytest.skip("biber not installed (Debian package biber)")
    original = tmp_path / "refs.bib"
    original.write_text(NAMES + FIELDS + SUPP + DUPLICATES, encoding="utf-8")
    exported = tmp_path / "exported.bib"
    export_with_citeshelf(original, exported)
    result = compare(biber_resolved(original, tmp_path), biber_resolved(exported, tmp_path))
    assert result.fields >= 100
    assert (result.changed, result.lost, result.entries_lost) == ([], [], []), result.report()


def test_the_benchmark_normalises_only_what_prints_the_same() -> None:
    from .biber_fidelity import _field_normalised, alias_keys, normalised

    assert _field_normalised("options", "b=1,a=2") == _field_normalised("options", "a=2,b=1")
    assert _field_normalised("title", "b,a") != _field_normalised("title", "a,b")
    assert alias_keys({"graetzer": {"ids": "Gratzer:2000:ML, Other"}}) == {
        "gratzer:2000:ml": "graetzer",
        "other": "graetzer",
    }
    assert normalised("1989\\unskip--") == normalised("1989--")
    assert normalised("2005-2016") == normalised("2005/2016")
    assert normalised("{}") == ""
    assert normalised("270--5") != normalised("270--275")
    assert normalised("{La Bruna}, Paco") != normalised("La Bruna, Paco")


def test_natbibs_url_prefix_reads_as_the_bst_prints_it() -> None:
    # entries copied from a .bbl hold natbib's \urlprefix (plainnat.bst: \def\urlprefix{URL })
    from citeshelf.model import richtext
    from citeshelf.styles.api import reference_text

    recs = _records(
        "@misc{page, title = {Page}, year = 2020,\n"
        "  howpublished = {\\urlprefix\\url{https://example.org/x_y}}}\n"
    )
    rec = recs["page"]
    assert richtext.plain(rec.howpublished) == "URL https://example.org/x_y"  # not "urlprefix"
    assert "[URL https://example.org/x_y]" in reference_text(rec, "apa")
    out = write_bibtex([rec])
    assert _field(out, "page", "howpublished") == "\\urlprefix\\url{https://example.org/x_y}"


def test_identifiers_with_notes_are_read_and_written_as_their_source_wrote_them() -> None:
    # as Beebe's TeX Live bibliographies write them (texbook2.bib, typeset.bib):
    # they were kept in extra, with a warning, and so lost to check and duplicates
    text = (
        "@article{a, author = {A, B}, title = {T}, journal = {J}, year = 1990,\n"
        '  ISSN = "0095-2338 (print), 1520-5142 (electronic)"}\n'
        "@book{b, author = {A, B}, title = {T}, publisher = {P}, year = 1991,\n"
        '  ISBN = "0-387-96689-7 (USA) and 3-540-96689-7 (Germany)"}\n'
        "@book{c, author = {A, B}, title = {U}, publisher = {P}, year = 1992,\n"
        '  ISBN = "0-226-10392-7 (hardcover), 0-88179-206-3 (paperback)"}\n'
    )
    parsed = parse_bibtex(text)
    assert parsed.warnings == []
    recs = {r.key: r for r in parsed.records}
    assert recs["a"].issn == "0095-2338 (print), 1520-5142 (electronic)"
    assert recs["b"].isbn == ["0-387-96689-7 (USA)", "3-540-96689-7 (Germany)"]
    assert recs["c"].isbn == ["0-226-10392-7 (hardcover)", "0-88179-206-3 (paperback)"]
    for dialect in ("bibtex", "biblatex"):
        out = write_bibtex(recs.values(), dialect=dialect)
        assert _field(out, "a", "issn") == "0095-2338 (print), 1520-5142 (electronic)"
        assert _field(out, "b", "isbn") == "0-387-96689-7 (USA) and 3-540-96689-7 (Germany)"
        assert _field(out, "c", "isbn") == "0-226-10392-7 (hardcover), 0-88179-206-3 (paperback)"
        assert "isbn-others" not in out


def test_an_incollection_with_no_booktitle_is_read_as_a_book_and_written_back() -> None:
    # Zotero's BibTeX.js test case madoc44942: an @incollection from a repository
    # with no booktitle; it was refused ("a chapter needs a parent book")
    text = (
        "@incollection{madoc44942,\n"
        "  author = {Eva H. {\\\"O}nnud{\\'o}ttir}, title = {B{\\'u}s{\\'a}haldabyltingin},\n"
        "  year = {2011}, publisher = {F{\\'e}lagsv{\\'i}sindastofnun}, pages = {36--44}}\n"
    )
    parsed = parse_bibtex(text)
    assert [w.message for w in parsed.warnings] == [
        "a @incollection with no booktitle or crossref: read as a book (the entry type kept)"
    ]
    (r,) = parsed.records
    assert (r.type, r.title, str(r.pages)) == ("book", "B\u00fas\u00e1haldabyltingin", "36–44")
    for dialect in ("bibtex", "biblatex"):
        out = write_bibtex([r], dialect=dialect)
        assert out.startswith("@incollection{madoc44942,\n")
        assert "booktitle" not in out  # no book title made up from its own
        (again,) = parse_bibtex(out).records
        assert again == r
