"""Every operational error of `kipp` is one line naming the path and the reason, with a documented exit code.

The output folder is made unusable for real: a file, /proc, a user without permission (setpriv), a
read-only mount and a full tmpfs (in a private mount namespace, so nothing outlives the test).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from flows.cli import KippGroup, _out_option, main
from flows.steps import RunConfig, run_once
from flows.steps.check import check_inputs
from models.errors import ExitCode
from models.ledger import Ledger
from models.records import Extraction
from models.settings import Settings
from tests.conftest import BODY, ROSTER_CSV, cover, make_pdf

REPO = Path(__file__).resolve().parents[2]


def _kipp(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def _one_line(result, *needles: str) -> str:
    """The error line on stderr: exactly one, naming every needle, and never a traceback."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kipp: ")
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert "Traceback" not in result.output + result.stderr
    return lines[0]


def _earlier_run(base: Path, edition: str = "2021") -> RunConfig:
    """A real run without Prefect: an inbox with one proposal, its roster, and the reports in base/out."""
    inbox = base / "inbox"
    make_pdf(inbox / "SMPN 5 inovasi.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), BODY])
    roster = base / "roster.csv"
    roster.write_text(ROSTER_CSV, encoding="utf-8")
    config = RunConfig(inbox, roster, base / "out", edition, Settings(workers=1, settle_seconds=0, isolate=False))
    run_once(config)
    return config


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> RunConfig:
    return _earlier_run(tmp_path_factory.mktemp("earlier"))


@pytest.fixture
def earlier(pristine: RunConfig, tmp_path: Path) -> RunConfig:
    """A copy of an earlier run's inbox, roster and reports that a test may damage."""
    base = tmp_path / "earlier"
    shutil.copytree(pristine.inbox.parent, base, symlinks=True)
    return RunConfig(base / "inbox", base / "roster.csv", base / "out", "2021", pristine.settings)


def _run_args(config: RunConfig, out: Path | None = None, edition: str = "2021") -> list[str]:
    return ["run", "--inbox", str(config.inbox), "--roster", str(config.roster), "--out", str(out or config.out),
            "--edition", edition]


def _reports(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and p.suffix in (".json", ".html", ".csv")}


# -- the output folder -------------------------------------------------------------------------------------


def test_out_that_is_a_file_is_one_line_with_exit_4(earlier: RunConfig) -> None:
    a_file = earlier.out / "screening.json"
    run = _kipp(*_run_args(earlier, out=a_file))
    assert run.exit_code == ExitCode.OUTPUT
    _one_line(run, str(a_file), "adalah berkas, bukan folder")
    correct = _kipp("themes", "correct", "smp-05", "kesehatan", "--out", str(a_file))
    assert correct.exit_code == ExitCode.OUTPUT
    _one_line(correct, str(a_file), "adalah berkas, bukan folder")


def test_out_under_proc_is_refused_with_exit_4(earlier: RunConfig) -> None:
    for out in ("/proc/kipp-reports", "/proc/self"):
        result = _kipp(*_run_args(earlier, out=Path(out)))
        assert result.exit_code == ExitCode.OUTPUT
        _one_line(result, out, "/proc (proc)")
    assert not Path("/proc/kipp-reports").exists()


def _as_nobody() -> list[str]:
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run kipp as an unprivileged user")
    probe = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c",
                            "import flows.cli"], cwd=REPO, capture_output=True)
    if probe.returncode != 0:
        pytest.skip("the unprivileged user cannot read this checkout")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.fixture
