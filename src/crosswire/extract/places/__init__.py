"""Extract stage 'places': the article's toponyms resolved in the GeoNames
gazetteer, and each event's place with the words that place it.

Registered with `needs=("actors", "events")` (it reads the actors' countries
and the event mentions) and `provides=("toponyms",)`, so it runs after the
`events` stage (Settings.stages). It appends `Toponym` records to the
article result and sets each `EventMention.location` to a `Place`
(docs/geo.md):

1. toponyms: found and resolved by `toponyms.py` (spaCy entities checked
   against the gazetteer, country adjectives, the dateline; same-named
   places chosen from the article's context and its actors' countries);
2. each event's place (`venue.py`): `explicit` when its clause attaches a
   place to the event ("talks in Vienna", "shelled Kharkiv", "the Vienna
   talks"), else `inferred` when the event's sentence names one place
   only, else the `dateline`, else (`inferred`) the place the article's lede
   sets the story in when the event's actors belong to its country; nothing
   when the text gives no place.
   Places that are the event's actors ("Russia will meet the US") are not
   its venue.

The gazetteer is loaded once per process (`load_gazetteer`); each name is
one dictionary probe.
"""
from __future__ import annotations

from typing import Optional

from .. import ArticleContext, register_stage
from ...records import Evidence, Place, Toponym, stable_id
from .gazetteer import Entry, load_gazetteer
from .toponyms import Candidate, find_place_names, resolve_toponyms
from .venue import event_place, lede_place

__all__ = ["places_stage", "place_of", "article_toponyms"]


@register_stage("places", needs=("actors", "events"), provides=("toponyms",))
def places_stage(ctx: ArticleContext) -> None:
    """Append the article's toponyms and set every event mention's location."""
    toponyms = article_toponyms(ctx)
    ctx.result.toponyms.extend(toponyms)
    dateline = next((t for t in toponyms if t.kind == "dateline" and t.place is not None), None)
    lede = lede_place(ctx.doc, toponyms)
    for mention in ctx.result.event_mentions:
        mention.location = event_place(ctx.doc, mention, toponyms, dateline, lede)


def article_toponyms(ctx: ArticleContext) -> list[Toponym]:
    gaz = load_gazetteer(ctx.settings.gazetteer or None)
    text = ctx.article.text
    dateline, found = find_place_names(ctx.doc, gaz, text)
    actor_countries = sorted({m.actor.country for m in ctx.result.actor_mentions
                              if m.actor.country and len(m.actor.country) == 3 and m.actor.country.isalpha()})
    resolve_toponyms(found, text, actor_countries, dateline)
    found = ([dateline] if dateline is not None else []) + found
    return [to_record(ctx, c) for c in found]


def to_record(ctx: ArticleContext, c: Candidate) -> Toponym:
    sentence = ctx.sentence_at(c.start)
    evidence = Evidence(ctx.article.id, sentence, c.start, c.end, c.text)
    place = place_of(c.chosen, evidence, demonym=c.kind == "demonym") if c.chosen else None
    return Toponym(id=stable_id("tp", ctx.article.id, c.start, c.end), article=ctx.article.id, sentence=sentence,
                   start=c.start, end=c.end, text=c.text, kind=c.kind, place=place, why=list(c.why))


def place_of(entry: Entry, evidence: Optional[Evidence], basis: str = "explicit", demonym: bool = False) -> Place:
    """The record of a gazetteer entry; a country adjective gets no point."""
    return Place(name=entry.name, geonames_id=entry.geonames_id, feature_class=entry.fclass,
                 feature_code=entry.fcode, country=entry.country, admin1=entry.admin1,
                 lat=None if demonym else entry.lat, lon=None if demonym else entry.lon,
                 basis=basis, evidence=evidence)
