"""A tool page drawn from the server's snapshot of its widgets, checked against the kernel.

``scripts/serve.py`` (``WidgetSnapshot``) keeps the widgets' state as the
server sees it while it runs a notebook; ``widgets/message_count.py`` counts,
in the kernel, the widget messages the kernel sends. The page trusts the
snapshot only when the two counts agree. Here a real kernel runs a notebook
through nbclient, and the snapshot is compared with what the kernel holds.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import logging
import sys
import uuid
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


serve = _load("phcpm_serve_for_snapshot_tests", ROOT / "scripts" / "serve.py")


def _open(comm_id, state, buffer_paths=(), buffers=(), target="jupyter.widget"):
    data = {"state": state, "buffer_paths": [list(p) for p in buffer_paths]}
    return {
        "msg_type": "comm_open",
        "content": {"comm_id": comm_id, "target_name": target, "data": data},
        "buffers": list(buffers),
    }


def _msg(comm_id, data, buffers=()):
    return {
        "msg_type": "comm_msg",
        "content": {"comm_id": comm_id, "data": data},
        "buffers": list(buffers),
    }


def _close(comm_id):
    return {"msg_type": "comm_close", "content": {"comm_id": comm_id, "data": {}}}


def test_the_snapshot_keeps_open_widgets_their_latest_state_and_counts_every_message():
    snap = serve.WidgetSnapshot()
    snap.observe(_open("a", {"_model_name": "IntSliderModel", "value": 1}))
    snap.observe(_open("b", {"_model_name": "ButtonModel"}))
    snap.observe(_msg("a", {"method": "update", "state": {"value": 5}, "buffer_paths": []}))
    snap.observe(_msg("a", {"method": "custom", "content": {"x": 1}}))
    snap.observe(_close("b"))
    # another comm (not a widget) and output messages are neither kept nor counted
    snap.observe(_open("c", {"x": 1}, target="other.target"))
    snap.observe(_msg("c", {"state": {"x": 2}}))
    snap.observe({"msg_type": "stream", "content": {"text": "hello"}})
    page = json.loads(snap.to_json())
    assert page["count"] == 5  # two opened, two changes (one custom), one closed
    assert page["widgets"] == {"a": {"_model_name": "IntSliderModel", "value": 5}}
    assert page["buffers"] == {}


def test_the_snapshot_keeps_binary_parts_as_base64_at_their_paths():
    snap = serve.WidgetSnapshot()
    snap.observe(_open("img", {"_model_name": "ImageModel"}, [["value"]], [b"\x89PNG"]))
    snap.observe(
        _msg("img", {"method": "update", "state": {}, "buffer_paths": [["value"]]}, [b"GIF8"])
    )
    page = json.loads(snap.to_json())
    assert page["buffers"] == {
        "img": [{"path": ["value"], "data": base64.b64encode(b"GIF8").decode()}]
    }


def test_the_snapshot_cannot_end_its_script_element_early():
    snap = serve.WidgetSnapshot()
    snap.observe(_open("h", {"_model_name": "HTMLModel", "value": "</script><!-- & -->"}))
    text = snap.to_json()
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["widgets"]["h"]["value"] == "</script><!-- & -->"


def test_a_widget_opened_before_the_snapshot_began_is_not_counted():
    # (the page then finds the kernel's count higher and asks for everything)
    snap = serve.WidgetSnapshot()
    snap.observe(_msg("unknown", {"method": "update", "state": {"value": 1}}))
    assert json.loads(snap.to_json()) == {"count": 0, "widgets": {}, "buffers": {}}


class _Renderer:
    """Stands in for Voila's NotebookRenderer: ``initialize`` sets ``resources``."""

    log = logging.getLogger("phcpm-test-renderer")

    async def initialize(self, **kwargs):
        self.resources = {}


