"""Accent macros that span more than one letter: the tie (``\\t{ts}``), one
accent of two letters, and a typo's accent over a group of several letters
(``Gda\\'{nsk}``), read as over the first of them with a warning."""

from __future__ import annotations

import pytest

from citeshelf.formats.bibtex import parse_bibtex, write_bibtex
from citeshelf.formats.latex import decode, encode


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        ("\\t{oo}", "o\u0361o"),
        ("\\t oo", "o\u0361o"),
        ("{\\t{ts}}", "t\u0361s"),
        ("Ma\\t{ts}a", "Mat\u0361sa"),
        ("Ma{\\t{ts}}a", "Mat\u0361sa"),
    ],
)
def test_the_tie_joins_its_two_letters(tex: str, text: str) -> None:
    assert decode(tex) == text
    assert decode(tex, keep_braces=True) == text


@pytest.mark.parametrize("ascii", [False, True])
def test_the_tie_is_written_as_latex_sets_it_up_and_read_back(ascii: bool) -> None:
    # (LaTeX's inputenc has no U+0361: \t in both modes, as a thin space is \,)
    assert encode("Mat\u0361sa", ascii=ascii) == "Ma{\\t{ts}}a"
    assert decode(encode("Mat\u0361sa o\u0361o", ascii=ascii)) == "Mat\u0361sa o\u0361o"


def test_a_record_with_a_tie_goes_round_through_bibtex() -> None:
    parsed = parse_bibtex(
        "@misc{k, author = {Ma\\t{ts}a, Ivan}, title = {On {\\t{oo}}}, year = 1990}\n"
    )
    (r,) = parsed.records
    assert (r.authors[0].family, r.title) == ("Mat\u0361sa", "On o\u0361o")
    text = write_bibtex([r])
    assert "author = {Ma{\\t{ts}}a, Ivan}," in text
    (again,) = parse_bibtex(text).records
    assert (again.authors, again.title) == (r.authors, r.title)


def test_an_accent_over_several_letters_is_read_as_over_the_first() -> None:
    # TeX's Jackowski:WTP88 and Andre:AJM83 (texbook1.bib) write them so
    parsed = parse_bibtex(
        "@misc{k, author = {Ry\\'{cko}, Marek and Knuth, Donald},\n"
        "  title = {Actes des {Journ}\\'{ees} \\v{cz}}, note = {Anima Ltd, Gda\\'{nsk}},\n"
        '  url = {http://example.org/\\"{ab}}, year = 1988}\n'
    )
    (r,) = parsed.records
    assert (r.authors[0].family, r.authors[0].given) == ("Ry\u0107ko", "Marek")
    assert r.title == "Actes des Journ\u00e9es \u010dz"
    assert r.note == "Anima Ltd, Gda\u0144sk"
    assert r.url == "http://example.org/%5C%22%7Bab%7D"  # a URL is verbatim: as before
    assert [w.message for w in parsed.warnings] == [
        "field 'author': \\'{cko} puts one accent over the 3 letters 'cko': read as over "
        "the first (\u0107ko)",
        "field 'title': \\'{ees} puts one accent over the 3 letters 'ees': read as over "
        "the first (\u00e9es)",
        "field 'title': \\v{cz} puts one accent over the 2 letters 'cz': read as over "
        "the first (\u010dz)",
        "field 'note': \\'{nsk} puts one accent over the 3 letters 'nsk': read as over "
        "the first (\u0144sk)",
    ]


def test_an_accent_over_a_dotless_i_and_more_letters_is_read_as_over_the_i() -> None:
    # (read before as a lone combining accent before "ın": "Na \u0301ınve")
    parsed = parse_bibtex(
        "@misc{k, title = {Na\\'{\\i v}e and \\'{\\i}n and \\v{\\j x}}, year = 1988}\n"
    )
    (r,) = parsed.records
    assert r.title == "Na\u00edve and \u00edn and \u01f0x"
    assert [w.message for w in parsed.warnings] == [
        "field 'title': \\'{\\i v} puts one accent over the 2 letters '\u0131v': read as "
        "over the first (\u00edv)",
        "field 'title': \\v{\\j x} puts one accent over the 2 letters '\u0237x': read as "
        "over the first (\u01f0x)",
    ]
    (again,) = parse_bibtex(write_bibtex([r])).records
    assert again.title == r.title


def test_an_accent_over_one_letter_gives_no_warning() -> None:
    parsed = parse_bibtex(
        "@misc{k, author = {Gda\\'{n}sk, A and \\cite{xy}, B}, title = {\\'{e}t\\'e \\c{c}a},"
        " year = 1988}\n"
    )
    assert parsed.warnings == []
    assert parsed.records[0].title == "\u00e9t\u00e9 \u00e7a"


