"""Who did it and to whom: a learned choice among the sentence's actors.

The parse rules of `arguments.py` name an event's actor and recipient when
the small parser gets the clause right; on whole news articles they were
right for about four events in ten (train articles, gold types given). Most
misses are not exotic: a speech act coded at the content verb whose subject
is not the speaker ("Schiff called it a non-starter", "I may do it" inside
Trump's quote), a pronoun naming someone from the sentence before ("He
resisted."), a subject the parser hung elsewhere.

So every actor the sentence can reach is a candidate:
- the actors stage's mentions inside the sentence;
- the antecedent of each personal pronoun ("he" -> the last person named, "they"/"it" -> the last state or
  organisation named, within the sentence and the three before it);
- "I"/"we" inside a quotation -> the quote's speaker (the quotes stage's record).

Each candidate is described by where it sits relative to the event word
(its dependency relation, the preposition it hangs on, whether it is the
subject of a verb that governs the event, before or after it, inside a
quotation or the speaker of one), what it is (person, state, organisation),
the event's type, and what the parse rules said of it. Two logistic
regressions trained on the whole-article gold (`crosswire.training.events`)
give P(actor) and P(recipient); the most likely candidate above the
threshold takes each side, never the same actor on both.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ...records import ActorMention, Quote
from ..linear import Features
from .lexicon import ALLEGATION_VERBS, REPORTING_VERBS

PERSON_PRONOUNS = {"he", "she", "him", "her", "his", "hers"}
GROUP_PRONOUNS = {"they", "them", "their", "it", "its"}
SPEAKER_PRONOUNS = {"i", "me", "my", "we", "us", "our"}
PRONOUN_LOOKBACK = 3  # sentences before the pronoun's own in which its antecedent is sought
STATE_KINDS = {"country", "government", "igo", "organisation", "group"}
# Events done by saying something (build.SPEECH_ACT_TYPES): their actor is the speaker.
SPEECH_ACT_TYPES = {"AGREE", "REQUEST", "ACCUSE", "REJECT", "THREATEN", "SUPPORT", "CONCEDE"}


@dataclass
class Candidate:
    """One actor the event's sentence can reach, and the word that reaches it."""

    mention: ActorMention  # the mention naming the actor (for a pronoun: its antecedent)
    token: Any  # spaCy token in the event's sentence standing for it (mention head or pronoun)
    via: str  # "text" | "pronoun" | "speaker"

    @property
    def key(self) -> str:
        return self.mention.actor.id or self.mention.actor.name.lower()

    @property
    def reports(self) -> bool:
        """Is it the source a report is attributed to ("according to a
        representative for the US National Security Council, a meeting
        between Russia and NATO is scheduled")? A source says that something
        happened; it takes part only in what it does by saying it."""
        tok = self.token
        for _ in range(4):  # "according to a representative for the US National Security Council"
            if tok.dep_ == "pobj" and tok.head.lower_ == "to" and tok.head.head.lower_ == "according":
                return True
            if tok.head.i == tok.i:
                return False
            tok = tok.head
        return False


    def tells_of(self, event_token) -> bool:
        """Is it the one who reports the event in a reporting clause
        ("Stoltenberg revealed that a NATO-Russia Council meeting will be
        held", "Russia's foreign ministry said talks would begin")? The
        teller says the event happens; it takes part only in speech acts."""
        tok = self.token
        if tok.dep_ != "nsubj":
            return False
        verb = tok.head.lemma_.lower()
        if verb in REPORTING_VERBS:
            return any(c.dep_ in {"ccomp", "parataxis"} and c.left_edge.i <= event_token.i <= c.right_edge.i
                       for c in tok.head.children)
        if verb in ALLEGATION_VERBS:
            # "the US accused Iran of attacking the tanker": the accuser alleges the attack, takes no part
            return any(c.dep_ in {"ccomp", "prep"} and c.left_edge.i <= event_token.i <= c.right_edge.i
                       for c in tok.head.children)
        return False


