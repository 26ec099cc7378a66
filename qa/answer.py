"""Question → Answer: a cited figure, a derived figure, passages, ambiguous, or an honest not_found.

Never invent: a figure is returned only when the store holds a fact for the
metric and period asked, or can derive it from stored facts by a stated formula.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

from index.numbers import parse_number, precision
from index.text import lazy_re

from .citations import citation
from .metrics import ABBREVIATIONS, BY_NAME, GROUP_METRICS, clean_label, is_instant
from .periods import FiscalCalendar, Period, PeriodQuery, make_period, nominal, shift
from .questions import CHANGE_INTENT, PRIOR_QUARTER_WORDS, Question, metric_candidates, parse_question
from .store import FactRow, company_key


@dataclass(frozen=True)
class Answer:
    """What `exhibit ask` returns; `answer` follows the ask --json contract."""

    question: str
    status: str  # answered | passages | ambiguous | not_found
    answer: dict | None = None
    citations: tuple[dict, ...] = ()
    alternatives: tuple[dict, ...] = ()
    formula: str | None = None
    note: str = ""
    facts: tuple = field(default=(), compare=False)  # the FactRows behind the answer (for the TUI/renderer)


def answer_to_json(a: Answer) -> dict:
    """The DESIGN.md JSON object of an answer."""
    out = {
        "question": a.question,
        "status": a.status,
        "answer": a.answer,
        "citations": list(a.citations),
        "alternatives": list(a.alternatives),
    }
    if a.formula:
        out["formula"] = a.formula
    if a.note:
        out["note"] = a.note
    return out


def answer(lib, text: str) -> Answer:
    """Answer one question from the library's store and index.

    "How much" and "how many" ask for a figure; when no stored figure answers them, the passages that
    state it are the answer ("How many weeks were in the quarter?")."""
    a = _answer(lib, text)
    if a.status == "not_found" and HOW_MUCH_RE.match(text) and lib.store.companies():
        q = parse_question(text, lib.store.companies())
        companies = lib.store.companies()
        found = passages(lib, q, q.company or ((companies[0][0],) if len(companies) == 1 else None))
        if found.status == "passages":
            return found
    return a


HOW_MUCH_RE = lazy_re(r"(?i)^\s*how\s+(much|many|large|big)\b")


def _answer(lib, text: str) -> Answer:
    """`answer` for figures, derived figures, passages, ambiguous or not_found."""
    companies = lib.store.companies()
    q = parse_question(text, companies)
    if not companies:
        return Answer(text, "not_found", note="the store is empty: run `exhibit index PATH` first")
    if q.company_guess and _prints_line(lib, q.company_guess, q.metric_phrase):
        # "Online sales ...": the opening word is the line item's ("Online sales"), not a company's name
        q = replace(
            q,
            metric_phrase=f"{q.company_guess} {q.metric_phrase}",
            rest=f"{q.company_guess} {q.rest}",
            company_guess="",
        )
    scope = q.company or ((companies[0][0],) if len(companies) == 1 else None)
    if q.company_guess:
        owner = _company_printing(lib, q.company_guess)
        if owner is None:
            return Answer(text, "not_found", note=f"no company named {q.company_guess!r} in the store")
        scope = (owner,)
    if q.wants_passages:
        return passages(lib, q, scope)
    if re.search(r"(?i)\bworking capital\b", q.metric_phrase) and not q.change:
        return working_capital(lib, q, scope, text)
    groups = metric_groups(lib, q, scope)
    if (
        q.change
        and scope is not None
        and (
            # a change "in constant currency" cannot be derived from the levels: only printed
            CONSTANT_CURRENCY_RE.search(q.text)
            or not any(
                explains(lib, f, q)
                for m in (groups[0] if groups else [])
                for f in lib.store.facts(company=scope, metric=m)
            )
        )
    ):
        # "comparable store net sales change": a change the release prints of a line it prints no levels of
        printed = _printed_changes(lib, q, scope)
        if printed:
            hits = select(lib, printed, q.periods[0] if q.periods else None, q, {})
            if hits:
                return figure_answer(lib, text, hits[0], printed)
    if scope is not None and not q.change and COMPARABLE_RE.search(q.metric_phrase):
        # "comparable store sales" is itself a change: the one the release prints
        printed = _printed_changes(lib, q, scope)
        hits = select(lib, printed, q.periods[0] if q.periods else None, q, {}) if printed else []
        if hits:
            return figure_answer(lib, text, hits[0], printed)
    if not groups and (MARGIN_RE.search(q.metric_phrase) or q.wants_percent):
        derived = margin(lib, q, scope, text)
        if derived is not None:
            return derived
    if not groups:
        if metric_candidates(q.metric_phrase, q.wants_percent) or q.periods:
            return Answer(text, "not_found", note=f"no figure for {q.metric_phrase!r} in the store")
        return passages(lib, q, scope)
    if scope is None:
        # Unscoped: the group and the companies reporting it come from distinct rows, and the facts
        # are read only when one company reports it (not every company's, to find them ambiguous).
        metrics, alts = _unscoped_group(lib, q, groups)
        if alts:
            return Answer(
                text, "ambiguous", alternatives=alts, note="several companies report this; name one"
            )
        facts = [f for m in metrics for f in lib.store.facts(metric=m)] if metrics else []
        facts = [f for f in facts if explains(lib, f, q)]
        metrics = metrics or groups[0]
    else:
        found = None
        for metrics in groups:
            # The best-named metric that has a figure for the period asked wins; its facts must account
            # for what the question says ("Tier 1 capital to risk-adjusted assets" is not total assets).
            facts = [f for m in metrics for f in lib.store.facts(company=scope, metric=m)]
            facts = [f for f in facts if explains(lib, f, q)]
            if facts and (found is None or _has_period(lib, facts, q)):
                found = (metrics, facts)
                if _has_period(lib, facts, q):
                    break
        metrics, facts = found if found else (groups[0], [])
    if not facts:
        return Answer(text, "not_found", note=f"no figure for {q.metric_phrase!r} in the store")
    cals = {}
    if q.change and (len(q.periods) >= 2 or (len(q.periods) == 1 and CHANGE_INTENT.search(q.text))):
        return change(lib, q, facts, cals, text)
    pq = q.periods[0] if q.periods else None
    hits = select(lib, facts, pq, q, cals)
    if not hits and MARGIN_RE.search(q.metric_phrase):
        derived = margin(lib, q, scope, text)
        if derived is not None:
            return derived
    if not hits:
        return Answer(text, "not_found", note="no figure for that period in the store")
    best = hits[0]
    return figure_answer(lib, text, best, facts)


def _printed_changes(lib, q: Question, scope: tuple[str, ...]) -> list[FactRow]:
    """Facts of the stated change (" change %", or " change" in dollars) of the line the question
    names every word of, fewest other words first."""
    said = _words(q.metric_phrase) - NOISE_WORDS
    if not said:
        return []
    suffix = " change" if re.search(r"(?i)\$|dollars?|amount", q.text) else " change %"
    best: tuple[int, list[FactRow]] | None = None
    for m, _ in lib.store.metrics(scope):
        if not m.endswith(suffix):
            continue
        words = _words(m.removesuffix(suffix))
        if not said <= words:
            continue
        facts = [f for f in lib.store.facts(company=scope, metric=m)]
        if facts and (best is None or len(words - said) < best[0]):
            best = (len(words - said), facts)
    return best[1] if best else []


def _prints_line(lib, word: str, phrase: str) -> bool:
    """Whether a release prints the question's opening word as the start of its metric ("Online sales")."""
    first = phrase.split()[0] if phrase.split() else ""
    words = word.split()
    if not first or not 1 <= len(words) <= 3:
        return False
    gap = r"(?:\s|<[^>]*>|&nbsp;|&#160;)+"  # ("Data Center revenue" across a tag or a line break)
    pattern = re.compile(rf"(?i)\b{gap.join(re.escape(w) for w in words)}{gap}{re.escape(first)}")
    return any(pattern.search(lib.text_for(d.sha256)) for d in lib.store.documents())


