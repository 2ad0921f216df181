"""Evaluate cross-document event coreference on ECB+.

    python -m crosswire.evaluate.coref [DIR, default <data root>/eval/ecbplus/dev] [--json] [--no-embeddings]
    python -m crosswire.evaluate.coref ../shared/eval/ecbplus/train --fit   (refit weights, print them)
    crosswire eval coref DIR [--json]          (once the CLI wires it)

Data: DIR holds topic folders of CAT-format XML (ECB+ 1.0), read by
crosswire.datasets.ecbplus (the listed sentences only; event mentions are the
ACTION_* and NEG_ACTION_* markables; gold clusters from the coreference
relations; a mention in no relation is a singleton, and singletons count).
The benchmark's trained models (mention encoder, trigger adapter, trigger
probe, lemma rates, trigger lexicon) are not in the wheel: they are read
from the repository's bench/models/coref/ (crosswire.coref_models says how
it is found; a missing file is an error naming it).

All documents of DIR are pooled: the system is never told the gold topic. It
groups documents itself (docgroups.py: average link over TF-IDF cosines of
content words and of names and numbers, once over all documents for event
types, then inside each type for incidents; settings chosen on train), then
scores mention pairs inside a group with the same pairwise scorer and
constrained average-link clustering that `crosswire.resolve` uses on news
(features: trigger lemma and synonym class, contextual trigger vectors from
MiniLM and from the 9th layer of all-mpnet-base-v2, the trained mention
encoder's pair logit, role words, trigger coreference rates, shared entities
and content words of the sentence, same document, same document group).
Weights and thresholds were fitted on the train topics (`--fit`) and are
shipped below.

Two settings:
- gold mentions: keys muc_f1, b3_f1, ceafe_f1, conll_f1 (+ P/R);
- predicted mentions (`conll_f1_predicted`): a trigger finder (the probe over
  trigger vectors, trigger_probe.py; without them, lemmas that are usually
  triggers on the train topics, else verbs) proposes one-token mentions; a
  predicted mention matching a gold mention (inside its span) takes its
  identity, others are extra ("twinless") mentions, scored as the reference
  scorer does.

Metrics follow the reference CoNLL scorer (v8): MUC (Vilain et al. 1995),
B-cubed (Bagga & Baldwin 1998), entity-based CEAF with phi4 (Luo 2005);
CoNLL F1 is their mean.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Optional, Sequence

from ..datasets import corpus_path
from ..datasets.ecbplus import DEFAULT_PATH, EcbDoc, read_ecb
from ..loading import read_jsonl
from ..models import TRIGGER_MODEL
from ..resolve.cluster import agglomerate
from ..resolve.lexicon import STOPWORDS
from ..resolve.scoring import Item, features, score
from .coreferability import LemmaRates, load_lemma_rates
from .docgroups import INSTANCE_THRESHOLD as DOC_THRESHOLD

DEV_TOPICS = ("2", "5", "12", "18", "21", "23", "34", "35")

# Fitted on the ECB+ train topics with `--fit` (logistic regression over the
# scorer's features, then a grid over the thresholds maximising CoNLL F1).
# (same_group is 1 for every scored pair here, so it acts as part of the bias.)
ECB_WEIGHTS: dict[str, float] = {"bias": -2.54, "same_group": -2.5, "embedding": 6.53, "same_class": 1.29,
                                 "same_lemma": -0.7, "context_overlap": -0.2, "topic_overlap": -0.3,
                                 "same_doc": -0.12}
# without embeddings: set by hand, checked on train (lemma and shared context carry it)
ECB_WEIGHTS_NO_EMB: dict[str, float] = {"bias": -4.0, "same_lemma": 3.0, "same_class": 1.0,
                                        "context_overlap": 2.0, "topic_overlap": 2.0}
COREF_THRESHOLD = 0.4
# With the trained mention encoder (coref_models/mention_encoder.py): fitted by
#   python -m crosswire.evaluate.coref ../shared/eval/ecbplus/train --fit \
#       --pair-logits bench/models/coref/train_oof_pair_logits.jsonl.gz
# on out-of-fold encoder logits (3 folds of train topics) and trigger coreference rates read
# with each mention's own topic left out (bench/models/coref/lemma_rates.json, written by
# `--export-lemma-rates`), threshold from the same grid.
ECB_WEIGHTS_ENCODER: dict[str, float] = {
    "bias": -1.105, "same_group": -1.087, "encoder_logit": 0.297, "embedding": 1.467, "embedding_sq": 1.055,
    "same_class": 0.698, "same_lemma": 0.023, "coreferable": 0.746, "context_overlap": -0.686,
    "topic_overlap": -0.479, "same_doc": -0.159, "doc_similarity": -0.159,
    "agent_match": 0.933, "agent_conflict": -0.462,
    "patient_match": 1.68, "patient_conflict": 0.122,
    "place_match": 0.113, "place_conflict": 0.051,
    "sentence_places_match": 0.123, "sentence_places_conflict": -0.228,
    "sentence_times_match": 0.018, "sentence_times_conflict": -0.039,
    "sentence_numbers_match": -0.168, "sentence_numbers_conflict": -0.24,
    "sentence_people_match": -0.08, "sentence_people_conflict": -0.498,
    "sentence_orgs_match": 0.058, "sentence_orgs_conflict": -0.172}
COREF_THRESHOLD_ENCODER = 0.4
# With the mention encoder and all-mpnet-base-v2 trigger vectors (coref_models.trigger_encoder,
# `trigger_similarity`): fitted by the same command, with the model installed.
ECB_WEIGHTS_TRIGGER: dict[str, float] = {
    "bias": -2.198, "same_group": -2.138, "trigger_similarity": 8.768, "encoder_logit": 0.209,
    "embedding": -1.023, "embedding_sq": -1.4, "same_class": 0.246, "same_lemma": 0.054, "coreferable": 0.805,
    "context_overlap": -1.09, "topic_overlap": -0.323, "same_doc": -0.049, "doc_similarity": -0.049,
    "agent_conflict": -0.596, "agent_match": 0.475, "patient_conflict": 0.045, "patient_match": 1.239,
    "place_conflict": 0.081, "place_match": 0.157, "sentence_numbers_conflict": -0.547,
    "sentence_numbers_match": -0.34, "sentence_orgs_conflict": -0.202, "sentence_orgs_match": 0.102,
    "sentence_people_conflict": -0.496, "sentence_people_match": -0.075, "sentence_places_conflict": -0.389,
    "sentence_places_match": -0.056, "sentence_times_conflict": -0.065, "sentence_times_match": -0.024}
COREF_THRESHOLD_TRIGGER = 0.4
# With the trigger vectors tuned by the benchmark's adapter (coref_models/trigger_encoder.py): fitted by
#   python -m crosswire.evaluate.coref ../shared/eval/ecbplus/train --fit \
#       --pair-logits bench/models/coref/train_oof_pair_logits.jsonl.gz \
#       --trigger-folds bench/models/coref/trigger_adapter_folds.safetensors
# (each train mention's tuned vector from the fold adapter that never saw its topic).
ECB_WEIGHTS_TUNED: dict[str, float] = {
    "bias": -2.164, "same_group": -2.122, "trigger_similarity": 8.619, "encoder_logit": 0.165,
    "agent_conflict": -0.49, "agent_match": 0.322, "context_overlap": -1.099, "coreferable": 0.861,
    "doc_similarity": -0.002, "embedding": -0.757, "embedding_sq": -0.879, "patient_conflict": -0.016,
    "patient_match": 0.951, "place_conflict": 0.041, "place_match": 0.085, "same_class": 0.332,
    "same_doc": -0.002, "same_lemma": -0.157, "sentence_numbers_conflict": -0.593,
    "sentence_numbers_match": -0.358, "sentence_orgs_conflict": -0.24, "sentence_orgs_match": 0.181,
    "sentence_people_conflict": -0.558, "sentence_people_match": -0.004, "sentence_places_conflict": -0.339,
    "sentence_places_match": 0.04, "sentence_times_conflict": 0.042, "sentence_times_match": 0.13,
    "topic_overlap": -0.544}
# the fit's threshold grid on train: 0.8178 at 0.35, 0.8159 at 0.4 (5 topic folds fitting the blend,
# throwaway script: 0.8153 at 0.35, 0.8116 at 0.4)
COREF_THRESHOLD_TUNED = 0.35
TRIGGER_RATE = 0.4  # predicted mentions: a lemma is a trigger when it was one this often on train

# ------------------------------------------------------------------ metrics
def _prf(num_r: float, den_r: float, num_p: float, den_p: float) -> tuple[float, float, float]:
    r = num_r / den_r if den_r else 0.0
    p = num_p / den_p if den_p else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _muc_side(key: list[set], response_of: dict) -> tuple[float, float]:
    num = den = 0.0
    for k in key:
        parts = {response_of.get(m, ("twinless", m)) for m in k}
        num += len(k) - len(parts)
        den += len(k) - 1
    return num, den


def muc(key: list[set], response: list[set]) -> tuple[float, float, float]:
    rk, rr = _index(key), _index(response)
    nr, dr = _muc_side(key, rr)
    np_, dp = _muc_side(response, rk)
    return _prf(nr, dr, np_, dp)


def b_cubed(key: list[set], response: list[set]) -> tuple[float, float, float]:
    def side(a: list[set], b_of: dict, b: list[set]) -> tuple[float, float]:
        num = den = 0.0
        for c in a:
            overlaps = Counter(b_of[m] for m in c if m in b_of)
            num += sum(n * n for n in overlaps.values()) / len(c)
            den += len(c)
        return num, den
    nr, dr = side(key, _index(response), response)
    np_, dp = side(response, _index(key), key)
    return _prf(nr, dr, np_, dp)


def ceaf_e(key: list[set], response: list[set]) -> tuple[float, float, float]:
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    if not key or not response:
        return 0.0, 0.0, 0.0
    rk = _index(key)
    sim = np.zeros((len(key), len(response)))
    for j, r in enumerate(response):
        for i, n in Counter(rk[m] for m in r if m in rk).items():
            sim[i, j] = 2.0 * n / (len(key[i]) + len(r))
    rows, cols = linear_sum_assignment(-sim)
    total = float(sim[rows, cols].sum())
    return _prf(total, len(key), total, len(response))


def _index(clusters: list[set]) -> dict:
    return {m: i for i, c in enumerate(clusters) for m in c}


def conll_scores(key: list[set], response: list[set]) -> dict[str, float]:
    out = {}
    for name, fn in (("muc", muc), ("b3", b_cubed), ("ceafe", ceaf_e)):
        p, r, f = fn(key, response)
        out.update({f"{name}_p": p, f"{name}_r": r, f"{name}_f1": f})
    out["conll_f1"] = (out["muc_f1"] + out["b3_f1"] + out["ceafe_f1"]) / 3
    return out


def clusters_of(labels: dict[str, str]) -> list[set]:
    groups: dict[str, set] = defaultdict(set)
    for m, c in labels.items():
        groups[c].add(m)
    return [groups[c] for c in sorted(groups)]


# ----------------------------------------------------------------- features
@dataclass
class Parsed:
    """spaCy analysis of one listed sentence, aligned to ECB+ tokens."""

    token_ids: list[int]
    lemmas: list[str]
    pos: list[str]
    heads: list[int]
    text: str
    offsets: list[tuple[int, int]]
    entities: frozenset
    content: frozenset
    doc: Any = None  # the spaCy Doc (role words are read from its parse)


def parse_sentences(docs: Sequence[EcbDoc]) -> dict[tuple[str, int], Parsed]:
    from spacy.tokens import Doc

    from ..annotate import load_nlp

    nlp = load_nlp()
    keys, word_lists = [], []
    for d in docs:
        for s in sorted(d.listed):
            words = d.sentence_words(s)
            if words:
                keys.append((d.name, s, [t for t, _ in words]))
                word_lists.append([w for _, w in words])
    spacy_docs = (Doc(nlp.vocab, words=ws) for ws in word_lists)
    out = {}
    for (name, s, tids), sd in zip(keys, nlp.pipe(spacy_docs, batch_size=64)):
        offsets = []
        for tok in sd:
            offsets.append((tok.idx, tok.idx + len(tok.text)))
        ents = frozenset(t.lemma_.lower() for e in sd.ents for t in e if not t.is_stop and t.is_alpha)
        content = frozenset(t.lemma_.lower() for t in sd if t.is_alpha and not t.is_stop
                            and t.lemma_.lower() not in STOPWORDS and t.pos_ in ("NOUN", "PROPN", "VERB", "NUM", "ADJ"))
        out[(name, s)] = Parsed(tids, [t.lemma_.lower() for t in sd], [t.pos_ for t in sd],
                                [t.head.i for t in sd], sd.text, offsets, ents, content, sd)
    return out


def head_index(parsed: Parsed, token_ids: Sequence[int]) -> int:
    """Index (in the sentence) of the mention's syntactic head."""
    idx = [parsed.token_ids.index(t) for t in token_ids if t in parsed.token_ids]
    if not idx:
        return 0
    inside = set(idx)
    heads = [i for i in idx if parsed.heads[i] not in inside or parsed.heads[i] == i]
    verbs = [i for i in heads if parsed.pos[i] in ("VERB", "NOUN")]
    return (verbs or heads or idx)[-1]


