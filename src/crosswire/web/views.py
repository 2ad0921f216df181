"""View models: what the API returns and the templates show, built from the
store's records. One function per view, shared by the JSON API and the HTML
pages so the two never disagree.

Nothing here produces HTML. Article text is cut into plain-text segments
(highlighted or not) and the templates escape every one of them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from ..records import Article, Event, Mention, Quote, SourceLink, Story, to_dict
from ..store import Store

UNDATED = "9999-99-99"  # sorts undated events after dated ones

STATUS_LABELS: dict[str, str] = {
    "occurred": "occurred", "planned": "planned", "ongoing": "ongoing", "hypothetical": "hypothetical",
    "negated": "did not happen", "denied": "denied", "claimed": "claimed (disputed)",
}

# Field-level fields we compare ourselves from the mentions (outlet -> values).
MENTION_FIELDS: tuple[str, ...] = ("date", "status")


# ------------------------------------------------------------------ labels
def outlet_key(mention: Mention, articles: dict[str, Article]) -> str:
    """Column key of a report: its outlet, or the article id when the outlet
    is unknown (the same key the compare stage uses in Event.agreement)."""
    if mention.outlet:
        return mention.outlet
    article = articles.get(mention.article)
    if article and article.outlet:
        return article.outlet
    return mention.article


def article_label(article: Optional[Article], article_id: str) -> str:
    if article is None:
        return article_id
    return article.title or article.path or article.id


def event_title(event: Event) -> str:
    """A one-line human title: type and participants, or the event text."""
    names = [p.name for p in event.actors] + [p.name for p in event.recipients]
    seen = list(dict.fromkeys(n for n in names if n))
    kind = (event.event_type or "event").title()
    if seen:
        return f"{kind}: {' – '.join(seen[:4])}"
    return f"{kind}: {event.event_text[:80]}" if event.event_text else kind


def sort_key(event: Event) -> tuple[str, str]:
    return (event.date or UNDATED, event.id)


def event_summary(event: Event) -> dict[str, Any]:
    """The short form of an event used in lists and timelines."""
    return {
        "id": event.id, "title": event_title(event), "event_type": event.event_type, "status": event.status,
        "status_label": STATUS_LABELS.get(event.status, event.status), "date": event.date,
        "date_end": event.date_end, "date_basis": event.date_basis, "story": event.story,
        "actors": [p.name for p in event.actors], "recipients": [p.name for p in event.recipients],
        "location": to_dict(event.location), "n_mentions": len(event.mentions),
        "articles": sorted({m.article for m in event.mentions}),
        "outlets": sorted({m.outlet for m in event.mentions if m.outlet}),
        "event_text": event.event_text,
    }


# -------------------------------------------------------------- highlights
@dataclass
class Span:
    start: int
    end: int
    sentence: int
    triggers: list[tuple[int, int]] = field(default_factory=list)


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Sorted, non-overlapping evidence spans (overlaps are joined)."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            last.end = max(last.end, span.end)
            last.triggers.extend(span.triggers)
        else:
            merged.append(Span(span.start, span.end, span.sentence, list(span.triggers)))
    return merged


def segments(text: str, spans: Iterable[Span]) -> list[dict[str, Any]]:
    """Cut `text` into plain and evidence segments. An evidence segment holds
    `parts`, each plain or a trigger, so the template can nest the trigger
    inside the sentence's <mark>. Offsets outside the text are clamped."""
    out: list[dict[str, Any]] = []
    cursor = 0
    for span in merge_spans(spans):
        start, end = max(span.start, cursor), min(span.end, len(text))
        if start >= end:
            continue
        if start > cursor:
            out.append({"text": text[cursor:start]})
        out.append({"mark": True, "sentence": span.sentence, "parts": _trigger_parts(text, start, end,
                                                                                      span.triggers)})
        cursor = end
    if cursor < len(text):
        out.append({"text": text[cursor:]})
    return out


def _trigger_parts(text: str, start: int, end: int, triggers: list[tuple[int, int]]) -> list[dict[str, Any]]:
    parts, cursor = [], start
    for t_start, t_end in sorted(set(triggers)):
        t_start, t_end = max(t_start, cursor), min(t_end, end)
        if t_start >= t_end:
            continue
        if t_start > cursor:
            parts.append({"text": text[cursor:t_start]})
        parts.append({"text": text[t_start:t_end], "trigger": True})
        cursor = t_end
    if cursor < end:
        parts.append({"text": text[cursor:end]})
    return parts