def _company_printing(lib, name: str) -> str | None:
    """The company whose releases print a name no stored company goes by ("KeyCorp" for a supplement
    that calls itself "Key"): the only company that prints it, or the one that prints it far more often
    than any other; None when none does."""
    first = re.match(r"[A-Z][a-z]+", name)
    probes = {name.split()[0]} | ({first.group(0)} if first and len(first.group(0)) >= 3 else set())
    pattern = re.compile(r"\b(" + "|".join(re.escape(p) for p in sorted(probes)) + r")\b")
    counts: dict[str, int] = {}
    for d in lib.store.documents():
        n = len(pattern.findall(lib.text_for(d.sha256)))
        if n:
            counts[d.company_key] = counts.get(d.company_key, 0) + n
    if UNKNOWN_COMPANY_KEY in counts:
        return UNKNOWN_COMPANY_KEY  # a release that never said its name (a bare supplement) and prints this
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if not ranked or (len(ranked) > 1 and ranked[0][1] < 3 * ranked[1][1]):
        return None
    return ranked[0][0]


UNKNOWN_COMPANY_KEY = company_key("Unknown company")


# --- metric resolution -------------------------------------------------------------------------


def resolve_metrics(lib, q: Question, scope: tuple[str, ...] | None) -> list[str]:
    """The best stored metric names for the question (the first group of `metric_groups`)."""
    groups = metric_groups(lib, q, scope)
    return groups[0] if groups else []


def metric_groups(lib, q: Question, scope: tuple[str, ...] | None, limit: int = 6) -> list[list[str]]:
    """Stored metric names the question may ask for, best first, each with its variants.

    Every lexicon synonym, every stored metric name and every line-item label the release printed is
    scored by how many of the question's words it covers; the release's own line items ("core customer",
    "Cash, cash equivalents and short-term investments") thus win over generic lexicon names. A lexicon
    metric the store does not hold is not replaced by a guess: it simply yields no group.
    """
    stored = {m for m, _ in lib.store.metrics(scope)}
    phrase = q.metric_phrase.lower()
    # "total expenses" is all stop words: then every word counts
    words = _words(phrase) or frozenset(w.rstrip("s") for w in re.findall(r"[a-z0-9&]+", phrase))
    if not words:
        return []
    # "by what percent did revenues decrease" asks for a change of the line, not a line printed in %
    percent = bool(re.search(r"%|\bpercent", q.text.lower())) and not (
        q.change and CHANGE_INTENT.search(q.text)
    )
    per_share = bool(re.search(r"per share|\beps\b", phrase)) and not re.search(
        r"shares used|(diluted|basic|average) shares", phrase
    )
    scored: dict[str, tuple[float, int, int, str]] = {}

    asks_share = bool(re.search(r"\bshares?\b|\beps\b|\bbvps\b", phrase))

    def offer(
        name: str, score: float, pos: int, extra: int = 0, named: bool = False, ordered: int = 1
    ) -> None:
        if not (asks_share or named) and (
            name.endswith("per share") or BY_NAME.get(name, _ANY).unit == "USD/share"
        ):
            return  # "net loss" is the dollar line, not the same words under "per share"
        # Ties go to the match with fewer words the question did not say, then to the name (deterministic).
        # A non-GAAP measure the question does not ask for counts one more ("gross margin guidance" is
        # the GAAP figure where both are given).
        if NON_GAAP_NAME_RE.search(name) and not NON_GAAP_NAME_RE.search(phrase):
            extra += 1
        key = (score, ordered, pos, -extra, name)
        if name not in scored or key > scored[name]:
            scored[name] = key

    for name in metric_candidates(phrase, percent):
        m = BY_NAME[name]
        said = [
            v
            for v in (m.name, *m.synonyms)
            if re.search(rf"(?<![\w&]){re.escape(clean_label(v))}(?![\w&])", phrase)
        ]
        best_cov = max((len(_words(v) & words) for v in said), default=1)
        pos = min((phrase.find(clean_label(v)) for v in said), default=99)
        offer(name, best_cov, -pos, min((len(_words(v) - words) for v in said), default=0), named=True)
    for m in _sharing(_stored_by_word(lib, scope), words):  # (only these can share a word)
        if m.endswith((" change %", " change", " adjustment", " adjustment %")) or (
            not q.change and CHANGE_LINE_RE.match(m)
        ):
            continue
        for mw in _spellings(m.removesuffix(" %")):
            inter = len(words & mw)
            if mw and inter and (inter / len(mw) >= 0.75 or (inter >= 2 and inter / len(mw) >= 0.66)):
                offer(
                    m, inter, -min((phrase.find(w) for w in mw if w in phrase), default=99), len(mw - words)
                )
    for m, label in _sharing(_labels_by_word(lib, scope), words):  # (only these can share a word)
        if m.endswith((" change %", " change", " adjustment", " adjustment %")) or (
            not q.change and CHANGE_LINE_RE.match(m)
        ):
            continue  # a change column's line: asked for by change words, derived from the levels
        lw = _label_words(m, label)
        inter = len(words & lw)
        if lw and inter and (inter / len(lw) >= 0.75 or (inter >= 2 and inter / len(lw) >= 0.66)):
            # A printed label the question names nearly word for word.
            pos = min((phrase.find(w) for w in lw & words if w in phrase), default=99)
            ordered = _in_order(phrase, label)
            # (every word of the question, in its order: the label is what it names)
            offer(
                m.removesuffix(" %"),
                inter + (0.5 if inter == len(words) and ordered else 0),
                -pos,
                len(lw - words),
                ordered=ordered,
            )
    ranked = sorted(scored.items(), key=lambda kv: kv[1], reverse=True)
    groups: list[list[str]] = []
    top = ranked[0][1][0] if ranked else 0
    # Weaker matches come after the best as fallbacks for a period the best lacks; `explains` then keeps
    # only facts whose label, sections and title account for every word the question says.
    exact = bool(ranked) and ranked[0][1][3] == 0  # the best says nothing the question did not
    for base, (score, _ordered, _pos, minus_extra, _name) in ranked[:limit]:
        if score < top - 0.5 and score < 2:
            break  # one word in common is another metric
        lexicon = BY_NAME.get(base.removesuffix(" %"))
        if exact and minus_extra and lexicon and _words(lexicon.name) - words - HARMLESS_EXTRA:
            # "net income" named exactly: the lexicon's "net interest income" is another line, not a
            # fallback for it, even where the store has no net income (a release's own "Advances under
            # line of credit" may still stand in for "line of credit")
            continue
        base = base.removesuffix(" %")
        pct = percent or ("margin" in phrase and "margin" not in base)
        if not pct and base == "gross margin" and "margin" in phrase:
            # A release whose statements call the dollars "gross profit" means the percent by "gross
            # margin" ("Gross margin was 33.9 percent"; derived from the lines where it prints none); one
            # that prints a "Gross margin" line means dollars.
            said = [lab for m, lab in lib.store.labels(scope) if m == base]
            pct = bool(said) and not any("margin" in lab.lower() for lab in said)
        if base == "net income" and (per_share or q.guidance):
            # "earnings guidance" is most often given per share
            names = ["earnings per share", "net income per share", "diluted earnings per share"]
            names = names + ["net income"] if q.guidance and not per_share else names
        elif BY_NAME.get(base) and BY_NAME[base].unit == "percent":
            names = [base]
        elif pct:
            names = [base + " %"]
        else:
            names = [base]
        if base in ("earnings per share", "diluted earnings per share", "basic earnings per share"):
            names += [
                n
                for n in (
                    "diluted earnings per share",
                    "earnings per share",
                    "net income per share",
                    "basic earnings per share",
                )
                if n not in names
            ]
            if "diluted" in phrase:
                names = [n for n in names if not n.startswith("basic")]
            elif "basic" in phrase:
                names = [n for n in names if not n.startswith("diluted")]
        # A lexicon name the store lacks yields no group; what stands after it must still account for every
        # word of the question (`explains`), so nothing weaker is taken in its place.
        # A line printed only as a percentage ("Reserves/ Net Loans Receivable 2.06%") is asked by its name.
        names = [n if n in stored or n + " %" not in stored else n + " %" for n in names]
        names = [n for n in names if n in stored]
        if names and names not in groups:
            groups.append(names)
    return groups


