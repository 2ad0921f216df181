"""Sparse linear models over named features, as the extract stages ship them.

A stage describes what it sees as a dict of feature names to values
(`{"rel=nsubj": 1.0, "type|rel=ACCUSE|nsubj": 1.0, "p_type": 0.73}`); a
trained model is a dict of weights per feature and a bias, fitted by the
training layer (`crosswire.training`) with scikit-learn and shipped as
gzipped JSON. Running one costs a dict lookup per feature and needs no
training library, so every process (each Spark worker included) starts
without importing scikit-learn.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional

from ..loading import read_json_gz

Features = dict[str, float]


@dataclass
class LinearModel:
    """One logistic regression: P(yes | features) = sigmoid(bias + w . x)."""

    weights: dict[str, float]
    bias: float = 0.0
    about: dict[str, Any] = field(default_factory=dict)

    def logit(self, features: Mapping[str, float]) -> float:
        w = self.weights
        return self.bias + sum(w.get(name, 0.0) * value for name, value in features.items())

    def probability(self, features: Mapping[str, float]) -> float:
        return sigmoid(self.logit(features))

    def to_json(self) -> dict[str, Any]:
        return {"weights": self.weights, "bias": self.bias, "about": self.about}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "LinearModel":
        return cls(dict(data["weights"]), float(data.get("bias", 0.0)), dict(data.get("about", {})))


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def read_models(path: Path) -> Optional[dict[str, Any]]:
    """A shipped bundle: {"models": {name: LinearModel json}, "about": {...}}
    -> {"models": {name: LinearModel}, "about": {...}}, or None when absent."""
    data = read_json_gz(path)
    if data is None:
        return None
    return {"models": {name: LinearModel.from_json(m) for name, m in data["models"].items()},
            "about": data.get("about", {})}
