"""Completeness and timeliness of reporting and of indicator data (WHO DQR dimension 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from phcpm.errors import InputError, require_columns
from phcpm.quality.preparation import (
    _NAT,
    _S_FLAGGED,
    _S_NO_DATA,
    _S_OK,
    COLUMNS_TODO,
    WHO_DEFAULTS,
    _empty_result,
    _factorize,
    _fmt,
    _monthly,
    _prepare,
    _result,
    _text,
    as_number,
)

__all__ = ["data_element_completeness", "reporting_completeness", "reporting_timeliness"]


# ------------------------------------------------------ completeness and timeliness
def _reporting(
    reporting: pd.DataFrame,
    org_unit: str,
    period: str,
    expected: str,
    received: str,
    on_time: str,
    submitted_on: str,
    deadline: str,
    dataset: str,
    need_timeliness: bool,
) -> pd.DataFrame:
    require_columns(
        reporting, [org_unit, period, expected, received], "the reporting data", COLUMNS_TODO
    )
    out = pd.DataFrame(
        {
            "org_unit": reporting[org_unit].array,
            "period": reporting[period].array,
            "data_element": reporting[dataset].array if dataset in reporting else "reports",
            "expected": as_number(reporting[expected], "reporting data", expected).to_numpy(),
            "received": as_number(reporting[received], "reporting data", received).to_numpy(),
        }
    )
    if need_timeliness:
        if on_time in reporting:
            out["on_time"] = as_number(reporting[on_time], "reporting data", on_time).to_numpy()
        elif submitted_on in reporting and deadline in reporting:
            sub = pd.to_datetime(reporting[submitted_on], errors="coerce")
            due = pd.to_datetime(reporting[deadline], errors="coerce")
            timely = (sub <= due) & (out["received"].to_numpy() > 0)
            out["on_time"] = np.where(timely, out["received"].to_numpy(), 0.0)
        else:
            raise InputError(
                "The reporting data say nothing about timeliness",
                where=f"the reporting data (no column '{on_time}', or '{submitted_on}' "
                f"and '{deadline}')",
                todo="Add an on-time column, or the submission date and the deadline",
            )
    return out


def _rate_table(
    rep: pd.DataFrame,
    top: str,
    bottom: str,
    threshold: float,
    rule: str,
    flagged_only: bool,
    per_period: bool,
    words: tuple[str, str],
) -> pd.DataFrame:
    keys = ["org_unit", "data_element"] + (["period"] if per_period else [])
    sums = rep.groupby(keys, sort=True, observed=True)[[top, bottom]].sum().reset_index()
    t = sums[top].to_numpy(dtype="float64")
    b = sums[bottom].to_numpy(dtype="float64")
    if not per_period:
        sums["period"] = None
    sums["value"] = t
    return _rate_result(sums, t, b, threshold, rule, flagged_only, per_period, words)[0]


def _rate_result(frame, t, b, threshold, rule, flagged_only, per_period, words):
    """Rows with ``t`` out of ``b``, flagged when the proportion is below ``threshold``.

    Returns the result table and the severity code of every row.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(b > 0, t / b, np.nan)
    severity = np.where(
        np.isnan(rate), _S_NO_DATA, np.where(rate < threshold, _S_FLAGGED, _S_OK)
    ).astype(np.int8)
    idx = np.flatnonzero(severity >= _S_FLAGGED)
    got, of = words

    def messages(out: pd.DataFrame) -> pd.Series:
        bb = pd.Series(b[idx], index=out.index)
        when = "" if not per_period else (", " + _text(out["period"]))
        text = (
            out["org_unit"].astype(str)
            + when
            + f": {got} "
            + _fmt(out["value"])
            + f" of {of} "
            + _fmt(bb)
            + " ("
            + _fmt(out["statistic"] * 100, "{:.0f}")
            + f" %), below the {threshold * 100:.0f} % target."
        )
        return text

    table = _result(frame, rule, threshold, rate, severity, messages, flagged_only)
    return table, severity


def reporting_completeness(
    reporting: pd.DataFrame,
    *,
    threshold: float = WHO_DEFAULTS["reporting_completeness"],
    per_period: bool = False,
    flagged_only: bool = True,
    org_unit: str = "org_unit",
    period: str = "period",
    expected: str = "expected",
    received: str = "received",
    dataset: str = "dataset",
) -> pd.DataFrame:
    """Reports received out of reports expected (WHO DQR completeness of reporting).

    Source: WHO, *Data quality review, Module 1: Framework and metrics* (2017),
    metric "completeness of facility reporting": reports received divided by
    reports expected; an org unit below 90 % is flagged.

    Convention: summed over every period given, per org unit (and per data set if
    the reporting data have a ``dataset`` column, shown in ``data_element``);
    ``per_period=True`` gives one row per month. ``statistic`` is the proportion
    (0.9 = 90 %). Nothing expected gives ``"no_data"``. A unit is flagged when the
    proportion is strictly below the threshold.
    """
    rep = _reporting(reporting, org_unit, period, expected, received, "", "", "", dataset, False)
    return _rate_table(
        rep,
        "received",
        "expected",
        threshold,
        "reporting_completeness",
        flagged_only,
        per_period,
        ("received", "expected"),
    )


