"""The reports rendered from templates: whatever a document or a name holds, no page runs it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tomllib
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
from markupsafe import escape

from flows import reporting
from flows.packets import Criteria, Criterion, PacketProposal, build_packet
from flows.reporting import REPORT_FILES, REPORTS, Report, render_reports, write_reports
from flows.reporting.pages import render, templates
from models.duplicates import Decision, DuplicateFlag, DuplicateKind, Passage, Severity
from models.inbox import printable
from models.records import (
    Blocker,
    Category,
    DocType,
    FileStatus,
    Judge,
    JudgeAssignment,
    Judging,
    Outcome,
    Participant,
    ParticipantResult,
    ParticipantStatus,
    Reason,
    ThemeSource,
    Unassigned,
    Withdrawal,
)
from models.screening import Screening, StepError
from models.themes import ThemeAssignment

ROOT = Path(__file__).resolve().parents[2]
HTML_KEYS = [key for key, name in REPORT_FILES.items() if name.endswith(".html")]
# Script, an event handler, quotes to leave an attribute, an entity, a terminal escape, a
# right-to-left override that would reverse how a file name reads, a line separator and a newline.
HOSTILE = "<script>alert('x')</script>\"><img src=x onerror=alert(1)> &amp; \x1b[31m\u202egpj.exe\u2028\n"
# Every tag the templates write themselves; a tag outside this list came from the data.
OWN_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "a", "table", "thead", "tbody", "tr",
            "th", "td", "span", "small", "code", "br", "b", "i", "ul", "li", "div", "details", "summary", "pre"}


# Fields of traces for a developer, kept line by line: their hostile strings have no newline.
TRACE_FIELDS = {"internal_first", "trace_line1", "trace_line2", "step_detail1", "step_detail2"}


def hostile(field: str) -> str:
    text = f"[{field}]{HOSTILE}"
    return text.replace("\n", "") if field in TRACE_FIELDS else text


def hostile_screening() -> Screening:
    """One of everything a page shows, each text field a hostile string naming its field."""
    people = [Participant(hostile(f"id{i}"), hostile(f"name{i}"), category) for i, category in enumerate(Category)]

    def theme(i: int, source: str, review: bool) -> ThemeAssignment:
        return ThemeAssignment(people[i].id, hostile(f"theme{i}"), hostile(f"theme_label{i}"), 0.31,
                               hostile(f"runner_up{i}"), source, review)

    results = (
        ParticipantResult(people[0], ParticipantStatus.COMPLETE, hostile("inovasi0"), hostile("kinerja0"),
                          history=(hostile("history0a"), hostile("history0b")), theme=theme(0, "model", True),
                          review=(hostile("review0a"), hostile("review0b"))),
        ParticipantResult(people[1], ParticipantStatus.MISSING_KINERJA, hostile("inovasi1"), None,
                          theme=theme(1, "correction", False)),
        ParticipantResult(people[2], ParticipantStatus.MISSING_INOVASI, None, hostile("kinerja2"),
                          theme=theme(2, "model", False)),
        ParticipantResult(people[3], ParticipantStatus.MISSING_BOTH, None, None),
        ParticipantResult(people[4], ParticipantStatus.COMPLETE, hostile("inovasi4"), hostile("kinerja4"),
                          theme=theme(4, "model", True)),
    )
    documents = (
        Outcome(hostile("inovasi0"), "a" * 64, 10, FileStatus.ACCEPTED, None, people[0].id, DocType.INOVASI,
                detail=hostile("detail_accepted"), review=hostile("outcome_review")),
        Outcome(hostile("quarantined"), "b" * 64, 10, FileStatus.QUARANTINED, Reason.UNIDENTIFIED, people[1].id,
                detail=hostile("detail_quarantined")),
        Outcome(hostile("internal"), "c" * 64, 10, FileStatus.QUARANTINED, Reason.INTERNAL_ERROR, people[2].id,
                detail=f"{hostile('internal_first')}\n{hostile('trace_line1')}\n{hostile('trace_line2')}"),
        Outcome(hostile("ignored"), None, 0, FileStatus.IGNORED, Reason.SYSTEM_FILE, detail=hostile("detail_ignored")),
        Outcome(hostile("no_detail"), None, 0, FileStatus.IGNORED, Reason.SPECIAL_FILE),
    )
    flags = (
        DuplicateFlag(hostile("dup_a"), hostile("dup_b"), DuplicateKind.NEAR, 0.61,
                      (Passage(hostile("passage_a"), hostile("passage_b"), 12, 0.9),), Severity.HIGH,
                      a_participant=people[0].id, b_participant=hostile("unknown_participant"),
                      decision=Decision.CONFIRMED),
        DuplicateFlag(hostile("prior_a"), "prior/" + hostile("prior_b"), DuplicateKind.PRIOR_EDITION, 0.9, (),
                      Severity.MEDIUM, edition=hostile("prior_edition")),
    )
    errors = (StepError(hostile("step"), f"{hostile('step_detail1')}\n{hostile('step_detail2')}"),)
    return Screening(documents, results, flags, errors)


class _Page(HTMLParser):
    """A page as a browser reads it: its tags, attributes and text."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []
        self.parts: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes += attrs

    def handle_data(self, data):
        self.parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.parts) + "".join(v or "" for _, v in self.attributes)


