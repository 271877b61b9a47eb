"""Reports of a data quality review: summary table, flag list, charts, HTML and Excel.

Everything here presents the results of :func:`phcpm.quality.review`; nothing is
computed again. The one-page summary follows the layout of the WHO desk review
summary (WHO, *Data quality review, Module 2: Desk review of data quality*, 2017):
one line per metric, its WHO threshold, how many values or org units were checked
and how many were flagged. Pass and fail are shown with a symbol and a word
(:data:`phcpm.style.BANDS`), never by colour alone.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from phcpm.quality import RULES, AnnualReview, ReviewResult
from phcpm.style import BANDS, NEUTRAL, ORDINARY, SIGNAL

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "CHECK_NAMES",
    "annual_excel",
    "annual_html",
    "annual_table",
    "verify_table",
    "flag_table",
    "report_excel",
    "report_html",
    "series_figure",
    "summary_table",
]

#: Short plain names of the checks, for tables and filters.
CHECK_NAMES = {
    "reporting_completeness": "Reporting completeness",
    "reporting_timeliness": "Reporting timeliness",
    "data_element_completeness": "Values filled in",
    "outlier_sd": "Outlier (standard deviations)",
    "outlier_modified_z": "Outlier (modified z-score)",
    "consistency_over_time": "Consistency over time",
    "related_indicators": "Related indicators",
    "internal_check": "Part above whole",
    "external_comparison": "Survey comparison",
    "denominator_consistency": "Population estimates",
    "coverage_over_100": "Coverage above 100 %",
}

_PERCENT_RULES = {
    "reporting_completeness",
    "reporting_timeliness",
    "data_element_completeness",
}
_RELATIVE_RULES = {
    "consistency_over_time",
    "related_indicators",
    "external_comparison",
    "denominator_consistency",
}


def _threshold_text(rule: str, threshold: float) -> str:
    base = rule.split(" ")[0]
    if base in _PERCENT_RULES:
        return f"at least {threshold * 100:.0f} %"
    if base in _RELATIVE_RULES:
        return f"within ±{threshold * 100:.0f} %"
    if base == "outlier_sd":
        return f"within ±{threshold:g} SD"
    if base == "outlier_modified_z":
        return f"score up to {threshold:g}"
    if base == "internal_check":
        return "part ≤ whole"
    if base == "coverage_over_100":
        return f"up to {threshold:g} %"
    return f"{threshold:g}"


def summary_table(result: ReviewResult) -> pd.DataFrame:
    """The one-page summary in plain words, one row per check (and data element).

    Columns: ``Dimension, Check, Data element, WHO threshold, Checked, Flagged,
    % flagged, Result``. ``Result`` is "● Pass" when nothing was flagged and
    "■ Fail: N values (or org units) to verify" otherwise (symbol and word,
    :data:`phcpm.style.BANDS`). ``% flagged`` is rounded to one decimal for
    display only.
    """
    s = result.summary
    base = s["rule"].astype(str).str.split(" ").str[0]
    label = s["rule"].astype(str).str.extract(r"\((\w+)\)")[0]
    check = base.map(CHECK_NAMES).fillna(base)
    check = np.where(label.notna(), check + " – " + label.fillna(""), check)
    flagged = s["flagged"].to_numpy(dtype="int64")
    counted = s["counted"].astype(str)
    counted = counted.where(flagged != 1, counted.str.removesuffix("s"))  # "1 value"
    good, poor = BANDS["good"], BANDS["poor"]
    fail_text = (
        f"{poor['symbol']} Fail: "
        + pd.Series(flagged).map("{:,}".format).to_numpy(dtype=object)
        + " "
        + counted.to_numpy(dtype=object)
        + " to verify"
    )
    status = np.where(flagged == 0, f"{good['symbol']} Pass", fail_text)
    thresholds = [
        _threshold_text(r, t) for r, t in zip(base, s["threshold"].to_numpy(), strict=True)
    ]  # one text per summary line (a few dozen), not per value
    return pd.DataFrame(
        {
            "Dimension": s["dimension"].to_numpy(dtype=object),
            "Check": check,
            "Data element": s["data_element"].to_numpy(dtype=object),
            "WHO threshold": thresholds,
            "Checked": s["checked"].to_numpy(dtype="int64"),
            "Flagged": flagged,
            "% flagged": np.round(s["percent_flagged"].to_numpy(dtype="float64"), 1),
            "Result": status,
        }
    )


def flag_table(result: ReviewResult, names: pd.Series | dict | None = None) -> pd.DataFrame:
    """Every flagged row of every check in one table, for verification with facilities.

    Adds ``check`` (plain name, :data:`CHECK_NAMES`) and, when ``names`` maps org unit
    IDs to names, ``org_unit_name``. Periods become text ("2024-03", "2025"; empty
    for checks over all months). Sorted by check, org unit and period.
    """
    flags = result.flagged()
    out = flags.copy()
    out.insert(0, "check", out["rule"].astype(str).map(CHECK_NAMES).fillna(out["rule"]))
    if names is not None:
        mapping = pd.Series(names)
        out.insert(2, "org_unit_name", out["org_unit"].map(mapping).fillna(out["org_unit"]))
    period = out["period"].astype(object)
    out["period"] = period.map(lambda p: "" if p is None or pd.isna(p) else str(p)).astype("str")
    out = out.sort_values(["check", "org_unit", "period"], kind="stable")
    return out.reset_index(drop=True)


def _table_html(df: pd.DataFrame) -> str:
    return df.to_html(index=False, border=0, escape=True, na_rep="", float_format="{:,.2f}".format)


_CSS = """
body{font-family:Arial,Helvetica,sans-serif;margin:2em;color:#222;max-width:80em}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:2px solid #0072B2}
table{border-collapse:collapse;font-size:.9em;margin:.5em 0}
th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eef3f8}p.note{color:#444}
"""


def report_html(
    result: ReviewResult,
    *,
    title: str = "Data quality review",
    names: pd.Series | dict | None = None,
    max_rows: int | None = None,
) -> str:
    """A self-contained HTML report: the summary, then the flagged values of each check.

    The page has no scripts, images or links to other files, so it can be sent
    by e-mail and opened offline. It holds no date or time, so the same review
    gives the same page. ``max_rows`` limits the rows shown per check (all by
    default). Text from the data is escaped.
    """
    parts = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<p class='note'>Method: WHO Data Quality Review, Module 2 (desk review), 2017. "
        f"{BANDS['good']['symbol']} Pass: nothing flagged. "
        f"{BANDS['poor']['symbol']} Fail: values or org units to verify with the facility."
        "</p>",
        "<h2>Summary</h2>",
        _table_html(summary_table(result)),
    ]
    flags = flag_table(result, names)
    for rule, group in flags.groupby("rule", sort=False):
        name = CHECK_NAMES.get(str(rule), str(rule))
        parts.append(f"<h2>{html.escape(name)}: {len(group):,} flagged</h2>")
        parts.append(f"<p class='note'>{html.escape(RULES.get(str(rule), ''))}.</p>")
        cols = [c for c in ("org_unit_name", "org_unit", "period", "data_element") if c in group]
        shown = group[cols + ["value", "statistic", "message"]]
        if max_rows is not None and len(shown) > max_rows:
            parts.append(
                f"<p class='note'>The first {max_rows:,} of {len(shown):,} rows; "
                "the Excel report has all of them.</p>"
            )
            shown = shown.head(max_rows)
        parts.append(_table_html(shown))
    if flags.empty:
        parts.append("<p>No value or org unit was flagged.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def report_excel(result: ReviewResult, names: pd.Series | dict | None = None) -> bytes:
    """An Excel workbook: the summary sheet, then one sheet per check with its flags."""
    from phcpm.io import to_excel_bytes

    sheets = {"Summary": summary_table(result)}
    flags = flag_table(result, names)
    for rule, group in flags.groupby("rule", sort=False):
        sheets[CHECK_NAMES.get(str(rule), str(rule))] = group.drop(columns=["check"])
    return to_excel_bytes(sheets, title="Data quality review")


def series_figure(
    data: pd.DataFrame,
    org_unit_id: object,
    data_element: str,
    flagged_periods: Iterable[object] = (),
    *,
    org_unit: str = "org_unit",
    period: str = "period",
    element: str = "data_element",
    value: str = "value",
    title: str | None = None,
) -> Figure:
    """Monthly series of one org unit with the flagged months marked.

    ``data_element`` may name several elements joined by any sign (``ANC4<=ANC1``):
    each is drawn as its own line (Okabe-Ito colours, different markers). Flagged
    months are circled in vermillion and labelled "flagged", so the mark does not
    rely on colour. Returns a matplotlib figure; nothing is shown or saved.
    """
    import re

    import matplotlib.pyplot as plt

    from phcpm.style import PALETTE

    wanted = [e for e in re.split(r"[^A-Za-z0-9_]+", str(data_element)) if e]
    sub = data[(data[org_unit] == org_unit_id).to_numpy() & data[element].isin(wanted).to_numpy()]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    flagged = {str(p) for p in flagged_periods}
    markers = ["o", "s", "^", "D"]
    drawn = False
    for i, name in enumerate(wanted):  # one line per data element (two at most)
        s = sub[sub[element].to_numpy() == name]
        if s.empty:
            continue
        months = pd.PeriodIndex(s[period].astype(str), freq="M")
        series = (
            pd.Series(pd.to_numeric(s[value], errors="coerce").to_numpy(), index=months)
            .groupby(level=0)
            .sum(min_count=1)
            .sort_index()
        )
        x = series.index.to_timestamp()
        ax.plot(
            x,
            series.to_numpy(),
            marker=markers[i % len(markers)],
            color=PALETTE[i % len(PALETTE)] if i else ORDINARY,
            label=name,
            linewidth=1.5,
            markersize=4,
        )
        hit = np.array([str(p) in flagged for p in series.index])
        if hit.any():
            ax.scatter(
                x[hit],
                series.to_numpy()[hit],
                s=160,
                facecolors="none",
                edgecolors=SIGNAL,
                linewidths=2,
                zorder=5,
                label="flagged" if not drawn else None,
            )
            for xx, yy in zip(x[hit], series.to_numpy()[hit], strict=True):
                ax.annotate(
                    "flagged",
                    (xx, yy),
                    textcoords="offset points",
                    xytext=(6, 8),
                    color=SIGNAL,
                    fontsize=9,
                )
            drawn = True
    if not ax.lines:
        ax.text(
            0.5,
            0.5,
            "No monthly values to show",
            ha="center",
            va="center",
            color=NEUTRAL,
            transform=ax.transAxes,
        )
    else:
        ax.legend(loc="best", fontsize=9)
    ax.set_title(title or f"{data_element} in {org_unit_id}")
    ax.set_xlabel("Month")
    ax.set_ylabel("Value reported")
    fig.tight_layout()
    return fig


def annual_table(
    review: ReviewResult | AnnualReview, level: str | None = None, within: str | None = None
) -> pd.DataFrame:
    """The WHO annual report table in plain words (DQR layout), for display and export.

    One row per metric and data element: ``Dimension, Check, Data element, WHO
    threshold, Overall score, 95 % interval, Sub-units, Divergent, % divergent,
    Divergent sub-units`` (names), from :func:`phcpm.quality.annual_report`. The
    interval is the Wilson interval of the overall score for the proportions
    (completeness and timeliness of reporting, values present), empty for the
    other checks. ``review`` is a :class:`phcpm.quality.ReviewResult` or its
    ``annual`` part.
    """
    annual = getattr(review, "annual", review)
    t = annual.report(level, within)
    if t.empty:
        return t
    return pd.DataFrame(
        {
            "Dimension": t["dimension"],
            "Check": t["check"],
            "Data element": t["data_element"],
            "WHO threshold": t["threshold"],
            "Overall score": t["overall_text"],
            "95 % interval": _interval_text(t["lower"], t["upper"]),
            "Sub-units": t["subunits"],
            "Divergent": t["divergent"],
            "% divergent": np.round(t["percent_divergent"].astype(float), 1),
            "Divergent sub-units": t["names"],
        }
    )


def _interval_text(lower, upper) -> list[str]:
    """Limits (fractions) as "85.2 – 90.1 %"; empty where there is no interval."""
    return [
        "" if pd.isna(lo) or pd.isna(hi) else f"{lo * 100:.1f} – {hi * 100:.1f} %"
        for lo, hi in zip(lower, upper, strict=True)
    ]


#: Plain headings of :func:`reporting_table`.
_REPORTING_HEADINGS = {
    "org_unit": "Org unit",
    "district": "District",
    "region": "Region",
    "denominator": "Reports expected",
    "received": "Reports received",
    "on_time": "Reports on time",
    "completeness": "Completeness (%)",
    "completeness_lower": "Completeness, lower 95 % limit",
    "completeness_upper": "Completeness, upper 95 % limit",
    "timeliness": "Timeliness (%)",
    "timeliness_lower": "Timeliness, lower 95 % limit",
    "timeliness_upper": "Timeliness, upper 95 % limit",
}


def reporting_table(
    review: ReviewResult | AnnualReview, level: str = "facility", within: str | None = None
) -> pd.DataFrame:
    """Each unit's reporting completeness and timeliness with their 95 % Wilson intervals.

    Plain headings (reports expected, received and on time; completeness and
    timeliness in % with their lower and upper limits), one row per unit of
    ``level`` inside ``within`` (:func:`phcpm.quality.funnels.unit_proportions`).
    Empty when the review had no reporting data. Timeliness columns only when
    the reporting data say which reports came on time.
    """
    from phcpm.quality.funnels import unit_proportions

    annual = getattr(review, "annual", review)
    if level not in annual.levels:
        return pd.DataFrame()
    done = unit_proportions(review, "reporting_completeness", level, within)
    if done.empty:
        return pd.DataFrame()
    out = done[["org_unit", "district", "region", "denominator"]].copy()
    out["received"] = done["numerator"]
    out["completeness"] = done["value"].round(1)
    out["completeness_lower"] = done["lower"].round(1)
    out["completeness_upper"] = done["upper"].round(1)
    late = unit_proportions(review, "reporting_timeliness", level, within)
    if not late.empty:
        late = late.set_index("org_unit").reindex(out["org_unit"])
        out["on_time"] = late["numerator"].to_numpy()
        out["timeliness"] = late["value"].round(1).to_numpy()
        out["timeliness_lower"] = late["lower"].round(1).to_numpy()
        out["timeliness_upper"] = late["upper"].round(1).to_numpy()
    out = out[[c for c in _REPORTING_HEADINGS if c in out.columns]]
    for column in ("district", "region"):
        if out[column].isna().all():
            out = out.drop(columns=column)
    return out.rename(columns=_REPORTING_HEADINGS).reset_index(drop=True)


def verify_table(result: ReviewResult, top: int | None = None) -> pd.DataFrame:
    """The verify-first list with plain column names (all rows, or the first ``top``)."""
    v = result.verify if top is None else result.verify.head(top)
    out = v.copy()
    out["period"] = out["period"].astype(str)
    out["share_of_district"] = out["share_of_district"].round(2)
    return out.rename(
        columns={
            "rank": "Rank",
            "org_unit": "Org unit",
            "district": "District",
            "region": "Region",
            "period": "Month",
            "data_element": "Data element",
            "value": "Value",
            "expected": "Usual value",
            "difference": "Difference",
            "share_of_district": "% of district total",
            "reasons": "Why",
        }
    )


def annual_html(
    result: ReviewResult,
    *,
    title: str = "Annual data quality review",
    level: str | None = None,
    within: str | None = None,
    interpretations: dict | None = None,
    top: int = 50,
) -> str:
    """A printable, self-contained HTML page of the annual report in the DQR layout.

    For each metric: the overall score, the number and % of divergent sub-units and
    their names, then a box with the user's interpretation (``interpretations``
    maps a check's name to text; empty boxes are left for writing on paper), as in
    the WHO Data Quality Tool's annual review (``src/moduleReview/review.js``,
    ``interpretationToParagraph``). Then the first ``top`` rows of the verify-first
    list. No scripts, no date: the same review gives the same page.
    """
    annual = result.annual
    interpretations = interpretations or {}
    table = annual_table(result, level, within)
    parts = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}"
        ".interp{border:1px solid #888;min-height:3em;padding:4px;margin:4px 0 12px}</style>"
        "</head><body>",
        f"<h1>{html.escape(title)}: {annual.year}</h1>",
        f"<p class='note'>Year reviewed: {html.escape(annual.year_reason)}.</p>",
    ]
    parts += [f"<p class='note'>{html.escape(n)}</p>" for n in result.notes[1:]]
    for text in result.skipped:
        parts.append(f"<p class='note'>Not reviewed: {html.escape(text)}</p>")
    for dimension, group in table.groupby("Dimension", sort=False):
        parts.append(f"<h2>{html.escape(str(dimension))}</h2>")
        for check, rows in group.groupby("Check", sort=False):
            parts.append(f"<h3>{html.escape(str(check))}</h3>")
            parts.append(_table_html(rows.drop(columns=["Dimension", "Check"])))
            text = interpretations.get(str(check), "")
            parts.append(
                "<p><b>Interpretation</b></p><div class='interp'>" + html.escape(text) + "</div>"
            )
    parts.append(f"<h2>Verify first: the {top} values that matter most</h2>")
    parts.append(_table_html(verify_table(result, top)))
    parts.append("</body></html>")
    return "\n".join(parts)


def annual_excel(
    result: ReviewResult, level: str | None = None, within: str | None = None
) -> bytes:
    """An Excel workbook: the annual report, the verify-first list, each facility's
    reporting with its 95 % intervals (when the review had reporting data) and the
    summary of every flag."""
    from phcpm.io import to_excel_bytes

    sheets = {
        "Annual report": annual_table(result, level, within),
        "Verify first": verify_table(result),
    }
    units = reporting_table(result, "facility", within)
    if not units.empty:
        sheets["Reporting by facility"] = units
    sheets["Summary"] = summary_table(result)
    for name, frame in sheets.items():  # empty cells, not "nan", for text columns
        text = frame.select_dtypes(exclude="number").columns
        sheets[name] = frame.assign(**{c: frame[c].astype(object).fillna("") for c in text})
    return to_excel_bytes(sheets, title="Annual data quality review")
