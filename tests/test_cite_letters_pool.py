"""The first `cite` after a change compares the cited work with the library's
works of its year to give year letters (APA 8.19, CMOS 15.19); only the files
that can be listed under the same first name are parsed, and the letters are
those of the whole reference list."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from .conftest import count_parses


def _write(lib: Path, data: dict) -> None:
    path = lib / f"{data['key']}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    # written a while ago: the index does not read them again as possibly changed
    os.utime(path, (1_700_000_000, 1_700_000_000))


def _person(family: str, given: str) -> dict:
    return {"family": family, "given": given}


@pytest.fixture
def lib(empty_lib: Path) -> Path:
    works = [
        # the same author, spelt with and without the accent: one author in the list
        {
            "key": "merand2020alpha",
            "type": "book",
            "title": "Alpha",
            "authors": [_person("Mérand", "Frédéric")],
            "issued": "2020",
            "publisher": "P",
        },
        {
            "key": "merand2020beta",
            "type": "book",
            "title": "Beta",
            "authors": [_person("Merand", "Frederic")],
            "issued": "2020",
            "publisher": "P",
        },
        # an edited book, listed under its editor
        {
            "key": "merand2020gamma",
            "type": "book",
            "title": "Gamma",
            "editors": [_person("Mérand", "Frédéric")],
            "issued": "2020",
            "publisher": "P",
        },
        # a film with no author, listed under its director
        {
            "key": "merand2020delta",
            "type": "motion_picture",
            "title": "Delta",
            "directors": [_person("Mérand", "Frédéric")],
            "issued": "2020",
            "publisher": "Studio",
        },
    ]
    # unrelated works of the same year
    works += [
        {
            "key": f"other2020n{i}",
            "type": "book",
            "title": f"Other {i}",
            "authors": [_person("Other", "Ann")],
            "issued": "2020",
            "publisher": "P",
        }
        for i in range(30)
    ]
    for w in works:
        _write(empty_lib, w)
    return empty_lib


def _letters(text: str) -> list[str]:
    return re.findall(r"2020([a-z])", text)


TITLES = {
    "alpha": "merand2020alpha",
    "beta": "merand2020beta",
    "gamma": "merand2020gamma",
    "delta": "merand2020delta",
}


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_letters_are_the_lists(cs, lib: Path, style: str, monkeypatch) -> None:
    listed = cs(lib, "bibliography", "--style", style)
    assert listed.exit_code == 0, listed.stderr
    # the reference list's letter of each of Mérand's four works (a-d)
    expected = {}
    for line in listed.stdout.splitlines():
        title = re.search(r"\b(Alpha|Beta|Gamma|Delta)\b", line)
        if title:
            expected[TITLES[title.group(1).lower()]] = _letters(line)[0]
    assert sorted(expected.values()) == ["a", "b", "c", "d"]
    assert cs(lib, "list").exit_code == 0  # the index is made (it reads every file)
    parsed = count_parses(monkeypatch)
    for key, letter in expected.items():
        r = cs(lib, "cite", key, "--style", style)
        assert r.exit_code == 0, r.stderr
        assert _letters(r.stdout) == [letter], (key, r.stdout)
    assert parsed  # the cited works and their peers were read
    # none of the other author's 30 works of the year was parsed
    assert not [k for k in parsed if k.startswith("other")]


def test_one_cite_checks_the_library_once_and_reads_each_peer_once(
    cs, lib: Path, monkeypatch
) -> None:
    """The year letters and the initials compare the cited work with the
    library's works through one index, opened (the folder checked) once,
    and a work both compare with is read once."""
    import citeshelf.library.index as index_module

    # another Mérand, of 2020: in both pools (the same year, the same surname)
    _write(lib, {"key": "merand2020zeta", "type": "book", "title": "Zeta",
                 "authors": [_person("Mérand", "Zoé")], "issued": "2020",
                 "publisher": "P"})  # fmt: skip
    assert cs(lib, "list").exit_code == 0  # the index is made
    opened: list[str] = []
    real_open = index_module.open_index

    def counting_open(*args, **kw):
        opened.append(str(args[0]))
        return real_open(*args, **kw)

    monkeypatch.setattr(index_module, "open_index", counting_open)
    parsed = count_parses(monkeypatch)
    r = cs(lib, "cite", "merand2020alpha", "--style", "apa")
    assert r.exit_code == 0, r.stderr
    # F. Mérand (initials: Z. Mérand is in the list), one of Mérand's works of 2020
    assert r.stdout.startswith("(F. Mérand, 2020") and _letters(r.stdout), r.stdout
    assert len(opened) == 1
    assert parsed.count("merand2020zeta") == 1
    # each peer once, and the cited work once (the list's is the cited one)
    assert parsed.count("merand2020alpha") == 1
    assert len(parsed) == len(set(parsed))


def test_the_letters_and_initials_are_the_same_with_one_comparison_or_two(lib: Path) -> None:
    """``library_suffixes`` and ``library_initials`` (the Python API) give
    the same with a ``Compared`` of their own as with one given to both;
    with nothing to compare, the index is not opened."""
    from citeshelf.library.store import RecordStore
    from citeshelf.ops.citing import Compared, library_initials, library_suffixes, load_resolved

    _write(lib, {"key": "merand2020zeta", "type": "book", "title": "Zeta",
                 "authors": [_person("Mérand", "Zoé")], "issued": "2020",
                 "publisher": "P"})  # fmt: skip
    store = RecordStore(lib)
    cited = load_resolved(store, ["merand2020alpha", "merand2020zeta"])
    alone = (library_suffixes(store, cited, "apa", 7), library_initials(store, cited, "apa"))
    with Compared(store) as compared:
        shared = (
            library_suffixes(store, cited, "apa", 7, compared=compared),
            library_initials(store, cited, "apa", compared=compared),
        )
    assert shared == alone
    assert alone[1] == {"merand2020alpha", "merand2020zeta"}
    assert alone[0]["merand2020alpha"] in "abcd"  # one of F. Mérand's four works of 2020
    with Compared(store) as compared:
        assert list(compared.pool(cited, [], None)) == cited
        assert compared._index is None and not compared._opened


def test_listed_words_are_the_first_name_of_each_listed_role() -> None:
    """What the index notes of each work for ``cite``'s comparisons: the
    folded words of the first author's, editor's, composer's, writer's and
    director's family name (or literal); any name for a part with no
    authors of its own, or a name of the wrong shape."""
    from citeshelf.library.jsondata import ANY_LISTED, listed_words

    assert listed_words({"authors": [_person("Van der Berg", "R."), _person("Zed", "A.")]}) == [
        "berg",
        "der",
        "van",
    ]
    assert listed_words(
        {
            "editors": [{"literal": "World Health Organization"}],
            "directors": [_person("Mérand", "F")],
        }
    ) == ["health", "merand", "organization", "world"]
    assert listed_words({"title": "Anonymous work"}) == []
    # a chapter listed under its book's editors, maybe
    assert listed_words({"parent": "book2020", "editors": [_person("Other", "A")]}) == [ANY_LISTED]
    assert listed_words({"parent": "book2020", "authors": [_person("Other", "A")]}) == ["other"]
    assert listed_words({"authors": ["Mérand"]}) == [ANY_LISTED]
    assert listed_words({"authors": [{"given": "Ann"}]}) == [ANY_LISTED]
    assert listed_words([]) == [ANY_LISTED]


def test_works_listed_under_other_names_are_not_read(cs, lib: Path, monkeypatch) -> None:
    """The index says which works are listed under the cited first names:
    the other files of the year are neither parsed nor read; a chapter with
    no authors of its own is (its book's editor may be the cited name)."""
    from citeshelf.library.store import RecordStore

    _write(lib, {"key": "book2020", "type": "book", "title": "Book",
                 "editors": [_person("Other", "Ann")], "issued": "2020",
                 "publisher": "P"})  # fmt: skip
    _write(lib, {"key": "chapter2020", "type": "chapter", "title": "Chapter",
                 "parent": "book2020"})  # fmt: skip
    assert cs(lib, "list").exit_code == 0  # the index is made
    read: list[str] = []
    real = RecordStore.read_text

    def counting(self, key):
        read.append(key)
        return real(self, key)

    monkeypatch.setattr(RecordStore, "read_text", counting)
    r = cs(lib, "cite", "merand2020alpha", "--style", "apa")
    assert r.exit_code == 0, r.stderr
    assert _letters(r.stdout), r.stdout
    assert "chapter2020" in read and "book2020" in read  # the chapter, and its book to resolve it
    assert not [k for k in read if k.startswith("other")]
    assert {k for k in read if k.startswith("merand")} == set(TITLES.values())


def test_select_narrowed_by_listed_words(lib: Path) -> None:
    """``select(listed=...)``: with the index, the works listed under one of
    the words (and the parts with no authors of their own); without it,
    every match (more, never fewer)."""
    from citeshelf.library.query import select
    from citeshelf.library.store import RecordStore

    store = RecordStore(lib)
    found, problems = select(store, "year:2020", listed={"merand"})
    assert not problems
    assert [r.key for r in found] == sorted(TITLES.values())
    assert [r.key for r in select(store, None, listed={"other"})[0]] == [
        f"other2020n{i}" for i in sorted(range(30), key=str)
    ]
    assert select(store, "year:2020", listed=set())[0] == []
    everything = select(store, "year:2020", use_index=False, listed={"merand"})[0]
    assert len(everything) == 34


def test_select_is_not_narrowed_by_more_words_than_sqlite_takes(lib: Path) -> None:
    """More than ``MAX_LISTED`` words (a citation of hundreds of works):
    every match, as without ``listed`` (SQLite before 3.32 takes 999 parameters)."""
    from citeshelf.library.query import MAX_LISTED, select
    from citeshelf.library.store import RecordStore

    store = RecordStore(lib)
    many = {f"word{i}" for i in range(MAX_LISTED + 1)}
    assert [r.key for r in select(store, "year:2020", listed=many)[0]] == [
        r.key for r in select(store, "year:2020")[0]
    ]
    assert select(store, "year:2020", listed=set(list(many)[:MAX_LISTED]))[0] == []
