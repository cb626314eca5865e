"""Dates: EDTF level 1 in the model, every format that reads and writes them, and the
styles' date forms (APA 7 9.14-9.17, 9.41; CMOS 17 14.114, 14.181, 15.38, 15.44-15.47)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citeshelf.formats import csljson, ris
from citeshelf.formats.bibtex import parse_bibtex, write_bibtex
from citeshelf.model import Date, parse_record
from citeshelf.styles import apa, chicago

# --------------------------------------------------------------------------
# the model


@pytest.mark.parametrize(
    "text",
    [
        "2014",
        "2014-08",
        "2014-08-29",
        "1990/1994",
        "2019-06-03/2019-06-05",
        "2017-21",
        "2017-24",
        "1990~",
        "1990?",
        "1990%",
        "1990/..",
        "1990~/1994?",
        "2017-21/2017-23",
        "-0349",
        "0000",
        "-0044-03-15",
        "-0499/-0400",
    ],
)
def test_edtf_text_is_the_stored_form_and_reads_back(text):
    d = Date.parse(text)
    assert d.model_dump() == text == d.edtf()
    assert Date.model_validate(d.model_dump()) == d


def test_todays_stored_dates_keep_their_form():
    assert Date.parse("2014").model_dump() == "2014"
    assert Date.parse("2014-08-29").model_dump() == "2014-08-29"
    assert Date.parse("2014-8-9").model_dump() == "2014-08-09"
    assert Date.parse(2014) == Date.parse("2014")
    assert Date.parse("1990/").edtf() == "1990/.."  # biblatex's open end


def test_parts_of_a_date():
    d = Date.parse("2019-06-03/2019-06-05")
    assert (d.year, d.month, d.day, d.end.day, d.is_range, d.iso()) == (
        2019,
        6,
        3,
        5,
        True,
        "2019-06-03",
    )
    assert Date.parse("2017-21").season == 1 and Date.parse("2017-21").month is None
    q = Date.parse("1990%")
    assert q.approximate and q.uncertain
    assert Date.parse("1990/..").open_end and Date.parse("2014").is_simple
    assert not Date.parse("1990~").is_simple


def test_a_literal_date_is_stored_as_an_object_and_keeps_a_year_for_sorting():
    d = Date.model_validate({"literal": "1947(民国三十六年)"})
    assert d.model_dump() == {"literal": "1947(民国三十六年)"} and d.year == 1947
    assert Date.literal_of("no date given").year is None
    r = parse_record({"type": "book", "key": "k", "issued": {"literal": "[1850?]"}})
    assert r.to_json_dict()["issued"] == {"literal": "[1850?]"} and r.year == 1850


@pytest.mark.parametrize(
    "text,reason",
    [
        ("2019-13", "month 13 is out of range (1 to 12)"),
        ("2019-02-30", "day 30 is out of range for 2019-02"),
        ("1995/1990", "the range 1995/1990 ends before it starts"),
        ("2019-06-05/2019-06-03", "ends before it starts"),
        ("June 2019", "is not a date"),
        ("2017-25", "month 25 is out of range"),
    ],
)
def test_bad_dates_are_refused_strictly_and_kept_as_literals_leniently(text, reason):
    with pytest.raises(ValueError, match=reason.split(" (")[0]):
        Date.parse(text)
    d, why = Date.lenient(text)
    assert d.literal == text and why is not None and reason in why


def test_new_fields_and_old_records():
    old = {"type": "book", "key": "k", "title": "T", "issued": "2014"}
    assert parse_record(old).to_json_dict() == old
    r = parse_record(
        {
            "type": "paper",
            "key": "p",
            "issued": "2019-06-03/2019-06-05",
            "event_date": "2019-06-03/2019-06-05",
            "original_date": "1851",
            "status": "in press",
        }
    )
    assert list(r.to_json_dict()) == [
        "type",
        "key",
        "issued",
        "status",
        "original_date",
        "event_date",
    ]


def test_the_default_library_keeps_its_bytes():
    from pathlib import Path

    from citeshelf.library.store import dumps_record

    files = sorted((Path(__file__).parent.parent / "records").glob("*.json"))
    assert len(files) > 10
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert dumps_record(parse_record(json.loads(text))) == text, f.name


# --------------------------------------------------------------------------
# round trips

_year = st.integers(1000, 2099)


@st.composite
def _point(draw, year=None):
    y = draw(_year) if year is None else year
    kind = draw(st.sampled_from(["y", "ym", "ymd", "season"]))
    out = f"{y:04d}"
    if kind == "season":
        out += f"-{draw(st.integers(21, 24))}"
    elif kind != "y":
        out += f"-{draw(st.integers(1, 12)):02d}"
        if kind == "ymd":
            out += f"-{draw(st.integers(1, 28)):02d}"
    return out + draw(st.sampled_from(["", "", "~", "?", "%"]))


@st.composite
def edtf_dates(draw):
    start = draw(_point())
    shape = draw(st.sampled_from(["point", "range", "open"]))
    if shape == "open":
        return start + "/.."
    if shape == "range":
        y = int(start[:4]) + draw(st.integers(0, 5))
        end = draw(_point(year=y))
        text = f"{start}/{end}"
        if Date.lenient(text)[1] is None:
            return text
    return start


literal_dates = st.sampled_from(
    ["1947(民国三十六年)", "[1850?]", "Anno Domini 1492", "ca. late 1890s"]
).map(lambda t: {"literal": t})
any_date = st.one_of(edtf_dates(), edtf_dates(), literal_dates)
statuses = st.sampled_from([None, "in press", "forthcoming", "submitted"])


def _record(issued, original, event, status, rtype="paper"):
    data = {"type": rtype, "key": "k", "title": "T", "authors": ["Doe, Jane"]}
    for name, value in (("issued", issued), ("original_date", original), ("status", status)):
        if value is not None:
            data[name] = value
    if rtype == "paper" and event is not None:
        data["event_date"] = event
    return parse_record(data)


_settings = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_settings
@given(any_date, st.one_of(st.none(), any_date), st.one_of(st.none(), edtf_dates()), statuses)
def test_dates_survive_biblatex(issued, original, event, status):
    record = _record(issued, original, event, status)
    text = write_bibtex([record], dialect="biblatex")
    (back,) = parse_bibtex(text).records
    assert back == record, text


@_settings
@given(any_date, st.one_of(st.none(), any_date), statuses)
def test_dates_survive_classic_bibtex(issued, original, status):
    record = _record(issued, original, None, status, rtype="book")
    text = write_bibtex([record], dialect="bibtex")
    (back,) = parse_bibtex(text).records
    # classic BibTeX: a book's title is written as booktitle too, which its import notes
    noted = {**(record.extra or {}), "bibtex_booktitle": True}
    assert back == record.model_copy(update={"extra": noted}), text


@_settings
@given(any_date, st.one_of(st.none(), any_date), st.one_of(st.none(), edtf_dates()), statuses)
def test_dates_survive_csl_json(issued, original, event, status):
    record = _record(issued, original, event, status)
    item = json.loads(json.dumps(record_to_csl := csljson.record_to_csl(record)))
    assert csljson.record_from_csl(item) == record
    # what CSL can say travels in its own variables, not in custom.citeshelf
    overrides = (record_to_csl.get("custom") or {}).get("citeshelf", {})
    for name in ("issued", "original_date", "event_date"):
        d = getattr(record, name)
        expressible = d is not None and not d.uncertain and not d.open_end
        if expressible and (d.end is None or (not d.end.uncertain and _same_parts(d))):
            assert name not in overrides, (name, record_to_csl)
    assert "status" not in overrides


def _same_parts(d):
    def n(p):
        return 1 + bool(p.month) + bool(p.day)

    return (
        n(d) == n(d.end)
        and not d.season
        and not d.end.season
        and d.approximate == d.end.approximate
    )


@_settings
@given(_point())
def test_what_ris_holds_survives_ris(point):
    # RIS holds a year, month, day or season (DA "2017///Spring"); no ranges or qualifiers
    text = point.rstrip("~?%")
    record = _record(text, None, None, None, rtype="book")
    (back,) = ris.parse_ris(ris.write_ris([record])).records
    assert back.issued == record.issued


def test_ris_keeps_a_literal_year():
    record = _record({"literal": "1947(民国三十六年)"}, None, None, None, rtype="book")
    out = ris.write_ris([record])
    assert "PY  - 1947(民国三十六年)\n" in out
    (back,) = ris.parse_ris(out).records
    assert back.issued == record.issued


# --------------------------------------------------------------------------
# reading: the forms each format writes, and bad input


def test_bibtex_reads_every_date_form():
    text = (
        "@inproceedings{a, title={T}, date={2019-06-03/2019-06-05},"
        " eventdate={2019-06-03/2019-06-05}, origdate={1851}, pubstate={inpress}}\n"
        "@article{b, title={T}, journal={J}, year={in press}}\n"
        "@book{c, title={T}, year={1990--1994}}\n"
        "@book{d, title={T}, date={1990~}}\n"
        "@book{e, title={T}, date={2017-21}}\n"
    )
    parsed = parse_bibtex(text)
    got = {r.key: r.to_json_dict() for r in parsed.records}
    assert got["a"]["issued"] == got["a"]["event_date"] == "2019-06-03/2019-06-05"
    assert got["a"]["original_date"] == "1851" and got["a"]["status"] == "in press"
    assert got["b"]["status"] == "in press" and "issued" not in got["b"]
    assert got["c"]["issued"] == "1990/1994"
    assert got["d"]["issued"] == "1990~" and got["e"]["issued"] == "2017-21"
    assert not parsed.warnings


def test_bibtex_bad_dates_warn_with_file_line_and_field_and_keep_the_entry(tmp_path):
    from citeshelf.formats.bibtex import load_bibtex

    bib = tmp_path / "bad.bib"
    bib.write_text(
        "@book{a, title={T}, date={2019-13}}\n\n@book{b, title={T},\n  origdate={1995/1990}}\n",
        encoding="utf-8",
    )
    parsed = load_bibtex(bib)
    records = {r.key: r for r in parsed.records}
    assert records["a"].issued.literal == "2019-13"
    assert records["b"].original_date.literal == "1995/1990"
    assert [str(w) for w in parsed.warnings] == [
        f"{bib}:1: entry 'a': field 'date': month 13 is out of range (1 to 12); kept as "
        "written, as a literal date",
        f"{bib}:3: entry 'b': field 'origdate': the range 1995/1990 ends before it starts; "
        "kept as written, as a literal date",
    ]


def test_import_warns_and_keeps_the_literal(cs, empty_lib, tmp_path):
    bib = tmp_path / "d.bib"
    bib.write_text("@book{a, title={T}, publisher={P}, date={2019-13}}\n", encoding="utf-8")
    r = cs(empty_lib, "import", str(bib))
    assert r.exit_code == 0
    assert f"{bib}:1: entry 'a': field 'date': month 13 is out of range" in r.stderr
    data = json.loads((empty_lib / "a.json").read_text(encoding="utf-8"))
    assert data["issued"] == {"literal": "2019-13"}


def test_show_prints_a_literal_date_as_written(cs, empty_lib, tmp_path):
    bib = tmp_path / "l.bib"
    bib.write_text(
        "@book{a, title={T}, publisher={P}, year={1947(民国三十六年)}}\n", encoding="utf-8"
    )
    assert cs(empty_lib, "import", str(bib)).exit_code == 0
    r = cs(empty_lib, "show", "a")
    assert r.exit_code == 0 and "issued     1947(民国三十六年)\n" in r.stdout


def test_a_literal_dated_work_imported_twice_is_a_duplicate(cs, empty_lib, tmp_path):
    # the index of existing records reads the literal's year as a record does
    for key in ("a", "b"):
        (tmp_path / f"{key}.bib").write_text(
            f"@book{{{key}, title={{Old charts}}, author={{Roe, R.}}, year={{[1850?]}},"
            " publisher={P}}\n",
            encoding="utf-8",
        )
    assert cs(empty_lib, "import", str(tmp_path / "a.bib")).exit_code == 0
    r = cs(empty_lib, "import", str(tmp_path / "b.bib"))
    assert r.stdout == "imported 0, skipped as duplicate 1, skipped as invalid 0\n"


def test_biblatex_and_bibtex_write_the_date_forms():
    record = _record("2019-06-03/2019-06-05", "1851", "2019-06-03/2019-06-05", "in press")
    out = write_bibtex([record], dialect="biblatex")
    for line in (
        "date = {2019-06-03/2019-06-05}",
        "eventdate = {2019-06-03/2019-06-05}",
        "origdate = {1851}",
        "pubstate = {inpress}",
    ):
        assert f"  {line},\n" in out
    classic = write_bibtex([_record("1990/1994", None, None, None, "book")], dialect="bibtex")
    assert "  year = {1990--1994},\n" in classic and "  date = {1990/1994},\n" in classic


def test_csl_json_date_forms():
    record = _record("2019-06-03/2019-06-05", "1851", None, "in press")
    item = csljson.record_to_csl(record)
    assert item["issued"] == {"date-parts": [[2019, 6, 3], [2019, 6, 5]]}
    assert item["original-date"] == {"date-parts": [[1851]]} and item["status"] == "in press"
    season = csljson.record_to_csl(_record("2017-21", None, None, None))["issued"]
    assert season == {"date-parts": [[2017]], "season": 1}
    circa = csljson.record_to_csl(_record("1990~", None, None, None))["issued"]
    assert circa == {"date-parts": [[1990]], "circa": True}
    literal = csljson.record_to_csl(_record({"literal": "1947(民国三十六年)"}, None, None, None))
    assert literal["issued"] == {"literal": "1947(民国三十六年)"}

    def read(value):
        return csljson.record_from_csl({"id": "a", "type": "book", "issued": value}).issued

    assert read({"date-parts": [[2017, 13]]}).edtf() == "2017-21"  # citeproc-js's seasons
    assert read({"date-parts": [[2017]], "season": "Summer"}).edtf() == "2017-22"
    assert read({"raw": "2019-06-03/2019-06-05"}).edtf() == "2019-06-03/2019-06-05"
    assert read({"raw": "2019-13"}).literal == "2019-13"
    assert read({"date-parts": [["1990"], ["1994"]], "circa": 1}).edtf() == "1990~/1994~"


# --------------------------------------------------------------------------
# the styles


def _styled(**data):
    base = {"type": "book", "key": "k", "title": "A book", "authors": ["Doe, Jane"]}
    base["publisher"] = "Pub"
    base.update(data)
    return parse_record(base)


@pytest.mark.parametrize(
    "data,reference,cite",
    [
        # 9.14: a presentation's date with the days of the event
        (
            {"type": "paper", "event": "Conf", "issued": "2019-06-03/2019-06-05"},
            "Doe, J. (2019, June 3–5). A book [Paper presentation]. Conf.",
            "(Doe, 2019)",
        ),
        (
            {"type": "paper", "event": "Conf", "issued": "2019-06-30/2019-07-02"},
            "Doe, J. (2019, June 30–July 2). A book [Paper presentation]. Conf.",
            "(Doe, 2019)",
        ),
        # a work published over several years; an ongoing one (9.14: "present")
        ({"issued": "1990/1994"}, "Doe, J. (1990–1994). A book. Pub.", "(Doe, 1990–1994)"),
        ({"issued": "2015/.."}, "Doe, J. (2015–present). A book. Pub.", "(Doe, 2015–present)"),
        # 9.14: a season with the year
        (
            {"type": "article", "journal": "J", "volume": "3", "issued": "2017-21"},
            "Doe, J. (2017, Spring). A book. J, 3.",
            "(Doe, 2017)",
        ),
        # 9.16: in press; 9.17: no date
        ({"status": "in press"}, "Doe, J. (in press). A book. Pub.", "(Doe, in press)"),
        ({}, "Doe, J. (n.d.). A book. Pub.", "(Doe, n.d.)"),
        # 9.41: republished work
        (
            {"issued": "2003", "original_date": "1851"},
            "Doe, J. (2003). A book. Pub. (Original work published 1851)",
            "(Doe, 1851/2003)",
        ),
        ({"issued": "1990~"}, "Doe, J. (ca. 1990). A book. Pub.", "(Doe, ca. 1990)"),
    ],
)
def test_apa_dates(data, reference, cite):
    r = _styled(**data)
    assert str(apa.reference(r)) == reference
    assert str(apa.citation([(r, None, "")])) == cite


def test_apa_and_chicago_suffixes_after_no_date():
    r = _styled()
    assert str(apa.reference(r, suffix="a")).startswith("Doe, J. (n.d.-a).")  # APA 8.19
    assert str(chicago.author_date_citation([(r, None, "a")])) == "(Doe, n.d.-a)"  # CMOS 15.44
    press = _styled(status="in press")
    assert str(apa.citation([(press, None, "b")])) == "(Doe, in press-b)"
    assert str(chicago.author_date_citation([(press, None, "b")])) == "(Doe, forthcoming-b)"
    dated = _styled(issued="2019")
    assert str(apa.citation([(dated, None, "a")])) == "(Doe, 2019a)"
    assert str(chicago.author_date_citation([(dated, None, "a")])) == "(Doe 2019a)"


@pytest.mark.parametrize(
    "data,author_date_ref,cite,note_text,bib",
    [
        (
            {"type": "paper", "event": "Conf", "issued": "2019-06-03/2019-06-05"},
            "Doe, Jane. 2019. “A Book.” Paper presented at Conf, June 3–5.",
            "(Doe 2019)",
            "Jane Doe, “A Book” (paper presented at Conf, June 3–5, 2019).",
            "Doe, Jane. “A Book.” Paper presented at Conf, June 3–5, 2019.",
        ),
        (
            {"issued": "1990/1994"},
            "Doe, Jane. 1990–1994. A Book. Pub.",
            "(Doe 1990–1994)",
            "Jane Doe, A Book (Pub, 1990–1994).",
            "Doe, Jane. A Book. Pub, 1990–1994.",
        ),
        # 15.44 (17th) / 14.72: forthcoming; n.d.
        (
            {"status": "in press"},
            "Doe, Jane. Forthcoming. A Book. Pub.",
            "(Doe, forthcoming)",
            "Jane Doe, A Book (Pub, forthcoming).",
            "Doe, Jane. A Book. Pub, forthcoming.",
        ),
        (
            {},
            "Doe, Jane. n.d. A Book. Pub.",
            "(Doe, n.d.)",
            "Jane Doe, A Book (Pub, n.d.).",
            "Doe, Jane. A Book. Pub, n.d.",
        ),
        # 15.38 and 14.114 (17th): reprints
        (
            {"issued": "2003", "original_date": "1851"},
            "Doe, Jane. (1851) 2003. A Book. Pub.",
            "(Doe [1851] 2003)",
            "Jane Doe, A Book (1851; repr., Pub, 2003).",
            "Doe, Jane. A Book. 1851. Reprint, Pub, 2003.",
        ),
    ],
)
def test_chicago_dates(data, author_date_ref, cite, note_text, bib):
    r = _styled(**data)
    assert str(chicago.reference(r, author_date=True)) == author_date_ref
    assert str(chicago.author_date_citation([(r, None, "")])) == cite
    assert str(chicago.note([(r, None, "")])) == note_text
    assert str(chicago.reference(r)) == bib


def test_chicago_seasons_and_ranges_across_years():
    article = _styled(
        type="article", journal="J", volume="11", issue="1", pages="1-34", issued="2017-21"
    )
    # 15.47 (17th): "11, no. 1 (Spring): 1–34"; 14.171 (17th) notes: "(Spring 2017)"
    assert "J 11, no. 1 (Spring): 1–34." in str(chicago.reference(article, author_date=True))
    assert "J 11, no. 1 (Spring 2017): 1–34" in str(chicago.note([(article, None, "")], edition=17))
    talk = _styled(type="paper", event="Conf", issued="2019-12-30/2020-01-02")
    assert "Conf, December 30, 2019–January 2, 2020." in str(chicago.reference(talk))


def test_years_before_the_common_era_everywhere():
    """EDTF numbers years as astronomers do (0 is 1 BCE, -0349 is 350 BCE);
    CSL as historians (-350 is 350 BC): each format converts, the styles print
    the era (APA's "B.C.E.", the CSL Chicago styles' "BC")."""
    from citeshelf.styles.common import year_span

    assert Date.parse("-0349").year == -349
    assert Date.parse("-0400-02-29").day == 29  # a leap year, as 0 and 400 are
    with pytest.raises(ValueError, match="day 29 is out of range"):
        Date.parse("-0001-02-29")
    assert year_span(Date.parse("-0349")) == "350 BC"
    assert year_span(Date.parse("0000"), era="B.C.E.") == "1 B.C.E."
    assert year_span(Date.parse("-0499/-0400")) == "500 BC\u2013401 BC"
    record = _record("1954", "-0349", None, None)
    item = csljson.record_to_csl(record)
    assert item["original-date"] == {"date-parts": [[-350]]}
    assert csljson.record_from_csl(item).original_date == Date.parse("-0349")
    read = csljson.record_from_csl(
        {"id": "a", "type": "book", "issued": {"date-parts": [["-44", 3, 15]]}}
    )
    assert read.issued.edtf() == "-0043-03-15"
    assert "(Original work published 350 B.C.E.)" in str(apa.reference(record))
    assert str(apa.citation([(record, None, "")])) == "(Doe, 350 B.C.E./1954)"
