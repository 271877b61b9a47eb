"""Load test: many participants open the sampling app at once and use it.

One command::

    python benchmarks/load_test.py --participants 30 --arrival 10

Each simulated participant arrives at a steady pace within ``--arrival``
seconds, asks for the app's page (as a browser does), then talks to its kernel
over the Jupyter messaging protocol (v5, JSON over a WebSocket): it lists the
widgets, changes the "Margin of error" field to 3 and waits until the sample
size shown becomes 1,068 (the worked example used in the browser tests). The
same scenario runs against cohort mode (``scripts/cohort.py``) and against
plain ``voila`` with its defaults (no warm kernels, no settings file), one after
the other, and the results go side by side into ``benchmarks/results/load.md``.

``--soak 600`` adds a longer run in cohort mode: the participants keep using
the app for that many seconds, then leave without closing their kernels; the
test checks that the idle kernels are closed and that memory returns to its
level before the participants came.

``--browsers 10`` drives real Chromium pages instead: that many people (each
a browser context of their own) arrive within ``--arrival`` seconds and open
the sampling app; the time until the tool's first control is visible and the
failures are recorded, and the processor time of the server (Voila and its
kernels) and of the client (the browsers) are reported separately, since on one
machine the browsers' drawing competes with the server. Results go to
``benchmarks/results/load-browsers.md``.

Everything runs on the loopback address; every wait has a time limit.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import websockets

ROOT = Path(__file__).resolve().parent.parent
APPS = ROOT / "notebooks" / "apps"
RESULTS = ROOT / "benchmarks" / "results"
HOST = "127.0.0.1"
APP = "sampling"
MARGIN_LABEL = "Margin of error (± points)"
RESULT_CLASS = "phcpm-sampling-result"
# Sample size for 50 % expected coverage at 95 % confidence, n = z^2 p (1 - p) / d^2 rounded
# up (Cochran 1977, Sampling Techniques, eq. 4.2): 1,068 for d = 3 points, 385 for d = 5.
EXPECTED = re.compile(r"1,?068")
EXPECTED_5 = re.compile(r"\b385\b")
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") / 1024


# --- processes and memory, read from /proc ------------------------------------------------


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry.name))
    return found


def kernel_pids(server_pid: int) -> list[int]:
    pids = []
    for pid in children(server_pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"ipykernel" in cmdline:
            pids.append(pid)
    return pids


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of one process in MB; PSS shares common pages fairly between processes."""
    rss = pss = 0.0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("Pss:"):
                pss = int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss, pss


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


def wait_quiet(server_pid: int, expected_kernels: int, limit: float) -> float:
    """Wait until the expected kernels run and the CPU is nearly idle; returns seconds waited."""
    start = time.monotonic()
    calm = 0
    while time.monotonic() - start < limit:
        pids = [server_pid, *kernel_pids(server_pid)]
        before = cpu_seconds(pids)
        time.sleep(2)
        used = cpu_seconds(pids) - before
        if len(pids) - 1 >= expected_kernels and used < 0.2:
            calm += 1
            if calm >= 2:
                break
        else:
            calm = 0
    return time.monotonic() - start


def kernel_id_of(pid: int) -> str | None:
    """The kernel id in a kernel's command line (its connection file is kernel-<id>.json)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return None
    found = re.search(r"kernel-([0-9a-f-]{36})\.json", cmdline)
    return found.group(1) if found else None


def memory_snapshot(server_pid: int, sessions: set[str] = frozenset()) -> dict:
    """Memory of the server and its kernels; ``sessions``: kernel ids given to participants."""
    pids = kernel_pids(server_pid)
    kernels = {pid: memory_mb(pid) for pid in pids}
    mine = [kernels[pid] for pid in pids if kernel_id_of(pid) in sessions]
    server = memory_mb(server_pid)
    return {
        "kernels": len(kernels),
        "kernel_rss": [k[0] for k in kernels.values()],
        "kernel_pss": [k[1] for k in kernels.values()],
        "session_rss": [k[0] for k in mine],
        "session_pss": [k[1] for k in mine],
        "server_rss": server[0],
        "total_pss": server[1] + sum(k[1] for k in kernels.values()),
    }


# --- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def warm_kernels(participants: int) -> int:
    """How many warm kernels cohort mode starts for ``participants`` at the app ``APP``."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "phcpm_cohort_for_load_test", ROOT / "scripts" / "cohort.py"
    )
    cohort = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cohort)
    plan = cohort.cohort_config(participants, [APP])["VoilaKernelManager"]["kernel_pools_config"]
    return sum(pool["pool_size"] for name, pool in plan.items() if name != "default")


