"""The records/ store: one JSON file per record, written atomically.

* ``records/<name>.json`` holds one record (the name is the key itself, or
  the key escaped when it is no safe file name: the one rule is
  :func:`citeshelf.model.keys.file_stem`), serialised deterministically (field
  order of the model, empty fields left out, UTF-8 unescaped, 2-space indent,
  trailing newline) so that git diffs show only what changed.
* Creating a record never overwrites another: the file is written in full under
  a temporary name, then hard-linked to its final name, which fails if that
  name exists (exclusive create). Updates write a temporary file, fsync it and
  rename it over the old one. A crash at any moment leaves every record whole.
* A key is never used as a path without :func:`check_key`.
* Every write takes the library's lock (:meth:`RecordStore.locked`: an
  exclusive ``flock`` on the records folder itself, so no lock file is left
  behind), waiting up to ``$CITESHELF_LOCK_TIMEOUT`` seconds (default 30)
  before failing with "library busy". A read-modify-write holds it across
  the read and the write, so no concurrent change is lost; readers never
  wait (every file is replaced whole).
* Changes of several records (an import, an update, a removal with chapters)
  are staged first: the new files are written into a hidden
  ``.staging-*`` folder that the writing process holds (a shared ``flock``),
  then, under the lock, a journal (``.journal``, written whole and renamed
  into place) lists every file to move in and every record to remove, and is
  applied. A crash before the journal exists leaves nothing visible; a crash
  after it is rolled forward by the next command that opens the library
  (:meth:`RecordStore.recover`). Staging folders whose process is gone and
  temporary files of writes that never finished are removed when the folder
  is next listed (:attr:`RecordStore.cleaned` says what was removed).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import model
from ..errors import (
    AlreadyExists,
    CiteshelfError,
    Conflict,
    InvalidData,
    LibraryBusy,
    NotFound,
    UsageError,
)
from ..jsontext import _has_float, dumps_indented
from ..limits import ENV_MAX_RECORD, text_bytes
from ..model.keyfiles import check_key, file_stem, key_of_stem
from .safeio import (
    JOURNAL,
    STAGING_PREFIX,
    TEMP_PREFIX,
    TEMP_SUFFIX,
    file_digest,
    is_leftover,
    loads_limited,
    max_record_bytes,
    read_regular,
)

if TYPE_CHECKING:  # pragma: no cover
    from datetime import datetime

    from ..model import BaseRecord

# The data model (Pydantic) is imported where a record is parsed or stamped,
# not with the store: a command that answers from the index never loads it.

__all__ = ["RecordProblem", "RecordStore", "dumps_record"]

SUFFIX = ".json"
#: seconds a write waits for another process's lock before "library busy"
ENV_LOCK_TIMEOUT = "CITESHELF_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 30.0


def lock_timeout() -> float:
    raw = os.environ.get(ENV_LOCK_TIMEOUT, "")
    try:
        return max(0.0, float(raw)) if raw.strip() else DEFAULT_LOCK_TIMEOUT
    except ValueError:
        raise UsageError(f"${ENV_LOCK_TIMEOUT} must be a number of seconds, not {raw!r}") from None


def now_utc() -> datetime:
    """The model's time stamp (imports the model)."""
    from ..model import now_utc as now

    return now()


def _extra_has_float(data: dict[str, object]) -> bool:
    return bool(data.get("extra")) and _has_float(data["extra"])


def dumps_record(record: BaseRecord, data: dict[str, Any] | None = None) -> str:
    """The exact text of a record file; :class:`InvalidData` if it would be
    larger than a record file may be (a file no command could read back).
    ``data``: the record's ``to_json_dict()``, if the caller has it."""
    if data is None:
        data = record.to_json_dict()
    # only extra can hold a float: the model's own fields never do
    text = dumps_indented(data, float_free=not _extra_has_float(data)) + "\n"
    limit = max_record_bytes()
    size = text_bytes(text, limit)
    if size is not None:
        raise InvalidData(
            f"record '{record.key}' would be {size:,} bytes, over the limit of {limit:,} "
            f"bytes for a record file (${ENV_MAX_RECORD} raises it): shorten its longest field"
        )
    return text


