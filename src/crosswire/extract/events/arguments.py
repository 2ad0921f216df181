"""Arguments of an event mention from the dependency parse: who acted, on
whom, where, about what, and when (from the time stage's timexes).

Actors come from the actors stage's mentions over the argument's noun phrase,
so a coordinated subject ("Russia and the US") gives two participants and a
group mention ("the two nations") gives the actors it was linked to.
"""
from __future__ import annotations

from typing import Optional

from .status import governing_chain

RECIPIENT_PREPS = {"with", "to", "against", "from", "toward", "towards", "on", "at", "for", "into", "upon"}
TOPIC_PREPS = {"on", "about", "over", "regarding", "concerning", "around", "of"}
SYMMETRIC_TYPES = {"CONSULT", "AGREE", "COOPERATE"}
TOPIC_VERBS = {"discuss", "negotiate", "debate", "address", "consider", "focus", "center", "centre"}
DATE_LIKE = ("DATE", "TIME")
STATE_PRONOUNS = {"it", "its", "they", "their", "them"}
PERSON_PRONOUNS = {"he", "she", "him", "her"}


class MentionIndex:
    """Actor mentions of an article addressed by character offset."""

    def __init__(self, mentions):
        self.mentions = sorted(mentions, key=lambda m: m.start)

    def over(self, start: int, end: int) -> list:
        return [m for m in self.mentions if m.start < end and m.end > start and m.actor.kind != "city"]

    def cities(self, start: int, end: int) -> list:
        return [m for m in self.mentions if m.start < end and m.end > start and m.actor.kind == "city"]

    def token_ids(self, doc) -> set[int]:
        ids = set()
        for m in self.mentions:
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is not None:
                ids.update(range(span.start, span.end))
        return ids


def phrase_mentions(tok, index: MentionIndex) -> list:
    """Mentions in a noun phrase headed by `tok` and its conjuncts (not its
    relative clauses or prepositional tails)."""
    out = []
    for head in [tok] + conjuncts(tok):
        left = head.left_edge
        start, end = left.idx, head.idx + len(head.text)
        # include a right-hand apposition/compound of the head ("Russia reps")
        found = index.over(start, end)
        if not found and head.lower_ in STATE_PRONOUNS:
            found = antecedent_state(head, index)
        if not found and head.lower_ in PERSON_PRONOUNS:
            found = antecedent_person(head, index)
        if not found:
            found = prep_tail_mentions(head, index)
        if not found:
            for child in head.children:
                if child.dep_ in {"appos"}:
                    found = index.over(child.left_edge.idx, child.idx + len(child.text))
        out.extend(prefer_specific(found, head))
    return dedupe(out)


def prep_tail_mentions(head, index: MentionIndex) -> list:
    """'Security forces in Guinea', 'the return of U.N. inspectors': when the
    head phrase names no actor, the actor of its of/in/from tail."""
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in {"of", "in", "from"}:
            for p in child.children:
                if p.dep_ == "pobj":
                    span = (p.left_edge.idx, p.idx + len(p.text))
                    found = index.over(*span)
                    if found:
                        return prefer_specific(found, p)
                    if child.lower_ in {"in", "from"}:
                        # "Demonstrators in Baghdad": people of a city act for its country
                        return index.cities(*span)[:1]
    return []


def antecedent_state(pron, index: MentionIndex) -> list:
    """'Iraq said it would allow...': 'it' -> the nearest state or
    organisation named earlier in the same sentence."""
    sent = pron.sent
    before = [m for m in index.mentions if sent.start_char <= m.start < pron.idx
              and m.actor.kind in {"country", "government", "igo", "organisation"}]
    return before[-1:] if before else []


def antecedent_person(pron, index: MentionIndex) -> list:
    """'President X said he is prepared to lift the ban': 'he' -> the
    nearest person named earlier in the same sentence."""
    sent = pron.sent
    before = [m for m in index.mentions if sent.start_char <= m.start < pron.idx and m.actor.kind == "person"]
    return before[-1:] if before else []


def prefer_specific(found: list, head) -> list:
    """Within one noun phrase, the mention covering the head wins over the
    modifiers' mentions ("Russian Foreign Minister Lavrov" -> the person),
    except modifiers coordinated with the head's own ("Hungarian and
    Romanian officials" -> both countries: a compound actor stays a list)."""
    at_head = [m for m in found if m.start <= head.idx < m.end]
    if not at_head:
        return found
    coordinated = [m for m in found if m not in at_head and coordinated_with(m, at_head, head.doc)]
    return coordinated + at_head if coordinated else at_head


