"""Resolve: blocking, order-independence, incremental runs, planned->occurred,
no merge across dates, actor linking, story clustering. Fixtures are written
here (general wording, no seed names) so the tests do not depend on the
extract stages."""
from __future__ import annotations

import random

from crosswire.config import Settings
from crosswire.records import Actor, ActorMention, Article, ArticleResult, EventMention, Participant
from crosswire.resolve import Resolution, resolve, resolve_incremental
from crosswire.resolve.actors import ActorRef, link_actors
from crosswire.resolve.blocking import candidate_pairs
from crosswire.resolve.scoring import Item

SETTINGS = Settings(use_embeddings=False)

P = {
    "AAA": Participant(name="Arland", code="AAA", kind="country"),
    "BBB": Participant(name="Borovia", code="BBB", kind="country"),
    "ALLI": Participant(name="the Alliance", code="ALLI", kind="igo"),
    "ORG": Participant(name="the Organisation", code="ORG", kind="igo"),
}


def mention(art: str, idx: int, trigger: str, date, actors=(), recipients=(), status="planned",
            etype="CONSULT", sentence=None, text=None) -> EventMention:
    sent = idx if sentence is None else sentence
    return EventMention(
        id=f"{art}-m{idx}", article=art, sentence=sent, start=idx * 10, end=idx * 10 + len(trigger),
        trigger=trigger, text=text or f"Sentence {sent} of {art} about the {trigger}.", event_type=etype,
        status=status, actors=[P[a] for a in actors], recipients=[P[r] for r in recipients], date=date,
        date_basis="explicit" if date else "none")


def article(art: str, outlet: str, published, mentions, title="Officials prepare security talks") -> ArticleResult:
    a = Article(id=art, text=f"{title}. Body of {art}.", title=title, outlet=outlet, published=published)
    return ArticleResult(article=a, event_mentions=list(mentions))


def two_outlets() -> list[ArticleResult]:
    """Two reports of three meetings on three dates, one sentence naming two of them."""
    a = article("art-a", "Wire One", "2030-03-01", [
        mention("art-a", 1, "talks", "2030-03-10", ["AAA", "BBB"]),
        mention("art-a", 2, "meeting", "2030-03-12", ["BBB"], ["ALLI"], sentence=2),
        mention("art-a", 3, "session", "2030-03-13", ["BBB"], ["ORG"], sentence=2),
        mention("art-a", 4, "talks", None, ["AAA", "BBB"]),
    ])
    b = article("art-b", "Paper Two", None, [
        mention("art-b", 1, "negotiations", "2030-03-10", ["BBB", "AAA"]),
        mention("art-b", 2, "council meeting", "2030-03-12", ["ALLI", "BBB"]),
        mention("art-b", 3, "meeting", "2030-03-13", ["ORG"], ["BBB"]),
        mention("art-b", 5, "accused", None, ["BBB"], ["AAA"], status="claimed", etype="ACCUSE"),
    ])
    return [a, b]


def _clusters(res: Resolution) -> list[list[str]]:
    return sorted(sorted(m.mention_id for m in e.mentions) for e in res.events)


def test_three_meetings_one_event_each_backed_by_both_outlets():
    res = resolve(two_outlets(), SETTINGS)
    dated = {e.date: e for e in res.events if e.date}
    assert set(dated) == {"2030-03-10", "2030-03-12", "2030-03-13"}
    for e in dated.values():
        outlets = {m.outlet for m in e.mentions}
        assert outlets == {"Wire One", "Paper Two"}, e
        assert e.status == "planned"
        assert e.plover_export_type == "AGREE"
    # the undated "talks" with the same participants joins the dated talks
    assert "art-a-m4" in {m.mention_id for m in dated["2030-03-10"].mentions}
    assert len(res.events) == 4  # three meetings + one accusation


def test_no_merge_across_different_dates_or_within_one_sentence():
    res = resolve(two_outlets(), SETTINGS)
    for e in res.events:
        assert len({m.date for m in e.mentions if m.date}) <= 1
        sentences = [(m.article, m.sentence) for m in e.mentions]
        assert len(sentences) == len(set(sentences))


