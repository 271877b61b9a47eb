"""Twinning: pair districts so each gives where it is strong and learns where it is weak.

Twinning partnerships pair a stronger-performing institution with a weaker one
so that peers, rather than outside experts, pass on what works (World Health
Organization, *Twinning Partnerships for Improvement*; Abt Global, "Peer
Learning Strengthens Health Systems", 2024, describing district twinning in
Ethiopia and Rwanda's Twinning Partnership Network). Districts are rarely
strong or weak across the board, so the pairing here works domain by domain:
in each domain where one district scores at least ``min_gap`` points above
another, the first can support the second. A pair in which support runs both
ways (reciprocal) is preferred, because each partner both gives and receives.

The rule (:func:`propose_pairs`)
--------------------------------
1. **Candidate pairs.** For every two districts A and B, list the domains where
   A's score minus B's is at least ``min_gap`` (A supports B there) and the
   other way round. A pair with at least one such domain is a candidate. Its
   *benefit* is the sum of those gaps, in points, both directions together.
2. **Rank.** Candidates are ranked by: reciprocal before one-way; then larger
   benefit; then the two names in alphabetical order (so ties are always
   broken the same way and the result never depends on row order).
3. **Everyone a partner first.** Districts that have any candidate are taken
   in order of how few candidates they have (fewest first; then the one with
   the most to gain from its best candidate; then by name); each one that has no partner yet gets its best-ranked candidate whose other
   district still has room (fewer than ``max_partners`` partners).
4. **Then fill up.** The remaining candidates, best-ranked first, are added
   while both districts still have room.

A partner counts once however many domains the pair covers.

Limits: this is a greedy rule, chosen because each step can be explained to
a district team. It does not promise the largest possible total gap: a greedy
choice by weight reaches at least half of the best total for matching problems
(Avis D. "A survey of heuristics for the weighted matching problem", *Networks*
13:475-493, 1983), and the priorities above (a partner for everyone, then
reciprocity) can give up some total gap in exchange for those aims. A district
may end up with no partner when every district that could help it is already
full; :func:`unpaired` says so. Gaps are differences in scores only: a pair is
proposed on the numbers, and the district teams should judge whether the
stronger district's practice fits the weaker one's setting. Every domain
counts the same.
"""

from __future__ import annotations

from phcpm.twinning.network import describe_network, network_edges, plot_network
from phcpm.twinning.pairs import PAIR_COLUMNS, propose_pairs, score_table, unpaired

__all__ = [
    "PAIR_COLUMNS",
    "describe_network",
    "network_edges",
    "plot_network",
    "propose_pairs",
    "score_table",
    "unpaired",
]
