"""Cross-document actor linking: one canonical id per person or organisation.

Why: "Peskov" in one article and "Dmitry Peskov" in another are one person;
events and stories compare participants by these ids. Rules, in order:
organisations and countries link by code (their code is their identity);
people link by code and surname, a bare surname joining the single full
name with that surname and code (left alone when two full names share it);
anything else links by its normalised name.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

from ..records import ArticleResult, Participant, stable_id

TITLES = frozenset("""mr mrs ms dr president prime minister foreign deputy secretary general spokesman
spokeswoman spokesperson ambassador chancellor king queen prince sen senator rep gen general
colonel col lt captain adm admiral sir lord the""".split())
ORG_KINDS = frozenset({"country", "government", "igo", "organisation", "group"})


@dataclass
class ActorRef:
    name: str
    code: Optional[str]
    kind: str


@dataclass
class ActorEntry:
    """A canonical actor with every surface name it was seen under."""

    id: str
    name: str
    code: Optional[str]
    kind: str
    names: list[str] = field(default_factory=list)


def name_tokens(name: str) -> list[str]:
    words = re.findall(r"[A-Za-z\u00C0-\u024F][\w\u00C0-\u024F'\-]*", name or "")
    return [w.lower() for w in words if w.lower() not in TITLES]


def _is_person(ref: ActorRef) -> bool:
    return ref.kind == "person"


CODE_IS_IDENTITY = frozenset({"country", "government", "igo"})


def _org_key(ref: ActorRef) -> str:
    """A country, its government and an IGO are their code; an agency or group
    sharing a country's code ("USA") is still its own actor, keyed by name."""
    if ref.code and ref.kind in CODE_IS_IDENTITY:
        return f"code:{ref.code}"
    return f"name:{ref.code or ''}:" + " ".join(name_tokens(ref.name))


def link_actors(refs: Iterable[ActorRef]) -> dict[tuple[str, Optional[str], str], str]:
    """Map every (name, code, kind) to a canonical key; order-independent."""
    refs = sorted({(r.name, r.code, r.kind) for r in refs}, key=lambda t: (t[0], t[1] or "", t[2]))
    mapping: dict[tuple[str, Optional[str], str], str] = {}
    full_by_surname: dict[tuple[Optional[str], str], set[str]] = defaultdict(set)
    for name, code, kind in refs:
        toks = name_tokens(name)
        if kind == "person" and len(toks) >= 2:
            full_by_surname[(code, toks[-1])].add(" ".join(toks))
    for name, code, kind in refs:
        ref = ActorRef(name, code, kind)
        toks = name_tokens(name)
        if not _is_person(ref):
            mapping[(name, code, kind)] = _org_key(ref)
            continue
        if not toks:
            mapping[(name, code, kind)] = _org_key(ref)
            continue
        fulls = full_by_surname.get((code, toks[-1]), set())
        if len(toks) == 1 and len(fulls) == 1:
            mapping[(name, code, kind)] = f"person:{code}:{next(iter(fulls))}"
        else:
            mapping[(name, code, kind)] = f"person:{code}:{' '.join(toks)}"
    return mapping


def actor_id(key: str) -> str:
    return stable_id("x", key)


def refs_of(results: Sequence[ArticleResult]) -> list[ActorRef]:
    """Every actor reference in the results: actor mentions and event participants."""
    refs: list[ActorRef] = []
    for r in results:
        for am in r.actor_mentions:
            refs.append(ActorRef(am.actor.name, am.actor.code, am.actor.kind))
        for m in r.event_mentions:
            for p in list(m.actors) + list(m.recipients):
                refs.append(ActorRef(p.name, p.code, p.kind))
        for q in r.quotes:
            refs.append(ActorRef(q.speaker.name, q.speaker.code, q.speaker.kind))
    return refs


def build_actor_index(results: Sequence[ArticleResult]) -> tuple[dict, list[ActorEntry]]:
    """(mapping (name, code, kind) -> actor id, canonical actors sorted by id)."""
    refs = refs_of(results)
    keys = link_actors(refs)
    counts = Counter((r.name, r.code, r.kind) for r in refs)
    grouped: dict[str, list[tuple[str, Optional[str], str]]] = defaultdict(list)
    for ref, key in keys.items():
        grouped[key].append(ref)
    mapping: dict[tuple[str, Optional[str], str], str] = {}
    entries = []
    for key, group in grouped.items():
        aid = actor_id(key)
        for ref in group:
            mapping[ref] = aid
        # canonical name: a person's fullest name; otherwise the most frequent form
        if key.startswith("person:"):
            best = max(group, key=lambda t: (len(name_tokens(t[0])), counts[t], t[0]))
        else:
            best = max(group, key=lambda t: (counts[t], t[2] in CODE_IS_IDENTITY, t[0]))
        entries.append(ActorEntry(aid, best[0], best[1], best[2], sorted({g[0] for g in group})))
    entries.sort(key=lambda e: e.id)
    return mapping, entries


def canonical_participant(p: Participant, mapping: dict, names: dict[str, str]) -> Participant:
    """A copy of p carrying its canonical actor id and name."""
    aid = mapping.get((p.name, p.code, p.kind)) or p.actor_id
    return Participant(name=names.get(aid, p.name), code=p.code, sector=p.sector, office=p.office, kind=p.kind,
                       igo=p.igo, actor_id=aid, mention=p.mention)