def start_server(kind: str, participants: int, idle_minutes: float, logdir: Path):
    port = free_port()
    log = open(logdir / f"{kind}.log", "wb")  # noqa: SIM115 - closed in stop_server
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if kind == "cohort":
        cmd = [
            sys.executable,
            str(ROOT / "scripts" / "cohort.py"),
            f"--participants={participants}",
            f"--apps={APP}",
            f"--port={port}",
            f"--host={HOST}",
            f"--idle-minutes={idle_minutes}",
        ]
        cwd = ROOT
    else:  # plain Voila: its defaults, and no settings file (an empty folder for config)
        empty = logdir / "no-config"
        empty.mkdir(exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "voila",
            str(APPS),
            f"--Voila.ip={HOST}",
            f"--port={port}",
            "--no-browser",
            f"--Voila.config_file_paths=['{empty}']",
        ]
        cwd = empty
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )
    proc.log = log
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the {kind} server stopped; see {log.name}")
        try:
            if httpx.get(f"http://{HOST}:{port}/", timeout=3).status_code < 500:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        stop_server(proc)
        raise RuntimeError(f"the {kind} server did not answer within 120 s")
    return proc, f"http://{HOST}:{port}"


def stop_server(proc) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    proc.log.close()


# --- one participant ----------------------------------------------------------------------


@dataclass
class Outcome:
    render: float | None = None
    ready: float | None = None
    widgets: int = 0
    interactions: list[float] = field(default_factory=list)
    error: str | None = None
    kernel_id: str | None = None


def message(msg_type: str, content: dict, session: str, channel: str = "shell") -> dict:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "username": "participant",
            "session": session,
            "date": dt.datetime.now(dt.UTC).isoformat(),
            "msg_type": msg_type,
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": channel,
        "buffers": [],
    }


def decode(raw: str | bytes) -> dict:
    """A kernel message from the WebSocket: JSON text, or JSON plus binary buffers.

    Binary frames (jupyter_server's format for messages with buffers): a count n,
    n offsets (4-byte big-endian each), then the JSON message and the buffers.
    """
    if isinstance(raw, str):
        return json.loads(raw)
    count = int.from_bytes(raw[:4], "big")
    offsets = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(count)]
    end = offsets[1] if count > 1 else len(raw)
    return json.loads(raw[offsets[0] : end])


async def receive_until(ws, predicate, timeout: float):
    """Read messages until ``predicate(msg)`` is true; raises TimeoutError after ``timeout``."""
    async with asyncio.timeout(timeout):
        while True:
            msg = decode(await ws.recv())
            if predicate(msg):
                return msg


async def find_widgets(ws, session: str) -> tuple[str, str, int]:
    """The comm ids of the margin field and the result line, and the number of widgets.

    Does what the page does when it opens (ipywidgets 8): it opens a comm on the
    ``jupyter.widget.control`` target and asks for the state of all widgets at
    once (``request_states``); the tool is usable when that reply has arrived.
    """
    control = uuid.uuid4().hex
    opening = {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}}
    opened = message("comm_open", opening, session)
    opened["metadata"] = {"version": "1.0.0"}  # the widget control protocol version
    await ws.send(json.dumps(opened))
    ask = {"comm_id": control, "data": {"method": "request_states"}}
    await ws.send(json.dumps(message("comm_msg", ask, session)))

    def all_states(msg):
        content = msg.get("content", {})
        return (
            msg.get("msg_type") == "comm_msg"
            and content.get("comm_id") == control
            and content.get("data", {}).get("method") == "update_states"
        )

    reply = await receive_until(ws, all_states, timeout=180)
    states = reply["content"]["data"]["states"]
    margin = result = None
    for model_id, entry in states.items():
        state = entry.get("state", {})
        if state.get("description") == MARGIN_LABEL:
            margin = model_id
        if RESULT_CLASS in state.get("_dom_classes", []):
            result = model_id
    if margin is None or result is None:
        raise LookupError("the margin field or the result line was not found")
    return margin, result, len(states)


