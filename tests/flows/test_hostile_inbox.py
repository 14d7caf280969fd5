"""Hostile inboxes (issue 10, the inbox side): odd entries, swapped files, overlapping folders, odd names.

Each test builds the case on disk with real files, FIFOs, sockets, links and permissions, and runs
the real steps. Cases that root would bypass (permissions) also run as `nobody` through setpriv.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.steps import RunConfig, open_run, run_once
from flows.steps.check import check_inputs
from flows.steps.context import OutputPaths
from flows.steps.decide import decide
from flows.steps.extract import extract
from flows.steps.report import copy_quarantined, note_path, quarantine_copy_path
from flows.steps.scan import scan
from models.errors import ExitCode, KippError, OutputError
from models.inbox import PATH_MAX, scan_inbox
from models.ledger import Ledger
from models.records import FileStatus, Reason
from models.settings import Settings
from tests.conftest import BODY, ROSTER_CSV, cover, make_pdf

REPO = Path(__file__).resolve().parents[2]
SECRET = b"root:x:0:0:RAHASIA-DI-LUAR-KOTAK-MASUK\n"
QUARANTINE_DIR, NOTES_DIR = OutputPaths(Path("")).quarantine.name, OutputPaths(Path("")).notes.name


def _config(inbox: Path, out: Path, roster: Path) -> RunConfig:
    return RunConfig(inbox, roster, out, "2021", Settings(workers=1, settle_seconds=0, isolate=False))


def _inovasi(path: Path, unit: str = "SD NEGERI SAWOJAJAR 1") -> Path:
    return make_pdf(path, [cover("PROPOSAL INOVASI PELAYANAN PUBLIK", unit), BODY])


def _kinerja(path: Path, unit: str = "SD NEGERI SAWOJAJAR 1") -> Path:
    return make_pdf(path, [cover("PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK", unit), BODY])


def _snapshot(root: Path) -> dict[bytes, tuple]:
    """Every entry under root (any name, any kind) with its kind, size, mtime and content hash."""
    state: dict[bytes, tuple] = {}
    base = os.fsencode(root)
    for dirpath, dirs, files in os.walk(base):
        for name in dirs + files:
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            digest = None
            if stat.S_ISREG(st.st_mode):
                with open(full, "rb") as fh:
                    digest = hashlib.sha256(fh.read()).hexdigest()
            state[os.path.relpath(full, base)] = (stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns, digest)
    return state


def _outcomes(result) -> dict[str, tuple]:
    return {o.path: (o.status, o.reason) for o in result.screening.documents}


def _in_thread(fn, timeout: float):
    """Run fn in a thread; fail (instead of hanging the suite) when it does not return in time."""
    box: dict = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as e:  # noqa: BLE001 -- handed back to the test
            box["error"] = e

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"still running after {timeout} s: it hangs"
    if "error" in box:
        raise box["error"]
    return box["value"]


# -- 1. the inbox is never written, whatever the folders -----------------------------------------


@pytest.mark.parametrize("layout", ["inbox_in_out_karantina", "same", "out_in_inbox", "inbox_link_to_out"])
def test_overlapping_inbox_and_output_are_refused_and_the_inbox_is_untouched(
    tmp_path: Path, roster_file: Path, layout: str
) -> None:
    reports = tmp_path / "reports"
    _inovasi(tmp_path / "inbox" / "SDN Sawojajar 1 inovasi.pdf")
    (tmp_path / "inbox" / "rusak.pdf").write_bytes(b"%PDF-1.7\n garbage")
    run_once(_config(tmp_path / "inbox", reports, roster_file))  # fills reports/karantina
    inbox, out = {
        "inbox_in_out_karantina": (reports / QUARANTINE_DIR, reports),  # the case of the issue
        "same": (reports, reports),
        "out_in_inbox": (tmp_path / "inbox", tmp_path / "inbox" / "laporan"),
        "inbox_link_to_out": (tmp_path / "tautan", reports),
    }[layout]
    if layout == "inbox_link_to_out":
        inbox.symlink_to(reports / QUARANTINE_DIR)
    before = _snapshot(inbox), _snapshot(reports)
    with pytest.raises(OutputError, match="tidak boleh sama atau saling memuat") as caught:
        run_once(_config(inbox, out, roster_file))
    assert caught.value.exit_code is ExitCode.OUTPUT
    assert (_snapshot(inbox), _snapshot(reports)) == before
    assert not (tmp_path / "inbox" / "laporan").exists()


def test_kipp_run_with_the_inbox_inside_its_output_stops_with_one_line(tmp_path: Path, roster_file: Path) -> None:
    reports = tmp_path / "reports"
    (reports / QUARANTINE_DIR).mkdir(parents=True)
    _inovasi(reports / QUARANTINE_DIR / "SDN Sawojajar 1 inovasi.pdf")
    before = _snapshot(reports)
    result = CliRunner().invoke(main, ["run", "--inbox", str(reports / QUARANTINE_DIR), "--out", str(reports),
                                       "--roster", str(roster_file)])
    assert result.exit_code not in (0, None) and isinstance(result.exception, SystemExit)
    assert "tidak boleh sama atau saling memuat" in result.stderr
    assert "Traceback" not in result.output
    assert _snapshot(reports) == before


def test_kipp_watch_with_the_output_inside_the_inbox_writes_not_even_its_lock(tmp_path: Path, roster_file: Path) -> None:
    inbox = tmp_path / "inbox"
    _inovasi(inbox / "SDN Sawojajar 1 inovasi.pdf")
    before = _snapshot(inbox)
    result = CliRunner().invoke(main, ["watch", "--inbox", str(inbox), "--out", str(inbox / "laporan"),
                                       "--roster", str(roster_file)])
    assert result.exit_code not in (0, None) and isinstance(result.exception, SystemExit)
    assert "tidak boleh sama atau saling memuat" in result.stderr
    assert _snapshot(inbox) == before


def test_an_inbox_given_as_a_link_to_a_folder_is_read(tmp_path: Path, roster_file: Path) -> None:
    _inovasi(tmp_path / "kiriman" / "SDN Sawojajar 1 inovasi.pdf")
    (tmp_path / "inbox").symlink_to(tmp_path / "kiriman", target_is_directory=True)
    result = run_once(_config(tmp_path / "inbox", tmp_path / "reports", roster_file))
    assert _outcomes(result) == {"SDN Sawojajar 1 inovasi.pdf": (FileStatus.ACCEPTED, None)}


def test_kipp_deletes_only_what_it_wrote_in_karantina(tmp_path: Path, roster_file: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "reports"
    (inbox / "SMPN 5").mkdir(parents=True)
    (inbox / "SMPN 5" / "rusak.pdf").write_bytes(b"%PDF-1.7\n garbage")
    config = _config(inbox, out, roster_file)
    run_once(config)
    copy = out / QUARANTINE_DIR / "SMPN 5" / "rusak.pdf"
    assert copy.read_bytes() == b"%PDF-1.7\n garbage"
    admins = [out / QUARANTINE_DIR / "catatan admin.txt", out / QUARANTINE_DIR / "SMPN 5" / "telepon.txt",
              out / NOTES_DIR / "milik admin.txt"]
    for path in admins:
        path.write_text("milik admin\n", encoding="utf-8")
    _inovasi(inbox / "SMPN 5" / "rusak.pdf", "SMP NEGERI 5 MALANG")  # replaced by a good file: no longer quarantined
    result = run_once(config)
    assert _outcomes(result)["SMPN 5/rusak.pdf"] == (FileStatus.ACCEPTED, None)
    assert not copy.exists() and not note_path(out, "SMPN 5/rusak.pdf").exists()
    for path in admins:
        assert path.read_text(encoding="utf-8") == "milik admin\n"


def test_a_copy_left_by_an_earlier_kipp_without_a_manifest_is_adopted_and_another_file_is_kept(
    tmp_path: Path, roster_file: Path
) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "reports"
    inbox.mkdir()
    (inbox / "a.pdf").write_bytes(b"%PDF-1.7\n rusak a")
    (inbox / "b.pdf").write_bytes(b"%PDF-1.7\n rusak b")
    (out / QUARANTINE_DIR).mkdir(parents=True)
    (out / QUARANTINE_DIR / "a.pdf").write_bytes(b"%PDF-1.7\n rusak a")  # as the old kipp copied it
    (out / QUARANTINE_DIR / "b.pdf").write_bytes(b"punya admin")  # not a copy of b.pdf
    config = _config(inbox, out, roster_file)
    run_once(config)
    assert "salinan: karantina/a.pdf\n" in note_path(out, "a.pdf").read_text(encoding="utf-8")
    assert "salinan: tidak ada" in note_path(out, "b.pdf").read_text(encoding="utf-8")
    (inbox / "a.pdf").unlink()
    (inbox / "b.pdf").unlink()
    run_once(config)
    assert not (out / QUARANTINE_DIR / "a.pdf").exists()  # adopted, so kipp's to remove
    assert (out / QUARANTINE_DIR / "b.pdf").read_bytes() == b"punya admin"


# -- 2. no entry stops or hangs a run or the watcher ------------------------------------------------


def test_odd_entries_each_end_in_a_state_and_the_run_finishes(tmp_path: Path, roster_file: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "reports"
    _inovasi(inbox / "SDN Sawojajar 1 inovasi.pdf")
    os.mkfifo(inbox / "kiriman.pdf")  # hung sha256_file forever
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(inbox / "soket.pdf"))  # ENXIO on open
    outside = tmp_path / "di luar"
    _kinerja(outside / "kinerja.pdf")
    (inbox / "SD Negeri Sawojajar 2").symlink_to(outside, target_is_directory=True)
    (inbox / "putaran").symlink_to(inbox / "putaran")  # a symlink loop
    with open(os.path.join(os.fsencode(inbox), b"SDN Sawojajar 1 kinerja \xff.pdf"), "wb") as fh:
        fh.write(_kinerja(tmp_path / "k.pdf").read_bytes())
    try:
        result = _in_thread(lambda: run_once(_config(inbox, out, roster_file)), 120)
        again = _in_thread(lambda: run_once(_config(inbox, out, roster_file)), 120)  # the ledger holds them all
    finally:
        sock.close()
    got = _outcomes(result)
    assert got == _outcomes(again)
    assert got == {
        "SDN Sawojajar 1 inovasi.pdf": (FileStatus.ACCEPTED, None),
        "kiriman.pdf": (FileStatus.IGNORED, Reason.SPECIAL_FILE),
        "soket.pdf": (FileStatus.IGNORED, Reason.SPECIAL_FILE),
        "SD Negeri Sawojajar 2": (FileStatus.IGNORED, Reason.SYMLINK),
        "putaran": (FileStatus.IGNORED, Reason.SYMLINK),
        "SDN Sawojajar 1 kinerja \\xff.pdf": (FileStatus.QUARANTINED, Reason.BAD_FILE_NAME),
    }
    bad = next(o for o in result.screening.documents if o.reason is Reason.BAD_FILE_NAME)
    assert bad.participant_id == "sd-sawojajar-1"  # the admin knows whom to ask for a rename
    copy = quarantine_copy_path(out, bad)
    assert copy.read_bytes() == (tmp_path / "k.pdf").read_bytes()
    assert "SDN Sawojajar 1 kinerja \\xff.pdf" in note_path(out, bad.path).read_text(encoding="utf-8")
    doc = json.loads((out / "screening.json").read_text(encoding="utf-8"))
    assert {d["path"] for d in doc["documents"]} == set(got)
    with Ledger(out / "ledger.sqlite") as ledger:
        rows = {row["path"] for row in ledger.outcome_rows()}
    assert set(got) <= rows


def test_a_file_gone_between_scan_and_hash_is_no_error_and_one_seen_before_is_removed(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _inovasi(inbox / "a.pdf")
    (inbox / "b.pdf").write_bytes(b"new")
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        ledger.sync_inbox(inbox, [i for i in scan_inbox(inbox) if i.path == "a.pdf"])
        (inbox / "a.pdf").write_bytes(b"changed, so it must be hashed again")
        items = scan_inbox(inbox)
        (inbox / "a.pdf").unlink()
        (inbox / "b.pdf").unlink()
        kept, hashes = ledger.sync_inbox(inbox, items)
        assert kept == [] and hashes == {}
        assert [row[0] for row in ledger.removed_paths()] == ["a.pdf"]


def _deep_file(inbox: Path, levels: int, name: bytes, data: bytes) -> str:
    """A file at a path longer than PATH_MAX, made one folder at a time (no path call could)."""
    fd = os.open(inbox, os.O_RDONLY | os.O_DIRECTORY)
    parts = []
    try:
        for i in range(levels):
            part = f"{i:03d}" + "d" * 200
            os.mkdir(part, dir_fd=fd)
            nxt = os.open(part, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = nxt
            parts.append(part)
        out = os.open(name, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, data)
        os.close(out)
    finally:
        os.close(fd)
    return "/".join([*parts, os.fsdecode(name)])


def test_a_path_longer_than_path_max_and_a_255_byte_name_are_quarantined_with_notes(
    tmp_path: Path, roster_file: Path
) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "reports"
    inbox.mkdir()
    deep = _deep_file(inbox, 22, b"SDN Sawojajar 1 inovasi.pdf", b"%PDF-1.7\n dalam")
    assert len(os.fsencode(str(inbox / deep))) > PATH_MAX
    long_name = "SMPN 5 " + "x" * 244 + ".pdf"
    assert len(long_name.encode()) == 255
    (inbox / long_name).write_bytes(b"%PDF-1.7\n garbage")
    result = _in_thread(lambda: run_once(_config(inbox, out, roster_file)), 120)
    by_path = {o.path: o for o in result.screening.documents}
    assert (by_path[deep].status, by_path[deep].reason) == (FileStatus.QUARANTINED, Reason.BAD_FILE_NAME)
    assert quarantine_copy_path(out, by_path[deep]).read_bytes() == b"%PDF-1.7\n dalam"
    assert by_path[long_name].status is FileStatus.QUARANTINED
    assert (out / QUARANTINE_DIR / long_name).read_bytes() == b"%PDF-1.7\n garbage"
    for path in (deep, long_name):
        assert f"alasan: {by_path[path].reason}\n" in note_path(out, path).read_text(encoding="utf-8")


def test_the_watcher_survives_a_fifo_a_socket_and_a_bad_name_and_screens_what_comes_after(
    tmp_path: Path, roster_file: Path
) -> None:
    from flows.watch import WatchOptions, watch

    inbox, out = tmp_path / "inbox", tmp_path / "reports"
    inbox.mkdir()
    config = _config(inbox, out, roster_file)
    stop, ready = threading.Event(), threading.Event()
    thread = threading.Thread(
        target=watch, args=(inbox, out, lambda: run_once(config), WatchOptions(stable=0.2)),
        kwargs={"stop": stop, "on_ready": lambda mode: ready.set()}, daemon=True,
    )
    thread.start()
    sock = socket.socket(socket.AF_UNIX)
    try:
        assert ready.wait(60)
        os.mkfifo(inbox / "kiriman.pdf")
        sock.bind(str(inbox / "soket.pdf"))
        with open(os.path.join(os.fsencode(inbox), b"nama \xff.pdf"), "wb") as fh:
            fh.write(b"%PDF-1.7\n")
        time.sleep(0.5)
        _inovasi(tmp_path / "staging" / "SDN Sawojajar 1 inovasi.pdf")
        os.replace(tmp_path / "staging" / "SDN Sawojajar 1 inovasi.pdf", inbox / "SDN Sawojajar 1 inovasi.pdf")
        deadline = time.monotonic() + 60
        paths: set[str] = set()
        while time.monotonic() < deadline and "SDN Sawojajar 1 inovasi.pdf" not in paths:
            time.sleep(0.1)
            try:
                paths = {d["path"] for d in json.loads((out / "screening.json").read_text(encoding="utf-8"))["documents"]}
            except (FileNotFoundError, json.JSONDecodeError):
                pass
        assert {"kiriman.pdf", "soket.pdf", "nama \\xff.pdf", "SDN Sawojajar 1 inovasi.pdf"} <= paths
        assert thread.is_alive()  # still watching
    finally:
        stop.set()
        thread.join(30)
        sock.close()
    assert not thread.is_alive()  # stopped when asked


# -- 2. permissions: as root (read anyway) and as nobody (unreadable, with a reason) --------------------


def _unreadable_inbox(base: Path) -> tuple[Path, Path, Path]:
    inbox, out = base / "inbox", base / "reports"
    _inovasi(inbox / "SDN Sawojajar 1" / "Proposal Inovasi.pdf")
    _kinerja(inbox / "SDN Sawojajar 1" / "Proposal Kinerja.pdf")
    _inovasi(inbox / "SD Negeri Sawojajar 2" / "inovasi.pdf", "SD NEGERI SAWOJAJAR 2")
    roster = base / "roster.csv"
    roster.write_text(ROSTER_CSV, encoding="utf-8")
    (inbox / "SDN Sawojajar 1" / "Proposal Kinerja.pdf").chmod(0o000)
    (inbox / "SD Negeri Sawojajar 2").chmod(0o000)
    return inbox, out, roster


def _out_for_nobody(out: Path) -> None:
    """The output folder, owned by nobody, holding the theme model a run of the inbox would train:
    trained once per test session in this process (conftest.py), so the process as nobody loads it
    instead of spending a second training it again (the run reuses a model of the same samples)."""
    from models.themes import ThemeClassifier, load_taxonomy, seed_samples

    taxonomy = load_taxonomy(None)
    ThemeClassifier.train(taxonomy, seed_samples(taxonomy)).save(OutputPaths(out).theme_model)
    for path in (out, *out.rglob("*")):
        os.chown(path, 65534, 65534)


def test_unreadable_file_and_folder_as_root_are_simply_read(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("root reads anything; this is the root case")
    inbox, out, roster = _unreadable_inbox(tmp_path)
    result = run_once(_config(inbox, out, roster))
    assert set(_outcomes(result).values()) == {(FileStatus.ACCEPTED, None)}
    assert len(result.screening.documents) == 3


# The three cases as nobody: the intake steps without Prefect (on machines where the venv's interpreter
# lives under /root, nobody gets another Python and Prefect's server cannot import; the file handling is
# the same), then the watcher over inotify and over polling. One process runs the three, one case after
# another, each on an inbox of its own: a Python importing kipp and scikit-learn costs 1.5 s to start.
AS_NOBODY = """
import contextlib, io, json, sys, threading, time, traceback
from pathlib import Path
from flows.steps import RunConfig, run_once
from flows.watch import WatchOptions, watch
from models.settings import Settings

