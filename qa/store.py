"""The SQLite fact store: schema with migrations, WAL, one transaction per file.

A store is a folder: `exhibit.db` (documents, segments, facts, source texts),
`index/` (the Whoosh index over segments) and `ingest.lock` (held by the one
process that writes). SQLite is the record; the index can always be rebuilt
from it (`exhibit doctor`).

Crash safety: a file's rows change in one SQLite transaction, and the same
transaction lists the documents it touched in `index_pending`. The index is
written after SQLite; a document leaves `index_pending` only once the index
commit that holds it has landed. A process killed in between leaves the
document pending, and the next writer (or `exhibit doctor`) re-indexes it from
SQLite, so the index never stays behind the record.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import sqlite3
import sys
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from index.errors import StoreError

from .periods import Period

TYPE_CHECKING = False  # (not `typing`'s: importing it costs `exhibit ask` ~2 ms)
if TYPE_CHECKING:
    from index.model import Document, Segment

    from .facts import Fact  # only for annotations: readers need not import the extractor

SCHEMA_VERSION = 6
LOCK_NAME = "ingest.lock"
# Distinct fact queries remembered (an answer makes a few; a TUI session repeats them).
FACTS_MEMO_SIZE = 512
# How long a second writer waits for the first (EXHIBIT_LOCK_TIMEOUT overrides).
DEFAULT_LOCK_TIMEOUT = 600.0

MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE sources (sha256 TEXT PRIMARY KEY, text TEXT NOT NULL);
    CREATE TABLE files (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, ingested_at REAL NOT NULL);
    CREATE TABLE documents (
        doc_id TEXT PRIMARY KEY, path TEXT NOT NULL, sha256 TEXT NOT NULL, format TEXT NOT NULL,
        company TEXT NOT NULL, company_key TEXT NOT NULL, ticker TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL, release_date TEXT, fiscal_year_end TEXT, exhibit TEXT NOT NULL DEFAULT '',
        body_start INTEGER NOT NULL, body_end INTEGER NOT NULL, main_period TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX documents_path ON documents(path);
    CREATE INDEX documents_company ON documents(company_key);
    CREATE TABLE segments (
        doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE, seq INTEGER NOT NULL,
        kind TEXT NOT NULL, char_start INTEGER NOT NULL, char_end INTEGER NOT NULL,
        line_start INTEGER NOT NULL, line_end INTEGER NOT NULL, section TEXT NOT NULL, display TEXT NOT NULL,
        tbl INTEGER, PRIMARY KEY (doc_id, seq)
    );
    CREATE TABLE facts (
        id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
        metric TEXT NOT NULL, label TEXT NOT NULL, value REAL NOT NULL, value_high REAL, unit TEXT NOT NULL,
        period_start TEXT, period_end TEXT NOT NULL, period_kind TEXT NOT NULL, period_label TEXT NOT NULL,
        basis TEXT NOT NULL, as_printed TEXT NOT NULL, scale REAL NOT NULL,
        char_start INTEGER NOT NULL, char_end INTEGER NOT NULL, label_start INTEGER NOT NULL,
        label_end INTEGER NOT NULL, cite_start INTEGER NOT NULL, cite_end INTEGER NOT NULL,
        cite_kind TEXT NOT NULL, tbl INTEGER, source TEXT NOT NULL, context TEXT NOT NULL
    );
    CREATE INDEX facts_metric ON facts(metric, period_end);
    CREATE INDEX facts_doc ON facts(doc_id);
    """,
    2: """
    ALTER TABLE facts ADD COLUMN inputs TEXT NOT NULL DEFAULT '';
    """,
    3: """
    CREATE TABLE index_pending (doc_id TEXT PRIMARY KEY);
    CREATE INDEX files_sha ON files(sha256);
    ALTER TABLE files ADD COLUMN extractor TEXT NOT NULL DEFAULT '';
    UPDATE files SET extractor = COALESCE((SELECT value FROM meta WHERE key='extractor_version'), '');
    """,
    # A company's facts for one metric: documents by company, then facts by (doc_id, metric). Without
    # it (and without ANALYZE statistics) SQLite scanned every fact of the metric in the store.
    4: """
    CREATE INDEX facts_doc_metric ON facts(doc_id, metric);
    DROP INDEX IF EXISTS facts_doc;
    ANALYZE;
    """,
    # Every printed line-item label in the store, kept as facts come and go: an unscoped question reads
    # these few thousand rows, not a DISTINCT over millions of facts (18 s at 10,000 releases).
    5: """
    CREATE TABLE table_labels (metric TEXT NOT NULL, label TEXT NOT NULL, PRIMARY KEY (metric, label))
        WITHOUT ROWID;
    INSERT OR IGNORE INTO table_labels SELECT DISTINCT metric, label FROM facts WHERE source='table';
    """,
    # Every metric in the store with its count of facts, kept as facts come and go (a GROUP BY over
    # every fact took a second at 10,000 releases).
    6: """
    CREATE TABLE metric_counts (metric TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO metric_counts SELECT metric, count(*) FROM facts GROUP BY metric;
    """,
}
# Refresh the planner's statistics when the number of documents has changed by this factor.
ANALYZE_GROWTH = 1.25


