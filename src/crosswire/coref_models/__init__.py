"""The ECB+ benchmark's trained coreference models, out of the runtime.

`crosswire eval coref` scores ECB+ with the runtime's pairwise scorer
(resolve/scoring.py) fed with features the news pipeline does not compute:
the trained mention encoder's pair logit (`mention_encoder.py`) and the
contextual trigger vectors of all-mpnet-base-v2, tuned by a LoRA adapter
(`trigger_encoder.py`). The news resolver never loads them (`crosswire run`,
`serve` and the Spark job score with NEWS_WEIGHTS, which give those features
no weight), so they sit in their own layer of the contract in
pyproject.toml: the benchmark (`crosswire.evaluate.coref`) and the trainers
(`crosswire.training.coref_mention_encoder`, `coref_trigger_adapter`) import
them, the runtime and the desk never do.

`model_file(name)` is where their files are found.
"""
from __future__ import annotations

from pathlib import Path

from ..config import DATA_DIR

MODELS_DIR = DATA_DIR / "coref"


def model_file(name: str) -> Path:
    """The path of one of the benchmark's model files (`mention_encoder.safetensors`, ...)."""
    return MODELS_DIR / name
