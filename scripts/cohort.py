"""Serve the apps to a whole cohort at once: warm kernels, a cap, idle clean-up.

Used by ``make serve-cohort N=30``. ``make start`` stays light for one person;
this mode is for a training session where many people open the tools together.

What cohort mode adds to the settings in ``voila.json``:

* warm kernels: each app the session uses is opened in advance in a pool of
  ready kernels (Voila's ``preheat_kernel``), so a participant's page arrives
  already drawn instead of running the notebook while they wait;
* a cap on the number of kernels in use: once it is reached, a new visitor
  gets a short "The server is full" page (HTTP 503) instead of slowing
  everyone down or running the machine out of memory;
* kernels of pages that have gone: a kernel whose page closed, crashed or lost
  its connection is shut down once it has had no connection for the grace
  period (5 minutes by default, ``--idle-minutes``); a page that reconnects
  within it keeps its kernel. The cap counts only live pages: connected ones,
  and those still within their grace period;
* the light serving of ``make start`` (``scripts/serve.py``): compressed
  responses and websockets, cache headers, icons served locally;
* a time limit on each cell, so one stuck computation cannot hold a kernel.

Run ``python scripts/cohort.py --help`` for the options. The settings come from
the Voila 0.5 documentation and source (``voila/voila_kernel_manager.py``,
``voila/configuration.py``) and from ``jupyter_server``'s
``MappingKernelManager`` (culling of idle kernels).
"""

from __future__ import annotations

import argparse
import functools
import html
import importlib.util
import math
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ROOT / "notebooks" / "apps"
TEMPLATES = ROOT / "share" / "jupyter"

FULL_TITLE = "The server is full"
# Minutes a kernel may go without a connection before it is closed.
GRACE_MINUTES = 5


@functools.cache
def serve_module():
    """``scripts/serve.py``: the light Voila that cohort mode builds on."""
    spec = importlib.util.spec_from_file_location("phcpm_serve", ROOT / "scripts" / "serve.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("phcpm_serve", module)
    spec.loader.exec_module(module)
    return module


def app_names() -> list[str]:
    """The app notebooks served, without the ``.ipynb`` suffix, sorted."""
    return sorted(p.stem for p in APPS.glob("*.ipynb"))


def cold_apps() -> list[str]:
    """The apps that read their page's address, so get no warm kernel."""
    scripts = serve_module().page_scripts()
    return [name for name in app_names() if scripts.reads_page_address(APPS / f"{name}.ipynb")]


def pool_plan(
    participants: int, apps: list[str], session_apps: list[str] | None, others: int = 1
) -> dict:
    """How many warm kernels to keep ready for each app (Voila ``kernel_pools_config``).

    The apps named for the session share ``participants`` warm kernels (rounded
    up, at least one each); every other app keeps ``others`` warm kernels (one
    by default; 0: its visitors wait for a kernel to start). With no session
    apps named, all apps are session apps.
    """
    if participants < 1:
        raise ValueError("The number of participants must be at least 1.")
    chosen = list(apps) if not session_apps else list(session_apps)
    unknown = sorted(set(chosen) - set(apps))
    if unknown:
        raise ValueError(f"Unknown app(s): {', '.join(unknown)}. The apps are: {', '.join(apps)}.")
    per_app = max(1, math.ceil(participants / len(chosen)))
    plan = {f"{name}.ipynb": {"pool_size": per_app if name in chosen else others} for name in apps}
    plan["default"] = {"pool_size": others}
    return plan


def reserve_plan(
    participants: int, apps: list[str], session_apps: list[str] | None, others: int = 1
) -> dict:
    """Warm kernels to keep in reserve once the first ones have been handed out.

    Voila refills a pool to its full size after every visitor. On a small server,
    refilling 30 kernels while 30 people use the tools takes all the processor
    time, so after start-up the pools are topped up only to a small reserve:
    about one kernel for every ten participants for each session app, one for
    the others (for late arrivals and reloaded pages).
    """
    full = pool_plan(participants, apps, session_apps, others)
    keep = max(1, math.ceil(participants / 10))
    return {name: {"pool_size": min(entry["pool_size"], keep)} for name, entry in full.items()}


def sessions_in_use(kernel_ids, session_ids) -> int:
    """Kernels in use by participants: those handed to a visitor and still running.

    Warm kernels waiting in a pool are not counted; a kernel that was closed or
    shut down for being idle no longer appears among ``kernel_ids``.
    """
    return len(set(kernel_ids) & set(session_ids))


def live_sessions(kernel_ids, session_ids, connections, idle_seconds, grace_seconds) -> int:
    """Tool pages in use that are still live: the cap counts these.

    A page is live while its kernel has a connection, or within the grace period
    after it was handed its kernel or lost its last connection
    (``serve.page_is_live``). ``connections`` and ``idle_seconds`` give, for a
    kernel id, its open connections and the seconds since its last activity.
    A page that vanished without closing no longer holds a place once its grace
    period is over, even before its kernel is closed.
    """
    live = serve_module().page_is_live
    return sum(
        1
        for kernel_id in set(kernel_ids) & set(session_ids)
        if live(connections(kernel_id), idle_seconds(kernel_id), grace_seconds)
    )


def is_full(in_use: int, max_sessions: int) -> bool:
    """True when no more participants can be admitted (``max_sessions`` <= 0: no cap)."""
    return max_sessions > 0 and in_use >= max_sessions


def server_full_page(in_use: int) -> str:
    """The plain page shown to a visitor when the cap is reached."""
    # The cap counts open tool pages (each has its own kernel), not people: one
    # person with two tools open holds two places.
    pages = "1 tool page is" if in_use == 1 else f"{in_use} tool pages are"
    message = f"The server is full: {pages} open. Please try again in a few minutes."
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta http-equiv='refresh' content='60'>"
        f"<title>{FULL_TITLE}</title>"
        "<style>body{font-family:sans-serif;max-width:40em;margin:4em auto;padding:0 1em;"
        "line-height:1.5;color:#222}h1{color:#D55E00}</style></head><body>"
        f"<h1>{FULL_TITLE}</h1><p class='phcpm-server-full'>{html.escape(message)}</p>"
        "<p>This page tries again by itself every minute. Your facilitator can also "
        "open more places on the server.</p></body></html>"
    )


