"""Extract stage 'time': a TIMEX3 tagger and normaliser for English news.

Finds dates, times, durations and sets ("January 10th", "the 12th", "next
month", "last week", "earlier in the day", "3 years ago", "the past two
years", "daily") and resolves each to a TIMEX3 value (2022-01-10, 2021-W51,
2022-01, 1998-Q3, P3Y, PAST_REF...) against the article's anchor. The
direction of underspecified dates ("January 10", "Monday") comes from the
tense and modality of the governing clause in the spaCy doc ("will hold talks
on January 10" points forward, "stated on Monday" back).

How it is built (see docs/time.md):
- vocab.py      word tables (months, numbers, units, holidays, vague words)
- rules.py      the rule table (one regex per rule; together, one alternation)
- dispatch.py   which rules can open with which word (the fast scan)
- normalise.py  one normaliser per kind of expression
- tense.py      direction of the governing clause
- params.py     the data-chosen settings (TimeParams; DEFAULT chosen by cross-validation)
- calendar.py   date arithmetic and `timex_to_interval`
- anchor.py     anchor inference for articles with no publication date
- tagger.py     the scan (`tag_text`)

Public helpers other stages may call:
- `tag_text(text, anchor=None, doc=None, params=None) -> list[Found]`: the
  tagger alone (params: a TimeParams, params.DEFAULT when None).
- `timex_to_interval(value) -> (start_iso, end_iso, granularity)`: a TIMEX3
  value as a calendar interval, e.g. "2022-01-10" -> ("2022-01-10",
  "2022-01-10", "day"), "2021-W51" -> ("2021-12-20", "2021-12-26", "week"),
  "2022-01" -> whole month; references, durations and sets give
  (None, None, "ref" | "duration" | "unknown"). The events stage uses it to
  date an event from `ctx.result.timexes`.
- `infer_anchor(text, doc, meta, batch, self_id) -> (iso, reason) | None`.

Each Timex record carries basis "explicit" (fully specified in the text),
"relative-to-publication" (resolved against the publication date) or
"inferred" (resolved against an inferred anchor, with the reason). With no
anchor at all, underspecified values keep X's (XXXX-01-10): never a guessed year.
"""
from __future__ import annotations

from ...records import stable_id, Timex
from .. import Anchor, ArticleContext, register_stage
from .anchor import infer_anchor
from .calendar import timex_to_interval
from .tagger import Found, tag_text

__all__ = ["time_stage", "tag_text", "timex_to_interval", "infer_anchor", "Found", "names_its_day"]

# rules whose text gives the month and the day, leaving only the year to the anchor ("January 12")
MONTH_AND_DAY_RULES = frozenset({"month_day", "day_month"})


def names_its_day(timex: Timex) -> bool:
    """Whether the text itself gives the calendar day: fully specified, or
    month and day with the year from an inferred anchor. Two such days that
    differ are two happenings, whatever year the anchor gave."""
    return timex.basis != "inferred" or timex.rule in MONTH_AND_DAY_RULES


@register_stage("time", provides=("timexes",))
def time_stage(ctx: ArticleContext) -> None:
    """Anchor the article (inferring an anchor when it has no date), then tag
    and normalise every time expression into ctx.result.timexes."""
    article = ctx.article
    if not ctx.anchor.date:
        inferred = infer_anchor(article.text, ctx.doc, article.meta, ctx.batch_hints.get("batch") or (), article.id)
        if inferred:
            ctx.anchor = Anchor(inferred[0], "inferred", inferred[1])
    anchor = ctx.anchor
    for found in tag_text(article.text, anchor.date, ctx.doc):
        ctx.result.timexes.append(_record(ctx, found, anchor))


def _record(ctx: ArticleContext, found: Found, anchor: Anchor) -> Timex:
    if not found.relative:
        basis, reason = "explicit", None
    elif anchor.basis == "inferred":
        basis, reason = "inferred", anchor.reason
    else:
        basis, reason = "relative-to-publication", None
    return Timex(
        id=stable_id("t", ctx.article.id, found.start, found.end),
        article=ctx.article.id,
        sentence=ctx.sentence_at(found.start),
        start=found.start,
        end=found.end,
        text=found.text,
        type=found.type,
        value=found.value,
        basis=basis,
        anchor=anchor.date if found.relative else None,
        reason=reason,
        rule=found.rule,
    )
