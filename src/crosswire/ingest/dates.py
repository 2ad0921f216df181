"""Publication dates: date lines at the top of plain text, and metadata values.

Date lines are recognised with explicit patterns rather than a permissive
parser: a line only counts as a date line when *all* of it is date material
(a date, a clock time, a weekday, "Updated 3 years ago", "Published:"), so a
body sentence that merely contains a date is never mistaken for one.
"""
from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Optional

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10,
    "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
            "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun")

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\.?,?\s+)?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_TIME = (r"(?:(?:,|\s+at|\s*-)?\s+\d{1,2}[:.]\d\d(?:[:.]\d\d)?\s*(?:[ap]\.?m\.?)?"
         r"(?:\s*\(?(?:[A-Z]{2,5}|UTC[+-]?\d*|GMT[+-]?\d*|[+-]\d\d:?\d\d)\)?)?)?")
_LABEL = (r"(?:(?:first\s+)?(?:published|posted|updated|last\s+updated|last\s+modified|modified|date|dated)"
          r"(?:\s+on)?\s*:?\s+)?")

# Date shapes, each a full-segment pattern with named day/month/year groups.
DATE_SHAPES: tuple[str, ...] = (
    _LABEL + _WEEKDAY + _DAY + r"\s+" + _MONTH + r",?\s+" + _YEAR + _TIME,      # 28 Dec, 2021 09:16
    _LABEL + _WEEKDAY + _MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR + _TIME,      # Friday, January 4, 2019
    _LABEL + r"(?P<iso>(?P<year>(?:19|20)\d\d)-(?P<imonth>\d\d)-(?P<day>\d\d))"
    r"(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?" + _TIME,          # 2021-12-28T09:16Z
)
_DATE_RES = tuple(re.compile(r"^\s*" + shape + r"\s*[.,]?\s*$", re.I) for shape in DATE_SHAPES)
# The same shapes at the start of a lede: "December 28, 2021 — Russia said ..."
_LEDE_RES = tuple(re.compile(r"^\s*" + shape + r"\s*(?:—|–|--|-)\s+(?=\S)", re.I) for shape in DATE_SHAPES)

# Segments that may share a date line but carry no date of their own.
NOISE_SEGMENTS: tuple[re.Pattern[str], ...] = tuple(re.compile(p, re.I) for p in (
    r"^(?:updated|published|posted|modified|last\s+updated)?\s*:?\s*(?:about\s+|over\s+|almost\s+)?"
    r"(?:\d+|an?|one)\s+(?:second|minute|hour|day|week|month|year)s?\s+ago\.?$",
    r"^(?:updated|published|posted)?\s*:?\s*(?:today|yesterday|just\s+now)\.?$",
    r"^\d{1,2}[:.]\d\d(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,5})?$",
    r"^(?:updated|last\s+updated)$",
    r"^\d+\s+min(?:ute)?s?\s+read$",
))
SEGMENT_SEPARATORS = re.compile(r"\s+[/|·•]\s+|\s+[—–]\s+")


def date_from_match(match: re.Match[str]) -> Optional[str]:
    """ISO date from a DATE_SHAPES match, or None when it is not a real day."""
    groups = match.groupdict()
    month = int(groups["imonth"]) if groups.get("imonth") else MONTHS[groups["month"].lower()]
    try:
        return _dt.date(int(groups["year"]), month, int(groups["day"])).isoformat()
    except ValueError:
        return None


def parse_date_segment(segment: str) -> Optional[str]:
    for regex in _DATE_RES:
        match = regex.match(segment)
        if match:
            return date_from_match(match)
    return None


def is_noise_segment(segment: str) -> bool:
    return any(p.match(segment.strip()) for p in NOISE_SEGMENTS)


def dateline_date(line: str) -> Optional[str]:
    """The date of a line made only of date material, e.g.
    "28 Dec, 2021 09:16 / Updated 3 years ago" -> "2021-12-28"; else None."""
    if len(line) > 120:
        return None
    found: Optional[str] = None
    for segment in SEGMENT_SEPARATORS.split(line.strip()):
        if not segment.strip():
            continue
        date = parse_date_segment(segment)
        if date:
            found = found or date
        elif not is_noise_segment(segment):
            return None
    return found


def lede_date(line: str) -> Optional[tuple[str, int]]:
    """("2021-12-28", prefix length) when a paragraph opens with a bare date and
    a dash ("December 28, 2021 — Russia said ..."); else None."""
    for regex in _LEDE_RES:
        match = regex.match(line)
        if match:
            date = date_from_match(match)
            return (date, match.end()) if date else None
    return None


_HAS_YEAR = re.compile(r"(?:19|20)\d\d")


def normalise_date(value: Any) -> Optional[str]:
    """An ISO date from a metadata value: ISO strings, RFC 822 feed dates,
    "January 4, 2019", datetime/date objects, time.struct_time. The local date
    as written is kept (no conversion to UTC). Values without a year are
    refused rather than guessed."""
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if hasattr(value, "tm_year"):
        try:
            return _dt.date(value.tm_year, value.tm_mon, value.tm_mday).isoformat()
        except ValueError:
            return None
    text = str(value).strip()
    if not _HAS_YEAR.search(text):
        return None
    quick = parse_date_segment(text)
    if quick:
        return quick
    from dateutil import parser as dateparser

    try:
        return dateparser.parse(text, fuzzy=False).date().isoformat()
    except (ValueError, OverflowError, TypeError):
        return None
