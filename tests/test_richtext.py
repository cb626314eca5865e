"""Rich text (model/richtext.py): the canonical form, BibTeX/BibLaTeX, CSL-JSON
and RIS in and out, the styles, @preamble, and biber's view of an export."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from citeshelf.formats import latex, protect
from citeshelf.formats.bibtex import load_bibtex, parse_bibtex, write_bibtex
from citeshelf.model import parse_record, richtext

FIXTURE = Path(__file__).parent / "fixtures" / "bib" / "richtext.bib"
RECORDS = Path(__file__).parent.parent / "records"

# -- the canonical form ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Le <i>De Anima</i> dans", "Le De Anima dans"),
        ("<b>b</b> <sc>nato</sc> H<sub>2</sub>O x<sup>2</sup>", "b nato H2O x2"),
        ("<q>a <q>b</q></q>", "“a ‘b’”"),
        ("<tex>{\\TeX}</tex> and <tex>\\METAFONT</tex>", "TeX and METAFONT"),
        ("<tex>\\protect\\TeX </tex>book, The", "TeXbook, The"),
        ("<math>x^2</math> and <math>\\alpha</math>", "x² and α"),
        ('<span class="nocase">iPhone</span>', "iPhone"),
        ('<span style="font-variant:small-caps;">x</span>', "x"),
        ("&lt;i> &amp;lt;", "<i> &lt;"),
        # biblatex's punctuation commands print their mark
        (
            "Vol<tex>\\adddot</tex> 2 of the set<tex>\\addcolon</tex> a study",
            "Vol. 2 of the set: a study",
        ),
        ("A<tex>\\addcomma\\addspace</tex>B<tex>\\isdot</tex>", "A, B"),
    ],
)
def test_plain_text_never_shows_a_tag(text, plain):
    assert richtext.plain(text) == plain


@pytest.mark.parametrize(
    ("text", "same"),
    [
        ("p < 0.05 & co", True),
        ("AT&T", True),
        ("5 > 3", True),
        ("Smith &amp", True),
        ("<em>x</em>", True),
        ("a <i> alone", False),
        ("x </b> y", False),
    ],
)
def test_text_from_before_markup_keeps_its_meaning(text, same):
    # only paired known tags are markup: older text reads as it did; it is
    # written as it is unless it holds a lone tag, which is escaped (it could
    # not be told from a tag)
    nodes = richtext.parse(text)
    assert richtext.text_of(nodes) == text
    assert richtext.serialize(nodes) == richtext.escape(text)
    assert (richtext.serialize(nodes) == text) is same


def test_escape_only_what_could_be_read_as_markup():
    assert richtext.escape("a <i> b &amp; c < d & e") == "a &lt;i> b &amp;amp; c < d & e"
    assert richtext.plain(richtext.escape("a <i> b &amp; c")) == "a <i> b &amp; c"
    assert richtext.problems("<i>x</i>") == []
    assert richtext.problems("<i>x") != []


def test_small_caps_span_is_read_as_sc():
    assert richtext.serialize(
        richtext.parse('<span style="font-variant:small-caps;">x</span>')
    ) == ("<sc>x</sc>")


def test_map_plain_changes_letters_not_tags_nocase_or_tex():
    text = 'le <i>de anima</i> <span class="nocase">iPhone</span> <tex>\\TeX</tex> x'
    assert richtext.map_plain(text, str.upper) == (
        'LE <i>DE ANIMA</i> <span class="nocase">iPhone</span> <tex>\\TeX</tex> X'
    )


def test_wrap_spans_puts_whole_markup_in_nocase():
    text = "The <i>NATO</i> and EU in <q>Europe</q>"
    assert richtext.wrap_spans(text, [(4, 8), (13, 15), (20, 26)]) == (
        'The <span class="nocase"><i>NATO</i></span> and <span class="nocase">EU</span> in '
        '<q><span class="nocase">Europe</span></q>'
    )


def test_fold_and_keys_read_the_plain_text():
    from citeshelf.model.fold import fold
    from citeshelf.model.keys import base_key

    assert fold("<i>Hamlet</i> &amp; Lear") == "hamlet & lear"
    r = parse_record(
        {
            "type": "book",
            "key": "x",
            "title": "<i>Hamlet</i> again",
            "issued": "2001",
            "authors": [{"family": "Doe", "given": "J."}],
        }
    )
    assert base_key(r) == "doe2001hamlet"


def test_the_default_library_keeps_its_bytes():
    from citeshelf.library import Library, dumps_record

    lib = Library(RECORDS)
    for path in sorted(RECORDS.glob("*.json")):
        assert dumps_record(lib.get(path.stem)) == path.read_text(encoding="utf-8"), path.name


# -- LaTeX -> rich text --------------------------------------------------------------


@pytest.mark.parametrize(
    ("tex", "rich", "phrases"),
    [
        (r"Le \emph{De Anima}", "Le <i>De Anima</i>", []),
        (r"\textit{a} {\em b} {\itshape c}", "<i>a</i> <i>b</i> <i>c</i>", []),
        (r"\textbf{a} \textsc{b}", "<b>a</b> <sc>b</sc>", []),
        (r"H\textsubscript{2}O x\textsuperscript{2}", "H<sub>2</sub>O x<sup>2</sup>", []),
        (r"\mkbibquote{a} \enquote{b} ``c''", "<q>a</q> <q>b</q> <q>c</q>", []),
        (r"\enquote*{a}", r"<tex>\enquote*{a}</tex>", []),
        (r"$x^2$ and $\alpha$", r"<math>x^2</math> and <math>\alpha</math>", []),
        (r"{\TeX} and {\METAFONT}", r"<tex>{\TeX}</tex> and <tex>{\METAFONT}</tex>", []),
        (r"\protect\TeX book, The", r"<tex>\protect</tex><tex>\TeX </tex>book, The", []),
        # a group that opens with a command is BibTeX's special character:
        # verbatim, braces and all (its braces protect nothing)
        (r"The {\TeX book}", r"The <tex>{\TeX book}</tex>", []),
        (r"{{\TeX Live}} news", r"<tex>{{\TeX Live}}</tex> news", []),
        (r"{The {\LaTeX3} Project}", r"The <tex>{\LaTeX3}</tex> Project", ["The LaTeX3 Project"]),
        (r"a~b 1990--1994", "a\u00a0b 1990–1994", []),
        (
            r"\texttt{x\slash y} \autocap{e}xcerpt",
            r"<tex>\texttt{x\slash y}</tex> <tex>\autocap{e}</tex>xcerpt",
            [],
        ),
        (r"The {NATO} \emph{and {EU}}", "The NATO <i>and EU</i>", ["NATO", "EU"]),
        (r"{\tt WEB} p < 0.05", r"<tex>{\tt WEB}</tex> p < 0.05", []),
        (r"{Robert Bosch GmbH}", "Robert Bosch GmbH", ["Robert Bosch GmbH"]),
    ],
)
def test_latex_decodes_to_rich_text(tex, rich, phrases):
    assert latex.decode_rich(tex, cased=True) == (rich, phrases)


@pytest.mark.parametrize(
    ("rich", "biblatex", "bibtex"),
    [
        ("Le <i>De Anima</i>", r"Le \emph{De Anima}", r"Le \emph{De Anima}"),
        ("<b>a</b> <sc>b</sc> H<sub>2</sub>O", r"\textbf{a} \textsc{b} H\textsubscript{2}O", None),
        ("<q>a</q>", r"\mkbibquote{a}", "``a''"),
        ("<math>x^2</math> & co", r"$x^2$ \& co", None),
        (r"<tex>\TeX</tex>book and <tex>\TeX</tex> for", r"\TeX{}book and \TeX\ for", None),
        ("a\u00a0b 1990–1994 a—b", "a~b 1990--1994 a---b", None),
        ("a &lt;i> b", "a <i> b", None),
    ],
)
def test_rich_text_encodes_to_latex(rich, biblatex, bibtex):
    assert latex.encode_rich(rich) == biblatex
    assert latex.encode_rich(rich, biblatex=False) == (bibtex or biblatex)


def test_protected_spans_are_braced_around_whole_markup():
    text = "The <i>NATO</i> case"
    spans = protect.find_spans(richtext.plain(text), ["NATO"])
    assert latex.encode_rich(text, spans=spans) == r"The {\emph{NATO}} case"


# -- .bib -> records -> BibLaTeX ----------------------------------------------------------


def test_bib_constructs_survive_a_round_trip():
    parsed = load_bibtex(FIXTURE)
    assert parsed.invalid == [] and parsed.warnings == []
    recs = {r.key: r for r in parsed.records}
    m = recs["marked"]
    assert m.title == (
        "Le <i>De Anima</i> and <b>bold</b>, <sc>nato</sc>, H<sub>2</sub>O, x<sup>2</sup>: "
        r"<q>Intention</q> in <math>x^2</math> with <tex>{\TeX}</tex> and <tex>{\METAFONT}</tex>"
    )
    assert m.journal == "J.\u00a0Amer. Math. Soc."  # @string expanded, the tie a no-break space
    assert recs["knuth:ct:a"].extra["indextitle"] == r"<tex>\protect</tex><tex>\TeX </tex>book, The"
    assert recs["geer"].degree == "phd"
    assert m.authors[0].annotation == "corresponding"
    assert (m.extra["_myfield"], m.extra["title+an"]) == ("kept", "=original")
    out = write_bibtex(parsed.records, dialect="biblatex")
    assert out == (
        "@thesis{geer,\n"
        "  author = {Geer, Ingrid de},\n"
        "  title = {Earl, Saint, Bishop, Skald~-- and Music},\n"
        "  type = {phdthesis},\n"
        "  institution = {Uppsala Universitet},\n"
        "  date = {1985},\n"
        "}\n"
        "\n"
        "@book{knuth:ct:a,\n"
        "  author = {Knuth, Donald E.},\n"
        r"  title = {The {\TeX book}},"
        "\n"
        r"  shorttitle = {\TeX book},"
        "\n"
        "  publisher = {Addison-Wesley},\n"
        "  date = {1984},\n"
        r"  indextitle = {\protect\TeX book, The},"
        "\n"
        "}\n"
        "\n"
        "@article{marked,\n"
        "  author = {Doe, Jane},\n"
        r"  title = {Le \emph{De Anima} and \textbf{bold}, \textsc{nato}, H\textsubscript{2}O, "
        r"x\textsuperscript{2}: \mkbibquote{Intention} in $x^2$ with {\TeX} and {\METAFONT}},"
        "\n"
        "  journaltitle = {J.~Amer. Math. Soc.},\n"
        "  date = {2001},\n"
        r"  note = {5.2~{nm}, \autocap{e}xcerpt, \texttt{code} and\slash or "
        r"methodology\hyphen independent},"
        "\n"
        "  _myfield = {kept},\n"
        "  author+an = {1=corresponding},\n"
        "  title+an = {=original},\n"
        "}\n"
    )
    again = {r.key: r for r in parse_bibtex(out).records}
    # written without the file's @string definitions, the journal is its text:
    # all that differs is the note that the source wrote it with a macro
    assert recs["marked"].extra.pop("bibtex_macros") == {"journal": "jams"}
    assert again == recs


def test_gost_style_fields_and_annotations_survive_export():
    text = (
        "@book{g, author = {Иванов, И. И. and Петров, П.}, title = {Книга},\n"
        "  _author = {Ivanov, I. I.}, _title = {Kniga},\n"
        "  author+an = {1=corresponding; 2:family=student}, title+an:role = {=translit},\n"
        "  date = {2010}}\n"
    )
    [record] = parse_bibtex(text).records
    out = write_bibtex([record], dialect="biblatex")
    for line in (
        "  _author = {Ivanov, I. I.},",
        "  _title = {Kniga},",
        "  author+an = {1=corresponding; 2:family=student},",
        "  title+an:role = {=translit},",
    ):
        assert line in out
    assert parse_bibtex(out).records == [record]


def test_gost_examples_file_keeps_its_underscore_fields_and_annotations():
    path = _kpsewhich("biblatex-gost-examples.bib")
    if not path:
        pytest.skip(
            "biblatex-gost-examples.bib not installed (CTAN biblatex-gost); "
            "tested on a small fixture instead"
        )
    parsed = load_bibtex(path)
    out = write_bibtex(parsed.records, dialect="biblatex")
    wanted = {
        name
        for r in parsed.records
        for name in (r.extra or {})
        if name.startswith("_") or "+an" in name
    }
    missing = [n for n in sorted(wanted) if f"  {n} = " not in out]
    assert missing == []


# -- CSL-JSON and RIS ------------------------------------------------------------


def test_csl_json_markup_in_and_out():
    from citeshelf.formats.csljson import record_from_csl, record_to_csl

    item = {
        "id": "h",
        "type": "book",
        "title": 'Reading <i>Hamlet</i> in <span class="nocase">iOS</span> with '
        '<span style="font-variant:small-caps;">nato</span>, x<sup>2</sup> and a <b>',
    }
    record = record_from_csl(item)
    assert record.title == (
        "Reading <i>Hamlet</i> in iOS with <sc>nato</sc>, x<sup>2</sup> and a &lt;b>"
    )
    assert record.extra["protect"] == {"title": ["iOS"]}
    out = record_to_csl(record)
    assert out["title"] == item["title"]  # CSL's own small-caps span, as it came
    quoted = parse_record({"type": "book", "key": "q", "title": "A <q>b</q> <tex>\\TeX</tex>"})
    item = record_to_csl(quoted)
    assert item["title"] == "A “b” TeX"
    assert record_from_csl(item) == quoted  # the rest travels in custom.citeshelf


def test_ris_is_plain_text_out_and_in():
    from citeshelf.formats.ris import parse_ris, write_ris

    record = parse_record(
        {"type": "book", "key": "r", "title": "Reading <i>Hamlet</i> &lt;i>", "note": "<b>n</b>"}
    )
    text = write_ris([record])
    assert "TI  - Reading Hamlet <i>\n" in text and "N1  - n\n" in text
    [back] = parse_ris(text).records
    assert back.title == "Reading Hamlet &lt;i>"  # a "<i>" in RIS is text


# -- styles ------------------------------------------------------------------------------


def _styled(record_data, style):
    from citeshelf.styles import format_reference

    return format_reference(parse_record(record_data), style)


BOOK = {
    "type": "book",
    "key": "b",
    "title": "Reading <i>Hamlet</i> with <sc>nato</sc>: H<sub>2</sub>O and "
    '<span class="nocase">iPhone</span> in <tex>{\\TeX}</tex>',
    "authors": [{"family": "Doe", "given": "Jane"}],
    "issued": "2001",
    "publisher": "P",
}
ARTICLE = {
    "type": "article",
    "key": "a",
    "title": "Reading <i>Hamlet</i> and <q>the ghost</q> in x<sup>2</sup>",
    "authors": [{"family": "Doe", "given": "Jane"}],
    "issued": "2001",
    "journal": "J",
    "volume": "1",
    "pages": "1-2",
}


def test_styles_render_markup_in_titles():
    from citeshelf.styles import to_html, to_markdown, to_text

    apa = _styled(BOOK, "apa")
    assert to_text(apa) == "Doe, J. (2001). Reading Hamlet with nato: H2O and iPhone in TeX. P."
    assert to_html(apa) == (
        "Doe, J. (2001). <i>Reading </i>Hamlet<i> with </i>"
        '<span style="font-variant:small-caps"><i>nato</i></span><i>: H</i><sub><i>2</i></sub>'
        "<i>O and iPhone in TeX</i>. P."
    )
    assert to_markdown(apa) == (
        "Doe, J. (2001). *Reading* Hamlet *with* "
        '<span style="font-variant:small-caps">*nato*</span>*: H*<sub>*2*</sub>'
        "*O and iPhone in TeX*. P."
    )
    chicago = _styled(ARTICLE, "chicago-notes")
    assert to_text(chicago).startswith("Doe, Jane. “Reading Hamlet and ‘the Ghost’ in x2.” J 1")
    assert to_html(chicago).startswith(
        "Doe, Jane. “Reading <i>Hamlet</i> and ‘the Ghost’ in x<sup>2</sup>.” <i>J</i> 1"
    )
    assert to_markdown(chicago).startswith(
        "Doe, Jane. “Reading *Hamlet* and ‘the Ghost’ in x<sup>2</sup>.” *J* 1"
    )


def test_title_case_keeps_tags_and_nocase():
    from citeshelf.styles.common import apa_title_case, chicago_title_case, to_sentence_case, typo

    title = 'the <i>de anima</i> of <span class="nocase">eBay</span> and <tex>\\TeX</tex>'
    assert apa_title_case(title) == (
        'The <i>De Anima</i> of <span class="nocase">eBay</span> and <tex>\\TeX</tex>'
    )
    assert chicago_title_case(title) == (
        'The <i>De Anima</i> of <span class="nocase">eBay</span> and <tex>\\TeX</tex>'
    )
    assert to_sentence_case('The <i>Long</i> Way Home to <span class="nocase">NATO HQ</span>') == (
        'The <i>long</i> way home to <span class="nocase">NATO HQ</span>'
    )
    assert typo('<span class="nocase">"x"</span> -- y') == '<span class="nocase">“x”</span> – y'


# -- @preamble -------------------------------------------------------------------


def test_preamble_is_kept_by_import_and_written_by_export(cs, empty_lib):
    r = cs(empty_lib, "import", str(FIXTURE))
    assert r.exit_code == 0, r.stderr
    preamble = '@preamble{"\\providecommand{\\noopsort}[1]{}"}\n'
    strings = "@string{jams = {J.~Amer. Math. Soc.}}\n"  # the file's macro, kept too
    assert (empty_lib / "preamble.bib").read_text(encoding="utf-8") == preamble + strings
    cs(empty_lib, "import", str(FIXTURE))  # again: each block once
    assert (empty_lib / "preamble.bib").read_text(encoding="utf-8") == preamble + strings
    out = cs(empty_lib, "export", "marked", "--format", "biblatex").stdout
    # the preamble first, then the definition the entry uses, then the entry
    assert out.startswith(preamble + "\n" + strings + "\n@article{marked,\n")
    assert "  journaltitle = jams,\n" in out
    assert "marked" in cs(empty_lib, "list").stdout  # preamble.bib is no record


# -- biber's view ----------------------------------------------------------------------

#: biber --tool --output-resolve of biblatex-examples.bib, original against
#: citeshelf's BibLaTeX export: fields changed and lost (before rich text: 143
#: and 2; before ISBNs kept as written and a book's subtitle written apart as
#: booksubtitle: 6 and 2; before a book's booktitle copy was written back: 1
#: and 1). Left: a name's braced particle (1 changed).
MAX_CHANGED = 1
MAX_LOST = 0


def test_a_chapter_of_a_book_with_a_subtitle_gets_booktitle_and_booksubtitle():
    text = (
        "@book{bk, editor = {Westfahl, Gary}, title = {Space and Beyond},"
        " subtitle = {The Frontier Theme in Science Fiction}, date = 2000}\n"
        "@incollection{ch, author = {Doe, Jane}, title = {A chapter}, xref = {bk}}\n"
    )
    records = parse_bibtex(text).records
    out = write_bibtex(records, dialect="biblatex")
    # a crossref'd chapter is written with crossref: biber gives it what it inherits
    crossref = write_bibtex(
        parse_bibtex(text.replace("xref", "crossref")).records, dialect="biblatex"
    )
    assert "  crossref = {bk},\n" in crossref and "booktitle" not in crossref
    assert "  booktitle = {Space and Beyond},\n" in out  # as the book's import braced it
    assert "  booksubtitle = {The Frontier Theme in Science Fiction},\n" in out
    again = {r.key: r for r in parse_bibtex(out).records}
    assert again == {r.key: r for r in records}
    # classic BibTeX has no booksubtitle: the title and subtitle joined
    assert "booktitle = {Space and Beyond: The Frontier Theme in Science Fiction}" in (
        write_bibtex(records)
    )


def _kpsewhich(name: str) -> str:
    if shutil.which("kpsewhich") is None:
        return ""
    return subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip()


def test_biber_sees_the_same_fields_in_an_export_of_biblatex_examples(tmp_path):
    from .biber_fidelity import biber_resolved, compare, export_with_citeshelf

    if shutil.which("biber") is None:
        pytest.skip("biber not installed (Debian package biber)")
    path = _kpsewhich("biblatex-examples.bib")
    if not path:
        pytest.skip("biblatex-examples.bib not installed (Debian package texlive-bibtex-extra)")
    exported = tmp_path / "exported.bib"
    export_with_citeshelf(Path(path), exported)
    result = compare(biber_resolved(Path(path), tmp_path), biber_resolved(exported, tmp_path))
    assert result.fields > 1000
    assert result.entries_lost == []
    assert len(result.changed) <= MAX_CHANGED, result.report()
    assert len(result.lost) <= MAX_LOST, result.report()


def test_any_controls_finds_what_record_strings_finds() -> None:
    """``any_controls`` says whether JSON data holds a control character
    anywhere ``record_strings`` looks (values, keys, nested), and only then."""
    from citeshelf.model.controls import any_controls, has_controls, record_strings

    cases = [
        {"title": "Plain", "authors": [{"family": "Doe"}], "extra": {"n": 1, "ok": True}},
        {"title": "Tab\tand\nnewline are text"},
        {"title": "Bell\x07"},
        {"authors": [{"family": "Esc\x1b[31m"}]},
        {"extra": {"na\x9bme": "value"}},
        {"extra": {"deep": [[{"x": "del\x7f"}]]}},
        ["a", ["b", {"c": "\x00"}]],
        "carriage\r return",
        42,
    ]
    for data in cases:
        expected = any(has_controls(text) for _, text in record_strings(data))
        assert any_controls(data) is expected, data
    assert [any_controls(d) for d in cases] == [False, False] + [True] * 6 + [False]
