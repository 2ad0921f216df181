"""An event's place: the venue of a meeting, the site of an attack, the city
of a protest; not every place its sentence names.

Order of evidence (the first that applies wins):
* explicit: a toponym the event's clause attaches to the event: object of a
  locative preposition on the trigger or its light verb ("will hold talks in
  Vienna", "talks will be held at the Hofburg in Vienna", "the
  attack on Kharkiv"), through "the city of X"; a name modifying the event
  noun ("the Vienna talks"); the object of an attack or a coercion
  ("shelled Kharkiv");
* inferred: the event's sentence names exactly one place that is none of
  the event's actors, and names it as a place, after a locative
  preposition ("protests in Hong Kong ..."), never as a party or a topic
  ("Moscow pursues ...", "assurances from the US", "a border with
  Mexico"), nor inside a title ("former New Jersey governor");
* dateline: the place the report was filed from;
* inferred: the place the article's lede sets the story in (the first
  place named after a locative preposition in its first sentences, "...
  protesters in Hong Kong ..."), when it lies in a country the event's
  actors belong to.
A planned event keeps the venue announced for it: nothing here looks at
status. Country adjectives ("Syrian forces") are never a venue.
"""
from __future__ import annotations

import dataclasses
from typing import Optional, Sequence

from ...records import EventMention, Place, Toponym
from ..actors.tables import TITLE_HEADS

LOCATIVE_PREPS = {"in", "at", "near", "outside", "inside", "across", "throughout", "around", "within",
                  "on", "into", "off", "along"}
# preposition of a place that is the destination of a visit, the venue of a meeting
VISIT_PREPS = {"to"}
VISIT_TYPES = {"CONSULT"}
# event types whose direct object may be the place itself ("shelled Kharkiv", "blockaded Gaza")
SITE_OBJECT_TYPES = {"ASSAULT", "COERCE", "PROTEST", "MOBILIZE"}
MAX_CHAIN = 6


LEDE_SENTENCES = 3  # title, first and second sentence


def lede_place(doc, toponyms: Sequence[Toponym]) -> Optional[Toponym]:
    """The first place the article's first sentences name as a place."""
    return next((t for t in toponyms if t.sentence < LEDE_SENTENCES and t.kind == "toponym"
                 and t.place is not None and t.place.lat is not None and _named_as_place(doc, t)), None)


def event_place(doc, mention: EventMention, toponyms: Sequence[Toponym],
                dateline: Optional[Toponym], lede: Optional[Toponym] = None) -> Optional[Place]:
    """The mention's location, with its basis and evidence, or None."""
    here = [t for t in toponyms if t.sentence == mention.sentence and t.kind == "toponym" and t.place is not None
            and t.place.lat is not None]
    trigger = doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if trigger is not None and here:
        heads = _event_tokens(trigger)
        # attached by a preposition or as the site, a place is the venue even when a dictionary
        # also read it as an actor ("marched in Paris", "shelled Kharkiv")
        attached = [t for t in here if _attached(doc, t, heads, mention.event_type)]
        if attached:
            best = min(attached, key=lambda t: abs(t.start - mention.start))
            return dataclasses.replace(_place(best), basis="explicit")
    others = [t for t in here if not _names_participant(t, mention)]
    if len({_place(t).geonames_id for t in others}) == 1 and _named_as_place(doc, others[0]):
        return dataclasses.replace(_place(others[0]), basis="inferred")
    if dateline is not None:
        return dataclasses.replace(_place(dateline), basis="dateline")
    codes = {p.code for p in list(mention.actors) + list(mention.recipients) if p.code}
    if lede is not None and _place(lede).country in codes:
        return dataclasses.replace(_place(lede), basis="inferred")
    return None


def _place(t: Toponym) -> Place:
    """The place of a resolved toponym (every toponym these functions get
    for a venue was resolved: the callers keep only those)."""
    if t.place is None:
        raise ValueError(f"toponym {t.text!r} at {t.start} was not resolved to a place")
    return t.place


