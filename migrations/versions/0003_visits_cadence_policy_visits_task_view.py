"""visits: cadence policy, visits, task view

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 18:30:22.569933

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


# Each care record (open or closed) with the policy that applies to it (the most specific
# row: tier counts more than category) and when its next visit is due:
#  - after a major change not yet visited: 24 hours after the change;
#  - never visited: the first-visit deadline fixed at creation (working days),
#    or one interval after creation;
#  - otherwise one interval after the last visit.
# A change of tier or policy changes due dates at once: nothing is stored.
CARE_TASK_VIEW = """
CREATE VIEW care_task AS
WITH records AS (
    SELECT 'elderly'::varchar AS kind, r.id AS record_id, r.resident_id, r.status, r.closed_at, r.risk_tier, r.created_at, r.first_visit_due,
           r.last_visit_at, r.major_change_at, r.major_change_reason, p.interval_days, p.window_before_days,
           p.window_after_days, p.first_visit_working_days
      FROM elderly_record r
      LEFT JOIN LATERAL (
          SELECT * FROM cadence_policy p
           WHERE p.kind = 'elderly' AND (p.risk_tier IS NULL OR p.risk_tier = r.risk_tier)
             AND (p.category IS NULL OR p.category = ANY (r.categories))
           ORDER BY (p.risk_tier IS NOT NULL)::int * 2 + (p.category IS NOT NULL)::int DESC, p.interval_days
           LIMIT 1) p ON true
    UNION ALL
    SELECT 'child', r.id, r.resident_id, r.status, r.closed_at, r.risk_tier, r.created_at, r.first_visit_due, r.last_visit_at,
           r.major_change_at, r.major_change_reason, p.interval_days, p.window_before_days, p.window_after_days,
           p.first_visit_working_days
      FROM child_record r
      LEFT JOIN LATERAL (
          SELECT * FROM cadence_policy p
           WHERE p.kind = 'child' AND (p.risk_tier IS NULL OR p.risk_tier = r.risk_tier)
             AND (p.category IS NULL OR p.category = r.category)
           ORDER BY (p.risk_tier IS NOT NULL)::int * 2 + (p.category IS NOT NULL)::int DESC, p.interval_days
           LIMIT 1) p ON true
)
SELECT records.*,
       (major_change_at IS NOT NULL AND (last_visit_at IS NULL OR last_visit_at < major_change_at)) AS is_major_change,
       CASE WHEN major_change_at IS NOT NULL AND (last_visit_at IS NULL OR last_visit_at < major_change_at)
                THEN major_change_at + interval '24 hours'
            WHEN last_visit_at IS NULL
                THEN coalesce(first_visit_due, created_at + make_interval(days => coalesce(interval_days, 30)))
            ELSE last_visit_at + make_interval(days => coalesce(interval_days, 30))
       END AS due_at
  FROM records
