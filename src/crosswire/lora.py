"""Low-rank adapters (LoRA) on a transformer base, shared by the trained
models built on one: the quotes tagger (extract/quotes/tagger.py) and the
ECB+ benchmark's mention encoder and trigger adapter (crosswire.coref_models).

Why hand-written and not `peft`: a few lines, no further dependency, and
the shipped files stay plain safetensors of the adapter and head weights.
This is what loading and applying an adapter needs (the base's loading in
fp32 too); writing one, and the optimiser step every trainer shares, are the
training layer's (crosswire/training/adapters.py). Only torch, transformers
(the base) and safetensors (files) are imported, lazily.
"""
from __future__ import annotations

import functools
import json
import math
from typing import Callable, Sequence

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


def trainable_state(model) -> dict:
    """The parameters that differ from the base model (what ships)."""
    return {n: p.detach().cpu() for n, p in model.named_parameters() if p.requires_grad}


def read_config(adapter_path: str) -> dict:
    with open(adapter_path + ".json", encoding="utf-8") as fh:
        return json.load(fh)


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
