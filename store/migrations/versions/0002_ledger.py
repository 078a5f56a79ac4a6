"""the ledger of listed detail URLs (issue 14)

Revision ID: i14_ledger
Revises: 0001
Create Date: 2026-12-04 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i14_ledger"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "listed_urls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=1024), nullable=False),
        sa.Column("list_url", sa.String(length=1024), nullable=False),
        sa.Column("final_url", sa.String(length=1024), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_listed", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_listed_urls_run_id_crawl_runs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listed_urls")),
        sa.UniqueConstraint("url", name=op.f("uq_listed_urls_url")),
    )
    with op.batch_alter_table("listed_urls", schema=None) as batch_op:
        batch_op.create_index("ix_listed_urls_source_state", ["source", "state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("listed_urls", schema=None) as batch_op:
        batch_op.drop_index("ix_listed_urls_source_state")
    op.drop_table("listed_urls")
