"""Team libraries on git: the three-way record merge, the merge driver,
`init --git`, `check`'s merge-conflict rule, `edit --take` and `sync`.

The git tests work in a temporary folder: a bare repository and two clones
("ann" and "bob"), no network; HOME and the GIT_AUTHOR_*/GIT_COMMITTER_*
variables are set so that no global configuration is needed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from citeshelf.cli.main import cli
from citeshelf.model.threeway import CONFLICT, merge_record_data, resolve


def _book(**fields):
    data = {"type": "book", "key": "smith2020book", "title": "Old title"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


# --------------------------------------------------------------------------
# the merge rule, on plain data


def test_different_fields_merge_cleanly():
    base = _book(publisher="Elgar")
    ours = _book(publisher="Edward Elgar")
    theirs = _book(title="New title", publisher="Elgar")
    merged = merge_record_data(base, ours, theirs)
    assert merged.clean
    assert merged.data == _book(title="New title", publisher="Edward Elgar")


def test_same_field_two_ways_is_a_conflict_kept_in_the_record():
    merged = merge_record_data(_book(), _book(title="A"), _book(title="B"), ("remote", "local"))
    assert merged.conflicts == ["title"]
    assert merged.data["title"] == "A"
    assert merged.data["extra"] == {
        CONFLICT: {"title": {"base": "Old title", "remote": "A", "local": "B"}}
    }


def test_same_change_on_both_sides_is_no_conflict():
    merged = merge_record_data(_book(), _book(title="A"), _book(title="A"))
    assert merged.clean and merged.data == _book(title="A")


def test_tags_merge_as_sets():
    base = _book(tags=["a", "b"])
    ours = _book(tags=["a", "b", "mine"])  # added one
    theirs = _book(tags=["b", "theirs"])  # removed a, added one
    merged = merge_record_data(base, ours, theirs)
    assert merged.clean
    assert merged.data["tags"] == ["b", "mine", "theirs"]


def test_authors_are_one_value():
    base = _book(authors=[{"family": "Smith"}])
    ours = _book(authors=[{"family": "Smith", "given": "Ann"}])
    theirs = _book(authors=[{"family": "Smith"}, {"family": "Jones"}])
    merged = merge_record_data(base, ours, theirs)
    assert merged.conflicts == ["authors"]


def test_extra_names_are_fields_and_times_take_earliest_and_latest():
    base = _book(extra={"a": "1", "b": "1"}, added="2020-01-01T00:00:00Z")
    ours = _book(extra={"a": "2", "b": "1"}, modified="2024-01-02T00:00:00Z", added=base["added"])
    theirs = _book(
        extra={"a": "1", "b": "3", "c": "new"}, modified="2024-03-01T00:00:00Z", added=base["added"]
    )
    merged = merge_record_data(base, ours, theirs)
    assert merged.clean
    assert merged.data["extra"] == {"a": "2", "b": "3", "c": "new"}
    assert merged.data["modified"] == "2024-03-01T00:00:00Z"
    both = merge_record_data(base, _book(extra={"a": "x"}), _book(extra={"a": "y"}))
    assert both.conflicts == ["extra.a"]


def test_both_added_the_same_key():
    merged = merge_record_data(None, _book(tags=["x"]), _book(tags=["y"]))
    assert merged.clean and merged.data["tags"] == ["x", "y"]
    clash = merge_record_data(None, _book(title="A"), _book(title="B"))
    assert clash.conflicts == ["title"]
    assert clash.data["extra"][CONFLICT]["title"]["base"] is None


def test_a_conflict_resolved_on_one_side_stays_resolved():
    conflicted = merge_record_data(_book(), _book(title="A"), _book(title="B")).data
    resolved, done = resolve(conflicted, [(None, "theirs")])
    assert done == ["title"] and resolved == _book(title="B")
    # one clone resolved it, the other only changed another field meanwhile
    other = dict(conflicted, publisher="Elgar")
    merged = merge_record_data(conflicted, resolved, other)
    assert merged.clean
    assert merged.data == _book(title="B", publisher="Elgar")


def test_resolve_refuses_an_unknown_label_or_field():
    conflicted = merge_record_data(_book(), _book(title="A"), _book(title="B")).data
    with pytest.raises(ValueError, match="no version 'nobody'"):
        resolve(conflicted, [(None, "nobody")])
    with pytest.raises(ValueError, match="not in conflict"):
        resolve(conflicted, [("publisher", "ours")])
    with pytest.raises(ValueError, match="no merge conflict"):
        resolve(_book(), [(None, "ours")])


# --------------------------------------------------------------------------
# the driver, on files


def _write(path: Path, data) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_driver_writes_the_store_format(tmp_path, runner):
    from citeshelf.library import dumps_record
    from citeshelf.model import parse_record

    o = _write(tmp_path / "o", _book(publisher="Elgar"))
    a = _write(tmp_path / "a", _book(publisher="Edward Elgar"))
    b = _write(tmp_path / "b", _book(title="New", publisher="Elgar"))
    got = runner.invoke(cli, ["merge-driver", str(o), str(a), str(b), "records/x.json"])
    assert got.exit_code == 0, got.output
    want = dumps_record(parse_record(_book(title="New", publisher="Edward Elgar")))
    assert a.read_text(encoding="utf-8") == want


def test_driver_falls_back_to_a_text_merge_for_files_that_are_not_records(tmp_path, runner):
    o = _write(tmp_path / "o", "line\n")
    a = _write(tmp_path / "a", "ours\n")
    b = _write(tmp_path / "b", "theirs\n")
    got = runner.invoke(cli, ["merge-driver", str(o), str(a), str(b)])
    assert got.exit_code == 1
    assert "merged as text" in got.stderr
    assert "<<<<<<< ours" in a.read_text(encoding="utf-8")


def test_the_driver_command_is_hidden(runner):
    assert "merge-driver" not in runner.invoke(cli, ["--help"]).stdout


# --------------------------------------------------------------------------
# git: a bare repository and two clones


@pytest.fixture
def team(tmp_path, monkeypatch):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "test@example.org")
    monkeypatch.delenv("CITESHELF_LIBRARY", raising=False)
    bare = tmp_path / "shared.git"
    _run(tmp_path, "git", "init", "-q", "--bare", "-b", "main", str(bare))
    return Team(tmp_path, bare)


def _run(cwd: Path, *args: str) -> str:
    return subprocess.run(args, cwd=cwd, check=True, capture_output=True, text=True).stdout


class Team:
    def __init__(self, root: Path, bare: Path) -> None:
        self.root = root
        self.bare = bare

    def clone(self, name: str) -> Path:
        _run(self.root, "git", "clone", "-q", str(self.bare), name)
        _run(self.root / name, "git", "checkout", "-q", "-B", "main")
        return self.root / name / "records"


def cs(runner, lib: Path, *args: str, code: int = 0):
    got = runner.invoke(cli, ["--library", str(lib), *args])
    assert got.exit_code == code, (got.output, got.exception)
    return got


def _records(lib: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(lib.glob("*.json"))}


@pytest.fixture
def two(team, runner):
    """Ann starts the library (one book) and shares it; Bob clones it."""
    ann = team.clone("ann")
    cs(runner, ann, "init", "--git")
    cs(
        runner,
        ann,
        "add",
        "book",
        "--key",
        "smith2020book",
        "--title",
        "Old title",
        "--editor",
        "Smith, Ann",
        "--year",
        "2020",
        "--publisher",
        "Elgar",
    )
    first = cs(runner, ann, "sync", "-m", "Start the library")
    assert "committed" in first.stdout and "pushed 1 commit" in first.stdout
    bob = team.clone("bob")
    cs(runner, bob, "init", "--git")
    return ann, bob


def test_init_git_is_idempotent_and_registers_the_driver(team, runner):
    lib = team.clone("ann")
    first = cs(runner, lib, "init", "--git").stdout
    assert "Registered the record merge driver" in first
    assert (lib / ".gitattributes").read_text() == "*.json merge=citeshelf\n"
    before = (lib / ".gitignore").read_text()
    again = cs(runner, lib, "init", "--git").stdout
    assert "set up for git already" in again
    assert (lib / ".gitignore").read_text() == before
    config = _run(lib.parent, "git", "config", "--get", "merge.citeshelf.driver")
    assert "merge-driver %O %A %B %P" in config
    # nothing was committed
    assert _run(lib.parent, "git", "log", "--oneline", "--all") == ""


def test_init_git_on_an_existing_library_outside_git(tmp_path, runner, monkeypatch, team):
    lib = tmp_path / "solo"
    cs(runner, lib, "init")
    cs(runner, lib, "add", "book", "--key", "a2020", "--title", "A")
    out = cs(runner, lib, "init", "--git").stdout
    assert "a git repository" in out and (lib / ".git").is_dir()
    assert "already holds records" in cs(runner, lib, "init", code=5).stderr


def test_a_fresh_clone_must_be_set_up_first(two, team, runner):
    ann, _ = two
    carol = team.clone("carol")
    got = cs(runner, carol, "sync", code=2)
    assert "run 'citeshelf init --git' once" in got.stderr


def test_sync_refuses_uncommitted_changes_without_commit(two, runner):
    ann, _ = two
    cs(runner, ann, "edit", "smith2020book", "--set", "place=Cheltenham")
    got = cs(runner, ann, "sync", code=5)
    assert "1 uncommitted change" in got.stderr and "--commit" in got.stderr
    assert "committed" in cs(runner, ann, "sync", "--commit").stdout


def test_different_fields_merge_and_both_ends_agree(two, runner):
    ann, bob = two
    cs(runner, ann, "edit", "smith2020book", "--set", "title=A better title")
    cs(runner, bob, "edit", "smith2020book", "--set", "place=Cheltenham")
    cs(runner, bob, "add", "book", "--key", "jones2021other", "--title", "Other")
    assert "pushed 1 commit" in cs(runner, ann, "sync", "--commit").stdout
    line = cs(runner, bob, "sync", "-m", "Place and a new book").stdout.strip()
    assert line.startswith("0 added, 1 changed, 0 removed, 0 in conflict")
    assert line.endswith("pushed 1 commit")
    back = cs(runner, ann, "sync").stdout.strip()
    assert back == "1 added, 1 changed, 0 removed, 0 in conflict"
    assert _records(ann) == _records(bob)
    record = json.loads((ann / "smith2020book.json").read_text())
    assert record["title"] == "A better title" and record["place"] == "Cheltenham"
    assert "extra" not in record
    assert cs(runner, ann, "check", "--json").exit_code == 0
    # the index saw the pulled record
    assert "jones2021other" in cs(runner, ann, "list", "title:other").stdout


def test_same_field_is_a_conflict_that_check_reports_and_edit_resolves(two, runner):
    ann, bob = two
    cs(runner, ann, "edit", "smith2020book", "--set", "publisher=Edward Elgar")
    cs(runner, bob, "edit", "smith2020book", "--set", "publisher=Elgar Publishing")
    cs(runner, ann, "sync", "--commit")
    got = cs(runner, bob, "sync", "--commit")
    assert "1 in conflict" in got.stdout
    assert "in conflict: smith2020book" in got.stderr
    cs(runner, ann, "sync")
    assert _records(ann) == _records(bob)  # the same conflict on both ends
    for lib in (ann, bob):
        data = json.loads((lib / "smith2020book.json").read_text())  # still valid JSON
        assert data["publisher"] == "Edward Elgar"  # the remote side's value meanwhile
        assert data["extra"][CONFLICT]["publisher"] == {
            "base": "Elgar",
            "remote": "Edward Elgar",
            "local": "Elgar Publishing",
        }
    for fmt in ("bibtex", "biblatex", "ris"):
        exported = cs(runner, ann, "export", "smith2020book", "--format", fmt).stdout
        assert "Edward Elgar" in exported and "merge_conflict" not in exported
        assert "Elgar Publishing" not in exported
    # CSL-JSON cites the value kept; its lossless custom block carries the record's extra
    item = json.loads(cs(runner, ann, "export", "smith2020book", "--format", "csl-json").stdout)
    assert item[0]["publisher"] == "Edward Elgar"
    checked = cs(runner, ann, "check", "--json", code=4)
    problems = [p for p in json.loads(checked.stdout)["problems"] if p["code"] == "merge-conflict"]
    assert problems == [
        {
            "key": "smith2020book",
            "code": "merge-conflict",
            "severity": "error",
            "problem": "'smith2020book' has a merge conflict (publisher: remote \"Edward Elgar\", "
            'local "Elgar Publishing"): keep one version with \'citeshelf edit smith2020book '
            "--take remote or --take local' (or --set FIELD=VALUE)",
        }
    ]
    # the other clone resolves it; a sync brings the resolution to both
    cs(runner, ann, "edit", "smith2020book", "--take", "publisher=local")
    assert "1 in conflict" not in cs(runner, ann, "sync", "--commit").stdout
    assert "0 in conflict" in cs(runner, bob, "sync").stdout
    assert _records(ann) == _records(bob)
    data = json.loads((bob / "smith2020book.json").read_text())
    assert data["publisher"] == "Elgar Publishing" and "extra" not in data
    assert not [
        p
        for p in json.loads(cs(runner, bob, "check", "--json").stdout)["problems"]
        if p["code"] == "merge-conflict"
    ]


def test_set_resolves_a_conflicted_field(two, runner):
    ann, bob = two
    cs(runner, ann, "edit", "smith2020book", "--set", "title=A")
    cs(runner, bob, "edit", "smith2020book", "--set", "title=B")
    cs(runner, ann, "sync", "--commit")
    cs(runner, bob, "sync", "--commit")
    cs(runner, bob, "edit", "smith2020book", "--set", "title=C")
    data = json.loads((bob / "smith2020book.json").read_text())
    assert data["title"] == "C" and "extra" not in data
    got = cs(runner, bob, "edit", "smith2020book", "--take", "nobody", code=2)
    assert "no merge conflict" in got.stderr


def test_a_removal_here_and_an_edit_there_keeps_the_edit(two, runner):
    ann, bob = two
    cs(runner, ann, "edit", "smith2020book", "--set", "place=Cheltenham")
    cs(runner, ann, "sync", "--commit")
    cs(runner, bob, "rm", "smith2020book", "--yes")
    got = cs(runner, bob, "sync", "-m", "Remove the book")
    assert "smith2020book" in got.stderr
    cs(runner, ann, "sync")
    assert _records(ann) == _records(bob)
    assert json.loads((bob / "smith2020book.json").read_text())["place"] == "Cheltenham"


def test_a_plain_git_merge_uses_the_driver_with_gits_labels(two, runner):
    ann, bob = two
    cs(runner, ann, "edit", "smith2020book", "--set", "title=A", "--set", "tags=x")
    cs(runner, ann, "sync", "--commit")
    cs(runner, bob, "edit", "smith2020book", "--set", "title=B", "--set", "tags=y")
    _run(bob.parent, "git", "commit", "-qam", "Bob's title")
    _run(bob.parent, "git", "pull", "-q", "--no-rebase", "--no-edit")
    data = json.loads((bob / "smith2020book.json").read_text())
    assert data["tags"] == ["y", "x"]
    assert data["extra"][CONFLICT]["title"] == {"base": "Old title", "ours": "B", "theirs": "A"}
    assert _run(bob.parent, "git", "status", "--porcelain") == ""  # merged and committed


def test_an_edit_wins_over_a_removal(two, runner):
    ann, bob = two
    cs(runner, ann, "rm", "smith2020book", "--yes")
    cs(runner, ann, "sync", "-m", "Remove the book")
    cs(runner, bob, "edit", "smith2020book", "--set", "place=Cheltenham")
    got = cs(runner, bob, "sync", "--commit")
    assert "edited on one side and removed on the other (the edit wins): smith2020book" in (
        got.stderr
    )
    cs(runner, ann, "sync")
    assert _records(ann) == _records(bob)
    assert json.loads((ann / "smith2020book.json").read_text())["place"] == "Cheltenham"
