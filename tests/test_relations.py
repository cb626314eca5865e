"""Relations between records: ``parent`` for any part (a chapter's book, a
paper's proceedings, a volume's set) and ``related`` links (a reprint's
original, a reviewed work): re-pointed by rekey and merge, guarded by rm,
reported by check, listed by chapters."""

from __future__ import annotations

import json
from pathlib import Path

from citeshelf.library import Library
from citeshelf.model import parse_record
from citeshelf.model.inherit import chapter_view
from citeshelf.model.relations import Relation, links, repoint


def write(lib: Path, **data) -> None:
    Library(lib).create(parse_record(data))


def small_lib(lib: Path) -> None:
    write(lib, type="book", key="orig1851", title="Moby-Dick", issued="1851")
    write(
        lib,
        type="book",
        key="repr2003",
        title="Moby-Dick",
        issued="2003",
        related=[{"type": "reprintof", "key": "orig1851"}],
    )
    write(
        lib,
        type="article",
        key="review2004",
        title="A whale again",
        related=[{"type": "reviewof", "key": "repr2003"}],
    )


def test_a_relation_is_stored_compactly_and_old_files_keep_their_bytes(empty_lib: Path) -> None:
    small_lib(empty_lib)
    data = json.loads((empty_lib / "repr2003.json").read_text(encoding="utf-8"))
    assert data["related"] == [{"type": "reprintof", "key": "orig1851"}]
    record = Library(empty_lib).get("repr2003")
    assert links(record) == [("reprintof", "orig1851")]
    assert "related" not in json.loads((empty_lib / "orig1851.json").read_text(encoding="utf-8"))


def test_a_chapter_file_keeps_parent_where_it_was(handbook_lib: Path) -> None:
    path = handbook_lib / "aris2014collective.json"
    before = path.read_bytes()
    lib = Library(handbook_lib)
    record = lib.get("aris2014collective")
    lib.update(record, touch=False)
    assert path.read_bytes() == before


def test_repoint_moves_parent_and_relations_and_drops_self_links() -> None:
    r = parse_record(
        {
            "type": "book",
            "key": "v2",
            "parent": "set",
            "related": [
                {"type": "translationof", "key": "set"},
                {"type": "related", "key": "v2b"},
            ],
        }
    )
    moved = repoint(r, "set", "set2")
    assert moved.parent == "set2" and [x.key for x in moved.related] == ["set2", "v2b"]
    assert repoint(r, "nothing", "x") is None
    selfish = repoint(r, "v2b", "v2")
    assert selfish.related == [Relation(type="translationof", key="set")]


def test_rekey_re_points_relations(cs, empty_lib: Path) -> None:
    small_lib(empty_lib)
    r = cs(empty_lib, "rekey", "repr2003", "melville2003moby", "--yes")
    assert r.exit_code == 0, r.stderr
    lib = Library(empty_lib)
    assert lib.get("review2004").related == [Relation(type="reviewof", key="melville2003moby")]
    assert lib.get("melville2003moby").related == [Relation(type="reprintof", key="orig1851")]
    assert cs(empty_lib, "check").exit_code == 0


def test_merge_re_points_the_relations_of_the_merged_away_record(cs, empty_lib: Path) -> None:
    small_lib(empty_lib)
    write(empty_lib, type="book", key="repr2003b", title="Moby-Dick", issued="2003")
    r = cs(empty_lib, "merge", "repr2003b", "repr2003")
    assert r.exit_code == 0, r.stderr
    lib = Library(empty_lib)
    assert lib.get("review2004").related == [Relation(type="reviewof", key="repr2003b")]
    # the kept record takes the other's relations
    assert lib.get("repr2003b").related == [Relation(type="reprintof", key="orig1851")]


def test_check_reports_a_dangling_relation_naming_both_keys(cs, empty_lib: Path) -> None:
    write(
        empty_lib,
        type="article",
        key="review2004",
        title="A whale again",
        related=[{"type": "reviewof", "key": "gone2003"}],
    )
    r = cs(empty_lib, "check")
    assert (
        "warning dangling-relation: 'review2004' names 'gone2003' as reviewof, which is not "
        "in the library: add it, or 'citeshelf edit review2004' to drop the relation"
    ) in r.stdout


def test_rm_refuses_a_record_others_name_unless_forced(cs, empty_lib: Path) -> None:
    small_lib(empty_lib)
    r = cs(empty_lib, "rm", "orig1851", "--yes")
    assert r.exit_code == 5
    assert r.stderr == (
        "citeshelf: error: 'orig1851' is named in the relations of repr2003 (reprintof): remove "
        "it anyway with --force (their relations are then reported by 'citeshelf check'), or "
        "edit them first\n"
    )
    assert (empty_lib / "orig1851.json").exists()
    # removed together with the record that names it: nothing is left dangling
    r = cs(empty_lib, "rm", "orig1851", "repr2003", "review2004", "--yes")
    assert r.exit_code == 0, r.stderr


def test_rm_force_leaves_the_relation_for_check(cs, empty_lib: Path) -> None:
    small_lib(empty_lib)
    r = cs(empty_lib, "rm", "orig1851", "--yes", "--force")
    assert (r.exit_code, r.stdout) == (0, "removed orig1851\n")
    assert "'repr2003' names 'orig1851' as reprintof" in cs(empty_lib, "check").stdout


