"""The full-text index over segments: Whoosh schema, finance analyzer, synonyms, queries.

Whoosh stays behind this module: callers see `SegmentIndex`, `Hit`, `IndexBusy`
and `split_highlights`, never a Whoosh object, so the engine could be replaced.

The index is a cache of what SQLite holds: `doc_ids()` lets the caller check the
two agree and `rebuild()` re-creates it from the store.
"""

from __future__ import annotations

import contextlib
import itertools
import marshal
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from whoosh import fields, highlight, index, qparser, writing
from whoosh import query as wquery
from whoosh.analysis import Filter, StopFilter, Token, Tokenizer
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.lang.porter import stem as porter_stem
from whoosh.matching import (
    IntersectionMatcher,
    ListMatcher,
    NullMatcher,
    RequireMatcher,
    UnionMatcher,
    WrappingMatcher,
)
from whoosh.util import make_binary_tree

from index.errors import StoreError
from index.model import Segment

# What unpickling an index written by code that has since moved or changed raises.
UNREADABLE = (AttributeError, ImportError, EOFError, ValueError)

# Bump when the analyzer's behaviour changes: the value is pickled into the index's
# schema, so an index built by older code compares unequal and `needs_rebuild` says so.
ANALYZER_VERSION = 1

HIGHLIGHT_OPEN = "[["
HIGHLIGHT_CLOSE = "]]"
FALLBACK_CHARS = 200
TEXT_BOOST = 1.0
PARSED_MEMO_SIZE = 256
# A writer's postings in memory before a sorted run goes to disk (Whoosh's own estimate of size).
WRITER_LIMIT_MB = 64
RUN_CHUNK = 20_000  # postings per marshal record in a run file
TERM_MEMO_SIZE = 20_000  # term lookups remembered per index segment of the kept searcher
SECTION_BOOST = 0.4

# Deliberately short: "net", "per", "share", "not", "no" carry meaning in releases.
# fmt: off
STOP_WORDS = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
    "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "will", "with",
    "s", "t",
])

# Acronyms that must never be stemmed even when typed in lower case ("eps" is not "ep").
ACRONYMS = frozenset([
    "eps", "ebit", "ebitda", "ebitdar", "gaap", "fdic", "ffo", "affo", "noi", "arpu", "capex",
    "opex", "cogs", "fcf", "roe", "roa", "roic", "roce", "roatce", "nim", "npl", "ytd", "ttm",
    "yoy", "qoq", "ipo", "bps", "sec", "ceo", "cfo", "coo", "cto",
])
# fmt: on

# One token: an ampersand word (SG&A, AT&T), a word with at least one letter
# (1Q04, T1, Mpower's), or a figure (1,234.5 / .5 / 17.7 followed by %).
TOKEN_RE = re.compile(
    r"""
    (?P<amp>(?<![\w&])[^\W\d_]{1,4}&[^\W\d_]{1,4}(?![\w&]))
    | (?P<word>\w*[^\W\d_]\w*(?:['\u2019][^\W\d_]{1,2}\b)?)
    | (?P<num>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?P<pct>\s?%)?
    """,
    re.VERBOSE,
)
BARE_WORD_RE = re.compile(r"[^\W_][\w&.,%$'\u2019-]*")
POSSESSIVE_RE = re.compile(r"['\u2019]s$")
PERCENT_WORD_RE = re.compile(r"\s+(?:percent|per\s?cent)\b", re.IGNORECASE)


class IndexBusy(StoreError):
    """Another process holds the index's write lock for longer than the timeout."""

    # A StoreError so the CLI reports it as one line with the store's exit code.
    title = "index busy"


@dataclass(frozen=True)
class Hit:
    """One ranked passage; `highlights` wraps matches in `[[` `]]` (see split_highlights)."""

    doc_id: str
    seq: int
    kind: str
    section: str
    company: str
    period: str
    char_start: int
    char_end: int
    line_start: int
    line_end: int
    display: str
    highlights: str
    score: float


# ---------------------------------------------------------------- analysis


def normalise_number(text: str) -> str:
    """`1,234.50` -> `1234.5`, `.5` -> `0.5`: one spelling for each printed figure."""
    digits = text.replace(",", "")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    if digits.startswith("."):
        digits = "0" + digits
    return digits or "0"


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    return porter_stem(word)


class FinanceTokenizer(Tokenizer):
    """Splits text into words, ampersand terms and figures, tagging each token's kind."""

    def __init__(self) -> None:
        self.version = ANALYZER_VERSION

    def __eq__(self, other):
        # Whoosh's Tokenizer compares classes only; the version must count too.
        return type(other) is type(self) and other.__dict__ == self.__dict__

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            # Wildcard/prefix terms arrive whole: lower-case them, nothing more.
            yield _fill(t, value, "raw", 0, len(value), start_pos, start_char, keeporiginal)
            return
        for pos, m in enumerate(TOKEN_RE.finditer(value)):
            yield _fill(
                t, m.group(0), _kind(m, value), m.start(), m.end(), start_pos + pos, start_char, keeporiginal
            )


