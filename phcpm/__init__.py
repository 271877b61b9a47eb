"""phcpm: the analysis core of the PHC performance-management curriculum.

Pure pandas/numpy functions. Nothing here imports ipywidgets, Voila or IPython
display machinery: the tools in ``widgets`` and the lessons in ``book`` call
these functions, and the tests in ``tests`` check them.
"""

from phcpm.errors import InputError

__all__ = ["InputError"]
__version__ = "0.1.0"
