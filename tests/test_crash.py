"""Crash safety (issue 6): `exhibit index` killed with SIGKILL at random moments, many times.

After every kill the store opens and passes SQLite's integrity check; every document is whole
(its segments and facts are exactly those of one version of its file, as a clean ingest of that
version stores them); each file holds exactly one version; `exhibit doctor` reports and repairs any
difference between SQLite and the Whoosh index (or the next ingest repairs it by itself); and a
final ingest completes with the store equal to the files on disk. `doctor` also rebuilds an index
that was deleted or damaged on purpose.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, run_cli

SMALL_RELEASES = [
    "mpower_2004q1_ex991.txt",
    "asfi_fy2004q1_8k-fullsubmission.txt",
    "asfi_fy2004q2_8k-fullsubmission.txt",
    "asfi_fy2004q3_8k-fullsubmission.txt",
    "psem_fy2004q1_8k-fullsubmission.txt",
    "psem_fy2007q1_8k-fullsubmission.txt",
    "psem_fy2007q3_8k-fullsubmission.txt",
    "psem_fy2003q4_8k-fullsubmission.txt",
    "hrzb_fy2007q1_8k-fullsubmission.txt",
    "hrzb_fy2006q3_8k-fullsubmission.txt",
]
KILLS = 15
BUDGET_SECONDS = 60.0


def no_traceback(r: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in r.stderr, r.stderr[-3000:]
    assert "Traceback" not in r.stdout, r.stdout[-3000:]


def version_b(raw: bytes) -> bytes:
    """A second version of a release: same text plus a closing note (new bytes, new doc_id)."""
    return raw + b"\n\nThis release was amended to correct a typographical error in a footnote.\n"


def reference(files: dict[str, bytes], root: Path) -> dict[str, tuple[str, int, int]]:
    """doc_id -> (file name, segments, facts) as a clean, uninterrupted ingest stores them."""
    from qa.library import Library

    folder = root / "files"
    folder.mkdir(parents=True)
    for name, raw in files.items():
        (folder / name).write_bytes(raw)
    lib = Library(root / "store")
    try:
        rep = lib.ingest([folder])
        assert not rep.rejected, rep.rejected
        c = lib.store.conn
        out = {}
        for doc_id, path in c.execute("SELECT doc_id, path FROM documents"):
            segs = c.execute("SELECT count(*) FROM segments WHERE doc_id=?", (doc_id,)).fetchone()[0]
            facts = c.execute("SELECT count(*) FROM facts WHERE doc_id=?", (doc_id,)).fetchone()[0]
            out[doc_id] = (Path(path).name, segs, facts)
        return out
    finally:
        lib.close()


def check_store(store: Path, ref: dict[str, tuple[str, int, int]], by_version: dict[str, list[set[str]]]):
    """The store after a kill: opens, intact, every document whole, every file one whole version."""
    from qa.store import Store

    s = Store(store)  # opens (and recovers the WAL) without error
    try:
        c = s.conn
        assert [r[0] for r in c.execute("PRAGMA integrity_check")] == ["ok"]
        assert c.execute("PRAGMA foreign_key_check").fetchone() is None
        per_file: dict[str, set[str]] = {}
        for doc_id, path in c.execute("SELECT doc_id, path FROM documents"):
            assert doc_id in ref, f"{doc_id} is no version of any file"
            name, segs, facts = ref[doc_id]
            got_segs = c.execute("SELECT count(*) FROM segments WHERE doc_id=?", (doc_id,)).fetchone()[0]
            got_facts = c.execute("SELECT count(*) FROM facts WHERE doc_id=?", (doc_id,)).fetchone()[0]
            assert got_segs > 0, f"{doc_id} has no segments"
            assert (got_segs, got_facts) == (segs, facts), (doc_id, got_segs, got_facts, segs, facts)
            per_file.setdefault(Path(path).name, set()).add(doc_id)
            assert c.execute(
                "SELECT 1 FROM sources WHERE sha256=(SELECT sha256 FROM documents WHERE doc_id=?)", (doc_id,)
            ).fetchone()
        for name, ids in per_file.items():
            assert ids in by_version[name], f"{name} holds a mix of versions: {ids}"
        for (path,) in c.execute("SELECT path FROM files"):
            assert c.execute("SELECT 1 FROM documents WHERE path=?", (path,)).fetchone(), path
    finally:
        s.close()


def check_index_agrees(store: Path) -> None:
    """SQLite and the index hold the same documents with the same number of segments each."""
    from qa.library import Library

    lib = Library(store)
    try:
        st = lib.index_status(thorough=True)
        assert st.ok, (st.unreadable, st.missing, st.extra, st.pending, st.store_segments, st.index_segments)
        for doc_id, n in lib.store.segment_counts().items():
            assert lib.index.count(doc_id) == n, doc_id
    finally:
        lib.close()


def _pending(store: Path) -> set[str]:
    with sqlite3.connect(store / "exhibit.db") as c:
        return {r[0] for r in c.execute("SELECT doc_id FROM index_pending")}


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def test_sigkill_at_random_moments(tmp_path, shared_corpus):
    names = [n for n in SMALL_RELEASES if (shared_corpus / n).is_file()]
    if len(names) < 4:
        pytest.skip("too few small releases in the shared corpus")
    started = time.monotonic()
    versions = {n: [(shared_corpus / n).read_bytes()] for n in names}
    for n in names:
        versions[n].append(version_b(versions[n][0]))
    ref_a = reference({n: v[0] for n, v in versions.items()}, tmp_path / "ref_a")
    ref_b = reference({n: v[1] for n, v in versions.items()}, tmp_path / "ref_b")
    ref = {**ref_a, **ref_b}
    by_version = {
        n: [{d for d, r in ref_a.items() if r[0] == n}, {d for d, r in ref_b.items() if r[0] == n}]
        for n in names
    }

    work = tmp_path / "work"
    work.mkdir()
    store = tmp_path / "store"
    rng = random.Random(int(os.environ.get("EXHIBIT_CRASH_SEED", "20240601")))
    current = {n: 0 for n in names}

    def place() -> None:
        for n in names:
            (work / n).write_bytes(versions[n][current[n]])

    place()
    # How long one full, uninterrupted ingest takes here: the kills land within that window.
    t = time.monotonic()
    first = run_cli("index", "--quiet", str(work), store=tmp_path / "timing")
    full = time.monotonic() - t
    assert first.returncode == 0, first.stderr
    t = time.monotonic()
    run_cli("index", "--quiet", str(work), store=tmp_path / "timing")  # all unchanged: start-up only
    startup = time.monotonic() - t

    kills = 0
    outcomes = {"killed": 0, "finished": 0}
    pending: list[int] = []  # documents left waiting for the index after each kill
    while kills < KILLS and time.monotonic() - started < BUDGET_SECONDS - 12:
        # Change some files between rounds so that kills also land in replacements of stored releases.
        changed = rng.sample(names, k=rng.randint(len(names) // 3, len(names)))
        for n in changed:
            current[n] = 1 - current[n]
        place()
        rebuild = kills % 5 == 4  # now and then kill `doctor --rebuild` instead
        jobs = "2" if kills % 3 == 1 else "1"
        args = ["doctor", "--rebuild"] if rebuild else ["index", "--quiet", "--jobs", jobs, str(work)]
        env = {k: v for k, v in os.environ.items() if k != "EXHIBIT_STORE"}
        proc = subprocess.Popen(
            [sys.executable, "-m", "qa", "--store", str(store), *args],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        # Start-up (imports, opening the store) is about `startup`; the rest scales with the work.
        work_share = 1.0 if rebuild else len(changed) / len(names)
        time.sleep(rng.uniform(startup * 0.5, startup + (full - startup) * work_share))
        proc.send_signal(signal.SIGKILL)  # the main process only: workers must notice and exit
        out, err = proc.communicate(timeout=60)
        kills += 1
        outcomes["killed" if proc.returncode == -signal.SIGKILL else "finished"] += 1
        assert b"Traceback" not in err, err.decode()[-2000:]
        deadline = time.monotonic() + 5
        while group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not group_alive(proc.pid), "ingest worker processes outlived their killed parent"
        if not (store / "exhibit.db").exists():
            continue  # killed before the store was created
        check_store(store, ref, by_version)
        pending.append(len(_pending(store)))
        if kills % 2:
            # Half the time `doctor` repairs; the other half the next ingest must repair by itself.
            d = run_cli("doctor", store=store)
            no_traceback(d)
            assert d.returncode == 0, (d.stdout, d.stderr)
            assert "ok: store and index agree" in d.stdout, d.stdout
            if pending[-1]:
                assert "store and index differ" in d.stdout and f"{pending[-1]} not yet indexed" in d.stdout
                assert "re-indexed" in d.stdout or "rebuilt" in d.stdout, d.stdout
            assert run_cli("doctor", store=store).stdout.startswith("ok"), "doctor did not converge"
            check_index_agrees(store)

    assert kills >= 8, f"only {kills} kills fit in the time budget"
    print(f"{kills} kills: {outcomes}; documents pending for the index after each: {pending}")
    assert outcomes["killed"] >= kills // 2, outcomes
    final = run_cli("index", "--quiet", str(work), store=store)
    no_traceback(final)
    assert final.returncode == 0, final.stderr
    check_store(store, ref, by_version)
    check_index_agrees(store)
    with sqlite3.connect(store / "exhibit.db") as c:
        stored = {
            Path(p).name: {d for (d,) in c.execute("SELECT doc_id FROM documents WHERE path=?", (p,))}
            for (p,) in c.execute("SELECT path FROM files")
        }
    assert stored == {n: by_version[n][current[n]] for n in names}
    d = run_cli("doctor", store=store)
    assert d.returncode == 0 and d.stdout.startswith("ok"), d.stdout
    assert time.monotonic() - started < BUDGET_SECONDS + 30


# --- a deleted or damaged index -----------------------------------------------------------------


@pytest.fixture
def seeded(tmp_path):
    store = tmp_path / "store"
    r = run_cli("index", "corpus/", store=store)
    assert r.returncode == 0, r.stderr
    return store


def damage(index_dir: Path, how: str) -> None:
    tocs = sorted(index_dir.glob("*.toc"))
    segs = sorted(index_dir.glob("*.seg"))
    if how == "deleted folder":
        shutil.rmtree(index_dir)
    elif how == "emptied folder":
        for f in index_dir.iterdir():
            f.unlink()
    elif how == "garbage toc":
        tocs[-1].write_bytes(os.urandom(512))
    elif how == "truncated toc":
        with open(tocs[-1], "r+b") as fh:
            fh.truncate(20)
    elif how == "garbage segments":
        for s in segs:
            s.write_bytes(os.urandom(200))
    elif how == "truncated segments":
        for s in segs:
            with open(s, "r+b") as fh:
                fh.truncate(max(1, s.stat().st_size // 3))
    elif how == "missing segments":
        for s in segs:
            s.unlink()
    else:
        raise AssertionError(how)


@pytest.mark.parametrize(
    "how",
    [
        "deleted folder",
        "emptied folder",
        "garbage toc",
        "truncated toc",
        "garbage segments",
        "truncated segments",
        "missing segments",
    ],
)
def test_doctor_rebuilds_a_damaged_index(seeded, how):
    store = seeded
    before = run_cli("search", "--json", "SG&A", store=store)
    assert before.returncode == 0
    damage(store / "index", how)
    s = run_cli("search", "SG&A", store=store)
    no_traceback(s)  # a damaged index is one clear line (or still answers), never a traceback
    if s.returncode == 2:
        assert "doctor" in s.stderr and len(s.stderr.strip().splitlines()) == 1, s.stderr
    a = run_cli("ask", "Q1 2004 total operating revenues", store=store)
    no_traceback(a)
    d = run_cli("doctor", store=store)
    no_traceback(d)
    assert d.returncode == 0, (d.stdout, d.stderr)
    assert "rebuilt" in d.stdout, d.stdout
    assert run_cli("doctor", store=store).stdout.startswith("ok")
    after = run_cli("search", "--json", "SG&A", store=store)
    assert after.returncode == 0 and after.stdout == before.stdout
    check_index_agrees(store)


def test_ingest_repairs_a_damaged_index_by_itself(seeded, tmp_path, shared_corpus):
    store = seeded
    damage(store / "index", "garbage toc")
    extra = tmp_path / "more"
    extra.mkdir()
    shutil.copy(shared_corpus / SMALL_RELEASES[1], extra)
    r = run_cli("index", str(extra), store=store)
    no_traceback(r)
    assert r.returncode == 0, r.stderr
    check_index_agrees(store)


def test_doctor_reports_a_damaged_database(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    (store / "exhibit.db").write_bytes(b"this is not a database" * 100)
    r = run_cli("doctor", store=store)
    no_traceback(r)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "store" in r.stderr, r.stderr


def test_upgrade_from_schema_2_keeps_every_fact(tmp_path):
    """A store written before index_pending existed opens, migrates, and skips its unchanged files."""
    from qa.ingest import EXTRACTOR_VERSION
    from qa.store import MIGRATIONS

    store = tmp_path / "store"
    r = run_cli("index", "corpus/", store=store)
    assert r.returncode == 0, r.stderr
    # Rebuild the same rows in a schema-2 database, as the previous Exhibit wrote them.
    old = tmp_path / "old"
    old.mkdir()
    with sqlite3.connect(old / "exhibit.db") as c, sqlite3.connect(store / "exhibit.db") as new:
        c.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        for v in (1, 2):
            for stmt in MIGRATIONS[v].split(";"):
                if stmt.strip():
                    c.execute(stmt)
        c.execute(
            "INSERT INTO meta VALUES('schema_version', '2'), ('extractor_version', ?)", (EXTRACTOR_VERSION,)
        )
        for table in ("sources", "documents", "segments", "facts"):
            rows = new.execute(f"SELECT * FROM {table}").fetchall()
            c.executemany(f"INSERT INTO {table} VALUES({','.join('?' * len(rows[0]))})", rows)
        c.executemany(
            "INSERT INTO files VALUES(?, ?, ?)", new.execute("SELECT path, sha256, ingested_at FROM files")
        )
    shutil.copytree(store / "index", old / "index")
    before = run_cli("facts", "--json", store=store).stdout
    again = run_cli("index", "corpus/", store=old)
    no_traceback(again)
    assert again.returncode == 0, again.stderr
    assert "1 unchanged" in again.stdout, again.stdout
    assert run_cli("facts", "--json", store=old).stdout == before
    assert run_cli("doctor", store=old).stdout.startswith("ok")


def test_new_extractor_rereads_files_and_replaces_them_in_the_index(tmp_path, monkeypatch):
    """Same bytes, same doc_id, a newer extractor: the file is read again and its segments replaced."""
    import qa.ingest
    from qa.library import Library

    lib = Library(tmp_path / "store")
    try:
        first = lib.ingest([REPO_ROOT / "corpus"])
        assert len(first.added) == 1
        assert lib.ingest([REPO_ROOT / "corpus"]).unchanged
        monkeypatch.setattr(qa.ingest, "EXTRACTOR_VERSION", "test-next")
        again = lib.ingest([REPO_ROOT / "corpus"])
        assert again.added == first.added and not again.unchanged
        assert lib.ingest([REPO_ROOT / "corpus"]).unchanged
        doc = first.added[0]
        assert lib.index.count(doc) == lib.store.segment_counts()[doc]
        assert lib.index_status().ok
    finally:
        lib.close()


def test_ingest_notices_a_deleted_index_even_when_it_does_not_count_it(tmp_path, monkeypatch):
    """Past CHEAP_COUNT_SEGMENTS an ingest counts the index only if its folder looks too small."""
    import qa.library
    from qa.library import Library

    monkeypatch.setattr(qa.library, "CHEAP_COUNT_SEGMENTS", 0)
    store = tmp_path / "store"
    lib = Library(store)
    try:
        lib.ingest([REPO_ROOT / "corpus"])
        assert not lib.index_status(thorough=False).counted  # healthy and big enough: assumed whole
    finally:
        lib.close()
    shutil.rmtree(store / "index")
    lib = Library(store)
    try:
        assert lib.index_status(thorough=False).counted  # an empty folder is counted ...
        lib.ingest([tmp_path / "nothing-new"])  # ... and the ingest rebuilds it
        assert lib.index_status(thorough=True).ok
    finally:
        lib.close()
