"""The contextual attribution tagger (extract/quotes/tagger.py) with the
shipped adapter and the bundled MiniLM; real spaCy, small inputs."""
from __future__ import annotations

import logging

import pytest

from crosswire.annotate import load_nlp
from crosswire.extract.quotes import spans, tagger
from crosswire.resolve.embed import model_path


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


@pytest.fixture(scope="module")
def shipped():
    # the tagger is on by default: its base model and adapter are part of every install
    assert model_path() is not None and tagger.ADAPTER_PATH.exists()
    model = tagger.load_tagger(str(tagger.ADAPTER_PATH))
    assert model is not None
    return model


def test_window_cores_tile_the_pieces():
    for n in (1, 50, tagger.WINDOW, tagger.WINDOW + 1, 700):
        starts = tagger.window_starts(n)
        covered = []
        for k, s in enumerate(starts):
            a, e = tagger._core(s, n, k == 0, k == len(starts) - 1)
            assert s <= a and e <= s + tagger.WINDOW
            covered.extend(range(a, e))
        assert covered == list(range(n))


def test_cue_of_said_scores_above_other_words(nlp, shipped):
    doc = nlp("The senator said that the new tax plan would hurt small farmers.")
    logits = shipped.token_logits(doc)
    assert len(logits) == len(doc)
    said = next(t.i for t in doc if t.text == "said")
    for other in ("senator", "plan", "hurt", "farmers"):
        k = next(t.i for t in doc if t.text == other)
        assert logits[said][spans.CUE_HEAD] > logits[k][spans.CUE_HEAD] + 2.0
    farmers = next(t.i for t in doc if t.text == "farmers")
    senator = next(t.i for t in doc if t.text == "senator")
    assert logits[farmers][spans.TAG_INDEX["content"]] > 0 > logits[farmers][spans.TAG_INDEX["source"]]
    assert logits[senator][spans.TAG_INDEX["source"]] > 0


def test_long_article_is_windowed(nlp, shipped):
    text = "\n\n".join(f"Officials in district {k} said the bridge would reopen in the spring." for k in range(40))
    doc = nlp(text)
    logits = shipped.token_logits(doc)
    saids = [logits[t.i][spans.CUE_HEAD] for t in doc if t.text == "said"]
    assert len(saids) == 40 and min(saids) > 0


def test_hybrid_spans_on_a_plain_report(nlp, shipped):
    doc = nlp("The senator said that the new tax plan would hurt small farmers.")
    (att,) = spans.attribution_spans(doc)
    assert [doc.text[a:b] for a, b in att.source] == ["The senator"]
    assert [doc.text[a:b] for a, b in att.content] == ["that the new tax plan would hurt small farmers"]


def test_missing_adapter_falls_back_to_the_linear_path(nlp, monkeypatch, tmp_path, caplog):
    doc = nlp('"We will not accept these terms," Maria Lopez said on Friday.')
    linear = [(a.source, a.cue, a.content) for a in spans.attribution_spans(doc, use_tagger=False)]
    monkeypatch.setattr(tagger, "ADAPTER_PATH", tmp_path / "absent.safetensors")
    with caplog.at_level(logging.WARNING, logger=tagger.__name__):
        got = [(a.source, a.cue, a.content) for a in spans.attribution_spans(doc)]
    assert got == linear and linear
    assert "linear spans only" in caplog.text


def test_the_running_tagger_gives_the_trained_log_odds(nlp, shipped):
    """The merged torch model gives the log-odds of the trained LoRA model
    (adapters beside the frozen layers) to float rounding. The graph that
    runs in ONNX Runtime has int8 dense layers (`quantize_dense_layers`):
    close to them, and on the same side of zero."""
    import numpy as np
    import torch

    from crosswire import lora
    from crosswire.resolve.embed import model_path as base_path

    doc = nlp('"We will not accept these terms," Maria Lopez told reporters on Friday.\n\n'
              "The ministry said talks would resume next week.")
    config = lora.read_config(str(tagger.ADAPTER_PATH))
    trained, tok = tagger.build_model(base_path(), config["rank"], config["alpha"], config["first_layer"])
    lora.load_adapter(trained, str(tagger.ADAPTER_PATH))
    ids, _ = tagger.pieces(tok, doc.text)
    rows = lora.batch_tensors([[tok.cls_token_id] + ids + [tok.sep_token_id]], tok.pad_token_id)
    with torch.inference_mode():
        expected = trained(*rows)[0, 1:-1].numpy()
    merged = tagger.merged_model(base_path(), str(tagger.ADAPTER_PATH))
    with torch.inference_mode():
        hidden, logits = merged.read(*rows)
    assert np.abs(logits[0, 1:-1].numpy() - expected).max() < 1e-3
    got = shipped.encode([doc])[0]
    off = np.abs(got.logits - expected)
    assert off.mean() < 0.25 and off.max() < 1.5
    assert ((got.logits > 0) == (expected > 0)).mean() > 0.98
    assert np.abs(got.hidden - hidden[0, 1:-1].numpy()).mean() < 0.1


def test_articles_read_together_match_articles_read_alone(nlp, shipped):
    """Windows batched across articles (with padding) change nothing, and the
    pass exposes what another stage would read: a hidden row per piece."""
    import numpy as np

    texts = ["The senator said that the new tax plan would hurt small farmers.",
             "\n\n".join(f"Officials in district {k} said the bridge would reopen in the spring." for k in range(20)),
             "Nothing was said."]
    docs = [nlp(t) for t in texts]
    together = shipped.encode(docs)
    for doc, enc in zip(docs, together):
        alone = shipped.encode([doc])[0]
        assert len(enc.token_logits) == len(doc)
        assert enc.hidden.shape == (len(enc.spans), shipped.hidden_size) and enc.logits.shape == (len(enc.spans), 4)
        assert np.abs(np.array(enc.token_logits) - np.array(alone.token_logits)).max() < 1e-4
        assert np.abs(enc.hidden - alone.hidden).max() < 1e-4


def test_onnx_graph_is_kept_where_setup_exports_it(shipped, tmp_path, monkeypatch):
    """onnx_reader exports the graph once (a digest of adapter and base in
    its name) and reads it back; the run's tagger uses it."""
    from crosswire.resolve.embed import model_path as base_path

    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    monkeypatch.setenv("CROSSWIRE_MODELS_DIR", str(tmp_path))
    path = tagger.onnx_file(base_path(), str(tagger.ADAPTER_PATH))
    assert path.parent.parent == tmp_path and not path.exists()
    reader = tagger.onnx_reader(base_path(), str(tagger.ADAPTER_PATH))
    assert isinstance(reader, tagger.OnnxReader) and path.exists()
    assert not list(path.parent.glob("*.partial"))
    assert isinstance(shipped.model, tagger.OnnxReader)