def test_a_volume_takes_from_its_set_and_chapters_lists_the_volumes(cs, empty_lib: Path) -> None:
    write(
        empty_lib,
        type="book",
        key="knuth-set",
        title="The art of computer programming",
        authors=["Knuth, Donald E."],
        publisher="Addison-Wesley",
        place="Reading, MA",
    )
    write(empty_lib, type="book", key="taocp2", title="Seminumerical algorithms", volume="2",
          issued="1969", parent="knuth-set")  # fmt: skip
    write(empty_lib, type="book", key="taocp1", title="Fundamental algorithms", volume="1",
          issued="1968", parent="knuth-set")  # fmt: skip
    lib = Library(empty_lib)
    view = chapter_view(lib.get("taocp2"), lib.get("knuth-set"), "style")
    assert (view.publisher, view.place, view.authors[0].family) == (
        "Addison-Wesley",
        "Reading, MA",
        "Knuth",
    )
    r = cs(empty_lib, "chapters", "knuth-set", "--json")
    assert [c["key"] for c in json.loads(r.stdout)["chapters"]] == ["taocp1", "taocp2"]
    r = cs(empty_lib, "check")
    assert "parent" not in r.stdout


def test_a_paper_takes_its_proceedings(cs, empty_lib: Path) -> None:
    write(empty_lib, type="book", key="proc2020", title="Proceedings of X", editors=["Doe, Jane"],
          publisher="ACM", issued="2020")  # fmt: skip
    write(empty_lib, type="paper", key="smith2020", title="A paper", authors=["Smith, A"],
          parent="proc2020")  # fmt: skip
    lib = Library(empty_lib)
    view = chapter_view(lib.get("smith2020"), lib.get("proc2020"), "csl-json")
    assert (view.container_title, view.publisher, str(view.issued.year)) == (
        "Proceedings of X",
        "ACM",
        "2020",
    )
    r = cs(empty_lib, "export", "smith2020", "--format", "csl-json")
    item = {i["id"]: i for i in json.loads(r.stdout)}["smith2020"]
    assert (item["container-title"], item["publisher"], item["editor"][0]["family"]) == (
        "Proceedings of X",
        "ACM",
        "Doe",
    )


REL_BIB = r"""@mvbook{set, author={Knuth, Donald}, title={The art of computer programming}, publisher={Addison-Wesley}}
@book{vol1, title={Fundamental algorithms}, volume={1}, year={1968}, crossref={set}}
@proceedings{proc, editor={Doe, Jane}, title={Proceedings of X}, year={2020}, publisher={ACM}}
@inproceedings{pap, author={Smith, A.}, title={A paper}, crossref={proc}, pages={1--10}}
@book{orig, author={Melville, Herman}, title={Moby-Dick}, year={1851}}
@book{repr, author={Melville, Herman}, title={Moby-Dick}, year={2003}, related={orig}, relatedtype={reprintof}}
@article{rev, author={Critic, A.}, title={Whales}, journal={J}, year={2004}, related={repr, orig}, relatedtype={reviewof}, relatedstring={Review of}, relatedoptions={skipbib}}
"""


def test_relations_and_parents_round_trip_through_biblatex() -> None:
    from citeshelf.formats.bibtex import parse_bibtex, write_bibtex

    parsed = parse_bibtex(REL_BIB)
    assert not parsed.invalid and not parsed.warnings
    recs = {r.key: r for r in parsed.records}
    assert (recs["vol1"].parent, recs["pap"].parent) == ("set", "proc")
    assert recs["repr"].related == [Relation(type="reprintof", key="orig")]
    assert recs["rev"].related == [
        Relation(type="reviewof", key="repr", string="Review of", options="skipbib"),
        Relation(type="reviewof", key="orig", string="Review of", options="skipbib"),
    ]
    text = write_bibtex(parsed.records, dialect="biblatex")
    assert (
        "@article{rev,\n  author = {Critic, A.},\n  title = {Whales},\n  journaltitle = {J},\n"
        "  date = {2004},\n  related = {repr, orig},\n  relatedtype = {reviewof},\n"
        "  relatedstring = {Review of},\n  relatedoptions = {skipbib},\n}\n"
    ) in text
    # biblatex: the source's crossref is written again (extra.bibtex_crossref), so biber
    # hands each part its parent's fields as it did from the source
    assert "crossref = {set}" in text and "crossref = {proc}" in text
    again = {r.key: r for r in parse_bibtex(text).records}
    assert {k: (r.parent, r.related) for k, r in again.items()} == {
        k: (r.parent, r.related) for k, r in recs.items()
    }


def test_two_kinds_of_relation_survive_in_numbered_fields() -> None:
    from citeshelf.formats.bibtex import parse_bibtex, write_bibtex

    r = parse_record(
        {
            "type": "book",
            "key": "t",
            "related": [
                {"type": "translationof", "key": "a"},
                {"type": "reprintof", "key": "b"},
            ],
        }
    )
    text = write_bibtex([r], dialect="biblatex")
    assert "related = {a},\n  relatedtype = {translationof}," in text
    assert "related2 = {b}" in text and "relatedtype2 = {reprintof}" in text
    assert parse_bibtex(text).records[0].related == r.related


def test_relations_travel_in_csl_json_custom_and_come_back() -> None:
    from citeshelf.formats.csljson import record_from_csl, record_to_csl

    r = parse_record(
        {"type": "book", "key": "repr", "related": [{"type": "reprintof", "key": "orig"}]}
    )
    item = record_to_csl(r)
    assert item["custom"]["citeshelf"]["related"] == [{"type": "reprintof", "key": "orig"}]
    assert record_from_csl(item).related == r.related


def test_a_relation_to_a_missing_entry_is_kept_and_check_reports_it(cs, empty_lib, tmp_path):
    bib = tmp_path / "d.bib"
    bib.write_text("@article{dang, title={T}, journal={J}, year={2004}, related={nothere}}\n")
    assert cs(empty_lib, "import", str(bib)).exit_code == 0
    assert "'dang' names 'nothere' as related" in cs(empty_lib, "check").stdout
