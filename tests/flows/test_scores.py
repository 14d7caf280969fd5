"""`kipp scores import` on real returned sheets: packets written by `kipp handoff` from a generated
inbox, filled in with openpyxl as a judge would, and imported through the command line."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from flows.cli import main
from flows.packets import DEFAULT_CRITERIA, build_packet, safe_dir_name
from flows.reporting.json_report import screening_json
from flows.steps.context import Panel
from flows.steps.judges import panel_json
from models.errors import ExitCode
from models.ledger import Ledger
from models.records import Judge, JudgeAssignment
from models.screening import Screening
from tests.flows.test_packets import (
    KEL,
    PKM,
    SD,
    SMP,
    plain_reader,
    proposal,
    write_pair,
)

CRITERIA = ("kebaruan", "efektivitas", "kebermanfaatan", "dapat_direplikasi", "keberlanjutan")


HANDED_AT = "2026-12-01T09:00:00+00:00"
JUDGES = (Judge("j-akademisi", "Dr. Ratna", None, ("pendidikan",)), Judge("j-disdik", "Kabid Dikdas", "pd-disdikbud", ()),
          Judge("j-camat", "Camat Blimbing", "kec-blimbing", ()), Judge("j-dinkes", "Sekretaris Dinkes", "pd-dinkes", ()))
PARTICIPANTS = (SD, PKM, KEL, SMP)
# K=2: every participant to two judges, none of their own unit's line
PAIRS = (("j-akademisi", SD.id), ("j-camat", SD.id), ("j-akademisi", PKM.id), ("j-disdik", PKM.id),
         ("j-disdik", KEL.id), ("j-dinkes", KEL.id), ("j-camat", SMP.id), ("j-dinkes", SMP.id))


def build_edition(root: Path) -> Path:
    """A handed-off edition as `kipp handoff` leaves it, without a whole run: real originals, each judge's
    packet written by build_packet, the hand-off recorded in the ledger as the step records it, and a
    screening.json of the four participants."""
    inbox, out = root / "inbox", root / "out"
    proposals = {p.id: proposal(inbox, p, write_pair(inbox, p.id, p.name)) for p in PARTICIPANTS}
    for judge in JUDGES:
        mine = [proposals[pid] for j, pid in PAIRS if j == judge.id]
        build_packet(out / "paket", judge, mine, DEFAULT_CRITERIA, "2021", HANDED_AT, plain_reader(inbox))
    with Ledger(out / "ledger.sqlite") as ledger:
        ledger.record_handoff([JudgeAssignment(j, p, False, True) for j, p in PAIRS], [], HANDED_AT,
                              panel_json(Panel(JUDGES, frozenset(), 2, DEFAULT_CRITERIA)))
    screening = Screening((), tuple(p.participant for p in proposals.values()))
    (out / "screening.json").write_text(screening_json(screening, "2021", HANDED_AT), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def handed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One hand-off for the module: its output folder, copied by each test."""
    return build_edition(tmp_path_factory.mktemp("handoff"))


