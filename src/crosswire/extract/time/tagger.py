"""The scan: one pass of the combined regex over the text, each match handed
to its rule's normaliser. The spaCy doc is touched only when a normaliser
asks which way the clause points (underspecified dates)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Optional, Union

from .normalise import NORMALISERS, State
from .rules import COMBINED, RULE_INDEX


@dataclass
class Found:
    """One recognised, normalised time expression (offsets into the text)."""

    start: int
    end: int
    text: str
    type: str
    value: str
    rule: str
    relative: bool  # True when the value was resolved against the anchor


def as_date(anchor: Union[str, date, None]) -> Optional[date]:
    if anchor is None or isinstance(anchor, date):
        return anchor
    try:
        return date.fromisoformat(str(anchor)[:10])
    except ValueError:
        return None


def tag_text(text: str, anchor: Union[str, date, None] = None, doc: Any = None) -> list[Found]:
    """Every time expression in `text`, normalised against `anchor` (an ISO
    date or None: then underspecified values keep X's). `doc` is the spaCy
    Doc of the same text, used only to read tense; without it undecided
    dates take the nearest candidate."""
    state = State(text=text, anchor=as_date(anchor), doc=doc)
    found: list[Found] = []
    group = RULE_INDEX
    for m in COMBINED.finditer(text):
        rule, names = group[m.lastgroup]
        fields = {local: m.group(name) for local, name in names.items()}
        state.start, state.end = m.start(), m.end()
        state._direction = None
        norm = NORMALISERS[rule.normalise](fields, state)
        if norm is None:
            continue
        kind, value, relative = norm
        found.append(Found(m.start(), m.end(), m.group(0), kind, value, rule.name, relative))
        state.remember(kind, value)
    return found
