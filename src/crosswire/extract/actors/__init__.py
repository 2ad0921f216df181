"""Extract stage 'actors': mentions -> canonical actors with codes.

What it finds, in this order (a later pass never overrides an earlier one):

1. Dictionary phrases (data/actors/actors.json, built from the Phoenix
   dictionaries and pycountry): people with date-ranged codes, IGOs with their
   own identifiers (NATO, OSCE, EU, UN, ...) and CAMEO IGO codes, seats of
   government ("the Kremlin"), state bodies, capitals used for governments
   ("Moscow", "Washington"), countries, demonyms and adjectives.
2. People spaCy tags PERSON that the dictionary lacks (kept, code from the
   title's country when the text gives one, else from the dictionary person
   the text spells another way: "Francois Mitterand", "President Mugabe").
3. Titles: "Russian Deputy Foreign Minister Sergey Ryabkov" becomes one
   mention: RUS, sector GOV, office "Deputy Foreign Minister". The text's
   title wins over the dictionary, which is often out of date.
4. State bodies: "the US National Security Council" -> USA GOV; "Russian
   troops" -> RUS MIL; "Western media outlets" -> a group with sector MED.
5. Linking within the article: a bare surname ("Peskov") links to the full
   mention ("Dmitry Peskov", with his office); "the two nations" links to the
   two actors last mentioned together (two ActorMention records on one span,
   each with `antecedent`).

Other stages code text spans through `crosswire.extract.actors.lookup`.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

from .. import ArticleContext, register_stage
from ...annotate import lower_tokens
from ...records import Actor, ActorMention, stable_id
from .context import article_home, code_people, generic_agents, party_groups, recode_with_home
from .nominal import link_offices
from .spans import SCENE_PREPS, Found, name_part, body_of_phrase_end, scene_country
from .tables import (MAX_PHRASE_TOKENS, STATE_BODY_HEADS, TITLE_GLUE, TITLE_HEADS, TITLE_MODIFIERS, agent_sector, load_tables,
                     person_by_name, person_code_on)

GROUP_NOUNS = {"nations", "countries", "sides", "states", "governments", "powers", "parties", "capitals",
               "leaders", "presidents", "neighbours", "neighbors", "rivals", "superpowers"}
GROUP_DETERMINERS = {"two", "both"}
LOCATIVE_PREPS = {"in", "at", "near", "outside", "inside", "across", "around", "throughout", "into", "to", "from"}
PRONOUNS = {"he", "she", "him", "her", "his"}
GROUP_WORDS_RIGHT = {"media", "outlets", "officials", "diplomats", "troops", "forces", "leaders", "authorities",
                     "government", "military", "army", "navy", "police", "protesters", "rebels", "opposition",
                     "lawmakers", "negotiators", "delegation", "president", "embassy", "ministry"}
NOT_NAMES = {"presidential", "foreign", "deputy", "prime", "vice", "general", "acting", "former", "senior"}
STATE_AND_GROUP_SECTORS = {"GOV", "MIL", "LEG", "JUD", "COP", "OPP", "REB", "MED", "PTY", "BUS", "SPY"}
# Phoenix codes of armed groups that belong to no state ("IMGMUSALQ": al-Qaeda
# and its leaders); their second part is a religion, not a state sector.
NON_STATE_CODES = {"IMG"}
# Generic agent nouns: a group acting for a sector of some country, never a
# person's name ("Riot police" is not Mr Riot). Sector from the Phoenix agents
# table; country from a demonym in the phrase or the place the sentence names.
AGENT_GROUP_HEADS = {"police", "policemen", "troops", "soldiers", "rebels", "militants", "protesters",
                     "demonstrators", "students", "officials", "guerrillas", "militiamen", "gunmen", "insurgents",
                     "militia", "militias", "strikers", "activists", "rioters", "separatists", "paratroopers",
                     "commandos", "marines", "authorities", "forces"}
# Name particles NER often leaves out of a name ("F.W. de Klerk", "Osama bin Laden").
NAME_PARTICLES = {"de", "van", "von", "der", "bin", "ibn", "al", "el", "da", "du", "dos", "la", "le", "ben"}
# Prepositions that give an office's brief, not its holder's country.
BRIEF_PREPS = {"for", "to", "on", "in", "against", "with", "toward", "towards", "at"}
BLOC_ADJECTIVES = {"western": "WST", "european": "EUR", "african": "AFR", "arab": "ARB", "asian": "ASA"}


@register_stage("actors", provides=("actor_mentions",))
def actors_stage(ctx: ArticleContext) -> None:
    """Append ActorMention records for every actor the article names: the
    sentence passes, then what the whole article settles (its home country,
    parties, generic agents, people's countries, offices standing for their
    holders), then links within the article."""
    doc = ctx.doc
    found = find_actors(doc, ctx.anchor.date)
    home = article_home(doc, found, ctx.article.url)
    found = recode_with_home(doc, found, home)
    found = sorted(found + party_groups(doc, taken_by(doc, found), home), key=lambda f: f.start)
    found = sorted(found + generic_agents(doc, taken_by(doc, found), found, home), key=lambda f: f.start)
    mentions = [to_mention(ctx, f) for f in found if f.actor.name.strip()]  # an entity of line breaks names no one
    mentions += link_surnames(ctx, found, mentions)
    code_people(doc, mentions, home)
    offices = link_offices(ctx, mentions, home.iso if home else None)
    replaced = {(m.start, m.end) for m in offices}
    mentions = [m for m in mentions if (m.start, m.end) not in replaced] + offices
    mentions += link_groups(ctx, mentions)
    mentions.sort(key=lambda m: (m.start, m.end))
    ctx.result.actor_mentions.extend(mentions)


def taken_by(doc, found: list[Found]) -> list[bool]:
    """Which tokens of the doc a found mention covers."""
    taken = [False] * len(doc)
    for f in found:
        taken[f.start:f.end] = [True] * (f.end - f.start)
    return taken


# ------------------------------------------------------------------ finding
def find_actors(doc, date: Optional[str]) -> list[Found]:
    """All actor spans of a parsed doc, non-overlapping, in text order."""
    taken = [False] * len(doc)
    found: list[Found] = []

    def claim(f: Found) -> None:
        for i in range(f.start, f.end):
            taken[i] = True
        found.append(f)

    dictionary = [f for f in scan_dictionary(doc, date)]
    people = [f for f in dictionary if f.actor.kind == "person"]
    people += unknown_people(doc, dictionary)
    for f in sorted(people, key=lambda f: f.start):
        if not any(taken[f.start:f.end]):
            f = appositive_country(doc, of_country(doc, extend_title(doc, name_core(doc, f), date), date), date)
            claim(spelling_variant(f, date))
    for f in dictionary:
        if f.actor.kind != "person" and not any(taken[f.start:f.end]):
            claim(extend_state_body(doc, f, taken))
    for f in bloc_groups(doc, taken):
        claim(f)
    found.sort(key=lambda f: f.start)
    for f in agent_groups(doc, taken, found):
        claim(f)
    found = residence_of_groups(doc, found)
    found.sort(key=lambda f: f.start)
    return found


# ------------------------------------------------------------------ groups
def agent_groups(doc, taken: list[bool], found: list[Found]) -> list[Found]:
    """'Riot police fired tear gas at students in Nairobi': a generic agent
    noun with no country of its own acts for a sector (Phoenix agents table)
    of the country the sentence places the scene in. Kept only when that
    country is known; a demonym in the phrase ("Kenyan riot police") is the
    state-body pass's job."""
    out = []
    for tok in doc:
        if taken[tok.i] or tok.lower_ not in AGENT_GROUP_HEADS or tok.pos_ not in {"NOUN", "PROPN"}:
            continue
        start = group_phrase_start(doc, tok, taken)
        if start is None or any(c.dep_ == "prep" and c.lower_ in SCENE_PREPS | {"of", "from"} for c in tok.children):
            continue  # "students throughout Indonesia": the event coder reads the group's own tail
        sector = agent_sector([t.text for t in doc[start:tok.i + 1]])
        iso = scene_country(doc, tok.sent, found)
        if sector is None or iso is None:
            continue
        name = doc[start:tok.i + 1].text
        actor = Actor(name=name, code=iso, kind="organisation", country=iso, sector=sector, cameo=iso + sector,
                      id=f"org:{iso}{sector}:{name.lower()}")
        out.append(Found(start, tok.i + 1, actor, "agent+scene"))
    return out