def coordinated_with(m, group: list, doc) -> bool:
    """Is mention `m` joined by a conj arc to a token of a mention in `group`?"""
    span = doc.char_span(m.start, m.end, alignment_mode="expand")
    if span is None:
        return False
    inside = {t.i for g in group for t in doc.char_span(g.start, g.end, alignment_mode="expand") or []}
    mine = {t.i for t in span}
    return any(t.dep_ == "conj" and t.head.i in inside for t in span) or \
        any(doc[i].dep_ == "conj" and doc[i].head.i in mine for i in inside)


def conjuncts(tok) -> list:
    out = []
    for child in tok.children:
        if child.dep_ == "conj":
            out.append(child)
            out.extend(conjuncts(child))
    return out


def dedupe(mentions: list) -> list:
    seen, out = set(), []
    for m in mentions:
        key = m.actor.id or m.actor.name
        if key in seen:
            continue
        seen.add(key)
        out.append(m)
    return out


def find_actors(tok, carrier, index: MentionIndex, is_noun: bool) -> tuple[list, list]:
    """(actor mentions, recipient mentions) of a trigger."""
    chain = governing_chain(tok, carrier)
    actors: list = []
    recipients: list = []
    if is_noun:
        actors = noun_owners(tok, index)
    if not actors:
        for t in chain:
            subj = [c for c in t.children if c.dep_ in {"nsubj", "nsubjpass"} and c.i != tok.i]
            if subj:
                agent = passive_agent(t)
                if agent is not None and not is_noun:
                    actors = phrase_mentions(agent, index)
                    recipients = phrase_mentions(subj[0], index)
                elif subj[0].dep_ == "nsubjpass" and t.i == tok.i and not is_noun:
                    # "X was arrested in Lebanon": X suffered it; the place's state acted
                    recipients = phrase_mentions(subj[0], index)
                    actors = distant_by_agent(tok, index) or \
                        [m for m in place_targets(tok, carrier, index) if m.actor.kind in {"country", "city"}]
                else:
                    actors = phrase_mentions(subj[0], index)
                break
            if t.dep_ in {"acl", "relcl"} and t.head.pos_ in {"NOUN", "PROPN"}:
                actors = phrase_mentions(t.head, index)
                break
    if not recipients:
        recipients = object_mentions(tok, carrier, index, exclude=actors)
    if not recipients and not is_noun:
        recipients = complement_objects(tok, index, exclude=actors)
    between = between_mentions(tok, carrier, index)
    if between:
        if not actors:
            actors = between
        else:
            recipients = dedupe(recipients + [m for m in between if m not in actors])
    if not recipients:
        recipients = place_targets(tok, carrier, index)
    ids = {m.actor.id for m in actors}
    recipients = [m for m in recipients if m.actor.id not in ids]
    return actors, recipients


def place_targets(tok, carrier, index: MentionIndex) -> list:
    """No named target: a country the event happens in is its target, as
    PLOVER coders do ("lifted a curfew in Montenegro")."""
    out = []
    for h in [t for t in (tok, carrier) if t is not None]:
        for c in list(h.children) + [g for d in h.children if d.dep_ == "dobj" for g in d.children]:
            if c.dep_ == "prep" and c.lower_ in {"in", "inside", "into"}:
                for p in c.children:
                    if p.dep_ == "pobj":
                        span = (p.left_edge.idx, p.idx + len(p.text))
                        out.extend(m for m in index.over(*span) if m.actor.kind == "country")
                        out.extend(index.cities(*span))
    return dedupe(out)


def noun_owners(tok, index: MentionIndex) -> list:
    """'Russia's proposal', 'NATO-Russia Council meeting', 'proposals by Moscow'."""
    out = []
    for child in tok.children:
        if child.dep_ == "compound" and lone_place_name(child):
            continue  # "Ukraine talks", "Syria peace talks": what they are about
        if child.dep_ in {"poss", "compound", "nmod", "amod"} and child.i < tok.i:
            out.extend(index.over(child.left_edge.idx, child.idx + len(child.text)))
        elif child.dep_ == "prep" and child.lower_ in {"by", "from", "of"}:
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    out.extend(phrase_mentions(pobj, index))
    return dedupe(out)


