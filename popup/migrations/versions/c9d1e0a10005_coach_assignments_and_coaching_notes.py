"""coach assignments and coaching notes

Revision ID: c9d1e0a10005
Revises: cbd1e0a10007
Create Date: 2026-11-22 04:57:39.706061

"""
from alembic import op
import sqlalchemy as sa
import popup.types

# revision identifiers, used by Alembic.
revision = 'c9d1e0a10005'
down_revision = 'cbd1e0a10007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('coach_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=False),
    sa.Column('entrepreneur_id', sa.Integer(), nullable=False),
    sa.Column('since_on', sa.Date(), nullable=False),
    sa.Column('until_on', sa.Date(), nullable=True),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', popup.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint('coach_id <> entrepreneur_id', name='ck_coach_assignments_people'),
    sa.CheckConstraint('until_on IS NULL OR until_on > since_on', name='ck_coach_assignments_period'),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entrepreneur_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('coach_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coach_assignments_coach_id'), ['coach_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coach_assignments_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coach_assignments_entrepreneur_id'), ['entrepreneur_id'], unique=False)
        batch_op.create_index('uq_coach_assignments_open', ['commune_id', 'entrepreneur_id'], unique=True, sqlite_where=sa.text('until_on IS NULL'), postgresql_where=sa.text('until_on IS NULL'))

    op.create_table('coaching_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('met_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('next_meeting_on', sa.Date(), nullable=True),
    sa.Column('created_at', popup.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', popup.types.UTCDateTime(), nullable=False),
    sa.CheckConstraint('next_meeting_on IS NULL OR next_meeting_on >= met_on', name='ck_coaching_notes_next'),
    sa.ForeignKeyConstraint(['assignment_id'], ['coach_assignments.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('coaching_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coaching_notes_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coaching_notes_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coaching_notes_met_on'), ['met_on'], unique=False)


def downgrade():
    with op.batch_alter_table('coaching_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coaching_notes_met_on'))
        batch_op.drop_index(batch_op.f('ix_coaching_notes_author_id'))
        batch_op.drop_index(batch_op.f('ix_coaching_notes_assignment_id'))

    op.drop_table('coaching_notes')
    with op.batch_alter_table('coach_assignments', schema=None) as batch_op:
        batch_op.drop_index('uq_coach_assignments_open', sqlite_where=sa.text('until_on IS NULL'), postgresql_where=sa.text('until_on IS NULL'))
        batch_op.drop_index(batch_op.f('ix_coach_assignments_entrepreneur_id'))
        batch_op.drop_index(batch_op.f('ix_coach_assignments_commune_id'))
        batch_op.drop_index(batch_op.f('ix_coach_assignments_coach_id'))

    op.drop_table('coach_assignments')
