"""The admin web app's guards: who may ask (host, password), which forms count (CSRF), and which
files may leave the machine (only report files and quarantine copies of the output folder, and the
inbox's files that screening.json lists, each opened without following any link)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from models.inbox import open_regular
from models.language import say

SESSION_COOKIE = "kipp_sesi"
NAME_COOKIE = "kipp_admin"
MAX_NAME = 80
# A download is read whole before it is sent, to check its sha256 against what was screened.
MAX_DOWNLOAD = 256 << 20

# Every page: no script at all, styles from the app's own stylesheet, forms posting only here, no framing.
PAGE_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
               "frame-ancestors 'none'; base-uri 'none'")
# The static reports carry their style sheet inline; they still run nothing.
REPORT_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; "
                 "form-action 'none'")


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: an address only this machine reaches."""
    host = host.strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The host part of a Host header (`127.0.0.1:8765`, `[::1]:8765`, `localhost`)."""
    header = header.strip()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def password_ok(authorization: str | None, password: str) -> bool:
    """HTTP basic: any user name, this password; compared in constant time."""
    if not authorization or not authorization.lower().startswith("basic "):
        return False
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    _, sep, given = decoded.partition(":")
    return bool(sep) and hmac.compare_digest(given.encode("utf-8"), password.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class Tokens:
    """CSRF tokens bound to a browser session: an HMAC of the session id under a secret the process
    draws at start. A page from before a restart must be loaded again; a form from another site has
    no session id to bind to (the cookie is SameSite=Strict and HttpOnly)."""

    secret: bytes

    @classmethod
    def fresh(cls) -> Tokens:
        return cls(secrets.token_bytes(32))

    @staticmethod
    def new_session() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def is_session(value: str) -> bool:
        """What new_session makes: 43 characters of the URL-safe base64 alphabet (anything else is replaced)."""
        return len(value) == 43 and value.isascii() and value.replace("-", "").replace("_", "").isalnum()

    def for_session(self, session: str) -> str:
        return hmac.new(self.secret, session.encode("ascii", "replace"), hashlib.sha256).hexdigest()

    def valid(self, session: str | None, token: str | None) -> bool:
        if not session or not token:
            return False
        return hmac.compare_digest(self.for_session(session).encode(), token.encode("utf-8", "replace"))


def admin_name(value: str) -> str | None:
    """An admin's name as typed: trimmed, printable, at most MAX_NAME characters; None if unusable."""
    name = " ".join(value.split())
    if not name or len(name) > MAX_NAME or not name.isprintable():
        return None
    return name


def local_target(value: str | None, default: str = "/") -> str:
    """Where to go back after a form: a path of this app only (no scheme, no `//host`, no backslash)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or any(
            ord(ch) < 0x20 for ch in value):
        return default
    return value


class Refused(Exception):
    """A file the app will not serve; the message says why, in Indonesian."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def safe_parts(rel: str) -> str:
    """A relative path the app may open below a folder: no empty, `.` or `..` part, no absolute path,
    nothing hidden (kipp's own `.kipp/` stays private). Raises Refused."""
    parts = rel.split("/")
    if not rel or rel.startswith("/") or "\x00" in rel or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        raise Refused(404, say(f"{rel}: bukan berkas yang dapat diunduh dari sini",
                              f"{rel}: not a file that can be downloaded from here"))
    return rel


def read_below(root: Path, rel: str, sha256: str | None = None) -> bytes:
    """The bytes of the regular file at `rel` below `root`, read through one descriptor that follows
    no link on the way (a link in the output folder or the inbox is refused, wherever it points).
    With `sha256`, only the content that was screened is given. Raises Refused."""
    safe_parts(rel)
    try:
        with open_regular(root, rel) as (fd, st):
            if st.st_size > MAX_DOWNLOAD:
                raise Refused(413, say(f"{rel}: terlalu besar untuk diunduh dari aplikasi ({st.st_size} byte); "
                                       "ambil dari foldernya",
                                       f"{rel}: too large to download from the app ({st.st_size} bytes); "
                                       "take it from its folder"))
            data = _read_all(fd)
    except Refused:
        raise
    except OSError as e:
        why = e.strerror or type(e).__name__
        raise Refused(404, say(f"{rel}: tidak dapat dibuka ({why}); bukan berkas biasa, tautan, atau sudah tidak ada",
                               f"{rel}: cannot be opened ({why}); not a regular file, a link, or gone")) from e
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise Refused(409, say(f"{rel}: isinya berubah sejak disaring; jalankan kipp run lalu coba lagi",
                               f"{rel}: its content changed since it was screened; run kipp run, then try again"))
    return data


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def attachment(name: str) -> str:
    """A Content-Disposition that saves under the file's own name and never renders it in the page."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in name) or "berkas"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"

