"""Typed records passed between pipeline stages.

This module is the contract of crosswire. Every stage takes and returns these
records and nothing else; outputs (JSON, CSV, PLOVER, the store, the web UI)
all derive from them. The field names follow PLOVER where PLOVER has a name
(`event_type`, `mode`, `context`, `actor`, `recipient`, `date`) and extend it
where it is silent (`status`, `date_basis`, `mentions`, `sources`,
`agreement`). docs/schema.md documents every field; keep the two in step.

Offsets: every `start`/`end` is a character offset into `Article.text`
(end exclusive), and every `sentence` is the index of a sentence of that
article as split by the annotate stage. That triple plus the article id is the
evidence behind each extracted field.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal, Optional

Status = Literal["occurred", "planned", "ongoing", "hypothetical", "negated", "denied", "claimed"]
STATUSES: tuple[str, ...] = ("occurred", "planned", "ongoing", "hypothetical", "negated", "denied", "claimed")

PLOVER_TYPES: tuple[str, ...] = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)

DateBasis = Literal["explicit", "relative-to-publication", "inferred", "publication", "none"]


def stable_id(prefix: str, *parts: object, length: int = 16) -> str:
    """A deterministic id from content, so re-runs and distributed runs agree."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}{digest[:length]}"


_PLAIN = (str, int, float, type(None))


def to_dict(record: Any) -> Any:
    """Plain JSON-ready dict of a record (recursively), dropping nothing.
    Plain values return first and field names are looked up once per class:
    the store serialises every record of every article through here."""
    if isinstance(record, _PLAIN):
        return record
    if isinstance(record, (list, tuple)):
        return [to_dict(r) for r in record]
    if isinstance(record, dict):
        return {k: to_dict(v) for k, v in record.items()}
    names = _field_names(type(record))
    if names is None:
        return record
    return {name: to_dict(getattr(record, name)) for name in names}


@functools.lru_cache(maxsize=None)
def _field_names(cls: type) -> Optional[tuple[str, ...]]:
    """A dataclass's field names in order; None for any other class."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(f.name for f in dataclasses.fields(cls))


# --------------------------------------------------------------------- ingest
@dataclass
class Article:
    """One news article as read from a file. `id` is a hash of its text, so the
    same article read twice (even from two paths) is one article."""

    id: str
    text: str
    title: str = ""
    path: str = ""
    outlet: Optional[str] = None
    url: Optional[str] = None
    byline: Optional[str] = None
    published: Optional[str] = None  # ISO date (YYYY-MM-DD) or None
    published_basis: Optional[str] = None  # metadata | dateline | inferred:<reason> | None
    language: str = "en"
    meta: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def make_id(text: str) -> str:
        normalised = " ".join(text.split())
        return stable_id("a", normalised)


@dataclass
class Rejection:
    """An input that could not be read: the file, the reason, never a traceback."""

    path: str
    reason: str
    detail: str = ""


# ------------------------------------------------------------------- annotate
@dataclass
class Sentence:
    index: int
    start: int
    end: int
    text: str


# -------------------------------------------------------------------- extract
@dataclass
class Evidence:
    """Where a field came from: article, sentence and character span."""

    article: str
    sentence: int
    start: int
    end: int
    text: str


@dataclass
class Timex:
    """A TIMEX3 time expression normalised against the article's anchor."""

    id: str
    article: str
    sentence: int
    start: int
    end: int
    text: str
    type: str  # DATE | TIME | DURATION | SET
    value: Optional[str]  # TIMEX3 value: 2022-01-10, 2021-W51, P3Y, PAST_REF, ...
    basis: str = "explicit"  # explicit | relative-to-publication | inferred
    anchor: Optional[str] = None  # the anchor date used, ISO
    reason: Optional[str] = None  # why the anchor was chosen when inferred
    rule: Optional[str] = None  # name of the rule that recognised/normalised it


@dataclass
class Actor:
    """A canonical actor. `code` is the most specific code we can justify:
    ISO3 for a country or its government ("RUS"), an organisation's own
    identifier ("NATO", "OSCE", "EU", "UN"), or a person's country code.
    `igo` keeps the PLOVER/CAMEO IGO code beside it ("IGOWSTNAT")."""

    name: str
    code: Optional[str] = None
    kind: str = "unknown"  # country | government | igo | person | organisation | group | unknown
    country: Optional[str] = None  # ISO3
    sector: Optional[str] = None  # GOV | MIL | OPP | MED | ...
    office: Optional[str] = None  # "Deputy Foreign Minister"
    igo: Optional[str] = None  # CAMEO/PLOVER IGO code, e.g. IGOWSTNAT
    cameo: Optional[str] = None  # full CAMEO actor code, e.g. RUSGOV
    id: Optional[str] = None  # canonical actor key, stable across articles


