"""Outputs: every export derives from the records (docs/schema.md)."""
from __future__ import annotations

from typing import Any, Iterable, Sequence

from ..records import ArticleResult, Event, Story, to_dict


def article_json(article) -> dict[str, Any]:
    return {"id": article.id, "path": article.path, "outlet": article.outlet, "title": article.title,
            "url": article.url, "byline": article.byline, "published": article.published,
            "published_basis": article.published_basis}


def results_to_json(results: Sequence[ArticleResult], events: Sequence[Event], stories: Sequence[Story],
                    run: dict[str, Any]) -> dict[str, Any]:
    """The events.json contract: the run stamp (runstamp.run_stamp), articles,
    events, quotes, stories."""
    return {
        "run": run,
        "articles": [article_json(r.article) for r in results],
        "events": [to_dict(e) for e in events],
        "quotes": [to_dict(q) for r in results for q in r.quotes],
        "stories": [to_dict(s) for s in stories],
    }


def event_row(event: Event) -> dict[str, Any]:
    """One flat row per event for CSV and DataFrames."""
    return {
        "id": event.id, "event_type": event.event_type, "status": event.status, "mode": event.mode,
        "context": ";".join(event.context), "cameo": event.cameo, "date": event.date,
        "date_end": event.date_end, "date_basis": event.date_basis,
        "actors": ";".join(f"{a.name} [{a.code or '-'}]" for a in event.actors),
        "recipients": ";".join(f"{a.name} [{a.code or '-'}]" for a in event.recipients),
        "location": event.location.name if event.location else None, **place_columns(event.location),
        "topic": event.topic, "story": event.story,
        "n_mentions": len(event.mentions),
        "articles": ";".join(sorted({m.article for m in event.mentions})),
        "outlets": ";".join(sorted({m.outlet for m in event.mentions if m.outlet})),
        "event_text": event.event_text,
    }


def place_columns(place) -> dict[str, Any]:
    """The flat columns of an event's place (CSV, Parquet, DataFrames)."""
    return {"lat": place.lat if place else None, "lon": place.lon if place else None,
            "country": place.country if place else None, "admin1": place.admin1 if place else None,
            "geonames_id": place.geonames_id if place else None,
            "location_basis": place.basis if place else None}


def events_frame(events: Iterable[Event]):
    import pandas as pd
    return pd.DataFrame([event_row(e) for e in events])
