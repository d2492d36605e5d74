"""Settings of PostgreSQL for a block of statements, sent as bind parameters.

A statement's text is what the server writes to its log when the statement fails
(``log_min_error_statement``), and Django's psycopg cursors, like COPY's parameters,
merge values into that text. A value the server should read but not log (a key a
query signs with) is set here instead, through a cursor that binds on the server:
the statement a failure logs then says ``$1``, not the value.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import psycopg
from django.db import connection, transaction


def _set(values: Mapping[str, str]) -> dict[str, str]:
    """Set each of ``values`` until the transaction ends (``set_config(…, true)``);
    the values they had before (empty for a setting that had none)."""
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        # OFFSET 0: every value before is read before any is set.
        cursor.execute(
            "SELECT name, before, set_config(name, value, true) FROM ("
            "SELECT name, value, coalesce(current_setting(name, true), '') AS before"
            " FROM unnest(%s::text[], %s::text[]) AS setting(name, value) OFFSET 0) AS settings",
            [list(values), list(values.values())],
        )
        return {name: before for name, before, _ in cursor.fetchall()}


@contextmanager
def local_settings(values: Mapping[str, str]) -> Iterator[None]:
    """Give each setting of ``values`` its value for the statements of the block, read
    with ``current_setting``. The block is a transaction (a savepoint inside one);
    leaving it puts every setting back as it was, so a caller's transaction goes on
    without them (a secret among them included). An error rolls the block back, and
    PostgreSQL the settings with it."""
    with transaction.atomic():
        before = _set(values)
        yield
        _set(before)
