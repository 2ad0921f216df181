"""One way to make a training command: its options are the fields of the
model's typed configuration (a dataclass), so the command line, the
defaults and what the trainer reads cannot drift apart.

A field without a default is a positional argument, and so is one whose
`metadata["positional"]` is true (optional then); `bool` fields take
`--name/--no-name`; `Optional[X]` fields default to None; `list[X]` fields
take one or more values; a field's `metadata["help"]` is its help text.
"""
from __future__ import annotations

import argparse
import dataclasses
import types
import typing
from typing import Any, Optional, Sequence, TypeVar

C = TypeVar("C")


def _value_type(hint: Any) -> Any:
    """int, float, str or Path for a field's type hint (Optional unwrapped)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return inner
    return hint


def parser_for(config_cls: type, description: str) -> argparse.ArgumentParser:
    """An argument parser with one option (or positional) per field of `config_cls`."""
    parser = argparse.ArgumentParser(description=description)
    hints = typing.get_type_hints(config_cls)
    for f in dataclasses.fields(config_cls):
        kind = _value_type(hints[f.name])
        help_text = f.metadata.get("help")
        factory = f.default_factory
        if f.default is dataclasses.MISSING and not callable(factory):
            parser.add_argument(f.name, type=kind, help=help_text)
            continue
        default = factory() if callable(factory) else f.default
        if f.metadata.get("positional"):
            parser.add_argument(f.name, nargs="?", type=kind, default=default, help=help_text)
            continue
        flag = "--" + f.name.replace("_", "-")
        if kind is bool:
            parser.add_argument(flag, dest=f.name, action=argparse.BooleanOptionalAction, default=default,
                                help=help_text)
        elif typing.get_origin(kind) is list:
            parser.add_argument(flag, dest=f.name, type=typing.get_args(kind)[0], nargs="+", default=default,
                                help=help_text)
        else:
            parser.add_argument(flag, dest=f.name, type=kind, default=default, help=help_text)
    return parser


def parse_config(config_cls: type[C], doc: Optional[str], argv: Optional[Sequence[str]] = None) -> C:
    """The configuration a command line asks for; the command's description
    is the first paragraph of `doc` (its module's docstring)."""
    description = " ".join((doc or "").strip().split("\n\n")[0].split())
    args = parser_for(config_cls, description).parse_args(argv)
    return config_cls(**vars(args))
