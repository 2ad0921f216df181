"""Toponyms: finding place names in an article and choosing which place each names.

Finding (`find_toponyms`): spaCy's GPE/LOC/FAC entities, country adjectives
(NORP, "Syrian forces": a country, not a point), and capitalised names the
entity recogniser labelled PERSON/ORG or missed that the gazetteer knows as a
country, first-level area or large town. One dictionary probe per span: no
loop over the gazetteer.

Choosing (`resolve_toponyms`): every same-named place is scored on
* its population (the prior: "Paris" is the French capital until the text
  says otherwise),
* its kind (a country or state name usually means the country or state),
* the article's context: the countries and first-level areas of its other
  toponyms, its dateline and its actors ("Georgia" beside "Atlanta" is the
  US state; beside "Tbilisi" the country),
* containment written out: "Paris, Texas", "Alexandria, Va." (the next
  toponym after a comma contains the place, and is the area that holds a
  place of that name),
* spatial minimality: the article's other names that can be a place near it
  (a town or county in a neighbouring grid cell; for a country or state, a
  place inside it).
One sense per article: the mentions of one name are one place and share
their evidence. Two passes: the first with the unambiguous context, the
second with what the first chose for the other names.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

from .gazetteer import Gazetteer, Entry, normalise

TOPONYM_LABELS = {"GPE", "LOC", "FAC"}
MAX_SPAN_TOKENS = 4
MAX_OPTIONS = 40
# a name outside the recogniser's entities (or one it took for a person or an organisation)
# counts when the gazetteer knows it as a country or continent, or as a town at least this large
KNOWN_KINDS = {"PCLI", "CONT"}
KNOWN_TOWN_POPULATION = 200_000

# Scoring weights, set on the tuning half of LGL and GeoVirus (docs/geo.md):
WEIGHTS = {
    "population": 1.0,  # per decade of population (log10)
    "country_kind": 3.0,  # the name is a country's
    "admin1_kind": 2.0,  # the name is a first-level area's
    "continent_kind": 3.0,
    "same_country": 1.5,  # the article's other towns and areas, or its dateline, are in its country
    "named_country": 0.75,  # the article names its country, or its actors are of that country
    "same_admin1": 2.5,  # the article's other towns are in its first-level area
    "contained": 8.0,  # "Paris, Texas": the next toponym contains it
    "dateline": 1.5,  # it is near the dateline's place (same admin1)
    "capital": 0.5,  # a national capital
    "area_alias": -1.0,  # an area known by this name only as an alias ("Alexandria" for its governorate)
    "contains": 2.0,  # "Paris, Tenn.": the area contains a place called like the toponym before the comma
    "near": 2.0,  # per other name of the article that can be a place near it (spatial minimality)
}
# how many of a container's places are tried ("Pa." is Punjab before Pennsylvania)
CONTAINER_OPTIONS = 10
# the grid of the spatial-minimality feature, in degrees (about 55 km; a neighbouring cell counts),
# and how much a name with places in n cells counts (n ** -NEAR_AMBIGUITY)
NEAR_DEGREES = 0.5
NEAR_AMBIGUITY = 0.25


@dataclass
class Candidate:
    """A place name found in the text with the places it may name."""

    start: int
    end: int
    text: str
    kind: str = "toponym"  # toponym | demonym | in-name (in an organisation's name) | dateline
    options: list[Entry] = field(default_factory=list)
    chosen: Optional[Entry] = None
    why: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------- find
def find_toponyms(doc, gaz: Gazetteer, text: Optional[str] = None) -> list[Candidate]:
    """Toponyms of a spaCy doc (whose text is `text`), in text order, never overlapping."""
    found: list[Candidate] = []
    taken = [False] * len(doc)  # inside an entity: "Kamala Harris" is no county, whatever the gazetteer says
    text = doc.text if text is None else text  # Doc.text joins every token on each access
    unread = []  # persons and organisations that are no place by themselves
    for ent in doc.ents:
        top = _from_entity(ent, text, gaz)
        if top is not None:
            found.append(top)
        elif ent.label_ in {"PERSON", "ORG"}:
            unread.append(ent)
        for i in range(ent.start, ent.end):
            taken[i] = True
    # one sense per article: the names it reads as places elsewhere
    places = {normalise(t.text): t.options for t in found if t.kind == "toponym" and t.options}
    for ent in unread:
        top = _named_as_place_elsewhere(ent, text, places)
        if top is None and ent.label_ == "ORG":
            top = _inside_name(ent, text, gaz, places)
        if top is not None:
            found.append(top)
    found.extend(_missed_names(doc, gaz, taken, places))
    return sorted(found, key=lambda t: t.start)


def _named_as_place_elsewhere(ent, doc_text: str, places: dict) -> Optional[Candidate]:
    """A person or organisation by the recogniser whose name the article
    reads as a place in another sentence: that place ("Gainesville residents
    marched" beside "the Gainesville sewer system")."""
    start, end = _trim(ent)
    options = places.get(normalise(doc_text[start:end])) if start < end else None
    return Candidate(start, end, doc_text[start:end], "toponym", options, why=["one-sense:named-as-place"]) \
        if options else None


def _from_entity(ent, doc_text: str, gaz: Gazetteer) -> Optional[Candidate]:
    start, end = _trim(ent)
    if start >= end:
        return None
    text = doc_text[start:end]
    options = gaz.lookup(text)[:MAX_OPTIONS]
    if ent.label_ == "NORP":
        countries = [p for p in options if p.fcode == "PCLI"]
        return Candidate(start, end, text, "demonym", countries[:1]) if countries else None
    if ent.label_ == "LOC":  # regions, seas, mountains: not a village that shares the name ("Middle East")
        options = [o for o in options if o.fclass != "P" or o.population >= KNOWN_TOWN_POPULATION]
    if ent.label_ in TOPONYM_LABELS:
        if not options and (ent.label_ == "FAC" or (ent.label_ == "GPE" and len(ent) == 1)):
            return None  # mostly people and firms the recogniser took for places; "Lake Erie" stays
        kind = "demonym" if _adjectival(ent) and any(p.fcode == "PCLI" for p in options) else "toponym"
        if kind == "demonym":
            options = [p for p in options if p.fcode == "PCLI"][:1]
        return Candidate(start, end, text, kind, options)
    if ent.label_ in {"PERSON", "ORG"} and len(ent) <= 2 and _well_known(options):
        return Candidate(start, end, text, "toponym", options, why=[f"ner:{ent.label_}"])
    return None


def _inside_name(ent, doc_text: str, gaz: Gazetteer, places: Optional[dict] = None) -> Optional[Candidate]:
    """The place an organisation is named after, when its name begins with
    it ("the Texas Department of State Health Services", "Dublin City
    Council", "U.S. Census") or ends with "of" it ("the University of
    Georgia"), and the gazetteer knows that name as a country, a first-level
    area or a large town, or the article names it as a place elsewhere
    (`places`). Kind "in-name": it places the organisation, not an
    event, so it is context for the article's other names and never a venue."""
    toks = [t for t in ent if not (t.i == ent.start and t.lower_ == "the")]
    spans: list[list] = []
    lead = 0
    while lead < min(len(toks) - 1, MAX_SPAN_TOKENS) and toks[lead].pos_ == "PROPN":
        lead += 1
    spans.extend(toks[:n] for n in range(lead, 0, -1))
    ofs = [k for k, t in enumerate(toks) if t.lower_ == "of"]
    if ofs and 0 < len(toks) - ofs[-1] - 1 <= MAX_SPAN_TOKENS and all(t.pos_ == "PROPN" for t in toks[ofs[-1] + 1:]):
        spans.append(toks[ofs[-1] + 1:])
    for span in spans:
        start, end = span[0].idx, span[-1].idx + len(span[-1].text)
        name = doc_text[start:end]
        options = gaz.lookup(name)[:MAX_OPTIONS]
        if _country_adjective(name, options):
            return None  # "the Canadian Food Inspection Agency": an adjective, not the place's name
        if _known_place(options, name, places):
            return Candidate(start, end, name, "in-name", options, why=["in-organisation-name"])
    return None


ADJECTIVE_ENDINGS = ("an", "ese", "ish", "i", "ch", "ic")


def _country_adjective(text: str, options: Sequence[Entry]) -> bool:
    """'Canadian', 'Iraqi', 'French': a country's adjective (the gazetteer
    knows it from the actor table), not its name ('Japan', 'U.S.')."""
    key = normalise(text)
    countries = [o for o in options if o.fcode == "PCLI"]
    return (bool(countries) and key.endswith(ADJECTIVE_ENDINGS)
            and not any(normalise(o.name) == key for o in countries))


def _known_place(options: Sequence[Entry], name: str, places: Optional[dict]) -> bool:
    """A name outside the recogniser's places that still counts as one: a
    country, continent, first-level area by its own name or large town, or a
    name the article reads as a place elsewhere (`places`)."""
    return _well_known(options) or _area_by_name(options, name) or bool(places and normalise(name) in places)


def _well_known(options: Sequence[Entry]) -> bool:
    return any(o.fcode in KNOWN_KINDS or (o.fclass == "P" and o.population >= KNOWN_TOWN_POPULATION)
               for o in options)


# words that name first-level areas somewhere ("East", "Central") but mostly are not places
GENERIC_WORDS = {"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
                 "centre", "center", "capital", "coast", "islands", "upper", "lower", "middle", "interior"}


def _area_by_name(options: Sequence[Entry], text: str) -> bool:
    """A first-level area called by its own name ("Ohio"), not a generic word."""
    key = normalise(text)
    return key not in GENERIC_WORDS and any(o.fcode == "ADM1" and normalise(o.name) == key for o in options)


def _trim(ent) -> tuple[int, int]:
    """Character span without a leading 'the' or a trailing possessive."""
    toks = list(ent)
    while toks and toks[0].lower_ == "the":
        toks = toks[1:]
    while toks and toks[-1].tag_ == "POS":
        toks = toks[:-1]
    if not toks:
        return 0, 0
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)


