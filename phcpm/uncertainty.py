"""When is a scorecard colour too uncertain to show?

A health post that expected 12 deliveries and attended 6 is at 50 %, and so is
a hospital that attended 600 of 1,200; on a plain scorecard both are red. The
hospital's 50 % is solid: its 95 % interval runs from about 47 % to 53 %, all
of it in the red band. The health post's could be anything from 25 % to 75 %:
one more or one fewer delivery moves it by 8 points. Its colour says more about
chance than about the facility.

The rule
--------
:func:`judge` looks at each value with its numerator and denominator and says
how to show its band:

* ``"clear"``: the band stands (its whole interval lies in one band);
* ``"too_few"``, shown as "Too few to judge": the denominator is below the
  minimum the user chose (``min_denominator``, default
  :data:`MIN_DENOMINATOR`), or the value's confidence interval reaches into
  another band, so chance alone could change the colour;
* ``"check_data"``, shown as "Check the data": a percentage above 100 % or
  below 0 % (a coverage of 108 % usually means the target population is
  estimated too low; a negative dropout means more third doses than first
  doses were recorded). Such a value is a data problem, never "on target";
* ``"no_data"``, ``"not_applicable"`` and ``"no_target"`` are passed on from
  the scorecard's own bands (:func:`phcpm.scorecard.band`).

Intervals: for a percentage (the indicator's ``factor`` is 100 or its unit is
"%") the Wilson score interval of numerator / denominator
(:func:`phcpm.intervals.wilson_limits`); for a rate such as visits per person
the exact Poisson interval of the count over the denominator
(:func:`phcpm.intervals.poisson_interval`); for an average of monthly values
(``kind`` "average", such as stock-out days per month) and for reporting
completeness and timeliness (``kind`` "reporting": the reports are counted,
not estimated, and a facility that sent 2 of its 3 reports did miss one) no
interval and no minimum, and the band is passed on as it is. A band is judged by placing both ends of the
interval with the scorecard's own band boundaries: if the two ends fall in
different bands, the interval spans two bands.

Why 50 by default
-----------------
With fewer than 50 in the denominator, the 95 % interval of a percentage near
50 % is wider than ±14 percentage points (Wilson: 36.6 % to 63.4 % for 25 of
50), wider than the "needs attention" band of most standard indicators (10
points for Penta3 and MCV1 coverage, 15 for timeliness). A district can lower
or raise it; the interval rule still marks any band that chance could change.
The minimum is a convention of this toolkit, stated so that users can change it.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from phcpm.errors import InputError, require_columns
from phcpm.intervals import poisson_interval, wilson_limits
from phcpm.scorecard import band, format_value, format_values, period_text
from phcpm.scorecard.shown import (
    SHOWN_BANDS,
    SHOWN_FILLS,
    cell_style,
    excel_fills,
    legend_items,
    write_legend_sheet,
)

__all__ = [
    "JUDGEMENTS",
    "MIN_DENOMINATOR",
    "NO_COUNTS",
    "SHOWN_BANDS",
    "SHOWN_FILLS",
    "check_data_reason",
    "interval_kind",
    "judge",
    "judge_card",
    "judged_excel",
    "judged_html",
    "judged_page",
    "judged_table",
    "value_with_interval",
]

#: Default smallest denominator whose band is shown (see the module docstring).
MIN_DENOMINATOR = 50

#: Indicator kinds (the ``kind`` column of the definitions) whose values get no
#: interval: averages of monthly values, and reporting completeness and
#: timeliness, which count the reports themselves rather than estimate a rate.
_NO_INTERVAL = ("average", "reporting")

#: The judgements :func:`judge` gives, in plain words.
JUDGEMENTS: dict[str, str] = {
    "clear": "The colour can be trusted",
    "too_few": "Too few to judge",
    "check_data": "Check the data",
    "no_data": "No data",
    "not_applicable": "Not applicable",
    "no_target": "No target set",
}

#: Why a percentage or rate given without its count and denominator has no range.
NO_COUNTS = "No count and denominator in the data, so the range of chance is not known"


def check_data_reason(value: float) -> str:
    """Why a percentage above 100 or below 0 is shown as "Check the data".

    >>> check_data_reason(108.4)
    '108 % is above 100 %: a data problem to check (often a population estimate or a count entered twice), not a result'
    """
    side = "above 100 %" if value > 100 else "below 0 %"
    return (
        f"{value:.0f} % is {side}: a data problem to check "
        "(often a population estimate or a count entered twice), not a result"
    )


def interval_kind(definition: dict) -> str:
    """``"proportion"``, ``"rate"`` or ``"none"``: which interval an indicator gets
    (module docstring), from its row of the definitions table."""
    return _interval_kind(definition)


def _interval_kind(row: dict) -> str:
    if str(row.get("kind", "")) in _NO_INTERVAL:
        return "none"
    factor = row.get("factor")
    unit = str(row.get("unit", "") or "")
    if unit == "%" or (factor is not None and not _missing(factor) and float(factor) == 100.0):
        return "proportion"
    return "rate"


def _missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def judge(
    values: pd.DataFrame,
    definitions: pd.DataFrame,
    min_denominator: float = MIN_DENOMINATOR,
    confidence: float = 0.95,
    not_applicable: pd.DataFrame | Iterable | None = None,
    org_units: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each value's band and whether it can be shown, with the reason in plain words.

    ``values`` holds ``indicator``, ``value``, ``numerator`` and ``denominator``
    (a table from :func:`phcpm.scorecard.district_indicators`, or the user's
    own), and ``org_unit`` when ``not_applicable`` is given. ``definitions``
    is the scorecard's definitions table (:func:`phcpm.scorecard.default_definitions`
    or the user's); its band boundaries are read by :func:`phcpm.scorecard.band`,
    so the rule uses exactly the scorecard's bands. ``min_denominator`` is the
    smallest denominator whose band is shown (module docstring);
    ``confidence`` the level of the intervals.

    Returns a copy of ``values`` with ``band``, ``symbol``, ``label`` and
    ``outside_legend`` (the plain band, from :func:`phcpm.scorecard.band`),
    ``lower`` and ``upper`` (the interval, in the indicator's display units),
    ``band_lower`` and ``band_upper`` (the bands of the two ends),
    ``judgement`` (a key of :data:`JUDGEMENTS`), ``shown`` (the band to colour
    the cell with, a key of :data:`SHOWN_BANDS`), ``shown_symbol``,
    ``shown_label`` and ``reason``. ``values`` is not changed.
    """
    require_columns(values, ["indicator", "value", "numerator", "denominator"], "the values")
    try:
        minimum = float(min_denominator)
    except (TypeError, ValueError):
        raise InputError(
            f"The minimum denominator {min_denominator!r} is not a number",
            todo="Give a whole number such as 50",
        ) from None
    if not minimum >= 0:
        raise InputError("The minimum denominator is below zero", todo="Give a number of 0 or more")
    banded = band(values, definitions, not_applicable=not_applicable, org_units=org_units)
    out = banded.copy()
    require_columns(definitions, ["indicator"], "the indicator definitions")
    specs = {str(r["indicator"]): r for r in definitions.to_dict("records")}
    indicators = out["indicator"].astype(str).to_numpy()
    value = pd.to_numeric(out["value"], errors="coerce").to_numpy(dtype=float)
    num = pd.to_numeric(out["numerator"], errors="coerce").to_numpy(dtype=float)
    den = pd.to_numeric(out["denominator"], errors="coerce").to_numpy(dtype=float)

    kinds = np.array([_interval_kind(specs.get(i, {})) for i in indicators], dtype=object)
    factors = np.array(
        [
            100.0
            if k == "proportion"
            else float(
                specs.get(i, {}).get("factor", 1.0)
                if not _missing(specs.get(i, {}).get("factor", 1.0))
                else 1.0
            )
            for i, k in zip(indicators, kinds, strict=True)
        ]
    )
    usable = np.isfinite(num) & np.isfinite(den) & (den > 0) & (num >= 0)
    is_prop = kinds == "proportion"
    impossible = is_prop & np.isfinite(value) & ((value > 100.0) | (value < 0.0))
    lower = np.full(len(out), np.nan)
    upper = np.full(len(out), np.nan)
    wil = usable & is_prop & ~impossible & (num <= den)
    if wil.any():
        lo, hi = wilson_limits(num[wil], den[wil], confidence)
        lower[wil], upper[wil] = np.asarray(lo) * 100.0, np.asarray(hi) * 100.0
    poi = usable & (kinds == "rate")
    if poi.any():
        lo, hi = poisson_interval(num[poi], den[poi], confidence)
        lower[poi] = np.asarray(lo) * factors[poi]
        upper[poi] = np.asarray(hi) * factors[poi]
    out["lower"] = lower
    out["upper"] = upper

    ends = pd.DataFrame({"indicator": out["indicator"].to_numpy()})
    ends["value"] = lower
    band_lower = band(ends, definitions)["band"].to_numpy()
    ends["value"] = upper
    band_upper = band(ends, definitions)["band"].to_numpy()
    has_interval = np.isfinite(lower) & np.isfinite(upper)
    out["band_lower"] = np.where(has_interval, band_lower, None)
    out["band_upper"] = np.where(has_interval, band_upper, None)

    plain = out["band"].to_numpy(dtype=object)
    judgement = np.full(len(out), "clear", dtype=object)
    reason = np.full(len(out), "", dtype=object)
    rated = np.isin(plain, ["good", "fair", "poor"])
    small = rated & (kinds != "none") & np.isfinite(den) & (den < minimum)
    spans = rated & has_interval & (band_lower != band_upper)
    for i in range(len(out)):
        if plain[i] in ("no_data", "not_applicable", "no_target"):
            judgement[i] = plain[i]
            reason[i] = JUDGEMENTS[plain[i]]
        elif impossible[i]:
            judgement[i] = "check_data"
            reason[i] = check_data_reason(value[i])
        elif small[i]:
            judgement[i] = "too_few"
            reason[i] = (
                f"Only {den[i]:,.0f} in the denominator, below the minimum of {minimum:,.0f}"
            )
        elif spans[i]:
            judgement[i] = "too_few"
            reason[i] = (
                f"By chance alone the value could be anywhere from {lower[i]:.1f} to "
                f"{upper[i]:.1f}, which reaches into another band"
            )
        elif has_interval[i]:
            reason[i] = f"The whole interval ({lower[i]:.1f} to {upper[i]:.1f}) lies in one band"
        else:
            reason[i] = "No interval for this kind of indicator; the band is shown as it is"
    return _with_shown(out, plain, judgement, reason)