def track_sessions(kernel_manager) -> set[str]:
    """Record every kernel handed to a visitor in ``kernel_manager.cohort_sessions``.

    A visitor gets either a warm kernel from a pool (``get_rendered_notebook``)
    or, when the pool is empty, a new one that Voila's page handler starts with
    ``VOILA_PREHEAT=False`` in its environment; pool refills start theirs with
    ``VOILA_PREHEAT=True`` and are not sessions. A warm kernel handed out is
    marked as just used: it may have waited in its pool for longer than the
    grace period, and its page has not connected yet.
    """
    sessions: set[str] = set()
    kernel_manager.cohort_sessions = sessions
    take = getattr(kernel_manager, "get_rendered_notebook", None)
    if take is not None:

        async def get_rendered_notebook(*args, **kwargs):
            result = await take(*args, **kwargs)
            sessions.add(result[2])
            serve_module().touch_kernel(kernel_manager, result[2])
            return result

        kernel_manager.get_rendered_notebook = get_rendered_notebook

    start = kernel_manager.start_kernel

    async def start_kernel(*args, **kwargs):
        kernel_id = await start(*args, **kwargs)
        if (kwargs.get("env") or {}).get("VOILA_PREHEAT") == "False":
            sessions.add(kernel_id)
        return kernel_id

    kernel_manager.start_kernel = start_kernel
    return sessions


