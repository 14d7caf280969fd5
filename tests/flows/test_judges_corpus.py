"""The generated judges: the Kota Malang demo panel and the national edition the bench solves."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from flows.bench.judges import bench_judges, check_plan, run_bench
from flows.corpora.demo import malang_roster
from flows.corpora.judges import demo_judges, national_edition
from models.judges import parse_judges
from models.records import Category, JudgeAssignment, Participant
from models.roster import Roster
from models.themes.taxonomy import DEFAULT_THEME_IDS, load_taxonomy


@pytest.mark.parametrize("size", ["demo", "full"])
def test_the_demo_panel_reads_as_a_judges_file_for_both_demo_rosters(size: str) -> None:
    rows = malang_roster(size, 2021)
    roster = Roster(tuple(Participant(r.id, r.name, Category(r.category), r.parent_id) for r in rows))
    judges = parse_judges(demo_judges(rows), roster, load_taxonomy().ids)
    assert len(judges) == 12
    officials = {j.affiliation_id for j in judges} - {None}
    assert {"pd-disdikbud", "pd-dinkes", "kec-lowokwaru"} <= officials
    assert sum(j.affiliation_id is None for j in judges) == 6
    experts = Counter(t for j in judges for t in j.expertise)
    assert all(experts[t] >= 2 for t in DEFAULT_THEME_IDS)


def test_the_demo_panel_refuses_a_roster_that_is_not_kota_malang() -> None:
    with pytest.raises(ValueError, match="not a Kota Malang roster: no kec-lowokwaru"):
        demo_judges([r for r in malang_roster("full", 2021) if r.id != "kec-lowokwaru"])


def test_the_full_demo_is_assigned_without_a_conflict_and_balanced() -> None:
    result = run_bench("malang")
    plan = result.plan
    assert result.problems == () and result.passed
    assert len(result.edition.proposals) == 323 and len(plan.assignments) == 2 * 323
    uncapped = [n for j, n in plan.loads.items() if j != "pd-dinkes-1"]
    assert max(uncapped) - min(uncapped) <= 1
    assert plan.loads["pd-dinkes-1"] == 40  # its capacity
    assert "conflicts in the result: 0" in bench_judges("malang")


def test_the_check_finds_a_planted_conflict() -> None:
    result = run_bench("malang")
    school = next(p.participant_id for p in result.edition.proposals if p.participant_id.startswith("sd-"))
    planted = replace(result.plan, assignments=(*result.plan.assignments, JudgeAssignment("pd-disdikbud-1", school, False)))
    problems = check_plan(planted, result.edition, 2)
    assert problems[0].startswith(f"conflict: pd-disdikbud-1 judges {school} (juri dari unit induknya")


def test_the_national_edition_has_deep_trees_and_the_asked_sizes() -> None:
    edition = national_edition(1)
    assert len(edition.proposals) == 3000 and len(edition.judges) == 100
    assert max(len(edition.roster.ancestors(p.id)) for p in edition.roster) == 3
    assert sum(j.affiliation_id is None for j in edition.judges) == 45
    again = national_edition(1)
    assert (edition.proposals, edition.judges, edition.together) == (again.proposals, again.judges, again.together)
    assert edition.roster.participants == again.roster.participants