_NOTEBOOK = [
    "import ipywidgets as w\nimport widgets\n"
    "slider = w.IntSlider(value=3, description='Partners')\n"
    "gone = w.Button(description='temporary')\n"
    "picture = w.Image(value=b'\\x89PNG fake', format='png')\n"
    "box = w.VBox([slider, gone, picture])\n"
    "box",
    "slider.value = 5\nbox.children = (slider, picture)\ngone.close()",
    "import json\nfrom ipywidgets.widgets.widget import Widget\n"
    "from widgets import message_count\n"
    "print(json.dumps({'count': message_count.count(), 'state': Widget.get_manager_state()}))",
]


@pytest.fixture(scope="module")
def ran():
    """The test notebook run by nbclient with the server's snapshot kept."""

    class Executor(NotebookClient):
        pass

    serve.snapshot_widgets(_Renderer, Executor)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in _NOTEBOOK]
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = Executor(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()
    printed = json.loads(nb.cells[-1].outputs[0]["text"])
    return client.widget_snapshot, printed


def test_the_snapshot_holds_exactly_what_the_kernel_holds(ran):
    snapshot, kernel = ran
    page = json.loads(snapshot.to_json())
    states = kernel["state"]["state"]
    assert page["count"] == kernel["count"]  # the page trusts the snapshot
    assert set(page["widgets"]) == set(states)  # the closed button is in neither
    for model_id, entry in states.items():
        assert page["widgets"][model_id] == entry["state"], entry["model_name"]
        kernel_buffers = {tuple(b["path"]): b["data"] for b in entry.get("buffers", [])}
        page_buffers = {tuple(b["path"]): b["data"] for b in page["buffers"].get(model_id, [])}
        assert page_buffers == kernel_buffers
    assert any(b for b in page["buffers"].values())  # the picture's bytes are there


def test_the_renderer_hands_the_snapshot_to_the_page_template():
    class Executor(NotebookClient):
        pass

    serve.snapshot_widgets(_Renderer, Executor)
    serve.snapshot_widgets(_Renderer, Executor)  # twice changes nothing
    import asyncio

    renderer = _Renderer()
    asyncio.run(renderer.initialize())
    # nothing run, or no widget seen: no snapshot, and the page asks its kernel
    assert renderer.resources["widget_snapshot"]() == ""
    renderer.executor = Executor(nbformat.v4.new_notebook())
    renderer.executor.widget_snapshot = serve.WidgetSnapshot()
    assert renderer.resources["widget_snapshot"]() == ""
    renderer.executor.widget_snapshot.observe(_open("x", {"_model_name": "HTMLModel"}))
    assert json.loads(renderer.resources["widget_snapshot"]())["count"] == 1
    # a state that cannot be written as JSON: no snapshot either, and a line in the log
    renderer.executor.widget_snapshot.observe(_open("y", {"_model_name": "X", "v": object()}))
    assert renderer.resources["widget_snapshot"]() == ""


def test_a_kernel_answers_a_page_asking_how_many_widget_messages_it_sent():
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT))
    try:
        reply = kc.execute_interactive(
            "import ipywidgets as w, widgets\nslider = w.IntSlider()",
            timeout=60,
        )
        assert reply["content"]["status"] == "ok"
        comm_id = uuid.uuid4().hex
        msg = kc.session.msg(
            "comm_open",
            {"comm_id": comm_id, "target_name": "phcpm.widget_messages", "data": {}},
        )
        kc.shell_channel.send(msg)
        answer = None
        while answer is None:
            out = kc.get_iopub_msg(timeout=30)
            if out["msg_type"] == "comm_msg" and out["content"]["comm_id"] == comm_id:
                answer = out["content"]["data"]
        # the slider, its layout and its style were opened
        assert answer == {"count": 3}
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_the_snapshot_is_on_unless_turned_off(monkeypatch):
    monkeypatch.delenv("PHCPM_WIDGET_SNAPSHOT", raising=False)
    assert serve.use_widget_snapshot()
    monkeypatch.setenv("PHCPM_WIDGET_SNAPSHOT", "0")
    assert not serve.use_widget_snapshot()
