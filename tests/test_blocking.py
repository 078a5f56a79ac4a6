"""Block-page detection: every protection kind we know, and ordinary pages that only look similar."""

from __future__ import annotations

import pytest

from crawler import blocking
from crawler.blocking import detect_block

JSL_521 = (
    "<html><body><script>document.cookie=('_')+('_')+('jsl_clearance_s=1764115200.123|0|')"
    "+(function(){var _1=[8];return _1})()+';Expires=Thu, 26-Nov-26 01:00:00 GMT;Path=/;';"
    "location.href=location.pathname+location.search</script></body></html>"
)
JSL_512_GO = (
    '<script>var _0x1=["chars","bts"];function go(a){};go({"bts":["1764115200.456|0|abc","def"],'
    '"chars":"xYzAbC","ct":"5b2c","ha":"sha1","tn":"__jsl_clearance_s","vt":"3600","wt":"1500"})</script>'
)
RUISHU = (
    '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    '<meta id="9DhefwqGPrzJ" content="{qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq.aB3d">'
    '<script type="text/javascript" charset="iso-8859-1" src="/4QbVtADbnLVIc/d.FxJzG50F.dfe1675.js" r=\'m\'>'
    "</script><script>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=51234;$_ts.cd=\"qEscrrAlqGl\";"
    "</script></head><body></body></html>"
)
RUISHU_WITHOUT_TS = (
    '<html><head><meta content="{qqqqqqqqqqqqqqqqqqqqqqq" name="x">'
    "<script src=\"/abc/def.js\" r='m'></script></head></html>"
)
CREDITCHINA_40001 = '{"status":40001,"message":"请完成验证码验证后刷新后重试","data":null}'
TIANAI = (
    '<html><head><title>信用四川</title></head><body><div id="tianai-captcha" class="captcha-box">'
    '<div class="slider-tip">请拖动滑块完成拼图</div></div></body></html>'
)
VCODEPOP = (
    '<html><body><div class="vcodepop hide"><img src="/private-api/verify/getVerify"/>'
    '<input placeholder="请输入验证码"/></div></body></html>'
)
CAPTCHA_TEXT = "<html><body><h3>安全验证</h3><p>请输入验证码后继续访问</p><img src='/captcha.jpg'></body></html>"
WAF_TITLE = (
    "<html><head><title>访问受限</title></head><body><div class='box'><p>您的请求已被拦截，事件编号：20261125-8f3a。"
    "如有疑问请联系网站管理员。</p></div></body></html>"
)
WAF_FREQUENT = "<html><body><p>请求频繁，请稍后再试。</p></body></html>"
YUNSUO = "<html><body><script>window.location.href='/?security_verify_data=313932302c31303830';</script></body></html>"
LONG_NOTICE_BODY = "。".join(["各有关单位要按照本通知要求，加强信用信息归集共享，依法依规开展联合惩戒工作"] * 40)
NOTICE_MENTIONING_PHRASES = (
    "<html><head><title>关于规范政务服务短信验证码使用的通知</title></head><body><div id='zoom'>"
    f"<p>一、短信验证码不得用于营销。请输入验证码的页面应当提示用途。</p><p>二、对访问受限区域作出说明。</p><p>{LONG_NOTICE_BODY}</p>"
    "</div></body></html>"
)
ORDINARY_NOT_FOUND = (
    "<html><head><title>404 页面不存在</title></head><body><p>您访问的页面不存在或已删除。</p></body></html>"
)


