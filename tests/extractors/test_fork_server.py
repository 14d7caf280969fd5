"""The extraction workers' fork server in the places a user's machine puts it: under a TMPDIR too long
for a socket path, and after the process that started it was killed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractors.sandbox import POOL_PREFIX
from tests.conftest import make_pdf

REPO = Path(__file__).resolve().parents[2]

READ = """
import json, os, resource, sys
from pathlib import Path
from extractors.sandbox import extract_many
from models.settings import Settings
if __name__ == "__main__":
    path = Path(sys.argv[1])
    results = dict(extract_many({"a": path}, 2, Settings(workers=2).limits, isolate=True))
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"kind": type(results["a"]).__name__, "chars": len(getattr(results["a"], "text", "")),
                      "own_cpu": own.ru_utime + own.ru_stime, "pid": os.getpid()}), flush=True)
"""

def _run(code: str, *args: str, env: dict[str, str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, env=env, text=True, capture_output=True,
                          timeout=120, **kw)


def test_a_tmpdir_too_long_for_a_socket_path_still_reads_files(tmp_path: Path) -> None:
    long_tmp = tmp_path / ("t" * (110 - len(str(tmp_path))))
    long_tmp.mkdir()
    assert len(str(long_tmp)) >= 108  # multiprocessing's own socket under it could not be bound
    pdf = make_pdf(long_tmp / "a.pdf", ["Proposal Inovasi Pelayanan Publik", "Latar belakang inovasi " * 30])
    child = subprocess.Popen([sys.executable, "-c", READ, str(pdf)], cwd=REPO, text=True, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env={**os.environ, "TMPDIR": str(long_tmp)})
    out, err = child.stdout.read(), child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)  # its usage with that of every process it waited for
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == 0, err[-2000:]
    report = json.loads(out.strip().splitlines()[-1])
    assert report["kind"] == "Extraction" and report["chars"] > 100
    # It waited for its fork server at exit: the server's and the workers' CPU count in its usage.
    assert usage.ru_utime + usage.ru_stime - report["own_cpu"] > 0.15
    left = [p for base in (long_tmp, Path("/tmp")) for p in base.glob(f"{POOL_PREFIX}{report['pid']}-*")]
    assert left == []  # nothing of its own left behind, in TMPDIR or in the /tmp it fell back to


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A TMPDIR short enough for the socket path (pytest's own tmp_path is not always)."""
    path = Path(tempfile.mkdtemp(prefix="kfs-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_the_folders_of_a_killed_process_go_with_the_next_pool(short_tmp: Path) -> None:
    tmp_path = short_tmp
    pdf = make_pdf(tmp_path / "a.pdf", ["Proposal Inovasi Pelayanan Publik", "Latar belakang inovasi " * 30])
    hold = READ.replace("    own = ", "    print('ready', flush=True)\n    import time; time.sleep(60)\n    own = ")
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    held = subprocess.Popen([sys.executable, "-c", hold, str(pdf)], cwd=REPO, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert held.stdout.readline().strip() == "ready"
        mine = sorted(p.name for p in tmp_path.glob(f"{POOL_PREFIX}{held.pid}-*"))
        assert any("-fs-" in name for name in mine)  # the fork server's socket folder is one of ours
    finally:
        held.send_signal(signal.SIGKILL)
        held.wait()
    deadline = time.monotonic() + 10
    while _server_of(held.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _server_of(held.pid)  # the fork server ends with the process that started it
    done = _run(READ, str(pdf), env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert list(tmp_path.glob(f"{POOL_PREFIX}{held.pid}-*")) == []


def _server_of(pid: int) -> list[int]:
    """Live processes whose parent is `pid` (its fork server, orphaned, would be re-parented: then by
    command line)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            cmd = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(next(line.split()[1] for line in text.splitlines() if line.startswith("PPid:")))
        if ppid == pid or (b"forkserver" in cmd and str(pid).encode() in cmd):
            found.append(int(status.parent.name))
    return found
