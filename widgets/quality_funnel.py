"""The funnel plot section of the Data Quality Review: its words and its layout.

The numbers come from :func:`phcpm.quality.reporting_funnel` and
:func:`phcpm.quality.unit_proportions`, the picture and the list of facilities
to look at from :mod:`phcpm.quality.screen`; this module only lays them out.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as w

from phcpm import quality, report
from phcpm.quality import screen
from widgets.common import download_on_demand, figure_html, plain_table

__all__ = ["FUNNEL_TITLE", "MEASURES", "funnel_view"]

FUNNEL_TITLE = "Funnel plot: which facilities to look at (reporting)"
#: The two measures offered: (label, metric).
MEASURES = [("Completeness", "reporting_completeness"), ("Timeliness", "reporting_timeliness")]
_WORDS = {
    "reporting_completeness": ("completeness", "reports received", "Reports received"),
    "reporting_timeliness": ("timeliness", "reports on time", "Reports on time"),
}
_CAPTION = (
    "<p>Each mark is a facility: up the side its {what}, along the bottom the reports it was "
    "expected to send in {year}. The solid line is all {n} facilities "
    "together ({target:.1f} %). The dashed lines are where 95 % of facilities of that size "
    "would fall by chance alone, the dotted lines 99.8 %. <b>Facilities outside the dotted "
    "lines (diamonds) differ from the others by more than chance: they are the ones to "
    "look at.</b> A low figure inside the funnel may be bad luck in a small number of "
    "reports; do not rank facilities on it. Triangles, between the two lines, are worth "
    "watching.</p>"
)


def funnel_view(
    review, metric: str, within: str | None, part: Callable[[w.Widget, str], w.Widget]
) -> tuple[tuple[w.Widget, ...], bytes]:
    """The widgets of the funnel section for ``review`` (a
    :class:`phcpm.quality.ReviewResult`) and their PNG: the caption, the picture,
    the facilities to look at, and two downloads. ``part`` names the picture."""
    what, counted, counted_heading = _WORDS[metric]
    year = review.year
    result = quality.reporting_funnel(review, metric, "facility", within)
    table = result.table
    shown = table[table["position"] != "no_data"]
    where = html.escape(within) if within else "all the data"
    fig = screen.funnel_figure(
        result,
        title=f"Reporting {what}, {year}: facilities in {within or 'all the data'}",
        xlabel=f"Reports expected in {year}",
        ylabel=f"Reporting {what} (%)",
    )
    look = result.look_here()
    names = ", ".join(look["name"].astype(str))
    outside = (
        f"{len(look)} outside the 99.8 % limits: {names}."
        if len(look)
        else "none is outside the 99.8 % limits."
    )
    alt = (
        f"Funnel plot of reporting {what} in {year} for {len(shown)} facilities "
        f"in {within or 'all the data'}, against the reports each was expected to send; "
        f"all facilities together {result.target:.1f} %; {outside}"
    )
    picture, png = figure_html(fig, alt=alt)
    notes = [
        _CAPTION.format(
            what=f"reporting {what} ({counted} out of reports expected)",
            year=year,
            n=len(shown),
            target=result.target,
        )
    ]
    sizes = shown["denominator"].unique()
    if len(sizes) == 1:
        notes.append(
            f"<p>Every facility here was expected to send {sizes[0]:,.0f} reports, so "
            "the marks stand in one column; facilities with the same numbers share a "
            "mark (the CSV download below lists every facility).</p>"
        )
    if result.adjustment != "none":
        notes.append(
            "<p>The facilities differ more than chance alone allows (for reasons such "
            "as distance or staffing), so the limits are widened to keep the attention "
            "on the few that stand out.</p>"
        )
    if len(look):
        intervals = quality.unit_proportions(review, metric, "facility", within)
        listing = (
            f"<p><b>The facilities to look at</b> ({len(look)}), furthest from the "
            "line first:</p>"
            + plain_table(screen.look_here_table(result, intervals, what, counted_heading)).to_html(
                index=False, border=0, na_rep=""
            )
        )
    else:
        inside = f" in {where}" if within else ""
        listing = (
            f"<p>No facility{inside} is outside the 99.8 % limits: the differences "
            "between them are what chance alone would give.</p>"
        )
    watch = screen.between_limits(shown)
    if watch:
        are = "facility is" if watch == 1 else "facilities are"
        listing += f"<p>{watch} {are} between the 95 % and 99.8 % limits.</p>"

    def csv() -> bytes:
        frame = report.reporting_table(review, "facility", within)
        return frame.to_csv(index=False).encode("utf-8")

    children = (
        w.HTML("".join(notes)),
        part(w.HTML(picture), "funnel-chart"),
        w.HTML(listing),
        download_on_demand(
            "Funnel plot (PNG)", f"funnel-{what}-{year}.png", lambda: png, "image/png"
        ),
        download_on_demand(
            "Reporting by facility, with 95 % intervals (CSV)",
            f"reporting-by-facility-{year}.csv",
            csv,
            "text/csv",
        ),
    )
    return children, png