def group_phrase_start(doc, head, taken: list[bool]) -> Optional[int]:
    """First token of the modifiers before an agent noun ("riot", "Hutu",
    "anti-government"); None when an actor mention modifies it (that
    mention's country is the group's) or it is possessed ("Israel's
    soldiers")."""
    start = head.i
    while start > 0 and doc[start - 1].dep_ in {"compound", "amod", "nmod"} and doc[start - 1].head.i >= start:
        start -= 1
    if any(taken[head.left_edge.i:head.i]) or any(c.dep_ == "poss" for c in head.children):
        return None
    return start


def residence_of_groups(doc, found: list[Found]) -> list[Found]:
    """Ethnic groups are coded by the country they live in, as event coders
    do: "ethnic Albanians in south Serbia" -> SRB, "the Albanians of southern
    Serbia" -> SRB, "Bosnian Serbs" -> BIH. A demonym stays its own
    country unless the text places the group: a place tied to the group
    ("in/of <place>"), or, for a group called ethnic, the sentence's scene."""
    out: list[Found] = []
    for f in found:
        if f.actor.kind != "country" or f.rule != "dict:country" or not is_demonym(doc, f):
            out.append(f)
            continue
        prev = out[-1] if out else None
        if prev is not None and prev.end == f.start and prev.actor.kind == "country" and is_demonym(doc, prev) \
                and prev.actor.country != f.actor.country and names_people(doc, f.end - 1):
            out[-1] = resident(prev.start, f.end, doc, prev.actor.country, "demonym+demonym")
            continue
        home = tied_place(doc, f, found)
        if home is None and f.start > 0 and doc[f.start - 1].lower_ == "ethnic":
            home = scene_country(doc, doc[f.start].sent, found)
        if home and home != f.actor.country:
            out.append(resident(f.start, f.end, doc, home, "ethnic+residence"))
        else:
            out.append(f)
    return out


