"""The Scorecard Builder's files, each made when asked for: Excel, CSV, a page to
print, the trend and funnel pictures, and the feedback sheets of every org unit.

A part of :class:`widgets.scorecard.ScorecardBuilder` (a mixin): the files come
from :mod:`phcpm.uncertainty` and :mod:`phcpm.feedback`, from the scorecard on
screen (``card``), so a file always belongs to what the user sees.
"""

from __future__ import annotations

import pandas as pd

from phcpm import feedback, uncertainty
from phcpm import scorecard as sc
from phcpm.errors import InputError

__all__ = ["ScorecardDownloads"]


class ScorecardDownloads:
    """The download methods of the Scorecard Builder."""

    def funnel_bytes(self) -> bytes:
        if self._funnel_png is None:
            raise InputError(
                "There is no funnel plot yet", todo="Click 'Draw the funnel plot' first"
            )
        return self._funnel_png

    def _title(self) -> str:
        return f"Scorecard {sc.period_text(self.period.value)}"

    def _card(self) -> pd.DataFrame:
        if self.card is None:
            raise InputError(
                "There is no scorecard yet",
                where="the scorecard",
                todo="Choose a period with data first",
            )
        return self.card

    def excel_bytes(self) -> bytes:
        """The scorecard as Excel (colours and symbols kept)."""
        card = self._card()
        self.excel_download.filename = f"scorecard_{self._stamp()}.xlsx"
        return uncertainty.judged_excel(card, title=self._title())

    def csv_bytes(self) -> bytes:
        """Every value with its place name (and code), range of chance and reason, as CSV."""
        card = self._card()
        self.csv_download.filename = f"scorecard_values_{self._stamp()}.csv"
        return uncertainty.judged_table(card).to_csv(index=False).encode("utf-8-sig")

    def page_bytes(self) -> bytes:
        """The scorecard as a web page to print (or save as PDF from the browser)."""
        card = self._card()
        self.page_download.filename = f"scorecard_{self._stamp()}.html"
        return uncertainty.judged_page(card, self._title()).encode("utf-8")

    def trend_bytes(self) -> bytes:
        if self._trend_png is None:
            raise InputError("There is no trend chart yet", todo="Click 'Draw the trends' first")
        return self._trend_png

    def feedback_sheets(self) -> bytes:
        """One-page feedback sheets for every org unit on the scorecard, as one ZIP."""
        card = self._card()
        total = card["org_unit"].nunique()
        self.sheets_download.filename = f"feedback_sheets_{self._stamp()}.zip"
        with self.progress.running(f"Writing {total} feedback sheets"):

            def step(done: int, n: int) -> None:
                if done % 5 == 0 or done == n:
                    self.progress.step(done / n, f"Sheet {done} of {n}")

            return feedback.feedback_sheets_zip(card, districts=self._district_of, progress=step)
