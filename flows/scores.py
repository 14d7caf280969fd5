"""`kipp scores import`: the judges' returned scoring sheets into the ledger, then the ranking.

Each file is read and checked on its own (models/scores/sheets.py) against what the ledger says
was handed out: the panel's criteria and scale (meta `panel`), the frozen assignments, and the
packet id of each judge's packet as written in <out>/paket. A sheet with any problem is refused
whole, every problem on its own line with file, row and column; the good sheets of the same call
are recorded in one transaction. The same file again (by sha256) is a no-op; a newer sheet from a
judge supersedes the older one, which the ledger keeps.

The ranking is then written again: ranking.html and ranking.xlsx through REPORTS, and the
`scores` and `ranking` keys of screening.json (the rest of it untouched). `kipp run` puts the same
scoring in its screening (flows/steps/scores.py), so the next run's reports keep it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from models.errors import InputError
from models.language import say
from models.ledger import Ledger
from models.scores import (
    CheckedSheet,
    Handed,
    Problem,
    Scoring,
    ScoringSettings,
    UnreadableSheet,
    build_scoring,
    check_sheet,
    parse_weights,
    read_sheet,
)
from models.screening import Screening

SUFFIXES = (".xlsx", ".csv")


@dataclass(frozen=True, slots=True)
class ImportResult:
    imported: tuple[CheckedSheet, ...]
    duplicates: tuple[str, ...]  # one line per file imported before
    superseded: tuple[str, ...]  # judges whose earlier sheet this import replaced
    problems: tuple[Problem, ...]
    refused: tuple[str, ...]  # files refused
    scoring: Scoring | None = None
    written: dict[str, Path] = field(default_factory=dict)


def sheet_files(paths: Sequence[Path]) -> list[Path]:
    """The files given, and the .xlsx/.csv files under the folders given (Excel's ~$ lock files and
    hidden files left out), each once, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
                            and not p.name.startswith(("~$", ".")))
        elif path.exists():
            found.append(path)
        else:
            raise InputError(say(f"{path}: tidak ada", f"{path}: does not exist"))
    seen, out = set(), []
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            out.append(p)
    if not out:
        raise InputError(say(f"{', '.join(map(str, paths))}: tidak ada lembar penilaian (.xlsx atau .csv)",
                             f"{', '.join(map(str, paths))}: no scoring sheet (.xlsx or .csv)"))
    return out


def handed_out(ledger: Ledger, packets_root: Path) -> tuple[Handed, list[tuple[str, str]]]:
    """What the hand-off gave out, from the ledger and the packets on disk; refused before any hand-off."""
    from flows.packets import safe_dir_name
    from flows.steps.judges import panel_from_json

    stored = ledger.meta("panel")
    frozen = ledger.frozen_assignments()
    if stored is None or not frozen:
        raise InputError(say(f"{ledger.path}: belum ada penyerahan ke juri di ledger ini; jalankan kipp handoff dulu "
                             "(atau periksa --out)",
                             f"{ledger.path}: nothing was handed to judges in this ledger yet; run kipp handoff first "
                             "(or check --out)"))
    panel = panel_from_json(stored)
    packets: dict[str, str] = {}
    for judge in panel.judges:
        name = safe_dir_name(judge.id)
        blank = packets_root / name / f"penilaian_{name}.xlsx"
        try:
            facts = read_sheet(blank).facts
        except UnreadableSheet:
            continue  # the packet is gone: the sheet's identifiers are checked against each other only
        if facts.get("id_juri") == judge.id and facts.get("id_paket"):
            packets[judge.id] = facts["id_paket"]
    criteria = panel.criteria
    handed = Handed(tuple(c.id for c in criteria.items), criteria.low, criteria.high, frozenset(frozen),
                    frozenset(j.id for j in panel.judges), packets)
    return handed, [(c.id, c.label) for c in criteria.items]


def check_files(files: Iterable[Path], ledger: Ledger, handed: Handed) -> ImportResult:
    """Every file read and checked; nothing recorded yet."""
    good: list[CheckedSheet] = []
    duplicates, problems, refused = [], [], []
    given: dict[str, Path] = {}
    for path in files:
        try:
            sheet = read_sheet(path)
        except UnreadableSheet as e:
            problems.append(e.problem)
            refused.append(str(path))
            continue
        if sheet.sha256 in given:
            duplicates.append(say(f"{path}: sama persis dengan {given[sheet.sha256]} dalam impor ini; dibaca sekali",
                                  f"{path}: the same bytes as {given[sheet.sha256]} in this import; read once"))
            continue
        given[sheet.sha256] = path
        before = ledger.score_sheet(sheet.sha256)
        if before is not None:
            source, judge, at, superseded = before
            state = say(f", digantikan {superseded}", f", superseded {superseded}") if superseded else ""
            duplicates.append(say(f"{path}: sudah diimpor {at} (juri {judge}, sebagai {source}{state}); tidak ada yang diubah",
                                  f"{path}: already imported {at} (judge {judge}, as {source}{state}); nothing changed"))
            continue
        checked = check_sheet(sheet, handed)
        if isinstance(checked, list):
            problems += checked
            refused.append(str(path))
        else:
            good.append(checked)
    twice = {j for j, n in Counter(s.judge_id for s in good).items() if n > 1}
    for s in [s for s in good if s.judge_id in twice]:
        others = ", ".join(o.path for o in good if o.judge_id == s.judge_id and o is not s)
        problems.append(Problem(s.path, say(f"juri {s.judge_id} juga punya lembar {others} dalam impor ini; "
                                            "impor satu saja (yang terbaru)",
                                            f"judge {s.judge_id} also has the sheet {others} in this import; "
                                            "import one only (the latest)")))
        refused.append(s.path)
    good = [s for s in good if s.judge_id not in twice]
    return ImportResult(tuple(good), tuple(duplicates), (), tuple(problems), tuple(refused))


