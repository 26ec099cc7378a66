"""The library the CLI, the TUI and the renderer share: a store, its index, and what you can ask of them."""

from __future__ import annotations

import re
from pathlib import Path

from index.search import SegmentIndex

from .citations import fact_citations
from .ingest import IngestReport, ingest
from .metrics import synonym_groups
from .store import FactRow, Store, default_store_dir

__all__ = ["Library", "open_library", "default_store_dir", "bundled_corpus"]


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
            self._index = SegmentIndex(self.store.index_path)
        return self._index

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    # --- ingest ------------------------------------------------------------------------

    def ingest(self, paths, progress=None) -> IngestReport:
        """Ingest files and folders into the store and the index."""
        rep = ingest(self.store, paths, index=self.index, progress=progress)
        missing, extra = self.index_drift()
        if missing or extra:
            self.rebuild_index()
        return rep

    def index_drift(self) -> tuple[set[str], set[str]]:
        """(documents in the store but not the index, documents in the index but not the store)."""
        in_store = self.store.doc_ids()
        in_index = self.index.doc_ids()
        return in_store - in_index, in_index - in_store

    def rebuild_index(self) -> int:
        """Rebuild the whole index from the store; returns the number of documents."""
        docs = self.store.documents()
        self.index.rebuild((d.doc_id, d.company, d.main_period, self.store.segments(d.doc_id)) for d in docs)
        return len(docs)

    # --- reads -------------------------------------------------------------------------

    def search(self, query: str, *, company=None, period=None, kind=None, doc_id=None, limit=10):
        """Ranked passages for a query, with lexicon synonyms expanded."""
        if company:
            company = self.resolve_company_name(company) or company
        return self.index.search(
            query,
            company=company,
            period=period,
            kind=kind,
            doc_id=doc_id,
            limit=limit,
            synonyms=self._synonyms,
        )

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
