"""SYNTHETIC attachment files, written by the libraries that write each format.

The mirror serves them as the attachments of synthetic notices and the tests read them
back: an XLSX by openpyxl, an XLS by xlwt, a DOCX by python-docx, a PDF by reportlab
(with its built-in Chinese CID font, so the text is real text, not an image). Nothing
here is a real list: the names and codes are made up.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

Rows = Sequence[Sequence[str]]


def xlsx_file(title: str, rows: Rows) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "名单"
    sheet.append([title])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xls_file(title: str, rows: Rows) -> bytes:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("名单")
    sheet.write(0, 0, title)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_file(title: str, paragraphs: Sequence[str], rows: Rows = ()) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if rows:
        table = document.add_table(rows=0, cols=len(rows[0]))
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=False):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_file(title: str, paragraphs: Sequence[str] = (), rows: Rows = ()) -> bytes:
    """A PDF with the title, the paragraphs and one line per row (cells spaced apart, as a list PDF prints)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=True)  # invariant: the same input gives the same bytes
    page.setTitle(title)
    _, height = A4
    y = height - 60
    lines = [title, *paragraphs, *("    ".join(row) for row in rows)]
    for line in lines:
        if y < 60:
            page.showPage()
            y = height - 60
        page.setFont(font, 10)
        page.drawString(40, y, line)
        y -= 18
    page.save()
    return buffer.getvalue()
