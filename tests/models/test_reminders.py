"""Reminders: what each participant short of a proposal is missing, what to send, and the links."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.records import (
    Category,
    DocType,
    FileStatus,
    Outcome,
    Participant,
    ParticipantResult,
    ParticipantStatus,
    Reason,
)
from models.reminders import (
    REMEDIES,
    Contact,
    Item,
    mailto_link,
    normalise_phone,
    parse_contact,
    reminders,
    whatsapp_link,
)
from models.screening import Screening
from tests.conftest import thorough_examples

DATE = "23-11-2026 16:09 WIB"
SD = Participant("sd-1", "SD Negeri Sawojajar 1", Category.SD, contact="0812-3456-7890")
SMP = Participant("smp-5", "SMP Negeri 5 Malang", Category.SMP, contact="tu@smpn5.sch.id")
QUARANTINE_REASONS = [r for r in Reason if r.state is FileStatus.QUARANTINED]


def _result(p: Participant, inovasi: str | None, kinerja: str | None) -> ParticipantResult:
    status = {(True, True): ParticipantStatus.COMPLETE, (False, True): ParticipantStatus.MISSING_INOVASI,
              (True, False): ParticipantStatus.MISSING_KINERJA, (False, False): ParticipantStatus.MISSING_BOTH}
    return ParticipantResult(p, status[(inovasi is not None, kinerja is not None)], inovasi, kinerja)


def _accepted(path: str, p: Participant, doc_type: DocType) -> Outcome:
    return Outcome(path, "a" * 64, 10, FileStatus.ACCEPTED, None, p.id, doc_type)


def _rejected(path: str, p: Participant, reason: Reason, doc_type: DocType | None) -> Outcome:
    return Outcome(path, "b" * 64, 10, FileStatus.QUARANTINED, reason, p.id, doc_type, detail=reason.label)


def _one(screening: Screening):
    found = reminders(screening, "2021", DATE)
    assert len(found) == 1
    return found[0]


def test_missing_inovasi_asks_for_the_inovasi_proposal_by_its_full_title() -> None:
    screening = Screening((_accepted("k.pdf", SD, DocType.KINERJA),), (_result(SD, None, "k.pdf"),))
    m = _one(screening)
    assert m.status is ParticipantStatus.MISSING_INOVASI
    assert m.items == (Item(DocType.INOVASI),)
    assert m.message == (
        "Yth. Bapak/Ibu Pimpinan SD Negeri Sawojajar 1,\n"
        "\n"
        "Terima kasih atas keikutsertaan dalam Kompetisi Inovasi Pelayanan Publik (KIPP) 2021. "
        "Menurut pemeriksaan kami per 23-11-2026 16:09 WIB, berkas SD Negeri Sawojajar 1 belum lengkap:\n"
        "\n"
        "1. Proposal Inovasi Pelayanan Publik: belum kami terima. Mohon kirim dalam format PDF atau DOCX.\n"
        "\n"
        "Mohon kirim melalui saluran pengiriman yang sama. Bila berkas sudah dikirim ulang, abaikan pesan ini.\n"
        "\n"
        "Terima kasih,\n"
        "Sekretariat KIPP"
    )
    assert m.subject == "Kelengkapan berkas KIPP 2021: SD Negeri Sawojajar 1"


def test_missing_kinerja_asks_for_the_kinerja_proposal() -> None:
    m = _one(Screening((_accepted("i.pdf", SD, DocType.INOVASI),), (_result(SD, "i.pdf", None),)))
    assert m.status is ParticipantStatus.MISSING_KINERJA and m.items == (Item(DocType.KINERJA),)
    assert "1. Proposal Kinerja Penyelenggaraan Pelayanan Publik: belum kami terima." in m.message
    assert "Proposal Inovasi" not in m.message.split("belum lengkap:")[1]


def test_missing_both_asks_for_both_in_order() -> None:
    m = _one(Screening((), (_result(SD, None, None),)))
    assert m.items == (Item(DocType.INOVASI), Item(DocType.KINERJA))
    assert "1. Proposal Inovasi Pelayanan Publik: belum kami terima" in m.message
    assert "2. Proposal Kinerja Penyelenggaraan Pelayanan Publik: belum kami terima" in m.message


def test_a_complete_participant_gets_no_reminder_even_beside_a_broken_file() -> None:
    """Which came first is not known: the broken file may be the one the participant already replaced."""
    documents = (_accepted("i.pdf", SD, DocType.INOVASI), _accepted("k.pdf", SD, DocType.KINERJA),
                 _rejected("i-lama.pdf", SD, Reason.CORRUPT_PDF, DocType.INOVASI))
    assert reminders(Screening(documents, (_result(SD, "i.pdf", "k.pdf"),)), "2021", DATE) == ()


def test_every_reason_a_file_is_quarantined_for_has_its_remedy() -> None:
    assert set(REMEDIES) == set(QUARANTINE_REASONS)
    for remedy in REMEDIES.values():
        assert remedy.why and remedy.ask.endswith(".")


@pytest.mark.parametrize("reason", QUARANTINE_REASONS, ids=lambda r: r.value)
def test_a_rejected_file_of_each_reason_says_what_is_wrong_and_what_to_send(reason: Reason) -> None:
    documents = (_accepted("i.pdf", SMP, DocType.INOVASI), _rejected("kinerja smpn 5.pdf", SMP, reason, DocType.KINERJA))
    m = _one(Screening(documents, (_result(SMP, "i.pdf", None),)))
    remedy = REMEDIES[reason]
    # The rejected file stands for the missing proposal: it is not also asked for as never received.
    assert m.items == (Item(DocType.KINERJA, "kinerja smpn 5.pdf", reason),)
    assert m.items[0].remedy == remedy
    if remedy.participant:
        assert (f'1. Proposal Kinerja Penyelenggaraan Pelayanan Publik: berkas "kinerja smpn 5.pdf" tidak dapat kami '
                f"pakai karena {remedy.why}. {remedy.ask}") in m.message
        assert m.mailto is not None and m.whatsapp is None  # its contact is an e-mail address
    else:  # the secretariat acts (permissions, a file read again next run, kipp's own error): nothing to send
        assert m.message is None and m.mailto is None


def test_a_file_of_unknown_kind_is_listed_beside_the_missing_proposals() -> None:
    documents = (_rejected("scan.pdf", SD, Reason.UNKNOWN_DOC_TYPE, None),)
    m = _one(Screening(documents, (_result(SD, None, None),)))
    assert m.items == (Item(DocType.INOVASI), Item(DocType.KINERJA), Item(None, "scan.pdf", Reason.UNKNOWN_DOC_TYPE))
    assert '3. Berkas yang jenisnya tidak dikenali: berkas "scan.pdf" tidak dapat kami pakai' in m.message
    assert 'judul "Proposal Inovasi Pelayanan Publik" atau "Proposal Kinerja' in m.message


def test_two_rejected_files_of_one_kind_are_both_named() -> None:
    documents = (_rejected("b.pdf", SD, Reason.ENCRYPTED_PDF, DocType.INOVASI),
                 _rejected("a.docx", SD, Reason.CORRUPT_DOCX, DocType.INOVASI))
    m = _one(Screening(documents, (_result(SD, None, None),)))
    assert [(i.doc_type, i.path) for i in m.items] == [(DocType.INOVASI, "a.docx"), (DocType.INOVASI, "b.pdf"),
                                                     (DocType.KINERJA, None)]


def test_another_participants_files_and_unidentified_files_are_not_its_own() -> None:
    other = Participant("sd-2", "SD Negeri Sawojajar 2", Category.SD)
    documents = (_rejected("x.pdf", other, Reason.CORRUPT_PDF, DocType.INOVASI),
                 Outcome("y.pdf", "c" * 64, 1, FileStatus.QUARANTINED, Reason.UNIDENTIFIED, None, DocType.INOVASI))
    found = reminders(Screening(documents, (_result(SD, None, "k.pdf"), _result(other, "i.pdf", "k.pdf"))), "2021", DATE)
    assert [(m.participant.id, m.items) for m in found] == [("sd-1", (Item(DocType.INOVASI),))]


def test_a_control_character_in_a_name_or_path_is_made_visible_in_the_message() -> None:
    p = Participant("sd-x", "SD\x1b[31m Negeri", Category.SD)
    m = _one(Screening((_rejected("a\u202egpj.pdf", p, Reason.EMPTY_FILE, DocType.INOVASI),), (_result(p, None, "k"),)))
    assert "\x1b" not in m.message and "\u202e" not in m.message
    assert "SD\\x1b[31m Negeri" in m.message and '"a\\u202egpj.pdf"' in m.message


# -- contacts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "phone"), [
    ("0812-3456-7890", "6281234567890"),
    ("0812 3456 7890", "6281234567890"),
    ("+62 812 3456 7890", "6281234567890"),
    ("+62 (0)812-3456-7890", "6281234567890"),
    ("62.812.3456.7890", "6281234567890"),
    ("(62) 81234567890", "6281234567890"),
    ("0062 812 3456 7890", "6281234567890"),
    ("812 3456 7890", "6281234567890"),
    ("0341-551234", "62341551234"),  # a Malang landline
    ("12345", None),
    ("0812-3456-7890-1234-5", None),
    ("Bu Sri", None),
    ("٠٨١٢٣٤٥٦٧٨٩٠", None),  # Arabic-Indic digits are digits to Python, not to wa.me
])
def test_indonesian_phone_numbers_are_normalised_to_62(typed: str, phone: str | None) -> None:
    assert normalise_phone(typed) == phone


@pytest.mark.parametrize(("typed", "contact"), [
    (None, Contact()),
    ("tu@sdn1.sch.id", Contact(email="tu@sdn1.sch.id")),
    ("mailto:tu@sdn1.sch.id", Contact(email="tu@sdn1.sch.id")),
    ("0812 3456 7890", Contact(phone="6281234567890")),
    ("tu@sdn1.sch.id; 0812 3456 7890", Contact("tu@sdn1.sch.id", "6281234567890")),
    ("0812 3456 7890 / tu@sdn1.sch.id", Contact("tu@sdn1.sch.id", "6281234567890")),
    ("Bu Sri, 0812 3456 7890", Contact(phone="6281234567890", unusable=("Bu Sri",))),
    ("tidak ada", Contact(unusable=("tidak ada",))),
])
def test_a_contact_gives_an_email_a_phone_and_what_was_neither(typed: str | None, contact: Contact) -> None:
    assert parse_contact(typed) == contact


def test_links_need_a_message_and_a_contact_of_their_kind() -> None:
    both = Participant("sd-1", "SD Negeri Sawojajar 1", Category.SD, contact="tu@sdn1.sch.id; 08123456789")
    m = _one(Screening((), (_result(both, None, None),)))
    assert m.mailto.startswith("mailto:tu@sdn1.sch.id?subject=") and m.whatsapp.startswith("https://wa.me/628123456789?")
    none = Participant("sd-1", "SD Negeri Sawojajar 1", Category.SD, contact="Bu Sri")
    m = _one(Screening((), (_result(none, None, None),)))
    assert m.mailto is None and m.whatsapp is None and m.contact.unusable == ("Bu Sri",)


def test_a_mailto_link_is_encoded_so_no_text_adds_a_header_or_a_recipient() -> None:
    link = mailto_link("tu@sdn1.sch.id", "KIPP & co?cc=x@y.z", "Baris 1\nBaris 2 &bcc=x@y.z #3 100%")
    assert link.startswith("mailto:tu@sdn1.sch.id?subject=")
    query = urlsplit(link).query
    assert set(parse_qs(query)) == {"subject", "body"}
    assert unquote(query.split("&body=")[1]) == "Baris 1\r\nBaris 2 &bcc=x@y.z #3 100%"
    assert unquote(query.split("&body=")[0].removeprefix("subject=")) == "KIPP & co?cc=x@y.z"
    assert " " not in link and "\n" not in link and "#" not in link


def test_a_whatsapp_link_is_wa_me_with_digits_and_the_encoded_message() -> None:
    assert whatsapp_link("6281234567890", "Halo & selamat\npagi #1") == (
        "https://wa.me/6281234567890?text=Halo%20%26%20selamat%0Apagi%20%231")
    with pytest.raises(ValueError):
        whatsapp_link("+62 812", "x")


@thorough_examples(200)
@given(st.text())
def test_any_message_survives_a_whatsapp_link_unchanged(text: str) -> None:
    link = whatsapp_link("6281234567890", text)
    query = link.split("?text=", 1)[1]
    assert all(c.isascii() and (c.isalnum() or c in "%-._~") for c in query)
    assert unquote(query, errors="surrogatepass") == text
