"""The web desk in a real headless Chromium (Debian's `chromium`, driven by
Playwright): the story timeline shows planned meetings distinctly, an event
page highlights its sentences in every article, injected script never runs,
uploads show their progress. (The docs' screenshots are taken by
scripts/screenshots.py, not here: a test writes nothing into the repository.)"""
from __future__ import annotations

import glob
import os
from pathlib import Path

import pytest

from crosswire.config import Settings
from crosswire.extract.places import atlas
from crosswire.web import create_app
from conftest import SHARED
from web_helpers import TOKEN, LiveServer, build_store, wait_for_job

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
SEEDS = SHARED / "seeds"
SEED_MEETING_DATES = {"2022-01-10", "2022-01-12", "2022-01-13"}
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
# two reports of one story among the bundled examples (Wikinews, CC BY 2.5)
DEMO_STORY = ("wn-064_United_States_military_kills_Qasem_Soleimani.txt",
              "wn-065_Iraqi_Parliament_votes_for_expulsion_of_United_States_troops.txt")

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                 reason=f"{CHROMIUM} is absent: install Debian's chromium package")]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}") or dialog.dismiss())
    page.errors = errors
    yield page
    context.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("web") / "store.duckdb")
    fx = build_store(db)
    with LiveServer(create_app(db, token=TOKEN)) as server:
        yield server.url, fx


def timeline(page):
    return page.eval_on_selector_all(
        ".timeline-item", "items => items.map(i => ({status: i.dataset.status, date: i.dataset.date,"
        " classes: i.className, marker: getComputedStyle(i.querySelector('.marker')).backgroundColor,"
        " badge: i.querySelector('.badge').textContent, type: i.dataset.eventType,"
        " title: i.querySelector('a.event-link').textContent}))")


def test_story_timeline_and_event_evidence(served, page):
    base, fx = served
    page.goto(base + "/")
    assert page.locator(f".story-card[data-story-id='{fx.story}']").is_visible()

    page.click(f".story-card[data-story-id='{fx.story}'] h2 a")
    page.wait_for_url(f"**/stories/{fx.story}")
    items = timeline(page)
    planned = [i for i in items if i["status"] == "planned"]
    occurred = [i for i in items if i["status"] == "occurred"]
    assert len(planned) == 3 and len(occurred) == 1
    assert all("event-planned" in i["classes"] and i["badge"] == "planned" for i in planned)
    assert "event-occurred" in occurred[0]["classes"]
    # planned markers are hollow, occurred ones filled: they must look different
    assert {i["marker"] for i in planned}.isdisjoint({i["marker"] for i in occurred})
    assert [i["date"] for i in items] == sorted(i["date"] for i in items)
    # the story's map: the planned venue and the occurred event's town, drawn apart, over country outlines
    points = map_points(page)
    assert {p["id"]: p["status"] for p in points} == {fx.meetings[0]: "planned", fx.proposal: "occurred"}
    assert points[0]["fill"] != points[1]["fill"] and all(p["visible"] for p in points)
    assert page.locator(".event-map .countries path").count() > 100 or not atlas.installed()
    conflict = page.locator(f"table.matrix tr[data-event-id='{fx.proposal}'] td.cov-conflict")
    assert conflict.count() == 2
    assert page.locator("table.matrix td.cov-agree").count() == 6

    page.click(f".timeline-item[data-event-id='{fx.meetings[1]}'] a.event-link")
    page.wait_for_url(f"**/events/{fx.meetings[1]}")
    articles = page.locator(".evidence-article")
    assert articles.count() == 2
    for i in range(2):
        marks = articles.nth(i).locator("mark.evidence")
        assert marks.count() == 1 and marks.first.is_visible()
        assert "March 12" in marks.first.inner_text()
    assert "Harbour Agency" in page.locator(".provenance").inner_text()
    assert page.errors == []


def map_points(page):
    return page.eval_on_selector_all(
        ".event-map circle.point", "cs => cs.map(c => ({id: c.dataset.eventId, status: c.dataset.status,"
        " place: c.dataset.place, fill: getComputedStyle(c).fill,"
        " visible: c.getBoundingClientRect().width > 0 && c.getBoundingClientRect().height > 0}))")


def test_filters_and_search(served, page):
    base, fx = served
    page.goto(base + "/events")
    assert {p["id"] for p in map_points(page)} == {fx.meetings[0], fx.proposal}
    page.fill("input[name=country]", "che")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/events?**country=che**")
    assert [p["id"] for p in map_points(page)] == [fx.meetings[0]]
    assert page.locator("table.events tbody tr").count() == 1
    page.goto(base + "/events")
    page.select_option("select[name=status]", "planned")
    page.fill("input[name=actor]", "alliance")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/events?**")
    rows = page.locator("table.events tbody tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-event-id") == fx.meetings[1]
    page.goto(base + "/search")
    page.fill("input[name=q]", "draft proposals")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search?q=**")
    assert page.locator(".hit").count() == 2
    assert page.locator(".hit mark.hit-term").first.inner_text().lower() == "draft proposals"
    page.goto(base + "/actors/FORUM")
    assert page.locator("table.events tbody tr").count() == 1


