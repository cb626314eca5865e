"""Wording the operations' messages share."""

from __future__ import annotations

__all__ = ["first_few"]


def first_few(items: list[str], most: int = 5) -> str:
    """The first ``most`` of ``items`` for a message: "a, b, c, d, e and 3 more"."""
    shown = ", ".join(items[:most])
    return shown + (f" and {len(items) - most} more" if len(items) > most else "")
