"""Role words of an event mention, read from a dependency parse (the ECB+
benchmark's: news mentions carry coded participants instead).

Two reports of one happening name the same doer, the same undergoer and the
same place; two happenings named by one verb ("an earthquake struck ...",
"he was arrested ...") usually differ in one of them. News mentions carry
coded participants (`Item.codes`) for this; mentions without a dictionary of
actors (ECB+'s earthquakes, trials and rehab stays) get generic role words
instead: the content words of each argument, no codes, no names list.

`Item.roles` maps a role name of `ROLES` (resolve/scoring.py, which defines a
match and a conflict feature per role) to a frozenset of lower-cased lemmas
(and digit strings); the scorer compares them role by role (scoring.py:
`<role>_match` when two mentions share a word in that role, `<role>_conflict`
when both fill it with disjoint words).
"""
from __future__ import annotations

from typing import Any

SUBJECT_DEPS = {"nsubj", "csubj"}
OBJECT_DEPS = {"dobj", "nsubjpass", "attr", "oprd"}
PLACE_PREPS = {"in", "at", "near", "on", "outside", "inside", "across", "off"}
PLACE_ENTITIES = {"GPE", "LOC", "FAC"}
ENTITY_ROLES = {
    **{label: "sentence_places" for label in PLACE_ENTITIES},
    "DATE": "sentence_times", "TIME": "sentence_times",
    **{label: "sentence_numbers" for label in ("CARDINAL", "QUANTITY", "MONEY", "PERCENT")},
    "PERSON": "sentence_people", "ORG": "sentence_orgs", "NORP": "sentence_orgs",
}
TAIL_DEPS = {"prep", "relcl", "acl", "advcl"}  # tails of a noun phrase that are not the argument itself


def phrase_tokens(tok: Any) -> list:
    """`tok` and the words that modify it, without its prepositional and
    clausal tails ("police" in "police in the city who ...")."""
    out = [tok]
    for child in tok.children:
        if child.dep_ not in TAIL_DEPS:
            out.extend(phrase_tokens(child))
    return out


def argument_words(tok: Any) -> frozenset:
    """Content words of the phrase `tok` heads; nothing for a pronoun (it says
    nothing about which happening is meant without resolving it)."""
    if tok.pos_ == "PRON":
        return frozenset()
    return frozenset(t.lemma_.lower() for t in phrase_tokens(tok) if t.pos_ in ("PROPN", "NOUN", "NUM") and not t.is_stop)


def entity_words(span: Any) -> frozenset:
    return frozenset(t.lemma_.lower() for t in span if t.is_alpha and not t.is_stop) | \
        frozenset(t.text for t in span if t.like_num)


def role_words(sentence: Any, head: int) -> dict[str, frozenset]:
    """Role words of the mention whose head is token `head` of the parsed
    `sentence` (a spaCy Doc or Span), by role name; empty roles are left out."""
    trigger = sentence[head]
    roles: dict[str, set] = {}

    def add(role: str, words: frozenset) -> None:
        if words:
            roles.setdefault(role, set()).update(words)

    for child in trigger.children:
        if child.dep_ in SUBJECT_DEPS:
            add("agent", argument_words(child))
        elif child.dep_ in OBJECT_DEPS:
            add("patient", argument_words(child))
        elif child.dep_ == "agent":  # "was struck by an earthquake"
            for obj in child.children:
                add("agent", argument_words(obj))
        elif child.dep_ == "poss":  # "Iran's test": a noun's possessor taken as its agent
            # (in "his arrest" it is the patient; the parse cannot tell them apart)
            add("agent" if trigger.pos_ == "NOUN" else "patient", argument_words(child))
        elif child.dep_ == "prep":
            for obj in child.children:
                if obj.dep_ != "pobj":
                    continue
                if child.lower_ == "of" and trigger.pos_ == "NOUN":  # "the killing of ..."
                    add("patient", argument_words(obj))
                elif child.lower_ in PLACE_PREPS and (obj.ent_type_ in PLACE_ENTITIES
                                                      or (obj.pos_ == "PROPN" and not obj.ent_type_)):
                    add("place", argument_words(obj))
    for ent in sentence.ents:
        role = ENTITY_ROLES.get(ent.label_)
        if role:
            add(role, entity_words(ent))
    return {role: frozenset(words) for role, words in roles.items()}
