"""`kipp --lang en` (or KIPP_LANG=en): every page and every error line a user reads is in English;
Indonesian stays the default, and what is sent to participants stays Indonesian, marked as such."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from flows.cli import KippGroup, main
from flows.reporting import screening_json
from flows.steps import RunConfig
from models.errors import ExitCode
from models.language import use_language
from tests.flows.test_cli_errors import _earlier_run, _one_line, _run_args, _workbook
from tests.flows.test_reporting import every_branch_screening, every_page

# Words of kipp's own Indonesian that no English page or line may keep. The pages are rendered from
# plain values (ids, file names such as a/in1.pdf, labels such as T1), so a word here came from a
# template or from kipp's code, never from a document.
INDONESIAN = frozenset("""
    ada adalah alasan alternatif asal atau baris baru beban belum berkas bukan dan daftar dari dengan dibuat
    dikarantina diperiksa diserahkan ditarik ditinjau dokumen dugaan duplikat edisi gagal galat halaman
    harus ini inovasi jenis jumlah juri kategori keahlian kelengkapan kelurahan keluaran keputusan keterangan keyakinan
    kinerja kirim kompetisi kontak koreksi kotak kriteria kunci kurang lain lama langkah lembar lengkap masuk nama nilai
    paket pelayanan pengembang penugasan penyaringan perangkat perhatian perlu pesan peserta pratinjau publik
    puskesmas rincian ringkasan sampai sebaran sekretariat skor sumber tanda tautan tema tetap tidak ukuran untuk
    versi yang