@dataclass
class EvalMention:
    key: str
    doc: str
    sentence: int
    head: int  # index of the head token in the sentence
    first: int = -1  # first and last token of the marked span (the head alone when -1)
    last: int = -1

    def span(self, parsed: Parsed) -> tuple[int, int]:
        """Character span of the mention in its sentence text."""
        first = self.first if self.first >= 0 else self.head
        last = self.last if self.last >= 0 else self.head
        return parsed.offsets[first][0], parsed.offsets[last][1]


def marked_text(m: EvalMention, parsed: dict) -> str:
    """The mention's sentence with the mention between the cross-encoder's markers."""
    from ..coref_models.mention_encoder import mark

    p = parsed[(m.doc, m.sentence)]
    return mark(p.text, *m.span(p))


class TableEncoding:
    """Stands in for a mention's encoding when refitting weights: the pair
    logit comes from a table of out-of-fold logits (each train pair scored by
    an encoder that never saw its topic), so weights and threshold are fitted
    on the logits the encoder gives on unseen topics."""

    __slots__ = ("key", "table")

    def __init__(self, key: str, table: dict) -> None:
        self.key, self.table = key, table

    def pair_logit(self, other: "TableEncoding") -> float:
        return self.table.get((self.key, other.key), self.table.get((other.key, self.key), 0.0))


