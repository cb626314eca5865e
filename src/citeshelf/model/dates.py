"""Publication dates: a year with an optional month and day.

Stored in record files as ``"2014"``, ``"2014-08"`` or ``"2014-08-29"``. A record
may have no date at all; styles then print "n.d.".
"""

from __future__ import annotations

import calendar
import re

from pydantic import BaseModel, ConfigDict, model_serializer, model_validator

__all__ = ["Date", "MONTHS"]

MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)}
_ISO = re.compile(r"^(-?\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


class Date(BaseModel):
    """A (partial) calendar date."""

    model_config = ConfigDict(frozen=True)

    year: int
    month: int | None = None
    day: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _coerce(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return {"year": value}
        if isinstance(value, str):
            return cls._parse_str(value)
        return value

    @staticmethod
    def _parse_str(text: str) -> dict[str, int]:
        raw = text.strip()
        m = _ISO.match(raw)
        if m:
            out = {"year": int(m.group(1))}
            if m.group(2):
                out["month"] = int(m.group(2))
            if m.group(3):
                out["day"] = int(m.group(3))
            return out
        raise ValueError(f"{text!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")

    @model_validator(mode="after")
    def _check(self) -> Date:
        if not 0 < self.year <= 9999:
            raise ValueError(f"year {self.year} is out of range (1 to 9999)")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is out of range (1 to 12)")
        if self.day is not None:
            if self.month is None:
                raise ValueError("a day needs a month")
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise ValueError(f"day {self.day} is out of range for {self.year}-{self.month:02d}")
        return self

    @model_serializer
    def _ser(self) -> str:
        return self.iso()

    def iso(self) -> str:
        text = f"{self.year:04d}"
        if self.month:
            text += f"-{self.month:02d}"
            if self.day:
                text += f"-{self.day:02d}"
        return text

    def __str__(self) -> str:
        return self.iso()

    @classmethod
    def parse(cls, text: str | int) -> Date:
        return cls.model_validate(text)

    @staticmethod
    def month_number(text: str) -> int | None:
        """Month from a name, an abbreviation or a number ("aug", "August", "8")."""
        t = text.strip().lower().rstrip(".")
        if t.isdigit():
            n = int(t)
            return n if 1 <= n <= 12 else None
        return _MONTH_ABBR.get(t[:3]) if len(t) >= 3 else None
