"""Two learned components for the time tagger, measured out of fold (both rejected).

    .venv/bin/python bench/timex_learned.py [TEMPEVAL_TRAIN_DIR] [--folds 5]

1. An acceptance filter: logistic regression on each system timex (rule,
   value shape, words, neighbouring words and POS, dependency label) that
   predicts whether it matches a gold timex, fitted on the training folds;
   timexes under a threshold are dropped in the held-out fold.
2. A direction model: for each underspecified date whose value depends on
   the clause's direction (weekdays, months, month-days, quarters...), a
   logistic regression on clause features (the tense.py verdict, the
   governing verb's tag, lemma and auxiliaries, the words before the timex)
   fitted on the training folds' timexes whose gold value only one direction
   gives; the held-out fold's value is the one under the predicted direction
   (when the model is confident, else tense.py's verdict).

Folds as `crosswire eval timex --split cv` (a hash of the file name). Prints
the out-of-fold value F1 (or value-correct count) of each policy beside the
rules alone. See docs/decisions/time-cross-validation.md for the figures.
"""
from __future__ import annotations

import argparse
import os
import re
import sys

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from crosswire.annotate import load_nlp  # noqa: E402
from crosswire.datasets import corpus_path  # noqa: E402
from crosswire.datasets.timeml import DEFAULT_PATH, list_files, read_timeml  # noqa: E402
from crosswire.evaluate.timex import _dct_date, _match  # noqa: E402
from crosswire.evaluate.timex_cv import FOLDS, fold_of  # noqa: E402
from crosswire.extract.time import normalise, tag_text  # noqa: E402
from crosswire.extract.time.tense import MAX_CLIMB, direction_at  # noqa: E402


def _shape(value: str) -> str:
    if value.endswith("_REF") or value.startswith("XXXX"):
        return value[:8]
    return ("P" + value[-1]) if value.startswith("P") else re.sub(r"\d", "9", value)


def timex_features(found, doc) -> dict:
    words = [re.sub(r"\d", "9", w) for w in found.text.lower().split()]
    feats = {f"rule={found.rule}": 1, f"type={found.type}": 1, f"shape={_shape(found.value)}": 1,
             f"text={' '.join(words)}": 1, f"first={words[0]}": 1, f"last={words[-1]}": 1}
    span = doc.char_span(found.start, found.end, alignment_mode="expand")
    if span is not None and len(span):
        before = doc[span.start - 1] if span.start else None
        after = doc[span.end] if span.end < len(doc) else None
        feats.update({f"dep={span.root.dep_}": 1, f"head={span.root.head.pos_}": 1,
                      f"prev={before.lower_ if before is not None else '<s>'}": 1,
                      f"prevpos={before.pos_ if before is not None else '<s>'}": 1,
                      f"next={after.lower_ if after is not None else '</s>'}": 1,
                      f"nextpos={after.pos_ if after is not None else '</s>'}": 1,
                      "sentence_start": float(span.start == span.sent.start)})
    return feats


def clause_features(found, doc, verdict: int) -> dict:
    span = doc.char_span(found.start, found.end, alignment_mode="expand")
    token = span.root
    for _ in range(MAX_CLIMB + 2):
        if token.pos_ in ("VERB", "AUX") or token.head == token:
            break
        token = token.head
    feats = {f"verdict={verdict}": 1, f"rule={found.rule}": 1, f"rule_verdict={found.rule}_{verdict}": 1,
             f"tag={token.tag_}": 1, f"lemma={token.lemma_.lower()}": 1, f"dep={token.dep_}": 1,
             f"head_lemma={token.head.lemma_.lower()}": 1, "first_sentence": float(span.sent.start == 0)}
    for child in token.children:
        if child.dep_ in ("aux", "auxpass"):
            feats[f"aux={child.lower_}"] = 1
    for i, before in enumerate(reversed(doc[max(0, span.start - 3):span.start])):
        feats[f"before{i}={before.lower_}"] = 1
    return feats


def _fit_predict(features, labels, train, test) -> np.ndarray:
    vectoriser = DictVectorizer()
    model = LogisticRegression(max_iter=3000)
    model.fit(vectoriser.fit_transform([features[i] for i in train]), [labels[i] for i in train])
    return model.predict_proba(vectoriser.transform([features[i] for i in test]))[:, 1]