def is_demonym(doc, f: Found) -> bool:
    """'Albanians', 'Bosnian', not 'Albania'."""
    text = doc[f.start:f.end].text
    if text.lower() == country_name(f.actor.country or "").lower() or text.isupper():
        return False
    return doc[f.end - 1].tag_ in {"NNPS", "NNS", "JJ"} or (doc[f.end - 1].tag_ == "NNP" and len(text) > 3)


def names_people(doc, i: int) -> bool:
    """'Serbs', 'Serb refugees': the second demonym of a pair names people,
    not a joint adjective pair."""
    return doc[i].lower_.endswith("s") or (i + 1 < len(doc) and doc[i + 1].pos_ == "NOUN")


def tied_place(doc, f: Found, found: list[Found]) -> Optional[str]:
    """Country of the place in the group's own 'in'/'of' phrase."""
    head = doc[f.end - 1]
    for prep in head.children:
        if prep.dep_ != "prep" or prep.lower_ not in {"in", "of"}:
            continue
        for obj in prep.children:
            if obj.dep_ != "pobj":
                continue
            for g in found:
                if g.start <= obj.i < g.end and g.actor.kind in {"country", "government", "city"}:
                    return g.actor.country
    return None


def resident(start: int, end: int, doc, iso: str, rule: str) -> Found:
    name = doc[start:end].text
    actor = Actor(name=name, code=iso, kind="group", country=iso, cameo=iso, id=f"group:{iso}:{name.lower()}")
    return Found(start, end, actor, rule)


def scan_dictionary(doc, date: Optional[str]) -> list[Found]:
    """Longest dictionary phrase starting at each capitalised token."""
    t = load_tables()
    lowers = lower_tokens(doc)
    out: list[Found] = []
    i, n = 0, len(doc)
    while i < n:
        tok = doc[i]
        if lowers[i] not in t.first_words or not (_capitalised(tok) or arabic_article_name(doc, i)):
            i += 1
            continue
        hit = longest_phrase_at(doc, lowers, i, date)
        if hit is not None and lowers[i] == "the" and i + 1 < n:
            # "The United States Department of Transportation": the country after
            # "The" must not hide the longer name that starts one word later
            later = longest_phrase_at(doc, lowers, i + 1, date)
            if later is not None and later.end > hit.end:
                hit = later
        if hit is None:
            i += 1
            continue
        if hit.rule == "dict:person" and hit.end - hit.start == 1 and name_goes_on(doc, hit.end):
            i = hit.end  # "Hassan" alone is one person; "Omar Hassan al-Bashir" is another
            continue
        if hit.actor.kind == "country" and former_qualifier(doc, hit.start):
            i = hit.end  # "ex-Soviet states", "the former Soviet republic of Moldova": history, not an actor
            continue
        if doc[hit.end - 1].lower_ == "'s":
            hit.end -= 1
        if lowers[hit.start] == "the" and hit.end - hit.start > 1 and hit.rule != "dict:capital":
            hit.start += 1  # the mention is the name, not its article
        out.append(hit)
        i = hit.end
    return out


def longest_phrase_at(doc, lowers: list[str], i: int, date: Optional[str], end: Optional[int] = None,
                      kinds: Optional[set] = None) -> Optional[Found]:
    """The longest dictionary phrase starting at token i and ending by `end`
    (the doc's end by default), naming an actor of one of `kinds` (any kind
    by default), or None. `lowers`: the doc's lower-cased tokens, at least up to `end`."""
    end = len(doc) if end is None else end
    for length in range(min(MAX_PHRASE_TOKENS, end - i), 0, -1):
        actor = actor_for_key(" ".join(lowers[i:i + length]), doc[i:i + length], date)
        if actor is not None and (kinds is None or actor[0].kind in kinds):
            return Found(i, i + length, actor[0], actor[1])
    return None


def name_goes_on(doc, i: int) -> bool:
    """Does a personal name continue at token i ("... al-Bashir", "... Mubarak")?"""
    if i >= len(doc):
        return False
    tok = doc[i]
    if tok.lower_ in NAME_PARTICLES and tok.text.islower():
        return True
    return tok.pos_ == "PROPN" and tok.text[:1].isupper() and tok.ent_type_ in {"PERSON", ""} \
        and tok.lower_ not in TITLE_HEADS


def arabic_article_name(doc, i: int) -> bool:
    """'al-Qaeda', 'al Shabaab': a lowercase article before a capitalised name."""
    nxt = i + 2 if i + 2 < len(doc) and doc[i + 1].text == "-" else i + 1
    return doc[i].lower_ in {"al", "el"} and nxt < len(doc) and doc[nxt].text[:1].isupper()


def former_qualifier(doc, start: int) -> bool:
    """Is the name at `start` qualified as a past state ("ex-Soviet",
    "former Yugoslav", "formerly Soviet")?"""
    prev = [t.lower_ for t in doc[max(0, start - 2):start]]
    return bool(prev) and (prev[-1] in {"former", "formerly", "ex", "ex-"} or prev[-2:] == ["ex", "-"])