CONSTANT_CURRENCY_RE = lazy_re(r"(?i)\bconstant[- ]currency\b|\bfx[- ]neutral\b|\bcurrency[- ]neutral\b")
COMPARABLE_RE = lazy_re(r"(?i)\b(?:comparable|same)[- ](?:store|restaurant|location|branch)|\bcomps?\b")
NON_GAAP_NAME_RE = lazy_re(r"(?i)\bnon[- ]?gaap\b|\badjusted\b|\bpro forma\b")
# "Change in cash and cash equivalents": a line of changes, not the balance a plain question asks for
CHANGE_LINE_RE = lazy_re(r"(?:net\s+)?(?:change|increase|decrease)s?\b.{0,25}?\bin\s")

# Words a fallback line may add to what the question named and still be that line ("total deposits").
HARMLESS_EXTRA = frozenset({"total", "net", "consolidated", "reported", "gaap"})


def _in_order(phrase: str, label: str) -> int:
    """1 when a label says what the question names as it does: the shared words together and in order
    ("net income" in "Net Income - As Reported"), or the label opens with one of them ("Charge offs - net
    of recoveries"); 0 for a line of another head ("Other Income, net")."""

    def seq(s: str) -> list[str]:
        return [w.rstrip("s") for w in re.findall(r"[a-z0-9&]+", clean_label(s).lower())]

    lab, asked = seq(label), seq(phrase)
    shared = [w for w in asked if w in lab]
    return int(" ".join(shared) in " ".join(lab) or (bool(lab) and lab[0] in asked))


def _label_words(m: str, label: str) -> frozenset[str]:
    """The words a printed label is asked by (parentheticals count; a non-GAAP column's, "nongaap")."""
    lw = _words(label.replace("(", " ").replace(")", " "))  # parentheticals count here
    if m.startswith("non-gaap"):
        lw = lw | {"nongaap"}  # the column said so, not the label: unasked, it counts against
    return lw


def _sharing(by_word: dict[str, list], words: frozenset[str]) -> list:
    """The entries filed under any of the words (each once, in the order first filed)."""
    found: dict = {}
    for w in words:
        for entry in by_word.get(w, ()):
            found[entry] = None
    return list(found)


def _stored_by_word(lib, scope) -> dict[str, list[str]]:
    """Stored metric names filed by each word of their spellings: `metric_groups` looks only at those
    sharing a word with the question, not at every metric in the store. Kept until the store changes."""

    def build() -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for m, _ in lib.store.metrics(scope):
            for w in {w for mw in _spellings(m.removesuffix(" %")) for w in mw}:
                out.setdefault(w, []).append(m)
        return out

    return lib.store._memoised(("stored_by_word", _scope_key(scope)), build)


def _labels_by_word(lib, scope) -> dict[str, list[tuple[str, str]]]:
    """Printed (metric, label) pairs filed by each word of the label (see `_stored_by_word`)."""

    def build() -> dict[str, list[tuple[str, str]]]:
        out: dict[str, list[tuple[str, str]]] = {}
        for m, label in lib.store.labels(scope):
            for w in _label_words(m, label):
                out.setdefault(w, []).append((m, label))
        return out

    return lib.store._memoised(("labels_by_word", _scope_key(scope)), build)


def _scope_key(scope):
    return scope if isinstance(scope, (str, type(None))) else tuple(scope)


@lru_cache(maxsize=65536)
def _spellings(metric: str) -> tuple[frozenset[str], ...]:
    """The word sets a stored metric may be asked by: "services revenue" also as "services net sales"."""
    out = [_words(metric)]
    head = metric.partition(" from continuing operations")[0]
    if head != metric and re.search(r"\bper\b.*\bshare\b", head):
        # "earnings per diluted share from continuing operations" is asked as EPS (a release that gives
        # only that one); "income from continuing operations" stays its own line
        out.append(_words(head))
    for group in GROUP_METRICS:
        if metric.endswith(" " + group):
            child = metric[: -len(group) - 1]
            out += [_words(f"{child} {v}") for v in BY_NAME[group].synonyms]
    return tuple(out)


_ANY = BY_NAME["revenue"]  # a stand-in with a dollar unit for names the lexicon does not hold


ABBREVIATIONS_RE = lazy_re(r"(?i)\b(" + "|".join(re.escape(k) for k in ABBREVIATIONS) + r")(?![\w'])")
NON_RE = lazy_re(r"(?i)\bnon[- ](?=[a-z])")


@lru_cache(maxsize=65536)
def _raw_words(s: str) -> frozenset[str]:
    """Words of a label as printed, parentheticals included ("allocated to Cost of Operating Revenues")."""
    s = NON_RE.sub("non", ABBREVIATIONS_RE.sub(lambda m: ABBREVIATIONS[m.group(0).lower()], s.lower()))
    return frozenset(w.rstrip("s") for w in re.findall(r"[a-z0-9&]+", s) if len(w) > 2)


