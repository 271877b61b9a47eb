"""A small stylesheet shared by every tool: readable contrast and clear focus.

The default JupyterLab widget theme draws inactive tab labels and accordion
headers in grey on light grey (contrast 4.45:1), just below the WCAG AA minimum
of 4.5:1. Tools include ``stylesheet()`` once, inside their root box, so the
rules apply only to them.
"""

from __future__ import annotations

import ipywidgets as w

CSS = """
.phcpm-app .lm-TabBar-tab { color: #1a1a1a; }
.phcpm-app .lm-TabBar-tabLabel { color: #1a1a1a; }
.phcpm-app .jupyter-widget-Collapse-header,
.phcpm-app .jupyter-widget-Collapse-header span { color: #1a1a1a; }
.phcpm-app .widget-label, .phcpm-app .widget-html-content { color: #1a1a1a; }
.phcpm-app .phcpm-error { color: #8a1c00; border-left: 4px solid #D55E00;
  background: #fff4ec; padding: 0.4em 0.8em; }
.phcpm-app .phcpm-note { color: #1a1a1a; border-left: 4px solid #0072B2;
  background: #eef6fc; padding: 0.4em 0.8em; }
.phcpm-app a.phcpm-download { display: inline-block; padding: 0.3em 0.9em; margin: 0.2em 0;
  border: 1px solid #0072B2; border-radius: 3px; color: #00466e; text-decoration: none; }
.phcpm-app a.phcpm-download:focus, .phcpm-app button:focus { outline: 3px solid #E69F00; }
"""


def stylesheet() -> w.HTML:
    """An invisible widget carrying the shared stylesheet."""
    sheet = w.HTML(f"<style>{CSS}</style>")
    sheet.add_class("phcpm-stylesheet")
    return sheet
