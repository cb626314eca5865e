"""The per-user folders citeshelf keeps files in (the cache for the index and
for web answers) and where its configuration files are, found once for every
part that needs them (light: ``cite`` checks its configuration files before
loading anything heavy)."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself is not imported at start-up
if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

__all__ = [
    "CONFIG_ENV",
    "ENV_INDEX_DIR",
    "index_dir_text",
    "index_off",
    "LIBRARY_CONFIG",
    "library_config_path",
    "library_config_text",
    "user_cache_dir",
    "user_config_path",
    "user_config_text",
]

#: The environment variable naming the user's configuration file.
CONFIG_ENV = "CITESHELF_CONFIG"
#: The library's configuration file, in the records folder.
LIBRARY_CONFIG = "citeshelf.toml"


#: The environment variable naming the index's folder ("off": no index).
ENV_INDEX_DIR = "CITESHELF_INDEX_DIR"


def _cache_text(env: Mapping[str, str]) -> str:
    """The user's cache folder for citeshelf, as text (no pathlib: ``--help``
    finds its kept text with this before anything else is loaded)."""
    home = os.path.expanduser("~")
    if sys.platform == "win32":  # pragma: no cover
        base = env.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local")
    elif sys.platform == "darwin":  # pragma: no cover
        base = os.path.join(home, "Library", "Caches")
    else:
        base = env.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
    return os.path.join(base, "citeshelf")


def index_off(env: Mapping[str, str] | None = None) -> bool:
    """``$CITESHELF_INDEX_DIR=off``: no index, nor anything kept beside it."""
    env = os.environ if env is None else env
    return env.get(ENV_INDEX_DIR, "").lower() == "off"


def index_dir_text(env: Mapping[str, str] | None = None) -> str:
    """The folder of the index files (``$CITESHELF_INDEX_DIR``, else the
    cache folder's ``index``), as text."""
    env = os.environ if env is None else env
    return env.get(ENV_INDEX_DIR) or os.path.join(_cache_text(env), "index")


def user_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/citeshelf`` (``~/.cache/citeshelf``), or the platform's
    cache folder on Windows and macOS."""
    from pathlib import Path

    env = os.environ if env is None else env
    return Path(_cache_text(env))


def user_config_path(env: Mapping[str, str] | None = None) -> Path:
    """The user's configuration file (it need not exist)."""
    from pathlib import Path

    return Path(user_config_text(env))


def user_config_text(env: Mapping[str, str] | None = None) -> str:
    """:func:`user_config_path` as text (no pathlib: a kept ``cite`` reads it)."""
    env = os.environ if env is None else env
    if env.get(CONFIG_ENV):
        return env[CONFIG_ENV]
    home = os.path.expanduser("~")
    if sys.platform == "win32":  # pragma: no cover
        base = env.get("APPDATA") or os.path.join(home, "AppData", "Roaming")
    elif sys.platform == "darwin":  # pragma: no cover
        base = os.path.join(home, "Library", "Application Support")
    else:
        base = env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    return os.path.join(base, "citeshelf", "config.toml")


def library_config_path(library_dir: str | os.PathLike[str]) -> Path:
    from pathlib import Path

    return Path(library_config_text(library_dir))


def library_config_text(library_dir: str | os.PathLike[str]) -> str:
    """The library's configuration file in ``library_dir``, as text."""
    return os.path.join(os.fspath(library_dir), LIBRARY_CONFIG)
