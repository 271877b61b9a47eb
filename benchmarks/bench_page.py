"""What a tool page costs on a slow link: bytes transferred and time to the first control.

Opens every tool in Chromium with the network slowed down through the Chrome
DevTools Protocol (``Network.emulateNetworkConditions``: 400 kbit/s down and up,
400 ms latency, a common district connection), counts the bytes that arrive
(``Network.loadingFinished``'s ``encodedDataLength``: what travelled, after
compression, headers included) and times how long the page takes until the
tool's first control is visible. A second visit in the same browser shows what
the cache saves.

    .venv/bin/python benchmarks/bench_page.py            # every tool
    .venv/bin/python benchmarks/bench_page.py sampling spc --plain

``--plain`` measures plain ``voila`` (no compression, no cache headers, icons
from the internet) for comparison; the tools are served by ``scripts/serve.py``
otherwise. Results are printed as a table and as JSON (``--json FILE``).

``--state`` measures without a browser what each tool sends when its page
opens: the tool's notebook is run in a fresh Python process and every widget
model the kernel then holds (each widget, its layout and its style are separate
models, and the page receives them all) is counted with the size of its state
as JSON, binary buffers included (:func:`widget_state`).

    .venv/bin/python benchmarks/bench_page.py --state process indicators twinning
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ROOT / "notebooks" / "apps"

# 400 kbit/s each way, 400 ms added to every request.
SLOW_LINK = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
# A tool's first control: a button, a field, a list or a tab inside the tool.
FIRST_CONTROL = ".phcpm-app :is(button, input, select, textarea, [role='tab'], .widget-dropdown)"
BUDGET = {"first_visit_bytes": 1_500_000, "first_control_s": 20.0, "repeat_visit_s": 5.0}


def _load_serve():
    spec = importlib.util.spec_from_file_location("phcpm_serve", ROOT / "scripts" / "serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def app_names() -> list[str]:
    return sorted(p.stem for p in APPS.glob("*.ipynb"))


def visit(context, url: str, selector: str = FIRST_CONTROL, link=SLOW_LINK, timeout_s=180):
    """Open ``url`` in a new page of ``context`` on the given link; return what it cost.

    Returns seconds until ``selector`` is visible, the bytes that arrived by
    then, the bytes of the whole visit (once the page has loaded) and the number
    of requests.
    """
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    # This machine has no internet: anything asked from outside fails at once
    # (plain Voila asks a CDN for its icon font) instead of waiting for a timeout.
    # (Not with Playwright's routing, which would turn the browser's cache off.)
    cdp.send("Network.setBlockedURLs", {"urls": ["https://*"]})
    if link:
        cdp.send("Network.emulateNetworkConditions", link)
    arrived: dict[str, int] = {}
    requests: set[str] = set()
    cdp.on("Network.requestWillBeSent", lambda e: requests.add(e["requestId"]))
    # The page itself (its HTML: the notebook's outputs and the widgets' state).
    documents: set[str] = set()
    cdp.on(
        "Network.responseReceived",
        lambda e: documents.add(e["requestId"]) if e.get("type") == "Document" else None,
    )
    # Widget state comes over the kernel's websocket (sizes before its compression).
    websocket = {"frames": 0, "bytes": 0}

    def frame(event):
        websocket["frames"] += 1
        payload = event["response"]["payloadData"]  # base64 for binary messages
        websocket["bytes"] += (
            len(payload) * 3 // 4 if event["response"]["opcode"] == 2 else len(payload)
        )

    cdp.on("Network.webSocketFrameReceived", frame)
    cdp.on(
        "Network.loadingFinished",
        lambda e: arrived.__setitem__(e["requestId"], int(e["encodedDataLength"])),
    )
    failed: set[str] = set()
    cdp.on("Network.loadingFailed", lambda e: failed.add(e["requestId"]))
    try:
        start = time.monotonic()
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        page.locator(selector).first.wait_for(state="visible", timeout=timeout_s * 1000)
        seconds = time.monotonic() - start
        at_first_control = sum(arrived.values())
        # When the page first showed anything (Voila's spinner): before that it is blank.
        painted = page.evaluate(
            "(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null"
        )
        page.wait_for_load_state("load", timeout=timeout_s * 1000)
        # Quiet for two seconds with nothing still on its way (a font asked for
        # when an icon is drawn can take seconds at this speed): the visit is over.
        settled, last = time.monotonic(), len(arrived)
        while time.monotonic() - settled < 2 or requests - set(arrived) - failed:
            page.wait_for_timeout(250)
            if len(arrived) != last:
                settled, last = time.monotonic(), len(arrived)
            if time.monotonic() - start > timeout_s:
                break
        errors = page.locator(".voila-error").count()
        return {
            "first_control_s": round(seconds, 1),
            "first_paint_s": None if painted is None else round(painted / 1000, 1),
            "bytes_at_first_control": at_first_control,
            "bytes": sum(arrived.values()),
            "page_bytes": sum(arrived.get(r, 0) for r in documents),
            "requests": len(requests),
            "websocket_frames": websocket["frames"],
            "websocket_bytes": websocket["bytes"],
            "widgets": page.locator(".phcpm-app .jupyter-widgets").count(),
            "errors": errors,
        }
    finally:
        cdp.detach()
        page.close()


_STATE_SCRIPT = r"""
import json, sys
import nbformat
from ipywidgets.widgets import widget as _widget

