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


# -- the reader's own scanner of plain entries, against bibtexparser -----------

PLAIN = """junk before the first entry
@Article{one,
  author = {M{\\'e}rand, Fr{\\'e}d{\\'e}ric and M\\"uller, James},
  title = "A {"} quote, {Braces}, and a comma",
  note = {a = b, c} # " and " # {d},
  year = 2014,
  pages = {1--2}}
text between the entries, {unbalanced
@book {two ,
  title = {Two {\\{} escaped},
  editor = {Some One},
}
"""

NOT_PLAIN = [
    "@string{a = {b}}\n@misc{x, title = a}\n",  # a macro: bibtexparser reads it
    "@misc(x, title = {a})\n",  # parentheses
    "@misc{x, title = {a}\n",  # unclosed
    "@misc{x, title = {a}} @misc{y, title = {b}}\n",  # two on one line
    "@misc{x, title {a}}\n",  # no "="
    "@misc{x}\n",  # no fields
    "@comment{x}\n@misc{x, title = {a}}\n",
    "see @misc{x, title = {a}}\n",  # not at the start of its line
]


def _blocks(text: str) -> list[tuple]:
    import bibtexparser
    from bibtexparser import model as bm

    out = []
    for b in bibtexparser.parse_string(text, parse_stack=[]).blocks:
        if isinstance(b, bm.DuplicateFieldKeyBlock | bm.DuplicateBlockKeyBlock):
            b = b.ignore_error_block
        if isinstance(b, bm.Entry):
            fields = [(f.start_line, f.key, f.value) for f in b.fields]
            out.append((b.start_line, b.entry_type, b.key, b.raw, fields))
        elif not isinstance(b, bm.ImplicitComment):
            out.append((type(b).__name__, b.start_line, b.raw))
    return out


def test_plain_entries_are_read_as_bibtexparser_reads_them() -> None:
    from citeshelf.formats.bibtex.reader import _plain_entries

    fast = _plain_entries(PLAIN)
    assert fast is not None
    got = [
        (
            b.start_line,
            b.entry_type,
            b.key,
            b.raw,
            [(f.start_line, f.key, f.value) for f in b.fields],
        )
        for b in fast
    ]
    assert got == _blocks(PLAIN)
    assert [g[2] for g in got] == ["one", "two"]
    assert got[0][4][1] == (3, "title", '"A {"} quote, {Braces}, and a comma"')
    # repeated keys and fields are left to the reader, as bibtexparser leaves them
    twice = "@misc{a, title = {x}, title = {y}}\n@misc{a, title = {z}}\n"
    fast = _plain_entries(twice)
    assert fast is not None
    assert [(b.key, [f.value for f in b.fields]) for b in fast] == [
        ("a", ["{x}", "{y}"]),
        ("a", ["{z}"]),
    ]


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_anything_else_is_left_to_bibtexparser(text: str) -> None:
    from citeshelf.formats.bibtex.reader import _plain_entries

    assert _plain_entries(text) is None


