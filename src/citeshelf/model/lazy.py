"""Names a package exports, imported on first use (PEP 562).

A package's ``__init__`` lists ``name -> submodule`` and sets
``__getattr__ = lazy_exports(__name__, EXPORTS, globals())``, so that
importing the package (or a light submodule of it) loads nothing heavy until
a name is asked for. Lives in the model, the bottom layer, so that every
package can use it.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing itself is not imported at start-up

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``package.<exports[name]>`` on first use
    and keeps the value in ``namespace`` (the package's globals)."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    return __getattr__
