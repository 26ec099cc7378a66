"""Figures stated in sentences → Facts: amounts, margins, changes, ranges, per-share asides, guidance.

"Revenue increased to $37.2 million for the first quarter of 2004, up 2% over
the first quarter of 2003": each figure gets the metric its clause names (the
metric right after it, else the clause's subject), the period phrase that
belongs to it (right after it, else the nearest before it in its clause, else
the release's own quarter; "the previous quarter" and "a year ago" are read
relative to that), and its kind: a level, a share of revenue (" %"), or a
change (" change", " change %").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from index.model import Document, Segment
from index.numbers import FIGURE_RE, Number, number_from_match
from index.text import fold_case

from .metrics import BY_NAME, LEXICON, is_instant, metric_for
from .periods import (
    FiscalCalendar,
    Period,
    PeriodQuery,
    add_months,
    find_periods,
    make_period,
    month_end,
    shift,
)

ABBREV_RE = re.compile(
    r"(?i)\b(inc|corp|co|ltd|mr|mrs|ms|dr|no|vs|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|u\.s|e\.g|i\.e|st)\.$"
)
GUIDANCE_RE = re.compile(
    r"(?i)\b(guidance|outlook|forecast(s|ing|ed)?|expects?|expected|anticipates?|projects?|projected|"
    r"estimates?|targets?|should be in the range|plans? to|will be (?:approximately|about|around|between|in the)|"
    r"should (?:be|remain|increase|decrease)|is expected|are expected)\b"
)
CHANGE_BEFORE_RE = re.compile(
    r"(?i)(\b(up|down|increas\w*|decreas\w*|improv\w*|grow\w*|grew|rose|fell|declin\w*|an?|by|rais\w*|lower\w*|"
    r"narrow\w*|widen\w*|expand\w*|contract\w*|slipp\w*|"
    r"cut\w*|surg\w*|jump\w*|soar\w*|climb\w*|drop\w*|plung\w*|gain\w*|ris\w*)|"
    r"\b(growth|increase|decrease|decline|improvement|reduction|rise|gain|drop)\s+of)\s*$"
)
CHANGE_AFTER_RE = re.compile(
    r"(?i)^\s*(increase|decrease|improvement|higher|lower|growth|decline|over|from|compared|year[- ]over[- ]year|"
    r"sequential)"
)
AMOUNT_CHANGE_AFTER_RE = re.compile(
    r"(?i)^\s*(improvement|increase|decrease|reduction|decline|higher|lower|more|less)\b"
)
# "by $5 million", "an increase of $5 million", "increased $233 million" (not "increased to $2.6 billion")
AMOUNT_CHANGE_BEFORE_RE = re.compile(
    r"(?i)\b(by|an? (increase|decrease|improvement|reduction) of|increased|decreased|rose|grew|fell|declined|"
    r"improved|dropped|climbed|(?:was|were) (?:up|down)|up|down)\s*$"
)
COMPONENT_BEFORE_RE = re.compile(
    r"(?i)\b(?:including|excluding|includes|excludes|included|excluded|net of)\s+(?:approximately\s+|about\s+)?$"
)
DOWN_BEFORE_RE = re.compile(
    r"(?i)\b(decreas\w*|declin\w*|fell|down|lower\w*|drop\w*|reduc\w*|cut|plung\w*|slipp\w*|shrank|narrow\w*|"
    r"contract\w*|"
    r"(decrease|decline|reduction|drop) of)(\s+by)?\s*$"
)
DOWN_AFTER_RE = re.compile(r"(?i)^\s*(decrease|decline|reduction|lower|less|drop)\b")
SHARE_OF_REVENUE_RE = re.compile(r"(?i)\s*of\s+(total\s+)?(net\s+)?(revenues?|sales)\b")
PER_SHARE_RE = re.compile(r"(?i)^\s*(per (diluted |basic )?(common )?share|a (diluted )?share)")
# Words or marks between a figure and a metric named after it that make the metric not the figure's.
AFTER_STOP_RE = re.compile(
    r"(?i)[,;%\d]|\.\s|\s[o*\u2022]\s|\b(was|were|is|or|and|for|from|over|compared|to)\b"
)
DIGIT_RE = re.compile(r"\d")
RANGE_RE = re.compile(r"(?i)^\s*(?:to|and|-|–|through)\s*$")
EXTRA_METRICS: tuple[tuple[str, str], ...] = ()  # names the lexicon lacks, as (name, pattern)
LOSS_METRICS = {
    "net income",
    "operating income",
    "income from continuing operations",
    "income from discontinued operations",
    "income before income taxes",
}
# Words that may stand between a figure and its own period phrase ("$15.2 million net loss in the ...").
PERIOD_GAP_RE = re.compile(
    r"(?i)[\s,]*(?:(?!(?:with|and|or|while|but|compared|versus|vs|from|over|to|up|down|reflecting|based|due|"
    r"driven|including|excluding|as)\b)[a-z&'-]+,?\s+){0,4}?"
    r"(?:(?:in|for|during|of|at)\s+)?(?:the\s+)?(?:company's\s+)?"
)


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph: a stop followed by space and a capital, not after an abbreviation;
    a bullet glyph starts a list item, a sentence of its own whether or not one ended before it."""
    out = []
    at = [m.start() + len(m.group(0)) - len(m.group(0).lstrip(" \t")) for m in BULLET_RE.finditer(text)]
    cuts = [0, *(a for a in at if a > 0), len(text)]
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        start = lo
        for m in STOP_RE.finditer(text, lo, hi):
            if ABBREV_RE.search(text[max(0, m.start() - 6) : m.start() + 1]):
                continue
            out.append((start, m.start() + 1))
            start = m.end()
        if text[start:hi].strip():
            out.append((start, hi if hi == len(text) else start + len(text[start:hi].rstrip())))
    return out


# (a sentence may open with a name spelled in lower case then a capital: "eBay", "iPhone")
STOP_RE = re.compile(r"[.!?][\"”')]*\s+(?=[\"“(A-Z0-9$*\u2022]|o\s+[A-Z]|[a-z][A-Z]\w)")
# a bullet glyph, or a dash, star or "o" that opens a line of plain text before a capital ("  --   Gross")
BULLET_GLYPHS = "\u2022\u25aa\u25a0\u25cf\u25e6\u2023 \t"  # (a label starts after its bullet)
BULLET_RE = re.compile(r"[\u2022\u25aa\u25a0\u25cf\u25e6\u2023]|(?<=\n)[ \t]*(?:--?|\*|o)[ \t]+(?=[A-Z$])")


@dataclass(frozen=True)
class Phrase:
    """A metric's name in prose: `pattern` finds it; `probe` (no look-arounds) says where it may start."""

    name: str
    pattern: re.Pattern | None
    probe: re.Pattern | None  # zero-width, at every position where the pattern's words begin
    # The first word of each of its spellings, lower-cased; None when one is not plain ASCII.
    # A sentence that holds none of them (after `fold_case`) cannot hold the phrase.
    keys: tuple[str, ...] | None = None
    # A plain-ASCII line item: its words, matched as `_label_pattern` would without compiling it
    # (pattern and probe are None then; see `_literal_end`).
    words: tuple[str, ...] | None = None


