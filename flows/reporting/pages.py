"""The HTML reports for admins, rendered from the Jinja2 templates beside this module.

In the language of `kipp --lang` (models/language.py): a template writes its own words as
`w("Indonesian", "English")` and a code's words as `code|label`, both read when the page is
rendered; `<html lang>` follows. What a document, the roster or screening.json holds is printed as
it is, whatever the language.

Escaping is the environment's job, never a template's: every template is autoescaped whatever its
name, every value printed passes `_visible` first (control and invisible format characters of a
file name or a document become visible escapes, as on the terminal), and a value a template names
but is not given fails the render (StrictUndefined) instead of printing nothing. No template marks
anything safe: the markup in a page is the template's own text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

from flows.reporting.csv_reports import by_category
from models.inbox import printable
from models.language import current_language, say
from models.records import (
    Blocker,
    Category,
    FileStatus,
    Judge,
    JudgeAssignment,
    Outcome,
    ParticipantResult,
    ParticipantStatus,
    Reason,
    ThemeSource,
    Unassigned,
)
from models.screening import Screening

if TYPE_CHECKING:
    from jinja2 import Environment

# Bars and legend of themes.html, one colour per category.
CATEGORY_COLOURS = {Category.PERANGKAT_DAERAH: "#3b5bdb", Category.KELURAHAN: "#0ca678",
                    Category.PUSKESMAS: "#e8590c", Category.SMP: "#ae3ec9", Category.SD: "#f59f00"}


def _visible(value: object) -> object:
    """What a page prints for a value: text with its control and format characters made visible
    (`\\n`, `\\x1b`, `\\u202e`), so no name can hide, reorder or break what an admin reads.
    A macro's output is left as it is: its own values came through here already."""
    if isinstance(value, str) and not hasattr(value, "__html__") and not value.isprintable():
        return printable(value)
    return value


