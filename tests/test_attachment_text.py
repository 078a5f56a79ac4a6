"""Attachment text from real files written by the format's own library (SYNTHETIC content)."""

from __future__ import annotations

import io
import zipfile

import pytest

from attachments.extract import MAX_INFLATED_BYTES, extract_text
from attachments.sniff import sniff
from mirror.synthetic_files import docx_file, pdf_file, xls_file, xlsx_file

ROWS = [["序号", "企业名称", "统一社会信用代码"], ["1", "某某建设有限公司", "91110000600037341L"]]


@pytest.mark.parametrize(
    ("data", "declared", "kind"),
    [
        (xlsx_file("名单", ROWS), "xlsx", "xlsx"),
        (xls_file("名单", ROWS), "xls", "xls"),
        (docx_file("名单", ["正文"], ROWS), "docx", "docx"),
        (pdf_file("名单", ["正文"], ROWS), "pdf", "pdf"),
    ],
    ids=["xlsx", "xls", "docx", "pdf"],
)
def test_each_format_gives_its_rows_with_the_cells_apart(data: bytes, declared: str, kind: str) -> None:
    result = extract_text(data, declared)
    assert (result.kind, result.status, result.reason) == (kind, "ok", "")
    lines = result.text.splitlines()
    row = next(line for line in lines if "91110000600037341L" in line)
    cells = [cell for cell in row.replace("    ", "\t").split("\t") if cell]
    assert cells == ["1", "某某建设有限公司", "91110000600037341L"]


def test_a_file_that_lies_about_its_type_is_read_as_what_it_is() -> None:
    result = extract_text(xlsx_file("名单", ROWS), "pdf")  # an XLSX behind a .pdf link
    assert (result.kind, result.status) == ("xlsx", "ok")
    assert "the link says pdf, the content is xlsx" in result.reason
    assert "某某建设有限公司" in result.text


def test_an_html_page_behind_a_pdf_link_is_not_a_pdf() -> None:
    page = "<html><body><p>您访问的页面不存在</p></body></html>".encode()
    result = extract_text(page, "pdf")
    assert result.kind == "html"
    assert "the link says pdf, the content is html" in result.reason


def test_an_html_table_saved_as_xls_gives_its_rows() -> None:
    table = "<table><tr><td>名称</td><td>代码</td></tr><tr><td>某某商行</td><td>92340603MA2PBMD304</td></tr></table>"
    result = extract_text(table.encode(), "xls")
    assert (result.kind, result.status) == ("html", "ok")
    assert result.text.splitlines()[1] == "某某商行\t92340603MA2PBMD304"


@pytest.mark.parametrize(
    ("data", "status", "reason_part"),
    [
        (b"", "failed", "empty"),
        (b"\x00\x01 just bytes", "unsupported", "not a known document format"),
        (b"%PDF-1.4\n this is not really a pdf", "failed", ""),
        (b"Rar!\x1a\x07\x00 rest", "unsupported", "rar"),
    ],
    ids=["empty", "garbage", "broken-pdf", "rar"],
)
def test_a_file_that_cannot_be_read_is_a_record_with_the_reason_never_an_exception(
    data: bytes, status: str, reason_part: str
) -> None:
    result = extract_text(data, "pdf")
    assert result.status == status
    assert reason_part in result.reason
    assert result.reason and not result.text


def test_a_truncated_xlsx_fails_with_the_reason() -> None:
    data = xlsx_file("名单", ROWS)
    result = extract_text(data[: len(data) // 2], "xlsx")
    assert result.status == "failed"
    assert result.reason


def test_an_ofd_is_recorded_as_unsupported() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>')
        archive.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    result = extract_text(buffer.getvalue(), "ofd")
    assert (result.kind, result.status) == ("ofd", "unsupported")
    assert "OFD" in result.reason


def test_an_ole2_word_file_says_which_kind_it_is() -> None:
    # The OLE2 signature and a UTF-16 "WordDocument" directory name are what tell a DOC from an XLS.
    fake_doc = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 100 + "WordDocument".encode("utf-16-le")
    assert sniff(fake_doc, "doc") == "doc"
    assert sniff(fake_doc, "wps") == "wps"
    assert sniff(xls_file("名单", ROWS), "doc") == "xls"


def test_doc_without_a_converter_is_unsupported_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("attachments.extract.shutil.which", lambda name: None)
    fake_doc = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 100 + "WordDocument".encode("utf-16-le")
    result = extract_text(fake_doc, "wps")
    assert (result.kind, result.status) == ("wps", "unsupported")
    assert "antiword or LibreOffice" in result.reason


def test_over_the_cap_is_too_large_without_reading() -> None:
    result = extract_text(pdf_file("名单", ["正文"]), "pdf", max_bytes=100)
    assert result.status == "too-large"
    assert "over the cap of 100" in result.reason


def test_a_zip_bomb_docx_is_refused_before_it_is_unpacked() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\x00" * (MAX_INFLATED_BYTES + 1))
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    result = extract_text(data, "docx")
    assert (result.kind, result.status) == ("docx", "too-large")
