"""Shared fixtures: the repository, the bundled seed release, the shared corpus and a CLI runner.

Everything runs through the real code: real files, a real SQLite store and a
real Whoosh index on disk under pytest's tmp folders, and the real `exhibit`
command in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
SHARED_CORPUS = SHARED / "corpus"
SHARED_EVAL = SHARED / "eval"
SEED = REPO_ROOT / "corpus" / "mpower_2004q1_ex991.txt"


def decode_source(raw: bytes) -> str:
    """Decode a source file the way the evaluation does (UTF-8, else cp1252, else latin-1)."""
    for enc in ("utf-8", "cp1252", "latin-1"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise AssertionError("undecodable source")


def line_of(text: str, offset: int) -> int:
    """1-based line of the character at `offset` (counting newlines, like score.py)."""
    return text.count("\n", 0, offset) + 1


def run_cli(
    *args: str,
    store: str | Path | None = None,
    input: str | None = None,
    timeout: float = 120,
    env: dict | None = None,
) -> subprocess.CompletedProcess:
    """Run `python -m qa ARGS` from the repository root; `store` becomes `--store`."""
    cmd = [sys.executable, "-m", "qa"]
    if store is not None:
        cmd += ["--store", str(store)]
    cmd += [str(a) for a in args]
    full_env = dict(os.environ)
    full_env.pop("EXHIBIT_STORE", None)
    full_env.setdefault("PYTHONIOENCODING", "utf-8")
    if env:
        full_env.update(env)
    return subprocess.run(
        cmd,
        cwd=REPO_ROOT,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
    )


def index_release(folder: Path, name: str, text: str) -> Path:
    """Write a release `name` into `folder` and index it with `exhibit index`; returns the store."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    store = folder / "store"
    r = run_cli("index", path, store=store)
    assert r.returncode == 0, r.stderr
    return store


def ask_json(store: Path, question: str, codes: tuple[int, ...] = (0, 1)) -> dict:
    """`exhibit ask --json QUESTION` on a store, its exit code one of `codes` (1 is not_found)."""
    r = run_cli("ask", "--json", question, store=store)
    assert r.returncode in codes, r.stderr
    return json.loads(r.stdout)


def facts_json(store: Path) -> list[dict]:
    """Every fact of a store, as `exhibit facts --json` prints them."""
    r = run_cli("facts", "--json", store=store)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's top folder (where `corpus/`, `qa/` and `index/` live)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The bundled release: Mpower Holding Corporation, Q1 2004, plain EDGAR text."""
    assert SEED.is_file(), f"bundled release missing: {SEED}"
    return SEED


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """../shared/corpus: releases of other companies and formats (skipped when absent)."""
    if not SHARED_CORPUS.is_dir() or not any(SHARED_CORPUS.iterdir()):
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
    return SHARED_CORPUS


@pytest.fixture(scope="session")
def shared_eval() -> Path:
    """../shared/eval: the scorers and gold files (skipped when absent)."""
    if not (SHARED_EVAL / "score.py").is_file():
        pytest.skip(f"shared evaluation not found at {SHARED_EVAL}")
    return SHARED_EVAL


@pytest.fixture(scope="session")
def corpus_file(shared_corpus):
    """A function: name → path of a file of the shared corpus (skips when it is missing)."""

    def get(name: str) -> Path:
        p = shared_corpus / name
        if not p.is_file():
            pytest.skip(f"{name} not in the shared corpus")
        return p

    return get


@pytest.fixture(scope="session")
def shared_library(tmp_path_factory, shared_corpus):
    """The whole shared corpus ingested once into a store on disk; yields the open Library."""
    from qa.library import open_library

    root = tmp_path_factory.mktemp("shared_store")
    lib = open_library(root)
    report = lib.ingest([shared_corpus])
    lib.ingest_report = report  # for tests that want the counts
    yield lib
    lib.close()


@pytest.fixture
def cli():
    """The `run_cli` helper as a fixture."""
    return run_cli
