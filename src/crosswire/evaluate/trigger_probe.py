"""Event triggers for the predicted-mention setting of the ECB+ evaluation: a
linear probe over all-mpnet-base-v2 trigger vectors.

Why: the lemma-rate rule (a lemma is a trigger when it headed a gold mention
at least 40% of the time on the train topics) knows only the train topics'
words and cannot tell "the attack" from "attack dogs". The 9th-layer vectors
that the scorer compares (coref_models/trigger_encoder.py) also say whether a
word names a happening in its sentence; a logistic model over them and the
word's part of speech, trained on the train topics' gold mention tokens,
finds triggers of unseen topics. Out of fold (5 folds of train topics) it
matches 0.852 F1 of the gold mentions at threshold 0.5.

    python -m crosswire.evaluate.coref ../shared/eval/ecbplus/train \\
        --export-trigger-probe bench/models/coref/trigger_probe.json

The probe runs with numpy alone; training uses scikit-learn.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

# parts of speech a trigger can have (ECB+ marks verbs, nouns, adjectives and a few others)
CANDIDATE_POS = ("VERB", "NOUN", "ADJ", "PROPN", "AUX", "ADV", "NUM")
# chosen on 5 folds of train topics: mention F1 0.842 / 0.850 / 0.852 / 0.843 at 0.3 / 0.4 / 0.5 / 0.6
PROBE_THRESHOLD = 0.5
PROBE_FILE = "trigger_probe.json"

Token = tuple[str, int, int]  # (document, sentence number, token index in the parsed sentence)


@dataclass
class TriggerProbe:
    """Logistic weights over [trigger vector, part-of-speech one-hot]."""

    weights: Any  # numpy vector
    bias: float
    threshold: float = PROBE_THRESHOLD

    def probabilities(self, features: Any) -> Any:
        import numpy as np

        return 1.0 / (1.0 + np.exp(-(features @ self.weights + self.bias)))

    def write(self, path: str) -> None:
        Path(path).write_text(json.dumps({
            "model": "all-mpnet-base-v2 layer 9 trigger vector + part of speech (crosswire.evaluate.trigger_probe)",
            "pos": list(CANDIDATE_POS), "threshold": self.threshold, "bias": round(float(self.bias), 6),
            "weights": [round(float(w), 6) for w in self.weights]}, separators=(",", ":")), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> "TriggerProbe":
        import numpy as np

        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["pos"]) != CANDIDATE_POS:
            raise ValueError(f"{path}: written for parts of speech {data['pos']}, not {list(CANDIDATE_POS)}")
        return cls(np.array(data["weights"], dtype=np.float32), float(data["bias"]), float(data["threshold"]))


def load_trigger_probe() -> TriggerProbe:
    """The benchmark's probe (coref_models.MissingModelFile without the file)."""
    from ..coref_models import model_file

    return TriggerProbe.read(model_file(PROBE_FILE))


def candidates(sentences: dict) -> list[Token]:
    """Every token of the parsed sentences ({(document, sentence): Parsed}) whose
    part of speech a trigger can have."""
    return [(doc, s, i) for (doc, s), p in sorted(sentences.items()) for i, pos in enumerate(p.pos)
            if pos in CANDIDATE_POS]


def features(tokens: Sequence[Token], sentences: dict, trigger_encoder: Any) -> Any:
    """[trigger vector, part-of-speech one-hot] per token (each sentence is encoded once)."""
    import numpy as np

    parsed = [sentences[(doc, s)] for doc, s, _ in tokens]
    vectors = trigger_encoder.spans([p.text for p in parsed], [p.offsets[i] for p, (_, _, i) in zip(parsed, tokens)])
    pos = [[p.pos[i] == tag for tag in CANDIDATE_POS] for p, (_, _, i) in zip(parsed, tokens)]
    return np.hstack([np.array(vectors, dtype=np.float32), np.array(pos, dtype=np.float32)])


def find_triggers(sentences: dict, trigger_encoder: Any, probe: TriggerProbe) -> list[Token]:
    """The candidate tokens the probe scores at or above its threshold."""
    tokens = candidates(sentences)
    if not tokens:
        return []
    keep = probe.probabilities(features(tokens, sentences, trigger_encoder)) >= probe.threshold
    return [t for t, k in zip(tokens, keep) if k]


def train_probe(sentences: dict, gold_tokens: set[Token], trigger_encoder: Any, c: float = 0.5) -> TriggerProbe:
    """Fit the probe: a candidate token is positive when it lies in a gold mention's span."""
    from sklearn.linear_model import LogisticRegression

    tokens = candidates(sentences)
    labels = [t in gold_tokens for t in tokens]
    model = LogisticRegression(C=c, max_iter=3000).fit(features(tokens, sentences, trigger_encoder), labels)
    return TriggerProbe(model.coef_[0].astype("float32"), float(model.intercept_[0]))
