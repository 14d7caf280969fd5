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

from models.errors import OutputError, os_reason
from models.records import Category, Completeness, Outcome, ParticipantResult, Reason, Status
from models.screening import Screening

SCHEMA_VERSION = 1

def write_atomic(path: Path, data: str | bytes, encoding: str = "utf-8") -> None:
    """Write, then rename: a reader sees the old report or the new one, never half of one.

    A failure (a full disk, a read-only folder) leaves the previous report as it was and raises
    OutputError naming the file.
    """
    if isinstance(data, str):
        data = data.encode(encoding)
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; reports are for everyone who may read the folder
        os.replace(tmp, path)
    except BaseException as e:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise OutputError(f"{path}: laporan tidak dapat ditulis: {os_reason(e)}; "
                              "laporan sebelumnya tetap utuh") from e
        raise


# Virtual file systems of the kernel: writing reports there fails or makes no sense.
_VIRTUAL_FS = {"proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "debugfs", "tracefs", "securityfs",
               "configfs", "pstore", "bpf", "efivarfs", "binfmt_misc", "fusectl", "mqueue", "hugetlbfs", "autofs"}
MIN_FREE_MB = 10  # the ledger, the reports and Prefect's own database need room to grow


def is_new_output(out: Path) -> bool:
    """True when `out` holds no earlier run (no ledger, no screening.json): a mistyped --out looks like this."""
    return not (out / "ledger.sqlite").exists() and not (out / "screening.json").exists()


def check_output_folder(out: Path, min_free_mb: int = MIN_FREE_MB) -> None:
    """Refuse an output folder kipp cannot write, before anything is written; create it when new.

    One OutputError naming the folder and the reason: a file, a kernel file system (/proc, /sys),
    read-only, no permission, or a disk with less than `min_free_mb` free.
    """
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: adalah berkas, bukan folder; --out harus sebuah folder")
    mount, fstype = _mount_of(out)
    if fstype in _VIRTUAL_FS:
        raise OutputError(f"{out}: berada di {mount} ({fstype}), sistem berkas semu milik kernel, bukan disk; "
                          "pilih folder lain untuk --out")
    try:
        out.mkdir(parents=True, exist_ok=True)
        stat = os.statvfs(out)
        free = stat.f_bavail * stat.f_frsize
        if free < min_free_mb * 2**20:
            raise OutputError(f"{out}: disk hampir penuh (sisa {free / 2**20:.1f} MB, perlu paling sedikit "
                              f"{min_free_mb} MB); kosongkan ruang disk lalu ulangi; laporan sebelumnya tetap utuh")
        fd, probe = tempfile.mkstemp(dir=out, prefix=".kipp-probe-")
        try:
            os.write(fd, b"kipp")
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as e:
        raise OutputError(f"{out}: folder keluaran tidak dapat ditulis: {os_reason(e)}") from e


def _mount_of(path: Path) -> tuple[str, str]:
    """The mount point holding `path` (or the nearest folder above it that exists) and its file system type."""
    target = path.absolute()
    while not target.exists() and target != target.parent:
        target = target.parent
    target = target.resolve()
    best, fstype = "/", ""
    try:
        with open("/proc/self/mounts", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                fields = line.split()
                if len(fields) < 3:
                    continue
                point = fields[1].replace("\\040", " ")
                if (target == Path(point) or Path(point) in target.parents) and len(point) >= len(best):
                    best, fstype = point, fields[2]
    except OSError:
        pass  # not Linux: the probe write below still refuses what cannot be written
    return best, fstype


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
        "duplicates": [f.to_json() for f in screening.duplicates],
        "errors": [{"step": e.step, "detail": e.detail} for e in screening.errors],
    }


def _participant_json(r: ParticipantResult) -> dict:
    p = r.participant
    t = r.theme
    return {
        "id": p.id,
        "name": p.name,
        "category": p.category,
        "parent_id": p.parent_id,
        "status": r.status,
        "inovasi": r.inovasi,
        "kinerja": r.kinerja,
        "history": list(r.history),
        "theme": t.theme if t else None,
        "theme_label": t.theme_label if t else None,
        "theme_confidence": round(t.theme_confidence, 4) if t else None,
        "theme_runner_up": t.theme_runner_up if t else None,
        "theme_source": t.theme_source if t else None,
        "theme_needs_review": t.needs_review if t else None,
        "needs_review": r.needs_review,
        "review": list(r.review),
    }


