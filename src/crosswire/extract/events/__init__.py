"""Extract stage 'events': which political events each sentence of an
article reports, coded as PLOVER events with their participants, status,
date and evidence, each with a calibrated confidence.

How an article is coded:
1. The trigger lexicon (triggers.py) finds candidate event words: verbs
   through PETRARCH2's CAMEO verb patterns, event nouns carried by light
   verbs ("hold talks"), scheduled or owned by an actor. CAMEO -> PLOVER
   through CAMEO2PLOVER-2021.txt.
2. The sentence model (sentence_types.py) gives each sentence a probability
   for every PLOVER type, from its words, the lexicon's triggers and the
   GSR/ConfliBERT sentence classifier (model.py). Every type above a low
   floor is a candidate event of the sentence.
3. Each candidate is anchored at a word: the lexicon trigger of that type,
   else the sentence's main trigger, else its main verb (a reporting verb's
   complement), and built there (build.py): participants (the role models
   of roles.py choosing among the sentence's actors, pronouns and quote
   speakers), status, date, quote and sources.
4. The confidence model (confidence.py) gives each candidate the
   probability that it is right; only those at or above
   `Settings.event_min_confidence` with a named participant are output.
5. Across the article: a denial of "such accusations" is a REJECT and turns
   the accused events into `denied`; a bare event noun takes the status of
   the same event reported with one.

A planned meeting stays a CONSULT with status planned and
plover_export_type AGREE (the PLOVER manual codes an announced meeting as an
agreement to meet), so a later report of it being held merges into it.

`code_sentences(texts)` codes bare sentences with the same code (used by
`crosswire.evaluate.events`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence, TypeVar

from .. import ArticleContext, register_stage
from ...records import EventMention
from .arguments import MentionIndex
from .build import ArticleView, build_event, lead_day, plover_export
from .confidence import candidate_features, load_scorers
from .lexicon import DENIAL_WORDS, DENIED_OBJECTS, PLOVER_DEFAULT_CAMEO, PLOVER_TO_PENTACLASS, plover_of_cameo
from .meaning import sentence_meanings
from .model import lexicon_tokens, load_model, predict_batch
from .sentence_types import classifier_features, lexicon_features, load_sentence_types, sentence_vectors
from .triggers import Trigger, find_triggers

DEFAULT_CANDIDATE_MIN = 0.1  # type probability below which a type is not a candidate (the scorers' file may set it)


@dataclass
class EventCandidate:
    """A candidate event of a sentence, as built, with its confidence."""

    mention: EventMention
    p_type: float
    anchor: str  # lexicon | retyped | root
    features: dict[str, float]


@dataclass
class SentenceCoding:
    """What the coder decided for one sentence (the evaluators read it)."""

    events: list[EventMention]  # the mentions output
    main: Optional[EventMention]  # the most confident of them
    plover_probs: dict
    penta_probs: dict
    type_probs: dict = field(default_factory=dict)
    candidates: list[EventCandidate] = field(default_factory=list)

    @property
    def best(self) -> Optional[EventMention]:
        """The most confident candidate naming a participant, output or not:
        the sentence's event type when a benchmark says every sentence has one."""
        named = [c.mention for c in self.candidates if c.mention.actors or c.mention.recipients]
        return max(named, key=lambda m: m.confidence, default=None)


class EventModelMissing(RuntimeError):
    """The events stage's trained models are not installed."""


def model_reads_vectors(settings) -> bool:
    """The events stage reads the transformer pass when its sentence model
    reads sentence vectors (whatever the tagger setting)."""
    model = load_sentence_types()
    return model is not None and model.reads_encoding


@register_stage("events", needs=("time", "actors", "sources", "quotes"),
                provides=("event_mentions",), reads_encoding=model_reads_vectors)
def events_stage(ctx: ArticleContext) -> None:
    """Append EventMention records for the article's events."""
    events = [e for coding in code_doc(ctx) for e in coding.events]
    apply_denials(ctx, events)
    inherit_reported_status(events)
    attach_meanings(ctx, events)
    ctx.result.event_mentions.extend(events)


