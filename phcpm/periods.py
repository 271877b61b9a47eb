"""Reading and writing reporting periods: DHIS2 period codes and common human forms.

Source of the grammar: DHIS2 Web API documentation, "Date and period format"
(University of Oslo, HISP Centre; DHIS2 2.40 and later), and for the exact week
and financial-year rules the DHIS2 core period types (``WeeklyAbstractPeriodType``,
``BiWeeklyAbstractPeriodType``, ``FinancialNovemberPeriodType``).

Every period becomes a :class:`pandas.Period`, so periods sort, compare and
shift with ordinary pandas tools. The mapping (our convention, chosen to keep
one type everywhere) is:

=====================  ==============  ==========================================
DHIS2 type             Example         pandas Period
=====================  ==============  ==========================================
Daily                  ``20040315``    ``freq='D'``
Weekly (Monday start)  ``2004W10``     ``freq='W-SUN'`` (ISO 8601 week)
Weekly Wednesday       ``2015WedW5``   ``freq='W-TUE'`` (week ends Tuesday)
Weekly Thursday        ``2015ThuW6``   ``freq='W-WED'``
Weekly Saturday        ``2015SatW7``   ``freq='W-FRI'``
Weekly Sunday          ``2015SunW8``   ``freq='W-SAT'``
Bi-weekly              ``2015BiW1``    ``freq='2W-SUN'`` (ISO weeks 1 and 2)
Monthly                ``200403``      ``freq='M'``
Bi-monthly             ``200401B``     ``freq='2M'`` starting Jan, Mar, ... Nov
Quarterly              ``2004Q1``      ``freq='Q-DEC'``
Quarterly November     ``2025NovQ1``   ``freq='3M'`` starting Nov, Feb, May, Aug
Six-monthly            ``2004S1``      ``freq='6M'`` starting January or July
Six-monthly April      ``2004AprilS1`` ``freq='6M'`` starting April or October
Six-monthly November   ``2025NovS1``   ``freq='6M'`` starting November or May
Yearly                 ``2004``        ``freq='Y-DEC'``
Financial April        ``2004April``   ``freq='Y-MAR'`` (April 2004 - March 2005)
Financial July         ``2004July``    ``freq='Y-JUN'`` (July 2004 - June 2005)
Financial October      ``2004Oct``     ``freq='Y-SEP'`` (October 2004 - Sept. 2005)
Financial November     ``2025Nov``     ``freq='Y-OCT'`` (November 2024 - Oct. 2025)
=====================  ==============  ==========================================

Conventions:

* Weeks follow DHIS2: a week belongs to the year that holds at least four of its
  days, so week 1 is the week (starting on the given weekday) that holds
  4 January. This is the ISO 8601 rule, generalised to other start days, as in
  DHIS2 core (``WeekFields.of(startDay, 4)``).
* A bi-week ``yyyyBiWn`` covers ISO weeks ``2n-1`` and ``2n`` of year ``yyyy``.
* Financial November years are labelled by the year in which they END
  (``2025Nov`` runs from 1 November 2024 to 31 October 2025), as DHIS2 core does;
  the April, July and October financial years are labelled by the year in which
  they START. The pandas label of an annual period is always its end year.
* Multiple-frequency periods ('2M', '3M', '6M', '2W-SUN') keep their true start
  and end dates (``.start_time``/``.end_time``); :func:`format_period` gives the
  DHIS2 code back from the start date.

Human forms also accepted: "January 2024", "Jan 2024", "Jan-24" (month and
two-digit year, as Excel shows months), "2024-01", "01/2024", "2024/01",
"2024 Q1", "Q1 2024", "2024-01-15" (a day), month names in English, French and
Portuguese.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata

import numpy as np
import pandas as pd

from phcpm.errors import InputError

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "factorize_column",
    "format_period",
    "month_from_name",
    "parse_period",
    "parse_period_codes",
    "parse_period_series",
    "period_kind",
    "periods_from_codes",
    "same_period_numbers",
    "split_period_heading",
]

#: Years outside this range are treated as typing mistakes.
MIN_YEAR = 1900
MAX_YEAR = 2200

_WEEK_PREFIX = {"": 0, "wed": 2, "thu": 3, "sat": 5, "sun": 6}  # start weekday, Monday = 0
_WEEK_FREQ = {0: "W-SUN", 2: "W-TUE", 3: "W-WED", 5: "W-FRI", 6: "W-SAT"}
_WEEK_CODE = {0: "W", 2: "WedW", 3: "ThuW", 5: "SatW", 6: "SunW"}
_FREQ_START_DAY = {v: k for k, v in _WEEK_FREQ.items()}

_FINANCIAL = {  # code suffix: (first month, pandas freq, label is the start year?)
    "april": (4, "Y-MAR", True),
    "july": (7, "Y-JUN", True),
    "oct": (10, "Y-SEP", True),
    "nov": (11, "Y-OCT", False),
}

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "january jan janvier janv janeiro enero ene",
        "february feb fevrier fevr fev fevereiro febrero",
        "march mar mars marco marzo",
        "april apr avril avr abril abr",
        "may mai maio mayo",
        "june jun juin junho junio",
        "july jul juillet juil julho julio",
        "august aug aout agosto ago",
        "september sep sept septembre setembro set septiembre setiembre",
        "october oct octobre outubro out octubre",
        "november nov novembre novembro noviembre",
        "december dec decembre dezembro dez diciembre dic",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))

_DHIS2_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("daily", re.compile(r"(\d{4})(\d{2})(\d{2})")),
    ("weekly", re.compile(r"(\d{4})(wed|thu|sat|sun)?w(\d{1,2})")),
    ("biweekly", re.compile(r"(\d{4})biw(\d{1,2})")),
    ("monthly", re.compile(r"(\d{4})(\d{2})")),
    ("bimonthly", re.compile(r"(\d{4})(\d{2})b")),
    ("quarterly", re.compile(r"(\d{4})q(\d)")),
    ("quarterly_nov", re.compile(r"(\d{4})novq(\d)")),
    ("sixmonthly", re.compile(r"(\d{4})s(\d)")),
    ("sixmonthly_april", re.compile(r"(\d{4})aprils(\d)")),
    ("sixmonthly_nov", re.compile(r"(\d{4})novs(\d)")),
    ("yearly", re.compile(r"(\d{4})")),
    ("financial", re.compile(r"(\d{4})(april|july|oct|nov)")),
]

_HUMAN_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso_day", re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]00:00(?::00)?)?")),
    ("year_month", re.compile(r"(\d{4})[-/. ](\d{1,2})")),
    ("month_year", re.compile(r"(\d{1,2})[-/. ](\d{4})")),
    ("name_year", re.compile(rf"({_MONTH_NAMES})\.?[-/ ,]*(?:de |del )?(\d{{4}}|\d{{2}})")),
    ("year_name", re.compile(rf"(\d{{4}})[-/ ,]*({_MONTH_NAMES})\.?")),
    ("year_quarter", re.compile(r"(\d{4})[-/ ]*(?:q|t|quarter|trimestre)[ ]*(\d)")),
    ("quarter_year", re.compile(r"(?:q|t|quarter|trimestre)[ ]*(\d)[-/ ,]*(\d{4})")),
]


def _fail(text: str, what: str, todo: str | None = None) -> InputError:
    return InputError(
        what,
        where=f"the period '{text}'",
        todo=todo
        or (
            "Write periods as DHIS2 codes (202401 for January 2024, 2024Q1, 2024W5) "
            "or as 'January 2024'"
        ),
    )


def _check_year(year: int, text: str) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _fail(text, f"The year {year} looks wrong", "Check the year: it has four digits")
    return year


def _check_month(month: int, text: str) -> int:
    if not 1 <= month <= 12:
        raise _fail(
            text,
            f"Month {month} does not exist (months go from 1 to 12)",
            "Write months as 01 to 12, for example 202401 for January 2024",
        )
    return month


def _week_one_start(year: int, start_day: int) -> _dt.date:
    """First day of week 1: the week starting on ``start_day`` that holds 4 January."""
    jan4 = _dt.date(year, 1, 4)
    return jan4 - _dt.timedelta(days=(jan4.weekday() - start_day) % 7)


def _week_start(year: int, week: int, start_day: int, text: str) -> _dt.date:
    if week < 1:
        raise _fail(text, f"Week {week} does not exist (weeks start at 1)")
    start = _week_one_start(year, start_day) + _dt.timedelta(weeks=week - 1)
    # A week belongs to the year that holds its fourth day.
    if (start + _dt.timedelta(days=3)).year != year:
        raise _fail(
            text,
            f"Week {week} does not exist in {year} (that year has "
            f"{_weeks_in_year(year, start_day)} weeks)",
        )
    return start


def _weeks_in_year(year: int, start_day: int) -> int:
    first = _week_one_start(year, start_day)
    nxt = _week_one_start(year + 1, start_day)
    return (nxt - first).days // 7


def _month_period(year: int, month: int, n: int, text: str) -> pd.Period:
    freq = "M" if n == 1 else f"{n}M"
    return pd.Period(year=year, month=month, freq=freq)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.strip().lower().split())


def month_from_name(text: str) -> int | None:
    """The month number (1-12) of a month name or its short form, else ``None``.

    Names are read in English, French, Portuguese and Spanish, in any case, with
    or without accents and a final full stop.

    >>> month_from_name("Février"), month_from_name("sept."), month_from_name("Mayo")
    (2, 9, 5)
    >>> month_from_name("13") is None
    True
    """
    return _MONTHS.get(_normalise(str(text)).rstrip("."))


def parse_period(text: object) -> pd.Period:
    """Turn one period (a DHIS2 code or a common human form) into a pandas Period.

    Source: DHIS2 Web API documentation, "Date and period format" (HISP Centre,
    University of Oslo). See the module docstring for the mapping of each DHIS2
    period type to a pandas frequency and for the week and financial-year rules.

    A :class:`pandas.Period` is returned unchanged; a date or timestamp becomes a
    daily period. Anything that is not a valid period raises :class:`InputError`
    with a plain explanation (for example "Month 13 does not exist").

    >>> parse_period("202401"), parse_period("Jan-24"), parse_period("2024Q1")
    (Period('2024-01', 'M'), Period('2024-01', 'M'), Period('2024Q1', 'Q-DEC'))
    >>> parse_period("202413")
    Traceback (most recent call last):
    ...
    phcpm.errors.InputError: Month 13 does not exist...
    """
    if isinstance(text, pd.Period):
        return text
    if isinstance(text, (_dt.date, pd.Timestamp)) and not (
        isinstance(text, pd.Timestamp) and pd.isna(text)
    ):
        return pd.Period(pd.Timestamp(text), freq="D")
    if isinstance(text, (int, np.integer)) and not isinstance(text, bool):
        text = str(int(text))
    elif isinstance(text, (float, np.floating)) and np.isfinite(text) and float(text).is_integer():
        text = str(int(text))  # 202401.0 from a spreadsheet number cell
    if not isinstance(text, str):
        raise InputError(
            "A period is missing or is not text",
            where=f"the value {text!r}",
            todo="Fill in the period, for example 202401 for January 2024",
        )
    original = text.strip()
    if not original:
        raise InputError(
            "The period is empty", todo="Fill in the period, for example 202401 for January 2024"
        )
    if len(original) > 40:
        raise _fail(original[:40] + "...", "This does not look like a period")
    code = _normalise(original)
    for kind, pattern in _DHIS2_PATTERNS:
        match = pattern.fullmatch(code)
        if match:
            return _from_dhis2(kind, match.groups(), original)
    for kind, pattern in _HUMAN_PATTERNS:
        match = pattern.fullmatch(code)
        if match:
            return _from_human(kind, match.groups(), original)
    raise _fail(original, "This is not a period we can read")


def _from_dhis2(kind: str, groups: tuple, text: str) -> pd.Period:
    year = _check_year(int(groups[0]), text)
    if kind == "daily":
        month = _check_month(int(groups[1]), text)
        day = int(groups[2])
        try:
            return pd.Period(_dt.date(year, month, day), freq="D")
        except ValueError:
            raise _fail(text, f"Day {day} does not exist in month {month} of {year}") from None
    if kind == "weekly":
        start_day = _WEEK_PREFIX[groups[1] or ""]
        start = _week_start(year, int(groups[2]), start_day, text)
        return pd.Period(start, freq=_WEEK_FREQ[start_day])
    if kind == "biweekly":
        n = int(groups[1])
        if n < 1 or 2 * n - 1 > _weeks_in_year(year, 0):
            raise _fail(text, f"Bi-week {n} does not exist in {year}")
        start = _week_start(year, 2 * n - 1, 0, text)
        return pd.Period(start, freq="2W-SUN")
    if kind == "monthly":
        return _month_period(year, _check_month(int(groups[1]), text), 1, text)
    if kind == "bimonthly":
        n = int(groups[1])
        if not 1 <= n <= 6:
            raise _fail(text, f"Bi-month {n} does not exist (bi-months go from 01 to 06)")
        return _month_period(year, 2 * n - 1, 2, text)
    if kind in ("quarterly", "quarterly_nov"):
        n = int(groups[1])
        if not 1 <= n <= 4:
            raise _fail(text, f"Quarter {n} does not exist (quarters go from 1 to 4)")
        if kind == "quarterly":
            return pd.Period(year=year, quarter=n, freq="Q-DEC")
        start = pd.Period(year=year - 1, month=11, freq="M") + 3 * (n - 1)
        return _month_period(start.year, start.month, 3, text)
    if kind.startswith("sixmonthly"):
        n = int(groups[1])
        if n not in (1, 2):
            raise _fail(text, f"Half-year {n} does not exist (use S1 or S2)")
        if kind == "sixmonthly":
            return _month_period(year, 1 + 6 * (n - 1), 6, text)
        if kind == "sixmonthly_april":
            start = pd.Period(year=year, month=4, freq="M") + 6 * (n - 1)
        else:
            start = pd.Period(year=year - 1, month=11, freq="M") + 6 * (n - 1)
        return _month_period(start.year, start.month, 6, text)
    if kind == "yearly":
        return pd.Period(year=year, freq="Y-DEC")
    if kind == "financial":
        _, freq, label_is_start = _FINANCIAL[groups[1]]
        return pd.Period(year=year + 1 if label_is_start else year, freq=freq)
    raise _fail(text, "This is not a period we can read")  # pragma: no cover


def _year_from(text_year: str, text: str) -> int:
    year = int(text_year)
    if len(text_year) == 2:
        year += 2000
    return _check_year(year, text)


def _from_human(kind: str, groups: tuple, text: str) -> pd.Period:
    if kind == "iso_day":
        year = _check_year(int(groups[0]), text)
        month = _check_month(int(groups[1]), text)
        try:
            return pd.Period(_dt.date(year, month, int(groups[2])), freq="D")
        except ValueError:
            raise _fail(text, f"Day {groups[2]} does not exist in month {month}") from None
    if kind == "year_month":
        return _month_period(
            _check_year(int(groups[0]), text), _check_month(int(groups[1]), text), 1, text
        )
    if kind == "month_year":
        return _month_period(
            _check_year(int(groups[1]), text), _check_month(int(groups[0]), text), 1, text
        )
    if kind == "name_year":
        return _month_period(_year_from(groups[1], text), _MONTHS[groups[0]], 1, text)
    if kind == "year_name":
        return _month_period(_check_year(int(groups[0]), text), _MONTHS[groups[1]], 1, text)
    if kind in ("year_quarter", "quarter_year"):
        year_text, q_text = groups if kind == "year_quarter" else groups[::-1]
        n = int(q_text)
        if not 1 <= n <= 4:
            raise _fail(text, f"Quarter {n} does not exist (quarters go from 1 to 4)")
        return pd.Period(year=_check_year(int(year_text), text), quarter=n, freq="Q-DEC")
    raise _fail(text, "This is not a period we can read")  # pragma: no cover


def period_kind(period: pd.Period) -> str:
    """Name of the DHIS2 period type of a Period ("Monthly", "WeeklyWednesday", ...)."""
    return _describe(period)[0]


def _describe(period: pd.Period) -> tuple[str, str]:
    """(DHIS2 period type, DHIS2 code) of a Period made by :func:`parse_period`."""
    if not isinstance(period, pd.Period):
        raise InputError(
            f"{period!r} is not a period",
            todo="Give a period such as 202401 or 'January 2024'",
        )
    offset = period.freq
    n = offset.n
    rule = offset.rule_code
    start = period.start_time
    y, m = start.year, start.month
    if rule == "D" and n == 1:
        return "Daily", f"{y:04d}{m:02d}{start.day:02d}"
    if rule in _FREQ_START_DAY and n == 1:
        start_day = _FREQ_START_DAY[rule]
        day = start.date()
        year = (day + _dt.timedelta(days=3)).year
        week = (day - _week_one_start(year, start_day)).days // 7 + 1
        name = {0: "Weekly", 2: "WeeklyWednesday", 3: "WeeklyThursday"}.get(
            start_day, "WeeklySaturday" if start_day == 5 else "WeeklySunday"
        )
        return name, f"{year}{_WEEK_CODE[start_day]}{week}"
    if rule == "W-SUN" and n == 2:
        iso_year, iso_week, _ = start.date().isocalendar()
        if iso_week % 2 == 1:
            return "BiWeekly", f"{iso_year}BiW{(iso_week + 1) // 2}"
    if rule == "ME" or rule == "M":
        if n == 1:
            return "Monthly", f"{y:04d}{m:02d}"
        if n == 2 and m % 2 == 1:
            return "BiMonthly", f"{y:04d}{(m + 1) // 2:02d}B"
        if n == 3 and m in (11, 2, 5, 8):
            label = y + 1 if m == 11 else y
            return "QuarterlyNov", f"{label}NovQ{[11, 2, 5, 8].index(m) + 1}"
        if n == 6 and m in (1, 7):
            return "SixMonthly", f"{y}S{1 if m == 1 else 2}"
        if n == 6 and m in (4, 10):
            return "SixMonthlyApril", f"{y}AprilS{1 if m == 4 else 2}"
        if n == 6 and m in (11, 5):
            return "SixMonthlyNov", f"{y + 1 if m == 11 else y}NovS{1 if m == 11 else 2}"
    if rule == "QE-DEC" and n == 1:
        return "Quarterly", f"{y}Q{period.quarter}"
    if n == 1 and rule in ("YE-DEC", "YE-MAR", "YE-JUN", "YE-SEP", "YE-OCT"):
        end_year = period.end_time.year
        return {
            "YE-DEC": ("Yearly", f"{end_year}"),
            "YE-MAR": ("FinancialApril", f"{end_year - 1}April"),
            "YE-JUN": ("FinancialJuly", f"{end_year - 1}July"),
            "YE-SEP": ("FinancialOct", f"{end_year - 1}Oct"),
            "YE-OCT": ("FinancialNov", f"{end_year}Nov"),
        }[rule]
    raise InputError(
        f"The period {period} ({period.freqstr}) has no DHIS2 code",
        todo="Use daily, weekly, monthly, quarterly, six-monthly or yearly periods",
    )


def format_period(period: object) -> str:
    """The DHIS2 code of a period: the inverse of :func:`parse_period`.

    Source: DHIS2 Web API documentation, "Date and period format". Text is
    parsed first, so ``format_period("January 2024") == "202401"``.

    >>> format_period("January 2024"), format_period("2024 Q3")
    ('202401', '2024Q3')
    """
    if not isinstance(period, pd.Period):
        period = parse_period(period)
    return _describe(period)[1]


def parse_period_series(values: pd.Series, with_codes: bool = False) -> tuple:
    """Parse a column of periods, each distinct text once (fast on big files).

    Returns ``(periods, problems)``: ``periods`` holds a Period or ``None`` per
    row (same index as ``values``); ``problems`` holds, for rows that could not be
    read, the plain-language reason, and ``None`` elsewhere. Empty cells give the
    reason "The period is empty". With ``with_codes=True`` a third item is an
    integer array in which rows holding the same period share a number (-1 for
    rows that could not be read), for fast grouping; ``periods`` is then a
    ``period`` column (missing for unreadable rows) when all periods have the
    same length.
    """
    codes, parsed, reasons = parse_period_codes(values)
    problems = pd.Series(reasons[codes], index=values.index, dtype=object)
    if not with_codes:
        return pd.Series(parsed[codes], index=values.index, dtype=object), problems
    periods = pd.Series(periods_from_codes(codes, parsed), index=values.index)
    return periods, problems, same_period_numbers(parsed)[codes]


def factorize_column(values: object, prune: bool = True) -> tuple[np.ndarray, object]:
    """``(codes, uniques)`` of a column: code -1 for missing cells.

    Like :func:`pandas.factorize` (each row gets the number of its distinct value).

    A categorical column is taken from its categories and codes (no hashing of
    the cells), keeping only categories that occur (unless ``prune=False``, for
    callers that only look values up by code), so both kinds of column give
    the same distinct values.
    """
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        cat = values.array if isinstance(values, pd.Series) else values
        codes = np.asarray(cat.codes)
        cats = cat.categories
        if not prune:
            return codes, cats
        if codes.dtype.itemsize <= 2:  # count through an unsigned view: -1 lands past the end
            counts = np.bincount(codes.view(f"u{codes.dtype.itemsize}"), minlength=len(cats))
            used = counts[: len(cats)] > 0
        else:
            used = np.bincount(codes[codes >= 0], minlength=len(cats)) > 0
        if not used.all():
            remap = np.append(np.cumsum(used) - 1, -1)
            codes = remap[codes]
            cats = cats[used]
        return codes, cats
    return pd.factorize(values, use_na_sentinel=True)


def parse_period_codes(values: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse each distinct period of a column once (fast on big files).

    Returns ``(codes, parsed, reasons)``: ``codes`` points each row at a
    distinct value (-1 for missing cells); ``parsed`` and ``reasons`` hold, per
    distinct value plus a last entry for missing cells, the Period (or None) and
    the reason it could not be read (or None).

    >>> codes, parsed, reasons = parse_period_codes(pd.Series(["202401", "Jan 2024", None]))
    >>> codes.tolist(), [str(p) for p in parsed]
    ([0, 1, -1], ['2024-01', '2024-01', 'None'])
    >>> reasons[-1]
    'The period is empty'
    """
    codes, uniques = factorize_column(values)
    n = len(uniques)
    parsed = np.empty(n + 1, dtype=object)
    reasons = np.empty(n + 1, dtype=object)
    for i, value in enumerate(uniques):
        try:
            parsed[i] = parse_period(value)
        except InputError as err:
            reasons[i] = err.what
    reasons[n] = "The period is empty"
    return codes, parsed, reasons