async def interact(ws, session: str, margin: str, result: str, value: float, expect) -> float:
    """Set the margin and wait for the result line to show ``expect``; returns seconds."""
    update = {"method": "update", "state": {"value": value}, "buffer_paths": []}
    t0 = time.perf_counter()
    await ws.send(json.dumps(message("comm_msg", {"comm_id": margin, "data": update}, session)))

    def shows_result(msg):
        if msg.get("msg_type") != "comm_msg" or msg["content"].get("comm_id") != result:
            return False
        text = str(msg["content"].get("data", {}).get("state", {}).get("value", ""))
        return bool(expect.search(text))

    await receive_until(ws, shows_result, timeout=120)
    return time.perf_counter() - t0


async def participant(
    client, base: str, delay: float, soak_until: float | None, leave: asyncio.Event | None
) -> Outcome:
    outcome = Outcome()
    await asyncio.sleep(delay)
    stage = "page"
    try:
        t0 = time.perf_counter()
        page = await client.get(f"{base}/voila/render/{APP}.ipynb")
        outcome.render = time.perf_counter() - t0
        if page.status_code != 200:
            raise RuntimeError(f"HTTP {page.status_code}")
        body = page.text
        if "Traceback" in body or "voila-error" in body:
            raise RuntimeError("the page shows an error")
        found = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', body)
        if not found:
            raise RuntimeError("no kernel id in the page")
        outcome.kernel_id = found.group(1)
        session = uuid.uuid4().hex
        url = f"ws{base[4:]}/api/kernels/{outcome.kernel_id}/channels?session_id={session}"
        async with websockets.connect(url, max_size=2**26, open_timeout=60) as ws:
            stage = "widgets"
            margin, result, outcome.widgets = await find_widgets(ws, session)
            outcome.ready = time.perf_counter() - t0
            stage = "interaction"
            outcome.interactions.append(await interact(ws, session, margin, result, 3, EXPECTED))
            turn = 0
            while soak_until is not None and time.monotonic() < soak_until:
                await asyncio.sleep(15)
                turn += 1
                value, expect = (5, EXPECTED_5) if turn % 2 else (3, EXPECTED)
                outcome.interactions.append(
                    await interact(ws, session, margin, result, value, expect)
                )
    except Exception as error:  # every failure is counted and reported, none is hidden
        outcome.error = f"{stage}: {type(error).__name__}: {error}"[:200]
    return outcome


async def run_scenario(base: str, participants: int, arrival: float, soak: float) -> list[Outcome]:
    limits = httpx.Limits(max_connections=participants + 5)
    timeout = httpx.Timeout(600.0)
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        start = time.monotonic()
        soak_until = start + arrival + soak if soak else None
        tasks = [
            participant(client, base, i * arrival / participants, soak_until, None)
            for i in range(participants)
        ]
        return await asyncio.gather(*tasks)


# --- measurement and report ---------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def mean(values: list[float]) -> float | None:
    return statistics.fmean(values) if values else None