def _with_added(data: dict[str, Any], record: BaseRecord) -> dict[str, Any]:
    """``data`` (the JSON data of ``record`` without its ``added`` date) with
    the date ``record`` has, in its place in the file's order."""
    added = _ADDED_JSON.get(record.added)
    if added is None:
        _ADDED_JSON.clear()  # (one stamp per import: one is kept)
        added = _ADDED_JSON[record.added] = record.model_dump(mode="json", include={"added"})[
            "added"
        ]
    out = {**data, "added": added}
    if "modified" in out:
        out["modified"] = out.pop("modified")  # (the only field after it)
    return out


#: an ``added`` date -> its JSON form, for :func:`_with_added`
_ADDED_JSON: dict[Any, Any] = {}


#: At most this many keys' paths are kept by a store (:meth:`RecordStore.path_for`).
PATHS_KEPT = 4096


class RecordProblem:
    """A record file that could not be read: which file, and why."""

    def __init__(self, key: str, path: Path, reason: str) -> None:
        self.key = key
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

    def __repr__(self) -> str:  # pragma: no cover
        return f"RecordProblem({self.key!r}, {self.reason!r})"


class RecordStore:
    """A folder of record files.

    This module imports nothing of the library above it: the index and the
    front everyone uses (:class:`citeshelf.library.front.Library`) build on it.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._folded: dict[str, str] | None = None  # casefolded key -> key, for create()
        self._lock_fd: int | None = None
        self._lock_depth = 0
        self._staging: _Staging | None = None
        #: the thread that writes staged files (:class:`_StageWriter`), while staging
        self._stage_writer: _StageWriter | None = None
        #: staged paths its writing, stopped by an error, did not write
        self._unwritten: set[str] = set()
        #: what interrupted writes left that this object removed or completed
        self.cleaned: list[str] = []
        #: names of .json files in the folder that are no key's file name
        self.strays: list[str] = []
        #: staged file -> the digest of its bytes (see :attr:`written`)
        self._staged_digests: dict[str, bytes] = {}
        #: key -> :func:`~.safeio.file_digest` of the text its file was given
        #: by the commits of this object (for the index: an import's records
        #: are indexed without being validated again)
        self.written: dict[str, bytes] = {}
        #: key -> (modification time in ns, size) of its file as :meth:`read_text`
        #: read it, for the keys read since a caller set this to a dict (``cite``:
        #: its output is kept if every file read is as a scan saw it); a file read
        #: twice with other times or sizes: (-1, -1)
        self.reads: dict[str, tuple[int, int]] | None = None
        #: key -> its file's path, for the keys asked for lately (a whole-library
        #: command asks for a record's, and its book's, several times)
        self._paths: dict[str, Path] = {}
        self._paths_of = self.path

    def __repr__(self) -> str:  # pragma: no cover
        return f"{type(self).__name__}({str(self.path)!r})"

    # -- paths and keys -------------------------------------------------------

    def path_for(self, key: str) -> Path:
        if self._paths_of is not self.path:  # (kept for this folder only)
            self._paths, self._paths_of = {}, self.path
        path = self._paths.get(key)
        if path is None:
            path = self.path / _file_name(key)
            if len(self._paths) >= PATHS_KEPT:
                self._paths.clear()
            self._paths[key] = path
        return path

    def _path_texts(self, keys: list[str]) -> list[str]:
        """:meth:`path_for` of each key, as text: for many keys at once (a
        commit of 100,000 records), where making a ``Path`` of each costs
        more than what is done with it."""
        base = os.fspath(self.path)
        join = os.path.join
        return [join(base, _file_name(key)) for key in keys]

    def check_exists(self) -> None:
        if not self.path.is_dir():
            raise NotFound(
                f"no library at {self.path}: create one with 'citeshelf init {self.path}' "
                "or choose another with --library DIR"
            )

    def missing(self, *keys: str, then: str = "") -> NotFound:
        """The error for keys with no record, naming the key each most likely
        meant (``then`` ends the message)."""
        from ..errors import closest

        self.check_exists()
        known = self.keys()
        hints = [(k, closest(k, known)) for k in keys]
        if len(hints) == 1:
            k, best = hints[0]
            hint = f"; did you mean '{best}'?" if best else ""
            return NotFound(f"no record '{k}' in {self.path}{hint}{then}")
        shown = ", ".join(f"'{k}'" + (f" (did you mean '{b}'?)" if b else "") for k, b in hints)
        return NotFound(f"no records {shown} in {self.path}{then}")

    def keys(self) -> list[str]:
        """All record keys, sorted, without reading any file.

        Leftovers of interrupted writes seen on the way are removed when the
        lock can be had at once (see :meth:`clean_leftovers`)."""
        self.check_exists()
        out = []
        strays = []
        leftovers = []
        journal = False
        with os.scandir(self.path) as it:
            for entry in it:
                name = entry.name
                if name.startswith("."):
                    if name == JOURNAL:
                        journal = True
                    elif is_leftover(name):
                        leftovers.append(name)
                elif name.endswith(SUFFIX):
                    key = key_of_stem(name[: -len(SUFFIX)])
                    if key is None:
                        strays.append(name)
                    else:
                        out.append(key)
        if journal:
            self.recover()
            return self.keys()
        if leftovers:
            self.clean_leftovers(wait=False)
        out.sort()
        self.strays = sorted(strays)
        return out

    # -- the lock, the journal, leftovers ---------------------------------------

    @contextlib.contextmanager
    def locked(self, timeout: float | None = None) -> Iterator[None]:
        """Hold the library's write lock (re-entrant within this object).

        Waits up to ``timeout`` seconds (default ``$CITESHELF_LOCK_TIMEOUT``,
        else 30) and raises :class:`LibraryBusy` after that. Taking it rolls
        forward a journal a crashed process left."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        self.check_exists()
        limit = lock_timeout() if timeout is None else timeout
        fd = os.open(self.path, os.O_RDONLY)
        try:
            _flock_wait(fd, limit, self.path)
            self._lock_fd = fd
            self._lock_depth = 1
            self._roll_forward()
            yield
        finally:
            self._lock_depth = 0
            self._lock_fd = None
            os.close(fd)  # releases the lock

    def recover(self) -> bool:
        """Roll forward a commit a crashed process left (``.journal``); True if
        there was one. A library this process cannot write is left as it is."""
        if not (self.path / JOURNAL).exists():
            return False
        try:
            with self.locked():
                pass
        except (OSError, LibraryBusy):
            return False
        return True

    def _roll_forward(self) -> None:
        journal = self.path / JOURNAL
        try:
            text = journal.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        try:
            plan = json.loads(text)
            moves = [(str(a), str(b)) for a, b in plan["put"]]
            deletes = [str(k) for k in plan["delete"]]
        except (ValueError, KeyError, TypeError):  # pragma: no cover - written whole
            raise InvalidData(
                f"{journal}: an interrupted commit's journal cannot be read; "
                "move it away and run 'citeshelf check'"
            ) from None
        self._apply(moves, deletes)
        _unlink_quietly(str(journal))
        self._fsync_dir()
        self.cleaned.append(f"{JOURNAL} (an interrupted commit, completed)")

    def _apply(self, moves: list[tuple[str, str]], deletes: list[str]) -> None:
        """Move staged files in, then remove records; every step may be
        repeated (a file already moved is not there any more)."""
        targets = self._path_texts([k for _, k in moves] + deletes)
        base = os.fspath(self.path)
        join = os.path.join
        for (rel, _key), target in zip(moves, targets):
            try:
                os.replace(join(base, rel), target)
            except FileNotFoundError:
                pass
        for target in targets[len(moves) :]:
            _unlink_quietly(target)

    def _commit_journal(self, moves: list[tuple[str, str]], deletes: list[str]) -> None:
        """Under the lock: write the journal, apply it, remove it."""
        plan = {"put": [[rel, key] for rel, key in moves], "delete": deletes}
        part = self.path / (JOURNAL + ".part")
        with open(part, "w", encoding="utf-8") as fh:
            json.dump(plan, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, self.path / JOURNAL)
        self._fsync_dir()
        try:
            self._apply(moves, deletes)
        except OSError as exc:
            raise CiteshelfError(
                f"{exc.strerror or exc} while applying a commit: it is kept in "
                f"{self.path / JOURNAL} and the next citeshelf command completes it"
            ) from None
        self._fsync_dir()
        _unlink_quietly(str(self.path / JOURNAL))

    def leftovers(self) -> list[str]:
        """Names of hidden files of writes in progress or never finished."""
        self.check_exists()
        with os.scandir(self.path) as it:
            return sorted(e.name for e in it if is_leftover(e.name) or e.name == JOURNAL)

    def clean_leftovers(self, *, wait: bool = True) -> list[str]:
        """Remove what interrupted writes left: temporary files (only writes
        under the lock make them, so none is in progress while we hold it)
        and staging folders no live process holds. The names removed; with
        ``wait=False`` nothing is done if the lock is taken."""
        try:
            with self.locked(None if wait else 0.0):
                removed = []
                for name in self.leftovers():
                    path = self.path / name
                    if name.startswith(STAGING_PREFIX):
                        if self._staging is not None and self._staging.path == path:
                            continue
                        if not _staging_abandoned(path):
                            continue
                        shutil.rmtree(path, ignore_errors=True)
                    elif name == JOURNAL:  # pragma: no cover - the lock rolled it forward
                        continue
                    else:
                        _unlink_quietly(str(path))
                    removed.append(name)
        except (LibraryBusy, PermissionError):
            return []
        self.cleaned.extend(removed)
        return removed

    def __contains__(self, key: str) -> bool:
        try:
            return self.path_for(key).is_file()
        except UsageError:
            return False

    def find_case_clash(self, key: str) -> str | None:
        """An existing key that differs from ``key`` only in case, if any.

        The folder is listed once per object; keys created through it
        are added as they are written.
        """
        if self._folded is None:
            self._folded = {k.casefold(): k for k in self.keys()}
        other = self._folded.get(key.casefold())
        if other is not None and other != key:
            if self.path_for(other).exists():
                return other
            del self._folded[key.casefold()]
        return None

    def _refuse_case_clash(self, key: str) -> None:
        clash = self.find_case_clash(key)
        if clash:
            raise AlreadyExists(
                f"key '{key}' differs only in letter case from existing record "
                f"'{clash}': choose another key"
            )

    # -- reading ------------------------------------------------------------------

    def read_text(self, key: str) -> str:
        path = self.path_for(key)
        try:
            raw, st = read_regular(path, self.path, max_record_bytes(), what="record file")
            if self.reads is not None:
                seen = (st.st_mtime_ns, st.st_size)
                self.reads[key] = seen if self.reads.get(key, seen) == seen else (-1, -1)
            return raw.decode("utf-8")
        except FileNotFoundError:
            raise self.missing(key) from None
        except UnicodeDecodeError as exc:
            raise InvalidData(
                f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from None
        except OSError as exc:
            raise InvalidData(f"{path}: cannot read it ({exc.strerror or exc})") from None

    def parse_text(self, key: str, text: str, path: Path | None = None) -> BaseRecord:
        """Parse a record file's text; errors name the file and the field."""
        # (the file's name is made only for an error: 4 of the 44 µs of a record)
        try:
            data = loads_limited(text)
        except json.JSONDecodeError as exc:
            raise InvalidData(
                f"{self._where(key, path)}: not valid JSON "
                f"(line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
        except ValueError as exc:
            raise InvalidData(f"{self._where(key, path)}: invalid data: {exc}") from None
        if not isinstance(data, dict):
            raise InvalidData(f"{self._where(key, path)}: a record file must hold one JSON object")
        try:
            # (the model package's names: loaded by the first file read, then kept)
            record = model.parse_record(data)
        except model.ValidationError as exc:
            raise InvalidData(
                model.describe_validation_error(exc, self._where(key, path))
            ) from None
        except RecursionError:  # pragma: no cover - loads_limited bounds the depth
            raise InvalidData(f"{self._where(key, path)}: invalid data: nested too deep") from None
        if record.key != key:
            raise InvalidData(
                f"{self._where(key, path)}: the file's key is '{record.key}' but its name "
                f"says '{key}': rename the file or fix the key"
            )
        return record

    def _where(self, key: str, path: Path | None) -> str:
        """The file a message of :meth:`parse_text` names."""
        return str(path or self.path_for(key))

    def get(self, key: str) -> BaseRecord:
        """One record, reading only its own file."""
        return self.parse_text(key, self.read_text(key))

    def iter_records(
        self, keys: Iterable[str] | None = None
    ) -> Iterator[BaseRecord | RecordProblem]:
        """Each record in key order, or a :class:`RecordProblem` for a bad file
        (and, for all records, for each .json file that is no key's file)."""
        for key in self.keys() if keys is None else keys:
            try:
                yield self.get(key)
            except (InvalidData, NotFound) as exc:
                yield RecordProblem(key, self.path_for(key), str(exc))
        if keys is None:
            yield from self.stray_problems()

    def stray_problems(self) -> list[RecordProblem]:
        """A :class:`RecordProblem` for each .json file of the folder that is
        no key's file (as :meth:`keys` found them)."""
        return [
            RecordProblem(name[: -len(SUFFIX)], self.path / name, self.stray_reason(name))
            for name in self.strays
        ]

    def stray_reason(self, name: str) -> str:
        """Why the file ``name`` of the folder is not read as a record."""
        hint = ""
        try:
            raw = read_regular(self.path / name, self.path, max_record_bytes())[0]
            key = loads_limited(raw.decode("utf-8"))
            key = key.get("key") if isinstance(key, dict) else None
            if isinstance(key, str) and check_key(key):
                hint = f": its key '{key}' is kept in '{file_stem(key)}{SUFFIX}', rename it so"
        except (OSError, ValueError, CiteshelfError):
            pass
        return f"{self.path / name}: not the file name of a record key{hint}"

    def load_all(
        self, keys: Iterable[str] | None = None
    ) -> tuple[list[BaseRecord], list[RecordProblem]]:
        """The records (all, or those of ``keys``) and the problems of bad files."""
        records: list[BaseRecord] = []
        problems: list[RecordProblem] = []
        for item in self.iter_records(keys):
            if isinstance(item, RecordProblem):
                problems.append(item)
            else:
                records.append(item)
        return records, problems

    def chapter_keys(self, book_key: str) -> list[str]:
        """Keys of records whose parent is ``book_key``, in key order, read from
        the files (only files that mention the key are parsed)."""
        return self._files_naming(book_key, ("parent",), lambda d: d.get("parent") == book_key)

    def linked_keys(self, key: str) -> list[str]:
        """Keys of records whose parent is ``key`` or that name it in a
        relation (``related``), in key order, read from the files (only files
        that mention the key are parsed)."""

        def links(data: dict[str, Any]) -> bool:
            related = data.get("related")
            return data.get("parent") == key or (
                isinstance(related, list)
                and any(isinstance(r, dict) and r.get("key") == key for r in related)
            )

        return self._files_naming(key, ("parent", "related"), links)

    def tied_keys(self, key: str) -> list[str]:
        """Keys of the records whose tie order (``extra.tie_order``,
        :data:`citeshelf.model.order.TIE_ORDER`) names ``key``, in key order,
        read from the files (only files that mention the key are parsed)."""
        from ..model.order import TIE_ORDER

        def ties(data: dict[str, Any]) -> bool:
            extra = data.get("extra")
            keys = extra.get(TIE_ORDER) if isinstance(extra, dict) else None
            return isinstance(keys, list) and key in keys

        return self._files_naming(key, (TIE_ORDER,), ties)

    def _files_naming(
        self, key: str, names: tuple[str, ...], test: Callable[[dict[str, Any]], bool]
    ) -> list[str]:
        """Keys of the records whose file's JSON object passes ``test``, in
        key order; only the files whose text holds ``key`` as a JSON string and
        one of the member ``names`` are parsed."""
        needle = json.dumps(key, ensure_ascii=False)
        members = [f'"{name}"' for name in names]
        out = []
        for other in self.keys():
            try:
                text = self.read_text(other)
            except (OSError, CiteshelfError):
                continue
            if needle in text and any(m in text for m in members):
                try:
                    data = loads_limited(text)
                except ValueError:
                    continue
                if isinstance(data, dict) and test(data):
                    out.append(other)
        return out

    # -- writing ------------------------------------------------------------------

    def _write_temp(self, text: str, *, sync: bool = True, folder: Path | None = None) -> str:
        """Write ``text`` to a new hidden file of ``folder`` (the records
        folder by default) and return its path. The file is created
        exclusively (``O_EXCL``: never one that exists, whoever made it) with
        the usual permissions (``0o666`` less the umask), under a name of
        this process's id and a counter."""
        data = text.encode("utf-8")
        where = str(folder or self.path)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        while True:
            _TEMP_COUNT[0] += 1
            tmp = os.path.join(where, f"{TEMP_PREFIX}{os.getpid()}-{_TEMP_COUNT[0]}{TEMP_SUFFIX}")
            try:
                fd = os.open(tmp, flags, 0o666)
                break
            except FileExistsError:
                continue  # left by an earlier process of the same id
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                if sync:
                    os.fsync(fd)
            finally:
                os.close(fd)
        except BaseException:
            _unlink_quietly(tmp)
            raise
        return tmp

    def _fsync_dir(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:  # pragma: no cover - platforms without directory fds
            return
        try:
            os.fsync(fd)
        except OSError:  # pragma: no cover
            pass
        finally:
            os.close(fd)

    def create(self, record: BaseRecord) -> Path:
        """Save a new record; fail if its key (in any letter case) is taken."""
        self.check_exists()
        path = self.path_for(record.key)
        with self.locked():
            self._refuse_case_clash(record.key)
            if record.added is None:
                record = record.model_copy(update={"added": now_utc()})
            tmp = self._write_temp(dumps_record(record))
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise AlreadyExists(f"a record with key '{record.key}' already exists") from None
            finally:
                _unlink_quietly(tmp)
        if self._folded is not None:
            self._folded[record.key.casefold()] = record.key
        self._fsync_dir()
        return path

    # -- staged writing: many records, all or nothing, without holding them -----

    def stage(self, record: BaseRecord, *, data: dict[str, Any] | None = None) -> str:
        """Write a record's file into this object's staging folder and return
        its path.

        The file is not a record yet: call :meth:`commit_staged` with
        (path, key) pairs to make them all appear at once, or
        :meth:`discard_staged` to remove them. Records without an ``added``
        date get the time of the first ``stage`` call. Nothing is checked here
        but the key's form; ``commit_staged`` checks clashes. ``data``: the
        record's ``to_json_dict()``, if the caller has it (an import's reader
        does), which saves making it again.
        """
        self.path_for(record.key)
        if record.added is None:
            stamp = getattr(self, "_stage_stamp", None)
            if stamp is None:
                stamp = self._stage_stamp = now_utc()
            record = record.model_copy(update={"added": stamp})
            if data is not None:
                data = _with_added(data, record)
        if self._staging is None:
            self.check_exists()
            # under the lock, as leftovers are removed: no other process can
            # take the new folder for an abandoned one before it is held
            with self.locked():
                self._staging = _Staging(self.path)
        raw = dumps_record(record, data).encode("utf-8")
        writer = self._stage_writer
        if writer is not None and writer.error is not None:
            self.flush_staged()  # raises it
        if writer is None:
            writer = self._stage_writer = _StageWriter()
        # the folder is this process's own (made by mkdtemp, and held): the name is free
        _TEMP_COUNT[0] += 1
        tmp = os.path.join(
            self._staging.name, f"{TEMP_PREFIX}{os.getpid()}-{_TEMP_COUNT[0]}{TEMP_SUFFIX}"
        )
        writer.put(tmp, raw)
        self._staged_digests[tmp] = file_digest(raw)
        return tmp

    def flush_staged(self, *, check: bool = True, end: bool = False) -> None:
        """Wait until every file :meth:`stage` named is written; with ``end``,
        end the thread that writes them too (before a fork, or once staging
        is over). With ``check``, raise the error that stopped the writing (a
        full disk ...), if one did: the files staged after it are not written,
        and the staging is to be discarded."""
        writer = self._stage_writer
        if writer is None:
            return
        if end or writer.error is not None:
            self._stage_writer = None
            writer.close()
            self._unwritten |= writer.unwritten
        else:
            writer.wait()
        if check:
            writer.raise_error()

    def discard_staged(self, temps: Iterable[str]) -> None:
        """Remove staged files (never a record)."""
        self.flush_staged(check=False)  # (whether or not they were all written)
        unwritten = self._unwritten
        for tmp in temps:
            if tmp in unwritten:  # not written: a file of its name is another's
                unwritten.discard(tmp)
            else:
                _unlink_quietly(tmp)
            self._staged_digests.pop(tmp, None)
        self._close_staging()

    def _forget_staged(self, temps: list[str]) -> None:
        """Forget staged files a commit moved in (:meth:`discard_staged`
        without removing them: none is there any more)."""
        self.flush_staged(check=False)
        for tmp in temps:
            self._unwritten.discard(tmp)
            self._staged_digests.pop(tmp, None)
        self._close_staging()

    def _close_staging(self) -> None:
        """Remove the staging folder once nothing is staged in it any more."""
        staging = self._staging
        if staging is None:
            return
        self.flush_staged(check=False)
        if not any(os.scandir(staging.path)):
            self.flush_staged(check=False, end=True)
            self._staging = None
            staging.remove()

    def commit_staged(
        self,
        staged: list[tuple[str, str]],
        *,
        replace: Iterable[tuple[str, str]] = (),
        delete: Iterable[str] = (),
    ) -> list[Path]:
        """Make staged files records, all or nothing (through the journal).

        ``staged`` holds (staged path, key) pairs of new records (from
        :meth:`stage`), applied in that order; ``replace`` pairs replace
        existing records; ``delete`` keys are removed after. If a new key is
        taken (in any letter case) or given twice, or a record to replace or
        remove is missing, nothing is changed. The staged files are removed in
        every case.
        """
        replace = list(replace)
        delete = list(delete)
        new_paths: list[str] = []
        committed = False
        try:
            self.flush_staged(end=True)  # (the index may fork once the records are in)
            self.check_exists()
            with self.locked():
                seen: set[str] = set()
                gone = [k for _, k in replace] + delete
                targets = self._path_texts([k for _, k in staged] + gone)
                new_paths = targets[: len(staged)]
                for (_, key), path in zip(staged, new_paths):
                    folded = key.casefold()
                    if folded in seen:
                        raise AlreadyExists(f"two new records share the key '{key}'")
                    seen.add(folded)
                    if os.path.exists(path):
                        raise AlreadyExists(
                            f"a record with key '{key}' already exists; nothing was saved"
                        )
                    self._refuse_case_clash(key)
                del seen
                for key, path in zip(gone, targets[len(staged) :]):
                    if not os.path.isfile(path):
                        raise NotFound(f"no record '{key}' in {self.path}; nothing was saved")
                moves = [(self._relative(t), k) for t, k in [*staged, *replace]]
                _sync_all([t for t, _ in [*staged, *replace]])
                digests = self._staged_digests
                done = {k: digests[t] for t, k in [*staged, *replace] if t in digests}
                self._commit_journal(moves, delete)
                committed = True
                for key in delete:
                    self.written.pop(key, None)
                self.written.update(done)
        finally:
            temps = [t for t, _ in [*staged, *replace]]
            if committed:  # (moved in: nothing of them is left to remove)
                self._forget_staged(temps)
            elif not (self.path / JOURNAL).exists():  # else the journal needs them
                self.discard_staged(temps)
        if self._folded is not None:
            for _, key in staged:
                self._folded[key.casefold()] = key
            for key in delete:
                self._folded.pop(key.casefold(), None)
        return [Path(p) for p in new_paths]

    def _relative(self, staged: str) -> str:
        staging = self._staging
        if staging is not None and os.path.dirname(staged) == staging.name:
            rel = os.path.join(staging.rel, os.path.basename(staged))  # the common case
        else:
            rel = os.path.relpath(staged, self.path)
        if not rel.startswith(STAGING_PREFIX) or not os.path.isfile(staged):
            raise ValueError(f"not a file staged in {self.path}: {staged}")
        return rel

    def update(
        self, record: BaseRecord, *, touch: bool = True, expected: str | None = None
    ) -> Path:
        """Replace an existing record's file atomically; with ``expected``
        (``dumps_record`` of the record as it was read), refuse with
        ``Conflict`` if another process has changed it since."""
        path = self.path_for(record.key)
        with self.locked():
            if not path.is_file():
                raise self.missing(record.key)
            if expected is not None and dumps_record(self.get(record.key)) != expected:
                raise Conflict(
                    f"record '{record.key}' was changed by another process meanwhile; "
                    "nothing was saved: make the change again"
                )
            if touch:
                record = record.model_copy(update={"modified": now_utc()})
            self.write_text(record.key, dumps_record(record))
        return path

    def write_text(self, key: str, text: str) -> Path:
        """Atomically replace (or create) ``key``'s file with ``text``."""
        path = self.path_for(key)
        with self.locked():
            tmp = self._write_temp(text)
            try:
                os.replace(tmp, path)
            except BaseException:
                _unlink_quietly(tmp)
                raise
            self._fsync_dir()
        return path

    def delete(self, key: str) -> None:
        path = self.path_for(key)
        with self.locked():
            try:
                path.unlink()
            except FileNotFoundError:
                raise self.missing(key) from None
            self._fsync_dir()

    def delete_many(self, keys: Iterable[str]) -> list[str]:
        """Remove several records at once, all or nothing (through the journal)."""
        keys = list(dict.fromkeys(keys))
        self.commit_staged([], delete=keys)
        return keys


#: staged files waiting for the thread that writes them, at most (their bytes are held)
STAGE_QUEUE = 256


class _StageWriter:
    """A thread that writes the files :meth:`RecordStore.stage` names, so
    that creating them (work of the kernel's, which grows with the folder:
    about 75 µs a file at 100,000) overlaps making the next records.

    Each file is created exclusively (``O_EXCL``) with the usual permissions
    (``0o666`` less the umask). The first error stops the writing (a file
    it began is removed; one of that name it could not create is not its
    own, and stays); :meth:`raise_error` raises it. Never running when
    the process forks: the store ends it before it commits
    (:meth:`RecordStore.flush_staged`)."""

    def __init__(self) -> None:
        import queue
        import threading

        self._queue: queue.Queue[tuple[str, bytes] | None] = queue.Queue(STAGE_QUEUE)
        self.error: BaseException | None = None
        #: the paths put that this thread did not write (from the error on):
        #: none is a file of this process's
        self.unwritten: set[str] = set()
        self._thread = threading.Thread(target=self._run, name="citeshelf-stage", daemon=True)
        self._thread.start()

    def put(self, path: str, data: bytes) -> None:
        self._queue.put((path, data))

    def _run(self) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        queue = self._queue
        while True:
            item = queue.get()
            try:
                if item is None:
                    return
                path, data = item
                if self.error is not None:
                    self.unwritten.add(path)
                    continue
                try:
                    fd = os.open(path, flags, 0o666)
                except BaseException as exc:  # (raised by raise_error)
                    self.unwritten.add(path)  # (a file of that name is another's)
                    self.error = exc
                    continue
                try:
                    try:
                        view = memoryview(data)
                        while view:
                            view = view[os.write(fd, view) :]
                    finally:
                        os.close(fd)
                except BaseException as exc:
                    _unlink_quietly(path)
                    self.unwritten.add(path)
                    self.error = exc
            finally:
                queue.task_done()

    def wait(self) -> None:
        """Wait until the files put so far are written (or the writing stopped)."""
        self._queue.join()

    def close(self) -> None:
        """Wait for the files put so far, and end the thread."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def raise_error(self) -> None:
        if self.error is not None:
            raise self.error


class _Staging:
    """A hidden folder of staged files, held (shared ``flock``) while this
    process lives, so that another one can tell it is not abandoned."""

    def __init__(self, library: Path) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=library))
        self.name = str(self.path)  # as the staged files' paths start
        self.rel = self.path.name  # its path in the library folder
        self.fd = os.open(self.path, os.O_RDONLY)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no locks
            return
        fcntl.flock(self.fd, fcntl.LOCK_SH)

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        os.close(self.fd)

    def __del__(self) -> None:  # pragma: no cover - interpreter shutdown
        with contextlib.suppress(OSError, AttributeError):  # (no fd if opening failed)
            os.close(self.fd)


def _flock_wait(fd: int, timeout: float, where: Path) -> None:
    """An exclusive ``flock`` on ``fd``, waiting up to ``timeout`` seconds."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no locks
        return
    deadline = time.monotonic() + timeout
    pause = 0.005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LibraryBusy(
                    f"library busy: another citeshelf process has been writing {where} for "
                    f"over {timeout:g} s; try again (${ENV_LOCK_TIMEOUT} sets the wait)"
                ) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.1)


def _staging_abandoned(path: Path) -> bool:
    """True if no live process holds the staging folder ``path``."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def _sync_all(paths: list[str]) -> None:
    """Flush the given files to disk: one system-wide sync where there is one."""
    if not paths:
        return
    if hasattr(os, "sync"):
        os.sync()
        return
    for path in paths:  # pragma: no cover - platforms without os.sync
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


#: temporary files this process has named (see RecordStore._write_temp)
_TEMP_COUNT = [0]


def _file_name(key: str) -> str:
    """The name of ``key``'s record file (a UsageError for an invalid key)."""
    try:
        check_key(key)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return f"{file_stem(key)}{SUFFIX}"


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