def periods_from_codes(codes: np.ndarray, parsed: np.ndarray) -> object:
    """Per-row periods from the ``codes`` and ``parsed`` of :func:`parse_period_codes`:
    a PeriodArray when all periods share one frequency (missing rows are NaT),
    else an object array of Periods and None.

    >>> codes, parsed, _ = parse_period_codes(pd.Series(["202401", "202402", ""]))
    >>> periods_from_codes(codes, parsed)
    <PeriodArray>
    ['2024-01', '2024-02', 'NaT']
    Length: 3, dtype: period[M]
    """
    freqs = {p.freqstr for p in parsed[:-1] if p is not None}
    if len(freqs) == 1:
        nat = np.iinfo(np.int64).min
        ordinals = np.array([nat if p is None else p.ordinal for p in parsed], dtype=np.int64)
        return pd.arrays.PeriodArray(ordinals[codes], dtype=pd.PeriodDtype(freqs.pop()))
    return parsed[codes]


def same_period_numbers(parsed: np.ndarray) -> np.ndarray:
    """Per distinct value of :func:`parse_period_codes`, a number shared by equal
    periods (-1 if unreadable); the last entry (missing cells) is -1. Index it
    with the row codes to group rows by period.

    >>> codes, parsed, _ = parse_period_codes(pd.Series(["202401", "January 2024", "x"]))
    >>> same_period_numbers(parsed)[codes].tolist()
    [0, 0, -1]
    """
    same = pd.factorize(pd.Series(parsed[:-1], dtype=object).map(_period_key))[0]
    return np.append(same, -1)


