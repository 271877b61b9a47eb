"""The glossary: its terms are well formed and every term is linked from the book.

The glossary (``book/glossary.md``) is a Sphinx ``glossary`` directive written in
MyST Markdown. Lessons link a term with the ``{term}`` role, either as
``{term}`indicator``` or with other link text as ``{term}`indicators <indicator>```.
Sphinx matches terms without regard to case, and so do these tests.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
GLOSSARY = BOOK / "glossary.md"

# Terms the curriculum promises to define (the words its lessons rely on).
REQUIRED = [
    "indicator",
    "numerator",
    "denominator",
    "coverage",
    "dropout rate",
    "completeness",
    "timeliness",
    "outlier",
    "modified z-score",
    "consistency over time",
    "data element",
    "org unit",
    "period",
    "DHIS2",
    "data value set",
    "pivot table",
    "catchment population",
    "target population",
    "LQAS",
    "supervision area",
    "decision rule",
    "design effect",
    "intra-cluster correlation",
    "finite population correction",
    "systematic sampling",
    "stratified sampling",
    "cluster sampling",
    "PPS",
    "run chart",
    "control chart",
    "control limits",
    "funnel plot",
    "confidence interval",
    "median",
    "special cause",
    "common cause",
    "shift",
    "PDSA cycle",
    "action research",
    "twinning",
    "scorecard",
    "performance review meeting",
    "process map",
    "swimlane",
    "bottleneck",
    "fishbone diagram",
    "Pareto chart",
    "5 whys",
    "supportive supervision",
]

FENCE_OPEN = re.compile(r"^(`{3,}|:{3,})\{glossary\}\s*$")
TERM_ROLE = re.compile(r"\{term\}`([^`]+)`")


def parse_glossary(text: str) -> list[list[str]]:
    """Entries of every glossary directive in ``text``: each a list of its term lines.

    Follows the Sphinx glossary syntax: inside the directive, a line that starts
    at the left margin is a term; consecutive term lines are one entry with
    several names; indented lines are the definition; ``:option:`` lines right
    after the opening fence are directive options.
    """
    entries: list[list[str]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = FENCE_OPEN.match(lines[i].strip())
        if not match:
            i += 1
            continue
        fence = match.group(1)
        i += 1
        while i < len(lines) and lines[i].strip().startswith(":") and lines[i].strip() != fence:
            i += 1  # directive options such as :sorted:
        current: list[str] | None = None
        while i < len(lines) and lines[i].strip() != fence:
            line = lines[i]
            if not line.strip():
                current = None
            elif line[0] not in " \t":
                if current is None:
                    current = []
                    entries.append(current)
                current.append(line.strip())
            i += 1
        i += 1
    return entries


def term_links(text: str) -> set[str]:
    """Targets of every ``{term}`` role in ``text``, lower case."""
    targets = set()
    for body in TERM_ROLE.findall(text):
        explicit = re.search(r"<([^<>]+)>\s*$", body)
        targets.add((explicit.group(1) if explicit else body).strip().lower())
    return targets


def markdown_of(path: Path) -> str:
    """The Markdown of a page: the file itself, or a notebook's markdown cells."""
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        return "\n".join(
            "".join(cell.get("source", ""))
            for cell in nb.get("cells", [])
            if cell.get("cell_type") == "markdown"
        )
    return path.read_text(encoding="utf-8")


def book_pages() -> list[Path]:
    return sorted(
        p
        for p in BOOK.rglob("*")
        if p.suffix in (".md", ".ipynb")
        and p.resolve() != GLOSSARY.resolve()
        and "_build" not in p.parts
        and ".ipynb_checkpoints" not in p.parts
    )


def links_in_book() -> dict[str, list[str]]:
    """Each linked term (lower case) and the pages that link it."""
    where: dict[str, list[str]] = {}
    for page in book_pages():
        for target in term_links(markdown_of(page)):
            where.setdefault(target, []).append(str(page.relative_to(ROOT)))
    return where


@pytest.fixture(scope="module")
def entries() -> list[list[str]]:
    return parse_glossary(GLOSSARY.read_text(encoding="utf-8"))


# --- the parsers themselves, on small hand-written examples -------------------------


def test_parse_glossary_reads_terms_aliases_and_options():
    text = (
        "# Glossary\n\n"
        "```{glossary}\n"
        ":sorted:\n\n"
        "PPS\n"
        "probability proportional to size\n"
        "  A way of choosing clusters.\n"
        "  Second sentence.\n\n"
        "median\n"
        "  The middle value.\n"
        "```\n\n"
        "text after\n"
    )
    assert parse_glossary(text) == [["PPS", "probability proportional to size"], ["median"]]


def test_parse_glossary_reads_colon_fences():
    text = ":::{glossary}\nrun chart\n  A line chart.\n:::\nnot a term\n"
    assert parse_glossary(text) == [["run chart"]]


def test_term_links_handles_both_role_forms_and_case():
    text = (
        "An {term}`Indicator` has a {term}`numerator`; "
        "see {term}`org units <org unit>` and {term}`the charts < Run Chart >`. "
        "Not a MyST role: :term:`median`."
    )
    assert term_links(text) == {"indicator", "numerator", "org unit", "run chart"}


# --- the glossary ------------------------------------------------------------------


def test_glossary_has_about_forty_terms(entries):
    assert len(entries) >= 40, f"only {len(entries)} glossary entries"


def test_glossary_names_are_unique(entries):
    names = [name.lower() for entry in entries for name in entry]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not duplicates, f"terms defined twice (Sphinx would warn): {duplicates}"


def test_glossary_defines_every_required_term(entries):
    names = {name.lower() for entry in entries for name in entry}
    missing = [term for term in REQUIRED if term.lower() not in names]
    assert not missing, f"terms missing from book/glossary.md: {missing}"


def test_every_glossary_entry_has_a_definition():
    text = GLOSSARY.read_text(encoding="utf-8")
    body = text.split("{glossary}", 1)[1].split("```", 1)[0]
    blocks = [b for b in re.split(r"\n\s*\n", body) if b.strip() and not b.strip().startswith(":")]
    empty = [b.strip().splitlines()[0] for b in blocks if not re.search(r"^\s+\S", b, re.M)]
    assert not empty, f"glossary entries without a definition: {empty}"


def test_every_term_link_in_the_book_points_to_a_glossary_term(entries):
    names = {name.lower() for entry in entries for name in entry}
    glossary_links = term_links(GLOSSARY.read_text(encoding="utf-8"))
    where = links_in_book()
    unknown = {t: pages for t, pages in where.items() if t not in names}
    unknown.update({t: ["book/glossary.md"] for t in glossary_links - names})
    assert not unknown, f"{{term}} links to words not in the glossary: {unknown}"


def test_every_glossary_term_is_linked_from_the_book(entries):
    """Each entry is linked at least once outside the glossary (any of its names)."""
    linked = set(links_in_book())
    not_linked = [entry[0] for entry in entries if not {n.lower() for n in entry} & linked]
    assert not not_linked, (
        f"{len(not_linked)} glossary terms are never linked with {{term}} "
        f"outside book/glossary.md: {not_linked}"
    )
