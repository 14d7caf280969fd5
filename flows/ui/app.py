"""`kipp ui`: a local web app over an output folder and its ledger, where admins read the last run and decide.

Pages read the last screening.json with the ledger's decisions laid over it, so a decision shows at
once; the next run reads the same decisions from the ledger. Every page works without script (the
participants table is searched, filtered and sorted on the server) and is rendered by a Jinja2
environment of its own, autoescaped and strict like the static reports', in the language kipp was
started with (`kipp --lang en ui`), like every message it answers. The guards are in security.py:
loopback only unless a password is set, a CSRF token in every form, and files served only from the
output folder's reports, quarantine copies and judges' packets and from the inbox's screened files.
The hand-off page's button runs `kipp handoff` (handoff.py).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import (
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from flows.reporting import REPORT_FILES
from flows.reporting.pages import environment, local_time
from flows.steps.context import OutputPaths
from flows.steps.report import quarantine_copy_path
from flows.ui.edition import (
    Decided,
    EditionCache,
    Flag,
    Query,
    QueryError,
    SortKey,
    decide,
    involving,
    natural_key,
    participant_rows,
)
from flows.ui.followup import ask, followups
from flows.ui.handoff import (
    PANEL,
    HandoffInputs,
    blocker,
    hand_off,
    handed_by,
    packet_path,
)
from flows.ui.security import (
    MAX_NAME,
    NAME_COOKIE,
    PAGE_POLICY,
    REPORT_POLICY,
    SESSION_COOKIE,
    Refused,
    Tokens,
    admin_name,
    attachment,
    host_name,
    is_loopback,
    local_target,
    password_ok,
    read_below,
    safe_parts,
)
from models.duplicates.flags import Decision, DuplicateKind
from models.errors import KippError
from models.language import current_language, say, use_language
from models.ledger import Ledger, StoredExtraction, ledger_error, ledger_exists, open_ledger
from models.records import (
    Blocker,
    Category,
    DocType,
    FileStatus,
    ParticipantStatus,
    ThemeSource,
)
from models.settings import Settings
from models.themes import Taxonomy, load_taxonomy

if TYPE_CHECKING:
    from jinja2 import Environment

HERE = Path(__file__).resolve().parent
COVER_CHARS = 3000  # of a cover page shown as a preview; a real one has a few hundred
MAX_NOTE = 500


@cache
def templates() -> Environment:
    """The app's own environment: every template autoescaped, a missing value fails the render, and
    every value printed has its control and format characters made visible, as in the static reports."""
    from jinja2 import FileSystemLoader

    env = environment(FileSystemLoader(HERE / "templates"))
    env.filters["anchor"] = lambda key: "d-" + hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    env.filters["local_time"] = local_time
    env.filters["seg"] = lambda value: quote(str(value), safe="")  # one path segment: a `/` in an id stays in it
    env.globals.update(Category=Category, ParticipantStatus=ParticipantStatus, FileStatus=FileStatus,
                       DuplicateKind=DuplicateKind, Flag=Flag, SortKey=SortKey, Decision=Decision, DocType=DocType,
                       Blocker=Blocker)
    return env


@dataclass(frozen=True, slots=True)
class Site:
    """What every request of one app shares: the folders, the guard's secrets, the taxonomy, the
    language of its pages and what a hand-off is given."""

    out: Path
    inbox: Path | None
    password: str | None
    tokens: Tokens
    taxonomy: Taxonomy
    editions: EditionCache
    lang: str
    handoff: HandoffInputs

    @property
    def paths(self) -> OutputPaths:
        return OutputPaths(self.out)

    @contextmanager
    def ledger(self) -> Iterator[Ledger | None]:
        """The ledger, opened for one request (None before the first run); each write in it is one
        short transaction, so a `kipp run` writing at the same time waits milliseconds at most."""
        path, settings = self.paths.ledger, self.handoff.settings or Settings.from_env()
        if not ledger_exists(path, settings):
            yield None
            return
        try:
            with open_ledger(path, settings) as ledger:
                yield ledger
        except sqlite3.Error as e:
            raise ledger_error(path, e) from e

    async def write(self, write: Callable[[Ledger], None]) -> None:
        """One decision written to the ledger, off the event loop; refused before the first run."""

        def run() -> None:
            with self.ledger() as ledger:
                if ledger is None:
                    raise Refused(409, say(f"{self.paths.ledger}: belum ada ledger; jalankan kipp run dulu",
                                           f"{self.paths.ledger}: no ledger yet; run kipp run first"))
                write(ledger)

        await run_in_threadpool(run)

    def decided(self) -> Decided:
        edition = self.editions.get()
        with self.ledger() as ledger:
            flags = ledger.duplicate_decision_records() if ledger else {}
            themes = ledger.theme_correction_records() if ledger else {}
        return decide(edition, self.taxonomy, flags, themes)


def create_app(out: Path, inbox: Path | None, password: str | None, lang: str | None = None,
               handoff: HandoffInputs | None = None) -> FastAPI:
    """The admin web app over `out` (and `inbox`, for downloading a screened original and for the
    hand-off); `password` set: every request needs it (HTTP basic, any user name), and any Host is
    answered. Its pages speak `lang` (default: the language in use now, `kipp --lang`); `handoff`: the
    roster, prior edition and panel the hand-off button runs with, as `kipp handoff` is given them."""
    site = Site(Path(out), Path(inbox) if inbox else None, password or None, Tokens.fresh(),
                load_taxonomy(Settings.from_env().taxonomy), EditionCache(OutputPaths(Path(out)).screening),
                lang or current_language(), handoff or HandoffInputs())
    app = FastAPI(title="kipp", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.site = site
    app.middleware("http")(_guard)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(KippError, _kipp_error)
    app.add_exception_handler(Refused, _refused)
    for path, handler, methods in ROUTES:
        app.add_api_route(path, handler, methods=methods, response_class=HTMLResponse, include_in_schema=False)
    return app


# -- every request ------------------------------------------------------------------------------


async def _guard(request: Request, call_next: Callable) -> Response:
    """Host and password first; then a session id for the CSRF tokens, and the headers every answer carries."""
    site: Site = request.app.state.site
    with use_language(site.lang):  # the request's handlers, and the threads they use, copy it
        return await _guarded(request, call_next, site)


async def _guarded(request: Request, call_next: Callable, site: Site) -> Response:
    if site.password is None and not is_loopback(host_name(request.headers.get("host", ""))):
        # Without a password only this machine may ask: a page on another site that resolves its
        # own name to 127.0.0.1 (DNS rebinding) names that site in Host and is refused here.
        return PlainTextResponse(say("Host tidak diizinkan: kipp ui tanpa KIPP_UI_PASSWORD hanya melayani 127.0.0.1",
                                     "Host not allowed: kipp ui without KIPP_UI_PASSWORD serves 127.0.0.1 only"),
                                 status_code=403)
    if site.password is not None and not password_ok(request.headers.get("authorization"), site.password):
        return PlainTextResponse(say("Perlu kata sandi (KIPP_UI_PASSWORD)", "A password is needed (KIPP_UI_PASSWORD)"),
                                 status_code=401, headers={"WWW-Authenticate": 'Basic realm="kipp", charset="UTF-8"'})
    session = request.cookies.get(SESSION_COOKIE, "")
    fresh = not Tokens.is_session(session)
    request.state.session = Tokens.new_session() if fresh else session
    response = await call_next(request)
    if fresh:
        response.set_cookie(SESSION_COOKIE, request.state.session, httponly=True, samesite="strict", path="/")
    response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _site(request: Request) -> Site:
    return request.app.state.site


def _admin(request: Request) -> str | None:
    return admin_name(unquote(request.cookies.get(NAME_COOKIE, "")))


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _page(request: Request, template: str, status: int = 200, **context: object) -> HTMLResponse:
    common = {
        "csrf": _site(request).tokens.for_session(request.state.session),
        "admin": _admin(request),
        "here": _here(request),
        "path": request.url.path,
    }
    return HTMLResponse(templates().get_template(template).render(**common, **context), status_code=status)


def _error(request: Request, status: int, message: str) -> HTMLResponse:
    return _page(request, "error.html.j2", status=status, status_code=status, message=message)


async def _http_error(request: Request, exc: HTTPException) -> Response:
    words = {404: say("Halaman tidak ada", "No such page"),
             405: say("Cara meminta ini tidak didukung", "This way of asking is not supported")}
    return _error(request, exc.status_code, words.get(exc.status_code, str(exc.detail)))


async def _kipp_error(request: Request, exc: KippError) -> Response:
    """A bad query parameter is the asker's (400); a missing report or a locked ledger is the folder's (503)."""
    return _error(request, 400 if isinstance(exc, QueryError) else 503, str(exc))


async def _refused(request: Request, exc: Refused) -> Response:
    return _error(request, exc.status, str(exc))


class _Forbidden(Refused):
    def __init__(self) -> None:
        super().__init__(403, say("Token formulir tidak cocok (halaman lama, atau formulir dari situs lain); "
                                  "muat ulang halaman lalu ulangi. Tidak ada yang disimpan.",
                                  "The form's token does not match (an old page, or a form from another site); "
                                  "load the page again and repeat. Nothing was saved."))


async def _form(request: Request) -> dict[str, str]:
    """The posted fields, once the form's CSRF token is checked; nothing is read from a form without one."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if not _site(request).tokens.valid(request.cookies.get(SESSION_COOKIE), fields.get("csrf")):
        raise _Forbidden()
    return fields


