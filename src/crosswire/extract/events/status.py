"""Status of an event mention from its clause: tense, modals, negation,
denial and allegation. Each rule is a small table so it reads as data.

Precedence (first that fires): negated, denied, claimed, hypothetical,
planned, ongoing, occurred. A future date (the event's timex after the
article date) also makes an otherwise occurred event planned.
"""
from __future__ import annotations

from typing import Optional

from .lexicon import ALLEGATION_VERBS, DENIAL_WORDS

FUTURE_AUX = {"will", "shall", "'ll", "wo"}
HYPOTHETICAL_AUX = {"could", "might", "may", "should", "must"}
PLANNING_VERBS = {"schedule", "plan", "intend", "expect", "set", "prepare", "aim", "hope", "want", "seek",
                  "propose", "agree", "decide", "promise", "pledge", "vow", "threaten", "offer", "consider",
                  "look", "due", "likely", "poised", "slate", "arrange", "tip", "wish",
                  # "is prepared / ready / willing to impose": readiness announces the act
                  "prepared", "ready", "willing", "determined", "resolve"}
NEGATING_VERBS = {"refuse", "decline", "fail", "reject", "cancel", "postpone", "call_off", "deny"}
CONDITION_MARKS = {"if", "unless", "whether"}
CLAUSE_LINKS = {"xcomp", "aux", "auxpass", "acomp", "prep", "pcomp", "pobj", "dobj", "nsubjpass", "nsubj",
                "attr", "amod", "conj", "advcl", "relcl", "acl"}


def governing_chain(tok, carrier=None) -> list:
    """The trigger, its carrier verb and the verbs it is the complement of
    ("are intending to hold", "is scheduled to meet"), bottom-up."""
    chain = [tok]
    if carrier is not None and carrier.i != tok.i:
        chain.append(carrier)
    cur = chain[-1]
    for _ in range(4):
        if cur.dep_ in {"xcomp", "pcomp", "acomp"} or (cur.dep_ == "pobj" and cur.head.dep_ == "prep"):
            cur = cur.head if cur.dep_ != "pobj" else cur.head.head
            chain.append(cur)
        elif cur.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in cur.children):
            cur = cur.head  # purpose clause: "telephoned X to discuss" shares the subject
            chain.append(cur)
        elif cur.dep_ in {"dobj", "nsubjpass", "nsubj", "attr"} and cur.head.pos_ in {"VERB", "AUX"} \
                and cur.head not in chain:
            cur = cur.head
            chain.append(cur)
        else:
            break
    return chain


def event_status(tok, carrier, anchor_date: Optional[str], date_value: Optional[str],
                 denied_spans: list[tuple[int, int]]) -> tuple[str, list[str]]:
    """(status, why) for a trigger token."""
    chain = governing_chain(tok, carrier)
    why: list[str] = []
    if is_negated(chain):
        return "negated", ["status:negation"]
    if inside(tok, denied_spans) or under(chain, DENIAL_WORDS, deps={"ccomp", "xcomp"}):
        return "denied", ["status:denial"]
    if under(chain, ALLEGATION_VERBS, deps={"ccomp", "xcomp"}) or allegation_trigger(tok):
        return "claimed", ["status:allegation"]
    aux = {c.lower_ for t in chain for c in t.children if c.dep_ in {"aux", "auxpass"}}
    if aux & HYPOTHETICAL_AUX or has_condition(chain):
        return "hypothetical", ["status:modal"]
    if aux & FUTURE_AUX or "would" in aux:
        return "planned", ["status:future-aux"]
    if any(t.lemma_.lower() in PLANNING_VERBS for t in chain[1:]) or going_to(chain) or headline_infinitive(chain):
        return "planned", ["status:planning-verb"]
    if tok.tag_ == "VBG" and any(c.lower_ in {"is", "are", "am", "'re", "'s"} for c in tok.children
                                 if c.dep_ == "aux"):
        return "ongoing", ["status:progressive"]
    if date_value and anchor_date and is_future(date_value, anchor_date):
        return "planned", ["status:future-date"]
    return "occurred", why


def is_future(value: str, anchor: str) -> bool:
    """Is a TIMEX3 value (day, month, ISO week or year) after the anchor day?"""
    if not value[:4].isdigit():
        return False
    if value[:4] != anchor[:4]:
        return value[:4] > anchor[:4]
    if len(value) >= 10 and value[4] == "-" and value[5:7].isdigit():
        return value[:10] > anchor[:10]
    if len(value) >= 7 and value[4] == "-" and value[5:7].isdigit():
        return value[:7] > anchor[:7]
    return False


def is_negated(chain) -> bool:
    for t in chain:
        if any(c.dep_ == "neg" for c in t.children):
            return True
        if any(c.dep_ == "det" and c.lower_ == "no" for c in t.children) and t.pos_ == "NOUN":
            return True
    return any(t.lemma_.lower() in NEGATING_VERBS for t in chain[1:])


def under(chain, lemmas: set[str], deps: set[str]) -> bool:
    """Is the clause the complement of one of `lemmas` ("denied that...")?"""
    top = chain[-1]
    cur = top
    for _ in range(3):
        if cur.dep_ in deps and cur.head.lemma_.lower() in lemmas:
            return True
        if cur.head.i == cur.i:
            break
        cur = cur.head
    return False


def allegation_trigger(tok) -> bool:
    return tok.lemma_.lower() in ALLEGATION_VERBS - {"accuse", "charge"}


def has_condition(chain) -> bool:
    return any(c.dep_ == "mark" and c.lower_ in CONDITION_MARKS for t in chain for c in t.children)


def going_to(chain) -> bool:
    return any(t.lower_ == "going" and any(c.lower_ in {"is", "are", "am"} for c in t.children) for t in chain)


def headline_infinitive(chain) -> bool:
    """'US, Russia to discuss arms control': a to-infinitive at the root."""
    top = chain[-1]
    finite = any(t.tag_ in {"VBD", "VBZ", "VBP", "MD"} for t in top.sent)
    if top.dep_ in {"acl", "relcl"} and not finite:
        pass  # "US, Russia to discuss ...": the parser hangs the verb on a noun
    elif top.dep_ in {"xcomp", "advcl", "acl", "relcl", "ccomp", "pcomp", "csubj"}:
        return False
    has_to = any(c.dep_ == "aux" and c.lower_ == "to" for c in top.children)
    has_finite_aux = any(c.dep_ in {"aux", "auxpass"} and c.lower_ != "to" for c in top.children)
    return has_to and not has_finite_aux


def inside(tok, spans: list[tuple[int, int]]) -> bool:
    return any(a <= tok.idx < b for a, b in spans)
