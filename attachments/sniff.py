"""What a downloaded file really is, from its first bytes (and, for ZIP and OLE2 containers, what they hold).

Government sites link `.xls` files that are HTML tables, `.doc` files that are DOCX, and
PDFs behind `downfile.jsp?...`: the extension says what the publisher meant, the bytes
say what the library must read.
"""

from __future__ import annotations

import io
import zipfile

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
RAR_MAGIC = b"Rar!\x1a\x07"

# OLE2 directory entries are UTF-16LE names: the stream a workbook or a Word document keeps its content in.
_OLE_WORKBOOK = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_OLE_WORD = "WordDocument".encode("utf-16-le")


def sniff(data: bytes, declared: str = "") -> str:
    """The file's kind from its content: pdf, docx, xlsx, ofd, zip, damaged-zip, xls, doc, wps, ole, rar,
    html or unknown.

    `declared` (the link's extension) only decides between formats the bytes cannot tell apart:
    a WPS text document and a Word 97 document are both OLE2 files with a WordDocument stream.
    """
    head = data[:8]
    if PDF_MAGIC in data[:1024]:  # the standard allows bytes before the header
        return "pdf"
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(data)
    if head.startswith(OLE2_MAGIC):
        if any(name in data for name in _OLE_WORKBOOK):
            return "xls"
        if _OLE_WORD in data:
            return "wps" if declared == "wps" else "doc"
        return "ole"
    if head.startswith(RAR_MAGIC):
        return "rar"
    start = data[:512].lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta", b"<head")):
        return "html"
    return "unknown"


def _zip_kind(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return "damaged-zip"  # a ZIP signature but no readable directory: a truncated DOCX/XLSX, say
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    return "zip"