def attach_meanings(ctx: ArticleContext, events: list[EventMention]) -> None:
    """Each mention's sentence vector from the article's transformer pass
    (meaning.py), when the pipeline made one; without it the resolver goes
    on with the mention's words alone."""
    if ctx.encoding is None or not events:
        return
    packed = sentence_meanings(article_sentence_vectors(ctx))
    for e in events:
        if 0 <= e.sentence < len(packed):
            e.meaning = packed[e.sentence]


def article_view(ctx: ArticleContext, roles: Optional[dict] = None) -> ArticleView:
    return ArticleView(ctx, MentionIndex(ctx.result.actor_mentions), lead_day(ctx), roles)


def sentence_views(ctx: ArticleContext, index: MentionIndex):
    """Each sentence with its lexicon triggers, main trigger and the GSR/ConfliBERT
    classifier's probabilities (one batched product per article)."""
    actor_tokens = index.token_ids(ctx.doc)
    sents = list(ctx.doc.sents)
    triggers = [find_triggers(s, actor_tokens) for s in sents]
    mains = [main_trigger(t) for t in triggers]
    bundle = load_model()
    probs = (predict_batch(bundle, [s.text for s in sents], [lexicon_tokens(t, m) for t, m in zip(triggers, mains)])
             if bundle is not None else [({}, {})] * len(sents))
    return sents, triggers, mains, probs


def type_model_extras(triggers: list, main, plover_p: dict, penta_p: dict) -> dict[str, float]:
    extras = lexicon_features(triggers, main)
    extras.update(classifier_features(plover_p, penta_p))
    return extras


def code_doc(ctx: ArticleContext) -> list[SentenceCoding]:
    """Code every sentence of the article."""
    types_model, scorers = load_sentence_types(), load_scorers()
    if types_model is None or scorers is None:
        raise EventModelMissing("the events stage's models are missing (data/events/sentence_types.npz, "
                                "event_scorers.json.gz): python -m crosswire.training.events")
    view = article_view(ctx, role_models(scorers))
    sents, triggers, mains, probs = sentence_views(ctx, view.index)
    extras = [type_model_extras(t, m, p, q) for t, m, (p, q) in zip(triggers, mains, probs)]
    vectors = article_sentence_vectors(ctx) if types_model.reads_encoding else None
    type_probs = types_model.probabilities([types_model.words_of(s) for s in sents], extras, vectors)
    floor = scorers["about"].get("candidate_min", DEFAULT_CANDIDATE_MIN)
    threshold = ctx.settings.event_min_confidence
    out = []
    for i, sent in enumerate(sents):
        cands = sentence_candidates(view, sent, i, len(sents), triggers[i], type_probs[i], floor)
        for c in cands:
            c.mention.confidence = round(scorers["models"]["confidence"].probability(c.features), 3)
        out.append(coding(cands, threshold, probs[i], type_probs[i]))
    return out


def article_sentence_vectors(ctx: ArticleContext):
    """Each sentence's vector from the article's transformer pass, made once
    per article (the sentence-type model and the mentions' meanings read it)."""
    if ctx.sentence_vectors is None:
        ctx.sentence_vectors = sentence_vectors(article_encoding(ctx), list(ctx.doc.sents))
    return ctx.sentence_vectors


def article_encoding(ctx: ArticleContext):
    """The article's transformer pass: the one the pipeline made before the
    stages ran, else (contexts the pipeline did not make: the evaluators'
    bare sentences) made here with the same model."""
    if ctx.encoding is not None:
        return ctx.encoding
    from ..quotes.tagger import ADAPTER_PATH, load_tagger

    tagger = load_tagger(str(ADAPTER_PATH))
    if tagger is None:
        raise EventModelMissing("the sentence-type model reads the quotes tagger's transformer pass, and the tagger "
                                "cannot load (`crosswire doctor` says why)")
    return tagger.encode([ctx.doc])[0]


def role_models(scorers: dict) -> dict:
    """The role models and their settings, as ArticleView takes them."""
    return {"actor": scorers["models"]["actor"], "recipient": scorers["models"]["recipient"],
            "about": scorers["about"]}


def build_as(ctx: ArticleContext, sent_index: int, event_type: str) -> Optional[EventMention]:
    """The event of `event_type` the stage would build in a sentence, at the
    word it would anchor it, whatever the sentence model thinks of the type
    and whatever its confidence: how a record is built, apart from whether
    it is output (tests; an analyst asking "what if this were a ...")."""
    scorers = load_scorers()
    view = article_view(ctx, role_models(scorers) if scorers else None)
    sents, triggers, _mains, _probs = sentence_views(ctx, view.index)
    trig, _anchor = anchor_for(sents[sent_index], triggers[sent_index], event_type)
    if trig is None:
        return None
    return build_event(view, sents[sent_index], sent_index, trig, True).mention


