"""Extract stage 'events': triggers -> PLOVER type, mode, context, status and
arguments, one EventMention per event a sentence reports.

How a sentence is coded:
1. Triggers from the lexicon (triggers.py): verbs through PETRARCH2's CAMEO
   verb patterns, event nouns carried by light verbs ("hold talks"),
   scheduled ("a meeting is scheduled for") or owned by an actor. CAMEO code
   -> PLOVER type/mode/context through CAMEO2PLOVER-2021.txt. Reporting verbs
   ("said") are never events (CAMEO 01 -> no PLOVER type).
2. The sentence classifier (model.py) sees the text and the lexicon's
   triggers; it may add an event at the root verb when the lexicon found
   none, or drop a bare default-verb hit it is sure is no event. It never
   retypes a lexicon trigger (that lost accuracy out-of-fold).
3. Per event: status (status.py), actors/recipients from the actors stage's
   mentions, topic, date from the time stage's timexes attached to
   the event's clause (arguments.py), the quote and provenance chain it was
   reported in (quotes/attributions of the sources and quotes stages).
4. Across the article: a denial of "such accusations" is a REJECT and turns
   the accused events into `denied`.

A planned meeting stays a CONSULT with status planned and
plover_export_type AGREE (the PLOVER manual codes an announced meeting as an
agreement to meet), so a later report of it being held merges into it.

`code_sentences(texts)` codes bare sentences with the same code (used by
`crosswire.evaluate.events`).
"""
from __future__ import annotations

import re

from dataclasses import dataclass
from typing import Optional

from .. import ArticleContext, register_stage
from ...records import EventMention, Participant, SourceLink, stable_id
from ..actors import country_name
from ..actors.lookup import to_participant
from .arguments import (MentionIndex, find_actors, find_timex, find_topic, grievance_targets, later_in_clause,
                        place_targets)
from .lexicon import DENIAL_WORDS, DENIED_OBJECTS, PLOVER_DEFAULT_CAMEO, PLOVER_TO_PENTACLASS, plover_of_cameo
from .model import lexicon_tokens, load_model, predict_batch
from .status import event_status
from .triggers import Trigger, find_triggers

MODEL_ADD_MIN = 0.4  # ... to add an event the lexicon missed
MODEL_DROP_MIN = 0.8  # ... of NONE to drop a weak lexicon trigger
INTENT_TO_AGREE = {"CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"}
COOPERATIVE_TYPES = {"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"}
INTENT_TO_THREATEN = {"ASSAULT", "COERCE", "SANCTION", "MOBILIZE"}
# Events whose missing recipient is a partner named elsewhere, never the
# actor's own state (every other type falls back to it: see own_state).
PARTNER_TYPES = {"CONSULT"}
# Events aimed at what they are about ("complained to the UN over Israeli raids" -> ISR).
GRIEVANCE_TYPES = {"ACCUSE", "PROTEST"}
CONFLICT_TYPES = {"ACCUSE", "REJECT", "THREATEN", "PROTEST", "MOBILIZE", "SANCTION", "COERCE", "ASSAULT"}


@dataclass
class SentenceCoding:
    """What the coder decided for one sentence (used by the evaluator)."""

    events: list[EventMention]
    main: Optional[EventMention]
    plover_probs: dict
    penta_probs: dict


@register_stage("events", needs=("time", "actors", "sources", "quotes"),
                provides=("event_mentions",))
def events_stage(ctx: ArticleContext) -> None:
    """Append EventMention records for the article's events."""
    index = MentionIndex(ctx.result.actor_mentions)
    events = [e for coding in code_doc(ctx, index) for e in coding.events]
    apply_denials(ctx, events)
    inherit_reported_status(events)
    # an event nobody is named as doing or receiving cannot be evidenced as a
    # political event between actors: it is not output
    ctx.result.event_mentions.extend(e for e in events if e.actors or e.recipients)