def shared_dir():
    """A folder other users may enter (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="kipp-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _cli_process(config: RunConfig, prefix: list[str] | None = None, out: Path | None = None):
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([*(prefix or []), sys.executable, "-m", "flows.cli", *_run_args(config, out=out)],
                          cwd=REPO, capture_output=True, text=True, env=env, timeout=120)


def test_out_without_write_permission_is_exit_4_and_the_reports_stay(shared_dir: Path) -> None:
    prefix = _as_nobody()
    config = _earlier_run(shared_dir)
    before = _reports(config.out)
    config.out.chmod(0o555)
    result = _cli_process(config, prefix)
    assert result.returncode == ExitCode.OUTPUT, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr + result.stdout
    assert result.stderr.startswith(f"kipp: {config.out}: ") and "tidak ada izin menulis" in result.stderr
    assert _reports(config.out) == before
    json.loads(before["screening.json"])


def _in_mount_namespace(script: str, *args: str) -> dict:
    """Run a Python script as root in a private mount namespace (its mounts vanish with it); it prints JSON."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare to mount a file system for the test")
    if subprocess.run(["unshare", "-m", "--propagation", "private", "true"], capture_output=True).returncode:
        pytest.skip("mount namespaces are not available here")
    done = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable, "-c", script, *args],
                          cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


_READ_ONLY = r"""
import json, subprocess, sys
out = sys.argv[1]
subprocess.run(["mount", "--bind", out, out], check=True)
subprocess.run(["mount", "-o", "remount,bind,ro", out], check=True)
run = subprocess.run([sys.executable, "-m", "flows.cli", *sys.argv[2:]], capture_output=True, text=True)
print(json.dumps({"rc": run.returncode, "stdout": run.stdout, "stderr": run.stderr}))
"""


def test_out_on_a_read_only_mount_is_exit_4_and_the_reports_stay(earlier: RunConfig) -> None:
    before = _reports(earlier.out)
    result = _in_mount_namespace(_READ_ONLY, str(earlier.out), *_run_args(earlier))
    assert result["rc"] == ExitCode.OUTPUT, result
    assert result["stderr"].count("\n") == 1 and "Traceback" not in result["stderr"] + result["stdout"]
    assert result["stderr"].startswith(f"kipp: {earlier.out}: ") and "hanya-baca" in result["stderr"]
    assert _reports(earlier.out) == before


_FULL_DISK = r"""
import hashlib, json, pickle, shutil, subprocess, sys
from pathlib import Path
from click.testing import CliRunner
from flows.cli import main
from flows.steps import RunConfig
from flows.reporting import write_reports
from models.settings import Settings

base = Path(sys.argv[1])
out = base / "out"
out.mkdir()
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(out)], check=True)
config = RunConfig(base / "inbox", base / "roster.csv", out, "2021", Settings(workers=1, settle_seconds=0, isolate=False))
shutil.copytree(base / "earlier", out, dirs_exist_ok=True)  # the earlier run's reports, ledger and model
screening = pickle.loads((base / "screening.pickle").read_bytes())

def reports():
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir()) if p.is_file()
            and p.suffix in (".json", ".html", ".csv")}

before = reports()
with open(out / "filler", "wb") as fh:  # fill the disk to the last block
    try:
        while True:
            fh.write(b"\0" * 65536)
            fh.flush()
    except OSError:
        pass

def kipp(*args):  # a kipp command in this process, not a new Python importing kipp again
    done = CliRunner().invoke(main, list(args))
    return [done.exit_code, done.stdout, done.stderr]

run = kipp("run", "--inbox", str(config.inbox), "--roster", str(config.roster), "--out", str(out))
correct = kipp("themes", "correct", "smp-05", "kesehatan", "--out", str(out))
try:
    write_reports(screening, out, "2021")
    written = None
except Exception as e:
    written = f"{type(e).__name__}: {e}"
doc = json.loads((out / "screening.json").read_text(encoding="utf-8"))
print(json.dumps({
    "run": run, "correct": correct,
    "write_reports": written, "same": reports() == before, "participants": len(doc["participants"]),
    "leftovers": sorted(p.name for p in out.iterdir() if p.name.endswith(".tmp")),
}))
"""


