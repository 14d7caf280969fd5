"""The judging criteria and their scale: Kota Malang's five by default, or an edition's own from a CSV.

The file, UTF-8 (a byte order mark is fine) with commas or semicolons, as a spreadsheet saves it:

    # skala 1-100
    id,label,description
    kebaruan,Kebaruan,"Seberapa baru gagasan inovasi ini ..."

`id` is what a returned scoring sheet is read back by (lower-case letters, digits and `_`),
`label` the column heading a judge reads, `description` optional. A line starting with `#` is a
note; the one note `# skala LOW-HIGH` sets the scale (whole numbers), 1-100 when there is none.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from models.csvtext import read_csv_text
from models.errors import InputError
from models.language import Words, say

# Indonesian juries score on the scale of a school report (nilai 1-100): every judge knows what a
# 60 or an 85 means, and the spread leaves room to rank 50 proposals without ties. Whole numbers only.
DEFAULT_LOW = 1
DEFAULT_HIGH = 100
MAX_SCALE = 1000
MAX_CRITERIA = 20  # columns of a scoring sheet a judge can still read on one screen
MAX_LABEL_CHARS = 80  # a column heading
MAX_DESCRIPTION_CHARS = 2000
_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
_SCALE = re.compile(r"#\s*skala\s*:?\s*(\d+)\s*(?:-|–|sampai|s/d)\s*(\d+)\s*", re.IGNORECASE)
_SCALE_WORD = re.compile(r"#\s*skala\b", re.IGNORECASE)
_COLUMNS = ("id", "label", "description")
_FORMAT = Words("judul kolom id,label[,description], boleh dengan baris `# skala 1-100`",
                "a header id,label[,description], with a line `# skala 1-100` if you like")


class CriteriaError(InputError):
    """The criteria file cannot be used; the message names the file and every bad line."""


@dataclass(frozen=True, slots=True)
class Criterion:
    id: str  # a returned sheet's column is read back by this
    label: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Criteria:
    """What judges score, each criterion a whole number from `low` to `high`."""

    items: tuple[Criterion, ...]
    low: int = DEFAULT_LOW
    high: int = DEFAULT_HIGH

    def __post_init__(self) -> None:
        ids = [c.id for c in self.items]
        if not ids or len(set(ids)) != len(ids) or not 0 <= self.low < self.high:
            raise ValueError(f"criteria need distinct ids and a scale low < high: {ids}, {self.low}-{self.high}")

    @property
    def scale(self) -> str:
        return f"{self.low}–{self.high}"


DEFAULT_CRITERIA = Criteria((
    Criterion("kebaruan", "Kebaruan",
              "Gagasan atau cara pelayanan yang baru, atau pengembangan yang berarti dari yang sudah ada, "
              "di unit ini maupun di Kota Malang."),
    Criterion("efektivitas", "Efektivitas",
              "Inovasi sudah berjalan dan terbukti mencapai tujuannya: hasil yang terukur, dengan data "
              "sebelum dan sesudah inovasi."),
    Criterion("kebermanfaatan", "Kebermanfaatan",
              "Manfaat nyata bagi masyarakat atau pengguna layanan: siapa yang terbantu, berapa banyak, "
              "dan seberapa besar perubahannya."),
    Criterion("dapat_direplikasi", "Dapat direplikasi",
              "Inovasi dapat ditiru atau diterapkan oleh unit lain, dan sudah atau mudah diadopsi di tempat lain."),
    Criterion("keberlanjutan", "Keberlanjutan",
              "Inovasi akan terus berjalan: dasar hukum atau kebijakan, anggaran, sumber daya manusia, "
              "dan pelembagaannya."),
))


def load_criteria(path: Path) -> Criteria:
    """Read and check a criteria CSV; every bad line is reported at once, with its number."""
    text = read_csv_text(path, Words("berkas kriteria", "the criteria file"), CriteriaError)
    return parse_criteria(text, str(path))


def parse_criteria(text: str, source: str = "kriteria") -> Criteria:
    lines = text.splitlines()
    first = next((line for line in lines if line.strip() and not line.lstrip().startswith("#")), "")
    # Spreadsheets in an Indonesian locale save CSV with semicolons.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    errors: list[str] = []
    scales: list[tuple[int, tuple[int, int]]] = []
    header: list[str] | None = None
    items: list[Criterion] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        cells = [c.strip() for c in row]
        while cells and not cells[-1]:
            cells.pop()  # a spreadsheet pads short rows with empty cells
        if not cells:
            continue
        if cells[0].startswith("#"):
            scale = _scale_note(delimiter.join(cells), line, errors)
            if scale:
                scales.append((line, scale))
            continue
        if header is None:
            header = _header(cells, line, errors)
            if header is None:
                break  # without its columns no line below can be read
            continue
        criterion = _criterion(dict(zip(header, cells)), len(cells) > len(header), line, seen, errors)
        if criterion:
            items.append(criterion)
    if header is not None and not items and not errors:
        errors.append(say("tidak ada kriteria di bawah baris judul", "no criteria under the header line"))
    elif header is None and not errors:
        errors.append(say(f"berkas kosong; {_FORMAT.text()}", f"the file is empty; {_FORMAT.text()}"))
    if len(items) > MAX_CRITERIA:
        errors.append(say(f"{len(items)} kriteria; paling banyak {MAX_CRITERIA}",
                          f"{len(items)} criteria; at most {MAX_CRITERIA}"))
    for line, _ in scales[1:]:
        errors.append(say(f"baris {line}: skala sudah ditulis pada baris {scales[0][0]}; tulis sekali saja",
                          f"line {line}: the scale is already written on line {scales[0][0]}; write it once"))
    if errors:
        raise CriteriaError(say(f"{source}: {len(errors)} masalah:\n  ", f"{source}: {len(errors)} problems:\n  ")
                            + "\n  ".join(errors))
    low, high = scales[0][1] if scales else (DEFAULT_LOW, DEFAULT_HIGH)
    return Criteria(tuple(items), low, high)


def _scale_note(note: str, line: int, errors: list[str]) -> tuple[int, int] | None:
    """The scale a `# skala LOW-HIGH` note sets; any other note is only a note."""
    if not _SCALE_WORD.match(note):
        return None
    match = _SCALE.fullmatch(note)
    if not match:
        errors.append(say(f"baris {line}: skala tidak terbaca {note!r}; tulis misalnya `# skala 1-100`",
                          f"line {line}: the scale cannot be read {note!r}; write for example `# skala 1-100`"))
        return None
    low, high = int(match[1]), int(match[2])
    if not low < high <= MAX_SCALE:
        errors.append(say(f"baris {line}: skala {low}-{high}: nilai terendah harus di bawah nilai tertinggi, "
                          f"paling tinggi {MAX_SCALE}",
                          f"line {line}: scale {low}-{high}: the lowest score must be under the highest, "
                          f"at most {MAX_SCALE}"))
        return None
    return low, high


def _header(cells: list[str], line: int, errors: list[str]) -> list[str] | None:
    header = [c.lower() for c in cells]
    unknown = [c for c in header if c not in _COLUMNS]
    missing = [c for c in _COLUMNS[:2] if c not in header]
    if unknown or missing or len(set(header)) != len(header):
        found = ",".join(cells)
        errors.append(say(f"baris {line}: judul kolom {found!r} tidak dikenal; {_FORMAT.text()}",
                          f"line {line}: unknown header {found!r}; {_FORMAT.text()}"))
        return None
    return header


def _criterion(row: dict[str, str], extra: bool, line: int, seen: dict[str, int],
               errors: list[str]) -> Criterion | None:
    cid = row.get("id", "")
    label = " ".join(row.get("label", "").split())
    description = " ".join(row.get("description", "").split())
    problems = []
    if extra:
        problems.append(say("kolom lebih banyak dari judulnya (koma di dalam teks? apit teks dengan tanda kutip)",
                            "more columns than the header (a comma in the text? put the text in quotes)"))
    if not cid:
        problems.append(say("id kosong", "empty id"))
    elif not _ID.fullmatch(cid):
        problems.append(say(f"id {cid!r} tidak sah: huruf kecil, angka dan _, diawali huruf, paling panjang 40",
                            f"id {cid!r} is not valid: lower-case letters, digits and _, a letter first, at most 40"))
    elif cid in seen:
        problems.append(say(f"id {cid!r} ganda (pertama pada baris {seen[cid]})",
                            f"duplicate id {cid!r} (first on line {seen[cid]})"))
    if not label:
        problems.append(say("label kosong", "empty label"))
    elif len(label) > MAX_LABEL_CHARS:
        problems.append(say(f"label lebih dari {MAX_LABEL_CHARS} karakter", f"label longer than {MAX_LABEL_CHARS} characters"))
    if len(description) > MAX_DESCRIPTION_CHARS:
        problems.append(say(f"deskripsi lebih dari {MAX_DESCRIPTION_CHARS} karakter",
                            f"description longer than {MAX_DESCRIPTION_CHARS} characters"))
    if problems:
        errors.append(say(f"baris {line}: ", f"line {line}: ") + "; ".join(problems))
        return None
    seen.setdefault(cid, line)
    return Criterion(cid, label, description)
