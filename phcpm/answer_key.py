"""Compare the values a review flagged with the problems put in the data on purpose.

The synthetic district data (``datasets/``) contain known problems: typing errors,
duplicated rows, swapped values, missing and late reports, a wrong population
figure. ``datasets/answer_key.csv`` lists every one. :func:`compare_with_key`
takes a table of flags (from :func:`phcpm.quality.review`, from one check, or typed
by a learner) and says which of those problems the flags point to and which were
missed, by problem type, in plain words.

Matching convention (ours, chosen so that a flag counts when it sends the
manager to the right place to look):

* **Org unit**: the flag's org unit is the problem's org unit (same ID).
* **Period**: the flag's period overlaps the problem's period. A month
  (``2024-03``), a year (``2024``) and a range (``2024-03/2024-12``) are all
  understood; a flag with no period (a unit's completeness over all months)
  overlaps every period.
* **Data element**: the problem's data element is one of the names in the flag's
  data element, split at any character that is not a letter, digit or ``_``
  (so ``ANC4<=ANC1`` points to ANC4 and to ANC1). A problem with no data element
  (reports) or a population problem (any coverage of the unit counts) matches
  any data element; a flag without a data element matches any problem.
* **Check**: when the flags have a ``rule`` column, only checks that can reveal
  the kind of problem count (see :data:`RULES_BY_PROBLEM`): a late report is
  found by the timeliness check, not by an outlier in the same facility.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from phcpm.errors import InputError, require_columns
from phcpm.paths import dataset_path

__all__ = ["PROBLEM_LABELS", "RULES_BY_PROBLEM", "KeyComparison", "compare_with_key", "load_key"]

#: Plain names of the problem types, as (one, many).
PROBLEM_LABELS: dict[str, tuple[str, str]] = {
    "extra_digit": ("extra digit typed", "extra digits typed"),
    "duplicate_row": ("row entered twice", "rows entered twice"),
    "anc4_above_anc1": ("ANC4 above ANC1", "ANC4 above ANC1"),
    "penta3_above_penta1": ("Penta 3 above Penta 1", "Penta 3 above Penta 1"),
    "wrong_data_element": ("value typed in the wrong field", "values typed in the wrong field"),
    "negative_value": ("negative count", "negative counts"),
    "impossible_stockout_days": (
        "impossible number of stock-out days",
        "impossible numbers of stock-out days",
    ),
    "zero_reported": ("zero reported by mistake", "zeros reported by mistake"),
    "confirmed_above_tested": (
        "confirmed malaria above tests",
        "confirmed malaria above tests",
    ),
    "missing_reports": ("run of missing reports", "runs of missing reports"),
    "late_report": ("late report", "late reports"),
    "denominator_too_low": ("population figure too low", "population figures too low"),
}

#: Checks (``rule`` values of :mod:`phcpm.quality`) that can find each kind of
#: problem outside the routine service data. A problem in the service data counts
#: as found by any other check (outliers, internal checks, a learner's own
#: ``"duplicate"`` rule ...), never by these.
RULES_BY_PROBLEM: dict[str, frozenset[str]] = {
    "missing_reports": frozenset({"reporting_completeness"}),
    "late_report": frozenset({"reporting_timeliness"}),
    "denominator_too_low": frozenset(
        {"coverage_over_100", "denominator_consistency", "external_comparison"}
    ),
}
_NON_SERVICE = frozenset(
    {"reporting_completeness", "reporting_timeliness", "data_element_completeness"}
).union(*RULES_BY_PROBLEM.values())

KEY_COLUMNS = ["problem_id", "problem_type", "file", "org_unit_id", "period", "data_element"]
_MONTH = re.compile(r"^\s*(\d{4})-?(\d{2})\s*$")
_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_SPLIT = re.compile(r"[^A-Za-z0-9_]+")


@dataclass(repr=False)
class KeyComparison:
    """What :func:`compare_with_key` found.

    ``problems``: one row per problem in the key, with ``found`` (True/False),
    ``found_by`` (the checks that pointed to it, ``;``-separated) and ``flags``
    (how many flags pointed to it). ``by_type``: one row per problem type with
    ``put_in``, ``found``, ``missed``. ``unmatched_flags``: flags that point to no
    problem in the key (real variation in the data, or a problem nobody put in).
    ``lines``: the same in plain sentences.
    """

    problems: pd.DataFrame
    by_type: pd.DataFrame
    unmatched_flags: int
    total_flags: int
    lines: list[str]

    @property
    def found(self) -> int:
        return int(self.problems["found"].sum())

    @property
    def missed(self) -> int:
        return int((~self.problems["found"]).sum())

    def text(self) -> str:
        """All lines as one text."""
        return "\n".join(self.lines)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return self.text()

    def _repr_markdown_(self) -> str:
        return "\n".join(
            f"- {line}" if line.startswith(("Found", "Missed")) else f"\n{line}\n"
            for line in self.lines
        )


def load_key(name: str = "answer_key.csv") -> pd.DataFrame:
    """The answer key of the synthetic data (``datasets/answer_key.csv``)."""
    return pd.read_csv(dataset_path(name), dtype={"period": "str", "data_element": "str"})


def _month_number(year: int, month: int) -> int:
    return year * 12 + month - 1


def _interval(text) -> tuple[float, float]:
    """First and last month (as year*12 + month - 1) of a period text; missing = all."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or str(text).strip() == "":
        return (-np.inf, np.inf)
    text = str(text).strip()
    if text in ("None", "NaT", "nan", "<NA>"):
        return (-np.inf, np.inf)
    if "/" in text:
        start, end = text.split("/", 1)
        return (_interval(start)[0], _interval(end)[1])
    m = _MONTH.match(text)
    if m and 1 <= int(m.group(2)) <= 12:
        n = _month_number(int(m.group(1)), int(m.group(2)))
        return (n, n)
    m = _YEAR.match(text)
    if m:
        y = int(m.group(1))
        return (_month_number(y, 1), _month_number(y, 12))
    raise InputError(
        f"The period '{text}' is not understood",
        where="the period column of the flags",
        todo="Write months as 2024-03, years as 2024, or leave the period empty",
    )


