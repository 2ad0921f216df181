"""Compare: per event and per story, which outlets agree and which differ.

Why: a user wants to see at a glance what every outlet confirms, where they
disagree (a different date, another participant), and what rests on one
outlet alone. `compare(resolution, results)` fills `Event.agreement` and
`Story.agreement`; `comparison_rows(story, events)` flattens them into table
rows for `crosswire compare STORY`.

Event.agreement:
    {"reported_by": [outlets], "single_source": bool,
     "date" | "place" | "status": {"values": {value: [outlets]}, "missing": [outlets], "agree": bool,
                                    "only_in": {value: outlet}},
     "participants" | "numbers": same shape; values are set members (a participant's
                                  "name (CODE)", a number as written)}
`place` compares the venue each outlet's text gives the event (basis
explicit; a dateline is where a report was filed, not a claim about the
event). `date` compares the dates each outlet's text gives the event (a day, a
month, a week: "last week" is 2021-W51), not the publication day or the
article lead's day the events stage falls back on when the text gives none,
which are no claim about the event; two dates agree when one contains the
other ("January" and "January 12"). Place and status agree when the outlets
that give them give one value; a set-valued field (participants, numbers) agrees when
every outlet that names any member names the same members. `only_in` lists
values that one outlet alone reports while others report the event.

Story.agreement:
    {"outlets": [...], "events": n, "corroborated": [event ids reported by 2+ outlets],
     "single_source": {outlet: [event ids only it reports]},
     "conflicts": [{"event": id, "field": name, "values": {value: [outlets]}}]}
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, Optional, Sequence

from ..extract.time import timex_to_interval
from ..records import ArticleResult, Event, Mention, Story

SINGLE_VALUED = ("date", "place", "status")
SET_VALUED = ("participants", "numbers")
FIELDS = ("date", "participants", "place", "numbers", "status")
STATUS_STRENGTH = {"occurred": 3, "ongoing": 2, "planned": 1}
# how the events stage dates an event its text does not date: no claim about the event
FALLBACK_DATE_BASES = frozenset({"publication", "inferred", "none"})

MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
          "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*(%|percent|per cent|million|billion|"
                    r"thousand|troops|soldiers|people|dead|killed|injured|wounded|km|kilometres|miles))?",
                    re.IGNORECASE)
DATE_CONTEXT = re.compile(rf"(?:{MONTHS})\.?\s*$|^\s*(?:st|nd|rd|th)?\s*(?:of\s+)?(?:{MONTHS})\b", re.IGNORECASE)


def numbers_in(text: str) -> list[str]:
    """Numbers a sentence states (not day numbers of dates, not years)."""
    out = []
    for m in NUMBER.finditer(text or ""):
        value = m.group(0).strip()
        before, after = text[max(0, m.start() - 12):m.start()], text[m.end():m.end() + 12]
        if DATE_CONTEXT.search(before) or DATE_CONTEXT.search(after):
            continue
        if re.fullmatch(r"(1[89]|20)\d\d", m.group(1)):
            continue
        out.append(value.lower())
    return out


def _participant_label(p) -> str:
    return f"{p.name} ({p.code})" if p.code else p.name


def _outlet_values(event: Event, by_mention: dict, canon: dict) -> dict[str, dict[str, set[str]]]:
    """Per field, per outlet, the values that outlet's reports give."""
    per: dict[str, dict[str, set[str]]] = {f: defaultdict(set) for f in FIELDS}
    status_by_outlet: dict[str, str] = {}
    for men in event.mentions:
        outlet = men.outlet or men.article
        src = by_mention.get(men.mention_id)
        stated = stated_date(men, src)
        if stated:
            per["date"][outlet].add(stated)
        if men.status:
            prev = status_by_outlet.get(outlet)
            if prev is None or STATUS_STRENGTH.get(men.status, 0) > STATUS_STRENGTH.get(prev, 0):
                status_by_outlet[outlet] = men.status
        if src is not None:
            for p in list(src.actors) + list(src.recipients):
                per["participants"][outlet].add(_participant_label(canon.get((p.name, p.code), p)))
            if src.location is not None and src.location.basis == "explicit":
                per["place"][outlet].add(src.location.label)
        per["numbers"][outlet].update(numbers_in(men.text))
    for outlet, status in status_by_outlet.items():
        per["status"][outlet].add(status)
    return per


def stated_date(men: Mention, src) -> Optional[str]:
    """The date a report's text gives the event, at the precision it gives
    (None for a date the events stage fell back on: the publication day, the
    day the article's lead dates). Without the mention record, the stored
    calendar date."""
    if src is None:
        return men.date
    if src.timex is None and src.date_basis in FALLBACK_DATE_BASES:
        return None
    return src.date


def dates_agree(values) -> bool:
    """Whether every two dates can be one day: one's interval contains the
    other's ("2022-01" and "2022-01-12"); "2021-W51" and "2021-12-28" cannot."""
    spans = [timex_to_interval(v)[:2] for v in values]
    known = [(a, b) for a, b in spans if a and b]
    if len(known) < len(spans):
        return len(set(values)) <= 1
    return all(a1 <= a2 and b2 <= b1 or a2 <= a1 and b1 <= b2
               for i, (a1, b1) in enumerate(known) for a2, b2 in known[i + 1:])


