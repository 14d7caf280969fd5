"""The hand-off to judges: the panel and declared conflicts from CSV, the conflict-of-interest rules,
and the assignment of K judges per proposal solved as an optimisation (models/judges/assign.py)."""

from models.judges.assign import SOLVER, Plan, Proposal, assign
from models.judges.conflicts import conflict_reason, conflicted_pairs
from models.judges.files import (
    JudgesError,
    load_conflicts,
    load_judges,
    parse_conflicts,
    parse_judges,
)

__all__ = [
    "SOLVER",
    "JudgesError",
    "Plan",
    "Proposal",
    "assign",
    "conflict_reason",
    "conflicted_pairs",
    "load_conflicts",
    "load_judges",
    "parse_conflicts",
    "parse_judges",
]
