"""Which way an underspecified date points, read from the governing clause.

"January 10" in "will hold talks on January 10" is ahead of the anchor;
"Monday" in "stated on Monday" is behind it. We climb from the timex's token
to the verb that governs it and read its tense and modality: will/shall/
modals and planning verbs (scheduled, plan, expect...) point forward; past
tense (VBD, has/had + VBN) points back; anything else is undecided (0) and
the caller picks the nearest candidate.

Each clause pattern has a name in TENSE_PATTERNS, so that it is a switch of
params.TimeParams ("tense:<name>") and cross-validation decides whether it
is used; the patterns in params.CANDIDATES are off unless the data turned
them on.
"""
from __future__ import annotations

from typing import Any, Optional

from .params import DEFAULT, TimeParams

PAST, FUTURE, UNKNOWN = -1, 1, 0

FUTURE_AUX = {"will", "'ll", "shall", "wo", "would", "'d", "may", "might", "should", "must"}
FUTURE_LEMMAS = {"schedule", "plan", "expect", "intend", "aim", "slate", "set", "due", "hope", "prepare",
                 "propose", "agree", "want", "seek", "try", "promise", "pledge", "vow", "threaten"}
PAST_AUX = {"had", "has", "have", "'ve", "'d"}
BE_FORMS = {"is", "are", "was", "were", "be", "been", "'s", "'re"}
FUTURE_WORDS = {"upcoming", "next", "coming", "forthcoming", "future", "planned", "scheduled", "proposed"}
# "as early as Tuesday", "as soon as next week": a bound on something still to come.
EARLIEST_BOUNDS = {("as", "early", "as"), ("as", "soon", "as")}
# "payable Dec. 7", "due Friday", "effective Jan. 1": adjectives of a term still to run.
TERM_ADJECTIVES = {"due", "payable", "effective"}
SPEECH_LEMMAS = {"say", "tell", "announce", "report", "state", "add", "claim", "confirm", "deny", "note"}
MAX_CLIMB = 4

TENSE_PATTERNS = (
    "noun_own_time",        # "Wednesday's ruling": the noun's time, not the clause's (undecided)
    "future_word_before",   # "the upcoming meeting on ..."
    "future_noun",          # the timex hangs on a noun modified by upcoming/next/...
    "earliest_bound",       # "as early as Tuesday"
    "term_adjective",       # "payable Dec. 7"
    "modal",                # will/shall/would/may... + verb
    "planned_passive",      # "is scheduled", "was expected"
    "planning_verb",        # "planned to leave Thursday", "has scheduled a meeting Thursday"
    "be_to",                # "is to resume trading Tuesday"
    "going_to",             # "is going to"
    "perfect",              # has/had + VBN: past
    "simple_past",          # VBD: past
    "past_progressive",     # "was holding": past
    "past_passive",         # "was announced Monday": past
    "reduced_relative",     # "the decision, announced Wednesday, ...": past
    "present_schedule",     # "meet Monday" (simple present, not a verb of saying): future
)


def direction_at(doc: Any, start: int, end: int, params: Optional[TimeParams] = None) -> int:
    """PAST (-1), FUTURE (1) or UNKNOWN (0) for the timex at [start, end)."""
    on = (params or DEFAULT).enabled
    if doc is None:
        return UNKNOWN
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return UNKNOWN
    token = span.root
    if on("tense:noun_own_time") and token.dep_ in ("poss", "compound", "nmod") and token.head.pos_ in ("NOUN", "PROPN"):
        return UNKNOWN
    before = [t.lower_ for t in doc[max(0, span.start - 3):span.start]]
    if on("tense:future_word_before") and FUTURE_WORDS & set(before[-2:]):
        return FUTURE
    if on("tense:earliest_bound") and tuple(before) in EARLIEST_BOUNDS:
        return FUTURE
    for _ in range(MAX_CLIMB + 2):
        if token.pos_ in ("VERB", "AUX") or token.head == token:
            break
        if on("tense:future_noun") and (token.lower_ in FUTURE_WORDS
                                        or (token.pos_ == "NOUN" and _has_future_modifier(token))):
            return FUTURE
        if on("tense:term_adjective") and token.lower_ in TERM_ADJECTIVES:
            return FUTURE
        token = token.head
    for _ in range(MAX_CLIMB):
        verdict = _verb_direction(token, on)
        if verdict is not None:
            return verdict
        if token.head == token:
            return UNKNOWN
        token = token.head
    return UNKNOWN


def _has_future_modifier(noun: Any) -> bool:
    return any(child.lower_ in FUTURE_WORDS for child in noun.children if child.dep_ == "amod")


def _verb_direction(verb: Any, on) -> Optional[int]:
    """The direction one verb gives, or None to look at its governor
    (infinitives and bare verbs: "to meet", "agreed to meet")."""
    aux = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    aux_words = {a.lower_ for a in aux}
    if on("tense:modal") and (aux_words & FUTURE_AUX or verb.lower_ in FUTURE_AUX):
        return FUTURE
    if on("tense:planned_passive") and verb.lemma_ in FUTURE_LEMMAS and verb.tag_ in ("VBN", "JJ") \
            and aux_words & BE_FORMS:
        return FUTURE  # "is scheduled", "was expected"
    if on("tense:planning_verb") and verb.lemma_ in FUTURE_LEMMAS and verb.tag_.startswith("VB"):
        return FUTURE  # "planned to leave Thursday", "has scheduled a news conference Thursday"
    if on("tense:be_to") and "to" in aux_words and verb.head.lemma_ == "be" and verb.dep_ == "xcomp":
        return FUTURE  # "is to resume trading Tuesday"
    if on("tense:going_to") and verb.lemma_ == "go" and verb.tag_ == "VBG" \
            and any(c.dep_ == "xcomp" for c in verb.children):
        return FUTURE  # "is going to"
    if "to" in aux_words or verb.tag_ == "VB":
        return None
    return _tense_direction(verb, aux, aux_words, on)


def _tense_direction(verb: Any, aux: list, aux_words: set, on) -> Optional[int]:
    """Past or undecided from the verb's own tense."""
    if on("tense:perfect") and aux_words & PAST_AUX and verb.tag_ == "VBN":
        return PAST
    if on("tense:simple_past") and verb.tag_ == "VBD":
        return PAST
    if verb.tag_ in ("VBZ", "VBP", "VBG"):
        if on("tense:past_progressive") and any(a.tag_ == "VBD" for a in aux):
            return PAST  # "was holding"
        if on("tense:present_schedule") and verb.tag_ in ("VBZ", "VBP") and not aux \
                and verb.lemma_ not in SPEECH_LEMMAS:
            return FUTURE  # "the talks resume Monday"
        return UNKNOWN
    if verb.tag_ == "VBN":
        if on("tense:past_passive") and any(a.tag_ == "VBD" for a in aux):
            return PAST
        if on("tense:reduced_relative") and not aux and verb.dep_ in ("acl", "advcl", "relcl", "amod"):
            return PAST
        return None
    return None
