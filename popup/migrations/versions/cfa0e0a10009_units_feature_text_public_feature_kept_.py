"""units.feature_text: each unit's public GeoJSON feature, kept as text by triggers

The API joins these texts instead of writing every value as JSON on every
request (bench/RESULTS.md). The triggers and the text come from
popup.api.features.STORED_FEATURE; when its fields change, a new migration
runs create_sql() and refresh_sql() again.

Revision ID: cfa0e0a10009
Revises: c1a0e0a10001
Create Date: 2026-11-22 08:20:00

"""

import sqlalchemy as sa
from alembic import op

from popup.api.features import STORED_FEATURE

# revision identifiers, used by Alembic.
revision = "cfa0e0a10009"
down_revision = "c1a0e0a10001"
branch_labels = None
depends_on = None


def upgrade():
    dialect = op.get_bind().dialect.name
    op.add_column("units", sa.Column("feature_text", sa.Text(), nullable=True))
    for statement in STORED_FEATURE.create_sql(dialect):
        op.execute(statement)
    op.execute(STORED_FEATURE.refresh_sql(dialect))


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in STORED_FEATURE.drop_sql(dialect):
        op.execute(statement)
    # Both databases drop a plain column in place (SQLite since 3.35).
    op.execute("ALTER TABLE units DROP COLUMN feature_text")
