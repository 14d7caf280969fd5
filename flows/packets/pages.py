"""The pages of a packet: index.html for the judge, and one screening sheet per proposal.

Rendered with the report pages' own environment (flows.reporting.pages.render): autoescaped,
strict, every value passed through `_visible`, in the language of `kipp --lang`. Sizes, times and
labels are worked out here, so the templates only print.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flows.packets.criteria import Criteria
from flows.packets.records import PacketProblem, PacketProposal
from flows.reporting.pages import local_time, render
from models.duplicates.flags import DuplicateFlag, Severity
from models.language import current_language, say
from models.records import DocType, Judge, Outcome, ThemeSource

_SEVERITY_ORDER = {severity: rank for rank, severity in enumerate(Severity)}


@dataclass(frozen=True, slots=True)
class DocumentView:
    """One original of a proposal: where it is in the packet, or why it is not."""

    doc_type: DocType
    outcome: Outcome
    file: str | None  # its name in the packet; None when it could not be put in
    missing: str | None = None  # why not, in the language of the packet
    size: str = ""


@dataclass(frozen=True, slots=True)
class FlagView:
    """A duplicate flag as a proposal's sheet shows it: this proposal's side on the left."""

    flag: DuplicateFlag
    mine: str  # which document of this proposal: "Proposal Inovasi", ...
    mine_path: str
    other_path: str
    other_who: str  # the other participant's name (in this packet) or id; "" when unknown
    other_sheet: str | None  # its sheet, when that proposal is in this packet too
    evidence: tuple[tuple[str, str], ...]  # (this document's passage, the other's)


@dataclass(frozen=True, slots=True)
class HistoryView:
    outcome: Outcome
    size: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One proposal of the packet, as its sheet and its row of the index show it."""

    number: int
    proposal: PacketProposal
    sheet: str  # the screening sheet's name in the packet
    documents: tuple[DocumentView, ...]  # Inovasi, then Kinerja
    history: tuple[HistoryView, ...]
    flags: tuple[FlagView, ...]  # most severe first
    theme_source: str  # the label of where the theme came from; "" without a theme

    @property
    def top_severity(self) -> Severity | None:
        return self.flags[0].flag.severity if self.flags else None


def size_text(size: int) -> str:
    """A file size as its reader writes it: 850 KB, 1,2 MB in Indonesian (1.2 MB in English)."""
    if size < 1000 * 1000:
        return f"{max(1, round(size / 1000))} KB" if size else "0 KB"
    return say(f"{size / 1e6:.1f} MB".replace(".", ","), f"{size / 1e6:.1f} MB")


def entries(proposals: Sequence[PacketProposal], documents: Mapping[str, tuple[DocumentView, ...]],
            sheets: Mapping[str, str]) -> list[Entry]:
    """The packet's proposals (in packet order) with their documents and sheets, keyed by participant id."""
    names = {p.participant_id: p.participant.participant.name for p in proposals}
    out = []
    for number, proposal in enumerate(proposals, 1):
        pid = proposal.participant_id
        theme = proposal.participant.theme
        out.append(Entry(
            number=number,
            proposal=proposal,
            sheet=sheets[pid],
            documents=documents[pid],
            history=tuple(HistoryView(o, size_text(o.size)) for o in proposal.history),
            flags=tuple(_flag_view(f, proposal, names, sheets) for f in _by_severity(proposal.flags)),
            theme_source=ThemeSource(theme.theme_source).text(current_language()) if theme else "",
        ))
    return out


def _by_severity(flags: Sequence[DuplicateFlag]) -> list[DuplicateFlag]:
    return sorted(flags, key=lambda f: (_SEVERITY_ORDER[f.severity], -f.score, f.key))


def _flag_view(flag: DuplicateFlag, proposal: PacketProposal, names: Mapping[str, str],
               sheets: Mapping[str, str]) -> FlagView:
    lang = current_language()
    inovasi, kinerja = DocType.INOVASI.text(lang), DocType.KINERJA.text(lang)
    ours = {proposal.inovasi.path: inovasi, proposal.kinerja.path: kinerja}
    for o in proposal.history:
        ours.setdefault(o.path, say("versi lama", "older version"))
    by_sha = {o.sha256: label for o, label in ((proposal.inovasi, inovasi), (proposal.kinerja, kinerja)) if o.sha256}

    def is_ours(path: str, sha: str | None) -> bool:
        return path in ours or (sha is not None and sha in by_sha)

    flipped = not is_ours(flag.a, flag.a_sha256) and is_ours(flag.b, flag.b_sha256)
    mine, other = (flag.b, flag.a) if flipped else (flag.a, flag.b)
    mine_sha = flag.b_sha256 if flipped else flag.a_sha256
    other_pid = flag.a_participant if flipped else flag.b_participant
    return FlagView(
        flag=flag,
        mine=ours.get(mine) or by_sha.get(mine_sha or "", ""),
        mine_path=mine,
        other_path=other,
        other_who=names.get(other_pid, other_pid) if other_pid else "",
        other_sheet=sheets.get(other_pid) if other_pid and other_pid != proposal.participant_id else None,
        evidence=tuple((p.b, p.a) if flipped else (p.a, p.b) for p in flag.evidence),
    )


def sheet_html(entry: Entry, judge: Judge, edition: str, count: int) -> str:
    return render("packet_sheet.html.j2", entry=entry, judge=judge, edition=edition, count=count)


def index_html(judge: Judge, packet_id: str, edition: str, handed_at: str, rows: Sequence[Entry],
               criteria: Criteria, scoring: tuple[str, str], problems: Sequence[PacketProblem]) -> str:
    """The judge's page: their proposals with links, the criteria and scale, how to return the scores."""
    return render(
        "packet_index.html.j2",
        judge=judge,
        packet_id=packet_id,
        edition=edition,
        handed=local_time(handed_at),
        entries=rows,
        criteria=criteria,
        xlsx=scoring[0],
        csv=scoring[1],
        problems=problems,
    )
