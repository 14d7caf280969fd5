"""A returned scoring sheet read back by its identifiers, never by position, and checked.

The layout is the one flows/packets/sheets.py writes (models/ never imports flows/; a test checks
that the constants below are still its constants): in the XLSX, sheet `Penilaian` with the column
ids in the hidden row 2 and a row per proposal from row 3, the hidden columns id_peserta, id_juri
and id_paket on every row, and the hidden sheet `kipp` holding the packet's facts (format, judge,
packet, scale, criteria); the CSV has the column ids as its header and no facts.

`read_sheet` gives what the file holds; `check_sheet` holds it against what was handed out and
lists every problem with its file, row and column. A sheet with a problem is not used at all.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from models.language import say

FORMAT = "kipp-penilaian"
SCORES_SHEET = "Penilaian"
FACTS_SHEET = "kipp"
ID_ROW = 2
FIRST_ROW = 3
HIDDEN_IDS = ("id_peserta", "id_juri", "id_paket")
MAX_SHEET_BYTES = 20 << 20  # a packet's sheet is a few KB; anything this large is not one
MAX_ROWS = 5000
_WHOLE = re.compile(r"[+-]?\d+(?:[.,]0+)?")


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a sheet is refused; `row` and `column` as the judge sees them (None: the whole file)."""

    file: str
    reason: str
    row: int | None = None
    column: str | None = None  # "F (kebaruan)": the letter and the column id

    def line(self) -> str:
        where = self.file
        if self.row is not None:
            where += say(f", baris {self.row}", f", row {self.row}")
        if self.column is not None:
            where += say(f", kolom {self.column}", f", column {self.column}")
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class SheetRow:
    row: int  # as the judge sees it (XLSX row, CSV line)
    participant_id: str
    judge_id: str
    packet_id: str
    cells: dict[str, object]  # criterion id -> the cell as read (None: empty)


@dataclass(frozen=True, slots=True)
class ReturnedSheet:
    """What one returned file holds, before any check against the hand-off."""

    path: str
    sha256: str
    kind: str  # "xlsx" | "csv"
    columns: dict[str, str]  # column id -> its letter
    rows: tuple[SheetRow, ...]
    facts: dict[str, str] = field(default_factory=dict)  # the hidden sheet (XLSX only)

    def column(self, cid: str) -> str:
        letter = self.columns.get(cid)
        return f"{letter} ({cid})" if letter else cid


