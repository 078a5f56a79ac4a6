"""The review screen and the queue for a working day: colours and anchors of the evidence, decide → next,
typed text kept when an action fails, edit conflicts, place names, 文号 and publisher columns, page size."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from newsroom_data import BIKE_TITLE, SCRIPT_TITLE, SECRET_KEY, add_notice, seeded_store
from sqlalchemy import select
from test_newsroom_app import csrf_of, login, notice_id, queue_titles

from newsroom import create_app
from newsroom.highlight import Span, highlight
from newsroom.places import PlaceError, picker_choices, place_label, resolve_place
from store.db import Store
from store.models import AuditEntry, Notice

CONSTRUCTION_TITLE = "关于开展建筑市场信用评价工作的通知"


@pytest.fixture
def store(db_url: str) -> Store:
    return seeded_store(db_url)


@pytest.fixture
def app(store: Store, db_url: str) -> Flask:
    return create_app(db_url, secret_key=SECRET_KEY)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    client = app.test_client()
    login(client)
    return client


def review_form(client: FlaskClient, nid: int) -> dict[str, str]:
    html = client.get(f"/notice/{nid}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', html)
    assert version, "the review form carries the version it was made from"
    return {"csrf_token": csrf_of(client, f"/notice/{nid}"), "version": version.group(1)}


# --- places --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("440300", "440300"),
        ("深圳", "440300"),
        ("深圳市", "440300"),
        ("Shenzhen", "440300"),
        ("guangdong", "440000"),
        ("深圳市 Shenzhen, Guangdong (440300)", "440300"),
        ("  广东省 ", "440000"),
        ("中国", "000000"),
    ],
)
def test_places_by_name_or_code(text: str, code: str) -> None:
    assert resolve_place(text) == code


@pytest.mark.parametrize(
    ("text", "problem"),
    [("3%0000", "no place is called"), ("440399", "no place has the code"), ("吉林", "could be several"), ("", "no")],
)
def test_unknown_or_ambiguous_places_are_refused(text: str, problem: str) -> None:
    with pytest.raises(PlaceError, match=problem):
        resolve_place(text)


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("440300", "深圳市 Shenzhen, Guangdong"),
        ("440000", "广东省 Guangdong"),
        ("440305", "南山区 Shenzhen, Guangdong"),
    ],
)
def test_place_labels_name_the_province(code: str, label: str) -> None:
    assert place_label(code) == label


def test_the_picker_offers_provinces_and_cities_with_codes() -> None:
    choices = picker_choices()
    assert "深圳市 Shenzhen, Guangdong (440300)" in choices and "广东省 Guangdong (440000)" in choices
    assert not any(choice.endswith("(440305)") for choice in choices)  # counties by typing their name


# --- highlights ----------------------------------------------------------------------------------------------


def test_highlights_take_the_colour_of_the_first_label_and_an_anchor_where_they_start() -> None:
    text = "纳入失信名单并联合惩戒"
    spans = [Span(2, 6, "scs_types:blacklist"), Span(4, 6, "industries:x"), Span(7, 11, "scs_types:joint")]
    classes = {"scs_types:blacklist": "f-scs_types c-scs_types-0", "industries:x": "f-industries c-industries-0"}
    assert highlight(text, spans, "text", classes) == (
        '纳入<mark class="evidence f-scs_types c-scs_types-0" id="ev-text-2" title="scs_types:blacklist">失信</mark>'
        '<mark class="evidence f-scs_types c-scs_types-0 multi" id="ev-text-4"'
        ' title="industries:x scs_types:blacklist">名单</mark>并'
        '<mark class="evidence" id="ev-text-7" title="scs_types:joint">联合惩戒</mark>'
    )


def test_each_tag_has_its_colour_a_legend_entry_and_evidence_links_to_its_marks(
    client: FlaskClient, store: Store
) -> None:
    html = client.get(f"/notice/{notice_id(store, BIKE_TITLE)}").get_data(as_text=True)
    marks = dict(re.findall(r'<mark class="evidence ([^"]*)" id="[^"]+" title="([^"]+)">', html))
    colour_of = {label: classes for classes, label in marks.items()}
    scs_colours = {colour_of[f"scs_types:{v}"] for v in ("blacklist", "joint-enforcement", "credit-repair")}
    assert len(scs_colours) == 3  # three SCS types, three colours
    assert all(c.startswith("f-scs_types ") for c in scs_colours)
    assert colour_of["industries:transport"].startswith("f-industries ")

    legend = re.search(r'<section class="legend".*?</section>', html, re.S)
    assert legend
    for label in colour_of:
        assert f'data-label="{label}"' in legend.group(0)
    # every evidence link of the auto tags points at a mark that exists
    targets = re.findall(r'<a class="ev" href="#([^"]+)">', html)
    assert len(targets) == 7
    for target in targets:
        assert f'id="{target}"' in html


# --- decide, then the next notice of the queue ----------------------------------------------------------------


def test_a_decision_goes_on_to_the_next_notice_of_the_queue(client: FlaskClient, store: Store) -> None:
    titles = queue_titles(client)  # the analyst looks at the queue: bike, script, construction
    assert [t[:6] for t in titles] == [BIKE_TITLE[:6], "&lt;sc", CONSTRUCTION_TITLE[:6]]
    first, second, third = (notice_id(store, t) for t in (BIKE_TITLE, SCRIPT_TITLE, CONSTRUCTION_TITLE))

    page = client.get(f"/notice/{second}").get_data(as_text=True)
    assert f'id="previous-notice" rel="prev" href="/notice/{first}"' in page
    assert f'id="next-notice" rel="next" href="/notice/{third}"' in page

    response = client.post(f"/notice/{first}/review", data={**review_form(client, first), "action": "reject"})
    assert response.headers["Location"] == f"/notice/{second}"
    response = client.post(f"/notice/{third}/review", data={**review_form(client, third), "action": "needs-work"})
    # The end of the page: the queue again holds only notices already seen on this pass, so back to the queue.
    assert response.headers["Location"].startswith("/?")
    assert "last notice in the queue" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_next_reloads_the_queue_at_the_end_of_the_page(client: FlaskClient, store: Store) -> None:
    with store.session() as db:
        for number in range(3):
            add_notice(
                db,
                title=f"信用通知{number}",
                body="信用",
                url=f"https://x.gov.cn/{number}.html",
                published=dt.date(2024, 1, 1 + number),
            )
    html = client.get("/?per_page=25").get_data(as_text=True)
    assert html.count('class="queue-row"') == 6
    # The analyst's queue page ended with 信用通知0: "next" loads the queue again and takes the first unseen.
    last = notice_id(store, "信用通知0")
    with client.session_transaction() as session:
        session["queue"] = {"args": {"per_page": "25", "page": 1}, "ids": [last]}
    response = client.get(f"/notice/{last}/next")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/notice/{notice_id(store, BIKE_TITLE)}"  # first not yet seen


# --- failed actions keep the typed text; conflicts are shown, never overwritten -----------------------------------


def test_a_failed_approval_keeps_the_typed_text(client: FlaskClient, store: Store) -> None:
    nid = notice_id(store, BIKE_TITLE)
    typed = "My careful summary of the notice, typed for ten minutes."
    response = client.post(
        f"/notice/{nid}/review",
        data={**review_form(client, nid), "headline": "", "summary": typed, "action": "approve"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert typed in html and 'value=""' in html  # the empty headline stays empty: what was typed, not the draft
    assert "needs an English headline and summary" in html
    with store.session() as db:
        notice = db.get(Notice, nid)
        assert (notice.status, notice.summary_en, notice.review_version) == ("new", "", 0)


def test_two_analysts_saving_the_same_notice_conflict(app: Flask, client: FlaskClient, store: Store) -> None:
    nid = notice_id(store, BIKE_TITLE)
    other = app.test_client()
    login(other)
    mine, theirs = review_form(client, nid), review_form(other, nid)
    assert mine["version"] == theirs["version"] == "0"

    saved = other.post(
        f"/notice/{nid}/review",
        data={**theirs, "headline": "Shenzhen: their headline", "summary": "Their summary.", "action": "save"},
    )
    assert saved.status_code == 302
    clash = client.post(
        f"/notice/{nid}/review",
        data={**mine, "headline": "Shenzhen: my headline", "summary": "My summary.", "action": "approve"},
    )
    assert clash.status_code == 409
    html = clash.get_data(as_text=True)
    assert "Edit conflict" in html
    assert 'value="Shenzhen: my headline"' in html and "My summary." in html  # mine kept in the form
    assert '<dd class="their-headline">Shenzhen: their headline</dd>' in html  # theirs shown
    with store.session() as db:
        notice = db.get(Notice, nid)
        assert (notice.headline_en, notice.status, notice.review_version) == ("Shenzhen: their headline", "new", 1)
        assert [e.action for e in db.scalars(select(AuditEntry).where(AuditEntry.notice_id == nid))] == ["edit"]

    # Sent again from the conflict page (which carries the new version), mine replaces theirs knowingly.
    version = re.search(r'name="version" value="(\d+)"', html)
    assert version and version.group(1) == "1"
    again = client.post(
        f"/notice/{nid}/review",
        data={
            "csrf_token": mine["csrf_token"],
            "version": "1",
            "headline": "Shenzhen: my headline",
            "summary": "My summary.",
            "action": "save",
        },
    )
    assert again.status_code == 302
    with store.session() as db:
        assert db.get(Notice, nid).headline_en == "Shenzhen: my headline"


def test_a_bad_version_or_action_is_a_bad_request(client: FlaskClient, store: Store) -> None:
    nid = notice_id(store, BIKE_TITLE)
    form = review_form(client, nid)
    assert client.post(f"/notice/{nid}/review", data={**form, "version": "x"}).status_code == 400
    assert client.post(f"/notice/{nid}/review", data={**form, "action": "publish"}).status_code == 400
    assert client.post("/notice/999999/review", data={**form, "action": "save"}).status_code == 404


# --- the queue's columns, place picker and page size ---------------------------------------------------------------


def test_queue_shows_place_names_document_numbers_and_publishers(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<div class="place" title="440300">深圳市 Shenzhen, Guangdong</div>' in html
    assert '<td class="doc-number" lang="zh">深交规〔2025〕3号</td>' in html
    assert '<td class="publisher" lang="zh">深圳市住房和城乡建设局</td>' in html
    assert '<option value="广东省 Guangdong (440000)">' in html  # the picker


@pytest.mark.parametrize("place", ["广东", "Guangdong", "广东省 Guangdong (440000)", "440000"])
def test_queue_filters_by_place_name(client: FlaskClient, place: str) -> None:
    assert len(queue_titles(client, f"?locations={place}")) == 3


def test_an_unknown_place_is_said_and_a_bad_request(client: FlaskClient) -> None:
    response = client.get("/?locations=Atlantis")
    assert response.status_code == 400
    assert "no place is called &#39;Atlantis&#39;" in response.get_data(as_text=True)


def test_page_size(client: FlaskClient, store: Store) -> None:
    with store.session() as db:
        for number in range(60):
            add_notice(db, title=f"信用通知{number:02d}", body="信用", url=f"https://x.gov.cn/{number}.html")
    assert len(queue_titles(client)) == 25
    assert len(queue_titles(client, "?per_page=50")) == 50
    assert len(queue_titles(client, "?per_page=100")) == 63
    html = client.get("/?per_page=50").get_data(as_text=True)
    assert "per_page=50" in re.search(r'<a rel="next" href="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    assert client.get("/?per_page=7").status_code == 400


def test_adding_a_location_by_name(client: FlaskClient, store: Store) -> None:
    nid = notice_id(store, BIKE_TITLE)
    token = csrf_of(client, f"/notice/{nid}")
    client.post(
        f"/notice/{nid}/tags",
        data={"csrf_token": token, "facet": "locations", "value": "广东省 Guangdong (440000)", "op": "add"},
    )
    client.post(f"/notice/{nid}/tags", data={"csrf_token": token, "facet": "locations", "value": "吉林", "op": "add"})
    html = client.get(f"/notice/{nid}").get_data(as_text=True)
    assert 'data-value="440000"' in html
    assert "could be several places" in html  # the ambiguous name is refused, with the choices