def _phrase(name: str, core: str, before: str, after: str, spellings: Iterable[str]) -> Phrase:
    # A key is what must be printed as is: up to an apostrophe (the patterns take ' or ’ or none).
    keys = tuple({w.split(" ")[0].lower().split("'")[0] for w in spellings})
    return Phrase(
        name,
        re.compile(rf"(?i){before}(?:{core}){after}"),
        re.compile(rf"(?i)(?=(?:{core}))"),
        keys if all(k.isascii() for k in keys) else None,
    )


@lru_cache(maxsize=1)
def _lexicon_phrases() -> tuple[Phrase, ...]:
    # The lexicon's patterns are the same for every release: compiled once.
    out = []
    for m in LEXICON:
        # A bare "deposits" or "loans" in prose is often a kind of them ("core deposits"): balance-sheet
        # totals are recognised by their full names there.
        words = {m.name, *(w for w in m.synonyms if not (m.instant and " " not in w))}
        alts = "|".join(
            sorted((re.escape(w).replace(r"\ ", r"\s+").replace("'", "['\u2019]?") for w in words), key=len)[
                ::-1
            ]
        )
        out.append(_phrase(m.name, alts, r"(?<![\w&-])", r"s?(?![\w&-])", words))
    for name, pat in EXTRA_METRICS:
        out.append(_phrase(name, pat, r"\b", r"\b", pat.split("|")))
    return tuple(out)


class PhraseSet(list):
    """Phrases, with the phrases each first word (`Phrase.keys`) may start: a sentence is searched
    once per distinct word, not once per phrase (a release's hundreds of line items share words)."""

    def __init__(self, phrases: Iterable[Phrase] = ()) -> None:
        super().__init__(phrases)
        self.by_key: dict[str, list[int]] = {}
        self.unkeyed: list[int] = []
        for i, ph in enumerate(self):
            if ph.keys is None:
                self.unkeyed.append(i)
            else:
                for k in ph.keys:
                    self.by_key.setdefault(k, []).append(i)

    def candidates(self, folded: str) -> list[Phrase]:
        """The phrases a (folded) sentence may hold, in order: one of their first words is in it."""
        picked = set(self.unkeyed)
        for k, ids in self.by_key.items():
            if k in folded:
                picked.update(ids)
        return [self[i] for i in sorted(picked)]


def metric_phrases(labels: set[str] = frozenset()) -> PhraseSet:
    """Patterns for every lexicon metric (name and synonyms) and the release's own line items."""
    out = list(_lexicon_phrases())
    for lab in sorted(labels):
        if len(lab) > 5 and not lab.endswith("%"):
            out.append(_label_phrase(lab))
    return PhraseSet(out)


@lru_cache(maxsize=4096)
def _label_phrase(label: str) -> Phrase:
    # Releases print the same line items again and again: each is made once per process. Most are
    # plain ASCII words and need no pattern compiled (two per label cost more than reading them).
    words = tuple(label.lower().split(" "))
    if label.isascii() and all(words):
        return Phrase(label, None, None, (words[0],), words)
    pat = re.escape(label).replace(r"\ ", r"\s+")
    return _phrase(label, pat, r"(?<![\w&-])", r"(?![\w&-])", (label,))


def _label_pattern(label: str) -> re.Pattern:
    """The pattern a line item is found by in prose (what `_literal_end` does for ASCII ones)."""
    core = re.escape(label).replace(r"\ ", r"\s+")
    return re.compile(rf"(?i)(?<![\w&-])(?:{core})(?![\w&-])")


def _literal_end(sent: str, folded: str, p: int, hi: int, words: tuple[str, ...]) -> int | None:
    """Where `_label_pattern(words)` matching at p in sent[:hi] ends, or None: the words in any case
    (ASCII), white space between them, no word character, `&` or `-` just before or after."""
    if p > 0 and _joins(sent[p - 1]):
        return None
    q = p
    for k, w in enumerate(words):
        if k:
            r = q
            while r < hi and sent[r].isspace():
                r += 1
            if r == q:
                return None
            q = r
        e = q + len(w)
        if e > hi or folded[q:e] != w:
            return None
        q = e
    return None if q < hi and _joins(sent[q]) else q


def _joins(c: str) -> bool:
    # The pattern's [\w&-]: \w is str.isalnum() or "_".
    return c.isalnum() or c in "_&-"


def _occurrences(text: str, word: str) -> list[int]:
    """Every position where `word` starts in `text` (overlapping ones too)."""
    out = []
    i = text.find(word)
    while i >= 0:
        out.append(i)
        i = text.find(word, i + 1)
    return out


@dataclass(frozen=True)
class Mention:
    """A metric named in a sentence: canonical name and where it was said."""

    name: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Figure:
    """A figure (or a range) in a sentence: offsets into the sentence."""

    a: int
    b: int
    n: Number
    high: Number | None = None
    aside: bool = False  # ", or ($0.03) per share": states the figure before it per share


COMPACT_RANGE_RE = re.compile(
    r"(?<![\d.,$-])(\d{1,3}(?:\.\d+)?)\s?%?\s?(?:[-\u2013]|\s+to\s+)\s?(\d{1,3}(?:\.\d+)?)\s?(%|percent\b)"
)


def _compact_ranges(sent: str) -> list[Figure]:
    """ "in the 36-37% range": one percent range, not 36 and minus 37."""
    out = []
    for m in COMPACT_RANGE_RE.finditer(sent):
        lo, hi = float(m.group(1)), float(m.group(2))
        if lo >= hi:
            continue  # "10-5%" is not a range
        dec = lambda x: len(x.split(".")[1]) if "." in x else 0  # noqa: E731
        low = Number(lo, m.group(1), True, False, False, 1.0, dec(m.group(1)))
        high = Number(hi, m.group(0)[m.start(2) - m.start(0) :], True, False, False, 1.0, dec(m.group(2)))
        out.append(Figure(m.start(), m.end(), low, high))
    return out


def figures(sent: str) -> list[Figure]:
    """Money, percent and scaled figures of a sentence; ranges joined; per-share asides marked."""
    compact = _compact_ranges(sent)
    raw = []
    for m in FIGURE_RE.finditer(sent):
        if any(c.a <= m.start() < c.b or c.a < m.end() <= c.b for c in compact):
            continue
        n = number_from_match(m)
        if n is None or not (n.is_currency or n.is_percent or n.word_scale > 1):
            continue
        if not n.is_currency and not n.is_percent and not re.search(r"(?i)\$|dollars", sent):
            continue  # "1.5 billion" of something that is not money
        # (where the printed figure starts: an unpaired "(" before it is the sentence's, not the figure's)
        at = m.group(0).find(n.as_printed)
        a = m.start() + (at if at >= 0 else len(m.group(0)) - len(m.group(0).lstrip()))
        raw.append((a, a + len(n.as_printed), n))
    out: list[Figure] = []
    i = 0
    while i < len(raw):
        a, b, n = raw[i]
        if i + 1 < len(raw):
            a2, b2, n2 = raw[i + 1]
            between = sent[b:a2]
            ranged = (
                RANGE_RE.match(between)
                and n2.is_percent == n.is_percent
                # "improved from $(1.80) to $(0.42)" is a change, not a range
                and not re.search(r"(?i)\bfrom\s*$", sent[max(0, a - 8) : a])
                and (
                    between.strip().lower() != "and"
                    or re.search(r"(?i)\b(between|range of)\s*$", sent[max(0, a - 12) : a])
                )
            )
            if ranged:
                if n.word_scale == 1 and n2.word_scale > 1 and not n.is_percent:
                    # "$9.3 to $9.8 million": the scale printed once holds for both ends
                    n = Number(
                        n.value * n2.word_scale,
                        n.as_printed,
                        n.is_percent,
                        n.is_currency,
                        n.is_nil,
                        n2.word_scale,
                        n.decimals,
                    )
                out.append(Figure(a, b2, n, n2))
                i += 2
                continue
        aside = (
            bool(out)
            and bool(
                re.search(r",\s*or\s*$", sent[max(0, a - 8) : a])
                # "$0.89 per share ($0.88 per share on a diluted basis)": the same figure, diluted
                or re.fullmatch(r"\s*per\s+(?:\w+\s+)?share\s*\(\s*", sent[out[-1].b : a])
            )
            and bool(PER_SHARE_RE.match(sent[b:]))
        )
        out.append(Figure(a, b, n, aside=aside))
        i += 1
    return sorted(out + compact, key=lambda f: f.a) if compact else out


