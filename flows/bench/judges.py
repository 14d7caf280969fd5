"""`kipp bench judges`: the assignment of judges on the full Kota Malang demo and on a national edition.

    python -m flows.bench.judges --size malang               # 323 participants, the demo's 12 judges, K=2
    python -m flows.bench.judges --size national             # 3,000 proposals, 100 judges, K=3
    python -m flows.bench.judges --size national --compare   # also one column per (judge, proposal)

The plan is checked apart from the solver: every assignment pair by pair with `conflict_reason`,
distinct judges and K per proposal, capacities, duplicate pairs with the same judges, loads recounted.
Peak RSS is this process's (the corpus, the model and HiGHS); run it alone for a clean figure.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from flows.corpora.judges import Edition, malang_edition, national_edition
from models.judges import Plan, assign, conflict_reason

SIZES = {"malang": 2, "national": 3}  # size -> K by default
TARGET_SECONDS = 60.0
TARGET_RSS_MB = 1024.0


@dataclass(frozen=True, slots=True)
class JudgesBench:
    size: str
    seed: int
    k: int
    edition: Edition
    plan: Plan
    problems: tuple[str, ...]  # what the independent checks found; () when the plan keeps every rule
    rss_mb: float

    @property
    def conflicts(self) -> int:
        return sum(p.startswith("conflict") for p in self.problems)

    @property
    def passed(self) -> bool:
        return not self.problems and (self.size != "national" or (self.plan.seconds <= TARGET_SECONDS
                                                                 and self.rss_mb <= TARGET_RSS_MB))

    def text(self) -> str:
        e, plan = self.edition, self.plan
        judges = {j.id: j for j in e.judges}
        free = [n for j, n in plan.loads.items() if judges[j].capacity is None]
        capped = [(n, judges[j].capacity) for j, n in plan.loads.items() if judges[j].capacity is not None]
        loads = list(plan.loads.values())
        short = Counter(u.reason.value for u in plan.unassigned)
        lines = [
            (f"{self.size} edition, seed {self.seed}: {len(e.proposals)} proposals, {len(e.judges)} judges "
            f"({sum(j.affiliation_id is None for j in e.judges)} without affiliation, {len(capped)} with a capacity), "
            f"K={self.k}, {len(e.together)} high-severity duplicate pairs"),
            (f"assignments: {len(plan.assignments)}; conflicts in the result: {self.conflicts} (checked pair by pair); "
            f"conflicts avoided: {plan.conflicts_avoided} judge-proposal pairs"),
            f"loads: min {min(loads)}, max {max(loads)}, spread {max(loads) - min(loads)}"
            + (f"; judges without a capacity: {min(free)}-{max(free)} (spread {max(free) - min(free)})" if free else "")
            + (f"; with a capacity: {sum(n == c for n, c in capped)} of {len(capped)} full, none above" if capped else ""),
            f"expertise match: {plan.expertise_match_rate:.1%} of the assignments",
            f"short of K: {len(plan.unassigned)}" + (f" ({', '.join(f'{r} {n}' for r, n in sorted(short.items()))})"
                                                     if short else ""),
            f"solve: {plan.seconds:.1f} s with {plan.solver}, "
            f"{'optimal' if plan.optimal else 'NOT proven optimal: out of time'}; peak RSS {self.rss_mb:.0f} MB"
            + (f" (targets {TARGET_SECONDS:.0f} s, {TARGET_RSS_MB:.0f} MB)" if self.size == "national" else ""),
        ]
        lines += [f"PROBLEM: {p}" for p in self.problems[:20]]
        return "\n".join(lines)


def run_bench(size: str = "national", seed: int = 1, k: int | None = None) -> JudgesBench:
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r} (expected {' or '.join(SIZES)})")
    k = k or SIZES[size]
    edition = malang_edition(seed) if size == "malang" else national_edition(seed)
    plan = assign(edition.proposals, edition.judges, edition.roster, k=k, together=edition.together)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return JudgesBench(size, seed, k, edition, plan, tuple(check_plan(plan, edition, k)), rss)


def bench_judges(size: str = "national", seed: int = 1, k: int | None = None) -> str:
    """The bench's report as text, for `kipp bench judges`."""
    return run_bench(size, seed, k).text()


def check_plan(plan: Plan, edition: Edition, k: int) -> list[str]:
    """Every rule the plan breaks, found without the solver's model: conflicts first."""
    judges = {j.id: j for j in edition.judges}
    problems = [f"conflict: {a.judge_id} judges {a.participant_id} ({reason})" for a in plan.assignments
                if (reason := conflict_reason(judges[a.judge_id], a.participant_id, edition.roster)) is not None]
    got: dict[str, list[str]] = defaultdict(list)
    for a in plan.assignments:
        got[a.participant_id].append(a.judge_id)
    short = {u.participant_id: u.assigned for u in plan.unassigned}
    for p in edition.proposals:
        judges_of = got[p.participant_id]
        if len(set(judges_of)) != len(judges_of):
            problems.append(f"{p.participant_id} has a judge twice")
        if len(judges_of) > k:
            problems.append(f"{p.participant_id} has {len(judges_of)} judges, K={k}")
        if len(judges_of) < k and short.get(p.participant_id) != len(judges_of):
            problems.append(f"{p.participant_id} has {len(judges_of)} judges and is not explained as short of K")
    for a, b in edition.together:
        if sorted(got[a]) != sorted(got[b]):
            problems.append(f"duplicate pair {a}, {b} with different judges: {sorted(got[a])} / {sorted(got[b])}")
    recount = Counter(a.judge_id for a in plan.assignments)
    for j, judge in judges.items():
        if plan.loads.get(j) != recount[j]:
            problems.append(f"load of {j} is {plan.loads.get(j)}, recounted {recount[j]}")
        if judge.capacity is not None and recount[j] > judge.capacity:
            problems.append(f"{j} takes {recount[j]}, above its capacity {judge.capacity}")
    return problems


def compare(size: str = "national", seed: int = 1, k: int | None = None) -> str:
    """The chosen model against one binary column per (judge, proposal): time, and the same optimum."""
    from models.judges.assign import decode, encode, solve

    k = k or SIZES[size]
    edition = malang_edition(seed) if size == "malang" else national_edition(seed)
    lines, figures = [], []
    for interchangeable in (True, False):
        started = time.perf_counter()
        model = encode(edition.proposals, edition.judges, edition.roster, k=k, together=edition.together,
                       interchangeable=interchangeable)
        taken, optimal = solve(model)
        plan = decode(model, taken, time.perf_counter() - started, optimal)
        loads = plan.loads.values()
        figures.append((len(plan.assignments), sum(n * n for n in loads),
                        sum(a.expertise_match for a in plan.assignments)))
        lines.append(f"{'classes of interchangeable proposals' if interchangeable else 'a column per (judge, unit)'}: "
                     f"{len(model.col_judge)} columns, {plan.seconds:.1f} s; assignments {figures[-1][0]}, "
                     f"sum of squared loads {figures[-1][1]}, expertise matches {figures[-1][2]}")
    lines.append("same optimum" if figures[0] == figures[1] else "DIFFERENT optima")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flows.bench.judges", description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=tuple(SIZES), default="national")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--k", type=int, default=None, help="judges per proposal (malang 2, national 3)")
    parser.add_argument("--compare", action="store_true", help="also solve with a column per (judge, proposal)")
    args = parser.parse_args(argv)
    if args.compare:
        print(compare(args.size, args.seed, args.k))
        return 0
    result = run_bench(args.size, args.seed, args.k)
    print(result.text())
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
