"""The manager track: lessons a district manager can work through without seeing code.

Conventions these tests rely on (the same ones ``README.md`` states):

- **For analysts.** A code cell belongs to the analysts when it carries the tag
  ``analysts``; it must also carry ``hide-cell`` (the book folds it, input and
  output, behind a "For analysts" toggle). In Markdown, analysts' text goes in
  ``:::{admonition} For analysts`` with ``:class: dropdown analysts``; its body is
  folded and not checked as managers' prose. Every cell that calls ``check(`` is an
  analysts' cell.
- **Visible code.** A code cell is visible unless it is tagged ``remove-input``,
  ``remove-cell``, ``hide-input`` or ``hide-cell``. A fenced block in Markdown
  that is not a directive (```` ``` ```` or ```` ```python ````) is visible code too.
- **Quizzes.** Each lesson has ```` ```{quiz} <lesson>.quiz.yml ```` and the file
  passes ``phcpm.exercises.load_quiz``.
- **Tool link.** Each lesson has a Markdown cell with the words "Do this on your
  own data" and a link to the module's tool page in ``book/apps/``.
- **Work products.** A work-product exercise is ``:::{exercise}`` with
  ``:class: work-product``; its body links the module's tool and has a
  "**Check your work**" list of at least three items; its ``{solution}`` contains
  "model answer".
- **Glossary.** The first use of each glossary term in a module (its index page,
  then its lessons in order; headings, links, code and analysts' blocks left out)
  is a ``{term}`` link.

A module not yet converted is listed in ``NOT_YET`` with the checks it still fails:
those tests are marked ``xfail(strict=True)``, so the gap shows in every run and
the mark must be removed the day the module passes.
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import pytest

from phcpm.exercises import load_quiz
from tests.test_glossary import parse_glossary

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"

# Module folder -> the how-to pages of the tools that do the module's work.
TOOLS = {
    "indicators": ["indicators"],
    "sampling": ["sampling"],
    "quality": ["quality"],
    "scorecards": ["scorecard"],
    "process": ["process"],
    "spc": ["spc"],
    "improvement": ["pdsa", "twinning"],
}
MODULES = list(TOOLS)

CHECKS = [
    "visible_code",
    "code_in_prose",
    "outputs",
    "quiz",
    "tool_link",
    "work_products",
    "glossary",
    "lesson_shape",
]

# The capstone is a lesson too, but has no tool of its own or work products of its own:
# it is held to the checks on what a page shows.
PAGE_CHECKS = ["visible_code", "code_in_prose", "outputs"]


ALL = CHECKS[:-1]  # every check but the lesson shape, which every module already keeps


def _not_yet(reason: str, checks: list[str]) -> dict[str, str]:
    return dict.fromkeys(checks, reason)


NOT_YET: dict[str, dict[str, str]] = {}


def modules_for(check: str) -> list:
    """The modules as test parameters, with the strict xfail of a module not yet done."""
    params = []
    for module in MODULES + (["capstone"] if check in PAGE_CHECKS else []):
        reason = NOT_YET.get(module, {}).get(check)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(module, marks=marks, id=module))
    return params


# --- reading lessons ------------------------------------------------------------------


def lessons(module: str) -> list[Path]:
    return sorted((BOOK / module).glob("[0-9]*.ipynb"))


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


HIDDEN_INPUT = {"remove-input", "remove-cell", "hide-input", "hide-cell"}
FENCE = re.compile(r"^(\s*)(`{3,}|:{3,})(.*)$")


def split_markdown(text: str) -> tuple[str, list[str]]:
    """Managers' prose of a Markdown text, and the plain code blocks found in it.

    Removes analysts' admonitions (with everything inside), directive option lines,
    the lines that open and close directives, and plain fenced code blocks (returned
    separately, as they are code on the page).
    """
    out: list[str] = []
    code_blocks: list[str] = []
    open_directives: list[str] = []  # the fence marks of directives still open
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            if not re.match(r"^\s*:[\w-]+:(\s|$)", lines[i]):
                out.append(lines[i])
            i += 1
            continue
        marks, rest = match.group(2), match.group(3).strip()
        if not rest and marks in open_directives:
            while open_directives and open_directives.pop() != marks:
                pass  # a closing fence (also closes anything left open inside it)
            i += 1
            continue
        analysts = rest.startswith("{admonition}") and "for analysts" in rest.lower()
        if analysts or not rest.startswith("{"):
            # an analysts' block, or a plain code block: skip to its closing fence
            j = i + 1
            while j < len(lines) and lines[j].strip() != marks:
                j += 1
            if not analysts:
                code_blocks.append("\n".join(lines[i : j + 1]))
            i = j + 1
            continue
        open_directives.append(marks)
        i += 1  # the directive's opening line: its argument may be a file name
    return "\n".join(out), code_blocks


ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")
CODE_SPAN = re.compile(r"(?<![`}])`([^`\n]+)`")
LINK_URL = re.compile(r"\]\([^)]*\)")
MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
FUNCTION = re.compile(r"\b[A-Za-z]\w*_\w*\(|\bphcpm\.|\b[a-z]+\.[a-z_]+\(")
SCIENTIFIC = re.compile(r"(?<![#\w.])\d+(?:\.\d+)?[eE][-+]?\d+\b")  # not colours such as #009E73


ANALYSTS_BLOCK = re.compile(
    r"^\s*(`{3,}|:{3,})\{admonition\}\s*For analysts\s*\n((?:\s*:[\w-]+:.*\n)*)", re.M | re.I
)


def prose_problems(text: str) -> list[str]:
    """Code-like text in managers' prose: function names, code spans, e-notation."""
    prose, blocks = split_markdown(text)
    problems = [f"code block: {b.splitlines()[0]}" for b in blocks]
    for block in ANALYSTS_BLOCK.finditer(text + "\n"):
        classes = re.search(r":class:(.*)", block.group(2))
        if not classes or not {"dropdown", "analysts"} <= set(classes.group(1).split()):
            problems.append(
                "a For analysts block without ':class: dropdown analysts' is not folded"
            )
    prose = MATH.sub(" ", LINK_URL.sub("]", prose))
    for span in CODE_SPAN.findall(ROLE.sub(" ", prose)):
        problems.append(f"code span `{span}`")
    plain = CODE_SPAN.sub(" ", ROLE.sub(" ", prose))
    problems += [f"function name {m.group(0)!r}" for m in FUNCTION.finditer(plain)]
    problems += [f"scientific notation {m.group(0)!r}" for m in SCIENTIFIC.finditer(plain)]
    return problems