class SentenceMentions:
    """The metric phrases of one sentence, found by scanning the sentence once per phrase.

    A window is then matched only at the places where a phrase's words begin, with the same
    bounds as scanning the window itself (`pattern.finditer(sent, lo, hi)`), so the result is the
    same; scanning every window of every figure made long sentences of figures quadratic.
    """

    def __init__(self, sent: str, phrases) -> None:
        self.sent = sent
        self.found: list[tuple[Phrase, list[int]]] = []
        self.folded = folded = fold_case(sent)
        if not isinstance(phrases, PhraseSet):
            phrases = PhraseSet(phrases)
        # Only phrases one of whose first words is there (substring tests, not scans).
        for ph in phrases.candidates(folded):
            if ph.words is not None:
                self.found.append((ph, _occurrences(folded, ph.words[0])))
                continue
            first = ph.probe.search(sent)
            if first is not None:
                self.found.append((ph, [m.start() for m in ph.probe.finditer(sent, first.start())]))

    def within(self, lo: int, hi: int, first: bool = False) -> list[Mention]:
        """What `pattern.finditer(sent, lo, hi)` finds for each phrase, in phrase order.

        `first`: only each phrase's first match, which is all a leftmost choice needs."""
        found = []
        for ph, starts in self.found:
            pos = lo
            for i in range(bisect_left(starts, lo), len(starts)):
                p = starts[i]
                if p >= hi:
                    break
                if p < pos:
                    continue  # inside the previous match
                if ph.words is not None:
                    end = _literal_end(self.sent, self.folded, p, hi, ph.words)
                else:
                    mm = ph.pattern.match(self.sent, p, hi)
                    end = None if mm is None else mm.end()
                if end is not None:
                    found.append(Mention(ph.name, p, end, self.sent[p:end]))
                    if first:
                        break
                    pos = end
        return found


def _mentions(sent: str, lo: int, hi: int, phrases, first: bool = False) -> list[Mention]:
    if not isinstance(phrases, SentenceMentions) or phrases.sent != sent:
        phrases = SentenceMentions(sent, phrases)
    return phrases.within(lo, hi, first)


def metric_of(sent: str, lo: int, a: int, b: int, phrases, nearest: bool = False) -> Mention | None:
    """The metric a figure states: named right after it ("$29.3 million in cash"), else its clause's
    subject (the first metric named since the last figure; the nearest one in an outlook sentence,
    "revenue guidance range is between ..."), else the sentence's subject."""
    # Only each phrase's first match counts: the filters below fail for a later match when they
    # fail for an earlier one, and the choice is the leftmost.
    after = [m for m in _mentions(sent, b, min(len(sent), b + 80), phrases, True) if m.start - b <= 45]
    after = [m for m in after if not AFTER_STOP_RE.search(sent[b : m.start])]
    if after:
        return min(after, key=lambda m: (m.start, -(m.end - m.start)))
    asides = [m.span() for m in ASIDE_RE.finditer(sent, 0, a)]
    for start in (lo, 0):
        before = _mentions(sent, start, a, phrases, first=not nearest)
        # ("Operating expenses, including eCERA and FAS123R expenses, are expected to ..." is about
        # operating expenses: an aside between commas names no subject)
        before = [m for m in before if not any(x <= m.start < y for x, y in asides)] or before
        if before:
            if nearest:
                return max(before, key=lambda m: (m.end, m.end - m.start))
            subject = min(before, key=lambda m: (m.start, -(m.end - m.start)))
            if start == 0 and lo > 0 and any(_opens_clause(sent, m, subject) for m in before):
                # "Revenue Surges 234%, ..., EPS Improves 77%, with Over $18.3 Million": the sentence's
                # subject is out of reach past other measures named since
                return None
            return subject
        if start == lo:
            free = free_subject(sent, lo, a)
            if free is not None:
                return free
    return None


ASIDE_RE = re.compile(
    r"(?i),\s*(?:but\s+|and\s+)?(?:including|excluding|such as|which|primarily|mainly|net of|before|after|"
    r"exclusive of|inclusive of)\b[^,;]*(?=,)"  # (the closing comma may open the next aside)
)


def _opens_clause(sent: str, m: Mention, subject: Mention) -> bool:
    """Whether another measure, named after the subject's first figure, opens a clause of its own
    (", EPS Improves 77%"), so that the subject no longer reaches the figures after it ("56% of revenue"
    does not: it only says what the percentage is of)."""
    if m.name == subject.name or m.start < subject.end:
        return False
    digit = re.search(r"\d", sent[subject.end : m.start])
    return digit is not None and bool(re.search(r"(?:[,;]|\band)\s*$", sent[max(0, m.start - 5) : m.start]))


# "Finance income for the year ended September 30, 2005, was $69,479,000": a line item the lexicon and the
# tables do not name, read off the clause's subject when a verb of being ties it to the figure.
COPULA_RE = re.compile(
    r"(?i)\b(?:was|were|totaled|totalled|amounted to|stood at|at|reached|(?:increased|decreased|rose|grew|fell|"
    r"declined) to)\s+(?:approximately\s+|about\s+|a record\s+)?$"
)
SUBJECT_RE = re.compile(
    r"(?i)^[\s\"“*\u2022o-]*(?:(?:and|while|but|with|whereas)\s+)?(?:the\s+|our\s+|its\s+|total\s+(?=\w+\s+\w))?"
    r"((?:[a-z][\w&'’/-]*)(?:\s+(?!for\b|in\b|during\b|at\b|as\b|on\b|from\b|of\s*$|was\b|were\b|"
    r"totaled\b|amounted\b|stood\b|reached\b|increased\b|decreased\b|rose\b|grew\b|fell\b|declined\b)"
    r"[a-z0-9][\w&'’/-]*){0,6})"
    r"(?=\s*(?:,|for\b|in\b|during\b|at\b|as of\b|of\s*$|was\b|were\b|totaled\b|amounted\b|stood\b|reached\b|"
    r"increased\b|decreased\b|rose\b|grew\b|fell\b|declined\b|$))"
)
PRONOUNS = frozenset(
    {"it", "this", "that", "which", "these", "they", "we", "he", "she", "there", "was", "were"}
)
PERIOD_WORDS_RE = re.compile(
    r"(?i)\b(months?|weeks?|ended|ending|quarters?|fiscal|year|years|january|february|march|april|may|june|"
    r"july|august|september|october|november|december)\b|\b(19|20)\d\d\b"
)
NOT_A_SUBJECT = frozenset(
    {"it", "this", "that", "which", "these", "they", "we", "he", "she", "there", "company", "results"}
    | {"result", "quarter", "year", "period", "total", "amount", "figure", "number", "and", "or"}
    | {"increase", "decrease", "change", "difference", "improvement", "decline", "growth", "reduction"}
    | {"was", "were", "is", "are", "totaled", "at", "of", "with", "by", "to", "in", "for"}
)


