"""The REST API over HTTP against a real uvicorn server and a real DuckDB
store: listing and filters, 404s, the token rule, body limits, bad requests,
escaping of untrusted text, uploads processed in the background, exports."""
from __future__ import annotations

import csv
import io
import json

import httpx
import pytest

from crosswire.config import Settings
from crosswire.web import create_app
from web_helpers import ARTICLE_A, FEED_TOKEN, READ_TOKEN, TOKEN, XSS_TEXT, LiveServer, build_store, wait_for_job

MAX_BODY = 64 * 1024
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def fixture_server(tmp_path_factory):
    """The fixture store (hand-made records), served read-open with a write token."""
    db = str(tmp_path_factory.mktemp("api") / "store.duckdb")
    fx = build_store(db)
    with LiveServer(create_app(db, token=TOKEN, max_body_bytes=MAX_BODY)) as server:
        yield server.url, fx


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory):
    """An empty store for uploads (processing re-resolves the whole store, so
    it must not share the fixture store). Embeddings off to keep it quick."""
    db = str(tmp_path_factory.mktemp("upload") / "store.duckdb")
    settings = Settings.load(db=db, use_embeddings=False, progress=False)
    with LiveServer(create_app(db, token=TOKEN, max_body_bytes=MAX_BODY, settings=settings)) as server:
        yield server.url


@pytest.fixture(scope="module")
def private_server(tmp_path_factory):
    """Reads need a token too: the read token (or the write token); the feed token opens the calendar feed."""
    db = str(tmp_path_factory.mktemp("private") / "store.duckdb")
    fx = build_store(db)
    with LiveServer(create_app(db, token=TOKEN, read_token=READ_TOKEN, feed_token=FEED_TOKEN)) as server:
        yield server.url, fx


def get(base: str, path: str, **kw) -> httpx.Response:
    return httpx.get(base + path, timeout=30, **kw)


# ------------------------------------------------------------------- reads
def test_openapi_document_lists_the_api(fixture_server):
    base, _ = fixture_server
    doc = get(base, "/openapi.json").json()
    for path in ("/api/articles", "/api/articles/{article_id}", "/api/events", "/api/events/{event_id}",
                 "/api/quotes", "/api/stories", "/api/stories/{story_id}", "/api/actors", "/api/search",
                 "/api/jobs/{job_id}", "/api/export/planned.ics", "/api/export/plover.jsonl",
                 "/api/export/events.geojson"):
        assert path in doc["paths"], path
    assert "post" in doc["paths"]["/api/articles"]
    assert "multipart/form-data" in doc["paths"]["/api/articles"]["post"]["requestBody"]["content"]


def test_event_filters(fixture_server):
    base, fx = fixture_server

    def ids(**params):
        return {e["id"] for e in get(base, "/api/events", params=params).json()["events"]}

    assert ids(status="planned") == set(fx.meetings)
    assert ids(event_type="cooperate") == {fx.proposal}
    assert ids(actor="EST") == {fx.meetings[0], fx.proposal}
    assert ids(actor="alliance") == {fx.meetings[1]}
    assert ids(date_from="2024-03-11", date_to="2024-03-12") == {fx.meetings[1]}
    assert ids(outlet="southern") == set(fx.meetings) | {fx.proposal}
    assert ids(story=fx.story) == set(fx.meetings) | {fx.proposal}
    assert ids(status="denied") == set()
    assert ids(country="che") == {fx.meetings[0]} and ids(country="VAL") == {fx.proposal}
    assert ids(bbox="0,40,10,50") == {fx.meetings[0]}  # west,south,east,north around the venue
    assert ids(bbox="0,0,60,60") == {fx.meetings[0], fx.proposal}
    assert ids(bbox="170,0,20,60") == {fx.meetings[0]}  # west > east: the box crosses the antimeridian
    assert ids(bbox="-20,-20,-10,-10") == set()
    page = get(base, "/api/events", params={"limit": 2, "offset": 1}).json()
    assert page["count"] == 2 and len(page["events"]) == 2


