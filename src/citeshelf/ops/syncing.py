"""Team libraries on git: the merge driver, its set-up, and ``sync``.

Public API::

    setup_git(path) -> GitSetup
        Make the library folder ``path`` merge record files field by field:
        ``git init`` it if it is in no repository, write ``.gitattributes``
        (``*.json merge=citeshelf``) and ``.gitignore`` (the store's temporary
        names) into it, and register the driver in the repository's
        ``.git/config`` (git never reads drivers from the repository itself, so
        every clone runs this once). Running it again changes nothing.
    merge_files(base, ours, theirs, labels) -> MergedFile
        The merge driver: three record files (git's %O %A %B) merged by
        :func:`citeshelf.model.threeway.merge_record_data`, written over
        ``ours`` in the store's format. Files that are not records fall back
        to ``git merge-file`` (conflict markers, exit status non-zero).
    sync_library(library, *, message=None, push=True) -> Synced
        Under the library's lock: commit the library's changes if ``message``
        is given (else refuse while it has uncommitted changes), pull with
        rebase, keep a record's edit that the other side removed, push; then
        refresh the index. ``Synced`` says what the pull brought (records
        added, changed, removed) and which records hold a merge conflict.

Everything goes through the ``git`` command users have (subprocess); nothing
here commits or pushes unless ``sync_library`` is called.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "ATTRIBUTE",
    "DRIVER",
    "ENV_LABELS",
    "GitSetup",
    "MergedFile",
    "Synced",
    "driver_command",
    "merge_files",
    "setup_git",
    "sync_library",
]

#: the merge driver's name in .gitattributes and .git/config
DRIVER = "citeshelf"
ATTRIBUTE = f"*.json merge={DRIVER}"
#: the store's hidden names that must never be committed (see library.store)
IGNORED = (".tmp-*.json.part", ".staging-*/", ".journal", ".journal.part")
#: "LABEL_A,LABEL_B": the names the driver gives git's %A and %B in a conflict
ENV_LABELS = "CITESHELF_MERGE_LABELS"
DEFAULT_LABELS = ("ours", "theirs")
#: during sync's `git pull --rebase`, %A is the upstream side and %B the local commit
SYNC_LABELS = ("remote", "local")
_EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def driver_command() -> str:
    """The driver line for .git/config: this Python running citeshelf, so it
    works whether or not ``citeshelf`` is on git's PATH."""
    return f"{shlex.quote(sys.executable)} -m citeshelf merge-driver %O %A %B %P"


# --------------------------------------------------------------------------
# git


def _git(
    cwd: Path, *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    from ..errors import CiteshelfError

    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env={**os.environ, **(env or {})},
            check=False,
        )
    except FileNotFoundError:
        raise CiteshelfError("git is not installed (or not on PATH)") from None
    if check and done.returncode != 0:
        raise CiteshelfError(f"git {args[0]} failed: {_last_line(done)}")
    return done


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [ln.strip() for ln in (done.stderr or done.stdout).splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.lower().startswith(("error", "fatal"))]
    return (errors or lines or [f"exit status {done.returncode}"])[-1]


def _toplevel(path: Path) -> Path | None:
    done = _git(path, "rev-parse", "--show-toplevel", check=False)
    return Path(done.stdout.strip()) if done.returncode == 0 else None


# --------------------------------------------------------------------------
# set-up


@dataclass
class GitSetup:
    repository: Path
    created_repository: bool
    #: files written or extended (.gitattributes, .gitignore)
    wrote: list[str] = field(default_factory=list)
    #: False if .git/config already had this driver
    registered: bool = False

    @property
    def changed(self) -> bool:
        return self.created_repository or bool(self.wrote) or self.registered

    def to_json(self) -> dict[str, Any]:
        return {
            "repository": str(self.repository),
            "created_repository": self.created_repository,
            "wrote": self.wrote,
            "registered": self.registered,
        }


