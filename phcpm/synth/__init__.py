"""Synthetic district data for the Republic of Sendara, a fictional country.

``python -m phcpm.synth`` writes every file in ``datasets/``; the same seed
always gives byte-identical files. :func:`generate` does the same from Python.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from phcpm.errors import InputError
from phcpm.paths import DATASETS
from phcpm.synth import dhis2, docs, geography, problems, services, surveys, workforce
from phcpm.synth._io import write_csv

#: The seed of the committed datasets.
DEFAULT_SEED = 20240501


def _catalogue() -> pd.DataFrame:
    """The indicator catalogue, written as ``indicator_catalogue.csv``.

    The catalogue is part of every full dataset: if ``phcpm.catalogue`` cannot be
    imported (or its data files cannot be read), generation stops with that error
    rather than writing a set of files without it.
    """
    from phcpm.catalogue import catalogue

    return catalogue()


def generate(
    out_dir: str | Path, seed: int = DEFAULT_SEED, facilities: int | None = None
) -> list[Path]:
    """Write the synthetic datasets to ``out_dir`` and return the paths written.

    With ``facilities`` None, write the full teaching set (about 150 facilities,
    every file). With a number, write only ``org_units.csv``, ``reporting.csv``
    and ``service_data.csv`` for that many facilities (for speed tests); this is
    refused for the repository's own ``datasets/`` folder.
    """
    out = Path(out_dir)
    if facilities is not None:
        if facilities < 6:
            raise InputError(
                f"{facilities} facilities is too few",
                where="the facilities option",
                todo="Ask for at least 6 facilities (one per district)",
            )
        if out.resolve() == DATASETS.resolve():
            raise InputError(
                "Large test data would overwrite the teaching datasets",
                where=str(out),
                todo="Choose another folder with --out",
            )
        return _write_scale(out, seed, facilities)
    return _write_full(out, seed)


def _write_scale(out: Path, seed: int, facilities: int) -> list[Path]:
    units = geography.org_units(seed, facilities)
    fac, serves, counts = services.true_counts(units, seed)
    reports, info = services.reporting(units, seed)
    sd = services.service_data(fac, serves, counts, info["received"])
    paths = [out / "org_units.csv", out / "reporting.csv", out / "service_data.csv"]
    write_csv(units, paths[0])
    write_csv(reports, paths[1])
    write_csv(sd, paths[2])
    return paths


def _write_full(out: Path, seed: int) -> list[Path]:
    units = geography.org_units(seed)
    elements = services.data_elements(seed)
    fac, serves, counts = services.true_counts(units, seed)
    reports, info = services.reporting(units, seed)
    clean = services.service_data(fac, serves, counts, info["received"])
    sd, key = problems.inject(clean, fac, reports, info, units, seed)
    staff = workforce.staff(units, seed)
    survey, truth = surveys.lqas(units, seed)
    measure, cycles = surveys.pdsa(units, seed)

    tables = {
        "org_units.csv": units,
        "data_elements.csv": elements,
        "service_data.csv": sd,
        "reporting.csv": reports,
        "population.csv": geography.population(units),
        "staff.csv": staff,
        "attendance.csv": workforce.attendance(units, staff, seed),
        "supervision_visits.csv": workforce.supervision_visits(units, seed),
        "appraisals.csv": workforce.appraisals(units, staff, seed),
        "lqas_survey.csv": survey,
        "lqas_true_coverage.csv": truth,
        "patient_register.csv": surveys.patient_register(units, seed),
        "patient_flow.csv": surveys.patient_flow(units, seed),
        "process_steps.csv": surveys.process_steps(),
        "pdsa_measure.csv": measure,
        "pdsa_cycles.csv": cycles,
        "pdsa_family_of_measures.csv": surveys.pdsa_family(measure, seed),
        "pdsa_ramp.csv": surveys.pdsa_ramp(units, seed),
        "district_scores.csv": surveys.district_scores(seed),
        "answer_key.csv": problems.finish_key([key]),
    }
    tables["indicator_catalogue.csv"] = _catalogue()
    written = []
    for name, df in tables.items():
        # The catalogue's targets are typed-in reference numbers: keep them as given.
        write_csv(df, out / name, float_format="%.10g" if name.startswith("indicator") else "%.3f")
        written.append(out / name)
    dhis2.write_all(out, sd, units, elements, reports, seed)
    written += [out / "dhis2" / n for n in dhis2.FILES]
    written += docs.write_docs(out, sorted(tables), tables)
    return written


__all__ = ["DEFAULT_SEED", "generate"]
