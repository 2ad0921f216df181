"""Word tables the time rules are written in: months, weekdays, numbers,
units, seasons, parts of day, holidays and vague references.

Each table is plain data. `PLACEHOLDERS` turns a table into a regex fragment
that rules.py patterns use as `<<NAME>>`; add a word here and every rule that
uses the placeholder learns it.
"""
from __future__ import annotations

import re

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}

WEEKDAYS: dict[str, int] = {  # ISO weekday numbers, Monday = 1
    "monday": 1, "mon": 1, "tuesday": 2, "tues": 2, "tue": 2, "wednesday": 3, "wed": 3,
    "thursday": 4, "thurs": 4, "thu": 4, "friday": 5, "fri": 5, "saturday": 6, "sat": 6,
    "sunday": 7, "sun": 7,
}

# Spelled numbers; "a"/"an" mean one; vague quantities map to None (value X).
NUMBERS: dict[str, int | None] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "a hundred": 100, "one hundred": 100, "a couple of": 2, "a couple": 2, "couple of": 2,
    "a dozen": 12, "dozen": 12, "half a": 0.5, "half an": 0.5,
    "a few": None, "few": None, "several": None, "some": None, "many": None,
}
TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
UNITS_1_9 = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
    "twentieth": 20, "twenty-first": 21, "last": 4, "final": 4,
    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
}

# Time units: the TIMEX3 duration letter and the calendar granularity code.
UNITS: dict[str, str] = {
    "second": "S", "minute": "M", "hour": "H", "day": "D", "night": "D", "week": "W", "weekend": "WE",
    "fortnight": "2W", "month": "M", "quarter": "Q", "year": "Y", "decade": "DE", "century": "CE",
    "centurie": "CE", "millennium": "ML", "millennia": "ML",
}
TIME_UNITS = {"second", "minute", "hour"}  # durations written PT...

SEASONS: dict[str, str] = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}

PARTS_OF_DAY: dict[str, str] = {
    "morning": "MO", "afternoon": "AF", "mid-afternoon": "AF", "mid afternoon": "AF", "evening": "EV",
    "night": "NI", "overnight": "NI",
}

# Fixed-date holidays (month, day); movable ones are computed in normalise.py.
HOLIDAYS: dict[str, tuple[int, int] | str] = {
    "new year's day": (1, 1), "new year's eve": (12, 31), "new year's": (1, 1), "new year": (1, 1),
    "christmas day": (12, 25), "christmas eve": (12, 24), "christmas": (12, 25),
    "valentine's day": (2, 14), "independence day": (7, 4), "halloween": (10, 31),
    "veterans day": (11, 11), "boxing day": (12, 26), "may day": (5, 1),
    "thanksgiving day": "thanksgiving", "thanksgiving": "thanksgiving", "easter sunday": "easter",
    "easter": "easter", "good friday": "good_friday", "labor day": "labor_day", "memorial day": "memorial_day",
    "election day": "election_day",
}

