"""The data model: names, dates, pages, identifiers, work types, JSON round trip."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from citeshelf.library import dumps_record
from citeshelf.model import (
    Date,
    PageRange,
    Person,
    describe_validation_error,
    has_others,
    initials,
    normalize_doi,
    normalize_isbn,
    normalize_issn,
    parse_name,
    parse_names,
    parse_record,
    parse_record_lenient,
    refused_fields,
)

# -- names --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Aris, Stephen", Person(family="Aris", given="Stephen")),
        ("Stephen Aris", Person(family="Aris", given="Stephen")),
        ("Galbreath, David J.", Person(family="Galbreath", given="David J.")),
        ("Ludwig van Beethoven", Person(family="Beethoven", given="Ludwig", particle="van")),
        ("van Beethoven, Ludwig", Person(family="Beethoven", given="Ludwig", particle="van")),
        ("van der Berg, Anna", Person(family="Berg", given="Anna", particle="van der")),
        ("Anna van der Berg", Person(family="Berg", given="Anna", particle="van der")),
        (
            "von Last, Jr., First",
            Person(family="Last", given="First", particle="von", suffix="Jr."),
        ),
        ("King, Jr., Martin Luther", Person(family="King", given="Martin Luther", suffix="Jr.")),
        ("Eilstrup-Sangiovanni, Mette", Person(family="Eilstrup-Sangiovanni", given="Mette")),
        ("Frédéric Mérand", Person(family="Mérand", given="Frédéric")),
        ("{World Health Organization}", Person(literal="World Health Organization")),
        ("{Barnes and Noble}", Person(literal="Barnes and Noble")),
        ("Plato", Person(family="Plato")),
        ("de la Fontaine, Jean", Person(family="Fontaine", given="Jean", particle="de la")),
        ("{van Gogh}, Vincent", Person(family="van Gogh", given="Vincent")),
    ],
)
def test_parse_name_follows_bibtex_rules(text: str, expected: Person) -> None:
    assert parse_name(text) == expected


def test_parse_names_splits_on_and_outside_braces() -> None:
    people = parse_names("Boin, Arjen and {Barnes and Noble} and Rhinard, Mark")
    assert [p.last for p in people] == ["Boin", "Barnes and Noble", "Rhinard"]


def test_and_others_is_an_et_al_marker() -> None:
    text = "Boin, Arjen and Ekengren, Magnus and others"
    assert [p.family for p in parse_names(text)] == ["Boin", "Ekengren"]
    assert has_others(text)
    assert not has_others("Boin, Arjen")


@pytest.mark.parametrize("bad", ["", "   ", "a, b, c, d"])
def test_parse_name_rejects_nonsense(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_name(bad)


def test_person_needs_family_or_literal() -> None:
    with pytest.raises(ValidationError):
        Person(given="Stephen")
    with pytest.raises(ValidationError):
        Person(literal="WHO", family="X")


def test_initials_handle_hyphens_and_existing_initials() -> None:
    assert initials("Jean-Paul") == "J.-P."
    assert initials("David J.") == "D. J."
    assert initials("Poorneema Devi") == "P. D."


_word = st.text(
    alphabet=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZÉÖ"), min_size=1, max_size=1
).flatmap(
    lambda first: st.text(alphabet="abcdefghijklmnopqrstuvwxyzéüñ", min_size=1, max_size=8).map(
        lambda rest: first + rest
    )
)


@given(family=_word, given_=st.lists(_word, min_size=1, max_size=3))
def test_family_comma_given_round_trips(family: str, given_: list[str]) -> None:
    person = Person(family=family, given=" ".join(given_))
    assert parse_name(person.inverted()) == person
    assert parse_name(person.display()) == person


@given(
    particle=st.sampled_from(["van", "von", "de", "van der", "de la", "di"]),
    family=_word,
    given_=_word,
)
def test_particles_survive_both_name_orders(particle: str, family: str, given_: str) -> None:
    person = Person(family=family, given=given_, particle=particle)
    assert parse_name(f"{particle} {family}, {given_}") == person
    assert parse_name(f"{given_} {particle} {family}") == person


# -- dates ----------------------------------------------------------------------


def test_dates_parse_and_serialise() -> None:
    assert Date.parse("2014").iso() == "2014"
    assert Date.parse(2014).year == 2014
    assert Date.parse("2014-08-29") == Date(year=2014, month=8, day=29)
    assert Date.parse("2014-8").iso() == "2014-08"
    assert Date.month_number("Aug") == 8 and Date.month_number("september") == 9


@pytest.mark.parametrize("bad", ["2014-13", "2014-02-30", "August 2014", "0", "twenty"])
def test_bad_dates_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError):
        Date.parse(bad)


# -- pages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, start, end, shown",
    [
        ("656-670", "656", "670", "656–670"),
        ("656--670", "656", "670", "656–670"),
        ("656–670", "656", "670", "656–670"),
        ("xii-xv", "xii", "xv", "xii–xv"),
        ("45", "45", None, "45"),
        ("e1234", "e1234", None, "e1234"),
        (" 82 -- 97 ", "82", "97", "82–97"),
        ("12-12", "12", None, "12"),
        ("321-28", "321", "328", "321–328"),
        ("1496-500", "1496", "1500", "1496–1500"),
        ("101--8", "101", "108", "101–108"),
        # a lone no-break or thin space is the writer's; other white space is one space
        ("sec.\u00a03", "sec.\u00a03", None, "sec.\u00a03"),
        ("c\u20063-c\u20063", "c\u20063", None, "c\u20063"),
        ("sec. \u00a0 3", "sec. 3", None, "sec. 3"),
        ("A\t\n7", "A 7", None, "A 7"),
    ],
)
def test_page_ranges_normalise_to_en_dash(
    text: str, start: str, end: str | None, shown: str
) -> None:
    pages = PageRange.parse(text)
    assert (pages.start, pages.end, str(pages)) == (start, end, shown)


@pytest.mark.parametrize("bad", ["", "1-2-3", "5,7", "-", "15-12", "300-299"])
def test_bad_page_ranges_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError):
        PageRange.parse(bad)


@given(st.integers(1, 5000), st.integers(0, 500), st.sampled_from(["-", "--", "–", " - "]))
def test_page_range_round_trip(start: int, length: int, sep: str) -> None:
    pages = PageRange.parse(f"{start}{sep}{start + length}")
    assert PageRange.parse(str(pages)) == pages


# -- identifiers ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "10.4337/ABC.123",
        "https://doi.org/10.4337/ABC.123",
        "doi:10.4337/ABC.123",
        "http://dx.doi.org/10.4337/ABC.123",
    ],
)
def test_doi_forms_normalise(text: str) -> None:
    assert normalize_doi(text) == "10.4337/ABC.123"


@given(
    prefix=st.integers(1000, 99999999),
    suffix=st.text(alphabet="ABCDEFGHIJabcdefghij0123456789./-_()", min_size=1, max_size=20),
    form=st.sampled_from(["{}", "https://doi.org/{}", "doi:{}", "DOI: {}"]),
)
def test_doi_normalisation_is_idempotent(prefix: int, suffix: str, form: str) -> None:
    doi = f"10.{prefix}/{suffix}"
    once = normalize_doi(form.format(doi))
    assert once == doi
    assert normalize_doi(once) == once


def test_doi_refuses_non_dois() -> None:
    with pytest.raises(ValueError, match="not a DOI"):
        normalize_doi("11.1234/x")


def test_isbn_is_checked_and_stored_as_isbn13() -> None:
    assert normalize_isbn("978-1-78195-316-7") == "9781781953167"
    assert normalize_isbn("0-306-40615-2") == "9780306406157"
    with pytest.raises(ValueError, match="not a valid ISBN"):
        normalize_isbn("9781781953168")


@given(st.lists(st.integers(0, 9), min_size=12, max_size=12))
def test_isbn13_with_right_check_digit_round_trips(digits: list[int]) -> None:
    body = [9, 7, 8] + digits[3:]
    check = (10 - sum(d * (1 if i % 2 == 0 else 3) for i, d in enumerate(body)) % 10) % 10
    isbn = "".join(map(str, body + [check]))
    assert normalize_isbn(isbn) == isbn
    wrong = isbn[:-1] + str((check + 1) % 10)
    with pytest.raises(ValueError):
        normalize_isbn(wrong)


def test_issn() -> None:
    assert normalize_issn("03785955") == "0378-5955"
    with pytest.raises(ValueError):
        normalize_issn("0378-5956")


# -- records --------------------------------------------------------------------


def test_chapter_needs_parent_or_container() -> None:
    with pytest.raises(ValidationError) as info:
        parse_record({"type": "chapter", "key": "x"})
    assert "needs a parent book" in describe_validation_error(info.value)
    assert parse_record(
        {"type": "chapter", "key": "x", "container_title": "A book"}
    ).container_title


@pytest.mark.parametrize("key", ["", "x" * 129, "a,b", "a\tb", "x\u2028y", "{x}", "a\\b", "a#1"])
def test_bad_keys_are_refused(key: str) -> None:
    with pytest.raises(ValidationError):
        parse_record({"type": "book", "key": key})


@pytest.mark.parametrize("key", ["baez/article", "Müller:2020", "李2020", "a b", "-x", "../x"])
def test_keys_manuscripts_cite_are_kept(key: str) -> None:
    assert parse_record({"type": "book", "key": key}).key == key


def test_validation_messages_name_field_and_fix() -> None:
    with pytest.raises(ValidationError) as info:
        parse_record({"type": "book", "key": "x", "isbn": "9781781953168", "colour": "red"})
    text = describe_validation_error(info.value, "record 'x'")
    assert "record 'x': field 'isbn': '9781781953168' is not a valid ISBN" in text
    assert (
        "field 'colour': is not a field of this record type (put it under 'extra' to keep it)"
        in text
    )


def test_refused_fields_name_the_field_and_why() -> None:
    with pytest.raises(ValidationError) as info:
        parse_record(
            {
                "type": "book",
                "key": "x",
                "isbn": "9781781953168",
                "author": [{"family": "A"}, {"given": 3}],
                "colour": "red",
            }
        )
    refused = dict(refused_fields(info.value))
    assert refused["isbn"] == (
        "'9781781953168' is not a valid ISBN (the number's checksum or check digit is invalid)"
    )
    assert "author" in refused  # a problem in the second name is the field's
    assert refused["colour"].startswith("is not a field of this record type")
    # the same words as the one-line description
    text = describe_validation_error(info.value, "r")
    for field, why in refused_fields(info.value):
        assert f"field '{field}" in text and why in text


def test_refused_fields_leave_out_the_record_type() -> None:
    for data in ({"type": "poem", "key": "x"}, {"key": "x"}):
        with pytest.raises(ValidationError) as info:
            parse_record(data)
        assert refused_fields(info.value) == []


def test_lenient_parse_keeps_what_keep_takes() -> None:
    data = {"type": "book", "key": "x", "title": "T", "isbn": "123", "doi": "n/a"}
    offered: list[tuple[str, str]] = []

    def keep(field: str, why: str) -> bool:
        offered.append((field, why))
        data.setdefault("extra", {})[field] = data.pop(field)
        return True

    record = parse_record_lenient(data, keep)
    assert sorted(f for f, _ in offered) == ["doi", "isbn"]
    assert record.extra == {"isbn": "123", "doi": "n/a"}
    assert record.title == "T" and not record.isbn and not record.doi


def test_lenient_parse_raises_when_nothing_is_taken() -> None:
    data = {"type": "book", "key": "x", "isbn": "123", "doi": "n/a"}

    def only_isbn(field: str, why: str) -> bool:
        if field != "isbn":
            return False
        del data["isbn"]
        return True

    with pytest.raises(ValidationError) as info:
        parse_record_lenient(data, only_isbn)
    assert [f for f, _ in refused_fields(info.value)] == ["doi"]
    assert "isbn" not in data  # what was taken stays taken


@pytest.mark.parametrize(
    ("text", "isbns"),
    [
        # as library catalogues and Beebe's TeX Live bibliographies write them
        ("0-226-10392-7 (hardcover)", ["0-226-10392-7 (hardcover)"]),
        ("3-540-54539-5 and 0-387-54539-5", ["3-540-54539-5", "0-387-54539-5"]),
        (
            "90-5199-187-8 (IOS Press) 4-274-90017-7 (Ohmsha)",
            ["90-5199-187-8 (IOS Press)", "4-274-90017-7 (Ohmsha)"],
        ),
        # a comma inside a note does not split
        (
            "0-486-23928-4 (vol. 1, paper), 0-226-10420-6",
            ["0-486-23928-4 (vol. 1, paper)", "0-226-10420-6"],
        ),
        # the same ISBN with another note is another item
        (
            "1-884718-25-6 (hardcover), 1-884718-25-6 (Oak Knoll hardcover), 1884718256",
            ["1-884718-25-6 (hardcover)", "1-884718-25-6 (Oak Knoll hardcover)", "1884718256"],
        ),
    ],
)
def test_isbns_with_a_note_in_parentheses_are_isbns(text: str, isbns: list[str]) -> None:
    from citeshelf.model.identifiers import isbn_key

    book = parse_record({"type": "book", "key": "b", "isbn": text})
    assert book.isbn == isbns
    # compared without the note (no digit of "(vol. 1)" joins the ISBN's)
    assert isbn_key("0-486-23928-4 (vol. 1)") == isbn_key("0486239284") == "9780486239286"


def test_a_bad_isbn_with_a_note_is_still_refused() -> None:
    with pytest.raises(ValidationError, match="'0-8186-8461-8' is not a valid ISBN"):
        parse_record({"type": "book", "key": "b", "isbn": "0-8186-8461-8 (hardback)"})


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("0095-2338 (print), 1520-5142 (electronic)", ["0095-2338", "1520-5142"]),
        ("0942-5977, 0947-4471", ["0942-5977", "0947-4471"]),
        ("0954-4054; 2041-2975", ["0954-4054", "2041-2975"]),
        ("0025-5718 (paper) 1088-6842 (electronic)", ["0025-5718", "1088-6842"]),
        ("01622870", ["01622870"]),
    ],
)
def test_a_journal_has_an_issn_per_medium(text: str, found: list[str]) -> None:
    from citeshelf.model.identifiers import issns

    # kept as written (as Zotero's ISSN field holds them), each one checked
    assert parse_record({"type": "article", "key": "a", "issn": text}).issn == text
    assert issns(text) == found


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("0095-2338 (print), 1520-5143 (electronic)", "1520-5143"),
        ("1520-5263", "1520-5263"),
        ("????", "????"),
    ],
)
def test_an_issn_field_with_one_bad_issn_is_refused(text: str, bad: str) -> None:
    with pytest.raises(ValidationError, match=f"'{re.escape(bad)}' is not a valid ISSN"):
        parse_record({"type": "article", "key": "a", "issn": text})


def test_isbn_list_accepts_text_and_drops_duplicates() -> None:
    book = parse_record(
        {"type": "book", "key": "b", "isbn": "978-1-78195-316-7; 9781781953167, 9781781953174"}
    )
    # each kept as written; the same ISBN again (without hyphens) once, in its first form
    assert book.isbn == ["978-1-78195-316-7", "9781781953174"]


def test_isbn_keeps_its_source_form_and_compares_by_key() -> None:
    from citeshelf.model.identifiers import check_isbn, isbn_key

    book = parse_record({"type": "book", "key": "b", "isbn": ["0-201-13447-0", "0201134470"]})
    assert book.isbn == ["0-201-13447-0"]  # ISBN-10 stays ISBN-10, hyphens and all
    assert isbn_key(book.isbn[0]) == "9780201134476"
    assert check_isbn("  0-201-13447-0 ") == "0-201-13447-0"
    with pytest.raises(ValueError, match="not a valid ISBN"):
        check_isbn("0-201-13447-1")
    # a record file from before (ISBN-13 digits) loads and dumps the same
    old = parse_record({"type": "book", "key": "b", "isbn": ["9781781953167"]})
    assert old.to_json_dict()["isbn"] == ["9781781953167"]


def test_isbn_10_and_13_of_one_book_are_both_kept() -> None:
    # pandoc's CSL-JSON of biblatex-gost-examples.bib: "0521110815,9780521110815"
    book = parse_record({"type": "book", "key": "b", "isbn": "0521110815,9780521110815"})
    assert book.isbn == ["0521110815", "9780521110815"]


def test_issn_is_checked_and_kept_as_written() -> None:
    article = {"type": "article", "key": "a", "title": "T", "journal": "J"}
    assert parse_record({**article, "issn": "01622870"}).issn == "01622870"
    assert parse_record({**article, "issn": " 0162-2870 "}).issn == "0162-2870"
    with pytest.raises(ValidationError, match="not a valid ISSN"):
        parse_record({**article, "issn": "01622871"})


_text = (
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)
_people = st.lists(st.builds(Person, family=_word, given=st.one_of(st.none(), _word)), max_size=4)


@st.composite
def records(draw):
    kind = draw(st.sampled_from(["book", "chapter", "article", "report", "webpage"]))
    data: dict = {
        "type": kind,
        "key": draw(st.from_regex(r"[a-z][a-z0-9_:.+-]{0,20}", fullmatch=True)),
    }
    data["title"] = draw(_text)
    data["authors"] = [p.model_dump(exclude_none=True) for p in draw(_people)]
    if draw(st.booleans()):
        data["issued"] = draw(st.sampled_from(["2014", "1999-02", "2020-12-31"]))
    if kind == "chapter":
        data["parent"] = "sperling2014handbook"
        if draw(st.booleans()):
            data["pages"] = f"{draw(st.integers(1, 900))}-{draw(st.integers(901, 999))}"
    if kind == "article":
        data["journal"] = draw(_text)
    data["extra"] = draw(
        st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True), _text, max_size=3)
    )
    data["tags"] = draw(st.lists(_text, max_size=3, unique=True))
    return parse_record(data)


@settings(max_examples=150)
@given(records())
def test_json_round_trip_is_lossless_and_byte_stable(record) -> None:
    import json

    text = dumps_record(record)
    again = parse_record(json.loads(text))
    assert again == record
    assert dumps_record(again) == text
    assert text.endswith("\n") and "\\u" not in text


@pytest.mark.parametrize(
    "data",
    [
        {"type": "book", "key": "a b,"},
        {"type": "chapter", "key": "x"},
        {"type": "book", "key": "k", "pages": "431-456, 791-823", "isbn": "978-0-306-40615-8"},
        {"type": "article", "key": "k", "authors": [{"given": "x"}], "issued": "2020-13", "x": 1},
        {"type": "dataset", "key": "k", "issued": {"literal": ""}, "related": [{"key": ""}]},
        {"type": "thesis", "key": "k", "title": 3, "added": "not a date"},
        {"type": "nope", "key": "k"},
        {"key": "k"},
    ],
)
def test_parse_record_errors_are_the_unions(data: dict) -> None:
    """parse_record validates with the one model of the record's type, and
    its errors are those of the union of every model (the type first in each
    location), which the lenient importers read."""
    from pydantic import ValidationError

    from citeshelf.model import RECORD_ADAPTER, parse_record

    def errors(validate) -> list:
        with pytest.raises(ValidationError) as info:
            validate(dict(data))
        return [(e["type"], e["loc"], e["msg"]) for e in info.value.errors()]

    assert errors(parse_record) == errors(RECORD_ADAPTER.validate_python)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["978", "979", "977", "٩٧٨"]), st.text("0123456789", min_size=10, max_size=10)
)
def test_a_stored_isbn13_is_accepted_as_python_stdnum_accepts_it(head: str, rest: str) -> None:
    from stdnum import isbn

    from citeshelf.model import normalize_isbn

    value = head + rest
    try:
        expected: str | None = isbn.to_isbn13(isbn.validate(value))
    except Exception:
        expected = None
    try:
        got: str | None = normalize_isbn(value)
    except ValueError:
        got = None
    assert got == expected


def test_field_value_is_getattr_for_fields_properties_and_missing_names() -> None:
    """``field_value`` answers as ``getattr`` with a default does: a field of
    the type, a property of the model, a name the type lacks, a non-model."""
    from types import SimpleNamespace

    from citeshelf.model.attrs import field_value

    book = parse_record(
        {"key": "b", "type": "book", "title": "A title", "subtitle": "More", "editors_et_al": True}
    )
    article = parse_record({"key": "a", "type": "article", "title": "Paper"})
    for record in (book, article, book, article):  # asked again: from what it found
        for name in ("title", "full_title", "editors_et_al", "csl_type", "journal", "nothing"):
            assert field_value(record, name, "absent") == getattr(record, name, "absent")
    assert field_value(book, "full_title") == "A title: More"
    assert field_value(book, "editors_et_al") is True
    assert field_value(book, "csl_type") is None
    plain = SimpleNamespace(csl_type="song")
    assert field_value(plain, "csl_type") == "song"
    assert field_value(plain, "missing", 3) == 3
