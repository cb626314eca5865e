"""What ``cite`` printed, kept for the same command line and the same library.

Public API::

    cite_inputs(folder, args) -> digest | None
    remembered(folder, args) -> (how, value) | None
    take_scanned(folder) -> Scanned | None
        The scan ``remembered`` made, for the ``cite`` that runs next.
    remember(folder, args, started, files, how, value, scanned=None, reads=None)

A citation depends on more than the cited records: its year letters (2014a)
and a first author's initials (APA 8.20) are those of the library's whole
reference list. So what ``cite`` printed is kept (in the per-user cache
folder, beside the index; never in the records folder) with a digest of
everything it was made of: the command line as given (``args``, after
``--library``), the library's folder, the name, modification time and size
of every record file (the index's freshness scan, :mod:`citeshelf.library.scan`;
with ``$CITESHELF_INDEX_CHECK=folder``, as the index then does, the
folder's modification time only),
the bytes of the configuration files (``cite.style``, ``cite.edition``), the
``CITESHELF_*`` environment and citeshelf's code. A later ``cite`` with the
same digest prints the kept text again without loading Click or the data
model; any record file added, removed or changed (even in place, by an
editor) gives another digest, so ``cite`` formats the citation again.

Nothing is kept when the scan cannot vouch for a file: one modified within a
clock tick of the scan (as the index reads such "racy" files again), a commit
to complete, leftovers of an interrupted write. Nothing is kept for a
terminal (whose output depends on its width and colours), for ``--csl``
(pandoc and the style file are inputs too), nor when a warning was given.

Light on purpose (the standard library and light modules only).
"""

from __future__ import annotations

import os

from .showmemo import beside_index, blake2b, code_stamp, keep_file

TYPE_CHECKING = False  # typing itself is not imported at start-up

if TYPE_CHECKING:
    from typing import Any

__all__ = ["Scanned", "cite_inputs", "memo_allowed", "remember", "remembered", "take_scanned"]

#: What a kept answer is printed with (see :func:`citeshelf.cli.cmd_cite.command`).
HOWS = ("line", "json")


def memo_allowed(args: list[str]) -> bool:
    """Whether a ``cite`` command line's output may be kept: not with a CSL
    style (rendered by pandoc from a file) nor one asking for help."""
    return not any(a.startswith("--csl") or a in ("--help", "-h") or a == "--" for a in args)


def _config_bytes(folder: str) -> bytes:
    """The bytes of the configuration files ``cite`` reads (empty if absent)."""
    from ..paths import library_config_text, user_config_text

    out = b""
    for path in (user_config_text(), library_config_text(folder)):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            data = b"\0absent"
        out += len(data).to_bytes(8, "big") + data
    return out


def _state(folder: str | os.PathLike[str], started: int) -> str | None:
    """What the library's freshness check sees of the folder (see :func:`_scanned`)."""
    return _scanned(folder, started)[0]


#: The folder's entries as the last check listed them, kept beside the
#: memos (see :func:`_scanned`).
LISTING = "listing.marshal"


def _kept_listing(path: str, listed: str) -> list[str] | None:
    """The names kept in ``path`` by a check of the folder whose
    :func:`~citeshelf.library.scan.listing_id` was ``listed``, else None."""
    import marshal

    try:
        with open(path, "rb") as f:
            version, seen, names = marshal.loads(f.read())
    except (OSError, ValueError, TypeError, EOFError):
        return None
    if version != 1 or seen != listed or not isinstance(names, str):
        return None
    # (one string: no entry's name holds a NUL)
    return names.split("\0") if names else []


