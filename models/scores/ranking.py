"""The ranking of scored proposals: criteria combined by weight, each judge's strictness taken out.

Per judge and proposal the criteria are combined into one total on the sheet's scale (a weighted
mean; equal weights unless the criteria file says otherwise). A strict judge gives every proposal
less, a lenient one more, and with two or three judges per proposal who judges what is luck; so
each judge's totals are standardised: minus the judge's mean, over the judge's standard deviation
(a z-score), and a proposal's standardised score is the mean of its judges' z-scores, shown back on
the scale (the mean of all totals plus z times their standard deviation) next to the raw mean.

The judge's mean and spread are estimated with SHRINK (3) pseudo-proposals at the whole panel's
mean and spread added to the judge's own ("zs"): a judge with 50 proposals is standardised by
practically their own figures, a judge with 2 partly by the panel's (a plain z-score of two
proposals is always +1 and -1, however close they were), and a judge with one proposal or with
every total the same is still standardised. `kipp bench scores` measured the methods against a
known order (Spearman's rho, mean of seeds 1-10): 300 proposals, 12 judges, K=2: raw mean 0.800,
offset (the judge's mean only) 0.981, z 0.983, zs 0.983; 40 proposals, 20 judges, K=2 (4 per
judge): raw 0.786, z 0.878, zs 0.893.

Where standardising goes wrong (measured, `kipp bench scores --clustered`): when a judge's proposals
are not a fair draw, e.g. each category judged only by its own judges and categories differing in
quality, a judge's mean is partly the quality of what they got and standardising takes that out
too; the overall ranking then trails the raw mean (rho 0.885 raw, 0.849 z, 0.865 zs) while each
category's ranking stays sound. So the ranking per category is the one to decide by; the raw mean
is always shown beside it.

A proposal's judges disagree ("perlu dibahas") when their z-scores differ by more than `threshold`
standard deviations. Ties (equal to 3 decimals) share a rank; a proposal with no score has none.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from models.errors import InputError
from models.language import say

DEFAULT_THRESHOLD = 1.0  # standard deviations between a proposal's judges
DEFAULT_TOP = 10
METHODS = ("z", "zs", "offset", "raw")
SHRINK = 3.0  # zs: pseudo-proposals of the panel's mean and spread added to each judge's own
_WEIGHTS_NOTE = re.compile(r"#\s*bobot\s*:?\s*(.*)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Score:
    judge_id: str
    participant_id: str
    criterion: str
    value: int


@dataclass(frozen=True, slots=True)
class JudgeScore:
    judge_id: str
    total: float  # the weighted mean of the criteria, on the scale
    z: float  # standardised over what this judge scored


@dataclass(frozen=True, slots=True)
class JudgeStats:
    judge_id: str
    scored: int
    mean: float
    sd: float
    standardised: bool  # False: one proposal, or no spread of their own (z: z-scores 0; zs: the panel's)


@dataclass(frozen=True, slots=True)
class Ranked:
    participant_id: str
    name: str
    category: str
    assigned: int  # judges it was handed to
    judges: tuple[JudgeScore, ...]
    raw_mean: float | None
    normalised: float | None  # on the scale: pooled mean + mean z * pooled sd
    z_mean: float | None
    spread: float | None  # max z - min z between its judges
    discuss: bool  # "perlu dibahas"
    rank: int | None  # overall, by the normalised score; None: not scored
    raw_rank: int | None
    category_rank: int | None
    tied: bool  # shares its rank

    @property
    def missing(self) -> int:
        return max(self.assigned - len(self.judges), 0)


@dataclass(frozen=True, slots=True)
class Ranking:
    proposals: tuple[Ranked, ...]  # by overall rank, the unscored last
    weights: tuple[tuple[str, float], ...]
    threshold: float
    top: int
    judges: tuple[JudgeStats, ...]
    method: str = "zs"

    @property
    def scored(self) -> tuple[Ranked, ...]:
        return tuple(p for p in self.proposals if p.rank is not None)

    @property
    def top_list(self) -> tuple[Ranked, ...]:
        return tuple(p for p in self.scored if p.rank <= self.top)

    def categories(self) -> dict[str, tuple[Ranked, ...]]:
        out: dict[str, list[Ranked]] = defaultdict(list)
        for p in sorted(self.proposals, key=lambda p: (p.category_rank is None, p.category_rank or 0, p.participant_id)):
            out[p.category].append(p)
        return {c: tuple(v) for c, v in sorted(out.items())}


def parse_weights(text: str, criteria: Sequence[str], source: str = "kriteria") -> dict[str, float]:
    """Weights from the criteria file's note `# bobot kebaruan=30, efektivitas=20, ...` (equal when
    there is none; a criterion not named weighs 0 only if some are named). Other lines are not read
    here: the hand-off's own parser reads them and takes any `#` line as a note."""
    notes = [m[1] for line in text.splitlines() if (m := _WEIGHTS_NOTE.match(line.strip().strip('"')))]
    if not notes:
        return {c: 1.0 for c in criteria}
    if len(notes) > 1:
        raise InputError(say(f"{source}: baris `# bobot` lebih dari satu; tulis sekali saja",
                             f"{source}: more than one `# bobot` line; write it once"))
    weights: dict[str, float] = {}
    errors = []
    # `x=2; y=0,5` (an Indonesian spreadsheet: a decimal comma, parts by semicolons) or `x=30, y=10`
    for part in notes[0].split(";" if ";" in notes[0] else ","):
        if not part.strip():
            continue
        key, _, value = part.partition("=")
        key = key.strip()
        try:
            weight = float(value.strip().replace(",", "."))
        except ValueError:
            weight = -1.0
        if key not in criteria:
            errors.append(say(f"{key!r} bukan kriteria ({', '.join(criteria)})", f"{key!r} is not a criterion ({', '.join(criteria)})"))
        elif not (weight >= 0 and math.isfinite(weight)):
            errors.append(say(f"bobot {key} {value.strip()!r} bukan angka >= 0", f"weight {key} {value.strip()!r} is not a number >= 0"))
        else:
            weights[key] = weight
    if not errors and sum(weights.values()) <= 0:
        errors.append(say("jumlah bobot harus lebih dari 0", "the weights must add up to more than 0"))
    if errors:
        raise InputError(say(f"{source}: baris `# bobot`: ", f"{source}: the `# bobot` line: ") + "; ".join(errors))
    return {c: weights.get(c, 0.0) for c in criteria}


