"""Rich text: the one canonical form of inline markup in a record's text fields.

A title (or any other text field) is a string of Unicode text in which a few
tags mark inline formatting. The tags are the rich-text subset of CSL-JSON
that citeproc-js understands, plus three of citeshelf's own for what CSL
lacks:

=============================  ====================================  ======================
tag                            meaning                               BibTeX / BibLaTeX
=============================  ====================================  ======================
``<i>…</i>``                   italic                                ``\\emph{…}``, ``\\textit``
``<b>…</b>``                   bold                                  ``\\textbf{…}``
``<sc>…</sc>``                 small capitals                        ``\\textsc{…}``
``<sup>…</sup>``               superscript                           ``\\textsuperscript{…}``
``<sub>…</sub>``               subscript                             ``\\textsubscript{…}``
``<span class="nocase">…``     letter case kept as written           ``{…}``
``<q>…</q>``                   quoted text (the style's quotes)      ``\\mkbibquote{…}``, ``\\enquote``
``<math>…</math>``             TeX math, its source verbatim         ``$…$``
``<tex>…</tex>``               LaTeX nobody can decode, verbatim     as written (``{\\TeX}``)
=============================  ====================================  ======================

Reading is lenient, so that text written before markup existed keeps its
meaning: only these exact tags are markup, and only when they pair up
(``p < 0.05`` and a lone ``<i>`` are text); ``&lt;``, ``&gt;`` and
``&amp;`` are the escapes of ``<``, ``>`` and ``&``; any other ``&`` is
text. Writing escapes exactly what would otherwise be read as markup or
as an escape (a literal ``<i>`` is ``&lt;i>``), so plain text and markup
can never be confused and a title without markup is stored as it is.

Inside ``<math>`` and ``<tex>`` there is no markup: their content is TeX
source. Its plain text (:func:`tex_plain`) spells the TeX logos (``\\TeX``
-> "TeX"), a few math symbols, and the arguments of other macros.

Letter case protection of whole phrases imported from BibTeX braces stays in
``record.extra["protect"]`` (see :mod:`citeshelf.formats.protect`); a
``<span class="nocase">`` in a field is protection of its own, honoured the
same way by the styles.

Functions: :func:`parse` (to a small tree of :class:`Element` and ``str``),
:func:`serialize` (the tree back to canonical text), :func:`plain` (the text
a reader sees, no tags), :func:`escape` (plain text as canonical text),
:func:`has_markup`, :func:`problems` (why a text is not canonical),
:func:`map_plain` (change letters, such as letter case, outside protected
markup).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

__all__ = [
    "TAGS",
    "ATOMS",
    "Element",
    "Node",
    "parse",
    "serialize",
    "plain",
    "escape",
    "has_markup",
    "problems",
    "map_plain",
    "tex_plain",
    "TEX_WORDS",
    "text_of",
    "atom_spans",
    "wrap_spans",
]

#: tag name -> its opening tag as written
TAGS: dict[str, str] = {
    "i": "<i>",
    "b": "<b>",
    "sc": "<sc>",
    "sup": "<sup>",
    "sub": "<sub>",
    "nocase": '<span class="nocase">',
    "q": "<q>",
    "math": "<math>",
    "tex": "<tex>",
}
#: elements whose content is TeX source, not text with markup
ATOMS = frozenset({"math", "tex"})
#: elements whose letters a style never re-cases
KEEP_CASE = frozenset({"nocase", "math", "tex"})

_CLOSE = {name: ("</span>" if name == "nocase" else f"</{name}>") for name in TAGS}
#: other spellings read as the same tags (CSL-JSON's small caps span)
_ALIASES = {
    '<span style="font-variant:small-caps;">': "sc",
    '<span style="font-variant: small-caps;">': "sc",
    '<span style="font-variant:small-caps">': "sc",
    '<span style="font-variant: small-caps">': "sc",
}
_OPEN_TOKENS = {**{v: k for k, v in TAGS.items()}, **_ALIASES}
_TOKEN = re.compile(
    "|".join(
        re.escape(t)
        for t in sorted(
            [*_OPEN_TOKENS, *{c for c in _CLOSE.values()}, "&lt;", "&gt;", "&amp;"],
            key=len,
            reverse=True,
        )
    )
)
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&"}
#: a quick test: can ``text`` hold markup or an escape at all?
_MAYBE = re.compile(r"<(?:/?(?:i|b|sc|sup|sub|q|math|tex|span)[ >])|&(?:lt|gt|amp);")


class Element:
    """A marked-up span: ``tag`` (a key of :data:`TAGS`) and its children
    (``str`` and elements); an atom (``math``, ``tex``) has one ``str`` child,
    its TeX source."""

    __slots__ = ("tag", "children")

    def __init__(self, tag: str, children: list[Node] | None = None) -> None:
        self.tag = tag
        self.children: list[Node] = children if children is not None else []

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Element) and other.tag == self.tag and other.children == self.children
        )

    def __repr__(self) -> str:
        return f"Element({self.tag!r}, {self.children!r})"

    @property
    def source(self) -> str:
        """An atom's TeX source."""
        return "".join(c for c in self.children if isinstance(c, str))


