"""The Whoosh segment index: real index on disk, real release text, no mocks."""

from __future__ import annotations

import multiprocessing
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import search
from index.errors import ExhibitError
from index.model import Segment
from index.search import Hit, IndexBusy, SegmentIndex, analyze, expand_synonyms, split_highlights

MPOWER = Path(__file__).resolve().parents[1] / "corpus" / "mpower_2004q1_ex991.txt"  # the bundled release
COMPANY = "Mpower Holding Corporation"

# A small stand-in for the lexicon's synonyms (the real one lives in qa/metrics.py).
DEFAULT_SYNONYMS = {
    "selling, general and administrative": ["sg&a", "selling general and administrative", "sga"],
    "depreciation and amortization": ["d&a"],
    "earnings per share": ["eps", "per share"],
    "capital expenditures": ["capex"],
    "revenue": ["net sales", "total operating revenues", "revenues", "net revenues", "total net sales"],
}


def blocks(text: str, doc_id: str) -> list[Segment]:
    """Paragraph segments: the file split at blank lines, with exact offsets and lines."""
    segs = []
    for m in re.finditer(r"\S(?:.|\n(?!\s*\n))*", text):
        start, end = m.start(), m.end()
        line_start = text.count("\n", 0, start) + 1
        line_end = text.count("\n", 0, end) + 1
        display = " ".join(m.group(0).split())
        kind = "table" if re.search(r"\d\s{3,}\S", m.group(0)) else "paragraph"
        segs.append(Segment(doc_id, len(segs), kind, start, end, line_start, line_end, "Results", display))
    return segs


def seg(doc_id: str, seq: int, display: str, kind: str = "paragraph", section: str = "") -> Segment:
    """A made-up segment whose offsets are its place in an imagined text."""
    return Segment(
        doc_id, seq, kind, seq * 1000, seq * 1000 + len(display), seq + 1, seq + 1, section, display
    )


@pytest.fixture(scope="module")
def mpower_text() -> str:
    return MPOWER.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def idx(tmp_path, mpower_text) -> SegmentIndex:
    ix = SegmentIndex(tmp_path / "ix")
    ix.replace_document("mpower", COMPANY, "Q1 2004", blocks(mpower_text, "mpower"))
    ix.replace_document(
        "acme",
        "Acme Widgets Inc.",
        "Q2 2005",
        [
            seg(
                "acme",
                0,
                "Selling, general and administrative expenses were $1,234.5 million.",
                section="Costs",
            ),
            seg("acme", 1, "Diluted EPS was $0.42 compared with $0.40, up 17.7% year over year."),
            seg("acme", 2, "Net sales rose to $88.1 million.", kind="table_row"),
            seg("acme", 3, "Fees were higher. ARPU improved.", section="Operations"),
        ],
    )
    return ix


# ---------------------------------------------------------------- analyzer


PIECES = list("aAbBsSeEpPfFgG &%$,.'\u2019-() 0123456789\n") + [
    "the ",
    "percent",
    "per cent",
    "EPS ",
    "FEES ",
    "SG&A ",
    "Mpower's ",
    "17.7",
    "1,234",
]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_index_text_is_what_the_analyzer_indexes(text):
    # Ingest analyses segment texts in one pass; it must index exactly what the analyzer would.
    field = search._text_field()
    s = Segment("d", 0, "paragraph", 0, len(text), 1, 1, "", text)
    assert search.index_text([s]) == [list(field.index(text))]


def test_index_text_on_a_real_release(mpower_text):
    field = search._text_field()
    segs = blocks(mpower_text, "m")
    assert search.index_text(segs) == [list(field.index(s.display)) for s in segs]


def test_analyzer_keeps_ampersand_terms_whole():
    assert analyze("SG&A") == ["sg&a"]
    assert analyze("R&D, D&A, P&L and AT&T") == ["r&d", "d&a", "p&l", "at&t"]
    assert analyze("sg&a", "query") == ["sg&a"]


def test_analyzer_writes_figures_one_way():
    assert analyze("$1,234.5") == ["1234.5"]
    assert analyze("1234.5", "query") == analyze("1,234.5", "query") == ["1234.5"]
    assert analyze("($6,518)") == ["6518"]
    assert analyze("$17.50") == analyze("17.5")


