"""Resolve: cross-document event coreference, actor linking, story clustering.

Entry point: `resolve(results, settings) -> Resolution`. Input is every
ArticleResult in scope (the store's and the new batch's); output is canonical
events (each with every supporting mention) and stories. Must be
order-independent: processing A then B gives the same events as A and B
together. (Placeholder until the resolve stage lands: one event per mention.)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from ..config import Settings
from ..records import ArticleResult, Event, Mention, Story, stable_id


@dataclass
class Resolution:
    events: list[Event] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)


def resolve(results: Sequence[ArticleResult], settings: Settings | None = None) -> Resolution:
    events = []
    outlets = {r.article.id: r.article.outlet for r in results}
    for r in results:
        for m in r.event_mentions:
            events.append(Event(
                id=stable_id("e", m.id), event_type=m.event_type, status=m.status, mode=m.mode,
                context=m.context, cameo=m.cameo, plover_export_type=m.plover_export_type,
                date=m.date, date_end=m.date_end, date_basis=m.date_basis, actors=m.actors,
                recipients=m.recipients, location=m.location, topic=m.topic, event_text=m.text,
                mentions=[Mention(m.id, m.article, m.sentence, m.start, m.end, m.text,
                                  outlets.get(m.article), m.status, m.date)]))
    stories = [Story(id=stable_id("s", r.article.id), title=r.article.title, articles=[r.article.id],
                     outlets=[r.article.outlet] if r.article.outlet else []) for r in results]
    return Resolution(events, stories)
