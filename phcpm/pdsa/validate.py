"""Checks on what people enter: dates, periods, numbers, roles and decisions.

Every rule about an entry is written here once; the store, the file import
and the tool all call these checks.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd

from phcpm.errors import InputError

__all__ = [
    "KINDS",
    "ROLES",
    "DECISIONS",
    "CYCLE_TEXT_FIELDS",
    "CYCLE_FIELDS",
    "PROJECT_FIELDS",
    "MEASURE_FIELDS",
    "check_period",
    "value_columns",
    "parse_value_lines",
    "value_table",
    "check_value",
    "check_entry",
    "changed_cycle_fields",
    "clean_text",
    "user_name",
    "read_date",
    "read_number",
    "number_text",
    "record_key",
    "audit_text",
    "check_dates",
    "measure_role",
    "DIRECTIONS",
    "measure_direction",
    "cycle_decision",
    "now_utc",
]


KINDS = ("proportion", "count", "measurement")
#: Roles of a measure in the family of measures ("" = not stated).
ROLES = ("outcome", "process", "balancing")
DECISIONS = ("adopt", "adapt", "abandon", "undecided")
#: Which way a measure is better: the choices of the form, as stored words.
DIRECTIONS = ("higher", "lower")

#: Free-text fields of a cycle, in the order of the IHI PDSA worksheet.
CYCLE_TEXT_FIELDS = (
    "title",
    "objective",
    "questions",
    "predictions",
    "plan_who",
    "plan_what",
    "plan_when",
    "plan_where",
    "do_observations",
    "study_results",
    "act_next_steps",
)
CYCLE_FIELDS = (*CYCLE_TEXT_FIELDS, "act_decision", "start_date", "end_date")
PROJECT_FIELDS = ("name", "aim", "team")
MEASURE_FIELDS = ("name", "kind", "role", "unit", "higher_is_better", "definition")


# --------------------------------------------------------------------------- helpers


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def clean_text(value: Any, what: str, *, required: bool = False) -> str:
    """Clean a free-text entry: ``None`` becomes empty text; surrounding spaces go."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        value = ""
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    if required and not value:
        raise InputError(f"The {what} is empty", todo=f"Type a {what}")
    return value


def user_name(user: Any) -> str:
    name = clean_text(user, "name")
    if not name:
        raise InputError(
            "No name was given for the person making this change",
            todo="Type your name, so the history shows who made each change",
        )
    return name


def read_date(value: Any, what: str, *, required: bool = False) -> date | None:
    """Read a date given as ``datetime.date``, ``datetime`` or ISO text (YYYY-MM-DD)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InputError(f"The {what} is missing", todo="Enter a date as YYYY-MM-DD")
        return None
    if isinstance(value, float) and math.isnan(value):
        return read_date(None, what, required=required)
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return read_date(None, what, required=required)
        return value.date()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 else date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"The {what} '{text}' is not a date this tool can read",
            todo="Write the date as year-month-day, for example 2024-03-04",
        ) from None


def read_number(value: Any, what: str) -> float | None:
    """A finite number, or ``None`` when the entry is empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InputError(f"The {what} should be a number, not yes/no", todo="Type a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(
            f"The {what} '{value}' is not a number", todo="Type a number, for example 12"
        ) from None
    if math.isnan(number):
        return None
    if math.isinf(number):
        raise InputError(f"The {what} is infinite", todo="Type an ordinary number")
    return number