def _ask_name(back: str) -> RedirectResponse:
    return RedirectResponse("/nama?" + urlencode({"kembali": back}), status_code=303)


# -- pages --------------------------------------------------------------------------------------


def overview(request: Request) -> Response:
    decided = _site(request).decided()
    edition = decided.edition
    by_category = {c: Counter() for c in Category}
    for r in decided.participants:
        by_category[r.participant.category][r.status] += 1
    statuses = Counter(r.status for r in decided.participants)
    theme_counts: dict[str, Counter] = {}
    labels: dict[str, str] = {}
    for r in decided.participants:
        if r.theme:
            labels[r.theme.theme] = r.theme.theme_label
            theme_counts.setdefault(r.theme.theme, Counter())[r.participant.category] += 1
    themes = sorted(((t, labels[t], c, sum(c.values())) for t, c in theme_counts.items()), key=lambda x: (-x[3], x[1]))
    kinds = {kind: Counter() for kind in DuplicateKind}
    for f in decided.flags:
        kinds[f.kind][f.decision.value if f.decision else "open"] += 1
    return _page(
        request, "overview.html.j2",
        edition=edition,
        categories=[(c, n) for c, n in by_category.items() if n],
        statuses=statuses,
        files=Counter(o.status for o in edition.documents),
        themes=themes,
        theme_top=max((t[3] for t in themes), default=1),
        kinds=[(k, n) for k, n in kinds.items() if n],
        open_flags=sum(1 for f in decided.flags if f.decision is None),
        to_review=sum(1 for r in decided.participants if r.theme and r.theme.needs_review
                      and r.theme.theme_source is ThemeSource.MODEL),
        needs_review=sum(1 for r in decided.participants if r.review),
    )


