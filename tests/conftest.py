"""Shared fixtures: the real spaCy model (loaded once), the seed articles and
the benchmark samples under the data root (crosswire.datasets: ../shared unless
CROSSWIRE_DATA_ROOT says otherwise; skipped with a reason when absent)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]


def _data_root() -> Path:
    """crosswire.datasets' data root (CROSSWIRE_DATA_ROOT, else ../shared)."""
    from crosswire.datasets import data_root

    try:
        return data_root()
    except FileNotFoundError:
        return REPO.parent / "shared"


SHARED = _data_root()
SEEDS = SHARED / "seeds"


@pytest.fixture(scope="session")
def nlp():
    from crosswire.annotate import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.skip(f"shared data not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not (SEEDS / "expected.json").exists():
        pytest.skip(f"seed articles not found at {SEEDS}")
    return SEEDS


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return REPO / "examples"
