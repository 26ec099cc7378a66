"""Briefings (`renderer/`): content from the real store, Markdown footnotes, HTML safety, real PDFs.

Every test ingests real release files into a real store on disk and renders
real files; PDFs are read back with pypdf (and pdftotext when installed).
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pypdf import PdfReader

from index.errors import UsageError
from index.text import fold
from tests.conftest import REPO_ROOT, line_of

SEED_NAME = "mpower_2004q1_ex991.txt"
FOOTNOTE_DEF_RE = re.compile(r"^\[\^(\d+)\]: (.*)$", re.M)
CELL_FIGURE_RE = re.compile(r"(-?\$[\d,]+(?:\.\d+)?)\[\^(\d+)\]")


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_lib(tmp_path_factory, seed_path):
    """A store holding only the bundled release (Mpower, Q1 2004)."""
    from qa.library import open_library

    lib = open_library(tmp_path_factory.mktemp("brief_seed") / "store")
    lib.ingest([seed_path])
    yield lib
    lib.close()


@pytest.fixture(scope="module")
def seed_briefing(seed_lib):
    from renderer.briefing import build_briefing

    return build_briefing(seed_lib)


@pytest.fixture(scope="module")
def seed_text(seed_path) -> str:
    return seed_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_files(seed_lib, tmp_path_factory):
    """The seed's briefing written as .md, .html and .pdf (A4) and .pdf (Letter)."""
    from renderer.briefing import render_to_file

    out = tmp_path_factory.mktemp("brief_out")
    files = {
        "md": render_to_file(seed_lib, out / "seed.md"),
        "html": render_to_file(seed_lib, out / "seed.html"),
        "pdf": render_to_file(seed_lib, out / "seed.pdf"),
        "letter": render_to_file(seed_lib, out / "seed-letter.pdf", page="letter"),
    }
    return files


def pdf_text(path: Path) -> str:
    """The PDF's text (pdftotext when installed, else pypdf), ligatures and white space normalised."""
    if shutil.which("pdftotext"):
        raw = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    else:  # pragma: no cover - poppler missing
        raw = "\n".join(p.extract_text() for p in PdfReader(path).pages)
    return unicodedata.normalize("NFKC", raw)