def number_text(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def record_key(value: Any) -> int:
    """A record id as a plain ``int`` (ids often arrive as numpy integers from a DataFrame)."""
    try:
        return operator.index(value)
    except TypeError:
        raise InputError(f"'{value}' is not the number of a record") from None


def audit_text(value: Any) -> str | None:
    """Audit values are text; empty text and ``None`` are both kept as ``None``."""
    if value is None:
        return None
    if isinstance(value, float):
        text = number_text(value)
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    else:
        text = str(value)
    return text or None


def check_period(value: Any, today: date | None = None, *, what: str = "period start") -> date:
    """The first day of a period, checked: given, a readable date, and not in the future.

    ``value`` is a date or ISO text (YYYY-MM-DD); ``today`` is the date to
    compare with (default: the computer's). A period that starts after today
    has no result yet, so it is refused with a plain :class:`InputError`; this
    is the one place the rule is written.

    >>> check_period("2024-06-03", today=date(2024, 6, 30))
    datetime.date(2024, 6, 3)
    >>> check_period("2024-07-01", today=date(2024, 6, 30))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    phcpm.errors.InputError: The period starting 2024-07-01 is in the future (today is 2024-06-30)...
    """
    day = read_date(value, what, required=True)
    today = today or date.today()
    if day > today:
        raise InputError(
            f"The period starting {day.isoformat()} is in the future (today is "
            f"{today.isoformat()})",
            todo="Enter results only for periods that have started; check the date",
        )
    return day


def value_columns(kind: str) -> list[str]:
    """The columns a table of values needs for a measure of ``kind``."""
    if kind == "proportion":
        return ["period", "numerator", "denominator"]
    if kind in ("count", "measurement"):
        return ["period", "value"]
    raise InputError(
        f"'{kind}' is not a kind of measure", todo="Use proportion, count or measurement"
    )


_SEPARATORS = re.compile(r"[,;\t]")


def parse_value_lines(text: str, kind: str) -> pd.DataFrame:
    """Pasted lines of values as a table for :meth:`ProjectStore.add_values`.

    One period a line; the parts are separated by commas, semicolons or tabs
    (what a spreadsheet gives when cells are copied): ``period, numerator,
    denominator`` for a proportion, ``period, value`` for a count or a
    measurement. Empty lines are skipped. A line with fewer parts is refused
    with its line number; parts beyond those are ignored only when they are
    empty. The result has the columns of :func:`value_columns` plus ``where``
    ("line N", counting every line of the text). Nothing is checked beyond the
    shape here: :meth:`ProjectStore.add_values` checks the dates and numbers.

    >>> parse_value_lines("2025-01-06, 17, 30\\n\\n2025-01-13;18;31", "proportion")
           period numerator denominator    where
    0  2025-01-06        17          30   line 1
    1  2025-01-13        18          31   line 3
    """
    columns = value_columns(kind)
    example = "2025-01-06, 17, 30" if kind == "proportion" else "2025-01-06, 12"
    rows = []
    for number, line in enumerate(str(text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in _SEPARATORS.split(line)]
        while len(parts) > len(columns) and not parts[-1]:
            parts.pop()
        if len(parts) != len(columns):
            needs = (
                "a period, a numerator and a denominator"
                if kind == "proportion"
                else "a period and a value"
            )
            raise InputError(
                f"This line has {len(parts)} part{'s' if len(parts) != 1 else ''}, but each "
                f"line needs {needs}",
                where=f"line {number}",
                todo=f"Write for example {example}",
            )
        rows.append([*parts, f"line {number}"])
    if not rows:
        raise InputError("Nothing was pasted", todo=f"Paste one period a line, e.g. {example}")
    return pd.DataFrame(rows, columns=[*columns, "where"], dtype=object)


def value_table(table: pd.DataFrame, kind: str, source: str = "the file") -> pd.DataFrame:
    """An uploaded table of values as a table for :meth:`ProjectStore.add_values`.

    Headings are matched without regard to case or surrounding spaces; the
    columns of :func:`value_columns` are needed (a ``comment`` column is kept
    when there is one). A missing column is named in the message. ``where``
    names each row as a spreadsheet does: the headings are row 1, so the first
    value is "row 2 of <source>". ``table`` is not changed.
    """
    columns = value_columns(kind)
    names = {str(c).strip().lower(): c for c in table.columns}
    missing = [c for c in columns if c not in names]
    if missing:
        raise InputError(
            f"The file has no column {', '.join(repr(c) for c in missing)}",
            where=source,
            todo=f"Name the columns {', '.join(columns)} in the first row",
        )
    keep = columns + (["comment"] if "comment" in names else [])
    out = pd.DataFrame({c: table[names[c]].to_numpy(dtype=object) for c in keep})
    if out.empty:
        raise InputError(
            "The file has headings but no rows of values", where=source, todo="Add the values"
        )
    out["where"] = [f"row {i} of {source}" for i in range(2, len(out) + 2)]
    return out


def check_value(
    kind: str,
    *,
    numerator: Any = None,
    denominator: Any = None,
    value: Any = None,
    measure_name: str = "this measure",
) -> tuple[float | None, float | None, float]:
    """Check one entry for a measure of ``kind``; return ``(numerator, denominator, value)``.

    Rules (plain-language :class:`InputError` when broken):

    * proportion: numerator and denominator both given, neither negative,
      denominator above zero, numerator not above denominator; the value is
      ``numerator / denominator`` (a fraction, unrounded). A ``value`` typed
      in as well must agree with it.
    * count: a value that is a whole number and not negative; no numerator or
      denominator.
    * measurement: a value that is not negative (waiting times, days, weights);
      no numerator or denominator.
    """
    num = read_number(numerator, f"numerator of '{measure_name}'")
    den = read_number(denominator, f"denominator of '{measure_name}'")
    val = read_number(value, f"value of '{measure_name}'")
    if kind == "proportion":
        if num is None or den is None:
            raise InputError(
                f"'{measure_name}' is a proportion, so it needs both a numerator and a denominator",
                todo="Enter how many met the criterion (numerator) and how many were "
                "counted in all (denominator)",
            )
        if num < 0 or den < 0:
            raise InputError(
                f"A count cannot be negative (numerator {number_text(num)}, denominator "
                f"{number_text(den)} for '{measure_name}')",
                todo="Check the numbers and enter zero or more",
            )
        if den == 0:
            raise InputError(
                f"The denominator for '{measure_name}' is zero, so no proportion can be worked out",
                todo="Enter the number of people or events counted; if none were seen this "
                "period, leave the period out",
            )
        if num > den:
            raise InputError(
                f"The numerator ({number_text(num)}) is larger than the denominator "
                f"({number_text(den)}) for '{measure_name}'",
                todo="The numerator counts those in the denominator who met the criterion, "
                "so it can be at most the denominator: check both numbers",
            )
        computed = num / den
        if val is not None and not math.isclose(val, computed, rel_tol=1e-9, abs_tol=1e-12):
            raise InputError(
                f"The value {val:g} does not equal numerator ÷ denominator "
                f"({number_text(num)} ÷ {number_text(den)}) for '{measure_name}'",
                todo="Leave the value empty; it is worked out from the numerator and denominator",
            )
        return num, den, computed
    if kind not in ("count", "measurement"):
        raise InputError(
            f"'{kind}' is not a kind of measure", todo="Use proportion, count or measurement"
        )
    if num is not None or den is not None:
        raise InputError(
            f"'{measure_name}' is a {kind}, so it takes one value, not a numerator and a "
            "denominator",
            todo="Enter the value only",
        )
    if val is None:
        raise InputError(f"No value was entered for '{measure_name}'", todo="Enter the value")
    if val < 0:
        raise InputError(
            f"The value {val:g} for '{measure_name}' is negative",
            todo="Check the number; a count or measurement here cannot be below zero",
        )
    if kind == "count" and not val.is_integer():
        raise InputError(
            f"The value {val:g} for '{measure_name}' is not a whole number, but this measure "
            "counts events",
            todo="Enter a whole number",
        )
    return None, None, val


def check_entry(
    kind: str,
    period: Any = "",
    *,
    numerator: Any = None,
    denominator: Any = None,
    value: Any = None,
    today: date | None = None,
    measure_name: str = "this measure",
) -> None:
    """Check an entry while it is being typed: what is filled in must be right.

    The period is checked (:func:`check_period`) once it is given; the numbers
    (:func:`check_value`) once every number the kind needs is given (both the
    numerator and the denominator of a proportion, the value of a count or a
    measurement). Nothing is returned; a mistake is a plain :class:`InputError`.
    An entry that is still empty passes; saving it is refused by
    :meth:`ProjectStore.add_value`.

    >>> check_entry("proportion", "2024-06-03", numerator="17", today=date(2024, 6, 30))
    >>> check_entry("proportion", "", numerator="31", denominator="30")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    phcpm.errors.InputError: The numerator (31) is larger than the denominator (30) ...
    """
    if clean_text(period, "period start"):
        check_period(period, today)
    numbers = {"numerator": numerator, "denominator": denominator, "value": value}
    needed = {c: numbers[c] for c in value_columns(kind)[1:]}
    if all(clean_text(v, c) for c, v in needed.items()):
        check_value(kind, measure_name=measure_name, **needed)


def changed_cycle_fields(
    form: Mapping[str, Any], saved: Mapping[str, Any] | None = None
) -> list[str]:
    """The fields of a cycle form (:data:`CYCLE_FIELDS`) whose entry is not saved.

    ``saved`` is the saved cycle (:meth:`ProjectStore.get_cycle`), or None for a
    new cycle, which counts as empty text with the decision "undecided". Spaces
    at either end do not count as a change; fields missing from ``form`` are
    not compared. The fields are returned in the order of ``form``.
    """
    blank: dict[str, Any] = {f: "" for f in CYCLE_FIELDS}
    blank["act_decision"] = "undecided"
    base = blank if saved is None else saved
    return [
        f
        for f, value in form.items()
        if f in CYCLE_FIELDS and clean_text(value, f) != clean_text(base.get(f), f)
    ]


def check_dates(start: date | None, end: date | None, where: str) -> None:
    if start is not None and end is not None and end < start:
        raise InputError(
            f"The cycle ends ({end.isoformat()}) before it starts ({start.isoformat()})",
            where=where,
            todo="Check the start and end dates; the end date must be on or after the start",
        )


def measure_role(value: Any, where: str | None = None) -> str:
    """A measure's role in the family of measures: outcome, process, balancing or ""."""
    role = clean_text(value, "role of the measure").lower()
    if role in ("", "not stated"):
        return ""
    if role not in ROLES:
        raise InputError(
            f"'{role}' is not a role in the family of measures",
            where=where,
            todo="Choose outcome, process or balancing (or leave it empty)",
        )
    return role


_HIGHER = ("higher", "true", "yes", "1", "1.0")
_LOWER = ("lower", "false", "no", "0", "0.0")


def measure_direction(value: Any, where: str | None = None) -> bool:
    """Whether a higher value of a measure is better: True (higher) or False (lower).

    Reads ``True``/``False``, 1/0, or the words "higher"/"lower" (also "yes"/"no"
    and "true"/"false", as a workbook may hold them). Nothing is guessed: an
    empty choice, or anything else, is refused with a plain message, because a
    measure read the wrong way round turns a worsening into an apparent
    improvement (Provost LP & Murray SK, *The Health Care Data Guide*,
    Jossey-Bass, 2011, chapter 2: each measure states which direction is
    better). No kind or role of measure settles the direction on its own: a
    balancing measure can be better when higher (staff who would recommend
    the clinic) and an outcome better when lower (missed visits).
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value)):
        if value in (0, 1):
            return bool(value)
    text = clean_text(value, "direction").lower()
    if text in _HIGHER:
        return True
    if text in _LOWER:
        return False
    if not text:
        raise InputError(
            "It is not chosen whether this measure is better when its value is higher or lower",
            where=where,
            todo="Choose 'higher' or 'lower' under 'Better when the value is' (in a workbook: "
            "1 when higher is better, 0 when lower is). For example the share of children "
            "tested is better when higher; minutes waited or missed visits are better when lower",
        )
    raise InputError(
        f"'{clean_text(value, 'direction')}' does not say whether higher or lower is better",
        where=where,
        todo="Use higher or lower (in a workbook: 1 when higher is better, 0 when lower is)",
    )


def cycle_decision(value: Any) -> str:
    text = clean_text(value, "decision").lower() or "undecided"
    if text not in DECISIONS:
        raise InputError(
            f"'{value}' is not one of the decisions at the end of a cycle",
            todo="Choose adopt, adapt, abandon or undecided",
        )
    return text