def participants(request: Request) -> Response:
    site = _site(request)
    decided = site.decided()
    query = Query.parse(request.query_params, site.taxonomy)
    rows = participant_rows(decided, query)
    return _page(request, "participants.html.j2", edition=decided.edition, rows=rows, query=query,
                 total=len(decided.participants), taxonomy=site.taxonomy)


def participant(request: Request, pid: str) -> Response:
    site = _site(request)
    decided = site.decided()
    result = decided.participant(pid)
    if result is None:
        raise Refused(404, say(f"{pid}: tidak ada peserta dengan id ini di laporan terakhir",
                               f"{pid}: no participant with this id in the last report"))
    documents = [o for o in decided.edition.documents if o.participant_id == pid]
    with site.ledger() as ledger:
        shas = {o.sha256 for o in documents if o.sha256 and o.status is not FileStatus.QUARANTINED}
        stored = ledger.extractions(shas) if ledger else {}
    parent = decided.participant(result.participant.parent_id) if result.participant.parent_id else None
    return _page(
        request, "participant.html.j2",
        edition=decided.edition, r=result, parent=parent,
        documents=[(o, ask(o.reason), _cover(stored.get(o.sha256 or ""))) for o in documents],
        flags=involving(decided.flags, pid), names=decided.names(),
        decisions=decided.flag_decisions, correction=decided.theme_decisions.get(pid),
        taxonomy=site.taxonomy, downloadable=_downloadable(site),
    )


def _cover(stored: StoredExtraction | None) -> tuple[str, ...]:
    """A cover page's lines (the page prints each line as a line; a control character in one stays visible)."""
    if stored is None or stored.extraction is None:
        return ()
    cover = stored.extraction.cover.strip()
    if len(cover) > COVER_CHARS:
        cover = cover[:COVER_CHARS] + " …"
    return tuple(cover.split("\n"))


