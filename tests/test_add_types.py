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
        # the source's words for the degree, which a writer would word otherwise
        "f": ("ms", {"bibtex_written": {"type": "MSc thesis"}}),
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
        "Okonkwo, C. (2017). Regionalism [Master’s thesis, University of Oxford]. "
        "https://ora.ox.ac.uk/x"
    )
    assert words("ma", "apa").endswith(" [Master’s thesis]. University of Oxford.")
    assert words("bachelors", "apa").endswith(" [Bachelor’s thesis]. University of Oxford.")
    assert words("Habilitation", "apa").endswith(" [Habilitation]. University of Oxford.")
    assert words("phd", "chicago-notes") == (
        "Okonkwo, Chidi. “Regionalism.” PhD diss., University of Oxford, 2017."
    )
    assert words("masters", "chicago-notes").endswith(
        " Master’s thesis, University of Oxford, 2017."
    )
    assert words("ma", "chicago-author-date") == (
        "Okonkwo, Chidi. 2017. “Regionalism.” MA thesis, University of Oxford."
    )
    note = format_citation(_thesis("masters"), "chicago-notes", form="note")
    assert str(note).endswith("(master’s thesis, University of Oxford, 2017).")
    note = format_citation(_thesis("phd"), "chicago-notes", form="note")
    assert str(note) == "Chidi Okonkwo, “Regionalism” (PhD diss., University of Oxford, 2017)."


# -- add TYPE with the type's own options ---------------------------------------------

TYPE_OPTIONS = [
    # type, options, a field they set and its value in the record file
    ("book", ["--number-of-pages", "350"], "number_of_pages", "350"),
    ("article", ["--journal", "Survival", "--issue", "3"], "journal", "Survival"),
    ("report", ["--institution", "RAND", "--number", "RR-1"], "number", "RR-1"),
    ("thesis", ["--institution", "Oxford", "--degree", "master's"], "degree", "masters"),
    ("webpage", ["--site", "OSCE", "--accessed", "2024-01-20"], "accessed", "2024-01-20"),
    ("paper", ["--event", "ISA 2019", "--event-place", "Toronto"], "event_place", "Toronto"),
    ("misc", ["--howpublished", "Pamphlet"], "howpublished", "Pamphlet"),
]


def test_each_type_takes_its_own_options(cs, empty_lib: Path) -> None:
    for rtype, options, field, value in TYPE_OPTIONS:
        r = cs(empty_lib, "add", rtype, "--title", f"{rtype} work", "--year", "2019", *options)
        assert (r.exit_code, r.stdout) == (0, f"anon2019{rtype}\n"), r.stderr
        data = json.loads((empty_lib / f"anon2019{rtype}.json").read_text())
        assert data["type"] == rtype and data[field] == value, data


def test_type_options_exact_output(cs, empty_lib: Path) -> None:
    r = cs(
        empty_lib,
        "add",
        "thesis",
        "--title",
        "Regionalism and security",
        "--author",
        "Okonkwo, Chidi",
        "--year",
        "2017",
        "--institution",
        "University of Oxford",
        "--degree",
        "Ph.D.",
    )
    assert (r.exit_code, r.stdout, r.stderr) == (0, "okonkwo2017regionalism\n", "")
    data = json.loads((empty_lib / "okonkwo2017regionalism.json").read_text())
    assert (data["degree"], data["institution"]) == ("phd", "University of Oxford")
    r = cs(empty_lib, "show", "okonkwo2017regionalism")
    assert "[Doctoral dissertation]. University of Oxford." in r.stdout
    r = cs(empty_lib, "export", "--format", "bibtex", "okonkwo2017regionalism")
    assert r.stdout.startswith("@phdthesis{okonkwo2017regionalism,\n")
    assert "type = " not in r.stdout and "  school = {University of Oxford},\n" in r.stdout
    r = cs(
        empty_lib,
        "add",
        "book",
        "--title",
        "Handbook",
        "--editor",
        "Sperling, J.",
        "--year",
        "2014",
    )
    assert r.stdout == "sperling2014handbook\n"
    r = cs(
        empty_lib,
        "add",
        "chapter",
        "--title",
        "Ch",
        "--author",
        "Aris, Stephen",
        "--container-title",
        "The book",
        "--container-author",
        "Kay, Sean",
        "--container-author",
        "Cottey, Andrew",
        "--pages",
        "3-9",
        "--parent",
        "sperling2014handbook",
        "--year",
        "2014",
    )
    assert r.stdout == "aris2014ch\n"
    data = json.loads((empty_lib / "aris2014ch.json").read_text())
    assert [p["family"] for p in data["container_authors"]] == ["Kay", "Cottey"]