# Output formats in the order the book picks them (myst-nb's default for HTML).
MIME_PRIORITY = [
    "text/html",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/markdown",
    "text/plain",
]
TAG = re.compile(r"<[^>]+>")
HEADER = re.compile(r"<th[^>]*>(.*?)</th>", re.S)
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)
LONG_NUMBER = re.compile(r"-?\d{5,}(\.\d+)?")  # 12345 instead of 12,345
MISSING_WORDS = {"NaN", "nan", "NaT", "None", "<NA>"}  # pandas' marks for a missing value


def shown_output(output: dict) -> tuple[str, str] | None:
    """The format and text of an output as the page shows it (None for pictures)."""
    if output.get("output_type") == "stream":
        return "text/plain", "".join(output.get("text", ""))
    data = output.get("data", {})
    for mime in MIME_PRIORITY:
        if mime in data:
            if mime.startswith("image/"):
                return None
            value = data[mime]
            return mime, "".join(value) if isinstance(value, list) else value
    return None


def output_problems(mime: str, text: str) -> list[str]:
    problems = []
    if mime == "text/html":
        for cell in CELL.findall(text):
            value = html.unescape(TAG.sub("", cell)).strip()
            if LONG_NUMBER.fullmatch(value):
                problems.append(f"number {value!r} without thousands separators")
            if value in MISSING_WORDS:
                problems.append(f"a table cell shows {value!r} instead of a word or a dash")
            if value.endswith("...") and not value.endswith(", ..."):  # a list may end in ", ..."
                problems.append(f"a table cell is cut short: {value[-40:]!r}")
        for head in HEADER.findall(text):
            head = html.unescape(TAG.sub("", head)).strip()
            if re.search(r"[A-Za-z0-9]_[A-Za-z0-9]", head):
                problems.append(f"table heading {head!r} is a raw column name or code")
        text = html.unescape(TAG.sub(" ", text))
    else:
        problems += [
            f"number {m.group(0)!r} without thousands separators"
            for m in re.finditer(r"(?<![\w.,#-])\d{5,}(?:\.\d+)?(?![\w.,])", text)
        ]
    problems += [f"function name {m.group(0)!r}" for m in FUNCTION.finditer(text)]
    problems += [f"scientific notation {m.group(0)!r}" for m in SCIENTIFIC.finditer(text)]
    if "Empty DataFrame" in text or "<IPython" in text or "dtype:" in text:
        problems.append("raw Python output")
    return problems