def read_settings(ledger: Ledger, criteria_file: Path | None, criteria: Sequence[tuple[str, str]],
                  threshold: float | None, top: int | None) -> ScoringSettings:
    """The ranking's settings: those given now, else the ones kept in the ledger, else the defaults.
    The criteria file must be the one of the hand-off (same ids); its `# bobot` note sets the weights."""
    from flows.packets import load_criteria

    settings = ScoringSettings.from_json(ledger.meta("score_settings"))
    if criteria_file is not None:
        given = load_criteria(criteria_file)
        ids = [c for c, _ in criteria]
        if [c.id for c in given.items] != ids:
            raise InputError(say(f"{criteria_file}: kriterianya ({', '.join(c.id for c in given.items)}) bukan kriteria "
                                 f"yang diserahkan ke juri ({', '.join(ids)})",
                                 f"{criteria_file}: its criteria ({', '.join(c.id for c in given.items)}) are not the "
                                 f"criteria handed to the judges ({', '.join(ids)})"))
        weights = parse_weights(criteria_file.read_text(encoding="utf-8-sig"), ids, str(criteria_file))
        settings = replace(settings, weights=tuple(weights.items()))
    if threshold is not None:
        settings = replace(settings, threshold=threshold)
    if top is not None:
        settings = replace(settings, top=top)
    return settings


def load_scoring(ledger: Ledger, participants: Mapping[str, tuple[str, str]]) -> Scoring | None:
    """The scoring the ledger holds (None before any sheet, or before any hand-off)."""
    from flows.steps.judges import panel_from_json

    sheets = ledger.score_sheet_records()
    stored = ledger.meta("panel")
    if not sheets or stored is None:
        return None
    criteria = panel_from_json(stored).criteria
    frozen = ledger.frozen_assignments()
    assigned = Counter(p for _, p in frozen)
    # a score counts while its assignment stands: one taken back since (a conflict declared, the
    # participant no longer complete, the judge gone) is kept in the ledger but not ranked
    standing = [s for s in ledger.current_scores() if (s[0], s[1]) in frozen]
    return build_scoring([(c.id, c.label) for c in criteria.items], criteria.low, criteria.high, sheets,
                         standing, assigned, participants,
                         ScoringSettings.from_json(ledger.meta("score_settings")))


def participants_of(screening: Screening) -> dict[str, tuple[str, str]]:
    return {r.participant.id: (r.participant.name, r.participant.category.value) for r in screening.participants}


def import_sheets(paths: Sequence[Path], out: Path, ledger: Ledger, edition: str | None = None, criteria_file: Path | None = None,
                  threshold: float | None = None, top: int | None = None) -> ImportResult:
    """Check every file, record the good ones, write the ranking again (the caller holds the output lock)."""
    from flows.reporting import (
        RANKING_REPORTS,
        render_reports,
        write_atomic,
        write_rendered,
    )
    from flows.reporting.json_report import scoring_document, screening_from_document
    from flows.steps.context import OutputPaths

    files = sheet_files(paths)
    handed, criteria = handed_out(ledger, OutputPaths(out).packets)
    settings = read_settings(ledger, criteria_file, criteria, threshold, top)
    result = check_files(files, ledger, handed)
    superseded = tuple(sorted(s.judge_id for s in result.imported
                              if any(r["judge_id"] == s.judge_id and r["superseded_at"] is None
                                     for r in ledger.score_sheet_records())))
    if result.refused and not result.imported:
        return result  # a bad sheet changes nothing: not the ledger, not the reports
    if result.imported:
        ledger.record_score_sheets((s.path, s.sha256, s.judge_id, s.packet_id, s.scores) for s in result.imported)
    ledger.set_meta("score_settings", settings.to_json())
    json_path = out / "screening.json"
    doc, screening = None, Screening((), ())
    try:
        doc = json.loads(json_path.read_text(encoding="utf-8"))
        screening = screening_from_document(doc)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        doc = None  # no screening.json yet (or not kipp's): the ranking shows participant ids
    scoring = load_scoring(ledger, participants_of(screening))
    screening = replace(screening, scoring=scoring)
    edition = str(doc.get("edition")) if doc and doc.get("edition") else (edition or "")
    written = write_rendered(render_reports(screening, edition, RANKING_REPORTS), out)
    if doc is not None:
        doc.update(scoring_document(scoring))
        write_atomic(json_path, (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        written["screening"] = json_path
    return replace(result, superseded=superseded, scoring=scoring, written=written)
