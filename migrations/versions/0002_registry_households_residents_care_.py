"""registry: households, residents, care records

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 18:08:03.342188

"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


# A household's grid comes from its point, in the database, on every insert and
# move: the grid whose boundary covers the point; on a shared edge (covered by
# two grids) the smaller code wins, so the answer never depends on row order.
GRID_ASSIGNMENT = """
CREATE FUNCTION grid_for_point(p geometry) RETURNS integer LANGUAGE sql STABLE AS $$
    SELECT id FROM unit WHERE level = 'grid' AND ST_Covers(boundary, p) ORDER BY code LIMIT 1
$$;
CREATE FUNCTION household_assign_grid() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    found integer := grid_for_point(NEW.location);
BEGIN
    IF found IS NULL THEN
        IF TG_OP = 'UPDATE' AND NEW.location IS NOT DISTINCT FROM OLD.location THEN
            -- Re-gridding left this point in a gap between grids: it stays where it was.
            NEW.grid_id := OLD.grid_id;
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'household location is outside every grid'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'household_location_in_grid';
    END IF;
    NEW.grid_id := found;
    RETURN NEW;
END $$;
CREATE TRIGGER household_grid BEFORE INSERT OR UPDATE OF location, grid_id ON household
    FOR EACH ROW EXECUTE FUNCTION household_assign_grid();