def _kind(m: re.Match, value: str) -> str:
    if m.group("amp") is not None:
        return "amp"
    if m.group("word") is not None:
        return "word"
    # "17.7 percent" counts as a percentage too; the word itself stays a token of its own.
    return "pct" if m.group("pct") or PERCENT_WORD_RE.match(value, m.end("num")) else "num"


def _fill(t: Token, text: str, kind: str, start: int, end: int, pos: int, start_char: int, keep: bool):
    # Whoosh reuses one Token object, so every attribute we read later is set every time.
    t.text = text
    t.kind = kind
    t.shout = kind == "word" and len(text) <= 4 and text.isupper()
    t.boost = 1.0
    t.stopped = False
    if keep:
        t.original = text
    if t.positions:
        t.pos = pos
    if t.chars:
        t.startchar = start_char + start
        t.endchar = start_char + end
    return t


class FinanceNormalizeFilter(Filter):
    """Lower-cases words, drops possessives and writes figures one way (`1234.5`)."""

    def __call__(self, tokens):
        for t in tokens:
            if t.kind in ("num", "pct"):
                t.text = normalise_number(t.text.rstrip("% ").strip())
            else:
                t.text = POSSESSIVE_RE.sub("", t.text.lower()).replace("'", "").replace("\u2019", "")
            yield t


class FinanceStemFilter(Filter):
    """Stems ordinary words; keeps acronyms; adds same-position variants when indexing.

    At index time a short all-caps word ("FEES") is indexed both as typed and
    stemmed, and a percentage both as `17.7` and `17.7%`, so that either spelling
    of a query finds it. At query time each token yields exactly one term so
    phrases keep their positions.
    """

    def __call__(self, tokens):
        for t in tokens:
            if t.kind == "pct":
                yield from _variants(t, (t.text, t.text + "%") if t.mode == "index" else (t.text + "%",))
            elif t.kind != "word" or t.text in ACRONYMS:
                yield t
            elif t.shout:
                stemmed = _stem(t.text)
                keep = (t.text, stemmed) if t.mode == "index" and stemmed != t.text else (t.text,)
                yield from _variants(t, keep)
            else:
                t.text = _stem(t.text)
                yield t


def _variants(t: Token, texts: Sequence[str]) -> Iterator[Token]:
    # Same position and characters for each variant: phrase queries and highlights stay right.
    for text in texts:
        t.text = text
        yield t


def finance_analyzer():
    """The one analyzer used for indexing, querying and highlighting `text` and `section`."""
    return (
        FinanceTokenizer()
        | FinanceNormalizeFilter()
        | StopFilter(stoplist=STOP_WORDS, minsize=1, renumber=True)
        | FinanceStemFilter()
    )


def analyze(text: str, mode: str = "index") -> list[str]:
    """The terms `text` becomes in the index (mode "index") or in a query (mode "query")."""
    return [t.text for t in finance_analyzer()(text, mode=mode)]


class Indexed:
    """A field value already indexed: its field's `index()` items, (term bytes, frequency, weight,
    encoded positions). Written as is: the writer does not analyse the value again."""

    __slots__ = ("items",)

    def __init__(self, items: list[tuple]) -> None:
        self.items = items


class _Preindexed:
    """A field that also takes an `Indexed` value (otherwise it indexes as Whoosh does)."""

    def index(self, value, **kwargs):
        if isinstance(value, Indexed):
            return iter(value.items)
        return super().index(value, **kwargs)


# Equal to Whoosh's TEXT and ID (Whoosh compares fields by format, not class).
class TextField(_Preindexed, fields.TEXT):
    """Whoosh's TEXT, taking `Indexed` values too."""


class IdField(_Preindexed, fields.ID):
    """Whoosh's ID, taking `Indexed` values too."""


def build_schema() -> fields.Schema:
    """The segment schema; `text` holds the segment's display words."""
    analyzer = finance_analyzer()
    # "phrase": a hyphenated query word such as "non-GAAP" must stay a phrase, not an OR.
    text_field = dict(analyzer=analyzer, stored=True, multitoken_query="phrase")
    return fields.Schema(
        doc_id=IdField(stored=True),
        seq=fields.STORED(),
        kind=IdField(stored=True),
        section=TextField(**text_field),
        # Whoosh's ID cannot lower-case, so the filters match lower-cased copies.
        company=TextField(stored=True),
        company_key=IdField(),
        period=fields.STORED(),
        period_key=IdField(),
        text=TextField(**text_field),
        char_start=fields.STORED(),
        char_end=fields.STORED(),
        line_start=fields.STORED(),
        line_end=fields.STORED(),
    )


# ---------------------------------------------------------------- synonyms


