"""Files in, Documents out: format detection and the EDGAR, HTML and plain-text readers.

A file may hold several releases (an EDGAR submission with EX-99.1 and EX-99.2);
each becomes a Document that shares the file's decoded text and knows its own
part of it (`body_start`, `body_end`), so every span stays an offset into the file.
"""

from __future__ import annotations

import hashlib
import re
import stat
from pathlib import Path

from .errors import InputRejected
from .model import Document

MAX_BYTES = 64 * 1024 * 1024  # larger files are not press releases
CONTROL_BYTES = bytes([*range(9), *range(14, 32)])  # control characters other than tab and line ends
BINARY_MAGIC = (
    (b"%PDF", "a PDF file"),
    (b"\x89PNG", "a PNG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"PK\x03\x04", "a zip archive"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x7fELF", "an executable"),
)

# A <DOCUMENT> runs to its </DOCUMENT> (or the end), its <TEXT> to </TEXT> (or the document's end).
DOC_OPEN_RE = re.compile(r"<DOCUMENT>", re.I)
DOC_CLOSE_RE = re.compile(r"</DOCUMENT>", re.I)
TEXT_OPEN_RE = re.compile(r"<TEXT>", re.I)
TEXT_CLOSE_RE = re.compile(r"</TEXT>", re.I)
TAG_LINE_RE = re.compile(r"^<(TYPE|SEQUENCE|FILENAME|DESCRIPTION)>[ \t]*(.*)$", re.M | re.I)
HEADER_FIELD_RE = re.compile(r"^\s*([A-Z][A-Z ]+?):[ \t]*(\S.*?)\s*$", re.M)
HTML_RE = re.compile(r"<(html|body|div|table|p|font)\b", re.I)
EDGAR_TABLE_RE = re.compile(r"^\s*<(TABLE|CAPTION|S|C|PAGE)>", re.M | re.I)

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
MONTH_ABBR = r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
DATE_RE = re.compile(
    rf"\b((?:{MONTHS}|(?:{MONTH_ABBR})\.?)\s+\d{{1,2}},?\s+(?:19|20)\d\d)\b",
)
TICKER_RE = re.compile(
    r"\((?:NYSE|NASDAQ|Nasdaq|NasdaqGS|Nasdaq ?NM|AMEX|OTCBB|OTC|TSX|NYSE American|NYSE Arca)"
    r"(?:\s*(?:Global Select Market|National Market|Stock Market))?\s*:\s*([A-Z][A-Z.]{0,6})\)"
)
COMPANY_SUFFIX = (
    r"(?:Corporation|Corp\.?|Incorporated|Inc\.?|Company|Co\.|Ltd\.?|Limited|Group,? Inc\.?|"
    r"Holdings?,? Inc\.?|Holding Corporation|Bancorp|Financial Corp\.?|plc|L\.?P\.?|N\.A\.)"
)
# A name of one to seven words ending in a company suffix that is a word of its own ("Corp" in
# "Corporate-owned" is not one).
COMPANY_RE = re.compile(
    rf"\b((?:(?:[A-Z][\w&.'-]*|&)\s+){{0,5}}?(?:[A-Z][\w&.'-]*,?\s+|&\s+){COMPANY_SUFFIX})(?![\w-])"
)
# One to four capitalised words (a mark such as ® after them) ending where a ticker's parenthesis opens.
BARE_NAME_RE = re.compile(r"(?<![\w&.'-])((?:[A-Z][\w&.'-]*\s+){0,3}[A-Z][\w&.'-]*)[\u00ae\u2122]?\s*$")
DATELINE_RE = re.compile(
    # "ROCHESTER, NY - May 6, 2004 -" and "PITTSBURGH, April 14, 2022 – The ..." (date before or after a dash)
    rf"^\s*[A-Z][A-Za-z .'-]+,(?:\s*[A-Za-z .]+)?\s*(?:[-\u2013\u2014\u0096/]+|\(\w+\))\s*{DATE_RE.pattern}"
    rf"|\b[A-Z][A-Z .'-]{{2,}},\s*(?:[A-Z][A-Za-z.]*\.?,?\s+)?{DATE_RE.pattern}\s*[-\u2013\u2014\u0096/(]",
    re.M,
)
FYE_TEXT_RE = re.compile(
    rf"fiscal\s+year\s+(?:that\s+)?(?:ends|ending|ended|end)\s+(?:on\s+)?({MONTHS})\s+(\d{{1,2}})",
    re.I,
)
TRANSCRIPT_RE = re.compile(r"\btranscript\b|^\s*operator\s*:", re.I | re.M)
RELEASE_WORDS_RE = re.compile(
    r"\b(announce[sd]?|reports?|reported|results|net income|net loss|revenues?|earnings|quarter)\b", re.I
)


