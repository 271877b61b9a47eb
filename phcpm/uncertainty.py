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

import math

import numpy as np
import pandas as pd

from phcpm.errors import InputError, require_columns
from phcpm.intervals import poisson_interval, wilson_limits
from phcpm.scorecard import CARD_BANDS, band

__all__ = ["JUDGEMENTS", "MIN_DENOMINATOR", "SHOWN_BANDS", "judge"]

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

#: Colour, symbol and label for every band a judged scorecard cell can show: the
#: scorecard's bands plus "too few to judge" (no fill, a dotted circle) and
#: "check the data" (no fill, an exclamation mark). Symbols keep the meaning
#: when printed in grey.
SHOWN_BANDS: dict[str, dict[str, str]] = {
    **CARD_BANDS,
    "too_few": {"colour": "#FFFFFF", "symbol": "◌", "label": "Too few to judge"},
    "check_data": {"colour": "#FFFFFF", "symbol": "!", "label": "Check the data"},
}


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
    not_applicable=None,
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
            side = "above 100 %" if value[i] > 100 else "below 0 %"
            reason[i] = (
                f"{value[i]:.0f} % is {side}: a data problem to check "
                "(often a population estimate or a count entered twice), not a result"
            )
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
    shown = np.where(np.isin(judgement, ["too_few", "check_data"]), judgement, plain)
    out["judgement"] = judgement
    out["shown"] = shown
    out["shown_symbol"] = [SHOWN_BANDS[s]["symbol"] for s in shown]
    out["shown_label"] = [SHOWN_BANDS[s]["label"] for s in shown]
    out["reason"] = reason
    return out
