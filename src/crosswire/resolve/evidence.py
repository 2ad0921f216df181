"""Why the mentions of an event are one event: the links that tied them.

For each event of several mentions, every mention after the first (in id
order) is linked to the earlier member it scores best with, and the link
names the scorer's features that pulled them together (positive terms,
strongest first). That is a spanning tree of the event, enough for a reader
to see which link to cut; a link a join correction made is named as such.
The best partner is looked for among the `MAX_PARTNERS` nearest earlier
members, so the cost stays linear in the event's size.
"""
from __future__ import annotations

from typing import Mapping, Sequence

from .scoring import FEATURES, Item, cannot_link, score

MAX_PARTNERS = 40
MAX_FEATURES = 5


def tied_by(a: Item, b: Item, weights: dict[str, float]) -> list[str]:
    """The features with a positive contribution to the pair's score, strongest first."""
    terms = [(w * FEATURES[n](a, b), n) for n, w in weights.items() if w and n != "bias" and n in FEATURES]
    return [n for c, n in sorted(terms, key=lambda t: (-t[0], t[1])) if c > 0][:MAX_FEATURES]


def merge_links(members: Sequence[str], items: Mapping[str, Item], weights: dict[str, float],
                joined: frozenset = frozenset()) -> list[dict]:
    """One link per mention after the first (`members` sorted ids); mentions
    without an item (none in scope) are skipped. `joined`: mentions a join
    correction put in this event."""
    links = []
    for pos, key in enumerate(members[1:], start=1):
        item = items.get(key)
        if item is None:
            continue
        best = None
        for other in members[max(0, pos - MAX_PARTNERS):pos]:
            partner = items.get(other)
            if partner is None or partner is item:
                continue
            s = 0.0 if cannot_link(item, partner) else score(item, partner, weights)
            if best is None or s > best[0]:
                best = (s, other, partner)
        if best is None:
            continue
        s, other, partner = best
        link = {"mention": key, "with": other, "score": round(s, 3), "features": tied_by(item, partner, weights)}
        if key in joined or other in joined:
            link["correction"] = "join"
        links.append(link)
    return links
