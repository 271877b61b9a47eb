"""Which column is which: guesses from the headings, checked against the content.

A guess is only kept when the column's content agrees with it: a column whose
cells are periods (codes such as 202401 or names such as "January 2024") can
never be the value or the place; the value must be numbers. When no
assignment passes the checks, or two pass equally well, :func:`decide` raises
:class:`~phcpm.io.NeedsMapping` so that a tool can ask the user.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from phcpm.errors import InputError
from phcpm.io._common import ROLE_WORDS, NeedsMapping, blank_cells, name_list, norm
from phcpm.io._numbers import numbers
from phcpm.periods import parse_period, parse_period_codes

__all__ = [
    "CONTENT_SHARE",
    "HEADING_SHARE",
    "SAMPLE_ROWS",
    "decide",
    "describe_mapping",
    "guess_mapping",
    "heading_role",
    "Profile",
    "profile",
]

_HEADER_WORDS = {
    "org_unit": [
        "orgunit",
        "organisationunit",
        "organizationunit",
        "orgunitname",
        "facility",
        "healthfacility",
        "facilityname",
        "district",
        "site",
        "clinic",
        "healthcentre",
        "healthcenter",
        "ward",
        "unit",
        "etablissement",
        "formationsanitaire",
        "fosa",
        "structure",
        "centredesante",
        "unitedorganisation",
        "district sanitaire",
        "unidadeorganizacional",
        "unidadesanitaria",
        "us",
        "estabelecimento",
        "distrito",
        "orgunitid",
        "organisationunitid",
        "place",
        "location",
    ],
    "period": [
        "period",
        "periodid",
        "month",
        "date",
        "reportingperiod",
        "periode",
        "mois",
        "periodo",
        "mes",
        "week",
        "semaine",
        "semana",
        "quarter",
        "trimestre",
    ],
    "data_element": [
        "dataelement",
        "data",
        "dataelementname",
        "indicator",
        "dataid",
        "variable",
        "elementdedonnees",
        "indicateur",
        "elementodedados",
        "indicador",
        "service",
        "item",
    ],
    "value": [
        "value",
        "count",
        "number",
        "total",
        "valeur",
        "nombre",
        "valor",
        "numero",
        "quantidade",
        "quantite",
        "cases",
        "visits",
        "amount",
    ],
}


_FOLDED_WORDS = {role: [norm(w) for w in words] for role, words in _HEADER_WORDS.items()}

#: Share of a column's cells that must fit a role when only the content says so,
#: and when the heading says so too.
CONTENT_SHARE = 0.8
HEADING_SHARE = 0.5
#: Rows looked at to judge a column.
SAMPLE_ROWS = 200


@dataclass
class Profile:
    """What a column's first cells look like."""

    filled: int
    periods: float
    numbers: float
    text: float
    float_dtype: bool

    @property
    def period_like(self) -> bool:
        return self.filled > 0 and self.periods >= CONTENT_SHARE and not self.float_dtype


def _is_period(value) -> bool:
    try:
        parse_period(value)
    except InputError:
        return False
    return True


def profile(values: pd.Series) -> Profile:
    """Share of the first :data:`SAMPLE_ROWS` filled cells that are periods, numbers, text."""
    head = values.iloc[:SAMPLE_ROWS]
    filled = head[~blank_cells(head)]
    n = len(filled)
    if n == 0:
        return Profile(0, 0.0, 0.0, 0.0, False)
    float_dtype = pd.api.types.is_float_dtype(filled.dtype) and not np.all(
        np.mod(filled.to_numpy(dtype=float), 1) == 0
    )
    uniques, counts = np.unique(filled.astype(str).to_numpy(), return_counts=True)
    originals = {str(v): v for v in filled.tolist()}
    is_period = np.array([_is_period(originals[u]) for u in uniques], dtype=bool)
    periods = float(counts[is_period].sum()) / n
    number_values, _ = numbers(filled, None)
    share_numbers = float(number_values.notna().mean())
    return Profile(n, periods, share_numbers, 1.0 - share_numbers, float_dtype)


def heading_role(name: object) -> tuple[str, int] | None:
    """``(role, rank)`` if the heading names a role (rank: lower is surer)."""
    folded = norm(name)
    for role, words in _FOLDED_WORDS.items():
        if folded in words:
            return role, words.index(folded)
    return None


def _fits(role: str, prof: Profile, by_heading: bool) -> bool:
    """Whether a column's content allows the role."""
    if prof.filled == 0:
        return False
    share = HEADING_SHARE if by_heading else CONTENT_SHARE
    if role == "period":
        return prof.periods >= share and not prof.float_dtype
    if role == "value":
        if prof.period_like:
            return False
        return prof.numbers > 0 if by_heading else prof.numbers >= share
    # places and data elements: names or codes, never periods
    if prof.period_like:
        return False
    if by_heading:
        return True
    return prof.text >= share


def _candidates(frame: pd.DataFrame, profiles: dict) -> dict[str, list[tuple[int, int, str]]]:
    """Per role, the columns that may play it: ``(score, -rank, column)``, best first.

    Score 2: the heading names the role and the content agrees; 1: the content
    alone fits (no heading names another role).
    """
    out: dict[str, list[tuple[int, int, str]]] = {r: [] for r in _HEADER_WORDS}
    for col in frame.columns:
        hit = heading_role(col)
        for role in _HEADER_WORDS:
            if hit is not None and hit[0] == role:
                if _fits(role, profiles[col], True):
                    out[role].append((2, -hit[1], col))
            elif hit is None and _fits(role, profiles[col], False):
                out[role].append((1, 0, col))
    for role in out:
        out[role].sort(key=lambda t: (-t[0], -t[1]))
    return out


