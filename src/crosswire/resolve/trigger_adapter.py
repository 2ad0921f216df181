"""A low-rank adapter that tunes all-mpnet-base-v2's trigger vectors for
event coreference.

Why: the `trigger_similarity` feature is the cosine of two triggers' vectors
in the 9th layer of all-mpnet-base-v2 (embed.TriggerEncoder). Untuned, that
layer already separates coreferent ECB+ mentions well (pair AUC 0.955 on the
train topics), but it was never asked which *happening* a word names: "the
quake" and "the tremor" of one incident, or "arrested" in two different
raids. This module fine-tunes the first nine layers with LoRA so that the
cosine of two trigger vectors says that, and nothing else changes: the
vector is still the mean of the trigger's word pieces, reading its plain
sentence, and the encoder merges the adapter into the base weights, so
encoding costs what it cost untuned.

What ships: `data/coref/trigger_adapter.safetensors` (+ `.json`, its
configuration), the LoRA matrices in fp16; the base comes from
crosswire.models as before.

Training (`python -m crosswire.resolve.trigger_adapter train ...`, see
`main`) reads the mention records of `crosswire.evaluate.coref
--export-mentions` and needs only torch, transformers and safetensors (and
scikit-learn for the AUC it prints), so it also runs on a GPU machine where
crosswire's other dependencies are missing (copy lora.py, loading.py and
resolve/{embed,mention_encoder,trigger_adapter}.py into a bare `crosswire` package
on PYTHONPATH). Each step takes one train topic, whole gold clusters from it,
reads their sentences and trains every pair with binary cross-entropy on
`scale * cosine + bias`. With `--first-layer L --cache-lower` only layers
L+1.. are adapted and the states below them are computed once, which is what
makes training affordable on two CPU cores. With `--folds K` it also trains K
models each blind to a share of the topics (the i-th topic in numeric order
goes to fold i mod K) and writes them, so out-of-fold vectors can fit the
scorer's blend (`crosswire.evaluate.coref --fit --trigger-folds`).
"""
from __future__ import annotations

import os
import random
import re
import sys
import time
from typing import Optional, Sequence

from .. import lora
from ..lora import add_lora, load_adapter, load_base, merge_lora, optimizer_steps, read_config
from .embed import span_rows
from .mention_encoder import MARK_END, MARK_START, read_mentions, topic_batches

# all-mpnet-base-v2's linear layers (attention query/key/value/output, feed-forward)
TARGETS = ("attn.q", "attn.k", "attn.v", "attn.o", "intermediate.dense", "output.dense")
LAYERS = 9  # the layer whose trigger vectors the scorer compares (embed.TRIGGER_LAYER)
MAX_TOKENS = 256  # as embed.TriggerEncoder


def sentence_and_span(record: dict) -> tuple[str, tuple[int, int]]:
    """The plain sentence of an exported mention record and its trigger's
    character span (the record's text holds the trigger between markers)."""
    text = record["text"]
    start = text.index(MARK_START)
    end = text.index(MARK_END)
    trigger = text[start + len(MARK_START) + 1:end - 1]
    before, after = text[:start], text[end + len(MARK_END):]
    return before + trigger + after, (len(before), len(before) + len(trigger))


def layer_of(name: str) -> int:
    """The encoder layer a dotted parameter name belongs to (-1 for none)."""
    found = re.search(r"encoder\.layer\.(\d+)\.", name + ".")
    return int(found.group(1)) if found else -1


def adapt(model, rank: int, alpha: float, first_layer: int = 0) -> None:
    """Freeze `model` and put rank-`rank` LoRA on the TARGETS of its layers
    from `first_layer` (0-based) on."""
    add_lora(model, rank, alpha, lambda name: layer_of(name) >= first_layer, TARGETS)


def load_adapted(model, adapter_path: str, prefix: str = "") -> None:
    """Apply a trained adapter (`prefix`: its keys' prefix in a file of fold
    adapters) to a freshly loaded base model and merge it into the weights.
    The loss's scale and bias, saved beside the adapter, are not part of the
    encoder and are left unread."""
    config = read_config(adapter_path)
    adapt(model, config["rank"], config["alpha"], config.get("first_layer", 0))
    load_adapter(model, adapter_path, prefix)
    merge_lora(model)


