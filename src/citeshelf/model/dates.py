"""Dates as EDTF (ISO 8601-2 level 1), the form biblatex and CSL use.

Stored in record files as an EDTF string:

* a day, month or year: ``"2014-08-29"``, ``"2014-08"``, ``"2014"`` (today's form);
* a season: ``"2017-21"`` (21 spring, 22 summer, 23 autumn, 24 winter);
* approximate, uncertain or both: ``"1990~"``, ``"1990?"``, ``"1990%"``;
* a year before the common era, numbered as EDTF and biblatex number it (year
  0 is 1 BCE): ``"-0349"`` is 350 BCE;
* a range: ``"1990/1994"``, ``"2019-06-03/2019-06-05"``; open-ended: ``"1990/.."``;

and a date that is only text (``1947(民国三十六年)``, or input that is no
date, kept verbatim) as ``{"literal": "..."}``. A record may have no date at
all; styles then print "n.d." (or the publication status, "in press").
"""

from __future__ import annotations

import calendar
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_serializer, model_validator

__all__ = ["Date", "MONTHS", "SEASONS", "STATUSES", "status_key"]

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
#: EDTF seasons 21-24 (and CSL's season 1-4), in order.
SEASONS = ["spring", "summer", "autumn", "winter"]
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)}
_POINT = re.compile(r"^(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([~?%]?)$")
_UNPADDED = re.compile(r"(\d{1,4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(\d{4})(?!\d)")

#: Publication statuses: biblatex ``pubstate`` key -> the words CSL's
#: ``status`` and the record keep.
STATUSES = {
    "inpress": "in press",
    "forthcoming": "forthcoming",
    "submitted": "submitted",
    "inpreparation": "in preparation",
    "prepublished": "prepublished",
}


def _year_text(year: int) -> str:
    """A year as EDTF writes it: four digits, a minus sign before the common
    era ("-0349")."""
    return f"-{-year:04d}" if year < 0 else f"{year:04d}"


def status_key(text: str) -> str | None:
    """The biblatex ``pubstate`` key for a status ("in press" -> "inpress")."""
    squashed = re.sub(r"[\s_-]+", "", text.strip().lower())
    return squashed if squashed in STATUSES else None


