"""judges.csv and conflicts.csv: read, checked line by line, every bad line reported at once."""

from __future__ import annotations

import csv
import re
from collections.abc import Collection, Sequence
from pathlib import Path

from models.csvtext import read_csv_text
from models.errors import InputError
from models.language import Words, say
from models.records import Judge
from models.roster import Roster

JUDGE_COLUMNS = ("id", "name", "affiliation_id", "expertise")
OPTIONAL_JUDGE_COLUMNS = ("capacity", "contact")
CONFLICT_COLUMNS = ("judge_id", "participant_id")
# ZIP (.xlsx, .ods) and OLE2 (.xls) containers: a workbook, never a CSV (as for the roster).
# Theme ids are [a-z0-9_], so any of these may separate them inside the expertise cell.
_EXPERTISE_SEPARATORS = re.compile(r"[;,|\s]+")


class JudgesError(InputError):
    """judges.csv or conflicts.csv cannot be used; the message names the file and every bad line."""


def load_judges(path: Path, roster: Roster, theme_ids: Collection[str]) -> tuple[Judge, ...]:
    """Read and check judges.csv (see `parse_judges`)."""
    return parse_judges(read_csv_text(Path(path), Words("berkas juri", "the judges file"), JudgesError), roster, theme_ids, source=str(path))


def load_conflicts(path: Path, judges: Sequence[Judge], roster: Roster) -> frozenset[tuple[str, str]]:
    """Read and check conflicts.csv (see `parse_conflicts`)."""
    return parse_conflicts(read_csv_text(Path(path), Words("berkas konflik", "the conflicts file"), JudgesError), judges, roster, source=str(path))


def parse_judges(text: str, roster: Roster, theme_ids: Collection[str], source: str = "judges") -> tuple[Judge, ...]:
    """The panel from a CSV `id,name,affiliation_id,expertise[,capacity][,contact]`, in file order.

    Comma or semicolon delimited (the header decides, as for the roster). `affiliation_id` is a roster
    id or empty (academics, outside experts). `expertise` holds theme ids separated by `;`, or by `|`,
    `,` or spaces: in a semicolon-delimited file write the cell in quotes (`"kesehatan;pendidikan"`,
    as Excel does) or use `|`; in a comma-delimited file quote it when it holds commas. An empty
    expertise is allowed (a generalist matches no theme). `capacity`, when given, is a positive
    integer; empty means no limit. Columns other than these are ignored.

    Every bad line is reported at once with its number (empty id or name, duplicate id, unknown
    roster id, unknown theme, bad capacity, too many cells); nothing is returned from a bad file.
    """
    themes = set(theme_ids)
    rows, header, delimiter = _rows(text, source, JUDGE_COLUMNS + OPTIONAL_JUDGE_COLUMNS, JUDGE_COLUMNS)
    errors: list[str] = []
    judges: list[Judge] = []
    first_line: dict[str, int] = {}
    for line, cells in rows:
        problems = _too_many_cells(cells, header, delimiter)
        row = dict(zip(header, (c.strip() for c in cells), strict=False))
        jid, name = row.get("id", ""), " ".join(row.get("name", "").split())
        affiliation = row.get("affiliation_id", "") or None
        if not jid:
            problems.append(say("id kosong", "empty id"))
        elif jid in first_line:
            problems.append(say(f"id {jid!r} ganda (pertama di baris {first_line[jid]})",
                                f"duplicate id {jid!r} (first on line {first_line[jid]})"))
        if not name:
            problems.append(say("nama kosong", "empty name"))
        if affiliation and roster.get(affiliation) is None:
            problems.append(say(f"affiliation_id {affiliation!r} tidak ada di roster",
                                f"affiliation_id {affiliation!r} is not in the roster"))
        expertise = tuple(dict.fromkeys(t.lower() for t in _EXPERTISE_SEPARATORS.split(row.get("expertise", "")) if t))
        unknown = [t for t in expertise if t not in themes]
        if unknown:
            known = ", ".join(sorted(themes))
            problems.append(say(f"tema tidak dikenal {', '.join(map(repr, unknown))} (dikenal: {known})",
                                f"unknown theme {', '.join(map(repr, unknown))} (known: {known})"))
        capacity, bad_capacity = _capacity(row.get("capacity", ""))
        if bad_capacity:
            problems.append(bad_capacity)
        if jid:
            first_line.setdefault(jid, line)
        if problems:
            errors.append(f"{say('baris', 'line')} {line}: {jid + ': ' if jid else ''}{'; '.join(problems)}")
            continue
        judges.append(Judge(jid, name, affiliation, expertise, capacity, row.get("contact") or None))
    _raise_if(errors, source)
    if not judges:
        raise JudgesError(say(f"{source}: berkas juri hanya berisi header; belum ada juri",
                             f"{source}: the judges file has a header but no judges"))
    return tuple(judges)


