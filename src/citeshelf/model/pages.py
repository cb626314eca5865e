"""Page ranges: "656-670", "656--670", "xii-xv", a single page, an article number.

Stored as text with an en dash between start and end (``"656–670"``).
"""

from __future__ import annotations

import re
import unicodedata

from pydantic import BaseModel, ConfigDict, model_serializer, model_validator

from .order import PAGE_SEPARATOR, page_sort_key, roman_to_int

__all__ = ["PageRange", "roman_to_int"]

_SEP = PAGE_SEPARATOR
#: a range's dash that no page number holds: an en or em dash, or two hyphens or more
_STRONG_SEP = re.compile(r"\s*(?:-{2,}|[–—−])[-–—]*\s*")
_WHITE = re.compile(r"\s+")


def _space(match: re.Match[str]) -> str:
    """A run of white space is one space, but a lone no-break or thin space
    (``sec.\u00a03``, ``c\u20063``) is the writer's choice and is kept."""
    run = match.group()
    if len(run) == 1 and run != " " and unicodedata.category(run) == "Zs":
        return run
    return " "


class PageRange(BaseModel):
    """A page, a range of pages, or an article number."""

    model_config = ConfigDict(frozen=True)

    start: str
    end: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _coerce(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            return cls._parse_str(value)
        return value

    @staticmethod
    def _parse_str(text: str) -> dict[str, str | None]:
        raw = _WHITE.sub(_space, text.strip())
        if not raw:
            raise ValueError("empty page range")
        parts = [p for p in _SEP.split(raw)]
        if len(parts) > 2:
            # pages whose numbers hold hyphens, between them a range's own dash
            # ("C3-32–C3-35", "A-1--A-5")
            strong = _STRONG_SEP.split(raw)
            if len(strong) == 2 and strong[0] != strong[1]:
                # (not "M-10--M-10": one page "M-10" would read back as M to 10)
                parts = strong
        if len(parts) == 1:
            return {"start": raw, "end": None}
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise ValueError(
                f"{text!r} is not a page range: use 656-670, a single page or an article number"
            )
        return {"start": parts[0], "end": parts[1]}

    @model_validator(mode="after")
    def _check(self) -> PageRange:
        for part in (self.start, self.end):
            if part is not None and (not part or any(c in part for c in ",;")):
                raise ValueError(f"{part!r} is not a page: give one range such as 656-670")
        if self.end is not None and self.start.isdigit() and self.end.isdigit():
            start, end = int(self.start), int(self.end)
            if end < start and len(self.end) < len(self.start):
                # an abbreviated range, as printed: 321-28 is 321-328, 1496-500 is 1496-1500
                full = self.start[: len(self.start) - len(self.end)] + self.end
                if int(full) >= start:
                    object.__setattr__(self, "end", full)
                    end = int(full)
            if end < start:
                raise ValueError(
                    f"{self.start}-{self.end} ends before it starts: give the first page first"
                )
        if self.end == self.start:
            object.__setattr__(self, "end", None)
        return self

    @model_serializer
    def _ser(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return f"{self.start}–{self.end}" if self.end else self.start

    @property
    def is_range(self) -> bool:
        return self.end is not None

    def sort_key(self) -> tuple[int, int, str]:
        """Roman front matter first, then arabic numbers, then anything else."""
        return page_sort_key(self.start)

    @classmethod
    def parse(cls, text: str | int) -> PageRange:
        return cls.model_validate(text)