@dataclass(frozen=True)
class _Occurrence:
    start: int
    end: int
    alternatives: tuple[str, ...]


def expand_synonyms(raw: str, synonyms: Mapping[str, Sequence[str]] | None) -> str:
    """Rewrites the query so each synonym found in it becomes `("as typed" OR "variant" ...)`."""
    if not synonyms or not raw.strip():
        return raw
    groups = _synonym_groups_of(tuple((k, tuple(v)) for k, v in synonyms.items()))
    tokens = _query_tokens(raw)
    found = _find_occurrences(tokens, groups)
    for occ in reversed(found):  # right to left so earlier offsets stay valid
        typed = _quote(raw[occ.start : occ.end])
        alts = " OR ".join([typed, *(_quote(a) for a in occ.alternatives)])
        raw = raw[: occ.start] + "(" + alts + ")" + raw[occ.end :]
    return raw


@lru_cache(maxsize=8)
def _synonym_groups_of(
    synonyms: tuple[tuple[str, tuple[str, ...]], ...],
) -> list[list[tuple[tuple[str, ...], str]]]:
    # The lexicon's synonyms are the same for every query: analysed once.
    return _synonym_groups(dict(synonyms))


def _synonym_groups(synonyms: Mapping[str, Sequence[str]]) -> list[list[tuple[tuple[str, ...], str]]]:
    # Each group: its members as (query terms, phrase as written), canonical first.
    groups = []
    for canonical, variants in synonyms.items():
        members = []
        for phrase in (canonical, *variants):
            terms = tuple(analyze(phrase, "query"))
            if terms and all(terms != m[0] for m in members):
                members.append((terms, phrase))
        groups.append(members)
    return groups


def _query_tokens(raw: str) -> list[tuple[str, int, int]]:
    # Terms inside quotes are the user's own phrase: mark them so they are not rewritten.
    quoted = _quoted_spans(raw)
    out = []
    for t in finance_analyzer()(raw, mode="query", chars=True):
        inside = any(s <= t.startchar < e for s, e in quoted)
        out.append(("" if inside else t.text, t.startchar, t.endchar))
    return out


def _quoted_spans(raw: str) -> list[tuple[int, int]]:
    marks = [i for i, c in enumerate(raw) if c == '"']
    if len(marks) % 2:
        marks.append(len(raw))  # an unclosed quote runs to the end, as Whoosh reads it
    return list(zip(marks[::2], marks[1::2], strict=True))


def _find_occurrences(tokens, groups) -> list[_Occurrence]:
    # Greedy, longest first, no overlaps: "total net sales" wins over "net sales".
    found, i = [], 0
    words = [t[0] for t in tokens]
    while i < len(tokens):
        best = None
        for members in groups:
            for terms, _ in members:
                n = len(terms)
                if tuple(words[i : i + n]) == terms and (best is None or n > best[0]):
                    best = (n, members, terms)
        if best is None:
            i += 1
            continue
        n, members, terms = best
        alts = tuple(phrase for t, phrase in members if t != terms)
        found.append(_Occurrence(tokens[i][1], tokens[i + n - 1][2], alts))
        i += n
    return found


def _quote(phrase: str) -> str:
    # A plain single word stays bare so the parser gives it the per-field boosts.
    if BARE_WORD_RE.fullmatch(phrase):
        return phrase
    return '"' + phrase.replace('"', " ").strip() + '"'


# ---------------------------------------------------------------- highlights


class _BracketFormatter(highlight.Formatter):
    """Wraps each matched term in `[[` `]]`; fragments are joined with an ellipsis."""

    between = " \u2026 "

    def format_token(self, text, token, replace=False):
        return HIGHLIGHT_OPEN + highlight.get_text(text, token, replace) + HIGHLIGHT_CLOSE


def split_highlights(s: str) -> list[tuple[str, bool]]:
    """Splits a highlight string into (text, is_match) runs for the CLI and TUI to style."""
    runs: list[tuple[str, bool]] = []
    pos = 0
    while pos < len(s):
        start = s.find(HIGHLIGHT_OPEN, pos)
        end = s.find(HIGHLIGHT_CLOSE, start + len(HIGHLIGHT_OPEN)) if start >= 0 else -1
        if start < 0 or end < 0:
            runs.append((s[pos:], False))
            break
        if start > pos:
            runs.append((s[pos:start], False))
        runs.append((s[start + len(HIGHLIGHT_OPEN) : end], True))
        pos = end + len(HIGHLIGHT_CLOSE)
    return [r for r in runs if r[0]]


# ---------------------------------------------------------------- the index


