"""The ``quiz`` directive: a lesson's questions, checked in the reader's browser.

In a lesson (a Markdown cell of a notebook, or a Markdown page)::

    ```{quiz} 02-good-indicators.quiz.yml
    ```

reads the quiz file next to the lesson (checked by ``phcpm.exercises.load_quiz``;
a mistake in it stops the build with a plain message) and writes the questions
into the page as plain HTML. ``book/_static/quiz.js`` checks the answers and shows
the feedback; it needs no kernel, no server and no internet, and loads nothing.
"""

from __future__ import annotations

import html
import json
import re

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from phcpm.exercises import QuizError, load_quiz

_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline(text: str) -> str:
    """Escape text for HTML, keeping **bold** as the only mark-up."""
    return _BOLD.sub(r"<strong>\1</strong>", html.escape(text, quote=False))


def _data(payload: dict) -> str:
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return f'<script type="application/json" class="phcpm-quiz-data">{text}</script>'


def _choice(q: dict, uid: str, label: str) -> str:
    options = "".join(
        f'<label class="phcpm-quiz-option"><input type="radio" name="{uid}" value="{i}"> '
        f"<span>{_inline(a['text'])}</span></label>"
        for i, a in enumerate(q["answers"])
    )
    payload = {
        "right": next(i for i, a in enumerate(q["answers"]) if a["correct"]),
        "feedback": [a["feedback"] for a in q["answers"]],
    }
    return (
        f'<fieldset><legend>{label}</legend><div class="phcpm-quiz-options">{options}</div>'
        f"</fieldset>{_data(payload)}"
    )


def _numeric(q: dict, uid: str, label: str) -> str:
    unit = f' <span class="phcpm-quiz-unit">{html.escape(q["unit"])}</span>' if q["unit"] else ""
    payload = {
        k: q[k] for k in ("answer", "tolerance", "feedback", "too_low", "too_high", "mistakes")
    }
    return (
        f'<label class="phcpm-quiz-legend" for="{uid}">{label}</label>'
        f'<div class="phcpm-quiz-entry"><input id="{uid}" class="phcpm-quiz-number" type="text" '
        f'inputmode="decimal" autocomplete="off">{unit}</div>{_data(payload)}'
    )


def _order(q: dict, uid: str, label: str) -> str:
    rows = []
    for i in q["shown"]:
        text = _inline(q["items"][i])
        plain = html.escape(q["items"][i])
        rows.append(
            f'<li data-index="{i}"><span class="phcpm-quiz-item">{text}</span> '
            f'<span class="phcpm-quiz-moves">'
            f'<button type="button" class="phcpm-quiz-up" aria-label="Move up: {plain}">&#8593;</button>'
            f'<button type="button" class="phcpm-quiz-down" aria-label="Move down: {plain}">'
            f"&#8595;</button></span></li>"
        )
    payload = {"feedback": q["feedback"], "feedback_wrong": q["feedback_wrong"]}
    return (
        f"<fieldset><legend>{label}</legend>"
        f'<p class="phcpm-quiz-how">Use the arrows to put the items in order, first at the top.</p>'
        f'<ol class="phcpm-quiz-order" id="{uid}">{"".join(rows)}</ol></fieldset>{_data(payload)}'
    )


def render_quiz(questions: list[dict], quiz_id: str) -> str:
    """The HTML of one quiz: every question with its controls, feedback place and data."""
    parts = [
        f'<section class="phcpm-quiz" id="{quiz_id}" aria-label="Quiz">',
        '<noscript><p class="phcpm-quiz-noscript">This quiz needs JavaScript, which is off in '
        "this browser. The exercises below have their answers in folded solutions.</p></noscript>",
    ]
    render = {"choice": _choice, "numeric": _numeric, "order": _order}
    for n, q in enumerate(questions, start=1):
        uid = f"{quiz_id}-{q['id']}"
        label = (
            f'<span class="phcpm-quiz-number-label">Question {n}.</span> {_inline(q["question"])}'
        )
        parts.append(
            f'<div class="phcpm-quiz-question" data-type="{q["type"]}" data-qid="{q["id"]}">'
            f"{render[q['type']](q, uid, label)}"
            f'<button type="button" class="phcpm-quiz-check">Check my answer</button>'
            f'<p class="phcpm-quiz-feedback" role="status" aria-live="polite"></p></div>'
        )
    parts.append("</section>")
    return "".join(parts)


class QuizDirective(SphinxDirective):
    """``{quiz} FILE``: the questions of FILE (a path next to the page)."""

    required_arguments = 1
    has_content = False
    option_spec = {"class": directives.class_option}

    def run(self) -> list[nodes.Node]:
        rel, path = self.env.relfn2path(self.arguments[0], self.env.docname)
        self.env.note_dependency(rel)
        try:
            questions = load_quiz(path)
        except QuizError as error:
            raise self.error(str(error)) from error
        slug = re.sub(r"[^a-z0-9]+", "-", self.env.docname.lower()).strip("-")
        quiz_id = f"quiz-{slug}-{self.env.new_serialno('phcpm-quiz')}"
        return [nodes.raw("", render_quiz(questions, quiz_id), format="html")]


def setup(app):
    app.add_directive("quiz", QuizDirective)
    app.add_css_file("quiz.css")
    app.add_js_file("quiz.js", loading_method="defer")
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