"""


def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('care_record_change',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('clock_timestamp()'), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('changes', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['app_user.id'], name=op.f('fk_care_record_change_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_record_change'))
    )
    with op.batch_alter_table('care_record_change', schema=None) as batch_op:
        batch_op.create_index('ix_care_record_change_record', ['kind', 'record_id'], unique=False)

    op.create_geospatial_table('household',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grid_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('head_id', sa.Integer(), nullable=True),
    sa.Column('housing_type', sa.String(length=24), nullable=True),
    sa.Column('tags', sa.ARRAY(sa.String(length=32)), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_household_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['grid_id'], ['unit.id'], name=op.f('fk_household_grid_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household'))
    )
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.create_geospatial_index('idx_household_location', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
        batch_op.create_index('ix_household_address_trgm', ['address'], unique=False, postgresql_using='gin', postgresql_ops={'address': 'gin_trgm_ops'})
        batch_op.create_index(batch_op.f('ix_household_grid_id'), ['grid_id'], unique=False)

    op.create_table('household_move',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('from_grid_id', sa.Integer(), nullable=False),
    sa.Column('to_grid_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('clock_timestamp()'), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('boundary_import_id', sa.Integer(), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['boundary_import_id'], ['boundary_import.id'], name=op.f('fk_household_move_boundary_import_id_boundary_import')),
    sa.ForeignKeyConstraint(['by_id'], ['app_user.id'], name=op.f('fk_household_move_by_id_app_user')),
    sa.ForeignKeyConstraint(['from_grid_id'], ['unit.id'], name=op.f('fk_household_move_from_grid_id_unit')),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_household_move_household_id_household'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_grid_id'], ['unit.id'], name=op.f('fk_household_move_to_grid_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_move'))
    )
    with op.batch_alter_table('household_move', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_move_household_id'), ['household_id'], unique=False)

    op.create_table('resident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('id_number_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('id_number_index', sa.String(length=64), nullable=True),
    sa.Column('id_number_masked', sa.String(length=18), nullable=True),
    sa.Column('gender', sa.String(length=8), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('ethnicity', sa.String(length=20), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('relation', sa.String(length=16), nullable=False),
    sa.Column('hukou', sa.String(length=24), nullable=False),
    sa.Column('tags', sa.ARRAY(sa.String(length=32)), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_resident_household_id_household'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident')),
    sa.UniqueConstraint('id_number_index', name=op.f('uq_resident_id_number_index'))
    )
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_household_id'), ['household_id'], unique=False)
        batch_op.create_index('ix_resident_name_trgm', ['name'], unique=False, postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})

    op.create_table('child_record',
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('guardian_name', sa.String(length=50), nullable=False),
    sa.Column('guardian_relation', sa.String(length=24), nullable=False),
    sa.Column('guardian_phone', sa.String(length=20), nullable=True),
    sa.Column('entrusted_guardianship_confirmed', sa.Boolean(), nullable=False),
    sa.Column('father_situation', sa.String(length=24), nullable=True),
    sa.Column('mother_situation', sa.String(length=24), nullable=True),
    sa.Column('parents_note', sa.Text(), nullable=True),
    sa.Column('school', sa.String(length=100), nullable=True),
    sa.Column('grade', sa.String(length=20), nullable=True),
    sa.Column('boarding', sa.Boolean(), nullable=False),
    sa.Column('dropped_out', sa.Boolean(), nullable=False),
    sa.Column('health', sa.Text(), nullable=True),
    sa.Column('disability', sa.Text(), nullable=True),
    sa.Column('living_allowance', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('receives_dibao', sa.Boolean(), nullable=False),
    sa.Column('guardianship_quality', sa.String(length=16), nullable=True),
    sa.Column('director_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('risk_tier', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('close_reason', sa.String(length=24), nullable=True),
    sa.Column('close_note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_child_record_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['director_id'], ['app_user.id'], name=op.f('fk_child_record_director_id_app_user')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_child_record_resident_id_resident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child_record'))
    )
    with op.batch_alter_table('child_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_record_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index('uq_child_record_open', ['resident_id'], unique=True, postgresql_where=sa.text("status = 'open'"))

    op.create_table('elderly_record',
    sa.Column('categories', sa.ARRAY(sa.String(length=32)), nullable=False),
    sa.Column('living_arrangement', sa.String(length=24), nullable=True),
    sa.Column('children_count', sa.Integer(), nullable=True),
    sa.Column('children_whereabouts', sa.Text(), nullable=True),
    sa.Column('self_care', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('self_care_result', sa.String(length=24), nullable=True),
    sa.Column('chronic_illness', sa.Text(), nullable=True),
    sa.Column('allowances', sa.ARRAY(sa.String(length=32)), nullable=False),
    sa.Column('emergency_contact_name', sa.String(length=50), nullable=True),
    sa.Column('emergency_contact_phone', sa.String(length=20), nullable=True),
    sa.Column('care_arrangements', sa.Text(), nullable=True),
    sa.Column('needs', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('risk_tier', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('close_reason', sa.String(length=24), nullable=True),
    sa.Column('close_note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_elderly_record_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_elderly_record_resident_id_resident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_elderly_record'))
    )
    with op.batch_alter_table('elderly_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_elderly_record_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index('uq_elderly_record_open', ['resident_id'], unique=True, postgresql_where=sa.text("status = 'open'"))

    op.create_foreign_key(op.f('fk_household_head_id_resident'), 'household', 'resident', ['head_id'], ['id'],
                          ondelete='SET NULL')
    op.execute(GRID_ASSIGNMENT)


def downgrade():
    op.execute("DROP TRIGGER household_grid ON household")
    op.execute("DROP FUNCTION household_assign_grid()")
    op.execute("DROP FUNCTION grid_for_point(geometry)")
    op.drop_constraint(op.f('fk_household_head_id_resident'), 'household', type_='foreignkey')
    with op.batch_alter_table('elderly_record', schema=None) as batch_op:
        batch_op.drop_index('uq_elderly_record_open', postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_elderly_record_resident_id'))

    op.drop_table('elderly_record')
    with op.batch_alter_table('child_record', schema=None) as batch_op:
        batch_op.drop_index('uq_child_record_open', postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_child_record_resident_id'))

    op.drop_table('child_record')
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_index('ix_resident_name_trgm', postgresql_using='gin', postgresql_ops={'name': 'gin_trgm_ops'})
        batch_op.drop_index(batch_op.f('ix_resident_household_id'))

    op.drop_table('resident')
    with op.batch_alter_table('household_move', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_move_household_id'))

    op.drop_table('household_move')
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_grid_id'))
        batch_op.drop_index('ix_household_address_trgm', postgresql_using='gin', postgresql_ops={'address': 'gin_trgm_ops'})
        batch_op.drop_geospatial_index('idx_household_location', postgresql_using='gist', column_name='location')

    op.drop_geospatial_table('household')
    with op.batch_alter_table('care_record_change', schema=None) as batch_op:
        batch_op.drop_index('ix_care_record_change_record')

    op.drop_table('care_record_change')
