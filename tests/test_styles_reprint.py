"""A reprint whose original is in the library (a ``reprintof`` or
``origpubin`` relation, issue 10): APA's "(Reprinted from ...)" and the
"1973/2005" citation, printed from the original's own record (and its book's).
Without the relation, or with the original missing, the record prints as it
is stored."""

from __future__ import annotations

from pathlib import Path

from citeshelf.library import Library
from citeshelf.library.parents import Resolver, resolve, resolve_many
from citeshelf.model import parse_record
from citeshelf.styles import format_citation, format_reference, to_html, to_markdown, to_text


def write(lib: Path, **data) -> None:
    Library(lib).create(parse_record(data))


def reprint_lib(lib: Path) -> None:
    """A chapter first printed in one edited book and reprinted in another,
    and a journal article reprinted in the same book."""
    write(
        lib,
        type="book",
        key="richardson1973",
        title="Brain and intelligence: The ecology of child development",
        editors=[{"family": "Richardson", "given": "F."}],
        issued="1973",
        publisher="National Educational Press",
    )
    write(
        lib,
        type="chapter",
        key="bronfenbrenner1973",
        title="The social ecology of human development",
        authors=[{"family": "Bronfenbrenner", "given": "Urie"}],
        parent="richardson1973",
        pages="113-123",
    )
    write(
        lib,
        type="book",
        key="bronfenbrenner2005book",
        title="Making human beings human: Bioecological perspectives on human development",
        editors=[{"family": "Bronfenbrenner", "given": "Urie"}],
        issued="2005",
        publisher="SAGE Publications",
    )
    write(
        lib,
        type="chapter",
        key="bronfenbrenner2005",
        title="The social ecology of human development: A retrospective conceptualization",
        authors=[{"family": "Bronfenbrenner", "given": "Urie"}],
        parent="bronfenbrenner2005book",
        pages="27-40",
        related=[{"type": "reprintof", "key": "bronfenbrenner1973"}],
    )
    write(
        lib,
        type="article",
        key="doe1999",
        title="An early paper",
        authors=[{"family": "Doe", "given": "Jane"}],
        journal="Journal of Things",
        volume="12",
        issue="3",
        pages="4-20",
        issued="1999",
    )
    write(
        lib,
        type="chapter",
        key="doe2005",
        title="An early paper",
        authors=[{"family": "Doe", "given": "Jane"}],
        parent="bronfenbrenner2005book",
        pages="41-57",
        related=[{"type": "origpubin", "key": "doe1999"}],
    )


def apa(record, form=to_text) -> str:
    return form(format_reference(record, "apa"))


CHAPTER = (
    "Bronfenbrenner, U. (2005). The social ecology of human development: A retrospective "
    "conceptualization. In U. Bronfenbrenner (Ed.), Making human beings human: Bioecological "
    "perspectives on human development (pp. 27–40). SAGE Publications. (Reprinted from Brain "
    "and intelligence: The ecology of child development, pp. 113–123, by F. Richardson, Ed., "
    "1973, National Educational Press)"
)


def test_apa_reprinted_chapter_names_the_original_book_pages_editor_year_publisher(
    empty_lib: Path,
) -> None:
    reprint_lib(empty_lib)
    lib = Library(empty_lib)
    record = resolve(lib.get("bronfenbrenner2005"), lib, reprints=True)
    assert apa(record) == CHAPTER
    md = apa(record, to_markdown)
    assert "(Reprinted from *Brain and intelligence: The ecology of child development*, pp." in md
    html = apa(record, to_html)
    assert "(Reprinted from <i>Brain and intelligence: The ecology of child development</i>" in html
    assert to_text(format_citation([record], "apa")) == "(Bronfenbrenner, 1973/2005)"
    narrative = to_text(format_citation([record], "apa", "narrative"))
    assert narrative == "Bronfenbrenner (1973/2005)"


def test_apa_reprinted_journal_article(empty_lib: Path) -> None:
    reprint_lib(empty_lib)
    lib = Library(empty_lib)
    record = resolve(lib.get("doe2005"), lib, reprints=True)
    text = apa(record)
    assert text.endswith(
        "SAGE Publications. (Reprinted from “An early paper,” 1999, Journal of Things, 12(3), "
        "pp. 4–20)"
    )
    md = apa(record, to_markdown)
    assert md.endswith("1999, *Journal of Things*, *12*(3), pp. 4–20)")
    assert to_text(format_citation([record], "apa")) == "(Doe, 1999/2005)"


