"""Normalisers: one small function per kind of expression, turning a rule's
named groups into a TIMEX3 (type, value, relative?) triple, or None to reject
the match. `NORMALISERS` maps the names rules.py uses to these functions.

Every function gets the groups `f` (local names) and the `State` of the scan:
the anchor date (None when unknown: values then keep X's, never a guessed
year), the text, the direction of the governing clause (read lazily from the
spaCy doc, only when a value needs it) and the last dates mentioned (for
"the 12th", "later that week", "the quarter", "a year earlier").
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable, Optional

from . import calendar as cal
from .params import DEFAULT, TimeParams
from .tense import FUTURE, PAST, direction_at
from .vocab import (DECADE_WORDS, HOLIDAYS, MONTHS, ORDINALS, PARTS_OF_DAY, SEASONS, SETS, TIME_UNITS, UNITS, VAGUE,
                    WEEKDAYS, number_value)

# The TIMEX3 guidelines write the 1990s as 199 and the 20th century as 19
# (parts of TimeBank write 199X / 19XX; the guidelines are the standard).
# Choices made on data (how far tense may move a date, the undecided
# weekday, the type of "Friday night", which rules are used) are in
# params.TimeParams, reached as `s.params`.
DECADE_SUFFIX, CENTURY_SUFFIX = "", ""

Norm = Optional[tuple[str, str, bool]]  # (type, value, resolved against the anchor?)


@dataclass
class State:
    text: str
    anchor: Optional[date]
    doc: Any = None
    start: int = 0
    end: int = 0
    ref_day: Optional[date] = None
    ref_month: Optional[date] = None
    ref_quarter: Optional[tuple[int, int, int]] = None  # (year, quarter, char offset)
    ref_year: Optional[int] = None
    params: TimeParams = DEFAULT
    _direction: Optional[int] = field(default=None, repr=False)

    def direction(self) -> int:
        """Tense/modality of the clause governing the current match."""
        if self._direction is None:
            self._direction = direction_at(self.doc, self.start, self.end, self.params)
        return self._direction

    def before(self, n: int = 30) -> str:
        return self.text[max(0, self.start - n):self.start]

    def remember(self, kind: str, value: str, rule: str) -> None:
        """Keep the last dates mentioned for anaphoric expressions (quarters
        only from explicit quarter names, so 'a year ago' does not chain)."""
        if kind not in ("DATE", "TIME"):
            return
        if value[:4].isdigit() and rule not in ("ago", "anaphoric_quarter", "year_earlier_adj"):
            self.ref_year = int(value[:4])
        m = re.match(r"^(\d{4})-(\d\d)(?:-(\d\d))?", value)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            if m.group(3):
                self.ref_day = cal.safe_date(year, month, int(m.group(3))) or self.ref_day
            self.ref_month = date(year, month, 1)
            return
        q = re.match(r"^(\d{4})-Q([1-4])$", value)
        if q and rule == "quarter":
            self.ref_quarter = (int(q.group(1)), int(q.group(2)), self.start)


# ---------------------------------------------------------------- helpers
def _month(word: Optional[str]) -> Optional[int]:
    """Month number of a capitalised month name ("may" and "march" in lower
    case are a verb and a noun, not months)."""
    if not word or not word[0].isupper():
        return None
    return MONTHS.get(word.rstrip(".").lower())


def _weekday(word: Optional[str]) -> Optional[int]:
    if not word or not word[0].isupper():
        return None
    w = word.rstrip(".").lower()
    if len(w) <= 3 and not word.endswith("."):
        return None  # "Sun", "Sat", "Wed" without a period are names, not days
    return WEEKDAYS.get(w)


def _day(word: Optional[str]) -> Optional[int]:
    return int(re.match(r"\d+", word).group(0)) if word else None


def _year(word: str) -> int:
    """'1998', "'98", 'nineteen ninety-six', 'two thousand and one'."""
    if word[:1].isalpha():
        head, _, rest = " ".join(word.lower().replace("-", " ").split()).partition(" ")
        if head == "two":  # two thousand [and] N
            rest = rest.replace("thousand", "").replace("and", "").strip()
            return 2000 + int(number_value(rest) or 0) if rest else 2000
        return 1900 + int(number_value(rest) or 0)
    digits = word.strip("'")
    y = int(digits)
    if len(digits) == 2:
        y += 1900 if y >= 30 else 2000
    return y


def _rel_sign(word: Optional[str]) -> Optional[int]:
    """-1 for last/past/previous, +1 for next/coming, 0 for this/current."""
    if not word:
        return None
    w = " ".join(word.lower().split())
    if w.startswith("the "):
        w = w[4:]
    if w in ("last", "past", "previous", "prior", "preceding", "latest", "this past"):
        return -1
    if w in ("next", "coming", "following", "upcoming", "this coming"):
        return 1
    return 0


_CAPITALISED_FUNCTION_WORDS = {"in", "on", "by", "since", "until", "last", "next", "this", "early", "late", "mid",
                               "through", "during", "from", "before", "after", "of", "and", "the", "as",
                               "for", "at", "that", "to", "till", "between", "but", "or", "every", "each"}


_AMBIGUOUS_MONTHS = {"may", "march", "june", "august", "april"}
_PREVIOUS_WORD = re.compile(r"(?:(?P<stop>[.!?])\s+)?(?P<word>[A-Za-z]+)\W*$")


def _looks_like_name(state: State, word: str) -> bool:
    """'Theresa May', 'Long March': an ambiguous month right after a
    capitalised word that is not sentence-initial, a function word or a
    dateline in capitals ("WASHINGTON, August 8")."""
    if word.lower() not in _AMBIGUOUS_MONTHS:
        return False
    prev = _PREVIOUS_WORD.search(state.before(30))
    if not prev or prev.group("stop"):
        return False
    previous = prev.group("word")
    return previous[0].isupper() and not previous.isupper() and previous.lower() not in _CAPITALISED_FUNCTION_WORDS


def _unknown_day(month: Optional[int] = None, day: Optional[int] = None) -> str:
    return f"XXXX-{month:02d}-{day:02d}" if month and day else (f"XXXX-{month:02d}" if month else "XXXX-XX-XX")


# --------------------------------------------------------------- explicit
def full_date(f, s: State) -> Norm:
    month = int(f["month"]) if f["month"].isdigit() else _month(f["month"])
    if not month:
        return None
    d = cal.safe_date(_year(f["year"]), month, _day(f["day"]))
    return ("DATE", d.isoformat(), False) if d else None


def month_year(f, s: State) -> Norm:
    month = _month(f["month"])
    if not month or (f["month"].lower() == "may" and not f["pos"] and _looks_like_name(s, f["month"])):
        return None
    return "DATE", f"{_year(f['year']):04d}-{month:02d}", False


def month_relative_year(f, s: State) -> Norm:
    """'January this year', 'June last year'."""
    month = _month(f["month"])
    if not month:
        return None
    if s.anchor is None:
        return "DATE", f"XXXX-{month:02d}", False
    year = s.anchor.year + {"this": 0, "last": -1, "next": 1}[f["ryear"].lower()]
    return "DATE", f"{year:04d}-{month:02d}", True


# --------------------------------------------------------------- relative
def month_day(f, s: State) -> Norm:
    month, day = _month(f["month"]), _day(f["day"])
    if not month:
        return None
    if s.anchor is None:
        return "DATE", _unknown_day(month, day), False
    wd = _weekday(f.get("wd"))
    if wd:  # "Monday, Oct. 26": the year in which that day is a Monday
        for year in (s.anchor.year, s.anchor.year - 1, s.anchor.year + 1):
            d = cal.safe_date(year, month, day)
            if d and d.isoweekday() == wd:
                return "DATE", d.isoformat(), True
    sign = _rel_sign(f.get("wrel"))
    direction = sign if sign else s.direction()
    d = cal.pick_year(s.anchor, month, day, direction, s.params.max_directed_days)
    return ("DATE", d.isoformat(), True) if d else None


def ordinal_day(f, s: State) -> Norm:
    """'the 12th': a day of the month last mentioned, else of the anchor's."""
    day = _day(f["day"])
    if s.ref_month is not None:
        d = cal.safe_date(s.ref_month.year, s.ref_month.month, day)
        return ("DATE", d.isoformat(), s.anchor is not None) if d else None
    if s.anchor is None:
        return "DATE", f"XXXX-XX-{day:02d}", False
    d = cal.safe_date(s.anchor.year, s.anchor.month, day)
    if d is None:
        return None
    direction = s.direction()
    if direction > 0 and d < s.anchor:
        d = cal.safe_date(*(_next_month(s.anchor)), day) or d
    elif direction < 0 and d > s.anchor:
        d = cal.safe_date(*(_prev_month(s.anchor)), day) or d
    return "DATE", d.isoformat(), True