"""

DEFAULT_POLICIES = [
    # kind, category, tier, interval, window before, window after, first visit (working days)
    ("elderly", None, "high", 7, 1, 1, 5),
    ("elderly", None, "key", 30, 5, 3, 10),
    ("elderly", None, "general", 90, 10, 7, 10),
    ("child", None, None, 30, 5, 3, 5),
]


def upgrade():
    op.create_table('cadence_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('risk_tier', sa.String(length=16), nullable=True),
    sa.Column('interval_days', sa.Integer(), nullable=False),
    sa.Column('window_before_days', sa.Integer(), nullable=False),
    sa.Column('window_after_days', sa.Integer(), nullable=False),
    sa.Column('first_visit_working_days', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cadence_policy'))
    )
    op.create_table('visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.UUID(), nullable=False),
    sa.Column('payload_hash', sa.String(length=64), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('visitor_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('visited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('client_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('client_submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('clock_timestamp()'), nullable=False),
    sa.Column('checklist', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('location_status', sa.String(length=16), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('distance_m', sa.Float(), nullable=True),
    sa.Column('is_at_household', sa.Boolean(), nullable=False),
    sa.Column('off_site_reason', sa.Text(), nullable=True),
    sa.Column('is_flagged', sa.Boolean(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('device', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['app_user.id'], name=op.f('fk_visit_confirmed_by_id_app_user')),
    sa.ForeignKeyConstraint(['grid_id'], ['unit.id'], name=op.f('fk_visit_grid_id_unit')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_visit_household_id_household'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visitor_id'], ['app_user.id'], name=op.f('fk_visit_visitor_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit')),
    sa.UniqueConstraint('uuid', name=op.f('uq_visit_uuid'))
    )
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.create_index('ix_visit_flagged', ['grid_id'], unique=False, postgresql_where=sa.text('is_flagged AND confirmed_at IS NULL'))
        batch_op.create_index('ix_visit_grid_at', ['grid_id', 'visited_at'], unique=False)
        batch_op.create_index('ix_visit_household_at', ['household_id', 'visited_at'], unique=False)

    op.create_table('visit_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_visit_photo_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_photo'))
    )
    with op.batch_alter_table('visit_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_photo_visit_id'), ['visit_id'], unique=False)

    op.create_table('visit_problem',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=24), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('is_urgent', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_visit_problem_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_problem'))
    )
    with op.batch_alter_table('visit_problem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_problem_visit_id'), ['visit_id'], unique=False)

    op.create_table('visit_record',
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['visit_id'], ['visit.id'], name=op.f('fk_visit_record_visit_id_visit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('visit_id', 'kind', 'record_id', name=op.f('pk_visit_record'))
    )
    with op.batch_alter_table('visit_record', schema=None) as batch_op:
        batch_op.create_index('ix_visit_record_record', ['kind', 'record_id'], unique=False)

    with op.batch_alter_table('child_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_visit_due', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_visit_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('major_change_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('major_change_reason', sa.String(length=24), nullable=True))

    with op.batch_alter_table('elderly_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_visit_due', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_visit_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('major_change_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('major_change_reason', sa.String(length=24), nullable=True))

    op.execute(CARE_TASK_VIEW)
    policies = sa.table("cadence_policy", sa.column("kind"), sa.column("category"), sa.column("risk_tier"),
                        sa.column("interval_days"), sa.column("window_before_days"), sa.column("window_after_days"),
                        sa.column("first_visit_working_days"), sa.column("version"))
    op.bulk_insert(policies, [dict(zip(("kind", "category", "risk_tier", "interval_days", "window_before_days",
                                        "window_after_days", "first_visit_working_days"), row), version=1)
                              for row in DEFAULT_POLICIES])


def downgrade():
    op.execute("DROP VIEW care_task")
    with op.batch_alter_table('elderly_record', schema=None) as batch_op:
        batch_op.drop_column('major_change_reason')
        batch_op.drop_column('major_change_at')
        batch_op.drop_column('last_visit_at')
        batch_op.drop_column('first_visit_due')

    with op.batch_alter_table('child_record', schema=None) as batch_op:
        batch_op.drop_column('major_change_reason')
        batch_op.drop_column('major_change_at')
        batch_op.drop_column('last_visit_at')
        batch_op.drop_column('first_visit_due')

    with op.batch_alter_table('visit_record', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_record_record')

    op.drop_table('visit_record')
    with op.batch_alter_table('visit_problem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_problem_visit_id'))

    op.drop_table('visit_problem')
    with op.batch_alter_table('visit_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_photo_visit_id'))

    op.drop_table('visit_photo')
    with op.batch_alter_table('visit', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_household_at')
        batch_op.drop_index('ix_visit_grid_at')
        batch_op.drop_index('ix_visit_flagged', postgresql_where=sa.text('is_flagged AND confirmed_at IS NULL'))

    op.drop_table('visit')
    op.drop_table('cadence_policy')