def read_pair_logits(path: str) -> dict[tuple[str, str], float]:
    """{(key, key): logit} of a .jsonl(.gz) file of [key, key, logit] rows."""
    return {(a, b): float(s) for a, b, s in read_jsonl(path)}


def build_items(mentions: Sequence[EvalMention], parsed: dict, groups: dict[str, str],
                use_embeddings: bool, encoder: Any = None, leads: Optional[dict[str, str]] = None,
                rates: Optional[LemmaRates] = None, trigger_encoder: Any = None) -> list[Item]:
    """Scorer items; `encoder`: the trained mention encoder (its vectors go to
    `Item.encoding`), or a table of pair logits (TableEncoding) when refitting;
    `rates`: trigger coreference rates, read with the mention's own topic left
    out (a no-op outside the train topics the rates come from);
    `trigger_encoder`: coref_models.trigger_encoder.TriggerEncoder for `Item.trigger_vector`, or None."""
    from ..coref_models.mention_encoder import Encoded
    from ..resolve.embed import Embedder
    from .roles import role_words

    items = []
    for m in mentions:
        p = parsed[(m.doc, m.sentence)]
        lemma = p.lemmas[m.head]
        items.append(Item(key=m.key, doc=m.doc, sentence=m.sentence, lemma=lemma,
                          topic=p.entities, context=p.content - {lemma}, group=groups.get(m.doc),
                          roles=role_words(p.doc, m.head),
                          coreferability=rates.log_ratio(lemma, topic_of(m.doc)) if rates else 0.0))
    embedder = Embedder(enabled=use_embeddings)
    if embedder.available:
        texts = [parsed[(m.doc, m.sentence)].text for m in mentions]
        spans = [parsed[(m.doc, m.sentence)].offsets[m.head] for m in mentions]
        for it, vec in zip(items, minilm_span_vectors(embedder, texts, spans)):
            it.vector = vec
    if trigger_encoder is not None:
        for it, vec in zip(items, mention_trigger_vectors(trigger_encoder, mentions, parsed)):
            it.trigger_vector = vec
    if isinstance(encoder, dict):
        for it in items:
            it.encoding = TableEncoding(it.key, encoder)
    elif encoder is not None:
        vectors = encoder.vectors([marked_text(m, parsed) for m in mentions],
                                  [(leads or {}).get(m.doc, "") for m in mentions])
        for it, vec in zip(items, vectors):
            it.encoding = Encoded(vec, encoder)
    return items


