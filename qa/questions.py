"""Questions → what they ask: company, metric phrase, period, basis, derived intent. Pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.text import lazy_re

from .metrics import ABBREVIATIONS, LEXICON, clean_label
from .periods import PeriodQuery, find_periods

GUIDANCE_WORDS = lazy_re(r"(?i)\b(guidance|outlook|forecast\w*|expect\w*|projected|projection|target)\b")
PASSAGE_WORDS = lazy_re(
    r"(?i)^\s*(who|why|how(?!\s+(?:much|many|large|big))|where|when)\b|\b(excluded?|excludes|include[sd]?|defin\w+|mean[s]?|dial[- ]in|"
    r"(tele)?conference|webcast|replay|dial|passcode|pin|access code|call id|conference id|web ?site|url|contact|"
    r"phone|telephone|email|address|headquarter\w*|describe|explain)\b"
)
CHANGE_WORDS = lazy_re(
    r"(?i)\b(change|vs\.?|versus|compared (to|with)|growth|grow|grows|grew|rise|rose|fell|increase|decrease|"
    r"difference|year[- ]over[- ]year|yoy|y/y|sequential(ly)?|q/q)\b"
)
# With a single period, only explicit comparison words ask for a change ("revenue growth Q1", "vs prior year").
CHANGE_INTENT = lazy_re(
    r"(?i)\b(change|growth|grow|grows|grew|rise|rose|fell|increase|decrease|year[- ]over[- ]year|yoy|y/y|"
    r"sequential(ly)?|q/q|vs\.?|versus|compared)\b"
)
PRIOR_QUARTER_WORDS = lazy_re(
    r"(?i)\b(sequential(ly)?|q/q|prior quarter|previous quarter|last quarter|linked quarter)\b"
)
FILLER = lazy_re(
    r"(?i)(?<![\w&-])(what|was|were|is|are|the|did|does|do|how|much|many|for|in|at|during|as(?! reported)|by|a|an|"
    r"(?<!as )report(ed|s)?|company|company's|its|their|show|give|me|tell|please|(?<!book )(?<!fair )(?<!market )(?<!face )(?<!asset )value|figure|amount|end\s+of|end|"
    r"sp[e]nd(?:ing)?\s+on|spent\s+on|have|had|has|money|"
    r"ended|ending|period|guidance|outlook|forecast\w*|expect\w*|change|vs|versus|"
    r"compared|growth|grow|grows|grew|rise|rose|fell|year[- ]over[- ]year|yoy|y/y|sequential(ly)?|q/q|percentage|percent|increase[ds]?|decrease[ds]?|decline[ds]?|by|first|second|third|fourth|fiscal|quarter|quarterly|year[- ]end)(?![\w&-])|[?,.:;!]"
)


@dataclass(frozen=True)
class Question:
    """A parsed question."""

    text: str
    company: tuple[str, ...]  # company keys named in the question (several for a renamed company)
    metric_phrase: str  # what is left when company, period and filler words are taken out
    rest: str  # the question without the company's name (for passage search)
    periods: tuple[PeriodQuery, ...]
    guidance: bool
    change: bool
    wants_passages: bool
    wants_percent: bool
    wants_instant: bool
    company_guess: str = ""  # the name a question opened with that no stored company matched
    event_dates: tuple[str, ...] = ()  # "payable November 13, 2006": when, not which period (ISO dates)


def parse_question(text: str, companies: list[tuple[str, str, str]]) -> Question:
    """Parse a question against the companies in the store [(key, name, ticker)]."""
    q = " ".join(text.split())
    # "What did Apple earn per diluted share": the earnings line
    q = re.sub(r"(?i)\bearn(?:ed|s)?\b(?=\s+(?:per|a)\s+(?:\w+\s+)?share)", "earnings", q)
    company, rest = _find_company(q, companies)
    # "How much did ICSL lose (earn, make) in the quarter": the bottom line
    rest = re.sub(
        r"(?i)\bdid\s+(?:(?:the\s+)?(?:company|it|they)\s+)?(?:earn|make)\b(?!\s+(?:per|a)\s)",
        "net income",
        rest,
    )
    rest = re.sub(r"(?i)\bdid\s+(?:(?:the\s+)?(?:company|it|they)\s+)?lose\b", "net loss", rest)
    # A payment or record date ("payable February 15, 2024") says when, not which period.
    found = find_periods(rest)
    event = [
        p
        for p in found
        if p.instant
        and re.search(r"(?i)\b(payable|paid|record|announced|declared|on)\s*$", rest[: p.span[0]])
    ]
    periods = tuple(p for p in found if p not in event)
    stripped = rest
    for p in sorted((*periods, *event), key=lambda p: -p.span[0]):
        stripped = stripped[: p.span[0]] + " " + stripped[p.span[1] :]
    wants_instant = bool(re.search(r"(?i)\b(end of|as of|at the end|balance|year[- ]end)\b", rest))
    if re.search(r"(?i)\bend of\b|\byear[- ]end\b", rest) and periods:
        periods = tuple(
            PeriodQuery(
                p.months, fiscal_year=p.fiscal_year, quarter=p.quarter, end=p.end, instant=True, span=p.span
            )
            if p.months == 3 or p.months == 12
            else p
            for p in periods
        )
    wants_percent = bool(
        re.search(r"(?i)%|\bpercent\b|\bmargin\b(?!\s*\(gaap)|\bas a percentage\b", stripped)
    )
    phrase = FILLER.sub(" ", stripped)
    phrase = re.sub(r"(?i)(?<![\w-])gaap(?![\w-])", " ", phrase)  # GAAP is the default; non-GAAP stays
    phrase = " ".join(phrase.split())
    return Question(
        text=q,
        company=company,
        metric_phrase=phrase,
        rest=rest,
        periods=periods,
        guidance=bool(GUIDANCE_WORDS.search(q)),
        change=_asks_change(q),
        wants_passages=bool(PASSAGE_WORDS.search(q)),
        wants_percent=wants_percent,
        wants_instant=wants_instant,
        company_guess=_guessed_name(q, companies),
        event_dates=tuple(p.end for p in event if p.end),
    )


def _asks_change(q: str) -> bool:
    """Whether the question asks for a change; "change in accounting principle", "change in fair value"
    (a "change in" that no period follows) name a line item instead."""
    for m in CHANGE_WORDS.finditer(q):
        after = re.match(r"(?i)\s+in\s+(.*)", q[m.end() :])
        if m.group(0).lower() == "change" and after:
            rest = after.group(1)
            if not any(p.span[0] <= 4 for p in find_periods(rest)) and not re.match(
                r"(?i)(?:the\s+)?(?:q\d|quarter|year|period|fiscal)", rest
            ):
                continue
        return True
    return False


def _guessed_name(q: str, companies) -> str:
    """The name a question opens with when no stored company's name, ticker or initials matched it."""
    if _find_company_named(q, companies):
        return ""
    lead = _leading_name(q)
    return re.sub(r"(?i)['’]s$", "", q[lead[0] : lead[1]]) if lead else ""


