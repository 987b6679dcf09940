"""The migrations build exactly the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from popup import geo


def test_migrated_schema_matches_the_models(db):
    conn = db.session.connection()
    context = MigrationContext.configure(
        conn,
        opts={
            "include_object": lambda obj, name, *a: name != "alembic_version" and geo.include_object(obj, name, *a),
            "compare_type": True,
        },
    )
    assert compare_metadata(context, db.metadata) == []


def test_every_geometry_column_has_a_spatial_index(db):
    conn = db.session.connection()
    inspector = inspect(conn)
    geometry_columns = [
        (table.name, column.name)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if column.type.__class__.__name__ == "Geometry"
    ]
    assert ("units", "location") in geometry_columns
    for table_name, column_name in geometry_columns:
        if conn.dialect.name == "sqlite":
            enabled = conn.execute(
                text(
                    "SELECT spatial_index_enabled FROM geometry_columns "
                    "WHERE f_table_name = :t AND f_geometry_column = :c"
                ),
                {"t": table_name, "c": column_name},
            ).scalar()
            assert enabled == 1, f"{table_name}.{column_name} has no R*Tree index"
        else:
            indexes = {ix["name"] for ix in inspector.get_indexes(table_name)}
            assert f"idx_{table_name}_{column_name}" in indexes
