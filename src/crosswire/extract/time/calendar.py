"""Calendar arithmetic on TIMEX3 values: shift a date by units, format a date
at a granularity (day, month, ISO week, quarter, year, decade, century), and
turn a value back into an interval (`timex_to_interval`)."""
from __future__ import annotations

import calendar as _cal
import re
from datetime import date, timedelta
from typing import Optional

from dateutil.relativedelta import relativedelta

GRAN_DAY, GRAN_WEEK, GRAN_MONTH, GRAN_QUARTER, GRAN_YEAR = "day", "week", "month", "quarter", "year"
GRAN_DECADE, GRAN_CENTURY = "decade", "century"

UNIT_GRANULARITY = {"S": GRAN_DAY, "MIN": GRAN_DAY, "H": GRAN_DAY, "D": GRAN_DAY, "W": GRAN_WEEK,
                    "WE": GRAN_WEEK, "M": GRAN_MONTH, "Q": GRAN_QUARTER, "Y": GRAN_YEAR,
                    "DE": GRAN_DECADE, "CE": GRAN_CENTURY}


def shift(d: date, n: float, unit: str) -> date:
    """`d` moved by n units (D, W, WE, M, Q, Y, DE, CE; H/MIN/S count as days)."""
    n_int = int(n)
    if unit in ("D", "H", "MIN", "S"):
        return d + timedelta(days=n_int if unit == "D" else 0)
    if unit in ("W", "WE"):
        return d + timedelta(weeks=n_int)
    months = {"M": 1, "Q": 3, "Y": 12, "DE": 120, "CE": 1200}.get(unit, 0) * n_int
    return d + relativedelta(months=months)


def fmt(d: date, granularity: str) -> str:
    """TIMEX3 value of `d` at a granularity."""
    if granularity == GRAN_DAY:
        return d.isoformat()
    if granularity == GRAN_WEEK:
        year, week, _ = d.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if granularity == GRAN_MONTH:
        return f"{d.year:04d}-{d.month:02d}"
    if granularity == GRAN_QUARTER:
        return f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}"
    if granularity == GRAN_YEAR:
        return f"{d.year:04d}"
    if granularity == GRAN_DECADE:
        return f"{d.year:04d}"[:3]
    if granularity == GRAN_CENTURY:
        return f"{d.year:04d}"[:2]
    raise ValueError(granularity)


def safe_date(year: int, month: int, day: int) -> Optional[date]:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def weekday_near(anchor: date, iso_weekday: int, direction: int) -> date:
    """The day with that weekday on or before (direction < 0), on or after
    (> 0) or nearest to (0) the anchor."""
    back = (anchor.isoweekday() - iso_weekday) % 7
    forward = (iso_weekday - anchor.isoweekday()) % 7
    if direction < 0:
        return anchor - timedelta(days=back)
    if direction > 0:
        return anchor + timedelta(days=forward)
    return anchor - timedelta(days=back) if back <= forward else anchor + timedelta(days=forward)


def pick_year(anchor: date, month: int, day: Optional[int], direction: int,
              max_directed_days: int = 150) -> Optional[date]:
    """The year for a month (and day) written without one: the latest on or
    before the anchor for past reference, the earliest on or after it for
    future reference, the nearest otherwise. News rarely writes a date
    without its year when it is most of a year away, so tense only decides
    between plausible candidates: a directed pick more than
    `max_directed_days` away gives way to a nearest candidate within half of
    that (the limit is chosen on data: params.TimeParams)."""
    candidates = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        d = safe_date(year, month, day or 1)
        if d is None:
            continue
        end = d if day else date(year, month, _cal.monthrange(year, month)[1])
        candidates.append((d, end))
    if not candidates:
        return None
    nearest = min(candidates, key=lambda c: _distance(c, anchor))
    if direction < 0:
        past = [c for c in candidates if c[0] <= anchor]
        chosen = max(past) if past else candidates[0]
    elif direction > 0:
        future = [c for c in candidates if c[1] >= anchor]
        chosen = min(future) if future else candidates[-1]
    else:
        return nearest[0]
    if _distance(chosen, anchor) > max_directed_days and _distance(nearest, anchor) < max_directed_days / 2:
        return nearest[0]
    return chosen[0]


def _distance(candidate: tuple[date, date], anchor: date) -> int:
    start, end = candidate
    if start <= anchor <= end:
        return 0
    return min(abs((start - anchor).days), abs((end - anchor).days))


