"""The reports rendered from templates: whatever a document or a name holds, no page runs it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
from markupsafe import escape

from flows import reporting
from flows.reporting import REPORT_FILES, REPORTS, Report, render_reports, write_reports
from flows.reporting.pages import render, templates
from models.duplicates import Decision, DuplicateFlag, DuplicateKind, Passage, Severity
from models.inbox import printable
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
