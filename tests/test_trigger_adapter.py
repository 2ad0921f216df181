"""The coreference adapter of the trigger vectors (its trainer,
training/coref_trigger_adapter.py, and the ECB+ benchmark's encoder,
coref_models/trigger_encoder.py): what it trains on, and that the merged
encoder gives the vectors the adapter was trained to give. A tiny random
MPNet with all-mpnet-base-v2's tokenizer stands in for the 110M-parameter
model, so the training code runs in seconds."""
import shutil

import numpy as np
import pytest

from crosswire import lora
from crosswire.coref_models.mention_encoder import mark
from crosswire.coref_models.trigger_encoder import TriggerEncoder, layer_of
from crosswire.models import TRIGGER_MODEL, installed
from crosswire.training import coref_trigger_adapter as ta
from crosswire.training.adapters import save_adapter
from crosswire.training.commands import parse_config

import torch  # noqa: E402 (a base dependency: the quotes tagger needs it)
MODEL = installed(TRIGGER_MODEL)
needs_tokenizer = pytest.mark.skipif(MODEL is None, reason="all-mpnet-base-v2 not installed")


def record(topic: str, cluster: str, sentence: str, trigger: str) -> dict:
    start = sentence.index(trigger)
    return {"key": f"{topic}/{cluster}/{start}", "topic": topic, "group": topic, "cluster": cluster,
            "text": mark(sentence, start, start + len(trigger))}


MENTIONS = [
    record("1", "quake", "A strong earthquake struck the coast of Chile on Sunday.", "earthquake"),
    record("1", "quake", "The quake hit Chilean coastal towns early on Sunday.", "quake"),
    record("1", "rescue", "Rescuers pulled survivors from the rubble.", "pulled"),
    record("1", "quake", "The tremor was felt in the capital.", "tremor"),
    record("2", "arrest", "Police arrested two men after the bank robbery in Ohio.", "arrested"),
    record("2", "arrest", "Two suspects were detained on Friday.", "detained"),
    record("2", "robbery", "The robbery happened at noon.", "robbery"),
    record("2", "arrest", "Officers said the arrests followed a chase.", "arrests"),
]


def test_sentence_and_span_undo_the_markers():
    sentence, (start, end) = ta.sentence_and_span(MENTIONS[0])
    assert sentence == "A strong earthquake struck the coast of Chile on Sunday."
    assert sentence[start:end] == "earthquake"


def test_span_weights_average_the_trigger_pieces():
    offsets = [(0, 0), (0, 5), (5, 9), (10, 14), (0, 0)]  # [CLS] "quake" "##s" "here" [SEP]-like
    w = ta.span_weights(offsets, [(0, 9), (30, 35)])
    assert w[0].tolist() == [0.0, 0.5, 0.5, 0.0, 0.0]
    assert w[1].tolist() == pytest.approx([0.0, 1 / 3, 1 / 3, 1 / 3, 0.0])  # no overlap: every real piece


def test_layers_are_read_from_parameter_names():
    assert layer_of("encoder.layer.7.attention.attn.q") == 7
    assert layer_of("embeddings.word_embeddings") == -1


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A random MPNet with nine small layers, saved with the real tokenizer."""
    from transformers import MPNetConfig, MPNetModel

    if MODEL is None:
        pytest.skip("all-mpnet-base-v2 not installed")
    torch.manual_seed(0)
    config = MPNetConfig(vocab_size=30527, hidden_size=32, num_hidden_layers=9, num_attention_heads=4,
                         intermediate_size=64)
    path = tmp_path_factory.mktemp("tiny_mpnet")
    MPNetModel(config).save_pretrained(path)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"):
        shutil.copy(MODEL / name, path / name)
    return str(path)


def training_config(**kw) -> ta.Config:
    base = dict(mentions="unused", out="unused", seed=1, rank=4, alpha=8.0, first_layer=6, lr=1e-2, steps=3,
                batch_size=6)
    return ta.Config(**{**base, **kw})


def test_the_command_line_defaults_are_what_shipped(tmp_path):
    """No options: the configuration the benchmark's adapter and fold adapters were trained with."""
    from crosswire.coref_models import model_file

    cfg = parse_config(ta.Config, ta.__doc__, [str(tmp_path / "m.jsonl"), str(tmp_path / "out")])
    assert cfg == ta.Config(mentions=tmp_path / "m.jsonl", out=tmp_path / "out")
    shipped = lora.read_config(str(model_file("trigger_adapter.safetensors")))
    assert ta.config_of(cfg) == {k: shipped[k] for k in ta.config_of(cfg)}
    assert lora.read_config(str(model_file("trigger_adapter_folds.safetensors")))["folds"] == cfg.folds
    cfg = parse_config(ta.Config, ta.__doc__, ["m", "o", "--only-folds", "0", "3", "--no-final", "--no-cache-lower"])
    assert cfg.only_folds == [0, 3] and not cfg.final and not cfg.cache_lower


