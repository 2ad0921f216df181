"""experiments/coref_cross_encoder.py: kept to reproduce a result that was
not shipped, so its two pieces of logic are checked not to rot."""
import importlib.util
from pathlib import Path

import pytest

from crosswire.resolve.embed import model_path
from crosswire.coref_models.mention_encoder import MARK_END, MARK_START
from crosswire.resolve.scoring import Item

PATH = Path(__file__).resolve().parents[1] / "experiments" / "coref_cross_encoder.py"


@pytest.fixture(scope="module")
def experiment():
    spec = importlib.util.spec_from_file_location("coref_cross_encoder", PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pairs_are_two_segments(experiment):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_path())
    tok.add_special_tokens({"additional_special_tokens": [MARK_START, MARK_END]})
    a = experiment.side_ids(tok, f"Rebels {MARK_START} seized {MARK_END} the town .")
    b = experiment.side_ids(tok, f"The town {MARK_START} fell {MARK_END} .")
    ids, mask, types = experiment.pair_batch(tok, [(a, b), (b, b[:3])])
    assert ids[0, 0] == tok.cls_token_id and ids[0, len(a) + 1] == tok.sep_token_id
    assert types[0].tolist() == [0] * (len(a) + 2) + [1] * (len(b) + 1)
    assert mask[1].sum() == len(b) + 2 + 3 + 1 and types[1, len(b) + 2 + 4:].sum() == 0


def test_second_stage_rescores_only_the_band(experiment):
    items = [Item(key=k, doc=k, sentence=0, lemma="x") for k in "abcd"]
    gold = {"a": 1, "b": 1, "c": 2, "d": 3}
    edges = [(0, 1, 0.5), (0, 2, 0.5), (1, 2, 0.45), (2, 3, 0.55), (0, 3, 0.99)]
    cross = {("a", "b"): 4.0, ("c", "a"): -4.0, ("b", "c"): -3.0, ("c", "d"): -5.0, ("a", "d"): -9.0}
    out, model, n = experiment.second_stage(items, edges, cross, (0.1, 0.9), gold=gold)
    assert n == 4 and out[4] == edges[4]  # outside the band: kept as it was
    assert out[0][2] > 0.5 > out[1][2]  # the cross-encoder's word decides inside it
    again, _, _ = experiment.second_stage(items, edges, cross, (0.1, 0.9), model=model)
    assert again == out
