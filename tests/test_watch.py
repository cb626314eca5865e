"""export --watch: a real watcher process on a temporary paper, with notifications and polling.

Each test starts ``citeshelf export --watch`` as a subprocess (so that Ctrl-C can
be sent as SIGINT), edits the paper and the library, and reads the watcher's
lines with a timeout; nothing sleeps longer than a change needs to be seen.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from citeshelf.formats.manuscript import included_files

from .conftest import DEFAULT_LIBRARY

#: seconds to wait for one line of the watcher (generous: the machine may be busy)
TIMEOUT = 20


def _ctrl_c_as_in_a_terminal() -> None:
    """In the watcher's process, before it starts: SIGINT does what it does
    in a command run from a terminal (Python makes it KeyboardInterrupt). A
    test run started in the background by a script (``pytest &``) ignores
    SIGINT, as a shell makes such jobs do, and its children would inherit
    that: Ctrl-C would then stop no watcher."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Watcher:
    """A running ``export --watch`` and its output lines (stdout and stderr merged)."""

    def __init__(self, paper: Path, *extra: str) -> None:
        env = dict(os.environ)
        env.pop("CITESHELF_LIBRARY", None)
        env.pop("WATCHFILES_FORCE_POLLING", None)
        argv = [sys.executable, "-m", "citeshelf", "--library", "records", "export"]
        argv += ["--cited-in", "main.tex", "-o", "refs.bib", "--watch", *extra]
        self.proc = subprocess.Popen(
            argv,
            cwd=paper,
            env=env,
            preexec_fn=_ctrl_c_as_in_a_terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def line(self) -> str:
        """The next line, within TIMEOUT seconds."""
        try:
            line = self.lines.get(timeout=TIMEOUT)
        except queue.Empty:
            pytest.fail(f"no line from the watcher in {TIMEOUT} s; so far: {self.seen}")
        if line is None:
            pytest.fail(f"the watcher ended (code {self.proc.poll()}); it said: {self.seen}")
        self.seen.append(line)
        return line

    def stop(self, how: int = signal.SIGINT) -> int:
        """Ctrl-C (or the signal ``how``), and the exit code."""
        self.proc.send_signal(how)
        return self.proc.wait(timeout=TIMEOUT)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=TIMEOUT)
        self.reader.join(timeout=TIMEOUT)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    """A paper folder: main.tex (cites cottey2014nato) inputs sections/a.tex
    (cites kay2014persian); the library is records/ beside them."""
    folder = tmp_path / "paper"
    folder.mkdir()
    shutil.copytree(DEFAULT_LIBRARY, folder / "records")
    (folder / "sections").mkdir()
    (folder / "main.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\nAs \\cite{cottey2014nato} says.\n"
        "\\input{sections/a}\n\\bibliography{refs}\n\\end{document}\n",
        encoding="utf-8",
    )
    (folder / "sections" / "a.tex").write_text("See \\citep{kay2014persian}.\n", encoding="utf-8")
    return folder


@pytest.fixture
def start(paper: Path) -> Iterator:
    """``start(*options)`` -> a Watcher on ``paper``, killed at the end whatever happens."""
    started: list[Watcher] = []

    def run(*extra: str) -> Watcher:
        w = Watcher(paper, *extra)
        started.append(w)
        return w

    yield run
    for w in started:
        w.close()


def entries(path: Path) -> list[str]:
    return re.findall(r"^@\w+\{([^,]+),", path.read_text(encoding="utf-8"), re.MULTILINE)


def stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_ino, st.st_mtime_ns


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def citeshelf(paper: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "citeshelf", "--library", "records", *args],
        cwd=paper,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


TIME = r"\d\d:\d\d:\d\d"