def free_subject(sent: str, lo: int, a: int) -> Mention | None:
    """The subject of the clause before a figure, when it is tied to it by "was", "were", "totaled", "at"
    (or "of", before a percentage: "Tier 1 capital to risk adjusted assets of 8.99%")."""
    head = sent[lo:a]
    ratio = bool(re.match(r"\s*\(?-?\d[\d.,]*\s?%", sent[a : a + 12]))
    if not (COPULA_RE.search(head) or (ratio and re.search(r"(?i)\bof\s+$", head))):
        return None
    # The clause's start: after the last separator whose words make a subject ("Finance income for the
    # year ended September 30, 2005, was": not "2005", not "was").
    starts = [0] + [m.end() for m in re.finditer(r"[;:,]\s*|\b(?:with|and)\s+|\.\s", head)]
    for clause_start in reversed(starts):
        m = SUBJECT_RE.match(head[clause_start:])
        if not m:
            continue
        words = m.group(1).split()
        if (
            not words
            or words[0].lower() in PRONOUNS
            or all(w.lower() in NOT_A_SUBJECT for w in words)
            or PERIOD_WORDS_RE.search(m.group(1))
        ):
            continue  # "it", "the increase", "nine months ended June 30" name no line item
        start = lo + clause_start + m.start(1)
        return FreeMention(" ".join(w.lower() for w in words), start, start + len(m.group(1)), m.group(1))
    return None


OF_STOP = frozenset(
    [
        "despite",
        "including",
        "included",
        "excluding",
        "with",
        "and",
        "or",
        "but",
        "while",
        "of",
        "for",
        "in",
        "by",
        "from",
        "to",
        "was",
        "were",
        "is",
        "are",
        "the",
        "a",
        "an",
        "its",
        "our",
        "their",
        "this",
        "that",
        "which",
        "reported",
        "recorded",
        "had",
        "has",
        "have",
        "grew",
        "rose",
        "fell",
        "increased",
        "decreased",
    ]
)
GENERIC_OF = frozenset(
    [
        "increase",
        "decrease",
        "total",
        "gain",
        "loss",
        "change",
        "improvement",
        "decline",
        "reduction",
        "rise",
        "growth",
        "amount",
        "sum",
        "range",
        "cost",
        "average",
        "level",
        "value",
        "balance",
        "investment",
        "payment",
    ]
)


def of_phrase(sent: str, a: int) -> Mention | None:
    """The noun phrase a figure is "of" ("FAS 123(R) expenses of $443,000"), when it names a line item of its
    own: the words back from "of" to the first verb, preposition or article; not "an increase of"."""
    m = re.search(r"\s+of\s+(?:approximately\s+|about\s+|nearly\s+)?$", sent[:a])
    if not m:
        return None
    words = list(re.finditer(r"[\w&'’()/.-]+", sent[: m.start()]))
    taken = []
    for w in reversed(words[-5:]):
        if w.group(0).lower() in OF_STOP:
            break
        taken.append(w)
    if not taken:
        return None
    taken.reverse()
    text = sent[taken[0].start() : taken[-1].end()]
    last = taken[-1].group(0).lower()
    if (
        last.rstrip("s") in GENERIC_OF
        or last in NOT_A_SUBJECT
        or PERIOD_WORDS_RE.search(text)
        or not re.search(r"[A-Za-z]{3}", text)
    ):
        return None  # "an increase of", "in the quarter of": no line item
    return FreeMention(clean_phrase(text), taken[0].start(), taken[-1].end(), text)


def clean_phrase(text: str) -> str:
    """A phrase's words in lower case, as a metric name."""
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class FreeMention(Mention):
    """A clause subject read by `free_subject`: it also names the figures that follow in its clause."""


def period_of(
    sent: str,
    periods: list[PeriodQuery],
    lo: int,
    a: int,
    b: int,
    stop: int,
    starts: list[int] | None = None,
) -> PeriodQuery | None:
    """The period phrase that belongs to a figure: right after it, else the nearest before it in its
    clause, else the first after it before the next figure (not one after a comparison word: "to $8.52
    from last year's $7.01"), else one that opens the sentence ("At June 30, 2005, ...").

    `periods` are in order of appearance (as find_periods gives them); `starts`, their first
    characters, may be passed in when one sentence asks for many figures."""
    if starts is None:
        starts = [p.span[0] for p in periods]
    i = bisect_left(starts, b)
    for k in range(i, bisect_right(starts, b + 40)):
        if PERIOD_GAP_RE.fullmatch(sent[b : starts[k]]):
            return periods[k]
    k = bisect_left(starts, a) - 1
    if k >= 0 and starts[k] >= lo:
        return periods[k]  # the last one in [lo, a)
    if (
        i < len(starts)
        and starts[i] < max(stop, b)
        and not COMPARISON_RE.search(sent[b : starts[i]])
        # ", reflecting the year-to-date results": a reason's period, not the figure's
        and not re.search(r"(?i)\b(reflecting|based|due|driven|primarily|because)\b", sent[b : starts[i]])
    ):
        return periods[i]
    lead = [p for p in periods[:2] if p.span[0] <= 12 and not p.relative]
    return lead[0] if lead else None


def resolve(pq: PeriodQuery | None, cal: FiscalCalendar, main: Period | None) -> Period | None:
    """A period phrase on the company's calendar; relative phrases and bare quarters from the release's own."""
    if pq is None:
        return main
    if pq.relative:
        return shift(main, pq.relative, cal) if main else None
    if pq.instant and pq.end:
        return make_period(date.fromisoformat(pq.end), None, cal)
    if pq.month and not pq.calendar_year and main:
        # "the December quarter": the one ending in December nearest the release's own quarter.
        m_end = date.fromisoformat(main.end)
        ends = [month_end(m_end.year + dy, pq.month) for dy in (-1, 0, 1)]
        return make_period(min(ends, key=lambda d: abs((d - m_end).days)), 3, cal)
    if pq.fiscal_year is None and not pq.end and (pq.quarter or pq.months in (6, 9, 12)) and main:
        # "the fourth quarter", "the first nine months", "the fiscal year": of the release's own year
        fy = cal.fiscal_year(date.fromisoformat(main.end))
        pq = PeriodQuery(pq.months, fiscal_year=fy, quarter=pq.quarter, span=pq.span)
    r = pq.resolve(cal)
    if r is None:
        return main if pq.months is None else None
    end, months = r
    return make_period(end, months, cal)


@dataclass(frozen=True)
class ProseFigure:
    """What a sentence says of one figure (offsets into the sentence)."""

    metric: str
    value: float
    high: float | None
    unit: str
    period: Period
    guidance: bool
    a: int
    b: int
    as_printed: str
    scale: float
    label: str


