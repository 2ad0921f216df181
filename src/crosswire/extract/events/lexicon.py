"""Trigger lexicon: PETRARCH2's CAMEO verb dictionary (MIT) compiled to a
compact JSON, the CAMEO->PLOVER table (CC BY-SA), and crosswire's own small
tables for what the verb dictionary cannot see (noun triggers of light-verb
constructions, reporting verbs, status cues).

The compiled verb table maps a verb lemma to its default CAMEO code and its
patterns; a pattern is (words before the verb, words after it, CAMEO code),
each word a set of alternatives (synonym sets expanded). Matching is done
over the verb's dependency subtree, which replaces PETRARCH's CoreNLP parse
with spaCy's.
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Optional

from ...config import DATA_DIR
from ...loading import load_once

EVENTS_DATA = DATA_DIR / "events"
VERBS_JSON = EVENTS_DATA / "cameo_verbs.json"
MAPPING_TXT = EVENTS_DATA / "CAMEO2PLOVER-2021.txt"

# PLOVER 0.5 names in older gold -> current PLOVER (PLOVER manual, CAMEO table).
PLOVER_05_TO_CURRENT = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT"}

# CAMEO root -> pentaclass (ConfliBERT / QuadClass with a neutral class).
def pentaclass_of_cameo(code: str) -> int:
    root = int(code[:2])
    if root <= 1:
        return 0
    if root <= 5:
        return 1
    if root <= 8:
        return 2
    if root <= 13:
        return 3
    return 4


PLOVER_TO_PENTACLASS = {
    "NONE": 0, "AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "COOPERATE": 2, "AID": 2, "CONCEDE": 2, "RETREAT": 2,
    "REQUEST": 3, "ACCUSE": 3, "REJECT": 3, "THREATEN": 3, "PROTEST": 4, "MOBILIZE": 4, "SANCTION": 4,
    "COERCE": 4, "ASSAULT": 4,
}

# Nouns that name an event when a light verb carries them ("hold talks"),
# when they are scheduled ("a meeting is scheduled"), or headline-style.
# noun lemma -> CAMEO code (PLOVER type follows through the mapping).
NOUN_TRIGGERS = {
    "talk": "040", "talks": "040", "meeting": "040", "summit": "040", "negotiation": "046", "discussion": "040",
    "dialogue": "040", "consultation": "040", "conference": "040", "session": "040", "visit": "042",
    "call": "041", "phone": "041", "mediation": "045", "assembly": "040", "round": "040",
    "agreement": "057", "treaty": "057", "deal": "057", "accord": "057", "ceasefire": "0356", "truce": "0356",
    "proposal": "100", "demand": "100", "request": "020", "appeal": "020", "ultimatum": "1041",
    "accusation": "112", "allegation": "112", "charge": "112", "criticism": "111", "condemnation": "111",
    "investigation": "090", "inquiry": "090", "probe": "090",
    "threat": "130", "warning": "130",
    "protest": "141", "demonstration": "141", "rally": "141", "riot": "145", "unrest": "145", "strike": "143", "boycott": "143",
    "sanction": "163", "sanctions": "163", "embargo": "163", "ban": "163", "expulsion": "166",
    "deployment": "154", "buildup": "154", "build-up": "154", "exercise": "152", "drill": "152",
    "mobilization": "154", "mobilisation": "154",
    "arrest": "173", "detention": "173", "blockade": "191", "occupation": "192", "siege": "191",
    "attack": "190", "invasion": "192", "offensive": "190", "assault": "190", "airstrike": "195",
    "bombing": "195", "shelling": "194", "raid": "190", "operation": "190", "clash": "190", "fighting": "190",
    "aid": "070", "assistance": "070", "loan": "071", "withdrawal": "087", "release": "0841", "pullout": "087",
    "guarantee": "030", "pledge": "030", "promise": "030", "commitment": "030", "cooperation": "060",
    "denial": "120", "rejection": "120", "refusal": "120", "veto": "120",
    "curfew": "1723",
}
# Event nouns whose CAMEO code depends on the verb carrying them: a truce
# "declared" or "observed" is CAMEO 0871 (declare truce -> PLOVER RETREAT
# ceasefire), one "agreed" or "signed" stays 0356 (AGREE).
NOUN_CARRIER_CODES = {
    ("ceasefire", "declare"): "0871", ("ceasefire", "observe"): "0871", ("ceasefire", "announce"): "0871",
    ("truce", "declare"): "0871", ("truce", "observe"): "0871", ("truce", "announce"): "0871",
}
# Verbs that only carry an event noun ("hold talks", "launch an attack").
LIGHT_VERBS = {"hold", "have", "conduct", "launch", "stage", "impose", "sign", "make", "issue", "level",
               "reach", "carry", "mount", "begin", "start", "resume", "convene", "host", "put", "submit",
               "publish", "present", "send", "deliver", "offer", "give", "announce", "plan", "schedule",
               "organise", "organize", "call", "continue", "attend", "join", "take", "set", "file", "lodge",
               "provide", "extend", "approve", "propose", "reiterate", "renew", "repeat", "voice", "undertake",
               "declare", "observe"}
# Verbs that schedule/hold an event noun that is their subject ("a meeting
# is scheduled", "talks will take place", "the conference would focus").
SUBJECT_CARRIERS = {"schedule", "hold", "take", "plan", "set", "expect", "begin", "start", "focus", "center",
                    "centre", "open", "end", "continue", "convene", "happen", "occur", "follow", "resume"}

# Verbs that report speech (CAMEO 01 statements): never events themselves.
REPORTING_VERBS = {"say", "tell", "state", "note", "explain", "add", "reveal", "confirm", "announce", "report",
                   "write", "claim", "declare", "stress", "emphasise", "emphasize", "insist", "argue",
                   "express", "believe", "think", "understand", "know", "remark", "comment", "mention",
                   "describe", "suggest", "indicate", "acknowledge", "assert", "recall", "quote", "cite",
                   "reiterate", "point", "brief", "inform", "predict", "estimate", "expect", "hope", "seem",
                   "appear", "look", "consider", "discuss_"}
# Verbs whose complement is an allegation: events inside are `claimed`.
ALLEGATION_VERBS = {"allege", "claim", "accuse", "charge", "contend", "purport", "rumour", "rumor"}
# Verbs/nouns of denial: their complement or object is `denied`.
DENIAL_WORDS = {"deny", "dismiss", "reject", "refute", "rebuff", "disavow", "dispute", "denial"}
DENIED_OBJECTS = {"accusation", "allegation", "claim", "report", "charge", "suggestion", "rumour", "rumor",
                  "assertion", "speculation"}


def load_cameo_mapping(path: Path = MAPPING_TXT) -> dict[str, tuple[str, str, str]]:
    """CAMEO code -> (PLOVER type, mode, context) from CAMEO2PLOVER-2021.txt."""
    table: dict[str, tuple[str, str, str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        m = re.match(r"^(\d{2,4}):\s*(.*)$", line)
        if not m:
            continue
        parts = [p.strip() for p in m.group(2).split(",")]
        plover = parts[0] if parts else ""
        mode = parts[1] if len(parts) > 1 else ""
        context = parts[2] if len(parts) > 2 else ""
        table[m.group(1)] = (plover, mode, context)
    return table


@functools.lru_cache(maxsize=1)
def cameo_mapping() -> dict[str, tuple[str, str, str]]:
    return load_cameo_mapping()


def plover_of_cameo(code: Optional[str]) -> tuple[str, Optional[str], list[str]]:
    """(PLOVER type or NONE, mode, contexts) by the longest matching prefix.
    CAMEO 01 and 02 have no PLOVER type: NONE."""
    if not code or not code[:2].isdigit() or code[:2] in {"01", "02", "00"}:
        return "NONE", None, []
    table = cameo_mapping()
    for n in range(len(code), 1, -1):
        hit = table.get(code[:n])
        if hit and hit[0]:
            plover, mode, context = hit
            return plover, (mode or None), ([context] if context else [])
    return "NONE", None, []


# PLOVER type -> the generic CAMEO code given when only the model names the type.
PLOVER_DEFAULT_CAMEO = {
    "AGREE": "030", "CONSULT": "040", "SUPPORT": "050", "COOPERATE": "060", "AID": "070", "CONCEDE": "080",
    "RETREAT": "084", "REQUEST": "100", "ACCUSE": "112", "REJECT": "120", "THREATEN": "130", "PROTEST": "140",
    "MOBILIZE": "150", "SANCTION": "160", "COERCE": "170", "ASSAULT": "190",
}

# Default CAMEO codes for core verbs whose PETRARCH2 block has none ([---]).
VERB_DEFAULT_OVERRIDES = {
    "deny": "120", "reject": "120", "refuse": "120", "rebuff": "120", "dismiss": "120", "decline": "120",
    "sign": "057", "talk": "040", "negotiate": "046", "visit": "042", "host": "043", "confer": "040",
    "urge": "020", "invade": "192", "bomb": "195", "shell": "194", "arrest": "173", "detain": "173",
    "sanction": "163", "deploy": "154", "mobilize": "154", "mobilise": "154", "withdraw": "087",
    "threaten": "130", "warn": "130", "accuse": "112", "condemn": "111", "criticize": "111",
    "criticise": "111", "allege": "112", "protest": "141", "demonstrate": "141", "engage": "040",
    "demand": "100", "surrender": "0874", "capitulate": "0874",
}
# Light verbs whose PETRARCH2 default code is a guess that misleads when they
# carry no event noun ("issued a declaration demanding ...", "gave a warm
# welcome", "took steps to enhance freedoms"): only their patterns code them.
NO_BARE_DEFAULT = {"issue", "give", "take", "conduct"}
# CAMEO 02 (appeal) and 10 (demand) run in parallel (021 appeal for material
# cooperation ~ 101 demand it, ..., 028 ~ 108). PETRARCH2's DEMAND block
# shares URGE's and WANT's patterns, so "demanded elections" matches an
# appeal pattern (0241): for a demand verb the pattern's topic is kept and
# the root made 10. Intention patterns (03) give the plain demand (100).
def demand_analogue(code: str) -> str:
    """The CAMEO 10 code parallel to an appeal/intent code matched by a demand verb."""
    if code.startswith("02") and len(code) >= 3 and code[2] != "0":
        return "10" + code[2:]
    if code.startswith(("01", "02", "03")):
        return "100"
    return code


# Objects of "block"/"barricade" that are a passage: blocking them is CAMEO
# 144 (obstruct passage, PLOVER PROTEST) unless security forces do it
# (CAMEO 191 restrict movement, COERCE).
PASSAGE_OBJECTS = {"road", "roads", "street", "streets", "bridge", "highway", "motorway", "railway", "rail", "traffic",
                   "transport", "access", "entrance", "entrances", "crossing", "route", "routes", "port", "airport",
                   "border", "junction", "intersection", "square", "tracks", "line", "lines", "way"}
SECURITY_FORCES = {"police", "policeman", "policemen", "troop", "troops", "army", "soldier", "soldiers", "force",
                   "forces", "military", "authority", "authorities", "government", "navy", "guard", "guards"}
# "stopped work", "shunned work", "downed tools": a strike (CAMEO 143).
WORK_STOPPAGE_VERBS = {"stop", "shun", "down", "quit", "halt", "leave", "abandon", "suspend", "boycott"}
WORK_OBJECTS = {"work", "job", "jobs", "tools", "class", "classes", "lessons"}
# Withdrawing or expelling these is reducing relations (CAMEO 166/1662,
# PLOVER SANCTION withdraw/expel), not a military retreat or a deportation.
NONMILITARY_PERSONNEL = {"ambassador", "ambassadors", "envoy", "envoys", "diplomat", "diplomats", "inspector",
                         "inspectors", "observer", "observers", "monitor", "monitors", "staff", "mission", "embassy",
                         "worker", "workers", "personnel", "delegation", "consul", "attache", "attaché"}
PERSONNEL_VERBS = {"withdraw": "166", "expel": "166", "recall": "166", "pull": "166"}
# "vowed/swore/pledged to fight": a promise of violence is a threat (CAMEO 138).
PROMISE_VERBS = {"vow", "swear", "pledge", "promise"}

# Verbs the PLOVER manual places in a type other than their CAMEO code's:
# "RETREAT also covers resignations of government officials" (mode resign),
# while CAMEO files resigning under 083 (accede to demands -> CONCEDE).
PLOVER_VERB_TYPES = {"resign": ("RETREAT", "resign"), "step_down": ("RETREAT", "resign")}
# Objects that turn a proposal into a request for an agreement (CAMEO 10).
PROPOSAL_OBJECTS = {"draft", "drafts", "agreement", "agreements", "treaty", "guarantee", "guarantees",
                    "proposal", "proposals", "plan", "document", "documents", "deal", "pact"}


@load_once
def verb_table() -> dict[str, dict]:
    """lemma -> {"code": default CAMEO code or None, "patterns": [[pre, post, code], ...]},
    each pattern word a frozenset of alternatives (synonym sets shared)."""
    data = json.loads(VERBS_JSON.read_text(encoding="utf-8"))
    synsets = {name: frozenset(words) for name, words in data.pop("&synsets", {}).items()}
    cache: dict[str, frozenset] = {}

    def alts(word: list[str]) -> frozenset:
        if len(word) == 1 and word[0].startswith("&"):
            return synsets.get(word[0][1:], frozenset())
        key = "\x1f".join(word)
        if key not in cache:
            cache[key] = frozenset(word)
        return cache[key]

    for entry in data.values():
        entry["patterns"] = [([alts(w) for w in pre], [alts(w) for w in post], code)
                             for pre, post, code in entry["patterns"]]
    return data


# ------------------------------------------------------------- compilation
def compile_verb_dictionary(path: Path) -> dict[str, dict]:
    """Parse PETRARCH2's CAMEO.2.0.txt into the verb table (build time)."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    synsets: dict[str, list[str]] = {}
    table: dict[str, dict] = {}
    i = 0
    current_set = None
    while i < len(lines) and "VERB PATTERNS" not in lines[i]:
        line = lines[i].split("#", 1)[0].strip()
        if line.startswith("&"):
            current_set = line[1:].strip().rstrip("_").upper()
            synsets[current_set] = []
        elif line.startswith("+") and current_set:
            synsets[current_set].append(line[1:].strip().rstrip("_").lower().replace("_", " "))
        elif not line:
            current_set = None
        i += 1
    block_code = None
    block_verbs: list[str] = []
    for raw in lines[i:]:
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        header = re.match(r"^---\s+(\S+)\s+\[([^\]]*)\]", line)
        if header:
            block_code = _code(header.group(2))
            block_verbs = []
            continue
        if line.startswith("-"):
            m = re.match(r"^-\s*(.*?)\s*\[([^\]]*)\]", line)
            if not m:
                continue
            code = _code(m.group(2))
            pre, post = _pattern_words(m.group(1), synsets)
            for verb in block_verbs:
                table[verb]["patterns"].append([pre, post, code])
            continue
        m = re.match(r"^\+?([A-Z][A-Z_'\-]*)\s*(\{[^}]*\})?\s*(\[[^\]]*\])?", line.strip())
        if not m:
            continue
        word = m.group(1).rstrip("_").lower()
        own = _code(m.group(3)[1:-1]) if m.group(3) else None
        particle = []
        if "_" in word:
            word, rest = word.split("_", 1)
            particle = [[w] for w in rest.split("_") if w]
        entry = table.setdefault(word, {"code": None, "patterns": []})
        code = own if m.group(3) else block_code
        if particle:
            entry["patterns"].append([[], particle, code])
        elif code and not entry["code"]:
            entry["code"] = code
        if word not in block_verbs:
            block_verbs.append(word)
    table["&synsets"] = {name: sorted({w.split()[-1] for w in words if w}) for name, words in synsets.items() if words}
    return table


def _code(text: str) -> Optional[str]:
    """'042:043' -> '042'; ':173' -> '173'; '---' -> None."""
    parts = [p.strip() for p in text.split(":")]
    for p in parts:
        if p and p != "---" and p[:2].isdigit():
            return p
    return None


def _pattern_words(text: str, synsets: dict[str, list[str]]) -> tuple[list[list[str]], list[list[str]]]:
    """Words before and after '*' in a pattern, each a list of alternatives."""
    text = text.replace("{", " ").replace("}", " ").replace("(", " ").replace(")", " ")
    before, _, after = text.partition("*")

    def words(chunk: str) -> list[list[str]]:
        out = []
        for tok in chunk.split():
            if tok in {"$", "+", "^", "%", "|"} or not re.search(r"[A-Za-z&]", tok):
                continue
            if tok.startswith("&"):
                name = tok[1:].rstrip("_").upper()
                if synsets.get(name):
                    out.append(["&" + name])  # a reference, expanded once at load time
                continue
            out.append([tok.strip("_$+^%").lower().replace("_", " ")])
        return out

    return words(before), words(after)
