"""Output that cannot inject: hostile field values go through BibTeX, CSL-JSON
and RIS unchanged (or with only what the README says changed), are text in
Markdown and HTML, and never reach a terminal as control sequences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from citeshelf.formats.bibtex import parse_bibtex, write_bibtex
from citeshelf.formats.csljson import dumps_csl, record_from_csl
from citeshelf.formats.ris import parse_ris, write_ris
from citeshelf.model import parse_record, richtext
from citeshelf.model.controls import show_controls, strip_controls
from citeshelf.styles.text import Styled, safe_href, to_html, to_markdown

#: every character BibTeX, TeX, Markdown or HTML treats specially, unbalanced braces first
HOSTILE = "a}b{c %d \\e <script>alert(1)</script> ` '' -- \"q\" @x #y $m$ ~^_& [l](u) *i* |t|"
#: what a terminal acts on: colours, an OSC 8 hyperlink, BEL, a C1 CSI
CONTROLS = "\x1b[31mred\x1b[0m \x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ \x07\x9b2J"
#: and a carriage return (which the model takes for a space in some fields)
TERMINAL = CONTROLS + "\rX"
SCRIPT_DOI = "10.1234/x<script>alert(1)</script>"


def _person(text: str) -> dict:
    return {"family": "F" + text, "given": "G" + text}


def hostile(rtype: str, text: str, **more) -> dict:
    """A record of ``rtype`` with ``text`` in every text field it has."""
    data: dict = {
        "type": rtype,
        "key": "hostile2020",
        "title": "T" + text,
        "subtitle": "S" + text,
        "short_title": "ST" + text,
        "authors": [_person(text), {"literal": "Org " + text}],
        "editors": [_person(text)],
        "translators": [_person(text)],
        "issued": "2020-05-06",
        "publisher": "P" + text,
        "place": "Pl" + text,
        "edition": "E" + text,
        "volume": "V" + text,
        "series": "Se" + text,
        "doi": SCRIPT_DOI,
        "url": "https://example.org/a{b}c%20d?q=<x>",
        "abstract": "First paragraph " + text + "\n\nSecond " + text,
        "keywords": ["K" + text.replace(",", " ").replace(";", " ")],
        "note": "N" + text,
        "extra": {"xnote": "X" + text, "eprint": "2001.{1}%2"},
    }
    by_type = {
        "book": {"number_of_pages": "300"},
        "article": {"journal": "J" + text, "issue": "I" + text, "pages": "1-2"},
        "report": {"institution": "In" + text, "number": "No" + text},
        "thesis": {"institution": "In" + text, "degree": "D" + text},
        "webpage": {"site": "W" + text},
        "paper": {"container_title": "C" + text, "event": "Ev" + text, "event_place": "EP" + text},
        "misc": {"howpublished": "H" + text},
        "chapter": {
            "parent": "book1",
            "container_title": "C" + text,
            "container_authors": [_person(text)],
            "chapter": "Ch" + text,
            "pages": "p" + text.replace(",", "").replace(";", "")[:10] + "-9",
        },
    }
    data.update(by_type[rtype])
    data.update(more)
    return data


TYPES = ["book", "article", "report", "thesis", "webpage", "paper", "misc", "chapter"]


def _bibtex_view(record, text):
    """What a BibTeX round trip of ``text`` gives: tags among the keywords, a
    part's parent read from the ``crossref`` it is written with (and its
    ``year`` beside it noted), a book's title written as ``booktitle`` too
    (classic BibTeX) noted."""
    merged = list(dict.fromkeys(record.keywords + record.tags))
    extra = {**record.extra, "bibtex_crossref": True} if record.parent else record.extra
    if record.parent and "\n  year = " in text and "\n  date = " not in text:
        extra = {**extra, "bibtex_year": True}
    if record.type == "book" and "\n  booktitle = " in text and not record.container_title:
        extra = {**extra, "bibtex_booktitle": True}
    return record.model_copy(update={"keywords": merged, "tags": [], "extra": extra})


@pytest.mark.parametrize("dialect", ["bibtex", "biblatex"])
@pytest.mark.parametrize("rtype", TYPES)
def test_hostile_record_through_bibtex_is_the_same_record(rtype: str, dialect: str) -> None:
    record = parse_record(hostile(rtype, HOSTILE))
    assert "{" not in record.url and "%7B" in record.url  # no URL holds a brace
    text = write_bibtex([record], dialect=dialect)
    parsed = parse_bibtex(text)
    assert parsed.invalid == [] and parsed.warnings == [], text
    [back] = parsed.records
    assert back == _bibtex_view(record, text), text
    assert write_bibtex([back], dialect=dialect) == text


@pytest.mark.parametrize("dialect", ["bibtex", "biblatex"])
def test_control_characters_never_reach_a_bib_file(dialect: str) -> None:
    record = parse_record(hostile("book", HOSTILE + CONTROLS))
    text = write_bibtex([record], dialect=dialect)
    assert strip_controls(text) == text
    [back] = parse_bibtex(text).records
    clean = parse_record(hostile("book", HOSTILE + strip_controls(CONTROLS)))
    assert back == _bibtex_view(clean, text)


def test_url_with_braces_is_one_field_and_comes_back() -> None:
    """The hostile test's case: a URL holding { } made a malformed entry."""
    record = parse_record({"type": "webpage", "key": "w", "title": "T", "url": "https://e.org/}{"})
    assert record.url == "https://e.org/%7D%7B"
    for dialect in ("bibtex", "biblatex"):
        text = write_bibtex([record], dialect=dialect)
        percent = "%" if dialect == "biblatex" else "\\%"  # a .bbl is TeX: % starts a comment
        assert f"url = {{https://e.org/{percent}7D{percent}7B}}," in text
        assert parse_bibtex(text).records == [record]


