"""The annual review's numbers per org unit: values added up by level, then each metric.

Part of the annual review (:mod:`phcpm.quality.annual`, where the sources of every
rule are listed): the values of every level are added up once into a cube of
(unit, data element, year, month), and the unit tables are read from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from phcpm.quality.consistency import _forecast
from phcpm.quality.levels import LEVELS
from phcpm.quality.preparation import _NAT, _Routine

__all__: list[str] = []


@dataclass
class _Level:
    """Values of one level added up per (unit, data element, year, month)."""

    name: str
    units: pd.Index  # unit names at this level
    unit_of_ou: np.ndarray  # unit code of every org unit code of the data (-1: none)
    district: np.ndarray  # district of each unit (object, may be None)
    region: np.ndarray
    value: np.ndarray  # (n_units, n_de, n_years, 12), NaN where no value
    first_year: int

    def year(self, year: int) -> np.ndarray:
        return self.value[:, :, year - self.first_year, :]

    def totals(self, year: int) -> np.ndarray:
        """Yearly totals (n_units, n_de); NaN where the year has no value; NaN for years
        outside the data."""
        i = year - self.first_year
        if i < 0 or i >= self.value.shape[2]:
            return np.full(self.value.shape[:2], np.nan)
        v = self.value[:, :, i, :]
        present = ~np.isnan(v)
        return np.where(present.any(axis=2), np.where(present, v, 0.0).sum(axis=2), np.nan)


def _cube(prep: _Routine, unit: np.ndarray, n_units: int, first_year: int, n_years: int):
    """(n_units, n_de, n_years, 12) sums of the values of each cell; NaN when none."""
    known = (unit >= 0) & (prep.de >= 0) & (prep.month != _NAT) & ~np.isnan(prep.value)
    rows = np.flatnonzero(known)
    month = prep.month[rows]
    yi = month // 12 + 1970 - first_year
    inside = (yi >= 0) & (yi < n_years)
    rows, month, yi = rows[inside], month[inside], yi[inside]
    key = ((unit[rows] * prep.n_de + prep.de[rows]) * n_years + yi) * 12 + month % 12
    size = n_units * prep.n_de * n_years * 12
    sums = np.bincount(key, weights=prep.value[rows], minlength=size)
    count = np.bincount(key, minlength=size)
    out = np.where(count > 0, sums, np.nan)
    return out.reshape(n_units, prep.n_de, n_years, 12)


def _levels(prep: _Routine, tree: pd.DataFrame, first_year: int, n_years: int) -> list[_Level]:
    """One :class:`_Level` per level that the hierarchy knows (facility always).

    The facility cube is added up from the rows once; the higher levels add up the
    facility cube (a matrix product with the membership of each facility).
    """
    out = []
    own = tree.reindex(pd.Index(prep.ou_uniques))
    fac_value = None
    fac_unit = None
    for name in LEVELS:
        labels = own[name]
        if name != "facility" and labels.isna().all():
            continue
        codes, units = pd.factorize(labels, sort=True)
        codes = np.asarray(codes, dtype=np.int64)
        first = pd.DataFrame({"u": codes, "d": own["district"], "r": own["region"]})
        first = (
            first[first["u"] >= 0].drop_duplicates("u").set_index("u").reindex(range(len(units)))
        )
        district = first["d"].to_numpy(dtype=object)
        region = first["r"].to_numpy(dtype=object)
        if name == "district":
            district = np.asarray(units, dtype=object)
        if name == "region":
            region, district = np.asarray(units, dtype=object), np.full(len(units), None)
        if fac_value is None:
            unit = np.where(prep.ou >= 0, codes[np.maximum(prep.ou, 0)], -1)
            value = _cube(prep, unit, len(units), first_year, n_years)
            fac_value, fac_unit = value, codes
        else:
            # membership: facility unit -> unit of this level (through any org unit)
            member = np.zeros((len(units), fac_value.shape[0]))
            ok = (codes >= 0) & (fac_unit >= 0)
            member[codes[ok], fac_unit[ok]] = 1.0
            flat = fac_value.reshape(fac_value.shape[0], -1)
            present = ~np.isnan(flat)
            sums = member @ np.where(present, flat, 0.0)
            count = member @ present.astype("float64")
            value = np.where(count > 0, sums, np.nan).reshape((len(units),) + fac_value.shape[1:])
        out.append(
            _Level(
                name=name,
                units=pd.Index(units),
                unit_of_ou=codes,
                district=district,
                region=region,
                value=value,
                first_year=first_year,
            )
        )
    return out


# ------------------------------------------------------------------ unit tables
def _frame(
    level: _Level,
    ui,
    metric,
    element,
    numerator,
    denominator,
    score,
    count=None,
    ref=None,
    years=None,
    years_back: int = 3,
):
    """Rows of the unit table for the units ``ui`` of ``level`` (one row each)."""
    n = len(ui)
    nan = np.full(n, np.nan)
    out = {
        "level": level.name,
        "org_unit": np.asarray(level.units, dtype=object)[ui],
        "district": np.asarray(level.district, dtype=object)[ui],
        "region": np.asarray(level.region, dtype=object)[ui],
        "metric": metric,
        "data_element": element,
        "numerator": np.asarray(numerator, dtype="float64"),
        "denominator": np.asarray(denominator, dtype="float64"),
        "score": np.asarray(score, dtype="float64"),
        "count": np.asarray(count if count is not None else nan, dtype="float64"),
        "reference_years": np.asarray(ref if ref is not None else nan, dtype="float64"),
    }
    for k in range(years_back):
        out[f"year_{k + 1}"] = years[:, k] if years is not None else nan
    return pd.DataFrame(out)


def _outlier_counts(v: np.ndarray, moderate: float, extreme: float):
    """Per series (last axis = months): values, extreme and moderate outliers (strict)."""
    present = ~np.isnan(v)
    n = present.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(v, axis=-1) / n
        dev = np.where(present, v - mean[..., None], 0.0)
        sd = np.sqrt((dev * dev).sum(axis=-1) / (n - 1))
        z = np.abs(dev) / sd[..., None]
    z = np.where(present & (sd[..., None] > 0), z, 0.0)
    ext = (z > extreme).sum(axis=-1)
    mod = ((z > moderate) & (z <= extreme)).sum(axis=-1)
    return n, ext, mod, z


def _unit_metrics(
    level,
    year,
    names,
    expected,
    relations,
    years_back,
    moderate,
    extreme,
    zero_usual,
    method="mean",
):
    """Tables of the raw numbers of every metric for every unit of ``level``."""
    v = level.year(year)  # (units, de, 12)
    n, ext, mod, _ = _outlier_counts(v, moderate, extreme)
    n = n.astype(float)
    zeros = (v == 0).sum(axis=-1)
    now = level.totals(year)
    past = np.stack([level.totals(year - k) for k in range(years_back, 0, -1)], axis=-1)
    n_ref = (~np.isnan(past)).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ref = np.where(n_ref > 0, np.nansum(past, axis=-1) / np.maximum(n_ref, 1), np.nan)
    if method == "trend":  # straight line through the preceding years, all with data
        line = _forecast(np.nan_to_num(past.reshape(-1, years_back))).reshape(past.shape[:2])
        ref = np.where(n_ref == years_back, line, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(ref > 0, now / ref, np.nan)
        ext_share, mod_share = ext / n, mod / n
    ui, di = np.nonzero(expected)  # the (unit, data element) pairs to review
    element = np.asarray(names, dtype=object)[di]
    twelve = np.full(len(ui), 12.0)
    kw = {"years_back": years_back}
    parts = [
        _frame(
            level, ui, "data_element_completeness", element, n[ui, di], twelve, n[ui, di] / 12, **kw
        ),
    ]
    nz = ~np.asarray(zero_usual)[di]
    if nz.any():
        u2, d2 = ui[nz], di[nz]
        present = n[u2, d2] - zeros[u2, d2]
        parts.append(
            _frame(
                level,
                u2,
                "data_element_nonzero",
                element[nz],
                present,
                twelve[nz],
                present / 12,
                **kw,
            )
        )
    parts += [
        _frame(
            level,
            ui,
            "outlier_extreme",
            element,
            ext[ui, di],
            n[ui, di],
            ext_share[ui, di],
            ext[ui, di],
            **kw,
        ),
        _frame(
            level,
            ui,
            "outlier_moderate",
            element,
            mod[ui, di],
            n[ui, di],
            mod_share[ui, di],
            mod[ui, di],
            **kw,
        ),
        _frame(
            level,
            ui,
            "consistency_over_time",
            element,
            now[ui, di],
            ref[ui, di],
            ratio[ui, di],
            None,
            n_ref[ui, di],
            past[ui, di],
            **kw,
        ),
    ]
    code = pd.Index(names)
    for rel in relations.itertuples(index=False):
        ia, ib = code.get_indexer([rel.a, rel.b])
        if ia < 0 or ib < 0:
            continue
        a, b = now[:, ia], now[:, ib]
        keep = np.flatnonzero(~(np.isnan(a) & np.isnan(b)))
        score = _relation_score(rel.type, a[keep], b[keep])
        parts.append(_frame(level, keep, "relation", rel.code, a[keep], b[keep], score, **kw))
    return parts


def _relation_score(kind: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == "do":  # mathService.dropOutRate, appServiceMath.js lines 173-175
            return np.where(a == b, 0.0, (a - b) / a)
        return a / b


def _reporting_metrics(level: _Level, tree, reporting, year, org_unit, period, years_back=3):
    """Reports expected, received and on time per unit of the level (the reporting rows
    given are those of the review year).

    A blank count adds nothing to a unit's total, as in DHIS2's reporting rates
    (a report that never came has no on-time date, so its row often has no
    on-time value); a unit has a figure for a count when at least one of its rows
    has that count, otherwise the metric is "no data" for the unit.
    """
    rep = reporting
    own = tree.reindex(pd.Index(rep[org_unit].to_numpy()))[level.name].to_numpy(dtype=object)
    unit = level.units.get_indexer(pd.Index(own))
    keep = unit >= 0
    size = len(level.units)

    def total(column):
        values = rep[column].to_numpy(float)[keep]
        given = ~np.isnan(values)
        sums = np.bincount(unit[keep][given], weights=values[given], minlength=size)
        counted = np.bincount(unit[keep][given], minlength=size) > 0
        return np.where(counted, sums, np.nan)

    expected, received = total("expected"), total("received")
    has = np.flatnonzero(np.bincount(unit[keep], minlength=size) > 0)
    kw = {"years_back": years_back}
    with np.errstate(invalid="ignore", divide="ignore"):
        parts = [
            _frame(
                level,
                has,
                "reporting_completeness",
                "reports",
                received[has],
                expected[has],
                received[has] / expected[has],
                **kw,
            )
        ]
        if "on_time" in rep:
            on_time = total("on_time")
            parts.append(
                _frame(
                    level,
                    has,
                    "reporting_timeliness",
                    "reports",
                    on_time[has],
                    expected[has],
                    on_time[has] / expected[has],
                    **kw,
                )
            )
    return parts
