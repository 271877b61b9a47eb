"""Fixtures for the browser tests: Debian's Chromium, a Voila server, the built site."""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The built site; PHCPM_SITE points elsewhere (e.g. a build made with --path-output).
SITE = Path(os.environ.get("PHCPM_SITE") or ROOT / "_build" / "html")
APPS = ROOT / "notebooks" / "apps"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _load_serve():
    spec = importlib.util.spec_from_file_location("phcpm_serve", ROOT / "scripts" / "serve.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


serve = _load_serve()


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class names it so
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_executable() -> str:
    path = os.environ.get("PHCPM_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail(
            "Chromium is not installed, so the browser tests cannot run. "
            "Install it with `apt-get install chromium` (make test does this when it can) "
            "or set PHCPM_CHROMIUM to a Chromium executable."
        )
    return path


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=chromium_executable(),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    page.set_default_timeout(60_000)
    yield page
    page.close()


def wait_for_http(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3) as response:
                if response.status < 500:
                    return
        except OSError as error:
            last = error
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s ({last})")


@pytest.fixture(scope="session")
def voila_url(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            serve.voila_command("127.0.0.1", port, []),
            cwd=ROOT,
            # The PDSA tracker keeps projects in a database: a fresh one for the tests.
            env=serve.voila_env({**os.environ, "PHCPM_PDSA_DB": str(log.parent / "pdsa.sqlite")}),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            wait_for_http(f"http://127.0.0.1:{port}/")
        except RuntimeError:
            proc.kill()
            pytest.fail("Voila did not start:\n" + log.read_text(errors="replace")[-3000:])
        yield f"http://127.0.0.1:{port}"
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def site_url():
    if not (SITE / "index.html").exists():
        pytest.fail("The book is not built: run `make book` (make test does it first).")
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def open_app(page, voila_url: str, name: str):
    """Open an app and wait until its tool is on screen; fail on any Voila error."""
    page.goto(f"{voila_url}/voila/render/{name}.ipynb", wait_until="domcontentloaded")
    page.wait_for_selector(".phcpm-app", state="visible", timeout=120_000)
    assert_no_voila_error(page)
    return page


def assert_no_voila_error(page):
    errors = page.locator(".voila-error")
    assert errors.count() == 0, "Voila shows an error: " + errors.first.inner_text()
    text = page.locator("body").inner_text()
    assert "Traceback" not in text, "the page shows a Python traceback"


def serious_axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s)"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]
