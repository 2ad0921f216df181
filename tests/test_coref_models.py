"""Where the ECB+ benchmark's models are found (crosswire.coref_models): the
repository's bench/models/coref/, not the wheel's package data; a missing
file is an error that names it and says where to get it, raised before the
corpus is read."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crosswire import coref_models
from crosswire.cli import main
from crosswire.config import DATA_DIR
from crosswire.evaluate import coref
from crosswire.evaluate.coref import trigger_lexicon
from crosswire.evaluate.coreferability import load_lemma_rates

REPO = Path(__file__).resolve().parents[1]


def test_the_checkout_holds_the_models_and_the_package_data_does_not():
    assert coref_models.models_dir() == REPO / "bench" / "models" / "coref"
    for name in ("mention_encoder.safetensors", "trigger_adapter.safetensors", "trigger_adapter_folds.safetensors",
                 "train_oof_pair_logits.jsonl.gz", "lemma_rates.json", "trigger_lexicon.json", "trigger_probe.json",
                 "LICENSES.md"):
        assert coref_models.model_file(name).stat().st_size > 0
    assert not (DATA_DIR / "coref").exists()  # what the wheel carries (package data) holds none of them


def test_the_setting_names_another_folder(tmp_path, monkeypatch):
    (tmp_path / "lemma_rates.json").write_text('{"counts": {"quake": {"1": [3, 4]}}}\n', encoding="utf-8")
    monkeypatch.setenv("CROSSWIRE_COREF_MODELS", str(tmp_path))
    assert coref_models.model_file("lemma_rates.json") == tmp_path / "lemma_rates.json"
    assert load_lemma_rates().counts == {"quake": {"1": [3, 4]}}


def test_a_missing_file_names_itself_and_where_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("CROSSWIRE_COREF_MODELS", str(tmp_path))
    with pytest.raises(coref_models.MissingModelFile) as err:
        load_lemma_rates()
    message = str(err.value)
    assert message.startswith(f"{tmp_path / 'lemma_rates.json'} not found")
    assert "bench/models/coref/ of a crosswire repository checkout" in message and "CROSSWIRE_COREF_MODELS" in message
    # the predicted-mention lexicon has its fallbacks: the train folder beside the split, then verbs
    assert trigger_lexicon(str(tmp_path / "no-train")) == (None, "verbs")


def test_an_installed_wheel_outside_a_checkout_is_told_where_the_models_are(tmp_path, monkeypatch):
    """As from a wheel in site-packages, run outside a checkout: neither the
    package's folders nor the working directory's lead to bench/models/coref."""
    monkeypatch.delenv("CROSSWIRE_COREF_MODELS", raising=False)
    monkeypatch.setattr(coref_models, "PACKAGE_DIR", tmp_path / "site-packages" / "crosswire")
    monkeypatch.chdir(tmp_path)
    assert coref_models.models_dir() is None
    result = CliRunner().invoke(main, ["eval", "coref", str(tmp_path / "no-corpus-here"), "--json"])
    assert result.exit_code == 1
    assert "bench/models/coref/mention_encoder.safetensors not found" in result.output  # before the corpus is read
    assert "pip install -e ." in result.output
    # without the encoder (--no-encoder, --lemma-baseline) nothing of the folder is needed: the run
    # goes on to the corpus
    for opts in ({"no_encoder": True}, {"lemma_baseline": True}):
        with pytest.raises(FileNotFoundError) as err:
            coref.run(str(tmp_path / "no-corpus-here"), opts)
        assert not isinstance(err.value, coref_models.MissingModelFile) and "no-corpus-here" in str(err.value)
