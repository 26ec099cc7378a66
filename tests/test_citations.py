"""Every citation of every fact of every release in ../shared/corpus is exact.

The contract (DESIGN.md): the decoded source file sliced at [char_start:char_end]
equals `text`, and the span lies on lines line_start..line_end (1-based). The
first citation holds the figure: figure_start/figure_end slice to figure_text,
inside the citation's span. The check is the evaluation's own
(`verify_citation` in ../shared/eval/score.py), plus ours.
"""

from __future__ import annotations

import bisect
import importlib.util
import re
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import SHARED_EVAL, decode_source


def _load_verify_citation():
    path = SHARED_EVAL / "score.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("shared_eval_score", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.verify_citation


_texts: dict[str, str] = {}
_newlines: dict[str, list[int]] = {}


def source(path: str) -> str:
    if path not in _texts:
        _texts[path] = decode_source(Path(path).read_bytes())
        _newlines[path] = [m.start() for m in re.finditer("\n", _texts[path])]
    return _texts[path]


def line_at(path: str, offset: int) -> int:
    """1-based line of the character at `offset`: newlines before it, plus one."""
    source(path)
    return bisect.bisect_left(_newlines[path], offset) + 1


def own_check(c: dict) -> str | None:
    """Our own reading of the contract (the same rules as score.py, written independently)."""
    text = source(c["path"])
    s, e = c["char_start"], c["char_end"]
    if not (0 <= s < e <= len(text)):
        return f"bad span {s}..{e}"
    if text[s:e] != c["text"]:
        return f"slice {text[s:e][:50]!r} != text {c['text'][:50]!r}"
    got = (line_at(c["path"], s), line_at(c["path"], e - 1))
    if got != (c["line_start"], c["line_end"]):
        return f"lines {got[0]}-{got[1]} != {c['line_start']}-{c['line_end']}"
    return None


def figure_check(c: dict) -> str | None:
    text = source(c["path"])
    fs, fe = c.get("figure_start"), c.get("figure_end")
    if fs is None or fe is None or "figure_text" not in c:
        return "no figure span"
    if not (0 <= fs < fe <= len(text)):
        return f"bad figure span {fs}..{fe}"
    if text[fs:fe] != c["figure_text"]:
        return f"figure slice {text[fs:fe]!r} != figure_text {c['figure_text']!r}"
    if not (c["char_start"] <= fs and fe <= c["char_end"]):
        return f"figure {fs}..{fe} outside citation {c['char_start']}..{c['char_end']}"
    return None


@pytest.fixture(scope="module")
def all_fact_json(shared_library):
    lib = shared_library
    return [lib.fact_json(f) for f in lib.facts()]


def test_shared_corpus_ingested_without_rejections(shared_library, shared_corpus):
    rep = shared_library.ingest_report
    assert rep.rejected == [], rep.rejected
    files = {p.resolve() for p in shared_corpus.iterdir() if p.suffix in (".txt", ".htm", ".html")}
    stored = {Path(d.path) for d in shared_library.store.documents()}
    missing = sorted(p.name for p in files - stored)
    assert not missing, f"files with no release stored: {missing}"


def test_every_first_citation_verifies(all_fact_json):
    verify = _load_verify_citation()
    if verify is None:
        pytest.skip("../shared/eval/score.py not found")
    assert all_fact_json, "no facts in the shared corpus store"
    bad: list[str] = []
    per_doc: Counter = Counter()
    for j in all_fact_json:
        cits = j.get("citations") or []
        if not cits:
            bad.append(f"{j['doc_id']}: {j['metric']} {j['as_printed']!r}: no citations")
            continue
        c = cits[0]
        per_doc[j["doc_id"]] += 1
        why = verify(c) or own_check(c)
        if why:
            bad.append(f"{j['doc_id']}: {j['metric']} {j['as_printed']!r}: {why}")
    n = len(all_fact_json)
    assert not bad, (
        f"{len(bad)} of {n} facts ({len(per_doc)} documents) have unverifiable citations:\n"
        + "\n".join(bad[:25])
    )


