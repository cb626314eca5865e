"""The package's layers, checked from the imports in the source.

Every ``import`` in src/citeshelf is read with ``ast``: module level, inside functions,
under ``TYPE_CHECKING``; relative imports are resolved, and a name imported from a
package's ``__init__`` counts as an import of the submodule the ``__init__`` takes it
from (``from citeshelf.model import Person`` -> ``model.names``). Layers, lowest first:

* shared base: ``errors``, ``exitcodes``, ``limits``, ``progress`` (and the package's ``__init__``)
  import only each other;
* ``model`` imports nothing else from citeshelf;
* ``formats``, ``styles`` and ``library`` import only ``model`` and the shared base;
* ``sources`` (the web services) imports only ``model``, ``formats`` and the shared base;
* ``ops`` imports ``library``, ``formats``, ``styles``, ``sources``, ``model`` and the
  shared base, and is the only layer that imports ``sources``;
* ``lsp`` (the language server, an interface beside ``cli``) imports ``ops``,
  ``library``, ``formats``, ``styles``, ``model`` and the shared base, and only ``cli``
  imports it;
* ``cli`` imports anything, and only ``__main__`` imports it;
* ``render`` is the one place that talks to Rich, and only ``cli`` imports it;
* Click and Rich are imported only in ``cli/`` and ``render.py``; pygls and lsprotocol
  only in ``lsp/``;
* no two modules import each other, directly or through others (an import cycle).

KNOWN_VIOLATIONS lists the breaches the tree has today. The tests fail on a breach not
in the list, and on a listed breach that is gone: take it off the list when it is fixed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "citeshelf"

# One line per breach: "importer -> imported" (a module or "click"/"rich"), or
# "cycle: a, b, ..." (the modules of one import cycle, sorted).
KNOWN_VIOLATIONS: set[str] = set()

PACKAGES = ("model", "library", "formats", "styles", "sources", "ops", "lsp", "cli")
# The package's own __init__ is called "__init__" here; it belongs to the shared base.
BASE = (
    *("errors", "exitcodes", "jsontext", "limits", "paths", "progress", "progress_protocol"),
    "__init__",
)
UI_LIBRARIES = ("click", "rich")
LSP_LIBRARIES = ("pygls", "lsprotocol")
ALL_LAYERS = frozenset({*PACKAGES, "base", "render", "__main__"})

# What each layer may import (besides itself); importers of cli and render are
# restricted further in _layer_rule.
MAY_IMPORT: dict[str, frozenset[str]] = {
    "base": frozenset({"base"}),
    "model": frozenset({"model"}),
    "formats": frozenset({"formats", "model", "base"}),
    "styles": frozenset({"styles", "model", "base"}),
    "library": frozenset({"library", "model", "base"}),
    "sources": frozenset({"sources", "formats", "model", "base"}),
    "ops": frozenset({"ops", "library", "formats", "styles", "sources", "model", "base"}),
    "lsp": frozenset({"lsp", "ops", "library", "formats", "styles", "model", "base"}),
    "cli": ALL_LAYERS,
    "render": ALL_LAYERS,
    "__main__": ALL_LAYERS,
}
RULES = {
    "base": "errors, exitcodes and progress import only each other",
    "model": "model imports nothing else from citeshelf",
    "formats": "formats imports only model and errors/exitcodes/progress",
    "styles": "styles imports only model and errors/exitcodes/progress",
    "library": "library imports only model and errors/exitcodes/progress",
    "sources": "sources imports only formats, model and errors/exitcodes/progress",
    "ops": "ops imports only library, formats, styles, sources, model and "
    "errors/exitcodes/progress",
    "lsp": "lsp imports only ops, library, formats, styles, model and errors/exitcodes/progress",
}


@dataclass(frozen=True)
class Module:
    name: str  # dotted, without "citeshelf.": "library.store"; a package: "library"
    path: Path
    is_package: bool

    @property
    def parts(self) -> list[str]:
        return [] if self.name == "__init__" else self.name.split(".")


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported citeshelf module, or an outside package's top-level name
    internal: bool
    path: Path
    line: int

    def where(self, root: Path) -> str:
        return f"{self.path.relative_to(root.parent.parent)}:{self.line}"


def layer_of(module: str) -> str | None:
    """The layer of a module name, or None for a module no layer claims."""
    top = module.split(".")[0]
    if top in PACKAGES:
        return top
    if module in BASE:
        return "base"
    if module in ("render", "__main__"):
        return module
    return None


def find_modules(root: Path) -> dict[str, Module]:
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        name = ".".join(parts) or "__init__"
        modules[name] = Module(name, path, is_package)
    return modules


def _join(parts: list[str]) -> str:
    return ".".join(parts) or "__init__"


class ImportReader:
    """Reads the imports of every module under one package root."""

    def __init__(self, root: Path, package: str = "citeshelf") -> None:
        self.root = root
        self.package = package
        self.modules = find_modules(root)
        self.trees = {
            name: ast.parse(m.path.read_text(encoding="utf-8"), str(m.path))
            for name, m in self.modules.items()
        }
        # package name -> {name re-exported by its __init__: module it comes from}
        self.reexports = {
            name: self._reexports(m) for name, m in self.modules.items() if m.is_package
        }

    def _base(self, module: Module, node: ast.ImportFrom) -> list[str] | None:
        """The module a ``from X import ...`` names, as parts; None: not citeshelf."""
        if node.level:
            parts = module.parts if module.is_package else module.parts[:-1]
            if node.level > 1:
                parts = parts[: len(parts) - (node.level - 1)]
            return parts + (node.module.split(".") if node.module else [])
        dotted = (node.module or "").split(".")
        if dotted[0] != self.package:
            return None
        return dotted[1:]

    def _existing(self, parts: list[str]) -> str:
        """The longest prefix of ``parts`` that is a module here."""
        while parts and _join(parts) not in self.modules:
            parts = parts[:-1]
        return _join(parts)

    def _reexports(self, package: Module) -> dict[str, str]:
        found: dict[str, str] = {}
        for node in ast.walk(self.trees[package.name]):
            if not isinstance(node, ast.ImportFrom):
                continue
            base = self._base(package, node)
            if base is None:
                continue
            for alias in node.names:
                if alias.name == "*":
                    continue
                sub = base + [alias.name]
                target = _join(sub) if _join(sub) in self.modules else self._existing(base)
                if target != package.name:
                    found[alias.asname or alias.name] = target
        return found

    def _from_target(self, base: list[str], name: str) -> str:
        sub = base + [name]
        if name != "*" and _join(sub) in self.modules:
            return _join(sub)
        package = self._existing(base)
        return self.reexports.get(package, {}).get(name, package)

    def imports_of(self, name: str) -> Iterator[Import]:
        module = self.modules[name]
        for node in ast.walk(self.trees[name]):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    dotted = alias.name.split(".")
                    if dotted[0] == self.package:
                        target, internal = self._existing(dotted[1:]), True
                    else:
                        target, internal = dotted[0], False
                    yield Import(name, target, internal, module.path, node.lineno)
            elif isinstance(node, ast.ImportFrom):
                base = self._base(module, node)
                if base is None:
                    top = (node.module or "").split(".")[0]
                    yield Import(name, top, False, module.path, node.lineno)
                    continue
                for alias in node.names:
                    target = self._from_target(base, alias.name)
                    yield Import(name, target, True, module.path, node.lineno)

    def all_imports(self) -> list[Import]:
        found = []
        for name in self.modules:
            found.extend(i for i in self.imports_of(name) if i.target != name)
        return sorted(found, key=lambda i: (i.source, i.line, i.target))


def _layer_rule(source: str, target: str) -> str | None:
    """The rule an import from module ``source`` of module ``target`` breaks, if any."""
    src, dst = layer_of(source), layer_of(target)
    if src is None or dst is None:
        return None  # reported by test_every_module_has_a_layer
    if dst == "cli" and src not in ("cli", "__main__"):
        return "only __main__ imports cli"
    if dst == "render" and src not in ("cli", "render"):
        return "only cli imports render"
    if dst == "lsp" and src not in ("lsp", "cli"):
        return "only cli imports lsp"
    if dst == "sources" and src not in ("sources", "ops"):
        return "only ops imports sources"
    if dst not in MAY_IMPORT[src]:
        return RULES[src]
    return None


def _cycles(imports: list[Import]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for i in imports:
        if i.internal:
            graph.setdefault(i.source, set()).add(i.target)
            graph.setdefault(i.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(components)


def find_violations(root: Path, package: str = "citeshelf") -> dict[str, list[str]]:
    """Each breach of the layers, as its KNOWN_VIOLATIONS line -> messages (file:line)."""
    imports = ImportReader(root, package).all_imports()
    found: dict[str, list[str]] = {}
    for i in imports:
        if i.internal:
            rule = _layer_rule(i.source, i.target)
            key = f"{i.source} -> {i.target}"
            what = f"imports {package}.{i.target}" if i.target != "__init__" else "imports it"
        elif i.target in UI_LIBRARIES and layer_of(i.source) not in ("cli", "render"):
            rule = "click and rich are imported only in cli/ and render.py"
            key = f"{i.source} -> {i.target}"
            what = f"imports {i.target}"
        elif i.target in LSP_LIBRARIES and layer_of(i.source) != "lsp":
            rule = "pygls and lsprotocol are imported only in lsp/"
            key = f"{i.source} -> {i.target}"
            what = f"imports {i.target}"
        else:
            continue
        if rule:
            found.setdefault(key, []).append(f"{i.where(root)}: {i.source} {what}: {rule}")
    for component in _cycles(imports):
        members = set(component)
        edges = [
            f"{i.where(root)}: {i.source} imports {i.target}"
            for i in imports
            if i.internal and i.source in members and i.target in members
        ]
        key = "cycle: " + ", ".join(component)
        found[key] = [f"import cycle between {', '.join(component)}:", *edges]
    return found


def _report(found: dict[str, list[str]], keys: list[str]) -> str:
    return "\n".join(f"{key}\n    " + "\n    ".join(found[key]) for key in keys)


def test_every_module_has_a_layer() -> None:
    stray = [name for name in find_modules(SRC) if layer_of(name) is None]
    assert not stray, (
        f"modules in no layer: {stray}; put them in a package "
        f"({', '.join(PACKAGES)}) or give them a layer in tests/test_layers.py"
    )


def test_no_import_crosses_the_layers_or_forms_a_cycle() -> None:
    found = find_violations(SRC)
    new = sorted(set(found) - KNOWN_VIOLATIONS)
    assert not new, "imports that break the layers (see tests/test_layers.py):\n" + _report(
        found, new
    )


def test_known_violations_are_still_there() -> None:
    gone = sorted(KNOWN_VIOLATIONS - set(find_violations(SRC)))
    assert not gone, (
        "fixed, so take these lines off KNOWN_VIOLATIONS in tests/test_layers.py:\n    "
        + "\n    ".join(gone)
    )


# The checker itself, on a small made-up package.


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "pkg"


@pytest.fixture
def fake(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "src",
        {
            "__init__.py": "",
            "errors.py": "from . import exitcodes\n",
            "exitcodes.py": "",
            "model/__init__.py": "from .names import Person\nfrom .record import Record\n",
            "model/names.py": "",
            # a re-exported name: model.record -> model.names, not -> model (no cycle)
            "model/record.py": "from pkg.model import Person\n",
            "library/__init__.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from .store import Library\n"
            ),
            "library/store.py": "from ..model import Record\nfrom . import index\n",
            "library/index.py": "def load():\n    from .store import Library\n",
            "formats/__init__.py": "",
            "formats/ris.py": (
                "import rich\ndef key():\n    from ..library import Library\n    import pkg.cli\n"
            ),
            "styles/__init__.py": "",
            "styles/apa.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    import pkg.render\n",
            "render.py": "from rich.console import Console\nimport click\n",
            "cli/__init__.py": "",
            "cli/main.py": "from .. import render\nfrom ..formats import ris\nimport click\n",
            "__main__.py": "from pkg.cli.main import main\n",
        },
    )


def test_checker_resolves_relative_lazy_and_type_checking_imports(fake: Path) -> None:
    reader = ImportReader(fake, "pkg")
    edges = {(i.source, i.target, i.line) for i in reader.all_imports() if i.internal}
    assert ("errors", "exitcodes", 1) in edges
    assert ("library.store", "model.record", 1) in edges  # via model/__init__
    assert ("model.record", "model.names", 1) in edges  # re-export resolved
    assert ("library.index", "library.store", 2) in edges  # inside a function
    assert ("formats.ris", "library.store", 3) in edges  # via a TYPE_CHECKING re-export
    assert ("styles.apa", "render", 3) in edges  # under TYPE_CHECKING
    assert ("cli.main", "render", 1) in edges
    assert ("__main__", "cli.main", 1) in edges


def test_checker_reports_each_breach_with_file_and_line(fake: Path) -> None:
    found = find_violations(fake, "pkg")
    assert set(found) == {
        "formats.ris -> rich",
        "formats.ris -> library.store",
        "formats.ris -> cli",
        "styles.apa -> render",
        "cycle: library.index, library.store",
    }
    assert found["formats.ris -> library.store"] == [
        "src/pkg/formats/ris.py:3: formats.ris imports pkg.library.store: "
        "formats imports only model and errors/exitcodes/progress"
    ]
    assert found["formats.ris -> cli"] == [
        "src/pkg/formats/ris.py:4: formats.ris imports pkg.cli: only __main__ imports cli"
    ]
    assert found["cycle: library.index, library.store"] == [
        "import cycle between library.index, library.store:",
        "src/pkg/library/index.py:2: library.index imports library.store",
        "src/pkg/library/store.py:2: library.store imports library.index",
    ]


@pytest.mark.parametrize(
    ("source", "target", "broken"),
    [
        ("model.record", "model.names", None),
        ("model.record", "errors", "model imports nothing else from citeshelf"),
        ("errors", "exitcodes", None),
        ("errors", "model.names", "errors, exitcodes and progress import only each other"),
        ("library.store", "progress", None),
        (
            "library.store",
            "formats.bibtex",
            "library imports only model and errors/exitcodes/progress",
        ),
        ("styles.apa", "formats.latex", "styles imports only model and errors/exitcodes/progress"),
        ("formats.ris", "styles.text", "formats imports only model and errors/exitcodes/progress"),
        ("ops.export", "formats.bibtex", None),
        ("ops.export", "library.store", None),
        ("ops.export", "render", "only cli imports render"),
        ("ops.export", "cli.main", "only __main__ imports cli"),
        ("render", "styles.text", None),
        ("render", "cli.common", "only __main__ imports cli"),
        ("sources.http", "formats.arxiv", None),
        ("sources.http", "model.identifiers", None),
        ("sources.http", "errors", None),
        (
            "sources.http",
            "library.store",
            "sources imports only formats, model and errors/exitcodes/progress",
        ),
        (
            "sources.http",
            "ops.lookup",
            "sources imports only formats, model and errors/exitcodes/progress",
        ),
        ("ops.lookup", "sources.http", None),
        ("cli.cmd_add", "sources.identifiers", "only ops imports sources"),
        ("library.store", "sources.http", "only ops imports sources"),
        ("formats.crossref", "sources.http", "only ops imports sources"),
        ("cli.main", "ops.export", None),
        ("cli.main", "render", None),
        ("__main__", "cli.main", None),
    ],
)
def test_layer_rules(source: str, target: str, broken: str | None) -> None:
    assert _layer_rule(source, target) == broken


def test_checker_keeps_the_language_server_beside_cli(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "src",
        {
            "__init__.py": "",
            "model/__init__.py": "",
            "ops/__init__.py": "from ..lsp import server\n",
            "ops/help.py": "import pygls\n",
            "lsp/__init__.py": "",
            "lsp/server.py": "from lsprotocol import types\nfrom ..ops import help\n"
            "from ..cli import main\n",
            "cli/__init__.py": "",
            "cli/main.py": "from ..lsp import server\n",
        },
    )
    found = find_violations(root, "pkg")
    assert {k: v for k, v in found.items() if not k.startswith("cycle")} == {
        "ops -> lsp.server": [
            "src/pkg/ops/__init__.py:1: ops imports pkg.lsp.server: only cli imports lsp"
        ],
        "ops.help -> pygls": [
            "src/pkg/ops/help.py:1: ops.help imports pygls: "
            "pygls and lsprotocol are imported only in lsp/"
        ],
        "lsp.server -> cli.main": [
            "src/pkg/lsp/server.py:3: lsp.server imports pkg.cli.main: only __main__ imports cli"
        ],
    }