def key_table(md: str) -> list[str]:
    """The rows of the Markdown key figures table."""
    section = md.split("## Key figures", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| ") and "[^" in line]


def footnotes(md: str) -> dict[str, str]:
    return dict(FOOTNOTE_DEF_RE.findall(md))


# --- content ------------------------------------------------------------------------------------


def test_headline_is_the_releases_company_period_and_date(seed_briefing):
    h = seed_briefing.headline
    assert h.company == "Mpower Holding Corporation"
    assert h.period == "Q1 2004"
    assert h.release_date == "2004-05-06"
    assert "First Quarter 2004 Results" in h.title
    assert h.file == SEED_NAME


def test_key_figures_this_period_prior_year_prior_quarter(seed_briefing):
    k = seed_briefing.key
    assert (k.period, k.prior_year, k.prior_quarter) == ("Q1 2004", "Q1 2003", "Q4 2003")
    rows = {r.name: r for r in k.rows}
    rev = rows["Revenue"]
    assert (rev.current.value, rev.prior_year.value, rev.prior_quarter.value) == (
        37153000,
        36738000,
        36879000,
    )
    sga = rows["Selling, general and administrative"]
    assert sga.current.value == 17549000 and sga.current.as_printed == "17,549"
    assert rows["Net income"].current.value == -263000
    assert rows["Total operating expenses"].current.value == 37679000
    assert rows["Adjusted EBITDA"].prior_year.value == -6518000
    assert rows["Cash"].current.value == 29294000  # at March 31, 2004
    # Mpower prints no "operating income" line: its loss from continuing operations stands in.
    assert "Income from continuing operations" in rows and "Operating income" not in rows


def test_every_key_figure_cites_the_exact_characters_of_the_seed(seed_briefing, seed_lib, seed_text):
    for row in seed_briefing.key.rows:
        for fig in (row.current, row.prior_year, row.prior_quarter):
            if fig is None:
                continue
            s = fig.source
            assert s.file == SEED_NAME
            assert s.line_start == line_of(seed_text, s.char_start)
            assert s.line_end == line_of(seed_text, s.char_end - 1)
            # The quote is the cited span as printed (white space folded), the figure inside it.
            assert fold(s.quote) == fold(seed_text[s.char_start : s.char_end])
            assert s.figure == fig.as_printed


def test_changes_are_derived_by_the_stated_formula(seed_briefing):
    rev = next(r for r in seed_briefing.key.rows if r.name == "Revenue")
    assert rev.change_year.percent == round((37153000 - 36738000) / 36738000 * 100, 1) == 1.1
    assert rev.change_quarter.percent == round((37153000 - 36879000) / 36879000 * 100, 1)
    assert "/ |$36,738,000| \u00d7 100" in rev.change_year.formula
    eps = next(r for r in seed_briefing.key.rows if r.name == "Earnings per share")
    assert eps.prior_quarter.value == 0 and eps.change_quarter is None  # no % change from zero


def test_guidance_ranges(seed_briefing):
    g = {(f.metric, f.period): f for f in seed_briefing.guidance}
    assert g[("revenue", "FY2004")].value == 152600000 and g[("revenue", "FY2004")].value_high == 155600000
    assert g[("adjusted ebitda", "Q2 2004")].text == "$1,500,000 to $2,000,000"
    assert all(f.basis == "guidance" for f in seed_briefing.guidance)


def test_passages_ceo_quote_and_liquidity(seed_briefing):
    quotes = [p for p in seed_briefing.passages if p.kind == "quote"]
    capital = [p for p in seed_briefing.passages if p.kind == "capital"]
    assert (
        quotes and "said Mpower Holding Chairman and Chief Executive Officer Rolla P. Huff" in quotes[0].text
    )
    assert quotes[0].source.line_start == 14
    assert capital and "$29.3 million in unrestricted cash" in capital[0].text


def test_findings_come_from_the_audit(seed_briefing):
    if seed_briefing.findings is None:
        pytest.skip("qa.audit not available: the findings section is left out")
    assert seed_briefing.checks_passed > 0
    for f in seed_briefing.findings:
        assert f.status in ("discrepancy", "rounding")
        assert f.sources and all(s.file == SEED_NAME for s in f.sources)


def test_chart_uses_the_releases_columns_oldest_first(seed_briefing):
    assert seed_briefing.chart_basis == "release"
    rev = next(p for p in seed_briefing.chart if p.title == "Revenue")
    assert [label for label, _ in rev.points] == ["Q1 2003", "Q4 2003", "Q1 2004"]


# --- Markdown -----------------------------------------------------------------------------------


def test_markdown_key_figures_are_footnoted_with_file_line_and_quote(seed_files, seed_briefing):
    md = seed_files["md"].read_text(encoding="utf-8")
    notes = footnotes(md)
    rows = key_table(md)
    assert rows, md
    cited = [(v, n) for row in rows for v, n in CELL_FIGURE_RE.findall(row)]
    figures = [
        f for r in seed_briefing.key.rows for f in (r.current, r.prior_year, r.prior_quarter) if f is not None
    ]
    assert len(cited) == len(figures)
    for (value, n), fig in zip(cited, figures, strict=True):
        assert value == fig.text
        note = notes[n]
        assert note.startswith(f"`{SEED_NAME}`, {fig.source.lines}: \u201c")
        bold = re.search(r"\*\*(.+?)\*\*", note)
        assert bold and bold.group(1) == fig.as_printed
    assert "| Revenue | $37,153,000[^1] | $36,738,000[^2] | +1.1% | $36,879,000[^3] | +0.7% |" in md
    assert (
        notes["1"]
        == f"`{SEED_NAME}`, line 237: \u201cTotal Operating Revenues **37,153** 36,738 36,879\u201d"
    )
    assert "Change (derived)" in md and "(this period \u2212 comparison period) / |comparison period|" in md


def test_markdown_footnotes_are_numbered_in_reading_order_and_all_used(seed_files):
    md = seed_files["md"].read_text(encoding="utf-8")
    body, _, _ = md.partition("\n[^1]: ")
    refs = [int(n) for n in re.findall(r"\[\^(\d+)\](?!:)", body)]
    first_seen = list(dict.fromkeys(refs))
    assert first_seen == list(range(1, len(first_seen) + 1))
    assert sorted(int(n) for n in footnotes(md)) == first_seen


def test_markdown_writes_the_chart_next_to_it(seed_files):
    md = seed_files["md"].read_text(encoding="utf-8")
    svg = seed_files["md"].with_suffix(".svg")
    assert f"]({svg.name})" in md and svg.is_file()
    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    assert root.tag.endswith("svg")


def test_template_places_sections_and_keeps_footnotes(seed_lib, tmp_path):
    from renderer.briefing import render_to_file

    tpl = tmp_path / "mine.md"
    tpl.write_text("{{headline}}\n\nPrepared for the desk.\n\n{{ key_figures }}\n", encoding="utf-8")
    out = render_to_file(seed_lib, tmp_path / "t.md", template=tpl)
    md = out.read_text(encoding="utf-8")
    assert md.index("# Mpower") < md.index("Prepared for the desk.") < md.index("## Key figures")
    assert "## Guidance" not in md and "## Notable passages" not in md
    assert footnotes(md)["1"].startswith(f"`{SEED_NAME}`, line 237")  # appended although not placed
    assert not (tmp_path / "t.svg").exists()  # the template has no {{chart}}


def test_template_with_unknown_placeholder_is_a_usage_error(seed_lib, tmp_path):
    from renderer.briefing import render_to_file

    tpl = tmp_path / "bad.md"
    tpl.write_text("{{headline}} {{summary}}", encoding="utf-8")
    with pytest.raises(UsageError, match=r"\{\{summary\}\}"):
        render_to_file(seed_lib, tmp_path / "t.md", template=tpl)
    with pytest.raises(UsageError, match="cannot read template"):
        render_to_file(seed_lib, tmp_path / "t.md", template=tmp_path / "missing.md")


def test_escaping_keeps_release_text_literal():
    from renderer.html import body_html
    from renderer.markdown import esc, esc_block

    hostile = "[x](javascript:alert(1)) ![i](http://a.example/p.png) <b>b</b> *e* _u_ `c` | ^[n] [^1] &lt;"
    html = body_html(
        f"> {esc_block(hostile)}\n\n# {esc('# not a heading')}\n\n{esc_block('1. not a list')}\n"
    )
    assert "<a " not in html and "<img" not in html and "<b>" not in html and "<em>" not in html
    assert "<code>" not in html and "<ol" not in html and "footnote" not in html
    assert "[x](javascript:alert(1))" in html and "&amp;lt;" in html


def test_bad_output_suffix_and_unknown_document_are_usage_errors(seed_lib, tmp_path):
    from renderer.briefing import render_to_file

    with pytest.raises(UsageError, match=r"\.md, \.html or \.pdf"):
        render_to_file(seed_lib, tmp_path / "brief.docx")
    with pytest.raises(UsageError, match="no document"):
        render_to_file(seed_lib, tmp_path / "b.md", doc_id="nope")
    with pytest.raises(UsageError, match="no releases of"):
        render_to_file(seed_lib, tmp_path / "b.md", company="Nonexistent Widgets")
    with pytest.raises(UsageError, match="page size"):
        render_to_file(seed_lib, tmp_path / "b.pdf", page="a3")


def test_empty_store_is_a_usage_error(tmp_path):
    from qa.library import open_library
    from renderer.briefing import render_to_file

    lib = open_library(tmp_path / "empty")
    try:
        with pytest.raises(UsageError, match="store is empty"):
            render_to_file(lib, tmp_path / "b.md")
    finally:
        lib.close()


# --- HTML ---------------------------------------------------------------------------------------


def test_html_is_standalone_with_inline_svg_and_no_external_references(seed_files):
    html = seed_files["html"].read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<title>Mpower Holding Corporation \u2014 Q1 2004 briefing</title>" in html
    assert '<meta name="author" content="Exhibit">' in html
    assert html.count("<svg") == 1 and "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:|file:|//)""", html)
    assert "$37,153,000" in html and 'class="footnote-ref"' in html


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_has_every_key_figure_with_its_marker_and_footnote(seed_files):
    md = seed_files["md"].read_text(encoding="utf-8")
    notes = footnotes(md)
    text = pdf_text(seed_files["pdf"])
    flat = fold(text)
    for row in key_table(md):
        for value, n in CELL_FIGURE_RE.findall(row):
            assert f"{value}[{n}]" in flat, (value, n)
            m = re.match(r"`([^`]+)`, (lines? [\d\u2013]+)", notes[n])
            assert m, notes[n]
            assert f"{n}. {m.group(1)}, {m.group(2)}:" in flat, (n, notes[n])
    assert f"1. {SEED_NAME}, line 237: \u201cTotal Operating Revenues 37,153 36,738 36,879\u201d" in flat


def test_pdf_page_sizes_a4_and_letter(seed_files):
    a4 = PdfReader(seed_files["pdf"]).pages[0].mediabox
    letter = PdfReader(seed_files["letter"]).pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)


