"""attachment texts and entity mentions (issue 20): additive, two new tables

Revision ID: i20_attachments
Revises: i17_sessions
Create Date: 2026-12-04 17:13:09.448610
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i20_attachments"
down_revision: str | None = "i17_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachment_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("notice_url", sa.String(length=1024), nullable=False),
        sa.Column("url", sa.String(length=1024), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("declared_type", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("etag", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_attachment_texts_notice_id_notices"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment_texts")),
        sa.UniqueConstraint("notice_url", "url", name=op.f("uq_attachment_texts_notice_url_url")),
    )
    with op.batch_alter_table("attachment_texts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_texts_notice_id"), ["notice_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_texts_status"), ["status"], unique=False)

    op.create_table(
        "entity_mentions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("authority", sa.String(length=64), nullable=False),
        sa.Column("org_type", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("region", sa.Text(), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachment_texts.id"],
            name=op.f("fk_entity_mentions_attachment_id_attachment_texts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_entity_mentions_notice_id_notices"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_mentions")),
    )
    with op.batch_alter_table("entity_mentions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entity_mentions_attachment_id"), ["attachment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_entity_mentions_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_entity_mentions_notice_id"), ["notice_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("entity_mentions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entity_mentions_notice_id"))
        batch_op.drop_index(batch_op.f("ix_entity_mentions_code"))
        batch_op.drop_index(batch_op.f("ix_entity_mentions_attachment_id"))

    op.drop_table("entity_mentions")
    with op.batch_alter_table("attachment_texts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_texts_status"))
        batch_op.drop_index(batch_op.f("ix_attachment_texts_notice_id"))

    op.drop_table("attachment_texts")
