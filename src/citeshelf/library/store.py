"""The records/ store: one JSON file per record, written atomically.

* ``records/<key>.json`` holds one record, serialised deterministically (field
  order of the model, empty fields left out, UTF-8 unescaped, 2-space indent,
  trailing newline) so that git diffs show only what changed.
* Creating a record never overwrites another: the file is written in full under
  a temporary name, then hard-linked to its final name, which fails if that
  name exists (exclusive create). Updates write a temporary file, fsync it and
  rename it over the old one. A crash at any moment leaves every record whole.
* A key is never used as a path without :func:`check_key`.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import ValidationError

from ..errors import AlreadyExists, InvalidData, NotFound, UsageError
from ..model import BaseRecord, check_key, describe_validation_error, now_utc, parse_record

__all__ = ["RecordProblem", "RecordStore", "dumps_record"]

SUFFIX = ".json"


def dumps_record(record: BaseRecord) -> str:
    """The exact text of a record file."""
    return json.dumps(record.to_json_dict(), ensure_ascii=False, indent=2) + "\n"


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

    def __repr__(self) -> str:  # pragma: no cover
        return f"{type(self).__name__}({str(self.path)!r})"

    # -- paths and keys -------------------------------------------------------

    def path_for(self, key: str) -> Path:
        try:
            check_key(key)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        return self.path / f"{key}{SUFFIX}"

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
        """All record keys, sorted, without reading any file."""
        self.check_exists()
        out = []
        with os.scandir(self.path) as it:
            for entry in it:
                name = entry.name
                if name.endswith(SUFFIX) and not name.startswith("."):
                    out.append(name[: -len(SUFFIX)])
        out.sort()
        return out

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
            if (self.path / f"{other}{SUFFIX}").exists():
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
            return path.read_text(encoding="utf-8")
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
        where = str(path or self.path_for(key))
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidData(
                f"{where}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
        if not isinstance(data, dict):
            raise InvalidData(f"{where}: a record file must hold one JSON object")
        try:
            record = parse_record(data)
        except ValidationError as exc:
            raise InvalidData(describe_validation_error(exc, where)) from None
        if record.key != key:
            raise InvalidData(
                f"{where}: the file's key is '{record.key}' but its name says '{key}': "
                f"rename the file or fix the key"
            )
        return record

    def get(self, key: str) -> BaseRecord:
        """One record, reading only its own file."""
        return self.parse_text(key, self.read_text(key))

    def iter_records(
        self, keys: Iterable[str] | None = None
    ) -> Iterator[BaseRecord | RecordProblem]:
        """Each record in key order, or a :class:`RecordProblem` for a bad file."""
        for key in self.keys() if keys is None else keys:
            try:
                yield self.get(key)
            except (InvalidData, NotFound) as exc:
                yield RecordProblem(key, self.path_for(key), str(exc))

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
        needle = json.dumps(book_key)
        out = []
        for key in self.keys():
            try:
                text = self.path_for(key).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if needle in text and '"parent"' in text:
                try:
                    data = json.loads(text)
                except json.JSONDecodeError:
                    continue
                if isinstance(data, dict) and data.get("parent") == book_key:
                    out.append(key)
        return out

    # -- writing ------------------------------------------------------------------

    def _write_temp(self, text: str, *, sync: bool = True) -> str:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json.part", dir=self.path)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o666 & ~_umask())
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
                fh.flush()
                if sync:
                    os.fsync(fh.fileno())
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

    # -- staged writing: many new records, all or nothing, without holding them --

    def stage(self, record: BaseRecord) -> str:
        """Write a new record's file under a temporary name and return that name.

        The file is not a record yet (temporary names are not listed): call
        :meth:`commit_staged` with (name, key) pairs to make them all appear at
        once, or :meth:`discard_staged` to remove them. Records without an
        ``added`` date get the time of the first ``stage`` call. Nothing is
        checked here but the key's form; ``commit_staged`` checks clashes.
        """
        self.path_for(record.key)
        if record.added is None:
            stamp = getattr(self, "_stage_stamp", None)
            if stamp is None:
                stamp = self._stage_stamp = now_utc()
            record = record.model_copy(update={"added": stamp})
        return self._write_temp(dumps_record(record), sync=False)

    def discard_staged(self, temps: Iterable[str]) -> None:
        """Remove staged files (never a record)."""
        for tmp in temps:
            _unlink_quietly(tmp)

    def commit_staged(self, staged: list[tuple[str, str]]) -> list[Path]:
        """Make staged files records, all or nothing.

        ``staged`` holds (temporary name, key) pairs from :meth:`stage`, linked
        in that order. Every file is flushed to disk (one ``sync``) before any
        appears under its name; each then appears by exclusive hard link. If a
        key is taken (in any letter case) or given twice, nothing is saved:
        links made by this call are undone. The staged files are removed in
        every case.
        """
        linked: list[Path] = []
        try:
            self.check_exists()
            seen: set[str] = set()
            for _, key in staged:
                self.path_for(key)
                folded = key.casefold()
                if folded in seen:
                    raise AlreadyExists(f"two new records share the key '{key}'")
                seen.add(folded)
                self._refuse_case_clash(key)
            del seen
            _sync_all([t for t, _ in staged])
            for tmp, key in staged:
                path = self.path_for(key)
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    raise AlreadyExists(
                        f"a record with key '{key}' already exists; nothing was saved"
                    ) from None
                linked.append(path)
        except BaseException:
            for path in linked:
                _unlink_quietly(str(path))
            raise
        finally:
            for tmp, _ in staged:
                _unlink_quietly(tmp)
        if self._folded is not None:
            for _, key in staged:
                self._folded[key.casefold()] = key
        self._fsync_dir()
        return linked

    def update(self, record: BaseRecord, *, touch: bool = True) -> Path:
        """Replace an existing record's file atomically."""
        path = self.path_for(record.key)
        if not path.is_file():
            raise self.missing(record.key)
        if touch:
            record = record.model_copy(update={"modified": now_utc()})
        self.write_text(record.key, dumps_record(record))
        return path

    def write_text(self, key: str, text: str) -> Path:
        """Atomically replace (or create) ``key``'s file with ``text``."""
        path = self.path_for(key)
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
        try:
            path.unlink()
        except FileNotFoundError:
            raise self.missing(key) from None
        self._fsync_dir()


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


_UMASK: list[int] = []


def _umask() -> int:
    """The process umask (read once), so record files get the usual permissions."""
    if not _UMASK:
        mask = os.umask(0o022)
        os.umask(mask)
        _UMASK.append(mask)
    return _UMASK[0]


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
