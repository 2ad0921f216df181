"""Experiment (not shipped): a cross-encoder that re-reads uncertain event-mention pairs.

Tried for issue 7 (ECB+ CoNLL F1) on 2026-11-26 and *not* kept: on train
(out of fold) it moved CoNLL F1 from 0.7885 to 0.7930, on dev from 0.790 to
0.789-0.791, while re-reading 5-19k dev pairs at about 30 pairs a second
on two CPU cores. docs/resolve.md ("Tried and not kept") has the figures.
The module stays so that the result can be reproduced and built on:

    python experiments/coref_cross_encoder.py pairs ../shared/eval/ecbplus/train --out pairs.jsonl.gz
    python experiments/coref_cross_encoder.py train --mentions train.jsonl --pairs pairs.jsonl.gz \
        --base MODEL_DIR --out OUT --dev dev.jsonl        # minutes on a GPU
    python experiments/coref_cross_encoder.py measure ../shared/eval/ecbplus --logits OUT

(train.jsonl / dev.jsonl: `python -m crosswire.evaluate.coref DIR --export-mentions FILE`.)
`train` imports only crosswire.lora, crosswire.loading,
crosswire.coref_models.mention_encoder and crosswire.training.adapters (torch,
transformers, safetensors): on a GPU machine without crosswire's other
dependencies, copy those files into a bare `crosswire` package on PYTHONPATH. Load an fp16 copy of the base model as fp32 (build_model does).
What follows is the design as it was tried.

Why: the bi-encoder (mention_encoder.py) reads each mention alone, so its
pair head compares two summaries and cannot line up the arguments of one
sentence against the other's ("the 6.1 quake struck Aceh" / "an aftershock
hit Aceh hours later"). A cross-encoder reads both sentences at once, every
word of one attending to the other, and is the stronger pairwise model in the
event coreference literature. It costs one transformer pass per *pair*
(about 30 pairs a second on two CPU cores), so it is not run over every
candidate pair: the blend of features and bi-encoder logit scores them all
first, and only the pairs it leaves uncertain (a band of probabilities fitted
on train) are re-read, typically a few pairs per mention.

Input: "[CLS] sentence A [SEP] sentence B [SEP]", each sentence cut to
MAX_SIDE_TOKENS word pieces around its trigger, triggers between the same
learnt markers as the bi-encoder's. The pair vector is [CLS, tA + tB, tA * tB,
|tA - tB|] (tA, tB: means of each trigger's word pieces), read by a small
head; the trigger part is symmetric, and training sees both orders.

What ships: a rank-16 LoRA adapter on all six layers of the bundled
all-MiniLM-L6-v2, the marker embeddings and the head, fp16, under
data/coref/. Training (`python -m crosswire.resolve.pair_encoder train`,
see `main`) needs only torch, transformers and safetensors, like the
bi-encoder's, so it runs on a GPU machine without the rest of crosswire.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import defaultdict
from typing import Optional, Sequence

from crosswire.loading import read_jsonl, write_jsonl
from crosswire.coref_models.mention_encoder import (MARK_END, MARK_START, adapted_base, read_marked, read_mentions,
                                                    trigger_window)
from crosswire.training.adapters import optimizer_steps, save_adapter

MAX_SIDE_TOKENS = 64  # word pieces kept of each sentence, around its trigger


# ---------------------------------------------------------------- the model
def build_model(base_path: str, rank: int = 16, alpha: float = 32.0, hidden: int = 256):
    """(model, tokenizer): the base MiniLM with LoRA on every layer, marker
    embeddings and pair head; only those are trainable."""
    import torch
    from torch import nn

    bert, tokenizer, markers = adapted_base(base_path, rank, alpha)
    dim = bert.config.hidden_size
    marker_ids = tuple(tokenizer.convert_tokens_to_ids([MARK_START, MARK_END]))

    class PairModel(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert
            self.markers = nn.Parameter(markers)
            self.head = nn.Sequential(nn.Linear(4 * dim, hidden), nn.GELU(), nn.Linear(hidden, 1))

        def forward(self, input_ids, attention_mask, token_type_ids):
            """One coreference logit per row."""
            out, inside = read_marked(self.bert, self.markers, marker_ids, input_ids,
                                      attention_mask=attention_mask, token_type_ids=token_type_ids)
            side_a = (inside & (token_type_ids == 0)).unsqueeze(-1).to(out.dtype)
            side_b = (inside & (token_type_ids == 1)).unsqueeze(-1).to(out.dtype)
            ta = (out * side_a).sum(1) / side_a.sum(1).clamp(min=1.0)
            tb = (out * side_b).sum(1) / side_b.sum(1).clamp(min=1.0)
            x = torch.cat([out[:, 0], ta + tb, ta * tb, (ta - tb).abs()], dim=-1)
            return self.head(x).squeeze(-1)

    return PairModel(), tokenizer


def side_ids(tokenizer, text: str) -> list[int]:
    """Word pieces of one marked sentence, cut around its trigger."""
    return trigger_window(tokenizer, text, MAX_SIDE_TOKENS)


def pair_batch(tokenizer, pairs: Sequence[tuple[list[int], list[int]]], device: str = "cpu"):
    """Padded (input_ids, attention_mask, token_type_ids) of [CLS] A [SEP] B [SEP] rows."""
    import torch

    rows = [([tokenizer.cls_token_id] + a + [tokenizer.sep_token_id], b + [tokenizer.sep_token_id]) for a, b in pairs]
    width = max(len(a) + len(b) for a, b in rows)
    ids = torch.full((len(rows), width), tokenizer.pad_token_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    types = torch.zeros((len(rows), width), dtype=torch.long)
    for k, (a, b) in enumerate(rows):
        n = len(a) + len(b)
        ids[k, :n] = torch.tensor(a + b)
        mask[k, :n] = 1
        types[k, len(a):n] = 1
    return ids.to(device), mask.to(device), types.to(device)


def pair_logits(model, tokenizer, pairs: Sequence[tuple[list[int], list[int]]], device: str = "cpu",
                batch_size: int = 64) -> list[float]:
    """Logits of (A ids, B ids) pairs in their order; batches are formed by
    length, so little padding is computed."""
    import torch

    order = sorted(range(len(pairs)), key=lambda k: len(pairs[k][0]) + len(pairs[k][1]))
    out = [0.0] * len(pairs)
    with torch.inference_mode():
        for s in range(0, len(order), batch_size):
            chunk = order[s:s + batch_size]
            with torch.autocast(device_type=device.split(":")[0], dtype=torch.bfloat16, enabled=device != "cpu"):
                logits = model(*pair_batch(tokenizer, [pairs[k] for k in chunk], device))
            for k, v in zip(chunk, logits.float().cpu().tolist()):
                out[k] = v
    return out


# ----------------------------------------------------------------- training
def read_scored_pairs(path: str) -> list[tuple[str, str, float]]:
    """(key, key, value) rows of a .jsonl(.gz) file: first-stage probabilities
    of the train pairs, or logits written by `train`."""
    return [(a, b, float(s)) for a, b, s in read_jsonl(path)]


def training_pairs(pairs: Sequence[tuple[str, str, float]], topic_of: dict[str, str], topics: set,
                   band: tuple[float, float], easy_weight: float) -> tuple[list[tuple[str, str]], list[float]]:
    """The candidate pairs of `topics` and their sampling weights: pairs the
    first stage leaves uncertain (probability inside `band`) are what the
    cross-encoder will be asked about, so they weigh 1; the rest `easy_weight`."""
    out, weights = [], []
    for a, b, p in pairs:
        if topic_of.get(a) in topics and topic_of.get(b) in topics:
            out.append((a, b))
            weights.append(1.0 if band[0] <= p < band[1] else easy_weight)
    return out, weights


def train_model(base_path: str, sides: dict[str, list[int]], cluster_of: dict[str, str],
                pairs: Sequence[tuple[str, str]], weights: Sequence[float], args, device: str, log=print):
    """Fit adapter, markers and head with binary cross-entropy on weighted
    draws of the candidate pairs, each in a random order."""
    import torch

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    model, tokenizer = build_model(base_path, args.rank, args.alpha, args.hidden)
    model.to(device)
    step_on = optimizer_steps(model, args.lr, args.steps)
    steps = args.steps
    model.train()
    t0 = time.time()
    for step in range(1, steps + 1):
        batch = rng.choices(pairs, weights, k=args.batch_size)
        batch = [(a, b) if rng.random() < 0.5 else (b, a) for a, b in batch]
        y = torch.tensor([float(cluster_of[a] == cluster_of[b]) for a, b in batch], device=device)
        with torch.autocast(device_type=device.split(":")[0], dtype=torch.bfloat16, enabled=device != "cpu"):
            logits = model(*pair_batch(tokenizer, [(sides[a], sides[b]) for a, b in batch], device))
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits.float(), y)
        step_on(loss)
        if step % 250 == 0:
            log(f"  step {step}/{steps} loss {loss.item():.4f} {time.time() - t0:.0f}s")
    model.eval()
    return model, tokenizer


def group_pairs(mentions: Sequence[dict]) -> list[tuple[str, str]]:
    """Every pair inside one predicted document group (what the evaluation scores)."""
    by_group: dict[str, list[str]] = defaultdict(list)
    for m in mentions:
        by_group[m["group"]].append(m["key"])
    return [(a, b) for keys in by_group.values() for p, a in enumerate(keys) for b in keys[p + 1:]]


def _scored(model, tokenizer, sides: dict[str, list[int]], pairs: Sequence[tuple[str, str]], device: str) -> list:
    logits = pair_logits(model, tokenizer, [(sides[a], sides[b]) for a, b in pairs], device, batch_size=512)
    return [(a, b, round(s, 3)) for (a, b), s in zip(pairs, logits)]


def train_command(args) -> int:
    """Train the shipped adapter on every train topic; with --folds K, also K
    models each blind to a share of the topics, writing out-of-fold logits of
    the train candidate pairs (to fit the second stage on train only); with
    --dev, the final model's logits of every dev pair inside a document group."""
    import torch
    from transformers import AutoTokenizer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    os.makedirs(args.out, exist_ok=True)
    mentions = read_mentions(args.mentions)
    tok = AutoTokenizer.from_pretrained(args.base)
    tok.add_special_tokens({"additional_special_tokens": [MARK_START, MARK_END]})
    sides = {m["key"]: side_ids(tok, m["text"]) for m in mentions}
    cluster_of = {m["key"]: m["cluster"] for m in mentions}
    topic_of = {m["key"]: m["topic"] for m in mentions}
    topics = sorted(set(topic_of.values()))
    scored = read_scored_pairs(args.pairs)
    band = (args.band_low, args.band_high)
    print(f"{len(mentions)} mentions, {len(topics)} topics, {len(scored)} candidate pairs, device {device}", flush=True)

    def fit(train_topics: set):
        pairs, weights = training_pairs(scored, topic_of, train_topics, band, args.easy_weight)
        return train_model(args.base, sides, cluster_of, pairs, weights, args, device)[0]

    folds = [-1, *range(args.folds)] if args.fold is None else [args.fold]
    for k in folds:
        t0 = time.time()
        if k < 0:
            model = fit(set(topics))
            save_adapter(model, os.path.join(args.out, "pair_encoder.safetensors"),
                         {"rank": args.rank, "alpha": args.alpha, "hidden": args.hidden,
                          "max_side_tokens": MAX_SIDE_TOKENS, "steps": args.steps, "batch_size": args.batch_size,
                          "lr": args.lr, "seed": args.seed, "band": list(band), "easy_weight": args.easy_weight,
                          "train_topics": topics, "train_seconds": round(time.time() - t0, 1), "device": device})
            if args.dev:
                dev = read_mentions(args.dev)
                dev_sides = {m["key"]: side_ids(tok, m["text"]) for m in dev}
                write_jsonl(os.path.join(args.out, "dev_pair_logits.jsonl.gz"),
                            _scored(model, tok, dev_sides, group_pairs(dev), device))
        else:
            held = set(topics[k::args.folds])
            model = fit(set(topics) - held)
            todo = [(a, b) for a, b, _ in scored if topic_of.get(a) in held]
            write_jsonl(os.path.join(args.out, f"oof_pair_logits_{k}.jsonl.gz"), _scored(model, tok, sides, todo, device))
        print(f"{'final' if k < 0 else f'fold {k}'}: {time.time() - t0:.0f}s", flush=True)
    return 0