@needs_tokenizer
def test_cached_lower_layers_give_the_full_model_vectors(tiny_model):
    from transformers import AutoTokenizer

    model = ta.base_model(tiny_model).eval()
    reader = ta.SpanReader(AutoTokenizer.from_pretrained(tiny_model), MENTIONS)
    full = reader.encode_all(model, "cpu")
    reader.cache_lower(model, 6, "cpu")
    assert len(reader.lower) == len(MENTIONS)
    assert torch.allclose(reader.encode_all(model, "cpu"), full, atol=1e-5)


@needs_tokenizer
def test_the_shipped_encoder_gives_the_trained_vectors(tiny_model, tmp_path):
    from transformers import AutoTokenizer

    reader = ta.SpanReader(AutoTokenizer.from_pretrained(tiny_model), MENTIONS)
    reader.cache_lower(ta.base_model(tiny_model).eval(), 6, "cpu")
    model = ta.train_model(tiny_model, reader, MENTIONS, {"1", "2"}, training_config(), "cpu", log=lambda m: None)
    trained = reader.encode_all(model, "cpu")
    adapted = {n for n, p in model.named_parameters() if p.requires_grad}
    assert adapted and all(layer_of(n) >= 6 for n in adapted if not n.startswith("head"))
    path = str(tmp_path / "adapter.safetensors")
    save_adapter(model, path, ta.config_of(training_config()))

    encoder = TriggerEncoder(tiny_model, adapter=path)
    assert encoder.tuned and not any(isinstance(m, lora._lora_linear()) for m in encoder.model.modules())
    sentences_spans = [ta.sentence_and_span(m) for m in MENTIONS]
    shipped = encoder.spans([s for s, _ in sentences_spans], [span for _, span in sentences_spans])
    assert torch.allclose(torch.tensor(np.array(shipped)), trained, atol=2e-2)  # fp16 adapter, merged
    untuned = TriggerEncoder(tiny_model).spans([s for s, _ in sentences_spans], [span for _, span in sentences_spans])
    assert not torch.allclose(torch.tensor(np.array(untuned)), trained, atol=1e-3)  # training changed the vectors


@needs_tokenizer
def test_fold_adapters_are_written_per_fold_and_loaded_by_prefix(tiny_model, tmp_path):
    out = tmp_path / "out"
    args = [str(tmp_path / "m.jsonl"), str(out), "--base", tiny_model,
            "--folds", "2", "--first-layer", "6", "--cache-lower", "--steps", "2", "--batch-size", "4",
            "--rank", "4", "--no-final"]
    from crosswire.loading import write_jsonl

    write_jsonl(str(tmp_path / "m.jsonl"), MENTIONS)
    assert ta.main(args) == 0
    folds = str(out / "fold_adapters.safetensors")
    assert lora.read_config(folds)["topics"] == ["1", "2"]
    one = TriggerEncoder(tiny_model, adapter=folds, prefix="fold0/")
    two = TriggerEncoder(tiny_model, adapter=folds, prefix="fold1/")
    w_one = one.model.encoder.layer[8].attention.attn.q.weight
    assert not torch.allclose(w_one, two.model.encoder.layer[8].attention.attn.q.weight)
    with pytest.raises(ValueError, match="lacks"):
        TriggerEncoder(tiny_model, adapter=folds, prefix="fold9/")

    from crosswire.evaluate.coref import EvalMention, FoldTriggerEncoders

    refit = FoldTriggerEncoders(tiny_model, folds)
    assert refit.fold_of == {"1": 0, "2": 1}  # each topic read by the model that never saw it
    with pytest.raises(SystemExit, match="no fold adapter for topics"):
        refit.mention_vectors([EvalMention("7_1ecb.xml/3", "7_1ecb.xml", 0, 0)], parsed={})