def test_pdf_metadata_title_and_author(seed_files):
    meta = PdfReader(seed_files["pdf"]).metadata
    assert meta.title == "Mpower Holding Corporation \u2014 Q1 2004 briefing"
    assert meta.author == "Exhibit"


def test_pdf_running_header_and_page_numbers(seed_files):
    reader = PdfReader(seed_files["pdf"])
    n = len(reader.pages)
    assert n >= 2
    second = unicodedata.normalize("NFKC", reader.pages[1].extract_text())
    assert "Mpower Holding Corporation \u2014 Q1 2004" in second
    assert f"Page 2 of {n}" in second


def test_weasyprint_logs_no_warnings_and_fetches_only_our_stylesheet(seed_briefing, caplog):
    from renderer.briefing import render
    from renderer.pdf import ASSETS

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data, fetcher = render(seed_briefing, "pdf")
    assert data.startswith(b"%PDF")
    warnings = [r for r in caplog.records if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING]
    assert warnings == [], [r.getMessage() for r in warnings]
    assert fetcher.requested == [(ASSETS / "print.css").as_uri()]
    assert fetcher.refused == []


def test_fetcher_serves_only_files_under_renderer(tmp_path):
    from renderer.pdf import ASSETS, AssetFetcher, RefusedURL

    f = AssetFetcher()
    css = f.fetch((ASSETS / "print.css").as_uri())
    assert b"@page" in css.read()
    outside = tmp_path / "x.css"
    outside.write_text("body{}", encoding="utf-8")
    for url in (
        "http://evil/x.css",
        "https://example.com/a.png",
        "file:///etc/passwd",
        outside.as_uri(),
        (ASSETS / ".." / "qa" / "cli.py").as_uri(),
        (ASSETS / "briefing.py").as_uri(),
        "data:text/css,body{}",
        "ftp://evil/x",
    ):
        with pytest.raises(RefusedURL):
            f.fetch(url)
    assert f.refused == f.requested[1:]


