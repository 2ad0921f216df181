"""The medium or addressee of a statement, from the cue's clause.

"told the RIA Novosti news agency" -> "RIA Novosti"; "Speaking to the X
YouTube channel" -> "X"; "in a press statement" -> "press statement";
"in an interview with CNN" -> "CNN". Which prepositions go with which words
is data (cues.json: medium_preps); generic trailing nouns ("news agency",
"YouTube channel") are stripped so the name remains.
"""
from __future__ import annotations

from typing import Optional

from ..sources.outlets import cue_lexicon, find_outlet


def medium_of(doc, cue, content: tuple[int, int]) -> Optional[str]:
    """The medium for a cue token, or None; never a span inside the content."""
    lex = cue_lexicon()
    preps = {p: set(words) for p, words in lex["medium_preps"].items()}
    candidates = []
    clause = [cue] + [c for c in cue.children if c.dep_ in ("advcl", "prep", "conj", "npadvmod")]
    for head in clause:
        for child in head.children:
            if content[0] <= child.idx < content[1]:
                continue
            if child.dep_ in ("dative", "dobj") and head.lemma_.lower() == "tell":
                candidates.append(child)
            if child.dep_ == "prep" and child.lower_ in preps:
                objs = [o for o in child.children if o.dep_ == "pobj"]
                if objs and (head.lemma_.lower() in preps[child.lower_] or
                             objs[0].lemma_.lower() in preps[child.lower_] or child.lower_ in ("in", "on", "during")):
                    if child.lower_ in ("in", "on", "during") and objs[0].lemma_.lower() not in preps[child.lower_]:
                        continue
                    candidates.append(objs[0])
    for cand in candidates:
        name = _clean(doc, cand)
        if name:
            return name
    return None


def _clean(doc, tok) -> Optional[str]:
    """The name in a medium phrase: the outlet's canonical name when known,
    else the words minus determiners and generic trailing nouns."""
    span = doc[tok.left_edge.i: tok.i + 1]  # the phrase up to its head noun, no post-modifiers
    if any(t.pos_ == "PRON" for t in span) and len(span) == 1:
        return None  # "told him": an addressee, not a medium
    outlet = find_outlet(span.text)
    if outlet is not None:
        return outlet.name
    words = [t for t in span if t.dep_ not in ("det", "poss") and not t.is_punct]
    generic = {g.lower() for g in cue_lexicon()["medium_generic"]}
    propn = [t for t in words if t.pos_ == "PROPN" and t.lower_ not in generic]
    while len(words) > 1 and words[-1].lower_ in generic and propn:
        words = words[:-1]
    if words and words[-1].lower_ in {"youtube", "tv"} and len(words) > 1:
        words = words[:-1]
    if not words:
        return None
    if not propn and span.root.pos_ == "PROPN":
        return None
    if not propn and span.root.lemma_.lower() not in {"statement", "interview", "briefing", "conference",
                                                       "speech", "address", "post", "tweet", "letter", "video",
                                                       "twitter", "facebook", "telegram", "television", "radio"}:
        return None
    return doc[words[0].i: words[-1].i + 1].text  # (doc.text would rebuild the whole text)
