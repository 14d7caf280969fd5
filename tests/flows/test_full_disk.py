"""A full output disk fails the run cleanly and heals: old reports intact, nothing partial, Prefect's database unharmed."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from flows.lifecycle import TEMPLATE_NAME, alembic_version
from tests.conftest import BODY, cover, make_pdf

REPO = Path(__file__).resolve().parents[2]
REPORTS = ("screening.json", "completeness.html", "completeness.csv", "documents.csv", "themes.html", "duplicates.html")
PREFECT_NOISE = re.compile(r"\| (WARNING|ERROR|CRITICAL) +\||uvicorn|sqlalchemy|Internal Server Error|prefect\.server")


def _run(inbox: Path, roster: Path, out: Path, tmp: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(TMPDIR=str(tmp), KIPP_WORKERS="1")
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--inbox", str(inbox), "--roster", str(roster), "--out", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )


def _proposal(inbox: Path, name: str, unit: str, title: str = "PROPOSAL INOVASI") -> None:
    make_pdf(inbox / name, [cover(title, unit), BODY])


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 24 MB file system of its own (tmpfs), for the output folder."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", f"kipp-test-{uuid.uuid4().hex[:8]}", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.mark.slow
def test_a_full_output_disk_fails_cleanly_keeps_the_old_reports_and_the_next_run_heals(
    tmp_path: Path, roster_file: Path, small_disk: Path
) -> None:
    inbox, out, tmp = tmp_path / "inbox", small_disk / "out", tmp_path / "tmp"
    tmp.mkdir()
    _proposal(inbox, "SMPN 5 inovasi.pdf", "SMP NEGERI 5 MALANG")
    _proposal(inbox, "SMPN 5 kinerja.pdf", "SMPN 5", "PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK")
    first = _run(inbox, roster_file, out, tmp)
    assert first.returncode == 0, first.stdout + first.stderr
    before = {name: (out / name).read_bytes() for name in REPORTS}

    # New files arrive, among them a large broken one whose quarantine copy cannot fit: the disk has
    # just more than the 10 MB kipp asks for before it starts, and fills up halfway through the run.
    _proposal(inbox, "SDN Sawojajar 1 inovasi.pdf", "SD NEGERI SAWOJAJAR 1")
    (inbox / "rusak.pdf").write_bytes(os.urandom(12 << 20))
    free = shutil.disk_usage(small_disk).free
    ballast = small_disk / "ballast"
    with ballast.open("wb") as fh:
        os.posix_fallocate(fh.fileno(), 0, free - (10 << 20) - (400 << 10))
    full = _run(inbox, roster_file, out, tmp)
    assert full.returncode == 4, full.stdout + full.stderr  # the output folder is unusable
    assert not PREFECT_NOISE.search(full.stderr), full.stderr  # Prefect's server and engine say nothing
    lines = full.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kipp: ") and "penuh" in lines[0], full.stderr
    assert {name: (out / name).read_bytes() for name in REPORTS} == before
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]  # no partial report or copy
    assert not (out / "karantina" / "rusak.pdf").exists()
    assert not list(tmp.glob("kipp-prefect-*"))

    ballast.unlink()
    healed = _run(inbox, roster_file, out, tmp)
    assert healed.returncode == 0, healed.stdout + healed.stderr
    assert healed.stderr == ""
    documents = {d["path"]: d for d in json.loads((out / "screening.json").read_text(encoding="utf-8"))["documents"]}
    assert documents["rusak.pdf"]["status"] == "quarantined"
    assert documents["SDN Sawojajar 1 inovasi.pdf"]["status"] == "accepted"
    assert (out / "karantina" / "rusak.pdf").read_bytes() == (inbox / "rusak.pdf").read_bytes()


@pytest.mark.slow
def test_a_half_migrated_prefect_database_heals_by_itself(tmp_path: Path, roster_file: Path) -> None:
    inbox, out, tmp = tmp_path / "inbox", tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    _proposal(inbox, "SMPN 5 inovasi.pdf", "SMP NEGERI 5 MALANG")
    first = _run(inbox, roster_file, out, tmp)
    assert first.returncode == 0, first.stdout + first.stderr
    home = out / ".kipp" / "prefect"
    head = alembic_version(home / TEMPLATE_NAME)
    assert head is not None
    # What a full disk did to the old kipp: a migration applied but not recorded, so the next upgrade
    # fails on `duplicate column name`. Both the template and the old in-place database are left so.
    with closing(sqlite3.connect(home / TEMPLATE_NAME)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '3c841a1800a1'")  # before automation tags were added
        conn.commit()
    shutil.copyfile(home / TEMPLATE_NAME, home / "prefect.db")

    _proposal(inbox, "SMPN 5 kinerja.pdf", "SMPN 5", "PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK")
    healed = _run(inbox, roster_file, out, tmp)
    assert healed.returncode == 0, healed.stdout + healed.stderr
    assert healed.stderr == ""
    assert "2 berkas di kotak masuk, 1 baru dibaca" in healed.stdout
    assert alembic_version(home / TEMPLATE_NAME) == head
    assert not (home / "prefect.db").exists()
    assert not list(tmp.glob("kipp-prefect-*"))
