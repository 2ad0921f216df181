"""Places: toponyms found and resolved in the GeoNames gazetteer (built at
setup from the pinned packages), each event's place with its basis and
evidence, the place carried to the canonical event and compared across
outlets, the TopoJSON outlines, and `crosswire eval geo` on a corpus written
here. Real spaCy model and real gazetteer, no mocks."""
from __future__ import annotations

import argparse
import json
import math

import pytest

from crosswire import Pipeline
from crosswire.compare import compare
from crosswire.config import Settings
from crosswire.evaluate import geo
from crosswire.extract.places import atlas
from crosswire.extract.places.gazetteer import load_gazetteer, normalise
from crosswire.records import Article, Evidence, Place
from crosswire.resolve import resolve

from test_resolve import article, mention


@pytest.fixture(scope="module")
def pipe():
    return Pipeline(use_embeddings=False)


def extract(pipe, text: str, published: str = "2024-05-06"):
    art = Article(id=Article.make_id(text), text=text, published=published)
    return next(iter(pipe.extract([art])))


def toponym(result, text: str):
    found = [t for t in result.toponyms if t.text == text]
    assert found, f"no toponym {text!r} in {[t.text for t in result.toponyms]}"
    return found[0]


def located(result, event_type: str):
    events = [m for m in result.event_mentions if m.event_type == event_type]
    assert events, f"no {event_type} in {[(m.event_type, m.trigger) for m in result.event_mentions]}"
    return events[0].location


# ------------------------------------------------------------------ gazetteer
def test_gazetteer_knows_names_as_news_writes_them():
    gaz = load_gazetteer()
    assert normalise("U.S.") == normalise("US") == "us"
    assert gaz.lookup("U.S.")[0].country == "USA" and gaz.lookup("U.S.")[0].fcode == "PCLI"
    kinds = {(e.fcode, e.country) for e in gaz.lookup("Georgia")}
    assert ("PCLI", "GEO") in kinds and ("ADM1", "USA") in kinds
    paris = {(e.country, e.admin1) for e in gaz.lookup("Paris") if e.fclass == "P"}
    assert ("FRA", "Île-de-France") in paris and ("USA", "Texas") in paris
    # every entry has a point, a GeoNames id and a feature code
    for e in gaz.lookup("Paris")[:10]:
        assert e.geonames_id > 0 and -90 <= e.lat <= 90 and -180 <= e.lon <= 180 and e.fcode


# ---------------------------------------------------------- ambiguous names
def test_paris_texas_against_paris_france(pipe):
    r = extract(pipe, "Hundreds of protesters marched in Paris, Texas, on Saturday against the new tax.")
    place = located(r, "PROTEST")
    assert place.name == "Paris" and place.country == "USA" and place.admin1 == "Texas"
    assert place.basis == "explicit" and place.evidence.text == "Paris"
    assert r.article.text[place.evidence.start:place.evidence.end] == "Paris"
    assert abs(place.lat - 33.66) < 0.5 and abs(place.lon + 95.56) < 0.5

    r = extract(pipe, "French and German ministers held talks in Paris on Monday on the budget.")
    place = located(r, "CONSULT")
    assert place.name == "Paris" and place.country == "FRA" and place.feature_code == "PPLC"


def test_georgia_the_country_against_the_us_state(pipe):
    r = extract(pipe, "Georgia's prime minister met European envoys in Tbilisi on Tuesday.")
    assert toponym(r, "Georgia").place.country == "GEO"
    assert located(r, "CONSULT").name == "Tbilisi"

    r = extract(pipe, "The governor of Georgia met the mayor of Atlanta on Monday.")
    state = toponym(r, "Georgia").place
    assert state.country == "USA" and state.feature_code == "ADM1"
    assert toponym(r, "Atlanta").place.admin1 == "Georgia"


def test_state_abbreviations_name_their_areas_and_contain_the_town(pipe):
    gaz = load_gazetteer()
    assert "West Virginia" in [e.name for e in gaz.lookup("W.Va.")]
    assert "Tennessee" in [e.name for e in gaz.lookup("Tenn.")]
    assert gaz.lookup("NSW")[0].name == "New South Wales"  # initials of a name of several words
    assert gaz.lookup("TX")[0].name == "Texas"  # the US postal codes are GeoNames' admin1 codes
    # a name that already is a country stays only that country ("U.S." is no "U... S..." area)
    assert all(e.fcode != "ADM1" for e in gaz.lookup("U.S."))
    r = extract(pipe, "Flooding closed roads around Wheeling, W.Va., and the governor sent crews.")
    assert toponym(r, "Wheeling").place.admin1 == "West Virginia"
    assert toponym(r, "W.Va.").place.feature_code == "ADM1"
    r = extract(pipe, "The mill in Florence, Ala., closed on Friday. Florence officials said 200 jobs were lost.")
    assert [t.place.admin1 for t in r.toponyms if t.text == "Florence"] == ["Alabama", "Alabama"]


