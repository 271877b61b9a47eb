"""Benchmark: reading and checking a large DHIS2 data value set.

Writes a 2-million-row DHIS2 data value set CSV (about 170 MB, seeded, into
``benchmarks/data/``), then measures, side by side in one run, each in its own
child process so peak memory is separate:

1. bare ``pandas.read_csv`` of the file;
2. ``phcpm.io.read_table`` + ``phcpm.io.tidy`` (load and validate).

Each step runs three times, the two steps taking turns so both meet the same
machine load; the time is the best of the three (wall clock of the whole child
process, Python start-up and imports included) and the peak memory the largest
of the three. Peak memory is the child's maximum resident set size, from
``/usr/bin/time -v`` when it exists, else from the operating system's
accounting of that child (``os.wait4``).

Prints a Markdown table (rows, time, ratio to bare read_csv, peak memory) and
writes it to ``benchmarks/results/io.md``. Targets: at most 15 s, at most 2 GB
peak, at most twice the time of bare read_csv.

Run: ``.venv/bin/python benchmarks/bench_io.py [--rows N] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results"

HEADER = (
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,"
    "value,storedby,lastupdated,comment,followup\n"
)


def make_file(path: Path, rows: int, seed: int = 20240501) -> None:
    """A seeded DHIS2 data value set: 40 data elements x 24 months x org units."""
    rng = np.random.default_rng(seed)
    elements = np.array([f"De{i:09d}" for i in range(40)])
    months = np.array([f"{2022 + m // 12}{m % 12 + 1:02d}" for m in range(24)])
    n_org = -(-rows // (len(elements) * len(months)))
    orgs = np.array([f"Ou{i:09d}" for i in range(n_org)])
    idx = np.arange(rows)
    de = elements[idx % len(elements)]
    pe = months[(idx // len(elements)) % len(months)]
    ou = orgs[idx // (len(elements) * len(months))]
    values = rng.poisson(40, size=rows).astype(str)
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(HEADER)
        chunk = 200_000
        for start in range(0, rows, chunk):
            sl = slice(start, start + chunk)
            lines = (
                de[sl].astype(object)
                + ","
                + pe[sl]
                + ","
                + ou[sl]
                + ",HllvX50cXC0,HllvX50cXC0,"
                + values[sl]
                + ",district,2024-05-01,,false\n"
            )
            out.write("".join(lines))


STEPS = {
    "read_csv": "import pandas as pd, sys; df = pd.read_csv(sys.argv[1]); print(len(df))",
    "read_table + tidy": (
        "import sys; from phcpm.io import read_table, tidy; "
        "t = read_table(sys.argv[1]); r = tidy(t); print(len(r.data))"
    ),
}


TIME_V = Path("/usr/bin/time")


def run_step(code: str, path: Path) -> dict:
    """Run one step in a child process: wall time, the child's peak memory, rows."""
    command = [sys.executable, "-c", code, str(path)]
    use_time = TIME_V.exists()
    if use_time:
        command = [str(TIME_V), "-v", *command]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise SystemExit(stderr)
    if use_time:
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
        peak_kb = int(found.group(1)) if found else usage.ru_maxrss
    else:
        peak_kb = usage.ru_maxrss  # kilobytes on Linux
    return {"seconds": wall, "peak_kb": peak_kb, "rows": int(stdout.strip().splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    path = DATA / f"datavalueset_{args.rows}.csv"
    if not path.exists():
        make_file(path, args.rows)
    size_mb = path.stat().st_size / 1e6
    runs: dict[str, list[dict]] = {name: [] for name in STEPS}
    for _ in range(args.repeat):  # the steps take turns, so both meet the same load
        for name, code in STEPS.items():
            runs[name].append(run_step(code, path))
    results = {
        name: {
            "seconds": min(r["seconds"] for r in rs),
            "peak_kb": max(r["peak_kb"] for r in rs),
            "rows": rs[0]["rows"],
            "all_seconds": [round(r["seconds"], 2) for r in rs],
        }
        for name, rs in runs.items()
    }
    base = results["read_csv"]["seconds"]
    memory_tool = "/usr/bin/time -v" if TIME_V.exists() else "os.wait4 (ru_maxrss)"
    lines = [
        f"Input: {args.rows:,} rows, {size_mb:,.0f} MB DHIS2 data value set (CSV).",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, pandas {_pandas_version()}; "
        f"load average at the end {os.getloadavg()[0]:.1f}.",
        f"Time: best of {args.repeat} runs of the whole child process (steps taking turns). "
        f"Peak memory: largest maximum resident set size of the runs ({memory_tool}).",
        "",
        "| Step | Rows | Time (s) | Ratio to read_csv | Peak memory (MB) | All runs (s) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['rows']:,} | {r['seconds']:.1f} | {r['seconds'] / base:.2f} | "
            f"{r['peak_kb'] / 1024:,.0f} | {', '.join(f'{s:.1f}' for s in r['all_seconds'])} |"
        )
    tidy_r = results["read_table + tidy"]
    met = (
        tidy_r["seconds"] <= 15
        and tidy_r["peak_kb"] <= 2 * 1024**2
        and tidy_r["seconds"] <= 2 * base
    )
    lines += [
        "",
        "Targets: read_table + tidy at most 15 s, at most 2 GB peak, at most 2x read_csv. "
        + ("All met." if met else "NOT all met."),
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    (RESULTS / "io.md").write_text(text, encoding="utf-8")
    (RESULTS / "io.json").write_text(json.dumps(results, indent=1), encoding="utf-8")


def _pandas_version() -> str:
    import pandas

    return pandas.__version__


if __name__ == "__main__":
    main()