def test_hostile_strings_in_every_field_never_reach_a_page_unescaped() -> None:
    screening = hostile_screening()
    edition = hostile("edition")
    rendered = render_reports(screening, edition)
    fields = {
        "edition", "name0", "id0", "name1", "id1", "name4", "inovasi0", "kinerja0", "history0a", "history0b",
        "review0a", "review0b", "theme_label0", "theme_label1", "theme_label2", "runner_up0", "runner_up4",
        "inovasi1", "kinerja2", "quarantined", "detail_quarantined", "internal", "internal_first", "trace_line1",
        "trace_line2", "ignored", "detail_ignored", "no_detail", "step", "step_detail1", "step_detail2",
        "dup_a", "dup_b", "passage_a", "passage_b", "unknown_participant", "prior_a", "prior_b", "prior_edition",
    }
    shown: set[str] = set()
    for key in HTML_KEYS:
        page = rendered[key].decode("utf-8")
        parsed = _Page(page)
        assert parsed.tags <= OWN_TAGS, (key, parsed.tags - OWN_TAGS)
        assert not [name for name, _ in parsed.attributes if name.startswith("on") or name == "src"], key
        for raw in ("<script", "<img", "'x'", "\x1b", "\u202e", "\u2028"):
            assert raw not in page, (key, raw)
        assert "&amp;amp;" in page  # the data's own "&amp;" shows as typed
        # Every field is there, as text an admin can read: the string with its controls made visible.
        shown |= {field for field in fields if printable(hostile(field)) in parsed.text}
    assert shown == fields, fields - shown
    # The data itself is kept as it is in the machine-readable reports.
    doc = json.loads(rendered["screening"])
    assert doc["edition"] == edition and doc["participants"][0]["name"] == hostile("name0")
    rows = list(csv.reader(io.StringIO(rendered["documents_csv"].decode("utf-8-sig"))))
    assert rows[1][0] == hostile("inovasi0")


def test_a_trace_keeps_its_lines_and_everything_else_is_one_line() -> None:
    screening = hostile_screening()
    page = render_reports(screening, "2021")["completeness_html"].decode("utf-8")
    assert page.count("<pre>") == 2  # the step's trace and the file's trace
    lines = [printable(hostile("trace_line1")), printable(hostile("trace_line2"))]
    assert f"<pre>{escape(lines[0])}\n{escape(lines[1])}\n</pre>" in page
    # A participant's row is one line of the page, whatever its file names hold.
    row = next(line for line in page.splitlines() if "[id0]" in line and "<td class=num>" in line)
    assert "[inovasi0]" in row and "[history0b]" in row and "[theme_label0]" in row


@pytest.mark.parametrize("template", ["completeness.html.j2", "themes.html.j2", "duplicates.html.j2"])
def test_a_template_naming_a_missing_value_fails(template: str) -> None:
    context = {"edition": "2021", "generated": "01-12-2026 23:09 WIB"}
    with pytest.raises(jinja2.UndefinedError):
        render(template, **context)  # every other value the page names is missing
    with pytest.raises(jinja2.UndefinedError):
        templates().from_string("{{ o.no_such_field }}").render(o=Participant("p", "P", Category.SD))