def _next_month(d: date) -> tuple[int, int]:
    return (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)


def _prev_month(d: date) -> tuple[int, int]:
    return (d.year - 1, 12) if d.month == 1 else (d.year, d.month - 1)


def weekday(f, s: State) -> Norm:
    wd = _weekday(f["wd"])
    if not wd:
        return None
    if s.anchor is None:
        return "DATE", f"XXXX-WXX-{wd}", False
    return "DATE", _resolve_weekday(s, wd, f.get("rrel")).isoformat(), True


def _resolve_weekday(s: State, wd: int, rel: Optional[str]) -> date:
    rel_word = " ".join((rel or "").lower().split())
    if rel_word == "that" and s.ref_day:
        return cal.weekday_near(s.ref_day, wd, 0)
    sign = _rel_sign(rel_word) if rel_word not in ("", "this", "that") else None
    if sign == -1:
        return cal.weekday_near(s.anchor - timedelta(days=1), wd, -1)
    if sign == 1:
        return cal.weekday_near(s.anchor + timedelta(days=1), wd, 1)
    direction = s.direction()
    return cal.weekday_near(s.anchor, wd, direction if direction else s.params.undecided_weekday)


def month(f, s: State) -> Norm:
    m = _month(f["month"])
    if m and len(f["month"]) <= 4 and f["month"].lower() not in ("may", "june", "july"):
        return None  # a bare "Jan" or "Dec" is a name more often than a month
    if not m or (not f.get("pos") and not f.get("rrel") and _looks_like_name(s, f["month"])):
        return None
    if f["month"].lower() == "may" and not f.get("pos") and not f.get("rrel") and not _may_is_month(s):
        return None
    if not f.get("pos") and not f.get("rrel") and _NAMED_EVENT_AFTER.match(s.text[s.end:s.end + 30]):
        return None  # "the March of the Combatant Mothers", "the March for Life"
    if s.anchor is None:
        return "DATE", f"XXXX-{m:02d}", False
    sign = _rel_sign(f.get("rrel"))
    if sign == -1:  # "last October": the latest before this month, however far (no plausibility limit)
        d = cal.pick_year(date(s.anchor.year, s.anchor.month, 1) - timedelta(days=1), m, None, PAST, _NO_LIMIT)
    elif sign == 1:
        d = cal.pick_year(date(*_next_month(s.anchor), 1), m, None, FUTURE, _NO_LIMIT)
    elif sign == 0:
        d = date(s.anchor.year, m, 1)
    else:
        d = cal.pick_year(s.anchor, m, None, s.direction(), s.params.max_directed_days)
    return "DATE", cal.fmt(d, cal.GRAN_MONTH), True


