"""is_blank stops counting once a text has enough letters: the same answer as counting them all."""

from __future__ import annotations

import pytest

from models.screening import MIN_TEXT_CHARS, is_blank, readable_chars

WORD = "pelayanan "  # nine letters


@pytest.mark.parametrize("text", [
    "", "1.2.3 .... ---- a b c", WORD * 22, WORD * 23, "ab " * 99, "ab " * 100, "ab " * 101,
    "x " * 500 + WORD * 22, "12 " * 1000 + WORD * 23, "Ü" * 199, "Ü" * 200, "é" * 201 + " 5",
])
def test_the_early_answer_is_the_full_count(text: str) -> None:
    assert is_blank(text) == (readable_chars(text) < MIN_TEXT_CHARS)


def test_the_boundary_is_exact() -> None:
    assert is_blank("ab " * 99) and not is_blank("ab " * 100)
    assert is_blank(WORD * 100, ocr_confidence=10.0)  # OCR that read noise is blank whatever its length
