"""The registered participants, read from a CSV `id,name,category[,parent_id][,contact]`."""

from __future__ import annotations

import csv
from pathlib import Path

from models.csvtext import read_csv_text
from models.errors import RosterError
from models.language import Words, say
from models.records import Category, Participant

REQUIRED_COLUMNS = ("id", "name", "category")
HEADER = "id,name,category[,parent_id][,contact]"


class Roster:
    """The participants in roster order, looked up by id."""

    def __init__(self, participants: tuple[Participant, ...]):
        self.participants = participants
        self._by_id = {p.id: p for p in participants}

    def __len__(self) -> int:
        return len(self.participants)

    def __iter__(self):
        return iter(self.participants)

    def get(self, participant_id: str) -> Participant | None:
        return self._by_id.get(participant_id)

    def ancestors(self, participant_id: str) -> set[str]:
        """Ids of the supervising units above a participant (a school's dinas, a kelurahan's kecamatan)."""
        seen: set[str] = set()
        current = self.get(participant_id)
        while current is not None and current.parent_id and current.parent_id not in seen:
            seen.add(current.parent_id)
            current = self.get(current.parent_id)
        return seen


def load_roster(path: Path) -> Roster:
    """Read and validate a roster CSV; every problem is reported with its line number."""
    text = read_csv_text(path, Words("roster", "the roster"), RosterError)
    return parse_roster(text, source=str(path))


def parse_roster(text: str, source: str = "roster") -> Roster:
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise RosterError(say(f"{source}: roster kosong; diharapkan judul kolom {HEADER}",
                              f"{source}: the roster is empty; expected a header {HEADER}"))
    # Spreadsheets in an Indonesian locale save CSV with semicolons.
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(lines, delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise RosterError(say(f"{source}: baris 1: kolom {', '.join(missing)} tidak ada; diharapkan judul kolom {HEADER}",
                              f"{source}: line 1: missing column(s) {', '.join(missing)}; expected a header {HEADER}"))
    reader.fieldnames = header
    errors: list[str] = []
    rows: list[tuple[int, Participant]] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        pid = (row.get("id") or "").strip()
        name = " ".join((row.get("name") or "").split())
        category = (row.get("category") or "").strip().lower()
        parent = (row.get("parent_id") or "").strip() or None
        # As typed: a reminder reads it, an unusable one only costs that participant its link.
        contact = " ".join((row.get("contact") or "").split()) or None
        if not any((pid, name, category)):
            continue  # blank line in a spreadsheet export
        at = say(f"baris {line}", f"line {line}")
        if not pid:
            errors.append(say(f"{at}: id kosong", f"{at}: empty id"))
            continue
        if not name:
            errors.append(say(f"{at}: {pid}: nama kosong", f"{at}: {pid}: empty name"))
            continue
        try:
            cat = Category(category)
        except ValueError:
            allowed = ", ".join(c.value for c in Category)
            errors.append(say(f"{at}: {pid}: kategori {category!r} tidak dikenal (yang boleh: {allowed})",
                              f"{at}: {pid}: unknown category {category!r} (allowed: {allowed})"))
            continue
        if pid in seen:
            errors.append(say(f"{at}: id {pid!r} ganda (pertama di baris {seen[pid]})",
                              f"{at}: duplicate id {pid!r} (first on line {seen[pid]})"))
            continue
        seen[pid] = line
        rows.append((line, Participant(pid, name, cat, parent, contact)))
    for line, p in rows:
        if p.parent_id and p.parent_id not in seen:
            errors.append(say(f"baris {line}: {p.id}: parent_id {p.parent_id!r} tidak ada di roster",
                              f"line {line}: {p.id}: parent_id {p.parent_id!r} is not in the roster"))
        elif p.parent_id == p.id:
            errors.append(say(f"baris {line}: {p.id}: peserta tidak dapat menjadi induknya sendiri",
                              f"line {line}: {p.id}: a participant cannot be its own parent"))
    if errors:
        shown = errors[:20]
        more = say(f"\n  ... dan {len(errors) - 20} lagi", f"\n  ... and {len(errors) - 20} more") if len(errors) > 20 else ""
        raise RosterError(say(f"{source}: {len(errors)} baris salah:\n  ", f"{source}: {len(errors)} bad row(s):\n  ")
                          + "\n  ".join(shown) + more)
    if not rows:
        raise RosterError(say(f"{source}: roster punya judul kolom tetapi tidak ada peserta",
                              f"{source}: the roster has a header but no participants"))
    return Roster(tuple(p for _, p in rows))