def minilm_span_vectors(embedder: Any, texts: Sequence[str], spans: Sequence[tuple[int, int]]) -> list:
    """Contextual MiniLM vectors of character spans (the mean of their word
    pieces, from the sentence embedder's model: resolve.embed.Embedder), so
    two triggers in different sentences compare as used there."""
    import numpy as np

    from ..coref_models.trigger_encoder import span_vector

    model = embedder.model
    tok_out = model.encode(list(texts), output_value="token_embeddings", batch_size=64,
                           show_progress_bar=False, convert_to_numpy=False)
    out = []
    for text, span, toks in zip(texts, spans, tok_out):
        enc = model.tokenizer(text, return_offsets_mapping=True, truncation=True, max_length=model.max_seq_length)
        mat = toks.cpu().numpy() if hasattr(toks, "cpu") else np.asarray(toks)
        out.append(span_vector(mat, enc["offset_mapping"], span))
    return out


def mention_trigger_vectors(trigger_encoder: Any, mentions: Sequence[EvalMention], parsed: dict) -> list:
    """Trigger vectors of `mentions` from a TriggerEncoder or from FoldTriggerEncoders."""
    if isinstance(trigger_encoder, FoldTriggerEncoders):
        return trigger_encoder.mention_vectors(mentions, parsed)
    sentences = [parsed[(m.doc, m.sentence)] for m in mentions]
    return trigger_encoder.spans([p.text for p in sentences], [m.span(p) for m, p in zip(mentions, sentences)])


class FoldTriggerEncoders:
    """Out-of-fold tuned trigger vectors, for refitting the blend on train
    (`--fit --trigger-folds`): each mention is read by the fold adapter
    (crosswire.training.coref_trigger_adapter --folds) that never saw its topic, so the blend
    weighs the tuned cosine as it behaves on unseen topics."""

    tuned = True

    def __init__(self, model_path: str, fold_file: str) -> None:
        from ..coref_models.trigger_encoder import topic_folds
        from ..lora import read_config

        config = read_config(fold_file)
        self.model_path, self.fold_file = model_path, fold_file
        self.fold_of = topic_folds(config["topics"], config["folds"])

    def mention_vectors(self, mentions: Sequence[EvalMention], parsed: dict) -> list:
        from ..coref_models.trigger_encoder import TriggerEncoder

        unseen = sorted({topic_of(m.doc) for m in mentions} - set(self.fold_of))
        if unseen:
            raise SystemExit(f"{self.fold_file}: no fold adapter for topics {unseen} (train topics only)")
        out: list = [None] * len(mentions)
        for fold in sorted(set(self.fold_of.values())):
            rows = [i for i, m in enumerate(mentions) if self.fold_of[topic_of(m.doc)] == fold]
            encoder = TriggerEncoder(self.model_path, adapter=self.fold_file, prefix=f"fold{fold}/")
            for i, vec in zip(rows, mention_trigger_vectors(encoder, [mentions[i] for i in rows], parsed)):
                out[i] = vec
        return out


# --------------------------------------------------------- document groups
def document_groups(docs: Sequence[EcbDoc], threshold: float = DOC_THRESHOLD) -> dict[str, str]:
    """Documents grouped by incident (docgroups.py: event types first, then
    instances inside a type); `threshold`: the second pass's."""
    from .docgroups import group_documents, names_and_numbers

    named = [names_and_numbers(d.sentences()) for d in docs]
    return group_documents([d.name for d in docs], [d.text() for d in docs], named, threshold)


# ------------------------------------------------------------- clustering
def pair_edges(items: Sequence[Item], weights: dict) -> list[tuple[int, int, float]]:
    """Every pair inside a document group (the ECB+ blocking), scored."""
    by_group: dict[Optional[str], list[int]] = defaultdict(list)
    for i, it in enumerate(items):
        by_group[it.group].append(i)
    edges = []
    for idxs in by_group.values():
        for p, i in enumerate(idxs):
            for j in idxs[p + 1:]:
                edges.append((i, j, score(items[i], items[j], weights)))
    return edges


