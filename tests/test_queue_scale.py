"""The review queue's queries: the facet filter after analysts' corrections, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from newsroom_data import add_notice
from sqlalchemy import select

from newsroom.review import facet_clause, set_tag
from store.db import Store
from store.models import Notice


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
