"""Compare: per story and per event, which outlets agree and which differ.
(Placeholder until the compare stage lands: records who reports each event.)"""
from __future__ import annotations

from typing import Sequence

from ..records import ArticleResult


def compare(resolution, results: Sequence[ArticleResult]) -> None:
    for event in resolution.events:
        outlets = sorted({m.outlet for m in event.mentions if m.outlet})
        event.agreement = {"reported_by": outlets}
