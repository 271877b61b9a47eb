"""Plain-language messages, a progress bar, and running an action safely.

* :func:`error_box`, :func:`show_error`, :func:`note_box`, :func:`show_notes`
  show plain-language messages (always escaped, never a traceback).
* :class:`Progress` is a progress bar with a label, visible only while work runs.
* :func:`run_safely` turns any error into a readable message; the details of an
  unexpected one go to the ``phcpm.widgets`` log.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterable
from contextlib import contextmanager

import ipywidgets as w

from phcpm.errors import InputError

__all__ = [
    "GENERIC_ERROR",
    "Progress",
    "clear_message",
    "error_box",
    "error_text",
    "note_box",
    "run_safely",
    "show_error",
    "show_notes",
]

log = logging.getLogger("phcpm.widgets")

#: What the user sees when something unexpected fails (details go to the log).
GENERIC_ERROR = (
    "Something went wrong while doing this. The tool is still usable; try again or check your file."
)


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
