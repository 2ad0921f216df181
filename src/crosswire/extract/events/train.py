"""Train the event sentence classifier (one command, about a minute on 2 cores):

    .venv/bin/python -m crosswire.extract.events.train [--eval-dir DIR] [--out FILE]

Data (read from ../shared/eval/events, never copied into the repository):
- PLOVER_GSR_CAMEO.txt (openeventdata/PLOVER, CC BY-SA 4.0): PLOVER 0.5 types
  mapped to current PLOVER (DEMAND->REQUEST, DISAPPROVE/INVESTIGATE->ACCUSE,
  FIGHT->ASSAULT).
- conflibert_cameo_train.tsv (eventdata/ConfliBERT, GPL-3.0): CAMEO pentaclass.
  Its class 0 (public statements, CAMEO 01) also serves as NONE examples for
  the PLOVER-type model.
A fixed 15% of each file (by MD5 of the record id / sentence) is the dev
split: never trained on, used by `crosswire.evaluate.events --split dev`.

Output: data/events/event_model.npz, the two TF-IDF vectorisers and two
logistic regressions as plain arrays (`model.save_model`; coefficients as
float32 to stay small), so running the model needs no scikit-learn.
Also rebuilds data/events/cameo_verbs.json from PETRARCH2's CAMEO.2.0.txt
when --petrarch is given.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import json
import time
from pathlib import Path


from .lexicon import PLOVER_05_TO_CURRENT, PLOVER_TO_PENTACLASS, VERBS_JSON, compile_verb_dictionary
from .model import MODEL_PATH, feature_text, lexicon_tokens, save_model

DEFAULT_EVAL_DIR = Path(os.environ.get("CROSSWIRE_SHARED", Path(__file__).resolve().parents[5] / "shared")) \
    / "eval" / "events"
DEV_PERCENT = 15
SEED = 13


def is_dev(key: str) -> bool:
    """The fixed dev split: 15% of records by hash of their id/text."""
    return int(hashlib.md5(key.encode("utf-8")).hexdigest(), 16) % 100 < DEV_PERCENT


def gsr_records(path: Path) -> list[dict]:
    """PLOVER gold records with the current PLOVER type in 'label'."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for r in data:
        if not r.get("text") or r.get("event") in (None, "DOCUMENT"):
            continue
        label = PLOVER_05_TO_CURRENT.get(r["event"], r["event"])
        out.append({**r, "label": label, "key": r.get("id") or r["text"]})
    return out


def pentaclass_records(path: Path) -> list[dict]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "\t" not in line:
            continue
        text, label = line.rsplit("\t", 1)
        if label.strip().isdigit():
            out.append({"text": text.strip(), "label": int(label), "key": text.strip()})
    return out


def split(records: list[dict], part: str) -> list[dict]:
    if part == "all":
        return records
    want_dev = part == "dev"
    return [r for r in records if is_dev(r["key"]) == want_dev]


def lexicon_views(texts: list[str]) -> list[str]:
    """Feature texts: each sentence with its lexicon trigger tokens, from the
    same spaCy + actors + trigger code the stage runs."""
    from ...annotate import load_nlp
    from ...config import Settings
    from ...records import Article, ArticleResult
    from ...annotate import sentences_of
    from .. import Anchor, ArticleContext
    from ..actors import actors_stage
    from .arguments import MentionIndex
    from .triggers import find_triggers
    from . import main_trigger

    nlp = load_nlp()
    settings = Settings.load()
    out = []
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=64)):
        art = Article(id="train", text=text)
        result = ArticleResult(article=art, sentences=sentences_of(doc))
        ctx = ArticleContext(article=art, doc=doc, sentences=result.sentences, settings=settings, result=result,
                             anchor=Anchor(None, "none"))
        actors_stage(ctx)
        tokens = MentionIndex(result.actor_mentions).token_ids(doc)
        sents = list(doc.sents)
        lex = []
        for s in sents:
            trig = find_triggers(s, tokens)
            lex.append(lexicon_tokens(trig, main_trigger(trig)))
        out.append(feature_text(text, " ".join(lex)))
    return out


def train(eval_dir: Path, out: Path, C: float = 10.0) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from scipy.sparse import hstack

    t0 = time.time()
    gsr = split(gsr_records(eval_dir / "PLOVER_GSR_CAMEO.txt"), "train")
    penta = split(pentaclass_records(eval_dir / "conflibert_cameo_train.tsv"), "train")
    gsr_x = lexicon_views([r["text"] for r in gsr])
    penta_x = lexicon_views([r["text"] for r in penta])
    t_parse = time.time() - t0
    # one shared vocabulary over both corpora
    all_x = gsr_x + penta_x
    word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=30000)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True, max_features=40000)
    word.fit(all_x)
    char.fit(all_x)

    def X(texts):
        return hstack([word.transform(texts), char.transform(texts)]).tocsr()

    plover_x = gsr_x + [x for x, r in zip(penta_x, penta) if r["label"] == 0]
    plover_y = [r["label"] for r in gsr] + ["NONE"] * sum(1 for r in penta if r["label"] == 0)
    plover = LogisticRegression(C=C, max_iter=3000, class_weight="balanced", random_state=SEED)
    plover.fit(X(plover_x), plover_y)
    pent_x = penta_x + gsr_x
    pent_y = [r["label"] for r in penta] + [PLOVER_TO_PENTACLASS.get(r["label"], 0) for r in gsr]
    pent = LogisticRegression(C=C, max_iter=3000, class_weight="balanced", random_state=SEED)
    pent.fit(X(pent_x), pent_y)
    about = {"trained_on": ["PLOVER_GSR_CAMEO.txt (train split)", "conflibert_cameo_train.tsv (train split)"],
             "dev_percent": DEV_PERCENT, "C": C}
    save_model(out, word, char, plover, pent, about)
    info = {"gsr_train": len(gsr), "pentaclass_train": len(penta), "parse_s": round(t_parse, 1),
            "total_s": round(time.time() - t0, 1), "size_kb": out.stat().st_size // 1024}
    return info


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Train the crosswire event classifier.")
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR)
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--C", type=float, default=10.0)
    ap.add_argument("--petrarch", type=Path, default=None,
                    help="PETRARCH2 dictionary folder: also rebuild cameo_verbs.json from CAMEO.2.0.txt")
    args = ap.parse_args(argv)
    if args.petrarch:
        table = compile_verb_dictionary(args.petrarch / "CAMEO.2.0.txt")
        VERBS_JSON.write_text(json.dumps(table, separators=(",", ":")), encoding="utf-8")
        print(f"wrote {VERBS_JSON} ({len(table)} verbs)")
    info = train(args.eval_dir, args.out, C=args.C)
    print(f"wrote {args.out}: {info}")


if __name__ == "__main__":
    main()
