"""Benchmark: reading and checking large DHIS2 downloads.

Writes, seeded, into ``benchmarks/data/``: a 2-million-row DHIS2 data value set
CSV (about 170 MB), and a DHIS2 pivot table with metadata columns of 40,000
rows x 50 data columns (2 million values). Then measures, side by side in one
run, each in its own child process so peak memory is separate:

1. data value set: bare ``pandas.read_csv`` of the file, against
   ``phcpm.io.read_table`` + ``phcpm.io.tidy`` (load and validate);
2. pivot table: bare ``pandas.read_csv`` + ``DataFrame.melt`` of the data
   columns, against ``read_table`` + ``tidy``.

Each step runs three times, the two steps taking turns so both meet the same
machine load; the time is the best of the three (wall clock of the whole child
process, Python start-up and imports included), the CPU time the least of the
three (user + system, which other work on a shared machine disturbs less than
the wall clock) and the peak memory the largest of the three. Peak memory is
the child's maximum resident set size, from
``/usr/bin/time -v`` when it exists, else from the operating system's
accounting of that child (``os.wait4``).

Prints Markdown tables (rows, time, ratio to the baseline, peak memory) and
writes them to ``benchmarks/results/io.md``. Targets: data value set at most
15 s, at most 2 GB peak, at most twice bare read_csv; pivot table at most twice
read_csv + melt.

Run: ``.venv/bin/python benchmarks/bench_io.py [--rows N] [--pivot-rows N]
[--repeat 3] [--only datavalueset|pivot]``.
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


PIVOT_META = [
    "periodid",
    "periodname",
    "periodcode",
    "perioddescription",
    "orgunitlevel1",
    "orgunitlevel2",
    "orgunitlevel3",
    "organisationunitid",
    "organisationunitname",
    "organisationunitcode",
    "organisationunitdescription",
]
MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


def make_pivot_file(path: Path, rows: int, columns: int = 50, seed: int = 20240501) -> None:
    """A seeded DHIS2 pivot table download with metadata columns (DHIS2 Developer
    Manual, "Analytics", table layout): one row per month and org unit, the
    metadata columns, then ``columns`` data items; about 5% of cells empty."""
    rng = np.random.default_rng(seed)
    months = [(2022 + m // 12, m % 12 + 1) for m in range(24)]
    n_org = -(-rows // len(months))
    idx = np.arange(rows)
    org = idx // len(months)
    year = np.array([months[m][0] for m in idx % len(months)])
    month = np.array([months[m][1] for m in idx % len(months)])
    code = np.char.add(year.astype(str), np.char.zfill(month.astype(str), 2))
    name = np.char.add(np.char.add(np.array(MONTH_NAMES)[month - 1], " "), year.astype(str))
    ids = np.array([f"Ou{i:09d}" for i in range(n_org)])[org]
    names = np.array([f"Facility {i} Health Centre" for i in range(n_org)])[org]
    district = np.array([f"District {i % 40}" for i in range(n_org)])[org]
    region = np.array([f"Region {i % 8}" for i in range(n_org)])[org]
    values = rng.poisson(40, size=(rows, columns)).astype(str).astype(object)
    values[rng.random((rows, columns)) < 0.05] = ""
    head = PIVOT_META + [f"Data item {j + 1:02d}" for j in range(columns)]
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(",".join(head) + "\n")
        for i in range(rows):
            meta = [code[i], name[i], code[i], "", "Sendara", region[i], district[i], ids[i],
                    names[i], "", ""]  # fmt: skip
            out.write(",".join(meta) + "," + ",".join(values[i]) + "\n")


PIVOT_STEPS = {
    "read_csv + melt": (
        "import pandas as pd, sys; df = pd.read_csv(sys.argv[1]); "
        f"ids = {PIVOT_META!r}; "
        "long = df.melt(id_vars=ids, var_name='data_element', value_name='value'); "
        "print(len(long))"
    ),
    "read_table + tidy": (
        "import sys; from phcpm.io import read_table, tidy; "
        "t = read_table(sys.argv[1]); r = tidy(t); print(len(r.data))"
    ),
}

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
    cpu = usage.ru_utime + usage.ru_stime  # the child's and its own children's
    if use_time:
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
        peak_kb = int(found.group(1)) if found else usage.ru_maxrss
        user = re.search(r"User time \(seconds\): ([\d.]+)", stderr)
        system = re.search(r"System time \(seconds\): ([\d.]+)", stderr)
        if user and system:
            cpu = float(user.group(1)) + float(system.group(1))
    else:
        peak_kb = usage.ru_maxrss  # kilobytes on Linux
    rows = int(stdout.strip().splitlines()[-1])
    return {"seconds": wall, "cpu": cpu, "peak_kb": peak_kb, "rows": rows}


def measure(steps: dict, path: Path, repeat: int) -> dict:
    """Best time and largest peak memory of each step, the steps taking turns."""
    runs: dict[str, list[dict]] = {name: [] for name in steps}
    for _ in range(repeat):  # the steps take turns, so all meet the same load
        for name, code in steps.items():
            runs[name].append(run_step(code, path))
    return {
        name: {
            "seconds": min(r["seconds"] for r in rs),
            "cpu": min(r["cpu"] for r in rs),
            "peak_kb": max(r["peak_kb"] for r in rs),
            "rows": rs[0]["rows"],
            "all_seconds": [round(r["seconds"], 2) for r in rs],
        }
        for name, rs in runs.items()
    }


def table(results: dict, base_name: str) -> list[str]:
    base = results[base_name]
    lines = [
        f"| Step | Rows | Time (s) | Ratio to {base_name} | CPU time (s) | CPU ratio | "
        "Peak memory (MB) | All runs (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['rows']:,} | {r['seconds']:.1f} | {r['seconds'] / base['seconds']:.2f} "
            f"| {r['cpu']:.1f} | {r['cpu'] / base['cpu']:.2f} | {r['peak_kb'] / 1024:,.0f} | "
            f"{', '.join(f'{s:.1f}' for s in r['all_seconds'])} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--pivot-rows", type=int, default=40_000)
    parser.add_argument("--pivot-columns", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["datavalueset", "pivot"], default=None)
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    memory_tool = "/usr/bin/time -v" if TIME_V.exists() else "os.wait4 (ru_maxrss)"
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, pandas {_pandas_version()}.",
        f"Time: best of {args.repeat} runs of the whole child process (steps taking turns). "
        f"Peak memory: largest maximum resident set size of the runs ({memory_tool}).",
    ]
    everything = {}
    if args.only in (None, "datavalueset"):
        path = DATA / f"datavalueset_{args.rows}.csv"
        if not path.exists():
            make_file(path, args.rows)
        results = measure(STEPS, path, args.repeat)
        everything["datavalueset"] = results
        base = results["read_csv"]["seconds"]
        tidy_r = results["read_table + tidy"]
        met = (
            tidy_r["seconds"] <= 15
            and tidy_r["peak_kb"] <= 2 * 1024**2
            and tidy_r["seconds"] <= 2 * base
        )
        lines += [
            "",
            f"Data value set: {args.rows:,} rows, {path.stat().st_size / 1e6:,.0f} MB (CSV).",
            "",
            *table(results, "read_csv"),
            "",
            "Targets: read_table + tidy at most 15 s, at most 2 GB peak, at most 2x read_csv. "
            + ("All met." if met else "NOT all met.")
            + f" CPU time ratio: {tidy_r['cpu'] / results['read_csv']['cpu']:.2f}.",
        ]
    if args.only in (None, "pivot"):
        path = DATA / f"pivot_{args.pivot_rows}x{args.pivot_columns}.csv"
        if not path.exists():
            make_pivot_file(path, args.pivot_rows, args.pivot_columns)
        results = measure(PIVOT_STEPS, path, args.repeat)
        everything["pivot"] = results
        base = results["read_csv + melt"]
        ratio = results["read_table + tidy"]["seconds"] / base["seconds"]
        cpu_ratio = results["read_table + tidy"]["cpu"] / base["cpu"]
        lines += [
            "",
            f"Pivot table with metadata columns: {args.pivot_rows:,} rows x "
            f"{args.pivot_columns} data columns = {args.pivot_rows * args.pivot_columns:,} "
            f"values, {path.stat().st_size / 1e6:,.0f} MB (CSV), about 5% of cells empty; "
            "read_table + tidy counts the values kept (empty cells are no value).",
            "",
            *table(results, "read_csv + melt"),
            "",
            f"Target: read_table + tidy at most 2x read_csv + melt. Ratio {ratio:.2f} in time "
            + ("(met)" if ratio <= 2 else "(NOT met)")
            + f", {cpu_ratio:.2f} in CPU time "
            + ("(met)." if cpu_ratio <= 2 else "(NOT met)."),
        ]
    lines.append(f"Load average at the end: {os.getloadavg()[0]:.1f}.")
    text = "\n".join(lines) + "\n"
    print(text)
    (RESULTS / "io.md").write_text(text, encoding="utf-8")
    (RESULTS / "io.json").write_text(json.dumps(everything, indent=1), encoding="utf-8")


def _pandas_version() -> str:
    import pandas

    return pandas.__version__


if __name__ == "__main__":
    main()
