"""The styled-text tree a style produces, and its renderers.

A formatted citation is a :class:`Styled`: a flat list of runs. A run is a
plain ``str``, an :class:`Italic` run, a :class:`Marked` run (bold, small
capitals, superscript, subscript, with or without italics) or a
:class:`Link`. Record text given to :meth:`Styled.add` and
:meth:`Styled.italic` may hold rich-text markup
(:mod:`citeshelf.model.richtext`): it becomes runs (an italic word inside an
italic title is set roman, as CSL's flip-flop does; quoted text gets
quotation marks, single ones inside double), so no tag is ever printed as
text. Quotation marks,
dashes and apostrophes are already typographic characters inside the runs
(“ ” ‘ ’ –), so every output format shows the same text.

Renderers: :func:`to_text`, :func:`to_markdown`, :func:`to_html`. The
terminal renderer lives in :mod:`citeshelf.render` (the one module that
imports Rich) and walks the same runs.
"""

from __future__ import annotations

import re
from html import escape as _html_escape

from ..model import richtext
from ..model.controls import strip_controls

__all__ = [
    "Italic",
    "Marked",
    "Link",
    "Styled",
    "safe_href",
    "to_text",
    "to_markdown",
    "to_html",
    "smarten",
]


class Italic:
    """Text in italics (a book or journal title)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Italic) and other.text == self.text

    def __repr__(self) -> str:
        return f"Italic({self.text!r})"


class Marked:
    """Text with inline formatting from a record's rich text: ``marks`` is a
    sorted tuple of "b" (bold), "i" (italic), "sc" (small capitals), "sup",
    "sub". (Italics alone are an :class:`Italic`.)"""

    __slots__ = ("text", "marks")

    def __init__(self, text: str, marks: tuple[str, ...]) -> None:
        self.text = text
        self.marks = marks

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Marked) and (other.text, other.marks) == (self.text, self.marks)

    def __repr__(self) -> str:
        return f"Marked({self.text!r}, {self.marks!r})"


def rich_runs(text: str, *, italic: bool = False) -> list[str | Italic | Marked]:
    """The runs of rich text (``italic``: the whole is in italics, and an
    ``<i>`` inside it is roman)."""
    out: list[str | Italic | Marked] = []
    opened = [0]  # quotation marks opened by the text so far, so <q> inside “...” is ‘...’

    def put(piece: str, marks: frozenset[str]) -> None:
        if not piece:
            return
        if not marks:
            opened[0] += piece.count("“") - piece.count("”")
            if out and isinstance(out[-1], str):
                out[-1] += piece
            else:
                out.append(piece)
            return
        run: Italic | Marked = (
            Italic(piece) if marks == {"i"} else Marked(piece, tuple(sorted(marks)))
        )
        last = out[-1] if out else None
        if isinstance(last, Italic) and isinstance(run, Italic):
            out[-1] = Italic(last.text + piece)
        elif isinstance(last, Marked) and isinstance(run, Marked) and last.marks == run.marks:
            out[-1] = Marked(last.text + piece, last.marks)
        else:
            out.append(run)

    def walk(nodes: list[richtext.Node], marks: frozenset[str], depth: int) -> None:
        for node in nodes:
            if isinstance(node, str):
                put(node, marks)
            elif node.tag in richtext.ATOMS:
                put(richtext.tex_plain(node.source, math=node.tag == "math"), marks)
            elif node.tag == "q":
                level = depth + max(opened[0], 0)
                quotes = ("“", "”") if level % 2 == 0 else ("‘", "’")
                put(quotes[0], marks)
                walk(node.children, marks, depth + 1)
                put(quotes[1], marks)
            elif node.tag == "i":
                walk(node.children, marks ^ {"i"}, depth)
            elif node.tag == "nocase":
                walk(node.children, marks, depth)
            else:
                walk(node.children, marks | {node.tag}, depth)

    walk(richtext.parse(text), frozenset({"i"}) if italic else frozenset(), 0)
    return out


class Link:
    """A URL (a DOI is written as ``https://doi.org/...``); ``text`` is shown."""

    __slots__ = ("text", "href")

    def __init__(self, text: str, href: str | None = None) -> None:
        self.text = text
        self.href = href or text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Link) and (other.text, other.href) == (self.text, self.href)

    def __repr__(self) -> str:
        return f"Link({self.text!r})"