def candidates(sent, mentions: list[ActorMention], quotes: list[Quote]) -> list[Candidate]:
    """Every actor the sentence names or points at (one per mention or pronoun)."""
    doc = sent.doc
    out: list[Candidate] = []
    covered: set[int] = set()
    for m in mentions:
        if not sent.start_char <= m.start < sent.end_char:
            continue
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None:
            continue
        covered.update(range(span.start, span.end))
        out.append(Candidate(m, span.root, "text"))
    for tok in sent:
        if tok.i in covered or tok.pos_ != "PRON":
            continue
        found = pronoun_antecedent(tok, mentions, quotes)
        if found is not None:
            out.append(found)
    return out


def pronoun_antecedent(tok, mentions: list[ActorMention], quotes: list[Quote]) -> Optional[Candidate]:
    word = tok.lower_
    if word in SPEAKER_PRONOUNS:
        quote = next((q for q in quotes if q.start <= tok.idx < q.end and q.speaker.mention is not None), None)
        if quote is None:
            return None
        ev = quote.speaker.mention
        if ev is None:
            return None
        m = next((m for m in mentions if m.start == ev.start and m.end == ev.end), None)
        return Candidate(m, tok, "speaker") if m is not None else None
    if word in PERSON_PRONOUNS:
        kinds = {"person"}
    elif word in GROUP_PRONOUNS:
        kinds = STATE_KINDS
    else:
        return None
    before = [m for m in mentions if m.end <= tok.idx and m.actor.kind in kinds]
    if not before:
        return None
    last = before[-1]
    own = mention_sentence(tok, mentions)
    if own is not None and last.sentence < own - PRONOUN_LOOKBACK:
        return None
    return Candidate(last, tok, "pronoun")


def mention_sentence(tok, mentions: list[ActorMention]) -> Optional[int]:
    """The article sentence index of the token's sentence, read off a
    mention in it or before it (mentions carry their sentence number)."""
    sent = tok.sent
    inside = [m.sentence for m in mentions if sent.start_char <= m.start < sent.end_char]
    if inside:
        return inside[0]
    before = [m.sentence for m in mentions if m.start < sent.start_char]
    return before[-1] + 1 if before else None


# ---------------------------------------------------------------- features
def governing_verbs(tok, carrier=None, limit: int = 6) -> list:
    """The event word, its carrier, then each head up to the root."""
    chain = [tok] + ([carrier] if carrier is not None and carrier.i != tok.i else [])
    cur = chain[-1]
    for _ in range(limit):
        if cur.head.i == cur.i:
            break
        cur = cur.head
        chain.append(cur)
    return chain


def _bucket(n: int) -> str:
    return str(n) if n < 3 else ("3-5" if n <= 5 else "6+")


