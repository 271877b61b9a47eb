"""The layers stay separate: phcpm never imports UI or display machinery."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("ipywidgets", "voila", "IPython", "ipykernel", "traitlets", "widgets")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_phcpm_source_imports_no_ui():
    offenders = []
    for path in sorted((ROOT / "phcpm").rglob("*.py")):
        for name in imported_modules(path):
            if name.split(".")[0] in FORBIDDEN:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, offenders


def test_importing_phcpm_loads_no_ui_at_runtime():
    """Import every phcpm module in a fresh interpreter and look at sys.modules."""
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "phcpm").rglob("*.py")
        if p.name != "__main__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "print(','.join(sorted(bad)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"phcpm pulled in UI modules: {out.stdout.strip()}"


def test_the_check_catches_a_ui_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import ipywidgets as w\nfrom IPython.display import display\n")
    assert {"ipywidgets", "IPython.display"} <= imported_modules(bad)
