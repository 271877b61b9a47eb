"""The page around a tool: its address, a prompt before unsaved text is lost, a remembered name.

Work is not lost on a reload: a tool can write its state into the page
address (``?team=...``), which Voilà hands back to the new kernel as its
query string (:func:`page_query`); the person's name is kept in the
browser's own storage; while a form holds text that is not saved, the browser
asks before the page is left (a ``beforeunload`` prompt). All three are done by
:class:`PageGuard`, a small widget whose browser side is an ES module run by
``anywidget``.
"""

from __future__ import annotations

import os
import urllib.parse

import anywidget
import traitlets

__all__ = ["PageGuard", "page_query"]

_GUARD_JS = r"""
const NAME_KEY = "phcpm-pdsa-name";

function leaveGuard(event) {
  event.preventDefault();
  event.returnValue = "";
  return "";
}

function syncAddress(model) {
  const url = new URL(window.location.href);
  const params = model.get("address") || {};
  for (const [key, value] of Object.entries(params)) {
    if (value) url.searchParams.set(key, value);
    else url.searchParams.delete(key);
  }
  if (url.href !== window.location.href) {
    window.history.replaceState(window.history.state, "", url.href);
  }
}

function syncGuard(model) {
  window.removeEventListener("beforeunload", leaveGuard);
  if (model.get("unsaved")) window.addEventListener("beforeunload", leaveGuard);
  document.body.dataset.phcpmUnsaved = model.get("unsaved") ? "yes" : "no";
}

function syncName(model) {
  try {
    const name = model.get("name");
    if (name) window.localStorage.setItem(NAME_KEY, name);
  } catch (error) {
    // storage can be switched off; the name is then simply not remembered
  }
}

export default {
  initialize({ model }) {
    try {
      const saved = window.localStorage.getItem(NAME_KEY);
      if (saved && !model.get("name")) {
        model.set("remembered_name", saved);
        model.save_changes();
      }
    } catch (error) {
      // no storage: nothing to bring back
    }
    const onAddress = () => syncAddress(model);
    const onGuard = () => syncGuard(model);
    const onName = () => syncName(model);
    model.on("change:address", onAddress);
    model.on("change:unsaved", onGuard);
    model.on("change:name", onName);
    onAddress();
    onGuard();
    onName();
    return () => window.removeEventListener("beforeunload", leaveGuard);
  },
  render({ el }) {
    el.classList.add("phcpm-page-guard");
  },
};
"""


class PageGuard(anywidget.AnyWidget):
    """Keeps a tool's state in the page: address, unsaved-text prompt, remembered name.

    * ``address``: query-string parameters to write into the page address
      (``history.replaceState``: no reload); an empty value removes one.
    * ``unsaved``: while true, leaving or reloading the page makes the browser
      ask first (the standard ``beforeunload`` prompt; browsers show their own
      wording, not ours).
    * ``name``: the person's name, kept in the browser's ``localStorage`` so
      the next visit from the same browser fills it in; ``remembered_name`` is
      what the browser had kept when the page opened.
    """

    _esm = _GUARD_JS
    address = traitlets.Dict({}).tag(sync=True)
    unsaved = traitlets.Bool(False).tag(sync=True)
    name = traitlets.Unicode("").tag(sync=True)
    remembered_name = traitlets.Unicode("").tag(sync=True)


def page_query() -> dict[str, str]:
    """The query string of the page showing the tool, as a dict (empty outside Voilà).

    Voilà puts the page's query string in the kernel's ``QUERY_STRING``
    environment variable; with pre-started kernels it arrives only when a page
    asks for the kernel, which ``voila.utils.wait_for_request`` waits for. A
    kernel started for its page (``VOILA_PREHEAT`` unset or "False") has it
    already: then Voilà's module, about 2 s to import, is not loaded at all.
    """
    if os.environ.get("VOILA_PREHEAT", "False") != "False":
        try:
            from voila.utils import wait_for_request
        except ImportError:  # pragma: no cover - voila is a dependency, but not in every kernel
            wait_for_request = None
        if wait_for_request is not None:
            wait_for_request()
    return dict(urllib.parse.parse_qsl(os.environ.get("QUERY_STRING", "")))
