"""Speed of the time tagger alone (no spaCy): sentences per second on one core.

    .venv/bin/python bench/timex.py [TEMPEVAL_DIR] [--repeat N]

Reads the TempEval-3 TimeML files, splits each document's text into
sentences with a simple punctuation rule, and times `tag_text(sentence,
anchor)` with the document's creation date as the fixed anchor. Without a
spaCy doc the tagger takes the nearest candidate for undecided dates, which
is the same regex and normalisation work. Last line:
`timex: N sentences/s (M sentences, one core)`.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from crosswire.datasets import corpus_path  # noqa: E402
from crosswire.datasets.timeml import DEFAULT_PATH, list_files, read_timeml  # noqa: E402
from crosswire.evaluate.timex import _dct_date  # noqa: E402
from crosswire.extract.time import tag_text  # noqa: E402

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'`])|\n\s*\n")


def load_sentences(path: str) -> list[tuple[str, str]]:
    """(sentence, anchor) pairs from every TimeML file under path."""
    pairs = []
    for file in list_files(path):
        doc = read_timeml(file)
        anchor = _dct_date(doc.dct)
        for sentence in _SENTENCE_END.split(doc.text):
            sentence = sentence.strip()
            if sentence:
                pairs.append((sentence, anchor))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", help="default: TempEval-3 train under the data root")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pairs = load_sentences(args.path or str(corpus_path(DEFAULT_PATH)))
    found = sum(len(tag_text(s, a)) for s, a in pairs)  # warm-up, and a sanity count
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for sentence, anchor in pairs:
            tag_text(sentence, anchor)
        best = min(best, time.perf_counter() - t0)
    print(f"{len(pairs)} sentences, {found} timexes, best of {args.repeat}: {best:.3f} s")
    print(f"timex: {len(pairs) / best:.0f} sentences/s ({len(pairs)} sentences, one core)")


if __name__ == "__main__":
    main()
