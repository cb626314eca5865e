"""The limits on what citeshelf reads, shared by every reader (the record
store, the import formats, the query parser, the manuscript scanner).

Each limit turns hostile or broken input into a one-line error
(:class:`~citeshelf.errors.InvalidData` or ``ValueError`` for the callers to
name the place), never a ``RecursionError``, a hang or an exhausted memory.

* :func:`loads_limited` is ``json.loads`` with limits on nesting
  (:data:`MAX_DEPTH`), integer length (:data:`MAX_INT_DIGITS`) and lone
  surrogates; :func:`check_shape` checks data already decoded.
* :func:`byte_limit` reads a size limit from the environment:
  ``$CITESHELF_MAX_RECORD_BYTES`` (a record file, default 8 MiB) and
  ``$CITESHELF_MAX_IMPORT_BYTES`` (an imported file, default 1 GiB).

The standard library only: the index and ``--help`` import it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable

from .errors import InvalidData, UsageError

__all__ = [
    "DEFAULT_MAX_IMPORT",
    "DEFAULT_MAX_RECORD",
    "ENV_MAX_IMPORT",
    "ENV_MAX_RECORD",
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "byte_limit",
    "check_import_size",
    "check_shape",
    "item_decoder",
    "LongInteger",
    "loads_limited",
    "entry_cap",
    "max_import_bytes",
    "oversize_entry",
    "oversize_field",
    "text_bytes",
    "max_record_bytes",
    "too_big",
]

#: the largest record file read, in bytes (``$CITESHELF_MAX_RECORD_BYTES``)
ENV_MAX_RECORD = "CITESHELF_MAX_RECORD_BYTES"
DEFAULT_MAX_RECORD = 8 * 1024 * 1024
#: the largest file ``import`` reads, in bytes (``$CITESHELF_MAX_IMPORT_BYTES``)
ENV_MAX_IMPORT = "CITESHELF_MAX_IMPORT_BYTES"
DEFAULT_MAX_IMPORT = 1024 * 1024 * 1024
#: how deep lists and objects may nest in JSON (a record file, a CSL item)
MAX_DEPTH = 64
#: the most digits of an integer in JSON
MAX_INT_DIGITS = 30


def byte_limit(env: str, default: int) -> int:
    """A size limit in bytes from the environment variable ``env``."""
    raw = os.environ.get(env, "")
    if not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise UsageError(f"${env} must be a number of bytes, not {raw!r}") from None
    return value if value > 0 else default


def max_record_bytes() -> int:
    return byte_limit(ENV_MAX_RECORD, DEFAULT_MAX_RECORD)


def max_import_bytes() -> int:
    return byte_limit(ENV_MAX_IMPORT, DEFAULT_MAX_IMPORT)


def too_big(path: object, size: int, limit: int, what: str, env: str) -> str:
    """The message for a file over its size limit."""
    return (
        f"{path}: {size:,} bytes or more, over the limit of {limit:,} bytes for a {what} "
        f"(${env} raises it)"
    )


def text_bytes(text: str, limit: int) -> int | None:
    """The UTF-8 size of ``text`` if it is over ``limit`` bytes, else None
    (cheap for short text: only text that may be over is encoded)."""
    if len(text) * 4 <= limit:  # at most 4 bytes a character
        return None
    size = len(text.encode("utf-8", "surrogatepass"))
    return size if size > limit else None


def entry_cap() -> int:
    """The most characters one entry of an imported file may take (a BibTeX
    block, a RIS reference): four times the record-file limit (decoding LaTeX
    never shrinks text more than that), so an entry over it could never make
    a record file that can be read, and its lines are not even held."""
    return 4 * max_record_bytes()


def oversize_entry(what: str) -> str:
    """Why an entry over :func:`entry_cap` (``what``: "the @book entry",
    "the reference") is not imported."""
    return (
        f"{what} is over {entry_cap():,} characters (four times the limit of "
        f"{max_record_bytes():,} bytes for a record file; ${ENV_MAX_RECORD} raises it): "
        "it is not imported"
    )


def oversize_field(fields: Iterable[tuple[str, object]]) -> str | None:
    """Why an entry read from a file cannot become a record because one of
    its fields is larger than a record file may be (``$CITESHELF_MAX_RECORD_BYTES``),
    or None: said before the field is decoded, so a 100 MB title costs no
    more than reading it."""
    limit = max_record_bytes()
    for name, value in fields:
        if isinstance(value, str):
            size = text_bytes(value, limit)
            if size is not None:
                return (
                    f"field '{name}' is {size:,} bytes, over the limit of {limit:,} bytes "
                    f"for a record file (${ENV_MAX_RECORD} raises it): the entry is not imported"
                )
    return None


def check_import_size(path: str | os.PathLike[str]) -> None:
    """:class:`InvalidData` if the file to import is over ``$CITESHELF_MAX_IMPORT_BYTES``."""
    limit = max_import_bytes()
    size = os.stat(path).st_size
    if size > limit:
        raise InvalidData(too_big(path, size, limit, "file to import", ENV_MAX_IMPORT))


class LongInteger:
    """An integer of more than :data:`MAX_INT_DIGITS` digits, kept as its
    length by :func:`item_decoder` for :func:`check_shape` to report."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _marked_int(digits: str) -> int | LongInteger:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        return LongInteger(len(digits))
    return int(digits)


def item_decoder() -> json.JSONDecoder:
    """A decoder for reading a JSON array item by item: an integer over the
    limit becomes a :class:`LongInteger` (so only its item is invalid, by
    :func:`check_shape`), not an error for the whole text."""
    return json.JSONDecoder(parse_int=_marked_int)


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(digits):,} digits (the limit is {MAX_INT_DIGITS})")
    return int(digits)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
#: ``json.loads(text, parse_int=_bounded_int)``, made once (``json.loads``
#: with an argument makes a decoder for each call: 3 of the 8 µs of a record file)
_LIMITED = json.JSONDecoder(parse_int=_bounded_int)


def loads_limited(text: str) -> object:
    """``json.loads`` with limits: nesting deeper than :data:`MAX_DEPTH`, an
    integer longer than :data:`MAX_INT_DIGITS` digits or a lone surrogate
    (``"\\ud800"``: text no file can hold) raise ``ValueError``
    (``json.JSONDecodeError`` for text that is not JSON)."""
    try:
        if text.startswith("\ufeff"):
            json.loads(text)  # (raises json.loads's own error for a byte order mark)
        data = _LIMITED.decode(text)
    except RecursionError:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels") from None
    surrogates = _SURROGATE_ESCAPE.search(text) is not None
    if surrogates or text.count("[") + text.count("{") > MAX_DEPTH:
        check_shape(data, surrogates=surrogates)
    return data


def check_shape(data: object, *, surrogates: bool = True) -> None:
    """``ValueError`` if ``data`` nests deeper than :data:`MAX_DEPTH`, holds a
    :class:`LongInteger` or (with ``surrogates``) a string that is not valid
    Unicode text."""
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if surrogates:
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError as exc:
                    raise ValueError(
                        f"a lone surrogate (U+{ord(item[exc.start]):04X}) in {item[:40]!r}: "
                        "not Unicode text"
                    ) from None
            continue
        if isinstance(item, LongInteger):
            raise ValueError(
                f"an integer of {item.digits:,} digits (the limit is {MAX_INT_DIGITS})"
            )
        if isinstance(item, dict):
            children: Iterable[object] = [*item.keys(), *item.values()]
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth >= MAX_DEPTH:
            raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
        stack.extend((c, depth + 1) for c in children)