def test_injected_script_never_runs(served, page):
    base, fx = served
    for path in ("/", f"/stories/{fx.xss_story}", f"/events/{fx.xss_event}", f"/articles/{fx.article_x}",
                 "/search?q=envoy", "/actors", "/events", f"/events/{fx.meetings[0]}"):
        page.goto(base + path)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__xss") == "undefined", path
        assert page.locator("main script, main img").count() == 0, path
    page.goto(base + f"/events/{fx.xss_event}")
    text = page.locator(".evidence-article .article-text").inner_text()
    assert "<script>window.__xss=1</script>" in text  # shown as text, not run
    assert "\u200f" in text and "🇺🇳😀" in text and "e\u0301" in text
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.errors == []


def test_upload_refused_with_a_wrong_token(served, page):
    base, _ = served
    page.goto(base + "/upload")
    page.fill("#upload-token", "wrong")
    page.fill("#upload-text", "Officials said the council will meet on Friday to discuss the budget.")
    page.click("#upload-submit")
    page.wait_for_selector("#job[data-status=refused]")
    assert "not valid" in page.locator("#job-status").inner_text()


@pytest.mark.slow
def test_upload_shows_progress_until_done(tmp_path, page):
    """A pasted article goes through the real pipeline in the background."""
    db = str(tmp_path / "upload.duckdb")
    settings = Settings.load(db=db, use_embeddings=False, progress=False)
    with LiveServer(create_app(db, token=TOKEN, settings=settings)) as server:
        page.goto(server.url + "/upload")
        page.fill("#upload-token", TOKEN)
        page.fill("#upload-title", "Council to meet")
        page.fill("#upload-text", "The council will meet on Friday to vote on the budget, officials said. "
                                  "The finance minister said the vote would be close.")
        page.click("#upload-submit")
        page.wait_for_selector("#job[data-status=done]", timeout=180_000)
        assert "1 new article" in page.locator("#job-status").inner_text()
        assert page.locator("#job-done").is_visible()
        page.goto(server.url + "/search?q=council")
        assert page.locator(".hit").count() == 1


@pytest.mark.slow
def test_seed_story_in_the_browser(tmp_path, page):
    """The real pipeline on the two seed articles: the story page shows the
    planned meetings it found as planned (never as held), and each meeting's
    page highlights its sentence in every article that reports it. (That all
    three seed meetings are found, in both articles, is asserted where the
    extractor is tested: test_events.test_seed_meetings_planned_in_both_articles.)"""
    seeds = sorted(glob.glob(str(SEEDS / "*.txt")))
    if len(seeds) < 2:
        pytest.skip(f"seed articles not found under {SEEDS}")
    from crosswire.runner import run_paths
    from crosswire.store import open_store

    db = str(tmp_path / "seeds.duckdb")
    store = open_store(db)
    try:
        run_paths(seeds, store)
        article_ids = {a.id for a in store.articles()}
        story = next((s for s in store.stories() if set(s.articles) >= article_ids), None)
        reporting = {e.id: len({m.article for m in e.mentions}) for e in store.events(story=story.id)} if story else {}
    finally:
        store.close()
    assert story is not None, "no story holds both seed articles"
    with LiveServer(create_app(db, token=TOKEN)) as server:
        page.goto(server.url + f"/stories/{story.id}")
        items = timeline(page)
        on_dates = [i for i in items if i["date"] in SEED_MEETING_DATES and i["type"] == "CONSULT"]
        meetings = [i for i in on_dates if i["status"] == "planned"]
        seen = [(i["date"], i["status"], i["title"]) for i in on_dates]
        assert meetings and len(on_dates) == len(meetings), seen  # none shown as held
        assert len({i["date"] for i in meetings}) == len(meetings), seen  # one event per meeting day
        assert all("event-planned" in i["classes"] and i["badge"] == "planned" for i in meetings)
        for date in sorted(i["date"] for i in meetings):
            page.goto(server.url + f"/stories/{story.id}")
            page.click(f".timeline-item.event-planned[data-event-type='CONSULT'][data-date='{date}'] a.event-link")
            page.wait_for_url("**/events/**")
            event_id = page.url.rstrip("/").split("/")[-1].split("?")[0]
            evidence = page.locator(".evidence-article")
            assert evidence.count() == reporting[event_id] >= 1, date
            for i in range(evidence.count()):
                assert evidence.nth(i).locator("mark.evidence").count() >= 1, date
        # the seed story's map: a point for each of its events the text places (with a coordinate)
        page.goto(server.url + f"/stories/{story.id}")
        points = map_points(page)
        store = open_store(db)
        try:
            placed = {e.id for e in store.events(story=story.id) if e.location and e.location.lat is not None}
        finally:
            store.close()
        # (the seeds' events may name no place; test_demo_story_map_in_the_browser needs points)
        assert {p["id"] for p in points} == placed
        assert all(p["visible"] and p["place"] for p in points)


