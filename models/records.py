"""Records and codes shared by every step of the intake path."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Self


class Labelled(StrEnum):
    """A code that carries the words an admin reads for it, where it is defined.

    Members are written `NAME = ("code", "Indonesian label", "English label")`; the value is the
    code. A member without both labels cannot be defined, so no report can look one up and miss.
    """

    label: str  # Indonesian: what every report shows today
    label_en: str  # for --lang en later

    def __new__(cls, value: str, label: str, label_en: str) -> Self:
        if not (value and label and label_en):
            raise ValueError(f"{cls.__name__}.{value}: a code needs its Indonesian and English labels")
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.label_en = label_en
        return member

    def text(self, lang: str = "id") -> str:
        return self.label_en if lang == "en" else self.label


class Category(Labelled):
    PERANGKAT_DAERAH = ("perangkat_daerah", "Perangkat Daerah", "Regional agency")
    KELURAHAN = ("kelurahan", "Kelurahan", "Urban village")
    PUSKESMAS = ("puskesmas", "Puskesmas", "Community health centre")
    SMP = ("smp", "SMP", "Junior high school")
    SD = ("sd", "SD", "Primary school")


class InputFormat(Labelled):
    """What a file is by its content (extractors/detect.py decides), whatever its name says."""

    PDF = ("pdf", "PDF", "PDF")
    DOCX = ("docx", "DOCX", "DOCX")


class ThemeSource(Labelled):
    """Where a participant's theme comes from."""

    MODEL = ("model", "model", "model")
    CORRECTION = ("correction", "koreksi admin", "admin correction")


class DocType(Labelled):
    INOVASI = ("inovasi", "Proposal Inovasi", "Innovation proposal")
    KINERJA = ("kinerja", "Proposal Kinerja", "Performance proposal")


class FileStatus(Labelled):
    """Final state of one inbox file; every file ends in exactly one."""

    ACCEPTED = ("accepted", "Diterima", "Accepted")
    QUARANTINED = ("quarantined", "Dikarantina", "Quarantined")
    IGNORED = ("ignored", "Diabaikan", "Ignored")
    SUPERSEDED = ("superseded", "Digantikan", "Superseded")


class Reason(Labelled):
    """Why a file is in its state. The README lists these; tests check that it does."""

    # ignored
    SYSTEM_FILE = ("system_file", "berkas sistem (bukan dokumen peserta)", "system file, not a participant's document")
    PARTIAL_DOWNLOAD = ("partial_download", "unduhan/unggahan belum selesai", "download or upload not finished")
    STILL_WRITING = ("still_writing", "berkas masih sedang ditulis; dibaca pada putaran berikutnya",
                     "still being written; read on a later run")
    HIDDEN_FILE = ("hidden_file", "berkas tersembunyi", "hidden file")
    SYMLINK = ("symlink", "tautan simbolik; tidak dibaca demi keamanan", "symbolic link; never followed")
    SPECIAL_FILE = ("special_file", "bukan berkas biasa (FIFO, soket atau perangkat); tidak dibaca",
                    "not a regular file (FIFO, socket or device); never read")
    IDENTICAL_COPY = ("identical_copy", "salinan identik dari berkas lain", "identical copy of another file")
    REMOVED_FROM_INBOX = ("removed_from_inbox", "pernah diterima, kini tidak ada lagi di kotak masuk",
                          "received earlier, no longer in the inbox")
    # superseded
    NEWER_VERSION = ("newer_version", "digantikan oleh kiriman yang lebih baru", "replaced by a newer submission")
    # quarantined: the file itself
    EMPTY_FILE = ("empty_file", "berkas kosong (0 byte)", "empty file (0 bytes)")
    UNREADABLE = ("unreadable", "berkas atau folder tidak dapat dibuka (izin akses ditolak)",
                  "file or folder cannot be opened (permission denied)")
    BAD_FILE_NAME = ("bad_file_name", "nama berkas tidak dapat dipakai (bukan UTF-8 atau terlalu panjang); ganti nama berkas",
                     "unusable file name (not UTF-8 or too long); rename the file")
    UNSUPPORTED_FORMAT = ("unsupported_format", "format tidak didukung (kirim PDF atau DOCX)",
                          "unsupported format (send PDF or DOCX)")
    CORRUPT_PDF = ("corrupt_pdf", "PDF rusak atau terpotong", "broken or truncated PDF")
    CORRUPT_DOCX = ("corrupt_docx", "DOCX rusak atau terpotong", "broken or truncated DOCX")
    ENCRYPTED_PDF = ("encrypted_pdf", "PDF terkunci kata sandi", "password-protected PDF")
    TOO_MANY_PAGES = ("too_many_pages", "PDF melebihi batas jumlah halaman", "PDF has more pages than the limit")
    ZIP_BOMB = ("zip_bomb", "DOCX mengembang melampaui batas ukuran (bom zip)",
                "DOCX inflates past the size limits (zip bomb)")
    XML_ENTITIES = ("xml_entities", "DOCX memuat deklarasi entitas XML; ditolak demi keamanan",
                    "DOCX declares XML entities; refused for safety")
    TIMEOUT = ("timeout", "membaca berkas melebihi batas waktu", "reading took longer than the time limit")
    RESOURCE_LIMIT = ("resource_limit", "membaca berkas melampaui batas memori", "reading needed more memory than allowed")
    EXTRACTION_CRASHED = ("extraction_crashed", "proses pembaca berkas berhenti mendadak",
                          "the reading process died")
    EXTRACTION_ERROR = ("extraction_error", "galat tak terduga saat membaca berkas", "unexpected error while reading")
    CHANGED_SINCE_SCAN = ("changed_since_scan", "berkas berubah atau diganti sejak dipindai; dibaca lagi pada putaran berikutnya",
                          "changed or replaced since it was scanned; read again on the next run")
    NO_TEXT = ("no_text", "dokumen kosong atau tidak terbaca", "blank or unreadable document")
    # quarantined: who sent it and what it is
    UNIDENTIFIED = ("unidentified", "peserta tidak dikenali dari nama berkas maupun halaman sampul",
                    "no registered participant matches the name or the cover")
    AMBIGUOUS_PARTICIPANT = ("ambiguous_participant", "cocok dengan lebih dari satu peserta",
                             "matches more than one participant")
    CONFLICTING_PARTICIPANT = ("conflicting_participant", "nama berkas dan halaman sampul menunjuk peserta berbeda",
                               "file name and cover name different participants")
    UNKNOWN_DOC_TYPE = ("unknown_doc_type", "jenis proposal (Inovasi/Kinerja) tidak dikenali",
                        "neither Inovasi nor Kinerja could be recognised")
    # quarantined: the pipeline itself failed on this file
    INTERNAL_ERROR = ("internal_error", "galat internal saat menyaring berkas ini; laporkan ke pengembang",
                      "internal error while screening this file; report it to the developers")

    @property
    def state(self) -> FileStatus:
        """The one state a file with this reason is in."""
        return _REASON_STATE.get(self, FileStatus.QUARANTINED)


