"""Every CSL 1.0.2 type and variable has a typed home: the type table, the
fields, the format tables that read and write them, and record files that
keep their bytes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citeshelf.formats import csljson
from citeshelf.formats.bibtex import parse_bibtex, write_bibtex
from citeshelf.formats.bibtex.fields import APART, FIELDS, KEPT, write_rows
from citeshelf.library.store import dumps_record
from citeshelf.model import WORK_TYPES, parse_record
from citeshelf.model.record import NAME_LISTS, file_order
from citeshelf.model.types import CORE_TYPES, TYPES, from_bibtex, from_csl, work_type

ROOT = Path(__file__).resolve().parent.parent

#: CSL 1.0.2's item types (the specification's appendix)
CSL_TYPES = [
    "article",
    "article-journal",
    "article-magazine",
    "article-newspaper",
    "bill",
    "book",
    "broadcast",
    "chapter",
    "classic",
    "collection",
    "dataset",
    "document",
    "entry",
    "entry-dictionary",
    "entry-encyclopedia",
    "event",
    "figure",
    "graphic",
    "hearing",
    "interview",
    "legal_case",
    "legislation",
    "manuscript",
    "map",
    "motion_picture",
    "musical_score",
    "pamphlet",
    "paper-conference",
    "patent",
    "performance",
    "periodical",
    "personal_communication",
    "post",
    "post-weblog",
    "regulation",
    "report",
    "review",
    "review-book",
    "software",
    "song",
    "speech",
    "standard",
    "thesis",
    "treaty",
    "webpage",
]

#: CSL 1.0.2's variables that describe an item (the citation-only ones --
#: citation-key, citation-label, citation-number, first-reference-note-number,
#: locator, page-first, year-suffix -- are no item data)
CSL_VARIABLES = [
    "abstract",
    "annote",
    "archive",
    "archive_collection",
    "archive_location",
    "archive-place",
    "authority",
    "call-number",
    "chapter-number",
    "collection-number",
    "collection-title",
    "container-title",
    "container-title-short",
    "dimensions",
    "division",
    "DOI",
    "edition",
    "event-date",
    "event-place",
    "event-title",
    "genre",
    "ISBN",
    "ISSN",
    "issue",
    "issued",
    "jurisdiction",
    "keyword",
    "language",
    "license",
    "medium",
    "note",
    "number",
    "number-of-pages",
    "number-of-volumes",
    "original-date",
    "original-publisher",
    "original-publisher-place",
    "original-title",
    "page",
    "part-number",
    "part-title",
    "PMCID",
    "PMID",
    "printing-number",
    "publisher",
    "publisher-place",
    "references",
    "reviewed-genre",
    "reviewed-title",
    "scale",
    "section",
    "source",
    "status",
    "submitted",
    "supplement-number",
    "title",
    "title-short",
    "URL",
    "version",
    "volume",
    "volume-title",
    "accessed",
    "available-date",
    "author",
    "chair",
    "collection-editor",
    "compiler",
    "composer",
    "container-author",
    "contributor",
    "curator",
    "director",
    "editor",
    "editorial-director",
    "editor-translator",
    "executive-producer",
    "guest",
    "host",
    "illustrator",
    "interviewer",
    "narrator",
    "organizer",
    "original-author",
    "performer",
    "producer",
    "recipient",
    "reviewed-author",
    "script-writer",
    "series-creator",
    "translator",
]

#: The file order of every field the core types had before the table (what
#: record files written then hold): it must never change.
LEGACY_HEAD = [
    "type",
    "key",
    "title",
    "subtitle",
    "short_title",
    "authors",
    "editors",
    "translators",
    "authors_et_al",
    "editors_et_al",
    "issued",
    "status",
    "original_date",
    "publisher",
    "place",
    "edition",
    "volume",
    "series",
    "language",
    "doi",
    "isbn",
    "url",
]
LEGACY_OWN = {
    "book": ["number_of_pages"],
    "chapter": ["parent", "container_title", "container_authors", "chapter", "pages"],
    "article": ["journal", "issue", "pages", "issn"],
    "report": ["institution", "number"],
    "thesis": ["degree", "institution"],
    "webpage": ["site", "accessed"],
    "paper": ["container_title", "event", "event_place", "event_date", "pages"],
    "misc": ["howpublished"],
}
LEGACY_TAIL = ["abstract", "keywords", "note", "tags", "extra", "added", "modified"]


# -- the type table -------------------------------------------------------------


def test_every_csl_type_has_a_row_and_comes_back_as_it_went_out() -> None:
    assert sorted(t.csl for t in TYPES) == sorted(CSL_TYPES)
    for csl_type in CSL_TYPES:
        name = from_csl(csl_type)
        assert name is not None and work_type(name).csl == csl_type
        record = parse_record({"type": name, "key": "k", "container_title": "C"})
        assert record.type == name and type(record) is WORK_TYPES[name]
    assert [t.name for t in TYPES[:8]] == list(CORE_TYPES)
    assert {t.nearest for t in TYPES} <= set(CORE_TYPES)


def test_every_type_has_its_own_biblatex_type_and_subtype() -> None:
    seen = {}
    for t in TYPES:
        assert (t.biblatex, t.subtype) not in seen, (t.name, seen.get((t.biblatex, t.subtype)))
        seen[(t.biblatex, t.subtype)] = t.name
        assert from_bibtex(t.biblatex, t.subtype)[0] == t.name
    # BibLaTeX's other types, and classic BibTeX's, are read as the nearest type
    assert from_bibtex("mvbook") == ("book", False)
    assert from_bibtex("inreference") == ("encyclopedia_entry", False)
    assert from_bibtex("phdthesis") == ("thesis", False)
    assert from_bibtex("booklet") == ("pamphlet", False)
    assert from_bibtex("unpublished") == ("manuscript", False)
    assert from_bibtex("article", "magazine") == ("magazine_article", True)
    assert from_bibtex("article", "nonsense") == ("article", False)
    assert from_bibtex("nosuchtype") == ("misc", False)


def test_formats_read_the_one_table() -> None:
    from citeshelf.formats import ris
    from citeshelf.formats.bibtex import TYPES_IN

    for t in TYPES:
        assert csljson.CSL_TYPE_OUT[t.name] == t.csl and csljson.CSL_TYPES_IN[t.csl] == t.name
        assert ris.RIS_TYPE_OUT[t.name] == t.ris
        assert TYPES_IN[t.bibtex] == from_bibtex(t.bibtex)[0]
    assert ris.RIS_TYPES_IN["DATA"] == "dataset" and ris.RIS_TYPES_IN["EDBOOK"] == "book"


# -- the variables --------------------------------------------------------------


def test_every_csl_variable_has_a_typed_field() -> None:
    rows = {f.var: f.record for f in csljson.FIELDS}
    missing = [v for v in CSL_VARIABLES if v not in rows]
    assert missing == []
    for var in CSL_VARIABLES:
        for rtype, model in WORK_TYPES.items():
            homes = [f.record for f in csljson.FIELDS if f.var == var and rtype in f.types]
            assert homes and all(h in model.model_fields for h in homes), (var, rtype)
    assert set(NAME_LISTS) <= set(WORK_TYPES["misc"].model_fields)
    assert WORK_TYPES["dataset"].model_config["extra"] == "forbid"


def _blx_dm_fields() -> list[str]:
    kpsewhich = shutil.which("kpsewhich")
    path = ""
    if kpsewhich:
        path = subprocess.run(
            [kpsewhich, "blx-dm.def"], capture_output=True, text=True, check=False
        ).stdout.strip()
    if not path or not Path(path).is_file():
        pytest.skip("biblatex's blx-dm.def is not installed (kpsewhich blx-dm.def finds nothing)")
    text = re.sub(r"%.*", "", Path(path).read_text(encoding="utf-8"))
    names: list[str] = []
    for body in re.findall(r"\\DeclareDatamodelFields(?:\[[^\]]*\])?\{([^}]*)\}", text):
        names += [n.strip() for n in body.split(",") if n.strip()]
    assert len(names) > 120, "blx-dm.def was not read"
    return names


def test_every_field_of_bibers_default_data_model_is_in_the_table() -> None:
    """Each field maps to a record field (a row of FIELDS), is handled by a step
    of its own (APART), or is kept verbatim in extra under its name (KEPT,
    with the reason)."""
    mapped = {n for f in FIELDS for n in f.names_read}
    missing = [n for n in _blx_dm_fields() if n not in mapped | set(KEPT) | set(APART)]
    assert missing == []


# -- record files ---------------------------------------------------------------


@pytest.mark.parametrize("rtype", CORE_TYPES)
def test_the_core_types_keep_their_file_order(rtype: str) -> None:
    order = file_order(WORK_TYPES[rtype])
    old = LEGACY_HEAD + LEGACY_OWN[rtype] + LEGACY_TAIL
    assert [n for n in order if n in old] == old
    # the new fields come after the old ones and before the descriptive ones
    at = order.index(LEGACY_OWN[rtype][-1])
    assert order[at + 1 : -len(LEGACY_TAIL)] == tuple(n for n in order if n not in old), (
        "a new field sits among the old ones"
    )


def _record_files() -> list[Path]:
    out = []
    for p in [
        *sorted((ROOT / "records").glob("*.json")),
        *(ROOT / "tests" / "fixtures").rglob("*.json"),
    ]:
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
        if isinstance(data, dict) and "type" in data and "key" in data:
            out.append(p)
    return out


def test_every_record_file_loads_and_keeps_its_bytes() -> None:
    files = _record_files()
    assert len(files) >= 19
    for p in files:
        text = p.read_text(encoding="utf-8")
        assert dumps_record(parse_record(json.loads(text))) == text, p


# -- round trips ----------------------------------------------------------------

_TEXT = st.text(
    st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=0x24F), min_size=1
).map(lambda s: "W" + s)
_NUMBER = st.integers(1, 999).map(str)
_DATE = st.sampled_from(["2020", "2019-06", "2019-06-03", "2019-06-03/2019-06-05", "1851"])
_NAME = st.builds(
    lambda f, g: {"family": "F" + f, "given": "G" + g},
    st.text("abcdefghij", min_size=1, max_size=6),
    st.text("abcdefghij", min_size=1, max_size=6),
)
#: fields whose values need a form of their own, or that a format writes apart
_SPECIAL = {
    "type", "key", "extra", "added", "modified", "authors_et_al", "editors_et_al", "parent",
    "tags", "isbn", "keywords", "doi", "url", "degree", "issn", "pages", "status", "title",
    "related",
}  # fmt: skip
_NUMBERS = {
    "edition", "volume", "chapter", "issue", "number", "collection_number", "number_of_pages",
    "number_of_volumes", "part_number", "printing_number", "supplement_number", "section",
    "version", "pmid",
}  # fmt: skip
#: where a format has one place for two fields, the one it keeps
_ONE_PLACE = {("webpage", "howpublished")}


def _value(name: str, annotation: str) -> st.SearchStrategy:
    if name in NAME_LISTS:
        return st.lists(_NAME, min_size=1, max_size=2)
    if "Date" in annotation:
        return _DATE
    if name in _NUMBERS:
        return _NUMBER
    return _TEXT


@st.composite
def records(draw: st.DrawFn) -> object:
    rtype = draw(st.sampled_from(list(WORK_TYPES)))
    model = WORK_TYPES[rtype]
    data: dict[str, object] = {"type": rtype, "key": "k1", "title": "A title"}
    for name, info in model.model_fields.items():
        if name in _SPECIAL or (work_type(rtype).model, name) in _ONE_PLACE:
            continue
        data[name] = draw(_value(name, str(info.annotation)))
    data["pages"] = draw(st.sampled_from(["10", "10-20", "xii-xv"]))
    data["status"] = draw(st.sampled_from(["in press", "forthcoming", "submitted"]))
    data["related"] = draw(
        st.sampled_from(
            [[], [{"type": "reviewof", "key": "k2"}], [{"type": "translationof", "key": "k3"}]]
        )
    )
    return parse_record(data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_a_record_with_every_field_survives_csl_json(record) -> None:
    item = csljson.record_to_csl(record)
    assert csljson.record_from_csl(json.loads(json.dumps(item))) == record
    # every CSL variable travels as one, not in citeshelf's own custom part
    own = set(item.get("custom", {}).get("citeshelf", {}))
    # (the title is written with its subtitle: "Title: Subtitle", told apart in custom)
    # (and a report's publisher beside its institution: one CSL publisher for two fields)
    rows = [f for f in csljson.FIELDS if record.type in f.types]
    csl_named = (
        {f.record for f in rows} - {"title"} - {f.record for f in rows if f.kind == "fallback"}
    )
    assert own & csl_named == set(), own & csl_named


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records(), st.sampled_from(["biblatex", "bibtex"]))
def test_a_record_with_every_field_survives_bibtex(record, dialect) -> None:
    parsed = parse_bibtex(write_bibtex([record], dialect=dialect))
    assert parsed.invalid == [] and parsed.warnings == []
    (back,) = parsed.records
    assert back.to_json_dict() == record.to_json_dict()


def test_every_field_row_is_written_for_every_type() -> None:
    for rtype in WORK_TYPES:
        written = {f.record for f in write_rows(rtype)}
        fields = set(WORK_TYPES[rtype].model_fields) - {
            "type", "key", "extra", "added", "modified", "authors_et_al", "editors_et_al",
            "parent", "issued", "related",
        }  # fmt: skip
        assert fields - written <= {"howpublished"}, (rtype, fields - written)


# -- CSL-JSON as a Zotero user has it ----------------------------------------------

ITEMS = [
    {
        "id": "smith2020survey",
        "type": "dataset",
        "title": "Household survey 2019",
        "author": [{"family": "Smith", "given": "Ann"}],
        "issued": {"date-parts": [[2020]]},
        "publisher": "Zenodo",
        "version": "2.1",
        "medium": "CSV",
        "genre": "Survey data",
        "DOI": "10.5281/zenodo.123456",
    },
    {
        "id": "roe2019review",
        "type": "review-book",
        "title": "Old wars, new books",
        "author": [{"family": "Roe", "given": "Rita"}],
        "reviewed-title": "The long peace",
        "reviewed-author": [{"family": "Gaddis", "given": "John Lewis"}],
        "container-title": "Survival",
        "volume": "61",
        "issue": 3,
        "page": "201-203",
        "issued": {"date-parts": [[2019, 6]]},
    },
    {
        "id": "doe2025press",
        "type": "article-journal",
        "title": "Alliances in flux",
        "author": [{"family": "Doe", "given": "Jane"}],
        "container-title": "International Security",
        "status": "in press",
    },
    {
        "id": "r2023software",
        "type": "software",
        "title": "R: a language and environment for statistical computing",
        "author": [{"literal": "R Core Team"}],
        "publisher": "R Foundation for Statistical Computing",
        "publisher-place": "Vienna",
        "version": "4.3.1",
        "URL": "https://www.R-project.org/",
        "issued": {"date-parts": [[2023]]},
    },
    {
        "id": "hale1851letter",
        "type": "manuscript",
        "title": "Letter to the governor",
        "author": [{"family": "Hale", "given": "Edward"}],
        "recipient": [{"family": "Boutwell", "given": "George"}],
        "issued": {"date-parts": [[1851, 3, 4]]},
        "archive": "Massachusetts Historical Society",
        "archive_location": "Box 3, folder 12",
        "archive-place": "Boston",
        "genre": "Letter",
    },
]


def test_a_zotero_file_imports_with_nothing_named_in_extra_and_show_shows_it(
    cs, empty_lib: Path, tmp_path: Path
) -> None:
    from citeshelf.library import Library

    f = tmp_path / "zotero.json"
    f.write_text(json.dumps(ITEMS), encoding="utf-8")
    r = cs(empty_lib, "import", str(f))
    assert (r.exit_code, r.stdout) == (
        0,
        "imported 5, skipped as duplicate 0, skipped as invalid 0\n",
    ), r.stderr
    lib = Library(empty_lib)
    csl_names = set(CSL_VARIABLES)
    for item in ITEMS:
        record = lib.get(str(item["id"]))
        assert set(record.extra) & csl_names == set(), record.extra
        assert record.type == from_csl(str(item["type"]))
    review = lib.get("roe2019review")
    assert (review.reviewed_title, review.reviewed_authors[0].family) == (
        "The long peace",
        "Gaddis",
    )
    assert (review.journal, review.issue, str(review.pages)) == ("Survival", "3", "201–203")
    assert lib.get("doe2025press").status == "in press"
    assert lib.get("smith2020survey").version == "2.1"
    ms = lib.get("hale1851letter")
    assert (ms.archive, ms.archive_location, ms.archive_place) == (
        "Massachusetts Historical Society",
        "Box 3, folder 12",
        "Boston",
    )
    out = cs(empty_lib, "show", "hale1851letter").stdout
    assert re.search(r"archive location\s+Box 3, folder 12", out), out
    assert re.search(r"recipients\s+Boutwell, George", out), out
    out = cs(empty_lib, "show", "roe2019review").stdout
    assert re.search(r"reviewed title\s+The long peace", out), out
    assert re.search(r"reviewed authors\s+Gaddis, John Lewis", out), out
    assert cs(empty_lib, "check").exit_code == 0
    # and every one formats in every style
    for style in ("apa", "chicago-notes", "chicago-author-date"):
        r = cs(empty_lib, "bibliography", "--style", style, *[str(i["id"]) for i in ITEMS])
        assert r.exit_code == 0, r.stderr
    r = cs(empty_lib, "cite", "smith2020survey", "--style", "apa", "--form", "reference")
    assert "Household survey 2019 (Version 2.1) [Data set]. Zenodo." in r.stdout, r.stdout


def test_the_csl_importer_keeps_and_warns_rather_than_refusing(
    cs, empty_lib: Path, tmp_path: Path
) -> None:
    items = [
        {"id": "a", "type": "article-journal", "title": "Two ranges", "page": "431-456, 791-823"},
        {
            "id": "b",
            "type": "chapter",
            "title": "Letters",
            "container-title": "B",
            "page": "M-1–M-14",
        },
        {
            "id": "c",
            "type": "webpage",
            "title": "Mirrors",
            "URL": ["https://example.org/a", "https://example.net/b"],
        },
        {"id": "d", "type": "book", "title": "A typo", "ISBN": "978-0-306-40615-8"},
        {"id": "e", "type": "book", "title": "Fine"},
    ]
    f = tmp_path / "messy.json"
    f.write_text(json.dumps(items), encoding="utf-8")
    r = cs(empty_lib, "import", str(f))
    assert r.stdout == "imported 5, skipped as duplicate 0, skipped as invalid 0\n", r.stderr
    warned = [line for line in r.stderr.splitlines() if "kept in extra" in line]
    assert len(warned) == 2, r.stderr
    assert f"{f}: entry 'a': item 1: field 'page' kept in extra: " in warned[0]
    assert "entry 'd': item 4: field 'ISBN'" in warned[1]
    from citeshelf.library import Library

    lib = Library(empty_lib)
    assert lib.get("a").pages is None and lib.get("a").extra == {"page": "431-456, 791-823"}
    # pages whose numbers hold hyphens, an en dash between them: a range
    b = lib.get("b")
    assert (b.pages.start, b.pages.end, b.extra) == ("M-1", "M-14", {})
    c = lib.get("c")
    assert (c.url, c.extra) == ("https://example.org/a", {"urls": ["https://example.net/b"]})
    assert lib.get("d").extra == {"ISBN": "978-0-306-40615-8"}
    # what was kept goes back out as it came
    item = csljson.record_to_csl(lib.get("a"))
    assert item["page"] == "431-456, 791-823"


# -- check, add, list -------------------------------------------------------------


def test_check_moves_fields_kept_under_a_csl_or_bibtex_name(cs, empty_lib: Path) -> None:
    (empty_lib / "old.json").write_text(
        json.dumps(
            {
                "type": "book",
                "key": "old",
                "title": "Old import",
                "extra": {"collection-number": "14", "volumes": "3", "bibtex_type": "mvbook"},
            }
        ),
        encoding="utf-8",
    )
    r = cs(empty_lib, "check")
    assert r.stdout.splitlines()[:2] == [
        "warning extra-named-field: 'old' keeps BibTeX's volumes in extra ('3'): it is "
        "number_of_volumes ('citeshelf check --fix': move extra.volumes to number_of_volumes)",
        "warning extra-named-field: 'old' keeps CSL's collection-number in extra ('14'): it is "
        "collection_number ('citeshelf check --fix': move extra.collection-number to "
        "collection_number)",
    ]
    cs(empty_lib, "check", "--fix")
    data = json.loads((empty_lib / "old.json").read_text(encoding="utf-8"))
    assert (data["number_of_volumes"], data["collection_number"], data["extra"]) == (
        "3",
        "14",
        {"bibtex_type": "mvbook"},
    )


def test_add_and_list_know_the_new_types(cs, empty_lib: Path) -> None:
    r = cs(
        empty_lib, "add", "dataset", "--title", "Survey", "--year", "2020",
        "--version", "2", "--medium", "CSV", "--author", "Smith, Ann",
    )  # fmt: skip
    assert (r.exit_code, r.stdout) == (0, "smith2020survey\n"), r.stderr
    r = cs(empty_lib, "add", "review", "--title", "On peace", "--reviewed-title", "Peace")
    assert r.exit_code == 0, r.stderr
    data = json.loads((empty_lib / "smith2020survey.json").read_text(encoding="utf-8"))
    assert (data["type"], data["version"], data["medium"]) == ("dataset", "2", "CSV")
    r = cs(empty_lib, "list", "type:dataset")
    assert r.exit_code == 0 and "smith2020survey" in r.stdout and "On peace" not in r.stdout
    r = cs(empty_lib, "add", "book", "--title", "T", "--version", "2")
    assert r.stderr == (
        "citeshelf: error: --version is for a dataset or software, not a book "
        "(give it as --field version=VALUE)\n"
    )
    r = cs(empty_lib, "add", "book", "--title", "T", "--field", "version=2")
    assert r.exit_code == 0, r.stderr


@pytest.mark.parametrize("rtype", list(WORK_TYPES))
def test_every_type_formats_in_every_style(rtype: str) -> None:
    from citeshelf.styles import format_bibliography, format_citation, format_reference, to_text

    data = {
        "type": rtype,
        "key": "k",
        "title": "A title",
        "authors": ["Doe, Jane"],
        "issued": "2020",
        "publisher": "Pub",
        "container_title": "Container",
        "pages": "1-5",
        "genre": "Kind",
    }
    record = parse_record(data)
    # A case, act or treaty is cited by its name, as the Bluebook does (APA 11, CMOS 14.269 ff.).
    legal = rtype in ("legal_case", "legislation", "bill", "regulation", "treaty")
    for style in ("apa", "chicago-notes", "chicago-author-date"):
        assert to_text(format_reference(record, style)).startswith("A Title" if legal else "Doe")
        assert to_text(format_citation([record], style))
        assert len(format_bibliography([record], style)) == 1
