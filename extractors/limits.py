"""The DOCX package guard, under the limits that keep one hostile file from exhausting the machine.

`Limits` itself lives with the other settings in models/settings.py; it is re-exported here.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile

from models.errors import ExtractionError
from models.records import Reason
from models.settings import Limits

__all__ = ["Limits", "check_docx_package"]


_CHUNK = 1 << 20
_MB = 1 << 20
# A DOCX never carries a DTD; one in a part is an entity bomb or an attempt to read other files.
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")
_DTD_TEXT = ("<!doctype", "<!entity")
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_REFUSED_ENCODING = "DOCX yang sah hanya memakai UTF-8 atau UTF-16 (ECMA-376 bagian 2)"


def check_docx_package(data: bytes, limits: Limits) -> None:
    """Refuse zip bombs, DTDs and ambiguous packages before python-docx parses anything.

    Declared sizes are checked first, then every part that python-docx parses as XML (by its name
    or by the content type [Content_Types].xml gives it, whatever the name) is inflated in chunks,
    decoded as its BOM or declaration says, and counted: a part that lies about its size is caught
    after at most one chunk past its limit, a DTD in UTF-16 as surely as one in UTF-8.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > limits.docx_entries:
                raise ExtractionError(Reason.ZIP_BOMB, f"DOCX berisi {len(infos)} bagian (batas {limits.docx_entries})")
            _refuse_duplicates(infos)
            declared = sum(i.file_size for i in infos)
            if declared > limits.docx_total_mb * _MB:
                raise ExtractionError(
                    Reason.ZIP_BOMB,
                    f"DOCX mengembang menjadi {declared // _MB} MB (batas {limits.docx_total_mb} MB)",
                )
            for info in infos:
                if info.file_size > 10 * _MB and info.file_size > limits.docx_ratio * max(info.compress_size, 1):
                    raise ExtractionError(
                        Reason.ZIP_BOMB,
                        f"bagian {info.filename} dimampatkan {info.file_size // max(info.compress_size, 1)}:1",
                    )
            total = 0
            content_types = _content_types(zf, limits)
            for info in infos:
                if _parsed_as_xml(info.filename, content_types):
                    total += _inflate_checked(zf, info, limits)
                    if total > limits.docx_total_mb * _MB:
                        raise ExtractionError(Reason.ZIP_BOMB, f"isi XML DOCX melebihi {limits.docx_total_mb} MB")
    except zipfile.BadZipFile as e:
        raise ExtractionError(Reason.CORRUPT_DOCX, f"arsip DOCX rusak ({e})") from e
    except (OSError, EOFError, ValueError, NotImplementedError) as e:
        raise ExtractionError(Reason.CORRUPT_DOCX, f"arsip DOCX tidak dapat dibuka ({type(e).__name__}: {e})") from e


def _refuse_duplicates(infos: list[zipfile.ZipInfo]) -> None:
    # Two entries of one name: zipfile returns the last, another reader the first. Part names are
    # case-insensitive in a package (ECMA-376 part 2), so Word/Document.xml collides too.
    seen: set[str] = set()
    for info in infos:
        name = info.filename.lower()
        if name in seen:
            raise ExtractionError(
                Reason.CORRUPT_DOCX, f"DOCX memuat bagian {info.filename} lebih dari sekali; isinya tidak pasti"
            )
        seen.add(name)


def _content_types(zf: zipfile.ZipFile, limits: Limits) -> tuple[dict[str, str], dict[str, str]]:
    """([Content_Types].xml's defaults by extension, overrides by part name]), all lower case."""
    try:
        info = zf.getinfo("[Content_Types].xml")
    except KeyError:
        return {}, {}
    _inflate_checked(zf, info, limits)  # checked before it is parsed, like every other part
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(zf.read(info), parser)
    except etree.XMLSyntaxError:
        return {}, {}  # python-docx refuses it as corrupt
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    for element in root:
        tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
        kind = (element.get("ContentType") or "").lower()
        if tag == "Default" and element.get("Extension"):
            defaults[element.get("Extension").lower()] = kind
        elif tag == "Override" and element.get("PartName"):
            overrides[element.get("PartName").lstrip("/").lower()] = kind
    return defaults, overrides


def _parsed_as_xml(name: str, content_types: tuple[dict[str, str], dict[str, str]]) -> bool:
    """Whether python-docx may parse this part as XML: by its name, or by its content type."""
    lowered = name.lower()
    if lowered.endswith((".xml", ".rels")):
        return True
    defaults, overrides = content_types
    kind = overrides.get(lowered)
    if kind is None:
        kind = defaults.get(lowered.rsplit(".", 1)[-1] if "." in lowered.rsplit("/", 1)[-1] else "", "")
    # Images (an SVG too) are kept as bytes, never parsed; any other XML type is parsed.
    return kind.endswith("xml") and not kind.startswith("image/")


def _decoder(info: zipfile.ZipInfo, head: bytes) -> codecs.IncrementalDecoder | None:
    """How the XML parser will read this part: None for ASCII-compatible bytes (a byte search
    sees every marker), a UTF-16 decoder, or ExtractionError for any other encoding."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\x00\x00\x00<", b"<\x00\x00\x00")):
        raise ExtractionError(Reason.CORRUPT_DOCX, f"bagian {info.filename} memakai UTF-32; {_REFUSED_ENCODING}")
    if head.startswith((b"\xff\xfe", b"<\x00?\x00", b"<\x00")):
        return codecs.getincrementaldecoder("utf-16-le")(errors="replace")
    if head.startswith((b"\xfe\xff", b"\x00<\x00?", b"\x00<")):
        return codecs.getincrementaldecoder("utf-16-be")(errors="replace")
    if head.startswith(b"\x4c\x6f\xa7\x94"):  # "<?xm" in EBCDIC
        raise ExtractionError(Reason.CORRUPT_DOCX, f"bagian {info.filename} memakai EBCDIC; {_REFUSED_ENCODING}")
    m = _DECLARED.match(head.removeprefix(b"\xef\xbb\xbf"))
    if m is not None:
        declared = m.group(1).decode("ascii").lower()
        try:
            name = codecs.lookup(declared).name
        except LookupError:
            name = declared
        ascii_compatible = name in ("utf-8", "ascii", "latin-1") or name.startswith(("iso8859-", "cp125"))
        if not ascii_compatible:  # UTF-7, UTF-16 declared over ASCII bytes, EBCDIC, ...: unreadable here
            raise ExtractionError(
                Reason.CORRUPT_DOCX, f"bagian {info.filename} menyatakan pengodean {declared}; {_REFUSED_ENCODING}"
            )
    return None


def _inflate_checked(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> int:
    limit = min(limits.docx_part_mb * _MB, limits.docx_total_mb * _MB)
    size = 0
    tail = b""
    text_tail = ""
    decoder: codecs.IncrementalDecoder | None = None
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            if size == 0:
                decoder = _decoder(info, chunk[:1024])
            size += len(chunk)
            if size > limit:
                raise ExtractionError(Reason.ZIP_BOMB, f"bagian {info.filename} melebihi {limit // _MB} MB setelah diurai")
            window = tail + chunk
            found = any(marker in window for marker in _DTD_MARKERS)
            if decoder is not None and not found:
                text = text_tail + decoder.decode(chunk)
                found = any(marker in text.lower() for marker in _DTD_TEXT)
                text_tail = text[-16:]
            if found:
                raise ExtractionError(
                    Reason.XML_ENTITIES,
                    f"bagian {info.filename} memuat deklarasi DTD/entitas; DOCX yang sah tidak pernah memuatnya",
                )
            tail = chunk[-16:]
    return size
