"""GB18030 decoding of GB-family pages and mojibake recognition."""

from __future__ import annotations

import pytest

from crawler import encoding
from crawler.encoding import codec_for_label, decode_html, is_mojibake, mojibake_ratio

PROSE = (
    "关于进一步完善失信约束制度构建诚信建设长效机制的通知。各设区市人民政府，省各委办厅局："
    "为加快推进社会信用体系建设，规范失信行为认定和信用修复工作，现就有关事项通知如下。"
)
# Characters outside GB2312 that GB18030-encoded pages carry (names, the euro sign).
RARE_NAME = "朱镕基、王堃、李喆同志；罚款1000€。"


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("gb2312", "gb18030"),
        ("GBK", "gb18030"),
        ("x-gbk", "gb18030"),
        ("'GB2312'", "gb18030"),
        ("utf-8", "utf-8"),
        ("", None),
    ],
)
def test_gb_family_labels_decode_as_gb18030(label, codec):
    assert codec_for_label(label) == codec


@pytest.mark.parametrize(
    ("content_type", "head"),
    [
        ("text/html; charset=gb2312", "<html><head>"),
        ("text/html; charset=GBK", "<html><head>"),
        (None, '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'),
        (None, '<html><head><meta charset="gbk">'),
    ],
)
def test_declared_gb2312_or_gbk_is_decoded_as_gb18030(content_type, head):
    body = f"{head}<title>通知</title></head><body><p>{RARE_NAME}{PROSE}</p></body></html>".encode("gb18030")
    text, codec = decode_html(body, content_type)
    assert codec == "gb18030"
    assert RARE_NAME in text
    assert "\ufffd" not in text


def test_utf8_page_decodes_as_utf8():
    text, codec = decode_html(f"<html><meta charset='utf-8'><p>{PROSE}</p></html>".encode(), None)
    assert codec.replace("-", "") == "utf8"
    assert PROSE in text


def test_undeclared_gb_bytes_are_detected():
    text, codec = decode_html(f"<html><p>{PROSE}</p></html>".encode("gb18030"), None)
    assert codec == "gb18030"
    assert PROSE in text


@pytest.mark.parametrize(
    "garbled",
    [
        PROSE.encode("utf-8").decode("gbk", errors="replace"),  # UTF-8 page read as GBK: 鍏充簬…
        PROSE.encode("utf-8").decode("gb18030", errors="replace"),
        PROSE.encode("utf-8").decode("latin-1"),  # read as latin-1: å³äº…
        PROSE.encode("utf-8").decode("cp1252", errors="replace"),  # read as cp1252: å…³äºŽ…
        PROSE.encode("gb18030").decode("utf-8", errors="replace"),  # GBK page read as UTF-8: ���
        "鍏充簬杩涗竴姝ュ畬鍠勫け淇＄害鏉熷埗搴︾殑閫氱煡",  # a title alone
    ],
)
def test_mis_decoded_text_is_mojibake(garbled):
    assert is_mojibake(garbled)
    assert mojibake_ratio(garbled) >= 0.3


@pytest.mark.parametrize(
    "clean",
    [
        PROSE,
        RARE_NAME + PROSE,
        "买买提·艾力同志，温度不低于25°C，面积3×4米。" + PROSE,
        "Notice No. 12 (English only)",
        "濮阳市、漯河市、亳州市关于信用修复的通知",  # place names with rare characters, short text
        "",
    ],
)
def test_clean_text_is_not_mojibake(clean):
    assert not is_mojibake(clean)
    assert mojibake_ratio(clean) < 0.3


@pytest.mark.parametrize(
    "text",
    [
        PROSE,
        RARE_NAME,
        PROSE.encode("utf-8").decode("gbk", errors="replace"),
        PROSE.encode("utf-8").decode("latin-1"),
        PROSE.encode("utf-8").decode("cp1252", errors="replace"),
        "ascii only, 123",
        "\u3000全角空格\u00a0·×°\ue000\ufffd㐀䶵鿿",
        "",
    ],
)
def test_counts_are_those_of_the_character_classes(text):
    """The run-removal shortcut counts what checking every character against each class counts."""
    cjk = sum(1 for char in text if encoding._CJK.fullmatch(char))
    common = sum(1 for char in text if encoding._COMMON_HANZI.fullmatch(char))
    suspicious = sum(1 for char in text if encoding._SUSPICIOUS_NOT_CJK.fullmatch(char)) + cjk - common
    candidates = sum(1 for char in text if encoding._CANDIDATE.fullmatch(char))
    assert encoding._candidates_and_suspicious(text) == (candidates, suspicious)
