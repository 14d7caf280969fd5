"""What the admin web app shows: the last run's screening.json read back into records, with the
ledger's decisions laid over it, so a decision shows at once and not only after the next run."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from flows.reporting.json_report import screening_from_document
from models.duplicates.flags import Decision, DuplicateFlag, decision_key
from models.errors import InputError
from models.language import say
from models.ledger import AdminDecision
from models.records import (
    Blocker,
    Category,
    FileStatus,
    Judge,
    JudgeAssignment,
    Judging,
    Labelled,
    Outcome,
    ParticipantResult,
    ParticipantStatus,
    ThemeAssignment,
    ThemeSource,
    Unassigned,
    Withdrawal,
)
from models.screening import StepError
from models.themes import Taxonomy


class EditionError(InputError):
    """screening.json is missing or cannot be read back; the message says which and what to do."""


class QueryError(InputError):
    """A page's query parameter is not one of its values; the message names each and its choices."""


@dataclass(frozen=True, slots=True)
class Edition:
    """One screening.json as records, and the indexes every page needs."""

    edition: str
    generated_at: str
    documents: tuple[Outcome, ...]
    participants: tuple[ParticipantResult, ...]
    flags: tuple[DuplicateFlag, ...]
    errors: tuple[StepError, ...]
    judging: Judging | None = None  # the last run's assignment to the judges; None without a panel

    def participant(self, pid: str) -> ParticipantResult | None:
        return next((r for r in self.participants if r.participant.id == pid), None)

    def document(self, path: str) -> Outcome | None:
        return next((o for o in self.documents if o.path == path), None)


# -- reading screening.json back ----------------------------------------------------------------


def read_edition(path: Path) -> Edition:
    """screening.json as written by a run, read back by the one reader (flows/reporting/json_report.py)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EditionError(say(f"{path}: belum ada laporan; jalankan kipp run dengan --out ini dulu "
                               "(salah ketik --out?)",
                               f"{path}: no report yet; run kipp run with this --out first (--out mistyped?)")) from None
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise EditionError(say(f"{path}: tidak terbaca ({e}); jalankan kipp run lagi",
                               f"{path}: cannot be read ({e}); run kipp run again")) from e
    try:
        screening = screening_from_document(doc)
        return Edition(str(doc["edition"]), str(doc["generated_at"]), screening.documents, screening.participants,
                       screening.duplicates, screening.errors, judging_from_document(doc))
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise EditionError(say(f"{path}: isinya tidak sesuai skema screening.json ({type(e).__name__}: {e}); "
                               "jalankan kipp run lagi, atau perbarui kipp",
                               f"{path}: its content does not fit the schema of screening.json "
                               f"({type(e).__name__}: {e}); run kipp run again, or update kipp")) from e


def judging_from_document(doc: Mapping) -> Judging | None:
    """The judges' keys of screening.json read back (the inverse of json_report.judging_document,
    which the shared reader leaves out); None when the run had no panel."""
    handoff = doc.get("handoff")
    if not handoff:
        return None
    judges = tuple(Judge(str(j["id"]), str(j["name"]), j.get("affiliation_id"), tuple(j.get("expertise", ())),
                         j.get("capacity")) for j in doc.get("judges", ()))
    return Judging(
        judges, int(handoff["per_proposal"]),
        tuple(JudgeAssignment(str(a["judge_id"]), str(a["participant_id"]), bool(a["expertise_match"]),
                              bool(a.get("frozen", False))) for a in doc.get("assignments", ())),
        tuple(Unassigned(str(u["participant_id"]), Blocker(u["reason"]), int(u.get("assigned", 0)),
                         str(u.get("detail", ""))) for u in doc.get("unassigned", ())),
        tuple(Withdrawal(str(w["judge_id"]), str(w["participant_id"]), str(w["reason"]))
              for w in doc.get("withdrawn", ())),
        int(handoff.get("conflicts_avoided", 0)), str(handoff.get("solver", "")), 0.0, handoff.get("handed_at"),
    )


class EditionCache:
    """The last screening.json read, kept while the file is the same one (a run replaces it by rename)."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._key: tuple[int, int, int] | None = None
        self._edition: Edition | None = None

    def get(self) -> Edition:
        try:
            st = self.path.stat()
        except OSError:
            return read_edition(self.path)  # says why, in one line
        key = (st.st_ino, st.st_size, st.st_mtime_ns)
        with self._lock:
            if key != self._key or self._edition is None:
                self._edition, self._key = read_edition(self.path), key
            return self._edition