def _capitalised(tok) -> bool:
    text = tok.text
    return bool(text) and (text[0].isupper() or text[0].isdigit())


def actor_for_key(key: str, span, date: Optional[str]) -> Optional[tuple[Actor, str]]:
    """The actor a dictionary phrase names, or None. Priority: person, IGO,
    seat of government, state body, international org, capital, country."""
    t = load_tables()
    if key in t.uppercase_only and not span.text.isupper():
        return None
    if key not in t.person_alias and " - " in key and key.replace(" - ", " ") in t.person_alias:
        key = key.replace(" - ", " ")  # "Jean-Bertrand Aristide": Phoenix writes JEAN_BERTRAND_ARISTIDE
    if key in t.person_alias:
        pid = t.person_alias[key]
        return person_actor(pid, t.people[pid], span.text, date), "dict:person"
    if key in t.igos:
        own, name, cameo = t.igos[key]
        if len(key) <= 3 and not span.text.isupper():
            return None  # "Au", "Un" are not the organisations
        return Actor(name=name, code=own, kind="igo", igo=cameo, cameo=cameo, id=f"igo:{own}"), "dict:igo"
    if key in t.seats:
        iso, sector = t.seats[key]
        return government_actor(iso, sector, span.text), "dict:seat"
    if key in t.orgs:
        iso, sector = t.orgs[key]
        if len(iso) == 3 and (sector in STATE_AND_GROUP_SECTORS or iso in NON_STATE_CODES):
            return (Actor(name=span.text, code=iso, kind="organisation", country=iso, sector=sector,
                          cameo=iso + sector, id=f"org:{iso}{sector}:{key}"), "dict:org")
    if key in t.international and " " in key:
        cameo = t.international[key]
        kind = "igo" if cameo.startswith("IGO") else "organisation"
        return Actor(name=span.text, code=cameo, kind=kind, igo=cameo if kind == "igo" else None, cameo=cameo,
                     id=f"intl:{cameo}:{key}"), "dict:international"
    if key in t.capitals:
        return government_actor(t.capitals[key], "GOV", span.text, capital=True), "dict:capital"
    if key in t.countries:
        if key in t.ambiguous_lowercase and not span.text[:1].isupper():
            return None
        if key == "us" and span.text != "US":
            return None
        iso = t.countries[key]
        return Actor(name=country_name(iso), code=iso, kind="country", country=iso, cameo=iso,
                     id=f"country:{iso}"), "dict:country"
    return None


def country_name(iso: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_3=iso)
    if country is None:
        return iso
    return getattr(country, "common_name", None) or country.name


def government_actor(iso: str, sector: str, text: str, capital: bool = False) -> Actor:
    """A capital or seat used for the state: the government of that country.
    Same `id` as the country: "Moscow" and "Russia" are one actor."""
    return Actor(name=country_name(iso), code=iso, kind="government", country=iso, sector=sector,
                 cameo=iso + sector, id=f"country:{iso}")


def person_actor(pid: str, entry: dict, text: str, date: Optional[str]) -> Actor:
    """A dictionary person with the code valid on the article's date."""
    code = person_code_on(entry, date)
    country, sector, cameo = (code[0], code[1] or None, code[4]) if code else (None, None, None)
    kind_country = country if country and not country.startswith(("IGO", "NGO")) else None
    return Actor(name=entry["name"], code=country, kind="person", country=kind_country, sector=sector,
                 cameo=cameo, igo=country if country and country.startswith("IGO") else None, id=pid)


def unknown_people(doc, dictionary: list[Found]) -> list[Found]:
    """PERSON entities the dictionary does not know: kept, with no code yet."""
    covered = set()
    for f in dictionary:
        covered.update(range(f.start, f.end))
    out = []
    for ent in doc.ents:
        if ent.label_ != "PERSON" or any(i in covered for i in range(ent.start, ent.end)):
            continue
        start, end = ent.start, ent.end
        while end > start and doc[end - 1].lower_ in {"'s", "’s", "'"}:
            end -= 1
        while start < end and not doc[start].text[:1].isupper():
            start += 1
        if end <= start or names_agent_group(doc, start, end):
            continue
        name = doc[start:end].text
        out.append(Found(start, end, Actor(name=name, kind="person", id=f"person:{name.lower()}"), "ner:person"))
    for i, j in names_ner_missed(doc, covered | {i for f in out for i in range(f.start, f.end)}):
        name = doc[i:j].text
        out.append(Found(i, j, Actor(name=name, kind="person", id=f"person:{name.lower()}"), "ner:person"))
    return out


