"""The page budget of a tool on a slow link (400 kbit/s each way, 400 ms latency).

Every tool is opened twice in a fresh browser context with the network slowed
down through the Chrome DevTools Protocol (``benchmarks/bench_page.py`` does the
measuring): a first visit with an empty cache, then a repeat visit. The budget:

* a first visit transfers at most 1.5 MB (``encodedDataLength``: bytes as they
  travelled, compressed, headers included);
* a repeat visit takes from the network only the page itself and a few small
  answers: the cache serves every script, stylesheet and font;
* the first control is visible within 20 s on a first visit, 5 s on a repeat visit.

The light front end (``frontend/``: about 0.25 MB of script instead of
Voila's 0.95 MB) draws each tool from the widget state the server writes into
the page while it runs the notebook (compressed with the page: 10 to 30 kB),
so the page does not wait for its kernel connection before showing the tool.
What the time goes to, per tool, is in ``benchmarks/README.md``.
"""

from __future__ import annotations

import importlib.util
import time
import urllib.request

import pytest

from tests.browser.conftest import APPS, ROOT

APP_NAMES = sorted(p.stem for p in APPS.glob("*.ipynb"))


def _load_bench():
    spec = importlib.util.spec_from_file_location(
        "bench_page", ROOT / "benchmarks" / "bench_page.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


@pytest.fixture(scope="module")
def measured(browser, voila_url):
    """Each tool measured once (first and repeat visit); tests read the results."""
    assert browser.browser is not None, "the test browser cannot open separate contexts"
    # The server makes its Brotli copies in the background when it starts (a few
    # seconds once they are on disk); the icon stylesheets come last.
    fa_dir, fa_version = bench._load_serve().font_awesome_dir()
    last = f"{voila_url}/voila/fontawesome-{fa_version}/css/all.min.css"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        request = urllib.request.Request(last, headers={"Accept-Encoding": "br, gzip"})
        with urllib.request.urlopen(request, timeout=10) as response:
            if response.headers["Content-Encoding"] == "br":
                break
        time.sleep(2)
    results = {}

    def measure(name):
        if name not in results:
            results[name] = bench.measure_app(browser.browser, voila_url, name)
            first, repeat = results[name]["first"], results[name]["repeat"]
            # Shown with ``pytest -s``: the figures behind the budget, per tool.
            print(
                f"\n{name}: first visit {first['bytes'] / 1e6:.2f} MB, first control "
                f"{first['first_control_s']} s, {first['websocket_bytes'] / 1e3:.0f} kB of "
                f"widget state; repeat visit {repeat['bytes'] / 1e3:.0f} kB (the page "
                f"{repeat['page_bytes'] / 1e3:.0f} kB), first control "
                f"{repeat['first_control_s']} s"
            )
        return results[name]

    return measure


@pytest.mark.parametrize("name", APP_NAMES)
def test_first_visit_transfers_at_most_1_5_mb_and_a_repeat_visit_uses_the_cache(measured, name):
    result = measured(name)
    first, repeat = result["first"], result["repeat"]
    assert first["errors"] == 0 and repeat["errors"] == 0
    assert first["bytes"] <= bench.BUDGET["first_visit_bytes"], (
        f"{name}: first visit {first['bytes'] / 1e6:.2f} MB in {first['requests']} requests"
    )
    # Besides the page itself (the notebook's outputs and the widgets' state, which
    # are new on every visit), only a few small answers: every script, stylesheet
    # and font comes from the cache.
    assert 0 < repeat["page_bytes"] < repeat["bytes"]
    assert repeat["bytes"] - repeat["page_bytes"] <= 20_000, (
        f"{name}: repeat visit {repeat['bytes'] / 1e3:.0f} kB, "
        f"of which the page {repeat['page_bytes'] / 1e3:.0f} kB"
    )


@pytest.mark.parametrize("name", APP_NAMES)
def test_first_control_within_20_s_on_a_first_visit(measured, name):
    first = measured(name)["first"]
    assert first["first_control_s"] <= bench.BUDGET["first_control_s"], (
        f"{name}: first control after {first['first_control_s']} s"
    )


@pytest.mark.parametrize("name", APP_NAMES)
def test_first_control_within_5_s_on_a_repeat_visit(measured, name):
    repeat = measured(name)["repeat"]
    assert repeat["first_control_s"] <= bench.BUDGET["repeat_visit_s"], (
        f"{name}: repeat visit, first control after {repeat['first_control_s']} s"
    )
