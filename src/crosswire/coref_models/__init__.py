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

Their files (the adapters, the out-of-fold pair logits, and the benchmark's
lemma rates, trigger lexicon and trigger probe: 6.9 MB) are not in the wheel
either: they live in the repository, under `bench/models/coref/` (sources and
licences in its LICENSES.md). `model_file(name)` finds them:
`Settings.coref_models` (`CROSSWIRE_COREF_MODELS`) when set, else the first
`bench/models/coref/` beside or above the package (a checkout, or an
editable install of one), else beside or above the working directory (a
wheel installed elsewhere, run from inside a checkout). A file not found is
a `MissingModelFile` error that names it and says where to get it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from ..config import PACKAGE_DIR, Settings

MODELS_FOLDER = Path("bench", "models", "coref")


class MissingModelFile(FileNotFoundError):
    """One of the ECB+ benchmark's model files is not where it is looked for."""


def models_dir(settings: Optional[Settings] = None) -> Optional[Path]:
    """The folder holding the benchmark's model files (see the module docstring), or None."""
    configured = (settings or Settings.load()).coref_models
    if configured:
        return Path(configured)
    for base in (PACKAGE_DIR, Path.cwd()):
        for parent in (base, *base.parents):
            if (parent / MODELS_FOLDER).is_dir():
                return parent / MODELS_FOLDER
    return None


def model_file(name: str, settings: Optional[Settings] = None) -> Path:
    """The path of one of the benchmark's model files (`mention_encoder.safetensors`, ...);
    MissingModelFile, saying where to get it, when it is not there."""
    folder = models_dir(settings)
    if folder is not None and (folder / name).is_file():
        return folder / name
    where = folder / name if folder is not None else MODELS_FOLDER / name
    raise MissingModelFile(
        f"{where} not found: `crosswire eval coref` reads the ECB+ benchmark's coreference models from "
        f"{MODELS_FOLDER}/ of a crosswire repository checkout, and the crosswire wheel does not carry them. "
        f"Run it in a checkout (or with crosswire installed from one: pip install -e .), or set "
        f"CROSSWIRE_COREF_MODELS to a folder holding the files of the repository's {MODELS_FOLDER}/ "
        f"(--no-encoder scores without them, with the weights fitted without the models).")