@lru_cache(maxsize=65536)
def _words(s: str) -> frozenset[str]:
    """The words that name a metric (stop words and numbers out, plurals folded); cached: labels repeat."""
    stop = {
        "and",
        "the",
        "of",
        "total",
        "to",
        "from",
        "in",
        "on",
        "at",
        "by",
        "under",
        "for",
        "expense",
        "expenses",
        "q",
        "percent",
        "%",
    }
    s = ABBREVIATIONS_RE.sub(
        lambda m: ABBREVIATIONS[m.group(0).lower()], s
    )  # "EPS", "CDs": as releases spell them
    s = NON_RE.sub("non", s)  # "non-GAAP" is one word: "non" alone would say nothing
    return frozenset(
        w.rstrip("s") for w in re.findall(r"[a-z0-9&]+", clean_label(s)) if w not in stop and not w.isdigit()
    )


# --- period selection -------------------------------------------------------------------------


def calendar_of(lib, doc_id: str, cals: dict) -> FiscalCalendar:
    """The fiscal calendar of a document's company."""
    if doc_id not in cals:
        d = lib.store.document(doc_id)
        fye = d.fiscal_year_end if d else None
        cals[doc_id] = FiscalCalendar.parse(fye)
    return cals[doc_id]


def matches(f: FactRow, pq: PeriodQuery, cal: FiscalCalendar, instant_metric: bool) -> bool:
    """Whether a fact's period is the one a period phrase asks for."""
    end = date.fromisoformat(f.period.end)
    if pq.month and pq.calendar_year and pq.months is None and not pq.end:
        # "January 2022": a figure dated in that month (a dividend declared, a balance at its end)
        return (end.year, end.month) == (pq.calendar_year, pq.month) or (
            nominal(end).year,
            nominal(end).month,
        ) == (pq.calendar_year, pq.month)
    resolved = pq.resolve(cal) if pq.instant and not pq.end and pq.fiscal_year else None
    if pq.end or resolved:
        # (a balance "at year-end 2021", "end of Q1 2004": at the date the fiscal calendar gives)
        want = date.fromisoformat(pq.end) if pq.end else resolved[0]
        if abs((nominal(end) - nominal(want)).days) > 3 and abs((end - want).days) > 3:
            return False
        if pq.instant:
            # a balance printed in a period's column is the balance at that period's end
            return f.period.kind == "instant" or instant_metric or f.period.months == 3
        return f.period.kind == "duration" and f.period.months == pq.months
    if f.period.kind == "instant":
        if not (instant_metric or pq.instant):
            return False
        if pq.quarter:
            if cal.quarter_of(end) != pq.quarter or nominal(end) != nominal(end):
                return False
            return pq.fiscal_year is None or cal.fiscal_year(end) == pq.fiscal_year
        if pq.months == 12:
            return cal.quarter_of(end) == 4 and (
                pq.fiscal_year is None or cal.fiscal_year(end) == pq.fiscal_year
            )
        return False
    if pq.instant:
        return False
    if f.period.months != pq.months:
        return False
    if pq.month:
        n = nominal(end)
        return n.month == pq.month and (pq.calendar_year is None or n.year == pq.calendar_year)
    if pq.quarter and cal.quarter_of(end) != pq.quarter:
        return False
    if pq.months == 12 and not pq.quarter and cal.quarter_of(end) != 4:
        return False  # a trailing twelve months to another quarter is not the fiscal year
    return pq.fiscal_year is None or cal.fiscal_year(end) == pq.fiscal_year


# Words a question may say that never name a metric: dates, verbs of announcing, qualifiers.
NOISE_WORDS = frozenset(
    [
        "announced",
        "announce",
        "raised",
        "increased",
        "decreased",
        "declared",
        "payable",
        "paid",
        "result",
        "restated",
        "reported",
        "with",
        "approximately",
        "consolidated",
        "company",
        "actual",
        "level",
        "about",
        "during",
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
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "current",
        "prior",
        "last",
        "previous",
        "same",
        "this",
        "year",
        "month",
        "week",
        "day",
        "new",
        "regular",
        "latest",
        "recent",
        "most",
        "balance",
        "balances",
        "outstanding",
        "amount",
        "county",
        "region",
        "geographic",
    ]
)


@lru_cache(maxsize=65536)
def _explaining_words(metric: str, label: str, context: str) -> frozenset[str]:
    """The words a fact accounts for: its metric's names and synonyms, its label (parentheticals too),
    its sections and table title, and the synonyms of any metric those sections name ("Net sales by
    category" → revenue)."""
    out = set(_words(metric.removesuffix(" %")) | _words(label) | _raw_words(label) | _raw_words(context))
    if DILUTION_RE.search(label + " " + context):
        out.add("diluted")  # "common shares and potential common shares outstanding" are the diluted count
    base = BY_NAME.get(metric.removesuffix(" %").removesuffix(" change"))
    if base:
        for v in (base.name, *base.synonyms):
            out |= _words(v)
    ctx = clean_label(context)
    tokens = set(TOKEN_RE.findall(ctx))
    named: set[str] = set()
    for m, variant, needs in _lexicon_variants():
        # Only a name whose every word the context has can be in it: no pattern for the others (in a
        # fresh process each pattern is a compile, and there are hundreds of names).
        if m.name in named or not needs <= tokens:
            continue
        if re.search(rf"(?<![\w&]){re.escape(variant)}(?![\w&])", ctx):
            named.add(m.name)
            for v in (m.name, *m.synonyms):
                out |= _words(v)
    return frozenset(out)


TOKEN_RE = lazy_re(r"[\w&]+")


@lru_cache(maxsize=1)
def _lexicon_variants() -> tuple:
    """Every lexicon name and synonym, cleaned, with the words it is made of."""
    return tuple(
        (m, cv, frozenset(TOKEN_RE.findall(cv)))
        for m in BY_NAME.values()
        for cv in (clean_label(v) for v in (m.name, *m.synonyms))
    )


DILUTION_RE = lazy_re(r"(?i)potential common|dilutive|assuming dilution")


def _said_by_label(label: str) -> frozenset[str]:
    """The words a line's own label says, "diluted" for the share count that includes potential shares."""
    return _raw_words(label) | ({"diluted"} if DILUTION_RE.search(label) else frozenset())


PERCENT_WORDS = frozenset({"margin", "percent", "percentage", "rate", "ratio", "%"})


def unexplained(f: FactRow, q: Question, sentence: str = "") -> set[str]:
    """The question's metric words a fact does not account for (a prose fact: its whole sentence)."""
    phrase = q.metric_phrase.lower()
    # "... under licensing agreements": a closing "under" phrase qualifies the measure; one of its words
    # accounted for is enough
    head, _, under = phrase.partition(" under ")
    said = _words(head if under else phrase) - NOISE_WORDS
    if under and not (_words(under) & _explaining_words(f.metric, f.label, f.context)):
        said |= _words(under)
    left = said - _explaining_words(f.metric, f.label, f.context)
    if f.unit == "percent":
        left -= PERCENT_WORDS  # "Adjusted EBITDA margin" is the line printed "Adjusted EBITDA (% of Revenue)"
    if left and sentence:
        left -= _raw_words(TAG_RE.sub(" ", sentence)) | _words(TAG_RE.sub(" ", sentence))
    return set(left)