# ----------------------------------------------------------------- training
def span_weights(offsets, spans: Sequence[tuple[int, int]]):
    """Rows of averaging weights over one sentence's word pieces, one per
    span: the pieces overlapping the span (embed.span_rows, as the encoder
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


def train_model(base_path: str, reader: SpanReader, mentions: Sequence[dict], topics: set, args, device: str,
                log=print):
    """Fit the adapter (and the loss's scale and bias) on batches of one topic;
    every pair of a batch is a training pair."""
    import torch

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    model = base_model(base_path)
    adapt(model, args.rank, args.alpha, args.first_layer)
    model.head_scale = torch.nn.Parameter(torch.tensor(10.0))
    model.head_bias = torch.nn.Parameter(torch.tensor(-6.0))
    model.to(device).train()
    step_on = optimizer_steps(model, args.lr, args.steps)
    t0 = time.time()
    for step, batch in enumerate(topic_batches(mentions, sorted(topics), args.steps, args.batch_size, rng), 1):
        labels = [mentions[i]["cluster"] for i in batch]
        iu, ju = torch.triu_indices(len(batch), len(batch), 1)
        y = torch.tensor([float(labels[a] == labels[b]) for a, b in zip(iu.tolist(), ju.tolist())], device=device)
        with torch.autocast(device_type=device.split(":")[0], dtype=torch.bfloat16, enabled=device != "cpu"):
            vecs = reader.vectors(model, batch, device)
        cosine = (vecs[iu.to(device)] * vecs[ju.to(device)]).sum(-1)
        logits = model.head_scale * cosine + model.head_bias
        step_on(torch.nn.functional.binary_cross_entropy_with_logits(logits, y))
        if step % 100 == 0 or step == args.steps:
            log(f"  step {step}/{args.steps} scale {model.head_scale.item():.1f} {time.time() - t0:.0f}s")
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


def topic_folds(topics: Sequence[str], folds: int) -> dict[str, int]:
    """{topic: fold}: the i-th of `topics` (numeric order) goes to fold i mod
    `folds`; the fold model k never sees fold k's topics."""
    return {t: i % folds for i, t in enumerate(topics)} if folds else {}


def config_of(args, extra: Optional[dict] = None) -> dict:
    return {"rank": args.rank, "alpha": args.alpha, "first_layer": args.first_layer, "layers": LAYERS,
            "steps": args.steps, "batch_size": args.batch_size, "lr": args.lr, "seed": args.seed, **(extra or {})}


def train_command(args) -> int:
    """Train the adapter on every train topic; with --folds K also K fold
    models (written together, keys prefixed `fold<k>/`) and their
    out-of-fold pair AUC beside the untuned layer's."""
    import torch
    from safetensors.torch import save_file
    from transformers import AutoTokenizer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    os.makedirs(args.out, exist_ok=True)

    def log(msg: str) -> None:
        print(msg, flush=True)

    mentions = read_mentions(args.mentions)
    reader = SpanReader(AutoTokenizer.from_pretrained(args.base), mentions)
    topics = sorted({m["topic"] for m in mentions}, key=lambda t: (len(t), t))
    fold_of = topic_folds(topics, args.folds)
    log(f"{len(mentions)} mentions, {len(topics)} topics, device {device}")
    untuned_model = base_model(args.base).to(device).eval()
    untuned = reader.encode_all(untuned_model, device)
    if args.cache_lower:
        reader.cache_lower(untuned_model, args.first_layer, device)
    del untuned_model
    log(f"untuned layer {LAYERS}: pair AUC {pair_auc(untuned, mentions, lambda m: True):.4f}")
    folds, oof = {}, torch.zeros_like(untuned)
    for k in range(args.folds):
        held = {t for t in topics if fold_of[t] == k}
        if not held or (args.only_folds is not None and k not in args.only_folds):
            continue
        t1 = time.time()
        model = train_model(args.base, reader, mentions, set(topics) - held, args, device, log)
        vecs = reader.encode_all(model, device)
        rows = [i for i, m in enumerate(mentions) if m["topic"] in held]
        oof[rows] = vecs[rows]
        log(f"fold {k}: held out {sorted(held, key=int)}, pair AUC {pair_auc(vecs, mentions, lambda m: m['topic'] in held):.4f}"
            f" (untuned {pair_auc(untuned, mentions, lambda m: m['topic'] in held):.4f}), {time.time() - t1:.0f}s")
        folds.update({f"fold{k}/{n}": p.detach().cpu().half().contiguous()
                      for n, p in model.named_parameters() if p.requires_grad})
        del model
    if args.folds and args.only_folds is None:
        log(f"out of fold: pair AUC {pair_auc(oof, mentions, lambda m: True):.4f}")
    if folds:
        path = os.path.join(args.out, "fold_adapters.safetensors")
        save_file(folds, path)
        lora.write_config(path, config_of(args, {"folds": args.folds, "topics": topics}))
    if args.no_final:
        return 0
    t0 = time.time()
    model = train_model(args.base, reader, mentions, set(topics), args, device, log)
    lora.save_adapter(model, os.path.join(args.out, "trigger_adapter.safetensors"),
                      config_of(args, {"train_topics": topics, "train_seconds": round(time.time() - t0, 1),
                                       "device": device}))
    log(f"final model: {time.time() - t0:.0f}s")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap, tr = lora.training_parser("python -m crosswire.resolve.trigger_adapter", __doc__,
                                  "train the adapter (about 4.5 minutes a model on two CPU cores)")
    tr.add_argument("--mentions", required=True, help="train mentions (crosswire.evaluate.coref --export-mentions)")
    tr.add_argument("--base", required=True, help="the all-mpnet-base-v2 folder")
    tr.add_argument("--out", required=True)
    tr.add_argument("--folds", type=int, default=0, help="also train this many topic-fold models")
    tr.add_argument("--only-folds", type=int, nargs="+", metavar="K", help="train these fold models only")
    tr.add_argument("--no-final", action="store_true", help="train the fold models only")
    tr.add_argument("--steps", type=int, default=150)
    lora.add_training_options(tr, batch_size=96, lr=2e-3, batch_help="mentions per step (all their pairs are trained)")
    tr.add_argument("--first-layer", type=int, default=6, help="adapt the layers from this one (0-based) on")
    tr.add_argument("--cache-lower", action="store_true",
                    help="keep the frozen layers' states below --first-layer (training on a CPU)")
    args = ap.parse_args(argv)
    return train_command(args)


if __name__ == "__main__":
    sys.exit(main())