def _period_key(period):
    if period is None:
        return None
    return (period.freqstr, period.ordinal)


_HEADING_SEPARATORS = " -:|/,_"


def split_period_heading(text: object) -> tuple[pd.Period, str, str] | None:
    """``(period, rest, where)`` when a column heading starts or ends with a
    period ("May 2025 ANC 1st visit", "ANC 1st visit 202405"), else None.

    ``where`` is ``"start"`` or ``"end"``. The longest period at the start is
    tried first, then at the end; ``rest`` is the heading without it (and
    without the separators between them), and must not be empty. Month names
    are read in English, French, Portuguese and Spanish, as DHIS2 writes them
    in those languages.
    """
    words = str(text).split()
    if len(words) < 2:
        return None
    for where in ("start", "end"):
        for k in range(min(4, len(words) - 1), 0, -1):
            part = words[:k] if where == "start" else words[-k:]
            rest = words[k:] if where == "start" else words[:-k]
            head = " ".join(part).strip(_HEADING_SEPARATORS)
            if not head or not any(ch.isdigit() for ch in head):
                continue
            try:
                period = parse_period(head)
            except InputError:
                continue
            if period.freqstr == "Y-DEC" and len(head) != 4:
                continue
            label = " ".join(rest).strip(_HEADING_SEPARATORS).strip()
            if label:
                return period, label, where
    return None
