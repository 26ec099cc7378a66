"""Dependencies point one way: `exhibit ask` never imports Textual or WeasyPrint (DESIGN.md, Layout)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

HEAVY = ("textual", "weasyprint")

PROBE = textwrap.dedent(
    """
    import contextlib, io, json, sys
    import qa, qa.cli, qa.library, qa.facts, qa.store, index, index.search
    store = sys.argv[1]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        codes = [
            qa.cli.main(["--store", store, "index", "--quiet", "corpus/"]),
            qa.cli.main(["--store", store, "ask", "--json", "Q1 SG&A"]),
            qa.cli.main(["--store", store, "ask", "What was revenue in the first quarter of 2004?"]),
            qa.cli.main(["--store", store, "facts", "--metric", "revenue"]),
            qa.cli.main(["--store", store, "search", "SG&A"]),
        ]
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})
    up = sorted(m for m in sys.modules if m.split(".")[0] in ("tui", "renderer"))
    print(json.dumps({{"codes": codes, "heavy": heavy, "up": up}}))
    """
).format(heavy=set(HEAVY))


def test_ask_path_does_not_import_textual_or_weasyprint(repo_root, tmp_path):
    r = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "store")],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr, r.stderr
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["codes"][0] == 0, got  # index
    assert got["codes"][1] in (0, 1), got  # ask: answered or not found, never a crash
    for name in HEAVY:
        assert not any(m == name or m.startswith(name + ".") for m in got["heavy"]), got["heavy"]
    assert got["up"] == [], f"qa reached up into {got['up']}"


def test_importing_qa_alone_is_light(repo_root):
    code = (
        "import sys, qa, qa.cli, qa.library\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {set(HEAVY)!r} or m.split('.')[0] in ('tui', 'renderer'))\n"
        "print(bad)\n"
        "raise SystemExit(1 if bad else 0)\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=repo_root, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, (r.stdout, r.stderr)