@dataclass
class ActorMention:
    id: str
    article: str
    sentence: int
    start: int
    end: int
    text: str
    actor: Actor
    antecedent: Optional[str] = None  # id of the mention this one was linked to
    # How the actors stage found and coded it: its rule ("dict:person+title",
    # "agent+home", "office-coref"); a code taken from the article's home
    # country ends with that country's evidence ("home USA: 14 of 19 country votes").
    why: Optional[str] = None


@dataclass
class Participant:
    """An actor in an event or a quote, with the mention that names it."""

    name: str
    code: Optional[str] = None
    sector: Optional[str] = None
    office: Optional[str] = None
    kind: str = "unknown"
    igo: Optional[str] = None
    actor_id: Optional[str] = None
    mention: Optional[Evidence] = None


@dataclass
class SourceLink:
    """One link in a provenance chain: the outlet, an agency or outlet it cites,
    a speaker. kind: outlet | agency | speaker | document | unnamed."""

    name: str
    kind: str
    code: Optional[str] = None
    evidence: Optional[Evidence] = None


@dataclass
class Attribution:
    """A claim attributed to a cited source ("According to AFP, ...").
    `chain` runs from the publishing outlet to the final speaker; `covers` is
    the character range of the article the attribution scopes over."""

    id: str
    article: str
    sentence: int
    start: int
    end: int
    chain: list[SourceLink]
    covers_start: int
    covers_end: int
    cue: Optional[str] = None


@dataclass
class Quote:
    id: str
    article: str
    sentence: int
    start: int  # content span
    end: int
    text: str
    speaker: Participant
    direct: bool
    cue: Optional[str] = None
    cue_span: Optional[tuple[int, int]] = None
    source_span: Optional[tuple[int, int]] = None
    medium: Optional[str] = None
    said_on: Optional[str] = None  # TIMEX3 value when given ("On Monday")
    chain: list[SourceLink] = field(default_factory=list)  # outlet -> cited -> speaker


@dataclass
class Place:
    """A place resolved in the GeoNames gazetteer, with the words that place
    it. As an event's `location`, `basis` says how it was got: `explicit`
    (the sentence names the venue or site: "talks in Geneva"), `dateline`
    (the place the report was filed from) or `inferred` (the only place the
    event's clause names, or the place the article is about). A country
    adjective ("Syrian forces") gives a country without a point: `lat`/`lon`
    stay None. Field names follow GeoNames; PLOVER's `event_loc` derives
    from them."""

    name: str
    geonames_id: Optional[int] = None
    feature_class: Optional[str] = None  # A area | P populated place | L continent
    feature_code: Optional[str] = None  # PCLI country | ADM1 | ADM2 | PPL | PPLC | CONT
    country: Optional[str] = None  # ISO3
    admin1: Optional[str] = None  # first-level area (state, province) name
    lat: Optional[float] = None
    lon: Optional[float] = None
    basis: str = "explicit"  # explicit | dateline | inferred
    evidence: Optional[Evidence] = None

    @property
    def label(self) -> str:
        """'Vienna (AUT)': how tables, briefings and comparisons name it."""
        return f"{self.name} ({self.country})" if self.country else self.name


@dataclass
class Toponym:
    """A place name in an article and the place it was resolved to (None when
    the gazetteer knows no such place). kind: toponym | demonym | dateline."""

    id: str
    article: str
    sentence: int
    start: int
    end: int
    text: str
    kind: str = "toponym"
    place: Optional[Place] = None
    why: list[str] = field(default_factory=list)


@dataclass
class EventMention:
    """One sentence's report of an event, coded and evidenced."""

    id: str
    article: str
    sentence: int
    start: int  # trigger span
    end: int
    trigger: str
    text: str  # sentence text
    event_type: str  # PLOVER type
    status: str = "occurred"
    mode: Optional[str] = None
    context: list[str] = field(default_factory=list)
    cameo: Optional[str] = None
    plover_export_type: Optional[str] = None  # AGREE for a planned meeting, else event_type
    actors: list[Participant] = field(default_factory=list)
    recipients: list[Participant] = field(default_factory=list)
    location: Optional[Place] = None  # set by the places stage
    topic: Optional[str] = None
    date: Optional[str] = None
    date_end: Optional[str] = None
    date_basis: str = "none"
    timex: Optional[str] = None  # id of the Timex the date came from
    quote: Optional[str] = None  # id of the Quote this event was reported in
    sources: list[SourceLink] = field(default_factory=list)
    confidence: float = 1.0  # calibrated probability that the mention is right (extract/events/confidence.py)
    background: bool = False  # history the article recalls (dated over a month before publication), not its news
    why: list[str] = field(default_factory=list)  # rules/models that fired
    # what the sentence means, as the article's transformer pass reads it (`extract.events.meaning`):
    # a unit vector in int8, base64; the resolver's `embedding` feature. None without the pass.
    meaning: Optional[str] = None


