"""Serve the built book and the Voila apps together; Ctrl-C stops both.

Used by ``make start``. The book is served from ``_build/html`` by a small
static file server; the apps in ``notebooks/apps`` by Voila.

Both servers are made for slow links and for laptops without internet:

* every text response (HTML, CSS, JavaScript, JSON, SVG) and the kernels'
  websocket messages are sent compressed: Brotli for static files where the
  browser accepts it (``brotli`` package), gzip otherwise;
* files whose address carries a version (a content hash in the name, or a
  ``?v=``/``?digest=`` query) may be kept by the browser for a year, so a
  second visit loads them from its cache; other files are checked with the
  server on every visit (``no-cache``; an unchanged file costs a short 304
  answer);
* nothing is fetched from the internet while a page loads: the tools' icon font
  (Font Awesome, from the ``fontawesomefree`` package) and the book's MathJax
  (from the ``django-static-mathjax`` package) come from this machine. This
  module is also the Sphinx extension that copies MathJax into the built book
  (``sphinx.local_extensions`` in ``_config.yml``).

Kernels of pages that have gone: every tool page has its own Python kernel.
When a page is closed normally, Voila shuts its kernel down. When the page
vanishes without saying so (a crash, a sleeping laptop, a dropped connection)
the kernel stays until it has had no connection for the grace period
(``MappingKernelManager.cull_idle_timeout`` in ``voila.json``) and is then
closed at the next check (``cull_interval``). A page that reconnects within the
grace period keeps its kernel and its work. See ``book/facilitator/serving.md``.

Warm kernels (off by default): with ``"preheat_kernel": true`` and
``"default_pool_size": 0`` in ``voila.json``, no kernel is started before a
tool is first opened; after that, one kernel that has already run the tool's
notebook is kept ready for its next visit (``warm_next_visit``), so a reload
shows the tool without running it again. It stays off until a warm kernel that
failed to start can no longer be handed to a visitor: in one test run, two
kernels starting at once clashed over a port, and Voila gave the dead one to the
next page, which then never showed its tool.
"""

from __future__ import annotations

import argparse
import base64
import email.utils
import functools
import gzip
import http.server
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The built book; PHCPM_SITE or --site point at a book built elsewhere.
SITE = Path(os.environ.get("PHCPM_SITE") or ROOT / "_build" / "html")
APPS = ROOT / "notebooks" / "apps"
TEMPLATES = ROOT / "share" / "jupyter"

# A year: what browsers may keep a file whose address names its version.
LONG_CACHE = "public, max-age=31536000, immutable"
# Voila's own JavaScript chunks are named by number, not by content, so they are
# kept for a day only (a Voila upgrade reaches every browser within a day).
DAY_CACHE = "public, max-age=86400"
NO_CACHE = "no-cache"

# Text types worth compressing (images and fonts are compressed already).
COMPRESSIBLE = re.compile(
    r"^(text/|application/(javascript|x-javascript|json|xml|xhtml\+xml|manifest\+json)|image/svg)"
)
# A file name that carries a content hash: 84.09c61a35dce1705f.js, remoteEntry.698dcaf7.js
HASHED_NAME = re.compile(r"[.-][0-9a-f]{8,}\.[a-z0-9]+$")


class BrotliStore:
    """Brotli-compressed copies of static files, made once in the background.

    Brotli at its best setting makes Voila's JavaScript about 15 % smaller than
    gzip, but takes about 10 s of processor time for all of it, too slow to do
    while a page waits. So the copies are made by a background thread when the
    server starts, kept in memory and on disk (by content hash, under the
    system's temporary folder) for the next start; until a copy is ready the
    file goes out gzip-compressed.
    """

    def __init__(self, folder: Path | None = None, quality: int = 11):
        import tempfile

        self.folder = folder or Path(tempfile.gettempdir()) / f"phcpm-brotli-{os.getuid()}"
        self.quality = quality
        self.ready: dict[str, bytes] = {}  # absolute path -> compressed bytes
        self._lock = threading.Lock()

    @staticmethod
    def available() -> bool:
        try:
            import brotli  # noqa: F401
        except ImportError:
            return False
        return True

    def get(self, abspath: str) -> bytes | None:
        return self.ready.get(abspath)

    def compress(self, path: Path) -> bytes:
        import hashlib

        import brotli

        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        stored = self.folder / f"{digest}.br"
        if stored.exists():
            return stored.read_bytes()
        body = brotli.compress(data, quality=self.quality)
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = stored.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(body)
        partial.replace(stored)
        return body

    def fill(self, folders, patterns=("*.js", "*.css", "*.svg", "*.json")) -> None:
        """Compress every matching file under ``folders`` (call from a thread)."""
        for folder in folders:
            for pattern in patterns:
                for path in sorted(Path(folder).rglob(pattern)):
                    if path.stat().st_size < 1024 or str(path) in self.ready:
                        continue
                    try:
                        body = self.compress(path)
                    except OSError:
                        continue
                    with self._lock:
                        self.ready[str(path)] = body

    def start(self, folders) -> threading.Thread:
        thread = threading.Thread(target=self.fill, args=(list(folders),), daemon=True)
        thread.start()
        return thread


