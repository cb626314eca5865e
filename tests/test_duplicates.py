"""Duplicates, merge, check's rules and title case on export."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from citeshelf import exitcodes
from citeshelf.styles.common import looks_title_case, sentence_case

from .conftest import snapshot


def _write(lib: Path, data: dict) -> None:
    (lib / f"{data['key']}.json").write_text(json.dumps(data), encoding="utf-8")


ARTICLE = {
    "type": "article",
    "key": "doe2020study",
    "title": "A study of gnus",
    "authors": [{"family": "Doe", "given": "Jane"}],
    "issued": "2020",
    "journal": "Journal of gnus",
    "volume": "3",
    "pages": "1-10",
    "doi": "10.1000/abc",
}


# -- the rule, and add ---------------------------------------------------------


def test_add_refuses_a_record_with_an_existing_doi(cs, empty_lib: Path) -> None:
    _write(empty_lib, ARTICLE)
    before = snapshot(empty_lib)
    r = cs(empty_lib, "add", "article", "--title", "Other", "--doi", "https://doi.org/10.1000/ABC")
    assert r.exit_code == exitcodes.CONFLICT
    assert r.stdout == ""
    assert r.stderr == (
        "citeshelf: error: new article duplicates 'doe2020study' (same DOI 10.1000/ABC); "
        "nothing was added: see it with 'citeshelf show doe2020study', or choose "
        "--on-duplicate skip, rename or update\n"
    )
    assert snapshot(empty_lib) == before
    r = cs(empty_lib, "add", "article", "--title", "Other", "--doi", "10.1000/abc",
           "--on-duplicate", "skip")  # fmt: skip
    assert (r.exit_code, r.stdout) == (0, "doe2020study\n")
    assert r.stderr == (
        "citeshelf: warning: not added, as it duplicates 'doe2020study' (same DOI 10.1000/abc)\n"
    )
    assert snapshot(empty_lib) == before
    r = cs(empty_lib, "add", "article", "--doi", "10.1000/abc", "--issue", "2",
           "--on-duplicate", "update")  # fmt: skip
    assert (r.exit_code, r.stdout) == (0, "doe2020study\n")
    data = json.loads((empty_lib / "doe2020study.json").read_text())
    assert data["issue"] == "2" and data["title"] == "A study of gnus"
    r = cs(empty_lib, "add", "article", "--title", "Other", "--author", "Roe, R", "--year",
           "2021", "--doi", "10.1000/abc", "--no-input", "--on-duplicate", "rename")  # fmt: skip
    assert (r.exit_code, r.stdout) == (0, "roe2021other\n")


def test_a_book_isbn_is_a_duplicate_only_with_the_same_edition_and_volume(
    cs, empty_lib: Path
) -> None:
    args = ("add", "book", "--title", "Set", "--editor", "Ed, A", "--year", "2014",
            "--publisher", "P", "--isbn", "9781781953174")  # fmt: skip
    assert cs(empty_lib, *args, "--volume", "1").stdout == "ed2014set\n"
    assert cs(empty_lib, *args, "--volume", "2").stdout == "ed2014seta\n"
    r = cs(empty_lib, *args, "--volume", "2", "--edition", "2")
    assert r.stdout == "ed2014setb\n"
    r = cs(empty_lib, *args, "--volume", "2")
    assert r.exit_code == exitcodes.CONFLICT
    assert "duplicates 'ed2014seta' (same ISBN 9781781953174)" in r.stderr


# -- duplicates ----------------------------------------------------------------


def _dupes_lib(lib: Path) -> None:
    _write(lib, ARTICLE)
    _write(lib, {**ARTICLE, "key": "doe2020studya", "title": "A study of gnus!", "doi": None})
    _write(lib, {**ARTICLE, "key": "doe2020stud", "title": "A study of the gnus"})
    _write(lib, {**ARTICLE, "key": "other", "title": "Migration of zebras", "doi": "10.1000/x"})


def test_duplicates_lists_pairs_with_a_score(cs, empty_lib: Path) -> None:
    _dupes_lib(empty_lib)
    r = cs(empty_lib, "duplicates")
    assert r.exit_code == 0
    assert r.stdout == (
        "1.00 doe2020stud doe2020study (same DOI 10.1000/abc)\n"
        "0.95 doe2020study doe2020studya (same title, year and first author)\n"
        "0.88 doe2020stud doe2020studya (close title, same year and first author)\n"
        "3 likely duplicates\n"
    )
    data = json.loads(cs(empty_lib, "duplicates", "--json").stdout)
    assert data["duplicates"][0] == {
        "keys": ["doe2020stud", "doe2020study"],
        "score": 1.0,
        "why": "same DOI 10.1000/abc",
    }


def test_duplicates_of_an_empty_library(cs, empty_lib: Path) -> None:
    assert cs(empty_lib, "duplicates").stdout == "0 likely duplicates\n"


# -- merge ---------------------------------------------------------------------


def test_merge_takes_missing_fields_shows_conflicts_and_repoints_chapters(
    cs, empty_lib: Path, tmp_path: Path
) -> None:
    book = {"type": "book", "key": "b1", "title": "Handbook", "issued": "2014",
            "editors": [{"family": "Ed", "given": "A"}], "tags": ["x"]}  # fmt: skip
    _write(empty_lib, book)
    _write(empty_lib, {**book, "key": "b2", "title": "Handbook!", "publisher": "P",
                       "tags": ["y"]})  # fmt: skip
    _write(empty_lib, {"type": "chapter", "key": "c1", "parent": "b2", "title": "One"})
    r = cs(empty_lib, "merge", "b1", "b2")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == (
        "title: kept 'Handbook' (b1), not 'Handbook!' (b2)\n"
        "publisher: taken from b2\n"
        "1 chapter now in 'b1': c1\n"
        "merged b2 into b1\n"
    )
    assert not (empty_lib / "b2.json").exists()
    data = json.loads((empty_lib / "b1.json").read_text())
    assert data["publisher"] == "P" and data["tags"] == ["x", "y"]
    assert data["extra"] == {"former_keys": ["b2"]}
    assert json.loads((empty_lib / "c1.json").read_text())["parent"] == "b1"
    # a manuscript that cites the old key still exports
    tex = tmp_path / "paper.tex"
    tex.write_text("\\cite{b2}\n", encoding="utf-8")
    r = cs(empty_lib, "export", "--cited-in", str(tex), "--format", "biblatex")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.startswith("@book{b1,\n") and "  ids = {b2},\n" in r.stdout


@pytest.mark.parametrize("index", [True, False])
def test_merge_names_the_record_kept_in_the_tie_orders(cs, empty_lib, tmp_path, index) -> None:
    from .test_rekey import _TIED, _ties

    env = None if index else {"CITESHELF_INDEX_DIR": "off"}
    bib = tmp_path / "tied.bib"
    bib.write_text(_TIED, encoding="utf-8")
    assert cs(empty_lib, "import", str(bib), env=env).exit_code == 0
    r = cs(empty_lib, "merge", "mm", "zz", "--json", env=env)
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["tied"] == ["aa"]
    # zz's place, once: mm took it
    assert _ties(empty_lib) == {"aa": ["mm", "aa"], "mm": ["mm", "aa"]}
    out = cs(empty_lib, "export", "--format", "biblatex", env=env).stdout
    assert out.index("@book{mm,") < out.index("@book{aa,")
    # a tie of one is none
    assert cs(empty_lib, "merge", "aa", "mm", env=env).exit_code == 0
    assert _ties(empty_lib) == {"aa": None}


def test_merge_take_uses_the_other_value(cs, empty_lib: Path) -> None:
    _write(empty_lib, {**ARTICLE, "key": "a1"})
    _write(empty_lib, {**ARTICLE, "key": "a2", "title": "A study of gnus, revised"})
    r = cs(empty_lib, "merge", "a1", "a2", "--take", "title", "--dry-run")
    assert r.stdout == (
        "title: took 'A study of gnus, revised' (a2), not 'A study of gnus' (a1)\n"
        "would merge a2 into a1\n"
    )
    assert (empty_lib / "a2.json").exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("a1", "a1"), exitcodes.USAGE, "cannot merge 'a1' with itself; nothing was changed"),
        (("a1", "nope"), exitcodes.NOT_FOUND, "no record 'nope' in {lib}; nothing was changed"),
        (("nope", "a1"), exitcodes.NOT_FOUND, "no record 'nope' in {lib}; nothing was changed"),
        (
            ("a1", "b1"),
            exitcodes.CONFLICT,
            "'a1' is a article, 'b1' a book: merge records of one type (change one first "
            "with 'citeshelf edit'); nothing was changed",
        ),
        (
            ("a1", "a2", "--take", "colour"),
            exitcodes.USAGE,
            "--take: a article has no field 'colour'; nothing was changed",
        ),
    ],
)
def test_merge_bad_input_is_one_line_and_changes_nothing(
    cs, empty_lib: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    _write(empty_lib, {**ARTICLE, "key": "a1"})
    _write(empty_lib, {**ARTICLE, "key": "a2"})
    _write(empty_lib, {"type": "book", "key": "b1", "title": "B"})
    before = snapshot(empty_lib)
    r = cs(empty_lib, "merge", *args)
    assert r.exit_code == code
    assert r.stdout == ""
    assert r.stderr == f"citeshelf: error: {message.format(lib=empty_lib)}\n"
    assert snapshot(empty_lib) == before


# -- check -----------------------------------------------------------------------


def test_check_finds_duplicates_identifiers_empty_titles_and_extra_fields(
    cs, empty_lib: Path
) -> None:
    _write(empty_lib, ARTICLE)
    _write(empty_lib, {**ARTICLE, "key": "twin", "title": "Twin"})
    _write(empty_lib, {"type": "misc", "key": "m", "title": "...", "issued": "2001"})
    _write(empty_lib, {"type": "book", "key": "bad", "title": "Bad", "isbn": ["9781781953175"]})
    _write(
        empty_lib, {**ARTICLE, "key": "x", "doi": None, "title": "X", "extra": {"doi": "10.1000/y"}}
    )
    r = cs(empty_lib, "check")
    assert r.exit_code == exitcodes.INVALID_DATA
    assert r.stdout == (
        f"error bad-identifier: {empty_lib / 'bad.json'}: field 'isbn': '9781781953175' is not "
        "a valid ISBN (the number's checksum or check digit is invalid)\n"
        "warning empty-title: 'm' has an empty title ('...'): set one with "
        "'citeshelf edit m --set title=...'\n"
        "error duplicate: 'doe2020study' and 'twin' are duplicates (same DOI 10.1000/abc): "
        "merge them with 'citeshelf merge doe2020study twin'\n"
        "warning extra-has-home: 'x' keeps doi in extra ('10.1000/y'), but a article has a doi "
        "field ('citeshelf check --fix': move extra.doi to doi)\n"
        "5 records checked, 4 problems (2 errors, 2 warnings)\n"
    )
    data = json.loads(cs(empty_lib, "check", "--json").stdout)
    assert [(p["key"], p["code"], p["severity"]) for p in data["problems"]] == [
        ("bad", "bad-identifier", "error"),
        ("m", "empty-title", "warning"),
        ("twin", "duplicate", "error"),
        ("x", "extra-has-home", "warning"),
    ]
    assert (data["errors"], data["warnings"], data["notes"]) == (2, 2, 0)
    r = cs(empty_lib, "check", "--fix")
    assert r.stdout.splitlines()[-2:] == [
        "warning extra-has-home: 'x' keeps doi in extra ('10.1000/y'), but a article has a doi "
        "field (fixed: move extra.doi to doi)",
        "5 records checked, 3 problems (2 errors, 1 warning); fixed 1 problem in 1 record",
    ]
    data = json.loads((empty_lib / "x.json").read_text())
    assert data["doi"] == "10.1000/y" and "extra" not in data


def test_check_notes_missing_fields_only_with_notes(cs, empty_lib: Path) -> None:
    _write(empty_lib, {"type": "book", "key": "b", "title": "A book", "issued": "2001"})
    assert cs(empty_lib, "check").stdout == (
        "1 record checked, 0 problems, 1 note (--notes lists them)\n"
    )
    assert cs(empty_lib, "check", "--notes").stdout == (
        "note missing-field: 'b' (book) lacks recommended fields: authors or editors, publisher\n"
        "1 record checked, 0 problems, 1 note\n"
    )


def _xampl() -> Path:
    if shutil.which("kpsewhich") is None:
        pytest.skip("kpsewhich (TeX Live) is not installed")
    found = subprocess.run(["kpsewhich", "xampl.bib"], capture_output=True, text=True)
    if found.returncode != 0 or not found.stdout.strip():
        pytest.skip("TeX Live's xampl.bib is not installed")
    return Path(found.stdout.strip())


def test_xampl_title_case_titles_are_listed_and_fixed(cs, empty_lib: Path) -> None:
    r = cs(empty_lib, "import", str(_xampl()))
    assert r.exit_code == 0, r.stderr
    r = cs(empty_lib, "check")
    title_case = [line for line in r.stdout.splitlines() if "title-case" in line]
    assert len(title_case) == 30
    assert title_case[0] == (
        "warning title-case: the title of 'article-crossref' looks like Title Case: 'The Gnats "
        "and Gnus Document Preparation System'; titles are kept in sentence case (styles "
        "capitalise as they need) ('citeshelf check --fix': title -> 'The gnats and gnus "
        "document preparation system')"
    )
    r = cs(empty_lib, "check", "--fix")
    assert r.exit_code == 0
    assert "fixed 30 problems in 30 records" in r.stdout.splitlines()[-1]
    assert "title-case" not in cs(empty_lib, "check").stdout
    titles = {
        k: json.loads((empty_lib / f"{k}.json").read_text())
        for k in ("article-full", "inproceedings-full", "phdthesis-full")
    }
    assert titles["article-full"]["title"] == "The gnats and gnus document preparation system"
    assert "protect" not in titles["article-full"].get("extra", {})
    # braced in the .bib: stays capitalised
    assert titles["inproceedings-full"]["title"] == (
        "On notions of information transfer in VLSI circuits"
    )
    # ({F}rench: protected where it stood, the phrase F beginning other words too)
    assert titles["phdthesis-full"]["title"].endswith(
        'Festooning <span class="nocase">F</span>rench phrases'
    )
    # and a second record with an existing DOI is refused, naming it
    doi = "10.1000/xampl"
    assert cs(empty_lib, "edit", "article-full", "--set", f"doi={doi}").exit_code == 0
    r = cs(empty_lib, "add", "article", "--title", "Gnats", "--doi", doi, "--no-input")
    assert r.exit_code == exitcodes.CONFLICT
    assert "duplicates 'article-full' (same DOI 10.1000/xampl)" in r.stderr


# -- title case: the detector, sentence case, export ----------------------------


@pytest.mark.parametrize(
    ("title", "strict", "known"),
    [
        ("The Gnats and Gnus Document Preparation System", True, True),
        ("On Notions of Information Transfer in VLSI Circuits", True, True),
        ("Fundamental Algorithms", False, True),
        ("Handing out random pamphlets in airports", False, False),
        ("Handbook of governance and security", False, False),
        ("Collective Security Treaty Organization", False, True),
        ("Organization for Security and Cooperation in Europe", False, True),
        ("The Art of Computer programming", False, False),
        ("Alliances Without Enemies: NATO After the Cold War", True, True),
    ],
)
def test_looks_title_case(title: str, strict: bool, known: bool) -> None:
    assert looks_title_case(title) is strict
    assert looks_title_case(title, []) is known


def test_sentence_case_keeps_protected_phrases_acronyms_and_sentence_starts() -> None:
    assert sentence_case("The Gnats and Gnus Document Preparation System") == (
        "The gnats and gnus document preparation system"
    )
    title = "Security In Europe: The Role Of NATO And The Counter-Terrorism Pact"
    start = title.index("Europe")
    assert sentence_case(title, [(start, start + 6)]) == (
        "Security in Europe: The role of NATO and the counter-terrorism pact"
    )


def test_export_title_case_braces_the_stored_capitals(cs, empty_lib: Path) -> None:
    _write(empty_lib, {**ARTICLE, "title": "Gnus in Europe and the NATO summit"})
    _write(empty_lib, {**ARTICLE, "key": "de", "doi": None, "language": "de",
                       "title": "Die gnus in Europa"})  # fmt: skip
    out = cs(empty_lib, "export", "--title-case").stdout
    assert "  title = {Die gnus in {Europa}},\n" in out
    assert "  title = {Gnus in {Europe} and the {NATO} Summit},\n" in out
    plain = cs(empty_lib, "export").stdout
    assert "  title = {Gnus in {Europe} and the {NATO} summit},\n" in plain


def test_a_group_too_large_to_compare_is_reported_not_compared(monkeypatch) -> None:
    from citeshelf.model import parse_record
    from citeshelf.ops import duplicates

    monkeypatch.setattr(duplicates, "FUZZY_GROUP_MAX", 3)
    records = [
        parse_record(
            {
                "type": "article",
                "key": f"a{i}",
                "title": f"Report number {i}",
                "authors": [{"family": "Org"}],
                "issued": "2020",
            }
        )
        for i in range(5)
    ]
    skipped: list[str] = []
    assert duplicates.find_duplicates(records, skipped) == []
    assert skipped == [
        "5 records of type article by 'org' in 2020: their titles were not compared "
        "for likely duplicates (more than 3)"
    ]
    # within the limit the same titles are compared (and are close)
    assert len(duplicates.find_duplicates(records[:3])) == 3


def test_words_similarity_bounds_agree_with_the_full_ratio() -> None:
    from citeshelf.model.similar import title_words, words_similarity

    pairs = [
        ("The gnats and gnus", "The gnats and the gnus"),
        ("A", "A much longer title altogether"),
        ("Security governance", "Governance of security"),
    ]
    for a, b in pairs:
        x, y = title_words(a), title_words(b)
        full = words_similarity(x, y)
        bounded = words_similarity(x, y, 0.85)
        if full >= 0.85:
            assert bounded == full  # a pair that reaches the threshold gets its score
        else:
            assert bounded < 0.85  # one that cannot is cut short (0.0) or scored
            assert bounded in (0.0, full)
    assert words_similarity("the gnats and gnus", "the gnats and the gnus") >= 0.85
    assert words_similarity("a", "a much longer title altogether", 0.85) == 0.0


def test_duplicate_of_asks_the_index_and_agrees_with_reading_every_record(
    tmp_path: Path, monkeypatch
) -> None:
    from citeshelf.library import Library
    from citeshelf.library import index as index_module
    from citeshelf.model import parse_record
    from citeshelf.ops.duplicates import duplicate_of

    lib = tmp_path / "records"
    lib.mkdir()
    library = Library(lib)
    library.create(parse_record({**ARTICLE, "key": "art", "doi": "10.1000/ABC(1)"}))
    book = {"type": "book", "title": "A book", "issued": "2001", "isbn": ["978-0-306-40615-7"]}
    library.create(parse_record({**book, "key": "bk1"}))
    library.create(parse_record({**book, "key": "bk2", "edition": "2"}))
    probes = [
        parse_record({**ARTICLE, "key": "new", "doi": "https://doi.org/10.1000/abc(1)"}),
        parse_record({**ARTICLE, "key": "new", "doi": "10.1000/other"}),
        parse_record({**book, "key": "new"}),
        parse_record({**book, "key": "new", "edition": "2nd"}),
        parse_record({**book, "key": "new", "edition": "3"}),
    ]
    with_index = [duplicate_of(library, p) for p in probes]
    assert with_index == [
        ("art", "same DOI 10.1000/abc(1)"),
        None,
        ("bk1", "same ISBN 978-0-306-40615-7"),
        ("bk2", "same ISBN 978-0-306-40615-7"),
        None,
    ]
    monkeypatch.setattr(index_module, "open_index", lambda *a, **k: None)
    assert [duplicate_of(library, p) for p in probes] == with_index


# -- other printings, parts and aliases -----------------------------------------


def _existing(*records: dict):
    from citeshelf.model import parse_record
    from citeshelf.ops.duplicates import Existing

    return Existing.from_records(parse_record(r) for r in records)


def _rec(**data):
    from citeshelf.model import parse_record

    return parse_record(data)


TEXBOOK = {"type": "book", "key": "knuth1984", "title": "The TeXbook", "issued": "1984",
           "isbn": ["0-201-13447-0"], "authors": ["Knuth, Donald E."]}  # fmt: skip


def test_a_shared_isbn_or_doi_of_another_year_printing_or_part_is_no_duplicate() -> None:
    seen = _existing(TEXBOOK)
    assert _existing(TEXBOOK).match(_rec(**{**TEXBOOK, "key": "k2"})) == (
        "knuth1984",
        "same ISBN 0-201-13447-0",
    )
    assert seen.match(_rec(**{**TEXBOOK, "key": "k2", "issued": "1986"})) is None
    printing = {**TEXBOOK, "extra": {"printing": "7th"}}
    assert (
        _existing(printing).match(_rec(**{**printing, "key": "k2", "extra": {"printing": "9th"}}))
        is None
    )
    # parts A and B of one work under one ISBN (texbook3.bib's Weyerich:1993:LLLa/b)
    part_b = {**TEXBOOK, "key": "k2", "title": "The TeXbook, part B"}
    assert _existing({**TEXBOOK, "title": "The TeXbook, part A"}).match(_rec(**part_b)) is None
    art = {"type": "article", "key": "a1", "title": "T", "doi": "10.1000/x", "issued": "2001"}
    assert _existing(art).match(_rec(**{**art, "key": "a2", "issued": "2009"})) is None
    assert _existing(art).match(_rec(**{**art, "key": "a2"})) == ("a1", "same DOI 10.1000/x")


def test_a_part_is_never_a_duplicate_of_its_container() -> None:
    book = {"type": "book", "key": "hb", "title": "Handbook", "doi": "10.1000/hb", "issued": "2014"}
    chapter = {
        "type": "chapter",
        "key": "ch",
        "title": "Handbook",
        "doi": "10.1000/hb",
        "parent": "hb",
    }
    assert _existing(book).match(_rec(**chapter)) is None
    volume = {"type": "book", "key": "v1", "title": "Handbook", "doi": "10.1000/hb", "parent": "hb",
              "issued": "2014"}  # fmt: skip
    assert _existing(book).match(_rec(**volume)) is None
    assert _existing(volume).match(_rec(**book)) is None
    from citeshelf.ops.duplicates import find_duplicates

    assert find_duplicates([_rec(**book), _rec(**chapter)]) == []
    assert find_duplicates([_rec(**book), _rec(**volume)]) == []


def test_a_duplicate_in_one_file_keeps_its_second_key_as_an_alias(cs, empty_lib, tmp_path) -> None:
    bib = tmp_path / "two.bib"
    bib.write_text(
        '@book{Graetzer:2000:ML, author={Gr{\\"a}tzer, George}, title={Math into {\\LaTeX}},'
        ' year=2000, isbn={0-8176-4131-9}, publisher={Birkh{\\"a}user}}\n'
        "@book{Gratzer:2000:ML, author={Gratzer, George}, title={Math into {\\LaTeX}},"
        " year=2000, isbn={0-8176-4131-9}}\n",
        encoding="utf-8",
    )
    r = cs(empty_lib, "import", str(bib))
    assert r.stdout == "imported 1, skipped as duplicate 1, skipped as invalid 0\n"
    assert (
        f"{bib}:2: 'Gratzer:2000:ML' skipped: duplicates 'Graetzer:2000:ML' (same ISBN 0-8176-4131-9)"
        in r.stderr
    )
    data = json.loads((empty_lib / "Graetzer:2000:ML.json").read_text(encoding="utf-8"))
    assert data["extra"]["former_keys"] == ["Gratzer:2000:ML"]
    shown = cs(empty_lib, "show", "Gratzer:2000:ML")
    assert shown.exit_code == 0 and shown.stdout.startswith("Graetzer:2000:ML (book)")
    tex = tmp_path / "p.tex"
    tex.write_text("\\cite{Gratzer:2000:ML}\n")
    out = cs(empty_lib, "export", "--cited-in", str(tex), "--format", "biblatex").stdout
    assert out.startswith("@book{Graetzer:2000:ML,") and "ids = {Gratzer:2000:ML}" in out


def test_a_duplicate_in_one_file_gives_the_record_kept_the_fields_it_lacks(
    cs, empty_lib, tmp_path
) -> None:
    bib = tmp_path / "two.bib"
    bib.write_text(
        '@book{first, author={Gr{\\"a}tzer, George}, title={Math into {\\LaTeX}},'
        " year=2000, isbn={0-8176-4131-9}, keywords={a; b}}\n"
        '@book{second, author={Gr{\\"a}tzer, George}, title={Math into {\\LaTeX}},'
        " year=2000, isbn={0-8176-4131-9}, keywords={a; c},"
        " abstract={For the {NASA} and {\\em you}.}, tableofcontents={I: A short course}}\n",
        encoding="utf-8",
    )
    r = cs(empty_lib, "import", str(bib), "--json")
    assert r.exit_code == 0, r.stderr
    (dup,) = json.loads(r.stdout)["duplicates"]
    assert (dup["key"], dup["existing"], dup["filled"]) == (
        "second",
        "first",
        ["abstract", "tableofcontents"],
    )
    assert (
        f"{bib}:2: 'second' skipped: duplicates 'first' (same ISBN 0-8176-4131-9); 'first' took "
        "the fields it lacked: abstract, tableofcontents" in r.stderr
    )
    data = json.loads((empty_lib / "first.json").read_text(encoding="utf-8"))
    assert data["abstract"] == "For the NASA and <i>you</i>."
    assert data["keywords"] == ["a", "b"]  # where both have a field, the kept one's stays
    assert data["extra"]["tableofcontents"] == "I: A short course"
    assert data["extra"]["protect"] == {"abstract": ["NASA"]}  # its case goes with it
    out = cs(empty_lib, "export", "--format", "biblatex").stdout
    assert "abstract = {For the {NASA} and {\\em you}.}," in out
    assert "ids = {second}," in out


def test_fill_missing_takes_nothing_the_record_has() -> None:
    from citeshelf.ops.merging import fill_missing

    keep = _rec(type="book", key="a", title="T", issued="2000", publisher="P")
    other = _rec(type="book", key="b", title="T2", issued="2001", publisher="Q", edition="2")
    filled, taken = fill_missing(keep, other)
    assert taken == ["edition"]
    assert (filled.key, filled.title, str(filled.issued), filled.publisher, filled.edition) == (
        "a", "T", "2000", "P", "2",
    )  # fmt: skip
    assert fill_missing(filled, other) == (filled, [])
    chapter = _rec(type="chapter", key="c", title="T", container_title="B", edition="3")
    assert fill_missing(keep, chapter) == (keep, [])  # another type gives nothing


def test_fill_missing_takes_no_link_of_the_twin() -> None:
    from citeshelf.ops.merging import fill_missing

    keep = _rec(type="book", key="a", title="T", issued="2000")
    other = _rec(
        type="book",
        key="b",
        title="T",
        issued="2000",
        edition="2",
        parent="set",
        related=[{"key": "c", "type": "reprintof"}],
        extra={"xref": "d", "entryset": "e, f", "crossref": "g", "userb": "kept"},
    )
    filled, taken = fill_missing(keep, other)
    assert taken == ["edition", "userb"]
    assert (filled.parent, filled.related) == (None, [])
    assert filled.extra == {"userb": "kept"}


def test_fill_missing_takes_what_a_source_said_of_a_field_only_with_its_value() -> None:
    from citeshelf.ops.merging import fill_missing

    other = _rec(
        type="article",
        key="b",
        title="T",
        journal="J",
        issued="2000",
        issue="3",
        accessed="2020-01-02",
        extra={"month": "Spring", "day": "x", "year": "1999", "issue": "Summer", "urldate": "?"},
    )
    keep = _rec(type="article", key="a", title="T", journal="J", issued="2000", issue="4")
    filled, taken = fill_missing(keep, other)
    assert taken == ["accessed", "urldate"]  # the accessed date goes with its leftover
    assert filled.extra == {"urldate": "?"}
    undated = _rec(type="article", key="a", title="T", journal="J")
    filled, taken = fill_missing(undated, other)
    assert str(filled.issued) == "2000" and filled.issue == "3"
    assert filled.extra == other.extra  # taken with the date, issue and accessed date


def test_a_twin_skipped_on_import_leaves_its_month_out_of_the_record_kept(
    cs, empty_lib, tmp_path
) -> None:
    bib = tmp_path / "two.bib"
    bib.write_text(
        "@book{first, author={Doe, Jane}, title={A book}, year=2000, isbn={0-8176-4131-9},"
        " urldate={2020-01-02}}\n"
        "@book{second, author={Doe, Jane}, title={A book}, year=2000, month={Spring},"
        " isbn={0-8176-4131-9}, urldate={last week}, note={Signed}}\n",
        encoding="utf-8",
    )
    r = cs(empty_lib, "import", str(bib))
    assert r.exit_code == 0, r.stderr
    assert "'first' took the fields it lacked: note\n" in r.stderr
    out = cs(empty_lib, "export", "--format", "biblatex").stdout
    assert "date = {2000}," in out and "note = {Signed}," in out
    assert "Spring" not in out and "last week" not in out
    data = json.loads((empty_lib / "first.json").read_text(encoding="utf-8"))
    assert set(data["extra"]) == {"former_keys"}


def test_a_twin_skipped_on_import_gives_the_record_kept_no_parent_missing(
    cs, empty_lib, tmp_path
) -> None:
    bib = tmp_path / "two.bib"
    bib.write_text(
        "@book{first, author={Doe, Jane}, title={A book}, year=2000, isbn={0-8176-4131-9}}\n"
        "@book{second, author={Doe, Jane}, title={A book}, year=2000, isbn={0-8176-4131-9},"
        " crossref={nowhere}, note={Signed}}\n",
        encoding="utf-8",
    )
    r = cs(empty_lib, "import", str(bib))
    assert r.exit_code == 0, r.stderr
    assert "'first' took the fields it lacked: note\n" in r.stderr
    data = json.loads((empty_lib / "first.json").read_text(encoding="utf-8"))
    assert "parent" not in data and "crossref" not in data["extra"]
    r = cs(empty_lib, "check")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "parent-missing" not in r.stdout + r.stderr
    out = cs(empty_lib, "export", "--format", "biblatex")
    assert out.exit_code == 0, out.stderr
    assert "nowhere" not in out.stdout and "note = {Signed}," in out.stdout


@pytest.mark.parametrize("name", ["texbook1.bib", "texbook3.bib"])
def test_beebe_files_lose_no_distinct_work_as_a_duplicate(cs, empty_lib, name) -> None:
    if shutil.which("kpsewhich") is None:
        pytest.skip("kpsewhich not installed")
    path = subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip()
    if not path:
        pytest.skip(f"{name} not installed")
    r = cs(empty_lib, "import", path)
    assert r.exit_code == 0, r.stderr
    assert "skipped as duplicate 0," in r.stdout


def test_check_reads_each_record_once_and_finds_what_duplicates_finds(
    cs, empty_lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from citeshelf.library import RecordStore
    from citeshelf.ops.checking import check_library
    from citeshelf.ops.duplicates import find_duplicates

    _dupes_lib(empty_lib)
    library = RecordStore(empty_lib)
    expected = find_duplicates(library)
    assert len(expected) == 3
    reads: list[str] = []
    parse = RecordStore.parse_text

    def counting(self: RecordStore, *args: object, **kw: object) -> object:
        reads.append(str(args[0]) if args else "")
        return parse(self, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(RecordStore, "parse_text", counting)
    checked = check_library(library)
    assert len(reads) == 4  # four record files, each read once
    found = [p for p in checked.problems if p.code in ("duplicate", "likely-duplicate")]
    pairs = {(d.a, d.b) for d in expected}
    assert len(found) == len(pairs)
    assert {p.key for p in found} == {b for _, b in pairs}


def test_titles_in_other_scripts_are_compared_not_emptied(cs, empty_lib: Path) -> None:
    """A title in Chinese or Greek is compared by its own letters: the same
    title and author twice is a likely duplicate, another title is not."""
    mao = {"type": "book", "title": "毛泽东选集", "issued": "1951",
           "authors": [{"family": "毛", "given": "泽东"}]}  # fmt: skip
    _write(empty_lib, {**mao, "key": "mao1951a"})
    _write(empty_lib, {**mao, "key": "mao1951b"})
    _write(empty_lib, {**mao, "key": "mao1951c", "title": "论持久战"})
    _write(empty_lib, {"type": "book", "key": "plato1900", "title": "Πολιτεία", "issued": "1900",
                       "authors": [{"family": "Πλάτων"}]})  # fmt: skip
    _write(empty_lib, {"type": "book", "key": "plato1900b", "title": "Πολιτεία.", "issued": "1900",
                       "authors": [{"family": "Πλάτων"}]})  # fmt: skip
    r = cs(empty_lib, "duplicates")
    assert r.exit_code == 0
    assert r.stdout == (
        "0.95 mao1951a mao1951b (same title, year and first author)\n"
        "0.95 plato1900 plato1900b (same title, year and first author)\n"
        "2 likely duplicates\n"
    )


def test_check_of_a_large_library_in_worker_processes_finds_the_same(
    cs, empty_lib: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A large library's records are checked by forked workers
    (citeshelf.ops.forked): the same report, text and JSON, as when this
    process checks them all; --fix is never done in workers."""
    from citeshelf.ops import checking, forked

    from .conftest import spy_pids

    for i in range(240):
        _write(empty_lib, {**ARTICLE, "key": f"a{i:03d}", "title": f"Gnus of herd {i}",
                           "doi": f"10.1000/{i}", "issued": str(1900 + i % 100)})  # fmt: skip
    _dupes_lib(empty_lib)
    _write(empty_lib, {"type": "misc", "key": "m", "title": "...", "issued": "2001"})
    _write(empty_lib, {"type": "book", "key": "bad", "title": "Bad", "isbn": ["9781781953175"]})
    _write(empty_lib, {**ARTICLE, "key": "x", "doi": None, "title": "X",
                       "extra": {"doi": "10.1000/y"}})  # fmt: skip
    _write(empty_lib, {**ARTICLE, "key": "ctl", "doi": None, "title": "Bell\x07 rings"})
    _write(empty_lib, {"type": "chapter", "key": "orphan", "title": "Lost", "parent": "nobook"})
    _write(
        empty_lib,
        {
            **ARTICLE,
            "key": "tc",
            "doi": None,
            "title": "A Study Of Migration And Herds In The Serengeti",
        },
    )
    _write(empty_lib, {**ARTICLE, "key": "rel", "doi": None, "title": "Related",
                       "related": [{"key": "gone", "type": "reprintof"}]})  # fmt: skip
    (empty_lib / "broken.json").write_text("{ not json", encoding="utf-8")
    (empty_lib / "Not A Key.json").write_text("{}", encoding="utf-8")
    pids = spy_pids(monkeypatch, checking._EachRule, "make", tmp_path / "pids")
    monkeypatch.setattr(checking, "_PART", 40)
    monkeypatch.setattr(forked, "FORK_AT", 10)
    monkeypatch.setattr(forked, "PARALLEL_MIN", 10**9)
    here = [cs(empty_lib, "check", *args) for args in ((), ("--json",), ("--notes",))]
    assert pids.only_here()
    pids.forget()
    monkeypatch.setattr(forked, "PARALLEL_MIN", 100)
    there = [cs(empty_lib, "check", *args) for args in ((), ("--json",), ("--notes",))]
    assert len(pids.workers()) >= 2
    for a, b in zip(here, there, strict=True):
        assert (a.exit_code, a.stdout, a.stderr) == (b.exit_code, b.stdout, b.stderr)
    codes = {p["code"] for p in json.loads(there[1].stdout)["problems"]}
    assert codes >= {"bad-identifier", "empty-title", "duplicate", "likely-duplicate",
                     "extra-has-home", "control-char", "parent-missing", "title-case",
                     "dangling-relation", "unreadable"}  # fmt: skip
    assert there[0].exit_code == exitcodes.INVALID_DATA
    # --fix: here, the fixes made as before
    pids.forget()
    fixed = cs(empty_lib, "check", "--fix")
    assert pids.only_here()
    assert "fixed: move extra.doi to doi" in fixed.stdout
    assert json.loads((empty_lib / "x.json").read_text())["doi"] == "10.1000/y"


