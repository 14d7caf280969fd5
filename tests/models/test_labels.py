"""Every code an admin can meet carries its words where it is defined (issue 18, point 1)."""

from __future__ import annotations

import pytest

from models.duplicates import Decision, DuplicateKind, Severity
from models.records import (
    Category,
    DocType,
    FileStatus,
    Labelled,
    ParticipantStatus,
    Reason,
)

CODES = (Category, DocType, FileStatus, Reason, ParticipantStatus, DuplicateKind, Severity, Decision)


def _all_labelled(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _all_labelled(sub)
    return found


def test_every_code_enum_is_labelled() -> None:
    # A new code enum that is not Labelled would bring back label dicts that can miss.
    assert set(CODES) <= _all_labelled(Labelled)


@pytest.mark.parametrize("enum", CODES, ids=lambda e: e.__name__)
def test_every_member_has_indonesian_and_english_words(enum: type[Labelled]) -> None:
    for member in enum:
        assert member.label.strip() and member.label_en.strip(), member
        assert member.text("id") == member.label and member.text("en") == member.label_en
        assert enum(member.value) is member  # looked up by its code, as the ledger stores it
        assert member == member.value  # still a plain string code in JSON and CSV


def test_labels_are_distinct_within_an_enum() -> None:
    for enum in CODES:
        labels = [m.label for m in enum]
        assert len(labels) == len(set(labels)), enum.__name__


def test_a_code_without_its_words_cannot_be_defined() -> None:
    with pytest.raises((ValueError, TypeError)):
        class Broken(Labelled):  # noqa: F841
            ONLY_CODE = ("only_code", "", "")
