"""Which way an underspecified date points, read from the governing clause.

"January 10" in "will hold talks on January 10" is ahead of the anchor;
"Monday" in "stated on Monday" is behind it. We climb from the timex's token
to the verb that governs it and read its tense and modality: will/shall/
modals and planning verbs (scheduled, plan, expect...) point forward; past
tense (VBD, has/had + VBN) points back; anything else is undecided (0) and
the caller picks the nearest candidate.
"""
from __future__ import annotations

from typing import Any

PAST, FUTURE, UNKNOWN = -1, 1, 0

FUTURE_AUX = {"will", "'ll", "shall", "wo", "would", "'d", "may", "might", "should", "must"}
FUTURE_LEMMAS = {"schedule", "plan", "expect", "intend", "aim", "slate", "set", "due", "hope", "prepare",
                 "propose", "agree", "want", "seek", "try", "promise", "pledge", "vow", "threaten"}
PAST_AUX = {"had", "has", "have", "'ve", "'d"}
FUTURE_WORDS = {"upcoming", "next", "coming", "forthcoming", "future", "planned", "scheduled", "proposed"}
MAX_CLIMB = 4


def direction_at(doc: Any, start: int, end: int) -> int:
    """PAST (-1), FUTURE (1) or UNKNOWN (0) for the timex at [start, end)."""
    if doc is None:
        return UNKNOWN
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return UNKNOWN
    token = span.root
    if token.dep_ in ("poss", "compound", "nmod") and token.head.pos_ in ("NOUN", "PROPN"):
        return UNKNOWN  # "Wednesday's ruling": the noun's own time, not the clause's
    for left in doc[max(0, span.start - 2):span.start]:  # "the upcoming meeting on ..."
        if left.lower_ in FUTURE_WORDS:
            return FUTURE
    for _ in range(MAX_CLIMB + 2):
        if token.pos_ in ("VERB", "AUX") or token.head == token:
            break
        if token.lower_ in FUTURE_WORDS or (token.pos_ == "NOUN" and _has_future_modifier(token)):
            return FUTURE
        token = token.head
    for _ in range(MAX_CLIMB):
        verdict = _verb_direction(token)
        if verdict is not None:
            return verdict
        if token.head == token:
            return UNKNOWN
        token = token.head
    return UNKNOWN


def _has_future_modifier(noun: Any) -> bool:
    return any(child.lower_ in FUTURE_WORDS for child in noun.children if child.dep_ == "amod")


def _verb_direction(verb: Any):
    """The direction one verb gives, or None to look at its governor
    (infinitives and bare verbs: "to meet", "agreed to meet")."""
    aux = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    aux_words = {a.lower_ for a in aux}
    if aux_words & FUTURE_AUX or verb.lower_ in FUTURE_AUX:
        return FUTURE
    if verb.lemma_ in FUTURE_LEMMAS and verb.tag_ in ("VBN", "JJ") and aux_words & {"is", "are", "was", "were", "be", "been"}:
        return FUTURE  # "is scheduled", "was expected"
    if verb.lemma_ in ("go",) and any(c.dep_ == "xcomp" for c in verb.children) and verb.tag_ == "VBG":
        return FUTURE  # "is going to"
    if "to" in aux_words or verb.tag_ == "VB":
        return None
    if aux_words & PAST_AUX and verb.tag_ == "VBN":
        return PAST
    if verb.tag_ == "VBD":
        return PAST
    if verb.tag_ in ("VBZ", "VBP", "VBG"):
        if any(a.tag_ == "VBD" for a in aux):  # "was holding"
            return PAST
        return UNKNOWN
    if verb.tag_ == "VBN":
        if any(a.tag_ == "VBD" for a in aux):
            return PAST
        if not aux and verb.dep_ in ("acl", "advcl", "relcl", "amod"):
            return PAST  # "the decision, announced Wednesday, ..."
        return None
    return None
