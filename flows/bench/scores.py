"""`kipp bench scores`: does taking each judge's strictness out recover the true order better than the raw mean?

    python -m flows.bench.scores                       # 300 proposals, 12 judges, K=2, seeds 1-10
    python -m flows.bench.scores --proposals 60 --judges 6 --k 3 --seeds 20

A simulated edition with a known true quality per proposal (normal, mean 0, sd 1). Each judge has a
strictness (a third strict: -12 points, a third lenient: +12, a third neither, each +-3) and a
spread (0.6 to 1.4 times 10 points per sd of quality); every criterion score is
65 + strictness + spread * quality + noise (sd `--noise`), rounded and kept on the 1-100 scale,
five criteria, equal weights. Proposals go to K distinct judges at random with balanced loads (as
the assignment does when expertise does not decide). The ranking's methods (models/scores/ranking.py):
raw mean, offset (each judge's mean taken out), z (mean and spread taken out) and zs (the ranking's
method: z with each judge's mean and spread shrunk towards the panel's), each compared with
the true order by Spearman's rho and Kendall's tau-b, and by how many of the true Top-10 it puts in
its Top-10. Mean and the worst seed over the seeds. `--clustered` is the case z-scores get wrong:
four categories of different mean quality, each judged only by its own quarter of the panel, so a
judge's mean is partly the quality of what they got and standardising takes that out too.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from dataclasses import dataclass

from models.scores import Score, kendall, rank, spearman

CRITERIA = ("kebaruan", "efektivitas", "kebermanfaatan", "dapat_direplikasi", "keberlanjutan")
METHODS = ("raw", "offset", "z", "zs")


@dataclass(frozen=True, slots=True)
class Outcome:
    seed: int
    rho: dict[str, float]
    tau: dict[str, float]
    top: dict[str, int]


def simulate(seed: int, proposals: int, judges: int, k: int, noise: float,
             clustered: bool = False) -> tuple[list[float], list[Score]]:
    rng = random.Random(seed)
    groups = 4 if clustered else 1
    # clustered: four categories of different mean quality, each judged by its own quarter of the panel
    quality = [rng.gauss((p % groups - (groups - 1) / 2) * 0.5 if clustered else 0, 1) for p in range(proposals)]
    kinds = [(-12, 0, 12)[j % 3] for j in range(judges)]
    strictness = [b + rng.uniform(-3, 3) for b in kinds]
    spread = [rng.uniform(0.6, 1.4) for _ in range(judges)]
    load = [0] * judges
    scores = []
    for p in rng.sample(range(proposals), proposals):
        pool = [j for j in range(judges) if j % groups == p % groups]
        chosen = sorted(pool, key=lambda j: (load[j], rng.random()))[:k]
        for j in chosen:
            load[j] += 1
            for c in CRITERIA:
                value = 65 + strictness[j] + spread[j] * 10 * quality[p] + rng.gauss(0, noise)
                scores.append(Score(f"j{j:02d}", f"p{p:04d}", c, max(1, min(100, round(value)))))
    return quality, scores


def measure(seed: int, proposals: int, judges: int, k: int, noise: float, top: int = 10,
            clustered: bool = False) -> Outcome:
    quality, scores = simulate(seed, proposals, judges, k, noise, clustered)
    ids = [f"p{p:04d}" for p in range(proposals)]
    truth_top = set(sorted(ids, key=lambda p: -quality[int(p[1:])])[:top])
    rho, tau, hits = {}, {}, {}
    for method in METHODS:
        ranking = rank(scores, {c: 1.0 for c in CRITERIA}, {p: k for p in ids}, {}, method=method)
        by_id = {r.participant_id: r for r in ranking.proposals}
        # the score each method ranks by: raw mean for raw, the mean of the judge-relative totals otherwise
        ranked_by = [-(by_id[p].rank or 0) for p in ids]
        rho[method] = spearman(quality, ranked_by)
        tau[method] = kendall(quality, ranked_by)
        hits[method] = len(truth_top & {r.participant_id for r in ranking.proposals[:top]})
    return Outcome(seed, rho, tau, hits)


def report(outcomes: list[Outcome], args: argparse.Namespace) -> str:
    lines = [(f"kipp bench scores: {args.proposals} proposals, {args.judges} judges (strict/neutral/lenient), "
              f"K={args.k}, noise sd {args.noise}, {'clustered, ' if args.clustered else ''}"
              f"seeds {outcomes[0].seed}-{outcomes[-1].seed}"),
             f"{'method':<8} {'Spearman mean':>13} {'min':>6} {'Kendall mean':>12} {'min':>6} {'Top-10 found':>12}"]
    for m in METHODS:
        rho = [o.rho[m] for o in outcomes]
        tau = [o.tau[m] for o in outcomes]
        top = [o.top[m] for o in outcomes]
        lines.append(f"{m:<8} {statistics.mean(rho):>13.3f} {min(rho):>6.3f} {statistics.mean(tau):>12.3f} "
                     f"{min(tau):>6.3f} {statistics.mean(top):>9.1f}/10")
    better = sum(o.rho["zs"] > o.rho["raw"] for o in outcomes)
    lines.append(f"zs (the ranking's method) beats the raw mean (Spearman) on {better} of {len(outcomes)} seeds")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kipp bench scores", description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=300)
    parser.add_argument("--judges", type=int, default=12)
    parser.add_argument("--k", type=int, default=2)
    parser.add_argument("--noise", type=float, default=4.0)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--clustered", action="store_true",
                        help="four categories of different mean quality, each judged only by its own quarter of "
                             "the panel: where standardising per judge takes real differences out too")
    args = parser.parse_args(argv)
    if args.k > args.judges // (4 if args.clustered else 1) or args.proposals < 2 or args.seeds < 1:
        parser.error("need K <= judges, 2 proposals or more, 1 seed or more")
    outcomes = [measure(seed, args.proposals, args.judges, args.k, args.noise, clustered=args.clustered)
                for seed in range(1, args.seeds + 1)]
    print(report(outcomes, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
