"""Pieces every tool shares: download buttons, messages, progress and a base class.

* :func:`download_button` saves bytes from the browser through a ``data:`` link,
  so downloads work in Voilà without files on the server.
* :func:`error_box`, :func:`show_error`, :func:`note_box`, :func:`show_notes`
  show plain-language messages (always escaped, never a traceback).
* :class:`Progress` is a progress bar with a label, visible only while work runs.
* :class:`Tool` is the base of every app: it owns the root box (CSS class
  ``phcpm-app``), displays itself, and runs callbacks so that an error becomes
  a readable message and the app stays usable.

No analysis happens here; tools call :mod:`phcpm` for that.
"""

from __future__ import annotations

import base64
import html
import logging
import re
from collections.abc import Callable, Iterable
from contextlib import contextmanager

import ipywidgets as w

from phcpm.errors import InputError
from widgets.theme import stylesheet

__all__ = [
    "GENERIC_ERROR",
    "Progress",
    "Tool",
    "clear_message",
    "download_button",
    "download_html",
    "error_box",
    "note_box",
    "run_safely",
    "show_error",
    "show_notes",
    "take_upload",
    "update_download",
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


class Tool:
    """Base class of every app tool.

    The tool's widgets live in ``self.widget``, a ``VBox`` with the CSS classes
    ``phcpm-app`` and ``css_class`` (for example ``phcpm-spc``), starting with the
    shared stylesheet. Displaying the tool displays that box. ``run_safely``
    runs a callback so that errors become messages and the tool stays usable;
    the last error's full text is kept in ``last_error`` for logs.
    """

    css_class = "phcpm-tool"

    def __init__(self, children: Iterable[w.Widget] = (), css_class: str | None = None) -> None:
        self._stylesheet = stylesheet()
        self.widget = w.VBox([self._stylesheet, *children])
        self.widget.add_class("phcpm-app")
        self.widget.add_class(css_class or self.css_class)
        self.last_error: str | None = None

    def set_children(self, children: Iterable[w.Widget]) -> None:
        """Replace what the tool shows (the stylesheet stays first)."""
        self.widget.children = (self._stylesheet, *children)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _remember(self, text: str) -> None:
        self.last_error = text

    def run_safely(self, fn: Callable, error_box: w.HTML | None, *args, **kwargs):
        """:func:`run_safely` that also records the error text in ``last_error``."""
        return run_safely(fn, error_box, *args, on_error=self._remember, **kwargs)