def lone_place_name(tok) -> bool:
    """A single country or place name used as a noun modifier ("Ukraine
    talks") names the topic; joined to another party ("US-Russia talks",
    "NATO-Russia Council meeting") the modifiers are the participants."""
    if tok.ent_type_ not in {"GPE", "LOC"} or tok.pos_ != "PROPN":
        return False
    sub = list(tok.subtree)
    if any(t.text in {"-", "–", "/"} or t.dep_ in {"cc", "conj"} for t in sub):
        return False
    neighbours = [t for t in tok.head.children if t.i != tok.i and t.dep_ == "compound" and t.i < tok.head.i]
    return not neighbours


def distant_by_agent(verb, index: MentionIndex) -> list:
    """'X was attacked on Monday near the border by Taliban fighters', 'X
    has been accused of ..., by government officials': the parser hangs the
    by-phrase of a passive on a nearer word; the first 'by' after the
    passive verb whose object names an actor is its agent."""
    for tok in verb.doc[verb.i + 1:verb.sent.end]:
        if tok.lower_ != "by" or tok.dep_ not in {"prep", "agent"}:
            continue
        found = pobj_mentions(tok, index)
        if found:
            return found
    return []


def grievance_targets(tok, carrier, index: MentionIndex) -> list:
    """'complained to the UN over Israeli air raids', 'protested to Paris
    about French tests': an accusation or protest is aimed at whoever it is
    about, not at the body it is addressed to."""
    for h in [t for t in (tok, carrier) if t is not None]:
        for c in h.children:
            if c.dep_ == "prep" and c.lower_ in {"over", "about", "against"}:
                for p in c.children:
                    if p.dep_ == "pobj":
                        found = phrase_mentions(p, index) or prep_tail_mentions(p, index)
                        if found:
                            return found
    return []


def passive_agent(verb) -> Optional[object]:
    for c in verb.children:
        if c.dep_ == "agent":
            for p in c.children:
                if p.dep_ == "pobj":
                    return p
    return None


def object_mentions(tok, carrier, index: MentionIndex, exclude: list) -> list:
    out = []
    heads = [t for t in (tok, carrier) if t is not None]
    for h in heads:
        for c in h.children:
            if c.dep_ in {"dobj", "dative", "iobj"}:
                found = phrase_mentions(c, index)
                out.extend(found or object_tail(c, index))
            elif c.dep_ == "prep" and c.lower_ in RECIPIENT_PREPS:
                for p in c.children:
                    if p.dep_ == "pobj":
                        out.extend(phrase_mentions(p, index))
            elif c.dep_ == "ccomp" or c.dep_ == "xcomp":
                # "wants Washington to agree": the subject of the complement
                for s in c.children:
                    if s.dep_ in {"nsubj"}:
                        out.extend(phrase_mentions(s, index))
    ids = {m.actor.id for m in exclude}
    return dedupe([m for m in out if m.actor.id not in ids])


def complement_objects(verb, index: MentionIndex, exclude: list, depth: int = 2) -> list:
    """'threatened to shell Iraqi towns', 'refused to meet Jordan's King',
    'offered to negotiate with the president of Armenia': the act the verb
    announces, refuses or offers is done to the complement's object, which
    is the recipient of the whole event."""
    for c in verb.children:
        if c.dep_ == "xcomp" and c.pos_ in {"VERB", "AUX"}:
            found = object_mentions(c, None, index, exclude=exclude)
            if not found and depth > 1:
                found = complement_objects(c, index, exclude, depth - 1)
            if found:
                return found
    return []


def pobj_mentions(prep, index: MentionIndex) -> list:
    """Mentions in the first object of a preposition that names any."""
    for p in prep.children:
        if p.dep_ == "pobj":
            found = phrase_mentions(p, index)
            if found:
                return found
    return []


def object_tail(obj, index: MentionIndex) -> list:
    """'called for sanctions against Nigeria', 'rejected calls by Belarus's
    rulers': the actor in a prepositional tail of the object."""
    for c in obj.children:
        if c.dep_ == "prep" and c.lower_ in RECIPIENT_PREPS | {"of", "by", "between"}:
            found = pobj_mentions(c, index)
            if found:
                return found
    return []