_REASON_STATE = {
    **dict.fromkeys(
        (Reason.SYSTEM_FILE, Reason.PARTIAL_DOWNLOAD, Reason.STILL_WRITING, Reason.HIDDEN_FILE, Reason.SYMLINK,
         Reason.SPECIAL_FILE, Reason.IDENTICAL_COPY, Reason.REMOVED_FROM_INBOX),
        FileStatus.IGNORED,
    ),
    Reason.NEWER_VERSION: FileStatus.SUPERSEDED,
}


class ParticipantStatus(Labelled):
    """Where a participant stands: which of the two proposals count."""

    COMPLETE = ("complete", "Lengkap", "Complete")
    MISSING_INOVASI = ("missing_inovasi", "Kurang Proposal Inovasi", "Innovation proposal missing")
    MISSING_KINERJA = ("missing_kinerja", "Kurang Proposal Kinerja", "Performance proposal missing")
    MISSING_BOTH = ("missing_both", "Belum mengirim", "Nothing sent")


@dataclass(frozen=True, slots=True)
class Participant:
    id: str
    name: str
    category: Category
    parent_id: str | None = None
    contact: str | None = None  # e-mail or phone from the roster, as typed; for reminders (models/reminders.py)


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One file found in the inbox, before anything is read from it."""

    path: str  # relative to the inbox, "/" separators
    size: int
    mtime_ns: int
    # Set for entries never read: system files, partial downloads, links, FIFOs; or found unusable
    # before reading (unreadable, bad_file_name), which are quarantined. None: a file to read.
    ignore_reason: Reason | None = None
    inode: int = 0  # with ctime_ns: a file replaced in place (same size, mtime restored) is still noticed
    ctime_ns: int = 0


@dataclass(frozen=True, slots=True)
class Extraction:
    """What an extractor read from one file."""

    format: InputFormat
    text: str
    pages: int
    cover: str  # text of the first page (PDF) or the opening paragraphs and headers (DOCX)
    notes: tuple[str, ...] = ()
    ocr_confidence: float | None = None  # mean Tesseract word confidence (0-100) when the text came from OCR


@dataclass(frozen=True, slots=True)
class Identification:
    participant_id: str | None
    score: float  # 0-100; the best candidate's score even when it was not accepted
    source: str | None  # "path", "cover" or "path+cover"
    reason: Reason | None = None  # set when participant_id is None
    candidates: tuple[str, ...] = ()  # the contenders when ambiguous or conflicting


@dataclass(frozen=True, slots=True)
class Outcome:
    """The decision about one inbox file, as published in screening.json."""

    path: str
    sha256: str | None
    size: int
    status: FileStatus
    reason: Reason | None
    participant_id: str | None = None
    doc_type: DocType | None = None
    pages: int | None = None
    chars: int | None = None
    match_score: float | None = None
    format: InputFormat | None = None
    detail: str | None = None  # human-readable explanation, in Indonesian where shown to admins
    copy_of: str | None = None  # for identical copies and superseded files: the path that counts
    ocr_confidence: float | None = None  # set when the text was read by OCR
    review: str | None = None  # why an accepted file needs a human look (a scan read without OCR)


@dataclass(frozen=True, slots=True)
class ThemeAssignment:
    """The theme of one participant's Inovasi proposal (models/themes)."""

    participant_id: str
    theme: str
    theme_label: str
    theme_confidence: float
    theme_runner_up: str | None
    theme_source: ThemeSource
    needs_review: bool


