"""Text of a DOCX with python-docx: body paragraphs and tables in order, then headers and footers."""

from __future__ import annotations

import io
import re
import zipfile

from extractors.limits import check_docx_package
from extractors.text import normalize_text
from models.errors import ExtractionError
from models.records import Extraction, InputFormat, Reason
from models.settings import Limits

COVER_PARAGRAPHS = 30  # where no page break ends the cover first
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_APP_PAGES = re.compile(rb"<Pages>(\d+)</Pages>")


def extract_docx(data: bytes, limits: Limits) -> Extraction:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    check_docx_package(data, limits)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise ExtractionError(Reason.CORRUPT_DOCX, f"DOCX rusak atau tidak lengkap ({type(e).__name__}: {e})") from e
    except Exception as e:  # lxml raises XMLSyntaxError for broken parts, and when memory runs out
        if type(e).__name__ != "XMLSyntaxError":
            raise
        if "memory" in str(e).lower() or "resource limit" in str(e).lower():
            raise ExtractionError(Reason.RESOURCE_LIMIT, f"XML di dalam DOCX melampaui batas sumber daya ({e})") from e
        raise ExtractionError(Reason.CORRUPT_DOCX, f"XML di dalam DOCX rusak ({e})") from e
    body, cover, page_breaks = _body_blocks(document, limits.max_chars)
    headers = _header_footer_text(document)
    text = normalize_text("\n".join(body + headers))
    cover_text = normalize_text("\n".join(headers[:10] + cover))
    return Extraction(
        format=InputFormat.DOCX,
        text=text,
        # Word's saved count can be stale (templates say 1); explicit breaks are a lower bound.
        pages=max(_declared_pages(data) or 0, page_breaks + 1),
        cover=cover_text,
    )


def _body_blocks(document, max_chars: int) -> tuple[list[str], list[str], int]:
    """Paragraph and table-row texts in document order (about max_chars of them, the rest is cut
    afterwards and noted), the cover's part, and the page breaks."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks: list[str] = []
    cover: list[str] | None = None
    breaks = 0
    chars = counted = 0
    for item in document.iter_inner_content():
        chars += sum(len(b) + 1 for b in blocks[counted:])
        counted = len(blocks)
        if chars > max_chars:
            break  # more than is kept: extract() cuts the text and notes it
        if isinstance(item, Paragraph):
            blocks.append(item.text)
            if _breaks_page(item):
                breaks += 1
                if cover is None:
                    cover = [b for b in blocks if b.strip()]
        elif isinstance(item, Table):
            for row in item.rows:
                cells: list[str] = []
                for cell in row.cells:
                    if not cells or cell.text != cells[-1]:  # merged cells repeat their text
                        cells.append(cell.text)
                blocks.append(" | ".join(cells))
    if cover is None:
        cover = [b for b in blocks if b.strip()][:COVER_PARAGRAPHS]
    return blocks, cover[:COVER_PARAGRAPHS], breaks


def _breaks_page(paragraph) -> bool:
    element = paragraph._p
    for br in element.iter(f"{_W}br"):
        if br.get(f"{_W}type") == "page":
            return True
    return element.find(f"{_W}pPr/{_W}sectPr") is not None


def _header_footer_text(document) -> list[str]:
    seen: list[str] = []
    for section in document.sections:
        for part in (section.header, section.first_page_header, section.footer):
            if part.is_linked_to_previous:
                continue
            for paragraph in part.paragraphs:
                if paragraph.text.strip() and paragraph.text not in seen:
                    seen.append(paragraph.text)
    return seen


def _declared_pages(data: bytes) -> int | None:
    """Word records the page count in docProps/app.xml when it saves; python-docx does not."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo("docProps/app.xml")
            if info.file_size > 1_000_000:
                return None
            m = _APP_PAGES.search(zf.read(info))
    except (KeyError, zipfile.BadZipFile):
        return None
    return int(m.group(1)) if m else None