def test_without_reprints_or_relation_or_original_the_record_prints_as_stored(
    empty_lib: Path,
) -> None:
    reprint_lib(empty_lib)
    lib = Library(empty_lib)
    stored = lib.get("bronfenbrenner2005")
    plain = apa(resolve(stored, lib))
    assert plain == CHAPTER.split(" (Reprinted")[0]
    # the original removed: the reprint prints as stored, with a sentence saying so
    (empty_lib / "bronfenbrenner1973.json").unlink()
    problems: list[str] = []
    [record] = resolve_many([lib.get("bronfenbrenner2005")], lib, problems, reprints=True)
    assert apa(record) == plain
    assert problems == [
        "chapter 'bronfenbrenner2005' reprints 'bronfenbrenner1973', which is not in the "
        "library or unreadable: it is given without it"
    ]
    assert apa(Resolver(lib, reprints=True)(lib.get("bronfenbrenner2005"))) == plain


def test_original_date_without_relation_keeps_original_work_published(empty_lib: Path) -> None:
    record = parse_record(
        {
            "type": "book",
            "key": "melville2003",
            "title": "Moby-Dick",
            "authors": [{"family": "Melville", "given": "Herman"}],
            "issued": "2003",
            "original_date": "1851",
            "publisher": "Penguin",
        }
    )
    assert apa(record) == (
        "Melville, H. (2003). Moby-Dick. Penguin. (Original work published 1851)"
    )


def test_cli_bibliography_and_cite_print_the_reprint_with_its_original(empty_lib: Path, cs) -> None:
    reprint_lib(empty_lib)
    r = cs(empty_lib, "bibliography", "--style", "apa")
    assert r.exit_code == 0, r.stderr
    assert CHAPTER in r.stdout
    assert "(Reprinted from “An early paper,” 1999, Journal of Things, 12(3), pp. 4–20)" in (
        r.stdout
    )
    # the originals themselves are listed as they are
    assert "Doe, J. (1999). An early paper. Journal of Things, 12(3), 4–20.\n" in r.stdout
    # the keyed list and a query's, in Markdown, too
    r = cs(empty_lib, "bibliography", "doe2005", "-s", "chicago-notes", "--format", "markdown")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.rstrip().endswith(
        "Originally published in *Journal of Things* 12, no. 3 (1999): 4–20."
    )
    r = cs(empty_lib, "bibliography", "--query", "author:bronfenbrenner", "--format", "markdown")
    assert "(Reprinted from *Brain and intelligence: The ecology of child development*, pp. " in (
        r.stdout
    )
    r = cs(empty_lib, "cite", "bronfenbrenner2005", "doe2005")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.strip() == "(Bronfenbrenner, 1973/2005; Doe, 1999/2005)"
    # the book alone: its year letter is the reference list's (none: the
    # reprinted chapter is 1973/2005, not 2005)
    r = cs(empty_lib, "cite", "bronfenbrenner2005book")
    assert r.stdout.strip() == "(Bronfenbrenner, 2005)"
    assert "Bronfenbrenner, U. (Ed.). (2005). Making" in cs(empty_lib, "bibliography").stdout
    # the original gone: the reprint as stored, and bibliography says so
    (empty_lib / "bronfenbrenner1973.json").unlink()
    r = cs(empty_lib, "bibliography", "--style", "apa")
    assert r.exit_code == 0
    [line] = [x for x in r.stdout.splitlines() if "retrospective" in x]
    # now of the same author and year as the book: 2005a, 2005b (APA 9.47)
    assert line.endswith("(pp. 27–40). SAGE Publications.") and "1973" not in line
    assert "reprints 'bronfenbrenner1973', which is not in the library" in r.stderr
    r = cs(empty_lib, "cite", "bronfenbrenner2005")
    assert r.exit_code == 0 and r.stdout.strip() == "(Bronfenbrenner, 2005b)"


def test_chicago_bibliography_says_where_a_reprint_was_originally_published(
    empty_lib: Path,
) -> None:
    reprint_lib(empty_lib)
    lib = Library(empty_lib)
    chapter = resolve(lib.get("bronfenbrenner2005"), lib, reprints=True)
    article = resolve(lib.get("doe2005"), lib, reprints=True)
    entry = to_text(format_reference(chapter, "chicago-notes", 17))
    assert entry.endswith(
        "SAGE Publications, 2005. Originally published in Brain and Intelligence: The Ecology "
        "of Child Development, edited by F. Richardson (National Educational Press, 1973), 113–23."
    )
    # the 18th edition gives no chapter's pages in a bibliography, the original's neither
    entry = to_text(format_reference(chapter, "chicago-notes", 18))
    assert entry.endswith("edited by F. Richardson (National Educational Press, 1973).")
    md = to_markdown(format_reference(article, "chicago-author-date", 17))
    assert md.endswith(
        "SAGE Publications. Originally published in *Journal of Things* 12, no. 3 (1999): 4–20."
    )
    html = to_html(format_reference(article, "chicago-notes", 18))
    assert "Originally published in <i>Journal of Things</i> 12, no. 3 (1999): 4–20." in html
    # as stored (no original at hand): no such sentence
    plain = to_text(format_reference(resolve(lib.get("doe2005"), lib), "chicago-notes", 17))
    assert plain.endswith("SAGE Publications, 2005.")


