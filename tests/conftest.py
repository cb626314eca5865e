"""Shared fixtures: a CLI runner, temporary libraries, and file snapshots."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LIBRARY = ROOT / "records"


@pytest.fixture(autouse=True)
def index_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test's derived index goes to its own folder, not the user's cache."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("CITESHELF_INDEX_DIR", str(folder))
    monkeypatch.delenv("CITESHELF_INDEX_CHECK", raising=False)
    return folder


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def empty_lib(tmp_path: Path) -> Path:
    lib = tmp_path / "records"
    lib.mkdir()
    return lib


@pytest.fixture
def handbook_lib(tmp_path: Path) -> Path:
    """A copy of the default library (the handbook and its chapters)."""
    lib = tmp_path / "records"
    shutil.copytree(DEFAULT_LIBRARY, lib)
    return lib


@pytest.fixture
def cs(runner: CliRunner, monkeypatch: pytest.MonkeyPatch):
    """Run citeshelf: ``cs(lib, "show", "key")`` -> click Result (stdout and stderr apart)."""
    from citeshelf.cli.main import cli

    monkeypatch.delenv("CITESHELF_LIBRARY", raising=False)

    def run(lib: Path | None, *args: str, input: str | None = None, env: dict | None = None):
        argv = (["--library", str(lib)] if lib is not None else []) + list(args)
        return runner.invoke(cli, argv, input=input, env=env, catch_exceptions=False)

    return run


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes, to prove nothing changed."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }
