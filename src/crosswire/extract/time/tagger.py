"""The scan: one left-to-right pass over the lower-cased text, each rule match
handed to its rule's normaliser. The spaCy doc is touched only when a
normaliser asks which way the clause points (underspecified dates)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Optional, Union

from .normalise import NORMALISERS, State
from .params import DEFAULT, TimeParams
from .rules import CANDIDATES, COMBINED_ANYCASE, DISPATCH, DISPATCH2, EVERYWHERE, RULE_INDEX, RULES, SINGLE

_WORD = re.compile(r"[a-z0-9]+")
_NEXT_WORD = re.compile(r"[^a-z0-9]*([a-z0-9]+)")


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


def tag_text(text: str, anchor: Union[str, date, None] = None, doc: Any = None,
             params: Optional[TimeParams] = None) -> list[Found]:
    """Every time expression in `text`, normalised against `anchor` (an ISO
    date or None: then underspecified values keep X's). `doc` is the spaCy
    Doc of the same text, used only to read tense; without it undecided
    dates take the nearest candidate. `params` are the data-chosen settings
    (params.DEFAULT unless an evaluation tries others)."""
    params = params or DEFAULT
    state = State(text=text, anchor=as_date(anchor), doc=doc, params=params)
    found: list[Found] = []
    for index, m in scan(text, _switched_off(params)):
        rule = RULES[index]
        fields = _fields(m, index, text)
        state.start, state.end = m.start(), m.end()
        state._direction = None
        norm = NORMALISERS[rule.normalise](fields, state)
        if norm is None:
            continue
        kind, value, relative = norm
        found.append(Found(m.start(), m.end(), text[m.start():m.end()], kind, value, rule.name, relative))
        state.remember(kind, value, rule.normalise)
    return found


@functools.lru_cache(maxsize=256)
def _switched_off(params: TimeParams) -> frozenset[int]:
    """Indices of the rules the params switch off."""
    return frozenset(i for i, rule in enumerate(RULES) if not params.enabled("rule:" + rule.name))


def _fields(m, index: int, text: str) -> dict:
    """The rule's named groups, read from the original (not lower-cased) text."""
    if m.re is COMBINED_ANYCASE:
        names = RULE_INDEX[f"r{index}"][1]
        return {local: m.group(name) for local, name in names.items()}
    return {name: (text[m.start(name):m.end(name)] if m.start(name) >= 0 else None) for name in m.re.groupindex}


def scan(text: str, off: frozenset[int] = frozenset()):
    """(rule index, match) for each rule match in `text`, left to right,
    non-overlapping: the result of COMBINED_ANYCASE.finditer(text), but each
    word only tries the rules that can open with it (see dispatch.py), on
    lower-cased text, leaving out the rules in `off` as if they were not in
    the table. Match offsets index into `text`."""
    lower = text.lower()
    if len(lower) != len(text):  # rare: the one-regex scan; a switched-off rule's match is dropped
        for m in COMBINED_ANYCASE.finditer(text):
            if int(m.lastgroup[1:]) not in off:
                yield int(m.lastgroup[1:]), m
        return
    dispatch, dispatch2, single, everywhere = DISPATCH, DISPATCH2, SINGLE, EVERYWHERE
    resume = 0
    for candidate in CANDIDATES.finditer(lower):
        start = candidate.start()
        if start < resume:
            continue
        word = _WORD.match(lower, start)
        token = word.group()
        if token[0].isdigit():
            if start and lower[start - 1] == "'":
                hit = _first_match(dispatch.get("'", everywhere), single, lower, start - 1, off)
                if hit:
                    resume = hit[1].end()
                    yield hit
                    continue
            token = "#"
        if token in dispatch2:  # a busy opening word ("the"): narrow by the next word
            by_next = dispatch2[token]
            nxt = _NEXT_WORD.match(lower, word.end())
            key = "" if nxt is None else nxt.group(1)
            rules = by_next.get("#" if key[:1].isdigit() else key, by_next[""])
        else:
            rules = dispatch.get(token, everywhere)
        if not rules:
            continue
        hit = _first_match(rules, single, lower, start, off)
        if hit:
            resume = hit[1].end()
            yield hit


def _first_match(rules, single, lower: str, start: int, off: frozenset[int] = frozenset()):
    for index in rules:
        if index in off:
            continue
        m = single[index].match(lower, start)
        if m:
            return index, m
    return None
