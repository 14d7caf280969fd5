"""What the secretariat asks a participant for, per reason a file was quarantined: the quarantine page's words."""

from __future__ import annotations

from dataclasses import dataclass

from models.records import FileStatus, Outcome, ParticipantResult, ParticipantStatus, Reason

_READ_AGAIN = ("belum perlu apa-apa: dibaca ulang setelah `kipp retry`; bila tetap gagal, "
               "minta versi PDF yang lebih ringkas")

# Every reason a file can be quarantined for (tests walk Reason to check none is missing).
ASK: dict[Reason, str] = {
    Reason.EMPTY_FILE: "kirim ulang berkasnya: yang diterima kosong (0 byte)",
    Reason.UNREADABLE: "periksa izin berkas di folder bersama; bila tetap tidak terbuka, minta dikirim ulang",
    Reason.BAD_FILE_NAME: "kirim ulang dengan nama berkas yang pendek, tanpa karakter khusus",
    Reason.UNSUPPORTED_FORMAT: "kirim ulang sebagai PDF atau DOCX (bukan .doc, .odt, gambar atau arsip)",
    Reason.CORRUPT_PDF: "kirim ulang PDF yang utuh: yang diterima rusak atau terpotong",
    Reason.CORRUPT_DOCX: "kirim ulang DOCX yang utuh, atau simpan sebagai PDF lalu kirim",
    Reason.ENCRYPTED_PDF: "kirim PDF tanpa kata sandi",
    Reason.TOO_MANY_PAGES: "kirim proposalnya saja, tanpa lampiran yang membuatnya melebihi batas halaman",
    Reason.ZIP_BOMB: "simpan dokumen sebagai PDF lalu kirim ulang",
    Reason.XML_ENTITIES: "simpan dokumen sebagai PDF lalu kirim ulang",
    Reason.TIMEOUT: _READ_AGAIN,
    Reason.RESOURCE_LIMIT: _READ_AGAIN,
    Reason.EXTRACTION_CRASHED: _READ_AGAIN,
    Reason.EXTRACTION_ERROR: "laporkan ke pengembang; sementara itu minta versi PDF",
    Reason.CHANGED_SINCE_SCAN: "belum perlu apa-apa: dibaca lagi pada putaran berikutnya",
    Reason.NO_TEXT: "kirim berkas yang teksnya terbaca (bukan halaman kosong atau pindaian buram)",
    Reason.UNIDENTIFIED: "minta nama unit ditulis di halaman sampul atau di nama berkas",
    Reason.AMBIGUOUS_PARTICIPANT: "minta nama unit lengkap (dengan nomor dan wilayahnya) di sampul atau nama berkas",
    Reason.CONFLICTING_PARTICIPANT: "tanyakan milik siapa berkas ini: nama berkas dan sampulnya menyebut unit berbeda",
    Reason.UNKNOWN_DOC_TYPE: "minta sampulnya menyebut Proposal Inovasi atau Proposal Kinerja",
    Reason.INTERNAL_ERROR: "laporkan ke pengembang: galat kipp, bukan kesalahan peserta",
}

_MISSING: dict[ParticipantStatus, str] = {
    ParticipantStatus.MISSING_INOVASI: "masih kurang Proposal Inovasi",
    ParticipantStatus.MISSING_KINERJA: "masih kurang Proposal Kinerja",
    ParticipantStatus.MISSING_BOTH: "belum ada proposal yang diterima",
}


@dataclass(frozen=True, slots=True)
class Followup:
    """One participant's quarantined files, each with what to ask for; `result` is None for files
    whose sender could not be told."""

    result: ParticipantResult | None
    files: tuple[tuple[Outcome, str], ...]

    @property
    def missing(self) -> str:
        return _MISSING.get(self.result.status, "") if self.result else ""


def ask(reason: Reason | None) -> str:
    return ASK.get(reason, "") if reason else ""


def followups(documents: tuple[Outcome, ...], participants: tuple[ParticipantResult, ...]) -> list[Followup]:
    """Per participant, in the order given, its quarantined files; then the files of nobody known."""
    files: dict[str | None, list[tuple[Outcome, str]]] = {}
    known = {r.participant.id for r in participants}
    for o in documents:
        if o.status is FileStatus.QUARANTINED:
            owner = o.participant_id if o.participant_id in known else None
            files.setdefault(owner, []).append((o, ask(o.reason)))
    out = [Followup(r, tuple(files[r.participant.id])) for r in participants if r.participant.id in files]
    if None in files:
        out.append(Followup(None, tuple(files[None])))
    return out
