"""models/scores: the ranking's arithmetic on a case checked by hand, weights, ties and missing
scores, the rank correlations against scipy, unreadable sheets, and the ledger keeping scores."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest

from models.errors import InputError
from models.ledger import Ledger, rebuild_ledger
from models.scores import (
    Score,
    UnreadableSheet,
    kendall,
    parse_weights,
    rank,
    read_sheet,
    spearman,
)
from models.scores import sheets as model_sheets


def scores(judge: str, given: dict[str, tuple[int, int]]) -> list[Score]:
    return [s for pid, (x, y) in given.items() for s in (Score(judge, pid, "x", x), Score(judge, pid, "y", y))]


# Judge A is strict, B lenient; weights x=3, y=1 so a total is (3x + y) / 4.
#   A: p1 (60,40) -> 55, p2 (40,40) -> 40, p3 (50,30) -> 45   mean 46.667, sd 6.2361
#   B: p1 (90,90) -> 90, p2 (70,70) -> 70, p4 (80,80) -> 80   mean 80,     sd 8.1650
#   z: A p1 1.3363, p2 -1.0690, p3 -0.2673; B p1 1.2247, p2 -1.2247, p4 0
#   mean z: p1 1.2805, p4 0, p3 -0.2673, p2 -1.1469 -> p1, p4, p3, p2
#   raw mean: p4 80, p1 72.5, p2 55, p3 45 -> p4, p1, p2, p3 (the lenient judge's p4 on top)
#   spread of z: p1 0.1116, p2 0.1557 -> with threshold 0.15 only p2 is to discuss
#   p5 was handed to two judges and scored by none; p3 to two and scored by one.
HAND = scores("A", {"p1": (60, 40), "p2": (40, 40), "p3": (50, 30)}) + scores("B", {"p1": (90, 90), "p2": (70, 70), "p4": (80, 80)})
INFO = {"p1": ("Satu", "sd"), "p2": ("Dua", "sd"), "p3": ("Tiga", "smp"), "p4": ("Empat", "smp"), "p5": ("Lima", "smp")}


def test_the_ranking_of_a_small_case_checked_by_hand() -> None:
    ranking = rank(HAND, {"x": 3, "y": 1}, {"p1": 2, "p2": 2, "p3": 2, "p4": 1, "p5": 2}, INFO, threshold=0.15, top=2,
                   method="z")
    by = {r.participant_id: r for r in ranking.proposals}
    assert [r.participant_id for r in ranking.proposals] == ["p1", "p4", "p3", "p2", "p5"]
    assert [by[p].rank for p in ("p1", "p4", "p3", "p2")] == [1, 2, 3, 4] and by["p5"].rank is None
    assert [by[p].raw_rank for p in ("p4", "p1", "p2", "p3")] == [1, 2, 3, 4]
    assert by["p1"].z_mean == pytest.approx((1.3363 + 1.2247) / 2, abs=1e-4)
    assert by["p2"].z_mean == pytest.approx((-1.0690 - 1.2247) / 2, abs=1e-4)
    assert by["p3"].z_mean == pytest.approx(-0.2673, abs=1e-4) and by["p4"].z_mean == 0
    assert (by["p4"].raw_mean, by["p1"].raw_mean, by["p2"].raw_mean, by["p3"].raw_mean) == (80, 72.5, 55, 45)
    assert by["p1"].spread == pytest.approx(0.1116, abs=1e-4) and not by["p1"].discuss
    assert by["p2"].spread == pytest.approx(0.1557, abs=1e-4) and by["p2"].discuss
    assert by["p3"].spread is None and not by["p3"].discuss  # one judge: nothing to disagree with
    # shown back on the scale: pooled totals 55, 40, 45, 90, 70, 80 have mean 63.333 and sd 18.181
    assert by["p1"].normalised == pytest.approx(63.3333 + 1.2805 * 18.1812, abs=1e-3)
    assert (by["p3"].missing, by["p5"].missing, by["p1"].missing) == (1, 2, 0)
    assert (by["p1"].category_rank, by["p2"].category_rank, by["p4"].category_rank, by["p3"].category_rank) == (1, 2, 1, 2)
    assert [r.participant_id for r in ranking.top_list] == ["p1", "p4"]
    stats = {s.judge_id: s for s in ranking.judges}
    assert stats["A"].mean == pytest.approx(46.6667, abs=1e-4) and stats["B"].sd == pytest.approx(8.1650, abs=1e-4)


def test_the_shrunk_standardisation_of_the_same_case_checked_by_hand() -> None:
    """zs, the ranking's method: each judge's mean and variance with 3 pseudo-proposals at the panel's
    (pooled totals: mean 63.333, variance 330.556).
    A: mean (3*46.667 + 3*63.333)/6 = 55, variance (3*38.889 + 3*330.556)/6 = 184.722, sd 13.591
    B: mean (3*80 + 3*63.333)/6 = 71.667, variance (3*66.667 + 3*330.556)/6 = 198.611, sd 14.093
    p1: (0 + 1.3009)/2 = 0.6504; p4: 0.5913; p2: (-1.1037 - 0.1183)/2 = -0.6110; p3: -0.7358"""
    ranking = rank(HAND, {"x": 3, "y": 1}, {}, INFO)
    assert ranking.method == "zs"
    by = {r.participant_id: r for r in ranking.proposals}
    assert [r.participant_id for r in ranking.proposals] == ["p1", "p4", "p2", "p3"]
    for pid, z in (("p1", 0.6504), ("p4", 0.5913), ("p2", -0.6110), ("p3", -0.7358)):
        assert by[pid].z_mean == pytest.approx(z, abs=1e-4), pid
    assert by["p2"].spread == pytest.approx(1.1037 - 0.1183, abs=1e-4)


def test_equal_weights_by_default_and_ties_share_a_rank() -> None:
    tied = scores("A", {"p1": (80, 60), "p2": (60, 80), "p3": (10, 10)})
    ranking = rank(tied, {"x": 1, "y": 1}, {}, {})
    by = {r.participant_id: r for r in ranking.proposals}
    assert (by["p1"].rank, by["p2"].rank, by["p3"].rank) == (1, 1, 3)
    assert by["p1"].tied and by["p2"].tied and not by["p3"].tied


def test_a_judge_with_one_proposal_or_no_spread_leans_on_the_panel() -> None:
    given = scores("A", {"p1": (80, 80)}) + scores("B", {"p1": (50, 50), "p2": (50, 50)})
    plain = rank(given, {"x": 1, "y": 1}, {}, {}, method="z")
    assert {s.judge_id: s.standardised for s in plain.judges} == {"A": False, "B": False}
    assert all(j.z == 0 for r in plain.proposals for j in r.judges)  # z: no figures of their own, no say
    shrunk = {(j.judge_id, r.participant_id): j.z for r in rank(given, {"x": 1, "y": 1}, {}, {}).proposals
              for j in r.judges}
    # pooled 80, 50, 50: mean 60, sd 14.142; A: mean (80 + 180)/4 = 65, sd sqrt(3 * 200 / 4) = 12.247
    assert shrunk[("A", "p1")] == pytest.approx(15 / 12.2474, abs=1e-4)
    assert shrunk[("B", "p1")] == shrunk[("B", "p2")] < 0


@pytest.mark.parametrize(("text", "expected"), [
    ("id,label\nx,X\ny,Y\n", {"x": 1.0, "y": 1.0}),
    ("# skala 1-100\n# bobot x=30, y=10\nid,label\nx,X\ny,Y\n", {"x": 30.0, "y": 10.0}),
    ('"# bobot: x=2; y=0,5"\nid;label\nx;X\ny;Y\n', {"x": 2.0, "y": 0.5}),
    ("# bobot x=1\nid,label\n", {"x": 1.0, "y": 0.0}),
])
def test_weights_from_the_criteria_files_note(text: str, expected: dict[str, float]) -> None:
    assert parse_weights(text, ["x", "y"]) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("# bobot z=1\n", "'z' is not a criterion"),
    ("# bobot x=-1\n", "weight x '-1' is not a number >= 0"),
    ("# bobot x=0, y=0\n", "add up to more than 0"),
    ("# bobot x=1\n# bobot y=1\n", "more than one `# bobot` line"),
])
def test_bad_weights_are_refused_with_the_reason(text: str, message: str) -> None:
    from models.language import use_language

    with use_language("en"), pytest.raises(InputError, match=message.replace("(", r"\(").replace("`", ".")):
        parse_weights(text, ["x", "y"], "kriteria.csv")


def test_rank_correlations_agree_with_scipy() -> None:
    """With ties on both sides; the expected values are scipy 1.17's spearmanr and kendalltau (tau-b) of
    these lists (importing scipy here would cost the fast suite two seconds)."""
    a = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]
    b = [2.0, 7.0, 1.0, 8.0, 2.0, 8.0, 1.0, 8.0]
    assert spearman(a, b) == pytest.approx(0.19885368120992467)
    assert kendall(a, b) == pytest.approx(0.16051447078102563)
    assert spearman(a, a) == pytest.approx(1) and kendall(a, [-x for x in a]) == pytest.approx(-1)


def test_the_layout_constants_are_the_packets_own() -> None:
    from flows.packets import sheets as packet_sheets

    for name in ("FORMAT", "SCORES_SHEET", "FACTS_SHEET", "ID_ROW", "FIRST_ROW"):
        assert getattr(model_sheets, name) == getattr(packet_sheets, name), name
    ids = [c.id for c in packet_sheets.columns(__import__("flows.packets", fromlist=["x"]).DEFAULT_CRITERIA, False)]
    assert ids[-3:] == list(model_sheets.HIDDEN_IDS)


def test_what_is_not_a_scoring_sheet_is_one_line(tmp_path: Path) -> None:
    pdf = tmp_path / "nilai.xlsx"
    pdf.write_bytes(b"%PDF-1.4 not a workbook")
    other = tmp_path / "lain.xlsx"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("hello.txt", "hi")
    from openpyxl import Workbook

    plain = tmp_path / "biasa.xlsx"
    Workbook().save(plain)
    for path, reason in ((pdf, "not an XLSX or CSV"), (other, "damaged XLSX"), (plain, "not a scoring sheet")):
        from models.language import use_language

        with use_language("en"), pytest.raises(UnreadableSheet) as e:
            read_sheet(path)
        assert str(path) in str(e.value) and reason in str(e.value) and "\n" not in str(e.value)


def _record(ledger: Ledger, sha: str, judge: str, value: int) -> None:
    ledger.record_score_sheets([(f"{sha}.xlsx", sha, judge, "pkt", [("p1", "x", value), ("p1", "y", value)])])


def test_the_ledger_keeps_superseded_sheets_and_a_rebuild_salvages_them(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        _record(ledger, "a" * 64, "j1", 60)
        _record(ledger, "b" * 64, "j1", 90)
        _record(ledger, "c" * 64, "j2", 70)
        assert ledger.current_scores() == [("j1", "p1", "x", 90), ("j1", "p1", "y", 90), ("j2", "p1", "x", 70),
                                           ("j2", "p1", "y", 70)]
        sheets = ledger.score_sheet_records()
        assert [(s["judge_id"], s["superseded_at"] is None, s["proposals"]) for s in sheets] == [
            ("j1", False, 1), ("j1", True, 1), ("j2", True, 1)]
        assert ledger.score_sheet("a" * 64)[3] is not None
    done = rebuild_ledger(path)
    assert done.kept["scores"] == 6 and done.kept["score_sheets"] == 3 and done.complete["scores"]
    with Ledger(path) as ledger:
        assert len(ledger.current_scores()) == 4 and len(ledger.score_sheet_records()) == 3


def test_a_ledger_from_before_the_scores_opens_and_rebuilds(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                     "INSERT INTO meta VALUES ('schema_version', '2');")
    db.close()
    done = rebuild_ledger(path)
    assert done.complete["scores"] and done.kept["scores"] == 0
    with Ledger(path) as ledger:
        assert ledger.current_scores() == [] and ledger.score_sheet_records() == []
