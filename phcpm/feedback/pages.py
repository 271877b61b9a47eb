"""One-page feedback sheets as web pages, one org unit each, and all of them in a ZIP file."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections.abc import Callable

import numpy as np
import pandas as pd

from phcpm.feedback.sheet import FeedbackSheet, feedback_sheet_data
from phcpm.feedback.tables import _FIXED_DATE, _SHEET_CSS, _bands_used, _esc, _texts
from phcpm.scorecard import check_card, period_text, summary_by_indicator
from phcpm.scorecard.shown import cell_style, legend_items
from phcpm.uncertainty import (
    JUDGEMENTS,
    MIN_DENOMINATOR,
    NO_COUNTS,
    SHOWN_BANDS,
    check_data_reason,
    judge_card,
    value_with_interval,
)

__all__ = ["feedback_sheet_html", "feedback_sheets_zip"]

#: The columns :func:`phcpm.uncertainty.judge_card` adds; a card that has them
#: has been judged already (as in the scorecard tool) and is used as it is.
_JUDGED = ("lower", "upper", "judgement", "shown", "shown_symbol", "shown_label", "reason")


def _judged(card, values, definitions, min_denominator) -> pd.DataFrame:
    """``card`` with every value judged (:func:`phcpm.uncertainty.judge_card`): its
    range of chance, and "too few to judge" where the scorecard tool says so.

    Without ``definitions`` there is nothing to judge with: every value keeps
    its band, and the sheet says that its range is not known; a percentage
    above 100 or below 0 is shown as "Check the data", as the tool shows it."""
    if set(_JUDGED) <= set(card.columns):
        return card
    if definitions is not None:
        given = values if values is not None else pd.DataFrame()
        return judge_card(card, given, definitions, min_denominator=min_denominator)
    plain = card["band"].to_numpy(dtype=object)
    rated = pd.Series(plain).isin(["good", "fair", "poor"]).to_numpy()
    value = pd.to_numeric(card["value"], errors="coerce").to_numpy(dtype=float)
    impossible = (
        rated
        & card["unit"].astype(str).eq("%").to_numpy()
        & np.isfinite(value)
        & ((value > 100.0) | (value < 0.0))
    )
    out = card.assign(lower=np.nan, upper=np.nan)
    out["judgement"] = np.where(impossible, "check_data", np.where(rated, "clear", plain))
    out["shown"] = np.where(impossible, "check_data", plain)
    check = SHOWN_BANDS["check_data"]
    out["shown_symbol"] = np.where(impossible, check["symbol"], card["symbol"].to_numpy())
    out["shown_label"] = np.where(impossible, check["label"], card["label"].to_numpy())
    reasons = np.where(rated, NO_COUNTS, [JUDGEMENTS.get(b, "") for b in plain]).astype(object)
    for i in np.flatnonzero(impossible):
        reasons[i] = check_data_reason(value[i])
    out["reason"] = reasons
    return out


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", str(text)).strip("-").lower()
    return slug or "org-unit"


def _questions(sheet) -> list[str]:
    """Three questions to open the discussion with the facility team."""
    table = sheet.table
    worst = sheet.worst[0] if sheet.worst else None
    best = sheet.best[0] if sheet.best else None
    questions = []
    if best:
        questions.append(f"What helped you do well on {best}? Could others learn from it?")
    if worst:
        questions.append(
            f"What gets in the way on {worst}? What is one change you could try next month?"
        )
    missing = table.loc[table["band"] == "no_data", "indicator_name"].tolist()
    if missing:
        questions.append(
            "Some values are missing. Were the reports sent? What would help them arrive on time?"
        )
    questions.append("What support do you need from the district team?")
    return questions


def feedback_sheet_html(
    card: pd.DataFrame,
    org_unit: str,
    district: str | None = None,
    values: pd.DataFrame | None = None,
    definitions: pd.DataFrame | None = None,
    min_denominator: float = MIN_DENOMINATOR,
) -> str:
    """A self-contained, one-page HTML feedback sheet for one org unit.

    Built from :func:`phcpm.feedback.sheet.feedback_sheet_data`: a heading, the
    plain summary sentences, a table (indicator, value with its range of chance,
    target, average of all org units, band in symbol and words, trend arrow,
    rank) and three questions to open the discussion with the team. The CSS is
    inline (no external file) and prints on one A4 page; "Print to PDF" in a
    browser makes a PDF.

    Every band is judged as in the scorecard tool
    (:func:`phcpm.uncertainty.judge_card`, Wilson 95 % range for a percentage):
    a value with fewer than ``min_denominator`` in its denominator, or whose
    range reaches into another band, is shown as "too few to judge", not
    coloured. Give the ``values`` the card was made from (with ``numerator`` and
    ``denominator``) and the ``definitions``; a card judged already (it has the
    columns judge_card adds) is used as it is. A value without counts keeps its
    band and the sheet says that its range is not known.
    """
    judged = _judged(card, values, definitions, min_denominator)
    return _sheet_html(feedback_sheet_data(judged, org_unit), card, judged, district)


def _legend(shown: pd.Series) -> str:
    """The band legend, with "too few to judge" and "check the data" when the sheet shows them."""
    keys = list(_bands_used(pd.DataFrame({"band": shown.to_numpy()})))
    keys += [k for k in ("too_few", "check_data") if (shown == k).any()]
    return "<p class='legend'>" + legend_items(keys) + "</p>"


def _fast_sheets(card: pd.DataFrame) -> dict[str, FeedbackSheet]:
    """Every org unit's :class:`FeedbackSheet`, computing the shared parts once.

    The sentences, bands and ranks of one org unit depend only on its own rows
    of the scorecard; the averages and the number of peers depend on all rows.
    So each sheet is built from the org unit's rows, and the averages and peers
    of the whole scorecard are put in afterwards: the result equals
    :func:`feedback_sheet_data` on the whole card (a test checks it).
    """
    averages = summary_by_indicator(card).set_index("indicator")["average"]
    peers = int(card["org_unit"].nunique())
    sheets = {}
    for code, own in card.groupby("org_unit", sort=False):  # one sheet per org unit
        sheet = feedback_sheet_data(own, code)
        table = sheet.table.assign(
            average=sheet.table["indicator"].map(averages).astype(float).to_numpy()
        )
        sheets[str(code)] = dataclasses.replace(sheet, table=table, peers=peers)
    return sheets


def _value_text(row, unit: str, decimals: int) -> str:
    """The value with its range of chance, or with words saying why it has none."""
    text = value_with_interval(row.value, row.lower, row.upper, unit or "", decimals)
    if row.reason == NO_COUNTS and not pd.isna(row.value):
        text += " (range not known: no counts given)"
    return text


def _band_cell(row, rank_text: str) -> tuple[str, str]:
    """The band cell (symbol and words, with the reason when the band is not shown)
    and the rank, which a value too uncertain to colour does not get either."""
    cell = (
        f"<td class='band' style='{cell_style(row.shown)}'>"
        f"{_esc(row.shown_symbol)} {_esc(row.shown_label)}"
    )
    if row.shown in ("too_few", "check_data"):
        return cell + f"<br><small>{_esc(row.reason)}</small></td>", "not ranked"
    return cell + "</td>", rank_text


def _sheet_html(
    sheet: FeedbackSheet, card: pd.DataFrame, judged: pd.DataFrame, district: str | None
) -> str:
    decimals = card.drop_duplicates("indicator").set_index("indicator")["decimals"]
    t = sheet.table
    dec = t["indicator"].map(decimals).fillna(0).astype(int).to_numpy()
    own = judged[judged["org_unit"].astype(str) == sheet.org_unit].drop_duplicates("indicator")
    own = own.set_index("indicator").reindex(t["indicator"])
    value_text = [
        _value_text(r, unit, int(d))
        for r, unit, d in zip(own.itertuples(), t["unit"], dec, strict=True)
    ]
    value_text = np.where(t["band"] == "not_applicable", "Not applicable", value_text)
    target_text = np.where(t["target"].isna(), "", _texts(t["target"], t["unit"], dec))
    average_text = np.where(t["average"].isna(), "", _texts(t["average"], t["unit"], dec))
    rows = []
    shown = list(own.itertuples())
    for i, r in enumerate(t.itertuples()):  # one row per indicator
        value, target, average = value_text[i], target_text[i], average_text[i]
        band_cell, rank = _band_cell(shown[i], r.rank_text)
        trend = {"up": "↑ up", "down": "↓ down", "flat": "→ same"}.get(r.trend, "")
        if r.direction in ("better", "worse") and trend:
            trend += f" ({r.direction})"
        rows.append(
            "<tr>"
            f"<td>{_esc(r.indicator_name)}</td>"
            f"<td class='num'>{_esc(value)}</td>"
            f"<td class='num'>{_esc(target)}</td>"
            f"<td class='num'>{_esc(average)}</td>"
            f"{band_cell}"
            f"<td>{_esc(trend)}</td>"
            f"<td class='num'>{_esc(rank)}</td>"
            "</tr>"
        )
    where = f", {district}" if district else ""
    compare = (
        f" Trends compare with {period_text(sheet.previous_period)}."
        if sheet.previous_period is not None
        else ""
    )
    questions = "".join(f"<li>{_esc(q)}</li>" for q in _questions(sheet))
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>Feedback: {_esc(sheet.name)}, {_esc(period_text(sheet.period))}</title>"
        f"<style>{_SHEET_CSS}</style></head><body>"
        f"<h1>{_esc(sheet.name)}{_esc(where)}</h1>"
        f"<p class='sub'>Performance feedback for {_esc(period_text(sheet.period))}."
        f"{_esc(compare)}</p>"
        f"<p class='summary'>{_esc(sheet.text)}</p>"
        "<table><thead><tr><th>Indicator</th><th>Your value (range of chance)</th>"
        "<th>Target</th>"
        f"<th>Average of {sheet.peers}</th><th>Band</th><th>Trend</th><th>Rank</th>"
        "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        + _legend(own["shown"])
        + "<h2>Questions for the team meeting</h2>"
        f"<ol class='questions'>{questions}</ol>"
        "<footer>In brackets: the range of chance (95 %), where chance alone would keep "
        "the value 95 times in 100. ◌ Too few to judge: too few people counted, or the "
        "range reaches into another band, so the colour could be chance; such a value is "
        "not coloured and not ranked. "
        "Rank: 1 = best among the org units with data. The average counts each "
        "org unit once. Values are from routine reports; check the data with the team "
        "before drawing conclusions.</footer>"
        "</body></html>\n"
    )


def feedback_sheets_zip(
    card: pd.DataFrame,
    districts: dict[str, str] | None = None,
    progress: Callable[[int, int], object] | None = None,
    values: pd.DataFrame | None = None,
    definitions: pd.DataFrame | None = None,
    min_denominator: float = MIN_DENOMINATOR,
) -> bytes:
    """Every org unit's one-page feedback sheet (HTML) in one ZIP file.

    One file per org unit, named after it (``mbeya-road-health-centre.html``),
    plus ``index.html`` linking them all. ``districts`` optionally maps an org
    unit code to its district name for the headings. ``progress(done, total)``,
    if given, is called after each sheet. Dates inside the ZIP are fixed, so
    the same scorecard gives the same bytes.

    ``values``, ``definitions`` and ``min_denominator`` judge every band as
    :func:`feedback_sheet_html` does (once, for the whole scorecard).
    """
    check_card(card)
    judged = _judged(card, values, definitions, min_denominator)
    units = card.drop_duplicates("org_unit")[["org_unit", "org_unit_name"]]
    sheets = _fast_sheets(judged)
    buffer = io.BytesIO()
    links, used = [], set()
    total = len(units)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, (code, name) in enumerate(units.itertuples(index=False), start=1):
            filename = _slug(name)
            if filename in used:
                filename = f"{filename}-{_slug(code)}"
            used.add(filename)
            page = _sheet_html(sheets[str(code)], card, judged, (districts or {}).get(code))
            _write(archive, f"{filename}.html", page)
            links.append(f"<li><a href='{filename}.html'>{_esc(name)}</a></li>")
            if progress is not None:
                progress(done, total)
        period = period_text(card["period"].iloc[0])
        index = (
            "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>Feedback sheets, {_esc(period)}</title></head><body>"
            f"<h1>Feedback sheets, {_esc(period)}</h1><ul>"
            + "".join(links)
            + "</ul></body></html>\n"
        )
        _write(archive, "index.html", index)
    return buffer.getvalue()


def _write(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, text.encode("utf-8"))
