"""The reports: screening.json for machines, CSVs for machines and spreadsheets, XLSX workbooks and
HTML pages for admins (in Indonesian, or English with `kipp --lang en`).

Every report is one entry of REPORTS: its file name, the function that renders it from a screening,
and the encoding it is written in (None: bytes, as an XLSX workbook is).

- json_report: screening.json, the one serialisation of a screening (a published interface).
- csv_reports: the CSV exports; no cell ever runs as a formula.
- workbooks: the XLSX workbooks (completeness, documents, duplicates, themes); the same guard.
- reminders: pengingat.xlsx/.csv/.html, what each participant still owes, with mailto: and WhatsApp links.
- pages: the HTML pages, from the Jinja2 templates in templates/ (autoescaped, strict).
- files: the output folder checked before a run, and every file replaced atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flows.reporting.csv_reports import (
    completeness_csv,
    documents_csv,
    spreadsheet_cell,
)
from flows.reporting.files import (
    MIN_FREE_MB,
    check_output_folder,
    write_atomic,
)
from flows.reporting.json_report import (
    SCHEMA_VERSION,
    screening_document,
    screening_json,
    summary,
)
from flows.reporting.pages import (
    assignments_html,
    completeness_html,
    duplicates_html,
    local_time,
    themes_html,
)
from flows.reporting.ranking import ranking_html, ranking_xlsx
from flows.reporting.reminders import reminders_csv, reminders_html, reminders_xlsx
from flows.reporting.workbooks import (
    assignments_xlsx,
    completeness_xlsx,
    documents_xlsx,
    duplicates_xlsx,
    themes_xlsx,
)
from models.screening import Screening

__all__ = [
    "MIN_FREE_MB", "RANKING_REPORTS", "REMINDER_REPORTS", "REPORTS", "REPORT_FILES", "SCHEMA_VERSION", "Report",
    "check_output_folder", "completeness_csv", "completeness_html", "completeness_xlsx", "documents_csv",
    "documents_xlsx", "duplicates_html", "duplicates_xlsx", "local_time", "reminders_csv", "reminders_html",
    "reminders_xlsx", "render_reports", "screening_document", "spreadsheet_cell", "summary", "themes_html",
    "themes_xlsx", "write_atomic", "write_rendered", "write_reports",
]


@dataclass(frozen=True, slots=True)
class Report:
    """One report file: `render(screening, edition, generated_at)` gives its content, text encoded
    with `encoding`, or bytes as they are when `encoding` is None (a binary format such as XLSX)."""

    file_name: str
    render: Callable[[Screening, str, str], str | bytes]
    encoding: str | None = "utf-8"


REPORTS: dict[str, Report] = {
    "screening": Report("screening.json", screening_json),
    # utf-8-sig: Excel on Windows opens the CSV with the right accents only with a BOM.
    "completeness_csv": Report("completeness.csv", lambda s, edition, at: completeness_csv(s), "utf-8-sig"),
    "documents_csv": Report("documents.csv", lambda s, edition, at: documents_csv(s), "utf-8-sig"),
    "completeness_html": Report("completeness.html", completeness_html),
    "themes_html": Report("themes.html", themes_html),
    "duplicates_html": Report("duplicates.html", duplicates_html),
    "assignments_html": Report("assignments.html", assignments_html),
    "assignments_xlsx": Report("assignments.xlsx", assignments_xlsx, None),
    "completeness_xlsx": Report("completeness.xlsx", completeness_xlsx, None),
    "documents_xlsx": Report("documents.xlsx", documents_xlsx, None),
    "duplicates_xlsx": Report("duplicates.xlsx", duplicates_xlsx, None),
    "themes_xlsx": Report("themes.xlsx", themes_xlsx, None),
    "reminders_xlsx": Report("pengingat.xlsx", reminders_xlsx, None),
    "reminders_csv": Report("pengingat.csv", reminders_csv, "utf-8-sig"),
    "reminders_html": Report("pengingat.html", reminders_html),
    "ranking_html": Report("ranking.html", ranking_html),  # the judges' scores back (kipp scores import)
    "ranking_xlsx": Report("ranking.xlsx", ranking_xlsx, None),
}
# What `kipp scores import` writes again (screening.json's `scores` and `ranking` keys are updated in place).
RANKING_REPORTS = ("ranking_html", "ranking_xlsx")
# What `kipp reminders` writes again from the last screening.json and a roster.
REMINDER_REPORTS = ("reminders_xlsx", "reminders_csv", "reminders_html")
REPORT_FILES: dict[str, str] = {key: report.file_name for key, report in REPORTS.items()}


def render_reports(screening: Screening, edition: str, keys: tuple[str, ...] | None = None) -> dict[str, bytes]:
    """Every report (or those of `keys`), encoded as it is written; raises if any part of any report
    cannot be rendered.

    All of them carry one timestamp, to the second (`generated_at` of screening.json).
    """
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    out = {}
    for key in keys or tuple(REPORTS):
        report = REPORTS[key]
        data = report.render(screening, edition, generated)
        out[key] = data.encode(report.encoding) if report.encoding is not None else data
    return out


def write_reports(screening: Screening, out: Path, edition: str) -> dict[str, Path]:
    """Render every report first, then replace each file atomically: a failure leaves the old ones."""
    return write_rendered(render_reports(screening, edition), out)


def write_rendered(rendered: dict[str, bytes], out: Path) -> dict[str, Path]:
    """Replace each report file atomically with what render_reports gave."""
    paths = {key: out / REPORTS[key].file_name for key in rendered}
    for key, data in rendered.items():
        write_atomic(paths[key], data)
    return paths