GENERIC = {
    "financial",
    "services",
    "group",
    "holding",
    "holdings",
    "company",
    "bank",
    "international",
    "the",
    "corp",
    "inc",
    "semiconductor",
    "power",
    "funding",
    "solutions",
    "clinical",
}


LETTERS_RE = lazy_re(r"[A-Za-z]+")
NAME_WORD_RE = lazy_re(r"[A-Za-z0-9&]+")
INITIALS_SKIP = frozenset(["the", "of", "and"])


def _initials(name: str) -> str:
    """ICSL for Innovative Clinical Solutions Ltd: what a release's ticker often is."""
    return "".join(w[0] for w in LETTERS_RE.findall(name) if w.lower() not in INITIALS_SKIP).upper()


_TRIGGERS: list = [None, {}]  # [the companies list it was built from (kept, so never mistaken), index]


def _company_triggers(companies: list[tuple[str, str, str]], said: set[str]) -> list[tuple[str, str, str]]:
    """The companies the question could name at all: one whose first word, ticker or initials it says.

    With thousands of companies in a store, only these few are matched word by word."""
    if _TRIGGERS[0] is not companies:
        index: dict[str, list[tuple[str, str, str]]] = {}
        for c in companies:
            key, name, ticker = c
            words = NAME_WORD_RE.findall(name)
            first = {(words[0] if words else ""), (key.split() or [""])[0]} - TRIGGER_STOP
            for w in first:
                index.setdefault(w.lower(), []).append(c)
            # Tickers and initials are matched as typed, in capitals: "THE" or "OF" may be one, "the" is not.
            for code in {ticker, _initials(name)} - {""}:
                index.setdefault(code.upper(), []).append(c)
        _TRIGGERS[:] = [companies, index]  # one store's companies at a time
    seen: dict[str, tuple[str, str, str]] = {}
    for w in said:
        for c in _TRIGGERS[1].get(w, ()):
            seen[c[0]] = c
    return list(seen.values())