def test_an_option_of_another_type_is_a_usage_error(cs, empty_lib: Path) -> None:
    cases = [
        (
            "book",
            ["--institution", "Oxford"],
            "--institution is for a report or thesis, not a book",
        ),
        (
            "report",
            ["--pages", "3"],
            "--pages is for a chapter, article, paper or 7 other types, not a report "
            "(give it as --field pages=VALUE)",
        ),
        (
            "thesis",
            ["--journal", "X"],
            "--journal is for an article, magazine_article, newspaper_article or 3 other types, "
            "not a thesis",
        ),
        (
            "thesis",
            ["--parent", "x"],
            "--parent is for a book, chapter, paper or 3 other types, not a thesis "
            "(give it as --field parent=VALUE)",
        ),
        (
            "article",
            ["--container-author", "Kay, Sean"],
            "--container-author is for a chapter, not an article "
            "(give it as --field container_authors=VALUE)",
        ),
        (
            "thesis",
            ["--degree", "Diplom"],
            "--degree: 'Diplom' is not one of phd, masters, ma, ms, bachelors (PhD, doctoral, "
            "Master's, MA, MSc, BA ... are understood): give another kind with --field degree=TEXT",
        ),
    ]
    for rtype, options, message in cases:
        r = cs(empty_lib, "add", rtype, "--title", "T", *options)
        assert (r.exit_code, r.stdout, r.stderr) == (2, "", f"citeshelf: error: {message}\n")
    assert list(empty_lib.glob("*.json")) == []
    r = cs(empty_lib, "add", "doi:10.1000/xyz", "--degree", "PhD")
    assert r.stderr == "citeshelf: error: --degree: only with add TYPE, not with identifiers\n"
    # another kind of thesis: --field
    r = cs(empty_lib, "add", "thesis", "--title", "T", "--field", "degree=Diplomarbeit")
    assert r.exit_code == 0
    assert json.loads((empty_lib / "anonndt.json").read_text())["degree"] == "Diplomarbeit"


def test_add_help_lists_the_options_by_type(cs) -> None:
    out = cs(None, "add", "--help").stdout
    assert "\nFields of a report or thesis:\n  --institution TEXT " in out
    assert "\nFields of a thesis:\n  --degree DEGREE " in out
    assert (
        "\nFields of a webpage, post or blog_post:\n  --site TEXT      The website's name.\n" in out
    )
    assert "\nFields of a chapter, article, paper or 7 other types:\n  --pages TEXT " in out
    assert "\nFields of a review or book_review:\n  --reviewed-title TEXT " in out


# -- add TYPE --edit ----------------------------------------------------------------


def test_add_type_edit_saves_the_template_as_add_does(cs, empty_lib: Path, tmp_path) -> None:
    import sys

    script = tmp_path / "editor.py"
    script.write_text(
        "import json, sys\n"
        "path = sys.argv[1]\n"
        f"open({str(tmp_path / 'seen.json')!r}, 'w').write(open(path).read())\n"
        "data = json.loads(open(path).read())\n"
        f"data.update(json.loads(open({str(tmp_path / 'changes.json')!r}).read()))\n"
        "open(path, 'w').write(json.dumps(data))\n"
    )
    env = {"EDITOR": f'"{sys.executable}" "{script}"', "VISUAL": ""}
    (tmp_path / "changes.json").write_text(
        json.dumps(
            {
                "title": "Regionalism",
                "authors": ["Okonkwo, Chidi"],
                "issued": "2017",
                "degree": "PhD",
            }
        )
    )
    r = cs(empty_lib, "add", "thesis", "--edit", "--institution", "University of Oxford", env=env)
    assert (r.exit_code, r.stdout, r.stderr) == (0, "okonkwo2017regionalism\n", "")
    seen = json.loads((tmp_path / "seen.json").read_text())
    assert list(seen) == [
        "type", "key", "title", "subtitle", "short_title", "authors", "editors", "translators",
        "issued", "status", "original_date", "publisher", "place", "edition", "volume", "series",
        "language", "doi", "isbn",
        "url", "degree", "institution", "abstract", "keywords", "note", "tags", "extra",
    ]  # fmt: skip
    assert (seen["key"], seen["degree"], seen["institution"]) == ("", "", "University of Oxford")
    data = json.loads((empty_lib / "okonkwo2017regionalism.json").read_text())
    assert (data["degree"], data["institution"]) == ("phd", "University of Oxford")
    # the same key again: a, as add does
    r = cs(empty_lib, "add", "thesis", "--edit", env=env)
    assert r.stdout.startswith("okonkwo2017regionalisma\n")
    # a text that does not validate is kept, and nothing is added
    (tmp_path / "changes.json").write_text(json.dumps({"issued": "in the spring"}))
    r = cs(empty_lib, "add", "thesis", "--edit", env=env)
    assert r.exit_code == 4 and r.stdout == ""
    first, second = r.stderr.splitlines()
    assert first.startswith("citeshelf: this record does not validate: new thesis: field 'issued'")
    kept = Path(second.split("your text is kept in ")[1])
    assert json.loads(kept.read_text())["issued"] == "in the spring"
    kept.unlink()  # (kept for the user in the system's temporary folder)
    assert sorted(p.name for p in empty_lib.glob("*.json")) == [
        "okonkwo2017regionalism.json",
        "okonkwo2017regionalisma.json",
    ]
    # unchanged: nothing added
    (tmp_path / "changes.json").write_text("{}")
    script.write_text("pass\n")
    r = cs(empty_lib, "add", "report", "--edit", env=env)
    assert (r.exit_code, r.stdout) == (
        0,
        "nothing added: the report template came back unchanged\n",
    )
