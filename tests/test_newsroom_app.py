"""The analysts' web app: login, CSRF, the queue, the notice page, tag corrections, decisions, audit, escaping."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from newsroom_data import ANALYST, BIKE_BODY, BIKE_TITLE, PASSWORD, SCRIPT_TITLE, SECRET_KEY, evidence, seeded_store
from sqlalchemy import select, update

from newsroom import create_app
from newsroom.auth import UserError, add_user, authenticate
from store.db import Store
from store.models import AnalystSession, AuditEntry, Notice, Tag, User
from store.repository import effective_tags

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def store(db_url: str) -> Store:
    return seeded_store(db_url)


@pytest.fixture
def app(store: Store, db_url: str) -> Flask:
    return create_app(db_url, secret_key=SECRET_KEY, session_minutes=30)


def csrf_of(client: FlaskClient, path: str) -> str:
    match = CSRF.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, name: str = ANALYST, password: str = PASSWORD) -> None:
    token = csrf_of(client, "/login")
    response = client.post("/login", data={"name": name, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    client = app.test_client()
    login(client)
    return client


def notice_id(store: Store, title: str) -> int:
    with store.session() as db:
        return db.scalars(select(Notice.id).where(Notice.title == title)).one()


# --- accounts and sessions -------------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes(store: Store) -> None:
    with store.session() as db:
        user = db.scalars(select(User).where(User.name == ANALYST)).one()
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        assert authenticate(db, ANALYST, PASSWORD) is not None
        assert authenticate(db, ANALYST, "wrong password") is None
        assert authenticate(db, "nobody", PASSWORD) is None


@pytest.mark.parametrize(
    ("name", "password", "problem"),
    [(ANALYST, "another long one", "already exists"), ("bob", "short", "at least"), ("  ", "long enough!", "1 to 64")],
)
def test_bad_accounts_are_refused(store: Store, name: str, password: str, problem: str) -> None:
    with store.session() as db, pytest.raises(UserError, match=problem):
        add_user(db, name, password)


def test_inactive_user_cannot_log_in(store: Store) -> None:
    with store.session() as db:
        db.scalars(select(User).where(User.name == ANALYST)).one().active = False
        assert authenticate(db, ANALYST, PASSWORD) is None


@pytest.mark.parametrize("path", ["/", "/notice/1", "/?status=all"])
def test_pages_without_login_redirect_to_login(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_post_without_login_is_refused(app: Flask, store: Store) -> None:
    client = app.test_client()
    token = csrf_of(client, "/login")  # a valid token, but nobody logged in
    response = client.post("/notice/1/review", data={"csrf_token": token, "headline": "x", "action": "approve"})
    assert response.status_code == 401
    with store.session() as db:
        assert db.get(Notice, 1).status == "new"


def test_wrong_password_is_refused(app: Flask) -> None:
    client = app.test_client()
    token = csrf_of(client, "/login")
    response = client.post("/login", data={"name": ANALYST, "password": "nope nope nope", "csrf_token": token})
    assert response.status_code == 401
    assert client.get("/").status_code == 302


def test_login_then_logout(client: FlaskClient) -> None:
    assert client.get("/").status_code == 200
    token = csrf_of(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_login_redirects_only_to_local_paths(app: Flask) -> None:
    client = app.test_client()
    token = csrf_of(client, "/login")
    response = client.post(
        "/login?next=//evil.example/", data={"name": ANALYST, "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_sessions_expire_after_idle_minutes(client: FlaskClient, store: Store) -> None:
    assert client.get("/").status_code == 200
    with store.session() as db:
        db.execute(update(AnalystSession).values(last_seen=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=31)))
    assert client.get("/").status_code == 302


# --- CSRF ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_forms_without_a_valid_csrf_token_are_refused(client: FlaskClient, store: Store, token: str | None) -> None:
    data = {"headline": "Shenzhen: forged", "summary": "Forged.", "action": "approve"}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/notice/1/review", data=data)
    assert response.status_code == 400
    tag = client.post(
        "/notice/1/tags",
        data={
            "facet": "scs_types",
            "value": "redlist",
            "op": "add",
            **({"csrf_token": token} if token is not None else {}),
        },
    )
    assert tag.status_code == 400
    with store.session() as db:
        notice = db.get(Notice, 1)
        assert (notice.status, notice.headline_en) == ("new", "")
        assert "redlist" not in effective_tags(notice)["scs_types"]


def test_login_form_needs_csrf_too(app: Flask) -> None:
    response = app.test_client().post("/login", data={"name": ANALYST, "password": PASSWORD})
    assert response.status_code == 400


# --- the queue -------------------------------------------------------------------------------------------


def queue_titles(client: FlaskClient, query: str = "") -> list[str]:
    html = client.get("/" + query).get_data(as_text=True)
    return re.findall(r'class="notice-link"[^>]*>([^<]*)<', html)


def test_queue_lists_relevant_unreviewed_notices_newest_first(client: FlaskClient) -> None:
    titles = queue_titles(client)
    assert titles[0] == BIKE_TITLE  # 2025-03-14
    assert titles[-1] == "关于开展建筑市场信用评价工作的通知"  # 2025-01-20
    assert len(titles) == 3
    assert "关于2025年春节放假安排的通知" not in titles  # not relevant


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?source=sz-zjj", ["关于开展建筑市场信用评价工作的通知"]),
        ("?industries=transport", [BIKE_TITLE]),
        ("?scs_types=credit-rating", ["关于开展建筑市场信用评价工作的通知"]),
        ("?locations=440000", [BIKE_TITLE, "&lt;script&gt;", "关于开展建筑市场"]),  # with its cities
        ("?locations=440000&scs_types=credit-rating", ["关于开展建筑市场"]),
        ("?q=共享单车", [BIKE_TITLE]),
        ("?q=%25", []),  # LIKE wildcards are searched literally
        ("?from=2025-02-01&to=2025-02-28", ["&lt;script&gt;"]),
        ("?status=approved", []),
    ],
)
def test_queue_filters(client: FlaskClient, query: str, expected: list[str]) -> None:
    titles = queue_titles(client, query)
    assert len(titles) == len(expected)
    for title, wanted in zip(titles, expected, strict=True):
        assert title.startswith(wanted)


def test_queue_pages(client: FlaskClient, store: Store) -> None:
    from newsroom_data import add_notice

    with store.session() as db:
        for number in range(30):
            add_notice(
                db,
                title=f"信用通知{number:02d}",
                body="信用",
                url=f"https://x.gov.cn/{number}.html",
                published=dt.date(2024, 1, 1) + dt.timedelta(days=number),
            )
    first_html = client.get("/").get_data(as_text=True)
    older = re.search(r'rel="next" href="/\?after=([^&"]+)', first_html)
    assert older, "the first page links to the older notices"
    first, second = queue_titles(client), queue_titles(client, f"?after={older.group(1)}")
    assert len(first) == 25 and len(second) == 8
    assert not set(first) & set(second)
    assert 'rel="next"' not in client.get(f"/?after={older.group(1)}").get_data(as_text=True)


# --- the notice page and the analyst's work ----------------------------------------------------------------


def test_notice_page_shows_metadata_evidence_and_draft(client: FlaskClient, store: Store) -> None:
    html = client.get(f"/notice/{notice_id(store, BIKE_TITLE)}").get_data(as_text=True)
    assert "深交规〔2025〕3号" in html and "深圳市交通运输局" in html and "2025-03-14" in html
    assert 'href="https://jtys.sz.gov.cn/zwgk/tzgg/content/post_100001.html"' in html
    assert re.search(r'<mark class="evidence [^"]*" id="ev-text-\d+" title="scs_types:blacklist">失信名单</mark>', html)
    assert re.search(
        r'<mark class="evidence [^"]*" id="ev-text-45" title="scs_types:joint-enforcement">联合惩戒</mark>', html
    )
    assert (
        '<span class="publisher"><mark class="evidence f-locations c-locations-0" id="ev-publisher-0"'
        ' title="locations:440300">深圳市</mark>交通运输局</span>'
    ) in html
    assert 'value="Shenzhen, Guangdong: untrustworthy list for rental bike companies"' in html
    assert "Shenzhen" in html and "(440300)" in html


def test_stale_evidence_offsets_still_highlight_the_term(client: FlaskClient, store: Store) -> None:
    html = client.get(f"/notice/{notice_id(store, '关于开展建筑市场信用评价工作的通知')}").get_data(as_text=True)
    assert re.search(
        r'<mark class="evidence [^"]*" id="ev-text-\d+" title="scs_types:credit-rating">信用评价</mark>', html
    )


def test_a_suggestion_is_shown_with_its_probability_but_is_no_tag(client: FlaskClient, store: Store) -> None:
    nid = notice_id(store, BIKE_TITLE)
    with store.session() as db:
        notice = db.get(Notice, nid)
        assert notice is not None
        found = [evidence(BIKE_BODY, "信用修复")]
        suggestion = Tag(facet="scs_types", value="redlist", origin="auto", present=False, score=1.0, confidence=0.21)
        suggestion.evidence = found
        notice.tags.append(suggestion)
    html = client.get(f"/notice/{nid}").get_data(as_text=True)
    assert re.search(r"redlist <em>\(suggestion: below the model's tag threshold\)</em>", html)
    assert "<td>0.21</td>" in html
    assert not re.search(
        r'<mark class="evidence[^"]*"[^>]*title="[^"]*redlist', html
    )  # its evidence is not highlighted
    with store.session() as db:
        notice = db.get(Notice, nid)
        assert notice is not None and "redlist" not in effective_tags(notice)["scs_types"]


def test_tag_corrections_are_analyst_rows_and_audited(client: FlaskClient, store: Store) -> None:
    nid = notice_id(store, BIKE_TITLE)
    token = csrf_of(client, f"/notice/{nid}")
    client.post(
        f"/notice/{nid}/tags",
        data={"csrf_token": token, "facet": "scs_types", "value": "credit-repair", "op": "remove"},
    )
    client.post(
        f"/notice/{nid}/tags", data={"csrf_token": token, "facet": "scs_types", "value": "supervision", "op": "add"}
    )
    client.post(f"/notice/{nid}/tags", data={"csrf_token": token, "facet": "locations", "value": "440000", "op": "add"})
    bad = client.post(
        f"/notice/{nid}/tags", data={"csrf_token": token, "facet": "scs_types", "value": "made-up", "op": "add"}
    )
    assert bad.status_code == 302
    with store.session() as db:
        notice = db.get(Notice, nid)
        tags = effective_tags(notice)
        assert tags["scs_types"] == ["blacklist", "joint-enforcement", "supervision"]
        assert tags["locations"] == ["440000", "440300"]
        auto = [t for t in notice.tags if t.origin == "auto" and t.value == "credit-repair"]
        assert len(auto) == 1 and auto[0].present  # the auto row is kept, hidden by the analyst's row
        analyst = {(t.value, t.present, t.set_by) for t in notice.tags if t.origin == "analyst"}
        assert analyst == {("credit-repair", False, ANALYST), ("supervision", True, ANALYST), ("440000", True, ANALYST)}
        actions = [(e.action, e.detail["value"]) for e in db.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert actions == [("tag-remove", "credit-repair"), ("tag-add", "supervision"), ("tag-add", "440000")]
    html = client.get(f"/notice/{nid}").get_data(as_text=True)
    assert "made-up" in html  # the refusal is shown to the analyst
    assert "tag-remove" in html and "credit-repair" in html  # the audit trail on the page


def test_approve_saves_english_text_slug_and_audit(client: FlaskClient, store: Store) -> None:
    nid = notice_id(store, BIKE_TITLE)
    token = csrf_of(client, f"/notice/{nid}")
    response = client.post(
        f"/notice/{nid}/review",
        data={
            "csrf_token": token,
            "headline": "Shenzhen, Guangdong: rental bike companies face untrustworthy list",
            "summary": "Shenzhen's transport bureau will list bike-sharing firms that break the rules.",
            "action": "approve",
        },
    )
    assert response.status_code == 302
    with store.session() as db:
        notice = db.get(Notice, nid)
        assert notice.status == "approved" and notice.reviewed_by == ANALYST and notice.reviewed_at
        assert notice.headline_en.startswith("Shenzhen, Guangdong: rental bike")
        assert notice.slug == "shenzhen-guangdong-rental-bike-companies-face-untrustworthy-list"
        entry = db.scalars(select(AuditEntry).where(AuditEntry.notice_id == nid)).one()
        assert entry.action == "approve" and entry.user == ANALYST
        assert entry.detail["status"] == ["new", "approved"]
        assert entry.detail["headline_en"][0] == ""
    assert BIKE_TITLE not in queue_titles(client)  # reviewed: off the default queue
    assert BIKE_TITLE in queue_titles(client, "?status=approved")


def test_approval_needs_a_headline(client: FlaskClient, store: Store) -> None:
    nid = notice_id(store, BIKE_TITLE)
    token = csrf_of(client, f"/notice/{nid}")
    client.post(
        f"/notice/{nid}/review", data={"csrf_token": token, "headline": " ", "summary": "", "action": "approve"}
    )
    with store.session() as db:
        assert db.get(Notice, nid).status == "new"


@pytest.mark.parametrize(("action", "status"), [("reject", "rejected"), ("needs-work", "needs-work")])
def test_other_decisions(client: FlaskClient, store: Store, action: str, status: str) -> None:
    nid = notice_id(store, BIKE_TITLE)
    token = csrf_of(client, f"/notice/{nid}")
    client.post(f"/notice/{nid}/review", data={"csrf_token": token, "headline": "", "summary": "", "action": action})
    with store.session() as db:
        assert db.get(Notice, nid).status == status


def test_changed_at_source_is_flagged_and_back_in_queue(client: FlaskClient, store: Store) -> None:
    with store.session() as db:
        notice = db.scalars(select(Notice).where(Notice.title == BIKE_TITLE)).one()
        notice.status, notice.headline_en, notice.summary_en = "approved", "Shenzhen: x", "y"
        notice.changed_since_review = True
    assert BIKE_TITLE in queue_titles(client)
    assert BIKE_TITLE in queue_titles(client, "?status=changed")
    html = client.get(f"/notice/{notice_id(store, BIKE_TITLE)}").get_data(as_text=True)
    assert "source page changed since the last review" in html


# --- escaping ----------------------------------------------------------------------------------------------


def test_script_in_title_is_inert_in_the_app(client: FlaskClient, store: Store) -> None:
    nid = notice_id(store, SCRIPT_TITLE)
    for path in ("/", f"/notice/{nid}", "/?q=script"):
        html = client.get(path).get_data(as_text=True)
        html = html.replace('<script src="/static/newsroom.js" defer></script>', "", 1)  # the app's own, only
        assert "<script" not in html and "<img" not in html and "<b>" not in html
        assert "&lt;script&gt;alert(" in html
    html = client.get(f"/notice/{nid}").get_data(as_text=True)
    assert re.search(r'<mark class="evidence [^"]*" id="ev-text-\d+" title="scs_types:blacklist">失信名单</mark>', html)


def test_non_http_source_links_are_not_links(client: FlaskClient, store: Store) -> None:
    with store.session() as db:
        db.get(Notice, 1).url = "javascript:alert(1)"
    html = client.get("/notice/1").get_data(as_text=True)
    assert 'href="javascript:' not in html


def test_session_cookie_flags(store: Store, db_url: str) -> None:
    client = create_app(db_url, secret_key=SECRET_KEY, secure_cookies=True).test_client()
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_analyst_relevance_decision_moves_notices_between_queues(client: FlaskClient, store: Store) -> None:
    holiday = "关于2025年春节放假安排的通知"
    assert holiday in queue_titles(client, "?relevance=not-relevant")
    nid = notice_id(store, holiday)
    token = csrf_of(client, f"/notice/{nid}")
    client.post(f"/notice/{nid}/relevance", data={"csrf_token": token, "relevant": "yes"})
    assert holiday in queue_titles(client) and holiday not in queue_titles(client, "?relevance=not-relevant")
    client.post(f"/notice/{nid}/relevance", data={"csrf_token": token, "relevant": "auto"})
    assert holiday not in queue_titles(client)
    assert client.post(f"/notice/{nid}/relevance", data={"csrf_token": token, "relevant": "maybe"}).status_code == 400
    with store.session() as db:
        details = [e.detail for e in db.scalars(select(AuditEntry).where(AuditEntry.action == "relevance"))]
        assert details == [{"relevant_analyst": [None, True]}, {"relevant_analyst": [True, None]}]


def test_tag_correction_redrafts_the_machine_text(client: FlaskClient, store: Store) -> None:
    nid = notice_id(store, BIKE_TITLE)
    token = csrf_of(client, f"/notice/{nid}")
    client.post(
        f"/notice/{nid}/tags", data={"csrf_token": token, "facet": "locations", "value": "440300", "op": "remove"}
    )
    client.post(f"/notice/{nid}/tags", data={"csrf_token": token, "facet": "locations", "value": "440100", "op": "add"})
    with store.session() as db:
        notice = db.get(Notice, nid)
        assert notice.draft_headline.startswith("Guangzhou, Guangdong issues notice on untrustworthy list")
        assert notice.draft_summary.startswith("The ")
    assert "Guangzhou, Guangdong issues notice" in client.get(f"/notice/{nid}").get_data(as_text=True)


def test_tag_correction_never_touches_text_the_analyst_wrote(client: FlaskClient, store: Store) -> None:
    nid = notice_id(store, BIKE_TITLE)
    token = csrf_of(client, f"/notice/{nid}")
    client.post(
        f"/notice/{nid}/review",
        data={"csrf_token": token, "headline": "Shenzhen: my headline", "summary": "My summary.", "action": "save"},
    )
    client.post(f"/notice/{nid}/tags", data={"csrf_token": token, "facet": "locations", "value": "440100", "op": "add"})
    with store.session() as db:
        notice = db.get(Notice, nid)
        assert (notice.headline_en, notice.summary_en) == ("Shenzhen: my headline", "My summary.")
        assert notice.draft_headline == "Shenzhen, Guangdong: untrustworthy list for rental bike companies"
    html = client.get(f"/notice/{nid}").get_data(as_text=True)
    assert 'value="Shenzhen: my headline"' in html
