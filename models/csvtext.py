"""The text of a CSV file an admin saved from a spreadsheet (the roster, judges.csv, conflicts, criteria).

One reader for all of them: a folder, a missing or unreadable file and an Excel or ODS workbook
(recognised by its content, whatever its name) are each refused in one line naming the file;
a UTF-8 byte order mark is dropped, and a file that is not UTF-8 is read as cp1252, as spreadsheets
on Windows export it.
"""

from __future__ import annotations

from pathlib import Path

from models.errors import InputError, os_reason
from models.language import Words, say

# ZIP (.xlsx, .ods) and OLE2 (.xls) containers: a workbook, never a CSV.
SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def read_csv_text(path: Path, what: Words, error: type[InputError]) -> str:
    """The file's text; `what` names the file in both languages ("roster", "berkas juri"), `error` is
    the InputError subclass raised (exit 3), with one line naming the file and the reason."""
    if path.is_dir():
        raise error(say(f"{path}: {what.id} adalah folder, bukan berkas CSV",
                        f"{path}: {what.en} is a folder, not a CSV file"))
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise error(say(f"{path}: {what.id} tidak dapat dibaca ({os_reason(e)})",
                        f"{path}: cannot read {what.en} ({os_reason(e)})")) from e
    if raw.startswith(SPREADSHEET_MAGIC):  # by content: an .xlsx renamed .csv is still a workbook
        raise error(say(f"{path}: ini berkas spreadsheet (Excel/ODS), bukan CSV; {what.id} harus CSV; "
                        "simpan sebagai CSV dari Excel (File > Save As > CSV UTF-8)",
                        f"{path}: this is a spreadsheet (Excel/ODS), not a CSV; {what.en} must be CSV; "
                        "save it as CSV from Excel (File > Save As > CSV UTF-8)"))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")