def mention_span(mention: Mention, text: str, bounds: dict[int, tuple[int, int]]) -> Span:
    """The whole supporting sentence of a mention, with its trigger inside.
    Falls back to finding the sentence text around the trigger, then to the
    trigger alone, when the sentence table has no row for it."""
    trigger = (mention.start, mention.end)
    if mention.sentence in bounds:
        start, end = bounds[mention.sentence]
        if start <= mention.start < end or mention.start == mention.end == 0:
            return Span(start, end, mention.sentence, [trigger])
    sentence = (mention.text or "").strip()
    if sentence:
        at = text.find(sentence, max(0, mention.start - len(sentence)))
        while at != -1 and at <= mention.start:
            if at + len(sentence) > mention.start:
                return Span(at, at + len(sentence), mention.sentence, [trigger])
            at = text.find(sentence, at + 1)
    return Span(mention.start, mention.end, mention.sentence, [trigger])


# ----------------------------------------------------------------- events
def provenance_chain(links: Iterable[SourceLink | dict[str, Any]]) -> list[dict[str, Any]]:
    """A provenance chain as plain dicts (name, kind, code, evidence text)."""
    chain = []
    for link in links:
        d = to_dict(link) if not isinstance(link, dict) else dict(link)
        evidence = d.get("evidence") or {}
        chain.append({"name": d.get("name") or "?", "kind": d.get("kind") or "source", "code": d.get("code"),
                      "evidence": evidence.get("text") if isinstance(evidence, dict) else None})
    return chain


def _with_outlet(chain: list[dict[str, Any]], outlet: Optional[str]) -> list[dict[str, Any]]:
    """Chains run from the publishing outlet; prepend it when a stage left it out."""
    if outlet and not (chain and chain[0]["kind"] == "outlet"):
        return [{"name": outlet, "kind": "outlet", "code": None, "evidence": None}] + chain
    return chain


def event_detail(store: Store, event: Event) -> dict[str, Any]:
    """Everything behind one event: each supporting article with its text cut
    into highlighted segments, the quotes reported with it, and the
    provenance chains (outlet -> cited agency -> speaker) of its mentions."""
    mention_records = {m.id: m for m in store.event_mentions([m.mention_id for m in event.mentions])}
    by_article: dict[str, list[Mention]] = {}
    for m in event.mentions:
        by_article.setdefault(m.article, []).append(m)
    articles, quotes, chains = [], [], []
    for article_id, mentions in by_article.items():
        article = store.article(article_id)
        text = article.text if article else ""
        bounds = store.sentence_bounds(article_id)
        spans = [mention_span(m, text, bounds) for m in mentions]
        outlet = mentions[0].outlet or (article.outlet if article else None)
        articles.append({
            "id": article_id, "title": article_label(article, article_id), "outlet": outlet,
            "published": article.published if article else None,
            "published_basis": article.published_basis if article else None,
            "url": article.url if article else None, "byline": article.byline if article else None,
            "segments": segments(text, spans),
            # the sentence vector is the resolver's, not a reader's: left out of the page
            "mentions": [{**to_dict(m), "status": m.status, "meaning": None} for m in mentions],
        })
        quotes += _event_quotes(store, article_id, mentions, mention_records)
        chains += _event_chains(store, article_id, mentions, mention_records, outlet)
    story = store.story(event.story) if event.story else None
    return {"event": to_dict(event), "summary": event_summary(event), "articles": articles,
            "story_title": (story.title or story.id) if story else None,
            "quotes": quotes, "provenance": _unique_chains(chains), "sources": event.sources,
            "agreement": event.agreement, "comparison": event_comparison(event, _articles_of(store, event))}


def _event_quotes(store: Store, article_id: str, mentions: list[Mention],
                  records: dict[str, Any]) -> list[dict[str, Any]]:
    """Quotes linked to the event's mentions, or said in their sentences."""
    linked = {records[m.mention_id].quote for m in mentions if m.mention_id in records}
    sentences = {m.sentence for m in mentions}
    return [quote_view(q) for q in store.quotes(article=article_id)
            if q.id in linked or q.sentence in sentences]


def quote_view(q: Quote) -> dict[str, Any]:
    d = to_dict(q)
    d["speaker_name"] = q.speaker.name
    d["speaker_code"] = q.speaker.code
    d["chain"] = provenance_chain(q.chain)
    return d