def code_doc(ctx: ArticleContext, index: MentionIndex) -> list[SentenceCoding]:
    """Code every sentence of the article; the classifier runs once per
    article over all its sentences."""
    actor_tokens = index.token_ids(ctx.doc)
    sents = list(ctx.doc.sents)
    triggers = [find_triggers(s, actor_tokens) for s in sents]
    mains = [main_trigger(t) for t in triggers]
    bundle = load_model()
    probs = (predict_batch(bundle, [s.text for s in sents], [lexicon_tokens(t, m) for t, m in zip(triggers, mains)])
             if bundle is not None else [({}, {})] * len(sents))
    out = []
    for i, (sent, trigs, main, (plover_p, penta_p)) in enumerate(zip(sents, triggers, mains, probs)):
        if plover_p:
            trigs, main = apply_model(sent, trigs, main, plover_p)
        events = [build_event(ctx, sent, i, t, index, t is main) for t in trigs]
        main_event = next((e for e, t in zip(events, trigs) if t is main), None)
        out.append(SentenceCoding(events, main_event, plover_p, penta_p))
    return out


def main_trigger(triggers: list[Trigger]) -> Optional[Trigger]:
    """The trigger highest in the parse (fewest steps to the root)."""
    if not triggers:
        return None
    return min(triggers, key=lambda t: (depth(t.carrier or t.token), t.token.i))


def depth(tok) -> int:
    d = 0
    while tok.head.i != tok.i and d < 50:
        tok = tok.head
        d += 1
    return d


def apply_model(sent, triggers: list[Trigger], main: Optional[Trigger], probs: dict):
    """Let the classifier add a missed main event or drop a weak one."""
    top = max(probs, key=probs.get)
    p_top = probs[top]
    if main is not None:
        if top == "NONE" and p_top >= MODEL_DROP_MIN and main.rule.startswith("cameo-verb"):
            triggers = [t for t in triggers if t is not main]
            return triggers, main_trigger(triggers)
        # No retyping of a lexicon trigger: out-of-fold on the PLOVER gold
        # (5 folds, 322 records) retyping lowered type accuracy at every
        # threshold tried (0.671 -> 0.661 at 0.45); the lexicon's type stands.
        return triggers, main
    if top != "NONE" and p_top >= MODEL_ADD_MIN:
        root = event_root(sent)
        if root is not None:
            cameo = PLOVER_DEFAULT_CAMEO[top]
            _t, mode, context = plover_of_cameo(cameo)
            trig = Trigger(root, cameo, top, mode, context, "model", strength=p_top, why=[f"model:{top}={p_top:.2f}"])
            return sorted(triggers + [trig], key=lambda t: t.token.i), trig
    return triggers, main


def event_root(sent):
    """The sentence's main verb, skipping a reporting verb to its complement."""
    from .lexicon import REPORTING_VERBS

    root = sent.root
    if root.lemma_.lower() in REPORTING_VERBS:
        for c in root.children:
            if c.dep_ in {"ccomp", "xcomp"} and c.pos_ in {"VERB", "AUX"}:
                return c
    return root if root.pos_ in {"VERB", "NOUN", "AUX"} else None


