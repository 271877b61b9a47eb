"""The base of every tool: its root box, its results area, and safe callbacks.

:class:`Tool` owns the root box (CSS class ``phcpm-app``) and a :class:`Results`
area for everything built from the input, and runs callbacks so that old
results are cleared first and an error becomes a readable message while the
app stays usable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import ipywidgets as w

from widgets.downloads import OnDemandDownload, plain_upload
from widgets.messages import clear_message, run_safely
from widgets.theme import stylesheet

__all__ = ["Component", "Results", "Tool"]


def _empty(widget: w.Widget) -> None:
    """Empty one widget that shows something built from the input."""
    if isinstance(widget, OnDemandDownload):
        widget.reset()
    elif isinstance(widget, Results):
        widget.clear()  # a nested area empties what it tracks too
    elif isinstance(widget, w.Output):
        widget.clear_output()
    elif isinstance(widget, w.Box):
        widget.children = ()
    elif isinstance(widget, w.HTML):
        if {"phcpm-note", "phcpm-error"} & set(widget._dom_classes):
            clear_message(widget)
        else:
            widget.value = ""
    else:
        raise TypeError(f"cannot empty a {type(widget).__name__}")


class Results(w.VBox):
    """The area of a tool holding everything that depends on the current input.

    :meth:`clear` empties it and every widget registered with :meth:`track`
    (download widgets, note boxes, tables kept outside the area); :meth:`show`
    puts a new result in it. ``empty`` tells whether anything is shown.
    """

    def __init__(self, children: Iterable[w.Widget] = ()) -> None:
        super().__init__(list(children))
        self.add_class("phcpm-results")
        self.tracked: list[w.Widget] = []

    def track(self, *widgets: w.Widget) -> None:
        """Register widgets outside the area that must be emptied with it."""
        for widget in widgets:
            if widget not in self.tracked:
                self.tracked.append(widget)

    def clear(self) -> None:
        self.children = ()
        for widget in self.tracked:
            _empty(widget)

    def show(self, *children: w.Widget) -> None:
        self.children = tuple(children)

    @property
    def empty(self) -> bool:
        return not self.children


class Component:
    """A part of a page that owns its widgets, shown through ``self.widget``.

    It names its parts with :meth:`part` (CSS class ``<css_class>-<name>``),
    gives itself a stable plain-text form in a notebook with ``title``, and
    runs callbacks with :meth:`run_safely` (an error becomes a plain message,
    its text kept in ``last_error``). :class:`Tool` builds on it; so does a
    piece placed inside tools, such as :class:`~widgets.data_picker.DataPicker`.
    """

    css_class = "phcpm-part"
    #: What the tool is, in words: its plain-text form in a notebook, stable for
    #: nbval (None keeps the widget's own).
    title: str | None = None
    widget: w.Widget
    last_error: str | None = None

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict) and self.title is not None:
            bundle["text/plain"] = self.title
        return bundle

    def part(self, widget: w.Widget, name: str) -> w.Widget:
        """Give ``widget`` the CSS class ``<css_class>-<name>`` (for example
        ``phcpm-spc-chart``), the name page styles and browser tests use; returns it."""
        widget.add_class(f"{self.css_class}-{name}")
        return widget

    def _remember(self, text: str) -> None:
        self.last_error = text

    def run_safely(self, fn: Callable, error_box: w.HTML | None, *args, **kwargs):
        """Call ``fn(*args, **kwargs)``; an error shows in ``error_box`` and its text
        is kept in ``last_error`` (see :func:`widgets.messages.run_safely`)."""
        return run_safely(fn, error_box, *args, on_error=self._remember, **kwargs)


class Tool(Component):
    """Base class of every app tool.

    The tool's widgets live in ``self.widget``, a ``VBox`` with the CSS classes
    ``phcpm-app`` and ``css_class`` (for example ``phcpm-spc``), starting with the
    shared stylesheet. Displaying the tool displays that box.

    **What is on screen belongs to the current input.** Everything built from
    the input (tables, charts, summaries, downloads) goes in ``self.results``
    (a :class:`Results` box; tools with several independent parts, such as
    tabs, make more with :meth:`new_results`). :meth:`run_safely` empties the
    results *before* it calls an action, so after a new input, a change of
    control or an error, nothing from the previous input remains: on success
    the action shows its new result with :meth:`show_results`; on an error
    the results stay empty and the message says what is wrong. An
    :class:`~phcpm.errors.InputError` shows its own message; anything else is
    a bug: it is logged with its traceback and the user sees
    :data:`GENERIC_ERROR`. The last error's text is kept in ``last_error``.
    """

    css_class = "phcpm-tool"

    def __init__(self, children: Iterable[w.Widget] = (), css_class: str | None = None) -> None:
        self._stylesheet = stylesheet()
        self.widget = w.VBox([self._stylesheet, *children])
        self.widget.add_class("phcpm-app")
        self.widget.add_class(css_class or self.css_class)
        self.last_error: str | None = None
        self.results = Results()

    def set_children(self, children: Iterable[w.Widget]) -> None:
        """Replace what the tool shows (the stylesheet stays first)."""
        self.widget.children = (self._stylesheet, *children)

    # ------------------------------------------------------------ results

    def new_results(self) -> Results:
        """Another results area, for a part of the tool with its own input."""
        return Results()

    def register_download(self, *widgets: w.Widget, results: Results | None = None) -> None:
        """Downloads kept outside the results area, emptied with it."""
        (results or self.results).track(*widgets)

    def register_notes(self, *boxes: w.HTML, results: Results | None = None) -> None:
        """Note boxes (or any widget) describing a result, emptied with it."""
        (results or self.results).track(*boxes)

    def watch_picker(self, picker, results: Results | None = None) -> None:
        """Empty the results as soon as a :class:`~widgets.data_picker.DataPicker`
        shows an error or asks for the columns of a new file, so nothing from the
        previous data stays under the message or the questions."""

        def on_error(change) -> None:
            if change["new"]:
                self.clear_results(results)

        picker.error.observe(on_error, names="value")
        mapping = getattr(picker, "mapping_box", None)
        if mapping is not None:

            def on_mapping(change) -> None:
                if change["new"] != "none":
                    self.clear_results(results)

            mapping.layout.observe(on_mapping, names="display")
        upload = getattr(picker, "upload", None)
        if isinstance(upload, w.FileUpload):
            plain_upload(upload)

    def clear_results(self, results: Results | None = None) -> None:
        """Empty the results area, the downloads and notes registered with it."""
        (results or self.results).clear()

    def show_results(self, *children: w.Widget, results: Results | None = None) -> None:
        """Show a new result (replacing whatever the area held)."""
        (results or self.results).show(*children)

    def run_safely(
        self,
        fn: Callable,
        error_box: w.HTML | None,
        *args,
        results: Results | None = None,
        clear: bool = True,
        **kwargs,
    ):
        """Clear the old results and message, then call ``fn(*args, **kwargs)`` safely.

        On an error the results stay empty and ``error_box`` shows the
        message (see :func:`run_safely`); returns ``fn``'s result or None.
        ``clear=False`` keeps the results, for an action that does not change
        them (for example opening a help panel).
        """
        if error_box is not None:
            clear_message(error_box)
        if clear:
            self.clear_results(results)
        outcome: dict = {}

        def failed(text: str) -> None:
            outcome["error"] = text
            self._remember(text)

        result = run_safely(fn, error_box, *args, on_error=failed, **kwargs)
        if "error" in outcome and clear:
            # Anything the action showed before failing belongs to no input.
            self.clear_results(results)
        return result