def _event_chains(store: Store, article_id: str, mentions: list[Mention], records: dict[str, Any],
                  outlet: Optional[str]) -> list[dict[str, Any]]:
    """Provenance per mention: the sources the events stage found for it, and
    every attribution ("according to ...") whose scope covers its trigger."""
    attributions = store.attributions(article=article_id)
    chains = []
    for m in mentions:
        record = records.get(m.mention_id)
        if record and record.sources:
            chains.append({"article": article_id, "sentence": m.sentence,
                           "chain": _with_outlet(provenance_chain(record.sources), outlet)})
        for a in attributions:
            if a.covers_start <= m.start < a.covers_end or a.sentence == m.sentence:
                chains.append({"article": article_id, "sentence": m.sentence,
                               "chain": _with_outlet(provenance_chain(a.chain), outlet)})
        if not any(c["sentence"] == m.sentence and c["article"] == article_id for c in chains) and outlet:
            chains.append({"article": article_id, "sentence": m.sentence, "chain": _with_outlet([], outlet)})
    return chains


def _unique_chains(chains: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, out = set(), []
    for c in chains:
        key = (c["article"], tuple((link["name"], link["kind"]) for link in c["chain"]))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _articles_of(store: Store, event_or_events: Event | Iterable[Event]) -> dict[str, Article]:
    events = [event_or_events] if isinstance(event_or_events, Event) else list(event_or_events)
    ids = {m.article for e in events for m in e.mentions}
    found = {i: store.article(i) for i in sorted(ids)}
    return {i: a for i, a in found.items() if a is not None}


# ------------------------------------------------------------- comparison
# Event.agreement, as the compare stage fills it (crosswire.compare):
#   {"reported_by": [outlets], "single_source": bool,
#    FIELD: {"values": {value: [outlets]}, "missing": [outlets], "agree": bool, "only_in": {value: outlet}}}
# where an outlet is the outlet name, or the article id when the outlet is unknown.
AGREEMENT_FIELDS: tuple[str, ...] = ("date", "participants", "place", "numbers", "status")


def agreement_fields(agreement: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The per-field entries of an event's agreement (dicts with `values`)."""
    return {name: entry for name, entry in (agreement or {}).items()
            if isinstance(entry, dict) and isinstance(entry.get("values"), dict)}


def agreement_conflicts(agreement: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    """Fields whose outlets disagree: field -> {value: [outlets]}. A field
    conflicts when the compare stage says `agree: false` (or, without that
    flag, when outlets give more than one value)."""
    conflicts = {}
    for name, entry in agreement_fields(agreement).items():
        agree = entry.get("agree")
        if agree is False or (agree is None and len(entry["values"]) > 1):
            conflicts[name] = {str(v): _as_list(o) for v, o in entry["values"].items()}
    return conflicts


def _as_list(outlets: Any) -> list[str]:
    return [outlets] if isinstance(outlets, str) else [str(o) for o in outlets or []]


def _mention_conflicts(per_outlet: dict[str, dict[str, set]]) -> dict[str, dict[str, list[str]]]:
    """Fallback when no compare stage ran: outlets giving different dates or statuses."""
    conflicts = {}
    for f in MENTION_FIELDS:
        stated = {frozenset(c[f]) for c in per_outlet.values() if c[f]}
        if len(stated) > 1:
            values: dict[str, list[str]] = {}
            for outlet, cell in per_outlet.items():
                for v in cell[f]:
                    values.setdefault(v, []).append(outlet)
            conflicts[f] = values
    return conflicts


def event_comparison(event: Event, articles: dict[str, Article]) -> dict[str, Any]:
    """Per outlet: does it report the event, with which dates and statuses,
    and on which fields it differs from the others; plus the claims that
    only one outlet makes (`only_in`)."""
    per_outlet: dict[str, dict[str, set]] = {}
    labels: dict[str, str] = {}
    for m in event.mentions:
        key = outlet_key(m, articles)
        labels[key] = outlet_label(key, articles)
        cell = per_outlet.setdefault(key, {f: set() for f in MENTION_FIELDS})
        for f in MENTION_FIELDS:
            value = getattr(m, f)
            if value:
                cell[f].add(value)
    fields = agreement_fields(event.agreement)
    conflicts = agreement_conflicts(event.agreement) if fields else _mention_conflicts(per_outlet)
    cells = {}
    for outlet, cell in per_outlet.items():
        cells[outlet] = {f: sorted(cell[f]) for f in MENTION_FIELDS}
        cells[outlet]["conflicts"] = sorted(f for f, values in conflicts.items()
                                            if any(outlet in os for os in values.values()))
    only_in = {name: {str(v): o for v, o in (entry.get("only_in") or {}).items()}
               for name, entry in fields.items() if entry.get("only_in")}
    return {"outlets": sorted(per_outlet), "labels": labels, "cells": cells, "conflicts": sorted(conflicts),
            "conflict_detail": conflicts, "only_in": only_in, "single_source": len(per_outlet) == 1}


def outlet_label(key: str, articles: dict[str, Article]) -> str:
    """How a column is headed: the outlet, or the article's title when the outlet is unknown."""
    article = articles.get(key)
    if article is None:
        return key
    return f"{(article.title or article.id)[:40]} (outlet unknown)"


# ----------------------------------------------------------------- stories
def story_detail(store: Store, story: Story) -> dict[str, Any]:
    """A story's timeline (events by date) and its outlet-by-event coverage matrix."""
    events = sorted(store.events(story=story.id), key=sort_key)
    if not events and story.events:
        events = sorted([e for e in (store.event(i) for i in story.events) if e], key=sort_key)
    articles = _articles_of(store, events)
    for article_id in story.articles:
        if article_id not in articles:
            found = store.article(article_id)
            if found:
                articles[article_id] = found
    rows = []
    outlets: list[str] = []
    labels: dict[str, str] = {}
    for event in events:
        comparison = event_comparison(event, articles)
        outlets += [o for o in comparison["outlets"] if o not in outlets]
        labels.update(comparison["labels"])
        rows.append({"event": event_summary(event), "comparison": comparison})
    for a in articles.values():
        key = a.outlet or a.id
        if key not in outlets:
            outlets.append(key)
            labels[key] = outlet_label(key, articles)
    return {
        "story": to_dict(story),
        "articles": [{"id": a.id, "title": article_label(a, a.id), "outlet": a.outlet, "published": a.published,
                      "url": a.url} for a in articles.values()],
        "timeline": [r["event"] for r in rows],
        "comparison": {"outlets": outlets, "labels": labels, "rows": rows, "agreement": story.agreement,
                       "event_titles": {e.id: event_title(e) for e in events}},
    }


def story_summary(store: Store, story: Story, latest: int = 3) -> dict[str, Any]:
    """A story in the list: title, outlets, counts and its latest events."""
    events = sorted(store.events(story=story.id), key=sort_key)
    dated = [e for e in events if e.date]
    newest = sorted(dated, key=sort_key, reverse=True)[:latest] or events[:latest]
    return {"id": story.id, "title": story.title or story.id, "outlets": story.outlets,
            "n_articles": len(story.articles), "n_events": len(events) or len(story.events),
            "n_planned": sum(1 for e in events if e.status == "planned"),
            "latest": [event_summary(e) for e in newest]}


# ------------------------------------------------------------------ actors
def actor_detail(store: Store, code_or_name: str) -> dict[str, Any]:
    """An actor page: its events (as actor or recipient) and what it said."""
    events = sorted(store.events(actor=code_or_name), key=sort_key)
    known = [a for a in store.actors() if (a["code"] or "").upper() == code_or_name.upper()
             or (a["name"] or "").lower() == code_or_name.lower()]
    name = known[0]["name"] if known else code_or_name
    quotes = store.quotes(speaker=code_or_name)
    return {"actor": {"code": known[0]["code"] if known else None, "name": name, "key": code_or_name},
            "events": [event_summary(e) for e in events], "quotes": [quote_view(q) for q in quotes]}


# ----------------------------------------------------------------- search
def search_hits(articles: Iterable[Article], query: str, width: int = 90) -> list[dict[str, Any]]:
    """Articles matching a query, each with a snippet around its first hit,
    cut into segments (the hit marked) for escaping in the template."""
    hits = []
    needle = query.lower()
    for a in articles:
        at = a.text.lower().find(needle) if needle else -1
        if at == -1:
            snippet_start, snippet_end, spans = 0, min(len(a.text), 2 * width), []
        else:
            snippet_start, snippet_end = max(0, at - width), min(len(a.text), at + len(query) + width)
            spans = [Span(at - snippet_start, at - snippet_start + len(query), -1)]
        snippet = a.text[snippet_start:snippet_end]
        hits.append({"id": a.id, "title": article_label(a, a.id), "outlet": a.outlet, "published": a.published,
                     "snippet": segments(snippet, spans), "lead": snippet_start > 0,
                     "tail": snippet_end < len(a.text)})
    return hits


def article_detail(store: Store, article: Article) -> dict[str, Any]:
    """An article with every event mention in it highlighted and its quotes."""
    events = [e for e in map(store.event, store.event_ids_in_article(article.id)) if e is not None]
    bounds = store.sentence_bounds(article.id)
    spans = [mention_span(m, article.text, bounds) for e in events for m in e.mentions if m.article == article.id]
    return {"article": {k: v for k, v in to_dict(article).items() if k != "meta"},
            "segments": segments(article.text, spans), "events": [event_summary(e) for e in sorted(events, key=sort_key)],
            "quotes": [quote_view(q) for q in store.quotes(article=article.id)]}