def cohort_config(
    participants: int,
    session_apps: list[str] | None = None,
    max_sessions: int | None = None,
    idle_minutes: float = GRACE_MINUTES,
    cell_timeout: int = 60,
    warm_others: int = 1,
) -> dict:
    """The Voila settings for a cohort (merged over ``voila.json``).

    ``idle_minutes`` is the grace period: how long a kernel may go without a
    connection before it is closed. It is checked every quarter of that (at
    least every 5 s, at most every minute).
    """
    plan = pool_plan(participants, app_names(), session_apps, warm_others)
    reserve = reserve_plan(participants, app_names(), session_apps, warm_others)
    # A tool that reads its page's address waits for its visitor: it cannot be
    # run in advance (its cell would run into the time limit while it waits).
    for name in cold_apps():
        plan[f"{name}.ipynb"] = reserve[f"{name}.ipynb"] = {"pool_size": 0}
    cap = 2 * participants if max_sessions is None else max_sessions
    return {
        "VoilaConfiguration": {
            "preheat_kernel": True,
            "default_pool_size": 1,
            "progressive_rendering": False,
            "show_tracebacks": False,
            # The apps read packaged data through Python, never through /voila/files.
            "file_allowlist": [],
            "file_denylist": [r".*"],
        },
        "VoilaKernelManager": {"kernel_pools_config": plan, "fill_delay": 5.0},
        "VoilaExecutor": {"timeout": cell_timeout},
        "MappingKernelManager": {
            "cull_idle_timeout": int(idle_minutes * 60),
            "cull_interval": max(5, min(60, int(idle_minutes * 60) // 4)),
            "cull_connected": False,
            "cull_busy": False,
        },
        "CohortVoila": {
            "max_sessions": cap,
            "reserve_pools": reserve,
        },
    }


def _build_app_class():
    """The Voila application with the cap; built lazily so importing stays light."""
    import tornado.web
    from traitlets import Bool, Dict, Int
    from traitlets.config import Config

    serve = serve_module()
    light_voila, light_handler = serve.light_voila()

    class CohortRenderHandler(light_handler):
        """Voila's page handler, but it turns visitors away once the cap is reached."""

        def initialize(self, **kwargs):
            self.max_sessions = kwargs.pop("max_sessions", 0)
            super().initialize(**kwargs)

        def live_pages(self) -> int:
            km = self.kernel_manager
            return live_sessions(
                km.list_kernel_ids(),
                getattr(km, "cohort_sessions", ()),
                lambda kernel_id: serve.connections(km, kernel_id),
                lambda kernel_id: serve.idle_seconds(km, kernel_id),
                km.cull_idle_timeout,
            )

        @tornado.web.authenticated
        async def get(self, path=None):
            in_use = self.live_pages()
            if is_full(in_use, self.max_sessions):
                self.log.warning("Cohort cap reached (%s in use): turned a visitor away", in_use)
                self.set_status(503)
                self.set_header("Retry-After", "120")
                self.set_header("Content-Type", "text/html; charset=utf-8")
                self.finish(server_full_page(in_use))
                return
            await super().get(path)

    class CohortVoila(light_voila):
        """Voila with cohort settings on top of ``voila.json`` and a cap on sessions."""

        max_sessions = Int(
            0, config=True, help="Most live tool pages at once; 0 or less means no cap."
        )
        # The cohort's pools are planned for the session (``pool_plan``).
        warm_after_visit = Bool(False, config=True)
        reserve_pools = Dict(
            {},
            config=True,
            help="Pool sizes to keep topped up after start-up (empty: the start-up sizes).",
        )
        extra_settings: dict = {}

        def load_config_file(self, *args, **kwargs):
            super().load_config_file(*args, **kwargs)
            self.update_config(Config(self.extra_settings))

        def init_settings(self):
            settings = super().init_settings()
            km = self.kernel_manager
            track_sessions(km)
            if self.reserve_pools and hasattr(km, "kernel_pools_config"):
                # the pools were filled to full size when the kernel manager was created
                km.kernel_pools_config = self.reserve_pools
            return settings

        def render_handler_class(self):
            return CohortRenderHandler

        def init_handlers(self):
            handlers = []
            for spec in super().init_handlers():
                if len(spec) >= 2 and spec[1] is CohortRenderHandler:
                    options = dict(spec[2]) if len(spec) > 2 else {}
                    options["max_sessions"] = self.max_sessions
                    spec = (spec[0], CohortRenderHandler, options)
                handlers.append(spec)
            return handlers

    return CohortVoila, CohortRenderHandler


def voila_args(host: str, port: int, token: str | None) -> list[str]:
    args = [
        str(APPS),
        f"--Voila.ip={host}",
        f"--port={port}",
        "--no-browser",
        "--template=phcpm",
    ]
    if token:
        args.append(f"--Voila.token={token}")
    return args


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the apps to a cohort of participants.")
    parser.add_argument("--participants", "-n", type=int, default=30, help="people expected")
    parser.add_argument(
        "--apps",
        default="",
        help="comma-separated apps the session uses (warm kernels go to them); default: all",
    )
    parser.add_argument(
        "--max-sessions",
        type=int,
        default=None,
        help="most kernels in use at once (default: twice the participants; 0: no cap)",
    )
    parser.add_argument(
        "--idle-minutes",
        type=float,
        default=GRACE_MINUTES,
        help="close a kernel after this many minutes without a connection (the grace period)",
    )
    parser.add_argument(
        "--warm-other-apps",
        type=int,
        default=1,
        help="warm kernels for each app the session does not name (0: none)",
    )
    parser.add_argument("--cell-timeout", type=int, default=60, help="seconds allowed per cell")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument(
        "--token",
        default=os.environ.get("PHCPM_TOKEN") or None,
        help="a shared access code participants add as ?token=... (or set PHCPM_TOKEN)",
    )
    args = parser.parse_args(argv)

    session_apps = [a.strip().removesuffix(".ipynb") for a in args.apps.split(",") if a.strip()]
    try:
        settings = cohort_config(
            args.participants,
            session_apps or None,
            args.max_sessions,
            args.idle_minutes,
            args.cell_timeout,
            args.warm_other_apps,
        )
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2

    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(TEMPLATES)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    )
    os.environ["PYTHONUNBUFFERED"] = "1"
    os.chdir(ROOT)  # Voila reads voila.json from its working directory
    app_class, _ = _build_app_class()
    app_class.extra_settings = settings
    plan = settings["VoilaKernelManager"]["kernel_pools_config"]
    warm = sum(v["pool_size"] for k, v in plan.items() if k != "default")
    print(
        f"Cohort mode: {args.participants} participants, {warm} warm kernels, "
        f"at most {settings['CohortVoila']['max_sessions']} in use, "
        f"kernels of vanished pages closed after {args.idle_minutes:g} min.",
        flush=True,
    )
    app_class.launch_instance(argv=voila_args(args.host, args.port, args.token))
    return 0


if __name__ == "__main__":
    sys.exit(main())
