"""``citeshelf export --watch``: an exported file kept in step with its manuscripts and the library.

Public API::

    watch_export(library, output, *, cited_in=(), poll=False, stop=None, **export_options)
        -> Iterator[Watching | Rewrite]
        First a ``Watching`` (what is watched, and how), then a ``Rewrite``
        for the first export and one for each batch of changes to a watched
        file: ``written`` says whether the output was replaced. The output is
        rendered in memory and replaced atomically (``open_atomically``) only
        when its bytes differ from the file's, so a LaTeX previewer watching
        it does not loop. A failed export (a cited key not in the library, an
        unreadable record) is reported in ``Rewrite.error`` and leaves the
        file as it was; the watch goes on. Runs until ``stop`` (a
        ``threading.Event``) is set or KeyboardInterrupt.
    watched_files(cited_in) -> list[Path]
        The manuscripts and every file they include, existing or not.

What is watched: each manuscript and every file it includes (the \\input
graph, read again after each change, so a new \\input is followed), and the
library's record files (``*.json`` in the records folder; the hidden
temporary, staging and journal files of the store's atomic writes are
ignored). The folders holding them are watched, not the files, so that an
editor that saves by renaming a new file over the old one is seen.

How: file-system notifications through watchfiles (inotify on Linux), with
changes grouped until ``STEP_MS`` pass without another (at most
``DEBOUNCE_MS``). ``poll=True`` -- or, on Linux, when inotify is not
available (``inotify_available``) -- polls instead: every ``POLL_MS`` each
watched file's modification time (to the nanosecond), size and inode are
compared with the last ones. (watchfiles' own polling compares whole-second
modification times, which misses a second edit within the same second.)
"""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "DEBOUNCE_MS",
    "POLL_MS",
    "STEP_MS",
    "Rewrite",
    "Watching",
    "inotify_available",
    "watch_export",
    "watched_files",
]

#: a batch of changes ends when this long passes without another (milliseconds)
STEP_MS = 50
#: the longest a batch is held while changes keep coming (milliseconds)
DEBOUNCE_MS = 500
#: how often the poller looks (milliseconds)
POLL_MS = 200
#: how often the notification watch wakes with nothing to report (milliseconds)
WAKE_MS = 100


@dataclass
class Watching:
    """What the watcher follows: the files, the library folder, and how."""

    output: str
    files: list[str]
    library: str
    mode: str  # "notify" or "poll"
    reason: str = ""  # why polling, when it is

    def to_json(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "files": self.files,
            "library": self.library,
            "mode": self.mode,
            "reason": self.reason,
        }


@dataclass
class Rewrite:
    """One export after a change (or the first one)."""

    output: str
    written: bool  # the output was replaced (its bytes changed)
    count: int = 0  # records in the output
    added: list[str] = field(default_factory=list)  # keys now in the output that were not
    removed: list[str] = field(default_factory=list)  # keys no longer in it
    updated: list[str] = field(default_factory=list)  # keys kept whose record file changed
    changed: list[str] = field(default_factory=list)  # the watched files that changed
    first: bool = False  # the export at the start
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # the export failed; the output was left as it was

    def to_json(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "written": self.written,
            "count": self.count,
            "added": self.added,
            "removed": self.removed,
            "updated": self.updated,
            "changed": self.changed,
            "first": self.first,
            "warnings": self.warnings,
            "error": self.error,
        }


def watched_files(cited_in: tuple[str, ...] | list[str]) -> list[Path]:
    from ..formats.manuscript import included_files

    return included_files(list(cited_in)) if cited_in else []


def inotify_available() -> bool:
    """Whether this Linux kernel gives inotify instances (always True elsewhere:
    watchfiles uses the system's own notifications there)."""
    if not sys.platform.startswith("linux"):
        return True
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fd = libc.inotify_init1(os.O_CLOEXEC)
    except (OSError, AttributeError):
        return False
    if fd < 0:
        return False
    os.close(fd)
    return True


