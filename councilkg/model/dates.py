"""Dates at the precision a source gives them: a day, a month or a year.

A source may say "14th February 2020", "November 2018" or "2017". We keep that precision in
the RDF datatype (xsd:date, xsd:gYearMonth, xsd:gYear) and, where dates must be compared,
the first and last day the value can denote.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from pyoxigraph import Literal

from councilkg.model.iris import xsd

#: the months as English prose writes them, and each one's number by its name in lower case
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")
MONTHS = {name.lower(): number for number, name in enumerate(MONTH_NAMES, 1)}
#: a month's name, as a regular expression
MONTH_PATTERN = "(?:" + "|".join(MONTH_NAMES) + ")"

_PARTIAL_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
MIN_YEAR = 1900
MAX_YEAR = 2100


@dataclass(frozen=True)
class PartialDate:
    """A date known to a day, a month or a year."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> dt.date:
        if self.day is not None:
            return dt.date(self.year, self.month, self.day)  # type: ignore[arg-type]
        if self.month is not None:
            return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return dt.date(self.year, 12, 31)

    def iso(self) -> str:
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def literal(self) -> Literal:
        datatype = {"day": xsd.date, "month": xsd.gYearMonth, "year": xsd.gYear}[self.precision]
        return Literal(self.iso(), datatype=datatype)

    def __str__(self) -> str:
        return self.iso()


def parse_partial_date(value: object) -> PartialDate:
    """Parse '2017-09-19', '2019-01', '2019' (or a date or int) into a PartialDate.

    Raises ValueError with a readable reason for anything else, including impossible dates
    such as 2017-02-30.
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a date")
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    match = _PARTIAL_RE.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"{value!r} has an implausible year (expected {MIN_YEAR} to {MAX_YEAR})")
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"{value!r} has no month {month}")
    if day is not None:
        try:
            dt.date(year, month, day)  # type: ignore[arg-type]
        except ValueError:
            raise ValueError(f"{value!r} is not a calendar date") from None
    return PartialDate(year, month, day)


def date_literal(value: dt.date) -> Literal:
    return Literal(value.isoformat(), datatype=xsd.date)


#: the months a part of a year can mean, first and last: "the end of 2018", "late 2018", "spring 2017"
YEAR_PARTS = {"beginning": (1, 4), "start": (1, 4), "early": (1, 4), "middle": (5, 8), "summer": (6, 8),
              "spring": (3, 5), "autumn": (9, 11), "end": (9, 12), "late": (9, 12), "winter": (1, 12)}


def written_bounds(value: str) -> tuple[PartialDate | None, dt.date, dt.date]:
    """A start as a reader keeps it ("2016-07", "2018", "late-2018"): the partial date where it is one, and the first
    and last day it can denote (a part of a year: the months in YEAR_PARTS; winter, which straddles two years, the
    whole year). Raises ValueError for anything else."""
    part, _, year = value.partition("-")
    if part in YEAR_PARTS and year.isdigit():
        first, last = YEAR_PARTS[part]
        return None, dt.date(int(year), first, 1), PartialDate(int(year), last).latest
    partial = parse_partial_date(value)
    return partial, partial.earliest, partial.latest
