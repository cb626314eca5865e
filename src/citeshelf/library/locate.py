"""Which library a command works on.

``--library DIR``, else ``$CITESHELF_LIBRARY``, else the nearest ``records/``
folder from the working directory upward (so a paper's repository can hold its
own library), else a per-user data directory.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself is not imported at start-up
if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

__all__ = ["find_library", "find_library_text", "user_library_dir", "ENV_VAR"]

ENV_VAR = "CITESHELF_LIBRARY"


def user_library_dir(env: Mapping[str, str] | None = None) -> Path:
    from pathlib import Path

    return Path(_user_library_text(os.environ if env is None else env))


def _user_library_text(env: Mapping[str, str]) -> str:
    home = os.path.expanduser("~")
    if sys.platform == "win32":  # pragma: no cover
        base = env.get("APPDATA") or os.path.join(home, "AppData", "Roaming")
    elif sys.platform == "darwin":  # pragma: no cover
        base = os.path.join(home, "Library", "Application Support")
    else:
        base = env.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
    return os.path.join(base, "citeshelf", "records")


def find_library(
    explicit: str | os.PathLike[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> tuple[Path, str]:
    """The library folder and how it was chosen ("--library", "$CITESHELF_LIBRARY", ...)."""
    from pathlib import Path

    folder, how = find_library_text(explicit, env=env, cwd=cwd)
    return Path(folder), how


def find_library_text(
    explicit: str | os.PathLike[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> tuple[str, str]:
    """:func:`find_library`'s folder as text (no pathlib: a kept ``show`` or
    ``cite`` is printed without it, as ``--help`` is)."""
    env = os.environ if env is None else env
    if explicit:
        return os.fspath(explicit), "--library"
    if env.get(ENV_VAR):
        return env[ENV_VAR], f"${ENV_VAR}"
    here = os.fspath(cwd) if cwd else os.getcwd()
    while True:
        candidate = os.path.join(here, "records")
        if os.path.isdir(candidate):
            return candidate, "nearest records/ folder"
        parent = os.path.dirname(here)  # ("" after a relative path's first part: ".")
        if parent == here:
            break
        here = parent
    return _user_library_text(env), "per-user library"
