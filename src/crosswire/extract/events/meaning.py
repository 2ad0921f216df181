"""What an event mention's sentence means, as one vector the resolver can compare.

Two reports of one happening in different outlets rarely share their words
("talks" / "the two sides will meet"), and the merge scorer's word overlap
misses them; a sentence vector does not (out-of-fold merge F1 on the
news_events train articles: docs/decisions/stories-and-merging.md). The
pipeline already reads every article once with the quotes tagger's MiniLM
(`ArticleContext.encoding`); the mean of its last layer over a sentence's
word pieces (`sentence_types.sentence_vectors`) costs nothing more, where a
second sentence model would cost as much as the tagger again.

Raw, those vectors point mostly one way (two unrelated news sentences:
cosine about 0.72), so each is taken from a centre first, the mean vector of
the Wikinews corpus's sentences (data/events/meaning_centre.npy, fitted by
`python -m crosswire.training.meaning`; unrelated sentences then average
about 0.0). Without the centre file no vector is kept.

The vector is kept on the mention (`EventMention.meaning`), so articles
stored by earlier runs are compared with later ones without re-reading them:
unit length, each coordinate in int8 (×127), base64 — 512 characters for
MiniLM's 384 dimensions. The cosine of two unpacked vectors is within about
0.01 of the float one.
"""
from __future__ import annotations

import base64
from typing import Any, Optional

from ...loading import load_once
from .lexicon import EVENTS_DATA

SCALE = 127.0
CENTRE_PATH = EVENTS_DATA / "meaning_centre.npy"


@load_once
def load_centre(path: Optional[str] = None) -> Any:
    """The corpus's mean sentence vector, or None when it is not shipped."""
    from pathlib import Path

    p = Path(path) if path else CENTRE_PATH
    if not p.exists():
        return None
    import numpy as np

    return np.load(p).astype(np.float64)


def pack(vector: Any) -> Optional[str]:
    """A unit vector as int8 base64 text (None for a zero vector: no pieces in the sentence)."""
    import numpy as np

    v = np.asarray(vector, dtype=np.float64)
    norm = float(np.linalg.norm(v))
    if norm == 0.0:
        return None
    q = np.clip(np.rint(v / norm * SCALE), -127, 127).astype(np.int8)
    return base64.b64encode(q.tobytes()).decode("ascii")


def unpack(text: Optional[str]) -> Any:
    """The unit float32 vector `pack` wrote, or None."""
    if not text:
        return None
    import numpy as np

    v = np.frombuffer(base64.b64decode(text), dtype=np.int8).astype(np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else None


def sentence_meanings(vectors: Any) -> list[Optional[str]]:
    """Each sentence's packed vector, from its vector of the article's
    transformer pass (`sentence_types.sentence_vectors`) taken from the corpus
    centre (None each without the centre, or for a sentence with no word piece)."""
    import numpy as np

    centre = load_centre()
    if centre is None:
        return [None] * len(vectors)
    return [pack(v - centre) if np.any(v) else None for v in vectors]