def config(base):
    return RunConfig(base / "inbox", base / "roster.csv", base / "reports", "2021",
                     Settings(workers=1, settle_seconds=0, isolate=False))

def run(base):
    r = run_once(config(base))
    print(sorted((o.path, o.reason) for o in r.screening.documents))

def watching(base, mode):
    inbox, out = base / "inbox", base / "reports"
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(inbox, out, lambda: run_once(config(base)),
                              WatchOptions(stable=0.2, polling=mode == "polling", poll_interval=0.5)),
                              kwargs={"stop": stop})
    thread.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            docs = json.loads((out / "screening.json").read_text(encoding="utf-8"))["documents"]
            print(sorted((d["path"], d["reason"]) for d in docs))
            break
        except (FileNotFoundError, ValueError):
            time.sleep(0.1)
    stop.set()
    thread.join(30)
    print("stopped" if not thread.is_alive() else "still running")

root = Path(sys.argv[1])
results = {}
for case in sys.argv[2:]:
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            run(root / case) if case == "run" else watching(root / case, case)
        error = None
    except Exception:
        error = traceback.format_exc()
    results[case] = {"stdout": printed.getvalue(), "error": error}
print(json.dumps(results))
"""
NOBODY_CASES = ("run", "inotify", "polling")


@pytest.fixture(scope="module")
def as_nobody() -> Iterator[tuple[Path, dict]]:
    """The folder of the three cases (run/, inotify/, polling/: an unreadable inbox each, in a folder
    nobody can reach, as pytest's tmp_path is private to root) and what each case printed, or its error."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run kipp as nobody")
    base = Path(tempfile.mkdtemp(prefix="kipp-nobody-"))
    base.chmod(0o755)
    try:
        for case in NOBODY_CASES:
            _unreadable_inbox(base / case)
        for path in base.rglob("*"):
            os.chown(path, 0, 0)
        for case in NOBODY_CASES:
            _out_for_nobody(base / case / "reports")
        env = {**os.environ, "HOME": str(base), "KIPP_SETTLE_SECONDS": "0", "KIPP_WORKERS": "1",
               "PYTHONDONTWRITEBYTECODE": "1"}
        proc = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", AS_NOBODY,
             str(base), *NOBODY_CASES],
            check=False, cwd=REPO, capture_output=True, text=True, timeout=300, env=env,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr, proc.stderr
        yield base, json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        for path in base.rglob("*"):
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(base)


