"""Build step that pyproject.toml cannot say: put the example datasets inside the package.

A wheel built from this checkout carries a copy of ``datasets/`` as
``phcpm/_data`` (see ``phcpm/paths.py``), so ``pip install .`` gives a
package whose lessons and tools find their example data. An editable
install reads ``datasets/`` in place and gets no copy.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildWithDatasets(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "phcpm" / "_data"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(HERE / "datasets", target, ignore=shutil.ignore_patterns("__pycache__"))


setup(cmdclass={"build_py": BuildWithDatasets})