@pytest.mark.parametrize("mode", ["notify", "poll"])
def test_watch_rewrites_on_each_change_and_only_then(start, paper: Path, mode: str) -> None:
    refs = paper / "refs.bib"
    w = start(*(["--poll"] if mode == "poll" else []))
    banner = w.line()
    assert banner.startswith("watching main.tex, sections/a.tex and the library records with ")
    if mode == "poll":
        assert "polling every 200 ms (asked for (--poll))" in banner
    else:
        assert "file-system notifications" in banner
    assert re.fullmatch(rf"{TIME} wrote refs\.bib: 3 records", w.line())
    assert entries(refs) == ["cottey2014nato", "kay2014persian", "sperling2014handbook"]

    # a citation added to the included file
    edit(paper / "sections" / "a.tex", "kay2014persian", "kay2014persian,aris2014collective")
    assert re.fullmatch(
        rf"{TIME} rewrote refs\.bib: 4 records; added aris2014collective \(sections/a\.tex\)",
        w.line(),
    )
    assert entries(refs) == [
        "aris2014collective",
        "cottey2014nato",
        "kay2014persian",
        "sperling2014handbook",
    ]

    # a citation removed from the main file
    edit(paper / "main.tex", "As \\cite{cottey2014nato} says.", "As is said.")
    assert re.fullmatch(
        rf"{TIME} rewrote refs\.bib: 3 records; removed cottey2014nato \(main\.tex\)", w.line()
    )
    assert entries(refs) == ["aris2014collective", "kay2014persian", "sperling2014handbook"]

    # a record edited through citeshelf (an atomic replace under the library's lock)
    citeshelf(paper, "edit", "kay2014persian", "--set", "pages=101-120")
    assert re.fullmatch(
        rf"{TIME} rewrote refs\.bib: 3 records; updated kay2014persian "
        rf"\(records/kay2014persian\.json\)",
        w.line(),
    )
    assert "pages = {101--120}" in refs.read_text(encoding="utf-8")

    # edits that change nothing in the export: the file is not touched
    before = stamp(refs), refs.read_bytes()
    edit(paper / "main.tex", "As is said.", "As is said. % a comment, no citation")
    assert re.fullmatch(rf"{TIME} refs\.bib unchanged \(main\.tex\)", w.line())
    citeshelf(paper, "edit", "jasper2014cyberspace", "--set", "pages=1-2")  # not cited
    assert re.fullmatch(
        rf"{TIME} refs\.bib unchanged \(records/jasper2014cyberspace\.json\)", w.line()
    )
    assert (stamp(refs), refs.read_bytes()) == before

    # a key not in the library: said, and the file is left as it was
    edit(paper / "sections" / "a.tex", "aris2014collective", "aris2014colective")
    error = w.line()
    assert re.fullmatch(rf"{TIME} refs\.bib not rewritten \(sections/a\.tex\): .+", error)
    assert "aris2014colective (did you mean aris2014collective?)" in error
    assert (stamp(refs), refs.read_bytes()) == before
    edit(paper / "sections" / "a.tex", "aris2014colective", "aris2014collective")
    assert re.fullmatch(rf"{TIME} refs\.bib unchanged \(sections/a\.tex\)", w.line())

    # a new \input in a new folder is followed, and so are edits of it
    (paper / "more").mkdir()
    (paper / "more" / "b.tex").write_text("Also \\cite{rees2014counter}.\n", encoding="utf-8")
    edit(paper / "main.tex", "\\input{sections/a}", "\\input{sections/a}\n\\input{more/b}")
    assert re.fullmatch(
        rf"{TIME} rewrote refs\.bib: 4 records; added rees2014counter \(main\.tex\)", w.line()
    )
    edit(paper / "more" / "b.tex", "rees2014counter", "shaw2014organization")
    # (an edit made while the watch restarts on the new folder is caught by the
    # export the restart makes, which cannot say which file changed)
    assert re.fullmatch(
        rf"{TIME} rewrote refs\.bib: 4 records; added shaw2014organization; "
        rf"removed rees2014counter(?: \(more/b\.tex\))?",
        w.line(),
    )
    assert "shaw2014organization" in entries(refs)

    assert w.stop() == 0
    last = w.line()
    # (a late notification of that edit, after the restart's export caught it,
    # finds nothing to write: said as such)
    while re.fullmatch(rf"{TIME} refs\.bib unchanged \(more/b\.tex\)", last):
        last = w.line()
    assert last == "stopped watching; refs.bib is up to date"
    assert not [p.name for p in paper.iterdir() if p.name.startswith(".refs.bib")]


def test_watch_starts_quiet_when_the_file_is_up_to_date(start, paper: Path) -> None:
    citeshelf(paper, "export", "--cited-in", "main.tex", "-o", "refs.bib")
    before = stamp(paper / "refs.bib")
    w = start()
    w.line()  # the banner
    assert re.fullmatch(rf"{TIME} refs\.bib is up to date: 3 records", w.line())
    assert stamp(paper / "refs.bib") == before
    assert w.stop() == 0


