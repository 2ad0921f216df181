"""Train the ECB+ benchmark's trigger adapter (coref_models/trigger_encoder.py:
a rank-8 LoRA adapter on layers 7-9 of all-mpnet-base-v2) on mention records
of the ECB+ train topics:

    .venv/bin/python -m crosswire.evaluate.coref ../shared/eval/ecbplus/train --export-mentions train.jsonl
    .venv/bin/python -m crosswire.training.coref_trigger_adapter train.jsonl OUT

Why: the `trigger_similarity` feature is the cosine of two triggers' vectors
in the 9th layer of all-mpnet-base-v2. Untuned, that layer already separates
coreferent ECB+ mentions well (pair AUC 0.955 on the train topics), but it
was never asked which *happening* a word names: "the quake" and "the tremor"
of one incident, or "arrested" in two different raids. Training tunes the
adapted layers so that the cosine of two trigger vectors says that, and
nothing else changes: the vector is still the mean of the trigger's word
pieces, reading its plain sentence, and the benchmark's TriggerEncoder
merges the adapter into the base weights.

Each step takes one train topic, whole gold clusters from it, reads their
sentences and trains every pair with binary cross-entropy on `scale * cosine
+ bias`. Only layers from `--first-layer` on are adapted, and with
`--cache-lower` the states below them are computed once, which is what makes
training affordable on two CPU cores (about 4.5 minutes a model). With
`--folds K` it also trains K models each blind to a share of the topics (the
i-th topic in numeric order goes to fold i mod K) and writes them
(`fold_adapters.safetensors`, keys prefixed `fold<k>/`), so out-of-fold
vectors can fit the scorer's blend (`crosswire.evaluate.coref --fit
--trigger-folds`). The defaults are what shipped. Needs only torch,
transformers and safetensors (and scikit-learn for the AUC it prints), so it
also runs on a GPU machine without crosswire's other dependencies (from
crosswire it imports lora.py, loading.py, config.py, models.py,
coref_models/ and training/{commands,adapters,coref_mention_encoder}.py).
"""
from __future__ import annotations

import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from ..coref_models.mention_encoder import MARK_END, MARK_START, read_mentions
from ..coref_models.trigger_encoder import ADAPTER_FILE, MAX_TOKENS, TRIGGER_LAYER, adapt, span_rows, topic_folds
from ..lora import load_base
from .adapters import optimizer_steps, save_adapter, write_config
from .commands import parse_config
from .coref_mention_encoder import topic_batches

LAYERS = TRIGGER_LAYER  # the layers read: up to the one whose trigger vectors the scorer compares
# the fold models, written together (the benchmark keeps them as trigger_encoder.FOLD_ADAPTERS_FILE)
FOLD_ADAPTERS_FILE = "fold_adapters.safetensors"


@dataclass
class Config:
    """A training run of the trigger adapter (defaults: what shipped)."""

    mentions: Path = field(metadata={"help": "train mention records (crosswire.evaluate.coref --export-mentions)"})
    out: Path = field(metadata={"help": "the folder the adapters are written to"})
    base: Optional[Path] = field(default=None, metadata={
        "help": "the all-mpnet-base-v2 folder (default: the one crosswire.models installed)"})
    folds: int = field(default=5, metadata={"help": "also train this many topic-fold models (0: none)"})
    only_folds: Optional[list[int]] = field(default=None, metadata={"help": "train these fold models only"})
    final: bool = field(default=True, metadata={"help": "train the final model on every topic (--no-final: the "
                                                        "fold models only)"})
    steps: int = 150
    batch_size: int = field(default=96, metadata={"help": "mentions per step (all their pairs are trained)"})
    lr: float = 2e-3
    rank: int = 8
    alpha: float = 16.0
    seed: int = 13
    first_layer: int = field(default=6, metadata={"help": "adapt the layers from this one (0-based) on"})
    cache_lower: bool = field(default=True, metadata={
        "help": "keep the frozen layers' states below --first-layer (training on a CPU)"})


