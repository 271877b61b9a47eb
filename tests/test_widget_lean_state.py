"""Layouts sent without unset properties, and lighter pictures on screen."""

from __future__ import annotations

import base64
import io
import json
import re

import ipywidgets as w
import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402

import widgets  # noqa: E402, F401 - importing the package applies the lean layouts
from widgets.tables import figure_html, screen_png  # noqa: E402


def test_a_layouts_full_state_leaves_out_what_is_unset_but_keeps_its_model_names():
    box = w.VBox(layout=w.Layout(width="50%", display="none"))
    state = box.layout.get_state()
    assert state["width"] == "50%" and state["display"] == "none"
    assert state["_model_name"] == "LayoutModel" and "_view_name" in state
    assert "margin" not in state and "height" not in state
    # the full state is what opening the widget and a page's request for all states send
    full = w.Widget.get_manager_state()["state"][box.layout.model_id]["state"]
    assert "margin" not in full and full["width"] == "50%"


def test_a_property_that_changes_is_always_sent_also_back_to_unset():
    layout = w.Layout(width="10px")
    sent = []
    layout.send_state = lambda key=None: sent.append(layout.get_state(key))
    layout.width = None
    assert sent == [{"width": None}]
    assert layout.get_state("width") == {"width": None}


def test_unset_layouts_are_a_fraction_of_their_old_size():
    layout = w.Layout()
    lean = len(json.dumps(layout.get_state()))
    full = len(json.dumps({k: getattr(layout, k) for k in layout.keys}))
    assert lean * 3 < full


def _chart():
    fig, ax = plt.subplots(figsize=(8, 4))
    for i in range(5):
        ax.plot(range(40), [((x * (i + 3)) % 17) + i for x in range(40)], marker="o")
    ax.set_title("A chart with soft edges")
    return fig


def test_the_screen_copy_of_a_chart_is_smaller_and_the_same_size():
    html, png = figure_html(_chart(), "A chart")
    shown = base64.b64decode(re.search(r'base64,([^"]+)"', html).group(1))
    assert shown.startswith(b"\x89PNG") and png.startswith(b"\x89PNG")
    assert len(shown) < 0.7 * len(png)
    a, b = Image.open(io.BytesIO(shown)), Image.open(io.BytesIO(png))
    assert a.size == b.size and a.mode == "P"
    # the colours drawn are kept: nearly every pixel as it was, none far off
    diff = np.abs(np.asarray(a.convert("RGB"), dtype=int) - np.asarray(b.convert("RGB"), dtype=int))
    assert diff.mean() < 1 and np.quantile(diff, 0.999) <= 32 and diff.max() <= 64


def test_a_transparent_or_unreadable_picture_is_shown_as_it_is():
    image = Image.new("RGBA", (20, 20), (255, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    assert screen_png(out.getvalue()) == out.getvalue()
    assert screen_png(b"not a picture") == b"not a picture"