_NO_LIMIT = 10 ** 6  # days: an explicit last/next is never overridden by the nearest candidate
_NAMED_EVENT_AFTER = re.compile(r"\s+(?:of|for|on|against)\s+(?:the\s+)?[A-Z]")


def _may_is_month(s: State) -> bool:
    """'May' the month follows a preposition ("in May", "since May")."""
    prev = re.search(r"([A-Za-z]+)\W*$", s.before(15))
    return bool(prev and prev.group(1).lower() in {"in", "since", "until", "by", "of", "early", "late", "mid",
                                                    "last", "next", "this", "through", "till", "before", "after",
                                                    "from", "during", "to", "and"})


def season(f, s: State) -> Norm:
    code = SEASONS[f["season"].lower()]
    rel = " ".join((f.get("srel") or "").lower().split())
    if f["season"].lower() in ("fall", "spring") and not rel and not f.get("year"):
        return None
    if rel == "the" and re.match(r"\s+of\b", s.text[s.end:s.end + 4]):
        return None  # "the fall of Rome"
    if f.get("year"):
        return "DATE", f"{_year(f['year'])}-{code}", False
    if s.anchor is None:
        return "DATE", f"XXXX-{code}", False
    return "DATE", f"{_season_year(s, code, rel)}-{code}", True


def _season_year(s: State, code: str, rel: str) -> int:
    start_month = cal.SEASON_MONTHS[code][0]
    start = date(s.anchor.year, start_month, 1)
    sign = _rel_sign(rel) if rel not in ("", "the", "that") else None
    if sign is None:
        direction = s.direction()
        sign = -1 if direction < 0 and start > s.anchor else (1 if direction > 0 and start < s.anchor - timedelta(days=90) else 0)
        return s.anchor.year + (sign if sign != 0 else 0)
    if sign == -1:
        return s.anchor.year - 1 if start > s.anchor - timedelta(days=90) else s.anchor.year
    if sign == 1:
        return s.anchor.year + 1 if start <= s.anchor else s.anchor.year
    return s.anchor.year


