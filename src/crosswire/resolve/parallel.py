"""Mention clustering on several local processes, for large corpora.

The same exact seams the Spark runner uses (crosswire.scale.resolve): blocks
are paired and scored independently, then the connected components of the
strong pairs are clustered independently. Here the workers are forked
processes of this one (they inherit the items, so nothing but block ids and
edges travels between processes), and the answer equals `cluster_locally`.

Why processes: scoring and average-link clustering are pure Python, so
threads would share one core; at 200k mentions these two phases are most of
resolution time. Small inputs stay in one process (forking costs more than it
saves), and platforms without `fork` fall back to one process.
"""
from __future__ import annotations

import multiprocessing
import os
from typing import Any, Optional, Sequence

from .blocking import blocks
from .cluster import cluster_component, edges_by_component, strong_components
from .scoring import Item

MIN_ITEMS = 20_000  # mentions: below this, one process is faster
MIN_ARTICLES = 2_000  # the same for story clustering (about ten mentions an article)
_STATE: dict[str, Any] = {}  # what forked workers inherit: items, weights, rule, edges


def workers_for(n_items: int, requested: int, min_items: int = MIN_ITEMS) -> int:
    """How many processes to use: `requested` (0 = every CPU), one for small inputs."""
    if n_items < min_items or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, requested or os.cpu_count() or 1)


def cluster_in_processes(items: list[Item], threshold: float, weights: dict, same_sentence_rule: bool = True,
                         workers: int = 2) -> list[list[int]]:
    """`cluster_locally`, with scoring and clustering spread over `workers` processes."""
    _STATE.update(items=items, weights=weights, rule=same_sentence_rule, threshold=threshold)
    try:
        edges = _score_in_processes(workers)
        strong = ((i, j) for (i, j), s in edges.items() if s >= threshold)
        components = [c for c in strong_components(len(items), strong) if len(c) > 1]
        clusters = _cluster_in_processes(components, edges, workers)
    finally:
        _STATE.clear()
    in_component = {i for c in components for i in c}
    return sorted(clusters + [[i] for i in range(len(items)) if i not in in_component], key=lambda c: c[0])


def _score_in_processes(workers: int) -> dict[tuple[int, int], float]:
    """Every block's scored pairs, each pair once (a pair of two blocks scores the same)."""
    by_block = sorted(blocks(_STATE["items"]).items())
    edges: dict[tuple[int, int], float] = {}
    with _pool(workers) as pool:
        for part in pool.imap_unordered(_score_blocks, _chunks(by_block, workers, len)):
            for i, j, s in part:
                edges[(i, j)] = s
    return edges


def _score_blocks(chunk: Sequence[tuple[str, list[int]]]) -> list[tuple[int, int, float]]:
    from . import block_edges

    items = _STATE["items"]
    return [edge for block, idxs in chunk
            for edge in block_edges(block, idxs, [items[k] for k in idxs], _STATE["weights"], _STATE["rule"])]


def _cluster_in_processes(components: list[list[int]], edges: dict, workers: int) -> list[list[int]]:
    """Cluster each component of the scored mention pairs."""
    grouped = edges_by_component(components, ((i, j, s) for (i, j), s in edges.items()))
    return cluster_components_in_processes(_STATE["items"], components, grouped, _STATE["threshold"], _STATE["rule"],
                                           False, workers)


def cluster_components_in_processes(items: Sequence[Item], components: list[list[int]],
                                    grouped: list[list[tuple[int, int, float]]], threshold: float, rule: bool,
                                    unscored_as_zero: bool, workers: int) -> list[list[int]]:
    """`cluster_component` for every component (global indices, with its edges),
    on `workers` forked processes that inherit items, components and edges."""
    if not components:
        return []
    _STATE.update(items=items, components=components, grouped=grouped, threshold=threshold, rule=rule,
                  unscored_as_zero=unscored_as_zero)
    jobs = list(range(len(components)))
    out: list[list[int]] = []
    try:
        with _pool(workers) as pool:
            for part in pool.imap_unordered(_cluster_components,
                                            _chunks(jobs, workers, lambda c: len(grouped[c]) + len(components[c]))):
                out.extend(part)
    finally:
        _STATE.clear()
    return out


def _cluster_components(chunk: Sequence[int]) -> list[list[int]]:
    items, components, grouped = _STATE["items"], _STATE["components"], _STATE["grouped"]
    out = []
    for c in chunk:
        idxs = components[c]
        out.extend(cluster_component([items[g] for g in idxs], idxs, grouped[c], _STATE["threshold"],
                                     _STATE["rule"], _STATE["unscored_as_zero"]))
    return out


def _chunks(jobs: Sequence, workers: int, size) -> list[list]:
    """About four chunks per worker, of similar total size (largest jobs first)."""
    n = max(1, workers * 4)
    chunks: list[list] = [[] for _ in range(n)]
    loads = [0] * n
    for job in sorted(jobs, key=size, reverse=True):
        k = loads.index(min(loads))
        chunks[k].append(job)
        loads[k] += size(job) or 1
    return [c for c in chunks if c]


def _pool(workers: int, context: Optional[Any] = None):
    return (context or multiprocessing.get_context("fork")).Pool(workers)