#: A run of the finished output.
Run = str | Italic | Marked | Link


class _Sep:
    """A separator after an element (". ", ", ", "; "), resolved by the pass."""

    __slots__ = ("mark",)

    def __init__(self, mark: str) -> None:
        self.mark = mark

    def __repr__(self) -> str:
        return f"Sep({self.mark!r})"


class _End(_Sep):
    """The end of an entry: trailing space and a dangling separator dropped,
    then ``mark`` (usually the final period) by the separator rules."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"End({self.mark!r})"


class _Trim:
    """Drop the space before this point (between two citations in a note)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Trim()"


_TRIM = _Trim()
#: Separators are immutable: one object per mark.
_SEP_CACHE: dict[str, _Sep] = {}


class Styled:
    """Styled text: the output of a style.

    A style builds a Styled from parts: text (:meth:`add`), italics
    (:meth:`italic`), links (:meth:`link`), other Styled parts
    (:meth:`extend`) and separators (:meth:`punct`, :meth:`trim`,
    :meth:`end`). Nothing is decided while it is built: the punctuation
    where parts meet is settled by one pass, :func:`punctuate`, when the
    runs are first read (:attr:`runs`), so a part never needs to know what
    comes before or after it.
    """

    __slots__ = ("_items", "_runs", "comma_after_query")

    def __init__(self, runs: list[Run] | None = None, *, comma_after_query: bool = False) -> None:
        self._items: list[Item] = list(runs) if runs else []
        self._runs: list[Run] | None = None
        #: Keep a comma after a title that ends in "?" or "!" ("Are You
        #: Sure?," -- CMOS 6.119, 16th edition on); a period is still dropped.
        self.comma_after_query = comma_after_query

    @property
    def runs(self) -> list[Run]:
        """The finished runs: plain ``str``, :class:`Italic` and :class:`Link`
        (adjacent plain text merged), after the punctuation pass."""
        if self._runs is None:
            self._runs = punctuate(self._items, comma_after_query=self.comma_after_query)
        return self._runs

    # -- building ----------------------------------------------------------

    def _push(self, item: Item) -> Styled:
        self._items.append(item)
        self._runs = None
        return self

    def add(self, text: str) -> Styled:
        """Text (rich text: its markup becomes runs). A separator it starts
        with (", ", "; ") is dropped by the pass after another separator
        (the element between is missing)."""
        if text and richtext.has_markup(text):
            self._items.extend(rich_runs(text))
            self._runs = None
        elif text:
            self._items.append(text)
            self._runs = None
        return self

    def italic(self, text: str) -> Styled:
        """Text in italics (rich text: an italic word in it is set roman)."""
        if text and richtext.has_markup(text):
            self._items.extend(rich_runs(text, italic=True))
            self._runs = None
            return self
        return self._push(Italic(text)) if text else self

    def link(self, text: str, href: str | None = None) -> Styled:
        return self._push(Link(text, href)) if text else self

    def extend(self, other: Styled) -> Styled:
        """Add a part built on its own; its separators are resolved with
        what surrounds it here."""
        return self._push(other) if other._items else self

    def punct(self, mark: str) -> Styled:
        """A separator (". ", ", ", ": " ...) after the element before it."""
        sep = _SEP_CACHE.get(mark)
        if sep is None:
            sep = _SEP_CACHE[mark] = _Sep(mark)
        self._items.append(sep)
        self._runs = None
        return self

    def trim(self) -> Styled:
        """Drop the space the element before ended with."""
        return self._push(_TRIM)

    def end(self, mark: str = ".") -> Styled:
        """Close the entry with ``mark``: a separator left by a missing last
        element goes, and ``mark`` follows the separator rules."""
        return self._push(_End(mark))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Styled) and other.runs == self.runs

    def __repr__(self) -> str:
        return f"Styled({self.runs!r})"

    def __str__(self) -> str:
        return to_text(self)


