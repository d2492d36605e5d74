"""Transaction-local settings: read by the transaction's queries, gone after it."""

import pytest
from django.db import connection, transaction

from marketplace.sqlsettings import local_settings_set

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

VALUES = {"marketplace.test_key": "00ff", "marketplace.test_words": "it's; -- a \\ value"}


def _read(name: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s, true)", [name])
        return cursor.fetchone()[0]


def test_settings_last_as_long_as_their_transaction():
    with transaction.atomic():
        local_settings_set(VALUES)
        assert {name: _read(name) for name in VALUES} == VALUES
    # A setting the session never had reads as nothing once its transaction is over.
    assert [_read(name) for name in VALUES] in ([None, None], ["", ""])


def test_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="needs a transaction"):
        local_settings_set(VALUES)
