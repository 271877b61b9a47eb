"""Downloads and uploads that work in Voilà without files on the server.

* :func:`download_button` saves bytes from the browser through a ``data:`` link.
* :func:`download_on_demand` is a button that builds its file only when clicked
  (:class:`OnDemandDownload`).
* :func:`upload_button` and :func:`take_upload` read a file the user chooses.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable

import ipywidgets as w

from widgets.messages import clear_message, error_box, run_safely

__all__ = [
    "OnDemandDownload",
    "download_button",
    "download_html",
    "download_on_demand",
    "plain_upload",
    "take_upload",
    "update_download",
    "upload_button",
]

_MIME = re.compile(r"^[\w.+-]+/[\w.+-]+$")
_BUTTON_STYLE = (
    "display:inline-block;padding:0.3em 0.9em;margin:0.2em 0;border:1px solid #0072B2;"
    "border-radius:3px;color:#00466e;background:#ffffff;text-decoration:none;font-weight:bold"
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