# ------------------------------------------------- first stage and measure
def first_stage(path: str, table: Optional[dict] = None):
    """(items, gold key, scored edges) of an ECB+ folder as `crosswire eval
    coref` scores them: the shipped encoder's logits, or `table` (out-of-fold
    logits of the train pairs) in their place."""
    from crosswire.datasets.ecbplus import read_ecb
    from crosswire.evaluate import coref as C
    from crosswire.coref_models.mention_encoder import load_mention_encoder

    docs = read_ecb(path)
    parsed = C.parse_sentences(docs)
    groups = C.document_groups(docs)
    leads = {d.name: d.lead() for d in docs}
    gold = {m.key: m.cluster for d in docs for m in d.mentions}
    items = C.build_items(C._gold_eval_mentions(docs, parsed), parsed, groups, True,
                          table if table is not None else load_mention_encoder(), leads)
    return items, gold, C.pair_edges(items, C.ECB_WEIGHTS_ENCODER)


def pairs_command(args) -> int:
    """Train candidate pairs with their out-of-fold first-stage probability."""
    from crosswire.coref_models import model_file
    from crosswire.evaluate import coref as C

    table = C.read_pair_logits(str(model_file("train_oof_pair_logits.jsonl.gz")))
    items, _, edges = first_stage(args.path, table)
    write_jsonl(args.out, ([items[i].key, items[j].key, round(p, 4)] for i, j, p in edges if p >= args.min_p))
    return 0