class SegmentIndex:
    """The on-disk segment index: one Whoosh document per Segment."""

    def __init__(self, path: str | Path, *, timeout: float = 30.0):
        """Opens the index at `path`, creating the folder and an empty index if missing."""
        self.path = Path(path)
        self.timeout = timeout
        self._schema = build_schema()
        self._ix = None
        # One searcher kept between searches, reopened when a commit has landed (see `_searcher`).
        self._kept: tuple[object, int, object] | None = None  # (index, generation, searcher)
        self._lock = threading.Lock()  # a Whoosh searcher is not safe for two threads at once
        self._parsers: dict = {}
        self._parsed: dict = {}  # query text -> engine query (a TUI or a batch asks the same again)
        # A read-only place still searches (as empty); an unreadable one waits for rebuild().
        with contextlib.suppress(OSError, *UNREADABLE):
            self._open(create=True)

    # -- opening

    def _open(self, create: bool = False):
        """The Whoosh index, or None when there is none (and `create` is false)."""
        if self._ix is not None:
            return self._ix
        if index.exists_in(str(self.path)):
            self._ix = _storage(self.path).open_index(schema=self._schema)
        elif create:
            self.path.mkdir(parents=True, exist_ok=True)
            self._ix = _storage(self.path).create_index(self._schema)
        return self._ix

    @property
    def needs_rebuild(self) -> bool:
        """True when the index on disk was built with another schema or analyzer."""
        try:
            ix = self._open()
            # The index is opened with our schema (its writers must use our fields): compare the one
            # its last commit recorded.
            stored = None if ix is None else TOC.read(ix.storage, ix.indexname).schema
        except UNREADABLE:
            return True
        return ix is not None and not _same_schema(stored, self._schema)

    # -- writing

    def _writer(self, ix=None):
        """A writer, retrying with backoff while another process holds the lock."""
        ix = ix or self._open(create=True)
        deadline = time.monotonic() + self.timeout
        delay = 0.02
        while True:
            try:
                # Postings past WRITER_LIMIT_MB are sorted into a run on disk: memory stays flat.
                w = ix.writer(procs=1, limitmb=WRITER_LIMIT_MB)
                w.pool = _PostingPool(w._tempstorage, w.newsegment, limitmb=WRITER_LIMIT_MB)
                w.per_document_reader = _lengths_in_memory(w.per_document_reader)
                return w
            except index.LockError:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise IndexBusy(
                        f"search index {self.path} is being written by another process "
                        f"(waited {self.timeout:g}s)"
                    ) from None
                time.sleep(min(delay, left))
                delay = min(delay * 2, 1.0)

    def replace_document(self, doc_id: str, company: str, period: str, segments: Iterable[Segment]) -> None:
        """Atomically delete the doc's segments and add the new ones (one writer commit)."""
        with self.bulk(merge=True) as b:
            b.replace_document(doc_id, company, period, segments)

    def delete_document(self, doc_id: str) -> None:
        """Removes every segment of `doc_id` (no error if there are none)."""
        with self.bulk(merge=True) as b:
            b.delete_document(doc_id)

    @contextlib.contextmanager
    def bulk(self, *, optimize: bool = False, merge: bool = False) -> Iterator[BulkWriter]:
        """One writer and one commit for many documents; cancelled if the block raises."""
        w = self._writer()
        try:
            yield BulkWriter(w)
        except BaseException:
            w.cancel()
            raise
        # merge=False keeps a large ingest's commit fast; optimize folds segments into one.
        w.commit(merge=merge, optimize=optimize)

    def rebuild(self, docs: Iterable[tuple[str, str, str, Iterable[Segment]]]) -> None:
        """Wipes the index and adds every (doc_id, company, period, segments) given."""
        if self.needs_rebuild:
            self._recreate(docs)
            return
        w = self._writer()
        try:
            b = BulkWriter(w)
            for doc_id, company, period, segments in docs:
                b.add_document(doc_id, company, period, segments)
        except BaseException:
            w.cancel()
            raise
        # CLEAR drops every old segment in the same commit: readers see old or new, never half.
        w.commit(mergetype=writing.CLEAR)

    def _recreate(self, docs) -> None:
        # The schema changed: only a fresh index will do. Hold the write lock meanwhile.
        self.path.mkdir(parents=True, exist_ok=True)
        storage = _storage(self.path)
        lock = storage.lock(index._DEF_INDEX_NAME + "_WRITELOCK")
        deadline = time.monotonic() + self.timeout
        while not lock.acquire(blocking=False):
            if time.monotonic() > deadline:
                raise IndexBusy(f"search index {self.path} is being written by another process")
            time.sleep(0.05)
        try:
            self._ix = storage.create_index(self._schema)
            w = self._ix.writer(procs=1, limitmb=128, _lk=False)
            b = BulkWriter(w)
            for doc_id, company, period, segments in docs:
                b.add_document(doc_id, company, period, segments)
            w.commit()
        finally:
            lock.release()

    # -- reading

    def _searcher(self):
        """The kept searcher, reopened when the index has a newer commit (another process's too).

        A new searcher rather than Whoosh's `refresh()`: that one reuses readers of segments
        whose deletions have changed since, and keeps segments a merge has replaced."""
        ix = self._open()
        if ix is None:
            return None
        gen = ix.latest_generation()
        kept = self._kept
        if kept is None or kept[0] is not ix or kept[1] != gen:
            # The old searcher's files close when it is dropped (open files of segments a merge has
            # since deleted keep it readable meanwhile).
            self._kept = None
            kept = self._kept = (ix, gen, _remembering_terms(ix.searcher()))
        return kept[2]

    def doc_ids(self) -> set[str]:
        """The documents the index holds (to check against the SQLite store)."""
        with _reading(self) as s:
            if s is None:
                return set()
            # The lexicon keeps terms of deleted documents until a merge: check each is live.
            terms = [t.decode("utf-8") for t in s.lexicon("doc_id")]
            return {t for t in terms if _first_doc(s, wquery.Term("doc_id", t)) is not None}

    def count(self, doc_id: str | None = None) -> int:
        """How many segments the index holds, in all or for one document."""
        if doc_id is None:
            try:
                ix = self._open()
                # The commit's table of contents says how many live documents each segment holds:
                # no segment needs opening.
                return 0 if ix is None else sum(seg.doc_count() for seg in ix._segments())
            except (index.EmptyIndexError, *UNREADABLE):
                return 0
        with _reading(self) as s:
            if s is None:
                return 0
            return sum(1 for _ in wquery.Term("doc_id", doc_id).docs(s))

    def search(
        self,
        query: str,
        *,
        company: str | Sequence[str] | None = None,
        period: str | None = None,
        kind: str | None = None,
        doc_id: str | Sequence[str] | None = None,
        limit: int = 10,
        synonyms: Mapping[str, Sequence[str]] | None = None,
        highlight: bool = True,
    ) -> list[Hit]:
        """Ranked passages for a query, optionally filtered; [] when nothing or no index.

        `company` and `doc_id` take one value or several (any of them).

        `highlight=False` skips building highlight fragments (the costly part) when only spans are wanted."""
        if not query.strip() or limit <= 0:
            return []
        q = self.parse(query, synonyms=synonyms)
        flt = _filter_query(company=company, period=period, kind=kind, doc_id=doc_id)
        for attempt in range(3):
            try:
                with _reading(self) as s:
                    if s is None:
                        return []
                    if flt is None:
                        results = s.search(q, limit=limit)
                    else:
                        # The filter inside the query: the matcher skips to the filter's few
                        # segments instead of scoring every match in the index and dropping most.
                        # (Whoosh's quality skipping trips an assertion on Require: off here.)
                        results = s.search(_Scoped(q, flt), limit=limit, optimize=False)
                    if not highlight:
                        return [_hit(h, marked=False) for h in results]
                    _configure_highlights(results)
                    return [_hit(h) for h in results]
            except FileNotFoundError:
                # A concurrent commit removed a segment file between TOC read and open.
                self._kept = None
                if attempt == 2:
                    raise
                time.sleep(0.05)
        return []

    def parse(self, query: str, *, synonyms: Mapping[str, Sequence[str]] | None = None):
        """The engine query for a user's query string (exposed for debugging and tests)."""
        text = expand_synonyms(query, synonyms)
        q = self._parsed.get(text)
        if q is None:
            if len(self._parsed) >= PARSED_MEMO_SIZE:
                self._parsed.clear()
            q = self._parsed[text] = self._parse(text)
        return q

    def _parse(self, text: str):
        all_terms = self._parser(qparser.AndGroup).parse(text)
        if isinstance(all_terms, wquery.And) and not any(
            isinstance(sub, wquery.Not) for sub in all_terms.subqueries
        ):
            # The same terms under OR: no second parse (the query parser costs ~2 ms a parse).
            any_term = wquery.Or(list(all_terms.subqueries))
        else:
            any_term = self._parser(qparser.OrGroup).parse(text)
        # Any term matches; a passage with every term also scores the AND clause, so it
        # ranks first. (OrGroup.factory(0.9)'s coordination scores a query that meets a
        # single term matcher as 0, which left one-word searches unranked.)
        q = any_term if any_term == all_terms else wquery.Or([any_term, all_terms])
        return q.accept(_boost_section)

    def _parser(self, group):
        # Built once per group: a parser holds no state between parses.
        if group not in self._parsers:
            self._parsers[group] = qparser.MultifieldParser(
                ["text", "section"],
                self._schema,
                fieldboosts={"text": TEXT_BOOST, "section": SECTION_BOOST},
                group=group,
            )
        return self._parsers[group]