def _named_as_place(doc, t: Toponym) -> bool:
    """The object of a locative preposition on a verb ("police fired ... in
    X"): the sentence names it as a place, not as a party ("Moscow pursues
    ..."), a title or a topic ("the situation in X")."""
    span = doc.char_span(t.start, t.end, alignment_mode="expand")
    root = span.root if span is not None else None
    return (root is not None and root.dep_ == "pobj" and root.head.lower_ in LOCATIVE_PREPS - {"on"}
            and root.head.head.pos_ in {"VERB", "AUX"})  # "fired ... in X", not "the situation in X"


def _names_participant(t: Toponym, mention: EventMention) -> bool:
    """The toponym is (part of) a span naming one of the event's actors or recipients."""
    for p in list(mention.actors) + list(mention.recipients):
        ev = p.mention
        if ev is not None and ev.start < t.end and t.start < ev.end:
            return True
    return False


def _event_tokens(trigger) -> set[int]:
    """The trigger's tokens, the verb carrying an event noun ("hold talks",
    "talks will be held") and the verbs it governs ("agreed to meet")."""
    ids = {t.i for t in trigger}
    root = trigger.root
    if root.pos_ in {"NOUN", "PROPN"} and root.dep_ in {"dobj", "nsubj", "nsubjpass", "attr", "pobj"}:
        ids.add(root.head.i)
    for child in root.children:
        if child.dep_ == "xcomp":
            ids.add(child.i)
    return ids


def _attached(doc, t: Toponym, heads: set[int], event_type: str) -> bool:
    span = doc.char_span(t.start, t.end, alignment_mode="expand")
    if span is None:
        return False
    tok = span.root
    # a country as modifier or object is a party ("Russia-US talks", "prohibit the US"), not a site
    site = _place(t).feature_code != "PCLI"
    if tok.dep_ in {"compound", "nmod", "amod"} and tok.head.i in heads and site:
        return True  # "the Vienna talks"
    if tok.dep_ == "dobj" and tok.head.i in heads and event_type in SITE_OBJECT_TYPES and site:
        return True  # "shelled Kharkiv"
    located = via_of = False  # the chain went through a locative preposition / through "of"
    for _ in range(MAX_CHAIN):
        if tok.dep_ in {"appos", "conj", "compound"} and not (located or via_of):
            tok = tok.head  # "in Paris and Lyon", "in Paris, Texas"; not "talks and the situation in X"
            continue
        if tok.dep_ != "pobj":
            # "met officials in X": the place of the event's own object or subject
            return located and tok.dep_ in {"dobj", "nsubj", "nsubjpass"} and tok.head.i in heads
        prep = tok.head
        word = prep.lower_
        if prep.head.i in heads and _locative(word, event_type, via_of):
            return True
        if word == "of" and not _title(prep.head):
            via_of = True
        elif word in LOCATIVE_PREPS and word != "on" and prep.head.pos_ in {"NOUN", "PROPN"}:
            located = True
        else:
            return False
        tok = prep.head  # "in the city of X", "at a hotel in X"
    return False


def _title(tok) -> bool:
    """'the President of X', 'the mayor of X': X names whose office, not where."""
    return tok.ent_type_ == "PERSON" or tok.lemma_.lower() in TITLE_HEADS


def _locative(word: str, event_type: str, via_of: bool) -> bool:
    """'in', 'at', 'near' ... always; 'on' for the site of an attack ("the
    attack on X") or "on the territory of X", never a topic ("talks on
    arms control"); 'into' for a movement ("troops moved into X"), not an
    inquiry; 'to' for the place of a visit."""
    if word == "on":
        return via_of or event_type in SITE_OBJECT_TYPES
    if word == "into":
        return event_type in SITE_OBJECT_TYPES
    return word in LOCATIVE_PREPS or (word in VISIT_PREPS and event_type in VISIT_TYPES)
