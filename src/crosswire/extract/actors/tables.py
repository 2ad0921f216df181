"""The actor dictionaries, loaded once per process.

The data file (data/actors/actors.json) is built from PETRARCH2's Phoenix
dictionaries (MIT) and pycountry by scripts/build_actor_tables.py. Keys are
lowercase phrases tokenised the way spaCy tokenises ("nato - russia"), so a
lookup is one dict probe per candidate token span.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Optional

from ...config import DATA_DIR
from ...loading import load_once

TABLE_PATH = DATA_DIR / "actors" / "actors.json"
MAX_PHRASE_TOKENS = 8

# Words that head an office or title; an office phrase must contain one.
TITLE_HEADS = {
    "minister", "president", "secretary", "spokesperson", "spokesman", "spokeswoman", "ambassador", "envoy",
    "chancellor", "premier", "general", "secretary-general", "chief", "head", "leader", "representative",
    "commander", "king", "queen", "prince", "emir", "governor", "mayor", "senator", "lawmaker", "director",
    "chairman", "chairwoman", "chair", "speaker", "official", "officials", "diplomat", "negotiator", "adviser",
    "advisor", "aide", "attorney", "prosecutor", "judge", "justice", "mp", "congressman", "congresswoman",
    "sheikh", "ayatollah", "pope", "cardinal", "patriarch", "archbishop", "commissioner", "coordinator",
    "councillor", "colonel", "major", "captain", "lieutenant", "admiral", "marshal", "sergeant", "officer",
    "deputy", "vice", "counselor", "press secretary", "monarch", "dictator", "ruler", "mediator", "inspector",
    "inspectors", "observer", "observers", "monitor", "monitors", "peacekeepers", "delegate", "delegates",
}
# Lowercase words that sit inside titles ("junior foreign minister").
TITLE_MODIFIERS = {"junior", "senior", "foreign", "deputy", "vice", "prime", "former", "interim", "acting", "top",
                   "defence", "defense", "interior", "finance", "trade", "justice", "state", "assistant", "chief"}
# Lowercase words that may sit inside a title ("Minister of Foreign Affairs").
TITLE_GLUE = {"of", "for", "and", "the", "-", "&"}

# Default sector of an office head when the agents table has no entry.
HEAD_SECTOR = {
    "minister": "GOV", "president": "GOV", "secretary": "GOV", "spokesperson": "GOV", "spokesman": "GOV",
    "spokeswoman": "GOV", "ambassador": "GOV", "envoy": "GOV", "chancellor": "GOV", "premier": "GOV",
    "general": "MIL", "commander": "MIL", "colonel": "MIL", "admiral": "MIL", "marshal": "MIL", "king": "GOV",
    "queen": "GOV", "prince": "GOV", "emir": "GOV", "governor": "GOV", "mayor": "GOV", "senator": "LEG",
    "lawmaker": "LEG", "mp": "LEG", "congressman": "LEG", "congresswoman": "LEG", "speaker": "LEG",
    "judge": "JUD", "justice": "JUD", "prosecutor": "JUD", "attorney": "JUD", "diplomat": "GOV",
    "negotiator": "GOV", "official": "GOV", "officials": "GOV", "secretary-general": "GOV",
}
# First words of an office that make it a state office whatever its head.
STATE_OFFICE_PREFIXES = {"presidential", "government", "kremlin", "state", "cabinet", "ministry", "prime"}
# Organisation heads that make "<Country> ... <head>" a state body.
STATE_BODY_HEADS = {
    "council": "GOV", "ministry": "GOV", "department": "GOV", "government": "GOV", "administration": "GOV",
    "cabinet": "GOV", "office": "GOV", "parliament": "LEG", "senate": "LEG", "congress": "LEG",
    "assembly": "LEG", "army": "MIL", "navy": "MIL", "forces": "MIL", "military": "MIL", "troops": "MIL",
    "command": "MIL", "police": "COP", "court": "JUD", "embassy": "GOV", "mission": "GOV", "agency": "GOV",
    "service": "GOV", "committee": "GOV", "delegation": "GOV", "authorities": "GOV", "officials": "GOV",
    "diplomats": "GOV", "leadership": "GOV", "media": "MED", "outlets": "MED", "press": "MED",
    "opposition": "OPP", "rebels": "REB", "protesters": "CVL", "party": "PTY", "house": "LEG",
}


@dataclass(frozen=True)
class Tables:
    countries: dict
    capitals: dict
    seats: dict
    igos: dict
    international: dict
    orgs: dict
    agents: dict
    people: dict
    person_alias: dict  # alias -> person id
    first_words: frozenset
    ambiguous_lowercase: frozenset
    uppercase_only: frozenset = frozenset()  # acronyms ("LTTE") that mixed-case text ("Let") must not match
    parties: dict = field(default_factory=dict)  # party phrase -> countries whose party it names
    subdivisions: dict = field(default_factory=dict)  # state/province name -> countries that have one


@load_once
def load_tables() -> Tables:
    """Read the compact table once (about 0.3 s)."""
    data = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
    alias: dict[str, str] = {}
    for pid, entry in data["people"].items():
        for a in entry["aliases"]:
            if a not in data["countries"] and a not in data["capitals"]:
                alias.setdefault(a, pid)
    firsts = set()
    for table in ("countries", "capitals", "seats", "igos", "international", "orgs"):
        firsts.update(k.split(" ", 1)[0] for k in data[table])
    firsts.update(k.split(" ", 1)[0] for k in alias)
    return Tables(
        countries=data["countries"], capitals=data["capitals"], seats=data["seats"], igos=data["igos"],
        international=data["international"], orgs=data["orgs"], agents=data["agents"], people=data["people"],
        person_alias=alias, first_words=frozenset(firsts),
        ambiguous_lowercase=frozenset(data.get("ambiguous_lowercase", [])),
        uppercase_only=frozenset(data.get("uppercase_only", [])),
        parties=data.get("parties", {}), subdivisions=data.get("subdivisions", {}),
    )


def person_code_on(entry: dict, date: Optional[str]) -> Optional[list]:
    """The person's [country, sector, start, end, cameo] valid on `date`
    (ISO), else the open-ended/latest one. Phoenix ranges are inclusive."""
    codes = entry.get("codes") or []
    if not codes:
        return None
    if date:
        valid = [c for c in codes if (c[2] or "0001") <= date <= (c[3] or "9999")]
        dated = [c for c in valid if c[2] or c[3]]
        if dated:
            return max(dated, key=lambda c: c[2] or "")
        if valid:
            return valid[0]
    open_ended = [c for c in codes if c[2] and not c[3]]
    if open_ended:
        return max(open_ended, key=lambda c: c[2])
    return codes[-1]


def agent_sector(words: list[str]) -> Optional[str]:
    """Sector of an office/agent phrase: its longest suffix in the Phoenix
    agents table ("deputy foreign minister" -> "foreign minister" -> GOV),
    else the default sector of its head word."""
    t = load_tables()
    lowered = " ".join(w.lower() for w in words).replace(" - ", "-").split()
    if lowered and lowered[0] in STATE_OFFICE_PREFIXES:
        return "GOV"
    hyphen_keys = [" ".join(lowered[i:]).replace("-", " - ") for i in range(len(lowered))]
    for key in hyphen_keys:
        if key in t.agents:
            return t.agents[key]
    for i in range(len(lowered)):
        key = " ".join(lowered[i:])
        if key in t.agents:
            return t.agents[key]
    if lowered[-2:] == ["secretary", "general"]:
        return HEAD_SECTOR["secretary-general"]  # the office, not a general of the army
    for w in reversed(lowered):
        if w in HEAD_SECTOR:
            return HEAD_SECTOR[w]
        if w in STATE_BODY_HEADS:
            return STATE_BODY_HEADS[w]
    return None


@load_once
def name_indexes() -> tuple[dict, dict]:
    """Indexes of the dictionary's people by name parts, for names the text
    spells differently from the dictionary: (first, last) word -> person
    ids ("Carlos Menem" for "carlos saul menem"), last word -> person ids
    ("President Mugabe"). Hyphens are ignored ("Jean-Bertrand")."""
    t = load_tables()
    by_ends: dict[tuple[str, str], set] = {}
    by_last: dict[str, set] = {}
    for alias, pid in t.person_alias.items():
        words = name_words(alias)
        if len(words) < 2:
            continue
        by_ends.setdefault((words[0], words[-1]), set()).add(pid)
        by_last.setdefault(words[-1], set()).add(pid)
    return by_ends, by_last


def name_words(name: str) -> list[str]:
    return [w for w in name.lower().replace("-", " ").split() if w not in {"-", "'s"}]


def person_by_name(name: str, titled: bool = False) -> Optional[str]:
    """The dictionary person a name the exact lookup missed stands for:
    same first and last word, or (a lone surname after a title, "President
    Mugabe") the one person with that surname, or a spelling within one or two letters of a dictionary name
    with the same initials ("Francois Mitterand", "Abdelaziz Bouteflicka").
    None when the candidates disagree."""
    import difflib

    t = load_tables()
    words = name_words(name)
    if not words:
        return None
    by_ends, by_last = name_indexes()
    joined = " ".join(words)
    if joined in t.person_alias:
        return t.person_alias[joined]
    if len(words) >= 2 and is_initials(words[0]):
        ids = by_initials(words, by_last)
    elif len(words) >= 2:
        ids = by_ends.get((words[0], words[-1]), set())
    elif titled:
        ids = by_last.get(words[0], set())
    else:
        return None
    if len(ids) > 1 and len(words) > 2:
        ids = fullest_match(words, ids) or ids
    if len(ids) == 1:
        return next(iter(ids))
    if ids or len(words) < 2 or len(joined) < 10:
        return None
    candidates = aliases_by_initials().get((words[0][:1], words[-1][:1]), {})
    close = difflib.get_close_matches(joined, list(candidates), n=3, cutoff=0.9)
    pids = {candidates[a] for a in close}
    return pids.pop() if len(pids) == 1 else None


def fullest_match(words: list[str], ids: set) -> set:
    """Of namesakes sharing first and last word, those with an alias that
    holds every word of the text's name in order ("Omar Hassan al-Bashir"
    -> "omar hassan ahmad al bashir", not "omar al bashir" of another entry)."""
    t = load_tables()

    def holds(alias_words: list[str]) -> bool:
        it = iter(alias_words)
        return all(w in it for w in words)

    return {pid for pid in ids if any(holds(name_words(a)) for a in t.people[pid]["aliases"])}


def is_initials(word: str) -> bool:
    """'f.w.', 'j.' — given names written as initials."""
    letters = word.replace(".", "")
    return word.endswith(".") and letters.isalpha() and len(letters) <= 3


def by_initials(words: list[str], by_last: dict) -> set:
    """People whose given names start with the initials and whose surname
    matches: "F.W. de Klerk" -> "Frederick Willem de Klerk"."""
    letters = words[0].replace(".", "")
    t = load_tables()
    out = set()
    for pid in by_last.get(words[-1], set()):
        for alias in t.people[pid]["aliases"]:
            given = name_words(alias)[:-1]
            if len(given) >= len(letters) and all(g[:1] == c for g, c in zip(given, letters)):
                out.add(pid)
    return out


@load_once
def aliases_by_initials() -> dict:
    """(first initial, last initial) -> {normalised alias: person id}: the
    candidates a misspelt name is compared with."""
    t = load_tables()
    out: dict[tuple[str, str], dict] = {}
    for alias, pid in t.person_alias.items():
        words = name_words(alias)
        if len(words) >= 2:
            out.setdefault((words[0][:1], words[-1][:1]), {})[" ".join(words)] = pid
    return out
