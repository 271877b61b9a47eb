"""Speed and memory of the WHO annual data quality review at three levels, beside a plain read.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_quality.py            # district and national
    .venv/bin/python benchmarks/bench_quality.py --only district

For each scale the script generates routine data (facilities x 36 months x 20 data
elements), reporting data and an org unit table (country, regions, districts,
facilities) into ``benchmarks/data/quality-<scale>/`` (seeded, so the same every
run), then measures in separate processes, one after the other on the same file:

* ``read``: ``pandas.read_csv`` of the routine data, nothing else (the baseline);
* ``review``: the same read, then :func:`phcpm.quality.review` on it, with the
  reporting data and the org unit table: the annual review of the last complete
  year at facility, district and region level, the verify-first list over every
  month, and the flag tables.

Peak memory is the maximum resident set size of each process, from
``/usr/bin/time -v`` when present, otherwise from ``resource.getrusage``.
Targets: district scale review <= 1 s; national scale review <= 30 s, peak
<= 6 GB, and review time <= 5 x read time. Results are printed as a Markdown table
and written to ``benchmarks/results/quality.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
RESULTS = ROOT / "benchmarks" / "results"
MONTHS = 36
ELEMENTS = ["ANC1", "ANC4", "PENTA1", "PENTA3"] + [f"DE{i:02d}" for i in range(1, 17)]
SCALES = {"district": 150, "national": 10_000}
TARGETS = {"district": 1.0, "national": 30.0}
MAX_PEAK_GB = 6.0
MAX_RATIO = 5.0


def generate(name: str, facilities: int, seed: int = 20240601) -> Path:
    """Write routine and reporting CSVs for ``facilities`` facilities (seeded)."""
    folder = DATA / f"quality-{name}"
    routine = folder / "service_data.csv"
    if (
        routine.exists()
        and (folder / "reporting.csv").exists()
        and (folder / "org_units.csv").exists()
    ):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    periods = pd.period_range("2022-01", periods=MONTHS, freq="M").astype(str).to_numpy()
    units = np.array([f"FAC{i:05d}" for i in range(facilities)])
    n_el = len(ELEMENTS)
    level = rng.gamma(2.0, 40.0, size=(facilities, n_el))  # each facility's usual level
    level[:, 1] = level[:, 0] * 0.6  # ANC4 below ANC1
    level[:, 3] = level[:, 2] * 0.9  # PENTA3 below PENTA1
    values = rng.poisson(np.repeat(level[:, None, :], MONTHS, axis=1)).astype("float64")
    spikes = rng.random(values.shape) < 0.003  # typing errors: a digit too many
    values[spikes] *= 10
    values[rng.random(values.shape) < 0.02] = np.nan  # empty cells
    frame = pd.DataFrame(
        {
            "org_unit_id": np.repeat(units, MONTHS * n_el),
            "period": np.tile(np.repeat(periods, n_el), facilities),
            "data_element": np.tile(np.array(ELEMENTS), facilities * MONTHS),
            "value": values.reshape(-1),
        }
    )
    frame.to_csv(routine, index=False)
    received = (rng.random(facilities * MONTHS) < 0.93).astype(int)
    on_time = received * (rng.random(facilities * MONTHS) < 0.8)
    pd.DataFrame(
        {
            "org_unit_id": np.repeat(units, MONTHS),
            "period": np.tile(periods, facilities),
            "dataset": "monthly_phc",
            "expected": 1,
            "received": received,
            "on_time": on_time.astype(int),
        }
    ).to_csv(folder / "reporting.csv", index=False)
    # hierarchy: regions of 10 districts, districts of up to 100 facilities
    n_dist = max(1, facilities // 100) if facilities >= 1000 else 5
    n_reg = max(1, n_dist // 10)
    district = np.arange(facilities) % n_dist
    rows = [("SENDARA", "Sendara", None)]
    rows += [(f"REG{r:03d}", f"Region {r}", "SENDARA") for r in range(n_reg)]
    rows += [(f"DIS{d:04d}", f"District {d}", f"REG{d % n_reg:03d}") for d in range(n_dist)]
    rows += [(u, u, f"DIS{district[i]:04d}") for i, u in enumerate(units)]
    pd.DataFrame(rows, columns=["org_unit_id", "name", "parent_id"]).to_csv(
        folder / "org_units.csv", index=False
    )
    return folder


def _read(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "service_data.csv")


def child(mode: str, folder: Path) -> None:
    """Run one measurement in this process and print its timings as JSON."""
    start = time.perf_counter()
    data = _read(folder)
    read_s = time.perf_counter() - start
    out = {"mode": mode, "rows": len(data), "read_s": read_s}
    if mode == "review":
        from phcpm.quality import review

        reporting = pd.read_csv(folder / "reporting.csv")
        org_units = pd.read_csv(folder / "org_units.csv")
        start = time.perf_counter()
        result = review(data, reporting, org_units=org_units, org_unit="org_unit_id")
        out["review_s"] = time.perf_counter() - start
        out["flagged"] = int(len(result.flagged()))
        out["verify"] = int(len(result.verify))
        out["levels"] = result.annual.levels
        out["summary_rows"] = len(result.summary)
    out["self_peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("RESULT " + json.dumps(out))


def measure(mode: str, folder: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--folder", str(folder)]
    timer = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    if timer:
        cmd = [timer, "-v", *cmd]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=dict(os.environ))
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{proc.stdout}\n{proc.stderr}")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    out = json.loads(line[len("RESULT ") :])
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    if match:
        out["peak_gb"] = int(match.group(1)) / 1024**2
        out["peak_source"] = "/usr/bin/time -v"
    else:
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        out["peak_gb"] = max(after, before, out["self_peak_kb"]) / 1024**2
        out["peak_source"] = "getrusage"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(SCALES))
    parser.add_argument("--child", choices=["read", "review"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.folder)
        return
    rows = []
    for name, facilities in SCALES.items():
        if args.only and name != args.only:
            continue
        folder = generate(name, facilities)
        read = measure("read", folder)
        rev = measure("review", folder)
        ratio = rev["review_s"] / read["read_s"]
        ok_time = rev["review_s"] <= TARGETS[name]
        ok_mem = rev["peak_gb"] <= MAX_PEAK_GB
        ok_ratio = ratio <= MAX_RATIO if name == "national" else True
        rows.append(
            {
                "scale": f"{name} ({facilities:,} facilities)",
                "values": f"{rev['rows']:,}",
                "read CSV (s)": f"{read['read_s']:.2f}",
                "review (s)": f"{rev['review_s']:.2f}",
                "review / read": f"{ratio:.2f}",
                "peak read (GB)": f"{read['peak_gb']:.2f}",
                "peak review (GB)": f"{rev['peak_gb']:.2f}",
                "target": f"<= {TARGETS[name]:g} s"
                + (
                    f", <= {MAX_PEAK_GB:g} GB, <= {MAX_RATIO:g}x read" if name == "national" else ""
                ),
                "met": "yes" if ok_time and ok_mem and ok_ratio else "NO",
            }
        )
    table = pd.DataFrame(rows)
    header = "| " + " | ".join(table.columns) + " |"
    sep = "|" + "|".join("---" for _ in table.columns) + "|"
    lines = [header, sep] + ["| " + " | ".join(map(str, r)) + " |" for r in table.to_numpy()]
    note = (
        f"Machine: {os.cpu_count()} CPU cores, Python {platform.python_version()}, "
        f"pandas {pd.__version__}, numpy {np.__version__}. "
        "Each figure comes from its own process; 'review' excludes the read and covers "
        "the three levels (facility, district, region) and the verify-first list. "
        "Data: 36 months x 20 data elements, 0.3 % tenfold spikes, 2 % empty cells."
    )
    text = "# Data quality review benchmark\n\n" + "\n".join(lines) + "\n\n" + note + "\n"
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "quality.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
