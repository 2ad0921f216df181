"""Candidate recall of the actors stage on whole news articles.

    .venv/bin/python bench/actor_recall.py DIR [--headline] [--dump FILE] [--misses]

DIR holds `articles.jsonl` and `gold.jsonl` (../shared/eval/news_events/train or dev). The
events stage picks an event's actor and recipient among the actor mentions of its sentence, so
the share of gold events whose participants are among those mentions bounds what it can get
right. For every gold event line that is not `background`, the evidence sentence is found among
the spaCy sentences of the article text with the news-events scorer's own `same_sentence`, and
its mentions (as `lookup.to_participant` hands them to the events stage) are checked with the
scorer's own `side_ok` (both read from DIR/../score.py): the actor side, the recipient side
(lines whose gold names a recipient) and both sides (score.py's rule: an empty side is right).
A gold line whose sentence is found nowhere in the text (a headline while the text does not
carry it) counts as a miss.

`--headline` puts the article's title before its text as a paragraph of its own, as the
pipeline may soon do; `--dump FILE` writes every mention as JSON Lines (for diffs between two
versions); `--misses` prints each missed line with its sentence's mentions. Last line:
`actor recall: actor A, recipient R, both B (N gold lines, M mentions, P per article)`.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from crosswire import Pipeline  # noqa: E402
from crosswire.extract.actors.lookup import to_participant  # noqa: E402
from crosswire.records import to_dict  # noqa: E402


def load_scorer(gold_dir: Path):
    """The news-events scorer beside the gold folders, so the matching rules are its own."""
    path = gold_dir.resolve().parent / "score.py"
    if not path.is_file():
        sys.exit(f"{path}: not found (the scorer must sit beside the gold folder)")
    spec = importlib.util.spec_from_file_location("news_events_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        sys.exit(f"{path}: not found")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def with_headline(record: dict) -> dict:
    """The title as the text's first paragraph (unless the text already starts with it)."""
    title, text = (record.get("title") or "").strip(), record.get("text") or ""
    if title and not text.lstrip().startswith(title):
        record = dict(record, text=f"{title}\n\n{text}")
    return record


def extract(records: list[dict]) -> dict:
    """Gold article id -> ArticleResult of the actors stage."""
    pipe = Pipeline(stages=("actors",))
    articles = [pipe.as_article(dict(r, path=f"{r['id']}.json"), i) for i, r in enumerate(records)]
    return {r["id"]: result for r, result in zip(records, pipe.extract(articles))}


def sentence_participants(result, gold_sentence: str, same_sentence) -> list[list[dict]]:
    """Participants of each spaCy sentence the gold sentence matches."""
    out = []
    for s in result.sentences:
        if same_sentence(gold_sentence, s.text):
            out.append([to_dict(to_participant(m)) for m in result.actor_mentions if m.sentence == s.index])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--headline", action="store_true", help="put the title before the text")
    parser.add_argument("--dump", type=Path, help="write every mention as JSON Lines")
    parser.add_argument("--misses", action="store_true", help="print the missed gold lines")
    args = parser.parse_args()
    scorer = load_scorer(args.dir)
    records = read_jsonl(args.dir / "articles.jsonl")
    if args.headline:
        records = [with_headline(r) for r in records]
    gold = [g for g in read_jsonl(args.dir / "gold.jsonl") if not g.get("background")]
    results = extract(records)
    counts = dict(lines=0, found=0, actor=0, with_recipient=0, recipient=0, both=0)
    for g in gold:
        counts["lines"] += 1
        result = results.get(g["article"])
        groups = sentence_participants(result, g["sentence"], scorer.same_sentence) if result else []
        counts["found"] += bool(groups)
        actor = any(scorer.side_ok(g["actor"], p) for p in groups)
        recipient = any(scorer.side_ok(g["recipient"], p) for p in groups)
        both = any(scorer.side_ok(g["actor"], p) and scorer.side_ok(g["recipient"], p) for p in groups)
        counts["actor"] += actor
        counts["with_recipient"] += bool(g["recipient"])
        counts["recipient"] += bool(g["recipient"]) and recipient
        counts["both"] += both
        if args.misses and not both:
            names = sorted({f"{p['name']}/{p['code']}" for ps in groups for p in ps})
            side = "no sentence" if not groups else "actor" if not actor else "recipient"
            print(f"MISS {g['article']} {side}: gold {g['actor']} -> {g['recipient']}\n  {g['sentence'][:200]}\n"
                  f"  mentions: {names}")
    mentions = [m for r in results.values() for m in r.actor_mentions]
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as out:
            for aid, r in results.items():
                for m in r.actor_mentions:
                    row = dict(to_dict(m), article=aid, sentence_text=r.sentences[m.sentence].text)
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
    n = counts["lines"] or 1
    print(json.dumps(counts))
    print(f"actor recall: actor {counts['actor'] / n:.3f}, "
          f"recipient {counts['recipient'] / max(1, counts['with_recipient']):.3f}, both {counts['both'] / n:.3f} "
          f"({counts['lines']} gold lines, {counts['found']} with their sentence; {len(mentions)} mentions, "
          f"{len(mentions) / max(1, len(results)):.1f} per article)")


if __name__ == "__main__":
    main()
