"""The library the CLI, the TUI and the renderer share: a store, its index, and what you can ask of them."""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import ExhibitError, StoreError

from .citations import fact_citations
from .metrics import synonym_groups
from .store import FactRow, Store, default_store_dir

TYPE_CHECKING = False  # (not `typing`'s: importing it costs `exhibit ask` ~2 ms)
if TYPE_CHECKING:
    from index.search import SegmentIndex

    from .ingest import IngestReport

# index.search (Whoosh: ~130 ms of imports) and qa.ingest are imported on first use, so that
# `exhibit ask` for a figure, answered from SQLite alone, starts without them.

__all__ = ["Library", "IndexStatus", "open_library", "default_store_dir", "bundled_corpus"]

# index_status without `thorough`: count the index only up to this many segments (~100 releases) ...
CHEAP_COUNT_SEGMENTS = 20_000
# ... or when its folder holds fewer bytes than this per stored segment (a healthy one holds ~700).
MIN_INDEX_BYTES_PER_SEGMENT = 200


def _folder_bytes(path: Path) -> int:
    try:
        return sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    except OSError:
        return 0


@dataclass
class IndexStatus:
    """The index compared with the store (see `Library.index_status`)."""

    unreadable: str = ""  # why the index cannot be read, if it cannot
    missing: set[str] = field(default_factory=set)  # documents in the store, not in the index
    extra: set[str] = field(default_factory=set)  # documents in the index, not in the store
    pending: set[str] = field(default_factory=set)  # written to SQLite, index commit not yet landed
    store_segments: int = 0
    index_segments: int = -1
    counted: bool = True  # False when index_segments was assumed, not counted (see index_status)

    @property
    def ok(self) -> bool:
        """True when the index holds exactly the store's documents and segments."""
        return not (
            self.unreadable
            or self.missing
            or self.extra
            or self.pending
            or self.store_segments != self.index_segments
        )


def bundled_corpus() -> Path:
    """The folder of releases shipped with Exhibit."""
    from corpus import CORPUS_DIR

    return CORPUS_DIR


