"""Pieces every tool shares: download buttons, messages, progress and a base class.

* :func:`download_button` saves bytes from the browser through a ``data:`` link,
  so downloads work in Voilà without files on the server.
* :func:`error_box`, :func:`show_error`, :func:`note_box`, :func:`show_notes`
  show plain-language messages (always escaped, never a traceback).
* :class:`Progress` is a progress bar with a label, visible only while work runs.
* :func:`download_on_demand` is a button that builds its file only when clicked.
* :func:`lazy_tabs` and :func:`lazy_accordion` make sections whose contents are
  built the first time they are opened (:class:`LazySections`), so a page
  carries no widget or picture of a section nobody has opened.
* :class:`Tool` is the base of every app: it owns the root box (CSS class
  ``phcpm-app``) and a :class:`Results` area for everything built from the
  input, and runs callbacks so that old results are cleared first and an
  error becomes a readable message while the app stays usable.

No analysis happens here; tools call :mod:`phcpm` for that.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import logging
import math
import re
from collections.abc import Callable, Iterable
from contextlib import contextmanager

import ipywidgets as w
import numpy as np
import pandas as pd

from phcpm.errors import InputError
from widgets.theme import stylesheet

__all__ = [
    "GENERIC_ERROR",
    "PREPARING",
    "LazySections",
    "OnDemandDownload",
    "Progress",
    "Results",
    "Tool",
    "clear_message",
    "download_button",
    "download_html",
    "download_on_demand",
    "error_box",
    "lazy_accordion",
    "lazy_tabs",
    "note_box",
    "plain_cell",
    "plain_columns",
    "plain_heading",
    "plain_table",
    "run_safely",
    "scroll_box",
    "show_error",
    "show_notes",
    "table_html",
    "take_upload",
    "update_download",
    "upload_button",
]

log = logging.getLogger("phcpm.widgets")

#: What the user sees when something unexpected fails (details go to the log).
GENERIC_ERROR = (
    "Something went wrong while doing this. The tool is still usable; try again or check your file."
)

_MIME = re.compile(r"^[\w.+-]+/[\w.+-]+$")
_BUTTON_STYLE = (
    "display:inline-block;padding:0.3em 0.9em;margin:0.2em 0;border:1px solid #0072B2;"
    "border-radius:3px;color:#00466e;background:#ffffff;text-decoration:none;font-weight:bold"
)


# --------------------------------------------------------------------------- images


def image_html(png: bytes, alt: str, max_width: str = "800px") -> str:
    """HTML for a PNG picture with alternative text for screen readers.

    ``ipywidgets.Image`` has no way to give a picture a text alternative, so
    tools show charts through this instead.
    """
    payload = base64.b64encode(bytes(png)).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{payload}" alt="{html.escape(alt, quote=True)}" '
        f'style="max-width: {max_width}; width: 100%; height: auto;">'
    )


def figure_html(fig, alt: str, max_width: str = "800px") -> tuple[str, bytes]:
    """A matplotlib figure as picture HTML (see :func:`image_html`) and its PNG bytes.

    The figure is closed afterwards, even when drawing it fails, so a tool
    never has to remember which figures need closing.
    """
    import matplotlib.pyplot as plt

    from phcpm.io import figure_bytes

    try:
        png = figure_bytes(fig, "png")
    finally:
        plt.close(fig)
    return image_html(png, alt, max_width), png


# --------------------------------------------------------------------------- tables


def plain_heading(name) -> str:
    """A column name as words: ``"org_unit_id"`` becomes ``"Org unit id"``.

    A fallback for columns a tool has not named itself (tools pass their own
    headings to :func:`plain_table`); no heading a manager sees keeps an
    underscore.
    """
    text = re.sub(r"[_\s]+", " ", str(name)).strip()
    return text[:1].upper() + text[1:] if text else ""


def plain_cell(value, decimals: int = 1) -> str:
    """One cell as a manager reads it: numbers with thousands separators, Yes/No,
    dates as 2025-03-31, and an empty cell (never ``NaN``, ``None``, True/False)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "Yes" if value else "No"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        if math.isinf(value):
            return "∞" if value > 0 else "−∞"
        if float(value).is_integer():
            return f"{value:,.0f}"
        return f"{value:,.{decimals}f}"
    if isinstance(value, (pd.Timestamp, _dt.datetime)):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else str(value)[:16]
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return ", ".join(plain_cell(v, decimals) for v in value)
    text = str(value)
    return "" if text in ("nan", "NaN", "None", "<NA>", "NaT") else text