def holiday(f, s: State) -> Norm:
    name = " ".join(f["holiday"].lower().replace("’", "'").split())
    if not f["holiday"][0].isupper():
        return None
    rule = HOLIDAYS.get(name)
    if rule is None:
        return None
    rel = " ".join((f.get("hrel") or "").lower().split())
    if f.get("year"):
        return "DATE", _holiday_value(_holiday_date(rule, _year(f["year"])), f.get("hol_pl")), False
    if s.anchor is None:
        return "DATE", (f"XXXX-{rule[0]:02d}-{rule[1]:02d}" if isinstance(rule, tuple) else "XXXX-XX-XX"), False
    candidates = [_holiday_date(rule, y) for y in (s.anchor.year - 1, s.anchor.year, s.anchor.year + 1)]
    if rel.startswith("last"):
        d = max(c for c in candidates if c < s.anchor)
    elif rel.startswith("next"):
        d = min(c for c in candidates if c > s.anchor)
    elif rel.startswith("this"):
        d = candidates[1]
    else:
        direction = s.direction()
        if direction < 0:
            d = max(c for c in candidates if c <= s.anchor)
        elif direction > 0:
            d = min(c for c in candidates if c >= s.anchor)
        else:
            d = min(candidates, key=lambda c: abs((c - s.anchor).days))
        nearest = min(candidates, key=lambda c: abs((c - s.anchor).days))
        limit = s.params.max_directed_days
        if abs((d - s.anchor).days) > limit and abs((nearest - s.anchor).days) < limit / 2:
            d = nearest  # tense only decides between plausible candidates
    return "DATE", _holiday_value(d, f.get("hol_pl")), True


def _holiday_value(d: date, extent: Optional[str]) -> str:
    """'Easter week' is a week, 'the Thanksgiving weekend' a weekend."""
    word = (extent or "").strip().lower()
    if word == "week":
        return cal.fmt(d, cal.GRAN_WEEK)
    if word == "weekend":
        return cal.fmt(d, cal.GRAN_WEEK) + "-WE"
    return d.isoformat()


def _holiday_date(rule, year: int) -> date:
    if isinstance(rule, tuple):
        return date(year, *rule)
    computed: dict[str, Callable[[int], date]] = {
        "thanksgiving": lambda y: cal.nth_weekday(y, 11, 4, 4),
        "easter": cal.easter,
        "good_friday": lambda y: cal.easter(y) - timedelta(days=2),
        "labor_day": lambda y: cal.nth_weekday(y, 9, 1, 1),
        "memorial_day": lambda y: cal.nth_weekday(y, 5, 1, -1),
        "election_day": lambda y: cal.nth_weekday(y, 11, 1, 1) + timedelta(days=1),
    }
    return computed[rule](year)


# ------------------------------------------------------------ time of day
def _day_of(f, s: State) -> Optional[str]:
    """The date part of a time expression ('5 p.m. Tuesday'), ISO or X's."""
    if f.get("wd"):
        wd = _weekday(f["wd"])
        if wd and s.anchor:
            return _resolve_weekday(s, wd, None).isoformat()
        return f"XXXX-WXX-{wd}" if wd else None
    if f.get("mon"):
        m = _month(f["mon"])
        if not m:
            return None
        if s.anchor is None:
            return _unknown_day(m, _day(f["md"]))
        d = cal.pick_year(s.anchor, m, _day(f["md"]), 0)
        return d.isoformat() if d else None
    return _deictic_day(f.get("rel"), s)


def _deictic_day(word: Optional[str], s: State) -> Optional[str]:
    w = (word or "today").lower()
    base = s.ref_day if w == "that" and s.ref_day else s.anchor
    if base is None:
        return "XXXX-XX-XX"
    offset = {"yesterday": -1, "tomorrow": 1}.get(w, 0)
    return (base + timedelta(days=offset)).isoformat()


