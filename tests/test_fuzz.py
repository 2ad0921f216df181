"""Property-based fuzzing (Hypothesis) of what hostile input reaches: the
readers, the API's request models and routes, the exporters and the
sanitisers. Random bytes, random Unicode and nested structures, seeded with
the inputs of issue 27's probe (`@example`s).

The example count is bounded so `make test` stays quick: CROSSWIRE_FUZZ_EXAMPLES
(default 40 a property) and derandomised runs, so CI sees the same inputs every
time; raise the count (and set CROSSWIRE_FUZZ_RANDOM=1) to search further.
Everything runs against the real components: files on disk, the real
readers, the FastAPI app on a real DuckDB store."""
from __future__ import annotations

import csv
import glob
import io
import itertools
import json
import os
import string
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from crosswire.config import Settings
from crosswire.ingest import read_file
from crosswire.ingest.detect import IngestError, decode_bytes
from crosswire.ingest.formats import INPUT_FORMATS
from crosswire.ingest.globbing import bounded_glob
from crosswire.ingest.jsonl import read_jsonl
from crosswire.outputs.exports import events_csv, events_geojson, planned_ics, plover_jsonl
from crosswire.records import Article, Event, Evidence, Mention, Participant, Place, Rejection
from crosswire.sanitize import FORMULA_STARTS, printable, redact_url

settings.register_profile(
    "crosswire-fuzz", max_examples=int(os.environ.get("CROSSWIRE_FUZZ_EXAMPLES", "40")), deadline=None,
    derandomize=os.environ.get("CROSSWIRE_FUZZ_RANDOM") != "1", database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("crosswire-fuzz")

GOOD = ("The foreign ministers of the two countries met in the capital on Monday and agreed to resume "
        "talks on the border dispute next month, officials said.")
SUFFIXES = sorted({suffix for fmt in INPUT_FORMATS.values() for suffix in fmt.suffixes} | {""})  # every registered format
# the probe's inputs (issue 27), as seeds for the byte-level readers
DEEP = b'{"text": ' + b"[" * 200_000 + b"\n"
MIXED = ("Café\n\n" + GOOD).encode() + b"\n" + ("Café " + GOOD).encode("cp1252")
REPEATED = b"\xe9" * 4096
NESTED_BODY = b"[" * 100_000

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=80),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=30)
article_like = st.fixed_dictionaries({}, optional={
    "text": st.one_of(st.text(max_size=300), st.just(GOOD), json_values),
    "title": st.one_of(st.text(max_size=40), json_values),
    "published": st.one_of(st.text(max_size=30), st.just("2024-03-10"), st.just("notadate"), json_values),
    "outlet": st.one_of(st.text(max_size=30), st.sampled_from(["=HYPERLINK(1)", "@SUM(1)", "[/]"])),
    "url": st.one_of(st.text(max_size=30), st.just("javascript:alert(1)")),
})
UNICODE = st.characters(codec="utf-8")  # any code point but lone surrogates
hostile_text = st.one_of(
    st.text(alphabet=UNICODE, max_size=120),
    st.text(alphabet=st.characters(max_codepoint=0x9f), max_size=60),
    st.sampled_from(['=HYPERLINK("http://evil.example","x")', "+1", "-1", "@SUM(1)", "\t=1", "\r=1", " =1",
                     "a\u2028b\x85c", "\x1b[31mred", "[/]", "a;b,c\\d\nе"]))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


_names = itertools.count()


def write(folder: Path, data: bytes, suffix: str) -> str:
    path = folder / f"f{next(_names)}{suffix}"
    path.write_bytes(data)
    return str(path)


# ------------------------------------------------------------------ readers
@given(data=st.binary(max_size=4000), suffix=st.sampled_from(SUFFIXES))
@example(data=DEEP, suffix=".jsonl").via("issue 27, item 2")
@example(data=DEEP, suffix=".json").via("issue 27, item 2")
@example(data=MIXED, suffix=".txt").via("issue 27, item 10")
@example(data=REPEATED, suffix=".txt").via("issue 27, item 10")
@example(data=b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;'>]>"
              b"<rss><channel><item><description>&b;&b;&b;</description></item></channel></rss>",
         suffix=".xml").via("XML entity expansion")
