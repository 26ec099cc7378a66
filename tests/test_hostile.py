"""Hostile input (issue 6): every bad file gets one line with a reason, good files still go in, the
exit code is 2 when anything was rejected, there is never a traceback, and nothing already stored
changes. All files are built here, in pytest's temp folders; the real `exhibit` runs in a subprocess.

Decisions these tests pin down (README, "Benchmarks", "Limits"):
- A file over 64 MiB, or a release whose own text is over 16 Mi characters, is rejected before it is
  segmented: a 50 MB text "release" took 46 s and 700 MB to extract, and a real one is under 3 MB.
- Only regular files are read (a named pipe would block, /dev/zero never end).
- A file whose reading takes longer than EXHIBIT_FILE_TIMEOUT (60 s) is rejected with that reason.
- A file name that is not UTF-8 is rejected (a citation carries the path as text).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, SEED, decode_source, run_cli

REJECT_RE = re.compile(r"^exhibit: rejected (.+): (.+)$")
SUMMARY_RE = re.compile(
    r"^(\d+) documents ingested \((\d+) segments, (\d+) facts\); (\d+) unchanged, (\d+) duplicates, (\d+) rejected$",
    re.M,
)
RELEASE_HEAD = "ACME Widget Corporation Reports First Quarter 2004 Results\n\n"


# --- helpers --------------------------------------------------------------------------------------


def no_traceback(r: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in r.stderr, r.stderr[-3000:]
    assert "Traceback" not in r.stdout, r.stdout[-3000:]


def index(store: Path, *paths, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    r = run_cli("index", *[str(p) for p in paths], store=store, timeout=timeout, env=env)
    no_traceback(r)
    return r


def summary(r: subprocess.CompletedProcess) -> dict[str, int]:
    m = SUMMARY_RE.search(r.stdout)
    assert m, f"no summary line in {r.stdout!r} / {r.stderr!r}"
    keys = ("documents", "segments", "facts", "unchanged", "duplicates", "rejected")
    return dict(zip(keys, (int(x) for x in m.groups()), strict=True))


def rejections(r: subprocess.CompletedProcess) -> dict[str, str]:
    """{file name: reason} from stderr, asserting that every stderr line is one rejection."""
    out = {}
    for line in r.stderr.splitlines():
        if not line.strip():
            continue
        m = REJECT_RE.match(line)
        assert m, f"stderr line is not a one-line rejection: {line!r}\n{r.stderr}"
        out[Path(m.group(1)).name] = m.group(2)
    return out


def facts_json(store: Path, *args: str) -> list[dict]:
    r = run_cli("facts", "--json", *args, store=store)
    no_traceback(r)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def db(store: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{store / 'exhibit.db'}?mode=ro", uri=True)


def assert_citations_exact(store: Path, doc: str | None = None) -> int:
    """Every fact's every citation slices its source exactly; returns how many facts were checked."""
    facts = facts_json(store, *(["--doc", doc] if doc else []))
    sources: dict[str, str] = {}
    for f in facts:
        for c in f["citations"]:
            if c["path"] not in sources:
                sources[c["path"]] = decode_source(Path(c["path"]).read_bytes())
            text = sources[c["path"]]
            assert text[c["char_start"] : c["char_end"]] == c["text"], (f["label"], c)
    return len(facts)


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def small_release(company: str = "ACME Widget Corporation", revenue: str = "12,345") -> str:
    """A short plain-text release with a tagged EDGAR table."""
    return (
        f"{company} Reports First Quarter 2004 Results\n\n"
        f"NEW YORK, NY - April 20, 2004 - {company} today reported revenue of ${revenue} thousand\n"
        "for the first quarter ended March 31, 2004.\n\n"
        "<TABLE>\n<CAPTION>\n"
        "                                   Three Months Ended March 31,\n"
        "                                       2004          2003\n"
        "<S>                                  <C>           <C>\n"
        f"Revenue                              $ {revenue:>8}     $  11,000\n"
        "Net income                               1,234         1,100\n"
        "</TABLE>\n"
    )


# --- single bad files -----------------------------------------------------------------------------