def summary(screening: Screening) -> dict:
    return {
        "duplicates": dict(sorted(Counter(f.kind.value for f in screening.duplicates).items())),
        "files": dict(sorted(Counter(o.status.value for o in screening.documents).items())),
        "participants": dict(sorted(Counter(r.status.value for r in screening.participants).items())),
        "needs_review": sum(1 for r in screening.participants if r.needs_review),
        "internal_errors": screening.internal_errors,
    }


# -- completeness.csv --------------------------------------------------------------------


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...) in a file name).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """A text cell a spreadsheet shows as text, never runs: a leading apostrophe is Excel's and
    LibreOffice's own mark for "this is text" (OWASP's advice for CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _SafeWriter:
    """csv.writer whose every text cell is neutralised (see spreadsheet_cell)."""

    def __init__(self, buf: io.StringIO):
        self._writer = csv.writer(buf)

    def writerow(self, row: list) -> None:
        self._writer.writerow([spreadsheet_cell(v) for v in row])


def completeness_csv(screening: Screening) -> str:
    buf = io.StringIO()
    writer = _SafeWriter(buf)
    writer.writerow(
        ["kategori", "id", "nama", "status", "keterangan", "proposal_inovasi", "proposal_kinerja", "riwayat",
         "tema", "keyakinan_tema", "tema_perlu_ditinjau", "perlu_diperiksa"]
    )
    for r in _by_category(screening.participants):
        t = r.theme
        writer.writerow(
            [
                r.participant.category.label, r.participant.id, r.participant.name, r.status.value,
                r.status.label, r.inovasi or "", r.kinerja or "", " ; ".join(r.history),
                t.theme_label if t else "", f"{t.theme_confidence:.2f}" if t else "",
                ("ya" if t.needs_review else "tidak") if t else "", " ; ".join(r.review),
            ]
        )
    return buf.getvalue()


def documents_csv(screening: Screening) -> str:
    buf = io.StringIO()
    writer = _SafeWriter(buf)
    writer.writerow(["berkas", "status", "alasan", "keterangan", "peserta", "jenis", "halaman", "skor", "sha256"])
    for o in screening.documents:
        writer.writerow(
            [
                o.path, o.status.label, o.reason or "", o.detail or "", o.participant_id or "",
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
.warn{background:#fff5f5;border:1px solid #ffa8a8;padding:.5rem 1rem;margin:1rem 0}
pre{white-space:pre-wrap;font-size:.75rem}
"""


def _head(title: str, css: str) -> str:
    """The start of a report page, up to its heading: one file, no script, no external asset."""
    t = escape(title)
    return (
        '<!DOCTYPE html>\n<html lang="id"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width,initial-scale=1">\n'
        f"<title>{t}</title><style>{css}</style></head><body>\n<h1>{t}</h1>"
    )


def local_time(iso: str) -> str:
    """An ISO timestamp as Malang reads it: 23-11-2026 16:09 WIB."""
    from zoneinfo import ZoneInfo

    when = datetime.fromisoformat(iso).astimezone(ZoneInfo("Asia/Jakarta"))
    return when.strftime("%d-%m-%Y %H:%M WIB")