def totals(scores: Iterable[Score], weights: Mapping[str, float]) -> dict[tuple[str, str], float]:
    """(judge, participant) -> the weighted mean of its criteria."""
    acc: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for s in scores:
        w = weights.get(s.criterion, 0.0)
        a = acc[(s.judge_id, s.participant_id)]
        a[0] += w * s.value
        a[1] += w
    return {k: a[0] / a[1] for k, a in acc.items() if a[1] > 0}


def _mean_sd(values: Sequence[float]) -> tuple[float, float]:
    m = sum(values) / len(values)
    return m, math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def standardise(judged: Mapping[tuple[str, str], float], method: str = "zs") -> tuple[dict[tuple[str, str], float],
                                                                                       list[JudgeStats]]:
    """Each judge's totals taken relative to that judge: zs (mean and spread, shrunk towards the
    panel's), z (the judge's own mean and spread), offset (mean only, in scale points), raw (as given)."""
    by_judge: dict[str, list[float]] = defaultdict(list)
    for (j, _), t in judged.items():
        by_judge[j].append(t)
    stats = {}
    for j, values in sorted(by_judge.items()):
        m, sd = _mean_sd(values)
        stats[j] = JudgeStats(j, len(values), m, sd, len(values) > 1 and sd > 1e-9)
    pooled_mean, pooled_sd = _mean_sd(list(judged.values())) if judged else (0.0, 0.0)
    out = {}
    for (j, p), t in judged.items():
        s = stats[j]
        if method == "zs":
            n = s.scored
            mean = (n * s.mean + SHRINK * pooled_mean) / (n + SHRINK)
            sd = math.sqrt((n * s.sd ** 2 + SHRINK * pooled_sd ** 2) / (n + SHRINK))
            out[(j, p)] = (t - mean) / sd if sd > 1e-9 else 0.0
        elif method == "raw":
            out[(j, p)] = t
        elif method == "offset":
            out[(j, p)] = t - s.mean if len(by_judge[j]) > 1 else 0.0
        else:
            out[(j, p)] = (t - s.mean) / s.sd if s.standardised else 0.0
    return out, list(stats.values())