class Library:
    """A store folder opened for reading and ingesting."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.store = Store(self.root)
        self._index: SegmentIndex | None = None
        self._synonyms = synonym_groups()

    @property
    def index(self) -> SegmentIndex:
        """The Whoosh index over segments (opened on first use)."""
        if self._index is None:
            from index.search import SegmentIndex

            self._index = SegmentIndex(self.store.index_path)
        return self._index

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    # --- ingest ------------------------------------------------------------------------

    def ingest(
        self, paths, progress=None, *, jobs: int = 1, wait: float | None = None, on_wait=None
    ) -> IngestReport:
        """Ingest files and folders into the store and the index.

        Holds the store's writer lock (a second writer waits up to `wait` seconds, calling
        `on_wait(holder)` first); repairs the index before and after (see `repair_index`).
        """
        from .ingest import ingest

        with self.store.writer_lock(wait, on_wait):
            self.repair_index()
            rep = ingest(self.store, paths, index=self.index, progress=progress, jobs=jobs)
            self.repair_index()
            if rep.added:
                self.store.analyze_if_grown()
        return rep

    def index_status(self, thorough: bool = True) -> IndexStatus:
        """How the index compares with the store.

        `thorough` (doctor) counts the index's segments and compares the document sets. Otherwise
        (every ingest, before and after) the index is counted only when that is cheap or the index
        looks too small for the store: counting opens every index segment, and Whoosh copies each
        segment's postings into memory to do so (150 MB at 1,000 releases), which would make an
        ingest's memory grow with the store. Every write the store makes is tracked in
        `index_pending`, so an index that is big enough and has nothing pending is taken as whole.
        """
        st = IndexStatus(pending=self.store.pending_index(), store_segments=self.store.segment_count())
        try:
            idx = self.index
            if idx.needs_rebuild:
                st.unreadable = "built by another version of Exhibit"
                return st
            if (
                thorough
                or st.store_segments <= CHEAP_COUNT_SEGMENTS
                or _folder_bytes(idx.path) < st.store_segments * MIN_INDEX_BYTES_PER_SEGMENT
            ):
                st.index_segments = idx.count()
            else:
                st.index_segments, st.counted = st.store_segments, False
            if thorough:
                in_store = self.store.doc_ids()
                in_index = idx.doc_ids()
                st.missing, st.extra = in_store - in_index, in_index - in_store
        except ExhibitError:
            raise
        except Exception as e:  # a damaged index raises whatever its reader trips over
            st.unreadable = f"{type(e).__name__}: {e}"[:200]
        return st

    def index_drift(self) -> tuple[set[str], set[str]]:
        """(documents in the store but not (or not correctly) in the index, documents only in the index)."""
        st = self.index_status()
        if st.unreadable:
            return self.store.doc_ids(), set()
        return st.missing | st.pending, st.extra

    def repair_index(self, thorough: bool = False, force: bool = False) -> str:
        """Bring the index in line with the store; returns what was done ("" when nothing).

        Pending documents (written to SQLite by an ingest that died before its index commit)
        are re-indexed from SQLite; an unreadable index, or one whose size or documents differ
        from the store's, is rebuilt from SQLite.
        """
        with self.store.writer_lock():
            st = self.index_status(thorough=thorough)
            if force or st.unreadable:
                n = self.rebuild_index(fresh=bool(st.unreadable) or force)
                return f"index rebuilt from the store: {n} documents"
            done = ""
            if st.pending:
                self._sync(st.pending)
                done = f"{len(st.pending)} documents re-indexed from the store"
                st = self.index_status(thorough=thorough)
            if st.missing or st.extra or st.index_segments != st.store_segments:
                n = self.rebuild_index()
                done = f"index rebuilt from the store: {n} documents"
            return done

    def _sync(self, doc_ids: set[str]) -> None:
        """Re-index these documents from SQLite (or drop them from the index if SQLite has none)."""
        with self.index.bulk(merge=True) as b:
            for doc_id in sorted(doc_ids):
                d = self.store.conn.execute(
                    "SELECT company, main_period FROM documents WHERE doc_id=?", (doc_id,)
                ).fetchone()
                if d is None:
                    b.delete_document(doc_id)
                else:
                    b.replace_document(doc_id, d[0], d[1], self.store.segments(doc_id))
        self.store.clear_pending(doc_ids)

    def rebuild_index(self, fresh: bool = False) -> int:
        """Rebuild the whole index from the store; returns the number of documents.

        `fresh` first moves the old index folder aside (for an index too damaged to open).
        """
        with self.store.writer_lock():
            if fresh:
                self._discard_index()
            docs = self.store.documents()
            self.index.rebuild(
                (d.doc_id, d.company, d.main_period, self.store.segments(d.doc_id)) for d in docs
            )
            self.store.clear_pending()
            return len(docs)

    def _discard_index(self) -> None:
        import shutil

        self._index = None
        path = self.store.index_path
        aside = path.with_name(f"{path.name}.old-{os.getpid()}")
        shutil.rmtree(aside, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            os.replace(path, aside)  # one rename: readers see the old index or none
        shutil.rmtree(aside, ignore_errors=True)

    # --- reads -------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        company=None,
        period=None,
        kind=None,
        doc_id=None,
        limit=10,
        highlight=True,
        synonyms=True,
    ):
        """Ranked passages for a query, with lexicon synonyms expanded (unless `synonyms` is false)."""
        if isinstance(company, str):
            company = self.resolve_company_name(company) or company
        try:
            return self.index.search(
                query,
                company=company,
                period=period,
                kind=kind,
                doc_id=doc_id,
                limit=limit,
                synonyms=self._synonyms if synonyms else None,
                highlight=highlight,
            )
        except ExhibitError:
            raise
        except Exception as e:  # a damaged index: one clear line, not a traceback
            self._index = None
            raise StoreError(
                f"the search index in {self.store.index_path} cannot be read ({type(e).__name__}); "
                "run `exhibit doctor` to rebuild it from the store"
            ) from None

    def resolve_company_name(self, name: str) -> str | None:
        """A company's stored display name from a name, ticker or key."""
        from .store import company_key

        key = company_key(name)
        for k, disp, ticker in self.store.companies():
            if key == k or name.upper() == ticker or key in k:
                return disp
        return None

    def facts(self, *, company=None, metric=None, period=None, doc_id=None, basis=None) -> list[FactRow]:
        """Facts with filters; `period` is an end date or a label such as 'Q1 2004'."""
        period_end = None
        label = None
        if period:
            if re.fullmatch(r"\d{4}-\d\d-\d\d", period):
                period_end = period
            else:
                label = period.strip().lower()
        if company:
            from .questions import _find_company

            # The same company resolution as questions: name, ticker, initials, or a renamed company's group.
            keys, _ = _find_company(company, self.store.companies())
            company = keys or company
        rows = self.store.facts(
            company=company, metric=metric, period_end=period_end, doc_id=doc_id, basis=basis
        )
        if label:
            rows = [f for f in rows if f.period.label.lower() == label]
        return rows

    def text_for(self, sha: str) -> str:
        """The decoded text of a stored source file."""
        return self.store.text(sha)

    def is_html(self, doc_id: str) -> bool:
        """Whether a document's source is HTML."""
        d = self.store.document(doc_id)
        return bool(d and d.format == "html")

    def fact_json(self, f: FactRow) -> dict:
        """A fact as `exhibit facts --json` prints it (DESIGN.md fields, citations first the figure's)."""
        text = self.text_for(f.sha256)
        return {
            "metric": f.metric,
            "label": f.label,
            "value": f.value,
            "value_high": f.value_high,
            "unit": f.unit,
            "period": {
                "start": f.period.start,
                "end": f.period.end,
                "kind": f.period.kind,
                "label": f.period.label,
            },
            "basis": f.basis,
            "as_printed": f.as_printed,
            "scale": f.scale,
            "company": f.company,
            "doc_id": f.doc_id,
            "source": f.source,
            "citations": fact_citations(f, text, self.is_html(f.doc_id)),
        }

    def hit_json(self, h) -> dict:
        """A search hit as `exhibit search --json` prints it: a citation plus score and highlights."""
        from .citations import citation

        d = self.store.document(h.doc_id)
        text = self.text_for(d.sha256) if d else ""
        c = citation(
            text,
            d.path if d else "",
            h.doc_id,
            h.char_start,
            h.char_end,
            h.kind,
            bool(d and d.format == "html"),
        )
        c.update(
            {
                "score": h.score,
                "highlights": h.highlights,
                "section": h.section,
                "company": h.company,
                "period": h.period,
            }
        )
        return c

    def ask(self, question: str):
        """Answer a question (see qa/answer.py)."""
        from .answer import answer

        with self.store.snapshot():
            return answer(self, question)

    def check(self, doc_id=None, company=None):
        """Audit findings for a document or company (see qa/audit.py)."""
        from .audit import audit

        return audit(self, doc_id=doc_id, company=company)


def open_library(root: str | Path, seed: bool = False) -> Library:
    """Open a store; a new default store is first filled from the bundled corpus."""
    lib = Library(root)
    if seed and not lib.store.doc_ids():
        lib.ingest([bundled_corpus()])
    return lib
