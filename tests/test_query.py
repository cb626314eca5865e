"""The query language: parsing, errors with a column, matching in Python and
in SQL (the same answers both ways)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citeshelf.errors import UsageError
from citeshelf.library import Library
from citeshelf.library.index import Index, extract
from citeshelf.library.query import Query, QueryError, select
from citeshelf.library.terms import tokens
from citeshelf.model import Chapter
from citeshelf.model.fold import fold
from citeshelf.model.inherit import chapter_view


@pytest.fixture(autouse=True)
def _index_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITESHELF_INDEX_DIR", str(tmp_path_factory.mktemp("index")))
    monkeypatch.delenv("CITESHELF_INDEX_CHECK", raising=False)


# -- parsing ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("", "*"),
        ("merand", '"merand"'),
        ("Mérand", '"merand"'),
        ("author:MERAND", 'author:"merand"'),
        ("security governance", '"security" "governance"'),
        ('"security governance"', '"security governance"'),
        ('title:"Security governance"*', 'title:"security governance"*'),
        ("title:secur*", 'title:"secur"*'),
        ("title:counter-terrorism", 'title:"counter terrorism"'),
        ("a OR b c", '"a" OR ("b" "c")'),
        ("a AND b OR c", '("a" "b") OR "c"'),
        ("NOT a b", 'NOT "a" "b"'),
        ("NOT (a OR b)", 'NOT ("a" OR "b")'),
        ("author:(aris OR cottey)", 'author:"aris" OR author:"cottey"'),
        ("year:2014", "year:2014"),
        ("year:2010..2014", "year:2010..2014"),
        ("year:2010..", "year:2010.."),
        ("year:..2014", "year:..2014"),
        ("year:>=2010", "year:2010.."),
        ("year:>2010", "year:2011.."),
        ("year:<2010", "year:..2009"),
        ("year:<=2010", "year:..2010"),
        ("type:Chapter", 'type:"chapter"'),
        ("key:Aris2014*", 'key:"aris2014"*'),
        ("doi:https://doi.org/10.1000/ABC", 'doi:"10.1000/abc"'),
        ("isbn:1-78195-316-X", 'isbn:"9781781953167"'),
        ("isbn:978-1-78195-316-7", 'isbn:"9781781953167"'),
        ('tag:"To  Read"', 'tag:"to read"'),
        ("key:a:b", 'key:"a:b"'),
        ("and or not", '"and" "or" "not"'),
    ],
)
def test_parse_and_show(text: str, shown: str) -> None:
    assert str(Query.parse(text)) == shown


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("author:", 1, "'author:' has no value: write author:WORD or author:\"a phrase\""),
        ("security auhtor:x", 10, "unknown field 'auhtor': did you mean 'author:'?"),
        ("foo:bar", 1, "unknown field 'foo': use one of author, editor"),
        ("(a OR b", 1, "this '(' is never closed: add ')'"),
        ("a OR b)", 7, "this ')' has no matching '('"),
        ("a OR", 3, "'OR' needs a term on each side"),
        ("OR a", 1, "'OR' needs a term on each side"),
        ("a AND", 3, "'AND' needs a term on each side"),
        ("a NOT", 3, "'NOT' needs a term after it"),
        ('title:"open', 7, 'this quote is never closed: add a closing "'),
        ('"a"b', 4, "put a space after a closing quote"),
        ('ab"c"', 3, "a quote cannot start inside a word: put a space before it"),
        ("se*c", 3, "'*' can only end a word (secur* finds security)"),
        ("type:bok", 1, "unknown type 'bok': use one of book, chapter, article"),
        ("year:20x4", 1, "'year:20x4' is not a year: write year:2014, year:2010..2014"),
        ("year:2014..2010", 1, "'year:2014..2010': the range's first year is after its last"),
        ("year:201*", 1, "'year:201*' is not a year"),
        ("x ()", 3, "empty parentheses: put a term inside"),
        ("title:--", 1, "'title:--' has no letters or digits to search for"),
    ],
)
def test_syntax_errors_name_the_column(text: str, column: int, message: str) -> None:
    with pytest.raises(UsageError) as info:
        Query.parse(text)
    assert isinstance(info.value, QueryError)
    assert info.value.column == column
    assert str(info.value).startswith(f"in the query at column {column}: {message}")


def test_fold_and_tokens() -> None:
    assert fold("Mérand") == "merand"
    assert fold("Ødegaard Łukasiewicz Straße Æsir") == "odegaard lukasiewicz strasse aesir"
    assert tokens("Counter-terrorism: the EU's “war”, 2014") == [
        "counter",
        "terrorism",
        "the",
        "eu",
        "s",
        "war",
        "2014",
    ]


# -- matching in Python ---------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def _keys(q: str, lib: Path) -> list[str]:
    records, problems = select(Library(lib), q, use_index=False)
    assert problems == []
    return [r.key for r in records]


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("merand", ["bujun2014regional"]),
        ("MÉRAND", ["bujun2014regional"]),
        ("author:merand", ["bujun2014regional"]),
        ("author:cottey", ["cottey2014europe", "cottey2014nato"]),
        ("author:cottey title:nato", ["cottey2014nato"]),
        ("author:cottey NOT title:nato", ["cottey2014europe"]),
        ("author:aris OR author:shaw", ["aris2014collective", "shaw2014organization"]),
        ("author:(aris OR shaw)", ["aris2014collective", "shaw2014organization"]),
        (
            'title:"security governance"',
            ["bujun2014regional", "eilstrupsangiovanni2014network", "sperling2014regime"],
        ),
        (
            "title:securit*",
            [
                "aris2014collective",
                "bujun2014regional",
                "eilstrupsangiovanni2014network",
                "galbreath2014organization",
                "sperling2014handbook",
                "sperling2014regime",
            ],
        ),
        ("title:secur", []),
        ("title:counter-terrorism", ["rees2014counter"]),
        ("type:book", ["sperling2014handbook"]),
        ("type:book OR title:nato", ["cottey2014nato", "sperling2014handbook"]),
        ("key:cottey*", ["cottey2014europe", "cottey2014nato"]),
        ("key:cottey2014nato", ["cottey2014nato"]),
        (
            "parent:sperling2014handbook title:europe",
            ["cottey2014europe", "galbreath2014organization"],
        ),
        ("year:2015..", []),
        ("year:..2013", []),
        ("editor:sperling type:book", ["sperling2014handbook"]),
        ("publisher:elgar NOT type:chapter", ["sperling2014handbook"]),
        ("isbn:9781781953174 type:book", ["sperling2014handbook"]),
        ("NOT parent:sperling2014handbook", ["sperling2014handbook"]),
    ],
)
def test_queries_on_the_handbook(query: str, keys: list[str]) -> None:
    lib = ROOT / "records"
    assert _keys(query, lib) == keys
    # the index gives the same answer
    with Index(lib).open() as index:
        index.refresh()
        q = Query.parse(query)
        where, params = q.sql(index.fts5)
        assert [r.key for r in index.search("" if q.is_everything else where, params)] == keys


def test_chapters_match_through_their_book(tmp_path: Path) -> None:
    """year, editors, publisher and ISBN of the book count for its chapters."""
    lib = ROOT / "records"
    everything = _keys("", lib)
    assert len(everything) == 19
    assert _keys("year:2014", lib) == everything
    assert _keys("editor:sperling", lib) == everything
    assert len(_keys("type:chapter isbn:9781781953167", lib)) == 18
    # a chapter's own data wins: one with its own year is found by that year only
    chapter = Library(lib).get("aris2014collective")
    book = Library(lib).get("sperling2014handbook")
    own = chapter.model_copy(update={"issued": book.issued.model_copy(update={"year": 2001})})
    assert Query.parse("year:2001").matches(chapter_view(own, book))
    assert not Query.parse("year:2014").matches(chapter_view(own, book))
    assert Query.parse("year:2014").matches(chapter_view(chapter, book))


def test_matches_accepts_a_record_or_its_data() -> None:
    record = Library(ROOT / "records").get("bujun2014regional")
    q = Query.parse('author:mérand title:"collective action"')
    assert q.matches(record) and q.matches(record.to_json_dict())
    assert not Query.parse("abstract:zzzz").matches(record)


# -- the same answers in SQL and in Python --------------------------------------

NAMES = ["Mérand", "Merand", "Müller", "van der Berg", "Ødegaard", "Smith", "Łukasz", "O'Brien"]
WORDS = ["security", "sécurité", "governance", "counter-terrorism", "EU", "Straße", "nato", "2014"]


@st.composite
def libraries(draw: st.DrawFn) -> list[dict]:
    n = draw(st.integers(1, 6))
    out: list[dict] = []
    for i in range(n):
        kind = draw(st.sampled_from(["book", "chapter", "article"]))
        if kind == "chapter" and not any(r["type"] == "book" for r in out):
            kind = "book"
        rec: dict = {
            "type": kind,
            "key": f"r{i}",
            "title": " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4))),
        }
        people = [
            {"family": f, "given": "Ann"}
            for f in draw(st.lists(st.sampled_from(NAMES), max_size=2))
        ]
        if people:
            rec["authors" if draw(st.booleans()) else "editors"] = people
        if draw(st.booleans()):
            rec["issued"] = str(draw(st.integers(2008, 2016)))
        if draw(st.booleans()):
            rec["publisher"] = draw(st.sampled_from(["Edward Elgar", "Presses de Sciences Po"]))
        if draw(st.booleans()):
            rec["tags"] = draw(
                st.lists(st.sampled_from(["To read", "core", "EU"]), max_size=2, unique=True)
            )
        if draw(st.booleans()):
            rec["abstract"] = " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=5)))
        if kind == "chapter":
            rec["parent"] = draw(st.sampled_from([r["key"] for r in out if r["type"] == "book"]))
        if kind == "article" and draw(st.booleans()):
            rec["journal"] = "Security Dialogue"
            rec["doi"] = f"10.1000/X{i}"
        out.append(rec)
    return out


TERMS = st.sampled_from(
    [
        "merand",
        "müller",
        "author:merand",
        "editor:merand",
        'author:"van der berg"',
        "security",
        "secur*",
        "title:sécurité",
        "title:counter*",
        "abstract:eu",
        "year:2014",
        "year:2010..2012",
        "year:>=2015",
        "type:chapter",
        "type:book",
        "tag:eu",
        'tag:"to read"',
        "tag:to*",
        "publisher:elgar",
        "journal:dialogue",
        "doi:10.1000/x1",
        "key:r1",
        "key:r*",
        "parent:r0",
        "r2",
        "strasse",
    ]
)


@st.composite
def queries(draw: st.DrawFn, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(TERMS)
    a, b = draw(queries(depth - 1)), draw(queries(depth - 1))
    form = draw(
        st.sampled_from(["{} {}", "{} OR {}", "NOT {} {}", "({} OR {})", "{} AND NOT ({})"])
    )
    return form.format(a, b)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(records=libraries(), texts=st.lists(queries(), min_size=1, max_size=4))
def test_index_and_python_agree(
    tmp_path_factory: pytest.TempPathFactory, records: list[dict], texts: list[str]
) -> None:
    lib = tmp_path_factory.mktemp("lib")
    for rec in records:
        (lib / f"{rec['key']}.json").write_text(
            json.dumps(rec, ensure_ascii=False), encoding="utf-8"
        )
    library = Library(lib)
    stored = {r.key: r for r in (library.get(k) for k in library.keys())}

    def resolved(r):
        if isinstance(r, Chapter) and r.parent in stored:
            return chapter_view(r, stored[r.parent])
        return r

    for fts5 in (True, False):
        index = Index(lib, path=tmp_path_factory.mktemp("idx") / "i.sqlite3")
        if not fts5:
            import citeshelf.library.index as index_module

            original = index_module.has_fts5
            index_module.has_fts5 = lambda: False
        try:
            index.open()
            index.refresh()
        finally:
            if not fts5:
                index_module.has_fts5 = original
        assert index.fts5 is fts5
        with index:
            for text in texts:
                q = Query.parse(text)
                expected = sorted(k for k, r in stored.items() if q.matches(resolved(r)))
                where, params = q.sql(index.fts5)
                got = [row.key for row in index.search(where, params)]
                assert got == expected, (text, fts5)
                # and extract() of the resolved record is what the index holds
    for k, r in stored.items():
        assert extract(resolved(r).to_json_dict())["key"] == k