# --- the checks, each a function returning problems (tested below on examples) -----


def visible_code(path: Path) -> list[str]:
    problems = []
    for n, cell in enumerate(cells(path)):
        if cell["cell_type"] != "code" or not source(cell).strip():
            continue
        t = tags(cell)
        if "analysts" in t and "hide-cell" not in t and "remove-cell" not in t:
            problems.append(f"cell {n}: tagged analysts but not folded (add hide-cell)")
        elif re.search(r"\bcheck\(", source(cell)) and "analysts" not in t:
            problems.append(f"cell {n}: an answer check outside a For analysts block")
        elif not t & HIDDEN_INPUT:
            problems.append(f"cell {n}: code shown on the page")
    return problems


def code_in_prose(path: Path) -> list[str]:
    return [
        f"cell {n}: {p}"
        for n, cell in enumerate(cells(path))
        if cell["cell_type"] == "markdown"
        for p in prose_problems(source(cell))
    ]


def outputs(path: Path) -> list[str]:
    problems = []
    for n, cell in enumerate(cells(path)):
        if cell["cell_type"] != "code" or tags(cell) & {"analysts", "remove-output", "remove-cell"}:
            continue
        for output in cell.get("outputs", []):
            shown = shown_output(output)
            if shown:
                problems += [f"cell {n}: {p}" for p in output_problems(*shown)]
    return problems


QUIZ = re.compile(r"^(`{3,}|:{3,})\{quiz\}\s+(\S+)\s*$", re.M)


def quiz(path: Path) -> list[str]:
    found = [
        m.group(2)
        for c in cells(path)
        if c["cell_type"] == "markdown"
        for m in QUIZ.finditer(source(c))
    ]
    if not found:
        return ["no quiz (```{quiz} FILE``` in a Markdown cell)"]
    problems = []
    for name in found:
        try:
            load_quiz(path.parent / name)
        except ValueError as error:
            problems.append(str(error))
    return problems


def tool_link(path: Path, module: str) -> list[str]:
    pages = "|".join(re.escape(t) for t in TOOLS[module])
    link = re.compile(
        rf"\]\((?:\.\./)?apps/({pages})\.md(#[^)]*)?\)|\{{doc\}}`[^`]*apps/({pages})`"
    )
    for cell in cells(path):
        text = source(cell)
        if (
            cell["cell_type"] == "markdown"
            and "do this on your own data" in text.lower()
            and link.search(text)
        ):
            return []
    return ['no "Do this on your own data" cell linking the module\'s tool']


EXERCISE = re.compile(r"^(:{3,})\{exercise\}[^\n]*\n(.*?)^\1\s*$", re.M | re.S)
SOLUTION = re.compile(
    r"^(:{3,})\{solution(?:-start)?\}\s*(\S+)[^\n]*\n(.*?)^(?:\1\s*$|[^\n]*\{solution-end\})",
    re.M | re.S,
)


