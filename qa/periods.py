"""The one period parser: dates, column headers, prose and questions to Periods.

A quarter is the company's fiscal quarter. Fiscal years are named by the
calendar year they end in (Apple's fiscal 2024 first quarter ended December 30,
2023). 52/53-week periods end near, not on, a month end: matching tolerates a
week either way.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta

from index.text import fold_case, lazy_re

MONTHS = {
    m.lower(): i
    for i, m in enumerate(
        [
            "",
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ]
    )
    if m
}
MONTH_ABBR = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
DATE_RE = lazy_re(rf"\b({MONTH_RE})\s*(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*((?:19|20)\d\d)\b", re.I)
MONTH_YEAR_RE = lazy_re(rf"\b({MONTH_RE})\s*,?\s*((?:19|20)\d\d)\b", re.I)
NUM_DATE_RE = lazy_re(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)?\d\d)\b")
ISO_RE = lazy_re(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")
YEAR_RE = lazy_re(r"(?<![\d,.$])((?:19|20)\d\d)(?![\d,])")
WORD_NUM = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "six": 6,
    "nine": 9,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "twenty-six": 26,
    "thirty-nine": 39,
    "fifty-two": 52,
    "fifty-three": 53,
}
ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}


@dataclass(frozen=True)
class Period:
    """A span of time a figure is for: `start` None for instants (balance sheet dates)."""

    start: str | None
    end: str
    kind: str  # "duration" | "instant"
    label: str

    @property
    def months(self) -> int | None:
        """Length in whole months (52/53-week periods rounded), None for instants."""
        if not self.start:
            return None
        s, e = date.fromisoformat(self.start), date.fromisoformat(self.end)
        return round(((e - s).days + 1) / 30.44)


@dataclass(frozen=True)
class FiscalCalendar:
    """A company's fiscal year end (month, day); 12-31 unless the release says otherwise."""

    month: int = 12
    day: int = 31
    # Retailers whose year ends in January name it for the year it began in ("fiscal 2024" ended
    # February 1, 2025); others for the year it ends in (Walmart's "fiscal 2025" ended January 31, 2025).
    named_by_start: bool = False

    @classmethod
    def parse(cls, code: str | None) -> FiscalCalendar:
        """The calendar a store keeps as "MM-DD" ("MM-DDs" when named by the year it starts in)."""
        if not code:
            return cls()
        start = code.endswith("s")
        mm, dd = (int(x) for x in code.rstrip("s").split("-"))
        return cls(mm, dd, start)

    @property
    def code(self) -> str:
        """The calendar as the store keeps it (see `parse`)."""
        return f"{self.month:02d}-{self.day:02d}" + ("s" if self.named_by_start else "")

    @property
    def is_calendar(self) -> bool:
        """True for fiscal years that are calendar years."""
        return self.month == 12

    def quarter_end(self, fy: int, q: int) -> date:
        """Nominal end (a month end) of fiscal quarter q of fiscal year fy."""
        m = self.month - 3 * (4 - q)
        y = fy + self.named_by_start
        while m <= 0:
            m += 12
            y -= 1
        return month_end(y, m)

    def year_end(self, fy: int) -> date:
        """Nominal end of fiscal year fy."""
        return month_end(fy + self.named_by_start, self.month)

    def fiscal_year(self, end: date) -> int:
        """The fiscal year a period ending on `end` falls in."""
        n = nominal(end)
        return (n.year if n.month <= self.month else n.year + 1) - self.named_by_start

    def quarter_of(self, end: date) -> int:
        """Fiscal quarter (1-4) that ends on `end`."""
        n = nominal(end)
        return ((n.month - self.month - 1) % 12) // 3 + 1


def month_end(y: int, m: int) -> date:
    """The last day of month m of year y."""
    return date(y, m, calendar.monthrange(y, m)[1])


def nominal(d: date) -> date:
    """The month end a 52/53-week period date stands for (Jul 1 → Jun 30; Dec 30 → Dec 31)."""
    if d.day <= 7:
        first = d.replace(day=1) - timedelta(days=1)
        return first
    return month_end(d.year, d.month)


