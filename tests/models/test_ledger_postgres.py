"""The ledger on PostgreSQL as a user meets it: KIPP_DATABASE_URL checked, a server that cannot be reached
or refuses the password in one line, one writer per database across machines, and a whole run whose
screening.json is the SQLite run's."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.lock import OutputLock
from flows.steps import RunConfig, run_once
from models.errors import ExitCode, InputError, OutputError
from models.ledger import open_ledger
from models.settings import Settings
from tests.conftest import BODY, cover, make_docx, make_pdf
from tests.postgres import Cluster

REPO = Path(__file__).resolve().parents[2]
# A watcher on another machine: takes the lock as `kipp watch` does, says so, and keeps it.
HOLDER = """
import sys, time
from pathlib import Path
from flows.lock import OutputLock
lock = OutputLock(Path(sys.argv[1]), "watch").acquire()
print("held", flush=True)
time.sleep(300)
"""


def _kipp(*args: str, url: str):
    return CliRunner().invoke(main, ["--lang", "en", *args], env={"KIPP_DATABASE_URL": url})


def _one_line(result, *needles: str) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("kipp: "), result.stderr
    assert "Traceback" not in result.output + result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("url", ["mysql://kipp:geheim@db/kipp", "kipp:geheim@db:5432/kipp",
                                 "postgresql://kipp:geheim@db:port/kipp", "postgresql://"])
def test_a_bad_database_url_is_one_line_naming_the_variable_never_its_password(url: str, tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        Settings.from_env({"KIPP_DATABASE_URL": url})
    assert "KIPP_DATABASE_URL" in str(e.value) and "geheim" not in str(e.value)
    result = _kipp("ledger", "check", "--out", str(tmp_path), url=url)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "geheim" not in _one_line(result, "KIPP_DATABASE_URL", "postgresql://user@host:port/database")


def test_both_spellings_of_a_postgresql_url_are_read_as_libpq_reads_them() -> None:
    for url in ("postgresql://kipp@127.0.0.1:5433/kipp", "postgresql+psycopg://kipp@127.0.0.1:5433/kipp"):
        assert Settings.from_env({"KIPP_DATABASE_URL": url}).database_url == "postgresql://kipp@127.0.0.1:5433/kipp"
    assert Settings.from_env({}).database_url is None
    assert "geheim" not in repr(Settings.from_env({"KIPP_DATABASE_URL": "postgresql://kipp:geheim@h/kipp"}))


def test_a_server_that_cannot_be_reached_stops_a_run_in_one_line_without_the_password(tmp_path: Path) -> None:
    url = f"postgresql://kipp:geheim@127.0.0.1:{_unused_port()}/kipp"
    (tmp_path / "inbox").mkdir()
    (tmp_path / "roster.csv").write_text("id,name,category,parent_id\nsmp-05,SMP Negeri 5 Malang,smp,\n")
    result = _kipp("run", "--inbox", str(tmp_path / "inbox"), "--roster", str(tmp_path / "roster.csv"),
                   "--out", str(tmp_path / "out"), url=url)
    assert result.exit_code == ExitCode.LEDGER
    line = _one_line(result, url.replace(":geheim", ""), "cannot be reached", "KIPP_DATABASE_URL")
    assert "geheim" not in line and not (tmp_path / "out" / "ledger.sqlite").exists()


def test_rebuild_applies_to_the_sqlite_file_only(tmp_path: Path) -> None:
    result = _kipp("ledger", "rebuild", "--out", str(tmp_path), url="postgresql://kipp@127.0.0.1:1/kipp")
    assert result.exit_code == ExitCode.BAD_INPUT
    _one_line(result, "ledger.sqlite file only", "PostgreSQL")


@pytest.mark.slow
def test_a_wrong_password_is_one_line_naming_the_database_without_the_password(postgres: Cluster,
                                                                               tmp_path: Path) -> None:
    url = postgres.url("postgres", password="salah-sekali")
    result = _kipp("ledger", "check", "--out", str(tmp_path), url=url)
    assert result.exit_code == ExitCode.LEDGER
    line = _one_line(result, url.replace(":salah-sekali", ""), "password authentication failed")
    assert "salah-sekali" not in line


@pytest.mark.slow
def test_processes_opening_a_new_database_at_once_make_its_tables_once(postgres_url: str, tmp_path: Path) -> None:
    """A run, kipp ui and workers may start together on an empty database: the first makes the tables,
    the others wait for it (PostgreSQL would otherwise fail one CREATE TABLE with a duplicate key)."""
    code = ("import sys\nfrom pathlib import Path\nfrom models.ledger import open_ledger\n"
            "from models.settings import Settings\n"
            "open_ledger(Path(sys.argv[1]), Settings.from_env()).close()\n")
    openers = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path / f"out-{i}" / "ledger.sqlite")], cwd=REPO,
                                env={**os.environ, "KIPP_DATABASE_URL": postgres_url}, stderr=subprocess.PIPE, text=True)
               for i in range(6)]
    errors = [proc.communicate(timeout=120)[1] for proc in openers]
    assert [proc.returncode for proc in openers] == [0] * 6, errors
    with open_ledger(tmp_path / "ledger.sqlite", Settings(database_url=postgres_url)) as ledger:
        assert ledger.meta("schema_version") == "2" and "retry" in ledger.db.columns("extractions")


@pytest.mark.slow
def test_one_writer_per_database_across_output_folders_and_a_killed_holder_frees_it(postgres_url: str,
                                                                                    tmp_path: Path) -> None:
    """Two machines share the database but not their flocks (two output folders here): the second writer
    is refused in one line naming the first; SIGKILL of the first frees the lock for the next."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "machine-a")],
        cwd=REPO, env={**os.environ, "KIPP_DATABASE_URL": postgres_url}, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        settings = Settings(database_url=postgres_url)
        with pytest.raises(OutputError) as refused:
            OutputLock(tmp_path / "machine-b", "run", settings).acquire()
        message = str(refused.value)
        assert f"kipp watch (pid {holder.pid}, {socket.gethostname()})" in message and "\n" not in message
        assert str(tmp_path / "machine-b") in message and "rahasia" not in message
        with OutputLock(tmp_path / "machine-b", "run"):  # its flock was let go with the refusal
            pass
        holder.kill()
        holder.wait()
        deadline = time.monotonic() + 10
        while True:  # the server ends the dead session as soon as it reads the closed socket
            try:
                lock = OutputLock(tmp_path / "machine-b", "run", settings).acquire()
                break
            except OutputError:
                assert time.monotonic() < deadline, "the lock of a killed holder was never freed"
                time.sleep(0.1)
        lock.release()
        with OutputLock(tmp_path / "machine-a", "watch", settings):  # released: the next one takes it
            pass
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