def test_verbatim_fields_with_unbalanced_braces_and_percent() -> None:
    record = parse_record(
        {"type": "book", "key": "b", "title": "T", "doi": "10.1234/a}b%c", "extra": {"file": "x{"}}
    )
    classic = write_bibtex([record])
    assert "doi = {10.1234/a\\%7Db\\%c}," in classic and "file = {x\\%7B}," in classic
    assert "doi = {10.1234/a%7Db%c}," in write_bibtex([record], dialect="biblatex")
    [back] = parse_bibtex(classic).records
    # the one value that changes: braces in a DOI come back percent-encoded
    assert back.doi == "10.1234/a%7Db%c" and back.extra["file"] == "x%7B"


@pytest.mark.parametrize("rtype", TYPES)
def test_hostile_record_through_csl_json_is_the_same_record(rtype: str) -> None:
    record = parse_record(hostile(rtype, HOSTILE + CONTROLS))
    text = dumps_csl([record])
    assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text
    [item] = json.loads(text)
    assert record_from_csl(item) == record


RIS_FIELDS = ("authors", "editors", "publisher", "place", "volume", "edition")


@pytest.mark.parametrize("rtype", ["book", "article", "chapter"])  # a report: PB is one field
def test_hostile_record_through_ris(rtype: str) -> None:
    # the RIS reader splits names with BibTeX's rules: braces there are
    # groups and a tilde a tie; RIS cannot mark an organisation's name
    named = HOSTILE.replace("{", "(").replace("}", ")").replace("~", "-")
    people = [_person(named)]
    record = parse_record(
        hostile(
            rtype, HOSTILE, note="one\ntwo " + HOSTILE + "\n\nthree", authors=people, editors=people
        )
    )
    text = write_ris([record])
    parsed = parse_ris(text)
    assert parsed.invalid == [] and len(parsed.records) == 1, text
    [back] = parsed.records
    for name in RIS_FIELDS + ("note", "doi", "url", "keywords"):
        assert getattr(back, name) == getattr(record, name), name
    assert back.title == record.full_title  # RIS has one title: "Title: Subtitle"
    # what RIS cannot hold: a line break in a one-line field is a space
    assert back.abstract == record.abstract.replace("\n\n", "  ")


def test_a_line_break_cannot_start_a_ris_reference() -> None:
    record = parse_record(
        {"type": "book", "key": "b", "title": "T\nER  - \nTY  - JOUR\nTI  - forged" + CONTROLS}
    )
    text = write_ris([record])
    assert text.count("\nTY  - ") == 1 and strip_controls(text) == text
    [back] = parse_ris(text).records
    assert back.title == "T ER  -  TY  - JOUR TI  - forged" + strip_controls(CONTROLS)


