"""One event mention from an anchor word and a PLOVER type: who did it to
whom, when, with what status, reported in which quote and by which sources.

`code_doc` (the package's __init__) decides which types a sentence reports
and which word anchors each; this module fills in the rest of the record from
the parse and the earlier stages' records (actor mentions, timexes, quotes,
attributions). Every field keeps the rule or model that set it in `why`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from .. import ArticleContext
from ...records import EventMention, Participant, SourceLink, stable_id
from ..actors import country_name
from ..actors.lookup import to_participant
from .arguments import (MentionIndex, find_actors, find_timex, find_topic, grievance_targets,
                        later_in_clause, place_targets)
# SPEECH_ACT_TYPES: events done by saying something; their status is that of the
# saying ("said he will not approve the budget" is a REJECT that occurred)
from .lexicon import REPORTING_VERBS
from .roles import (SPEECH_ACT_TYPES, candidates as role_candidates, choose as choose_roles, governing_verbs,
                    role_features)
from .status import event_status
from .triggers import Trigger

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
class ArticleView:
    """What every event of one article shares: the actor mentions by offset,
    the role candidates of each sentence, the day the article's lead dates
    its main happening, and the role models (None: the parse rules decide)."""

    ctx: ArticleContext
    index: MentionIndex
    lead_day: Optional[str]
    roles: Optional[dict] = None  # {"actor": LinearModel, "recipient": LinearModel, "about": {...}}
    _candidates: dict = field(default_factory=dict)

    def candidates(self, sent) -> list:
        if sent.start not in self._candidates:
            self._candidates[sent.start] = role_candidates(sent, self.index.mentions, self.ctx.result.quotes)
        return self._candidates[sent.start]


@dataclass
class Built:
    """An event mention and what the confidence model sees of how it was built."""

    mention: EventMention
    features: dict[str, float]


def build_event(view: ArticleView, sent, sent_index: int, trig: Trigger, is_main: bool,
                secondary: bool = False) -> Built:
    """The event mention of `trig`'s type anchored at its word; a `secondary`
    anchor is a second word of that type in the sentence ("talks on January
    10, ahead of a meeting of the NATO-Russia Council"), whose parties are
    the ones it names itself when it names any."""
    ctx = view.ctx
    tok, carrier = trig.token, trig.carrier
    art = ctx.article
    actors, recipients, participants_why, role_feats = participants(view, sent, trig, secondary)
    timex, date, basis, status, status_why, date_why = when_and_status(view, sent, trig)
    quote = quote_at(ctx, tok.idx)
    sources = sources_at(ctx, tok.idx, quote)
    topic_span = find_topic(tok, carrier)
    start, end = tok.idx, tok.idx + len(tok.text)
    if carrier is not None and carrier.i < tok.i and carrier.i >= tok.i - 4:
        start = carrier.idx
    export = plover_export(trig.event_type, status)
    if status in {"planned", "hypothetical"} and export != "THREATEN" and conditioned_on_target(tok, carrier):
        export = "THREATEN"  # "will withdraw its force unless ...": CAMEO 13, a conditional threat
        status_why = status_why + ["export:conditional-threat"]
    mention = EventMention(
        id=stable_id("em", art.id, sent_index, start, trig.event_type),
        article=art.id, sentence=sent_index, start=start, end=end, trigger=art.text[start:end],
        text=sent.text, event_type=trig.event_type, status=status, mode=trig.mode, context=list(trig.context),
        cameo=trig.cameo, plover_export_type=export, actors=actors, recipients=recipients,
        topic=art.text[topic_span[0]:topic_span[1]] if topic_span else None,
        date=normalise_date(date), date_basis=basis, timex=timex.id if timex else None,
        quote=quote.id if quote else None, sources=sources, confidence=round(float(trig.strength), 3),
        background=is_background(date, basis, ctx.anchor.date),
        why=trig.why + status_why + participants_why + date_why + (["main"] if is_main else []),
    )
    features = dict(role_feats)
    features.update({f"status={status}": 1.0, f"date_basis={basis}": 1.0})
    if mention.background:
        features["background"] = 1.0
    if quote is not None:
        features["in_quote"] = 1.0
    if sources:
        features["attributed"] = 1.0
    return Built(mention, features)


# ------------------------------------------------------------ participants
def rule_participants(view: ArticleView, sent, trig: Trigger) -> tuple[list, list, list[str]]:
    """(actor mentions, recipient mentions, why) by the parse rules of
    arguments.py, before any fallback to a state not named as a participant."""
    tok, carrier = trig.token, trig.carrier
    index, text = view.index, view.ctx.article.text
    is_noun = tok.pos_ in {"NOUN", "PROPN"}
    actors, recipients = find_actors(tok, carrier, index, is_noun)
    if trig.event_type in PARTNER_TYPES and not actors:
        actors = recent_compound(index, sent, text)
        recipients = [m for m in recipients if m.actor.kind != "country" or m not in place_targets(tok, carrier, index)]
    elif trig.event_type in PARTNER_TYPES and len(actors) == 1 and not recipients:
        actors = actors + partner_in_sentence(index, sent, actors[0], text)
    why: list[str] = []
    if trig.event_type in GRIEVANCE_TYPES:
        mine = {m.actor.id for m in actors}
        about = [m for m in grievance_targets(tok, carrier, index) if m.actor.id not in mine]
        if about:
            recipients = about + [m for m in recipients if m not in about]
            why.append("recipient:grievance-about")
    if not actors:
        actors = first_coded_mention(index, sent, tok)
        why += ["actor:first-in-sentence"] if actors else []
    if trig.event_type not in PARTNER_TYPES and not any(m.actor.code for m in recipients):
        later = later_in_clause(tok, carrier, index, actors)
        if later:
            recipients = recipients + later
            why.append("recipient:later-in-clause")
    return actors, recipients, why


def participants(view: ArticleView, sent, trig: Trigger, secondary: bool = False
                 ) -> tuple[list[Participant], list[Participant], list[str], dict[str, float]]:
    """Actors and recipients of the event: the role models' choice among the
    sentence's candidates when the models are loaded, else the parse rules';
    then, for every type but meetings, the actor's own state when no coded
    recipient is named. Never the same actor on both sides."""
    rule_actors, rule_recipients, why = rule_participants(view, sent, trig)
    feats: dict[str, float] = {}
    if view.roles is not None:
        actors, recipients, why, feats = learned_participants(view, sent, trig, rule_actors, rule_recipients,
                                                              secondary)
    else:
        actors = [to_participant(m) for m in rule_actors]
        ids = {p.actor_id for p in actors}
        recipients = [to_participant(m) for m in rule_recipients if m.actor.id not in ids]
    if trig.event_type not in PARTNER_TYPES and not any(p.code for p in recipients):
        home = [p for p in own_state_of(actors) if p.actor_id not in {a.actor_id for a in actors}]
        if home:
            recipients = recipients + home
            why = why + ["recipient:own-state"]
            feats["recipient_own_state"] = 1.0
    feats["has_actor" if actors else "no_actor"] = 1.0
    feats["has_recipient" if recipients else "no_recipient"] = 1.0
    if any(p.code for p in actors):
        feats["actor_coded"] = 1.0
    if any(p.code for p in recipients):
        feats["recipient_coded"] = 1.0
    return actors, recipients, why, feats


def learned_participants(view: ArticleView, sent, trig: Trigger, rule_actors: list, rule_recipients: list,
                         secondary: bool = False):
    """The role models' most likely actor and recipient among the sentence's
    candidates (for a secondary event noun, among those inside its phrase
    when it has any)."""
    roles = view.roles
    assert roles is not None, "learned_participants needs the role models"
    cands = view.candidates(sent)
    if secondary and trig.token.pos_ in {"NOUN", "PROPN"}:
        tok = trig.token
        inner = [c for c in cands if tok.left_edge.i <= c.token.i <= tok.right_edge.i]
        cands = inner or cands
    rule_a = {m.actor.id or m.actor.name.lower() for m in rule_actors}
    rule_r = {m.actor.id or m.actor.name.lower() for m in rule_recipients}
    quotes = view.ctx.result.quotes
    feats = [role_features(c, trig.token, trig.carrier, trig.event_type, rule_a, rule_r, quotes) for c in cands]
    p_actor = [roles["actor"].probability(f) for f in feats]
    p_recipient = [roles["recipient"].probability(f) for f in feats]
    if trig.event_type not in SPEECH_ACT_TYPES:
        # the source a report is attributed to takes no part in a material event
        # and neither does the one who tells of it in a reporting clause
        silent = [c.reports or c.tells_of(trig.token) for c in cands]
        p_actor = [0.0 if s else p for s, p in zip(silent, p_actor)]
        p_recipient = [0.0 if s else p for s, p in zip(silent, p_recipient)]
    if subject_unnamed(trig, cands):
        # "attorneys general from sixteen states filed a lawsuit against the emergency Trump declared":
        # the event's own subject is no actor we know; the subject of another clause is not its actor
        p_actor = [0.0 if c.token.dep_ in {"nsubj", "nsubjpass"} else p for c, p in zip(cands, p_actor)]
    about = roles.get("about", {})
    chosen_a, chosen_r = choose_roles(cands, p_actor, p_recipient, about.get("actor_min", 0.2),
                                      about.get("recipient_min", 0.2))
    actors = [candidate_participant(cands[i]) for i in chosen_a]
    recipients = [candidate_participant(cands[i]) for i in chosen_r]
    why = [f"actor:{cands[i].via}:p={p_actor[i]:.2f}" for i in chosen_a] + \
          [f"recipient:{cands[i].via}:p={p_recipient[i]:.2f}" for i in chosen_r]
    taken = {p.actor_id for p in actors}
    if not recipients and any(m.actor.code and m.actor.id not in taken for m in rule_recipients):
        # the parse rules name a coded recipient the models were unsure of ("alleged that the Kremlin ...")
        recipients = [to_participant(m) for m in rule_recipients if m.actor.code and m.actor.id not in taken]
        why.append("recipient:rule")
    summary = {"p_actor_max": max(p_actor, default=0.0), "p_recipient_max": max(p_recipient, default=0.0),
               f"n_candidates={min(len(cands), 4)}": 1.0}
    return actors, recipients, why, summary


def retyped_status(trig: Trigger, status: str, why: list[str]) -> tuple[str, list[str]]:
    """An event anchored at a word the lexicon read as a denial ("Iran denied
    the accusation" read as an ASSAULT) is the act denied, not one that
    occurred: its status is `denied` (the denial itself is its own REJECT).
    (Not so for accusations: in the train gold, the other events of a
    sentence that accuses or alleges were mostly coded as occurred, 10 of 19.)"""
    if trig.retyped_from == "REJECT" and status in {"occurred", "ongoing"} and "denial" in " ".join(trig.why):
        return "denied", why + ["status:retyped-denial"]
    return status, why


def subject_unnamed(trig: Trigger, cands: list) -> bool:
    """Does the event's own verb have a subject that names no candidate actor
    (an uncoded group, a thing)?"""
    verb = trig.carrier if trig.carrier is not None else trig.token
    subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"} and c.pos_ in {"NOUN", "PROPN"}]
    if not subjects:
        return False
    subject = subjects[0]
    return not any(subject.left_edge.i <= c.token.i <= subject.right_edge.i for c in cands)


def candidate_participant(cand) -> Participant:
    """The participant a role candidate names, evidenced by the mention that names it."""
    return to_participant(cand.mention)


def own_state_of(actors: list[Participant]) -> list[Participant]:
    """An event that names no coded recipient is aimed at (or granted by)
    the state the actor belongs to: "Algerian landowners began a hunger
    strike", "Turkish police imposed a curfew", as CAMEO/PLOVER coders code
    domestic events. The evidence is the actor mention that names the
    country."""
    for p in actors:
        iso = p.code
        if iso and len(iso) == 3 and iso.isalpha() and iso.isupper():
            return [Participant(name=country_name(iso), code=iso, sector="GOV", kind="country",
                                actor_id=f"country:{iso}", mention=p.mention)]
    return []


# ------------------------------------------------------------ date, status
def when_and_status(view: ArticleView, sent, trig: Trigger):
    """(timex, date, date basis, status, status why, date why): the date from
    the event's clause, else the sentence's one day, else (for what already
    happened) the day the article's lead names or the publication date."""
    ctx = view.ctx
    tok, carrier = trig.token, trig.carrier
    timex: Any = find_timex(tok, carrier, ctx.doc, ctx.result.timexes)
    if timex is not None and bounds_not_dates(ctx.article.text, timex.start):
        timex = None  # "after the New Year holidays": the event is not on that date
    date_why: list[str] = []
    if timex is None:
        timex = sentence_day(sent, ctx.result.timexes, ctx.article.text)
        date_why = ["date:sentence"] if timex is not None else []
    date, basis = (timex.value, timex.basis) if timex else (None, "none")
    status, status_why = event_status(tok, carrier, ctx.anchor.date, date, [])
    status, status_why = retyped_status(trig, status, status_why)
    if date_why and status == "planned" and ctx.anchor.date and date and date[:10] < ctx.anchor.date[:10]:
        # "On Monday, Lavrov stated that the talks will be held ...": a day
        # before publication is when a plan was told, not when it happens
        timex, date, basis, date_why = None, None, "none", []
    if trig.event_type in SPEECH_ACT_TYPES - COOPERATIVE_TYPES and status in {"planned", "hypothetical", "negated"} \
            and told_by_speaker(tok, carrier):
        # "said he will not approve", "said he may declare an emergency": the
        # refusal, the threat, the promise is the event, and it was made
        status, status_why = "occurred", status_why + ["status:speech-act-made"]
    if timex is None and status in {"occurred", "ongoing", "claimed"} and ctx.anchor.date:
        if view.lead_day:
            date, basis, date_why = view.lead_day, "inferred", ["date:article-lead"]
        else:
            date, basis = ctx.anchor.date, "publication"
    return timex, date, basis, status, status_why, date_why


def told_by_speaker(tok, carrier) -> bool:
    """Is the event word inside what a reporting verb says ("said he will not
    approve the budget")? Not "did not sign the agreement": that is an act
    not done, not a refusal said."""
    return any(verb.lemma_.lower() in REPORTING_VERBS for verb in governing_verbs(tok, carrier)[1:])


BACKGROUND_DAYS = 31  # an event dated this long before publication is history the article recalls


def is_background(date: Optional[str], basis: str, published: Optional[str]) -> bool:
    """Is the event history rather than news: dated by the text itself
    (not by the publication-date fallback) to the end of a month, year or
    day more than BACKGROUND_DAYS before publication ("the UK joined the EU
    in 1973", "In 2016, the UK held a referendum")?"""
    from ..time import timex_to_interval

    if not date or not published or basis in {"publication", "none"}:
        return False
    try:
        _start, end, _grain = timex_to_interval(date)
    except ValueError:
        return False
    if not end:
        return False
    from datetime import date as _date

    try:
        return (_date.fromisoformat(published[:10]) - _date.fromisoformat(end[:10])).days > BACKGROUND_DAYS
    except ValueError:
        return False


def sentence_day(sent, timexes: list, text: str):
    """The sentence's only day-precise date outside the event's clause ("On
    Monday, X joined the calls ...", where the parser hangs the date on
    another verb): a news sentence that names one day reports its events on
    it. None when the sentence names several days or only bounds."""
    days = [tx for tx in timexes if sent.start_char <= tx.start < sent.end_char and tx.type in {"DATE", "TIME"}
            and tx.value and len(tx.value) >= 10 and tx.value[:4].isdigit() and tx.value[4] == "-"
            and not bounds_not_dates(text, tx.start)]
    return days[0] if len({tx.value[:10] for tx in days}) == 1 else None


LEAD_SENTENCES = 3  # the title and the first sentences, where a news report dates its main happening
LEAD_DAYS = 14  # ... a day at most this long before publication


def lead_day(ctx: ArticleContext) -> Optional[str]:
    """The day the article's lead (its first LEAD_SENTENCES sentences) dates
    its main happening ("On Saturday, thousands marched ..."), when that is
    at most LEAD_DAYS before publication. Wire copy is often published a day
    or more after what it reports, and its later sentences (reactions,
    quotes, details) rarely repeat the date: their undated past events take
    this day rather than the publication date."""
    from datetime import date as _date

    published = ctx.anchor.date
    if not published or len(published) < 10:
        return None
    lead_end = ctx.sentences[min(LEAD_SENTENCES, len(ctx.sentences)) - 1].end if ctx.sentences else 0
    for tx in sorted(ctx.result.timexes, key=lambda t: t.start):
        if tx.start >= lead_end:
            break
        value = tx.value or ""
        if tx.type != "DATE" or len(value) < 10 or not value[:4].isdigit() or bounds_not_dates(ctx.article.text, tx.start):
            continue
        try:
            gap = (_date.fromisoformat(published[:10]) - _date.fromisoformat(value[:10])).days
        except ValueError:
            continue
        if 0 <= gap <= LEAD_DAYS:
            return value[:10]
    return None


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


