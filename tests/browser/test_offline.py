"""Offline by construction: the book and every tool work with no internet at all.

The browser context aborts every request that would leave this machine and
records it; the test fails on any. The book is served by ``scripts/serve.py``'s
book server, the tools by the same Voila that ``make start`` runs.
"""

from __future__ import annotations

import threading
import urllib.parse

import pytest

from tests.browser.conftest import APPS, SITE, assert_no_voila_error, serve

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
APP_NAMES = sorted(p.stem for p in APPS.glob("*.ipynb"))


def is_local(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in {"data", "blob", "about", "chrome-extension"}:
        return True
    return parts.hostname in LOCAL_HOSTS


@pytest.fixture(scope="module")
def book_url():
    if not (SITE / "index.html").exists():
        pytest.fail("The book is not built: run `make book` (make test does it first).")
    server = serve.book_server("127.0.0.1", 0, SITE)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def offline(browser):
    """A browser context with no internet; ``left`` lists every request that tried."""
    assert browser.browser is not None, "the test browser cannot open separate contexts"
    context = browser.browser.new_context(viewport={"width": 1280, "height": 900})
    left: list[str] = []

    def block(route):
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            left.append(url)
            route.abort("internetdisconnected")

    context.route("**/*", block)
    context.left = left
    yield context
    context.close()


def _new_page(context):
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page


def test_the_blocking_catches_a_request_that_leaves_the_machine(offline, book_url):
    page = _new_page(offline)
    page.goto(book_url + "/book/intro.html")
    page.evaluate("fetch('https://example.org/picture.png').catch(() => null)")
    page.wait_for_timeout(500)
    assert offline.left == ["https://example.org/picture.png"]


def test_landing_page_offline(offline, book_url):
    page = _new_page(offline)
    page.goto(book_url + "/book/intro.html", wait_until="load")
    page.wait_for_load_state("networkidle")
    assert "Three ways to use this curriculum" in page.inner_text("main")
    broken = page.evaluate(
        "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
        ".map(i => i.src)"
    )
    assert broken == []
    # The theme's icons (its own Font Awesome) are drawn.
    assert page.locator("svg.svg-inline--fa, i.fa-brands, i.fa-solid").count() > 0
    assert offline.left == [], "requests left the machine: " + ", ".join(offline.left)


def test_a_lesson_shows_its_formulas_offline(offline, book_url):
    lessons = sorted(
        p
        for p in (SITE / "book").rglob("*.html")
        if 'class="math notranslate' in p.read_text(encoding="utf-8", errors="replace")
    )
    assert lessons, "no lesson with formulas in the built book"
    page = _new_page(offline)
    page.goto(f"{book_url}/{lessons[0].relative_to(SITE).as_posix()}", wait_until="load")
    formulas = page.locator(".math")
    assert formulas.count() > 0
    # MathJax (from the site itself) turns every formula into rendered maths.
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.math'))"
        ".every(m => m.querySelector('mjx-container'))",
        timeout=60_000,
    )
    text = page.inner_text("main")
    assert "\\(" not in text and "\\[" not in text, "raw LaTeX is on the page"
    assert offline.left == [], "requests left the machine: " + ", ".join(offline.left)


@pytest.mark.parametrize("name", APP_NAMES)
def test_every_tool_works_offline_with_its_icons(offline, voila_url, name):
    page = _new_page(offline)
    page.goto(f"{voila_url}/voila/render/{name}.ipynb", wait_until="domcontentloaded")
    page.wait_for_selector(".phcpm-app", state="visible", timeout=120_000)
    assert_no_voila_error(page)
    page.wait_for_load_state("networkidle")
    icons = page.locator(".phcpm-app i.fa")
    if icons.count():
        family = icons.first.evaluate("i => getComputedStyle(i).fontFamily")
        assert "Font Awesome" in family, family
        # The icon font loads from this machine (without the internet it fails otherwise).
        faces = page.evaluate(
            "async () => (await document.fonts.load('900 16px \"Font Awesome 6 Free\"')).length"
        )
        assert faces > 0, "the icon font did not load"
    assert offline.left == [], "requests left the machine: " + ", ".join(offline.left)
