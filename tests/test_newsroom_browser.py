"""End to end in a real browser: an analyst reviews a notice, `scs publish` writes the site, a reader browses it.

Drives Debian's Chromium (scripts/install-browser.sh) headless through Playwright; Playwright's own browser
downloads are never used. Skips where Chromium is absent, except under CI, where it must run.
Screenshots go to test-output/screenshots/ (kept as CI artifacts, not committed).
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from newsroom_data import ANALYST, BIKE_TITLE, PASSWORD, SCRIPT_TITLE, SECRET_KEY, seeded_store

SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"

pytestmark = pytest.mark.slow


def serve_in_thread(server: object) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)  # type: ignore[attr-defined]
    thread.start()
    return thread


@pytest.fixture
def newsroom_url(tmp_path: Path) -> Iterator[tuple[str, str]]:
    from werkzeug.serving import make_server

    from newsroom import create_app

    db_url = f"sqlite:///{tmp_path / 'newsroom.sqlite3'}"
    seeded_store(db_url).dispose()
    server = make_server("127.0.0.1", 0, create_app(db_url, secret_key=SECRET_KEY), threaded=True)
    serve_in_thread(server)
    try:
        yield f"http://127.0.0.1:{server.server_port}", db_url
    finally:
        server.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def static_server() -> Iterator[object]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        servers.append(server)
        serve_in_thread(server)
        return f"http://127.0.0.1:{server.server_port}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_review_publish_and_read(browser_page, newsroom_url, static_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    from scs.cli import main

    page = browser_page
    base, db_url = newsroom_url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    # Every page is behind the login.
    page.goto(base + "/")
    expect(page).to_have_url(f"{base}/login?next=/")
    page.get_by_label("User").fill(ANALYST)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("h1")).to_contain_text("Review queue")
    expect(page.locator("a.notice-link")).to_have_count(3)

    # Filter the queue by industry.
    page.get_by_label("Industry").select_option("transport")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("a.notice-link")).to_have_count(1)
    expect(page.locator("a.notice-link")).to_have_text(BIKE_TITLE)
    page.screenshot(path=str(SCREENSHOTS / "queue.png"), full_page=True)

    # Open the notice: evidence highlighted, the draft ready to edit.
    page.locator("a.notice-link").click()
    expect(page.locator("h1.zh")).to_contain_text(BIKE_TITLE)
    expect(page.locator(".text mark.evidence", has_text="联合惩戒")).to_have_count(1)
    expect(page.locator(".text mark.evidence", has_text="失信名单")).to_have_attribute("title", "scs_types:blacklist")
    expect(page.locator("#headline")).to_have_value("Shenzhen, Guangdong: untrustworthy list for rental bike companies")

    # Correct the tags: remove one the classifier got wrong, add a missing one.
    page.get_by_role("button", name="remove credit-repair").click()
    scs_types = page.locator('.facet[data-facet="scs_types"]')
    expect(scs_types.locator("li.effective-tag")).to_have_count(2)
    scs_types.get_by_label("add scs_types").select_option("supervision")
    scs_types.get_by_role("button", name="Add").click()
    expect(page.locator('.facet[data-facet="scs_types"] li.effective-tag[data-value="supervision"]')).to_have_count(1)

    # Edit the English headline and approve: the last notice of this filtered queue, so back to the queue.
    bike_url = page.url
    page.locator("#headline").fill("Shenzhen, Guangdong: bike-sharing firms face untrustworthy list")
    page.locator("#summary").fill(
        "Shenzhen will list rental bike companies that break the rules and punish them jointly."
    )
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("p.flash").first).to_have_text("Approved.")
    expect(page.locator("h1")).to_contain_text("Review queue")
    page.goto(bike_url)
    expect(page.locator(".state .status")).to_have_text("approved")
    expect(page.locator("table.history")).to_contain_text("approve")
    expect(page.locator("table.history")).to_contain_text("tag-remove")
    page.screenshot(path=str(SCREENSHOTS / "notice.png"), full_page=True)

    # The notice with markup in its title shows it as text and runs nothing.
    page.goto(base + "/?q=script")
    page.locator("a.notice-link").first.click()
    expect(page.locator("h1.zh")).to_contain_text(SCRIPT_TITLE)
    page.locator("#headline").fill("Guangdong: <script>alert(2)</script> untrustworthy list")
    page.locator("#summary").fill("<img src=x onerror=alert(3)> summary")
    script_url = page.url
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("p.flash").first).to_have_text("Approved.")
    page.goto(script_url)
    expect(page.locator("#headline")).to_have_value("Guangdong: <script>alert(2)</script> untrustworthy list")
    assert dialogs == []

    # Publish the approved items.
    out = tmp_path / "site"
    assert main(["--db", db_url, "publish", str(out), "--base-url", "https://tracker.example.org/"]) == 0
    site = static_server(out)

    page.goto(site)
    expect(page.locator("article.item")).to_have_count(2)
    expect(page.locator("article.item h2").first).to_have_text(
        "Shenzhen, Guangdong: bike-sharing firms face untrustworthy list"
    )
    expect(page.locator("article.item h2").nth(1)).to_contain_text("<script>alert(2)</script>")
    page.screenshot(path=str(SCREENSHOTS / "published.png"), full_page=True)

    # Filter by a facet, then follow the permalink.
    page.locator('nav.filters [data-facet="industries"] a', has_text="Transport").click()
    expect(page.locator("h1")).to_have_text("Industry: Transport")
    expect(page.locator("article.item")).to_have_count(1)
    page.locator("a.permalink").click()
    expect(page).to_have_url(site + "2025/03/shenzhen-guangdong-bike-sharing-firms-face-untrustworthy-list/index.html")
    expect(page.locator(".zh-title")).to_have_text(BIKE_TITLE)
    expect(page.locator("a.source")).to_have_attribute(
        "href", "https://jtys.sz.gov.cn/zwgk/tzgg/content/post_100001.html"
    )
    tags = page.locator("dl.meta")
    expect(tags).to_contain_text("Credit-based supervision")
    expect(tags).not_to_contain_text("Credit repair")
    page.screenshot(path=str(SCREENSHOTS / "published-item.png"), full_page=True)

    page.goto(site + "locations/440000/index.html")
    expect(page.locator("article.item")).to_have_count(2)
    assert dialogs == []


# --- the security findings of issue 17, each in the browser ------------------------------------------------------


def log_in(page: object, base: str, next_path: str = "", password: str = PASSWORD) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.goto(base + "/login" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("User").fill(ANALYST)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_login_does_not_redirect_off_site(browser_page, newsroom_url) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser_page
    base, _db_url = newsroom_url
    for attack in ("/%09/evil.example/", "/%0a/evil.example/", "//evil.example/", "/%5Cevil.example"):
        page.context.clear_cookies()
        log_in(page, base, attack)
        expect(page.locator("h1")).to_contain_text("Review queue")
        assert page.url == base + "/", attack


def test_a_cookie_reused_after_logout_is_refused(browser_page, newsroom_url) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser_page
    base, _db_url = newsroom_url
    log_in(page, base)
    expect(page.locator("h1")).to_contain_text("Review queue")
    stolen = page.context.cookies()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(base + "/login")

    thief = page.context.browser.new_context()
    try:
        thief.add_cookies(stolen)
        other = thief.new_page()
        other.goto(base + "/")
        expect(other).to_have_url(f"{base}/login?next=/")
        expect(other.locator("h1")).to_have_text("Log in")
    finally:
        thief.close()


def test_a_disabled_analyst_is_signed_out_at_once(browser_page, newsroom_url) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    from scs.cli import main

    page = browser_page
    base, db_url = newsroom_url
    log_in(page, base)
    expect(page.locator("a.notice-link")).to_have_count(3)
    assert main(["--db", db_url, "user", "disable", ANALYST]) == 0
    page.locator("a.notice-link").first.click()
    expect(page.locator("h1")).to_have_text("Log in")
    log_in(page, base)  # and cannot come back
    expect(page.locator("p.error")).to_have_text("Unknown user or wrong password.")


def test_login_is_throttled_after_failed_attempts(browser_page, newsroom_url) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser_page
    base, _db_url = newsroom_url
    for _ in range(5):
        log_in(page, base, password="not the password")
        expect(page.locator("p.error")).to_have_text("Unknown user or wrong password.")
    log_in(page, base)  # the right password, after five wrong ones
    expect(page.locator("p.error")).to_contain_text("Too many failed logins: try again in")
    page.goto(base + "/")
    expect(page.locator("h1")).to_have_text("Log in")


def test_a_review_done_with_the_keyboard_alone(browser_page, newsroom_url) -> None:  # type: ignore[no-untyped-def]
    """Log in, move in the queue, open, edit, approve, reject, go back, send back: no mouse at all."""
    from playwright.sync_api import expect
    from sqlalchemy import select

    from store.db import Store
    from store.models import Notice

    page = browser_page
    base, db_url = newsroom_url
    keys = page.keyboard
    page.goto(base + "/")
    keys.type(ANALYST)  # the user field has the focus
    keys.press("Tab")
    keys.type(PASSWORD)
    keys.press("Enter")
    expect(page.locator("h1")).to_contain_text("Review queue")

    rows = page.locator("tr.queue-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_have_class("queue-row selected")
    keys.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    keys.press("Escape")
    expect(page.locator("#shortcuts")).to_be_hidden()
    keys.press("j")
    keys.press("j")
    expect(rows.nth(2)).to_have_class("queue-row selected")
    keys.press("k")
    keys.press("k")
    expect(rows.nth(0)).to_have_class("queue-row selected")
    keys.press("Enter")
    expect(page.locator("h1.zh")).to_have_text(BIKE_TITLE)

    # e: into the headline (selected, so typing replaces it); Tab to the summary; Esc out; a: approve.
    keys.press("e")
    expect(page.locator("#headline")).to_be_focused()
    keys.type("Shenzhen, Guangdong: bike-sharing firms face untrustworthy list")
    keys.press("Tab")
    keys.press("Control+a")
    keys.type("Shenzhen will list rental bike companies that break the rules.")
    keys.press("Escape")
    keys.press("a")
    expect(page.locator("p.flash")).to_have_text("Approved.")
    expect(page.locator("h1.zh")).to_contain_text(SCRIPT_TITLE)  # the next notice of the queue

    keys.press("r")
    expect(page.locator("p.flash")).to_have_text("Rejected.")
    expect(page.locator("h1.zh")).to_have_text("关于开展建筑市场信用评价工作的通知")
    keys.press("k")  # back to the one just rejected, and forward again
    expect(page.locator("h1.zh")).to_contain_text(SCRIPT_TITLE)
    expect(page.locator(".state .status")).to_have_text("rejected")
    keys.press("j")
    expect(page.locator("h1.zh")).to_have_text("关于开展建筑市场信用评价工作的通知")
    keys.press("n")
    expect(page.locator("p.flash").first).to_have_text("Sent back: needs work.")
    expect(page.locator("p.flash").nth(1)).to_have_text("That was the last notice in the queue.")
    expect(page.locator("h1")).to_contain_text("Review queue")
    page.screenshot(path=str(SCREENSHOTS / "keyboard-walk-end.png"), full_page=True)

    store = Store(db_url)
    with store.session() as db:
        decided = {n.title: (n.status, n.headline_en) for n in db.scalars(select(Notice))}
    store.dispose()
    assert decided[BIKE_TITLE] == ("approved", "Shenzhen, Guangdong: bike-sharing firms face untrustworthy list")
    assert decided[SCRIPT_TITLE][0] == "rejected"
    assert decided["关于开展建筑市场信用评价工作的通知"][0] == "needs-work"


def test_review_screen_side_by_side_with_coloured_evidence(browser_page, newsroom_url) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser_page
    base, _db_url = newsroom_url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, base)
    page.locator("a.notice-link").first.click()

    text, editor = page.locator("article.source-text").bounding_box(), page.locator("#review-form").bounding_box()
    assert text and editor and editor["x"] > text["x"] + text["width"] - 1  # side by side, text on the left
    assert editor["y"] < 400  # the editor is on screen next to the text, not below it

    blacklist = page.locator(".text mark.evidence", has_text="失信名单")
    repair = page.locator(".text mark.evidence", has_text="信用修复")
    background = "mark => getComputedStyle(mark).backgroundColor"
    assert blacklist.evaluate(background) != repair.evaluate(background)  # two tags, two colours
    expect(page.locator("section.legend a.legend-entry")).to_have_count(5)

    page.locator("table.auto-tags a.ev", has_text="信用修复").click()
    expect(repair).to_have_class(re.compile(r"\bflash\b"))
    expect(repair).to_be_in_viewport()
    page.screenshot(path=str(SCREENSHOTS / "review-screen.png"))


def test_typed_text_survives_a_session_that_ended(browser_page, newsroom_url) -> None:  # type: ignore[no-untyped-def]
    """The analyst types, the session ends meanwhile (logged out elsewhere), Approve fails: nothing typed is lost."""
    from playwright.sync_api import expect
    from sqlalchemy import delete

    from store.db import Store
    from store.models import AnalystSession

    page = browser_page
    base, db_url = newsroom_url
    log_in(page, base)
    page.locator("a.notice-link").first.click()
    notice_url = page.url
    page.locator("#headline").fill("Shenzhen: a headline typed with care")
    page.locator("#summary").fill("A summary typed with care.")

    store = Store(db_url)
    with store.session() as db:
        db.execute(delete(AnalystSession))
    store.dispose()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("p.error")).to_contain_text("Your session has ended")

    page.get_by_label("User").fill(ANALYST)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(notice_url)  # back where the form was
    expect(page.locator("#restored")).to_be_visible()
    expect(page.locator("#headline")).to_have_value("Shenzhen: a headline typed with care")
    expect(page.locator("#summary")).to_have_value("A summary typed with care.")

    page.get_by_role("button", name="Save").click()
    expect(page.locator("p.flash")).to_have_text("Saved.")
    page.reload()
    expect(page.locator("#restored")).to_be_hidden()  # saved: nothing left to put back
    expect(page.locator("#headline")).to_have_value("Shenzhen: a headline typed with care")
