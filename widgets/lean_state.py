"""Widget layouts sent to the page without their unset properties.

Every widget has a layout of its own, with about 40 properties (width, margin,
display, ...), nearly all unset. ipywidgets sends all of them, ``null`` or
not, when a page asks for the widgets' state: about 1 kB per widget, most of
what a tool sends before its page can draw it (81 of the sampling tool's
202 kB). On a slow link the page's single request for all states must be
answered within 4 s, or the page asks again for each widget one by one and
receives everything twice.

Here a layout's full state leaves out the properties still at their default
(``None``, which the page's layout model also takes as its default), so the
page draws the same. A single property is always sent when it changes, also
back to ``None``. Importing :mod:`widgets` applies it.
"""

from __future__ import annotations

import ipywidgets as w

__all__ = ["lean_layout_state"]

_FULL_STATE = w.Layout.get_state


def _lean_get_state(self, key=None, drop_defaults=False):
    state = _FULL_STATE(self, key=key, drop_defaults=drop_defaults)
    if key is not None:
        return state  # a named property is always sent, also when it goes back to None
    # The model's names and versions (``_model_name``, ...) stay: the page needs them.
    return {k: v for k, v in state.items() if v is not None or k.startswith("_")}


def lean_layout_state() -> None:
    """Make every layout's full state leave out unset properties (idempotent)."""
    w.Layout.get_state = _lean_get_state


lean_layout_state()