def cluster_items(items: Sequence[Item], weights: dict, threshold: float) -> dict[str, str]:
    clusters = agglomerate(items, pair_edges(items, weights), threshold, same_sentence_rule=False)
    return {items[i].key: items[c[0]].key for c in clusters for i in c}


def lemma_baseline(items: Sequence[Item]) -> dict[str, str]:
    """The standard same-lemma baseline, inside our document groups: every
    mention whose head lemma and group match is one cluster (for comparison
    with the published same-lemma figures)."""
    first: dict[tuple, str] = {}
    for it in sorted(items, key=lambda it: it.key):
        first.setdefault((it.group, it.lemma), it.key)
    return {it.key: first[(it.group, it.lemma)] for it in items}


# --------------------------------------------------------- predicted mentions
TRIGGER_LEXICON_FILE = "trigger_lexicon.json"


def trigger_counts(docs: Sequence[EcbDoc], parsed: dict) -> dict[str, list[int]]:
    """lemma -> [times it heads a gold event mention, times it occurs] in the
    listed sentences of these (train) documents."""
    seen, hits = Counter(), Counter()
    for d in docs:
        heads = {(m.sentence, head_index(parsed[(d.name, m.sentence)], m.token_ids)) for m in d.mentions
                 if (d.name, m.sentence) in parsed}
        for s in d.listed:
            p = parsed.get((d.name, s))
            if p is None:
                continue
            for i, lemma in enumerate(p.lemmas):
                seen[lemma] += 1
                hits[lemma] += (s, i) in heads
    return {lem: [hits[lem], n] for lem, n in sorted(seen.items())}


def _rates(counts: dict[str, list[int]]) -> dict[str, float]:
    return {lem: hit / n for lem, (hit, n) in counts.items() if n >= 2}


def trigger_lexicon(train_dir: Optional[str] = None) -> tuple[Optional[dict[str, float]], str]:
    """How often each lemma heads a gold event mention on the train topics,
    and where that came from: the benchmark's counts (trigger_lexicon.json,
    written by `--export-trigger-lexicon`), else the train documents in
    `train_dir`, else nothing (every verb is then a trigger)."""
    from ..coref_models import MissingModelFile, model_file

    try:
        shipped = model_file(TRIGGER_LEXICON_FILE)
    except MissingModelFile:
        pass
    else:
        return _rates(json.loads(shipped.read_text(encoding="utf-8"))), "shipped"
    if not train_dir or not os.path.isdir(train_dir):
        return None, "verbs"
    docs = read_ecb(train_dir)
    return _rates(trigger_counts(docs, parse_sentences(docs))), "train"


def predicted_mentions(docs: Sequence[EcbDoc], parsed: dict, lexicon: Optional[dict[str, float]]) -> list[EvalMention]:
    out = []
    for d in docs:
        for s in sorted(d.listed):
            p = parsed.get((d.name, s))
            if p is None:
                continue
            for i, (lemma, pos) in enumerate(zip(p.lemmas, p.pos)):
                rate = lexicon.get(lemma) if lexicon else None
                is_trigger = rate >= TRIGGER_RATE if rate is not None else pos == "VERB"
                if is_trigger:
                    out.append(EvalMention(f"{d.name}/p{s}.{i}", d.name, s, i))
    return out


def gold_token_keys(docs: Sequence[EcbDoc], parsed: dict) -> dict[tuple[str, int, int], str]:
    """(document, sentence, token index) -> the gold mention whose span holds the token."""
    gold_at: dict[tuple[str, int, int], str] = {}
    for d in docs:
        for m in d.mentions:
            p = parsed[(d.name, m.sentence)]
            for t in m.token_ids:
                if t in p.token_ids:
                    gold_at.setdefault((d.name, m.sentence, p.token_ids.index(t)), m.key)
    return gold_at


def align_predicted(pred: Sequence[EvalMention], docs: Sequence[EcbDoc], parsed: dict) -> dict[str, str]:
    """Predicted key -> gold key when the predicted token lies in a gold mention's span (one-to-one)."""
    gold_at = gold_token_keys(docs, parsed)
    used, out = set(), {}
    for m in pred:
        g = gold_at.get((m.doc, m.sentence, m.head))
        if g and g not in used:
            used.add(g)
            out[m.key] = g
    return out


def found_mentions(docs: Sequence[EcbDoc], parsed: dict, path: str,
                   trigger_encoder: Any = None) -> tuple[list[EvalMention], str]:
    """Predicted mentions and what found them: the trigger probe
    (trigger_probe.py) when the untuned trigger vectors are at hand (the
    probe was trained on them), else the lemma-rate lexicon (predicted_mentions)."""
    from .trigger_probe import find_triggers, load_trigger_probe

    probe = load_trigger_probe() if trigger_encoder is not None else None
    if probe is not None:
        found = find_triggers(parsed, trigger_encoder, probe)
        return [EvalMention(f"{doc}/p{s}.{i}", doc, s, i) for doc, s, i in found], "probe"
    lexicon, source = trigger_lexicon(os.path.join(os.path.dirname(os.path.abspath(path.rstrip("/"))), "train"))
    return predicted_mentions(docs, parsed, lexicon), f"lexicon ({source})" if lexicon else "verbs"