# -- \path|...| and \verb+...+: a delimited verbatim argument ------------------


@pytest.mark.parametrize(
    ("tex", "plain"),
    [
        ("e-mail: \\path|FX%nnga_x@y.uk|.", "e-mail: FX%nnga_x@y.uk."),
        ("See \\path=http://x/IoPP_SISSA.html= for", "See http://x/IoPP_SISSA.html for"),
        ("previewer \\verb+h&d#vi~+ here", "previewer h&d#vi~ here"),
        ("\\verb*|a b|", "a b"),
    ],
)
def test_a_delimited_verbatim_argument_is_kept_as_written(tex: str, plain: str) -> None:
    from citeshelf.formats.latex import decode_rich, encode_rich
    from citeshelf.model import richtext

    rich = decode_rich(tex)[0]
    assert richtext.plain(rich) == plain
    assert decode(tex) == plain
    # written back as it was: an escape (\%, \_) would print in a verbatim argument
    assert encode_rich(rich) == tex
    assert encode_rich(rich, ascii=True) == tex


def test_a_record_keeps_its_path_argument_through_an_export() -> None:
    parsed = parse_bibtex(
        "@misc{k, title = {T}, note = {See \\path=http://x/IoPP_SISSA.html= for details},\n"
        "  acknowledgement = {Dave Love, e-mail: \\path|FX%nnga.daresbury.ac.uk|}, year = 1990}\n"
    )
    (r,) = parsed.records
    text = write_bibtex([r], dialect="biblatex")
    assert "note = {See \\path=http://x/IoPP_SISSA.html= for details}," in text
    assert "acknowledgement = {Dave Love, e-mail: \\path|FX%nnga.daresbury.ac.uk|}," in text
    (again,) = parse_bibtex(text).records
    assert (again.note, again.extra) == (r.note, r.extra)


def test_a_braced_or_unclosed_argument_reads_as_before() -> None:
    from citeshelf.formats.latex import decode_rich

    assert decode_rich("\\url{http://x/a_b}")[0] == "<tex>\\url{http://x/a_b}</tex>"
    assert decode_rich("\\path|unclosed")[0] == "<tex>\\path</tex>|unclosed"


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        ("\\textit{\\'e}", "\u00e9"),
        ("\\emph{\\'{e}}x", "\u00e9x"),
        ("\\textit{\\ss}", "\u00df"),
        ("\\textit{\\t{ts}}", "t\u0361s"),
        ("\\mbox{\\t{oo}}", "o\u0361o"),
        ("\\\\t{ab}", "\ntab"),  # a line break, then text
    ],
)
def test_a_special_character_as_a_commands_argument_keeps_its_letters(tex: str, text: str) -> None:
    assert decode(tex) == text


def test_a_name_with_a_tie_in_small_capitals() -> None:
    (r,) = parse_bibtex(
        "@misc{k, author = {\\textsc{\\t{Ts}}ybulin, Ivan}, title = {T}, year = 1990}\n"
    ).records
    assert r.authors[0].family == "T\u0361sybulin"


def test_an_accent_inside_a_verbatim_argument_is_left_alone() -> None:
    parsed = parse_bibtex(
        "@misc{k, title = {T \\path|\\'{ab}|}, note = {\\url{x\\~{ab}} and Gda\\'{nsk}},"
        " year = 1990}\n"
    )
    (r,) = parsed.records
    assert r.title == "T <tex>\\path|\\'{ab}|</tex>"
    assert r.note == "<tex>\\url{x\\~{ab}}</tex> and Gda\u0144sk"
    assert [w.message for w in parsed.warnings] == [
        "field 'note': \\'{nsk} puts one accent over the 3 letters 'nsk': read as over "
        "the first (\u0144sk)"
    ]


def test_what_is_no_delimited_verbatim_argument() -> None:
    from citeshelf.formats.latex import decode_rich

    # a closing brace or a backslash delimits nothing; an escaped backslash is a line break
    assert decode("{\\tt \\path|x|}", keep_braces=True) == "{x}"
    assert decode("{\\em a \\path|x|}") == "a x"
    rich = decode_rich("{\\tt\\string\\url} and {\\tt\\string\\path} too")[0]
    assert rich == "<tex>{\\tt\\string\\url}</tex> and <tex>{\\tt\\string\\path}</tex> too"
    assert decode_rich("\\\\path|x_y|")[0] == "<tex>\\\\</tex>path|x_y|"
    assert decode("\\\\path|x_y|") == "\npath|x_y|"