def test_order_independence():
    results = two_outlets()
    expected = _clusters(resolve(results, SETTINGS))
    for seed in range(3):
        shuffled = [ArticleResult(article=r.article, event_mentions=random.Random(seed).sample(
            r.event_mentions, len(r.event_mentions))) for r in results]
        random.Random(seed).shuffle(shuffled)
        res = resolve(shuffled, SETTINGS)
        assert _clusters(res) == expected
    ids = [e.id for e in resolve(results, SETTINGS).events]
    assert ids == [e.id for e in resolve(results[::-1], SETTINGS).events]


def test_incremental_a_then_b_equals_a_plus_b():
    a, b = two_outlets()
    first = resolve([a], SETTINGS)
    later = resolve_incremental(first, [b], [a], SETTINGS)
    together = resolve([a, b], SETTINGS)
    assert [e.id for e in later.events] == [e.id for e in together.events]
    assert _clusters(later) == _clusters(together)
    assert later.log == []


def splitting_batch() -> tuple[ArticleResult, ArticleResult]:
    """`a` alone resolves to one event (an undated and a dated mention of the
    talks); `b` repeats a's undated sentence word for word with another date,
    which, resolved from nothing, pulls the undated mention away from it."""
    a = article("art-a", "Wire One", "2030-03-01", [
        mention("art-a", 1, "talks", None, ["AAA", "BBB"]),
        mention("art-a", 2, "talks", "2030-03-10", ["AAA", "BBB"]),
    ])
    b = article("art-b", "Paper Two", "2030-03-02", [
        mention("art-b", 1, "talks", "2030-03-11", ["AAA", "BBB"], text="Sentence 1 of art-a about the talks.")])
    return a, b


def _holding(resolution: Resolution, members: set[str]) -> list:
    return [e for e in resolution.events if members & {m.mention_id for m in e.mentions}]


def test_incremental_never_splits_an_existing_event():
    a, b = splitting_batch()
    first = resolve([a], SETTINGS)
    assert len(first.events) == 1
    old = {m.mention_id for m in first.events[0].mentions}
    assert len(_holding(resolve([a, b], SETTINGS), old)) == 2  # from nothing: split
    later = resolve_incremental(first, [b], [a], SETTINGS)
    assert len(_holding(later, old)) == 1  # on top of `first`: kept whole, and logged
    assert later.log and "kept event" in later.log[0]


def test_corrections_hold_in_later_runs(tmp_path):
    """The store path (every `crosswire run`): a split and a join a person
    stored are applied by every later resolution, incremental or full, and
    the events list why their mentions were merged."""
    from crosswire.pipeline import Pipeline
    from crosswire.resolve.corrections import join_correction, record_correction, split_correction
    from crosswire.store import open_store

    a, b = splitting_batch()
    update = Pipeline(SETTINGS).resolve_update
    with open_store(str(tmp_path / "store.duckdb")) as store:
        store.write_result(a)
        store.update_resolution(update)
        (event,) = store.events()
        assert [m.mention_id for m in event.mentions] == ["art-a-m1", "art-a-m2"]
        assert event.merged_by[0]["mention"] == "art-a-m2" and event.merged_by[0]["features"]
        record_correction(store, split_correction(event, ["art-a-m2"], note="two meetings"), update)
        assert sorted(store.event_groups().values()) == [["art-a-m1"], ["art-a-m2"]]
        store.write_result(b)  # a later batch that would have merged art-a-m2 again
        store.update_resolution(update)
        assert not any({"art-a-m1", "art-a-m2"} <= set(g) for g in store.event_groups().values())
        store.update_resolution(update, full=True)
        assert not any({"art-a-m1", "art-a-m2"} <= set(g) for g in store.event_groups().values())
        first, second = (store.event_of_mention(k) for k in ("art-a-m1", "art-b-m1"))
        if first.id != second.id:
            record_correction(store, join_correction(first, second), update)
        joined = store.event_of_mention("art-a-m1")
        assert joined.id == store.event_of_mention("art-b-m1").id
        assert [c.kind for c in store.corrections()][:1] == ["split"]


