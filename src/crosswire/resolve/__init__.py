"""Resolve: cross-document event coreference, actor linking, story clustering.

Entry point: `resolve(results, settings) -> Resolution`. Input is every
ArticleResult in scope (the store's and the new batch's); output is canonical
events (each with every supporting mention), stories and canonical actors.

How (docs/resolve.md has the detail):
1. actors: every actor reference gets a canonical id (actors.py);
2. mentions become scorer `Item`s; identical dated reports are compressed;
3. blocking (blocking.py) proposes candidate pairs, the pairwise scorer
   (scoring.py) scores them, and constrained average-link clustering
   (cluster.py) groups them: different dates never merge, nor two mentions of
   one sentence;
4. each cluster becomes an Event whose status follows the latest evidence;
5. articles are grouped into stories (stories.py).

Order-independent: items are sorted by mention id first and every tie breaks
on ids, so processing A then B gives the same events as A and B together.
`resolve.incremental.update` adds a batch to a stored resolution, re-resolving
only the stored events and stories the batch can touch, and never splits an
event that existed before (it logs when it had to keep one merged).
"""
from __future__ import annotations

import logging
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Optional, Sequence

from ..config import Settings
from ..extract.events import status_unstated
from ..extract.events.meaning import unpack
from ..extract.events.roles import SPEECH_ACT_TYPES
from ..extract.time import names_its_day
from ..loading import paused_gc
from ..records import ArticleResult, Event, EventMention, Mention, MergeCorrection, Participant, Place, Story, stable_id
from .actors import ActorEntry, build_actor_index, canonical_participant
from .blocking import block_pairs, blocks_of, candidate_pairs
from .cluster import agglomerate
from .corrections import apply_corrections
from .embed import Embedder
from .evidence import merge_links
from .lexicon import content_words, trigger_lemma
from .scoring import NEWS_WEIGHTS, NEWS_WEIGHTS_MINILM, Item, cannot_link, day_ordinal, score
from .stories import cluster_stories

log = logging.getLogger(__name__)

__all__ = ["Resolution", "resolve", "resolve_incremental", "cluster_mentions", "cluster_locally", "scored_edges", "block_edges"]

ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
RECORD_SUFFIX = re.compile(r"(:\d+|#.*)$")  # "file.jsonl:12", "feed.xml#3": the record within a file
EDGE_FLOOR = 0.05  # scores below this are dropped: memory stays bounded by plausible pairs
STATUS_STRENGTH = {"occurred": 3, "ongoing": 2, "planned": 1}
STATED_BASES = ("explicit", "relative-to-publication")  # the text gives the day: a hard constraint
BASIS_WEIGHT = {"explicit": 3, "relative-to-publication": 2, "inferred": 1, "publication": 1}


@dataclass
class Resolution:
    events: list[Event] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    actors: list[ActorEntry] = field(default_factory=list)
    log: list[str] = field(default_factory=list)  # notable decisions (kept merges, ...)
    blocks: list[tuple] = field(default_factory=list)  # `block_rows` of every mention resolved


# ------------------------------------------------------------------ mentions
def _clean_date(value: Optional[str]) -> Optional[str]:
    """Keep calendar dates and their prefixes; weeks, seasons, refs say nothing here."""
    if value and ISO_DATE.match(value[:10]):
        return value[:10]
    return None


def _actor_key(p: Participant, actor_ids: dict) -> str:
    """The participant's canonical actor id, else its name."""
    return actor_ids.get((p.name, p.code, p.kind)) or p.name.lower()


def _codes(m: EventMention, actor_ids: dict) -> frozenset:
    out = set()
    for p in list(m.actors) + list(m.recipients):
        out.add(p.code or _actor_key(p, actor_ids))
    return frozenset(out)


def _speakers(m: EventMention, actor_ids: dict) -> frozenset:
    """The persons an event done by saying something is by (canonical ids); none for other events."""
    if m.event_type not in SPEECH_ACT_TYPES:
        return frozenset()
    return frozenset(_actor_key(p, actor_ids) for p in m.actors if p.kind == "person")