def _gold_eval_mentions(docs: Sequence[EcbDoc], parsed: dict) -> list[EvalMention]:
    out = []
    for d in docs:
        for m in d.mentions:
            p = parsed[(d.name, m.sentence)]
            idx = [p.token_ids.index(t) for t in m.token_ids if t in p.token_ids]
            out.append(EvalMention(m.key, d.name, m.sentence, head_index(p, m.token_ids),
                                   min(idx) if idx else -1, max(idx) if idx else -1))
    return out


def topic_of(doc: str) -> str:
    """The ECB+ topic number of a document name ("12_3ecbplus.xml" -> "12")."""
    return doc.split("_")[0]


def lemma_rates(docs: Sequence[EcbDoc], mentions: Sequence[EvalMention], parsed: dict) -> LemmaRates:
    """Per trigger lemma and topic, how many gold mentions corefer with a
    mention of another document (coreferability.py)."""
    cluster_of = {m.key: m.cluster for d in docs for m in d.mentions}
    docs_of: dict[str, set] = defaultdict(set)
    for m in mentions:
        docs_of[cluster_of[m.key]].add(m.doc)
    return LemmaRates.from_mentions((parsed[(m.doc, m.sentence)].lemmas[m.head], topic_of(m.doc),
                                     len(docs_of[cluster_of[m.key]]) > 1) for m in mentions)


def export_mentions(path: str, mentions: Sequence[EvalMention], parsed: dict, groups: dict[str, str],
                    gold_key: dict[str, str], leads: dict[str, str]) -> None:
    """Mention records for training the mention encoder and the trigger adapter
    (crosswire.training.coref_mention_encoder, coref_trigger_adapter):
    key, topic (the gold topic, for pairing train mentions), predicted document
    group, gold cluster and marked sentence."""
    with open(path, "w", encoding="utf-8") as fh:
        for m in mentions:
            fh.write(json.dumps({"key": m.key, "doc": m.doc, "topic": topic_of(m.doc),
                                 "group": groups.get(m.doc), "cluster": gold_key.get(m.key),
                                 "text": marked_text(m, parsed), "context": leads[m.doc]}) + "\n")


def run(path: Optional[str], args: Any = None) -> dict[str, Any]:
    opts = _parse(args)
    path = path or str(corpus_path(DEFAULT_PATH))
    encoder = trigger_encoder = rates = None
    if not (opts.export_mentions or opts.export_trigger_lexicon or opts.export_trigger_probe
            or opts.export_lemma_rates):
        # the benchmark's models first: a missing file (coref_models.MissingModelFile) stops the
        # run before the corpus is parsed; the lemma rates count only beside the encoder's weights
        encoder = _encoder(opts)
        trigger_encoder = _trigger_encoder(opts, encoder)
        rates = load_lemma_rates() if encoder is not None or opts.fit else None
    docs = read_ecb(path)
    parsed = parse_sentences(docs)
    groups = document_groups(docs, opts.doc_threshold)
    leads = {d.name: d.lead() for d in docs}
    gold_key = {m.key: m.cluster for d in docs for m in d.mentions}
    gold_mentions = _gold_eval_mentions(docs, parsed)
    if opts.export_mentions:
        export_mentions(opts.export_mentions, gold_mentions, parsed, groups, gold_key, leads)
        return {"exported": opts.export_mentions, "mentions": len(gold_mentions)}
    if opts.export_trigger_lexicon:
        with open(opts.export_trigger_lexicon, "w", encoding="utf-8") as fh:
            json.dump(trigger_counts(docs, parsed), fh, separators=(",", ":"))
        return {"exported": opts.export_trigger_lexicon, "mentions": len(gold_mentions)}
    if opts.export_trigger_probe:
        return export_trigger_probe(opts.export_trigger_probe, docs, parsed, len(gold_mentions))
    if opts.export_lemma_rates:
        lemma_rates(docs, gold_mentions, parsed).write(opts.export_lemma_rates)
        return {"exported": opts.export_lemma_rates, "mentions": len(gold_mentions)}
    weights, threshold = _weights(opts, encoder is not None, _trigger_kind(trigger_encoder))

    def respond(its: Sequence[Item]) -> dict[str, str]:
        return lemma_baseline(its) if opts.lemma_baseline else cluster_items(its, weights, threshold)

    items = build_items(gold_mentions, parsed, groups, opts.embeddings, encoder, leads, rates, trigger_encoder)
    if opts.fit:
        return fit(items, gold_key, docs, groups)
    response = respond(items)
    metrics = conll_scores(clusters_of(gold_key), clusters_of(response))
    metrics.update(_doc_group_purity(docs, groups))
    # predicted mentions
    if opts.predicted:
        pred, finder = found_mentions(docs, parsed, path, _probe_encoder(trigger_encoder))
        aligned = align_predicted(pred, docs, parsed)
        pitems = build_items(pred, parsed, groups, opts.embeddings, encoder, leads, rates, trigger_encoder)
        presp = respond(pitems)
        presp = {aligned.get(k, k): aligned.get(v, v) for k, v in presp.items()}
        pscores = conll_scores(clusters_of(gold_key), clusters_of(presp))
        metrics.update({f"{k}_predicted": v for k, v in pscores.items()})
        metrics["mentions_predicted"] = len(pred)
        metrics["mentions_predicted_matched"] = len(aligned)
        metrics["trigger_finder"] = finder
    metrics.update({"documents": len(docs), "mentions": len(gold_key), "gold_clusters": len(set(gold_key.values())),
                    "embeddings": bool(items and items[0].vector is not None), "threshold": threshold,
                    "mention_encoder": encoder is not None,
                    "trigger_vectors": _trigger_description(trigger_encoder),
                    "pooled": True})
    return metrics