def test_any_file_gives_articles_or_rejections(scratch, data, suffix):
    """Whatever a file holds, reading it never raises and yields only
    Articles within the limits, or Rejections naming the file and a reason."""
    path = write(scratch, data, suffix)
    items = list(read_file(path, Settings()))
    assert items
    for item in items:
        assert isinstance(item, (Article, Rejection))
        assert item.path == path
        if isinstance(item, Rejection):
            assert item.reason and "\n" not in item.reason
        else:
            assert 40 <= len(item.text) <= 400_000


@given(text=st.text(alphabet=UNICODE, max_size=2000), encoding=st.sampled_from(["utf-8", "utf-16", "cp1252", "cp1251", "latin-1"]))
def test_random_text_files_decode_or_are_refused(scratch, text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:  # a character the encoding lacks
        data = text.encode("utf-8")
    items = list(read_file(write(scratch, data, ".txt"), Settings()))
    assert all(isinstance(i, (Article, Rejection)) for i in items)


@given(data=st.binary(max_size=3000))
@example(data=MIXED).via("issue 27, item 10")
@example(data=REPEATED).via("issue 27, item 10")
def test_decode_bytes_returns_text_or_refuses(data):
    try:
        text = decode_bytes(data)
    except IngestError as exc:
        assert exc.reason
    else:
        assert isinstance(text, str)
        if data.startswith(b"\xef\xbb\xbf") or not data:
            return
        try:
            assert text == data.decode("utf-8")  # UTF-8 input is read as exactly that
        except UnicodeDecodeError:
            pass


jsonl_line = st.one_of(
    st.builds(lambda rec: json.dumps(rec).encode(), article_like),
    st.builds(lambda i: json.dumps({"text": f"{GOOD} Report number {i}."}).encode(), st.integers(0, 10**6)),
    st.binary(max_size=200).map(lambda b: b.replace(b"\n", b" ").replace(b"\r", b" ")),
    st.integers(1, 5000).map(lambda n: b'{"text": ' + b"[" * n),
    st.sampled_from([b"[1, 2]", b'"text"', b"null", b'{"text": "\xff\xfe"}', b"{" * 3000]),
)


@given(lines=st.lists(jsonl_line, min_size=1, max_size=12))
@example(lines=[json.dumps({"text": GOOD}).encode(), DEEP.rstrip(b"\n"),
                json.dumps({"text": GOOD + " Again."}).encode()]).via("issue 27, item 2")
def test_every_jsonl_line_is_accounted_for(scratch, lines):
    """No line lost: each non-blank line gives exactly one Article or one
    Rejection naming its line number, in order, whatever the lines before it."""
    path = write(scratch, b"\n".join(lines) + b"\n", ".jsonl")
    first_without_bom = [lines[0].removeprefix(b"\xef\xbb\xbf"), *lines[1:]]
    expected = [n for n, line in enumerate(first_without_bom, start=1) if line.strip()]
    if not expected:
        return
    items = list(read_jsonl(path, Settings()))
    assert len(items) == len(expected)
    for number, item in zip(expected, items):
        if isinstance(item, Article):
            assert item.meta["line"] == number
        else:
            assert f"line {number}" in item.reason, item.reason


# ------------------------------------------------------------------- globs
NAMES = ["a", "b", "a.txt", "b.html", "c.jsonl", ".h.txt", "x y.txt"]
PATTERNS = ["*", "**", "*.txt", "**/*.txt", "*/*", "a*/**", "**/a", "*/**/*.html", "a/**/b/*", "?.txt",
            "[ab]/*", "**/.h.txt", ".*"]


@contextmanager
def inside(folder: Path):
    here = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(here)


@given(tree=st.lists(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4), max_size=12),
       pattern=st.sampled_from(PATTERNS))
def test_bounded_glob_matches_glob_on_trees_without_links(scratch, tree, pattern):
    """Without symbolic links, bounded_glob finds exactly what glob.glob does."""
    root = scratch / f"tree{next(_names)}"
    root.mkdir()
    for parts in tree:
        folder = root.joinpath(*parts[:-1])
        if any(p.is_file() for p in [folder, *folder.parents] if p != root and root in p.parents):
            continue
        folder.mkdir(parents=True, exist_ok=True)
        leaf = folder / parts[-1]
        if not leaf.exists():
            leaf.write_text("x")
    with inside(root):
        expected = sorted(p.rstrip(os.sep) for p in glob.glob(pattern, recursive=True))
        assert bounded_glob(pattern, 10_000, 30) == sorted(set(expected))


