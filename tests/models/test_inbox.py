"""What is in the inbox: files to read, files never to read, files still being written."""

from __future__ import annotations

import errno
import os
import threading
import time
from pathlib import Path

import pytest

from models.inbox import (
    NotRegularFile,
    ignore_reason,
    open_regular,
    printable,
    scan_inbox,
    settle,
    storable,
)
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


def test_printable_escapes_what_could_drive_a_terminal_or_forge_a_line() -> None:
    assert printable("rusak \x1b[2J\x1b[31mSEMUA LENGKAP\x1b[0m.pdf") == "rusak \\x1b[2J\\x1b[31mSEMUA LENGKAP\\x1b[0m.pdf"
    assert printable("x.pdf\nalasan: diterima\r") == "x.pdf\\nalasan: diterima\\r"
    assert printable("gnp.\u202eexe") == "gnp.\\u202eexe"  # a right-to-left override hides the real extension
    assert printable("a\u2028b\x7f\x85") == "a\\u2028b\\x7f\\x85"
    assert printable(os.fsdecode(b"nama \xff.pdf")) == "nama \\xff.pdf"
    assert printable("SD Negeri Sawojajar 1 – Proposal Inovasi (é).pdf") == "SD Negeri Sawojajar 1 – Proposal Inovasi (é).pdf"


def test_storable_escapes_only_undecodable_bytes_and_is_valid_utf8() -> None:
    name = os.fsdecode(b"SDN \xff\xfe kinerja\n.pdf")
    assert storable(name) == "SDN \\xff\\xfe kinerja\n.pdf"
    storable(name).encode("utf-8")  # would raise on a surrogate
    assert storable("Proposal Inovasi.pdf") == "Proposal Inovasi.pdf"


def test_scan_gives_every_odd_entry_a_reason(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "kiriman.pdf")
    (tmp_path / "folder-tautan").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "putaran").symlink_to(tmp_path / "putaran")
    (tmp_path / "SD").mkdir()
    (tmp_path / "SD" / "ok.pdf").write_bytes(b"%PDF-1.7\n")
    with open(os.path.join(os.fsencode(tmp_path), b"SD", b"nama \xff.pdf"), "wb") as fh:
        fh.write(b"%PDF-1.7\n")
    (tmp_path / ".tersembunyi").mkdir()
    os.mkfifo(tmp_path / ".tersembunyi" / "pipa")
    (tmp_path / ".tersembunyi" / "x.pdf").write_bytes(b"%PDF-1.7\n")
    got = {i.path: i.ignore_reason for i in scan_inbox(tmp_path)}
    assert got == {
        "kiriman.pdf": Reason.SPECIAL_FILE,
        "folder-tautan": Reason.SYMLINK,
        "putaran": Reason.SYMLINK,
        "SD/ok.pdf": None,
        "SD/nama \\xff.pdf": Reason.BAD_FILE_NAME,
        ".tersembunyi/pipa": Reason.SPECIAL_FILE,  # what it is wins over where it is
        ".tersembunyi/x.pdf": Reason.HIDDEN_FILE,
    }


def test_scan_records_inode_and_ctime(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.7\n")
    st = (tmp_path / "a.pdf").stat()
    [item] = scan_inbox(tmp_path)
    assert (item.inode, item.ctime_ns) == (st.st_ino, st.st_ctime_ns)


def test_open_regular_refuses_links_and_fifos_and_finds_escaped_names(tmp_path: Path) -> None:
    (tmp_path / "rahasia").write_bytes(b"secret")
    (tmp_path / "tautan.pdf").symlink_to(tmp_path / "rahasia")
    os.mkfifo(tmp_path / "pipa.pdf")
    with open(os.path.join(os.fsencode(tmp_path), b"nama \xff.pdf"), "wb") as fh:
        fh.write(b"isi")
    with pytest.raises(OSError) as caught, open_regular(tmp_path, "tautan.pdf"):
        pass
    assert caught.value.errno == errno.ELOOP
    # Opened without blocking, then refused by fstat.
    with pytest.raises(NotRegularFile), open_regular(tmp_path, "pipa.pdf"):
        pass
    with open_regular(tmp_path, "nama \\xff.pdf") as (fd, st):
        assert os.read(fd, 10) == b"isi" and st.st_size == 3
