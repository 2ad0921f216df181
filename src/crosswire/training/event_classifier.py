"""Train the event sentence classifier (about a minute on 2 cores):

    .venv/bin/python -m crosswire.training.event_classifier [--gsr FILE] [--conflibert FILE] [--out FILE]

Data (read under the data root, never copied into the repository; readers
in crosswire.datasets):
- PLOVER_GSR_CAMEO.txt (openeventdata/PLOVER, CC BY-SA 4.0;
  `datasets.plover_gsr`): PLOVER 0.5 types mapped to current PLOVER.
- conflibert_cameo_train.tsv (eventdata/ConfliBERT, GPL-3.0;
  `datasets.conflibert`): CAMEO pentaclass. Its class 0 (public statements,
  CAMEO 01) also serves as NONE examples for the PLOVER-type model.
A fixed 15% of each file (`datasets.hash_split`) is the dev split: never
trained on, used by `crosswire eval events --split dev`.

Output: data/events/event_model.npz, the two TF-IDF vectorisers and two
logistic regressions as plain arrays (`extract.events.model.save_model`;
coefficients as float32 to stay small), so running the model needs no
scikit-learn. Also rebuilds data/events/cameo_verbs.json from PETRARCH2's
CAMEO.2.0.txt when --petrarch is given.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..datasets import conflibert, corpus_path, plover_gsr
from ..datasets.hash_split import DEV_PERCENT, split
from ..extract.events.lexicon import PLOVER_TO_PENTACLASS, VERBS_JSON, compile_verb_dictionary
from ..extract.events.model import MODEL_PATH, feature_text, lexicon_tokens, save_model
from .commands import parse_config

SEED = 13


@dataclass
class Config:
    """A training run of the classifier (defaults: what shipped)."""

    gsr: Optional[Path] = field(default=None, metadata={"help": "PLOVER_GSR_CAMEO.txt (default: under the data root)"})
    conflibert: Optional[Path] = field(default=None, metadata={
        "help": "conflibert_cameo_train.tsv (default: under the data root)"})
    out: Path = MODEL_PATH
    C: float = field(default=10.0, metadata={"help": "inverse L2 strength of both logistic regressions"})
    petrarch: Optional[Path] = field(default=None, metadata={
        "help": "PETRARCH2 dictionary folder: also rebuild cameo_verbs.json from CAMEO.2.0.txt"})


def lexicon_views(texts: list[str]) -> list[str]:
    """Feature texts: each sentence with its lexicon trigger tokens, from the
    same spaCy + actors + trigger code the stage runs."""
    from ..annotate import load_nlp, sentences_of
    from ..config import Settings
    from ..extract import Anchor, ArticleContext
    from ..extract.actors import actors_stage
    from ..extract.events import main_trigger
    from ..extract.events.arguments import MentionIndex
    from ..extract.events.triggers import find_triggers
    from ..records import Article, ArticleResult

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
        lex = []
        for s in doc.sents:
            trig = find_triggers(s, tokens)
            lex.append(lexicon_tokens(trig, main_trigger(trig)))
        out.append(feature_text(text, " ".join(lex)))
    return out


def train(cfg: Config) -> dict:
    """Fit both models on the train splits and write them to `cfg.out`."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    t0 = time.time()
    gsr = split(plover_gsr.gsr_records(cfg.gsr or corpus_path(plover_gsr.DEFAULT_PATH)), "train")
    penta = split(conflibert.pentaclass_records(cfg.conflibert or corpus_path(conflibert.DEFAULT_PATH)), "train")
    gsr_x = lexicon_views([r["text"] for r in gsr])
    penta_x = lexicon_views([r["text"] for r in penta])
    t_parse = time.time() - t0
    # one shared vocabulary over both corpora
    all_x = gsr_x + penta_x
    word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=30000)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True, max_features=40000)
    word.fit(all_x)
    char.fit(all_x)

    def features(texts):
        return hstack([word.transform(texts), char.transform(texts)]).tocsr()

    plover_x = gsr_x + [x for x, r in zip(penta_x, penta) if r["label"] == 0]
    plover_y = [r["label"] for r in gsr] + ["NONE"] * sum(1 for r in penta if r["label"] == 0)
    plover = LogisticRegression(C=cfg.C, max_iter=3000, class_weight="balanced", random_state=SEED)
    plover.fit(features(plover_x), plover_y)
    pent_x = penta_x + gsr_x
    pent_y = [r["label"] for r in penta] + [PLOVER_TO_PENTACLASS.get(r["label"], 0) for r in gsr]
    pent = LogisticRegression(C=cfg.C, max_iter=3000, class_weight="balanced", random_state=SEED)
    pent.fit(features(pent_x), pent_y)
    about = {"trained_on": ["PLOVER_GSR_CAMEO.txt (train split)", "conflibert_cameo_train.tsv (train split)"],
             "dev_percent": DEV_PERCENT, "C": cfg.C}
    save_model(cfg.out, word, char, plover, pent, about)
    return {"gsr_train": len(gsr), "pentaclass_train": len(penta), "parse_s": round(t_parse, 1),
            "total_s": round(time.time() - t0, 1), "size_kb": cfg.out.stat().st_size // 1024}


def main(argv: Optional[list[str]] = None) -> int:
    cfg = parse_config(Config, __doc__, argv)
    if cfg.petrarch:
        table = compile_verb_dictionary(cfg.petrarch / "CAMEO.2.0.txt")
        VERBS_JSON.write_text(json.dumps(table, separators=(",", ":")), encoding="utf-8")
        print(f"wrote {VERBS_JSON} ({len(table)} verbs)")
    info = train(cfg)
    print(f"wrote {cfg.out}: {info}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