# ------------------------------------------------------------ one event
def build_event(ctx: ArticleContext, sent, sent_index: int, trig: Trigger, index: MentionIndex,
                is_main: bool) -> EventMention:
    tok, carrier = trig.token, trig.carrier
    art = ctx.article
    is_noun = tok.pos_ in {"NOUN", "PROPN"}
    actors, recipients = find_actors(tok, carrier, index, is_noun)
    if trig.event_type in {"CONSULT"} and not actors:
        actors = recent_compound(index, sent, ctx.article.text)
        recipients = [m for m in recipients if m.actor.kind != "country" or m not in place_targets(tok, carrier, index)]
    elif trig.event_type in {"CONSULT"} and len(actors) == 1 and not recipients:
        actors = actors + partner_in_sentence(index, sent, actors[0], ctx.article.text)
    participants_why = []
    if trig.event_type in GRIEVANCE_TYPES:
        mine = {m.actor.id for m in actors}
        about = [m for m in grievance_targets(tok, carrier, index) if m.actor.id not in mine]
        if about:
            recipients = about + [m for m in recipients if m not in about]
            participants_why.append("recipient:grievance-about")
    if not actors:
        actors = first_coded_mention(index, sent, tok)
        participants_why = ["actor:first-in-sentence"] if actors else []
    recipient_parts = [to_participant(m) for m in recipients]
    if trig.event_type not in PARTNER_TYPES and not any(p.code for p in recipient_parts):
        later = later_in_clause(tok, carrier, index, actors)
        if later:
            recipient_parts = recipient_parts + [to_participant(m) for m in later]
            participants_why.append("recipient:later-in-clause")
    if trig.event_type not in PARTNER_TYPES and not any(p.code for p in recipient_parts):
        home = own_state(actors)
        recipient_parts = recipient_parts + home
        participants_why += ["recipient:own-state"] if home else []
    timex = find_timex(tok, carrier, ctx.doc, ctx.result.timexes)
    if timex is not None and bounds_not_dates(ctx.article.text, timex.start):
        timex = None  # "after the New Year holidays": the event is not on that date
    date, basis = (timex.value, timex.basis) if timex else (None, "none")
    status, status_why = event_status(tok, carrier, ctx.anchor.date, date, [])
    if timex is None and status in {"occurred", "ongoing", "claimed"} and ctx.anchor.date:
        date, basis = ctx.anchor.date, "publication"
    quote = quote_at(ctx, tok.idx)
    sources = sources_at(ctx, tok.idx, quote)
    if status == "occurred" and (quote is not None or sources) and trig.event_type in CONFLICT_TYPES:
        status, status_why = "claimed", status_why + ["status:one-side-report"]
    topic_span = find_topic(tok, carrier)
    start, end = tok.idx, tok.idx + len(tok.text)
    if carrier is not None and carrier.i < tok.i and carrier.i >= tok.i - 4:
        start = carrier.idx
    export = plover_export(trig.event_type, status)
    if status in {"planned", "hypothetical"} and export != "THREATEN" and conditioned_on_target(tok, carrier):
        export = "THREATEN"  # "will withdraw its force unless ...": CAMEO 13, a conditional threat
        status_why = status_why + ["export:conditional-threat"]
    return EventMention(
        id=stable_id("em", art.id, sent_index, start, trig.event_type),
        article=art.id, sentence=sent_index, start=start, end=end, trigger=art.text[start:end],
        text=sent.text, event_type=trig.event_type, status=status, mode=trig.mode, context=list(trig.context),
        cameo=trig.cameo, plover_export_type=export,
        actors=[to_participant(m) for m in actors], recipients=recipient_parts,
        topic=art.text[topic_span[0]:topic_span[1]] if topic_span else None,
        date=normalise_date(date), date_basis=basis, timex=timex.id if timex else None,
        quote=quote.id if quote else None, sources=sources, confidence=round(float(trig.strength), 3),
        why=trig.why + status_why + participants_why + (["main"] if is_main else []),
    )


# A time expression governed by one of these names a bound, not the event's date.
BOUND_WORDS = re.compile(r"\b(?:after|before|since|until|till|following|ahead\s+of|prior\s+to|by)\s+"
                         r"(?:the\s+)?$", re.IGNORECASE)


def bounds_not_dates(text: str, timex_start: int) -> bool:
    """True when the timex is the object of "after", "before", "until"...:
    the event happens on some unknown day beyond it, so it gets no date."""
    return bool(BOUND_WORDS.search(text[max(0, timex_start - 30):timex_start]))


def conditioned_on_target(tok, carrier) -> bool:
    """'will boycott the elections unless the president steps down', 'will
    cut aid if the junta does not ...': an announced act made conditional on
    what someone else does or fails to do is a threat (CAMEO 13, PLOVER
    THREATEN), whatever the act."""
    for head in (tok, carrier, tok.head if tok.dep_ in {"xcomp", "dobj"} else None):
        if head is None:
            continue
        for c in head.children:
            if c.dep_ != "advcl":
                continue
            marks = {m.lower_ for m in c.children if m.dep_ == "mark"}
            negated = any(m.dep_ == "neg" for m in c.children) or c.lemma_.lower() in {"fail", "refuse"}
            if "unless" in marks or ("if" in marks and negated):
                return True
    return False