def _downloadable(site: Site) -> Callable[[object], bool]:
    """Whether a document's bytes can be had: its original in the inbox, or its quarantine copy."""
    return lambda o: site.inbox is not None or o.status is FileStatus.QUARANTINED


def quarantine(request: Request) -> Response:
    site = _site(request)
    decided = site.decided()
    ordered = tuple(sorted(decided.participants, key=lambda r: natural_key(r.participant.name)))
    return _page(request, "quarantine.html.j2", edition=decided.edition,
                 groups=followups(decided.edition.documents, ordered), downloadable=_downloadable(site))


def duplicates(request: Request) -> Response:
    decided = _site(request).decided()
    kind, state = request.query_params.get("jenis", ""), request.query_params.get("keputusan", "")
    states = {"": say("semua", "all"), "terbuka": say("belum diputuskan", "not decided yet"),
              **{d.value: d.text(current_language()) for d in Decision}}
    if (kind and kind not in {k.value for k in DuplicateKind}) or state not in states:
        kinds = ", ".join(k.value for k in DuplicateKind)
        raise QueryError(say(f"parameter tidak dikenal: jenis={kind!r} keputusan={state!r} (pilihan jenis: {kinds}; "
                             f"keputusan: {', '.join(s for s in states if s)})",
                             f"unknown parameters: jenis={kind!r} keputusan={state!r} (choices of jenis: {kinds}; "
                             f"of keputusan: {', '.join(s for s in states if s)})"))
    flags = [f for f in decided.flags
             if (not kind or f.kind.value == kind)
             and (not state or (f.decision.value if f.decision else "terbuka") == state)]
    return _page(request, "duplicates.html.j2", edition=decided.edition, flags=flags, total=len(decided.flags),
                 names=decided.names(), decisions=decided.flag_decisions, kind=kind, state=state, states=states)


def themes(request: Request) -> Response:
    site = _site(request)
    decided = site.decided()
    review = [r for r in decided.participants
              if r.theme and r.theme.needs_review and r.theme.theme_source is ThemeSource.MODEL]
    review.sort(key=lambda r: (r.theme.theme_confidence, natural_key(r.participant.name)))
    corrected = [(r, decided.theme_decisions[r.participant.id]) for r in decided.participants
                 if r.participant.id in decided.theme_decisions]
    corrected.sort(key=lambda pair: pair[1].decided_at, reverse=True)
    return _page(request, "themes.html.j2", edition=decided.edition, review=review, corrected=corrected,
                 taxonomy=site.taxonomy)


def judging(request: Request) -> Response:
    """The judging state: the panel, the assignment per judge and per proposal, who is short of judges
    and why, what was withdrawn, whether and when it was handed out (and by whom), and the button."""
    site = _site(request)
    decided = site.decided()
    judging = decided.edition.judging
    with site.ledger() as ledger:
        by = handed_by(ledger, judging)
        stored = ledger is not None and ledger.meta(PANEL) is not None
    names = decided.names()
    judges = {j.id: j for j in judging.judges} if judging else {}
    assignments = judging.assignments if judging else ()
    unassigned = judging.unassigned if judging else ()
    per_proposal: dict[str, list] = {}
    for a in assignments:
        per_proposal.setdefault(a.participant_id, []).append(a)
    return _page(
        request, "judging.html.j2",
        edition=decided.edition, judging=judging, judges=judges, names=names,
        per_judge={j: [a for a in assignments if a.judge_id == j] for j in judges},
        per_proposal=sorted(per_proposal.items(), key=lambda item: natural_key(names.get(item[0], item[0]))),
        short=[u for u in unassigned if u.reason is not Blocker.NOT_COMPLETE],
        waiting=[u for u in unassigned if u.reason is Blocker.NOT_COMPLETE],
        new=sum(1 for a in assignments if not a.frozen),
        handed_by=by, packets={j for j in judges if _is_file(site.out / packet_path(j))},
        blocked=blocker(site.inbox, site.handoff, stored),
        expertise=lambda theme: site.taxonomy.label(theme) if theme in site.taxonomy else theme,
    )