def test_apa_reprinted_book_names_its_author_year_and_publisher(empty_lib: Path) -> None:
    shabana = {"family": "Shabana", "given": "A. A."}
    title = "Theory of vibration: An introduction"
    write(
        empty_lib,
        type="book",
        key="shabana1991",
        title=title,
        authors=[shabana],
        issued="1991",
        publisher="Springer-Verlag",
    )
    write(
        empty_lib,
        type="book",
        key="shabana1996",
        title=title,
        authors=[shabana],
        issued="1996",
        edition="2",
        publisher="Springer-Verlag",
        related=[{"type": "reprintof", "key": "shabana1991"}],
    )
    lib = Library(empty_lib)
    record = resolve(lib.get("shabana1996"), lib, reprints=True)
    assert apa(record, to_markdown) == (
        "Shabana, A. A. (1996). *Theory of vibration: An introduction* (2nd ed.). "
        "Springer-Verlag. (Reprinted from *Theory of vibration: An introduction*, by A. A. "
        "Shabana, 1991, Springer-Verlag)"
    )
    assert to_text(format_citation([record], "apa")) == "(Shabana, 1991/1996)"


def test_an_original_chapter_without_its_book_names_nothing(empty_lib: Path) -> None:
    reprint_lib(empty_lib)
    (empty_lib / "richardson1973.json").unlink()
    lib = Library(empty_lib)
    record = resolve(lib.get("bronfenbrenner2005"), lib, reprints=True)
    assert apa(record) == CHAPTER.split(" (Reprinted")[0]
    assert to_text(format_reference(record, "chicago-notes", 17)).endswith(
        "SAGE Publications, 2005."
    )


def test_sentence_case_reaches_the_original_a_reprint_names(empty_lib: Path, cs) -> None:
    """APA 6.17: the original's title in "(Reprinted from ...)" is in sentence
    case too: a Title Case one is named in the warning, and --sentence-case
    prints it so."""
    write(
        empty_lib,
        type="book",
        key="smith1950",
        title="The Ecology Of Human Development",
        authors=[{"family": "Smith", "given": "Ann"}],
        issued="1950",
        publisher="Old Press",
    )
    write(
        empty_lib,
        type="book",
        key="smith2000",
        title="The ecology of human development",
        authors=[{"family": "Smith", "given": "Ann"}],
        issued="2000",
        publisher="New Press",
        related=[{"type": "reprintof", "key": "smith1950"}],
    )
    r = cs(empty_lib, "bibliography", "smith2000", "--format", "markdown")
    assert r.exit_code == 0, r.stderr
    assert "(Reprinted from *The Ecology Of Human Development*" in r.stdout
    assert "Title Case print as stored: smith1950 " in r.stderr
    r = cs(empty_lib, "bibliography", "smith2000", "--format", "markdown", "--sentence-case")
    assert r.exit_code == 0, r.stderr
    assert "(Reprinted from *The ecology of human development*" in r.stdout
    assert "Title Case" not in r.stderr
    r = cs(empty_lib, "cite", "smith2000", "--form", "reference", "--sentence-case")
    assert "(Reprinted from The ecology of human development" in r.stdout


def test_a_reprint_of_a_work_not_in_the_library_is_cited_with_a_warning(
    empty_lib: Path, cs
) -> None:
    write(
        empty_lib,
        type="book",
        key="smith2000",
        title="The ecology of human development",
        authors=[{"family": "Smith", "given": "Ann"}],
        issued="2000",
        publisher="New Press",
        related=[{"type": "reprintof", "key": "smith1950"}],
    )
    r = cs(empty_lib, "cite", "smith2000")
    assert r.exit_code == 0 and r.stdout == "(Smith, 2000)\n"
    assert "'smith2000' reprints 'smith1950', which is not in the library" in r.stderr
    r = cs(empty_lib, "bibliography", "smith2000")
    assert r.exit_code == 0 and "Reprinted" not in r.stdout
    assert "'smith2000' reprints 'smith1950', which is not in the library" in r.stderr