def test_analyzer_percent_indexed_both_ways():
    assert analyze("up 17.7%") == ["up", "17.7", "17.7%"]
    assert analyze("17.7%", "query") == ["17.7%"]
    assert "17.7%" in analyze("17.7 percent")


def test_analyzer_acronyms_unstemmed_words_stemmed():
    assert analyze("EPS") == ["eps"]
    assert analyze("eps", "query") == ["eps"]  # typed in lower case: still the acronym
    assert analyze("EBITDA GAAP FDIC") == ["ebitda", "gaap", "fdic"]
    assert analyze("Revenues margins") == ["revenu", "margin"]
    # A short all-caps word is indexed as printed and stemmed, so "fees" still finds it.
    assert analyze("FEES") == ["fees", "fee"]


def test_analyzer_keeps_meaningful_short_words():
    assert analyze("the net loss per share was not material") == [
        "net",
        "loss",
        "per",
        "share",
        "not",
        "materi",
    ]
    assert analyze("Mpower's revenue") == ["mpower", "revenu"]


# ---------------------------------------------------------------- search


def test_search_sga_finds_acronym_and_spelled_out(idx):
    hits = idx.search("SG&A", synonyms=DEFAULT_SYNONYMS)
    found = {(h.doc_id, h.seq) for h in hits}
    mpower_sga = [h for h in hits if h.doc_id == "mpower" and "(SG&A)" in h.display]
    assert mpower_sga, "the paragraph that prints SG&A"
    assert ("acme", 0) in found, "spelled out only, found through the synonyms"
    # Without synonyms only segments that print "SG&A" match.
    plain = idx.search("SG&A")
    assert ("acme", 0) not in {(h.doc_id, h.seq) for h in plain}


def test_hit_spans_point_at_the_source(idx, mpower_text):
    hit = idx.search("SG&A expenses", company=COMPANY)[0]
    assert isinstance(hit, Hit)
    source = mpower_text[hit.char_start : hit.char_end]
    assert " ".join(source.split()) == hit.display
    lines = mpower_text.splitlines()
    assert lines[hit.line_start - 1].strip() in source
    assert hit.company == COMPANY and hit.period == "Q1 2004"
    assert hit.score > 0


def test_highlights_mark_matches(idx):
    hit = idx.search("SG&A", company=COMPANY)[0]
    runs = split_highlights(hit.highlights)
    assert ("SG&A", True) in runs
    assert "".join(text for text, _ in runs) in hit.display or len(hit.display) > 200


def test_highlight_falls_back_to_display_start(idx):
    # The match is in the section only, so the text has nothing to mark.
    hit = idx.search("operations", doc_id="acme")[0]
    assert hit.seq == 3
    assert hit.highlights == hit.display[:200]


def test_figures_match_with_or_without_commas(idx):
    for q in ("1234.5", "1,234.5", "$1,234.5"):
        assert [(h.doc_id, h.seq) for h in idx.search(q)] == [("acme", 0)], q


def test_percent_query(idx):
    assert ("acme", 1) in {(h.doc_id, h.seq) for h in idx.search("17.7%")}
    assert ("acme", 1) in {(h.doc_id, h.seq) for h in idx.search("17.7")}


def test_phrase_query(idx):
    hits = idx.search('"adjusted gross margin"')
    assert hits and all("adjusted gross margin" in h.display.lower() for h in hits)
    loose = idx.search("adjusted gross margin")
    assert len(loose) >= len(hits)


def test_all_terms_rank_first(idx):
    hits = idx.search("capital expenditures unrestricted cash")
    assert "unrestricted cash" in hits[0].display and "Capital expenditures" in hits[0].display


