"""How many people (or records) a survey or an audit needs.

:func:`sample_size_proportion` (and its sentence, :func:`sample_size_sentence`),
:func:`margin_of_error`, :func:`sample_size_two_proportions`,
:func:`design_effect` with the WHO defaults :data:`ICC_DEFAULTS`, and
:func:`parse_population`, which reads a typed population size.
"""

from __future__ import annotations

import math

from scipy import stats

from phcpm.errors import InputError
from phcpm.sampling._checks import _ceil, _check_fraction

__all__ = [
    "ICC_DEFAULTS",
    "z_value",
    "sample_size_proportion",
    "sample_size_sentence",
    "margin_of_error",
    "sample_size_two_proportions",
    "design_effect",
    "parse_population",
]

#: Intracluster correlation (ICC) values used when no local estimate exists.
#:
#: Source: the World Health Organization "Vaccination Coverage Cluster Surveys:
#: Reference Manual" (WHO/IVB/18.09, 2018), as summarised by Rhoda et al.,
#: "Sample size parameters for vaccination coverage cluster surveys: insights
#: from Pakistan", Journal of Survey Statistics and Methodology (2025,
#: doi:10.1093/jssam/smaf033): WHO materials from the 1970s until 2015 assumed
#: the ICC of a coverage survey would rarely exceed 1/6; the 2018 manual
#: recommends the more cautious 1/3 for routine immunization surveys when no
#: recent evidence-based estimate is available.
ICC_DEFAULTS: dict[str, float] = {
    "routine immunization, no recent local estimate (WHO 2018)": 1 / 3,
    "older WHO guidance, before 2015": 1 / 6,
}


def z_value(confidence: float) -> float:
    """Two-sided normal quantile z = Φ⁻¹(1 − α/2) for a confidence level 1 − α.

    Exact quantile from ``scipy.stats.norm.ppf`` (1.959964 for 95 %), not the
    rounded 1.96 of printed tables.

    >>> round(z_value(0.95), 4)
    1.96
    """
    c = _check_fraction(confidence, "the confidence level", "confidence level")
    return float(stats.norm.ppf(1.0 - (1.0 - c) / 2.0))