def scores(request: Request) -> Response:
    """The judges' scores back (`kipp scores import`): who returned a sheet and who not yet, the Top-N,
    what the judges disagree on, and the ranking; the full report is ranking.html."""
    from flows.scores import load_scoring

    site = _site(request)
    decided = site.decided()
    with site.ledger() as ledger:
        scoring = load_scoring(ledger, {r.participant.id: (r.participant.name, r.participant.category.value)
                                        for r in decided.participants}) if ledger else None
        frozen = ledger.frozen_assignments() if ledger else {}
    returned = set(scoring.sources) if scoring else set()
    expected = sorted({j for j, _ in frozen})
    return _page(request, "scores.html.j2", edition=decided.edition, scoring=scoring,
                 waiting=[j for j in expected if j not in returned],
                 sheets=[(s, local_time(s.imported_at)) for s in (scoring.sheets if scoring else ())
                         if s.superseded_at is None],
                 report=_is_file(site.out / REPORT_FILES["ranking_html"]))


def _is_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def packet(request: Request, judge_id: str) -> Response:
    """A judge's packet zip, by the judge's id in the last report; its path is the hand-off step's own
    name for it, read below the output folder as every file here (no link followed)."""
    site = _site(request)
    judging = site.editions.get().judging
    if judging is None or judge_id not in {j.id for j in judging.judges}:
        raise Refused(404, say(f"{judge_id}: tidak ada juri dengan id ini di laporan terakhir",
                               f"{judge_id}: no judge with this id in the last report"))
    rel = packet_path(judge_id)
    return Response(read_below(site.out, rel), media_type="application/zip",
                    headers={"Content-Disposition": attachment(rel.rsplit("/", 1)[-1])})


def name_form(request: Request) -> Response:
    return _page(request, "name.html.j2", back=local_target(request.query_params.get("kembali")))


# -- decisions ----------------------------------------------------------------------------------


async def save_name(request: Request) -> Response:
    fields = await _form(request)
    name = admin_name(fields.get("nama", ""))
    back = local_target(fields.get("kembali"))
    if name is None:
        return _page(request, "name.html.j2", status=400, back=back,
                     problem=say(f"Nama harus diisi, satu baris, paling banyak {MAX_NAME} huruf.",
                                 f"The name must be filled in, one line, at most {MAX_NAME} characters."))
    response = RedirectResponse(back, status_code=303)
    # A cookie of the browser session (no expiry): asked again when the browser is closed.
    response.set_cookie(NAME_COOKIE, quote(name), httponly=True, samesite="strict", path="/")
    return response


@dataclass(frozen=True, slots=True)
class _Posted:
    """A decision's form, its CSRF token checked, with the page to go back to and the admin who decides."""

    site: Site
    fields: dict[str, str]
    back: str
    name: str


async def _decision(request: Request, default_back: str) -> _Posted | RedirectResponse:
    """What every decision starts with: the checked form, and the admin's name, asked for first when
    this browser session has none (the redirect to return)."""
    fields = await _form(request)
    back = local_target(fields.get("kembali"), default_back)
    name = _admin(request)
    if name is None:
        return _ask_name(back)
    return _Posted(_site(request), fields, back, name)


async def decide_duplicate(request: Request) -> Response:
    posted = await _decision(request, "/duplikat")
    if isinstance(posted, Response):
        return posted
    fields, site = posted.fields, posted.site
    key, value = fields.get("kunci", ""), fields.get("keputusan", "")
    note = " ".join(fields.get("catatan", "").split())[:MAX_NOTE] or None
    if key not in {f.key for f in site.editions.get().flags}:
        raise Refused(400, say(f"{key}: tidak ada dugaan duplikat dengan kunci ini di laporan terakhir; "
                               "tidak ada yang disimpan",
                               f"{key}: no possible duplicate with this key in the last report; nothing was saved"))
    if value not in {d.value for d in Decision}:
        raise Refused(400, say(f"keputusan={value!r}: pilih confirmed atau dismissed; tidak ada yang disimpan",
                               f"keputusan={value!r}: choose confirmed or dismissed; nothing was saved"))
    await site.write(lambda ledger: ledger.save_duplicate_decision(key, value, note, by=posted.name))
    return RedirectResponse(f"{posted.back}#{templates().filters['anchor'](key)}", status_code=303)


