"""The newsroom's entity pages: a notice's entities and attachments, an entity's history (SYNTHETIC notices)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from newsroom_data import ANALYST, PASSWORD, SECRET_KEY
from sqlalchemy import select
from test_entity_store import NOTICE_URL, PDF_ROWS, PDF_URL, XLSX_ROWS, XLSX_URL, attachment, notice
from test_newsroom_app import login

from crawler.items import Attachment
from mirror.synthetic_files import pdf_file, xlsx_file
from newsroom import create_app
from newsroom.auth import add_user
from pipelines.offload import CountingStats
from pipelines.stages import StorePipeline
from store.db import Store
from store.models import Notice

SECOND_URL = NOTICE_URL.replace("art_1", "art_2")


@pytest.fixture
def client(db_url: str) -> FlaskClient:
    store = Store(db_url)
    with store.session() as db:
        add_user(db, ANALYST, PASSWORD)
    stage = StorePipeline(db_url, None, CountingStats())
    stage.open_spider()
    stage.process_item(
        notice(NOTICE_URL, "现将名单予以公布。", [Attachment(XLSX_URL, "名单.xlsx", "xlsx")], "blacklist")
    )
    stage.process_item(attachment(XLSX_URL, xlsx_file("严重失信名单", XLSX_ROWS), "xlsx"))
    links = [Attachment(PDF_URL, "移出名单.pdf", "pdf")]
    stage.process_item(notice(SECOND_URL, "现将移出名单予以公布。", links, "credit-repair", day=20))
    stage.process_item(attachment(PDF_URL, pdf_file("移出名单", (), PDF_ROWS), "pdf", notice_url=SECOND_URL))
    stage.close_spider()
    app = create_app(db_url, secret_key=SECRET_KEY)
    test_client = app.test_client()
    login(test_client)
    return test_client


def notice_id(db_url: str, url: str) -> int:
    with Store(db_url).session() as db:
        return db.scalars(select(Notice.id).where(Notice.url == url)).one()


def test_a_notice_shows_its_attachments_and_entities_with_invalid_codes_marked(
    client: FlaskClient, db_url: str
) -> None:
    page = client.get(f"/notice/{notice_id(db_url, NOTICE_URL)}/entities").get_data(as_text=True)
    assert "<td>xlsx</td><td>ok</td>" in page
    assert "某某建设工程有限公司" in page and 'href="/entity/91310110666007217T"' in page
    assert "91350211M00013FA1N" in page and "invalid" in page
    assert 'href="/entity/91350211M00013FA1N"' not in page  # an invalid code is no entity: no page to link
    assert "/entities" in client.get(f"/notice/{notice_id(db_url, NOTICE_URL)}").get_data(as_text=True)


def test_an_entity_page_lists_every_notice_it_is_on(client: FlaskClient, db_url: str) -> None:
    page = client.get("/entity/91310110666007217T").get_data(as_text=True)
    assert "某某建设工程有限公司" in page and "上海市杨浦区" in page
    assert page.index("2026-10-10") < page.index("2026-10-20")
    assert "blacklist" in page and "credit-repair" in page
    assert f'href="/notice/{notice_id(db_url, SECOND_URL)}"' in page
    assert "fails its GB 32100 check" in client.get("/entity/91350211M00013FA1N").get_data(as_text=True)
    assert client.get("/entity/91110000600037341L").status_code == 404


def test_entity_pages_need_a_login(db_url: str, client: FlaskClient) -> None:
    anonymous = create_app(db_url, secret_key=SECRET_KEY).test_client()
    assert anonymous.get("/entity/91310110666007217T").status_code == 302
