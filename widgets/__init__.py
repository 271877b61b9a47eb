"""Interactive tools (ipywidgets) built on phcpm."""

from widgets import lean_state as _lean_state  # noqa: F401 - layouts sent without unset values
from widgets import message_count as _message_count  # noqa: F401 - pages drawn before they connect

__all__: list[str] = []  # the tools are imported from their modules