def read_sentence(
    sent: str,
    cal: FiscalCalendar,
    main: Period | None,
    phrases,
    outlook: Period | None = None,
) -> list[ProseFigure]:
    """Every figure a sentence states, with metric, unit, period and basis. Pure."""
    figs = figures(sent)
    if not figs:
        return []
    periods = find_periods(sent)
    guidance_words = bool(GUIDANCE_RE.search(sent))
    phrases = SentenceMentions(sent, phrases)
    starts = [p.span[0] for p in periods]
    out: list[ProseFigure] = []
    prev_end = 0
    last: ProseFigure | None = None
    paired = respectively(sent, figs, cal)
    named = respective_metrics(sent, figs, phrases)
    resp = re.search(r"(?i)\brespectively\b", sent) if named else None
    run_period = next((p for p in periods if resp and 0 <= p.span[0] - resp.end() <= 30), None)
    # A dated phrase before the sentence's first figure ("at December 31, 2008, with the leverage ratio at
    # 8.00%, Tier 1 capital ... of 8.99%") holds for the figures that name no period of their own.
    before_first = [p for p in periods if p.span[0] < figs[0].a and not p.relative and p.instant]
    opening = before_first[-1] if before_first else None
    last_free: Mention | None = None
    last_mention: Mention | None = None
    stops = _next_starts(figs, len(sent))
    for i, f in enumerate(figs):
        stop = stops[i]
        n = f.n
        if f.aside and last is not None:
            # "$800,000, or ($0.03) per share": the same metric and period, per share.
            metric = last.metric if last.metric.endswith("per share") else _per_share(last.metric)
            close = sent.find(")", f.b)
            if (
                out
                and out[-1].unit == "USD/share"
                and metric in ("net income per share", "earnings per share")
                and re.search(r"(?i)dilut", sent[f.b : close if close != -1 else f.b + 40])
            ):
                # "$0.89 per share ($0.88 per share on a diluted basis)": basic, then diluted
                metric = "diluted earnings per share"
                out[-1] = replace(out[-1], metric="basic earnings per share")
            out.append(
                ProseFigure(
                    metric,
                    n.value,
                    None,
                    "USD/share",
                    last.period,
                    last.guidance,
                    f.a,
                    f.b,
                    sent[f.a : f.b],
                    1.0,
                    sent[max(prev_end, 0) : f.b],
                )
            )
            prev_end = f.b
            continue
        mention = (
            named[i][0]
            if i in named
            else metric_of(sent, prev_end, f.a, f.b, phrases, nearest=guidance_words)
        )
        if mention is None and not n.is_percent and PER_SHARE_RE.match(sent[f.b :]):
            # "... rising 25.3% to $10.68 per share": a per-share measure named earlier in the sentence
            per = [
                m
                for m in _mentions(sent, 0, f.a, phrases)
                if BY_NAME.get(m.name) is not None and BY_NAME[m.name].unit == "USD/share"
            ]
            mention = max(per, key=lambda m: m.end) if per else None
        if mention is None and isinstance(last_free, FreeMention):
            # "Finance income ... was $12.1 million and $36.4 million, respectively, compared to ..."
            mention = last_free
        if mention is None:
            prev_end = f.b
            continue
        own_np = of_phrase(sent, f.a)
        if own_np is not None and mention.end <= own_np.start and not isinstance(mention, FreeMention):
            # "Net income ... grew despite FAS 123(R) expenses of $443,000": the figure is the expenses',
            # not the clause subject's (named by the lexicon where it can be)
            inside = _mentions(sent, own_np.start, own_np.end, phrases)
            mention = max(inside, key=lambda m: m.end - m.start) if inside else own_np
        if (
            last is not None
            and last_mention is not None
            and i not in named
            and last.metric.endswith(" change %")
            and re.fullmatch(r"(?i)\s*(?:to|at)\s*", sent[last.b : f.a])
        ):
            mention = last_mention  # "earnings per share rises 37% to $2.15": the level the change reached
        if isinstance(mention, FreeMention):
            last_free = mention
        metric = mention.name
        if mention.start < f.a and COMPONENT_BEFORE_RE.search(sent[max(0, f.a - 30) : f.a]):
            # "expects earnings per share ..., but including $0.24 per share related to special charges, to be
            # between $2.66 and $2.86": a part of the figure the clause is about, not that figure (nor are
            # the line items its aside names)
            comma = sent.find(",", f.b)
            prev_end = (
                comma if comma != -1 and comma < (figs[i + 1].a if i + 1 < len(figs) else len(sent)) else f.b
            )
            continue
        metric = mention.name if i in named else _named(sent, mention)
        if re.search(r"(?i)\baverage\s+$", sent[max(0, mention.start - 9) : mention.start]):
            metric = "average " + metric  # "Average total assets were $550.1 billion" is not total assets
        basis_word = re.search(
            r"(?i)(?<!gaap and )(?<!gaap & )\b(non-?gaap|adjusted)\s+$",
            sent[max(0, mention.start - 22) : mention.start],
        )
        # ("GAAP and non-GAAP tax rates are expected to be between 17% and 19%": both, not one)
        if basis_word and i not in named and not metric.startswith(("non-gaap", "adjusted")):
            # "... and non-GAAP earnings per diluted share from continuing operations": not the GAAP line
            metric = f"{basis_word.group(1).lower().replace('nongaap', 'non-gaap')} {metric}"
        lex = BY_NAME.get(metric)
        per_share = (lex and lex.unit == "USD/share") or PER_SHARE_NAME_RE.search(metric)
        unit = "percent" if n.is_percent else ("USD/share" if per_share else "USD")
        value = n.value
        # (the figures of "increased 24% and 21%, respectively" share the verb before the first)
        before = sent[max(0, (named[i][1] if i in named else f.a) - 25) : named[i][1] if i in named else f.a]
        # A metric named right after the figure is used up by it ("$29.3 million in unrestricted cash").
        clause_end = mention.end if mention.start >= f.b else f.b
        if n.is_percent and TOLERANCE_BEFORE_RE.search(sent, max(0, f.a - 20), f.a):
            # "Revenue is expected to be $78.0 billion, plus or minus 2%": the outlook's tolerance
            prev_end = clause_end
            continue
        if unit == "USD" and not n.is_currency and SHARES_AFTER_RE.match(sent, f.b):
            # "$1.2 billion of share repurchases of 6.4 million shares": a count of shares, not dollars
            prev_end = clause_end
            continue
        # A per-share aside right after the figure: the figure's own period phrase comes after the aside.
        b_ext = figs[i + 1].b if i + 1 < len(figs) and figs[i + 1].aside else f.b
        of_rev = SHARE_OF_REVENUE_RE.match(sent[f.b :])
        if not n.is_percent and PER_SHARE_RE.match(sent[f.b :]):
            unit = "USD/share"
            # "equity continues to grow, with the book value ... rising 25.3% to $10.68 per share": the
            # nearest per-share measure named before the figure, not the clause's first subject
            near = _mentions(sent, prev_end, f.a, phrases)
            per = [
                m
                for m in (near or _mentions(sent, 0, f.a, phrases))
                if BY_NAME.get(m.name) is not None and BY_NAME[m.name].unit == "USD/share"
            ]
            metric = max(per, key=lambda m: m.end).name if per else _per_share(metric)
        elif n.is_percent and of_rev:
            subject = mention if i in named else metric_of(sent, prev_end, f.a, f.a, phrases)
            metric = (subject.name if subject else metric) + " %"
            clause_end = max(clause_end, f.b + of_rev.end())  # "of revenue" belongs to this figure
        elif not n.is_percent and (
            AMOUNT_CHANGE_BEFORE_RE.search(before) or AMOUNT_CHANGE_AFTER_RE.match(sent[f.b :])
        ):
            metric += " change"
        elif (
            n.is_percent
            and last is not None
            and last.metric.endswith(" change")
            and re.search(r"\bor\s*$", before)
        ):
            metric = last.metric + " %"  # "increased $233 million, or 10%": the same change, in percent
        elif n.is_percent:
            if CHANGE_BEFORE_RE.search(before) or CHANGE_AFTER_RE.match(sent[f.b : f.b + 30]):
                subject = mention if i in named else metric_of(sent, prev_end, f.a, f.a, phrases)
                metric = (
                    metric if i in named else _named(sent, subject) if subject else metric
                ) + " change %"
            elif not metric.endswith("%") and not (lex and lex.unit == "percent"):
                metric += " %"  # a share of something; a ratio the lexicon knows is a percent already
        if (
            (metric in LOSS_METRICS or unit == "USD/share")
            and re.search(r"(?i)\bloss", mention.text)
            and value > 0
        ):
            value = -value  # "net loss of $0.3 million" is net income of -$0.3 million
        if metric.endswith((" change", " change %")) and value > 0:
            # A change is signed as the tables print it: "a decrease of 4.2 percent" is -4.2%, and a smaller
            # loss ("net loss decreased $2 million") is a rise in income.
            if metric.endswith(" change %") and re.search(r"\bor\s*$", before) and last is not None:
                down = last.metric + " %" == metric and last.value < 0
            else:
                down = bool(DOWN_BEFORE_RE.search(before) or DOWN_AFTER_RE.match(sent[f.b : f.b + 30]))
                base = metric.removesuffix(" %").removesuffix(" change")
                if base in LOSS_METRICS and re.search(r"(?i)\bloss", mention.text):
                    down = not down
            if down:
                value = -value
        own = period_of(sent, periods, prev_end, f.a, b_ext, stop, starts) or opening
        if i in named and run_period is not None and (own is None or own is opening):
            own = run_period  # "$A and $B, respectively, during fiscal 2026": the run's period is each one's
        is_change = metric.endswith(("change", "change %"))
        if is_change and own is not None and own.relative:
            own = opening  # "increased 11% linked quarter": the base of the change, not the figure's period
        if (
            is_change
            and own is not None
            and (_after_comparison(sent, own) or (own is opening and own.instant))
        ):
            # "up 20% from Q3 and up 73% from a year ago": Q3 is the first change's base, not the second's
            # period; a dateline's date is no change's period either. The change is of the level before it.
            own = None
        if (
            own is None
            and i not in paired
            and re.search(r"(?i)\bfrom\s*$", sent[max(0, f.a - 8) : f.a])
            and re.match(r"\s*to\s*[$(\d]", sent[f.b : f.b + 8])
        ):
            # "improved from $(1.80) to $(0.42)": the earlier figure's period is not said; no guess
            prev_end = clause_end
            continue
        if i in paired:
            period = paired[i]  # "... for the quarter and six months ... were $A and $B, respectively"
        elif own is None and guidance_words and outlook is not None:
            period = outlook  # "revenues should be in the range of ...": the outlook's period
        elif (
            own is None
            and is_change
            and last is not None
            and _base_metric(last.metric) == _base_metric(metric)
        ):
            period = last.period
        else:
            period = resolve(own, cal, main)
            if (
                guidance_words
                and own is not None
                and (own.quarter or own.months == 12)
                and own.fiscal_year is None
                and not own.end
                and main is not None
                and period is not None
                and period.end <= main.end
            ):
                # "revenues are expected to be ... in the first quarter": the next first quarter
                fy = cal.fiscal_year(date.fromisoformat(main.end)) + 1
                period = resolve(PeriodQuery(own.months, fiscal_year=fy, quarter=own.quarter), cal, main)
        prev_end = clause_end
        if period is None:
            continue
        if (
            own is not None
            and last is not None
            and out
            and out[-1] is last
            and last.metric in (metric + " change %", metric + " change")
            and re.fullmatch(r"(?i)\s*(?:percent\s*)?to\s*", sent[last.b : f.a])
        ):
            # "decreased 9.2 percent to $128.0 million for the 39-week period": the change is of that period
            out[-1] = last = replace(last, period=period)
        if is_instant(metric) and period.kind == "duration":
            period = make_period(date.fromisoformat(period.end), None, cal)
        is_guidance = guidance_words and (f.high is not None or (main is not None and period.end > main.end))
        high = f.high.value if f.high else None
        last_mention = mention
        last = ProseFigure(
            metric,
            value,
            high,
            unit,
            period,
            is_guidance,
            f.a,
            f.b,
            sent[f.a : f.b],
            n.word_scale,
            _words_from(sent, max(0, clause_end - 160), f.b),
        )
        out.append(last)
    return out