def _field_summary(name: str, per_outlet: dict[str, set[str]], reported_by: list[str]) -> dict[str, Any]:
    values: dict[str, list[str]] = defaultdict(list)
    for outlet in sorted(per_outlet):
        for v in sorted(per_outlet[outlet]):
            values[v].append(outlet)
    giving = sorted(o for o in per_outlet if per_outlet[o])
    if name == "date":
        agree = dates_agree(values)
    elif name in SINGLE_VALUED:
        agree = len(values) <= 1
    else:
        agree = len({frozenset(per_outlet[o]) for o in giving}) <= 1
    only_in = {v: os[0] for v, os in values.items() if len(os) == 1 and len(reported_by) > 1}
    gave = set(giving)
    return {"values": dict(sorted(values.items())), "missing": [o for o in reported_by if o not in gave],
            "agree": agree, "only_in": only_in}


def event_agreement(event: Event, by_mention: dict, canon: Optional[dict] = None) -> dict[str, Any]:
    """`canon` maps a surface (name, code) to the event's canonical participant,
    so "Petrenko" and "Ivan Petrenko" count as one participant."""
    reported_by = sorted({m.outlet or m.article for m in event.mentions})
    per = _outlet_values(event, by_mention, canon or {})
    out: dict[str, Any] = {"reported_by": reported_by, "single_source": len(reported_by) == 1}
    for name in FIELDS:
        out[name] = _field_summary(name, per[name], reported_by)
    return out


def story_agreement(story: Story, events: Sequence[Event]) -> dict[str, Any]:
    members = set(story.events)
    mine = [e for e in events if e.id in members]
    outlets = sorted({o for e in mine for o in e.agreement.get("reported_by", [])} | set(story.outlets))
    single: dict[str, list[str]] = defaultdict(list)
    conflicts = []
    for e in sorted(mine, key=lambda e: e.id):
        rb = e.agreement.get("reported_by", [])
        if len(rb) == 1:
            single[rb[0]].append(e.id)
        for name in FIELDS:
            f = e.agreement.get(name, {})
            if f and not f.get("agree", True):
                conflicts.append({"event": e.id, "field": name, "values": f["values"]})
    return {"outlets": outlets, "events": len(mine),
            "corroborated": sorted(e.id for e in mine if len(e.agreement.get("reported_by", [])) > 1),
            "single_source": dict(sorted(single.items())), "conflicts": conflicts}


def compare(resolution, results: Sequence[ArticleResult]) -> None:
    """Fill Event.agreement and Story.agreement in place."""
    by_mention = {m.id: m for r in results for m in r.event_mentions}
    names = {a.id: a for a in getattr(resolution, "actors", [])}
    for event in resolution.events:
        canon = {}
        for p in list(event.actors) + list(event.recipients):
            entry = names.get(p.actor_id)
            for surface in (entry.names if entry else [p.name]):
                canon[(surface, p.code)] = p
        event.agreement = event_agreement(event, by_mention, canon)
    for story in resolution.stories:
        story.agreement = story_agreement(story, resolution.events)


def comparison_rows(story: Story, events: Sequence[Event]) -> list[dict[str, Any]]:
    """Rows for the `crosswire compare STORY` table, one per (event, field).

    Each row: {"event": id, "what": "CONSULT planned 2022-01-10: <text…>",
    "field": "reported_by" | "date" | "participants" | "place" | "numbers" | "status",
    "agree": "yes" | "no" | "single source" | "-",
    "values": "value [outlet, outlet]; value [outlet]", "missing": "outlets that report the
    event but not this field", "only_in": "value (outlet); ..."}.
    Events come in date order (undated last), fields in FIELDS order; fields no
    outlet gives are left out. Call `compare` first so `agreement` is filled.
    """
    wanted = set(story.events)
    mine = sorted((e for e in events if e.id in wanted), key=lambda e: (e.date or "9999", e.id))
    rows = []
    for e in mine:
        ag = e.agreement or {}
        what = f"{e.event_type} {e.status} {e.date or 'undated'}: {_short(e.event_text)}"
        rb = ag.get("reported_by", [])
        rows.append({"event": e.id, "what": what, "field": "reported_by",
                     "agree": "single source" if ag.get("single_source") else "yes",
                     "values": ", ".join(rb), "missing": "", "only_in": ""})
        for name in FIELDS:
            f = ag.get(name)
            if not f or not f["values"]:
                continue
            rows.append({"event": e.id, "what": what, "field": name,
                         "agree": "-" if len(rb) < 2 else ("yes" if f["agree"] else "no"),
                         "values": "; ".join(f"{v} [{', '.join(os)}]" for v, os in f["values"].items()),
                         "missing": ", ".join(f["missing"]),
                         "only_in": "; ".join(f"{v} ({o})" for v, o in f["only_in"].items())})
    return rows


def _short(text: Optional[str], n: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"