def test_every_figure_span_is_exact_and_inside_its_citation(all_fact_json):
    bad: list[str] = []
    for j in all_fact_json:
        c = j["citations"][0]
        why = figure_check(c)
        if why:
            bad.append(f"{j['doc_id']}: {j['metric']} {j['as_printed']!r}: {why}")
    n = len(all_fact_json)
    assert not bad, f"{len(bad)} of {n} facts have a bad figure span:\n" + "\n".join(bad[:25])


def test_as_printed_is_what_the_source_prints(all_fact_json):
    """For text sources the figure span is the printed figure itself; for HTML it holds its words."""
    import html
    import re

    bad: list[str] = []
    for j in all_fact_json:
        c = j["citations"][0]
        fig = c.get("figure_text", "")
        if "display" in c:  # HTML: the figure's element(s); what a reader sees must hold the digits
            seen = " ".join(html.unescape(re.sub(r"<[^>]*>", " ", fig)).split())
            digits = re.sub(r"\D", "", j["as_printed"])
            if digits and digits not in re.sub(r"\D", "", seen):
                bad.append(f"{j['doc_id']}: {j['as_printed']!r} not in {seen[:60]!r}")
        elif fig != j["as_printed"]:
            bad.append(f"{j['doc_id']}: figure_text {fig!r} != as_printed {j['as_printed']!r}")
    assert not bad, f"{len(bad)} of {len(all_fact_json)} facts:\n" + "\n".join(bad[:25])


def test_citation_fields_and_paths(all_fact_json, shared_corpus):
    root = shared_corpus.resolve()
    kinds: Counter = Counter()
    for j in all_fact_json:
        c = j["citations"][0]
        for key in ("doc_id", "path", "char_start", "char_end", "line_start", "line_end", "kind", "text"):
            assert key in c, (key, j)
        assert c["doc_id"] == j["doc_id"]
        p = Path(c["path"])
        assert p.is_absolute() and p.parent == root, c["path"]
        assert c["line_start"] <= c["line_end"]
        kinds[c["kind"]] += 1
    assert kinds["table_row"] > 0
    assert set(kinds) <= {"table_row", "paragraph", "heading", "note", "contact", "boilerplate", "table"}, (
        kinds
    )


def test_fact_values_units_and_periods_are_coherent(shared_library):
    """Each table fact's value is its printed figure times its scale; periods are well formed."""
    from index.numbers import parse_number
    from qa.facts import PHYSICAL_UNITS

    # money, per share, shares, percent, counts, and the quantities a table says it is in ("KWHs")
    units = {"USD", "USD/share", "shares", "percent", "count", *PHYSICAL_UNITS}
    bad: list[str] = []
    facts = shared_library.facts()
    for f in facts:
        where = f"{f.doc_id}: {f.metric} {f.as_printed!r} {f.period.label}"
        if f.unit not in units:
            bad.append(f"{where}: unit {f.unit!r}")
        if f.scale not in (1, 1e3, 1e6, 1e9):
            bad.append(f"{where}: scale {f.scale}")
        if f.period.kind == "instant":
            if f.period.start is not None:
                bad.append(f"{where}: instant with a start")
        elif f.period.kind == "duration":
            if not f.period.start or f.period.start > f.period.end:
                bad.append(f"{where}: span {f.period.start}..{f.period.end}")
            elif f.period.months not in (3, 6, 9, 12):
                bad.append(f"{where}: {f.period.months} months")
        else:
            bad.append(f"{where}: kind {f.period.kind!r}")
        if f.source == "table" and f.value_high is None:
            n = parse_number(f.as_printed)
            if n is None:
                bad.append(f"{where}: as_printed is not a figure")
            elif abs(n.value * f.scale - f.value) > 1e-6 * max(1.0, abs(f.value)):
                bad.append(f"{where}: value {f.value} != {n.value} x {f.scale}")
    assert not bad, f"{len(bad)} of {len(facts)} facts:\n" + "\n".join(bad[:25])