def reporting_timeliness(
    reporting: pd.DataFrame,
    *,
    threshold: float = WHO_DEFAULTS["reporting_timeliness"],
    denominator: str = "expected",
    per_period: bool = False,
    flagged_only: bool = True,
    org_unit: str = "org_unit",
    period: str = "period",
    expected: str = "expected",
    received: str = "received",
    on_time: str = "on_time",
    submitted_on: str = "submitted_on",
    deadline: str = "deadline",
    dataset: str = "dataset",
) -> pd.DataFrame:
    """Reports received on time (WHO DQR timeliness of reporting).

    Source: WHO, *Data quality review, Module 1: Framework and metrics* (2017),
    metric "timeliness of facility reporting"; an org unit below 75 % is flagged.
    The denominator is the reports *expected* by default, as in DHIS2's
    ``REPORTING_RATE_ON_TIME`` (actual reports on time / expected reports), which
    the WHO Data Quality Tool reads for data sets (it asks analytics for the data
    set's reporting rates, ``src/appCore/appServiceDataAnalysis.js``, commit
    03c0533, ``datasetCompletenessAnalysis``): a report that never came is not on
    time. ``denominator="received"`` divides by the reports received instead.

    Convention: ``on_time`` is used when present; otherwise a received report is on
    time when ``submitted_on <= deadline`` (both dates). Summed over all periods
    given, per org unit (and data set).
    """
    if denominator not in ("received", "expected"):
        raise InputError(
            f"Unknown denominator {denominator!r}",
            todo="Use denominator='received' or 'expected'",
        )
    rep = _reporting(
        reporting,
        org_unit,
        period,
        expected,
        received,
        on_time,
        submitted_on,
        deadline,
        dataset,
        True,
    )
    return _rate_table(
        rep,
        "on_time",
        denominator,
        threshold,
        "reporting_timeliness",
        flagged_only,
        per_period,
        ("on time", denominator),
    )


def data_element_completeness(
    data: pd.DataFrame,
    reporting: pd.DataFrame | None = None,
    *,
    threshold: float = WHO_DEFAULTS["data_element_completeness"],
    zero_is_missing: bool = False,
    expected: str | pd.DataFrame = "reported",
    flagged_only: bool = True,
    org_unit: str = "org_unit",
    period: str = "period",
    data_element: str = "data_element",
    value: str = "value",
    received: str = "received",
) -> pd.DataFrame:
    """Share of received reports in which a data element is filled in.

    Source: WHO, *Data quality review, Module 1: Framework and metrics* (2017),
    metric "completeness of indicator data": values present divided by reports
    received; below 90 % is flagged. Module 2 notes that zeros may have to be
    treated as missing where a zero is implausible (``zero_is_missing=True``).

    Convention: with ``reporting``, the months counted are those in which the org
    unit's report was received (``received > 0`` for any data set). Without it,
    every month from the first to the last month in the data is expected from
    every org unit. Per org unit and data element; ``statistic`` is the
    proportion.

    Which data elements an org unit is expected to fill in (``expected``): a
    blank cell only counts as missing for a service the unit offers. A
    community clinic that offers no antenatal care leaves ANC blank every month,
    and that is not a data-quality problem.

    * ``"reported"`` (default): an org unit is expected to fill in the data
      elements it filled in at least once in the data reviewed (a value present,
      and not zero when ``zero_is_missing``). Services the unit never reported
      are left out, which also hides a service that is offered but never once
      recorded; give the list of services offered to catch that.
    * a DataFrame with columns ``org_unit`` and ``data_element`` (the names given
      by the ``org_unit`` and ``data_element`` arguments): the services each unit
      offers; only those pairs are counted.
    * ``"all"``: every data element from every org unit (the metric applied
      literally).
    """
    prep = _prepare(data, org_unit, period, data_element, value)
    if not len(prep):
        return _empty_result()
    return _element_completeness(
        prep,
        reporting,
        threshold,
        zero_is_missing,
        flagged_only,
        org_unit,
        period,
        received,
        expected,
        data_element,
    )[0]


