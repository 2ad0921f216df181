"""What the sentence leaves open and the whole article settles.

An article names its setting once and then writes "the government",
"protesters", "the Senate", "lawmakers", "Democrats", or names people the
2014 Phoenix dictionary does not know. These passes run after the sentence
passes (`find_actors`):

- `recode_with_home`: dictionary organisations named by a common agent noun
  ("Senate", "Secretary of State": Phoenix files them under the US) and
  "<person> of <state>" where the state is a state of the home country, not
  the country of the same name ("Georgia"), take the home country;
- `party_groups`: "Democrats", "Republican members", "the Labour Party",
  "SNP": party (PTY) mentions coded from the parties table, a name several
  countries use resolved by the home country;
- `generic_agents`: agent nouns with no country in their phrase
  ("Protesters", "the police", "the government", "lawmakers", "the Supreme
  Court", "Legal and religious groups") become mentions coded, in this
  order, by a state or province in their name, the country that owns them
  ("Turkey's military"), the sentence's scene, the article's home country;
  else they stay uncoded mentions (the name is evidence). One with a place
  in its own tail ("police in Kowloon") is left to the events stage, which
  reads the tail;
- `code_people`: people no pass could code take their party's country
  ("Mark Smith, a Republican"), else the home country.

A code from the home country is an inference from the article, so the
mention's `why` ends with the home country's evidence.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Optional

from ...annotate import lower_tokens
from ...records import Actor, ActorMention
from .home import HomeCountry, infer_home
from .spans import Found, body_of_phrase_end, scene_country
from .tables import STATE_BODY_HEADS, agent_sector, load_tables

# People acting as a group for a state or society (plural, or a member of such a group).
GENERIC_PEOPLE = {
    "protesters", "protestors", "demonstrators", "activists", "campaigners", "lawmakers", "legislators",
    "senators", "congressmen", "mps", "critics", "opponents", "voters", "supporters", "officials", "authorities",
    "police", "policemen", "officers", "troops", "soldiers", "forces", "rebels", "militants", "insurgents",
    "gunmen", "militiamen", "students", "strikers", "rioters", "separatists", "prosecutors", "judges",
    "ministers", "diplomats", "negotiators", "investigators", "protester", "demonstrator", "activist",
    "lawmaker", "legislator", "officer", "soldier", "policeman", "groups",
}
# One body of a state or society; "House", "Council", ... only when written as a name.
GENERIC_BODIES = {
    "government", "administration", "opposition", "regime", "parliament", "legislature", "senate", "house",
    "court", "judiciary", "cabinet", "military", "army", "embassy", "ministry", "junta", "council", "assembly",
    "committee", "committees", "commission",
}
CAPITALISED_ONLY = {"house", "council", "assembly", "commission", "committee", "committees", "ministry"}
# "groups" is an actor only with what kind of group it is ("legal and religious groups").
NEEDS_MODIFIER = {"groups"}
SINGULAR_PEOPLE = {"protester", "demonstrator", "activist", "lawmaker", "legislator", "officer", "soldier",
                   "policeman"}
INDEFINITE = {"a", "an", "another", "any", "every", "each", "no"}
QUANTIFIERS = {"several", "many", "some", "few", "other", "own", "such", "various", "certain", "most", "all", "both",
               "only", "unlike", "more", "fewer", "numerous", "single", "two", "three"}
# Words that make a body's name international, not the home country's ("European Court of Justice").
INTERNATIONAL_WORDS = {"european", "international", "world", "global", "african", "arab", "asian", "western",
                       "nations", "islamic", "inter", "american", "atlantic", "pacific"}
TAIL_PREPS = {"in", "of", "from", "throughout", "across"}
STATE_KINDS = {"country", "government", "city", "organisation"}
# Words that, after a party's adjective, make it a party group ("Republican members").
PARTY_FOLLOWERS = {"party", "members", "member", "lawmakers", "legislators", "senators", "candidates", "leaders",
                   "leader", "officials", "voters", "supporters", "mps", "politicians", "caucus", "colleagues"}
SHORT_NAME = 4
LEDE_WEIGHT = 2.0  # a country in the first sentence (the headline, else the lede) states the setting  # party names this short ("SNP", "AfD") must be written with two capitals or more


def article_home(doc, found: list[Found], url: Optional[str]) -> Optional[HomeCountry]:
    """The home country from the sentence passes' coded mentions (generic
    institutions the dictionary files under one country do not vote)."""
    first_end = next(doc.sents).end if len(doc) else 0
    named = [(f.actor.country, LEDE_WEIGHT if f.start < first_end else 1.0)
             for f in found if not generic_institution(doc, f)]
    return infer_home(doc, named, url)


def generic_institution(doc, f: Found) -> bool:
    """'Senate', 'Secretary of State': a dictionary organisation named by a
    common agent noun, which every country may have."""
    return f.rule == "dict:org" and " ".join(t.lower_ for t in doc[f.start:f.end]) in load_tables().agents


def coded(actor, iso: Optional[str]):
    """The actor coded with country `iso` (its sector kept)."""
    if iso is None:
        return actor
    return replace(actor, code=iso, country=iso, cameo=iso + (actor.sector or ""), igo=None)


# ------------------------------------------------------------------ recoding
def recode_with_home(doc, found: list[Found], home: Optional[HomeCountry]) -> list[Found]:
    """Generic institutions and "<person> of <state of the home country>"
    take the home country (see the module docstring)."""
    if home is None:
        return found
    out = []
    for f in found:
        if generic_institution(doc, f) and f.actor.country != home.iso:
            actor = replace(coded(f.actor, home.iso), id=f"org:{home.iso}{f.actor.sector or ''}:{f.actor.name.lower()}")
            f = replace(f, actor=actor, rule=f.rule + "+home", basis=home.evidence)
        elif f.actor.kind == "person" and "+of-country" in f.rule and names_home_state(doc, f, home):
            actor = replace(coded(f.actor, home.iso), id=f"person:{f.actor.name.lower()}:{home.iso}")
            f = replace(f, actor=actor, rule=f.rule + "+of-state", basis=home.evidence)
        out.append(f)
    return out


def names_home_state(doc, f: Found, home: HomeCountry) -> bool:
    """Is the place after the person's last "of" a state or province of the
    home country ("Doug Smith of Georgia" in an article about the US)?"""
    ofs = [t.i for t in doc[f.start:f.end] if t.lower_ == "of"]
    if not ofs:
        return False
    key = " ".join(t.lower_ for t in doc[ofs[-1] + 1:f.end] if t.lower_ != "the")
    return home.iso in load_tables().subdivisions.get(key, [])


# ------------------------------------------------------------------ parties
def pick_country(countries: list[str], home: Optional[HomeCountry]) -> tuple[Optional[str], bool]:
    """(country, whether the home country decided it) for a name that
    `countries` use: the home country among them, else the only one."""
    if home is not None and home.iso in countries:
        return home.iso, len(countries) > 1
    if len(countries) == 1:
        return countries[0], False
    return None, False


def party_at(doc, lowers: list[str], i: int, taken: list[bool]) -> Optional[tuple[int, list[str]]]:
    """(end, countries) of the longest party name starting at token i."""
    t = load_tables()
    for length in range(min(6, len(doc) - i), 0, -1):
        key = " ".join(lowers[i:i + length])
        if key not in t.parties or any(taken[i:i + length]):
            continue
        if " " not in key and not written_as_name(doc[i:i + length].text):
            continue
        return i + length, t.parties[key]
    return None


def written_as_name(text: str) -> bool:
    """A one-word party name this short ("SNP", "AfD") counts only with two capitals or more ("pis" is no party)."""
    return len(text) > SHORT_NAME or sum(c.isupper() for c in text) >= 2


def party_groups(doc, taken: list[bool], home: Optional[HomeCountry]) -> list[Found]:
    """'Democrats', 'Republican members', 'the Labour Party', 'SNP'. A
    party adjective names a group only before a party word ("Democratic
    members"); before a name it is a title (the person pass took it)."""
    lowers = lower_tokens(doc)
    out, i = [], 0
    while i < len(doc):
        hit = party_at(doc, lowers, i, taken) if doc[i].text[:1].isupper() else None
        if hit is None:
            i += 1
            continue
        end, countries = hit
        adjective = doc[end - 1].pos_ == "ADJ" or doc[end - 1].dep_ in {"amod", "compound"}
        if end < len(doc) and not taken[end] and lowers[end] in PARTY_FOLLOWERS:
            end += 1
        elif adjective and doc[end - 1].head.i > end - 1:
            i = end
            continue  # "Republican national security experts": a view, not the party
        iso, by_home = pick_country(countries, home)
        name = doc[i:end].text
        key = " ".join(lowers[i:end])
        actor = coded_group(name, "PTY", iso, f"party:{iso or '-'}:{key}")
        out.append(Found(i, end, actor, "party" + ("+home" if by_home else ""), basis=home.evidence if by_home and home else None))
        i = end
    return out


def coded_group(name: str, sector: Optional[str], iso: Optional[str], key: str) -> Actor:
    return Actor(name=name, code=iso, kind="organisation", country=iso, sector=sector,
                 cameo=(iso + (sector or "")) if iso else None, id=key)


# ------------------------------------------------------------------ agents
def generic_agents(doc, taken: list[bool], found: list[Found], home: Optional[HomeCountry]) -> list[Found]:
    """Agent nouns with no country of their own (module docstring)."""
    out = []
    owned = {i for f in found if f.actor.kind != "person" for i in range(f.start, f.end)}
    for tok in doc:
        span = agent_span(doc, tok, taken)
        if span is None or any(i in owned for i in range(tok.left_edge.i, span[0])):
            continue  # "European Community foreign ministers", "U.N. court": the named actor's own body
        start, end = span
        words = [t.text for t in doc[start:end]]
        sector = agent_sector(words) or STATE_BODY_HEADS.get(tok.lower_)
        iso, rule = agent_country(doc, tok, start, found)
        if rule == "agent+tail":
            continue  # "students throughout Indonesia": the events stage reads the group's own tail
        basis = None
        if iso is None and home is not None and not any(w.lower() in INTERNATIONAL_WORDS for w in words):
            iso, rule, basis = home.iso, "agent+home", home.evidence
        name = doc[start:end].text
        key = f"org:{iso}{sector or ''}:{name.lower()}" if iso else f"group:{name.lower()}"
        out.append(Found(start, end, coded_group(name, sector, iso, key), rule, basis=basis))
        for i in range(start, end):
            taken[i] = True
    return out


def agent_span(doc, tok, taken: list[bool]) -> Optional[tuple[int, int]]:
    """Token range of a generic agent phrase headed by `tok`, or None."""
    low = tok.lower_
    if taken[tok.i] or tok.pos_ not in {"NOUN", "PROPN"} or low not in GENERIC_PEOPLE | GENERIC_BODIES:
        return None
    if low in CAPITALISED_ONLY and not tok.text[:1].isupper():
        return None
    if tok.dep_ in {"compound", "amod", "nmod"} and tok.head.i > tok.i:
        return None  # "police violence", "government agencies": a modifier, not the agent
    if any(c.dep_ == "det" and c.lower_ in INDEFINITE for c in tok.children) and low in GENERIC_BODIES:
        return None  # "a court": some court, not the state's
    if tok.dep_ in {"attr", "oprd"} or (tok.i > 0 and doc[tok.i - 1].lower_ == "as"):
        return None  # "became a lawmaker", "as governor"
    if low in GENERIC_BODIES and not tok.text[:1].isupper() and not any(c.dep_ in {"det", "poss"} for c in tok.children):
        return None  # "expressed opposition", "in court": no body of a state
    if low in SINGULAR_PEOPLE and (tok.dep_ == "appos" or not any(c.dep_ == "compound" for c in tok.children)
                                   and low in {"officer", "soldier"}):
        return None  # "Mohammed Reda, an airport officer": a person's description
    modifiers = [c for c in tok.children if c.dep_ in {"compound", "amod", "nmod"} and c.i < tok.i]
    if low in NEEDS_MODIFIER and not modifiers:
        return None
    start = min([c.left_edge.i for c in modifiers] + [tok.i])
    while start < tok.i and (any(taken[start:tok.i]) or not modifier_word(doc[start], tok)):
        start += 1  # "pro-Trump protesters": the person stays his own mention; "several groups"
    end = tok.i + 1
    if tok.text[:1].isupper():
        end = body_of_phrase_end(doc, end, taken)  # "House of Representatives", "Court of Session"
    return start, end


def modifier_word(word, head) -> bool:
    """Can `word` begin the name of the agent `head` heads? A capitalised
    head (a body's name) takes only capitalised words ("Supreme Court", not
    "prorogue Parliament"); others adjectives and nouns ("riot police",
    "legal and religious groups"), not quantities ("several", "only", "own")."""
    if word.lower_ in QUANTIFIERS or word.is_punct or word.pos_ not in {"ADJ", "NOUN", "PROPN"}:
        return False
    return word.text[:1].isupper() or not head.text[:1].isupper()


def agent_country(doc, tok, start: int, found: list[Found]) -> tuple[Optional[str], str]:
    """Country of an agent phrase from its own sentence: a state or province
    in its name ("Ruritanshire police"), the place in its tail ("police in
    Kowloon"), the state that owns it ("Turkey's army", "the Iranian
    regime"), for groups of people the sentence's scene. (None, "agent")
    when the sentence gives none."""
    subdivisions = load_tables().subdivisions
    for i in range(start, tok.i):
        owners = subdivisions.get(doc[i].lower_, [])
        if len(owners) == 1 and doc[i].text[:1].isupper():
            return owners[0], "agent+place"
    for child in tok.children:
        if child.dep_ == "prep" and child.lower_ in TAIL_PREPS:
            for obj in child.children:
                iso = country_over(obj.left_edge.i, obj.i + 1, found)
                if obj.dep_ == "pobj" and iso:
                    return iso, "agent+tail"
        if child.dep_ == "poss":
            iso = country_over(child.left_edge.i, child.i + 1, found)
            if iso:
                return iso, "agent+owner"
    iso = scene_country(doc, tok.sent, found) if tok.lower_ in GENERIC_PEOPLE else None
    return (iso, "agent+scene") if iso else (None, "agent")


def country_over(start: int, end: int, found: list[Found]) -> Optional[str]:
    for f in found:
        if f.start < end and f.end > start and f.actor.kind in STATE_KINDS and f.actor.country:
            return f.actor.country
    return None


# ------------------------------------------------------------------ people
def code_people(doc, mentions: list[ActorMention], home: Optional[HomeCountry]) -> None:
    """People no sentence pass could code, as one identity with their later
    surname mentions: their party's country (in their title, the word before
    the name, or their apposition: "Mark Smith, a Republican"), else the
    home country, for a full name or a titled one (a lone capitalised word
    NER calls a person is too often a slogan or a website). Changes the
    mentions in place."""
    by_person: dict[str, list[ActorMention]] = defaultdict(list)
    for m in mentions:
        if m.actor.kind == "person":
            by_person[m.antecedent or m.id].append(m)
    for group in by_person.values():
        if any(m.actor.code for m in group):
            continue
        iso, rule, basis = party_country(doc, group, home)
        if iso is None and home is not None and any(m.actor.office or len(m.actor.name.split()) > 1 for m in group):
            iso, rule, basis = home.iso, "+home", home.evidence
        if iso is None:
            continue
        for m in group:
            m.actor = coded(m.actor, iso)
            m.why = (m.why or "") + rule + (f"; {basis}" if basis else "")


def party_country(doc, group: list[ActorMention], home: Optional[HomeCountry]) -> tuple[Optional[str], str, Optional[str]]:
    """(country, rule, basis) from a party word about the person, else Nones."""
    t = load_tables()
    for m in group:
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None:
            continue
        words = list(span) + [tok for c in span.root.children if c.dep_ == "appos" for tok in c.subtree]
        if span.start > 0:
            words.append(doc[span.start - 1])
        for tok in words:
            countries = t.parties.get(tok.lower_) or t.parties.get(tok.lower_ + "s")
            if countries and tok.text[:1].isupper() and written_as_name(tok.text):
                iso, by_home = pick_country(countries, home)
                if iso:
                    return iso, "+party", home.evidence if by_home and home else None
    return None, "", None