class _Exporter:
    """Renders the export to bytes and replaces the output when they differ."""

    def __init__(self, library: Any, output: str, cited_in: Any, options: dict[str, Any]):
        self.library = library
        self.output = output
        self.cited_in = cited_in
        self.options = options
        self.keys: list[str] | None = None  # in the output after the last good export

    def run(self, changed: list[Path], first: bool = False) -> Rewrite:
        from ..errors import CiteshelfError, UsageError
        from .exporting import open_atomically, prepare_export, write_export

        shown = [_shown(p) for p in changed]
        warnings: list[str] = []
        try:
            plan = prepare_export(
                self.library,
                cited_in=self.cited_in,
                output=self.output,
                warn=warnings.append,
                **self.options,
            )
            buffer = io.StringIO()
            write_export(plan, self.library, buffer)
        except UsageError:
            raise
        except CiteshelfError as exc:
            return Rewrite(self.output, False, changed=shown, first=first, error=str(exc))
        data = buffer.getvalue().encode("utf-8")
        old = self.keys
        keys = list(plan.order)
        self.keys = keys
        try:
            current: bytes | None = Path(self.output).read_bytes()
        except OSError:
            current = None
        written = current != data
        if written:
            with open_atomically(self.output) as fh:
                fh.write(buffer.getvalue())
        result = Rewrite(
            self.output, written, len(keys), changed=shown, first=first, warnings=warnings
        )
        if old is not None:
            before, now = set(old), set(keys)
            from ..library.scan import name_key

            result.added = [k for k in keys if k not in before]
            result.removed = sorted(before - now)
            folder = Path(self.library.path).resolve()
            touched = {name_key(p.name) for p in changed if p.parent == folder}
            result.updated = [k for k in keys if k in before and k in touched]
        return result


def watch_export(
    library: Any,
    output: str,
    *,
    cited_in: tuple[str, ...] | list[str] = (),
    poll: bool = False,
    stop: Any = None,
    **options: Any,
) -> Iterator[Watching | Rewrite]:
    """Export now, then again after each change (see the module docstring).
    ``options`` are :func:`citeshelf.ops.exporting.prepare_export`'s (keys,
    query, fmt, ascii, expand, allow_missing, title_case)."""
    from ..errors import NotFound, UsageError

    library.check_exists()
    for m in cited_in:
        if not Path(m).is_file():
            raise NotFound(f"manuscript {m} does not exist")
    if Path(output).resolve() in {p.resolve() for p in watched_files(cited_in)}:
        raise UsageError(f"{output} is one of the manuscripts: write the export to another file")
    exporter = _Exporter(library, output, cited_in, options)
    reason = ""
    if poll:
        reason = "asked for (--poll)"
    elif not inotify_available():
        poll, reason = True, "inotify is not available"
    watch = _Watch(library.path, cited_in, Path(output))
    yield Watching(
        output,
        [_shown(p) for p in watch.files],
        _shown(Path(library.path)),
        "poll" if poll else "notify",
        reason,
    )
    first = True
    batches = watch.poll(stop) if poll else watch.notify(stop)
    for changed in batches:
        if watch.fallback is not None and not poll:
            poll = True
            yield Watching(
                output,
                [_shown(p) for p in watch.files],
                _shown(Path(library.path)),
                "poll",
                f"file-system notifications failed: {watch.fallback}",
            )
        if changed is None:  # the watch is live: export (again), nothing is missed
            yield exporter.run([], first=first)
            first = False
        else:
            yield exporter.run(changed)


