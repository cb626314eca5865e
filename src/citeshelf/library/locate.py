"""Which library a command works on.

``--library DIR``, else ``$CITESHELF_LIBRARY``, else the nearest ``records/``
folder from the working directory upward (so a paper's repository can hold its
own library), else a per-user data directory.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["find_library", "user_library_dir", "ENV_VAR"]

ENV_VAR = "CITESHELF_LIBRARY"


def user_library_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if sys.platform == "win32":  # pragma: no cover
        base = Path(env.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":  # pragma: no cover
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "citeshelf" / "records"


def find_library(
    explicit: str | os.PathLike[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> tuple[Path, str]:
    """The library folder and how it was chosen ("--library", "$CITESHELF_LIBRARY", ...)."""
    env = os.environ if env is None else env
    if explicit:
        return Path(explicit), "--library"
    if env.get(ENV_VAR):
        return Path(env[ENV_VAR]), f"${ENV_VAR}"
    here = Path(cwd) if cwd else Path.cwd()
    for folder in (here, *here.parents):
        candidate = folder / "records"
        if candidate.is_dir():
            return candidate, "nearest records/ folder"
    return user_library_dir(env), "per-user library"
