"""The twinning planner's view under its older name: see :mod:`phcpm.twinning.view`."""

from __future__ import annotations

from phcpm.twinning import view as _view
from phcpm.twinning.view import *  # noqa: F403 - this module is phcpm.twinning.view

__all__ = list(_view.__all__)