def test_planned_then_occurred_is_one_event_with_latest_status():
    early = article("art-1", "Wire One", "2030-03-01", [
        mention("art-1", 1, "talks", "2030-03-10", ["AAA", "BBB"], status="planned")])
    late = article("art-2", "Paper Two", "2030-03-11", [
        mention("art-2", 1, "met", "2030-03-10", ["AAA", "BBB"], status="occurred")])
    res = resolve([late, early], SETTINGS)
    assert len(res.events) == 1
    ev = res.events[0]
    assert ev.status == "occurred" and ev.plover_export_type == "CONSULT"
    assert [m.status for m in ev.mentions] == ["planned", "occurred"]


def test_planned_agree_to_meet_and_consult_are_compatible_types():
    one = article("art-1", "Wire One", "2030-03-01", [
        mention("art-1", 1, "agreed to meet", "2030-03-10", ["AAA", "BBB"], etype="AGREE")])
    two = article("art-2", "Paper Two", "2030-03-02", [
        mention("art-2", 1, "talks", "2030-03-10", ["AAA", "BBB"])])
    assert len(resolve([one, two], SETTINGS).events) == 1


def test_blocking_pairs_only_compatible_mentions():
    items = [
        Item(key="a", doc="d1", sentence=0, lemma="talk", event_type="CONSULT", codes=frozenset({"AAA"}),
             date="2030-03-10", ref_day=1),
        Item(key="b", doc="d2", sentence=0, lemma="meeting", event_type="AGREE", codes=frozenset({"AAA"}),
             date="2030-03-10", ref_day=1),
        Item(key="c", doc="d3", sentence=0, lemma="talk", event_type="CONSULT", codes=frozenset({"CCC"}),
             date="2030-03-10", ref_day=1),
        Item(key="d", doc="d4", sentence=0, lemma="attack", event_type="ASSAULT", codes=frozenset({"AAA"}),
             date="2030-03-10", ref_day=1),
        Item(key="e", doc="d5", sentence=0, lemma="talk", event_type="CONSULT", codes=frozenset({"AAA"}),
             date="2030-05-10", ref_day=61),
    ]
    pairs = set(candidate_pairs(items))
    assert pairs == {(0, 1)}