TOLERANCE_BEFORE_RE = re.compile(r"(?i)(?:plus\s+or\s+minus|\+/-|\u00b1)\s*$")
SHARES_AFTER_RE = re.compile(r"\s*(?:of\s+)?(?:its\s+|our\s+)?(?:common\s+|ordinary\s+)?shares\b", re.I)
PER_SHARE_NAME_RE = re.compile(r"\bper (?:diluted |basic |common |fully diluted )?share\b")


def _after_comparison(sent: str, pq: PeriodQuery) -> bool:
    """Whether a period phrase is a comparison's base ("from Q3", "over the prior year")."""
    return bool(
        re.search(
            r"(?i)\b(?:from|over|versus|vs\.?|than|compared\s+(?:to|with))\s+(?:the\s+)?$", sent[: pq.span[0]]
        )
    )


def _base_metric(metric: str) -> str:
    return metric.removesuffix(" %").removesuffix(" change")


_LEN = r"three|six|nine|twelve|thirteen|twenty-six|thirty-nine|fifty-two|fifty-three|3|6|9|12|13|26|39|52|53"
PAIRED_PERIODS_RE = re.compile(
    rf"(?i)\b(?:(?P<x>{_LEN})(?:[- ](?P<xu>months?|weeks?))?|(?P<q>quarter|three[- ]month period))\s+and\s+"
    rf"(?:the\s+)?(?:(?P<y>{_LEN})[- ](?P<yu>months?|weeks?)|(?P<fy>(?:fiscal\s+)?year))\s+"
    rf"(?:periods?\s+)?ended\s+(?P<date>(?:January|February|March|April|May|June|July|August|September|October|"
    rf"November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?\s+\d{{1,2}},?\s+(?:19|20)\d\d)"
)
OPENING_PERIOD_RE = re.compile(r"(?i)^\s*(?:for|in|during)\s+(?:the\s+)?[^,.;]{3,60},")
COMPARISON_RE = re.compile(r"(?i)\b(from|compared|versus|vs\.?|over|against|than)\b")
PRIOR_PERIODS_RE = re.compile(
    r"(?i)\b(same periods?|prior[- ]year|previous year|a year (ago|earlier)|last year)\b"
)


def _months(word: str, unit: str | None) -> int | None:
    from .periods import months_stated

    return months_stated(f"{word} {unit or 'months'}")