def _resolved(text: str, names: list[str], **weights):
    """Gold-style spans (every occurrence of each name) resolved as `crosswire eval geo` does."""
    import re

    from crosswire.extract.places.toponyms import Candidate, resolve_toponyms

    gaz = load_gazetteer()
    pattern = "|".join(re.escape(n) for n in names)
    tops = [Candidate(m.start(), m.end(), m.group(), "toponym", gaz.lookup(m.group())[:40])
            for m in re.finditer(pattern, text)]
    resolve_toponyms(tops, text, weights=weights or None)
    return [(t.text, t.chosen.admin1 if t.chosen.admin1 else t.chosen.country) for t in tops]


def test_one_sense_per_article():
    # "Athens, Texas" once, then "Athens" alone: every mention is the Texas town (the bare
    # mentions used to reinforce each other as the Greek capital)
    text = ("Athens, Texas, opened a new library on Monday. Athens has grown fast, and Athens police "
            "said Athens schools would stay open.")
    assert _resolved(text, ["Athens", "Texas"]) == [("Athens", "Texas"), ("Texas", "Texas"),
                                                    ("Athens", "Texas"), ("Athens", "Texas"), ("Athens", "Texas")]


def test_ambiguous_names_near_each_other_choose_each_other():
    # spatial minimality: two ambiguous names that can be neighbours (a town and the county
    # around it) are taken as those neighbours, not as each one's largest namesake
    text = "Volunteers from Franklin and Williamson County cleared the park on Saturday."
    assert _resolved(text, ["Franklin", "Williamson County"]) == [
        ("Franklin", "Tennessee"), ("Williamson County", "Tennessee")]
    assert _resolved(text, ["Franklin", "Williamson County"], near=0.0)[0] != ("Franklin", "Tennessee")
    text = "Firefighters from Salem and Marion County fought the blaze overnight."
    assert _resolved(text, ["Salem", "Marion County"]) == [("Salem", "Oregon"), ("Marion County", "Oregon")]
    # a country is near the names that can lie inside it: "Georgia" beside "Tbilisi"
    assert _resolved("Talks in Tbilisi and Batumi: Georgia is divided.", ["Tbilisi", "Batumi", "Georgia"])[2] == (
        "Georgia", "GEO")


# ---------------------------------------------------------------- datelines
def test_dateline_places_an_event_the_text_does_not(pipe):
    text = "NAIROBI, March 3 (Reuters) - Opposition leaders accused the government of rigging the vote on Sunday."
    r = extract(pipe, text)
    line = toponym(r, "NAIROBI")
    assert line.kind == "dateline" and line.place.country == "KEN"
    place = located(r, "ACCUSE")
    assert place.basis == "dateline" and place.name == "Nairobi" and place.evidence.text == "NAIROBI"
    assert place.evidence.start == 0 and place.evidence.sentence == 0


def test_explicit_venue_wins_over_the_dateline(pipe):
    r = extract(pipe, "MOSCOW (Reuters) - Russian forces shelled Kharkiv on Tuesday, Ukrainian officials said.")
    place = located(r, "ASSAULT")
    assert place.name == "Kharkiv" and place.country == "UKR" and place.basis == "explicit"


# ------------------------------------------------------------------ demonyms
def test_demonyms_give_a_country_not_a_point(pipe):
    r = extract(pipe, "Syrian forces attacked rebel positions on Sunday, the army said.")
    adjective = toponym(r, "Syrian")
    assert adjective.kind == "demonym" and adjective.place.country == "SYR"
    assert adjective.place.lat is None and adjective.place.lon is None
    assert located(r, "ASSAULT") is None  # a country adjective is no venue


