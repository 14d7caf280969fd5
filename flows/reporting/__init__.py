"""The reports: screening.json for machines, completeness CSV and HTML for admins (in Indonesian).

Every report is one entry of REPORTS: its file name, the function that renders it from a screening,
and the encoding it is written in. A new export (an XLSX workbook) is one more entry.

- json_report: screening.json, the one serialisation of a screening (a published interface).
- csv_reports: the spreadsheet exports; no cell ever runs as a formula.
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
from flows.reporting.xlsx_reports import assignments_xlsx
from models.screening import Screening

__all__ = [
    "MIN_FREE_MB", "REPORTS", "REPORT_FILES", "SCHEMA_VERSION", "Report", "check_output_folder",
    "completeness_csv", "completeness_html", "documents_csv", "duplicates_html",
    "local_time", "render_reports", "screening_document", "spreadsheet_cell", "summary", "themes_html",
    "write_atomic", "write_rendered", "write_reports",
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
}
REPORT_FILES: dict[str, str] = {key: report.file_name for key, report in REPORTS.items()}


def render_reports(screening: Screening, edition: str) -> dict[str, bytes]:
    """Every report, encoded as it is written; raises if any part of any report cannot be rendered.

    All of them carry one timestamp, to the second (`generated_at` of screening.json).
    """
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    out = {}
    for key, report in REPORTS.items():
        data = report.render(screening, edition, generated)
        out[key] = data.encode(report.encoding) if report.encoding is not None else data
    return out


def write_reports(screening: Screening, out: Path, edition: str) -> dict[str, Path]:
    """Render every report first, then replace each file atomically: a failure leaves the old ones."""
    return write_rendered(render_reports(screening, edition), out)


def write_rendered(rendered: dict[str, bytes], out: Path) -> dict[str, Path]:
    """Replace each report file atomically with what render_reports gave."""
    paths = {key: out / report.file_name for key, report in REPORTS.items()}
    for key, data in rendered.items():
        write_atomic(paths[key], data)
    return paths