def test_unreadable_file_and_folder_as_nobody_are_quarantined_with_their_participant(as_nobody) -> None:
    base, results = as_nobody
    printed, error = results["run"]["stdout"], results["run"]["error"]
    assert error is None, error
    assert "Traceback" not in printed
    doc = json.loads((base / "run" / "reports" / "screening.json").read_text(encoding="utf-8"))
    got = {d["path"]: (d["status"], d["reason"], d["participant_id"]) for d in doc["documents"]}
    assert got == {
        "SDN Sawojajar 1/Proposal Inovasi.pdf": ("accepted", None, "sd-sawojajar-1"),
        "SDN Sawojajar 1/Proposal Kinerja.pdf": ("quarantined", "unreadable", "sd-sawojajar-1"),
        "SD Negeri Sawojajar 2": ("quarantined", "unreadable", "sd-sawojajar-2"),  # the folder, as itself
    }
    assert printed.count("unreadable") == 2


@pytest.mark.parametrize("mode", ["inotify", "polling"])
def test_the_watcher_as_nobody_survives_an_unreadable_folder(as_nobody, mode: str) -> None:
    _, results = as_nobody
    printed, error = results[mode]["stdout"], results[mode]["error"]
    assert error is None, error
    assert "('SD Negeri Sawojajar 2', 'unreadable')" in printed
    assert "('SDN Sawojajar 1/Proposal Kinerja.pdf', 'unreadable')" in printed
    assert printed.rstrip().endswith("stopped")