def work_products(module: str) -> tuple[int, list[str]]:
    """How many complete work-product exercises the module has, and what is wrong."""
    text = "\n".join(
        source(c) for p in lessons(module) for c in cells(p) if c["cell_type"] == "markdown"
    )
    solutions = {m.group(2): m.group(3) for m in SOLUTION.finditer(text)}
    pages = "|".join(re.escape(t) for t in TOOLS[module])
    complete, problems = 0, []
    for match in EXERCISE.finditer(text):
        body = match.group(2)
        if not re.search(r"^:class:.*\bwork-product\b", body, re.M):
            continue
        label = re.search(r"^:label:\s*(\S+)", body, re.M)
        name = label.group(1) if label else "(no label)"
        checklist = re.search(
            r"\*\*Check your work\*\*[^\n]*\n((?:\s*\n)*(?:\s*[-*] .*\n?){3,})", body
        )
        missing = []
        if not label:
            missing.append("a label")
        if not re.search(rf"apps/({pages})", body):
            missing.append("a link to the tool")
        if not checklist:
            missing.append("a **Check your work** list of three or more items")
        if "model answer" not in solutions.get(name, "").lower():
            missing.append("a solution with a model answer")
        if missing:
            problems.append(f"{name}: missing {', '.join(missing)}")
        else:
            complete += 1
    return complete, problems


def glossary_names() -> list[list[str]]:
    return parse_glossary((BOOK / "glossary.md").read_text(encoding="utf-8"))


def module_prose(module: str) -> list[tuple[str, str]]:
    """(page, prose) for the module's index page and lessons, in reading order."""
    pages = [(f"{module}/index.md", (BOOK / module / "index.md").read_text(encoding="utf-8"))]
    for path in lessons(module):
        text = "\n".join(source(c) for c in cells(path) if c["cell_type"] == "markdown")
        pages.append((f"{module}/{path.name}", text))
    out = []
    for page, text in pages:
        prose, _ = split_markdown(text)
        prose = "\n".join(line for line in prose.splitlines() if not line.lstrip().startswith("#"))
        out.append((page, prose))
    return out


TERM_ROLE = re.compile(r"\{term\}`([^`]+)`")
MASK = re.compile(r"\{(?!term\})[\w:-]+\}`[^`]*`|`[^`\n]*`|\[[^\]]*\]\([^)]*\)|\$[^$\n]+\$|<[^>]+>")


def unlinked_first_uses(module: str, entries: list[list[str]]) -> list[str]:
    problems = []
    pages = module_prose(module)
    for entry in entries:
        names = {n.lower() for n in entry}
        pattern = re.compile(
            r"(?<![\w-])("
            + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
            + r")(s|es)?(?![\w-])",
            re.I,
        )
        for page, prose in pages:
            linked = []  # spans of {term} roles: (start, end, target)
            for m in TERM_ROLE.finditer(prose):
                body = m.group(1)
                explicit = re.search(r"<([^<>]+)>\s*$", body)
                linked.append(
                    (m.start(), m.end(), (explicit.group(1) if explicit else body).strip().lower())
                )
            masked = [(m.start(), m.end()) for m in MASK.finditer(prose)]
            first = None
            for m in pattern.finditer(prose):
                role = next((r for r in linked if r[0] <= m.start() < r[1]), None)
                if role and role[2] not in names:
                    continue  # part of another term's link
                if not role and any(a <= m.start() < b for a, b in masked):
                    continue
                first = (m, role)
                break
            if first is None:
                continue
            m, role = first
            if not role:
                line = prose[: m.start()].count("\n") + 1
                problems.append(
                    f"{page}, prose line {line}: first use of {m.group(0)!r} is not a {{term}} link"
                )
            break
    return problems


LESSON_TOP = ("You will be able to", "**Time**")


def lesson_shape(path: Path) -> list[str]:
    markdown = [source(c) for c in cells(path) if c["cell_type"] == "markdown"]
    problems = []
    if not markdown or not all(k in markdown[0] for k in LESSON_TOP):
        problems.append("the first cell lacks the objectives and the time")
    if not any("Key points" in m for m in markdown[-2:]):
        problems.append("no key points at the end")
    if not any("{solution" in m and ":class: dropdown" in m for m in markdown):
        problems.append("no exercise with a folded solution")
    return problems


# --- the checks on small made-up examples (each can fail) ---------------------------