def environment(loader) -> Environment:
    """A template environment as every kipp page needs it: autoescaped whatever the template's name,
    strict (a value a template names but is not given fails the render), every value printed through
    `_visible`, and the shared filters and words; the static reports and `kipp ui` each make one."""
    from jinja2 import Environment, StrictUndefined

    env = Environment(
        loader=loader,
        autoescape=True,  # every template, whatever its name
        undefined=StrictUndefined,
        finalize=_visible,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["percent"] = lambda x: f"{x:.0%}"
    env.filters["fixed2"] = lambda x: f"{x:.2f}"
    env.filters["label"] = lambda code: code.text(current_language())  # a Labelled code's words
    env.globals["w"] = say  # w("Indonesian", "English"): the template's own words
    env.globals["lang"] = current_language
    return env


@cache
def templates() -> Environment:
    """The reports' environment, made on the first page rendered (jinja2 is imported then)."""
    from jinja2 import PackageLoader

    return environment(PackageLoader("flows.reporting", "templates"))  # found wherever flows is imported from


def render(template: str, **context: object) -> str:
    return templates().get_template(template).render(**context)


def local_time(iso: str) -> str:
    """An ISO timestamp as Malang reads it: 23-11-2026 16:09 WIB."""
    from zoneinfo import ZoneInfo

    when = datetime.fromisoformat(iso).astimezone(ZoneInfo("Asia/Jakarta"))
    return when.strftime("%d-%m-%Y %H:%M WIB")


# -- completeness.html -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Counts:
    category: Category | None  # None for the total
    total: int
    counts: tuple[int, ...]  # one per ParticipantStatus, in its order


@dataclass(frozen=True, slots=True)
class _Row:
    result: ParticipantResult
    others: tuple[tuple[str, str], ...]  # (path, why) of its other files: quarantined ones, older versions


@dataclass(frozen=True, slots=True)
class _Section:
    category: Category
    rows: tuple[_Row, ...]


@dataclass(frozen=True, slots=True)
class _Detail:
    """The explanation an admin reads, and a trace for a developer folded away under it."""

    text: str
    trace: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Failure:
    step: str
    lines: tuple[str, ...]


def completeness_html(screening: Screening, edition: str, generated_at: str) -> str:
    participants = by_category(screening.participants)
    problems = _problem_files_by_participant(screening.documents)
    sections = []
    old = say("versi lama", "older version")
    for category in Category:
        rows = [r for r in participants if r.participant.category is category]
        if rows:
            sections.append(_Section(category, tuple(
                _Row(r, (*problems.get(r.participant.id, ()), *((path, old) for path in r.history)))
                for r in rows
            )))
    summary, total = _category_counts(participants)
    return render(
        "completeness.html.j2",
        edition=edition,
        generated=local_time(generated_at),
        n_duplicates=len(screening.duplicates),
        internal_error_files=sum(1 for o in screening.documents if o.reason is Reason.INTERNAL_ERROR),
        errors=[_Failure(e.step, tuple(e.detail.split("\n"))) for e in screening.errors],
        statuses=list(ParticipantStatus),
        summary=summary,
        total=total,
        review=[r for r in participants if r.review],
        sections=sections,
        quarantined=_files(screening.documents, FileStatus.QUARANTINED),
        ignored=_files(screening.documents, FileStatus.IGNORED),
    )


def _category_counts(participants: list[ParticipantResult]) -> tuple[list[_Counts], _Counts]:
    counts: dict[Category, Counter] = {c: Counter() for c in Category}
    for r in participants:
        counts[r.participant.category][r.status] += 1
    total: Counter = Counter()
    rows = []
    for category, c in counts.items():
        if c:
            total.update(c)
            rows.append(_Counts(category, sum(c.values()), tuple(c[s] for s in ParticipantStatus)))
    return rows, _Counts(None, sum(total.values()), tuple(total[s] for s in ParticipantStatus))


def _problem_files_by_participant(documents: tuple[Outcome, ...]) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for o in documents:
        if o.status is FileStatus.QUARANTINED and o.participant_id and o.reason:
            out.setdefault(o.participant_id, []).append((o.path, o.reason.text(current_language())))
    return out


def _files(documents: tuple[Outcome, ...], status: FileStatus) -> list[tuple[Outcome, _Detail]]:
    return [(o, _detail_cell(o)) for o in documents if o.status is status]


def _detail_cell(o: Outcome) -> _Detail:
    detail = detail_text(o)
    if o.reason in (Reason.INTERNAL_ERROR, Reason.EXTRACTION_ERROR) and "\n" in detail:
        first, rest = detail.split("\n", 1)
        return _Detail(first, tuple(rest.split("\n")))
    return _Detail(detail)


def detail_text(o: Outcome) -> str:
    """A file's detail as recorded, with the reason's words it opens with (kipp's own) in the page's
    language; what follows them (a path, notes, a trace) is printed as recorded."""
    if o.reason is None:
        return o.detail or ""
    if not o.detail:
        return o.reason.text(current_language())
    if o.detail.startswith(o.reason.label):
        return o.reason.text(current_language()) + o.detail[len(o.reason.label):]
    return o.detail


# -- themes.html -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ThemeRow:
    label: str
    counts: Counter  # participants per Category
    total: int


def themes_html(screening: Screening, edition: str, generated_at: str) -> str:
    """Counts per theme and category, drawn as bars in plain HTML and CSS (opens from disk, no script)."""
    themed = [r for r in screening.participants if r.theme]
    labels: dict[str, str] = {}
    counts: dict[str, Counter] = {}
    for r in themed:
        labels[r.theme.theme] = r.theme.theme_label
        counts.setdefault(r.theme.theme, Counter())[r.participant.category] += 1
    order = sorted(counts, key=lambda t: (-sum(counts[t].values()), t))
    return render(
        "themes.html.j2",
        edition=edition,
        generated=local_time(generated_at),
        themed=len(themed),
        categories=[c for c in Category if any(c in cnt for cnt in counts.values())],
        colours=CATEGORY_COLOURS,
        top=max((sum(c.values()) for c in counts.values()), default=1),
        rows=[_ThemeRow(labels[t], counts[t], sum(counts[t].values())) for t in order],
        review=[r for r in themed if r.theme.needs_review and r.theme.theme_source == ThemeSource.MODEL],
    )


# -- duplicates.html ---------------------------------------------------------------------


def duplicates_html(screening: Screening, edition: str, generated_at: str) -> str:
    """Every flag with its evidence side by side; document text is escaped like everything else."""
    return render(
        "duplicates.html.j2",
        edition=edition,
        generated=local_time(generated_at),
        flags=screening.duplicates,
        names={r.participant.id: r.participant.name for r in screening.participants},
    )


# -- assignments.html --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _JudgeRow:
    judge: Judge
    affiliation: str  # the unit's name, or "" for an academic or outside expert
    load: int
    matches: int
    new: int  # not yet handed out


@dataclass(frozen=True, slots=True)
class _ProposalRow:
    result: ParticipantResult
    judges: tuple[tuple[str, JudgeAssignment], ...]  # (judge name, assignment)
    short: Unassigned | None  # fewer judges than asked for, and why


def assignments_html(screening: Screening, edition: str, generated_at: str) -> str:
    """Judges × proposals: each proposal's judges, each judge's load, the expertise-match rate, the
    conflicts avoided, what could not be assigned and why, and what was taken back."""
    judging = screening.judging
    names = {r.participant.id: r.participant.name for r in screening.participants}
    if judging is None:
        return render("assignments.html.j2", edition=edition, generated=local_time(generated_at), judging=None)
    judge_names = {j.id: j.name for j in judging.judges}
    mine: dict[str, list[JudgeAssignment]] = {}
    for a in judging.assignments:
        mine.setdefault(a.participant_id, []).append(a)
    short = {u.participant_id: u for u in judging.unassigned if u.reason is not Blocker.NOT_COMPLETE}
    results = {r.participant.id: r for r in screening.participants}
    rows = [
        _ProposalRow(r, tuple((judge_names.get(a.judge_id, a.judge_id), a) for a in mine.get(pid, ())), short.get(pid))
        for pid, r in ((r.participant.id, r) for r in by_category(screening.participants))
        if pid in mine or pid in short
    ]
    judges = [
        _JudgeRow(j, names.get(j.affiliation_id, j.affiliation_id or ""), judging.load(j.id),
                  sum(1 for a in judging.assignments if a.judge_id == j.id and a.expertise_match),
                  sum(1 for a in judging.assignments if a.judge_id == j.id and not a.frozen))
        for j in judging.judges
    ]
    loads = [row.load for row in judges]
    return render(
        "assignments.html.j2",
        edition=edition,
        generated=local_time(generated_at),
        judging=judging,
        handed=local_time(judging.handed_at) if judging.handed_at else None,
        judges=judges,
        rows=rows,
        spread=(min(loads, default=0), max(loads, default=0)),
        not_complete=[(results[u.participant_id], u) for u in judging.unassigned
                      if u.reason is Blocker.NOT_COMPLETE and u.participant_id in results],
        withdrawn=[(w, judge_names.get(w.judge_id, w.judge_id), names.get(w.participant_id, w.participant_id))
                   for w in judging.withdrawn],
        themes=dict(judging.theme_labels),
    )
