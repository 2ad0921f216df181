"""The error patterns issue 22 found in the first extractor, each checked on
the real sentence of a bundled example article (examples/, the
news_events train articles), extracted in its whole article by the default
pipeline (real spaCy, real trained models; no mocks).

Each test names the pattern; where the system may rightly say nothing about
a sentence, the test accepts silence and checks what it must never say."""
from __future__ import annotations

import pytest

from crosswire import Pipeline
from crosswire.ingest import read_inputs
from crosswire.records import Article

WANTED = {"wn-011", "wn-043", "wn-046", "wn-048", "wn-050", "wn-064", "wn-065"}


@pytest.fixture(scope="module")
def results(examples_dir):
    """Article id ("wn-NNN", from the example's URL) -> its ArticleResult."""
    by_id = {}
    for item in read_inputs([str(examples_dir)], dedupe=True):
        if isinstance(item, Article):
            wn = wikinews_id(item)
            if wn in WANTED and wn not in by_id:
                by_id[wn] = item
    assert set(by_id) == WANTED, f"examples lack {WANTED - set(by_id)}"
    return {wn: result for wn, result in zip(by_id, Pipeline().extract(list(by_id.values())))}


def wikinews_id(article: Article) -> str | None:
    """The examples carry their news_events id in `meta["id"]`, in their file
    name or, for the feed, by matching text; None for other articles."""
    if article.meta.get("id"):
        return str(article.meta["id"])
    name = (article.path or "").rsplit("/", 1)[-1]
    if name.startswith("wn-"):
        return name[:6]
    if "PKK is banned in Turkey" in article.text:
        return "wn-046"
    return None


def in_sentence(result, words: str):
    """The event mentions of the sentence holding `words`."""
    sentences = [s for s in result.sentences if words in s.text]
    assert sentences, f"no sentence holds {words!r}"
    index = sentences[0].index
    return [e for e in result.event_mentions if e.sentence == index]


def described(events) -> list:
    return [(e.event_type, e.trigger, [p.name for p in e.actors], [p.name for p in e.recipients], e.status)
            for e in events]


def participant_keys(parts) -> set:
    return {p.actor_id or p.name for p in parts}


def test_a_word_relating_records_is_no_cooperation(results):
    """'records relating to the Trump administration' became COOPERATE."""
    events = in_sentence(results["wn-043"], "records relating to the Trump administration")
    assert not [e for e in events if e.event_type == "COOPERATE"], described(events)
    assert not [e for e in events if e.trigger.lower().startswith("relat")], described(events)


def test_never_the_same_entity_on_both_sides(results):
    """'Khamenei appreciated Soleimani's lifepath' became Soleimani SUPPORT
    Soleimani; no event of any example article may have one participant on
    both sides."""
    for wn, result in results.items():
        for e in result.event_mentions:
            both = participant_keys(e.actors) & participant_keys(e.recipients)
            assert not both, (wn, described([e]))
    events = in_sentence(results["wn-064"], "appreciated Soleimani's lifepath")
    for e in events:
        assert "Soleimani" not in " ".join(p.name for p in e.actors), described(events)


def test_lawsuit_against_the_president_has_the_states_as_actor(results):
    """'attorneys general from sixteen states filed a combined lawsuit
    against ... Trump' had Trump as the actor."""
    events = in_sentence(results["wn-011"], "filed a combined lawsuit against")
    accusations = [e for e in events if e.event_type == "ACCUSE"]
    assert accusations, described(events)
    for e in accusations:
        assert "Trump" not in " ".join(p.name for p in e.actors), described(events)


def test_passive_agent_is_the_actor(results):
    """'The operation was condemned by members of the European Union' had no
    recipient; whatever is output, the Union condemns and is not condemned."""
    events = in_sentence(results["wn-050"], "condemned by members of the European Union")
    for e in events:
        assert "European Union" not in " ".join(p.name for p in e.recipients), described(events)
        if e.actors:
            assert "European" in " ".join(p.name for p in e.actors), described(events)


def test_recommending_a_withdrawal_is_no_retreat(results):
    """'recommended the United States troops in Iraq withdraw' became
    RETREAT, occurred: the sentence reports a request, not a withdrawal."""
    events = in_sentence(results["wn-065"], "recommended the United States troops")
    assert not [e for e in events if e.event_type == "RETREAT" and e.status == "occurred"], described(events)


@pytest.mark.parametrize("wn,words", [
    ("wn-046", "The PKK is banned in Turkey."),
    ("wn-043", "the House of Representatives impeaches the official"),
    ("wn-043", "No U.S. president has ever been removed by impeachment"),
])
def test_standing_states_and_rules_are_no_events(results, wn, words):
    """'The PKK is banned in Turkey' and the constitution's impeachment rules
    were coded as events that occurred."""
    events = in_sentence(results[wn], words)
    assert not events, described(events)


def test_a_traffic_collision_is_no_assault(results):
    """A diplomat's wife's car hitting a motorcyclist became ASSAULT."""
    for words in ("was struck by a Volvo XC90", "was involved in a traffic collision"):
        events = in_sentence(results["wn-048"], words)
        assert not [e for e in events if e.event_type == "ASSAULT"], described(events)


def test_an_event_stays_in_its_sentence(results):
    """Five unrelated sentences with four actors on each side became one
    event: a mention's participants are named in its own article, each with
    its evidence span, and never more than a handful a side."""
    for wn, result in results.items():
        for e in result.event_mentions:
            for p in e.actors + e.recipients:
                assert p.mention is None or p.mention.article == e.article, (wn, described([e]))
            assert len(e.actors) <= 4 and len(e.recipients) <= 4, (wn, described([e]))


@pytest.fixture(scope="module")
def jet_article(examples_dir):
    """wn-069 (the examples' feed carries it): an accusation, then its denial."""
    found = [item for item in read_inputs([str(examples_dir)], dedupe=True)
             if isinstance(item, Article) and "For several days Iran denied the accusation." in item.text]
    assert found, "the examples lack wn-069"
    return next(iter(Pipeline().extract(found[:1])))


def test_a_denied_act_is_not_an_act_that_occurred(jet_article):
    """Pattern: a denial read as the act denied ("For several days Iran
    denied the accusation" as an ASSAULT that occurred). The denial is a
    REJECT by Iran that occurred; an event of another type anchored there is
    the act denied, never one that occurred."""
    events = in_sentence(jet_article, "For several days Iran denied the accusation.")
    for e in events:
        if e.event_type == "REJECT":
            assert e.status == "occurred" and "IRN" in {p.code for p in e.actors}, described([e])
        else:
            assert e.status in {"denied", "claimed"}, described([e])
        assert not participant_keys(e.actors) & participant_keys(e.recipients), described([e])


def test_one_event_word_is_read_as_one_type(results):
    """"United States military kills Qasem Soleimani": the sentence model
    also found ACCUSE in the article's sentences, and the headline's one
    event word came out as ASSAULT and as ACCUSE. One word, one happening,
    one type: the most confident."""
    headline = in_sentence(results["wn-064"], "United States military kills Qasem Soleimani")
    assert [e.event_type for e in headline] == ["ASSAULT"], described(headline)
    for result in results.values():
        words = [(e.article, e.start) for e in result.event_mentions]
        assert len(words) == len(set(words)), described(result.event_mentions)
