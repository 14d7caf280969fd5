"""Who judges what: K judges per proposal, never a conflict of interest, loads balanced, expertise matched.

Encode, solve, decode (STYLE §11). The encoder turns proposals, judges, conflicts, duplicate groups and
frozen assignments into integer columns per (judge, class of units) that may be taken, where a unit is
a proposal or a high-severity duplicate group that must go to the same judges; a pair with a conflict
of interest is never a column. HiGHS (`scipy.optimize.milp`) then ranks three goals exactly, each
before the next (lexicographic):

1. coverage: as many (judge, proposal) assignments as possible, at most K per proposal, never above a
   judge's capacity; a proposal that cannot have K still gets as many as the others allow;
2. balance: the smallest sum of squared loads with that coverage (squares as a piecewise-linear cost
   on unit steps), so the loads are the most even possible: within one of each other whenever
   conflicts and capacities allow it. Every judge takes part, with or without a capacity: a capacity
   is only an upper bound, and judges under it are balanced with all the others;
3. expertise: the most assignments whose theme (an admin's correction; under review, the runner-up
   too) is in the judge's expertise, with that coverage and that balance.

Coverage is one solve; balance and expertise a second, with the squares weighted above every match
together, so one ranks before the other with no tolerance between them (relative gap 0). A solve
that passes TIME_LIMIT_SECONDS gives its best plan so far and `Plan.optimal` says so (never seen on
the generated editions, which take seconds).

Frozen assignments (handed out by `kipp handoff`) are constants: they count in loads and in K and are
never moved; new proposals are added around them. One that has become a conflict of interest since
(a conflict declared later) is released and listed in `Plan.released`, since a conflict is never allowed.
A duplicate group takes each chosen judge for all its members; a member whose frozen judges differ
from the others' keeps them, and the group shares what it can on top.

Why this shape, measured on the national edition (`python -m flows.bench.judges --size national`:
3,000 proposals, 100 judges, K=3, 36 duplicate flags; 2 cores shared with other work, HiGHS 1.12 in
scipy 1.17; seconds of the whole solve unless said):

| formulation                                                                  | seconds     | peak RSS |
| ---------------------------------------------------------------------------- | ----------- | -------- |
| a binary column per (judge, proposal), 299,042, three MILPs, presolve on     | stage 2 presolve > 300 s, stopped | |
| the same, presolve off; or as a network LP (`linprog`, dual simplex)         | stage 2 alone 88 s; 41 s | 0.6 GB |
| classes of interchangeable proposals (36,000 columns), three MILPs, presolve on | 0.3 + 40 + 45 + > 60 | |
| classes, presolve off, three MILPs (commit 47e67f3)                          | 46 (7.5 without groups) | |
| classes, two solves (squares weighted above expertise), a coverage row over every column | 13-27 (seeds 1-5) | |
| classes, two solves, coverage kept by bounding the unused room (this module) | 3.7-8.1 (seeds 1-5) | 0.27 GB |
| the same with a column per (judge, proposal), 295,443 (`--compare`)          | 28, the same optimum | 1.1 GB (both in one process) |

HiGHS presolve reduced nothing here and spent 35-45 s per stage trying while a row ran over every
column; without that row it neither helps nor hurts (5.5 s on, 3.8 s off, seed 1) and stays off. A
budget row on the squares (the third MILP of the three-stage version) makes the LP fractional around
duplicate groups and sends HiGHS into 40 s of heuristics; weighting keeps the transportation structure,
whose LP is integral except around the groups. A min-cost flow (integral, no branching) cannot carry
duplicate groups, which take a judge for several proposals at once; a MILP can.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np

from models.judges.conflicts import conflicted_pairs
from models.records import Blocker, Judge, JudgeAssignment, Unassigned
from models.roster import Roster

SOLVER = "scipy.optimize.milp (HiGHS)"
# Per solve: the national edition needs 1 s and 3-8 s; past this the best found so far is taken.
TIME_LIMIT_SECONDS = 40.0


@dataclass(frozen=True, slots=True)
class Proposal:
    """A participant's pair of proposals as judges see it."""

    participant_id: str
    themes: tuple[str, ...] = ()  # the theme that counts (an admin's correction wins) and, under review, its runner-up