def accepts(header: str, coding: str) -> bool:
    """True when an ``Accept-Encoding`` header accepts ``coding`` (and not with q=0)."""
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() == coding:
            return params.replace(" ", "") not in {"q=0", "q=0.0"}
    return False


# --------------------------------------------------------------------------- book


def cache_control(path: str, query: str) -> str:
    """The ``Cache-Control`` value for a file of the built book.

    Sphinx and the theme add ``?v=<checksum>`` or ``?digest=<hash>`` to the
    addresses of their stylesheets and scripts; MathJax sits in a folder named
    after its version. Those may be cached for a year. Pages, pictures and
    everything else are revalidated on every visit.
    """
    args = urllib.parse.parse_qs(query)
    if args.get("v") or args.get("digest") or re.search(r"/_static/mathjax-[0-9.]+/", path):
        return LONG_CACHE
    return NO_CACHE


class BookHandler(http.server.SimpleHTTPRequestHandler):
    """Static files of the built book, compressed (Brotli or gzip) and with cache headers."""

    # (path, size, mtime, coding) -> compressed bytes; the site is small enough to keep.
    _compressed: dict[tuple[str, int, float, str], bytes] = {}
    _lock = threading.Lock()
    _brotli = BrotliStore()

    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass

    def end_headers(self):
        parts = urllib.parse.urlsplit(self.path)
        self.send_header("Cache-Control", cache_control(parts.path, parts.query))
        super().end_headers()

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) or not os.path.isfile(path):
            return super().send_head()
        ctype = self.guess_type(path)
        accepted = self.headers.get("Accept-Encoding", "")
        if BrotliStore.available() and accepts(accepted, "br"):
            coding = "br"
        elif accepts(accepted, "gzip"):
            coding = "gzip"
        else:
            coding = None
        if not COMPRESSIBLE.match(ctype) or coding is None:
            return super().send_head()
        stat = os.stat(path)
        etag = f'"{int(stat.st_mtime)}-{stat.st_size}-{coding}"'
        last_modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Vary", "Accept-Encoding")
            self.end_headers()
            return None
        key = (path, stat.st_size, stat.st_mtime, coding)
        body = self._compressed.get(key)
        if body is None:
            if coding == "br":
                body = self._brotli.compress(Path(path))
            else:
                with open(path, "rb") as f:
                    body = gzip.compress(f.read(), compresslevel=9, mtime=0)
            with self._lock:
                self._compressed[key] = body
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", coding)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", last_modified)
        self.send_header("ETag", etag)
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)


def book_server(host: str, port: int, site: Path = SITE) -> http.server.ThreadingHTTPServer:
    """A threaded server for the built book (not started)."""
    handler = functools.partial(BookHandler, directory=str(site))
    return http.server.ThreadingHTTPServer((host, port), handler)


# ------------------------------------------------- MathJax in the built book (Sphinx)


def mathjax_source() -> tuple[Path, str]:
    """MathJax 3's browser files (``es5``) from the ``django-static-mathjax`` package."""
    import mathjax  # the package's module name

    base = Path(mathjax.__file__).resolve().parent / "static" / "mathjax"
    version = json.loads((base / "package.json").read_text(encoding="utf-8"))["version"]
    return base / "es5", version


