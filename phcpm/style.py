"""Colours and symbols that colour-blind readers can tell apart.

The qualitative palette is Okabe & Ito's (Okabe M, Ito K. *Color Universal
Design*, 2008), distinguishable under the common forms of colour-vision
deficiency. Performance bands never rely on colour alone: each band also has a
symbol and a word, so a scorecard printed in grey still reads correctly.
"""

from __future__ import annotations

__all__ = ["BANDS", "NEUTRAL", "ORDINARY", "PALETTE", "SIGNAL", "use_style"]

#: Okabe-Ito qualitative palette, in the order charts should use it.
PALETTE: list[str] = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
]

#: Performance bands: colour, symbol and label. Blue/orange/vermillion rather
#: than pure green/red, with a symbol so colour is never the only cue.
BANDS: dict[str, dict[str, str]] = {
    "good": {"colour": "#009E73", "symbol": "●", "label": "On target"},
    "fair": {"colour": "#E69F00", "symbol": "▲", "label": "Needs attention"},
    "poor": {"colour": "#D55E00", "symbol": "■", "label": "Off target"},
    "no_data": {"colour": "#FFFFFF", "symbol": "?", "label": "No data"},
    "not_applicable": {"colour": "#BBBBBB", "symbol": "–", "label": "Not applicable"},
}

#: Colours for "signal" versus ordinary points on run and control charts.
SIGNAL = "#D55E00"
ORDINARY = "#0072B2"
NEUTRAL = "#7F7F7F"


def use_style() -> None:
    """Set seaborn/matplotlib defaults used throughout the book and the tools."""
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(style="whitegrid", palette=PALETTE, context="notebook")
    mpl.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.figsize": (8, 4.5),
            "axes.titleweight": "bold",
            "svg.hashsalt": "phcpm",  # stable SVG ids, so exported files are reproducible
        }
    )
