"""The hand-off to judges through the step list the Prefect flow runs: the preview in screening.json,
`kipp handoff` freezing the assignment and writing the packets, and later runs around what was frozen."""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.packets import DEFAULT_CRITERIA
from flows.steps import RunConfig, run_once
from flows.steps.context import OutputPaths, Panel, PanelFiles
from flows.steps.judges import plan_judging, together
from models.duplicates import DuplicateFlag, DuplicateKind, Severity
from models.errors import ExitCode
from models.ledger import Ledger
from models.records import Judge, ParticipantStatus
from models.roster import parse_roster
from models.settings import Settings
from tests.conftest import BODY, ROSTER_CSV, cover, make_docx, make_pdf

INOVASI = "PROPOSAL INOVASI PELAYANAN PUBLIK"
KINERJA = "PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK"
# Units of the test roster and the folder names that identify them.
UNITS = {"sd-sawojajar-1": "SD NEGERI SAWOJAJAR 1", "sd-sawojajar-2": "SD NEGERI SAWOJAJAR 2",
         "smp-05": "SMP NEGERI 5 MALANG", "kel-bunulrejo": "KELURAHAN BUNULREJO",
         "kel-kedungkandang": "KELURAHAN KEDUNGKANDANG", "pkm-kendalkerep": "UPT PUSKESMAS KENDALKEREP"}

JUDGES_CSV = """id,name,affiliation_id,expertise,capacity,contact
j-akademisi,Dr. Ratna (Universitas Brawijaya),,pendidikan;kesehatan,,ratna@example.org
j-disdik,Kabid Dikdas Dinas Pendidikan,pd-disdikbud,pendidikan,,
j-camat,Camat Blimbing,kec-blimbing,tata_kelola_perencanaan;administrasi_kependudukan,,
j-dinkes,Sekretaris Dinas Kesehatan,pd-dinkes,kesehatan,,
j-lurah,Lurah Bunulrejo,kel-bunulrejo,administrasi_kependudukan,,
"""


def _proposals(inbox: Path, pid: str, kinerja: bool = True) -> None:
    unit = UNITS[pid]
    make_pdf(inbox / unit / "inovasi.pdf", [cover(INOVASI, unit), BODY])
    if kinerja:
        make_docx(inbox / unit / "kinerja.docx", [KINERJA, unit, BODY])


@pytest.fixture
def setup(tmp_path: Path) -> RunConfig:
    inbox = tmp_path / "inbox"
    for pid in UNITS:
        _proposals(inbox, pid, kinerja=pid != "kel-kedungkandang")
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER_CSV, encoding="utf-8")
    judges = tmp_path / "juri.csv"
    judges.write_text(JUDGES_CSV, encoding="utf-8")
    return RunConfig(inbox, roster, tmp_path / "out", "2021", Settings(workers=1, settle_seconds=0, isolate=False),
                     panel=PanelFiles(judges))


def _ancestors_and_descendants(unit: str) -> set[str]:
    roster = parse_roster(ROSTER_CSV)
    related = {unit} | roster.ancestors(unit)
    related |= {p.id for p in roster if unit in roster.ancestors(p.id)}
    return related


def _no_conflict(doc: dict) -> None:
    affiliation = {j["id"]: j["affiliation_id"] for j in doc["judges"]}
    for a in doc["assignments"]:
        unit = affiliation[a["judge_id"]]
        if unit:
            assert a["participant_id"] not in _ancestors_and_descendants(unit), a


def test_a_run_with_judges_previews_a_conflict_free_balanced_assignment(setup: RunConfig) -> None:
    run_once(setup)
    doc = json.loads((setup.out / "screening.json").read_text(encoding="utf-8"))
    complete = {p["id"] for p in doc["participants"] if p["status"] == "complete"}
    assert complete == set(UNITS) - {"kel-kedungkandang"}
    assert [j["id"] for j in doc["judges"]] == ["j-akademisi", "j-disdik", "j-camat", "j-dinkes", "j-lurah"]
    per_participant: dict[str, set[str]] = {}
    for a in doc["assignments"]:
        assert a["frozen"] is False  # a preview: nothing handed out yet
        per_participant.setdefault(a["participant_id"], set()).add(a["judge_id"])
    assert set(per_participant) == complete
    assert all(len(judges) == 2 for judges in per_participant.values())
    _no_conflict(doc)
    loads = [j["load"] for j in doc["judges"]]
    assert max(loads) - min(loads) <= 1 and sum(loads) == 2 * len(complete)
    unassigned = {u["participant_id"]: u for u in doc["unassigned"]}
    assert unassigned["kel-kedungkandang"]["reason"] == "not_complete"
    assert doc["handoff"]["handed_at"] is None and doc["handoff"]["per_proposal"] == 2
    page = (setup.out / "assignments.html").read_text(encoding="utf-8")
    assert "Pratinjau" in page and "Camat Blimbing" in page and "Kelurahan Kedungkandang" in page
    assert not (setup.out / "paket").exists()  # a preview writes no packet