def explains(lib, f: FactRow, q: Question) -> bool:
    """Whether a fact answers the metric the question names: every word of it accounted for."""
    left = unexplained(f, q)
    if left and f.source == "prose":
        left = unexplained(f, q, _own_sentence(lib, f))
    return not left


def _own_sentence(lib, f: FactRow) -> str:
    """The words of a prose fact's own sentence: its clause up to the figure and the rest of the
    sentence after it (not the whole paragraph the citation quotes, which speaks of other lines too)."""
    after = TAG_RE.sub(" ", lib.text_for(f.sha256)[f.char_end : min(f.cite_end, f.char_end + 300)])
    stop = re.search(r"[.;](?:\s|$)", after)
    return f"{f.label} {after[: stop.start()] if stop else after}"


TAG_RE = lazy_re(r"<[^>]*>|&[a-z#0-9]+;")


QUALIFIED_RE = lazy_re(
    r"(?i)\b(excluding|adjusted|non-?gaap|pro forma|underlying|core|operating basis|as adjusted|"
    r"before (special|one-time|unusual|non-?recurring))\b|one-time items"
)


PART_RE = lazy_re(r"\[column: ([^\]]*)\] ")
HEADERLESS_LIST_RE = lazy_re(
    r"(?i)\b(included in|amounts included|following are the amounts|consist(s|ing)? of)\b"
)


def rank_key(f: FactRow, q: Question | None = None):
    """Which of several facts for one metric and period is *the* figure: the label the question names,
    a table before prose, a "Total ..." line (firm-wide, not a segment's), primary statements (earlier
    tables) before reconciliation repeats."""
    phrase = q.metric_phrase if q else ""
    guidance = q.guidance if q else False
    return (
        0 if (f.basis == "guidance") == guidance else 1,
        len(unexplained(f, q)) if q else 0,
        # "Net income - excluding one-time items" is not the reported figure unless asked for
        # (the sections and the table's own title, not the prose the caption quotes)
        1
        if QUALIFIED_RE.search(f.label + " " + " ".join(f.context.split(" | ")[:2]))
        and not QUALIFIED_RE.search(phrase)
        else 0,
        # a part's column ("BBVA USA" beside "PNC consolidated") only when the question names the part
        1 if (part := PART_RE.match(f.context)) and not (_words(part.group(1)) & _words(phrase)) else 0,
        # Guidance lives in sentences: there the sentence's words pick the figure ("SaRonix revenues").
        -len(_said_by_label(f.label) & _raw_words(phrase))
        if f.source == "table" or f.basis == "guidance"
        else 0,
        0 if f.source == "table" else 1,
        0 if f.label.lower().startswith("total") else 1,
        # a primary statement before a list of amounts "included in" something else
        0 if f.source != "table" or not HEADERLESS_LIST_RE.search(f.context) else 1,
        f.table if f.table is not None else 999,
        f.char_start,
    )


def _has_period(lib, facts: list[FactRow], q: Question) -> bool:
    """Whether any of the facts is for the (first) period the question names (for guidance asked
    without a period: whether any is guidance)."""
    if not q.periods:
        return not q.guidance or bool(select(lib, facts, None, q, {}, ranked=False))
    pq = next((p for p in q.periods if not p.relative), q.periods[0])
    return bool(select(lib, facts, pq, q, {}, ranked=False))


def _unscoped_group(lib, q: Question, groups: list[list[str]]) -> tuple[list[str], tuple[dict, ...]]:
    """For a question that names no company: the group the scoped loop in `answer` would choose
    (the first with facts for the period asked, else the first with facts; [] when none has any),
    and the alternatives when several companies report it (else ())."""
    found = None
    for metrics in groups:
        reporting = lib.store.metric_companies(metrics)
        if reporting and (found is None or _period_reported(lib, metrics, q)):
            found = (metrics, reporting)
            if _period_reported(lib, metrics, q):
                break
    if found is None:
        return [], ()
    metrics, reporting = found
    if len(reporting) < 2:
        return metrics, ()
    names = {key: name for key, name, _ in lib.store.companies()}
    return metrics, tuple(
        {"company": names.get(k, company), "metric": m} for k, (m, company) in sorted(reporting.items())
    )


def _period_reported(lib, metrics: list[str], q: Question) -> bool:
    """`_has_period` for every company's facts of these metrics, read as distinct periods."""
    if not q.periods:
        return True
    pq = next((p for p in q.periods if not p.relative), q.periods[0])
    for metric, start, end, kind, fye in lib.store.metric_periods(metrics, guidance=q.guidance):
        cal = FiscalCalendar.parse(fye)
        if matches(_PeriodOnly(Period(start, end, kind, "")), pq, cal, is_instant(metric)):
            return True
    return False


class _PeriodOnly:
    """What `matches` reads of a fact."""

    __slots__ = ("period",)

    def __init__(self, period: Period) -> None:
        self.period = period


def _release_gap(lib, f: FactRow, when: str, days: int = 120) -> int | None:
    """Days between a fact's release and a date a question names (a payment or announcement date), when
    the release was issued no more than `days` before it (or a week after); else None."""
    d = lib.store.document(f.doc_id)
    if not d or not d.release_date:
        return None
    gap = (date.fromisoformat(when) - date.fromisoformat(d.release_date)).days
    return abs(gap) if -7 <= gap <= days else None


def _released_in_month(lib, f: FactRow, pq: PeriodQuery) -> bool:
    """A month asked ("dividend declared January 2022") and a sentence of a release issued that month."""
    if not (pq.month and pq.calendar_year and pq.months is None and not pq.end):
        return False
    d = lib.store.document(f.doc_id)
    released = (d.release_date or "") if d else ""
    return released[:7] == f"{pq.calendar_year:04d}-{pq.month:02d}"


def _same_span(p, want) -> bool:
    """Two periods that are the same quarter or year (52/53-week ends a few days apart)."""
    if p.kind != want.kind or p.months != want.months:
        return False
    return abs((nominal(date.fromisoformat(p.end)) - nominal(date.fromisoformat(want.end))).days) <= 3