def sample_size_proportion(
    p: float,
    margin: float,
    confidence: float = 0.95,
    deff: float = 1.0,
    population: float | None = None,
    relative: bool = False,
    convention: str = "cochran",
) -> int:
    """Number of people to interview to estimate a proportion (a coverage).

    Parameters
    ----------
    p : expected proportion (0.5 when nothing is known: the largest sample).
    margin : half-width of the confidence interval, as a proportion (0.05 for
        "plus or minus 5 percentage points"); with ``relative=True`` a fraction
        of ``p`` (0.1 for "plus or minus 10 % of the value").
    confidence : confidence level, default 0.95.
    deff : design effect (1 for simple random sampling; see :func:`design_effect`).
    population : size N of the population sampled, for the finite population
        correction; ``None`` for a large population.
    convention : ``"cochran"`` (default) or ``"openepi"``.

    Formula and convention
    ----------------------
    ``"cochran"`` (Cochran, *Sampling Techniques*, 3rd ed., 1977, eq. 4.2 and
    4.3; Lwanga & Lemeshow, *Sample Size Determination in Health Studies*, WHO,
    1991)::

        n0 = z² p (1 − p) / d²           z = Φ⁻¹(1 − α/2) exact, d = margin
        n1 = DEFF · n0                   design effect
        n  = n1 / (1 + n1 / N)           finite population correction, if N given
        round up (ceil) once, at the end

    ``"openepi"`` reproduces OpenEpi "Sample Size for Frequency in a Population"
    (Dean, Sullivan & Soe, OpenEpi version 3) and Epi Info StatCalc "Population
    survey" (CDC)::

        n = DEFF · N p (1 − p) / [ (d² / z²)(N − 1) + p (1 − p) ]

    rounded up; without N it is DEFF · z² p (1 − p) / d². The two conventions
    agree without N. With N they differ: OpenEpi uses N − 1, and applies the
    design effect AFTER the correction, so with DEFF > 1 and a small N it can
    ask for more people than the population holds (N = 100, p = 0.5, d = 0.05,
    DEFF 2: OpenEpi 160, Cochran 89). The Cochran convention never exceeds N.

    Example: p = 0.5, d = 0.05, 95 % gives n0 = 1.959964² × 0.25 / 0.0025 =
    384.15, so 385 people.

    >>> sample_size_proportion(0.5, 0.05)
    385
    >>> sample_size_proportion(0.5, 0.05, population=2000)
    323
    """
    p = _check_fraction(p, "the expected coverage", "expected coverage")
    try:
        margin = float(margin)
    except (TypeError, ValueError):
        raise InputError(
            f"The margin of error must be a number; '{margin}' is not",
            todo="Type the margin as a proportion, for example 0.05 for 5 percentage points",
        ) from None
    if not margin > 0 or math.isnan(margin):
        raise InputError(
            f"The margin of error must be more than 0; you gave {margin}",
            todo="Type the margin as a proportion, for example 0.05 for 5 percentage points",
        )
    d = margin * p if relative else margin
    if d >= 1:
        raise InputError(
            f"The margin of error must be less than 1 (100 %); you gave {margin}",
            todo="Give the margin as a proportion, for example 0.05 for 5 percentage points",
        )
    z = z_value(confidence)
    try:
        deff = float(deff)
    except (TypeError, ValueError):
        raise InputError(f"The design effect must be a number; '{deff}' is not") from None
    if not deff >= 1:
        raise InputError(
            f"The design effect must be 1 or more; you gave {deff}",
            todo="Use 1 for a simple random sample, or 1 + (m − 1) × ICC for a cluster sample",
        )
    N = None
    if population is not None:
        try:
            N = float(population)
        except (TypeError, ValueError):
            raise InputError(
                f"The population size must be a number; '{population}' is not"
            ) from None
        if not N >= 1:
            raise InputError(
                f"The population size must be at least 1; you gave {population}",
                todo="Leave the population empty for a large population",
            )
    pq = p * (1.0 - p)
    if convention == "cochran":
        n = deff * z * z * pq / (d * d)
        if N is not None:
            n = n / (1.0 + n / N)
    elif convention == "openepi":
        if N is None:
            n = deff * z * z * pq / (d * d)
        else:
            n = deff * N * pq / ((d * d / (z * z)) * (N - 1.0) + pq)
    else:
        raise InputError(f"Unknown convention '{convention}'", todo="Use 'cochran' or 'openepi'")
    return max(1, _ceil(n))


def margin_of_error(p: float, n: int, confidence: float = 0.95, deff: float = 1.0) -> float:
    """Half-width of the confidence interval for a proportion p from n people.

    d = z · √(DEFF · p (1 − p) / n), the Wald interval (Cochran 1977, eq. 3.17),
    the inverse of :func:`sample_size_proportion` without population correction.

    >>> round(margin_of_error(0.5, 385), 3)
    0.05
    """
    p = _check_fraction(p, "the coverage", "coverage", closed=True)
    if not n >= 1:
        raise InputError(f"The number of people must be at least 1; you gave {n}")
    return float(z_value(confidence) * math.sqrt(deff * p * (1.0 - p) / n))


def sample_size_sentence(
    p: float,
    margin: float,
    confidence: float = 0.95,
    deff: float = 1.0,
    population: float | None = None,
) -> str:
    """The result of :func:`sample_size_proportion` as one plain sentence.

    >>> sample_size_sentence(0.5, 0.05)[:30]
    'You need to interview 385 peop'
    """
    n = sample_size_proportion(p, margin, confidence, deff, population)
    text = (
        f"You need to interview {n:,} people to estimate a coverage of about "
        f"{p * 100:g} % within ± {margin * 100:g} percentage points, with "
        f"{confidence * 100:g} % confidence"
    )
    if deff > 1:
        text += f", allowing for a design effect of {deff:g}"
    if population is not None:
        text += f", in a population of {int(population):,}"
    return text + "."