def _boost_section(q):
    # The parser boosts only single words per field; phrases on `section` get it here.
    if isinstance(q, wquery.Phrase) and q.fieldname == "section" and q.boost == 1.0:
        q.boost = SECTION_BOOST
    return q


class _PostingPool(writing.PostingPool):
    """Whoosh's posting pool, made cheaper for a large ingest: `add` skips the per-posting type
    checks (our fields make bytes), and a run goes to disk as marshal records of RUN_CHUNK postings
    rather than one pickle per posting."""

    def add(self, item):
        # item = (fieldname, term bytes, docnum, weight, value bytes); Whoosh's size estimate.
        self.currentsize += 150 + len(item[0]) + 2 * len(item[1]) + (len(item[4]) if item[4] else 0)
        if self.currentsize > self.limit:
            self.save()
        self.current.append(item)

    def _write_run(self, f, items):
        items = iter(items)
        while chunk := list(itertools.islice(items, RUN_CHUNK)):
            marshal.dump(chunk, f)
        f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = marshal.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


def _lengths_in_memory(per_document_reader):
    """The writer's `per_document_reader`, whose field lengths come from a list read once per field.

    Writing a segment asks each posting's document length (for the block statistics); Whoosh reads it
    from the length column every time, a third of the time a commit takes."""

    def open_reader():
        return _FieldLengths(per_document_reader())

    return open_reader


