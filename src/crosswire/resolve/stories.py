"""Story clustering: articles grouped by shared events and entities.

Why: a reader follows a story, not an event; a story is the set of articles
about one unfolding matter. Each article becomes a bag of features (its
title's content words, the names in its text, its actors' codes and canonical
ids, and the ids of the events it reports), weighted by TF-IDF; articles
whose cosine passes `story_threshold`, or which report a common event, are
linked, and average-link clustering (the same code as events) groups them.
Deterministic: the story id is derived from its smallest article id, and the
title comes from its most central article.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Optional, Sequence

from ..records import ArticleResult, Event, Story, stable_id
from .cluster import agglomerate
from .lexicon import content_words
from .scoring import Item, day_ordinal, type_family

NAME = re.compile(r"\b(?:[A-Z][a-z]+|[A-Z]{2,})(?:\s+(?:[A-Z][a-z]+|[A-Z]{2,}))*")
MAX_DAYS_APART = 60  # articles further apart than this belong to different stories
SHARED_EVENT_BONUS = 0.5
MAX_FEATURE_DF = 100  # a feature shared by more articles says little about one story, and costs quadratically
STORY_NEIGHBOURS = 50  # similar partners kept per article: bounds the story graph at n * 50 pairs
# articles of one event paired with their next ten (by id): a widely reported event chains its
# articles into one story through these links without pairing every report with every other
SHARED_EVENT_NEIGHBOURS = 10


def article_features(result: ArticleResult, actor_ids: dict, event_ids: Sequence[str]) -> list[str]:
    """The article's bag of story features (repeats weight a feature)."""
    a = result.article
    feats = [f"w:{w}" for w in sorted(content_words(a.title))] * 2
    head = a.text[:3000]
    feats += [f"n:{n.lower()}" for n in NAME.findall(head) if len(n) > 2]
    for am in result.actor_mentions:
        key = actor_ids.get((am.actor.name, am.actor.code, am.actor.kind))
        feats.append(f"x:{key or am.actor.name.lower()}")
        if am.actor.code:
            feats.append(f"c:{am.actor.code}")
    feats += [f"e:{e}" for e in event_ids] * 3
    return feats


def cluster_stories(results: Sequence[ArticleResult], events: Sequence[Event], actor_ids: dict,
                    threshold: float, workers: int = 1, link_days: Optional[int] = None,
                    gate_days: Optional[int] = None) -> list[Story]:
    """Stories over all articles, each article in exactly one story
    (`workers`: local processes for large inputs, as for mentions).
    `link_days`: two dated articles published at most `gate_days` apart
    (None: any two dated ones) are linked only when their events connect them
    (`connected_pairs`: a shared event, or events of one type family sharing a
    participant within `link_days` days); None links on similarity alone."""
    if not results:
        return []
    results = sorted(results, key=lambda r: r.article.id)
    events_of: dict[str, list[str]] = defaultdict(list)
    for ev in events:
        for art in sorted({m.article for m in ev.mentions}):
            events_of[art].append(ev.id)
    bags = [article_features(r, actor_ids, events_of.get(r.article.id, [])) for r in results]
    sims = _cosine_pairs(bags, threshold * 0.5)
    days = [day_ordinal(r.article.published) for r in results]
    shared = _shared_event_pairs(results, events_of)
    candidates = sorted(set(sims.items()) | {(p, 0.0) for p in shared if p not in sims})
    linked = None if link_days is None else connected_pairs(results, events, [p for p, _s in candidates], link_days)
    edges = []
    for (i, j), s in candidates:
        if days[i] is not None and days[j] is not None and abs(days[i] - days[j]) > MAX_DAYS_APART:
            continue
        close = days[i] is not None and days[j] is not None and (gate_days is None or abs(days[i] - days[j]) <= gate_days)
        if linked is not None and close and (i, j) not in shared and (i, j) not in linked:
            continue  # alike in words and names, but no event connects them: two situations
        if (i, j) in shared:
            s = min(1.0, s + SHARED_EVENT_BONUS * shared[(i, j)])
        edges.append((i, j, s))
    items = [Item(key=r.article.id, doc=r.article.id, sentence=0, lemma="") for r in results]
    from .parallel import MIN_ARTICLES, workers_for

    clusters = agglomerate(items, edges, threshold, same_sentence_rule=False, unscored_as_zero=True,
                           workers=workers_for(len(items), workers, MIN_ARTICLES))
    sim_of = {(i, j): s for i, j, s in edges}
    stories = []
    for members in clusters:
        arts = [results[i] for i in members]
        central = _most_central(members, sim_of)
        ev_ids = sorted({e for r in arts for e in events_of.get(r.article.id, [])})
        stories.append(Story(
            id=stable_id("s", arts[0].article.id), title=results[central].article.title or "",
            articles=[r.article.id for r in arts], events=ev_ids,
            outlets=sorted({r.article.outlet for r in arts if r.article.outlet})))
    return stories