@dataclass(frozen=True, slots=True)
class Plan:
    """The assignment and what it could not do."""

    assignments: tuple[JudgeAssignment, ...]  # sorted by (participant_id, judge_id)
    unassigned: tuple[Unassigned, ...]  # proposals short of K judges, with the constraint that blocked them
    loads: dict[str, int]  # every judge, 0 included
    conflicts_avoided: int  # judge-proposal pairs excluded for a conflict of interest
    seconds: float
    solver: str
    released: tuple[JudgeAssignment, ...] = field(default=())  # frozen ones dropped: a conflict of interest now
    optimal: bool = True  # False: HiGHS ran out of time (TIME_LIMIT_SECONDS) and its best plan so far is given

    @property
    def expertise_match_rate(self) -> float:
        if not self.assignments:
            return 0.0
        return sum(a.expertise_match for a in self.assignments) / len(self.assignments)


def assign(proposals: Sequence[Proposal], judges: Sequence[Judge], roster: Roster, *, k: int = 2,
           declared: Collection[tuple[str, str]] = (), together: Sequence[tuple[str, str]] = (),
           frozen: Sequence[JudgeAssignment] = ()) -> Plan:
    """The optimal assignment (module docstring); the same inputs in any order give the same Plan."""
    started = time.perf_counter()
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    model = encode(proposals, judges, roster, k=k, declared=declared, together=together, frozen=frozen)
    taken, optimal = solve(model)
    return decode(model, taken, seconds=time.perf_counter() - started, optimal=optimal)


# ------------------------------------------------------------------------------------------- encode

@dataclass(frozen=True, slots=True)
class Model:
    """The assignment as integer columns and constraints.

    A unit is a proposal, or a duplicate group whose members go to the same judges. Proposals alone
    with the same judges free of conflict, the same themes and the same frozen judges are
    interchangeable, so they form one class and column c says how many of the class's units judge
    `col_judge[c]` takes (at most the class size): 3,000 proposals of a national edition make about
    400 classes, and 300,000 binary columns become 40,000 integer ones with the same optimum. A
    duplicate group is a class of its own.
    """

    k: int
    judges: tuple[Judge, ...]  # sorted by id
    proposals: dict[str, Proposal]  # by id, sorted
    classes: tuple[tuple[tuple[str, ...], ...], ...]  # per class: its units, each the sorted ids of its members
    conflicts: frozenset[tuple[str, str]]  # (judge id, participant id) of present judges and proposals
    kept: tuple[JudgeAssignment, ...]  # frozen assignments kept, frozen=True
    released: tuple[JudgeAssignment, ...]  # frozen assignments that are a conflict of interest now
    frozen_of: dict[str, frozenset[str]]  # participant -> judges frozen for it
    col_judge: np.ndarray
    col_class: np.ndarray
    weight: np.ndarray  # new assignments per unit taken: members without this judge frozen
    match: np.ndarray  # of which the judge's expertise matches the theme
    rows: tuple[np.ndarray, ...]  # per constraint: the columns giving one member (or a class of proposals) judges
    room: np.ndarray  # per constraint: judges still to receive (K less the frozen ones, times the class size)
    frozen_load: np.ndarray  # per judge
    capacity: np.ndarray  # per judge; inf without one

    @property
    def size(self) -> np.ndarray:
        """Per column: the most units it may take, its class size."""
        return np.array([len(self.classes[c]) for c in self.col_class], dtype=float)

    @property
    def upper_load(self) -> np.ndarray:
        """The most each judge could end up with: its capacity, or everything it may receive."""
        possible = self.frozen_load + np.bincount(self.col_judge, self.weight * self.size, minlength=len(self.judges))
        return np.minimum(possible, np.maximum(self.capacity, self.frozen_load))


