"""Scorecards and feedback sheets as files: HTML table, Excel, one-page sheets, trend charts.

* :mod:`~phcpm.feedback.tables`: the scorecard as an HTML table, a printable
  page and an Excel workbook, with the band legend;
* :mod:`~phcpm.feedback.sheet`: what one org unit's feedback sheet says
  (:class:`FeedbackSheet`, :func:`feedback_sheet_data`);
* :mod:`~phcpm.feedback.pages`: the feedback sheets as one-page web pages and a ZIP;
* :mod:`~phcpm.feedback.charts`: trend charts, one small panel per indicator.

There is no PDF writer here: the one-page sheets are HTML with print-friendly
CSS, and a browser's "Print to PDF" turns them into PDF.
"""

from __future__ import annotations

from phcpm.feedback.charts import trend_small_multiples
from phcpm.feedback.pages import feedback_sheet_html, feedback_sheets_zip
from phcpm.feedback.sheet import FeedbackSheet, feedback_sheet_data
from phcpm.feedback.tables import legend_html, scorecard_excel, scorecard_html, scorecard_page

__all__ = [
    "FeedbackSheet",
    "feedback_sheet_data",
    "feedback_sheet_html",
    "feedback_sheets_zip",
    "legend_html",
    "scorecard_excel",
    "scorecard_html",
    "scorecard_page",
    "trend_small_multiples",
]
