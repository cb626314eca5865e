"""add TYPE with the type's own options, add TYPE --edit, the thesis degree
vocabulary through the formats and styles, and made-up import keys."""

from __future__ import annotations

import json
from pathlib import Path


def test_made_up_ris_and_csl_keys_follow_the_key_formula(cs, empty_lib: Path) -> None:
    (empty_lib / "citeshelf.toml").write_text('[keys]\nformula = "[auth:lower]_[year]"\n')
    ris = empty_lib.parent / "in.ris"
    ris.write_text(
        "TY  - BOOK\nAU  - Aris, Stephen\nTI  - Eurasian regionalism\nPY  - 2011\nER  - \n"
    )
    csl = empty_lib.parent / "in.json"
    csl.write_text(
        json.dumps(
            [
                {
                    "type": "book",
                    "title": "Regional security",
                    "author": [{"family": "Kay", "given": "Sean"}],
                    "issued": {"date-parts": [[2015]]},
                }
            ]
        )
    )
    r = cs(empty_lib, "import", str(ris), str(csl))
    assert r.exit_code == 0, r.stderr
    assert sorted(p.stem for p in empty_lib.glob("*.json")) == ["aris_2011", "kay_2015"]


# -- the degree vocabulary -------------------------------------------------------


def _thesis(degree, **more):
    from citeshelf.model import parse_record

    data = {"type": "thesis", "key": "okonkwo2017regionalism", "title": "Regionalism"}
    data.update(authors=["Okonkwo, Chidi"], issued="2017", institution="University of Oxford")
    return parse_record({**data, **more, "degree": degree})


def test_degree_words_are_stored_as_the_vocabulary() -> None:
    from citeshelf.model.degrees import DEGREES, degree_name

    assert list(DEGREES) == ["phd", "masters", "ma", "ms", "bachelors"]
    for text, name in [
        ("PhD", "phd"),
        ("Ph.D.", "phd"),
        ("doctoral", "phd"),
        ("DPhil", "phd"),
        ("PhD dissertation", "phd"),
        ("Master's", "masters"),
        ("Master’s thesis", "masters"),
        ("mathesis", "masters"),
        ("M.A.", "ma"),
        ("MSc", "ms"),
        ("BA", "bachelors"),
    ]:
        assert degree_name(text) == name, text
        assert _thesis(text).degree == name
    # other text is kept as written (and printed as written)
    for text in ("PhD thesis", "Doctoral dissertation", "Habilitation"):
        assert degree_name(text) is None and _thesis(text).degree == text


BIB_CASES = [
    # degree, classic entry, classic type field, biblatex type field
    ("phd", "phdthesis", None, "phdthesis"),
    ("masters", "mastersthesis", None, "mathesis"),
    ("ma", "mastersthesis", "MA thesis", "MA thesis"),
    ("ms", "mastersthesis", "MS thesis", "MS thesis"),
    ("bachelors", "mastersthesis", "Bachelor's thesis", "Bachelor's thesis"),
    ("Habilitation", "phdthesis", "Habilitation", "Habilitation"),
    (None, "phdthesis", "Thesis", None),
]


def _type_field(text: str) -> str | None:
    import re

    m = re.search(r"^  type = \{(.*)\},$", text, flags=re.M)
    return m.group(1) if m else None


def test_degrees_round_trip_through_bibtex_and_biblatex() -> None:
    from citeshelf.formats.bibtex import parse_bibtex, write_bibtex

    for degree, etype, classic_type, biblatex_type in BIB_CASES:
        record = _thesis(degree)
        bib = write_bibtex([record], dialect="bibtex")
        assert bib.startswith(f"@{etype}{{okonkwo2017regionalism,\n"), bib
        assert _type_field(bib) == classic_type
        lax = write_bibtex([record], dialect="biblatex")
        assert lax.startswith("@thesis{okonkwo2017regionalism,\n"), lax
        assert _type_field(lax) == biblatex_type
        for text in (bib, lax):
            (back,) = parse_bibtex(text).records
            assert back == record, text


