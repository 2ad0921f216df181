"""Corrections of merges: a wrong merge split, a missed one joined.

Why: the scorer will always make some mistakes a reader sees at a glance. A
correction is primary data, like an article: it is stored
(`event_corrections`, schema version 4) and every later resolution applies it
after clustering and after the never-split rule (`keep_previous_merges`), so
a split stays split whatever later batches bring, and a join stays joined.
Corrections apply in the order they were made: a later join of two parts
undoes an earlier split of them.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from typing import Iterable, Sequence

from ..records import Event, MergeCorrection, stable_id

SPLIT, JOIN = "split", "join"


class CorrectionError(ValueError):
    """A correction that cannot apply (its message says why)."""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def split_correction(event: Event, mention_ids: Sequence[str], note: str = "") -> MergeCorrection:
    """Take `mention_ids` (ids or unique prefixes of the event's mentions) out of `event`."""
    members = [m.mention_id for m in event.mentions]
    chosen = sorted({_member(members, key, event.id) for key in mention_ids})
    others = sorted(set(members) - set(chosen))
    if not chosen or not others:
        raise CorrectionError(f"event {event.id}: name some of its {len(members)} mentions, not all of them, "
                              f"to split it")
    created = _now()
    return MergeCorrection(id=stable_id("c", SPLIT, *chosen, "|", *others, created), kind=SPLIT,
                           mentions=chosen, others=others, event_id=event.id, note=note, created=created)


def join_correction(first: Event, second: Event, note: str = "") -> MergeCorrection:
    """Make `first` and `second` one event."""
    if first.id == second.id:
        raise CorrectionError(f"event {first.id}: name two different events to join")
    members = sorted({m.mention_id for ev in (first, second) for m in ev.mentions})
    created = _now()
    return MergeCorrection(id=stable_id("c", JOIN, *members, created), kind=JOIN, mentions=members,
                           event_id=first.id, note=note or f"joined {first.id} and {second.id}", created=created)


def _member(members: Sequence[str], key: str, event_id: str) -> str:
    hits = [m for m in members if m == key] or [m for m in members if m.startswith(key)]
    if len(hits) != 1:
        raise CorrectionError(f"event {event_id}: {key!r} names {'no' if not hits else 'more than one'} "
                              f"of its mentions ({', '.join(members[:8])}{', ...' if len(members) > 8 else ''})")
    return hits[0]


def apply_corrections(clusters: list[list[str]], corrections: Iterable[MergeCorrection]
                      ) -> tuple[list[list[str]], dict[str, list[str]]]:
    """Clusters (lists of mention ids) after the corrections, in the order they
    were made; and per correction id the mentions it acted on (to tell the
    events it shaped). Mentions a correction names that are not among the
    clusters (not in scope, or gone with a re-extraction) are left out of it."""
    groups = [set(c) for c in clusters]
    applied: dict[str, list[str]] = {}
    for corr in sorted(corrections, key=lambda c: (c.created, c.id)):
        where = {k: i for i, g in enumerate(groups) for k in g}
        if corr.kind == SPLIT:
            taken, rest = set(corr.mentions), set(corr.others)
            for i in sorted({where[k] for k in taken if k in where}):
                group = groups[i]
                if group & rest and group & taken:
                    groups.append(group & taken)
                    groups[i] = group - taken
                    applied[corr.id] = sorted(group & taken)
        elif corr.kind == JOIN:
            idxs = sorted({where[k] for k in corr.mentions if k in where})
            if len(idxs) > 1:
                for i in idxs[1:]:
                    groups[idxs[0]] |= groups[i]
                    groups[i] = set()
                applied[corr.id] = sorted(k for k in corr.mentions if k in where)
    return sorted((sorted(g) for g in groups if g), key=lambda c: c[0]), applied


def joined_partners(corrections: Iterable[MergeCorrection], mention_ids: Iterable[str]) -> set[str]:
    """Mentions joined by a correction to any of `mention_ids` (an incremental
    batch that re-resolves one side of a join must see the other)."""
    wanted = set(mention_ids)
    by_mention: dict[str, set[str]] = defaultdict(set)
    for corr in corrections:
        if corr.kind == JOIN:
            for k in corr.mentions:
                by_mention[k].update(corr.mentions)
    return {p for k in wanted for p in by_mention.get(k, ())} - wanted


def record_correction(store, correction: MergeCorrection, resolve_update) -> object:
    """Store a correction and resolve the store again with it (`resolve_update`:
    the pipeline's, as `Store.update_resolution` takes it): the whole store,
    since a correction may move mentions between stories as well as events.
    Returns the `ResolutionUpdate` written."""
    store.add_correction(correction)
    return store.update_resolution(resolve_update, full=True)
