"""Incremental equals batch, by content, with the real pipeline: articles fed
in two runs, in either order, give the events and stories of one run over all
of them (type, participants, date, member mention ids; stories as article
sets). The seeds include an undated article: read alone, it is anchored on
the dates its text states; when its dated story-mate arrives later, its
anchor is revised (resolve/reanchor.py), as one run of both would have
anchored it. Real spaCy, real DuckDB, the default stages."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from crosswire.pipeline import Pipeline
from crosswire.runner import run_paths
from crosswire.store import open_store

pytestmark = pytest.mark.slow

# news_events/train articles of one story sharing gold event keys (a governor's resignation and
# succession), given an outlet each so that the two runs split them by outlet
MULTI_OUTLET = {"wn-023": "Outlet A", "wn-024": "Outlet B", "wn-026": "Outlet A"}


@pytest.fixture(scope="module")
def pipe():
    return Pipeline()


def content(db: str) -> tuple[set, set, dict]:
    """Events and stories by content, and each article's anchor (the anchor
    its relative time expressions were resolved against)."""
    with open_store(db, read_only=True) as store:
        events = {(e.event_type, tuple(sorted((p.code or p.name) for p in e.actors + e.recipients)), e.date,
                   tuple(sorted(m.mention_id for m in e.mentions))) for e in store.events()}
        stories = {tuple(sorted(s.articles)) for s in store.stories()}
        anchors = {r.article.id: sorted({t.anchor for t in r.timexes if t.anchor}) for r in store.load_results()}
    return events, stories, anchors


def runs(tmp_path: Path, pipe, batches: list[list[str]], name: str) -> tuple[set, set, dict]:
    db = str(tmp_path / f"{name}.duckdb")
    with open_store(db) as store:
        for paths in batches:
            run_paths(paths, store, pipe)
    return content(db)


def assert_incremental_equals_batch(tmp_path, pipe, first: list[str], second: list[str]) -> None:
    once = runs(tmp_path, pipe, [first + second], "once")
    assert once[0] and once[1], "the pipeline found no events or stories"
    for order, batches in (("ab", [first, second]), ("ba", [second, first])):
        events, stories, anchors = runs(tmp_path, pipe, batches, order)
        assert anchors == once[2], f"order {order}: anchors differ"
        assert events == once[0], f"order {order}: {len(events ^ once[0])} events differ"
        assert stories == once[1], f"order {order}: stories differ"


def test_seeds_in_two_runs_either_order_equal_one_run(tmp_path, pipe, seeds_dir):
    undated, dated = sorted(str(p) for p in seeds_dir.glob("*.txt"))
    assert_incremental_equals_batch(tmp_path, pipe, [undated], [dated])


def test_undated_seed_is_reanchored_by_its_later_dated_story_mate(tmp_path, pipe, seeds_dir):
    undated, dated = sorted(str(p) for p in seeds_dir.glob("*.txt"))
    db = str(tmp_path / "late.duckdb")
    with open_store(db) as store:
        run_paths([undated], store, pipe)
        alone = {r.article.id: {t.anchor for t in r.timexes if t.anchor} for r in store.load_results()}
        run_paths([dated], store, pipe)
        dated_article = next(a for a in store.articles() if a.published)
        after = {r.article.id: {t.anchor for t in r.timexes if t.anchor} for r in store.load_results()}
    (undated_id, before), = alone.items()
    assert after[undated_id] == {dated_article.published} != before


def test_multi_outlet_news_split_by_outlet_equals_one_run(tmp_path, pipe, shared_dir):
    rows = {json.loads(line)["id"]: json.loads(line) for line in
            (shared_dir / "eval" / "news_events" / "train" / "articles.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()}
    files = {}
    for article_id, outlet in MULTI_OUTLET.items():
        row = dict(rows[article_id], outlet=outlet)
        path = tmp_path / f"{outlet.replace(' ', '_')}.jsonl"
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(row) + "\n")
        files[outlet] = str(path)
    assert_incremental_equals_batch(tmp_path, pipe, [files["Outlet A"]], [files["Outlet B"]])