def _scanned(
    folder: str | os.PathLike[str], started: int, listing_file: str | None = None
) -> tuple[str | None, Listing | None]:
    """What the library's freshness check sees of the folder, as the index
    checks it (:envvar:`CITESHELF_INDEX_CHECK`): every entry's name, time and
    size, or with ``folder`` the folder's time alone; None when an entry (or
    the folder itself) changed within a clock tick of ``started`` or after, or
    a commit is to be completed. With the listing the state was made of
    (None with ``folder``, or when the state is None for another reason
    than a racy file: the index can be brought up to date from such a
    listing, as it reads the racy files again).

    ``listing_file``: where the folder's entries are kept between checks,
    with the folder's :func:`~citeshelf.library.scan.listing_id` taken
    before they were listed: while the folder's is the same, its entries are
    (an entry added, removed or renamed sets its times), and each is statted
    without listing the folder again (at 100,000 files, 40 ms of about 300)."""
    from array import array

    from ..library.scan import ENV_INDEX_CHECK, listing_id, listing_to_keep, racy, stat_names

    # An entry added, removed or renamed changes the folder's time: a
    # listing made after ``started`` then cannot stand for what was read.
    st = os.stat(folder)
    mtime = st.st_mtime_ns
    if racy(mtime, started):
        return None, None
    if os.environ.get(ENV_INDEX_CHECK, "files").lower() == "folder":
        journal = os.path.exists(os.path.join(folder, ".journal"))
        return (None if journal else f"folder:{mtime}"), None
    if os.stat in os.supports_dir_fd and os.listdir in os.supports_fd:
        listed = listing_id(st)
        kept = _kept_listing(listing_file, listed) if listing_file else None
        fd = os.open(folder, os.O_RDONLY)
        try:
            every = os.listdir(fd) if kept is None else kept
            names, mtimes, sizes = stat_names(fd, every)
        finally:
            os.close(fd)
        if len(names) != len(every):  # a file gone meanwhile: the listing is not one state
            return None, None
        keep = listing_to_keep(st, started) if kept is None else ""
        if keep and listing_file:
            import marshal

            keep_file(listing_file, marshal.dumps((1, keep, "\0".join(every))))
    else:  # pragma: no cover - e.g. Windows
        mtimes = array("q")
        sizes = array("q")
        add_mtime, add_size = mtimes.append, sizes.append
        names = []
        with os.scandir(folder) as it:
            for entry in it:
                st = entry.stat()
                names.append(entry.name)
                add_mtime(st.st_mtime_ns)
                add_size(st.st_size)
    if ".journal" in names:  # a commit to complete first
        return None, None
    listing = Listing(names, mtimes, sizes)
    edge = started - 2_000_000_000  # only files this recent can be racy
    if any(racy(m, started) for m in mtimes if m >= edge):
        return None, listing  # (the index reads such files again)
    digest = blake2b("/".join(names).encode("utf-8", "surrogateescape"))
    digest.update(mtimes.tobytes())
    digest.update(sizes.tobytes())
    return f"{len(names)}:{digest.hexdigest()}", listing


class Listing:
    """Every entry of the records folder, with its time and size, as
    :func:`_scanned` saw them."""

    __slots__ = ("names", "mtimes", "sizes")

    def __init__(self, names: list[str], mtimes: Any, sizes: Any) -> None:
        self.names, self.mtimes, self.sizes = names, mtimes, sizes

    def scan(self) -> Any:
        """The index's :class:`~citeshelf.library.scan.Scan` of the same
        entries (the record files')."""
        from ..library.scan import Scan

        return Scan.of_listing(self.names, self.mtimes, self.sizes)


class Scanned:
    """The scan of the records folder that the check of a kept ``cite``
    made at ``started`` (a time in ns), for the ``cite`` that then runs:
    its index is brought up to date from it and its output kept under it,
    with no other scan of the folder (see :func:`remember`)."""

    __slots__ = ("folder", "started", "state", "listing")

    def __init__(self, folder: str, started: int, state: str | None, listing: Listing) -> None:
        #: None: a file was racy (the output is kept only under a new scan)
        self.folder, self.started, self.state, self.listing = folder, started, state, listing

    def for_index(self) -> tuple[Any, int]:
        """``(scan, started)`` for :meth:`citeshelf.library.index.Index.refresh`."""
        return self.listing.scan(), self.started

    def unchanged(self, reads: dict[str, tuple[int, int]]) -> bool:
        """Whether every record file read, as its time and size were when it
        was read (``reads``: key -> (mtime_ns, size)), is as the scan saw it."""
        from ..model.keyfiles import file_stem

        if not reads:
            return True
        listing = self.listing
        at = dict(zip(listing.names, range(len(listing.names))))
        for key, seen in reads.items():
            i = at.get(f"{file_stem(key)}.json")
            if i is None or (listing.mtimes[i], listing.sizes[i]) != seen:
                return False
        return True


#: The scan the check of this process's ``cite`` made (see :class:`Scanned`).
_SCANNED: Scanned | None = None


def take_scanned(folder: str | os.PathLike[str]) -> Scanned | None:
    """The scan this process's check made of ``folder``, once (None: none)."""
    global _SCANNED
    scanned, _SCANNED = _SCANNED, None
    if scanned is None or scanned.folder != os.path.realpath(folder):
        return None
    return scanned


