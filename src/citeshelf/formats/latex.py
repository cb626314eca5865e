"""LaTeX <-> Unicode for BibTeX field text.

Reading (:func:`decode`) is fast for the common case: text without a backslash,
brace, tilde, dash pair, quote pair or dollar sign is returned unchanged; the
usual accent macros (``{\\'e}``, ``\\"{u}``, ``\\c c``, ``\\ss``, ``\\o``) are
turned into letters by a table and a regular expression; only text that still
holds a command after that goes to the general decoder (pylatexenc).

``decode(text, keep_braces=True)`` keeps the grouping braces that protect
letter case (``{NATO}``) and drops only the braces around special characters
(``{\\"u}``), so names can still be split by BibTeX's rules and protected
phrases recorded; :func:`strip_groups` then removes the braces and returns the
protected phrases.

Writing (:func:`encode`) escapes ``& % $ # _ { } ~ ^ \\`` (a brace is
``\\{``/``\\}``; BibTeX and biber count those as braces too, so a field whose
literal braces do not pair has them spelt ``\\textbraceleft{}`` and
``\\textbraceright{}`` by :func:`balanced_braces`, and it ends where it
should), removes control characters (ESC, BEL, CR ...: TeX refuses them and
no reader gives them back) and, with ``ascii=True``, writes non-ASCII letters
as LaTeX macros (for classic BibTeX).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..model import richtext
from ..model.controls import CONTROL_RE, strip_controls
from ..model.richtext import ACCENT_MARKS

__all__ = [
    "balanced_braces",
    "braces_pair",
    "decode",
    "encode",
    "decode_rich",
    "encode_rich",
    "strip_groups",
    "needs_decoding",
    "top_level_groups",
]

# Accent commands -> combining marks (those written as symbols: the model's table).
_ACCENTS = {
    **ACCENT_MARKS,
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "d": "\u0323",
    "b": "\u0331",
    "r": "\u030a",
    "t": "\u0361",
}
# Letter-like macros.
_NAMED = {
    "ss": "ß",
    "SS": "SS",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "dj": "đ",
    "DJ": "Đ",
    "ng": "ŋ",
    "NG": "Ŋ",
    "textendash": "–",
    "textemdash": "—",
    "textquoteleft": "‘",
    "textquoteright": "’",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "ldots": "…",
    "dots": "…",
    "textellipsis": "…",
    "S": "§",
    "P": "¶",
    "copyright": "©",
    "textcopyright": "©",
    "pounds": "£",
    "textsterling": "£",
    "euro": "€",
    "texteuro": "€",
    "textregistered": "®",
    "texttrademark": "™",
    "textdegree": "°",
    "guillemotleft": "«",
    "guillemotright": "»",
    "guillemetleft": "«",
    "guillemetright": "»",
    "og": "«",
    "fg": "»",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textbackslash": "\\",
    "textunderscore": "_",
    "textbar": "|",
    "textless": "<",
    "textgreater": ">",
    "textbullet": "•",
    "textperiodcentered": "·",
    "textexclamdown": "¡",
    "textquestiondown": "¿",
    "quad": " ",
    "qquad": " ",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "BibTeX": "BibTeX",
    "LaTeXe": "LaTeX2e",
    "textquotesingle": "'",
    "textquotedbl": '"',
    "nobreakspace": "\u00a0",
    "slash": "/",
}
# Escaped specials.
_ESCAPES = {" ": " ", ",": "\u2009", "/": "", "-": "\u00ad", "@": ""}
# Escaped specials are held as private-use characters while decoding, so that
# a "\$" or "\{" is never taken for math or a group, then put back.
_HELD = "&%$#_{}~\\"
_HOLD = {c: chr(0xE000 + i) for i, c in enumerate(_HELD)}
_UNHOLD = {v: k for k, v in _HOLD.items()}
_HOLD_RE = re.compile(r"\\([&%$#_{}])")
_UNHOLD_RE = re.compile("[" + "".join(_UNHOLD) + "]")
_NAMED["textasciitilde"] = _HOLD["~"]
_NAMED["textbackslash"] = _HOLD["\\"]
# a literal brace as the writer spells one that would leave a field unbalanced
# (:func:`balanced_braces`)
_NAMED["textbraceleft"] = _HOLD["{"]
_NAMED["textbraceright"] = _HOLD["}"]
# With keep_braces, literal braces stay escaped so they are not taken for groups.
_UNHOLD_KEEP = {**_UNHOLD, _HOLD["{"]: "\\{", _HOLD["}"]: "\\}"}
# Font and box commands whose argument is just text.
_TEXT_COMMANDS = frozenset(
    [
        "emph",
        "textit",
        "textbf",
        "textsc",
        "texttt",
        "textrm",
        "textsf",
        "textsl",
        "textup",
        "textmd",
        "textnormal",
        "mbox",
        "text",
        "textsuperscript",
        "textsubscript",
        "uppercase",
        "lowercase",
        "MakeUppercase",
        "MakeLowercase",
        "hbox",
        "ensuremath",
        "mathrm",
        "mathit",
        "mathbf",
        "url",
        "path",
        "nolinkurl",
    ]
)

_ACC = "['`^\"~=.]|[uvHckdbrt](?![A-Za-z])"
# {\'e}  {\'{e}}  {\' e}  {\"\i}  {\c c}
_GROUP_ACCENT = re.compile(
    r"\{\\(" + _ACC + r")\s*(?:\{\s*(\\[ij]|[^\W\d_])\s*\}|(\\[ij](?![A-Za-z])|[^\W\d_]))\s*\}"
)
# \'e  \'{e}  \' e  \c{c}  \"{\i}
_BARE_ACCENT = re.compile(
    r"\\(" + _ACC + r")\s*(?:\{\s*(\\[ij]|[^\W\d_]?)\s*\}|(\\[ij](?![A-Za-z])\s*|[^\W\d_]))"
)
# \t{oo}  {\t{ts}}: the tie, one accent over two letters (after the first, U+0361)
_TIE = re.compile(r"(\{)?(?<!\\)\\t\s*\{\s*([^\W\d_])\s*([^\W\d_])\s*\}(?(1)\})")
#: a control word just before a group: the group is the command's argument
_COMMAND_BEFORE = re.compile(r"\\[A-Za-z]+\*?\s*$")
# {\ss}  \ss{}  \ss (followed by a non-letter)
_GROUP_NAMED = re.compile(r"\{\\([A-Za-z]+)\s*\}")
_BARE_NAMED = re.compile(r"\\([A-Za-z]+)(?:\{\}|\s+|(?![A-Za-z]))")
_TEXT_CMD = re.compile(r"\\([A-Za-z]+)\s*\{([^{}\\]*)\}")
_ESCAPE = re.compile(r"\\([ ,/@-])")


def needs_decoding(text: str) -> bool:
    """True if ``text`` holds anything LaTeX would treat specially: a
    backslash, brace, tie or dollar, ``--``, TeX's quotes or its inverted
    ``!`` and ``?`` (tested one by one: twice as fast as a pattern's search)."""
    return (
        "\\" in text
        or "{" in text
        or "}" in text
        or "~" in text
        or "$" in text
        or "--" in text
        or "``" in text
        or "''" in text
        or "!`" in text
        or "?`" in text
    )


def _accent(mark: str, base: str) -> str:
    base = base.strip()
    if base in ("\\i", "\\j", "ı", "ȷ"):
        base = "i" if base in ("\\i", "ı") else "j"
    if not base:
        return unicodedata.normalize("NFC", " " + _ACCENTS[mark]).strip() or _ACCENTS[mark]
    return unicodedata.normalize("NFC", base + _ACCENTS[mark])


def _sub_accent(m: re.Match[str]) -> str:
    return _special(m, _accent(m.group(1), m.group(2) or m.group(3) or ""))


def _special(m: re.Match[str], decoded: str) -> str:
    """A special character in braces (``{\\'e}``, ``{\\ss}``, ``{\\t{ts}}``) is
    its letter; braces just after a command (``\\textit{\\'e}``) are that
    command's argument, and stay."""
    if m.group(0).startswith("{") and _COMMAND_BEFORE.search(
        m.string, max(0, m.start() - 64), m.start()
    ):
        return "{" + decoded + "}"
    return decoded


def _sub_named(m: re.Match[str], whole: str | None = None) -> str:
    name = m.group(1)
    if name in _NAMED:
        return _NAMED[name]
    return m.group(0)


def _fast(text: str) -> str:
    """Table-driven decoding of the common macros; braces kept."""
    if "\\" in text:
        if "\\t" in text:
            text = _TIE.sub(
                lambda m: _special(m, unicodedata.normalize("NFC", m[2] + "\u0361" + m[3])), text
            )
        for _ in range(3):  # nested accents: {\'{\"{u}}}
            before = text
            text = _GROUP_ACCENT.sub(_sub_accent, text)
            text = _BARE_ACCENT.sub(_sub_accent, text)
            if text == before or "\\" not in text:
                break
        text = _GROUP_NAMED.sub(
            lambda m: _special(m, _NAMED[m.group(1)]) if m.group(1) in _NAMED else m.group(0), text
        )
        text = _BARE_NAMED.sub(_sub_named, text)
        text = _ESCAPE.sub(lambda m: _ESCAPES[m.group(1)], text)
        prev = None
        while prev != text and "\\" in text:
            prev = text
            text = _TEXT_CMD.sub(
                lambda m: m.group(2) if m.group(1) in _TEXT_COMMANDS else m.group(0), text
            )
    if "--" in text:
        text = text.replace("---", "—").replace("--", "–")
    if "``" in text or "''" in text:
        text = text.replace("``", "“").replace("''", "”")
    if "!`" in text or "?`" in text:
        text = text.replace("!`", "¡").replace("?`", "¿")
    if "~" in text:
        text = text.replace("~", "\u00a0")
    return text


def _general(text: str) -> str:
    """pylatexenc for what the table does not know (math, rare macros)."""
    from pylatexenc.latex2text import LatexNodes2Text

    global _CONVERTER
    if _CONVERTER is None:
        _CONVERTER = LatexNodes2Text(
            math_mode="text", keep_comments=False, strict_latex_spaces=True
        )
    try:
        return _CONVERTER.latex_to_text(text)
    except Exception:
        return text


_CONVERTER = None


def release(text: str) -> str:
    """Turn the literal-character placeholders of ``decode(..., held=True)`` into text."""
    if _UNHOLD_RE.search(text):
        return _UNHOLD_RE.sub(lambda m: _UNHOLD[m.group(0)], text)
    return text


#: The private-use characters that stand for delimited verbatim arguments
#: while :func:`decode` decodes the text around them.
_VERBATIM_MARK, _VERBATIM_END = "\U000f0000", "\U000fff00"


def decode(text: str, *, keep_braces: bool = False, held: bool = False) -> str:
    """LaTeX field text as Unicode.

    With ``keep_braces`` the grouping braces stay (use :func:`strip_groups`
    next); otherwise they are removed. With ``held`` the escaped characters
    (``\\{`` ``\\}`` ``\\textbackslash`` ...) stay as placeholders, so that
    name splitting cannot mistake them for braces; :func:`release` puts them back.
    """
    if not needs_decoding(text):
        return text
    spans = richtext.delimited_spans(text) if "\\" in text else []
    if spans and not any(_VERBATIM_MARK <= ch < _VERBATIM_END for ch in text):
        # \path|a_b%c|: its argument as it stands (a private-use character
        # stands for it while the text around it is decoded as a whole)
        parts, last = [], 0
        for i, (start, end, _arg) in enumerate(spans):
            parts += [text[last:start], chr(ord(_VERBATIM_MARK) + i)]
            last = end
        parts.append(text[last:])
        out = decode("".join(parts), keep_braces=keep_braces, held=held)
        for i, (_start, _end, arg) in enumerate(spans):
            out = out.replace(chr(ord(_VERBATIM_MARK) + i), arg)
        return out
    has_held = "\\" in text
    if has_held:
        text = _HOLD_RE.sub(lambda m: _HOLD[m.group(1)], text)
    out = _fast(text)
    if "\\" in out or "$" in out:
        if keep_braces:
            # Decode command by command inside each top-level group so that
            # the grouping braces survive the general decoder.
            out = _general_keep_groups(out)
        else:
            out = _general(out)
    if not keep_braces and ("{" in out or "}" in out):
        out = _drop_braces(out)
    if has_held and not held:
        table = _UNHOLD_KEEP if keep_braces else _UNHOLD
        out = _UNHOLD_RE.sub(lambda m: table[m.group(0)], out)
    return out


def _general_keep_groups(text: str) -> str:
    parts = []
    for chunk, braced in _split_groups(text):
        if "\\" in chunk or "$" in chunk:
            chunk = _general(chunk)
        parts.append("{" + chunk + "}" if braced else chunk)
    return "".join(parts)


def _split_groups(text: str) -> list[tuple[str, bool]]:
    """Top-level pieces of ``text``: (content, was it in braces)."""
    out: list[tuple[str, bool]] = []
    depth = 0
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            i += 2
            continue
        if ch == "{":
            if depth == 0:
                if i > start:
                    out.append((text[start:i], False))
                start = i + 1
            depth += 1
        elif ch == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                out.append((text[start:i], True))
                start = i + 1
        i += 1
    if start < n:
        rest = text[start:]
        out.append((rest, False) if depth == 0 else ("{" + rest, False))
    return out


def _drop_braces(text: str) -> str:
    if "\\" not in text:
        return text.replace("{", "").replace("}", "")
    out = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "{}":
            out.append(text[i + 1])
            i += 2
            continue
        if ch not in "{}":
            out.append(ch)
        i += 1
    return "".join(out)


def top_level_groups(text: str) -> list[str]:
    """The contents of the top-level brace groups of ``text`` (braces inside removed)."""
    return [_drop_braces(c) for c, braced in _split_groups(text) if braced]


def strip_group_spans(text: str, *, nested: bool = False) -> tuple[str, list[tuple[int, int]]]:
    """Like :func:`strip_groups`, with the braced phrases as (start, end) in the plain text;
    ``nested``: the groups inside groups too (in the order they open)."""
    if "{" not in text and "}" not in text:
        return text, []
    if nested:
        return _nested_group_spans(text)
    plain_parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for chunk, braced in _split_groups(text):
        piece = _drop_braces(chunk)
        if braced and piece.strip():
            spans.append((pos, pos + len(piece)))
        plain_parts.append(piece)
        pos += len(piece)
    return "".join(plain_parts), spans


def _nested_group_spans(text: str) -> tuple[str, list[tuple[int, int]]]:
    plain: list[str] = []
    opened: list[tuple[int, int]] = []  # (plain offset, index in spans)
    spans: list[tuple[int, int]] = []
    i, n, pos = 0, len(text), 0
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "{}":
            plain.append(text[i + 1])
            pos += 1
            i += 2
            continue
        if ch == "{":
            opened.append((pos, len(spans)))
            spans.append((pos, pos))
        elif ch == "}" and opened:
            start, k = opened.pop()
            spans[k] = (start, pos)
        elif ch != "}":
            plain.append(ch)
            pos += 1
        i += 1
    out = "".join(plain)
    # ({{Title}}: a group in two pairs of braces is one phrase)
    return out, [(a, b) for a, b in dict.fromkeys(spans) if out[a:b].strip()]


def strip_groups(text: str) -> tuple[str, list[str]]:
    """Remove grouping braces; return the plain text and the braced phrases.

    ``"The {NATO} alliance"`` -> ``("The NATO alliance", ["NATO"])``.
    """
    if "{" not in text and "}" not in text:
        return text, []
    pieces = _split_groups(text)
    plain = "".join(_drop_braces(c) for c, _ in pieces)
    phrases = [_drop_braces(c) for c, braced in pieces if braced and _drop_braces(c).strip()]
    return plain, phrases


# --------------------------------------------------------------------------
# writing

_ESCAPE_OUT = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_ESCAPE_OUT_RE = re.compile(r"[\\{}&%$#_~^]")
_REVERSE_NAMED = {
    v: k
    for k, v in _NAMED.items()
    if len(v) == 1
    and k
    not in (
        "SS",
        "og",
        "fg",
        "dots",
        "texteuro",
        "textcopyright",
        "textsterling",
        "guillemetleft",
        "guillemetright",
        "textellipsis",
        "quad",
        "qquad",
        "textquotesingle",
        "textquotedbl",
    )
}
_REVERSE_NAMED.update({"\u00a0": "nobreakspace"})
_REVERSE_ACCENTS = {v: k for k, v in _ACCENTS.items()}
_PUNCT_OUT = {
    "–": "--",
    "—": "---",
    "“": "{\\textquotedblleft}",
    "”": "{\\textquotedblright}",
    "‘": "{\\textquoteleft}",
    "’": "{\\textquoteright}",
    "\u00a0": "~",
}


def _ascii_char(ch: str) -> str:
    if ch in _PUNCT_OUT:
        return _PUNCT_OUT[ch]
    if ch in ("ı", "ȷ"):
        return "{\\" + ("i" if ch == "ı" else "j") + "}"
    if ch in _REVERSE_NAMED:
        name = _REVERSE_NAMED[ch]
        return "{\\" + name + "}"
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if marks and base.isascii() and base.isalpha() and all(m in _REVERSE_ACCENTS for m in marks):
        out = "\\" + base if base in "ij" else base
        for m in marks:
            out = "\\" + _REVERSE_ACCENTS[m] + "{" + out + "}"
        return "{" + out + "}"
    # Anything else: keep the character (biber reads UTF-8; BibTeX copies it).
    return ch


#: two letters tied by U+0361 (written \t{ts})
_TIE_OUT = re.compile("([^\\W\\d_])\u0361([^\\W\\d_])")
#: a no-break space, an en or em dash not next to another dash or hyphen
_DASHES_OUT = re.compile("\u00a0|(?<![-–—])[–—](?![-–—])")
_LIGATURES = re.compile(r"-(?=-)|`(?=`)|'(?=')|[!?](?=`)")


def braces_pair(text: str) -> bool:
    """Whether the braces of ``text`` pair as BibTeX and biber count them:
    every brace, a backslash before it or not."""
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def balanced_braces(value: str) -> str:
    """Written field text (what :func:`encode` makes of a piece of a field)
    whose braces pair as BibTeX counts them (every brace, a backslash before
    it or not): else its literal braces (``\\{``,
    ``\\}``, which :func:`encode` writes) as ``\\textbraceleft{}`` and
    ``\\textbraceright{}``. ``Thi\\{'ebaux``, written so, swallowed the fields
    after it in bibtex and biber."""
    if ("\\{" not in value and "\\}" not in value) or braces_pair(value):
        return value
    return value.replace("\\{", "\\textbraceleft{}").replace("\\}", "\\textbraceright{}")


def encode(text: str, *, ascii: bool = False, escape: bool = True) -> str:
    """Unicode text as BibTeX field text (braces are the caller's business;
    a literal brace that does not pair is ``\\textbraceleft{}`` or
    ``\\textbraceright{}``: :func:`balanced_braces`)."""
    if CONTROL_RE.search(text):
        text = strip_controls(text)
    braces = escape and ("{" in text or "}" in text)
    if escape and _ESCAPE_OUT_RE.search(text):
        text = _ESCAPE_OUT_RE.sub(lambda m: _ESCAPE_OUT[m.group(0)], text)
    if braces:
        text = balanced_braces(text)
    if escape and ("-" in text or "`" in text or "'" in text):
        # "--" is an en dash to TeX; "-{}-" stays two hyphens
        text = _LIGATURES.sub(lambda m: m.group(0) + "{}", text)
    if escape and ("\u00a0" in text or "–" in text or "—" in text):
        # as LaTeX writes them: a tie, "--", "---" (the reader gives the characters back)
        text = _DASHES_OUT.sub(lambda m: _PUNCT_OUT[m.group(0)], text)
    if escape and "\u00ad" in text:
        # a soft hyphen is TeX's discretionary hyphen (the reader's "\-")
        text = text.replace("\u00ad", "\\-")
    if escape and "\u2009" in text:
        # a thin space is LaTeX's "\," (the reader's): LaTeX has no U+2009 set up
        text = text.replace("\u2009", "\\,")
    if escape and "\u0361" in text:
        # the tie over two letters is \t (the reader's), which LaTeX has set up
        text = _TIE_OUT.sub(lambda m: "{\\t{" + m[1] + m[2] + "}}", text)
    if ascii and not text.isascii():
        out = []
        for i, ch in enumerate(text):
            if ch.isascii():
                out.append(ch)
            elif ch in "–—" and (
                (i > 0 and text[i - 1] in "-–—") or (i + 1 < len(text) and text[i + 1] in "-–—")
            ):
                out.append("{\\textendash}" if ch == "–" else "{\\textemdash}")
            else:
                out.append(_ascii_char(ch))
        text = "".join(out)
    return text


# --------------------------------------------------------------------------
# rich text: LaTeX markup <-> citeshelf's canonical markup (model.richtext)

#: formatting commands with one argument -> the rich-text tag they are
FORMAT_COMMANDS = {
    "emph": "i",
    "textit": "i",
    "mkbibemph": "i",
    "mkbibitalic": "i",
    "textbf": "b",
    "mkbibbold": "b",
    "textsc": "sc",
    "textsuperscript": "sup",
    "mkbibsuperscript": "sup",
    "textsubscript": "sub",
    "mkbibsubscript": "sub",
    "mkbibquote": "q",
    "enquote": "q",
}
#: font declarations inside a group (``{\em ...}``) -> tag
_DECLARATIONS = {
    "em": "i",
    "it": "i",
    "itshape": "i",
    "bf": "b",
    "bfseries": "b",
    "sc": "sc",
    "scshape": "sc",
}
#: commands the text decoder turns into letters or unwraps (the rest is kept verbatim;
#: so is ``\mbox{G-Animal's}``, a box no line break enters, which Unicode cannot spell)
_UNWRAP = frozenset({"text", "textrm", "textnormal", "textmd", "textup"})
#: macros the text decoder knows but that are kept verbatim (as ``<tex>``), so
#: that an export writes them as they were
_LOGO_NAMES = frozenset({"TeX", "LaTeX", "BibTeX", "LaTeXe", "slash"})
_KNOWN = (frozenset(_NAMED) - _LOGO_NAMES) | frozenset("uvHckdbrtij") | _UNWRAP
#: tag -> how it is written unless the source wrote it otherwise (classic
#: BibTeX writes ``q`` as TeX's quotes)
SPELLINGS = {
    "i": "\\emph",
    "b": "\\textbf",
    "sc": "\\textsc",
    "sup": "\\textsuperscript",
    "sub": "\\textsubscript",
    "q": "\\mkbibquote",
}


def spelled(spelling: str) -> tuple[str, str]:
    """What opens and closes a tag written as ``spelling``, the form
    :func:`decode_rich` notes: a command (``\\emph`` -> ``\\emph{`` ``}``),
    a font declaration's group (``{\\it`` -> ``{\\it `` ``}``; ``{\\it/``
    with the italic correction: ``\\/}``) or TeX's quotes (two backquotes)."""
    if spelling == "``":
        return "``", "''"
    if spelling.startswith("{"):
        if spelling.endswith("/"):
            return spelling[:-1] + " ", "\\/}"
        return spelling + " ", "}"
    return spelling + "{", "}"


_NAME_AT = re.compile(r"[A-Za-z]+")


class _Atom:
    __slots__ = ("tag", "source")

    def __init__(self, tag: str, source: str) -> None:
        self.tag = tag
        self.source = source


class _Marked:
    __slots__ = ("tag", "pieces", "spelling")

    def __init__(self, tag: str, pieces: list, spelling: str) -> None:
        self.tag = tag
        self.pieces = pieces
        self.spelling = spelling  # how the source wrote it (see :func:`spelled`)


class _Group:
    """A brace group (letter case protection) whose content has markup."""

    __slots__ = ("pieces",)

    def __init__(self, pieces: list) -> None:
        self.pieces = pieces


def _brace_end(text: str, i: int) -> int:
    """The index of the brace closing the group opened at ``i`` (or -1)."""
    depth = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _command(src: str, i: int) -> tuple[Any, int]:
    """The command at ``src[i]`` (a backslash and letters): a _Marked for a
    formatting command, None for one the text decoder knows (left in the
    text), else an _Atom with its arguments; and where it ends."""
    n = len(src)
    m = _NAME_AT.match(src, i + 1)
    assert m is not None
    name, j = m.group(0), m.end()
    starred = src.startswith("*", j)
    if name in FORMAT_COMMANDS and not (name == "enquote" and starred):
        # (\enquote* fixes the quotation marks' level: kept verbatim)
        k = j + 1 if starred else j
        while k < n and src[k] in " \t\n":
            k += 1
        end = _brace_end(src, k) if k < n and src[k] == "{" else -1
        if end > 0:
            piece = _Marked(FORMAT_COMMANDS[name], _pieces(src[k + 1 : end]), "\\" + name)
            return piece, end + 1
    if name in _KNOWN:
        return None, j
    # a command nobody decodes: kept verbatim with its arguments
    k = j + 1 if starred else j
    if name in richtext.DELIMITED_VERBATIM:
        # \path|a_b%c|, \verb+x+: the argument up to the same character again
        verbatim_end = richtext.delimited_end(src, i)
        if verbatim_end is not None:
            return _Atom("tex", src[i:verbatim_end]), verbatim_end
    if name in richtext.TEX_WORDS:
        k = j  # a logo (\TeX) takes no argument
    while k < n and src[k] in "[{" and name not in richtext.TEX_WORDS:
        end = src.find("]", k) if src[k] == "[" else _brace_end(src, k)
        if end < 0:
            break
        k = end + 1
    if k == j:
        while k < n and src[k] in " \t\n":
            k += 1  # the space that ends a control word is part of it
    return _Atom("tex", src[i:k]), k


def _group(src: str, i: int, end: int) -> Any:
    """The brace group ``src[i:end + 1]``: None when it is plain text (left in
    the text, where its braces protect letter case), else a piece."""
    inner = src[i + 1 : end]
    decl = re.match(r"\s*\\([A-Za-z]+)(?![A-Za-z])\s*", inner)
    if decl and decl.group(1) in _DECLARATIONS:
        body, spelling = inner[decl.end() :], "{\\" + decl.group(1)
        if body.endswith("\\/"):  # {\it word\/}: the italic correction is part of it
            body, spelling = body[:-2], spelling + "/"
        return _Marked(_DECLARATIONS[decl.group(1)], _pieces(body), spelling)
    sub = _pieces(inner)
    first = sub[0] if sub else None
    if isinstance(first, _Atom) and first.tag == "tex" and _NAME_AT.match(first.source, 1):
        # {\tt WEB}, {\LaTeX3}, {\TeX{} Live}: a group that opens with a command
        # is one "special character" to BibTeX and biblatex (its braces protect
        # nothing, its command's words are its own): verbatim, braces and all
        return _Atom("tex", src[i : end + 1])
    if all(isinstance(p, str) for p in sub):
        return None
    if all(
        (isinstance(p, _Atom) and p.tag == "tex") or (isinstance(p, str) and not p.strip())
        for p in sub
    ):
        return _Atom("tex", src[i : end + 1])  # {\TeX}: verbatim, braces and all
    return _Group(sub)


def _math_end(src: str, i: int) -> int:
    """Where the math opened by ``$`` (or ``$$``) at ``i`` closes, or -1."""
    double = src.startswith("$$", i)
    close = src.find("$$" if double else "$", i + (2 if double else 1))
    while close > 0 and src[close - 1] == "\\":
        close = src.find("$", close + 1)
    return close


#: control symbols kept verbatim (``\\ ``, ``\\/``, ``\\\\``, ``\\@``): spacing
#: that Unicode cannot spell (a space that does not end a sentence, an italic
#: correction, a line break, a capital that ends one)
_SPACING = frozenset(" \t\n/\\@")
_ENDS_WORD = re.compile(r"\\[A-Za-z]+$")
_SYMBOL_ACCENTS = frozenset("'`^\"~=.")


def _pieces(src: str) -> list:
    """``src`` cut into LaTeX text (str, decoded later), markup (_Marked),
    verbatim TeX and math (_Atom) and groups with markup inside (_Group)."""
    out: list = []
    buf: list[str] = []

    def put(piece: Any) -> None:
        if buf:
            out.append("".join(buf))
            buf.clear()
        out.append(piece)

    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "\\" and _NAME_AT.match(src, i + 1):
            piece, j = _command(src, i)
            if piece is None:
                buf.append(src[i:j])
            else:
                put(piece)
            i = j
        elif c == "\\" and src[i + 1 : i + 2] in _SPACING:
            # a control space, italic correction or line break: TeX's spacing,
            # which no Unicode character is; kept verbatim
            space = src[i + 1] in " \t\n"
            last = out[-1] if out and not buf else None
            if space and isinstance(last, _Atom) and _ENDS_WORD.search(last.source):
                buf.append(" ")  # \TeX\ for: the space a control word would eat
            elif space and buf and _ENDS_WORD.search(buf[-1]):
                buf.append("{} ")  # \dots\ Father: the same after a decoded command
            else:
                put(_Atom("tex", "\\ " if space else src[i : i + 2]))
            i += 2
        elif c == "\\" and src[i + 1 : i + 2] in _SYMBOL_ACCENTS and src.startswith("{}", i + 2):
            put(_Atom("tex", src[i : i + 4]))  # \'{}: an accent over nothing, no letter
            i += 4
        elif c == "\\":
            buf.append(src[i : i + 2])
            i += 2
        elif c == "`" and src.startswith("``", i) and "''" in src[i + 2 :]:
            close = src.find("''", i + 2)
            put(_Marked("q", _pieces(src[i + 2 : close]), "``"))
            i = close + 2
        elif c == "$" and _math_end(src, i) > 0:
            close = _math_end(src, i)
            if src.startswith("$$", i):
                put(_Atom("tex", src[i : close + 2]))
                i = close + 2
            else:
                put(_Atom("math", src[i + 1 : close]))
                i = close + 1
        elif c == "{" and _brace_end(src, i) > 0:
            end = _brace_end(src, i)
            piece = _group(src, i, end)
            if piece is None:
                buf.append(src[i : end + 1])
            else:
                put(piece)
            i = end + 1
        else:
            buf.append(c)
            i += 1
    if buf:
        out.append("".join(buf))
    return out


def _nodes(
    pieces: list, cased: bool, phrases: list[str], markup: list[tuple[str, str]] | None = None
) -> list:
    nodes: list = []
    for p in pieces:
        if isinstance(p, str):
            if not p:
                continue
            if cased:
                held = decode(p, keep_braces=True, held=True)
                held_plain, spans = strip_group_spans(held, nested=True)
                first = len(phrases)
                phrases.extend(
                    _RUNS.sub(" ", release(held_plain[a:b])).strip(" ") for a, b in spans
                )
                if held_plain:
                    nodes.extend(_text_groups(release(held_plain), spans, first))
            elif decode(p):
                nodes.append(decode(p))
        elif isinstance(p, _Atom):
            nodes.append(richtext.Element(p.tag, [p.source]))
        elif isinstance(p, _Marked):
            if markup is not None:
                markup.append((p.tag, p.spelling))
            nodes.append(richtext.Element(p.tag, _nodes(p.pieces, cased, phrases, markup)))
        else:
            # a protecting group: its phrase is taken when the spaces are settled
            # (its place in the phrases kept, so they stay in the order of the text)
            phrases.append("")
            slot = len(phrases) - 1
            nodes.append(
                richtext.Element(f"group:{slot}", _nodes(p.pieces, cased, phrases, markup))
            )
    return nodes


def _text_groups(text: str, spans: list[tuple[int, int]], first: int) -> list:
    """``text`` with its (nested) braced spans as ``text:N`` elements, N the
    span's phrase's place from ``first`` on (the phrase is taken already)."""
    if not spans:
        return [text]
    opens: dict[int, list[int]] = {}
    closes: dict[int, int] = {}
    for k, (a, b) in enumerate(spans):
        opens.setdefault(a, []).append(first + k)
        closes[b] = closes.get(b, 0) + 1
    stack: list[tuple[list, int]] = [([], -1)]
    pos = 0
    for at in sorted({*opens, *closes}):
        if at > pos:
            stack[-1][0].append(text[pos:at])
            pos = at
        for _ in range(closes.get(at, 0)):
            children, slot = stack.pop()
            stack[-1][0].append(richtext.Element(f"text:{slot}", children))
        for slot in opens.get(at, []):
            stack.append(([], slot))
    if pos < len(text):
        stack[0][0].append(text[pos:])
    return stack[0][0]


def _group_places(nodes: list, pos: int, out: list[tuple[int, int, int]]) -> int:
    """The plain-text spans of the groups in ``nodes``: (start, end, slot) into ``out``."""
    for node in nodes:
        if isinstance(node, str):
            pos += len(node)
        elif node.tag in ("math", "tex"):
            pos += len(richtext.tex_plain(node.source, math=node.tag == "math"))
        else:
            start = pos + (node.tag == "q")
            end = _group_places(node.children, start, out)
            if node.tag.startswith(("group:", "text:")):
                out.append((start, end, int(node.tag.split(":")[1])))
            pos = end + (node.tag == "q")
    return pos


def _copy(nodes: list) -> list:
    return [n if isinstance(n, str) else richtext.Element(n.tag, _copy(n.children)) for n in nodes]


def _in_place(nodes: list, phrases: list[str]) -> list:
    """The groups as ``nocase`` elements (those with a phrase), the rest in their place."""
    out: list = []
    for node in nodes:
        if isinstance(node, str) or node.tag in ("math", "tex"):
            out.append(node)
            continue
        children = _in_place(node.children, phrases)
        if node.tag.startswith(("group:", "text:")):
            if phrases[int(node.tag.split(":")[1])].strip():
                out.append(richtext.Element("nocase", children))
            else:
                out.extend(children)
        else:
            out.append(richtext.Element(node.tag, children))
    richtext._merge(out)
    return out


def _has_text(nodes: list) -> bool:
    """Is there text (not only TeX, math and spaces) in ``nodes``?"""
    return any(
        (isinstance(n, str) and n.strip())
        or (not isinstance(n, str) and n.tag not in ("math", "tex") and _has_text(n.children))
        for n in nodes
    )


def _has_math(nodes: list) -> bool:
    return any(not isinstance(n, str) and n.tag == "math" for n in nodes)


def _ungroup(nodes: list, phrases: list[str]) -> list:
    """The protecting groups' phrases noted and their content put in their place."""
    out: list = []
    for node in nodes:
        if isinstance(node, str) or node.tag in ("math", "tex"):
            out.append(node)
        elif node.tag.startswith("text:"):  # braces in text: its phrase is taken
            out.extend(_ungroup(node.children, phrases))
        elif node.tag.startswith("group:"):
            only = node.children[0] if len(node.children) == 1 else None
            inner = _ungroup(node.children, phrases)  # groups inside it: phrases of their own
            if isinstance(only, richtext.Element) and only.tag.startswith("group:"):
                phrases[int(only.tag[6:])] = ""  # {{pdf\TeX}}: two pairs of braces, one phrase
            slot = int(node.tag[6:])
            if slot < len(phrases) and (_has_text(inner) or _has_math(inner)):
                phrases[slot] = richtext.text_of(inner)  # ({$O(n)$}: BibTeX re-cases math)
            out.extend(inner)
        else:
            node.children = _ungroup(node.children, phrases)
            out.append(node)
    richtext._merge(out)
    return out


_RUNS = re.compile(r"[ \t\r\n]+")


def _collapse(nodes: list) -> None:
    for k, node in enumerate(nodes):
        if isinstance(node, str):
            nodes[k] = _RUNS.sub(" ", node)
        elif node.tag not in ("math", "tex"):
            _collapse(node.children)


def _strip_ends(nodes: list, left: bool) -> None:
    """Drop the spaces at the start (or end) of the text."""
    while nodes:
        k = 0 if left else -1
        node = nodes[k]
        if isinstance(node, str):
            node = node.lstrip(" ") if left else node.rstrip(" ")
            if node:
                nodes[k] = node
                return
            del nodes[k]
        elif node.tag in ("math", "tex"):
            return
        else:
            _strip_ends(node.children, left)
            if node.children:
                return
            del nodes[k]


def decode_rich(
    text: str,
    *,
    cased: bool = False,
    spaces: bool = True,
    markup: list[tuple[str, str]] | None = None,
) -> tuple[str, list[str]]:
    """A field's LaTeX as canonical rich text (:mod:`citeshelf.model.richtext`),
    and, with ``cased``, the plain text of its brace groups (the phrases whose
    letter case is protected). ``spaces``: runs of white space as one space,
    none at the ends. Formatting (``\\emph``, ``\\textbf``, ``\\textsc``,
    ``\\textsuperscript``, ``\\textsubscript``, ``\\mkbibquote``,
    ``\\enquote``, ``{\\em ...}``) becomes tags, ``$...$`` math (its source
    kept), and a command nothing decodes (``\\TeX``, ``\\texttt{...}``,
    ``\\autocap{e}``) is kept verbatim as ``<tex>``. ``markup`` receives
    (tag, how the source wrote it: :func:`spelled`) of each tag, in the order
    the tags open. Braces inside braces give phrases of their own; when a
    writer would not find the phrases again where the braces stood
    (``Festooning {F}rench``), the groups stay in place as ``nocase`` and no
    phrases are returned."""
    if "\\" not in text and "$" not in text and "``" not in text:
        if cased:
            held = decode(text, keep_braces=True, held=True)
            held_plain, spans = strip_group_spans(held, nested=True)
            phrases = [release(held_plain[a:b]) for a, b in spans]
            plain = release(held_plain)
            if len(spans) > 1 or (spans and plain.count(phrases[0]) > 1):
                placed = _placed_nocase(plain, spans, phrases, spaces)
                if placed is not None:
                    return placed, []
        else:
            plain, phrases = decode(text), []
        if spaces:
            plain = _RUNS.sub(" ", plain).strip(" ")
            phrases = [_RUNS.sub(" ", p).strip(" ") for p in phrases]
        return richtext.escape(plain), phrases
    phrases = []
    nodes = _nodes(_pieces(text), cased, phrases, markup)
    if spaces:
        _collapse(nodes)
        _strip_ends(nodes, True)
        _strip_ends(nodes, False)
    places: list[tuple[int, int, int]] = []
    if cased and phrases:
        _group_places(nodes, 0, places)
        before = _copy(nodes)
    # (a group's phrase is its text as settled; a phrase inside text is settled here)
    nodes = _ungroup(nodes, phrases)
    found = [p for p in phrases if p.strip()]
    spans = [(a, b) for a, b, slot in places if phrases[slot].strip()]
    text = richtext.serialize(nodes)
    plain = richtext.text_of(nodes)
    if (len(spans) > 1 or (spans and plain.count(found[0]) > 1)) and not _found_again(
        plain, spans, found, text
    ):
        return richtext.serialize(_in_place(before, phrases)), []
    if spans and not _braced_in_place(before, nodes, phrases, spans):
        return richtext.serialize(_in_place(before, phrases)), []
    return text, found


def _braced_in_place(
    before: list, nodes: list, phrases: list[str], spans: list[tuple[int, int]]
) -> bool:
    """Would a writer put the braces of ``spans`` where the source put them,
    among the markup and verbatim TeX (``nodes``; ``before``: with the groups
    as they stood)? It puts them as far out as the markup lets it: around a
    tag that holds just the phrase (``{{\\em MakeIndex}}``, not ``{\\em
    {MakeIndex}}``), and after TeX that prints nothing after it
    (``{{\\sc METAOBJ}\\/}``, not ``{{\\sc METAOBJ}}\\/``)."""
    if all(isinstance(n, str) for n in nodes):
        return True  # plain text: a span's place is its place in the text
    source = [
        ("brace", "", "{" if kind == "open" else "}") if tag == "nocase" else (kind, tag, value)
        for kind, tag, value in _tokens(_in_place(before, phrases), 0)
    ]
    writer = _with_braces(_tokens(nodes, 0), sorted(set(spans), key=lambda s: (s[0], -s[1])))
    return _joined(source) == _joined(writer)


def _joined(tokens: list) -> list:
    """``tokens`` with adjacent text as one token."""
    out: list = []
    for tok in tokens:
        if tok[0] == "text" and out and out[-1][0] == "text":
            out[-1] = ("text", "", out[-1][2] + tok[2])
        else:
            out.append(tok)
    return out


def _found_again(
    plain: str, spans: list[tuple[int, int]], phrases: list[str], rich: str | None = None
) -> bool:
    """Would a writer brace ``phrases`` where they stood (``spans`` of the
    ``plain`` text of ``rich``), or are they the capitals of sentence case,
    which it braces again?"""
    from .protect import auto_spans, find_spans, rich_auto_spans

    placed = set(spans)
    if set(find_spans(plain, phrases, nested=True)) == placed:
        return True
    return set(rich_auto_spans(rich) if rich is not None else auto_spans(plain)) == placed


def _placed_nocase(
    plain: str, spans: list[tuple[int, int]], phrases: list[str], spaces: bool
) -> str | None:
    """Text whose braced phrases a writer would not find again where they
    stood (``Festooning {F}rench``: the phrase "F" begins four other words)
    as rich text with each group in place as ``<span class="nocase">``;
    None when the phrases find their places."""
    if _found_again(plain, spans, phrases):
        return None
    marks = _brace_marks(spans)
    tags = {"{": richtext.TAGS["nocase"], "}": "</span>"}
    out, pos = [], 0
    for at in sorted(marks):
        out.append(richtext.escape(plain[pos:at]))
        out.append("".join(tags[c] for c in marks[at]))
        pos = at
    out.append(richtext.escape(plain[pos:]))
    text = "".join(out)
    return _RUNS.sub(" ", text).strip(" ") if spaces else text


def encode_rich(
    text: str,
    *,
    ascii: bool = False,
    spans: list[tuple[int, int]] | None = None,
    biblatex: bool = True,
    encode_text: Callable[[str], str] | None = None,
    case: Callable[[str], str] | None = None,
    markup: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """Canonical rich text as LaTeX (:func:`decode_rich`'s inverse): ``<i>``
    as ``\\emph{}``, ``<q>`` as ``\\mkbibquote{}`` (classic BibTeX: ``\\`\\`...''``),
    math in ``$``, ``<tex>`` as written, text escaped (:func:`encode`).
    ``spans`` (start, end in the plain text, :func:`~citeshelf.model.richtext.plain`)
    are put in braces (protected letter case); ``encode_text`` encodes each
    piece of text (default: :func:`encode`). ``case`` (a function that
    changes letter case and keeps the length) is applied to the plain text,
    except the spans and what the markup protects (``nocase``, math, TeX).
    ``markup``: tag -> how the source wrote that tag's elements, in order
    (:func:`spelled`; the last one goes on for any further), else
    :data:`SPELLINGS`."""
    enc = encode_text or (lambda s: encode(s, ascii=ascii))
    if not richtext.has_markup(text):
        if case is not None:
            headline = case(text)
            if len(headline) == len(text):
                text = _restore(headline, text, spans or [])
        if not spans:
            return enc(text)
        marks = _brace_marks(spans)
        out, pos = [], 0
        for at in sorted(marks):
            out.append(enc(text[pos:at]))
            out.append(marks[at])
            pos = at
        out.append(enc(text[pos:]))
        return "".join(out)
    tokens = _tokens(richtext.parse(text), 0)
    if case is not None:
        tokens = _recase(tokens, case, spans or [])
    if spans:
        tokens = _with_braces(tokens, spans)
    out = []
    closes: list[str] = []
    seen: dict[str, int] = {}
    for k, (kind, tag, value) in enumerate(tokens):
        if kind == "text":
            out.append(enc(value))
        elif kind == "brace":
            out.append(value)
        elif kind == "atom":
            if tag == "math":
                out.append("$" + value + "$")
            else:
                out.append(value)
                nxt = tokens[k + 1] if k + 1 < len(tokens) else None
                if _ENDS_WORD.search(value) and nxt is not None and nxt[0] == "text":
                    if nxt[2][:1].isalpha() or nxt[2][:1] in "\t\r\n":
                        out.append("{}")
                    elif nxt[2][:1] == " ":
                        out.append("\\")  # "\TeX\ for": the space is not eaten
        elif kind == "close":
            out.append(closes.pop())
        elif tag == "nocase":
            out.append("{")
            closes.append("}")
        else:
            written = (markup or {}).get(tag) or ()
            n = seen[tag] = seen.get(tag, -1) + 1
            spelling = written[min(n, len(written) - 1)] if written else SPELLINGS[tag]
            if not biblatex and spelling.startswith("\\mkbib"):
                spelling = "``" if tag == "q" else SPELLINGS[tag]  # biblatex's own commands
            if spelling == "``":
                odd = value % 2  # a quotation inside one: `...'
                opening, closing = ("`", "'") if odd else ("``", "''")
            else:
                opening, closing = spelled(spelling)
            out.append(opening)
            closes.append(closing)
    return "".join(out)


def _brace_marks(spans: list[tuple[int, int]]) -> dict[int, str]:
    """The braces around ``spans`` (sorted by start, the longer first, as
    :func:`~citeshelf.formats.protect.find_spans` gives them; nested ones
    inside), by offset: the groups that close there, then those that open."""
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for a, b in spans:
        opens.setdefault(a, []).append("{")
        closes.setdefault(b, []).insert(0, "}")
    return {
        at: "".join(closes.get(at, [])) + "".join(opens.get(at, []))
        for at in sorted({*opens, *closes})
    }


def _tokens(nodes: list, qdepth: int) -> list[tuple[str, str, Any]]:
    """A flat stream: ("text", "", s), ("atom", tag, source), ("open"/"close", tag, q depth)."""
    out: list[tuple[str, str, Any]] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(("text", "", node))
        elif node.tag in ("math", "tex"):
            out.append(("atom", node.tag, node.source))
        else:
            out.append(("open", node.tag, qdepth))
            out.extend(_tokens(node.children, qdepth + (node.tag == "q")))
            out.append(("close", node.tag, qdepth))
    return out


def _width(token: tuple[str, str, Any]) -> int:
    """How many characters of the plain text a token stands for."""
    kind, tag, value = token
    if kind == "text":
        return len(value)
    if kind == "atom":
        return len(richtext.tex_plain(value, math=tag == "math"))
    return 1 if tag == "q" else 0


def _with_braces(tokens: list, spans: list[tuple[int, int]]) -> list:
    """``tokens`` with "{" and "}" around each span of the plain text, where
    the markup between them pairs up (a span that cuts across markup is left
    without braces)."""
    cuts = sorted({x for span in spans for x in span})
    # split text tokens at the span boundaries
    split: list = []
    pos = 0
    for tok in tokens:
        w = _width(tok)
        if tok[0] == "text":
            start = pos
            value = tok[2]
            for c in cuts:
                if start < c < pos + w:
                    split.append(("text", "", value[: c - start]))
                    value = value[c - start :]
                    start = c
            split.append(("text", "", value))
        else:
            split.append(tok)
        pos += w
    offsets = []
    pos = 0
    for tok in split:
        offsets.append(pos)
        pos += _width(tok)
    offsets.append(pos)
    inserts: dict[int, list[str]] = {}
    for a, b in spans:
        starts = [k for k in range(len(split) + 1) if offsets[k] == a]
        ends = [k for k in range(len(split) + 1) if offsets[k] == b]
        # the last place the span can end, but before a \@ ({World War II}\@)
        ends.sort(
            key=lambda k: (k > 0 and split[k - 1][0] == "atom" and split[k - 1][2] == "\\@", -k)
        )
        choice = None
        for s in starts:
            for e in ends:
                if e > s and _balanced_tokens(split[s:e]):
                    choice = (s, e)
                    break
            if choice:
                break
        if choice and any(
            (t[0] == "text" and t[2].strip()) or (t[0] == "atom" and t[1] == "math")
            for t in split[choice[0] : choice[1]]
        ):
            # (verbatim TeX is never re-cased: no braces around it alone; math is,
            # by classic BibTeX)
            inserts.setdefault(choice[0], []).append("{")
            inserts.setdefault(choice[1], []).insert(0, "}")
    out: list = []
    for k, tok in enumerate(split):
        out.extend(("brace", "", mark) for mark in inserts.get(k, []))
        out.append(tok)
    out.extend(("brace", "", mark) for mark in inserts.get(len(split), []))
    return out


def _balanced_tokens(tokens: list) -> bool:
    depth = 0
    for kind, _, _ in tokens:
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _restore(changed: str, original: str, spans: list[tuple[int, int]]) -> str:
    """``changed`` with the characters of ``spans`` as in ``original``."""
    if not spans:
        return changed
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    out, pos = [], 0
    for a, b in merged:
        out.append(changed[pos:a])
        out.append(original[a:b])
        pos = b
    out.append(changed[pos:])
    return "".join(out)


def _recase(tokens: list, case: Callable[[str], str], spans: list[tuple[int, int]]) -> list:
    """Text tokens re-cased by ``case`` over the whole plain text, except in
    ``spans`` and inside ``nocase``."""
    pieces = []
    for tok in tokens:
        kind, tag, value = tok
        if kind == "text":
            pieces.append(value)
        elif kind == "atom":
            pieces.append(richtext.tex_plain(value, math=tag == "math"))
        elif tag == "q":
            pieces.append("“" if kind == "open" else "”")
    plain = "".join(pieces)
    changed = case(plain)
    if len(changed) != len(plain):
        return tokens
    changed = _restore(changed, plain, spans)
    out, pos, nocase = [], 0, 0
    for tok in tokens:
        kind, tag, value = tok
        w = _width(tok)
        if kind == "open" and tag == "nocase":
            nocase += 1
        elif kind == "close" and tag == "nocase":
            nocase -= 1
        elif kind == "text" and not nocase:
            tok = ("text", "", changed[pos : pos + w])
        out.append(tok)
        pos += w
    return out