# -- 3. a file is read once, from what was checked -----------------------------------------------------


def _screened_but_not_copied(config: RunConfig):
    with open_run(config) as run:
        for step in (scan, extract, decide):
            step(run)
        return run.screening


@pytest.mark.parametrize("swap", ["file_to_symlink", "folder_to_symlink", "other_bytes"])
def test_a_file_swapped_after_screening_is_not_copied_into_karantina(
    tmp_path: Path, roster_file: Path, swap: str
) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "reports"
    (inbox / "SMPN 5").mkdir(parents=True)
    (inbox / "SMPN 5" / "surat.pdf").write_bytes(b"%PDF-1.7\n garbage")
    secret = tmp_path / "rahasia"
    secret.mkdir()
    (secret / "surat.pdf").write_bytes(SECRET)
    config = _config(inbox, out, roster_file)
    screening = _screened_but_not_copied(config)
    assert _outcomes_of(screening)["SMPN 5/surat.pdf"] == (FileStatus.QUARANTINED, Reason.CORRUPT_PDF)
    if swap == "file_to_symlink":
        (inbox / "SMPN 5" / "surat.pdf").unlink()
        (inbox / "SMPN 5" / "surat.pdf").symlink_to(secret / "surat.pdf")
    elif swap == "folder_to_symlink":
        shutil.rmtree(inbox / "SMPN 5")
        (inbox / "SMPN 5").symlink_to(secret, target_is_directory=True)
    else:
        (inbox / "SMPN 5" / "surat.pdf").write_bytes(SECRET)
    copy_quarantined(config, screening)
    assert not (out / QUARANTINE_DIR / "SMPN 5" / "surat.pdf").exists()
    note = note_path(out, "SMPN 5/surat.pdf").read_text(encoding="utf-8")
    assert "salinan: tidak ada" in note
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_bytes(), path
    assert not list(out.rglob(".kipp-*.tmp"))


