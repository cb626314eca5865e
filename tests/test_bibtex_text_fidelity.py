"""Text fields come back from a BibLaTeX export as biber saw them in the
source: TeX's spacing (control space, italic correction, line break), brace
groups inside brace groups, groups that open with a command, braces around
math, ``\\mbox`` and names that are one macro, while the record holds
canonical rich text whose plain text (CSL-JSON, RIS, the styles) carries no
TeX."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from citeshelf.formats import csljson
from citeshelf.formats.bibtex import parse_bibtex, write_bibtex
from citeshelf.formats.ris import write_ris
from citeshelf.model import richtext
from citeshelf.styles.text import rich_runs

#: (source title, the record's title, its plain text) -- TUGboat's and xampl's titles
TITLES = [
    (r"{Author vs.\ proofreader}", r"Author vs.<tex>\ </tex>proofreader", "Author vs. proofreader"),
    (
        r"{GUTenberg Congrès:\ {\TeX} et les graphiques}",
        r"GUTenberg Congrès:<tex>\ </tex><tex>{\TeX}</tex> et les graphiques",
        "GUTenberg Congrès: TeX et les graphiques",
    ),
    (
        r"{Aston \ ({\tt uk.ac.tex})}",
        r"Aston <tex>\ </tex>(<tex>{\tt uk.ac.tex}</tex>)",
        "Aston  (uk.ac.tex)",
    ),
    (
        r"{{\VAX}\slash {VMS} site report}",
        r"<tex>{\VAX}</tex><tex>\slash </tex>VMS site report",
        "VAX/VMS site report",
    ),
    (
        r"{{UK\TeX} and the Aston archive}",
        r"UK<tex>\TeX</tex> and the Aston archive",
        "UKTeX and the Aston archive",
    ),
    (
        r"{{\TeX} vs.\ INI\TeX}",
        r"<tex>{\TeX}</tex> vs.<tex>\ </tex>INI<tex>\TeX</tex>",
        "TeX vs. INITeX",
    ),
    (
        r"Creation of a {{\PS{} Type 1}} logo font",
        r"Creation of a <tex>{{\PS{} Type 1}}</tex> logo font",
        "Creation of a PS Type 1 logo font",
    ),
    (r"{The {\LaTeX3} Project}", r"The <tex>{\LaTeX3}</tex> Project", "The LaTeX3 Project"),
    (
        r"Hypertext capabilities with {pdf\/\LaTeX}",
        r"Hypertext capabilities with pdf<tex>\/</tex><tex>\LaTeX</tex>",
        "Hypertext capabilities with pdfLaTeX",
    ),
    (
        r"{You meet the nicest people \dots\ Father Everett Larguier}",
        "You meet the nicest people … Father Everett Larguier",
        "You meet the nicest people … Father Everett Larguier",
    ),
    (
        r"A Combat Surgeon in {World War II}\@",
        r"A Combat Surgeon in World War II<tex>\@</tex>",
        "A Combat Surgeon in World War II",
    ),
    (
        r"Actes des {Journ}{\'{}ees} sur la {Manipulation}",
        r"Actes des Journ<tex>\'{}</tex>ees sur la Manipulation",
        "Actes des Journ\u0301ees sur la Manipulation",
    ),
    (
        r"{{\sc METAOBJ}}\/: Very high-level objects in {\MP}",
        r'<span class="nocase"><sc>METAOBJ</sc></span><tex>\/</tex>: Very high-level objects in'
        r" <tex>{\MP}</tex>",
        "METAOBJ: Very high-level objects in MetaPost",
    ),
    (
        r"An International Version of {\em {MakeIndex}}",
        r'An International Version of <i><span class="nocase">MakeIndex</span></i>',
        "An International Version of MakeIndex",
    ),
    (
        r"An {$O(n \log n / \! \log\log n)$} Sorting Algorithm",
        r"An <math>O(n \log n / \! \log\log n)</math> Sorting Algorithm",
        None,
    ),
]


#: titles written otherwise than the source wrote them (the same to biber once
#: the benchmark's normalisations apply: the ellipsis is the character)
WRITTEN = {
    r"{You meet the nicest people \dots\ Father Everett Larguier}": (
        "{You meet the nicest people … Father Everett Larguier}"
    )
}


def _entry(title: str) -> str:
    return (
        f"@article{{t, author = {{Doe, Jane}}, title = {{{title}}}, journal = {{J}}, year = 1990}}"
    )


@pytest.mark.parametrize(("source", "stored", "plain"), TITLES)
def test_a_title_is_written_back_as_the_source_wrote_it(
    source: str, stored: str, plain: str | None
) -> None:
    rec = parse_bibtex(_entry(source)).records[0]
    assert rec.title == stored
    if plain is not None:
        assert richtext.plain(rec.title) == plain
    out = write_bibtex([rec], dialect="biblatex")
    assert f"  title = {{{WRITTEN.get(source, source)}}},\n" in out
    # and the export reads back as the same record
    assert parse_bibtex(out).records[0] == rec


def test_nested_braces_are_phrases_of_their_own() -> None:
    rec = parse_bibtex(_entry(r"{{\VAX}\slash {VMS} site report}")).records[0]
    assert rec.extra["protect"]["title"] == ["VAX/VMS site report", "VMS"]
    # a phrase in two pairs of braces is one phrase
    rec = parse_bibtex(_entry(r"Getting started with {{plas\TeX}}")).records[0]
    assert rec.extra.get("protect", {}).get("title", ["plasTeX"]) == ["plasTeX"]


def test_a_phrase_braced_outside_is_not_braced_again_inside_another() -> None:
    # {\-} stands alone after the group: the group's own soft hyphens are no phrases
    source = r"Algorithmes de gén{\-é\-}ra{\-}tion"
    rec = parse_bibtex(_entry(source)).records[0]
    out = write_bibtex([rec], dialect="biblatex")
    assert "title = {Algorithmes de gén{\\-é\\-}ra{\\-}tion}" in out


def test_a_phrase_a_writer_would_not_find_again_is_protected_in_place() -> None:
    # xampl.bib: the phrase "F" begins four other words; only French's is braced
    source = "Fighting Fire with Fire: Festooning {F}rench Phrases"
    rec = parse_bibtex(_entry(source)).records[0]
    assert (
        rec.title
        == 'Fighting Fire with Fire: Festooning <span class="nocase">F</span>rench Phrases'
    )
    assert rec.extra["protect"]["title"] == []
    assert richtext.plain(rec.title) == "Fighting Fire with Fire: Festooning French Phrases"
    assert f"title = {{{source}}}" in write_bibtex([rec], dialect="biblatex")
    assert csljson.record_to_csl(rec)["title"] == (
        'Fighting Fire with Fire: Festooning <span class="nocase">F</span>rench Phrases'
    )
    # phrases that find their places again stay phrases
    rec = parse_bibtex(_entry("The {NATO} and {NATO}")).records[0]
    assert rec.title == "The NATO and NATO"
    # texbook3.bib: {PC}{\TeX} and later {PC{\TeX}}, beside TeX, in place too
    source = r"{PC}{\TeX}. Prostoi: posobie \toenglish {PC{\TeX}}. {Simple} method \endtoenglish"
    rec = parse_bibtex(_entry(source)).records[0]
    assert rec.title.startswith('<span class="nocase">PC</span><tex>{\\TeX}</tex>. Prostoi')
    assert f"title = {{{source}}}" in write_bibtex([rec], dialect="biblatex")
    abstract = r"{\LaTeX} ist f{ür} Donald E. Knuths Satzsystem, für alle"
    bib = f"@article{{w, title = {{T}}, journal = {{J}}, year = 1993, abstract = {{{abstract}}}}}"
    rec = parse_bibtex(bib).records[0]
    assert 'f<span class="nocase">ür</span> Donald' in rec.abstract
    assert f"abstract = {{{abstract}}}" in write_bibtex([rec], dialect="biblatex")


def test_mbox_and_a_logo_before_a_space_are_kept() -> None:
    bib = (
        r"@article{m, title = {T}, journal = {\mbox{G-Animal's} Journal}, year = 1990,"
        "\n  abstract = {Plain \\TeX{}\n   is the common starting point}}"
    )
    rec = parse_bibtex(bib).records[0]
    assert rec.journal == "<tex>\\mbox{G-Animal's}</tex> Journal"
    assert richtext.plain(rec.journal) == "G-Animal's Journal"
    out = write_bibtex([rec], dialect="biblatex")
    assert "journaltitle = {\\mbox{G-Animal's} Journal}" in out
    assert "Plain \\TeX{}" in out  # the line break after the logo is not eaten


def test_braces_inside_markup_or_before_an_italic_correction_stay_there() -> None:
    # a writer braces a phrase as far out as the markup lets it: around the
    # tag that holds just the phrase, and after the TeX that prints nothing
    # after it; where the source braced it further in, the braces stay in place
    for source in [
        # texbook3.bib: the braces inside the italics, not around them
        r"An International Version of {\em {MakeIndex}}",
        r"An International Version of {{\em MakeIndex}}",
        r"Version of \emph{{MakeIndex}}",
        r"Version of {\emph{MakeIndex}}",
        # tugboat.bib: the italic correction after the group, not in it
        r"{{\sc METAOBJ}}\/: Very high-level objects in {\MP}",
        r"{{\sc METAOBJ}\/}: Very high-level objects in {\MP}",
        r"The {Word}\/ and {More\/} words",
    ]:
        rec = parse_bibtex(_entry(source)).records[0]
        assert "{" not in richtext.plain(rec.title)
        out = write_bibtex([rec], dialect="biblatex")
        assert f"  title = {{{source}}},\n" in out
        assert parse_bibtex(out).records[0] == rec
    # braced where a writer braces it, the phrase stays a phrase (no span in the text)
    rec = parse_bibtex(_entry(r"An International Version of {{\em MakeIndex}}")).records[0]
    assert rec.title == "An International Version of <i>MakeIndex</i>"
    assert rec.extra["protect"]["title"] == ["MakeIndex"]


def test_an_accent_over_nothing_in_a_name_is_kept() -> None:
    # texbook3.bib: {\'{}} is an accent over an empty box, not a letter's accent
    bib = (
        "@article{j, author = {Jackowski, Bogus{\\l}aw and Ry{\\'{}cko}, Marek},"
        " title = {T}, journal = {J}, year = 1988}"
    )
    rec = parse_bibtex(bib).records[0]
    assert rec.extra["bibtex_names"] == {"authors": ["Ry{\\'{}cko}, Marek"]}
    for ascii in (False, True):
        out = write_bibtex([rec], dialect="biblatex", ascii=ascii)
        assert "Ry{\\'{}cko}, Marek}," in out
        assert parse_bibtex(out).records[0] == rec
    # no TeX in the names the record holds
    assert "\\" not in rec.authors[1].family and rec.authors[1].given == "Marek"


def test_a_name_that_is_one_macro_is_kept_and_written_back() -> None:
    bib = (
        "@article{r, author = {C. V. Radhakrishnan and \\Thanh and Ross Moore},"
        " title = {T}, journal = {J}, year = 2015}"
    )
    rec = parse_bibtex(bib).records[0]
    assert [p.literal or p.family for p in rec.authors] == ["Radhakrishnan", "Thanh", "Moore"]
    # how the source spelled it, by the record's name list (see formats/__init__.py)
    assert rec.extra["bibtex_names"] == {"authors": ["\\Thanh"]}
    out = write_bibtex([rec], dialect="biblatex")
    assert "author = {Radhakrishnan, C. V. and \\Thanh and Moore, Ross}" in out
    assert "bibtex_names" not in out
    # the CSL-JSON item names the person by the macro's name, without TeX
    item = csljson.record_to_csl(rec)
    assert item["author"][1] == {"family": "Thanh"}


def test_no_tex_leaks_into_csl_json_ris_or_the_styles() -> None:
    recs = [parse_bibtex(_entry(source)).records[0] for source, _, _ in TITLES]
    for rec in recs:
        title = csljson.record_to_csl(rec)["title"]
        assert "<tex>" not in title and "\\ " not in title and "\\/" not in title
    ris = write_ris(recs)
    assert "<tex>" not in ris and "\\ " not in ris and "\\/" not in ris and "\\@" not in ris
    assert "TI  - Author vs. proofreader" in ris
    for rec in recs:
        runs = "".join(str(r) for r in rich_runs(rec.title))
        assert "\\ " not in runs and "\\@" not in runs and "<tex>" not in runs


def test_the_fidelity_normalisations_keep_what_prints_differently() -> None:
    from .biber_fidelity import normalised

    assert normalised("\\TeX{}, a") == normalised("\\TeX, a")
    assert normalised("\\emdash {}Er") == normalised("\\emdash Er")
    assert normalised("Gö{}del") == "Gödel"
    assert normalised("difficult {\\dots}") == normalised("difficult …")
    assert normalised("Amiga\\dots or How") == normalised("Amiga…or How")
    assert normalised("1887--1902 ``a''") == normalised("1887–1902 “a”")
    assert normalised("with {{plas\\TeX}}") == normalised("with {plas\\TeX}")
    assert normalised("Devanāgarı\u0304{} support") == normalised("Devanāgarī support")
    # what prints differently stays different
    assert normalised("\\TeX{} users") != normalised("\\TeX users")
    assert normalised("{{\\TeX Live}}") != normalised("{\\TeX Live}")
    assert normalised("vs.\\ proofreader") != normalised("vs. proofreader")


def test_biber_sees_the_export_as_it_saw_the_source(tmp_path: Path) -> None:
    from .biber_fidelity import biber_resolved, compare, export_with_citeshelf

    if shutil.which("biber") is None:
        pytest.skip("biber not installed (Debian package biber)")
    original = tmp_path / "refs.bib"
    entries = [
        _entry(source).replace("{t,", f"{{t{k},", 1) for k, (source, _, _) in enumerate(TITLES)
    ]
    entries.append(
        "@article{names, author = {\\Thanh and Moore, Ross}, title = {T},"
        " journal = {\\mbox{G-Animal's} Journal}, year = 2015}"
    )
    entries.append(
        "@article{accent, author = {Ry{\\'{}cko}, Marek}, title = {T}, journal = {J}, year = 1988}"
    )
    original.write_text("\n".join(entries), encoding="utf-8")
    exported = tmp_path / "exported.bib"
    export_with_citeshelf(original, exported)
    result = compare(biber_resolved(original, tmp_path), biber_resolved(exported, tmp_path))
    assert result.fields >= 5 * len(entries)
    assert (result.changed, result.lost, result.entries_lost) == ([], [], []), result.report()


def test_find_spans_nests_only_what_is_found_nowhere_else() -> None:
    from citeshelf.formats.protect import find_spans

    text = "VAX/VMS site report and VMS"
    phrases = ["VAX/VMS site report", "VMS"]
    # not nested: the longer phrase wins, VMS is braced where it stands alone
    assert find_spans(text, phrases) == [(0, 19), (24, 27)]
    assert find_spans(text, phrases, nested=True) == [(0, 19), (24, 27)]
    # found only inside the longer phrase: braced there, inside it
    assert find_spans("VAX/VMS site report", phrases, nested=True) == [(0, 19), (4, 7)]
    assert find_spans("VAX/VMS site report", phrases) == [(0, 19)]


def test_what_needs_decoding_is_what_latex_treats_specially() -> None:
    """``latex.needs_decoding`` tests its characters and pairs one by one:
    it says True exactly where a search for any of them finds one (every
    field of the fixture .bib files, and each of them alone, at either end
    and inside a word)."""
    import re

    from citeshelf.formats.latex import needs_decoding

    pattern = re.compile(r"[\\{}~$]|--|``|''|!`|\?`")
    texts = ["", "plain words", "e-mail", "it's", "a`b", "a'b", "!", "?", "`"]
    for special in ("\\", "{", "}", "~", "$", "--", "``", "''", "!`", "?`"):
        texts += [special, f"a{special}", f"{special}b", f"word{special}word"]
    for path in sorted((Path(__file__).parent / "fixtures" / "bib").glob("*.bib")):
        texts += re.findall(r"=\s*[{\"](.*?)[}\"],?\s*$", path.read_text(encoding="utf-8"), re.M)
    assert len(texts) > 100
    for text in texts:
        assert needs_decoding(text) == bool(pattern.search(text)), text
