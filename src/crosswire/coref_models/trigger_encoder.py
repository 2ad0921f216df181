"""Contextual trigger vectors from all-mpnet-base-v2, and the LoRA adapter
that tunes them for event coreference.

The ECB+ scorer's `trigger_similarity` feature is the cosine of two
triggers' vectors in the 9th layer of all-mpnet-base-v2 (crosswire.models
fetches it at setup): the mean of the trigger's word pieces, reading its
sentence. Untuned, that layer already separates coreferent ECB+ mentions
well (pair AUC 0.955 on the train topics); the benchmark's adapter
(`trigger_adapter.safetensors`, trained by `python -m
crosswire.training.coref_trigger_adapter`) fine-tunes layers 7-9 so that
the cosine says which *happening* a word names. `TriggerEncoder` merges the
adapter into the base weights when it loads, so a tuned encoder costs what
an untuned one does.
"""
from __future__ import annotations

import functools
import logging
import re
from typing import Optional, Sequence

from ..lora import add_lora, load_adapter, merge_lora, read_config

log = logging.getLogger(__name__)

# all-mpnet-base-v2's layer whose trigger vectors separate coreferent ECB+ mentions best:
# pair AUC on the train topics' scored pairs 0.906 (word pieces) rising to 0.955 at layer 9,
# 0.870 at the last (12th) layer, which is tuned for whole-sentence similarity
TRIGGER_LAYER = 9
MAX_TOKENS = 256  # word pieces read of a sentence
# the LoRA adapter tuning those vectors for coreference, and the five topic-fold adapters
# used to refit the scorer weights (crosswire.training.coref_trigger_adapter)
ADAPTER_FILE = "trigger_adapter.safetensors"
FOLD_ADAPTERS_FILE = "trigger_adapter_folds.safetensors"
# all-mpnet-base-v2's linear layers (attention query/key/value/output, feed-forward)
TARGETS = ("attn.q", "attn.k", "attn.v", "attn.o", "intermediate.dense", "output.dense")


def span_rows(offsets: Sequence[tuple[int, int]], span: tuple[int, int]) -> list[int]:
    """Indices of the word pieces (non-empty offsets) overlapping the character span."""
    start, end = span
    return [k for k, (s, e) in enumerate(offsets) if e > s and s < end and e > start]


def span_vector(hidden, offsets: Sequence[tuple[int, int]], span: tuple[int, int]):
    """Unit-norm mean of the rows of `hidden` whose word pieces overlap the
    character span (every row when none does, e.g. a span cut by truncation)."""
    import numpy as np

    rows = span_rows(offsets, span)
    vec = hidden[rows].mean(axis=0) if rows else hidden.mean(axis=0)
    return vec / (np.linalg.norm(vec) or 1.0)


# ------------------------------------------------------------- the adapter
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


def topic_folds(topics: Sequence[str], folds: int) -> dict[str, int]:
    """{topic: fold}: the i-th of `topics` (numeric order) goes to fold i mod
    `folds`; the fold model k never sees fold k's topics."""
    return {t: i % folds for i, t in enumerate(topics)} if folds else {}


# ------------------------------------------------------------- the encoder
class TriggerEncoder:
    """Contextual vectors of event triggers from a middle layer of all-mpnet-base-v2:
    the mean of the trigger's word pieces, reading its sentence. Only the first
    TRIGGER_LAYER layers are run. `adapter`: a trigger adapter file (`prefix`:
    its keys' prefix in a file of fold adapters), merged into the weights, so a
    tuned encoder costs the same."""

    def __init__(self, path: str, layer: int = TRIGGER_LAYER, batch_size: int = 32,
                 adapter: Optional[str] = None, prefix: str = "") -> None:
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar in our output
        hf_logging.set_verbosity_error()  # nor the report of the layers past `layer` left unread
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModel.from_pretrained(path, num_hidden_layers=layer).eval()
        self.tuned = adapter is not None
        if adapter is not None:
            load_adapted(self.model, adapter, prefix)
        self.batch_size = batch_size
        # (sentence, start, end) -> vector, kept for the process: an evaluation asks for the
        # same spans again (gold mentions, trigger candidates, then the predicted mentions)
        self.cache: dict[tuple[str, int, int], object] = {}

    def spans(self, texts: Sequence[str], spans: Sequence[tuple[int, int]]) -> list:
        """One unit-norm vector per (sentence, character span). Only spans not
        cached are computed; each distinct sentence among them is read once,
        however many spans it holds, and sentences of similar length are
        batched together so padding stays short."""
        keys = [(text, start, end) for text, (start, end) in zip(texts, spans)]
        missing: dict[str, list[tuple[str, int, int]]] = {}
        for key in keys:
            if key not in self.cache:
                missing.setdefault(key[0], []).append(key)
        unique = sorted(missing, key=len)
        for first in range(0, len(unique), self.batch_size):
            self._encode(unique[first:first + self.batch_size], missing)
        return [self.cache[key] for key in keys]

    def _encode(self, batch: list[str], wanted: dict[str, list[tuple[str, int, int]]]) -> None:
        import torch

        enc = self.tokenizer(batch, return_tensors="pt", padding=True, truncation=True, max_length=MAX_TOKENS,
                             return_offsets_mapping=True)
        offsets = enc.pop("offset_mapping").tolist()
        with torch.inference_mode():
            hidden = self.model(**enc).last_hidden_state.float().numpy()
        for row, text in enumerate(batch):
            width = int(enc["attention_mask"][row].sum())
            for key in wanted[text]:
                self.cache[key] = span_vector(hidden[row, :width], offsets[row][:width], key[1:])


def load_trigger_encoder(tuned: bool = False) -> Optional[TriggerEncoder]:
    """The trigger encoder (`tuned`: with the benchmark's coreference adapter),
    loaded once per process, or None (with a warning saying why) when the
    model or transformers is missing; MissingModelFile when the adapter is."""
    from . import model_file

    return _load_trigger_encoder(str(model_file(ADAPTER_FILE)) if tuned else None)


@functools.lru_cache(maxsize=2)
def _load_trigger_encoder(adapter: Optional[str]) -> Optional[TriggerEncoder]:
    from ..models import TRIGGER_MODEL, installed

    path = installed(TRIGGER_MODEL)
    if path is None:
        log.warning("%s is not installed (python -m crosswire.models install): scoring without trigger vectors",
                    TRIGGER_MODEL.name)
        return None
    try:
        return TriggerEncoder(str(path), adapter=adapter)
    except Exception as exc:  # any failure means: score without it
        log.warning("trigger encoder unavailable: %s", exc)
        return None