# -- the admins' decisions laid over it ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decided:
    """The edition as the admins see it now: the ledger's decisions win over what the last run wrote."""

    edition: Edition
    participants: tuple[ParticipantResult, ...]  # themes corrected in the ledger since the run
    flags: tuple[DuplicateFlag, ...]  # decisions taken in the ledger since the run
    flag_decisions: dict[str, AdminDecision]  # by flag key
    theme_decisions: dict[str, AdminDecision]  # by participant id

    def participant(self, pid: str) -> ParticipantResult | None:
        return next((r for r in self.participants if r.participant.id == pid), None)

    def names(self) -> dict[str, str]:
        return {r.participant.id: r.participant.name for r in self.participants}


def decide(edition: Edition, taxonomy: Taxonomy, flag_decisions: Mapping[str, AdminDecision],
           theme_decisions: Mapping[str, AdminDecision]) -> Decided:
    flags = []
    for flag in edition.flags:
        kept = flag_decisions.get(decision_key(flag))
        flags.append(replace(flag, decision=_decision(kept.value)) if kept else flag)
    participants = tuple(_corrected(r, theme_decisions.get(r.participant.id), taxonomy) for r in edition.participants)
    return Decided(edition, participants, tuple(flags), dict(flag_decisions), dict(theme_decisions))


def _decision(value: str) -> Decision | None:
    try:
        return Decision(value)
    except ValueError:
        return None  # a value a newer kipp wrote: shown as undecided rather than failing every page


def _corrected(r: ParticipantResult, correction: AdminDecision | None, taxonomy: Taxonomy) -> ParticipantResult:
    """The admin's theme in place of the model's, keeping the model's confidence and runner-up to show."""
    if correction is None or correction.value not in taxonomy:
        return r
    model = r.theme
    theme = ThemeAssignment(
        r.participant.id, correction.value, taxonomy.label(correction.value),
        model.theme_confidence if model else 1.0, model.theme_runner_up if model else None,
        ThemeSource.CORRECTION, False,
    )
    return replace(r, theme=theme)


# -- the participants table: search, filters and natural order ----------------------------------

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """Numbers in a name compare as numbers: SMP Negeri 1, 3, 5, 11, 15, 21 (not 1, 11, 15, 21, 3, 5)."""
    parts = _DIGITS.split(" ".join(text.casefold().split()))
    return tuple((0, int(p), "") if i % 2 else (1, 0, p) for i, p in enumerate(parts))


class Flag(Labelled):
    """What the participants table can be narrowed to, beyond category, status and theme."""

    DUPLICATE = ("duplikat", "dugaan duplikat (belum ditolak)", "duplicate flag (not dismissed)")
    THEME_REVIEW = ("tema_ditinjau", "tema perlu ditinjau", "theme needs review")
    REVIEW = ("perlu_diperiksa", "berkas perlu diperiksa", "a file needs a human look")
    QUARANTINE = ("karantina", "ada berkas dikarantina", "has quarantined files")


class SortKey(Labelled):
    NAME = ("nama", "Nama", "Name")
    CATEGORY = ("kategori", "Kategori", "Category")
    STATUS = ("status", "Status", "Status")
    THEME = ("tema", "Tema", "Theme")
    CONFIDENCE = ("keyakinan", "Keyakinan tema", "Theme confidence")