class _FieldLengths:
    """A per-document reader with `doc_field_length` answered from memory (same values)."""

    def __init__(self, reader) -> None:
        self._reader = reader
        self._lengths: dict[str, list] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        if default != 0:  # (the lists hold the lengths read with the default of 0)
            return self._reader.doc_field_length(docnum, fieldname, default)
        col = self._lengths.get(fieldname)
        if col is None:
            n = self._reader.doc_count_all()
            col = self._lengths[fieldname] = [self._reader.doc_field_length(i, fieldname) for i in range(n)]
        return col[docnum] if docnum < len(col) else self._reader.doc_field_length(docnum, fieldname)

    def __getattr__(self, name: str):
        return getattr(self._reader, name)


class BulkWriter:
    """What `SegmentIndex.bulk()` yields: writes that land in one commit."""

    def __init__(self, writer):
        self._w = writer

    def replace_document(
        self,
        doc_id: str,
        company: str,
        period: str,
        segments: Iterable[Segment],
        text_items: Sequence[list[tuple]] | None = None,
    ) -> None:
        """Deletes the doc's segments and adds these (visible at the bulk's commit)."""
        self.delete_document(doc_id)
        self.add_document(doc_id, company, period, segments, text_items)

    def delete_document(self, doc_id: str) -> None:
        """Deletes every segment of `doc_id`."""
        self._w.delete_by_term("doc_id", doc_id)

    def add_document(
        self,
        doc_id: str,
        company: str,
        period: str,
        segments: Iterable[Segment],
        text_items: Sequence[list[tuple]] | None = None,
    ) -> None:
        """Adds the segments without deleting first (for a fresh index).

        `text_items`: each segment's `text` already indexed (`index_text`, done where the segments
        were read), in the segments' order; analysed here when not given. Every other field is
        indexed once per distinct value of the document (a release's company, sections and kinds
        repeat on every segment)."""
        segments = list(segments)
        if text_items is None:
            text_items = index_text(segments)
        memo = _FieldMemo(self._w.schema)
        for seg, items in zip(segments, text_items, strict=True):
            fields_ = memo.indexed(_fields(doc_id, company, period, seg))
            fields_["_stored_text"] = fields_["text"]
            fields_["text"] = Indexed(items)
            self._w.add_document(**fields_)


# Fields whose values repeat within a release: indexed once per distinct value.
REPEATING_FIELDS = ("doc_id", "kind", "section", "company", "company_key", "period_key")


class _FieldMemo:
    """Each repeating field's `index()` items, per distinct value (one document's worth)."""

    def __init__(self, schema: fields.Schema) -> None:
        self._schema = schema
        self._items: dict[tuple[str, str], list[tuple]] = {}

    def indexed(self, values: dict) -> dict:
        """The fields with the repeating ones replaced by their `Indexed` items (stored as given)."""
        for name in REPEATING_FIELDS:
            value = values.get(name)
            if value is None:
                continue
            key = (name, value)
            if key not in self._items:
                self._items[key] = list(self._schema[name].index(value))
            values["_stored_" + name] = value
            values[name] = Indexed(self._items[key])
        return values


def index_text(segments: Iterable[Segment]) -> list[list[tuple]]:
    """Each segment's `text` field indexed (for `BulkWriter.add_document`): the analysis can run
    where the segments are read, while another process writes the index."""
    fmt = _text_field().format
    return [_text_items(seg.display or "", fmt.encode, fmt.field_boost) for seg in segments]


