"""The configuration as the commands use it: the ``config`` operations.

Public API::

    config_for(library_dir) -> Config          the settings in force (library.config)
    config_files(library_dir) -> ConfigFiles   the user's and the library's file
    show_setting(library_dir, name) -> Setting value or None
    change_setting(library_dir, name, value, *, where="user") -> Changed
        Set (``value`` a text) or remove (``value`` None) one setting in the
        user's or the library's file; ``cite.style`` is checked against the
        styles there are.
    key_formula(library) -> str | None         ``keys.formula`` for this library
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "Changed",
    "ConfigFiles",
    "change_setting",
    "config_files",
    "config_for",
    "key_formula",
    "show_setting",
]

PathLike = str | os.PathLike[str]


def config_for(library_dir: PathLike | None) -> Any:
    from ..library.config import load_config

    return load_config(library_dir)


def key_formula(library: Any) -> str | None:
    """The key formula configured for ``library`` (None: the default)."""
    formula: str | None = config_for(library.path).get("keys.formula")
    return formula


@dataclass
class ConfigFiles:
    user: Path
    library: Path

    def to_json(self) -> dict[str, Any]:
        return {
            "user": {"path": str(self.user), "exists": self.user.is_file()},
            "library": {"path": str(self.library), "exists": self.library.is_file()},
        }


def config_files(library_dir: PathLike) -> ConfigFiles:
    from ..library.config import library_config_path, user_config_path

    return ConfigFiles(user_config_path(), library_config_path(library_dir))


def show_setting(library_dir: PathLike, name: str) -> Any:
    return config_for(library_dir).get(name)


@dataclass
class Changed:
    name: str
    value: Any
    path: Path
    changed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "path": str(self.path),
            "changed": self.changed,
        }


def change_setting(
    library_dir: PathLike, name: str, value: str | None, *, where: str = "user"
) -> Changed:
    """Set or remove one setting in the user's (``where="user"``) or the library's file."""
    from ..errors import UsageError
    from ..library.config import set_value, unset_value

    files = config_files(library_dir)
    path = files.library if where == "library" else files.user
    if where == "library" and not Path(library_dir).is_dir():
        raise UsageError(f"no library at {library_dir}: its configuration file goes in it")
    if value is None:
        return Changed(name, None, path, unset_value(path, name))
    if name == "cite.style":
        from ..styles import STYLES

        if value not in STYLES:
            raise UsageError(f"cite.style: use one of {', '.join(STYLES)}, not {value!r}")
    return Changed(name, set_value(path, name, value), path, True)
