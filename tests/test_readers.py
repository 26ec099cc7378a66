"""Readers (index/readers.py): real release files in, Documents out; everything else rejected."""

from __future__ import annotations

import gzip
import hashlib

import pytest

from index.errors import ExhibitError, InputRejected
from index.readers import read_bytes, read_file


def _check_document_basics(doc, path):
    raw = path.read_bytes()
    assert doc.path == str(path.resolve())
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()
    assert doc.format in ("edgar-text", "edgar-submission", "html", "text")
    assert 0 <= doc.body_start < doc.end <= len(doc.text)
    assert doc.doc_id and " " not in doc.doc_id
    assert doc.company


# --- the bundled release ----------------------------------------------------------------------


def test_seed_is_edgar_text_with_company_ticker_and_date(seed_path):
    docs = read_file(seed_path)
    assert len(docs) == 1
    d = docs[0]
    _check_document_basics(d, seed_path)
    assert d.format == "edgar-text"
    assert d.company == "Mpower Holding Corporation"
    assert d.ticker == "MPOW"
    assert d.release_date == "2004-05-06"
    assert d.exhibit == ""
    assert not d.is_html
    assert (d.body_start, d.end) == (0, len(d.text))
    assert d.text == seed_path.read_bytes().decode("utf-8")
    assert "first quarter" in d.title.lower() or "results" in d.title.lower()


def test_doc_id_is_stable_and_follows_the_content(seed_path, tmp_path):
    a = read_file(seed_path)[0]
    b = read_file(seed_path)[0]
    assert a.doc_id == b.doc_id
    changed = tmp_path / seed_path.name
    changed.write_bytes(seed_path.read_bytes().replace(b"17,549", b"17,550"))
    c = read_file(changed)[0]
    assert c.doc_id != a.doc_id
    assert c.sha256 != a.sha256


# --- EDGAR submissions ------------------------------------------------------------------------


def test_submission_skips_the_webcast_transcript(corpus_file):
    path = corpus_file("asfi_fy2005q4_8k-fullsubmission.txt")
    docs = read_file(path)
    exhibits = [d.exhibit for d in docs]
    assert exhibits == ["EX-99.1", "EX-99.3", "EX-99.4", "EX-99.5"]
    text = docs[0].text
    transcript_at = text.find("Webcast Transcript")
    assert transcript_at > 0
    for d in docs:
        _check_document_basics(d, path)
        assert d.format == "edgar-submission"
        assert d.text is text or d.text == text  # one decoded file, shared
        assert not (d.body_start <= transcript_at < d.end), f"{d.exhibit} holds the transcript"
        assert d.ticker == "ASFI"
        assert "asta" in d.company.lower()
        assert d.fiscal_year_end == "09-30"
    # Each exhibit's body is inside its own <DOCUMENT>: no SGML tags of the submission leak in.
    for d in docs:
        assert "<TYPE>" not in d.body
        assert "</DOCUMENT>" not in d.body
    # Exhibits do not overlap and appear in file order.
    spans = [(d.body_start, d.end) for d in docs]
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_release_in_the_8k_body_itself_is_found(corpus_file):
    path = corpus_file("hrzb_fy2007q1_8k-fullsubmission.txt")
    docs = read_file(path)
    assert len(docs) == 1
    d = docs[0]
    _check_document_basics(d, path)
    assert d.exhibit == "8-K"
    assert d.format == "edgar-submission"
    assert "horizon financial" in d.company.lower()
    assert d.fiscal_year_end == "03-31"
    assert d.release_date == "2006-07-20"
    body = d.body.lower()
    assert "net income" in body
    assert "-ex-" not in d.doc_id  # the 8-K body is not an exhibit


def test_html_submission_keeps_only_the_release(corpus_file):
    path = corpus_file("apple_fy2024q1_8k-fullsubmission.txt")
    docs = read_file(path)
    assert len(docs) == 1, [d.exhibit for d in docs]
    d = docs[0]
    _check_document_basics(d, path)
    assert d.format == "html"
    assert d.is_html
    assert d.exhibit == "EX-99.1"
    assert d.company.startswith("Apple")
    # The header says 0928 (the last Saturday of September): it stands for September.
    assert d.fiscal_year_end in ("09-28", "09-30")
    from datetime import date

    from qa.facts import fiscal_calendar

    cal = fiscal_calendar(d)
    assert cal.fiscal_year(date(2023, 12, 30)) == 2024
    assert cal.quarter_of(date(2023, 12, 30)) == 1
    assert d.release_date == "2024-02-01"
    # XBRL schemas, linkbases, graphics, the Excel and ZIP parts all come after it and are not read.
    for tag in ("<TYPE>EX-101.SCH", "<TYPE>GRAPHIC", "<TYPE>EXCEL", "<TYPE>ZIP", "<TYPE>JSON"):
        at = d.text.find(tag)
        assert at > 0, tag
        assert at >= d.end, f"{tag} inside the release body"
    assert "<xs:schema" not in d.body
    assert "begin 644" not in d.body


