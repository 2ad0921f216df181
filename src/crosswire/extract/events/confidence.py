"""How likely an event mention is to be right, and whether to output it.

An event an analyst would reject costs more than one we miss. Every
candidate event (a sentence, a PLOVER type the sentence model gives some
probability, the word that anchors it, the participants, status and date
built from it) gets a confidence: a logistic regression over what is known
of how it was made (the type probability and its rank in the sentence, the
anchor, whether a lexicon trigger of that type is in the sentence, whether
an actor and a coded recipient were found and how sure the role models
were, status, date basis, quotation), fitted out of fold on the
whole-article gold (`crosswire.training.events`) to predict that the
mention matches a gold event of its type. So the number reads as a
probability: of events at confidence 0.8, about eight in ten were right
out of fold (docs/events.md has the reliability table).

Only mentions at or above `Settings.event_min_confidence` are output.
"""
from __future__ import annotations

import math
from typing import Optional

from ...config import DATA_DIR
from ...loading import load_once
from ..linear import read_models

SCORERS_PATH = DATA_DIR / "events" / "event_scorers.json.gz"


@load_once
def load_scorers(path: Optional[str] = None) -> Optional[dict]:
    """{"models": {"actor", "recipient", "confidence": LinearModel}, "about": {...}}, or None untrained."""
    from pathlib import Path

    return read_models(Path(path) if path else SCORERS_PATH)


def logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _bucket(n: int, edges=(0, 1, 2, 3, 5, 8)) -> str:
    for edge in reversed(edges):
        if n >= edge:
            return f"{edge}+"
    return "0"


def candidate_features(event_type: str, p_type: float, rank: int, anchor: str, rule: str, has_lexicon_type: bool,
                       sentence_index: int, n_sentences: int, built: dict[str, float]) -> dict[str, float]:
    """What the confidence model sees of one candidate event."""
    f = dict(built)
    f.update({
        "bias_event": 1.0, "logit_p_type": logit(p_type), f"type={event_type}": 1.0, f"rank={min(rank, 3)}": 1.0,
        f"anchor={anchor}": 1.0, f"rule={rule}": 1.0, f"sentence={_bucket(sentence_index)}": 1.0,
        f"type|anchor={event_type}|{anchor}": 1.0,
    })
    if has_lexicon_type:
        f["lexicon_has_type"] = 1.0
    if sentence_index >= n_sentences - 2:
        f["last_sentences"] = 1.0
    return f