def test_single_word_queries_are_ranked(idx):
    hits = idx.search("EBITDA", limit=20)
    assert len(hits) > 2
    assert all(h.score > 0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_lowercase_acronym_query(idx):
    assert any(h.doc_id == "acme" and h.seq == 1 for h in idx.search("eps"))
    assert any(h.doc_id == "acme" and h.seq == 3 for h in idx.search("fees"))


def test_synonym_expansion_rewrites_query():
    q = expand_synonyms("Q1 SG&A expenses", DEFAULT_SYNONYMS)
    assert q.startswith('Q1 (SG&A OR "selling, general and administrative" OR sga')
    assert q.endswith(") expenses")
    # A phrase the user quoted is left alone.
    assert expand_synonyms('"SG&A expenses"', DEFAULT_SYNONYMS) == '"SG&A expenses"'
    # Longest variant wins and stemming makes "revenues" a variant of "revenue".
    assert "total net sales" in expand_synonyms("total net sales", DEFAULT_SYNONYMS)
    assert '"net sales"' in expand_synonyms("Revenues", DEFAULT_SYNONYMS)


def test_revenue_synonyms_find_net_sales(idx):
    assert ("acme", 2) in {(h.doc_id, h.seq) for h in idx.search("revenue", synonyms=DEFAULT_SYNONYMS)}


# ---------------------------------------------------------------- filters


def test_filters(idx):
    assert {h.doc_id for h in idx.search("expenses", company="acme widgets inc.")} == {"acme"}
    assert {h.doc_id for h in idx.search("expenses", company=COMPANY.upper())} == {"mpower"}
    assert idx.search("expenses", company="Acme") == []  # exact name, not substring
    assert {h.period for h in idx.search("million", period="Q2 2005")} == {"Q2 2005"}
    assert {h.period for h in idx.search("million", period="q1 2004")} == {"Q1 2004"}
    assert {h.kind for h in idx.search("million", kind="table_row")} == {"table_row"}
    assert {h.doc_id for h in idx.search("million", doc_id="mpower", limit=50)} == {"mpower"}
    both = idx.search("million", company="Acme Widgets Inc.", kind="table_row")
    assert [(h.doc_id, h.seq) for h in both] == [("acme", 2)]


def test_filtered_search_ranks_as_the_whole_index_does(idx):
    # Filtered searches keep the query's conjunctions within the filter's documents (for speed):
    # the hits and their scores must be exactly those of the unfiltered search, narrowed.
    for n in range(3):  # more releases, each its own commit: several index segments
        idx.replace_document(
            f"other{n}",
            f"Other Co {n}",
            "Q1 2004",
            [
                seg(f"other{n}", 0, "Our chief financial officer spoke about expenses and revenue."),
                seg(f"other{n}", 1, "The financial officer of the board; chief of staff."),
            ],
        )
    queries = [
        "chief financial officer",
        "CFO chief financial officer",
        '"financial officer"',
        "expenses -million",
        "SG&A expenses",
        "revenue OR fees",
        "(chief financial)^2 officer",  # boosts, AND inside OR
        "(chief AND financial)^3 OR officer",
    ]
    for q in queries:
        everything = idx.search(q, limit=1000, highlight=False)
        for company in (COMPANY, "Other Co 1", "Acme Widgets Inc."):
            want = [(h.doc_id, h.seq, round(h.score, 9)) for h in everything if h.company == company]
            got = idx.search(q, company=company, limit=1000, highlight=False)
            assert [(h.doc_id, h.seq, round(h.score, 9)) for h in got] == want, (q, company)


def test_filtered_conjunction_keeps_its_boost(idx):
    # The parser spreads boosts onto terms, but an engine query may carry one on a conjunction.
    from whoosh import query as wq

    terms = [wq.Term("text", "sg&a"), wq.Term("text", "expens")]
    flt = search._filter_query(company=COMPANY)
    s = idx._searcher()
    for boost in (1.0, 2.5):
        q = wq.And(terms, boost=boost)
        want = [(h.docnum, h.score) for h in s.search(wq.Require(q, flt), limit=None)]
        got = [(h.docnum, h.score) for h in s.search(search._Scoped(q, flt), limit=None, optimize=False)]
        assert want and got == want


def test_limit(idx):
    assert len(idx.search("2004", limit=3)) == 3
    assert idx.search("2004", limit=0) == []


# ---------------------------------------------------------------- writing


def test_replace_document_is_atomic_and_counts(idx, mpower_text):
    n_mpower = len(blocks(mpower_text, "mpower"))
    assert idx.count("mpower") == n_mpower
    assert idx.count("acme") == 4
    assert idx.count() == n_mpower + 4
    idx.replace_document(
        "acme", "Acme Widgets Inc.", "Q3 2005", [seg("acme", 0, "Backlog reached a record.")]
    )
    assert idx.count("acme") == 1
    assert idx.count() == n_mpower + 1
    assert idx.search("ARPU") == []
    assert [h.period for h in idx.search("backlog")] == ["Q3 2005"]


def test_doc_ids_and_delete(idx):
    assert idx.doc_ids() == {"mpower", "acme"}
    idx.delete_document("acme")
    assert idx.doc_ids() == {"mpower"}
    assert idx.count("acme") == 0
    idx.delete_document("never-there")
    assert idx.doc_ids() == {"mpower"}


def test_bulk_commits_once(tmp_path):
    ix = SegmentIndex(tmp_path / "ix")
    with ix.bulk() as b:
        for i in range(5):
            b.replace_document(f"d{i}", "Co", "Q1 2004", [seg(f"d{i}", 0, f"Revenue item {i}")])
        assert ix.count() == 0  # nothing visible before the commit
    assert ix.count() == 5
    with pytest.raises(RuntimeError), ix.bulk() as b:
        b.delete_document("d0")
        raise RuntimeError("ingest failed")
    assert ix.count() == 5, "a failed bulk is cancelled"


def test_postings_spilled_to_disk_index_the_same(tmp_path, monkeypatch, mpower_text):
    # A large ingest sorts its postings into runs on disk; the index must be the one built in memory.
    def build(path):
        ix = SegmentIndex(path)
        with ix.bulk() as b:
            for i in range(3):
                b.add_document(f"m{i}", f"Co {i}", "Q1 2004", blocks(mpower_text, f"m{i}"))
        return ix

    in_memory = build(tmp_path / "memory")
    monkeypatch.setattr(search, "WRITER_LIMIT_MB", 0.05)  # ~50 KB: a run every few hundred postings
    spilled = build(tmp_path / "spilled")
    for q in ("SG&A", "total operating revenues", "net loss per share", "March 31, 2004"):
        want = [(h.doc_id, h.seq, h.score) for h in in_memory.search(q, limit=100, highlight=False)]
        assert want
        assert [(h.doc_id, h.seq, h.score) for h in spilled.search(q, limit=100, highlight=False)] == want


def _postings(ix) -> dict:
    """Every term's statistics and postings (document, weight, encoded positions)."""
    out = {}
    with ix.searcher() as s:
        r = s.reader()
        for fieldname, term in r.all_terms():
            ti = r.term_info(fieldname, term)
            m = r.postings(fieldname, term)
            posts = []
            while m.is_active():
                posts.append((m.id(), m.weight(), m.value()))
                m.next()
            stats = (ti.weight(), ti.doc_frequency(), ti.min_length(), ti.max_length(), ti.max_weight())
            out[(fieldname, term)] = (stats, posts)
    return out


@pytest.mark.parametrize("limit_mb", [None, 0.05])
def test_our_writer_indexes_what_whoosh_would(tmp_path, monkeypatch, mpower_text, limit_mb):
    # Our writer (a leaner posting pool, field lengths read once, runs spilled as marshal chunks)
    # must write the postings and term statistics Whoosh's own writer writes.
    from whoosh import index as wix

    if limit_mb:
        monkeypatch.setattr(search, "WRITER_LIMIT_MB", limit_mb)
    ours = SegmentIndex(tmp_path / "ours")
    with ours.bulk() as b:
        for i in range(3):
            b.add_document(f"m{i}", f"Co {i}", "Q1 2004", blocks(mpower_text, f"m{i}"))
    (tmp_path / "stock").mkdir()
    stock = wix.create_in(str(tmp_path / "stock"), search.build_schema())
    w = stock.writer()
    for i in range(3):
        search.BulkWriter(w).add_document(f"m{i}", f"Co {i}", "Q1 2004", blocks(mpower_text, f"m{i}"))
    w.commit()
    want = _postings(stock)
    assert len(want) > 500
    assert _postings(ours._open()) == want


def test_a_kept_searcher_sees_terms_another_writer_added(tmp_path):
    # Term lookups are remembered per searcher; a commit elsewhere must still be seen, missing
    # terms included (a lookup that failed before the commit).
    reader = SegmentIndex(tmp_path / "ix")
    writer = SegmentIndex(tmp_path / "ix")
    writer.replace_document("a", "Co", "Q1 2004", [seg("a", 0, "Revenue rose.")])
    for _ in range(2):
        assert reader.search("widgets") == []
        assert [h.doc_id for h in reader.search("revenue")] == ["a"]
    writer.replace_document("b", "Co", "Q2 2004", [seg("b", 0, "Widgets revenue rose.")])
    assert [h.doc_id for h in reader.search("widgets")] == ["b"]
    assert sorted(h.doc_id for h in reader.search("revenue", company="co")) == ["a", "b"]


def test_rebuild_replaces_everything(idx):
    idx.rebuild([("new", "NewCo", "FY 2006", [seg("new", 0, "Fresh start."), seg("new", 1, "Second.")])])
    assert idx.doc_ids() == {"new"}
    assert idx.count() == 2
    assert not idx.needs_rebuild


def test_changed_analyzer_asks_for_rebuild(tmp_path, monkeypatch):
    path = tmp_path / "ix"
    SegmentIndex(path).replace_document("old", "OldCo", "Q1 2004", [seg("old", 0, "Old revenue.")])
    assert not SegmentIndex(path).needs_rebuild
    monkeypatch.setattr(search, "ANALYZER_VERSION", search.ANALYZER_VERSION + 1)
    newer = SegmentIndex(path)
    assert newer.needs_rebuild
    newer.rebuild([("new", "NewCo", "Q2 2004", [seg("new", 0, "New revenue.")])])
    assert not SegmentIndex(path).needs_rebuild
    assert SegmentIndex(path).doc_ids() == {"new"}
    assert [h.doc_id for h in SegmentIndex(path).search("revenue")] == ["new"]


def test_missing_or_empty_index_searches_empty(tmp_path):
    assert SegmentIndex(tmp_path / "fresh").search("revenue") == []
    ix = SegmentIndex(tmp_path / "gone")
    for f in (tmp_path / "gone").iterdir():
        f.unlink()
    (tmp_path / "gone").rmdir()
    assert ix.search("revenue") == []
    assert ix.doc_ids() == set() and ix.count() == 0


def test_empty_and_stopword_queries(idx):
    assert idx.search("") == []
    assert idx.search("   ") == []
    assert idx.search("the and of") == []


# ---------------------------------------------------------------- concurrency


def _hold_writer(path: str, ready, release) -> None:
    """In another process: take the write lock, add a segment, wait, then commit."""
    ix = SegmentIndex(path)
    with ix.bulk() as b:
        b.replace_document("late", "Late Co", "Q4 2004", [seg("late", 0, "Late revenue figure.")])
        ready.set()
        release.wait(30)


@pytest.fixture
def writer_elsewhere(idx):
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_writer, args=(str(idx.path), ready, release))
    proc.start()
    assert ready.wait(60), "the other process took the lock"
    yield release
    release.set()
    proc.join(60)
    assert proc.exitcode == 0


