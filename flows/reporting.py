"""The reports: screening.json for machines, completeness CSV and HTML for admins (in Indonesian)."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections import Counter
from dataclasses import asdict
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from models.records import Category, Completeness, Outcome, ParticipantResult, Status
from models.screening import REASON_TEXT, Screening

SCHEMA_VERSION = 1

CATEGORY_LABEL = {
    Category.PERANGKAT_DAERAH: "Perangkat Daerah",
    Category.KELURAHAN: "Kelurahan",
    Category.PUSKESMAS: "Puskesmas",
    Category.SMP: "SMP",
    Category.SD: "SD",
}
STATUS_LABEL = {
    Completeness.COMPLETE: "Lengkap",
    Completeness.MISSING_INOVASI: "Kurang Proposal Inovasi",
    Completeness.MISSING_KINERJA: "Kurang Proposal Kinerja",
    Completeness.MISSING_BOTH: "Belum mengirim",
}
FILE_STATUS_LABEL = {
    Status.ACCEPTED: "Diterima",
    Status.QUARANTINED: "Dikarantina",
    Status.IGNORED: "Diabaikan",
    Status.SUPERSEDED: "Digantikan",
}


def write_atomic(path: Path, data: str, encoding: str = "utf-8") -> None:
    """Write, then rename: a reader sees the old report or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; reports are for everyone who may read the folder
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- screening.json --------------------------------------------------------------------


def screening_document(screening: Screening, edition: str, generated_at: datetime | None = None) -> dict:
    generated = (generated_at or datetime.now(UTC)).isoformat(timespec="seconds")
    return {
        "schema_version": SCHEMA_VERSION,
        "edition": edition,
        "generated_at": generated,
        "summary": summary(screening),
        "documents": [asdict(o) for o in screening.documents],
        "participants": [_participant_json(r) for r in screening.participants],
    }


def _participant_json(r: ParticipantResult) -> dict:
    p = r.participant
    return {
        "id": p.id,
        "name": p.name,
        "category": p.category,
        "parent_id": p.parent_id,
        "status": r.status,
        "inovasi": r.inovasi,
        "kinerja": r.kinerja,
        "history": list(r.history),
    }


def summary(screening: Screening) -> dict:
    return {
        "files": dict(sorted(Counter(o.status.value for o in screening.documents).items())),
        "participants": dict(sorted(Counter(r.status.value for r in screening.participants).items())),
    }


# -- completeness.csv --------------------------------------------------------------------


def completeness_csv(screening: Screening) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(
        ["kategori", "id", "nama", "status", "keterangan", "proposal_inovasi", "proposal_kinerja", "riwayat"]
    )
    for r in _by_category(screening.participants):
        writer.writerow(
            [
                CATEGORY_LABEL[r.participant.category], r.participant.id, r.participant.name, r.status.value,
                STATUS_LABEL[r.status], r.inovasi or "", r.kinerja or "", " ; ".join(r.history),
            ]
        )
    return buf.getvalue()


def documents_csv(screening: Screening) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["berkas", "status", "alasan", "keterangan", "peserta", "jenis", "halaman", "skor", "sha256"])
    for o in screening.documents:
        writer.writerow(
            [
                o.path, FILE_STATUS_LABEL[o.status], o.reason or "", o.detail or "", o.participant_id or "",
                o.doc_type or "", o.pages if o.pages is not None else "",
                o.match_score if o.match_score is not None else "", o.sha256 or "",
            ]
        )
    return buf.getvalue()


def _by_category(results: tuple[ParticipantResult, ...]) -> list[ParticipantResult]:
    order = {c: i for i, c in enumerate(Category)}
    return sorted(results, key=lambda r: (order[r.participant.category], r.participant.name))