def test_check_in_workers_reports_the_leftovers_a_worker_cleaned(
    cs, empty_lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record file that goes away while a large library is checked sends
    the store over the folder for the error's hint, cleaning what an
    interrupted write left there: in a worker process too, the leftover
    is reported, as when this process checks every record."""
    from citeshelf.library.safeio import TEMP_PREFIX, TEMP_SUFFIX
    from citeshelf.library.store import RecordStore
    from citeshelf.ops import checking, forked

    monkeypatch.setattr(checking, "_PART", 40)
    monkeypatch.setattr(forked, "FORK_AT", 10)
    real_get = RecordStore.get

    def vanishing(self, key):
        if key == "a150":  # gone meanwhile, and an interrupted write's file left
            (self.path / f"{TEMP_PREFIX}999999-1{TEMP_SUFFIX}").write_text("{", encoding="utf-8")
            (self.path / "a150.json").unlink(missing_ok=True)
        return real_get(self, key)

    monkeypatch.setattr(RecordStore, "get", vanishing)
    reports = []
    for parallel_min in (10**9, 100):
        for i in range(240):
            _write(empty_lib, {**ARTICLE, "key": f"a{i:03d}", "title": f"Gnus of herd {i}",
                               "doi": f"10.1000/{i}"})  # fmt: skip
        monkeypatch.setattr(forked, "PARALLEL_MIN", parallel_min)
        r = cs(empty_lib, "check", "--json")
        reports.append(json.loads(r.stdout))
        assert not list(empty_lib.glob(f"{TEMP_PREFIX}*"))
    here, there = reports
    assert there == here
    codes = [(p["code"], p["key"]) for p in here["problems"]]
    assert ("leftover", "") in codes and ("unreadable", "a150") in codes