class StoreBusy(StoreError):
    """Another process is writing the store (ingest or index rebuild) for longer than the wait."""

    title = "store busy"


@dataclass(frozen=True)
class DocRow:
    """A document as the store lists it (without its text)."""

    doc_id: str
    path: str
    sha256: str
    format: str
    company: str
    company_key: str
    ticker: str
    title: str
    release_date: str | None
    fiscal_year_end: str | None
    exhibit: str
    body_start: int
    body_end: int
    main_period: str


def company_key(name: str) -> str:
    """A company's name folded for grouping: 'Asta Funding, Inc.' and 'ASTA FUNDING INC' agree."""
    import re

    s = re.sub(r"[^a-z0-9& ]", " ", name.lower())
    words = [
        w
        for w in s.split()
        if w
        not in {
            "inc",
            "incorporated",
            "corp",
            "corporation",
            "co",
            "company",
            "ltd",
            "limited",
            "the",
            "plc",
            "llc",
            "lp",
            "holding",
            "holdings",
            "group",
        }
    ]
    return " ".join(words) or s.strip()


class Store:
    """The fact store in folder `root`; safe to open from several processes (WAL)."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot create store folder {self.root}: {e.strerror or e}") from None
        self.db_path = self.root / "exhibit.db"
        self._text_cache: dict[str, str] = {}
        self._memo: dict = {}
        self._data_version = None
        self._pinned = 0
        self._facts_memo: OrderedDict = OrderedDict()
        self._lock_fd: int | None = None
        self._lock_depth = 0
        try:
            self.conn = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"cannot open store {self.db_path}: {e}") from None

    @property
    def index_path(self) -> Path:
        """Where the Whoosh index lives."""
        return self.root / "index"

    def close(self) -> None:
        """Close the database connection (and drop the writer lock if still held)."""
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the flock
            self._lock_fd = None
            self._lock_depth = 0
        self.conn.close()

    # --- the writer lock ---------------------------------------------------------------

    @contextmanager
    def writer_lock(self, timeout: float | None = None, on_wait=None) -> Iterator[None]:
        """Hold the store's one-writer lock (`ingest.lock`) while ingesting or rebuilding the index.

        An exclusive `flock` on a file in the store folder: the kernel drops it when the
        holder exits or is killed, so a stale lock never blocks. A second writer calls
        `on_wait(holder)` once (holder: "pid N" of the process that has it) and waits up to
        `timeout` seconds (default EXHIBIT_LOCK_TIMEOUT or 600), then raises StoreBusy.
        Re-entrant within one Store. Readers never take it.
        """
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        if timeout is None:
            timeout = lock_timeout()
        path = self.root / LOCK_NAME
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise StoreError(f"cannot lock store {self.root}: {e.strerror or e}") from None
        try:
            if not _try_flock(fd):
                holder = _lock_holder(fd)
                if on_wait is not None:
                    on_wait(holder)
                deadline = time.monotonic() + max(0.0, timeout)
                delay = 0.05
                while not _try_flock(fd):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise StoreBusy(
                            f"another ingest is running on {self.root} ({_lock_holder(fd) or holder}); "
                            f"gave up after waiting {timeout:g}s"
                        )
                    time.sleep(min(delay, left))
                    delay = min(delay * 1.5, 0.5)
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"pid {os.getpid()}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._lock_fd, self._lock_depth = fd, 1
        try:
            yield
        finally:
            self._lock_depth = 0
            self._lock_fd = None
            os.close(fd)  # releases the flock

    def _migrate(self) -> None:
        self.conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"store schema {version} is newer than this Exhibit ({SCHEMA_VERSION}); upgrade Exhibit"
            )
        for v in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                for stmt in MIGRATIONS[v].split(";"):
                    if stmt.strip():
                        self.conn.execute(stmt)
                self.conn.execute(
                    "INSERT INTO meta(key, value) VALUES('schema_version', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                    (str(v),),
                )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error."""
        for attempt in range(50):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or attempt == 49:
                    raise StoreError(f"store is busy: {e}") from None
                time.sleep(0.2)
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
            self._forget()  # (data_version counts only other connections' commits)

    # --- writes ------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """A value from the store's meta table."""
        r = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return r[0] if r else None

    def set_meta(self, key: str, value: str) -> None:
        """Set a value in the store's meta table."""
        with self.transaction() as c:
            c.execute(
                "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, value),
            )

    def file_sha(self, path: str) -> str | None:
        """The hash of a file as last ingested, or None."""
        row = self.conn.execute("SELECT sha256 FROM files WHERE path=?", (path,)).fetchone()
        return row[0] if row else None

    def file_extractor(self, path: str, sha: str) -> str | None:
        """The extractor version that read `path` when it last held these bytes, else None."""
        row = self.conn.execute("SELECT sha256, extractor FROM files WHERE path=?", (path,)).fetchone()
        return row[1] if row and row[0] == sha else None

    def path_with_sha(self, sha: str) -> str | None:
        """Another ingested path holding the same bytes, if any."""
        row = self.conn.execute("SELECT path FROM files WHERE sha256=?", (sha,)).fetchone()
        return row[0] if row else None

    def replace_file(
        self,
        path: str,
        sha: str,
        text: str,
        docs: list[tuple[Document, list[Segment], list[Fact], str]],
        extractor: str = "",
    ) -> list[str]:
        """Atomically replace everything stored for `path`; returns the doc_ids it removed."""
        with self.transaction() as c:
            old = [r[0] for r in c.execute("SELECT doc_id FROM documents WHERE path=?", (path,))]
            old_sha = c.execute("SELECT sha256 FROM files WHERE path=?", (path,)).fetchone()
            touched = {*old, *(doc.doc_id for doc, *_ in docs)}
            gone = {
                (r[0], r[1])
                for d in touched
                for r in c.execute("SELECT metric, label FROM facts WHERE doc_id=? AND source='table'", (d,))
            }
            counts: dict[str, int] = {}
            for d in touched:
                for metric, n in c.execute(
                    "SELECT metric, count(*) FROM facts WHERE doc_id=? GROUP BY metric", (d,)
                ):
                    counts[metric] = counts.get(metric, 0) - n
            for d in old:
                c.execute("DELETE FROM facts WHERE doc_id=?", (d,))
                c.execute("DELETE FROM segments WHERE doc_id=?", (d,))
                c.execute("DELETE FROM documents WHERE doc_id=?", (d,))
            c.execute("INSERT OR IGNORE INTO sources(sha256, text) VALUES(?, ?)", (sha, text))
            c.execute(
                "INSERT INTO files(path, sha256, ingested_at, extractor) VALUES(?, ?, ?, ?) "
                "ON CONFLICT(path) DO UPDATE SET sha256=excluded.sha256, ingested_at=excluded.ingested_at, "
                "extractor=excluded.extractor",
                (path, sha, time.time(), extractor),
            )
            for doc, segs, facts, main_period in docs:
                c.execute("DELETE FROM facts WHERE doc_id=?", (doc.doc_id,))
                c.execute("DELETE FROM segments WHERE doc_id=?", (doc.doc_id,))
                c.execute("DELETE FROM documents WHERE doc_id=?", (doc.doc_id,))
                c.execute(
                    "INSERT INTO documents VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        doc.doc_id,
                        path,
                        sha,
                        doc.format,
                        doc.company,
                        company_key(doc.company),
                        doc.ticker,
                        doc.title,
                        doc.release_date,
                        doc.fiscal_year_end,
                        doc.exhibit,
                        doc.body_start,
                        doc.end,
                        main_period,
                    ),
                )
                c.executemany(
                    "INSERT INTO segments VALUES(?,?,?,?,?,?,?,?,?,?)",
                    [
                        (
                            s.doc_id,
                            s.seq,
                            s.kind,
                            s.char_start,
                            s.char_end,
                            s.line_start,
                            s.line_end,
                            s.section,
                            s.display,
                            s.table,
                        )
                        for s in segs
                    ],
                )
                c.executemany(
                    "INSERT INTO facts(doc_id, metric, label, value, value_high, unit, period_start, period_end,"
                    " period_kind, period_label, basis, as_printed, scale, char_start, char_end, label_start,"
                    " label_end, cite_start, cite_end, cite_kind, tbl, source, context)"
                    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [
                        (
                            f.doc_id,
                            f.metric,
                            f.label,
                            f.value,
                            f.value_high,
                            f.unit,
                            f.period.start,
                            f.period.end,
                            f.period.kind,
                            f.period.label,
                            f.basis,
                            f.as_printed,
                            f.scale,
                            f.char_start,
                            f.char_end,
                            f.label_start,
                            f.label_end,
                            f.cite_start,
                            f.cite_end,
                            f.cite_kind,
                            f.table,
                            f.source,
                            f.context,
                        )
                        for f in facts
                    ],
                )
            for _, _, facts, _ in docs:
                for f in facts:
                    counts[f.metric] = counts.get(f.metric, 0) + 1
            c.executemany(
                "INSERT INTO metric_counts VALUES(?, ?) ON CONFLICT(metric) DO UPDATE SET n = n + excluded.n",
                sorted(counts.items()),
            )
            c.execute("DELETE FROM metric_counts WHERE n <= 0")
            labels = {(f.metric, f.label) for _, _, facts, _ in docs for f in facts if f.source == "table"}
            c.executemany("INSERT OR IGNORE INTO table_labels VALUES(?, ?)", sorted(labels))
            # A label the replaced facts printed and no fact prints any more leaves the summary.
            c.executemany(
                "DELETE FROM table_labels WHERE metric=? AND label=? AND NOT EXISTS "
                "(SELECT 1 FROM facts WHERE metric=? AND label=? AND source='table')",
                [(m, lb, m, lb) for m, lb in sorted(gone - labels)],
            )
            if old_sha and old_sha[0] != sha:
                still = c.execute("SELECT 1 FROM files WHERE sha256=?", (old_sha[0],)).fetchone()
                if not still:
                    c.execute("DELETE FROM sources WHERE sha256=?", (old_sha[0],))
            # In the same transaction: these documents must be (re)indexed or dropped from the index.
            c.executemany(
                "INSERT OR IGNORE INTO index_pending(doc_id) VALUES(?)",
                [(d,) for d in {*old, *(doc.doc_id for doc, *_ in docs)}],
            )
        self._forget()
        new_ids = {d.doc_id for d, *_ in docs}
        return [d for d in old if d not in new_ids]

    def pending_index(self) -> set[str]:
        """Documents written to SQLite whose index update has not been committed yet."""
        return {r[0] for r in self.conn.execute("SELECT doc_id FROM index_pending")}

    def clear_pending(self, doc_ids: Iterable[str] | None = None) -> None:
        """Mark documents as indexed (all of them when `doc_ids` is None)."""
        with self.transaction() as c:
            if doc_ids is None:
                c.execute("DELETE FROM index_pending")
            else:
                c.executemany("DELETE FROM index_pending WHERE doc_id=?", [(d,) for d in doc_ids])

    # --- reads -------------------------------------------------------------------------

    @contextlib.contextmanager
    def snapshot(self):
        """Reads inside see the store as it was on entry: one check for another process's writes,
        not one per read (an answer makes dozens)."""
        self._check_version()
        self._pinned += 1
        try:
            yield self
        finally:
            self._pinned -= 1

    def _check_version(self) -> None:
        dv = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if dv != self._data_version:
            self._forget()
            self._data_version = dv

    def _forget(self) -> None:
        self._memo.clear()
        self._facts_memo.clear()

    def _memoised(self, key, compute):
        """A read remembered until the database changes (this connection's writes or another process's)."""
        if not self._pinned:
            self._check_version()
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def documents(self, company: str | None = None) -> list[DocRow]:
        """Documents in the store, newest release first."""
        docs = self._all_documents()
        if company:
            key = company_key(company)
            return [d for d in docs if d.company_key == key]
        return list(docs)

    def _all_documents(self) -> tuple[DocRow, ...]:
        # Every answer reads documents (calendars, citations): one query until the store changes.
        def read():
            q = "SELECT * FROM documents ORDER BY release_date DESC, doc_id"
            return tuple(DocRow(**dict(r)) for r in self.conn.execute(q))

        return self._memoised(("documents",), read)

    def main_facts(self) -> dict[str, FactRow]:
        """Each document's first fact (by id) of its own main period; remembered until the store changes."""

        def read():
            rows = self.conn.execute(
                "SELECT f.*, d.company, d.path, d.sha256 FROM facts f JOIN documents d USING(doc_id) "
                "WHERE f.id IN (SELECT min(f2.id) FROM facts f2 JOIN documents d2 USING(doc_id) "
                "WHERE f2.period_label=d2.main_period GROUP BY f2.doc_id)"
            )
            return {r["doc_id"]: FactRow.from_row(r) for r in rows}

        return self._memoised(("main_facts",), read)

    def document(self, doc_id: str) -> DocRow | None:
        """One document by id (or unique id prefix)."""
        # An answer cites a few documents: read those rows, not the whole table.
        d = self._memoised(("document", doc_id), lambda: self._document_row(doc_id))
        if d is not None:
            return d
        found = [d for d in self._all_documents() if d.doc_id.startswith(doc_id)]
        return found[0] if len(found) == 1 else None

    def _document_row(self, doc_id: str) -> DocRow | None:
        r = self.conn.execute("SELECT * FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return DocRow(**dict(r)) if r else None

    def text(self, sha: str) -> str:
        """The decoded source text of a file by hash."""
        if sha not in self._text_cache:
            r = self.conn.execute("SELECT text FROM sources WHERE sha256=?", (sha,)).fetchone()
            self._text_cache[sha] = r[0] if r else ""
        return self._text_cache[sha]

    def segments(self, doc_id: str) -> list[Segment]:
        """A document's segments in order."""
        from index.model import Segment  # (not at import: `exhibit ask` needs no segments)

        return [
            Segment(
                r["doc_id"],
                r["seq"],
                r["kind"],
                r["char_start"],
                r["char_end"],
                r["line_start"],
                r["line_end"],
                r["section"],
                r["display"],
                r["tbl"],
            )
            for r in self.conn.execute("SELECT * FROM segments WHERE doc_id=? ORDER BY seq", (doc_id,))
        ]

    def facts(
        self,
        *,
        company: str | None = None,
        metric: str | None = None,
        period_end: str | None = None,
        doc_id: str | None = None,
        basis: str | None = None,
        metrics: Iterable[str] | None = None,
    ) -> list[FactRow]:
        """Facts filtered by company, metric (exact or LIKE with %), period end, document, basis."""
        key = (
            company if company is None or isinstance(company, str) else tuple(company),
            metric,
            period_end,
            doc_id,
            basis,
            None if metrics is None else tuple(metrics),
        )
        if not self._pinned:
            self._check_version()
        found = self._facts_memo.get(key)
        if found is None:
            found = self._facts_memo[key] = tuple(self._facts(*key))
            if len(self._facts_memo) > FACTS_MEMO_SIZE:
                self._facts_memo.popitem(last=False)
        else:
            self._facts_memo.move_to_end(key)
        return list(found)

    def _facts(self, company, metric, period_end, doc_id, basis, metrics) -> list[FactRow]:
        q = "SELECT f.*, d.company, d.path, d.sha256 FROM facts f JOIN documents d USING(doc_id) WHERE 1=1"
        args: list = []
        if company:
            keys = [company] if isinstance(company, str) else list(company)
            q += f" AND d.company_key IN ({','.join('?' * len(keys))})"
            args.extend(company_key(k) for k in keys)
        if metric:
            q += " AND f.metric LIKE ?" if "%" in metric and not metric.endswith(" %") else " AND f.metric=?"
            args.append(metric)
        if metrics is not None:
            ms = list(metrics)
            if not ms:
                return []
            q += f" AND f.metric IN ({','.join('?' * len(ms))})"
            args.extend(ms)
        if period_end:
            q += " AND f.period_end=?"
            args.append(period_end)
        if doc_id:
            q += " AND f.doc_id=?"
            args.append(doc_id)
        if basis:
            q += " AND f.basis=?"
            args.append(basis)
        q += " ORDER BY d.release_date, f.doc_id, f.id"
        return [FactRow.from_row(r) for r in self.conn.execute(q, args)]

    def metric_companies(self, metrics: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Companies with a fact of any of these metrics: company key -> (the first of the metrics, in
        the order given, that it reports; its name as a release printed it). Remembered until the
        store changes."""
        ms = tuple(metrics)
        return self._memoised(("metric_companies", ms), lambda: self._metric_companies(ms))

    def _metric_companies(self, metrics: tuple[str, ...]) -> dict[str, tuple[str, str]]:
        if not metrics:
            return {}
        rows = self.conn.execute(
            "SELECT d.company_key, f.metric, min(d.company) FROM facts f JOIN documents d USING(doc_id) "
            f"WHERE f.metric IN ({','.join('?' * len(metrics))}) GROUP BY d.company_key, f.metric",
            metrics,
        )
        order = {m: i for i, m in enumerate(metrics)}
        out: dict[str, tuple[str, str]] = {}
        for key, metric, company in rows:
            if key not in out or order[metric] < order[out[key][0]]:
                out[key] = (metric, company)
        return out

    def metric_periods(self, metrics: Iterable[str], guidance: bool) -> Iterator[tuple]:
        """Distinct (metric, period start, end, kind, fiscal year end) of these metrics' facts, guidance
        or not, as SQLite finds them (a caller may stop early)."""
        ms = tuple(metrics)
        if not ms:
            return
        yield from self.conn.execute(
            "SELECT DISTINCT f.metric, f.period_start, f.period_end, f.period_kind, d.fiscal_year_end "
            "FROM facts f JOIN documents d USING(doc_id) "
            f"WHERE f.metric IN ({','.join('?' * len(ms))}) AND f.basis {'=' if guidance else '!='} 'guidance'",
            ms,
        )

    def metrics(self, company=None) -> list[tuple[str, int]]:
        """Every metric in the store (or of one company or several) with its fact count."""
        key = ("metrics", company if isinstance(company, (str, type(None))) else tuple(company))
        return self._memoised(key, lambda: self._metrics(company))

    def _metrics(self, company=None) -> list[tuple[str, int]]:
        if company:
            keys = [company] if isinstance(company, str) else list(company)
            rows = self.conn.execute(
                "SELECT metric, count(*) FROM facts JOIN documents USING(doc_id) "
                f"WHERE company_key IN ({','.join('?' * len(keys))}) GROUP BY metric",
                [company_key(k) for k in keys],
            )
        else:
            rows = self.conn.execute("SELECT metric, n FROM metric_counts")
        return [(r[0], r[1]) for r in rows]

    def labels(self, company=None) -> list[tuple[str, str]]:
        """Distinct (metric, label) pairs of table facts, of one company (or several) or all."""
        key = ("labels", company if isinstance(company, (str, type(None))) else tuple(company))
        return self._memoised(key, lambda: self._labels(company))

    def _labels(self, company=None) -> list[tuple[str, str]]:
        if not company:
            return [(r[0], r[1]) for r in self.conn.execute("SELECT metric, label FROM table_labels")]
        q = "SELECT DISTINCT f.metric, f.label FROM facts f JOIN documents d USING(doc_id) WHERE f.source='table'"
        args: list = []
        if company:
            keys = [company] if isinstance(company, str) else list(company)
            q += f" AND d.company_key IN ({','.join('?' * len(keys))})"
            args.extend(company_key(k) for k in keys)
        return [(r[0], r[1]) for r in self.conn.execute(q, args)]

    def companies(self) -> list[tuple[str, str, str]]:
        """(company_key, display name, ticker) of every company in the store."""
        return self._memoised(("companies",), self._companies)

    def _companies(self) -> list[tuple[str, str, str]]:
        rows = self.conn.execute(
            "SELECT company_key, company, ticker, count(*) n FROM documents GROUP BY company_key, company, ticker"
        ).fetchall()
        best: dict[str, tuple[str, str, int]] = {}
        for r in rows:
            k = r["company_key"]
            cur = best.get(k)
            ticker = r["ticker"] or (cur[1] if cur else "")
            if cur is None or (r["n"], len(r["company"])) > (cur[2], len(cur[0])):
                best[k] = (r["company"], ticker, r["n"])
            elif ticker and not cur[1]:
                best[k] = (cur[0], ticker, cur[2])
        return [(k, v[0], v[1]) for k, v in sorted(best.items())]

    def counts(self) -> dict[str, int]:
        """How many documents, segments and facts the store holds."""
        return {
            t: self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("documents", "segments", "facts")
        }

    def doc_ids(self) -> set[str]:
        """Every document id in the store."""
        return {r[0] for r in self.conn.execute("SELECT doc_id FROM documents")}

    def existing_doc_ids(self, doc_ids: Iterable[str]) -> set[str]:
        """Those of `doc_ids` the store holds."""
        ids = list(doc_ids)
        if not ids:
            return set()
        rows = self.conn.execute(
            f"SELECT doc_id FROM documents WHERE doc_id IN ({','.join('?' * len(ids))})", ids
        )
        return {r[0] for r in rows}

    def segment_count(self) -> int:
        """How many segments the store holds (what the index should hold)."""
        return self.conn.execute("SELECT count(*) FROM segments").fetchone()[0]

    def segment_counts(self) -> dict[str, int]:
        """Segments per document, for every document (0 for a document without any)."""
        rows = self.conn.execute(
            "SELECT d.doc_id, count(s.seq) FROM documents d LEFT JOIN segments s USING(doc_id) GROUP BY d.doc_id"
        )
        return {r[0]: r[1] for r in rows}

    def analyze_if_grown(self) -> bool:
        """Refresh SQLite's planner statistics (ANALYZE) once the store has grown or shrunk enough.

        Without statistics SQLite answers "company X, metric Y" by scanning every fact of metric
        Y in the store (11 ms at 1,000 releases); with them it goes company → documents → facts
        (0.1 ms). Returns whether it ran (ANALYZE takes ~50 ms at 1,000 releases).
        """
        n = self.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        last = int(self.get_meta("analyzed_documents") or 0)
        if n == last or (last and 1 / ANALYZE_GROWTH <= n / last <= ANALYZE_GROWTH):
            return False
        self.conn.execute("ANALYZE")
        self.set_meta("analyzed_documents", str(n))
        return True

    def health(self) -> list[str]:
        """Problems SQLite itself can see: a failed integrity check, broken references."""
        problems = []
        try:
            rows = [r[0] for r in self.conn.execute("PRAGMA quick_check")]
        except sqlite3.DatabaseError as e:
            return [f"database unreadable: {e}"]
        if rows != ["ok"]:
            problems.append("integrity check failed: " + "; ".join(rows[:3]))
        if self.conn.execute("PRAGMA foreign_key_check").fetchone():
            problems.append("segments or facts refer to documents that are not in the store")
        return problems


@dataclass(frozen=True)
class FactRow:
    """A stored fact with its document's company, path and source hash."""

    id: int
    doc_id: str
    metric: str
    label: str
    value: float
    value_high: float | None
    unit: str
    period: Period
    basis: str
    as_printed: str
    scale: float
    char_start: int
    char_end: int
    label_start: int
    label_end: int
    cite_start: int
    cite_end: int
    cite_kind: str
    table: int | None
    source: str
    context: str
    company: str
    path: str
    sha256: str

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> FactRow:
        """Build from a joined facts/documents row."""
        return cls(
            id=r["id"],
            doc_id=r["doc_id"],
            metric=r["metric"],
            label=r["label"],
            value=r["value"],
            value_high=r["value_high"],
            unit=r["unit"],
            period=Period(r["period_start"], r["period_end"], r["period_kind"], r["period_label"]),
            basis=r["basis"],
            as_printed=r["as_printed"],
            scale=r["scale"],
            char_start=r["char_start"],
            char_end=r["char_end"],
            label_start=r["label_start"],
            label_end=r["label_end"],
            cite_start=r["cite_start"],
            cite_end=r["cite_end"],
            cite_kind=r["cite_kind"],
            table=r["tbl"],
            source=r["source"],
            context=r["context"],
            company=r["company"],
            path=r["path"],
            sha256=r["sha256"],
        )


def default_store_dir() -> Path:
    """EXHIBIT_STORE, else the per-user data directory."""
    env = os.environ.get("EXHIBIT_STORE")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("exhibit", appauthor=False)) / "store"


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as e:
        if e.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise StoreError(f"cannot lock store: {e.strerror or e}") from None


def _lock_holder(fd: int) -> str:
    """What the lock file says about its holder ("pid 1234"), or ""."""
    try:
        return os.pread(fd, 64, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""


def lock_timeout() -> float:
    """Seconds a second writer waits for the store: $EXHIBIT_LOCK_TIMEOUT, else 600."""
    return _env_float("EXHIBIT_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT)


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        print(f"exhibit: ignoring {name}={os.environ[name]!r} (not a number of seconds)", file=sys.stderr)
        return default


def dumps(obj) -> str:
    """Compact JSON for stored extras."""
    import json

    return json.dumps(obj, separators=(",", ":"))
