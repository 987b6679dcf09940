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
    diff = compare_metadata(context, db.metadata)
    if conn.dialect.name == "sqlite":
        diff = _without_inline_fk_noise(diff)
    assert diff == []


def _fk_key(constraint):
    return tuple((fk.parent.name, fk.target_fullname) for fk in constraint.elements)


def _without_inline_fk_noise(diff):
    """SQLite: a reference added with ALTER TABLE ... ADD COLUMN ... REFERENCES reflects
    without its name and ON DELETE (SQLAlchemy parses those from table-level clauses
    only), so the same foreign key shows as removed and added. Drop such pairs; the
    real rule is checked through PRAGMA foreign_key_list below."""
    removed = {_fk_key(d[1]) for d in diff if d[0] == "remove_fk"}
    added = {_fk_key(d[1]) for d in diff if d[0] == "add_fk"}
    same = removed & added
    return [d for d in diff if not (d[0] in ("remove_fk", "add_fk") and _fk_key(d[1]) in same)]


def test_units_reference_who_proposed_them(db):
    conn = db.session.connection()
    if conn.dialect.name != "sqlite":
        return
    rows = conn.exec_driver_sql("PRAGMA foreign_key_list(units)").all()
    assert ("proposed_by_id", "users", "SET NULL") in {(r[3], r[2], r[6]) for r in rows}


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