def own_state(actors: list) -> list[Participant]:
    """An event that names no coded recipient is aimed at (or granted by)
    the state the actor belongs to: "Algerian landowners began a hunger
    strike", "Turkish police imposed a curfew", "Liberian riot police used
    tear gas", "Turkey will allow refugees to return" -> recipient the
    actor's country, as CAMEO/PLOVER coders code domestic events (on the
    PLOVER gold, every type but meetings follows this). A recipient the
    text names but the dictionaries cannot code ("President Mugabe") is
    kept beside it. The evidence is the actor mention that names the
    country."""
    for m in actors:
        iso = m.actor.country
        if iso and len(iso) == 3 and iso.isalpha() and iso.isupper():
            part = to_participant(m)
            return [Participant(name=country_name(iso), code=iso, sector="GOV", kind="country", actor_id=f"country:{iso}",
                                mention=part.mention)]
    return []


def first_coded_mention(index: MentionIndex, sent, tok) -> list:
    """The parse names no actor ("Tens of thousands of students throughout
    Indonesia staged demonstrations", "Ibo traditional elders demanded that
    the Nigerian Interior Ministry ..."): wire-copy coders then take the
    actor the sentence places the event in, its first coded mention before
    the trigger (else the first after it); a city stands for its country."""
    coded = [m for m in index.mentions if sent.start_char <= m.start < sent.end_char and m.actor.code]
    before = [m for m in coded if m.start < tok.idx]
    return (before or coded)[:1]


def plover_export(event_type: str, status: str) -> str:
    """How PLOVER codes the event: an announced future cooperative act is an
    AGREE (CAMEO 03 "express intent to ..."; a planned meeting is an
    agreement to meet), an announced future attack or coercion a THREATEN
    (CAMEO 13), a cooperative act the actor will not or did not do a REJECT
    (CAMEO 12 "decline to ..."). crosswire keeps the act itself in
    `event_type` and the negation in `status`."""
    if status == "negated" and event_type in COOPERATIVE_TYPES:
        return "REJECT"  # "will not accept refugees", "refused to meet": PLOVER REJECT
    if status == "planned" and event_type in INTENT_TO_AGREE:
        return "AGREE"
    if status == "planned" and event_type in INTENT_TO_THREATEN:
        return "THREATEN"
    return event_type