def _adjectival(span) -> bool:
    """'Syrian', 'Americans': an adjective or a people, not the place's name."""
    last = span[-1]
    return last.tag_ in {"JJ", "NNPS", "NNS"} or (last.text.endswith(("ian", "ese", "ish")) and len(span) == 1)


def _missed_names(doc, gaz: Gazetteer, taken: list[bool], places: Optional[dict] = None) -> Iterable[Candidate]:
    """Capitalised spans outside any entity that the gazetteer knows well,
    or that the article names as a place elsewhere (`places`)."""
    i = 0
    while i < len(doc):
        tok = doc[i]
        if taken[i] or not tok.is_title or tok.pos_ not in {"PROPN"}:
            i += 1
            continue
        match = None
        for j in range(min(len(doc), i + MAX_SPAN_TOKENS), i, -1):
            if any(taken[i:j]) or not doc[j - 1].is_title:
                continue
            text = doc[i:j].text
            options = gaz.lookup(text)[:MAX_OPTIONS]
            if _known_place(options, text, places):
                match = Candidate(tok.idx, doc[j - 1].idx + len(doc[j - 1].text), text, "toponym", options,
                                why=["gazetteer:missed-by-ner"])
                break
        if match is not None:
            yield match
            i = j
        else:
            i += 1


