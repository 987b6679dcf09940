"""Prepare the PostGIS test database. Used by scripts/postgis.sh.

pg_prepare.py probe URL   -> prints the server's major version, exit 1 if unreachable
pg_prepare.py create URL  -> creates the database if missing and the postgis and btree_gist extensions in it
"""

import sys

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


def _conninfo(url, dbname=None):
    u = make_url(url)
    return {
        "host": u.host or "127.0.0.1",
        "port": u.port or 5432,
        "user": u.username or "postgres",
        "password": u.password,
        "dbname": dbname or u.database,
        "connect_timeout": 3,
    }


def probe(url):
    try:
        with psycopg.connect(**_conninfo(url, "postgres")) as conn:
            version = conn.execute("SHOW server_version_num").fetchone()[0]
    except psycopg.OperationalError as exc:
        print(f"unreachable: {exc}".splitlines()[0], file=sys.stderr)
        return 1
    print(int(version) // 10000)
    return 0


def create(url):
    info = _conninfo(url)
    with psycopg.connect(**_conninfo(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (info["dbname"],)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(info["dbname"])))
    with psycopg.connect(**info, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        # btree_gist: the bookings' exclusion constraints (no double booking) compare ids with = in a GiST index.
        conn.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        version = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
    print(f"PostGIS {version} ready in database {info['dbname']}")
    return 0


if __name__ == "__main__":
    command, url = sys.argv[1], sys.argv[2]
    sys.exit({"probe": probe, "create": create}[command](url))