def setup_git(path: Path) -> GitSetup:
    """See the module docstring; ``path`` is an existing library folder."""
    top = _toplevel(path)
    created = top is None
    if top is None:
        _git(path, "init", "-q")
        top = _toplevel(path) or path
    wrote = []
    for name, lines in ((".gitattributes", [ATTRIBUTE]), (".gitignore", list(IGNORED))):
        if _add_lines(path / name, lines):
            wrote.append(name)
    command = driver_command()
    current = _git(top, "config", "--local", "--get", f"merge.{DRIVER}.driver", check=False)
    registered = current.stdout.strip() != command
    if registered:
        _git(top, "config", "--local", f"merge.{DRIVER}.name", "citeshelf record merge")
        _git(top, "config", "--local", f"merge.{DRIVER}.driver", command)
    return GitSetup(top, created, wrote, registered)


def _add_lines(path: Path, lines: list[str]) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    have = {ln.strip() for ln in text.splitlines()}
    missing = [ln for ln in lines if ln not in have]
    if not missing:
        return False
    if text and not text.endswith("\n"):
        text += "\n"
    path.write_text(text + "".join(ln + "\n" for ln in missing), encoding="utf-8")
    return True


def _driver_ready(top: Path, rel: str) -> bool:
    probe = f"{rel}/probe.json" if rel != "." else "probe.json"
    attr = _git(top, "check-attr", "merge", "--", probe, check=False).stdout
    driver = _git(top, "config", "--get", f"merge.{DRIVER}.driver", check=False).stdout
    return attr.strip().endswith(f": {DRIVER}") and bool(driver.strip())


# --------------------------------------------------------------------------
# the merge driver


@dataclass
class MergedFile:
    #: the driver's exit status for git: 0 merged (conflicts recorded in the
    #: file), non-zero a text merge with conflict markers
    status: int
    conflicts: list[str] = field(default_factory=list)
    #: why the record merge was not possible, when it fell back to text
    fallback: str | None = None


def labels_from_env() -> tuple[str, str]:
    raw = os.environ.get(ENV_LABELS, "")
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) == 2 and all(parts) and parts[0] != parts[1] and "base" not in parts:
        return parts[0], parts[1]
    return DEFAULT_LABELS


def merge_files(
    base: Path, ours: Path, theirs: Path, labels: tuple[str, str] | None = None
) -> MergedFile:
    """Merge three versions of a record file into ``ours`` (git's %A)."""
    from ..library import dumps_record
    from ..model import parse_record
    from ..model.threeway import merge_record_data

    labels = labels or labels_from_env()
    try:
        datas = [_read_data(p, allow_empty=(p is base)) for p in (base, ours, theirs)]
        merged = merge_record_data(datas[0], datas[1] or {}, datas[2] or {}, labels)
        text = dumps_record(parse_record(merged.data))
    except ValueError as exc:  # not JSON, not a record, or the merge does not validate
        status = _text_merge(base, ours, theirs, labels)
        return MergedFile(status, fallback=str(exc).splitlines()[0])
    tmp = ours.with_name(ours.name + ".citeshelf-merge")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, ours)
    return MergedFile(0, merged.conflicts)


def _read_data(path: Path, *, allow_empty: bool) -> dict[str, Any] | None:
    from ..library.safeio import loads_limited, max_record_bytes

    raw = path.read_bytes()
    if len(raw) > max_record_bytes():
        raise ValueError(f"{path.name}: larger than a record file may be")
    text = raw.decode("utf-8")
    if allow_empty and not text.strip():
        return None  # both sides added the record: no common ancestor
    data = loads_limited(text)
    if not isinstance(data, dict) or not data.get("key") or not data.get("type"):
        raise ValueError(f"{path.name}: not a record")
    return data


def _text_merge(base: Path, ours: Path, theirs: Path, labels: tuple[str, str]) -> int:
    done = _git(
        ours.parent,
        "merge-file",
        "-L",
        labels[0],
        "-L",
        "base",
        "-L",
        labels[1],
        str(ours),
        str(base),
        str(theirs),
        check=False,
    )
    return 0 if done.returncode == 0 else 1


# --------------------------------------------------------------------------
# sync


