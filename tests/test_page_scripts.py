"""The tool pages' script bundles and which pages need anywidget (``scripts/page_scripts.py``)."""

from __future__ import annotations

import doctest
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ROOT / "notebooks" / "apps"


def _load():
    spec = importlib.util.spec_from_file_location(
        "phcpm_page_scripts", ROOT / "scripts" / "page_scripts.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ps = _load()


def test_examples_in_docstrings_hold():
    result = doctest.testmod(ps)
    assert result.attempted >= 3 and result.failed == 0


def _tree(tmp_path):
    static = tmp_path / "static"
    labext = tmp_path / "labext"
    (labext / "@x" / "ext" / "static").mkdir(parents=True)
    static.mkdir()
    (static / "1.voila.js").write_text("(self.c=self.c||[]).push([[1],{}])//# end", "utf-8")
    (static / "2.voila.js").write_text("(self.c=self.c||[]).push([[2],{}])", "utf-8")
    (labext / "@x" / "ext" / "static" / "7.abcdef12.js").write_text("ext chunk", "utf-8")
    manifest = {
        "voila": "9.9",
        "scripts": [
            "/voila/static/2.voila.js",
            "/voila/labextensions/@x/ext/static/7.abcdef12.js",
            "/voila/static/1.voila.js",
        ],
    }
    return static, labext, manifest


def test_bundles_hold_each_owners_chunks_in_the_order_they_were_asked_for(tmp_path):
    static, labext, manifest = _tree(tmp_path)
    out = tmp_path / "out"
    names = ps.make_bundles(manifest, "9.9", [static], [labext], out)
    assert set(names) == {"voila", "@x/ext"}
    assert re.fullmatch(r"voila\.[0-9a-f]{16}\.js", names["voila"])
    assert re.fullmatch(r"x-ext\.[0-9a-f]{16}\.js", names["@x/ext"])
    body = (out / names["voila"]).read_text("utf-8")
    # 2 before 1, and a chunk ending in a comment does not swallow the next one
    assert body.index("[[2]") < body.index("[[1]")
    assert "//# end\n;\n" in body or body.endswith("//# end\n")
    assert (out / names["@x/ext"]).read_text("utf-8") == "ext chunk\n"
    # the same content gives the same names: browsers keep them
    assert ps.make_bundles(manifest, "9.9", [static], [labext], out) == names


def test_no_bundles_for_another_voila_or_a_missing_file(tmp_path):
    static, labext, manifest = _tree(tmp_path)
    assert ps.make_bundles(manifest, "0.5.0", [static], [labext], tmp_path / "o") == {}
    (static / "1.voila.js").unlink()
    assert ps.make_bundles(manifest, "9.9", [static], [labext], tmp_path / "o") == {}


def test_the_recorded_list_fits_the_installed_voila_and_its_files_exist():
    from voila import __version__
    from voila.paths import collect_static_paths
    from voila.utils import get_voila_labextensions_path

    manifest = ps.read_manifest()
    assert manifest["voila"] == __version__, (
        "The recorded page scripts are for another Voila: run "
        "`python scripts/page_scripts.py --record`"
    )
    assert len(manifest["scripts"]) > 20
    static = collect_static_paths(["voila", "nbconvert"], "phcpm")
    labext = get_voila_labextensions_path([])
    missing = [u for u in manifest["scripts"] if ps.locate(u, static, labext) is None]
    assert missing == []
    assert all(ps.is_chunk(u) for u in manifest["scripts"])


def _imports_anywidget(notebook: Path) -> bool:
    """What really happens: run the notebook's import lines and look for anywidget."""
    cells = json.loads(notebook.read_text("utf-8"))["cells"]
    lines = [
        line
        for cell in cells
        if cell["cell_type"] == "code"
        for line in "".join(cell["source"]).splitlines()
        if re.match(r"(from\s+\S+\s+import|import)\s", line)
    ]
    code = "import sys\n" + "\n".join(lines) + "\nprint('anywidget' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.strip().splitlines()[-1] == "True"


@pytest.mark.parametrize("notebook", sorted(APPS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_anywidget_is_kept_exactly_for_the_tools_whose_code_imports_it(notebook):
    assert ps.uses_anywidget(notebook) == _imports_anywidget(notebook)


def test_only_the_pdsa_tracker_needs_anywidget_today():
    assert [p.stem for p in sorted(APPS.glob("*.ipynb")) if ps.uses_anywidget(p)] == ["pdsa"]


def test_imports_are_followed_through_the_package(tmp_path):
    package = tmp_path / "widgets"
    package.mkdir()
    (package / "__init__.py").write_text("", "utf-8")
    (package / "a.py").write_text("from .b import thing\n", "utf-8")
    (package / "b.py").write_text("from widgets.c import other\n", "utf-8")
    (package / "c.py").write_text("import anywidget\n", "utf-8")
    (package / "d.py").write_text("import ipywidgets\n", "utf-8")

    def notebook(code):
        path = tmp_path / "n.ipynb"
        path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": code}]}), "utf-8")
        return path

    assert ps.uses_anywidget(notebook("from widgets.a import x\n"), package)
    assert ps.uses_anywidget(notebook("from widgets import a\n"), package)
    assert not ps.uses_anywidget(notebook("from widgets.d import x\n"), package)
    assert not ps.uses_anywidget(notebook("print('from widgets.c import x')\n"), package)
    # a notebook that cannot be read keeps the extension
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json", "utf-8")
    assert ps.uses_anywidget(bad, package)


def _page_config():
    return {
        "fullStaticUrl": "/voila/static",
        "fullLabextensionsUrl": "/voila/labextensions",
        "federated_extensions": [
            {"name": "@x/ext", "load": "static/remoteEntry.1234abcd.js"},
            {"name": "anywidget", "load": "static/remoteEntry.698dcaf7.js"},
        ],
    }


def test_the_page_asks_early_for_bundles_entries_and_main_script():
    bundles = {"voila": "voila.aaaa.js", "@x/ext": "x-ext.bbbb.js", "anywidget": "anywidget.c.js"}
    hook = ps.page_config_hook(bundles, "/voila/startup/", APPS)
    config = hook(_page_config(), "/", {}, None, None, "sampling.ipynb")
    assert [x["name"] for x in config["federated_extensions"]] == ["@x/ext"]
    startup = config["phcpmStartup"]
    assert startup["scripts"] == ["/voila/startup/voila.aaaa.js", "/voila/startup/x-ext.bbbb.js"]
    assert startup["preload"] == [
        *startup["scripts"],
        "/voila/labextensions/@x/ext/static/remoteEntry.1234abcd.js",
        "/voila/static/voila.js",
    ]
    pdsa = hook(_page_config(), "/", {}, None, None, str(APPS / "pdsa.ipynb"))
    assert "anywidget" in [x["name"] for x in pdsa["federated_extensions"]]
    assert "/voila/startup/anywidget.c.js" in pdsa["phcpmStartup"]["scripts"]


def test_without_bundles_the_page_loads_as_plain_voila():
    hook = ps.page_config_hook({}, "/voila/startup/", APPS)
    config = hook(_page_config(), "/", {}, None, None, "pdsa.ipynb")
    assert config["phcpmStartup"] == {"scripts": [], "preload": []}


def test_with_the_light_front_end_the_page_asks_for_it_and_for_nothing_of_voilas():
    light = {"script": "page-ABCD1234.js", "stylesheet": "page-EFGH5678.css"}
    bundles = {"voila": "voila.aaaa.js"}
    hook = ps.page_config_hook(
        bundles, "/voila/startup/", APPS, light=light, light_url="/voila/page/"
    )
    config = hook(_page_config(), "/", {}, None, None, "pdsa.ipynb")
    assert config["phcpmPage"] == {
        "script": "/voila/page/page-ABCD1234.js",
        "stylesheet": "/voila/page/page-EFGH5678.css",
    }
    assert config["federated_extensions"] == []
    assert "phcpmStartup" not in config


def test_the_light_front_end_is_found_only_when_built(tmp_path):
    assert ps.light_page(tmp_path) == {}
    (tmp_path / "page.json").write_text('{"script": "page-X1.js", "stylesheet": "page-Y2.css"}')
    assert ps.light_page(tmp_path) == {}  # named, but the script is not there
    (tmp_path / "page-X1.js").write_text("")
    assert ps.light_page(tmp_path) == {"script": "page-X1.js", "stylesheet": "page-Y2.css"}
    (tmp_path / "page.json").write_text("not json")
    assert ps.light_page(tmp_path) == {}


def test_the_page_draws_widgets_with_the_versions_the_installed_ipywidgets_expects():
    """The light front end pins ipywidgets' browser packages; they must fit what
    the installed ``jupyterlab_widgets`` (the kernel side's partner) asks for."""
    import sys

    lab = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyter-widgets"
    wanted = json.loads((lab / "jupyterlab-manager" / "package.json").read_text())["dependencies"]
    pinned = json.loads((ROOT / "frontend" / "package.json").read_text())["devDependencies"]
    for name in ("@jupyter-widgets/base", "@jupyter-widgets/controls", "@jupyter-widgets/output"):
        low = wanted[name].lstrip("^")
        major = low.split(".")[0]
        have = pinned[name]
        assert have.split(".")[0] == major, (name, have, wanted[name])
        assert tuple(map(int, have.split("."))) >= tuple(map(int, low.split("."))), name


def test_only_the_pdsa_tracker_reads_its_page_address_so_only_it_is_never_run_in_advance():
    readers = [p.stem for p in sorted(APPS.glob("*.ipynb")) if ps.reads_page_address(p)]
    assert readers == ["pdsa"]


def test_reading_the_page_address_is_found_through_the_package(tmp_path):
    package = tmp_path / "widgets"
    package.mkdir()
    (package / "guard.py").write_text("def page_query():\n    return {}\n")
    (package / "tool.py").write_text("from .guard import page_query\nQ = page_query()\n")
    (package / "quiet.py").write_text("from .guard import page_query\n")
    nb = tmp_path / "t.ipynb"
    for source, expected in [
        ("from widgets.tool import Q", True),
        ("from widgets.quiet import page_query", False),  # imported, never called
    ]:
        cell = {"cell_type": "code", "source": source}
        nb.write_text(json.dumps({"cells": [cell]}))
        assert ps.reads_page_address(nb, package) is expected
    nb.write_text("not a notebook")
    assert ps.reads_page_address(nb, package) is True
