"""tags.confidence: the fitted model's probability for an automatic tag or suggestion

Revision ID: i15_confidence
Revises: i14_ledger
Create Date: 2026-12-04 17:40:00

Additive: a nullable column; rows written before (and analysts' rows) keep NULL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i15_confidence"
down_revision: str | None = "i14_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tags") as batch:
        batch.add_column(sa.Column("confidence", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tags") as batch:
        batch.drop_column("confidence")
