"""Serve the built book and the Voila apps together; Ctrl-C stops both.

Used by ``make start``. The book is served from ``_build/html`` by a small
static file server; the apps in ``notebooks/apps`` by Voila.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
APPS = ROOT / "notebooks" / "apps"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass


TEMPLATES = ROOT / "share" / "jupyter"


def voila_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment Voila runs in: it finds the repository's page template."""
    env = dict(os.environ if base is None else base)
    paths = [str(TEMPLATES)] + [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def voila_command(host: str, port: int, extra: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "voila",
        str(APPS),
        f"--Voila.ip={host}",
        f"--port={port}",
        "--no-browser",
        "--show_tracebacks=False",
        "--template=phcpm",
        *extra,
    ]


def wait_until_up(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--book-port", type=int, default=8000)
    parser.add_argument("--voila-port", type=int, default=8866)
    parser.add_argument("voila_args", nargs="*", help="extra Voila options")
    args = parser.parse_args(argv)

    if not (SITE / "index.html").exists():
        print("The book is not built yet. Run `make start` (it builds it first).", file=sys.stderr)
        return 1

    handler = functools.partial(QuietHandler, directory=str(SITE))
    site = http.server.ThreadingHTTPServer((args.host, args.book_port), handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()

    env = voila_env()
    voila = subprocess.Popen(
        voila_command(args.host, args.voila_port, args.voila_args),
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C reaches this script only; it stops Voila itself
    )

    stopping = threading.Event()

    def stop(signum=None, frame=None):
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    book_url = f"http://{args.host}:{args.book_port}/"
    apps_url = f"http://{args.host}:{args.voila_port}/"
    if wait_until_up(apps_url, timeout=60):
        print("\n  The book:  " + book_url)
        print("  The tools: " + apps_url)
        for app in sorted(APPS.glob("*.ipynb")):
            print(f"    {app.stem:<20} {apps_url}voila/render/{app.name}")
        print("\n  Press Ctrl-C to stop both.\n", flush=True)
    else:
        print("Voila did not start within 60 s; see the messages above.", file=sys.stderr)
        stopping.set()

    code = 0
    while not stopping.is_set():
        if voila.poll() is not None:
            print("Voila stopped unexpectedly.", file=sys.stderr)
            code = 1
            break
        stopping.wait(0.5)

    site.shutdown()
    site.server_close()
    if voila.poll() is None:
        voila.terminate()
        try:
            voila.wait(timeout=10)
        except subprocess.TimeoutExpired:
            voila.kill()
            voila.wait(timeout=5)
    print("Stopped the book and the tools.", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