def test_without_judges_the_keys_are_there_and_empty(setup: RunConfig) -> None:
    run_once(replace(setup, panel=PanelFiles()))
    doc = json.loads((setup.out / "screening.json").read_text(encoding="utf-8"))
    assert (doc["judges"], doc["assignments"], doc["unassigned"], doc["withdrawn"], doc["handoff"]) == ([], [], [], [], None)
    assert "Belum ada panel juri" in (setup.out / "assignments.html").read_text(encoding="utf-8")


def _zip_members(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return sorted(z.namelist())


def test_handoff_freezes_writes_packets_and_later_runs_never_move_what_was_frozen(setup: RunConfig) -> None:
    first = run_once(replace(setup, handoff=True))
    assert first.handoff is not None and len(first.handoff.new) == 10
    doc = json.loads((setup.out / "screening.json").read_text(encoding="utf-8"))
    frozen = {(a["judge_id"], a["participant_id"]) for a in doc["assignments"]}
    assert all(a["frozen"] for a in doc["assignments"]) and doc["handoff"]["handed_at"]
    packets = setup.out / "paket"
    zips = {j["id"]: packets / f"{j['id']}.zip" for j in doc["judges"]}
    before = {jid: z.read_bytes() for jid, z in zips.items()}
    for jid, z in zips.items():  # each packet holds its own participants' files, nobody else's
        mine = {p for j, p in frozen if j == jid}
        names = " ".join(_zip_members(z))
        for pid in UNITS:
            assert (pid in names) == (pid in mine), (jid, pid, names)
    # A late Kinerja makes kel-kedungkandang complete: it is added, nothing handed out moves.
    make_docx(setup.inbox / UNITS["kel-kedungkandang"] / "kinerja.docx", [KINERJA, UNITS["kel-kedungkandang"], BODY])
    preview = run_once(setup)
    assignments = preview.screening.judging.assignments
    assert frozen <= {(a.judge_id, a.participant_id) for a in assignments if a.frozen}
    added = [a for a in assignments if not a.frozen]
    assert {a.participant_id for a in added} == {"kel-kedungkandang"} and len(added) == 2
    second = run_once(replace(setup, handoff=True))
    assert {(a.judge_id, a.participant_id) for a in second.handoff.new} == {(a.judge_id, a.participant_id) for a in added}
    for jid, z in zips.items():  # an unchanged packet is byte-identical after the re-run
        if jid not in {a.judge_id for a in added}:
            assert z.read_bytes() == before[jid], jid
        else:
            assert any("kel-kedungkandang" in name for name in _zip_members(z))


def test_a_participant_no_longer_complete_is_withdrawn_from_its_judges(setup: RunConfig) -> None:
    run_once(replace(setup, handoff=True))
    (setup.inbox / UNITS["smp-05"] / "kinerja.docx").unlink()
    result = run_once(replace(setup, handoff=True))
    withdrawn = {(w.judge_id, w.participant_id) for w in result.handoff.withdrawn}
    assert {p for _, p in withdrawn} == {"smp-05"} and len(withdrawn) == 2
    for judge_id, _ in withdrawn:
        assert not any("smp-05" in name for name in _zip_members(setup.out / "paket" / f"{judge_id}.zip"))
    doc = json.loads((setup.out / "screening.json").read_text(encoding="utf-8"))
    assert not any(a["participant_id"] == "smp-05" for a in doc["assignments"])
    assert "Penugasan yang ditarik" in (setup.out / "assignments.html").read_text(encoding="utf-8") or doc["withdrawn"]


def test_the_panel_of_the_last_handoff_is_used_when_no_judges_are_given(setup: RunConfig) -> None:
    run_once(replace(setup, handoff=True))
    result = run_once(replace(setup, panel=PanelFiles()))
    assert result.screening.judging is not None
    assert all(a.frozen for a in result.screening.judging.assignments)


def test_a_declared_conflict_after_the_handoff_takes_the_assignment_back(setup: RunConfig, tmp_path: Path) -> None:
    first = run_once(replace(setup, handoff=True))
    judge_id, pid = sorted((a.judge_id, a.participant_id) for a in first.screening.judging.assignments)[0]
    conflicts = tmp_path / "konflik.csv"
    conflicts.write_text(f"judge_id,participant_id\n{judge_id},{pid}\n", encoding="utf-8")
    result = run_once(replace(setup, panel=replace(setup.panel, conflicts=conflicts), handoff=True))
    assert [(w.judge_id, w.participant_id) for w in result.handoff.withdrawn] == [(judge_id, pid)]
    now = {(a.judge_id, a.participant_id) for a in result.screening.judging.assignments}
    assert (judge_id, pid) not in now and sum(1 for _, p in now if p == pid) == 2  # another judge took it


def test_high_severity_duplicates_between_two_complete_participants_must_share_judges() -> None:
    def flag(a: str, b: str, severity: Severity, kind=DuplicateKind.NEAR) -> DuplicateFlag:
        return DuplicateFlag(f"{a}.pdf", f"{b}.pdf", kind, 0.9, (), severity, a_participant=a, b_participant=b)

    from models.screening import Screening

    screening = Screening((), (), (flag("smp-05", "sd-sawojajar-1", Severity.HIGH),
                                   flag("smp-05", "smp-15", Severity.MEDIUM),
                                   flag("sd-sawojajar-2", "kel-bunulrejo", Severity.HIGH)))
    assert together(screening, {"smp-05", "sd-sawojajar-1", "smp-15", "sd-sawojajar-2"}) == [("sd-sawojajar-1", "smp-05")]


# -- the command line ---------------------------------------------------------------------------


def _kipp(*args: str):
    return CliRunner().invoke(main, list(args))


def _args(config: RunConfig, *extra: str) -> list[str]:
    return ["--inbox", str(config.inbox), "--roster", str(config.roster), "--out", str(config.out), *extra]


def test_a_bad_judges_file_is_every_bad_line_at_once_and_nothing_is_assigned(setup: RunConfig, tmp_path: Path) -> None:
    bad = tmp_path / "juri-salah.csv"
    bad.write_text(JUDGES_CSV + "j-x,,,pendidikan,,\nj-disdik,Lagi,,pendidikan,,\nj-y,Y,bukan-unit,sulap,,\n",
                   encoding="utf-8")
    result = _kipp("run", *_args(setup, "--judges", str(bad)))
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    for needle in (str(bad), "baris 7: j-x: nama kosong", "baris 8: j-disdik", "baris 9: j-y", "bukan-unit", "sulap"):
        assert needle in result.stderr, result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert not (setup.out / "screening.json").exists()


def test_a_bad_judges_file_is_said_in_english_with_lang_en(setup: RunConfig, tmp_path: Path) -> None:
    bad = tmp_path / "juri-salah.csv"
    bad.write_text(JUDGES_CSV + "j-x,,,pendidikan,,\nj-y,Y,bukan-unit,sulap,nol,\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--lang", "en", "run", *_args(setup, "--judges", str(bad))])
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    for needle in ("2 bad line(s)", "line 7: j-x: empty name", "line 8: j-y", "'bukan-unit' is not in the roster",
                   "unknown theme 'sulap'", "capacity must be a positive whole number, not 'nol'"):
        assert needle in result.stderr, result.stderr