def summarise(kind: str, outcomes: list[Outcome], before: dict, after: dict, warmup: float):
    renders = [o.render for o in outcomes if o.error is None and o.render is not None]
    first = [o.interactions[0] for o in outcomes if o.interactions]
    ready = [o.ready for o in outcomes if o.ready is not None]
    later = [t for o in outcomes for t in o.interactions[1:]]
    sessions = len({o.kernel_id for o in outcomes if o.kernel_id})
    new_kernels = max(after["kernels"] - before["kernels"], 0)
    extra_pss = after["total_pss"] - before["total_pss"]
    return {
        "kind": kind,
        "participants": len(outcomes),
        "failures": sum(o.error is not None for o in outcomes),
        "errors": sorted({o.error for o in outcomes if o.error}),
        "render_p50": percentile(renders, 50),
        "render_p95": percentile(renders, 95),
        "render_max": max(renders) if renders else None,
        "ready_p50": percentile(ready, 50),
        "ready_p95": percentile(ready, 95),
        "widgets": max((o.widgets for o in outcomes), default=0),
        "later_interactions": len(later),
        "later_p95": percentile(later, 95),
        "interaction_p50": percentile(first, 50),
        "interaction_p95": percentile(first, 95),
        "kernel_rss_mean": mean(after["session_rss"]),
        "kernel_rss_max": max(after["session_rss"], default=None),
        "kernel_pss_mean": mean(after["session_pss"]),
        "all_kernels_rss_max": max(after["kernel_rss"], default=None),
        "server_rss": after["server_rss"],
        "kernels_before": before["kernels"],
        "kernels_after": after["kernels"],
        "new_kernels": new_kernels,
        "sessions": sessions,
        "pss_per_session": extra_pss / sessions if sessions else None,
        "total_pss": after["total_pss"],
        "warmup": warmup,
    }


def run_one(kind: str, args, logdir: Path, soak: float = 0) -> dict:
    idle = args.soak_idle_minutes if soak else 10
    proc, base = start_server(kind, args.participants, idle, logdir)
    try:
        expected = warm_kernels(args.participants) if kind == "cohort" else 0
        warmup = wait_quiet(proc.pid, expected, limit=600) if kind == "cohort" else 0.0
        before = memory_snapshot(proc.pid)
        print(f"[{kind}] ready after {warmup:.0f} s with {before['kernels']} kernels", flush=True)
        outcomes = asyncio.run(run_scenario(base, args.participants, args.arrival, soak))
        # let the pools' reserve refill (it starts 5 s after a kernel is taken) and settle
        if kind == "cohort":
            time.sleep(8)
            wait_quiet(proc.pid, 0, limit=300)
        sessions = {o.kernel_id for o in outcomes if o.kernel_id}
        after = memory_snapshot(proc.pid, sessions)
        summary = summarise(kind, outcomes, before, after, warmup)
        if soak:
            summary.update(soak_check(proc.pid, before, sessions, args))
        print(f"[{kind}] {json.dumps(summary, default=str)}", flush=True)
        return summary
    finally:
        stop_server(proc)


def soak_check(server_pid: int, baseline: dict, sessions: set[str], args) -> dict:
    """After the participants left: wait for their idle kernels to close, then measure."""
    limit = args.soak_idle_minutes * 60 + 180
    start = time.monotonic()
    left = sessions
    while time.monotonic() - start < limit:
        left = {kernel_id_of(pid) for pid in kernel_pids(server_pid)} & sessions
        if not left:
            break
        time.sleep(5)
    culled_after = time.monotonic() - start
    wait_quiet(server_pid, 0, limit=120)
    end = memory_snapshot(server_pid)
    return {
        "soak_seconds": args.soak,
        "sessions_left": len(left),
        "kernels_after_leaving": end["kernels"],
        "culled_within": culled_after,
        "baseline_total_pss": baseline["total_pss"],
        "end_total_pss": end["total_pss"],
        "baseline_server_rss": baseline["server_rss"],
        "end_server_rss": end["server_rss"],
        "memory_back": end["total_pss"] <= baseline["total_pss"] * 1.10,
        "kernels_back": not left,
    }


def fmt(value, unit: str = "", digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}{unit}"