def test_prose_check_finds_code_like_text_and_spares_roles_and_analysts_blocks():
    text = (
        "Use `sample_size_proportion(0.5, 0.05)` or call quality.review(df) and phcpm.io;\n"
        "the rate is 7.2e-02 and lqas_rule(19) decides.\n"
        "See {term}`LQAS` and {doc}`../apps/sampling` and [the tool](../apps/sampling.md).\n"
        "::::{admonition} For analysts\n:class: dropdown analysts\nCall `check(x)` and phcpm.sampling.\n::::\n"
        "```python\nx = 1\n```\n"
    )
    problems = prose_problems(text)
    joined = " | ".join(problems)
    for found in (
        "code span `sample_size_proportion(0.5, 0.05)`",
        "'quality.review('",
        "'phcpm.'",
        "'7.2e-02'",
        "'lqas_rule('",
        "code block: ```python",
    ):
        assert found in joined, found
    assert "check(x)" not in joined and "LQAS" not in joined and "sampling.md" not in joined
    assert prose_problems("A plain sentence with 7.2 % and 1,234 people.") == []
    directives = ":::{exercise}\n:label: a_b\nText.\n:::\n```{quiz} 01-a.quiz.yml\n```\nAfter.\n"
    assert prose_problems(directives) == []
    unfolded = ":::{admonition} For analysts\n:class: tip\nCall `f(x)`.\n:::\n"
    assert prose_problems(unfolded) == [
        "a For analysts block without ':class: dropdown analysts' is not folded"
    ]


def test_output_check_finds_raw_headings_and_notation():
    html_table = "<table><tr><th>gap_to_benchmark</th><th>District</th></tr><tr><td>7.2e-02</td></tr></table>"
    problems = output_problems("text/html", html_table)
    assert any("gap_to_benchmark" in p for p in problems)
    assert any("7.2e-02" in p for p in problems)
    assert (
        output_problems(
            "text/html", "<table><tr><th>Gap to benchmark</th></tr><tr><td>7.2 %</td></tr></table>"
        )
        == []
    )
    assert output_problems("text/plain", "Empty DataFrame") == ["raw Python output"]
    assert output_problems(
        "text/html", "<table><tr><th>Hours</th></tr><tr><td>NaN</td></tr></table>"
    ) == ["a table cell shows 'NaN' instead of a word or a dash"]
    assert output_problems(
        "text/html", "<table><tr><th>Source</th></tr><tr><td>WHO, UNICEF and ...</td></tr></table>"
    ) == ["a table cell is cut short: 'WHO, UNICEF and ...'"]
    assert output_problems("text/plain", "colour #009E73, rate 1e-3") == [
        "scientific notation '1e-3'"
    ]


def test_visible_code_check(tmp_path):
    nb = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": []},
            {
                "cell_type": "code",
                "metadata": {"tags": ["hide-input"]},
                "source": "y = 2",
                "outputs": [],
            },
            {
                "cell_type": "code",
                "metadata": {"tags": ["hide-input"]},
                "source": "check(a, 1)",
                "outputs": [],
            },
            {
                "cell_type": "code",
                "metadata": {"tags": ["analysts"]},
                "source": "check(a, 1)",
                "outputs": [],
            },
            {
                "cell_type": "code",
                "metadata": {"tags": ["analysts", "hide-cell"]},
                "source": "check(a, 1)",
                "outputs": [],
            },
        ]
    }
    path = tmp_path / "01-x.ipynb"
    path.write_text(json.dumps(nb))
    problems = visible_code(path)
    assert [p.split(":")[0] for p in problems] == ["cell 0", "cell 2", "cell 3"]