Node = str | Element


def has_markup(text: str | None) -> bool:
    """Does ``text`` hold a tag or an escape? (False for most text, fast.)"""
    if not text or ("<" not in text and "&" not in text):
        return False
    return bool(_MAYBE.search(text))


def parse(text: str) -> list[Node]:
    """``text`` as a list of nodes (adjacent text merged). Tags that do not
    pair up are text."""
    if not has_markup(text):
        return [text] if text else []
    root = Element("")
    stack: list[tuple[Element, str]] = [(root, "")]
    pos = 0
    for m in _TOKEN.finditer(text):
        top, _ = stack[-1]
        if m.start() < pos:
            continue
        token = m.group(0)
        close = _close_of(top.tag, stack[-1][1])
        in_atom = top.tag in ATOMS
        if in_atom and token != close and token not in _ENTITIES:
            continue
        _add(top, text[pos : m.start()])
        pos = m.end()
        if token in _ENTITIES:
            _add(top, _ENTITIES[token])
        elif token in _OPEN_TOKENS:
            child = Element(_OPEN_TOKENS[token])
            top.children.append(child)
            stack.append((child, token))
        elif len(stack) > 1 and token == close:
            stack.pop()
        else:
            _add(top, token)  # a closing tag with nothing open: text
    _add(stack[-1][0], text[pos:])
    while len(stack) > 1:  # an opening tag never closed: text
        child, token = stack.pop()
        parent = stack[-1][0]
        i = next(k for k in range(len(parent.children) - 1, -1, -1) if parent.children[k] is child)
        parent.children[i : i + 1] = [token, *child.children]
        _merge(parent.children)
    return root.children


def _close_of(tag: str, opening: str) -> str:
    """The closing tag of an element opened by ``opening`` (the small-caps span: ``</span>``)."""
    return "</span>" if opening.startswith("<span") else _CLOSE.get(tag, "")


def _add(el: Element, text: str) -> None:
    if not text:
        return
    if el.children and isinstance(el.children[-1], str):
        el.children[-1] += text
    else:
        el.children.append(text)


def _merge(nodes: list[Node]) -> None:
    """Adjacent text joined."""
    i = 1
    while i < len(nodes):
        a, b = nodes[i - 1], nodes[i]
        if isinstance(a, str) and isinstance(b, str):
            nodes[i - 1 : i + 1] = [a + b]
        else:
            i += 1


_ESCAPE_RE = re.compile(
    '&(?=lt;|gt;|amp;)|<(?=/?(?:i|b|sc|sup|sub|q|math|tex)>|span class="nocase">|/span>'
    '|span style="font-variant)'
)


