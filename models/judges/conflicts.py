"""Conflicts of interest: a judge never judges their own unit, a unit above it or a unit below it.

"Above" and "below" follow the roster's `parent_id` all the way: an official of Dinas Pendidikan
gets no school, a Camat none of the kelurahan under the Kecamatan, a lurah not the Kecamatan above
and not the Dinas or Pemerintah above that. Declared conflicts (conflicts.csv) come on top.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence

from models.records import Judge
from models.roster import Roster


def conflict_reason(judge: Judge, participant_id: str, roster: Roster,
                    declared: Collection[tuple[str, str]] = ()) -> str | None:
    """None when the judge is free to judge the participant; else why not, in the words an admin reads."""
    unit = judge.affiliation_id
    if unit is not None:
        if unit == participant_id:
            return "juri dari unit ini"
        if unit in roster.ancestors(participant_id):
            return f"juri dari unit induknya ({_name(roster, unit)})"
        if participant_id in roster.ancestors(unit):
            return f"juri dari unit di bawahnya ({_name(roster, unit)})"
    if (judge.id, participant_id) in declared:
        return "konflik yang dinyatakan (berkas konflik)"
    return None


def conflicted_pairs(judges: Sequence[Judge], participant_ids: Iterable[str], roster: Roster,
                     declared: Collection[tuple[str, str]] = ()) -> set[tuple[str, str]]:
    """Every (judge id, participant id) pair with a conflict of interest, the rules of `conflict_reason`.

    Built from the tree once, not pair by pair: a national edition has 300,000 pairs.
    """
    participants = set(participant_ids)
    under: dict[str, set[str]] = defaultdict(set)  # unit -> the participants below it
    for pid in participants:
        for ancestor in roster.ancestors(pid):
            under[ancestor].add(pid)
    judge_ids = {j.id for j in judges}
    pairs = {(j, p) for j, p in declared if j in judge_ids and p in participants}
    for judge in judges:
        unit = judge.affiliation_id
        if unit is None:
            continue
        related = under.get(unit, set()) | ({unit} | roster.ancestors(unit)) & participants
        pairs.update((judge.id, p) for p in related)
    return pairs


def _name(roster: Roster, participant_id: str) -> str:
    p = roster.get(participant_id)
    return p.name if p else participant_id
