"""The pairwise scorer: how likely two event mentions report one happening.

One scorer serves both the news pipeline and the ECB+ evaluation, so the
figure measured on ECB+ is the figure of the code that resolves news. It is a
logistic model over a handful of readable features (trigger lemma and synonym
class, contextual embedding similarity, participants, dates, place, topic,
shared context words, same document / same document group, and for mentions
without actor codes the words of each argument role). Features a source
cannot supply (ECB+ has no actor codes, news items no role words) are simply
zero. The news pipeline fills only what its mentions carry and scores with
NEWS_WEIGHTS; the features of the ECB+ benchmark's models (`trigger_similarity`,
`encoder_logit`, the role words, the trigger words' coreference rate
`coreferable`) are read from `Item` fields that only `crosswire eval coref`
fills (crosswire.evaluate.coref, crosswire.coref_models), so they are 0 here
and the news weights give them none. Hard
constraints (`cannot_link`) are kept apart from the score: different dates
never merge, whatever the score.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date as _date
from typing import Callable, Optional

from ..extract.time.calendar import timex_to_interval
from .lexicon import trigger_class

# event types that may name one happening: a planned meeting is coded AGREE
# (to meet) in PLOVER and CONSULT once held
TYPE_FAMILY: dict[str, str] = {"CONSULT": "meet", "AGREE": "meet"}


# argument roles whose words the ECB+ benchmark reads from the parse (crosswire.evaluate.roles):
# the mention's own arguments, then the typed entities of its sentence
ROLES = ("agent", "patient", "place", "sentence_places", "sentence_times",
         "sentence_numbers", "sentence_people", "sentence_orgs")


def type_family(event_type: Optional[str]) -> str:
    return TYPE_FAMILY.get(event_type or "", event_type or "")


@dataclass
class Item:
    """A mention as the scorer and clusterer see it (source-independent)."""

    key: str  # mention id; the smallest key names the cluster
    doc: str  # article / document id
    sentence: int
    lemma: str
    event_type: Optional[str] = None
    codes: frozenset = frozenset()  # participant codes, else canonical actor ids / names
    coded: frozenset = frozenset()  # the participants' dictionary codes only: disjoint ones never merge
    # for an event done by saying something (an accusation, a demand): the persons who said it, by canonical
    # id; two sayings by different persons are two happenings, however alike (their country codes are not)
    speakers: frozenset = frozenset()
    date: Optional[str] = None  # ISO date or prefix (YYYY-MM) the text states, or None
    # a date the extractor inferred (the publication day, the article's main date): a hint, not a constraint
    soft_date: Optional[str] = None
    ref_day: Optional[int] = None  # day ordinal used for blocking windows
    location: Optional[str] = None
    topic: frozenset = frozenset()
    context: frozenset = frozenset()
    group: Optional[str] = None  # a document group (story / document cluster)
    doc_vector: Optional[dict] = None  # unit-norm TF-IDF terms of the whole document
    vector: object = None  # unit-norm numpy vector or None
    # the ECB+ benchmark's features (crosswire.evaluate.coref fills them; news items leave them empty):
    trigger_vector: object = None  # unit-norm contextual trigger vector (coref_models.trigger_encoder) or None
    encoding: object = None  # coref_models.mention_encoder.Encoded (trained coreference vector) or None
    roles: Optional[dict] = None  # role name (ROLES) -> role words (evaluate/roles.py), for mentions without codes
    coreferability: float = 0.0  # log-ratio of the trigger's cross-document rate (evaluate/coreferability.py), 0 unknown
    weight: int = 1  # identical mentions compressed into one item
    members: list = field(default_factory=list)  # keys of compressed mentions

    tclass: str = field(init=False, default="")  # synonym class of the lemma, computed once
    # the first and last day its date, stated or inferred, can name (day ordinals), computed once: every
    # candidate pair's hard constraints read it
    days: Optional[tuple[int, int]] = field(init=False, default=None)
    # what the hard constraints read of it, made once: `cannot_link` reads it for every candidate pair (read
    # only; the clusterer grows copies of its own, `LinkState.of`)
    link: "LinkState" = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.tclass = trigger_class(self.lemma)
        self.days = day_span(self.any_date)
        self.link = LinkState.of(self)

    @property
    def family(self) -> str:
        return type_family(self.event_type)

    @property
    def any_date(self) -> Optional[str]:
        """The stated date, else the inferred one."""
        return self.date or self.soft_date


def day_ordinal(value: Optional[str]) -> Optional[int]:
    """Day number of a full ISO date (YYYY-MM-DD...), None for anything coarser."""
    if not value or len(value) < 10:
        return None
    try:
        return _date.fromisoformat(value[:10]).toordinal()
    except ValueError:
        return None


# Two mentions whose dates, stated or inferred, lie further apart than this are never one happening.
# Inferred dates are too rough for equality (a report of an old happening takes its article's day), but
# not by half a year: on news_events train, reports of one happening in different articles lie at most
# 165 days apart by those dates (docs/decisions/stories-and-merging.md, "Round 3").
DATE_WINDOW_DAYS = 183


def day_span(value: Optional[str]) -> Optional[tuple[int, int]]:
    """First and last day ordinal a date (YYYY, YYYY-MM or YYYY-MM-DD) can name; None for anything else."""
    start, end, _granularity = timex_to_interval(value)
    if start is None or end is None:
        return None
    return _date.fromisoformat(start).toordinal(), _date.fromisoformat(end).toordinal()


def within_window(a: Optional[tuple[int, int]], b: Optional[tuple[int, int]]) -> bool:
    """Whether two day spans (first, last) can be one happening's: some day
    of each lies within DATE_WINDOW_DAYS of some day of the other."""
    if a is None or b is None:
        return True
    return max(a[0], b[0]) - min(a[1], b[1]) <= DATE_WINDOW_DAYS


def dates_compatible(a: Optional[str], b: Optional[str]) -> bool:
    """Two dates may name one happening when either is missing or one is a
    prefix of the other (2022-01 contains 2022-01-10)."""
    if not a or not b:
        return True
    a, b = a[:10], b[:10]
    return a.startswith(b) or b.startswith(a)


def _soft_dates(a: Item, b: Item) -> Optional[bool]:
    """Whether the two mentions' dates agree when at least one of them is
    only inferred (None when a side has no date or both are stated: the
    stated case is `date_equal` and the hard constraint)."""
    x, y = a.any_date, b.any_date
    if not x or not y or (a.date and b.date):
        return None
    return dates_compatible(x, y)


def _jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter) if inter else 0.0


def _cosine(x: object, y: object) -> float:
    """Dot product of two unit-norm vectors (numpy or plain sequences), 0 when either is missing."""
    if x is None or y is None:
        return 0.0
    if hasattr(x, "dot"):
        return float(x.dot(y))
    return float(sum(p * q for p, q in zip(x, y)))


def _embedding(a: Item, b: Item) -> float:
    return _cosine(a.vector, b.vector)


def _encoder_logit(a: Item, b: Item) -> float:
    """The trained pair head's logit (coref_models/mention_encoder.py), 0 without encodings."""
    if a.encoding is None or b.encoding is None:
        return 0.0
    return a.encoding.pair_logit(b.encoding)