def mention_item(m: EventMention, published: Optional[str], actor_ids: dict, day_named: bool = False) -> Item:
    """The scorer's view of a news mention. A date the text states is a hard
    constraint (`Item.date`); one the extractor inferred is a hint
    (`Item.soft_date`): on the news_events train articles most reports of one
    happening that disagreed on the date had an inferred date on one side.
    `day_named`: the mention's time expression gives month and day, only the
    year coming from an inferred anchor ("January 12" in an undated article):
    a day the text states."""
    date = _clean_date(m.date)
    stated = m.date_basis in STATED_BASES or (day_named and date is not None and len(date) == 10)
    return Item(key=m.id, doc=m.article, sentence=m.sentence, lemma=trigger_lemma(m.trigger),
                event_type=m.event_type, codes=_codes(m, actor_ids),
                coded=frozenset(p.code for p in list(m.actors) + list(m.recipients) if p.code),
                speakers=_speakers(m, actor_ids),
                date=date if stated else None, soft_date=None if stated else date,
                ref_day=day_ordinal(date) or day_ordinal(published), location=_venue_key(m.location),
                topic=content_words(m.topic or ""), context=content_words(m.text), vector=unpack(m.meaning),
                members=[m.id])


def _compress(items: list[Item]) -> list[Item]:
    """Fold dated mentions with one signature (type, trigger, date, participants,
    speakers, place) from different sentences into one weighted item: they are the
    duplicates news is full of, and scoring them pairwise would be wasted work."""
    groups: dict[tuple, list[Item]] = defaultdict(list)
    out = []
    for it in items:
        if it.date and len(it.date) == 10 and it.codes:
            groups[(it.event_type, it.lemma, it.date, it.codes, it.speakers, it.location)].append(it)
        else:
            out.append(it)
    for group in groups.values():
        head = group[0]
        head.members = [k for g in group for k in g.members]
        head.weight = len(head.members)
        head.context = frozenset().union(*(g.context for g in group[:20]))
        out.append(head)
    out.sort(key=lambda it: it.key)
    return out


Clusterer = Callable[[list[Item], float, dict, bool], list[list[int]]]


def scored_edges(items: Sequence[Item], pairs: Iterable[tuple[int, int]], weights: dict,
                 same_sentence_rule: bool = True) -> Iterator[tuple[int, int, float]]:
    """Score candidate pairs; pairs that can never link, or score below the
    floor, are dropped (memory stays bounded by plausible pairs)."""
    for i, j in pairs:
        if cannot_link(items[i], items[j], same_sentence_rule):
            continue
        s = score(items[i], items[j], weights)
        if s >= EDGE_FLOOR:
            yield i, j, s


def block_edges(block: str, idxs: Sequence[int], block_items: Sequence[Item], weights: dict,
                same_sentence_rule: bool = True) -> Iterator[tuple[int, int, float]]:
    """Scored edges of one block in global indices (`idxs` ascending, `block_items`
    their items): the unit of work when blocks are scored apart (processes, Spark)."""
    pairs = ((min(i, j), max(i, j)) for i, j in block_pairs(block, block_items) if i != j)
    for i, j, s in scored_edges(block_items, pairs, weights, same_sentence_rule):
        yield idxs[i], idxs[j], s


def cluster_locally(items: list[Item], threshold: float, weights: dict,
                    same_sentence_rule: bool = True) -> list[list[int]]:
    """The one-process clusterer: every block's pairs, scored, then agglomerated
    (crosswire.scale.resolve has the Spark clusterer, equal to this one)."""
    edges = scored_edges(items, candidate_pairs(items), weights, same_sentence_rule)
    return agglomerate(items, edges, threshold, same_sentence_rule)


def _default_clusterer(n_items: int, workers: int) -> Clusterer:
    from .parallel import cluster_in_processes, workers_for

    n = workers_for(n_items, workers)
    if n == 1:
        return cluster_locally
    return lambda items, threshold, weights, rule: cluster_in_processes(items, threshold, weights, rule, n)


