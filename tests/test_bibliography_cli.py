"""citeshelf bibliography: order, letters, dashes, formats, --query, --json, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from citeshelf import exitcodes

from .conftest import need_csl_style, snapshot

U9 = "https://www.elgaronline.com/view/edcoll/9781781953167/9781781953167.00019.xml"
U34 = "https://www.elgaronline.com/view/9781781953167.00046.xml"
U32 = "https://www.elgaronline.com/view/edcoll/9781781953167/9781781953167.00044.xml"
Q = "author:cottey OR author:sperling"


def test_apa_sorted_with_letters(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "bibliography", "--query", Q)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines() == [
        f"Cottey, A. (2014a). Europe. In J. Sperling (Ed.), Handbook of governance and security (Chapter 9). Edward Elgar Publishing. {U9}",
        f"Cottey, A. (2014b). NATO. In J. Sperling (Ed.), Handbook of governance and security (Chapter 34). Edward Elgar Publishing. {U34}",
        f"Sperling, J. (2014). European Union. In J. Sperling (Ed.), Handbook of governance and security (Chapter 32). Edward Elgar Publishing. {U32}",
    ]


def test_chicago_17_author_date_html_with_dash(cs, handbook_lib: Path) -> None:
    r = cs(
        handbook_lib,
        "bibliography",
        "-q",
        Q,
        "-s",
        "chicago-author-date",
        "--edition",
        "17",
        "--format",
        "html",
    )
    assert r.stdout.splitlines() == [
        '<div class="csl-bib-body" data-style="chicago-author-date" data-edition="17">',
        f'  <div class="csl-entry">Cottey, Andrew. 2014a. “Europe.” Chap. 9 in <i>Handbook of Governance and Security</i>, '
        f'edited by James Sperling. Cheltenham, UK: Edward Elgar Publishing. <a href="{U9}">{U9}</a>.</div>',
        f'  <div class="csl-entry">———. 2014b. “NATO.” Chap. 34 in <i>Handbook of Governance and Security</i>, '
        f'edited by James Sperling. Cheltenham, UK: Edward Elgar Publishing. <a href="{U34}">{U34}</a>.</div>',
        f'  <div class="csl-entry">Sperling, James. 2014. “European Union.” Chap. 32 in <i>Handbook of Governance and Security</i>, '
        f'edited by James Sperling. Cheltenham, UK: Edward Elgar Publishing. <a href="{U32}">{U32}</a>.</div>',
        "</div>",
    ]


def test_chicago_18_notes_repeats_the_name(cs, handbook_lib: Path) -> None:
    r = cs(
        handbook_lib, "bibliography", "cottey2014nato", "cottey2014europe", "-s", "chicago-notes"
    )
    lines = r.stdout.splitlines()
    assert [ln.split("“")[0] for ln in lines] == ["Cottey, Andrew. ", "Cottey, Andrew. "]
    assert "———" not in r.stdout


def test_keys_markdown(cs, handbook_lib: Path) -> None:
    r = cs(
        handbook_lib,
        "bibliography",
        "sperling2014handbook",
        "aris2014collective",
        "-s",
        "chicago-notes",
        "--format",
        "markdown",
    )
    assert r.stdout == (
        "Aris, Stephen. “Collective Security Treaty Organization.” Chap. 30 in *Handbook of Governance and Security*, "
        "edited by James Sperling. Edward Elgar Publishing, 2014. <https://www.elgaronline.com/view/9781781953167.00042.xml>.\n"
        "\n"
        "Sperling, James, ed. *Handbook of Governance and Security*. Edward Elgar Publishing, 2014.\n"
    )


def test_whole_library_json_in_style_order(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "bibliography", "--json", "-s", "chicago-author-date")
    data = json.loads(r.stdout)
    keys = [d["key"] for d in data]
    assert len(keys) == len(list(handbook_lib.glob("*.json")))
    assert keys[:3] == ["aris2014collective", "boin2014transboundary", "bujun2014regional"]
    assert all(set(d) == {"key", "text", "html", "style", "edition"} for d in data)
    assert all(d["edition"] == 18 for d in data)
    # Sperling's chapter and his edited book: the same authors and year -> a, b
    sperling = [d["text"] for d in data if d["key"].startswith("sperling2014")]
    assert any(t.startswith("Sperling, James. 2014a.") for t in sperling)
    assert any(t.startswith("Sperling, James, ed. 2014b.") for t in sperling)


def test_missing_keys_named(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "bibliography", "aris2014collective", "nope1", "nope2")
    assert r.exit_code == exitcodes.NOT_FOUND
    assert "no records 'nope1', 'nope2'" in r.stderr and r.stdout == ""


def test_keys_and_query_together_is_a_usage_error(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "bibliography", "aris2014collective", "-q", "year:2014")
    assert r.exit_code == exitcodes.USAGE and "not both" in r.stderr


def test_query_without_matches(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "bibliography", "-q", "author:nobodyatall")
    assert r.exit_code == exitcodes.NOT_FOUND and "no record matches" in r.stderr


def test_unreadable_record_is_reported_not_dropped_silently(cs, handbook_lib: Path) -> None:
    (handbook_lib / "broken2020.json").write_text("{not json", encoding="utf-8")
    r = cs(handbook_lib, "bibliography", "-q", "type:book")
    assert r.exit_code == 0
    assert "broken2020" in r.stderr and "warning" in r.stderr
    assert r.stdout.startswith("Sperling, J. (Ed.). (2014).")


def test_bibliography_writes_nothing(cs, handbook_lib: Path) -> None:
    before = snapshot(handbook_lib)
    cs(handbook_lib, "bibliography", "-s", "chicago-notes")
    assert snapshot(handbook_lib) == before


def test_help_teaches(cs) -> None:
    r = cs(None, "bibliography", "--help")
    assert "citeshelf bibliography --query parent:sperling2014handbook -s chicago-notes" in r.stdout
    assert "3-em dash" in r.stdout


def test_csl_bibliography(cs, handbook_lib: Path) -> None:
    from citeshelf.styles.csl import pandoc_available

    if not pandoc_available():
        pytest.skip(
            "pypandoc-binary is not installed (pip install 'citeshelf[csl]'): --csl cannot be tested"
        )
    src = need_csl_style("chicago-author-date")
    style = handbook_lib.parent / "cad.csl"
    shutil.copy(src, style)
    r = cs(
        handbook_lib,
        "bibliography",
        "cottey2014nato",
        "cottey2014europe",
        "--csl",
        str(style),
        "--json",
    )
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert [d["key"] for d in data] == ["cottey2014europe", "cottey2014nato"]
    assert data[0]["text"].startswith("Cottey, Andrew. 2014a. “Europe.”")


def test_unreadable_file_is_reported_once_with_its_path(cs, handbook_lib) -> None:
    broken = handbook_lib / "broken.json"
    broken.write_text('{"type": "book", "key": "broken", "isbn": ["123"]}', encoding="utf-8")
    r = cs(handbook_lib, "bibliography", "--style", "apa", "--query", "type:book")
    assert r.exit_code == 0
    assert (
        r.stdout
        == "Sperling, J. (Ed.). (2014). Handbook of governance and security. Edward Elgar Publishing.\n"
    )
    assert r.stderr.count(str(broken)) == 1
    assert r.stderr.startswith(
        f"citeshelf: warning: skipped an unreadable record file: {broken}: field 'isbn'"
    )


def test_chapter_without_its_book_is_named_in_a_warning(cs, handbook_lib) -> None:
    (handbook_lib / "orph.json").write_text(
        '{"type": "chapter", "key": "orph", "title": "Lost chapter", "parent": "nothere"}',
        encoding="utf-8",
    )
    r = cs(handbook_lib, "bibliography", "--style", "apa", "--query", "key:orph")
    assert r.exit_code == 0
    assert r.stderr == (
        "citeshelf: warning: chapter 'orph' names parent 'nothere', which is not in the library: "
        "it is given without its book\n"
    )


# -- a reference list too large to hold: two passes, one record at a time ----


def test_arranged_in_two_passes_is_the_same_list(handbook_lib: Path) -> None:
    """arrange_bibliography + format_placed give format_bibliography's list,
    from a generator (nothing held but each record's sort data)."""
    from citeshelf.library import Library
    from citeshelf.library.parents import resolve_many
    from citeshelf.styles import arrange_bibliography, format_bibliography, format_placed

    lib = Library(handbook_lib)
    records = resolve_many(lib.load_all()[0], lib)
    by_key = {r.key: r for r in records}
    for style, edition in [
        ("apa", None),
        ("chicago-notes", 17),
        ("chicago-author-date", 17),
        ("chicago-author-date", 18),
    ]:
        whole = format_bibliography(records, style, edition)
        placed = arrange_bibliography((r for r in records), style, edition)
        assert [p.key for p in placed] == [e.key for e in whole]
        two = [format_placed(by_key[p.key], p, style, edition) for p in placed]
        assert [e.text for e in two] == [e.text for e in whole]
    dashed = [p.key for p in arrange_bibliography(records, "chicago-notes", 17) if p.repeated]
    assert "cottey2014nato" in dashed  # the second Cottey entry gets the 3-em dash
    assert {p.key: p.suffix for p in arrange_bibliography(records, "apa")}["cottey2014nato"] == "b"


def test_whole_library_list_is_read_one_record_at_a_time(handbook_lib: Path) -> None:
    """The whole library's list is a lazy sequence that reads each record as
    it is formatted: a record removed after the order was made is skipped with
    a warning, not a traceback."""
    from citeshelf.library import Library
    from citeshelf.ops.citing import bibliography

    lib = Library(handbook_lib)
    warned: list[str] = []
    result = bibliography(lib, style="apa", warn=warned.append)
    assert not isinstance(result.items, list)
    keys = [c.key for c in result.items]
    assert len(result.items) == len(keys) == len(lib.keys())
    assert result.items[0].key == keys[0]
    (handbook_lib / f"{keys[1]}.json").unlink()
    again = [c.key for c in result.items]
    assert again == keys[:1] + keys[2:]
    assert any(keys[1] in w and "changed while the list was made" in w for w in warned)


# -- personal communications: cited in the text only (APA 8.9; CMOS 14.214 (17th))

EMAIL = {
    "type": "personal_communication",
    "key": "ortiz2023email",
    "title": "Re: alliance archives",
    "authors": [{"family": "Ortiz", "given": "Elena"}],
    "genre": "Email",
    "issued": "2023-04-18",
}
KEPT_LETTER = {
    "type": "personal_communication",
    "key": "adams1821kept",
    "title": "Letter to Thomas Jefferson",
    "authors": [{"family": "Adams", "given": "John"}],
    "issued": "1821-05-19",
    "archive": "Massachusetts Historical Society",
}


@pytest.mark.parametrize("style", ["apa", "chicago-notes", "chicago-author-date"])
def test_a_personal_communication_is_left_out_with_a_warning(
    cs, handbook_lib: Path, style: str
) -> None:
    for record in (EMAIL, KEPT_LETTER):
        (handbook_lib / f"{record['key']}.json").write_text(json.dumps(record), "utf-8")
    r = cs(handbook_lib, "bibliography", "-s", style, "ortiz2023email", "adams1821kept")
    assert r.exit_code == 0, r.stderr
    assert len(r.stdout.splitlines()) == 1 and "Adams" in r.stdout and "Ortiz" not in r.stdout
    assert r.stderr == (
        "citeshelf: warning: left out of the list: ortiz2023email (a personal communication"
        " is cited in the text only: APA 8.9, CMOS 14.214 (17th))\n"
    )
    # the whole library (read in two passes) leaves it out the same way
    whole = cs(handbook_lib, "bibliography", "-s", style)
    assert "Ortiz" not in whole.stdout and "Adams" in whole.stdout
    assert "left out of the list: ortiz2023email" in whole.stderr
    # and it is still cited in the text
    if style == "apa":
        cited = cs(handbook_lib, "cite", "ortiz2023email")
        assert cited.stdout == "(E. Ortiz, personal communication, April 18, 2023)\n"
