"""File decisions, resubmissions, identical copies and completeness, without Prefect."""

from __future__ import annotations

from models.identify import Identifier
from models.ledger import StoredExtraction
from models.records import Extraction, FileStatus, InboxItem, ParticipantStatus, Reason
from models.roster import parse_roster
from models.screening import screen
from tests.conftest import ROSTER_CSV

ROSTER = parse_roster(ROSTER_CSV)
INOVASI = "PROPOSAL INOVASI PELAYANAN PUBLIK\n"
KINERJA = "PROPOSAL KINERJA PENYELENGGARAAN PELAYANAN PUBLIK\n"


def _stored(sha: str, cover: str) -> StoredExtraction:
    return StoredExtraction(sha, Extraction("pdf", cover + "isi", 3, cover), len(cover) + 3, None, None)


def _run(files: list[tuple[str, str, int, str]]):
    """files: (path, sha, mtime, cover); a cover starting with '!' is an extraction error."""
    items = [InboxItem(path, 100, mtime) for path, _, mtime, _ in files]
    hashes = {path: sha for path, sha, _, _ in files}
    stored = {}
    for _, sha, _, cover in files:
        if cover.startswith("!"):
            stored[sha] = StoredExtraction(sha, None, None, Reason.CORRUPT_PDF, "PDF rusak")
        else:
            stored[sha] = _stored(sha, cover)
    result = screen(items, hashes, stored, ROSTER, identifier=Identifier(ROSTER))
    return {o.path: o for o in result.documents}, {r.participant.id: r for r in result.participants}


def test_both_documents_make_a_participant_complete() -> None:
    docs, people = _run(
        [
            ("SDN Sawojajar 1 inovasi.pdf", "a", 1, INOVASI),
            ("Scan_0001.pdf", "b", 2, KINERJA + "SD NEGERI SAWOJAJAR 1"),
            ("SMPN 5 kinerja.pdf", "c", 3, KINERJA),
        ]
    )
    assert all(o.status is FileStatus.ACCEPTED for o in docs.values())
    assert people["sd-sawojajar-1"].status is ParticipantStatus.COMPLETE
    assert people["smp-05"].status is ParticipantStatus.MISSING_INOVASI
    assert people["smp-15"].status is ParticipantStatus.MISSING_BOTH


def test_newer_resubmission_supersedes_and_identical_copy_is_not_counted_twice() -> None:
    docs, people = _run(
        [
            ("SMPN 5 inovasi.pdf", "old", 1, INOVASI),
            ("SMPN 5 inovasi revisi.pdf", "new", 5, INOVASI),
            ("salinan/SMPN 5 inovasi revisi (1).pdf", "new", 9, INOVASI),
        ]
    )
    assert docs["SMPN 5 inovasi.pdf"].status is FileStatus.SUPERSEDED
    assert docs["SMPN 5 inovasi.pdf"].copy_of == "SMPN 5 inovasi revisi.pdf"
    copy = docs["salinan/SMPN 5 inovasi revisi (1).pdf"]
    assert (copy.status, copy.reason, copy.copy_of) == (FileStatus.IGNORED, Reason.IDENTICAL_COPY, "SMPN 5 inovasi revisi.pdf")
    assert people["smp-05"].inovasi == "SMPN 5 inovasi revisi.pdf"
    assert people["smp-05"].history == ("SMPN 5 inovasi.pdf",)


def test_unreadable_file_is_quarantined_but_still_shows_whose_it_is() -> None:
    docs, people = _run([("SMPN 15 kinerja.pdf", "x", 1, "!")])
    o = docs["SMPN 15 kinerja.pdf"]
    assert (o.status, o.reason, o.participant_id) == (FileStatus.QUARANTINED, Reason.CORRUPT_PDF, "smp-15")
    assert people["smp-15"].status is ParticipantStatus.MISSING_BOTH


def test_unidentified_and_untyped_files_are_quarantined_with_reasons() -> None:
    docs, _ = _run(
        [
            ("Scan_0002.pdf", "a", 1, INOVASI + "SD NEGERI SUKUN 3"),
            ("SMPN 5.pdf", "b", 1, "Lampiran foto kegiatan"),
            ("Kedungkandang.pdf", "c", 1, INOVASI),
        ]
    )
    assert docs["Scan_0002.pdf"].reason is Reason.UNIDENTIFIED
    assert docs["SMPN 5.pdf"].reason is Reason.UNKNOWN_DOC_TYPE
    assert docs["Kedungkandang.pdf"].reason is Reason.AMBIGUOUS_PARTICIPANT
    assert "Kelurahan Kedungkandang" in docs["Kedungkandang.pdf"].detail
