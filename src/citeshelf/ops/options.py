"""Choices the operations accept, which the command line offers as option values."""

from __future__ import annotations

__all__ = ["ON_DUPLICATE"]

#: What ``import`` does with an entry that duplicates a record (``--on-duplicate``).
ON_DUPLICATE = ("skip", "rename", "update", "error")
