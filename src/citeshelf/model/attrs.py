"""Reading a record's attributes by name, cheaply (no Pydantic import).

Public API::

    field_value(record, name, default=None)
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself is not imported at start-up

if TYPE_CHECKING:
    from typing import Any

__all__ = ["field_value"]

#: (class, name) -> whether the class has the attribute (a field, a property ...)
_HAS_ATTRIBUTE: dict[tuple[type, str], bool] = {}


def field_value(record: object, name: str, default: Any = None) -> Any:
    """``getattr(record, name, default)`` for a field or a class attribute
    (a property) of a record, without a model's cost of a missing name (a
    failed lookup through pydantic's ``__getattr__``, several microseconds:
    the writers and styles ask each record for fields that only some work
    types have). Not for a model's private attributes, which pydantic also
    serves through ``__getattr__``: those are ``default`` here. Whether a
    class has a name is found once (classes do not gain fields)."""
    cls = type(record)
    has = _HAS_ATTRIBUTE.get((cls, name))
    if has is None:
        fields = getattr(cls, "__pydantic_fields__", None)
        has = fields is None or name in fields or any(name in vars(k) for k in cls.__mro__)
        if len(_HAS_ATTRIBUTE) < 10_000:
            _HAS_ATTRIBUTE[(cls, name)] = has
    return getattr(record, name, default) if has else default
