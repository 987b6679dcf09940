"""data_versions: the stamp under which app servers cache the map shell

Revision ID: c1a0e0a10001
Revises: cce1e0a10008
Create Date: 2026-11-22 12:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c1a0e0a10001"
down_revision = "cce1e0a10008"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "data_versions",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("stamp", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.bulk_insert(table, [{"name": "map", "stamp": "initial"}])


def downgrade():
    op.drop_table("data_versions")
