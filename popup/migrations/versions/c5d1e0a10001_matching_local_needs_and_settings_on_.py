"""matching: local needs and settings on calls, match proposals and rejections

Revision ID: c5d1e0a10001
Revises: c8d1e0a10004
Create Date: 2026-11-22 04:58:11.276974

"""
from alembic import op
import sqlalchemy as sa
import popup.types

# revision identifiers, used by Alembic.
revision = 'c5d1e0a10001'
down_revision = 'c8d1e0a10004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('match_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('stand_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('score_micros', sa.Integer(), nullable=False),
    sa.Column('components', sa.JSON(), nullable=False),
    sa.Column('hard_rules', sa.JSON(), nullable=False),
    sa.Column('forced', sa.Boolean(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', popup.types.UTCDateTime(), nullable=False),
    sa.Column('owner_confirmed_at', popup.types.UTCDateTime(), nullable=True),
    sa.Column('entrepreneur_confirmed_at', popup.types.UTCDateTime(), nullable=True),
    sa.Column('confirmed_at', popup.types.UTCDateTime(), nullable=True),
    sa.Column('declined_at', popup.types.UTCDateTime(), nullable=True),
    sa.Column('declined_by_id', sa.Integer(), nullable=True),
    sa.Column('declined_side', sa.String(length=20), nullable=True),
    sa.Column('decline_reason', sa.String(length=1000), nullable=False),
    sa.Column('withdrawn_at', popup.types.UTCDateTime(), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('withdraw_reason', sa.String(length=1000), nullable=False),
    sa.Column('reserved_from', sa.Date(), nullable=True),
    sa.Column('reserved_until', sa.Date(), nullable=True),
    sa.CheckConstraint("status IN ('proposed', 'owner_confirmed', 'entrepreneur_confirmed', 'confirmed', 'declined', 'withdrawn')", name='ck_match_proposals_status'),
    sa.CheckConstraint('reserved_until IS NULL OR reserved_from IS NULL OR reserved_until > reserved_from', name='ck_match_proposals_period'),
    sa.CheckConstraint('score_micros >= 0 AND score_micros <= 1000000', name='ck_match_proposals_score'),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['declined_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stand_id'], ['stands.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('match_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_proposals_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_proposals_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_proposals_stand_id'), ['stand_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_proposals_status'), ['status'], unique=False)
        batch_op.create_index('uq_match_proposals_live_application', ['application_id'], unique=True, sqlite_where=sa.text("status IN ('proposed', 'owner_confirmed', 'entrepreneur_confirmed', 'confirmed')"), postgresql_where=sa.text("status IN ('proposed', 'owner_confirmed', 'entrepreneur_confirmed', 'confirmed')"))
        batch_op.create_index('uq_match_proposals_live_stand', ['stand_id'], unique=True, sqlite_where=sa.text("status IN ('proposed', 'owner_confirmed', 'entrepreneur_confirmed', 'confirmed')"), postgresql_where=sa.text("status IN ('proposed', 'owner_confirmed', 'entrepreneur_confirmed', 'confirmed')"))

    op.create_table('match_rejections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('stand_id', sa.Integer(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', popup.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stand_id'], ['stands.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('call_id', 'application_id', 'stand_id', name='uq_match_rejections_pair')
    )
    with op.batch_alter_table('match_rejections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_rejections_call_id'), ['call_id'], unique=False)

    # Plain ADD COLUMN: no table rebuild on SQLite.
    op.add_column('calls', sa.Column('local_needs', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
    op.add_column('calls', sa.Column('matching_settings', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('matching_settings')
        batch_op.drop_column('local_needs')

    with op.batch_alter_table('match_rejections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_rejections_call_id'))

    op.drop_table('match_rejections')
    with op.batch_alter_table('match_proposals', schema=None) as batch_op:
        batch_op.drop_index('uq_match_proposals_live_stand', sqlite_where=sa.text("status IN ('proposed', 'owner_confirmed', 'entrepreneur_confirmed', 'confirmed')"), postgresql_where=sa.text("status IN ('proposed', 'owner_confirmed', 'entrepreneur_confirmed', 'confirmed')"))
        batch_op.drop_index('uq_match_proposals_live_application', sqlite_where=sa.text("status IN ('proposed', 'owner_confirmed', 'entrepreneur_confirmed', 'confirmed')"), postgresql_where=sa.text("status IN ('proposed', 'owner_confirmed', 'entrepreneur_confirmed', 'confirmed')"))
        batch_op.drop_index(batch_op.f('ix_match_proposals_status'))
        batch_op.drop_index(batch_op.f('ix_match_proposals_stand_id'))
        batch_op.drop_index(batch_op.f('ix_match_proposals_call_id'))
        batch_op.drop_index(batch_op.f('ix_match_proposals_application_id'))

    op.drop_table('match_proposals')
