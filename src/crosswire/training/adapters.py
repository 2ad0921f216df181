"""What every LoRA trainer shares (crosswire.lora has what applies an
adapter): the optimiser step and writing an adapter with its configuration.
Used by the quotes tagger's trainer (quotes_tagger.py) and the ECB+
benchmark's two (coref_mention_encoder.py, coref_trigger_adapter.py). Only
torch and safetensors are imported, lazily.
"""
from __future__ import annotations

import json
from typing import Callable

from ..lora import trainable_state


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


def save_adapter(model, path: str, config: dict) -> None:
    """The trainable weights in fp16 at `path`, `config` beside it (.json)."""
    from safetensors.torch import save_file

    save_file({k: v.half().contiguous() for k, v in trainable_state(model).items()}, path)
    write_config(path, config)


def write_config(adapter_path: str, config: dict) -> None:
    """`config` beside the adapter file (`<adapter_path>.json`), as lora.read_config reads it."""
    with open(adapter_path + ".json", "w", encoding="utf-8") as fh:
        json.dump(config, fh, indent=1)
