"""draft lease from a confirmed match, rotations of a lease, rent split by bookings

Revision ID: cce1e0a10008
Revises: c6d1e0a10002
Create Date: 2026-11-22 05:44:37.473821

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cce1e0a10008'
down_revision = 'c6d1e0a10002'
branch_labels = None
depends_on = None

# (table, column, referred table, constraint name): added with their reference in place.
REFERENCES = (
    ('match_proposals', 'lease_tenant_id', 'lease_tenants', 'fk_match_proposals_lease_tenant_id_lease_tenants'),
    ('rotations', 'lease_id', 'leases', 'fk_rotations_lease_id_leases'),
)


def upgrade():
    op.add_column(
        'leases', sa.Column('presence_from_bookings', sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column('match_proposals', sa.Column('lease_refusal', sa.JSON(), nullable=True))
    bind = op.get_bind()
    sqlite = bind.dialect.name == 'sqlite'
    for table, column, referred, name in REFERENCES:
        if sqlite and column in {c['name'] for c in sa.inspect(bind).get_columns(table)}:
            pass  # left in place by a downgrade (see there)
        elif sqlite:
            # SQLite adds a column with its reference in place. A batch rebuild would drop and
            # recreate the table, and dropping it would cascade to the rows that refer to it.
            op.execute(
                f'ALTER TABLE {table} ADD COLUMN {column} INTEGER '
                f'CONSTRAINT {name} REFERENCES {referred} (id) ON DELETE SET NULL'
            )
        else:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(name, table, referred, [column], ['id'], ondelete='SET NULL')
        op.create_index(op.f(f'ix_{table}_{column}'), table, [column], unique=False)


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table, column, _referred, name in reversed(REFERENCES):
        op.drop_index(op.f(f'ix_{table}_{column}'), table_name=table)
        if sqlite:
            # SQLite cannot drop a column that carries a reference, and rebuilding the table would
            # cascade to the rows that refer to it: the column stays, unused, and upgrade reuses it.
            continue
        op.drop_constraint(name, table, type_='foreignkey')
        op.drop_column(table, column)
    op.drop_column('match_proposals', 'lease_refusal')
    op.drop_column('leases', 'presence_from_bookings')