BAD_FILES = {
    "empty.txt": (b"", "empty file"),
    "blank.txt": (b" \n\t\n  \n", "empty file"),
    "report.pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + bytes(range(256)) * 8, "PDF"),
    "logo.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "PNG"),
    "release.txt.gz": (gzip.compress(SEED.read_bytes()), "gzip"),
    "archive.zip": (b"PK\x03\x04" + bytes(300), "zip"),
    "nul.txt": (b"Revenue\x00\x00\x00 was up\x00" * 50, "binary"),
    # 0x81 and 0x8d are undefined in cp1252 and invalid as UTF-8 lead bytes.
    "undecodable.txt": (RELEASE_HEAD.encode() + b"Revenue \x81\x8d\x8f\x90\x9d 1,234\n", "undecodable"),
    "utf16.txt": ((RELEASE_HEAD + "Revenue 1,234\n").encode("utf-16"), "UTF-16"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_rejected_with_one_line_reason(tmp_path, name):
    data, why = BAD_FILES[name]
    f = write(tmp_path / "in" / name, data)
    r = index(tmp_path / "store", f)
    assert r.returncode == 2, (r.stdout, r.stderr)
    rej = rejections(r)
    assert list(rej) == [name], r.stderr
    assert why.lower() in rej[name].lower(), rej
    assert summary(r)["rejected"] == 1 and summary(r)["documents"] == 0


def test_named_pipe_and_devices_rejected_without_blocking(tmp_path):
    fifo = tmp_path / "in" / "pipe.txt"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    t = time.monotonic()
    r = index(tmp_path / "store", fifo.parent, "/dev/zero", "/dev/null", timeout=60)
    assert time.monotonic() - t < 30
    assert r.returncode == 2
    rej = rejections(r)
    assert set(rej) == {"pipe.txt", "zero", "null"}, rej
    assert all("not a regular file" in why for why in rej.values()), rej


def test_symlink_loops_rejected(tmp_path):
    folder = tmp_path / "in"
    write(folder / "good.txt", small_release())
    os.symlink("b.txt", folder / "a.txt")
    os.symlink("a.txt", folder / "b.txt")
    os.symlink("self.txt", folder / "self.txt")
    (folder / "sub").mkdir()
    os.symlink("..", folder / "sub" / "up")  # a folder loop: the walk must not go round forever
    t = time.monotonic()
    r = index(tmp_path / "store", folder, tmp_path / "in" / "a.txt", timeout=60)
    assert time.monotonic() - t < 30
    assert r.returncode == 2
    rej = rejections(r)
    assert {"a.txt", "b.txt", "self.txt", "up"} <= set(rej), rej
    assert all("loop" in why for why in rej.values()), rej
    s = summary(r)
    assert s["documents"] == 1
    # a.txt given twice (in the folder and by name) is one rejection line per occurrence, never a crash
    assert r.stderr.count("a.txt: symbolic link loop") >= 1


def test_broken_symlink_and_missing_path(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    os.symlink("nowhere.txt", folder / "dangling.txt")
    r = index(tmp_path / "store", folder / "dangling.txt", tmp_path / "missing.txt")
    assert r.returncode == 2
    rej = rejections(r)
    assert "broken" in rej["dangling.txt"] and "no such" in rej["missing.txt"], rej


def _without_dac_override() -> list[str] | None:
    """A command prefix under which root no longer bypasses file permissions, or None."""
    setpriv = shutil.which("setpriv")
    if not setpriv:
        return None
    prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    probe = Path(tempfile.mkdtemp()) / "probe"
    try:
        probe.write_text("x")
        probe.chmod(0o000)
        r = subprocess.run([*prefix, "cat", str(probe)], capture_output=True)
        return prefix if r.returncode != 0 else None
    except OSError:
        return None
    finally:
        shutil.rmtree(probe.parent, ignore_errors=True)


def test_unreadable_file(tmp_path):
    """chmod 000 does not stop root: as root, run the command without CAP_DAC_OVERRIDE (via setpriv),
    and skip when that is impossible."""
    folder = tmp_path / "in"
    write(folder / "good.txt", small_release())
    secret = write(folder / "secret.txt", small_release("Secret Holdings Inc."))
    secret.chmod(0o000)
    prefix: list[str] = []
    if os.geteuid() == 0:
        prefix = _without_dac_override() or []
        if not prefix:
            pytest.skip("running as root without setpriv: chmod 000 does not stop root")
    env = {k: v for k, v in os.environ.items() if k != "EXHIBIT_STORE"}
    cmd = [*prefix, sys.executable, "-m", "qa", "--store", str(tmp_path / "store"), "index", str(folder)]
    try:
        r = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, env=env)
    finally:
        secret.chmod(0o644)
    no_traceback(r)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert rejections(r) == {"secret.txt": "permission denied"}, r.stderr
    assert summary(r)["documents"] == 1


def test_file_names_that_break_lines_or_encodings(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "new\nline.txt", b"\x00\x01\x02 not text")
    (folder.joinpath(os.fsdecode(b"latin\xe9.txt"))).write_text(small_release("Latin Corp."))
    write(folder / "ok.txt", small_release())
    r = index(tmp_path / "store", folder)
    assert r.returncode == 2
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 2, r.stderr  # one line per bad file, even for a name with a newline in it
    assert any("new\\nline.txt" in ln and "binary" in ln for ln in lines), lines
    assert any("latin" in ln and "UTF-8" in ln for ln in lines), lines
    assert summary(r)["documents"] == 1


# --- odd but readable files -----------------------------------------------------------------------


def test_table_without_closing_tag(tmp_path):
    text = (
        small_release().replace("</TABLE>\n", "")
        + "Other income                            12            11\n" * 5
    )
    f = write(tmp_path / "in" / "unclosed.txt", text)
    store = tmp_path / "store"
    r = index(store, f)
    assert r.returncode == 0, r.stderr
    assert summary(r)["documents"] == 1
    values = {(x["metric"], x["value"]) for x in facts_json(store)}
    assert ("revenue", 12345000.0) in values or ("revenue", 12345.0) in values, sorted(values)[:20]
    assert assert_citations_exact(store) > 0


def test_ragged_columns(tmp_path):
    text = (
        RELEASE_HEAD + "<TABLE>\n<S>                     <C>       <C>\n"
        "                         2004      2003     2002    2001\n"
        "Revenue                 1,234\n"
        "Net income                234       100       99      88     77    66    55\n"
        "Cost    1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n"
        "                                      (1,000)\n"
        "Total\n"
        "</TABLE>\n"
        "          2004   2003\n"
        "Sales   1,000\n"
        "Sales     900   800   700   600   500\n"
    )
    store = tmp_path / "store"
    r = index(store, write(tmp_path / "in" / "ragged.txt", text))
    assert r.returncode == 0, r.stderr
    assert summary(r)["documents"] == 1
    assert_citations_exact(store)


def test_fifty_megabyte_text_file_rejected_fast_and_small(tmp_path):
    """Decision: rejected (release text over 16 Mi characters), quickly and without loading it twice."""
    seed = SEED.read_bytes()
    big = tmp_path / "in" / "big.txt"
    big.parent.mkdir()
    with open(big, "wb") as fh:
        size = 0
        while size < 50 * 2**20:
            fh.write(seed)
            size += len(seed)
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.monotonic()\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.stdout.write(r.stdout); sys.stderr.write(r.stderr)\n"
        "sys.exit(r.returncode)\n"
    )
    cmd = [sys.executable, "-c", probe, sys.executable, "-m", "qa", "--store", str(tmp_path / "store")]
    r = subprocess.run(cmd + ["index", str(big)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    no_traceback(r)
    seconds, maxrss_kb = r.stdout.splitlines()[0].split()
    assert r.returncode == 2, r.stderr
    assert "too large" in rejections(r)["big.txt"]
    assert float(seconds) < 20, seconds
    assert int(maxrss_kb) < 600 * 1024, f"peak RSS {int(maxrss_kb) // 1024} MiB"


def test_ten_thousand_row_table(tmp_path):
    rows = [
        RELEASE_HEAD,
        "<TABLE>\n<CAPTION>\n                                        Three Months Ended March 31,\n",
        "                                            2004          2003\n",
        "<S>                                       <C>           <C>\n",
    ]
    for i in range(10_000):
        rows.append(f"Product line {i:05d} revenue               {1_000 + i:>9,}     {900 + i:>9,}\n")
    rows.append("</TABLE>\n")
    f = write(tmp_path / "in" / "rows.txt", "".join(rows))
    store = tmp_path / "store"
    t = time.monotonic()
    r = index(store, f, timeout=180)
    elapsed = time.monotonic() - t
    assert r.returncode == 0, r.stderr
    assert elapsed < 60, elapsed
    s = summary(r)
    assert s["documents"] == 1 and s["segments"] >= 10_000 and s["facts"] >= 20_000, s
    with db(store) as c:
        got = c.execute(
            "SELECT value, as_printed, period_end FROM facts WHERE label LIKE 'Product line 05000%' ORDER BY period_end"
        ).fetchall()
    assert [(v, p) for v, p, _ in got] == [(5_900_000.0, "5,900"), (6_000_000.0, "6,000")] or [
        (v, p) for v, p, _ in got
    ] == [(5900.0, "5,900"), (6000.0, "6,000")], got
    assert run_cli("search", "Product line 07777", store=store).returncode == 0


def test_html_with_script_iframe_and_local_image(tmp_path):
    html = (
        "<html><head><script>var revenue = 999999; document.write('<p>Revenue was $888 million</p>');</script>"
        "</head><body><iframe src='http://example.invalid/'>Revenue was $777 million</iframe>"
        "<img src='file:///etc/passwd' alt='logo'>"
        "<p>ACME Widget Corporation Reports First Quarter 2004 Results</p>"
        "<p>NEW YORK, April 20, 2004 &ndash; ACME Widget Corporation today reported results.</p>"
        "<table><tr><td></td><td>Three Months Ended March 31, 2004</td></tr>"
        "<tr><td>Revenue</td><td>$12,500</td></tr><tr><td>Net income</td><td>1,200</td></tr></table>"
        "<script>alert('passwd')</script><div>Contact: Jane Roe</div>"
        "<style>p { background: url(file:///etc/shadow) }</style></body></html>"
    )
    store = tmp_path / "store"
    r = index(store, write(tmp_path / "in" / "hostile.htm", html))
    assert r.returncode == 0, r.stderr
    facts = facts_json(store)
    values = {x["value"] for x in facts}
    assert 12_500 in values or 12_500_000 in values, values
    assert not values & {999_999.0, 888_000_000.0, 777_000_000.0, 888.0, 777.0}, values
    for query in ("alert", "passwd", "document.write", "shadow"):
        s = run_cli("search", query, store=store)
        no_traceback(s)
        assert s.returncode == 1, (query, s.stdout)
    assert_citations_exact(store)
    out = tmp_path / "brief.html"
    b = run_cli("brief", "--doc", "hostile", "-o", str(out), store=store)
    no_traceback(b)
    if b.returncode == 0:
        page = out.read_text(errors="replace")
        assert "<script" not in page.lower() and "<iframe" not in page.lower()
        assert "file:///etc/passwd" not in page and "/etc/shadow" not in page


def test_deeply_nested_html(tmp_path):
    depth = 50_000
    html = (
        "<html><body>"
        + "<div>" * depth
        + "ACME Corp reported revenue of $1,234 in the first quarter of 2004."
    )
    html += "</div>" * depth + "</body></html>"
    r = index(tmp_path / "store", write(tmp_path / "in" / "nested.htm", html), timeout=120)
    assert r.returncode in (0, 2), r.stderr  # ingested or rejected with a reason, never a crash
    if r.returncode == 2:
        assert set(rejections(r)) == {"nested.htm"}


def test_pathological_file_hits_the_time_limit(tmp_path):
    """One 4 MB 'sentence' of 100,000 figures takes far longer than a release to extract (over 30 s
    here; the slowest real release takes under 2 s): the file is rejected at EXHIBIT_FILE_TIMEOUT
    and the rest of the folder still goes in."""
    folder = tmp_path / "in"
    write(folder / "a_good.txt", small_release())
    sentence = "Revenue was $1.2 million, up 5% from $1.1 million in the first quarter of 2003 " * 50_000
    write(folder / "b_slow.txt", RELEASE_HEAD + sentence + "\n")
    write(folder / "c_good.txt", small_release("Other Widget Corp.", "22,222"))
    t = time.monotonic()
    r = index(tmp_path / "store", folder, env={"EXHIBIT_FILE_TIMEOUT": "3"}, timeout=120)
    assert time.monotonic() - t < 30
    assert r.returncode == 2
    assert "took longer than 3s" in rejections(r)["b_slow.txt"]
    assert summary(r)["documents"] == 2


# --- duplicates -----------------------------------------------------------------------------------


def test_python_bytecode_caches_are_not_releases(tmp_path):
    """Importing the bundled corpus package writes corpus/__pycache__: a folder ingest skips it."""
    folder = tmp_path / "in"
    write(folder / "a.txt", small_release())
    write(folder / "__pycache__" / "__init__.cpython-311.pyc", b"\xa7\r\r\n\x00\x00\x00\x00")
    write(folder / "stray.pyc", b"\xa7\r\r\n\x00\x00\x00\x00")
    r = index(tmp_path / "store", folder)
    assert r.returncode == 0, r.stderr
    assert summary(r)["documents"] == 1 and summary(r)["rejected"] == 0


def test_same_file_under_two_names_is_a_duplicate(tmp_path):
    folder = tmp_path / "in"
    write(folder / "one.txt", small_release())
    write(folder / "two.txt", small_release())
    os.symlink("one.txt", folder / "three.txt")
    store = tmp_path / "store"
    r = index(store, folder)
    assert r.returncode == 0, r.stderr
    s = summary(r)
    assert s["documents"] == 1 and s["duplicates"] == 2, r.stdout
    assert r.stdout.count("duplicate:") == 2
    with db(store) as c:
        assert c.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    again = index(store, folder / "two.txt")
    assert again.returncode == 0 and summary(again)["duplicates"] == 1


# --- a folder of good and bad files over a store that already holds a release ----------------------


@pytest.fixture
def seeded_store(tmp_path):
    store = tmp_path / "store"
    r = index(store, REPO_ROOT / "corpus")
    assert r.returncode == 0, r.stderr
    return store


def test_mixed_folder_changes_nothing_already_stored(tmp_path, seeded_store):
    store = seeded_store
    before = facts_json(store)
    seed_doc = before[0]["doc_id"]
    docs_before = run_cli("docs", store=store).stdout

    folder = tmp_path / "mixed"
    bad = {}
    for name, (data, _why) in BAD_FILES.items():
        write(folder / name, data)
        bad[name] = True
    os.mkfifo(folder / "pipe.txt")
    os.symlink("loop_b.txt", folder / "loop_a.txt")
    os.symlink("loop_a.txt", folder / "loop_b.txt")
    write(folder / "zz_copy_of_seed.txt", SEED.read_bytes())  # same bytes as the stored release
    write(folder / "good_one.txt", small_release("First Good Corp."))
    write(folder / "good_two.txt", small_release("Second Good Corp.", "54,321"))
    write(folder / "unclosed.txt", small_release("Third Good Corp.").replace("</TABLE>\n", ""))
    expected_bad = set(bad) | {"pipe.txt", "loop_a.txt", "loop_b.txt"}

    r = index(store, folder)
    assert r.returncode == 2
    rej = rejections(r)
    assert set(rej) == expected_bad, set(rej) ^ expected_bad
    assert len([ln for ln in r.stderr.splitlines() if ln.strip()]) == len(expected_bad)
    s = summary(r)
    assert s["documents"] == 3 and s["duplicates"] == 1 and s["rejected"] == len(expected_bad), s

    after = facts_json(store)
    assert [f for f in after if f["doc_id"] == seed_doc] == before
    assert docs_before.splitlines()[0] in run_cli("docs", store=store).stdout
    companies = {f["company"] for f in after}
    assert {"First Good Corp.", "Second Good Corp.", "Third Good Corp."} <= companies, companies
    doctor = run_cli("doctor", store=store)
    assert doctor.returncode == 0 and doctor.stdout.startswith("ok"), doctor.stdout
