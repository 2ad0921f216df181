"""The article's home country: the one country a whole article is plainly
about, read from its own coded mentions, its dateline and its outlet's
country domain.

Why: an article names its setting once or twice and then writes "the
government", "protesters", "the Senate", "lawmakers", or names people the
dictionary does not know ("Senator Eduardo Ruiz"). A coder reading the whole
article codes them with that country; the sentence alone gives nothing. The
home country is kept only when it is unambiguous (see `decide`), and every
code taken from it carries its evidence (`HomeCountry.evidence`).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Optional
from urllib.parse import urlsplit

from .tables import load_tables

# Thresholds chosen on the news_events train articles (bench/actor_recall.py):
# the leading country needs this many votes, this share of all country votes
# and at least twice the runner-up's votes (an article about two countries
# is about neither). A mention in the first sentence (headline or lede) votes twice, so
# a lone sentence has a home only when it names one country twice and no other.
MIN_VOTES = 3.0
MIN_SHARE = 0.45
MIN_LEAD = 2.0
DATELINE_WEIGHT = 3.0  # "WASHINGTON (Reuters) —": the outlet's own statement of the setting
OUTLET_WEIGHT = 1.0  # a national domain (".co.uk", ".de"): a weak prior, outlets report abroad too
# Country-code domains used worldwide as generic ones.
GENERIC_DOMAINS = {"tv", "io", "co", "me", "fm", "ai", "ly", "cc", "ws", "to", "am", "gg", "la", "nu", "tk", "info"}
DATELINE = re.compile(r"^\s*([A-Z][A-Z.'\- ]{2,40}?)(?:,\s*([A-Z][\w.' ]{1,30}?))?\s*(?:\([^)\n]{1,40}\))?\s*[—–-]{1,2}\s")
REGIONS = {"MEA", "SAS", "SEA", "EAF", "WAF", "LAM", "AFR", "EUR", "ASA", "SAF", "NMR", "EEU", "CAS", "SAM",
           "NAF", "WEU", "CFR", "INT", "WST", "IGO", "NGO", "IMG"}


@dataclass(frozen=True)
class HomeCountry:
    """The country an article is about, with the votes that decided it."""

    iso: str
    votes: float
    total: float
    runner_up: Optional[str] = None
    runner_up_votes: float = 0.0
    dateline: Optional[str] = None
    outlet_domain: Optional[str] = None

    @property
    def evidence(self) -> str:
        """'home USA: 14 of 19 country votes (next GBR 2; dateline WASHINGTON)'."""
        parts = [f"next {self.runner_up} {self.runner_up_votes:g}"] if self.runner_up else []
        if self.dateline:
            parts.append(f"dateline {self.dateline}")
        if self.outlet_domain:
            parts.append(f"outlet domain .{self.outlet_domain}")
        extra = f" ({'; '.join(parts)})" if parts else ""
        return f"home {self.iso}: {self.votes:g} of {self.total:g} country votes{extra}"


def infer_home(doc, countries_named: Iterable[tuple[Optional[str], float]],
               url: Optional[str] = None) -> Optional[HomeCountry]:
    """The article's home country, or None when the article is not plainly
    about one. `countries_named`: (country, weight) of every coded mention (a
    country, its government, a city, a person or body coded with a country);
    GPE names of states and provinces the dictionary lacks vote for their
    country too."""
    votes: Counter[str] = Counter()  # float weights
    for iso, weight in countries_named:
        if iso is not None and is_country_code(iso):
            votes[iso] += weight  # type: ignore[assignment]
    votes.update(subdivision_votes(doc))
    place, dateline_iso = dateline_country(doc.text)
    if dateline_iso:
        votes[dateline_iso] += DATELINE_WEIGHT  # type: ignore[assignment]
    domain, outlet_iso = outlet_country(url)
    if outlet_iso:
        votes[outlet_iso] += OUTLET_WEIGHT  # type: ignore[assignment]
    return decide(votes, place if dateline_iso else None, domain if outlet_iso else None)


def decide(votes: Counter, dateline: Optional[str] = None, domain: Optional[str] = None) -> Optional[HomeCountry]:
    """The leading country when it has enough votes, share and lead."""
    ranked = votes.most_common(2)
    if not ranked:
        return None
    iso, top = ranked[0]
    second, second_votes = ranked[1] if len(ranked) > 1 else (None, 0.0)
    total = sum(votes.values())
    if top < MIN_VOTES or top < MIN_SHARE * total or top < MIN_LEAD * second_votes:
        return None
    return HomeCountry(iso, top, total, second, second_votes, dateline, domain)


def is_country_code(code: Optional[str]) -> bool:
    return code is not None and len(code) == 3 and code.isalpha() and code.isupper() and code not in REGIONS


def subdivision_votes(doc) -> Counter:
    """'Texas', 'Scotland', 'Punjab' as places: a vote for the one country
    that has a state or province so named (ISO 3166-2), when the name is no
    country itself."""
    t = load_tables()
    out: Counter = Counter()
    for ent in doc.ents:
        if ent.label_ != "GPE":
            continue
        key = " ".join(tok.lower_ for tok in ent if tok.lower_ != "the")
        owners = t.subdivisions.get(key, [])
        if len(owners) == 1 and key not in t.countries and key not in t.capitals:
            out[owners[0]] += 1
    return out


def dateline_country(text: str) -> tuple[Optional[str], Optional[str]]:
    """('WASHINGTON', 'USA') for a text opening "WASHINGTON (AP) — ..." or
    "KYIV, Ukraine —"; (None, None) when it has no dateline the tables
    place."""
    m = DATELINE.match(text[:120])
    if not m:
        return None, None
    t = load_tables()
    for part in (m.group(2), m.group(1)):
        if not part:
            continue
        key = " ".join(re.sub(r"([-'])", r" \1 ", part.lower()).split())
        iso = t.countries.get(key) or t.capitals.get(key)
        owners = t.subdivisions.get(key, [])
        if iso is None and len(owners) == 1:
            iso = owners[0]
        if iso:
            return m.group(1).strip(), iso
    return None, None


def outlet_country(url: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """('uk', 'GBR') for an outlet at "www.example.co.uk"; nothing for
    generic and worldwide-used domains."""
    if not url:
        return None, None
    import pycountry

    host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    tld = host.rsplit(".", 1)[-1].lower() if "." in host else ""
    if len(tld) != 2 or tld in GENERIC_DOMAINS:
        return None, None
    country = pycountry.countries.get(alpha_2="GB" if tld == "uk" else tld.upper())
    return (tld, country.alpha_3) if country else (None, None)