def escape(text: str) -> str:
    """Plain text as canonical text: only what would be read as a tag or an
    escape is escaped (``&lt;i>``, ``&amp;amp;``); other text is unchanged."""
    if "<" not in text and "&" not in text:
        return text
    return _ESCAPE_RE.sub(lambda m: "&lt;" if m.group(0) == "<" else "&amp;", text)


def _escape_atom(text: str, tag: str) -> str:
    close = _CLOSE[tag]
    if close not in text and "&" not in text:
        return text
    text = re.sub("&(?=lt;|gt;|amp;)", "&amp;", text)
    return text.replace(close, "&lt;" + close[1:])


def serialize(nodes: list[Node]) -> str:
    """Nodes as canonical text (:func:`parse`'s inverse)."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(escape(node))
        elif node.tag in ATOMS:
            out.append(TAGS[node.tag] + _escape_atom(node.source, node.tag) + _CLOSE[node.tag])
        elif node.children:
            out.append(TAGS[node.tag] + serialize(node.children) + _CLOSE[node.tag])
    return "".join(out)


def problems(text: str) -> list[str]:
    """Why ``text`` is not in canonical form (empty if it is): a tag that
    does not pair up, an empty element, an escape that is not needed."""
    out = []
    if serialize(parse(text)) != text:
        out.append("markup that does not pair up, or an escape where none is needed")
    return out


# -- plain text --------------------------------------------------------------

#: TeX logos and other macros without arguments whose plain text is known
TEX_WORDS = {
    "TeX": "TeX",
    "LaTeX": "LaTeX",
    "LaTeXe": "LaTeX2ε",
    "BibTeX": "BibTeX",
    "METAFONT": "METAFONT",
    "MF": "METAFONT",
    "MP": "MetaPost",
    "METAPOST": "MetaPost",
    "AmS": "AMS",
    "AMS": "AMS",
    "AmSTeX": "AMS-TeX",
    "XeTeX": "XeTeX",
    "XeLaTeX": "XeLaTeX",
    "LuaTeX": "LuaTeX",
    "LuaLaTeX": "LuaLaTeX",
    "ConTeXt": "ConTeXt",
    "eTeX": "ε-TeX",
    "pdfTeX": "pdfTeX",
    "hyphen": "-",
    "Dash": "—",
    "slash": "/",
    "ldots": "…",
    "dots": "…",
    "textendash": "–",
    "textemdash": "—",
    # what natbib's .bst files define before a URL (plainnat.bst: \def\urlprefix{URL }),
    # found in entries copied from a .bbl: "\urlprefix\url{...}"
    "urlprefix": "URL ",
    # biblatex's punctuation and spacing commands (biblatex manual, 4.7.3-4.7.4)
    "adddot": ".",
    "addperiod": ".",
    "addcomma": ",",
    "addsemicolon": ";",
    "addcolon": ":",
    "addslash": "/",
    "adddotspace": ". ",
    "addspace": " ",
    "addabbrvspace": " ",
    "addlowpenspace": " ",
    "addhighpenspace": " ",
    "addnbspace": "\u00a0",
    "addthinspace": "\u2009",
    "addnbthinspace": "\u202f",
    "addlpthinspace": "\u2009",
    "addhpthinspace": "\u2009",
    "addabthinspace": "\u2009",
    "isdot": "",
    "nopunct": "",
    # math
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "iota": "ι",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "upsilon": "υ",
    "phi": "φ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Xi": "Ξ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
    "times": "×",
    "pm": "±",
    "mp": "∓",
    "leq": "≤",
    "le": "≤",
    "geq": "≥",
    "ge": "≥",
    "neq": "≠",
    "ne": "≠",
    "approx": "≈",
    "sim": "∼",
    "infty": "∞",
    "to": "→",
    "rightarrow": "→",
    "leftarrow": "←",
    "cdot": "·",
    "circ": "∘",
    "partial": "∂",
    "nabla": "∇",
    "sum": "∑",
    "prod": "∏",
    "int": "∫",
    "sqrt": "√",
    "in": "∈",
    "ell": "ℓ",
    "hbar": "ℏ",
}
_SUPER = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUB = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
#: commands that print nothing
_SILENT = frozenset(
    [
        "protect",
        "relax",
        "null",
        "xspace",
        "noindent",
        "unskip",
        "nobreak",
        "tt",
        "sl",
        "rm",
        "sf",
        "it",
        "bf",
        "sc",
        "em",
        "upshape",
        "itshape",
        "slshape",
        "scshape",
        "bfseries",
        "mdseries",
        "rmfamily",
        "sffamily",
        "ttfamily",
        "normalfont",
        "tiny",
        "scriptsize",
        "footnotesize",
        "small",
        "normalsize",
        "large",
        "Large",
        "LARGE",
        "huge",
        "Huge",
    ]
)
#: macros whose argument only sorts (``{\noopsort{1973b}}``): nothing is printed
_HIDDEN = re.compile(r"\\(?:noopsort|SortNoop|sortnoop|noop)\s*\{[^{}]*\}")
_CONTROL = re.compile(r"\\([A-Za-z]+)\*?\s*|\\(.)")
_SCRIPT = re.compile(r"([\^_])(?:\{([^{}]*)\}|(.))")


#: TeX's accents written as symbols -> the combining marks they put on a letter
#: (:mod:`citeshelf.formats.latex` adds the accents written as letters)
ACCENT_MARKS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
}


#: Commands whose argument may be written between two of any other character
#: (``\\path|a_b%c|``, url's and LaTeX's ``\\verb``): text as it stands.
DELIMITED_VERBATIM = frozenset({"path", "url", "nolinkurl", "verb"})
#: such a command and its argument (the delimiter: no letter, space, brace,
#: bracket, star or backslash)
_DELIMITED_AT = re.compile(
    r"\\(?:" + "|".join(sorted(DELIMITED_VERBATIM)) + r")\*?([^A-Za-z\s{}\[*\\])(.*?)\1",
    re.DOTALL,
)
#: the same, not after a backslash (``\\\\path|x|`` is a line break, then text)
_DELIMITED = re.compile(r"(?<!\\)" + _DELIMITED_AT.pattern, re.DOTALL)


def delimited_spans(source: str) -> list[tuple[int, int, str]]:
    """Where each such argument's command starts and its argument ends in
    ``source``, and the argument's text; none in most texts."""
    if not ("path" in source or "url" in source or "verb" in source):
        return []
    return [(m.start(), m.end(), m.group(2)) for m in _DELIMITED.finditer(source)]