def test_invalid_filters_are_json_errors(fixture_server):
    base, _ = fixture_server
    bad_status = get(base, "/api/events", params={"status": "held"})
    assert bad_status.status_code == 422 and "held" in bad_status.json()["error"]
    bad_date = get(base, "/api/events", params={"date_from": "last tuesday"})
    assert bad_date.status_code == 422 and "date_from" in bad_date.json()["error"]
    for bad in ("1,2,3", "a,b,c,d", "0,50,10,40", "0,0,200,10"):
        r = get(base, "/api/events", params={"bbox": bad})
        assert r.status_code == 422 and "bbox" in r.json()["error"], bad
    assert get(base, "/api/events", params={"country": "Switzerland"}).status_code == 422
    bad_limit = get(base, "/api/events", params={"limit": 0})
    assert bad_limit.status_code == 422 and bad_limit.json()["error"]
    assert get(base, "/api/search").status_code == 422


def test_event_detail_has_mentions_quotes_and_provenance(fixture_server):
    base, fx = fixture_server
    council = get(base, f"/api/events/{fx.meetings[1]}").json()
    assert {a["id"] for a in council["articles"]} == {fx.article_a, fx.article_b}
    assert all(a["mentions"] for a in council["articles"])
    chains = [[link["name"] for link in p["chain"]] for p in council["provenance"]]
    assert ["Southern Post", "Harbour Agency"] in chains
    proposal = get(base, f"/api/events/{fx.proposal}").json()
    assert [q["speaker_name"] for q in proposal["quotes"]] == ["Tomas Vey"]
    assert proposal["comparison"]["conflicts"] == ["date"]
    # an id prefix finds the event too (as in the CLI's `show`)
    assert get(base, f"/api/events/{fx.proposal[:8]}").json()["event"]["id"] == fx.proposal


def test_story_detail_timeline_and_comparison(fixture_server):
    base, fx = fixture_server
    story = get(base, f"/api/stories/{fx.story}").json()
    timeline = story["timeline"]
    assert [e["date"] for e in timeline] == sorted(e["date"] for e in timeline)
    assert [e["status"] for e in timeline].count("planned") == 3
    assert set(story["comparison"]["outlets"]) == {"Northern Wire", "Southern Post"}
    rows = {r["event"]["id"]: r["comparison"] for r in story["comparison"]["rows"]}
    assert rows[fx.proposal]["conflicts"] == ["date"]
    assert rows[fx.meetings[0]]["conflicts"] == []
    stories = get(base, "/api/stories").json()["stories"]
    listed = next(s for s in stories if s["id"] == fx.story)
    assert listed["n_planned"] == 3 and listed["latest"]


def test_articles_quotes_actors_search(fixture_server):
    base, fx = fixture_server
    articles = get(base, "/api/articles").json()
    assert articles["total"] == 3 and all("text" not in a for a in articles["articles"])
    article = get(base, f"/api/articles/{fx.article_a}").json()
    assert article["article"]["text"].startswith("Valdoria")
    assert {e["id"] for e in article["events"]} == set(fx.meetings) | {fx.proposal}
    assert [q["speaker_name"] for q in get(base, "/api/quotes", params={"speaker": "brel"}).json()["quotes"]] \
        == ["Ana Brel"]
    codes = {a["code"] for a in get(base, "/api/actors").json()["actors"]}
    assert {"VAL", "EST", "ALLIANCE", "FORUM"} <= codes
    assert {e["id"] for e in get(base, "/api/actors/FORUM").json()["events"]} == {fx.meetings[2]}
    hits = get(base, "/api/search", params={"q": "envoy"}).json()["articles"]
    assert [h["id"] for h in hits] == [fx.article_x]


def test_not_found_is_json(fixture_server):
    base, _ = fixture_server
    for path in ("/api/events/nope", "/api/stories/nope", "/api/articles/nope", "/api/jobs/nope",
                 "/api/actors/NOPE", "/api/no-such-thing"):
        r = get(base, path)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("application/json")
        assert r.json()["error"]