def between_mentions(tok, carrier, index: MentionIndex) -> list:
    for h in [t for t in (tok, carrier) if t is not None]:
        for c in h.children:
            if c.dep_ == "prep" and c.lower_ == "between":
                for p in c.children:
                    if p.dep_ == "pobj":
                        return phrase_mentions(p, index)
    return []


def find_topic(tok, carrier) -> Optional[tuple[int, int]]:
    """Character span of what the event is about: the object of on/about/
    over/regarding, of 'to discuss', or of 'centered around'."""
    heads = [t for t in (tok, carrier) if t is not None]
    for h in list(heads):
        for c in h.children:
            if c.dep_ in {"xcomp", "advcl", "acl"} and c.lemma_.lower() in TOPIC_VERBS:
                heads.append(c)
            if c.dep_ == "dobj" and c.pos_ == "NOUN":
                heads.append(c)
    for h in heads:
        if h.lemma_.lower() in {"discuss", "negotiate", "debate", "address"}:
            for c in h.children:
                if c.dep_ == "dobj":
                    return span_of(c)
        for c in h.children:
            if c.dep_ == "prep" and c.lower_ in TOPIC_PREPS - ({"of"} if h.pos_ == "VERB" else set()):
                pobj = [p for p in c.children if p.dep_ == "pobj"]
                if pobj and pobj[0].ent_type_ not in DATE_LIKE:
                    return span_of(pobj[0])
            if c.dep_ in {"acl", "advcl"} and c.lemma_.lower() in {"center", "centre", "focus", "base"}:
                topic = find_topic(c, None)
                if topic:
                    return topic
    return None


def span_of(tok) -> tuple[int, int]:
    left, right = tok.left_edge, tok.right_edge
    while right.i > tok.i and (right.is_punct or right.dep_ in {"cc", "punct"}):
        right = right.nbor(-1)
    # stop before a date prepositional phrase ("... on January 10")
    for t in tok.subtree:
        if t.i > tok.i and t.dep_ == "prep" and any(g.ent_type_ in DATE_LIKE for g in t.subtree):
            right = t.nbor(-1)
            break
    return left.idx, right.idx + len(right.text)


def later_in_clause(tok, carrier, index: MentionIndex, actors: list) -> list:
    """No recipient in the trigger's own arguments: the first other actor
    the event's clause names after the trigger ("blocked streets in Hong
    Kong in defiance of Chinese authorities", "threatened to launch an
    offensive unless Baghdad accepted", "food aid to refugees fleeing the
    war in Liberia"). Mentions of the actor's own country and news media
    do not count; the reporting clause ("..., Macedonian officials said")
    lies outside the event's clause."""
    doc = tok.doc
    ids = clause_tokens(tok, carrier)
    own = {m.actor.id for m in actors} | {m.actor.country for m in actors if m.actor.country}
    for m in index.mentions:
        if m.start <= tok.idx or m.start >= tok.sent.end_char or not m.actor.code or m.actor.sector == "MED":
            continue
        if m.actor.id in own or (m.actor.country and m.actor.country in own):
            continue
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is not None and any(t.i in ids for t in span):
            return [m]
    return []


def clause_tokens(tok, carrier) -> set[int]:
    """Token ids of the event's clause: the subtree of the topmost verb of
    its governing chain, minus nested reporting/other clauses."""
    chain = governing_chain(tok, carrier)
    top = chain[-1]
    ids = {t.i for t in top.subtree}
    for t in top.subtree:
        if t.dep_ in {"ccomp", "advcl", "relcl", "parataxis"} and t.i != tok.i and t not in chain:
            ids -= {s.i for s in t.subtree}
    return ids


def find_timex(tok, carrier, doc, timexes: list) -> Optional[object]:
    """The timex attached to the event's clause, nearest the trigger; a date
    modifying the trigger noun itself ("a December 2 meeting") comes first."""
    ids = clause_tokens(tok, carrier)
    best, best_dist = None, None
    for tx in timexes:
        if tx.type not in {"DATE", "TIME"} or not tx.value or not tx.value[:4].isdigit():
            continue
        span = doc.char_span(tx.start, tx.end, alignment_mode="expand")
        if span is None:
            continue
        if tok.pos_ in {"NOUN", "PROPN"} and any(t.head.i == tok.i and t.i < tok.i for t in span):
            return tx
        if not any(t.i in ids for t in span):
            continue
        dist = abs(span.start - tok.i)
        if best is None or dist < best_dist:
            best, best_dist = tx, dist
    return best