def delimited_end(source: str, i: int) -> int | None:
    """Where such a command at ``source[i]`` (its backslash) ends with its
    argument; None if none starts there."""
    m = _DELIMITED_AT.match(source, i)
    return m.end() if m else None


def tex_plain(source: str, *, math: bool = False) -> str:
    """The plain text of TeX source: logos and known symbols spelled out,
    other macros' names dropped (their arguments kept), braces dropped; in
    math, ``^2`` and ``_2`` as Unicode super- and subscripts where there are
    such characters; a delimited verbatim argument (``\\path|a_b|``) as it
    stands."""
    spans = delimited_spans(source) if not math and "\\" in source else []
    if spans:
        out: list[str] = []
        last = 0
        for start, end, argument in spans:
            out += [tex_plain(source[last:start]), argument]
            last = end
        return "".join(out) + tex_plain(source[last:])

    def control(m: re.Match[str]) -> str:
        name = m.group(1)
        if name:
            if name in TEX_WORDS:
                return TEX_WORDS[name]
            after = source[m.end() :]
            if name in _SILENT or (after.startswith("{") and not after.startswith("{}")):
                return ""  # \protect; a macro's name before its argument
            # \TUB: an unknown logo is better named than lost; in math, \log n
            return name + " " if math and m.group(0)[-1:].isspace() else name
        ch = m.group(2)
        if ch in ACCENT_MARKS and source.startswith("{}", m.end()):
            return ACCENT_MARKS[ch]  # \'{}: the accent alone
        if math:
            return {"!": "", ",": " ", ";": " ", ":": " "}.get(ch, ch)
        if ch in " \\":
            return " "  # a control space; a line break
        return "" if ch in ",;!:/@" else ch

    if "noop" in source.lower():
        source = _HIDDEN.sub("", source)
    text = _CONTROL.sub(control, source)
    if math:

        def script(m: re.Match[str]) -> str:
            body = m.group(2) if m.group(2) is not None else m.group(3)
            table = _SUPER if m.group(1) == "^" else _SUB
            moved = body.translate(table)
            return moved if all(c != d for c, d in zip(moved, body, strict=True)) else body

        text = _SCRIPT.sub(script, text)
    text = text.replace("{", "").replace("}", "")
    if math:
        return re.sub(r"\s+", " ", text.replace("~", " "))
    return text.replace("~", "\u00a0")


