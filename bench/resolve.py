"""Benchmark cross-document resolution on synthetic event mentions.

    .venv/bin/python bench/resolve.py --mentions 100000 [--seed 1] [--embeddings]

Generates N event mentions with a news-like shape: events with a Zipf-like
number of reports (most reported once or twice, a few by dozens of outlets),
PLOVER types in realistic proportions, participants drawn from a Zipf
distribution over 250 actor codes (so a few countries appear everywhere),
dates over two years, about 10 mentions per article, and the usual noise
(a fifth of the mentions without a date, some missing a participant,
trigger synonyms, planned and occurred reports of one meeting). Each event
has a topic (three words of a 3,000-word vocabulary) and often a place, which
its reports mention some of the time, as news reports of one happening share
what it was about. Then it
times `crosswire.resolve.resolve` (events, actors and stories) on them and
prints, as its last line:

    resolve: N mentions, A articles -> E events (T true), S stories in T s (C s CPU, workers included);
             peak RSS M MiB (a worker: W MiB) (P% of true events recovered exactly)

Resolution uses `Settings.resolve_workers` local processes for large inputs
(default: every CPU); `--workers 1` measures one process.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from datetime import date, timedelta

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

from crosswire.config import Settings  # noqa: E402
from crosswire.records import Article, ArticleResult, EventMention, Participant  # noqa: E402
from crosswire.resolve import resolve  # noqa: E402

TYPES = {"CONSULT": 0.28, "ACCUSE": 0.14, "ASSAULT": 0.12, "SUPPORT": 0.08, "REQUEST": 0.08, "AGREE": 0.06,
         "PROTEST": 0.05, "SANCTION": 0.04, "THREATEN": 0.04, "COERCE": 0.03, "AID": 0.03, "MOBILIZE": 0.02,
         "REJECT": 0.02, "COOPERATE": 0.01}
TRIGGERS = {"CONSULT": ["talks", "meeting", "discussions", "summit", "negotiations", "met"],
            "AGREE": ["agreed to meet", "deal", "agreement"], "ACCUSE": ["accused", "accusation", "blamed"],
            "ASSAULT": ["attack", "strike", "shelling", "raid"], "PROTEST": ["protest", "rally", "demonstration"],
            "SANCTION": ["sanctions", "embargo"], "THREATEN": ["threatened", "warning"]}
CODES = [f"C{i:03d}" for i in range(250)]
PLACES = [f"Place{i:03d}" for i in range(400)]
WORDS = [f"w{i:04d}" for i in range(3000)]  # a topic vocabulary: what an event is about
OUTLETS = [f"Outlet {i}" for i in range(40)]
START = date(2030, 1, 1)


def zipf_choice(rng: random.Random, seq: list, s: float = 1.1) -> object:
    weights = getattr(zipf_choice, "_w", {}).get((len(seq), s))
    if weights is None:
        weights = [1 / (k + 1) ** s for k in range(len(seq))]
        zipf_choice._w = {**getattr(zipf_choice, "_w", {}), (len(seq), s): weights}
    return rng.choices(seq, weights)[0]


def synthetic(n: int, seed: int = 1) -> tuple[list[ArticleResult], dict[str, int]]:
    """Article results holding n mentions, and each mention's true event."""
    rng = random.Random(seed)
    types, probs = list(TYPES), list(TYPES.values())
    truth: dict[str, int] = {}
    pending: list[tuple[int, EventMention, date]] = []
    event = 0
    while len(pending) < n:
        etype = rng.choices(types, probs)[0]
        actors = {zipf_choice(rng, CODES)}
        while len(actors) < rng.choice((1, 2, 2, 3)):
            actors.add(zipf_choice(rng, CODES))
        day = START + timedelta(days=rng.randrange(730))
        place = zipf_choice(rng, PLACES) if rng.random() < 0.6 else None
        topic = " ".join(rng.sample(WORDS, 3))
        reports = min(60, int(rng.paretovariate(1.3)))
        for r in range(reports):
            if len(pending) >= n:
                break
            seen = day - timedelta(days=rng.randrange(0, 10)) if r % 2 else day + timedelta(days=rng.randrange(0, 3))
            keep = sorted(actors) if rng.random() > 0.2 or len(actors) == 1 else sorted(actors)[:-1]
            status = "planned" if seen < day else "occurred"
            m = EventMention(
                id="", article="", sentence=0, start=0, end=0,
                trigger=rng.choice(TRIGGERS.get(etype, [etype.lower()])),
                text=f"Officials of {' and '.join(keep)} {etype.lower()} over {topic}"
                     f"{' in ' + place if place and rng.random() < 0.7 else ''}.",
                topic=topic if rng.random() < 0.5 else None,
                location=place if place and rng.random() < 0.7 else None,
                event_type=etype, status=status,
                actors=[Participant(name=f"Actor {c}", code=c, kind="country") for c in keep[:1]],
                recipients=[Participant(name=f"Actor {c}", code=c, kind="country") for c in keep[1:]],
                date=day.isoformat() if rng.random() > 0.2 else None, date_basis="explicit")
            pending.append((event, m, seen))
        event += 1
    return _articles(rng, pending, truth), truth


def _articles(rng: random.Random, pending: list, truth: dict[str, int]) -> list[ArticleResult]:
    """Pack mentions into articles of about ten, dated when they were reported."""
    pending.sort(key=lambda t: (t[2], rng.random()))
    results = []
    for a in range(0, len(pending), 10):
        chunk = pending[a:a + 10]
        art_id = f"a{a // 10:08d}"
        published = chunk[0][2].isoformat()
        mentions = []
        for k, (ev, m, _seen) in enumerate(chunk):
            m.id, m.article, m.sentence, m.start, m.end = f"{art_id}-m{k}", art_id, k, k * 100, k * 100 + 5
            truth[m.id] = ev
            mentions.append(m)
        article = Article(id=art_id, text=" ".join(m.text for m in mentions),
                          title=f"Report on issue {chunk[0][0] % 997}", outlet=rng.choice(OUTLETS), published=published)
        results.append(ArticleResult(article=article, event_mentions=mentions))
    return results


def exact_recovery(events, truth: dict[str, int]) -> float:
    """Share of true events whose mentions form exactly one resolved event."""
    gold: dict[int, set] = {}
    for mid, ev in truth.items():
        gold.setdefault(ev, set()).add(mid)
    resolved = {frozenset(m.mention_id for m in e.mentions) for e in events}
    return sum(frozenset(g) in resolved for g in gold.values()) / max(1, len(gold))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mentions", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--embeddings", action="store_true", help="use sentence embeddings (slow on CPU)")
    ap.add_argument("--workers", type=int, default=0, help="local processes for clustering (0 = every CPU)")
    ns = ap.parse_args(argv)
    results, truth = synthetic(ns.mentions, ns.seed)
    settings = Settings(use_embeddings=ns.embeddings, resolve_workers=ns.workers)
    t0, c0 = time.perf_counter(), time.process_time()
    res = resolve(results, settings)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # forked clustering workers
    cpu += resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime + resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime
    rec = exact_recovery(res.events, truth)
    print(f"resolve: {ns.mentions} mentions, {len(results)} articles -> {len(res.events)} events "
          f"({len(set(truth.values()))} true), "
          f"{len(res.stories)} stories in {elapsed:.1f} s ({cpu:.1f} s CPU, workers included); "
          f"peak RSS {peak:.0f} MiB (a worker: {child_peak:.0f} MiB) "
          f"({rec:.0%} of true events recovered exactly)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