class _Watch:
    """The watched files and folders, and the two ways of waiting for changes."""

    def __init__(self, library: Path, cited_in: Any, output: Path) -> None:
        self.library = library.resolve()
        self.cited_in = cited_in
        self.output = output.resolve()
        self.files: list[Path] = []
        self.fallback: str | None = None  # why notifications could not be set up
        self.refresh()

    def refresh(self) -> bool:
        """Read the \\input graph again; True if the folders to watch changed."""
        old = self.folders() if self.files else None
        self.files = [p.resolve() for p in watched_files(self.cited_in)]
        self.wanted = set(self.files)
        return self.folders() != old

    def folders(self) -> list[Path]:
        out = {self.library}
        for p in self.files:
            folder = p.parent
            while not folder.is_dir() and folder != folder.parent:
                folder = folder.parent  # a missing include's folder: its nearest parent
            out.add(folder)
        return sorted(out)

    def relevant(self, path: Path) -> bool:
        if path == self.output:
            return False
        if path in self.wanted:
            return True
        return (
            path.parent == self.library and path.suffix == ".json" and not path.name.startswith(".")
        )

    # -- notifications ------------------------------------------------------

    def notify(self, stop: Any) -> Iterator[list[Path] | None]:
        """Batches of changed files; None each time the watch is (re)started
        and live, so that an export then misses no change."""
        import watchfiles  # imported here: only the watcher needs it

        def keep(_change: Any, raw: str) -> bool:
            return self.relevant(Path(raw))

        while stop is None or not stop.is_set():
            restart = False
            live = False
            changes_seen = watchfiles.watch(
                *self.folders(),
                watch_filter=keep,
                debounce=DEBOUNCE_MS,
                step=STEP_MS,
                stop_event=stop,
                recursive=False,
                force_polling=False,
                rust_timeout=WAKE_MS,  # an empty batch this often: the first says it is live
                yield_on_timeout=True,
            )
            try:
                while True:
                    try:
                        changes = next(changes_seen)
                    except StopIteration:
                        break
                    except OSError as exc:  # e.g. the inotify watch limit is reached
                        if live:
                            raise
                        self.fallback = exc.strerror or str(exc)
                        yield from self.poll(stop)
                        return
                    if not live:
                        live = True
                        yield None
                    if not changes:
                        continue
                    changed = sorted({Path(raw) for _c, raw in changes})
                    restart = self.refresh()
                    yield changed
                    if restart:
                        break  # new folders to watch: start again with them
            finally:
                changes_seen.close()
            if not restart:
                return

    # -- polling ------------------------------------------------------------

    def signature(self) -> dict[Path, tuple[int, int, int] | None]:
        out: dict[Path, tuple[int, int, int] | None] = {}
        for p in self.files:
            try:
                st = p.stat()
                out[p] = (st.st_mtime_ns, st.st_size, st.st_ino)
            except OSError:
                out[p] = None
        try:
            with os.scandir(self.library) as it:
                for entry in it:
                    if entry.name.startswith(".") or not entry.name.endswith(".json"):
                        continue
                    try:
                        st = entry.stat()
                    except OSError:
                        continue
                    out[self.library / entry.name] = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            pass
        return out

    def poll(self, stop: Any) -> Iterator[list[Path] | None]:
        last = self.signature()
        yield None
        while True:
            if _wait(stop, POLL_MS):
                return
            now = self.signature()
            if now == last:
                continue
            held = 0
            while held < DEBOUNCE_MS:  # let a burst of changes end
                if _wait(stop, STEP_MS):
                    return
                held += STEP_MS
                again = self.signature()
                if again == now:
                    break
                now = again
            changed = sorted(p for p in set(last) | set(now) if last.get(p) != now.get(p))
            self.refresh()
            # files the \\input graph now names start from what they are now
            last = {**self.signature(), **now}
            yield changed


def _wait(stop: Any, ms: int) -> bool:
    """Sleep ``ms`` milliseconds, or less if ``stop`` is set; True if it is."""
    if stop is None:
        time.sleep(ms / 1000)
        return False
    return bool(stop.wait(ms / 1000))


def _shown(path: Path) -> str:
    """A path relative to the working folder when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