def names_ner_missed(doc, covered: set) -> list[tuple[int, int]]:
    """Token ranges of names NER left untagged: capitalised proper nouns
    right after a title word ("President F.W. de Klerk") or starting with
    initials ("F.W. de Klerk met ..."). Particles join inside a name only."""
    t = load_tables()
    out, i = [], 0
    while i < len(doc):
        after_title = i > 0 and doc[i - 1].lower_ in TITLE_HEADS
        if i in covered or not (after_title or _initials(doc[i])):
            i += 1
            continue
        j = i
        while j < len(doc) and j not in covered and (
                _name_token(doc[j], t) or _initials(doc[j]) or (doc[j].lower_ in NAME_PARTICLES and j > i)):
            j += 1
        while j > i and doc[j - 1].lower_ in NAME_PARTICLES:
            j -= 1
        proper = [tok for tok in doc[i:j] if not _initials(tok) and tok.lower_ not in NAME_PARTICLES]
        if proper and doc[i:j].text[:1].isupper():
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def names_agent_group(doc, start: int, end: int) -> bool:
    """A PERSON entity that is (or modifies) a generic agent noun: "Riot
    police", "Hutu rebels". The agent pass codes it as a group."""
    if any(tok.lower_ in AGENT_GROUP_HEADS for tok in doc[start:end]):
        return True
    return end < len(doc) and doc[end].lower_ in AGENT_GROUP_HEADS


def name_core(doc, f: Found) -> Found:
    """The bare name of a person mention: a dictionary alias may include a
    title ("russian foreign minister sergey lavrov"), NER may miss the given
    name ("Dmitry" before "Peskov"). The title is re-read by extend_title."""
    t = load_tables()
    start = f.end - 1
    while start > f.start and _name_word(doc, start - 1, t):
        start -= 1
    while start > 0 and start <= f.start and _name_word(doc, start - 1, t) and doc[start - 1].pos_ == "PROPN":
        start -= 1
    start = particle_start(doc, start, t)
    while start >= 2 and doc[start - 1].text == "-" and not doc[start - 2].whitespace_ \
            and _name_token(doc[start - 2], t):
        start -= 2  # hyphenated given name NER cut: "Jean-" before "Bertrand Aristide"
    if start == f.start:
        return f
    actor = f.actor
    if f.rule == "ner:person":
        name = doc[start:f.end].text
        actor = replace(actor, name=name, id=f"person:{name.lower()}")
    return Found(start, f.end, actor, f.rule, f.antecedent)


def particle_start(doc, start: int, t) -> int:
    """Start of a name NER cut at a lowercase particle: "F.W. de" before
    "Klerk", "Osama bin" before "Laden". The particle joins only when a
    capitalised name word stands before it."""
    i = start
    while i > 0 and (doc[i - 1].lower_ in NAME_PARTICLES and doc[i - 1].text.islower()
                     or (doc[i - 1].text == "-" and i > 1 and doc[i - 2].lower_ in NAME_PARTICLES)):
        j = i - 2 if doc[i - 1].text == "-" else i - 1
        k = j
        while k > 0 and (_name_token(doc[k - 1], t) or _initials(doc[k - 1])):
            k -= 1
        if k == j:
            break
        i = k
    return i


def _initials(tok) -> bool:
    """'F.W.', 'J.' — initials of given names."""
    text = tok.text.replace(".", "")
    return tok.text.endswith(".") and text.isalpha() and text.isupper() and len(text) <= 3


def _name_word(doc, i: int, t) -> bool:
    """Token i can be part of a person's name where it stands: not the object
    of a title's "of" that NER tagged apart ("State" in "Secretary of State
    Mike Pompeo")."""
    tok = doc[i]
    if i > 0 and doc[i - 1].lower_ == "of" and tok.ent_type_ != "PERSON":
        return False
    return _name_token(tok, t)


def _name_token(tok, t) -> bool:
    low = tok.lower_
    if not tok.text[:1].isupper() or tok.pos_ != "PROPN" or low in TITLE_HEADS or low in NOT_NAMES:
        return False
    if tok.ent_type_ == "PERSON":
        return True
    return tok.ent_type_ in {"ORG", ""} and low not in t.countries and low not in t.igos and low not in t.agents


def extend_title(doc, f: Found, date: Optional[str]) -> Found:
    """Grow a person mention leftwards over the title the text gives
    ("Russian Deputy Foreign Minister" + name) and code it from the title:
    office, sector, and the country or organisation named in it."""
    i = f.start
    while i > 0 and _title_token(doc[i - 1]) and not joins_two_actors(doc, i - 1):
        i -= 1
    # trim glue words at the left edge
    while i < f.start and doc[i].lower_ in TITLE_GLUE:
        i += 1
    if i == f.start:
        return f
    words = doc[i:f.start]
    owner, office_start = title_owner(doc, i, f.start, date)
    if owner is None:
        owner = possessor_state(doc, i, date)
    office_tokens = [t for t in doc[office_start:f.start]]
    office_words = " ".join(t.text for t in office_tokens).replace(" - ", "-").split()
    if not any(w.lower() in TITLE_HEADS for w in office_words):
        return f
    actor = replace(f.actor)
    actor.office = " ".join(office_words) or None
    sector = agent_sector(office_words)
    if owner is not None:
        if owner.kind == "igo":
            actor.code, actor.igo, actor.country = owner.code, owner.igo, None
            actor.cameo = owner.igo
        elif owner.country:
            actor.code = actor.country = owner.country
            actor.cameo = owner.country + (sector or "")
    if sector:
        actor.sector = sector
        if actor.country and actor.code == actor.country:
            actor.cameo = actor.country + sector
    start = owner_start(doc, i, words)
    return Found(start, f.end, actor, f.rule + "+title", f.antecedent)