nb = nbformat.read(sys.argv[1], as_version=4)
namespace = {}
for cell in nb.cells:
    if cell.cell_type == "code":
        exec(compile(cell.source, sys.argv[1], "exec"), namespace)
models, size, pictures = 0, 0, 0
for model in list(_widget._instances.values()):
    state, _paths, buffers = _widget._remove_buffers(model.get_state())
    text = json.dumps(state)
    models += 1
    size += len(text) + sum(len(b) for b in buffers)
    pictures += text.count("data:image/")
print(json.dumps({"models": models, "state_bytes": size, "pictures": pictures}))
"""


def widget_state(name: str) -> dict:
    """What tool ``name`` sends to its page at start, measured without a browser.

    Runs the tool's notebook in a fresh Python process and counts every widget
    model alive afterwards (a page receives every one, shown or not), the bytes
    of their state as JSON plus binary buffers, and the pictures (``data:image``)
    inside them. Message framing is not counted, so the page receives more.
    """
    out = subprocess.run(
        [sys.executable, "-c", _STATE_SCRIPT, str(APPS / f"{name}.ipynb")],
        cwd=ROOT,
        env={**os.environ, "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
        check=True,
    )
    return {"app": name, **json.loads(out.stdout.strip().splitlines()[-1])}


def measure_app(browser, base_url: str, name: str) -> dict:
    """A first visit (empty cache) and a repeat visit (same browser) to one tool."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        url = f"{base_url}/voila/render/{name}.ipynb"
        first = visit(context, url)
        repeat = visit(context, url)
    finally:
        context.close()
    return {"app": name, "first": first, "repeat": repeat}


def within_budget(result: dict) -> list[str]:
    """What a measured tool misses of the budget (empty when it is within)."""
    misses = []
    first, repeat = result["first"], result["repeat"]
    if first["bytes"] > BUDGET["first_visit_bytes"]:
        misses.append(f"first visit {first['bytes'] / 1e6:.2f} MB > 1.5 MB")
    if first["first_control_s"] > BUDGET["first_control_s"]:
        misses.append(f"first control after {first['first_control_s']} s > 20 s")
    if repeat["first_control_s"] > BUDGET["repeat_visit_s"]:
        misses.append(f"repeat visit {repeat['first_control_s']} s > 5 s")
    return misses


def start_voila(plain: bool, port: int, log) -> subprocess.Popen:
    serve = _load_serve()
    if plain:
        cmd = [sys.executable, "-m", "voila", *serve.voila_args("127.0.0.1", port, [])]
    else:
        cmd = serve.voila_command("127.0.0.1", port, [])
    env = serve.voila_env({**os.environ, "PHCPM_PDSA_DB": str(Path(log.name).with_suffix(".db"))})
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_for(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("apps", nargs="*", help="tools to measure (default: all)")
    parser.add_argument("--plain", action="store_true", help="plain voila, for comparison")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument(
        "--state", action="store_true", help="count each tool's widget state, without a browser"
    )
    args = parser.parse_args(argv)
    names = args.apps or app_names()
    if args.state:
        states = [widget_state(name) for name in names]
        for s in states:
            print(
                f"{s['app']:<12} {s['models']:>4} widget models, "
                f"{s['state_bytes'] / 1e3:7.1f} kB of state, {s['pictures']} pictures"
            )
        if args.json:
            Path(args.json).write_text(json.dumps(states, indent=2) + "\n", encoding="utf-8")
        return 0

    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    workdir = Path(tempfile.mkdtemp(prefix="bench-page-"))
    results = []
    with open(workdir / "voila.log", "wb") as log:
        proc = start_voila(args.plain, port, log)
        try:
            wait_for(f"http://127.0.0.1:{port}/")
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=os.environ.get("PHCPM_CHROMIUM") or shutil.which("chromium"),
                    args=["--no-sandbox", "--disable-gpu", "--disable-quic"],
                )
                for name in names:
                    result = measure_app(browser, f"http://127.0.0.1:{port}", name)
                    result["misses"] = within_budget(result)
                    results.append(result)
                    f, r = result["first"], result["repeat"]
                    print(
                        f"{name:<12} first: {f['bytes'] / 1e6:5.2f} MB {f['requests']:>3} req "
                        f"shown {f['first_paint_s']} s, "
                        f"control {f['first_control_s']:5.1f} s ({f['widgets']} widgets, "
                        f"{f['websocket_bytes'] / 1e3:.0f} kB in {f['websocket_frames']} "
                        "websocket messages) | "
                        f"repeat: {r['bytes'] / 1e6:5.2f} MB control {r['first_control_s']:5.1f} s"
                        + ("  MISSES: " + "; ".join(result["misses"]) if result["misses"] else ""),
                        flush=True,
                    )
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
