"""Incremental resolution in a store (resolve/incremental.py): a batch
re-resolves only the stored events and stories it can touch, the outcome
matches a one-pass resolution on these fixtures (a stored event is revised
when a batch shows it was two), a stored story is never split,
pending articles are picked up whoever stored them, and `full` redoes all.
Real DuckDB; fixtures written here (no extract stages needed)."""
from __future__ import annotations

import json

import pytest

from crosswire.config import Settings
from crosswire.pipeline import Pipeline
from crosswire.records import Actor, ActorMention
from crosswire.store import open_store

from test_resolve import article, mention, splitting_batch, two_outlets

SETTINGS = Settings(use_embeddings=False)


@pytest.fixture()
def store(tmp_path):
    with open_store(str(tmp_path / "store.duckdb")) as s:
        yield s


def run(store, *results, full=False):
    """What `crosswire run` does after extraction: store, then resolve."""
    for r in results:
        store.write_result(r)
    return store.update_resolution(Pipeline(SETTINGS).resolve_update, full=full)


def groups(store) -> list[list[str]]:
    return sorted(store.event_groups().values())


def records(store) -> dict[str, dict]:
    return {row[0]: json.loads(row[1]) for row in store.execute("SELECT id, record FROM events")}


def elsewhere():
    """Reports of an unrelated matter: other participants, months earlier."""
    c = article("art-c", "Wire One", "2029-06-01", [
        mention("art-c", 1, "summit", "2029-06-05", ["ORG"], ["ALLI"]),
        mention("art-c", 2, "accused", None, ["ORG"], ["ALLI"], status="claimed", etype="ACCUSE")],
        title="Organisation and Alliance hold summit")
    d = article("art-d", "Paper Two", "2029-06-06", [
        mention("art-d", 1, "summit", "2029-06-05", ["ALLI"], ["ORG"], status="occurred")],
        title="Alliance summit with the Organisation ends")
    return c, d


def test_batch_reresolves_only_what_it_touches(store):
    a, b = two_outlets()
    c, d = elsewhere()
    run(store, a, c, d)
    before = records(store)
    untouched = {e for e, members in store.event_groups().items() if any(m.startswith(("art-c", "art-d"))
                                                                        for m in members)}
    update = run(store, b)
    assert update.scope["new_articles"] == 1
    assert not set(update.replaced_events) & untouched  # the other matter's events are not even read
    assert update.scope["articles"] == 2  # art-a (touched) and art-b, not art-c or art-d
    after = records(store)
    assert {e: after[e] for e in untouched} == {e: before[e] for e in untouched}


def test_a_then_b_in_a_store_equals_a_and_b_at_once(tmp_path, store):
    a, b = two_outlets()
    c, d = elsewhere()
    run(store, a, c)
    run(store, b, d)
    with open_store(str(tmp_path / "once.duckdb")) as once:
        run(once, a, b, c, d)
        assert groups(store) == groups(once)
        assert sorted(records(store)) == sorted(records(once))
        assert sorted(s.articles for s in store.stories()) == sorted(s.articles for s in once.stories())


def test_planned_then_occurred_across_runs_is_one_event(store):
    early = article("art-1", "Wire One", "2030-03-01", [
        mention("art-1", 1, "talks", "2030-03-10", ["AAA", "BBB"], status="planned")])
    late = article("art-2", "Paper Two", "2030-03-11", [
        mention("art-2", 1, "met", "2030-03-10", ["AAA", "BBB"], status="occurred")])
    run(store, early)
    assert [e.status for e in store.events()] == ["planned"]
    run(store, late)
    events = store.events()
    assert len(events) == 1 and events[0].status == "occurred"
    assert [m.article for m in events[0].mentions] == ["art-1", "art-2"]
    assert events[0].agreement["reported_by"] == ["Paper Two", "Wire One"]


def test_stored_event_is_revised_when_a_batch_shows_it_was_two(tmp_path, store):
    """a alone is one event; b shows its undated mention is another report:
    the stored event is split as one run of both splits it, and the part
    holding its smallest mention keeps its id."""
    a, b = splitting_batch()
    run(store, a)
    (before,) = store.event_groups().items()
    run(store, b)
    with open_store(str(tmp_path / "once.duckdb")) as once:
        run(once, a, b)
        assert groups(store) == groups(once)
    assert not any({"art-a-m1", "art-a-m2"} <= set(g) for g in groups(store))
    assert store.event_groups().get(before[0], [None])[0] == min(before[1])


def test_pending_articles_of_an_interrupted_run_are_resolved_next_time(store):
    a, b = two_outlets()
    store.write_result(a)  # stored, then the run died before resolving
    assert store.pending_articles() == ["art-a"]
    run(store, b)
    assert store.pending_articles() == []
    assert {m.split("-m")[0] for g in groups(store) for m in g} == {"art-a", "art-b"}
    again = run(store)  # a re-run with nothing new changes nothing
    assert again.events == [] and again.resolved_articles == [] and len(store.events()) == 4


def test_full_resolution_and_stores_resolved_before_the_index(tmp_path, store):
    a, b = two_outlets()
    run(store, a, b)
    expected = groups(store)
    update = run(store, full=True)
    assert update.full and groups(store) == expected
    store.execute("DELETE FROM resolved_articles")  # a store resolved by an older crosswire
    store.execute("DELETE FROM mention_blocks")
    assert store.update_resolution(Pipeline(SETTINGS).resolve_update).full
    assert groups(store) == expected and store.pending_articles() == []


def with_people(result, *names):
    result.actor_mentions = [ActorMention(f"{result.article.id}-x{i}", result.article.id, 0, 0, len(n), n,
                                          Actor(name=n, kind="person")) for i, n in enumerate(names)]
    return result


def test_new_report_joins_a_stored_story_without_a_shared_event(store):
    """A story is found for a new article through the people it names, even
    when it reports none of the story's events (different days)."""
    title = "Harbour strike enters second week as union rejects offer"
    first = with_people(article("art-1", "Wire One", "2030-05-01", [
        mention("art-1", 1, "strike", "2030-04-24", ["AAA"], etype="PROTEST", status="occurred")],
        title=title), "Maren Oskarsdottir", "Teodor Valgaard")
    second = with_people(article("art-2", "Paper Two", "2030-05-02", [
        mention("art-2", 1, "strike", "2030-04-24", ["AAA"], etype="PROTEST", status="occurred")],
        title=title), "Maren Oskarsdottir", "Teodor Valgaard")
    later = with_people(article("art-3", "Wire One", "2030-05-20", [
        mention("art-3", 1, "talks", "2030-05-19", ["BBB"], status="occurred")],
        title="Harbour strike union and port owners resume talks"), "Maren Oskarsdottir", "Teodor Valgaard")
    run(store, first, second)
    [story] = store.stories()
    update = run(store, later)
    assert update.scope["stories_reconsidered"] == 1
    assert [s.articles for s in store.stories()] == [["art-1", "art-2", "art-3"]]


def test_resolve_command(tmp_path):
    from click.testing import CliRunner

    from crosswire.cli import main

    db = str(tmp_path / "cli.duckdb")
    with open_store(db) as s:
        for r in two_outlets():
            s.write_result(r)  # stored by a run that died before resolving
    runner = CliRunner()
    first = runner.invoke(main, ["resolve", "--db", db])
    assert first.exit_code == 0, first.output
    assert "resolved 2 articles (incrementally): 4 events" in first.output
    again = runner.invoke(main, ["resolve", "--db", db, "--full"])
    assert again.exit_code == 0 and "resolved 2 articles (all again): 4 events" in again.output
