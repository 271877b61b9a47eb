"""Serving settings: the single-user defaults, cohort mode and its "server full" page.

No browser and no kernels: the cap is checked on a real Voila page handler whose
kernel list is replaced by a fixed one.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import math
import signal
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


serve = _load("phcpm_serve_for_tests", ROOT / "scripts" / "serve.py")
cohort = _load("phcpm_cohort_for_tests", ROOT / "scripts" / "cohort.py")
APPS = cohort.app_names()


def test_voila_json_keeps_single_user_serving_light_and_safe():
    settings = json.loads((ROOT / "voila.json").read_text())
    voila = settings["VoilaConfiguration"]
    assert voila["show_tracebacks"] is False
    assert voila["file_allowlist"] == []
    assert not voila.get("preheat_kernel", False), "make start must not warm kernels"
    culling = settings["MappingKernelManager"]
    assert culling["cull_idle_timeout"] > 0 and culling["cull_interval"] > 0
    assert settings["VoilaExecutor"]["timeout"] > 0


def test_voila_json_closes_kernels_of_vanished_pages_within_minutes():
    culling = json.loads((ROOT / "voila.json").read_text())["MappingKernelManager"]
    # Closed after 5 minutes without a connection, checked every minute: gone
    # within 6 minutes; a connected page, however quiet, is never closed.
    assert culling["cull_idle_timeout"] == 300 and culling["cull_interval"] == 60
    assert culling["cull_connected"] is False


def test_voila_command_and_env_still_work():
    cmd = serve.voila_command("127.0.0.1", 9999, ["--debug"])
    assert cmd[:3] == [sys.executable, str(ROOT / "scripts" / "serve.py"), "--voila"]
    assert "--port=9999" in cmd and "--template=phcpm" in cmd and cmd[-1] == "--debug"
    env = serve.voila_env({"JUPYTER_PATH": "/elsewhere"})
    assert env["JUPYTER_PATH"].split(":")[0].endswith("share/jupyter")
    assert env["JUPYTER_PATH"].endswith("/elsewhere")


def test_there_are_eight_apps():
    assert len(APPS) == 8 and "sampling" in APPS


def test_pool_plan_gives_the_session_app_a_warm_kernel_per_participant():
    plan = cohort.pool_plan(30, APPS, ["sampling"])
    assert plan["sampling.ipynb"]["pool_size"] == 30
    others = [plan[f"{a}.ipynb"]["pool_size"] for a in APPS if a != "sampling"]
    assert others == [1] * 7


def test_pool_plan_shares_participants_between_all_apps_by_default():
    plan = cohort.pool_plan(30, APPS, None)
    sizes = {plan[f"{a}.ipynb"]["pool_size"] for a in APPS}
    assert sizes == {math.ceil(30 / 8)}  # 4 warm kernels per app, 32 in all


@pytest.mark.parametrize(
    ("participants", "apps", "words"),
    [(0, ["sampling"], "at least 1"), (5, ["nosuchapp"], "Unknown app")],
)
def test_pool_plan_rejects_bad_requests_in_plain_words(participants, apps, words):
    with pytest.raises(ValueError, match=words):
        cohort.pool_plan(participants, APPS, apps)


def test_cohort_config_is_consistent():
    settings = cohort.cohort_config(30, ["sampling"], idle_minutes=10, cell_timeout=60)
    voila = settings["VoilaConfiguration"]
    # Voila refuses warm kernels together with progressive rendering.
    assert voila["preheat_kernel"] is True and voila["progressive_rendering"] is False
    assert voila["show_tracebacks"] is False and voila["file_allowlist"] == []
    assert settings["MappingKernelManager"]["cull_idle_timeout"] == 600
    assert settings["MappingKernelManager"]["cull_connected"] is False
    # the default grace period: 5 minutes without a connection, checked every minute
    default = cohort.cohort_config(30)["MappingKernelManager"]
    assert default["cull_idle_timeout"] == 300 and default["cull_interval"] == 60
    assert settings["VoilaExecutor"]["timeout"] == 60
    assert settings["CohortVoila"]["max_sessions"] == 60
    assert cohort.cohort_config(5, max_sessions=7)["CohortVoila"]["max_sessions"] == 7


def test_sessions_in_use_ignores_warm_and_closed_kernels():
    running = ["warm-1", "warm-2", "anna", "ben"]
    handed_out = {"anna", "ben", "closed-earlier"}
    assert cohort.sessions_in_use(running, handed_out) == 2
    assert cohort.sessions_in_use([], handed_out) == 0


@pytest.mark.parametrize(
    ("in_use", "cap", "full"), [(0, 1, False), (1, 1, True), (59, 60, False), (60, 60, True)]
)
def test_is_full(in_use, cap, full):
    assert cohort.is_full(in_use, cap) is full


def test_no_cap_when_max_sessions_is_zero():
    assert cohort.is_full(10_000, 0) is False


def test_server_full_page_says_what_to_do():
    page = cohort.server_full_page(30)
    assert "The server is full: 30 tool pages are open. Please try again in a few minutes." in page
    assert "1 tool page is open" in cohort.server_full_page(1)
    assert "Traceback" not in page


def test_track_sessions_counts_visitors_but_not_pool_refills():
    class FakeKernelManager:
        def __init__(self):
            self.started = 0

        async def start_kernel(self, **kwargs):
            self.started += 1
            return f"kernel-{self.started}"

        async def get_rendered_notebook(self, **kwargs):
            return ("task", [], "warm-kernel")

    km = FakeKernelManager()
    sessions = cohort.track_sessions(km)

    async def visit():
        await km.start_kernel(env={"VOILA_PREHEAT": "False"})  # visitor, pool empty
        await km.start_kernel(env={"VOILA_PREHEAT": "True"})  # not a visitor
        await km.get_rendered_notebook(notebook_name="sampling.ipynb")  # visitor, warm kernel

    asyncio.run(visit())
    assert sessions == {"kernel-1", "warm-kernel"}
    assert km.cohort_sessions is sessions


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cohort_handler_turns_visitors_away_with_503_when_full(monkeypatch, tmp_path):
    """A real Voila app and handler; the kernel list is fixed, so no kernel starts."""
    import tornado.httpclient
    import tornado.web

    monkeypatch.chdir(ROOT)
    app_class, handler_class = cohort._build_app_class()
    settings = cohort.cohort_config(2, ["sampling"], max_sessions=2)
    settings["VoilaConfiguration"]["preheat_kernel"] = False  # no kernels in this test
    app_class.extra_settings = settings
    app = app_class()
    port = _free_port()
    previous = signal.getsignal(signal.SIGTERM)
    try:
        app.initialize(argv=cohort.voila_args("127.0.0.1", port, None))
    finally:
        signal.signal(signal.SIGTERM, previous)  # Voila installs its own handler
    assert app.max_sessions == 2

    async def scenario():
        app.connection_dir = str(tmp_path)
        tornado_app = tornado.web.Application(**app.init_settings())
        tornado_app.add_handlers(".*$", app.init_handlers())
        km = app.kernel_manager
        km.cohort_sessions.update({"anna", "ben"})
        monkeypatch.setattr(km, "list_kernel_ids", lambda: ["anna", "ben", "warm"])
        server = tornado_app.listen(port, address="127.0.0.1")
        try:
            client = tornado.httpclient.AsyncHTTPClient()
            response = await client.fetch(
                f"http://127.0.0.1:{port}/voila/render/sampling.ipynb", raise_error=False
            )
        finally:
            server.stop()
        return response

    response = asyncio.run(scenario())
    assert any(h[1] is handler_class for h in app.init_handlers() if len(h) > 1)
    assert response.code == 503
    assert response.headers["Retry-After"] == "120"
    body = response.body.decode()
    assert "The server is full: 2 tool pages are open." in body


def test_reserve_plan_tops_up_only_a_few_kernels_after_start_up():
    reserve = cohort.reserve_plan(30, APPS, ["sampling"])
    assert reserve["sampling.ipynb"]["pool_size"] == 3  # one per ten participants
    assert all(reserve[f"{a}.ipynb"]["pool_size"] == 1 for a in APPS if a != "sampling")
    settings = cohort.cohort_config(30, ["sampling"])
    # The PDSA tracker waits for its page's address: no kernel is run for it in
    # advance (it would wait until its cell's time limit and then be useless).
    assert settings["CohortVoila"]["reserve_pools"] == {**reserve, "pdsa.ipynb": {"pool_size": 0}}
    plan = settings["VoilaKernelManager"]["kernel_pools_config"]
    assert plan["pdsa.ipynb"] == {"pool_size": 0} and plan["sampling.ipynb"]["pool_size"] == 30
    assert cohort.reserve_plan(4, APPS, ["sampling"])["sampling.ipynb"]["pool_size"] == 1


def test_pool_plan_can_leave_other_apps_without_warm_kernels():
    plan = cohort.pool_plan(4, APPS, ["sampling"], others=0)
    assert plan["sampling.ipynb"]["pool_size"] == 4
    assert all(plan[f"{a}.ipynb"]["pool_size"] == 0 for a in APPS if a != "sampling")


def test_live_sessions_counts_connected_pages_and_pages_within_their_grace_period():
    running = ["warm", "connected", "dropped-just-now", "gone-long-ago", "closed-already"]
    handed_out = {"connected", "dropped-just-now", "gone-long-ago", "closed"}
    conns = {"connected": 1}
    idle = {"connected": 3600, "dropped-just-now": 20, "gone-long-ago": 400}
    count = cohort.live_sessions(
        running, handed_out, lambda k: conns.get(k, 0), lambda k: idle.get(k, 0), 300
    )
    assert count == 2  # the page gone for 400 s (grace 300 s) no longer holds a place
    assert serve.page_is_live(0, 299.0, 300) and not serve.page_is_live(0, 301.0, 300)
    assert serve.page_is_live(2, 10_000, 300)


def test_a_kernel_gets_its_whole_grace_period_from_the_moment_its_page_disconnects():
    import datetime as dt
    from types import SimpleNamespace

    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    kernel = SimpleNamespace(last_activity=long_ago)

    class FakeKernelManager:
        def __init__(self):
            self._kernels = {"k": kernel}
            self._kernel_connections = {"k": 2}

        def notify_disconnect(self, kernel_id):
            self._kernel_connections[kernel_id] -= 1

    km = FakeKernelManager()
    serve.watch_connections(km)
    km.notify_disconnect("k")  # one of two connections left: nothing changes
    assert kernel.last_activity == long_ago
    km.notify_disconnect("k")  # the last one: the grace period starts now
    assert serve.idle_seconds(km, "k") < 5
    kernel.last_activity = long_ago
    serve.touch_kernel(km, "k")  # a warm kernel handed to a page
    assert serve.idle_seconds(km, "k") < 5


def test_cache_control_for_the_book():
    assert serve.cache_control("/_static/styles/theme.css", "digest=abc123") == serve.LONG_CACHE
    assert serve.cache_control("/_static/pygments.css", "v=5d1b8d1b") == serve.LONG_CACHE
    assert serve.cache_control("/_static/mathjax-3.2.2/tex-chtml.js", "") == serve.LONG_CACHE
    assert serve.cache_control("/book/intro.html", "") == serve.NO_CACHE
    assert serve.cache_control("/_images/chart.png", "") == serve.NO_CACHE


def test_the_book_server_compresses_text_and_answers_304_when_unchanged(tmp_path):
    import gzip
    import threading
    import urllib.error
    import urllib.request

    (tmp_path / "page.html").write_text("<p>" + "hello " * 2000 + "</p>", encoding="utf-8")
    (tmp_path / "picture.png").write_bytes(b"\x89PNG" + bytes(5000))
    server = serve.book_server("127.0.0.1", 0, tmp_path)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        request = urllib.request.Request(base + "/page.html", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            body, headers = response.read(), response.headers
        assert headers["Content-Encoding"] == "gzip" and headers["Cache-Control"] == "no-cache"
        assert gzip.decompress(body).decode().count("hello") == 2000
        assert len(body) < 1000
        again = urllib.request.Request(
            base + "/page.html",
            headers={"Accept-Encoding": "gzip", "If-None-Match": headers["ETag"]},
        )
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(again)
        assert answer.value.code == 304
        # no gzip for a browser that does not ask for it, nor for pictures
        with urllib.request.urlopen(base + "/page.html") as response:
            assert response.headers["Content-Encoding"] is None
        png = urllib.request.Request(base + "/picture.png", headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(png) as response:
            assert response.headers["Content-Encoding"] is None
    finally:
        server.shutdown()
        server.server_close()


def test_light_voila_compresses_caches_and_serves_the_icons_itself(monkeypatch, tmp_path):
    """A real Voila app and its handlers, with no kernel: static files only."""
    import tornado.httpclient
    import tornado.web

    monkeypatch.chdir(ROOT)
    app_class, _ = serve.light_voila()
    app = app_class()
    port = _free_port()
    previous = signal.getsignal(signal.SIGTERM)
    try:
        app.initialize(argv=serve.voila_args("127.0.0.1", port, []))
    finally:
        signal.signal(signal.SIGTERM, previous)

    from jupyter_core.paths import jupyter_path

    labext = next(
        Path(p)
        for p in jupyter_path("labextensions")
        if (Path(p) / "@jupyter-widgets" / "jupyterlab-manager").is_dir()
    )
    hashed = sorted(labext.glob("@jupyter-widgets/jupyterlab-manager/static/*.*.js"))
    assert hashed, "the widget manager's files are missing"
    hashed_url = "/voila/labextensions/" + hashed[0].relative_to(labext).as_posix()

    async def scenario():
        app.connection_dir = str(tmp_path)
        settings = app.init_settings()
        assert settings["compress_response"] is True
        assert settings["websocket_compression_options"] == {}
        tornado_app = tornado.web.Application(**settings)
        tornado_app.add_handlers(".*$", app.init_handlers())
        server = tornado_app.listen(port, address="127.0.0.1")
        client = tornado.httpclient.AsyncHTTPClient()
        answers = {}
        try:
            for name, path in {
                "icons": f"/{app.font_awesome_path}css/all.min.css",
                "font": f"/{app.font_awesome_path}webfonts/fa-solid-900.woff2",
                "voila": "/voila/static/voila.js",
                "widgets": hashed_url,
                "package": "/voila/labextensions/@jupyter-widgets/jupyterlab-manager/package.json",
            }.items():
                answers[name] = await client.fetch(
                    f"http://127.0.0.1:{port}{path}",
                    headers={"Accept-Encoding": "gzip"},
                    decompress_response=False,
                    raise_error=False,
                )
        finally:
            server.stop()
        return answers

    answers = asyncio.run(scenario())
    assert all(a.code == 200 for a in answers.values()), {k: a.code for k, a in answers.items()}
    for name in ("icons", "voila", "widgets"):
        assert answers[name].headers.get("Content-Encoding") == "gzip", name
    assert answers["font"].headers.get("Content-Encoding") is None  # woff2 is compressed
    assert answers["icons"].headers["Cache-Control"] == serve.LONG_CACHE
    assert answers["font"].headers["Cache-Control"] == serve.LONG_CACHE
    assert answers["widgets"].headers["Cache-Control"] == serve.LONG_CACHE
    assert answers["voila"].headers["Cache-Control"] == serve.DAY_CACHE
    assert answers["package"].headers["Cache-Control"] == serve.NO_CACHE

    # Once the background thread has made its Brotli copy, browsers that accept it get it.
    import time

    store = app.brotli_store
    script = next(
        str(Path(p) / "voila.js") for p in app.static_paths if (Path(p) / "voila.js").exists()
    )
    deadline = time.monotonic() + 120
    while store.get(script) is None and time.monotonic() < deadline:
        time.sleep(0.5)

    async def brotli_fetch():
        tornado_app = tornado.web.Application(**app.init_settings())
        tornado_app.add_handlers(".*$", app.init_handlers())
        server = tornado_app.listen(port, address="127.0.0.1")
        try:
            return await tornado.httpclient.AsyncHTTPClient().fetch(
                f"http://127.0.0.1:{port}/voila/static/voila.js",
                headers={"Accept-Encoding": "br, gzip"},
                decompress_response=False,
            )
        finally:
            server.stop()

    answer = asyncio.run(brotli_fetch())
    assert answer.headers["Content-Encoding"] == "br"
    assert answer.body == store.get(script)

    # Static URLs still get their ``?v=`` version from the file on disk (a class
    # call, made by tornado for every page), for the handlers that send Brotli.
    brotli_handlers = [
        spec[1]
        for spec in app.init_handlers()
        if isinstance(spec, tuple)
        and isinstance(spec[1], type)
        and "BrotliMixin" in {c.__name__ for c in spec[1].__mro__}
    ]
    assert brotli_handlers
    expected = tornado.web.StaticFileHandler.get_content_version(script)
    for handler in brotli_handlers:
        assert handler.get_content_version(script) == expected, handler.__name__


def test_brotli_copies_go_to_browsers_that_accept_them(tmp_path):
    import threading
    import urllib.request

    import brotli

    text = "<p>" + "hello brotli " * 2000 + "</p>"
    (tmp_path / "page.html").write_text(text, encoding="utf-8")
    # the book server: compressed on first request, kept for the next
    server = serve.book_server("127.0.0.1", 0, tmp_path)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/page.html"
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Encoding"] == "br"
            assert brotli.decompress(response.read()).decode() == text
    finally:
        server.shutdown()
        server.server_close()
    # the store the tool server fills in the background
    store = serve.BrotliStore(folder=tmp_path / "store")
    store.fill([tmp_path])
    body = store.get(str(tmp_path / "page.html"))
    assert body is None  # only scripts, stylesheets, SVG and JSON are stored
    (tmp_path / "app.js").write_text("var x = 1;\n" * 500, encoding="utf-8")
    store.fill([tmp_path])
    assert brotli.decompress(store.get(str(tmp_path / "app.js"))) == ("var x = 1;\n" * 500).encode()
    assert len(list((tmp_path / "store").glob("*.br"))) == 1
    assert serve.accepts("gzip, br;q=0", "br") is False and serve.accepts("br", "br")


class _Pools:
    """Voila's kernel manager, as far as ``warm_next_visit`` uses it."""

    def __init__(self, config):
        self.kernel_pools_config = config
        self.filled = []

    def fill_if_needed(self, delay=None, notebook_name=None):
        self.filled.append(notebook_name)


def test_a_tool_gets_one_warm_kernel_after_its_first_visit_and_only_one():
    km = _Pools({"default": {"pool_size": 0, "kernel_env_variables": {"A": "1"}}})
    assert serve.warm_next_visit(km, "sampling.ipynb") is True
    assert km.filled == ["sampling.ipynb"]
    assert km.kernel_pools_config["sampling.ipynb"] == {
        "pool_size": 1,
        "kernel_env_variables": {"A": "1"},
    }
    assert km.kernel_pools_config["default"]["pool_size"] == 0  # other tools: none
    # The next visits take the warm kernel; Voila refills its pool of one itself.
    assert serve.warm_next_visit(km, "sampling.ipynb") is False
    assert km.filled == ["sampling.ipynb"]


def test_no_warm_kernel_where_the_pools_are_planned_or_voila_has_none():
    planned = _Pools({"default": {"pool_size": 0}, "spc.ipynb": {"pool_size": 12}})
    assert serve.warm_next_visit(planned, "spc.ipynb") is False
    assert planned.kernel_pools_config["spc.ipynb"] == {"pool_size": 12}
    assert serve.warm_next_visit(object(), "spc.ipynb") is False  # preheating is off