""".split())


class _OwnText(HTMLParser):
    """The words a reader of the page meets, minus command lines and file names (<code>, links to a
    packet's files) and what the page marks as Indonesian on purpose (lang="id": what a participant is sent)."""

    VOID = {"br", "meta", "img", "hr", "input", "link"}

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.html_lang: str | None = None
        self.stack: list[bool] = []  # per open element: is its text left out?
        self.words: set[str] = set()
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        if tag in self.VOID:
            return
        marked = tag != "html" and attributes.get("lang") == "id"
        left_out = any(self.stack) or tag in ("code", "style", "title") or marked
        self.stack.append(left_out)
        if not left_out and attributes.get("title"):
            self._add(attributes["title"])

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack):
            self._add(data)

    def _add(self, text: str) -> None:
        text = re.sub(r"\S+\.(pdf|docx|html|xlsx|csv|zip)\b", " ", text)  # a packet's file names, as links
        self.words |= {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


def test_every_page_in_english_keeps_no_indonesian_word_of_kipps_own(tmp_path: Path) -> None:
    with use_language("en"):
        english = every_page(tmp_path / "en")
    indonesian = every_page(tmp_path / "id")  # the default
    assert english.keys() == indonesian.keys() and len(english) >= 20
    for name, page in english.items():
        own = _OwnText(page)
        assert own.html_lang == "en", name
        assert not own.words & INDONESIAN, (name, sorted(own.words & INDONESIAN))
        default = _OwnText(indonesian[name])
        assert default.html_lang == "id", name
        assert len(default.words & INDONESIAN) >= 3, name  # the check can see what it looks for
    # Labels are kipp's own, in English; what is sent to a participant stays Indonesian, marked as such.
    assert "Urban village" in english["handed/completeness.html"]
    assert "Innovation proposal missing" in english["handed/pengingat.html"]
    assert '<pre lang="id">' in english["handed/pengingat.html"] and "Yth. Bapak/Ibu" in english["handed/pengingat.html"]
    assert "the file is no longer in the inbox" in english["packet/index.html"]
    assert 'lang="id"' not in indonesian["handed/pengingat.html"].split("<body>", 1)[1]


def test_a_word_left_in_indonesian_is_caught() -> None:
    page = ('<html lang="en"><body><p>3 peserta &middot; <code>paket/</code> <span lang="id">Mohon kirim</span>'
            '<span title="perlu diperiksa">x</span></p></body></html>')
    assert _OwnText(page).words & INDONESIAN == {"peserta", "perlu", "diperiksa"}


def test_screening_json_is_the_same_in_either_language() -> None:
    """It carries codes and what was recorded, never words of the language a run was asked for."""
    screening, at = every_branch_screening(), "2026-12-01T09:00:00+00:00"
    default = screening_json(screening, "2021", at)
    with use_language("en"):
        assert screening_json(screening, "2021", at) == default
    assert json.loads(default)["documents"][1]["detail"] == "PDF rusak atau terpotong"  # as recorded


# -- error lines through the command ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def earlier(tmp_path_factory) -> RunConfig:
    """An output folder a run of edition 2021 wrote, with its inbox and roster (only read here)."""
    return _earlier_run(tmp_path_factory.mktemp("earlier"))


def _bad_inbox(c: RunConfig, tmp: Path) -> tuple[list[str], dict]:
    args = _run_args(c)
    args[args.index("--inbox") + 1] = str(c.roster)
    return args, {}


def _missing_inbox(c: RunConfig, tmp: Path) -> tuple[list[str], dict]:
    args = _run_args(c)
    args[args.index("--inbox") + 1] = str(tmp / "nowhere")
    return args, {}


def _workbook_roster(c: RunConfig, tmp: Path) -> tuple[list[str], dict]:
    args = _run_args(c)
    args[args.index("--roster") + 1] = str(_workbook(tmp / "peserta.csv", "xlsx"))
    return args, {}


def _bad_rows(c: RunConfig, tmp: Path) -> tuple[list[str], dict]:
    roster = tmp / "roster.csv"
    roster.write_text("id,name,category\nx,SD Negeri 1,school\n", encoding="utf-8")
    args = _run_args(c, out=tmp / "out")
    args[args.index("--roster") + 1] = str(roster)
    return args, {}


# (scenario, exit code, what the Indonesian line says, what the English line says)
ERRORS = [
    (_bad_inbox, ExitCode.BAD_INPUT, "kotak masuk adalah berkas, bukan folder", "the inbox is a file, not a folder"),
    (_missing_inbox, ExitCode.BAD_INPUT, "folder kotak masuk tidak ada", "the inbox folder does not exist"),
    (_workbook_roster, ExitCode.BAD_INPUT, "roster harus CSV; simpan sebagai CSV dari Excel",
     "the roster must be CSV; save it as CSV from Excel"),
    (_bad_rows, ExitCode.BAD_INPUT, "baris 2: x: kategori 'school' tidak dikenal", "line 2: x: unknown category 'school'"),
    (lambda c, tmp: (_run_args(c), {"KIPP_WORKERS": "abc"}), ExitCode.BAD_INPUT,
     "KIPP_WORKERS='abc': harus bilangan bulat >= 1", "KIPP_WORKERS='abc': must be a whole number >= 1"),
    (lambda c, tmp: (_run_args(c, edition="2022"), {}), ExitCode.BAD_INPUT,
     "folder keluaran ini berisi edisi 2021, bukan 2022", "this output folder holds the edition 2021, not 2022"),
    (lambda c, tmp: (_run_args(c, out=c.roster), {}), ExitCode.OUTPUT, "adalah berkas, bukan folder",
     "is a file, not a folder"),
    (lambda c, tmp: (["themes", "correct", "smp-99", "kesehatan", "--out", str(c.out)], {}), ExitCode.BAD_INPUT,
     "peserta tidak dikenal: smp-99", "unknown participants: smp-99"),
    (lambda c, tmp: (["ledger", "rebuild", "--out", str(tmp)], {}), ExitCode.BAD_INPUT,
     "tidak ada ledger di sini; periksa --out", "no ledger here; check --out"),
]


@pytest.mark.parametrize(("scenario", "code", "indonesian", "english"), ERRORS)
@pytest.mark.parametrize("how", ["default", "--lang en", "KIPP_LANG=en", "KIPP_LANG=id"])
def test_error_lines_follow_the_language_and_keep_their_exit_code(earlier: RunConfig, tmp_path: Path, scenario,
                                                                  code: ExitCode, indonesian: str, english: str,
                                                                  how: str) -> None:
    args, env = scenario(earlier, tmp_path)
    if how == "--lang en":
        args = ["--lang", "en", *args]
    elif how.startswith("KIPP_LANG="):
        env = {**env, "KIPP_LANG": how.split("=")[1]}
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == code, result.output
    wanted, other = (english, indonesian) if how.endswith("en") else (indonesian, english)
    message = result.stderr  # one line; a roster's bad rows, one line each under it
    assert message.startswith("kipp: ") and wanted in message and other not in message, message
    assert "Traceback" not in result.output


def _failing_kipp(failure: BaseException) -> KippGroup:
    """The kipp command (its --lang too) with one more command that fails as asked."""
    group = KippGroup(name="kipp", params=main.params, callback=main.callback)

    @group.command("fail")
    def fail() -> None:
        raise failure

    return group


@pytest.mark.parametrize(("failure", "code", "indonesian", "english"), [
    (ZeroDivisionError("x"), ExitCode.FAILED, "kesalahan tak terduga di kipp (ZeroDivisionError: x)",
     "an unexpected error in kipp (ZeroDivisionError: x)"),
    (KeyboardInterrupt(), ExitCode.INTERRUPTED, "dihentikan (Ctrl-C)", "stopped (Ctrl-C)"),
    (click.exceptions.Exit(0), ExitCode.OK, None, None),
])
def test_the_error_boundary_speaks_the_language_of_lang(failure, code, indonesian, english) -> None:
    for args, wanted in ((["fail"], indonesian), (["--lang", "en", "fail"], english)):
        result = CliRunner().invoke(_failing_kipp(failure), args)
        assert result.exit_code == code
        if wanted is None:
            assert result.stderr == ""
        else:
            _one_line(result, wanted)


def test_a_watch_batch_runs_in_the_language_of_the_watcher() -> None:
    """kipp watch runs each batch in a thread of its own; the batch still writes in --lang's language."""
    from flows.watch import _off_main_thread
    from models.language import current_language

    seen: list[str] = []
    with use_language("en"):
        _off_main_thread(lambda: seen.append(current_language()))()
    _off_main_thread(lambda: seen.append(current_language()))()
    assert seen == ["en", "id"]


# -- help pages ------------------------------------------------------------------------------------------------

# Words of kipp's own English help that no Indonesian page may keep (click's metavars, PATH and TEXT, are left out
# with every upper-case name, as are command lines, paths and file names).
ENGLISH = frozenset("""
    and default every example exit file files folder from help of options output participants reports
    seconds show the this usage when with commands
""".split()) - {"folder"}  # "folder" is Indonesian as well; "judges" is a command


def _help_words(page: str) -> set[str]:
    """The words of a help page a reader meets, minus what is the same in both languages: the usage line,
    example command lines, option names, metavars and environment variables, paths and file names."""
    text = "\n".join(line for line in page.splitlines()
                     if not line.lstrip().startswith(("Usage:", "Pemakaian:", "Example:", "Contoh:", "kipp ")))
    text = re.sub(r"\[(default|bawaan):[^\]]*\]", r"\1", text)  # a default value is the same in both
    text = re.sub(r"`[^`]*`|--?[\w-]+|\S*[/_]\S*|\S+\.\w\S*|\b[A-Z][A-Z0-9]+\b", " ", text)
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


def _every_command(group: click.Group = main, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        found += _every_command(command, (*path, name)) if isinstance(command, click.Group) else [(*path, name)]
    return found


def test_every_help_page_is_in_english_with_lang_en_and_in_indonesian_by_default() -> None:
    commands = _every_command()
    assert len(commands) >= 25 and ("themes", "correct") in commands and ("ui",) in commands
    for command in commands:
        indonesian = CliRunner().invoke(main, [*command, "--help"], catch_exceptions=False)
        english = CliRunner().invoke(main, ["--lang", "en", *command, "--help"], catch_exceptions=False)
        assert indonesian.exit_code == english.exit_code == 0, command
        assert english.stdout.startswith("Usage: ") and "Options:" in english.stdout, command
        assert indonesian.stdout.startswith("Pemakaian: ") and "Opsi:" in indonesian.stdout, command
        words = _help_words(english.stdout)
        assert not words & INDONESIAN, (command, sorted(words & INDONESIAN))
        assert len(words & ENGLISH) >= 2, command  # the check can see what it looks for
        words = _help_words(indonesian.stdout)
        assert not words & ENGLISH, (command, sorted(words & ENGLISH))
        assert len(words & INDONESIAN) >= 2, command


@pytest.mark.parametrize(("args", "env"), [
    (["--lang", "en", "run", "--help"], {}),
    (["run", "--help"], {"KIPP_LANG": "en"}),
    (["--help", "--lang", "en"], {}),  # --help before --lang still waits for it
    (["--help"], {"KIPP_LANG": "en"}),
    ([], {"KIPP_LANG": "en"}),  # `kipp` alone prints its help before any option is read
])
def test_the_help_follows_lang_wherever_it_is_given(args: list[str], env: dict) -> None:
    page = CliRunner().invoke(main, args, env=env).output  # `kipp` alone: on stderr, exit 2
    assert page.startswith("Usage: ") and "Show this help and exit." in page, page
    assert "Pemakaian" not in page and "bantuan" not in page


def test_a_help_word_left_in_one_language_is_caught() -> None:
    page = "Pemakaian: kipp x [OPSI]\n\n  Saring the inbox.\n\n  Contoh: kipp run --out reports/\n"
    assert _help_words(page) == {"saring", "the", "inbox"}
