"""How readily a trigger word's mentions corefer across documents (the ECB+
benchmark's `coreferable` feature).

Most event mentions in a news collection are singletons: a "said", a "meeting"
mentioned in passing. Some trigger words name the happening that several
outlets report ("earthquake", "arrest", "acquire") far more often than others.
ECB+ train annotations give, per trigger lemma, how many of its mentions sit in
a cluster spanning more than one document. The scorer's `coreferable` feature
adds the two mentions' smoothed log-ratios to the overall rate, so a pair of
usually-coreferent words needs less other evidence and a pair of words that
rarely corefer needs more.

Counts are kept per train topic so that a train mention is always scored with
its own topic left out (`log_ratio(lemma, exclude_topic=...)`): fitting the
blend on train then sees the figure an unseen topic would get, as with the
encoder's out-of-fold logits. A lemma never seen scores 0 (the overall rate).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

RATES_FILE = "lemma_rates.json"
SMOOTHING = 10.0  # pseudo-mentions at the overall rate (chosen on train topic folds: 1, 3, 10)


@dataclass
class LemmaRates:
    """{lemma: {topic: [mentions coreferent across documents, mentions]}}."""

    counts: dict[str, dict[str, list[int]]]
    smoothing: float = SMOOTHING
    _topic_totals: dict[str, list[int]] = field(init=False, repr=False)
    _total: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._topic_totals = {}
        for by_topic in self.counts.values():
            for topic, (linked, seen) in by_topic.items():
                t = self._topic_totals.setdefault(topic, [0, 0])
                t[0] += linked
                t[1] += seen
        self._total = [sum(t[0] for t in self._topic_totals.values()),
                       sum(t[1] for t in self._topic_totals.values())]

    @classmethod
    def from_mentions(cls, mentions: Iterable[tuple[str, str, bool]]) -> "LemmaRates":
        """From (lemma, topic, coreferent across documents) per gold mention."""
        counts: dict[str, dict[str, list[int]]] = {}
        for lemma, topic, linked in mentions:
            c = counts.setdefault(lemma, {}).setdefault(topic, [0, 0])
            c[0] += int(linked)
            c[1] += 1
        return cls(counts)

    def log_ratio(self, lemma: str, exclude_topic: Optional[str] = None) -> float:
        """log(smoothed rate of this lemma / overall rate); 0 when nothing is known."""
        linked, seen = self._total
        if exclude_topic in self._topic_totals:
            linked -= self._topic_totals[exclude_topic][0]
            seen -= self._topic_totals[exclude_topic][1]
        if not seen or not linked:
            return 0.0
        base = linked / seen
        own_linked = own_seen = 0
        for topic, (k, n) in self.counts.get(lemma, {}).items():
            if topic != exclude_topic:
                own_linked += k
                own_seen += n
        rate = (own_linked + self.smoothing * base) / (own_seen + self.smoothing)
        return math.log(rate / base)

    def write(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps({"smoothing": self.smoothing, "counts": self.counts},
                                         sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: str | Path) -> "LemmaRates":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(data["counts"], data.get("smoothing", SMOOTHING))


def load_lemma_rates() -> LemmaRates:
    """The benchmark's ECB+ train rates (coref_models.MissingModelFile without the file)."""
    from ..coref_models import model_file

    return LemmaRates.read(model_file(RATES_FILE))
