"""Bulk writes for imports and demo data: ids handed out in advance, rows
streamed with COPY on the session's own connection (same transaction)."""
from sqlalchemy import func, select

from grid.extensions import db


def allocate_ids(sequence: str, count: int) -> list[int]:
    """`count` ids from `sequence`, so rows can reference each other before COPY."""
    if not count:
        return []
    return list(db.session.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, count))))


def copy_rows(table: str, columns: list[str], rows) -> None:
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
