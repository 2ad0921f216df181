"""Measure the work that hostile input could make crosswire do (issue 27).

    .venv/bin/python bench/hostile.py [--src DIR]

`--src` is the crosswire source tree to measure (default: this checkout's);
to measure the tree before the fix:

    git archive acc2e8a src | tar -x -C /tmp/before
    .venv/bin/python bench/hostile.py --src /tmp/before/src

One line per measurement:

    jsonl: a 64 MB line under a 1 MB limit: peak M MB of Python memory, T s
    glob: loop/**/*.txt with two links back up: N paths in T s (or: still walking after 60 s)
    upload: a 4.2 MB HTML page: POST answered in T s, job done in T s; /api/stats meanwhile: max T s, median T s
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc

HERE = os.path.dirname(os.path.abspath(__file__))
GLOB = """
import sys, time
sys.path.insert(0, sys.argv[1])
from crosswire.ingest import expand_paths
started = time.perf_counter()
found = list(expand_paths(["loop/**/*.txt"]))
print(len(found), round(time.perf_counter() - started, 3))
"""


def jsonl_line(folder: str) -> str:
    from crosswire.config import Settings
    from crosswire.ingest import read_inputs

    limit = 1 << 20
    path = os.path.join(folder, "huge.jsonl")
    with open(path, "wb") as fh:
        fh.write(b'{"text": "' + b"a" * (64 * limit) + b'"}\n' + json.dumps({"text": "x" * 60}).encode() + b"\n")
    tracemalloc.start()
    started = time.perf_counter()
    list(read_inputs([path], Settings(max_file_bytes=limit)))
    seconds, peak = time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return f"jsonl: a 64 MB line under a 1 MB limit: peak {peak / 2**20:.0f} MB of Python memory, {seconds:.2f} s"


def glob_loop(folder: str, src: str) -> str:
    os.makedirs(os.path.join(folder, "loop", "sub"))
    os.makedirs(os.path.join(folder, "loop", "other"))
    os.symlink("..", os.path.join(folder, "loop", "sub", "up"))
    os.symlink("..", os.path.join(folder, "loop", "other", "up"))
    with open(os.path.join(folder, "loop", "sub", "a.txt"), "w") as fh:
        fh.write("x")
    try:
        out = subprocess.run([sys.executable, "-c", GLOB, src], cwd=folder, capture_output=True, text=True,
                             timeout=60).stdout.split()
    except subprocess.TimeoutExpired:
        return "glob: loop/**/*.txt with two links back up: still walking after 60 s"
    return f"glob: loop/**/*.txt with two links back up: {out[0]} paths in {float(out[1]):.2f} s"


def upload(folder: str) -> str:
    import httpx
    import uvicorn

    from crosswire.config import Settings
    from crosswire.web import create_app

    paragraph = ("<p>The minister said the talks would continue next week in the capital, and officials from "
                 "both sides agreed to meet again soon. {}</p>\n")
    html = ("<html><head><title>Big</title></head><body><article>"
            + "".join(paragraph.format(i) for i in range(30_000)) + "</article></body></html>").encode()
    settings = Settings.load(db=os.path.join(folder, "s.duckdb"), use_embeddings=False, progress=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base, token = f"http://127.0.0.1:{port}", {"X-Crosswire-Token": "bench"}
    server = uvicorn.Server(uvicorn.Config(create_app(settings.db, token="bench", settings=settings),
                                           host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    latencies: list[float] = []
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            started = time.perf_counter()
            httpx.get(base + "/api/stats", timeout=300)
            latencies.append(time.perf_counter() - started)
            time.sleep(0.05)

    poller = threading.Thread(target=poll)
    poller.start()
    time.sleep(0.5)
    started = time.perf_counter()
    posted = httpx.post(base + "/api/articles", headers=token, timeout=300,
                        files=[("files", ("big.html", html, "text/html"))])
    answered = time.perf_counter() - started
    while httpx.get(base + posted.json()["status_url"], headers=token).json()["status"] not in ("done", "failed"):
        time.sleep(0.1)
    finished = time.perf_counter() - started
    done.set()
    poller.join()
    server.should_exit = True
    latencies.sort()
    return (f"upload: a {len(html) / 2**20:.1f} MB HTML page: POST answered in {answered:.2f} s, job done in "
            f"{finished:.2f} s; /api/stats meanwhile: max {latencies[-1]:.2f} s, "
            f"median {latencies[len(latencies) // 2]:.3f} s ({len(latencies)} requests)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", default=os.path.join(HERE, "..", "src"), help="crosswire source tree to measure")
    args = parser.parse_args()
    src = os.path.abspath(args.src)
    sys.path.insert(0, src)
    import crosswire

    print(f"crosswire from {os.path.dirname(crosswire.__file__)}")
    with tempfile.TemporaryDirectory() as folder:
        print(jsonl_line(folder), flush=True)
        print(glob_loop(folder, src), flush=True)
        print(upload(folder), flush=True)


if __name__ == "__main__":
    main()
