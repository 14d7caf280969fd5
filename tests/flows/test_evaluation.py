"""kipp evaluate on a generated demo inbox: the identification figures and the planted copies."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractors import extract
from flows.corpora.demo import generate_inbox, malang_roster, province_roster, write_roster
from flows.bench.evaluation import EvalReport, evaluate_corpus, format_report, score
from flows.steps import RunConfig, run_once


def _words(path: Path) -> list[str]:
    return re.findall(r"\w+", extract(path).text.lower())


def _longest_common_run(a: list[str], b: list[str]) -> int:
    best, previous = 0, [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            if x == y:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def test_planted_copy_is_another_participants_proposal_renamed(tmp_path: Path) -> None:
    # Every fourth unit of the demo roster: ten participants get one planted copy, as forty do, and
    # a generation writes every file (1.5 s for the whole demo roster).
    truth = generate_inbox(tmp_path, malang_roster("demo")[::4], seed=3)
    by_path = {t.path: t for t in truth}
    copies = [t for t in truth if t.copy_of]
    assert len(copies) == 1
    copy = copies[0]
    source = by_path[copy.copy_of]
    assert copy.participant_id and source.participant_id and copy.participant_id != source.participant_id
    assert copy.doc_type == source.doc_type == "inovasi"
    assert copy.expected_status == source.expected_status == "accepted"
    # A long stretch of the source's text, word for word, but not all of it.
    copied, original = _words(tmp_path / copy.path), _words(tmp_path / source.path)
    run = _longest_common_run(copied, original)
    assert 25 <= run < min(len(copied), len(original)) - 20


@pytest.mark.slow
def test_demo_inbox_is_screened_right_and_its_copy_flagged(tmp_path: Path) -> None:
    report = evaluate_corpus("demo", 3, tmp_path)
    assert report.passed, format_report([report])
    assert report.identified_share == 1.0 and report.wrong_participant == 0
    assert (report.copies, report.copies_flagged) == (1, 1), format_report([report])
    assert report.other_near <= 3, format_report([report])


def _report(size: str, right: int, wrong: int = 0, completeness: int = 10) -> EvalReport:
    return EvalReport(size, 1, 100, 10, 100, right, wrong, 0, 0, 0, 100, completeness, 1.0)


def test_a_province_passes_with_files_left_undecided_but_never_with_a_wrong_participant() -> None:
    # "SDN Sukorejo 1.pdf" under a cover that names no region exists in a dozen regencies: undecided is right.
    assert _report("province", 96, completeness=9).passed
    assert not _report("province", 96, wrong=1).passed
    assert not _report("province", 90).passed
    assert not _report("full", 96, completeness=9).passed  # a city edition must place every file
    assert _report("full", 99).passed


def test_the_report_counts_undecided_files_by_reason() -> None:
    report = _report("province", 96)
    report.undecided = {"ambiguous_participant": 3, "unidentified": 1}
    assert "ambiguous_participant 3, unidentified 1" in format_report([report])


@pytest.mark.slow
def test_kota_and_kabupaten_malang_are_never_confused(tmp_path: Path) -> None:
    # Two regions of one name out of the provincial corpus: same agencies, same SMP numbers, same villages.
    rows = [r for r in province_roster(1) if r.id.startswith(("kota-malang-", "kabupaten-malang-"))]
    write_roster(tmp_path / "roster.csv", rows)
    truth = generate_inbox(tmp_path / "inbox", rows, seed=2)
    result = run_once(RunConfig(tmp_path / "inbox", tmp_path / "roster.csv", tmp_path / "reports", "eval"))
    report = score("province", 2, truth, result.screening, 0.0, n_participants=len(rows))
    assert report.wrong_participant == 0 and report.unidentifiable_assigned == 0, format_report([report])
    assert report.identified_share >= 0.98, format_report([report])