@pytest.mark.parametrize(
    ("status", "headers", "body", "kind"),
    [
        (521, {"Set-Cookie": "__jsluid_s=8f1c0a; max-age=31536000; path=/"}, JSL_521, "jsl"),
        (512, {}, JSL_512_GO, "jsl"),
        (521, {b"Set-Cookie": [b"__jsluid_h=0d2f; path=/"]}, b"", "jsl"),
        (200, {}, JSL_521.encode("utf-8"), "jsl"),
        (202, {"Content-Type": "text/html"}, RUISHU, "ruishu"),
        (412, {}, RUISHU.encode("utf-8"), "ruishu"),
        (200, {}, RUISHU_WITHOUT_TS, "ruishu"),
        (200, {"Content-Type": "application/json"}, CREDITCHINA_40001, "captcha"),
        (200, {}, TIANAI, "captcha"),
        (200, {}, VCODEPOP, "captcha"),
        (200, {"Set-Cookie": "vcode=1; Path=/"}, "<html><body></body></html>", "captcha"),
        (200, {}, CAPTCHA_TEXT.encode("gb18030"), "captcha"),
        (403, {}, WAF_TITLE, "waf"),
        (200, {}, WAF_TITLE.encode("gbk"), "waf"),
        (200, {}, WAF_FREQUENT, "waf"),
        (200, {"set-cookie": "yunsuo_session_verify=2a87; path=/"}, YUNSUO, "waf"),
        (429, {}, "<html><body>Too Many Requests</body></html>", "waf"),
    ],
)
def test_block_pages_are_recognised(status, headers, body, kind):
    verdict = detect_block(status, headers, body)
    assert verdict is not None
    assert verdict.kind == kind
    assert f"HTTP {status}" in verdict.reason


@pytest.mark.parametrize(
    ("status", "headers", "body"),
    [
        (200, {}, NOTICE_MENTIONING_PHRASES),
        (200, {}, NOTICE_MENTIONING_PHRASES.encode("gb18030")),
        (200, {"Set-Cookie": "__jsluid_h=0d2f; path=/"}, NOTICE_MENTIONING_PHRASES),
        (404, {}, ORDINARY_NOT_FOUND),
        (200, None, b""),
        (200, {}, '{"total": 2, "articles": []}'),
    ],
)
def test_ordinary_pages_are_not_blocks(status, headers, body):
    assert detect_block(status, headers, body) is None


def test_verdict_names_kind_and_reason():
    verdict = detect_block(403, {}, WAF_TITLE)
    assert verdict is not None
    assert str(verdict).startswith("waf: ")
    assert "访问受限" in verdict.reason


# Marker spellings the literal pre-check must not miss: any case, and the non-ASCII letters that re's
# case-insensitive matching folds to ASCII ones (ſ to s, K to k, İ and ı to i), which lower() does not.
MARKER_SPELLINGS = [
    '<div class="Captcha-Container"></div>',
    '<div id="TIANAI-CAPTCHA"></div>',
    '<div class="x VCodePop"></div>',
    '<div class="GEETEST_panel"></div>',
    '<div id="NC_1_wrapper"></div>',
    '<div class="Verify-Code"></div>',
    '<div class="verİfy-code"></div>',
    '<div class="ſlidecaptcha"></div>',
    "<script>var a = 'JSL_Clearance_s';</script>",
    "<script>var a = 'jſl_clearance_s';</script>",
    "<p>SafeDog</p>",
    "<p>ſafedog</p>",
    "<img src='/WAF_block.png'>",
    "<a href='ErrorPage.WAF'>x</a>",
    "<p>yunsuo_ſession_verıfy</p>",
    '<meta name="x" CONTENT="{QQQ.b"><script src="/a.js" R="M"></script>',
    '<meta name="x" content="{qqQ"><script src="/a.js" r="M\'></script>',
    "<script>$_ts.nsd=1;</script>",
    "<script>window[ '$_ts' ]</script>",
]


@pytest.mark.parametrize("marker", MARKER_SPELLINGS)
@pytest.mark.parametrize("status", [200, 403, 521])
@pytest.mark.parametrize("filler", ["", "<p>" + "正文内容" * 200 + "</p>"])
def test_literal_precheck_gives_the_verdicts_of_the_bare_patterns(monkeypatch, marker, status, filler):
    body = f"<html><head><title>通知</title></head><body>{filler}{marker}{filler}</body></html>"
    verdict = detect_block(status, {}, body)
    monkeypatch.setattr(blocking, "_search", lambda pattern, text, haystack, needles: pattern.search(text))
    assert verdict == detect_block(status, {}, body)
