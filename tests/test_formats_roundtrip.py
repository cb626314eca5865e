"""Round trips as properties: record -> BibTeX/BibLaTeX -> record, record -> CSL-JSON -> record."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citeshelf.formats.bibtex import parse_bibtex, write_bibtex
from citeshelf.formats.csljson import record_from_csl, record_to_csl
from citeshelf.model import parse_record, richtext

# -- strategies ----------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyzéèüöäßçñøåłı"
CAPS = "ABCDEFGHIJKLMNOPQRSTUVWXYZÉÜÖÅŁØ"
SPECIALS = "&%$#_{}~^\\-'`!?:;,.()\"/“”‘’–—…\u00a0"

word = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(LETTERS + CAPS + "0123456789"),
    st.text(alphabet=LETTERS + CAPS + "0123456789" + SPECIALS, max_size=8),
)


def canonical(t: str) -> str:
    """Text fields hold rich text: "a&gt;" is the canonical "a>"."""
    return richtext.serialize(richtext.parse(t))


text = st.lists(word, min_size=1, max_size=6).map(" ".join).map(canonical)
#: a word with inline markup (model.richtext): every tag, math and verbatim TeX
marked_word = st.one_of(
    st.builds(
        lambda tag, w: f"<{tag}>{w}</{tag}>",
        st.sampled_from(["i", "b", "sc", "sup", "sub", "q"]),
        st.text(alphabet=LETTERS + CAPS, min_size=1, max_size=6),
    ),
    st.sampled_from(
        [
            "<i>Hamlet <i>and</i> Lear</i>",
            "<math>x^2</math>",
            "<math>\\alpha</math>",
            "<tex>{\\TeX}</tex>",
            "<tex>\\METAFONT</tex>",
            "<q>Über die</q>",
        ]
    ),
)
rich = st.lists(st.one_of(word, marked_word), min_size=1, max_size=5).map(" ".join).map(canonical)
plain_word = st.text(alphabet=LETTERS, min_size=1, max_size=8)
cap_word = st.builds(
    lambda c, w: c + w, st.sampled_from(CAPS), st.text(alphabet=LETTERS + "-'", max_size=8)
).filter(lambda w: not w.endswith("-") and "--" not in w and "''" not in w)

person = st.one_of(
    st.builds(
        lambda fam, giv, part, suf: {
            k: v
            for k, v in {"family": fam, "given": giv, "particle": part, "suffix": suf}.items()
            if v
        },
        st.lists(cap_word, min_size=1, max_size=2).map(" ".join),
        st.one_of(
            st.none(),
            st.lists(
                st.one_of(cap_word, st.sampled_from(["J.", "A.-M.", "Ø."])), min_size=1, max_size=3
            ).map(" ".join),
        ),
        st.one_of(st.none(), st.sampled_from(["van", "van der", "de la", "von", "di", "du"])),
        st.one_of(st.none(), st.sampled_from(["Jr.", "III", "Sr."])),
    ),
    st.builds(lambda t: {"literal": t}, text.filter(lambda t: t.strip().lower() != "others")),
)
people = st.lists(person, max_size=3)
date = st.one_of(
    st.integers(1, 9999).map(lambda y: f"{y:04d}"),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.isoformat()[:7]),
)
pages = st.one_of(
    st.integers(1, 999).map(str),
    st.tuples(st.integers(1, 500), st.integers(501, 999)).map(lambda t: f"{t[0]}–{t[1]}"),
    st.sampled_from(["xii–xv", "e123", "A1–A9"]),
)
isbns = st.lists(
    st.sampled_from(["9781781953167", "9781781953174", "9780306406157", "9780262033848"]),
    max_size=2,
    unique=True,
)
keywordish = st.lists(
    text.map(lambda t: t.replace(",", " ").replace(";", " "))
    .map(lambda t: " ".join(t.split()))
    .filter(bool),
    max_size=3,
    unique=True,
)
opt = lambda s: st.one_of(st.none(), s)  # noqa: E731

COMMON = {
    "title": opt(rich),
    "subtitle": opt(text),
    "short_title": opt(text),
    "authors": people,
    "editors": people,
    "translators": people,
    "authors_et_al": st.booleans(),
    "editors_et_al": st.booleans(),
    "issued": opt(date),
    "publisher": opt(text),
    "place": opt(text),
    "edition": opt(st.sampled_from(["2", "2nd", "Revised"])),
    "volume": opt(st.sampled_from(["1", "12", "IV"])),
    "series": opt(text),
    "language": opt(st.sampled_from(["en", "German", "fr-CA"])),
    "doi": opt(st.from_regex(r"10\.[0-9]{4,6}/[a-z0-9.()_-]{1,12}", fullmatch=True)),
    "isbn": isbns,
    "url": opt(st.from_regex(r"https://example\.org/[a-z0-9_%~/-]{0,12}", fullmatch=True)),
    "abstract": opt(text),
    "keywords": keywordish,
    "note": opt(rich),
    "tags": keywordish,
}
BY_TYPE = {
    "book": {"number_of_pages": opt(st.sampled_from(["300", "xii, 250"]))},
    "chapter": {
        "parent": st.sampled_from(["sperling2014handbook", "b-1"]),
        "container_title": opt(text),
        "container_authors": people,
        "chapter": opt(st.sampled_from(["3", "30", "IV"])),
        "pages": opt(pages),
    },
    "article": {
        "journal": opt(text),
        "issue": opt(st.sampled_from(["1", "3-4", "Spring"])),
        "pages": opt(pages),
        "issn": opt(st.sampled_from(["0378-5955", "2049-3630"])),
    },
    "report": {"institution": opt(text), "number": opt(st.sampled_from(["RR-1", "12"]))},
    "thesis": {
        "degree": opt(
            st.sampled_from(["PhD thesis", "Master's thesis", "Doctoral dissertation", "MA thesis"])
        ),
        "institution": opt(text),
    },
    "webpage": {"site": opt(text), "accessed": opt(st.dates().map(lambda d: d.isoformat()))},
    "paper": {
        "container_title": opt(text),
        "event": opt(text),
        "event_place": opt(text),
        "pages": opt(pages),
    },
    "misc": {"howpublished": opt(text)},
}
extra_fields = st.dictionaries(st.from_regex(r"x[a-z]{2,6}", fullmatch=True), text, max_size=2)


@st.composite
def records(draw, with_extra=True):
    rtype = draw(st.sampled_from(sorted(BY_TYPE)))
    data = {"type": rtype, "key": draw(st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True))}
    for name, strat in {**COMMON, **BY_TYPE[rtype]}.items():
        value = draw(strat)
        if value not in (None, [], False):
            data[name] = value
    if with_extra:
        extra = draw(extra_fields)
        if extra:
            data["extra"] = extra
    return parse_record(data)


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- properties ----------------------------------------------------------------


def test_a_subtitle_whose_capitals_read_otherwise_in_the_joined_title_comes_back() -> None:
    # classic BibTeX writes title = {a: A {A}} beside subtitle = {A {A}}: the
    # braces read as kept capitals in one and as a proper noun in the other,
    # and the title is still split at ": " (found by the property below)
    record = parse_record({"type": "article", "key": "a", "title": "a", "subtitle": "A A"})
    text = write_bibtex([record], dialect="bibtex")
    assert "title = {a: A {A}}" in text and "subtitle = {A {A}}" in text
    [back] = parse_bibtex(text).records
    assert back == record
    # ... and the main title reads as it would alone ({aA}: kept capitals)
    record = parse_record({"type": "article", "key": "a", "title": "aA", "subtitle": "A A"})
    text = write_bibtex([record], dialect="bibtex")
    assert "title = {{aA}: A {A}}" in text
    assert parse_bibtex(text).records == [record]
    # a title that only looks so is left whole
    text = "@article{b, title = {War: A {B} c}, subtitle = {A B}}"
    [back] = parse_bibtex(text).records
    assert (richtext.plain(back.title), back.subtitle) == ("War: A B c", "A B")


def test_a_subtitle_that_repeats_a_marked_phrase_of_the_title_leaves_it_as_it_was() -> None:
    # classic BibTeX writes title = {x {\emph{A}} y: A}: read whole, the
    # phrase "A" stands twice and only one is braced, so the group was kept in
    # place as nocase; the main title reads as it would alone (found by the
    # property below)
    for title, sub in (("x <i>A</i> y", "A"), ("a <i>A</i>", "A"), ("a <b>B</b>", "B")):
        record = parse_record({"type": "article", "key": "a", "title": title, "subtitle": sub})
        text = write_bibtex([record], dialect="bibtex")
        assert f": {sub}}}," in text and f"subtitle = {{{sub}}}" in text
        [back] = parse_bibtex(text).records
        assert back == record
    # braces a writer puts again where they stood, read so in the main title alone
    text = "@article{b, title = {{F}rench {F}ries: A {F}rench F}, subtitle = {A {F}rench F}}"
    [back] = parse_bibtex(text).records
    assert back.title == "French Fries" and back.extra["protect"]["title"] == ["F"]
    assert "title = {{F}rench {F}ries: A {F}rench F}" in write_bibtex([back], dialect="bibtex")


@SETTINGS
@given(records(), st.sampled_from(["bibtex", "biblatex"]), st.booleans())
def test_record_to_bibtex_to_record_loses_nothing(record, dialect, ascii):
    text = write_bibtex([record], dialect=dialect, ascii=ascii)
    if ascii:
        assert text.isascii()
    parsed = parse_bibtex(text)
    assert parsed.invalid == [] and parsed.warnings == []
    [back] = parsed.records
    # tags are exported among the keywords (what BibLaTeX filters on) and come back as keywords
    merged = list(dict.fromkeys(record.keywords + record.tags))
    # a part is written with crossref (no book given), which its import remembers
    extra = {**(record.extra or {}), "bibtex_crossref": True} if record.parent else record.extra
    own_booktitle = record.container_title or "booktitle" in (record.extra or {})
    if dialect == "bibtex" and record.type == "book" and record.title and not own_booktitle:
        # classic BibTeX: a book gives its title as booktitle too, which its import remembers
        extra = {**(extra or {}), "bibtex_booktitle": True}
    if record.parent and "\n  year = " in text and "\n  date = " not in text:
        # a part with crossref and year: biber completes its date from the parent's,
        # which its import remembers (BibLaTeX exports write year again)
        extra = {**(extra or {}), "bibtex_year": True}
    expected = record.model_copy(update={"keywords": merged, "tags": [], "extra": extra})
    noted = (back.extra or {}).get("latex_markup")
    if noted and not (record.extra or {}).get("latex_markup"):
        # classic BibTeX writes a quotation as TeX's quotes, which the import notes
        assert dialect == "bibtex", text
        assert all(spellings == {"q": ["``"]} for spellings in noted.values()), noted
        back = back.model_copy(
            update={"extra": {k: v for k, v in back.extra.items() if k != "latex_markup"}}
        )
    assert back == expected, text
    assert write_bibtex([back], dialect=dialect, ascii=ascii) == text


@SETTINGS
@given(records())
def test_record_to_csl_to_record_loses_nothing(record):
    item = record_to_csl(record)
    words = list(dict.fromkeys(record.keywords + record.tags))
    assert item.get("keyword") == (", ".join(words) if words else None)
    assert record_from_csl(item) == record  # which keywords are tags travels in custom


@SETTINGS
@given(records(with_extra=False))
def test_csl_items_of_records_are_plain_json(record):
    import json

    item = record_to_csl(record)
    assert json.loads(json.dumps(item)) == item
    assert item["id"] == record.key