# ---------------------------------------------------------------------------
# The judged scorecard: table, web page and Excel
# ---------------------------------------------------------------------------


def judge_card(
    card: pd.DataFrame,
    values: pd.DataFrame,
    definitions: pd.DataFrame,
    min_denominator: float = MIN_DENOMINATOR,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """A scorecard (:func:`phcpm.scorecard.scorecard`) with every cell judged by :func:`judge`.

    ``values`` are the indicator values the card was made from (with
    ``numerator`` and ``denominator`` when known); the rows of the card's period
    are matched by org unit and indicator. Returns a copy of ``card`` with
    ``numerator``, ``denominator``, ``lower``, ``upper``, ``judgement``,
    ``shown``, ``shown_symbol``, ``shown_label`` and ``reason``. A cell that the
    card shows as "no data", "not applicable" or "no target set" keeps that
    state. Without a numerator and a denominator no interval can be worked out:
    the band is kept and the reason says so.
    """
    require_columns(card, ["org_unit", "indicator", "value", "band", "period"], "the scorecard")
    out = card.reset_index(drop=True).copy()
    counts = pd.DataFrame(columns=["org_unit", "indicator", "numerator", "denominator"])
    if len(out) and {"org_unit", "indicator", "period"} <= set(values.columns):
        period = out["period"].iloc[0]
        rows = values[values["period"].astype(str) == str(period)]
        for column in ("numerator", "denominator"):
            if column not in rows:
                rows = rows.assign(**{column: np.nan})
        counts = rows[["org_unit", "indicator", "numerator", "denominator"]].drop_duplicates(
            ["org_unit", "indicator"]
        )
    merged = out[["org_unit", "indicator", "value"]].merge(
        counts, on=["org_unit", "indicator"], how="left"
    )
    judged = judge(merged, definitions, min_denominator=min_denominator, confidence=confidence)
    for column in ("numerator", "denominator", "lower", "upper", "judgement", "reason"):
        out[column] = judged[column].to_numpy()
    plain = out["band"].to_numpy(dtype=object)
    judgement = out["judgement"].to_numpy(dtype=object)
    keep = np.isin(plain, ["no_data", "not_applicable", "no_target"])
    judgement = np.where(keep, plain, judgement)
    reason = out["reason"].to_numpy(dtype=object)
    reason = np.where(keep, [JUDGEMENTS.get(b, "") for b in plain], reason)
    kinds = np.array(
        [_interval_kind(r) for r in _definition_rows(definitions, out["indicator"])], dtype=object
    )
    no_counts = (
        ~keep
        & (judgement == "clear")
        & (kinds != "none")
        & ~np.isfinite(pd.to_numeric(out["denominator"], errors="coerce").to_numpy(dtype=float))
    )
    reason = np.where(
        no_counts,
        NO_COUNTS,
        reason,
    )
    return _with_shown(out, plain, judgement, reason)


def _with_shown(out: pd.DataFrame, plain, judgement, reason) -> pd.DataFrame:
    """Put ``judgement``, ``shown`` (the plain band, or "too few to judge" / "check
    the data" in its place), ``shown_symbol``, ``shown_label`` and ``reason`` on ``out``."""
    judgement = np.asarray(judgement, dtype=object)
    shown = np.where(np.isin(judgement, ["too_few", "check_data"]), judgement, plain)
    out["judgement"] = judgement
    out["shown"] = shown
    out["shown_symbol"] = [SHOWN_BANDS[s]["symbol"] for s in shown]
    out["shown_label"] = [SHOWN_BANDS[s]["label"] for s in shown]
    out["reason"] = reason
    return out


def _definition_rows(definitions: pd.DataFrame, indicators: pd.Series) -> list[dict]:
    specs = {str(r["indicator"]): r for r in definitions.to_dict("records")}
    return [specs.get(str(i), {}) for i in indicators]


def _format(number: float, unit: str, decimals: int) -> str:
    return format_value(float(number), unit or "", int(decimals))


def value_with_interval(
    value: float | None, lower: float | None, upper: float | None, unit: str = "", decimals: int = 0
) -> str:
    """A value with its range of chance, as a manager reads it: "62 % (48–74 %)".

    No value gives "No data"; no interval gives the value alone ("62 %")."""
    if _missing(value):
        return "No data"
    text = _format(value, unit, decimals)
    if _missing(lower) or _missing(upper):
        return text
    low = _format(lower, "", decimals)
    return f"{text} ({low}–{_format(upper, unit, decimals)})"


def _texts(card: pd.DataFrame) -> list[str]:
    """Every cell's value with its range of chance (:func:`value_with_interval`), at once."""
    n = len(card)
    units = card["unit"].fillna("").to_numpy(dtype=object) if "unit" in card else np.full(n, "")
    decimals = card["decimals"].to_numpy(dtype=int) if "decimals" in card else np.zeros(n, int)
    applicable = (
        card["applicable"].to_numpy(dtype=bool) if "applicable" in card else np.ones(n, bool)
    )
    value = pd.to_numeric(card["value"], errors="coerce").to_numpy(dtype=float)
    lower = pd.to_numeric(card["lower"], errors="coerce").to_numpy(dtype=float)
    upper = pd.to_numeric(card["upper"], errors="coerce").to_numpy(dtype=float)
    text = format_values(value, units, decimals)
    low = format_values(lower, np.full(n, "", dtype=object), decimals)
    high = format_values(upper, units, decimals)
    ranged = ~np.isnan(value) & ~np.isnan(lower) & ~np.isnan(upper)
    text = np.where(ranged, text + " (" + low + "–" + high + ")", text)
    text = np.where(np.isnan(value), "No data", text)
    return list(np.where(applicable, text, "Not applicable"))


#: Headings of the judged scorecard's long table (screen, CSV and Excel).
TABLE_HEADINGS = [
    "Place",
    "Place code",
    "Indicator",
    "Period",
    "Value with its range of chance (95 %)",
    "Shown as",
    "Why",
    "Count",
    "Out of",
    "Value",
    "Lowest likely value",
    "Highest likely value",
    "Indicator code",
]


def judged_table(card: pd.DataFrame) -> pd.DataFrame:
    """The judged scorecard (:func:`judge_card`) as one row per place and indicator,
    with plain headings (:data:`TABLE_HEADINGS`): the place's name first and its
    code in a column of its own, the value with its range of chance as text, how
    the cell is shown and why, and the numbers unrounded for further work."""
    names = card["org_unit_name"] if "org_unit_name" in card else card["org_unit"]
    table = pd.DataFrame(
        {
            "Place": names.astype(str).to_numpy(),
            "Place code": card["org_unit"].astype(str).to_numpy(),
            "Indicator": card.get("indicator_name", card["indicator"]).astype(str).to_numpy(),
            "Period": [
                period_text(p) if isinstance(p, pd.Period) else str(p) for p in card["period"]
            ],
            "Value with its range of chance (95 %)": _texts(card),
            "Shown as": (card["shown_symbol"] + " " + card["shown_label"]).to_numpy(),
            "Why": card["reason"].astype(str).to_numpy(),
            "Count": pd.to_numeric(card["numerator"], errors="coerce").to_numpy(),
            "Out of": pd.to_numeric(card["denominator"], errors="coerce").to_numpy(),
            "Value": pd.to_numeric(card["value"], errors="coerce").to_numpy(),
            "Lowest likely value": pd.to_numeric(card["lower"], errors="coerce").to_numpy(),
            "Highest likely value": pd.to_numeric(card["upper"], errors="coerce").to_numpy(),
            "Indicator code": card["indicator"].astype(str).to_numpy(),
        }
    )
    return table[TABLE_HEADINGS]


def _legend(card: pd.DataFrame) -> str:
    used = set(card["shown"])
    always = ("good", "fair", "poor", "too_few", "check_data")
    keys = [k for k in SHOWN_BANDS if k in used or k in always]
    return "<p class='legend'>" + legend_items(keys, spaced=True) + "</p>"


def judged_html(card: pd.DataFrame, caption: str | None = None) -> str:
    """The judged scorecard as an HTML table: places down, indicators across.

    Each cell shows the symbol, the value and its range of chance ("◌ 50 %
    (25–75 %)"); it is coloured by the band it can be shown with (``shown``),
    and its tooltip gives the reason in words. A legend lists every state,
    "too few to judge" and "check the data" included."""
    require_columns(card, ["org_unit", "indicator", "shown", "reason"], "the judged scorecard")
    if not len(card):
        raise InputError("The scorecard is empty", todo="Choose a period with data")
    texts = _texts(card)
    rows, row_keys = pd.factorize(card["org_unit"].to_numpy(dtype=object))
    cols, col_keys = pd.factorize(card["indicator"].to_numpy(dtype=object))
    grid = np.full((len(row_keys), len(col_keys)), "<td></td>", dtype=object)
    arrows = card["arrow"].fillna("").astype(str).to_numpy() if "arrow" in card else None
    for i, (shown, symbol, label, reason) in enumerate(
        zip(card["shown"], card["shown_symbol"], card["shown_label"], card["reason"], strict=True)
    ):
        arrow = f" {arrows[i]}" if arrows is not None and arrows[i] else ""
        tip = html.escape(f"{label}. {reason}", quote=True)
        grid[rows[i], cols[i]] = (
            f"<td class='band phcpm-band-{shown}' style='{cell_style(shown)}' title='{tip}'>"
            f"{html.escape(symbol)} {html.escape(texts[i])}{arrow}</td>"
        )
    first = ~card["indicator"].duplicated().to_numpy()
    heads = []
    for r in card[first].itertuples():
        target = getattr(r, "target", float("nan"))
        better = "higher is better" if getattr(r, "higher_is_better", True) else "lower is better"
        words = (
            better
            if _missing(target)
            else f"target {_format(target, r.unit or '', r.decimals)}, {better}"
        )
        if not getattr(r, "rated", True):
            words = "no target set: not coloured"
        heads.append(
            f"<th scope='col'>{html.escape(str(r.indicator_name))}<br>"
            f"<small>{html.escape(words)}</small></th>"
        )
    names = card["org_unit_name"] if "org_unit_name" in card else card["org_unit"]
    first_row = ~card["org_unit"].duplicated().to_numpy()
    body = "".join(
        f"<tr><th scope='row'>{html.escape(str(n))}</th>{''.join(grid[j])}</tr>"
        for j, n in enumerate(names[first_row])
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f"<table class='phcpm-scorecard phcpm-scorecard-judged'>{cap}<thead><tr>"
        "<th scope='col'>Place</th>"
        + "".join(heads)
        + "</tr></thead><tbody>"
        + body
        + "</tbody></table>"
        + _legend(card)
        + "<p><small>In brackets: the range of chance, where chance alone would keep the "
        "value 95 times in 100. ◌ Too few to judge: too few people counted, or the range "
        "reaches into another colour. ! Check the data: a value no service can really have, "
        "such as a coverage above the whole target population. Arrows: ↑ up, ↓ down, "
        "→ no change since the period compared with.</small></p>"
    )


def judged_excel(card: pd.DataFrame, title: str | None = None) -> bytes:
    """The judged scorecard as an Excel workbook.

    Sheet "Scorecard": places down, indicators across, each cell with its symbol,
    value and range of chance, filled as on screen; sheet "Legend"; sheet
    "Values": :func:`judged_table` (place names and codes, the range of chance,
    how each cell is shown and why, the unrounded numbers). Document dates are
    fixed, so the same scorecard gives the same bytes."""
    import datetime as dt
    import io

    import xlsxwriter

    require_columns(card, ["org_unit", "indicator", "shown", "reason"], "the judged scorecard")
    texts = _texts(card)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties(
        {"title": title or "Scorecard", "author": "phcpm", "created": dt.datetime(2000, 1, 1)}
    )
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    plain = book.add_format({"border": 1})
    fills = excel_fills(book)
    sheet = book.add_worksheet("Scorecard")
    row0 = 0
    if title:
        sheet.write(0, 0, title, book.add_format({"bold": True, "font_size": 13}))
        row0 = 2
    rows, row_keys = pd.factorize(card["org_unit"].to_numpy(dtype=object))
    cols, col_keys = pd.factorize(card["indicator"].to_numpy(dtype=object))
    names = card["org_unit_name"] if "org_unit_name" in card else card["org_unit"]
    first_row = ~card["org_unit"].duplicated().to_numpy()
    first_col = ~card["indicator"].duplicated().to_numpy()
    heads = card.get("indicator_name", card["indicator"])[first_col].astype(str)
    sheet.write(row0, 0, "Org unit", bold)
    for j, head in enumerate(heads, start=1):
        sheet.write(row0, j, head, bold)
    for j, name in enumerate(names[first_row], start=1):
        sheet.write(row0 + j, 0, str(name), plain)
    for i, shown in enumerate(card["shown"]):
        text = f"{card['shown_symbol'].iloc[i]} {texts[i]}"
        sheet.write_string(row0 + 1 + rows[i], 1 + cols[i], text, fills.get(shown, plain))
        sheet.write_comment(row0 + 1 + rows[i], 1 + cols[i], str(card["reason"].iloc[i]))
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, len(col_keys), 22)
    sheet.freeze_panes(row0 + 1, 1)
    sheet.write(
        row0 + len(row_keys) + 2,
        0,
        "In brackets: the range of chance (95 %). "
        + ", ".join(f"{b['symbol']} {b['label']}" for b in SHOWN_BANDS.values()),
    )
    write_legend_sheet(book, SHOWN_BANDS, fills, bold, plain, width=20)
    values = book.add_worksheet("Values")
    table = judged_table(card)
    for j, head in enumerate(table.columns):
        values.write(0, j, head, bold)
    for j, column in enumerate(table.columns):
        for i, v in enumerate(table[column].to_numpy(dtype=object), start=1):
            if _missing(v):
                continue
            if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
                values.write_number(i, j, float(v))
            else:
                values.write_string(i, j, str(v))
    values.set_column(0, len(table.columns), 18)
    book.close()
    return buffer.getvalue()


def judged_page(card: pd.DataFrame, title: str) -> str:
    """The judged scorecard as one printable web page (a browser's "Print to PDF"
    makes a PDF): the title, :func:`judged_html` with its legend, A4 landscape,
    and the cell fills kept when printed."""
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>"
        "body { font-family: Arial, Helvetica, sans-serif; color: #1a1a1a; margin: 1.5em; }"
        "table { border-collapse: collapse; font-size: 0.9em; }"
        "th, td { border: 1px solid #666666; padding: 0.3em 0.45em; text-align: left; }"
        "td.band { white-space: nowrap; }"
        "@page { size: A4 landscape; margin: 10mm; }"
        "@media print { body { margin: 0; } td.band, .legend span "
        "{ -webkit-print-color-adjust: exact; print-color-adjust: exact; } }"
        f"</style></head><body><h1>{html.escape(title)}</h1>{judged_html(card)}</body></html>\n"
    )
