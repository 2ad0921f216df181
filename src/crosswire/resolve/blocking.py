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


def block_keys(item: Item) -> list[str]:
    """Keys shared by mentions that may corefer: type family + each participant code."""
    family = item.family or "*"
    if item.codes:
        return [f"{family}|{code}" for code in sorted(item.codes)]
    return [f"{family}|~{item.tclass}"]


def candidate_pairs(items: Sequence[Item], window_days: int = 14, neighbours: int = 20) -> Iterator[tuple[int, int]]:
    """Candidate pairs (i < j), each at most once."""
    seen: set[tuple[int, int]] = set()
    for i, j in _raw_pairs(items, window_days, neighbours):
        pair = (i, j) if i < j else (j, i)
        if i != j and pair not in seen:
            seen.add(pair)
            yield pair


def _raw_pairs(items: Sequence[Item], window_days: int, neighbours: int) -> Iterator[tuple[int, int]]:
    dated: dict[tuple[str, str], list[int]] = defaultdict(list)
    undated: dict[str, list[int]] = defaultdict(list)
    by_doc: dict[str, list[int]] = defaultdict(list)
    for idx, item in enumerate(items):
        by_doc[f"{item.doc}|{item.family}"].append(idx)
        for key in block_keys(item):
            if item.date:
                dated[(key, item.date[:7])].append(idx)  # month bucket: a day and its month meet
            else:
                undated[key].append(idx)
    for idxs in by_doc.values():
        yield from _sorted_neighbourhood(sorted(idxs, key=lambda i: (items[i].sentence, i)), neighbours * 2)
    for idxs in dated.values():
        idxs.sort(key=lambda i: (items[i].date, items[i].tclass, i))
        yield from _sorted_neighbourhood(idxs, neighbours)
    dated_by_key: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for (key, _month), idxs in dated.items():
        dated_by_key[key].extend((items[i].ref_day or 0, i) for i in idxs)
    for key, idxs in undated.items():
        idxs.sort(key=lambda i: (items[i].ref_day or 0, i))
        yield from _sorted_neighbourhood(idxs, neighbours, items, window_days)
        targets = sorted(dated_by_key.get(key, ()))
        if targets:
            days = [d for d, _ in targets]
            for i in idxs:
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