# ------------------------------------------------------------------- dateline
DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Za-z.'\-]*(?:\s+[A-Z][A-Za-z.'\-]*){0,3})"
    r"(?:,\s*(?P<region>[A-Z][A-Za-z.]*(?:\s+[A-Z][A-Za-z.]*){0,2}))?"
    r"(?:,?\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?)?"  # ", Jan. 10" / ", January 10, 2022"
    r"\s*(?:\([^)\n]{1,40}\))?\s*(?:[—–]|-{1,2})\s", re.MULTILINE)


def find_place_names(doc, gaz: Gazetteer, text: str) -> tuple[Optional[Candidate], list[Candidate]]:
    """The article's dateline (or None) and its other toponyms outside it:
    every place name the places stage reads (and `crosswire eval geo` scores)."""
    dateline = find_dateline(text, gaz)
    found = find_toponyms(doc, gaz, text)
    if dateline is not None:
        found = [c for c in found if c.end <= dateline.start or c.start >= dateline.end]
    return dateline, found


def find_dateline(text: str, gaz: Gazetteer, lines: int = 6) -> Optional[Candidate]:
    """'MOSCOW, Jan 5 (Reuters) -', 'Vienna — ': the place a report was filed
    from, at the start of one of the article's first lines."""
    offset = 0
    for line in text.split("\n")[:lines]:
        m = DATELINE.match(line)
        if m:
            place = m.group("place")
            options = gaz.lookup(place)[:MAX_OPTIONS]
            if options and (place.isupper() or m.group(0).rstrip().endswith(("—", "–", "-"))):
                start = offset + m.start("place")
                top = Candidate(start, start + len(place), place, "dateline", options, why=["dateline"])
                region = m.group("region")
                if region:
                    top.why.append(f"dateline-region:{region}")
                return top
        offset += len(line) + 1
    return None


# ------------------------------------------------------------------- resolve
@dataclass
class Context:
    """What the article says around its toponyms."""

    countries: dict[str, float] = field(default_factory=dict)  # ISO3 -> weight of towns/areas/dateline there
    named: dict[str, float] = field(default_factory=dict)  # ISO3 -> weight of country names and actors
    admin1: dict[str, float] = field(default_factory=dict)  # admin1 code -> weight
    dateline: Optional[Entry] = None
    own: dict[int, Entry] = field(default_factory=dict)  # toponym id -> the place it contributed


