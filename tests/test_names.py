"""Names: every kind (given, family, dropping and non-dropping particles,
suffix, organisations, names written family first, per-name annotations)
through BibLaTeX, CSL-JSON and RIS, in the styles, and the warnings for bad
name lists."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citeshelf.formats.bibtex import parse_bibtex, write_bibtex
from citeshelf.formats.csljson import record_from_csl, record_to_csl
from citeshelf.formats.ris import parse_ris, write_ris
from citeshelf.model import parse_record
from citeshelf.model.names import Person, parse_name
from citeshelf.styles import format_citation, format_reference, render

CAPS = "ABCDEFGHIJKLMNOPQRSTUVWXYZÉÜÖÅŁØ"
LOWER = "abcdefghijklmnopqrstuvwxyzéèüöäßçñøåł"
cap_word = st.builds(lambda c, w: c + w, st.sampled_from(CAPS), st.text(LOWER, max_size=8))
cap_words = st.lists(cap_word, min_size=1, max_size=2).map(" ".join)
cjk = st.text("毛泽东孙中山李白王安石", min_size=1, max_size=3)
maybe = st.one_of


@st.composite
def person(draw: st.DrawFn, *, annotations: bool = True) -> dict:
    kind = draw(st.sampled_from(["western", "cjk", "static", "literal"]))
    if kind == "literal":
        return {
            "literal": draw(
                st.sampled_from(
                    ["Robert Bosch GmbH", "Routledge and Kegan Paul", "World Health Organization"]
                )
            )
        }
    if kind == "cjk":
        out = {"family": draw(cjk), "given": draw(maybe(st.none(), cjk))}
    else:
        out = {"family": draw(cap_words), "given": draw(maybe(st.none(), cap_words))}
    if kind == "static":
        out["static_ordering"] = True
    if kind == "western":
        which = draw(st.sampled_from(["none", "particle", "dropping_particle"]))
        if which != "none":
            out[which] = draw(st.sampled_from(["van", "van der", "de la", "von", "d'", "di"]))
        out["suffix"] = draw(maybe(st.none(), st.sampled_from(["Jr.", "III"])))
    if annotations:
        out["annotation"] = draw(maybe(st.none(), st.sampled_from(["corresponding", "equal"])))
    return {k: v for k, v in out.items() if v}


def book(authors: list[dict], editors: list[dict] | None = None):
    return parse_record(
        {
            "type": "book",
            "key": "k2000",
            "title": "A title",
            "issued": "2000",
            "authors": authors,
            "editors": editors or [],
        }
    )


def names_of(record) -> list[dict]:
    return [p.model_dump(exclude_none=True) for p in [*record.authors, *record.editors]]


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(person(), min_size=1, max_size=4), st.lists(person(), max_size=2))
def test_biblatex_round_trip(authors: list[dict], editors: list[dict]) -> None:
    record = book(authors, editors)
    text = write_bibtex([record], dialect="biblatex")
    parsed = parse_bibtex(text, source="x.bib")
    assert not parsed.warnings and not parsed.invalid, text
    assert names_of(parsed.entries[0].record) == names_of(record), text


@SETTINGS
@given(st.lists(person(annotations=False), min_size=1, max_size=4))
def test_csl_json_round_trip(authors: list[dict]) -> None:
    record = book(authors)
    item = json.loads(json.dumps(record_to_csl(record)))
    assert names_of(record_from_csl(item)) == names_of(record)


def _ris_can_hold(p: dict) -> dict:
    """RIS has family, given and suffix: a particle goes with the family name
    and reads back as the non-dropping particle; no family-first flag."""
    out = {k: v for k, v in p.items() if k in ("family", "given", "suffix")}
    particle = p.get("particle") or p.get("dropping_particle")
    if particle == "d'":
        out["family"] = particle + out["family"]
    elif particle:
        out["particle"] = particle
    return out


@SETTINGS
@given(
    st.lists(
        # RIS writes "d'" glued ("d'Alembert"): BibTeX's rules read "d'Le Roy" as a particle
        person(annotations=False).filter(
            lambda p: (
                "literal" not in p
                and not (
                    "d'" in (p.get("particle"), p.get("dropping_particle")) and " " in p["family"]
                )
            )
        ),
        min_size=1,
        max_size=4,
    )
)
def test_ris_round_trip(authors: list[dict]) -> None:
    record = book(authors)
    parsed = parse_ris(write_ris([record]))
    assert names_of(parsed.entries[0].record) == [_ris_can_hold(p) for p in authors]


def test_old_record_files_load_and_dump_unchanged() -> None:
    data = {"family": "Berg", "given": "Pieter", "particle": "van der", "suffix": "Jr."}
    p = Person(**data)
    assert p.model_dump(mode="json", exclude_none=True) == data
    assert list(p.model_dump(mode="json", exclude_none=True)) == list(data)
    assert p.last == "van der Berg"  # the old particle is the non-dropping one
    assert Person(family="Mao", static_ordering=False).static_ordering is None


# -- reading BibTeX ------------------------------------------------------------


def read_one(fields: str):
    parsed = parse_bibtex(f"@book{{k,\n title = {{T}},\n{fields}\n}}\n", source="refs.bib")
    assert len(parsed.entries) == 1
    return parsed.entries[0].record, [str(w) for w in parsed.warnings]


def test_braced_corporate_name_and_braced_and_are_one_name() -> None:
    record, _ = read_one("author = {{Robert Bosch GmbH} and {Routledge {and} Kegan Paul}}")
    assert [p.literal for p in record.authors] == ["Robert Bosch GmbH", "Routledge and Kegan Paul"]


def test_extended_name_format() -> None:
    record, _ = read_one(
        "author = {family=Mises, given=Ludwig, prefix=von, useprefix=false and "
        "family=Beethoven, given=Ludwig, prefix=van, useprefix=true and given=Plato}"
    )
    mises, beethoven, plato = record.authors
    assert (mises.family, mises.given, mises.dropping_particle) == ("Mises", "Ludwig", "von")
    assert (beethoven.particle, beethoven.dropping_particle) == ("van", None)
    assert (plato.family, plato.given) == ("Plato", None)
    out = write_bibtex([record], dialect="biblatex")
    assert "family={Mises}, given={Ludwig}, prefix={von}, useprefix=false" in out
    assert "van Beethoven, Ludwig" in out


def test_annotations_are_kept_and_written_back() -> None:
    record, warnings = read_one(
        "author = {Mao, Zedong and Smith, Jane},\n"
        " author+an = {2=corresponding},\n author+an:ordering = {1=static}"
    )
    assert not warnings
    assert record.authors[0].static_ordering and record.authors[1].annotation == "corresponding"
    out = write_bibtex([record], dialect="biblatex")
    assert "author+an = {2=corresponding}," in out
    assert "author+an:ordering = {1=static}," in out


def test_trailing_and_is_a_warning_naming_file_line_and_field() -> None:
    record, warnings = read_one("author = {Smith, Jane and}")
    assert [p.family for p in record.authors] == ["Smith"]
    assert warnings == [
        "refs.bib:1: entry 'k': field 'author': the name list has an empty name (an 'and' at "
        "its start or end, or two in a row); it is left out"
    ]


def test_annotation_for_a_missing_name_is_a_warning_and_kept() -> None:
    record, warnings = read_one("author = {Smith, Jane},\n author+an = {3=corresponding}")
    assert record.authors[0].annotation is None
    assert record.extra["author+an"] == "3=corresponding"
    assert warnings == [
        "refs.bib:1: entry 'k': field 'author+an': an annotation for name 3, but 'author' has "
        "1 name; the field is kept as written"
    ]
    assert "author+an = {3=corresponding}" in write_bibtex([record], dialect="biblatex")


def test_csl_dropping_particle_comes_back_as_dropping() -> None:
    item = {
        "id": "m",
        "type": "book",
        "title": "Human action",
        "author": [{"family": "Mises", "given": "Ludwig", "dropping-particle": "von"}],
    }
    assert record_to_csl(record_from_csl(item))["author"] == item["author"]


# -- styles --------------------------------------------------------------------

CASES = {
    # APA 7 9.8 and citeproc-js's apa.csl (tests/golden: mises1949human ...)
    "mises": {"family": "Mises", "given": "Ludwig", "dropping_particle": "von"},
    # a particle with an apostrophe joins the family name with no space
    "dalembert_csl": {"family": "Alembert", "given": "Jean", "particle": "d'"},
    "dalembert_bib": parse_name("Jean d'Alembert").model_dump(exclude_none=True),
    "mao_cjk": {"family": "毛", "given": "泽东"},
    "mao_static": {"family": "Mao", "given": "Zedong", "static_ordering": True},
}

EXPECTED = {
    # style: case -> (start of the reference, the citation)
    "apa": {
        "mises": ("Mises, L. von. (2000)", "(Mises, 2000)"),
        "dalembert_csl": ("d’Alembert, J. (2000)", "(d’Alembert, 2000)"),
        "dalembert_bib": ("d’Alembert, J. (2000)", "(d’Alembert, 2000)"),
        "mao_cjk": ("毛泽东. (2000)", "(毛, 2000)"),
        "mao_static": ("Mao Z. (2000)", "(Mao, 2000)"),
    },
    # CMOS 18 8.5-8.7 (particles), 8.15 (Chinese names, family name first, no
    # comma) and citeproc-js's chicago-notes-bibliography.csl
    "chicago-notes": {
        "mises": ("Mises, Ludwig von. ", "Ludwig von Mises, "),
        "dalembert_csl": ("Alembert, Jean d’. ", "Jean d’Alembert, "),
        "dalembert_bib": ("d’Alembert, Jean. ", "Jean d’Alembert, "),
        "mao_cjk": ("毛泽东. ", "毛泽东, "),
        "mao_static": ("Mao Zedong. ", "Mao Zedong, "),
    },
}


@pytest.mark.parametrize(
    "style,case", [(s, c) for s in EXPECTED for c in EXPECTED[s]], ids=lambda x: str(x)
)
def test_style_names(style: str, case: str) -> None:
    record = book([CASES[case]])
    reference = render(format_reference(record, style))
    citation = render(format_citation([record], style)) if style == "apa" else None
    want_ref, want_cite = EXPECTED[style][case]
    assert reference.startswith(want_ref), reference
    if citation is not None:
        assert citation == want_cite
    else:
        note = render(format_citation([record], style))
        assert note.startswith(want_cite), note


def test_one_writer_spells_each_name_by_all_its_parts() -> None:
    """The writer keeps each name's spelling for the names after it: names
    that differ in one part only are spelled apart, and a name spelled again
    reads as the first time, in either alphabet and dialect."""
    from citeshelf.formats.bibtex.spelling import Spelling

    people = [
        Person(family="Berg", given="Anna"),
        Person(family="Berg", given="Anna", particle="van der"),
        Person(family="Berg", given="Anna", suffix="Jr."),
        Person(family="Berg", given="Anna", dropping_particle="von"),
        Person(literal="Berg Anna"),
        Person(family="Mérand", given="Frédéric"),
    ]
    for dialect in ("bibtex", "biblatex"):
        for ascii in (False, True):
            fresh = [Spelling(dialect, ascii).name(p) for p in people]
            assert len(set(fresh)) == len(people)
            w = Spelling(dialect, ascii)
            assert [w.name(p) for p in people * 3] == fresh * 3
    w = Spelling("bibtex", True)
    assert w.name(people[-1]) == "M{\\'{e}}rand, Fr{\\'{e}}d{\\'{e}}ric"
    assert Spelling("bibtex", False).name(people[-1]) == "Mérand, Frédéric"
