"""What a user gives the sampling tools: area populations, survey columns.

:func:`area_populations` reads populations typed one area a line;
:func:`area_weights` picks the populations for the district estimate;
:func:`guess_survey_columns` proposes the area, answer and population columns.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from phcpm.errors import InputError, require_columns
from phcpm.sampling._checks import _columns_todo

__all__ = ["area_populations", "area_weights", "SurveyColumns", "guess_survey_columns"]


def area_populations(text: str, areas: Iterable[str] | None = None) -> dict[str, float] | None:
    """Populations typed one area a line ("Ruvo North: 12,400"), as area → population.

    The name and the number may be separated by a colon, a tab, a comma or a
    semicolon; thousands separators (commas, spaces) in the number are allowed.
    Lines with a name and no number are left out; an empty text (or only names)
    gives ``None``: no populations. With ``areas``, a name that is not one of
    them is an error, so that a typing mistake cannot drop an area silently.

    >>> area_populations("Ruvo North: 12,400\\nRuvo South: 8000")
    {'Ruvo North': 12400.0, 'Ruvo South': 8000.0}
    """
    known = None if areas is None else {str(a).strip(): str(a) for a in areas}
    out: dict[str, float] = {}
    for number, line in enumerate(str(text or "").splitlines(), start=1):
        if not line.strip():
            continue
        for sep in (":", "\t", ";", ","):
            if sep in line:
                name, _, value = line.partition(sep)
                break
        else:
            name, value = line, ""
        name = name.strip()
        value = value.replace(",", "").replace(" ", "").replace("\u00a0", "").strip()
        if not value:
            continue
        try:
            population = float(value)
        except ValueError:
            raise InputError(
                f"The population '{value}' of '{name}' is not a number",
                where=f"line {number} of the populations",
                todo="Write one area a line, its name, a colon and a number: Ruvo North: 12400",
            ) from None
        if not math.isfinite(population) or population <= 0:
            raise InputError(
                f"The population of '{name}' is {value}",
                where=f"line {number} of the populations",
                todo="Give a number of people above 0",
            )
        if known is not None and name not in known:
            raise InputError(
                f"'{name}' is not one of the areas in the survey",
                where=f"line {number} of the populations",
                todo="Use the area names as the survey writes them",
            )
        out[known[name] if known is not None else name] = population
    return out or None


def area_weights(
    survey: pd.DataFrame, area_col: str, population_col: str | None = None, typed: str = ""
) -> str | dict | None:
    """The populations a user gave for :func:`district_coverage`'s ``weights``.

    A column of the survey (``population_col``) wins; otherwise the lines
    ``typed`` one area a line (:func:`area_populations`), keyed by the areas as
    the survey writes them; ``None`` when neither gives any population.

    >>> survey = pd.DataFrame({"area": ["A", "B"], "anc4": [1, 0]})
    >>> area_weights(survey, "area", typed="A: 100\\nB: 300")
    {'A': 100.0, 'B': 300.0}
    >>> area_weights(survey, "area") is None
    True
    """
    if population_col:
        return population_col
    require_columns(survey, [area_col], "the survey table", _columns_todo(survey))
    areas = pd.unique(survey[area_col].dropna())
    by_text = {str(a): a for a in areas}
    given = area_populations(typed, areas=list(by_text))
    return None if given is None else {by_text[k]: v for k, v in given.items()}


@dataclass(frozen=True)
class SurveyColumns:
    """What :func:`guess_survey_columns` proposes for a survey table."""

    area: str
    answers: list[str]
    populations: list[str]


def guess_survey_columns(df: pd.DataFrame, known: Iterable[str] = ()) -> SurveyColumns:
    """First guesses of the area column, the answer columns and population columns.

    The area column is the first whose name holds "area" (else the first
    column); the answers are the ``known`` indicator columns present (else every
    other column), at most six; population columns are the other numeric
    columns whose name holds "pop".

    >>> df = pd.DataFrame({"supervision_area": ["A"], "anc4": [1], "population": [900]})
    >>> guess_survey_columns(df, ["anc4", "penta3"])
    SurveyColumns(area='supervision_area', answers=['anc4'], populations=['population'])
    """
    columns = [str(c) for c in df.columns]
    if not columns:
        raise InputError("The table has no columns", todo="Choose a file with headings")
    area = next((c for c in columns if "area" in c.lower()), columns[0])
    known = set(known)
    answers = [c for c in columns if c in known] or [c for c in columns if c != area]
    populations = [
        c
        for c in columns
        if c != area
        and c not in answers
        and pd.api.types.is_numeric_dtype(df[c])
        and "pop" in c.lower()
    ]
    return SurveyColumns(area=area, answers=answers[:6], populations=populations)
