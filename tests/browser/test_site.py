"""The built static site: every internal link and image resolves; pages are accessible."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

from tests.browser.conftest import serious_axe_violations


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("href", "src"):
            value = attrs.get(key)
            if value and tag in {"a", "img", "link", "script", "source"}:
                self.links.append((tag, value))


def crawl(start: str) -> tuple[set[str], list[str]]:
    """Follow every internal link from ``start``; return pages seen and broken links."""
    origin = urllib.parse.urlsplit(start).netloc
    seen: set[str] = set()
    checked: dict[str, int] = {}
    broken: list[str] = []
    queue = [start]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        with urllib.request.urlopen(url, timeout=10) as response:
            body = response.read().decode("utf-8", errors="replace")
        parser = LinkParser()
        parser.feed(body)
        for tag, link in parser.links:
            target = urllib.parse.urljoin(url, link)
            parts = urllib.parse.urlsplit(target)
            if parts.scheme not in {"http", "https"} or parts.netloc != origin:
                continue
            target = urllib.parse.urlunsplit(parts._replace(fragment=""))
            if target not in checked:
                try:
                    with urllib.request.urlopen(target, timeout=10) as r:
                        checked[target] = r.status
                except urllib.error.HTTPError as error:
                    checked[target] = error.code
            if checked[target] >= 400:
                broken.append(f"{url} -> {link} ({tag}, HTTP {checked[target]})")
            elif tag == "a" and target.endswith((".html", "/")):
                queue.append(target)
    return seen, broken


def test_every_internal_link_and_image_resolves(site_url):
    # index.html only redirects to the landing page; the crawl starts there.
    with urllib.request.urlopen(site_url + "/index.html", timeout=10) as response:
        assert "book/intro.html" in response.read().decode("utf-8", errors="replace")
    pages, broken = crawl(site_url + "/book/intro.html")
    assert len(pages) >= 5, f"only {len(pages)} pages reached from the landing page"
    assert not broken, "broken links or missing files:\n" + "\n".join(broken)


def test_the_crawler_reports_a_broken_link(site_url, tmp_path):
    # A page that links to something missing must be reported (the check can fail).
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    (tmp_path / "index.html").write_text('<a href="missing.html">x</a><img src="gone.png">')
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _, broken = crawl(f"http://127.0.0.1:{server.server_address[1]}/index.html")
    finally:
        server.shutdown()
        server.server_close()
    assert len(broken) == 2


def test_landing_page_images_load_and_it_says_how_to_use_it(page, site_url):
    page.goto(site_url + "/book/intro.html")
    assert "Three ways to use this curriculum" in page.inner_text("main")
    broken = page.evaluate(
        "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
        ".map(i => i.src)"
    )
    assert broken == []


def test_landing_page_is_accessible(page, site_url):
    page.goto(site_url + "/book/intro.html")
    assert serious_axe_violations(page) == []


def test_a_lesson_is_accessible_and_hides_code_for_managers(page, site_url):
    from pathlib import Path

    lessons = sorted(Path(__file__).resolve().parents[2].glob("book/sampling/[0-9]*.ipynb"))
    assert lessons, "no lesson notebooks in book/sampling"
    page.goto(f"{site_url}/book/sampling/{lessons[0].stem}.html")
    assert page.locator("h1").count() >= 1
    # Code a manager need not read is folded away behind a toggle.
    assert page.locator("details.hide, .toggle-details, .cell.tag_hide-input").count() >= 1
    assert serious_axe_violations(page) == []