def _assign(cands: dict[str, list[tuple[int, int, str]]], columns: list):
    """Best assignment of roles to distinct columns, and the roles where two
    columns fit equally well. Roles are filled in the order period, value,
    place, data element (the surest checks first)."""
    mapping: dict[str, str] = {}
    ties: dict[str, list[str]] = {}
    used: set[str] = set()
    for role in ("period", "value", "org_unit", "data_element"):
        options = [c for c in cands[role] if c[2] not in used]
        if not options:
            continue
        best = options[0]
        equal = [c[2] for c in options if c[:2] == best[:2]]
        if len(equal) > 1 and best[0] == 1:
            if not (role == "data_element" and "org_unit" in ties):
                ties[role] = equal
            continue
        mapping[best[2]] = role
        used.add(best[2])
    return mapping, ties


def guess_mapping(df: pd.DataFrame) -> dict[str, str]:
    """Guess which column plays which role: ``{column_name: role}``.

    Roles are ``org_unit``, ``period``, ``data_element`` and ``value``. Headings
    are matched in English, French, Portuguese and Spanish, and each guess is
    checked against the column's content (a column of periods is never the
    value or the place; the value must be numbers). Columns without a telling
    heading are judged by their content alone. Roles that two columns fit
    equally well are left out (:func:`decide` says which).
    """
    profiles = {c: profile(df[c]) for c in df.columns}
    mapping, _ = _assign(_candidates(df, profiles), list(df.columns))
    return {c: r for c, r in sorted(mapping.items(), key=lambda kv: list(df.columns).index(kv[0]))}


_MISSING_LABELS = {"org_unit": "org unit (place)", "period": "period", "value": "value"}


def decide(df: pd.DataFrame) -> dict[str, str]:
    """The mapping :func:`phcpm.io.tidy` uses for an ordinary table, or
    :class:`NeedsMapping` when the file cannot say."""
    profiles = {c: profile(df[c]) for c in df.columns}
    cands = _candidates(df, profiles)
    mapping, ties = _assign(cands, list(df.columns))
    if "period" in ties and _same_periods(df, ties["period"]):
        # The same period written twice ("January 2024" and "202401"): either will do.
        mapping[ties.pop("period")[0]] = "period"
    ordered = {c: mapping[c] for c in df.columns if c in mapping}
    roles = set(mapping.values())
    columns = [str(c) for c in df.columns]
    missing = [r for r in ("org_unit", "period", "value") if r not in roles and r not in ties]
    if missing:
        why = []
        for role in missing:
            named = [c for c in df.columns if (heading_role(c) or ("", 0))[0] == role]
            if named:
                kind = {"period": "periods", "value": "numbers"}.get(role, "names")
                why.append(
                    f"{name_list(named)} is headed like the {role.replace('_', ' ')} "
                    f"but does not hold {kind}"
                )
        refused = [
            m
            for m in ("period", "value")
            if m in missing and any((heading_role(c) or ("", 0))[0] == m for c in df.columns)
        ]
        if refused:
            # The heading names the column, but its content cannot be used: no row can be.
            kind = "no period can be read" if "period" in refused else "no value is a number"
            raise InputError(
                f"No row of the table can be used: {kind} (" + "; ".join(why) + ")",
                where="columns found: " + name_list(columns),
                todo="Check that you chose the right file: periods look like 202401 or "
                "January 2024, and values are numbers",
            )
        raise NeedsMapping(
            "The table has no column for the "
            + ", ".join(_MISSING_LABELS[m] for m in missing)
            + ("; " + "; ".join(why) if why else ""),
            candidates=[ordered] if ordered else [],
            columns=columns,
            missing=missing,
            where="columns found: " + name_list(columns),
        )
    if ties:
        alternatives = []
        for combo in itertools.product(*[[(role, c) for c in cols] for role, cols in ties.items()]):
            chosen = [c for _, c in combo]
            if len(set(chosen)) < len(chosen):
                continue
            alt = dict(ordered)
            for role, col in combo:
                alt[col] = role
            alternatives.append(alt)
            if len(alternatives) >= 10:
                break
        role, cols = next(iter(ties.items()))
        raise NeedsMapping(
            f"The file does not say which column is the {ROLE_WORDS[role]}: "
            f"{name_list(cols)} fit equally well",
            candidates=alternatives,
            columns=columns,
            missing=[r for r in ties],
        )
    return ordered


def _same_periods(df: pd.DataFrame, cols: list) -> bool:
    """True when the columns give the same period on every row."""
    first_codes, first_parsed, _ = parse_period_codes(df[cols[0]])
    for col in cols[1:]:
        codes, parsed, _ = parse_period_codes(df[col])
        for i, j in set(zip(first_codes.tolist(), codes.tolist(), strict=True)):
            a, b = first_parsed[i], parsed[j]
            if a is None or b is None or a != b:
                return False
    return True


def describe_mapping(mapping: dict[str, str]) -> list[str]:
    """Plain words for a mapping: "'Facility' is the place (org unit)", ..."""
    return [f"'{c}' is the {ROLE_WORDS.get(r, r.replace('_', ' '))}" for c, r in mapping.items()]