def test_untrusted_text_round_trips_in_json_and_is_escaped_in_pages(fixture_server):
    base, fx = fixture_server
    article = get(base, f"/api/articles/{fx.article_x}").json()["article"]
    assert article["text"] == XSS_TEXT  # RTL mark, zero-width, emoji, combining accent intact
    for path in (f"/events/{fx.xss_event}", f"/stories/{fx.xss_story}", f"/articles/{fx.article_x}", "/",
                 "/search?q=envoy", "/actors", "/events"):
        page = get(base, path)
        assert page.status_code == 200, path
        html = page.text
        assert "<script>window" not in html and "<img src=x" not in html, path
        assert "javascript:" not in html, path
        assert "script-src 'self'" in page.headers["content-security-policy"]
    event_page = get(base, f"/events/{fx.xss_event}").text
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in event_page
    assert "\u200f" in event_page and "🇺🇳😀" in event_page and "e\u0301" in event_page


# -------------------------------------------------------------------- writes
def test_writes_need_the_token(empty_server):
    base = empty_server
    body = {"text": ARTICLE_A}
    missing = httpx.post(base + "/api/articles", json=body)
    assert missing.status_code == 401 and missing.json()["error"]
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = httpx.post(base + "/api/articles", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403 and wrong.json()["error"]
    wrong_header = httpx.post(base + "/api/articles", json=body, headers={"X-Crosswire-Token": "nope"})
    assert wrong_header.status_code == 403
    # the read-only cookie never authorises a write
    cookie = httpx.post(base + "/api/articles", json=body, cookies={"crosswire_token": TOKEN})
    assert cookie.status_code == 401


def test_bad_requests_are_json_errors(empty_server):
    base = empty_server

    def post(**kw):
        return httpx.post(base + "/api/articles", headers={**AUTH, **kw.pop("headers", {})}, **kw)

    malformed = post(content=b'{"text": "unterminated', headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400 and "malformed JSON" in malformed.json()["error"]
    missing_text = post(json={"title": "no text"})
    assert missing_text.status_code == 422 and "text" in missing_text.json()["error"]
    wrong_type = post(json=[{"text": 42}])
    assert wrong_type.status_code == 422
    unsupported = post(content=b"plain", headers={"Content-Type": "text/plain"})
    assert unsupported.status_code == 415 and unsupported.json()["error"]
    empty_form = post(data={"title": "only a title"})
    assert empty_form.status_code == 422


def test_oversized_bodies_are_refused_with_413(empty_server):
    base = empty_server
    big = {"text": "x" * (MAX_BODY + 10)}
    declared = httpx.post(base + "/api/articles", json=big, headers=AUTH)
    assert declared.status_code == 413 and "too large" in declared.json()["error"]

    def chunks():  # streamed without a Content-Length
        for _ in range(40):
            yield b"y" * 4096
    streamed = httpx.post(base + "/api/articles", content=chunks(),
                          headers={**AUTH, "Content-Type": "application/json"})
    assert streamed.status_code == 413 and streamed.json()["error"]


def test_upload_is_processed_in_the_background(empty_server, nlp):
    """JSON, multipart files and pasted text all become stored articles,
    through the same runner as `crosswire run`; bad files are reported.
    (`nlp`: the session's spaCy model, which the server's pipeline reuses.)"""
    base = empty_server
    accepted = httpx.post(base + "/api/articles", headers=AUTH, json={
        "text": ARTICLE_A, "title": "Talks set for March", "outlet": "Northern Wire", "published": "2024-03-01"})
    assert accepted.status_code == 202
    job = wait_for_job(base, accepted.json()["status_url"])
    assert job["status"] == "done", job
    assert job["summary"]["articles_new"] == 1 and job["progress"] == 1.0

    files = [("files", ("second.txt", b"A second report\nThe envoy arrived in the capital on Monday "
                                      b"and met the foreign minister for two hours.", "text/plain")),
             ("files", ("empty.txt", b"", "text/plain"))]
    form = {"text": "Pasted: the council will meet again on Friday to vote on the budget, officials said.",
            "title": "Pasted report", "outlet": "Desk"}
    accepted = httpx.post(base + "/api/articles", headers=AUTH, files=files, data=form)
    assert accepted.status_code == 202, accepted.text
    job = wait_for_job(base, accepted.json()["status_url"])
    assert job["status"] == "done", job
    assert any(r["path"] == "upload:empty.txt" for r in job["rejections"])
    titles = {a["title"]: a for a in get(base, "/api/articles").json()["articles"]}
    assert {"Talks set for March", "A second report", "Pasted report"} <= set(titles)
    assert titles["A second report"]["path"] == "upload:second.txt"
    assert titles["Pasted report"]["outlet"] == "Desk"
    # re-posting the same text adds nothing (content hash)
    again = httpx.post(base + "/api/articles", headers=AUTH, json={"text": ARTICLE_A})
    assert wait_for_job(base, again.json()["status_url"])["summary"]["articles_known"] == 1
    assert get(base, "/api/articles").json()["total"] == 3


def test_server_without_token_is_read_only(tmp_path):
    db = str(tmp_path / "ro.duckdb")
    with LiveServer(create_app(db, token=None)) as server:
        refused = httpx.post(server.url + "/api/articles", json={"text": "x" * 50}, headers=AUTH)
        assert refused.status_code == 403 and "--token" in refused.json()["error"]
        assert get(server.url, "/api/stats").json()["writable"] is False


# ------------------------------------------------------------ read token
def test_reads_can_require_the_token(private_server):
    base, fx = private_server
    assert get(base, "/api/events").status_code == 401
    assert get(base, "/api/events", headers={"X-Crosswire-Token": "nope"}).status_code == 403
    assert get(base, "/api/events", headers=AUTH).json()["count"] == 5  # the write token reads too
    assert get(base, "/api/events", headers={"X-Crosswire-Token": READ_TOKEN}).json()["count"] == 5
    page = get(base, "/", headers={"Accept": "text/html"})
    assert page.status_code == 401 and "/login" in page.text
    with httpx.Client(base_url=base) as browser:
        assert browser.post("/login", data={"token": "nope"}).status_code == 403
        assert browser.post("/login", data={"token": READ_TOKEN}).status_code == 303
        assert browser.get(f"/stories/{fx.story}").status_code == 200


def test_each_token_opens_only_its_own_door(private_server):
    """Issue 27, item 6: separate read and write tokens, and no token in a
    query string except the calendar feed's own."""
    base, _ = private_server
    read = {"X-Crosswire-Token": READ_TOKEN}
    refused = httpx.post(base + "/api/articles", json={"text": ARTICLE_A}, headers=read)
    assert refused.status_code == 403  # the read token never writes
    for token in (READ_TOKEN, TOKEN):  # no read route takes a token from the URL
        assert get(base, "/api/events", params={"token": token}).status_code == 401
        assert get(base, "/api/export/events.csv", params={"token": token}).status_code == 401
    assert get(base, "/api/export/planned.ics", params={"token": FEED_TOKEN}).status_code == 200  # calendar clients
    assert get(base, "/api/export/planned.ics", params={"token": TOKEN}).status_code == 403
    assert get(base, "/api/export/planned.ics", params={"token": READ_TOKEN}).status_code == 403
    assert get(base, "/api/events", headers={"X-Crosswire-Token": FEED_TOKEN}).status_code == 403
    assert get(base, "/api/export/planned.ics", headers=read).status_code == 200


# ------------------------------------------------------------------ exports
def unfold_ics(text: str) -> list[str]:
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    raw = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in raw)
    lines: list[str] = []
    for line in raw:
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def parse_ics(text: str) -> list[dict[str, str]]:
    """A strict-enough RFC 5545 reader: balanced components, one dict per VEVENT."""
    lines = unfold_ics(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    events, current, depth = [], None, 0
    for line in lines:
        name, _, value = line.partition(":")
        if name == "BEGIN":
            depth += 1
            if value == "VEVENT":
                current = {}
        elif name == "END":
            depth -= 1
            if value == "VEVENT":
                events.append(current)
                current = None
        elif current is not None:
            current[name] = value
    assert depth == 0
    return events


def test_ics_feed_of_planned_events(fixture_server):
    base, fx = fixture_server
    r = get(base, "/api/export/planned.ics")
    assert r.headers["content-type"].startswith("text/calendar")
    events = parse_ics(r.text)
    assert {e["UID"] for e in events} == set(fx.meetings)
    by_uid = {e["UID"]: e for e in events}
    council = by_uid[fx.meetings[1]]
    assert council["DTSTART;VALUE=DATE"] == "20240312" and council["DTEND;VALUE=DATE"] == "20240313"
    assert council["SUMMARY"] and "DTSTAMP" in council
    description = council["DESCRIPTION"].replace("\\n", "\n").replace("\\,", ",")
    assert "Northern Wire" in description and "Southern Post" in description
    assert "The Alliance council meets on March 12" in description
    assert "javascript:" not in r.text
    story_only = parse_ics(get(base, "/api/export/planned.ics", params={"story": fx.story[:6]}).text)
    assert len(story_only) == 3


def test_plover_csv_parquet_exports(fixture_server):
    base, fx = fixture_server
    lines = get(base, "/api/export/plover.jsonl").text.splitlines()
    records = {r["id"]: r for r in map(json.loads, lines)}
    assert set(records) == set(fx.meetings) | {fx.proposal, fx.xss_event}
    meeting = records[fx.meetings[0]]
    assert meeting["event_type"] == "AGREE" and meeting["crosswire_event_type"] == "CONSULT"
    assert meeting["status"] == "planned" and meeting["date"] == "2024-03-10"
    assert {a["code"] for a in meeting["actor"] + meeting["recipient"]} == {"VAL", "EST"}
    assert {c["outlet"] for c in meeting["cite_info"]} == {"Northern Wire", "Southern Post"}
    assert meeting["link"] == ["https://northern.example/talks"]

    rows = list(csv.DictReader(io.StringIO(get(base, "/api/export/events.csv", params={"status": "planned"}).text)))
    assert {r["id"] for r in rows} == set(fx.meetings)
    assert all(r["outlets"] == "Northern Wire;Southern Post" for r in rows)

    venue = meeting["event_loc"]
    assert venue["resolved_place"] == "Geneva" and venue["geonameid"] == 2660646 and venue["country_code"] == "CHE"
    assert venue["feature_class"] == "P" and venue["resolution"] == 4 and venue["basis"] == "explicit"
    assert venue["evidence"]["text"] == "Geneva" and records[fx.xss_event]["event_loc"] is None
    placed = {r["id"]: r for r in csv.DictReader(io.StringIO(get(base, "/api/export/events.csv").text))}
    assert placed[fx.meetings[0]]["country"] == "CHE" and float(placed[fx.meetings[0]]["lat"]) == 46.20222
    assert placed[fx.meetings[0]]["geonames_id"] == "2660646" and placed[fx.meetings[0]]["admin1"] == "Geneva"
    assert placed[fx.meetings[1]]["lat"] == ""

    import pyarrow.parquet as pq
    table = pq.read_table(io.BytesIO(get(base, "/api/export/events.parquet").content))
    assert table.num_rows == 5 and "event_type" in table.column_names
    assert str(table.schema.field("lat").type) == "double" and str(table.schema.field("geonames_id").type) == "int64"
    assert set(table.column("country").to_pylist()) == {"CHE", "VAL", None}


def test_geojson_export(fixture_server):
    base, fx = fixture_server
    r = get(base, "/api/export/events.geojson")
    assert r.headers["content-type"].startswith("application/geo+json")
    collection = r.json()
    assert collection["type"] == "FeatureCollection"
    features = {f["id"]: f for f in collection["features"]}
    assert set(features) == {fx.meetings[0], fx.proposal}  # only events with a point
    venue = features[fx.meetings[0]]
    assert venue["geometry"] == {"type": "Point", "coordinates": [6.14569, 46.20222]}  # [lon, lat]
    assert venue["properties"]["status"] == "planned" and venue["properties"]["basis"] == "explicit"
    only = get(base, "/api/export/events.geojson", params={"status": "occurred"}).json()["features"]
    assert [f["id"] for f in only] == [fx.proposal]


def test_read_protection_without_a_token_is_refused(tmp_path):
    with pytest.raises(ValueError, match="token"):
        create_app(str(tmp_path / "x.duckdb"), token=None, read_token_required=True)