@pytest.mark.slow
def test_demo_story_map_in_the_browser(tmp_path, page):
    """The real pipeline on two example articles of one demo story: its
    events' places appear as points on the story's map and on the events
    page's map, each linking to its event."""
    from crosswire.runner import run_paths
    from crosswire.store import open_store

    paths = [str(EXAMPLES / "text" / name) for name in DEMO_STORY]
    db = str(tmp_path / "demo.duckdb")
    store = open_store(db)
    try:
        run_paths(paths, store)
        ids = {a.id for a in store.articles()}
        story = next(s for s in store.stories() if set(s.articles) >= ids)
        placed = {e.id: e.location for e in store.events(story=story.id) if e.location and e.location.lat is not None}
    finally:
        store.close()
    assert len(placed) >= 2, "the demo story's articles should place several events"
    with LiveServer(create_app(db, token=TOKEN)) as server:
        page.goto(server.url + f"/stories/{story.id}")
        points = map_points(page)
        assert {p["id"] for p in points} == set(placed)
        assert all(p["visible"] and p["place"] == placed[p["id"]].name for p in points)
        page.goto(server.url + "/events")
        assert {p["id"] for p in map_points(page)} >= set(placed)
        first = points[-1]["id"]  # drawn last, on top of any point at the same place
        page.click(f".event-map circle.point[data-event-id='{first}']")
        page.wait_for_url(f"**/events/{first}")
        assert page.locator("dd.location").inner_text().startswith(placed[first].name)
    assert page.errors == []


@pytest.mark.slow
def test_split_on_the_desk_stays_split_after_another_run(tmp_path, page):
    """A merge of two outlets' reports is split on the event page (token,
    checkbox, button); the correction is stored, and a later run through the
    real pipeline (an upload about the same talks) does not merge them again."""
    import httpx

    from crosswire.pipeline import Pipeline
    from crosswire.store import open_store

    db = str(tmp_path / "split.duckdb")
    fx = build_store(db)
    settings = Settings.load(db=db, use_embeddings=False, progress=False)
    with open_store(db) as store:  # the resolver's own events over the fixture's mentions
        store.update_resolution(Pipeline(settings).resolve_update, full=True)
        merged = next(e for e in store.events()
                      if {m.article for m in e.mentions} == {fx.article_a, fx.article_b})
    taken = next(m.mention_id for m in merged.mentions if m.article == fx.article_b)
    kept = next(m.mention_id for m in merged.mentions if m.article == fx.article_a)
    with LiveServer(create_app(db, token=TOKEN, settings=settings)) as server:
        page.goto(f"{server.url}/events/{merged.id}")
        assert page.locator(".merge-mention").count() == len(merged.mentions)
        assert page.locator(f".merge-mention[data-mention-id='{taken}'] .merge-features").inner_text().strip()
        page.check(f"input[name=mention][value='{taken}']")
        page.fill("#correct-token", TOKEN)
        with page.expect_navigation():
            page.click("#split-button")
        page.wait_for_selector("#correct-form")
        shown = page.eval_on_selector_all(".merge-mention", "rows => rows.map(r => r.dataset.mentionId)")
        assert kept in shown and taken not in shown
        posted = httpx.post(server.url + "/api/articles", headers={"X-Crosswire-Token": TOKEN}, json={
            "title": "Valdoria and Estmark confirm talks", "published": "2024-03-04", "outlet": "Eastern Daily",
            "text": "Valdoria and Estmark will hold talks on March 10, officials of both countries said on "
                    "Monday. The talks follow draft proposals Valdoria sent last month."}, timeout=30)
        assert posted.status_code == 202, posted.text
        assert wait_for_job(server.url, posted.json()["status_url"], timeout=300)["status"] == "done"
        page.goto(f"{server.url}/events/{merged.id}")
        shown = page.eval_on_selector_all(".merge-mention", "rows => rows.map(r => r.dataset.mentionId)")
        assert kept in shown and taken not in shown
        assert page.errors == []
    with open_store(db, read_only=True) as store:
        assert store.event_of_mention(taken).id != store.event_of_mention(kept).id
        assert [c.kind for c in store.corrections()] == ["split"]
