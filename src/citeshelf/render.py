"""Terminal output: the one place that talks to Rich.

When stdout is a terminal (and ``NO_COLOR`` is not set) tables and panels are
drawn with Rich. Otherwise output is plain text with no colour codes, and Rich
is not even imported. ``--json`` output never goes through here.

Record text is never written to a terminal as it is: a control character
(C0 other than tab and newline, DEL, C1: see :mod:`citeshelf.model.controls`)
is shown visibly on a terminal, as ``less`` and ``git`` do (``^[`` for ESC,
``^G`` for BEL, ``<9B>`` for a C1 control), in Rich tables, panels and
citations, in plain text and in warnings and errors; piped or redirected
plain text keeps every byte but those control characters, which are
removed. JSON keeps them, escaped (``\\u001b``, ``\\u009b``). Links in
citations are terminal hyperlinks only for http(s) URLs.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself is not imported at start-up

if TYPE_CHECKING:  # annotations only: start-up imports no more than it uses
    from collections.abc import Iterable, Sequence
    from typing import Any, TextIO

__all__ = [
    "use_rich",
    "stdout_is_terminal",
    "print_table",
    "print_lines",
    "print_fields",
    "print_json",
    "print_line",
    "warn",
    "progress",
    "clean",
]


def use_rich(stream: TextIO | None = None) -> bool:
    """Rich output only for a real terminal, and never with NO_COLOR or TERM=dumb."""
    stream = sys.stdout if stream is None else stream
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def stdout_is_terminal() -> bool:
    """Whether a person reads stdout (a terminal, even with NO_COLOR), not a pipe or a file."""
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def clean(text: str, *, err: bool = False) -> str:
    """``text`` safe to write to stdout (stderr with ``err``): control
    characters shown visibly on a terminal, removed otherwise."""
    from .model.controls import CONTROL_RE, show_controls, strip_controls

    if CONTROL_RE.search(text) is None:
        return text
    if _is_terminal(sys.stderr if err else sys.stdout):
        return show_controls(text)
    return strip_controls(text)


def _shown(text: str) -> str:
    """Text for Rich (a terminal): control characters visible, markup escaped."""
    from rich.markup import escape

    from .model.controls import show_controls

    return escape(show_controls(text))


def _console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def print_line(text: str = "", *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(clean(text, err=err) + "\n")


def warn(message: str) -> None:
    """A one-line warning on stderr."""
    sys.stderr.write(f"citeshelf: warning: {clean(message, err=True)}\n")


def print_lines(lines: Sequence[str]) -> None:
    """Lines as they are, one each, for a pipe (no table, no colour)."""
    if lines:
        sys.stdout.write(clean("\n".join(lines)) + "\n")


def print_entries(entries: Iterable[str], sep: str = "") -> None:
    """Entries one per line, written as they come, a few hundred at a time
    (``sep``: an extra line between them, such as the blank line of Markdown
    paragraphs); each cleaned as :func:`clean` does, the few hundred looked
    at for control characters at once (100,000 calls cost 0.2 s)."""
    from .model.controls import CONTROL_RE

    out = sys.stdout
    between = "\n" + sep
    lead = ""
    part: list[str] = []
    try:
        for text in entries:
            part.append(text)
            if len(part) >= _ENTRIES_AT_ONCE:
                done, part = part, []
                out.write(lead + _cleaned(done, between, CONTROL_RE) + "\n")
                lead = sep
    finally:  # what came before a failure is written, as it came
        if part:
            out.write(lead + _cleaned(part, between, CONTROL_RE) + "\n")


#: entries :func:`print_entries` writes at a time
_ENTRIES_AT_ONCE = 256


def _cleaned(texts: list[str], between: str, control: Any) -> str:
    joined = between.join(texts)
    if control.search(joined) is None:
        return joined
    return between.join(clean(t) for t in texts)


def print_lines_streamed(
    head: Sequence[str], body: Iterable[str], tail: Sequence[str] = ()
) -> None:
    """Lines written as they come: ``head``, each of ``body``, ``tail``."""
    out = sys.stdout
    for part in (head, body, tail):
        for line in part:
            out.write(clean(line) + "\n")


def print_json(data: Any) -> None:
    """JSON, UTF-8; DEL, the C1 controls and U+2028/9 escaped as JSON escapes them
    below U+0020 (the same data, nothing a terminal acts on)."""
    import re

    from .jsontext import dumps_indented

    text = dumps_indented(data)
    text = re.sub("[\x7f-\x9f\u2028\u2029]", lambda m: f"\\u{ord(m.group(0)):04x}", text)
    sys.stdout.write(text + "\n")


def print_json_array(items: Iterable[Any]) -> None:
    """A JSON array written item by item, byte for byte what :func:`print_json`
    writes for the whole list, without holding the list."""
    from .jsontext import dumps_indented

    print_json_texts(dumps_indented(item) for item in items)


def print_json_texts(texts: Iterable[str]) -> None:
    """:func:`print_json_array` of items given as their
    :func:`~citeshelf.jsontext.dumps_indented` texts."""
    from .jsontext import JsonArray

    out = sys.stdout
    array = JsonArray()
    for text in texts:
        out.write(array.item(text))
    out.write(array.end())


def _plain_table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], *, header: bool = True
) -> list[str]:
    widths = [len(c) if header else 0 for c in columns]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = []
    for row in [list(columns), *rows] if header else rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return lines


def print_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    caption: str | None = None,
    decorated: bool = True,
) -> None:
    """A table: Rich on a terminal, aligned plain text otherwise.

    Plain form: the title line, a blank line, the header and one line per row
    (columns separated by two spaces), then the caption. Not ``decorated``
    (output for a pipe): only the aligned rows.
    """
    if not decorated:
        if rows:
            sys.stdout.write(clean("\n".join(_plain_table(columns, rows, header=False))) + "\n")
        return
    if not use_rich():
        out = []
        if title:
            out += [title, ""]
        out += _plain_table(columns, rows)
        if caption:
            out.append(caption)
        sys.stdout.write(clean("\n".join(out)) + "\n")
        return
    from rich import box
    from rich.table import Table

    table = Table(
        title=_shown(title) if title else None,
        caption=_shown(caption) if caption else None,
        box=box.SIMPLE_HEAD,
        title_justify="left",
    )
    for i, name in enumerate(columns):
        table.add_column(_shown(name), overflow="fold", no_wrap=(i == 0))
    for row in rows:
        table.add_row(*(_shown(c) for c in row))
    _console().print(table)


def print_fields(
    title: str, fields: Sequence[tuple[str, str]], *, footer: str | None = None
) -> None:
    """A record view: "label: value" lines, in a Rich panel on a terminal."""
    width = max((len(k) for k, _ in fields), default=0)
    if not use_rich():
        lines = [title, ""]
        for label, value in fields:
            first, *rest = value.split("\n") if value else [""]
            lines.append(f"{label.ljust(width)}  {first}".rstrip())
            lines += [f"{'':{width}}  {r}".rstrip() for r in rest]
        if footer:
            lines += ["", footer]
        sys.stdout.write(clean("\n".join(lines)) + "\n")
        return
    from rich.panel import Panel
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in fields:
        grid.add_row(_shown(label), _shown(value))
    body: Any = grid
    if footer:
        from rich.console import Group
        from rich.text import Text

        from .model.controls import show_controls

        body = Group(grid, Text(""), Text(show_controls(footer)))
    _console().print(Panel(body, title=_shown(title), title_align="left"))


class _RichProgress:
    def __init__(self, total: int, description: str) -> None:
        from rich.progress import Progress

        self._progress = Progress(console=_console(stderr=True), transient=True)
        self._total = total
        self._description = description

    def __enter__(self) -> _RichProgress:
        self._progress.__enter__()
        self._task = self._progress.add_task(self._description, total=self._total)
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.__exit__(*exc)  # type: ignore[arg-type]

    def advance(self, n: int = 1) -> None:
        self._progress.advance(self._task, n)


def progress(total: int, description: str, *, threshold: int = 200) -> Any:
    """A progress bar on stderr for long jobs on a terminal; a no-op otherwise."""
    if total >= threshold and use_rich(sys.stderr):
        return _RichProgress(total, description)
    from .progress import NullProgress

    return NullProgress()


def styled_text(styled: Any) -> Any:
    """A Rich ``Text`` from a citation's styled runs (citeshelf.styles.text):
    italics in italics, links as terminal hyperlinks (http(s) only);
    control characters shown visibly."""
    from rich.style import Style
    from rich.text import Text

    from .model.controls import show_controls
    from .styles.text import Italic, Marked, safe_href

    text = Text()
    for run in styled.runs:
        if isinstance(run, str):
            text.append(show_controls(run))
        elif isinstance(run, Italic):
            text.append(show_controls(run.text), style="italic")
        elif isinstance(run, Marked):
            # bold and italics as such; small capitals, super- and subscripts have no
            # terminal style: shown as text (dim for the scripts)
            style = " ".join(
                {"b": "bold", "i": "italic", "sup": "dim", "sub": "dim"}[m]
                for m in run.marks
                if m != "sc"
            )
            text.append(show_controls(run.text), style=style or None)
        else:
            href = safe_href(run.href)
            shown = show_controls(run.text)
            text.append(shown, style=Style(link=href) if href else None)
    return text


def print_citations(plain: str, styled_items: Sequence[Any], *, caption: str | None = None) -> None:
    """Formatted citations: Rich italics and links on a terminal (entries
    separated by a blank line, ``caption`` dimmed below), else ``plain``."""
    if not use_rich():
        sys.stdout.write(clean(plain) + "\n")
        return
    from rich.console import Group
    from rich.text import Text

    from .model.controls import show_controls

    parts: list[Any] = []
    for i, item in enumerate(styled_items):
        if i:
            parts.append(Text(""))
        parts.append(styled_text(item))
    if caption:
        parts += [Text(""), Text(show_controls(caption), style="dim")]
    _console().print(Group(*parts))