def report(results: list[dict], args) -> str:
    cohort = next(r for r in results if r["kind"] == "cohort")
    plain = next((r for r in results if r["kind"] == "plain"), None)
    rows = [
        (f"Participants (arriving within {args.arrival:g} s)", "participants", None, 0),
        ("Failures", "failures", None, 0),
        ("First render p50 (s)", "render_p50", "", 2),
        ("First render p95 (s)", "render_p95", "", 2),
        ("First render max (s)", "render_max", "", 2),
        ("All widgets loaded p50 (s)", "ready_p50", "", 2),
        ("All widgets loaded p95 (s)", "ready_p95", "", 2),
        ("Widgets per page", "widgets", None, 0),
        ("Interaction p50 (s)", "interaction_p50", "", 2),
        ("Interaction p95 (s)", "interaction_p95", "", 2),
        ("Session kernel RSS mean (MB)", "kernel_rss_mean", "", 0),
        ("Session kernel RSS max (MB)", "kernel_rss_max", "", 0),
        ("Session kernel PSS mean (MB)", "kernel_pss_mean", "", 0),
        ("Largest kernel RSS, any app (MB)", "all_kernels_rss_max", "", 0),
        ("Server RSS (MB)", "server_rss", "", 0),
        ("Kernels after the run", "kernels_after", None, 0),
        ("Warm-up before the first visitor (s)", "warmup", "", 0),
    ]
    if args.soak:
        rows += [
            ("Interactions during the soak", "later_interactions", None, 0),
            ("Soak interaction p95 (s)", "later_p95", "", 2),
        ]
    lines = [
        "# Load test: a cohort opening the sampling app",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC with "
        f"`python benchmarks/load_test.py --participants {args.participants} "
        f"--arrival {args.arrival:g}" + (f" --soak {args.soak:g}" if args.soak else "") + "`.",
        "",
        f"Machine: {os.cpu_count()} CPU cores, {platform.machine()}, "
        f"Python {platform.python_version()}, {total_memory_gb():.0f} GB memory.",
        "",
        "Scenario: each participant requests the page of the sampling app, then over the "
        "kernel WebSocket sets the margin of error to 3 points and waits until the sample "
        "size 1,068 is shown. *First render* is the time until the whole page has arrived; "
        "*all widgets loaded* is the time until the page's widgets have received their "
        "state from the kernel (as the browser does before the tool can be used); "
        "*interaction* is the time from the change to the new result.",
        "",
        "| Measure | Cohort mode | Plain Voila |",
        "|---|---:|---:|",
    ]
    for label, key, unit, digits in rows:
        a = cohort.get(key)
        b = plain.get(key) if plain else None
        if unit is None:
            lines.append(f"| {label} | {a} | {b if plain else '–'} |")
        else:
            lines.append(f"| {label} | {fmt(a, unit, digits)} | {fmt(b, unit, digits)} |")
    lines += ["", "## Targets", ""]
    ratio = None
    if plain and cohort["render_p95"] and plain["render_p95"]:
        ratio = plain["render_p95"] / cohort["render_p95"]
    checks = [
        ("No failures", cohort["failures"] == 0, f"{cohort['failures']} failures"),
        (
            "First render p95 <= 3 s",
            cohort["render_p95"] is not None and cohort["render_p95"] <= 3,
            f"{fmt(cohort['render_p95'])} s",
        ),
        (
            "<= 200 MB RSS per session (kernel)",
            cohort["kernel_rss_max"] is not None and cohort["kernel_rss_max"] <= 200,
            f"max {fmt(cohort['kernel_rss_max'], ' MB', 0)}, "
            f"mean {fmt(cohort['kernel_rss_mean'], ' MB', 0)}",
        ),
    ]
    if plain:
        checks.insert(
            2,
            (
                ">= 10x better p95 than plain Voila",
                ratio is not None and ratio >= 10,
                f"{fmt(ratio, 'x', 1)}" if ratio else "no successful plain renders",
            ),
        )
    if "memory_back" in cohort:
        checks += [
            (
                f"Soak {args.soak:g} s: idle kernels closed after leaving",
                cohort["kernels_back"],
                f"{cohort['sessions_left']} of {cohort['sessions']} participants' kernels left "
                f"after {cohort['culled_within']:.0f} s (idle limit "
                f"{args.soak_idle_minutes * 60:.0f} s); {cohort['kernels_after_leaving']} "
                f"kernels running (the warm reserve), {cohort['kernels_before']} before",
            ),
            (
                "Soak: memory back to baseline (+10 %)",
                cohort["memory_back"],
                f"{cohort['end_total_pss']:.0f} MB vs {cohort['baseline_total_pss']:.0f} MB "
                f"total PSS; server RSS {cohort['end_server_rss']:.0f} MB vs "
                f"{cohort['baseline_server_rss']:.0f} MB",
            ),
        ]
    lines += ["| Target | Met | Measured |", "|---|---|---|"]
    lines += [f"| {name} | {'yes' if ok else 'NO'} | {detail} |" for name, ok, detail in checks]
    for r in results:
        if r["errors"]:
            lines += ["", f"Errors ({r['kind']}):", ""] + [f"- `{e}`" for e in r["errors"]]
    lines += [
        "",
        "Notes: RSS counts shared libraries in every process, so it overstates the memory "
        "a session adds; PSS splits shared pages between the processes that use them. "
        "Cohort mode starts one warm kernel per participant for the session app (and one "
        "for each other app) and afterwards tops the pools up only to a small reserve, "
        "so after the run it holds the participants' kernels plus that reserve. Plain "
        "Voila starts a kernel and runs the notebook for each visitor.",
        "",
    ]
    return "\n".join(lines)


