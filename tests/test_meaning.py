"""The sentence vector each event mention keeps (extract/events/meaning.py)
and how the merge scorer uses it: packed and unpacked without losing the
direction, made by the real pipeline's transformer pass, kept through the
store, and a pair without one scored by the weights fitted without it."""
from __future__ import annotations

import numpy as np
import pytest

from crosswire import Pipeline
from crosswire.extract.events.meaning import load_centre, pack, sentence_meanings, unpack
from crosswire.extract.events.sentence_types import sentence_vectors
from crosswire.resolve.scoring import NEWS_WEIGHTS, NEWS_WEIGHTS_NO_EMBEDDING, Item, score


@pytest.fixture(scope="module")
def pipe():
    return Pipeline(progress=False)


def test_a_packed_vector_keeps_its_direction():
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=384), rng.normal(size=384)
    b = a + 0.8 * b  # correlated, so the cosine is far from 0
    exact = a @ b / np.linalg.norm(a) / np.linalg.norm(b)
    ua, ub = unpack(pack(a)), unpack(pack(b))
    assert len(pack(a)) == 512
    assert abs(float(ua @ ub) - exact) < 0.01
    assert abs(float(np.linalg.norm(ua)) - 1.0) < 1e-5
    assert pack(np.zeros(384)) is None and unpack(None) is None and unpack("") is None


def test_reports_of_one_happening_in_two_articles_are_closer_than_unrelated_news(pipe):
    """Across articles, which is where merging needs it. (Within one article
    the vectors also carry the article's context: the tagger reads it in
    windows, so they are not compared as meanings there.)"""
    texts = ["Russia and the United States will hold talks on arms control in Geneva on January 10.",
             "A fire destroyed a furniture warehouse in Ohio on Sunday, and nobody was hurt.",
             "American and Russian diplomats are to meet in Geneva next month to discuss nuclear weapons."]
    docs = [pipe.nlp(t) for t in texts]
    talks, fire, meeting = (unpack(sentence_meanings(sentence_vectors(encoding, list(doc.sents)))[0])
                            for encoding, doc in zip(pipe.encoder.encode(docs), docs))
    assert load_centre() is not None
    assert float(talks @ meeting) > float(talks @ fire) + 0.2
    assert float(meeting @ talks) > float(meeting @ fire) + 0.2


def test_every_output_mention_keeps_its_sentence_meaning_through_the_store(pipe, examples_dir, tmp_path):
    from crosswire.runner import run_paths
    from crosswire.store import open_store

    path = next((examples_dir / "text").glob("*.txt"))
    with open_store(str(tmp_path / "s.duckdb")) as store:
        run_paths([str(path)], store, pipe)
        (result,) = store.load_results()
    mentions = result.event_mentions
    assert mentions, "the example article gives events"
    assert all(m.meaning and len(m.meaning) == 512 for m in mentions)
    by_sentence: dict[int, set] = {}
    for m in mentions:
        by_sentence.setdefault(m.sentence, set()).add(m.meaning)
    assert all(len(v) == 1 for v in by_sentence.values())  # one vector per sentence
    if len(by_sentence) > 1:
        assert len({next(iter(v)) for v in by_sentence.values()}) == len(by_sentence)


def _item(key: str, doc: str, vector=None) -> Item:
    return Item(key=key, doc=doc, sentence=0, lemma="meet", event_type="CONSULT", codes=frozenset({"RUS", "USA"}),
                date="2022-01-10", context=frozenset({"talks", "arms", "geneva"}), vector=vector)


def test_a_pair_without_both_vectors_is_scored_by_the_weights_fitted_without_them():
    v = unpack(pack(np.ones(384)))
    with_both = score(_item("a", "d1", v), _item("b", "d2", v))
    one_missing = score(_item("a", "d1", v), _item("b", "d2"))
    assert one_missing == score(_item("a", "d1", v), _item("b", "d2"), NEWS_WEIGHTS_NO_EMBEDDING)
    assert with_both != one_missing
    copy = dict(NEWS_WEIGHTS)  # as another process receives the table: compared by value
    assert score(_item("a", "d1", v), _item("b", "d2"), copy) == one_missing
    assert score(_item("a", "d1", v), _item("b", "d2", v), copy) == with_both
