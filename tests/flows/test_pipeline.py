"""A whole intake run on real files through the step list the Prefect flow runs: outputs, reruns, an untouched inbox."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path

import pytest

from flows.steps import RunConfig, open_run, run_once
from models.errors import KippError
from models.records import Reason
from models.settings import Settings
from tests.conftest import BODY, cover, make_docx, make_pdf


def _tree_state(root: Path) -> dict[str, tuple[str, int]]:
    return {
        p.relative_to(root).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    make_pdf(inbox / "Proposal Inovasi - SDN Sawojajar 1.pdf",
             [cover("PROPOSAL INOVASI PELAYANAN PUBLIK", "SD NEGERI SAWOJAJAR 1"), BODY])
    make_docx(inbox / "Scan_20210203_0012.docx", ["PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK",
                                                   "SD NEGERI SAWOJAJAR 1", BODY])
    make_pdf(inbox / "SMPN 15" / "kinerja.pdf", [cover("PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK", "SMPN 15"), BODY])
    make_docx(inbox / "Kel. Bunulrejo" / "Proposal <b>Inovasi</b>.docx",
              ["PROPOSAL INOVASI", "KELURAHAN BUNULREJO", "<script>alert(1)</script>", BODY])
    (inbox / "kosong.pdf").write_bytes(b"")
    (inbox / "~$proposal.docx").write_bytes(b"lock")
    (inbox / ".DS_Store").write_bytes(b"\0")
    return inbox


def _config(tmp_path: Path, inbox: Path, roster_file: Path, isolate: bool = False) -> RunConfig:
    """Files read in this process unless `isolate`: these tests are about what a run writes and keeps;
    the worker processes (time and memory limits, crashes) are tests/extractors/test_hostile*.py's,
    and starting one costs half a second of imports per run."""
    return RunConfig(inbox, roster_file, tmp_path / "reports", "2021",
                     Settings(workers=1, settle_seconds=0, isolate=isolate))


def test_run_writes_the_published_screening_json(tmp_path: Path, inbox: Path, roster_file: Path) -> None:
    run_once(_config(tmp_path, inbox, roster_file, isolate=True))  # as a user's run reads: in a worker process
    doc = json.loads((tmp_path / "reports" / "screening.json").read_text(encoding="utf-8"))
    assert {"edition", "generated_at", "documents", "participants"} <= doc.keys()
    assert doc["edition"] == "2021"
    documents = {d["path"]: d for d in doc["documents"]}
    assert set(documents) == {
        "Proposal Inovasi - SDN Sawojajar 1.pdf", "Scan_20210203_0012.docx", "SMPN 15/kinerja.pdf",
        "Kel. Bunulrejo/Proposal <b>Inovasi</b>.docx", "kosong.pdf", "~$proposal.docx", ".DS_Store",
    }
    for d in doc["documents"]:
        assert {"path", "sha256", "status", "reason", "participant_id", "doc_type", "pages", "chars",
                "match_score"} <= d.keys()
    assert documents["SMPN 15/kinerja.pdf"]["participant_id"] == "smp-15"
    assert documents["SMPN 15/kinerja.pdf"]["doc_type"] == "kinerja"
    assert documents["SMPN 15/kinerja.pdf"]["pages"] == 2
    assert documents["kosong.pdf"]["status"] == "quarantined"
    assert documents["kosong.pdf"]["reason"] == Reason.EMPTY_FILE
    assert documents[".DS_Store"]["status"] == "ignored"
    people = {p["id"]: p for p in doc["participants"]}
    assert people["sd-sawojajar-1"]["status"] == "complete"
    assert people["sd-sawojajar-1"]["kinerja"] == "Scan_20210203_0012.docx"
    assert people["kel-bunulrejo"]["status"] == "missing_kinerja"
    assert people["pd-dinkes"]["status"] == "missing_both"
    assert {"id", "name", "category", "status", "inovasi", "kinerja"} <= people["pd-dinkes"].keys()


def test_rerun_reads_only_new_files_and_gives_the_same_reports(tmp_path: Path, inbox: Path, roster_file: Path) -> None:
    config = _config(tmp_path, inbox, roster_file)
    first = run_once(config)
    assert first.files_extracted == 5  # the lock file and .DS_Store are never read
    before = json.loads((config.out / "screening.json").read_text())
    again = run_once(config)
    assert again.files_extracted == 0
    after = json.loads((config.out / "screening.json").read_text())
    before.pop("generated_at"), after.pop("generated_at")
    assert before == after
    make_pdf(inbox / "SMPN 15 inovasi.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 15 MALANG"), BODY])
    third = run_once(config)
    assert third.files_extracted == 1
    assert {r.participant.id: r.status.value for r in third.screening.participants}["smp-15"] == "complete"


def test_run_never_changes_the_inbox(tmp_path: Path, inbox: Path, roster_file: Path) -> None:
    before = _tree_state(inbox)
    run_once(_config(tmp_path, inbox, roster_file))
    run_once(_config(tmp_path, inbox, roster_file))
    assert _tree_state(inbox) == before


def test_removed_file_stays_in_the_ledger_and_the_report(tmp_path: Path, inbox: Path, roster_file: Path) -> None:
    config = _config(tmp_path, inbox, roster_file)
    run_once(config)
    (inbox / "SMPN 15" / "kinerja.pdf").unlink()
    result = run_once(config)
    gone = {o.path: o for o in result.screening.documents}["SMPN 15/kinerja.pdf"]
    assert gone.reason is Reason.REMOVED_FROM_INBOX
    assert {r.participant.id: r.status.value for r in result.screening.participants}["smp-15"] == "missing_both"


def test_reports_escape_document_strings_and_are_in_indonesian(tmp_path: Path, inbox: Path, roster_file: Path) -> None:
    run_once(_config(tmp_path, inbox, roster_file))
    html = (tmp_path / "reports" / "completeness.html").read_text(encoding="utf-8")
    assert "Proposal &lt;b&gt;Inovasi&lt;/b&gt;.docx" in html
    assert "<b>Inovasi</b>" not in html
    assert "Laporan Kelengkapan Berkas" in html and "Belum mengirim" in html
    rows = list(csv.DictReader((tmp_path / "reports" / "completeness.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == 16
    assert rows[0]["kategori"] == "Perangkat Daerah"
    assert {r["id"]: r["status"] for r in rows}["sd-sawojajar-1"] == "complete"


def test_reports_are_readable_by_others(tmp_path: Path, inbox: Path, roster_file: Path) -> None:
    run_once(_config(tmp_path, inbox, roster_file))
    assert os.stat(tmp_path / "reports" / "screening.json").st_mode & 0o044 == 0o044


def test_output_inside_the_inbox_is_refused(tmp_path: Path, inbox: Path, roster_file: Path) -> None:
    with pytest.raises(KippError, match="tidak boleh sama atau saling memuat"):
        run_once(RunConfig(inbox, roster_file, inbox / "reports", "2021"))


def _health_proposal(inbox: Path) -> None:
    """A puskesmas's Inovasi proposal whose theme is plainly health; the two tests below correct it to
    pendidikan, so that within a test session they share the one fit of seed + that correction."""
    make_pdf(inbox / "PKM Kendalkerep inovasi.pdf",
             [cover("PROPOSAL INOVASI", "UPT PUSKESMAS KENDALKEREP"),
              "Inovasi imunisasi balita dan pemeriksaan ibu hamil dengan pengingat jadwal posyandu.\n"
              "Kader posyandu mencatat berat badan balita dan status gizi setiap bulan.\n"
              "Bidan puskesmas memeriksa kehamilan dan memberi tablet tambah darah kepada ibu hamil.\n"
              "Cakupan imunisasi dasar lengkap naik dan kasus gizi buruk pada balita turun."])


def test_every_inovasi_gets_a_theme_and_an_admins_correction_wins(tmp_path: Path, inbox: Path, roster_file: Path) -> None:
    from models.ledger import Ledger

    config = _config(tmp_path, inbox, roster_file)
    _health_proposal(inbox)
    first = {r.participant.id: r for r in run_once(config).screening.participants}
    assert first["pkm-kendalkerep"].theme.theme == "kesehatan"
    assert first["pkm-kendalkerep"].theme.theme_source == "model"
    assert first["smp-15"].theme is None  # no Inovasi proposal, no theme
    with Ledger(config.ledger_path) as ledger:
        ledger.save_theme_corrections({"pkm-kendalkerep": "pendidikan"}, source="test")
    run_once(config)
    doc = json.loads((config.out / "screening.json").read_text(encoding="utf-8"))
    pkm = {p["id"]: p for p in doc["participants"]}["pkm-kendalkerep"]
    assert (pkm["theme"], pkm["theme_label"], pkm["theme_source"]) == ("pendidikan", "Pendidikan", "correction")
    assert {"theme_confidence", "theme_runner_up"} <= pkm.keys()
    assert "Sebaran Tema" in (config.out / "themes.html").read_text(encoding="utf-8")


COPIED = (
    "Latar belakang: antrean panjang di loket pelayanan membuat warga menunggu hingga tiga jam setiap pagi. "
    "Inovasi SI ANTRI memindahkan pendaftaran ke aplikasi daring sehingga warga datang sesuai jadwal. "
    "Petugas memantau kuota harian dari dasbor dan mengirim pengingat melalui pesan singkat sehari sebelumnya. "
    "Sejak diterapkan, waktu tunggu rata-rata turun dari seratus delapan puluh menit menjadi dua puluh menit. "
    "Keluhan warga tentang antrean berkurang dari empat puluh menjadi lima laporan setiap bulan. "
    "Biaya cetak nomor antrean dihemat dan petugas loket dapat melayani lebih banyak warga setiap hari. "
    "Rencana ke depan adalah menghubungkan aplikasi dengan layanan rujukan dan layanan konsultasi daring."
)


def test_a_proposal_copied_between_participants_is_flagged_with_evidence(
    tmp_path: Path, inbox: Path, roster_file: Path
) -> None:
    config = _config(tmp_path, inbox, roster_file)
    make_pdf(inbox / "SMPN 5 inovasi.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), COPIED])
    make_docx(inbox / "SMPN 15 inovasi.docx",
              ["PROPOSAL INOVASI", "SMP NEGERI 15 MALANG", COPIED.replace("tiga jam", "dua jam")])
    result = run_once(config)
    flags = [f for f in result.screening.duplicates if {f.a, f.b} == {"SMPN 5 inovasi.pdf", "SMPN 15 inovasi.docx"}]
    assert len(flags) == 1 and flags[0].kind.value in ("near", "cross_format")
    assert flags[0].evidence and "SI ANTRI" in flags[0].evidence[0].a + flags[0].evidence[0].b
    doc = json.loads((config.out / "screening.json").read_text(encoding="utf-8"))
    assert {"a", "b", "kind", "score", "evidence"} <= doc["duplicates"][0].keys()
    assert all(d["status"] != "quarantined" for d in doc["documents"] if "SMPN" in d["path"])  # flags never block


def test_an_earlier_editions_proposal_is_flagged_with_its_edition_and_a_decision_is_kept(
    tmp_path: Path, inbox: Path, roster_file: Path
) -> None:
    from dataclasses import replace as with_

    from models.ledger import Ledger

    prior = tmp_path / "arsip"
    make_pdf(prior / "2020" / "SMPN 5 inovasi 2020.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), COPIED])
    make_pdf(inbox / "SMPN 5 inovasi.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), COPIED])
    config = with_(_config(tmp_path, inbox, roster_file), prior=prior)
    flag = next(f for f in run_once(config).screening.duplicates if f.kind.value == "prior_edition")
    assert (flag.a, flag.b, flag.edition) == ("SMPN 5 inovasi.pdf", "prior/2020/SMPN 5 inovasi 2020.pdf", "2020")
    with Ledger(config.ledger_path) as ledger:
        ledger.save_duplicate_decision(flag.key, "dismissed", "inovasi lanjutan, sudah diverifikasi")
    again = next(f for f in run_once(config).screening.duplicates if f.key == flag.key)
    assert again.decision.value == "dismissed"
    assert "sama dengan edisi sebelumnya" in (config.out / "duplicates.html").read_text(encoding="utf-8")


def test_model_trained_by_kipp_themes_train_is_the_one_the_next_run_uses(
    tmp_path: Path, inbox: Path, roster_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functools import partial

    from click.testing import CliRunner

    import flows.corpora.themes as theme_corpus
    import models.themes as themes_module
    from flows.cli import main

    # Two folds of cross-validation instead of five and 24 held-out proposals instead of 240: the metrics
    # are not what this test is about (the reuse is), and each fold is a fit of its own (test_themes.py
    # checks the cross-validation and the held-out figures).
    monkeypatch.setattr(themes_module, "train", partial(themes_module.train, folds=2))
    monkeypatch.setattr(theme_corpus, "build_held_out", partial(theme_corpus.build_held_out, n_per_theme=2))
    config = _config(tmp_path, inbox, roster_file)
    _health_proposal(inbox)
    run_once(config)
    cli = CliRunner()
    corrected = cli.invoke(main, ["themes", "correct", "pkm-kendalkerep", "pendidikan", "--out", str(config.out)])
    assert corrected.exit_code == 0, corrected.output
    trained = cli.invoke(main, ["themes", "train", "--out", str(config.out)])
    assert trained.exit_code == 0, trained.output
    assert "(format" in trained.output and "samples)" in trained.output
    model = config.theme_model_path
    before = model.stat().st_mtime_ns
    result = run_once(config)
    assert model.stat().st_mtime_ns == before  # reused, not retrained over
    themes = {r.participant.id: r.theme for r in result.screening.participants if r.theme}
    assert (themes["pkm-kendalkerep"].theme, themes["pkm-kendalkerep"].theme_source) == ("pendidikan", "correction")


def test_a_run_is_the_step_list_with_one_ledger_one_roster_and_one_read_of_each_text(
    tmp_path: Path, inbox: Path, roster_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.steps.check as check_module
    from flows.steps import STEPS
    from models.ledger import Ledger
    from models.records import FileStatus

    assert [s.name for s in STEPS] == ["scan", "extract", "decide", "themes", "duplicates", "judges", "handoff", "scores",
                                      "report"]
    opened, parsed, texts_read = [], [], []
    real_init, real_roster, real_extractions = Ledger.__init__, check_module.load_roster, Ledger.extractions

    def init(self, path):
        opened.append(path)
        real_init(self, path)

    def load_roster(path):
        parsed.append(path)
        return real_roster(path)

    def extractions(self, hashes, with_text=False):
        hashes = list(hashes)
        if with_text:
            texts_read.append(hashes)
        return real_extractions(self, hashes, with_text)

    monkeypatch.setattr(Ledger, "__init__", init)
    monkeypatch.setattr(check_module, "load_roster", load_roster)
    make_pdf(inbox / "SMPN 15 inovasi.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 15 MALANG"), BODY])
    result = run_once(_config(tmp_path, inbox, roster_file))
    assert (len(opened), len(parsed)) == (1, 1)
    assert list(result.seconds) == ["check", *(s.name for s in STEPS)]

    # The themes and the duplicates steps share one read of the accepted texts.
    monkeypatch.setattr(Ledger, "extractions", extractions)
    with open_run(_config(tmp_path, inbox, roster_file)) as run:
        for step in STEPS[:3]:
            step.run(run)
        texts_read.clear()
        for step in STEPS[3:5]:
            step.run(run)
        accepted = {o.sha256 for o in run.screening.documents if o.status is FileStatus.ACCEPTED}
    read = [sha for call in texts_read for sha in call]
    assert len(accepted) >= 4 and sorted(read) == sorted(accepted)


@pytest.mark.slow
def test_the_prefect_flow_and_run_once_write_the_same_screening(tmp_path: Path, inbox: Path, roster_file: Path) -> None:
    """`kipp run` (the Prefect flow, in a process of its own as a user runs it) and run_once, on one inbox."""
    import subprocess
    import sys

    make_pdf(inbox / "SMPN 5 inovasi.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), COPIED])
    make_docx(inbox / "SMPN 15 inovasi.docx", ["PROPOSAL INOVASI", "SMP NEGERI 15 MALANG", COPIED])
    plain = run_once(_config(tmp_path, inbox, roster_file, isolate=True))
    assert plain.screening.duplicates and plain.screening.participants
    out, home = tmp_path / "flow", tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "KIPP_"))}
    env.update(HOME=str(home), KIPP_WORKERS="1", KIPP_PREFECT="ephemeral")
    proc = subprocess.run([sys.executable, "-m", "flows.cli", "run", "--inbox", str(inbox), "--roster", str(roster_file),
                           "--out", str(out)], cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{plain.files_seen} berkas di kotak masuk, {plain.files_extracted} baru dibaca" in proc.stdout
    by_flow, by_plain = (json.loads((o / "screening.json").read_text(encoding="utf-8")) for o in (out, tmp_path / "reports"))
    by_flow.pop("generated_at"), by_plain.pop("generated_at")
    assert by_flow == by_plain