# --- real browsers ---------------------------------------------------------------------------

FIRST_CONTROL = ".phcpm-app :is(button, input, select, textarea, [role='tab'], .widget-dropdown)"


def descendants(pid: int) -> list[int]:
    """``pid``'s child processes, their children, and so on."""
    found, queue = [], [pid]
    while queue:
        for child in children(queue.pop()):
            found.append(child)
            queue.append(child)
    return found


async def browser_visits(
    base: str, people: int, arrival: float, server_pid: int, limit: float = 180
) -> list:
    """``people`` Chromium pages arriving evenly within ``arrival`` s; one record each.

    Client CPU: this process and its descendants (the Playwright driver and the
    browsers), less the server and its kernels.
    """

    def client_pids():
        server = {server_pid, *descendants(server_pid)}
        return [p for p in descendants(os.getpid()) if p not in server]

    import shutil

    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=os.environ.get("PHCPM_CHROMIUM") or shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-quic"],
        )
        client_before = cpu_seconds(client_pids()) + time.process_time()

        async def visit(i: int) -> dict:
            await asyncio.sleep(arrival * i / max(1, people))
            context = await browser.new_context(viewport={"width": 1280, "height": 900})
            page = await context.new_page()
            start = time.monotonic()
            record = {"person": i, "seconds": None, "error": None, "context": context}
            try:
                response = await page.goto(
                    f"{base}/voila/render/{APP}.ipynb",
                    wait_until="commit",
                    timeout=limit * 1000,
                )
                if response is not None and response.status >= 400:
                    raise RuntimeError(f"HTTP {response.status}")
                await page.locator(FIRST_CONTROL).first.wait_for(
                    state="visible", timeout=limit * 1000
                )
                record["seconds"] = time.monotonic() - start
                if await page.locator(".voila-error").count():
                    raise RuntimeError("Voila error on the page")
            except Exception as error:  # noqa: BLE001 - every failure is recorded
                record["error"] = f"{type(error).__name__}: {str(error).splitlines()[0][:160]}"
            return record

        records = await asyncio.gather(*(visit(i) for i in range(people)))
        client_cpu = cpu_seconds(client_pids()) + time.process_time() - client_before
        for r in records:
            await r.pop("context").close()
        await browser.close()
    return records, client_cpu


def run_browsers(kind: str, args, logdir: Path) -> dict:
    proc, base = start_server(kind, args.browsers, 5, logdir)
    try:
        expected = warm_kernels(args.browsers) if kind == "cohort" else 0
        warmup = wait_quiet(proc.pid, expected, limit=600) if kind == "cohort" else 0.0
        print(f"[{kind}, browsers] ready after {warmup:.0f} s", flush=True)
        server_pids = lambda: [proc.pid, *descendants(proc.pid)]  # noqa: E731
        server_before = cpu_seconds(server_pids())
        wall = time.monotonic()
        records, client_cpu = asyncio.run(
            browser_visits(base, args.browsers, args.arrival, proc.pid)
        )
        wall = time.monotonic() - wall
        server_cpu = cpu_seconds(server_pids()) - server_before
    finally:
        stop_server(proc)
    times = sorted(r["seconds"] for r in records if r["seconds"] is not None)
    summary = {
        "kind": kind,
        "people": args.browsers,
        "failures": sum(1 for r in records if r["error"]),
        "errors": sorted({r["error"] for r in records if r["error"]}),
        "control_p50": percentile(times, 50),
        "control_p95": percentile(times, 95),
        "control_max": times[-1] if times else None,
        "server_cpu": server_cpu,
        "server_cpu_per_page": server_cpu / args.browsers,
        "client_cpu": client_cpu,
        "client_cpu_per_page": client_cpu / args.browsers,
        "wall": wall,
        "warmup": warmup,
        "load": os.getloadavg()[0],
    }
    print(f"[{kind}, browsers] {json.dumps(summary, default=str)}", flush=True)
    return summary