def _outcomes_of(screening) -> dict[str, tuple]:
    return {o.path: (o.status, o.reason) for o in screening.documents}


def test_a_file_swapped_for_a_symlink_after_the_scan_is_never_hashed_through_it(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "surat.pdf").write_bytes(b"%PDF-1.7\n")
    (tmp_path / "rahasia").write_bytes(SECRET)
    items = scan_inbox(inbox)
    (inbox / "surat.pdf").unlink()
    (inbox / "surat.pdf").symlink_to(tmp_path / "rahasia")
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        kept, hashes = ledger.sync_inbox(inbox, items)
    assert [(i.path, i.ignore_reason) for i in kept] == [("surat.pdf", Reason.SYMLINK)]
    assert hashes == {}


# -- 5 (part). a full disk leaves no partial copy ------------------------------------------------------


def test_a_full_disk_leaves_no_partial_copy_in_karantina(tmp_path: Path, roster_file: Path) -> None:
    inbox, small = tmp_path / "inbox", tmp_path / "kecil"
    inbox.mkdir()
    small.mkdir()
    (inbox / "besar.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(400_000))
    config = _config(inbox, tmp_path / "reports", roster_file)
    screening = _screened_but_not_copied(config)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(small)], capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs: {mounted.stderr.decode().strip()}")
    try:
        with pytest.raises(OutputError, match="disk penuh") as caught:
            copy_quarantined(RunConfig(inbox, config.roster, small, "2021", config.settings), screening)
        assert caught.value.exit_code is ExitCode.OUTPUT
        assert isinstance(caught.value.__cause__, OSError) and caught.value.__cause__.errno == errno.ENOSPC
        left = [p for p in (small / QUARANTINE_DIR).rglob("*") if p.is_file()] if (small / QUARANTINE_DIR).exists() else []
        assert left == []
    finally:
        subprocess.run(["umount", str(small)], check=True)