@dataclass(frozen=True, slots=True)
class Query:
    """The participants table's query parameters, checked: a link or a bookmark says exactly what it shows."""

    q: str = ""
    category: Category | None = None
    status: ParticipantStatus | None = None
    theme: str | None = None
    flag: Flag | None = None
    sort: SortKey = SortKey.NAME
    descending: bool = False

    @classmethod
    def parse(cls, params: Mapping[str, str], taxonomy: Taxonomy) -> Query:
        """Raises QueryError naming every parameter that is not one of its values."""
        problems = []

        def pick(name: str, enum: type[Labelled]):
            value = params.get(name, "")
            if not value:
                return None
            try:
                return enum(value)
            except ValueError:
                problems.append(f"{name}={value!r} ({say('pilihan', 'choices')}: {', '.join(m.value for m in enum)})")
                return None

        theme = params.get("tema") or None
        if theme is not None and theme not in taxonomy:
            problems.append(f"tema={theme!r} ({say('pilihan', 'choices')}: {', '.join(taxonomy.ids)})")
        order = params.get("arah", "naik")
        if order not in ("naik", "turun"):
            problems.append(f"arah={order!r} ({say('pilihan', 'choices')}: naik, turun)")
        query = cls(params.get("q", "").strip(), pick("kategori", Category), pick("status", ParticipantStatus),
                    theme, pick("tanda", Flag), pick("urut", SortKey) or SortKey.NAME, order == "turun")
        if problems:
            raise QueryError(say("parameter tidak dikenal: ", "unknown parameters: ") + "; ".join(problems))
        return query

    def params(self, **changes: object) -> dict[str, str]:
        """This query as URL parameters, with some changed (the column headers' links)."""
        values = {"q": self.q, "kategori": self.category or "", "status": self.status or "", "tema": self.theme or "",
                  "tanda": self.flag or "", "urut": self.sort, "arah": "turun" if self.descending else "naik"}
        values.update({k: str(v) for k, v in changes.items()})
        return {k: str(v) for k, v in values.items() if v}


@dataclass(frozen=True, slots=True)
class Row:
    result: ParticipantResult
    flags: tuple[Flag, ...]
    quarantined: int


def participant_rows(decided: Decided, query: Query) -> list[Row]:
    """The table's rows: searched, filtered and sorted on the server, so it works without script."""
    quarantined: dict[str, int] = {}
    for o in decided.edition.documents:
        if o.status is FileStatus.QUARANTINED and o.participant_id:
            quarantined[o.participant_id] = quarantined.get(o.participant_id, 0) + 1
    flagged = {pid for f in decided.flags if f.decision is not Decision.DISMISSED
               for pid in (f.a_participant, f.b_participant) if pid}
    rows = [Row(r, _flags(r, flagged, quarantined), quarantined.get(r.participant.id, 0)) for r in decided.participants]
    needle = query.q.casefold()
    rows = [
        row for row in rows
        if (not needle or needle in f"{row.result.participant.name}\n{row.result.participant.id}".casefold())
        and (query.category is None or row.result.participant.category is query.category)
        and (query.status is None or row.result.status is query.status)
        and (query.theme is None or (row.result.theme is not None and row.result.theme.theme == query.theme))
        and (query.flag is None or query.flag in row.flags)
    ]
    rows.sort(key=lambda row: natural_key(row.result.participant.name))
    rows.sort(key=_sort_key(query.sort), reverse=query.descending)  # stable: ties stay in name order
    return rows


def _flags(r: ParticipantResult, flagged: set[str], quarantined: Mapping[str, int]) -> tuple[Flag, ...]:
    pid = r.participant.id
    out = []
    if pid in flagged:
        out.append(Flag.DUPLICATE)
    if r.theme is not None and r.theme.needs_review and r.theme.theme_source is ThemeSource.MODEL:
        out.append(Flag.THEME_REVIEW)
    if r.review:
        out.append(Flag.REVIEW)
    if quarantined.get(pid):
        out.append(Flag.QUARANTINE)
    return tuple(out)


def _sort_key(key: SortKey):
    categories = {c: i for i, c in enumerate(Category)}
    statuses = {s: i for i, s in enumerate(ParticipantStatus)}
    if key is SortKey.CATEGORY:
        return lambda row: categories[row.result.participant.category]
    if key is SortKey.STATUS:
        return lambda row: statuses[row.result.status]
    if key is SortKey.THEME:
        return lambda row: (row.result.theme is None, row.result.theme.theme_label if row.result.theme else "")
    if key is SortKey.CONFIDENCE:
        return lambda row: row.result.theme.theme_confidence if row.result.theme else -1.0
    return lambda row: natural_key(row.result.participant.name)


def involving(flags: Iterable[DuplicateFlag], pid: str) -> list[DuplicateFlag]:
    return [f for f in flags if pid in (f.a_participant, f.b_participant)]
