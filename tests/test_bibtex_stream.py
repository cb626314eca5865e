"""Reading .bib files in batches gives what reading them whole gives, with the file's line numbers."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from citeshelf.formats.bibtex import BibParse, BibReader, parse_bibtex

HERE = Path(__file__).resolve().parent
BIB = HERE / "fixtures" / "bib"


def read(path: Path, batch_size: int) -> BibParse:
    out = BibParse()
    for part in BibReader(path, batch_size=batch_size).batches():
        out.entries += part.entries
        out.invalid += part.invalid
        out.warnings += part.warnings
        out.preambles += part.preambles
    return out


def summary(parsed: BibParse) -> tuple:
    return (
        [(e.record, e.line, e.entry_type, e.crossref) for e in parsed.entries],
        [str(i) for i in parsed.invalid],
        [str(w) for w in parsed.warnings],
        parsed.preambles,
    )


def real_files() -> list[str]:
    if shutil.which("kpsewhich") is None:
        return []
    out = []
    for name in ("xampl.bib", "biblatex-examples.bib"):
        path = subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip()
        if path:
            out.append(path)
    return out


@pytest.mark.parametrize(
    "path", sorted(BIB.glob("*.bib")) + real_files(), ids=lambda p: Path(p).name
)
def test_any_batch_size_reads_the_same(path):
    whole = summary(read(Path(path), 10**6))
    assert whole[0], "no entries read"
    for size in (1, 2, 3):
        assert summary(read(Path(path), size)) == whole, size


def test_an_unclosed_entry_is_ended_by_the_next_one_even_at_a_batch_boundary(tmp_path):
    f = tmp_path / "broken.bib"
    f.write_text(
        "@book{first, title = {One}, year = {2001}}\n"
        "@book{broken, title = {Unbalanced {braces, year = {2002}}\n"
        "@book{after, title = {After}, year = {2003}}\n",
        encoding="utf-8",
    )
    for size in (1, 2, 100):
        parsed = read(f, size)
        assert [e.record.key for e in parsed.entries] == ["first", "after"]
        assert [str(i) for i in parsed.invalid] == [
            f"{f}:2: entry 'broken': syntax error: Unexpected block start: `@book`. "
            "Was still looking for field-value closing `}`"
        ]


def test_macros_and_renamed_keys_carry_across_batches(tmp_path):
    f = tmp_path / "carry.bib"
    f.write_text(
        '@string{pub = "Polity"}\n'
        "@incollection{ch1, author = {A, B}, title = {Chapter}, crossref = {baez/book}}\n"
        "@book{x, title = {X}, publisher = pub}\n"
        '@string{pub = "Elgar"}\n'
        "@book{baez/book, editor = {Baez, J}, title = {The book}, publisher = pub, year = {2000}}\n",
        encoding="utf-8",
    )
    parsed = read(f, 1)
    by_key = {e.record.key: e.record for e in parsed.entries}
    assert by_key["x"].publisher == "Polity"
    assert by_key["baez/book"].publisher == "Elgar"
    assert by_key["ch1"].parent == "baez/book"
    assert [w.message for w in parsed.warnings][
        0
    ] == "@string 'pub' is defined again; entries after line 4 use the new value"


def test_line_numbers_are_the_files_after_an_escaped_line_break():
    # bibtexparser does not count a line break after a backslash; the numbers
    # given are the file's all the same, whatever the batches
    text = '@article{a, title = "One \\\n two", year = {2000}}\n\n@article{b, title = {Two}, year = {x}}\n'
    for size in (1, 500):
        parsed = parse_bibtex(text, batch_size=size)
        assert [(e.record.key, e.line) for e in parsed.entries] == [("a", 1), ("b", 4)]
