"""The training layer (crosswire.training) and the corpus readers it shares
with the benchmarks (crosswire.datasets): each trainer runs end to end on a
small corpus written here in its corpus's own format, with the real spaCy
pipeline, and what it writes loads and runs in the runtime's code."""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

from crosswire.datasets import conflibert, hash_split, plover_gsr
from crosswire.datasets.polnear import doc_units, read_polnear
from crosswire.training import commands, event_classifier, quotes_rerank, quotes_spans, quotes_tagger

SPEAKERS = ["The minister", "A spokeswoman for the ministry", "The union leader", "Police officials",
            "The mayor", "Opposition lawmakers", "A senior diplomat", "The company"]
CUES = ["said", "told reporters", "argued", "warned", "claimed", "insisted"]
CONTENTS = ["the talks would resume next week", "prices would rise again", "the vote had been fair",
            "the protest would go ahead", "the agreement was close", "nobody had been hurt in the fire"]
FILLER = ["The weather was mild on the coast.", "Shops opened early in the old town.",
          "Trains ran on time for most of the day."]


def write_polnear(root: Path, n_articles: int = 14, seed: int = 3) -> Path:
    """A PolNeAR-shaped split (text/ + attributions/ brat files): each article
    a few reported-speech sentences (source, cue, content) among filler."""
    rng = random.Random(seed)
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    for k in range(n_articles):
        text, ann, t = "", [], 0
        for e in range(4):
            text += rng.choice(FILLER) + " "
            source, cue, content = rng.choice(SPEAKERS), rng.choice(CUES), rng.choice(CONTENTS)
            spans = {}
            for role, words in (("Source", source), ("Cue", cue)):
                spans[role] = (len(text), len(text) + len(words))
                text += words + " "
            text += "that "
            spans["Content"] = (len(text), len(text) + len(content))
            text += content + ".\n"
            ids = {}
            for role, (a, b) in spans.items():
                t += 1
                ids[role] = f"T{t}"
                ann.append(f"T{t}\t{role} {a} {b}\t{text[a:b]}")
            ann.append(f"E{e + 1}\tAttribution:{ids['Cue']} Content:{ids['Content']} Cue:{ids['Cue']} "
                       f"Source:{ids['Source']}")
        (root / "text" / f"article_{k:02d}.txt").write_text(text, encoding="utf-8")
        (root / "attributions" / f"article_{k:02d}_00aa.ann").write_text("\n".join(ann) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def polnear(tmp_path_factory) -> Path:
    return write_polnear(tmp_path_factory.mktemp("polnear") / "train")


def test_config_command_lines_give_the_shipped_defaults(tmp_path):
    """Every trainer's command line is its Config: no options, the defaults
    that shipped; options and the optional positional path set fields."""
    for module in (quotes_spans, quotes_tagger, quotes_rerank, event_classifier):
        assert commands.parse_config(module.Config, module.__doc__, []) == module.Config()
    cfg = commands.parse_config(quotes_tagger.Config, quotes_tagger.__doc__,
                                [str(tmp_path), "--max-steps", "5", "--lr", "0.01"])
    assert cfg.path == tmp_path and cfg.max_steps == 5 and cfg.lr == 0.01 and cfg.rank == 8

    @dataclass
    class Flags:
        needed: int
        on: bool = True
        name: Optional[str] = None

    flags = commands.parse_config(Flags, "test", ["3", "--no-on", "--name", "x"])
    assert flags == Flags(needed=3, on=False, name="x")


def test_quotes_span_models_train_and_load(polnear, tmp_path, nlp):
    """The cue and role models fitted on a PolNeAR-shaped corpus load in the
    runtime and find the attributions of a sentence it never saw."""
    from crosswire.extract.quotes.spans import attribution_spans, load_model

    out = tmp_path / "model.json.gz"
    assert quotes_spans.main([str(polnear), "--out", str(out), "--min-count", "1"]) == 0
    model = load_model(str(out))
    assert model is not None and set(model.role.classes) == {"none", "source", "cue", "content"}
    doc = nlp("The governor said that the budget would pass.")
    atts = attribution_spans(doc, model=model, use_tagger=False, reranker=False)
    assert [doc.text[slice(*a.cue[0])] for a in atts] == ["said"]
    assert doc.text[slice(*atts[0].source[0])] == "The governor"


def test_tagger_labels_follow_gold_characters(polnear, nlp):
    """The tagger learns per word piece whether it overlaps each role's gold
    characters; the cue head is the head of the gold cue in the parse."""
    spans_ = [(0, 3), None, (4, 8), (9, 13)]
    gold = {"source": [(0, 3)], "cue": [(4, 8)], "content": [(9, 20)], "cue_head": [(4, 8)]}
    labels = quotes_tagger.piece_labels(spans_, gold)
    assert labels[1] is None
    assert labels[0] == [1.0, 0.0, 0.0, 0.0] and labels[2] == [0.0, 1.0, 0.0, 1.0] and labels[3][2] == 1.0
    pdoc = next(iter(read_polnear(polnear)))
    spans = quotes_tagger.gold_spans(pdoc, nlp(pdoc.text))
    assert sorted(spans["content"]) == sorted(doc_units(pdoc.text, pdoc.attributions)["content"])
    assert len(spans["cue_head"]) == len(pdoc.attributions)
    assert all(pdoc.text[a:b] in {c.split()[0] for c in CUES} for a, b in spans["cue_head"])


def test_reranker_fit_learns_the_gold_candidate():
    """The conditional logit puts weight on what marks the gold candidate,
    and cross-validation counts the fragments it turns right."""
    rng = random.Random(1)
    groups = []
    for doc in range(20):
        for _ in range(3):
            gold = rng.randrange(1, 4)
            feats = [{"dec": 1.0 if k == 0 else 0.0, f"noise={rng.randrange(3)}": 1.0, "edge": float(k == gold)}
                     for k in range(4)]
            groups.append({"doc": doc, "feats": feats, "y": [int(k == gold) for k in range(4)]})
    weights = quotes_rerank.fit(groups, l2=0.1)
    assert weights["edge"] > 1.0 and weights.get("dec", 0.0) < weights["edge"]
    gain = quotes_rerank.cross_validate(groups, l2=0.1)
    assert gain[0.0] == len(groups)  # every decoded span was wrong, every chosen one right


def test_reranker_records_candidates_against_gold(polnear, nlp):
    """The reranker's training rows: every reported content the decoding
    finds, its candidates labelled by the gold content units."""
    from crosswire.extract.quotes.spans import load_model

    docs = list(read_polnear(polnear))[:3]
    model_path = polnear.parent / "rerank-upstream.json.gz"
    quotes_spans.train_parsed(docs, [nlp(d.text) for d in docs], model_path, quotes_spans.Config(min_count=1))
    groups = quotes_rerank.record(docs, [nlp(d.text) for d in docs], load_model(str(model_path)))
    assert groups and all(len(g["spans"]) == len(g["feats"]) == len(g["y"]) for g in groups)
    assert sum(1 for g in groups if any(g["y"])) >= len(groups) // 2


GSR_TYPES = {"CONSULT": ["Foreign ministers met in the capital to discuss trade.",
                         "The two presidents held talks on border security.",
                         "Envoys met to discuss the ceasefire plan.",
                         "The prime minister met the visiting delegation for talks."],
             "ASSAULT": ["Gunmen attacked a police station, killing two officers.",
                         "Rebels shelled the town overnight, killing civilians.",
                         "Soldiers attacked the village and killed several people.",
                         "Militants bombed a market, killing dozens."],
             "PROTEST": ["Thousands of students protested against the new law.",
                         "Workers protested outside parliament over wages.",
                         "Farmers protested in the streets against the tax.",
                         "Crowds protested outside the embassy."]}


@pytest.fixture(scope="module")
def event_corpora(tmp_path_factory) -> tuple[Path, Path]:
    """A GSR-shaped JSON file and a ConfliBERT-shaped TSV file."""
    root = tmp_path_factory.mktemp("events")
    records: list[dict] = [{"id": "doc", "text": "A whole article.", "event": "DOCUMENT"},
                           {"id": "empty", "event": "CONSULT"},
                           {"id": "coded", "text": "Police fired on the crowd.", "cameo": "190"},
                           {"id": "old", "text": "Unions demanded higher pay.", "event": "DEMAND",
                            "source": [{"code": "LAB"}]}]
    for event, texts in GSR_TYPES.items():
        for k, text in enumerate(texts * 3):
            records.append({"id": f"{event}-{k}", "text": text, "event": event,
                            "source": [{"code": "USA"}], "target": [{"code": "RUS"}]})
    gsr = root / "PLOVER_GSR_CAMEO.txt"
    gsr.write_text(json.dumps(records), encoding="utf-8")
    lines = ["no label here", "The spokesman said the meeting went well.\tx"]
    penta = {0: ["The spokesman made a statement on the economy.", "Officials commented on the report."],
             1: ["The ministers agreed to cooperate on energy.", "The leaders signed a trade deal."],
             4: ["Troops fired on protesters in the city.", "Bombs exploded near the base."]}
    for label, texts in penta.items():
        lines += [f"{t}\t{label}" for t in texts * 4]
    tsv = root / "conflibert_cameo_train.tsv"
    tsv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return gsr, tsv


def test_event_corpus_readers(event_corpora):
    """One reader per corpus: GSR types mapped to current PLOVER (and CAMEO
    codes through CAMEO2PLOVER), document records and records without text
    left out; ConfliBERT lines without a numeric label left out; the hash
    split parts the records."""
    gsr_path, tsv_path = event_corpora
    gsr = {r["id"]: r for r in plover_gsr.gsr_records(gsr_path)}
    assert "doc" not in gsr and "empty" not in gsr
    assert gsr["old"]["label"] == "REQUEST" and gsr["coded"]["label"] == "ASSAULT"
    penta = conflibert.pentaclass_records(tsv_path)
    assert len(penta) == 24 and {r["label"] for r in penta} == {0, 1, 4}
    records = list(gsr.values())
    train, dev = hash_split.split(records, "train"), hash_split.split(records, "dev")
    assert len(train) + len(dev) == len(records) and hash_split.split(records, "all") == records
    assert all(hash_split.is_dev(r["key"]) for r in dev)
    with pytest.raises(ValueError, match="unknown split"):
        hash_split.split(records, "test")


def test_event_classifier_trains_and_runs_without_scikit_learn(event_corpora, tmp_path):
    """The classifier trained on the two corpora is written as plain arrays
    that the runtime's model reads and applies."""
    from crosswire.extract.events.lexicon import PLOVER_TO_PENTACLASS
    from crosswire.extract.events.model import load_model, predict_batch

    gsr_path, tsv_path = event_corpora
    out = tmp_path / "event_model.npz"
    assert event_classifier.main(["--gsr", str(gsr_path), "--conflibert", str(tsv_path), "--out", str(out)]) == 0
    model = load_model(str(out))
    assert model is not None and set(model.plover.classes) == {"CONSULT", "ASSAULT", "PROTEST", "REQUEST", "NONE"}
    # the pentaclass model learns the ConfliBERT labels and the GSR types' pentaclasses
    assert set(model.penta.classes) == {0, 1, 4} | {PLOVER_TO_PENTACLASS.get(t, 0) for t in model.plover.classes}
    texts = [t for texts in GSR_TYPES.values() for t in texts]
    views = event_classifier.lexicon_views(texts)
    lexes = [v.split(" \u2016 ", 1)[1] for v in views]
    probs = predict_batch(model, texts, lexes)
    right = sum(max(p, key=p.get) == event for (p, _), event in
                zip(probs, [e for e, ts in GSR_TYPES.items() for _ in ts]))
    assert right >= 0.8 * len(texts)
    assert all(abs(sum(p.values()) - 1.0) < 1e-6 for p, _ in probs)


def test_event_benchmark_reads_the_same_records(event_corpora):
    """`crosswire eval events` scores exactly the records the reader gives."""
    from crosswire.evaluate import events

    gsr_path, tsv_path = event_corpora
    assert events.run(str(gsr_path))["n"] == len(plover_gsr.gsr_records(gsr_path))
    dev = hash_split.split(conflibert.pentaclass_records(tsv_path), "dev")
    assert events.run(str(tsv_path), type("Args", (), {"split": "dev"})())["n"] == len(dev)


def test_out_of_fold_folds_keep_a_story_together():
    """Five reports of one killing spread over five folds let each be scored
    by a model that read the others: its names and its words. With stories
    known, the articles of one story share a fold, the largest first on the
    emptiest fold; articles of no story are their own."""
    from types import SimpleNamespace

    from crosswire.training.events import ArticleData, folds_of

    def art(gid: str) -> ArticleData:
        return ArticleData(gid, SimpleNamespace(article=SimpleNamespace(url=f"https://example.org/{gid}")), [])

    arts = [art(f"wn-{i:03d}") for i in range(10)]
    stories = {f"https://example.org/wn-{i:03d}": "strike" for i in range(4)}
    stories.update({f"https://example.org/wn-{i:03d}": "summit" for i in (4, 5)})
    folds = folds_of(arts, 3, stories)
    assert len({folds[f"wn-{i:03d}"] for i in range(4)}) == 1
    assert folds["wn-004"] == folds["wn-005"] != folds["wn-000"]
    assert sorted(folds.values()).count(folds["wn-000"]) == 4  # the strike's fold takes no other article
    assert folds_of(arts, 3) == {a.gold_id: i % 3 for i, a in enumerate(arts)}


def test_a_gold_line_that_breaks_the_guidelines_is_named():
    """The format check names each broken line and why: a sentence copied
    wrong, a type or status outside the vocabularies, a date that is no ISO
    prefix, a key missing."""
    from crosswire.datasets.news_events import gold_problems

    articles = [{"id": "a1", "title": "Court jails opposition leader", "text": "The court jailed him on Monday."}]
    good = {"article": "a1", "event": "jailing", "sentence": "The court jailed him on Monday.", "type": "COERCE",
            "alt_types": [], "actor": ["court"], "recipient": [], "status": "occurred", "date": "2020-03-02",
            "background": False, "note": ""}
    assert gold_problems(articles, [good, {**good, "sentence": "Court jails opposition leader"}]) == []
    bad = [{**good, "sentence": "The court jailed him."}, {**good, "type": "ARREST"}, {**good, "status": "done"},
           {**good, "date": "Monday"}, {k: v for k, v in good.items() if k != "note"}]
    problems = gold_problems(articles, bad)
    assert [p.split(":")[0] for p in problems] == [f"line {n} (a1)" for n in range(1, 6)]
    assert "neither the title nor in the text" in problems[0] and "ARREST" in problems[1]
    assert "done" in problems[2] and "'Monday'" in problems[3] and "note" in problems[4]


def test_the_projects_own_event_gold_is_well_formed(shared_dir):
    """The corpus articles the project annotated (training/annotations) follow
    GUIDELINES.md's format, every id is a corpus article, and none is a
    train or dev article of the benchmark."""
    from crosswire.datasets.news_events import gold_problems, read_folder
    from crosswire.loading import read_jsonl
    from crosswire.training.events import MORE_GOLD_PATH

    ids = set(MORE_GOLD_PATH.with_suffix(".ids").read_text(encoding="utf-8").split())
    corpus = [r for r in read_jsonl(shared_dir / "corpus" / "articles.jsonl") if r["id"] in ids]
    gold = read_jsonl(MORE_GOLD_PATH)
    assert len(corpus) == len(ids) == 51
    assert {g["article"] for g in gold} <= ids
    assert gold_problems(corpus, gold) == []
    benchmark = [a for split in ("train", "dev") for a in read_folder(shared_dir / "eval" / "news_events" / split)[0]]
    assert not {r["url"] for r in corpus} & {a["url"] for a in benchmark}
    # the agreement checks' second annotations (bench/annotator_agreement.py): of our articles, of train's
    agreement = MORE_GOLD_PATH.parent / "agreement"
    assert gold_problems(corpus, read_jsonl(agreement / "second_annotator.jsonl")) == []
    train_articles, _ = read_folder(shared_dir / "eval" / "news_events" / "train")
    assert gold_problems(train_articles, read_jsonl(agreement / "benchmark_blind.jsonl")) == []