@pytest.mark.parametrize("mode", ["notify", "poll"])
def test_sigterm_stops_the_watcher_as_ctrl_c_does(start, paper: Path, mode: str) -> None:
    """``kill`` (SIGTERM), as a script stops a watcher it started in the
    background, where Ctrl-C cannot reach it: said, exit code 0, no
    temporary file left."""
    w = start(*(["--poll"] if mode == "poll" else []))
    w.line()  # the banner
    assert re.fullmatch(rf"{TIME} wrote refs\.bib: 3 records", w.line())
    assert w.stop(signal.SIGTERM) == 0
    assert w.line() == "stopped watching; refs.bib is up to date"
    assert entries(paper / "refs.bib") == [
        "cottey2014nato",
        "kay2014persian",
        "sperling2014handbook",
    ]
    assert not [p.name for p in paper.iterdir() if p.name.startswith(".refs.bib")]


def test_sigterm_is_left_to_a_handler_already_set() -> None:
    """The watcher takes SIGTERM only while it runs, and only if nothing
    else handles it (an application embedding citeshelf keeps its own)."""
    from citeshelf.cli import cmd_export

    mine = lambda _s, _f: None  # noqa: E731
    before = signal.signal(signal.SIGTERM, mine)
    try:
        with cmd_export._terminate_as_interrupt():
            assert signal.getsignal(signal.SIGTERM) is mine
        assert signal.getsignal(signal.SIGTERM) is mine
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        with cmd_export._terminate_as_interrupt():
            taken = signal.getsignal(signal.SIGTERM)
            assert callable(taken) and taken is not mine
            with pytest.raises(KeyboardInterrupt):
                taken(signal.SIGTERM, None)
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, before)


def test_watch_usage_errors(cs, paper: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(paper)
    lib = paper / "records"
    r = cs(lib, "export", "--cited-in", "main.tex", "--watch")
    assert r.exit_code == 2 and "--watch needs -o FILE" in r.stderr
    r = cs(lib, "export", "--cited-in", "main.tex", "-o", "refs.bib", "--poll")
    assert r.exit_code == 2 and "--poll goes with --watch" in r.stderr
    r = cs(lib, "export", "--cited-in", "nope.tex", "-o", "refs.bib", "--watch")
    assert r.exit_code == 3 and "manuscript nope.tex does not exist" in r.stderr
    r = cs(lib, "export", "--cited-in", "main.tex", "-o", "sections/a.tex", "--watch")
    assert r.exit_code == 2 and "sections/a.tex is one of the manuscripts" in r.stderr
    assert not (paper / "refs.bib").exists()


def test_included_files_lists_missing_and_cyclic_includes(tmp_path: Path) -> None:
    (tmp_path / "main.tex").write_text("\\input{a}\\include{sub/b}\\input{gone}", encoding="utf-8")
    (tmp_path / "a.tex").write_text("\\input{main.tex} % \\input{commented}", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.tex").write_text("\\input{a}", encoding="utf-8")
    names = [p.relative_to(tmp_path).as_posix() for p in included_files([tmp_path / "main.tex"])]
    assert names == ["main.tex", "a.tex", "sub/b.tex", "gone.tex"]


def test_polling_is_chosen_where_inotify_is_missing(
    paper: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from citeshelf.library import Library
    from citeshelf.ops import watching

    monkeypatch.chdir(paper)
    monkeypatch.setattr(watching, "inotify_available", lambda: False)
    stop = threading.Event()
    events = watching.watch_export(Library("records"), "refs.bib", cited_in=["main.tex"], stop=stop)
    first = next(events)
    assert isinstance(first, watching.Watching)
    assert (first.mode, first.reason) == ("poll", "inotify is not available")
    assert first.files == ["main.tex", "sections/a.tex"]
    export = next(events)
    assert isinstance(export, watching.Rewrite) and export.first and export.written
    assert export.to_json()["count"] == 3
    stop.set()
    assert list(events) == []  # a set stop ends the watch


def test_inotify_is_available_here() -> None:
    from citeshelf.ops.watching import inotify_available

    if not sys.platform.startswith("linux"):
        pytest.skip("inotify is Linux's")
    assert inotify_available() is True