T = TypeVar("T")


def one_type_per_word(entries: Sequence[T], mention: Callable[[T], EventMention],
                      score: Callable[[T], float]) -> list[T]:
    """Keep, of the events one word is read as, the most confident only.
    The sentence model may find two types in a sentence and anchor both on
    its one event word ("United States military kills X" as ASSAULT and as
    ACCUSE); an analyst reads one happening there, and the second type is
    almost always the wrong one (out of fold on news_events train:
    docs/decisions/event-records.md, "One type per word")."""
    best: dict[tuple, float] = {}
    for e in entries:
        m = mention(e)
        key = (m.article, m.start)
        best[key] = max(best.get(key, float("-inf")), score(e))
    out, taken = [], set()
    for e in entries:
        m = mention(e)
        key = (m.article, m.start)
        if score(e) >= best[key] and key not in taken:
            out.append(e)
            taken.add(key)
    return out


def coding(cands: list[EventCandidate], threshold: float, probs: tuple, type_probs: dict) -> SentenceCoding:
    """The sentence's output: confident candidates with someone named as doing
    or receiving the event (one without cannot be evidenced as an event
    between actors)."""
    kept = [c.mention for c in cands if c.mention.confidence >= threshold and (c.mention.actors or c.mention.recipients)]
    kept = one_type_per_word(kept, lambda m: m, lambda m: m.confidence)
    main = max(kept, key=lambda m: m.confidence, default=None)
    return SentenceCoding(kept, main, probs[0], probs[1], type_probs, cands)


def sentence_candidates(view: ArticleView, sent, sent_index: int, n_sentences: int, triggers: list[Trigger],
                        type_probs: dict, floor: float) -> list[EventCandidate]:
    """One candidate event per type the sentence model gives at least `floor`,
    most probable first, each built at its anchor word."""
    ranked = sorted((t for t, p in type_probs.items() if p >= floor), key=lambda t: -type_probs[t])
    lexicon_types = {t.event_type for t in triggers}
    out = []
    for rank, event_type in enumerate(ranked):
        seen: set[frozenset] = set()
        for order, (trig, anchor) in enumerate(anchors_for(sent, triggers, event_type)):
            built = build_event(view, sent, sent_index, trig, rank == 0 and order == 0, secondary=order > 0)
            parties = frozenset(p.actor_id or p.name for p in built.mention.actors + built.mention.recipients)
            if order and (not parties or parties in seen):
                continue  # a second word for the same happening
            seen.add(parties)
            feats = candidate_features(event_type, type_probs[event_type], rank, anchor, trig.rule.split(":")[0],
                                       event_type in lexicon_types, sent_index, n_sentences, built.features)
            if order:
                feats["another_of_type"] = 1.0
            built.mention.why.append(f"type:p={type_probs[event_type]:.2f}")
            out.append(EventCandidate(built.mention, type_probs[event_type], anchor, feats))
    return out


MAX_SAME_TYPE = 3  # events of one type one sentence may report ("talks ..., ahead of a meeting of ...")


def anchors_for(sent, triggers: list[Trigger], event_type: str) -> list[tuple[Trigger, str]]:
    """The main anchor of `event_type` (anchor_for), then the sentence's other
    lexicon triggers of that type: a sentence may report several meetings."""
    trig, anchor = anchor_for(sent, triggers, event_type)
    if trig is None:
        return []
    others = [t for t in triggers if t.event_type == event_type and t is not trig]
    return [(trig, anchor)] + [(t, "lexicon") for t in others[:MAX_SAME_TYPE - 1]]