def second_stage(items, edges, cross: dict, band: tuple[float, float], model=None, gold=None):
    """Edges whose first-stage probability lies in `band` rescored by a logistic
    model over (first-stage log-odds, cross-encoder logit), fitted when `gold`
    is given: (edges, model, pairs rescored)."""
    import math

    import numpy as np
    from sklearn.linear_model import LogisticRegression

    def cross_logit(i, j):
        a, b = items[i].key, items[j].key
        return cross.get((a, b), cross.get((b, a)))

    idx = [n for n, (i, j, p) in enumerate(edges) if band[0] <= p < band[1] and cross_logit(i, j) is not None]
    if not idx:
        return edges, model, 0
    x = np.array([[math.log(max(edges[n][2], 1e-6) / max(1 - edges[n][2], 1e-6)), cross_logit(*edges[n][:2])]
                  for n in idx])
    if model is None:
        y = np.array([gold[items[edges[n][0]].key] == gold[items[edges[n][1]].key] for n in idx])
        model = LogisticRegression().fit(x, y)
    rescored = dict(zip(idx, model.predict_proba(x)[:, 1]))
    return [(i, j, float(rescored.get(n, p))) for n, (i, j, p) in enumerate(edges)], model, len(idx)


def measure_command(args) -> int:
    """CoNLL F1 on train (out of fold) and dev, first stage alone and with the
    cross-encoder's second stage for a few bands."""
    from crosswire.coref_models import model_file
    from crosswire.evaluate import coref as C
    from crosswire.resolve.cluster import agglomerate

    def conll(items, gold, edges) -> float:
        clusters = agglomerate(items, edges, C.COREF_THRESHOLD_ENCODER, same_sentence_rule=False)
        response = {items[i].key: items[c[0]].key for c in clusters for i in c}
        return round(C.conll_scores(C.clusters_of(gold), C.clusters_of(response))["conll_f1"], 4)

    def logits(name: str) -> dict:
        return {(a, b): s for a, b, s in read_scored_pairs(os.path.join(args.logits, name))}

    table = C.read_pair_logits(str(model_file("train_oof_pair_logits.jsonl.gz")))
    train = first_stage(os.path.join(args.path, "train"), table)
    dev = first_stage(os.path.join(args.path, "dev"))
    oof = {}
    for k in range(args.folds):
        oof.update(logits(f"oof_pair_logits_{k}.jsonl.gz"))
    dev_cross = logits("dev_pair_logits.jsonl.gz")
    print(f"first stage: train (out of fold) {conll(*train)}, dev {conll(*dev)}")
    for band in ((0.05, 0.95), (0.1, 0.9), (0.2, 0.8)):
        edges, model, n = second_stage(train[0], train[2], oof, band, gold=train[1])
        dev_edges, _, dev_n = second_stage(dev[0], dev[2], dev_cross, band, model=model)
        print(f"band {band[0]}-{band[1]}: train {conll(train[0], train[1], edges)} ({n} pairs re-read), "
              f"dev {conll(dev[0], dev[1], dev_edges)} ({dev_n} pairs re-read)")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python experiments/coref_cross_encoder.py", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    tr = sub.add_parser("train", help="train the adapter (minutes on a GPU)")
    tr.add_argument("--mentions", required=True, help="train mentions (crosswire.evaluate.coref --export-mentions)")
    tr.add_argument("--pairs", required=True,
                    help="train candidate pairs with their out-of-fold first-stage probability, "
                         "(the `pairs` command)")
    tr.add_argument("--base", required=True, help="the all-MiniLM-L6-v2 folder")
    tr.add_argument("--out", required=True)
    tr.add_argument("--dev", help="dev mentions whose group pairs the final model scores")
    tr.add_argument("--folds", type=int, default=3, help="how many folds of train topics")
    tr.add_argument("--fold", type=int, help="train only this fold's model (-1: the final model); "
                                               "run folds as separate processes to use one GPU in parallel")
    tr.add_argument("--band-low", type=float, default=0.05)
    tr.add_argument("--band-high", type=float, default=0.95)
    tr.add_argument("--easy-weight", type=float, default=0.1)
    tr.add_argument("--steps", type=int, default=3000)
    tr.add_argument("--batch-size", type=int, default=64, help="pairs per step")
    tr.add_argument("--lr", type=float, default=5e-4)
    tr.add_argument("--rank", type=int, default=16)
    tr.add_argument("--alpha", type=float, default=32.0)
    tr.add_argument("--hidden", type=int, default=256)
    tr.add_argument("--seed", type=int, default=13)
    pa = sub.add_parser("pairs", help="train candidate pairs with out-of-fold first-stage probabilities")
    pa.add_argument("path", help="the ECB+ train folder")
    pa.add_argument("--out", required=True)
    pa.add_argument("--min-p", type=float, default=0.01, help="leave out pairs the first stage finds this unlikely")
    me = sub.add_parser("measure", help="train (out of fold) and dev CoNLL F1 with the second stage")
    me.add_argument("path", help="the ECB+ folder holding train/ and dev/")
    me.add_argument("--logits", required=True, help="the folder `train` wrote")
    me.add_argument("--folds", type=int, default=3)
    args = ap.parse_args(argv)
    return {"train": train_command, "pairs": pairs_command, "measure": measure_command}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
