"""Full-text search over notices' titles and bodies, kept in sync by the store.

Chinese has no spaces between words, so the text is indexed as the set of its character
bigrams (两个字): 信用修复 -> 信用 用修 修复. A query matches the notices holding all of its
bigrams; the candidates are then checked with ILIKE, so the answer is exactly a case-insensitive
substring search (queries of one character have no bigram and use ILIKE alone).

- SQLite: a contentless FTS5 table `notice_grams` (rowid = notice id, `detail=none`: no
  positions, the smallest index). Contentless rows are deleted by giving the old text back,
  which `_reindex_changed` reads from the row before the ORM updates it.
- PostgreSQL: a table `notice_grams (notice_id, grams tsvector)` with a GIN index; the
  tsvector is built from the bigram array (`array_to_tsvector`), not by a text parser, so
  the database's locale cannot split or drop Chinese characters.

The store's save path (`store.repository._insert_new_notice`) and the ORM events below
keep the index in sync; the migration `i16_scale` fills it for notices stored before.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from typing import Any

from sqlalchemy import Connection, and_, event, inspect, literal_column, or_, select, table, text
from sqlalchemy.sql.elements import ColumnElement

from store.models import Notice

SEARCH_TABLE = "notice_grams"
SEARCH_TABLES_PREFIX = SEARCH_TABLE  # FTS5 keeps its index in shadow tables named notice_grams_*


def bigrams(text_value: str) -> list[str]:
    """The distinct lower-cased character bigrams of letters and digits, in order of first appearance."""
    lowered = text_value.lower()
    seen: dict[str, None] = {}
    for first, second in pairwise(lowered):
        if first.isalnum() and second.isalnum():
            seen[first + second] = None
    return list(seen)


def notice_grams(title: str, body: str) -> list[str]:
    """The bigrams indexed for a notice: those of its title and of its body (never across the two)."""
    return list(dict.fromkeys([*bigrams(title), *bigrams(body)]))


def create_search_index(connection: Connection) -> None:
    """Create the search table of this database's dialect (used by the migration)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(grams, content='', detail=none, tokenize='unicode61')"
        )
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            f"CREATE TABLE {SEARCH_TABLE} (notice_id INTEGER PRIMARY KEY REFERENCES notices (id) ON DELETE CASCADE,"
            " grams TSVECTOR NOT NULL)"
        )
        connection.exec_driver_sql(f"CREATE INDEX ix_{SEARCH_TABLE}_grams ON {SEARCH_TABLE} USING gin (grams)")
    else:
        raise NotImplementedError(f"no full-text search for the {connection.dialect.name} dialect")


def index_notices(connection: Connection, rows: Iterable[tuple[int, str, str]]) -> None:
    """Add (or, on PostgreSQL, replace) the search entries of (notice id, title, body) rows."""
    values = [{"id": notice_id, "grams": notice_grams(title, body)} for notice_id, title, body in rows]
    if not values:
        return
    if connection.dialect.name == "sqlite":
        for value in values:
            value["grams"] = " ".join(value["grams"])
        connection.execute(text(f"INSERT INTO {SEARCH_TABLE} (rowid, grams) VALUES (:id, :grams)"), values)
    else:
        connection.execute(
            text(
                f"INSERT INTO {SEARCH_TABLE} (notice_id, grams) VALUES (:id, array_to_tsvector(CAST(:grams AS text[])))"
                " ON CONFLICT (notice_id) DO UPDATE SET grams = excluded.grams"
            ),
            values,
        )


def unindex_notice(connection: Connection, notice_id: int, title: str, body: str) -> None:
    """Remove a notice's search entries; on SQLite the text it was indexed with must be given back."""
    if connection.dialect.name == "sqlite":
        connection.execute(
            text(f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}, rowid, grams) VALUES ('delete', :id, :grams)"),
            {"id": notice_id, "grams": " ".join(notice_grams(title, body))},
        )
    else:
        connection.execute(text(f"DELETE FROM {SEARCH_TABLE} WHERE notice_id = :id"), {"id": notice_id})


def _like_pattern(query: str) -> str:
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_clause(dialect: str, query: str, *, in_sort_order: bool = True) -> ColumnElement[bool]:
    """SQL for 'the notice's title or body contains `query`', answered from the search index.

    `in_sort_order`: the query reads notices in the queue's order and stops after a page, so on SQLite the
    candidates are a set checked while it walks its sort index; False (counting) lets it start from them.
    """
    pattern = _like_pattern(query)
    contains = or_(Notice.title.ilike(pattern, escape="\\"), Notice.body.ilike(pattern, escape="\\"))
    grams = bigrams(query)
    if not grams:
        return contains
    if dialect == "sqlite":
        match = " ".join(f'"{gram}"' for gram in grams)  # letters and digits only: nothing to escape
        candidates = (
            select(literal_column("rowid"))
            .select_from(table(SEARCH_TABLE))
            .where(literal_column(SEARCH_TABLE).op("MATCH")(match))
        )
        if in_sort_order:
            # `id + 0` keeps the term off the primary key: the candidates become a set checked while the queue
            # walks its sort index, instead of rows SQLite fetches and sorts in full (a common term matches a
            # good share of all notices).
            return (Notice.id + 0).in_(candidates) & contains
    else:
        tsquery = " & ".join(f"'{gram}'" for gram in grams)
        if not in_sort_order:
            # The matching ids first, once, from the GIN index (an InitPlan), rather than a check of each notice's
            # vector: every check reads a TOASTed vector of some 20 KB, a cost PostgreSQL's planner does not see.
            matching = text(
                f"notices.id = ANY(ARRAY(SELECT notice_id FROM {SEARCH_TABLE} WHERE grams @@ CAST(:tsq AS tsquery)))"
            ).bindparams(tsq=tsquery)
            return and_(matching, contains)
        candidates = (
            select(literal_column("notice_id"))
            .select_from(table(SEARCH_TABLE))
            .where(text("grams @@ CAST(:search_tsquery AS tsquery)").bindparams(search_tsquery=tsquery))
        )
    return Notice.id.in_(candidates) & contains


@event.listens_for(Notice, "after_insert")
def _index_inserted(_mapper: Any, connection: Connection, notice: Notice) -> None:
    index_notices(connection, [(notice.id, notice.title, notice.body)])


@event.listens_for(Notice, "before_update")
def _reindex_changed(_mapper: Any, connection: Connection, notice: Notice) -> None:
    state = inspect(notice)
    if not (state.attrs.title.history.has_changes() or state.attrs.body.history.has_changes()):
        return
    if connection.dialect.name == "sqlite":
        old = connection.execute(select(Notice.title, Notice.body).where(Notice.id == notice.id)).one()
        unindex_notice(connection, notice.id, old.title, old.body)
    index_notices(connection, [(notice.id, notice.title, notice.body)])


@event.listens_for(Notice, "after_delete")
def _unindex_deleted(_mapper: Any, connection: Connection, notice: Notice) -> None:
    if connection.dialect.name == "sqlite":  # PostgreSQL: the foreign key cascades
        stored = inspect(notice).committed_state  # the values as loaded, should the object have been changed since
        unindex_notice(connection, notice.id, stored.get("title", notice.title), stored.get("body", notice.body))
