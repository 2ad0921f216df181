"""Regenerate the README's and docs/web.md's screenshots of the seed story.

    .venv/bin/python scripts/screenshots.py [--seeds ../shared/seeds] [--out docs/screenshots]

Runs `crosswire run` on the two seed articles into a throw-away store, starts
the desk on it (`crosswire serve`, read-only, on a free local port) and takes
the pages in headless Chromium (Debian's `chromium`, driven by Playwright,
as tests/test_web_browser.py does):

- seed-stories.png: the story list;
- seed-story.png: the story's page (timeline, map, coverage matrix);
- seed-map.png: the story's map alone;
- seed-events.png: the story's events list (`/events?story=`);
- seed-event.png: the planned meeting most articles report, its sentences highlighted in them.

A documentation tool, not a test: it reads the seed articles from the data
root's `seeds/` (or --seeds) and writes only under --out.
"""
from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CROSSWIRE = str(Path(sys.executable).with_name("crosswire"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 900}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_store(seeds: list[Path], db: Path) -> None:
    """The real pipeline on the seed articles, as a user would run it."""
    subprocess.run([CROSSWIRE, "run", *map(str, seeds), "--db", str(db)], check=True, stdout=subprocess.DEVNULL)


def serve(db: Path) -> tuple[subprocess.Popen, str]:
    """`crosswire serve` on the store, read-only; (process, its address) once it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([CROSSWIRE, "serve", "--db", str(db), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(url + "/openapi.json", timeout=1).status_code == 200:
                return server, url
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"crosswire serve did not answer on {url}")


def seed_story(url: str) -> dict:
    """The story holding both seed articles."""
    stories = httpx.get(url + "/api/stories", timeout=30).json()["stories"]
    return max(stories, key=lambda s: s["n_articles"])


def take(url: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    story = seed_story(url)
    planned = httpx.get(url + "/api/events", params={"story": story["id"], "status": "planned"}, timeout=30).json()["events"]
    # the planned meeting most articles report, dated first
    meeting = max((e for e in planned if e["event_type"] == "CONSULT"),
                  key=lambda e: (len({m["article"] for m in e["mentions"]}), e["date"] is not None))
    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_context(viewport=VIEWPORT).new_page()
        for name, path, whole in (("seed-stories.png", "/", True), ("seed-story.png", f"/stories/{story['id']}", True),
                                  ("seed-events.png", f"/events?story={story['id']}", False),
                                  ("seed-event.png", f"/events/{meeting['id']}", True)):
            page.goto(url + path)
            page.screenshot(path=str(out / name), full_page=whole)
            shots.append(out / name)
        page.goto(url + f"/stories/{story['id']}")
        page.locator(".event-map").screenshot(path=str(out / "seed-map.png"))
        shots.append(out / "seed-map.png")
        browser.close()
    return shots


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=None, help="folder of the seed articles (default: <data root>/seeds)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    if args.seeds is None:
        from crosswire.datasets import corpus_path

        args.seeds = corpus_path("seeds")
    seeds = sorted(args.seeds.glob("*.txt"))
    if len(seeds) < 2:
        print(f"{args.seeds}: the two seed articles (*.txt) are not there", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "seeds.duckdb"
        build_store(seeds, db)
        server, url = serve(db)
        try:
            for path in take(url, args.out):
                print(path)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