def export_trigger_probe(path: str, docs: Sequence[EcbDoc], parsed: dict, mentions: int) -> dict[str, Any]:
    """Train the trigger probe on these (train) documents and write it."""
    from ..coref_models.trigger_encoder import load_trigger_encoder
    from .trigger_probe import train_probe

    trigger_encoder = load_trigger_encoder()
    if trigger_encoder is None:
        raise SystemExit("--export-trigger-probe needs all-mpnet-base-v2: python -m crosswire.models install")
    train_probe(parsed, set(gold_token_keys(docs, parsed)), trigger_encoder).write(path)
    return {"exported": path, "mentions": mentions}


def _encoder(opts: argparse.Namespace) -> Any:
    """The trained mention encoder, out-of-fold logits when refitting, or None."""
    if opts.pair_logits:
        return read_pair_logits(opts.pair_logits)
    if opts.lemma_baseline or not (opts.encoder and opts.embeddings):
        return None
    from ..coref_models.mention_encoder import load_mention_encoder

    return load_mention_encoder()


def _trigger_encoder(opts: argparse.Namespace, encoder: Any) -> Any:
    """all-mpnet-base-v2 trigger vectors, used beside the mention encoder (the
    weights using both were fitted together): tuned by the shipped adapter
    (out of fold with --trigger-folds), untuned when the adapter is missing
    or --untuned-triggers asks so; None without the model."""
    if encoder is None or not (opts.embeddings and opts.trigger_vectors):
        return None
    from ..coref_models.trigger_encoder import load_trigger_encoder

    if opts.trigger_folds:
        from ..models import installed

        path = installed(TRIGGER_MODEL)
        return FoldTriggerEncoders(str(path), opts.trigger_folds) if path else None
    return (opts.tuned_triggers and load_trigger_encoder(tuned=True)) or load_trigger_encoder()


def _trigger_kind(trigger_encoder: Any) -> Optional[str]:
    if trigger_encoder is None:
        return None
    return "tuned" if trigger_encoder.tuned else "untuned"


def _trigger_description(trigger_encoder: Any) -> Optional[str]:
    kind = _trigger_kind(trigger_encoder)
    return None if kind is None else TRIGGER_MODEL.name + (" + coreference adapter" if kind == "tuned" else "")


def _probe_encoder(trigger_encoder: Any) -> Any:
    """The untuned trigger encoder the trigger probe reads, when trigger vectors are in use."""
    if trigger_encoder is None:
        return None
    from ..coref_models.trigger_encoder import load_trigger_encoder

    return trigger_encoder if not trigger_encoder.tuned else load_trigger_encoder()


def _weights(opts: argparse.Namespace, encoded: bool, triggers: Optional[str] = None) -> tuple[dict, float]:
    """Weights and clustering threshold fitted for what is available;
    `triggers`: "tuned", "untuned" or None (no trigger vectors)."""
    if opts.lemma_baseline:
        return {}, 0.0  # clustered by lemma (lemma_baseline), no weights
    if encoded and triggers == "tuned":
        return ECB_WEIGHTS_TUNED, opts.threshold or COREF_THRESHOLD_TUNED
    if encoded and triggers == "untuned":
        return ECB_WEIGHTS_TRIGGER, opts.threshold or COREF_THRESHOLD_TRIGGER
    if encoded:
        return ECB_WEIGHTS_ENCODER, opts.threshold or COREF_THRESHOLD_ENCODER
    if opts.embeddings:
        return ECB_WEIGHTS, opts.threshold or COREF_THRESHOLD
    return ECB_WEIGHTS_NO_EMB, opts.threshold or 0.5


def _doc_group_purity(docs: Sequence[EcbDoc], groups: dict[str, str]) -> dict[str, Any]:
    """How well the document groups recover the gold sub-topics (for the record only)."""
    gold = {d.name: d.name.split("_")[0] + ("+" if "plus" in d.name else "") for d in docs}
    s = conll_scores(clusters_of(gold), clusters_of(groups))
    return {"doc_groups": len(set(groups.values())), "doc_group_b3_f1": s["b3_f1"]}


