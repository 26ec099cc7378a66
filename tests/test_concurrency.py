"""Concurrency (issue 6): readers work while another process ingests; writers take turns.

`ask`, `search` and `facts` never take the store's writer lock (SQLite WAL and Whoosh's
commit-then-switch let them read a consistent state). A second `exhibit index` (or `doctor`) on the
same store waits for the first, saying so on stderr, and gives up after `--wait` seconds with one
clear line. The lock is an `flock` the kernel drops when its holder dies, so a killed ingest never
leaves a stale lock behind.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, SEED, run_cli

QUESTION = "Mpower Q1 2004 total operating revenues"
ANSWER = 37_153_000


def no_traceback(r: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in r.stderr, r.stderr[-3000:]
    assert "Traceback" not in r.stdout, r.stdout[-3000:]


def start(store: Path, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "EXHIBIT_STORE"}
    return subprocess.Popen(
        [sys.executable, "-m", "qa", "--store", str(store), *args],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def variants(folder: Path, n: int, prefix: str = "Variant") -> Path:
    """n distinct releases (other companies' names, new bytes) made from the seed: a slow ingest."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SEED.read_text(encoding="utf-8", errors="surrogateescape")
    for i in range(n):
        body = text.replace("Mpower Holding Corporation", f"{prefix}{i:03d} Holding Corporation")
        body = body.replace("Mpower", f"{prefix}{i:03d}")
        (folder / f"variant_{i:03d}.txt").write_text(body, encoding="utf-8", errors="surrogateescape")
    return folder


def wait_for_lock_holder(store: Path, pid: int, timeout: float = 30) -> None:
    """Until process `pid` holds the store's writer lock (it writes its pid into the lock file)."""
    lock = store / "ingest.lock"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text().strip() == f"pid {pid}":
            return
        time.sleep(0.02)
    raise AssertionError("the ingest never took the writer lock")


@pytest.fixture
def seeded(tmp_path):
    store = tmp_path / "store"
    r = run_cli("index", "corpus/", store=store)
    assert r.returncode == 0, r.stderr
    return store


def test_ask_search_facts_while_another_process_ingests(seeded, tmp_path):
    store = seeded
    folder = variants(tmp_path / "variants", 40)
    baseline_search = json.loads(
        run_cli("search", "--json", "--company", "Mpower", "SG&A", store=store).stdout
    )
    ingest = start(store, "index", "--quiet", "--jobs", "1", str(folder))  # one process: slow enough
    wait_for_lock_holder(store, ingest.pid)
    overlapped = 0
    from qa.library import Library

    reader = Library(store)  # an in-process reader too (what the TUI does)
    try:
        while ingest.poll() is None:
            a = run_cli("ask", "--json", QUESTION, store=store)
            no_traceback(a)
            got = json.loads(a.stdout)
            assert got["status"] == "answered" and got["answer"]["value"] == ANSWER, got
            s = run_cli("search", "--json", "--company", "Mpower", "SG&A", store=store)
            no_traceback(s)
            assert s.returncode == 0
            top = {k: v for k, v in json.loads(s.stdout)[0].items() if k != "score"}  # idf moves
            assert top == {k: v for k, v in baseline_search[0].items() if k != "score"}
            f = run_cli("facts", "--company", "Mpower", "--metric", "revenue", store=store)
            assert f.returncode == 0 and "37,153" in f.stdout
            inproc = reader.ask(QUESTION)
            assert inproc.status == "answered" and inproc.answer["value"] == ANSWER
            assert reader.search("SG&A", company="Mpower")
            if ingest.poll() is None:
                overlapped += 1
    finally:
        reader.close()
    out, err = ingest.communicate(timeout=300)
    assert ingest.returncode == 0, err
    assert "40 documents ingested" in out
    assert overlapped >= 2, f"only {overlapped} rounds of reads ran during the ingest"
    d = run_cli("doctor", store=store)
    assert d.stdout.startswith("ok"), d.stdout


def test_second_ingest_waits_for_the_first(seeded, tmp_path):
    store = seeded
    first = start(store, "index", "--quiet", "--jobs", "1", str(variants(tmp_path / "a", 25)))
    wait_for_lock_holder(store, first.pid)
    second = start(store, "index", "--quiet", "--wait", "120", str(variants(tmp_path / "b", 2, "Second")))
    out2, err2 = second.communicate(timeout=300)
    out1, err1 = first.communicate(timeout=300)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    with sqlite3.connect(store / "exhibit.db") as c:
        when = dict(c.execute("SELECT path, ingested_at FROM files"))
    firsts = [t for p, t in when.items() if "/a/" in p]
    seconds = [t for p, t in when.items() if "/b/" in p]
    assert len(firsts) == 25 and len(seconds) == 2
    assert min(seconds) > max(firsts), "the second ingest wrote while the first still ran"
    lines = [ln for ln in err2.splitlines() if ln.strip()]
    assert len(lines) == 1, err2
    assert re.match(
        rf"exhibit: another ingest is running on .*\(pid {first.pid}\); waiting up to 120s", lines[0]
    )
    assert "2 documents ingested" in out2 and "25 documents ingested" in out1
    assert run_cli("doctor", store=store).stdout.startswith("ok")


def test_second_writer_gives_up_with_one_clear_line(seeded, tmp_path):
    store = seeded
    # An ingest long enough to outlast both attempts (one process, many releases).
    first = start(store, "index", "--quiet", "--jobs", "1", str(variants(tmp_path / "a", 80)))
    wait_for_lock_holder(store, first.pid)
    try:
        for args in (["index", "--wait", "0.5", "corpus/"], ["doctor", "--wait", "0.5"]):
            assert first.poll() is None, "the first ingest ended before the attempt: make it longer"
            t = time.monotonic()
            r = run_cli(*args, store=store)
            no_traceback(r)
            assert r.returncode == 2, (args, r.stdout, r.stderr)
            assert time.monotonic() - t < 20
            lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
            assert lines[0].startswith("exhibit: another ingest is running"), lines
            assert re.match(
                r"exhibit: store busy: another ingest is running on .* gave up after waiting 0.5s", lines[-1]
            )
            assert len(lines) == 2, lines
    finally:
        out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err


def test_a_killed_ingest_leaves_no_stale_lock(seeded, tmp_path):
    store = seeded
    holder = start(store, "index", "--quiet", "--jobs", "1", str(variants(tmp_path / "a", 25)))
    wait_for_lock_holder(store, holder.pid)
    holder.send_signal(signal.SIGKILL)
    holder.communicate(timeout=30)
    assert (store / "ingest.lock").read_text().strip() == f"pid {holder.pid}"  # the file stays ...
    t = time.monotonic()
    r = run_cli("index", "--wait", "5", str(SEED), store=store)  # ... but the lock went with the process
    no_traceback(r)
    assert r.returncode == 0, r.stderr
    assert "another ingest" not in r.stderr
    assert time.monotonic() - t < 5
    d = run_cli("doctor", store=store)
    assert d.returncode == 0 and "ok: store and index agree" in d.stdout, d.stdout


def test_readers_do_not_wait_for_the_writer_lock(seeded):
    """A process that holds the lock and does nothing must not slow `ask` or `search` down."""
    store = seeded
    hold = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from qa.store import Store; s = Store(sys.argv[1]);\n"
            "with s.writer_lock():\n    print('held', flush=True); time.sleep(60)",
            str(store),
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert hold.stdout.readline().strip() == "held"
        t = time.monotonic()
        a = run_cli("ask", "--json", QUESTION, store=store)
        s = run_cli("search", "SG&A", store=store)
        assert time.monotonic() - t < 10
        assert json.loads(a.stdout)["answer"]["value"] == ANSWER
        assert s.returncode == 0
        busy = run_cli("index", "--wait", "0.2", str(SEED), store=store)
        assert busy.returncode == 2 and "store busy" in busy.stderr
    finally:
        hold.kill()
        hold.wait()
