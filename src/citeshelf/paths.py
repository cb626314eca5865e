"""The per-user folders citeshelf keeps files in (the cache for the index and
for web answers) and where its configuration files are, found once for every
part that needs them (light: ``cite`` checks its configuration files before
loading anything heavy)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "CONFIG_ENV",
    "LIBRARY_CONFIG",
    "library_config_path",
    "user_cache_dir",
    "user_config_path",
]

#: The environment variable naming the user's configuration file.
CONFIG_ENV = "CITESHELF_CONFIG"
#: The library's configuration file, in the records folder.
LIBRARY_CONFIG = "citeshelf.toml"


def user_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/citeshelf`` (``~/.cache/citeshelf``), or the platform's
    cache folder on Windows and macOS."""
    env = os.environ if env is None else env
    if sys.platform == "win32":  # pragma: no cover
        base = Path(env.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":  # pragma: no cover
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "citeshelf"


def user_config_path(env: Mapping[str, str] | None = None) -> Path:
    """The user's configuration file (it need not exist)."""
    env = os.environ if env is None else env
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV])
    if sys.platform == "win32":  # pragma: no cover
        base = Path(env.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":  # pragma: no cover
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(env.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "citeshelf" / "config.toml"


def library_config_path(library_dir: str | os.PathLike[str]) -> Path:
    return Path(library_dir) / LIBRARY_CONFIG