# name -> feature function; missing information gives 0, never a guess
FEATURES: dict[str, Callable[[Item, Item], float]] = {
    "same_lemma": lambda a, b: float(bool(a.lemma) and a.lemma == b.lemma),
    "same_class": lambda a, b: float(bool(a.lemma) and a.tclass == b.tclass),
    "embedding": _embedding,
    "embedding_sq": lambda a, b: _embedding(a, b) ** 2,
    "encoder_logit": _encoder_logit,
    "trigger_similarity": lambda a, b: _cosine(a.trigger_vector, b.trigger_vector),
    "same_type": lambda a, b: float(bool(a.event_type) and a.event_type == b.event_type),
    "codes_overlap": lambda a, b: _jaccard(a.codes, b.codes),
    "codes_disjoint": lambda a, b: float(bool(a.codes) and bool(b.codes) and a.codes.isdisjoint(b.codes)),
    "date_equal": lambda a, b: float(bool(a.date) and a.date == b.date),
    "date_one_missing": lambda a, b: float(bool(a.date) != bool(b.date)),
    "soft_date_equal": lambda a, b: float(_soft_dates(a, b) is True),
    "soft_date_conflict": lambda a, b: float(_soft_dates(a, b) is False),
    "days_apart": lambda a, b: min(abs((a.ref_day or 0) - (b.ref_day or 0)), 60) / 30.0 if a.ref_day and b.ref_day else 0.0,
    "same_sentence": lambda a, b: float(a.doc == b.doc and a.sentence == b.sentence),
    "location_equal": lambda a, b: float(bool(a.location) and a.location == b.location),
    "location_conflict": lambda a, b: float(bool(a.location) and bool(b.location) and a.location != b.location),
    "topic_overlap": lambda a, b: _jaccard(a.topic, b.topic),
    "context_overlap": lambda a, b: _jaccard(a.context, b.context),
    "same_doc": lambda a, b: float(a.doc == b.doc),
    "same_group": lambda a, b: float(a.group is not None and a.group == b.group),
    "doc_similarity": lambda a, b: _sparse_dot(a.doc_vector, b.doc_vector) if a.doc != b.doc else 1.0,
    "coreferable": lambda a, b: a.coreferability + b.coreferability,
}