def clock_time(f, s: State) -> Norm:
    hour = int(f["hour"])
    minute = int(f.get("minute") or 0)
    ampm = (f.get("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if not ampm and f.get("minute") is None:
        return None
    day = _day_of(f, s)
    if day is None:
        return None
    return "TIME", f"{day}T{hour:02d}:{minute:02d}", s.anchor is not None


def noon_midnight(f, s: State) -> Norm:
    day = _day_of(f, s)
    if day is None:
        return None
    clock = {"noon": "12:00", "midday": "12:00", "midnight": "24:00"}[f["word"].lower()]
    return "TIME", f"{day}T{clock}", s.anchor is not None


def day_part(f, s: State) -> Norm:
    part = PARTS_OF_DAY[" ".join(f["part"].lower().split())]
    if f.get("wd2") and f["wd2"].lower() in ("yesterday", "today", "tomorrow"):
        day = _deictic_day(f["wd2"], s)
    elif f.get("wd2"):
        wd = _weekday(f["wd2"])
        if not wd:
            return None
        day = _resolve_weekday(s, wd, f.get("wrel")).isoformat() if s.anchor else f"XXXX-WXX-{wd}"
    elif not f.get("drel"):
        day = _deictic_day("that", s)
    else:
        rel = f["drel"].lower()
        if rel == "that" and s.ref_day is None:
            return None
        day = _deictic_day(None if rel == "this" else rel, s)
    return s.params.day_part_type, f"{day}T{part}", s.anchor is not None


# ---------------------------------------------------- quarters and years
def quarter(f, s: State) -> Norm:
    n = ORDINALS.get(" ".join(f["ord"].lower().split()))
    kind = f["qh"].lower()
    if n is None or kind == "period":
        return None
    letter = "H" if kind == "half" else "Q"
    if letter == "H":
        n = min(n, 2) if f["ord"].lower() not in ("last", "final") else 2
    year = None
    for explicit in ("qy", "qy2", "fy", "fy2"):
        if f.get(explicit):
            year = _year(f[explicit])
    if year is not None:
        return "DATE", f"{year}-{letter}{n}", False
    if s.anchor is None:
        return "DATE", f"XXXX-{letter}{n}", False
    rel = (f.get("qyear") or f.get("qrel2") or "").lower()
    if rel in ("this", "last", "next", "the"):
        year = s.anchor.year + {"this": 0, "the": 0, "last": -1, "next": 1}[rel]
        return "DATE", f"{year}-{letter}{n}", True
    months = 3 if letter == "Q" else 6
    start = date(s.anchor.year, months * (n - 1) + 1, 1)
    end = cal.shift(start, months, "M") - timedelta(days=1)
    direction = s.direction()
    year = s.anchor.year
    if start > s.anchor and direction <= 0:
        year -= 1
    elif direction > 0 and end < s.anchor - timedelta(days=100):
        year += 1
    return "DATE", f"{year}-{letter}{n}", True


def anaphoric_quarter(f, s: State) -> Norm:
    """'the quarter', 'the latest quarter', 'the year-earlier period': the
    quarter last mentioned (else the last full quarter before the anchor)."""
    qualifier = (f.get("aq") or f.get("ya") or "").lower()
    unit = (f.get("aqu") or "quarter").lower()
    if f.get("aqn"):
        return None
    year_back = "year" in qualifier or "a year" in s.text[s.start:s.end].lower()
    recent = s.ref_quarter is not None and s.start - s.ref_quarter[2] < 1500
    if unit == "period" and not (recent and qualifier in ("latest", "year-earlier", "year-ago", "same", "comparable")):
        return None
    if f.get("ya") and not recent:
        if s.anchor is None:
            return None
        return "DATE", f"{s.anchor.year - 1}", True
    if qualifier == "current" and s.anchor is not None:
        return "DATE", cal.fmt(s.anchor, cal.GRAN_QUARTER), True
    if recent:
        year, q = s.ref_quarter[0], s.ref_quarter[1]
    elif s.anchor is not None:
        last_full = cal.shift(s.anchor, -3, "M")
        year, q = last_full.year, (last_full.month - 1) // 3 + 1
    else:
        return "DATE", "XXXX-QX", False
    if qualifier in ("previous", "preceding", "prior"):
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    if year_back:
        year -= 1
    return "DATE", f"{year}-Q{q}", s.anchor is not None


def fiscal_year(f, s: State) -> Norm:
    word = f.get("fy") or f.get("fy_year")
    return "DATE", f"{_year(word):04d}", False


def decade(f, s: State) -> Norm:
    if f.get("dec"):
        return "DATE", f["dec"][:3] + DECADE_SUFFIX, False
    if f.get("decword"):
        return "DATE", f"19{DECADE_WORDS[f['decword'].lower()]}" + DECADE_SUFFIX, False
    tens = int(f["dec2"])
    return "DATE", ("19" if tens >= 20 else "20") + f["dec2"][0] + DECADE_SUFFIX, False


def century(f, s: State) -> Norm:
    word = f["cent"].lower()
    n = int(re.match(r"\d+", word).group(0)) if word[0].isdigit() else \
        {"twentieth": 20, "nineteenth": 19, "twenty-first": 21}.get(word, ORDINALS.get(word))
    if not n:
        return None
    return "DATE", f"{n - 1:02d}" + CENTURY_SUFFIX, False


def year(f, s: State) -> Norm:
    if f.get("y2k"):
        return "DATE", f"{_year(f['y2k']):04d}", False
    y = _year(f["year"])
    pos = (f.get("pos") or "").lower()
    if not pos and not _plausible_year(s, y):
        return None
    return "DATE", f"{y:04d}", False


def _plausible_year(s: State, y: int) -> bool:
    """A bare four-digit number is a year when it is near the anchor or
    reads like one (not '1500 troops')."""
    after = s.text[s.end:s.end + 12].lower()
    if re.match(r"\s+(?:people|troops|soldiers|shares|employees|workers|jobs|units|tons|miles|km|meters|feet"
                r"|acres|cars|homes|students|members|votes|cases|deaths|barrels|points|pounds|kilometers)\b", after):
        return False
    if s.anchor is not None and y > s.anchor.year + 30:
        return False
    return 1800 <= y <= 2099


# ------------------------------------------------------- offsets, units
_UNIT_GRAN = {"D": cal.GRAN_DAY, "W": cal.GRAN_WEEK, "WE": cal.GRAN_WEEK, "2W": cal.GRAN_WEEK, "M": cal.GRAN_MONTH,
              "Q": cal.GRAN_QUARTER, "Y": cal.GRAN_YEAR, "DE": cal.GRAN_YEAR, "CE": cal.GRAN_YEAR, "ML": cal.GRAN_YEAR}


def _unit_code(word: str) -> str:
    w = word.lower()
    if w in TIME_UNITS:
        return {"second": "S", "minute": "MIN", "hour": "H"}[w]
    return UNITS.get(w, UNITS.get(w.rstrip("s"), "D"))


def ago(f, s: State) -> Norm:
    unit = _unit_code(f["unit"])
    n = number_value(f["num"]) if f.get("num") else 1
    if f.get("dir2"):  # "three days later": TimeML tags the duration only
        if f.get("num") is None:
            return None
        return "DURATION", _duration_value(n, unit), False
    direction = f["dir"].lower().split()[0]
    sign = -1 if direction in ("ago", "earlier", "before", "previously", "prior") else 1
    if n is None or (f.get("num") is None and s.text[s.start:s.end].lower().split()[0].endswith("s")):
        return "DATE", "PAST_REF" if sign < 0 else "FUTURE_REF", False
    if direction in ("before", "after") and s.ref_day is None:
        return "DURATION", _duration_value(n, unit), False
    if s.anchor is None:
        return "DATE", "PAST_REF" if sign < 0 else "FUTURE_REF", False
    recent_quarter = s.ref_quarter is not None and s.start - s.ref_quarter[2] < s.params.quarter_context_chars
    if unit == "Y" and n == 1 and recent_quarter and direction in ("ago", "earlier"):
        return "DATE", f"{s.ref_quarter[0] - 1}-Q{s.ref_quarter[1]}", True
    base = s.anchor
    if direction in ("earlier", "later", "before", "after") and s.ref_day is not None and unit in ("D", "W"):
        base = s.ref_day
    step = {"DE": (10, "Y"), "CE": (100, "Y"), "ML": (1000, "Y"), "2W": (2, "W")}.get(unit, (1, unit))
    moved = cal.shift(base, sign * n * step[0], step[1]) if n == int(n) else base
    return "DATE", cal.fmt(moved, _UNIT_GRAN.get(unit, cal.GRAN_DAY)), True


def relative_unit(f, s: State) -> Norm:
    rel = " ".join(f["rrel"].lower().split())
    unit_word = f["unit"].lower()
    if unit_word in SEASONS:
        return season({"season": unit_word, "srel": rel, "year": None}, s)
    unit = _unit_code(unit_word)
    if rel in ("the past", "the last", "past", "the first", "the entire", "the whole", "the full") and not f.get("pos"):
        if rel in ("the entire", "the whole", "the full", "the first") and unit == "Y":
            return relative_unit({**f, "rrel": "this"}, s) if rel != "the first" else None
        return "DURATION", _duration_value(1, unit), False
    if s.anchor is None:
        return "DATE", {"W": "XXXX-WXX", "WE": "XXXX-WXX-WE", "M": "XXXX-XX", "Q": "XXXX-QX"}.get(unit, "XXXX"), False
    if rel in ("that", "the same") and unit == "Y" and s.ref_year is not None:
        return "DATE", f"{s.ref_year:04d}", True
    anaphoric = {"the following": 1, "the previous": -1, "the preceding": -1, "the prior": -1}.get(rel)
    if anaphoric and unit == "Y" and s.ref_year is not None:
        return "DATE", f"{s.ref_year + anaphoric:04d}", True
    if anaphoric and unit in ("M", "W") and (s.ref_day or s.ref_month):
        base = s.ref_day if unit == "W" and s.ref_day else s.ref_month
        return "DATE", cal.fmt(cal.shift(base, anaphoric, unit), _UNIT_GRAN[unit]), True
    if rel in ("that", "the same") and s.ref_day is not None:
        base, sign = s.ref_day, 0
    else:
        base, sign = s.anchor, _rel_sign(rel) or 0
    if unit == "WE":
        return "DATE", _weekend(s, base, sign), True
    step = {"DE": (10, "Y"), "CE": (100, "Y")}.get(unit, (1, unit))
    moved = cal.shift(base, sign * step[0], step[1])
    gran = {"DE": cal.GRAN_DECADE, "CE": cal.GRAN_CENTURY}.get(unit, _UNIT_GRAN.get(unit, cal.GRAN_DAY))
    return "DATE", cal.fmt(moved, gran), True


def _weekend(s: State, base: date, sign: int) -> str:
    if sign == 0:
        direction = s.direction()
        if direction < 0 and base.isoweekday() < 6:
            sign = -1
    moved = base + timedelta(weeks=sign)
    return cal.fmt(moved, cal.GRAN_WEEK) + "-WE"


def _duration_value(n: Optional[float], unit: str) -> str:
    """P3Y, PT5H, P2Y6M, PXD..."""
    if unit == "WE":
        unit, n = "D", (2 * n if n is not None else None)
    if unit == "2W":
        unit, n = "W", (2 * n if n is not None else None)
    if unit in ("DE", "CE", "ML"):
        unit, n = "Y", (n * {"DE": 10, "CE": 100, "ML": 1000}[unit] if n is not None else None)
        if n is None:
            return "PXY"
    time_part = unit in ("H", "MIN", "S")
    letter = {"MIN": "M"}.get(unit, unit)
    prefix = "PT" if time_part else "P"
    if n is None:
        return f"{prefix}X{letter}"
    if n != int(n):
        smaller = {"Y": (12, "M"), "M": (30, "D"), "W": (7, "D"), "D": (24, "H"), "H": (60, "MIN"), "Q": (3, "M"),
                   "MIN": (60, "S")}.get(unit)
        if smaller:
            whole = int(n)
            rest = round((n - whole) * smaller[0])
            if not whole or unit in ("W", "Q"):
                return _duration_value(n * smaller[0], smaller[1])
            rest_part = _duration_value(rest, smaller[1])  # e.g. PT30M
            if rest_part.startswith("PT") and not time_part:
                return f"P{whole}{letter}T{rest_part[2:]}"
            return f"{prefix}{whole}{letter}{rest_part[2 if time_part else 1:]}"
    return f"{prefix}{int(n)}{letter}"


_QUANTITY_BEFORE = re.compile(r"(?:\d|%|percent|million|billion|trillion|dollars|cents|times|once|twice|yen|euros|"
                              r"pounds|marks|francs|barrels|tons|each|rate)\W*$", re.I)


def duration(f, s: State) -> Norm:
    unit = _unit_code(f["unit"])
    num_word = f["num"].lower()
    n = number_value(num_word)
    if num_word[0].isdigit() and n is not None and n > 1000 and unit != "Y":
        return None
    if num_word in ("a", "an") and _QUANTITY_BEFORE.search(s.before(25)) and s.text[s.start:s.start + 1].lower() == "a":
        return "SET", _duration_value(1, unit), False
    if num_word in ("a", "an") and f.get("plural"):
        return None
    if f.get("adj") == "-old" or re.match(r"[\s-]+old\b", s.text[s.end:s.end + 5]):
        return None  # ages ("a 44-year-old") are not time expressions
    if unit == "Q" and ("-" in s.text[s.start:s.end] or re.match(r"\s+of\b", s.text[s.end:s.end + 4])):
        return None  # "three-quarters", "about a quarter of the vote" are fractions
    if f["unit"][0].isupper() and s.start > 0 and s.text[s.start - 1] not in "\n":
        return None  # "60 Minutes" is a programme
    if unit == "S" and num_word in ("a", "an") and re.match(r"\s+[a-z]", s.text[s.end:s.end + 3]) \
            and not re.match(r"\s+(?:or|and|to|later|earlier|ago|before|after)\b", s.text[s.end:s.end + 9]):
        return None  # "a second betrayal": the ordinal
    if num_word in ("some", "many") and not f.get("plural"):
        return None
    return "DURATION", _duration_value(n, unit), False


def half_duration(f, s: State) -> Norm:
    return "DURATION", _duration_value(0.5, _unit_code(f["unit"])), False


def vague_duration(f, s: State) -> Norm:
    unit = _unit_code(f["unit"])
    rel = (f.get("drel") or "").lower()
    if f.get("ago"):
        return "DATE", "PAST_REF", False
    if rel == "recent" and unit == "Y":
        return "DATE", "PAST_REF", False
    if unit in ("D",) and not rel and not (f.get("vq") or f.get("vq2")):
        return None
    return "DURATION", _duration_value(None, unit), False


def bare_plural(f, s: State) -> Norm:
    """'for years', 'within weeks': an unspecified number of units."""
    return "DURATION", _duration_value(None, _unit_code(f["unit"])), False


# ------------------------------------------------------------------ sets
def set_weekday(f, s: State) -> Norm:
    word = f.get("wd") or f.get("wdp")
    wd = WEEKDAYS.get(word.lower().rstrip("."))
    if not wd or not word[0].isupper():
        return None
    return "SET", f"XXXX-WXX-{wd}", False


def set_month(f, s: State) -> Norm:
    m = _month(f["month"])
    return ("SET", f"XXXX-{m:02d}", False) if m else None


def _capitalised_inside_sentence(word: str, s: State) -> bool:
    """A capitalised word that does not open a sentence, heading or quote: part of a name."""
    if not word[:1].isupper():
        return False
    before = s.before(4).rstrip(" \t")
    return bool(before) and before[-1] not in ".!?\n\"“‘'(:;-—"


def set_word(f, s: State) -> Norm:
    phrase = " ".join(f["setword"].lower().split())
    if not s.params.enabled("set:" + phrase) or _capitalised_inside_sentence(f["setword"], s):
        return None  # "the Daily Telegraph", "Hurriyet Daily News": names
    return "SET", SETS[phrase], False


# ----------------------------------------------------------- vague words
_NOT_TEMPORAL_AFTER = re.compile(r"\s+(?:account|accounts|affairs|events|prices|dollars|form|law|laws|system|"
                                  r"model|contract|contracts|generation|generations|plans?|tense|value|liabilit)", re.I)


def vague(f, s: State) -> Norm:
    phrase = " ".join(f["vague"].lower().split())
    if not s.params.enabled("vague:" + phrase):
        return None
    kind, value = VAGUE[phrase]
    if phrase in ("current", "future", "recent") and _NOT_TEMPORAL_AFTER.match(s.text[s.end:s.end + 14]):
        return None
    if phrase == "current" and re.match(r"\s+(?:quarter|year|month|week)", s.text[s.end:s.end + 10], re.I):
        return None
    if not value.startswith("@"):
        return kind, value, False
    return _deictic(kind, value, s)


def _deictic(kind: str, code: str, s: State) -> Norm:
    base_name, _, suffix = code[1:].partition(":")
    m = re.match(r"(\w+?)([+-]\d+)?$", base_name)
    name, offset = m.group(1), int(m.group(2) or 0)
    if name in ("ref_day", "ref_week"):
        base = s.ref_day or s.anchor
    else:
        base = s.anchor
    if base is None:
        return kind, {"ref_week": "XXXX-WXX", "weekend": "XXXX-WXX-WE", "anchor_year": "XXXX",
                      "anchor_month": "XXXX-XX"}.get(name, "XXXX-XX-XX") + (f"T{suffix}" if suffix else ""), False
    base = base + timedelta(days=offset)
    if name == "ref_week":
        return kind, cal.fmt(base, cal.GRAN_WEEK), True
    if name == "weekend":
        return kind, _weekend(s, base, 0), True
    if name == "anchor_year":
        return kind, cal.fmt(base, cal.GRAN_YEAR), True
    if name == "anchor_month":
        return kind, cal.fmt(base, cal.GRAN_MONTH), True
    return kind, base.isoformat() + (f"T{suffix}" if suffix else ""), True


def the_year(f, s: State) -> Norm:
    """'for the year ended June 30' is a year-long period; 'for the year'
    alone is the current year."""
    if f.get("ended") is not None:
        return "DURATION", "P1Y", False
    if s.anchor is None:
        return "DATE", "XXXX", False
    return "DATE", f"{s.anchor.year:04d}", True


NORMALISERS: dict[str, Callable[[dict, State], Norm]] = {
    fn.__name__: fn for fn in (
        full_date, month_year, month_day, ordinal_day, weekday, month, season, holiday, clock_time,
        noon_midnight, day_part, the_year, month_relative_year, quarter, anaphoric_quarter, fiscal_year, decade, century, year, ago,
        relative_unit, duration, half_duration, vague_duration, bare_plural, set_weekday, set_month, set_word, vague,
    )
}