# Vague and deictic references: phrase -> (TIMEX3 type, value or a code the
# normaliser resolves: "@anchor" = the anchor day, "@ref_week" = the week of
# the last date mentioned, "@ref_day" = the last date mentioned).
VAGUE: dict[str, tuple[str, str]] = {
    "now": ("DATE", "PRESENT_REF"), "right now": ("DATE", "PRESENT_REF"), "just now": ("DATE", "PRESENT_REF"),
    "currently": ("DATE", "PRESENT_REF"), "current": ("DATE", "PRESENT_REF"), "nowadays": ("DATE", "PRESENT_REF"),
    "these days": ("DATE", "PRESENT_REF"), "at present": ("DATE", "PRESENT_REF"), "presently": ("DATE", "PRESENT_REF"),
    "the present": ("DATE", "PRESENT_REF"),
    "recently": ("DATE", "PAST_REF"), "more recently": ("DATE", "PAST_REF"),
    "the past": ("DATE", "PAST_REF"), "formerly": ("DATE", "PAST_REF"),
    "lately": ("DATE", "PAST_REF"),
    "recent": ("DATE", "PAST_REF"), "future": ("DATE", "FUTURE_REF"), "soon": ("DATE", "FUTURE_REF"),
    "previously": ("DATE", "PAST_REF"), "once": ("DATE", "PAST_REF"),
    "the future": ("DATE", "FUTURE_REF"),
    "the near future": ("DATE", "FUTURE_REF"), "the near term": ("DATE", "FUTURE_REF"),
    "the short term": ("DATE", "FUTURE_REF"), "the long term": ("DATE", "FUTURE_REF"),
    "the medium term": ("DATE", "FUTURE_REF"), "the long run": ("DATE", "FUTURE_REF"),
    "the short run": ("DATE", "FUTURE_REF"), "as soon as possible": ("DATE", "FUTURE_REF"),
    "the medium and long terms": ("DATE", "FUTURE_REF"), "the short and medium terms": ("DATE", "FUTURE_REF"),
    "the medium and long term": ("DATE", "FUTURE_REF"), "the short and long term": ("DATE", "FUTURE_REF"),
    "the short and medium term": ("DATE", "FUTURE_REF"), "the medium to long term": ("DATE", "FUTURE_REF"),
    "the years ahead": ("DURATION", "PXY"), "the months ahead": ("DURATION", "PXM"),
    "the weeks ahead": ("DURATION", "PXW"), "the days ahead": ("DURATION", "PXD"),
    "today": ("DATE", "@anchor"), "tonight": ("DATE", "@anchor:NI"), "yesterday": ("DATE", "@anchor-1"),
    "tomorrow": ("DATE", "@anchor+1"), "the day before yesterday": ("DATE", "@anchor-2"),
    "the day after tomorrow": ("DATE", "@anchor+2"), "last night": ("DATE", "@anchor-1:NI"),
    "earlier in the day": ("DATE", "@anchor"), "later in the day": ("DATE", "@anchor"),
    "earlier today": ("DATE", "@anchor"), "later today": ("DATE", "@anchor"),
    "earlier that day": ("DATE", "@ref_day"), "later that day": ("DATE", "@ref_day"),
    "that same day": ("DATE", "@ref_day"), "the same day": ("DATE", "@ref_day"),
    "the next day": ("DATE", "@ref_day+1"), "the following day": ("DATE", "@ref_day+1"),
    "the previous day": ("DATE", "@ref_day-1"), "the day before": ("DATE", "@ref_day-1"),
    "the next morning": ("DATE", "@ref_day+1"), "the following morning": ("DATE", "@ref_day+1"),
    "earlier in the year": ("DATE", "@anchor_year"), "later in the year": ("DATE", "@anchor_year"),
    "the fiscal year": ("DURATION", "P1Y"),
    "later that week": ("DATE", "@ref_week"), "earlier that week": ("DATE", "@ref_week"),
    "that week": ("DATE", "@ref_week"), "the same week": ("DATE", "@ref_week"),
    "the weekend": ("DATE", "@weekend"), "this weekend": ("DATE", "@weekend"),
    "year-end": ("DATE", "@anchor_year"), "the year-end": ("DATE", "@anchor_year"),
    "year end": ("DATE", "@anchor_year"), "year's end": ("DATE", "@anchor_year"),
    "a later date": ("DATE", "FUTURE_REF"), "a future date": ("DATE", "FUTURE_REF"),
    "a later stage": ("DATE", "FUTURE_REF"),
    "the end of the year": ("DATE", "@anchor_year"), "the end of this year": ("DATE", "@anchor_year"),
    "the full year": ("DATE", "@anchor_year"), "the whole year": ("DATE", "@anchor_year"),
    "the end of the month": ("DATE", "@anchor_month"), "the end of this month": ("DATE", "@anchor_month"),
}

# Set (frequency) words: phrase -> value.
SETS: dict[str, str] = {
    "daily": "P1D", "every day": "P1D", "each day": "P1D", "a day": "P1D", "per day": "P1D",
    "nightly": "P1D", "every night": "P1D", "weekly": "P1W", "every week": "P1W", "each week": "P1W",
    "per week": "P1W", "monthly": "P1M", "every month": "P1M", "each month": "P1M", "per month": "P1M",
    "every quarter": "P1Q", "each quarter": "P1Q", "annually": "P1Y", "yearly": "P1Y",
    "every year": "P1Y", "each year": "P1Y", "per year": "P1Y", "per annum": "P1Y", "hourly": "PT1H",
    "every hour": "PT1H", "per hour": "PT1H", "biweekly": "P2W", "semiannually": "P6M",
}


