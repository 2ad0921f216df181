"""The docs stay true: every record field is documented in docs/schema.md and
docs/cli.md matches the CLI's own help."""
from __future__ import annotations

import dataclasses
import importlib.util
import re
from pathlib import Path

from crosswire import records

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _record_classes():
    return [obj for obj in vars(records).values()
            if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == records.__name__]


def test_every_record_field_is_documented():
    text = (DOCS / "schema.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_][a-z0-9_]*)`", text))
    missing = [f"{cls.__name__}.{f.name}" for cls in _record_classes() for f in dataclasses.fields(cls)
               if f.name not in documented]
    assert not missing, f"fields missing from docs/schema.md: {missing}"


def test_cli_reference_is_current():
    path = Path(__file__).resolve().parents[1] / "scripts" / "gen_cli_doc.py"
    spec = importlib.util.spec_from_file_location("gen_cli_doc", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (DOCS / "cli.md").read_text(encoding="utf-8").strip() == module.render().strip(), \
        "docs/cli.md is stale: run .venv/bin/python scripts/gen_cli_doc.py > docs/cli.md"