def cluster_mentions(items: list[Item], threshold: float, weights: dict = NEWS_WEIGHTS,
                     embedder: Optional[Embedder] = None, texts: Optional[dict[str, str]] = None,
                     same_sentence_rule: bool = True, clusterer: Optional[Clusterer] = None,
                     workers: int = 1) -> list[list[str]]:
    """Blocking + scoring + clustering: lists of mention keys, one per cluster.
    `workers`: local processes for large inputs (0 = every CPU; see parallel.py)."""
    items = _compress(sorted(items, key=lambda it: it.key))
    if embedder is not None and embedder.available and texts:
        for item, vec in zip(items, embedder.sentences([texts.get(it.key, "") for it in items])):
            item.vector = vec
    clusters = (clusterer or _default_clusterer(len(items), workers))(items, threshold, weights, same_sentence_rule)
    return sorted((sorted(k for i in c for k in items[i].members) for c in clusters), key=lambda c: c[0])


# -------------------------------------------------------------------- events
def _outlet(result: ArticleResult) -> str:
    """The outlet, or a label that keeps unknown outlets apart by their file."""
    article = result.article
    if article.outlet:
        return article.outlet
    where = os.path.basename(RECORD_SUFFIX.sub("", article.path).rstrip("/")) if article.path else article.id
    return f"unknown outlet ({where})"


def _cites(m: EventMention, attributions: Sequence) -> list[str]:
    names = [s.name for s in m.sources if s.kind != "outlet"]
    for a in attributions:
        if a.covers_start <= m.start < a.covers_end:
            names += [s.name for s in a.chain if s.kind != "outlet"]
    return names


def _pick_date(mentions: Sequence[EventMention]) -> tuple[Optional[str], Optional[str], str]:
    votes: Counter = Counter()
    basis_of: dict[str, str] = {}
    for m in mentions:
        d = _clean_date(m.date)
        if d:
            w = BASIS_WEIGHT.get(m.date_basis, 1)
            votes[d] += w
            if BASIS_WEIGHT.get(m.date_basis, 0) >= BASIS_WEIGHT.get(basis_of.get(d, ""), 0):
                basis_of[d] = m.date_basis
    if not votes:
        return None, None, "none"
    # the most specific date wins among compatible ones (a day over its month)
    best = max(votes, key=lambda d: (len(d), votes[d], d))
    ends = Counter(_clean_date(m.date_end) for m in mentions if _clean_date(m.date) == best and m.date_end)
    end = max(ends, key=lambda d: (ends[d], d or "")) if ends else None
    return best, end, basis_of[best]


def _latest_status(mentions: Sequence[EventMention], published: dict[str, Optional[str]]) -> str:
    """Status from the latest evidence (article date order); once any report
    says the event occurred, occurred beats planned. A bare event noun whose
    'occurred' is only the default ("the discussions follow proposals ...")
    is no such report while another states a status."""
    mentions = [m for m in mentions if not status_unstated(m)] or list(mentions)
    statuses = {m.status for m in mentions}
    order = sorted(mentions, key=lambda m: (published.get(m.article) or "", m.article, m.sentence, m.id))
    latest_day = published.get(order[-1].article) or ""
    latest = [m.status for m in order if (published.get(m.article) or "") == latest_day
              and m.article == order[-1].article]
    status = max(latest, key=lambda s: (STATUS_STRENGTH.get(s, 0), s))
    if "occurred" in statuses and status in ("planned", "ongoing"):
        status = "occurred"
    return status