def normalise_date(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    return value[:10] if len(value) >= 10 and value[4] == "-" else value


def recent_compound(index: MentionIndex, sent, text: str) -> list:
    """Participants only clear from context: the last 'X and Y' pair."""
    prior = [m for m in index.mentions if m.end <= sent.end_char and m.actor.kind in {"country", "government", "igo"}]
    for a, b in reversed(list(zip(prior, prior[1:]))):
        if a.actor.id != b.actor.id and text[a.end:b.start].strip().lower() in {"and", "and the"}:
            return [a, b]
    return []


def partner_in_sentence(index: MentionIndex, sent, actor, text: str) -> list:
    """A meeting with one named side: the other member of a pair named with
    it in the same sentence ("US, Russia to discuss", "Russia-Nato to meet")."""
    states = [m for m in index.mentions if sent.start_char <= m.start < sent.end_char
              and m.actor.kind in {"country", "government", "igo"}]
    for a, b in zip(states, states[1:]):
        glue = text[a.end:b.start].strip().lower()
        if glue in {"and", "and the", ",", "-", "–"} and actor.actor.id in (a.actor.id, b.actor.id) \
                and a.actor.id != b.actor.id:
            return [b if a.actor.id == actor.actor.id else a]
    return []


def quote_at(ctx: ArticleContext, char: int):
    for q in ctx.result.quotes:
        if q.start <= char < q.end:
            return q
    return None


def sources_at(ctx: ArticleContext, char: int, quote) -> list[SourceLink]:
    """The provenance chain of the attribution or quote the event sits in."""
    chain: list[SourceLink] = []
    for a in ctx.result.attributions:
        if a.covers_start <= char < a.covers_end:
            chain.extend(a.chain)
    if quote is not None:
        chain.extend(quote.chain)
    seen, out = set(), []
    for link in chain:
        key = (link.name, link.kind)
        if key not in seen:
            seen.add(key)
            out.append(link)
    return out


# ---------------------------------------------------------- article level
def apply_denials(ctx: ArticleContext, events: list[EventMention]) -> None:
    """'X has denied all such accusations': the REJECT's targets are the
    accusers; the accusation stays `claimed`; the accused events (reported in
    the accusation's sentence after its trigger) become `denied`."""
    doc = ctx.doc
    for rej in [e for e in events if e.event_type == "REJECT"]:
        span = doc.char_span(rej.start, rej.end, alignment_mode="expand")
        if span is None:
            continue
        verb = span.root
        if verb.lemma_.lower() not in DENIAL_WORDS:
            continue
        if not any(c.dep_ == "dobj" and c.lemma_.lower() in DENIED_OBJECTS for c in verb.children):
            continue
        accusations = [e for e in events if e.event_type == "ACCUSE" and rej.sentence - 2 <= e.sentence <= rej.sentence
                       and e.start < rej.start]
        for acc in accusations:
            if acc.status == "occurred":
                acc.status = "claimed"
            for ev in events:
                if ev.sentence == acc.sentence and ev.start > acc.start and ev is not acc:
                    ev.status = "denied"
                    ev.why.append(f"status:denied-by:{rej.id}")
            if not rej.recipients:
                rej.recipients = list(acc.actors)
        rej.why.append("denial-of-accusation")


NOUN_ONLY_RULES = ("owned-noun", "headline-noun", "scheduled:", "scheduled-body")


def inherit_reported_status(events: list[EventMention]) -> None:
    """'the talks', 'the discussions follow ...': a bare event noun says
    nothing of tense. When the article reports the same kind of event
    between the same actors as planned (or negated, ...), the bare mention
    refers to it and takes its status and date."""
    def actor_ids(e):
        return {p.actor_id for p in e.actors + e.recipients if p.actor_id}

    for e in events:
        if e.status != "occurred" or e.timex is not None or not e.why or not e.why[0].startswith(NOUN_ONLY_RULES):
            continue
        ids = actor_ids(e)
        same = [o for o in events if o is not e and o.event_type == e.event_type and o.status != "occurred"
                and ids and ids <= actor_ids(o)]
        if not same:
            continue
        ref = min(same, key=lambda o: abs(o.sentence - e.sentence))
        e.status, e.date, e.date_end, e.date_basis, e.timex = ref.status, ref.date, ref.date_end, ref.date_basis, ref.timex
        e.plover_export_type = plover_export(e.event_type, e.status)
        e.why.append(f"status:same-event-as:{ref.id}")


# ------------------------------------------------------ sentence entry point
def code_sentences(texts: list[str], nlp=None, anchor_date: Optional[str] = None) -> list[SentenceCoding]:
    """Code bare sentences (one 'article' each) with the real actors and
    events stages: the evaluator's entry point."""
    from ...annotate import load_nlp, sentences_of
    from ...config import Settings
    from ...records import Article, ArticleResult
    from .. import Anchor, ArticleContext
    from ..actors import actors_stage

    nlp = nlp or load_nlp()
    settings = Settings.load()
    out: list[SentenceCoding] = []
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=64)):
        art = Article(id=Article.make_id(text), text=text)
        result = ArticleResult(article=art, sentences=sentences_of(doc))
        ctx = ArticleContext(article=art, doc=doc, sentences=result.sentences, settings=settings, result=result,
                             anchor=Anchor(anchor_date, "publication" if anchor_date else "none"))
        actors_stage(ctx)
        out.append(merge_codings(code_doc(ctx, MentionIndex(result.actor_mentions))))
    return out


def merge_codings(codings: list[SentenceCoding]) -> SentenceCoding:
    """A 'sentence' spaCy split in two: its main event is the first found."""
    if len(codings) == 1:
        return codings[0]
    events = [e for c in codings for e in c.events]
    main = next((c.main for c in codings if c.main is not None), None)
    first = next((c for c in codings if c.main is not None), codings[0])
    return SentenceCoding(events, main, first.plover_probs, first.penta_probs)


def pentaclass_of(coding: SentenceCoding) -> int:
    """Pentaclass of a coded sentence: from the pentaclass model when
    trained, else from the main event's PLOVER type."""
    if coding.penta_probs:
        return int(max(coding.penta_probs, key=coding.penta_probs.get))
    if coding.main is None:
        return 0
    return PLOVER_TO_PENTACLASS.get(coding.main.event_type, 0)