def test_handoff_without_a_panel_is_one_line(setup: RunConfig) -> None:
    result = _kipp("handoff", *_args(setup))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "--judges" in result.stderr and "Traceback" not in result.stderr
    result = _kipp("run", *_args(setup, "--conflicts", str(setup.roster)))
    assert result.exit_code == ExitCode.BAD_INPUT and "--judges" in result.stderr
    result = _kipp("run", *_args(setup, "--judges", str(setup.panel.judges), "--per-proposal", "0"))
    assert result.exit_code == ExitCode.USAGE


def test_plan_judging_lists_every_participant_not_complete_with_its_status() -> None:
    roster = parse_roster(ROSTER_CSV)
    from models.screening import Screening, completeness

    screening = Screening((), tuple(completeness(roster, ())))
    panel = Panel((Judge("j1", "A", None, ("pendidikan",)),), frozenset(), 2, DEFAULT_CRITERIA)
    judging = plan_judging(screening, panel, roster, {}, None)
    assert judging.assignments == ()
    assert {u.participant_id for u in judging.unassigned} == {p.id for p in roster}
    assert all(u.reason.value == "not_complete" and u.detail == ParticipantStatus.MISSING_BOTH.label
               for u in judging.unassigned)


def test_judge_names_never_run_in_the_page_and_the_workbook_lists_every_assignment(setup: RunConfig, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    hostile = tmp_path / "juri-jahat.csv"
    hostile.write_text(JUDGES_CSV.replace("Camat Blimbing", "<script>alert(1)</script>")
                       .replace("Lurah Bunulrejo", "=HYPERLINK(\"http://x\")"), encoding="utf-8")
    result = run_once(replace(setup, panel=PanelFiles(hostile)))
    page = (setup.out / "assignments.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Tata Kelola" in page  # expertise shown by the taxonomy's labels, not ids
    book = load_workbook(setup.out / "assignments.xlsx", read_only=True)
    assert book.sheetnames == ["Penugasan", "Juri", "Belum diserahkan"]
    rows = list(book["Penugasan"].iter_rows(values_only=True))
    assert len(rows) - 1 == len(result.screening.judging.assignments)
    judges = {row[0]: row for row in book["Juri"].iter_rows(min_row=2, values_only=True)}
    assert judges["j-lurah"][1] == "'=HYPERLINK(\"http://x\")"  # text, never a formula
    assert judges["j-camat"][5] == result.screening.judging.load("j-camat")
    left = list(book["Belum diserahkan"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in left] == [u.participant_id for u in result.screening.judging.unassigned]


@pytest.mark.slow
def test_kipp_handoff_runs_through_prefect_and_prints_each_judges_packet(setup: RunConfig, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(HOME=str(tmp_path), KIPP_WORKERS="1")
    result = subprocess.run(
        [sys.executable, "-m", "flows.cli", "handoff", *_args(setup, "--judges", str(setup.panel.judges))],
        cwd=repo, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert "Diserahkan ke 5 juri (10 penugasan, 10 baru, 0 ditarik)" in result.stdout
    for judge_id in ("j-akademisi", "j-disdik", "j-camat", "j-dinkes", "j-lurah"):
        assert f"{setup.out / 'paket' / judge_id}.zip" in result.stdout


def test_a_rerun_with_the_same_inputs_takes_the_last_plan_and_any_change_solves_again(
    setup: RunConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.steps.judges as judges_step

    solved: list[int] = []
    real = judges_step.assign

    def counted(proposals, *args, **kwargs):
        solved.append(len(proposals))
        return real(proposals, *args, **kwargs)

    monkeypatch.setattr(judges_step, "assign", counted)
    first = run_once(setup).screening.judging
    assert solved == [len(UNITS) - 1]
    again = run_once(setup).screening.judging
    assert solved == [len(UNITS) - 1]  # nothing new: the last plan, from the ledger
    assert (again.assignments, again.unassigned, again.conflicts_avoided, again.solver) == (
        first.assignments, first.unassigned, first.conflicts_avoided, first.solver)
    # A participant now complete is a new proposal: solved again, and the same as a solve from nothing.
    make_docx(setup.inbox / UNITS["kel-kedungkandang"] / "kinerja.docx", [KINERJA, UNITS["kel-kedungkandang"], BODY])
    grown = run_once(setup).screening.judging
    assert solved == [len(UNITS) - 1, len(UNITS)]
    fresh = run_once(replace(setup, out=setup.out.parent / "fresh")).screening.judging
    assert grown.assignments == fresh.assignments and grown.unassigned == fresh.unassigned
    # Another panel (one judge fewer) solves again; a ledger whose kept plan is unreadable solves too.
    fewer = setup.panel.judges.parent / "fewer.csv"
    fewer.write_text("\n".join(JUDGES_CSV.strip().splitlines()[:-1]) + "\n", encoding="utf-8")
    run_once(replace(setup, panel=PanelFiles(fewer)))
    assert len(solved) == 4
    with Ledger(OutputPaths(setup.out).ledger) as ledger:
        ledger.set_meta(judges_step.PLAN_META, '{"digest": "x", "plan": {"assignments": 3}}')
    run_once(replace(setup, panel=PanelFiles(fewer)))
    assert len(solved) == 5