@dataclass
class ArticleResult:
    """Everything the per-article stages found in one article. This is the unit
    the Spark runner computes per partition and the store writes at once."""

    article: Article
    sentences: list[Sentence] = field(default_factory=list)
    timexes: list[Timex] = field(default_factory=list)
    actor_mentions: list[ActorMention] = field(default_factory=list)
    event_mentions: list[EventMention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    toponyms: list[Toponym] = field(default_factory=list)
    # what extracted it: `runstamp.producer_id` (crosswire version, stages and
    # model fingerprints); None for results stored before run stamps
    producer: Optional[str] = None


# -------------------------------------------------------------------- resolve
@dataclass
class Mention:
    """A pointer from a canonical event to one supporting sentence."""

    mention_id: str
    article: str
    sentence: int
    start: int
    end: int
    text: str
    outlet: Optional[str] = None
    status: Optional[str] = None
    date: Optional[str] = None


@dataclass
class Event:
    """A canonical event: one real happening, however many reports of it."""

    id: str
    event_type: str
    status: str
    mode: Optional[str] = None
    context: list[str] = field(default_factory=list)
    cameo: Optional[str] = None
    plover_export_type: Optional[str] = None
    date: Optional[str] = None
    date_end: Optional[str] = None
    date_basis: str = "none"
    actors: list[Participant] = field(default_factory=list)
    recipients: list[Participant] = field(default_factory=list)
    location: Optional[Place] = None
    topic: Optional[str] = None
    mentions: list[Mention] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)  # {outlet, cites:[...]} per outlet
    agreement: dict[str, Any] = field(default_factory=dict)
    story: Optional[str] = None
    event_text: str = ""
    confidence: float = 1.0  # the highest of its mentions' confidence (EventMention.confidence)
    # why its mentions are one event: one link per merged mention, {"mention", "with", "score",
    # "features"} (the scorer's features that tied them, strongest first) or "correction" for a join
    merged_by: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class MergeCorrection:
    """A person's correction of a merge, kept in the store and applied by every
    later resolution (resolve/corrections.py). `split`: the `mentions` never
    share an event with the `others` (the rest of the event they were taken
    from); `join`: the `mentions` (every mention of the events joined) are one event."""

    id: str
    kind: str  # "split" | "join"
    mentions: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    event_id: str = ""  # the event corrected (for joins, the first one named)
    note: str = ""
    created: str = ""  # ISO time; later corrections win over earlier ones


@dataclass
class Story:
    id: str
    title: str
    articles: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    outlets: list[str] = field(default_factory=list)
    agreement: dict[str, Any] = field(default_factory=dict)


@functools.lru_cache(maxsize=None)
def _field_types(cls: type) -> tuple[tuple[str, Any], ...]:
    """(name, resolved type) of each field of a record class, computed once:
    `typing.get_type_hints` re-evaluates every annotation string on each call,
    which made loading 200 stored results take 9 s instead of about 1 s."""
    import typing

    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))


def from_dict(cls: type, data: Any) -> Any:
    """Rebuild a record (recursively) from `to_dict` output, as the store and
    the Spark runner need. Unknown keys are ignored so old rows still load."""
    if data is None or not dataclasses.is_dataclass(cls):
        return data
    if not isinstance(data, dict):  # a value stored before the field became a record (a bare place name)
        return None
    kwargs = {}
    for name, convert in _field_converters(cls):
        if name in data:
            value = data[name]
            kwargs[name] = None if value is None else convert(value)
    return cls(**kwargs)


@functools.lru_cache(maxsize=None)
def _field_converters(cls: type) -> tuple[tuple[str, Any], ...]:
    return tuple((name, _converter(tp)) for name, tp in _field_types(cls))


def _as_is(value: Any) -> Any:
    return value


@functools.lru_cache(maxsize=None)
def _converter(tp: Any) -> Any:
    """A function rebuilding a non-None JSON value of type `tp`, made once per
    type: inspecting the type on every value cost more than the rest of
    loading a stored result."""
    import types
    import typing

    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _converter(inner[0]) if len(inner) == 1 else _as_is
    if origin is tuple and args:
        return tuple
    if origin is list and args:
        item = _converter(args[0])
        if item is _as_is:
            return list
        return lambda values: [None if v is None else item(v) for v in values]
    if dataclasses.is_dataclass(tp):
        return functools.partial(from_dict, tp)
    return _as_is