def test_places_organisations_are_named_after(pipe):
    """'the Texas Department of ...', 'the University of Georgia': the place
    the organisation is named after (kind in-name), resolved with the rest,
    never the event's venue; a country adjective in a name is not one."""
    r = extract(pipe, "The Texas Department of State Health Services reported 40 new cases on Monday. "
                      "Students at the University of Georgia protested against the fee rise in Athens.")
    texas = toponym(r, "Texas")
    assert texas.kind == "in-name" and texas.place.feature_code == "ADM1" and texas.place.country == "USA"
    georgia = toponym(r, "Georgia")
    assert georgia.kind == "in-name" and georgia.place.country == "USA"  # beside Athens: the state
    assert all(m.location is None or m.location.name != "Texas" for m in r.event_mentions)
    r = extract(pipe, "The Canadian Food Inspection Agency confirmed a case of BSE in a cow in Alberta.")
    assert not [t for t in r.toponyms if t.kind == "in-name"]
    r = extract(pipe, "Kamala Harris met the governor on Tuesday.")
    assert all(t.text != "Harris" for t in r.toponyms)


def test_a_name_read_as_a_place_once_is_that_place_throughout(pipe):
    """One sense per article in finding names: where the recogniser took the
    same name for a person or an organisation, it is still the place (the
    entities are set by hand here, so the test does not hang on what the
    small model happens to label)."""
    from spacy.tokens import Span

    from crosswire.extract.places.toponyms import find_toponyms

    text = "Police in Lakeland said the road was closed. Lakeland residents marched on Friday."
    doc = pipe.nlp(text)
    lakeland = [t.i for t in doc if t.text == "Lakeland"]
    doc.ents = [Span(doc, lakeland[0], lakeland[0] + 1, "GPE"), Span(doc, lakeland[1], lakeland[1] + 1, "PERSON")]
    found = find_toponyms(doc, load_gazetteer(), text)
    assert [(t.text, t.kind) for t in found] == [("Lakeland", "toponym"), ("Lakeland", "toponym")]
    assert found[1].why == ["one-sense:named-as-place"]
    doc.ents = [Span(doc, lakeland[1], lakeland[1] + 1, "PERSON")]  # never read as a place: stays a person
    assert find_toponyms(doc, load_gazetteer(), text) == []


def test_article_with_no_place(pipe):
    r = extract(pipe, "The committee agreed to meet again next month to review the budget, the chairman said.")
    assert r.toponyms == []
    assert all(m.location is None for m in r.event_mentions)


def test_parties_and_topics_are_not_venues(pipe):
    r = extract(pipe, "Russia and the United States will hold talks on the situation in Ukraine next week.")
    assert located(r, "CONSULT") is None
    r = extract(pipe, "The speaker announced an impeachment inquiry into the President of the United States.")
    assert all(m.location is None for m in r.event_mentions)  # whose office, not where
    r = extract(pipe, "Russia and the United States will hold talks on arms control in Vienna next week.")
    place = located(r, "CONSULT")
    assert place.name == "Vienna" and place.country == "AUT" and place.basis == "explicit"


# ------------------------------------------------------ resolve and compare
def _placed(m, name: str, gid: int, basis: str = "explicit"):
    m.location = Place(name=name, geonames_id=gid, feature_class="P", feature_code="PPL", country="AAA",
                       lat=1.0, lon=2.0, basis=basis, evidence=Evidence(m.article, m.sentence, 0, len(name), name))
    return m


def test_planned_event_keeps_its_venue_and_outlets_are_compared_on_it():
    planned = _placed(mention("art-1", 1, "talks", "2030-03-10", ["AAA", "BBB"]), "Lakeport", 11)
    held = mention("art-2", 1, "talks", "2030-03-10", ["AAA", "BBB"], status="occurred")
    filed = _placed(mention("art-3", 1, "talks", "2030-03-10", ["AAA", "BBB"], status="occurred"),
                    "Capital City", 12, basis="dateline")
    results = [article("art-1", "Wire One", "2030-03-01", [planned]), article("art-2", "Paper Two", "2030-03-11", [held]),
               article("art-3", "Radio Three", "2030-03-11", [filed])]
    res = resolve(results, Settings(use_embeddings=False))
    compare(res, results)
    (event,) = res.events
    assert event.status == "occurred"
    assert event.location.name == "Lakeport" and event.location.basis == "explicit"  # the announced venue
    assert event.agreement["place"]["values"] == {"Lakeport (AAA)": ["Wire One"]}

    other = _placed(mention("art-4", 1, "talks", "2030-03-10", ["AAA", "BBB"]), "Harbourtown", 13)
    results.append(article("art-4", "Daily Four", "2030-03-02", [other]))
    res = resolve(results, Settings(use_embeddings=False))
    compare(res, results)
    places = [e.agreement["place"] for e in res.events if e.location and e.location.basis == "explicit"]
    assert places, "no event kept an explicit place"
    # two outlets naming two venues: the scorer keeps them apart, or the comparison says they differ
    assert len(res.events) == 2 or not places[0]["agree"]