def sample_size_two_proportions(
    p1: float,
    p2: float,
    power: float = 0.8,
    confidence: float = 0.95,
    ratio: float = 1.0,
    continuity: bool = False,
) -> tuple[int, int]:
    """People needed in each of two groups to detect a difference p1 vs p2.

    Two-sided test at level α = 1 − confidence with the given power. ``ratio``
    is n2 / n1 (people in group 2 for each person in group 1).

    Formula: Fleiss, *Statistical Methods for Rates and Proportions* (2nd ed.
    1981, eq. 3.18 and 3.19; Fleiss, Levin & Paik, 3rd ed., 2003, section 4.2),
    as in OpenEpi "Sample Size for Cross-Sectional, Cohort and Randomized
    Clinical Trial Studies" (columns "Fleiss" and "Fleiss with CC")::

        p̄ = (p1 + r p2) / (1 + r),  q̄ = 1 − p̄
        n1 = [z_α √((r + 1) p̄ q̄) + z_β √(r p1 q1 + p2 q2)]² / (r (p1 − p2)²)
        with continuity correction (``continuity=True``):
        n1' = n1 / 4 · (1 + √(1 + 2 (r + 1) / (n1 r |p1 − p2|)))²

    z_α = Φ⁻¹(1 − α/2), z_β = Φ⁻¹(power), exact. Convention (as OpenEpi):
    n1 is rounded up; n2 = r · n1 (unrounded) rounded up. The continuity
    correction is OFF by default (the plain Fleiss formula); switch it on for
    the more cautious, larger number.

    >>> sample_size_two_proportions(0.5, 0.6)
    (388, 388)
    """
    p1 = _check_fraction(p1, "the first proportion", "first proportion")
    p2 = _check_fraction(p2, "the second proportion", "second proportion")
    if p1 == p2:
        raise InputError(
            "The two proportions are equal, so there is no difference to detect",
            todo="Give the smallest difference that would matter to you",
        )
    power = _check_fraction(power, "the power", "power")
    try:
        r = float(ratio)
    except (TypeError, ValueError):
        raise InputError(f"The ratio of group sizes must be a number; '{ratio}' is not") from None
    if not r > 0:
        raise InputError(f"The ratio of group sizes must be more than 0; you gave {ratio}")
    za = z_value(confidence)
    zb = float(stats.norm.ppf(power))
    pbar = (p1 + r * p2) / (1.0 + r)
    qbar = 1.0 - pbar
    delta = abs(p1 - p2)
    n1 = za * math.sqrt((r + 1) * pbar * qbar) + zb * math.sqrt(r * p1 * (1 - p1) + p2 * (1 - p2))
    n1 = n1 * n1 / (r * delta * delta)
    if continuity:
        n1 = n1 / 4.0 * (1.0 + math.sqrt(1.0 + 2.0 * (r + 1.0) / (n1 * r * delta))) ** 2
    return _ceil(n1), _ceil(r * n1)


def design_effect(m: float, icc: float) -> float:
    """Design effect of a cluster sample: DEFF = 1 + (m − 1) · ICC.

    m is the number of people interviewed per cluster, ICC the intracluster
    correlation (Kish, *Survey Sampling*, 1965, section 5.4; WHO Vaccination
    Coverage Cluster Surveys Reference Manual, 2018). See :data:`ICC_DEFAULTS`.

    >>> round(design_effect(10, 1 / 3), 2)
    4.0
    """
    try:
        m = float(m)
        icc = float(icc)
    except (TypeError, ValueError):
        raise InputError("The cluster size and the ICC must be numbers") from None
    if not m >= 1:
        raise InputError(f"The number of people per cluster must be at least 1; you gave {m}")
    if not 0.0 <= icc <= 1.0:
        raise InputError(
            f"The intracluster correlation (ICC) must be from 0 to 1; you gave {icc}",
            todo="Use 1/3 if you have no local estimate (WHO 2018)",
        )
    return 1.0 + (m - 1.0) * icc


def parse_population(text: str | None, where: str = "the population size") -> float | None:
    """A population size typed by a user ("2 500", "12,400"), or ``None`` if empty.

    Thousands separators (commas, spaces) are allowed; text that is not a
    number is an :class:`InputError` (:func:`sample_size_proportion` checks the
    number itself).

    >>> parse_population("12,400")
    12400.0
    >>> parse_population("  ") is None
    True
    """
    cleaned = str(text or "").replace(",", "").replace(" ", "").replace("\u00a0", "").strip()
    if not cleaned:
        return None
    try:
        population = float(cleaned)
    except ValueError:
        raise InputError(
            f"The population size '{str(text).strip()}' is not a number",
            where=where,
            todo="Type a number such as 2500, or leave it empty",
        ) from None
    return population
