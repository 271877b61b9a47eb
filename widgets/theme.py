"""A small stylesheet shared by every tool: readable contrast and clear focus.

The default JupyterLab widget theme draws inactive tab labels and accordion
headers in grey on light grey (contrast 4.45:1), just below the WCAG AA minimum
of 4.5:1. Tools include ``stylesheet()`` once, inside their root box, so the
rules apply only to them.
"""

from __future__ import annotations

import ipywidgets as w

__all__ = [
    "CSS",
    "stylesheet",
]

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
.phcpm-app { max-width: 100%; box-sizing: border-box; }
.phcpm-app .widget-hbox { flex-wrap: wrap; max-width: 100%; }
.phcpm-app .widget-inline-hbox, .phcpm-app .widget-inline-vbox,
.phcpm-app .widget-dropdown, .phcpm-app .widget-text, .phcpm-app .widget-textarea,
.phcpm-app .widget-select-multiple, .phcpm-app .widget-slider,
.phcpm-app .widget-html, .phcpm-app .widget-tab, .phcpm-app .widget-box { max-width: 100%; }
.phcpm-app .widget-inline-hbox { flex-wrap: wrap; height: auto;
  min-height: var(--jp-widgets-inline-height, 28px); }
.phcpm-app .lm-TabBar, .phcpm-app .p-TabBar { height: auto !important;
  min-height: var(--jp-widgets-horizontal-tab-height, 24px); }
.phcpm-app .lm-TabBar-content, .phcpm-app .p-TabBar-content { flex-wrap: wrap; }
.phcpm-app .lm-TabBar-tab, .phcpm-app .p-TabBar-tab { flex: 0 0 auto !important;
  max-width: none !important; min-width: 0 !important; }
.phcpm-app .lm-TabBar-tabLabel, .phcpm-app .p-TabBar-tabLabel { overflow: visible;
  text-overflow: clip; }
.phcpm-app .widget-inline-hbox .widget-label { max-width: 100%; white-space: normal; }
.phcpm-app .widget-html-content { white-space: normal; overflow-wrap: anywhere; }
.phcpm-app img { max-width: 100%; height: auto; }
.phcpm-app .jupyter-button, .phcpm-app .widget-toggle-button, .phcpm-app .widget-upload {
  width: auto !important; max-width: 100%; min-width: 2.5em; height: auto;
  min-height: var(--jp-widgets-inline-height, 28px); white-space: normal;
  overflow: visible; text-overflow: clip; padding: 0.2em 0.8em; line-height: 1.3; }
.phcpm-app .widget-toggle-buttons .widget-toggle-button { margin-bottom: 2px; }
.phcpm-app .widget-toggle-buttons { flex-wrap: wrap; height: auto; }
.phcpm-app .widget-upload.phcpm-upload { font-size: 0; }
.phcpm-app .widget-upload.phcpm-upload::after { content: attr(title);
  font-size: var(--jp-widgets-font-size, 13px); }
.phcpm-app .widget-html:has(.phcpm-scroll),
.phcpm-app .widget-html:has(.phcpm-scroll) > .widget-html-content { min-width: 0; max-width: 100%; }
.phcpm-app .phcpm-scroll { width: 100%; max-width: 100%; overflow-x: auto; }
.phcpm-app table.phcpm-table { border-collapse: collapse; }
.phcpm-app table.phcpm-table th, .phcpm-app table.phcpm-table td {
  padding: 0.2em 0.6em; border-bottom: 1px solid #dddddd; text-align: left; }
.phcpm-app .widget-html-content table, .phcpm-app .widget-html-content table * {
  overflow-wrap: normal; word-break: normal; }
.phcpm-app table.phcpm-scorecard td { white-space: nowrap; }
.phcpm-app table.phcpm-scorecard th[scope="col"] { min-width: 7em; }
.phcpm-app table.phcpm-scorecard th[scope="row"], .phcpm-app table.phcpm-scorecard thead th:first-child {
  position: sticky; left: 0; z-index: 1; background: #ffffff; min-width: 8em; max-width: 11em;
  white-space: normal; box-shadow: 2px 0 2px -1px #999999; }
.phcpm-app table.phcpm-scorecard thead th:first-child { z-index: 2; }
"""


def stylesheet() -> w.HTML:
    """An invisible widget carrying the shared stylesheet."""
    sheet = w.HTML(f"<style>{CSS}</style>")
    sheet.add_class("phcpm-stylesheet")
    return sheet