def joins_two_actors(doc, i: int) -> bool:
    """'and' inside a title ("Minister of Foreign Affairs and Trade") joins
    title words; after a name or a country ("Muammar Gaddafi and Bulgarian
    President ...", "Syria and Palestinian leader ...") it joins two actors."""
    if doc[i].lower_ not in {"and", "&"}:
        return False
    before = doc[i - 1] if i > 0 else None
    return before is None or not (before.lower_ in TITLE_HEADS or before.lower_ in TITLE_MODIFIERS
                                  or before.lower_ in {"affairs", "defence", "defense", "security", "trade"})


def possessor_state(doc, i: int, date: Optional[str]) -> Optional[Actor]:
    """"Niger's ambassador Brah Mohamane": the country whose title it is,
    written as a possessive before the title (the country stays its own
    mention)."""
    if i < 2 or doc[i - 1].lower_ not in {"'s", "’s"}:
        return None
    for length in range(min(4, i - 1), 0, -1):
        span = doc[i - 1 - length:i - 1]
        hit = actor_for_key(" ".join(t.lower_ for t in span), span, date)
        if hit is not None and hit[0].kind in {"country", "government", "igo"} and span.text[:1].isupper():
            return hit[0]
    return None


def of_country(doc, f: Found, date: Optional[str]) -> Found:
    """'King Hassan of Morocco': a person takes the country named right
    after 'of'; the text's own statement wins over a dictionary person of
    another country (a namesake)."""
    if f.end + 1 >= len(doc) or doc[f.end].lower_ != "of":
        return f
    if f.actor.code and f.rule.startswith("ner:"):
        return f
    for length in range(min(4, len(doc) - f.end - 1), 0, -1):
        span = doc[f.end + 1:f.end + 1 + length]
        hit = actor_for_key(" ".join(t.lower_ for t in span), span, date)
        if hit is not None and hit[0].kind in {"country", "government"} and span.text[:1].isupper():
            iso = hit[0].country
            if iso == f.actor.code:
                return f
            actor = replace(f.actor, code=iso, country=iso, cameo=iso + (f.actor.sector or ""), igo=None)
            if f.actor.code:
                actor.id = f"person:{f.actor.name.lower()}:{iso}"  # not the dictionary's namesake
            return Found(f.start, f.end + 1 + length, actor, f.rule + "+of-country", f.antecedent)
    return f


def appositive_country(doc, f: Found, date: Optional[str]) -> Found:
    """'Salaheddine Sidhoum, Algeria's leading human rights activist': a
    person the dictionary and the title leave without a country takes the
    country named in the apposition that describes them, and its head noun
    as office. The mention stays the name."""
    name_head = doc[f.end - 1]
    if f.actor.code:
        return appositive_office(doc, f, date)
    lowers = lower_tokens(doc)
    for appos in [c for c in name_head.children if c.dep_ == "appos"]:
        for tok in appos.subtree:
            if tok.i >= f.start and tok.i < f.end or not tok.text[:1].isupper() or in_brief(tok, appos):
                continue
            hit = longest_phrase_at(doc, lowers, tok.i, date, end=appos.right_edge.i + 1,
                                    kinds={"country", "government"})
            if hit is not None:
                iso = hit.actor.country
                sector = agent_sector([appos.text])
                actor = replace(f.actor, code=iso, country=iso, sector=sector or f.actor.sector,
                                office=f.actor.office or appos.text, cameo=iso + (sector or ""))
                return Found(f.start, f.end, actor, f.rule + "+appos-country", f.antecedent)
    return f


def in_brief(tok, appos) -> bool:
    """Is `tok` inside a for/to/on phrase of the apposition: the office's
    brief ("special envoy for Ruritania", "ambassador to Ruritania"), not
    the country the person serves?"""
    while tok.i != appos.i and tok.head.i != tok.i:
        if tok.dep_ == "prep" and tok.lower_ in BRIEF_PREPS:
            return True
        tok = tok.head
    return False


def appositive_office(doc, f: Found, date: Optional[str]) -> Found:
    """'Kenzo Oshima, the United Nations Emergency Relief Coordinator': an
    office the text gives in apposition, held for an IGO, wins over the
    dictionary's country for the person (the text's title is current)."""
    if f.actor.office:
        return f
    for appos in [c for c in doc[f.end - 1].children if c.dep_ == "appos"]:
        words = [t for t in appos.subtree if not (f.start <= t.i < f.end)]
        if not any(t.lower_ in TITLE_HEADS for t in words) or not words:
            continue
        owner, _ = title_owner(doc, words[0].i + (words[0].lower_ == "the"), appos.i + 1, date)
        if owner is not None and owner.kind == "igo":
            actor = replace(f.actor, code=owner.code, igo=owner.igo, country=None, cameo=owner.igo,
                            office=doc[words[0].i:appos.i + 1].text)
            return Found(f.start, f.end, actor, f.rule + "+appos-office", f.antecedent)
    return f


