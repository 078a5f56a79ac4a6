"""End to end: `scs demo` crawls every source from the offline mirror, twice, into one database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from store.db import Store
from store.models import Notice, Tag

pytestmark = pytest.mark.slow


def scs(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SCS_DATABASE_URL": db}
    return subprocess.run(
        [sys.executable, "-m", "scs.cli", *args], capture_output=True, text=True, env=env, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def first_run(demo_db: str) -> subprocess.CompletedProcess[str]:
    return scs("demo", db=demo_db)


def source_ids() -> list[str]:
    from crawler.sourceconfig import load_sources

    return sorted(load_sources())


def summary_rows(output: str) -> dict[str, list[str]]:
    return {line.split()[0]: line.split() for line in output.splitlines() if line.strip()}


def test_demo_stores_notices_from_every_source(first_run: subprocess.CompletedProcess[str], demo_db: str) -> None:
    assert first_run.returncode == 0, first_run.stdout + first_run.stderr
    rows = summary_rows(first_run.stdout)
    for source in source_ids():
        assert source in rows, f"{source} missing from the summary:\n{first_run.stdout}"
        assert int(rows[source][2]) > 0, f"{source} stored no new notice:\n{first_run.stdout}"
    store = Store(demo_db)
    with store.session() as session:
        assert (session.scalar(select(func.count()).select_from(Notice)) or 0) >= 30
        assert set(session.scalars(select(Notice.source).distinct())) == set(source_ids())


def test_demo_stores_attachment_text_and_finds_entities_on_xlsx_and_pdf_lists(
    first_run: subprocess.CompletedProcess[str], demo_db: str
) -> None:
    from store.models import AttachmentText

    assert first_run.returncode == 0, first_run.stdout + first_run.stderr
    store = Store(demo_db)
    with store.session() as session:
        linking = {notice.url for notice in session.scalars(select(Notice)) if notice.attachments}
        read = set(session.scalars(select(AttachmentText.notice_url).where(AttachmentText.status == "ok")))
    assert linking and linking == read, linking ^ read  # every stored notice with a link has its attachment text
    found_in: dict[str, set[str]] = {}
    for name in ("某某建设", "某某食品"):
        result = scs("entities", "--name", name, "--json", db=demo_db)
        assert result.returncode == 0, result.stderr
        for entity in json.loads(result.stdout):
            assert entity["valid"] is True
            for entry in entity["lists"]:
                for where in entry["found_in"]:
                    url = where["attachment_url"] or ""
                    found_in.setdefault(url.split("?")[0].rsplit(".", 1)[-1], set()).add(entity["code"])
    assert found_in.get("xlsx") and found_in.get("pdf"), found_in


def test_bad_pages_are_counted_not_lost(first_run: subprocess.CompletedProcess[str], demo_db: str) -> None:
    from store.models import QuarantinedPage

    store = Store(demo_db)
    with store.session() as session:
        kinds = set(session.scalars(select(QuarantinedPage.kind)))
    assert kinds, "the fixtures hold bad pages; they must be quarantined with a reason"
    total_row = summary_rows(first_run.stdout)["total"]
    assert int(total_row[5]) > 0, first_run.stdout


def test_notices_json_has_metadata_and_evidence(first_run: subprocess.CompletedProcess[str], demo_db: str) -> None:
    result = scs("notices", "--json", "--limit", "0", db=demo_db)
    assert result.returncode == 0, result.stderr
    notices = json.loads(result.stdout)
    required = {"id", "source", "url", "title", "published", "written", "publisher", "doc_number", "relevant"}
    for notice in notices:
        assert required <= notice.keys()
        assert notice["title"] and notice["publisher"]
        for facet in ("scs_types", "industries", "locations"):
            assert isinstance(notice[facet], list)
    assert sum(1 for n in notices if n["published"]) >= 0.9 * len(notices)
    assert any(n["doc_number"] for n in notices)
    relevant = [n for n in notices if n["relevant"]]
    irrelevant = [n for n in notices if not n["relevant"]]
    assert relevant and irrelevant, "the mirror holds SCS notices and unrelated ones"
    tagged = [n for n in relevant if n["scs_types"]]
    assert tagged
    for notice in tagged:
        for value in notice["scs_types"]:
            assert notice["evidence"]["scs_types"][value], f"{value} on {notice['url']} has no evidence"


def test_second_demo_run_is_idempotent_and_keeps_analyst_tags(
    first_run: subprocess.CompletedProcess[str], demo_db: str
) -> None:
    store = Store(demo_db)
    with store.session() as session:
        before = session.scalar(select(func.count()).select_from(Notice))
        notice = session.scalars(select(Notice).order_by(Notice.id)).first()
        assert notice is not None
        notice.tags.append(Tag(facet="industries", value="labor", origin="analyst", present=True, set_by="analyst1"))
        notice.headline_en = "Edited by an analyst"
        notice_id = notice.id
    second = scs("demo", db=demo_db)
    assert second.returncode == 0, second.stdout + second.stderr
    total = summary_rows(second.stdout)["total"]
    assert (total[2], total[3]) == ("0", "0"), second.stdout  # no new, no updated
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Notice)) == before
        urls = session.scalar(select(func.count(func.distinct(Notice.url))))
        assert urls == before
        notice = session.get(Notice, notice_id)
        assert notice is not None
        assert notice.headline_en == "Edited by an analyst"
        assert [(t.value, t.set_by) for t in notice.tags if t.origin == "analyst"] == [("labor", "analyst1")]