def test_work_product_and_glossary_checks_on_examples(monkeypatch, tmp_path):
    (tmp_path / "m").mkdir()
    exercise = (
        ":::{exercise}\n:label: m-wp1\n:class: work-product\n"
        "Open the [tool](../apps/sampling.md) and plan.\n\n**Check your work**\n- a\n- b\n- c\n:::\n"
        ":::{solution} m-wp1\n:class: dropdown\nA model answer: 19 people.\n:::\n"
        ":::{exercise}\n:label: m-wp2\n:class: work-product\nNo list here.\n:::\n"
    )
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": exercise}]}
    (tmp_path / "m" / "01-a.ipynb").write_text(json.dumps(nb))
    (tmp_path / "m" / "index.md").write_text(
        "An LQAS survey; then {term}`LQAS` again. A {term}`median`.\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "BOOK", tmp_path)
    monkeypatch.setitem(TOOLS, "m", ["sampling"])
    complete, problems = work_products("m")
    assert complete == 1 and len(problems) == 1 and "m-wp2" in problems[0]
    found = unlinked_first_uses("m", [["LQAS"], ["median"], ["run chart"]])
    assert len(found) == 1 and "'LQAS'" in found[0]


def test_work_product_solution_before_a_folded_code_solution_is_found(monkeypatch, tmp_path):
    # A solution closed by ":::" must not run on to a later {solution-end}.
    (tmp_path / "m").mkdir()
    text = (
        ":::{exercise}\n:label: m-wp1\n:class: work-product\n"
        "Open the [tool](../apps/sampling.md).\n\n**Check your work**\n- a\n- b\n- c\n:::\n"
        ":::{solution} m-wp1\n:class: dropdown\nA model answer.\n:::\n"
        ":::{solution-start} m-ex2\n:class: dropdown\n:::\nText.\n:::{solution-end}\n:::\n"
        ":::{exercise}\n:label: m-wp3\n:class: work-product\n"
        "Open the [tool](../apps/sampling.md).\n\n**Check your work**\n- a\n- b\n- c\n:::\n"
        ":::{solution} m-wp3\n:class: dropdown\nA model answer.\n:::\n"
    )
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": text}]}
    (tmp_path / "m" / "01-a.ipynb").write_text(json.dumps(nb))
    monkeypatch.setattr(sys.modules[__name__], "BOOK", tmp_path)
    monkeypatch.setitem(TOOLS, "m", ["sampling"])
    assert work_products("m") == (2, [])


# --- the manager track, module by module ----------------------------------------------


@pytest.mark.parametrize("module", modules_for("visible_code"))
def test_no_visible_code_in_lessons(module):
    problems = {p.name: visible_code(p) for p in lessons(module)}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, f"code a manager would see: {problems}"


@pytest.mark.parametrize("module", modules_for("code_in_prose"))
def test_no_function_names_or_code_in_lesson_prose(module):
    problems = {p.name: code_in_prose(p) for p in lessons(module)}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, f"code-like text in the prose: {problems}"


@pytest.mark.parametrize("module", modules_for("outputs"))
def test_outputs_have_plain_headings_and_no_code_or_e_notation(module):
    problems = {p.name: outputs(p) for p in lessons(module)}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, f"outputs a manager cannot read: {problems}"


@pytest.mark.parametrize("module", modules_for("quiz"))
def test_every_lesson_has_a_working_quiz(module):
    problems = {p.name: quiz(p) for p in lessons(module)}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, problems


@pytest.mark.parametrize("module", modules_for("tool_link"))
def test_every_lesson_links_its_tool(module):
    problems = {p.name: tool_link(p, module) for p in lessons(module)}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, problems


@pytest.mark.parametrize("module", modules_for("work_products"))
def test_at_least_two_work_product_exercises(module):
    complete, problems = work_products(module)
    assert complete >= 2 and not problems, f"{complete} complete work products; {problems}"


@pytest.mark.parametrize("module", modules_for("glossary"))
def test_glossary_terms_linked_at_first_use(module):
    problems = unlinked_first_uses(module, glossary_names())
    assert not problems, "\n".join(problems)


def test_capstone_links_glossary_terms_at_first_use():
    """The capstone (its page, then its lesson) links each glossary term at first use too."""
    problems = unlinked_first_uses("capstone", glossary_names())
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("module", modules_for("lesson_shape"))
def test_lessons_keep_objectives_time_solutions_and_key_points(module):
    problems = {p.name: lesson_shape(p) for p in lessons(module)}
    problems = {k: v for k, v in problems.items() if v}
    assert not problems, problems


def test_not_yet_lists_only_real_modules_and_checks():
    for module, checks in NOT_YET.items():
        assert module in [*MODULES, "capstone"], module
        assert set(checks) <= set(CHECKS), checks
