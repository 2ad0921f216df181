"""Blocking: which mention pairs are worth scoring at all.

Why: scoring every pair is quadratic; a million mentions would never finish.
A pair is a candidate only when the two mentions share a type family and a
participant code (or, without codes, a trigger class), and when their dates
can be one date: dated mentions meet only mentions of the same day, undated
mentions meet the nearest dated and undated ones within a window around
their article's date. Every mention also meets its article's other
mentions. Each mention gets at most `neighbours` partners per key, so the
work is O(n * keys * neighbours).
"""
from __future__ import annotations

import bisect
from collections import defaultdict
from typing import Iterator, Sequence

from .scoring import Item


WINDOW_DAYS = 14
NEIGHBOURS = 20


def block_keys(item: Item) -> list[str]:
    """Keys shared by mentions that may corefer: type family + each participant code."""
    family = item.family or "*"
    if item.codes:
        return [f"{family}|{code}" for code in sorted(item.codes)]
    return [f"{family}|~{item.tclass}"]


def blocks_of(item: Item) -> list[str]:
    """Every block an item belongs to: its article's block and one per key.

    A block is the unit of distributed resolution: `block_pairs` needs only
    the items of one block, so blocks can be paired on different nodes and
    the union of their pairs is exactly `candidate_pairs`."""
    return [f"doc:{item.doc}|{item.family}"] + [f"key:{key}" for key in block_keys(item)]


def blocks(items: Sequence[Item]) -> dict[str, list[int]]:
    """Block id -> indices of its items (ascending)."""
    out: dict[str, list[int]] = defaultdict(list)
    for idx, item in enumerate(items):
        for block in blocks_of(item):
            out[block].append(idx)
    return out


def candidate_pairs(items: Sequence[Item], window_days: int = WINDOW_DAYS,
                    neighbours: int = NEIGHBOURS) -> Iterator[tuple[int, int]]:
    """Candidate pairs (i < j), each at most once: the union of every block's pairs."""
    seen: set[tuple[int, int]] = set()
    for block, idxs in blocks(items).items():
        for i, j in block_pairs(block, [items[k] for k in idxs], window_days, neighbours):
            pair = (idxs[i], idxs[j]) if i < j else (idxs[j], idxs[i])
            if i != j and pair not in seen:
                seen.add(pair)
                yield pair


def block_pairs(block: str, items: Sequence[Item], window_days: int = WINDOW_DAYS,
                neighbours: int = NEIGHBOURS) -> Iterator[tuple[int, int]]:
    """Pairs (local indices) inside one block; `items` must be in key order.

    An article block pairs sentence neighbours; a key block pairs dated
    mentions of one month by date, undated mentions by their article's date
    within the window, and each undated mention with its nearest dated ones."""
    if block.startswith("doc:"):
        order = sorted(range(len(items)), key=lambda i: (items[i].sentence, i))
        yield from _sorted_neighbourhood(order, neighbours * 2)
        return
    by_month: dict[str, list[int]] = defaultdict(list)
    undated: list[int] = []
    for i, item in enumerate(items):
        if item.date:
            by_month[item.date[:7]].append(i)  # month bucket: a day and its month meet
        else:
            undated.append(i)
    for idxs in by_month.values():
        idxs.sort(key=lambda i: (items[i].date, items[i].tclass, i))
        yield from _sorted_neighbourhood(idxs, neighbours)
    if not undated:
        return
    undated.sort(key=lambda i: (items[i].ref_day or 0, i))
    yield from _sorted_neighbourhood(undated, neighbours, items, window_days)
    targets = sorted((items[i].ref_day or 0, i) for idxs in by_month.values() for i in idxs)
    if targets:
        days = [d for d, _ in targets]
        for i in undated:
            yield from ((i, j) for j in _nearest(targets, days, items[i].ref_day or 0, window_days, neighbours))


def _sorted_neighbourhood(idxs: Sequence[int], neighbours: int, items: Sequence[Item] | None = None,
                          window_days: int | None = None) -> Iterator[tuple[int, int]]:
    for p, i in enumerate(idxs):
        for q in range(p + 1, min(len(idxs), p + 1 + neighbours)):
            j = idxs[q]
            if items is not None and window_days is not None:
                if abs((items[j].ref_day or 0) - (items[i].ref_day or 0)) > window_days:
                    break
            yield i, j


def _nearest(targets: list[tuple[int, int]], days: list[int], day: int, window: int, k: int) -> list[int]:
    """Up to k dated items nearest to `day` (within the window), alternating sides."""
    pos = bisect.bisect_left(days, day)
    left, right, out = pos - 1, pos, []
    while len(out) < k and (left >= 0 or right < len(targets)):
        take_right = right < len(targets) and (left < 0 or days[right] - day <= day - days[left])
        if take_right:
            if days[right] - day > window:
                right = len(targets)
                continue
            out.append(targets[right][1])
            right += 1
        else:
            if day - days[left] > window:
                left = -1
                continue
            out.append(targets[left][1])
            left -= 1
    return out