@pytest.fixture
def out(handed: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "out"
    shutil.copytree(handed, copy)
    return copy


def sheet_path(out: Path, judge: str) -> Path:
    name = safe_dir_name(judge)
    return out / "paket" / name / f"penilaian_{name}.xlsx"


def judges_with_proposals(out: Path) -> list[str]:
    return sorted({j for j, _ in PAIRS})


def fill(out: Path, judge: str, dest: Path, score=lambda row, criterion: 70, edit=None) -> Path:
    """The judge's sheet from their packet with every score filled in (score(row index, criterion)),
    then `edit(ws, columns)` applied, saved at dest as Excel would."""
    wb = load_workbook(sheet_path(out, judge))
    ws = wb["Penilaian"]
    columns = {ws.cell(2, c).value: c for c in range(1, ws.max_column + 1)}
    for i, r in enumerate(range(3, ws.max_row + 1)):
        for criterion in CRITERIA:
            ws.cell(r, columns[criterion]).value = score(i, criterion)
    if edit:
        edit(wb, ws, columns)
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb.save(dest)
    return dest


def scores_rows(out: Path) -> list[tuple]:
    db = sqlite3.connect(out / "ledger.sqlite")
    try:
        return list(db.execute("SELECT judge_id, participant_id, criterion, value, superseded_at FROM scores ORDER BY 1,2,3"))
    finally:
        db.close()


def invoke(*args: str):
    return CliRunner().invoke(main, ["--lang", "en", "scores", "import", *args])


def test_the_happy_path_imports_every_judge_and_writes_the_ranking(out: Path, tmp_path: Path) -> None:
    judges = judges_with_proposals(out)
    assert len(judges) == 4
    back = tmp_path / "kembali"
    for n, judge in enumerate(judges):
        fill(out, judge, back / f"{judge}.xlsx", lambda i, c, n=n: 50 + 5 * n + 3 * i)  # judge n is 5n points kinder
    before = json.loads((out / "screening.json").read_text(encoding="utf-8"))
    result = invoke(str(back), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.count("proposals imported") == len(judges)
    rows = scores_rows(out)
    frozen = sqlite3.connect(out / "ledger.sqlite").execute(
        "SELECT judge_id, participant_id FROM assignments WHERE withdrawn_at IS NULL").fetchall()
    assert {(j, p) for j, p, *_ in rows} == set(frozen)
    assert len(rows) == len(frozen) * len(CRITERIA) and all(r[4] is None for r in rows)
    doc = json.loads((out / "screening.json").read_text(encoding="utf-8"))
    assert doc["participants"] == before["participants"] and doc["generated_at"] == before["generated_at"]
    assert len(doc["scores"]) == len(frozen)
    ranked = doc["ranking"]["proposals"]
    assert {p["participant_id"] for p in ranked} == {p for _, p in frozen}
    assert all(p["rank"] is not None and p["missing"] == 0 for p in ranked)
    assert [p["rank"] for p in ranked] == sorted(p["rank"] for p in ranked)
    html = (out / "ranking.html").read_text(encoding="utf-8")
    assert "Top 10" in html and SMP.name in html
    wb = load_workbook(out / "ranking.xlsx", read_only=True)
    assert wb.sheetnames == ["Ranking", "Judges' scores", "Judges", "Sheets imported"]


def _one_line(result, out: Path, *expected: str) -> None:
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    problems = [line for line in result.stderr.splitlines() if "row" in line or "column" in line]
    assert len(problems) == 1, result.stderr
    for text in expected:
        assert text in problems[0], problems[0]
    assert scores_rows(out) == []
    assert not (out / "ranking.html").exists()


def _first_judge(out: Path) -> str:
    return judges_with_proposals(out)[0]


def test_a_missing_cell_is_refused_with_its_row_and_column(out: Path, tmp_path: Path) -> None:
    judge = _first_judge(out)
    path = fill(out, judge, tmp_path / "a.xlsx", lambda i, c: None if (i, c) == (0, "efektivitas") else 80)
    result = invoke(str(path), "--out", str(out))
    _one_line(result, out, str(path), "row 3", "(efektivitas)", "empty score")


def test_a_score_out_of_range_is_refused(out: Path, tmp_path: Path) -> None:
    judge = _first_judge(out)
    path = fill(out, judge, tmp_path / "a.xlsx", lambda i, c: 101 if (i, c) == (0, "kebaruan") else 80)
    _one_line(invoke(str(path), "--out", str(out)), out, "row 3", "(kebaruan)", "score 101 is outside the scale")


def test_a_proposal_not_assigned_to_the_judge_is_refused(out: Path, tmp_path: Path) -> None:
    judge = _first_judge(out)
    mine = {p for j, p in PAIRS if j == judge}
    other = min({p for _, p in PAIRS} - mine)

    def swap(wb, ws, columns):
        ws.cell(4 if ws.max_row >= 4 else 3, columns["id_peserta"]).value = other

    rows = len(mine)
    path = fill(out, judge, tmp_path / "a.xlsx", edit=swap)
    result = invoke(str(path), "--out", str(out))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert f"participant '{other}' is not assigned to judge {judge}" in result.stderr
    assert "column B" not in result.stderr and "(id_peserta)" in result.stderr
    assert scores_rows(out) == [] and rows >= 1


@pytest.mark.parametrize(("column", "value", "what"), [("id_paket", "0123456789abcdef", "packet"),
                                                      ("id_juri", "juri-lain", "judge")])
def test_a_tampered_packet_or_judge_id_on_one_row_is_refused(out: Path, tmp_path: Path, column: str, value: str,
                                                            what: str) -> None:
    judge = _first_judge(out)

    def tamper(wb, ws, columns):
        ws.cell(3, columns[column]).value = value

    path = fill(out, judge, tmp_path / "a.xlsx", edit=tamper)
    _one_line(invoke(str(path), "--out", str(out)), out, "row 3", f"({column})", f"differs from this sheet's {what}")


def test_a_sheet_made_over_to_another_judge_is_refused(out: Path, tmp_path: Path) -> None:
    """Every identifier of judge A's sheet consistently changed to judge B: not B's packet."""
    a, b = judges_with_proposals(out)[:2]

    def forge(wb, ws, columns):
        for r in range(3, ws.max_row + 1):
            ws.cell(r, columns["id_juri"]).value = b
        wb["kipp"]["B3"].value = b

    path = fill(out, a, tmp_path / "a.xlsx", edit=forge)
    _one_line(invoke(str(path), "--out", str(out)), out, "(id_paket)", f"not the packet handed to judge {b}")


def test_the_same_file_twice_is_a_no_op_and_a_newer_sheet_replaces_the_older(out: Path, tmp_path: Path) -> None:
    judge = _first_judge(out)
    first = fill(out, judge, tmp_path / "a.xlsx", lambda i, c: 60)
    assert invoke(str(first), "--out", str(out)).exit_code == 0
    rows = scores_rows(out)
    again = invoke(str(first), "--out", str(out))
    assert again.exit_code == 0
    assert again.output.count("already imported") == 1 and "nothing changed" in again.output
    assert scores_rows(out) == rows
    newer = fill(out, judge, tmp_path / "b.xlsx", lambda i, c: 90)
    result = invoke(str(newer), "--out", str(out))
    assert result.exit_code == 0 and "replaces the earlier sheet" in result.output
    kept = scores_rows(out)
    assert {r[3] for r in kept if r[4] is None} == {90}
    assert {r[3] for r in kept if r[4] is not None} == {60}  # the older one kept, superseded
    doc = json.loads((out / "screening.json").read_text(encoding="utf-8"))
    assert {s["source"] for s in doc["scores"]} == {str(newer)}


def test_a_bad_sheet_beside_good_ones_changes_nothing_of_its_own(out: Path, tmp_path: Path) -> None:
    a, b = judges_with_proposals(out)[:2]
    good = fill(out, a, tmp_path / "back" / "a.xlsx")
    fill(out, b, tmp_path / "back" / "b.xlsx", lambda i, c: "tujuh puluh" if (i, c) == (0, "kebaruan") else 70)
    result = invoke(str(tmp_path / "back"), "--out", str(out))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "'tujuh puluh' is not a whole number" in result.stderr and "1 sheets refused" in result.stderr
    assert {r[0] for r in scores_rows(out)} == {a}
    assert str(good) in result.output


def test_a_filled_csv_is_read_back_too(out: Path, tmp_path: Path) -> None:
    import csv

    judge = _first_judge(out)
    name = safe_dir_name(judge)
    text = (out / "paket" / name / f"penilaian_{name}.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    header = rows[0]
    for row in rows[1:]:
        for c in CRITERIA:
            row[header.index(c)] = "75"
    path = tmp_path / "penilaian.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)  # as an Indonesian Excel saves it
    result = invoke(str(path), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert {r[3] for r in scores_rows(out)} == {75}


def test_before_any_hand_off_the_import_is_refused(tmp_path: Path) -> None:
    from models.ledger import Ledger

    Ledger(tmp_path / "out" / "ledger.sqlite").close()
    sheet = tmp_path / "a.csv"
    sheet.write_text("id_peserta\n", encoding="utf-8")
    result = invoke(str(sheet), "--out", str(tmp_path / "out"))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "nothing was handed to judges" in result.stderr


def test_weights_from_the_criteria_file_are_used_and_kept(out: Path, tmp_path: Path) -> None:
    judge = _first_judge(out)
    path = fill(out, judge, tmp_path / "a.xlsx")
    criteria = tmp_path / "kriteria.csv"
    lines = "\n".join(f"{c},{c.title()}" for c in CRITERIA)
    criteria.write_text(f"# skala 1-100\n# bobot kebaruan=40, efektivitas=15, kebermanfaatan=15, "
                        f"dapat_direplikasi=15, keberlanjutan=15\nid,label\n{lines}\n", encoding="utf-8")
    result = invoke(str(path), "--out", str(out), "--criteria", str(criteria), "--threshold", "0.5", "--top", "3")
    assert result.exit_code == 0, result.output
    ranking = json.loads((out / "screening.json").read_text(encoding="utf-8"))["ranking"]
    assert ranking["weights"]["kebaruan"] == 40 and ranking["threshold"] == 0.5 and ranking["top"] == 3
    second = fill(out, judges_with_proposals(out)[1], tmp_path / "b.xlsx")
    assert invoke(str(second), "--out", str(out)).exit_code == 0
    again = json.loads((out / "screening.json").read_text(encoding="utf-8"))["ranking"]
    assert again["weights"] == ranking["weights"] and again["top"] == 3  # kept in the ledger
    other = tmp_path / "lain.csv"
    other.write_text("id,label\nkebaruan,Kebaruan\n", encoding="utf-8")
    refused = invoke(str(second), "--out", str(out), "--criteria", str(other))
    assert refused.exit_code == ExitCode.BAD_INPUT and "are not the criteria handed to the judges" in refused.stderr


def test_a_run_keeps_the_scores_in_its_screening(out: Path, tmp_path: Path) -> None:
    """The scores step puts the ledger's scoring in the run's screening; screening.json and the ranking
    pages of every later run carry it."""
    from types import SimpleNamespace

    from flows.reporting import render_reports
    from flows.steps.scores import scores

    assert invoke(str(fill(out, _first_judge(out), tmp_path / "a.xlsx")), "--out", str(out)).exit_code == 0
    with Ledger(out / "ledger.sqlite") as ledger:
        run = SimpleNamespace(ledger=ledger, screening=Screening((), ()))
        scores(run)
    assert run.screening.scoring is not None and len(run.screening.scoring.ranking.scored) == 2
    rendered = render_reports(run.screening, "2021", ("screening", "ranking_html"))
    doc = json.loads(rendered["screening"])
    assert len(doc["scores"]) == 2 and doc["ranking"]["proposals"][0]["rank"] == 1
    empty = json.loads(render_reports(Screening((), ()), "2021", ("screening",))["screening"])
    assert empty["scores"] == [] and empty["ranking"]["proposals"] == []


def test_a_judges_name_or_id_in_the_ranking_page_is_escaped(out: Path, tmp_path: Path) -> None:
    doc = json.loads((out / "screening.json").read_text(encoding="utf-8"))
    doc["participants"][0]["name"] = "<script>alert(1)</script>"
    (out / "screening.json").write_text(json.dumps(doc), encoding="utf-8")
    judge = next(j for j, p in PAIRS if p == doc["participants"][0]["id"])
    assert invoke(str(fill(out, judge, tmp_path / "a.xlsx")), "--out", str(out)).exit_code == 0
    html = (out / "ranking.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_scores_page_of_kipp_ui_shows_who_is_back_and_the_ranking(out: Path, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from flows.ui.app import create_app
    from models.language import use_language

    with use_language("en"):
        app = TestClient(create_app(out, None, None), base_url="http://127.0.0.1")
        before = app.get("/nilai")
        assert before.status_code == 200 and "No scoring sheet imported yet." in before.text
        judge = _first_judge(out)
        assert invoke(str(fill(out, judge, tmp_path / "a.xlsx")), "--out", str(out)).exit_code == 0
        page = app.get("/nilai").text
    assert f"<code>{judge}</code>" in page and "Not returned a sheet yet:" in page
    waiting = page.split("Not returned a sheet yet:", 1)[1].split("</p>", 1)[0]
    assert judge not in waiting and all(j in waiting for j in judges_with_proposals(out) if j != judge)
    assert SD.name in page and 'href="/laporan/ranking.html"' in page


def test_the_simulation_standardised_recovers_the_true_order_better_than_the_raw_mean() -> None:
    """kipp bench scores on a small edition (60 proposals, 6 judges, K=3), three seeds: the ranking's
    (zs) rank correlation with the true order beats the raw mean's on every seed."""
    from flows.bench.scores import measure

    for seed in (1, 2, 3):
        outcome = measure(seed, 60, 6, 3, 4.0)
        assert outcome.rho["zs"] > outcome.rho["raw"] + 0.03, outcome
        assert outcome.tau["zs"] > outcome.tau["raw"] + 0.05, outcome
        assert outcome.rho["zs"] > 0.95


def test_the_same_bytes_twice_in_one_import_are_read_once(out: Path, tmp_path: Path) -> None:
    first = fill(out, _first_judge(out), tmp_path / "back" / "a.xlsx")
    shutil.copy(first, tmp_path / "back" / "salinan.xlsx")
    result = invoke(str(tmp_path / "back"), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "the same bytes as" in result.output and result.output.count("proposals imported") == 1


@pytest.mark.slow
def test_the_whole_way_handoff_then_scores_then_a_later_run(tmp_path: Path) -> None:
    """Slow (about 10 s: a real run screens PDFs and DOCX, trains the theme model and solves the
    assignment): kipp handoff's own packets filled and imported, then a later kipp run keeps the
    ranking in its screening.json and ranking.html."""
    from flows.steps import RunConfig, run_once
    from flows.steps.context import PanelFiles
    from models.settings import Settings
    from tests.conftest import ROSTER_CSV
    from tests.flows.test_handoff import JUDGES_CSV, UNITS, _proposals

    inbox = tmp_path / "inbox"
    for pid in UNITS:
        _proposals(inbox, pid)
    (tmp_path / "roster.csv").write_text(ROSTER_CSV, encoding="utf-8")
    (tmp_path / "juri.csv").write_text(JUDGES_CSV, encoding="utf-8")
    out = tmp_path / "out"
    config = RunConfig(inbox, tmp_path / "roster.csv", out, "2021", Settings(workers=1, settle_seconds=0, isolate=False),
                       panel=PanelFiles(tmp_path / "juri.csv"), handoff=True)
    run_once(config)
    judges = sorted({a["judge_id"] for a in json.loads((out / "screening.json").read_text(encoding="utf-8"))["assignments"]})
    for n, judge in enumerate(judges):
        fill(out, judge, tmp_path / "back" / f"{judge}.xlsx", lambda i, c, n=n: 40 + 10 * n + i)
    result = invoke(str(tmp_path / "back"), "--out", str(out))
    assert result.exit_code == 0, result.output + result.stderr
    ranked = json.loads((out / "screening.json").read_text(encoding="utf-8"))["ranking"]["proposals"]
    assert len(ranked) == len(UNITS) and all(p["rank"] for p in ranked)
    run_once(RunConfig(inbox, tmp_path / "roster.csv", out, "2021", Settings(workers=1, settle_seconds=0, isolate=False)))
    again = json.loads((out / "screening.json").read_text(encoding="utf-8"))
    assert again["ranking"]["proposals"] == ranked and len(again["scores"]) == len(again["assignments"])
    name = next(p["name"] for p in again["participants"] if p["id"] == "smp-05")
    assert name in (out / "ranking.html").read_text(encoding="utf-8")


def test_a_score_whose_assignment_was_taken_back_is_kept_but_not_ranked(out: Path, tmp_path: Path) -> None:
    from flows.scores import load_scoring

    judge = _first_judge(out)
    assert invoke(str(fill(out, judge, tmp_path / "a.xlsx")), "--out", str(out)).exit_code == 0
    taken = min(p for j, p in PAIRS if j == judge)
    with Ledger(out / "ledger.sqlite") as ledger:
        ledger.db.execute("UPDATE assignments SET withdrawn_at='2026-12-02T00:00:00+00:00', withdrawn_reason='konflik' "
                          "WHERE judge_id=? AND participant_id=?", (judge, taken))
        scoring = load_scoring(ledger, {})
        kept = ledger.current_scores()
    assert {p for _, p, _, _ in kept} == {p for j, p in PAIRS if j == judge}  # the ledger keeps what was given
    assert all(s.participant_id != taken for s in scoring.scores)
    assert {r.participant_id for r in scoring.ranking.scored} == {p for j, p in PAIRS if j == judge} - {taken}
