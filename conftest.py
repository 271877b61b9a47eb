"""Repository-wide pytest hooks.

When pytest runs with ``--nbval``, count the notebooks whose cells were run and
fail the run if any notebook in the repository was not among them, so a
notebook can never drop out of the test silently. The count is taken from the
test reports, so it also works when pytest-xdist spreads notebooks over workers.
"""

from __future__ import annotations

from pathlib import Path

from tests.notebook_files import tracked_notebooks

ROOT = Path(__file__).resolve().parent
_ran: set[Path] = set()


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::", 1)[0]
    if report.when == "call" and path.endswith(".ipynb"):
        _ran.add((ROOT / path).resolve())


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if not config.getoption("--nbval", default=False):
        return
    if hasattr(config, "workerinput"):  # an xdist worker: the controller reports
        return
    tracked = {p.resolve() for p in tracked_notebooks(ROOT)}
    missing = sorted(str(p.relative_to(ROOT)) for p in tracked - _ran)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    line = f"nbval ran {len(_ran)} notebooks; the repository tracks {len(tracked)}."
    if reporter:
        reporter.write_line(line)
    if missing:
        if reporter:
            reporter.write_line("Notebooks not run by nbval: " + ", ".join(missing), red=True)
        session.exitstatus = 1