def sentence_and_span(record: dict) -> tuple[str, tuple[int, int]]:
    """The plain sentence of an exported mention record and its trigger's
    character span (the record's text holds the trigger between markers)."""
    text = record["text"]
    start = text.index(MARK_START)
    end = text.index(MARK_END)
    trigger = text[start + len(MARK_START) + 1:end - 1]
    before, after = text[:start], text[end + len(MARK_END):]
    return before + trigger + after, (len(before), len(before) + len(trigger))


# ----------------------------------------------------------------- training
def span_weights(offsets, spans: Sequence[tuple[int, int]]):
    """Rows of averaging weights over one sentence's word pieces, one per
    span: the pieces overlapping the span (trigger_encoder.span_rows, as the encoder
    pools them), or every real piece when none does (a span cut by truncation;
    the encoder then takes every row)."""
    import torch

    real = [k for k, (s, e) in enumerate(offsets) if e > s]
    out = torch.zeros((len(spans), len(offsets)))
    for row, span in enumerate(spans):
        cols = span_rows(offsets, span) or real
        out[row, cols] = 1.0 / len(cols)
    return out


class SpanReader:
    """Sentences and trigger spans of mention records, tokenised once."""

    def __init__(self, tokenizer, mentions: Sequence[dict]) -> None:
        self.tokenizer = tokenizer
        self.sentence_of: list[str] = []
        self.span_of: list[tuple[int, int]] = []
        self.lower: dict = {}  # sentence -> states below the adapted layers (cache_lower)
        self.first_layer = 0
        for m in mentions:
            sentence, span = sentence_and_span(m)
            self.sentence_of.append(sentence)
            self.span_of.append(span)

    def vectors(self, model, batch: Sequence[int], device: str):
        """Unit-norm trigger vectors of the mentions `batch` (a tensor, one
        row each), reading each distinct sentence once; with a lower-layer
        cache (`cache_lower`) only the adapted layers are run."""
        import torch

        sentences = sorted({self.sentence_of[i] for i in batch})
        where = {s: k for k, s in enumerate(sentences)}
        enc = self.tokenizer(sentences, return_tensors="pt", padding=True, truncation=True,
                             max_length=MAX_TOKENS, return_offsets_mapping=True)
        offsets = enc.pop("offset_mapping").tolist()
        if self.lower:
            hidden = self._upper(model, sentences, enc["attention_mask"].to(device), device)
        else:
            hidden = model(**{k: v.to(device) for k, v in enc.items()}).last_hidden_state
        rows = []
        for i in batch:
            k = where[self.sentence_of[i]]
            weights = span_weights(offsets[k], [self.span_of[i]]).to(device, hidden.dtype)
            rows.append(weights @ hidden[k])
        return torch.nn.functional.normalize(torch.cat(rows).float(), dim=-1)

    def cache_lower(self, model, first_layer: int, device: str, batch_size: int = 64) -> None:
        """Keep every sentence's states after the frozen layers below
        `first_layer`: training then runs only the adapted layers (the
        gradient never reaches the frozen ones), which is what makes a few
        hundred steps affordable on a CPU."""
        import torch

        self.lower, self.first_layer = {}, first_layer
        if first_layer <= 0:
            return
        unique = sorted(set(self.sentence_of), key=len)
        with torch.inference_mode():
            for first in range(0, len(unique), batch_size):
                chunk = unique[first:first + batch_size]
                enc = self.tokenizer(chunk, return_tensors="pt", padding=True, truncation=True, max_length=MAX_TOKENS)
                out = model(**{k: v.to(device) for k, v in enc.items()}, output_hidden_states=True)
                states = out.hidden_states[first_layer]
                for row, sentence in enumerate(chunk):
                    width = int(enc["attention_mask"][row].sum())
                    self.lower[sentence] = states[row, :width].float().cpu().clone()

    def _upper(self, model, sentences: Sequence[str], mask, device: str):
        """The adapted layers over the cached states of `sentences`, padded."""
        import torch

        width = mask.shape[1]
        hidden = torch.zeros((len(sentences), width, model.config.hidden_size), device=device)
        for row, sentence in enumerate(sentences):
            states = self.lower[sentence]
            hidden[row, :len(states)] = states.to(device)
        bias = model.encoder.compute_position_bias(hidden)
        additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in model.encoder.layer[self.first_layer:]:
            hidden = layer(hidden, additive, bias)[0]
        return hidden

    def encode_all(self, model, device: str, batch_size: int = 128):
        """Trigger vectors of every mention, in order (float32 tensor on the CPU)."""
        import torch

        order = sorted(range(len(self.sentence_of)), key=lambda i: len(self.sentence_of[i]))
        out = torch.zeros((len(order), model.config.hidden_size))
        with torch.inference_mode():
            for first in range(0, len(order), batch_size):
                chunk = order[first:first + batch_size]
                out[chunk] = self.vectors(model, chunk, device).cpu()
        return out


