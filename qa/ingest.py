"""Files and folders into the store and the index: read, segment, extract, write.

Each file is one SQLite transaction (`Store.replace_file`). The index is written
in batches (one Whoosh commit per `INDEX_BATCH_DOCS` documents or
`INDEX_BATCH_SECONDS`), so a large ingest does not leave one index segment per
file; until a batch commits, its documents stay in the store's `index_pending`
list, which the next writer (or `exhibit doctor`) replays after a crash.

Reading and extraction are pure functions of a file's bytes, so with `jobs > 1`
they run in worker processes while this process writes SQLite and the index in
file order.

Limits (README, "Benchmarks", "Limits"): files over `readers.MAX_BYTES` (64 MiB) and
releases whose own text is over `MAX_RELEASE_CHARS` (16 Mi characters) are
rejected; only regular files are read (a named pipe or device would block or
never end).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from index.errors import ExhibitError, InputRejected, StoreError
from index.readers import read_bytes, read_raw
from index.segments import segment

from .facts import extract, fiscal_calendar, main_period
from .store import Store

SKIP_NAMES = {"MANIFEST.tsv", ".DS_Store"}
# Bump when extraction changes: files ingested by an older extractor are read again.
EXTRACTOR_VERSION = "19"
SKIP_SUFFIXES = {".tsv", ".json", ".jsonl", ".md", ".py", ".pyc", ".csv", ".db", ".toml"}
# Python's bytecode caches: importing the bundled corpus package writes one into corpus/.
SKIP_DIRS = {"__pycache__"}

# The largest release text read (the body of one exhibit, or a whole plain/HTML file). The largest
# real release in the shared corpus is 2 MB; a 50 MB "release" took 46 s and 700 MB to extract.
MAX_RELEASE_CHARS = 16 * 1024 * 1024
# Seconds one file may take to read and extract (EXHIBIT_FILE_TIMEOUT overrides; 0 = no limit). The
# slowest real release takes under a second; a pathological one (a 4 MB sentence of figures) takes
# about a minute.
DEFAULT_FILE_TIMEOUT = 60.0
# Large batches: each commit writes one index segment, and once about two dozen segments have piled up
# Whoosh merges them, rewriting every document in them (~100 s of a 1,000-release ingest that committed
# every 10 s). 1,000 documents a segment leaves 13 segments at 10,000 releases and nothing to merge;
# the writer's memory stays bounded (it spills to disk past `limitmb`). A crash re-indexes at most one
# batch from SQLite; readers see new documents at each commit.
INDEX_BATCH_DOCS = 1000
# Files handed to the workers ahead of the one being written, per worker. Results are written in file
# order, so one slow file holds up the rest: a deeper queue keeps the workers busy meanwhile (2 -> 6:
# ~14 % faster with --jobs 2) for a few more parsed releases held in memory.
IN_FLIGHT_PER_JOB = 6
INDEX_BATCH_SECONDS = 300.0


@dataclass
class IngestReport:
    """What an ingest did: counts, and every rejected file with its reason."""

    added: list[str] = field(default_factory=list)  # doc ids written
    unchanged: list[str] = field(default_factory=list)  # paths skipped by hash
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, same bytes as)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    segments: int = 0
    facts: int = 0


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files under the given paths (folders walked, links not followed into loops), and paths that fail."""
    files: list[Path] = []
    bad: list[tuple[str, str]] = []
    seen_dirs: set[tuple[int, int]] = set()
    for p in paths:
        p = Path(p)
        if not p.exists() and not p.is_symlink():
            bad.append((str(p), "no such file or folder"))
            continue
        if p.is_symlink() and not p.exists():
            bad.append((str(p), _link_problem(p)))
            continue
        if p.is_dir():
            for root, dirs, names in os.walk(p, followlinks=True, onerror=lambda e: _walk_error(e, bad)):
                try:
                    st = os.stat(root)
                except OSError:
                    continue
                key = (st.st_dev, st.st_ino)
                if key in seen_dirs:
                    dirs[:] = []
                    bad.append((root, "symbolic link loop (folder already visited)"))
                    continue
                seen_dirs.add(key)
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
                for n in sorted(names):
                    f = Path(root) / n
                    if n in SKIP_NAMES or n.startswith(".") or f.suffix.lower() in SKIP_SUFFIXES:
                        continue
                    files.append(f)
        else:
            files.append(p)
    return files, bad