#: What a Styled is built of: runs, separators and other Styled parts.
Item = str | Italic | Marked | Link | _Sep | _Trim | Styled

# --------------------------------------------------------------------------
# The punctuation pass

_SEPARATORS = ".?!,;:"
#: Text starting with one of these is checked by the rules; other text just joins.
_LEADING = frozenset(",; ")
#: A separator after one of these is checked by the rules; after others it just joins.
_RULED = frozenset(" ”’" + _SEPARATORS)
_CLOSING_QUOTES = "”’"


def punctuate(items: list[Item], *, comma_after_query: bool = False) -> list[Run]:
    """The runs of ``items`` with the punctuation settled, in one pass from
    left to right (as citeproc engines fix punctuation over their output):

    - a separator after a separator is dropped: an element between them is
      missing ("Title. , 12" -> "Title. 12");
    - a period after ".", "?" or "!" is dropped ("ed." + ". " -> "ed. ",
      "Security?" + ". " -> "Security? "), and so is a comma after "?" or "!"
      unless ``comma_after_query`` (CMOS 6.119: "Sure?,");
    - a period or comma after a closing quotation mark moves inside it
      (American usage, CMOS 6.9, APA 6.11): "“Title”" + ", " -> "“Title,” ";
    - never two spaces, and no space at the start or the end;
    - :meth:`Styled.end` drops a separator left dangling at the end ("2014," +
      "." -> "2014.") before the final mark.
    """
    runs: list[Run] = []
    _walk(items, runs, comma_after_query)
    _trim(runs)
    return runs


def _walk(items: list[Item], runs: list[Run], comma_after_query: bool) -> None:
    for item in items:
        if isinstance(item, str):
            last = runs[-1] if runs else None
            if item[0] in _LEADING:
                _join_text(runs, item)
            elif isinstance(last, str):
                runs[-1] = last + item
            else:
                runs.append(item)
        elif isinstance(item, _End):
            _trim(runs)
            _drop_dangling(runs)
            _join_sep(runs, item.mark, comma_after_query)
        elif isinstance(item, _Sep):
            _join_sep(runs, item.mark, comma_after_query)
        elif isinstance(item, Styled):
            _walk(item._items, runs, comma_after_query)
        elif isinstance(item, _Trim):
            _trim(runs)
        else:
            runs.append(item)


def _last_char(runs: list[Run]) -> str:
    for run in reversed(runs):
        text = run if isinstance(run, str) else run.text
        if text:
            return text[-1]
    return ""


def _after_separator(run: str) -> bool:
    """Does plain text end with a separator and a space ("2014. ", "“T,” ")?"""
    return run.endswith(" ") and run.rstrip(" ").rstrip(_CLOSING_QUOTES)[-1:] in _SEPARATORS


def _join_text(runs: list[Run], text: str) -> None:
    if not text:
        return
    last = runs[-1] if runs else None
    if text[0] in ",;" and isinstance(last, str):
        tail = last.rstrip(" ”’")
        closed = last.endswith(" ") and last.rstrip(" ")[-1:] in ".?!”’"
        if tail[-1:] in (",", ";", ":") or closed or (not tail and len(runs) == 1):
            text = text[1:]  # a separator after a separator: an element is missing
            if not text:
                return
    if text[0] == " " and (last is None or _last_char(runs) == " "):
        text = text.lstrip(" ")  # never two spaces (a missing element)
        if not text:
            return
    if isinstance(last, str):
        runs[-1] = last + text
    else:
        runs.append(text)


