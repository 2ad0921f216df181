"""Nominal coreference of offices: "the governor", "the prime minister",
"Puerto Rico governor" (a headline), "the president's claims" stand for the
person the article names with that office.

Why: news writes a person's name and title once, then the office alone;
the events stage needs the person behind it. The office is read from the
text ("Governor Ana Ruiz", "Ana Ruiz, the governor of ...": the person's
`office`). The nominal links (`antecedent`) to the nearest earlier person
holding that office, else to the article's only holder (a headline comes
before the name), as the stage already links bare surnames. A place before
or after the office ("Ruritanian president", "the governor of Ruritania")
must be the holder's country.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

from ...records import ActorMention, stable_id
from .tables import TITLE_MODIFIERS

# Heads of an office a person holds alone at a time.
OFFICE_HEADS = {"president", "governor", "minister", "chancellor", "premier", "speaker", "commissioner", "mayor",
                "king", "queen", "secretary", "secretary-general", "chairman", "chairwoman", "chair", "emir",
                "pope", "taoiseach", "ambassador", "envoy", "prosecutor", "spokesman", "spokeswoman", "spokesperson"}
# An office with one of these words is another office ("vice president", "former governor").
OTHER_OFFICE = {"vice", "deputy", "former", "ex", "assistant", "acting", "junior", "under", "lieutenant", "co",
                "associate", "shadow", "late", "interim", "outgoing", "elect", "new", "next", "incoming", "future"}
# Words before an office that do not change which office it is.
NEUTRAL = {"the", "current", "incumbent", "sitting", "country", "'s", "’s", "its", "their", "his", "her"}
DETERMINERS = {"the", "its", "their", "his", "her", "our", "this", "that"}
BARE_ROLES = {"nsubj", "nsubjpass", "poss", "dobj", "ROOT"}  # a headline's bare "President rejects ..."


def link_offices(ctx, mentions: list[ActorMention], home: Optional[str] = None) -> list[ActorMention]:
    """One linked mention per office nominal whose holder the article names;
    with no place of its own, the office of the home country (`home`) when
    the article names a holder of it ("the president" in an article about
    Ruritania is Ruritania's)."""
    doc = ctx.doc
    covered: set[int] = set()
    for m in mentions:
        covered.update(range(m.start, m.end))
    bodies = {m.end: m for m in mentions if m.actor.kind == "organisation" and "+body" in (m.why or "")}
    holders = [m for m in mentions if m.actor.kind == "person" and m.actor.office]
    out = []
    for tok in doc:
        body = bodies.get(tok.idx + len(tok.text))
        if tok.lower_ not in OFFICE_HEADS or tok.tag_ in {"NNS", "NNPS"} or (tok.idx in covered and body is None):
            continue
        nominal = office_nominal(doc, tok, mentions) if body is None else state_office(doc, tok, body)
        if nominal is None:
            continue
        start, words, owner = nominal
        holder = office_holder(holders, words, home, doc[start].idx) if owner is None and home else None
        holder = holder or office_holder(holders, words, owner, doc[start].idx)
        if holder is None:
            continue
        s, e = doc[start].idx, tok.idx + len(tok.text)
        out.append(ActorMention(id=stable_id("am", ctx.article.id, s, e, holder.actor.id), article=ctx.article.id,
                                sentence=ctx.sentence_at(s), start=s, end=e, text=doc.text[s:e],
                                actor=replace(holder.actor), antecedent=holder.id,
                                why=f"office-coref:{' '.join(words)}"))
        covered.update(range(s, e))
    return out


def office_nominal(doc, head, mentions: list[ActorMention]) -> Optional[tuple[int, list[str], Optional[str]]]:
    """(first token, office words, owner country) of an office used as a
    noun phrase for its holder, or None: not a title before a name, not a
    predicate ("became governor", "as governor", "the office of governor"),
    not indefinite ("a president"), not another office ("vice president")."""
    nxt = doc[head.i + 1] if head.i + 1 < len(doc) else None
    if nxt is not None and nxt.pos_ == "PROPN" and nxt.text[:1].isupper() and nxt.dep_ != "prep":
        return None  # a title: the person pass reads "President Ana Ruiz"
    if head.dep_ in {"attr", "oprd", "appos", "compound"} or (head.dep_ == "pobj" and head.head.lower_ == "as") \
            or (head.dep_ == "pobj" and head.head.lower_ in {"of", "for"} and not has_determiner(head)):
        return None
    start = head.i
    while start > 0 and (doc[start - 1].lower_ in TITLE_MODIFIERS or doc[start - 1].lower_ in OTHER_OFFICE
                         or (doc[start - 1].dep_ in {"compound", "amod"} and doc[start - 1].head.i == head.i
                             and not in_mention(doc[start - 1], mentions))):
        start -= 1
    words = [t.lower_ for t in doc[start:head.i + 1]]
    if any(w in OTHER_OFFICE for w in words):
        return None
    words += of_tail_words(doc, head, mentions)
    if any(c.dep_ == "det" and c.lower_ not in DETERMINERS for c in head.children):
        return None
    if not has_determiner(head) and head.dep_ not in BARE_ROLES:
        return None
    owner = owner_country(doc, head, start, mentions)
    return start, words, owner


def state_office(doc, head, body: ActorMention) -> Optional[tuple[int, list[str], Optional[str]]]:
    """'Ruritanian president' read as a state body (country + office word):
    the office of that country, when it is not a title before a name."""
    nxt = doc[head.i + 1] if head.i + 1 < len(doc) else None
    if nxt is not None and nxt.pos_ == "PROPN" and nxt.text[:1].isupper():
        return None
    span = doc.char_span(body.start, body.end, alignment_mode="expand")
    return span.start, [head.lower_], body.actor.country


def has_determiner(tok) -> bool:
    return any(c.dep_ in {"det", "poss"} for c in tok.children)


def in_mention(tok, mentions: list[ActorMention]) -> bool:
    return any(m.start <= tok.idx < m.end for m in mentions)


def of_tail_words(doc, head, mentions: list[ActorMention]) -> list[str]:
    """'the Secretary of State', 'the secretary of justice': the words of an
    "of" tail that name the office, not a place ("the governor of Ruritania"
    keeps the place as owner)."""
    if head.i + 2 >= len(doc) or doc[head.i + 1].lower_ != "of":
        return []
    words, i = [], head.i + 2
    while i < len(doc) and doc[i].pos_ in {"PROPN", "NOUN"} and not in_mention(doc[i], mentions):
        words.append(doc[i].lower_)
        i += 1
    return ["of"] + words if words else []


def owner_country(doc, head, start: int, mentions: list[ActorMention]) -> Optional[str]:
    """Country of a place naming the office's state: right before it
    ("Ruritania governor", "Ruritanian president", "Ruritania's king") or in
    its "of" tail ("the governor of Ruritania")."""
    lo = doc[start - 2].idx if start >= 2 else 0
    hi = doc[start].idx
    tail = [c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"]
    for m in mentions:
        if m.actor.kind not in {"country", "government", "city"} or not m.actor.country:
            continue
        if lo <= m.start < hi and m.end <= hi:
            return m.actor.country
        if tail and tail[0].idx < m.start <= tail[0].right_edge.idx:
            return m.actor.country
    return None


def office_holder(holders: list[ActorMention], words: list[str], owner: Optional[str],
                  at: int) -> Optional[ActorMention]:
    """The person holding the office: the nearest before `at` whose office
    is the same (best) or contains it, else the only such person."""
    wanted = [w for w in words if w not in NEUTRAL]
    for exact in (True, False):
        fits = [m for m in holders if holds(m, wanted, exact) and (owner is None or m.actor.country == owner)]
        if not fits:
            continue
        before = [m for m in fits if m.end <= at]
        if before:
            return max(before, key=lambda m: m.start)
        people = {m.actor.id for m in fits}
        return min(fits, key=lambda m: m.start) if len(people) == 1 else None
    return None


def holds(m: ActorMention, wanted: list[str], exact: bool) -> bool:
    office = [w for w in (m.actor.office or "").lower().replace("-", " ").split() if w not in NEUTRAL]
    if exact:
        return office == wanted
    return all(w in office for w in wanted) and not any(w in OTHER_OFFICE for w in office)
