"""Parsers and queries with limits: hostile input gives a one-line error (or,
inside a file, an invalid entry with its place), never a traceback, a
RecursionError or a scan that grows with the square of the input."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citeshelf import exitcodes
from citeshelf.errors import CiteshelfError
from citeshelf.formats.bibtex import parse_bibtex
from citeshelf.formats.csljson import record_from_csl, records_from_csl
from citeshelf.formats.manuscript import cited_keys, scan_markdown, scan_tex
from citeshelf.formats.ris import parse_ris
from citeshelf.library import Library
from citeshelf.library.query import MAX_NESTING, MAX_TERMS, Query, QueryError
from citeshelf.limits import ENV_MAX_IMPORT, ENV_MAX_RECORD, MAX_DEPTH

from ..test_store import book

#: a key of the default library
CITED = "aris2014collective"
GOOD_BIB = "@book{ok, title={B}, year={2000}, author={Doe, Jane}, publisher={P}}\n"

# -- the reproductions ---------------------------------------------------------------


def test_an_entry_without_a_key_is_imported_under_a_key_made_for_it(
    cs, empty_lib: Path, tmp_path: Path
) -> None:
    # (Mendeley writes "@article{,"): the key formula's key, said in a warning
    bib = tmp_path / "e.bib"
    bib.write_text("@book{, title={A}}\n" + GOOD_BIB + "@article{ ,\n title={C}}\n")
    r = cs(empty_lib, "import", str(bib))
    assert r.exit_code == exitcodes.OK, r.output
    made = re.findall(r"e\.bib:(\d): @(\w+) entry without a key: imported as '([^']+)'", r.stderr)
    assert [(line, etype) for line, etype, _ in made] == [("1", "book"), ("3", "article")]
    keys = [key for _, _, key in made]
    assert len(set(keys)) == 2  # (neither has an author or a year: "anonnd", then a letter)
    assert sorted(p.stem for p in empty_lib.glob("*.json")) == sorted([*keys, "ok"])


def _csl_file(tmp_path: Path, *items: str) -> Path:
    p = tmp_path / "items.json"
    p.write_text("[" + ",".join(items) + "]", encoding="utf-8")
    return p


GOOD_CSL = '{"type": "book", "id": "good", "title": "Fine", "issued": {"date-parts": [[2001]]}}'


@pytest.mark.parametrize(
    "bad, why",
    [
        (
            '{"type": "book", "id": "d", "title": "T", "custom": '
            + '{"a": ' * 500
            + "1"
            + "}" * 500
            + "}",
            "nested deeper than 64 levels",
        ),
        ('{"type": "book", "id": "s", "title": "\\ud800"}', "lone surrogate (U+D800)"),
        ('{"type": "book", "id": "n", "title": "T", "x": ' + "9" * 5000 + "}", "5,000 digits"),
    ],
    ids=["nested 500 deep", "lone surrogate", "5,000-digit integer"],
)
def test_a_bad_csl_item_is_an_invalid_entry(cs, empty_lib, tmp_path, bad, why) -> None:
    p = _csl_file(tmp_path, bad, GOOD_CSL)
    r = cs(empty_lib, "import", str(p))
    assert r.exit_code == exitcodes.INVALID_DATA
    assert f"{p}: entry" in r.stderr and "item 1: invalid data" in r.stderr and why in r.stderr
    r = cs(empty_lib, "import", "--skip-invalid", str(p))
    assert r.exit_code == exitcodes.OK, r.output
    assert (empty_lib / "good.json").exists()


def test_csl_nested_past_the_decoder_is_one_line(cs, empty_lib: Path, tmp_path: Path) -> None:
    p = tmp_path / "deep.json"
    p.write_text("[" * 100_000 + "]" * 100_000)
    r = cs(empty_lib, "import", str(p))
    assert r.exit_code == exitcodes.INVALID_DATA
    assert r.stderr.strip() == f"citeshelf: error: {p}: invalid data: nested deeper than 64 levels"


def test_in_memory_csl_and_bbt_json_share_the_limits(tmp_path: Path) -> None:
    from citeshelf.errors import InvalidData
    from citeshelf.formats.zotero import read_zotero

    deep: object = "x"
    for _ in range(MAX_DEPTH + 1):
        deep = [deep]
    with pytest.raises(InvalidData, match="nested deeper"):
        record_from_csl({"type": "book", "id": "k", "title": "T", "note": deep})
    with pytest.raises(InvalidData, match="lone surrogate"):
        records_from_csl([{"type": "book", "id": "k", "title": "\ud800"}])
    bbt = tmp_path / "lib.json"
    bbt.write_text('{"items": [' + "[" * 2000 + "]" * 2000 + "]}")
    with pytest.raises(InvalidData, match=f"{bbt}: invalid data: nested deeper"):
        read_zotero(bbt, "bbt-json")


def test_an_imported_file_over_the_size_limit(cs, empty_lib: Path, tmp_path: Path) -> None:
    bib = tmp_path / "big.bib"
    bib.write_text(GOOD_BIB * 20)
    r = cs(empty_lib, "import", str(bib), env={ENV_MAX_IMPORT: "1000"})
    assert r.exit_code == exitcodes.INVALID_DATA
    assert r.stderr.strip() == (
        f"citeshelf: error: {bib}: {bib.stat().st_size:,} bytes or more, over the limit of "
        f"1,000 bytes for a file to import (${ENV_MAX_IMPORT} raises it)"
    )
    assert os.listdir(empty_lib) == []
    r = cs(empty_lib, "import", str(bib), env={ENV_MAX_IMPORT: "lots"})
    assert r.exit_code == exitcodes.USAGE and "must be a number of bytes" in r.stderr


def test_a_field_too_large_for_a_record_file(cs, empty_lib: Path, tmp_path: Path) -> None:
    """A field larger than a record file may be is an invalid entry, said
    before it is decoded; a block four times over is not even parsed. Line
    numbers after it stay true, and the other entries are imported."""
    env = {ENV_MAX_RECORD: "2000"}
    bib = tmp_path / "huge.bib"
    bib.write_text(
        "@book{wide, title={" + "word " * 500 + "}, year={2000}}\n"
        "@book{huge,\n title={" + "word " * 2000 + "},\n year={2000}}\n" + GOOD_BIB
    )
    r = cs(empty_lib, "import", str(bib), env=env)
    assert r.exit_code == exitcodes.INVALID_DATA
    assert (
        f"{bib}:1: entry 'wide': field 'title' is 2,500 bytes, over the limit of 2,000 bytes "
        f"for a record file (${ENV_MAX_RECORD} raises it): the entry is not imported"
    ) in r.stderr
    assert (
        f"{bib}:2: entry 'huge': the @book entry is over 8,000 characters (four times the "
        f"limit of 2,000 bytes for a record file; ${ENV_MAX_RECORD} raises it)"
    ) in r.stderr
    assert os.listdir(empty_lib) == []
    r = cs(empty_lib, "import", "--skip-invalid", str(bib), env=env)
    assert r.exit_code == exitcodes.OK, r.output
    assert "imported 1, skipped as duplicate 0, skipped as invalid 2" in r.output
    assert sorted(os.listdir(empty_lib)) == ["ok.json"]


def test_a_record_too_large_is_never_written(cs, handbook_lib: Path) -> None:
    """Whatever makes a record (edit, add), a file no command could read back
    is refused in one line, and the old file stays."""
    before = (handbook_lib / "aris2014collective.json").read_bytes()
    r = cs(
        handbook_lib,
        "edit",
        "aris2014collective",
        "--set",
        "note=" + "x" * 3000,
        env={ENV_MAX_RECORD: "2000"},
    )
    assert r.exit_code == exitcodes.INVALID_DATA, r.output
    assert r.stderr.startswith("citeshelf: error: record 'aris2014collective' would be ")
    assert "over the limit of 2,000 bytes for a record file" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert (handbook_lib / "aris2014collective.json").read_bytes() == before


@pytest.mark.parametrize(
    "query, message",
    [
        ("NOT " * 40 + "x", f"column {4 * MAX_NESTING + 1}: parentheses and NOTs nest deeper"),
        (" OR ".join(f"t{i}" for i in range(1000)), f"more than {MAX_TERMS} terms"),
        ("(" * 300 + "x" + ")" * 300, f"column {MAX_NESTING + 1}: parentheses and NOTs nest"),
    ],
    ids=["40 NOTs", "1,000 ORed terms", "300 parentheses"],
)
def test_huge_queries_are_one_line_errors(cs, handbook_lib: Path, query, message) -> None:
    r = cs(handbook_lib, "list", query)
    assert r.exit_code == exitcodes.USAGE
    assert len(r.stderr.strip().splitlines()) == 1 and message in r.stderr, r.stderr


def test_the_largest_accepted_queries_run_in_sqlite(cs, handbook_lib: Path) -> None:
    """At the limits, the index (SQLite's parser and expression tree) answers."""
    nested = "NOT (" * (MAX_NESTING // 2) + "title:handbook" + ")" * (MAX_NESTING // 2)
    many = " OR ".join(f'title:"w{i} x*"' for i in range(MAX_TERMS - 1)) + " OR NOT type:misc"
    deep_many = (
        "(" * (MAX_NESTING - 1)
        + " ".join(f"NOT tag:t{i}*" for i in range(MAX_TERMS))
        + ")" * (MAX_NESTING - 1)
    )
    for q in (nested, many, deep_many):
        r = cs(handbook_lib, "list", "--json", q)
        assert r.exit_code == exitcodes.OK, r.output
        assert json.loads(r.stdout)


def _scan_seconds(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        scan_tex(text)
        best = min(best, time.process_time() - start)
    return best


def test_the_manuscript_scanner_is_linear() -> None:
    """20,000 unclosed \\cite{ took over 30 s: 8 times the text now costs about 8
    times the time (64 times if it were quadratic); the ratio of the best of
    three CPU times, not a wall-clock bound."""
    for unit in ("\\cite{", "\\cite[p. 1]{a} \\cites(x)(y)[z]{b}{c} ", "\\cite[[[(("):
        small, large = _scan_seconds(unit * 2500), _scan_seconds(unit * 20_000)
        assert large < 24 * max(small, 1e-4), (unit, small, large)
    assert scan_tex("\\cite{" * 20_000 + "\\cite{k}")[0] == ["k"]  # the unclosed ones: none


def test_a_long_input_chain(cs, handbook_lib: Path, tmp_path: Path) -> None:
    folder = tmp_path / "paper"
    folder.mkdir()
    for i in range(1000):
        body = f"\\cite{{k{i}}}\\input{{c{i + 1}}}" if i < 999 else "\\cite{aris2014collective}"
        (folder / f"c{i}.tex").write_text(body)
    cites = cited_keys([folder / "c0.tex"])
    assert len(cites.files) == 1000 and cites.keys[-1] == CITED and cites.keys[0] == "k0"
    r = cs(handbook_lib, "export", "--cited-in", str(folder / "c0.tex"), "--allow-missing")
    assert r.exit_code == exitcodes.OK, r.output
    assert CITED in r.stdout


def test_input_stays_inside_the_manuscripts_folder(cs, handbook_lib, tmp_path) -> None:
    paper = tmp_path / "paper"
    paper.mkdir()
    (tmp_path / "x.tex").write_text("\\cite{outside}")
    (tmp_path / "y.tex").write_text("\\cite{absolute}")
    (paper / "sub.tex").write_text("\\cite{aris2014collective}")
    (paper / "link.tex").symlink_to(tmp_path / "x.tex")
    main = paper / "main.tex"
    main.write_text(f"\\input{{../x}}\\input{{{tmp_path / 'y.tex'}}}\\input{{link}}\\input{{sub}}")
    cites = cited_keys([main])
    assert cites.keys == [CITED]
    assert len(cites.warnings) == 3
    assert all("outside the manuscript's folder" in w for w in cites.warnings)
    r = cs(handbook_lib, "export", "--cited-in", str(main))
    assert r.exit_code == exitcodes.OK, r.output
    assert f"{main}: {paper / '../x.tex'} is outside the manuscript's folder" in r.stderr
    assert str(tmp_path / "y.tex") in r.stderr and "--follow-outside reads it" in r.stderr
    assert cited_keys([main], follow_outside=True).keys == [
        "outside", "absolute", CITED,
    ]  # fmt: skip
    r = cs(handbook_lib, "export", "--cited-in", str(main), "--follow-outside")
    assert r.exit_code == exitcodes.NOT_FOUND and "outside" in r.stderr  # now read: not found


# -- reindex with a damaged or unwritable index ----------------------------------------


def _damage_garbage(path: Path) -> None:
    path.write_bytes(os.urandom(8192))


def _damage_truncated(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(path.stat().st_size // 3)


def _damage_middle(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.seek(4096)
        fh.write(b"\xff" * 4096)


def _folder_in_place(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    path.mkdir()


def _read_only(path: Path) -> None:
    path.chmod(0o444)
    path.parent.chmod(0o555)


ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

DAMAGE = {
    "garbage": (_damage_garbage, True),
    "truncated": (_damage_truncated, True),
    "overwritten middle": (_damage_middle, True),
    "a folder in its place": (_folder_in_place, False),
    "read-only file and folder": (_read_only, False),
}


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_reindex_with_a_bad_index(cs, handbook_lib: Path, tmp_path: Path, kind: str) -> None:
    damage, rebuilt = DAMAGE[kind]
    if kind.startswith("read-only") and ROOT:
        pytest.skip("root writes read-only files")
    env = {"CITESHELF_INDEX_DIR": str(tmp_path / "index")}
    first = cs(handbook_lib, "reindex", env=env)
    assert first.exit_code == exitcodes.OK
    path = Path(cs(handbook_lib, "reindex", "--where", env=env).stdout.strip())
    cs(handbook_lib, "list", env=env)  # the write-ahead log checkpointed
    damage(path)
    try:
        r = cs(handbook_lib, "reindex", env=env)
        if rebuilt:
            assert r.exit_code == exitcodes.OK, r.output
            assert r.stdout.split(" of ")[0] == first.stdout.split(" of ")[0]  # "Indexed N records"
        else:
            assert r.exit_code == exitcodes.ERROR
            assert r.stderr.startswith(f"citeshelf: error: cannot write the index {path}: ")
            assert len(r.stderr.strip().splitlines()) == 1
        listed = cs(handbook_lib, "list", env=env)  # the records answer regardless
        assert listed.exit_code == exitcodes.OK and "handbook" in listed.stdout
    finally:
        path.parent.chmod(0o755)


def test_reindex_when_the_index_folder_is_a_file(cs, handbook_lib, tmp_path) -> None:
    (tmp_path / "index").write_text("not a folder")
    r = cs(handbook_lib, "reindex", env={"CITESHELF_INDEX_DIR": str(tmp_path / "index")})
    assert r.exit_code == exitcodes.ERROR
    assert f"{tmp_path / 'index'} is not a folder" in r.stderr


# -- fuzz: never a traceback, only citeshelf's own errors ---------------------------------

FUZZ = settings(
    max_examples=60,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _pieces(*parts: str, max_size: int = 40):
    return st.lists(st.sampled_from(parts), max_size=max_size).map("".join)


BIB_PARTS = (
    "@book{", "@article{", "@string{", "@xdata{", "@comment{", "@preamble{", "k", ",", "}",
    "{", "=", '"', "#", "\\", " ", "\n", "title", "crossref", "xref", "xdata", "author",
    "year", "2001", "Doe, J", " and ", "{\\'e}", "%", "(", ")", "\ud800", "\x00", "é",
)  # fmt: skip


@FUZZ
@given(_pieces(*BIB_PARTS, max_size=60))
def test_fuzz_bibtex_reader(text: str) -> None:
    try:
        parse_bibtex(text)
    except CiteshelfError:
        pass


_json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=8),
    st.sampled_from(["book", "chapter", "article-journal", "\ud800", "2001", ""]),
)
_json = st.recursive(
    _json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)
_csl_item = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["book", "chapter", "article-journal", "thesis", "x", ""]),
        "id": st.one_of(st.text(max_size=8), st.integers()),
        "title": _json,
        "author": _json,
        "editor": st.lists(st.dictionaries(st.sampled_from(["family", "given", "literal"]),
                                           _json, max_size=3), max_size=3),
        "issued": _json,
        "container-title": _json,
        "ISBN": _json,
        "keyword": _json,
        "custom": _json,
        "page": _json,
    },
)  # fmt: skip


@FUZZ
@given(st.lists(st.one_of(_csl_item, _json), max_size=4))
def test_fuzz_csl_json_reader(items: list) -> None:
    for item in items:
        try:
            record_from_csl(item)
        except CiteshelfError:
            pass


RIS_PARTS = (
    "TY  - BOOK\n", "TY  - CHAP\n", "TY  - JOUR\n", "ER  - \n", "AU  - Doe, J\n",
    "TI  - T\n", "PY  - 2001\n", "PY  - ////\n", "DA  - 2001/13/40\n", "SN  - 123\n",
    "SP  - 1\n", "EP  - x\n", "KW  - a\n", "ID  - k\n", "XX  - ?\n", "TY  - \n", "\n",
    "  - \n", "\ud800", "é", "TY  -", "ER  -",
)  # fmt: skip


@FUZZ
@given(_pieces(*RIS_PARTS))
def test_fuzz_ris_reader(text: str) -> None:
    try:
        parse_ris(text)
    except CiteshelfError:
        pass


QUERY_PARTS = (
    "a", "b*", "NOT ", " OR ", " AND ", "(", ")", '"', "title:", "year:", "2001", "..",
    ">=", "type:", "book", "tag:", "key:", "*", " ", "-", "é", "\ud800", "author:(", ":",
)  # fmt: skip


@FUZZ
@given(_pieces(*QUERY_PARTS, max_size=80))
def test_fuzz_query_parser(text: str) -> None:
    try:
        q = Query.parse(text)
    except QueryError:
        return
    q.sql()
    q.sql(fts5=False)
    q.matches({"type": "book", "key": "k", "title": "A b", "issued": "2001"})


def test_query_limits_hold_in_sqlite(empty_lib: Path, tmp_path: Path, monkeypatch) -> None:
    """Every query the parser accepts runs in the index (a sample at the limits)."""
    from citeshelf.library.query import select

    monkeypatch.setenv("CITESHELF_INDEX_DIR", str(tmp_path / "index"))
    lib = Library(empty_lib)
    lib.create(book("k"))
    q = "(" * (MAX_NESTING - 1) + " OR ".join(["NOT zz*"] * MAX_TERMS) + ")" * (MAX_NESTING - 1)
    assert [r.key for r in select(lib, q)[0]] == ["k"]


TEX_PARTS = (
    "\\cite", "\\citep", "\\cites", "\\nocite", "{", "}", "[", "]", "(", ")", "a", ",",
    "*", "%", "\\\\", "\\", " ", "\n", "\\input{", "\\{", "@", "`",
)  # fmt: skip


@FUZZ
@given(_pieces(*TEX_PARTS, max_size=80))
def test_fuzz_manuscript_scanner(text: str) -> None:
    keys, _ = scan_tex(text)
    assert all(isinstance(k, str) for k in keys)
    scan_markdown(text)


@pytest.mark.slow
@settings(max_examples=2000, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(
    _pieces(*BIB_PARTS, max_size=400),
    _pieces(*TEX_PARTS, max_size=400),
    _pieces(*QUERY_PARTS, max_size=200),
    _pieces(*RIS_PARTS, max_size=200),
)
def test_fuzz_all_readers_long(bib: str, tex: str, query: str, ris: str) -> None:
    for call in (lambda: parse_bibtex(bib), lambda: parse_ris(ris), lambda: Query.parse(query)):
        try:
            call()
        except CiteshelfError:
            pass
    scan_tex(tex)
    scan_markdown(tex)  # fmt: skip


def test_no_traceback_via_the_cli_for_a_hostile_file_mix(cs, empty_lib: Path, tmp_path) -> None:
    """Each hostile reproduction at once: the whole import is one-line errors."""
    p = tmp_path / "mix.bib"
    p.write_text("@book{, title={A}}\n@book{x, crossref={}}\n@book{y, author={, B}}\n" + GOOD_BIB)
    r = cs(empty_lib, "import", "--dry-run", str(p))
    assert "Traceback" not in r.output and r.exit_code == exitcodes.INVALID_DATA


@pytest.mark.parametrize("fmt", ["csl", "ris"])
def test_csl_and_ris_fields_too_large(cs, empty_lib: Path, tmp_path: Path, fmt: str) -> None:
    """The same limits in CSL-JSON and RIS: a field over the record-file limit
    is an invalid entry (RIS: a reference four times over is not held)."""
    env = {ENV_MAX_RECORD: "2000"}
    wide, huge = "word " * 500, "word " * 2000
    if fmt == "csl":
        path = tmp_path / "items.json"
        items = [
            {"id": "wide", "type": "book", "title": wide},
            {"id": "huge", "type": "book", "author": [{"family": huge}]},
            {"id": "ok", "type": "book", "title": "B"},
        ]
        path.write_text(json.dumps(items))
        want = [
            "entry 'wide': item 1: field 'title' is 2,500 bytes, over the limit of 2,000 bytes",
            "entry 'huge': item 2: field 'author' is 10,000 bytes",
        ]
        kept = "ok.json"
    else:
        path = tmp_path / "refs.ris"
        path.write_text(
            f"TY  - BOOK\nTI  - {wide}\nER  - \n\n"
            f"TY  - BOOK\nAU  - {huge}\nER  - \n\n"
            "TY  - BOOK\nID  - ok\nTI  - B\nER  - \n"
        )
        want = [
            f"{path}:1: field 'title' is 2,499 bytes, over the limit of 2,000 bytes",  # trimmed
            f"{path}:5: the reference is over 8,000 characters (four times the limit",
        ]
        kept = "ok.json"
    r = cs(empty_lib, "import", str(path), env=env)
    assert r.exit_code == exitcodes.INVALID_DATA, r.output
    for line in want:
        assert line in r.stderr
    r = cs(empty_lib, "import", "--skip-invalid", str(path), env=env)
    assert r.exit_code == exitcodes.OK, r.output
    assert "imported 1, skipped as duplicate 0, skipped as invalid 2" in r.output
    assert os.listdir(empty_lib) == [kept]