# -- completeness.html -------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#1f2933;}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #e4e7eb}
.meta{color:#616e7c;margin-top:0}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #d9e2ec;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f4f8} td.num{text-align:right}
.st{display:inline-block;padding:.1rem .45rem;border-radius:.6rem;font-size:.8rem;white-space:nowrap}
.complete{background:#d3f9d8;color:#1b5e20} .missing_inovasi,.missing_kinerja{background:#fff3bf;color:#7c5e00}
.missing_both{background:#ffe3e3;color:#a61e1e} code{font-size:.85rem;word-break:break-all}
"""


def completeness_html(screening: Screening, edition: str, generated_at: str) -> str:
    e = escape
    participants = _by_category(screening.participants)
    out = [
        "<!DOCTYPE html>",
        '<html lang="id"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>Kelengkapan Berkas KIPP {e(edition)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Laporan Kelengkapan Berkas KIPP {e(edition)}</h1>",
        f'<p class="meta">Kompetisi Inovasi Pelayanan Publik &middot; dibuat {e(generated_at)}</p>',
        "<h2>Ringkasan per kategori</h2>",
        _category_table(participants),
    ]
    problems = _problem_files_by_participant(screening.documents)
    for category in Category:
        rows = [r for r in participants if r.participant.category is category]
        if not rows:
            continue
        out.append(f'<h2 id="{category.value}">{e(CATEGORY_LABEL[category])} ({len(rows)})</h2>')
        out.append(
            "<table><thead><tr><th>No</th><th>Peserta</th><th>Status</th><th>Proposal Inovasi</th>"
            "<th>Proposal Kinerja</th><th>Berkas lain</th></tr></thead><tbody>"
        )
        for i, r in enumerate(rows, 1):
            others = [f"<code>{e(path)}</code> ({e(text)})" for path, text in problems.get(r.participant.id, [])]
            others += [f"<code>{e(path)}</code> (versi lama)" for path in r.history]
            out.append(
                f"<tr><td class=num>{i}</td><td>{e(r.participant.name)}<br><small>{e(r.participant.id)}</small></td>"
                f'<td><span class="st {r.status.value}">{e(STATUS_LABEL[r.status])}</span></td>'
                f"<td>{_path_cell(r.inovasi)}</td><td>{_path_cell(r.kinerja)}</td>"
                f"<td>{'<br>'.join(others)}</td></tr>"
            )
        out.append("</tbody></table>")
    out.append(_files_section(screening.documents, Status.QUARANTINED, "Berkas yang tidak dapat diproses"))
    out.append(_files_section(screening.documents, Status.IGNORED, "Berkas yang diabaikan"))
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _category_table(participants: list[ParticipantResult]) -> str:
    counts: dict[Category, Counter] = {c: Counter() for c in Category}
    for r in participants:
        counts[r.participant.category][r.status] += 1
    head = "".join(f"<th>{escape(STATUS_LABEL[s])}</th>" for s in Completeness)
    rows = []
    total: Counter = Counter()
    for category, c in counts.items():
        if not c:
            continue
        total.update(c)
        cells = "".join(f"<td class=num>{c[s]}</td>" for s in Completeness)
        rows.append(
            f'<tr><td><a href="#{category.value}">{escape(CATEGORY_LABEL[category])}</a></td>'
            f"<td class=num>{sum(c.values())}</td>{cells}</tr>"
        )
    cells = "".join(f"<td class=num><b>{total[s]}</b></td>" for s in Completeness)
    rows.append(f"<tr><td><b>Jumlah</b></td><td class=num><b>{sum(total.values())}</b></td>{cells}</tr>")
    return (
        f"<table><thead><tr><th>Kategori</th><th>Peserta</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _problem_files_by_participant(documents: tuple[Outcome, ...]) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for o in documents:
        if o.status is Status.QUARANTINED and o.participant_id and o.reason:
            out.setdefault(o.participant_id, []).append((o.path, REASON_TEXT[o.reason]))
    return out


def _path_cell(path: str | None) -> str:
    return f"<code>{escape(path)}</code>" if path else "&mdash;"


def _files_section(documents: tuple[Outcome, ...], status: Status, title: str) -> str:
    rows = [o for o in documents if o.status is status]
    if not rows:
        return f"<h2>{escape(title)}</h2><p>Tidak ada.</p>"
    body = "".join(
        f"<tr><td><code>{escape(o.path)}</code></td><td>{escape(o.reason or '')}</td>"
        f"<td>{escape(o.detail or (REASON_TEXT[o.reason] if o.reason else ''))}</td>"
        f"<td>{escape(o.participant_id or '')}</td></tr>"
        for o in rows
    )
    return (
        f"<h2>{escape(title)} ({len(rows)})</h2><table><thead><tr><th>Berkas</th><th>Kode alasan</th>"
        f"<th>Keterangan</th><th>Dugaan peserta</th></tr></thead><tbody>{body}</tbody></table>"
    )


def write_reports(screening: Screening, out: Path, edition: str) -> dict[str, Path]:
    doc = screening_document(screening, edition)
    paths = {
        "screening": out / "screening.json",
        "completeness_csv": out / "completeness.csv",
        "documents_csv": out / "documents.csv",
        "completeness_html": out / "completeness.html",
    }
    write_atomic(paths["screening"], json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    # utf-8-sig: Excel on Windows opens the CSV with the right accents only with a BOM.
    write_atomic(paths["completeness_csv"], completeness_csv(screening), encoding="utf-8-sig")
    write_atomic(paths["documents_csv"], documents_csv(screening), encoding="utf-8-sig")
    write_atomic(paths["completeness_html"], completeness_html(screening, edition, doc["generated_at"]))
    return paths