# -------------------------------------------------------------------- API
@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """The real app on a real DuckDB store with one event. Texts are refused
    at the request (min_article_chars beyond any body), so no example starts
    a background job: the request path is what is fuzzed."""
    from fastapi.testclient import TestClient

    from crosswire.web import create_app
    from test_hostile import hostile_store

    db = str(tmp_path_factory.mktemp("fuzz-api") / "s.duckdb")
    hostile_store(db)
    app = create_app(db, token="T", settings=Settings.load(db=db, min_article_chars=10**9, progress=False))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@given(body=json_values | st.lists(article_like, max_size=4) | article_like)
@example(body={"text": "   "}).via("issue 27, item 9")
@example(body={"text": GOOD, "published": "notadate"}).via("issue 27, item 9")
def test_article_request_model_parses_or_refuses(body):
    from crosswire.web.api import ARTICLES_IN

    try:
        parsed = ARTICLES_IN.validate_python(body)
    except ValidationError as exc:
        assert exc.errors()
    else:
        for article in parsed if isinstance(parsed, list) else [parsed]:
            assert isinstance(article.text, str)


@given(body=st.one_of(json_values.map(lambda v: json.dumps(v).encode()), st.binary(max_size=500),
                      st.lists(article_like, max_size=3).map(lambda v: json.dumps(v).encode()),
                      article_like.map(lambda v: json.dumps(v).encode())))
@example(body=NESTED_BODY).via("issue 27, item 12")
@example(body=b'{"text": "\\u0001\\u0002\\u0003"}').via("issue 27, item 9")
def test_posted_bodies_never_give_a_500(api, body):
    r = api.post("/api/articles", content=body,
                 headers={"Authorization": "Bearer T", "Content-Type": "application/json"})
    assert r.status_code in (400, 413, 422), (r.status_code, r.text[:200])
    assert r.json()["error"]


query_value = st.one_of(st.text(alphabet=UNICODE, max_size=40), st.integers(-10**25, 10**25).map(str),
                        st.sampled_from(["%", "_", "%%", "\x00", "2024-13-45", "9" * 30, "-1", "' OR 1=1 --"]))


@given(params=st.dictionaries(st.sampled_from(["actor", "event_type", "status", "date_from", "date_to", "outlet",
                                               "story", "country", "bbox", "limit", "offset", "token", "q",
                                               "speaker", "article"]),
                              query_value | st.lists(query_value, min_size=4, max_size=4).map(",".join),
                              max_size=5),
       route=st.sampled_from(["/api/events", "/api/articles", "/api/quotes", "/api/search", "/api/export/events.csv",
                              "/api/export/planned.ics", "/api/export/plover.jsonl", "/api/export/events.geojson",
                              "/events", "/search"]))
@example(params={"offset": "99999999999999999999999"}, route="/api/events").via("issue 27, item 12")
@example(params={"bbox": "nan,nan,inf,1e999"}, route="/api/export/events.geojson").via("issue 26, bbox")
@example(params={"bbox": "170,-10,-170,10", "country": "' OR"}, route="/events").via("issue 26, bbox")
def test_query_strings_never_give_a_500(api, params, route):
    r = api.get(route, params=params, headers={"Accept": "application/json"})
    assert r.status_code < 500, (r.status_code, params, r.text[:200])


@given(key=st.text(alphabet=UNICODE, min_size=1, max_size=40).filter(lambda k: k not in (".", "..")),
       route=st.sampled_from(["/api/events/", "/api/stories/", "/api/articles/", "/api/actors/", "/api/jobs/",
                              "/events/", "/stories/", "/articles/", "/actors/"]))
@example(key="%", route="/api/events/").via("issue 27, item 14")
def test_id_lookups_never_give_a_500(api, key, route):
    from urllib.parse import quote

    r = api.get(route + quote(key, safe=""), headers={"Accept": "application/json"})
    assert r.status_code in (200, 400, 404, 422), (r.status_code, key)


