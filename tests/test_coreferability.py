"""Trigger coreference rates (evaluate/coreferability.py): a word whose mentions
usually corefer across documents needs less other evidence, and a train
mention is always scored with its own topic left out."""
from __future__ import annotations

import math

import pytest

from crosswire.evaluate.coreferability import LemmaRates, load_lemma_rates
from crosswire.resolve.scoring import Item, features

# topic "1": quakes mostly reported by several documents, "said" never linked
MENTIONS = ([("quake", "1", True)] * 8 + [("quake", "1", False)] * 2 + [("say", "1", False)] * 10
            + [("say", "2", False)] * 10 + [("quake", "2", True)] * 5 + [("arrest", "2", True)] * 5)


def test_frequent_cross_document_words_score_above_the_overall_rate():
    rates = LemmaRates.from_mentions(MENTIONS)
    assert rates.log_ratio("quake") > 0 > rates.log_ratio("say")
    assert rates.log_ratio("never-seen") == 0.0


def test_leaving_a_topic_out_removes_its_evidence():
    rates = LemmaRates.from_mentions(MENTIONS)
    # "arrest" occurs only in topic 2: scored for a topic-2 mention, nothing is known of it
    assert rates.log_ratio("arrest", exclude_topic="2") == 0.0
    # leaving topic 1 out is scoring with topic 2's counts alone
    topic2 = LemmaRates.from_mentions([m for m in MENTIONS if m[1] == "2"])
    assert rates.log_ratio("arrest", exclude_topic="1") == pytest.approx(topic2.log_ratio("arrest"))
    # an unknown topic (dev, test) leaves every count in
    assert rates.log_ratio("quake", exclude_topic="99") == rates.log_ratio("quake")


def test_smoothing_pulls_rare_words_to_the_overall_rate():
    rates = LemmaRates.from_mentions(MENTIONS)
    linked, seen = 18, 40
    base = linked / seen
    expected = math.log((5 + rates.smoothing * base) / (5 + rates.smoothing) / base)
    assert rates.log_ratio("arrest") == pytest.approx(expected)
    assert 0 < rates.log_ratio("arrest") < math.log(1 / base)


def test_rates_round_trip_and_feed_the_scorer(tmp_path):
    rates = LemmaRates.from_mentions(MENTIONS)
    path = tmp_path / "rates.json"
    rates.write(path)
    again = LemmaRates.read(path)
    assert again.log_ratio("quake", "1") == pytest.approx(rates.log_ratio("quake", "1"))
    a = Item(key="a", doc="d1", sentence=0, lemma="quake", coreferability=again.log_ratio("quake"))
    b = Item(key="b", doc="d2", sentence=0, lemma="quake", coreferability=again.log_ratio("quake"))
    assert features(a, b)["coreferable"] == pytest.approx(2 * rates.log_ratio("quake"))
    # news items carry no rates: the feature is no evidence either way
    assert features(Item(key="c", doc="d3", sentence=0, lemma="meet"),
                    Item(key="d", doc="d4", sentence=0, lemma="meet"))["coreferable"] == 0.0


def test_shipped_rates_know_common_ecb_triggers():
    rates = load_lemma_rates()
    assert rates is not None
    # reporting verbs rarely corefer across documents; "earthquake" usually does
    assert rates.log_ratio("say") < 0 < rates.log_ratio("earthquake")


def test_lemma_baseline_joins_one_lemma_inside_a_document_group_only():
    from crosswire.evaluate.coref import lemma_baseline

    items = [Item(key=k, doc=d, sentence=0, lemma=lem, group=g) for k, d, lem, g in
             [("a1", "d1", "quake", "g1"), ("a2", "d2", "quake", "g1"), ("a3", "d3", "quake", "g2"),
              ("a4", "d2", "kill", "g1")]]
    assert lemma_baseline(items) == {"a1": "a1", "a2": "a1", "a3": "a3", "a4": "a4"}


def test_predicted_mentions_use_the_shipped_trigger_lexicon_without_a_train_folder(tmp_path):
    from crosswire.evaluate.coref import trigger_lexicon

    lexicon, source = trigger_lexicon(str(tmp_path / "no-such-train"))
    assert source == "shipped"
    assert lexicon["earthquake"] >= 0.4 > lexicon["the"]
