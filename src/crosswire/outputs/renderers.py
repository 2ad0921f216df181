"""Output renderers, registered once: each registration feeds the choices of
`crosswire export`, a route `/api/export/<route>` of the web server and, when
`in_run_out`, the files `crosswire run --out DIR` writes.

    @register_renderer("csv", filename="events.csv", media_type="text/csv; charset=utf-8",
                       description="Events as CSV (one row per event)", in_run_out=True)
    def _csv(source: ExportSource) -> str:
        return exports.events_csv(source.events)

A renderer is a function of an `ExportSource` (what it reads is loaded only
when it asks: events, stories, articles, per-article results, the run stamp)
to the file's content, str or bytes. The shape follows datasette's
`register_output_renderer` hook, without a plug-in manager: crosswire's own
renderers register here, and another module registers one by calling
`register_renderer` (docs/decisions/plugin-registries.md).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Optional, Union

from ..records import Article, ArticleResult, Event, Story
from . import exports, results_to_json
from .briefing import render_briefing

Content = Union[str, bytes]


class ExportSource:
    """What a renderer reads, from a store (with the caller's event filters,
    as `Store.events` takes them) or from in-memory pipeline `Results`."""

    def __init__(self, store: Any = None, results: Any = None, filters: Optional[dict[str, Any]] = None,
                 event_url: Optional[str] = None) -> None:
        if (store is None) == (results is None):
            raise ValueError("an ExportSource reads a store or Results, one of them")
        self._store, self._results = store, results
        self.filters = {k: v for k, v in (filters or {}).items() if v is not None}
        self.event_url = event_url  # a format string with {id}: the web page of an event

    @cached_property
    def events(self) -> list[Event]:
        if self._results is not None:
            return list(self._results.events)
        return self._store.events(**self.filters)

    @cached_property
    def stories(self) -> list[Story]:
        return list(self._results.stories) if self._results is not None else self._store.stories()

    @cached_property
    def results(self) -> list[ArticleResult]:
        """Every article's extracted records (the costliest read: only the
        renderers that list quotes or sentences ask for it)."""
        return list(self._results.articles) if self._results is not None else self._store.load_results()

    @cached_property
    def articles(self) -> dict[str, Article]:
        """Article id -> Article (titles, URLs and outlets for citations)."""
        if self._results is not None or "results" in self.__dict__:
            return {r.article.id: r.article for r in self.results}
        return {a.id: a for a in self._store.articles()}

    @cached_property
    def run(self) -> dict[str, Any]:
        """The run stamp: the Results' own, or the store's latest run's."""
        if self._results is not None:
            return dict(getattr(self._results, "run", {}) or {})
        return self._store.latest_run_stamp() or {}


@dataclass(frozen=True)
class Renderer:
    name: str  # the `crosswire export` choice
    render: Callable[[ExportSource], Content]
    filename: str  # the file `run --out` writes, and the download's name after "crosswire-"
    media_type: str
    description: str
    route: str = ""  # the web route under /api/export/ ("" = the filename)
    in_run_out: bool = False  # written by `crosswire run --out DIR`
    disposition: str = "attachment"  # "inline" for feeds a client subscribes to
    feed: bool = False  # a feed a client subscribes to: its web route also takes the feed token (?token=)

    @property
    def web_path(self) -> str:
        return f"/api/export/{self.route or self.filename}"


RENDERERS: dict[str, Renderer] = {}


def register_renderer(name: str, *, filename: str, media_type: str, description: str, route: str = "",
                      in_run_out: bool = False,
                      disposition: str = "attachment",
                      feed: bool = False) -> Callable[[Callable[[ExportSource], Content]],
                                                      Callable[[ExportSource], Content]]:
    """Register an output format (see the module docstring)."""
    def decorate(render: Callable[[ExportSource], Content]) -> Callable[[ExportSource], Content]:
        RENDERERS[name] = Renderer(name, render, filename, media_type, description, route, in_run_out, disposition,
                                   feed)
        return render
    return decorate


def renderer(name: str) -> Renderer:
    try:
        return RENDERERS[name]
    except KeyError:
        raise KeyError(f"unknown output format {name!r}; known: {', '.join(RENDERERS)}") from None


def run_out_renderers() -> list[Renderer]:
    return [r for r in RENDERERS.values() if r.in_run_out]


# ------------------------------------------------------- crosswire's renderers
@register_renderer("json", filename="events.json", media_type="application/json",
                   description="events.json: run stamp, articles, events, quotes, stories", in_run_out=True)
def _events_json(source: ExportSource) -> str:
    return json.dumps(results_to_json(source.results, source.events, source.stories, source.run),
                      ensure_ascii=False, indent=2)


@register_renderer("csv", filename="events.csv", media_type="text/csv; charset=utf-8",
                   description="Events as CSV (one row per event)", in_run_out=True)
def _events_csv(source: ExportSource) -> str:
    return exports.events_csv(source.events)


@register_renderer("briefing", filename="briefing.md", media_type="text/markdown; charset=utf-8",
                   description="A readable per-story briefing (Markdown)", in_run_out=True)
def _briefing(source: ExportSource) -> str:
    from ..pipeline import Results

    return render_briefing(Results(articles=source.results, events=source.events, stories=source.stories))


@register_renderer("plover", filename="events.plover.jsonl", route="plover.jsonl",
                   media_type="application/x-ndjson; charset=utf-8", description="Events as PLOVER JSON Lines")
def _plover(source: ExportSource) -> str:
    return exports.plover_jsonl(source.events, source.articles)


@register_renderer("parquet", filename="events.parquet", media_type="application/vnd.apache.parquet",
                   description="Events as Parquet (same columns as the CSV)")
def _parquet(source: ExportSource) -> bytes:
    return exports.events_parquet(source.events)


@register_renderer("ics", filename="planned.ics", media_type="text/calendar; charset=utf-8",
                   description="iCalendar feed of planned events with their sources (subscribe in a calendar client)",
                   disposition="inline", feed=True)
def _ics(source: ExportSource) -> str:
    return exports.planned_ics(source.events, source.articles, event_url=source.event_url)


@register_renderer("geojson", filename="events.geojson", media_type="application/geo+json; charset=utf-8",
                   description="Events with a point as a GeoJSON FeatureCollection (RFC 7946)")
def _geojson(source: ExportSource) -> str:
    return exports.events_geojson(source.events)