def test_bibtex_theses_read_as_the_vocabulary() -> None:
    from citeshelf.formats.bibtex import parse_bibtex

    text = (
        "@phdthesis{a, title = {T}, school = {S}}\n"
        "@mastersthesis{b, title = {T}, school = {S}}\n"
        "@thesis{c, title = {T}, institution = {S}, type = {phdthesis}}\n"
        "@thesis{d, title = {T}, institution = {S}, type = {mathesis}}\n"
        "@phdthesis{e, title = {T}, school = {S}, type = {Doctoral thesis}}\n"
        "@mastersthesis{f, title = {T}, school = {S}, type = {MSc thesis}}\n"
        "@thesis{g, title = {T}, institution = {S}}\n"
    )
    got = {r.key: (r.degree, r.extra) for r in parse_bibtex(text).records}
    assert got == {
        "a": ("phd", {}),
        "b": ("masters", {}),
        "c": ("phd", {}),
        "d": ("masters", {}),
        "e": ("Doctoral thesis", {}),
        "f": ("ms", {}),
        "g": (None, {}),
    }


def test_degrees_round_trip_through_csl_json_and_ris() -> None:
    from citeshelf.formats.csljson import record_from_csl, record_to_csl
    from citeshelf.formats.ris import parse_ris, write_ris

    labels = {
        "phd": "PhD dissertation",
        "masters": "Master's thesis",
        "ma": "MA thesis",
        "ms": "MS thesis",
        "bachelors": "Bachelor's thesis",
        "Habilitation": "Habilitation",
    }
    for degree, label in labels.items():
        record = _thesis(degree)
        item = record_to_csl(record)
        assert item["type"] == "thesis" and item["genre"] == label
        assert record_from_csl(item) == record
        ris = write_ris([record])
        assert "TY  - THES\n" in ris and f"M3  - {label}\n" in ris
        (entry,) = parse_ris(ris).entries
        assert entry.record.degree == degree
    # what other programs write
    item = {"id": "x", "type": "thesis", "title": "T", "genre": "Ph.D. dissertation"}
    assert record_from_csl(item).degree == "phd"
    ris = "TY  - THES\nID  - y\nTI  - T\nM3  - Master's thesis\nER  - \n"
    assert parse_ris(ris).entries[0].record.degree == "masters"


def test_degree_wording_in_apa_and_chicago() -> None:
    from citeshelf.styles import format_citation, reference_text

    def words(degree, style, **more):
        return reference_text(_thesis(degree, **more), style)

    assert words("phd", "apa") == (
        "Okonkwo, C. (2017). Regionalism [Doctoral dissertation]. University of Oxford."
    )
    assert words("masters", "apa", url="https://ora.ox.ac.uk/x") == (
        "Okonkwo, C. (2017). Regionalism [Master's thesis, University of Oxford]. "
        "https://ora.ox.ac.uk/x"
    )
    assert words("ma", "apa").endswith(" [Master's thesis]. University of Oxford.")
    assert words("bachelors", "apa").endswith(" [Bachelor's thesis]. University of Oxford.")
    assert words("Habilitation", "apa").endswith(" [Habilitation]. University of Oxford.")
    assert words("phd", "chicago-notes") == (
        "Okonkwo, Chidi. “Regionalism.” PhD diss., University of Oxford, 2017."
    )
    assert words("masters", "chicago-notes").endswith(
        " Master's thesis, University of Oxford, 2017."
    )
    assert words("ma", "chicago-author-date") == (
        "Okonkwo, Chidi. 2017. “Regionalism.” MA thesis, University of Oxford."
    )
    note = format_citation(_thesis("masters"), "chicago-notes", form="note")
    assert str(note).endswith("(master's thesis, University of Oxford, 2017).")
    note = format_citation(_thesis("phd"), "chicago-notes", form="note")
    assert str(note) == "Chidi Okonkwo, “Regionalism” (PhD diss., University of Oxford, 2017)."