def easter(year: int) -> date:
    from dateutil.easter import easter as _easter
    return _easter(year)


def nth_weekday(year: int, month: int, iso_weekday: int, n: int) -> date:
    """n-th (1-based; -1 = last) weekday of a month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(iso_weekday - first.isoweekday()) % 7 + 7 * (n - 1))
    last = date(year, month, _cal.monthrange(year, month)[1])
    return last - timedelta(days=(last.isoweekday() - iso_weekday) % 7)


SEASON_MONTHS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 2)}

_VALUE_RE = re.compile(
    r"^(?P<year>\d{4})(?:-(?:(?P<month>\d\d)(?:-(?P<day>\d\d))?|W(?P<week>\d\d?)(?:-(?P<wd>\d|WE))?"
    r"|Q(?P<q>[1-4])|H(?P<h>[12])|(?P<season>SP|SU|FA|WI)))?(?:T.*)?$")


def timex_to_interval(value: Optional[str]) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """A TIMEX3 DATE/TIME value as (start ISO date, end ISO date, granularity).

    2022-01-10 -> ("2022-01-10", "2022-01-10", "day"); 2022-01 -> whole month;
    2021-W51 -> Monday..Sunday, "week"; 1998-Q3, 1998-H2, 1998-SU, 1998,
    199 (decade) and 19 (century) likewise. A time (2022-01-10T15:00) gives
    its day with granularity "time". References (PAST_REF...), durations,
    sets and values with unknown parts (XXXX-01-10) give (None, None, kind)
    where kind is "ref", "duration" or "unknown"; None gives (None, None, None).
    """
    if not value:
        return None, None, None
    if value.endswith("_REF"):
        return None, None, "ref"
    if value.startswith("P"):
        return None, None, "duration"
    if re.fullmatch(r"\d{3}", value):
        y = int(value) * 10
        return date(y, 1, 1).isoformat(), date(y + 9, 12, 31).isoformat(), GRAN_DECADE
    if re.fullmatch(r"\d{2}", value):
        y = int(value) * 100
        return date(max(1, y), 1, 1).isoformat(), date(y + 99, 12, 31).isoformat(), GRAN_CENTURY
    m = _VALUE_RE.match(value)
    if not m:
        return None, None, "unknown"
    year = int(m.group("year"))
    if m.group("day"):
        d = safe_date(year, int(m.group("month")), int(m.group("day")))
        if d is None:
            return None, None, "unknown"
        return d.isoformat(), d.isoformat(), "time" if "T" in value else GRAN_DAY
    if m.group("month"):
        month = int(m.group("month"))
        if not 1 <= month <= 12:
            return None, None, "unknown"
        return (date(year, month, 1).isoformat(),
                date(year, month, _cal.monthrange(year, month)[1]).isoformat(), GRAN_MONTH)
    if m.group("week"):
        monday = date.fromisocalendar(year, int(m.group("week")), 1)
        if m.group("wd") == "WE":
            return (monday + timedelta(days=5)).isoformat(), (monday + timedelta(days=6)).isoformat(), GRAN_WEEK
        if m.group("wd"):
            d = monday + timedelta(days=int(m.group("wd")) - 1)
            return d.isoformat(), d.isoformat(), GRAN_DAY
        return monday.isoformat(), (monday + timedelta(days=6)).isoformat(), GRAN_WEEK
    if m.group("q"):
        q = int(m.group("q"))
        first = date(year, 3 * q - 2, 1)
        last = date(year, 3 * q, _cal.monthrange(year, 3 * q)[1])
        return first.isoformat(), last.isoformat(), GRAN_QUARTER
    if m.group("h"):
        h = int(m.group("h"))
        return (date(year, 1 if h == 1 else 7, 1).isoformat(),
                date(year, 6 if h == 1 else 12, 30 if h == 1 else 31).isoformat(), "half")
    if m.group("season"):
        start_m, end_m = SEASON_MONTHS[m.group("season")]
        end_year = year + 1 if end_m < start_m else year
        return (date(year, start_m, 1).isoformat(),
                date(end_year, end_m, _cal.monthrange(end_year, end_m)[1]).isoformat(), "season")
    return date(year, 1, 1).isoformat(), date(year, 12, 31).isoformat(), GRAN_YEAR