# -- Markdown and HTML ------------------------------------------------------------


def test_links_only_for_http() -> None:
    assert safe_href("javascript:alert(1)") is None
    assert safe_href("data:text/html,<b>") is None
    assert safe_href("https://doi.org/10.1/<x>") == "https://doi.org/10.1/%3Cx%3E"
    styled = Styled().add("See ").link("javascript:alert(1)").add(" and ").link("https://e.org/\"'")
    assert to_html(styled) == (
        'See javascript:alert(1) and <a href="https://e.org/%22&#x27;">https://e.org/&quot;&#x27;</a>'
    )
    assert (
        to_markdown(styled)
        == "See javascript:alert(1) and [https://e.org/\"'](<https://e.org/%22'>)"
    )


def test_markdown_escapes_html_and_markdown() -> None:
    # (record text is rich text: "&amp;amp;" is the text "&amp;", see model/richtext.py)
    styled = Styled().add("<img src=x> &amp;amp; & *a* [b](c) `d` # e ~f~ $g$\nline").italic("T")
    assert to_markdown(styled) == (
        "\\<img src=x\\> \\&amp; & \\*a\\* \\[b\\](c) \\`d\\` \\# e \\~f\\~ \\$g\\$ line*T*"
    )


def _lib_with(cs, tmp_path: Path, data: dict) -> Path:
    lib = tmp_path / "records"
    assert cs(None, "init", str(lib)).exit_code == 0
    (lib / f"{data['key']}.json").write_text(json.dumps(data), encoding="utf-8")
    return lib


@pytest.mark.parametrize("style", ["apa", "chicago-notes", "chicago-author-date"])
def test_script_doi_is_text_in_markdown_and_html(cs, tmp_path: Path, style: str) -> None:
    lib = _lib_with(cs, tmp_path, hostile("article", HOSTILE))
    for fmt, escaped in (("markdown", "\\<script\\>"), ("html", "&lt;script&gt;")):
        r = cs(lib, "cite", "hostile2020", "--form", "reference", "-s", style, "--format", fmt)
        assert r.exit_code == 0, r.stderr
        assert "<script>" not in r.stdout and "<img" not in r.stdout
        assert escaped in r.stdout
        assert "%3Cscript%3E" in r.stdout  # the DOI link, percent-encoded


# -- the terminal -------------------------------------------------------------------


