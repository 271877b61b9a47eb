"""How many widget messages this kernel has sent, for a page drawn before it connects.

The server runs a tool's notebook and writes into the page the state of every
widget as it saw it go by (``scripts/serve.py``, ``WidgetSnapshot``), with
the number of widget messages (opened, changed, closed) it saw. The page draws
the tool from that at once, without waiting for the kernel. Once connected it
asks the kernel how many widget messages the kernel has sent (the comm target
:data:`TARGET`). The same number means the page shows what the kernel holds;
any other (a message sent after the notebook ran, or one the server did not
see) makes the page ask the kernel for every widget's state, as a page without
a snapshot does. Importing :mod:`widgets` applies it.
"""

from __future__ import annotations

import threading

from comm import base_comm

__all__ = ["TARGET", "WIDGET_TARGET", "count", "count_widget_messages", "register_target"]

TARGET = "phcpm.widget_messages"
WIDGET_TARGET = "jupyter.widget"

_lock = threading.Lock()
_count = 0
_ORIGINAL = {}


def count() -> int:
    """Widget messages (opened, changed, closed) this process has sent so far."""
    return _count


def _add_one() -> None:
    global _count
    with _lock:
        _count += 1


def _counting(name):
    original = _ORIGINAL[name]

    def method(self, *args, **kwargs):
        if getattr(self, "target_name", None) != WIDGET_TARGET:
            return original(self, *args, **kwargs)
        # ``close`` on a closed widget sends nothing
        sends = name != "close" or not getattr(self, "_closed", True)
        result = original(self, *args, **kwargs)
        if sends:
            _add_one()
        return result

    method.__wrapped__ = original
    method.__name__ = name
    return method


def count_widget_messages() -> None:
    """Count every message a widget's channel sends (idempotent)."""
    for name in ("open", "send", "close"):
        current = getattr(base_comm.BaseComm, name)
        if getattr(current, "__wrapped__", None) is not None:
            continue
        _ORIGINAL[name] = current
        setattr(base_comm.BaseComm, name, _counting(name))


def _answer(comm, _open_msg) -> None:
    comm.send({"count": count()})


def register_target() -> bool:
    """Answer a page's question on :data:`TARGET`, inside a kernel only."""
    try:
        from ipykernel.kernelbase import Kernel
    except ImportError:  # pragma: no cover - ipykernel is a dependency
        return False
    if not Kernel.initialized():
        return False
    import comm

    comm.get_comm_manager().register_target(TARGET, _answer)
    return True


count_widget_messages()
register_target()