def decode(raw: bytes) -> str:
    """Decode a release: UTF-8, falling back to cp1252 (EDGAR's usual), else reject."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as e:
        raise InputRejected(f"undecodable bytes at offset {e.start} (neither UTF-8 nor cp1252)") from None


def check_bytes(raw: bytes) -> None:
    """Reject what cannot be a release before decoding it."""
    if not raw.strip():
        raise InputRejected("empty file")
    if len(raw) > MAX_BYTES:
        raise InputRejected(f"file too large ({len(raw) // (1024 * 1024)} MiB; the limit is 64 MiB)")
    for magic, what in BINARY_MAGIC:
        if raw.startswith(magic):
            raise InputRejected(f"binary file ({what}), not a release")
    head = raw[:65536]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputRejected("UTF-16 text; save it as UTF-8 (or cp1252) to ingest it")
    if b"\x00" in head:
        raise InputRejected("binary file (NUL bytes), not a release")
    controls = len(head) - len(head.translate(None, CONTROL_BYTES))
    if controls > len(head) * 0.01:
        raise InputRejected("binary file (control bytes), not a release")


def read_file(path: str | Path) -> list[Document]:
    """Read one file into the releases it holds; raise InputRejected with a reason."""
    import os

    p = Path(path)
    return read_bytes(read_raw(p), os.path.realpath(p))


def read_raw(f: Path) -> bytes:
    """A file's bytes, refusing what is not a regular file or is too large before reading it."""
    try:
        st = f.stat()
        if stat.S_ISDIR(st.st_mode):
            raise InputRejected("is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise InputRejected(f"not a regular file ({_file_kind(st.st_mode)})")
        if st.st_size > MAX_BYTES:
            raise InputRejected(_too_large(st.st_size))
        with open(f, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except PermissionError:
        raise InputRejected("permission denied") from None
    except IsADirectoryError:
        raise InputRejected("is a directory") from None
    except OSError as e:
        if e.errno == 40:  # ELOOP
            raise InputRejected("symbolic link loop") from None
        raise InputRejected(f"cannot read ({e.strerror or e})") from None
    if len(raw) > MAX_BYTES:  # it grew while we read it
        raise InputRejected(_too_large(len(raw)))
    return raw


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _too_large(n: int) -> str:
    return f"file too large ({n / 2**20:.0f} MiB; the limit is {MAX_BYTES // 2**20} MiB)"


def read_bytes(raw: bytes, path: str) -> list[Document]:
    """Documents of a file's bytes; `path` is recorded for citations."""
    check_bytes(raw)
    text = decode(raw)
    sha = hashlib.sha256(raw).hexdigest()
    if "<SEC-DOCUMENT>" in text[:5000] or ("<DOCUMENT>" in text and "<TYPE>" in text):
        docs = read_submission(text, path, sha)
    else:
        docs = [make_document(text, path, sha, 0, len(text), detect_format(text), "", {})]
    if not docs:
        raise InputRejected("no press release found in the file")
    return docs


def detect_format(text: str) -> str:
    """`html`, `edgar-text` (EDGAR tags such as <TABLE>/<S>/<C>) or `text`."""
    head = text[:200000]
    if HTML_RE.search(head) and head.count("<") > 20 and re.search(r"</(div|p|td|tr|font)>", head, re.I):
        return "html"
    if EDGAR_TABLE_RE.search(head):
        return "edgar-text"
    return "text"


def header_fields(text: str) -> dict[str, list[str]]:
    """Fields of an SEC header (`COMPANY CONFORMED NAME`, `FISCAL YEAR END`, ...)."""
    end = text.find("</SEC-HEADER>")
    if end < 0:
        end = text.find("<DOCUMENT>")
    head = text[: end if end > 0 else 0]
    fields: dict[str, list[str]] = {}
    for m in HEADER_FIELD_RE.finditer(head):
        fields.setdefault(m.group(1).strip(), []).append(m.group(2).strip())
    return fields


def read_submission(text: str, path: str, sha: str) -> list[Document]:
    """Each EX-99 exhibit that is a release becomes a Document; else a release in the 8-K body."""
    fields = header_fields(text)
    parts = []
    for b, e in _spans(text, DOC_OPEN_RE, DOC_CLOSE_RE, 0, len(text)):
        tags = {k.upper(): v.strip() for k, v in TAG_LINE_RE.findall(text[b:e])}
        body = next(_spans(text, TEXT_OPEN_RE, TEXT_CLOSE_RE, b, e), None)
        if body is None:
            continue
        parts.append((tags.get("TYPE", "").upper(), tags.get("DESCRIPTION", ""), *body))
    docs = []
    for typ, desc, start, end in parts:
        if not typ.startswith("EX-99"):
            continue
        body = text[start:end]
        if _is_uuencoded(body) or TRANSCRIPT_RE.search(desc) or TRANSCRIPT_RE.search(body[:3000]):
            continue  # call transcripts are not releases
        fmt = "html" if detect_format(body) == "html" else "edgar-submission"
        docs.append(make_document(text, path, sha, start, end, fmt, typ, fields))
    if docs:
        # Supplementary exhibits (tables only) rarely name the company well: use the main release's.
        from dataclasses import replace

        main = next((d for d in docs if d.ticker), docs[0])
        docs = [replace(d, company=main.company, ticker=d.ticker or main.ticker) for d in docs]
    if not docs:
        # Some filers (Horizon Financial) write the release in the 8-K body itself.
        for typ, _desc, start, end in parts:
            body = text[start:end]
            if typ.startswith("8-K") and _looks_like_release(body):
                fmt = "html" if detect_format(body) == "html" else "edgar-submission"
                docs.append(make_document(text, path, sha, start, end, fmt, typ, fields))
    return docs


def _spans(text: str, opening: re.Pattern, closing: re.Pattern, lo: int, hi: int):
    """(start, end) of what each `opening` tag in text[lo:hi] holds: up to its `closing` tag, else `hi`.

    What `<TAG>(.*?)(?:</TAG>|\\Z)` finds, without trying the closing tag at every character."""
    pos = lo
    while (m := opening.search(text, pos, hi)) is not None:
        c = closing.search(text, m.end(), hi)
        yield m.end(), c.start() if c else hi
        if c is None:
            return
        pos = c.end()


def _is_uuencoded(body: str) -> bool:
    return bool(re.match(r"\s*begin \d{3} ", body[:200]))


def _looks_like_release(body: str) -> bool:
    words = len(RELEASE_WORDS_RE.findall(body[:20000]))
    figures = len(re.findall(r"\d{1,3}(?:,\d{3})+", body))
    return words >= 5 and figures >= 10


def make_document(
    text: str, path: str, sha: str, start: int, end: int, fmt: str, exhibit: str, fields: dict
) -> Document:
    """Build a Document for text[start:end] with its metadata."""
    body = text[start:end]
    plain = _plain(body) if fmt == "html" else body
    name = Path(path).stem
    suffix = ("-" + exhibit.lower().replace(".", "")) if exhibit and not exhibit.startswith("8-K") else ""
    doc_id = f"{_slug(name)}{suffix}-{sha[:10]}"
    company, ticker = find_company(plain, fields)
    fye = fields.get("FISCAL YEAR END", [None])[0]
    fiscal_year_end = (
        _nominal_fye(int(fye[:2]), int(fye[2:])) if fye and re.fullmatch(r"\d{4}", fye) else None
    )
    m = FYE_TEXT_RE.search(plain)
    if m:
        md = _month_day(m.group(1), m.group(2))
        fiscal_year_end = _nominal_fye(int(md[:2]), int(md[3:]))
    return Document(
        doc_id=doc_id,
        path=path,
        sha256=sha,
        format=fmt,
        company=company,
        title=find_title(plain),
        release_date=find_release_date(plain, fields),
        fiscal_year_end=fiscal_year_end,
        text=text,
        body_start=start,
        body_end=end,
        is_html=fmt == "html",
        exhibit=exhibit,
        ticker=ticker,
    )


def _slug(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")[:48] or "release"


def _nominal_fye(month: int, day: int) -> str:
    """52/53-week years end near a month end: 'July 1' stands for June 30, 'September 28' for September."""
    import calendar

    if day <= 7:
        month = 12 if month == 1 else month - 1
    last = calendar.monthrange(2001, month)[1]
    return f"{month:02d}-{last:02d}"


def _month_day(month: str, day: str) -> str:
    months = MONTHS.split("|")
    mi = next(i for i, m in enumerate(months) if m.lower() == month.lower()) + 1
    return f"{mi:02d}-{int(day):02d}"


def _plain(html_text: str) -> str:
    """Rough visible text of HTML, for metadata only (never for spans)."""
    import html

    t = re.sub(r"(?is)<(script|style|head)\b.*?</\1\s*>", " ", html_text)
    t = re.sub(r"(?i)<br\s*/?>|</(p|div|tr|h\d|li|table)>", "\n", t)
    t = re.sub(r"<[^>]+>", " ", t)
    t = html.unescape(t).replace("\u00a0", " ")
    return re.sub(r"[ \t]+", " ", t)


def find_company(plain: str, fields: dict) -> tuple[str, str]:
    """The company's name as the release prints it, and its ticker if stated."""
    head = plain[:6000]
    ticker = ""
    name = ""
    tm = TICKER_RE.search(head)
    if tm:
        ticker = tm.group(1).rstrip(".")
        before = head[max(0, tm.start() - 200) : tm.start()]
        cm = list(COMPANY_RE.finditer(before))
        if cm:
            name = _clean_company(cm[-1].group(1))
        else:
            # "NVIDIA (NASDAQ: NVDA) today reported": the capitalised words right before the ticker.
            bare = BARE_NAME_RE.search(before)
            # Only a name that opens its sentence (after a dateline's dash): "Roebuck and Co." is the
            # end of a longer name, "the Company" no name at all.
            opens = bare and not re.search(r"[a-z,]\s*$", before[: bare.start()])
            name = _clean_company(bare.group(1)) if opens else ""
    conformed = fields.get("COMPANY CONFORMED NAME", [])
    if conformed and not name:
        name = _best_conformed(conformed, plain)
    if not name:
        cm = COMPANY_RE.search(head)
        name = _clean_company(cm.group(1)) if cm else ""
    return name or "Unknown company", ticker


def _clean_company(s: str) -> str:
    s = " ".join(s.split())
    words = s.split()
    # Drop leading words that are not part of a name ("Today", "The", dateline words).
    while words and (
        words[0].lower() in {"today", "and", "of", "by", "about", "-", "--"} or words[0].endswith("-based")
    ):
        words = words[1:]
    return " ".join(words)


def _best_conformed(names: list[str], plain: str) -> str:
    """Among filers, the one the release talks about; spelled as the release spells it."""
    low = plain.lower()
    best, best_n = names[0], -1
    for n in names:
        key = n.split()[0].lower()
        count = low.count(key)
        if count > best_n:
            best, best_n = n, count
    words = [re.escape(w) for w in re.sub(r"[^\w& ]", " ", best).split()]
    if words:
        core = r"\s+".join(words[:-1] or words)
        m = re.search(rf"\b({core}(?:\s+{COMPANY_SUFFIX})?)", plain, re.I)
        if m and not m.group(1).isupper():
            return " ".join(m.group(1).split())
    return best.title()


def find_title(plain: str) -> str:
    """The release's headline: the first line that reads like one."""
    for line in plain.splitlines()[:80]:
        s = " ".join(line.split())
        if not s or s.startswith("<") or re.match(r"(?i)^(exhibit|ex-)\s*99", s):
            continue
        if re.match(
            r"(?i)^(for immediate release|news( release)?|press release|contacts?:|\[.*logo\]|page \d+)", s
        ):
            continue
        if re.search(r"(?i)\b(media|investor)\b.*contact", s) or "@" in s or re.search(r"\d{3}-\d{4}", s):
            continue
        if 12 <= len(s) <= 160 and RELEASE_WORDS_RE.search(s):
            return s
    return ""


def find_release_date(plain: str, fields: dict) -> str | None:
    """ISO date of the release: its dateline, else the filing date."""
    from datetime import datetime

    m = DATELINE_RE.search(plain[:6000])
    filed = fields.get("FILED AS OF DATE", [None])[0]
    if not m and filed and re.fullmatch(r"\d{8}", filed):
        return f"{filed[:4]}-{filed[4:6]}-{filed[6:]}"
    m = m or DATE_RE.search(plain[:1500])
    if m:
        s = re.sub(r"\s+", " ", next(g for g in m.groups() if g).replace(".", "").replace(",", ""))
        for fmt in ("%B %d %Y", "%b %d %Y"):
            try:
                return datetime.strptime(s.replace("Sept ", "Sep "), fmt).date().isoformat()
            except ValueError:
                continue
    return None