def encode(proposals: Sequence[Proposal], judges: Sequence[Judge], roster: Roster, *, k: int,
           declared: Collection[tuple[str, str]] = (), together: Sequence[tuple[str, str]] = (),
           frozen: Sequence[JudgeAssignment] = (), interchangeable: bool = True) -> Model:
    """The model of `assign`; `interchangeable=False` keeps every unit a class of its own (a column per
    judge and proposal), the same optimum on a model ten times larger, for comparison."""
    by_id = _unique({p.participant_id: p for p in proposals}, len(proposals), "participant")
    by_judge = _unique({j.id: j for j in judges}, len(judges), "judge")
    ordered = tuple(by_judge[j] for j in sorted(by_judge))
    index = {j.id: i for i, j in enumerate(ordered)}
    conflicts = frozenset(conflicted_pairs(ordered, by_id, roster, declared))
    kept, released = _frozen(frozen, by_id, index, conflicts)
    frozen_sets: dict[str, set[str]] = defaultdict(set)
    for a in kept:
        frozen_sets[a.participant_id].add(a.judge_id)
    frozen_of = {p: frozenset(frozen_sets[p]) for p in sorted(by_id)}
    conflicted: dict[str, set[str]] = defaultdict(set)
    for j, p in conflicts:
        conflicted[p].add(j)
    units = _groups(sorted(by_id), together)
    classes = _classes(units, by_id, conflicted, frozen_of) if interchangeable else tuple((u,) for u in units)
    col_judge, col_class, weight, match = [], [], [], []
    rows: list[list[int]] = []
    room: list[int] = []
    for c, units in enumerate(classes):
        members = units[0]
        if len(members) == 1:  # proposals alone: one row for the class
            own = {members[0]: len(rows)}
            rows.append([])
            room.append(max(k - len(frozen_of[members[0]]), 0) * len(units))
        else:  # a duplicate group: a row per member, since frozen judges may differ
            own = {p: len(rows) + i for i, p in enumerate(members)}
            rows += [[] for _ in members]
            room += [max(k - len(frozen_of[p]), 0) for p in members]
        for judge in ordered:
            gaining = [p for p in members if judge.id not in frozen_of[p]]
            if (not gaining or any(judge.id in conflicted[p] for p in members)
                    or any(room[own[p]] == 0 for p in gaining)):  # a member with its K frozen takes no more
                continue
            for p in gaining:
                rows[own[p]].append(len(col_judge))
            col_judge.append(index[judge.id])
            col_class.append(c)
            weight.append(len(gaining))
            match.append(sum(_matches(judge, by_id[p]) for p in gaining))
    frozen_load = np.zeros(len(ordered))
    for a in kept:
        frozen_load[index[a.judge_id]] += 1
    return Model(
        k=k, judges=ordered, proposals={p: by_id[p] for p in sorted(by_id)}, classes=classes, conflicts=conflicts,
        kept=kept, released=released, frozen_of=frozen_of, col_judge=np.array(col_judge, dtype=np.int64),
        col_class=np.array(col_class, dtype=np.int64), weight=np.array(weight, dtype=float),
        match=np.array(match, dtype=float), rows=tuple(np.array(r, dtype=np.int64) for r in rows),
        room=np.array(room, dtype=float), frozen_load=frozen_load,
        capacity=np.array([j.capacity if j.capacity is not None else math.inf for j in ordered]),
    )


