"""Proposing twinning pairs domain by domain: the rule is described in :mod:`phcpm.twinning`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from phcpm.errors import InputError

__all__ = ["PAIR_COLUMNS", "propose_pairs", "score_table", "unpaired"]

PAIR_COLUMNS = [
    "district_a",
    "district_b",
    "a_supports_b_in",
    "b_supports_a_in",
    "reciprocal",
    "a_to_b_gap",
    "b_to_a_gap",
    "total_gap",
    "gap_details",
    "reason",
]


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


def _list(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _filled_text(data: pd.DataFrame, column: str, what: str) -> pd.Series:
    """The column as trimmed text; an empty cell is refused with its row."""
    text = data[column].astype("string").str.strip()
    empty = (text.isna() | (text == "")).to_numpy()
    if empty.any():
        row = int(np.flatnonzero(empty)[0])
        raise InputError(
            f"A row has no {what}",
            where=f"row {data.index[row]}",
            todo=f"Fill in the {what} or remove the row",
        )
    return text


def score_table(
    scores: pd.DataFrame,
    *,
    district: str = "district",
    domain: str = "domain",
    score: str = "score",
    year: Any = None,
    year_col: str = "year",
) -> pd.DataFrame:
    """Check long-format scores and return them as a district x domain table.

    ``scores`` has one row per district and domain (``district, domain, score``,
    scores 0-100). When a ``year_col`` column is present, ``year`` picks one year;
    by default the latest year in the data is used. Missing scores are allowed
    (left empty); a district with no score at all is an error. Rows and columns
    come out in alphabetical order. The input is not changed.
    """
    if not isinstance(scores, pd.DataFrame):
        raise InputError("The scores should be a table (DataFrame)")
    missing = [c for c in (district, domain, score) if c not in scores.columns]
    if missing:
        raise InputError(
            f"The scores table has no column {', '.join(repr(c) for c in missing)}",
            where=f"columns found: {', '.join(map(str, scores.columns))}",
            todo="Name the columns district, domain and score, or say which columns to use",
        )
    data = scores
    if year_col in scores.columns:
        years = scores[year_col]
        chosen = years.max() if year is None else year
        data = scores[years == chosen]
        if data.empty:
            raise InputError(
                f"There are no scores for {year_col} {chosen}",
                todo=f"Choose one of: {', '.join(map(str, sorted(years.dropna().unique())))}",
            )
    elif year is not None:
        raise InputError(f"The scores table has no '{year_col}' column to choose a year from")
    names = _filled_text(data, district, "district name")
    domains = _filled_text(data, domain, "domain")
    raw = data[score]
    values = pd.to_numeric(raw, errors="coerce").astype("float64")
    not_numbers = values.isna() & raw.notna() & (raw.astype("string").str.strip() != "")
    if not_numbers.any():
        i = int(np.flatnonzero(not_numbers.to_numpy())[0])
        raise InputError(
            f"The score '{raw.iloc[i]}' for {names.iloc[i]}, {domains.iloc[i]} is not a number",
            todo="Enter scores as numbers from 0 to 100, or leave the cell empty",
        )
    outside = (values < 0) | (values > 100)
    if outside.any():
        bad = [
            f"{n}, {d}: {_fmt(v)}"
            for n, d, v in zip(names[outside], domains[outside], values[outside], strict=True)
        ]
        raise InputError(
            f"Scores must be between 0 and 100; {len(bad)} are not ({'; '.join(bad[:5])})",
            todo="Check these scores; if they are percentages, they cannot pass 100",
        )
    long = pd.DataFrame(
        {"district": names.to_numpy(), "domain": domains.to_numpy(), "score": values.to_numpy()}
    )
    dup = long.duplicated(["district", "domain"], keep=False)
    if dup.any():
        first = long[dup].iloc[0]
        raise InputError(
            f"{first['district']} has more than one score for {first['domain']}",
            todo="Keep one score per district and domain (and per year, if there is a year column)",
        )
    table = long.pivot(index="district", columns="domain", values="score")
    table = table.sort_index().sort_index(axis=1)
    empty = table.index[table.isna().all(axis=1)].tolist()
    if empty:
        raise InputError(
            f"{_list([str(e) for e in empty])} {'has' if len(empty) == 1 else 'have'} no scores",
            todo="Enter at least one score for each district, or remove it from the table",
        )
    if len(table) < 2:
        raise InputError(
            f"Twinning needs at least two districts; the scores have {len(table)}",
            todo="Add the scores of the other districts",
        )
    table.index.name = "district"
    table.columns.name = "domain"
    return table


def _candidates(table: pd.DataFrame, min_gap: float) -> pd.DataFrame:
    """Every candidate pair with the domains and gaps each way (vectorised over pairs)."""
    s = table.to_numpy(dtype="float64")
    gaps = s[:, None, :] - s[None, :, :]  # gaps[a, b, d] = score of a - score of b in d
    supports = np.nan_to_num(gaps, nan=-np.inf) >= min_gap
    a_idx, b_idx = np.triu_indices(len(table), k=1)
    ab = supports[a_idx, b_idx]  # a supports b, per domain
    ba = supports[b_idx, a_idx]
    keep = ab.any(axis=1) | ba.any(axis=1)
    a_idx, b_idx, ab, ba = a_idx[keep], b_idx[keep], ab[keep], ba[keep]
    g = gaps[a_idx, b_idx]
    ab_gap = np.where(ab, g, 0.0).sum(axis=1)
    ba_gap = np.where(ba, -g, 0.0).sum(axis=1)
    names = table.index.to_numpy()
    return pd.DataFrame(
        {
            "i": a_idx,
            "j": b_idx,
            "a": names[a_idx],
            "b": names[b_idx],
            "ab_mask": list(ab),
            "ba_mask": list(ba),
            "ab_gap": ab_gap,
            "ba_gap": ba_gap,
            "benefit": ab_gap + ba_gap,
            "reciprocal": ab.any(axis=1) & ba.any(axis=1),
        }
    ).sort_values(
        ["reciprocal", "benefit", "a", "b"], ascending=[False, False, True, True], kind="stable"
    )


def _direction(giver: str, taker: str, items: list[tuple[str, float, float]]) -> str:
    first, *rest = items
    text = f"{giver} is strong in {first[0]} ({_fmt(first[1])}) where {taker} is weak "
    text += f"({_fmt(first[2])})"
    more = [f"in {d} ({_fmt(x)} against {_fmt(y)})" for d, x, y in rest]
    if more:
        text += ", " + (", ".join(more[:-1]) + ", and " if len(more) > 1 else "and ") + more[-1]
    return text


def _items(
    s: np.ndarray, domains: list[str], giver: int, taker: int, mask: np.ndarray
) -> list[tuple[str, float, float]]:
    """(domain, giver's score, taker's score) where the giver supports, largest gap first."""
    found = [(domains[d], float(s[giver, d]), float(s[taker, d])) for d in np.flatnonzero(mask)]
    return sorted(found, key=lambda item: (item[2] - item[1], item[0]))


def _settings(max_partners: Any, min_gap: Any) -> tuple[int, float]:
    if isinstance(max_partners, bool) or not isinstance(max_partners, int | np.integer):
        raise InputError(
            f"The number of partners allowed ({max_partners}) should be a whole number",
            todo="Use 1, 2 or 3",
        )
    if max_partners < 1:
        raise InputError(
            "Each district must be allowed at least one partner",
            todo="Set the number of partners to 1 or more",
        )
    try:
        gap = float(min_gap)
    except (TypeError, ValueError):
        raise InputError(f"The smallest gap '{min_gap}' is not a number") from None
    if not (0 < gap <= 100) or math.isnan(gap):
        raise InputError(
            f"The smallest gap should be more than 0 and at most 100 points, not {min_gap}",
            todo="Use a gap such as 15 points",
        )
    return int(max_partners), gap


def propose_pairs(
    scores: pd.DataFrame,
    max_partners: int = 2,
    min_gap: float = 15,
    *,
    district: str = "district",
    domain: str = "domain",
    score: str = "score",
    year: Any = None,
    year_col: str = "year",
) -> pd.DataFrame:
    """Propose twinning pairs from district scores by domain (the rule is in the module text).

    Returns one row per chosen pair, best-ranked first:

    * ``district_a``, ``district_b`` -- ``district_a`` gives the larger total
      support (alphabetical order when equal), so in a one-way pair it is the
      supporting district;
    * ``a_supports_b_in``, ``b_supports_a_in`` -- the domains, "; "-separated,
      largest gap first ("" when none);
    * ``reciprocal`` -- support runs both ways;
    * ``a_to_b_gap``, ``b_to_a_gap``, ``total_gap`` -- sums of the gaps in points;
    * ``gap_details`` -- every domain with both scores ("supervision: Ruvo 82,
      Kilembe 41");
    * ``reason`` -- one plain sentence for the district teams.

    ``pairs.attrs`` keeps the settings and each district's strongest and
    weakest domain, used by :func:`network_edges` and :func:`unpaired`.
    """
    max_partners, min_gap = _settings(max_partners, min_gap)
    table = score_table(
        scores, district=district, domain=domain, score=score, year=year, year_col=year_col
    )
    cands = _candidates(table, min_gap)
    names = table.index.tolist()
    partners: dict[str, set[str]] = {n: set() for n in names}
    chosen: list[int] = []  # positions in cands, in the order chosen

    def room(n: str) -> bool:
        return len(partners[n]) < max_partners

    def take(pos: int) -> None:
        a, b = cands["a"].iloc[pos], cands["b"].iloc[pos]
        partners[a].add(b)
        partners[b].add(a)
        chosen.append(pos)

    a_col, b_col = cands["a"].to_numpy(), cands["b"].to_numpy()
    ends = pd.DataFrame(
        {"name": np.concatenate([a_col, b_col]), "benefit": np.tile(cands["benefit"], 2)}
    )
    need = ends.groupby("name")["benefit"].agg(["size", "max"])
    # step 3: a partner for everyone who can have one, most constrained first
    for name in sorted(need.index, key=lambda n: (need.at[n, "size"], -need.at[n, "max"], n)):
        if partners[name]:
            continue
        for pos in np.flatnonzero((a_col == name) | (b_col == name)):  # already in rank order
            other = b_col[pos] if a_col[pos] == name else a_col[pos]
            if room(other):
                take(int(pos))
                break
    # step 4: fill up with the best remaining candidates
    taken = set(chosen)
    for pos in range(len(cands)):
        if pos not in taken and room(a_col[pos]) and room(b_col[pos]):
            if b_col[pos] not in partners[a_col[pos]]:
                take(pos)

    rows = []
    domains = table.columns.tolist()
    s = table.to_numpy(dtype="float64")
    for pos in sorted(chosen):  # rank order
        c = cands.iloc[pos]
        i, j, ab_mask, ba_mask = int(c["i"]), int(c["j"]), c["ab_mask"], c["ba_mask"]
        ab_gap, ba_gap = float(c["ab_gap"]), float(c["ba_gap"])
        if ba_gap > ab_gap:
            i, j, ab_mask, ba_mask, ab_gap, ba_gap = j, i, ba_mask, ab_mask, ba_gap, ab_gap
        a, b = names[i], names[j]

        give, get = _items(s, domains, i, j, ab_mask), _items(s, domains, j, i, ba_mask)
        if give and get:
            reason = f"{_direction(a, b, give)}; {_direction(b, a, get)}."
        else:
            reason = (
                f"{_direction(a, b, give)}. {b} is not clearly ahead of {a} in any domain, "
                "so the support runs one way."
            )
        both = np.flatnonzero(~np.isnan(s[i]) & ~np.isnan(s[j]))
        details = "; ".join(f"{domains[d]}: {a} {_fmt(s[i, d])}, {b} {_fmt(s[j, d])}" for d in both)
        rows.append(
            {
                "district_a": a,
                "district_b": b,
                "a_supports_b_in": "; ".join(t[0] for t in give),
                "b_supports_a_in": "; ".join(t[0] for t in get),
                "reciprocal": bool(give and get),
                "a_to_b_gap": ab_gap,
                "b_to_a_gap": ba_gap,
                "total_gap": ab_gap + ba_gap,
                "gap_details": details,
                "reason": reason,
            }
        )
    pairs = pd.DataFrame(rows, columns=PAIR_COLUMNS)
    pairs = pairs.astype({"reciprocal": bool, "a_to_b_gap": float, "b_to_a_gap": float})
    pairs = pairs.astype({"total_gap": float})
    pairs.attrs["twinning"] = {
        "max_partners": max_partners,
        "min_gap": min_gap,
        "profiles": _profiles(table),
        "candidates": {n: sorted(set(b_col[a_col == n]) | set(a_col[b_col == n])) for n in names},
    }
    return pairs


def _profiles(table: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Each district's strongest and weakest domain (alphabetical first among equal scores)."""
    filled_hi = table.fillna(-np.inf)
    filled_lo = table.fillna(np.inf)
    hi = filled_hi.to_numpy().argmax(axis=1)
    lo = filled_lo.to_numpy().argmin(axis=1)
    cols = table.columns.to_numpy()
    s = table.to_numpy(dtype="float64")
    rows = np.arange(len(table))
    return {
        name: {
            "strongest_domain": str(cols[hi[k]]),
            "strongest_score": float(s[k, hi[k]]),
            "weakest_domain": str(cols[lo[k]]),
            "weakest_score": float(s[k, lo[k]]),
        }
        for k, name in zip(rows, table.index, strict=True)
    }


def unpaired(
    pairs: pd.DataFrame,
    scores: pd.DataFrame,
    *,
    max_partners: int | None = None,
    min_gap: float | None = None,
    **columns: Any,
) -> pd.DataFrame:
    """Districts in ``scores`` left without a partner, each with the reason in plain words.

    ``max_partners`` and ``min_gap`` default to the settings ``pairs`` was
    made with (kept in ``pairs.attrs``), else 2 and 15. Returns columns
    ``district`` and ``reason``; no rows when everyone has a partner.
    """
    settings = pairs.attrs.get("twinning", {})
    max_partners, min_gap = _settings(
        max_partners if max_partners is not None else settings.get("max_partners", 2),
        min_gap if min_gap is not None else settings.get("min_gap", 15),
    )
    table = score_table(scores, **columns)
    cands = _candidates(table, min_gap)
    paired = pd.concat([pairs["district_a"], pairs["district_b"]])
    count = paired.value_counts()
    rows = []
    for name in table.index:
        if name in count.index:
            continue
        mine = cands[(cands["a"] == name) | (cands["b"] == name)]
        others = sorted((set(mine["a"]) | set(mine["b"])) - {name})
        if not others:
            reason = (
                f"{name} is within {_fmt(min_gap)} points of every other district in every "
                "domain, so no district is clearly placed to support it or to learn from it. "
                "It could join an existing pair, or a smaller gap could be used."
            )
        else:
            full = [o for o in others if count.get(o, 0) >= max_partners]
            if len(full) == len(others):
                reason = (
                    f"The districts that could partner {name} ({_list(others)}) already have "
                    f"{max_partners} partner{'s' if max_partners > 1 else ''} each. Allow more "
                    f"partners per district, or pair {name} by hand."
                )
            else:
                free = [o for o in others if o not in full]
                reason = (
                    f"{name} could still partner {_list(free)}; these pairs were not made "
                    "with the settings used. Make the pairs again with the same settings."
                )
        rows.append({"district": name, "reason": reason})
    return pd.DataFrame(rows, columns=["district", "reason"])