def test_standalone_html_exhibit(corpus_file):
    path = corpus_file("pnc_2022q1_ex991.htm")
    docs = read_file(path)
    assert len(docs) == 1
    d = docs[0]
    _check_document_basics(d, path)
    assert d.format == "html"
    assert d.is_html
    assert d.exhibit == "EX-99.1"
    assert d.company == "The PNC Financial Services Group, Inc."
    assert d.ticker == "PNC"
    assert "first quarter 2022" in d.title.lower()


@pytest.mark.parametrize(
    ("name", "date"),
    [("pnc_2022q1_ex991.htm", "2022-04-14"), ("goldmansachs_2021q4_ex991.htm", "2022-01-18")],
)
def test_release_date_from_a_city_date_dash_dateline(corpus_file, name, date):
    assert read_file(corpus_file(name))[0].release_date == date


def test_fiscal_year_end_from_the_sec_header(corpus_file):
    path = corpus_file("psem_fy2004q1_8k-fullsubmission.txt")
    assert "FISCAL YEAR END:\t\t\t0630" in path.read_text(encoding="utf-8", errors="replace")
    docs = read_file(path)
    assert [d.exhibit for d in docs] == ["EX-99.1"]
    d = docs[0]
    assert d.fiscal_year_end == "06-30"
    assert d.company == "Pericom Semiconductor Corporation"
    assert d.ticker == "PSEM"
    assert d.format == "edgar-submission"


def test_every_shared_corpus_file_reads_or_is_cleanly_rejected(shared_corpus):
    for path in sorted(shared_corpus.iterdir()):
        if path.suffix == ".tsv":
            continue
        try:
            docs = read_file(path)
        except InputRejected as e:
            assert str(e), path
            continue
        assert docs, path
        for d in docs:
            _check_document_basics(d, path)


# --- encodings and plain text -----------------------------------------------------------------

RELEASE = (
    "Acme Widgets, Inc. (NASDAQ: ACME) today announced results for the first quarter ended "
    "March 31, 2004. Revenue was $12.5 million.\n"
)


def test_cp1252_fallback(tmp_path):
    raw = ("ACME\x92S FIRST QUARTER \x96 " + RELEASE).encode("latin-1")
    assert b"\x92" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    p = tmp_path / "acme_cp1252.txt"
    p.write_bytes(raw)
    d = read_file(p)[0]
    assert "ACME\u2019S FIRST QUARTER \u2013" in d.text
    assert d.text == raw.decode("cp1252")
    assert len(d.text) == len(raw)  # one character a byte: spans are file offsets
    assert d.format == "text"
    assert d.ticker == "ACME"


def test_utf8_with_non_ascii_is_read_as_utf8(tmp_path):
    p = tmp_path / "acme_utf8.txt"
    p.write_text("Acme\u2019s results \u2014 " + RELEASE, encoding="utf-8")
    d = read_file(p)[0]
    assert d.text.startswith("Acme\u2019s results \u2014")


# --- rejections -------------------------------------------------------------------------------

REJECTS = [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\n\t \n", "empty"),
    ("release.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "PDF"),
    ("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "PNG"),
    ("release.txt.gz", gzip.compress(RELEASE.encode()), "gzip"),
    ("nul.txt", b"Revenue was $12.5 million\x00\x00\x00 in the quarter.\n", "NUL"),
    ("undecodable.txt", b"Revenue \x81\x8d\x8f\x90\x9d was up.\n", "undecodable"),
]


@pytest.mark.parametrize(("name", "raw", "why"), REJECTS, ids=[r[0] for r in REJECTS])
def test_rejections_raise_input_rejected_with_a_clear_message(tmp_path, name, raw, why):
    p = tmp_path / name
    p.write_bytes(raw)
    with pytest.raises(InputRejected) as ei:
        read_file(p)
    msg = str(ei.value)
    assert why.lower() in msg.lower(), msg
    assert "\n" not in msg and len(msg) < 200
    assert isinstance(ei.value, ExhibitError)
    assert ei.value.exit_code == 2


def test_rejections_without_a_file(tmp_path):
    with pytest.raises(InputRejected, match="directory"):
        read_file(tmp_path)
    with pytest.raises(InputRejected, match="cannot read"):
        read_file(tmp_path / "missing.txt")
    with pytest.raises(InputRejected):
        read_bytes(b"", str(tmp_path / "x.txt"))