class UnreadableSheet(Exception):
    """The file is not a scoring sheet kipp can read; the Problem says why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.line())
        self.problem = problem


def _letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_sheet(path: Path, data: bytes | None = None) -> ReturnedSheet:
    """Read a returned sheet (XLSX or CSV, by content); raises UnreadableSheet with one Problem."""
    name = str(path)
    if data is None:
        try:
            if path.stat().st_size > MAX_SHEET_BYTES:
                raise UnreadableSheet(Problem(name, say("terlalu besar untuk lembar penilaian",
                                                        "too large for a scoring sheet")))
            data = path.read_bytes()
        except OSError as e:
            raise UnreadableSheet(Problem(name, say(f"tidak dapat dibaca ({e.strerror or e})",
                                                    f"cannot be read ({e.strerror or e})"))) from e
    sha = hashlib.sha256(data).hexdigest()
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(name, sha, data)
    if path.suffix.lower() == ".csv":
        return _read_csv(name, sha, data)
    raise UnreadableSheet(Problem(name, say("bukan lembar penilaian XLSX atau CSV dari paket juri",
                                            "not an XLSX or CSV scoring sheet from a judge's packet")))


def _read_xlsx(name: str, sha: str, data: bytes) -> ReturnedSheet:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:
        raise UnreadableSheet(Problem(name, say(f"XLSX rusak atau bukan XLSX ({type(e).__name__})",
                                                f"a damaged XLSX or not an XLSX ({type(e).__name__})"))) from e
    try:
        if SCORES_SHEET not in wb.sheetnames or FACTS_SHEET not in wb.sheetnames:
            raise UnreadableSheet(Problem(name, say(
                f"bukan lembar penilaian dari paket juri (lembar {SCORES_SHEET!r} atau lembar tersembunyi "
                f"{FACTS_SHEET!r} tidak ada)",
                f"not a scoring sheet from a judge's packet (no sheet {SCORES_SHEET!r} or hidden sheet {FACTS_SHEET!r})")))
        facts = {_text(r[0]): _text(r[1]) for r in wb[FACTS_SHEET].iter_rows(max_col=2, values_only=True)
                 if r and r[0] is not None and len(r) > 1}
        if facts.get("format") != FORMAT:
            raise UnreadableSheet(Problem(name, say(f"lembar tersembunyi {FACTS_SHEET!r} bukan milik kipp",
                                                    f"the hidden sheet {FACTS_SHEET!r} is not kipp's")))
        first = int(facts["baris_pertama"]) if facts.get("baris_pertama", "").isdigit() else FIRST_ROW
        grid = list(wb[SCORES_SHEET].iter_rows(min_row=ID_ROW, max_row=first + MAX_ROWS, values_only=True))
    finally:
        wb.close()
    ids = [_text(v) for v in (grid[0] if grid else ())]
    columns = {cid: _letter(i) for i, cid in enumerate(ids, 1) if cid}
    rows = []
    for offset, values in enumerate(grid[first - ID_ROW:], first):
        cells = {cid: values[i] if i < len(values) else None for i, cid in enumerate(ids) if cid}
        if all(v is None or _text(v) == "" for v in cells.values()):
            continue  # a row left empty below the proposals
        rows.append(_row(offset, cells))
    return ReturnedSheet(name, sha, "xlsx", columns, tuple(rows), facts)


def _read_csv(name: str, sha: str, data: bytes) -> ReturnedSheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UnreadableSheet(Problem(name, say("CSV bukan UTF-8; simpan sebagai CSV UTF-8",
                                                "the CSV is not UTF-8; save it as CSV UTF-8"))) from e
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows = []
    for values in reader:
        if header is None:
            header = [v.strip() for v in values]
            if "id_peserta" not in header:
                raise UnreadableSheet(Problem(name, say("bukan lembar penilaian CSV dari paket juri (tidak ada kolom id_peserta)",
                                                        "not a CSV scoring sheet from a judge's packet (no id_peserta column)"), 1))
            continue
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            break
        cells = {cid: (values[i] if i < len(values) and values[i].strip() else None) for i, cid in enumerate(header) if cid}
        rows.append(_row(reader.line_num, cells))
    if header is None:
        raise UnreadableSheet(Problem(name, say("CSV kosong", "an empty CSV")))
    return ReturnedSheet(name, sha, "csv", {cid: _letter(i) for i, cid in enumerate(header, 1) if cid}, tuple(rows))


def _row(number: int, cells: dict[str, object]) -> SheetRow:
    return SheetRow(number, _text(cells.get("id_peserta")), _text(cells.get("id_juri")), _text(cells.get("id_paket")),
                    cells)


# -- the checks against the hand-off -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Handed:
    """What the hand-off gave out, as the ledger keeps it: the criteria and scale of the panel, and
    the frozen assignments. `packets`: judge id -> the id of the packet kipp wrote for them (None:
    not known, the packet folder is gone; the sheet's own identifiers are then checked only
    against each other)."""

    criteria: tuple[str, ...]
    low: int
    high: int
    assignments: frozenset[tuple[str, str]]  # (judge_id, participant_id), not withdrawn
    judges: frozenset[str]
    packets: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CheckedSheet:
    """A sheet that passed every check: the judge, the packet and every score."""

    path: str
    sha256: str
    judge_id: str
    packet_id: str
    scores: tuple[tuple[str, str, int], ...]  # (participant_id, criterion, value)


def check_sheet(sheet: ReturnedSheet, handed: Handed) -> CheckedSheet | list[Problem]:
    """Every problem of the sheet against the hand-off, or the sheet's scores when there is none."""
    f = sheet.path
    problems: list[Problem] = []
    missing = [c for c in (*HIDDEN_IDS, *handed.criteria) if c not in sheet.columns]
    if missing:
        return [Problem(f, say(f"kolom {', '.join(missing)} tidak ada; jangan menghapus atau mengganti nama kolom",
                               f"the columns {', '.join(missing)} are missing; do not delete or rename columns"),
                        ID_ROW if sheet.kind == "xlsx" else 1)]
    if not sheet.rows:
        return [Problem(f, say("tidak ada baris penilaian", "no scoring rows"))]
    judge = sheet.facts.get("id_juri") or sheet.rows[0].judge_id
    packet = sheet.facts.get("id_paket") or sheet.rows[0].packet_id
    for r in sheet.rows:
        for column, got, want, id_word, en_word in (("id_juri", r.judge_id, judge, "juri", "judge"),
                                                    ("id_paket", r.packet_id, packet, "paket", "packet")):
            if got != want:
                problems.append(Problem(f, say(f"{column} {got!r} berbeda dengan {id_word} lembar ini {want!r} "
                                               "(pengenal diubah atau baris disalin dari lembar lain)",
                                               f"{column} {got!r} differs from this sheet's {en_word} {want!r} "
                                               "(an identifier was changed or the row was copied from another sheet)"),
                                        r.row, sheet.column(column)))
    if problems:
        return problems
    if judge not in handed.judges:
        return [Problem(f, say(f"juri {judge!r} tidak ada di panel yang menerima paket",
                               f"judge {judge!r} is not on the panel the packets were handed to"),
                        sheet.rows[0].row, sheet.column("id_juri"))]
    expected = handed.packets.get(judge)
    if expected is not None and packet != expected:
        return [Problem(f, say(f"id_paket {packet!r} bukan paket yang diserahkan kepada juri {judge} ({expected}): "
                               "pengenal diubah, atau lembar dari paket lama; minta juri memakai lembar paket terbaru",
                               f"id_paket {packet!r} is not the packet handed to judge {judge} ({expected}): an "
                               "identifier was changed, or the sheet is from an older packet; ask the judge to use "
                               "the latest packet's sheet"), sheet.rows[0].row, sheet.column("id_paket"))]
    if sheet.facts:
        for key, want in (("skala_terendah", str(handed.low)), ("skala_tertinggi", str(handed.high)),
                          ("kriteria", ",".join(handed.criteria))):
            if sheet.facts.get(key) != want:
                problems.append(Problem(f, say(f"lembar tersembunyi {FACTS_SHEET}: {key} {sheet.facts.get(key)!r}, "
                                               f"yang diserahkan {want!r}",
                                               f"hidden sheet {FACTS_SHEET}: {key} {sheet.facts.get(key)!r}, "
                                               f"handed out {want!r}")))
    mine = {p for j, p in handed.assignments if j == judge}
    seen: dict[str, int] = {}
    scores: list[tuple[str, str, int]] = []
    for r in sheet.rows:
        if r.participant_id in seen:
            problems.append(Problem(f, say(f"peserta {r.participant_id!r} dua kali (juga baris {seen[r.participant_id]})",
                                           f"participant {r.participant_id!r} twice (also row {seen[r.participant_id]})"),
                                    r.row, sheet.column("id_peserta")))
            continue
        seen[r.participant_id] = r.row
        if r.participant_id not in mine:
            problems.append(Problem(f, say(f"peserta {r.participant_id!r} tidak ditugaskan kepada juri {judge}",
                                           f"participant {r.participant_id!r} is not assigned to judge {judge}"),
                                    r.row, sheet.column("id_peserta")))
            continue
        for cid in handed.criteria:
            value, reason = _score(r.cells.get(cid), handed.low, handed.high)
            if reason:
                problems.append(Problem(f, reason, r.row, sheet.column(cid)))
            else:
                scores.append((r.participant_id, cid, value))
    for pid in sorted(mine - set(seen)):
        problems.append(Problem(f, say(f"peserta {pid!r} ditugaskan kepada juri {judge} tetapi tidak ada barisnya",
                                       f"participant {pid!r} is assigned to judge {judge} but has no row")))
    if problems:
        return problems
    return CheckedSheet(sheet.path, sheet.sha256, judge, packet, tuple(scores))


def _score(cell: object, low: int, high: int) -> tuple[int, str | None]:
    """A cell as a whole number on the scale, or why it is not one."""
    rule = say(f"isi bilangan bulat {low} sampai {high}", f"enter a whole number from {low} to {high}")
    if cell is None or _text(cell) == "":
        return 0, say(f"nilai kosong; {rule}", f"empty score; {rule}")
    if isinstance(cell, bool):
        return 0, say(f"bukan angka; {rule}", f"not a number; {rule}")
    if isinstance(cell, int | float):
        if isinstance(cell, float) and not cell.is_integer():
            return 0, say(f"{cell} bukan bilangan bulat; {rule}", f"{cell} is not a whole number; {rule}")
        value = int(cell)
    else:
        text = _text(cell)
        if not _WHOLE.fullmatch(text):
            return 0, say(f"{text[:40]!r} bukan bilangan bulat; {rule}", f"{text[:40]!r} is not a whole number; {rule}")
        value = int(re.split(r"[.,]", text)[0])
    if not low <= value <= high:
        return 0, say(f"nilai {value} di luar skala; {rule}", f"score {value} is outside the scale; {rule}")
    return value, None


def problems_text(problems: Sequence[Problem]) -> str:
    return "\n".join(p.line() for p in problems)