def _classes(units: tuple[tuple[str, ...], ...], proposals: dict[str, Proposal], conflicted: dict[str, set[str]],
             frozen_of: dict[str, frozenset[str]]) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Interchangeable units together (same conflicts, themes and frozen judges), in order of their first unit."""
    classes: dict[object, list[tuple[str, ...]]] = {}
    for unit in units:
        if len(unit) > 1:
            key: object = unit
        else:
            p = unit[0]
            key = (frozenset(conflicted[p]), frozenset(proposals[p].themes), frozen_of[p])
        classes.setdefault(key, []).append(unit)
    return tuple(tuple(c) for c in classes.values())


def _unique(by_id: dict, given: int, what: str) -> dict:
    if len(by_id) != given:
        raise ValueError(f"the same {what} id was given twice")
    return by_id


def _matches(judge: Judge, proposal: Proposal) -> bool:
    return not set(judge.expertise).isdisjoint(proposal.themes)


def _frozen(frozen: Sequence[JudgeAssignment], proposals: Collection[str], index: dict[str, int],
            conflicts: frozenset[tuple[str, str]]) -> tuple[tuple[JudgeAssignment, ...], tuple[JudgeAssignment, ...]]:
    """Frozen assignments of proposals and judges still present: (kept, released for a conflict)."""
    pairs = sorted({(a.participant_id, a.judge_id) for a in frozen
                    if a.participant_id in proposals and a.judge_id in index})
    kept = tuple(JudgeAssignment(j, p, False, True) for p, j in pairs if (j, p) not in conflicts)
    released = tuple(JudgeAssignment(j, p, False, True) for p, j in pairs if (j, p) in conflicts)
    return kept, released


def _groups(participant_ids: list[str], together: Sequence[tuple[str, str]]) -> tuple[tuple[str, ...], ...]:
    """Duplicate groups (pairs joined transitively) and single proposals, each sorted, in id order."""
    parent = {p: p for p in participant_ids}

    def root(p: str) -> str:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for a, b in together:
        if a in parent and b in parent:  # a flag with a participant not handed off joins nothing
            ra, rb = root(a), root(b)
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[str, list[str]] = defaultdict(list)
    for p in participant_ids:
        members[root(p)].append(p)
    return tuple(tuple(m) for _, m in sorted(members.items()))


# -------------------------------------------------------------------------------------------- solve

def solve(model: Model) -> tuple[np.ndarray, bool]:
    """Units per column (integers), the lexicographic optimum of coverage, then balance, then expertise;
    and whether HiGHS proved it optimal within its time limit (else its best balance found so far)."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csr_array, hstack, identity

    n_cols, n_rows, n_judges = len(model.col_judge), len(model.rows), len(model.judges)
    if n_cols == 0:
        return np.zeros(0, dtype=np.int64), True
    options = {"disp": False, "presolve": False, "mip_rel_gap": 0.0, "time_limit": TIME_LIMIT_SECONDS}
    rows = _row_matrix(model)
    loads = csr_array((model.weight, (model.col_judge, np.arange(n_cols))), shape=(n_judges, n_cols))
    # 1. coverage
    capped = np.isfinite(model.capacity)
    constraints = [LinearConstraint(rows, -np.inf, model.room)]
    if capped.any():
        room = np.maximum(model.capacity - model.frozen_load, 0)
        constraints.append(LinearConstraint(loads[capped], -np.inf, room[capped]))
    first = milp(-model.weight, constraints=constraints, integrality=np.ones(n_cols), bounds=Bounds(0, model.size),
                 options=options)
    if first.x is None:
        raise RuntimeError(f"HiGHS found no assignment: {first.message}")
    coverage = round(model.weight @ first.x)
    # 2. balance, then expertise, with that coverage. Columns: units taken | unused room per row | unit
    # steps of each judge's load, step t costing 2t-1 so that the cost is load² | an overflow above `top`
    # at the next step's price, exact as long as no load needs it. Coverage is kept by bounding the
    # unused room (a row as long as the rows, where a row over every column made HiGHS 7 times slower).
    # Squares weigh more than every match together (`scale`): one solve ranks them exactly.
    short = float(model.room.sum() - coverage)
    scale = float(coverage + 1)
    upper = model.upper_load
    top = _level(model.frozen_load.sum() + coverage, upper) + 1
    while True:
        steps = np.minimum(upper, top).astype(np.int64)
        overflow = np.flatnonzero(upper > top)
        n_steps, n_over = int(steps.sum()), len(overflow)
        step_judge = np.repeat(np.arange(n_judges), steps)
        step_cost = 2 * (np.arange(n_steps) - np.repeat(np.cumsum(steps) - steps, steps)) + 1.0
        pad = n_steps + n_over
        constraints = [
            LinearConstraint(hstack([rows, identity(n_rows), csr_array((n_rows, pad))]), model.room, model.room),
            LinearConstraint(hstack([
                loads, csr_array((n_judges, n_rows)),
                -csr_array((np.ones(n_steps), (step_judge, np.arange(n_steps))), shape=(n_judges, n_steps)),
                -csr_array((np.ones(n_over), (overflow, np.arange(n_over))), shape=(n_judges, n_over))]),
                -model.frozen_load, -model.frozen_load),
        ]
        if short > 0:
            unused = np.concatenate([np.zeros(n_cols), np.ones(n_rows), np.zeros(pad)])
            constraints.append(LinearConstraint(unused[None, :], -np.inf, short))
        cost = np.concatenate([-model.match, np.zeros(n_rows), scale * step_cost,
                               np.full(n_over, scale * (2 * top + 1))])
        bounds = Bounds(0, np.concatenate([model.size, model.room if short > 0 else np.zeros(n_rows),
                                           np.ones(n_steps), upper[overflow] - top]))
        integrality = np.concatenate([np.ones(n_cols), np.zeros(n_rows + pad)])
        second = milp(cost, constraints=constraints, integrality=integrality, bounds=bounds, options=options)
        if second.x is None:  # out of time before any solution: the coverage alone, never nothing
            return np.round(first.x).astype(np.int64), False
        if not (second.x[n_cols + n_rows + n_steps:] > 0.5).any():
            return np.round(second.x[:n_cols]).astype(np.int64), second.status == 0 and first.status == 0
        top *= 2


