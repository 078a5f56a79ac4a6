"""Recognise anti-bot pages so they are never parsed as notices.

Chinese government sites sit behind a handful of protection products. Their
challenge pages are small HTML (or JSON) documents that a naive spider would
happily store as a notice titled "访问受限". `detect_block` looks at one response
(status, headers, body) and says which kind of block it is, with a reason that
ends up in quarantine and in the source's run record. It is a pure function so the
signatures are table-tested (tests/test_blocking.py); see ../shared/sites.md §0.3
for where each signature was seen.

Kinds:
- ``jsl``: 加速乐 / 知道创宇 (HTTP 521 or 512 with a `__jsl_clearance` cookie challenge).
- ``ruishu``: 瑞数 / River Security (`$_ts` bootstrap VM, `<meta content="{…">` blob,
  `<script … r='m'>`), usually HTTP 202/412.
- ``captcha``: a captcha in front of the content (Credit China `vcodepop` / code
  40001, tianai slider, geetest, "请输入验证码" pages).
- ``waf``: a firewall or rate-limit page ("访问受限", "请求频繁", 云锁, 安全狗, HTTP 429 …).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

BLOCK_KINDS = ("jsl", "ruishu", "captcha", "waf")

# A real notice page is long; challenge and refusal pages are short. Phrases that can
# also appear inside a notice's text (a notice about 验证码 or about 访问受限 areas) only
# count when the page's visible text is short or the phrase is in the <title>.
_SHORT_PAGE_CHARS = 600
_SCAN_BYTES = 300_000

_JSL_CLEARANCE = re.compile(r"jsl_clearance", re.IGNORECASE)  # scripts often split the leading "__"
_JSL_UID = re.compile(r"__jsluid_[hs]", re.IGNORECASE)
_JSL_SCRIPT = re.compile(r"document\.cookie\s*=|go\(\s*\{", re.IGNORECASE)
_RUISHU_TS = re.compile(r"\$_ts\s*=|window\[\s*['\"]\$_ts['\"]\s*\]|\$_ts\.(?:nsd|cd|scj)")
_RUISHU_META_BLOB = re.compile(r"<meta[^>]+content=\"\{q{3}", re.IGNORECASE)
_RUISHU_SCRIPT = re.compile(r"<script[^>]+\br=['\"]m['\"]", re.IGNORECASE)
_CAPTCHA_MARKUP = re.compile(
    r"class=[\"'][^\"']*\bvcodepop\b|id=[\"']tianai-captcha|\bgeetest_|captcha-container|"
    r"id=[\"']nc_1_wrapper|slide-?captcha|class=[\"'][^\"']*\bverify-code",
    re.IGNORECASE,
)
_CAPTCHA_JSON = re.compile(r"\"(?:status|code)\"\s*:\s*\"?40001\b")
_CAPTCHA_PHRASES = ("请输入验证码", "验证码错误", "刷新后重试", "请完成安全验证", "滑动验证", "拖动滑块")
_WAF_PHRASES = (
    "访问受限",
    "请求频繁",
    "访问频繁",
    "操作频繁",
    "访问过于频繁",
    "请稍后再试",
    "访问被拒绝",
    "访问被阻断",
    "您的访问被阻断",
    "网站防火墙",
    "Web应用防火墙",
    "安全狗",
    "云锁",
    "创宇盾",
    "疑似黑客攻击",
    "非法请求",
)
_WAF_PRODUCT_MARKERS = re.compile(r"yunsuo_session_verify|safedog|/waf_|errorpage\.waf|__waf", re.IGNORECASE)
_WAF_STATUSES = {403, 405, 412, 418, 429, 493, 494, 503}
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.IGNORECASE | re.DOTALL)
_VCODE_COOKIE = re.compile(r"(?:^|;|,)\s*vcode=1\b")

# The case-insensitive marker patterns try every alternative at every character of the page, which
# costs far more than everything else here. Each is first looked for by the ASCII literals that any
# match of it contains (each needle list is its pattern's own), with `in` on the page's ASCII
# characters (lower-cased for a case-insensitive pattern); the pattern runs only when one is there.
# Dropping the other characters keeps every ASCII run whole, and lower-casing finds every
# case-insensitive match except where re folds a non-ASCII letter to an ASCII one (İ ı ſ K): a page
# holding one of those runs the case-insensitive patterns unfiltered.
_FOLDS_TO_ASCII = ("\u0130", "\u0131", "\u017f", "\u212a")
_JSL_CLEARANCE_NEEDLES = (b"jsl_clearance",)
_RUISHU_TS_NEEDLES = (b"$_ts",)  # every alternative of _RUISHU_TS spells `$_ts` (case-sensitive)
_RUISHU_META_BLOB_NEEDLES = (b'content="{qqq',)
_RUISHU_SCRIPT_NEEDLES = (b"r='m'", b"r='m\"", b'r="m"', b"r=\"m'")
_CAPTCHA_MARKUP_NEEDLES = (b"vcodepop", b"tianai-captcha", b"geetest_", b"captcha", b"nc_1_wrapper", b"verify-code")
_WAF_PRODUCT_NEEDLES = (b"yunsuo_session_verify", b"safedog", b"/waf_", b"errorpage.waf", b"__waf")


@dataclass(frozen=True)
class BlockVerdict:
    kind: str  # one of BLOCK_KINDS
    reason: str  # human-readable: what was seen, for quarantine and run reports

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}"


def detect_block(status: int, headers: Mapping[Any, Any] | None, body: bytes | str) -> BlockVerdict | None:
    """The block this response is, or None for an ordinary page (which may still be an error page)."""
    text = _as_text(body)
    cookies = _header(headers, "set-cookie")
    ascii_text = text.encode("ascii", "ignore")
    folded = None if any(letter in text for letter in _FOLDS_TO_ASCII) else ascii_text.lower()
    visible = _visible_text(text)
    title = _title(text)
    short = len(visible) <= _SHORT_PAGE_CHARS

    # `__jsluid_*` alone is set on ordinary pages of JSL-fronted sites; only the clearance
    # challenge (script or 521/512 status) means the content was withheld.
    if _search(_JSL_CLEARANCE, text, folded, _JSL_CLEARANCE_NEEDLES) and (short or status in (521, 512)):
        return BlockVerdict("jsl", f"加速乐 challenge (HTTP {status}; __jsl_clearance cookie script)")
    if status in (521, 512) and (
        _JSL_SCRIPT.search(text) or _JSL_UID.search(cookies) or _JSL_CLEARANCE.search(cookies) or not visible
    ):
        return BlockVerdict("jsl", f"加速乐 challenge (HTTP {status} with a cookie-setting script)")

    ruishu_marks = [
        name
        for name, pattern, haystack, needles in (
            ("$_ts", _RUISHU_TS, ascii_text, _RUISHU_TS_NEEDLES),  # case-sensitive
            ("meta blob", _RUISHU_META_BLOB, folded, _RUISHU_META_BLOB_NEEDLES),
            ("r='m' script", _RUISHU_SCRIPT, folded, _RUISHU_SCRIPT_NEEDLES),
        )
        if _search(pattern, text, haystack, needles)
    ]
    if "$_ts" in ruishu_marks or len(ruishu_marks) >= 2:
        return BlockVerdict("ruishu", f"瑞数 bootstrap page (HTTP {status}; {', '.join(ruishu_marks)})")

    if _CAPTCHA_JSON.search(text[:2000]):
        return BlockVerdict("captcha", f"captcha required (HTTP {status}; API code 40001)")
    if _VCODE_COOKIE.search(cookies):
        return BlockVerdict("captcha", f"captcha required (HTTP {status}; vcode=1 cookie)")
    markup = _search(_CAPTCHA_MARKUP, text, folded, _CAPTCHA_MARKUP_NEEDLES)
    if markup and (short or status >= 400):
        return BlockVerdict("captcha", f"captcha widget on the page (HTTP {status}; {markup.group(0)!r})")
    phrase = _first_phrase(_CAPTCHA_PHRASES, title) or (short and _first_phrase(_CAPTCHA_PHRASES, visible))
    if phrase:
        return BlockVerdict("captcha", f"captcha page (HTTP {status}; {phrase!r})")

    phrase = _first_phrase(_WAF_PHRASES, title) or (
        (short or status in _WAF_STATUSES) and _first_phrase(_WAF_PHRASES, visible)
    )
    if phrase:
        return BlockVerdict("waf", f"firewall or rate-limit page (HTTP {status}; {phrase!r})")
    product = _search(_WAF_PRODUCT_MARKERS, text, folded, _WAF_PRODUCT_NEEDLES) or _WAF_PRODUCT_MARKERS.search(cookies)
    if product and (short or status in _WAF_STATUSES):
        return BlockVerdict("waf", f"firewall page (HTTP {status}; {product.group(0)!r})")
    if status == 429:
        return BlockVerdict("waf", "rate limited (HTTP 429 Too Many Requests)")
    return None


def _as_text(body: bytes | str) -> str:
    if isinstance(body, str):
        return body[:_SCAN_BYTES]
    raw = body[:_SCAN_BYTES]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Either a GBK page or a cut in the middle of a UTF-8 character: GB18030 decodes
        # every byte sequence, and the ASCII markers survive either way.
        utf8 = raw.decode("utf-8", errors="replace")
        gb = raw.decode("gb18030", errors="replace")
        return utf8 if utf8.count("\ufffd") <= gb.count("\ufffd") else gb


def _header(headers: Mapping[Any, Any] | None, name: str) -> str:
    """All values of one header as text, whatever the mapping (Scrapy Headers, dict of str or bytes)."""
    if not headers:
        return ""
    values: list[str] = []
    for key, value in headers.items():
        key_text = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if key_text.lower() != name:
            continue
        for item in value if isinstance(value, (list, tuple)) else [value]:
            values.append(item.decode("latin-1") if isinstance(item, bytes) else str(item))
    return "; ".join(values)


def _search(
    pattern: re.Pattern[str], text: str, haystack: bytes | None, needles: tuple[bytes, ...]
) -> re.Match[str] | None:
    """`pattern.search(text)`, skipped when `haystack` lacks every literal that a match would contain.

    `haystack` is the text's ASCII characters, lower-cased for a case-insensitive pattern; None: search.
    """
    if haystack is not None and not any(needle in haystack for needle in needles):
        return None
    return pattern.search(text)


def _visible_text(html: str) -> str:
    """The text outside tags, scripts and styles, without any whitespace (split() splits on what `\\s` matches)."""
    return "".join(_TAG.sub(" ", html).split())


def _title(html: str) -> str:
    match = _TITLE.search(html)
    return match.group(1) if match else ""


def _first_phrase(phrases: tuple[str, ...], text: str) -> str:
    return next((phrase for phrase in phrases if phrase in text), "")
