"""What a dataset holds, for showing it as tables (the challenge page's sample data): each table's
name, columns, first rows and row count, read from the loaded dataset, never from INSERT text."""
from __future__ import annotations

from dataclasses import dataclass

SAMPLE_ROWS = 20     # rows shown per table


@dataclass
class TableSample:
    name: str            # schema-qualified on PostgreSQL when the schema is not `public`
    columns: list[str]
    rows: list[tuple]    # at most SAMPLE_ROWS + 1: one more than shown tells that rows were left out
    row_count: int


def qualified_name(schema: str, table: str) -> str:
    """`table` in `public`, `schema.table` elsewhere: what a query in the default search path would write."""
    return table if schema == "public" else f"{schema}.{table}"