def test_blocking_is_near_linear():
    items = [Item(key=f"k{i:05d}", doc=f"d{i}", sentence=0, lemma="talk", event_type="CONSULT",
                  codes=frozenset({"AAA"}), date=None, ref_day=i // 10) for i in range(3000)]
    pairs = list(candidate_pairs(items, neighbours=30))
    assert len(pairs) <= 3000 * 30


def test_actor_linking_surname_joins_unique_full_name():
    refs = [ActorRef("Ivan Petrenko", "BBB", "person"), ActorRef("Petrenko", "BBB", "person"),
            ActorRef("Mr. Petrenko", "BBB", "person"), ActorRef("Anna Lind", "AAA", "person"),
            ActorRef("Lind", "AAA", "person"), ActorRef("Olga Lind", "AAA", "person")]
    keys = link_actors(refs)
    assert keys[("Petrenko", "BBB", "person")] == keys[("Ivan Petrenko", "BBB", "person")]
    assert keys[("Mr. Petrenko", "BBB", "person")] == keys[("Ivan Petrenko", "BBB", "person")]
    assert keys[("Lind", "AAA", "person")] not in {keys[("Anna Lind", "AAA", "person")],
                                                   keys[("Olga Lind", "AAA", "person")]}


def test_events_carry_canonical_actor_ids():
    r1 = article("art-1", "Wire One", "2030-03-01", [
        mention("art-1", 1, "talks", "2030-03-10", ["AAA", "BBB"])])
    spokesman = Actor(name="Ivan Petrenko", code="BBB", kind="person")
    r1.actor_mentions.append(ActorMention("am1", "art-1", 1, 0, 5, "Ivan Petrenko", spokesman))
    res = resolve([r1], SETTINGS)
    assert all(p.actor_id for p in res.events[0].actors)
    assert any(a.name == "Ivan Petrenko" for a in res.actors)


def test_story_clustering_groups_related_articles():
    a, b = two_outlets()
    other = article("art-z", "Wire One", "2030-03-02", [
        mention("art-z", 1, "earthquake", "2030-03-02", [], etype="ASSAULT", status="occurred")],
        title="Earthquake shakes coastal province")
    res = resolve([a, b, other], SETTINGS)
    story_of = {art: s.id for s in res.stories for art in s.articles}
    assert story_of["art-a"] == story_of["art-b"] != story_of["art-z"]
    story = next(s for s in res.stories if "art-a" in s.articles)
    assert set(story.outlets) == {"Wire One", "Paper Two"}
    assert story.title == "Officials prepare security talks"
    assert all(e.story for e in res.events)


def test_resolving_twice_adds_nothing():
    results = two_outlets()
    assert _clusters(resolve(results + results, SETTINGS)) == _clusters(resolve(results, SETTINGS))


def test_embeddings_optional_same_events():
    with_emb = resolve(two_outlets(), Settings(use_embeddings=True))
    assert _clusters(with_emb) == _clusters(resolve(two_outlets(), SETTINGS))


def test_one_sentence_two_participant_sets_stay_apart_but_same_participants_merge():
    ahead = "Officials will travel ahead of a meeting of the Council and an assembly of the Organisation later that week."
    agreed = "Arland and Borduria agreed to meet for talks on March 10."
    art = article("art-s", "Wire One", "2030-03-01", [
        mention("art-s", 1, "meeting", None, ["BBB", "ALLI"], sentence=7, text=ahead),
        mention("art-s", 2, "assembly", None, ["BBB", "ORG"], sentence=7, text=ahead),
        mention("art-s", 3, "agreed to meet", "2030-03-10", ["AAA", "BBB"], etype="AGREE", sentence=8, text=agreed),
        mention("art-s", 4, "talks", "2030-03-10", ["AAA", "BBB"], sentence=8, text=agreed),
    ])
    clusters = _clusters(resolve([art], SETTINGS))
    assert not any({"art-s-m1", "art-s-m2"} <= set(c) for c in clusters)
    assert any({"art-s-m3", "art-s-m4"} <= set(c) for c in clusters)


def test_agency_sharing_a_country_code_is_its_own_actor():
    refs = [ActorRef("United States", "USA", "country"), ActorRef("Washington", "USA", "government"),
            ActorRef("National Security Council", "USA", "organisation")]
    keys = link_actors(refs)
    assert keys[("United States", "USA", "country")] == keys[("Washington", "USA", "government")]
    assert keys[("National Security Council", "USA", "organisation")] != keys[("United States", "USA", "country")]


def test_clustering_in_processes_equals_one_process():
    """The multi-process clusterer (large corpora) gives exactly the
    one-process clusters: same blocks, same scores, same components."""
    from resolve_helpers import synthetic_items

    from crosswire.resolve import cluster_locally
    from crosswire.resolve.parallel import cluster_in_processes
    from crosswire.resolve.scoring import NEWS_WEIGHTS

    items = synthetic_items(1500, articles=150, seed=3)  # no sentence vectors: the fallback weights score them
    local = cluster_locally(items, 0.5, NEWS_WEIGHTS)
    assert cluster_in_processes(items, 0.5, NEWS_WEIGHTS, True, workers=2) == local
    assert any(len(c) > 2 for c in local) and any(len(c) == 1 for c in local)


def test_story_clustering_in_processes_equals_one_process():
    """Classic average link over components on forked processes (stories of
    large corpora) equals the one-process agglomeration."""
    from crosswire.resolve.cluster import agglomerate

    rng = random.Random(5)
    items = [Item(key=f"a{k:04d}", doc=f"a{k:04d}", sentence=0, lemma="") for k in range(800)]
    edges = []
    for i in range(800):
        for j in rng.sample(range(800), 6):
            if i < j:
                edges.append((i, j, rng.random()))
    one = agglomerate(items, edges, 0.3, same_sentence_rule=False, unscored_as_zero=True)
    assert agglomerate(items, edges, 0.3, same_sentence_rule=False, unscored_as_zero=True, workers=2) == one
    assert any(len(c) > 2 for c in one)


def test_a_bare_event_noun_does_not_make_a_planned_meeting_held():
    """'The discussions follow proposals by Moscow ...': a bare event noun
    whose 'occurred' is only the default is no report that the meeting was
    held; merged with reports that it is planned, the event stays planned.
    A report that states it happened still wins."""
    from crosswire.resolve import _latest_status

    planned = mention("art-1", 1, "talks", "2030-03-10", ["AAA", "BBB"], status="planned")
    planned.why = ["light-verb:hold+talk=040", "status:future-aux"]
    bare = mention("art-2", 0, "discussions", None, ["AAA", "BBB"], status="occurred")
    bare.why = ["scheduled:discussion+follow=040"]
    published = {"art-1": "2030-03-01", "art-2": "2030-03-02"}
    assert _latest_status([planned, bare], published) == "planned"
    held = mention("art-2", 2, "met", "2030-03-10", ["AAA", "BBB"], status="occurred")
    held.why = ["cameo-verb:meet=040"]
    assert _latest_status([planned, bare, held], published) == "occurred"
    assert _latest_status([bare], published) == "occurred"  # alone, the default stands


def test_reports_half_a_year_apart_never_merge_even_by_inferred_dates():
    """Inferred dates (the article's day) are hints, not constraints, yet a
    chain of like-worded accusations from articles ten months apart had
    become one event. Dates, stated or inferred, more than half a year
    apart never merge; a month and a day inside it still can."""
    from crosswire.resolve.scoring import cannot_link, day_span, within_window

    def inferred(key: str, doc: str, soft_date: str) -> Item:
        return Item(key=key, doc=doc, sentence=0, lemma="accuse", event_type="ACCUSE",
                    codes=frozenset({"AAA", "BBB"}), soft_date=soft_date)

    january, november = inferred("a", "d1", "2030-01-02"), inferred("b", "d2", "2030-11-23")
    assert cannot_link(january, november)
    assert not cannot_link(january, inferred("c", "d3", "2030-05-20"))
    assert within_window(day_span("2030-06"), day_span("2030-01-02"))
    assert not within_window(day_span("2030-12"), day_span("2030-01-02"))
    assert within_window(day_span("2030"), day_span("2030-12-31"))

    # an undated report between them, scored high with each, joins one side only (no chain)
    from crosswire.resolve.cluster import agglomerate

    undated = Item(key="u", doc="d4", sentence=0, lemma="accuse", event_type="ACCUSE", codes=frozenset({"AAA", "BBB"}))
    clusters = agglomerate([january, november, undated], [(0, 2, 0.9), (1, 2, 0.8)], 0.15)
    assert clusters == [[0, 2], [1]]


def test_sayings_by_different_persons_are_different_happenings():
    """Reactions to one decision ("X wrote that it is a big mistake", "Y said
    this will lead to ...") were one ACCUSE event: the speakers share a
    country code, and that was all the constraint compared. Two sayings by
    different named persons never merge; by the same person they still may."""
    def person(name: str) -> Participant:
        return Participant(name=name, code="AAA", kind="person", actor_id=name.lower())

    def saying(art: str, idx: int, speaker: str) -> EventMention:
        m = mention(art, idx, "criticised", "2030-03-10", ["BBB"], status="occurred", etype="ACCUSE",
                    text="A senator criticised the withdrawal from Borovia as a big mistake.")
        m.actors, m.recipients = [person(speaker)], [P["BBB"]]
        return m

    res = resolve([article("art-a", "Wire One", "2030-03-10",
                           [saying("art-a", 1, "Ann Ames"), saying("art-a", 2, "Bea Boyd")]),
                   article("art-b", "Paper Two", "2030-03-10", [saying("art-b", 1, "Ann Ames")])], SETTINGS)
    by_event = _clusters(res)
    assert ["art-a-m1", "art-a-m2"] not in by_event and not any(len(c) == 3 for c in by_event)
    assert ["art-a-m1", "art-b-m1"] in by_event
