"""The candidate record the actors stage's passes share, and token-span
helpers more than one pass needs (where a sentence sets its scene, where a
body's "of ..." name ends)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ...records import Actor

# Prepositions that place the whole scene ("in Nairobi", "near the Thai border"),
# not a destination or origin.
SCENE_PREPS = {"in", "at", "near", "inside", "outside", "across", "around", "throughout", "along"}


@dataclass
class Found:
    """A candidate mention over tokens [start, end) of the doc."""

    start: int
    end: int
    actor: Actor
    rule: str
    antecedent: Optional[str] = None
    basis: Optional[str] = None  # evidence from beyond the sentence (the article's home country)


def scene_country(doc, sent, found: list[Found]) -> Optional[str]:
    """Country of the first place the sentence sets its scene in: "in
    Nairobi", "near the Thai border", "near Macedonia's border"."""
    for f in found:
        if not (sent.start <= f.start < sent.end) or f.actor.kind not in {"country", "government", "city"}:
            continue
        tok = doc[f.end - 1]
        if tok.dep_ in {"poss", "amod", "compound"} and tok.head.i >= f.end:
            tok = tok.head
        if tok.dep_ == "pobj" and tok.head.lower_ in SCENE_PREPS and f.actor.country:
            return f.actor.country
    return None


def body_of_phrase_end(doc, j: int, taken: list[bool]) -> int:
    """'Department' + 'of Defense', 'Ministry' + 'of Foreign Affairs': a
    body's capitalised 'of'/'for' phrase is part of its name. Returns the end
    of the phrase, or j when there is none."""
    if j + 1 >= len(doc) or doc[j].lower_ not in {"of", "for"} or taken[j]:
        return j
    k = j + 1
    if doc[k].lower_ == "the":
        k += 1
    end = k
    while end < len(doc) and not taken[end] and (name_part(doc[end]) or doc[end].lower_ == "and"
                                                 and end + 1 < len(doc) and name_part(doc[end + 1])):
        end += 1
    if end == k or any(t.ent_type_ == "GPE" for t in doc[k:end]):
        return j  # nothing named, or a place ("the Embassy of France" keeps France its own actor)
    return end


def name_part(tok) -> bool:
    """A capitalised noun, proper noun or adjective: a word of a name or title."""
    return tok.text[:1].isupper() and tok.pos_ in {"PROPN", "NOUN", "ADJ"}