def spelling_variant(f: Found, date: Optional[str]) -> Found:
    """A person the exact dictionary lookup, the title and the context left
    without a code may still be a dictionary person the text spells another
    way: "Carlos Menem" (dictionary "Carlos Saul Menem"), "President Mugabe",
    "Jean-Bertrand Aristide", transliterations one or two letters off
    ("Bouteflicka"). The office the text gives is kept."""
    if f.actor.code or f.actor.kind != "person":
        return f
    t = load_tables()
    pid = person_by_name(f.actor.name or "", titled=bool(f.actor.office))
    if pid is None:
        return f
    found = person_actor(pid, t.people[pid], f.actor.name or "", date)
    actor = replace(f.actor, code=found.code, country=found.country, igo=found.igo,
                    sector=f.actor.sector or found.sector, id=found.id,
                    cameo=(found.country + (f.actor.sector or found.sector or "")) if found.country else found.cameo)
    return Found(f.start, f.end, actor, f.rule + "+spelling", f.antecedent)


def _title_token(tok) -> bool:
    if tok.is_punct and tok.text not in {"-"}:
        return False
    if tok.lower_ in TITLE_GLUE or tok.lower_ in TITLE_HEADS or tok.lower_ in TITLE_MODIFIERS:
        return True
    return name_part(tok) and tok.ent_type_ not in {"DATE", "TIME"}


def title_owner(doc, start: int, end: int, date: Optional[str]) -> tuple[Optional[Actor], int]:
    """The country/IGO at the left of a title and where the office begins."""
    lowers = lower_tokens(doc)
    hit = longest_phrase_at(doc, lowers, start, date, end=end, kinds={"country", "government", "igo"})
    return (hit.actor, hit.end) if hit else (None, start)


def owner_start(doc, i: int, words) -> int:
    return i


def extend_state_body(doc, f: Found, taken: list[bool]) -> Found:
    """'US' + 'National Security Council' -> one USA GOV organisation mention;
    'Russian' + 'troops' -> RUS MIL."""
    if f.actor.kind not in {"country", "government", "igo"}:
        return f
    if f.start > 0 and doc[f.start - 1].text in {"-", "–"}:
        return f  # "NATO-Russia Council": a joint body, keep its members
    j = f.end
    while j < len(doc) and not taken[j] and name_part(doc[j]) and doc[j].ent_type_ not in {"GPE", "PERSON"}:
        j += 1
    k = j
    while k < min(len(doc), j + 2) and not taken[k] and doc[k].dep_ in {"compound", "amod"} \
            and doc[k].text.islower() and doc[k].pos_ in {"NOUN", "ADJ"}:
        k += 1  # "Kenyan riot police", "Indonesian security forces"
    if k > j and k < len(doc) and not taken[k] and (doc[k].lower_ in GROUP_WORDS_RIGHT
                                                     or doc[k].lower_ in AGENT_GROUP_HEADS):
        j = k + 1
    elif j < len(doc) and not taken[j] and doc[j].lower_ in GROUP_WORDS_RIGHT:
        j += 1
    if j == f.end:
        return f
    if doc[j - 1].lower_ in STATE_BODY_HEADS:
        j = body_of_phrase_end(doc, j, taken)
    words = [t.text for t in doc[f.end:j]]
    head = words[-1].lower()
    sector = agent_sector(words)
    if head not in STATE_BODY_HEADS and sector is None:
        return f
    sector = sector or STATE_BODY_HEADS.get(head)
    base = f.actor
    name = doc[f.start:j].text
    if base.kind == "igo":
        actor = replace(base, name=name, kind="organisation", sector=sector, id=f"org:{base.code}:{name.lower()}")
    else:
        iso = base.country
        actor = Actor(name=name, code=iso, kind="organisation", country=iso, sector=sector,
                      cameo=iso + (sector or ""), id=f"org:{iso}{sector or ''}:{' '.join(words).lower()}")
    return Found(f.start, j, actor, f.rule + "+body")


def bloc_groups(doc, taken: list[bool]) -> list[Found]:
    """'Western media outlets', 'European leaders': groups with a sector but
    no single country."""
    out = []
    for i, tok in enumerate(doc):
        if taken[i] or tok.lower_ not in BLOC_ADJECTIVES or not tok.text[:1].isupper():
            continue
        j = i + 1
        while j < len(doc) and not taken[j] and doc[j].lower_ in GROUP_WORDS_RIGHT:
            j += 1
        if j == i + 1:
            continue
        words = [t.text for t in doc[i + 1:j]]
        sector = agent_sector(words) or STATE_BODY_HEADS.get(words[-1].lower())
        name = doc[i:j].text
        out.append(Found(i, j, Actor(name=name, kind="group", sector=sector,
                                     cameo=BLOC_ADJECTIVES[tok.lower_] + (sector or ""),
                                     id=f"group:{name.lower()}"), "bloc"))
    return out