def test_renderer_imports_weasyprint_only_for_pdf():
    code = (
        "import sys, renderer.briefing, renderer.markdown, renderer.html, renderer.chart; "
        "assert 'weasyprint' not in sys.modules, 'weasyprint imported'"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


# --- a hostile HTML release ------------------------------------------------------------------------

HOSTILE = """<html>
<head>
<title>Acme Widgets Reports Second Quarter 2023 Results</title>
<link rel=stylesheet href="http://evil/x.css">
<script>alert(1)</script>
</head>
<body>
<p>Exhibit 99.1</p>
<p><b>Acme Widgets, Inc. Reports Second Quarter 2023 Results</b></p>
<p>SPRINGFIELD, August 1, 2023 -- Acme Widgets, Inc. (NASDAQ: ACME) today announced results for its
second quarter ended June 30, 2023.</p>
<iframe src="http://evil"></iframe>
<img src="file:///etc/passwd">
<p>"We had a strong quarter &lt;img src=x onerror=alert(2)&gt; [click](javascript:alert(3))
![x](http://attacker.example/p.png) **bold** [^1]," said Jane Doe, Chief Executive Officer.</p>
<p>Acme ended the quarter with cash and cash equivalents of $12.0 million and no borrowings under its
credit facility; capital expenditures were $1.1 million.</p>
<table>
<tr><td></td><td>Three Months Ended June 30, 2023</td><td>Three Months Ended June 30, 2022</td></tr>
<tr><td>(in thousands)</td><td></td><td></td></tr>
<tr><td>Total revenue<script>alert(4)</script></td><td>$ 12,345</td><td>$ 11,000</td></tr>
<tr><td>Operating income</td><td>1,234</td><td>1,100</td></tr>
<tr><td>Net income <img src="http://evil/t.gif"></td><td>$ 987</td><td>$ 900</td></tr>
</table>
<script>document.write('<img src="http://evil/track.gif">')</script>
</body>
</html>
"""


@pytest.fixture(scope="module")
def hostile_lib(tmp_path_factory):
    from qa.library import open_library

    folder = tmp_path_factory.mktemp("hostile")
    src = folder / "acme_2023q2_ex991.htm"
    src.write_text(HOSTILE, encoding="utf-8")
    lib = open_library(folder / "store")
    rep = lib.ingest([src])
    assert not rep.rejected, rep.rejected
    yield lib
    lib.close()


def test_hostile_release_ingests_with_figures(hostile_lib):
    from renderer.briefing import build_briefing

    b = build_briefing(hostile_lib)
    rows = {r.name: r for r in b.key.rows}
    assert rows["Revenue"].current.value == 12345000
    assert rows["Net income"].current.value == 987000


def test_hostile_release_briefing_has_no_markup_from_the_release(hostile_lib, tmp_path, caplog):
    from renderer.briefing import build_briefing, render, render_to_file
    from renderer.pdf import ASSETS

    out = render_to_file(hostile_lib, tmp_path / "acme.html")
    html = out.read_text(encoding="utf-8")
    low = html.lower()
    for bad in ("<script", "<iframe", "file://", "evil", "<img", "<link", "<strong>bold"):
        assert bad not in low, bad
    assert 'href="javascript' not in low
    assert "&lt;img src=x onerror=alert(2)&gt;" in html  # the release's words, shown as text
    assert "$12,345,000" in html

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data, fetcher = render(build_briefing(hostile_lib), "pdf")
    assert data.startswith(b"%PDF")
    assert all(u.startswith(ASSETS.as_uri() + "/") for u in fetcher.requested), fetcher.requested
    assert fetcher.refused == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


# --- shared corpus ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pnc_lib(tmp_path_factory, corpus_file):
    from qa.library import open_library

    lib = open_library(tmp_path_factory.mktemp("pnc") / "store")
    lib.ingest([corpus_file("pnc_2022q1_ex991.htm")])
    yield lib
    lib.close()


def test_bank_release_briefs_to_pdf(pnc_lib, tmp_path, caplog):
    from renderer.briefing import build_briefing, render_to_file

    b = build_briefing(pnc_lib)
    rows = {r.name: r for r in b.key.rows}
    assert rows["Revenue"].current.value == 4692000000
    assert rows["Net interest income"].current.value == 2804000000
    assert rows["Earnings per share"].current.value == 3.23
    assert rows["Revenue"].current.source.html
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        out = render_to_file(pnc_lib, tmp_path / "pnc.pdf", page="letter")
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    reader = PdfReader(out)
    assert len(reader.pages) >= 1
    flat = fold(pdf_text(out))
    assert "$4,692,000,000[1]" in flat
    assert "1. pnc_2022q1_ex991.htm, line 10, characters" in flat
    assert "The PNC Financial Services Group" in reader.metadata.title


def test_trend_across_a_companys_releases(tmp_path, corpus_file):
    from qa.library import open_library
    from renderer.briefing import build_briefing
    from renderer.markdown import to_markdown

    lib = open_library(tmp_path / "store")
    try:
        lib.ingest([corpus_file("pnc_2020q4_ex991.htm"), corpus_file("pnc_2022q1_ex991.htm")])
        b = build_briefing(lib, company="PNC")
        assert b.headline.period == "Q1 2022"  # the latest release of the company
        assert [r.period for r in b.trend] == ["Q4 2020", "Q1 2022"]
        assert "Revenue" in b.trend_metrics
        md = to_markdown(b)
        assert "## Trend across releases" in md and "Q1 2022 (this release)" in md
    finally:
        lib.close()


# --- chart ------------------------------------------------------------------------------------------


def test_chart_svg_is_plain_shapes_and_text():
    from renderer.briefing import ChartPanel
    from renderer.chart import compact, render_svg

    panels = [
        ChartPanel("Revenue", "USD", (("Q1 2003", 36738000.0), ("Q1 2004", 37153000.0))),
        ChartPanel(
            "Net income <loss> & more, with a rather long title", "USD", (("A", -15150000.0), ("B", 0.0))
        ),
    ]
    svg = render_svg(panels)
    root = ET.fromstring(svg)
    tags = {el.tag.split("}")[-1] for el in root.iter()}
    assert tags <= {"svg", "title", "text", "rect", "line"}
    assert not any(k for el in root.iter() for k in el.attrib if "href" in k or k.startswith("on"))
    texts = [el.text for el in root.iter() if el.tag.endswith("text")]
    assert "$37.2M" in texts and "-$15.2M" in texts and "Q1 2004" in texts
    assert compact(4692000000, "USD") == "$4.69B" and compact(-0.23, "USD/share") == "-$0.23"
    assert render_svg([]) == ""
