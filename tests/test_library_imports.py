"""The modules of citeshelf.library import one another without a cycle, counting
imports made inside functions and under TYPE_CHECKING too; the record store
imports none of them (but safeio, which imports none)."""

from __future__ import annotations

import ast
from pathlib import Path

import citeshelf.library

PACKAGE = Path(citeshelf.library.__file__).parent


def _imports(path: Path) -> set[str]:
    """The sibling modules that ``path`` imports (``from .x import``, ``from . import x``)."""
    siblings = {p.stem for p in PACKAGE.glob("*.py")}
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                out.add(node.module.split(".")[0])
            else:
                out.update(a.name for a in node.names if a.name in siblings)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[:2] == ["citeshelf", "library"] and len(parts) > 2:
                out.add(parts[2])
    out.discard(path.stem)
    return out & siblings


def _graph() -> dict[str, set[str]]:
    return {p.stem: _imports(p) for p in PACKAGE.glob("*.py") if p.stem != "__init__"}


def test_no_import_cycle_in_library() -> None:
    graph = _graph()
    state: dict[str, int] = {}  # 1: on the path, 2: done
    cycles: list[list[str]] = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for dep in sorted(graph.get(name, ())):
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep) :], dep] if dep in path else [name, dep])
            elif dep not in state:
                visit(dep, [*path, dep])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_store_imports_nothing_of_the_library() -> None:
    # but the hostile-file readers it shares with the index, which import
    # nothing but the hash functions (which import nothing)
    assert _graph()["store"] == {"safeio"}
    assert _graph()["safeio"] == {"digests"}
    assert _graph()["digests"] == set()


def test_the_checker_sees_imports_inside_functions(tmp_path: Path) -> None:
    # index validates changed files with the store, importing it in a function
    assert "store" in _graph()["index"]
    assert {"index", "store"} <= _graph()["front"]


def test_every_exported_name_exists() -> None:
    import importlib

    for name in citeshelf.library.__all__:
        assert getattr(citeshelf.library, name) is not None
    for module in (
        "fields",
        "front",
        "index",
        "jsondata",
        "query",
        "scan",
        "schema",
        "store",
        "terms",
    ):
        mod = importlib.import_module(f"citeshelf.library.{module}")
        missing = [n for n in mod.__all__ if not hasattr(mod, n)]
        assert missing == [], module
