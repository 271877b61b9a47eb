"""One-page feedback sheets as web pages, one org unit each, and all of them in a ZIP file."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile

import numpy as np
import pandas as pd

from phcpm.feedback.sheet import FeedbackSheet, feedback_sheet_data
from phcpm.feedback.tables import _FIXED_DATE, _SHEET_CSS, _band_style, _esc, _texts, legend_html
from phcpm.scorecard import check_card, period_text, summary_by_indicator

__all__ = ["feedback_sheet_html", "feedback_sheets_zip"]


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


def feedback_sheet_html(card: pd.DataFrame, org_unit: str, district: str | None = None) -> str:
    """A self-contained, one-page HTML feedback sheet for one org unit.

    Built from :func:`phcpm.scorecard.feedback_sheet_data`: a heading, the plain
    summary sentences, a table (indicator, value, target, average of all org
    units, band in symbol and words, trend arrow, rank) and three questions to
    open the discussion with the team. The CSS is inline (no external file) and
    prints on one A4 page; "Print to PDF" in a browser makes a PDF.
    """
    return _sheet_html(feedback_sheet_data(card, org_unit), card, district)


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


def _sheet_html(sheet: FeedbackSheet, card: pd.DataFrame, district: str | None) -> str:
    decimals = card.drop_duplicates("indicator").set_index("indicator")["decimals"]
    t = sheet.table
    dec = t["indicator"].map(decimals).fillna(0).astype(int).to_numpy()
    value_text = _texts(t["value"], t["unit"], dec)
    value_text = np.where(t["band"] == "not_applicable", "Not applicable", value_text)
    target_text = np.where(t["target"].isna(), "", _texts(t["target"], t["unit"], dec))
    average_text = np.where(t["average"].isna(), "", _texts(t["average"], t["unit"], dec))
    rows = []
    for i, r in enumerate(t.itertuples()):  # one row per indicator
        value, target, average = value_text[i], target_text[i], average_text[i]
        trend = {"up": "↑ up", "down": "↓ down", "flat": "→ same"}.get(r.trend, "")
        if r.direction in ("better", "worse") and trend:
            trend += f" ({r.direction})"
        rows.append(
            "<tr>"
            f"<td>{_esc(r.indicator_name)}</td>"
            f"<td class='num'>{_esc(value)}</td>"
            f"<td class='num'>{_esc(target)}</td>"
            f"<td class='num'>{_esc(average)}</td>"
            f"<td class='band' style='{_band_style(r.band)}'>{_esc(r.symbol)} {_esc(r.label)}</td>"
            f"<td>{_esc(trend)}</td>"
            f"<td class='num'>{_esc(r.rank_text)}</td>"
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
        "<table><thead><tr><th>Indicator</th><th>Your value</th><th>Target</th>"
        f"<th>Average of {sheet.peers}</th><th>Band</th><th>Trend</th><th>Rank</th>"
        "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        + legend_html(card)
        + "<h2>Questions for the team meeting</h2>"
        f"<ol class='questions'>{questions}</ol>"
        "<footer>Rank: 1 = best among the org units with data. The average counts each "
        "org unit once. Values are from routine reports; check the data with the team "
        "before drawing conclusions.</footer>"
        "</body></html>\n"
    )


def feedback_sheets_zip(
    card: pd.DataFrame, districts: dict[str, str] | None = None, progress=None
) -> bytes:
    """Every org unit's one-page feedback sheet (HTML) in one ZIP file.

    One file per org unit, named after it (``mbeya-road-health-centre.html``),
    plus ``index.html`` linking them all. ``districts`` optionally maps an org
    unit code to its district name for the headings. ``progress(done, total)``,
    if given, is called after each sheet. Dates inside the ZIP are fixed, so
    the same scorecard gives the same bytes.
    """
    check_card(card)
    units = card.drop_duplicates("org_unit")[["org_unit", "org_unit_name"]]
    sheets = _fast_sheets(card)
    buffer = io.BytesIO()
    links, used = [], set()
    total = len(units)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, (code, name) in enumerate(units.itertuples(index=False), start=1):
            filename = _slug(name)
            if filename in used:
                filename = f"{filename}-{_slug(code)}"
            used.add(filename)
            page = _sheet_html(sheets[str(code)], card, (districts or {}).get(code))
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