def out_of_fold(features, labels, fold, trainable, folds) -> np.ndarray:
    """P(label 1) for every row, from a model fitted on the other folds' trainable rows."""
    p = np.zeros(len(features))
    for k in range(folds):
        train = [i for i in range(len(features)) if fold[i] != k and trainable[i]]
        test = [i for i in range(len(features)) if fold[i] == k]
        if train and test:
            p[test] = _fit_predict(features, labels, train, test)
    return p


def acceptance_filter(golds, docs, folds: int) -> None:
    rows = []  # (fold, features, matched, value right)
    for gold, doc in zip(golds, docs):
        found = tag_text(gold.text, _dct_date(gold.dct), doc)
        matched = {id(t): g for g, t in _match(gold.timexes, found)[1]}
        for t in found:
            g = matched.get(id(t))
            rows.append((fold_of(gold.path, folds), timex_features(t, doc), g is not None,
                         g is not None and g.value == t.value))
    n_gold = sum(len(g.timexes) for g in golds)
    fold = [r[0] for r in rows]
    p = out_of_fold([r[1] for r in rows], [r[2] for r in rows], fold, [True] * len(rows), folds)
    for threshold in (0.0, 0.2, 0.3, 0.4, 0.5):
        keep = p >= threshold
        right = sum(1 for r, k in zip(rows, keep) if k and r[3])
        print(f"acceptance filter, threshold {threshold:.1f}: {int(keep.sum())} system timexes, "
              f"out-of-fold value F1 {2 * right / (keep.sum() + n_gold):.4f}")


def _values_under(golds, docs, forced):
    """Per document: {(start, end): Found} with the direction forced (None: tense.py's)."""
    original = normalise.State.direction
    if forced is not None:
        normalise.State.direction = lambda self: forced
    try:
        return [{(f.start, f.end): f for f in tag_text(g.text, _dct_date(g.dct), d)} for g, d in zip(golds, docs)]
    finally:
        normalise.State.direction = original


def direction_model(golds, docs, folds: int) -> None:
    consulted: list[set] = [set() for _ in golds]  # spans whose normaliser asked for the direction
    original = normalise.State.direction
    for i, (g, d) in enumerate(zip(golds, docs)):
        def recording(self, seen=consulted[i]):
            seen.add((self.start, self.end))
            return original(self)
        normalise.State.direction = recording
        try:
            tag_text(g.text, _dct_date(g.dct), d)
        finally:
            normalise.State.direction = original
    base, past, future = (_values_under(golds, docs, f) for f in (None, -1, 1))
    rows = []
    for i, (gold, doc) in enumerate(zip(golds, docs)):
        gold_of = {(t.start, t.end): g for g, t in _match(gold.timexes, list(base[i].values()))[1]}
        for key in consulted[i] & set(gold_of):
            t, g = base[i][key], gold_of[key]
            verdict = direction_at(doc, t.start, t.end)
            ok = {-1: past[i][key].value == g.value, 1: future[i][key].value == g.value, 0: t.value == g.value}
            label = 1 if ok[1] and not ok[-1] else (0 if ok[-1] and not ok[1] else None)
            rows.append((fold_of(gold.path, folds), clause_features(t, doc, verdict), label, ok, verdict))
    p = out_of_fold([r[1] for r in rows], [r[2] or 0 for r in rows], [r[0] for r in rows],
                    [r[2] is not None for r in rows], folds)
    print(f"direction model: {len(rows)} direction-dependent timexes matched to gold, "
          f"{sum(r[2] is not None for r in rows)} with a one-direction label "
          f"({sum(r[2] == 1 for r in rows)} future)")
    print(f"  tense.py alone: {sum(r[3][0] for r in rows)} values right; any direction right: "
          f"{sum(any(r[3].values()) for r in rows)}")
    for confidence in (0.5, 0.7, 0.9):
        right = 0
        for r, pf in zip(rows, p):
            choice = 1 if pf > confidence else (-1 if pf < 1 - confidence else None)
            right += r[3][0] if choice is None or choice == r[4] else r[3][choice]
        print(f"  model where P > {confidence:.1f}, else tense.py: {right} values right (out of fold)")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", help="default: TempEval-3 train under the data root")
    parser.add_argument("--folds", type=int, default=FOLDS)
    args = parser.parse_args()
    golds = [read_timeml(p) for p in list_files(args.path or str(corpus_path(DEFAULT_PATH)))]
    docs = list(load_nlp().pipe([g.text for g in golds], batch_size=16))
    acceptance_filter(golds, docs, args.folds)
    direction_model(golds, docs, args.folds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