def _merge_participants(mentions: Sequence[EventMention], actor_ids: dict,
                        names: dict) -> tuple[list[Participant], list[Participant]]:
    """The event's actors and recipients from its mentions', most often named
    first. An entity is on one side only: the side more of its mentions put
    it on (weighted by the mentions' confidence; a tie goes to the actors).
    Reports of one happening disagree on who acted ("X met Y", "Y met X"),
    and an analyst reads an event with one entity on both sides as wrong."""
    weight: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    counts: list[Counter] = [Counter(), Counter()]
    first: dict[str, Participant] = {}
    for m in mentions:
        for side, plist in enumerate((m.actors, m.recipients)):
            for p in plist:
                cp = canonical_participant(p, actor_ids, names)
                key = cp.actor_id or cp.code or cp.name
                counts[side][key] += 1
                weight[key][side] += max(m.confidence, 1e-3)
                first.setdefault(key, cp)
    sides: list[list[Participant]] = [[], []]
    for side in (0, 1):
        for key in sorted(counts[side], key=lambda k: (-counts[side][k], k)):
            actor_side = weight[key][0] >= weight[key][1]
            if actor_side == (side == 0):
                sides[side].append(first[key])
    return sides[0], sides[1]


def _most_common(values: Sequence[Optional[str]]) -> Optional[str]:
    c = Counter(v for v in values if v)
    return max(c, key=lambda v: (c[v], v)) if c else None


PLACE_BASIS_RANK = {"explicit": 3, "inferred": 2, "dateline": 1}


def _venue_key(place: Optional[Place]) -> Optional[str]:
    """Only a place the text attaches to the event (not its dateline) tells two reports apart."""
    return str(place.geonames_id) if place is not None and place.basis == "explicit" and place.geonames_id else None


def _pick_place(places: Sequence[Optional[Place]]) -> Optional[Place]:
    """The best-evidenced place of a cluster: explicit before inferred before
    dateline, then the place most reports give (a planned event keeps its venue)."""
    given = [p for p in places if p is not None]
    counts = Counter((p.geonames_id, p.name) for p in given)
    return max(given, key=lambda p: (PLACE_BASIS_RANK.get(p.basis, 0), counts[(p.geonames_id, p.name)]),
               default=None)


def build_event(mentions: list[EventMention], by_article: dict[str, ArticleResult], actor_ids: dict,
                names: dict, published: dict[str, Optional[str]]) -> Event:
    """One canonical event from the mentions of a cluster (`published`: article id -> date)."""
    mentions = sorted(mentions, key=lambda m: (published.get(m.article) or "", m.article, m.sentence, m.start, m.id))
    types = Counter(m.event_type for m in mentions)
    event_type = max(types, key=lambda t: (types[t], t == "CONSULT", t))
    # the status is what the reports of the event's own type say: an agreement
    # to meet reported in the same sentence is not evidence the meeting was held
    status = _latest_status([m for m in mentions if m.event_type == event_type], published)
    date, date_end, basis = _pick_date(mentions)
    export = _most_common([m.plover_export_type for m in mentions if m.status == status]) or event_type
    if status == "planned" and event_type == "CONSULT":
        export = "AGREE"  # PLOVER codes an announced meeting as an agreement to meet
    elif status == "occurred" and export == "AGREE" and event_type == "CONSULT":
        export = "CONSULT"
    best_text = max(mentions, key=lambda m: (bool(_clean_date(m.date)), len(m.actors) + len(m.recipients),
                                             -len(m.text), m.id))
    actors, recipients = _merge_participants(mentions, actor_ids, names)
    sources: dict[str, set[str]] = defaultdict(set)
    for m in mentions:
        r = by_article[m.article]
        sources[_outlet(r)].update(_cites(m, r.attributions))
    return Event(
        id=stable_id("e", min(m.id for m in mentions)), event_type=event_type, status=status,
        mode=_most_common([m.mode for m in mentions]),
        context=sorted({c for m in mentions for c in m.context}),
        cameo=_most_common([m.cameo for m in mentions]), plover_export_type=export,
        date=date, date_end=date_end, date_basis=basis,
        actors=actors, recipients=recipients,
        location=_pick_place([m.location for m in mentions]), topic=_most_common([m.topic for m in mentions]),
        mentions=[Mention(m.id, m.article, m.sentence, m.start, m.end, m.text, _outlet(by_article[m.article]),
                          m.status, _clean_date(m.date)) for m in mentions],
        sources=[{"outlet": o, "cites": sorted(c)} for o, c in sorted(sources.items())],
        event_text=best_text.text, confidence=max(m.confidence for m in mentions))


# ------------------------------------------------------------------- resolve
def _settings(settings: Optional[Settings]) -> Settings:
    return settings or Settings()


def mention_items(results: Sequence[ArticleResult], actor_ids: dict,
                  wanted: Optional[set[str]] = None) -> tuple[list[Item], dict[str, str]]:
    """Scorer items (and sentence texts) of the results' event mentions, or of
    those whose ids are `wanted`."""
    items, texts = [], {}
    for r in results:
        day_named = {t.id for t in r.timexes if names_its_day(t)}
        for m in r.event_mentions:
            if wanted is None or m.id in wanted:
                items.append(mention_item(m, r.article.published, actor_ids, m.timex in day_named))
                texts[m.id] = m.text
    return items, texts


def block_rows(items: Iterable[Item]) -> list[tuple[str, str, str, int]]:
    """(block, mention id, article, day) of each item's keyed blocks: the
    store's index of where a mention can be met (`resolve.incremental`).
    Article blocks are left out: a new article never shares one."""
    return [(block, it.key, it.doc, it.ref_day or 0) for it in items for block in blocks_of(it)
            if not block.startswith("doc:")]


def _embedder(settings: Settings) -> Optional[Embedder]:
    return Embedder(enabled=settings.use_embeddings) if settings.use_embeddings else None


def news_weights(settings: Settings) -> dict[str, float]:
    """The news scorer's weights as this run applies them: fitted on the
    mentions' own sentence vectors, or on the opt-in MiniLM sentence model's
    when it is on (it replaces them)."""
    embedder = _embedder(settings)
    return NEWS_WEIGHTS_MINILM if embedder is not None and embedder.available else NEWS_WEIGHTS


def _resolve_clusters(items: list[Item], texts: dict[str, str], settings: Settings,
                      clusterer: Optional[Clusterer] = None) -> list[list[str]]:
    return cluster_mentions(items, settings.coref_threshold, news_weights(settings), _embedder(settings), texts,
                            clusterer=clusterer, workers=settings.resolve_workers)


def corrected(clusters: list[list[str]], corrections: Sequence[MergeCorrection],
              notes: list[str]) -> tuple[list[list[str]], frozenset]:
    """Clusters after the stored corrections (logged in `notes`), and the
    mentions a join put together (for the merge evidence)."""
    if not corrections:
        return clusters, frozenset()
    clusters, applied = apply_corrections(clusters, corrections)
    kinds = {c.id: c.kind for c in corrections}
    notes += [f"applied {kinds[cid]} correction {cid} to {len(keys)} mentions" for cid, keys in sorted(applied.items())]
    return clusters, frozenset(k for cid, keys in applied.items() if kinds[cid] == "join" for k in keys)


def _assemble(results: Sequence[ArticleResult], clusters: list[list[str]], settings: Settings,
              actor_ids: dict, entries: list[ActorEntry], notes: list[str],
              story_results: Optional[Sequence[ArticleResult]] = None, items: Sequence[Item] = (),
              joined: frozenset = frozenset()) -> Resolution:
    """Events from clusters (with the links that tied them, from the scorer
    `items` of the mentions clustered), then stories over `story_results`
    (default: all)."""
    by_article = {r.article.id: r for r in results}
    by_id = {m.id: m for r in results for m in r.event_mentions}
    names = {e.id: e.name for e in entries}
    published = {a: r.article.published for a, r in by_article.items()}
    item_of = {it.key: it for it in items}
    weights = news_weights(settings)
    events = []
    for c in clusters:
        event = build_event([by_id[k] for k in c], by_article, actor_ids, names, published)
        event.merged_by = merge_links(c, item_of, weights, joined) if len(c) > 1 else []
        events.append(event)
    events.sort(key=lambda e: e.id)
    stories = cluster_stories(results if story_results is None else story_results, events, actor_ids,
                              settings.story_threshold, settings.resolve_workers,
                              settings.story_link_days if settings.story_link_days >= 0 else None,
                              settings.story_gate_days if settings.story_gate_days >= 0 else None)
    story_of = {e: s.id for s in stories for e in s.events}
    for ev in events:
        ev.story = story_of.get(ev.id)
    return Resolution(events=events, stories=stories, actors=entries, log=notes)


def resolve(results: Sequence[ArticleResult], settings: Optional[Settings] = None,
            clusterer: Optional[Clusterer] = None, previous: Optional[dict[str, list[str]]] = None,
            with_blocks: bool = False, corrections: Sequence[MergeCorrection] = ()) -> Resolution:
    """Canonical events, stories and actors of every article result in scope.
    `clusterer` replaces the one-process mention clustering (Spark passes its own).
    `previous`: the events already published ({event id: member mention ids},
    e.g. `Store.event_groups()`); none of them is split (see
    `keep_previous_merges`). `with_blocks`: fill `Resolution.blocks` (the
    store's index; a few tuples per mention, so only when it is stored). A
    store resolves a new batch with `resolve.incremental.update`."""
    settings = _settings(settings)
    with paused_gc():  # millions of small acyclic objects: see loading.paused_gc
        results = _unique(results)
        actor_ids, entries = build_actor_index(results)
        items, texts = mention_items(results, actor_ids)
        blocks = block_rows(items) if with_blocks else []
        clusters = _resolve_clusters(items, texts, settings, clusterer)
        clusters, notes = keep_previous_merges(previous or {}, clusters)
        clusters, joined = corrected(clusters, corrections, notes)
        resolution = _assemble(results, clusters, settings, actor_ids, entries, notes, items=items, joined=joined)
        resolution.blocks = blocks
        return resolution


def resolve_incremental(previous: Resolution, new_results: Sequence[ArticleResult],
                        all_results: Sequence[ArticleResult], settings: Optional[Settings] = None) -> Resolution:
    """Add `new_results` to a previous in-memory resolution over `all_results`:
    every mention is clustered again, and no event of `previous` is split
    (its parts are kept merged and the decision is logged in `Resolution.log`).
    Stores use `resolve.incremental.update`, which re-resolves only what the
    batch touches."""
    groups = {ev.id: [m.mention_id for m in ev.mentions] for ev in previous.events}
    return resolve(list(all_results) + list(new_results), settings, previous=groups)


def keep_previous_merges(previous: dict[str, list[str]], clusters: list[list[str]],
                         kind: str = "event") -> tuple[list[list[str]], list[str]]:
    """Union clusters that share a previous group (an event's mentions, a
    story's articles): what was published together is never split silently."""
    parent = list(range(len(clusters)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    where = {k: i for i, c in enumerate(clusters) for k in c}
    notes = []
    for event_id, members in sorted(previous.items()):
        idxs = sorted({where[m] for m in members if m in where})
        if len(idxs) > 1:
            msg = f"kept {kind} {event_id} merged: new evidence would split it into {len(idxs)} parts"
            # a kept event is news to the user; a kept story is routine (story
            # features are weighted over the articles in scope, see incremental.py)
            log.log(logging.WARNING if kind == "event" else logging.DEBUG, msg)
            notes.append(msg)
            for i in idxs[1:]:
                parent[find(i)] = find(idxs[0])
    merged: dict[int, list[str]] = defaultdict(list)
    for i, c in enumerate(clusters):
        merged[find(i)].extend(c)
    return sorted((sorted(c) for c in merged.values()), key=lambda c: c[0]), notes


def _unique(results: Sequence[ArticleResult]) -> list[ArticleResult]:
    """One result per article id (a re-run adds nothing), sorted by id."""
    seen: dict[str, ArticleResult] = {}
    for r in results:
        seen.setdefault(r.article.id, r)
    return [seen[k] for k in sorted(seen)]