def add_months(d: date, months: int) -> date:
    """d moved by whole months, clamped to the month's length."""
    m = d.month - 1 + months
    y = d.year + m // 12
    m = m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def start_for(end: date, months: int) -> date:
    """First day of a period of `months` ending on `end` (month-end aligned, else by weeks)."""
    n = nominal(end)
    if n == end:
        m = end.month - months  # months before the end month, 0-based from January
        return date(end.year + m // 12, m % 12 + 1, 1)
    weeks = {3: 13, 6: 26, 9: 39, 12: 52}.get(months, round(months * 52 / 12))
    return end - timedelta(weeks=weeks) + timedelta(days=1)


def parse_date(text: str) -> date | None:
    """The first full date in text: 'March 31, 2004', 'Sep 30, 2003', '3/31/2004', '2004-03-31'."""
    m = DATE_RE.search(text)
    if m:
        mon = _month(m.group(1))
        try:
            return date(int(m.group(3)), mon, int(m.group(2)))
        except ValueError:
            return None
    m = ISO_RE.search(text)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    m = NUM_DATE_RE.search(text)
    if m:
        y = int(m.group(3))
        y = y + 2000 if y < 50 else (y + 1900 if y < 100 else y)
        try:
            return date(y, int(m.group(1)), int(m.group(2)))
        except ValueError:
            return None
    return None


def _month(s: str) -> int:
    s = s.lower().rstrip(".")
    return MONTHS.get(s) or MONTH_ABBR[s[:4] if s.startswith("sept") else s[:3]]


def months_stated(text: str) -> int | None:
    """Length a header or phrase states: 'Three Months Ended' → 3, '13 weeks' → 3, 'Year Ended' → 12."""
    t = text.lower()
    m = re.search(r"\b(\d{1,2}|[a-z]+(?:-[a-z]+)?)[\s-]+(months?|weeks?|mos\.?)\b", t)
    if m:
        n = WORD_NUM.get(m.group(1)) or (int(m.group(1)) if m.group(1).isdigit() else None)
        if n:
            if m.group(2).startswith("week"):
                return {13: 3, 14: 3, 26: 6, 27: 6, 39: 9, 40: 9, 52: 12, 53: 12}.get(n)
            return n
    if re.search(r"\bquarters?\b|\bqtr\b|\b[1-4]q\b|\bq[1-4]\b", t):
        return 3
    if re.search(r"\b(year|annual|twelve|fiscal 20\d\d|fy ?\d\d)\b", t):
        return 12
    if re.search(r"\b(half|semi-?annual)\b", t):
        return 6
    return None


def label_for(start: date | None, end: date, cal: FiscalCalendar) -> str:
    """Human label: 'Q1 2004', 'Q3 FY2004', 'FY2005', '9M FY2004', 'Mar 31, 2004'."""
    if start is None:
        return f"{calendar.month_abbr[end.month]} {end.day}, {end.year}"
    months = round(((end - start).days + 1) / 30.44)
    fy = cal.fiscal_year(end)
    y = str(fy) if cal.is_calendar else f"FY{fy}"
    if months == 3:
        return f"Q{cal.quarter_of(end)} {y}"
    if months == 12:
        # Twelve months to another quarter's end are a trailing year, not a fiscal year.
        return f"FY{fy}" if cal.quarter_of(end) == 4 else f"12M ended {end.isoformat()}"
    if months in (6, 9):
        return f"{'H1' if months == 6 else '9M'} {y}"
    return f"{months}M ended {end.isoformat()}"


def make_period(end: date, months: int | None, cal: FiscalCalendar) -> Period:
    """A Period ending on `end`: an instant when months is None."""
    if not months:
        return Period(None, end.isoformat(), "instant", label_for(None, end, cal))
    start = start_for(end, months)
    return Period(start.isoformat(), end.isoformat(), "duration", label_for(start, end, cal))


TRAILING_RE = lazy_re(
    r"(?i)\btrailing[\s-]+(?:4|four|twelve|12)[\s-]+(?:quarters?|months?)|\b(?:ttm|ltm)\b|last twelve months"
)


# The span a table's title gives its columns: "Three Months Ended", "For the year", "Quarter ended" — not a
# headline's "Full Year 2020 Net Income" above it.
SPAN_TITLE_RE = lazy_re(
    r"(?i)\b(?:(?:three|six|nine|twelve|thirteen|twenty-six|thirty-nine|fifty-two|fifty-three|\d{1,2})[\s-]+"
    r"(?:months?|weeks?)|(?:quarters?|years?|fiscal years?|periods?)\s+ended|for the (?:quarter|year|"
    r"fiscal year|three|six|nine|twelve)\b[\w\s-]{0,12}|year[- ]to[- ]date|\b\d\s?months\b)"
)


ORDINAL_QUARTER_RE = lazy_re(r"(?i)\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+(?:fiscal\s+)?quarter\b")
YTD_MONTHS_RE = lazy_re(r"(?i)\b(six|nine|6|9)\s+months\b(?!\s+ended)")
MONTH_ABBR_YEAR_RE = lazy_re(
    r"(?i)^\s*(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?[\s'-]+(\d{2}|(?:19|20)\d{2})\s*$"
)


def _spelled_column(h: str, context: str, cal: FiscalCalendar, instant_hint: bool) -> Period | None:
    """Headers that spell a fiscal period out: "Fourth Quarter 2003", "Second Quarter" under "Fiscal 2004",
    "Nine Months 2004", and month-year abbreviations ("Dec-04")."""
    year = YEAR_RE.search(h)
    fy = int(year.group(1)) if year else None
    if fy is None:
        fym = re.search(r"(?i)\b(?:fiscal(?:\s+year)?|fy)\s*'?((?:19|20)\d\d)\b", context)
        fy = int(fym.group(1)) if fym else None
    m = ORDINAL_QUARTER_RE.search(h)
    if m and fy:
        qn = ORDINAL[m.group(1).lower()]
        return make_period(cal.quarter_end(fy, qn), None if instant_hint else 3, cal)
    m = YTD_MONTHS_RE.search(h)
    if m and fy:
        months = {"six": 6, "6": 6, "nine": 9, "9": 9}[m.group(1).lower()]
        return make_period(cal.quarter_end(fy, months // 3), months, cal)
    m = MONTH_ABBR_YEAR_RE.match(h)
    if m:
        y = int(m.group(2))
        y = y + 2000 if y < 50 else (y + 1900 if y < 100 else y)
        end = month_end(y, _month(m.group(1)))
        months = months_stated(" ".join(SPAN_TITLE_RE.findall(context))) if not instant_hint else None
        return make_period(end, months, cal)
    return None


def column_period(header: str, context: str, cal: FiscalCalendar, instant_hint: bool) -> Period | None:
    """Period of a table column from its header text and its table's title and caption."""
    h = " ".join(header.split())
    if (
        not h
        or re.search(r"(?i)\b(change|variance|increase|decrease|%|percent)\b", h)
        and not DATE_RE.search(h)
    ):
        return None
    end = parse_date(h)
    trailing = bool(TRAILING_RE.search(h + " " + context))
    if end is None:
        spelled = _spelled_column(h, context, cal, instant_hint)
        if spelled is not None:
            return spelled
    q = re.search(r"(?i)\b([1-4])q\s?'?(\d{2}|\d{4})\b|\bq([1-4])\s?'?(\d{2}|\d{4})\b", h)
    if end is None and q:
        # Bank-style headers: "4Q21", "Q4 2021" (fiscal quarters on the company's calendar).
        qn = int(q.group(1) or q.group(3))
        fy = _year(q.group(2) or q.group(4))
        return make_period(cal.quarter_end(fy, qn), 12 if trailing else (None if instant_hint else 3), cal)
    fy_m = re.search(r"(?i)\b(?:fy|full[\s-]+year|fiscal(?:\s+year)?|year)\s*'?((?:19|20)?\d\d)\b", h)
    if end is None and fy_m and not MONTH_YEAR_RE.search(h):
        fy = _year(fy_m.group(1))
        # "Fiscal 2021" over "Q1 ... Q4  TOTAL": the quarters of that fiscal year.
        qm = re.search(r"(?i)\bq([1-4])\b|\b(first|second|third|fourth)\s+quarter\b", h)
        if qm:
            qn = int(qm.group(1)) if qm.group(1) else ORDINAL[qm.group(2).lower()]
            # A trailing-four-quarters table's quarter column is the twelve months to that quarter's end.
            return make_period(
                cal.quarter_end(fy, qn), 12 if trailing else (None if instant_hint else 3), cal
            )
        return make_period(cal.year_end(fy), 12, cal)
    if end is None:
        m = MONTH_YEAR_RE.search(h)
        year = YEAR_RE.search(h)
        if m:
            end = month_end(int(m.group(2)), _month(m.group(1)))
        elif year:
            # "2004" under "Year Ended December 31" or "3 Months Ended December"
            # The month comes from the header or an "ended"/"as of" phrase of the title, never from a
            # dateline in the caption ("PITTSBURGH, Jan. 15, 2021 ...").
            ctx_date = (
                re.search(rf"({MONTH_RE})\s*(\d{{1,2}})?", h, re.I)
                or re.search(rf"(?:ended|ending|as of|at)\s+({MONTH_RE})\s*(\d{{1,2}})?", context, re.I)
                or re.search(rf"\b({MONTH_RE})\s*(\d{{1,2}})\b(?!\s*,?\s*(?:19|20)\d\d)", context, re.I)
            )
            y = int(year.group(1))
            if ctx_date:
                mon = _month(ctx_date.group(1))
                day = int(ctx_date.group(2)) if ctx_date.group(2) else calendar.monthrange(y, mon)[1]
                try:
                    end = date(y, mon, day)
                except ValueError:
                    end = month_end(y, mon)
            elif re.search(r"(?i)fiscal|\bfy", h + " " + context):
                end = cal.year_end(y)
            else:
                return None
        else:
            return None
    months = months_stated(h)
    if months is None and not instant_hint:
        months = months_stated(" ".join(SPAN_TITLE_RE.findall(context)))
    if months is None and re.search(r"(?i)\bas of\b|\bat\b|balance", h):
        months = None
    elif months is None and not instant_hint and not parse_date(h):
        return None  # a bare year or month with nothing to say how long
    # A full date that nothing says is the end of a span ("September 30, 2006" over a loan table) is a
    # date the figures stand at.
    return make_period(end, months, cal)


# --- prose and questions -------------------------------------------------------------------

FISCAL_YEAR_QUARTER_RE = lazy_re(
    r"(?i)\bfiscal\s+(?:year\s+)?(?P<y>(?:19|20)\d\d)\s+(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter\b"
)
MONTH_QUARTER_RE = lazy_re(
    r"(?i)\b(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December)"
    r"\s+(?:(?P<y>(?:19|20)\d\d)\s+)?quarter\b"
)
QUARTER_RE = lazy_re(
    r"(?i)\b(?:(?P<fiscal1>fiscal)\s+)?(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+(?:(?P<fiscal2>fiscal)\s+)?"
    r"quarter(?:\s+(?:of\s+)?(?:fiscal\s+(?:year\s+)?|fy\s*)?(?P<year>(?:19|20)\d\d))?"
    r"|\b(?P<q>[1-4])q\s?(?P<qy>(?:19|20)?\d\d)\b"
    r"|\bq(?P<q2>[1-4])(?:(?:\s*|-)(?:of\s+)?(?:fiscal\s+|fy\s*|')?(?P<qy2>(?:19|20)?\d\d))?\b"
)
ENDED_RE = lazy_re(
    rf"(?i)\b(?P<len>three|six|nine|twelve|3|6|9|12|13|26|39|52|53|thirteen|twenty-six|thirty-nine|fifty-two|fifty-three)[\s-]+"
    rf"(?P<unit>months?|weeks?)\s+(?:fiscal\s+)?(?:(?:period|quarter|year)\s+)?ended\s+(?P<date>{MONTH_RE}\s*\d{{1,2}},?\s*(?:(?:19|20)\d\d)?|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})"
    rf"|\b(?:quarter|year|fiscal year)\s+ended\s+(?P<date2>{MONTH_RE}\s*\d{{1,2}},?\s*(?:(?:19|20)\d\d)?|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})"
)
YEAR_PHRASE_RE = lazy_re(
    r"(?i)\b(?:full[\s-]+(?:fiscal\s+)?year(?:\s+(?:of\s+)?fiscal)?|fiscal(?:\s+year)?|year|fy|calendar(?:\s+year)?)"
    r"\s*'?(?P<y>(?:19|20)?\d\d)\b"
    r"(?![\s-]*(?:weeks?|months?|days?)\b)"  # "the prior year 13-week quarter" names no year 2013
    r"|\b(?P<y2>(?:19|20)\d\d)\s+(?:full[\s-]+year|fiscal\s+year|annual)\b"
    r"|\bfy(?P<y3>\d{2,4})\b"
)
HALF_RE = lazy_re(
    r"(?i)\b(?:(?P<ord>first|second)\s+half|h(?P<h>[12])|(?P<hn>[12])h(?=\s?'?\d{2}))"
    r"(?:\s*(?:of\s+)?(?:fiscal\s+)?'?(?P<y>(?:19|20)?\d\d))?\b"
)
# "year to date", "YTD": the fiscal year's span to its latest quarter; "for the year": the fiscal year
YTD_RE = lazy_re(r"(?i)\b(?:year[- ]to[- ]date|ytd)\b")
THE_YEAR_RE = lazy_re(
    r"(?i)\b(?:for|in|during)\s+the\s+(?:full\s+|fiscal\s+|whole\s+)?year\b(?!\s+(?:ended|ending|ago|earlier))"
    # "FISCAL YEAR REVENUES INCREASE 36%": the year, its number unsaid
    r"|\b(?:fiscal|full)[\s-]+year\b(?![\s-]*(?:'?\d|ended|ending|end\b|to\b|(?:of\s+)?fiscal\s+'?\d))"
)
NINE_RE = lazy_re(
    r"(?i)\b(?:nine|first nine|9)[\s-]+months?(?:\s+(?:of\s+)?(?:fiscal\s+)?(?P<y>(?:19|20)\d\d))?"
)
# "26 weeks 2004", "the 39 weeks of fiscal 2024": a 52/53-week calendar's spans
WEEKS_RE = lazy_re(
    r"(?i)\b(?P<n>13|26|39|52|53|thirteen|twenty-six|thirty-nine|fifty-two|fifty-three)[\s-]+weeks?"
    r"(?:\s+(?:of\s+)?(?:fiscal\s+)?(?P<y>(?:19|20)\d\d))?"
)
WEEK_MONTHS = {
    "13": 3,
    "26": 6,
    "39": 9,
    "52": 12,
    "53": 12,
    "thirteen": 3,
    "twenty-six": 6,
    "thirty-nine": 9,
}
WEEK_MONTHS |= {"fifty-two": 12, "fifty-three": 12}
# "9M06", "6M 2006": analysts' shorthand for the year-to-date spans
SPAN_SHORT_RE = lazy_re(r"(?i)(?<![$\d.,])\b(?P<n>6|9|12)m\s?'?(?P<y>(?:19|20)?\d\d)\b")
SIX_RE = lazy_re(r"(?i)\b(?:six|6)[\s-]+months?(?:\s+(?:of\s+)?(?:fiscal\s+)?(?P<y>(?:19|20)\d\d))?")


@dataclass(frozen=True)
class PeriodQuery:
    """What a question or phrase asks for: a fiscal quarter/year, a span, or an instant."""

    months: int | None  # 3, 6, 9, 12; None for an instant
    fiscal_year: int | None = None  # None: the latest such period in the store
    quarter: int | None = None
    end: str | None = None  # a stated end date (instants, "three months ended ...")
    instant: bool = False
    span: tuple[int, int] = (0, 0)  # where in the text it was said
    relative: str = ""  # "prev_quarter" | "prev_year": relative to the period being discussed
    month: int | None = None  # "the December quarter": the quarter ending in this month
    calendar_year: int | None = None

    def resolve(self, cal: FiscalCalendar) -> tuple[date, int | None] | None:
        """(nominal end, months) on a fiscal calendar; None when the year is open."""
        if self.end:
            return date.fromisoformat(self.end), self.months
        if self.month and self.calendar_year:
            return month_end(self.calendar_year, self.month), self.months
        if self.fiscal_year is None:
            return None
        if self.quarter:
            return cal.quarter_end(self.fiscal_year, self.quarter), self.months
        if self.months == 12:
            return cal.year_end(self.fiscal_year), 12
        if self.months in (6, 9):
            return cal.quarter_end(self.fiscal_year, self.months // 3), self.months
        return None


def _year(s: str | None) -> int | None:
    if not s:
        return None
    y = int(s)
    return y + 2000 if y < 50 else (y + 1900 if y < 100 else y)


def find_periods(text: str) -> list[PeriodQuery]:
    """Period phrases in a sentence or question, in order of appearance."""
    found: list[PeriodQuery] = []
    # The spans taken so far, disjoint and in order: the one that starts last before a new span
    # ends is the only one that can overlap it (a scan of all of them made long texts quadratic).
    starts: list[int] = []
    ends: list[int] = []

    def add(pq: PeriodQuery) -> None:
        a, b = pq.span
        i = bisect_left(starts, b)
        if i and ends[i - 1] > a:
            return
        starts.insert(i, a)
        ends.insert(i, b)
        found.append(pq)

    low = fold_case(text)
    digit = DIGIT_RE.search(text) is not None
    # Each pattern only where its guard (PERIOD_GUARDS: words it cannot match without) holds.
    for m in _finditer(FISCAL_YEAR_QUARTER_RE, text, low, digit):
        add(
            PeriodQuery(
                3, fiscal_year=int(m.group("y")), quarter=ORDINAL[m.group("ord").lower()], span=m.span()
            )
        )
    for m in _finditer(ENDED_RE, text, low, digit):
        ds = m.group("date") or m.group("date2")
        d = parse_date(ds)
        months = (
            months_stated(m.group(0)) if m.group("len") else (3 if "quarter" in m.group(0).lower() else 12)
        )
        if d:
            add(PeriodQuery(months, end=d.isoformat(), span=m.span()))
        else:
            mm = re.match(rf"({MONTH_RE})\s*(\d{{1,2}})", ds, re.I)
            if mm:
                add(
                    PeriodQuery(
                        months, end=None, span=m.span(), quarter=None, fiscal_year=None, instant=False
                    )
                )
    for m in _finditer(QUARTER_RE, text, low, digit):
        if m.group("ord"):
            q = ORDINAL[m.group("ord").lower()]
            y = _year(m.group("year"))
        elif m.group("q"):
            q, y = int(m.group("q")), _year(m.group("qy"))
        else:
            q, y = int(m.group("q2")), _year(m.group("qy2"))
        if y is None:
            # "first quarter ... 2004" / "Q1 ... fiscal 2004": a year right after counts
            after = re.match(
                r"(?i)\s*(?:of\s+|,\s*|in\s+)?(?:fiscal\s+(?:year\s+)?|fy\s*)?((?:19|20)\d\d)\b",
                text[m.end() :],
            )
            if after:
                y = int(after.group(1))
                add(PeriodQuery(3, fiscal_year=y, quarter=q, span=(m.start(), m.end() + after.end())))
                continue
        add(PeriodQuery(3, fiscal_year=y, quarter=q, span=m.span()))
    for m in _finditer(MONTH_QUARTER_RE, text, low, digit):
        # "the December quarter", "the September 2003 quarter": the fiscal quarter ending that month.
        y = int(m.group("y")) if m.group("y") else None
        add(
            PeriodQuery(
                3,
                end=None,
                span=m.span(),
                month=_month(m.group("mon")),
                fiscal_year=None,
                quarter=None,
                calendar_year=y,
            )
        )
    for m in _finditer(MONTH_YEAR_RE, text, low, digit):
        # "January 2022", "September 2008": a month (a dividend declared, a balance at its end).
        add(
            PeriodQuery(
                None, span=m.span(), month=_month(m.group(1)), calendar_year=int(m.group(2)), instant=False
            )
        )
    for m in _finditer(HALF_RE, text, low, digit):
        h = 1 if (m.group("ord") or "").lower() == "first" or "1" in (m.group("h"), m.group("hn")) else 2
        # the second half ends with the fiscal year (its fourth quarter)
        add(PeriodQuery(6, fiscal_year=_year(m.group("y")), quarter=None if h == 1 else 4, span=m.span()))
    for m in _finditer(YTD_RE, text, low, digit):
        after = re.match(r"\s*(?:of\s+)?(?:fiscal\s+)?((?:19|20)\d\d)\b", text[m.end() :])
        span = (m.start(), m.end() + (after.end() if after else 0))
        add(PeriodQuery(None, fiscal_year=int(after.group(1)) if after else None, span=span, relative="ytd"))
    for m in _finditer(THE_YEAR_RE, text, low, digit):
        add(PeriodQuery(12, span=m.span()))
    for m in _finditer(WEEKS_RE, text, low, digit):
        add(PeriodQuery(WEEK_MONTHS[m.group("n").lower()], fiscal_year=_year(m.group("y")), span=m.span()))
    for m in _finditer(SPAN_SHORT_RE, text, low, digit):
        add(PeriodQuery(int(m.group("n")), fiscal_year=_year(m.group("y")), span=m.span()))
    for m in _finditer(NINE_RE, text, low, digit):
        add(PeriodQuery(9, fiscal_year=_year(m.group("y")), span=m.span()))
    for m in _finditer(SIX_RE, text, low, digit):
        add(PeriodQuery(6, fiscal_year=_year(m.group("y")), span=m.span()))
    for m in [*_finditer(DATE_RE, text, low, digit), *_finditer(NUM_DATE_RE, text, low, digit)]:
        d = parse_date(m.group(0))
        if d:
            add(PeriodQuery(None, end=d.isoformat(), instant=True, span=m.span()))
    for m in _finditer(YEAR_PHRASE_RE, text, low, digit):
        y = _year(m.group("y") or m.group("y2") or m.group("y3"))
        if y and 1990 <= y <= 2099:
            add(PeriodQuery(12, fiscal_year=y, span=m.span()))
    for m in _finditer(BARE_YEAR_RE, text, low, digit):
        # A bare year names a (fiscal) year when nothing more specific claimed it.
        add(PeriodQuery(12, fiscal_year=int(m.group(1)), span=m.span()))
    for m in _finditer(RELATIVE_RE, text, low, digit):
        rel = "prev_quarter" if m.group("q") else "prev_year"
        add(PeriodQuery(3, span=m.span(), relative=rel))
    found.sort(key=lambda p: p.span[0])
    return found


RELATIVE_RE = lazy_re(
    r"(?i)\b(?P<q>(?:the\s+)?(?:previous|prior|preceding|sequential|last|linked)\s+quarter)\b"
    r"|\b(?P<y>(?:the\s+)?(?:comparable|same|corresponding|year[- ]ago|prior[- ]year)\s+(?:period|quarter)"
    r"(?:\s+(?:of\s+)?(?:last|the\s+prior|the\s+previous|a)\s+year(?:\s+ago)?)?|(?:a|one)\s+year\s+ago"
    r"|(?:last|(?:the\s+)?prior|(?:the\s+)?previous)\s+year(?:'s)?(?!\s+(?:period|quarter|end|fiscal|\d))(?=\W|$))"
)

BARE_YEAR_RE = lazy_re(r"(?<![\d,.$/-])((?:19|20)\d\d)(?!\d|[.,]\d|\s?%)")
DIGIT_RE = lazy_re(r"\d")

# What each period pattern cannot match without: one of these words in the text (case folded as
# the patterns fold it), and a digit where it says True. A necessary condition only, so skipping a
# pattern whose guard fails finds the same periods; a question or a sentence of words then compiles
# and scans a few patterns instead of sixteen (tests check each guard against its pattern).
PERIOD_GUARDS = {
    FISCAL_YEAR_QUARTER_RE: (("fiscal",), True),
    ENDED_RE: (("ended",), False),
    QUARTER_RE: (("q",), False),
    MONTH_QUARTER_RE: (("quarter",), False),
    MONTH_YEAR_RE: ((), True),
    HALF_RE: (("half", "h1", "h2", "1h", "2h"), False),
    YTD_RE: (("ytd", "date"), False),
    THE_YEAR_RE: (("year",), False),
    WEEKS_RE: (("week",), False),
    SPAN_SHORT_RE: (("m",), True),
    NINE_RE: (("month",), False),
    SIX_RE: (("month",), False),
    DATE_RE: ((), True),
    NUM_DATE_RE: (("/",), True),
    YEAR_PHRASE_RE: ((), True),
    BARE_YEAR_RE: ((), True),
    RELATIVE_RE: (("quarter", "period", "year"), False),
}


def _finditer(pattern, text: str, low: str, digit: bool):
    words, needs_digit = PERIOD_GUARDS[pattern]
    if (needs_digit and not digit) or (words and not any(w in low for w in words)):
        return ()
    return pattern.finditer(text)


def shift(p: Period, relative: str, cal: FiscalCalendar) -> Period | None:
    """The period a relative phrase names from `p`: the quarter before, or the same span a year earlier."""
    if p.kind != "duration" or not p.start:
        return None
    end = date.fromisoformat(p.end)
    months = p.months or 3
    if relative == "ytd":
        # the fiscal year to the end of `p`
        return make_period(end, 3 * cal.quarter_of(end), cal)
    if relative == "prev_quarter":
        if months != 3:
            return None
        new_end = nominal(date.fromisoformat(p.start) - timedelta(days=1))
    else:
        n = nominal(end)
        new_end = month_end(n.year - 1, n.month)
    return make_period(new_end, months, cal)
