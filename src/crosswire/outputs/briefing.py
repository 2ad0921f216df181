"""briefing.md: a readable per-story summary — what happened, what is planned
and when, who said what, which outlets report it, and where they differ."""
from __future__ import annotations

from collections import defaultdict

from ..records import Event


def _people(people) -> str:
    return ", ".join(p.name for p in people) or "unnamed actors"


def _event_line(e: Event, articles: dict) -> str:
    outlets = sorted({m.outlet for m in e.mentions if m.outlet})
    n = len({m.article for m in e.mentions})
    when = e.date or "date unknown"
    if e.date_end and e.date_end != e.date:
        when += f" to {e.date_end}"
    who = _people(e.actors)
    whom = f" → {_people(e.recipients)}" if e.recipients else ""
    topic = f" on {e.topic}" if e.topic else ""
    where = f" in {e.location.label}" if e.location else ""
    basis = f", {e.date_basis}" if e.date and e.date_basis not in ("explicit", "none") else ""
    return (f"- **{when}**{basis} — {e.event_type.lower()}: {who}{whom}{topic}{where} "
            f"({n} report{'s' if n != 1 else ''}: {', '.join(outlets) or 'unknown outlet'}; `{e.id}`)\n"
            f"  > {_shorten(e.mentions[0].text if e.mentions else e.event_text)}")


def _shorten(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _differences(e: Event) -> list[str]:
    out = []
    for field, info in (e.agreement or {}).items():
        if isinstance(info, dict) and info.get("agree") is False:
            values = info.get("values", {})
            shown = "; ".join(f"{v}: {', '.join(o)}" for v, o in values.items()) if isinstance(values, dict) else values
            out.append(f"- {field} of `{e.id}` differs — {shown}")
    return out


def _name(cited) -> str:
    return cited if isinstance(cited, str) else str(cited.get("name", ""))


def render_briefing(results) -> str:
    articles = {r.article.id: r.article for r in results.articles}
    quotes_by_article = defaultdict(list)
    for r in results.articles:
        quotes_by_article[r.article.id].extend(r.quotes)
    events = {e.id: e for e in results.events}
    lines = ["# crosswire briefing", "",
             f"{len(articles)} articles, {len(results.events)} events, {len(results.stories)} stories.", ""]
    stories = sorted(results.stories, key=lambda s: (-len(s.articles), s.title))
    for story in stories:
        story_events = sorted((events[i] for i in story.events if i in events),
                              key=lambda e: (e.date or "9999", e.id))
        lines += [f"## {story.title or story.id}", "",
                  f"Story `{story.id}` — {len(story.articles)} article(s) from "
                  f"{', '.join(story.outlets) or 'unknown outlets'}.", ""]
        happened = [e for e in story_events if e.status in ("occurred", "ongoing")]
        planned = [e for e in story_events if e.status == "planned"]
        disputed = [e for e in story_events if e.status in ("claimed", "denied", "negated", "hypothetical")]
        for heading, group in (("What happened", happened), ("What is planned", planned),
                               ("Claimed, denied or hypothetical", disputed)):
            if group:
                lines += [f"### {heading}", ""] + [_event_line(e, articles) for e in group] + [""]
        said = [q for a in story.articles for q in quotes_by_article.get(a, [])]
        if said:
            lines += ["### Who said what", ""]
            for q in said:
                outlet = articles[q.article].outlet if q.article in articles else None
                medium = f" (to {q.medium})" if q.medium else ""
                office = f", {q.speaker.office}" if q.speaker.office else ""
                text = f"“{_shorten(q.text, 200)}”" if q.direct else _shorten(q.text, 200)
                lines.append(f"- **{q.speaker.name}**{office}{medium}: {text} — _{outlet or 'unknown outlet'}_")
            lines.append("")
        diffs = [d for e in story_events for d in _differences(e)]
        if diffs:
            lines += ["### Where the outlets differ", ""] + diffs + [""]
        sources = sorted({_name(c) for e in story_events for s in e.sources for c in s.get("cites", [])} - {""})
        if sources:
            lines += ["Sources cited: " + ", ".join(sources), ""]
    return "\n".join(lines).rstrip() + "\n"
