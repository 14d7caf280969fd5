"""kipp watch: new files are screened, a second watcher is refused, SIGKILL loses nothing, bursts are counted."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from flows.lock import OutputLock
from flows.steps import RunConfig, run_once
from flows.watch import WatchOptions, watch
from models.errors import KippError
from models.settings import Settings
from tests.conftest import BODY, cover, make_docx, make_pdf

REPO = Path(__file__).resolve().parents[2]


def _screened(out: Path) -> dict:
    try:
        return json.loads((out / "screening.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def _paths(out: Path) -> set[str]:
    return {d["path"] for d in _screened(out).get("documents", [])}


def test_watch_screens_files_as_they_arrive_and_stops_between_batches(tmp_path: Path, roster_file: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    # Read in this process: the watching is the subject, and a worker process per batch costs its imports.
    config = RunConfig(inbox, roster_file, out, "2021", Settings(workers=1, settle_seconds=0, isolate=False))
    stop = threading.Event()
    ready = threading.Event()
    thread = threading.Thread(
        target=watch, args=(inbox, out, lambda: run_once(config), WatchOptions(stable=0.2)),
        kwargs={"stop": stop, "on_ready": lambda mode: ready.set()},
    )
    thread.start()
    try:
        assert ready.wait(30)
        make_pdf(inbox / "SMPN 5 inovasi.pdf", [cover("PROPOSAL INOVASI", "SMP NEGERI 5 MALANG"), BODY])
        _wait_for(lambda: "SMPN 5 inovasi.pdf" in _paths(out), 15, "the first file in the report")
        make_docx(inbox / "SMPN 5" / "kinerja.docx", ["PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK", "SMPN 5", BODY])
        (inbox / "unggahan.pdf.crdownload").write_bytes(b"%PDF-")
        _wait_for(lambda: "SMPN 5/kinerja.docx" in _paths(out), 15, "the second file in the report")
        people = {p["id"]: p["status"] for p in _screened(out)["participants"]}
        assert people["smp-05"] == "complete"
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()


def test_a_second_writer_on_the_same_output_is_refused_clearly(tmp_path: Path) -> None:
    with OutputLock(tmp_path, "watch"):
        with pytest.raises(KippError, match=r"sedang diproses oleh kipp watch \(pid \d+\)"):
            OutputLock(tmp_path, "run").acquire()
    OutputLock(tmp_path, "run").acquire().release()  # free again once the first lets go


# -- the real `kipp watch`, in its own process -------------------------------------------------


def test_a_second_kipp_watch_on_the_same_output_stops_at_once_with_the_holder(tmp_path: Path, roster_file: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    with OutputLock(out, "watch"):  # the first watcher
        second = _start_watcher(inbox, roster_file, out)
        output, _ = second.communicate(timeout=60)
    assert second.returncode == 4  # ExitCode.OUTPUT: held by another writer
    assert f"sedang diproses oleh kipp watch (pid {os.getpid()})" in output
    assert "Traceback" not in output


def _start_watcher(inbox: Path, roster: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "KIPP_WORKERS": "2", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "watch", "--inbox", str(inbox), "--roster", str(roster),
         "--out", str(out), "--interval", "1"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _wait_ready(proc: subprocess.Popen, timeout: float = 120) -> str:
    lines = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Mengawasi"):
            return "".join(lines)
    raise AssertionError("watcher did not start:\n" + "".join(lines))


def _comparable(out: Path) -> dict:
    doc = _screened(out)
    doc.pop("generated_at", None)
    return doc


def _write_batch(inbox: Path, start: int, count: int, rng: random.Random) -> None:
    units = ["SMP NEGERI 5 MALANG", "SMP NEGERI 15 MALANG", "SD NEGERI SAWOJAJAR 1", "KELURAHAN BUNULREJO",
             "UPT PUSKESMAS KENDALKEREP", "SD NEGERI SAWOJAJAR 2", "DINAS KESEHATAN"]
    for i in range(start, start + count):
        title = rng.choice(["PROPOSAL INOVASI", "PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK"])
        make_pdf(inbox / f"kiriman_{i:03d}.pdf", [cover(title, rng.choice(units)), f"{BODY} nomor {i}"])


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing_and_counts_nothing_twice(tmp_path: Path, roster_file: Path) -> None:
    rng = random.Random(20210203)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    _write_batch(inbox, 0, 12, rng)
    written = 12
    for _ in range(3):
        proc = _start_watcher(inbox, roster_file, out)
        time.sleep(rng.uniform(0.5, 12.0))  # during start-up, a batch, or idle
        _write_batch(inbox, written, 6, rng)
        written += 6
        time.sleep(rng.uniform(0.0, 2.0))
        proc.kill()
        proc.wait(30)
    proc = _start_watcher(inbox, roster_file, out)
    _wait_ready(proc)
    _wait_for(lambda: len(_paths(out)) == written, 60, f"all {written} files in the report")
    time.sleep(1.5)  # let a batch in hand finish before stopping
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    assert "Berhenti setelah" in output and "Traceback" not in output

    reference_inbox = tmp_path / "reference" / "inbox"
    shutil.copytree(inbox, reference_inbox)
    run_once(RunConfig(reference_inbox, roster_file, tmp_path / "reference" / "out", "2021",
                       Settings(workers=2, settle_seconds=0)))
    assert _comparable(out) == _comparable(tmp_path / "reference" / "out")


@pytest.mark.slow
def test_a_burst_of_500_files_in_10_seconds_is_all_accounted_for(tmp_path: Path, roster_file: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    template = make_docx(tmp_path / "template.docx", ["PROPOSAL INOVASI", "SD NEGERI SAWOJAJAR 1", BODY])
    proc = _start_watcher(inbox, roster_file, out)
    try:
        _wait_ready(proc)
        start = time.monotonic()
        for i in range(500):
            # Distinct content, so that every file is really read: a DOCX with one more paragraph.
            target = inbox / f"gelombang/berkas_{i:03d}.docx"
            target.parent.mkdir(exist_ok=True)
            shutil.copy(template, target)
            with target.open("ab") as fh:
                fh.write(f"\n{i}".encode())  # trailing bytes after the zip: still a valid DOCX, new sha256
        assert time.monotonic() - start < 10
        _wait_for(lambda: len(_paths(out)) == 500, 240, "all 500 files in the report")
        # A file caught half-written is read again by a later batch: wait for the last of those.
        _wait_for(lambda: all(d["reason"] != "still_writing" for d in _screened(out)["documents"]), 120,
                  "no file left as still_writing")
        # All 500 are SD Negeri Sawojajar 1's Inovasi proposal, each with its own bytes: the newest counts,
        # every other one is an older version of it.
        mtimes = {p.relative_to(inbox).as_posix(): p.stat().st_mtime_ns for p in inbox.rglob("*.docx")}
        newest = {path for path, mtime in mtimes.items() if mtime == max(mtimes.values())}
        documents = _screened(out)["documents"]
        accepted = [d["path"] for d in documents if d["status"] == "accepted"]
        assert len(accepted) == 1 and accepted[0] in newest, (accepted, newest)
        assert {d["path"] for d in documents} == set(mtimes)
        for d in documents:
            assert (d["participant_id"], d["doc_type"]) == ("sd-sawojajar-1", "inovasi"), d
            if d["path"] != accepted[0]:
                assert (d["status"], d["reason"], d["copy_of"]) == ("superseded", "newer_version", accepted[0]), d
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    assert proc.returncode == 0