# -------------------------------------------------------------- exporters
@st.composite
def events(draw):
    def person():
        return Participant(draw(hostile_text), draw(st.none() | hostile_text))

    def place():
        point = draw(st.booleans())
        return Place(draw(hostile_text), draw(st.none() | st.integers(1, 10**9)), country=draw(st.none() | hostile_text),
                     admin1=draw(st.none() | hostile_text),
                     lat=draw(st.floats(-90, 90)) if point else None, lon=draw(st.floats(-180, 180)) if point else None,
                     evidence=draw(st.none() | hostile_text.map(lambda t: Evidence("a1", 0, 0, len(t), t))))

    out = []
    for i in range(draw(st.integers(1, 4))):
        text = draw(hostile_text)
        out.append(Event(
            id=f"e{i}", event_type=draw(hostile_text), status=draw(st.sampled_from(["planned", "occurred"])),
            date=draw(st.sampled_from(["2024-03-10", "2024-03", None])), actors=[person()], recipients=[person()],
            location=place() if draw(st.booleans()) else None, topic=draw(st.none() | hostile_text), event_text=text,
            mentions=[Mention(f"m{i}", "a1", 0, 0, 1, text, draw(st.none() | hostile_text))]))
    return out


@given(found=events())
def test_csv_cells_never_start_a_formula_and_keep_their_text(found):
    from crosswire.outputs import event_row

    rows = list(csv.reader(io.StringIO(events_csv(found))))
    assert len(rows) == len(found) + 1
    for event, row in zip(found, rows[1:]):
        for cell, value in zip(row, event_row(event).values()):
            if isinstance(value, float):  # a coordinate: a number, negative ones too, never text
                assert float(cell) == value, (cell, value)
                continue
            assert not cell.startswith(FORMULA_STARTS), cell
            value = "" if value is None else str(value).replace("\r\n", "\n").replace("\r", "\n")
            assert cell.replace("\r\n", "\n").replace("\r", "\n") in (value, "'" + value)


@given(found=events(), name=hostile_text)
def test_ics_is_well_formed_whatever_the_text(found, name):
    ics = planned_ics(found, {}, event_url="https://desk.example/events/{id}", name=name)
    physical = ics.split("\r\n")
    assert physical[-1] == "" and all(len(line.encode("utf-8")) <= 75 for line in physical)
    assert not any(ch in ics for ch in "\x00\x1b\x85\u2028\u2029\x0b\x0c")
    assert "\n" not in ics.replace("\r\n", "") and "\r" not in ics.replace("\r\n", "")


@given(found=events())
def test_plover_lines_parse_back(found):
    lines = plover_jsonl(found).splitlines()
    assert [json.loads(line)["id"] for line in lines] == [e.id for e in found]


@given(found=events())
def test_geojson_parses_back_with_every_point(found):
    collection = json.loads(events_geojson(found))
    placed = [e for e in found if e.location is not None and e.location.lat is not None]
    assert [f["id"] for f in collection["features"]] == [e.id for e in placed]
    assert [f["geometry"]["coordinates"] for f in collection["features"]] == [[e.location.lon, e.location.lat]
                                                                             for e in placed]


# -------------------------------------------------------------- sanitisers
@given(text=st.text(alphabet=UNICODE, max_size=200))
@example(text="evil\x1b[2J\nname\u202e.txt").via("issue 27, item 11")
def test_printable_leaves_no_control_character(text):
    shown = printable(text)
    assert not any(ord(c) < 32 or 0x7f <= ord(c) <= 0x9f or c in "\u2028\u2029\u202e\u2066" for c in shown)


@given(user=st.text(string.ascii_letters, min_size=1, max_size=8),
       password=st.text(string.ascii_letters + string.digits + "!$&'()*+,;=%@:", min_size=4, max_size=16),
       host=st.sampled_from(["127.0.0.1:5432", "db.example", "[::1]:5432", "h:notaport"]))
@example(user="cw", password="S3cret", host="127.0.0.1:5432").via("issue 27, item 1")
def test_redacted_urls_never_show_the_password(user, password, host):
    assert redact_url(f"postgresql://{user}:{password}@{host}/crosswire") == \
        f"postgresql://{user}:***@{host}/crosswire"
