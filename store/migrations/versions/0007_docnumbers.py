"""notices.doc_number_key: the canonical 文号, indexed, backfilled from doc_number

Revision ID: i21_docnumbers
Revises: i20_attachments
Create Date: 2026-12-04 18:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pipelines.docnumbers import doc_number_key

revision: str = "i21_docnumbers"
down_revision: str | None = "i20_attachments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOTICES = sa.table(
    "notices", sa.column("id", sa.Integer), sa.column("doc_number", sa.String), sa.column("doc_number_key", sa.String)
)


def upgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("doc_number_key", sa.String(length=255), nullable=True))
        batch_op.create_index(batch_op.f("ix_notices_doc_number_key"), ["doc_number_key"], unique=False)
    # Only the new column is written: doc_number itself (and every analyst column) stays as it is.
    connection = op.get_bind()
    rows = connection.execute(sa.select(_NOTICES.c.id, _NOTICES.c.doc_number).where(_NOTICES.c.doc_number != ""))
    keys = [{"notice_id": notice_id, "key": doc_number_key(raw)} for notice_id, raw in rows]
    keys = [row for row in keys if row["key"] is not None]
    if keys:
        connection.execute(
            _NOTICES.update()
            .where(_NOTICES.c.id == sa.bindparam("notice_id"))
            .values(doc_number_key=sa.bindparam("key")),
            keys,
        )


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notices_doc_number_key"))
        batch_op.drop_column("doc_number_key")
