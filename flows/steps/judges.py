"""The judges step: who judges which complete participant, conflict-free, balanced and by expertise.

A preview on every run with a panel (`--judges`, or the panel of the last `kipp handoff`): what was
handed out stays as it was (frozen in the ledger), new complete participants are added around it,
and what can no longer stand is listed as withdrawn. The hand-off step (flows/steps/handoff.py)
freezes the preview and writes the packets. The solver is models/judges/.
"""

from __future__ import annotations

import json
from dataclasses import replace

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
from models.themes import load_taxonomy
from models.screening import Screening

PANEL_META = "panel"  # the ledger's meta key: the panel of the last hand-off, as JSON


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
        judging = plan_judging(run.screening, run.panel, run.roster, run.ledger.frozen_assignments(),
                               run.ledger.meta("handed_at"))
        taxonomy = load_taxonomy(run.settings.taxonomy)
        judging = replace(judging, theme_labels=tuple((t.id, t.label) for t in taxonomy.themes))
    except Exception as exc:  # noqa: BLE001 - one step never stops the run
        run.screening = step_failed(run.screening, "judges", exc)
        return
    run.screening = replace(run.screening, judging=judging)


def plan_judging(screening: Screening, panel: Panel, roster: Roster, frozen: dict[tuple[str, str], str],
                 handed_at: str | None) -> Judging:
    """The assignment of this screening's complete participants to the panel, around what is frozen."""
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
    plan = assign(proposals, panel.judges, roster, k=panel.per_proposal, declared=panel.declared,
                  together=together(screening, complete.keys()), frozen=keep)
    not_complete = tuple(Unassigned(r.participant.id, Blocker.NOT_COMPLETE, 0, r.status.label)
                         for r in screening.participants if r.status is not ParticipantStatus.COMPLETE)
    return Judging(panel.judges, panel.per_proposal, plan.assignments, (*plan.unassigned, *not_complete),
                   tuple(withdrawn), plan.conflicts_avoided, plan.solver, plan.seconds, handed_at)


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
