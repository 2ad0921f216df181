"""How far two whole-article event annotations agree, scored as the news
benchmark scores a system: the other annotation's lines are the
predictions, matched one to one with the reference's (same article,
overlapping sentence, the type or one of the reference's alt_types;
background lines set aside), by `crosswire.datasets.news_events.match`.

    .venv/bin/python bench/annotator_agreement.py REFERENCE OTHER

Only the articles OTHER annotates are scored. Used for the project's own
gold (src/crosswire/training/annotations/README.md):

    # a second annotator of five of our articles, against the first
    .venv/bin/python bench/annotator_agreement.py src/crosswire/training/annotations/news_events.jsonl \
        src/crosswire/training/annotations/agreement/second_annotator.jsonl
    # one of our annotators, blind to five benchmark train articles' gold, against it
    .venv/bin/python bench/annotator_agreement.py ../shared/eval/news_events/train/gold.jsonl \
        src/crosswire/training/annotations/agreement/benchmark_blind.jsonl

Last line per typing: `typed|untyped: P p R r F1 f (tp matched, n lines against m)`.
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from crosswire.datasets.news_events import match, prf  # noqa: E402
from crosswire.loading import read_jsonl  # noqa: E402


def main(reference_path: str, other_path: str) -> None:
    other = read_jsonl(other_path)
    articles = {line["article"] for line in other}
    reference = [line for line in read_jsonl(reference_path) if line["article"] in articles]
    predictions = [line for line in other if not line.get("background")]
    print(f"{len(articles)} articles: {len(reference)} reference lines, {len(other)} other lines")
    for typed in (True, False):
        p, r, f, tp, n_pred, n_gold = prf(match(predictions, reference, typed), reference)
        print(f"{'typed' if typed else 'untyped'}: P {p:.3f} R {r:.3f} F1 {f:.3f} "
              f"({tp} matched, {n_pred} lines against {n_gold})")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