def resolve_toponyms(toponyms: Sequence[Candidate], text: str, actor_countries: Iterable[str] = (),
                     dateline: Optional[Candidate] = None, weights: Optional[dict] = None) -> None:
    """Choose a place for each toponym in place (sets `chosen` and `why`).

    One sense per article: the mentions of one name (the same normalised
    text) name one place, so they share their evidence ("Dublin, Ohio" once,
    then "Dublin") and none of them is evidence for another."""
    w = {**WEIGHTS, **(weights or {})}
    groups: dict[tuple, list[Candidate]] = {}  # same name, same options (a LOC entity keeps fewer)
    for t in toponyms:
        groups.setdefault((normalise(t.text), tuple(o.geonames_id for o in t.options)), []).append(t)
    containers = _containers(toponyms, text)
    contained = _contained(toponyms, text)
    base = Context()
    for iso in actor_countries:
        base.named[iso] = base.named.get(iso, 0) + 0.5
    if dateline is not None and dateline.options:
        dateline.chosen = _best(dateline, base, containers.get(id(dateline), ()), w)
        base.dateline = dateline.chosen
        _add(base, dateline.chosen, 2.0)
    near = _neighbours(groups) if w.get("near") else {}
    first = _context(toponyms, base, lambda t: t.options[0] if len(_distinct(t.options)) == 1 else None)
    _choose(groups, first, containers, contained, near, w)
    second = _context(toponyms, base, lambda t: t.chosen)
    _choose(groups, second, containers, contained, near, w)


def _choose(groups: dict[tuple, list[Candidate]], ctx: Context, containers: dict, contained: dict,
            near: dict, w: dict) -> None:
    for key, members in groups.items():
        lead = members[0]
        if not lead.options:
            continue
        own = _without(ctx, members)
        outer = [c for t in members for c in containers.get(id(t), ())]
        inner = [c for t in members for c in contained.get(id(t), ())]
        support = near.get(key, {})
        chosen = max(lead.options, key=lambda p: (
            score(p, lead, own, outer, w, inner) + w.get("near", 0) * support.get(p.geonames_id, 0.0),
            p.population, -p.geonames_id))
        for t in members:
            t.chosen = chosen


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return int(math.floor(lat / NEAR_DEGREES)), int(math.floor(lon / NEAR_DEGREES))


def _local(o: Entry) -> bool:
    return o.fclass == "P" or o.fcode == "ADM2"


def _neighbours(groups: dict[tuple, list[Candidate]]) -> dict[tuple, dict[int, float]]:
    """Spatial minimality: name -> {option's GeoNames id: how many of the article's
    other names can be a place near it}. Near a town or second-level area:
    in the same or a neighbouring grid cell of NEAR_DEGREES; near a country or
    first-level area: inside it. A name with places in many cells is weaker
    evidence (weighted n ** -NEAR_AMBIGUITY, n their number). Set probes only: no distances."""
    names: dict[tuple, tuple[set, set, set, float]] = {}
    for key, members in groups.items():
        options = members[0].options
        if not options:
            continue
        own = {_cell(o.lat, o.lon) for o in options if _local(o)}
        around = {(a + da, b + db) for a, b in own for da in (-1, 0, 1) for db in (-1, 0, 1)}
        names[key] = (around, {o.country for o in options if o.fcode != "PCLI"},
                      {o.admin1_code for o in options if o.fcode not in ("PCLI", "ADM1")},
                      max(1, len(own)) ** -NEAR_AMBIGUITY)
    out: dict[tuple, dict[int, float]] = {}
    if len(names) < 2:
        return out
    for key, members in groups.items():
        if key not in names:
            continue
        others = [v for k, v in names.items() if k != key]
        support = {}
        for o in members[0].options:
            if _local(o):
                c = _cell(o.lat, o.lon)
                support[o.geonames_id] = sum(wt for around, _, _, wt in others if c in around)
            elif o.fcode == "PCLI":
                support[o.geonames_id] = sum(wt for _, countries, _, wt in others if o.country in countries)
            elif o.fcode == "ADM1":
                support[o.geonames_id] = sum(wt for _, _, areas, wt in others if o.admin1_code in areas)
        out[key] = support
    return out


def _distinct(options: Sequence[Entry]) -> set:
    return {(p.country, p.admin1_code) for p in options}