def _level(total: float, upper: np.ndarray) -> int:
    """The load every judge would have if `total` were poured over them up to their `upper` (water-filling)."""
    low, high = 0, int(total) + 1
    while low < high:
        mid = (low + high) // 2
        if np.minimum(upper, mid).sum() >= total:
            high = mid
        else:
            low = mid + 1
    return low


def _row_matrix(model: Model):
    from scipy.sparse import csr_array

    rows = np.repeat(np.arange(len(model.rows)), [len(r) for r in model.rows])
    cols = np.concatenate(model.rows) if model.rows else np.zeros(0, dtype=np.int64)
    return csr_array((np.ones(len(cols)), (rows, cols)), shape=(len(model.rows), len(model.col_judge)))


# ------------------------------------------------------------------------------------------- decode

def decode(model: Model, taken: np.ndarray, seconds: float, optimal: bool = True) -> Plan:
    """Assignments from the units taken per column and the frozen ones; why a proposal is short of K.

    Within a class the units are dealt out in turn: judge after judge (in id order), each taking its
    count of consecutive units, wrapping round; a count never exceeds the class size, so no unit
    gets a judge twice and every unit gets its K (or, short, all within one of each other).
    """
    pairs = {(a.participant_id, a.judge_id): True for a in model.kept}
    dealt = [0] * len(model.classes)
    for c in np.flatnonzero(taken):
        judge, units = model.judges[model.col_judge[c]], model.classes[model.col_class[c]]
        start = dealt[model.col_class[c]]
        for i in range(start, start + int(taken[c])):
            for p in units[i % len(units)]:
                if judge.id not in model.frozen_of[p]:
                    pairs[(p, judge.id)] = False
        dealt[model.col_class[c]] += int(taken[c])
    judge_by_id = {j.id: j for j in model.judges}
    assignments = tuple(JudgeAssignment(j, p, _matches(judge_by_id[j], model.proposals[p]), is_frozen)
                        for (p, j), is_frozen in sorted(pairs.items()))
    loads = dict.fromkeys(judge_by_id, 0)
    for a in assignments:
        loads[a.judge_id] += 1
    return Plan(assignments=assignments, unassigned=_shortfalls(model, assignments, loads), loads=loads,
                conflicts_avoided=len(model.conflicts), seconds=seconds, solver=SOLVER, released=model.released,
                optimal=optimal)


def _shortfalls(model: Model, assignments: tuple[JudgeAssignment, ...], loads: dict[str, int]) -> tuple[Unassigned, ...]:
    """Each proposal short of K, with the constraint that blocked it.

    Coverage is maximal, so a proposal alone that is short while it has K judges free of conflict
    can only be short because those judges are full; a member of a duplicate group that is short
    while a judge free for it alone has room is short because of its group.
    """
    k, n = model.k, len(model.judges)
    got: dict[str, set[str]] = defaultdict(set)
    for a in assignments:
        got[a.participant_id].add(a.judge_id)
    unit_of = {p: unit for units in model.classes for unit in units for p in unit}
    result = []
    for p in model.proposals:
        if len(got[p]) >= k:
            continue
        free = [j for j in model.judges if (j.id, p) not in model.conflicts]
        has_room = [j for j in free if j.id not in got[p] and (j.capacity is None or loads[j.id] < j.capacity)]
        members = unit_of[p]
        if n == 0:
            reason, detail = Blocker.NO_JUDGES, "berkas juri tidak berisi juri"
        elif len(free) < k:
            reason = Blocker.CONFLICT_OF_INTEREST
            detail = (f"hanya {n} juri terdaftar, {k} per proposal" if n < k else
                      f"{len(free)} dari {n} juri bebas konflik kepentingan, {k} per proposal")
        elif len(members) > 1 and has_room:
            shared = sum(all((j.id, m) not in model.conflicts for m in members) for j in model.judges)
            others = ", ".join(m for m in members if m != p)
            reason = Blocker.DUPLICATE_GROUP
            detail = (f"kelompok duplikat {len(members)} peserta (dengan {others}): {shared} juri bebas konflik "
                      f"untuk semuanya, {k} per proposal")
        else:
            reason = Blocker.CAPACITY
            detail = (f"{len(free)} juri bebas konflik kepentingan; {len(free) - len(got[p])} yang belum menerimanya "
                      "sudah penuh sesuai kapasitasnya")
        result.append(Unassigned(p, reason, len(got[p]), detail))
    return tuple(result)
