"""scale: indexes for the review queue's conditions and sort order, the slug, tags by value; the search index

Additive only: new indexes and a new search table filled from the stored titles and bodies; no row an analyst
set is written.

Revision ID: i16_scale
Revises: i21_docnumbers
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from store.search import SEARCH_TABLE, create_search_index, index_notices

revision: str = "i16_scale"
down_revision: str | None = "i21_docnumbers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000


def upgrade() -> None:
    op.create_index(
        "ix_notices_queue",
        "notices",
        ["published", "id", "status", "changed_since_review", "relevant_analyst", "relevant_auto"],
    )
    op.create_index("ix_notices_status_queue", "notices", ["status", "published", "id"])
    op.create_index("ix_notices_source_queue", "notices", ["source", "published", "id"])
    op.create_index("ix_notices_changed_queue", "notices", ["changed_since_review", "published", "id"])
    op.create_index("ix_notices_slug", "notices", ["slug"])
    op.create_index("ix_tags_facet_value", "tags", ["facet", "value", "present", "notice_id"])

    connection = op.get_bind()
    create_search_index(connection)
    last_id = 0
    while True:
        rows = connection.execute(
            sa.text("SELECT id, title, body FROM notices WHERE id > :last ORDER BY id LIMIT :batch"),
            {"last": last_id, "batch": BATCH},
        ).all()
        if not rows:
            break
        index_notices(connection, [(row.id, row.title, row.body) for row in rows])
        last_id = rows[-1].id


def downgrade() -> None:
    op.execute(f"DROP TABLE {SEARCH_TABLE}")
    op.drop_index("ix_tags_facet_value", table_name="tags")
    for name in ("ix_notices_slug", "ix_notices_changed_queue", "ix_notices_source_queue", "ix_notices_status_queue"):
        op.drop_index(name, table_name="notices")
    op.drop_index("ix_notices_queue", table_name="notices")