def respectively(sent: str, figs: list[Figure], cal: FiscalCalendar) -> dict[int, Period]:
    """Figures paired in order with the periods a sentence lists: "for the quarter and six months ended
    March 31, 2004 were $30.4 million and $59.3 million, respectively, compared to $14.0 million and $28.2
    million for the same periods of the prior year". Figure index → its period."""
    r = re.search(r"(?i)\brespectively\b", sent)
    m = PAIRED_PERIODS_RE.search(sent)
    if not r or not m:
        return {}
    from .periods import parse_date

    end = parse_date(m.group("date"))
    first = 3 if m.group("q") else _months(m.group("x"), m.group("xu") or m.group("yu"))
    second = 12 if m.group("fy") else _months(m.group("y"), m.group("yu"))
    if end is None or not first or not second:
        return {}
    spans = [make_period(end, first, cal), make_period(end, second, cal)]
    own = [i for i, f in enumerate(figs) if m.end() <= f.a < r.start() and not f.aside]
    if len(own) != 2:
        return {}
    out = dict(zip(own, spans, strict=True))
    later = [i for i, f in enumerate(figs) if f.a > r.end() and not f.aside]
    if len(later) >= 2 and PRIOR_PERIODS_RE.search(sent[r.end() :]):
        prior = [shift(p, "prev_year", cal) for p in spans]
        out.update({i: p for i, p in zip(later[:2], prior, strict=True) if p is not None})
    return out


QUALIFIERS = r"(?:non-?GAAP|GAAP|reported|adjusted|basic|diluted)"
QUALIFIED_PAIR_RE = re.compile(rf"(?i)\b({QUALIFIERS})\s+and\s+({QUALIFIERS})\s+$")


# "operating and free cash flow", "gross and net charge-offs": a modifier that shares the next line's head
SHARED_HEAD_RE = re.compile(r"(?i)\b(operating|free|gross|net|organic|reported|core|total)\s+and\s+$")


def respective_metrics(sent: str, figs: list[Figure], phrases) -> dict[int, tuple[Mention, int]]:
    """Figures paired in order with the metrics a sentence lists: "Total loans and deposits increased 24%
    and 21%, respectively". Figure index → (its metric, where the first figure of the run starts)."""
    r = re.search(r"(?i)\brespectively\b", sent)
    if not r:
        return {}
    # the run of figures ending just before "respectively", joined by commas and "and"
    run: list[int] = []
    for i in range(len(figs) - 1, -1, -1):
        f = figs[i]
        if f.aside or f.b > r.start():
            continue
        gap = sent[f.b : figs[run[0]].a if run else r.start()]
        if not re.fullmatch(r"[\s,]*(?:and\s+)?" if run else r"[\s,]*", gap):
            break
        run.insert(0, i)
    if len(run) < 2:
        return {}
    first = figs[run[0]].a
    said = _mentions(sent, 0, first, phrases)
    said = list({(m.start, m.end): m for m in said}.values())  # a line item the lexicon also names
    said = [m for m in said if not any(o is not m and o.start <= m.start and m.end <= o.end for o in said)]
    for m in list(said):
        # "Total loans and deposits": the "total" is said of both
        and_ = re.match(r"\s+and\s+(\w+)", sent[m.end : first])
        if m.name.startswith("total ") and and_ and f"total {and_.group(1).lower()}" in BY_NAME:
            said.append(
                Mention(
                    f"total {and_.group(1).lower()}",
                    m.end + and_.start(1),
                    m.end + and_.end(1),
                    and_.group(1),
                )
            )
    said.sort(key=lambda m: m.start)
    both = said and QUALIFIED_PAIR_RE.search(sent[: said[-1].start])
    if both and len(run) == 2:
        # "GAAP and non-GAAP gross margins were 71.1% and 71.3%, respectively": one line, two bases
        m = said[-1]
        said = [
            Mention(
                metric_for(f"{both.group(k)} {m.name}"), both.start(k), m.end, f"{both.group(k)} {m.text}"
            )
            for k in (1, 2)
        ]
    shared = said and SHARED_HEAD_RE.search(sent[: said[-1].start])
    if not both and shared and len(run) == 2 and len(said[-1].text.split()) >= 2:
        # "operating and free cash flow ... $3.1 billion and $2.5 billion, respectively": the modifier
        # before "and" shares the line's head ("cash flow") with the one after it
        m = said[-1]
        head = m.text.split(None, 1)[1]
        said = [
            Mention(
                metric_for(f"{shared.group(1)} {head}"), shared.start(1), m.end, f"{shared.group(1)} {head}"
            ),
            m,
        ]
    listed = said[-len(run) :]
    if len(listed) != len(run) or len({m.name for m in listed}) < len(run):
        return {}
    # the metrics must be listed together: "A and B", "A, B and C" (else the run pairs with periods)
    for m, n in zip(listed, listed[1:], strict=False):
        if not re.fullmatch(r"[\s,]*(?:and\s+)?(?:the\s+)?", sent[m.end : n.start]):
            return {}
    return {i: (m, first) for i, m in zip(run, listed, strict=True)}


# Words before a sentence-opening line item that keep it the whole line ("Total revenue", "Net sales",
# "Fourth quarter revenue"); any other ("Online sales", "Product revenue") names a part of it.
WHOLE_MODIFIERS = frozenset(
    re.findall(
        r"\S+",
        "total net consolidated gaap non-gaap reported record quarterly annual overall company company's "
        "fiscal full year quarter first second third fourth the our its their this that these q1 q2 q3 q4 "
        "year-to-date ytd adjusted diluted basic operating gross and &",
    )
)


def _named(sent: str, mention) -> str:
    """A mention's metric, or the part of it the sentence opens with ("online sales")."""
    part = _part_of_subject(sent, mention)
    return f"{part} {clean_phrase(mention.text).lower()}" if part else mention.name


FUNCTION_WORDS = frozenset(
    re.findall(r"\S+", "in of for to at on with by from as terms than per into about over under within a an")
)
SUBJECT_VERB_RE = re.compile(
    r"(?i)reported|posted|recorded|had|has|have|generated|achieved|delivered|saw|announced|said|"
    r"increased|decreased|grew|improved|reduced|raised|lowered|expects?|expected|reaffirm\w*|is|was|were|are|"
    r"anticipates?|anticipated|projects?|projected|forecasts?|estimates?|believes?"
)


def _part_of_subject(sent: str, mention) -> str:
    """The modifier words of a line item that opens the sentence and names a part of it ("Online" of
    "Online sales decreased 9.2 percent"), else ""."""
    if isinstance(mention, FreeMention) or mention.start > 60:
        return ""
    lead = sent[: mention.start]
    lead = re.sub(r"^\W*(?:o|--?|\*)\s+", "", lead)  # (a bullet "o" or "--" opens the item)
    # the words right before it, opening the sentence or its first clause ("Overall, domestic comparable
    # store sales decreased 2.9 percent")
    m = re.fullmatch(r"(?s)(?:\W*[A-Za-z][\w'-]*\s*,)?\W*((?:[A-Za-z0-9][\w&'-]*\s+){1,4})", lead)
    if not m:
        return ""
    said = m.group(1).split()
    if all(w.lower() in WHOLE_MODIFIERS or re.fullmatch(r"(?:19|20)\d\d", w) for w in said):
        return ""
    # "Record quarterly Data Center revenue", "Fourth-quarter Gaming revenue": the words that say which
    # period or how it is counted come off; what is left names the part. ("Fourth-quarter revenue"
    # under a segment's heading keeps its words: the segment is not said, and it is not the company's.)
    words = said
    while words and all(
        piece.lower() in WHOLE_MODIFIERS or re.fullmatch(r"(?:19|20)\d\d", piece)
        for piece in words[0].split("-")
    ):
        words = words[1:]
    words = words or said
    if len(words) > 3:
        return ""
    if any(SUBJECT_VERB_RE.fullmatch(w) for w in words):
        return ""  # "ABVC reported total revenues of ...": the line item is the verb's object, whole
    if any(re.search(r"['’]s$", w) or w.lower() in FUNCTION_WORDS for w in words):
        return ""  # "Mpower's loss ...", "In terms of Adjusted EBITDA": a possessor or a preposition
    return " ".join(words).lower()


