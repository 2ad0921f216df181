"""Benchmark incremental resolution: a small batch against a large store.

    .venv/bin/python bench/incremental.py --mentions 100000 --batch 20 [--seed 1]

Builds the synthetic corpus of bench/resolve.py (news-shaped event mentions,
about ten an article, dated over two years), stores all but the latest
`--batch` articles in a DuckDB store and resolves them; then stores the
batch and times, on that store:

- the incremental update a run makes (`Store.update_resolution` with
  `Pipeline.resolve_update`: only the events and stories the batch touches);
- a full re-resolution of everything stored (`crosswire resolve --full`).

It also resolves the whole corpus in one pass in a second store and counts
how many of that store's events the incremental store has exactly (same
member mentions). Last line:

    incremental: N mentions stored, B articles (K mentions) added: incremental X s
    (R mentions and S stories re-resolved), full Y s; E% of one-pass events identical
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from resolve import synthetic  # noqa: E402  (bench/resolve.py)

from crosswire.config import Settings  # noqa: E402
from crosswire.pipeline import Pipeline  # noqa: E402
from crosswire.store.duck import DuckDBStore  # noqa: E402


def event_sets(store: DuckDBStore) -> set[frozenset]:
    return {frozenset(members) for members in store.event_groups().values()}


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mentions", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=20, help="articles added after the store is resolved")
    ap.add_argument("--seed", type=int, default=1)
    ns = ap.parse_args(argv)
    results, _truth = synthetic(ns.mentions, ns.seed)
    stored, batch = results[:-ns.batch], results[-ns.batch:]
    pipeline = Pipeline(Settings(use_embeddings=False))
    with tempfile.TemporaryDirectory() as tmp:
        store = DuckDBStore(os.path.join(tmp, "incremental.duckdb"))
        store.write_results(stored)
        _, first = timed(lambda: store.update_resolution(pipeline.resolve_update))
        store.write_results(batch)
        update, incremental = timed(lambda: store.update_resolution(pipeline.resolve_update))
        after_batch = event_sets(store)
        _, full = timed(lambda: store.update_resolution(pipeline.resolve_update, full=True))
        store.close()
        one_pass = DuckDBStore(os.path.join(tmp, "one-pass.duckdb"))
        one_pass.write_results(results)
        one_pass.update_resolution(pipeline.resolve_update)
        reference = event_sets(one_pass)
        one_pass.close()
    same = len(after_batch & reference) / max(1, len(reference))
    print(f"first resolution of {ns.mentions - sum(len(r.event_mentions) for r in batch)} mentions: {first:.1f} s; "
          f"scope of the batch: {update.scope}", file=sys.stderr)
    print(f"incremental: {ns.mentions} mentions stored, {len(batch)} articles "
          f"({sum(len(r.event_mentions) for r in batch)} mentions) added: incremental {incremental:.2f} s "
          f"({update.scope.get('mentions_reclustered', 0)} mentions and "
          f"{update.scope.get('stories_reconsidered', 0)} stories re-resolved), full {full:.2f} s; "
          f"{same:.1%} of one-pass events identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