def fit(items: Sequence[Item], gold_key: dict[str, str], docs, groups) -> dict[str, Any]:
    """Fit the scorer's weights on these (train) mentions and grid the threshold."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    names = sorted(features(items[0], items[0]))
    X, y = [], []
    by_group: dict[Optional[str], list[int]] = defaultdict(list)
    for i, it in enumerate(items):
        by_group[it.group].append(i)
    for idxs in by_group.values():
        for p, i in enumerate(idxs):
            for j in idxs[p + 1:]:
                f = features(items[i], items[j])
                X.append([f[n] for n in names])
                y.append(gold_key[items[i].key] == gold_key[items[j].key])
    model = LogisticRegression(C=1.0, max_iter=2000).fit(np.array(X), np.array(y))
    weights = {"bias": round(float(model.intercept_[0]), 3)}
    weights.update({n: round(float(w), 3) for n, w in zip(names, model.coef_[0])})
    key = clusters_of(gold_key)
    grid = {}
    for t in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
        grid[t] = conll_scores(key, clusters_of(cluster_items(items, weights, t)))["conll_f1"]
    best = max(grid, key=grid.get)
    return {"weights": weights, "threshold_grid": grid, "best_threshold": best, "conll_f1": grid[best],
            "pairs": len(y), "positives": int(sum(y))}


def format_line(metrics: dict[str, Any]) -> str:
    if "exported" in metrics:
        return f"coref: wrote {metrics['exported']} (from {metrics['mentions']} gold mentions)"
    if "weights" in metrics:
        return f"coref fit: best threshold {metrics['best_threshold']} conll {metrics['conll_f1']:.3f}"
    line = (f"coref (gold mentions, pooled): MUC {metrics['muc_f1']:.3f}  B3 {metrics['b3_f1']:.3f}  "
            f"CEAF-e {metrics['ceafe_f1']:.3f}  CoNLL F1 {metrics['conll_f1']:.3f}  "
            f"[{metrics['mentions']} mentions, {metrics['documents']} docs]")
    if "conll_f1_predicted" in metrics:
        line += f"; predicted mentions: CoNLL F1 {metrics['conll_f1_predicted']:.3f}"
    return line


def _parse(args: Any) -> argparse.Namespace:
    if isinstance(args, argparse.Namespace):
        base = vars(args)
    elif isinstance(args, dict):
        base = dict(args)
    else:
        base = {}
    return argparse.Namespace(
        json=base.get("json", False), fit=base.get("fit", False), export_mentions=base.get("export_mentions"),
        export_lemma_rates=base.get("export_lemma_rates"), export_trigger_lexicon=base.get("export_trigger_lexicon"),
        export_trigger_probe=base.get("export_trigger_probe"),
        lemma_baseline=base.get("lemma_baseline", False),
        embeddings=base.get("embeddings", not base.get("no_embeddings", False)) and not base.get("lemma_baseline"),
        predicted=base.get("predicted", not base.get("no_predicted", False)),
        encoder=base.get("encoder", not base.get("no_encoder", False)), pair_logits=base.get("pair_logits"),
        trigger_vectors=base.get("trigger_vectors", not base.get("no_trigger_vectors", False)),
        tuned_triggers=base.get("tuned_triggers", not base.get("untuned_triggers", False)),
        trigger_folds=base.get("trigger_folds"),
        threshold=base.get("threshold"), doc_threshold=base.get("doc_threshold") or DOC_THRESHOLD)


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crosswire.evaluate.coref", description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", help=f"an ECB+ split directory (default: <data root>/{DEFAULT_PATH})")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--fit", action="store_true", help="fit the scorer weights on PATH (train) and print them")
    ap.add_argument("--export-mentions", metavar="FILE", help="write mention records for mention_encoder training")
    ap.add_argument("--export-lemma-rates", metavar="FILE", help="write the trigger coreference rates of PATH "
                    "(train; bench/models/coref/lemma_rates.json)")
    ap.add_argument("--export-trigger-lexicon", metavar="FILE", help="write how often each lemma of PATH (train) "
                    "heads a gold mention (bench/models/coref/trigger_lexicon.json)")
    ap.add_argument("--export-trigger-probe", metavar="FILE", help="train the predicted-mention trigger probe on PATH "
                    "(train; bench/models/coref/trigger_probe.json)")
    ap.add_argument("--no-embeddings", action="store_true")
    ap.add_argument("--no-encoder", action="store_true", help="score without the trained mention encoder")
    ap.add_argument("--no-trigger-vectors", action="store_true", help="score without all-mpnet-base-v2's trigger "
                    "vectors (the mention encoder's previous weights)")
    ap.add_argument("--untuned-triggers", action="store_true", help="all-mpnet-base-v2's trigger vectors without "
                    "the coreference adapter (bench/models/coref/trigger_adapter.safetensors) and their weights")
    ap.add_argument("--trigger-folds", metavar="FILE", help="with --fit: tuned trigger vectors out of fold, from "
                    "these fold adapters (bench/models/coref/trigger_adapter_folds.safetensors)")
    ap.add_argument("--pair-logits", metavar="FILE", help="with --fit: out-of-fold encoder logits of the train pairs "
                    "(bench/models/coref/train_oof_pair_logits.jsonl.gz)")
    ap.add_argument("--no-predicted", action="store_true")
    ap.add_argument("--lemma-baseline", action="store_true", help="score the same-lemma baseline (inside the "
                    "document groups) instead of crosswire's scorer")
    ap.add_argument("--threshold", type=float)
    ap.add_argument("--doc-threshold", type=float)
    ns = ap.parse_args(argv)
    try:
        metrics = run(ns.path, ns)
    except FileNotFoundError as exc:  # no data root, or a model file of the benchmark (coref_models)
        print(exc, file=sys.stderr)
        return 1
    print(json.dumps(metrics, indent=None if ns.json else 2, default=str) if ns.json or ns.fit else format_line(metrics))
    return 0


if __name__ == "__main__":
    sys.exit(main())
