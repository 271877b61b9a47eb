"""``pip install .`` (not only ``-e .``) gives a package that runs the tools on the example data.

The checkout's files are copied to a temporary folder, a wheel is built from
the copy (offline: the build uses the environment's setuptools), installed
into another folder, and a fresh Python run from a third folder (so neither
the checkout nor the editable install is found first) loads the example data
and runs an app notebook, as Voilà would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _checkout_files() -> list[str]:
    """The files a clean clone would have (tracked, plus new ones not ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [name for name in listed if (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in _checkout_files():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    wheels = tmp_path_factory.mktemp("wheels")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(wheels),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("phcpm-*.whl")
    site = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return site


def _run(site: Path, code: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_installed_package_carries_and_reads_the_example_data(installed, tmp_path):
    done = _run(
        installed,
        f"""
        import json, pathlib
        import phcpm, widgets
        from phcpm import datasets, paths
        site = pathlib.Path({str(installed)!r}).resolve()
        here = pathlib.Path(phcpm.__file__).resolve().parent
        print(json.dumps({{
            "phcpm": str(here), "widgets": str(pathlib.Path(widgets.__file__).resolve()),
            "data": str(paths.DATASETS), "inside": here.parent == site,
            "facilities": int((datasets.org_units()["level"] == 4).sum()),
            "rows": len(datasets.load("service_data")),
        }}))
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["inside"], found
    assert found["widgets"].startswith(str(installed.resolve())), found
    assert found["data"] == str(Path(found["phcpm"]) / "_data"), found
    assert found["facilities"] == 145
    assert found["rows"] == len(
        __import__("pandas").read_csv(ROOT / "datasets" / "service_data.csv")
    )


@pytest.mark.parametrize("app", ["spc", "scorecard"])
def test_an_app_runs_from_the_installed_package(installed, tmp_path, app):
    notebook = tmp_path / f"{app}.ipynb"
    shutil.copy2(ROOT / "notebooks" / "apps" / f"{app}.ipynb", notebook)
    done = _run(
        installed,
        f"""
        import json, pathlib
        import nbformat
        from nbclient import NotebookClient
        nb = nbformat.read({str(notebook)!r}, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(
            "import phcpm.paths, widgets; print(phcpm.paths.DATASETS, widgets.__file__)"))
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={{"metadata": {{"path": {str(tmp_path)!r}}}}}).execute()
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        print(json.dumps({{
            "errors": [o.get("ename") for o in outputs if o.output_type == "error"],
            "widgets": sum("application/vnd.jupyter.widget-view+json" in o.get("data", {{}})
                           for o in outputs),
            "stderr": [o.get("text", "") for o in outputs if o.get("name") == "stderr"],
            "where": nb.cells[-1].outputs[0].get("text", ""),
        }}))
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["errors"] == [], found
    assert found["widgets"] >= 1, found
    assert not any("Traceback" in text for text in found["stderr"]), found
    data, package = found["where"].split()
    site = str(installed.resolve())
    assert data.startswith(site) and data.endswith("_data"), found
    assert package.startswith(site), found
