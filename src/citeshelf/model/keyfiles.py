"""What a record key may be, and the name of its record file: the one rule.

A key is the text manuscripts cite, kept as it is: ``baez/article``,
``Müller:2020``, ``李2020`` and ``a b`` are keys. Refused: an empty key, one longer than 128 characters,
one with a control character or a line break, with a space at either end, or
with one of ``, { } % # \\`` (no ``\\cite`` could name it). A *safe* key
(:data:`SAFE_KEY`: ASCII letters, digits and ``_ : . + -``, starting with a
letter or digit) is its own file name, ``records/<key>.json``, as it always
was. Any other key's file name escapes every other character as ``%XX``
(the upper-case hex of its UTF-8 bytes; a leading ``.`` too): ``baez%2Farticle``,
``M%C3%BCller:2020``. The mapping is reversible, so the keys are read from the
folder's listing without opening a file; no two keys share a file name, nor two
names that differ only in letter case (escapes are upper case, and keys that
differ only in case are refused by the store). A name that is not the file name
of any key (``Bad Name.json``, ``x%2f.json``) is not a record file.

:mod:`.keys` (generated keys) re-exports these.
"""

from __future__ import annotations

import re

__all__ = [
    "KEY_FORBIDDEN",
    "KEY_PATTERN",
    "MAX_KEY_CHARS",
    "SAFE_KEY",
    "check_key",
    "file_stem",
    "is_key",
    "key_of_stem",
    "key_problem",
]

#: Keys that are their own file name (every key citeshelf generates).
SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:.+-]{0,127}$")
#: The former name of :data:`SAFE_KEY`.
KEY_PATTERN = SAFE_KEY
MAX_KEY_CHARS = 128
#: bytes of a file name before ".json" (file systems allow 255)
MAX_STEM_BYTES = 240
#: characters no key may hold: a ``\\cite`` or a .bib entry could not name it
KEY_FORBIDDEN = ",{}%#\\"
_SAFE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_:.+-")
_BAD_CHAR = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]|(?! )\s")


def key_problem(key: object) -> str | None:
    """Why ``key`` cannot be a record key, or None if it can."""
    if not isinstance(key, str):
        return "a key is text"
    if SAFE_KEY.match(key):
        return None
    if not key:
        return "it is empty"
    if len(key) > MAX_KEY_CHARS:
        return f"it is longer than {MAX_KEY_CHARS} characters"
    bad = _BAD_CHAR.search(key)
    if bad:
        return f"it holds a control character or line break (U+{ord(bad.group()):04X})"
    if key != key.strip():
        return "it starts or ends with a space"
    for ch in KEY_FORBIDDEN:
        if ch in key:
            return f"it holds {ch!r} (use any characters but , {{ }} % # \\)"
    if len(file_stem(key).encode("utf-8")) > MAX_STEM_BYTES:
        return "it is too long for a file name (write fewer non-ASCII characters)"
    return None


def is_key(text: object) -> bool:
    """Can ``text`` be a record key as it is?"""
    return key_problem(text) is None


def check_key(key: str) -> str:
    """Return ``key`` if it is a valid record key, else raise ValueError."""
    problem = key_problem(key)
    if problem:
        shown = key if isinstance(key, str) else repr(key)
        raise ValueError(f"{shown!r} is not a valid key: {problem}")
    return key


def file_stem(key: str) -> str:
    """The name of ``key``'s record file, without ".json" (the key itself when safe)."""
    if SAFE_KEY.match(key):
        return key
    out = []
    for i, ch in enumerate(key):
        if ch in _SAFE_CHARS and (i or ch.isalnum()):
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
    return "".join(out)


def key_of_stem(stem: str) -> str | None:
    """The key whose record file is named ``stem`` + ".json", or None if none is."""
    if "%" not in stem:
        return stem if SAFE_KEY.match(stem) else None
    from urllib.parse import unquote_to_bytes

    try:
        key = unquote_to_bytes(stem).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if file_stem(key) != stem or key_problem(key):
        return None
    return key
