"""Which scripts a tool page loads, and how they are asked for early.

By default a tool page loads the light front end built from ``frontend/``
(:func:`light_page`): one script and one stylesheet, named by their content
hash, which the page's head asks for while the notebook runs. It draws the
widgets without JupyterLab's application shell: about 0.25 MB compressed
against 0.95 MB for Voila's own front end.

With ``PHCPM_PAGE=voila`` (or when the light front end is not built) the page
loads Voila's own front end, its scripts in a few bundles:

Voila's page names its main script only at its very end, after the notebook
has run on the server; that script then asks for about 60 numbered chunks,
learns of the widget code, asks for that, then for about 20 more chunks. On a
slow link (400 kbit/s, 400 ms latency) each of these rounds waits for the one
before, and the browser asks nothing while the notebook runs.

Here the same files go out as one bundle per owner (Voila itself, and each lab
extension the page loads), named by their content hash, and the page's head
asks for the bundles, the extensions' entry scripts and Voila's main script at
once (``<link rel="preload">``), while the notebook runs. The bundles are
executed just before the main script: each chunk registers its code with the
loader of its owner (webpack's and rspack's ``self.webpackChunk…`` arrays),
so when the loader later asks for a chunk it finds it there and does not fetch
it. Nothing in Voila or the widgets changes; a chunk missing from the bundles
is simply fetched as before.

The list of chunks a tool page loads (``startup_scripts.json`` beside the page
template) was recorded from every tool in Chromium by
``python scripts/page_scripts.py --record``, for the Voila version it names;
with another Voila version no bundle is made and pages load as plain Voila
does.

Also here: the ``anywidget`` extension (about 80 kB) is left off the pages of
tools that do not use it (:func:`uses_anywidget`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "share" / "jupyter" / "voila" / "templates" / "phcpm" / "startup_scripts.json"
STATIC_PREFIX = "/voila/static/"
LABEXTENSIONS_PREFIX = "/voila/labextensions/"
# The light front end, built by ``frontend/build.mjs`` (``make`` does it).
LIGHT_PAGE_DIR = ROOT / "frontend" / "dist"
# The owner of Voila's own chunks, in bundle names and in the manifest.
VOILA = "voila"
ANYWIDGET = "anywidget"

# ``import widgets.x``, ``from widgets.x import``, ``from widgets import x, y``
_WIDGETS_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+widgets(?:\.(\w+))?[ \t]+import[ \t]+(\([^)]*\)|[\w, \t]+)"
    r"|import[ \t]+widgets(?:\.(\w+))?)",
    re.MULTILINE,
)
_RELATIVE_IMPORT = re.compile(
    r"^[ \t]*from[ \t]+\.(\w*)[ \t]+import[ \t]+(\([^)]*\)|[\w, \t]+)", re.MULTILINE
)
_USES_ANYWIDGET = re.compile(r"^[ \t]*(?:import|from)[ \t]+anywidget\b", re.MULTILINE)
# A call of ``page_query(`` (not its definition).
_READS_PAGE_ADDRESS = re.compile(r"(?<!def )\bpage_query\(")


def owner_of(url: str) -> str | None:
    """Who a script belongs to: ``"voila"``, a lab extension's name, or None.

    >>> owner_of("/voila/static/7155.voila.js")
    'voila'
    >>> owner_of("/voila/labextensions/@jupyter-widgets/jupyterlab-manager/static/84.09c6.js")
    '@jupyter-widgets/jupyterlab-manager'
    >>> owner_of("/voila/labextensions/anywidget/static/2.3dbf81c0.js")
    'anywidget'
    """
    if url.startswith(STATIC_PREFIX):
        return VOILA
    if url.startswith(LABEXTENSIONS_PREFIX):
        rest = url[len(LABEXTENSIONS_PREFIX) :]
        name, sep, _ = rest.partition("/static/")
        return name if sep else None
    return None


def is_chunk(url: str) -> bool:
    """A numbered chunk a loader asks for (not a main script or an entry script)."""
    name = url.rsplit("/", 1)[-1]
    return (
        owner_of(url) is not None
        and name.endswith(".js")
        and not name.startswith("remoteEntry.")
        and name != "voila.js"
    )


def read_manifest(path: Path = MANIFEST) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _find(relative: str, folders) -> Path | None:
    for folder in folders:
        candidate = Path(folder) / relative
        if candidate.is_file():
            return candidate
    return None


def locate(url: str, static_dirs, labextension_dirs) -> Path | None:
    """The file on disk that the server sends for ``url`` (None when not found)."""
    if url.startswith(STATIC_PREFIX):
        return _find(url[len(STATIC_PREFIX) :], static_dirs)
    if url.startswith(LABEXTENSIONS_PREFIX):
        return _find(url[len(LABEXTENSIONS_PREFIX) :], labextension_dirs)
    return None


def make_bundles(
    manifest: dict,
    voila_version: str,
    static_dirs,
    labextension_dirs,
    folder: Path | None = None,
) -> dict[str, str]:
    """Write one bundle per owner into ``folder``; return owner -> file name.

    Returns an empty dict (pages then load as plain Voila does) when the
    manifest was recorded for another Voila version or a listed file is missing.
    The chunks keep the order in which the browser asked for them.
    """
    if manifest.get("voila") != voila_version:
        return {}
    folder = folder or Path(tempfile.gettempdir()) / f"phcpm-startup-{os.getuid()}"
    parts: dict[str, list[bytes]] = {}
    for url in manifest.get("scripts", []):
        if not is_chunk(url):
            continue
        path = locate(url, static_dirs, labextension_dirs)
        if path is None:
            return {}
        parts.setdefault(owner_of(url), []).append(path.read_bytes())
    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for owner, chunks in parts.items():
        # A line end and a semicolon between files: a chunk may end in a comment.
        body = b"\n;\n".join(chunks) + b"\n"
        digest = hashlib.sha256(body).hexdigest()[:16]
        slug = re.sub(r"[^a-z0-9]+", "-", owner.lower()).strip("-")
        name = f"{slug}.{digest}.js"
        target = folder / name
        if not target.exists():
            partial = target.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(body)
            partial.replace(target)
        names[owner] = name
    return names


def _imported_widget_modules(source: str, package_dir: Path, relative: bool) -> set[str]:
    found = set()
    for match in _WIDGETS_IMPORT.finditer(source):
        module, names, plain = match.groups()
        if module or plain:
            found.add(module or plain)
        if names and not module:  # from widgets import a, b: modules or names of __init__
            found.add("__init__")
            for name in re.split(r"[\s,()]+", names):
                if name and (package_dir / f"{name}.py").exists():
                    found.add(name)
    if relative:
        for match in _RELATIVE_IMPORT.finditer(source):
            module, names = match.groups()
            found.add(module or "__init__")
            if not module:
                for name in re.split(r"[\s,()]+", names):
                    if name and (package_dir / f"{name}.py").exists():
                        found.add(name)
    return found


def _notebook_uses(notebook: Path, pattern: re.Pattern, package_dir: Path) -> bool:
    """True when ``pattern`` is in the notebook's code or in a ``widgets`` module it
    imports, directly or not (imports between the package's modules are followed).
    A notebook that cannot be read counts as a yes (the cautious answer)."""
    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
        code = "\n".join(
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in cells
            if c.get("cell_type") == "code"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return True
    if pattern.search(code):
        return True
    todo = _imported_widget_modules(code, package_dir, relative=False)
    seen: set[str] = set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        path = package_dir / f"{module}.py"
        if not path.exists():
            path = package_dir / module / "__init__.py"
            if not path.exists():
                continue
        source = path.read_text(encoding="utf-8")
        if pattern.search(source):
            return True
        todo |= _imported_widget_modules(source, package_dir, relative=True) - seen
    return False


def uses_anywidget(notebook: Path, package_dir: Path = ROOT / "widgets") -> bool:
    """True when the notebook imports, directly or not, a ``widgets`` module that uses anywidget.

    Reads the notebook's code cells and follows imports between the modules
    of the ``widgets`` package. A notebook that cannot be read counts as using
    it (the extension is then kept, as plain Voila does).
    """
    return _notebook_uses(notebook, _USES_ANYWIDGET, package_dir)


def reads_page_address(notebook: Path, package_dir: Path = ROOT / "widgets") -> bool:
    """True when the tool reads its page's address (``widgets.page_guard.page_query``).

    Such a tool cannot be run before its visitor arrives: it waits for the
    address, and a kernel prepared in advance would wait until its cell's time
    limit and then be useless. A notebook that cannot be read counts as a yes.
    """
    return _notebook_uses(notebook, _READS_PAGE_ADDRESS, package_dir)


def light_page(folder: Path = LIGHT_PAGE_DIR) -> dict[str, str]:
    """The built light front end: ``{"script": name, "stylesheet": name}``, or {}.

    Written by ``frontend/build.mjs``; empty when it has not been built.
    """
    try:
        entry = json.loads((folder / "page.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not entry.get("script") or not (folder / entry["script"]).is_file():
        return {}
    return {k: v for k, v in entry.items() if k in ("script", "stylesheet")}


def page_config_hook(
    bundles: dict[str, str],
    bundle_url: str,
    notebook_root: Path,
    light: dict[str, str] | None = None,
    light_url: str = "",
):
    """Voila's ``page_config_hook``: which scripts a page asks for, and when.

    With the light front end (``light``: :func:`light_page`), adds ``phcpmPage``
    (its script and stylesheet) and the page loads nothing of Voila's own
    front end. Otherwise adds ``phcpmStartup`` (``scripts``: bundles to run
    before Voila's main script; ``preload``: everything the head asks for at
    once), and leaves ``anywidget`` off pages that do not use it.
    """

    def hook(page_config, base_url, settings, log, voila_configuration, notebook_path):
        from jupyter_server.utils import url_path_join

        if light:
            page_config["phcpmPage"] = {
                kind: url_path_join(light_url, name) for kind, name in light.items()
            }
            page_config["federated_extensions"] = []
            return page_config
        extensions = page_config.get("federated_extensions", [])
        path = Path(notebook_path)
        if not path.is_absolute():
            path = notebook_root / path
        if not uses_anywidget(path):
            extensions = [x for x in extensions if x.get("name") != ANYWIDGET]
            page_config["federated_extensions"] = extensions
        owners = [VOILA, *(x["name"] for x in extensions)]
        scripts = [url_path_join(bundle_url, bundles[o]) for o in owners if o in bundles]
        entries = [
            url_path_join(page_config["fullLabextensionsUrl"], x["name"], x["load"])
            for x in extensions
            if x.get("load")
        ]
        main = url_path_join(page_config["fullStaticUrl"], "voila.js")
        page_config["phcpmStartup"] = {
            "scripts": scripts,
            "preload": [*scripts, *entries, main] if scripts else [],
        }
        return page_config

    return hook


# ------------------------------------------------------------------ recording


def record(out: Path = MANIFEST) -> dict:
    """Open every tool in Chromium, note the scripts each asks for, write the manifest."""
    import importlib.util
    import shutil
    import socket
    import subprocess
    import sys
    import time
    import urllib.parse
    import urllib.request

    from playwright.sync_api import sync_playwright
    from voila import __version__ as voila_version

    spec = importlib.util.spec_from_file_location("phcpm_serve", ROOT / "scripts" / "serve.py")
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = serve.voila_env({**os.environ, "PHCPM_STARTUP_BUNDLES": "0", "PHCPM_PAGE": "voila"})
    log = open(Path(tempfile.mkdtemp()) / "voila.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        serve.voila_command("127.0.0.1", port, []), cwd=ROOT, env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    scripts: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=3).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        control = ".phcpm-app :is(button, input, select, textarea, [role='tab'], .widget-dropdown)"
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=os.environ.get("PHCPM_CHROMIUM") or shutil.which("chromium"),
                args=["--no-sandbox", "--disable-gpu", "--disable-quic"],
            )
            for notebook in sorted((ROOT / "notebooks" / "apps").glob("*.ipynb")):
                context = browser.new_context()
                page = context.new_page()
                asked: list[str] = []
                page.on("request", lambda r, asked=asked: asked.append(r.url))
                page.goto(f"{base}/voila/render/{notebook.name}")
                page.locator(control).first.wait_for(state="visible", timeout=120_000)
                page.wait_for_timeout(3000)
                for url in asked:
                    path = urllib.parse.urlsplit(url).path
                    if is_chunk(path) and path not in scripts:
                        scripts.append(path)
                context.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    manifest = {"voila": voila_version, "scripts": scripts}
    out.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    print(f"{len(scripts)} chunks recorded for Voila {voila_version} in {out}", file=sys.stderr)
    return manifest


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--record", action="store_true", help="record the manifest anew")
    args = parser.parse_args()
    if args.record:
        record()
    else:
        parser.print_help()
