"""`make start` serves the book and the apps, and Ctrl-C stops both cleanly."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request

from tests.browser.conftest import ROOT, SITE, free_port, wait_for_http


def test_start_serves_the_book_and_the_apps_and_stops_on_ctrl_c(page, site_url):
    book_port, voila_port = free_port(), free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "scripts/serve.py",
            "--book-port",
            str(book_port),
            "--voila-port",
            str(voila_port),
            "--site",
            str(SITE),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{book_port}/")
        wait_for_http(f"http://127.0.0.1:{voila_port}/")
        page.goto(f"http://127.0.0.1:{book_port}/book/intro.html")
        assert "Primary Health Care" in page.title()
        page.goto(f"http://127.0.0.1:{voila_port}/")
        page.get_by_text("sampling.ipynb").first.wait_for()
        # Both servers compress what they send.
        for url in (
            f"http://127.0.0.1:{book_port}/book/intro.html",
            f"http://127.0.0.1:{voila_port}/voila/static/voila.js",
        ):
            request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.headers["Content-Encoding"] == "gzip", url
    finally:
        time.sleep(1)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert f"http://127.0.0.1:{book_port}/" in out and f"http://127.0.0.1:{voila_port}/" in out
    assert "Stopped the book and the tools." in out
