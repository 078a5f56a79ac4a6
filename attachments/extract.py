"""Text out of an attachment: one pure function, `extract_text`, that never raises.

Every outcome is an `AttachmentText` with a status: ``ok`` (text found), ``empty``
(read, but no text: a scanned PDF), ``unsupported`` (a format nothing here reads:
OFD, RAR, DOC/WPS without a converter), ``too-large`` (over the cap, or a ZIP that
would inflate past it) or ``failed`` (the library could not read it), with the reason.

Tables keep their shape: one row per line, cells separated by tabs, so that an entity's
name can be taken from the same row as its code (`entities.find`).
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attachments.sniff import sniff

MAX_FILE_BYTES = 20 * 1024 * 1024  # a list of a few thousand rows is well under this
MAX_INFLATED_BYTES = 200 * 1024 * 1024  # what a DOCX/XLSX may unpack to (a ZIP bomb is refused, not read)
MAX_TEXT_CHARS = 2_000_000
MAX_PDF_PAGES = 300
CONVERTER_TIMEOUT_S = 60


@dataclass(frozen=True)
class AttachmentText:
    kind: str  # what the bytes are (attachments.sniff), whatever the link said
    status: str  # ok | empty | unsupported | too-large | failed
    reason: str = ""
    text: str = ""


def extract_text(data: bytes, declared: str = "", max_bytes: int = MAX_FILE_BYTES) -> AttachmentText:
    """The text of one file; `declared` is the link's extension (pdf, xls, ...), used only for the reason."""
    kind = sniff(data, declared)
    if len(data) > max_bytes:
        return AttachmentText(kind, "too-large", f"{len(data)} bytes, over the cap of {max_bytes}")
    if not data:
        return AttachmentText("unknown", "failed", "the response was empty")
    if kind == "damaged-zip":
        return AttachmentText(
            kind, "failed", "a ZIP container (DOCX, XLSX, OFD) without a readable directory: truncated?"
        )
    reader = _READERS.get(kind)
    if reader is None:
        return AttachmentText(kind, "unsupported", _unsupported_reason(kind, declared))
    if kind in ("docx", "xlsx") and (inflated := _inflated_size(data)) > MAX_INFLATED_BYTES:
        return AttachmentText(kind, "too-large", f"unpacks to {inflated} bytes, over the cap of {MAX_INFLATED_BYTES}")
    try:
        text = reader(data)
    except _Unsupported as why:
        return AttachmentText(kind, "unsupported", str(why))
    except Exception as error:  # a broken file is recorded, never raised into the notice
        logging.getLogger(__name__).info("reading a %s attachment failed: %r", kind, error)
        return AttachmentText(kind, "failed", f"{type(error).__name__}: {error}"[:500])
    text = text.strip()
    if not text:
        return AttachmentText(kind, "empty", "no text in the file (a scanned image?)")
    note = f"the link says {declared}, the content is {kind}" if declared and _differs(declared, kind) else ""
    return AttachmentText(kind, "ok", note, text[:MAX_TEXT_CHARS])


class _Unsupported(Exception):
    """The file is fine but nothing installed here reads it."""


def _differs(declared: str, kind: str) -> bool:
    same = {"et": "xls", "wps": "wps", "htm": "html"}
    return same.get(declared, declared) != kind


def _unsupported_reason(kind: str, declared: str) -> str:
    if kind == "ofd":
        return "OFD (GB/T 33190) is not read here: no maintained OFD text reader is installed"
    if kind == "unknown":
        return f"the content is not a known document format (the link says {declared or 'nothing'})"
    return f"{kind} files are not read here"


def _inflated_size(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(info.file_size for info in archive.infolist())


def _rows_text(rows: Iterable[Iterable[Any]]) -> str:
    """Table rows as lines of tab-separated cells; empty rows dropped; numbers without a trailing .0."""
    lines = []
    for row in rows:
        cells = [_cell(value) for value in row]
        while cells and not cells[-1]:
            cells.pop()
        if any(cells):
            lines.append("\t".join(cells))
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _pdf(data: bytes) -> str:
    from pdfminer.high_level import extract_text as pdf_text

    return str(pdf_text(io.BytesIO(data), maxpages=MAX_PDF_PAGES))


def _docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts.append(_rows_text([cell.text for cell in row.cells] for row in table.rows))
    return "\n".join(parts)


def _xlsx(data: bytes) -> str:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return "\n\n".join(_rows_text(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets)
    finally:
        workbook.close()


def _xls(data: bytes) -> str:
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True)
    try:
        sheets = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            sheets.append(_rows_text(sheet.row_values(row) for row in range(sheet.nrows)))
            book.unload_sheet(index)
        return "\n\n".join(sheets)
    finally:
        book.release_resources()


def _html(data: bytes) -> str:
    """An `.xls` that is an HTML table (a common export): its rows, tab-separated."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    rows = [[cell.get_text(" ", strip=True) for cell in tr.find_all(["td", "th"])] for tr in soup.find_all("tr")]
    return _rows_text(rows) if rows else soup.get_text("\n", strip=True)


def _word97(data: bytes) -> str:
    """DOC and WPS through antiword or LibreOffice headless, whichever is installed."""
    with tempfile.TemporaryDirectory(prefix="scs-doc-") as folder:
        source = Path(folder) / "attachment.doc"
        source.write_bytes(data)
        if antiword := shutil.which("antiword"):
            done = subprocess.run(
                [antiword, "-m", "UTF-8.txt", str(source)], capture_output=True, timeout=CONVERTER_TIMEOUT_S
            )
            if done.returncode == 0:
                return done.stdout.decode("utf-8", "replace")
            if not (shutil.which("soffice") or shutil.which("libreoffice")):
                raise ValueError(f"antiword: {done.stderr.decode('utf-8', 'replace').strip()[:300]}")
        if office := shutil.which("soffice") or shutil.which("libreoffice"):
            subprocess.run(
                [office, "--headless", "--convert-to", "txt:Text (encoded):UTF8", "--outdir", folder, str(source)],
                capture_output=True,
                timeout=CONVERTER_TIMEOUT_S,
                check=True,
            )
            return (Path(folder) / "attachment.txt").read_text(encoding="utf-8", errors="replace")
    raise _Unsupported("DOC/WPS need antiword or LibreOffice, and neither is installed here")


_READERS: dict[str, Callable[[bytes], str]] = {
    "pdf": _pdf,
    "docx": _docx,
    "xlsx": _xlsx,
    "xls": _xls,
    "html": _html,
    "doc": _word97,
    "wps": _word97,
}
