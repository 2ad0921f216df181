"""Event triggers of one sentence: verbs coded through PETRARCH2's CAMEO verb
patterns (matched over spaCy's dependency subtree) and event nouns carried by
light verbs ("hold talks"), scheduled ("a meeting is scheduled") or owned by
an actor ("Russia's proposal", "proposals by Moscow")."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from .lexicon import (DENIAL_WORDS, DENIED_OBJECTS, LIGHT_VERBS, NO_BARE_DEFAULT, NONMILITARY_PERSONNEL,
                      NOUN_CARRIER_CODES, NOUN_TRIGGERS, PASSAGE_OBJECTS, PERSONNEL_VERBS, PLOVER_VERB_TYPES,
                      PROMISE_VERBS, PROPOSAL_OBJECTS, REPORTING_VERBS, SECURITY_FORCES, SUBJECT_CARRIERS,
                      VERB_DEFAULT_OVERRIDES, WORK_OBJECTS, WORK_STOPPAGE_VERBS, demand_analogue, plover_of_cameo,
                      verb_table)

PATTERN_WINDOW = 15
ACTOR_PREPS = {"by", "from", "between", "with", "of"}
MODIFIER_DEPS = {"prep", "amod", "compound", "nmod", "npadvmod", "poss"}
OBLIGATION_AUX = {"must", "should"}
SCHEDULING_VERBS = {"schedule", "slate", "set", "convene", "plan", "expect"}
AGREEMENT_VERBS = {"agree", "accept", "consent", "pledge", "promise", "vow"}
# Verbs of intention/desire: their complement is the event, not they.
MODALITY_VERBS = {"intend", "plan", "want", "wish", "hope", "seek", "aim", "expect", "schedule", "prepare",
                  "try", "attempt", "decide", "like", "need", "continue", "begin", "start", "urge", "ask",
                  "demand", "press", "push", "call", "look", "set", "be", "appear", "seem", "tend", "mean",
                  "have"}
# ... of which these make "X wants Y to do Z" a demand on Y (CAMEO 10).
DEMAND_VERBS = {"want", "urge", "ask", "demand", "press", "push", "call"}


@dataclass
class Trigger:
    token: Any  # spacy Token (the event word)
    cameo: str
    event_type: str
    mode: Optional[str]
    context: list[str]
    rule: str
    carrier: Any = None  # light/scheduling verb that carries a noun trigger
    strength: float = 0.6  # how specific the lexicon evidence is
    why: list[str] = field(default_factory=list)
    retyped_from: Optional[str] = None  # the type of the lexicon trigger this anchor was retyped from


def find_triggers(sent, actor_tokens: set[int]) -> list[Trigger]:
    """All lexicon triggers of a sentence (a spaCy Span)."""
    out: list[Trigger] = []
    carried: set[int] = set()
    nouns: set[int] = set()
    for tok in sent:
        if tok.pos_ in {"NOUN", "PROPN"} or nominal_gerund(tok):
            trig = noun_trigger(tok, actor_tokens)
            if trig is not None:
                out.append(trig)
                nouns.add(tok.i)
                if trig.carrier is not None:
                    carried.add(trig.carrier.i)
    for tok in sent:
        if tok.pos_ == "VERB" and tok.i not in carried and tok.i not in nouns:
            trig = verb_trigger(tok) or obligation_demand(tok)
            if trig is not None:
                out.append(trig)
    out.sort(key=lambda t: t.token.i)
    return out


NOMINAL_DEPS = {"dobj", "nsubj", "nsubjpass", "pobj", "attr"}


def nominal_gerund(tok) -> bool:
    """A word in -ing that the tagger took for a verb but the sentence uses
    as a noun: it has a determiner and an argument's place ("are intending
    to hold an NRC meeting on the 12th")."""
    return (tok.pos_ == "VERB" and tok.tag_ == "VBG" and tok.dep_ in NOMINAL_DEPS
            and any(c.dep_ == "det" for c in tok.children))


