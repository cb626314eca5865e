"""What ``show`` printed, kept for the same bytes of its inputs.

Public API::

    show_inputs(folder, key) -> (digest, parent) | None
    remembered(folder, key, part) -> value | None
    remember(folder, key, inputs, part, value)

What ``show KEY`` prints is made of the record's file, its parent's file and
citeshelf's own code, nothing else. So the texts it printed are kept beside
the library's index (in the per-user cache folder, never in the records
folder) with a digest of those inputs, and a later ``show`` of the same bytes
prints them again without loading Click or the data model. A file edited,
replaced or made malformed since has other bytes, so ``show`` reads and
validates it as always (and says what is wrong with it).

Light on purpose (the standard library and light modules only).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing itself is not imported at start-up

if TYPE_CHECKING:
    from typing import Any

__all__ = ["blake2b", "code_stamp", "remember", "remembered", "show_inputs"]

_STAMP: list[bytes] = []


def code_stamp() -> bytes:
    """citeshelf's version and each of its modules by name, modification
    time and size: what ``show`` printed is not reused after the code changed."""
    if not _STAMP:
        from .. import __version__

        digest = blake2b(__version__.encode())
        todo = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
        while todo:
            with os.scandir(todo.pop()) as it:
                entries = sorted(it, key=lambda e: e.name)
            for entry in entries:
                if entry.name.endswith(".py"):
                    st = entry.stat()
                    digest.update(f"{entry.path}\0{st.st_mtime_ns}\0{st.st_size}\n".encode())
                elif entry.is_dir() and not entry.name.startswith((".", "__")):
                    todo.append(entry.path)
        _STAMP.append(digest.digest())
    return _STAMP[0]


def blake2b(data: bytes = b"") -> Any:
    """A BLAKE2b hash of 20 bytes (:mod:`citeshelf.library.digests`: without OpenSSL)."""
    from ..library.digests import blake2b

    return blake2b(data, digest_size=20)


def _read(folder: str, key: object) -> tuple[bytes, dict[str, Any]] | None:
    """A record file's bytes and its JSON object (which names ``key``), or
    None if it cannot be read as one."""
    from ..library.safeio import loads_limited, max_record_bytes, read_regular
    from ..model.keyfiles import file_stem, key_problem

    if not isinstance(key, str) or key_problem(key) is not None:
        return None
    path = os.path.join(folder, f"{file_stem(key)}.json")
    try:
        raw, _ = read_regular(path, folder, max_record_bytes())
        data = loads_limited(raw.decode("utf-8"))
    except (OSError, ValueError, RecursionError):  # InvalidData is a ValueError too
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    return raw, data


def show_inputs(folder: str | os.PathLike[str], key: str) -> tuple[str, str | None] | None:
    """A digest of what ``show KEY`` is made of (the record's file, its
    parent's file if it names one, citeshelf's code) and the parent's key as
    the file spells it; None when a file cannot be read as a record."""
    folder = os.fspath(folder)
    if os.path.exists(os.path.join(folder, ".journal")):  # a commit to complete first
        return None
    own = _read(folder, key)
    if own is None:
        return None
    raw, data = own
    parent = data.get("parent")
    digest = blake2b(code_stamp())
    digest.update(len(raw).to_bytes(8, "big") + raw)
    if parent is not None:
        book = _read(folder, parent)
        if book is None:
            return None
        digest.update(book[0])
    return digest.hexdigest(), parent


def _memo_path(folder: str | os.PathLike[str], key: str) -> str | None:
    """Where ``show KEY``'s texts are kept (None: nothing is kept, as no index is)."""
    from ..library.schema import index_off, index_path_text
    from ..model.keyfiles import file_stem

    if index_off():
        return None
    return beside_index(index_path_text(folder), ".show", f"{file_stem(key)}.json")


def beside_index(index: str, suffix: str, name: str) -> str:
    """The file ``name`` in the folder of kept outputs named after the index
    file ``index`` with ``suffix`` for its own (``…/lib-1234.show/key.json``)."""
    return os.path.join(os.path.splitext(index)[0] + suffix, name)


def remembered(folder: str | os.PathLike[str], key: str, part: str) -> Any:
    """What an earlier ``show KEY`` kept as ``part`` ("view" or "json"), if
    the record's inputs have the same bytes now, else None."""
    import json

    path = _memo_path(folder, key)
    inputs = show_inputs(folder, key) if path is not None else None
    if path is None or inputs is None:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            memo = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(memo, dict) or memo.get("inputs") != inputs[0]:
        return None
    return memo.get(part)


def remember(
    folder: str | os.PathLike[str],
    key: str,
    inputs: tuple[str, str | None],
    part: str,
    value: Any,
) -> None:
    """Keep ``value`` as ``part`` of ``show KEY``'s output for ``inputs``
    (read before the record was shown), if the files still have those bytes;
    a cache folder that cannot be written is left alone."""
    import json

    path = _memo_path(folder, key)
    if path is None or show_inputs(folder, key) != inputs:
        return
    memo: dict[str, Any] = {}
    try:
        with open(path, encoding="utf-8") as f:
            old = json.load(f)
        if isinstance(old, dict) and old.get("inputs") == inputs[0]:
            memo = old
    except (OSError, ValueError):
        pass
    memo.update({"inputs": inputs[0], part: value})
    keep_file(path, json.dumps(memo))


def keep_file(path: str | os.PathLike[str], text: str | bytes) -> None:
    """Write a kept text (a memo, a help text) or bytes whole or not at all:
    through a temporary file renamed into place; a cache folder that cannot be
    written, or text it cannot hold, is left alone."""
    folder, name = os.path.split(os.fspath(path))
    temp = os.path.join(folder, f".{name}.{os.getpid()}.part")
    try:
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        os.makedirs(folder or ".", exist_ok=True)
        with open(temp, "wb") as f:
            f.write(data)
        os.replace(temp, path)
    except (OSError, UnicodeEncodeError):
        try:
            os.unlink(temp)
        except OSError:
            pass
