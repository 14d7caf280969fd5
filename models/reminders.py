"""Reminders: for each participant still missing a proposal, what is missing or wrong, what to send,
and a ready Indonesian message with its mailto: and WhatsApp links. Links only: nothing is sent.

Pure: built from a screening and the roster's contacts. A proposal that counts is never asked for
again, even when an unusable file of the same kind lies beside it: the screening does not say which
came first, and the participant may have fixed it already.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import quote

from models.inbox import printable
from models.records import (
    DocType,
    FileStatus,
    Outcome,
    Participant,
    ParticipantStatus,
    Reason,
)
from models.screening import Screening

# What each proposal is called in a letter to a participant.
FULL_TITLE = {
    DocType.INOVASI: "Proposal Inovasi Pelayanan Publik",
    DocType.KINERJA: "Proposal Kinerja Penyelenggaraan Pelayanan Publik",
}
SEND_FORMAT = "Mohon kirim dalam format PDF atau DOCX."
SIGNATURE = "Sekretariat KIPP"


@dataclass(frozen=True, slots=True)
class Remedy:
    """What a rejected file's reason means to its sender, and what to do about it.

    `why` and `ask` are in Indonesian, written for the participant (a reason's label is written for
    an admin). `participant` False: the file may well be fine and the secretariat or kipp acts
    (a folder's permissions, a file read again on the next run); nothing is asked of the participant.
    """

    why: str
    ask: str
    participant: bool = True


_RESEND_PDF = "Mohon simpan ulang sebagai PDF (File > Save As > PDF) lalu kirim lagi."
_LIGHTER = "Mohon kirim versi yang lebih ringan: kecilkan gambar atau ekspor ulang ke PDF."
_NAME_ON_COVER = ("Mohon tulis nama unit persis seperti terdaftar di halaman sampul dan di nama berkas, "
                  "lalu kirim ulang.")

# Every reason a file is quarantined for has its entry (tests/models/test_reminders.py walks them).
REMEDIES: dict[Reason, Remedy] = {
    Reason.EMPTY_FILE: Remedy("berkasnya kosong (0 byte); mungkin unggahannya belum selesai",
                              "Mohon kirim ulang berkas yang lengkap."),
    Reason.UNREADABLE: Remedy("berkas tidak dapat dibuka di folder sekretariat (izin akses)",
                              "Sekretariat memperbaiki izin berkas; peserta tidak perlu mengirim ulang.",
                              participant=False),
    Reason.BAD_FILE_NAME: Remedy("nama berkasnya tidak dapat dipakai (terlalu panjang atau berisi karakter khusus)",
                                 "Mohon kirim ulang dengan nama berkas pendek tanpa karakter khusus, "
                                 "misalnya inovasi_nama-unit.pdf."),
    Reason.UNSUPPORTED_FORMAT: Remedy("formatnya tidak didukung", SEND_FORMAT),
    Reason.CORRUPT_PDF: Remedy("PDF-nya rusak atau terpotong", _RESEND_PDF),
    Reason.CORRUPT_DOCX: Remedy("DOCX-nya rusak atau terpotong",
                                "Mohon buka dan simpan ulang di Word, atau ekspor ke PDF, lalu kirim lagi."),
    Reason.ENCRYPTED_PDF: Remedy("PDF-nya terkunci kata sandi", "Mohon kirim ulang PDF tanpa kata sandi."),
    Reason.TOO_MANY_PAGES: Remedy("jumlah halamannya melebihi batas",
                                  "Mohon kirim proposalnya saja, tanpa lampiran yang tidak diminta."),
    Reason.ZIP_BOMB: Remedy("isi DOCX-nya terlalu besar untuk dibaca", "Mohon ekspor ke PDF lalu kirim lagi."),
    Reason.XML_ENTITIES: Remedy("DOCX-nya memuat bagian yang tidak dapat dibaca dengan aman",
                                "Mohon ekspor ke PDF lalu kirim lagi."),
    Reason.TIMEOUT: Remedy("berkasnya terlalu berat untuk dibaca dalam batas waktu", _LIGHTER),
    Reason.RESOURCE_LIMIT: Remedy("berkasnya terlalu besar untuk dibaca", _LIGHTER),
    Reason.EXTRACTION_CRASHED: Remedy("berkasnya tidak dapat dibaca", _RESEND_PDF),
    Reason.EXTRACTION_ERROR: Remedy("berkasnya tidak dapat dibaca", _RESEND_PDF),
    Reason.CHANGED_SINCE_SCAN: Remedy("berkas berubah saat diperiksa",
                                      "Dibaca lagi pada pemeriksaan berikutnya; peserta tidak perlu mengirim ulang.",
                                      participant=False),
    Reason.NO_TEXT: Remedy("isinya kosong atau tidak terbaca (misalnya pindaian yang buram atau halaman kosong)",
                           "Mohon kirim berkas yang memuat teks proposal, misalnya hasil ekspor PDF dari Word."),
    Reason.UNIDENTIFIED: Remedy("nama unit pengirim tidak dapat dikenali", _NAME_ON_COVER),
    Reason.AMBIGUOUS_PARTICIPANT: Remedy("nama unit pengirim cocok dengan lebih dari satu peserta", _NAME_ON_COVER),
    Reason.CONFLICTING_PARTICIPANT: Remedy("nama berkas dan halaman sampul menyebut unit yang berbeda",
                                           _NAME_ON_COVER),
    Reason.UNKNOWN_DOC_TYPE: Remedy("jenis proposalnya (Inovasi atau Kinerja) tidak dapat dikenali",
                                    f'Mohon tulis judul "{FULL_TITLE[DocType.INOVASI]}" atau '
                                    f'"{FULL_TITLE[DocType.KINERJA]}" di halaman sampul, lalu kirim ulang.'),
    Reason.INTERNAL_ERROR: Remedy("terjadi galat pada sistem penyaringan",
                                  "Sekretariat menindaklanjuti; peserta tidak perlu mengirim ulang.",
                                  participant=False),
}
# A reason added later without its entry still gives a reminder an admin can act on.
_UNKNOWN = Remedy("berkasnya tidak dapat dipakai", "Mohon hubungi sekretariat.")


def remedy(reason: Reason | None) -> Remedy:
    return REMEDIES.get(reason, _UNKNOWN) if reason is not None else _UNKNOWN


@dataclass(frozen=True, slots=True)
class Item:
    """One thing a participant's submission lacks: a proposal never received (`path` None), or a
    received file that cannot be used (its path and reason)."""

    doc_type: DocType | None  # None: a rejected file whose kind could not be told
    path: str | None = None
    reason: Reason | None = None

    @property
    def remedy(self) -> Remedy:
        if self.path is None:
            return Remedy("belum diterima", SEND_FORMAT)
        return remedy(self.reason)

    @property
    def what(self) -> str:
        """The proposal concerned, as a participant reads it."""
        return FULL_TITLE[self.doc_type] if self.doc_type else "Berkas yang jenisnya tidak dikenali"

    def sentence(self) -> str:
        """The line of the message about this item: what is wrong and what to send."""
        if self.path is None:
            return f"{self.what}: belum kami terima. {self.remedy.ask}"
        return (f'{self.what}: berkas "{printable(self.path)}" tidak dapat kami pakai karena {self.remedy.why}. '
                f"{self.remedy.ask}")


@dataclass(frozen=True, slots=True)
class Contact:
    """A roster contact as read: an e-mail address and a phone number (digits, 62...) where found,
    and what was neither."""

    email: str | None = None
    phone: str | None = None
    unusable: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reminder:
    participant: Participant
    status: ParticipantStatus
    items: tuple[Item, ...]
    contact: Contact
    subject: str
    message: str | None  # None when nothing is asked of the participant (the secretariat acts)

    @property
    def mailto(self) -> str | None:
        if self.message is None or self.contact.email is None:
            return None
        return mailto_link(self.contact.email, self.subject, self.message)

    @property
    def whatsapp(self) -> str | None:
        if self.message is None or self.contact.phone is None:
            return None
        return whatsapp_link(self.contact.phone, self.message)


def reminders(screening: Screening, edition: str, date: str) -> tuple[Reminder, ...]:
    """One reminder per participant short of a proposal, in the screening's order.

    `date` is the day of the screening as the message states it (e.g. 23-11-2026).
    """
    rejected: dict[str, list[Outcome]] = defaultdict(list)
    for o in screening.documents:
        if o.status is FileStatus.QUARANTINED and o.participant_id:
            rejected[o.participant_id].append(o)
    out = []
    for r in screening.participants:
        if r.status is ParticipantStatus.COMPLETE:
            continue
        counted = {DocType.INOVASI: r.inovasi, DocType.KINERJA: r.kinerja}
        files = sorted(rejected.get(r.participant.id, ()), key=lambda o: o.path)
        items: list[Item] = []
        for doc_type, path in counted.items():
            if path is not None:
                continue
            bad = [Item(doc_type, o.path, o.reason) for o in files if o.doc_type is doc_type]
            items += bad or [Item(doc_type)]
        items += [Item(None, o.path, o.reason) for o in files if o.doc_type is None]
        subject = f"Kelengkapan berkas KIPP {printable(edition)}: {printable(r.participant.name)}"
        out.append(Reminder(r.participant, r.status, tuple(items), parse_contact(r.participant.contact), subject,
                            message(r.participant, items, edition, date)))
    return tuple(out)


def message(participant: Participant, items: list[Item], edition: str, date: str) -> str | None:
    """The letter to a participant, in Indonesian; None when no item asks anything of it."""
    asked = [item for item in items if item.remedy.participant]
    if not asked:
        return None
    lines = [f"{i}. {item.sentence()}" for i, item in enumerate(asked, 1)]
    name = printable(participant.name)  # a roster name reaches a message only as visible text
    return "\n".join([
        f"Yth. Bapak/Ibu Pimpinan {name},",
        "",
        (f"Terima kasih atas keikutsertaan dalam Kompetisi Inovasi Pelayanan Publik (KIPP) {printable(edition)}. "
         f"Menurut pemeriksaan kami per {date}, berkas {name} belum lengkap:"),
        "",
        *lines,
        "",
        "Mohon kirim melalui saluran pengiriman yang sama. Bila berkas sudah dikirim ulang, abaikan pesan ini.",
        "",
        "Terima kasih,",
        SIGNATURE,
    ])


# -- contacts and links --------------------------------------------------------------------

_EMAIL = re.compile(r"(?:mailto:)?([A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
_PHONE_NOISE = re.compile(r"[\s\-.()]")


def parse_contact(text: str | None) -> Contact:
    """E-mail addresses are found anywhere in the text; the rest, split at `;`, `,`, `/` or `|`, are
    phone numbers. The first of each is used; a part that is neither is kept as unusable."""
    if not text:
        return Contact()
    emails = [m.group(1) for m in _EMAIL.finditer(text)]
    rest = _EMAIL.sub(" ", text)
    phones, unusable = [], []
    for part in re.split(r"[;,/|]", rest):
        part = part.strip()
        if not part:
            continue
        phone = normalise_phone(part)
        (phones if phone else unusable).append(phone or part)
    return Contact(emails[0] if emails else None, phones[0] if phones else None, tuple(unusable))


def normalise_phone(text: str) -> str | None:
    """An Indonesian phone number in the international form WhatsApp wants, digits only:
    0812-3456-7890, +62 812 3456 7890, (62) 812..., +62 (0)812... and 812... all give 6281234567890.
    None when the text is not a phone number (letters, or too short or too long)."""
    digits = _PHONE_NOISE.sub("", text)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]  # the international call prefix
    elif digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits  # a mobile number written without its 0
    if digits.startswith("620"):
        digits = "62" + digits[3:]  # +62 (0)812...: the 0 is dialled only at home
    if not digits.isascii() or not digits.isdigit() or not 10 <= len(digits) <= 15:
        return None
    return digits


def mailto_link(email: str, subject: str, body: str) -> str:
    """A mailto: link (RFC 6068) that opens a message ready to send; every part percent-encoded,
    line breaks as CRLF, so no text can add a header or a recipient."""
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    return f"mailto:{quote(email, safe='@')}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"


def whatsapp_link(phone: str, text: str) -> str:
    """A wa.me link that opens a chat with the message typed in; the number is digits only."""
    if not phone.isdigit():
        raise ValueError(f"{phone!r}: a WhatsApp number is digits only (see normalise_phone)")
    return f"https://wa.me/{phone}?text={quote(text, safe='')}"