def test_full_disk_is_one_line_with_exit_4_and_earlier_reports_stay_readable(tmp_path: Path) -> None:
    import pickle

    inbox = tmp_path / "inbox"
    make_pdf(inbox / "SMPN 5 inovasi.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), BODY])
    (tmp_path / "roster.csv").write_text(ROSTER_CSV, encoding="utf-8")
    # The earlier run here, copied onto the small disk by the script: in this process its theme model is
    # the session's (see conftest.py), where a fresh process would import scikit-learn and train it.
    earlier = run_once(RunConfig(inbox, tmp_path / "roster.csv", tmp_path / "earlier", "2021",
                                 Settings(workers=1, settle_seconds=0, isolate=False)))
    (tmp_path / "screening.pickle").write_bytes(pickle.dumps(earlier.screening))
    result = _in_mount_namespace(_FULL_DISK, str(tmp_path))
    out = tmp_path / "out"
    rc, stdout, stderr = result["run"]
    assert rc == ExitCode.OUTPUT, result
    assert stderr.count("\n") == 1 and stderr.startswith(f"kipp: {out}: disk hampir penuh")
    assert "Traceback" not in stdout + stderr
    # A write that meets the full disk halfway (here a ledger row) is the same one line and exit code.
    rc, stdout, stderr = result["correct"]
    assert rc == ExitCode.OUTPUT, result
    assert stderr.count("\n") == 1 and stderr.startswith(f"kipp: {out}: disk penuh") and "Traceback" not in stderr
    # Reports are replaced by rename: a report that cannot be written leaves the previous one whole.
    assert result["write_reports"].startswith(f"OutputError: {out}/screening.json: laporan tidak dapat ditulis: disk penuh")
    assert result["same"] and result["participants"] == len(ROSTER_CSV.splitlines()) - 1
    assert result["leftovers"] == []


# -- the ledger ---------------------------------------------------------------------------------------------


def _damage_header(path: Path) -> None:
    with path.open("r+b") as fh:
        fh.write(b"this is no longer a database")


def test_corrupt_ledger_is_refused_with_what_to_do_exit_5(earlier: RunConfig) -> None:
    _damage_header(earlier.ledger_path)
    run = _kipp(*_run_args(earlier))
    assert run.exit_code == ExitCode.LEDGER
    _one_line(run, str(earlier.ledger_path), "rusak", f"kipp ledger rebuild --out {earlier.out}")
    correct = _kipp("themes", "correct", "smp-05", "kesehatan", "--out", str(earlier.out))
    assert correct.exit_code == ExitCode.LEDGER
    _one_line(correct, str(earlier.ledger_path), "kipp ledger rebuild")


def _ledger_with_decisions(path: Path) -> None:
    """A real ledger whose admins' decisions come first and whose cached texts fill the pages after them."""
    with Ledger(path) as ledger:
        ledger.save_theme_corrections({"smp-05": "kesehatan", "sd-sawojajar-1": "pendidikan"}, source="cli")
        ledger.save_duplicate_decision("near:aa:bb", "dismissed", "inovasi lanjutan")
        ledger.set_meta("edition", "2021")
        for i in range(60):
            text = " ".join(f"kata{i}x{j}" for j in range(4000))  # incompressible enough for many pages
            ledger.save_extraction(f"{i:064x}", Extraction("pdf", text, 3, "cover", (), None))
        ledger.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_truncated_ledger_is_refused_exit_5(tmp_path: Path, earlier: RunConfig) -> None:
    earlier.ledger_path.unlink()
    _ledger_with_decisions(earlier.ledger_path)
    os.truncate(earlier.ledger_path, earlier.ledger_path.stat().st_size // 2)
    run = _kipp(*_run_args(earlier))
    assert run.exit_code == ExitCode.LEDGER
    _one_line(run, str(earlier.ledger_path), "kipp ledger rebuild")


def test_ledger_rebuild_keeps_a_backup_and_the_admins_decisions(tmp_path: Path) -> None:
    out = tmp_path / "out"
    path = out / "ledger.sqlite"
    _ledger_with_decisions(path)
    os.truncate(path, path.stat().st_size // 2)
    damaged = path.read_bytes()
    result = _kipp("ledger", "rebuild", "--out", str(out))
    assert result.exit_code == 0, result.output
    backups = list(out.glob("ledger.cadangan-*.sqlite"))
    assert len(backups) == 1 and backups[0].read_bytes() == damaged  # the damaged file, byte for byte
    assert f"disalin utuh ke {backups[0]}" in result.output
    assert "koreksi tema: 2 diselamatkan\n" in result.output
    assert "keputusan duplikat: 1 diselamatkan\n" in result.output
    with Ledger(path) as ledger:
        assert ledger.db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert ledger.theme_corrections() == {"sd-sawojajar-1": "pendidikan", "smp-05": "kesehatan"}
        assert ledger.duplicate_decisions() == {"near:aa:bb": "dismissed"}
        assert ledger.meta("edition") == "2021"


def test_ledger_rebuild_keeps_handed_out_assignments_and_who_decided(tmp_path: Path) -> None:
    from models.records import JudgeAssignment, Withdrawal

    out = tmp_path / "out"
    with Ledger(out / "ledger.sqlite") as ledger:
        ledger.save_duplicate_decision("near:aa:bb", "confirmed", by="Bu Sari")
        ledger.record_handoff([JudgeAssignment("j1", "smp-05", True), JudgeAssignment("j2", "smp-05", False)], [],
                              "2021-03-01T08:00:00+00:00", '{"judges": []}')
        ledger.record_handoff([], [Withdrawal("j2", "smp-05", "peserta tidak lagi lengkap")],
                              "2021-03-02T08:00:00+00:00", '{"judges": []}')
    result = _kipp("ledger", "rebuild", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "penugasan juri yang sudah diserahkan: 2 diselamatkan\n" in result.output
    assert "PERHATIAN" not in result.stderr
    with Ledger(out / "ledger.sqlite") as ledger:
        assert ledger.frozen_assignments() == {("j1", "smp-05"): "2021-03-01T08:00:00+00:00"}
        assert [w[:2] for w in ledger.withdrawals()] == [("j2", "smp-05")]
        assert ledger.db.execute("SELECT decided_by FROM duplicate_decisions").fetchone() == ("Bu Sari",)


def test_ledger_rebuild_of_a_ledger_older_than_a_table_loses_nothing_and_warns_of_nothing(tmp_path: Path) -> None:
    import sqlite3

    out = tmp_path / "out"
    out.mkdir()
    db = sqlite3.connect(out / "ledger.sqlite")  # as the first kipp wrote it: no assignments, no decided_by
    db.executescript("""CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('edition', '2021');
        CREATE TABLE theme_corrections (participant_id TEXT PRIMARY KEY, theme TEXT NOT NULL, corrected_at TEXT NOT NULL, source TEXT NOT NULL);
        INSERT INTO theme_corrections VALUES ('smp-05', 'kesehatan', '2021-02-01', 'cli');
        CREATE TABLE duplicate_decisions (key TEXT PRIMARY KEY, decision TEXT NOT NULL, decided_at TEXT NOT NULL, note TEXT);
        CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha256 TEXT,
            present INTEGER NOT NULL DEFAULT 1, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL);""")
    db.close()
    result = _kipp("ledger", "rebuild", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "koreksi tema: 1 diselamatkan\n" in result.output and "SEBAGIAN" not in result.output
    assert "PERHATIAN" not in result.stderr
    with Ledger(out / "ledger.sqlite") as ledger:
        assert ledger.theme_corrections() == {"smp-05": "kesehatan"}


def test_ledger_rebuild_says_when_admins_decisions_could_not_be_read(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _ledger_with_decisions(out / "ledger.sqlite")
    _damage_header(out / "ledger.sqlite")
    result = _kipp("ledger", "rebuild", "--out", str(out))
    assert result.exit_code == 0
    assert "koreksi tema: 0 diselamatkan (SEBAGIAN" in result.stdout
    assert "PERHATIAN: sebagian keputusan admin tidak dapat dibaca" in result.stderr
    assert len(list(out.glob("ledger.cadangan-*.sqlite"))) == 1


def test_edition_other_than_the_out_folders_is_refused_exit_3(earlier: RunConfig) -> None:
    result = _kipp(*_run_args(earlier, edition="2022"))
    assert result.exit_code == ExitCode.BAD_INPUT
    _one_line(result, str(earlier.out), "edisi 2021, bukan 2022", "--out lain")
    with Ledger(earlier.ledger_path) as ledger:
        assert ledger.meta("edition") == "2021"


# -- inputs -------------------------------------------------------------------------------------------------


def _workbook(path: Path, kind: str) -> Path:
    if kind == "xlsx":  # the parts Excel writes, enough for any ZIP reader
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("[Content_Types].xml", "<Types/>")
            zf.writestr("xl/workbook.xml", "<workbook/>")
            zf.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>")
    else:  # a legacy .xls: an OLE2 compound file
        path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504)
    return path


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_roster_that_is_a_workbook_is_refused_exit_3(earlier: RunConfig, tmp_path: Path, kind: str) -> None:
    roster = _workbook(tmp_path / "peserta.csv", kind)  # named .csv: the content decides
    args = _run_args(earlier)
    args[args.index("--roster") + 1] = str(roster)
    result = _kipp(*args)
    assert result.exit_code == ExitCode.BAD_INPUT
    _one_line(result, str(roster), "roster harus CSV; simpan sebagai CSV dari Excel")


def test_roster_with_a_bom_and_semicolons_still_works(earlier: RunConfig) -> None:
    earlier.roster.write_bytes("\ufeff".encode() + ROSTER_CSV.replace(",", ";").encode("utf-8"))
    roster = check_inputs(earlier).roster
    assert len(roster) == len(ROSTER_CSV.splitlines()) - 1
    assert roster.get("pd-dinkes").name == "Dinas Kesehatan"


def test_inbox_that_is_a_file_says_so_exit_3(earlier: RunConfig) -> None:
    args = _run_args(earlier)
    args[args.index("--inbox") + 1] = str(earlier.roster)
    result = _kipp(*args)
    assert result.exit_code == ExitCode.BAD_INPUT
    line = _one_line(result, str(earlier.roster), "adalah berkas, bukan folder")
    assert "tidak ada" not in line


@pytest.mark.parametrize(("variable", "value"), [("KIPP_WORKERS", "abc"), ("KIPP_EXTRACT_SECONDS", "-1"),
                                                 ("KIPP_OCR_PAGES", "1.5"), ("KIPP_ISOLATE", "maybe")])
def test_bad_kipp_setting_is_one_line_naming_the_variable_exit_3(earlier: RunConfig, variable: str, value: str) -> None:
    for args in (_run_args(earlier), ["themes", "train", "--out", str(earlier.out)]):
        result = _kipp(*args, env={variable: value})
        assert result.exit_code == ExitCode.BAD_INPUT
        _one_line(result, f"{variable}={value!r}")


# -- themes: participant ids, themes, KIPP_TAXONOMY ----------------------------------------------------------


def _corrections(out: Path) -> dict[str, str]:
    with Ledger(out / "ledger.sqlite") as ledger:
        return ledger.theme_corrections()


def test_themes_correct_with_an_unknown_participant_is_exit_3_and_saves_nothing(earlier: RunConfig) -> None:
    result = _kipp("themes", "correct", "smp-5", "kesehatan", "--out", str(earlier.out))
    assert result.exit_code == ExitCode.BAD_INPUT
    _one_line(result, "peserta tidak dikenal: smp-5", str(earlier.out / "screening.json"), "mungkin: smp-05")
    assert _corrections(earlier.out) == {}
    ok = _kipp("themes", "correct", "smp-05", "Kesehatan", "--out", str(earlier.out))
    assert ok.exit_code == 0, ok.output
    assert _corrections(earlier.out) == {"smp-05": "kesehatan"}


def test_themes_correct_with_an_unknown_theme_is_exit_3(earlier: RunConfig) -> None:
    result = _kipp("themes", "correct", "smp-05", "kesehatn", "--out", str(earlier.out))
    assert result.exit_code == ExitCode.BAD_INPUT
    _one_line(result, "kesehatn: tema tidak dikenal", "kesehatan, pendidikan")
    assert _corrections(earlier.out) == {}


def test_themes_import_with_an_unknown_participant_is_exit_3_and_saves_nothing(earlier: RunConfig, tmp_path: Path) -> None:
    csv_file = tmp_path / "koreksi.csv"
    csv_file.write_text("participant_id,theme\nsmp-05,kesehatan\nsmp-99,pendidikan\n", encoding="utf-8")
    result = _kipp("themes", "import", str(csv_file), "--out", str(earlier.out))
    assert result.exit_code == ExitCode.BAD_INPUT
    _one_line(result, "peserta tidak dikenal: smp-99")
    assert _corrections(earlier.out) == {}
    csv_file.write_text("participant_id,theme\nsmp-05,tidak_ada\n", encoding="utf-8")
    bad_theme = _kipp("themes", "import", str(csv_file), "--out", str(earlier.out))
    assert bad_theme.exit_code == ExitCode.BAD_INPUT and "Traceback" not in bad_theme.output
    assert "baris 2: tema 'tidak_ada' tidak dikenal" in bad_theme.stderr


def test_themes_correct_on_a_mistyped_out_is_refused_and_creates_nothing(earlier: RunConfig) -> None:
    typo = earlier.out.with_name("otu")
    result = _kipp("themes", "correct", "smp-05", "kesehatan", "--out", str(typo))
    assert result.exit_code == ExitCode.BAD_INPUT
    _one_line(result, str(typo), "salah ketik --out?")
    assert not typo.exists()


SDG = {
    "name": "SDGs (uji)",
    "themes": [
        {"id": "sdg3", "label": "Kehidupan Sehat dan Sejahtera", "description": "kesehatan",
         "keywords": ["kesehatan", "puskesmas", "imunisasi", "gizi", "pasien"]},
        {"id": "sdg4", "label": "Pendidikan Berkualitas", "description": "pendidikan",
         "keywords": ["pendidikan", "sekolah", "literasi", "guru", "siswa"]},
        {"id": "sdg13", "label": "Penanganan Perubahan Iklim", "description": "iklim dan lingkungan",
         "keywords": ["iklim", "sampah", "emisi", "pohon", "banjir"]},
    ],
}


def test_themes_commands_honour_kipp_taxonomy(earlier: RunConfig, tmp_path: Path) -> None:
    from models.themes import ThemeClassifier, load_taxonomy

    taxonomy = tmp_path / "sdg.json"
    taxonomy.write_text(json.dumps(SDG), encoding="utf-8")
    env = {"KIPP_TAXONOMY": str(taxonomy)}
    out = str(earlier.out)
    correct = _kipp("themes", "correct", "smp-05", "sdg4", "--out", out, env=env)
    assert correct.exit_code == 0, correct.output
    assert "smp-05: Pendidikan Berkualitas" in correct.stdout
    csv_file = tmp_path / "koreksi.csv"
    csv_file.write_text("participant_id,theme\npkm-rampal,Kehidupan Sehat dan Sejahtera\n", encoding="utf-8")
    imported = _kipp("themes", "import", str(csv_file), "--out", out, env=env)
    assert imported.exit_code == 0, imported.output
    assert _corrections(earlier.out) == {"smp-05": "sdg4", "pkm-rampal": "sdg3"}
    trained = _kipp("themes", "train", "--out", out, env=env)
    assert trained.exit_code == 0, trained.output
    assert "Taksonomi: SDGs (uji) (3 tema" in trained.stdout
    model = ThemeClassifier.load(earlier.theme_model_path, load_taxonomy(taxonomy))  # refuses another taxonomy
    assert model is not None and set(model.taxonomy.ids) == {"sdg3", "sdg4", "sdg13"}
    evaluated = _kipp("themes", "evaluate", "--out", out, env=env)
    assert evaluated.exit_code == 0, evaluated.output
    assert "Taksonomi: SDGs (uji)" in evaluated.stdout and "Held-out proposals: skipped" in evaluated.stdout
    # Without KIPP_TAXONOMY the default themes apply again, and an SDG id is unknown there.
    default = _kipp("themes", "correct", "smp-05", "sdg4", "--out", out)
    assert default.exit_code == ExitCode.BAD_INPUT
    missing = _kipp("themes", "train", "--out", out, env={"KIPP_TAXONOMY": str(tmp_path / "nope.json")})
    assert missing.exit_code == ExitCode.BAD_INPUT
    _one_line(missing, "KIPP_TAXONOMY", str(tmp_path / "nope.json"))


# -- the boundary itself ----------------------------------------------------------------------------------


def _group_with(failure: BaseException) -> click.Group:
    group = KippGroup()

    @group.command()
    @_out_option
    def fail(out: Path) -> None:
        (out / "screening.json").write_text("{}", encoding="utf-8")
        raise failure

    return group


def test_an_unexpected_failure_is_one_line_and_its_trace_is_kept_exit_1(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = CliRunner().invoke(_group_with(ZeroDivisionError("pembagian nol")), ["fail", "--out", str(out)])
    assert result.exit_code == ExitCode.FAILED
    trace = out / ".kipp" / "last-error.txt"
    _one_line(result, "ZeroDivisionError: pembagian nol", f"jejak lengkap di {trace}")
    assert "Traceback" in trace.read_text(encoding="utf-8") and "raise failure" in trace.read_text(encoding="utf-8")


def test_ctrl_c_exits_130_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(_group_with(KeyboardInterrupt()), ["fail", "--out", str(tmp_path)])
    assert result.exit_code == ExitCode.INTERRUPTED == 130
    _one_line(result, "dihentikan (Ctrl-C)")


def test_control_characters_in_a_message_are_escaped(tmp_path: Path) -> None:
    inbox = tmp_path / "kotak\x1b[31m\rmasuk"
    result = _kipp("run", "--inbox", str(inbox), "--roster", str(tmp_path / "r.csv"), "--out", str(tmp_path / "o"))
    assert result.exit_code == ExitCode.BAD_INPUT
    line = _one_line(result, "kotak\\x1b[31m\\rmasuk")
    assert "\x1b" not in line and "\r" not in line


def test_is_new_output_until_a_run_has_written_there(earlier: RunConfig, tmp_path: Path) -> None:
    from flows.steps.context import OutputPaths

    assert not OutputPaths(tmp_path / "nowhere").holds_a_run
    assert OutputPaths(earlier.out).holds_a_run


# -- through Prefect (slow: the embedded API starts) ---------------------------------------------------


@pytest.mark.slow
def test_fresh_out_is_announced_and_a_failure_inside_the_flow_is_one_line(earlier: RunConfig, tmp_path: Path) -> None:
    fresh = tmp_path / "laporan-baru"
    first = _kipp(*_run_args(earlier, out=fresh))
    assert first.exit_code == 0, first.output
    assert f"folder keluaran baru: {fresh.resolve()}" in first.stdout
    # A report that cannot be replaced (a folder where completeness.html goes) fails inside a Prefect task:
    # the user sees kipp's one line and exit 4, not Prefect's traceback; screening.json is still whole.
    (fresh / "completeness.html").unlink()
    (fresh / "completeness.html").mkdir()
    second = _kipp(*_run_args(earlier, out=fresh))
    assert second.exit_code == ExitCode.OUTPUT, second.output
    assert "folder keluaran baru" not in second.stdout
    _one_line(second, str(fresh / "completeness.html"), "laporan tidak dapat ditulis")
    json.loads((fresh / "screening.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_a_real_ctrl_c_during_a_run_exits_130_in_one_line(earlier: RunConfig, tmp_path: Path) -> None:
    import signal

    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", *_run_args(earlier, out=out)], cwd=REPO, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # a background shell job ignores SIGINT
    )
    try:
        first = process.stdout.readline()  # the inputs are checked; Prefect starts next
        assert first.startswith("folder keluaran baru"), first
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == ExitCode.INTERRUPTED, stderr
    assert stderr.count("\n") == 1 and stderr.startswith("kipp: dihentikan (Ctrl-C)")
    assert "Traceback" not in stdout + stderr
