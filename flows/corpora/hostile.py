"""Broken and hostile files, built on the spot, for the safety tests and `kipp bench safety`.

Every builder streams what it writes: the 2 GB zip bomb never exists in memory or on disk inflated.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

# A DOCX is a zip of these parts at the least; python-docx needs the content types and the rels.
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def document_xml(body: str, prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>{body}</w:t></w:r></w:p></w:body></w:document>'
    )


def write_raw_docx(path: Path, document: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/document.xml", document)
    return path


def write_zip_bomb(path: Path, inflated_mb: int = 2048) -> Path:
    """A DOCX whose document.xml inflates to `inflated_mb` MB: streamed, 1 MB at a time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    block = b" " * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        info = zipfile.ZipInfo("word/document.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as fh:
            head = document_xml("PROPOSAL INOVASI").split("<w:body>")[0].encode()
            fh.write(head + b"<w:body>")
            for _ in range(inflated_mb):
                fh.write(block)
            fh.write(b"</w:body></w:document>")
    return path


def billion_laughs(levels: int = 9) -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, levels + 1)
    ]
    return document_xml(f"&lol{levels};", prolog=f"<!DOCTYPE lolz [{''.join(entities)}]>")


def external_entity(target: Path) -> str:
    return document_xml("&secret;", prolog=f'<!DOCTYPE d [<!ENTITY secret SYSTEM "file://{target}">]>')


def write_scanned_pdf(path: Path, lines: list[str], pages: int = 1) -> Path:
    """A PDF of page images with no text layer, as a scanner makes it."""
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    path.parent.mkdir(parents=True, exist_ok=True)
    font = ImageFont.load_default(size=34)
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    for _ in range(pages):
        image = Image.new("L", (1240, 1754), 255)  # A4 at 150 dpi
        draw = ImageDraw.Draw(image)
        y = 160
        for line in lines:
            draw.text((120, y), line, fill=0, font=font)
            y += 70
        canvas.drawImage(ImageReader(image), 0, 0, width=A4[0], height=A4[1])
        canvas.showPage()
    canvas.save()
    return path


def write_cyclic_pdf(path: Path) -> Path:
    """A PDF whose page tree lists itself as its own kid and claims a million pages."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1000000 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj ".encode() + body + b" endobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer << /Root 1 0 R /Size {len(objects) + 1} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))
    return path


def write_docx_parts(path: Path, parts: list[tuple[str, bytes | str]], stored: bool = False) -> Path:
    """A package of exactly these entries, in this order (duplicates too: zipfile warns, writes both)."""
    import warnings

    path.parent.mkdir(parents=True, exist_ok=True)
    compression = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": the point of some of these
        with zipfile.ZipFile(path, "w", compression) as zf:
            for name, data in parts:
                zf.writestr(name, data)
    return path


def docx_parts(document: bytes | str, main: str = "word/document.xml") -> list[tuple[str, bytes | str]]:
    """The three parts python-docx needs, with the main part under any name the relations give."""
    types = _CONTENT_TYPES.replace('PartName="/word/document.xml"', f'PartName="/{main}"')
    rels = _RELS.replace('Target="word/document.xml"', f'Target="{main}"')
    return [("[Content_Types].xml", types), ("_rels/.rels", rels), (main, document)]


def write_nested_forms_pdf(path: Path, levels: int = 4, fanout: int = 10, word: str = "kata ", repeat: int = 2000) -> Path:
    """A PDF of a few KB whose page draws a form that draws a form ... `levels` deep, `fanout`
    times each; the innermost draws `word` `repeat` times (compressed). pypdf stops after 5,000
    form invocations: levels=4 gives 45 million characters from 1.5 KB."""
    import zlib

    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R "
           b"/Resources << /Font << /F1 4 0 R >> /XObject << /X 6 0 R >> >> >>",
        4: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }

    def stream(head: bytes, data: bytes) -> bytes:
        return b"<< " + head + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"

    draw = b" ".join([b"/X Do"] * fanout)
    objects[5] = stream(b"", draw)
    for i in range(levels):
        number = 6 + i
        head = b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] "
        if i < levels - 1:
            objects[number] = stream(head + b"/Resources << /XObject << /X %d 0 R >> >>" % (number + 1), draw)
        else:
            text = zlib.compress(b"BT /F1 12 Tf 10 10 Td (" + word.encode() * repeat + b") Tj ET", 9)
            objects[number] = stream(head + b"/Resources << /Font << /F1 4 0 R >> >> /Filter /FlateDecode", text)
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj " % number + objects[number] + b" endobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, size))
    out += b"trailer << /Root 1 0 R /Size %d >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))
    return path
