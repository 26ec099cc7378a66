"""`exhibit ask` on the seed gold questions, scored by the shared scorer (citations verified)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO.parent / "shared" / "eval"


def _exhibit(*args: str, store: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qa", "--store", str(store), *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("seed") / "store"
    r = _exhibit("index", str(REPO / "corpus"), store=store)
    assert r.returncode == 0, r.stderr
    return store


def _score(gold: Path, questions: list[str], store: Path, tmp_path: Path) -> str:
    r = _exhibit("ask", "--json", "-", store=store, stdin="\n".join(questions) + "\n")
    assert "Traceback" not in r.stderr
    answers = tmp_path / "answers.jsonl"
    answers.write_text(r.stdout)
    s = subprocess.run(
        [sys.executable, str(EVAL / "score.py"), str(gold), str(answers)], capture_output=True, text=True
    )
    return s.stdout


def test_seed_gold_on_the_bundled_release(seed_store, tmp_path):
    if not (EVAL / "seed_gold.jsonl").exists():
        pytest.skip("shared eval not present")
    gold = EVAL / "seed_gold.jsonl"
    qs = [json.loads(line)["question"] for line in gold.read_text().splitlines() if line.strip()]
    out = _score(gold, qs, seed_store, tmp_path)
    passed = int(out.strip().splitlines()[-2].split()[0])
    assert passed >= 45, out


def test_answer_json_contract(seed_store):
    r = _exhibit("ask", "--json", "Q1 SG&A", store=seed_store)
    a = json.loads(r.stdout)
    assert a["status"] == "answered"
    assert a["answer"]["value"] == 17549000 and a["answer"]["unit"] == "USD"
    assert a["answer"]["period"] == {
        "start": "2004-01-01",
        "end": "2004-03-31",
        "kind": "duration",
        "label": "Q1 2004",
    }
    c = a["citations"][0]
    text = Path(c["path"]).read_text()
    assert text[c["char_start"] : c["char_end"]] == c["text"]
    assert "17,549" in c["text"] and c["line_end"] == 243
    # The prose sentence that states the same figure follows, and agrees after rounding.
    assert any("$17.5 million" in x["text"] and x.get("agrees") for x in a["citations"][1:])


def test_not_found_never_invents(seed_store):
    for q in ("research and development expense Q1 2004", "dividends per share Q1 2004", "SG&A Q3 2002"):
        a = json.loads(_exhibit("ask", "--json", q, store=seed_store).stdout)
        assert a["status"] != "answered", (q, a)
    r = _exhibit("ask", "SG&A Q3 2002", store=seed_store)
    assert r.returncode == 1 and "not found" in r.stdout


def test_derived_change_states_its_formula(seed_store):
    a = json.loads(_exhibit("ask", "--json", "SG&A change Q1 2004 vs Q1 2003", store=seed_store).stdout)
    assert a["answer"]["basis"] == "derived"
    assert a["answer"]["value"] == pytest.approx(-16.94, abs=0.01)
    assert "formula" in a and len(a["citations"]) == 2


def test_company_prefix_on_the_whole_shared_corpus(tmp_path):
    corpus = REPO.parent / "shared" / "corpus"
    if not corpus.exists() or not (EVAL / "seed_gold.jsonl").exists():
        pytest.skip("shared corpus not present")
    store = tmp_path / "all"
    r = _exhibit("index", str(corpus), str(REPO / "corpus"), store=store)
    assert r.returncode == 0, r.stderr
    golds = [json.loads(line) for line in (EVAL / "seed_gold.jsonl").read_text().splitlines() if line.strip()]
    gold = tmp_path / "gold.jsonl"
    with gold.open("w") as f:
        for g in golds:
            g["question"] = "Mpower " + g["question"]
            f.write(json.dumps(g) + "\n")
    out = _score(gold, [g["question"] for g in golds], store, tmp_path)
    passed = int(out.strip().splitlines()[-2].split()[0])
    assert passed >= 45, out