def plain_table(frame, headings: dict | None = None, decimals: int = 1):
    """A copy of ``frame`` with plain headings (``headings`` first, then
    :func:`plain_heading`) and every cell as text (:func:`plain_cell`)."""
    names = headings or {}
    out = frame.copy()
    out.columns = [names.get(c, plain_heading(c)) for c in frame.columns]
    for i in range(out.shape[1]):
        out.isetitem(i, [plain_cell(v, decimals) for v in frame.iloc[:, i]])
    return out


def plain_columns(frame, headings: dict | None = None):
    """A copy of ``frame`` for a download: plain headings, Yes/No for True/False,
    numbers kept as numbers (a spreadsheet can still compute with them)."""
    names = headings or {}
    out = frame.copy()
    for column in out.columns:
        cells = out[column]
        if pd.api.types.is_bool_dtype(cells.dtype) or (
            cells.dtype == object and cells.map(lambda v: isinstance(v, (bool, np.bool_))).any()
        ):
            out[column] = cells.map(
                lambda v: v if not isinstance(v, (bool, np.bool_)) else ("Yes" if v else "No")
            ).astype(object)
    out.columns = [names.get(c, plain_heading(c)) for c in frame.columns]
    return out


def scroll_box(content: str, label: str = "Table") -> str:
    """HTML content in a box that scrolls sideways on a narrow screen and can be
    scrolled with the keyboard (it takes the focus; WCAG 2.1.1)."""
    name = html.escape(f"{label} (scroll sideways to see every column)", quote=True)
    return (
        f'<div class="phcpm-scroll" tabindex="0" role="region" aria-label="{name}">{content}</div>'
    )


def table_html(
    frame,
    headings: dict | None = None,
    max_rows: int | None = None,
    decimals: int = 1,
    css_class: str = "phcpm-table",
) -> str:
    """An HTML table in plain language (see :func:`plain_table`), escaped, in a
    box that scrolls sideways on a narrow screen; with ``max_rows`` only the first
    rows are shown and a line says how many there are."""
    shown = frame if max_rows is None else frame.head(max_rows)
    body = plain_table(shown, headings, decimals).to_html(
        index=False, border=0, escape=True, classes=css_class
    )
    extra = ""
    if max_rows is not None and len(frame) > max_rows:
        extra = (
            f"<p>Showing the first {max_rows:,} of {len(frame):,} rows; "
            "the download has all of them.</p>"
        )
    return f"{scroll_box(body)}{extra}"


# --------------------------------------------------------------------------- downloads


