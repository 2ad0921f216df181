"""The ECB+ benchmark's trained mention encoder (coref_models/mention_encoder.py),
its trainer's command line (training/coref_mention_encoder.py) and how the
ECB+ evaluation feeds it to the scorer."""
import pytest

from crosswire import lora
from crosswire.coref_models import model_file
from crosswire.coref_models.mention_encoder import MARK_END, MARK_START, Encoded, load_mention_encoder, mark
from crosswire.evaluate.coref import TableEncoding
from crosswire.resolve.embed import model_path
from crosswire.resolve.scoring import Item, features, score
from crosswire.training import coref_mention_encoder
from crosswire.training.commands import parse_config

def marked(sentence: str, trigger: str) -> str:
    start = sentence.index(trigger)
    return mark(sentence, start, start + len(trigger))


def test_mark_wraps_the_trigger_only():
    assert marked("Rebels seized the town on Monday.", "seized") == \
        f"Rebels {MARK_START} seized {MARK_END} the town on Monday."


@pytest.fixture(scope="module")
def encoder():
    enc = load_mention_encoder()
    assert enc is not None, "MiniLM (a base dependency) and the shipped adapter load"
    return enc


def test_pair_head_is_symmetric_and_reads_the_context(encoder):
    vecs = encoder.vectors([marked("A strong earthquake struck the coast of Chile on Sunday.", "struck"),
                            marked("The quake hit Chilean coastal towns early on Sunday.", "hit"),
                            marked("Police arrested two men after the bank robbery in Ohio.", "arrested")])
    assert vecs.shape == (3, 768)
    same, other = encoder.pair_logit(vecs[0], vecs[1]), encoder.pair_logit(vecs[0], vecs[2])
    assert same == pytest.approx(encoder.pair_logit(vecs[1], vecs[0]), abs=1e-4)
    assert same > other


def test_encoded_items_feed_the_scorer(encoder):
    vecs = encoder.vectors([marked("Troops withdrew from the border town.", "withdrew"),
                            marked("The army pulled out of the town at the border.", "pulled out")])
    a = Item(key="a", doc="d1", sentence=0, lemma="withdraw", encoding=Encoded(vecs[0], encoder))
    b = Item(key="b", doc="d2", sentence=0, lemma="pull", encoding=Encoded(vecs[1], encoder))
    logit = features(a, b)["encoder_logit"]
    assert logit == pytest.approx(encoder.pair_logit(vecs[0], vecs[1]))
    assert score(a, b, {"encoder_logit": 1.0}) > score(a, b, {"encoder_logit": -1.0})


def test_missing_encoding_is_no_evidence():
    a = Item(key="a", doc="d1", sentence=0, lemma="strike")
    b = Item(key="b", doc="d2", sentence=0, lemma="strike")
    assert features(a, b)["encoder_logit"] == 0.0


def test_refit_reads_out_of_fold_logits_either_order():
    table = {("a", "b"): 2.5}
    a, b, c = (Item(key=k, doc=k, sentence=0, lemma="x", encoding=TableEncoding(k, table)) for k in "abc")
    assert features(b, a)["encoder_logit"] == 2.5
    assert features(a, c)["encoder_logit"] == 0.0


def test_long_sentences_are_cut_around_the_trigger():
    from transformers import AutoTokenizer

    from crosswire.coref_models.mention_encoder import trigger_window

    tok = AutoTokenizer.from_pretrained(model_path())
    tok.add_special_tokens({"additional_special_tokens": [MARK_START, MARK_END]})
    words = " ".join(f"word{k}" for k in range(200))
    ids = trigger_window(tok, marked(f"{words} the rebels seized the town {words}", "seized"), 30)
    assert len(ids) == 30
    start = ids.index(tok.convert_tokens_to_ids(MARK_START))
    assert start == 10 and tok.convert_tokens_to_ids(MARK_END) in ids[start:]


def test_mention_records_read_plain_or_gzipped(tmp_path):
    import gzip
    import json

    from crosswire.coref_models.mention_encoder import read_mentions

    row = {"key": "d/1", "text": "x", "cluster": "c"}
    (tmp_path / "m.jsonl").write_text(json.dumps(row) + "\n\n")
    with gzip.open(tmp_path / "m.jsonl.gz", "wt") as fh:
        fh.write(json.dumps(row) + "\n")
    assert read_mentions(str(tmp_path / "m.jsonl")) == read_mentions(str(tmp_path / "m.jsonl.gz")) == [row]


def test_the_trainer_command_line_defaults_are_what_shipped(tmp_path):
    """No options: the configuration the benchmark's encoder was trained with."""
    Config = coref_mention_encoder.Config
    cfg = parse_config(Config, coref_mention_encoder.__doc__, [str(tmp_path / "m.jsonl"), str(tmp_path / "out")])
    assert cfg == Config(mentions=tmp_path / "m.jsonl", out=tmp_path / "out")
    shipped = lora.read_config(str(model_file("mention_encoder.safetensors")))
    written = coref_mention_encoder.adapter_config(cfg)
    assert written == {k: shipped[k] for k in written} and shipped["context"] is cfg.context
    assert not parse_config(Config, coref_mention_encoder.__doc__, ["m", "o", "--no-context"]).context


def test_topic_batches_hold_whole_clusters_of_one_topic():
    import random

    mentions = [{"topic": t, "cluster": f"{t}{c}"} for t in "ab" for c in "xyz" for _ in range(3)]
    for batch in coref_mention_encoder.topic_batches(mentions, ["a", "b"], 20, 6, random.Random(1)):
        assert len({mentions[i]["topic"] for i in batch}) == 1 and len(batch) == 6
        clusters = [mentions[i]["cluster"] for i in batch]
        assert all(clusters.count(c) == 3 for c in clusters)  # clusters of three come whole