def cite_inputs(
    folder: str | os.PathLike[str],
    args: list[str],
    files: list[str] | tuple[str, ...] = (),
    started: int | None = None,
    state: str | None = None,
) -> str | None:
    """A digest of everything ``cite`` with ``args`` prints from (see the
    module's docstring), with the bytes of the record files ``files`` (the
    cited records and their books) read directly; None when the check cannot
    vouch for every file as of ``started`` (a time in ns; default: now).
    ``state``: the folder's as :func:`_scanned` gave it at ``started``
    (default: scanned now)."""
    import json
    import time

    from ..library.safeio import max_record_bytes, read_regular
    from ..library.scan import racy
    from ..model.keyfiles import file_stem, key_problem

    folder = os.fspath(folder)
    started = time.time_ns() if started is None else started
    try:
        if state is None:
            state = _state(folder, started)
        if state is None:
            return None
        digest = blake2b(code_stamp())
        env = sorted((k, v) for k, v in os.environ.items() if k.startswith("CITESHELF_"))
        head = json.dumps([args, os.path.realpath(folder), env, state, files], ensure_ascii=False)
        digest.update(len(head).to_bytes(8, "big") + head.encode("utf-8", "surrogateescape"))
        digest.update(_config_bytes(folder))
        for key in files:
            if not isinstance(key, str) or key_problem(key) is not None:
                return None
            path = os.path.join(folder, f"{file_stem(key)}.json")
            raw, st = read_regular(path, folder, max_record_bytes())
            if racy(st.st_mtime_ns, started):
                return None
            digest.update(len(raw).to_bytes(8, "big") + raw)
    except (OSError, ValueError):  # InvalidData is a ValueError too
        return None
    return str(digest.hexdigest())


def _memo_path(folder: str | os.PathLike[str], args: list[str]) -> str | None:
    """Where the output of ``cite`` with ``args`` is kept (None: nothing is,
    as no index is kept)."""
    import json

    from ..library.schema import index_off, index_path_text

    if index_off():
        return None
    name = blake2b(json.dumps(args, ensure_ascii=False).encode("utf-8", "surrogateescape"))
    return beside_index(index_path_text(folder), ".cite", f"{name.hexdigest()}.json")


def remembered(folder: str | os.PathLike[str], args: list[str]) -> tuple[str, Any] | None:
    """(how, value) an earlier ``cite`` with ``args`` kept, if everything
    it was made of is the same now, else None."""
    import json
    import time

    global _SCANNED
    if not memo_allowed(args):
        return None
    path = _memo_path(folder, args)
    if path is None:
        return None
    # one scan of the folder, for this check and, if the kept output cannot
    # be printed, for the command that makes it again (:func:`take_scanned`)
    started = time.time_ns()
    try:
        state, listing = _scanned(folder, started, os.path.join(os.path.dirname(path), LISTING))
    except OSError:
        return None
    if listing is not None:
        _SCANNED = Scanned(os.path.realpath(folder), started, state, listing)
    if state is None or not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8") as f:
            memo = json.load(f)
    except (OSError, ValueError):
        return None
    if not (isinstance(memo, dict) and memo.get("how") in HOWS and "value" in memo):
        return None
    files = memo.get("files")
    if memo.get("args") != args or not isinstance(files, list):
        return None
    if memo.get("inputs") != cite_inputs(folder, args, files, started, state):
        return None
    return memo["how"], memo["value"]


def remember(
    folder: str | os.PathLike[str],
    args: list[str],
    started: int,
    files: list[str],
    how: str,
    value: Any,
    scanned: Scanned | None = None,
    reads: dict[str, tuple[int, int]] | None = None,
) -> None:
    """Keep ``value`` (printed with ``how``) as the output of ``cite`` with
    ``args``, made from the record files ``files`` (read directly) and the
    library as it was at ``started`` (a time in ns taken before the citation
    was made): if no file, nor the folder, changed since (or within a clock
    tick before), what was read is what the digest stands for. With
    ``scanned`` (the scan the citation's index was brought up to date from,
    at ``started``) and ``reads`` (every record file read to make the
    citation: key -> its time and size as read), the folder is not scanned
    again: the output is kept under that scan's state if every file read was
    as the scan saw it (a file changed since and not read gives the next scan
    another state, so the next ``cite`` makes its output again); if one was
    not, nothing is kept. (A scan that saw a racy file has no state: then the
    folder is scanned again, and nothing is kept if a file changed since
    ``scanned`` began.) A cache folder that cannot be written is left alone."""
    import json

    path = _memo_path(folder, args)
    if path is None:
        return
    if scanned is not None and scanned.state is not None:
        if reads is None or not scanned.unchanged(reads):
            return
        inputs = cite_inputs(folder, args, files, scanned.started, scanned.state)
    else:
        # (with a scan that saw a racy file: no file may have changed since
        # it, as the index was brought up to date from it)
        since = started if scanned is None else min(started, scanned.started)
        inputs = cite_inputs(folder, args, files, since)
    if path is None or inputs is None or how not in HOWS:
        return
    memo = {"args": args, "files": files, "inputs": inputs, "how": how, "value": value}
    keep_file(path, json.dumps(memo, ensure_ascii=False))
