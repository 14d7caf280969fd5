"""What one intake run holds: its inputs, its settings, where it writes, the open ledger and the roster."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flows.packets import Criteria
from flows.reporting import REPORT_FILES
from models.ledger import Ledger, StoredExtraction
from models.records import FileStatus, InboxItem, Judge, JudgeAssignment, Withdrawal
from models.roster import Roster
from models.screening import Screening
from models.settings import Settings


@dataclass(frozen=True, slots=True)
class OutputPaths:
    """Every path kipp writes under an output folder; nothing else spells these names."""

    root: Path

    @property
    def ledger(self) -> Path:
        return self.root / "ledger.sqlite"

    @property
    def state(self) -> Path:
        """kipp's own files (models, caches, the quarantine manifest, Prefect's home): not for admins."""
        return self.root / ".kipp"

    @property
    def theme_model(self) -> Path:
        return self.state / "theme_model.pickle"

    @property
    def duplicates_cache(self) -> Path:
        return self.state / "duplicates.pickle"

    @property
    def quarantine(self) -> Path:
        return self.root / "karantina"

    @property
    def notes(self) -> Path:
        """Beside karantina/, never inside it: no inbox name can collide with a note."""
        return self.root / "karantina-alasan"

    @property
    def notes_index(self) -> Path:
        return self.notes / "daftar.txt"

    @property
    def manifest(self) -> Path:
        """Every file kipp wrote in karantina/ and karantina-alasan/; nothing else there is ever deleted."""
        return self.state / "karantina-manifest.json"

    @property
    def last_error(self) -> Path:
        return self.state / "last-error.txt"

    @property
    def screening(self) -> Path:
        return self.root / REPORT_FILES["screening"]

    @property
    def lock(self) -> Path:
        """One writer per output folder (flows/lock.py)."""
        return self.state / "writer.lock"

    @property
    def packets(self) -> Path:
        """One folder and one zip per judge (flows/packets)."""
        return self.root / "paket"

    @property
    def holds_a_run(self) -> bool:
        """An earlier run wrote here (a ledger or screening.json); a mistyped --out holds none."""
        return self.ledger.exists() or self.screening.exists()


@dataclass(frozen=True, slots=True)
class PanelFiles:
    """The hand-off's inputs as given on the command line."""

    judges: Path | None = None  # None: the panel of the last hand-off, if there was one
    conflicts: Path | None = None  # declared conflicts, judge_id,participant_id
    criteria: Path | None = None  # the judging criteria; None: Kota Malang's five
    per_proposal: int | None = None  # K judges per proposal; None: the last hand-off's, else 2


@dataclass(frozen=True, slots=True)
class Panel:
    """The judges, their declared conflicts, K and the judging criteria, checked against the roster
    and the taxonomy (flows/steps/judges.py reads them)."""

    judges: tuple[Judge, ...]
    declared: frozenset[tuple[str, str]]
    per_proposal: int
    criteria: Criteria


@dataclass(frozen=True, slots=True)
class RunConfig:
    inbox: Path
    roster: Path
    out: Path
    edition: str
    settings: Settings = field(default_factory=Settings.from_env)
    prior: Path | None = None  # earlier editions: a folder of proposals or a previous run's ledger
    panel: PanelFiles = field(default_factory=PanelFiles)
    handoff: bool = False  # `kipp handoff`: freeze the assignment and write the judges' packets

    @property
    def paths(self) -> OutputPaths:
        return OutputPaths(self.out)

    @property
    def ledger_path(self) -> Path:
        return self.paths.ledger

    @property
    def theme_model_path(self) -> Path:
        return self.paths.theme_model


@dataclass(frozen=True, slots=True)
class Handoff:
    """What one `kipp handoff` did, for its summary."""

    handed_at: str
    new: tuple[JudgeAssignment, ...]  # handed out now
    withdrawn: tuple[Withdrawal, ...]  # taken back now
    packets: dict[str, Path]  # judge id -> the packet's zip
    problems: tuple[str, ...] = ()  # files that could not go into a packet, and why


@dataclass(frozen=True, slots=True)
class RunResult:
    """What a run did: the one shape `run_once`, the Prefect flow, `kipp run` and `kipp watch` share."""

    screening: Screening
    reports: dict[str, Path]
    files_seen: int
    files_extracted: int
    seconds: dict[str, float]
    handoff: Handoff | None = None  # `kipp handoff`: what it handed out

    @property
    def internal_errors(self) -> int:
        """> 0: kipp failed on some files; the CLI exits 6."""
        return self.screening.internal_errors


@dataclass(slots=True, eq=False)
class Run:
    """One run's context, handed to every step: the inputs, the settings (read once), the output paths,
    the ledger (opened once) and the roster (parsed once); the steps fill in the rest in order."""

    config: RunConfig
    ledger: Ledger
    roster: Roster
    panel: Panel | None = None  # the judges, when there are any (flows/steps/judges.py)
    handoff: Handoff | None = None  # what the hand-off step did
    items: list[InboxItem] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)  # inbox path -> sha256
    files_extracted: int = 0
    screening: Screening | None = None
    reports: dict[str, Path] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    _texts: dict[str, StoredExtraction] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.config.settings

    @property
    def paths(self) -> OutputPaths:
        return self.config.paths

    def texts(self, shas) -> dict[str, StoredExtraction]:
        """The stored texts of these contents, read from the ledger (and decompressed) once per run:
        the themes and duplicates steps share them."""
        wanted = set(shas)
        missing = wanted - self._texts.keys()
        if missing:
            self._texts.update(self.ledger.extractions(missing, with_text=True))
        return {sha: self._texts[sha] for sha in wanted if sha in self._texts}

    def accepted_texts(self) -> dict[str, StoredExtraction]:
        """The texts of every accepted document, read in one go."""
        assert self.screening is not None
        return self.texts({o.sha256 for o in self.screening.documents if o.status is FileStatus.ACCEPTED and o.sha256})

    def forget_texts(self) -> None:
        """Let the texts go once the steps that read them are done."""
        self._texts.clear()

    def result(self) -> RunResult:
        assert self.screening is not None, "the run has not decided yet"
        return RunResult(self.screening, self.reports, len(self.items), self.files_extracted, self.seconds, self.handoff)