def _plain(nodes: list[Node], depth: int, out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif node.tag in ATOMS:
            out.append(tex_plain(node.source, math=node.tag == "math"))
        elif node.tag == "q":
            marks = ("“", "”") if depth % 2 == 0 else ("‘", "’")
            out.append(marks[0])
            _plain(node.children, depth + 1, out)
            out.append(marks[1])
        else:
            _plain(node.children, depth, out)


def plain(text: str | None) -> str:
    """The text without markup, as a reader sees it (quoted text in
    quotation marks, TeX spelled out); text without markup as it is."""
    if not text:
        return ""
    if not has_markup(text):
        return text
    out: list[str] = []
    _plain(parse(text), 0, out)
    return "".join(out)


def atom_spans(text: str) -> list[tuple[int, int]]:
    """Where the ``<math>`` and ``<tex>`` elements stand in :func:`plain` text."""
    if not has_markup(text):
        return []
    spans: list[tuple[int, int]] = []

    def walk(nodes: list[Node], depth: int, pos: int) -> int:
        for node in nodes:
            if isinstance(node, str):
                pos += len(node)
            elif node.tag in ATOMS:
                width = len(tex_plain(node.source, math=node.tag == "math"))
                spans.append((pos, pos + width))
                pos += width
            elif node.tag == "q":
                pos = walk(node.children, depth + 1, pos + 1) + 1
            else:
                pos = walk(node.children, depth, pos)
        return pos

    walk(parse(text), 0, 0)
    return spans


def text_of(nodes: list[Node]) -> str:
    """The plain text of parsed nodes (see :func:`plain`)."""
    out: list[str] = []
    _plain(nodes, 0, out)
    return "".join(out)


def _leaves(nodes: list[Node], level: int) -> Iterator[tuple[list[Node], int, int]]:
    """Every text node as (its list, its index, 0 / 1 inside nocase / 2 an atom's source)."""
    for i, node in enumerate(nodes):
        if isinstance(node, str):
            yield nodes, i, level
        elif node.tag in ATOMS:
            if node.children:
                yield node.children, 0, 2
        else:
            yield from _leaves(node.children, max(level, int(node.tag in KEEP_CASE)))


def map_plain(text: str, fn: Callable[[str], str], *, keep_case: bool = True) -> str:
    """``text`` with ``fn`` applied to its letters, markup left as it is.

    ``fn`` sees the whole text at once (so a rule about "the first word" or
    "after a colon" works across tags); where it keeps the length, each
    changed character is put back in place, except inside ``math`` and
    ``tex`` (never changed) and ``nocase`` (unless ``keep_case`` is False);
    otherwise ``fn`` is applied to each text node alone. Text without markup
    is just ``fn(text)``."""
    if not has_markup(text):
        return fn(text)
    nodes = parse(text)
    leaves = list(_leaves(nodes, 0))
    pieces = [str(lst[i]) for lst, i, _ in leaves]
    whole = "".join(pieces)
    mapped = fn(whole)
    free = (0,) if keep_case else (0, 1)
    if len(mapped) == len(whole):
        pos = 0
        for (lst, i, level), piece in zip(leaves, pieces, strict=True):
            if level in free:
                lst[i] = mapped[pos : pos + len(piece)]
            pos += len(piece)
    else:
        for lst, i, level in leaves:
            if level in free:
                lst[i] = fn(str(lst[i]))
    return serialize(nodes)


def _widths(nodes: list[Node], depth: int, out: list[tuple[str, Node | None, int]]) -> None:
    """A flat stream of ("text", s, width) / ("atom", el, width) / ("open", el, w) / ("close", el, w)."""
    for node in nodes:
        if isinstance(node, str):
            out.append(("text", node, len(node)))
        elif node.tag in ATOMS:
            out.append(("atom", node, len(tex_plain(node.source, math=node.tag == "math"))))
        else:
            q = int(node.tag == "q")
            out.append(("open", node, q))
            _widths(node.children, depth + q, out)
            out.append(("close", node, q))


def wrap_spans(text: str, spans: list[tuple[int, int]], tag: str = "nocase") -> str:
    """``text`` with each span of its :func:`plain` text (start, end) put in a
    ``tag`` element, where the markup between its ends pairs up (a span that
    cuts across markup, or holds only TeX or math, is left as it is)."""
    if not spans:
        return text
    if not has_markup(text):
        pieces, pos = [], 0
        for a, b in spans:
            pieces += [escape(text[pos:a]), TAGS[tag], escape(text[a:b]), _CLOSE[tag]]
            pos = b
        pieces.append(escape(text[pos:]))
        return "".join(pieces)
    stream: list[tuple[str, Node | None, int]] = []
    _widths(parse(text), 0, stream)
    cuts = sorted({x for span in spans for x in span})
    split: list[tuple[str, Node | None, int]] = []
    pos = 0
    for kind, node, w in stream:
        if kind == "text":
            assert isinstance(node, str)
            start, rest = pos, node
            for c in cuts:
                if start < c < pos + w:
                    split.append(("text", rest[: c - start], c - start))
                    rest, start = rest[c - start :], c
            split.append(("text", rest, len(rest)))
        else:
            split.append((kind, node, w))
        pos += w
    offsets = [0]
    for _, _, w in split:
        offsets.append(offsets[-1] + w)
    opens: dict[int, int] = {}
    closes: dict[int, int] = {}
    for a, b in spans:
        choice = None
        for s in (k for k in range(len(split) + 1) if offsets[k] == a):
            for e in (k for k in range(len(split), s, -1) if offsets[k] == b):
                depth, ok = 0, True
                for kind, _, _ in split[s:e]:
                    depth += (kind == "open") - (kind == "close")
                    ok = ok and depth >= 0
                if ok and depth == 0:
                    choice = (s, e)
                    break
            if choice:
                break
        if choice and any(
            k == "text" and str(n).strip() for k, n, _ in split[choice[0] : choice[1]]
        ):
            opens[choice[0]] = opens.get(choice[0], 0) + 1
            closes[choice[1]] = closes.get(choice[1], 0) + 1
    out: list[str] = []
    for k, (kind, node, _) in enumerate(split + [("end", None, 0)]):
        out.append(_CLOSE[tag] * closes.get(k, 0) + TAGS[tag] * opens.get(k, 0))
        if kind == "text":
            out.append(escape(str(node)))
        elif kind == "atom":
            assert isinstance(node, Element)
            out.append(serialize([Element(node.tag, [node.source])]))
        elif kind in ("open", "close"):
            assert isinstance(node, Element)
            out.append(TAGS[node.tag] if kind == "open" else _CLOSE[node.tag])
    return "".join(out)