def _ranks(keys: Mapping[str, float]) -> tuple[dict[str, int], set[str]]:
    """Competition ranks, highest first (1, 2, 2, 4), equal to 3 decimals; and who is tied."""
    ordered = sorted(keys, key=lambda p: (-round(keys[p], 3), p))
    ranks: dict[str, int] = {}
    tied: set[str] = set()
    for i, p in enumerate(ordered):
        if i and round(keys[p], 3) == round(keys[ordered[i - 1]], 3):
            ranks[p] = ranks[ordered[i - 1]]
            tied |= {p, ordered[i - 1]}
        else:
            ranks[p] = i + 1
    return ranks, tied


def rank(scores: Iterable[Score], weights: Mapping[str, float], assigned: Mapping[str, int],
         info: Mapping[str, tuple[str, str]], threshold: float = DEFAULT_THRESHOLD, top: int = DEFAULT_TOP,
         method: str = "zs") -> Ranking:
    """The ranking of every proposal in `assigned` (participant -> judges handed it) and every one scored.

    `info`: participant -> (name, category) for the reports; unknown ones show their id.
    """
    if method not in METHODS:
        raise ValueError(f"{method!r}: not one of {METHODS}")
    judged = totals(scores, weights)
    relative, stats = standardise(judged, method)
    z = relative if method in ("z", "zs") else standardise(judged, "zs")[0]
    all_totals = list(judged.values())
    pooled_mean, pooled_sd = _mean_sd(all_totals) if all_totals else (0.0, 0.0)
    per: dict[str, list[JudgeScore]] = defaultdict(list)
    for (j, p), t in sorted(judged.items()):
        per[p].append(JudgeScore(j, t, z[(j, p)]))
    ids = sorted(set(assigned) | set(per))
    raw = {p: sum(s.total for s in per[p]) / len(per[p]) for p in ids if per.get(p)}
    rel = {p: sum(relative[(s.judge_id, p)] for s in per[p]) / len(per[p]) for p in ids if per.get(p)}
    ranks, tied = _ranks(rel)
    raw_ranks, _ = _ranks(raw)
    cat_of = {p: info.get(p, (p, ""))[1] for p in ids}
    cat_ranks: dict[str, int] = {}
    for c in set(cat_of.values()):
        r, _ = _ranks({p: v for p, v in rel.items() if cat_of[p] == c})
        cat_ranks.update(r)
    out = []
    for p in ids:
        js = tuple(per.get(p, ()))
        zs = [s.z for s in js]
        zm = sum(zs) / len(zs) if zs else None
        spread = max(zs) - min(zs) if len(zs) > 1 else None
        out.append(Ranked(
            p, info.get(p, (p, ""))[0], cat_of[p], max(assigned.get(p, 0), len(js)), js, raw.get(p),
            pooled_mean + zm * pooled_sd if zm is not None else None, zm, spread,
            spread is not None and spread > threshold, ranks.get(p), raw_ranks.get(p), cat_ranks.get(p), p in tied))
    out.sort(key=lambda r: (r.rank is None, r.rank or 0, r.participant_id))
    return Ranking(tuple(out), tuple(weights.items()), threshold, top, tuple(stats), method)


# -- rank correlation, for the simulation ---------------------------------------------------------------


def _average_ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman's rho: Pearson's correlation of the (average) ranks."""
    ra, rb = _average_ranks(a), _average_ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    va = math.sqrt(sum((x - ma) ** 2 for x in ra))
    vb = math.sqrt(sum((y - mb) ** 2 for y in rb))
    return cov / (va * vb) if va and vb else 0.0


def kendall(a: Sequence[float], b: Sequence[float]) -> float:
    """Kendall's tau-b."""
    concordant = discordant = ties_a = ties_b = 0
    n = len(a)
    for i in range(n):
        for j in range(i + 1, n):
            da, db = a[i] - a[j], b[i] - b[j]
            if da == 0 and db == 0:
                continue
            if da == 0:
                ties_a += 1
            elif db == 0:
                ties_b += 1
            elif (da > 0) == (db > 0):
                concordant += 1
            else:
                discordant += 1
    denom = math.sqrt((concordant + discordant + ties_a) * (concordant + discordant + ties_b))
    return (concordant - discordant) / denom if denom else 0.0
