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

Writing (:func:`encode`) escapes ``& % $ # _ { } ~ ^ \\`` (so a brace,
balanced or not, is ``\\{``/``\\}`` and the field always ends where it
should), removes control characters (ESC, BEL, CR ...: TeX refuses them and
no reader gives them back) and, with ``ascii=True``, writes non-ASCII letters
as LaTeX macros (for classic BibTeX).
"""

from __future__ import annotations

import re
import unicodedata

from ..model.controls import CONTROL_RE, strip_controls

__all__ = ["decode", "encode", "strip_groups", "needs_decoding", "top_level_groups"]

# Accent commands -> combining marks.
_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
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
_ESCAPES = {" ": " ", ",": "\u2009", "/": "", "-": "", "@": ""}
# Escaped specials are held as private-use characters while decoding, so that
# a "\$" or "\{" is never taken for math or a group, then put back.
_HELD = "&%$#_{}~\\"
_HOLD = {c: chr(0xE000 + i) for i, c in enumerate(_HELD)}
_UNHOLD = {v: k for k, v in _HOLD.items()}
_HOLD_RE = re.compile(r"\\([&%$#_{}])")
_UNHOLD_RE = re.compile("[" + "".join(_UNHOLD) + "]")
_NAMED["textasciitilde"] = _HOLD["~"]
_NAMED["textbackslash"] = _HOLD["\\"]
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

_SPECIAL = re.compile(r"[\\{}~$]|--|``|''|!`|\?`")
_ACC = "['`^\"~=.]|[uvHckdbrt](?![A-Za-z])"
# {\'e}  {\'{e}}  {\' e}  {\"\i}  {\c c}
_GROUP_ACCENT = re.compile(
    r"\{\\(" + _ACC + r")\s*(?:\{\s*(\\[ij]|[^\W\d_])\s*\}|(\\[ij](?![A-Za-z])|[^\W\d_]))\s*\}"
)
# \'e  \'{e}  \' e  \c{c}  \"{\i}
_BARE_ACCENT = re.compile(
    r"\\(" + _ACC + r")\s*(?:\{\s*(\\[ij]|[^\W\d_]?)\s*\}|(\\[ij](?![A-Za-z])\s*|[^\W\d_]))"
)
# {\ss}  \ss{}  \ss (followed by a non-letter)
_GROUP_NAMED = re.compile(r"\{\\([A-Za-z]+)\s*\}")
_BARE_NAMED = re.compile(r"\\([A-Za-z]+)(?:\{\}|\s+|(?![A-Za-z]))")
_TEXT_CMD = re.compile(r"\\([A-Za-z]+)\s*\{([^{}\\]*)\}")
_ESCAPE = re.compile(r"\\([ ,/@-])")


def needs_decoding(text: str) -> bool:
    """True if ``text`` holds anything LaTeX would treat specially."""
    return bool(_SPECIAL.search(text))


def _accent(mark: str, base: str) -> str:
    base = base.strip()
    if base in ("\\i", "\\j", "ı", "ȷ"):
        base = "i" if base in ("\\i", "ı") else "j"
    if not base:
        return unicodedata.normalize("NFC", " " + _ACCENTS[mark]).strip() or _ACCENTS[mark]
    return unicodedata.normalize("NFC", base + _ACCENTS[mark])


def _sub_accent(m: re.Match[str]) -> str:
    return _accent(m.group(1), m.group(2) or m.group(3) or "")


def _sub_named(m: re.Match[str], whole: str | None = None) -> str:
    name = m.group(1)
    if name in _NAMED:
        return _NAMED[name]
    return m.group(0)


def _fast(text: str) -> str:
    """Table-driven decoding of the common macros; braces kept."""
    if "\\" in text:
        for _ in range(3):  # nested accents: {\'{\"{u}}}
            before = text
            text = _GROUP_ACCENT.sub(_sub_accent, text)
            text = _BARE_ACCENT.sub(_sub_accent, text)
            if text == before or "\\" not in text:
                break
        text = _GROUP_NAMED.sub(lambda m: _NAMED.get(m.group(1), m.group(0)), text)
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


def decode(text: str, *, keep_braces: bool = False, held: bool = False) -> str:
    """LaTeX field text as Unicode.

    With ``keep_braces`` the grouping braces stay (use :func:`strip_groups`
    next); otherwise they are removed. With ``held`` the escaped characters
    (``\\{`` ``\\}`` ``\\textbackslash`` ...) stay as placeholders, so that
    name splitting cannot mistake them for braces; :func:`release` puts them back.
    """
    if not needs_decoding(text):
        return text
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


def strip_group_spans(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Like :func:`strip_groups`, with the braced phrases as (start, end) in the plain text."""
    if "{" not in text and "}" not in text:
        return text, []
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


_LIGATURES = re.compile(r"-(?=-)|`(?=`)|'(?=')|[!?](?=`)")


def encode(text: str, *, ascii: bool = False, escape: bool = True) -> str:
    """Unicode text as BibTeX field text (braces are the caller's business)."""
    if CONTROL_RE.search(text):
        text = strip_controls(text)
    if escape and _ESCAPE_OUT_RE.search(text):
        text = _ESCAPE_OUT_RE.sub(lambda m: _ESCAPE_OUT[m.group(0)], text)
    if escape and ("-" in text or "`" in text or "'" in text):
        # "--" is an en dash to TeX; "-{}-" stays two hyphens
        text = _LIGATURES.sub(lambda m: m.group(0) + "{}", text)
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
