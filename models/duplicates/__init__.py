"""Copied proposals: the same file, the same text in another format, edited copies, earlier editions,
same innovation names. Split by job:

- flags.py: the published records (kinds, severities, decisions, DuplicateFlag) and the settings;
- text.py: texts as hashed words and shingles, the shingle index, the passages two texts share;
- titles.py: the innovation name a proposal gives itself, and when two names are one innovation;
- compare.py: `find_duplicates`, every pair of documents judges should see together.

Every name is importable from `models.duplicates`. `find_duplicates` looks `_words` up in
compare.py: a test that replaces it patches `models.duplicates.compare._words`.
"""

from __future__ import annotations

from models.duplicates.compare import find_duplicates
from models.duplicates.flags import (
    FLAGS_VERSION,
    PRIOR_PREFIX,
    Decision,
    DocText,
    DuplicateFlag,
    DuplicateKind,
    DuplicateSettings,
    Passage,
    Severity,
    apply_decisions,
    decision_key,
)
from models.duplicates.text import _shingles, _without_page_furniture, _words
from models.duplicates.titles import derive_title, same_innovation_name

__all__ = [
    "FLAGS_VERSION",
    "PRIOR_PREFIX",
    "Decision",
    "DocText",
    "DuplicateFlag",
    "DuplicateKind",
    "DuplicateSettings",
    "Passage",
    "Severity",
    "_shingles",
    "_without_page_furniture",
    "_words",
    "apply_decisions",
    "decision_key",
    "derive_title",
    "find_duplicates",
    "same_innovation_name",
]