def _terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output as to a colour terminal: Rich on, stdout and stderr ttys."""
    from rich.console import Console

    from citeshelf import render

    monkeypatch.setattr(render, "use_rich", lambda stream=None: True)
    monkeypatch.setattr(render, "_is_terminal", lambda stream: True)
    monkeypatch.setattr(
        render,
        "_console",
        lambda stderr=False: Console(
            force_terminal=True, color_system="standard", width=300, highlight=False
        ),
    )


COMMANDS = [
    ("list",),
    ("show", "hostile2020"),
    ("cite", "hostile2020", "--form", "reference"),
    ("bibliography", "hostile2020"),
    ("check",),
]


def _assert_no_sequences(out: str) -> None:
    for seq in ("\x1b[31m", "\x1b]8;;http://evil", "\x07", "\x9b", "\r"):
        assert seq not in out, (seq, out)


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_control_characters_are_shown_on_a_terminal(
    cs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    lib = _lib_with(cs, tmp_path, hostile("book", "T " + TERMINAL))
    _terminal(monkeypatch)
    r = cs(lib, *args, env={"COLUMNS": "300"})
    assert r.exit_code in (0, 1), r.stderr
    _assert_no_sequences(r.stdout + r.stderr)
    assert "^[[31mred" in r.stdout
    if args[0] != "check":  # check quotes the first 60 characters
        assert "^G<9B>2J" in r.stdout


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_control_characters_are_dropped_from_piped_text(
    cs, tmp_path: Path, args: tuple[str, ...]
) -> None:
    lib = _lib_with(cs, tmp_path, hostile("book", "T " + TERMINAL))
    r = cs(lib, *args)
    assert r.exit_code in (0, 1), r.stderr
    _assert_no_sequences(r.stdout + r.stderr)
    if args[0] != "check":  # check's message shows them visibly, on purpose
        assert "\x1b" not in r.stdout and "[31mred" in r.stdout


def test_json_output_escapes_controls(cs, tmp_path: Path) -> None:
    lib = _lib_with(cs, tmp_path, hostile("book", "T " + TERMINAL))
    r = cs(lib, "show", "hostile2020", "--json")
    _assert_no_sequences(r.stdout)
    assert "\\u001b" in r.stdout and "\\u009b" in r.stdout
    assert json.loads(r.stdout)["title"] == "TT " + TERMINAL


def test_controls_from_an_imported_bib_file(cs, tmp_path: Path, monkeypatch) -> None:
    lib = tmp_path / "records"
    assert cs(None, "init", str(lib)).exit_code == 0
    bib = tmp_path / "evil.bib"
    bib.write_text(
        "@book{evil, title = {Evil " + CONTROLS + "}, author = {Doe\x1b[2J, Jane},"
        " year = {2001}, publisher = {P}}\n",
        encoding="utf-8",
    )
    assert cs(lib, "import", str(bib)).exit_code == 0
    r = cs(lib, "list")
    _assert_no_sequences(r.stdout)
    assert "\x1b" not in r.stdout
    _terminal(monkeypatch)
    r = cs(lib, "show", "evil")
    _assert_no_sequences(r.stdout)
    assert "Doe^[[2J" in r.stdout
    out = tmp_path / "out.bib"
    assert cs(lib, "export", "-o", str(out)).exit_code == 0
    assert "\x1b" not in out.read_text(encoding="utf-8")


def test_check_reports_and_fixes_control_characters(cs, tmp_path: Path) -> None:
    lib = _lib_with(cs, tmp_path, hostile("book", "T " + TERMINAL, note="a\r\nb"))
    r = cs(lib, "check", "--json")
    [problem] = [p for p in json.loads(r.stdout)["problems"] if p["code"] == "control-char"]
    assert problem["severity"] == "warning" and "^[[31m" in problem["problem"]
    assert cs(lib, "check", "--fix").exit_code == 0
    data = json.loads((lib / "hostile2020.json").read_text(encoding="utf-8"))
    assert data["title"] == "TT " + strip_controls(TERMINAL) and data["note"] == "a\nb"
    r = cs(lib, "check", "--json")
    assert not [p for p in json.loads(r.stdout)["problems"] if p["code"] == "control-char"]


def test_lone_surrogate_is_unreadable_for_check_as_for_the_readers(cs, tmp_path: Path) -> None:
    lib = _lib_with(cs, tmp_path, {"type": "book", "key": "ok", "title": "T"})
    (lib / "bad.json").write_text('{"type": "book", "key": "bad", "title": "\\ud800"}')
    r = cs(lib, "check", "--json")
    [problem] = [p for p in json.loads(r.stdout)["problems"] if p["key"] == "bad"]
    assert problem["code"] == "unreadable" and "surrogate" in problem["problem"]
    assert cs(lib, "show", "bad").exit_code != 0


def test_show_controls_is_caret_notation() -> None:
    assert show_controls("a\x1b[1m\x07\x7f\x9b\tb\n") == "a^[[1m^G^?<9B>\tb\n"


# -- a property ----------------------------------------------------------------------

TEXT = (
    st.text(
        st.characters(blacklist_categories=("Cs", "Cc", "Co"), blacklist_characters="\u2028\u2029"),
        min_size=1,
        max_size=40,
    )
    .map(lambda t: " ".join(t.split()))
    .filter(bool)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT, st.sampled_from(["bibtex", "biblatex"]), st.booleans())
@example("<q>", "bibtex", False)
@example("a <sc> b", "biblatex", True)
def test_any_title_comes_back_from_bibtex(title: str, dialect: str, ascii: bool) -> None:
    record = parse_record({"type": "book", "key": "k", "title": title})
    text = write_bibtex([record], dialect=dialect, ascii=ascii)
    [back] = parse_bibtex(text).records
    # the same text: a tag that does not pair up is text, so a title "<q>" may come back
    # in canonical form, "&lt;q>" (model/richtext.py: reading is lenient, writing escapes)
    assert richtext.serialize(richtext.parse(back.title)) == richtext.serialize(
        richtext.parse(record.title)
    ), text
    assert richtext.plain(back.title) == richtext.plain(record.title), text
