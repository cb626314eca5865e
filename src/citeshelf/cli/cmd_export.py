"""citeshelf export: the records a paper needs, as BibTeX, BibLaTeX, CSL-JSON or RIS."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from ..formats import EXPORT_FORMATS
from .common import Key, get_library

#: How many added parent books the closing line names.
_SHOWN = 10


@click.command("export")
@click.argument("keys", nargs=-1, metavar="[KEYS]...", type=Key())
@click.option("--query", "-q", metavar="QUERY", help="Export the records matching QUERY too.")
@click.option(
    "--cited-in",
    "cited_in",
    multiple=True,
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Export the keys a manuscript cites: .aux (BibTeX or biber), .tex (follows "
    "\\input/\\include) or .md (pandoc). Repeatable.",
)
@click.option(
    "--follow-outside",
    is_flag=True,
    help="With --cited-in: also read the files a manuscript includes from outside its "
    "folder (absolute paths, ../); without it they are skipped with a warning.",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default=None,
    help="Output format. Default: from the -o file name (.bib, .json, .ris), else bibtex.",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Write to FILE (atomically: never half-written) instead of standard output.",
)
@click.option(
    "--expand",
    is_flag=True,
    help="Self-contained entries: a chapter carries its book's title (as booktitle), "
    "editors, publisher and date instead of a crossref.",
)
@click.option(
    "--ascii",
    "ascii_",
    is_flag=True,
    help='Write non-ASCII letters as LaTeX macros ({\\"u}) for classic BibTeX; default UTF-8.',
)
@click.option(
    "--allow-missing",
    is_flag=True,
    help="Export the cited keys that exist and list the missing ones, instead of failing.",
)
@click.option(
    "--title-case",
    is_flag=True,
    help="BibTeX/BibLaTeX: write English titles in title case, the capitals of the stored "
    "sentence-case title (proper nouns, acronyms) in braces, as biblatex styles and most "
    ".bst styles expect; titles of records in another language are left as they are.",
)
@click.option(
    "--watch",
    is_flag=True,
    help="With -o: keep FILE up to date until Ctrl-C (or SIGTERM): export again whenever a "
    "manuscript, a file it \\inputs or \\includes, or a record changes, replacing FILE only "
    "when its bytes change; one line per export says which keys were added, removed or updated.",
)
@click.option(
    "--poll",
    is_flag=True,
    help="With --watch: look for changes by polling (every 0.2 s) instead of file-system "
    "notifications, e.g. on network or WSL folders where inotify sees nothing. Polling is "
    "also used when inotify is not available.",
)
def command(
    keys: tuple[str, ...],
    query: str | None,
    cited_in: tuple[str, ...],
    follow_outside: bool,
    fmt: str | None,
    output: str | None,
    expand: bool,
    ascii_: bool,
    allow_missing: bool,
    title_case: bool,
    watch: bool,
    poll: bool,
) -> None:
    """Export records -- by default all of them -- with the books their chapters
    belong to.

    A chapter brings its book: in BibTeX the chapter gets crossref = {book} and
    the book comes after every entry that cites it (BibTeX needs that order); the
    book also carries booktitle, and a chapter never takes the book's DOI, ISBN or
    URL. Output is deterministic: the same library gives the same bytes, so a
    paper's .bib can be committed and diffed.

    \b
    Examples:
      citeshelf export aris2014collective galbreath2014organization -o paper.bib
      citeshelf export --cited-in paper.aux -o refs.bib        # after a LaTeX run
      citeshelf export --cited-in paper.tex --format biblatex -o refs.bib
      citeshelf export --cited-in draft.md --format csl-json -o refs.json
      citeshelf export --query 'type:chapter year:2014' --expand --ascii
      citeshelf export --format ris -o everything.ris
      citeshelf export --cited-in main.tex -o refs.bib --watch   # until Ctrl-C

    A cited key that is not in the library fails the command (exit code 3) with
    the list of missing keys; --allow-missing exports the rest and still lists
    them.
    """
    from .. import render
    from ..ops.exporting import export_to_file, prepare_export

    library = get_library()
    if poll and not watch:
        raise click.UsageError("--poll goes with --watch")
    if watch:
        if not output:
            raise click.UsageError("--watch needs -o FILE: the file to keep up to date")
        with _terminate_as_interrupt():
            _watch(
                library,
                output,
                cited_in,
                poll,
                keys=keys,
                query=query,
                fmt=fmt,
                ascii=ascii_,
                expand=expand,
                allow_missing=allow_missing,
                title_case=title_case,
            )
        return
    plan = prepare_export(
        library,
        keys=keys,
        query=query,
        cited_in=cited_in,
        fmt=fmt,
        output=output,
        ascii=ascii_,
        expand=expand,
        allow_missing=allow_missing,
        warn=render.warn,
        title_case=title_case,
        follow_outside=follow_outside,
    )
    if output:
        export_to_file(plan, library, output)
        n = plan.count
        extra = ""
        if plan.added_parents:
            m = len(plan.added_parents)
            shown = ", ".join(plan.added_parents[:_SHOWN])
            if m > _SHOWN:
                shown += f" and {m - _SHOWN} more"
            extra = f", with {m} parent book{'s' if m != 1 else ''} ({shown})"
        render.print_line(
            f"exported {n} record{'s' if n != 1 else ''}{extra} to {output}", err=True
        )
        return
    _to_stdout(plan, library)


def _watch(library, output: str, cited_in: tuple[str, ...], poll: bool, **options) -> None:
    """Run the watcher until Ctrl-C or SIGTERM, one line per export (see ops.watching)."""
    import sys

    from .. import render
    from ..ops.watching import POLL_MS, Watching, watch_export

    def say(text: str, err: bool = False) -> None:
        render.print_line(text, err=err)
        (sys.stderr if err else sys.stdout).flush()

    try:
        for event in watch_export(library, output, cited_in=cited_in, poll=poll, **options):
            if isinstance(event, Watching):
                how = (
                    f"polling every {POLL_MS} ms ({event.reason})"
                    if event.mode == "poll"
                    else "file-system notifications"
                )
                files = ", ".join(event.files)
                say(
                    f"watching {files + ' and ' if files else ''}the library {event.library} "
                    f"with {how}; Ctrl-C stops",
                    err=True,
                )
                continue
            line = _rewrite_line(event)
            if line:
                say(line, err=event.error is not None)
            if event.written or event.first:
                for message in event.warnings:
                    render.warn(message)
    except KeyboardInterrupt:
        say(f"stopped watching; {output} is up to date", err=True)


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM (``kill``, or a script stopping a
    watcher it started in the background, where Ctrl-C cannot reach it)
    stops it as Ctrl-C does: an export under way is abandoned without a
    temporary file left, and the watcher says it stopped. Left alone when
    something else already handles SIGTERM, or off the main thread."""
    import signal
    import threading

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    ):
        yield
        return
    signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _rewrite_line(event) -> str:
    """One line for an export of the watcher; "" for a check with nothing to say."""
    import time

    now = time.strftime("%H:%M:%S")
    what = f"{event.count} record{'s' if event.count != 1 else ''}"
    cause = f" ({', '.join(event.changed)})" if event.changed else ""
    if event.error is not None:
        return f"{now} {event.output} not rewritten{cause}: {event.error}"
    if event.first:
        if event.written:
            return f"{now} wrote {event.output}: {what}"
        return f"{now} {event.output} is up to date: {what}"
    if not event.written:
        return f"{now} {event.output} unchanged{cause}" if event.changed else ""
    parts = [
        f"{label} {', '.join(keys)}"
        for label, keys in (
            ("added", event.added),
            ("removed", event.removed),
            ("updated", event.updated),
        )
        if keys
    ]
    return f"{now} rewrote {event.output}: {what}; {'; '.join(parts) or 'entries changed'}{cause}"


def _to_stdout(plan, library) -> None:
    """Written in full first (in memory, on disk when large), so that a record
    that cannot be read stops the command before anything is printed."""
    import shutil
    import sys
    import tempfile

    from ..ops.exporting import write_export

    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as spool:
        write_export(plan, library, _Utf8(spool))
        spool.seek(0)
        out = getattr(sys.stdout, "buffer", None)
        sys.stdout.flush()
        if out is not None:
            shutil.copyfileobj(spool, out)
            out.flush()
        else:  # pragma: no cover - a text-only stream
            sys.stdout.write(spool.read().decode("utf-8"))


class _Utf8:
    """Text written to a binary file as UTF-8."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.buffer = raw  # what UTF-8 bytes can be written to as they are

    def write(self, text: str) -> int:
        self.raw.write(text.encode("utf-8"))
        return len(text)