def verb_trigger(tok) -> Optional[Trigger]:
    lemma = tok.lemma_.lower()
    if lemma in REPORTING_VERBS and lemma not in VERB_DEFAULT_OVERRIDES:
        return None
    if tok.dep_ in MODIFIER_DEPS or tok.lower_ == "according":
        return None  # "Ousted president", "Vietnamese-led forces": not the event
    complement = next((c for c in tok.children if c.dep_ in {"xcomp", "ccomp"} and c.pos_ == "VERB"), None)
    if lemma in MODALITY_VERBS and complement is not None:
        if lemma in DEMAND_VERBS and (lemma != "want" or any(c.dep_ == "nsubj" for c in complement.children)):
            plover, mode, context = plover_of_cameo("100")
            return Trigger(tok, "100", plover, mode, context, f"demand-verb:{lemma}", strength=0.7,
                           why=[f"demand-verb:{lemma}=100"])
        return None  # "intends to hold": the held event is the trigger
    entry = verb_table().get(lemma)
    code, rule, strength = None, None, 0.5
    if entry:
        best = best_pattern(tok, entry["patterns"])
        if best is not None:
            code, score = best
            if code is None and score >= 2:
                return None  # a pattern that PETRARCH2 marks as no event
            rule, strength = f"cameo-pattern:{lemma}", min(0.9, 0.6 + 0.1 * score)
    default = VERB_DEFAULT_OVERRIDES.get(lemma) or (entry or {}).get("code")
    if code is not None and (default or "").startswith("10"):
        code = demand_analogue(code)  # "demanded elections": 0241 -> 1041
    if code is None and lemma not in NO_BARE_DEFAULT:
        code = default
        rule = f"cameo-verb:{lemma}"
    refined = object_refinement(tok, lemma)
    if refined is not None:
        code, rule = refined
    if lemma in PROMISE_VERBS and promises_violence(tok):
        code, rule = "138", f"promise-of-violence:{lemma}"  # "vowed to fight": a threat
    elif lemma in AGREEMENT_VERBS and not (code or "").startswith(("03", "057")):
        code, rule = "030", f"agree-verb:{lemma}"  # PLOVER AGREE: agree to / accept
    if lemma in DENIAL_WORDS and any(c.dep_ == "dobj" and c.lemma_.lower() in DENIED_OBJECTS for c in tok.children):
        code, rule = "120", "denial-of-accusation"  # CAMEO 016 has no PLOVER type; PLOVER: REJECT
    if lemma == "propose" and any(c.lower_ in PROPOSAL_OBJECTS for c in tok.children):
        code, rule = "100", "proposal-of-agreement"
    if not code:
        return None
    plover, mode, context = plover_of_cameo(code)
    if plover == "NONE":
        return None
    plover, mode = PLOVER_VERB_TYPES.get(lemma, (plover, mode))
    return Trigger(tok, code, plover, mode, context, rule, strength=strength, why=[f"{rule}={code}"])


def objects_of(tok) -> set[str]:
    """Lower-cased heads of the verb's objects, through a particle or one
    preposition ("pulled out its observers", "blocked access to")."""
    out = set()
    for c in tok.children:
        if c.dep_ in {"dobj", "obj", "nsubjpass"}:
            out.add(c.lower_)
        elif c.dep_ == "prep":
            out.update(g.lower_ for g in c.children if g.dep_ == "pobj")
    return out


def object_refinement(tok, lemma: str) -> Optional[tuple[str, str]]:
    """CAMEO codes that hang on what the verb is done to, which PETRARCH2's
    word patterns miss or get wrong: blocking roads (144 obstruct passage, a
    protest, unless security forces block them), stopping work (143 strike),
    withdrawing or expelling diplomats and inspectors (166 reduce relations)."""
    objects = objects_of(tok)
    if lemma in {"block", "barricade", "blockade", "obstruct"} and objects & PASSAGE_OBJECTS:
        subjects = {c.lower_ for c in tok.children if c.dep_ in {"nsubj", "agent"}}
        subjects |= {t.lower_ for c in tok.children if c.dep_ == "agent" for t in c.subtree}
        if not subjects & SECURITY_FORCES:
            return "144", f"obstruct-passage:{lemma}"
    if lemma in WORK_STOPPAGE_VERBS and objects & WORK_OBJECTS:
        return "143", f"work-stoppage:{lemma}"
    if lemma in PERSONNEL_VERBS and objects & NONMILITARY_PERSONNEL:
        return PERSONNEL_VERBS[lemma], f"withdraw-personnel:{lemma}"
    return None


