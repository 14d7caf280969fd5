"""`kipp evaluate`: identification and completeness measured on generated inboxes with known truth."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from flows.corpora.demo import TruthRecord, generate_inbox, malang_roster, write_roster
from flows.steps import RunConfig, run_once
from models.errors import KippError
from models.records import DocType, ParticipantStatus

MIN_IDENTIFIED = 0.98  # the share of identifiable files that must get the right participant and type
# A provincial edition has files no one can place: "SDN Sukorejo 1.pdf" with a cover that names no
# region exists in a dozen regencies. Those must stay undecided, so less is asked of the share; never
# a wrong participant, and every participant's completeness follows from its files.
MIN_IDENTIFIED_PROVINCE = 0.95


@dataclass
class EvalReport:
    size: str
    seed: int
    files: int
    participants: int
    identifiable: int
    identified_right: int
    wrong_participant: int  # identifiable files given someone else: worse than none
    wrong_type: int
    unidentifiable: int
    unidentifiable_assigned: int
    status_right: int
    completeness_right: int
    seconds: float
    copies: int = 0  # planted copies of another participant's proposal
    copies_flagged: int = 0  # of them, flagged as a duplicate of the proposal they copy
    other_near: int = 0  # near-duplicate flags on pairs that are not planted copies
    # identifiable files left without a participant, by reason: ambiguous_participant, unidentified, ...
    undecided: dict[str, int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    @property
    def identified_share(self) -> float:
        return self.identified_right / self.identifiable if self.identifiable else 1.0

    @property
    def passed(self) -> bool:
        if self.size == "province":
            return (
                self.identified_share >= MIN_IDENTIFIED_PROVINCE
                and self.unidentifiable_assigned == 0
                and self.wrong_participant == 0
            )
        return (
            self.identified_share >= MIN_IDENTIFIED
            and self.unidentifiable_assigned == 0
            and self.wrong_participant == 0
            and self.completeness_right == self.participants
        )


def expected_completeness(truth: list[TruthRecord]) -> dict[str, ParticipantStatus]:
    have: dict[str, set[str]] = {}
    for t in truth:
        if t.participant_id and t.expected_status == "accepted" and t.doc_type:
            have.setdefault(t.participant_id, set()).add(t.doc_type)
    out = {}
    for pid, types in have.items():
        if types == {DocType.INOVASI, DocType.KINERJA}:
            out[pid] = ParticipantStatus.COMPLETE
        elif DocType.KINERJA in types:
            out[pid] = ParticipantStatus.MISSING_INOVASI
        else:
            out[pid] = ParticipantStatus.MISSING_KINERJA
    return out


def evaluate_corpus(size: str, seed: int, directory: Path | None = None) -> EvalReport:
    with tempfile.TemporaryDirectory(prefix="kipp-eval-") as tmp:
        root = (directory or Path(tmp)) / f"{size}-{seed}"
        inbox = root / "inbox"
        if inbox.exists():
            raise KippError(f"{inbox}: already exists; evaluate writes a fresh corpus")
        rows = malang_roster(size, seed)
        write_roster(root / "roster.csv", rows)
        truth = generate_inbox(inbox, rows, seed)
        start = time.perf_counter()
        result = run_once(RunConfig(inbox, root / "roster.csv", root / "reports", "eval"))
        seconds = time.perf_counter() - start
    return score(size, seed, truth, result.screening, seconds, n_participants=len(rows))


def score(size: str, seed: int, truth: list[TruthRecord], screening, seconds: float, n_participants: int) -> EvalReport:
    by_path = {o.path: o for o in screening.documents}
    report = EvalReport(size, seed, len(truth), n_participants, 0, 0, 0, 0, 0, 0, 0, 0, seconds)
    for t in truth:
        o = by_path.get(t.path)
        if o is None:
            report.misses.append(f"{t.path}: not in screening.json")
            continue
        if o.status.value == t.expected_status:
            report.status_right += 1
        if t.participant_id is None:
            report.unidentifiable += 1
            if o.participant_id is not None:
                report.unidentifiable_assigned += 1
                report.misses.append(f"{t.path}: unidentifiable, assigned to {o.participant_id}")
            continue
        report.identifiable += 1
        if o.participant_id == t.participant_id and o.doc_type == t.doc_type:
            report.identified_right += 1
            continue
        if o.participant_id is None and o.reason:
            report.undecided[str(o.reason)] = report.undecided.get(str(o.reason), 0) + 1
        if o.participant_id not in (None, t.participant_id):
            report.wrong_participant += 1
        elif o.participant_id == t.participant_id:
            report.wrong_type += 1
        report.misses.append(
            f"{t.path} [{t.naming}]: want {t.participant_id}/{t.doc_type}, got "
            f"{o.participant_id}/{o.doc_type} ({o.reason}; {o.detail})"
        )
    score_copies(report, truth, screening.duplicates)
    expected = expected_completeness(truth)
    for r in screening.participants:
        want = expected.get(r.participant.id, ParticipantStatus.MISSING_BOTH)
        if r.status == want:
            report.completeness_right += 1
        else:
            report.misses.append(f"participant {r.participant.id}: want {want}, got {r.status}")
    return report


def score_copies(report: EvalReport, truth: list[TruthRecord], flags) -> None:
    """Planted copies flagged with the proposal they copy, and near flags on any other pair.

    Shown, not passed or failed: the generator's sentences come from small pools, so a copy shares
    only a few passages no other proposal has. Duplicate detection is measured where texts are
    realistic, by `kipp bench duplicates --eval`.
    """
    planted = {frozenset((t.path, t.copy_of)) for t in truth if t.copy_of}
    found = set()
    for flag in flags:
        pair = frozenset((flag.a, flag.b))
        if pair in planted and flag.kind != "title":
            found.add(pair)
        elif pair not in planted and flag.kind == "near":
            report.other_near += 1
    report.copies, report.copies_flagged = len(planted), len(found)
    report.misses += [f"copy not flagged: {' <- '.join(sorted(pair))}" for pair in sorted(planted - found, key=sorted)]


def format_report(reports: list[EvalReport]) -> str:
    lines = [
        "corpus      files  particip.  identified right       wrong pid  wrong type  unident. assigned"
        "  status right  completeness right  run s",
    ]
    for r in reports:
        lines.append(
            f"{r.size}-{r.seed:<6} {r.files:>5}  {r.participants:>9}  "
            f"{r.identified_right:>4}/{r.identifiable:<4} {r.identified_share:>7.2%}  {r.wrong_participant:>9}  "
            f"{r.wrong_type:>10}  {r.unidentifiable_assigned:>3}/{r.unidentifiable:<3}            "
            f"{r.status_right:>4}/{r.files:<4}   {r.completeness_right:>4}/{r.participants:<4}        "
            f"{r.seconds:6.1f}"
        )
    lines.append("corpus      identifiable files left undecided, by reason")
    for r in reports:
        reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(r.undecided.items())) or "none"
        lines.append(f"{r.size}-{r.seed:<6} {reasons}")
    lines.append("corpus      planted copies flagged  other near-duplicate flags")
    for r in reports:
        lines.append(f"{r.size}-{r.seed:<6} {r.copies_flagged:>10}/{r.copies:<11} {r.other_near:>10}")
    for r in reports:
        for miss in r.misses[:25]:
            lines.append(f"  {r.size}-{r.seed}: {miss}")
        if len(r.misses) > 25:
            lines.append(f"  {r.size}-{r.seed}: ... {len(r.misses) - 25} more")
    lines.append("PASS" if all(r.passed for r in reports) else "FAIL")
    return "\n".join(lines)
