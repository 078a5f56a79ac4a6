"""The review queue at scale, on SQLite and PostgreSQL: the facet filter after analysts' corrections, full-text
search kept in sync by the store, and the plans of the queue's queries (indexes, no sorts, no scans)."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from newsroom_data import add_notice
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from newsroom.review import (
    QueueCursor,
    capped_count,
    facet_clause,
    queue_conditions,
    queue_page,
    queue_view,
    set_tag,
    source_names,
    unique_slug,
)
from scs.cli import main
from scs.commands.notices import write_json_array
from store.db import Store, alembic_config, migrate
from store.models import Notice
from store.repository import save_notice
from store.search import search_clause


def tagged(store: Store, facet: str, value: str) -> set[str]:
    with store.session() as db:
        return set(db.scalars(select(Notice.title).where(facet_clause(facet, value))))


def test_facet_filter_follows_analysts_removing_and_adding_tags(db_url: str) -> None:
    store = Store(db_url)
    auto_tags = {
        "n0": {"scs_types": {"blacklist": []}, "locations": {"440300": []}},
        "n1": {"scs_types": {"blacklist": []}, "locations": {"440100": []}},
        "n2": {"scs_types": {"blacklist": []}},
        "n3": {"scs_types": {"blacklist": []}},
        "n4": {"scs_types": {"credit-repair": []}},
        "n5": {},
    }
    with store.session() as db:
        for number, (title, tags) in enumerate(auto_tags.items()):
            add_notice(
                db,
                title=title,
                body="正文",
                url=f"https://example.gov.cn/{number}.html",
                published=dt.date(2025, 1, 1 + number),
                tags=tags,
            )
    assert tagged(store, "scs_types", "blacklist") == {"n0", "n1", "n2", "n3"}
    assert tagged(store, "locations", "440000") == {"n0", "n1"}

    with store.session() as db:
        notices = {notice.title: notice for notice in db.scalars(select(Notice))}
        assert set_tag(db, notices["n1"], "scs_types", "blacklist", False, "alice")
        assert set_tag(db, notices["n4"], "scs_types", "blacklist", True, "alice")
        assert set_tag(db, notices["n2"], "scs_types", "blacklist", False, "alice")
        assert set_tag(db, notices["n2"], "scs_types", "blacklist", True, "bob")  # removed, then put back
        assert set_tag(db, notices["n0"], "locations", "440300", False, "alice")
        assert set_tag(db, notices["n5"], "locations", "440300", True, "alice")
        assert set_tag(db, notices["n3"], "scs_types", "credit-repair", True, "alice")

    assert tagged(store, "scs_types", "blacklist") == {"n0", "n2", "n3", "n4"}
    assert tagged(store, "scs_types", "credit-repair") == {"n3", "n4"}
    assert tagged(store, "locations", "440300") == {"n5"}
    assert tagged(store, "locations", "440000") == {"n1", "n5"}  # a province matches its cities
    assert tagged(store, "locations", "440100") == {"n1"}
    store.dispose()


# --- full-text search ---------------------------------------------------------------------------------------


def searched(store: Store, query: str) -> set[str]:
    with store.session() as db:
        dialect = db.get_bind().dialect.name
        found = {
            in_order: set(db.scalars(select(Notice.title).where(search_clause(dialect, query, in_sort_order=in_order))))
            for in_order in (True, False)
        }
    assert found[True] == found[False]
    return found[True]


def indexed_with(store: Store, gram: str) -> set[str]:
    """The titles of the notices the search index holds under `gram`, read from the index itself."""
    with store.session() as db:
        if db.get_bind().dialect.name == "sqlite":
            ids = db.scalars(text("SELECT rowid FROM notice_grams WHERE notice_grams MATCH :q"), {"q": f'"{gram}"'})
        else:
            ids = db.scalars(text("SELECT notice_id FROM notice_grams WHERE grams @@ CAST(:q AS tsquery)"), {"q": gram})
        return set(db.scalars(select(Notice.title).where(Notice.id.in_(list(ids)))))


def test_search_finds_substrings_and_follows_the_saved_text(db_url: str) -> None:
    store = Store(db_url)
    texts = {
        "修复": "企业可依法申请信用修复。",
        "分散": "信用用修修复",  # every bigram of 信用修复, but not the word: the LIKE check drops it
        "标题": "正文无关。",
        "英文": "Credit REPAIR rules",
    }
    with store.session() as db:
        for number, (title, body) in enumerate(texts.items()):
            add_notice(
                db, title=title + ("信用修复" if title == "标题" else ""), body=body, url=f"https://e.cn/{number}"
            )
    assert searched(store, "信用修复") == {"修复", "标题信用修复"}
    assert searched(store, "repair") == searched(store, "REPAIR") == {"英文"}  # case-insensitive on both databases
    assert searched(store, "修") == {"修复", "分散", "标题信用修复"}  # one character: no bigram, LIKE alone
    assert searched(store, "%") == set()

    with store.session() as db:  # a changed page: the old text leaves the index, the new one enters it
        notice = db.scalars(select(Notice).where(Notice.title == "修复")).one()
        notice.body = "守信激励措施。"
    assert searched(store, "信用修复") == {"标题信用修复"}
    assert searched(store, "守信激励") == {"修复"}
    assert indexed_with(store, "用修") == {"分散", "标题信用修复"}  # the old text's entries are gone, not just hidden
    with store.session() as db:
        db.delete(db.scalars(select(Notice).where(Notice.title == "标题信用修复")).one())
    assert searched(store, "信用修复") == set()
    assert indexed_with(store, "用修") == {"分散"}
    store.dispose()


def test_search_index_is_filled_by_the_crawls_save_path(db_url: str) -> None:
    from test_repository import item

    store = Store(db_url)
    with store.session() as db:
        assert save_notice(db, item("关于失信名单管理和信用修复的通知正文。")) == "new"
    assert searched(store, "信用修复") == {"关于进一步规范失信名单管理的通知"}
    with store.session() as db:
        assert save_notice(db, item("只谈守信激励。")) == "updated"
    assert searched(store, "信用修复") == set()
    assert searched(store, "守信激励") == {"关于进一步规范失信名单管理的通知"}
    store.dispose()


def test_migration_indexes_the_notices_stored_before_it(db_url: str) -> None:
    from alembic import command

    store = Store(db_url)
    with store.session() as db:
        add_notice(db, title="旧通知", body="信用修复", url="https://e.cn/old")
    command.downgrade(alembic_config(db_url), "0001")
    migrate(db_url)
    assert searched(store, "信用修复") == {"旧通知"}
    store.dispose()


# --- the plans: every queue query is answered through an index ------------------------------------------------


def query_plans(
    store: Store, run: Callable[[Session], object], reading: str = "", settings: tuple[str, ...] = ()
) -> list[str]:
    """EXPLAIN (SQLite: EXPLAIN QUERY PLAN) of each SELECT that `run` sends (from `reading` if given)."""
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and f"FROM {reading}".rstrip() in statement:
            sent.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        with store.session() as db:
            run(db)
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    plans = []
    with store.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if not sqlite:  # a few rows: PostgreSQL would rightly read them all; ask whether an index path exists
            connection.exec_driver_sql("ANALYZE")
            for setting in ("enable_seqscan", *settings):
                connection.exec_driver_sql(f"SET {setting} = off")
        for statement, parameters in sent:
            rows = connection.exec_driver_sql(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, parameters)
            plans.append("\n".join(str(row[-1]) for row in rows))
    return plans


def seed_queue(store: Store, count: int = 60) -> None:
    with store.session() as db:
        for number in range(count):
            add_notice(
                db,
                title=f"关于信用修复的通知{number}",
                body="依法开展信用修复工作。" if number % 3 else "其他工作。",
                url=f"https://example.gov.cn/q/{number}.html",
                published=None if number % 10 == 0 else dt.date(2024, 1, 1) + dt.timedelta(days=number),
                tags={"scs_types": {"blacklist" if number % 2 else "credit-repair": []}, "locations": {"440300": []}},
                status="approved" if number % 7 == 0 else "new",
            )


# The sort order is (published, id): ix_notices_queue, or ix_notices_published (published, then the rowid = id).
IN_SORT_ORDER = ("ix_notices_queue", "ix_notices_published")
QUEUE_VIEWS = [
    ({}, IN_SORT_ORDER),
    ({"scs_types": "blacklist"}, IN_SORT_ORDER),
    ({"industries": "transport", "relevance": "any"}, IN_SORT_ORDER),
    ({"locations": "440000"}, IN_SORT_ORDER),
    ({"q": "信用修复"}, IN_SORT_ORDER),
    ({"status": "approved"}, ("ix_notices_status_queue",)),
    ({"status": "changed"}, ("ix_notices_changed_queue",)),
    ({"source": "sz-jtys", "status": "all"}, ("ix_notices_source_queue",)),
]


@pytest.mark.parametrize(("filters", "indexes"), QUEUE_VIEWS)
def test_queue_pages_and_counts_use_indexes(db_url: str, filters: dict[str, str], indexes: tuple[str, ...]) -> None:
    store = Store(db_url)
    seed_queue(store)
    dialect = store.engine.dialect.name
    page, undated = query_plans(
        store,
        lambda db: queue_page(db, queue_conditions(filters, dialect), QueueCursor(dt.date(2024, 1, 30), 29), size=100),
        reading="notices",  # not the load of the page's tags that follows each query
    )
    count = query_plans(store, lambda db: capped_count(db, queue_conditions(filters, dialect, for_count=True)))[0]
    few = "\n".join(  # the page when few notices match: started from them (tags or search index), then sorted
        query_plans(
            store,
            lambda db: queue_page(db, queue_conditions(filters, dialect, for_count=True)),
            reading="notices",
        )
    )
    if dialect == "sqlite":
        assert any(f"USING INDEX {index} (" in page for index in indexes), page  # a range: the keyset seeks
        assert "TEMP B-TREE" not in page, page  # read in the index's order: nothing sorted
        assert "USING INDEX" in undated or "USING COVERING INDEX" in undated, undated
        assert "SCAN notices\n" not in count + "\n", count
        assert "SCAN notices\n" not in few + "\n", few
        if "q" in filters:
            for plan in (page, count, few):
                assert "notice_grams VIRTUAL TABLE INDEX 0:M" in plan, plan
        if any(facet in filters for facet in ("scs_types", "industries", "locations")):
            assert "USING COVERING INDEX ix_tags_facet_value (facet=? AND value" in count + few, count + few
            both = "\n".join((page, count))  # per notice, through the unique (notice_id, facet, value, origin) index
            assert "SCAN tags" not in both and "INDEX sqlite_autoindex_tags_1 (notice_id=? AND facet=?" in both, both
    else:
        for plan in (page, undated, count, few):
            assert "Seq Scan on notices" not in plan and "Seq Scan on tags" not in plan, plan
        assert any(index in page for index in (*indexes, *IN_SORT_ORDER)), page
        if "q" in filters:  # a few rows: the primary key would do; without it, the GIN index answers the match
            bitmap = query_plans(
                store,
                lambda db: capped_count(db, queue_conditions(filters, dialect, for_count=True)),
                settings=("enable_indexscan",),
            )[0]
            assert "Bitmap Index Scan on ix_notice_grams_grams" in bitmap, bitmap
    store.dispose()


def test_slug_is_checked_with_one_indexed_lookup(db_url: str) -> None:
    store = Store(db_url)
    seed_queue(store, 10)
    with store.session() as db:
        notice = db.scalars(select(Notice).where(Notice.published.is_not(None))).first()
        assert notice is not None
        notice.headline_en = "Credit repair notice"
    plans = query_plans(store, lambda db: unique_slug(db, db.get(Notice, notice.id) or notice))
    lookup = plans[-1]
    if store.engine.dialect.name == "sqlite":
        assert "USING INDEX ix_notices_slug (slug=?)" in lookup, lookup
    else:
        assert "ix_notices_slug" in lookup, lookup
    store.dispose()


# --- scs notices: streamed, and searched through the same index -----------------------------------------------


@pytest.mark.parametrize("rows", [[], [{"id": 1}], [{"id": 1, "title": "信用", "tags": [{"a": [1, 2]}], "e": {}}] * 3])
def test_streamed_json_is_the_same_text_as_one_dump(rows: list[dict[str, Any]]) -> None:
    out = io.StringIO()
    write_json_array(iter(rows), out)
    assert out.getvalue() == json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def test_scs_notices_search_and_json(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(db_url)
    seed_queue(store, 12)  # bodies of numbers not divisible by 3 say 信用修复; titles all do
    with store.session() as db:
        add_notice(db, title="无关", body="守信激励", url="https://example.gov.cn/other.html")
    assert main(["--db", db_url, "notices", "--json", "--limit", "0"]) == 0
    everything = json.loads(capsys.readouterr().out)
    assert len(everything) == 13 and len({row["id"] for row in everything}) == 13
    assert main(["--db", db_url, "notices", "--json", "--limit", "0", "--search", "守信激励"]) == 0
    assert [row["title"] for row in json.loads(capsys.readouterr().out)] == ["无关"]
    assert main(["--db", db_url, "notices", "--search", "开展信用修复"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 8  # numbers 1, 2, 4, 5, 7, 8, 10, 11
    store.dispose()


def test_source_names_are_the_distinct_sources_in_order(db_url: str) -> None:
    store = Store(db_url)
    with store.session() as db:
        assert source_names(db) == []
        for number, source in enumerate(["sz-zjj", "ndrc", "sz-zjj", "gd-gov", "ndrc"]):
            add_notice(db, title=str(number), body="正文", url=f"https://e.cn/s{number}", source=source)
        assert source_names(db) == ["gd-gov", "ndrc", "sz-zjj"]
    store.dispose()


@pytest.mark.parametrize("common_value", [1, 20_000])
def test_queue_view_gives_the_same_page_whether_a_value_counts_as_common(
    db_url: str, common_value: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import newsroom.review

    monkeypatch.setattr(newsroom.review, "COMMON_VALUE", common_value)
    store = Store(db_url)
    seed_queue(store, 40)
    with store.session() as db:
        view = queue_view(db, {"scs_types": "blacklist", "status": "all"})
        assert view.total == 20  # odd numbers
        assert [n.title for n in view.notices][:3] == [
            "关于信用修复的通知39",
            "关于信用修复的通知37",
            "关于信用修复的通知35",
        ]
        assert newsroom.review.is_common_value(db, "scs_types", "blacklist") is (common_value == 1)
    store.dispose()
