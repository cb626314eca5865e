"""Each record's part of a reference list kept in the index (its sort data
and its entry, ``ops.bibliomemo.KeptEntries``): after some files changed,
the next list reads and formats only those, and prints the bytes a list made
from the files prints, year letters, 3-em dashes and warnings included."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citeshelf.library.schema import index_path

from .generated import OLD_NS, age, generated_library
from .test_bibliography_memo import OFF


@pytest.fixture
def lib(tmp_path):
    return generated_library(tmp_path / "records", 700)


def kept_keys(out: str) -> set[str]:
    """The keys of the entries printed as marked (:func:`mark_entries`)."""
    return set(re.findall(r"KEPT ([A-Za-z0-9_.:-]+)", out))


def mark_entries(lib: Path, text: str) -> int:
    """Put ``text`` in every kept entry of a reference list; how many."""
    con = sqlite3.connect(index_path(lib))
    try:
        rows = list(con.execute("SELECT key, variant, text FROM entries"))
        n = 0
        for key, variant, blob in rows:
            if "|bibentry|" in variant:
                suffix, repeated, *texts = json.loads(blob)
                data = [suffix, repeated, *(f"{text} {key}" for _ in texts)]
                con.execute(
                    "UPDATE entries SET text = ? WHERE key = ? AND variant = ?",
                    (json.dumps(data), key, variant),
                )
                n += 1
        con.commit()
        return n
    finally:
        con.close()


def variants(lib: Path) -> dict[str, int]:
    con = sqlite3.connect(index_path(lib))
    try:
        out: dict[str, int] = {}
        for (variant,) in con.execute("SELECT variant FROM entries"):
            name = variant.split("|", 1)[1]
            out[name] = out.get(name, 0) + 1
        return out
    finally:
        con.close()


def edit(path: Path, n: int = 1, **changes: object) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    age(path, OLD_NS + n * 10**9)


def made(cs, lib: Path, *args: str):
    """The list made from the files, and the one citeshelf prints now."""
    expected = cs(lib, "bibliography", *args, env=OFF)
    got = cs(lib, "bibliography", *args)
    assert expected.exit_code == got.exit_code == 0, got.stderr
    return expected, got


def keys_of(lib: Path) -> list[str]:
    return sorted(p.stem for p in lib.glob("*.json"))


@pytest.mark.parametrize(
    "args",
    [
        ("--format", "text"),
        ("--format", "html"),
        ("--json",),
        ("-s", "chicago-notes", "--edition", "17", "--format", "markdown"),
        ("-s", "chicago-author-date", "--format", "text"),
    ],
)
def test_after_a_change_only_the_changed_records_are_formatted_again(cs, lib, args):
    a, b = _same_authors_and_year(lib)
    data_a = json.loads((lib / f"{a}.json").read_text(encoding="utf-8"))
    edit(lib / f"{b}.json", authors=data_a["authors"], issued=data_a["issued"])
    first = cs(lib, "bibliography", *args)
    assert first.exit_code == 0
    # the list that fills the cache (its first pass keeps entries with no year
    # letter or dash; the second makes those with one again) is the list
    expected = cs(lib, "bibliography", *args, env=OFF)
    assert (first.stdout, first.stderr) == (expected.stdout, expected.stderr)
    if "chicago-notes" not in args:  # year letters are there (none in notes-bibliography)
        assert re.search(rf"\b{str(data_a['issued'])[:4]}b\b", first.stdout)
    kinds = variants(lib)
    assert sum(n for v, n in kinds.items() if "|bibsort|" in f"|{v}") == 700
    assert sum(n for v, n in kinds.items() if "|bibentry|" in f"|{v}") == 700
    assert mark_entries(lib, "KEPT") == 700
    key = keys_of(lib)[10]
    edit(lib / f"{key}.json", note="edited")
    r = cs(lib, "bibliography", *args)
    assert r.exit_code == 0
    # every entry but the edited one's is the kept one (the whole list is not kept
    # any more: a file changed)
    assert kept_keys(r.stdout) == set(keys_of(lib)) - {key}
    # and with true entries, the bytes of a list made from the files
    cs(lib, "bibliography", *args, env={"CITESHELF_INDEX_DIR": "off"})
    edit(lib / f"{key}.json", 2, note="edited again")  # (the whole list goes)
    con = sqlite3.connect(index_path(lib))
    con.execute("DELETE FROM entries WHERE variant LIKE '%|bibentry|%'")
    con.commit()
    con.close()
    expected, got = made(cs, lib, *args)
    assert (got.stdout, got.stderr) == (expected.stdout, expected.stderr)
    edit(lib / f"{keys_of(lib)[20]}.json", 3, note="and another")
    expected, got = made(cs, lib, *args)  # now from kept entries but two
    assert (got.stdout, got.stderr) == (expected.stdout, expected.stderr)


def _same_authors_and_year(lib: Path) -> tuple[str, str]:
    """Two keys whose records have authors and a year, no parent, no relation."""
    found = []
    for key in keys_of(lib):
        data = json.loads((lib / f"{key}.json").read_text(encoding="utf-8"))
        if data.get("authors") and data.get("issued") and not data.get("parent"):
            found.append(key)
        if len(found) == 2:
            return found[0], found[1]
    raise AssertionError("no two such records")


def test_a_new_year_letter_or_dash_makes_the_entry_again(cs, lib):
    for args in (
        ("--format", "text"),
        ("-s", "chicago-notes", "--edition", "17", "--format", "text"),
    ):
        made(cs, lib, *args)
    a, b = _same_authors_and_year(lib)
    data_a = json.loads((lib / f"{a}.json").read_text(encoding="utf-8"))
    # b becomes a work of a's authors in a's year: both take a letter (APA 9.47),
    # and Chicago 17 gives the second a 3-em dash; a's file did not change
    edit(lib / f"{b}.json", authors=data_a["authors"], issued=data_a["issued"])
    for args in (
        ("--format", "text"),
        ("-s", "chicago-notes", "--edition", "17", "--format", "text"),
    ):
        expected, got = made(cs, lib, *args)
        assert (got.stdout, got.stderr) == (expected.stdout, expected.stderr), args
    apa = made(cs, lib, "--format", "text")[1].stdout
    year = str(data_a["issued"])[:4]
    assert f"({year}a" in apa and f"({year}b" in apa
    assert (
        "———."
        in made(cs, lib, "-s", "chicago-notes", "--edition", "17", "--format", "text")[1].stdout
    )


def test_a_title_case_warning_comes_from_the_kept_sort_data_too(cs, lib):
    keys = keys_of(lib)
    edit(lib / f"{keys[3]}.json", title="The Politics Of European Security Cooperation")
    first = cs(lib, "bibliography", "--format", "text")
    assert "Title Case" in first.stderr and keys[3] in first.stderr
    edit(lib / f"{keys[5]}.json", 2, note="edited")  # read again: keys[3] is not
    expected, got = made(cs, lib, "--format", "text")
    assert (got.stdout, got.stderr) == (expected.stdout, expected.stderr)
    assert keys[3] in got.stderr


def test_a_chapter_is_made_again_when_its_book_changes(cs, lib):
    made(cs, lib, "--format", "text")
    chapter = next(
        k
        for k in keys_of(lib)
        if json.loads((lib / f"{k}.json").read_text(encoding="utf-8")).get("parent")
    )
    book = json.loads((lib / f"{chapter}.json").read_text(encoding="utf-8"))["parent"]
    assert mark_entries(lib, "KEPT") == 700
    edit(lib / f"{book}.json", publisher="A press of its own")
    got = cs(lib, "bibliography", "--format", "text").stdout
    line = next(t for t in got.splitlines() if chapter in t or "A press of its own" in t)
    assert "KEPT" not in line and "A press of its own" in line
    # the book's entry and its chapters' are made again, no other
    chapters = {
        k
        for k in keys_of(lib)
        if json.loads((lib / f"{k}.json").read_text(encoding="utf-8")).get("parent") == book
    }
    assert chapter in chapters
    assert kept_keys(got) == set(keys_of(lib)) - chapters - {book}


def test_a_reprint_is_not_kept(cs, tmp_path):
    lib = tmp_path / "records"
    lib.mkdir()
    original = {
        "type": "book",
        "key": "orig1950",
        "title": "The original",
        "issued": {"year": 1950},
        "authors": [{"family": "Old", "given": "Ann"}],
        "publisher": "First Press",
    }
    reprint = {
        "type": "book",
        "key": "reprint2000",
        "title": "The original",
        "issued": {"year": 2000},
        "authors": [{"family": "Old", "given": "Ann"}],
        "publisher": "Second Press",
        "related": [{"type": "reprintof", "key": "orig1950"}],
    }
    for data in (original, reprint):
        path = lib / f"{data['key']}.json"
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        age(path)
    first = cs(lib, "bibliography", "--format", "text")
    assert first.exit_code == 0, first.stderr
    kinds = variants(lib)
    assert all(n == 1 for n in kinds.values()) and len(kinds) == 2  # the original's only
    edit(lib / "orig1950.json", publisher="First Press Again")
    expected, got = made(cs, lib, "--format", "text")
    assert got.stdout == expected.stdout and "First Press Again" in got.stdout


def test_a_query_list_uses_the_kept_entries(cs, lib):
    made(cs, lib, "--format", "text")
    mark_entries(lib, "KEPT")
    r = cs(lib, "bibliography", "--format", "text", "-q", "year:2000..2020")
    assert (
        r.exit_code == 0
        and r.stdout
        and set(line.split()[0] for line in r.stdout.splitlines()) == {"KEPT"}
    )


sort_keys = st.recursive(
    st.one_of(
        st.none(),
        st.integers(-(10**18), 10**18),
        st.text(st.characters(blacklist_characters="\0"), max_size=6),
    ),
    lambda inner: st.tuples(inner) | st.tuples(inner, inner) | st.tuples(inner, inner, inner),
    max_leaves=12,
)


@settings(max_examples=500, deadline=None)
@given(sort_keys, sort_keys)
def test_a_sortable_string_sorts_as_its_sort_key(a, b):
    from citeshelf.styles.api import sortable

    try:
        want = (a > b) - (a < b)
    except TypeError:  # keys of other shapes: never compared
        return
    assert ((sortable(a) > sortable(b)) - (sortable(a) < sortable(b))) == want
    assert (sortable(a) == sortable(b)) == (a == b)


def test_a_sort_key_of_another_kind_is_refused():
    from citeshelf.styles.api import sortable

    with pytest.raises(TypeError):
        sortable((1.5,))
    with pytest.raises(ValueError):
        sortable((10**20,))
