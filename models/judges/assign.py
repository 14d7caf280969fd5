"""Who judges what: K judges per proposal, never a conflict of interest, loads balanced, expertise matched.

Encode, solve, decode (STYLE §11). The encoder turns proposals, judges, conflicts, duplicate groups and
frozen assignments into integer columns per (judge, class of units) that may be taken, where a unit is a
proposal or a high-severity duplicate group that must go to the same judges; a pair with a conflict
of interest is never a column. HiGHS (`scipy.optimize.milp`) then solves three problems in turn, each
keeping the optimum of the one before, so the objective is exactly lexicographic:

1. coverage: as many (judge, proposal) assignments as possible, at most K per proposal, never above a
   judge's capacity; a proposal that cannot have K still gets as many as the others allow;
2. balance: the smallest sum of squared loads with that coverage (squares as a piecewise-linear cost
   on unit steps, so the loads are the most even possible: within one of each other whenever
   conflicts and capacities allow it). Every judge takes part, with or without a capacity: a
   capacity is only an upper bound, and judges below it are balanced with the others;
3. expertise: the most assignments whose theme (an admin's correction; under review, the runner-up
   too) is in the judge's expertise, with that coverage and that balance.

Frozen assignments (handed out by `kipp handoff`) are constants: they count in loads and in K and are
never moved; new proposals are added around them. One that has become a conflict of interest since
(a conflict declared later) is released and listed in `Plan.released`, since a conflict is never allowed.
A duplicate group takes each chosen judge for all its members; a member whose frozen judges differ
from the others' keeps them, and the group shares what it can on top.

Proposals alone that are interchangeable (same free judges, themes and frozen judges) share integer
columns (see `Model`); HiGHS presolve is off: on the national edition it spent 35-45 s per stage
reducing nothing, where the solve itself takes 1-3 s.
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
_TIME_LIMIT = 300.0  # seconds per stage; the national edition needs a few


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
    return decode(model, solve(model), seconds=time.perf_counter() - started)


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
           frozen: Sequence[JudgeAssignment] = ()) -> Model:
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
    classes = _classes(_groups(sorted(by_id), together), by_id, conflicted, frozen_of)
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
            if not gaining or any(judge.id in conflicted[p] for p in members):
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

def solve(model: Model) -> np.ndarray:
    """Units per column (integers): the lexicographic optimum of coverage, then balance, then expertise."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import csr_array, hstack

    n_cols, n_judges = len(model.col_judge), len(model.judges)
    if n_cols == 0:
        return np.zeros(0, dtype=np.int64)
    options = {"disp": False, "presolve": False, "time_limit": _TIME_LIMIT}

    def run(c, constraints, integrality, bounds) -> np.ndarray:
        result = milp(c, constraints=constraints, integrality=integrality, bounds=bounds, options=options)
        if result.x is None:
            raise RuntimeError(f"HiGHS found no assignment: {result.message}")
        return result.x

    rows = _row_matrix(model)
    loads = csr_array((model.weight, (model.col_judge, np.arange(n_cols))), shape=(n_judges, n_cols))
    capped = np.isfinite(model.capacity)
    room = np.maximum(model.capacity - model.frozen_load, 0)
    # 1. coverage
    constraints = [LinearConstraint(rows, -np.inf, model.room)]
    if capped.any():
        constraints.append(LinearConstraint(loads[capped], -np.inf, room[capped]))
    x = run(-model.weight, constraints, np.ones(n_cols), Bounds(0, model.size))
    coverage = round(model.weight @ x)
    # 2. balance: load = frozen + new = sum of unit steps z (step t costs 2t-1, so the cost is load²) and an
    # overflow above `top` at the next step's price, which is exact as long as no load needs the overflow.
    upper = model.upper_load
    top = math.ceil((model.frozen_load.sum() + coverage) / n_judges) + 1
    while True:
        steps = np.minimum(upper, top).astype(np.int64)
        overflow = np.flatnonzero(upper > top)
        n_steps, n_over = int(steps.sum()), len(overflow)
        step_judge = np.repeat(np.arange(n_judges), steps)
        step_cost = 2 * (np.arange(n_steps) - np.repeat(np.cumsum(steps) - steps, steps)) + 1.0
        link = hstack([loads, -csr_array((np.ones(n_steps), (step_judge, np.arange(n_steps))), shape=(n_judges, n_steps)),
                       -csr_array((np.ones(n_over), (overflow, np.arange(n_over))), shape=(n_judges, n_over))])
        pad = n_steps + n_over
        cost = np.concatenate([np.zeros(n_cols), step_cost, np.full(n_over, 2.0 * top + 1)])
        constraints = [
            LinearConstraint(hstack([rows, csr_array((rows.shape[0], pad))]), -np.inf, model.room),
            LinearConstraint(link, -model.frozen_load, -model.frozen_load),
            LinearConstraint(np.concatenate([model.weight, np.zeros(pad)])[None, :], coverage - 0.5, np.inf),
        ]
        integrality = np.concatenate([np.ones(n_cols), np.zeros(pad)])
        bounds = Bounds(np.zeros(n_cols + pad), np.concatenate([model.size, np.ones(n_steps), upper[overflow] - top]))
        x = run(cost, constraints, integrality, bounds)
        if not (x[n_cols + n_steps:] > 0.5).any():
            break
        top *= 2
    squares = round(cost @ x)
    # 3. expertise, with that coverage and that balance
    constraints.append(LinearConstraint(cost[None, :], -np.inf, squares + 0.5))
    x = run(-np.concatenate([model.match, np.zeros(pad)]), constraints, integrality, bounds)
    return np.round(x[:n_cols]).astype(np.int64)


def _row_matrix(model: Model):
    from scipy.sparse import csr_array

    rows = np.repeat(np.arange(len(model.rows)), [len(r) for r in model.rows])
    cols = np.concatenate(model.rows) if model.rows else np.zeros(0, dtype=np.int64)
    return csr_array((np.ones(len(cols)), (rows, cols)), shape=(len(model.rows), len(model.col_judge)))


# ------------------------------------------------------------------------------------------- decode

def decode(model: Model, taken: np.ndarray, seconds: float) -> Plan:
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
                conflicts_avoided=len(model.conflicts), seconds=seconds, solver=SOLVER, released=model.released)


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
