"""The recognition rules, as a table.

Each `Rule` is a name, a regex pattern written with `<<PLACEHOLDER>>`s from
vocab.PLACEHOLDERS and named groups, the default TIMEX3 type, and the name of
the normaliser in normalise.NORMALISERS that turns the groups into a value.

The semantics are those of ONE regex, the alternation of all rules in table
order (COMBINED_ANYCASE): at each position the first rule that matches wins,
so ORDER MATTERS: longer, more specific rules come first ("January 10, 2022"
before "January 10" before "January"). For speed the scan (tagger.scan) runs
each rule's own regex on lower-cased text, only at words that rule can open
with (dispatch.py reads them from the patterns), which gives the same result.
Write patterns in lower case; normalisers see the original text and reject
lower-case month names. To add a pattern: add a Rule in the right place,
reuse an existing normaliser or write a small one in normalise.py, add a test.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .dispatch import candidate_regex, load_tables
from .vocab import PLACEHOLDERS


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: str
    type: str
    normalise: str


_DAYREF = r"(?:(?P<wd>(?:<<WEEKDAY>>))|(?P<mon>(?:<<MONTH>>))\s+(?P<md>(?:<<DAY>>))|(?P<rel>today|yesterday|tomorrow|tonight))"
_QYEAR = r"(?:(?P<qyear>this|last|next)\s+year's|(?P<qy>(?:<<YEAR>>))(?:'s)?|(?P<fiscal>fiscal)(?:\s+(?P<fy>(?:<<YEAR>>)))?)"

RULES: list[Rule] = [
    # --- times of day -------------------------------------------------------
    Rule("clock_time",
         r"(?:(?:around|about|approximately|shortly\s+(?:after|before))\s+)?(?P<hour>[01]?\d|2[0-3])(?:[:.](?P<minute>[0-5]\d))?"
         r"\s*(?P<ampm>a\.m\b\.?|p\.m\b\.?|am\b|pm\b)(?:\s*(?P<tz>[ecmp][sd]t|gmt|utc)\b)?"
         r"(?:,?\s+(?:on\s+)?" + _DAYREF + ")?", "TIME", "clock_time"),
    Rule("clock_24h", r"(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?:\s*(?P<tz>[ecmp][sd]t|gmt|utc|local\s+time)\b)?",
         "TIME", "clock_time"),
    Rule("noon_midnight", r"(?P<word>noon|midnight|midday)(?:,?\s+(?:on\s+)?" + _DAYREF + ")?", "TIME", "noon_midnight"),
    Rule("weekday_part",
         r"(?:(?P<pmod>early|late)\s+)?(?:(?P<wrel>last|this|next|that)\s+)?(?P<wd2>(?:<<WEEKDAY>>))\s+(?P<part>(?:<<PART>>))",
         "DATE", "day_part"),
    Rule("deictic_part",
         r"(?:(?P<pmod>early|late|later|earlier)\s+)?(?P<drel>this|yesterday|tomorrow|today|that)\s+(?P<part>(?:<<PART>>))",
         "DATE", "day_part"),
    Rule("part_of_weekday", r"(?P<part>(?:<<PART>>))\s+(?P<wd2>(?:<<WEEKDAY>>)|yesterday|today|tomorrow)", "DATE", "day_part"),
    # --- fully specified dates ----------------------------------------------
    Rule("month_day_year",
         r"(?:(?:<<WEEKDAY>>),?\s+)?(?:(?P<pos>(?:<<POSMOD>>))[\s-]+)?(?P<month>(?:<<MONTH>>))\s+(?P<day>(?:<<DAY>>)),?\s+(?P<year>(?:<<YEAR>>))",
         "DATE", "full_date"),
    Rule("day_month_year",
         r"(?:(?:<<WEEKDAY>>),?\s+)?(?:the\s+)?(?P<day>(?:<<DAY>>))(?:\s+of)?\s+(?P<month>(?:<<MONTH>>)),?\s+(?P<year>(?:<<YEAR>>))",
         "DATE", "full_date"),
    Rule("iso_date", r"(?P<year>(?:<<YEAR>>))-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12]\d|3[01])(?!\d)", "DATE", "full_date"),
    Rule("us_numeric_date", r"(?P<month>0?[1-9]|1[0-2])/(?P<day>0?[1-9]|[12]\d|3[01])/(?P<year>(?:<<YEAR>>)|\d\d)(?![\d/])",
         "DATE", "full_date"),
    Rule("month_year",
         r"(?:(?P<pos>(?:<<POSMOD>>))[\s-]+)?(?P<month>(?:<<MONTH>>)),?\s+(?:of\s+)?(?P<year>(?:<<YEAR>>))", "DATE", "month_year"),
    Rule("month_relative_year",
         r"(?:(?P<pos>(?:<<POSMOD>>))[\s-]+)?(?P<month>(?:<<MONTH>>)),?\s+(?:of\s+)?(?P<ryear>this|last|next)\s+year", "DATE",
         "month_relative_year"),
    # --- day and month without a year ---------------------------------------
    Rule("month_day",
         r"(?:(?P<wrel>this\s+coming|this|next|last)\s+)?(?:(?P<wd>(?:<<WEEKDAY>>)),?\s+)?(?:(?P<pos>early|late|mid)[\s-]+)?"
         r"(?P<month>(?:<<MONTH>>))\s+(?P<day>(?:<<DAY>>))(?!\s*(?:%|percent|,\d|\.\d|-\w))",
         "DATE", "month_day"),
    Rule("day_month",
         r"(?:(?P<wd>(?:<<WEEKDAY>>)),?\s+)?(?:the\s+)?(?P<day>(?:<<DAY>>))(?:\s+of)?\s+(?P<month>(?:<<MONTH>>))",
         "DATE", "month_day"),
    Rule("holiday",
         r"(?:(?P<hrel>last|next|this|this\s+year's|last\s+year's|next\s+year's|the)\s+)?(?P<holiday>(?:<<HOLIDAY>>))"
         r"(?P<hol_pl>\s+(?:holidays?|holiday\s+season|break|weekend|week))?(?:,?\s+(?P<year>(?:<<YEAR>>)))?",
         "DATE", "holiday"),
    # --- quarters, halves, fiscal years, decades, centuries ----------------
    Rule("quarter",
         r"(?:(?:the|its|their|a|this|last|next|the\s+latest)\s+)?(?:" + _QYEAR + r"\s+)?(?P<ord>(?:<<ORD>>))[\s-]+(?P<qh>quarter|half|period)"
         r"(?:\s+of\s+(?:(?P<qy2>(?:<<YEAR>>))|(?P<qrel2>this|last|next|the)\s+(?:fiscal\s+)?year|fiscal\s+(?P<fy2>(?:<<YEAR>>))))?",
         "DATE", "quarter"),
    Rule("anaphoric_quarter",
         r"the\s+(?P<aq>latest|current|year-earlier|year-ago|same|previous|preceding|comparable|prior|fiscal)?\s*"
         r"(?:(?P<aqn>third|second|first|fourth)\s+)?(?P<aqu>quarter|period)(?!\w)(?:\s+a\s+year\s+(?:earlier|ago))?",
         "DATE", "anaphoric_quarter"),
    Rule("year_earlier_adj", r"(?P<ya>year-earlier|year-ago|a\s+year-earlier)", "DATE", "anaphoric_quarter"),
    Rule("fiscal_year",
         r"(?:(?P<frel>the|this|last|next|its)\s+)?(?:(?P<fy_year>(?:<<YEAR>>))\s+fiscal\s+year|fiscal(?:\s+year)?\s+(?P<fy>(?:<<YEAR>>)|'\d\d))(?:'s)?",
         "DATE", "fiscal_year"),
    Rule("decade",
         r"(?:the\s+)?(?:(?P<pos>early|late|mid)[\s-]*)?(?:(?P<dec>1[5-9]\d0|20\d0)'?s|'(?P<dec2>\d0)'?s)(?!\w)",
         "DATE", "decade"),
    Rule("decade_word", r"the\s+(?:(?P<pos>early|late|mid)[\s-]*)?(?P<decword>(?:<<DECADE_WORD>>))", "DATE", "decade"),
    Rule("year_two_thousand", r"the\s+year\s+(?P<y2k>two\s+thousand(?:[\s-]+(?:and[\s-]+)?(?:one|two|three|four|five|six|seven|eight|nine|ten))?)",
         "DATE", "year"),
    Rule("century",
         r"(?:the\s+)?(?P<cent>(?:\d{1,2}(?:st|nd|rd|th))|(?:<<ORD>>)|twentieth|nineteenth|twenty-first)\s+century",
         "DATE", "century"),
    # --- offsets from the anchor: "three years ago", "a year earlier" ------
    Rule("ago",
         r"(?:(?:<<DMOD>>)\s+)?(?:(?P<num>(?:<<NUM>>))[\s-]+)?(?:(?:more|full)\s+)?(?:(?:trading|business|calendar|working)\s+)?"
         r"(?P<unit>(?:<<UNIT>>))s?(?:\s+(?P<dir>ago|earlier|from\s+now|hence|previously)(?!\s+(?:than|that)\b)|(?=\s+(?P<dir2>later|before|after|prior)\b))",
         "DATE", "ago"),
    # --- this / last / next unit --------------------------------------------
    Rule("relative_unit",
         r"(?:(?P<pos>early|late|earlier|later|the\s+end\s+of|the\s+beginning\s+of|the\s+start\s+of|the\s+middle\s+of|the\s+rest\s+of|the\s+remainder\s+of)\s+)?"
         r"(?P<rrel>this\s+past|this\s+coming|this|last|next|the\s+past|the\s+last|the\s+coming|the\s+previous|the\s+prior|the\s+preceding"
         r"|the\s+following|the\s+current|the\s+upcoming|the\s+next|the\s+same|the\s+latest|the\s+first|the\s+entire|the\s+whole|the\s+full|past|previous|coming|current|upcoming|that)"
         r"\s+(?:(?P<fiscal>fiscal|calendar)\s+)?(?P<unit>weekend|week|month|quarter|year|decade|century|(?:<<SEASON>>))(?!-)",
         "DATE", "relative_unit"),
    Rule("relative_weekday",
         r"(?:(?P<pos>early|late)\s+)?(?P<rrel>this\s+past|this\s+coming|last|next|this|that|coming|the\s+following|the\s+previous)\s+(?P<wd>(?:<<WEEKDAY>>))",
         "DATE", "weekday"),
    Rule("relative_month",
         r"(?:(?P<pos>early|late|mid)[\s-]+)?(?P<rrel>this\s+past|this\s+coming|last|next|this|coming)\s+(?P<month>(?:<<MONTH>>))(?!\s*\d)",
         "DATE", "month"),
    # --- durations ------------------------------------------------------------
    Rule("duration",
         r"(?:(?:<<DMOD>>)\s+)?(?:(?:the|a|an|each\s+of\s+the|all|its|their)\s+)?(?:(?P<drel>past|last|next|first|coming|previous|following|final"
         r"|remaining|additional|initial|upcoming|same|ensuing|latest|recent|intervening|other)\s+)?(?P<num>(?:<<NUM>>))"
         r"(?:\s+(?:or|to)\s+(?:so|(?:<<NUM>>)))?[\s-]+(?:(?:more|additional|straight|consecutive|full|trading|business|calendar|working|long|extra|separate)\s+)?"
         r"(?P<unit>(?:<<UNIT>>))(?P<plural>s)?(?P<adj>-(?:old|long))?(?:\s+or\s+so)?(?!\s+(?:of\s+age|old)\b)",
         "DURATION", "duration"),
    Rule("half_duration",
         r"(?:(?:<<DMOD>>)\s+)?(?P<half>half\s+an?|a\s+half)[\s-]+(?P<unit>hour|day|year|month|century|decade)", "DURATION", "half_duration"),
    Rule("vague_duration",
         r"(?:(?:<<DMOD>>)\s+)?(?:(?:the|these|those)\s+)?(?:(?P<drel>past|last|next|coming|upcoming|recent|previous|following|early|first|ensuing|final|intervening)\s+"
         r"(?:(?P<vq>few|several|many|couple\s+of)\s+)?|(?P<vq2>a\s+few|few|several|many|some|a\s+couple\s+of|countless|numerous)\s+)"
         r"(?P<unit>(?:<<UNIT>>))s(?!\w)(?:\s+(?P<ago>ago))?",
         "DURATION", "vague_duration"),
    Rule("bare_plural_units", r"(?:(?<=for )|(?<=within )|(?<=over )|(?<=in )|(?<=after ))(?P<unit>minute|hour|day|week|month|year)s(?!\w)",
         "DURATION", "bare_plural"),
    Rule("plural_units", r"(?P<unit>decade|centurie|millennia)s(?P<ago>\s+ago)?(?![\w'’-])", "DURATION", "vague_duration"),
    # --- sets -----------------------------------------------------------------
    Rule("set_each_weekday", r"(?:every|each)\s+(?P<wd>(?:<<WEEKDAY>>))|(?P<wdp>monday|tuesday|wednesday|thursday|friday|saturday|sunday)s(?!\w)",
         "SET", "set_weekday"),
    Rule("set_each_month", r"(?:every|each)\s+(?P<month>(?:<<MONTH>>))", "SET", "set_month"),
    Rule("set_word", r"(?P<setword>(?:<<SETWORD>>))", "SET", "set_word"),
    # --- vague and deictic references -----------------------------------------
    Rule("vague", r"(?P<vague>(?:<<VAGUE>>))(?!-)", "DATE", "vague"),
    # --- single calendar names --------------------------------------------------
    Rule("weekday", r"(?:(?P<pos>early|late)\s+)?(?P<wd>(?:<<WEEKDAY>>))(?:'s)?", "DATE", "weekday"),
    Rule("month",
         r"(?:(?P<pos>(?:<<POSMOD>>))[\s-]+)?(?P<month>(?:<<MONTH>>))(?!\s*\d)", "DATE", "month"),
    Rule("season",
         r"(?:(?P<pos>early|late|mid)[\s-]+)?(?:(?P<srel>this\s+past|this|last|next|the|that|coming)\s+)?(?P<season>(?:<<SEASON>>))"
         r"(?:\s+(?:of\s+)?(?P<year>(?:<<YEAR>>)))?",
         "DATE", "season"),
    Rule("year",
         r"(?:(?P<pos>(?:<<POSMOD>>)|calendar|the\s+year|fiscal)[\s-]+)?(?P<year>(?:<<YEAR>>))(?P<range>-(?:\d\d|(?:<<YEAR>>)))?(?:'s)?"
         r"(?!\s*(?:%|percent|\$|-(?!\d))|[.,]\d)",
         "DATE", "year"),
    Rule("bare_part", r"(?:the|mid|early|late)[\s-]+(?P<part>morning|afternoon|evening)", "DATE", "day_part"),
    Rule("the_year", r"(?<=for |.in )the\s+(?P<fisc>fiscal\s+)?year(?!\s+(?:ago|earlier|later|before|after|end)\b)(?:(?=\s+end(?:ed|ing)\b)(?P<ended>))?",
         "DATE", "the_year"),
    Rule("ordinal_day",
         r"the\s+(?P<day>(?:3[01]|[12]\d|[1-9])(?:st|nd|rd|th))(?=\s*(?:[.,;:!?)\"”']|$)|\s+(?:and|or|to|through|at|in|when|as|but|until|with|of\s+(?:this|next|last|the)\s+month)\b)",
         "DATE", "ordinal_day"),
]


def _expand(pattern: str) -> str:
    return re.sub(r"<<(\w+)>>", lambda m: PLACEHOLDERS[m.group(1)], pattern)


def compile_rules(rules: list[Rule], flags: int = re.IGNORECASE):
    """One regex for all rules. Every rule becomes a named group `r<i>`; its
    own groups are renamed `r<i>_<name>` so rules can reuse group names.
    Returns (regex, {group name: (rule, {local name: global name})})."""
    parts = []
    index = {}
    for i, rule in enumerate(rules):
        # patterns are matched against lower-cased text: no capitals outside escapes
        bare = re.sub(r"<<\w+>>|\(\?P<|\\[A-Z]", "", rule.pattern)
        assert not re.search(r"[A-Z]", bare), f"rule {rule.name}: write patterns in lower case"
        local_names = {}

        def rename(m, i=i, local_names=local_names):
            local_names[m.group(1)] = f"r{i}_{m.group(1)}"
            return f"(?P<r{i}_{m.group(1)}>"

        body = re.sub(r"\(\?P<(\w+)>", rename, _expand(rule.pattern))
        parts.append(f"(?P<r{i}>{body})")
        index[f"r{i}"] = (rule, local_names)
    combined = _EDGE_BEFORE + "|".join(parts) + _EDGE_AFTER
    return re.compile(combined, flags), index


_EDGE_BEFORE, _EDGE_AFTER = r"(?<![\w$£€/])(?:", r")(?![\w/])"


def compile_single(rule: Rule):
    """One rule alone, for the dispatching scan (matched on lower-cased text)."""
    return re.compile(_EDGE_BEFORE + _expand(rule.pattern) + _EDGE_AFTER)


# COMBINED_ANYCASE: every rule in one regex (the reference scan, and the
# fallback for text whose lower-casing changes its length). SINGLE: each rule
# alone; DISPATCH: opening word -> the rules that can start with it.
COMBINED_ANYCASE, RULE_INDEX = compile_rules(RULES)
SINGLE = [compile_single(rule) for rule in RULES]
def rule_patterns() -> list[str]:
    """Each rule's expanded pattern, in table order (what dispatch.py reads)."""
    return [_expand(rule.pattern) for rule in RULES]


DISPATCH, EVERYWHERE, DISPATCH2 = load_tables(rule_patterns())
CANDIDATES = candidate_regex(DISPATCH) if not EVERYWHERE else re.compile(r"[a-z0-9]+")
