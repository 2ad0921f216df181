"""Readable terminal tables for `events`, `show`, `stories`, `quotes`, `compare`.

Every value shown comes from the articles (titles, names, outlets, sentences),
so each goes through `sanitize.for_rich`: control characters are written as
escapes and rich markup in it (`[/]`, `[link=...]`) is shown, never interpreted."""
from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from ..records import Event, Story, to_dict
from ..sanitize import for_rich as _safe

# a fixed, readable width when printing into a pipe or a file
console = Console(width=None if sys.stdout.isatty() else 160)


def _people(people) -> str:
    return ", ".join(f"{p.name} ({p.code})" if p.code else p.name for p in people) or "-"


def _when(e: Event) -> str:
    if not e.date:
        return "-"
    return e.date + (f"..{e.date_end}" if e.date_end and e.date_end != e.date else "")


def print_events(events: list[Event]) -> None:
    table = Table(title=f"{len(events)} events", title_justify="left")
    for col in ("id", "date", "status", "type", "actors", "recipients", "reports", "outlets"):
        table.add_column(col, overflow="fold")
    for e in events:
        outlets = sorted({m.outlet for m in e.mentions if m.outlet})
        table.add_row(*map(_safe, (e.id, _when(e), e.status, e.event_type, _people(e.actors),
                                   _people(e.recipients), len({m.article for m in e.mentions}),
                                   ", ".join(outlets) or "-")))
    console.print(table)


def event_detail(store, event: Event) -> dict[str, Any]:
    """The event with every supporting sentence, its quotes and sources."""
    articles = {a: store.article(a) for a in sorted({m.article for m in event.mentions})}
    mention_records = {m.id: m for m in store.event_mentions([m.mention_id for m in event.mentions])}
    quote_ids = {mention_records[m].quote for m in mention_records if mention_records[m].quote}
    quotes = [q for a in articles for q in store.quotes(article=a) if q.id in quote_ids]
    evidence = []
    for m in event.mentions:
        article = articles.get(m.article)
        record = mention_records.get(m.mention_id)
        evidence.append({
            "article": m.article, "title": article.title if article else "", "outlet": m.outlet,
            "path": article.path if article else "", "sentence": m.sentence, "start": m.start, "end": m.end,
            "text": m.text, "status": m.status, "date": m.date,
            "sources": [to_dict(s) for s in record.sources] if record else [],
        })
    return {"event": to_dict(event), "evidence": evidence, "quotes": [to_dict(q) for q in quotes]}


def print_event_detail(detail: dict[str, Any]) -> None:
    e = detail["event"]
    console.print(f"[bold]{_safe(e['id'])}[/]  {_safe(e['event_type'])} ({_safe(e['status'])})  "
                  f"date {_safe(e['date'] or '-')}  [dim]basis: {_safe(e['date_basis'])}[/]")
    console.print("actors: " + _safe(", ".join(f"{p['name']} ({p['code']})" for p in e["actors"]) or "-"))
    console.print("recipients: " + _safe(", ".join(f"{p['name']} ({p['code']})" for p in e["recipients"]) or "-"))
    place = e.get("location")
    if place:
        evidence = (place.get("evidence") or {}).get("text", "")
        console.print(f"location: {_safe(place['name'])} ({_safe(place['country'] or '-')}, {_safe(place['basis'])}) "
                      f"[dim]{_safe(repr(evidence))}[/]", highlight=False)
    for key in ("topic", "mode", "cameo"):
        if e.get(key):
            console.print(f"{key}: {_safe(e[key])}")
    console.print(f"\n[bold]{len(detail['evidence'])} supporting sentences[/]")
    for ev in detail["evidence"]:
        console.print(f"- [cyan]{_safe(ev['outlet'] or '?')}[/] {_safe(repr(ev['title']))} [dim]{_safe(ev['article'])} "
                      f"s{ev['sentence']} \\[{ev['start']}:{ev['end']}] {_safe(ev['status'])}[/]", highlight=False)
        console.print(f"  {_safe(ev['text'])}", highlight=False)
        for s in ev["sources"]:
            console.print(f"  [dim]source: {_safe(s['name'])} ({_safe(s['kind'])})[/]", highlight=False)
    if detail["quotes"]:
        console.print("\n[bold]quotes[/]")
        for q in detail["quotes"]:
            medium = f" to {q['medium']}" if q.get("medium") else ""
            quote = f"{'“' if q['direct'] else ''}{q['text']}{'”' if q['direct'] else ''}"
            console.print(_safe(f"- {q['speaker']['name']}{medium}: {quote}"), highlight=False)
    if e.get("agreement"):
        console.print("\n[bold]agreement[/]")
        for field, value in e["agreement"].items():
            console.print(f"  {_safe(field)}: {_safe(value)}", highlight=False)


def print_stories(stories: list[Story]) -> None:
    table = Table(title=f"{len(stories)} stories", title_justify="left")
    for col in ("id", "title", "articles", "events", "outlets"):
        table.add_column(col, overflow="fold")
    for s in stories:
        table.add_row(*map(_safe, (s.id, s.title, len(s.articles), len(s.events), ", ".join(s.outlets) or "-")))
    console.print(table)


def print_quotes(quotes) -> None:
    table = Table(title=f"{len(quotes)} quotes", title_justify="left")
    for col in ("speaker", "code", "direct", "cue", "medium", "text"):
        table.add_column(col, overflow="fold")
    for q in quotes:
        table.add_row(*map(_safe, (q.speaker.name, q.speaker.code or "-", "yes" if q.direct else "no",
                                   q.cue or "-", q.medium or "-", q.text[:160])))
    console.print(table)


def story_comparison(store, story: Story) -> list[dict[str, Any]]:
    """Rows of (event, field, outlet values, agreement) for a story."""
    try:
        from ..compare import comparison_rows
    except ImportError:  # compare stage without a table helper
        comparison_rows = None
    events = [e for e in (store.event(eid) for eid in story.events) if e is not None]
    if comparison_rows is not None:
        return comparison_rows(story, events)
    return [{"event": e.id, "field": k, "value": v} for e in events for k, v in e.agreement.items()]


def print_comparison(story: Story, rows: list[dict[str, Any]]) -> None:
    table = Table(title=_safe(f"story {story.id}: {story.title}"), title_justify="left")
    columns = list(rows[0].keys()) if rows else ["event", "field", "value"]
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*[_safe(_cell(row.get(c))) for c in columns])
    console.print(table)


def _cell(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    return "-" if value is None else str(value)
