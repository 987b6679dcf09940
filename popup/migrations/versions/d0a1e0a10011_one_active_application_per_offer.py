"""uq_applications_active_offer: one active application per entrepreneur per offer

The application code checked it; two requests racing past the check (a double
click) could still save two. Calls had the same index from the start.

Revision ID: d0a1e0a10011
Revises: d0a1e0a10010
Create Date: 2026-11-22 12:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d0a1e0a10011"
down_revision = "d0a1e0a10010"
branch_labels = None
depends_on = None

ACTIVE = "offer_id IS NOT NULL AND status NOT IN ('withdrawn', 'rejected')"


def upgrade():
    twice = (
        op.get_bind()
        .execute(
            sa.text(
                f"SELECT entrepreneur_id, offer_id, count(*) FROM applications WHERE {ACTIVE} "  # noqa: S608 (constant)
                "GROUP BY entrepreneur_id, offer_id HAVING count(*) > 1"
            )
        )
        .all()
    )
    if twice:
        pairs = ", ".join(f"entrepreneur {e} on offer {o} ({n})" for e, o, n in twice)
        raise RuntimeError(
            f"Some entrepreneurs have several active applications to one offer: {pairs}. "
            "Withdraw or reject all but one of each (the application pages), then upgrade again."
        )
    op.create_index(
        "uq_applications_active_offer",
        "applications",
        ["entrepreneur_id", "offer_id"],
        unique=True,
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    )


def downgrade():
    op.drop_index("uq_applications_active_offer", table_name="applications")
