"""What a one-page feedback sheet for one org unit says: its table, numbers and sentences.

The sheet is drawn as a web page by :mod:`phcpm.feedback.pages`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from phcpm.errors import InputError, require_columns
from phcpm.scorecard import check_card, format_value, period_text, summary_by_indicator

__all__ = ["FeedbackSheet", "feedback_sheet_data"]

#: Relative tolerance when comparing a value with its target ("at the target").
_EPS = 1e-9


@dataclass(frozen=True)
class FeedbackSheet:
    """What a one-page feedback sheet for one org unit shows (rendering is elsewhere)."""

    org_unit: str
    name: str
    period: pd.Period
    previous_period: pd.Period | None
    table: pd.DataFrame
    on_target: int
    applicable: int
    peers: int
    best: tuple[str, ...]
    worst: tuple[str, ...]
    sentences: tuple[str, ...]

    @property
    def text(self) -> str:
        """The sentences as one paragraph."""
        return " ".join(self.sentences)


def _target_clause(value: float, previous: float, target: float, unit: str, dec: int) -> str:
    if math.isnan(target):
        return ""

    def side(v: float) -> str:
        if abs(v - target) <= _EPS * max(1.0, abs(target)):
            return "at"
        return "above" if v > target else "below"

    now = side(value)
    still = not math.isnan(previous) and side(previous) == now
    shown = format_value(target, unit, dec)
    where = f"the {shown} target" if unit == "%" else f"the target of {shown}"
    return f"; {'still' if still else 'now'} {now} {where}"


def _change_sentence(row: Mapping) -> str:
    unit, dec = row["unit"], int(row["decimals"])
    verb = "rose" if row["trend"] == "up" else "fell"
    before = format_value(row["previous_value"], unit, dec)
    after = format_value(row["value"], unit, dec)
    clause = _target_clause(row["value"], row["previous_value"], row["target"], unit, dec)
    return f"{row['indicator_name']} {verb} from {before} to {after}{clause}."


def _names(items: Iterable[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def feedback_sheet_data(card: pd.DataFrame, org_unit: str, top: int = 1) -> FeedbackSheet:
    """Everything a one-page feedback sheet for one org unit needs.

    ``card`` is a table made by :func:`scorecard`; ``org_unit`` is a code or a
    name on it. The ``table`` lists each indicator with the org unit's value,
    the target, the average of all org units on the scorecard (plain mean, as
    in :func:`summary_by_indicator`), band, rank ("3 of 25"), previous value
    and change.

    ``best`` and ``worst`` name up to ``top`` indicators where the org unit
    stands highest and lowest among the others, judged by the relative rank
    (rank - 1) / (number ranked - 1), so indicators with different units can
    be compared (0 = first, 1 = last); ties keep the definitions' order.
    Indicators with no data or not applicable are left out, and so are values
    shown as "too few to judge" or "check the data" when ``card`` has been
    judged (:func:`phcpm.uncertainty.judge_card`). When every
    indicator has the same relative rank there is no best or worst, and both
    are empty.

    ``sentences`` (two or three, plain words):

    1. how many indicators are on target ("... was on target for 3 of 5
       indicators in March 2025."); on a judged card a value shown as "check
       the data" (such as a coverage above 100 %) or "too few to judge" is
       never counted as on target, and the sentence names it; on a plain card
       a percentage above 100 is named as "check the data" in the same way, and
       is not ranked either;
    2. the biggest change since the comparison period, measured in multiples of
       the indicator's tolerance so that units do not matter ("Penta3 coverage
       rose from 71 % to 78 %; still below the 80 % target."), or that nothing
       changed by more than its tolerance;
    3. which indicators have no data, if any; otherwise where the org unit ranks
       highest and lowest (left out when there is no best or worst).
    """
    check_card(card)
    require_columns(
        card,
        ["org_unit_name", "indicator_name", "unit", "decimals", "period", "previous_period"]
        + ["target", "previous_value", "change", "tolerance", "trend", "ranked_among"],
        "the scorecard",
    )
    match = (card["org_unit"] == str(org_unit)).to_numpy()
    if not match.any():
        match = (card["org_unit_name"] == str(org_unit)).to_numpy()
    if not match.any():
        raise InputError(
            f"The org unit {org_unit!r} is not on this scorecard",
            todo="Choose one of the org units shown on the scorecard",
        )
    own = card[match]
    own = own[own["org_unit"] == own["org_unit"].iloc[0]].reset_index(drop=True)
    code = str(own["org_unit"].iloc[0])
    name = str(own["org_unit_name"].iloc[0])
    period = own["period"].iloc[0]
    prev_period = own["previous_period"].iloc[0]
    prev_period = prev_period if isinstance(prev_period, pd.Period) else None

    per_ind = summary_by_indicator(card).set_index("indicator")
    ranked = own["rank"].notna().to_numpy().copy()
    if "shown" in own:  # judged by phcpm.uncertainty.judge_card: a band too uncertain to
        # show is not ranked either, so it is never named best or worst
        ranked &= ~own["shown"].isin(["too_few", "check_data"]).to_numpy()
        over_100 = np.zeros(len(own), dtype=bool)
    else:  # a plain card: a percentage above 100 is a data question all the same
        over_100 = (
            own["unit"].astype(str).eq("%").to_numpy()
            & (pd.to_numeric(own["value"], errors="coerce") > 100).to_numpy()
            & own["applicable"].to_numpy(dtype=bool)
        )
        ranked &= ~over_100
    rank_text = np.full(len(own), "", dtype=object)
    rank_text[ranked] = (
        own.loc[ranked, "rank"].astype(int).astype(str)
        + " of "
        + own.loc[ranked, "ranked_among"].astype(str)
    ).to_numpy()
    table = own[["indicator", "indicator_name", "unit", "value", "target"]].assign(
        average=own["indicator"].map(per_ind["average"]).astype(float).to_numpy()
    )
    table = table.join(own[["band", "symbol", "label", "rank"]].assign(rank_text=rank_text)).join(
        own[["previous_value", "change", "trend", "arrow", "direction"]]
    )

    rated = own["rated"].to_numpy(dtype=bool) if "rated" in own else np.ones(len(own), bool)
    applicable = int((own["applicable"].to_numpy(dtype=bool) & rated).sum())
    meets = own["on_target"].fillna(False).to_numpy(dtype=bool)
    unsure: dict[str, list[str]] = {}
    if "shown" in own:  # judged: a value too uncertain to show, or to check, is not a success
        for key in ("check_data", "too_few"):
            held = own["shown"].eq(key).to_numpy() & own["applicable"].to_numpy(dtype=bool)
            unsure[key] = own.loc[held, "indicator_name"].astype(str).tolist()
            meets &= ~held
    elif over_100.any():
        unsure["check_data"] = own.loc[over_100, "indicator_name"].astype(str).tolist()
        meets &= ~over_100
    on_target = int(meets.sum())
    peers = int(card["org_unit"].nunique())

    with_rank = own[ranked]
    among = with_rank["ranked_among"].astype(float)
    relative = (with_rank["rank"].astype(float) - 1) / (among - 1).where(among > 1, 1.0)
    best: tuple[str, ...] = ()
    worst: tuple[str, ...] = ()
    if len(relative) == 1 or (len(relative) > 1 and relative.max() > relative.min()):
        by_best = relative.sort_values(kind="stable").index
        best = tuple(with_rank.loc[by_best, "indicator_name"].head(top))
        if len(relative) > 1:
            worst_rel = relative.sort_values(ascending=False, kind="stable")
            worst = tuple(with_rank.loc[worst_rel.index, "indicator_name"].head(top))

    sentences = [
        f"{name} was on target for {on_target} of {applicable} "
        f"indicator{'s' if applicable != 1 else ''} in {period_text(period)}."
        if applicable
        else f"No indicator of {name} has a target yet for {period_text(period)}."
    ]
    not_counted = [
        f"{_names(items)} ({'check the data' if key == 'check_data' else 'too few to judge'})"
        for key, items in unsure.items()
        if items
    ]
    if applicable and not_counted:
        sentences[0] += " Not counted as on target: " + "; ".join(not_counted) + "."
    moved = own[own["trend"].isin(["up", "down"])]
    if len(moved):
        tol = moved["tolerance"].astype(float)
        size = moved["change"].abs() / tol.where(tol > 0, 1.0)
        biggest = moved.loc[size.sort_values(ascending=False, kind="stable").index[0]]
        sentences.append(_change_sentence(biggest))
    elif prev_period is not None:
        sentences.append(
            f"No indicator changed by more than its tolerance since {period_text(prev_period)}."
        )
    else:
        sentences.append("There is no earlier period to compare with.")
    missing = own.loc[own["applicable"] & own["value"].isna(), "indicator_name"].tolist()
    if missing:
        sentences.append(f"No data were reported for {_names(missing)}.")
    elif best and worst:
        b = with_rank[with_rank["indicator_name"] == best[0]].iloc[0]
        w = with_rank[with_rank["indicator_name"] == worst[0]].iloc[0]
        sentences.append(
            f"Compared with the others on the scorecard, it ranks highest on {best[0]} "
            f"({int(b['rank'])} of {int(b['ranked_among'])}) and lowest on "
            f"{worst[0]} ({int(w['rank'])} of {int(w['ranked_among'])})."
        )
    return FeedbackSheet(
        org_unit=code,
        name=name,
        period=period,
        previous_period=prev_period,
        table=table,
        on_target=on_target,
        applicable=applicable,
        peers=peers,
        best=best,
        worst=worst,
        sentences=tuple(sentences),
    )