def _join_sep(runs: list[Run], mark: str, comma_after_query: bool) -> None:
    if runs:
        run = runs[-1]
        text = run if isinstance(run, str) else run.text
        if text and text[-1] not in _RULED:
            # After a word, a number or a bracket no rule applies.
            if isinstance(run, str):
                runs[-1] = run + mark
            else:
                runs.append(mark)
            return
    else:
        _join_text(runs, mark.lstrip())
        return
    first = mark[:1]
    run = runs[-1]
    if isinstance(run, str) and first in ".,;:" and _after_separator(run):
        return  # a separator is already there (an element was missing)
    if first in ".,":
        last = _last_char(runs)
        keep = first == "," and comma_after_query
        if (last in "?!" and not keep) or (first == "." and last == "."):
            # "Security?" + ". " -> "Security? "; "ed." + ". " -> "ed. "
            if mark[1:]:
                _join_text(runs, mark[1:])
            return
        # an apostrophe ending a name ("Jean d’") is no quotation mark
        apostrophe = run.endswith("’") and "‘" not in run if isinstance(run, str) else False
        if last in _CLOSING_QUOTES and isinstance(run, str) and not apostrophe:
            # Move the mark inside the closing quotation mark(s).
            i = len(run)
            while i > 0 and run[i - 1] in _CLOSING_QUOTES:
                i -= 1
            before = run[:i]
            # (the character before the quotation mark may end the run before:
            # a title ending in markup, "x<sup>2</sup>”")
            prev = before[-1:] or _last_char(runs[:-1])
            if (prev and prev in "?!" and not keep) or (first == "." and prev == "."):
                runs[-1] = run + mark[1:]
            else:
                runs[-1] = before + first + run[i:] + mark[1:]
            return
    _join_text(runs, mark)


def _trim(runs: list[Run]) -> None:
    if runs and isinstance(runs[-1], str):
        runs[-1] = runs[-1].rstrip()
        if not runs[-1]:
            runs.pop()


def _drop_dangling(runs: list[Run]) -> None:
    """ "2014," at the end -> "2014" (kept inside closing quotes: "“T,”" -> "“T”")."""
    if runs and isinstance(runs[-1], str):
        run = runs[-1]
        core = run.rstrip(_CLOSING_QUOTES)
        if core[-1:] in (",", ";", ":"):
            runs[-1] = core[:-1] + run[len(core) :]


def to_text(styled: Styled) -> str:
    """Plain text: italics dropped, links shown as their text."""
    return "".join(r if isinstance(r, str) else r.text for r in styled.runs)


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~$"})
#: "&" only where it would start an entity reference ("&lt;", "&#60;")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
#: line breaks and control characters: a run is one line of text
_BREAKS = re.compile("[\r\n\u2028\u2029]+")
#: what a URL written as a link may not hold, percent-encoded (RFC 3986)
_HREF_UNSAFE = re.compile(r'[\x00-\x20\x7f-\x9f"<>\\^`{|}\u2028\u2029]')
_HREF_SCHEME = re.compile(r"^https?://[^/?#\s]", re.IGNORECASE)


def _clean(text: str) -> str:
    """Text for Markdown or HTML: no control characters, no line breaks."""
    if _BREAKS.search(text):
        text = _BREAKS.sub(" ", text)
    return strip_controls(text)


def safe_href(href: str) -> str | None:
    """``href`` as a link may hold it: an http(s) URL (a DOI link is one),
    with the characters a URL cannot hold percent-encoded; None for any
    other scheme (``javascript:``, ``data:``, ``ftp:`` ...): such a link
    is shown as text."""
    if not _HREF_SCHEME.match(href):
        return None
    if _HREF_UNSAFE.search(href):
        from urllib.parse import quote

        href = _HREF_UNSAFE.sub(lambda m: quote(m.group(0), safe=""), href)
    return href


