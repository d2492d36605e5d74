"""Settings of PostgreSQL for the current transaction, sent as bind parameters.

A statement's text is what the server writes to its log when the statement fails
(``log_min_error_statement``), and Django's psycopg cursors, like COPY's parameters,
merge values into that text. A value the server should read but not log (a key a
query signs with) is set here instead, through a cursor that binds on the server:
the statement a failure logs then says ``$1``, not the value.
"""

from collections.abc import Mapping

import psycopg
from django.db import connection


def local_settings_set(values: Mapping[str, str]) -> None:
    """Give each setting of ``values`` its value until the current transaction ends
    (``set_config(name, value, true)``); a query reads one with ``current_setting``."""
    if not connection.in_atomic_block:
        raise RuntimeError(
            "local_settings_set needs a transaction: the settings would end with the statement"
        )
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            "SELECT set_config(name, value, true)"
            " FROM unnest(%s::text[], %s::text[]) AS setting(name, value)",
            [list(values), list(values.values())],
        )