def promises_violence(tok) -> bool:
    """'swore to fight', 'vowed to retaliate': the promised act (the
    infinitive complement) is itself coded as force or coercion."""
    for c in tok.children:
        infinitive = c.dep_ == "advcl" and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
        if (c.dep_ == "xcomp" or infinitive) and c.pos_ == "VERB":  # the small parser often says advcl
            entry = verb_table().get(c.lemma_.lower()) or {}
            code = VERB_DEFAULT_OVERRIDES.get(c.lemma_.lower()) or entry.get("code") or ""
            if plover_of_cameo(code)[0] in {"ASSAULT", "COERCE", "MOBILIZE"}:
                return True
    return False


def obligation_demand(tok) -> Optional[Trigger]:
    """'Russia said Sudan must return the helicopter': stating what another
    party must do is a demand on it (CAMEO 10 -> PLOVER REQUEST)."""
    if tok.lemma_.lower() not in REPORTING_VERBS | {"declare", "reiterate", "conclude", "demand"}:
        return None
    if tok.dep_ not in {"ROOT", "conj", "ccomp"}:
        return None  # "..., saying X must": a comment on the main event, not the event
    for c in tok.children:
        if c.dep_ in {"ccomp", "xcomp"} and any(a.dep_ == "aux" and a.lower_ in OBLIGATION_AUX for a in c.children):
            plover, mode, context = plover_of_cameo("100")
            return Trigger(tok, "100", plover, mode, context, "obligation-demand", strength=0.7,
                           why=["obligation-demand=100"])
    return None


def best_pattern(tok, patterns: list) -> Optional[tuple[Optional[str], int]]:
    """The pattern with most matched words around the verb, if any matches."""
    after = [t for t in own_clause(tok) if t.i > tok.i][:PATTERN_WINDOW]
    before = [t for t in tok.sent if t.i < tok.i][-6:]
    words = {t.lower_ for t in after + before} | {t.lemma_.lower() for t in after + before}
    best, best_score = None, 0
    for pre, post, code in patterns:
        if not pre and not post:
            continue
        if any(words.isdisjoint(alts) for alts in post) or any(words.isdisjoint(alts) for alts in pre):
            continue  # a word of the pattern is absent: skip the ordered match
        if post and not match_sequence(post, after):
            continue
        if pre and not match_sequence(pre, before):
            continue
        score = len(pre) + len(post)
        if score > best_score:
            best, best_score = code, score
    return (best, best_score) if best_score else None


# Clauses hanging off the verb's arguments say something else: a pattern word
# found there ("support a resolution that aims to tighten sanctions", "praised
# efforts to improve ...") is not part of the verb phrase PETRARCH2 matches.
NESTED_CLAUSES = {"relcl", "acl", "advcl", "ccomp", "parataxis", "csubj"}


def own_clause(tok) -> list:
    """The verb's subtree minus clauses nested under it or its arguments
    (its own xcomp complement stays: "threatened to shell")."""
    cut: set[int] = set()
    for t in tok.subtree:
        if t.i != tok.i and t.dep_ in NESTED_CLAUSES and t.i not in cut:
            cut.update(s.i for s in t.subtree)
    return [t for t in tok.subtree if t.i not in cut]


def match_sequence(words: list[list[str]], tokens: list) -> bool:
    i = 0
    for t in tokens:
        if i < len(words) and (t.lower_ in words[i] or t.lemma_.lower() in words[i]):
            i += 1
    return i == len(words)