def _link_problem(p: Path) -> str:
    try:
        p.stat()
    except OSError as e:
        if e.errno == 40:  # ELOOP
            return "symbolic link loop"
    return "broken symbolic link"


def _walk_error(e: OSError, bad: list[tuple[str, str]]) -> None:
    bad.append((str(e.filename), f"cannot read folder ({e.strerror or e})"))


# A file's parsed content: per release, (Document, segments, facts, main period label).
Parts = list[tuple]


def parse_file(raw: bytes, path: str) -> Parts:
    """Read, segment and extract one file's bytes (pure: no store, no index)."""
    docs = read_bytes(raw, path)
    for d in docs:
        size = d.end - d.body_start
        if size > MAX_RELEASE_CHARS:
            raise InputRejected(
                f"release text too large ({size / 2**20:.1f} Mi characters; "
                f"the limit is {MAX_RELEASE_CHARS // 2**20} Mi)"
            )
    parts = []
    for d in docs:
        segs, tables = segment(d)
        facts = extract(d, segs, tables)
        cal = fiscal_calendar(d)
        mp = main_period(facts, d, cal)
        # Keep the calendar the facts were read on (stated or inferred), so answers use the same one.
        d = replace(d, fiscal_year_end=cal.code)
        parts.append((d, segs, facts, mp.label if mp else ""))
    return parts


def _index_text(parts: Parts) -> list[list[list[tuple]]]:
    from index.search import index_text

    return [index_text(segs) for _, segs, _, _ in parts]