def _event_keys(results: Sequence[ArticleResult], events: Sequence[Event]) -> list[dict[tuple[str, str], list[int]]]:
    """Per article: (type family, participant) -> the days of its events of that
    family naming that participant (code, else canonical actor id; an undated
    event counts on its article's day)."""
    index = {r.article.id: i for i, r in enumerate(results)}
    published = [day_ordinal(r.article.published) for r in results]
    keys: list[dict[tuple[str, str], list[int]]] = [defaultdict(list) for _ in results]
    for ev in events:
        family = type_family(ev.event_type)
        who = {p.code or p.actor_id or p.name.lower() for p in ev.actors + ev.recipients}
        for art in {m.article for m in ev.mentions}:
            i = index.get(art)
            if i is None:
                continue
            day = day_ordinal(ev.date) or published[i]
            for w in who:
                keys[i][(family, w)].append(day if day is not None else -1)
    return keys


def connected_pairs(results: Sequence[ArticleResult], events: Sequence[Event],
                    pairs: Sequence[tuple[int, int]], link_days: int) -> set[tuple[int, int]]:
    """The candidate article pairs whose events connect them: an event of each
    with one type family and a common participant, at most `link_days` apart
    (an undated side matches any day). Why: two situations about the same
    country in the same week share words and names; what makes one developing
    story is a chain of happenings among the same parties."""
    keys = _event_keys(results, events)
    out = set()
    for i, j in pairs:
        small, large = sorted((keys[i], keys[j]), key=len)
        for key, days in small.items():
            other = large.get(key)
            if other and any(a < 0 or b < 0 or abs(a - b) <= link_days for a in days for b in other):
                out.add((i, j))
                break
    return out


def _most_central(members: list[int], sim_of: dict) -> int:
    def centrality(i: int) -> tuple[float, int]:
        total = sum(sim_of.get((min(i, j), max(i, j)), 0.0) for j in members if j != i)
        return (total, -i)
    return max(members, key=centrality)


def _shared_event_pairs(results: Sequence[ArticleResult], events_of: dict) -> dict[tuple[int, int], float]:
    """Article pairs reporting a common event, with the share of the smaller
    article's events they have in common (one shared event among ten is weak)."""
    index = {r.article.id: i for i, r in enumerate(results)}
    by_event: dict[str, list[int]] = defaultdict(list)
    for art, evs in events_of.items():
        for e in evs:
            if art in index:
                by_event[e].append(index[art])
    common: dict[tuple[int, int], int] = defaultdict(int)
    for idxs in by_event.values():
        idxs = sorted(idxs)
        for p, i in enumerate(idxs):
            for j in idxs[p + 1:p + 1 + SHARED_EVENT_NEIGHBOURS]:
                common[(i, j)] += 1
    sizes = [max(1, len(events_of.get(r.article.id, []))) for r in results]
    return {(i, j): n / min(sizes[i], sizes[j]) for (i, j), n in common.items()}


def tfidf_rows(bags: Sequence[Sequence[str]], max_df: int):
    """Each bag as an L2-normalised row of sublinear TF-IDF weights (1 + ln tf,
    times ln((1 + n) / (1 + df)) + 1): scikit-learn's `TfidfVectorizer(
    sublinear_tf=True, max_df=max_df)` on ready-made bags, fitted here and
    applied by the events model's `sublinear_tfidf_rows`, because importing
    scikit-learn costs a run more than a second. Features in more than
    `max_df` bags are dropped: a big country in every article would make the
    product quadratic. None when no feature is left."""
    import numpy as np

    from ..extract.events.model import sublinear_tfidf_rows

    df = Counter(feature for bag in bags for feature in set(bag))
    kept = sorted(f for f, d in df.items() if d <= max_df)
    if not kept:
        return None
    idf = np.log((1 + len(bags)) / (1 + np.array([df[f] for f in kept], dtype=np.float64))) + 1.0
    return sublinear_tfidf_rows(bags, {f: k for k, f in enumerate(kept)}, idf)


def _cosine_pairs(bags: list[list[str]], floor: float, neighbours: int = STORY_NEIGHBOURS,
                  chunk: int = 2000) -> dict[tuple[int, int], float]:
    """TF-IDF cosine of article pairs above `floor`, each article keeping its
    `neighbours` most similar partners (a pair stays when either side keeps it).

    Why the cap: at a low floor most articles of a busy month clear it with
    each other, and the pairs (and the time to cluster them) grew
    quadratically. The product runs in row chunks so memory stays bounded."""
    import numpy as np

    if len(bags) < 2:
        return {}
    X = tfidf_rows(bags, MAX_FEATURE_DF)
    if X is None:
        return {}
    XT = X.T.tocsc()
    out: dict[tuple[int, int], float] = {}
    for start in range(0, X.shape[0], chunk):
        sim = (X[start:start + chunk] @ XT).tocsr()
        for row in range(sim.shape[0]):
            i = start + row
            lo, hi = sim.indptr[row], sim.indptr[row + 1]
            cols, vals = sim.indices[lo:hi], sim.data[lo:hi]
            keep = (vals >= floor) & (cols != i)
            cols, vals = cols[keep], vals[keep]
            if len(vals) > neighbours:
                top = np.lexsort((cols, -vals))[:neighbours]  # ties broken by index: deterministic
                cols, vals = cols[top], vals[top]
            for j, v in zip(cols.tolist(), vals.tolist()):
                out[(i, j) if i < j else (j, i)] = v
    return out
