"""The styled-text tree a style produces, and its renderers.

A formatted citation is a :class:`Styled`: a flat list of runs. A run is a
plain ``str``, an :class:`Italic` run or a :class:`Link`. Quotation marks,
dashes and apostrophes are already typographic characters inside the runs
(“ ” ‘ ’ –), so every output format shows the same text.

Renderers: :func:`to_text`, :func:`to_markdown`, :func:`to_html`. The
terminal renderer lives in :mod:`citeshelf.render` (the one module that
imports Rich) and walks the same runs.
"""

from __future__ import annotations

from html import escape as _html_escape

__all__ = ["Italic", "Link", "Styled", "to_text", "to_markdown", "to_html", "smarten"]


class Italic:
    """Text in italics (a book or journal title)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Italic) and other.text == self.text

    def __repr__(self) -> str:
        return f"Italic({self.text!r})"


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


Run = "str | Italic | Link"

_CLOSERS = frozenset(".?!")


class Styled:
    """A growing list of runs with the punctuation rules every style needs.

    - :meth:`punct` adds a separator but never doubles a period after "?",
      "!" or "." and moves a period or comma inside a closing quotation mark
      (American usage, as both APA and Chicago ask);
    - adjacent plain runs are merged.
    """

    __slots__ = ("runs", "comma_after_query")

    def __init__(self, runs: list | None = None, *, comma_after_query: bool = False) -> None:
        self.runs: list = runs if runs is not None else []
        #: Keep a comma after a title that ends in "?" or "!" ("Are You
        #: Sure?," -- CMOS 6.119, 16th edition on); a period is still dropped.
        self.comma_after_query = comma_after_query

    # -- building ----------------------------------------------------------

    def last_char(self) -> str:
        for run in reversed(self.runs):
            text = run if isinstance(run, str) else run.text
            if text:
                return text[-1]
        return ""

    def add(self, text: str) -> Styled:
        if text:
            if text[0] in ",;" and self.runs and isinstance(self.runs[-1], str):
                tail = self.runs[-1].rstrip(" ”’")
                closed = self.runs[-1].endswith(" ") and self.runs[-1].rstrip(" ")[-1:] in ".?!”’"
                if tail[-1:] in (",", ";", ":") or closed or (not tail and not self.runs[:-1]):
                    text = text[1:]  # a separator after a separator: an element is missing
                    if not text:
                        return self
            if text[0] == " " and (not self.runs or self.last_char() == " "):
                text = text.lstrip(" ")  # never two spaces (a missing element)
                if not text:
                    return self
            if self.runs and isinstance(self.runs[-1], str):
                self.runs[-1] += text
            else:
                self.runs.append(text)
        return self

    def italic(self, text: str) -> Styled:
        if text:
            self.runs.append(Italic(text))
        return self

    def link(self, text: str, href: str | None = None) -> Styled:
        if text:
            self.runs.append(Link(text, href))
        return self

    def extend(self, other: Styled) -> Styled:
        for run in other.runs:
            if isinstance(run, str):
                self.add(run)
            else:
                self.runs.append(run)
        return self

    def punct(self, mark: str) -> Styled:
        """Add ``mark`` (". ", ", ", ": " ...) after what is there, following
        the rules for periods and commas after other punctuation."""
        if not self.runs:
            return self.add(mark.lstrip())
        first = mark[:1]
        run = self.runs[-1]
        if isinstance(run, str) and run.endswith(" ") and first in ".,;:":
            core = run.rstrip(" ")
            if core.rstrip("”’")[-1:] in (".", "?", "!", ",", ";", ":"):
                return self  # a separator is already there (an element was missing)
        last = self.last_char()
        keep = first == "," and self.comma_after_query
        if first in ".,":
            if (last in "?!" and not keep) or (first == "." and last == "."):
                # "Security?" + ". " -> "Security? "; "ed." + ". " -> "ed. "
                return self.add(mark[1:])
            if last in "”’":
                run = self.runs[-1]
                if isinstance(run, str):
                    # Move the mark inside the closing quotation mark(s).
                    i = len(run)
                    while i > 0 and run[i - 1] in "”’":
                        i -= 1
                    before = run[:i]
                    if (before[-1:] in "?!" and not keep) or (first == "." and before[-1:] == "."):
                        self.runs[-1] = run + mark[1:]
                    else:
                        self.runs[-1] = before + first + run[i:] + mark[1:]
                    return self
        return self.add(mark)

    def end(self, mark: str = ".") -> Styled:
        """Close the entry with ``mark`` unless it already ends in punctuation
        that serves (a final "?" or a URL takes care of itself elsewhere)."""
        return self.punct(mark)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Styled) and other.runs == self.runs

    def __repr__(self) -> str:
        return f"Styled({self.runs!r})"

    def __str__(self) -> str:
        return to_text(self)


def to_text(styled: Styled) -> str:
    """Plain text: italics dropped, links shown as their text."""
    return "".join(r if isinstance(r, str) else r.text for r in styled.runs)


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


def to_markdown(styled: Styled) -> str:
    """Markdown (CommonMark): ``*italics*``, ``<url>`` links, specials escaped."""
    out = []
    for r in styled.runs:
        if isinstance(r, str):
            out.append(r.translate(_MD_SPECIAL))
        elif isinstance(r, Italic):
            text = r.text.translate(_MD_SPECIAL)
            # Emphasis must not start or end with a space.
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()) :]
            out.append(f"{lead}*{text.strip()}*{trail}" if text.strip() else text)
        else:
            if r.text == r.href:
                out.append(f"<{r.href}>")
            else:
                out.append(f"[{r.text.translate(_MD_SPECIAL)}](<{r.href}>)")
    return "".join(out)


def to_html(styled: Styled) -> str:
    """HTML fragment: ``<i>`` for italics, ``<a href>`` for links, text escaped."""
    out = []
    for r in styled.runs:
        if isinstance(r, str):
            out.append(_html_escape(r, quote=False))
        elif isinstance(r, Italic):
            out.append(f"<i>{_html_escape(r.text, quote=False)}</i>")
        else:
            out.append(f'<a href="{_html_escape(r.href)}">{_html_escape(r.text, quote=False)}</a>')
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
