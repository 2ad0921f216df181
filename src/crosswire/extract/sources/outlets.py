"""Public helper: the outlet lexicon and outlet mentions in a text.

Used by the sources stage and by the quotes stage (for the medium of a
quote); it holds no stage logic. The knowledge is data:
crosswire/data/quotes/outlets.json lists agencies, broadcasters and
newspapers with aliases, type and home city, and the descriptive nouns
("the news agency", "the broadcaster") that refer back to them.

    from crosswire.extract.sources.outlets import outlet_mentions
    for m in outlet_mentions(text): print(m.start, m.end, m.outlet.name, m.descriptive)
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Optional

from ...config import DATA_DIR
from ...loading import load_once

LEXICON_PATH = DATA_DIR / "quotes" / "outlets.json"
CUES_PATH = DATA_DIR / "quotes" / "cues.json"


@dataclass(frozen=True)
class Outlet:
    name: str
    type: str
    hq: Optional[str] = None
    country: Optional[str] = None


@dataclass
class OutletMention:
    start: int
    end: int
    text: str
    outlet: Optional[Outlet]  # None: a descriptive reference nothing earlier resolves
    descriptive: bool = False  # "the Atlanta-based broadcaster" rather than a name


@dataclass
class Lexicon:
    outlets: list[Outlet]
    by_alias: dict[str, Outlet]
    alias_re: re.Pattern
    descriptors: dict[str, list[str]]
    descriptor_re: re.Pattern


@load_once
def lexicon() -> Lexicon:
    data = json.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    outlets, by_alias = [], {}
    for row in data["outlets"]:
        outlet = Outlet(row["name"], row["type"], row.get("hq"), row.get("country"))
        outlets.append(outlet)
        for alias in row["aliases"]:
            by_alias[alias] = outlet
    aliases = sorted(by_alias, key=len, reverse=True)
    # Names are matched case-sensitively: "AP" and "RT" are acronyms, not words.
    alias_re = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(a) for a in aliases) + r")(?![\w-])")
    descriptors = {k: v for k, v in data["descriptors"].items() if k != "about"}
    nouns = sorted(descriptors, key=len, reverse=True)
    descriptor_re = re.compile(
        r"\b[Tt]he\s+(?:(?P<city>[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)-based\s+|(?P<adj>[a-z]+)\s+)?"
        r"(?P<noun>" + "|".join(re.escape(n) for n in nouns) + r")\b")
    return Lexicon(outlets, by_alias, alias_re, descriptors, descriptor_re)


@functools.lru_cache(maxsize=1)
def cue_lexicon() -> dict:
    """Speech cues, speaker nouns, pronouns, medium words (data/quotes/cues.json)."""
    return json.loads(CUES_PATH.read_text(encoding="utf-8"))


def outlet_mentions(text: str) -> list[OutletMention]:
    """Named outlets and descriptive references, in text order; a
    descriptive reference resolves to the most recent outlet named before it
    whose type (and home city, when given) fits, else to the one lexicon
    outlet of that city and type."""
    lex = lexicon()
    found: list[OutletMention] = []
    for m in lex.alias_re.finditer(text):
        found.append(OutletMention(m.start(), m.end(), m.group(0), lex.by_alias[m.group(0)]))
    for m in lex.descriptor_re.finditer(text):
        if any(f.start < m.end() and m.start() < f.end for f in found):
            continue  # "the Associated Press" is a name, not a description
        if m.group("adj") and m.group("adj") not in {"news", "media", "state", "private", "public", "wire", "tv"}:
            if m.group("noun") in {"paper", "daily", "network", "channel", "outlet", "publication", "website"}:
                continue  # "the white paper", "the social network": not an outlet
        types = lex.descriptors[m.group("noun")]
        city = m.group("city")
        found.append(OutletMention(m.start(), m.end(), m.group(0),
                                   _resolve_descriptor(found, m.start(), types, city), descriptive=True))
    found.sort(key=lambda f: f.start)
    return found


def _resolve_descriptor(found: list[OutletMention], before: int, types: list[str],
                        city: Optional[str]) -> Optional[Outlet]:
    earlier = sorted((f for f in found if f.end <= before and f.outlet and not f.descriptive),
                     key=lambda f: -f.start)
    for f in earlier:
        if f.outlet.type in types and (city is None or f.outlet.hq == city):
            return f.outlet
    if city:
        matches = [o for o in lexicon().outlets if o.hq == city and o.type in types]
        if len(matches) == 1:
            return matches[0]
    return None


def find_outlet(name: str) -> Optional[Outlet]:
    """The lexicon outlet a name (or alias) denotes, if any."""
    lex = lexicon()
    m = lex.alias_re.search(name)
    return lex.by_alias[m.group(0)] if m else None