def test_every_template_is_escaped_and_none_marks_data_safe() -> None:
    env = templates()
    assert env.autoescape is True  # for every template, whatever its name
    assert env.undefined is jinja2.StrictUndefined
    names = env.list_templates()
    assert {"page.html.j2", "completeness.html.j2", "themes.html.j2", "duplicates.html.j2"} <= set(names)
    for name in names:
        source = env.loader.get_source(env, name)[0]
        for unsafe in ("|safe", "| safe", "Markup", "autoescape false", "autoescape off"):
            assert unsafe not in source, (name, unsafe)
    package = ROOT / "flows" / "reporting"
    for module in package.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert "Markup" not in text and "import escape" not in text, module


def test_the_templates_are_package_data_and_found_from_any_folder(tmp_path: Path) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    from setuptools import find_namespace_packages

    found = find_namespace_packages(where=str(ROOT), include=project["tool"]["setuptools"]["packages"]["find"]["include"])
    assert {"flows.reporting", "flows.reporting.templates"} <= set(found)
    globs = project["tool"]["setuptools"]["package-data"]["flows.reporting"]
    templates = sorted((ROOT / "flows" / "reporting" / "templates").iterdir())
    assert templates and all(any(t.match(g) for g in globs) for t in templates)
    assert any(d.startswith("jinja2") for d in project["project"]["dependencies"])
    script = ("import flows.reporting as r, models.screening as s; "
              "print(len(r.render_reports(s.Screening((), ()), '2021')['completeness_html']))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 1000


def test_one_entry_of_the_table_is_one_more_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    screening = hostile_screening()
    paths = write_reports(screening, tmp_path, "2021")
    assert {p.name for p in paths.values()} == set(REPORT_FILES.values()) == {p.name for p in tmp_path.iterdir()}
    assert (tmp_path / "completeness.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not (tmp_path / "screening.json").read_bytes().startswith(b"\xef\xbb\xbf")

    def workbook(s: Screening, edition: str, generated_at: str) -> bytes:
        return b"PK\x03\x04" + f"{len(s.participants)} {edition} {generated_at[:4]}".encode()

    monkeypatch.setitem(REPORTS, "workbook", Report("kelengkapan.xlsx", workbook, None))
    paths = write_reports(screening, tmp_path, "2021")
    assert paths["workbook"] == tmp_path / "kelengkapan.xlsx"
    assert paths["workbook"].read_bytes().startswith(b"PK\x03\x04" + b"5 2021 20")


def test_every_report_of_one_run_carries_one_timestamp() -> None:
    rendered = render_reports(hostile_screening(), "2021")
    generated = json.loads(rendered["screening"])["generated_at"]
    shown = reporting.local_time(generated)
    for key in HTML_KEYS:
        assert f"dibuat {shown}" in rendered[key].decode("utf-8"), key


# -- every page, every branch; printed on A4 -------------------------------------------------------------------


def every_branch_screening() -> Screening:
    """Plain values (ids, file names, labels with no words of either language) in every state a page
    shows: each status and category, a file of each kind of problem, a step that failed, themes to
    review and corrected, decided and prior-edition duplicates, judges with loads, shortfalls and a
    withdrawal. The words on a page rendered from it are the template's own, and kipp's labels."""

    people = [Participant(f"p{i}", f"Unit {i}", category, contact=contact) for i, (category, contact) in enumerate(
        zip([*Category, Category.SD], [None, None, None, "u3@example.org; 0812-3456-7890", None, "xyz"]), 1)]

    def theme(i: int, source: ThemeSource, review: bool) -> ThemeAssignment:
        return ThemeAssignment(people[i].id, f"t{i}", f"T{i}", 0.42, f"t{i + 1}", source, review)

    results = (
        ParticipantResult(people[0], ParticipantStatus.COMPLETE, "a/in1.pdf", "a/ki1.pdf", history=("a/in0.pdf",),
                          theme=theme(0, ThemeSource.MODEL, True), review=("r1",)),
        ParticipantResult(people[1], ParticipantStatus.MISSING_KINERJA, "b/in2.pdf", None,
                          theme=theme(1, ThemeSource.CORRECTION, False)),
        ParticipantResult(people[2], ParticipantStatus.MISSING_INOVASI, None, "c/ki3.pdf",
                          theme=theme(2, ThemeSource.MODEL, False)),
        ParticipantResult(people[3], ParticipantStatus.MISSING_BOTH, None, None),
        ParticipantResult(people[4], ParticipantStatus.COMPLETE, "e/in5.pdf", "e/ki5.docx",
                          theme=theme(4, ThemeSource.MODEL, True)),
        ParticipantResult(people[5], ParticipantStatus.MISSING_BOTH, None, None),
    )
    documents = (
        Outcome("a/in1.pdf", "a" * 64, 10, FileStatus.ACCEPTED, None, "p1", DocType.INOVASI, review="q1"),
        Outcome("b/ki2.pdf", "b" * 64, 10, FileStatus.QUARANTINED, Reason.CORRUPT_PDF, "p2", DocType.KINERJA,
                detail=Reason.CORRUPT_PDF.label),
        Outcome("c/x3.pdf", "c" * 64, 10, FileStatus.QUARANTINED, Reason.INTERNAL_ERROR, "p3",
                detail=f"{Reason.INTERNAL_ERROR.label}\nT1\nT2"),
        Outcome("d/x4.pdf", None, 10, FileStatus.QUARANTINED, Reason.UNREADABLE, "p4"),
        Outcome("f/x6.docx", "f" * 64, 10, FileStatus.QUARANTINED, Reason.ZIP_BOMB, "p6", DocType.INOVASI),
        Outcome("z/unknown.pdf", "e" * 64, 10, FileStatus.QUARANTINED, Reason.UNIDENTIFIED,
                detail=Reason.UNIDENTIFIED.label),
        Outcome(".DS_Store", None, 0, FileStatus.IGNORED, Reason.SYSTEM_FILE, detail=Reason.SYSTEM_FILE.label),
        Outcome("a/in0.pdf", "d" * 64, 10, FileStatus.SUPERSEDED, Reason.NEWER_VERSION, "p1", DocType.INOVASI,
                detail=f"{Reason.NEWER_VERSION.label}: a/in1.pdf"),
    )
    flags = (
        DuplicateFlag("a/in1.pdf", "e/in5.pdf", DuplicateKind.NEAR, 0.61, (Passage("x1", "x2", 12, 0.9),),
                      Severity.HIGH, a_participant="p1", b_participant="p5", decision=Decision.CONFIRMED),
        DuplicateFlag("e/in5.pdf", "prior/in5.pdf", DuplicateKind.PRIOR_EDITION, 0.9, (), Severity.MEDIUM,
                      edition="2020"),
    )
    judging = Judging(
        judges=(Judge("j1", "J1", "p5", ("t1", "t2")), Judge("j2", "J2", None, ("t5",), capacity=3)),
        per_proposal=2,
        assignments=(JudgeAssignment("j1", "p1", True, frozen=True), JudgeAssignment("j2", "p1", False, frozen=True),
                     JudgeAssignment("j2", "p5", True)),
        unassigned=(Unassigned("p5", Blocker.CONFLICT_OF_INTEREST, 1, "1/2"), Unassigned("p2", Blocker.NOT_COMPLETE)),
        withdrawn=(Withdrawal("j1", "p3", "w3"),),
        conflicts_avoided=1, solver="s", solve_seconds=0.01, handed_at="2026-12-01T09:00:00+00:00",
        theme_labels=(("t1", "T1"),),
    )
    return Screening(documents, results, flags, (StepError("themes", "S1\nS2"),), judging)


def every_page(tmp_path: Path) -> dict[str, str]:
    """Every HTML page kipp writes, by name: the reports of a run (with the judges handed out, in
    preview and without a panel, and of an empty inbox) and the pages of a judge's packet."""
    screening = every_branch_screening()
    judging = screening.judging
    preview = replace(judging, handed_at=None, assignments=tuple(replace(a, frozen=False) for a in judging.assignments))
    pages: dict[str, str] = {}
    for state, s in (("handed", screening), ("preview", replace(screening, judging=preview)),
                     ("no-panel", replace(screening, judging=None)), ("empty", Screening((), ()))):
        rendered = render_reports(s, "2021")
        pages |= {f"{state}/{REPORT_FILES[key]}": rendered[key].decode("utf-8") for key in HTML_KEYS}
    documents = {o.path: o for o in screening.documents}
    results = {r.participant.id: r for r in screening.participants}
    kinerja = Outcome("a/ki1.pdf", None, 2_500_000, FileStatus.ACCEPTED, None, "p1", DocType.KINERJA)
    five = Outcome("e/in5.pdf", None, 10, FileStatus.ACCEPTED, None, "p5", DocType.INOVASI)
    five_k = Outcome("e/ki5.docx", None, 10, FileStatus.ACCEPTED, None, "p5", DocType.KINERJA)
    proposals = [
        PacketProposal(results["p1"], documents["a/in1.pdf"], kinerja, (documents["a/in0.pdf"],), screening.duplicates,
                       True, "Title 1"),
        PacketProposal(results["p5"], five, five_k, (), screening.duplicates[:1], False, None),
    ]

    def read(o: Outcome) -> bytes:
        if o.path == "e/ki5.docx":
            raise FileNotFoundError(o.path)
        return b"%PDF-1.7\n"

    for name, proposals_of in (("packet", proposals), ("empty-packet", [])):
        packet = build_packet(tmp_path / name, Judge("j1", "J1", None, ("t1",)), proposals_of,
                              Criteria((Criterion("c1", "C1", "D1"),), 1, 5), "2021", judging.handed_at, read)
        pages |= {f"{name}/{p.name}": p.read_text(encoding="utf-8") for p in sorted(packet.folder.glob("*.html"))}
    return pages


class _Tables(HTMLParser):
    """Each table's header rows (rows of <th> only) and whether each sits in a <thead>."""

    def __init__(self, page: str):
        super().__init__()
        self.header_rows: list[bool] = []  # one per header row: inside <thead>?
        self.in_thead = False
        self.cells: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag == "thead":
            self.in_thead = True
        elif tag == "tr":
            self.cells = []
        elif tag in ("th", "td"):
            self.cells.append(tag)

    def handle_endtag(self, tag):
        if tag == "thead":
            self.in_thead = False
        elif tag == "tr" and self.cells and set(self.cells) == {"th"}:
            self.header_rows.append(self.in_thead)


# What makes a page print on A4: the sheet and its margins, the header row again on every page, no
# row or card cut in two, links as plain text, no colour background wasting ink.
PRINT_RULES = ("@page{size:A4;margin:", "@media print{", "thead{display:table-header-group}",
               "tr,li,.flag,.card,.ev,.warn{break-inside:avoid;page-break-inside:avoid}",
               "a{color:inherit;text-decoration:none}", "th,.st,.warn,.ev div,pre{background:none!important}")


def test_every_page_prints_on_a4_with_its_table_headers_on_every_sheet(tmp_path: Path) -> None:
    pages = every_page(tmp_path)
    assert {"handed/assignments.html", "preview/completeness.html", "packet/index.html",
            "packet/01_p1_lembar.html"} <= set(pages)
    headers = 0
    for name, page in pages.items():
        style = page.split("<style>", 1)[1].split("</style>", 1)[0]
        for rule in PRINT_RULES:
            assert rule in style, (name, rule)
        tables = _Tables(page)
        assert all(tables.header_rows), (name, "a table's header row outside <thead> is not repeated on a new page")
        headers += len(tables.header_rows)
    assert headers > 40  # the check has tables to look at


def test_a_header_row_outside_thead_is_noticed() -> None:
    assert _Tables("<table><tr><th>a</th></tr><tr><td>1</td></tr></table>").header_rows == [False]
    assert _Tables("<table><thead><tr><th>a</th></tr></thead><tr><th>k</th><td>1</td></tr></table>").header_rows == [True]
