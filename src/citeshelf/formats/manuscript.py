"""The keys a manuscript cites: LaTeX ``.aux`` and ``.tex`` files, pandoc Markdown.

Public API::

    cited_keys(paths) -> Citations
        ``Citations.keys``: every cited key once, in the order first cited;
        ``Citations.everything``: True if the manuscript asks for every
        entry (``\\nocite{*}``, ``nocite: '@*'``); ``Citations.files``: the files
        read (included ones too). Raises ``citeshelf.errors.NotFound`` for a
        manuscript that does not exist and ``UsageError`` for an unknown kind.
    scan_aux(text) / scan_tex(text) / scan_markdown(text) -> (keys, everything)
        the scanners for one file's text.
    included_files(paths) -> list[Path]
        the manuscripts and every file they include (``\\input``, ``\\include``,
        ``\\subfile``, ``\\@input``), the missing ones too, never raising.
    rewrite_citations(text, kind, old, new) -> (text, count)
        the key ``old`` replaced by ``new`` in the citations of a "tex" or
        "md" text, and nowhere else.
    cited_spans(text, kind) -> [CitedSpan]
        every citation of a "tex" or "md" text with where its key stands.
    span_at(spans, offset) -> CitedSpan | None     the citation under a cursor
    key_typed_at(text, kind, offset) -> (start, prefix) | None
        the (partial) key being typed at ``offset`` inside a citation, for
        completion; works in unfinished text (``\\cite{ari``, ``[@ari``).
    key_replacement(span, new) -> text             what replaces a span's key

Forms understood:

* ``.aux`` from BibTeX: ``\\citation{a,b}`` (and ``\\@input{chapter.aux}``
  from ``\\include``); from biblatex/biber: ``\\abx@aux@cite{0}{key}`` (and the
  older one-argument form).
* ``.tex``: any command whose name holds ``cite`` (``\\cite``, ``\\citep``,
  ``\\citet``, ``\\citeauthor``, ``\\parencite``, ``\\textcite``,
  ``\\autocite``, ``\\footcite``, ``\\nocite``, ``\\cites`` ...), starred forms,
  up to two ``[...]`` arguments, several keys per command and several key
  groups for the multi-cite commands; comments are skipped; ``\\input``,
  ``\\include`` and ``\\subfile`` are followed.
* Markdown: ``[@key]``, ``[@a; @b, p. 3]``, ``@key`` in text, ``[-@key]``,
  ``@{key}``; e-mail addresses, inline code and code blocks are ignored; the
  ``nocite`` metadata field is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "CitedSpan",
    "Citations",
    "cited_keys",
    "cited_spans",
    "key_replacement",
    "key_typed_at",
    "included_files",
    "manuscript_kind",
    "rewrite_citations",
    "scan_aux",
    "scan_markdown",
    "scan_tex",
    "span_at",
]


@dataclass
class Citations:
    keys: list[str] = field(default_factory=list)
    everything: bool = False
    files: list[Path] = field(default_factory=list)
    #: included files not read: outside the manuscript's folder (without
    #: ``follow_outside``), one line each naming the file
    warnings: list[str] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set, repr=False)

    def add(self, keys: list[str], everything: bool) -> None:
        for k in keys:
            if k not in self._seen:
                self._seen.add(k)
                self.keys.append(k)
        self.everything = self.everything or everything


def _split_keys(text: str) -> list[str]:
    return [k.strip() for k in text.split(",") if k.strip()]


# --------------------------------------------------------------------------
# .aux

_AUX_CITATION = re.compile(r"\\citation\{([^}]*)\}")
_AUX_ABX = re.compile(r"\\abx@aux@cite(?:\{[^{}]*\})?\{([^{}]*)\}")
_AUX_ABX_ONE = re.compile(r"\\abx@aux@cite\{([^{}]*)\}(?!\{)")
_AUX_INPUT = re.compile(r"\\@input\{([^}]*)\}")


def scan_aux(text: str) -> tuple[list[str], bool]:
    keys: list[str] = []
    for line in text.splitlines():
        if "\\citation" in line:
            for m in _AUX_CITATION.finditer(line):
                keys.extend(_split_keys(m.group(1)))
        if "\\abx@aux@cite" in line:
            m2 = re.match(r"\s*\\abx@aux@cite\{([^{}]*)\}\{([^{}]*)\}", line)
            if m2:
                keys.extend(_split_keys(m2.group(2)))
            else:
                for m in _AUX_ABX_ONE.finditer(line):
                    keys.extend(_split_keys(m.group(1)))
    everything = "*" in keys
    return [k for k in keys if k != "*"], everything


# --------------------------------------------------------------------------
# .tex

_CITE_CMD = re.compile(r"\\([A-Za-z]*[Cc]ite[A-Za-z]*)\*?")
_NOT_CITATIONS = frozenset({"citestyle", "citesetup", "citetrackerfalse", "citetrackertrue"})
_INPUT_CMD = re.compile(r"\\(input|include|subfile|subfileinclude)\s*\{([^}]*)\}")


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\n":
        i += 1
    return i


class _Groups:
    """Where each bracket of ``text`` is closed, found in one pass per kind of
    bracket (``{}``, ``[]``, ``()``; a backslash escapes the next character),
    so that finding the group after each of n commands is linear, not n passes
    over the rest of the text (20,000 unclosed ``\\cite{`` took minutes)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._closing: dict[str, dict[int, int]] = {}

    def _matches(self, open_: str, close: str) -> dict[int, int]:
        found = self._closing.get(open_)
        if found is None:
            found = {}
            stack: list[int] = []
            text = self.text
            pattern = re.compile(r"\\.|" + re.escape(open_) + "|" + re.escape(close), re.DOTALL)
            for m in pattern.finditer(text):
                c = m.group()
                if c == open_:
                    stack.append(m.start())
                elif stack:  # a closing bracket
                    found[stack.pop()] = m.start()
            self._closing[open_] = found
        return found

    def group(self, i: int, open_: str, close: str) -> tuple[str, int] | None:
        """The balanced group starting at ``text[i] == open_``: (content, index after)."""
        text = self.text
        if i >= len(text) or text[i] != open_:
            return None
        j = self._matches(open_, close).get(i)
        if j is None:
            if i > 0 and text[i - 1] == "\\":  # an escaped bracket (never after a command)
                return _group_from(text, i, open_, close)
            return None
        return text[i + 1 : j], j + 1


def _group_from(text: str, i: int, open_: str, close: str) -> tuple[str, int] | None:
    depth = 0
    j = i
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return text[i + 1 : j], j + 1
        j += 1
    return None


def scan_tex(text: str) -> tuple[list[str], bool]:
    keys, everything = [], False
    for kind, value in _scan_tex(text):
        if kind == "key":
            keys.append(value)
        elif kind == "all":
            everything = True
    return keys, everything


def _scan_tex(text: str) -> list[tuple[str, str]]:
    """("key", k), ("all", "*") and ("input", file) events in the order they occur."""
    text = _mask_tex(text)
    events: list[tuple[int, str, str]] = [
        (m.start(), "input", m.group(2).strip()) for m in _INPUT_CMD.finditer(text)
    ]
    for j, start, end in _key_groups(text):
        for k in _split_keys(text[start:end]):
            if "#" in k:
                continue  # a macro's parameter (\def\mycite#1{\cite{#1}}): no key has one
            events.append((j, "all", "*") if k == "*" else (j, "key", k))
    events.sort(key=lambda e: e[0])
    return [(kind, value) for _, kind, value in events]


def _key_groups(text: str, groups: _Groups | None = None) -> list[tuple[int, int, int]]:
    """The ``{keys}`` groups of the citation commands in ``text`` (comments
    already removed): (where the group's arguments start, content start, content end).
    Linear in the text's length: each bracket's match is found once (``groups``)."""
    groups = groups or _Groups(text)
    _group = groups.group
    out: list[tuple[int, int, int]] = []
    for m in _CITE_CMD.finditer(text):
        name = m.group(1)
        if name.lower() in _NOT_CITATIONS or name.lower().startswith("citation"):
            continue
        multi = name.endswith("cites") or name.endswith("citess")
        i = m.end()
        # (pre)(post) of a multicite command, then [pre][post]{keys} groups.
        i = _skip_ws(text, i)
        while i < len(text) and text[i] == "(" and multi:
            g = _group(i, "(", ")")
            if g is None:
                break
            i = _skip_ws(text, g[1])
        while True:
            j = _skip_ws(text, i)
            optional = 0
            while j < len(text) and text[j] == "[" and optional < 2:
                g = _group(j, "[", "]")
                if g is None:
                    break
                j = _skip_ws(text, g[1])
                optional += 1
            g = _group(j, "{", "}")
            if g is None:
                break
            out.append((j, j + 1, g[1] - 1))
            i = g[1]
            if not multi:
                break
    return out


# --------------------------------------------------------------------------
# Markdown (pandoc)

_FENCE = re.compile(r"^(\s{0,3})(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
# pandoc: a key starts with a letter, digit or _, and may hold internal
# punctuation :.#$%&-+?<>~/ followed by a letter or digit.
_MD_KEY = re.compile(
    r"(?<![\w@.])-?@(?:\{([^{}\s]+)\}|([A-Za-z0-9_](?:[A-Za-z0-9_]|[:.#$%&+?<>~/-](?=[A-Za-z0-9_]))*))"
)


def _yaml_front_matter(text: str) -> tuple[str, str]:
    if text.startswith("---\n") or text.startswith("---\r\n"):
        end = re.search(r"^(---|\.\.\.)\s*$", text[4:], re.MULTILINE)
        if end:
            return text[4 : 4 + end.start()], text[4 + end.end() :]
    return "", text


def _blank(text: str) -> str:
    return re.sub(r"[^\r\n]", " ", text)


def _mask_code(body: str) -> str:
    """``body`` with code blocks (fenced and indented) and inline code blanked
    out: the same length, the same lines, so positions still match the text."""
    kept: list[str] = []
    fence: str | None = None
    prev_blank = True
    for line in body.splitlines(keepends=True):
        fm = _FENCE.match(line)
        if fence is not None:
            if fm and fm.group(2)[0] == fence[0] and len(fm.group(2)) >= len(fence):
                fence = None
            kept.append(_blank(line))
            continue
        if fm:
            fence = fm.group(2)
            kept.append(_blank(line))
            continue
        if prev_blank and (line.startswith("    ") or line.startswith("\t")) and line.strip():
            kept.append(_blank(line))  # an indented code block (after a blank line)
            continue
        prev_blank = not line.strip()
        kept.append(line)
    return _INLINE_CODE.sub(lambda m: _blank(m.group()), "".join(kept))


def scan_markdown(text: str) -> tuple[list[str], bool]:
    meta, body = _yaml_front_matter(text)
    keys: list[str] = []
    everything = False
    m = re.search(r"^nocite:\s*(.*(?:\n[ \t]+.*)*)", meta, re.MULTILINE)
    if m:
        for km in _MD_KEY.finditer(m.group(1)):
            keys.append(km.group(1) or km.group(2))
        if re.search(r"@\*", m.group(1)):
            everything = True
    body = _mask_code(body)
    for km in _MD_KEY.finditer(body):
        keys.append(km.group(1) or km.group(2))
    return keys, everything


# --------------------------------------------------------------------------
# rewriting a key


#: What :func:`_mask_tex` looks for: an escaped character, a comment, an
#: environment LaTeX reads verbatim (fancyvrb's, listings', minted's, the
#: comment package's) and an inline verbatim command with its delimiter.
_MASKED = re.compile(
    r"\\[\\%]|%"
    r"|\\begin\s*\{(verbatim\*?|Verbatim\*?|BVerbatim|LVerbatim|lstlisting|minted"
    r"|comment|filecontents\*?)\}"
    r"|\\(?:verb|lstinline)\*?([^A-Za-z\s*{])"
)
_NOT_NEWLINE = re.compile(r"[^\r\n]")


def _mask_tex(text: str) -> str:
    """``text`` with what LaTeX reads as no command blanked out (same length,
    same lines): its comments, the body of a verbatim environment
    (``\\begin{verbatim} \\cite{x} \\end{verbatim}`` cites nothing) and an
    inline ``\\verb|...|``. An environment or ``\\verb`` that does not end is
    left as it is."""
    if not ("%" in text or "\\begin" in text or "\\verb" in text or "\\lstinline" in text):
        return text
    blank: list[tuple[int, int]] = []
    pos = 0
    while True:
        m = _MASKED.search(text, pos)
        if m is None:
            break
        pos = m.end()
        token = m.group()
        if token[:2] in ("\\\\", "\\%"):
            continue
        if token == "%":
            end = text.find("\n", m.start())
            end = len(text) if end < 0 else end
            blank.append((m.start(), end))
            pos = end
        elif m.group(1) is not None:
            ends = re.compile(r"\\end\s*\{" + re.escape(m.group(1)) + r"\}").search(text, pos)
            if ends is not None:
                blank.append((pos, ends.start()))
                pos = ends.end()
        else:
            close = text.find(m.group(2), pos)
            line_end = text.find("\n", pos)
            if close >= 0 and (line_end < 0 or close < line_end):
                blank.append((m.start(), close + 1))
                pos = close + 1
    if not blank:
        return text
    out: list[str] = []
    last = 0
    for start, end in blank:
        out += [text[last:start], _NOT_NEWLINE.sub(" ", text[start:end])]
        last = end
    out.append(text[last:])
    return "".join(out)


def _tex_edits(text: str, old: str) -> list[tuple[int, int]]:
    masked = _mask_tex(text)
    spans = []
    for _, start, end in _key_groups(masked):
        for m in re.finditer(r"[^,]+", masked[start:end]):
            if m.group().strip() == old:
                lead = len(m.group()) - len(m.group().lstrip())
                a = start + m.start() + lead
                spans.append((a, a + len(old)))
    return spans


def _md_edits(text: str, old: str) -> list[tuple[int, int, bool]]:
    """(start, end, bare) of each citation of ``old``: the key's own span."""
    meta, body = _yaml_front_matter(text)
    found = []
    if meta:
        m = re.search(r"^nocite:\s*(.*(?:\n[ \t]+.*)*)", meta, re.MULTILINE)
        if m:
            found += [(4 + m.start(1), km) for km in _MD_KEY.finditer(m.group(1))]
    offset = len(text) - len(body)
    found += [(offset, km) for km in _MD_KEY.finditer(_mask_code(body))]
    spans = []
    for base, km in found:
        group = 1 if km.group(1) is not None else 2
        if km.group(group) == old:
            spans.append((base + km.start(group), base + km.end(group), group == 2))
    return spans


def _bare_ok(key: str) -> bool:
    """Whether ``@key`` reads back as the whole key, without braces."""
    m = _MD_KEY.fullmatch("@" + key)
    return m is not None and m.group(2) == key


def rewrite_citations(text: str, kind: str, old: str, new: str) -> tuple[str, int]:
    """``text`` with the key ``old`` cited as ``new``, and how many citations
    changed. Only citations change: the keys of ``\\cite``-family commands
    (comments left alone) for ``kind`` "tex"; pandoc's ``@key``, ``[@key]``,
    ``@{key}`` and the ``nocite`` field for "md" (code left alone). A bare
    ``@key`` becomes ``@{new}`` if ``new`` would not read back whole bare, and
    braces that only ``old`` needed are dropped (so renaming back restores
    the text)."""
    if kind == "tex":
        edits = [(a, b, new) for a, b in _tex_edits(text, old)]
    elif kind == "md":
        new_bare, old_bare = _bare_ok(new), _bare_ok(old)
        edits = []
        for a, b, bare in _md_edits(text, old):
            if bare and not new_bare:
                edits.append((a, b, "{" + new + "}"))
            elif not bare and not old_bare and new_bare:
                edits.append((a - 1, b + 1, new))  # braces that only the old key needed
            else:
                edits.append((a, b, new))
    else:
        raise ValueError(f"cannot rewrite citations in a {kind!r} file")
    pieces, last = [], 0
    for a, b, replacement in edits:
        pieces += [text[last:a], replacement]
        last = b
    pieces.append(text[last:])
    return "".join(pieces), len(edits)


# --------------------------------------------------------------------------
# positions: for an editor (the language server)


@dataclass(frozen=True)
class CitedSpan:
    """One cited key and where it stands in the text: ``text[start:end] ==
    key``; ``bare`` for a Markdown ``@key`` without braces."""

    key: str
    start: int
    end: int
    bare: bool = False


def cited_spans(text: str, kind: str) -> list[CitedSpan]:
    """Every citation of a key in a "tex" or "md" text, in the order of the
    text (the same citations :func:`scan_tex` and :func:`scan_markdown` read;
    ``*`` is not a key). Offsets are indices into ``text``."""
    if kind == "tex":
        masked = _mask_tex(text)
        out = []
        for _, start, end in _key_groups(masked):
            for m in re.finditer(r"[^,]+", masked[start:end]):
                key = m.group().strip()
                if key and key != "*" and "#" not in key:
                    a = start + m.start() + len(m.group()) - len(m.group().lstrip())
                    out.append(CitedSpan(key, a, a + len(key)))
        return sorted(out, key=lambda s: s.start)
    if kind == "md":
        meta, body = _yaml_front_matter(text)
        found = []
        if meta:
            nocite = re.search(r"^nocite:\s*(.*(?:\n[ \t]+.*)*)", meta, re.MULTILINE)
            if nocite:
                found += [(4 + nocite.start(1), km) for km in _MD_KEY.finditer(nocite.group(1))]
        offset = len(text) - len(body)
        found += [(offset, km) for km in _MD_KEY.finditer(_mask_code(body))]
        spans = []
        for base, km in found:
            group = 1 if km.group(1) is not None else 2
            a, b = base + km.start(group), base + km.end(group)
            spans.append(CitedSpan(km.group(group), a, b, group == 2))
        return spans
    raise ValueError(f"cannot read citations in a {kind!r} file")


def span_at(spans: list[CitedSpan], offset: int) -> CitedSpan | None:
    """The citation whose key holds ``offset`` (its end included: a cursor
    just after the key is on it)."""
    for span in spans:
        if span.start <= offset <= span.end:
            return span
    return None


# A citation command up to an unclosed key group that ends at the cursor:
# \cite{a, b  \parencite[see][p. 3]{a  \cites(pre)(post)[p. 3]{a}{b
_TEX_TYPING = re.compile(
    r"\\([A-Za-z]*[Cc]ite[A-Za-z]*)\*?"
    r"(?:\s*\([^()]*\))*"
    r"((?:\s*(?:\[[^\[\]]*\]\s*){0,2}\{[^{}]*\})*)"
    r"\s*(?:\[[^\[\]]*\]\s*){0,2}\{([^{}]*)\Z"
)
# An @ that starts a pandoc citation, then the key so far (with or without its brace).
_MD_TYPING = re.compile(r"(?<![\w@.])-?@(\{?)([^\s{}\[\];,@]*)\Z")
#: how far back from the cursor a citation command is looked for
_TYPING_WINDOW = 400


def key_typed_at(text: str, kind: str, offset: int) -> tuple[int, str] | None:
    """The key being typed at ``offset`` inside a citation: (where it starts,
    the part before the cursor); None when the cursor is not in the keys of a
    citation (a ``\\cite``-family command's braces in "tex", after ``@`` in
    "md"; not in comments or code). The text after the cursor need not be
    finished: ``\\cite{ari`` at its end gives ``(6, "ari")``."""
    before = text[max(0, offset - _TYPING_WINDOW) : offset]
    base = offset - len(before)
    if kind == "tex":
        masked = _mask_tex(before)
        m = _TEX_TYPING.search(masked)
        if m is None:
            return None
        name = m.group(1).lower()
        if name in _NOT_CITATIONS or name.startswith("citation"):
            return None
        if m.group(2) and not (name.endswith("cites") or name.endswith("citess")):
            return None  # a second key group: only the multi-cite commands have one
        keys = m.group(3)
        current = keys.rsplit(",", 1)[-1]
        prefix = current.lstrip()
        return offset - len(prefix), prefix
    if kind == "md":
        m = _MD_TYPING.search(before)
        if m is None:
            return None
        meta, body = _yaml_front_matter(text)
        at = base + m.start(2)
        body_start = len(text) - len(body)
        if at < body_start:
            in_nocite = re.search(r"^nocite:", text[:at], re.MULTILINE) is not None
            return (at, m.group(2)) if meta and in_nocite else None
        masked = _mask_code(body)
        if masked[at - body_start - 1] != text[at - 1]:
            return None  # inside code
        return at, m.group(2)
    raise ValueError(f"cannot read citations in a {kind!r} file")


def key_replacement(span: CitedSpan, new: str) -> str:
    """The text that cites ``new`` in place of ``span``'s key: a bare
    Markdown ``@key`` takes braces when ``new`` would not read back whole."""
    if span.bare and not _bare_ok(new):
        return "{" + new + "}"
    return new


# --------------------------------------------------------------------------
# files


def manuscript_kind(path: Path) -> str | None:
    """ "aux", "tex" or "md" by the file's name; None if it is none of them."""
    suffix = path.suffix.lower()
    if suffix == ".aux":
        return "aux"
    if suffix in (".tex", ".ltx", ".latex"):
        return "tex"
    if suffix in (".md", ".markdown", ".mdown", ".pandoc", ".qmd", ".rmd", ".txt"):
        return "md"
    return None


def cited_keys(paths: list[str | Path], *, follow_outside: bool = False) -> Citations:
    """The keys ``paths`` cite, with the files they include (``\\input``,
    ``\\include``, ``\\subfile``, ``\\@input``). An included file outside the
    manuscript's folder (an absolute path, ``../``, a symbolic link out) is not
    read unless ``follow_outside``: ``Citations.warnings`` names it. Chains of
    any length are followed without recursion; each file is read once."""
    from ..errors import NotFound, UsageError

    result = Citations()
    for raw in paths:
        path = Path(raw)
        kind = manuscript_kind(path)
        if kind is None:
            raise UsageError(
                f"{path}: cannot tell what kind of manuscript this is: give a .aux, .tex or "
                ".md file"
            )
        if not path.is_file():
            raise NotFound(f"manuscript {path} does not exist")
        _read(path, kind, result, set(), follow_outside)
    return result


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
    except ValueError:
        return False
    return True


def _read(
    path: Path, kind: str, result: Citations, seen: set[Path], follow_outside: bool = False
) -> None:
    """Read ``path`` and what it includes, depth first in the order of the
    text (a stack of the files being read, not recursion)."""
    folder = path.resolve().parent
    base = path.parent  # \input names are relative to the main file
    stack = [_file_events(path, kind, result, seen)]
    while stack:
        event = next(stack[-1], None)
        if event is None:
            stack.pop()
            continue
        what, value, from_path = event
        if what == "key":
            result.add([value], False)
        elif what == "all":
            result.add([], True)
        else:
            sub = _included(from_path, base, what, value)
            if sub is None:
                continue
            if not follow_outside and not _inside(sub, folder):
                result.warnings.append(
                    f"{from_path}: {sub} is outside the manuscript's folder {folder}: not read "
                    "(--follow-outside reads it)"
                )
                continue
            stack.append(_file_events(sub, what, result, seen))


def _included(from_path: Path, base: Path, kind: str, value: str) -> Path | None:
    """The file an ``\\input`` (kind "tex") or ``\\@input`` ("aux") names;
    None for a missing .aux (LaTeX writes them later)."""
    from ..errors import NotFound

    if kind == "aux":
        sub = from_path.parent / value
        return sub if sub.is_file() else None
    sub = base / value
    if not sub.suffix:
        sub = sub.with_suffix(".tex")
    if not sub.is_file():
        raise NotFound(f"{from_path}: \\input file {value} not found (looked for {sub})")
    return sub


def _file_events(
    path: Path, kind: str, result: Citations, seen: set[Path]
) -> Iterator[tuple[str, str, Path]]:
    """("key", k, path), ("all", "*", path) and (kind of file, name, path)
    for an included file, in the order of the text; nothing for a file
    already read."""
    from ..errors import NotFound

    real = path.resolve()
    if real in seen:
        return
    seen.add(real)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise NotFound(f"cannot read {path}: {exc.strerror}") from None
    result.files.append(path)
    if kind == "aux":
        keys, everything = scan_aux(text)
        result.add(keys, everything)
        for m in _AUX_INPUT.finditer(text):
            yield "aux", m.group(1), path
    elif kind == "tex":
        for what, value in _scan_tex(text):
            yield ("tex" if what == "input" else what), value, path
    else:
        keys, everything = scan_markdown(text)
        result.add(keys, everything)


def included_files(paths: list[str | Path]) -> list[Path]:
    """The manuscripts and every file they include, in the order met, each
    once; an included file that does not exist is listed (a watcher waits
    for it) but not read, and nothing raises."""
    out: dict[Path, None] = {}
    todo: list[tuple[Path, str | None, Path | None]] = [
        (Path(p), manuscript_kind(Path(p)), None) for p in paths
    ]
    while todo:
        path, kind, root = todo.pop(0)
        if path.resolve() in out:
            continue
        out[path.resolve()] = None
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if kind == "aux":
            todo += [(path.parent / m.group(1), "aux", None) for m in _AUX_INPUT.finditer(text)]
        elif kind == "tex":
            base = root or path.parent
            for what, value in _scan_tex(text):
                if what == "input":
                    sub = base / value
                    todo.append((sub if sub.suffix else sub.with_suffix(".tex"), "tex", base))
    return list(out)