# ------------------------------------------------------------------ records
def to_mention(ctx: ArticleContext, f: Found) -> ActorMention:
    doc = ctx.doc
    span = doc[f.start:f.end]
    actor = f.actor
    if actor.kind == "government" and f.rule == "dict:capital" and is_locative(span.root):
        actor = replace(actor, kind="city", sector="CVL", cameo=(actor.country or "") + "CVL")
    start, end = span.start_char, span.end_char
    why = f.rule + (f"; {f.basis}" if f.basis else "")
    return ActorMention(id=stable_id("am", ctx.article.id, start, end, actor.id), article=ctx.article.id,
                        sentence=ctx.sentence_at(start), start=start, end=end, text=span.text, actor=actor,
                        antecedent=f.antecedent, why=why)


def is_locative(tok) -> bool:
    """'in Moscow' is a place, 'Moscow said' is the government."""
    head = tok
    while head.dep_ == "conj" and head.head.i != head.i:
        head = head.head
    return head.dep_ == "pobj" and head.head.lower_ in LOCATIVE_PREPS


# ------------------------------------------------------------------ linking
def link_surnames(ctx: ArticleContext, found: list[Found], mentions: list[ActorMention]) -> list[ActorMention]:
    """Bare later surnames ("Peskov") -> the first full mention of that person,
    copying its code and office; dictionary hits for a person already named
    with a title inherit that title's office too."""
    doc = ctx.doc
    by_surname: dict[str, ActorMention] = {}
    by_actor: dict[str, ActorMention] = {}
    for m in mentions:
        words = m.actor.name.split()
        if m.actor.kind != "person" or not words:
            continue  # (a blank name, from an entity of spaces alone, names no one)
        surname = words[-1].lower()
        if m.actor.id in by_actor:
            first = by_actor[m.actor.id]
            if first.start < m.start:
                m.antecedent = first.id
                m.actor = merge_person(m.actor, first.actor)
            continue
        if surname in by_surname and by_surname[surname].start < m.start and len(words) == 1:
            first = by_surname[surname]
            m.antecedent = first.id
            m.actor = merge_person(m.actor, first.actor, adopt_identity=True)
            continue
        by_actor[m.actor.id] = m
        if len(words) > 1:
            by_surname.setdefault(surname, m)
    taken = set()
    for m in mentions:
        taken.update(range(m.start, m.end))
    extra = []
    for tok in doc:
        key = tok.lower_
        if key in by_surname and tok.pos_ == "PROPN" and tok.idx not in taken:
            first = by_surname[key]
            if first.start >= tok.idx:
                continue
            start, end = tok.idx, tok.idx + len(tok.text)
            extra.append(ActorMention(id=stable_id("am", ctx.article.id, start, end, first.actor.id),
                                      article=ctx.article.id, sentence=ctx.sentence_at(start), start=start,
                                      end=end, text=tok.text, actor=replace(first.actor), antecedent=first.id,
                                      why="surname"))
    return extra


def merge_person(later: Actor, first: Actor, adopt_identity: bool = False) -> Actor:
    """A later mention keeps what it says itself and borrows the rest."""
    merged = replace(first) if adopt_identity else replace(later)
    for field in ("code", "country", "sector", "office", "igo", "cameo"):
        if getattr(later, field) and not adopt_identity:
            continue
        if getattr(later, field) and adopt_identity:
            setattr(merged, field, getattr(later, field))
        elif getattr(first, field):
            setattr(merged, field, getattr(first, field))
    return merged


def link_groups(ctx: ArticleContext, mentions: list[ActorMention]) -> list[ActorMention]:
    """'the two nations', 'both sides' -> the two actors last named together."""
    doc = ctx.doc
    out = []
    coordinated = coordinated_pairs(doc, mentions)
    for i, tok in enumerate(doc[:-1]):
        if tok.lower_ not in GROUP_DETERMINERS or doc[i + 1].lower_ not in GROUP_NOUNS:
            continue
        start = tok.idx
        if i > 0 and doc[i - 1].lower_ == "the":
            start = doc[i - 1].idx
        end = doc[i + 1].idx + len(doc[i + 1].text)
        pair = next((p for p in reversed(coordinated) if p[1].end <= start), None)
        if pair is None:
            continue
        for ante in pair:
            out.append(ActorMention(id=stable_id("am", ctx.article.id, start, end, ante.actor.id),
                                    article=ctx.article.id, sentence=ctx.sentence_at(start), start=start, end=end,
                                    text=ctx.article.text[start:end], actor=replace(ante.actor), antecedent=ante.id,
                                    why="group-link"))
    return out


def coordinated_pairs(doc, mentions: list[ActorMention]) -> list[tuple[ActorMention, ActorMention]]:
    """Pairs of state/IGO mentions joined by 'and' in one sentence, in order."""
    states = [m for m in mentions if m.actor.kind in {"country", "government", "igo"}]
    pairs = []
    text = doc.text
    for a, b in zip(states, states[1:]):
        if a.sentence != b.sentence or a.actor.id == b.actor.id:
            continue
        between = text[a.end:b.start].strip().lower()
        if between in {"and", "&", "and the"}:
            pairs.append((a, b))
    return pairs