def select(
    lib, facts: list[FactRow], pq: PeriodQuery | None, q: Question, cals: dict, ranked: bool = True
) -> list[FactRow]:
    """Facts for the period asked (the latest such when no year), best first (`ranked=False`: in no
    particular order, for a caller that only asks whether there are any)."""
    pool = [f for f in facts if (f.basis == "guidance") == q.guidance]
    if not pool:
        return []
    if pq is None and q.event_dates:
        # "payable November 13, 2006", "announced May 12, 2004": the release issued nearest that date
        gaps = {f.doc_id: _release_gap(lib, f, q.event_dates[0]) for f in pool}
        near = [f for f in pool if gaps[f.doc_id] is not None]
        if near:
            closest = min(gaps[f.doc_id] for f in near)
            pool = [f for f in near if gaps[f.doc_id] == closest]
    if pq is None:
        # No period: the latest period reported, a quarter before a longer span.
        latest = max(f.period.end for f in pool)
        pool = [f for f in pool if f.period.end == latest]
        if ranked:
            pool.sort(key=lambda f: (abs((f.period.months or 3) - 3), *rank_key(f, q)))
        return pool
    if pq.relative == "ytd":
        # "year to date": a span from a fiscal year's start to the latest quarter end (of the year asked)
        ytd = []
        for f in pool:
            cal = calendar_of(lib, f.doc_id, cals)
            end = date.fromisoformat(f.period.end)
            if (
                f.period.kind == "duration"
                and f.period.months == 3 * cal.quarter_of(end)
                and (pq.fiscal_year is None or cal.fiscal_year(end) == pq.fiscal_year)
            ):
                ytd.append(f)
        if not ytd:
            return []
        latest = max(f.period.end for f in ytd)
        ytd = [f for f in ytd if f.period.end == latest]
        return sorted(ytd, key=lambda f: rank_key(f, q)) if ranked else ytd
    hits = [
        f
        for f in pool
        if matches(f, pq, calendar_of(lib, f.doc_id, cals), is_instant(f.metric))
        or (f.source == "prose" and _released_in_month(lib, f, pq))
    ]
    if pq.instant:
        # a balance sheet's own date before a balance read off a period's column (often an average)
        dated = [f for f in hits if f.period.kind == "instant" or not is_instant(f.metric)]
        hits = dated or [f for f in hits if not re.search(r"(?i)\baverage\b", f"{f.label} {f.context}")]
    if not hits:
        return []
    if pq.fiscal_year is None and not pq.end:
        latest = max(f.period.end for f in hits)
        hits = [f for f in hits if f.period.end == latest]
    if not ranked:
        return hits
    # The release that reports the period as its own before later ones that repeat (or restate) it.
    own = {}
    for f in hits:
        if f.doc_id not in own:
            d = lib.store.document(f.doc_id)
            own[f.doc_id] = d.main_period if d else ""
    # ("restated" asks for a later release's figure: the restatement, not the original)
    restated = bool(re.search(r"(?i)\brestated\b", q.text))

    def key(f: FactRow) -> tuple:
        k = rank_key(f, q)
        return (*k[:-2], (own[f.doc_id] != f.period.label) != restated, *k[-2:])

    hits.sort(key=key)
    return hits


# --- building answers ---------------------------------------------------------------------------


def fact_answer_dict(
    f: FactRow, value=None, unit=None, basis=None, metric=None, label=None, period=None
) -> dict:
    """The `answer` object of the contract for a fact (or a figure derived from it)."""
    p = period or f.period
    return {
        "metric": metric or f.metric,
        "label": label or f.label,
        "value": f.value if value is None else value,
        "value_high": f.value_high if value is None else None,
        "unit": unit or f.unit,
        "period": {"start": p.start, "end": p.end, "kind": p.kind, "label": p.label},
        "basis": basis or f.basis,
        "as_printed": f.as_printed if value is None else None,
        "scale": f.scale if value is None else 1,
        "company": f.company,
        "doc_id": f.doc_id,
    }


def cite(lib, f: FactRow, **extra) -> dict:
    """The citation of a fact: the row or sentence holding it, with the figure's own span."""
    text = lib.text_for(f.sha256)
    return citation(
        text,
        f.path,
        f.doc_id,
        f.cite_start,
        f.cite_end,
        f.cite_kind,
        lib.is_html(f.doc_id),
        figure_start=f.char_start,
        figure_end=f.char_end,
        figure_text=text[f.char_start : f.char_end],
        **extra,
    )


def agrees(table: FactRow, prose: FactRow) -> bool:
    """Whether a prose figure states a table figure, after the prose's rounding ("$17.5 million" ~ 17,549)."""
    n = parse_number(prose.as_printed.split(" to ")[0].split(" and ")[0])
    tol = precision(n) if n else abs(prose.value) * 0.005
    return abs(abs(table.value) - abs(prose.value)) <= tol + 1e-9


def figure_answer(lib, text: str, best: FactRow, pool: list[FactRow]) -> Answer:
    """An answered figure with its citation and the prose sentence that states the same figure."""
    cits = [cite(lib, best)]
    note = ""
    if best.source == "table":
        # The release's text, also where a filing prints its tables in another exhibit of the same file.
        prose = [
            f
            for f in lib.store.facts(company=company_key(best.company), metric=best.metric)
            if f.source == "prose"
            and (f.doc_id == best.doc_id or f.path == best.path)
            and f.period.end == best.period.end
            and f.period.kind == best.period.kind
            and f.period.months == best.period.months  # a quarter's sentence does not state the year
            and f.basis == best.basis
            and f.unit == best.unit
            # a sentence more than 10% away (a point, for percentages) states another figure
            and abs(abs(f.value) - abs(best.value))
            <= (1.0 if best.unit == "percent" else 0.1 * max(abs(best.value), 1e-9))
        ]
        if part := PART_RE.match(best.context):
            # a part's figure ("BBVA USA") is stated by a sentence about that part, not the firm's
            text_of = lib.text_for(best.sha256)
            prose = [f for f in prose if _words(part.group(1)) & _words(text_of[f.cite_start : f.cite_end])]
        prose.sort(key=lambda f: (not agrees(best, f), f.char_start))
        prose.sort(key=lambda f: (not _within(f, best), f.char_start) if _finer(f, best) else (2, 0))
        for p in prose:
            ok = agrees(best, p)
            if _finer(p, best) and _within(p, best):
                # "$204.5 million" in the text, 204 (millions) in the table: the text is the more precise
                # statement of the same figure, so it is the answer, the table row its confirmation.
                cits = [cite(lib, p), cite(lib, best, agrees=True)]
                note = f"the text's {p.as_printed} is more precise than the table's {best.as_printed}"
                return Answer(text, "answered", fact_answer_dict(p), tuple(cits), note=note, facts=(p,))
            cits.append(cite(lib, p, agrees=ok))
            note = (
                "the release's text states the same figure"
                if ok
                else f"the release's text says {p.as_printed}, which does not round to the table's {best.as_printed}"
            )
            break
    return Answer(text, "answered", fact_answer_dict(best), tuple(cits), note=note, facts=(best,))


def _resolution(f: FactRow) -> float:
    """Half a unit of a figure's last printed digit, in base units."""
    n = parse_number(f.as_printed.split(" to ")[0].split(" and ")[0])
    return precision(n) * (f.scale if n and n.word_scale == 1 else 1) if n else abs(f.value) * 0.005


def _within(fine: FactRow, coarse: FactRow) -> bool:
    """Whether a finer figure rounds to a coarser one (204.5 million to the table's 204 millions)."""
    return abs(abs(fine.value) - abs(coarse.value)) <= _resolution(coarse) + 1e-9


def _finer(a: FactRow, b: FactRow) -> bool:
    """Whether figure a is printed more precisely than figure b (and says more: "$19,217,000" beside
    19,217 in thousands is the same figure, not a finer one)."""
    return _resolution(a) < _resolution(b) and abs(a.value - b.value) > 1e-9 * max(abs(b.value), 1)


