"""Datasets: one reader per corpus, one data root.

Benchmarks and training read their corpora only through these modules:
`timeml` (TempEval-3 TimeML), `ecbplus` (ECB+ event coreference), `polnear`
(PolNeAR attributions), `geo` (LGL and GeoVirus toponyms). Each names its
default location under the data root (`DEFAULT_PATH`), so `crosswire eval
TASK` needs no path on a machine that has the corpora. The data root is `Settings.data_root` (`CROSSWIRE_DATA_ROOT`),
else the first `shared/` folder found beside or above the working directory or
the installed package: the repository's sibling `../shared`, as laid out for
development and CI. Nothing here downloads anything.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from ..config import Settings

SHARED_FOLDER = "shared"


def data_root(settings: Optional[Settings] = None) -> Path:
    """The folder the corpora are read from (see the module docstring);
    FileNotFoundError naming the setting when there is none."""
    configured = (settings or Settings.load()).data_root
    if configured:
        return Path(configured)
    for base in (Path.cwd(), Path(__file__).resolve()):
        for parent in (base, *base.parents):
            if (parent / SHARED_FOLDER).is_dir():
                return parent / SHARED_FOLDER
    raise FileNotFoundError("no data root: set CROSSWIRE_DATA_ROOT (or Settings.data_root) to the folder "
                            "holding eval/ and seeds/")


def corpus_path(relative: str, settings: Optional[Settings] = None) -> Path:
    """A corpus path under the data root, e.g. corpus_path("eval/ecbplus/dev")."""
    return data_root(settings) / relative
