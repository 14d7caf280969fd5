"""What is in the inbox: files to read, files never to read, files still being written."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from models.inbox import ignore_reason, scan_inbox, settle
from models.records import Reason


def test_names_that_are_never_read() -> None:
    assert ignore_reason("Proposal.pdf.crdownload") is Reason.PARTIAL_DOWNLOAD
    assert ignore_reason("SD/unggah.tmp") is Reason.PARTIAL_DOWNLOAD
    assert ignore_reason("~$Proposal.docx") is Reason.SYSTEM_FILE
    assert ignore_reason("SD/Thumbs.db") is Reason.SYSTEM_FILE
    assert ignore_reason(".git/config") is Reason.HIDDEN_FILE
    assert ignore_reason("SD Negeri 1/Proposal Inovasi.pdf") is None


def test_scan_lists_every_file_sorted_and_marks_links(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.pdf").write_bytes(b"x")
    (tmp_path / "a.pdf").write_bytes(b"y")
    (tmp_path / "link.pdf").symlink_to(tmp_path / "a.pdf")
    items = scan_inbox(tmp_path)
    assert [i.path for i in items] == ["a.pdf", "b/z.pdf", "link.pdf"]
    assert items[2].ignore_reason is Reason.SYMLINK


def test_a_file_still_growing_waits_and_a_quiet_one_is_read(tmp_path: Path) -> None:
    growing, quiet = tmp_path / "upload.pdf", tmp_path / "done.pdf"
    growing.write_bytes(b"%PDF-1.7\n")
    quiet.write_bytes(b"%PDF-1.7\n")
    items = scan_inbox(tmp_path)

    def keep_writing() -> None:
        for _ in range(5):
            time.sleep(0.1)
            with growing.open("ab") as fh:
                fh.write(b"more bytes\n")

    writer = threading.Thread(target=keep_writing)
    writer.start()
    settled = {i.path: i.ignore_reason for i in settle(tmp_path, items, wait=0.6)}
    writer.join()
    assert settled == {"done.pdf": None, "upload.pdf": Reason.STILL_WRITING}