def role_features(cand: Candidate, tok, carrier, event_type: str, rule_actor_ids: set[str],
                  rule_recipient_ids: set[str], quotes: list[Quote]) -> Features:
    """What the role models see of one candidate for one event."""
    head = cand.token
    actor = cand.mention.actor
    rel = head.dep_
    f: Features = {"bias_cand": 1.0, f"rel={rel}": 1.0, f"kind={actor.kind}": 1.0, f"via={cand.via}": 1.0,
                   f"type={event_type}": 1.0, f"type|rel={event_type}|{rel}": 1.0}
    if actor.code:
        f["coded"] = 1.0
    speech = "speech" if event_type in SPEECH_ACT_TYPES else "act"
    f[f"{speech}|rel={rel}"] = 1.0
    if rel == "pobj":
        prep = head.head.lower_
        f[f"prep={prep}"] = 1.0
        f[f"type|prep={event_type}|{prep}"] = 1.0
        if head.head.head.i in (tok.i, getattr(carrier, "i", -1)):
            f[f"prep_of_event={prep}"] = 1.0
        if prep == "to" and head.head.head.lower_ == "according":
            f["according_to"] = 1.0  # the source of the report, rarely its actor
            f[f"{speech}|according_to"] = 1.0
    if rel == "poss" and head.head.i == tok.i:
        f["owner_of_event"] = 1.0
    chain = governing_verbs(tok, carrier)
    for k, verb in enumerate(chain):
        if head.head.i != verb.i:
            continue
        level = "event" if k == 0 else ("carrier" if carrier is not None and verb.i == carrier.i else f"up{min(k, 3)}")
        f[f"arg_of={level}:{rel}"] = 1.0
        f[f"type|arg_of={event_type}|{level}:{rel}"] = 1.0
        f[f"{speech}|arg_of={level}:{rel}"] = 1.0
        if any(c.dep_ in {"auxpass", "nsubjpass"} for c in verb.children):
            f[f"passive_arg={rel}"] = 1.0
        break
    if rel in {"nsubj", "nsubjpass"} and head.head.dep_ == "ROOT":
        f["subject_of_root"] = 1.0
    if rel in {"nsubj", "nsubjpass"} and all(head.head.i != verb.i for verb in chain):
        f["subject_of_other_clause"] = 1.0  # "... filed a lawsuit against the emergency Trump declared"
    if any(c.dep_ in {"nsubj", "nsubjpass"} and c.i != head.i for verb in chain[:2] for c in verb.children):
        f["event_has_other_subject"] = 1.0  # the event's own subject is someone else, named or not
    in_event_subtree = tok.left_edge.i <= head.i <= tok.right_edge.i
    f["in_event_subtree" if in_event_subtree else "outside_event_subtree"] = 1.0
    distance = head.i - tok.i
    f[f"side={'before' if distance < 0 else 'after'}"] = 1.0
    f[f"dist={_bucket(abs(distance))}"] = 1.0
    inside = next((q for q in quotes if q.start <= cand.mention.start < q.end), None)
    if inside is not None:
        f["in_quote"] = 1.0
    event_quote = next((q for q in quotes if q.start <= tok.idx < q.end), None)
    if event_quote is not None and event_quote.speaker.actor_id and event_quote.speaker.actor_id == actor.id:
        f["speaker_of_event_quote"] = 1.0
        f[f"type|speaker={event_type}"] = 1.0
    key = cand.key
    if key in rule_actor_ids:
        f["rule_actor"] = 1.0
        f[f"type|rule_actor={event_type}"] = 1.0
        f[f"{speech}|rule_actor"] = 1.0
    if key in rule_recipient_ids:
        f["rule_recipient"] = 1.0
        f[f"type|rule_recipient={event_type}"] = 1.0
        f[f"{speech}|rule_recipient"] = 1.0
    return f


def choose(cands: list[Candidate], p_actor: list[float], p_recipient: list[float], actor_min: float,
           recipient_min: float) -> tuple[list[int], list[int]]:
    """Indices of the candidates taking each side: the most likely actor
    above `actor_min` with the candidates coordinated with it ("Russia and
    the US will hold talks"), then the most likely recipient above
    `recipient_min` that is not an actor, with its coordinated ones. Never
    the same actor on both sides."""
    actors = _side(cands, p_actor, actor_min, set())
    recipients = _side(cands, p_recipient, recipient_min, {cands[i].key for i in actors})
    return actors, recipients


def _side(cands: list[Candidate], probs: list[float], minimum: float, taken: set[str]) -> list[int]:
    order = [i for i in sorted(range(len(cands)), key=lambda i: -probs[i])
             if probs[i] >= minimum and cands[i].key not in taken]
    if not order:
        return []
    best = order[0]
    chosen, keys = [best], {cands[best].key}
    # every word of the sentence naming the chosen actor can carry the coordination
    words = [c.token for c in cands if c.key == cands[best].key]
    # a party coordinated with the chosen one joins it whatever its own probability
    rest = [i for i in sorted(range(len(cands)), key=lambda i: -probs[i])
            if i != best and cands[i].key not in taken and probs[i] > 0.0]
    for i in rest:
        if cands[i].key not in keys and any(coordinated(w, cands[i].token) for w in words):
            chosen.append(i)
            keys.add(cands[i].key)
    return chosen


def coordinated(a, b) -> bool:
    """Are two words joined as one party: conjuncts ("Russia and the US"),
    or hyphenated names ("Russia-Nato", "US-Russia")?"""
    if a.doc is not b.doc or a.i == b.i:
        return False
    def conj_root(t):
        # through conjuncts and through names modifying a noun, which stand in
        # its place ("Russia reps and OSCE", "Hungarian and Romanian officials")
        for _ in range(8):
            if t.dep_ not in {"conj", "compound", "amod"} or t.head.i == t.i:
                return t
            t = t.head
        return t
    if conj_root(a).i == conj_root(b).i:
        return True
    lo, hi = sorted((a.i, b.i))
    return hi - lo == 2 and a.doc[lo + 1].text in {"-", "–", "/"}