@dataclass
class Synced:
    library: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: keys of records holding an unresolved merge conflict after the sync
    conflicts: list[str] = field(default_factory=list)
    #: records edited here and removed there: the edit is kept
    kept: list[str] = field(default_factory=list)
    committed: bool = False
    pushed: int = 0

    def summary(self) -> str:
        text = (
            f"{len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.removed)} removed, {len(self.conflicts)} in conflict"
        )
        if self.committed:
            text += "; committed the library's changes"
        if self.pushed:
            text += f"; pushed {self.pushed} commit{'s' if self.pushed != 1 else ''}"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "library": self.library,
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "conflicts": self.conflicts,
            "kept": self.kept,
            "committed": self.committed,
            "pushed": self.pushed,
        }


@dataclass
class _Repo:
    top: Path
    rel: str  # the library folder, relative to top ("." if the same)

    def git(self, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
        return _git(self.top, *args, **kw)

    def record_key(self, path: str) -> str | None:
        folder, _, name = path.rpartition("/")
        from ..library.scan import name_key, record_name

        if (folder or ".") != self.rel or not record_name(name):
            return None
        return name_key(name)

    def head(self) -> str | None:
        done = self.git("rev-parse", "-q", "--verify", "HEAD", check=False)
        return done.stdout.strip() or None


def _open_repo(library: Any) -> _Repo:
    from ..errors import UsageError

    path = Path(library.path).resolve()
    top = _toplevel(path)
    if top is None:
        raise UsageError(
            f"{library.path} is not in a git repository: set one up with 'citeshelf init --git'"
        )
    rel = os.path.relpath(path, top.resolve()).replace(os.sep, "/")
    if not _driver_ready(top, rel):
        raise UsageError(
            "this clone does not merge records field by field yet: run 'citeshelf init --git' "
            "once in it (git keeps merge drivers in .git/config, which a clone does not copy)"
        )
    return _Repo(top, rel)


def sync_library(library: Any, *, message: str | None = None, push: bool = True) -> Synced:
    """See the module docstring."""
    from ..errors import Conflict, UsageError

    library.check_exists()
    repo = _open_repo(library)
    result = Synced(str(library.path))
    with library.locked():
        branch = repo.git("symbolic-ref", "--short", "-q", "HEAD", check=False).stdout.strip()
        if not branch:
            raise UsageError("the repository is not on a branch (detached HEAD): check one out")
        dirty = repo.git(
            "status", "--porcelain", "-z", "--untracked-files=all", "--", repo.rel
        ).stdout
        if dirty:
            count = len([e for e in dirty.split("\0") if e[:2].strip()])
            if message is None:
                raise Conflict(
                    f"the library has {count} uncommitted change{'s' if count != 1 else ''}: "
                    "commit them with 'citeshelf sync --commit' (or -m MESSAGE), or with git"
                )
            repo.git("add", "-A", "--", repo.rel)
            repo.git("commit", "-q", "-m", message, "--", repo.rel)
            result.committed = True
        old = repo.head() or _EMPTY_TREE
        remote, upstream = _upstream(repo, branch)
        for attempt in range(3):
            if upstream or _remote_has(repo, remote, branch):
                _pull(repo, remote, branch, upstream, result)
            if not push:
                break
            ahead = _ahead(repo, remote, branch)
            if not ahead:
                break
            args = ["push", "-q"] if upstream else ["push", "-q", "-u", remote, branch]
            done = repo.git(*args, check=False)
            if done.returncode == 0:
                result.pushed = ahead
                break
            if attempt == 2:
                raise Conflict(f"git push failed: {_last_line(done)}")
            upstream = upstream or f"{remote}/{branch}"
        new = repo.head()
        if new:
            _count_changes(repo, old, new, result)
            result.conflicts = _conflicted(repo, library)
    _refresh_index(library)
    return result


def _upstream(repo: _Repo, branch: str) -> tuple[str, str | None]:
    from ..errors import UsageError

    done = repo.git("rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}", check=False)
    if done.returncode == 0 and done.stdout.strip():
        upstream = done.stdout.strip()
        remote = repo.git("config", "--get", f"branch.{branch}.remote", check=False).stdout
        return remote.strip() or upstream.split("/")[0], upstream
    remotes = repo.git("remote").stdout.split()
    if not remotes:
        raise UsageError("the repository has no remote to sync with: add one with 'git remote add'")
    if len(remotes) > 1 and "origin" not in remotes:
        raise UsageError(
            f"branch '{branch}' has no upstream and there are several remotes: set one with "
            f"'git branch --set-upstream-to REMOTE/{branch}'"
        )
    return ("origin" if "origin" in remotes else remotes[0]), None


def _remote_has(repo: _Repo, remote: str, branch: str) -> bool:
    done = repo.git("ls-remote", "--heads", remote, f"refs/heads/{branch}")
    return bool(done.stdout.strip())


def _ahead(repo: _Repo, remote: str, branch: str) -> int:
    if repo.head() is None:
        return 0
    base = f"{remote}/{branch}"
    known = repo.git("rev-parse", "-q", "--verify", f"refs/remotes/{base}", check=False)
    spec = f"{base}..HEAD" if known.returncode == 0 else "HEAD"
    return int(repo.git("rev-list", "--count", spec).stdout.strip() or 0)


def _pull(repo: _Repo, remote: str, branch: str, upstream: str | None, result: Synced) -> None:
    env = {ENV_LABELS: ",".join(SYNC_LABELS), "GIT_EDITOR": "true"}
    args = ["pull", "-q", "--rebase", "--autostash"]
    if not upstream:
        args += [remote, branch]
    done = repo.git(*args, check=False, env=env)
    while _rebasing(repo):
        _settle_rebase(repo, result)
        done = repo.git("rebase", "--continue", check=False, env=env)
    if done.returncode != 0:  # e.g. the network, authentication, a file in the way
        from ..errors import CiteshelfError

        raise CiteshelfError(f"git pull failed: {_last_line(done)}")


def _rebasing(repo: _Repo) -> bool:
    for name in ("rebase-merge", "rebase-apply"):
        where = repo.git("rev-parse", "--git-path", name).stdout.strip()
        if (repo.top / where).exists():
            return True
    return False


def _settle_rebase(repo: _Repo, result: Synced) -> None:
    """A rebase stopped: keep a record edited on one side and removed on the
    other (the edit wins, nothing is lost); anything else is given back."""
    import json

    from ..errors import Conflict

    listed = repo.git("diff", "--name-only", "--diff-filter=U", "-z").stdout
    unmerged = [p for p in listed.split("\0") if p]
    problems = []
    for path in unmerged:
        key = repo.record_key(path)
        file = repo.top / path
        if key is None:
            problems.append(path)
            continue
        if not file.exists():
            repo.git("rm", "-q", "--", path)
            continue
        try:
            json.loads(file.read_text(encoding="utf-8"))
        except ValueError:
            problems.append(path)
            continue
        repo.git("add", "--", path)
        result.kept.append(key)
    if problems or not unmerged:
        repo.git("rebase", "--abort", check=False)
        shown = ", ".join(problems) or "(git did not say which files)"
        raise Conflict(
            f"git could not merge {shown}: the pull was undone, your commits are as they "
            "were; merge by hand with 'git pull --rebase'"
        )


def _count_changes(repo: _Repo, old: str, new: str, result: Synced) -> None:
    out = repo.git("diff", "--name-status", "--no-renames", "-z", old, new, "--", repo.rel).stdout
    parts = [p for p in out.split("\0") if p]
    lists = {"A": result.added, "M": result.changed, "D": result.removed}
    for status, path in zip(parts[::2], parts[1::2]):
        key = repo.record_key(path)
        if key is not None:
            lists.get(status[0], result.changed).append(key)


def _conflicted(repo: _Repo, library: Any) -> list[str]:
    """Keys of records whose file holds a merge conflict (git grep finds the
    candidates, each is then read)."""
    from ..errors import CiteshelfError
    from ..model.threeway import CONFLICT, conflicts_of

    done = repo.git("grep", "-l", "-z", "-F", f'"{CONFLICT}"', "--", repo.rel, check=False)
    out = []
    for path in (p for p in done.stdout.split("\0") if p):
        key = repo.record_key(path)
        if key is None:
            continue
        try:
            record = library.get(key)
        except CiteshelfError:
            continue
        if conflicts_of(record.to_json_dict()):
            out.append(key)
    return sorted(out)


def _refresh_index(library: Any) -> None:
    from ..library.index import open_index

    index = open_index(library.path)
    if index is not None:
        index.close()