# What a page with formulas may load: the TeX-to-HTML bundle, the TeX packages it
# loads on demand, its fonts, the menu and the accessibility parts the menu offers.
MATHJAX_PARTS = [
    "tex-chtml.js",
    "input/tex/extensions",
    "output/chtml/fonts/woff-v2",
    "ui",
    "a11y",
    "sre",
]


def mathjax_folder(version: str) -> str:
    return f"mathjax-{version}"


def _use_local_mathjax(app, config):
    from sphinx.ext.mathjax import MATHJAX_URL

    if config.mathjax_path in ("", MATHJAX_URL):
        _, version = mathjax_source()
        config.mathjax_path = f"{mathjax_folder(version)}/tex-chtml.js"


def _copy_mathjax(app):
    if app.builder.format != "html":
        return
    source, version = mathjax_source()
    target = Path(app.outdir) / "_static" / mathjax_folder(version)
    for part in MATHJAX_PARTS:
        src, dst = source / part, target / part
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


def setup(app):
    """Sphinx extension: the book's MathJax is served from the site itself."""
    app.connect("config-inited", _use_local_mathjax)
    app.connect("builder-inited", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# -------------------------------------------------------------------------- tools

FONT_AWESOME_CDN = "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/css/"


def font_awesome_dir() -> tuple[Path, str]:
    """Font Awesome's stylesheets and web fonts from the ``fontawesomefree`` package."""
    from importlib.metadata import version

    import fontawesomefree

    base = Path(fontawesomefree.__file__).resolve().parent / "static" / "fontawesomefree"
    return base, version("fontawesomefree")


def voila_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment Voila runs in: it finds the repository's page template."""
    env = dict(os.environ if base is None else base)
    paths = [str(TEMPLATES)] + [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def voila_args(host: str, port: int, extra: list[str]) -> list[str]:
    return [
        str(APPS),
        f"--Voila.ip={host}",
        f"--port={port}",
        "--no-browser",
        "--show_tracebacks=False",
        "--template=phcpm",
        *extra,
    ]


def voila_command(host: str, port: int, extra: list[str]) -> list[str]:
    """Voila with this project's light serving (see ``light_voila``)."""
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--voila",
        *voila_args(host, port, extra),
    ]


def page_is_live(connections: int, idle_seconds: float, grace_seconds: float) -> bool:
    """A tool page counts as live while connected, or for the grace period after.

    ``idle_seconds`` is the time since the kernel's last activity, which counts
    the moment a page was handed its kernel and the moment its last connection
    dropped (``watch_connections``).
    """
    return connections > 0 or idle_seconds < grace_seconds


def watch_connections(kernel_manager) -> None:
    """Start a kernel's grace period when its last connection drops.

    jupyter_server closes a kernel without connections once its last activity
    is older than ``cull_idle_timeout``. Its last activity is the last message
    from the kernel, so a page that sat quietly for an hour and then lost its
    connection would be closed at the next check, with no time to reconnect.
    Marking the moment of disconnection as activity gives every page the full
    grace period to come back.
    """
    from jupyter_server._tz import utcnow

    notify = kernel_manager.notify_disconnect

    def notify_disconnect(kernel_id):
        notify(kernel_id)
        if kernel_manager._kernel_connections.get(kernel_id, 0) <= 0:
            kernel = kernel_manager._kernels.get(kernel_id)
            if kernel is not None:
                kernel.last_activity = utcnow()

    kernel_manager.notify_disconnect = notify_disconnect


def warm_next_visit(kernel_manager, notebook: str, log=None) -> bool:
    """Keep one kernel ready, the tool already run, for ``notebook``'s next visit.

    ``make start`` starts no kernel before a tool is first opened (eight warm
    kernels would hold about 1.6 GB of a laptop's memory for tools that may
    never be used). Once a tool has been opened, its next visit (a reload,
    another tab, the next participant) gets a kernel that has already run the
    notebook, and Voila starts the following one when it is taken (its pool
    of one, ``VoilaConfiguration.preheat_kernel``). Returns True when it
    started one. Idle kernels in a pool are not closed by the grace period.
    """
    pools = getattr(kernel_manager, "kernel_pools_config", None)
    fill = getattr(kernel_manager, "fill_if_needed", None)
    if pools is None or fill is None:
        return False
    current = pools.get(notebook, pools.get("default", {}))
    if current.get("pool_size", 0) >= 1:
        return False
    kernel_manager.kernel_pools_config = {
        **pools,
        notebook: {**pools.get("default", {}), **current, "pool_size": 1},
    }
    fill(delay=None, notebook_name=notebook)
    if log is not None:
        log.info("A kernel for the next visit of %s is being prepared", notebook)
    return True


def touch_kernel(kernel_manager, kernel_id) -> None:
    """Mark a kernel as just used (it was handed to a page that is loading)."""
    from jupyter_server._tz import utcnow

    kernel = getattr(kernel_manager, "_kernels", {}).get(kernel_id)
    if kernel is not None:
        kernel.last_activity = utcnow()


def idle_seconds(kernel_manager, kernel_id) -> float:
    from jupyter_server._tz import utcnow

    kernel = kernel_manager._kernels.get(kernel_id)
    last = getattr(kernel, "last_activity", None)
    if last is None:
        return 0.0
    return (utcnow() - last).total_seconds()


def connections(kernel_manager, kernel_id) -> int:
    return kernel_manager._kernel_connections.get(kernel_id, 0)


# ipywidgets' comm target; ``widgets/message_count.py`` counts the same messages.
WIDGET_TARGET = "jupyter.widget"


class WidgetSnapshot:
    """The state of a tool's widgets as the server saw it while running the notebook.

    Every widget is opened, changed and closed by a message from the kernel,
    and the server sees each one as it runs the notebook's cells. Kept here:
    the state of every widget still open, its binary parts (base64), and the
    number of widget messages seen. The page draws the tool from this at once,
    instead of asking the kernel for it over the websocket first (on a slow
    link most of what a repeat visit waits for). It then asks the kernel how
    many widget messages it has sent (``widgets/message_count.py``): any other
    number than ``count`` means something happened that the snapshot does not
    hold, and the page asks the kernel for every widget's state.
    """

    def __init__(self):
        self.states: dict[str, dict] = {}
        self.buffers: dict[str, dict[tuple, str]] = {}
        self.count = 0

    def observe(self, msg: dict) -> None:
        """Take in one message the kernel published while a cell ran."""
        kind = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
        content = msg.get("content") or {}
        comm_id = content.get("comm_id")
        if kind == "comm_open":
            if content.get("target_name") != WIDGET_TARGET:
                return
            self.states[comm_id] = {}
        elif comm_id not in self.states or kind not in ("comm_msg", "comm_close"):
            return
        self.count += 1
        if kind == "comm_close":
            del self.states[comm_id]
            self.buffers.pop(comm_id, None)
            return
        data = content.get("data") or {}
        state = data.get("state")
        if not isinstance(state, dict):
            return  # a custom message: no state
        self.states[comm_id].update(state)
        paths = data.get("buffer_paths") or []
        for path, buffer in zip(paths, msg.get("buffers") or [], strict=False):
            self.buffers.setdefault(comm_id, {})[tuple(path)] = base64.b64encode(
                bytes(buffer)
            ).decode("ascii")

    def to_json(self) -> str:
        """The snapshot for a page, safe inside a ``<script>`` element."""
        widgets = {i: state for i, state in self.states.items() if "_model_name" in state}
        buffers = {
            i: [{"path": list(path), "data": data} for path, data in self.buffers[i].items()]
            for i in widgets
            if self.buffers.get(i)
        }
        text = json.dumps(
            {"count": self.count, "widgets": widgets, "buffers": buffers}, separators=(",", ":")
        )
        # "</script>" or "<!--" inside a string would end the element early
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def snapshot_widgets(renderer_class, executor_class) -> None:
    """Keep a ``WidgetSnapshot`` of every notebook Voila runs (idempotent).

    The page template writes it into the page (``resources.widget_snapshot()``).
    """
    if getattr(executor_class.handle_comm_msg, "phcpm_snapshot", False):
        return
    handle = executor_class.handle_comm_msg
    initialize = renderer_class.initialize

    def handle_comm_msg(self, outs, msg, cell_index):
        if not hasattr(self, "widget_snapshot"):
            self.widget_snapshot = WidgetSnapshot()
        self.widget_snapshot.observe(msg)
        return handle(self, outs, msg, cell_index)

    handle_comm_msg.phcpm_snapshot = True

    async def initialize_renderer(self, **kwargs):
        await initialize(self, **kwargs)

        def widget_snapshot() -> str:
            """The page's snapshot; empty (the page asks its kernel) when there is none."""
            snapshot = getattr(getattr(self, "executor", None), "widget_snapshot", None)
            if snapshot is None or not snapshot.states:
                return ""
            try:
                return snapshot.to_json()
            except (TypeError, ValueError):  # not JSON: the page asks its kernel instead
                self.log.warning("The widgets' state could not be written into the page")
                return ""

        self.resources["widget_snapshot"] = widget_snapshot

    executor_class.handle_comm_msg = handle_comm_msg
    renderer_class.initialize = initialize_renderer


# Where a tool page's script bundles are served (``scripts/page_scripts.py``).
STARTUP_PATH = "voila/startup/"
# Where the light front end is served (``frontend/``).
LIGHT_PAGE_PATH = "voila/page/"


def use_light_page() -> bool:
    """Tool pages use the light front end unless ``PHCPM_PAGE=voila``."""
    return os.environ.get("PHCPM_PAGE", "light") != "voila"


def use_widget_snapshot() -> bool:
    """Light tool pages are drawn from the server's snapshot unless ``PHCPM_WIDGET_SNAPSHOT=0``.

    Without it the page waits for its kernel connection and asks the kernel for
    every widget's state (for comparison: ``benchmarks/README.md``).
    """
    return os.environ.get("PHCPM_WIDGET_SNAPSHOT", "1") != "0"


def page_scripts():
    """``scripts/page_scripts.py``: the tool pages' script bundles."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "phcpm_page_scripts", ROOT / "scripts" / "page_scripts.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def startup_bundles_folder() -> Path:
    """Where the bundles of Voila's own front end are kept."""
    import tempfile

    return Path(tempfile.gettempdir()) / f"phcpm-startup-{os.getuid()}"


def startup_bundles(scripts, app) -> tuple[Path, dict[str, str]]:
    """Make the bundles for Voila ``app``: (their folder, owner -> file name).

    No bundles (pages load as plain Voila does) when ``PHCPM_STARTUP_BUNDLES=0``
    (used to record which chunks the pages ask for), or when the recorded list
    does not fit the installed Voila.
    """

    from voila import __version__ as voila_version
    from voila.paths import collect_static_paths
    from voila.utils import get_voila_labextensions_path

    folder = startup_bundles_folder()
    if os.environ.get("PHCPM_STARTUP_BUNDLES") == "0":
        return folder, {}
    try:
        manifest = scripts.read_manifest()
    except (OSError, ValueError):
        return folder, {}
    template = app.voila_configuration.template
    bundles = scripts.make_bundles(
        manifest,
        voila_version,
        collect_static_paths(["voila", "nbconvert"], template),
        get_voila_labextensions_path(app.voila_configuration.extra_labextensions_path),
        folder,
    )
    if not bundles:
        app.log.warning(
            "The tool pages load their scripts one by one: %s lists scripts of "
            "another Voila version. Run: python scripts/page_scripts.py --record",
            scripts.MANIFEST,
        )
    return folder, bundles


@functools.cache
def light_voila():
    """The Voila application with light serving; built on first use (imports are heavy).

    Returns ``(LightVoila, LightRenderHandler)``.
    """
    from jupyter_server.base.handlers import FileFindHandler
    from tornado.web import StaticFileHandler, authenticated
    from traitlets import Bool, Unicode
    from voila.app import Voila
    from voila.paths import collect_static_paths
    from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler
    from voila.tornado.handler import TornadoVoilaHandler

    fa_dir, fa_version = font_awesome_dir()
    store = BrotliStore() if BrotliStore.available() else None
    scripts = page_scripts()

    class BrotliMixin:
        """Send the Brotli copy of a static file to browsers that accept it."""

        def set_headers(self):
            self._brotli = None
            if (
                store is not None
                and not self.request.headers.get("Range")
                and accepts(self.request.headers.get("Accept-Encoding", ""), "br")
            ):
                self._brotli = store.get(os.path.abspath(self.absolute_path))
            super().set_headers()
            if self._brotli is not None:
                self.set_header("Content-Encoding", "br")
                self.set_header("Vary", "Accept-Encoding")
                # Only this response sends the compressed copy. ``get_content`` stays
                # tornado's class method, which also computes the ``?v=`` version of
                # static URLs from the file on disk.
                body = self._brotli
                self.get_content = lambda abspath, start=None, end=None: [body[start:end]]

        def compute_etag(self):
            etag = super().compute_etag()
            if etag and getattr(self, "_brotli", None) is not None:
                etag = etag[:-1] + '-br"'
            return etag

        def get_content_size(self):
            if getattr(self, "_brotli", None) is not None:
                return len(self._brotli)
            return super().get_content_size()

    class LightRenderHandler(TornadoVoilaHandler):
        """Voila's page handler; the icon font's stylesheets come from this server."""

        def initialize(self, **kwargs):
            self.local_font_awesome = kwargs.pop("local_font_awesome")
            self.warm_after_visit = kwargs.pop("warm_after_visit", False)
            self.notebook_root = Path(kwargs.pop("notebook_root", APPS))
            super().initialize(**kwargs)

        @authenticated
        async def get(self, path=None):
            # The page tells the server when it is closed (``frontend/``, as Voila's
            # own front end does); the server takes that only with the page's
            # ``_xsrf`` cookie, which reading the token sets.
            self.xsrf_token  # noqa: B018 - read for its effect: the cookie
            await super().get(path)
            if (
                self.warm_after_visit
                and path
                and self.get_status() == 200
                # a tool that waits for its page's address cannot be run in advance
                and not scripts.reads_page_address(self.notebook_root / path)
            ):
                warm_next_visit(self.kernel_manager, path, self.log)

        def write(self, chunk):
            if isinstance(chunk, bytes) and FONT_AWESOME_CDN.encode() in chunk:
                chunk = chunk.replace(FONT_AWESOME_CDN.encode(), self.local_font_awesome.encode())
            elif isinstance(chunk, str) and FONT_AWESOME_CDN in chunk:
                chunk = chunk.replace(FONT_AWESOME_CDN, self.local_font_awesome)
            return super().write(chunk)

    class VoilaStaticHandler(BrotliMixin, MultiStaticFileHandler):
        """Voila's own bundle (``/voila/static``): numbered chunks, cached for a day."""

        def get_cache_time(self, path, modified, mime_type):
            return 86400

        def set_extra_headers(self, path):
            self.set_header("Cache-Control", DAY_CACHE)

    class TemplateStaticHandler(BrotliMixin, TemplateStaticFileHandler):
        """The page template's stylesheets and scripts (``?v=`` in their addresses)."""

    class LabExtensionHandler(BrotliMixin, FileFindHandler):
        """Widget code (``/voila/labextensions``): hashed names are kept for a year."""

        def set_headers(self):
            super().set_headers()
            name = self.request.path.rsplit("/", 1)[-1]
            if HASHED_NAME.search(name):
                self.set_header("Cache-Control", LONG_CACHE)
            else:
                self.set_header("Cache-Control", NO_CACHE)

    class VersionedStaticHandler(BrotliMixin, StaticFileHandler):
        """Files under an address that names their version: kept for a year."""

        def set_extra_headers(self, path):
            self.set_header("Cache-Control", LONG_CACHE)

    class LightVoila(Voila):
        """Voila with compressed responses, cache headers, local icons and a grace period."""

        font_awesome_path = Unicode(f"voila/fontawesome-{fa_version}/")
        brotli_store = store
        warm_after_visit = Bool(
            True,
            config=True,
            help="After a tool's first visit, keep one kernel ready with the tool "
            "already run for its next visit (needs VoilaConfiguration.preheat_kernel).",
        )

        def init_settings(self):
            # Before Voila's own settings: its kernel manager takes the hook too.
            light = scripts.light_page() if use_light_page() else {}
            if use_light_page() and not light:
                self.log.warning(
                    "The tool pages use Voila's own front end: the light one is not "
                    "built (make builds it: cd frontend && npm ci && node build.mjs)."
                )
            if light:
                # The pages load nothing of Voila's own front end: no bundles of it.
                self.startup_dir, bundles = startup_bundles_folder(), {}
            else:
                self.startup_dir, bundles = startup_bundles(scripts, self)
            if light and use_widget_snapshot():
                from voila.execute import VoilaExecutor
                from voila.notebook_renderer import NotebookRenderer

                snapshot_widgets(NotebookRenderer, VoilaExecutor)
            if (bundles or light) and self.voila_configuration.page_config_hook is None:
                self.voila_configuration.page_config_hook = scripts.page_config_hook(
                    bundles,
                    f"{self.base_url.rstrip('/')}/{STARTUP_PATH}",
                    Path(self.root_dir or APPS),
                    light=light,
                    light_url=f"{self.base_url.rstrip('/')}/{LIGHT_PAGE_PATH}",
                )
            settings = super().init_settings()
            # Tornado reads this when the application is created (Voila's own
            # ``tornado_settings`` are applied after that, too late for it).
            settings["compress_response"] = True
            # Widget state travels over the kernel's websocket: compress it too
            # (permessage-deflate; every current browser supports it).
            settings["websocket_compression_options"] = {}
            if store is not None:
                template = self.voila_configuration.template
                # Voila's own scripts only when its front end is in use.
                voila_own = [] if light else [self.startup_dir, *self.static_paths]
                store.start(
                    [
                        scripts.LIGHT_PAGE_DIR,  # first: the scripts are the most of a page
                        *voila_own,
                        *collect_static_paths(["voila", "nbconvert"], template),
                        *([] if light else self.labextensions_path),
                        fa_dir / "css",
                    ]
                )
            watch_connections(self.kernel_manager)
            return settings

        def render_handler_class(self):
            return LightRenderHandler

        def init_handlers(self):
            from jupyter_server.utils import url_path_join

            local_fa = url_path_join(self.base_url, self.font_awesome_path, "css/")
            handlers = [
                (
                    url_path_join(self.server_url, self.font_awesome_path, "(.*)"),
                    VersionedStaticHandler,
                    {"path": str(fa_dir)},
                ),
                (
                    url_path_join(self.server_url, STARTUP_PATH, "(.*)"),
                    VersionedStaticHandler,
                    {"path": str(self.startup_dir)},
                ),
                (
                    url_path_join(self.server_url, LIGHT_PAGE_PATH, "(.*)"),
                    VersionedStaticHandler,
                    {"path": str(scripts.LIGHT_PAGE_DIR)},
                ),
            ]
            for spec in super().init_handlers():
                if len(spec) >= 2 and spec[1] is TornadoVoilaHandler:
                    options = dict(spec[2]) if len(spec) > 2 else {}
                    options["local_font_awesome"] = local_fa
                    options["notebook_root"] = self.root_dir or str(APPS)
                    options["warm_after_visit"] = self.warm_after_visit and bool(
                        self.voila_configuration.preheat_kernel
                    )
                    spec = (spec[0], self.render_handler_class(), options)
                elif len(spec) >= 2 and spec[1] is MultiStaticFileHandler:
                    spec = (spec[0], VoilaStaticHandler, *spec[2:])
                elif len(spec) >= 2 and spec[1] is TemplateStaticFileHandler:
                    spec = (spec[0], TemplateStaticHandler, *spec[2:])
                elif len(spec) >= 2 and spec[1] is FileFindHandler:
                    spec = (spec[0], LabExtensionHandler, *spec[2:])
                handlers.append(spec)
            return handlers

    return LightVoila, LightRenderHandler


def run_voila(argv: list[str]) -> int:
    """Run Voila with light serving in this process (``serve.py --voila ...``)."""
    os.environ.update(voila_env())
    os.chdir(ROOT)  # Voila reads voila.json from its working directory
    app_class, _ = light_voila()
    app_class.launch_instance(argv=argv)
    return 0


# --------------------------------------------------------------------- make start


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
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--voila"]:
        return run_voila(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--book-port", type=int, default=8000)
    parser.add_argument("--voila-port", type=int, default=8866)
    parser.add_argument("--site", type=Path, default=SITE, help="the built book (_build/html)")
    parser.add_argument("voila_args", nargs="*", help="extra Voila options")
    args = parser.parse_args(argv)

    if not (args.site / "index.html").exists():
        print("The book is not built yet. Run `make start` (it builds it first).", file=sys.stderr)
        return 1

    site = book_server(args.host, args.book_port, args.site)
    threading.Thread(target=site.serve_forever, daemon=True).start()

    voila = subprocess.Popen(
        voila_command(args.host, args.voila_port, args.voila_args),
        cwd=ROOT,
        env=voila_env(),
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
