"""Maps on the desk: events as points over Natural Earth country outlines,
drawn as inline SVG on the server.

Why SVG from the server: the desk runs under a strict Content-Security-Policy
(no inline scripts, nothing from another origin), and a map needs neither a
tile server nor a script: the outlines (`extract.places.atlas`, 1:110m) are
projected once per process (equirectangular: x = longitude, y = -latitude,
so the SVG's user units are degrees) and each page only adds its points and
a viewBox around them. Points link to their events; planned and occurred
events are drawn apart, as on the timeline.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

from ..loading import load_once

WORLD = (-180.0, -90.0, 180.0, 90.0)  # west, south, east, north
MIN_SPAN = 24.0  # degrees of longitude shown at least around a story's points
ASPECT = 2.0  # width / height of the map frame


@load_once
def outline_paths() -> tuple[str, ...]:
    """One SVG path per country of the 1:110m atlas (empty when it is not installed)."""
    from ..extract.places.atlas import outlines

    paths = []
    for polygons in outlines("110m").values():
        d = " ".join("M" + "L".join(f"{lon:.2f},{-lat:.2f}" for lon, lat in ring) + "Z"
                     for polygon in polygons for ring in polygon if len(ring) > 2)
        if d:
            paths.append(d)
    return tuple(paths)


def _frame(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """(x, y, width, height) of a viewBox around the points, padded, kept at ASPECT."""
    if not points:
        west, south, east, north = WORLD
        return west, -north, east - west, north - south
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    width = max(max(lons) - min(lons), MIN_SPAN) * 1.25
    height = max(max(lats) - min(lats), MIN_SPAN / ASPECT) * 1.25
    width, height = max(width, height * ASPECT), max(height, width / ASPECT)
    width, height = min(width, 360.0), min(height, 180.0)
    cx = (max(lons) + min(lons)) / 2
    cy = min(max((max(lats) + min(lats)) / 2, -90 + height / 2), 90 - height / 2)
    return round(cx - width / 2, 3), round(-cy - height / 2, 3), round(width, 3), round(height, 3)


def event_map(summaries: Iterable[dict[str, Any]], world: bool = False) -> dict[str, Any]:
    """The view model of a map of event summaries (`views.event_summary`):
    points of the events whose place has a coordinate, a viewBox around them
    (the whole world with `world`), the outlines, and how many were left out."""
    summaries = list(summaries)
    points = []
    for e in summaries:
        place: Optional[dict] = e.get("location")
        if not place or place.get("lat") is None or place.get("lon") is None:
            continue
        points.append({"id": e["id"], "x": round(place["lon"], 3), "y": round(-place["lat"], 3),
                       "status": e["status"], "title": f"{e['title']} — {place['name']} ({e['date'] or 'undated'})",
                       "place": place["name"], "basis": place.get("basis")})
    frame = _frame([] if world else [(p["x"], -p["y"]) for p in points])
    radius = round(max(frame[2] / 160, 0.25), 3)
    return {"view_box": " ".join(f"{v:g}" for v in frame), "radius": radius, "outlines": outline_paths(),
            "points": points, "counts": _counts(points, radius), "unplaced": len(summaries) - len(points),
            "frame": frame}


def _counts(points: list[dict[str, Any]], radius: float) -> list[dict[str, Any]]:
    """A label with the number of events at each place that has several
    (their circles lie on top of one another)."""
    at: dict[tuple[float, float], int] = {}
    for p in points:
        at[(p["x"], p["y"])] = at.get((p["x"], p["y"]), 0) + 1
    return [{"x": round(x + radius * 1.2, 3), "y": round(y - radius * 0.9, 3), "n": n,
             "size": round(radius * 2.6, 3)} for (x, y), n in sorted(at.items()) if n > 1]