def completeness_html(screening: Screening, edition: str, generated_at: str) -> str:
    e = escape
    participants = _by_category(screening.participants)
    out = [
        _head(f"Laporan Kelengkapan Berkas KIPP {edition}", _CSS),
        f'<p class="meta">Kompetisi Inovasi Pelayanan Publik &middot; dibuat {e(local_time(generated_at))} '
        f'&middot; <a href="themes.html">Sebaran tema</a> &middot; <a href="duplicates.html">Dugaan duplikat '
        f"({len(screening.duplicates)})</a></p>",
        _errors_banner(screening),
        "<h2>Ringkasan per kategori</h2>",
        _category_table(participants),
        _review_section(participants),
    ]
    problems = _problem_files_by_participant(screening.documents)
    for category in Category:
        rows = [r for r in participants if r.participant.category is category]
        if not rows:
            continue
        out.append(f'<h2 id="{category.value}">{e(category.label)} ({len(rows)})</h2>')
        out.append(
            "<table><thead><tr><th>No</th><th>Peserta</th><th>Status</th><th>Proposal Inovasi</th>"
            "<th>Proposal Kinerja</th><th>Tema</th><th>Berkas lain</th></tr></thead><tbody>"
        )
        for i, r in enumerate(rows, 1):
            others = [f"<code>{e(path)}</code> ({e(text)})" for path, text in problems.get(r.participant.id, [])]
            others += [f"<code>{e(path)}</code> (versi lama)" for path in r.history]
            out.append(
                f"<tr><td class=num>{i}</td><td>{e(r.participant.name)}<br><small>{e(r.participant.id)}</small></td>"
                f'<td><span class="st {r.status.value}">{e(r.status.label)}</span>{_review_badge(r)}</td>'
                f"<td>{_path_cell(r.inovasi)}</td><td>{_path_cell(r.kinerja)}</td><td>{_theme_cell(r)}</td>"
                f"<td>{'<br>'.join(others)}</td></tr>"
            )
        out.append("</tbody></table>")
    out.append(_files_section(screening.documents, Status.QUARANTINED, "Berkas yang tidak dapat diproses"))
    out.append(_files_section(screening.documents, Status.IGNORED, "Berkas yang diabaikan"))
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _review_badge(r: ParticipantResult) -> str:
    if not r.review:
        return ""
    return f'<br><span class="st missing_inovasi" title="{escape(" ; ".join(r.review))}">perlu diperiksa</span>'


def _review_section(participants: list[ParticipantResult]) -> str:
    """Participants counted complete or half-complete on a file nobody has read yet (a scan without OCR)."""
    rows = [r for r in participants if r.review]
    if not rows:
        return ""
    items = "".join(
        f"<li>{escape(r.participant.name)} <small>({escape(r.participant.id)})</small>: "
        f"{'; '.join(escape(x) for x in r.review)}</li>"
        for r in rows
    )
    return f"<h2>Perlu diperiksa ({len(rows)})</h2><ul>{items}</ul>"


def _errors_banner(screening: Screening) -> str:
    """Said at the top: kipp failed on some files or steps, so this report is incomplete there."""
    n_files = sum(1 for o in screening.documents if o.reason is Reason.INTERNAL_ERROR)
    if not (n_files or screening.errors):
        return ""
    parts = []
    if n_files:
        parts.append(f"{n_files} berkas tidak dapat disaring karena galat internal (lihat daftar berkas di bawah)")
    for err in screening.errors:
        parts.append(f"langkah <b>{escape(err.step)}</b> gagal dan dilewati"
                     f"<details><summary>rincian untuk pengembang</summary><pre>{escape(err.detail)}</pre></details>")
    items = "".join(f"<li>{p}</li>" for p in parts)
    return f'<div class="warn"><b>Perhatian:</b> laporan ini belum lengkap.<ul>{items}</ul></div>'


