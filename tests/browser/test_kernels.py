"""Kernels of pages that have gone are closed; a page that comes back in time keeps its work.

Cohort mode with a short grace period (12 s, checked every 5 s) and a cap of two
live pages:

* two tool pages are opened in a Chromium of their own, which is then killed:
  the pages never send their closing message. Their places are held for the
  grace period, then return, and their kernels are shut down;
* a page whose connection drops (a proxy between browser and server cuts every
  connection for longer than one check) reconnects and carries on with the same
  kernel, although it had been idle for longer than the grace period before the
  drop: the grace period runs from the moment the connection dropped;
* with ``make start``'s settings, a tab closed the usual way closes its kernel at
  once, and a person who is asked "Leave site?" and stays keeps it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.browser.conftest import (
    CHROMIUM_ARGS,
    ROOT,
    chromium_executable,
    free_port,
    wait_for_http,
)

GRACE_S = 12  # --idle-minutes 0.2; checked every 5 s (cohort_config)
CHECK_S = 5
# A browser that lost its connection retries after random, growing waits
# (@jupyterlab/services: up to 2**attempt - 1 s, so 0, 1, 3, 7, 15, 31 s, plus
# Chromium's own delay after failed connections). A page can take 20-30 s to
# come back after a 12 s cut, so the reconnection test uses a grace period of the
# same order as that wait; the real default is 5 minutes.
RECONNECT_GRACE_S = 45
RECONNECT_CHECK_S = 11  # cohort_config: a quarter of the grace period


def start_cohort(tmp_path_factory, grace_s: int):
    """Cohort mode for the sampling app with a cap of two pages; yields its URL."""
    port = free_port()
    log = tmp_path_factory.mktemp("cohort") / "cohort.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "scripts/cohort.py",
                "--participants=1",
                "--apps=sampling",
                "--warm-other-apps=0",
                "--max-sessions=2",
                f"--idle-minutes={grace_s / 60}",
                f"--port={port}",
            ],
            cwd=ROOT,
            env={**os.environ, "PHCPM_PDSA_DB": str(log.parent / "pdsa.sqlite")},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            wait_for_http(f"http://127.0.0.1:{port}/")
        except RuntimeError:
            proc.kill()
            pytest.fail("cohort mode did not start:\n" + log.read_text(errors="replace")[-3000:])
        yield f"http://127.0.0.1:{port}"
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def cohort_url(tmp_path_factory):
    yield from start_cohort(tmp_path_factory, GRACE_S)


@pytest.fixture(scope="module")
def reconnect_cohort_url(tmp_path_factory):
    yield from start_cohort(tmp_path_factory, RECONNECT_GRACE_S)


def render_status(url: str) -> int:
    try:
        with urllib.request.urlopen(f"{url}/voila/render/sampling.ipynb", timeout=120) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as error:
        return error.code


def kernel_status(url: str, kernel_id: str) -> int:
    try:
        with urllib.request.urlopen(f"{url}/api/kernels/{kernel_id}", timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as error:
        return error.code


def kernel_id(page) -> str:
    return page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )


def open_tool(page, url: str):
    page.set_default_timeout(120_000)
    page.goto(f"{url}/voila/render/sampling.ipynb", wait_until="domcontentloaded")
    page.wait_for_selector(".phcpm-app", state="visible")
    return page


def wait_until(condition, timeout: float, every: float = 1.0) -> float:
    """Seconds until ``condition()`` is true; fails after ``timeout``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            pytest.fail(f"not within {timeout} s")
        time.sleep(every)
    return time.monotonic() - start


