"""Clustering: sparse average-link agglomeration with cannot-link constraints.

Why this algorithm: average link keeps clusters tight (one stray high score
does not chain two happenings together, as single link would), and working
on the sparse candidate graph keeps it near-linear. Averages run over the
pairs that were scored (blocking skips the rest), weighted by how many
identical mentions an item stands for. Merges go best-first; ties break on
the smallest member index, and items arrive sorted by key, so the result
depends only on the set of mentions, never on input order.
"""
from __future__ import annotations

import heapq
from typing import Callable, Iterable, Sequence

from .scoring import Item, LinkState


def agglomerate(items: Sequence[Item], edges: Iterable[tuple[int, int, float]], threshold: float,
                same_sentence_rule: bool = True, unscored_as_zero: bool = False,
                on_refused: Callable[[int, int, float], None] | None = None, workers: int = 1) -> list[list[int]]:
    """Clusters (lists of item indices, each sorted, list sorted by first index).

    Works component by component: two groups joined by no edge at or above
    the threshold can never reach an average at or above it, so the
    components of the strong edges are independent problems (smaller heaps,
    and the unit a distributed run hands to its workers; `workers` > 1
    clusters them on that many forked processes, with the same result).
    """
    edges = list(edges)
    components = strong_components(len(items), ((i, j) for i, j, s in edges if s >= threshold))
    comp_edges = edges_by_component(components, edges)
    del edges
    if workers > 1 and on_refused is None:
        from .parallel import cluster_components_in_processes

        big = [c for c, idxs in enumerate(components) if len(idxs) > 1]
        out = cluster_components_in_processes(items, [components[c] for c in big], [comp_edges[c] for c in big],
                                              threshold, same_sentence_rule, unscored_as_zero, workers)
        out += [idxs for idxs in components if len(idxs) == 1]
        return sorted(out, key=lambda c: c[0])
    out: list[list[int]] = []
    for c, idxs in enumerate(components):
        if len(idxs) == 1:
            out.append(idxs)
            continue
        out.extend(cluster_component([items[g] for g in idxs], idxs, comp_edges[c], threshold,
                                     same_sentence_rule, unscored_as_zero, on_refused))
    return sorted(out, key=lambda c: c[0])


def strong_components(n: int, strong_pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components of items 0..n-1 under the given pairs (each sorted,
    the list sorted by first index)."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in strong_pairs:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda c: c[0])


def edges_by_component(components: Sequence[Sequence[int]],
                       edges: Iterable[tuple[int, int, float]]) -> list[list[tuple[int, int, float]]]:
    """The edges inside each component (index-aligned with `components`)."""
    component_of = {i: c for c, idxs in enumerate(components) for i in idxs}
    grouped: list[list[tuple[int, int, float]]] = [[] for _ in components]
    for i, j, s in edges:
        c = component_of.get(i)
        if c is not None and c == component_of.get(j):
            grouped[c].append((i, j, s))
    return grouped


def cluster_component(items: Sequence[Item], idxs: Sequence[int], edges: Iterable[tuple[int, int, float]],
                      threshold: float, same_sentence_rule: bool = True, unscored_as_zero: bool = False,
                      on_refused: Callable[[int, int, float], None] | None = None) -> list[list[int]]:
    """Cluster one strong component. `items` are the component's items in the
    order of their global indices `idxs` (ascending); `edges` use global
    indices; the clusters come back in global indices."""
    local = {g: k for k, g in enumerate(idxs)}
    sub_edges = [(local[i], local[j], s) for i, j, s in edges]
    refused = None if on_refused is None else (lambda a, b, s: on_refused(idxs[a], idxs[b], s))
    return [[idxs[k] for k in cluster] for cluster in
            _agglomerate_component(items, sub_edges, threshold, same_sentence_rule, unscored_as_zero, refused)]


def _agglomerate_component(items: Sequence[Item], edges: Iterable[tuple[int, int, float]], threshold: float,
                same_sentence_rule: bool = True, unscored_as_zero: bool = False,
                on_refused: Callable[[int, int, float], None] | None = None) -> list[list[int]]:
    """Clusters (lists of item indices, each sorted, list sorted by first index).

    `unscored_as_zero`: average over every cross pair, an unscored pair
    counting 0 (classic average link, for small dense problems like stories);
    by default the average runs over scored pairs only (blocking skipped the
    rest as uninformative, not as evidence against)."""
    n = len(items)
    weight = [max(1, it.weight) for it in items]
    adj: list[dict[int, list[float]] | None] = [dict() for _ in range(n)]
    for i, j, s in edges:
        if i == j:
            continue
        w = weight[i] * weight[j]
        link = adj[i].get(j)
        if link is None:
            link = [0.0, 0.0]
            adj[i][j] = link
            adj[j][i] = link
        link[0] += s * w
        link[1] += w
    members: list[list[int] | None] = [[i] for i in range(n)]
    version = [0] * n
    states = [LinkState.of(it) for it in items]
    size = list(weight)

    def average(a: int, b: int, total: float, count: float) -> float:
        return total / (size[a] * size[b]) if unscored_as_zero else total / count

    heap: list[tuple[float, int, int, int, int]] = []
    for i in range(n):
        for j, (total, count) in adj[i].items():
            if i < j and average(i, j, total, count) >= threshold:
                heap.append((-average(i, j, total, count), i, j, 0, 0))
    heapq.heapify(heap)
    while heap:
        neg, a, b, va, vb = heapq.heappop(heap)
        if version[a] != va or version[b] != vb:
            continue  # stale entry: one side has merged since
        if not states[a].allows(states[b], same_sentence_rule):
            if on_refused:
                on_refused(a, b, -neg)
            continue  # constraints only tighten as clusters grow: refuse for good
        keep, gone = (a, b) if a < b else (b, a)
        _merge_links(adj, keep, gone)
        members[keep].extend(members[gone])
        members[gone] = None
        size[keep] += size[gone]
        states[keep].absorb(states[gone])
        version[keep] += 1
        version[gone] = -1
        for x, (total, count) in adj[keep].items():
            avg = average(keep, x, total, count)
            if avg >= threshold:
                lo, hi = (keep, x) if keep < x else (x, keep)
                heapq.heappush(heap, (-avg, lo, hi, version[lo], version[hi]))
    return sorted((sorted(m) for m in members if m is not None), key=lambda c: c[0])


def _merge_links(adj: list, keep: int, gone: int) -> None:
    """Fold `gone`'s links into `keep`'s: sums and counts add up (average link)."""
    gone_links = adj[gone]
    keep_links = adj[keep]
    keep_links.pop(gone, None)
    for x, link in gone_links.items():
        if x == keep:
            continue
        adj[x].pop(gone, None)
        own = keep_links.get(x)
        if own is None:
            keep_links[x] = link
            adj[x][keep] = link
        else:
            own[0] += link[0]
            own[1] += link[1]
    adj[gone] = None
