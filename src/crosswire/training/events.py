"""Train the events stage's models on the whole-article gold:

    python -m crosswire.training.events [--folds 5] [--cache DIR] [--report FILE]

What it fits (docs/events.md says why each exists):
1. the sentence-type model (extract/events/sentence_types.py), distilled: a
   teacher (all-mpnet-base-v2 sentence vectors + one logistic regression per
   PLOVER type) is fitted on the annotated sentences of
   `eval/news_events/train` and of the corpus articles the project annotated
   itself (`MORE_GOLD_PATH`, `--more-gold`), labels unannotated political
   news (PolNeAR's train texts, every other file; the Wikinews corpus minus
   the news_events dev articles and the annotated ones) with soft
   probabilities, and the student learns both the soft and the gold labels
   from cheap features;
2. the role models (extract/events/roles.py): P(actor), P(recipient) of
   each candidate actor of each gold event, anchored as the stage anchors it;
3. the confidence model (extract/events/confidence.py), on candidate
   events built exactly as the stage builds them, with sentence-type
   probabilities and role models from folds that never saw the article:
   the label is whether the candidate matches a gold event of its type.
   The confidence model learns from the benchmark's train articles only (a
   confidence calibrated on its annotators and its kind of article;
   `--more-gold-confidence` lets it read the project's articles too).

Every choice is made out of fold: articles are split into `--folds` folds
(the articles of one corpus story share a fold), and each fold's
candidates are built by models fitted on the other folds. The report gives
the out-of-fold scores of the whole-article benchmark (the same scorer as
`crosswire eval news`) at each confidence threshold and the reliability
table, over every annotated article and over `eval/news_events/train`'s
alone (`train_only`: the benchmark's annotators and kind of article, and
comparable with runs that had no other gold); the output threshold
(`Settings.event_min_confidence`) is chosen from `train_only`. The dev
folder is never read.

Needs the `train` extra (scikit-learn, sentence-transformers) and the
all-mpnet-base-v2 model that setup installs (crosswire.models). Sentence
vectors are cached under `--cache` (default .cache/training-events), so a
second run takes minutes instead of the hour the teacher's vectors take on
two CPU cores.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence

from ..config import Settings
from ..datasets import corpus_path
from ..datasets.news_events import labels_of, read_folder, same_sentence, score_events, side_ok
from ..extract.events import (EventCandidate, anchor_for, article_view, one_type_per_word, sentence_candidates,
                              sentence_views, type_model_extras)
from ..extract.actors.lookup import to_participant
from ..extract.events.build import rule_participants
from ..extract.events.confidence import SCORERS_PATH
from ..extract.events.roles import candidates as role_candidates, role_features
from ..extract.events.sentence_types import (SENTENCE_TYPES_PATH, masked_words, save_sentence_types, sentence_vectors,
                                             vector_features)
from ..extract.linear import LinearModel
from ..loading import read_jsonl, write_json_gz
from ..records import PLOVER_TYPES, to_dict
from .commands import parse_config

log = logging.getLogger("crosswire.training.events")
TYPES = list(PLOVER_TYPES)
SEED = 13
MORE_GOLD_PATH = Path(__file__).resolve().parent / "annotations" / "news_events.jsonl"


@dataclass
class Config:
    """Every setting of a training run (defaults: what shipped)."""

    folds: int = 5
    teacher_C: float = 1.0
    student_C: float = 4.0
    gold_weight: float = 3.0  # weight of an annotated sentence against a teacher-labelled one
    role_C: float = 0.3
    confidence_C: float = 0.3
    candidate_min: float = 0.1  # sentence-type probability from which a type is a candidate event
    actor_min: float = 0.1
    recipient_min: float = 0.3
    max_features: int = 50000
    unlabeled_polnear_step: int = field(default=2, metadata={
        "help": "teacher-label every n-th PolNeAR train text (a larger n: a quicker, weaker run)"})
    gsr: bool = field(default=False, metadata={"help": "also learn sentence types from the PLOVER GSR train split"})
    classifier_features: bool = field(default=True, metadata={
        "help": "the GSR/ConfliBERT classifier's probabilities as sentence features"})
    # shipped since stop 32 (docs/decisions/event-records.md)
    vector_axes: int = field(default=128, metadata={
        "help": "principal axes of the tagger's sentence vectors used as features (0: none)"})
    vector_scale: float = field(default=1.0, metadata={
        "help": "length of a typical projected vector (each axis has variance scale²/axes)"})
    mask_entities: bool = field(default=True, metadata={
        "help": "the student reads sentences with their named people, organisations and places masked"})
    more_gold: bool = field(default=True, metadata={
        "help": "also learn from the corpus articles the project annotated (training/annotations)"})
    more_gold_confidence: bool = field(default=False, metadata={
        "help": "the confidence model learns from the project's annotated articles too (else from the benchmark's)"})
    folds_by_story: bool = field(default=True, metadata={
        "help": "out-of-fold folds keep the articles of one story together (the corpus's story ids)"})
    cache: Path = field(default=Path(".cache/training-events"), metadata={
        "help": "where the parsed training articles are kept between runs"})
    report: Optional[Path] = field(default=None, metadata={"help": "write the out-of-fold report (JSON) here"})


# ------------------------------------------------------------------ data
@dataclass
class ArticleData:
    """One annotated article: its extraction context and gold lines."""

    gold_id: str
    ctx: Any
    gold: list[dict]
    sentences: list = field(default_factory=list)  # spaCy sentence spans
    triggers: list = field(default_factory=list)
    mains: list = field(default_factory=list)
    probs: list = field(default_factory=list)  # (plover, penta) probabilities of the GSR/ConfliBERT classifier


def extract_contexts(articles, stages: Sequence[str], cache: Optional[Path] = None):
    """ArticleContexts after the given stages (the pipeline's own code),
    pickled under `cache` keyed by the articles, the stages and the source of
    the extract package, so a second training run does not parse again."""
    import pickle

    from ..pipeline import Pipeline, article_hint

    path = None
    if cache is not None:
        key = hashlib.sha1("\x1f".join([*stages, *(a.id for a in articles), extract_fingerprint()]).encode())
        path = cache / f"contexts-{key.hexdigest()[:16]}.pickle"
        if path.exists():
            with open(path, "rb") as fh:
                return pickle.load(fh)
    pipe = Pipeline(Settings.load(stages=tuple(stages), progress=False))
    hints = {"batch": [article_hint(a) for a in articles]}
    docs = pipe.nlp.pipe([a.text for a in articles], batch_size=16)
    out = [pipe.extract_context(article, doc, hints) for article, doc in zip(articles, docs)]
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            pickle.dump(out, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return out


def extract_fingerprint() -> str:
    """A digest of the extract and ingest code and of the actor and time
    data (the events stage excluded): what the cached contexts depend on."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha1()
    data = [p for p in (root / "data" / "actors").rglob("*") if p.is_file()]
    for path in sorted([*(root / "extract").rglob("*.py"), *(root / "ingest").rglob("*.py"), *data]):
        if "events" not in path.parts:
            digest.update(path.read_bytes())
    return digest.hexdigest()


def read_articles(path: Path):
    """Articles from a JSONL file through the same ingest as `crosswire run`."""
    from ..ingest import read_inputs
    from ..records import Article

    return [a for a in read_inputs([str(path)], Settings.load(), dedupe=False) if isinstance(a, Article)]


def annotated(folder: Path, cache: Optional[Path] = None) -> list[ArticleData]:
    """The articles of a gold folder (articles.jsonl, gold.jsonl), extracted."""
    gold_articles, gold = read_folder(folder)
    return annotated_articles(read_articles(folder / "articles.jsonl"), gold_articles, gold, cache)


def more_gold(root: Path, cache: Optional[Path] = None) -> list[ArticleData]:
    """The corpus articles the project annotated itself: the corpus ids in
    `MORE_GOLD_PATH.with_suffix(".ids")` (an article with no event has no
    gold line, and is annotated all the same), their gold lines in
    `MORE_GOLD_PATH`; the texts are the corpus's."""
    ids = set(MORE_GOLD_PATH.with_suffix(".ids").read_text(encoding="utf-8").split())
    gold = [g for g in read_jsonl(MORE_GOLD_PATH) if g["article"] in ids]
    corpus = [r for r in read_jsonl(root / "corpus" / "articles.jsonl") if r["id"] in ids]
    urls = {r["url"] for r in corpus}
    articles = [a for a in read_articles(root / "corpus" / "articles.jsonl") if a.url in urls]
    return annotated_articles(articles, corpus, gold, cache)


def annotated_articles(articles: list, gold_articles: list[dict], gold: list[dict],
                       cache: Optional[Path] = None) -> list[ArticleData]:
    """Each article extracted to its events stage's input, with its gold lines."""
    by_url = {a["url"]: a["id"] for a in gold_articles}
    ctxs = extract_contexts(articles, ("time", "actors", "sources", "quotes"), cache)
    out = []
    for ctx in ctxs:
        gid = by_url[ctx.article.url]
        data = ArticleData(gid, ctx, [g for g in gold if g["article"] == gid])
        index = article_view(ctx).index
        data.sentences, data.triggers, data.mains, data.probs = sentence_views(ctx, index)
        out.append(data)
    return out


def unannotated_articles(root: Path, exclude_urls: set[str], polnear_step: int):
    """Political news nobody annotated: every `polnear_step`-th PolNeAR train
    text and the Wikinews corpus minus the given articles (dev and those
    learned from)."""
    from ..ingest import read_inputs
    from ..records import Article

    settings = Settings.load()
    corpus = [a for a in read_inputs([str(root / "corpus" / "articles.jsonl")], settings, dedupe=False)
              if isinstance(a, Article) and a.url not in exclude_urls]
    texts = sorted((root / "eval" / "polnear" / "train" / "text").glob("*.txt"))[::polnear_step]
    polnear = [a for a in read_inputs([str(p) for p in texts], settings, dedupe=False) if isinstance(a, Article)]
    return corpus + polnear + wire_articles(root) + conflibert_articles(root)


def wire_articles(root: Path):
    """The TempEval-3 train documents (TimeBank and AQUAINT wire news of the
    1990s: diplomacy, conflict, economy) as unannotated articles."""
    import xml.etree.ElementTree as ET

    from ..records import Article

    out = []
    for path in sorted((root / "eval" / "tempeval3" / "train").rglob("*.tml")):
        text_node = ET.parse(path).getroot().find("TEXT")
        if text_node is None:
            continue
        text = "\n\n".join(p.strip() for p in "".join(text_node.itertext()).split("\n\n") if p.strip())
        if text:
            out.append(Article(id=Article.make_id(text), text=text))
    return out


def conflibert_articles(root: Path, per_article: int = 25):
    """The ConfliBERT CAMEO train-split sentences (2017-18 news), grouped
    into pseudo-articles of `per_article` sentences; their pentaclass labels
    are not used."""
    from ..datasets.conflibert import pentaclass_records
    from ..datasets.hash_split import split
    from ..records import Article

    records = split(pentaclass_records(root / "eval" / "events" / "conflibert_cameo_train.tsv"), "train")
    out = []
    for b in range(0, len(records), per_article):
        text = "\n\n".join(r["text"] for r in records[b:b + per_article])
        out.append(Article(id=Article.make_id(text), text=text))
    return out


@dataclass
class SentenceRow:
    """A sentence the sentence-type model trains on."""

    text: str  # what the teacher reads
    extras: dict[str, float]
    article: Optional[str] = None  # gold article id (annotated sentences only)
    words: str = ""  # what the student's TF-IDF reads (the text, its names masked when the run masks them)
    positive: set[str] = field(default_factory=set)  # gold types (not background)
    ignored: set[str] = field(default_factory=set)  # background or alternative types: neither label
    vector: Any = None  # the tagger's sentence vector (sentence_types.sentence_vectors)

    def __post_init__(self) -> None:
        self.words = self.words or self.text  # no masked words given: the student reads the text


def context_vectors(ctxs, sents_per_ctx: list, wanted: bool) -> list:
    """Per context, its sentences' vectors from the transformer pass the
    pipeline makes for every article (the quotes tagger's MiniLM); Nones
    when the run uses no vectors (`Config.vector_axes` 0), so the pass is
    made only for a run that reads it."""
    if not wanted:
        return [[None] * len(sents) for sents in sents_per_ctx]
    from ..extract.quotes.tagger import ADAPTER_PATH, load_tagger

    tagger = load_tagger(str(ADAPTER_PATH))
    if tagger is None:
        raise SystemExit("the quotes tagger cannot load (`crosswire doctor` says why): the sentence vectors need it")
    out: list = []
    for b in range(0, len(ctxs), 16):
        encodings = tagger.encode([c.doc for c in ctxs[b:b + 16]])
        out.extend(sentence_vectors(e, s) for e, s in zip(encodings, sents_per_ctx[b:b + 16]))
    return out


def annotated_rows(arts: list[ArticleData], with_vectors: bool) -> list[SentenceRow]:
    rows = []
    vectors = context_vectors([a.ctx for a in arts], [a.sentences for a in arts], with_vectors)
    for a, vecs in zip(arts, vectors):
        for sent, trigs, main, (pp, qq), vec in zip(a.sentences, a.triggers, a.mains, a.probs, vecs):
            row = SentenceRow(sent.text, type_model_extras(trigs, main, pp, qq), a.gold_id, words=masked_words(sent),
                              vector=vec)
            for g in a.gold:
                if not same_sentence(sent.text, g["sentence"]):
                    continue
                (row.ignored if g.get("background") else row.positive).add(g["type"])
                row.ignored.update(g.get("alt_types", []))
            row.ignored -= row.positive
            rows.append(row)
    return rows


def gsr_rows(root: Path, with_vectors: bool) -> list[SentenceRow]:
    """PLOVER GSR records of the train split as annotated sentences of their
    one coded type (every other type a negative), always on the training side
    of a fold (article "gsr:<id>")."""
    from ..datasets.hash_split import split
    from ..datasets.plover_gsr import gsr_records
    from ..records import Article

    records = split(gsr_records(root / "eval" / "events" / "PLOVER_GSR_CAMEO.txt"), "train")
    arts = [Article(id=Article.make_id(r["text"]), text=r["text"]) for r in records]
    rows = []
    ctxs = extract_contexts(arts, ("time", "actors"))
    whole = context_vectors(ctxs, [[c.doc[:]] for c in ctxs], with_vectors)  # a record is read as one sentence
    for r, ctx, vec in zip(records, ctxs, whole):
        sents, trigs, mains, probs = sentence_views(ctx, article_view(ctx).index)
        extras: dict[str, float] = {}
        for t, m, (p, q) in zip(trigs, mains, probs):
            for name, value in type_model_extras(t, m, p, q).items():
                extras[name] = max(extras.get(name, 0.0), value)
        row = SentenceRow(r["text"], extras, f"gsr:{r['key']}", words=masked_words(ctx.doc[:]), vector=vec[0])
        if r["label"] in TYPES:
            row.positive.add(r["label"])
        rows.append(row)
    return rows


def unannotated_rows(ctxs, with_vectors: bool) -> list[SentenceRow]:
    rows: list[SentenceRow] = []
    views = [sentence_views(ctx, article_view(ctx).index) for ctx in ctxs]
    vectors = context_vectors(ctxs, [v[0] for v in views], with_vectors)
    for (sents, trigs, mains, probs), vecs in zip(views, vectors):
        rows.extend(SentenceRow(s.text, type_model_extras(t, m, p, q), words=masked_words(s), vector=v)
                    for s, t, m, (p, q), v in zip(sents, trigs, mains, probs, vecs))
    return rows


def vector_axes(rows: list[SentenceRow], cfg: Config):
    """(mean, scaled principal axes) of the rows' sentence vectors: an
    unsupervised projection (no label is read), fitted once on all rows."""
    import numpy as np

    V = np.vstack([r.vector for r in rows]).astype(np.float64)
    mean = V.mean(axis=0)
    _u, sing, axes = np.linalg.svd(V - mean, full_matrices=False)
    k = min(cfg.vector_axes, len(sing))
    std = sing[:k] / np.sqrt(max(len(V) - 1, 1))
    return mean, axes[:k] / std[:, None] * (cfg.vector_scale / np.sqrt(k))


# ------------------------------------------------------------------ teacher
def teacher_vectors(texts: list[str], cache: Path):
    """all-mpnet-base-v2 sentence vectors, cached by text."""
    import numpy as np

    from ..models import installed

    cache.mkdir(parents=True, exist_ok=True)
    path = cache / "mpnet_vectors.npz"
    known: dict[str, Any] = {}
    if path.exists():
        with np.load(path) as z:
            known = dict(zip(z["keys"].tolist(), z["vectors"]))
    key = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
    missing = sorted({k: t for k, t in zip(key, texts) if k not in known}.items())
    if missing:
        from sentence_transformers import SentenceTransformer

        model_dir = installed()
        if model_dir is None:
            raise SystemExit("all-mpnet-base-v2 is not installed: python -m crosswire.models install")
        model = SentenceTransformer(str(model_dir), device="cpu")
        started = time.time()
        for b in range(0, len(missing), 512):
            chunk = missing[b:b + 512]
            vecs = model.encode([t for _k, t in chunk], batch_size=32)
            known.update({k: v for (k, _t), v in zip(chunk, vecs)})
            np.savez(path, keys=np.array(list(known)), vectors=np.array(list(known.values()), dtype=np.float32))
            log.info("teacher vectors %d/%d (%.1f/s)", b + len(chunk), len(missing), (b + len(chunk)) / (time.time() - started))
    return np.array([known[k] for k in key], dtype=np.float32)


def extras_matrix(rows: list[SentenceRow], names: Optional[list[str]] = None):
    import numpy as np

    if names is None:
        names = sorted({n for r in rows for n in r.extras})
    index = {n: i for i, n in enumerate(names)}
    X: Any = np.zeros((len(rows), len(names)), dtype=np.float32)
    for i, r in enumerate(rows):
        for n, v in r.extras.items():
            j = index.get(n)
            if j is not None:
                X[i, j] = v
    return X, names


def label_matrix(rows: list[SentenceRow]):
    import numpy as np

    Y: Any = np.zeros((len(rows), len(TYPES)), dtype=np.int8)
    mask = np.ones_like(Y)
    for i, r in enumerate(rows):
        for t in r.positive:
            Y[i, TYPES.index(t)] = 1
        for t in r.ignored:
            mask[i, TYPES.index(t)] = 0
    return Y, mask


def fit_teacher(vectors, extras, Y, mask, C: float):
    """One logistic regression per type on [sentence vector, classifier probabilities]."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    X = np.hstack([vectors, extras])
    models = []
    for j in range(len(TYPES)):
        keep = mask[:, j] == 1
        y = Y[keep, j]
        models.append(LogisticRegression(C=C, max_iter=3000).fit(X[keep], y) if 2 <= y.sum() < len(y) else None)
    return models


def teacher_probabilities(models, vectors, extras):
    import numpy as np

    X = np.hstack([vectors, extras])
    return np.column_stack([m.predict_proba(X)[:, 1] if m is not None else np.zeros(len(X)) for m in models])


# ------------------------------------------------------------------ student
@dataclass
class Student:
    vectorizer: Any
    extra_names: list[str]
    word_coef: Any
    extra_coef: Any
    intercept: Any

    def probabilities(self, rows: list[SentenceRow]):
        import numpy as np

        X = self.vectorizer.transform([r.words for r in rows])
        E, _ = extras_matrix(rows, self.extra_names)
        scores = np.asarray(X @ self.word_coef.T) + E @ self.extra_coef.T + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(scores, -30, 30)))


def fit_student(gold_rows: list[SentenceRow], soft_rows: list[SentenceRow], soft, cfg: Config) -> Student:
    """Logistic regressions per type on annotated rows (hard labels, weight
    `gold_weight`) and teacher-labelled rows (each twice: positive with
    weight p, negative with weight 1 - p)."""
    import numpy as np
    from scipy.sparse import csr_matrix, hstack, vstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_features=cfg.max_features)
    vec.fit([r.words for r in gold_rows + soft_rows])
    Eg, names = extras_matrix(gold_rows + soft_rows)
    Xg = hstack([vec.transform([r.words for r in gold_rows]), csr_matrix(Eg[:len(gold_rows)])]).tocsr()
    Xs = hstack([vec.transform([r.words for r in soft_rows]), csr_matrix(Eg[len(gold_rows):])]).tocsr()
    Y, mask = label_matrix(gold_rows)
    n_words = len(vec.vocabulary_)
    coef = np.zeros((len(TYPES), n_words + len(names)))
    intercept = np.zeros(len(TYPES))
    for j in range(len(TYPES)):
        keep = np.where(mask[:, j] == 1)[0]
        X = vstack([Xg[keep], Xs, Xs])
        y = np.concatenate([Y[keep, j], np.ones(len(soft_rows)), np.zeros(len(soft_rows))])
        w = np.concatenate([np.full(len(keep), cfg.gold_weight), soft[:, j], 1 - soft[:, j]])
        if y[:len(keep)].sum() < 2 and soft[:, j].sum() < 1:
            intercept[j] = -10.0
            continue
        model = LogisticRegression(C=cfg.student_C, solver="liblinear", max_iter=3000).fit(X, y, sample_weight=w)
        coef[j], intercept[j] = model.coef_[0], model.intercept_[0]
    return Student(vec, names, coef[:, :n_words], coef[:, n_words:], intercept)


# ------------------------------------------------------------------ roles
def gold_events_of(data: ArticleData, sent) -> list[dict]:
    """The gold lines (not background) a sentence reports, one per type."""
    seen, out = set(), []
    for g in data.gold:
        if g.get("background") or g["type"] in seen or not same_sentence(sent.text, g["sentence"]):
            continue
        seen.add(g["type"])
        out.append(g)
    return out


def role_examples(arts: list[ArticleData]) -> list[dict]:
    """Features and labels of every candidate actor of every gold event,
    anchored as the stage anchors an event of the gold type."""
    examples = []
    for a in arts:
        view = article_view(a.ctx)
        quotes = a.ctx.result.quotes
        for sent, trigs in zip(a.sentences, a.triggers):
            events = gold_events_of(a, sent)
            if not events:
                continue
            cands = role_candidates(sent, view.index.mentions, quotes)
            for g in events:
                trig, _anchor = anchor_for(sent, trigs, g["type"])
                if trig is None:
                    continue
                ra, rr, _why = rule_participants(view, sent, trig)
                rule_a = {m.actor.id or m.actor.name.lower() for m in ra}
                rule_r = {m.actor.id or m.actor.name.lower() for m in rr}
                for c in cands:
                    p = [to_dict(to_participant(c.mention))]
                    examples.append({"article": a.gold_id,
                                     "features": role_features(c, trig.token, trig.carrier, g["type"], rule_a, rule_r, quotes),
                                     "actor": int(bool(g["actor"]) and side_ok(g["actor"], p)),
                                     "recipient": int(bool(g["recipient"]) and side_ok(g["recipient"], p))})
    return examples


def fit_logistic(features: list[dict], labels: list[int], C: float, about: Optional[dict] = None) -> LinearModel:
    """A LinearModel (named weights) from dict features."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer()
    X = vec.fit_transform(features)
    model = LogisticRegression(C=C, max_iter=5000).fit(X, labels)
    weights = {name: round(float(w), 6) for name, w in zip(vec.get_feature_names_out(), model.coef_[0]) if w != 0}
    return LinearModel(weights, float(model.intercept_[0]), about or {})


def fit_roles(examples: list[dict], cfg: Config) -> dict:
    feats = [e["features"] for e in examples]
    return {"actor": fit_logistic(feats, [e["actor"] for e in examples], cfg.role_C),
            "recipient": fit_logistic(feats, [e["recipient"] for e in examples], cfg.role_C),
            "about": {"actor_min": cfg.actor_min, "recipient_min": cfg.recipient_min}}


# ------------------------------------------------------------------ candidates
def candidate_events(a: ArticleData, type_probs, roles: dict, cfg: Config) -> list[tuple[EventCandidate, Optional[bool]]]:
    """The article's candidate events as the stage builds them, each with
    its label (True: matches a gold event of its type; None: only background)."""
    view = article_view(a.ctx, roles)
    out = []
    for i, (sent, trigs) in enumerate(zip(a.sentences, a.triggers)):
        probs = dict(zip(TYPES, map(float, type_probs[i])))
        used: dict[str, int] = {}
        for c in sentence_candidates(view, sent, i, len(a.sentences), trigs, probs, cfg.candidate_min):
            etype = c.mention.event_type
            label = labels_of(a.gold, a.gold_id, sent.text, etype)
            if label:
                # the sentence's n-th candidate of a type is right only if the gold has n events of it there
                used[etype] = used.get(etype, 0) + 1
                label = used[etype] <= gold_count(a.gold, sent.text, etype)
            out.append((c, label))
    return out


def gold_count(gold: list[dict], sentence: str, event_type: str) -> int:
    """How many gold events (not background) of a type a sentence reports."""
    return sum(1 for g in gold if not g.get("background") and same_sentence(sentence, g["sentence"])
               and (g["type"] == event_type or event_type in g.get("alt_types", [])))


# ------------------------------------------------------------------ the whole run
def folds_of(arts: list[ArticleData], k: int, stories: Optional[dict[str, str]] = None) -> dict[str, int]:
    """Article id -> fold. With `stories` (article url -> story id), the
    articles of one story share a fold, the largest stories placed first,
    each on the emptiest fold: a sentence about Soleimani is then never
    scored by a model that learned from another report of his killing, as
    an article it has never seen would not be (articles with no story are
    their own)."""
    if not stories:
        return {gid: i % k for i, gid in enumerate(sorted(a.gold_id for a in arts))}
    group = {a.gold_id: stories.get(a.ctx.article.url or "") or a.gold_id for a in arts}
    sizes = Counter(group.values())
    load, fold_of_group = [0] * k, {}
    for g, n in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        f = min(range(k), key=lambda i: (load[i], i))
        fold_of_group[g] = f
        load[f] += n
    return {gid: fold_of_group[g] for gid, g in group.items()}


def corpus_stories(root: Path) -> dict[str, str]:
    """Article url -> story id, from the Wikinews corpus."""
    return {r["url"]: r["story"] for r in read_jsonl(root / "corpus" / "articles.jsonl") if r.get("url") and r.get("story")}


def train(cfg: Config) -> dict:
    import numpy as np

    root = corpus_path("")
    started = time.time()
    log.info("extracting the annotated train articles")
    arts = annotated(root / "eval" / "news_events" / "train", cfg.cache)
    train_only = {a.gold_id for a in arts}
    if cfg.more_gold:
        arts += more_gold(root, cfg.cache)
    dev_articles, _ = read_folder(root / "eval" / "news_events" / "dev")
    log.info("extracting unannotated news")
    # no article learned from is also read unannotated: the student would see an out-of-fold
    # article's sentences with its teacher's labels, and its out-of-fold figures would flatter it
    not_unannotated = {a["url"] for a in dev_articles} | {a.ctx.article.url for a in arts}
    unl_ctxs = extract_contexts(unannotated_articles(root, not_unannotated, cfg.unlabeled_polnear_step),
                                ("time", "actors"), cfg.cache)
    with_vectors = cfg.vector_axes > 0
    gold_rows, soft_rows = annotated_rows(arts, with_vectors), unannotated_rows(unl_ctxs, with_vectors)
    del unl_ctxs
    if cfg.gsr:
        gold_rows += gsr_rows(root, with_vectors)
    vector_mean = vector_basis = None
    if with_vectors:
        vector_mean, vector_basis = vector_axes(gold_rows + soft_rows, cfg)
        for r, feats in zip(gold_rows + soft_rows, vector_features([r.vector for r in gold_rows + soft_rows],
                                                                    vector_mean, vector_basis)):
            r.extras.update(feats)
    if not cfg.classifier_features:
        for r in gold_rows + soft_rows:
            r.extras = {k: v for k, v in r.extras.items() if not k.startswith("p_")}
    log.info("%d annotated sentences, %d unannotated", len(gold_rows), len(soft_rows))
    if not cfg.mask_entities:
        for r in gold_rows + soft_rows:
            r.words = r.text
    vectors = teacher_vectors([r.text for r in gold_rows + soft_rows], cfg.cache)
    Vg, Vs = vectors[:len(gold_rows)], vectors[len(gold_rows):]
    Eall, names = extras_matrix(gold_rows + soft_rows)
    Eg, Es = Eall[:len(gold_rows)], Eall[len(gold_rows):]
    Y, mask = label_matrix(gold_rows)
    fold = folds_of(arts, cfg.folds, corpus_stories(root) if cfg.folds_by_story else None)
    row_fold = np.array([fold.get(r.article or "", -1) for r in gold_rows])  # GSR rows: always trained on
    examples = role_examples(arts)

    # out of fold: sentence types, roles, candidates
    oof_types = np.zeros((len(gold_rows), len(TYPES)))
    candidates: list[tuple[str, EventCandidate, Optional[bool]]] = []
    for f in range(cfg.folds):
        tr = row_fold != f  # GSR rows (-1) are on the training side of every fold
        teacher = fit_teacher(Vg[tr], Eg[tr], Y[tr], mask[tr], cfg.teacher_C)
        student = fit_student([r for r, t in zip(gold_rows, tr) if t], soft_rows, teacher_probabilities(teacher, Vs, Es), cfg)
        oof_types[row_fold == f] = student.probabilities([r for r, t in zip(gold_rows, row_fold == f) if t])
        roles = fit_roles([e for e in examples if fold[e["article"]] != f], cfg)
        for a in arts:
            if fold[a.gold_id] == f:
                rows = [i for i, r in enumerate(gold_rows) if r.article == a.gold_id]
                candidates.extend((a.gold_id, c, y) for c, y in candidate_events(a, oof_types[rows], roles, cfg))
        log.info("fold %d done (%.0f s)", f, time.time() - started)

    # the confidence model, fitted on the out-of-fold candidates
    labelled = [(gid, c, y) for gid, c, y in candidates if y is not None]
    # calibrated on the benchmark's own articles: its annotators, its kind of article
    calibrate_on = {g for g, _c, _y in labelled} if cfg.more_gold_confidence else train_only
    calibration = [(c, y) for g, c, y in labelled if g in calibrate_on]
    confidence = fit_logistic([c.features for c, _y in calibration], [int(y) for _c, y in calibration],
                              cfg.confidence_C)
    oof_conf = confidence_oof(labelled, fold, cfg, calibrate_on)
    news = row_fold >= 0
    report = evaluate_oof(arts, labelled, oof_conf, oof_types[news], Y[news], mask[news])
    if len(train_only) < len(arts):
        report["train_only"] = evaluate_oof(*only_articles(train_only, arts, labelled, oof_conf,
                                                            [r.article for r, n in zip(gold_rows, news) if n],
                                                            oof_types[news], Y[news], mask[news]))

    # final models on everything
    teacher = fit_teacher(Vg, Eg, Y, mask, cfg.teacher_C)
    student = fit_student(gold_rows, soft_rows, teacher_probabilities(teacher, Vs, Es), cfg)
    roles = fit_roles(examples, cfg)
    about = {"trained_on": f"eval/news_events/train ({len(train_only)} articles)"
                           + (f" + {len(arts) - len(train_only)} corpus articles annotated by the project" if cfg.more_gold else "")
                           + " + teacher-labelled PolNeAR train / Wikinews corpus",
             "unannotated_sentences": len(soft_rows), "annotated_sentences": len(gold_rows),
             "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in cfg.__dict__.items()},
             "entity_mask": cfg.mask_entities}
    save_sentence_types(SENTENCE_TYPES_PATH, TYPES, student.vectorizer, student.word_coef, student.extra_names,
                        student.extra_coef, student.intercept, about, vector_mean, vector_basis)
    write_json_gz(SCORERS_PATH, {"models": {"actor": roles["actor"].to_json(), "recipient": roles["recipient"].to_json(),
                                            "confidence": confidence.to_json()},
                                 "about": {**roles["about"], "candidate_min": cfg.candidate_min,
                                           "oof": report.get("train_only", report)["chosen"],
                                           "oof_all_annotated": report["chosen"]}})
    report["seconds"] = round(time.time() - started)
    if cfg.report:
        cfg.report.write_text(json.dumps(report, indent=1))
    return report


def only_articles(ids: set[str], arts, labelled, conf, row_articles: list, oof_types, Y, mask):
    """`evaluate_oof`'s arguments restricted to the given articles
    (`row_articles`: the article of each row of `oof_types`, `Y` and `mask`)."""
    keep = [i for i, (g, _c, _y) in enumerate(labelled) if g in ids]
    rows = [i for i, article in enumerate(row_articles) if article in ids]
    return ([a for a in arts if a.gold_id in ids], [labelled[i] for i in keep], [conf[i] for i in keep],
            oof_types[rows], Y[rows], mask[rows])


def confidence_oof(labelled, fold: dict, cfg: Config, calibrate_on: set[str]) -> list[float]:
    """Each candidate's confidence from a model fitted on the other folds'
    candidates of the `calibrate_on` articles."""
    out = [0.0] * len(labelled)
    for f in range(cfg.folds):
        train_ix = [i for i, (g, _c, _y) in enumerate(labelled) if fold[g] != f and g in calibrate_on]
        test_ix = [i for i, (g, _c, _y) in enumerate(labelled) if fold[g] == f]
        model = fit_logistic([labelled[i][1].features for i in train_ix], [int(labelled[i][2]) for i in train_ix],
                             cfg.confidence_C)
        for i in test_ix:
            out[i] = model.probability(labelled[i][1].features)
    return out


def pseudo_events_json(arts: list[ArticleData], kept: list[EventCandidate]) -> dict:
    """An events.json with one event per kept mention (no cross-article merging)."""
    articles = [{"id": a.ctx.article.id, "url": a.ctx.article.url, "title": a.ctx.article.title} for a in arts]
    events = []
    for c in kept:
        m = to_dict(c.mention)
        events.append({"id": m["id"], "event_type": m["event_type"], "status": m["status"], "date": m["date"],
                       "actors": m["actors"], "recipients": m["recipients"],
                       "mentions": [{"article": m["article"], "text": m["text"], "status": m["status"], "date": m["date"]}]})
    return {"articles": articles, "events": events}


def evaluate_oof(arts, labelled, conf, oof_types, Y, mask) -> dict:
    """Out-of-fold whole-article scores by confidence threshold, and the reliability table."""

    gold_articles = [{"id": a.gold_id, "url": a.ctx.article.url, "title": a.ctx.article.title} for a in arts]
    gold = [g for a in arts for g in a.gold]
    by_threshold = {}
    for th in (0.0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8):
        kept = [(c, p) for (_g, c, _y), p in zip(labelled, conf) if p >= th and (c.mention.actors or c.mention.recipients)]
        kept = one_type_per_word(kept, lambda e: e[0].mention, lambda e: e[1])
        by_threshold[str(th)] = score_events(pseudo_events_json(arts, [c for c, _p in kept]), gold_articles, gold)
    everything = [c for _g, c, _y in labelled]
    by_threshold["all candidates, participants or not"] = score_events(pseudo_events_json(arts, everything),
                                                                      gold_articles, gold)
    bins = []
    for lo in (0.0, 0.2, 0.4, 0.6, 0.8):
        hi = lo + 0.2
        ys = [int(y) for (_g, _c, y), p in zip(labelled, conf) if lo <= p < hi or (hi >= 1.0 and p == 1.0)]
        bins.append({"confidence": f"{lo:.1f}-{hi:.1f}", "n": len(ys), "right": round(sum(ys) / len(ys), 3) if ys else None})
    sentence = {}
    for th in (0.2, 0.3, 0.4, 0.5):
        pred = oof_types >= th
        tp = int((pred & (Y == 1)).sum())
        fp = int((pred & (Y == 0) & (mask == 1)).sum())
        sentence[str(th)] = {"precision": round(tp / max(1, tp + fp), 4), "recall": round(tp / max(1, int(Y.sum())), 4)}
    chosen = by_threshold.get(str(Settings().event_min_confidence), {})
    return {"by_threshold": by_threshold, "reliability": bins, "sentence_types": sentence, "chosen": chosen}


def main(argv: Optional[list[str]] = None) -> int:
    cfg = parse_config(Config, __doc__, argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    report = train(cfg)
    print(json.dumps({k: report[k] for k in ("chosen", "reliability", "sentence_types")}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
