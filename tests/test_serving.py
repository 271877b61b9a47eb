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


def test_voila_command_and_env_still_work():
    cmd = serve.voila_command("127.0.0.1", 9999, ["--debug"])
    assert cmd[:3] == [sys.executable, "-m", "voila"]
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
    assert (
        "The server is full: 30 tool pages are open. Please try again in a few minutes."
        in page
    )
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
    assert settings["CohortVoila"]["reserve_pools"] == reserve
    assert cohort.reserve_plan(4, APPS, ["sampling"])["sampling.ipynb"]["pool_size"] == 1