def parse_conflicts(text: str, judges: Sequence[Judge], roster: Roster,
                    source: str = "conflicts") -> frozenset[tuple[str, str]]:
    """Declared conflicts (family, a former post) from a CSV `judge_id,participant_id`.

    An empty file, or a header alone, declares none. A line naming a judge not in judges.csv or a
    participant not in the roster is reported; every bad line at once.
    """
    if not text.strip():
        return frozenset()
    rows, header, delimiter = _rows(text, source, CONFLICT_COLUMNS, CONFLICT_COLUMNS)
    judge_ids = {j.id for j in judges}
    errors: list[str] = []
    pairs: set[tuple[str, str]] = set()
    for line, cells in rows:
        problems = _too_many_cells(cells, header, delimiter)
        row = dict(zip(header, (c.strip() for c in cells), strict=False))
        jid, pid = row.get("judge_id", ""), row.get("participant_id", "")
        if not jid:
            problems.append(say("judge_id kosong", "empty judge_id"))
        elif jid not in judge_ids:
            problems.append(say(f"juri {jid!r} tidak ada di berkas juri", f"judge {jid!r} is not in the judges file"))
        if not pid:
            problems.append(say("participant_id kosong", "empty participant_id"))
        elif roster.get(pid) is None:
            problems.append(say(f"peserta {pid!r} tidak ada di roster", f"participant {pid!r} is not in the roster"))
        if problems:
            errors.append(f"{say('baris', 'line')} {line}: {'; '.join(problems)}")
        else:
            pairs.add((jid, pid))
    _raise_if(errors, source)
    return frozenset(pairs)


# ------------------------------------------------------------------------------------------- helpers

def _rows(text: str, source: str, known: tuple[str, ...],
          required: tuple[str, ...]) -> tuple[list[tuple[int, list[str]]], list[str], str]:
    """(line number, cells) of the non-blank data lines, the header and the delimiter; a bad header raises."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise JudgesError(say(f"{source}: berkas kosong; header yang diharapkan {','.join(required)}",
                             f"{source}: empty file; expected a header {','.join(required)}"))
    # Spreadsheets in an Indonesian locale save CSV with semicolons.
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    try:
        reader = csv.reader(lines, delimiter=delimiter)
        header = [h.strip().lower() for h in next(reader)]
        rows = [(reader.line_num, cells) for cells in reader if any(c.strip() for c in cells)]
    except csv.Error as e:
        raise JudgesError(say(f"{source}: baris {reader.line_num}: bukan CSV yang sah ({e})",
                             f"{source}: line {reader.line_num}: not valid CSV ({e})")) from e
    missing = [c for c in required if c not in header]
    if missing:
        expected = ",".join(required) + "".join(f"[,{c}]" for c in known if c not in required)
        raise JudgesError(say(f"{source}: baris 1: kolom {', '.join(missing)} tidak ada; header yang diharapkan {expected}",
                              f"{source}: line 1: missing column(s) {', '.join(missing)}; expected a header {expected}"))
    return rows, header, delimiter


def _too_many_cells(cells: list[str], header: list[str], delimiter: str) -> list[str]:
    if len(cells) <= len(header) or not any(c.strip() for c in cells[len(header):]):
        return []
    hint = (say(" (keahlian dengan ; di berkas bersemikolon: tulis dalam tanda kutip atau pisahkan dengan |)",
                " (expertise with ; in a semicolon file: quote the cell or separate with |)")
            if delimiter == ";" else say(" (sel yang berisi koma harus dalam tanda kutip)",
                                         " (a cell holding commas must be quoted)"))
    return [say(f"{len(cells)} kolom, header hanya {len(header)}{hint}", f"{len(cells)} cells, the header has {len(header)}{hint}")]


def _capacity(value: str) -> tuple[int | None, str]:
    """The capacity and "" when good, or None and why it is not."""
    if not value:
        return None, ""
    if value.isdecimal() and int(value) > 0:
        return int(value), ""
    return None, say(f"kapasitas harus bilangan bulat positif, bukan {value!r}",
                     f"capacity must be a positive whole number, not {value!r}")


def _raise_if(errors: list[str], source: str) -> None:
    if errors:
        raise JudgesError(say(f"{source}: {len(errors)} baris salah:", f"{source}: {len(errors)} bad line(s):")
                          + "\n  " + "\n  ".join(errors))