def change(lib, q: Question, facts: list[FactRow], cals: dict, text: str) -> Answer:
    """% change between two periods: (a − b) / |b|, both inputs cited.

    With one period named, the comparison is the same period a year earlier, or the quarter before
    when the question says "sequential" or "prior quarter"."""
    first = next((p for p in q.periods if not p.relative), None)
    a = select(lib, facts, first, q, cals)
    if not a:
        return Answer(text, "not_found", note="that period is not in the store")
    fa = a[0]
    others = [p for p in q.periods if p is not first]
    if (
        others
        and first is not None
        and first.months in (3, 6, 9)
        and others[0].months == 12
        and others[0].fiscal_year
        and not others[0].quarter
        and not others[0].end
    ):
        # "first six months fiscal 2009 vs fiscal 2008": the same span of the other year
        others[0] = PeriodQuery(first.months, fiscal_year=others[0].fiscal_year, quarter=first.quarter)
    if others and not others[0].relative:
        b = select(lib, facts, others[0], q, cals)
    else:
        rel = (
            others[0].relative
            if others
            else ("prev_quarter" if PRIOR_QUARTER_WORDS.search(q.text) else "prev_year")
        )
        base = shift(fa.period, rel, calendar_of(lib, fa.doc_id, cals))
        b = [f for f in facts if base is not None and f.basis == fa.basis and _same_span(f.period, base)]
        # the comparison as the same release prints it, before a later release's repeat
        b.sort(key=lambda f: (f.doc_id != fa.doc_id, *rank_key(f, q)))
    if not b:
        return Answer(text, "not_found", note="the period to compare with is not in the store")
    fb = b[0]
    if fb.value == 0:
        return Answer(text, "not_found", note="the base period's figure is zero: no % change")
    pct = round((fa.value - fb.value) / abs(fb.value) * 100, 2)
    formula = f"({_shown(fa)} − {_shown(fb)}) / {_shown(fb).strip('()$')} = {pct:+.2f}%"
    ans = fact_answer_dict(
        fa,
        value=pct,
        unit="percent",
        basis="derived",
        metric=fa.metric + " change %",
        label=f"{fa.label}: change {fa.period.label} vs {fb.period.label}",
    )
    ans["formula"] = formula
    ans["inputs"] = [fact_answer_dict(fa), fact_answer_dict(fb)]
    cits = (cite(lib, fa), cite(lib, fb))
    printed = _printed_change(lib, q, fa, pct) if not others or others[0].relative else None
    if printed is not None and not others and not BASE_NAMED_RE.search(q.text):
        # "By what percent did revenues decrease in the quarter?" names no comparison of its own: the
        # change the release prints is the answer, the computation from its figures the check
        return Answer(
            text,
            "answered",
            fact_answer_dict(printed),
            (cite(lib, printed), *cits),
            note=f"computed from the release's figures: {formula}, which agrees",
            facts=(printed, fa, fb),
        )
    if printed is not None:
        # the release's own statement of the change, cited as the computation's confirmation
        note = f"the release prints {printed.as_printed}, which agrees"
        return Answer(
            text,
            "answered",
            ans,
            (*cits, cite(lib, printed, agrees=True)),
            formula=formula,
            note=note,
            facts=(fa, fb),
        )
    return Answer(text, "answered", ans, cits, formula=formula, facts=(fa, fb))


def _shown(f: FactRow) -> str:
    """A figure as printed, without the column padding: "$  22,473" → "$22,473"."""
    return re.sub(r"([$(])\s+", r"\1", " ".join(f.as_printed.split()))


# Words by which a question names the comparison itself ("vs Q4", "year over year", "sequential"): then
# the change is computed between the periods it names
BASE_NAMED_RE = lazy_re(
    r"(?i)\b(vs\.?|versus|compared|from|over|year[- ]over[- ]year|yoy|y/y|sequential(ly)?|q/q|prior|previous|"
    r"preceding|last|linked|a year (ago|earlier))\b"
)


def _printed_change(lib, q: Question, fa: FactRow, pct: float) -> FactRow | None:
    """A % change the release itself prints for the line and period (a change column, "a decrease of 4.2
    percent") that agrees with the computed one to its printed precision; None when there is none."""
    found = []
    for f in lib.store.facts(company=company_key(fa.company), metric=fa.metric + " change %"):
        n = parse_number(f.as_printed)
        if (
            n is None
            or not (f.doc_id == fa.doc_id or f.path == fa.path)
            or not _same_span(f.period, fa.period)
        ):
            continue
        # the same comparison: equal after rounding to the printed digits (the sign may be in the words)
        if abs(abs(f.value) - abs(pct)) <= 0.5 * 10 ** -(n.decimals or 0) + 0.011:
            found.append(f)
    found.sort(key=lambda f: rank_key(f, q))
    return found[0] if found else None


MARGIN_RE = lazy_re(r"(?i)\bmargin\b|%|\bpercent")
MARGIN_BASES = (
    (r"\badjusted gross\b", "adjusted gross margin"),
    (r"\bgross\b", "gross margin"),  # ("gross profit as a percent of sales" is not net income's)
    (r"\b(operating|operating income|ebit)\b", "operating income"),
    (r"\b(net|profit|net income)\b", "net income"),
    (r"\badjusted ebitda\b", "adjusted ebitda"),
    (r"\bebitda\b", "ebitda"),
)


def margin(lib, q: Question, scope: tuple[str, ...] | None, text: str) -> Answer | None:
    """A margin the release does not print: the line item / revenue for the same period, both cited."""
    phrase = q.metric_phrase.lower()
    base = next((m for pat, m in MARGIN_BASES if re.search(pat, phrase)), None)
    if base is None:
        return None
    cals: dict = {}
    pq = q.periods[0] if q.periods else None
    num = select(lib, lib.store.facts(company=scope, metric=base), pq, q, cals)
    den = select(lib, lib.store.facts(company=scope, metric="revenue"), pq, q, cals)
    pairs = [(a, b) for a in num for b in den if a.doc_id == b.doc_id and a.period == b.period and b.value]
    if not pairs:
        return None
    # Table cells before rounded prose figures, on both sides of the division
    a, b = min(pairs, key=lambda ab: (ab[0].source != "table", ab[1].source != "table"))
    value = round(a.value / b.value * 100, 2)
    formula = f"{a.label} {_shown(a)} / {b.label} {_shown(b)} = {value:.2f}%"
    ans = fact_answer_dict(
        a,
        value=value,
        unit="percent",
        basis="derived",
        metric=base + " %",
        label=f"{a.label} as % of {b.label}",
    )
    ans["formula"] = formula
    ans["inputs"] = [fact_answer_dict(a), fact_answer_dict(b)]
    return Answer(text, "answered", ans, (cite(lib, a), cite(lib, b)), formula=formula, facts=(a, b))


