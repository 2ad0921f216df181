"""The content-boundary reranker (extract/quotes/rerank.py): candidate
boundaries, the shipped weights, and keeping the decoded span when nothing
beats it; real spaCy, small hand-written sentences."""
from __future__ import annotations

import pytest

from crosswire.annotate import load_nlp
from crosswire.extract.quotes import rerank, spans


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def _context(doc, cue_word: str, margins=None, tags=None) -> rerank.Context:
    view = spans.DocView(doc)
    cue_i = next(t.i for t in doc if t.text == cue_word)
    regions = spans.quote_regions(doc)
    return rerank.Context(doc, view, cue_i, view.sent_start[cue_i], view.sent_end[cue_i], {cue_i},
                          spans.quote_index(doc, regions), margins or {}, tags)


def _tokens(doc, text: str) -> tuple[int, int]:
    span = doc.text.index(text)
    chars = doc.char_span(span, span + len(text))
    return chars.start, chars.end - 1


def test_candidates_hold_the_clause_boundaries(nlp):
    doc = nlp("The governor said on Monday that the budget would pass, which surprised nobody.")
    ctx = _context(doc, "said")
    a, b = _tokens(doc, "the budget would pass")
    cands = rerank.candidates(ctx, a, b)
    assert cands[0] == (a, b) and len(cands) <= rerank.MAX_CANDIDATES
    assert _tokens(doc, "that the budget would pass") in cands  # the complementiser kept
    assert _tokens(doc, "the budget would pass, which surprised nobody") in cands  # to the sentence end
    assert all(not s <= ctx.cue_i <= e for s, e in cands)  # never across the cue


def test_candidates_stay_out_of_blocked_tokens(nlp):
    doc = nlp("Officials told reporters the plan was dead.")
    ctx = _context(doc, "told")
    ctx.blocked.add(_tokens(doc, "reporters")[0])
    a, b = _tokens(doc, "the plan was dead")
    reporters = _tokens(doc, "reporters")[0]
    assert all(not s <= reporters <= e for s, e in rerank.candidates(ctx, a, b))


def test_features_on_both_paths(nlp):
    doc = nlp("She said the vote was rigged.")
    a, b = _tokens(doc, "the vote was rigged")
    linear = rerank.features(_context(doc, "said"), a, b, a, b)
    tags = [[0.0, 0.0, 1.0, 0.0] for _ in doc]
    tagged = rerank.features(_context(doc, "said", tags=tags), a, b, a, b)
    assert linear["dec"] == 1.0 and not any(k.startswith("t") and k[1:] in ("gain", "mean") for k in linear)
    assert "tgain" in tagged and "mgain" in tagged


def test_decoded_span_is_kept_when_nothing_beats_it(nlp):
    doc = nlp("The governor said on Monday that the budget would pass, which surprised nobody.")
    ctx = _context(doc, "said")
    a, b = _tokens(doc, "the budget would pass")
    flat = rerank.Reranker(weights={"linear": {}}, threshold={"linear": 0.0})
    assert flat.choose(ctx, a, b) == (a, b)
    longer = _tokens(doc, "the budget would pass, which surprised nobody")
    eager = rerank.Reranker(weights={"linear": {"se=True|.": 5.0}}, threshold={"linear": 0.0})
    assert eager.choose(ctx, a, b) == longer
    cautious = rerank.Reranker(weights={"linear": {"se=True|.": 5.0}}, threshold={"linear": 6.0})
    assert cautious.choose(ctx, a, b) == (a, b)
    assert flat.choose(_context(doc, "said", tags=[[0.0] * 4 for _ in doc]), a, b) == (a, b)  # no tagger weights


def test_shipped_weights_load_and_run(nlp):
    model = rerank.load_reranker()
    assert model is not None, "the reranker's weights ship with the package"
    assert set(model.weights) == {"linear", "tagger"}
    doc = nlp("The senator said on Tuesday that the new tax plan would hurt small farmers, which worried them.")
    atts = spans.attribution_spans(doc, use_tagger=False)
    assert atts and all(a.content for a in atts)
    plain = spans.attribution_spans(doc, use_tagger=False, reranker=False)
    assert [a.cue for a in plain] == [a.cue for a in atts]
