"""pengingat.xlsx, pengingat.csv and pengingat.html: models/reminders.py's reminders, to send by hand.

Every run writes them (with the run's roster contacts), and `kipp reminders` writes them again from
the last screening.json and a roster, e.g. once a `contact` column has been added. The links only
open a message in the admin's e-mail or WhatsApp; kipp sends nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flows.reporting.csv_reports import by_category, spreadsheet_cell
from flows.reporting.pages import local_time, render
from flows.reporting.workbooks import (
    CATEGORY,
    FILE,
    NAME,
    PARTICIPANT_ID,
    REASON,
    REASON_CODE,
    Column,
    Link,
    Sheet,
    workbook,
)
from models.language import Words, current_language
from models.reminders import Item, Reminder, reminders
from models.screening import Screening

_W = Words
BY_PARTICIPANT = _W("Peserta", "Participant")
BY_SECRETARIAT = _W("Sekretariat", "Secretariat")
RECEIVED_NOTHING = _W("belum diterima", "not received")


def sorted_reminders(screening: Screening, edition: str, generated_at: str) -> list[Reminder]:
    """The reminders in the order every report lists participants: by category, then by name."""
    order = {r.participant.id: i for i, r in enumerate(by_category(screening.participants))}
    found = reminders(screening, edition, local_time(generated_at))
    return sorted(found, key=lambda m: order[m.participant.id])


def _wrong(item: Item) -> str:
    """What is missing or wrong, in the spreadsheets' language (the ask stays Indonesian: it is sent)."""
    lang = current_language()
    what = item.doc_type.text(lang) if item.doc_type else _W("Berkas", "File").text(lang)
    if item.path is None:
        return f"{what}: {RECEIVED_NOTHING.text(lang)}"
    return f"{what}: {item.path} ({item.reason.text(lang) if item.reason else ''})"


def _summary(m: Reminder) -> str:
    return " ; ".join(_wrong(item) for item in m.items)


# -- pengingat.xlsx -----------------------------------------------------------------------------


def reminders_xlsx(screening: Screening, edition: str, generated_at: str) -> bytes:
    found = sorted_reminders(screening, edition, generated_at)
    lang = current_language()
    rows = []
    for m in found:
        mailto, whatsapp = m.mailto, m.whatsapp
        rows.append((
            m.participant.category.text(lang), m.participant.id, m.participant.name, m.status.text(lang), _summary(m),
            m.participant.contact, m.contact.email, m.contact.phone,
            Link(_W("Kirim e-mail", "Send e-mail").text(lang), mailto) if mailto else None,
            Link(_W("Kirim WhatsApp", "Send WhatsApp").text(lang), whatsapp) if whatsapp else None,
            m.message,
        ))
    main = Sheet(_W("Pengingat", "Reminders"), (
        CATEGORY, PARTICIPANT_ID, NAME, Column(_W("Status", "Status"), 26),
        Column(_W("Yang kurang atau bermasalah", "Missing or unusable"), 60), Column(_W("Kontak", "Contact"), 30),
        Column(_W("E-mail", "E-mail"), 30), Column(_W("WhatsApp", "WhatsApp"), 16),
        Column(_W("Tautan e-mail", "E-mail link"), 14), Column(_W("Tautan WhatsApp", "WhatsApp link"), 16),
        Column(_W("Pesan", "Message"), 80, wrap=True),
    ), rows, frozen_columns=3)
    details = []
    for m in found:
        for item in m.items:
            remedy = item.remedy
            details.append((
                m.participant.id, m.participant.name, item.doc_type.text(lang) if item.doc_type else None, item.path,
                item.reason.text(lang) if item.reason else RECEIVED_NOTHING.text(lang),
                item.reason.value if item.reason else None, remedy.ask,
                (BY_PARTICIPANT if remedy.participant else BY_SECRETARIAT).text(lang),
            ))
    per_item = Sheet(_W("Rincian", "Details"), (
        PARTICIPANT_ID, NAME, Column(_W("Proposal", "Proposal"), 18), FILE, REASON, REASON_CODE,
        Column(_W("Yang harus dilakukan", "What to do"), 70), Column(_W("Oleh", "By"), 12),
    ), details, frozen_columns=2)
    return workbook([main, per_item], f"Pengingat kelengkapan KIPP {edition}", generated_at)


# -- pengingat.csv ------------------------------------------------------------------------------

_CSV_HEADER = (
    _W("kategori", "category"), _W("id", "id"), _W("nama", "name"), _W("status", "status"),
    _W("kurang", "missing"), _W("kontak", "contact"), _W("email", "email"), _W("whatsapp", "whatsapp"),
    _W("tautan_email", "email_link"), _W("tautan_whatsapp", "whatsapp_link"), _W("pesan", "message"),
)


def reminders_csv(screening: Screening, edition: str, generated_at: str) -> str:
    """One row per participant, for a mail merge: the message and the links as text."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([h.text() for h in _CSV_HEADER])
    for m in sorted_reminders(screening, edition, generated_at):
        writer.writerow([spreadsheet_cell(v) for v in (
            m.participant.category.value, m.participant.id, m.participant.name, m.status.value, _summary(m),
            m.participant.contact or "", m.contact.email or "", m.contact.phone or "", m.mailto or "",
            m.whatsapp or "", m.message or "",
        )])
    return buf.getvalue()


# -- pengingat.html -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Card:
    reminder: Reminder
    lines: tuple[str, ...]  # of the message; a page shows each as text


def reminders_html(screening: Screening, edition: str, generated_at: str) -> str:
    found = sorted_reminders(screening, edition, generated_at)
    return render(
        "reminders.html.j2",
        edition=edition,
        generated=local_time(generated_at),
        cards=[_Card(m, tuple(m.message.split("\n")) if m.message else ()) for m in found],
        with_contact=sum(1 for m in found if m.mailto or m.whatsapp),
    )
