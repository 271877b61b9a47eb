"""A private name (one starting with ``_``) is used only where it belongs.

The rule, for every ``.py`` file under ``phcpm/`` and ``widgets/``:

* A module's *home* is the top-level subpackage it lives in (``phcpm/io/`` for
  ``phcpm/io/layouts/long.py``, ``phcpm/quality/`` for
  ``phcpm/quality/preparation.py``), or the module itself when it sits directly in
  ``phcpm/`` or ``widgets/`` (``phcpm/periods.py``, ``widgets/pdsa.py``).
* A private name of a module may be imported only by a file with the same home:
  ``from phcpm.periods import _factorize`` is allowed in ``phcpm/periods.py`` and
  nowhere else; ``from phcpm.io._common import norm`` anywhere under ``phcpm/io/``.
* A private module (``phcpm/io/_mapping.py``) counts as a private name of its
  package: only files with the same home may import it or anything from it.
* Reading a private attribute of an imported module (``periods._factorize`` after
  ``from phcpm import periods``) counts like importing it.

Names with two leading and two trailing underscores (``__version__``) are not private.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOPS = ("phcpm", "widgets")


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    name: str
    home: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} uses {self.name} (private to {self.home})"


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def home_of(module: str, root: Path) -> str:
    """``phcpm.io`` for ``phcpm.io.layouts.long``; ``phcpm.periods`` for itself."""
    parts = module.split(".")
    if len(parts) == 1:
        return module
    return ".".join(parts[:2])


def is_module(module: str, root: Path) -> bool:
    base = root.joinpath(*module.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def private_part(module: str) -> str | None:
    """The first private component of a dotted module name, if any."""
    return next((p for p in module.split(".") if is_private(p)), None)


def resolve(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def violations_in(path: Path, root: Path = ROOT) -> list[Violation]:
    importer = module_name(path, root)
    home = home_of(importer, root)
    rel = str(path.relative_to(root))
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
    found: list[Violation] = []
    modules: dict[str, str] = {}  # local name -> project module it is bound to

    def check(module: str, name: str, line: int) -> None:
        if module.split(".")[0] not in TOPS:
            return
        target_home = home_of(module, root)
        if target_home == home:
            return
        if private_part(module) or is_private(name):
            shown = f"{module}.{name}" if name else module
            found.append(Violation(rel, line, shown, target_home))

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = resolve(node, importer, path.name == "__init__.py")
            for alias in node.names:
                if alias.name == "*":
                    check(module, "", node.lineno)
                    continue
                full = f"{module}.{alias.name}"
                if is_module(full, root):
                    check(full, "", node.lineno)
                    modules[alias.asname or alias.name] = full
                else:
                    check(module, alias.name, node.lineno)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                check(alias.name, "", node.lineno)
                if alias.asname:
                    modules[alias.asname] = alias.name
                elif alias.name.split(".")[0] in TOPS:
                    modules[alias.name.split(".")[0]] = alias.name.split(".")[0]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not is_private(node.attr):
            continue
        chain = []
        value: ast.expr = node.value
        while isinstance(value, ast.Attribute):
            chain.append(value.attr)
            value = value.value
        if isinstance(value, ast.Name) and value.id in modules:
            module = ".".join([modules[value.id], *reversed(chain)])
            if is_module(module, root):
                check(module, node.attr, node.lineno)
    return found


def all_violations(root: Path = ROOT) -> list[Violation]:
    found = []
    for top in TOPS:
        for path in sorted((root / top).rglob("*.py")):
            found.extend(violations_in(path, root))
    return found


def test_no_private_name_is_used_outside_its_home():
    found = all_violations()
    assert not found, "Private names used outside their package:\n" + "\n".join(map(str, found))


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_the_rule_catches_each_kind_of_private_use(tmp_path):
    root = _project(
        tmp_path,
        {
            "phcpm/__init__.py": "",
            "phcpm/periods.py": "def _factorize(): pass\n",
            "phcpm/io/__init__.py": "",
            "phcpm/io/_mapping.py": "def guess(): pass\n",
            "phcpm/quality/__init__.py": "def _need(): pass\n",
            "phcpm/analysis.py": (
                "from phcpm.quality import _need\n"
                "from phcpm.io._mapping import guess\n"
                "import phcpm.io._mapping\n"
                "from phcpm import periods\n"
                "periods._factorize()\n"
                "from phcpm.io import _mapping as m\n"
            ),
            "widgets/__init__.py": "",
            "widgets/base.py": "_X = 1\n",
            "widgets/tool.py": "from widgets.base import _X\n",
        },
    )
    shown = sorted((v.path, v.line, v.name) for v in all_violations(root))
    assert shown == [
        ("phcpm/analysis.py", 1, "phcpm.quality._need"),
        ("phcpm/analysis.py", 2, "phcpm.io._mapping.guess"),
        ("phcpm/analysis.py", 3, "phcpm.io._mapping"),
        ("phcpm/analysis.py", 5, "phcpm.periods._factorize"),
        ("phcpm/analysis.py", 6, "phcpm.io._mapping"),
        ("widgets/tool.py", 1, "widgets.base._X"),
    ]


def test_the_rule_allows_private_use_inside_one_package(tmp_path):
    root = _project(
        tmp_path,
        {
            "phcpm/__init__.py": "__all__ = []\n",
            "phcpm/periods.py": "def _factorize(): pass\nfrom phcpm.periods import _factorize\n",
            "phcpm/io/__init__.py": "from phcpm.io._mapping import guess\nfrom . import _mapping\n",
            "phcpm/io/_mapping.py": "def guess(): pass\n",
            "phcpm/io/layouts/__init__.py": "",
            "phcpm/io/layouts/long.py": (
                "from phcpm.io import _mapping\nfrom .._mapping import guess\n_mapping.guess()\n"
            ),
            "phcpm/quality/__init__.py": "from phcpm import __version__\n",
        },
    )
    assert all_violations(root) == []
