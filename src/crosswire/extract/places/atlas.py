"""Country outlines from Natural Earth (the npm package `world-atlas` 2.0.2,
ISC licence, Natural Earth data in the public domain), installed at setup.

Why npm: it is the maintained TopoJSON edition of Natural Earth's admin-0
boundaries (1:110m for drawing, 1:50m for country centres), and the desk
must draw maps without a tile server or a CDN. `scripts/setup.sh` runs
`python -m crosswire.extract.places atlas install`, which fetches the pinned
tarball with `npm pack`, checks its SHA-512 against the registry's integrity
value and keeps the two files under <environment>/share/crosswire/atlas.
Without them everything runs: maps draw their points on a bare graticule
and the gazetteer takes country centres from countryinfo.

`outlines(scale)` decodes the TopoJSON once per process into rings of
(lon, lat); `centres()` gives each country whose largest polygon is most of
its area (the contiguous US, mainland France; not Indonesia) that polygon's
area centroid, near where gazetteers put a country's point.
"""
from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Optional, Sequence

from ...loading import load_once

PACKAGE = "world-atlas@2.0.2"
INTEGRITY = "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ=="
FILES = ("countries-110m.json", "countries-50m.json", "LICENSE")

Ring = list[tuple[float, float]]


def atlas_dir() -> Path:
    return Path(sys.prefix) / "share" / "crosswire" / "atlas"


def installed() -> bool:
    return all((atlas_dir() / f).exists() for f in FILES)


def fingerprint() -> Optional[str]:
    """SHA-256 (16 hex digits) of the installed outlines, None when not installed."""
    if not installed():
        return None
    digest = hashlib.sha256()
    for name in FILES:
        digest.update(name.encode() + b"\0" + (atlas_dir() / name).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def install(target: Optional[Path] = None) -> Path:
    """Fetch the pinned package with npm, check it, keep its files."""
    target = target or atlas_dir()
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed (Debian package npm): maps will draw without country outlines")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([npm, "pack", PACKAGE, "--silent", "--pack-destination", tmp], check=True,
                       stdout=subprocess.DEVNULL, cwd=tmp, timeout=300)
        tgz = next(Path(tmp).glob("world-atlas-*.tgz"))
        digest = "sha512-" + base64.b64encode(hashlib.sha512(tgz.read_bytes()).digest()).decode("ascii")
        if digest != INTEGRITY:
            raise RuntimeError(f"{tgz.name}: SHA-512 {digest} is not the pinned {INTEGRITY}")
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tgz) as archive:
            for name in FILES:
                member = archive.extractfile(f"package/{name}")
                if member is None:
                    raise RuntimeError(f"{tgz.name} has no package/{name}")
                (target / name).write_bytes(member.read())
    return target


# -------------------------------------------------------------------- decode
@load_once
def outlines(scale: str = "110m") -> dict[str, list[list[Ring]]]:
    """ISO 3166 numeric id -> polygons (outer ring first, then holes) of
    (lon, lat) points; {} when the atlas is not installed."""
    path = atlas_dir() / f"countries-{scale}.json"
    if not path.exists():
        return {}
    topo = json.loads(path.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topo)
    out: dict[str, list[list[Ring]]] = {}
    for geom in topo["objects"]["countries"]["geometries"]:
        if "id" not in geom:
            continue
        polygons = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]] if geom["type"] == "Polygon" else []
        out.setdefault(str(geom["id"]), []).extend([[_ring(r, arcs) for r in poly] for poly in polygons])
    return out


def _decode_arcs(topo: dict) -> list[Ring]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((round(x * sx + tx, 4), round(y * sy + ty, 4)))
        arcs.append(points)
    return arcs


def _ring(indexes: Sequence[int], arcs: list[Ring]) -> Ring:
    ring: Ring = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(arc if not ring else arc[1:])
    return ring


# ------------------------------------------------------------------- centres
def _area_centroid(ring: Ring) -> tuple[float, float, float]:
    """(area, lat, lon) of a ring, planar in degrees with longitudes shrunk by cos(lat)."""
    import math

    if max(p[0] for p in ring) - min(p[0] for p in ring) > 180:  # cut at the antimeridian (Russia, Fiji)
        ring = [(x + 360 if x < 0 else x, y) for x, y in ring]
    a = cx = cy = 0.0
    mean_lat = sum(p[1] for p in ring) / len(ring)
    k = math.cos(math.radians(mean_lat))
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-12:
        return 0.0, mean_lat, sum(p[0] for p in ring) / len(ring)
    lon = cx / (3 * a)
    return abs(a) / 2 * k, cy / (3 * a), lon - 360 if lon > 180 else lon


MAIN_POLYGON_SHARE = 0.5  # an archipelago's largest island does not stand for it


def centres() -> dict[str, tuple[float, float]]:
    """ISO 3166 numeric id -> (lat, lon) of the centroid of its largest
    polygon, for countries whose largest polygon is most of their area."""
    out = {}
    for iso_numeric, polygons in outlines("50m").items():
        parts = [_area_centroid(poly[0]) for poly in polygons if len(poly[0]) > 2]
        best = max(parts, default=None)
        if best is not None and best[0] > 0 and best[0] >= MAIN_POLYGON_SHARE * sum(p[0] for p in parts):
            out[iso_numeric] = (round(best[1], 4), round(best[2], 4))
    return out
