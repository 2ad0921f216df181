"""The light sentence classifier behind the trigger lexicon.

TF-IDF word (1-2) and character (2-5) n-grams of the sentence plus tokens
for the lexicon's triggers ("LEX_CONSULT"), into two logistic regressions:
PLOVER type (16 types + NONE) and CAMEO pentaclass (0-4). Trained by
`python -m crosswire.extract.events.train` (about a minute on 2 cores) and
shipped as data/events/event_model.joblib. Cheap at run time: one sparse
dot product per sentence.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Optional

from .lexicon import EVENTS_DATA

MODEL_PATH = EVENTS_DATA / "event_model.joblib"


def lexicon_tokens(triggers: list, main=None) -> str:
    """The lexicon's view of a sentence as extra feature tokens."""
    toks = []
    for t in triggers:
        toks.append(f"lex_{t.event_type.lower()}")
        toks.append(f"lexc_{t.cameo[:2]}")
    if main is not None:
        toks.append(f"lexmain_{main.event_type.lower()}")
    if not triggers:
        toks.append("lex_none")
    return " ".join(toks)


def feature_text(sentence: str, lex: str) -> str:
    return sentence + " \u2016 " + lex


@functools.lru_cache(maxsize=2)
def load_model(path: Optional[str] = None):
    """The trained bundle or None when it has not been trained/shipped."""
    p = Path(path) if path else MODEL_PATH
    if not p.exists():
        return None
    import joblib

    return joblib.load(p)


def featurize(bundle, texts: list[str]):
    from scipy.sparse import hstack

    return hstack([bundle["word"].transform(texts), bundle["char"].transform(texts)]).tocsr()


def predict_batch(bundle, texts: list[str], lexes: list[str]) -> list[tuple[dict, dict]]:
    """Probabilities for all sentences of an article in one sparse product
    (sklearn's per-call checks cost more than the arithmetic)."""
    if not texts:
        return []
    X = featurize(bundle, [feature_text(t, l) for t, l in zip(texts, lexes)])
    plover = _softmax_rows(X, bundle["plover"])
    penta = _softmax_rows(X, bundle["penta"])
    pl_classes = [str(c) for c in bundle["plover"].classes_]
    pe_classes = [int(c) for c in bundle["penta"].classes_]
    return [(dict(zip(pl_classes, map(float, a))), dict(zip(pe_classes, map(float, b)))) for a, b in zip(plover, penta)]


def _softmax_rows(X, clf):
    """Multinomial logistic regression probabilities, as predict_proba."""
    import numpy as np

    scores = X @ clf.coef_.T + clf.intercept_
    scores = np.asarray(scores, dtype=np.float64)
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores
