"""Shared fixtures: a CLI runner, temporary libraries, and file snapshots."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LIBRARY = ROOT / "records"

# Test tools that pip does not install: citeproc-js (npm) and the CSL styles and locale
# the goldens were made with. tests/golden/setup_tools.sh puts them in .tools/ at the top
# of the clone; CITESHELF_TOOLS_DIR moves that folder, and CITEPROC_NODE_MODULES,
# CSL_STYLES_DIR and CSL_LOCALES_DIR each part of it.
SETUP_TOOLS = "bash tests/golden/setup_tools.sh"
TOOLS_DIR = Path(os.environ.get("CITESHELF_TOOLS_DIR") or ROOT / ".tools")
NODE_MODULES = Path(os.environ.get("CITEPROC_NODE_MODULES") or TOOLS_DIR / "node" / "node_modules")
CSL_STYLES_DIR = Path(os.environ.get("CSL_STYLES_DIR") or TOOLS_DIR / "csl" / "styles")
CSL_LOCALES_DIR = Path(os.environ.get("CSL_LOCALES_DIR") or TOOLS_DIR / "csl" / "locales")


def need_citeproc_js() -> tuple[str, Path]:
    """``node`` and the node_modules folder that holds citeproc-js, or skip saying why."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: citeproc-js cannot run")
    if not (NODE_MODULES / "citeproc" / "package.json").is_file():
        pytest.skip(f"npm package citeproc is not in {NODE_MODULES} (run {SETUP_TOOLS})")
    return node, NODE_MODULES


def need_csl_style(name: str) -> Path:
    """The official CSL style ``name`` (e.g. "apa") from the test tools, or skip saying why."""
    path = CSL_STYLES_DIR / f"{name}.csl"
    if not path.is_file():
        pytest.skip(f"no {path.name} in {CSL_STYLES_DIR} (run {SETUP_TOOLS})")
    return path


def need_csl_locale(lang: str = "en-US") -> Path:
    """The CSL locale file for ``lang`` from the test tools, or skip saying why."""
    path = CSL_LOCALES_DIR / f"locales-{lang}.xml"
    if not path.is_file():
        pytest.skip(f"no {path.name} in {CSL_LOCALES_DIR} (run {SETUP_TOOLS})")
    return path


@pytest.fixture(autouse=True)
def index_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test's derived index goes to its own folder, not the user's cache."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("CITESHELF_INDEX_DIR", str(folder))
    # and web answers (citeshelf add doi:...) to its own cache folder
    monkeypatch.setenv("CITESHELF_CACHE_DIR", str(tmp_path / "http-cache"))
    monkeypatch.delenv("CITESHELF_INDEX_CHECK", raising=False)
    # and no test reads the user's configuration file
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "user-config"))
    monkeypatch.delenv("CITESHELF_CONFIG", raising=False)
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


class CountingOs:
    """``os`` for a module that lists the records folder open as a descriptor
    (``os.listdir(fd)``), counting those listings in :attr:`listed`
    (``monkeypatch.setattr(module, "os", CountingOs())``)."""

    def __init__(self) -> None:
        self.listed = 0

        def listdir(path: object = ".") -> list[str]:
            if isinstance(path, int):
                self.listed += 1
            return os.listdir(path)  # type: ignore[arg-type]

        self.listdir = listdir
        # (as the module asks whether os.listdir takes a descriptor)
        self.supports_fd = os.supports_fd | {listdir}

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)


class Pids:
    """The processes that ran a method (:func:`spy_pids`): this one and forked workers."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def seen(self) -> set[str]:
        return set(self.path.read_text().split()) if self.path.exists() else set()

    def workers(self) -> set[str]:
        """The processes other than this one."""
        return self.seen() - {str(os.getpid())}

    def only_here(self) -> bool:
        return self.seen() == {str(os.getpid())}

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)


def spy_pids(monkeypatch: pytest.MonkeyPatch, owner: type, name: str, path: Path) -> Pids:
    """Note in ``path`` the process of each call of ``owner.name`` (a forked
    worker's too: it appends to the file), then call it."""
    real = getattr(owner, name)

    def spied(self, *args, **kw):
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()}\n")
        return real(self, *args, **kw)

    monkeypatch.setattr(owner, name, spied)
    return Pids(path)


def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys of the record files parsed from now on (``RecordStore.parse_text``), in order."""
    from citeshelf.library.store import RecordStore

    parsed: list[str] = []
    real = RecordStore.parse_text

    def counting(self, key, text, path=None):
        parsed.append(key)
        return real(self, key, text, path)

    monkeypatch.setattr(RecordStore, "parse_text", counting)
    return parsed
