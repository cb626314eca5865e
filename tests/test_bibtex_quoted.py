"""Quoted values read as BibTeX and biber read them: a ``%`` on any line of a
value that runs over several lines is text, and a quote inside a braced group
of a quoted value is text (bibtexparser ends the value at it:
sciunto-org/python-bibtexparser#487). Both readers of a batch give the same:
citeshelf's own (entries only) and bibtexparser (a batch with ``@string``)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from citeshelf.cli.main import cli
from citeshelf.formats.bibtex import parse_bibtex, reader

#: a batch with a @string is read by bibtexparser, one without by citeshelf
BOTH_READERS = pytest.mark.parametrize("before", ["", '@string{pub = "Publisher"}\n'])


def _only_record(text: str) -> Any:
    """The one record of ``text``, read with no entry refused."""
    parsed = parse_bibtex(text)
    assert parsed.invalid == []
    (record,) = parsed.records
    return record


@BOTH_READERS
def test_a_percent_sign_on_a_later_line_of_a_quoted_value_is_text(before: str) -> None:
    text = before + (
        "@book{greene1982,\n"
        '  author = "Daniel H. Greene and Donald E. Knuth",\n'
        '  title = "Mathematics for the analysis of algorithms",\n'
        '  note = "Kept at\n  50% of the cost, {with % in braces} too",\n'
        "  % a comment between fields\n"
        '  year = "1982",\n'
        "}\n"
    )
    r = _only_record(text)
    assert r.note == "Kept at 50% of the cost, with % in braces too"
    assert r.issued is not None and r.issued.year == 1982
    assert "comment" not in json.dumps(r.to_json_dict())


def test_a_percent_sign_on_a_later_line_of_a_quoted_macro_is_text() -> None:
    parsed = parse_bibtex(
        '@string{ack = "Dave Love,\n   e-mail: \\path|FX%nnga.daresbury.ac.uk|"}\n'
        '@misc{k, title = "T", acknowledgement = ack, year = "1993"}\n'
    )
    assert parsed.invalid == []
    (r,) = parsed.records
    assert r.extra["acknowledgement"].endswith("|FX%nnga.daresbury.ac.uk|</tex>")


@BOTH_READERS
def test_a_quote_in_braces_inside_a_quoted_value_is_text(before: str) -> None:
    text = before + (
        "@book{k,\n"
        '  title = "Mathematics",\n'
        '  note = "{Zum Teil die "optionalen" Kapitel aus "the Art of Computer\n'
        '    Programming, Band 3". Themengebiete: Rechnen}.",\n'
        '  publisher = "Birkh{\\"a}user",\n'
        '  year = "1982",\n'
        "}\n"
    )
    r = _only_record(text)
    assert r.note == (
        'Zum Teil die "optionalen" Kapitel aus "the Art of Computer Programming, Band 3". '
        "Themengebiete: Rechnen."
    )
    assert (r.publisher, r.issued.year if r.issued else None) == ("Birkhäuser", 1982)


@BOTH_READERS
def test_a_quoted_value_whose_braces_do_not_close_reads_as_before(before: str) -> None:
    # no quote is taken for text then: bibtexparser reads the value up to the next one
    parsed = parse_bibtex(before + '@misc{b, title = "a { b", note = "n", year = "2000"}\n')
    assert [(r.key, r.note) for r in parsed.records] == [("b", "n")]


def test_only_quotes_in_braces_of_quoted_values_that_end_are_found() -> None:
    def found(text: str) -> str:
        return "".join(text[i + 1] for i in reader._quotes_in_braces(text))  # what follows each

    assert found('@misc{a, t = "x {"y"} z", u = {a "b" c}}\n') == "y}"
    assert found('@misc{a, t = "x {"} z"}\n') == "}"
    assert found('@misc{a, t = "x { y", u = "v"}\n') == ""
    # a line that starts a block ends what came before
    assert found('@misc{a, t = "x {"\n@misc{b, t = "{"}2"}\n') == "}"
    assert found("@misc{a, t = {x}}\n") == ""


def _tex_live(name: str) -> Path:
    if shutil.which("kpsewhich") is None:
        pytest.skip("kpsewhich not installed: cannot find TeX Live's .bib files")
    found = subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip()
    if not found:
        pytest.skip(f"{name} not installed (Debian package texlive-bibtex-extra)")
    return Path(found)


@pytest.mark.parametrize(("name", "entries"), [("texbook2.bib", 531), ("texjourn.bib", 68)])
def test_every_entry_of_these_tex_live_files_is_imported(
    tmp_path: Path, name: str, entries: int
) -> None:
    """texjourn.bib has a ``%`` on the second line of a quoted ``@string``,
    texbook2.bib quotes inside braces of a quoted value: both refused an
    entry before (exit code 4), biber reads every one."""
    path = _tex_live(name)
    lib = str(tmp_path / "records")
    runner = CliRunner()
    assert runner.invoke(cli, ["init", lib]).exit_code == 0
    result = runner.invoke(cli, ["-L", lib, "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (len(data["imported"]), data["invalid"], data["duplicates"]) == (entries, [], [])
    if name == "texbook2.bib":
        record = json.loads((tmp_path / "records" / "Greene:1982:MAA.json").read_text("utf-8"))
        assert (
            '"optionalen" Kapitel aus "the Art of Computer Programming, Band 3"'
            in (record["extra"]["remark"])
        )
    else:
        record = json.loads((tmp_path / "records" / "tj-j-phys.json").read_text("utf-8"))
        assert "FX%nnga.daresbury.ac.uk@NSFnet-Relay.AC.UK|" in record["extra"]["acknowledgement"]


def test_a_stray_quote_ends_with_its_block() -> None:
    # an odd quote in a @comment (or in a braced value of a block in parentheses)
    # does not make the next line's % text: the commented-out entry stays out
    for first in ('@comment{He said "hi}\n', '@misc(a, title = {A 12" record}, year = 1998)\n'):
        parsed = parse_bibtex(
            first + "%@misc{x, title = {Commented out}, year = 1999}\n"
            "@misc{y, title = {Y}, year = 2000}\n"
        )
        assert "x" not in [r.key for r in parsed.records]
        assert "y" in [r.key for r in parsed.records]


def test_a_block_in_parentheses_keeps_the_percent_signs_of_its_values() -> None:
    parsed = parse_bibtex(
        '@misc(c,\n  title = "50% off",\n  note = "Kept at\n 50% (really)",\n'
        "  % a comment\n  howpublished = {a % b},\n  year = 2002)\n"
    )
    assert parsed.invalid == []
    (r,) = parsed.records
    assert (r.title, r.note, r.howpublished) == ("50% off", "Kept at 50% (really)", "a % b")


def test_a_line_that_starts_with_an_at_sign_inside_a_value_starts_no_block() -> None:
    parsed = parse_bibtex(
        '@misc{d, note = "first\n@ author, 50% done", abstract = {one\n@ 100% sure}, year = 2003}\n'
    )
    assert parsed.invalid == []
    (r,) = parsed.records
    assert r.note == "first @ author, 50% done"
    assert r.abstract is not None and "100% sure" in r.abstract


@BOTH_READERS
def test_a_braced_quote_after_a_backslash_is_read_alike_by_both_readers(before: str) -> None:
    parsed = parse_bibtex(before + '@misc{k, title = "a \\{"} b", year = 2000}\n')
    (r,) = parsed.records
    assert r.issued is not None and r.issued.year == 2000
