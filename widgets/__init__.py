"""Interactive tools (ipywidgets) built on phcpm."""
