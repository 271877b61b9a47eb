"""Tabs and accordion sections built the first time they are opened.

:func:`lazy_tabs` and :func:`lazy_accordion` make sections whose contents are
built when first opened (:class:`LazySections`), so a page carries no widget or
picture of a section nobody has opened.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable

import ipywidgets as w

from widgets.messages import error_box, run_safely

__all__ = ["PREPARING", "LazySections", "lazy_accordion", "lazy_tabs"]

#: What an opened section shows while its contents are being built.
PREPARING = "Preparing\u2026"

Builder = Callable[[], "w.Widget | Iterable[w.Widget]"] | w.Widget


class LazySections:
    """Tabs or accordion sections whose contents are built the first time they are opened.

    Every widget the kernel holds, and every picture inside one, travels to the
    page when it opens, whether or not its tab is ever looked at. Here each
    section starts as an empty box; the first time the user opens it (or a
    tool calls :meth:`build`), its ``builder`` is called with no argument and
    what it returns (a widget or a list of widgets) fills the box. While the
    builder runs the section says :data:`PREPARING`. A builder is called once:
    reopening a section shows what was built. A failure shows a plain message
    in the section (:func:`run_safely`: no traceback), and opening the section
    again tries again. A section given a widget instead of a builder holds that
    widget from the start (for a section other parts of the page depend on).

    ``widget`` is the ``ipywidgets.Tab`` or ``ipywidgets.Accordion`` to display;
    ``pages`` are the boxes inside it, one per section.
    """

    def __init__(
        self,
        sections: Iterable[tuple[str, Builder]],
        container: type[w.Box] = w.Tab,
        selected: int | None = 0,
    ) -> None:
        sections = list(sections)
        self.titles = [title for title, _ in sections]
        self.builders = [builder for _, builder in sections]
        self.pages = [w.VBox() for _ in sections]
        for page in self.pages:
            page.add_class("phcpm-section")
        self.built = [False] * len(sections)
        for i, builder in enumerate(self.builders):
            if isinstance(builder, w.Widget):  # a section shown from the start
                self.pages[i].children = (builder,)
                self.built[i] = True
        self.widget = container(children=self.pages)
        for i, title in enumerate(self.titles):
            self.widget.set_title(i, title)
        self.widget.add_class("phcpm-sections")
        self.widget.selected_index = selected
        self.widget.observe(self._on_select, names="selected_index")
        if selected is not None:
            self.build(selected)

    def _on_select(self, change) -> None:
        if change["new"] is not None:
            self.build(change["new"])

    def open(self, index: int) -> None:
        """Open section ``index`` (built first if it has never been opened)."""
        if self.widget.selected_index == index:
            self.build(index)
        else:
            self.widget.selected_index = index  # the observer builds it

    def build(self, index: int) -> bool:
        """Build section ``index`` now unless it is built; True when it holds its contents."""
        if self.built[index]:
            return True
        page = self.pages[index]
        waiting = w.HTML(f'<p role="status">{html.escape(PREPARING)}</p>')
        waiting.add_class("phcpm-preparing")
        page.children = (waiting,)
        problem = error_box()
        made = run_safely(self.builders[index], problem)
        waiting.close()
        if made is None:
            page.children = (problem,)
            return False
        problem.close()
        page.children = (made,) if isinstance(made, w.Widget) else tuple(made)
        self.built[index] = True
        return True


def lazy_tabs(sections: Iterable[tuple[str, Builder]], selected: int = 0) -> LazySections:
    """Tabs whose contents are built when first opened (see :class:`LazySections`).

    ``sections`` are ``(title, builder)`` pairs; tab ``selected`` is open, so
    it is built at once.
    """
    return LazySections(sections, w.Tab, selected)


def lazy_accordion(
    sections: Iterable[tuple[str, Builder]], selected: int | None = None
) -> LazySections:
    """Accordion sections built when first opened, all closed unless ``selected``
    is given (see :class:`LazySections`)."""
    return LazySections(sections, w.Accordion, selected)
