"""Helpers shared by the tests of the tools in ``widgets/``."""

from __future__ import annotations

import datetime as dt
import html
import re


def upload_entry(name: str, data: bytes, mime: str = "text/csv") -> dict:
    """One file as ipywidgets 8's FileUpload holds it after a browser upload."""
    return {
        "name": name,
        "type": mime,
        "size": len(data),
        "content": memoryview(data),
        "last_modified": dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    }


def upload(name: str, data: bytes, mime: str = "text/csv") -> tuple[dict, ...]:
    """A FileUpload ``value`` holding one file."""
    return (upload_entry(name, data, mime),)


def visible_text(value: str) -> str:
    """The text a reader sees in an HTML fragment (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", value))


def corpus_files() -> list:
    """Every file of ``tests/corpus`` (sub-folders included), except its builder and key."""
    from pathlib import Path

    folder = Path(__file__).parent / "corpus"
    skip = {"expected.json", "README.md"}
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix != ".py" and p.name not in skip
    )