def _text_items(text: str, encode, boost: float = 1.0) -> list[tuple]:
    """What `finance_analyzer()` and Whoosh's `Positions` format make of `text` at index time
    ((term bytes, frequency, weight, encoded positions) per term, first seen first), in one pass.

    The same items as `field.index(text)` (tests compare them), without a generator per filter
    per token: that chain was a seventh of reading a release."""
    poses: dict[str, list[int]] = {}
    pos = -1
    first = True
    for i, m in enumerate(TOKEN_RE.finditer(text)):
        raw = m.group(0)
        kind = _kind(m, text)
        if kind == "num" or kind == "pct":  # FinanceNormalizeFilter
            term = normalise_number(raw.rstrip("% ").strip())
        else:
            term = POSSESSIVE_RE.sub("", raw.lower()).replace("'", "").replace("\u2019", "")
        if not term or term in STOP_WORDS:  # StopFilter(minsize=1, renumber=True)
            continue
        pos = i if first else pos + 1
        first = False
        if kind == "pct":  # FinanceStemFilter, index mode
            terms: tuple[str, ...] = (term, term + "%")
        elif kind != "word" or term in ACRONYMS:
            terms = (term,)
        elif len(raw) <= 4 and raw.isupper():
            stemmed = _stem(term)
            terms = (term, stemmed) if stemmed != term else (term,)
        else:
            terms = (_stem(term),)
        for t in terms:
            got = poses.get(t)
            if got is None:
                poses[t] = [pos]
            else:
                got.append(pos)
    return [(t.encode("utf-8"), len(p), float(len(p)) * boost, encode(p)) for t, p in poses.items()]


@lru_cache(maxsize=1)
def _text_field():
    return build_schema()["text"]


def _fields(doc_id: str, company: str, period: str, seg: Segment) -> dict:
    out = dict(
        doc_id=doc_id,
        seq=seg.seq,
        kind=seg.kind.lower(),
        section=seg.section or "",
        text=seg.display or "",
        char_start=seg.char_start,
        char_end=seg.char_end,
        line_start=seg.line_start,
        line_end=seg.line_end,
    )
    # ID fields index "" as a term of its own; leave unknown values out instead.
    if company:
        out.update(company=company, company_key=_key(company))
    if period:
        out.update(period=period, period_key=_key(period))
    return out


def _key(value: str) -> str:
    """The exact-match form of a company, period or kind: folded space, lower case."""
    return " ".join(value.split()).lower()


def _same_schema(a: fields.Schema, b: fields.Schema) -> bool:
    # Whoosh's field equality ignores analyzers, so compare those explicitly.
    if sorted(a.names()) != sorted(b.names()):
        return False
    return all(
        a[n] == b[n] and getattr(a[n], "analyzer", None) == getattr(b[n], "analyzer", None) for n in b.names()
    )


def _storage(path: Path) -> FileStorage:
    """The index folder, read with plain file reads: with mmap, Whoosh copies every segment it
    opens into memory (its BufferFile wraps the map in a BytesIO)."""
    return FileStorage(str(path), supports_mmap=False)


@contextlib.contextmanager
def _reading(idx: SegmentIndex):
    """The index's searcher (it sees the latest commit), or None when there is no index; one thread
    at a time."""
    with idx._lock:
        try:
            s = idx._searcher()
        except (index.EmptyIndexError, *UNREADABLE):
            s = None  # no index yet, or one only rebuild() can fix: nothing to find
        yield s


def _remembering_terms(searcher):
    """`searcher` with each index segment's term lookups remembered (segments never change).

    Building a query's matchers looks each term up several times (to order an OR by size, for its
    postings, for its idf); a term dictionary lookup hashes and reads the file every time."""
    readers = [s.reader() for s, _ in searcher.subsearchers] if searcher.subsearchers else [searcher.reader()]
    for r in readers:
        terms = getattr(r, "_terms", None)
        table = getattr(terms, "_tindex", None)
        if table is not None and not isinstance(table, _RememberedTable):
            terms._tindex = _RememberedTable(table)
    return searcher


_MISSING = object()


class _RememberedTable:
    """A Whoosh term table (`OrderedHashReader`) whose key lookups are remembered (bounded)."""

    def __init__(self, table) -> None:
        self._table = table
        self._memo: dict = {}

    def _remember(self, kind: str, key: bytes, look):
        k = (kind, key)
        got = self._memo.get(k, _MISSING)
        if got is _MISSING:
            if len(self._memo) >= TERM_MEMO_SIZE:
                self._memo.clear()
            try:
                got = look(key)
            except KeyError:
                got = KeyError
            self._memo[k] = got
        if got is KeyError:
            raise KeyError(key)
        return got

    def __getitem__(self, key: bytes):
        return self._remember("value", key, self._table.__getitem__)

    def range_for_key(self, key: bytes):
        return self._remember("range", key, self._table.range_for_key)

    def __contains__(self, key: bytes) -> bool:
        try:
            self.range_for_key(key)
        except KeyError:
            return False
        return True

    def __getattr__(self, name: str):
        return getattr(self._table, name)


def _first_doc(searcher, q) -> int | None:
    return next(iter(q.docs(searcher)), None)


