import pytest

from pipelines.text import clean_body, clean_doc_number, clean_line, clean_title, content_hash


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\u3000\u3000为加强信用监管，", "为加强信用监管，"),
        ("关于\u00a0做好\t\t信用评价工作", "关于 做好 信用评价工作"),
        ("失信\u200b名单\ufeff", "失信名单"),
        ("   ", ""),
    ],
)
def test_clean_line(raw: str, expected: str) -> None:
    assert clean_line(raw) == expected


def test_clean_title_joins_lines() -> None:
    assert clean_title("国家发展改革委关于\n    印发《信用修复管理办法》的通知\r\n") == (
        "国家发展改革委关于 印发《信用修复管理办法》的通知"
    )


def test_clean_body_keeps_paragraphs_and_drops_blank_runs() -> None:
    raw = "\u3000\u3000一、总体要求\r\n\r\n\r\n\u3000\u3000坚持依法依规。\n \n二、工作措施\n"
    assert clean_body(raw) == "一、总体要求\n\n坚持依法依规。\n\n二、工作措施"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("发改财金[2025]12号", "发改财金〔2025〕12号"),
        ("发改财金 〔2025〕 12 号", "发改财金〔2025〕12号"),
        ("苏政办发（2024）33号", "苏政办发〔2024〕33号"),
        ("国家发展和改革委员会令 第36号", "国家发展和改革委员会令第36号"),
        ("", ""),
    ],
)
def test_clean_doc_number(raw: str, expected: str) -> None:
    assert clean_doc_number(raw) == expected


def test_content_hash_is_stable_and_sensitive() -> None:
    fields = [("title", "关于开展信用修复的通知"), ("body", "正文")]
    assert content_hash(fields) == content_hash(list(fields))
    assert content_hash(fields) != content_hash([("title", "关于开展信用修复的通知"), ("body", "正文。")])


def test_clean_body_is_clean_line_of_each_line() -> None:
    """clean_body folds the whole text at once: the same as cleaning each line on its own."""
    raw = (
        "\u200b\u3000甲\u00a0\u200c 乙\t\t丙\u2060\n\u00ad\n \u200b \n\x0b丁\u3000\u200d\u3000戊\x0c\n"
        "\ufeff己 \u202f庚\u2009\u2002辛\u2003 \n壬\u3000\r\n癸\r"
    )
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    expected = "\n\n".join(line for line in (clean_line(part) for part in text.split("\n")) if line)
    assert clean_body(raw) == expected
    assert clean_line("\u200b\u3000甲\u00a0\u200c 乙\u2060 ") == "甲 乙"
