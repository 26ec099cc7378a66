"""`exhibit brief` end to end: a real subprocess, a real store, real output files."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from tests.conftest import run_cli


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A store filled by `exhibit index corpus/` (the bundled release)."""
    s = tmp_path_factory.mktemp("brief_cli") / "store"
    r = run_cli("index", "corpus/", store=s)
    assert r.returncode == 0, r.stderr
    return s


def test_brief_pdf_end_to_end(store, tmp_path):
    out = tmp_path / "out.pdf"
    r = run_cli("brief", "-o", out, store=store)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"wrote {out}"
    assert "Traceback" not in r.stderr
    reader = PdfReader(out)
    assert reader.metadata.author == "Exhibit"
    assert "Mpower Holding Corporation" in reader.metadata.title
    text = "".join(p.extract_text() for p in reader.pages)
    assert "$37,153,000" in text and "mpower_2004q1_ex991.txt" in text


def test_brief_markdown_and_html_by_suffix(store, tmp_path):
    for name in ("b.md", "b.html"):
        out = tmp_path / name
        r = run_cli("brief", "-o", out, "--company", "Mpower", store=store)
        assert r.returncode == 0, r.stderr
        assert "$37,153,000" in out.read_text(encoding="utf-8")
    assert (tmp_path / "b.svg").is_file()  # the Markdown briefing's chart


def test_brief_letter_page(store, tmp_path):
    out = tmp_path / "letter.pdf"
    r = run_cli("brief", "-o", out, "--page", "letter", "--doc", "mpower", store=store)
    assert r.returncode == 0, r.stderr
    box = PdfReader(out).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("brief", "-o", "x.docx"), "name the output .md, .html or .pdf"),
        (("brief", "-o", "x.pdf", "--doc", "no-such-doc"), "no document"),
        (("brief", "-o", "x.pdf", "--company", "No Such Co"), "no releases of"),
        (("brief", "-o", "x.md", "--template", "missing-template.md"), "cannot read template"),
        (("brief", "-o", "no/such/folder/x.md"), "does not exist"),
    ],
)
def test_brief_errors_are_one_line_and_exit_2(store, tmp_path, args, message):
    r = run_cli(*args, store=store)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("exhibit: ") and message in lines[0], r.stderr
    assert "Traceback" not in r.stderr


def test_briefing_file_has_the_users_usual_permissions(store, tmp_path):
    """A written briefing is readable like any file the user writes (umask), not private to its writer."""
    import os

    out = tmp_path / "b.md"
    r = run_cli("brief", "-o", str(out), store=store)
    assert r.returncode == 0, r.stderr
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
