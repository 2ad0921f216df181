"""Low-rank adapters (LoRA) on the bundled MiniLM, shared by the trained
models built on it (resolve/mention_encoder.py, extract/quotes/tagger.py).

Why hand-written and not `peft`: a few lines, no further dependency, and
the shipped files stay plain safetensors of the adapter and head weights.
The base's loading (fp32) and the optimiser step are here too, so each
model trains the same way. Only torch, transformers (the base) and
safetensors (files) are imported, lazily.
"""
from __future__ import annotations

import functools
import json
import math
from typing import Callable, Optional, Sequence

LORA_TARGETS = ("query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense")


@functools.lru_cache(maxsize=1)
def _lora_linear():
    import torch
    from torch import nn

    class LoRALinear(nn.Module):
        """A frozen linear layer plus a trainable rank-`rank` update."""

        def __init__(self, base: nn.Linear, rank: int, alpha: float) -> None:
            super().__init__()
            self.base = base
            self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
            self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
            nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
            self.scale = alpha / rank

        def forward(self, x):
            return self.base(x) + (x @ self.lora_a.t() @ self.lora_b.t()) * self.scale

    return LoRALinear


def add_lora(bert, rank: int, alpha: float, adapted: Callable[[str], bool],
             targets: Sequence[str] = LORA_TARGETS) -> None:
    """Freeze every parameter of `bert`, then wrap each linear layer whose
    dotted name ends with one of `targets` (BERT's names by default) and which
    `adapted(name)` accepts in a LoRA layer."""
    from torch import nn

    lora_linear = _lora_linear()
    for p in bert.parameters():
        p.requires_grad = False
    for name, module in list(bert.named_modules()):
        for child_name, child in list(module.named_children()):
            full = f"{name}.{child_name}" if name else child_name
            if isinstance(child, nn.Linear) and adapted(full) and full.endswith(tuple(targets)):
                setattr(module, child_name, lora_linear(child, rank, alpha))


def merge_lora(model) -> None:
    """Fold every LoRA layer of `model` into its base linear layer and put the
    plain layer back: the same outputs at the base model's inference cost."""
    import torch

    lora_linear = _lora_linear()
    with torch.no_grad():
        for module in list(model.modules()):
            for child_name, child in list(module.named_children()):
                if isinstance(child, lora_linear):
                    child.base.weight += (child.lora_b @ child.lora_a) * child.scale
                    setattr(module, child_name, child.base)


def load_base(base_path: str, **config):
    """The base transformer in fp32 whatever its checkpoint's dtype: LoRA
    layers train in fp32, and an fp16 copy of the base (small enough to carry
    to a GPU machine) would otherwise load as fp16 and fail or train to NaN.
    `config`: overrides of the base's configuration (num_hidden_layers=...)."""
    from transformers import AutoModel

    return AutoModel.from_pretrained(base_path, **config).float()


def optimizer_steps(model, lr: float, steps: int) -> Callable:
    """A function that takes one optimiser step on a loss: AdamW over the
    trainable parameters, the head's at three times `lr`, with a linear
    warm-up over the first 5% of `steps` and a linear decay to 0."""
    import torch

    head = [p for n, p in model.named_parameters() if p.requires_grad and n.startswith("head")]
    rest = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head")]
    opt = torch.optim.AdamW([{"params": rest, "lr": lr}, {"params": head, "lr": lr * 3}], weight_decay=0.01)
    warm = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))

    def step_on(loss) -> None:
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()

    return step_on


def training_parser(prog: str, doc: str, help: str, others: Optional[dict[str, str]] = None):
    """(parser, its `train` subcommand's parser) for a model's training
    command, described by the first line of its module's `doc`; `others`:
    more subcommands without options ({name: help})."""
    import argparse

    parser = argparse.ArgumentParser(prog=prog, description=doc.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help=help)
    for name, text in (others or {}).items():
        sub.add_parser(name, help=text)
    return parser, train


def add_training_options(parser, *, batch_size: int, lr: float, batch_help: Optional[str] = None) -> None:
    """The options every LoRA training command shares: --batch-size, --lr,
    --rank, --alpha and --seed (rank 8, alpha 16 and seed 13 by default)."""
    parser.add_argument("--batch-size", type=int, default=batch_size, help=batch_help)
    parser.add_argument("--lr", type=float, default=lr)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--alpha", type=float, default=16.0)
    parser.add_argument("--seed", type=int, default=13)


def trainable_state(model) -> dict:
    """The parameters that differ from the base model (what ships)."""
    return {n: p.detach().cpu() for n, p in model.named_parameters() if p.requires_grad}


def read_config(adapter_path: str) -> dict:
    with open(adapter_path + ".json", encoding="utf-8") as fh:
        return json.load(fh)


def save_adapter(model, path: str, config: dict) -> None:
    """The trainable weights in fp16 at `path`, `config` beside it (.json)."""
    from safetensors.torch import save_file

    save_file({k: v.half().contiguous() for k, v in trainable_state(model).items()}, path)
    write_config(path, config)


def write_config(adapter_path: str, config: dict) -> None:
    """`config` beside the adapter file (`<adapter_path>.json`), as read_config reads it."""
    with open(adapter_path + ".json", "w", encoding="utf-8") as fh:
        json.dump(config, fh, indent=1)


def load_adapter(model, adapter_path: str, prefix: str = "") -> None:
    """Load shipped weights into `model` (built with the same config) and set
    it to evaluation; a file lacking any trainable parameter is an error.
    `prefix`: read only the keys under it (one model of a file holding
    several), without the prefix."""
    from safetensors.torch import load_file

    state = {k[len(prefix):]: v.float() for k, v in load_file(adapter_path).items() if k.startswith(prefix)}
    missing = set(trainable_state(model)) - set(state)
    if missing:
        raise ValueError(f"{adapter_path}: the adapter lacks {sorted(missing)[:3]}")
    model.load_state_dict(state, strict=False)
    model.eval()


def batch_tensors(rows: Sequence[list[int]], pad: int, device: str = "cpu"):
    """Padded (input_ids, attention_mask)."""
    import torch

    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for k, r in enumerate(rows):
        ids[k, :len(r)] = torch.tensor(r)
        mask[k, :len(r)] = 1
    return ids.to(device), mask.to(device)
