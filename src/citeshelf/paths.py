"""The per-user folders citeshelf keeps files in (the cache for the index and
for web answers), found once for every part that needs them."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["user_cache_dir"]


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
