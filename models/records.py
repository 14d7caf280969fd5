"""Records and codes shared by every step of the intake path."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.themes import ThemeAssignment


class Category(StrEnum):
    PERANGKAT_DAERAH = "perangkat_daerah"
    KELURAHAN = "kelurahan"
    PUSKESMAS = "puskesmas"
    SMP = "smp"
    SD = "sd"


class DocType(StrEnum):
    INOVASI = "inovasi"
    KINERJA = "kinerja"


class Status(StrEnum):
    """Final state of one inbox file; every file ends in exactly one."""

    ACCEPTED = "accepted"
    QUARANTINED = "quarantined"
    IGNORED = "ignored"
    SUPERSEDED = "superseded"


class Reason(StrEnum):
    """Why a file is in its state. The README lists these; tests check that it does."""

    # ignored
    SYSTEM_FILE = "system_file"
    PARTIAL_DOWNLOAD = "partial_download"
    STILL_WRITING = "still_writing"
    HIDDEN_FILE = "hidden_file"
    SYMLINK = "symlink"
    IDENTICAL_COPY = "identical_copy"
    REMOVED_FROM_INBOX = "removed_from_inbox"
    # superseded
    NEWER_VERSION = "newer_version"
    # quarantined: the file itself
    EMPTY_FILE = "empty_file"
    UNSUPPORTED_FORMAT = "unsupported_format"
    CORRUPT_PDF = "corrupt_pdf"
    CORRUPT_DOCX = "corrupt_docx"
    ENCRYPTED_PDF = "encrypted_pdf"
    TOO_MANY_PAGES = "too_many_pages"
    ZIP_BOMB = "zip_bomb"
    XML_ENTITIES = "xml_entities"
    TIMEOUT = "timeout"
    RESOURCE_LIMIT = "resource_limit"
    EXTRACTION_CRASHED = "extraction_crashed"
    EXTRACTION_ERROR = "extraction_error"
    # quarantined: who sent it and what it is
    UNIDENTIFIED = "unidentified"
    AMBIGUOUS_PARTICIPANT = "ambiguous_participant"
    CONFLICTING_PARTICIPANT = "conflicting_participant"
    UNKNOWN_DOC_TYPE = "unknown_doc_type"


class Completeness(StrEnum):
    COMPLETE = "complete"
    MISSING_INOVASI = "missing_inovasi"
    MISSING_KINERJA = "missing_kinerja"
    MISSING_BOTH = "missing_both"


@dataclass(frozen=True, slots=True)
class Participant:
    id: str
    name: str
    category: Category
    parent_id: str | None = None


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One file found in the inbox, before anything is read from it."""

    path: str  # relative to the inbox, "/" separators
    size: int
    mtime_ns: int
    ignore_reason: Reason | None = None  # set for files that are never read (system files, partial downloads)


@dataclass(frozen=True, slots=True)
class Extraction:
    """What an extractor read from one file."""

    format: str  # "pdf" | "docx"
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
    status: Status
    reason: Reason | None
    participant_id: str | None = None
    doc_type: DocType | None = None
    pages: int | None = None
    chars: int | None = None
    match_score: float | None = None
    format: str | None = None
    detail: str | None = None  # human-readable explanation, in Indonesian where shown to admins
    copy_of: str | None = None  # for identical copies and superseded files: the path that counts
    ocr_confidence: float | None = None  # set when the text was read by OCR


@dataclass(frozen=True, slots=True)
class ParticipantResult:
    participant: Participant
    status: Completeness
    inovasi: str | None
    kinerja: str | None
    history: tuple[str, ...] = field(default=())  # superseded paths, oldest first
    theme: ThemeAssignment | None = None  # of the Inovasi proposal that counts