def base_model(base_path: str):
    """The first LAYERS layers of the base, in fp32 (lora.load_base's reason)."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    return load_base(base_path, num_hidden_layers=LAYERS)


def train_model(base_path: str, reader: SpanReader, mentions: Sequence[dict], topics: set, cfg: Config, device: str,
                log=print):
    """Fit the adapter (and the loss's scale and bias) on batches of one topic;
    every pair of a batch is a training pair."""
    import torch

    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    model = base_model(base_path)
    adapt(model, cfg.rank, cfg.alpha, cfg.first_layer)
    model.head_scale = torch.nn.Parameter(torch.tensor(10.0))
    model.head_bias = torch.nn.Parameter(torch.tensor(-6.0))
    model.to(device).train()
    step_on = optimizer_steps(model, cfg.lr, cfg.steps)
    t0 = time.time()
    for step, batch in enumerate(topic_batches(mentions, sorted(topics), cfg.steps, cfg.batch_size, rng), 1):
        labels = [mentions[i]["cluster"] for i in batch]
        iu, ju = torch.triu_indices(len(batch), len(batch), 1)
        y = torch.tensor([float(labels[a] == labels[b]) for a, b in zip(iu.tolist(), ju.tolist())], device=device)
        with torch.autocast(device_type=device.split(":")[0], dtype=torch.bfloat16, enabled=device != "cpu"):
            vecs = reader.vectors(model, batch, device)
        cosine = (vecs[iu.to(device)] * vecs[ju.to(device)]).sum(-1)
        logits = model.head_scale * cosine + model.head_bias
        step_on(torch.nn.functional.binary_cross_entropy_with_logits(logits, y))
        if step % 100 == 0 or step == cfg.steps:
            log(f"  step {step}/{cfg.steps} scale {model.head_scale.item():.1f} {time.time() - t0:.0f}s")
    model.eval()
    return model


def pair_auc(vectors, mentions: Sequence[dict], keep) -> float:
    """AUC of the cosine on the pairs the evaluation scores (inside one
    predicted document group) whose mentions pass `keep`."""
    import torch
    from sklearn.metrics import roc_auc_score

    by_group: dict = {}
    for i, m in enumerate(mentions):
        if keep(m):
            by_group.setdefault(m["group"], []).append(i)
    scores, gold = [], []
    for idxs in by_group.values():
        ix = torch.tensor(idxs)
        sims = vectors[ix] @ vectors[ix].T
        for p in range(len(idxs)):
            for q in range(p + 1, len(idxs)):
                scores.append(float(sims[p, q]))
                gold.append(mentions[idxs[p]]["cluster"] == mentions[idxs[q]]["cluster"])
    return float(roc_auc_score(gold, scores))


def config_of(cfg: Config, extra: Optional[dict] = None) -> dict:
    """What an adapter's `.json` records: load_adapted rebuilds the LoRA layers
    from rank, alpha and first_layer; the rest says how it was trained."""
    return {"rank": cfg.rank, "alpha": cfg.alpha, "first_layer": cfg.first_layer, "layers": LAYERS,
            "steps": cfg.steps, "batch_size": cfg.batch_size, "lr": cfg.lr, "seed": cfg.seed, **(extra or {})}


def train(cfg: Config) -> dict:
    """Train the adapter on every train topic; with `cfg.folds` K also K fold
    models (written together, keys prefixed `fold<k>/`) and their
    out-of-fold pair AUC beside the untuned layer's."""
    import torch
    from safetensors.torch import save_file
    from transformers import AutoTokenizer

    from ..models import TRIGGER_MODEL, installed

    base_dir = cfg.base or installed(TRIGGER_MODEL)
    if base_dir is None:
        raise SystemExit(f"{TRIGGER_MODEL.name} is not installed: python -m crosswire.models install")
    base = str(base_dir)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    os.makedirs(cfg.out, exist_ok=True)

    def log(msg: str) -> None:
        print(msg, flush=True)

    mentions = read_mentions(str(cfg.mentions))
    reader = SpanReader(AutoTokenizer.from_pretrained(base), mentions)
    topics = sorted({m["topic"] for m in mentions}, key=lambda t: (len(t), t))
    fold_of = topic_folds(topics, cfg.folds)
    log(f"{len(mentions)} mentions, {len(topics)} topics, device {device}")
    untuned_model = base_model(base).to(device).eval()
    untuned = reader.encode_all(untuned_model, device)
    if cfg.cache_lower:
        reader.cache_lower(untuned_model, cfg.first_layer, device)
    del untuned_model
    log(f"untuned layer {LAYERS}: pair AUC {pair_auc(untuned, mentions, lambda m: True):.4f}")
    folds, oof = {}, torch.zeros_like(untuned)
    written = []
    for k in range(cfg.folds):
        held = {t for t in topics if fold_of[t] == k}
        if not held or (cfg.only_folds is not None and k not in cfg.only_folds):
            continue
        t1 = time.time()
        model = train_model(base, reader, mentions, set(topics) - held, cfg, device, log)
        vecs = reader.encode_all(model, device)
        rows = [i for i, m in enumerate(mentions) if m["topic"] in held]
        oof[rows] = vecs[rows]
        log(f"fold {k}: held out {sorted(held, key=int)}, pair AUC {pair_auc(vecs, mentions, lambda m: m['topic'] in held):.4f}"
            f" (untuned {pair_auc(untuned, mentions, lambda m: m['topic'] in held):.4f}), {time.time() - t1:.0f}s")
        folds.update({f"fold{k}/{n}": p.detach().cpu().half().contiguous()
                      for n, p in model.named_parameters() if p.requires_grad})
        del model
    if cfg.folds and cfg.only_folds is None:
        log(f"out of fold: pair AUC {pair_auc(oof, mentions, lambda m: True):.4f}")
    if folds:
        path = os.path.join(cfg.out, FOLD_ADAPTERS_FILE)
        save_file(folds, path)
        write_config(path, config_of(cfg, {"folds": cfg.folds, "topics": topics}))
        written.append(path)
    if cfg.final:
        t0 = time.time()
        model = train_model(base, reader, mentions, set(topics), cfg, device, log)
        path = os.path.join(cfg.out, ADAPTER_FILE)
        save_adapter(model, path, config_of(cfg, {"train_topics": topics, "train_seconds": round(time.time() - t0, 1),
                                                  "device": device}))
        written.append(path)
        log(f"final model: {time.time() - t0:.0f}s")
    return {"written": written, "device": device}


def main(argv: Optional[Sequence[str]] = None) -> int:
    print(json.dumps(train(parse_config(Config, __doc__, argv))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