def anchor_for(sent, triggers: list[Trigger], event_type: str) -> tuple[Optional[Trigger], str]:
    """The word an event of `event_type` is anchored at: the lexicon's
    trigger of that type highest in the parse; else the sentence's main
    trigger, retyped; else its main verb (a reporting verb's complement)."""
    same = [t for t in triggers if t.event_type == event_type]
    if same:
        return main_trigger(same), "lexicon"
    cameo = PLOVER_DEFAULT_CAMEO[event_type]
    _type, mode, context = plover_of_cameo(cameo)
    main = main_trigger(triggers)
    root = event_root(sent)
    if main is not None and not below(main, root):
        return Trigger(main.token, cameo, event_type, mode, context, "retyped", carrier=main.carrier,
                       why=[f"retyped:{main.rule}"], retyped_from=main.event_type), "retyped"
    if root is None:
        return None, "none"
    return Trigger(root, cameo, event_type, mode, context, "root", why=["root"]), "root"


def below(trig: Trigger, root) -> bool:
    """Is the trigger a word under the sentence's main verb, neither that verb
    nor a noun it carries ("called for records relating to ...": a type the
    lexicon did not find there is the main verb's, not "relating"'s)?"""
    if root is None or root.pos_ not in {"VERB", "AUX"}:
        return False
    return trig.token.i != root.i and (trig.carrier is None or trig.carrier.i != root.i)


def main_trigger(triggers: Sequence[Trigger]) -> Optional[Trigger]:
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


def event_root(sent):
    """The sentence's main verb, skipping a reporting verb to its complement."""
    from .lexicon import REPORTING_VERBS

    root = sent.root
    if root.lemma_.lower() in REPORTING_VERBS:
        for c in root.children:
            if c.dep_ in {"ccomp", "xcomp"} and c.pos_ in {"VERB", "AUX"}:
                return c
    return root if root.pos_ in {"VERB", "NOUN", "AUX"} else None


# ---------------------------------------------------------- article level
def apply_denials(ctx: ArticleContext, events: list[EventMention]) -> None:
    """'X has denied all such accusations': the REJECT's targets are the
    accusers (never the denier itself); the accused events (reported in the
    accusation's sentence after its trigger) become `denied`. The accusation
    itself keeps its status: the accusing happened (the train gold codes 135
    of 161 ACCUSE lines as occurred, denied or not)."""
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
        deniers = {p.actor_id for p in rej.actors}
        for acc in accusations:
            for ev in events:
                if ev.sentence == acc.sentence and ev.start > acc.start and ev is not acc:
                    ev.status = "denied"
                    ev.why.append(f"status:denied-by:{rej.id}")
            if not rej.recipients:
                rej.recipients = [p for p in acc.actors if p.actor_id not in deniers]
        rej.why.append("denial-of-accusation")


NOUN_ONLY_RULES = ("owned-noun", "headline-noun", "scheduled:", "scheduled-body")


def status_unstated(e: EventMention) -> bool:
    """A bare event noun ('the talks', 'the discussions follow ...') with no
    word of tense, mood or date: its 'occurred' is only the default, no
    evidence that it happened (the resolver lets a report that states a
    status decide the event's)."""
    return (e.status == "occurred" and e.timex is None and bool(e.why) and e.why[0].startswith(NOUN_ONLY_RULES)
            and not any(w.startswith("status:") for w in e.why))


def inherit_reported_status(events: list[EventMention]) -> None:
    """'the talks', 'the discussions follow ...': a bare event noun says
    nothing of tense. When the article reports the same kind of event
    between the same actors as planned (or negated, ...), the bare mention
    refers to it and takes its status and date."""
    def actor_ids(e):
        return {p.actor_id for p in e.actors + e.recipients if p.actor_id}

    for e in events:
        if not status_unstated(e):
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
        out.append(merge_codings(code_doc(ctx)))
    return out


def merge_codings(codings: list[SentenceCoding]) -> SentenceCoding:
    """A 'sentence' spaCy split in two: its main event is the first found."""
    if len(codings) == 1:
        return codings[0]
    events = [e for c in codings for e in c.events]
    main = next((c.main for c in codings if c.main is not None), None)
    first = next((c for c in codings if c.main is not None), codings[0])
    return SentenceCoding(events, main, first.plover_probs, first.penta_probs,
                          candidates=[cand for c in codings for cand in c.candidates])


def pentaclass_of(coding: SentenceCoding) -> int:
    """Pentaclass of a coded sentence: from the pentaclass model when
    trained, else from the main event's PLOVER type."""
    if coding.penta_probs:
        return int(max(coding.penta_probs, key=coding.penta_probs.get))
    if coding.main is None:
        return 0
    return PLOVER_TO_PENTACLASS.get(coding.main.event_type, 0)