# -- 8. the quarantine copy is faithful -----------------------------------------------------------------


def test_a_participant_file_named_like_a_note_overwrites_nothing(tmp_path: Path, roster_file: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "reports"
    inbox.mkdir()
    (inbox / "x.pdf").write_bytes(b"%PDF-1.7\n rusak")
    (inbox / "x.pdf.alasan.txt").write_bytes(b"alasan: diterima\n")
    result = run_once(_config(inbox, out, roster_file))
    assert {s for s, _ in _outcomes(result).values()} == {FileStatus.QUARANTINED}
    assert (out / QUARANTINE_DIR / "x.pdf.alasan.txt").read_bytes() == b"alasan: diterima\n"
    assert (out / QUARANTINE_DIR / "x.pdf").read_bytes() == b"%PDF-1.7\n rusak"
    assert "alasan: corrupt_pdf\n" in note_path(out, "x.pdf").read_text(encoding="utf-8")
    assert "alasan: unsupported_format\n" in note_path(out, "x.pdf.alasan.txt").read_text(encoding="utf-8")
    index = (out / NOTES_DIR / "daftar.txt").read_text(encoding="utf-8").splitlines()
    assert sorted(line.split("\t")[2] for line in index) == ["x.pdf", "x.pdf.alasan.txt"]


def test_a_same_size_replacement_replaces_the_copy_and_its_note(tmp_path: Path, roster_file: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "reports"
    inbox.mkdir()
    (inbox / "x.pdf").write_bytes(b"%PDF-1.7\n AAAA")
    config = _config(inbox, out, roster_file)
    run_once(config)
    (inbox / "x.pdf").write_bytes(b"%PDF-1.7\n BBBB")
    result = run_once(config)
    sha = next(o.sha256 for o in result.screening.documents)
    assert sha == hashlib.sha256(b"%PDF-1.7\n BBBB").hexdigest()
    assert (out / QUARANTINE_DIR / "x.pdf").read_bytes() == b"%PDF-1.7\n BBBB"
    assert f"sha256: {sha}\n" in note_path(out, "x.pdf").read_text(encoding="utf-8")


def test_a_quarantined_file_replaced_by_a_folder_of_the_same_name_is_no_error(tmp_path: Path, roster_file: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "reports"
    inbox.mkdir()
    (inbox / "x.pdf").write_bytes(b"%PDF-1.7\n rusak")
    config = _config(inbox, out, roster_file)
    run_once(config)
    (inbox / "x.pdf").unlink()
    (inbox / "x.pdf").mkdir()
    (inbox / "x.pdf" / "y.pdf").write_bytes(b"%PDF-1.7\n juga rusak")
    for _ in range(2):  # and on every later run
        result = run_once(config)
        assert _outcomes(result)["x.pdf/y.pdf"] == (FileStatus.QUARANTINED, Reason.CORRUPT_PDF)
        assert _outcomes(result)["x.pdf"] == (FileStatus.IGNORED, Reason.REMOVED_FROM_INBOX)
        assert (out / QUARANTINE_DIR / "x.pdf" / "y.pdf").read_bytes() == b"%PDF-1.7\n juga rusak"


# -- 9. a changed file is noticed --------------------------------------------------------------------


def test_a_same_size_replacement_with_its_mtime_restored_is_rehashed(tmp_path: Path, roster_file: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "reports"
    path = _inovasi(inbox / "SDN Sawojajar 1.pdf")
    other = _kinerja(tmp_path / "other.pdf")
    old, data = path.read_bytes(), other.read_bytes()
    width = max(len(old), len(data))
    old, data = old.ljust(width, b"\n"), data.ljust(width, b"\n")  # same size, other bytes
    path.write_bytes(old)
    other.write_bytes(data)
    first = run_once(_config(inbox, out, roster_file))
    assert first.screening.documents[0].doc_type == "inovasi"
    st = path.stat()
    for in_place in (True, False):
        if in_place:
            path.write_bytes(data)  # same inode, new ctime
        else:
            os.replace(other, path)  # new inode
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # touch -r: the old mtime again
        assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
        result = run_once(_config(inbox, out, roster_file))
        o = result.screening.documents[0]
        assert o.sha256 == hashlib.sha256(data).hexdigest()
        assert o.doc_type == "kinerja"
        doc = json.loads((out / "screening.json").read_text(encoding="utf-8"))
        assert doc["documents"][0]["sha256"] == o.sha256
        path.write_bytes(old)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert run_once(_config(inbox, out, roster_file)).screening.documents[0].doc_type == "inovasi"


# -- 11. what reaches a terminal or a note is printable -----------------------------------------------

ANSI_NAME = "rusak \x1b[2J\x1b[31mSEMUA LENGKAP\x1b[0m.pdf"
FORGED_NAME = "x.pdf\nalasan: diterima\nketerangan: lengkap"


def test_a_name_with_newlines_cannot_forge_lines_in_a_note(tmp_path: Path, roster_file: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "reports"
    inbox.mkdir()
    (inbox / FORGED_NAME).write_bytes(b"%PDF-1.7\n rusak")
    (inbox / ANSI_NAME).write_bytes(b"%PDF-1.7\n rusak")
    run_once(_config(inbox, out, roster_file))
    for name in (FORGED_NAME, ANSI_NAME):
        lines = note_path(out, name).read_text(encoding="utf-8").splitlines()
        assert [line.split(":")[0] for line in lines] == [
            "berkas", "sha256", "alasan", "keterangan", "dugaan peserta", "salinan"]
        assert [line for line in lines if line.startswith("alasan:")] == ["alasan: corrupt_pdf"]
        assert not any(ch in "".join(lines) for ch in "\x1b\r")
    note = note_path(out, FORGED_NAME).read_text(encoding="utf-8")
    assert "berkas: x.pdf\\nalasan: diterima\\nketerangan: lengkap\n" in note
    index = (out / NOTES_DIR / "daftar.txt").read_text(encoding="utf-8")
    assert len(index.splitlines()) == 2 and "\x1b" not in index


@pytest.mark.slow
def test_kipp_run_prints_an_ansi_name_escaped(tmp_path: Path, roster_file: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "reports"
    inbox.mkdir()
    (inbox / ANSI_NAME).write_bytes(b"%PDF-1.7\n garbage")
    proc = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--inbox", str(inbox), "--roster", str(roster_file),
         "--out", str(out)],
        check=False, cwd=REPO, capture_output=True, text=True, timeout=300, env={**os.environ, "KIPP_SETTLE_SECONDS": "0"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "\x1b" not in proc.stdout
    assert "rusak \\x1b[2J\\x1b[31mSEMUA LENGKAP\\x1b[0m.pdf: corrupt_pdf" in proc.stdout


def test_check_inputs_accepts_sibling_folders(tmp_path: Path, roster_file: Path) -> None:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox-lama").mkdir()
    # a shared name prefix is no overlap
    check_inputs(_config(tmp_path / "inbox", tmp_path / "inbox-lama", roster_file))
    with pytest.raises(KippError):
        check_inputs(_config(tmp_path / "inbox", tmp_path / "inbox" / ".." / "inbox", roster_file))
