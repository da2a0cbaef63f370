"""Stations of the domestic-service map.

Revision ID: 0001_stations
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0001_stations"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_geospatial_table(
        "stations",
        sa.Column("code", sa.String(length=12), nullable=False, comment="12-digit NBS division code"),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column(
            "location",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("source_crs", sa.String(length=8), nullable=True, comment="datum the imported point was given in"),
        sa.Column("coord_source", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("opening_hours", sa.String(length=100), nullable=True),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('street', 'town')", name=op.f("ck_stations_kind")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_stations")),
    )
    with op.batch_alter_table("stations") as batch_op:
        batch_op.create_geospatial_index(
            "idx_stations_location", ["location"], unique=False, postgresql_using="gist", postgresql_ops={}
        )
        batch_op.create_index(batch_op.f("ix_stations_district_code"), ["district_code"], unique=False)


def downgrade():
    with op.batch_alter_table("stations") as batch_op:
        batch_op.drop_index(batch_op.f("ix_stations_district_code"))
        batch_op.drop_geospatial_index("idx_stations_location", postgresql_using="gist", column_name="location")
    op.drop_geospatial_table("stations")