@pytest.mark.slow
def test_a_run_on_postgresql_writes_the_screening_of_a_run_on_sqlite(postgres_url: str, tmp_path: Path,
                                                                    roster_file: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = tmp_path / "inbox"
    make_pdf(inbox / "SMPN 5 inovasi.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), BODY])
    make_pdf(inbox / "b" / "smpn 5 inovasi (salinan).pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), BODY])
    make_docx(inbox / "SMPN 15 kinerja.docx", ["PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK",
                                              "SMP NEGERI 15 MALANG", BODY])
    make_pdf(inbox / "Puskesmas Rampal.pdf", [cover("PROPOSAL INOVASI", "UPT PUSKESMAS RAMPAL CELAKET"), BODY])
    make_pdf(inbox / "apa ini.pdf", [cover("LAPORAN", "TIDAK ADA NAMA"), BODY])
    (inbox / "kosong.pdf").write_bytes(b"")
    for name, value in {"KIPP_WORKERS": "1", "KIPP_SETTLE_SECONDS": "0", "KIPP_ISOLATE": "0"}.items():
        monkeypatch.setenv(name, value)
    screenings = []
    for out, url in ((tmp_path / "on-sqlite", None), (tmp_path / "on-postgres", postgres_url)):
        if url:
            monkeypatch.setenv("KIPP_DATABASE_URL", url)
        run_once(RunConfig(inbox, roster_file, out, "2021"))  # the settings of the environment, as kipp run reads them
        screenings.append(json.loads((out / "screening.json").read_text(encoding="utf-8")))
    assert not (tmp_path / "on-postgres" / "ledger.sqlite").exists()
    again = run_once(RunConfig(inbox, roster_file, tmp_path / "on-postgres", "2021"))  # every answer from the ledger
    assert again.files_extracted == 0
    screenings.append(json.loads((tmp_path / "on-postgres" / "screening.json").read_text(encoding="utf-8")))
    for screening in screenings:
        screening.pop("generated_at")
    assert screenings[0]["participants"] and screenings[0]["duplicates"]
    assert screenings[1] == screenings[0] and screenings[2] == screenings[0]
    checked = CliRunner().invoke(main, ["--lang", "en", "ledger", "check", "--out", str(tmp_path / "on-postgres")])
    assert checked.exit_code == 0 and "the ledger can be used (schema 2, edition 2021)" in checked.output