def _intervals(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Start and end month of every period; each distinct period is parsed once."""
    text = values.astype(object).map(lambda v: None if pd.isna(v) else str(v))
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    bounds = np.array([_interval(u) for u in uniques] + [(-np.inf, np.inf)], dtype="float64")
    return bounds[codes, 0], bounds[codes, 1]


def _label(problem_type: str, n: int) -> str:
    one, many = PROBLEM_LABELS.get(problem_type, (problem_type.replace("_", " "),) * 2)
    return one if n == 1 else many


def compare_with_key(
    flags: pd.DataFrame,
    key: pd.DataFrame | None = None,
    *,
    org_unit: str = "org_unit",
    period: str = "period",
    data_element: str = "data_element",
    rule: str = "rule",
    who: str = "You",
) -> KeyComparison:
    """Which problems of the answer key the flags found, and which they missed.

    ``flags`` needs an ``org_unit`` column (IDs as in the data); ``period``,
    ``data_element`` and ``rule`` are used when present (see the module notes for
    how they are matched). ``key`` defaults to ``datasets/answer_key.csv``. ``who``
    starts the summary sentence ("You found 5 of the 6 extra digits typed").

    Source of the problem list: the generator of the synthetic data
    (:mod:`phcpm.synth`), which writes the answer key. The matching rules are this
    project's convention, stated in the module notes; nothing is rounded.
    """
    if not isinstance(flags, pd.DataFrame):
        raise InputError("The flags are not a table", todo="Give a table (DataFrame) of flags")
    if org_unit not in flags.columns:
        alt = "org_unit_id" if "org_unit_id" in flags.columns else None
        if alt is None:
            have = ", ".join(f"'{c}'" for c in flags.columns) or "none"
            raise InputError(
                f"The flags have no column '{org_unit}'",
                where=f"the flags (columns: {have})",
                todo="Add the org unit ID of every flag, or name the column with org_unit=",
            )
        org_unit = alt
    key = load_key() if key is None else key
    require_columns(key, KEY_COLUMNS, "the answer key", todo="Use datasets/answer_key.csv")
    n = len(flags)
    f = pd.DataFrame(
        {
            "_flag": np.arange(n),
            "org_unit_id": flags[org_unit].astype(object).map(str).to_numpy(),
            "_fperiod": flags[period].astype(object).to_numpy() if period in flags else None,
            "_felem": flags[data_element].astype(object).to_numpy()
            if data_element in flags
            else None,
            "_frule": flags[rule].astype(object).to_numpy() if rule in flags else None,
        }
    )
    k = key[KEY_COLUMNS].copy()
    k["org_unit_id"] = k["org_unit_id"].astype(object).map(str)
    pairs = k.merge(f, on="org_unit_id", how="inner")
    # Period: overlap of [start, end] month intervals.
    k0, k1 = _intervals(pairs["period"])
    f0, f1 = _intervals(pairs["_fperiod"])
    ok = (k0 <= f1) & (f0 <= k1)
    # Data element: the key's element among the tokens of the flag's element.
    kel = pairs["data_element"].astype(object)
    fel = pairs["_felem"].astype(object)
    no_kel = kel.isna().to_numpy() | (pairs["file"].to_numpy() == "population.csv")
    no_fel = fel.isna().to_numpy()
    tokens = fel.map(lambda v: None if pd.isna(v) else frozenset(_SPLIT.split(str(v))))
    has = np.array(
        [bool(t) and e in t for e, t in zip(kel.to_numpy(), tokens.to_numpy(), strict=True)],
        dtype=bool,
    )
    ok &= no_kel | no_fel | has
    # Check: only checks that look at the problem's file.
    if rule in flags:
        frule = pairs["_frule"].astype(object)
        allowed = np.zeros(len(pairs), dtype=bool)
        ptype = pairs["problem_type"]
        for kind, rules in RULES_BY_PROBLEM.items():  # a handful of kinds, not rows
            allowed |= (ptype == kind).to_numpy() & frule.isin(rules).to_numpy()
        service = ~ptype.isin(list(RULES_BY_PROBLEM)).to_numpy()
        allowed |= service & ~frule.isin(_NON_SERVICE).to_numpy()
        allowed |= frule.isna().to_numpy()
        ok &= allowed
    hits = pairs[ok]
    per_problem = hits.groupby("problem_id", sort=False).agg(
        flags=("_flag", "nunique"),
        found_by=(
            "_frule",
            lambda s: "; ".join(sorted({str(x) for x in s.dropna()})),
        ),
    )
    problems = key.copy()
    problems["flags"] = (
        per_problem["flags"].reindex(problems["problem_id"]).fillna(0).astype(int).to_numpy()
    )
    problems["found"] = problems["flags"].to_numpy() > 0
    problems["found_by"] = (
        per_problem["found_by"].reindex(problems["problem_id"]).fillna("").to_numpy()
    )
    order = list(dict.fromkeys(problems["problem_type"]))
    by_type = (
        problems.groupby("problem_type", sort=False)
        .agg(put_in=("problem_id", "size"), found=("found", "sum"))
        .reindex(order)
        .reset_index()
    )
    by_type["found"] = by_type["found"].astype(int)
    by_type["missed"] = by_type["put_in"] - by_type["found"]
    unmatched = int(n - hits["_flag"].nunique())
    lines = _lines(problems, by_type, who, unmatched, n)
    return KeyComparison(
        problems=problems,
        by_type=by_type,
        unmatched_flags=unmatched,
        total_flags=n,
        lines=lines,
    )


def _lines(problems, by_type, who, unmatched, total) -> list[str]:
    found = int(problems["found"].sum())
    lines = [f"{who} found {found} of the {len(problems)} problems put in the data."]
    for row in by_type.itertuples(index=False):
        label = _label(row.problem_type, row.put_in)
        if row.missed == 0:
            amount = {1: "the", 2: "both"}.get(row.put_in, f"all {row.put_in}")
            lines.append(f"Found {amount} {label}.")
        else:
            lines.append(f"Found {row.found} of the {row.put_in} {label}.")
    missed = problems[~problems["found"].to_numpy()]
    what = "description" if "description" in missed else "problem_id"
    lines += [f"Missed: {d}" for d in missed[what].astype(str)]
    if total:
        lines.append(
            f"{unmatched:,} of the {total:,} flags point to no problem in the answer key: "
            "real changes in services, or problems nobody put in on purpose. "
            "In real data each one is checked with the facility."
        )
    return lines
