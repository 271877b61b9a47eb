"""Every module of phcpm says what it offers, and every public function says its types.

* Every module under ``phcpm/`` (``__main__.py`` aside) defines ``__all__``.
* Every public function of ``phcpm`` -- a function at the top of a module, or a
  method of a class defined at the top of a module, whose own name and whose
  class name do not start with ``_`` -- annotates every parameter (``self`` and
  ``cls`` aside, ``*args`` and ``**kwargs`` included) and its return value.
  Functions in private modules (``phcpm/io/_text.py``) count too: they are
  public to the rest of their package. Functions nested in other functions are
  not public.

Checked by reading the source with :mod:`ast`; each miss is reported with its
file, line and name.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _functions(tree: ast.Module):
    """``(name shown, node, is_method)`` of every public function of a module."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if not node.name.startswith("_"):
                yield node.name, node, False
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                    not item.name.startswith("_") or item.name == "__init__"
                ):
                    yield f"{node.name}.{item.name}", item, True


def missing_hints(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    rel = path.relative_to(root)
    found = []
    for name, node, is_method in _functions(tree):
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        static = any(
            isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list
        )
        if is_method and not static and params and params[0].arg in ("self", "cls"):
            params = params[1:]
        params += [a for a in (args.vararg, args.kwarg) if a is not None]
        lacking = [a.arg for a in params if a.annotation is None]
        if node.returns is None:
            lacking.append("return")
        if lacking:
            found.append(f"{rel}:{node.lineno} {name} lacks hints for {', '.join(lacking)}")
    return found


def lacks_all(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return False
    return True


def _modules(root: Path = ROOT) -> list[Path]:
    return [p for p in sorted((root / "phcpm").rglob("*.py")) if p.name != "__main__.py"]


def test_every_public_function_has_type_hints():
    found = [miss for path in _modules() for miss in missing_hints(path)]
    assert not found, "Public functions without type hints:\n" + "\n".join(found)


def test_every_module_has_all():
    found = [str(p.relative_to(ROOT)) for p in _modules() if lacks_all(p)]
    assert not found, "Modules without __all__:\n" + "\n".join(found)


def test_the_checks_catch_what_they_should(tmp_path):
    module = tmp_path / "phcpm" / "m.py"
    module.parent.mkdir()
    module.write_text(
        "def ok(a: int, *rest: int, b: str = '', **more: str) -> None: ...\n"
        "def bare(a, b: int): ...\n"
        "def _private(a): ...\n"
        "class Tool:\n"
        "    def __init__(self, x: int): ...\n"
        "    def run(self, y) -> int: ...\n"
        "    @staticmethod\n"
        "    def make(self) -> None: ...\n"
        "    def _helper(self, z): ...\n"
        "class _Hidden:\n"
        "    def run(self, y): ...\n"
    )
    assert missing_hints(module, tmp_path) == [
        "phcpm/m.py:2 bare lacks hints for a, return",
        "phcpm/m.py:5 Tool.__init__ lacks hints for return",
        "phcpm/m.py:6 Tool.run lacks hints for y",
        "phcpm/m.py:8 Tool.make lacks hints for self",
    ]
    assert lacks_all(module)
    module.write_text("__all__ = ['ok']\n")
    assert not lacks_all(module)