def alternation(words) -> str:
    """Regex alternation of words, longest first (so 'sept' beats 'sep'),
    spaces matching any whitespace; ties alphabetical, so the pattern is the
    same string in every process (the shipped dispatch tables are keyed on it)."""
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered) + ")"


def _names_then_abbreviations(table) -> str:
    """Full names match bare; abbreviations may take a period ("Jan.",
    "Sept.") but a full name never swallows the sentence's full stop."""
    full = [w for w in table if len(w) > 4 or w in ("may", "june", "july")]
    abbreviations = [w for w in table if w not in full]
    return "(?:" + alternation(full) + "|" + alternation(abbreviations) + r"\.?)"


_SPELLED_YEAR_END = ("(?:" + "|".join(f"{t}(?:[\\s-]+(?:" + "|".join(UNITS_1_9) + "))?" for t in TENS)
                     + "|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)")
DECADE_WORDS = {"twenties": 2, "thirties": 3, "forties": 4, "fifties": 5, "sixties": 6, "seventies": 7,
                "eighties": 8, "nineties": 9}

_NUM_WORDS = [f"{t}[\\s-]+{u}" for t in TENS for u in UNITS_1_9]

PLACEHOLDERS: dict[str, str] = {
    "MONTH": _names_then_abbreviations(MONTHS),
    "WEEKDAY": _names_then_abbreviations(WEEKDAYS),
    "DAY": r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?!\d|:\d)",
    "YEAR": r"(?:1[5-9]\d\d|20\d\d)(?![\d:])|nineteen[\s-]+" + _SPELLED_YEAR_END,
    "DECADE_WORD": r"(?:twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)",
    "NUM": "(?:" + r"\d+(?:\.\d+)?(?:\s+1/2)?|" + "|".join(_NUM_WORDS) + "|"
           + alternation(NUMBERS)[3:-1] + ")",
    "UNIT": r"(?:second|minute|hour|day|night|weekend|week|fortnight|month|quarter|year|decade|century|centurie"
            r"|millennium|millennia)",
    "ORD": alternation(ORDINALS),
    "SEASON": alternation(SEASONS),
    "PART": alternation(PARTS_OF_DAY),
    "HOLIDAY": alternation(HOLIDAYS),
    "VAGUE": alternation(VAGUE),
    "SETWORD": alternation(SETS),
    "DMOD": r"(?:about|around|approximately|nearly|almost|roughly|some|more\s+than|less\s+than|over(?!\s+the\b)|under(?!\s+the\b)"
            r"|at\s+least|at\s+most|up\s+to|no\s+more\s+than|no\s+less\s+than|fewer\s+than|just|only"
            r"|well\s+over|as\s+many\s+as|as\s+long\s+as|the\s+better\s+part\s+of|close\s+to)",
    "POSMOD": r"(?:early|late|mid|the\s+end\s+of|the\s+beginning\s+of|the\s+start\s+of|the\s+middle\s+of"
              r"|the\s+first\s+half\s+of|the\s+second\s+half\s+of)",
}


def number_value(text: str) -> float | None:
    """'twenty-four' -> 24, '2 1/2' -> 2.5, 'several' -> None."""
    t = " ".join(text.lower().replace("-", " ").split())
    if not t:
        return None
    if t[0].isdigit():
        whole, _, frac = t.partition(" ")
        return float(whole.replace(",", "")) + (0.5 if frac == "1/2" else 0.0)
    if t in NUMBERS:
        return NUMBERS[t]
    parts = t.split()
    if len(parts) == 2 and parts[0] in NUMBERS and parts[1] in NUMBERS:
        return (NUMBERS[parts[0]] or 0) + (NUMBERS[parts[1]] or 0)
    return None
