"""The page's query string for a tool (``widgets.page_guard.page_query``)."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

from widgets import page_guard

ROOT = Path(__file__).resolve().parents[1]


def test_a_kernel_started_for_its_page_reads_the_query_without_loading_voila():
    code = (
        "import os, sys\n"
        "os.environ.pop('VOILA_PREHEAT', None)\n"
        "os.environ['QUERY_STRING'] = 'team=Ruvo+district&x=1'\n"
        "from widgets.page_guard import page_query\n"
        "print(page_query(), 'voila.utils' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "{'team': 'Ruvo district', 'x': '1'} False"


def test_a_kernel_started_in_advance_waits_for_its_page_first(monkeypatch):
    calls = []

    def wait():
        calls.append(True)
        monkeypatch.setenv("QUERY_STRING", "team=Kelumo")

    fake = types.ModuleType("voila.utils")
    fake.wait_for_request = wait
    monkeypatch.setitem(sys.modules, "voila.utils", fake)
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.delenv("QUERY_STRING", raising=False)
    assert page_guard.page_query() == {"team": "Kelumo"}
    assert calls == [True]
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    assert page_guard.page_query() == {"team": "Kelumo"} and calls == [True]
