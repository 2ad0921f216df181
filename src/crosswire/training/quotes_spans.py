"""Train the attribution span models (the cue and role models of
extract/quotes/spans.py) on PolNeAR train (CPU, a few minutes):

    .venv/bin/python -m crosswire.training.quotes_spans [PATH, default <data root>/eval/polnear/train]

writes crosswire/data/quotes/attribution_model.json.gz (sparse weights, no
text of the corpus). The features are the ones `spans.py` computes at run
time, so training and inference cannot drift apart. `parse_articles` and
the gold cue heads (`gold_cue_head`) serve the tagger's and the reranker's
training too (quotes_tagger.py, quotes_rerank.py).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from ..datasets import corpus_path
from ..datasets.polnear import read_polnear, span_units
from ..extract.quotes.spans import MODEL_PATH, DocView, cue_features, quote_index, quote_regions, \
    role_features
from ..loading import write_json_gz
from .commands import parse_config

TRAIN_PATH = "eval/polnear/train"


def train_path_field():
    """The optional positional PolNeAR train folder every quotes trainer takes."""
    return field(default=None, metadata={
        "positional": True, "help": "PolNeAR train directory (text/ and attributions/; default: under the data root)"})


@dataclass
class Config:
    """A training run of the span models (defaults: what shipped)."""

    path: Optional[Path] = train_path_field()
    out: Path = MODEL_PATH
    limit: Optional[int] = field(default=None, metadata={"help": "train on the first N sorted articles only"})
    min_count: int = field(default=2, metadata={"help": "features seen in fewer rows are left out"})
    alpha: float = field(default=1e-5, metadata={"help": "L2 strength of the logistic models (SGD)"})
    epochs: int = 20


def train_path(path: Optional[Path]) -> Path:
    """PolNeAR train: `path`, else its place under the data root."""
    return path or corpus_path(TRAIN_PATH)


def _tokens(doc, start: int, end: int):
    return [t for t in doc.char_span(start, end, alignment_mode="expand") or [] if not t.is_space]


def _head(tokens):
    ids = {t.i for t in tokens}
    heads = [t for t in tokens if t.head.i not in ids or t.head.i == t.i]
    return heads[0] if heads else None


def gold_cue_head(text: str, att, doc):
    """The spaCy token heading a gold attribution's cue (None without a cue
    or content): the token the cue model learns to find."""
    units = span_units(text, att.cue)
    if not units or not att.content:
        return None
    return _head([t for u in units for t in _tokens(doc, *u)])


def role_tokens(text: str, att, doc, role: str) -> list:
    """The spaCy tokens of one role's gold fragments."""
    return [t for u in span_units(text, getattr(att, role)) for t in _tokens(doc, *u)]


def examples(docs: Iterable[Any], parsed: Iterable[Any]):
    """(cue rows, role rows): feature lists and labels from gold attributions."""
    cue_x, cue_y, role_x, role_y = [], [], [], []
    for pdoc, doc in zip(docs, parsed):
        regions = quote_regions(doc)
        quotes_of = quote_index(doc, regions)
        gold_heads: dict[int, Any] = {}
        for att in pdoc.attributions:
            head = gold_cue_head(pdoc.text, att, doc)
            if head is not None:
                gold_heads.setdefault(head.i, att)
        for tok in doc:
            if tok.is_space or (tok.is_punct and tok.text != ":") or tok.pos_ in ("DET", "PRON", "CCONJ", "NUM"):
                continue
            cue_x.append(cue_features(tok, quotes_of[tok.i]))
            cue_y.append(int(tok.i in gold_heads))
        view = DocView(doc)
        for head_i, att in gold_heads.items():
            label_of = {t.i: role for role in ("source", "cue", "content") for t in role_tokens(pdoc.text, att, doc, role)}
            for t in range(view.sent_start[head_i], view.sent_end[head_i]):
                if t == head_i or view.is_space[t]:
                    continue
                role_x.append(role_features(view, t, head_i, quotes_of))
                role_y.append(label_of.get(t, "none"))
    return cue_x, cue_y, role_x, role_y


def fit(x: list[list[str]], y: list[Any], min_count: int = 2, alpha: float = 1e-5,
        epochs: int = 20) -> dict[str, Any]:
    """A sparse logistic model; returns {classes, weights, bias} for LinearModel."""
    from collections import Counter

    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import SGDClassifier

    counts = Counter(f for feats in x for f in set(feats))
    keep = {f for f, c in counts.items() if c >= min_count}
    vec = DictVectorizer()
    matrix = vec.fit_transform([{f: 1 for f in feats if f in keep} for feats in x]).tocsr()
    matrix.indices = matrix.indices.astype(np.int32)  # sklearn's SGD wants 32-bit indices
    matrix.indptr = matrix.indptr.astype(np.int32)
    clf = SGDClassifier(loss="log_loss", alpha=alpha, max_iter=epochs, tol=None, random_state=0)
    clf.fit(matrix, np.asarray(y))
    coef = clf.coef_  # (n_classes or 1, n_features)
    names = vec.get_feature_names_out()
    weights = {}
    for j, name in enumerate(names):
        row = [round(float(v), 4) for v in coef[:, j]]
        if any(abs(v) >= 1e-3 for v in row):
            weights[str(name)] = row
    return {"classes": [str(c) for c in clf.classes_] if coef.shape[0] > 1 else ["cue"],
            "weights": weights, "bias": [round(float(b), 4) for b in clf.intercept_]}


def parse_articles(docs, cache: Optional[str] = None) -> list:
    """spaCy parses of PolNeAR articles for training (this model, the tagger,
    the reranker), from a DocBin cache when given (written on the first run)."""
    from spacy.tokens import DocBin

    from ..annotate import load_nlp

    nlp = load_nlp()
    if cache and Path(cache).exists():
        return list(DocBin().from_disk(cache).get_docs(nlp.vocab))
    parsed = list(nlp.pipe((d.text for d in docs), batch_size=32))
    if cache:
        DocBin(store_user_data=False, docs=parsed).to_disk(cache)
    return parsed


def train_parsed(docs, parsed, out: Path = MODEL_PATH, cfg: Optional[Config] = None) -> dict[str, Any]:
    """Fit both models on parsed PolNeAR articles and write them to `out`."""
    cfg = cfg or Config()
    cue_x, cue_y, role_x, role_y = examples(docs, parsed)
    model = {
        "cue": fit(cue_x, cue_y, cfg.min_count, cfg.alpha, cfg.epochs),
        "role": fit(role_x, role_y, cfg.min_count, cfg.alpha, cfg.epochs),
        "trained_on": "PolNeAR train (Newell et al. 2018), one annotator file per article",
    }
    write_json_gz(out, model)
    return {"cue_rows": len(cue_y), "role_rows": len(role_y), "path": str(out), "bytes": out.stat().st_size}


def train(cfg: Config) -> dict[str, Any]:
    docs = list(read_polnear(train_path(cfg.path)))[: cfg.limit or None]
    return train_parsed(docs, parse_articles(docs), cfg.out, cfg)


def main(argv: Optional[list[str]] = None) -> int:
    print(json.dumps(train(parse_config(Config, __doc__, argv))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