# First words that name no company on their own ("The Goldman Sachs Group": its key starts "goldman").
TRIGGER_STOP = frozenset(["", "The", "the", "THE", "A", "An", "Of", "And"])


def _find_company_named(q: str, companies: list[tuple[str, str, str]]) -> tuple[str, ...]:
    keys, _ = _find_company(q, companies, guess=False)
    return keys


def _find_company(
    q: str, companies: list[tuple[str, str, str]], guess: bool = True
) -> tuple[tuple[str, ...], str]:
    """The companies a question names (full name, ticker, initials, or distinctive first word), and the
    rest of it. "Apple" names both "Apple Inc." and "Apple Computer, Inc." (the same company's releases
    years apart), so several keys can come back."""
    found: list[tuple[str, int, int]] = []
    typed = re.findall(r"[A-Za-z0-9&]+", q)
    said = {w.lower() for w in typed} | {w for w in typed if w.isupper()}
    for key, name, ticker in _company_triggers(companies, said):
        pats: list[tuple[str, int]] = [
            (rf"\b{re.escape(name)}(?:'s)?(?!\w)", re.I),
            (rf"\b{re.escape(key).replace(chr(92) + ' ', chr(92) + 's+')}(?:'s)?\b", re.I),
        ]
        for code in {ticker, _initials(name)} - {""}:
            if len(code) >= 2:
                pats.append((rf"\b{re.escape(code)}\b", 0))  # tickers as typed, in capitals
        first, *more = key.split() if key else [""]
        if len(first) >= 3 and first not in GENERIC:
            # "Wells Fargo net income" of "Wells Fargo Bank, N.A.": as many of the name's next words as
            # the question says go with the first
            tail = ""
            for w in reversed(more[:3]):
                tail = rf"(?:\s+{re.escape(w)}{tail})?"
            pats.append((rf"\b{re.escape(first)}{tail}(?:'s)?\b", re.I))
        for p, flags in pats:
            m = re.search(p, q, flags)
            if m:
                found.append((key, m.start(), m.end()))
                break
    if not found:
        if guess and len(companies) == 1:
            lead = _leading_name(q)
            if lead:
                # One company in the store, and the question opens with a name the release never prints
                # ("KeyCorp net income" of a supplement that calls itself "Key"): that company.
                return (companies[0][0],), (q[: lead[0]] + " " + q[lead[1] :]).strip()
        lead = _leading_name(q) if guess else None
        if lead:
            # A name no stored company goes by: `answer` looks for the releases that print it.
            return (), (q[: lead[0]] + " " + q[lead[1] :]).strip()
        return (), q
    # The longest mention wins; every company named by that same stretch of words comes along.
    a, b = max(((x[1], x[2]) for x in found), key=lambda ab: ab[1] - ab[0])
    keys = tuple(sorted({k for k, s, e in found if s >= a and e <= b}))
    poss = re.match(r"['’]s?(?!\w)", q[b:])  # "PNC's net interest margin": the possessive goes with the name
    return keys, (q[:a] + " " + q[b + (poss.end() if poss else 0) :]).strip()