class Date(BaseModel):
    """A calendar date, season, range or literal text (EDTF level 1).

    ``year``/``month``/``day`` (or ``season``) are the start; ``end`` the end
    of a range (a date without a range of its own), ``open_end`` a range
    with no end ("1990/.."). ``literal`` is a date kept as text; its
    ``year`` is the first four-digit number in it, for sorting, or None.
    """

    model_config = ConfigDict(frozen=True)

    year: int | None = None
    month: int | None = None
    day: int | None = None
    season: int | None = None
    approximate: bool = False
    uncertain: bool = False
    end: Date | None = None
    open_end: bool = False
    literal: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _coerce(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return {"year": value}
        if isinstance(value, str):
            return cls._parse_str(value)
        if isinstance(value, dict) and set(value) == {"literal"}:
            return cls._literal_data(value["literal"])
        return value

    @staticmethod
    def _literal_data(text: object) -> dict[str, Any]:
        if not isinstance(text, str) or not text.strip():
            raise ValueError("a literal date needs some text")
        m = _YEAR_IN_TEXT.search(text)
        year = int(m.group(1)) if m and int(m.group(1)) > 0 else None
        return {"literal": text.strip(), "year": year}

    @classmethod
    def _point(cls, text: str) -> dict[str, Any]:
        m = _POINT.match(text)
        if not m:
            raise ValueError(f"{text!r} is not a date")
        y, mo, d, q = m.groups()
        out: dict[str, Any] = {"year": int(y)}
        if mo and 21 <= int(mo) <= 24 and not d:
            out["season"] = int(mo) - 20
        elif mo:
            out["month"] = int(mo)
            if d:
                out["day"] = int(d)
        if q in ("~", "%"):
            out["approximate"] = True
        if q in ("?", "%"):
            out["uncertain"] = True
        return out

    @classmethod
    def _parse_str(cls, text: str) -> dict[str, Any]:
        raw = text.strip()
        # today's stored form allows unpadded parts: "2014-8-29"
        m = _UNPADDED.fullmatch(raw)
        if m:
            y, mo, d = m.groups()
            if int(y) == 0 and len(y) < 4:  # "0" is a slip, not 1 BCE
                raise ValueError("year 0 is out of range: EDTF writes 1 BCE as 0000")
            raw = f"{int(y):04d}" + (f"-{int(mo):02d}" if mo else "")
            raw += f"-{int(d):02d}" if d else ""
        if "/" not in raw:
            return cls._point(raw)
        start, _, end = raw.partition("/")
        out = cls._point(start)
        if end in ("", ".."):
            out["open_end"] = True
        else:
            out["end"] = cls._point(end)
        return out

    @model_validator(mode="after")
    def _check(self) -> Date:
        if self.literal is not None:
            return self
        if self.year is None:
            raise ValueError("a date needs a year (or literal text)")
        if not -9999 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is out of range (-9999 to 9999)")
        if self.season is not None and (self.month is not None or not 1 <= self.season <= 4):
            raise ValueError(f"season {self.season} is out of range (1 to 4, no month)")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is out of range (1 to 12)")
        if self.day is not None:
            if self.month is None:
                raise ValueError("a day needs a month")
            # a year before 1 has the leap years of the one 400 years on
            # (the proleptic Gregorian calendar repeats every 400 years)
            last = calendar.monthrange(
                self.year if self.year > 0 else self.year % 400 + 400, self.month
            )[1]
            if not 1 <= self.day <= last:
                raise ValueError(f"day {self.day} is out of range for {self.year}-{self.month:02d}")
        if self.end is not None:
            if self.end.end is not None or self.end.open_end or self.end.literal is not None:
                raise ValueError("the end of a range is a single date")
            if self.open_end:
                raise ValueError("a range has an end or is open, not both")
            if self.end._order() < self._order():
                raise ValueError(f"the range {self.edtf()} ends before it starts")
        return self

    def _order(self) -> tuple[int, int, int]:
        month = self.month or (self.season * 3 if self.season else 0)
        return (self.year or 0, month, self.day or 0)

    @model_serializer
    def _ser(self) -> str | dict[str, str]:
        if self.literal is not None:
            return {"literal": self.literal}
        return self.edtf()

    # -- reading and writing -----------------------------------------------

    def _point_text(self) -> str:
        text = _year_text(self.year or 0)
        if self.season:
            text += f"-{self.season + 20}"
        elif self.month:
            text += f"-{self.month:02d}"
            if self.day:
                text += f"-{self.day:02d}"
        if self.approximate and self.uncertain:
            text += "%"
        elif self.approximate:
            text += "~"
        elif self.uncertain:
            text += "?"
        return text

    def edtf(self) -> str:
        """The EDTF text (the literal text for a literal date)."""
        if self.literal is not None:
            return self.literal
        text = self._point_text()
        if self.end is not None:
            text += "/" + self.end._point_text()
        elif self.open_end:
            text += "/.."
        return text

    def iso(self) -> str:
        """The start as YYYY[-MM[-DD]] (no season, qualifier or range)."""
        text = _year_text(self.year or 0)
        if self.month:
            text += f"-{self.month:02d}"
            if self.day:
                text += f"-{self.day:02d}"
        return text

    def __str__(self) -> str:
        return self.edtf()

    @property
    def is_simple(self) -> bool:
        """A plain YYYY[-MM[-DD]], what today's fields and BibTeX's year/month hold."""
        return self.literal is None and self.edtf() == self.iso()

    @property
    def is_range(self) -> bool:
        return self.end is not None or self.open_end

    @property
    def start(self) -> Date:
        """The start of a range (the date itself when it is no range)."""
        if not self.is_range:
            return self
        return self.model_copy(update={"end": None, "open_end": False})

    @classmethod
    def parse(cls, text: str | int) -> Date:
        """A date from EDTF text (or a year); ValueError for anything else."""
        return cls.model_validate(text)

    @classmethod
    def literal_of(cls, text: str) -> Date:
        """A date kept as text, verbatim."""
        return cls.model_validate({"literal": text})

    @classmethod
    def lenient(cls, text: str) -> tuple[Date, str | None]:
        """A date from EDTF text, else the text kept as a literal, with why."""
        try:
            return cls.parse(text), None
        except ValidationError as exc:
            errors = exc.errors()
            reason = str(errors[0]["msg"]) if errors else str(exc)
            reason = reason.removeprefix("Value error, ")
            return cls.literal_of(text), reason

    @staticmethod
    def month_number(text: str) -> int | None:
        """Month from a name, an abbreviation or a number ("aug", "August", "8")."""
        t = text.strip().lower().rstrip(".")
        if t.isdigit():
            n = int(t)
            return n if 1 <= n <= 12 else None
        return _MONTH_ABBR.get(t[:3]) if len(t) >= 3 else None