@dataclass(frozen=True, slots=True)
class ParticipantResult:
    participant: Participant
    status: ParticipantStatus
    inovasi: str | None
    kinerja: str | None
    history: tuple[str, ...] = field(default=())  # superseded paths, oldest first
    theme: ThemeAssignment | None = None  # of the Inovasi proposal that counts
    review: tuple[str, ...] = field(default=())  # why a counting file needs a human look

    @property
    def needs_review(self) -> bool:
        return bool(self.review)


# ------------------------------------------------------------------------------ hand-off to judges

@dataclass(frozen=True, slots=True)
class Judge:
    """One member of the panel (judges.csv `id,name,affiliation_id,expertise[,capacity][,contact]`)."""

    id: str
    name: str
    affiliation_id: str | None  # a roster id (an official of a competing unit), or None (academics, outside experts)
    expertise: tuple[str, ...]  # theme ids of the taxonomy in use
    capacity: int | None = None  # the most proposals this judge takes; None: no limit, loads balanced
    contact: str | None = None


@dataclass(frozen=True, slots=True)
class JudgeAssignment:
    """One participant's pair of proposals handed to one judge."""

    judge_id: str
    participant_id: str
    expertise_match: bool  # the proposal's theme (or, under review, its runner-up) is in the judge's expertise
    frozen: bool = False  # handed out by `kipp handoff`; never moved by a later run


class Blocker(Labelled):
    """Why a participant was not handed off, or got fewer judges than asked for."""

    NOT_COMPLETE = ("not_complete", "belum lengkap: kedua proposal belum diterima",
                    "not complete: both proposals have not been received")
    CONFLICT_OF_INTEREST = ("conflict_of_interest", "terlalu sedikit juri tanpa konflik kepentingan",
                            "too few judges without a conflict of interest")
    CAPACITY = ("capacity", "kapasitas juri yang bebas konflik sudah penuh",
                "the capacity of the judges without a conflict is used up")
    DUPLICATE_GROUP = ("duplicate_group", "duplikat berat harus dinilai juri yang sama; terlalu sedikit juri tanpa konflik untuk semuanya",
                       "a high-severity duplicate must go to the same judges; too few judges free of conflict for all of them")
    NO_JUDGES = ("no_judges", "belum ada juri", "no judges")


@dataclass(frozen=True, slots=True)
class Unassigned:
    """A participant not handed off (reason NOT_COMPLETE) or short of the judges asked for."""

    participant_id: str
    reason: Blocker
    assigned: int = 0  # judges it did get
    detail: str = ""  # in Indonesian: the numbers behind the reason


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """An assignment handed out earlier and taken back: the participant is no longer complete, the judge
    left the panel, or a conflict of interest was declared since."""

    judge_id: str
    participant_id: str
    reason: str  # in Indonesian


@dataclass(frozen=True, slots=True)
class Judging:
    """Who judges what: a preview (`kipp run --judges`), or what `kipp handoff` froze and added since."""

    judges: tuple[Judge, ...]
    per_proposal: int
    assignments: tuple[JudgeAssignment, ...]  # sorted by (participant_id, judge_id)
    unassigned: tuple[Unassigned, ...] = ()
    withdrawn: tuple[Withdrawal, ...] = ()  # taken back by this run (a preview: to be taken back at the hand-off)
    conflicts_avoided: int = 0  # judge-proposal pairs left out for a conflict of interest
    solver: str = ""
    solve_seconds: float = 0.0
    handed_at: str | None = None  # the last hand-off (ISO, UTC); None: nothing handed out yet
    theme_labels: tuple[tuple[str, str], ...] = ()  # (theme id, label) of the taxonomy, for the judges' expertise

    def load(self, judge_id: str) -> int:
        return sum(1 for a in self.assignments if a.judge_id == judge_id)

    @property
    def expertise_match_rate(self) -> float:
        return sum(a.expertise_match for a in self.assignments) / len(self.assignments) if self.assignments else 0.0