def _md(text: str) -> str:
    text = _clean(text).translate(_MD_SPECIAL)
    return _MD_ENTITY.sub("\\\\&", text) if "&" in text else text


def to_markdown(styled: Styled) -> str:
    """Markdown (CommonMark): ``*italics*``, ``<url>`` links; HTML and
    Markdown specials escaped, so record text is only ever text; links only
    for http(s) URLs (see :func:`safe_href`)."""
    out = []
    for r in styled.runs:
        if isinstance(r, str):
            out.append(_md(r))
        elif isinstance(r, Italic):
            text = _md(r.text)
            # Emphasis must not start or end with a space.
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()) :]
            out.append(f"{lead}*{text.strip()}*{trail}" if text.strip() else text)
        elif isinstance(r, Marked):
            out.append(_marked(_md(r.text), r.marks, markdown=True))
        else:
            href = safe_href(r.href)
            if href is None:
                out.append(_md(r.text))
            elif r.text == href:
                out.append(f"<{href}>")
            else:
                out.append(f"[{_md(r.text)}](<{href}>)")
    return "".join(out)


#: how a mark is written in HTML (and in Markdown, which has no small
#: capitals, superscripts or subscripts: CommonMark passes these HTML tags on)
_HTML_MARKS = {
    "b": ("<b>", "</b>"),
    "i": ("<i>", "</i>"),
    "sc": ('<span style="font-variant:small-caps">', "</span>"),
    "sup": ("<sup>", "</sup>"),
    "sub": ("<sub>", "</sub>"),
}
_MD_MARKS = {"b": ("**", "**"), "i": ("*", "*")}


def _marked(text: str, marks: tuple[str, ...], *, markdown: bool) -> str:
    """Escaped ``text`` with its marks (Markdown emphasis never starts or
    ends with a space: the spaces go outside)."""
    core = text.strip()
    if not core:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    for mark in marks:
        table = _MD_MARKS if markdown and mark in _MD_MARKS else _HTML_MARKS
        opening, closing = table[mark]
        core = opening + core + closing
    return lead + core + trail


def _h(text: str) -> str:
    return _html_escape(_clean(text), quote=True)


def to_html(styled: Styled) -> str:
    """HTML fragment: ``<i>`` for italics, ``<a href>`` for http(s) links
    (see :func:`safe_href`), every character of record text escaped."""
    out = []
    for r in styled.runs:
        if isinstance(r, str):
            out.append(_h(r))
        elif isinstance(r, Italic):
            out.append(f"<i>{_h(r.text)}</i>")
        elif isinstance(r, Marked):
            out.append(_marked(_h(r.text), r.marks, markdown=False))
        else:
            href = safe_href(r.href)
            if href is None:
                out.append(_h(r.text))
            else:
                out.append(f'<a href="{_html_escape(href)}">{_h(r.text)}</a>')
    return "".join(out)


# --------------------------------------------------------------------------
# Typography


def smarten(text: str) -> str:
    """Straight quotes and apostrophes to typographic ones; "--" to an en dash.

    An apostrophe or quote after a letter, digit or closing punctuation
    closes (’ ”); elsewhere it opens (‘ “).
    """
    if "'" not in text and '"' not in text and "--" not in text:
        return text
    text = text.replace("--", "–")
    out = []
    prev = " "
    for ch in text:
        if ch == "'":
            ch = "‘" if (prev.isspace() or prev in "([{“‘—–-/") else "’"
        elif ch == '"':
            ch = "“" if (prev.isspace() or prev in "([{‘—–-/") else "”"
        out.append(ch)
        prev = ch
    return "".join(out)


def inner_quotes(text: str) -> str:
    """Double quotation marks inside a quoted title become single ones."""
    if "“" not in text and "”" not in text:
        return text
    return text.replace("“", "‘").replace("”", "’")
