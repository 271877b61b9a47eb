"""Interactive tools (ipywidgets) built on phcpm."""

from widgets import lean_state as _lean_state  # noqa: F401 - layouts sent without unset values

__all__: list[str] = []  # the tools are imported from their modules