def test_pages_killed_without_closing_give_their_places_back(browser, cohort_url, tmp_path):
    port = free_port()
    chromium = subprocess.Popen(
        [
            chromium_executable(),
            "--headless=new",
            f"--remote-debugging-port={port}",
            f"--user-data-dir={tmp_path / 'profile'}",
            *CHROMIUM_ARGS,
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/json/version", timeout=30)
        other = browser.browser.browser_type.connect_over_cdp(f"http://127.0.0.1:{port}")
        context = other.contexts[0]
        pages = [open_tool(context.new_page(), cohort_url) for _ in range(2)]
        kernels = [kernel_id(p) for p in pages]
        assert all(kernel_status(cohort_url, k) == 200 for k in kernels)
        assert render_status(cohort_url) == 503  # the cap: two live pages
    finally:
        # The whole browser dies at once: no page says goodbye.
        os.killpg(chromium.pid, signal.SIGKILL)
        chromium.wait(timeout=10)
    killed = time.monotonic()
    # Within the grace period the places are still held (the pages might come back).
    assert render_status(cohort_url) == 503
    # Then they return, and the kernels are shut down.
    wait_until(lambda: render_status(cohort_url) == 200, timeout=GRACE_S + CHECK_S + 30, every=2)
    assert time.monotonic() - killed >= GRACE_S - 1
    wait_until(
        lambda: all(kernel_status(cohort_url, k) == 404 for k in kernels),
        timeout=GRACE_S + CHECK_S + 15,
    )


def test_a_tab_closed_the_usual_way_closes_its_kernel_at_once(browser, voila_url):
    # (make start's settings: the grace period is 5 minutes)
    page = browser.new_page()
    try:
        open_tool(page, voila_url)
        page.wait_for_function("window.phcpmPage && window.phcpmPage.checked !== null")
        kernel = kernel_id(page)
        assert kernel_status(voila_url, kernel) == 200
    finally:
        page.close(run_before_unload=True)
    # (the grace period would keep it for 5 minutes)
    wait_until(lambda: kernel_status(voila_url, kernel) == 404, timeout=20)


def test_a_person_who_stays_on_the_page_keeps_its_kernel(browser, voila_url):
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page = browser.new_page()
    page.on("dialog", stay)
    try:
        open_tool(page, voila_url)
        page.wait_for_function("window.phcpmPage && window.phcpmPage.checked !== null")
        kernel = kernel_id(page)
        # A page that asks before it is left (the PDSA tracker with unsaved
        # work does): the person chooses to stay.
        page.evaluate(
            "window.addEventListener('beforeunload', (e) => { e.preventDefault(); e.returnValue = ''; })"
        )
        page.mouse.click(5, 5)  # a prompt needs the person to have used the page
        page.close(run_before_unload=True)
        for _ in range(50):  # (Playwright hands over the dialog while the page waits)
            if dialogs:
                break
            page.wait_for_timeout(200)
        assert dialogs == ["beforeunload"]
        page.wait_for_timeout(3000)
        assert not page.is_closed()
        assert kernel_status(voila_url, kernel) == 200
    finally:
        page.remove_listener("dialog", stay)
        page.close()


class CuttableProxy:
    """A TCP relay to the server whose connections can all be cut for a while."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut = threading.Event()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut.is_set():
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def drop(self):
        self.cut.set()
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.sockets.clear()

    def restore(self):
        self.cut.clear()

    def close(self):
        self.listener.close()
        self.drop()


def test_a_page_that_reconnects_within_the_grace_period_keeps_its_kernel(
    browser, reconnect_cohort_url
):
    url = reconnect_cohort_url
    server_port = int(url.rsplit(":", 1)[1])
    proxy = CuttableProxy(server_port)
    context = browser.browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = open_tool(context.new_page(), f"http://127.0.0.1:{proxy.port}")
        kernel = kernel_id(page)
        # Quiet for longer than the grace period: the kernel's last activity is old.
        time.sleep(RECONNECT_GRACE_S + 2)
        proxy.drop()
        dropped = time.monotonic()
        time.sleep(RECONNECT_CHECK_S + 1)  # at least one check for kernels to close happens now
        proxy.restore()
        assert kernel_status(url, kernel) == 200, "the kernel was closed during the drop"
        # The page reconnects to the same kernel and the tool still answers.
        margin = page.locator(".phcpm-sampling-margin input")
        while True:
            margin.fill("3")
            margin.press("Enter")
            try:
                page.locator(".phcpm-sampling-result").get_by_text("1,068", exact=False).wait_for(
                    timeout=5_000
                )
                break
            except Exception:
                if time.monotonic() - dropped > RECONNECT_GRACE_S + RECONNECT_CHECK_S:
                    raise
        assert kernel_id(page) == kernel
        assert kernel_status(url, kernel) == 200
    finally:
        context.close()
        proxy.close()