def _category_table(participants: list[ParticipantResult]) -> str:
    counts: dict[Category, Counter] = {c: Counter() for c in Category}
    for r in participants:
        counts[r.participant.category][r.status] += 1
    head = "".join(f"<th>{escape(s.label)}</th>" for s in Completeness)
    rows = []
    total: Counter = Counter()
    for category, c in counts.items():
        if not c:
            continue
        total.update(c)
        cells = "".join(f"<td class=num>{c[s]}</td>" for s in Completeness)
        rows.append(
            f'<tr><td><a href="#{category.value}">{escape(category.label)}</a></td>'
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
            out.setdefault(o.participant_id, []).append((o.path, o.reason.label))
    return out


def _theme_cell(r: ParticipantResult) -> str:
    t = r.theme
    if t is None:
        return "&mdash;"
    cell = f"{escape(t.theme_label)} <small>({t.theme_confidence:.0%})</small>"
    if t.theme_source == "correction":
        cell += ' <span class="st complete">koreksi admin</span>'
    elif t.needs_review:
        cell += ' <span class="st missing_inovasi">perlu ditinjau</span>'
    return cell


def _path_cell(path: str | None) -> str:
    return f"<code>{escape(path)}</code>" if path else "&mdash;"


def _files_section(documents: tuple[Outcome, ...], status: Status, title: str) -> str:
    rows = [o for o in documents if o.status is status]
    if not rows:
        return f"<h2>{escape(title)}</h2><p>Tidak ada.</p>"
    body = "".join(
        f"<tr><td><code>{escape(o.path)}</code></td><td>{escape(o.reason or '')}</td>"
        f"<td>{_detail_cell(o)}</td><td>{escape(o.participant_id or '')}</td></tr>"
        for o in rows
    )
    return (
        f"<h2>{escape(title)} ({len(rows)})</h2><table><thead><tr><th>Berkas</th><th>Kode alasan</th>"
        f"<th>Keterangan</th><th>Dugaan peserta</th></tr></thead><tbody>{body}</tbody></table>"
    )


def _detail_cell(o: Outcome) -> str:
    """The explanation an admin reads; a trace for a developer folded away under it."""
    detail = o.detail or (o.reason.label if o.reason else "")
    if o.reason in (Reason.INTERNAL_ERROR, Reason.EXTRACTION_ERROR) and "\n" in detail:
        first, rest = detail.split("\n", 1)
        return (f"{escape(first)}<details><summary>rincian untuk pengembang</summary>"
                f"<pre>{escape(rest)}</pre></details>")
    return escape(detail)


def themes_html(screening: Screening, edition: str, generated_at: str) -> str:
    """Counts per theme and category, drawn as bars in plain HTML and CSS (opens from disk, no script)."""
    e = escape
    themed = [r for r in screening.participants if r.theme]
    labels: dict[str, str] = {}
    counts: dict[str, Counter] = {}
    for r in themed:
        labels[r.theme.theme] = r.theme.theme_label
        counts.setdefault(r.theme.theme, Counter())[r.participant.category] += 1
    categories = [c for c in Category if any(c in cnt for cnt in counts.values())]
    order = sorted(counts, key=lambda t: (-sum(counts[t].values()), t))
    top = max((sum(c.values()) for c in counts.values()), default=1)
    colours = {Category.PERANGKAT_DAERAH: "#3b5bdb", Category.KELURAHAN: "#0ca678", Category.PUSKESMAS: "#e8590c",
               Category.SMP: "#ae3ec9", Category.SD: "#f59f00"}
    legend = " ".join(
        f'<span class="key"><i style="background:{colours[c]}"></i>{e(c.label)}</span>' for c in categories
    )
    rows = []
    for theme in order:
        bars = "".join(
            f'<i style="width:{100 * counts[theme][c] / top:.2f}%;background:{colours[c]}" '
            f'title="{e(c.label)}: {counts[theme][c]}"></i>'
            for c in categories if counts[theme][c]
        )
        cells = "".join(f"<td class=num>{counts[theme][c] or ''}</td>" for c in categories)
        rows.append(
            f"<tr><td>{e(labels[theme])}</td><td class=bar>{bars}</td>{cells}"
            f"<td class=num><b>{sum(counts[theme].values())}</b></td></tr>"
        )
    review = [r for r in themed if r.theme.needs_review and r.theme.theme_source == "model"]
    review_rows = "".join(
        f"<tr><td>{e(r.participant.name)}<br><small>{e(r.participant.id)}</small></td>"
        f"<td>{e(r.theme.theme_label)} ({r.theme.theme_confidence:.0%})</td>"
        f"<td>{e(r.theme.theme_runner_up or '')}</td></tr>"
        for r in review
    )
    heads = "".join(f"<th>{e(c.label)}</th>" for c in categories)
    css = _CSS + (
        "td.bar{width:40%} td.bar i{display:inline-block;height:1rem;vertical-align:middle}"
        ".key{margin-right:1rem;white-space:nowrap} .key i{display:inline-block;width:.8rem;height:.8rem;"
        "margin-right:.3rem;vertical-align:middle}"
    )
    return "\n".join([
        _head(f"Sebaran Tema Inovasi KIPP {edition}", css),
        f'<p class="meta">{len(themed)} proposal inovasi &middot; dibuat {e(local_time(generated_at))} '
        '&middot; <a href="completeness.html">Kelengkapan berkas</a></p>',
        f"<p>{legend}</p>",
        f"<table><thead><tr><th>Tema</th><th>Sebaran</th>{heads}<th>Jumlah</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>",
        f"<h2>Perlu ditinjau ({len(review)})</h2>",
        "<p>Tema dengan keyakinan rendah; koreksi dengan <code>kipp themes correct</code>.</p>"
        if review else "<p>Tidak ada.</p>",
        f"<table><thead><tr><th>Peserta</th><th>Tema</th><th>Alternatif</th></tr></thead><tbody>{review_rows}</tbody></table>"
        if review else "",
        "</body></html>",
    ]) + "\n"




def duplicates_html(screening: Screening, edition: str, generated_at: str) -> str:
    """Every flag with its evidence side by side; document text is escaped like everything else."""
    e = escape
    names = {r.participant.id: r.participant.name for r in screening.participants}
    css = _CSS + (
        ".ev{display:grid;grid-template-columns:1fr 1fr;gap:.5rem;margin:.3rem 0}"
        ".ev div{background:#f8f9fa;border-left:3px solid #adb5bd;padding:.3rem .5rem;font-size:.85rem}"
        ".high{background:#ffe3e3;color:#a61e1e} .medium{background:#fff3bf;color:#7c5e00}"
        ".low,.info{background:#e7f5ff;color:#1864ab} .flag{border:1px solid #d9e2ec;padding:.6rem;margin:.8rem 0}"
    )
    out = [
        _head(f"Dugaan Duplikat KIPP {edition}", css),
        f'<p class="meta">{len(screening.duplicates)} tanda &middot; dibuat {e(local_time(generated_at))} '
        '&middot; <a href="completeness.html">Kelengkapan berkas</a></p>',
        "<p>Tanda tidak menolak berkas apa pun: admin memutuskan dengan "
        "<code>kipp duplicates confirm KUNCI</code> atau <code>kipp duplicates dismiss KUNCI</code>.</p>",
    ]
    if not screening.duplicates:
        out.append("<p>Tidak ada.</p>")
    for f in screening.duplicates:
        def who(pid: str | None) -> str:
            return f" &middot; {e(names.get(pid, pid))}" if pid else ""

        decision = f" &middot; keputusan: <b>{e(f.decision.label)}</b>" if f.decision else ""
        edition_note = f" (edisi {e(f.edition)})" if f.edition else ""
        out.append(
            f'<div class="flag"><span class="st {e(f.severity.value)}">{e(f.severity.label)}</span> '
            f"<b>{e(f.kind.label)}</b>{edition_note} &middot; skor {f.score:.2f}{decision}<br>"
            f"<code>{e(f.a)}</code>{who(f.a_participant)}<br><code>{e(f.b)}</code>{who(f.b_participant)}<br>"
            f"<small>kunci: <code>{e(f.key)}</code></small>"
        )
        for passage in f.evidence:
            out.append(f'<div class="ev"><div>{e(passage.a)}</div><div>{e(passage.b)}</div></div>')
        out.append("</div>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


REPORT_FILES = {
    "screening": "screening.json",
    "completeness_csv": "completeness.csv",
    "documents_csv": "documents.csv",
    "completeness_html": "completeness.html",
    "themes_html": "themes.html",
    "duplicates_html": "duplicates.html",
}


def render_reports(screening: Screening, edition: str) -> dict[str, bytes]:
    """Every report, encoded as it is written; raises if any part of any report cannot be rendered."""
    doc = screening_document(screening, edition)
    generated = doc["generated_at"]
    return {
        "screening": (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        # utf-8-sig: Excel on Windows opens the CSV with the right accents only with a BOM.
        "completeness_csv": completeness_csv(screening).encode("utf-8-sig"),
        "documents_csv": documents_csv(screening).encode("utf-8-sig"),
        "completeness_html": completeness_html(screening, edition, generated).encode("utf-8"),
        "themes_html": themes_html(screening, edition, generated).encode("utf-8"),
        "duplicates_html": duplicates_html(screening, edition, generated).encode("utf-8"),
    }


def write_reports(screening: Screening, out: Path, edition: str) -> dict[str, Path]:
    """Render every report first, then replace each file atomically: a failure leaves the old ones."""
    rendered = render_reports(screening, edition)
    paths = {key: out / name for key, name in REPORT_FILES.items()}
    for key, data in rendered.items():
        write_atomic(paths[key], data)
    return paths
