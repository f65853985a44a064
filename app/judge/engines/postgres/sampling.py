"""Reading a loaded dataset's tables for the sample-data view (the query role's own catalog view)."""
from __future__ import annotations

import psycopg
from psycopg import sql

from app.judge.engines.samples import TableSample, qualified_name

# Ordinary and partitioned tables the dataset created (not partitions: their parent shows their rows).
USER_TABLES = """
SELECT n.nspname, c.relname FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
ORDER BY c.oid
"""


def describe_tables(conn: psycopg.Connection, max_rows: int) -> list[TableSample]:
    """Each table's first `max_rows` + 1 rows and its count, in creation order (inside the caller's transaction)."""
    tables = []
    for schema, table in conn.execute(USER_TABLES).fetchall():
        target = sql.Identifier(schema, table)
        cursor = conn.execute(sql.SQL("SELECT * FROM {} LIMIT {}").format(target, sql.Literal(int(max_rows) + 1)))
        rows = [tuple(row) for row in cursor.fetchall()]
        columns = [d.name for d in cursor.description or ()]
        count = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(target)).fetchone()[0]
        tables.append(TableSample(qualified_name(schema, table), columns, rows, int(count)))
    return tables