def download_html(data: bytes, filename: str, label: str, mime: str = "text/csv") -> str:
    """HTML for a link, styled as a button, that saves ``data`` as ``filename``.

    The bytes travel inside the link as a base64 ``data:`` URI (RFC 2397), so
    nothing is written on the server. The file name and label are escaped.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("download data must be bytes")
    if not _MIME.match(mime):
        raise ValueError(f"not a media type: {mime!r}")
    payload = base64.b64encode(bytes(data)).decode("ascii")
    name = html.escape(str(filename), quote=True)
    return (
        f'<a class="phcpm-download" download="{name}" '
        f'href="data:{mime};base64,{payload}" style="{_BUTTON_STYLE}">'
        f"&#11015; {html.escape(str(label))}</a>"
    )


def download_button(data: bytes, filename: str, label: str, mime: str = "text/csv") -> w.HTML:
    """A widget holding a download button for ``data`` (see :func:`download_html`)."""
    return w.HTML(download_html(data, filename, label, mime))


def update_download(
    widget: w.HTML, data: bytes | None, filename: str = "", label: str = "", mime: str = "text/csv"
) -> None:
    """Put new bytes behind an existing download widget (``None`` empties it)."""
    widget.value = "" if data is None else download_html(data, filename, label, mime)


# --------------------------------------------------------------------------- uploads


def upload_button(label: str, accept: str = ".csv,.xlsx,.txt") -> w.FileUpload:
    """A file upload button that shows ``label`` and nothing else.

    The upload widget writes "label (0)" on itself; a rule of the shared
    stylesheet (class ``phcpm-upload``) shows the label (kept in the tooltip)
    instead, so a manager never sees a count of files.
    """
    upload = w.FileUpload(accept=accept, multiple=False, description=label)
    plain_upload(upload)
    return upload


def plain_upload(upload: w.FileUpload) -> w.FileUpload:
    """Make an existing upload button show only its label (see :func:`upload_button`)."""
    upload.tooltip = upload.description
    upload.add_class("phcpm-upload")
    upload.layout.width = "auto"
    return upload


def take_upload(upload: w.FileUpload, files=None) -> tuple[bytes, str] | None:
    """The bytes and name of the file just chosen in ``upload``, or None if there is none.

    ``files`` is the new value from the widget's change event (default: its
    current value): in ipywidgets 8 a tuple of dicts, in older versions a dict
    by name. The widget is emptied, so its copy of the bytes is dropped (they
    live only in what this returns) and the same file can be chosen again.
    """
    value = upload.value if files is None else files
    items = list(value.values()) if isinstance(value, dict) else list(value or ())
    if not items:
        return None
    item = items[-1]
    name = item.get("name", "") if isinstance(item, dict) else getattr(item, "name", "")
    content = item.get("content", b"") if isinstance(item, dict) else getattr(item, "content", b"")
    data = content.tobytes() if isinstance(content, memoryview) else bytes(content)
    upload.value = ()
    return data, str(name)


# --------------------------------------------------------------------------- messages


def _message_widget(css_class: str) -> w.HTML:
    box = w.HTML("")
    box.add_class(css_class)
    box.layout.display = "none"  # an empty message takes no room
    return box


def error_box() -> w.HTML:
    """An empty box for error messages (CSS class ``phcpm-error``)."""
    return _message_widget("phcpm-error")


def note_box() -> w.HTML:
    """An empty box for notes on what was found or done (CSS class ``phcpm-note``)."""
    return _message_widget("phcpm-note")


def clear_message(box: w.HTML) -> None:
    """Empty and hide a message box."""
    box.value = ""
    box.layout.display = "none"


def error_text(error: BaseException | str) -> str:
    """The plain-language text for an error: an :class:`InputError`'s own message,
    and :data:`GENERIC_ERROR` for anything unexpected."""
    if isinstance(error, str):
        return error
    if isinstance(error, InputError):
        return str(error)
    return GENERIC_ERROR


def show_error(box: w.HTML, error: BaseException | str | None) -> None:
    """Show an error in ``box`` as escaped text with ``role="alert"`` (None clears it)."""
    if error is None:
        clear_message(box)
        return
    box.value = f'<div role="alert">&#9632; {html.escape(error_text(error))}</div>'
    box.layout.display = ""


def show_notes(box: w.HTML, notes: Iterable[str] | str | None, title: str | None = None) -> None:
    """Show notes in ``box`` as an escaped list (nothing to show hides the box)."""
    items = [notes] if isinstance(notes, str) else [n for n in (notes or []) if n]
    if not items:
        clear_message(box)
        return
    head = f"<b>{html.escape(title)}</b>" if title else ""
    body = "".join(f"<li>{html.escape(str(n))}</li>" for n in items)
    box.value = f'<div role="status">{head}<ul>{body}</ul></div>'
    box.layout.display = ""


# --------------------------------------------------------------------------- progress


class Progress:
    """A progress bar with a label, shown only while work runs.

    ``with progress.running("Reading your file", show=True): ...`` shows the bar,
    and hides it afterwards even if the work fails. ``step(fraction, text)``
    moves it on. With ``show=False`` (quick work) nothing appears, so short
    tasks do not flicker.
    """

    def __init__(self) -> None:
        self.bar = w.FloatProgress(value=0.0, min=0.0, max=1.0)
        self.label = w.HTML("")
        self.widget = w.HBox([self.bar, self.label])
        self.widget.add_class("phcpm-progress")
        self.widget.layout.display = "none"
        self.visible = False

    def start(self, text: str, show: bool = True) -> None:
        self.bar.value = 0.0
        self.label.value = html.escape(text)
        self.visible = bool(show)
        self.widget.layout.display = "" if show else "none"

    def step(self, fraction: float, text: str | None = None) -> None:
        self.bar.value = min(max(float(fraction), 0.0), 1.0)
        if text is not None:
            self.label.value = html.escape(text)

    def stop(self) -> None:
        self.bar.value = 1.0
        self.visible = False
        self.widget.layout.display = "none"

    @contextmanager
    def running(self, text: str, show: bool = True):
        self.start(text, show)
        try:
            yield self
        finally:
            self.stop()


# --------------------------------------------------------------------------- running safely


def run_safely(fn: Callable, box: w.HTML | None, *args, on_error=None, **kwargs):
    """Call ``fn(*args, **kwargs)``; turn any error into a readable message.

    An :class:`InputError` shows its own message; any other exception shows
    :data:`GENERIC_ERROR` (no traceback reaches the user) and is written to the
    ``phcpm.widgets`` log. On success the box is cleared. Returns ``fn``'s result,
    or None after an error; ``on_error(text)`` is called with the logged text.
    """
    try:
        result = fn(*args, **kwargs)
    except InputError as err:
        if box is not None:
            show_error(box, err)
        if on_error is not None:
            on_error(str(err))
        return None
    except Exception as err:  # noqa: BLE001 - the app must stay usable whatever fails
        detail = f"{type(err).__name__}: {err}"
        # The details (with the traceback) go to the server's log, never to the page.
        log.error(
            "Unexpected error in %s: %s", getattr(fn, "__name__", "a tool"), detail, exc_info=True
        )
        if box is not None:
            show_error(box, err)
        if on_error is not None:
            on_error(detail)
        return None
    if box is not None:
        clear_message(box)
    return result


class OnDemandDownload(w.HBox):
    """A button that builds a file only when clicked, then offers the saved file.

    Nothing is computed and no bytes travel to the page until the user asks:
    clicking the button calls ``make_bytes()`` and puts the result behind a
    "Save" link (a ``data:`` URI, see :func:`download_html`). :meth:`reset`
    drops the built file and shows the button again; tools reset their
    downloads whenever the input changes, so a saved file always belongs to
    what is on screen. A failure while building shows a plain message next to
    the button (:func:`run_safely`).
    """

    def __init__(self, label: str, filename: str, make_bytes: Callable[[], bytes], mime: str):
        if not _MIME.match(mime):
            raise ValueError(f"not a media type: {mime!r}")
        self.label = label
        self.filename = filename
        self.mime = mime
        self.make_bytes = make_bytes
        self.button = w.Button(description=label, icon="download", tooltip=label)
        self.button.add_class("phcpm-button")
        self.button.layout.width = "auto"
        self.link = w.HTML("")
        self.link.layout.display = "none"
        self.error = error_box()
        self.built = False
        super().__init__([self.button, self.link, self.error])
        self.add_class("phcpm-on-demand")
        self.layout.flex_flow = "row wrap"
        self.layout.align_items = "center"
        self.button.on_click(lambda _b: self.build())

    def build(self) -> bytes | None:
        """Build the file now and offer it; returns the bytes (None after an error)."""
        self.reset()
        data = run_safely(self.make_bytes, self.error)
        if data is None:
            return None
        self.link.value = download_html(data, self.filename, f"Save {self.filename}", self.mime)
        self.link.layout.display = ""
        self.built = True
        return data

    def reset(self) -> None:
        """Forget the built file (its bytes leave the page) and show the button again."""
        self.link.value = ""
        self.link.layout.display = "none"
        clear_message(self.error)
        self.built = False


def download_on_demand(
    label: str, filename: str, make_bytes: Callable[[], bytes], mime: str = "text/csv"
) -> OnDemandDownload:
    """A download button that builds its file only when clicked (see :class:`OnDemandDownload`).

    ``make_bytes`` is called with no argument and returns the file's bytes;
    close over the result it belongs to, so the file matches what is shown.
    """
    return OnDemandDownload(label, filename, make_bytes, mime)


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


class Tool:
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
    #: What the tool is, in words: its plain-text form in a notebook, stable for
    #: nbval (None keeps the widget's own).
    title: str | None = None

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