def _add(ctx: Context, place: Optional[Entry], weight: float) -> None:
    if place is None:
        return
    if place.country:
        table = ctx.named if place.fcode == "PCLI" else ctx.countries
        table[place.country] = table.get(place.country, 0) + weight
    if place.admin1_code and place.fcode != "PCLI":
        ctx.admin1[place.admin1_code] = ctx.admin1.get(place.admin1_code, 0) + weight


def _context(toponyms: Sequence[Candidate], base: Context, pick) -> Context:
    ctx = Context(dict(base.countries), dict(base.named), dict(base.admin1), base.dateline)
    for t in toponyms:
        place = pick(t) if t.options else None
        if place is not None:
            _add(ctx, place, 1.0)
            ctx.own[id(t)] = place
    return ctx


def _without(ctx: Context, members: Sequence[Candidate]) -> Context:
    """The context less what the mentions of this name contributed (a name is no evidence for itself)."""
    places = [ctx.own[id(t)] for t in members if id(t) in ctx.own]
    if not places:
        return ctx
    out = Context(dict(ctx.countries), dict(ctx.named), dict(ctx.admin1), ctx.dateline)
    for place in places:
        _add(out, place, -1.0)
    return out


def _pairs(toponyms: Sequence[Candidate], text: str) -> Iterable[tuple[Candidate, Candidate]]:
    """'Paris, Texas': (toponym, the toponym right after it past one comma).
    A name that can be a country heads a list ("China, Japan and Korea"),
    not a "town, state" pair."""
    for a, b in zip(toponyms, toponyms[1:]):
        if re.fullmatch(r",\s*", text[a.end:b.start]) and a.options and b.options and not any(
                o.fcode == "PCLI" for o in a.options):
            yield a, b


def _containers(toponyms: Sequence[Candidate], text: str) -> dict[int, list[Candidate]]:
    """toponym -> [the toponym that may contain it ("Texas" for "Paris")]"""
    return {id(a): [b] for a, b in _pairs(toponyms, text)}


def _contained(toponyms: Sequence[Candidate], text: str) -> dict[int, list[Candidate]]:
    """toponym -> [the toponym it may contain ("Paris" for "Texas", "Tenn." after "Paris")]"""
    return {id(b): [a] for a, b in _pairs(toponyms, text)}


def score(place: Entry, t: Candidate, ctx: Context, containers: Sequence[Candidate], w: dict,
          inner: Sequence[Candidate] = ()) -> float:
    s = w["population"] * math.log10(place.population + 10)
    # an area named like a town inside it ("Tbilisi" the region and the city) is taken as the town
    exact = normalise(place.name) == normalise(t.text) and not (
        place.fclass == "A" and place.fcode != "PCLI"
        and any(o.fclass == "P" and o.admin1_code == place.admin1_code for o in t.options))
    if place.fcode == "PCLI":
        s += w["country_kind"]
    elif place.fcode == "ADM1" and exact:
        s += w["admin1_kind"]
    elif place.fcode == "CONT":
        s += w["continent_kind"]
    elif place.fcode == "PPLC":
        s += w["capital"]
    if place.fclass == "A" and place.fcode != "PCLI" and not exact:
        s += w["area_alias"]
    if place.country and ctx.countries.get(place.country, 0) > 0:
        s += w["same_country"] * min(1.0, ctx.countries[place.country])
    if place.country and ctx.named.get(place.country, 0) > 0 and place.fcode != "PCLI":
        s += w["named_country"] * min(1.0, ctx.named[place.country])
    if place.admin1_code and ctx.admin1.get(place.admin1_code, 0) > 0 and place.fcode != "ADM1":
        s += w["same_admin1"] * min(1.0, ctx.admin1[place.admin1_code])
    if any(_contains(c, place) for container in containers for c in container.options[:CONTAINER_OPTIONS]):
        s += w["contained"]
    if any(_contains(place, p) for name in inner for p in name.options):
        s += w["contains"]
    if ctx.dateline is not None and place.admin1_code and place.admin1_code == ctx.dateline.admin1_code:
        s += w["dateline"]
    return s


def _contains(outer: Entry, inner: Entry) -> bool:
    if outer.geonames_id == inner.geonames_id:
        return False
    if outer.fcode == "PCLI":
        return outer.country == inner.country
    if outer.fcode == "ADM1":
        return outer.admin1_code == inner.admin1_code and inner.fcode != "ADM1"
    return False


def _best(t: Candidate, ctx: Context, containers: Sequence[Candidate], w: dict) -> Optional[Entry]:
    if not t.options:
        return None
    return max(t.options, key=lambda p: (score(p, t, ctx, containers, w), p.population, -p.geonames_id))
