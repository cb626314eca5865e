"""The hash functions the index and the store use, from CPython's own modules
where it has them: ``import hashlib`` loads OpenSSL, about 2 ms that every
``list`` would pay. The digests are the same as hashlib's."""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing itself is not imported by a kept show or cite
if TYPE_CHECKING:
    from typing import Any

__all__ = ["blake2b", "sha1", "sha256"]


def _first(name: str, *modules: str) -> Any:
    for module in modules:
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
    import hashlib  # pragma: no cover - a Python without CPython's modules

    return getattr(hashlib, name)  # pragma: no cover


blake2b: Any = _first("blake2b", "_blake2")
sha1: Any = _first("sha1", "_sha1")
#: ``_sha2`` from Python 3.12 on, ``_sha256`` before
sha256: Any = _first("sha256", "_sha2", "_sha256")