LEAD_WORD_RE = lazy_re(r"[A-Z][\w&.’'-]*")
QUESTION_WORDS = frozenset(
    [
        "what",
        "how",
        "who",
        "which",
        "when",
        "where",
        "why",
        "did",
        "does",
        "do",
        "is",
        "was",
        "were",
        "are",
        "the",
        "total",
        "gaap",
        "non-gaap",
        "adjusted",
        "net",
        "basic",
        "diluted",
        "fiscal",
        "fy",
        "first",
        "second",
        "third",
        "fourth",
        "full",
        "year",
        "quarter",
        "quarterly",
        "annual",
        "q1",
        "q2",
        "q3",
        "q4",
        "h1",
        "h2",
        "ytd",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "show",
        "give",
        "tell",
        "list",
        "compare",
        "please",
        "average",
        "cash",
        # how a question about guidance opens ("Expected net revenue for 2018")
        "expected",
        "projected",
        "estimated",
        "forecast",
        "anticipated",
        "guided",
        "guidance",
        "outlook",
    ]
)


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """Every word of the lexicon's names and synonyms: words a question uses for metrics, not names."""
    words: set[str] = set()
    for m in LEXICON:
        for v in (m.name, *m.synonyms):
            words |= set(re.findall(r"[a-z0-9&-]+", v.lower()))
    return frozenset(words | set(ABBREVIATIONS))


def _leading_name(q: str) -> tuple[int, int] | None:
    """Where the capitalized words a question opens with (after "What was", "How much did") stand that
    are no metric, period or question word."""
    opener = re.match(
        r"(?i)^\s*(?:(?:what|how|much|many|did|does|do|was|were|is|are|the|by|in|for|at|on)\s+)*", q
    )
    pos = start = opener.end()
    end = None
    while pos < len(q):
        m = LEAD_WORD_RE.match(q, pos)
        if not m:
            break
        w = m.group(0)
        base = re.sub(r"(?i)['’]s$", "", w).lower()
        if base in QUESTION_WORDS or base in _vocabulary() or re.match(r"(?i)^(?:q[1-4]|[1-4]q|fy)\d*", base):
            break
        end = m.end()
        pos = m.end()
        while pos < len(q) and q[pos] == " ":
            pos += 1
    return (start, end) if end else None


def _synonym_words() -> list[tuple[int, str, str]]:
    out = []
    for m in LEXICON:
        for name in (m.name, *m.synonyms):
            n = clean_label(name)
            out.append((len(n), m.name, n))
    return out


# (length, metric, words): what `(?<![\w&])words(?![\w&])` would find, found with str.find (compiling
# the 200 patterns cost `exhibit ask` ~8 ms at start).
_SYNONYM_WORDS = _synonym_words()


def _said(words: str, p: str) -> bool:
    """Whether `words` occur in `p` with no word character or `&` just before or after them."""
    i = p.find(words)
    while i >= 0:
        j = i + len(words)
        if (i == 0 or not _wordish(p[i - 1])) and (j == len(p) or not _wordish(p[j])):
            return True
        i = p.find(words, i + 1)
    return False


def _wordish(c: str) -> bool:
    # Exactly the regex `[\w&]` (\w: str.isalnum() or "_").
    return c.isalnum() or c in "_&"


def metric_candidates(phrase: str, wants_percent: bool) -> list[str]:
    """Canonical metric names the phrase names, most specific first (lexicon names and synonyms)."""
    p = clean_label(phrase)
    p = re.sub(r"\b(expenses?|costs?)\b$", "", p).strip() if not p.startswith("total") else p
    out = [(length, name) for length, name, words in _SYNONYM_WORDS if _said(words, p)]
    out.sort(key=lambda x: -x[0])
    names = []
    for _, n in out:
        if n not in names:
            names.append(n)
    return names