def browser_report(results: list[dict], args) -> str:
    cohort = next(r for r in results if r["kind"] == "cohort")
    plain = next((r for r in results if r["kind"] == "plain"), None)
    rows = [
        ("Failures", "failures", None, 0),
        ("First control visible p50 (s)", "control_p50", "", 1),
        ("First control visible p95 (s)", "control_p95", "", 1),
        ("First control visible max (s)", "control_max", "", 1),
        ("Server CPU, Voila and kernels (s)", "server_cpu", "", 1),
        ("Server CPU per page (s)", "server_cpu_per_page", "", 2),
        ("Client CPU, the browsers (s)", "client_cpu", "", 1),
        ("Client CPU per page (s)", "client_cpu_per_page", "", 2),
        ("Warm-up before the first visitor (s)", "warmup", "", 0),
        ("Load average (1 min) at the end", "load", "", 1),
    ]
    lines = [
        f"# Real browsers: {args.browsers} people open the sampling app within {args.arrival:g} s",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC with "
        f"`python benchmarks/load_test.py --browsers {args.browsers} --arrival {args.arrival:g}`"
        f" on {os.cpu_count()} CPU cores shared by the server and the browsers.",
        "",
        "| Measure | Cohort mode | Plain Voila |",
        "|---|---:|---:|",
    ]
    for label, key, unit, digits in rows:
        a = cohort.get(key)
        b = plain.get(key) if plain else None
        if unit is None:
            lines.append(f"| {label} | {a} | {b if plain else '–'} |")
        else:
            lines.append(f"| {label} | {fmt(a, unit, digits)} | {fmt(b, unit, digits)} |")
    for r in results:
        if r["errors"]:
            lines += ["", f"Errors ({r['kind']}):", ""] + [f"- `{e}`" for e in r["errors"]]
    return "\n".join(lines) + "\n"


def total_memory_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--arrival", type=float, default=10, help="seconds over which they arrive")
    parser.add_argument("--soak", type=float, default=0, help="seconds of continued use")
    parser.add_argument("--soak-idle-minutes", type=float, default=1)
    parser.add_argument("--skip-plain", action="store_true", help="cohort mode only")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument(
        "--browsers", type=int, default=0, help="real Chromium pages instead (e.g. 10)"
    )
    args = parser.parse_args(argv)
    if args.browsers:
        with tempfile.TemporaryDirectory(prefix="phcpm-load-") as tmp:
            results = [run_browsers("cohort", args, Path(tmp))]
            if not args.skip_plain:
                results.append(run_browsers("plain", args, Path(tmp)))
        text = browser_report(results, args)
        output = args.output or RESULTS / "load-browsers.md"
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        print(text)
        return 1 if results[0]["failures"] else 0
    if not 1 <= args.participants <= 200 or args.arrival < 0 or not 0 <= args.soak <= 3600:
        parser.error("use 1-200 participants, a non-negative arrival, a soak of at most 3600 s")

    with tempfile.TemporaryDirectory(prefix="phcpm-load-") as tmp:
        logdir = Path(tmp)
        results = [run_one("cohort", args, logdir, soak=args.soak)]
        if not args.skip_plain:
            results.append(run_one("plain", args, logdir))
    text = report(results, args)
    name = "load-soak.md" if args.soak else "load.md"
    output = args.output or RESULTS / name
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(text)
    failed = any(r["failures"] for r in results if r["kind"] == "cohort")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
