"""Incremental resolution: a new batch against a stored resolution, limited to
what the batch can touch, with the outcome of resolving everything at once.

Why: re-clustering every stored mention for each batch makes a run's cost
grow with the store instead of with the batch. Blocking already says which
stored mentions a new one can ever be compared with: those sharing one of its
keyed blocks within the blocking window. The store keeps that index
(`mention_blocks`: block, mention, article, day), so a batch re-resolves only

- its own mentions and every stored event with a member in one of its
  blocks near its days (each such event whole, clustered again from its
  mentions: when the batch shows that a stored event was two happenings, or
  that two were one, the stored records are revised, as one run over
  everything would have them), and the events a person joined to those
  (resolve/corrections.py);
- the stories of the articles those events and the new articles touch, and
  of stored articles naming one of the batch's people within the story
  window (a new report on a running story that shares no event with it
  still joins it); stories are never split (a reader following a story
  never loses part of it);
- the events of those stories' articles (their `story` and `agreement` may
  change), rebuilt from their stored members;

and leaves every other stored event and story as it is. Stored corrections
(splits and joins a person made) apply last, in every update. On an empty
store this is `resolve` over the whole batch. `update(..., full=True)`
resolves everything again (after a change of thresholds or models, or after
re-extraction).

Differences from a full re-run, by design: a stored event outside the
batch's blocks is not re-clustered against the events the batch changes, and
the story features' weights (TF-IDF) are computed over the articles in scope.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date as _date
from typing import Iterable, Optional, Protocol, Sequence

from ..config import Settings
from ..loading import paused_gc
from ..records import ArticleResult, Event, MergeCorrection, Story, stable_id
from . import (Clusterer, Resolution, _assemble, _resolve_clusters, _unique, block_rows, corrected,
               keep_previous_merges, mention_items, resolve)
from .actors import build_actor_index
from .blocking import WINDOW_DAYS
from .corrections import joined_partners
from .scoring import day_ordinal
from .stories import MAX_DAYS_APART

log = logging.getLogger(__name__)

# A dated pair meets only inside one month bucket, an undated one within the
# window of its article's day (blocking.block_pairs): a stored mention further
# than this from every new mention of its block is never a candidate.
DAY_MARGIN = WINDOW_DAYS + 31
STORY_CANDIDATES = 200  # stored articles sharing people with the batch whose stories are reconsidered


class StoredResolution(Protocol):
    """What incremental resolution reads from a store (`store.Store` has it)."""

    def pending_articles(self) -> list[str]: ...

    def load_results(self, article_ids: Optional[Iterable[str]] = None,
                     held: Optional[dict[str, ArticleResult]] = None) -> list[ArticleResult]: ...

    def event_groups(self) -> dict[str, list[str]]: ...

    def mentions_in_blocks(self, blocks: Sequence[str]) -> list[tuple[str, str, str, int]]: ...

    def event_members_of(self, mention_ids: Iterable[str] = (),
                         article_ids: Iterable[str] = ()) -> dict[str, list[tuple[str, str]]]: ...

    def story_members_of(self, article_ids: Iterable[str]) -> dict[str, list[str]]: ...

    def articles_naming(self, names: Iterable[str], date_from: str, date_to: str,
                        limit: int) -> list[str]: ...

    def corrections(self) -> list[MergeCorrection]: ...


@dataclass
class ResolutionUpdate(Resolution):
    """A `Resolution` of the part of the store a batch touched, and what it replaces.

    `events` and `stories` are written; the stored events and stories named
    in `replaced_events` / `replaced_stories` are deleted first, as are the
    block rows of `replaced_blocks` (mention ids). `full`: everything stored
    is replaced."""

    replaced_events: list[str] = field(default_factory=list)
    replaced_stories: list[str] = field(default_factory=list)
    replaced_blocks: list[str] = field(default_factory=list)
    resolved_articles: list[str] = field(default_factory=list)
    full: bool = False
    scope: dict = field(default_factory=dict)  # counts: what was re-resolved, for logs and tests
    results: list[ArticleResult] = field(default_factory=list)  # the results in scope (for compare)


def update(source: StoredResolution, settings: Settings, held: Optional[dict[str, ArticleResult]] = None,
           clusterer: Optional[Clusterer] = None, full: bool = False) -> ResolutionUpdate:
    """Resolve the store's pending articles (stored, never resolved) against
    its stored resolution; `full`: resolve everything stored again."""
    held = held or {}
    with paused_gc():
        if full:
            return _full(source, settings, held, clusterer)
        pending = source.pending_articles()
        if not pending:
            return ResolutionUpdate()
        return _batch(source, settings, held, clusterer, pending)


def _full(source: StoredResolution, settings: Settings, held: dict, clusterer: Optional[Clusterer]) -> ResolutionUpdate:
    results = source.load_results(held=held)
    resolution = resolve(results, settings, clusterer, with_blocks=True, corrections=source.corrections())
    ids = [r.article.id for r in results]
    return ResolutionUpdate(events=resolution.events, stories=resolution.stories, actors=resolution.actors,
                            log=resolution.log, blocks=resolution.blocks, resolved_articles=ids, full=True,
                            scope={"articles": len(ids), "new_articles": len(ids)}, results=results)


@dataclass
class _Scope:
    """What a batch re-resolves, read from the store."""

    new: list[ArticleResult]  # the pending articles' results
    previous: dict[str, list[tuple[str, str]]]  # touched stored events: id -> [(mention, article)]
    touched: set[str]  # stored mentions in the batch's blocks and days
    prior_stories: dict[str, list[str]]  # stored stories reconsidered: id -> articles
    story_articles: set[str]  # the articles stories are clustered over
    context: dict[str, list[tuple[str, str]]]  # other stored events of those articles (rebuilt as they are)
    results: list[ArticleResult]  # every result needed, new and stored
    corrections: list[MergeCorrection]


def _read_scope(source: StoredResolution, held: dict, pending: list[str]) -> _Scope:
    new = _unique(source.load_results(pending, held))
    previous, touched = _touched_events(source, new)
    corrections = source.corrections()
    partners = joined_partners(corrections, {m for members in previous.values() for m, _a in members})
    if partners:  # the other side of a join is re-resolved with it, or the join would come apart
        previous.update(source.event_members_of(mention_ids=partners))
    event_articles = set(pending) | {a for members in previous.values() for _m, a in members}
    story_seed = event_articles | set(source.articles_naming(_people(new), *_story_window(new), STORY_CANDIDATES))
    prior_stories = source.story_members_of(story_seed)
    story_articles = story_seed | {a for arts in prior_stories.values() for a in arts}
    context = {e: members for e, members in source.event_members_of(article_ids=story_articles).items()
               if e not in previous}
    loaded = story_articles | {a for members in context.values() for _m, a in members}
    results = _unique(new + source.load_results(sorted(loaded - set(pending)), held))
    return _Scope(new, previous, touched, prior_stories, story_articles, context, results, corrections)


def _batch(source: StoredResolution, settings: Settings, held: dict, clusterer: Optional[Clusterer],
           pending: list[str]) -> ResolutionUpdate:
    scope = _read_scope(source, held, pending)
    actor_ids, entries = build_actor_index(scope.results)
    reclustered = ({m.id for r in scope.new for m in r.event_mentions}
                   | {m for members in scope.previous.values() for m, _ in members})
    items, texts = mention_items(scope.results, actor_ids, reclustered)
    notes: list[str] = []
    clusters, joined = corrected(_resolve_clusters(items, texts, settings, clusterer), scope.corrections, notes)
    clusters += [sorted(m for m, _ in members) for members in scope.context.values()]
    story_results = [r for r in scope.results if r.article.id in scope.story_articles]
    context_items, _texts = mention_items(scope.results, actor_ids, {m for ms in scope.context.values() for m, _ in ms})
    resolution = _assemble(scope.results, clusters, settings, actor_ids, entries, notes, story_results,
                           items + context_items, joined)
    stories = _keep_stories(resolution.stories, scope.prior_stories)
    _assign_stories(resolution.events, stories)
    counts = {"new_articles": len(scope.new), "touched_mentions": len(scope.touched),
              "events_reclustered": len(scope.previous), "mentions_reclustered": len(items),
              "stories_reconsidered": len(scope.prior_stories), "articles": len(scope.results)}
    log.info("incremental resolution: %s", counts)
    return ResolutionUpdate(events=resolution.events, stories=stories, actors=entries, log=notes,
                            blocks=block_rows(items), replaced_events=sorted(set(scope.previous) | set(scope.context)),
                            replaced_stories=sorted(scope.prior_stories), replaced_blocks=sorted(reclustered),
                            resolved_articles=[r.article.id for r in scope.new], scope=counts, results=scope.results)


def _touched_events(source: StoredResolution, new: Sequence[ArticleResult]) -> tuple[dict, set[str]]:
    """Stored events ({id: [(mention, article)]}) with a member in one of the
    new mentions' blocks within DAY_MARGIN of it, and those members' ids."""
    actor_ids, _entries = build_actor_index(new)
    items, _texts = mention_items(new, actor_ids)
    days: dict[str, list[int]] = {}
    for block, _key, _doc, day in block_rows(items):
        days.setdefault(block, []).append(day)
    touched = set()
    for block, mention, _article, day in source.mentions_in_blocks(sorted(days)):
        if any(abs(day - d) <= DAY_MARGIN for d in days[block]):
            touched.add(mention)
    return (source.event_members_of(mention_ids=touched) if touched else {}), touched


def _people(results: Sequence[ArticleResult]) -> list[str]:
    """Names of the people the batch's articles mention (story candidates)."""
    return sorted({am.actor.name for r in results for am in r.actor_mentions if am.actor.kind == "person"})