class _TooSlow(BaseException):
    """Raised by the alarm inside a parse that overran the time limit (a BaseException, so that no
    parser's `except Exception` swallows it)."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Interrupt the block after `seconds` (main thread only: signals go there; elsewhere no limit)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(signum, frame):
        raise _TooSlow()

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def file_timeout() -> float:
    """Seconds one file may take: $EXHIBIT_FILE_TIMEOUT, else DEFAULT_FILE_TIMEOUT."""
    try:
        return float(os.environ.get("EXHIBIT_FILE_TIMEOUT", DEFAULT_FILE_TIMEOUT))
    except ValueError:
        return DEFAULT_FILE_TIMEOUT


def _parse_job(raw: bytes, path: str, limit: float | None = None, index: bool = False) -> tuple[str, object]:
    """`parse_file` with every failure turned into a rejection reason: ("ok", (parts, text items)) or
    ("rejected", why). With `index`, each document's segment texts are also analysed for the search
    index (`index.search.index_text`: in one pass, and in the worker process when there is one);
    else the items are None."""
    limit = file_timeout() if limit is None else limit
    try:
        with _time_limit(limit):
            parts = parse_file(raw, path)
            return "ok", (parts, _index_text(parts) if index else None)
    except _TooSlow:
        return "rejected", f"took longer than {limit:g}s to read (EXHIBIT_FILE_TIMEOUT sets the limit)"
    except InputRejected as e:
        return "rejected", str(e)
    except RecursionError:
        return "rejected", "malformed file (nesting too deep to read)"
    except MemoryError:
        return "rejected", "file too large to read in memory"
    except Exception as e:  # a parser bug must cost one file, not the whole ingest
        return "rejected", f"could not be read ({type(e).__name__}: {e})"


def ingest(
    store: Store,
    paths: Iterable[str | Path],
    index=None,
    progress: Callable[[int, int, str], None] | None = None,
    jobs: int = 1,
) -> IngestReport:
    """Ingest files and folders: unchanged files skipped by hash, changed files replaced atomically.

    `jobs > 1` reads and extracts files in that many worker processes; the store and the
    index are still written by this process, one file at a time, in the files' order.
    """
    files, bad = expand_paths(paths)
    rep = IngestReport(rejected=list(bad))
    batch = _IndexBatch(store, index) if index is not None else None
    seen_paths: dict[str, str] = {}  # resolved path -> the name it was first met under
    seen_sha: dict[str, str] = {}  # bytes ingested (or queued) in this run -> path
    parallel = jobs > 1 and len(files) > 1
    pool: _Pool | None = None  # started at the first file that needs reading (not for unchanged ones)
    in_flight: deque = deque()

    def finish(item) -> None:
        f, path, sha, outcome = item
        status, value = outcome.result() if isinstance(outcome, _Future) else outcome
        if status != "ok":
            rep.rejected.append((str(f), value))
            return
        _write(store, batch, rep, path, sha, *value)

    try:
        for i, f in enumerate(files):
            if progress:
                progress(i, len(files), str(f))
            try:
                job = _prepare(store, f, rep, seen_paths, seen_sha)
            except InputRejected as e:
                rep.rejected.append((str(f), str(e)))
                continue
            if job is None:
                continue
            path, sha, raw = job
            if parallel:
                pool = pool or _Pool(jobs)
                in_flight.append((f, path, sha, pool.submit(raw, path)))
                while len(in_flight) > IN_FLIGHT_PER_JOB * jobs:
                    finish(in_flight.popleft())
            else:
                finish((f, path, sha, _parse_job(raw, path, index=batch is not None)))
            del raw, job
        while in_flight:
            finish(in_flight.popleft())
    except BaseException as e:
        if batch:
            batch.cancel(e)
        if pool:
            pool.close(cancel=True)
        raise
    if batch:
        batch.commit()
    if pool:
        pool.close()
    if progress:
        progress(len(files), len(files), "")
    return rep


def ingest_file(store: Store, f: Path, rep: IngestReport, index=None) -> None:
    """Ingest one file into the store (and the index if given), committing the index at once."""
    job = _prepare(store, f, rep, {}, {})
    if job is None:
        return
    path, sha, raw = job
    status, value = _parse_job(raw, path, index=index is not None)
    if status != "ok":
        raise InputRejected(value)
    batch = _IndexBatch(store, index) if index is not None else None
    try:
        _write(store, batch, rep, path, sha, *value)
    except BaseException as e:
        if batch:
            batch.cancel(e)
        raise
    if batch:
        batch.commit()


def _prepare(
    store: Store, f: Path, rep: IngestReport, seen_paths: dict[str, str], seen_sha: dict[str, str]
) -> tuple[str, str, bytes] | None:
    """(resolved path, sha256, bytes) of a file to read, or None when it is unchanged or a duplicate."""
    path = os.path.realpath(f)  # unlike Path.resolve, never raises on a link loop (read_raw reports it)
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        # Citations carry the path as text (JSON, SQLite): bytes that are not UTF-8 cannot be cited.
        raise InputRejected("file name is not valid UTF-8 (rename the file)") from None
    if path in seen_paths:
        rep.duplicates.append((str(f), seen_paths[path]))  # the same file under a second name (a link)
        return None
    seen_paths[path] = str(f)
    raw = read_raw(f)
    sha = hashlib.sha256(raw).hexdigest()
    if store.file_extractor(path, sha) == EXTRACTOR_VERSION:
        rep.unchanged.append(path)
        return None
    other = seen_sha.get(sha) or store.path_with_sha(sha)
    if other and other != path and Path(other).exists():
        rep.duplicates.append((path, other))
        return None
    seen_sha[sha] = path
    return path, sha, raw


def _write(
    store: Store, batch: _IndexBatch | None, rep: IngestReport, path: str, sha: str, parts, items=None
) -> None:
    existed = store.existing_doc_ids(p[0].doc_id for p in parts)
    removed = store.replace_file(path, sha, parts[0][0].text, parts, extractor=EXTRACTOR_VERSION)
    if batch is not None:
        batch.add(parts, removed, existed, items)
    for d, segs, facts, _ in parts:
        rep.added.append(d.doc_id)
        rep.segments += len(segs)
        rep.facts += len(facts)


class _IndexBatch:
    """One Whoosh writer for many files; commits every INDEX_BATCH_DOCS documents or INDEX_BATCH_SECONDS.

    Documents leave the store's `index_pending` list only after the commit that holds them.
    """

    def __init__(self, store: Store, index) -> None:
        self.store = store
        self.index = index
        self._cm = None
        self._bulk = None
        self._ids: set[str] = set()
        self._docs = 0
        self._started = 0.0

    def add(self, parts, removed: list[str], existed: set[str], items=None) -> None:
        """Queue a file's documents: `removed` leave the index, `existed` are replaced, the rest added.
        `items`: per document, its segments' texts already analysed (or None).

        Only documents the store already held can be in the index (it was reconciled with the store
        before the ingest began), so new ones are added without a delete: a delete makes Whoosh
        open every existing index segment, which made each batch's memory grow with the index.
        """
        ids = {*removed, *(p[0].doc_id for p in parts)}
        if self._cm is not None and ids & self._ids:
            self.commit()  # a writer cannot delete what it added itself: commit first
        if self._cm is None:
            self._cm = self.index.bulk(merge=True)
            self._bulk = self._cm.__enter__()
            self._started = time.monotonic()
        for d in removed:
            self._bulk.delete_document(d)
        for i, (d, segs, _facts, mp) in enumerate(parts):
            text_items = items[i] if items is not None else None
            if d.doc_id in existed:
                self._bulk.replace_document(d.doc_id, d.company, mp, segs, text_items)
            else:
                self._bulk.add_document(d.doc_id, d.company, mp, segs, text_items)
        self._ids |= ids
        self._docs += len(parts)
        if self._docs >= INDEX_BATCH_DOCS or time.monotonic() - self._started >= INDEX_BATCH_SECONDS:
            self.commit()

    def commit(self) -> None:
        if self._cm is None:
            return
        cm, self._cm, self._bulk = self._cm, None, None
        cm.__exit__(None, None, None)
        self.store.clear_pending(self._ids)
        self._ids, self._docs = set(), 0

    def cancel(self, exc: BaseException) -> None:
        """Drop the uncommitted batch; its documents stay pending (SQLite has them)."""
        if self._cm is None:
            return
        cm, self._cm, self._bulk = self._cm, None, None
        with contextlib.suppress(Exception):  # the original error is the one to report
            cm.__exit__(type(exc), exc, exc.__traceback__)
        self._ids, self._docs = set(), 0


class _Pool:
    """Worker processes for `_parse_job`.

    Forked when this process has a single thread (the CLI): a forked worker needs nothing from its
    parent to start, so a parent killed while workers start leaves no half-started child printing
    a traceback, and no named semaphores behind. Spawned otherwise (forking a threaded process is
    unsafe). Workers only parse bytes they are sent; they never touch the store, the index or the
    locks they may inherit, and they exit within half a second of their parent's death.
    """

    def __init__(self, jobs: int) -> None:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        method = "fork" if threading.active_count() == 1 and "fork" in mp.get_all_start_methods() else "spawn"
        self._ex = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=mp.get_context(method),
            initializer=_worker_init,
            initargs=(os.getpid(),),
        )

    def submit(self, raw: bytes, path: str):
        # The worker also analyses the texts for the index: this process only writes them.
        return _Future(self._ex.submit(_parse_job, raw, path, None, True))

    def close(self, cancel: bool = False) -> None:
        self._ex.shutdown(wait=not cancel, cancel_futures=cancel)


class _Future:
    def __init__(self, fut) -> None:
        self._fut = fut

    def result(self):
        try:
            return self._fut.result()
        except Exception as e:  # the worker died (killed, out of memory)
            if isinstance(e, ExhibitError):
                raise
            from concurrent.futures.process import BrokenProcessPool

            if isinstance(e, BrokenProcessPool):
                raise StoreError("an ingest worker process died; run the ingest again") from None
            return "rejected", f"could not be read ({type(e).__name__}: {e})"


def _worker_init(parent: int) -> None:
    """In a worker: exit when the parent is gone (killed), rather than wait for work forever."""

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, daemon=True).start()