def test_a_file_of_plain_entries_reads_as_one_bibtexparser_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same records, warnings and line numbers through either scanner."""
    from citeshelf.formats.bibtex import reader

    path = tmp_path / "plain.bib"
    # the same keys again: imported under keys of their own, with warnings
    path.write_text(PLAIN * 3, encoding="utf-8")
    fast = read(path, 2)
    monkeypatch.setattr(reader, "_plain_entries", lambda text: None)
    slow = read(path, 2)
    assert summary(fast) == summary(slow)
    assert len(fast.entries) == 6 and not fast.invalid
    assert sum("this one imported as" in str(w) for w in fast.warnings) == 4


@pytest.mark.parametrize(
    "path", sorted(BIB.glob("*.bib")) + real_files(), ids=lambda p: Path(p).name
)
def test_records_made_by_worker_processes_are_the_ones_made_here(path, monkeypatch):
    """A large file's records are made by worker processes, a batch ahead of
    the one taken in, and sent back as their JSON data: the same records,
    problems, warnings and line numbers, and the same file bytes, as when
    this process makes them (any batch size)."""
    import os

    from citeshelf.formats.bibtex import reader as reader_module
    from citeshelf.library.store import dumps_record

    if (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        pytest.skip("worker processes need two cores and fork")
    whole = summary(read(Path(path), 10**6))
    files = [dumps_record(e.record) for e in read(Path(path), 10**6).entries]
    monkeypatch.setattr(reader_module, "PARALLEL_MIN", 1)
    monkeypatch.setattr(reader_module, "BOOK_JOBS", 2)
    started = BibReader(Path(path))
    assert started._reader.pool is not None  # the workers are used
    started._stop_workers()
    for size in (1, 3, 10**6):
        parsed = read(Path(path), size)
        assert summary(parsed) == whole, size
        assert [dumps_record(e.record) for e in parsed.entries] == files, size


def test_books_made_by_the_workers_in_the_first_pass_are_their_chapters_books(
    tmp_path, monkeypatch
):
    """The first pass's books, made by the workers, are what the chapters
    after them leave out what they repeat of."""
    import os

    from citeshelf.formats.bibtex import reader as reader_module

    if (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        pytest.skip("worker processes need two cores and fork")
    book = (
        "@book{{book{n},\n  editor = {{Sperling, James}},\n  title = {{Handbook {n}}},\n"
        "  publisher = {{Edward Elgar}},\n  year = {{2014}}\n}}\n"
    )
    chapter = (
        "@incollection{{chapter{n},\n  author = {{Aris, Stephen}},\n  title = {{Chapter {n}}},\n"
        "  crossref = {{book{n}}},\n  booktitle = {{Handbook {n}}},\n"
        "  editor = {{Sperling, James}},\n  publisher = {{Edward Elgar}},\n  year = {{2014}}\n}}\n"
    )
    path = tmp_path / "handbooks.bib"
    path.write_text(
        "".join(chapter.format(n=n) for n in range(5))
        + "".join(book.format(n=n) for n in range(5)),
        encoding="utf-8",
    )
    whole = read(path, 10**6)
    monkeypatch.setattr(reader_module, "PARALLEL_MIN", 1)
    monkeypatch.setattr(reader_module, "BOOK_JOBS", 2)
    for size in (1, 3, 10**6):
        parsed = read(path, size)
        assert summary(parsed) == summary(whole)
        chapters = [e for e in parsed.entries if e.record.type == "chapter"]
        assert len(chapters) == 5
        for e in chapters:
            assert e.book is not None and e.book.key == e.record.parent
            assert e.record.publisher is None and e.full.publisher == "Edward Elgar"


@pytest.mark.parametrize(
    "path", sorted(BIB.glob("*.bib")) + real_files(), ids=lambda p: Path(p).name
)
def test_the_workers_json_data_is_the_records_and_its_file_the_same_bytes(path, monkeypatch):
    """Records made by the workers keep the JSON data they came as (also a
    book of the first pass, and a chapter that left out what its book in the
    file says), which an import stages as the record's file instead of making
    the data again: it is the record's ``to_json_dict()`` whenever it is kept,
    and the staged file has the bytes the record gives (with its ``added``
    date)."""
    import os
    from datetime import datetime, timezone

    from citeshelf.formats.bibtex import reader as reader_module
    from citeshelf.library.store import _with_added, dumps_record

    if (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        pytest.skip("worker processes need two cores and fork")
    monkeypatch.setattr(reader_module, "PARALLEL_MIN", 1)
    monkeypatch.setattr(reader_module, "BOOK_JOBS", 2)
    stamp = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)
    kept = changed = 0
    for size in (3, 10**6):
        for e in read(Path(path), size).entries:
            data = e.json_data(e.record)
            assert e.json_data(e.record.model_copy()) is None  # another object: none
            if data is None:
                # only a record changed after it was made (by the macros or
                # repeated fields of its source) has none
                assert {"bibtex_macros", "bibtex_repeated"} & set(e.record.extra), e.record.key
                changed += 1
                continue
            kept += 1
            assert data == e.record.to_json_dict(), e.record.key
            if e.record.added is None:
                dated = e.record.model_copy(update={"added": stamp})
                assert dumps_record(dated, _with_added(data, dated)) == dumps_record(dated)
    assert kept or changed


def test_a_chapter_that_leaves_out_its_books_fields_keeps_its_json_data(tmp_path, monkeypatch):
    """``_inherit_in_file`` empties the fields a chapter repeats of its book
    (and the book title's case protection in ``extra``): the data kept is the
    changed record's, in file order."""
    import os

    from citeshelf.formats.bibtex import reader as reader_module

    if (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        pytest.skip("worker processes need two cores and fork")
    path = tmp_path / "handbook.bib"
    path.write_text(
        "@book{book,\n  editor = {Sperling, James},\n  title = {Handbook of {NATO}},\n"
        "  publisher = {Edward Elgar},\n  address = {Cheltenham},\n  year = {2014}\n}\n"
        "@incollection{chapter,\n  author = {Aris, Stephen},\n  title = {The {CSTO}},\n"
        "  crossref = {book},\n  booktitle = {Handbook of {NATO}},\n"
        "  editor = {Sperling, James},\n  publisher = {Edward Elgar},\n"
        "  address = {Cheltenham},\n  year = {2014},\n  note = {A note}\n}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(reader_module, "PARALLEL_MIN", 1)
    entries = {e.record.key: e for e in read(path, 10**6).entries}
    chapter = entries["chapter"]
    assert chapter.full is not None and chapter.full is not chapter.record  # fields left out
    assert chapter.record.publisher is None and chapter.full.publisher == "Edward Elgar"
    data = chapter.json_data(chapter.record)
    assert data is not None
    assert list(data) == list(chapter.record.to_json_dict())
    assert data == chapter.record.to_json_dict()
    assert (
        entries["book"].json_data(entries["book"].record) == entries["book"].record.to_json_dict()
    )