def _expected_matrix(expected, units, prep, row_unit, rows, present, org_unit, data_element):
    """Boolean (unit, data element) matrix: is the unit expected to fill in the element?"""
    shape = (len(units), prep.n_de)
    if isinstance(expected, str):
        if expected == "all":
            return np.ones(shape, dtype=bool)
        if expected == "reported":
            ok = rows[present[rows]]
            ever = np.bincount(
                row_unit[ok] * prep.n_de + prep.de[ok], minlength=shape[0] * shape[1]
            )
            return (ever > 0).reshape(shape)
    elif isinstance(expected, pd.DataFrame):
        require_columns(
            expected, [org_unit, data_element], "the list of services offered", COLUMNS_TODO
        )
        u = pd.Index(units).get_indexer(pd.Index(expected[org_unit].astype(str).str.strip()))
        d = pd.Index(prep.de_uniques).get_indexer(
            pd.Index(expected[data_element].astype(str).str.strip())
        )
        keep = (u >= 0) & (d >= 0)
        matrix = np.zeros(shape, dtype=bool)
        matrix[u[keep], d[keep]] = True
        return matrix
    raise InputError(
        "The choice of which data elements each place should fill in is not understood",
        where="the 'expected' setting of the data element completeness check",
        todo="Use 'reported' (the services each place reported at least once), 'all', or a "
        "table of the services each place offers with org unit and data element columns",
    )


def _element_completeness(
    prep,
    reporting,
    threshold,
    zero_is_missing,
    flagged_only,
    org_unit,
    period,
    received,
    expected="reported",
    data_element="data_element",
):
    """Table of :func:`data_element_completeness`, severity codes and data element codes."""
    x = prep.value
    present = ~np.isnan(x)
    if zero_is_missing:
        present &= x != 0
    valid = (prep.ou >= 0) & (prep.de >= 0) & (prep.month != _NAT)
    known = prep.month[prep.month != _NAT]
    lo, hi = (int(known.min()), int(known.max())) if len(known) else (0, 0)
    if reporting is not None:
        require_columns(reporting, [org_unit, period, received], "the reporting data", COLUMNS_TODO)
        rep_month, _ = _monthly(reporting[period], "reporting data", period)
        got = as_number(reporting[received], "reporting data", received).to_numpy() > 0
        unit, units = _factorize(reporting[org_unit])
        sent = (unit >= 0) & (rep_month != _NAT) & got
        if sent.any():
            lo, hi = min(lo, int(rep_month[sent].min())), max(hi, int(rep_month[sent].max()))
        span = hi - lo + 1
        # (org unit, month) of every received report, as one number
        sent = np.unique(unit[sent] * span + (rep_month[sent] - lo))
        n_received = np.bincount(sent // span, minlength=len(units)).astype("float64")
        # routine org units as reporting org units (-1 when not in the reporting data)
        as_rep = pd.Index(units).get_indexer(pd.Index(prep.ou_uniques))
        row_unit = np.where(valid, as_rep[np.maximum(prep.ou, 0)], -1)
        cell = np.where(row_unit >= 0, row_unit * span + (prep.month - lo), 0)
        if len(units) * span <= 8 * len(prep) + 1_000_000:
            grid = np.zeros(len(units) * span, dtype=bool)
            grid[sent] = True
            counted = (row_unit >= 0) & grid[cell]
        else:
            counted = (row_unit >= 0) & np.isin(cell, sent)
    else:
        span = hi - lo + 1
        units = prep.ou_uniques
        n_received = np.full(prep.n_ou, float(span))
        row_unit = prep.ou
        counted = valid
    # a repeated (org unit, month, data element) counts once: its first row
    rows = np.flatnonzero(counted)
    key = (prep.ou[rows] * span + (prep.month[rows] - lo)) * prep.n_de + prep.de[rows]
    size = prep.n_ou * span * prep.n_de
    if size <= 8 * len(rows) + 1_000_000:
        repeated = np.bincount(key, minlength=size).max(initial=0) > 1
    else:
        repeated = True
    if repeated:
        rows = rows[~pd.Series(key).duplicated(keep="first").to_numpy()]
    filled = np.bincount(
        row_unit[rows] * prep.n_de + prep.de[rows],
        weights=present[rows],
        minlength=len(units) * prep.n_de,
    ).reshape(len(units), prep.n_de)
    expect = _expected_matrix(
        expected, units, prep, row_unit, rows, present, org_unit, data_element
    )
    expect &= (n_received > 0)[:, None]
    cells = np.flatnonzero(expect.ravel())
    out_unit = cells // prep.n_de
    out_de = cells % prep.n_de
    t = filled[out_unit, out_de].astype("float64")
    b = n_received[out_unit]

    def columns(rows: np.ndarray) -> dict:
        return {
            "org_unit": units.take(out_unit[rows]),
            "period": None,
            "data_element": prep.de_uniques.take(out_de[rows]),
            "value": t[rows],
        }

    return _rate_result(
        columns,
        t,
        b,
        threshold,
        "data_element_completeness",
        flagged_only,
        False,
        ("values filled in", "received"),
    ) + (out_de,)
