"""The `exhibit` command end to end: a real subprocess, a real store on disk, the bundled corpus."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import decode_source, line_of, run_cli

SUMMARY_RE = re.compile(
    r"^(\d+) documents ingested \((\d+) segments, (\d+) facts\); (\d+) unchanged, (\d+) duplicates, (\d+) rejected$",
    re.M,
)


def summary(out: str) -> dict[str, int]:
    m = SUMMARY_RE.search(out)
    assert m, f"no summary line in {out!r}"
    keys = ("documents", "segments", "facts", "unchanged", "duplicates", "rejected")
    return dict(zip(keys, (int(x) for x in m.groups()), strict=True))


def no_traceback(r: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in r.stderr, r.stderr
    assert "Traceback" not in r.stdout, r.stdout


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory, repo_root):
    """A store filled by `exhibit index corpus/` (the bundled release), shared by the read-only tests."""
    store = tmp_path_factory.mktemp("cli") / "store"
    r = run_cli("index", "corpus/", store=store)
    no_traceback(r)
    assert r.returncode == 0, r.stderr
    return store, r


# --- index ----------------------------------------------------------------------------------


def test_index_bundled_corpus_summary(seed_store):
    _store, r = seed_store
    s = summary(r.stdout)
    assert s["documents"] == 1
    assert s["segments"] > 50
    assert s["facts"] >= 172
    assert (s["unchanged"], s["duplicates"], s["rejected"]) == (0, 0, 0)
    assert r.stderr.strip() == ""  # not a terminal: no progress bar


def test_index_twice_second_run_is_unchanged(tmp_path):
    store = tmp_path / "store"
    first = run_cli("index", "corpus/", store=store)
    assert first.returncode == 0, first.stderr
    second = run_cli("index", "corpus/", store=store)
    no_traceback(second)
    assert second.returncode == 0, second.stderr
    s = summary(second.stdout)
    assert s["documents"] == 0 and s["facts"] == 0
    assert s["unchanged"] == 1
    assert "unchanged" in second.stdout


def test_index_rejects_bad_files_and_keeps_good_ones(tmp_path, seed_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(seed_path, folder / "good.txt")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    store = tmp_path / "store"
    r = run_cli("index", str(folder), store=store)
    no_traceback(r)
    assert r.returncode == 2
    s = summary(r.stdout)
    assert s["documents"] == 1 and s["rejected"] == 2
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 2, r.stderr
    assert any("empty.txt" in ln and "empty" in ln.lower().split("empty.txt", 1)[1] for ln in lines), lines
    assert any("logo.png" in ln and "PNG" in ln for ln in lines), lines
    assert all(ln.startswith("exhibit: ") for ln in lines)
    # The good file is in the store and answers.
    facts = run_cli("facts", "--json", store=store)
    assert facts.returncode == 0
    got = json.loads(facts.stdout)
    assert got and {Path(f["citations"][0]["path"]).name for f in got} == {"good.txt"}


def test_parallel_ingest_stores_what_one_process_stores(tmp_path, corpus_file):
    # `exhibit index` reads with worker processes by default; the store must not depend on it.
    folder = tmp_path / "releases"
    folder.mkdir()
    for name in (
        "mpower_2004q1_ex991.txt",
        "apple_fy2004q3_8k-fullsubmission.txt",
        "psem_fy2005q2_8k-fullsubmission.txt",
        "pnc_2022q1_ex991.htm",
        "hrzb_fy2009q3_8k-fullsubmission.txt",
    ):
        shutil.copy(corpus_file(name), folder / name)
    outputs = {}
    for jobs in ("1", "2", None):  # None: the default
        store = tmp_path / f"store-{jobs}"
        r = run_cli("index", "--quiet", *(["--jobs", jobs] if jobs else []), str(folder), store=store)
        no_traceback(r)
        assert r.returncode == 0, r.stderr
        facts = run_cli("facts", "--json", store=store).stdout
        docs = run_cli("docs", store=store).stdout
        hits = run_cli("search", "--json", "net interest income", "--limit", "20", store=store).stdout
        outputs[jobs] = (summary(r.stdout), facts, docs, hits)
    assert outputs["1"][0]["documents"] >= 5 and outputs["1"][0]["facts"] > 500
    assert outputs["2"] == outputs["1"]
    assert outputs[None] == outputs["1"]


def test_index_missing_path_is_an_input_error(tmp_path):
    r = run_cli("index", str(tmp_path / "nope.txt"), store=tmp_path / "store")
    no_traceback(r)
    assert r.returncode == 2
    assert "nope.txt" in r.stderr


def test_changed_file_reingest_replaces_its_facts(tmp_path, seed_path):
    release = tmp_path / "release.txt"
    shutil.copy(seed_path, release)
    store = tmp_path / "store"
    assert run_cli("index", str(release), store=store).returncode == 0

    def sga_q1() -> list[dict]:
        r = run_cli(
            "facts",
            "--json",
            "--metric",
            "selling, general and administrative",
            "--period",
            "Q1 2004",
            store=store,
        )
        assert r.returncode == 0, r.stderr
        return [f for f in json.loads(r.stdout) if f["source"] == "table"]

    before = sga_q1()
    assert [f["as_printed"] for f in before] == ["17,549"]
    raw = release.read_bytes()
    assert raw.count(b"17,549") == 1
    release.write_bytes(raw.replace(b"17,549", b"17,550"))
    r = run_cli("index", str(release), store=store)
    no_traceback(r)
    assert r.returncode == 0, r.stderr
    s = summary(r.stdout)
    assert s["documents"] == 1 and s["unchanged"] == 0
    after = sga_q1()
    assert [f["as_printed"] for f in after] == ["17,550"]
    assert after[0]["value"] == 17_550_000
    assert after[0]["doc_id"] != before[0]["doc_id"]
    everything = json.loads(run_cli("facts", "--json", store=store).stdout)
    assert not any(f["as_printed"] == "17,549" for f in everything)
    assert len({f["doc_id"] for f in everything}) == 1  # the old document is gone
    # The citation points at the new bytes.
    c = after[0]["citations"][0]
    text = decode_source(release.read_bytes())
    assert text[c["char_start"] : c["char_end"]] == c["text"]
    assert "17,550" in c["text"]


# --- facts ----------------------------------------------------------------------------------


def test_facts_json_is_a_list_with_citations(seed_store):
    store, _ = seed_store
    r = run_cli("facts", "--json", store=store)
    no_traceback(r)
    assert r.returncode == 0
    facts = json.loads(r.stdout)
    assert isinstance(facts, list) and len(facts) >= 172
    for f in facts:
        for key in ("metric", "label", "value", "unit", "period", "basis", "as_printed", "scale", "doc_id"):
            assert key in f, (key, f)
        assert set(f["period"]) >= {"start", "end", "kind", "label"}
        assert f["citations"], f
        c = f["citations"][0]
        text = decode_source(Path(c["path"]).read_bytes())
        assert text[c["char_start"] : c["char_end"]] == c["text"]
        assert (line_of(text, c["char_start"]), line_of(text, c["char_end"] - 1)) == (
            c["line_start"],
            c["line_end"],
        )


def test_score_facts_on_the_seed(seed_store, shared_eval, repo_root, seed_path, tmp_path):
    store, _ = seed_store
    gold = shared_eval / "seed_facts.jsonl"
    if not gold.is_file():
        pytest.skip("seed_facts.jsonl not found")
    r = run_cli("facts", "--json", store=store)
    assert r.returncode == 0
    out = tmp_path / "facts.json"
    out.write_text(r.stdout, encoding="utf-8")
    s = subprocess.run(
        [
            sys.executable,
            str(shared_eval / "score_facts.py"),
            str(gold),
            str(out),
            "--source",
            str(seed_path),
        ],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in s.stderr, s.stderr
    m = re.search(r"recall (\d+)/(\d+)", s.stdout)
    assert m, s.stdout
    hit, required = int(m.group(1)), int(m.group(2))
    assert hit == required and hit >= 164, s.stdout
    assert "spurious 0" in s.stdout, s.stdout
    assert "unverifiable citations: 0" in s.stdout, s.stdout
    assert s.returncode == 0, s.stdout


def test_facts_csv_has_a_header(seed_store):
    store, _ = seed_store
    r = run_cli("facts", "--csv", store=store)
    assert r.returncode == 0
    rows = list(csv.reader(io.StringIO(r.stdout)))
    header = rows[0]
    for col in (
        "company",
        "metric",
        "label",
        "value",
        "unit",
        "period_end",
        "as_printed",
        "doc_id",
        "path",
        "line",
    ):
        assert col in header
    assert len(rows) > 172
    assert all(len(row) == len(header) for row in rows[1:])
    sga = [row for row in rows[1:] if row[header.index("as_printed")] == "17,549"]
    assert sga and sga[0][header.index("line")] in ("242", "243")


def test_facts_filter_metric_and_period(seed_store):
    store, _ = seed_store
    r = run_cli("facts", "--metric", "revenue", "--period", "Q1 2004", store=store)
    no_traceback(r)
    assert r.returncode == 0
    assert "37,153" in r.stdout
    assert "Q1 2004" in r.stdout
    assert "Q1 2003" not in r.stdout and "Q4 2003" not in r.stdout
    j = json.loads(
        run_cli("facts", "--json", "--metric", "revenue", "--period", "Q1 2004", store=store).stdout
    )
    assert j and all(f["metric"] == "revenue" and f["period"]["label"] == "Q1 2004" for f in j)
    assert any(f["value"] == 37_153_000 and f["as_printed"] == "37,153" for f in j)


def test_facts_no_match_exits_1(seed_store):
    store, _ = seed_store
    r = run_cli("facts", "--metric", "no such metric at all", store=store)
    no_traceback(r)
    assert r.returncode == 1


# --- search ---------------------------------------------------------------------------------


def test_search_sga_finds_the_seed_paragraph(seed_store):
    store, _ = seed_store
    r = run_cli("search", "SG&A", store=store)
    no_traceback(r)
    assert r.returncode == 0
    assert "mpower_2004q1_ex991.txt" in r.stdout
    assert "SG&A" in r.stdout
    j = run_cli("search", "SG&A", "--json", store=store)
    assert j.returncode == 0
    hits = json.loads(j.stdout)
    assert hits
    for h in hits:
        for key in ("char_start", "char_end", "text", "path", "line_start", "line_end"):
            assert key in h
        text = decode_source(Path(h["path"]).read_bytes())
        assert text[h["char_start"] : h["char_end"]] == h["text"]
        assert line_of(text, h["char_start"]) == h["line_start"]
        assert line_of(text, h["char_end"] - 1) == h["line_end"]
    para = [h for h in hits if h["kind"] == "paragraph" and "(SG&A)" in h["text"]]
    assert para, [h["text"][:60] for h in hits]
    assert "$17.5 million" in para[0]["text"]


# --- errors, doctor -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("bogus",),
        ("facts", "--limit"),
        ("facts", "--json", "--csv"),
        ("search",),
        ("index",),
        ("facts", "--basis", "imagined"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(seed_store, args):
    store, _ = seed_store
    r = run_cli(*args, store=store)
    no_traceback(r)
    assert r.returncode == 2, (args, r.returncode, r.stderr)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("exhibit")


def test_doctor_says_ok(seed_store):
    store, _ = seed_store
    r = run_cli("doctor", store=store)
    no_traceback(r)
    assert r.returncode == 0
    assert r.stdout.startswith("ok")
    assert "1 documents" in r.stdout


def test_doctor_rebuilds_a_missing_index(tmp_path):
    store = tmp_path / "store"
    assert run_cli("index", "corpus/", store=store).returncode == 0
    shutil.rmtree(store / "index")
    r = run_cli("doctor", store=store)
    no_traceback(r)
    assert r.returncode == 0
    assert "rebuilt" in r.stdout
    assert run_cli("doctor", store=store).stdout.startswith("ok")
    assert run_cli("search", "SG&A", store=store).returncode == 0
