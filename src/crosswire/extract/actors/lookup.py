"""Public helpers to code a span of text with the actors stage's mentions.

Other stages (quotes, events) call these instead of re-deriving actors:

    from crosswire.extract.actors.lookup import resolve_mention, mentions_in, to_participant

    m = resolve_mention(ctx.result, start, end)   # ActorMention | None
    if m: speaker = to_participant(m)              # records.Participant with evidence

- `mentions_in(result, start, end)`: every ActorMention overlapping the
  character span [start, end) of Article.text, in text order. A group
  mention ("the two nations") yields one record per linked actor.
- `resolve_mention(result, start, end)`: the single best mention for the
  span: a person over an organisation over a state, the longest first. When
  nothing overlaps and the span is a personal pronoun ("he", "she"), the
  most recent person mentioned before it (same or two previous sentences).
  "Russian Foreign Minister Sergey Lavrov" -> RUS, GOV, office "Foreign
  Minister"; a later "Lavrov" carries the same code and office.
- `resolve_mentions(result, start, end)`: like resolve_mention but keeps all
  members of a group ("Russia and NATO", "the two nations").
- `to_participant(mention)`: a records.Participant with `mention` Evidence.
"""
from __future__ import annotations

from typing import Optional

from ...records import ActorMention, ArticleResult, Evidence, Participant

PRONOUNS = {"he", "she", "him", "her", "his", "hers"}
KIND_RANK = {"person": 0, "organisation": 1, "igo": 2, "government": 3, "group": 4, "country": 5, "city": 6}


def mentions_in(result: ArticleResult, start: int, end: int) -> list[ActorMention]:
    """Mentions overlapping [start, end), in text order."""
    return [m for m in result.actor_mentions if m.start < end and m.end > start]


def resolve_mention(result: ArticleResult, start: int, end: int) -> Optional[ActorMention]:
    """The best single actor for a span (see module docstring)."""
    inside = mentions_in(result, start, end)
    if inside:
        return min(inside, key=lambda m: (KIND_RANK.get(m.actor.kind, 9), -(m.end - m.start), m.start))
    text = result.article.text[start:end].strip().lower()
    if text in PRONOUNS:
        return last_person_before(result, start)
    return None


def resolve_mentions(result: ArticleResult, start: int, end: int) -> list[ActorMention]:
    """All actors a span names, one per actor id, groups kept as lists."""
    inside = mentions_in(result, start, end)
    if not inside:
        single = resolve_mention(result, start, end)
        return [single] if single else []
    seen, out = set(), []
    for m in inside:
        if m.actor.kind == "city" or m.actor.id in seen:
            continue
        seen.add(m.actor.id)
        out.append(m)
    return out


def last_person_before(result: ArticleResult, start: int, max_sentences: int = 2) -> Optional[ActorMention]:
    """Most recent person mention ending before `start`, nearby only."""
    best = None
    for m in result.actor_mentions:
        if m.actor.kind == "person" and m.end <= start and (best is None or m.start > best.start):
            best = m
    if best is None:
        return None
    here = next((s.index for s in result.sentences if s.start <= start < s.end), best.sentence)
    return best if here - best.sentence <= max_sentences else None


def to_participant(m: ActorMention) -> Participant:
    """A Participant for an event or quote, evidenced by the mention."""
    a = m.actor
    return Participant(name=a.name, code=a.code, sector=a.sector, office=a.office, kind=a.kind, igo=a.igo,
                       actor_id=a.id, mention=Evidence(article=m.article, sentence=m.sentence, start=m.start,
                                                       end=m.end, text=m.text))
