"""The light sentence classifier behind the trigger lexicon.

TF-IDF word (1-2) and character (2-5) n-grams of the sentence plus tokens
for the lexicon's triggers ("LEX_CONSULT"), into two logistic regressions:
PLOVER type (16 types + NONE) and CAMEO pentaclass (0-4). Trained by
`python -m crosswire.extract.events.train` (about a minute on 2 cores) with
scikit-learn, and shipped as plain arrays (data/events/event_model.npz:
vocabularies, idf weights, coefficients). Cheap at run time: one sparse dot
product per sentence.

Why not ship the fitted scikit-learn objects: unpickling them imports
scikit-learn, which imports pandas and scipy.stats, about 2 s before the
first article of every process (each Spark executor's Python worker pays
it). `TfidfFeatures` computes exactly what TfidfVectorizer.transform does
for the settings train.py uses (tests/test_events.py compares the two).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence

from .lexicon import EVENTS_DATA
from ...loading import load_once

MODEL_PATH = EVENTS_DATA / "event_model.npz"


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


@dataclass
class TfidfFeatures:
    """TfidfVectorizer.transform for lowercase word n-grams (token pattern
    `\\b\\w\\w+\\b`) or `char_wb` n-grams, sublinear tf, idf, l2 norm."""

    analyzer: str  # "word" | "char_wb"
    ngram_range: tuple[int, int]
    index: dict[str, int]
    idf: "object"  # numpy float64 array, one weight per feature

    TOKEN = re.compile(r"(?u)\b\w\w+\b")
    WHITE_SPACES = re.compile(r"\s\s+")

    def grams(self, text: str) -> list[str]:
        text = text.lower()
        low, high = self.ngram_range
        if self.analyzer == "word":
            tokens = self.TOKEN.findall(text)
            return [" ".join(tokens[i:i + n]) for n in range(low, high + 1) for i in range(len(tokens) - n + 1)]
        out = []
        for word in self.WHITE_SPACES.sub(" ", text).split():
            padded = f" {word} "
            for n in range(low, high + 1):
                out.extend(padded[i:i + n] for i in range(max(1, len(padded) - n + 1)))
                if n >= len(padded):  # the whole padded word, counted once (as scikit-learn does)
                    break
        return out

    def transform(self, texts: Sequence[str]):
        return sublinear_tfidf_rows([self.grams(text) for text in texts], self.index, self.idf)


def sublinear_tfidf_rows(rows: Sequence[Iterable[str]], index: dict[str, int], idf):
    """Each row's features (those in `index`) as a sparse L2-normalised row of
    (1 + ln count) × idf: scikit-learn's TfidfVectorizer.transform with
    sublinear_tf, without importing scikit-learn."""
    import numpy as np
    from scipy.sparse import csr_matrix

    data, indices, indptr = [], [], [0]
    for features in rows:
        counts = Counter(j for j in map(index.get, features) if j is not None)
        cols = sorted(counts)
        row = np.array([counts[j] for j in cols], dtype=np.float64)
        row = (np.log(row) + 1.0) * idf[cols] if cols else row
        norm = np.sqrt(np.dot(row, row))
        data.append(row / norm if norm > 0 else row)
        indices.extend(cols)
        indptr.append(len(indices))
    values = np.concatenate(data) if data else np.zeros(0)
    return csr_matrix((values, np.asarray(indices, dtype=np.int64), indptr), shape=(len(rows), len(idf)))


@dataclass
class Classifier:
    """A multinomial logistic regression's weights."""

    classes: list
    coef: "object"  # (classes, features) float32
    intercept: "object"


@dataclass
class EventModel:
    word: TfidfFeatures
    char: TfidfFeatures
    plover: Classifier
    penta: Classifier
    about: dict


@load_once
def load_model(path: Optional[str] = None) -> Optional[EventModel]:
    """The shipped model, or None when it has not been trained/shipped."""
    p = Path(path) if path else MODEL_PATH
    if not p.exists():
        return None
    import numpy as np

    with np.load(p, allow_pickle=False) as arrays:
        features = {name: TfidfFeatures(str(arrays[f"{name}_analyzer"]), tuple(int(n) for n in arrays[f"{name}_ngrams"]),
                                        {str(t): i for i, t in enumerate(arrays[f"{name}_terms"])},
                                        arrays[f"{name}_idf"].astype(np.float64))
                    for name in ("word", "char")}
        models = {name: Classifier([_plain(c) for c in arrays[f"{name}_classes"]], arrays[f"{name}_coef"],
                                   arrays[f"{name}_intercept"])
                  for name in ("plover", "penta")}
        about = json.loads(str(arrays["about"]))
    return EventModel(features["word"], features["char"], models["plover"], models["penta"], about)


def _plain(value):
    """numpy scalar -> str or int (class labels: PLOVER names, pentaclass numbers)."""
    return value.item() if hasattr(value, "item") else value


def save_model(path: Path, word, char, plover, penta, about: dict) -> None:
    """Write fitted scikit-learn objects (TfidfVectorizer, LogisticRegression)
    as the arrays `load_model` reads."""
    import numpy as np

    arrays = {"about": np.array(json.dumps(about))}
    for name, vec in (("word", word), ("char", char)):
        terms = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
        arrays.update({f"{name}_terms": np.array(terms), f"{name}_idf": vec.idf_.astype(np.float64),
                       f"{name}_analyzer": np.array(vec.analyzer), f"{name}_ngrams": np.array(vec.ngram_range)})
    for name, clf in (("plover", plover), ("penta", penta)):
        arrays.update({f"{name}_classes": np.asarray(clf.classes_), f"{name}_coef": clf.coef_.astype(np.float32),
                       f"{name}_intercept": clf.intercept_.astype(np.float32)})
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        np.savez_compressed(handle, **arrays)


def featurize(model: EventModel, texts: list[str]):
    from scipy.sparse import hstack

    return hstack([model.word.transform(texts), model.char.transform(texts)]).tocsr()


def predict_batch(model: EventModel, texts: list[str], lexes: list[str]) -> list[tuple[dict, dict]]:
    """Probabilities for all sentences of an article in one sparse product."""
    if not texts:
        return []
    X = featurize(model, [feature_text(t, l) for t, l in zip(texts, lexes)])
    plover = _softmax_rows(X, model.plover)
    penta = _softmax_rows(X, model.penta)
    return [(dict(zip(model.plover.classes, map(float, a))), dict(zip(model.penta.classes, map(float, b))))
            for a, b in zip(plover, penta)]


def _softmax_rows(X, clf: Classifier):
    """Multinomial logistic regression probabilities, as predict_proba."""
    import numpy as np

    scores = X @ clf.coef.T + clf.intercept
    scores = np.asarray(scores, dtype=np.float64)
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores
