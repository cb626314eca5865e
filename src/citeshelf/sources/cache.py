"""The response cache: one small JSON file per request, in the user's cache folder.

``$CITESHELF_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/citeshelf/http``
(``~/.cache/citeshelf/http``; ``~/Library/Caches/citeshelf/http`` on macOS,
``%LOCALAPPDATA%\\citeshelf\\http`` on Windows) -- beside the index, found the
same way as ``citeshelf.library.schema.index_dir``. A file is named after a
hash of the request (URL and Accept header) and holds the response body; only
successful answers are kept, so a second look-up of the same identifier asks
no service and works offline. Files are written under a temporary name and
renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ..paths import user_cache_dir

__all__ = ["ENV_CACHE_DIR", "ResponseCache", "cache_dir"]

ENV_CACHE_DIR = "CITESHELF_CACHE_DIR"


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get(ENV_CACHE_DIR):
        return Path(env[ENV_CACHE_DIR])
    return user_cache_dir(env) / "http"


class ResponseCache:
    """Bodies of successful responses by (URL, Accept)."""

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = Path(folder) if folder is not None else cache_dir()

    def path(self, url: str, accept: str) -> Path:
        digest = hashlib.sha256(f"{accept}\n{url}".encode()).hexdigest()
        return self.folder / digest[:2] / f"{digest}.json"

    def get(self, url: str, accept: str) -> str | None:
        try:
            data = json.loads(self.path(url, accept).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("url") != url:
            return None
        body = data.get("body")
        return body if isinstance(body, str) else None

    def put(self, url: str, accept: str, body: str) -> None:
        """Keep ``body``; a cache that cannot be written is not an error."""
        target = self.path(url, accept)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"url": url, "accept": accept, "body": body}, fh, ensure_ascii=False)
            os.replace(tmp, target)
        except OSError:
            pass