def _words_from(sent: str, a: int, b: int) -> str:
    """sent[a:b], starting at a word's beginning (a label read off a long sentence)."""
    if a > 0 and not sent[a - 1].isspace():
        sp = sent.find(" ", a, b)
        a = sp + 1 if sp != -1 else a
    return sent[a:b]


def _next_starts(figs: list[Figure], end: int) -> list[int]:
    """For each figure, where the next figure that is not a per-share aside starts (else `end`)."""
    out = [end] * len(figs)
    for i in range(len(figs) - 2, -1, -1):
        nxt = figs[i + 1]
        out[i] = out[i + 1] if nxt.aside else nxt.a
    return out


def _per_share(metric: str) -> str:
    lex = BY_NAME.get(metric)
    if metric.endswith("per share") or (lex and lex.unit == "USD/share"):
        return metric
    return metric + " per share" if metric in LOSS_METRICS else "earnings per share"


ENTITY_RE = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
BLOCK_TAG_RE = re.compile(r"(?i)</?(br|p|div|td|th|tr|li|h[1-6]|table|ul|ol|hr)\b")
# Scripts, styles, comments, and footnote marks set as superscripts ("$18.3<sup>1</sup> Million"): none is
# part of a sentence's words.
SKIP_TAG_RE = re.compile(
    r"(?is)<(script|style)\b.*?</\1\s*>|<!--.*?-->|<sup\b[^>]*>\s*(?:<[^>]*>\s*)*[\w*\u2020\u2021\u00a7,()]{1,4}"
    r"\s*(?:<[^>]*>\s*)*</sup\s*>"
)


def html_words(markup: str) -> tuple[str, list[tuple[int, int]]]:
    """The words a person reads in a stretch of HTML, and for each character the source span it came from.

    Tags are dropped (a `<br>` or a block boundary reads as a space), entities decoded, white space
    folded: a figure found in the words maps back to the exact characters of the markup.
    """
    import html as _html

    out: list[str] = []
    spans: list[tuple[int, int]] = []
    i, n = 0, len(markup)

    def put(ch: str, a: int, b: int) -> None:
        if ch.isspace() or ch == "\u00a0":
            if not out or out[-1] == " ":
                return
            ch = " "
        out.append(ch)
        spans.append((a, b))

    while i < n:
        c = markup[i]
        if c == "<":
            m = SKIP_TAG_RE.match(markup, i)
            j = m.end() if m else markup.find(">", i)
            j = n if j < 0 else (j if m else j + 1)
            if BLOCK_TAG_RE.match(markup, i):
                put(" ", i, j)  # a line or block boundary reads as a space; inline tags as nothing
            i = j
        elif c == "&":
            m = ENTITY_RE.match(markup, i)
            if m:
                for ch in _html.unescape(m.group(0)):
                    put(ch, i, m.end())
                i = m.end()
            else:
                put(c, i, i + 1)
                i += 1
        else:
            put(c, i, i + 1)
            i += 1
    while out and out[-1] == " ":
        out.pop()
        spans.pop()
    return "".join(out), spans


def _outlook_period(section: str, cal: FiscalCalendar, main: Period | None) -> Period | None:
    """The period guidance without its own period phrase is for: the one its section names
    ("DECEMBER 2003 QUARTER OUTLOOK"), else the quarter after the release's own."""
    if re.search(r"(?i)outlook|guidance|forecast|expectations", section):
        named = [p for p in find_periods(section) if not p.instant]
        if named:
            return resolve(named[0], cal, main)
    if main is not None and main.months == 3:
        return make_period(add_months(date.fromisoformat(main.end), 3), 3, cal) if main.end else None
    return None


def _blocks(doc: Document, seg: Segment) -> list[tuple[str, int, list[tuple[int, int]] | None]]:
    """(words, base offset, character map) of a segment: plain text maps one to one."""
    text = doc.text[seg.char_start : seg.char_end]
    if not doc.is_html:
        return [(text, seg.char_start, None)]
    words, spans = html_words(text)
    return [(words, seg.char_start, spans)]


def prose_facts(
    doc: Document,
    segments: list[Segment],
    cal: FiscalCalendar,
    main: Period | None,
    labels: set[str] = frozenset(),
):
    """Facts of the figures stated in a release's paragraphs (plain text, or HTML mapped back to its markup)."""
    from .facts import Fact

    phrases = metric_phrases(labels)
    out = []
    for seg in segments:
        if seg.kind not in ("paragraph", "heading"):
            continue
        for text, base0, spans in _blocks(doc, seg):
            outlook = _outlook_period(seg.section, cal, main)
            # "For fiscal year 2014, total revenues were ... GAAP operating margin was 39%.": a period that
            # opens a paragraph holds for its later sentences that name none.
            para = main
            for k, (sa, sb) in enumerate(sentences(text)):
                sent = text[sa:sb]
                if k == 0:
                    opening = OPENING_PERIOD_RE.match(sent)
                    pqs = find_periods(opening.group(0)) if opening else []
                    got = resolve(pqs[0], cal, main) if pqs and not pqs[0].relative else None
                    para = got if got is not None and got.kind == "duration" else main
                if not DIGIT_RE.search(sent):
                    # "We are entering the December quarter ...": later bullets follow. (Periods
                    # matter here only to such a sentence; a figure's are read with the figure.)
                    if GUIDANCE_RE.search(sent):
                        # ("increase slightly from last quarter" names the comparison, not the outlook's period)
                        named = [
                            resolve(p, cal, main)
                            for p in find_periods(sent)
                            if not p.instant and not p.relative
                        ]
                        if named and named[-1] is not None:
                            outlook = named[-1]
                    continue
                lead = len(sent) - len(sent.lstrip())

                def src(i: int, end: bool = False, sa=sa, base0=base0, spans=spans) -> int:
                    # Offset in the file of sentence character i (its end when `end`).
                    if spans is None:
                        return base0 + sa + i
                    a, b = spans[sa + i - (1 if end else 0)]
                    return base0 + (b if end else a)

                if spans is None:
                    s_start, s_end = src(lead), src(len(sent.rstrip()))
                else:
                    # HTML: the citation is the paragraph's own element; the figure keeps its exact span.
                    s_start, s_end = seg.char_start, seg.char_end
                for pf in read_sentence(sent, cal, main if k == 0 else para, phrases, outlook):
                    out.append(
                        Fact(
                            metric=pf.metric,
                            label=" ".join(pf.label.lstrip(BULLET_GLYPHS).split()) or pf.metric,
                            value=round(pf.value, 6),
                            unit=pf.unit,
                            period=pf.period,
                            basis="guidance" if pf.guidance else "reported",
                            as_printed=pf.as_printed,
                            scale=pf.scale,
                            doc_id=doc.doc_id,
                            char_start=src(pf.a),
                            char_end=src(pf.b, end=True) if spans is not None else src(pf.b),
                            label_start=s_start,
                            label_end=s_end,
                            cite_start=s_start,
                            cite_end=s_end,
                            cite_kind=seg.kind,
                            value_high=round(pf.high, 6) if pf.high is not None else None,
                            source="prose",
                            context=seg.section[:200],
                        )
                    )
    return out
