"""The judges' scores back from their packets: returned sheets read and checked (sheets.py), and the
ranking with each judge's strictness taken out (ranking.py). Plain functions; nothing of flows/."""

from models.scores.ranking import (
    DEFAULT_THRESHOLD,
    DEFAULT_TOP,
    JudgeScore,
    JudgeStats,
    Ranked,
    Ranking,
    Score,
    kendall,
    parse_weights,
    rank,
    spearman,
    standardise,
    totals,
)
from models.scores.scoring import Scoring, ScoringSettings, SheetRecord, build_scoring
from models.scores.sheets import (
    CheckedSheet,
    Handed,
    Problem,
    ReturnedSheet,
    UnreadableSheet,
    check_sheet,
    problems_text,
    read_sheet,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "DEFAULT_TOP",
    "CheckedSheet",
    "Handed",
    "JudgeScore",
    "JudgeStats",
    "Problem",
    "Ranked",
    "Ranking",
    "ReturnedSheet",
    "Score",
    "Scoring",
    "ScoringSettings",
    "SheetRecord",
    "UnreadableSheet",
    "build_scoring",
    "check_sheet",
    "kendall",
    "parse_weights",
    "problems_text",
    "rank",
    "read_sheet",
    "spearman",
    "standardise",
    "totals",
]
