"""The judges step: who judges which complete participant, conflict-free, balanced and by expertise.

A preview on every run with a panel (`--judges`, or the panel of the last `kipp handoff`): what was
handed out stays as it was (frozen in the ledger), new complete participants are added around it,
and what can no longer stand is listed as withdrawn. The hand-off step (flows/steps/handoff.py)
freezes the preview and writes the packets. The solver is models/judges/.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import MutableMapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from flows.packets import DEFAULT_CRITERIA, Criteria, Criterion, load_criteria
from flows.steps.context import Panel, PanelFiles, Run
from flows.steps.guard import step_failed
from models.duplicates import Decision, Severity
from models.judges import Proposal, assign, conflict_reason, load_conflicts, load_judges
from models.records import (
    Blocker,
    Judge,
    JudgeAssignment,
    Judging,
    ParticipantResult,
    ParticipantStatus,
    Unassigned,
    Withdrawal,
)
from models.roster import Roster
from models.screening import Screening
from models.sources import source_digest
from models.themes import load_taxonomy

PANEL_META = "panel"  # the ledger's meta key: the panel of the last hand-off, as JSON
# The ledger's meta key of the last solve: the digest of everything the assignment depends on, and the
# plan it gave. A run whose complete participants, themes, duplicates, panel, roster and frozen pairs
# are those of the last run takes that plan instead of solving again (scipy's import and HiGHS).
PLAN_META = "judges_plan"


def load_panel(files: PanelFiles, roster: Roster, theme_ids, stored: str | None) -> Panel | None:
    """The panel the run works with: the files given, else the one the last hand-off recorded, else none.

    Every bad line of judges.csv, conflicts.csv or the criteria file is reported at once (exit 3),
    before anything is written."""
    if files.judges is None:
        if stored is None:
            if files.conflicts is not None or files.criteria is not None:
                from models.errors import InputError
                from models.language import say
                raise InputError(say("--conflicts/--criteria tanpa --judges: belum ada panel juri (berikan --judges judges.csv)",
                                     "--conflicts/--criteria without --judges: no panel of judges yet (give --judges judges.csv)"))
            return None
        panel = panel_from_json(stored)
        declared = load_conflicts(files.conflicts, panel.judges, roster) if files.conflicts else panel.declared
        criteria = load_criteria(files.criteria) if files.criteria else panel.criteria
        return replace(panel, declared=declared, criteria=criteria,
                       per_proposal=files.per_proposal or panel.per_proposal)
    judges = load_judges(files.judges, roster, theme_ids)
    declared = load_conflicts(files.conflicts, judges, roster) if files.conflicts else frozenset()
    criteria = load_criteria(files.criteria) if files.criteria else DEFAULT_CRITERIA
    return Panel(judges, declared, files.per_proposal or 2, criteria)


def panel_json(panel: Panel) -> str:
    return json.dumps({
        "judges": [{"id": j.id, "name": j.name, "affiliation_id": j.affiliation_id, "expertise": list(j.expertise),
                    "capacity": j.capacity, "contact": j.contact} for j in panel.judges],
        "declared": sorted(panel.declared),
        "per_proposal": panel.per_proposal,
        "criteria": {"low": panel.criteria.low, "high": panel.criteria.high,
                     "items": [{"id": c.id, "label": c.label, "description": c.description} for c in panel.criteria.items]},
    }, ensure_ascii=False, sort_keys=True)


def panel_from_json(text: str) -> Panel:
    doc = json.loads(text)
    judges = tuple(Judge(j["id"], j["name"], j["affiliation_id"], tuple(j["expertise"]), j["capacity"], j["contact"])
                   for j in doc["judges"])
    c = doc["criteria"]
    criteria = Criteria(tuple(Criterion(i["id"], i["label"], i["description"]) for i in c["items"]), c["low"], c["high"])
    return Panel(judges, frozenset(tuple(p) for p in doc["declared"]), doc["per_proposal"], criteria)


def judges(run: Run) -> None:
    """Assign the complete participants to the panel; a solver that fails as a whole leaves the run
    without an assignment (listed in `errors`), never without its reports."""
    if run.panel is None:
        return
    try:
        kept = _kept_plan(run.ledger.meta(PLAN_META))
        before = dict(kept)
        judging = plan_judging(run.screening, run.panel, run.roster, run.ledger.frozen_assignments(),
                               run.ledger.meta("handed_at"), kept)
        if kept != before:
            run.ledger.set_meta(PLAN_META, json.dumps(kept, ensure_ascii=False, sort_keys=True))
        taxonomy = load_taxonomy(run.settings.taxonomy)
        judging = replace(judging, theme_labels=tuple((t.id, t.label) for t in taxonomy.themes))
    except Exception as exc:  # noqa: BLE001 - one step never stops the run
        run.screening = step_failed(run.screening, "judges", exc)
        return
    run.screening = replace(run.screening, judging=judging)


def plan_judging(screening: Screening, panel: Panel, roster: Roster, frozen: dict[tuple[str, str], str],
                 handed_at: str | None, kept: MutableMapping[str, object] | None = None) -> Judging:
    """The assignment of this screening's complete participants to the panel, around what is frozen.

    With `kept` (the last solve: {"digest", "plan"}), a solve of the same inputs is taken from it, and
    a new solve is left in it."""
    complete = {r.participant.id: r for r in screening.participants if r.status is ParticipantStatus.COMPLETE}
    by_id = {j.id: j for j in panel.judges}
    keep: list[JudgeAssignment] = []
    withdrawn: list[Withdrawal] = []
    for judge_id, pid in sorted(frozen):
        judge = by_id.get(judge_id)
        if pid not in complete:
            withdrawn.append(Withdrawal(judge_id, pid, "peserta tidak lagi lengkap"))
        elif judge is None:
            withdrawn.append(Withdrawal(judge_id, pid, "juri tidak lagi ada di daftar juri"))
        elif why := conflict_reason(judge, pid, roster, panel.declared):
            withdrawn.append(Withdrawal(judge_id, pid, f"konflik kepentingan: {why}"))
        else:
            keep.append(JudgeAssignment(judge_id, pid, _matches(judge, complete[pid]), frozen=True))
    proposals = [Proposal(pid, theme_ids(r)) for pid, r in sorted(complete.items())]
    pairs = together(screening, complete.keys())
    digest = _inputs_digest(proposals, panel, roster, pairs, keep)
    if kept is not None and kept.get("digest") == digest:
        assignments, unassigned, avoided, solver, seconds = _plan_from_json(kept["plan"])
    else:
        plan = assign(proposals, panel.judges, roster, k=panel.per_proposal, declared=panel.declared,
                      together=pairs, frozen=keep)
        assignments, unassigned, avoided, solver, seconds = (
            plan.assignments, plan.unassigned, plan.conflicts_avoided, plan.solver, plan.seconds)
        if kept is not None:
            kept.clear()
            kept.update(digest=digest, plan=_plan_json(assignments, unassigned, avoided, solver, seconds))
    not_complete = tuple(Unassigned(r.participant.id, Blocker.NOT_COMPLETE, 0, r.status.label)
                         for r in screening.participants if r.status is not ParticipantStatus.COMPLETE)
    return Judging(panel.judges, panel.per_proposal, assignments, (*unassigned, *not_complete),
                   tuple(withdrawn), avoided, solver, seconds, handed_at)


def _inputs_digest(proposals: list[Proposal], panel: Panel, roster: Roster, pairs: list[tuple[str, str]],
                   keep: list[JudgeAssignment]) -> str:
    """Everything assign() reads, and the code and solver that answer: equal digests, equal plans."""
    h = hashlib.sha256(_solver_digest().encode())
    h.update(json.dumps([
        panel_json(panel),
        [(p.participant_id, list(p.themes)) for p in proposals],
        [(p.id, p.parent_id, str(getattr(p.category, "value", p.category))) for p in roster],
        pairs,
        [(a.judge_id, a.participant_id, a.expertise_match) for a in keep],
    ], ensure_ascii=False).encode())
    return h.hexdigest()


@lru_cache(maxsize=1)
def _solver_digest() -> str:
    from importlib.metadata import (
        version,  # not `import scipy`: what a run with nothing new saves
    )

    import models.judges

    return source_digest(sorted(Path(models.judges.__file__).parent.glob("*.py")), f"scipy {version('scipy')}")


def _plan_json(assignments, unassigned, avoided: int, solver: str, seconds: float) -> dict:
    return {"assignments": [[a.judge_id, a.participant_id, a.expertise_match, a.frozen] for a in assignments],
            "unassigned": [[u.participant_id, u.reason.value, u.assigned, u.detail] for u in unassigned],
            "conflicts_avoided": avoided, "solver": solver, "seconds": seconds}


def _plan_from_json(plan: dict):
    return (tuple(JudgeAssignment(j, p, bool(m), bool(f)) for j, p, m, f in plan["assignments"]),
            tuple(Unassigned(p, Blocker(r), int(n), d) for p, r, n, d in plan["unassigned"]),
            int(plan["conflicts_avoided"]), str(plan["solver"]), float(plan["seconds"]))


def _kept_plan(text: str | None) -> dict:
    """The last solve as the ledger keeps it; anything unreadable is no plan (the run solves)."""
    try:
        kept = json.loads(text or "{}")
        if isinstance(kept, dict) and kept:
            _plan_from_json(kept["plan"])
            return kept
    except (ValueError, KeyError, TypeError):
        pass
    return {}


def theme_ids(r: ParticipantResult) -> tuple[str, ...]:
    """The themes a judge's expertise may match: the theme that counts (an admin's correction wins),
    and its runner-up while the theme is under review."""
    t = r.theme
    if t is None:
        return ()
    if t.needs_review and t.theme_runner_up and t.theme_runner_up != t.theme:
        return (t.theme, t.theme_runner_up)
    return (t.theme,)


def _matches(judge: Judge, r: ParticipantResult) -> bool:
    return any(theme in judge.expertise for theme in theme_ids(r))


def together(screening: Screening, complete) -> list[tuple[str, str]]:
    """Participants whose documents are high-severity duplicates of each other (not dismissed by an
    admin): one judge must see both."""
    complete = set(complete)
    pairs = {
        tuple(sorted((f.a_participant, f.b_participant)))
        for f in screening.duplicates
        if f.severity is Severity.HIGH and f.decision is not Decision.DISMISSED
        and f.a_participant in complete and f.b_participant in complete and f.a_participant != f.b_participant
    }
    return sorted(pairs)
