"""dashboard at district scale: covering event index, coverage_month rollup

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 23:45:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # ix_event_grid_reported (0005) now covers what events.stats and the
    # dashboard count per grid: they read a unit's events from the index
    # alone instead of a heap page per event (a street office: ~47,000 pages).
    op.drop_index('ix_event_grid_reported', table_name='event')
    op.create_index('ix_event_grid_reported', 'event', ['grid_id', 'reported_at'], unique=False,
                    postgresql_include=['id', 'closed_at', 'state', 'due_at', 'late_steps', 'satisfaction'])
    op.create_table('coverage_month',
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('active', sa.Integer(), nullable=False),
    sa.Column('covered', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['grid_id'], ['unit.id'], name=op.f('fk_coverage_month_grid_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('grid_id', 'month', 'kind', name=op.f('pk_coverage_month'))
    )


def downgrade():
    op.drop_table('coverage_month')
    op.drop_index('ix_event_grid_reported', table_name='event')
    op.create_index('ix_event_grid_reported', 'event', ['grid_id', 'reported_at'], unique=False)
