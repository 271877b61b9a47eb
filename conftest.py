"""Repository-wide pytest hooks.

When pytest runs with ``--nbval``, count the notebooks it collected and fail
the run if any notebook tracked in the repository was not among them, so a
notebook can never drop out of the test silently.
"""

from __future__ import annotations

from pathlib import Path

from tests.notebook_files import tracked_notebooks

ROOT = Path(__file__).resolve().parent
_collected: set[Path] = set()


def pytest_collection_modifyitems(session, config, items):
    if not config.getoption("--nbval", default=False):
        return
    for item in items:
        path = Path(str(item.path)).resolve()
        if path.suffix == ".ipynb":
            _collected.add(path)


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if not config.getoption("--nbval", default=False):
        return
    tracked = {p.resolve() for p in tracked_notebooks(ROOT)}
    missing = sorted(str(p.relative_to(ROOT)) for p in tracked - _collected)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    line = f"nbval ran {len(_collected)} notebooks; the repository tracks {len(tracked)}."
    if reporter:
        reporter.write_line(line)
    if missing:
        if reporter:
            reporter.write_line("Notebooks not collected by nbval: " + ", ".join(missing), red=True)
        session.exitstatus = 1