# ------------------------------------------------------------------- atlas
def test_topojson_arcs_decode_into_rings():
    topo = {"transform": {"scale": [0.5, 0.25], "translate": [-10, -5]},
            "arcs": [[[0, 0], [4, 0], [0, 4]], [[4, 4], [-4, 0], [0, -4]]]}
    arcs = atlas._decode_arcs(topo)
    assert arcs[0] == [(-10.0, -5.0), (-8.0, -5.0), (-8.0, -4.0)]
    ring = atlas._ring([0, 1], arcs)
    assert ring[0] == ring[-1] == (-10.0, -5.0) and len(ring) == 5
    assert atlas._ring([~1], arcs)[0] == arcs[1][-1]  # a negative index walks the arc backwards
    area, lat, lon = atlas._area_centroid(ring[:-1])
    assert area > 0 and math.isclose(lat, -4.5) and math.isclose(lon, -9.0)


@pytest.mark.skipif(not atlas.installed(), reason="world-atlas not installed (scripts/setup.sh needs npm)")
def test_installed_outlines_and_country_centres():
    shapes = atlas.outlines("110m")
    assert len(shapes) > 150 and all(poly[0] for polys in shapes.values() for poly in polys)
    lat, lon = atlas.centres()["643"]  # ISO numeric of the Russian Federation, cut by the antimeridian
    assert 50 < lat < 70 and 60 < lon < 120


# -------------------------------------------------------------- evaluation
LGL_STYLE = """<?xml version="1.0" encoding="utf-8"?>
<articles><article docid="1"><text><![CDATA[Flooding closed roads in Kenya and in Nairobi on Monday, officials said.]]></text>
<toponyms><toponym><start>25</start><end>30</end><phrase>Kenya</phrase><gaztag geonameid="192950">
<name>Kenya</name><lat>1</lat><lon>38</lon></gaztag></toponym>
<toponym><start>38</start><end>45</end><phrase>Nairobi</phrase><gaztag geonameid="184745">
<name>Nairobi</name><lat>-1.28333</lat><lon>36.81667</lon></gaztag></toponym></toponyms></article></articles>"""
GEOVIRUS_STYLE = """<articles><article><source>x</source>
<text>Officials in Lima reported new cases.</text>
<locations><location><name>Lima</name><start>14</start><end>18</end><lat>-12.04</lat><lon>-77.03</lon>
<page>p</page></location></locations></article></articles>"""


def test_eval_geo_reads_both_formats_and_scores(tmp_path):
    lgl, gv = tmp_path / "lgl.xml", tmp_path / "gv.xml"
    lgl.write_text(LGL_STYLE, encoding="utf-8")
    gv.write_text(GEOVIRUS_STYLE, encoding="utf-8")
    (doc,) = geo.read_corpus(str(gv))
    assert [t.text for t in doc.toponyms] == ["Lima"]  # GeoVirus counts from 1; aligned on the phrase
    metrics = geo.run(str(lgl), argparse.Namespace(split="all", limit=None))
    assert metrics["n_resolved"] == 2 and metrics["acc161"] == 1.0 and metrics["mean_km"] < 161
    assert metrics["recognition_precision"] == metrics["recognition_recall"] == 1.0
    assert 0 <= metrics["auc"] < 0.6
    assert set(json.loads(json.dumps(metrics))) >= {"acc161", "mean_km", "auc", "recognition_f1"}
    assert geo.error_metrics([0.0, geo.EARTH_HALF_CIRCUMFERENCE_KM])["auc"] == 0.5
    assert {d.part for d in geo.read_corpus(str(lgl))} <= {"tune", "check"}


# ------------------------------------------------------------------ the CLI
def test_cli_exports_geojson_filters_by_country_and_shows_the_place(tmp_path):
    from click.testing import CliRunner

    from crosswire.cli import main
    from web_helpers import build_store

    db = str(tmp_path / "store.duckdb")
    fx = build_store(db)
    out = tmp_path / "events.geojson"
    run = CliRunner().invoke(main, ["export", "geojson", "--out", str(out), "--db", db])
    assert run.exit_code == 0, run.output
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert {f["id"] for f in features} == {fx.meetings[0], fx.proposal}
    run = CliRunner().invoke(main, ["events", "--db", db, "--country", "val", "--json"])
    assert [e["id"] for e in json.loads(run.output)] == [fx.proposal]
    run = CliRunner().invoke(main, ["show", fx.meetings[0], "--db", db])
    assert "location: Geneva (CHE, explicit)" in run.output