def working_capital(lib, q: Question, scope: tuple[str, ...] | None, text: str) -> Answer:
    """Working capital = total current assets − total current liabilities at one date."""
    stored = lib.store.facts(company=scope, metric="working capital")
    cals: dict = {}
    pq = q.periods[0] if q.periods else None
    if stored:
        hits = select(lib, stored, pq, q, cals)
        if hits:
            return figure_answer(lib, text, hits[0], stored)
    ca = select(lib, lib.store.facts(company=scope, metric="total current assets"), pq, q, cals)
    cl = select(lib, lib.store.facts(company=scope, metric="total current liabilities"), pq, q, cals)
    pairs = [(a, b) for a in ca for b in cl if a.period.end == b.period.end and a.doc_id == b.doc_id]
    if not pairs:
        return Answer(text, "not_found", note="no current assets and current liabilities at that date")
    a, b = pairs[0]
    value = a.value - b.value
    formula = f"total current assets {_shown(a)} − total current liabilities {_shown(b)} = {value:,.0f}"
    ans = fact_answer_dict(
        a,
        value=value,
        unit="USD",
        basis="derived",
        metric="working capital",
        label="Working capital (total current assets − total current liabilities)",
    )
    ans["formula"] = formula
    ans["inputs"] = [fact_answer_dict(a), fact_answer_dict(b)]
    return Answer(text, "answered", ans, (cite(lib, a), cite(lib, b)), formula=formula, facts=(a, b))


TITLE_ABBREV = {
    "CEO": "chief executive officer",
    "CFO": "chief financial officer",
    "COO": "chief operating officer",
    "CTO": "chief technology officer",
}
TITLE_ABBREV_RE = lazy_re(r"(?i)\b(ceo|cfo|coo|cto)\b")


def _negated(iso: str) -> tuple[int, ...]:
    """A sort key that puts later ISO dates first."""
    return tuple(-ord(c) for c in iso)


PHONE_RE = lazy_re(r"\(?\b\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b|\b1-8\d\d-\d{3}-\d{4}\b")
WANTS_NUMBER_RE = lazy_re(r"(?i)\b(number|dial|phone|telephone|call|replay|pin|passcode|access code|id)\b")
WANTS_PERSON_RE = lazy_re(r"(?i)^\s*who\b|\b(cfo|ceo|chief|officer|contact|president)\b")
PERSON_TITLE_RE = lazy_re(
    r"(?i)\b(chief (executive|financial|operating) officer|cfo|ceo|president|chairman|vice president|treasurer|"
    r"investor relations|contact)\b"
)


FILLER_PASSAGE_RE = lazy_re(r"(?i)\b(results?|release|announced?|quarter|fiscal|year|company)\b")


def _docs_for_period(lib, q: Question, scope) -> list[str]:
    """The releases (of the company asked about) whose own period the question names."""
    if not q.periods:
        return []
    cals: dict = {}
    out = []
    mains = lib.store.main_facts()  # (one fact per document: not every fact of each)
    for d in lib.store.documents():
        if scope and d.company_key not in scope:
            continue
        main = mains.get(d.doc_id)
        if main is not None and matches(main, q.periods[0], calendar_of(lib, d.doc_id, cals), False):
            out.append(d.doc_id)
    return out


def passages(lib, q: Question, scope: tuple[str, ...] | None) -> Answer:
    """The best passages for a question no figure answers: in the release of the period it names, if any;
    a phone number where it asks for a number, a name with a title where it asks who."""
    words = q.rest
    for p in sorted(q.periods, key=lambda p: -p.span[0]):
        # (the spans are the question's own: take the periods out before any word is)
        words = words[: p.span[0]] + " " + words[p.span[1] :] if p.span[1] <= len(words) else words
    words = re.sub(
        r"(?i)\b(who|what|which|is|are|was|were|the|of|a|an|does|did|do|how|many|much|why|when|where|for|in)\b"
        r"|[?]",
        " ",
        words,
    )
    query = " ".join(FILLER_PASSAGE_RE.sub(" ", words).split()) or q.rest
    # Releases spell titles out: "CEO" is "Chief Executive Officer" in the text that names one.
    query = TITLE_ABBREV_RE.sub(lambda m: f"{m.group(0)} {TITLE_ABBREV[m.group(0).upper()]}", query)
    docs = _docs_for_period(lib, q, scope)
    # Not the lexicon's synonyms: a question no figure answers is not about a metric, and
    # "earnings" grown into every name of net income only adds noise and cost.
    if docs:
        hits = lib.search(query, doc_id=docs, limit=30 * len(docs), highlight=False, synonyms=False)
    elif scope:
        # Within the company's own releases: elsewhere in a large store its passages rank out of sight.
        names = sorted({d.company for d in lib.store.documents() if d.company_key in scope})
        hits = (
            lib.search(query, company=names, limit=30 * len(names), highlight=False, synonyms=False)
            if names
            else []
        )
    else:
        hits = lib.search(query, limit=10, highlight=False, synonyms=False)
    if scope:
        hits = [h for h in hits if company_key(h.company) in scope]
    if WANTS_NUMBER_RE.search(q.text):
        hits.sort(key=lambda h: (0 if PHONE_RE.search(h.display) else 1, -h.score))
    elif WANTS_PERSON_RE.search(q.text):
        # Who holds a title now: the latest release that names one, unless the question names a period.
        released = {}
        if not docs:
            for d in lib.store.documents():
                released[d.doc_id] = d.release_date or ""
        hits.sort(
            key=lambda h: (
                0 if PERSON_TITLE_RE.search(h.display) else 1,
                _negated(released.get(h.doc_id, "")),
                -h.score,
            )
        )
    else:
        hits.sort(key=lambda h: -h.score)
    hits = hits[:5]
    if not hits:
        return Answer(q.text, "not_found", note="no passage matches")
    cits = []
    for h in hits:
        d = lib.store.document(h.doc_id)
        if not d:
            continue
        text = lib.text_for(d.sha256)
        cits.append(
            citation(
                text,
                d.path,
                d.doc_id,
                h.char_start,
                h.char_end,
                h.kind,
                d.format == "html",
                score=round(h.score, 3),
            )
        )
    return Answer(q.text, "passages", None, tuple(cits))


# --- text output -------------------------------------------------------------------------------


def format_answer(a: Answer) -> str:
    """A readable answer: figure, period, unit, basis, and each citation as file:line with its text."""
    from .cli import format_value

    lines = [f"Q: {a.question}"]
    if a.status == "answered" and a.answer:
        x = a.answer
        lines.append(f"{x['company']}: {x['label']}")
        lines.append(
            f"  {format_value(x['value'], x['unit'], x.get('value_high'))}  ({x['period']['label']}, "
            f"{x['basis']}{', printed ' + repr(x['as_printed']) if x.get('as_printed') else ''})"
        )
        if a.formula:
            lines.append(f"  formula: {a.formula}")
    elif a.status == "ambiguous":
        lines.append(
            "ambiguous: " + "; ".join(", ".join(f"{k}={v}" for k, v in alt.items()) for alt in a.alternatives)
        )
    elif a.status == "not_found":
        lines.append("not found" + (f": {a.note}" if a.note else ""))
    if a.note and a.status == "answered":
        lines.append(f"  note: {a.note}")
    for c in a.citations:
        shown = c.get("display") or c["text"]
        shown = " ".join(shown.split())
        lines.append(f"  [{Path(c['path']).name}:{c['line_start']}] {shown[:300]}")
    return "\n".join(lines)


__all__ = ["Answer", "answer", "answer_to_json", "format_answer", "make_period", "BY_NAME"]
