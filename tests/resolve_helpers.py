"""Synthetic scorer items for the tests that compare clusterers (one
process, forked processes, Spark): many overlapping blocks, dated and
undated mentions, shared participants and articles."""
from __future__ import annotations

import random

from crosswire.resolve.scoring import Item, day_ordinal

CODES = ["USA", "RUS", "UKR", "NATO", "CHN", "FRA", "DEU"]


def synthetic_items(n: int, articles: int, seed: int) -> list[Item]:
    rng = random.Random(seed)
    items = []
    for k in range(n):
        date = rng.choice([None, "2022-01", f"2022-01-{rng.randint(1, 9):02d}"])
        published = f"2022-01-{rng.randint(1, 12):02d}"
        items.append(Item(key=f"m{k:04d}", doc=f"a{rng.randint(0, articles)}", sentence=rng.randint(0, 12),
                          lemma=rng.choice(["meet", "talk", "hold", "attack", "strike"]),
                          event_type=rng.choice(["CONSULT", "AGREE", "ASSAULT"]),
                          codes=frozenset(rng.sample(CODES, rng.randint(0, 2))), date=date,
                          ref_day=day_ordinal(date) or day_ordinal(published),
                          context=frozenset(rng.sample(["talks", "arms", "border", "troops", "sanctions"], 2))))
    return items