def _role_feature(role: str, conflict: bool) -> Callable[[Item, Item], float]:
    """Two mentions share a word in this role (match), or both fill it with
    disjoint words (conflict); 0 when either leaves it empty."""
    def feature(a: Item, b: Item) -> float:
        x = a.roles.get(role) if a.roles else None
        y = b.roles.get(role) if b.roles else None
        if not x or not y:
            return 0.0
        return float(x.isdisjoint(y) == conflict)
    return feature


for _role in ROLES:
    FEATURES[f"{_role}_match"] = _role_feature(_role, conflict=False)
    FEATURES[f"{_role}_conflict"] = _role_feature(_role, conflict=True)


def features(a: Item, b: Item) -> dict[str, float]:
    """Every pair feature by name (for fitting weights and for inspection)."""
    return {name: fn(a, b) for name, fn in FEATURES.items()}


def _sparse_dot(a: Optional[dict], b: Optional[dict]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


# Weights for news mentions: a logistic regression over the candidate pairs (after blocking and the
# hard constraints) of the gold-labelled mentions of news_events/train, a pair positive when both
# mentions match one gold event key (experiments/news_merge_fit.py; docs/decisions/stories-and-merging.md).
# The default run's `embedding` is the cosine of the mentions' own sentence vectors (EventMention.meaning,
# from the transformer pass the pipeline makes anyway); a pair where either mention has none (an article
# stored before mentions kept one) is scored with the weights fitted without it. The opt-in MiniLM
# sentence model (Settings.use_embeddings) replaces those vectors, and has its own weights.
# The threshold (Settings.coref_threshold) was chosen by out-of-fold merge F1 (5 folds of stories).
NEWS_WEIGHTS: dict[str, float] = {
    "bias": -4.19, "same_lemma": -0.25, "same_class": 0.8, "same_type": 2.05, "codes_overlap": 0.08,
    "codes_disjoint": 0.34, "date_equal": 1.08, "date_one_missing": 0.94, "soft_date_equal": 0.4,
    "soft_date_conflict": -0.92, "days_apart": -0.36, "same_sentence": -1.59, "location_equal": 0.0,
    "location_conflict": -0.7, "topic_overlap": -0.19, "context_overlap": 4.16, "same_doc": 0.73, "embedding": 0.65,
}
NEWS_WEIGHTS_MINILM: dict[str, float] = {
    "bias": -5.09, "same_lemma": -0.38, "same_class": 0.63, "same_type": 1.97, "codes_overlap": 0.22,
    "codes_disjoint": 0.61, "date_equal": 0.61, "date_one_missing": 0.7, "soft_date_equal": 0.02,
    "soft_date_conflict": -1.06, "days_apart": -0.27, "same_sentence": -0.73, "location_equal": -0.2,
    "location_conflict": -0.8, "topic_overlap": -0.17, "context_overlap": 1.4, "same_doc": 0.66, "embedding": 4.16,
}
NEWS_WEIGHTS_NO_EMBEDDING: dict[str, float] = {  # one dict: score() caches compiled weights by id
    "bias": -4.09, "same_lemma": -0.16, "same_class": 0.79, "same_type": 2.06, "codes_overlap": 0.11,
    "codes_disjoint": 0.31, "date_equal": 1.1, "date_one_missing": 0.92, "soft_date_equal": 0.41,
    "soft_date_conflict": -0.94, "days_apart": -0.38, "same_sentence": -1.54, "location_equal": 0.0,
    "location_conflict": -0.65, "topic_overlap": -0.12, "context_overlap": 4.38, "same_doc": 0.75,
}


Compiled = tuple[float, list, Optional[dict]]
_COMPILED: dict[int, tuple[dict, tuple, Compiled]] = {}


def _compiled(weights: dict[str, float]) -> Compiled:
    """(bias, [(feature function, weight)], weights for a pair without both
    sentence vectors) for the non-zero weights, cached per weights dict
    (weight tables are constants: build a new dict to change one). Tables
    are compared by value, not identity, so a copy sent to another process
    scores the same."""
    hit = _COMPILED.get(id(weights))
    if hit is None or hit[0] is not weights:
        terms = [(FEATURES[n], w) for n, w in sorted(weights.items()) if w and n != "bias"]
        without = NEWS_WEIGHTS_NO_EMBEDDING if weights == NEWS_WEIGHTS else None
        hit = _COMPILED[id(weights)] = (weights, tuple(weights.items()), (weights.get("bias", 0.0), terms, without))
    return hit[2]


def score(a: Item, b: Item, weights: dict[str, float] = NEWS_WEIGHTS) -> float:
    """Probability-like score in (0, 1) that a and b corefer. Only features
    with a non-zero weight are computed (this runs millions of times)."""
    z, terms, without_vectors = _compiled(weights)
    if without_vectors is not None and (a.vector is None or b.vector is None):
        z, terms, _ = _compiled(without_vectors)
    for fn, w in terms:
        z += w * fn(a, b)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass
class LinkState:
    """What the hard constraints read of a mention, or of a cluster of
    mentions (the union of its members'): one definition, read pairwise by
    `cannot_link` and grown cluster by cluster by the clusterer, so the two
    never disagree. Constraints only tighten as a cluster grows."""

    dates: set  # the dates the text states
    days: Optional[tuple[int, int]]  # latest first day, earliest last day of its dates, stated or inferred
    families: set  # type families
    coded: set  # every dictionary code the participants carry
    speakers: set  # every person a saying is by
    sentences: dict  # (doc, sentence) -> the participant code sets of the mentions of that sentence

    @classmethod
    def of(cls, item: Item) -> "LinkState":
        return cls({item.date} if item.date else set(), item.days,
                   {type_family(item.event_type)} if item.event_type else set(), set(item.coded),
                   set(item.speakers), {(item.doc, item.sentence): {item.codes}})

    def allows(self, other: "LinkState", same_sentence_rule: bool = True) -> bool:
        """Whether the two may be one happening: no stated dates that differ,
        no dates (stated or inferred) half a year apart, one type family,
        coded participants in common, sayings by a common person, and (with
        `same_sentence_rule`) no sentence naming two sets of participants."""
        if self.dates and other.dates and any(not dates_compatible(x, y) for x in self.dates for y in other.dates):
            return False
        if not within_window(self.days, other.days) or len(self.families | other.families) > 1:
            return False
        if self.coded and other.coded and self.coded.isdisjoint(other.coded):
            return False
        if self.speakers and other.speakers and self.speakers.isdisjoint(other.speakers):
            return False
        if same_sentence_rule:
            small, large = ((self.sentences, other.sentences) if len(self.sentences) <= len(other.sentences)
                            else (other.sentences, self.sentences))
            for sent, codes in small.items():
                theirs = large.get(sent)
                if theirs is not None and len(codes | theirs) > 1:
                    return False  # one sentence naming two happenings with different participants
        return True

    def absorb(self, other: "LinkState") -> None:
        """Become the state of the union of both clusters."""
        x, y = self.days, other.days
        self.days = x if y is None else y if x is None else (max(x[0], y[0]), min(x[1], y[1]))
        self.dates |= other.dates
        self.families |= other.families
        self.coded |= other.coded
        self.speakers |= other.speakers
        for sent, codes in other.sentences.items():
            self.sentences.setdefault(sent, set()).update(codes)


def cannot_link(a: Item, b: Item, same_sentence_rule: bool = True) -> bool:
    """Hard constraints between two mentions, whatever their score (`LinkState.allows`)."""
    return not a.link.allows(b.link, same_sentence_rule)