class _Scoped(wquery.Require):
    """`Require(query, filter)` that reads the filter's documents first, in each index segment, and
    keeps the query's conjunctions within them: same matches, same scores.

    An index segment holding none of the filter's documents builds no matchers (at 10,000 releases,
    a company's passages 640 ms -> 25 ms), and a conjunction of common words ("chief financial
    officer") stops where the filter's documents end instead of looking for its next co-occurrence
    through the whole segment (at 1,000 releases, 40 ms -> 5 ms)."""

    def matcher(self, searcher, context=None):
        ids = sorted(self.b.docs(searcher))
        if not ids:
            return NullMatcher()
        groups = _any_and_all(self.a)
        if groups is not None:
            m = _any_with_all_bonus([g.matcher(searcher, context) for g in groups])
        else:
            q = self.a.accept(
                lambda node: (
                    _WithinAnd(node.subqueries, ids, node.boost) if type(node) is wquery.And else node
                )
            )
            m = q.matcher(searcher, context)
        return RequireMatcher(m, ListMatcher(ids)) if m.is_active() else m


def _any_and_all(q) -> list | None:
    """The word groups of `parse`'s usual query, "any of the words, more for all of them"
    (`Or([Or(groups), And(groups)])`, no boosts), else None."""
    if type(q) is not wquery.Or or q.boost != 1.0 or len(q.subqueries) != 2:
        return None
    any_q, all_q = q.subqueries
    if (
        type(any_q) is not wquery.Or
        or type(all_q) is not wquery.And
        or any_q.boost != 1.0
        or all_q.boost != 1.0
    ):
        return None
    return list(any_q.subqueries) if any_q.subqueries == all_q.subqueries else None


def _any_with_all_bonus(groups: list):
    """What `Or([Or(groups), And(groups)])` matches and scores, from one matcher per group: a
    document with every group scores its sum twice (the AND clause adds the same sum again)."""
    active = [g for g in groups if g.is_active()]
    if not active:
        return NullMatcher()
    union = make_binary_tree(UnionMatcher, active) if len(active) > 1 else active[0]
    return _AllGroupsBonus(union, active) if len(active) == len(groups) else union


class _AllGroupsBonus(WrappingMatcher):
    """A union of word groups scoring twice where every group matches (see `_any_with_all_bonus`)."""

    def __init__(self, child, groups: list) -> None:
        super().__init__(child)
        self._groups = groups

    def score(self):
        s = self.child.score()
        doc = self.child.id()
        return s + s if all(g.is_active() and g.id() == doc for g in self._groups) else s

    def replace(self, minquality=0):
        # The group matchers are watched in place: the union is never rebuilt around others.
        return self if self.child.is_active() else NullMatcher()

    def copy(self):
        raise NotImplementedError("a scoped search's matcher is not copied")


class _WithinAnd(wquery.And):
    """An `And` whose intersection starts from the given documents of an index segment: each
    sub-query skips only to those (scores unchanged: the documents add none)."""

    def __init__(self, subqueries, ids: list[int], boost: float = 1.0) -> None:
        super().__init__(subqueries, boost=boost)
        self.ids = ids

    def matcher(self, searcher, context=None):
        m = None
        for sub in self.subqueries:
            sm = sub.matcher(searcher, context)
            if not sm.is_active():
                return NullMatcher()
            # Left-deep: every sub-matcher meets a matcher already bounded by the documents.
            m = RequireMatcher(sm, ListMatcher(self.ids)) if m is None else IntersectionMatcher(m, sm)
            if not m.is_active():
                return NullMatcher()
        if m is None:
            return NullMatcher()
        return WrappingMatcher(m, self.boost) if self.boost != 1.0 else m  # as And applies its boost


def _filter_query(**terms: str | Sequence[str] | None):
    keys = {"company": "company_key", "period": "period_key", "kind": "kind", "doc_id": "doc_id"}
    parts = []
    for name, value in terms.items():
        if value is None:
            continue
        # doc_id is exact; the others match case-insensitively, as indexed by _key().
        values = [value] if isinstance(value, str) else list(value)
        alts = [wquery.Term(keys[name], v if name == "doc_id" else _key(v)) for v in values]
        parts.append(alts[0] if len(alts) == 1 else wquery.Or(alts))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wquery.And(parts)


def _configure_highlights(results) -> None:
    results.fragmenter = highlight.ContextFragmenter(maxchars=FALLBACK_CHARS, surround=60)
    results.formatter = _BracketFormatter()


def _hit(h, marked: bool = True) -> Hit:
    display = h.get("text", "")
    marked = (h.highlights("text", top=2) if marked else "") or display[:FALLBACK_CHARS]
    return Hit(
        doc_id=h["doc_id"],
        seq=h["seq"],
        kind=h.get("kind", ""),
        section=h.get("section", ""),
        company=h.get("company", ""),
        period=h.get("period", ""),
        char_start=h["char_start"],
        char_end=h["char_end"],
        line_start=h["line_start"],
        line_end=h["line_end"],
        display=display,
        highlights=marked,
        score=float(h.score or 0.0),
    )