def _story_window(results: Sequence[ArticleResult]) -> tuple[str, str]:
    """Publication dates (ISO text, inclusive) a stored article of one of the
    batch's stories can have (stories.MAX_DAYS_APART around the batch)."""
    days = [d for d in (day_ordinal(r.article.published) for r in results) if d is not None]
    if not days:
        return "0000", "9999"
    return (_date.fromordinal(min(days) - MAX_DAYS_APART).isoformat(),
            _date.fromordinal(max(days) + MAX_DAYS_APART).isoformat() + "~")


def _keep_stories(stories: list[Story], prior: dict[str, list[str]]) -> list[Story]:
    """Stories that would split a stored story are merged back: a reader
    following a story never loses part of it. A stored story is thus a unit
    that new articles join or that joins others; that is by design, so it is
    not reported in `Resolution.log`."""
    clusters, _notes = keep_previous_merges(prior, [s.articles for s in stories], kind="story")
    story_of_article = {a: s for s in stories for a in s.articles}
    out = []
    for articles in clusters:
        parts = sorted({story_of_article[a].id: story_of_article[a] for a in articles}.values(),
                       key=lambda s: (-len(s.articles), s.id))
        if len(parts) == 1:
            out.append(parts[0])
            continue
        out.append(Story(id=stable_id("s", articles[0]), title=parts[0].title, articles=articles,
                         events=sorted({e for p in parts for e in p.events}),
                         outlets=sorted({o for p in parts for o in p.outlets})))
    return sorted(out, key=lambda s: s.id)


def _assign_stories(events: Sequence[Event], stories: Sequence[Story]) -> None:
    story_of = {e: s.id for s in stories for e in s.events}
    for ev in events:
        ev.story = story_of.get(ev.id)