def noun_trigger(tok, actor_tokens: set[int]) -> Optional[Trigger]:
    """An event noun that the sentence presents as an event."""
    lemma = tok.lemma_.lower()
    key = lemma if lemma in NOUN_TRIGGERS else tok.lower_
    if key not in NOUN_TRIGGERS and scheduled_body(tok, actor_tokens):
        plover, mode, context = plover_of_cameo("040")
        return Trigger(tok, "040", plover, mode, context, f"scheduled-body:{tok.head.lemma_.lower()}",
                       carrier=tok.head, strength=0.55, why=["scheduled-body=040"])
    if key not in NOUN_TRIGGERS or tok.i in actor_tokens:
        return None
    head = tok.head
    head_lemma = carrier_lemma(head)
    carrier, rule = None, None
    if tok.dep_ in {"dobj", "attr"} and head_lemma in LIGHT_VERBS:
        carrier, rule = head, f"light-verb:{head_lemma}+{key}"
    elif tok.dep_ == "pobj" and head.lower_ == "on" and carrier_lemma(head.head) in {"insist", "press"}:
        carrier, rule = head.head, f"insist-on:{key}"  # "insisted on its demands that ..."
    elif tok.dep_ in {"nsubjpass", "nsubj"} and head_lemma in SUBJECT_CARRIERS:
        carrier, rule = head, f"scheduled:{key}+{head_lemma}"
    elif tok.dep_ == "ROOT" or (tok.dep_ in {"nsubj", "nsubjpass"} and head.pos_ == "AUX"):
        rule = f"headline-noun:{key}"
    elif owned_by_actor(tok, actor_tokens):
        rule = f"owned-noun:{key}"
    if head_lemma in {"deny", "reject", "dismiss", "refute"} and key in DENIED_OBJECTS:
        return None
    if rule is None:
        return None
    code = NOUN_CARRIER_CODES.get((key, carrier_lemma(carrier) if carrier is not None else ""), NOUN_TRIGGERS[key])
    plover, mode, context = plover_of_cameo(code)
    if plover == "NONE":
        return None
    return Trigger(tok, code, plover, mode, context, rule, carrier=carrier, strength=0.6, why=[f"{rule}={code}"])


def regular_forms(lemma: str) -> set[str]:
    """Regular inflections of a verb ("stage" -> staged, stages, staging)."""
    stem = lemma[:-1] if lemma.endswith("e") else lemma
    return {lemma, lemma + "s", lemma + "d" if lemma.endswith("e") else lemma + "ed", stem + "ing"}


CARRIER_FORMS = {form: lemma for lemma in LIGHT_VERBS | SUBJECT_CARRIERS for form in regular_forms(lemma)}


def carrier_lemma(tok) -> str:
    """The lemma of a possible carrier verb, robust to the small model's
    lemmatiser slips ("staged" -> "stag"): a regular form of a known light
    or scheduling verb gives that verb."""
    lemma = tok.lemma_.lower()
    if lemma in LIGHT_VERBS or lemma in SUBJECT_CARRIERS:
        return lemma
    return CARRIER_FORMS.get(tok.lower_, lemma)


def scheduled_body(tok, actor_tokens: set[int]) -> bool:
    """'the OSCE Permanent Council is scheduled for the 13th': a body named
    as the subject of a scheduling verb stands for its meeting."""
    if tok.dep_ != "nsubjpass" or tok.head.lemma_.lower() not in SCHEDULING_VERBS:
        return False
    return (tok.pos_ in {"PROPN", "NOUN"} and tok.i not in actor_tokens
            and any(t.i in actor_tokens for t in tok.subtree))


def owned_by_actor(tok, actor_tokens: set[int]) -> bool:
    """'Russia's proposal', 'NATO-Russia Council meeting', 'proposals by Moscow'."""
    for child in tok.children:
        if child.dep_ in {"poss", "compound", "amod", "nmod"} and any(t.i in actor_tokens for t in child.subtree):
            return True
        if child.dep_ == "prep" and child.lower_ in ACTOR_PREPS:
            if any(t.i in actor_tokens for t in child.subtree):
                return True
    return False