async def correct_theme(request: Request) -> Response:
    posted = await _decision(request, "/tema")
    if isinstance(posted, Response):
        return posted
    fields, site = posted.fields, posted.site
    pid, typed = fields.get("peserta", ""), fields.get("tema", "")
    if site.editions.get().participant(pid) is None:
        raise Refused(400, say(f"peserta tidak dikenal: {pid} (tidak ada di laporan terakhir); tidak ada yang disimpan",
                               f"unknown participant: {pid} (not in the last report); nothing was saved"))
    theme = site.taxonomy.resolve(typed)
    if theme is None:
        raise Refused(400, say(f"{typed}: tema tidak dikenal di taksonomi {site.taxonomy.name or 'bawaan'}; yang ada: "
                               f"{', '.join(site.taxonomy.ids)}; tidak ada yang disimpan",
                               f"{typed}: not a theme of the taxonomy {site.taxonomy.name or '(default)'}; its "
                               f"themes: {', '.join(site.taxonomy.ids)}; nothing was saved"))
    await site.write(lambda ledger: ledger.save_theme_corrections({pid: theme}, source="kipp ui", by=posted.name))
    return RedirectResponse(posted.back, status_code=303)


async def handoff(request: Request) -> Response:
    """`kipp handoff` from the judging page: screen the inbox, freeze the assignment, write the packets;
    the ledger keeps when (the hand-off step) and who (here)."""
    posted = await _decision(request, "/juri")
    if isinstance(posted, Response):
        return posted
    site = posted.site
    edition = site.editions.get()
    await run_in_threadpool(hand_off, site.out, site.inbox, site.handoff, edition.edition, posted.name)
    return RedirectResponse("/juri#penyerahan", status_code=303)


# -- files --------------------------------------------------------------------------------------


def download(request: Request) -> Response:
    """A document that screening.json lists: its original from the inbox (only the bytes that were
    screened), else the quarantine copy in the output folder. No other path is ever opened."""
    site = _site(request)
    rel = request.query_params.get("path", "")
    o = site.editions.get().document(rel)
    if o is None:
        raise Refused(404, say(f"{rel}: tidak ada di laporan terakhir", f"{rel}: not in the last report"))
    safe_parts(o.path)
    if site.inbox is not None and o.sha256:
        data = read_below(site.inbox, o.path, o.sha256)
    elif o.status is FileStatus.QUARANTINED:
        copy = quarantine_copy_path(site.out, o).relative_to(site.out).as_posix()
        data = read_below(site.out, copy, o.sha256)
    else:
        raise Refused(404, say(f"{o.path}: berkas asli hanya dapat diunduh bila kipp ui dijalankan dengan --inbox",
                               f"{o.path}: an original can be downloaded only when kipp ui is started with --inbox"))
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": attachment(o.path.rsplit("/", 1)[-1])})


_REPORT_TYPES = {".html": "text/html; charset=utf-8", ".json": "application/json", ".csv": "text/csv; charset=utf-8",
                 ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def report(request: Request, name: str) -> Response:
    """A report file a run wrote at the top of the output folder, by its name in REPORT_FILES; a link
    in its place is refused."""
    if name not in set(REPORT_FILES.values()):
        raise Refused(404, say(f"{name}: bukan laporan kipp", f"{name}: not a kipp report"))
    data = read_below(_site(request).out, name)
    suffix = Path(name).suffix
    headers = {"Content-Security-Policy": REPORT_POLICY}
    if suffix not in (".html", ".json"):
        headers["Content-Disposition"] = attachment(name)
    return Response(data, media_type=_REPORT_TYPES.get(suffix, "application/octet-stream"), headers=headers)


def stylesheet(request: Request) -> Response:
    return Response(_css(), media_type="text/css")


@cache
def _css() -> bytes:
    return (HERE / "static" / "kipp.css").read_bytes()


ROUTES: tuple[tuple[str, Callable, list[str]], ...] = (
    ("/", overview, ["GET"]),
    ("/peserta", participants, ["GET"]),
    ("/peserta/{pid}", participant, ["GET"]),
    ("/karantina", quarantine, ["GET"]),
    ("/duplikat", duplicates, ["GET"]),
    ("/duplikat", decide_duplicate, ["POST"]),
    ("/tema", themes, ["GET"]),
    ("/tema", correct_theme, ["POST"]),
    ("/juri", judging, ["GET"]),
    ("/juri", handoff, ["POST"]),
    ("/paket/{judge_id}", packet, ["GET"]),
    ("/nilai", scores, ["GET"]),
    ("/nama", name_form, ["GET"]),
    ("/nama", save_name, ["POST"]),
    ("/berkas", download, ["GET"]),
    ("/laporan/{name}", report, ["GET"]),
    ("/static/kipp.css", stylesheet, ["GET"]),
)