def test_writer_held_elsewhere_raises_index_busy(idx, writer_elsewhere):
    busy = SegmentIndex(idx.path, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(IndexBusy, match="another process") as err:
        busy.replace_document("acme", "Acme Widgets Inc.", "Q2 2005", [])
    assert isinstance(err.value, ExhibitError)
    assert 0.4 < time.monotonic() - started < 5


def test_search_while_writer_open_elsewhere(idx, writer_elsewhere):
    hits = idx.search("SG&A", company=COMPANY)
    assert hits and hits[0].doc_id == "mpower"
    assert "late" not in idx.doc_ids()  # uncommitted
    writer_elsewhere.set()
    deadline = time.monotonic() + 30
    while "late" not in idx.doc_ids() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "late" in idx.doc_ids()
    assert [h.doc_id for h in idx.search("late revenue figure")][0] == "late"


def test_waits_for_writer_to_finish(idx, writer_elsewhere):
    patient = SegmentIndex(idx.path, timeout=30)
    writer_elsewhere.set()  # the other process commits while we retry
    patient.delete_document("acme")
    assert patient.doc_ids() == {"mpower", "late"}


# ---------------------------------------------------------------- highlights helper


def test_split_highlights():
    assert split_highlights("a [[b]] c [[d]]") == [("a ", False), ("b", True), (" c ", False), ("d", True)]
    assert split_highlights("plain") == [("plain", False)]
    assert split_highlights("unclosed [[x") == [("unclosed [[x", False)]
    assert split_highlights("") == []
